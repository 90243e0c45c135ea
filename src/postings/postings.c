/*
** postings.c — encoder and cursor of the posting format described in postings.h.
**
** Encoder: one pass per block; full blocks go through the codec, the last short block
** through varints; skip entries and block bytes are built in scratch buffers and appended
** as "skip_len | skips | blocks" only when the list has more than one block.
**
** Cursor: forward-only. Two skip readers walk the (varint) skip entries: `dec` describes
** the block whose docs are decoded in docs[]/freqs[], `blk` is the block pointer of
** block_seek (never behind `dec`). A skip reader is a few words of state over the mapped
** bytes, so opening a cursor allocates one struct and never decodes a whole skip list.
** Positions of a block are decoded on the first positions() call in that block into a
** buffer grown on demand (amortised, no per-document allocation).
**
** Invariants:
**   1. dec.idx == PC_NONE before the first next/seek; dec.idx == nb once exhausted.
**   2. `decoded` is the index of the block in docs[] (PC_NONE when none).
**   3. blk.idx >= dec.idx whenever both are valid (pc_sync restores it).
** Every read of mapped bytes is bounded (ndb_rd, codec avail checks); a failure sets
** cursor->err = NDB_ECORRUPT and the cursor ends.
**
** Threading: a cursor belongs to one thread.
*/
#include "postings/postings.h"

#define PC_NONE SIZE_MAX
#define PC_N NDB_BLOCK_DOCS

/* ---------------------------------------------------------------- encoder */

void ndb_postings_enc_init(ndb_postings_enc *e, const ndb_codec *codec)
{
    e->codec = codec;
    ndb_buf_init(&e->skip, NDB_BUF_NOMAX);
    ndb_buf_init(&e->blocks, NDB_BUF_NOMAX);
    e->vals = NULL;
    e->vals_cap = 0;
}

void ndb_postings_enc_fini(ndb_postings_enc *e)
{
    ndb_buf_fini(&e->skip);
    ndb_buf_fini(&e->blocks);
    ndb_free(e->vals);
    e->vals = NULL;
    e->vals_cap = 0;
}

static ndb_rc postings_put_codec(ndb_postings_enc *e, ndb_buf *b, const uint32_t *vals)
{
    ndb_rc rc = ndb_buf_reserve(b, NDB_CODEC_MAX_BYTES);
    if (rc == NDB_OK)
        b->n += e->codec->encode_block(vals, b->p + b->n);
    return rc;
}

/* Positions of docs [lo, hi) as first-then-gaps values: 128-groups by codec, rest varint. */
static ndb_rc postings_put_pos(ndb_postings_enc *e, const uint32_t *freqs, const uint32_t *pos,
                               size_t lo, size_t hi, size_t pos_at, ndb_buf *posb)
{
    size_t total = 0, k = 0, g = 0;
    ndb_rc rc = NDB_OK;
    for (size_t i = lo; i < hi; i++)
        total += freqs[i];
    if (total > e->vals_cap) {
        uint32_t *nv = ndb_realloc(e->vals, total * sizeof(uint32_t));
        if (!nv)
            return NDB_ENOMEM;
        e->vals = nv;
        e->vals_cap = total;
    }
    for (size_t i = lo; i < hi; i++) {
        for (uint32_t j = 0; j < freqs[i]; j++, k++)
            e->vals[k] = j == 0 ? pos[pos_at + k] : pos[pos_at + k] - pos[pos_at + k - 1];
    }
    for (g = 0; g + PC_N <= total && rc == NDB_OK; g += PC_N)
        rc = postings_put_codec(e, posb, e->vals + g);
    for (; g < total && rc == NDB_OK; g++)
        rc = ndb_buf_append_varint(posb, e->vals[g]);
    return rc;
}

static ndb_rc postings_put_block(ndb_postings_enc *e, const uint32_t *docs,
                                 const uint32_t *freqs, size_t lo, size_t hi, uint32_t prev)
{
    uint32_t gaps[PC_N], fs[PC_N];
    ndb_rc rc = NDB_OK;
    if (hi - lo == PC_N) {
        for (size_t i = lo; i < hi; i++) {
            gaps[i - lo] = docs[i] - prev - 1; /* wraps to docs[i] for prev = -1 */
            fs[i - lo] = freqs[i] - 1;
            prev = docs[i];
        }
        if ((rc = postings_put_codec(e, &e->blocks, gaps)) == NDB_OK)
            rc = postings_put_codec(e, &e->blocks, fs);
        return rc;
    }
    for (size_t i = lo; i < hi && rc == NDB_OK; i++) {
        uint64_t gap = (uint32_t)(docs[i] - prev - 1);
        rc = ndb_buf_append_varint(&e->blocks, gap << 1 | (freqs[i] == 1));
        if (rc == NDB_OK && freqs[i] != 1)
            rc = ndb_buf_append_varint(&e->blocks, freqs[i] - 2);
        prev = docs[i];
    }
    return rc;
}

static ndb_rc postings_put_skip(ndb_postings_enc *e, uint64_t dlast, size_t doc_bytes,
                                size_t pos_bytes, uint32_t max_tf, uint32_t min_dl)
{
    ndb_rc rc = ndb_buf_append_varint(&e->skip, dlast);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(&e->skip, doc_bytes);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(&e->skip, pos_bytes);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(&e->skip, max_tf);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(&e->skip, min_dl);
    return rc;
}

ndb_rc ndb_postings_encode(ndb_postings_enc *e, const uint32_t *docs, const uint32_t *freqs,
                           const uint32_t *pos, const uint32_t *dls, size_t n, ndb_buf *doc,
                           ndb_buf *posb, ndb_postings_stats *st)
{
    ndb_rc rc = NDB_OK;
    size_t nb = (n + PC_N - 1) / PC_N, pos_at = 0;
    uint32_t prev = UINT32_MAX;
    int64_t prev_last = -1;

    memset(st, 0, sizeof *st);
    st->min_dl = UINT32_MAX;
    ndb_buf_reset(&e->skip);
    ndb_buf_reset(&e->blocks);
    if (n == 0 || n > UINT32_MAX) {
        rc = NDB_EINVAL;
        goto out;
    }
    for (size_t b = 0; b < nb && rc == NDB_OK; b++) {
        size_t lo = b * PC_N, hi = NDB_MIN(n, lo + PC_N), d0 = e->blocks.n, p0 = posb->n;
        uint32_t max_tf = 0, min_dl = UINT32_MAX;
        uint64_t bcf = 0;
        for (size_t i = lo; i < hi; i++) {
            max_tf = NDB_MAX(max_tf, freqs[i]);
            min_dl = NDB_MIN(min_dl, dls[i]);
            bcf += freqs[i];
        }
        if ((rc = postings_put_block(e, docs, freqs, lo, hi, prev)) != NDB_OK)
            break;
        if ((rc = postings_put_pos(e, freqs, pos, lo, hi, pos_at, posb)) != NDB_OK)
            break;
        pos_at += bcf;
        prev = docs[hi - 1];
        if (nb > 1)
            rc = postings_put_skip(e, (uint64_t)((int64_t)docs[hi - 1] - prev_last),
                                   e->blocks.n - d0, posb->n - p0, max_tf, min_dl);
        prev_last = docs[hi - 1];
        st->cf += bcf;
        st->max_tf = NDB_MAX(st->max_tf, max_tf);
        st->min_dl = NDB_MIN(st->min_dl, min_dl);
    }
    if (rc != NDB_OK)
        goto out;
    st->df = n;
    if (nb > 1) {
        if ((rc = ndb_buf_append_varint(doc, e->skip.n)) != NDB_OK)
            goto out;
        if ((rc = ndb_buf_append(doc, e->skip.p, e->skip.n)) != NDB_OK)
            goto out;
    }
    rc = ndb_buf_append(doc, e->blocks.p, e->blocks.n);
out:
    return rc;
}

/* ---------------------------------------------------------------- cursor */

typedef struct pc_skip {
    ndb_rd rd;            /* over the skip entries (nb > 1) */
    size_t idx;           /* block described, PC_NONE before the first */
    int64_t prev_last;    /* last doc of the block before (-1) */
    uint32_t last;        /* local last doc of this block */
    uint64_t doc_at, pos_at, doc_bytes, pos_bytes;
    uint32_t max_tf, min_dl;
} pc_skip;

typedef struct pc {
    ndb_cursor base;
    const ndb_codec *codec;
    uint32_t gbase, ndocs, one_last;
    const uint8_t *data, *pos;
    size_t data_len, pos_len, nb;
    bool want_pos, started;
    pc_skip dec, blk;
    size_t decoded, cnt, i;
    uint32_t docs[PC_N], freqs[PC_N];
    size_t pos_block;
    uint32_t *pbuf;
    size_t pcap;
    uint32_t poff[PC_N + 1];
} pc;

static uint32_t pc_fail(pc *c)
{
    c->base.err = NDB_ECORRUPT;
    c->base.doc = NDB_DOC_END;
    c->dec.idx = c->nb;
    c->blk.idx = c->nb;
    return NDB_DOC_END;
}

static uint32_t pc_end(pc *c)
{
    c->base.doc = NDB_DOC_END;
    c->dec.idx = c->nb;
    return NDB_DOC_END;
}

/* Move skip reader s to the next block; false at the end or on corruption (c->err). */
static bool pc_skip_next(pc *c, pc_skip *s)
{
    if (s->idx != PC_NONE && s->idx >= c->nb)
        return false;
    size_t next = s->idx == PC_NONE ? 0 : s->idx + 1;
    if (next >= c->nb) {
        s->idx = c->nb;
        return false;
    }
    if (s->idx != PC_NONE) {
        s->prev_last = s->last;
        s->doc_at += s->doc_bytes;
        s->pos_at += s->pos_bytes;
    }
    s->idx = next;
    if (c->nb == 1) {
        s->last = c->one_last;
        s->doc_bytes = c->data_len;
        s->pos_bytes = c->pos_len;
        s->max_tf = c->base.max_tf;
        s->min_dl = c->base.min_dl;
        return true;
    }
    uint64_t dl, mt, md;
    if (ndb_rd_varint(&s->rd, &dl) || ndb_rd_varint(&s->rd, &s->doc_bytes) ||
        ndb_rd_varint(&s->rd, &s->pos_bytes) || ndb_rd_varint(&s->rd, &mt) ||
        ndb_rd_varint(&s->rd, &md))
        goto bad;
    if (dl == 0 || dl > UINT32_MAX || mt == 0 || mt > UINT32_MAX || md > UINT32_MAX)
        goto bad;
    if ((uint64_t)(s->prev_last + 1) + dl - 1 >= c->ndocs)
        goto bad;
    if (s->doc_bytes > c->data_len - NDB_MIN(s->doc_at, c->data_len) ||
        s->pos_bytes > c->pos_len - NDB_MIN(s->pos_at, c->pos_len))
        goto bad;
    s->last = (uint32_t)(s->prev_last + (int64_t)dl);
    s->max_tf = (uint32_t)mt;
    s->min_dl = (uint32_t)md;
    return true;
bad:
    pc_fail(c);
    return false;
}

static bool pc_decode_tail(pc *c, ndb_rd *r, size_t cnt)
{
    int64_t prev = c->dec.prev_last;
    for (size_t i = 0; i < cnt; i++) {
        uint64_t v, f = 0;
        if (ndb_rd_varint(r, &v))
            return false;
        if (!(v & 1) && (ndb_rd_varint(r, &f) || f > UINT32_MAX - 2))
            return false;
        int64_t d = prev + 1 + (int64_t)(v >> 1);
        if ((v >> 1) >= c->ndocs || d >= (int64_t)c->ndocs)
            return false;
        c->docs[i] = (uint32_t)d;
        c->freqs[i] = (v & 1) ? 1 : (uint32_t)f + 2;
        prev = d;
    }
    return true;
}

static bool pc_decode_full(pc *c, ndb_rd *r)
{
    uint32_t gaps[PC_N];
    size_t u = c->codec->decode_block(r->p, ndb_rd_left(r), gaps);
    if (u == 0)
        return false;
    r->p += u;
    u = c->codec->decode_block(r->p, ndb_rd_left(r), c->freqs);
    if (u == 0)
        return false;
    r->p += u;
    int64_t prev = c->dec.prev_last;
    for (size_t i = 0; i < PC_N; i++) {
        int64_t d = prev + 1 + (int64_t)gaps[i];
        if (d >= (int64_t)c->ndocs || c->freqs[i] == UINT32_MAX)
            return false;
        c->docs[i] = (uint32_t)d;
        c->freqs[i] += 1;
        prev = d;
    }
    return true;
}

/* Decode the docs of block dec.idx. */
static bool pc_decode(pc *c)
{
    ndb_rd r;
    size_t idx = c->dec.idx;
    size_t cnt = (idx + 1 < c->nb) ? PC_N : (size_t)(c->base.df - (uint64_t)idx * PC_N);
    ndb_rd_init(&r, c->data + c->dec.doc_at, c->dec.doc_bytes, NDB_ECORRUPT);
    bool ok = cnt == PC_N ? pc_decode_full(c, &r) : pc_decode_tail(c, &r, cnt);
    if (!ok || ndb_rd_left(&r) != 0 || c->docs[cnt - 1] != c->dec.last) {
        pc_fail(c);
        return false;
    }
    c->decoded = idx;
    c->cnt = cnt;
    c->i = 0;
    return true;
}

/* Make blk describe max(blk, dec). */
static void pc_sync(pc *c)
{
    if (c->dec.idx != PC_NONE && (c->blk.idx == PC_NONE || c->blk.idx < c->dec.idx))
        c->blk = c->dec;
}

static uint32_t pc_cur(pc *c)
{
    c->base.doc = c->gbase + c->docs[c->i];
    return c->base.doc;
}

static uint32_t pc_next(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    if (c->dec.idx != PC_NONE && c->dec.idx >= c->nb)
        return NDB_DOC_END;
    if (c->dec.idx != PC_NONE && c->decoded == c->dec.idx && c->i + 1 < c->cnt) {
        c->i++;
        return pc_cur(c);
    }
    if (c->dec.idx == PC_NONE || c->decoded == c->dec.idx) {
        if (!pc_skip_next(c, &c->dec))
            return c->base.err ? NDB_DOC_END : pc_end(c);
    }
    if (!pc_decode(c))
        return NDB_DOC_END;
    return pc_cur(c);
}

static uint32_t pc_seek_geq(ndb_cursor *cc, uint32_t target)
{
    pc *c = (pc *)cc;
    uint32_t t = target < c->gbase ? 0 : target - c->gbase;
    if (c->dec.idx != PC_NONE && c->dec.idx >= c->nb)
        return NDB_DOC_END;
    if (c->dec.idx != PC_NONE && c->decoded == c->dec.idx && c->docs[c->i] >= t)
        return pc_cur(c);
    if (t >= c->ndocs)
        return pc_end(c);
    if (c->dec.idx == PC_NONE && !pc_skip_next(c, &c->dec))
        return c->base.err ? NDB_DOC_END : pc_end(c);
    while (c->dec.last < t) {
        if (!pc_skip_next(c, &c->dec))
            return c->base.err ? NDB_DOC_END : pc_end(c);
    }
    size_t from = 0;
    if (c->decoded == c->dec.idx)
        from = c->i;
    else if (!pc_decode(c))
        return NDB_DOC_END;
    while (from < c->cnt && c->docs[from] < t)
        from++;
    c->i = from; /* from < cnt: the block's last doc is >= t */
    return pc_cur(c);
}

static uint32_t pc_freq(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    if (c->dec.idx == PC_NONE || c->dec.idx >= c->nb || c->decoded != c->dec.idx)
        return 0;
    return c->freqs[c->i];
}

static ndb_rc pc_decode_pos(pc *c)
{
    uint64_t total = 0;
    for (size_t i = 0; i < c->cnt; i++) {
        c->poff[i] = (uint32_t)total;
        total += c->freqs[i];
        if (total > UINT32_MAX)
            return NDB_ECORRUPT;
    }
    c->poff[c->cnt] = (uint32_t)total;
    if (total / PC_N > c->dec.pos_bytes)
        return NDB_ECORRUPT; /* every value costs >= 1/128 byte */
    if (total > c->pcap) {
        uint32_t *nb = ndb_realloc(c->pbuf, (size_t)total * sizeof(uint32_t));
        if (!nb)
            return NDB_ENOMEM;
        c->pbuf = nb;
        c->pcap = (size_t)total;
    }
    ndb_rd r;
    ndb_rd_init(&r, c->pos + c->dec.pos_at, c->dec.pos_bytes, NDB_ECORRUPT);
    size_t g = 0;
    for (; g + PC_N <= total; g += PC_N) {
        size_t u = c->codec->decode_block(r.p, ndb_rd_left(&r), c->pbuf + g);
        if (u == 0)
            return NDB_ECORRUPT;
        r.p += u;
    }
    for (; g < total; g++) {
        if (ndb_rd_varint32(&r, &c->pbuf[g]))
            return NDB_ECORRUPT;
    }
    if (ndb_rd_left(&r) != 0)
        return NDB_ECORRUPT;
    for (size_t i = 0; i < c->cnt; i++) {
        uint64_t p = 0;
        for (uint32_t k = c->poff[i]; k < c->poff[i + 1]; k++) {
            p = (k == c->poff[i]) ? c->pbuf[k] : p + c->pbuf[k];
            if (p > UINT32_MAX)
                return NDB_ECORRUPT;
            c->pbuf[k] = (uint32_t)p;
        }
    }
    c->pos_block = c->dec.idx;
    return NDB_OK;
}

static ndb_rc pc_positions(ndb_cursor *cc, const uint32_t **pos, uint32_t *n)
{
    pc *c = (pc *)cc;
    *pos = NULL;
    *n = 0;
    if (!c->want_pos || c->dec.idx == PC_NONE || c->dec.idx >= c->nb ||
        c->decoded != c->dec.idx)
        return NDB_EINVAL;
    if (c->pos_block != c->dec.idx) {
        ndb_rc rc = pc_decode_pos(c);
        if (rc != NDB_OK) {
            if (rc == NDB_ECORRUPT)
                pc_fail(c);
            return rc;
        }
    }
    *pos = c->pbuf + c->poff[c->i];
    *n = c->poff[c->i + 1] - c->poff[c->i];
    return NDB_OK;
}

static uint32_t pc_block_seek(ndb_cursor *cc, uint32_t target)
{
    pc *c = (pc *)cc;
    uint32_t t = target < c->gbase ? 0 : target - c->gbase;
    pc_sync(c);
    if (c->blk.idx == PC_NONE && !pc_skip_next(c, &c->blk))
        return NDB_DOC_END;
    if (c->blk.idx >= c->nb)
        return NDB_DOC_END;
    while (c->blk.last < t) {
        if (!pc_skip_next(c, &c->blk))
            return NDB_DOC_END;
    }
    return c->gbase + c->blk.last;
}

static uint32_t pc_block_max_tf(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    pc_sync(c);
    if (c->blk.idx == PC_NONE)
        return c->base.max_tf;
    return c->blk.idx < c->nb ? c->blk.max_tf : 0;
}

static uint32_t pc_block_min_dl(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    pc_sync(c);
    if (c->blk.idx == PC_NONE)
        return c->base.min_dl;
    return c->blk.idx < c->nb ? c->blk.min_dl : UINT32_MAX;
}

static void pc_close(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    ndb_free(c->pbuf);
    ndb_free(c);
}

static const ndb_cursor_ops pc_ops = {
    .next = pc_next,
    .seek_geq = pc_seek_geq,
    .freq = pc_freq,
    .positions = pc_positions,
    .block_seek = pc_block_seek,
    .block_max_tf = pc_block_max_tf,
    .block_min_dl = pc_block_min_dl,
    .close = pc_close,
};

/* Set up the skip region (nb > 1) or decode the only block (nb == 1). */
static ndb_rc pc_setup(pc *c, const ndb_postings_src *src)
{
    ndb_rd r;
    ndb_rd_init(&r, src->doc, src->doc_len, NDB_ECORRUPT);
    c->dec.idx = c->blk.idx = PC_NONE;
    c->dec.prev_last = -1;
    if (c->nb > 1) {
        uint64_t skip_len;
        if (ndb_rd_varint(&r, &skip_len) || skip_len > ndb_rd_left(&r) ||
            skip_len < 5 * (uint64_t)c->nb)
            return NDB_ECORRUPT;
        ndb_rd_init(&c->dec.rd, r.p, (size_t)skip_len, NDB_ECORRUPT);
        c->data = r.p + skip_len;
        c->data_len = ndb_rd_left(&r) - (size_t)skip_len;
        c->blk = c->dec;
        return NDB_OK;
    }
    c->data = src->doc;
    c->data_len = src->doc_len;
    /* decode the single block once to learn its last doc, then rewind */
    c->dec.idx = 0;
    c->dec.doc_bytes = c->data_len;
    c->dec.last = UINT32_MAX;
    ndb_rd_init(&r, c->data, c->data_len, NDB_ECORRUPT);
    size_t cnt = (size_t)c->base.df;
    bool ok = cnt == PC_N ? pc_decode_full(c, &r) : pc_decode_tail(c, &r, cnt);
    if (!ok || ndb_rd_left(&r) != 0)
        return NDB_ECORRUPT;
    c->one_last = c->docs[cnt - 1];
    c->dec.idx = PC_NONE;
    c->dec.doc_bytes = 0;
    c->blk = c->dec;
    return NDB_OK;
}

ndb_rc ndb_postings_cursor_new(const ndb_postings_src *src, bool positions, ndb_cursor **out)
{
    ndb_rc rc = NDB_OK;
    pc *c = NULL;

    *out = NULL;
    if (!src->codec || src->df == 0 || src->df > src->ndocs || src->max_tf == 0) {
        rc = NDB_ECORRUPT;
        goto out;
    }
    c = ndb_calloc(1, sizeof *c);
    if (!c) {
        rc = NDB_ENOMEM;
        goto out;
    }
    c->base.ops = &pc_ops;
    c->base.df = src->df;
    c->base.max_tf = src->max_tf;
    c->base.min_dl = src->min_dl;
    c->codec = src->codec;
    c->gbase = src->base;
    c->ndocs = src->ndocs;
    c->pos = src->pos;
    c->pos_len = src->pos_len;
    c->nb = (size_t)((src->df + PC_N - 1) / PC_N);
    c->want_pos = positions;
    c->decoded = PC_NONE;
    c->pos_block = PC_NONE;
    if ((rc = pc_setup(c, src)) != NDB_OK)
        goto out;
    *out = &c->base;
    c = NULL;
out:
    if (c)
        pc_close(&c->base);
    return rc;
}
