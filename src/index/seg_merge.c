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
** Invariants: segs[i].base + segs[i].ndocs == segs[i+1].base; the result covers
** [segs[0].base, last end). A corrupt input gives NDB_ECORRUPT naming it; nothing is left
** behind (the tmp file is unlinked).
**
** Threading: the inputs are read-only and may be in use by readers at the same time.
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

ndb_rc ndb_seg_merge(const ndb_vfs *vfs, const char *dir, ndb_seg *const *segs, size_t n,
                     const char *name, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_segout o;
    bool opened = false;
    ndb_termdict_iter *its = NULL;
    bool *live = NULL;
    uint64_t ndocs, total, *dropped = NULL;
    uint8_t term[NDB_TERMDICT_MAX + 1];
    size_t tlen;

    ndb_err_clear(err);
    if ((rc = merge_check_inputs(segs, n, &ndocs, err)) != NDB_OK)
        goto out;
    its = ndb_calloc(n, sizeof *its);
    live = ndb_calloc(n, sizeof *live);
    dropped = ndb_calloc(n, sizeof *dropped);
    if (!its || !live || !dropped) {
        rc = ndb_err_set(err, NDB_ENOMEM, "merge: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        bool done = false;
        dropped[i] = segs[i]->m.off[SEG_SEC_POST];
        rc = ndb_termdict_iter_seek(&its[i], &segs[i]->td, (const uint8_t *)"", 0);
        if (rc == NDB_OK)
            rc = ndb_termdict_iter_next(&its[i], &done);
        live[i] = !done;
        if (rc != NDB_OK)
            ndb_err_set(err, rc, "%s: corrupt term dictionary", segs[i]->name);
    }
    if (rc != NDB_OK)
        goto out;
    if ((rc = ndb_segout_open(&o, vfs, dir, name, segs[0]->m.base, err)) != NDB_OK)
        goto out;
    opened = true;
    for (;;) {
        size_t m = n;
        for (size_t i = 0; i < n; i++)
            if (live[i] &&
                (m == n || merge_cmp(its[i].term, its[i].len, its[m].term, its[m].len) < 0))
                m = i;
        if (m == n)
            break;
        tlen = its[m].len;
        memcpy(term, its[m].term, tlen + 1);
        ndb_segout_term_begin(&o);
        for (size_t i = m; i < n && rc == NDB_OK; i++) {
            bool done = false;
            if (!live[i] || merge_cmp(its[i].term, its[i].len, term, tlen) != 0)
                continue;
            if ((rc = merge_feed(&o, segs[i], &its[i], segs[0]->m.base, err)) != NDB_OK)
                break;
            merge_drop_behind(segs[i], &its[i].info, &dropped[i]);
            if ((rc = ndb_termdict_iter_next(&its[i], &done)) != NDB_OK)
                ndb_err_set(err, rc, "%s: corrupt term dictionary", segs[i]->name);
            live[i] = !done;
        }
        if (rc == NDB_OK)
            rc = ndb_segout_term_end(&o, term, tlen, err);
        if (rc != NDB_OK)
            goto out;
    }
    if ((rc = merge_doclens(&o, segs, n, &total, err)) != NDB_OK)
        goto out;
    rc = ndb_segout_finish(&o, (uint32_t)ndocs, total, err);
out:
    if (opened)
        ndb_segout_abort(&o);
    ndb_free(its);
    ndb_free(live);
    ndb_free(dropped);
    return rc;
}
