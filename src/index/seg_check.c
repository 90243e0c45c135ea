/*
** seg_check.c — full verification of one segment (ndb_seg_check).
**
** What it proves, in order: the frame (header, footer, CRC32C of the whole file); that
** the doc length table sums to the trailer's total; then for every term, walking the
** dictionary in order (the iterator itself rejects out-of-order or malformed entries):
** the term's byte ranges lie in the postings section; every doc decodes, is strictly
** ascending and inside [base, base+ndocs); freqs >= 1; positions strictly ascending with
** exactly freq of them; df, cf, max_tf and min_dl equal what the data says; and each block
** of 128 docs has the last doc, max tf and min dl / tf its skip data claims (read back
** through block_seek / block_max_tf / block_min_dlr, i.e. exactly what executors see:
** the block's smallest dl / tf in a 1.5 list of several blocks, else its smallest dl over
** its largest tf).
**
** Problems go to report(ctx, 1, "<segment>: term '<t>': <what>"); the walk goes on after
** a bad term (at most SEGCHK_MAX_REPORTS messages) and the result is NDB_ECORRUPT.
**
** Threading: read-only over the mapped segment; safe alongside readers.
*/
#include "index/seg_int.h"

#include <stdio.h>

#define SEGCHK_MAX_REPORTS 100

typedef struct segchk {
    const ndb_seg *s;
    ndb_report_fn report;
    void *ctx;
    uint64_t problems;
    char term[80]; /* printable form of the current term */
} segchk;

static void segchk_say(segchk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void segchk_say(segchk *k, const char *fmt, ...)
{
    char msg[1024], what[400];
    va_list ap;
    k->problems++;
    if (!k->report || k->problems > SEGCHK_MAX_REPORTS)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (k->term[0])
        snprintf(msg, sizeof msg, "%s: term '%s': %s", k->s->name, k->term, what);
    else
        snprintf(msg, sizeof msg, "%s: %s", k->s->name, what);
    k->report(k->ctx, 1, msg);
}

static void segchk_name(segchk *k, const uint8_t *t, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 4 < sizeof k->term; i++)
        k->term[j++] = (t[i] >= 0x20 && t[i] < 0x7f && t[i] != '\'') ? (char)t[i] : '?';
    if (j + 4 >= sizeof k->term) {
        memcpy(k->term + j, "...", 3);
        j += 3;
    }
    k->term[j] = 0;
}

typedef struct segchk_blk {
    uint32_t claim_last, claim_tf, claim_dlr, tf, dl, dlr, last;
} segchk_blk;

/* ratio: the list's skip entries hold the block's min dl / tf (1.5, more than one block) */
static void segchk_block_end(segchk *k, const segchk_blk *b, uint64_t idx, bool ratio)
{
    uint32_t dlr = ratio ? b->dlr : b->tf ? b->dl / b->tf : b->dl;
    if (b->claim_last != b->last || b->claim_tf != b->tf || b->claim_dlr != dlr)
        segchk_say(k,
                   "block %llu: skip data (last %u, max_tf %u, min_dlr %u) != data "
                   "(%u, %u, %u)",
                   (unsigned long long)idx, b->claim_last, b->claim_tf, b->claim_dlr, b->last,
                   b->tf, dlr);
}

/* Walk one posting list, reporting what disagrees. */
static void segchk_term(segchk *k, const ndb_term_info *ti)
{
    const ndb_seg *s = k->s;
    ndb_cursor *c = NULL;
    uint64_t df = 0, cf = 0;
    uint32_t max_tf = 0, min_dl = UINT32_MAX, prev = 0;
    segchk_blk b = {0};
    bool ratio = s->skip_ratio && ti->df > NDB_BLOCK_DOCS;
    if (!ndb_seg_info_ok(s, ti) || ndb_seg_cursor(s, ti, true, &c) != NDB_OK) {
        segchk_say(k, "postings out of bounds or undecodable");
        return;
    }
    for (uint32_t d = ndb_cursor_next(c); d != NDB_DOC_END; d = ndb_cursor_next(c)) {
        const uint32_t *pos;
        uint32_t np, f = ndb_cursor_freq(c), dl = ndb_seg_doclen(s, d);
        if (d < s->m.base || d - s->m.base >= s->m.ndocs || (df > 0 && d <= prev)) {
            segchk_say(k, "doc %u out of order or range", d);
            break;
        }
        if (df % NDB_BLOCK_DOCS == 0) {
            if (df > 0)
                segchk_block_end(k, &b, df / NDB_BLOCK_DOCS - 1, ratio);
            b.claim_last = ndb_cursor_block_seek(c, d);
            b.claim_tf = ndb_cursor_block_max_tf(c);
            b.claim_dlr = ndb_cursor_block_min_dlr(c);
            b.tf = 0;
            b.dl = b.dlr = UINT32_MAX;
        }
        b.tf = NDB_MAX(b.tf, f);
        b.dl = NDB_MIN(b.dl, dl);
        if (f > 0)
            b.dlr = NDB_MIN(b.dlr, dl / f);
        b.last = d;
        if (f == 0 || ndb_cursor_positions(c, &pos, &np) != NDB_OK || np != f) {
            segchk_say(k, "doc %u: freq %u without as many positions", d, f);
            break;
        }
        for (uint32_t j = 1; j < np; j++)
            if (pos[j] <= pos[j - 1]) {
                segchk_say(k, "doc %u: positions not ascending", d);
                break;
            }
        df++;
        cf += f;
        max_tf = NDB_MAX(max_tf, f);
        min_dl = NDB_MIN(min_dl, dl);
        prev = d;
    }
    if (c->err != NDB_OK)
        segchk_say(k, "corrupt postings after %llu docs", (unsigned long long)df);
    else if (df > 0)
        segchk_block_end(k, &b, (df - 1) / NDB_BLOCK_DOCS, ratio);
    if (df != ti->df || cf != ti->cf || max_tf != ti->max_tf || min_dl != ti->min_dl)
        segchk_say(k, "stats df %llu cf %llu max_tf %u min_dl %u, data says %llu %llu %u %u",
                   (unsigned long long)ti->df, (unsigned long long)ti->cf, ti->max_tf, ti->min_dl,
                   (unsigned long long)df, (unsigned long long)cf, max_tf, min_dl);
    ndb_cursor_close(c);
}

static void segchk_terms(segchk *k)
{
    ndb_termdict_iter it;
    bool done = false;
    uint64_t n = 0;
    ndb_rc rc = ndb_termdict_iter_seek(&it, &k->s->td, (const uint8_t *)"", 0);
    while (rc == NDB_OK) {
        if ((rc = ndb_termdict_iter_next(&it, &done)) != NDB_OK || done)
            break;
        ndb_term_info ti;
        n++;
        segchk_name(k, it.term, it.len);
        ndb_seg_info_from(&ti, &it.info);
        segchk_term(k, &ti);
    }
    k->term[0] = 0;
    if (rc != NDB_OK)
        segchk_say(k, "term dictionary corrupt after %llu terms", (unsigned long long)n);
    else if (n != k->s->m.nterms)
        segchk_say(k, "dictionary has %llu terms, trailer says %llu", (unsigned long long)n,
                   (unsigned long long)k->s->m.nterms);
}

ndb_rc ndb_seg_check(const ndb_seg *s, ndb_report_fn report, void *ctx, ndb_err *err)
{
    segchk k = {s, report, ctx, 0, {0}};
    ndb_slice body;
    ndb_err e;
    uint64_t total = 0;

    ndb_err_clear(err);
    if (ndb_frame_check(s->p, s->n, NDB_KIND_SEGMENT, SEG_MAJOR, SEG_MAJOR, s->name, &body, &e) !=
        NDB_OK)
        segchk_say(&k, "%s", e.msg);
    for (uint32_t i = 0; i < s->m.ndocs; i++)
        total += ndb_seg_doclen(s, s->m.base + i);
    if (total != s->m.total_len)
        segchk_say(&k, "doc lengths sum to %llu, trailer says %llu", (unsigned long long)total,
                   (unsigned long long)s->m.total_len);
    segchk_terms(&k);
    if (k.problems == 0)
        return NDB_OK;
    return ndb_err_set(err, NDB_ECORRUPT, "%s: %llu problem(s) found", s->name,
                       (unsigned long long)k.problems);
}
