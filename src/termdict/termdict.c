/*
** termdict.c — writer and reader of the front-coded block dictionary (layout: termdict.h).
**
** Writer: appends entries to one growing byte buffer and an index entry every
** NDB_TERMDICT_BLOCK terms; memory is the dictionary's encoded size.
** Reader: never copies the mapped bytes; a lookup binary-searches the block index by each
** block's first term (decoded in place), then scans one block. All reads go through ndb_rd;
** an iterator also checks that terms strictly increase, so a flipped byte in a suffix is
** reported as NDB_ECORRUPT instead of silently breaking the binary search's premise.
**
** Threading: see termdict.h.
*/
#include "termdict/termdict.h"

/* ------------------------------------------------------------ writer */

void ndb_termdict_writer_init(ndb_termdict_writer *w)
{
    ndb_buf_init(&w->blocks, NDB_BUF_NOMAX);
    ndb_buf_init(&w->index, NDB_BUF_NOMAX);
    w->n = 0;
    w->prev_end = 0;
    w->last_len = 0;
}

void ndb_termdict_writer_fini(ndb_termdict_writer *w)
{
    ndb_buf_fini(&w->blocks);
    ndb_buf_fini(&w->index);
}

size_t ndb_termdict_writer_mem(const ndb_termdict_writer *w)
{
    return w->blocks.cap + w->index.cap;
}

static int termdict_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, NDB_MIN(an, bn));
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

static ndb_rc termdict_put_info(ndb_buf *b, const ndb_termdict_info *ti, uint64_t pos_gap,
                                uint64_t doc_gap)
{
    bool gaps = doc_gap != 0 || pos_gap != 0;
    ndb_rc rc = ndb_buf_append_varint(b, ti->df << 1 | gaps);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, ti->cf - ti->df);
    if (rc == NDB_OK && ti->df > 1)
        rc = ndb_buf_append_varint(b, ti->max_tf - 1);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, ti->min_dl);
    if (rc == NDB_OK && gaps)
        rc = ndb_buf_append_varint(b, pos_gap);
    if (rc == NDB_OK && gaps)
        rc = ndb_buf_append_varint(b, doc_gap);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, ti->doc_len);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, ti->pos_len);
    return rc;
}

ndb_rc ndb_termdict_add_term(ndb_termdict_writer *w, const uint8_t *t, size_t n,
                             const ndb_termdict_info *ti)
{
    ndb_rc rc = NDB_OK;
    size_t shared = 0;
    bool first = w->n % NDB_TERMDICT_BLOCK == 0;

    if (n == 0 || n > NDB_TERMDICT_MAX || ti->df == 0 || ti->cf < ti->df || ti->max_tf == 0 ||
        (ti->df == 1 && ti->cf != ti->max_tf) ||
        (w->n > 0 && termdict_cmp(w->last, w->last_len, t, n) >= 0)) {
        rc = NDB_EINVAL;
        goto out;
    }
    if (first) {
        if ((rc = ndb_buf_append_u64le(&w->index, w->blocks.n)) != NDB_OK)
            goto out;
        if ((rc = ndb_buf_append_varint(&w->blocks, ti->pos_off)) != NDB_OK)
            goto out;
        w->prev_end = ti->pos_off;
    } else {
        while (shared < n && shared < w->last_len && w->last[shared] == t[shared])
            shared++;
    }
    if (ti->pos_off < w->prev_end || ti->doc_off < ti->pos_off + ti->pos_len) {
        rc = NDB_EINVAL;
        goto out;
    }
    if ((rc = ndb_buf_append_varint(&w->blocks, shared)) != NDB_OK)
        goto out;
    if ((rc = ndb_buf_append_lp(&w->blocks, t + shared, n - shared)) != NDB_OK)
        goto out;
    rc = termdict_put_info(&w->blocks, ti, ti->pos_off - w->prev_end,
                           ti->doc_off - (ti->pos_off + ti->pos_len));
    if (rc != NDB_OK)
        goto out;
    w->prev_end = ti->doc_off + ti->doc_len;
    memcpy(w->last, t, n);
    w->last_len = n;
    w->n++;
out:
    return rc;
}

/* ------------------------------------------------------------ reader */

ndb_rc ndb_termdict_open(ndb_termdict *d, ndb_slice blocks, ndb_slice index, uint64_t nterms)
{
    uint64_t nb = (nterms + NDB_TERMDICT_BLOCK - 1) / NDB_TERMDICT_BLOCK, prev = 0;
    memset(d, 0, sizeof *d);
    if (index.n / 8 != nb || index.n % 8 != 0)
        return NDB_ECORRUPT;
    for (uint64_t k = 0; k < nb; k++) {
        uint64_t off = ndb_get_u64le(index.p + 8 * k);
        if ((k == 0 && off != 0) || (k > 0 && off <= prev) || off >= blocks.n)
            return NDB_ECORRUPT;
        prev = off;
    }
    d->blocks = blocks;
    d->index = index;
    d->n = nterms;
    d->nblocks = nb;
    return NDB_OK;
}

static size_t termdict_block_end(const ndb_termdict *d, uint64_t k)
{
    return k + 1 < d->nblocks ? (size_t)ndb_get_u64le(d->index.p + 8 * (k + 1)) : d->blocks.n;
}

static void termdict_load(ndb_termdict_iter *it, uint64_t k, uint64_t *base)
{
    const ndb_termdict *d = it->d;
    size_t off = (size_t)ndb_get_u64le(d->index.p + 8 * k);
    ndb_rd_init(&it->rd, d->blocks.p + off, termdict_block_end(d, k) - off, NDB_ECORRUPT);
    it->block = k;
    it->ord = k * NDB_TERMDICT_BLOCK;
    *base = 0;
    if (ndb_rd_varint(&it->rd, base))
        it->rd.end = it->rd.p; /* the next decode reports the corruption */
}

/* First term of block k, in place. */
static ndb_rc termdict_first(const ndb_termdict *d, uint64_t k, ndb_slice *t)
{
    ndb_rd r;
    uint64_t base, shared;
    size_t off = (size_t)ndb_get_u64le(d->index.p + 8 * k);
    ndb_rd_init(&r, d->blocks.p + off, termdict_block_end(d, k) - off, NDB_ECORRUPT);
    if (ndb_rd_varint(&r, &base) || ndb_rd_varint(&r, &shared) || shared != 0 || ndb_rd_lp(&r, t) ||
        t->n == 0 || t->n > NDB_TERMDICT_MAX)
        return NDB_ECORRUPT;
    return NDB_OK;
}

static ndb_rc termdict_read_info(ndb_rd *r, ndb_termdict_info *ti, uint64_t *prev_end)
{
    uint64_t v, cfx, mt = 0, dl, pg = 0, dg = 0;
    if (ndb_rd_varint(r, &v) || ndb_rd_varint(r, &cfx))
        return NDB_ECORRUPT;
    ti->df = v >> 1;
    if (ti->df == 0 || ti->df > UINT32_MAX || cfx > UINT64_MAX / 2)
        return NDB_ECORRUPT;
    if (ti->df > 1 && ndb_rd_varint(r, &mt))
        return NDB_ECORRUPT;
    if (ndb_rd_varint(r, &dl) || dl > UINT32_MAX)
        return NDB_ECORRUPT;
    if ((v & 1) && (ndb_rd_varint(r, &pg) || ndb_rd_varint(r, &dg)))
        return NDB_ECORRUPT;
    if (ndb_rd_varint(r, &ti->doc_len) || ndb_rd_varint(r, &ti->pos_len))
        return NDB_ECORRUPT;
    ti->cf = ti->df + cfx;
    if (ti->df == 1)
        mt = cfx; /* max_tf = cf = 1 + cfx */
    if (mt >= UINT32_MAX)
        return NDB_ECORRUPT;
    ti->max_tf = (uint32_t)mt + 1;
    ti->min_dl = (uint32_t)dl;
    /* offsets: bounded by 2^62 each so the sums cannot wrap */
    const uint64_t lim = (uint64_t)1 << 62;
    if (dg >= lim || pg >= lim || ti->doc_len >= lim || ti->pos_len >= lim || *prev_end >= lim)
        return NDB_ECORRUPT;
    ti->pos_off = *prev_end + pg;
    ti->doc_off = ti->pos_off + ti->pos_len + dg;
    if (ti->doc_off >= lim || ti->doc_off + ti->doc_len >= lim)
        return NDB_ECORRUPT;
    *prev_end = ti->doc_off + ti->doc_len;
    return NDB_OK;
}

/* Decode entry it->ord into it->term/info (it->len holds the previous term when have). */
static ndb_rc termdict_decode(ndb_termdict_iter *it)
{
    uint64_t shared;
    ndb_slice suf;
    if (it->ord % NDB_TERMDICT_BLOCK == 0)
        termdict_load(it, it->ord / NDB_TERMDICT_BLOCK, &it->prev_end);
    if (ndb_rd_varint(&it->rd, &shared) || ndb_rd_lp(&it->rd, &suf))
        return NDB_ECORRUPT;
    if ((it->ord % NDB_TERMDICT_BLOCK == 0 && shared != 0) || (!it->have && shared != 0) ||
        shared > it->len || suf.n == 0 || suf.n > NDB_TERMDICT_MAX - shared)
        return NDB_ECORRUPT;
    if (it->have) {
        size_t olen = it->len - (size_t)shared;
        int c = memcmp(suf.p, it->term + shared, NDB_MIN(suf.n, olen));
        if (c < 0 || (c == 0 && suf.n <= olen))
            return NDB_ECORRUPT;
    }
    memcpy(it->term + shared, suf.p, suf.n);
    it->len = (size_t)shared + suf.n;
    it->term[it->len] = 0;
    it->have = true;
    it->ord++;
    return termdict_read_info(&it->rd, &it->info, &it->prev_end);
}

ndb_rc ndb_termdict_iter_next(ndb_termdict_iter *it, bool *done)
{
    *done = false;
    if (it->pending) {
        it->pending = false;
        return NDB_OK;
    }
    if (it->ord >= it->d->n) {
        *done = true;
        return NDB_OK;
    }
    return termdict_decode(it);
}

ndb_rc ndb_termdict_iter_seek(ndb_termdict_iter *it, const ndb_termdict *d, const uint8_t *t,
                              size_t n)
{
    uint64_t lo = 0, hi = d->nblocks; /* find the last block whose first term <= t */
    ndb_slice f;
    ndb_rc rc = NDB_OK;
    bool done = false;

    memset(it, 0, sizeof *it);
    it->d = d;
    it->block = UINT64_MAX;
    if (d->nblocks == 0)
        goto out;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if ((rc = termdict_first(d, mid, &f)) != NDB_OK)
            goto out;
        if (termdict_cmp(f.p, f.n, t, n) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    it->ord = lo * NDB_TERMDICT_BLOCK;
    while ((rc = ndb_termdict_iter_next(it, &done)) == NDB_OK && !done) {
        if (termdict_cmp(it->term, it->len, t, n) >= 0) {
            it->pending = true;
            break;
        }
    }
out:
    return rc;
}

ndb_rc ndb_termdict_find(const ndb_termdict *d, const uint8_t *t, size_t n, ndb_termdict_info *ti)
{
    ndb_termdict_iter it;
    bool done = false;
    ndb_rc rc = ndb_termdict_iter_seek(&it, d, t, n);
    if (rc == NDB_OK)
        rc = ndb_termdict_iter_next(&it, &done);
    if (rc == NDB_OK && (done || termdict_cmp(it.term, it.len, t, n) != 0))
        rc = NDB_ENOTFOUND;
    if (rc == NDB_OK)
        *ti = it.info;
    return rc;
}
