/*
** seg_merge.c — merge of segments with adjacent ascending doc ranges into one new file.
**
** What: a k-way merge of the inputs' term dictionaries; for each distinct term the inputs
** that have it are visited in range order and their postings (decoded through ordinary
** cursors, positions included) are re-encoded block by block through the streaming
** segment writer (seg_int.h). Doc lengths are copied section by section.
**
** Why so: the output is written in one forward pass, and memory stays bounded by one
** block of postings, the DOC bytes of the current term (positions are flushed as they
** fill) and the new term dictionary, never by the total size of the postings. The inputs
** are mmap'd and read front to back (terms in order, each term's POS then DOC bytes), so
** every MERGE_DROP_BYTES of an input's postings the pages already read are given back
** (ndb_seg_drop_pages): touched mapped pages count in the process's resident set, and an
** optimize of a 1M-article archive would otherwise hold every input segment (~0.9 GB)
** resident at its end. Because the
** ranges are adjacent and ascending, concatenating the inputs' lists in input order gives
** a sorted list; doc ids only change by the base shift.
**
** Two threads: when the inputs hold at least MERGE_SPLIT_BYTES of postings, the terms from
** the one where the largest input's postings reach half onwards are merged on a second
** thread into a side file (<name>.hi.tmp, which records its dictionary entries); the first
** thread merges the lower terms into the output, then splices the side file's bytes after
** them and adds its entries with their offsets moved (ndb_segout_two_runs, shared with the
** flush of a big in-memory segment). Terms are coded
** independently and in the same order, so the file is byte for byte the one-thread merge's
** (tested), in about 0.55x its wall time at 1M (BENCHMARKS.md). The side file costs disk
** (about half the output, for the merge's duration), not memory.
**
** Invariants: segs[i].base + segs[i].ndocs == segs[i+1].base; the result covers
** [segs[0].base, last end). A corrupt input gives NDB_ECORRUPT naming it; nothing is left
** behind (the tmp file is unlinked).
**
** Threading: the inputs are read-only and may be in use by readers at the same time; the
** second thread only reads them and writes its own side file.
*/
#include "index/seg_int.h"

#define MERGE_DROP_BYTES ((uint64_t)8 << 20)

/* Input s has been read up to *its* term `ti` inclusive: give back the pages before the end
** of that term's bytes once MERGE_DROP_BYTES have accumulated since the last time. */
static void merge_drop_behind(const ndb_seg *s, const ndb_termdict_info *ti, uint64_t *dropped)
{
    uint64_t end = NDB_MAX(ti->doc_off + ti->doc_len, ti->pos_off + ti->pos_len);
    if (end >= *dropped + MERGE_DROP_BYTES) {
        ndb_seg_drop_pages(s, *dropped, end);
        *dropped = end / 4096 * 4096;
    }
}

static int merge_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, NDB_MIN(an, bn));
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Feed seg's postings of the term at it->info to o. */
static ndb_rc merge_feed(ndb_segout *o, const ndb_seg *s, const ndb_termdict_iter *it,
                         uint32_t newbase, ndb_err *err)
{
    ndb_term_info ti;
    ndb_cursor *c = NULL;
    ndb_rc rc;
    ndb_seg_info_from(&ti, &it->info);
    if ((rc = ndb_seg_cursor(s, &ti, true, &c)) != NDB_OK) {
        ndb_err_set(err, rc, "%s: term '%s': cannot read postings", s->name,
                    (const char *)it->term);
        goto out;
    }
    for (uint32_t d = ndb_cursor_next(c); d != NDB_DOC_END; d = ndb_cursor_next(c)) {
        const uint32_t *pos;
        uint32_t np;
        if ((rc = ndb_cursor_positions(c, &pos, &np)) != NDB_OK)
            break;
        if (np != ndb_cursor_freq(c)) {
            rc = NDB_ECORRUPT;
            break;
        }
        if ((rc = ndb_segout_term_add(o, d - newbase, np, pos, ndb_seg_doclen(s, d), err)))
            goto out;
    }
    if (rc == NDB_OK)
        rc = c->err;
    if (rc != NDB_OK)
        ndb_err_set(err, rc, "%s: term '%s': corrupt postings", s->name, (const char *)it->term);
out:
    ndb_cursor_close(c);
    return rc;
}

static ndb_rc merge_check_inputs(ndb_seg *const *segs, size_t n, uint64_t *ndocs, ndb_err *err)
{
    *ndocs = 0;
    if (n == 0)
        return ndb_err_set(err, NDB_EINVAL, "merge: no segments");
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (uint64_t)segs[i - 1]->m.base + segs[i - 1]->m.ndocs != segs[i]->m.base)
            return ndb_err_set(err, NDB_EINVAL, "merge: %s does not follow %s", segs[i]->name,
                               segs[i - 1]->name);
        *ndocs += segs[i]->m.ndocs;
    }
    return NDB_OK;
}

static ndb_rc merge_doclens(ndb_segout *o, ndb_seg *const *segs, size_t n, uint64_t *total,
                            ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    *total = 0;
    ndb_segout_doclens_begin(o);
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        const uint8_t *p = segs[i]->p + segs[i]->m.off[SEG_SEC_DOCLEN];
        size_t len = (size_t)segs[i]->m.len[SEG_SEC_DOCLEN];
        for (size_t k = 0; k < len; k += 4)
            *total += ndb_get_u32le(p + k);
        rc = ndb_segout_write(o, p, len, err);
    }
    return rc;
}

/* One merge run: the terms in [lo, hi) (hi NULL: to the end) of every input, fed to o in
** term order. Each run has its own dictionary iterators and page-drop marks, so two runs
** over disjoint term ranges may go at the same time on two threads. */
typedef struct merge_run {
    ndb_seg *const *segs;
    size_t n;
    const uint8_t *lo, *hi;
    size_t lon, hin;
} merge_run;

static ndb_rc merge_terms(void *arg, ndb_segout *o, ndb_err *err)
{
    const merge_run *r = arg;
    ndb_seg *const *segs = r->segs;
    size_t n = r->n;
    ndb_rc rc = NDB_OK;
    ndb_termdict_iter *its = ndb_calloc(n, sizeof *its);
    bool *live = ndb_calloc(n, sizeof *live);
    uint64_t *dropped = ndb_calloc(n, sizeof *dropped);
    uint8_t term[NDB_TERMDICT_MAX + 1];
    size_t tlen;

    if (!its || !live || !dropped) {
        rc = ndb_err_set(err, NDB_ENOMEM, "merge: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        bool done = false;
        rc = ndb_termdict_iter_seek(&its[i], &segs[i]->td, r->lo, r->lon);
        if (rc == NDB_OK)
            rc = ndb_termdict_iter_next(&its[i], &done);
        live[i] = !done && (!r->hi || merge_cmp(its[i].term, its[i].len, r->hi, r->hin) < 0);
        /* pages before this run's first term belong to the run before it */
        dropped[i] = !done ? its[i].info.pos_off : segs[i]->m.off[SEG_SEC_POST];
        if (rc != NDB_OK)
            ndb_err_set(err, rc, "%s: corrupt term dictionary", segs[i]->name);
    }
    while (rc == NDB_OK) {
        size_t m = n;
        for (size_t i = 0; i < n; i++)
            if (live[i] &&
                (m == n || merge_cmp(its[i].term, its[i].len, its[m].term, its[m].len) < 0))
                m = i;
        if (m == n)
            break;
        uint64_t df = 0, cf = 0;
        tlen = its[m].len;
        memcpy(term, its[m].term, tlen + 1);
        for (size_t i = m; i < n; i++) /* the merged list's totals */
            if (live[i] && merge_cmp(its[i].term, its[i].len, term, tlen) == 0) {
                df += its[i].info.df;
                cf += its[i].info.cf;
            }
        ndb_segout_term_begin(o, df, cf);
        for (size_t i = m; i < n && rc == NDB_OK; i++) {
            bool done = false;
            if (!live[i] || merge_cmp(its[i].term, its[i].len, term, tlen) != 0)
                continue;
            if ((rc = merge_feed(o, segs[i], &its[i], segs[0]->m.base, err)) != NDB_OK)
                break;
            merge_drop_behind(segs[i], &its[i].info, &dropped[i]);
            if ((rc = ndb_termdict_iter_next(&its[i], &done)) != NDB_OK)
                ndb_err_set(err, rc, "%s: corrupt term dictionary", segs[i]->name);
            live[i] = !done && (!r->hi || merge_cmp(its[i].term, its[i].len, r->hi, r->hin) < 0);
        }
        if (rc == NDB_OK)
            rc = ndb_segout_term_end(o, term, tlen, err);
    }
out:
    ndb_free(its);
    ndb_free(live);
    ndb_free(dropped);
    return rc;
}

/* Inputs' postings bytes from which a merge runs on two threads (ndb_seg_split_bytes). */
#define MERGE_SPLIT_BYTES ((uint64_t)64 << 20)

/* The term at which the merge's second run starts: where the largest input's postings bytes
** reach half (inputs share most of their vocabulary, so the two runs get about the same
** work). False when the inputs are too small to be worth a thread or have no such term. */
static bool merge_split_term(ndb_seg *const *segs, size_t n, uint8_t *split, size_t *splitn)
{
    uint64_t total = 0, half, acc = 0;
    size_t big = 0;
    ndb_termdict_iter it;
    bool done = false;
    for (size_t i = 0; i < n; i++) {
        total += segs[i]->m.len[SEG_SEC_POST];
        if (segs[i]->m.len[SEG_SEC_POST] > segs[big]->m.len[SEG_SEC_POST])
            big = i;
    }
    if (total < ndb_seg_split_bytes(MERGE_SPLIT_BYTES) || total == 0)
        return false;
    half = segs[big]->m.len[SEG_SEC_POST] / 2;
    if (ndb_termdict_iter_seek(&it, &segs[big]->td, (const uint8_t *)"", 0) != NDB_OK)
        return false;
    for (bool first = true;; first = false) {
        if (ndb_termdict_iter_next(&it, &done) != NDB_OK || done)
            return false;
        if (!first && acc >= half)
            break;
        acc += it.info.pos_len + it.info.doc_len;
    }
    memcpy(split, it.term, it.len + 1);
    *splitn = it.len;
    return true;
}

ndb_rc ndb_seg_merge(const ndb_vfs *vfs, const char *dir, ndb_seg *const *segs, size_t n,
                     const char *name, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_segout o;
    bool opened = false;
    uint64_t ndocs, total;
    uint8_t mid[NDB_TERMDICT_MAX + 1];
    size_t midn = 0;
    merge_run a = {.segs = segs, .n = n, .lo = (const uint8_t *)""};
    merge_run b = a;

    ndb_err_clear(err);
    if ((rc = merge_check_inputs(segs, n, &ndocs, err)) != NDB_OK)
        goto out;
    if ((rc = ndb_segout_open(&o, vfs, dir, name, segs[0]->m.base, err)) != NDB_OK)
        goto out;
    opened = true;
    if (merge_split_term(segs, n, mid, &midn)) {
        a.hi = b.lo = mid;
        a.hin = b.lon = midn;
        rc = ndb_segout_two_runs(&o, dir, name, merge_terms, &a, &b, err);
    } else {
        rc = merge_terms(&a, &o, err);
    }
    if (rc != NDB_OK)
        goto out;
    if ((rc = merge_doclens(&o, segs, n, &total, err)) != NDB_OK)
        goto out;
    rc = ndb_segout_finish(&o, (uint32_t)ndocs, total, err);
out:
    if (opened)
        ndb_segout_abort(&o);
    return rc;
}
