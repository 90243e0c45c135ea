/*
** multi.c — one term across the segments of a snapshot (multi.h).
**
** The cursor is a concatenation: sub-cursor k covers [start_k, start_{k+1}) of the doc id
** space and the segments are ascending, so `next` just moves on when a sub ends and
** `seek_geq` jumps straight to the sub whose range holds the target. Block data comes from
** the sub at the block pointer `bi` (never behind the doc sub `i`); a block never spans two
** segments. A term present in a single segment gets that segment's cursor unwrapped.
**
** Prefix enumeration merges the segments' dictionary iterators (k is small: tens of
** segments), emitting each distinct term once, in byte order.
**
** Invariants: i <= n; i == n means exhausted (doc = NDB_DOC_END); bi >= i when used.
** Threading: a cursor belongs to one thread; the segments are shared read-only.
*/
#include "index/multi.h"

#include "index/seg_int.h"

typedef struct multi {
    ndb_cursor base;
    size_t n, i, bi;
    bool started;
    ndb_cursor **subs;
    uint32_t *starts; /* first doc id of each sub's segment */
} multi;

static uint32_t multi_set(multi *m, uint32_t d)
{
    m->base.doc = d;
    return d;
}

/* Sub i ended: take its error, if any, as ours. */
static bool multi_failed(multi *m)
{
    if (m->subs[m->i]->err != NDB_OK) {
        m->base.err = m->subs[m->i]->err;
        m->i = m->n;
        return true;
    }
    return false;
}

static uint32_t multi_next(ndb_cursor *c)
{
    multi *m = (multi *)c;
    m->started = true;
    while (m->i < m->n) {
        uint32_t d = ndb_cursor_next(m->subs[m->i]);
        if (d != NDB_DOC_END)
            return multi_set(m, d);
        if (multi_failed(m))
            break;
        m->i++;
    }
    return multi_set(m, NDB_DOC_END);
}

static uint32_t multi_seek_geq(ndb_cursor *c, uint32_t target)
{
    multi *m = (multi *)c;
    if (m->started && m->i < m->n && m->base.doc >= target)
        return m->base.doc;
    m->started = true;
    while (m->i < m->n) {
        if (m->i + 1 < m->n && target >= m->starts[m->i + 1]) {
            m->i++;
            continue;
        }
        uint32_t d = ndb_cursor_seek_geq(m->subs[m->i], target);
        if (d != NDB_DOC_END)
            return multi_set(m, d);
        if (multi_failed(m))
            break;
        m->i++;
    }
    return multi_set(m, NDB_DOC_END);
}

static uint32_t multi_freq(ndb_cursor *c)
{
    multi *m = (multi *)c;
    return m->i < m->n ? ndb_cursor_freq(m->subs[m->i]) : 0;
}

static ndb_rc multi_positions(ndb_cursor *c, const uint32_t **pos, uint32_t *n)
{
    multi *m = (multi *)c;
    if (m->i >= m->n) {
        *pos = NULL;
        *n = 0;
        return NDB_EINVAL;
    }
    ndb_rc rc = ndb_cursor_positions(m->subs[m->i], pos, n);
    if (rc == NDB_ECORRUPT)
        m->base.err = rc;
    return rc;
}

static uint32_t multi_block_seek(ndb_cursor *c, uint32_t target)
{
    multi *m = (multi *)c;
    if (m->bi < m->i)
        m->bi = m->i;
    while (m->bi < m->n) {
        if (m->bi + 1 < m->n && target >= m->starts[m->bi + 1]) {
            m->bi++;
            continue;
        }
        uint32_t last = ndb_cursor_block_seek(m->subs[m->bi], target);
        if (last != NDB_DOC_END)
            return last;
        if (m->subs[m->bi]->err != NDB_OK) {
            m->base.err = m->subs[m->bi]->err;
            m->bi = m->n;
            break;
        }
        m->bi++;
    }
    return NDB_DOC_END;
}

static uint32_t multi_block_max_tf(ndb_cursor *c)
{
    multi *m = (multi *)c;
    size_t b = NDB_MAX(m->bi, m->i);
    return b < m->n ? ndb_cursor_block_max_tf(m->subs[b]) : 0;
}

static uint32_t multi_block_min_dlr(ndb_cursor *c)
{
    multi *m = (multi *)c;
    size_t b = NDB_MAX(m->bi, m->i);
    return b < m->n ? ndb_cursor_block_min_dlr(m->subs[b]) : UINT32_MAX;
}

/* The rest of the current block: the doc sub's (a block never spans two segments; the subs'
** ids are already global). */
static uint32_t multi_bulk(ndb_cursor *c, const uint32_t **docs, const uint32_t **freqs,
                           uint32_t *base)
{
    multi *m = (multi *)c;
    if (!m->started || m->i >= m->n)
        return 0;
    return ndb_cursor_bulk(m->subs[m->i], docs, freqs, base);
}

static void multi_close(ndb_cursor *c)
{
    multi *m = (multi *)c;
    for (size_t k = 0; k < m->n; k++)
        ndb_cursor_close(m->subs[k]);
    ndb_free(m);
}

static const ndb_cursor_ops multi_ops = {
    .next = multi_next,
    .seek_geq = multi_seek_geq,
    .freq = multi_freq,
    .positions = multi_positions,
    .block_seek = multi_block_seek,
    .block_max_tf = multi_block_max_tf,
    .block_min_dlr = multi_block_min_dlr,
    .close = multi_close,
    .bulk = multi_bulk,
};

ndb_rc ndb_index_term_cursor(ndb_seg *const *segs, size_t n, const char *t, size_t len,
                             bool positions, ndb_cursor **out, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    multi *m = NULL;
    size_t bytes = 0;

    ndb_err_clear(err);
    *out = NULL;
    if (ndb_size_mul(n, sizeof(ndb_cursor *) + sizeof(uint32_t), &bytes) ||
        ndb_size_add(bytes, sizeof *m, &bytes)) {
        rc = ndb_err_set(err, NDB_ELIMIT, "too many segments");
        goto out;
    }
    if (!(m = ndb_calloc(1, bytes))) {
        rc = ndb_err_set(err, NDB_ENOMEM, "term cursor: out of memory");
        goto out;
    }
    m->base.ops = &multi_ops;
    m->base.min_dl = UINT32_MAX;
    m->subs = (ndb_cursor **)(m + 1);
    m->starts = (uint32_t *)(m->subs + n);
    for (size_t k = 0; k < n; k++) {
        ndb_term_info ti;
        ndb_cursor *c = NULL;
        if (!ndb_seg_term(segs[k], t, len, &ti))
            continue;
        if ((rc = ndb_seg_cursor(segs[k], &ti, positions, &c)) != NDB_OK) {
            ndb_err_set(err, rc, "%s: term '%.*s': cannot open postings", ndb_seg_name(segs[k]),
                        (int)NDB_MIN(len, 64), t);
            goto out;
        }
        m->subs[m->n] = c;
        m->starts[m->n++] = ndb_seg_base(segs[k]);
        m->base.df += c->df;
        m->base.max_tf = NDB_MAX(m->base.max_tf, c->max_tf);
        m->base.min_dl = NDB_MIN(m->base.min_dl, c->min_dl);
    }
    if (m->n == 1) {
        *out = m->subs[0];
        m->n = 0;
    } else if (m->n > 1) {
        *out = &m->base;
        m = NULL;
    }
out:
    if (m)
        multi_close(&m->base);
    return rc;
}

static int multi_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, NDB_MIN(an, bn));
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Advance iterator k; live[k] false once it leaves the prefix. */
static ndb_rc multi_advance(ndb_termdict_iter *it, bool *live, const char *p, size_t len)
{
    bool done = false;
    ndb_rc rc = ndb_termdict_iter_next(it, &done);
    *live = rc == NDB_OK && !done && it->len >= len && memcmp(it->term, p, len) == 0;
    return rc;
}

ndb_rc ndb_index_prefix(ndb_seg *const *segs, size_t n, const char *p, size_t len, ndb_term_fn fn,
                        void *fctx, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_termdict_iter *its = NULL;
    bool *live = NULL;
    uint8_t term[NDB_TERMDICT_MAX + 1];

    ndb_err_clear(err);
    its = ndb_calloc(n ? n : 1, sizeof *its);
    live = ndb_calloc(n ? n : 1, sizeof *live);
    if (!its || !live) {
        rc = ndb_err_set(err, NDB_ENOMEM, "prefix: out of memory");
        goto out;
    }
    for (size_t k = 0; k < n && rc == NDB_OK; k++) {
        rc = ndb_termdict_iter_seek(&its[k], &segs[k]->td, (const uint8_t *)p, len);
        if (rc == NDB_OK)
            rc = multi_advance(&its[k], &live[k], p, len);
        if (rc != NDB_OK)
            ndb_err_set(err, rc, "%s: corrupt term dictionary", segs[k]->name);
    }
    while (rc == NDB_OK) {
        size_t m = n, tlen;
        for (size_t k = 0; k < n; k++)
            if (live[k] &&
                (m == n || multi_cmp(its[k].term, its[k].len, its[m].term, its[m].len) < 0))
                m = k;
        if (m == n)
            break;
        tlen = its[m].len;
        memcpy(term, its[m].term, tlen + 1);
        for (size_t k = m; k < n && rc == NDB_OK; k++) {
            if (!live[k] || multi_cmp(its[k].term, its[k].len, term, tlen) != 0)
                continue;
            if ((rc = multi_advance(&its[k], &live[k], p, len)) != NDB_OK)
                ndb_err_set(err, rc, "%s: corrupt term dictionary", segs[k]->name);
        }
        if (rc == NDB_OK)
            rc = fn(fctx, (const char *)term, tlen);
    }
out:
    ndb_free(its);
    ndb_free(live);
    return rc;
}
