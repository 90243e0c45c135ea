/*
** mem_cursor.c — an ndb_cursor over caller-built arrays (ndb_cursor_mem_new, cursor.h).
**
** What: the simplest implementation of the cursor vtable. Tests build one from an oracle's
** postings to drive executors; the query layer builds one for small prefix unions that it
** materializes in memory. It also serves as the reference behaviour of every op that the
** on-disk cursors (postings/postings.c) must match.
**
** Shape: one allocation holds the struct and copies of all arrays (docs, freqs, doc lengths,
** positions, position offsets) plus a per-block table {last doc, max tf, min dl / tf} computed at
** construction, with blocks of NDB_BLOCK_DOCS entries exactly like the segment format, so
** block-max executors see the same block boundaries they would see on disk.
**
** Invariants:
**   1. docs strictly ascending and < NDB_DOC_END, freqs >= 1 (checked: NDB_EINVAL).
**   2. `i` is the index of the current entry; i == n means exhausted (doc = NDB_DOC_END);
**      before the first next/seek i == MEMC_BEFORE and doc == 0.
**   3. `blk` (block pointer) only moves forward; block ops use max(blk, block of i).
** Conveniences beyond cursor.h: freqs may be NULL (all 1); pos/pos_off may be NULL, then
** positions() returns NDB_EINVAL like a cursor opened without positions.
**
** Threading: a cursor belongs to one thread; construction touches no shared state.
*/
#include "postings/cursor.h"

#define MEMC_BEFORE SIZE_MAX

typedef struct memc_block {
    uint32_t last, max_tf, min_dlr;
} memc_block;

typedef struct memc {
    ndb_cursor base;
    size_t n, i, blk, nblocks;
    uint32_t *docs, *freqs, *pos, *pos_off; /* pos/pos_off NULL when no positions */
    memc_block *blocks;
} memc;

static uint32_t memc_settle(memc *m)
{
    if (m->i >= m->n) {
        m->i = m->n;
        m->base.doc = NDB_DOC_END;
    } else {
        m->base.doc = m->docs[m->i];
    }
    return m->base.doc;
}

static uint32_t memc_next(ndb_cursor *c)
{
    memc *m = (memc *)c;
    if (m->i == MEMC_BEFORE)
        m->i = 0;
    else if (m->i < m->n)
        m->i++;
    return memc_settle(m);
}

static uint32_t memc_seek_geq(ndb_cursor *c, uint32_t target)
{
    memc *m = (memc *)c;
    size_t lo = m->i == MEMC_BEFORE ? 0 : m->i;
    if (lo >= m->n)
        return memc_settle(m);
    m->i = ndb_gallop_geq(m->docs, lo, m->n, target);
    return memc_settle(m);
}

static uint32_t memc_freq(ndb_cursor *c)
{
    memc *m = (memc *)c;
    if (m->i >= m->n)
        return 0;
    return m->freqs[m->i];
}

static ndb_rc memc_positions(ndb_cursor *c, const uint32_t **pos, uint32_t *n)
{
    memc *m = (memc *)c;
    *pos = NULL;
    *n = 0;
    if (!m->pos_off || m->i >= m->n)
        return NDB_EINVAL;
    *pos = m->pos + m->pos_off[m->i];
    *n = m->pos_off[m->i + 1] - m->pos_off[m->i];
    return NDB_OK;
}

static size_t memc_cur_block(const memc *m)
{
    size_t b = m->blk;
    if (m->i != MEMC_BEFORE && m->i / NDB_BLOCK_DOCS > b)
        b = m->i / NDB_BLOCK_DOCS;
    return b;
}

static uint32_t memc_block_seek(ndb_cursor *c, uint32_t target)
{
    memc *m = (memc *)c;
    size_t b = memc_cur_block(m);
    while (b < m->nblocks && m->blocks[b].last < target)
        b++;
    m->blk = b;
    return b < m->nblocks ? m->blocks[b].last : NDB_DOC_END;
}

static uint32_t memc_block_max_tf(ndb_cursor *c)
{
    memc *m = (memc *)c;
    size_t b = memc_cur_block(m);
    return b < m->nblocks ? m->blocks[b].max_tf : 0;
}

static uint32_t memc_block_min_dlr(ndb_cursor *c)
{
    memc *m = (memc *)c;
    size_t b = memc_cur_block(m);
    return b < m->nblocks ? m->blocks[b].min_dlr : UINT32_MAX;
}

/* The rest of the current 128-entry block, as the segment cursor lends it. */
static uint32_t memc_bulk(ndb_cursor *c, const uint32_t **docs, const uint32_t **freqs,
                          uint32_t *base)
{
    memc *m = (memc *)c;
    if (m->i == MEMC_BEFORE || m->i >= m->n)
        return 0;
    size_t end = (m->i / NDB_BLOCK_DOCS + 1) * NDB_BLOCK_DOCS;
    if (end > m->n)
        end = m->n;
    *docs = m->docs + m->i;
    if (freqs)
        *freqs = m->freqs + m->i;
    *base = 0;
    return (uint32_t)(end - m->i);
}

static void memc_close(ndb_cursor *c)
{
    ndb_free(c);
}

static const ndb_cursor_ops memc_ops = {
    .next = memc_next,
    .seek_geq = memc_seek_geq,
    .freq = memc_freq,
    .positions = memc_positions,
    .block_seek = memc_block_seek,
    .block_max_tf = memc_block_max_tf,
    .block_min_dlr = memc_block_min_dlr,
    .close = memc_close,
    .bulk = memc_bulk,
};

/* Bytes of the single allocation; NDB_ELIMIT on overflow. */
static ndb_rc memc_size(size_t n, size_t npos, bool with_pos, size_t *total)
{
    size_t nblocks = (n + NDB_BLOCK_DOCS - 1) / NDB_BLOCK_DOCS, a, b;
    ndb_rc rc;
    if ((rc = ndb_size_mul(nblocks, sizeof(memc_block), &a)) != NDB_OK)
        return rc;
    if ((rc = ndb_size_add(a, sizeof(memc), &a)) != NDB_OK)
        return rc;
    if ((rc = ndb_size_mul(n, 2 * sizeof(uint32_t), &b)) != NDB_OK) /* docs, freqs */
        return rc;
    if ((rc = ndb_size_add(a, b, &a)) != NDB_OK)
        return rc;
    if (with_pos) {
        size_t words;
        if ((rc = ndb_size_add(n + 1, npos, &words)) != NDB_OK)
            return rc;
        if ((rc = ndb_size_mul(words, sizeof(uint32_t), &b)) != NDB_OK)
            return rc;
        if ((rc = ndb_size_add(a, b, &a)) != NDB_OK)
            return rc;
    }
    *total = a;
    return NDB_OK;
}

static ndb_rc memc_validate(const uint32_t *docs, const uint32_t *freqs, const uint32_t *pos_off,
                            size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (docs[i] == NDB_DOC_END || (i > 0 && docs[i] <= docs[i - 1]))
            return NDB_EINVAL;
        if (freqs && freqs[i] == 0)
            return NDB_EINVAL;
        if (pos_off && pos_off[i + 1] < pos_off[i])
            return NDB_EINVAL;
    }
    if (pos_off && pos_off[0] != 0)
        return NDB_EINVAL;
    return NDB_OK;
}

static void memc_fill_blocks(memc *m, const uint32_t *dls)
{
    m->base.max_tf = 0;
    m->base.min_dl = UINT32_MAX;
    for (size_t b = 0; b < m->nblocks; b++) {
        size_t lo = b * NDB_BLOCK_DOCS, hi = NDB_MIN(m->n, lo + NDB_BLOCK_DOCS);
        memc_block *k = &m->blocks[b];
        k->last = m->docs[hi - 1];
        k->max_tf = 0;
        k->min_dlr = UINT32_MAX;
        for (size_t i = lo; i < hi; i++) {
            uint32_t dl = dls ? dls[i] : 1;
            k->max_tf = NDB_MAX(k->max_tf, m->freqs[i]);
            k->min_dlr = NDB_MIN(k->min_dlr, dl / m->freqs[i]);
            m->base.min_dl = NDB_MIN(m->base.min_dl, dl);
        }
        m->base.max_tf = NDB_MAX(m->base.max_tf, k->max_tf);
    }
    if (m->n == 0)
        m->base.min_dl = 1;
}

ndb_rc ndb_cursor_mem_new(const uint32_t *docs, const uint32_t *freqs, const uint32_t *dls,
                          const uint32_t *pos, const uint32_t *pos_off, size_t n, ndb_cursor **out)
{
    ndb_rc rc = NDB_OK;
    memc *m = NULL;
    bool with_pos = pos_off != NULL;
    size_t npos = with_pos ? pos_off[n] : 0, total = 0;

    *out = NULL;
    if ((n > 0 && !docs) || (with_pos && npos > 0 && !pos)) {
        rc = NDB_EINVAL;
        goto out;
    }
    if ((rc = memc_validate(docs, freqs, pos_off, n)) != NDB_OK)
        goto out;
    if ((rc = memc_size(n, npos, with_pos, &total)) != NDB_OK)
        goto out;
    m = ndb_malloc(total);
    if (!m) {
        rc = NDB_ENOMEM;
        goto out;
    }
    memset(m, 0, sizeof *m);
    m->base.ops = &memc_ops;
    m->base.df = n;
    m->base.err = NDB_OK;
    m->n = n;
    m->i = MEMC_BEFORE;
    m->nblocks = (n + NDB_BLOCK_DOCS - 1) / NDB_BLOCK_DOCS;
    m->blocks = (memc_block *)(m + 1);
    m->docs = (uint32_t *)(m->blocks + m->nblocks);
    m->freqs = m->docs + n;
    if (n > 0)
        memcpy(m->docs, docs, n * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++)
        m->freqs[i] = freqs ? freqs[i] : 1;
    if (with_pos) {
        m->pos_off = m->freqs + n;
        m->pos = m->pos_off + n + 1;
        memcpy(m->pos_off, pos_off, (n + 1) * sizeof(uint32_t));
        if (npos > 0)
            memcpy(m->pos, pos, npos * sizeof(uint32_t));
    }
    memc_fill_blocks(m, dls);
    *out = &m->base;
out:
    return rc;
}
