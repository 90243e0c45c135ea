/*
** postings.c — encoder and cursor of the posting format described in postings.h.
**
** Encoder: docs are buffered until a block of 128 is complete, then the block goes out:
** doc gaps and freqs through the codec (the last short block through varints), its
** positions chunk to e->pos, its skip entry to e->skip. Finish appends
** "skip_len | skips | blocks" (just "blocks" when the list has one block).
**
** Cursor: forward-only. Two skip readers walk the (varint) skip entries: `dec` describes
** the block whose docs are decoded in docs[]/freqs[], `blk` is the block pointer of
** block_seek (never behind `dec`). A skip reader is a few words of state over the mapped
** bytes, so opening a cursor allocates one struct and never decodes a whole skip list.
** Freqs of a full block are decoded lazily too (on the first freq()/positions() in the
** block; the codec's skip_block steps over them), so counts and the doc-only leapfrog of
** an AND never unpack them. Positions are decoded lazily: the first positions() call in a block computes each doc's
** value offsets from the freqs; a doc's call then decodes only the 128-value groups that
** hold its values (jumping over earlier groups with codec->skip_block, which reads headers
** only) and prefix-sums its values once. A phrase led by a rare word thus never decodes
** most of a frequent word's positions. Buffers grow on demand (no per-doc allocation).
** `bulk` lends the decoded docs[]/freqs[] of the current block to a scoring loop (one call
** per block instead of next() + freq() per posting).
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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define PC_NONE SIZE_MAX
#define PC_N    NDB_BLOCK_DOCS

/* ---------------------------------------------------------------- encoder */

void ndb_postings_enc_init(ndb_postings_enc *e, const ndb_codec *codec)
{
    memset(e, 0, sizeof *e);
    e->codec = codec;
    ndb_buf_init(&e->skip, NDB_BUF_NOMAX);
    ndb_buf_init(&e->blocks, NDB_BUF_NOMAX);
    ndb_buf_init(&e->pos, NDB_BUF_NOMAX);
    ndb_postings_enc_begin(e);
}

void ndb_postings_enc_fini(ndb_postings_enc *e)
{
    ndb_buf_fini(&e->skip);
    ndb_buf_fini(&e->blocks);
    ndb_buf_fini(&e->pos);
    ndb_free(e->vals);
    ndb_free(e->sk);
    e->vals = NULL;
    e->sk = NULL;
    e->vals_cap = e->sk_cap = 0;
}

void ndb_postings_enc_begin(ndb_postings_enc *e)
{
    ndb_buf_reset(&e->skip);
    ndb_buf_reset(&e->blocks);
    e->nvals = e->cnt = e->nblocks = 0;
    e->last_doc = e->prev_last = -1;
    memset(&e->st, 0, sizeof e->st);
    e->st.min_dl = UINT32_MAX;
}

static ndb_rc postings_put_codec(ndb_postings_enc *e, ndb_buf *b, const uint32_t *vals)
{
    ndb_rc rc = ndb_buf_reserve(b, NDB_CODEC_MAX_BYTES);
    if (rc == NDB_OK)
        b->n += e->codec->encode_block(vals, b->p + b->n);
    return rc;
}

/* Bit writer of the v2 positions: LSB first into bytes reserved up front. */
typedef struct postings_bw {
    uint8_t *o;
    uint64_t acc;
    unsigned have;
} postings_bw;

static inline void postings_bw_put(postings_bw *w, uint64_t v, unsigned k)
{
    if (k > 32) { /* up to 64 bits: in two parts, so acc (< 8 bits held) never overflows */
        postings_bw_put(w, v & 0xffffu, 16);
        v >>= 16;
        k -= 16;
    }
    w->acc |= v << w->have;
    w->have += k;
    while (w->have >= 8) {
        *w->o++ = (uint8_t)w->acc;
        w->acc >>= 8;
        w->have -= 8;
    }
}

/* Width of a v2 jump table entry for a block of nvals position values: the body takes at
** most 34 bits a value. */
static inline unsigned postings_jump_width(uint64_t nvals)
{
    return 64u - (unsigned)__builtin_clzll(34 * nvals + 1);
}

/* Docs between two v2 jump table entries of a block of 128 docs with nvals values: the
** largest power of two <= 128 * NDB_POS_JUMP_VALUES / nvals, within [1, 64], so that about
** NDB_POS_JUMP_VALUES values or fewer lie between two entries (or one doc's). */
static inline size_t postings_jump_step(uint64_t nvals)
{
    uint64_t s = (uint64_t)NDB_BLOCK_DOCS * NDB_POS_JUMP_VALUES / (nvals ? nvals : 1);
    if (s >= NDB_BLOCK_DOCS / 2)
        return NDB_BLOCK_DOCS / 2;
    if (s <= 1)
        return 1;
    return (size_t)1 << (63 - __builtin_clzll(s));
}

/* Bits of x in [0, n) in truncated binary. */
static inline uint64_t postings_tb_len(uint64_t x, uint64_t n)
{
    if (n <= 1)
        return 0;
    unsigned m = 63u - (unsigned)__builtin_clzll(n);
    return m + (x >= (2ull << m) - n);
}

/* x in [0, n), n >= 1, in truncated binary (postings.h). */
static inline void postings_bw_tb(postings_bw *w, uint64_t x, uint64_t n)
{
    if (n <= 1)
        return;
    unsigned m = 63u - (unsigned)__builtin_clzll(n);
    uint64_t u = (2ull << m) - n;
    if (x < u) {
        postings_bw_put(w, x, m);
    } else {
        postings_bw_put(w, u + ((x - u) >> 1), m);
        postings_bw_put(w, (x - u) & 1u, 1);
    }
}

/* The pending block's positions in the v2 format: slack, then per doc bounded by dl. */
static ndb_rc postings_put_pos_dl(ndb_postings_enc *e)
{
    uint64_t slack = 0;
    size_t at = 0, bytes;
    for (size_t i = 0; i < e->cnt; i++) {
        uint64_t p = 0;
        for (uint32_t j = 0; j < e->freqs[i]; j++)
            p += e->vals[at + j]; /* the last position */
        at += e->freqs[i];
        if (p + 1 > e->dls[i])
            slack = NDB_MAX(slack, p + 1 - e->dls[i]);
    }
    /* every value takes at most 34 bits; the slack 34 */
    if (ndb_size_mul(e->nvals + 1, 34, &bytes) != NDB_OK)
        return NDB_ELIMIT;
    ndb_rc rc = ndb_buf_reserve(&e->pos, bytes / 8 + 8);
    if (rc != NDB_OK)
        return rc;
    postings_bw w = {e->pos.p + e->pos.n, 0, 0};
    postings_bw_put(&w, slack != 0, 1);
    if (slack != 0)
        postings_bw_put(&w, slack, 33);
    if (e->cnt == PC_N) {
        /* the jump table: where docs step, 2 step, ... start, in bits from the body's start */
        uint64_t bits = 0;
        unsigned width = postings_jump_width(e->nvals);
        size_t step = postings_jump_step(e->nvals);
        at = 0;
        for (size_t i = 0; i < e->cnt; i++) {
            uint64_t lim = (uint64_t)e->dls[i] + slack, prev = 0;
            if (i > 0 && i % step == 0)
                postings_bw_put(&w, bits, width);
            for (uint32_t j = 0; j < e->freqs[i]; j++) {
                uint64_t v = e->vals[at + j];
                bits += j == 0 ? postings_tb_len(v, lim) : postings_tb_len(v - 1, lim - prev - 1);
                prev = j == 0 ? v : prev + v;
            }
            at += e->freqs[i];
        }
    }
    at = 0;
    for (size_t i = 0; i < e->cnt; i++) {
        uint64_t lim = (uint64_t)e->dls[i] + slack, prev = 0;
        for (uint32_t j = 0; j < e->freqs[i]; j++) {
            uint64_t v = e->vals[at + j]; /* p0, then p_j - p_{j-1} */
            if (j == 0)
                postings_bw_tb(&w, v, lim);
            else
                postings_bw_tb(&w, v - 1, lim - prev - 1);
            prev = j == 0 ? v : prev + v;
        }
        at += e->freqs[i];
    }
    if (w.have > 0)
        *w.o++ = (uint8_t)w.acc;
    e->pos.n = (size_t)(w.o - e->pos.p);
    return NDB_OK;
}

/* vals[0..n) in 128-groups by codec, then the rest as one partial PFOR2 group. */
static ndb_rc postings_put_groups2(ndb_postings_enc *e, const uint32_t *vals, size_t n)
{
    ndb_rc rc = NDB_OK;
    size_t g = 0;
    for (; g + PC_N <= n && rc == NDB_OK; g += PC_N)
        rc = postings_put_codec(e, &e->pos, vals + g);
    if (g < n && rc == NDB_OK && (rc = ndb_buf_reserve(&e->pos, NDB_CODEC_MAX_BYTES)) == NDB_OK)
        e->pos.n += ndb_pfor2_encode_n(vals + g, n - g, e->pos.p + e->pos.n);
    return rc;
}

/* RADIX: bits of the doc-length bound u (>= 1) of one first position, or of a product. */
static inline unsigned postings_radix_bits(uint64_t u)
{
    return u <= 1 ? 0u : 64u - (unsigned)__builtin_clzll(u - 1);
}

/* RADIX: head bits of a triple of first positions with bounds u[0..m) (postings.h): one
** number of bits(prod - 1) bits when every bound is below NDB_POS_RADIX_MAX (*prod their
** product), else each value at its own width (*prod = 0). Encoder and cursor both. */
static inline unsigned postings_radix_triple(const uint64_t *u, size_t m, uint64_t *prod)
{
    uint64_t p = 1;
    unsigned bits = 0;
    for (size_t k = 0; k < m; k++) {
        p = p && u[k] < NDB_POS_RADIX_MAX ? p * u[k] : 0;
        bits += postings_radix_bits(u[k]);
    }
    *prod = p;
    return p ? postings_radix_bits(p) : bits;
}

/* The pending block's positions in the RADIX format (postings.h): the in-doc gaps minus one
** in groups, then the head (slack flag, slack, first positions in mixed-radix triples),
** written forward into a scratch buffer and appended byte-reversed. */
static ndb_rc postings_put_pos_radix(ndb_postings_enc *e)
{
    uint64_t slack = 0;
    size_t at = 0, ng = 0, bytes;
    uint32_t first[PC_N];
    ndb_rc rc;
    for (size_t i = 0; i < e->cnt; i++) {
        uint64_t p = first[i] = e->vals[at]; /* writes below land before vals[at] */
        for (uint32_t j = 1; j < e->freqs[i]; j++) {
            p += e->vals[at + j];
            e->vals[ng++] = e->vals[at + j] - 1; /* the gaps, in place: p_j - p_{j-1} - 1 */
        }
        at += e->freqs[i];
        if (p + 1 > e->dls[i])
            slack = NDB_MAX(slack, p + 1 - e->dls[i]);
    }
    if ((rc = postings_put_groups2(e, e->vals, ng)) != NDB_OK)
        return rc;
    /* head: 1 + 33 bits, then at most 64 bits per doc */
    if (ndb_size_mul(e->cnt + 1, 8, &bytes) != NDB_OK ||
        (rc = ndb_buf_reserve(&e->pos, bytes + 16)) != NDB_OK)
        return rc ? rc : NDB_ELIMIT;
    uint8_t head[8 * (PC_N + 2)];
    postings_bw w = {head, 0, 0};
    postings_bw_put(&w, slack != 0, 1);
    if (slack != 0)
        postings_bw_put(&w, slack, 33);
    for (size_t t = 0; t < e->cnt; t += 3) {
        size_t m = NDB_MIN(3, e->cnt - t);
        uint64_t u[3], x = 0, prod;
        for (size_t k = 0; k < m; k++)
            u[k] = (uint64_t)e->dls[t + k] + slack;
        unsigned bits = postings_radix_triple(u, m, &prod);
        if (prod) {
            for (size_t k = m; k-- > 0;)
                x = x * u[k] + first[t + k];
            postings_bw_put(&w, x, bits);
        } else {
            for (size_t k = 0; k < m; k++)
                postings_bw_put(&w, first[t + k], postings_radix_bits(u[k]));
        }
    }
    if (w.have > 0)
        *w.o++ = (uint8_t)w.acc;
    for (uint8_t *h = w.o; h > head;) /* reversed: head byte j at chunk end - 1 - j */
        e->pos.p[e->pos.n++] = *--h;
    return NDB_OK;
}

/* The pending block's positions: 128-groups by codec, the rest varint (v1) or one partial
** PFOR2 group (GROUPS2), or v2, or RADIX. */
static ndb_rc postings_put_pos(ndb_postings_enc *e)
{
    ndb_rc rc = NDB_OK;
    size_t g = 0;
    if (e->pos_fmt == NDB_POS_DLBOUND)
        return postings_put_pos_dl(e);
    if (e->pos_fmt == NDB_POS_RADIX)
        return postings_put_pos_radix(e);
    if (e->pos_fmt == NDB_POS_GROUPS2)
        return postings_put_groups2(e, e->vals, e->nvals);
    for (; g + PC_N <= e->nvals && rc == NDB_OK; g += PC_N)
        rc = postings_put_codec(e, &e->pos, e->vals + g);
    for (; g < e->nvals && rc == NDB_OK; g++)
        rc = ndb_buf_append_varint(&e->pos, e->vals[g]);
    return rc;
}

static ndb_rc postings_put_block(ndb_postings_enc *e)
{
    uint32_t gaps[PC_N], fs[PC_N], prev = (uint32_t)e->prev_last; /* -1 wraps */
    ndb_rc rc = NDB_OK;
    if (e->cnt == PC_N) {
        for (size_t i = 0; i < PC_N; i++) {
            gaps[i] = e->docs[i] - prev - 1;
            fs[i] = e->freqs[i] - 1;
            prev = e->docs[i];
        }
        if ((rc = postings_put_codec(e, &e->blocks, gaps)) == NDB_OK)
            rc = postings_put_codec(e, &e->blocks, fs);
        return rc;
    }
    for (size_t i = 0; i < e->cnt && rc == NDB_OK; i++) {
        uint64_t gap = (uint32_t)(e->docs[i] - prev - 1);
        rc = ndb_buf_append_varint(&e->blocks, gap << 1 | (e->freqs[i] == 1));
        if (rc == NDB_OK && e->freqs[i] != 1)
            rc = ndb_buf_append_varint(&e->blocks, e->freqs[i] - 2);
        prev = e->docs[i];
    }
    return rc;
}

static ndb_rc postings_flush(ndb_postings_enc *e)
{
    size_t d0 = e->blocks.n, p0 = e->pos.n;
    uint32_t max_tf = 0, min_dl = UINT32_MAX, min_dlr = UINT32_MAX, last = e->docs[e->cnt - 1];
    ndb_rc rc;
    for (size_t i = 0; i < e->cnt; i++) {
        max_tf = NDB_MAX(max_tf, e->freqs[i]);
        min_dl = NDB_MIN(min_dl, e->dls[i]);
        min_dlr = NDB_MIN(min_dlr, e->freqs[i] == 1 ? e->dls[i] : e->dls[i] / e->freqs[i]);
    }
    uint32_t sk_dl = e->skip_ratio ? min_dlr : min_dl; /* the entry's fifth field */
    if ((rc = postings_put_block(e)) != NDB_OK || (rc = postings_put_pos(e)) != NDB_OK)
        return rc;
    if (e->skip_packed) { /* fields kept until finish, which packs them (postings.h) */
        uint64_t f[NDB_SKIP_FIELDS] = {(uint64_t)((int64_t)last - e->prev_last) - e->cnt,
                                       e->blocks.n - d0, e->pos.n - p0, max_tf, sk_dl};
        if (e->nblocks == e->sk_cap) {
            size_t cap = e->sk_cap ? 2 * e->sk_cap : 64;
            uint32_t *ns = ndb_realloc(e->sk, cap * NDB_SKIP_FIELDS * sizeof(uint32_t));
            if (!ns)
                return NDB_ENOMEM;
            e->sk = ns;
            e->sk_cap = cap;
        }
        for (size_t k = 0; k < NDB_SKIP_FIELDS; k++) {
            if (f[k] > UINT32_MAX)
                return NDB_ELIMIT;
            e->sk[e->nblocks * NDB_SKIP_FIELDS + k] = (uint32_t)f[k];
        }
    } else {
        rc = ndb_buf_append_varint(&e->skip, (uint64_t)((int64_t)last - e->prev_last));
        if (rc == NDB_OK)
            rc = ndb_buf_append_varint(&e->skip, e->blocks.n - d0);
        if (rc == NDB_OK)
            rc = ndb_buf_append_varint(&e->skip, e->pos.n - p0);
        if (rc == NDB_OK)
            rc = ndb_buf_append_varint(&e->skip, max_tf);
        if (rc == NDB_OK)
            rc = ndb_buf_append_varint(&e->skip, sk_dl);
    }
    e->st.max_tf = NDB_MAX(e->st.max_tf, max_tf);
    e->st.min_dl = NDB_MIN(e->st.min_dl, min_dl);
    e->prev_last = last;
    e->cnt = e->nvals = 0;
    e->nblocks++;
    return rc;
}

ndb_rc ndb_postings_enc_add(ndb_postings_enc *e, uint32_t doc, uint32_t freq, const uint32_t *pos,
                            uint32_t dl)
{
    size_t need;
    if ((int64_t)doc <= e->last_doc || doc == NDB_DOC_END || freq == 0)
        return NDB_EINVAL;
    for (uint32_t j = 1; j < freq; j++)
        if (pos[j] <= pos[j - 1])
            return NDB_EINVAL;
    if (ndb_size_add(e->nvals, freq, &need) != NDB_OK)
        return NDB_ELIMIT;
    if (need > e->vals_cap) {
        size_t cap = NDB_MAX(need, 2 * e->vals_cap);
        uint32_t *nv = ndb_realloc(e->vals, cap * sizeof(uint32_t));
        if (!nv)
            return NDB_ENOMEM;
        e->vals = nv;
        e->vals_cap = cap;
    }
    for (uint32_t j = 0; j < freq; j++)
        e->vals[e->nvals + j] = j == 0 ? pos[0] : pos[j] - pos[j - 1];
    e->nvals = need;
    e->docs[e->cnt] = doc;
    e->freqs[e->cnt] = freq;
    e->dls[e->cnt] = dl;
    e->cnt++;
    e->last_doc = doc;
    e->st.df++;
    e->st.cf += freq;
    return e->cnt == PC_N ? postings_flush(e) : NDB_OK;
}

/* Packed skip entries (postings.h): per field its smallest value (varint) and the width of
** the largest minus it (a byte), then each entry's fields, minus their bases, bit-packed. */
static ndb_rc postings_pack_skips(ndb_postings_enc *e)
{
    uint32_t base[NDB_SKIP_FIELDS], width[NDB_SKIP_FIELDS], wsum = 0;
    ndb_rc rc = NDB_OK;
    size_t bytes;
    ndb_buf_reset(&e->skip);
    for (size_t k = 0; k < NDB_SKIP_FIELDS; k++) {
        uint32_t lo = UINT32_MAX, hi = 0;
        for (size_t b = 0; b < e->nblocks; b++) {
            lo = NDB_MIN(lo, e->sk[b * NDB_SKIP_FIELDS + k]);
            hi = NDB_MAX(hi, e->sk[b * NDB_SKIP_FIELDS + k]);
        }
        base[k] = lo;
        width[k] = postings_radix_bits((uint64_t)(hi - lo) + 1);
        wsum += width[k];
        if (rc == NDB_OK)
            rc = ndb_buf_append_varint(&e->skip, lo);
        if (rc == NDB_OK)
            rc = ndb_buf_append(&e->skip, &(uint8_t){(uint8_t)width[k]}, 1);
    }
    if (rc != NDB_OK)
        return rc;
    if (ndb_size_mul(e->nblocks, wsum, &bytes) != NDB_OK ||
        (rc = ndb_buf_reserve(&e->skip, bytes / 8 + 16)) != NDB_OK)
        return rc ? rc : NDB_ELIMIT;
    postings_bw w = {e->skip.p + e->skip.n, 0, 0};
    for (size_t b = 0; b < e->nblocks; b++)
        for (size_t k = 0; k < NDB_SKIP_FIELDS; k++)
            postings_bw_put(&w, e->sk[b * NDB_SKIP_FIELDS + k] - base[k], width[k]);
    if (w.have > 0)
        *w.o++ = (uint8_t)w.acc;
    e->skip.n = (size_t)(w.o - e->skip.p);
    return NDB_OK;
}

ndb_rc ndb_postings_enc_finish(ndb_postings_enc *e, ndb_buf *doc, ndb_postings_stats *st)
{
    ndb_rc rc = NDB_OK;
    if (e->st.df == 0)
        return NDB_EINVAL;
    if (e->cnt > 0 && (rc = postings_flush(e)) != NDB_OK)
        return rc;
    if (e->nblocks > 1) {
        if (e->skip_packed && (rc = postings_pack_skips(e)) != NDB_OK)
            return rc;
        if ((rc = ndb_buf_append_varint(doc, e->skip.n)) != NDB_OK)
            return rc;
        if ((rc = ndb_buf_append(doc, e->skip.p, e->skip.n)) != NDB_OK)
            return rc;
    }
    if ((rc = ndb_buf_append(doc, e->blocks.p, e->blocks.n)) != NDB_OK)
        return rc;
    *st = e->st;
    ndb_postings_enc_begin(e);
    return NDB_OK;
}

ndb_rc ndb_postings_encode(ndb_postings_enc *e, const uint32_t *docs, const uint32_t *freqs,
                           const uint32_t *pos, const uint32_t *dls, size_t n, ndb_buf *doc,
                           ndb_buf *posb, ndb_postings_stats *st)
{
    ndb_rc rc = NDB_OK;
    size_t at = 0;
    ndb_postings_enc_begin(e);
    ndb_buf_reset(&e->pos);
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        rc = ndb_postings_enc_add(e, docs[i], freqs[i], pos + at, dls[i]);
        at += freqs[i];
    }
    if (rc == NDB_OK)
        rc = ndb_postings_enc_finish(e, doc, st);
    if (rc == NDB_OK)
        rc = ndb_buf_append(posb, e->pos.p, e->pos.n);
    ndb_buf_reset(&e->pos);
    return rc;
}

/* ---------------------------------------------------------------- cursor */

typedef struct pc_skip {
    ndb_rd rd;         /* over the skip entries (nb > 1) */
    size_t idx;        /* block described, PC_NONE before the first */
    int64_t prev_last; /* last doc of the block before (-1) */
    uint32_t last;     /* local last doc of this block */
    uint64_t doc_at, pos_at, doc_bytes, pos_bytes;
    uint32_t max_tf, dl_field; /* the entry's fifth field: min_dl, or min_dlr (skip_ratio);
                                ** nb > 1 only (pc_block_min_dlr) */
} pc_skip;

/* v2 bit reader over [p, end) (pc_br_fill). */
typedef struct pc_br {
    const uint8_t *p, *end;
    uint64_t acc;
    unsigned have;
} pc_br;

typedef struct pc {
    ndb_cursor base;
    const ndb_codec *codec;
    uint32_t gbase, ndocs, one_last;
    const uint8_t *data, *pos;
    size_t data_len, pos_len, nb;
    bool want_pos, started;
    /* packed skip entries: their bits, and per field its base and width */
    bool skip_packed, skip_ratio;
    const uint8_t *sk_p;
    size_t sk_len;
    uint32_t sk_base[NDB_SKIP_FIELDS], sk_w[NDB_SKIP_FIELDS], sk_wsum;
    pc_skip dec, blk;
    size_t decoded, cnt, i;
    uint32_t docs[PC_N], freqs[PC_N];
    /* lazy freqs of a full block: its codec bytes, decoded into freqs[] at first use */
    const uint8_t *fq_p;
    size_t fq_n;
    bool fq_ok;
    size_t pos_block;
    uint32_t *pbuf;
    size_t pcap;
    uint32_t poff[PC_N + 1];
    /* lazy positions of block pos_block: byte offsets of its 128-value groups (gknown of
    ** them known, goff[0] = 0), which groups are decoded, whether the varint tail is, and
    ** which docs' values are prefix-summed to positions */
    uint32_t *goff;
    uint8_t *gdone;
    size_t gcap, gknown, nfull;
    bool tail_done;
    uint8_t ddone[PC_N];
    /* v2 positions (NDB_POS_DLBOUND): doc lengths, and the bit reader over the chunk of
    ** block pos_block: next unread byte, bits not yet used (acc: `have` of them; bits
    ** above may hold a copy of the next bytes), next doc to decode, the block's slack */
    uint32_t pos_fmt;
    const uint8_t *dls;
    const uint8_t *b0;
    pc_br br;
    uint64_t bslack, jump[PC_N]; /* jump[k * jstep]: bit where that doc starts */
    size_t bnext, jstep;        /* jstep: 0 when the block has no jump table */
    size_t bpf;                 /* docs below this had their length prefetched */
    /* RADIX: the groups hold gap values only (nv of them, decoded into gbuf; vbuf is where
    ** groups decode: pbuf in the other formats); the triples of the docs below fnext have
    ** their bounds and head offsets known, the next starts at head bit fbit; rslack is k;
    ** hend / gend: bytes of head / gaps once known (0 = not yet), for the exact-size check */
    uint32_t *gbuf, *vbuf;
    size_t gbcap, nv, fnext;
    uint64_t fbit, rslack;
    size_t hend, gend;
    uint32_t first[PC_N];  /* of the docs of decoded triples */
    uint64_t ubound[PC_N]; /* U of the docs below fnext */
    uint64_t toff[(PC_N + 2) / 3]; /* head bit of each triple below fnext */
    uint64_t tprod[(PC_N + 2) / 3]; /* its bounds' product, 0 when not one number */
    uint8_t tdone[(PC_N + 2) / 3]; /* which of them are decoded into first[] */
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

/* ndb_rd_varint with the one- and two-byte cases inline (skip entries are mostly small
** numbers: the call was 5 % of a whole query run's profile). Same bounds and result. */
static inline ndb_rc pc_varint(ndb_rd *r, uint64_t *v)
{
    if (r->p < r->end && r->p[0] < 0x80) {
        *v = r->p[0];
        r->p++;
        return NDB_OK;
    }
    if (r->end - r->p >= 2 && r->p[1] < 0x80) {
        *v = (uint64_t)(r->p[0] & 0x7f) | (uint64_t)r->p[1] << 7;
        r->p += 2;
        return NDB_OK;
    }
    return ndb_rd_varint(r, v);
}

/* w <= 32 bits at bit offset `bit` of [p, p + len), which the caller has checked holds
** them (packed skip entries). */
static inline uint64_t pc_bits(const uint8_t *p, size_t len, uint64_t bit, unsigned w)
{
    size_t j = (size_t)(bit / 8);
    uint64_t x = 0;
    if (w == 0)
        return 0;
    if (j + 8 <= len) {
        x = ndb_get_u64le(p + j);
    } else {
        for (size_t k = 0; j + k < len; k++)
            x |= (uint64_t)p[j + k] << (8 * k);
    }
    return (x >> (bit % 8)) & ((1ull << w) - 1);
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
        return true;
    }
    uint64_t dl, mt, md;
    if (c->skip_packed) {
        uint64_t f[NDB_SKIP_FIELDS], bit = (uint64_t)next * c->sk_wsum;
        for (size_t k = 0; k < NDB_SKIP_FIELDS; k++) {
            f[k] = c->sk_base[k] + pc_bits(c->sk_p, c->sk_len, bit, c->sk_w[k]);
            bit += c->sk_w[k];
        }
        dl = f[0] + (next + 1 < c->nb ? PC_N : c->base.df - (uint64_t)next * PC_N);
        s->doc_bytes = f[1];
        s->pos_bytes = f[2];
        mt = f[3];
        md = f[4];
    } else if (pc_varint(&s->rd, &dl) || pc_varint(&s->rd, &s->doc_bytes) ||
               pc_varint(&s->rd, &s->pos_bytes) || pc_varint(&s->rd, &mt) ||
               pc_varint(&s->rd, &md))
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
    s->dl_field = (uint32_t)md;
    return true;
bad:
    pc_fail(c);
    return false;
}

static bool pc_decode_tail(pc *c, ndb_rd *r, size_t cnt)
{
    int64_t prev = c->dec.prev_last;
    c->fq_ok = true;
    for (size_t i = 0; i < cnt; i++) {
        uint64_t v, f = 0;
        if (pc_varint(r, &v))
            return false;
        if (!(v & 1) && (pc_varint(r, &f) || f > UINT32_MAX - 2))
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
    u = c->codec->skip_block(r->p, ndb_rd_left(r)); /* freqs: decoded on first use */
    if (u == 0)
        return false;
    c->fq_p = r->p;
    c->fq_n = u;
    c->fq_ok = false;
    r->p += u;
    /* ids only grow, so the last one bounds them all: one check of the 64-bit sum (128 gaps
    ** below 2^32 cannot wrap it); when it passes no 32-bit id below wrapped either */
    int64_t prev = c->dec.prev_last;
    uint64_t sum = 0;
    for (size_t i = 0; i < PC_N; i++)
        sum += gaps[i];
    if (prev + (int64_t)PC_N + (int64_t)sum >= (int64_t)c->ndocs)
        return false;
#if defined(__SSE2__)
    /* prefix sum four lanes at a time: two shifted adds within the vector, then the
    ** running total of the vectors before (a chain of one add per 4 ids, not per id) */
    __m128i run = _mm_set1_epi32((int)(uint32_t)prev), one = _mm_set1_epi32(1);
    for (size_t i = 0; i < PC_N; i += 4) {
        __m128i x = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(gaps + i)), one);
        x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
        x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
        x = _mm_add_epi32(x, run);
        _mm_storeu_si128((__m128i *)(c->docs + i), x);
        run = _mm_shuffle_epi32(x, 0xff);
    }
#else
    for (size_t i = 0; i < PC_N; i++) {
        prev += 1 + (int64_t)gaps[i];
        c->docs[i] = (uint32_t)prev;
    }
#endif
    return true;
}

/* Decode the freqs of the decoded full block (counts and doc-only walks never do). */
static bool pc_decode_freqs(pc *c)
{
    if (c->fq_ok)
        return true;
    if (c->codec->decode_block(c->fq_p, c->fq_n, c->freqs) != c->fq_n)
        return false;
    for (size_t i = 0; i < PC_N; i++) {
        if (c->freqs[i] == UINT32_MAX)
            return false;
        c->freqs[i] += 1;
    }
    c->fq_ok = true;
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
    /* first doc >= t from `from`: galloping, then binary search (the block's last doc is
    ** >= t, so the answer is < cnt); near targets cost a step or two, far ones ~7 */
    const uint32_t *dv = c->docs;
    size_t cnt = c->cnt;
    if (dv[from] < t) {
        size_t lo = from, hi = from + 1, step = 1;
        while (hi < cnt - 1 && dv[hi] < t) {
            lo = hi;
            step <<= 1;
            hi = lo + step;
        }
        if (hi > cnt - 1)
            hi = cnt - 1;
        while (hi - lo > 1) { /* dv[lo] < t <= dv[hi] */
            size_t mid = lo + (hi - lo) / 2;
            if (dv[mid] < t)
                lo = mid;
            else
                hi = mid;
        }
        from = hi;
    }
    c->i = from;
    return pc_cur(c);
}

static uint32_t pc_freq(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    if (c->dec.idx == PC_NONE || c->dec.idx >= c->nb || c->decoded != c->dec.idx)
        return 0;
    if (!c->fq_ok && !pc_decode_freqs(c)) {
        pc_fail(c);
        return 1;
    }
    return c->freqs[c->i];
}

/* The v2 bit reader: `have` bits in acc (bits above them may hold a copy of the next
** bytes); copied to a local while docs decode, kept in the cursor between calls. */
/* Make at least k (<= 56) bits available; false when the chunk ends first. */
static inline bool pc_br_fill(pc_br *b, unsigned k)
{
    if (b->have >= k)
        return true;
    if (b->end - b->p >= 8) {
        unsigned bytes = (63u - b->have) >> 3;
        b->acc |= ndb_get_u64le(b->p) << b->have; /* bits past `bytes`: the same bytes */
        b->p += bytes;
        b->have += 8 * bytes;
        return true;
    }
    while (b->have <= 56 && b->p < b->end) {
        b->acc = (b->acc & ((1ull << b->have) - 1)) | (uint64_t)*b->p++ << b->have;
        b->have += 8;
    }
    return b->have >= k;
}

static inline uint64_t pc_br_get(pc_br *b, unsigned k)
{
    uint64_t v = b->acc & ((1ull << k) - 1);
    b->acc >>= k;
    b->have -= k;
    return v;
}

/* A truncated binary value in [0, n) (postings.h); false past the chunk's end or if n == 0.
** Branch-free on the value: whether the extra bit is there is a 50/50 guess for a CPU. */
static inline bool pc_br_tb(pc_br *b, uint64_t n, uint64_t *x)
{
    if (n == 0)
        return false; /* more positions than room below the bound: corrupt */
    unsigned m = 63u - (unsigned)__builtin_clzll(n);
    uint64_t u = (2ull << m) - n;
    if (b->have <= m && !pc_br_fill(b, m + 1) && b->have < m)
        return false;
    uint64_t v = b->acc & ((1ull << m) - 1), ext = v >= u;
    uint64_t y = u + 2 * (v - u) + ((b->acc >> m) & 1);
    if (ext > b->have - m)
        return false; /* the extra bit is past the chunk's end */
    *x = ext ? y : v;
    b->acc >>= m + ext;
    b->have -= (unsigned)(m + ext);
    return true;
}

/* v2: decode the positions of the block's docs up to doc i (they only decode in order);
** once the last doc is done the chunk must be exactly consumed. */
static ndb_rc pc_pos_doc_dl(pc *c, size_t i)
{
    pc_br b = c->br;
    ndb_rc rc = NDB_OK;
    size_t g = c->jstep ? i / c->jstep * c->jstep : 0;
    if (g > 0 && c->bnext < g) {
        /* jump over docs nobody will ask for (the cursor only moves forward) */
        uint64_t at = c->jump[g];
        unsigned r = (unsigned)(at & 7);
        b.p = c->b0 + at / 8;
        b.acc = 0;
        b.have = 0;
        if (r != 0) {
            if (!pc_br_fill(&b, r)) {
                rc = NDB_ECORRUPT;
                goto out;
            }
            (void)pc_br_get(&b, r);
        }
        c->bnext = g;
    }
    /* the doc lengths to read lie far apart in the table: ask for them all at once, and a
    ** few beyond for the next call of a walk doc by doc */
    for (size_t d = NDB_MAX(c->bpf, c->bnext), e = NDB_MIN(i + 9, c->cnt); d < e; d++)
        __builtin_prefetch(c->dls + 4 * (size_t)c->docs[d]);
    c->bpf = NDB_MAX(c->bpf, NDB_MIN(i + 9, c->cnt));
    for (; c->bnext <= i; c->bnext++) {
        size_t d = c->bnext;
        uint32_t f = c->freqs[d], *out = c->pbuf + c->poff[d];
        uint64_t lim = (uint64_t)ndb_get_u32le(c->dls + 4 * (size_t)c->docs[d]) + c->bslack;
        uint64_t prev = 0, x;
        if (f > lim) {
            rc = NDB_ECORRUPT; /* positions are distinct and < lim */
            goto out;
        }
        for (uint32_t j = 0; j < f; j++) {
            if (!pc_br_tb(&b, j == 0 ? lim : lim - prev - 1, &x)) {
                rc = NDB_ECORRUPT;
                goto out;
            }
            prev = j == 0 ? x : prev + 1 + x;
            out[j] = (uint32_t)prev;
        }
        if (prev > UINT32_MAX) {
            rc = NDB_ECORRUPT;
            goto out;
        }
    }
    if (c->bnext == c->cnt) {
        uint64_t used = 8 * (uint64_t)(b.p - c->b0) - b.have;
        if ((used + 7) / 8 != (uint64_t)(b.end - c->b0))
            rc = NDB_ECORRUPT;
    }
out:
    c->br = b;
    return rc;
}

/* v2: set the bit reader on the chunk of block dec.idx and read its slack. */
static ndb_rc pc_decode_pos_dl(pc *c)
{
    pc_br *b = &c->br;
    c->b0 = b->p = c->pos + c->dec.pos_at;
    b->end = c->b0 + c->dec.pos_bytes;
    b->acc = 0;
    b->have = 0;
    c->bnext = 0;
    c->bslack = 0;
    c->bpf = 0;
    if (!pc_br_fill(b, 1))
        return NDB_ECORRUPT;
    if (pc_br_get(b, 1)) {
        if (!pc_br_fill(b, 33))
            return NDB_ECORRUPT;
        c->bslack = pc_br_get(b, 33);
    }
    c->jstep = 0;
    if (c->cnt == PC_N) {
        unsigned width = postings_jump_width(c->poff[c->cnt]);
        size_t step = postings_jump_step(c->poff[c->cnt]);
        uint64_t start;
        for (size_t g = step; g < PC_N; g += step) {
            if (!pc_br_fill(b, width))
                return NDB_ECORRUPT;
            c->jump[g] = pc_br_get(b, width);
        }
        start = 8 * (uint64_t)c->dec.pos_bytes - 8 * (uint64_t)(b->end - b->p) - b->have;
        for (size_t g = step; g < PC_N; g += step) { /* body offsets -> chunk offsets */
            if (c->jump[g] > 8 * (uint64_t)c->dec.pos_bytes - start)
                return NDB_ECORRUPT;
            c->jump[g] += start;
        }
        c->jstep = step;
    }
    c->pos_block = c->dec.idx;
    return NDB_OK;
}

/* RADIX: the exact-size check of a chunk once its head's and its gaps' sizes are known
** (hend, gend: 0 = not yet; gaps of a chunk without any take no bytes). */
static ndb_rc pc_radix_sizes(pc *c, size_t hend, size_t gend)
{
    if (hend)
        c->hend = hend;
    if (gend)
        c->gend = gend;
    if (c->hend && (c->gend || c->nv == 0) && c->hend + c->gend != c->dec.pos_bytes)
        return NDB_ECORRUPT;
    return NDB_OK;
}

/* RADIX: bits [bit, bit + w) of the head of the chunk ending at `end` (len bytes; head byte
** j is end[-1 - j]), w <= 64; false when they pass the chunk's start. */
static inline bool pc_head_get(const uint8_t *end, size_t len, uint64_t bit, unsigned w,
                               uint64_t *v)
{
    size_t j = (size_t)(bit / 8);
    unsigned r = (unsigned)(bit % 8);
    uint64_t x = 0;
    if (bit + w > 8 * (uint64_t)len)
        return false;
    if (w == 0) {
        *v = 0;
        return true;
    }
    if (j + 8 <= len) {
        x = __builtin_bswap64(ndb_get_u64le(end - j - 8)) >> r;
        if (r + w > 64) /* then byte j + 8 is inside the chunk */
            x |= (uint64_t)end[-(ptrdiff_t)j - 9] << (64 - r);
    } else { /* near the chunk's start: w + r <= 8 (len - j) < 64 */
        for (size_t k = 0; j + k < len; k++)
            x |= (uint64_t)end[-(ptrdiff_t)(j + k) - 1] << (8 * k);
        x >>= r;
    }
    *v = w == 64 ? x : x & ((1ull << w) - 1);
    return true;
}

/* RADIX: read the head's slack; the first positions decode on demand. */
static ndb_rc pc_radix_start(pc *c)
{
    const uint8_t *end = c->pos + c->dec.pos_at + c->dec.pos_bytes;
    size_t len = c->dec.pos_bytes;
    uint64_t flag;
    c->nv -= c->cnt; /* every doc has its first position in the head */
    if (c->nv > c->gbcap) {
        uint32_t *nb = ndb_realloc(c->gbuf, c->nv * sizeof(uint32_t));
        if (!nb)
            return NDB_ENOMEM;
        c->gbuf = nb;
        c->gbcap = c->nv;
    }
    c->vbuf = c->gbuf;
    c->rslack = 0;
    c->fbit = 1;
    if (!pc_head_get(end, len, 0, 1, &flag) ||
        (flag && !pc_head_get(end, len, 1, 33, &c->rslack)))
        return NDB_ECORRUPT;
    c->fbit += flag ? 33 : 0;
    c->fnext = c->bpf = 0; /* tdone[t] is cleared as triple t is reached */
    c->hend = c->gend = 0;
    return NDB_OK;
}

/* RADIX: the triple starting at doc t (m docs), its bounds in ubound[]: its first
** positions from the head at bit toff[t / 3]. */
static ndb_rc pc_radix_triple(pc *c, size_t t, size_t m)
{
    const uint8_t *end = c->pos + c->dec.pos_at + c->dec.pos_bytes;
    size_t len = c->dec.pos_bytes;
    const uint64_t *u = c->ubound + t;
    uint64_t bit = c->toff[t / 3], x, prod = c->tprod[t / 3];
    if (!prod) { /* each first position at its own width */
        for (size_t k = 0; k < m; k++) {
            unsigned w = postings_radix_bits(u[k]);
            if (!pc_head_get(end, len, bit, w, &x) || x >= u[k] || x > UINT32_MAX)
                return NDB_ECORRUPT;
            bit += w;
            c->first[t + k] = (uint32_t)x;
        }
        return NDB_OK;
    }
    if (!pc_head_get(end, len, bit, postings_radix_bits(prod), &x) || x >= prod)
        return NDB_ECORRUPT;
    for (size_t k = 0; k + 1 < m; k++) { /* a 32-bit division once x fits */
        uint64_t q = x <= UINT32_MAX ? (uint32_t)x / (uint32_t)u[k] : x / u[k];
        c->first[t + k] = (uint32_t)(x - q * u[k]);
        x = q;
    }
    c->first[t + m - 1] = (uint32_t)x; /* < u[m - 1], as x < prod */
    return NDB_OK;
}

/* RADIX: the first position of doc i in first[i]. The bounds, and so the head offsets, of
** the triples up to i's are learnt in order (one doc length each, no decoding); only the
** triples asked for are decoded, so a doc late in a block costs its predecessors' lengths,
** not their divisions. */
static ndb_rc pc_radix_first(pc *c, size_t i)
{
    /* the doc lengths lie far apart in the table: ask for them all at once (as v2) */
    for (size_t d = NDB_MAX(c->bpf, c->fnext), e = NDB_MIN(i + 12, c->cnt); d < e; d++)
        __builtin_prefetch(c->dls + 4 * (size_t)c->docs[d]);
    c->bpf = NDB_MAX(c->bpf, NDB_MIN(i + 12, c->cnt));
    while (c->fnext <= i) {
        size_t t = c->fnext, m = NDB_MIN(3, c->cnt - t);
        for (size_t k = 0; k < m; k++) {
            uint64_t u = (uint64_t)ndb_get_u32le(c->dls + 4 * (size_t)c->docs[t + k]) + c->rslack;
            if (c->freqs[t + k] > u)
                return NDB_ECORRUPT; /* positions are distinct and < U */
            c->ubound[t + k] = u;
        }
        c->toff[t / 3] = c->fbit;
        c->tdone[t / 3] = 0;
        c->fbit += postings_radix_triple(c->ubound + t, m, &c->tprod[t / 3]);
        c->fnext = t + m;
        if (c->fbit > 8 * (uint64_t)c->dec.pos_bytes)
            return NDB_ECORRUPT; /* the head would pass the chunk's start */
        if (c->fnext == c->cnt) {
            ndb_rc rc = pc_radix_sizes(c, (size_t)((c->fbit + 7) / 8), 0);
            if (rc != NDB_OK)
                return rc;
        }
    }
    size_t t = i / 3 * 3;
    if (!c->tdone[i / 3]) {
        ndb_rc rc = pc_radix_triple(c, t, NDB_MIN(3, c->cnt - t));
        if (rc != NDB_OK)
            return rc;
        c->tdone[i / 3] = 1;
    }
    return NDB_OK;
}

/* Start the positions of block dec.idx: offsets only; groups decode on demand. */
static ndb_rc pc_decode_pos(pc *c)
{
    uint64_t total = 0;
    if (!pc_decode_freqs(c))
        return NDB_ECORRUPT;
    for (size_t i = 0; i < c->cnt; i++) {
        c->poff[i] = (uint32_t)total;
        total += c->freqs[i];
        if (total > UINT32_MAX)
            return NDB_ECORRUPT;
    }
    c->poff[c->cnt] = (uint32_t)total;
    /* v1: every value costs >= 1/128 byte; v2: >= 1 bit but a doc's last (it can take
    ** none when the doc is all this term) */
    if (c->pos_fmt == NDB_POS_DLBOUND ? total > 8 * c->dec.pos_bytes + c->cnt
                                      : total / PC_N > c->dec.pos_bytes)
        return NDB_ECORRUPT;
    if (total > c->pcap) {
        uint32_t *nb = ndb_realloc(c->pbuf, (size_t)total * sizeof(uint32_t));
        if (!nb)
            return NDB_ENOMEM;
        c->pbuf = nb;
        c->pcap = (size_t)total;
    }
    if (c->pos_fmt == NDB_POS_DLBOUND)
        return pc_decode_pos_dl(c);
    c->vbuf = c->pbuf;
    c->nv = (size_t)total;
    if (c->pos_fmt == NDB_POS_RADIX) {
        ndb_rc rc = pc_radix_start(c);
        if (rc != NDB_OK)
            return rc;
    }
    c->nfull = c->nv / PC_N;
    if (c->nfull + 1 > c->gcap) {
        size_t cap = c->nfull + 1;
        uint32_t *ng = ndb_realloc(c->goff, cap * sizeof *ng);
        if (!ng)
            return NDB_ENOMEM;
        c->goff = ng;
        uint8_t *nd = ndb_realloc(c->gdone, cap);
        if (!nd)
            return NDB_ENOMEM;
        c->gdone = nd;
        c->gcap = cap;
    }
    memset(c->gdone, 0, c->nfull + 1);
    memset(c->ddone, 0, sizeof c->ddone);
    c->goff[0] = 0;
    c->gknown = 1;
    c->tail_done = false;
    c->pos_block = c->dec.idx;
    return NDB_OK;
}

/* Learn the byte offsets of groups up to g (g <= nfull) by skipping group headers. */
static ndb_rc pc_pos_reach(pc *c, size_t g)
{
    const uint8_t *chunk = c->pos + c->dec.pos_at;
    size_t len = c->dec.pos_bytes;
    while (c->gknown <= g) {
        size_t at = c->goff[c->gknown - 1];
        size_t u = c->codec->skip_block(chunk + at, len - at);
        if (u == 0)
            return NDB_ECORRUPT;
        c->goff[c->gknown++] = (uint32_t)(at + u);
    }
    return NDB_OK;
}

/* Decode value group g (< nfull), or the tail (g == nfull): varints, or (GROUPS2) one
** partial PFOR2 group. */
static ndb_rc pc_pos_group(pc *c, size_t g)
{
    const uint8_t *chunk = c->pos + c->dec.pos_at;
    size_t len = c->dec.pos_bytes;
    ndb_rc rc = pc_pos_reach(c, g);
    if (rc != NDB_OK)
        return rc;
    if (g < c->nfull) {
        size_t at = c->goff[g];
        size_t u = c->codec->decode_block(chunk + at, len - at, c->vbuf + g * PC_N);
        if (u == 0 || (g + 1 < c->gknown && at + u != c->goff[g + 1]))
            return NDB_ECORRUPT;
        c->gdone[g] = 1;
        if (c->pos_fmt == NDB_POS_RADIX && g + 1 == c->nfull && c->nv == c->nfull * PC_N)
            return pc_radix_sizes(c, 0, at + u);
        return NDB_OK;
    }
    if (c->pos_fmt == NDB_POS_GROUPS2 || c->pos_fmt == NDB_POS_RADIX) {
        /* one partial PFOR2 group, ending the chunk (GROUPS2) or the gaps (RADIX) */
        size_t at = c->goff[g], m = c->nv - g * PC_N;
        size_t u = ndb_pfor2_decode_n(chunk + at, len - at, m, c->vbuf + g * PC_N);
        if (u == 0 || (c->pos_fmt == NDB_POS_GROUPS2 && at + u != len))
            return NDB_ECORRUPT;
        c->tail_done = true;
        return c->pos_fmt == NDB_POS_RADIX ? pc_radix_sizes(c, 0, at + u) : NDB_OK;
    }
    ndb_rd r;
    ndb_rd_init(&r, chunk + c->goff[g], len - c->goff[g], NDB_ECORRUPT);
    for (size_t k = g * PC_N; k < c->nv; k++)
        if (r.p < r.end && r.p[0] < 0x80) /* one-byte gaps inline */
            c->pbuf[k] = *r.p++;
        else if (ndb_rd_varint32(&r, &c->pbuf[k]))
            return NDB_ECORRUPT;
    if (ndb_rd_left(&r) != 0)
        return NDB_ECORRUPT; /* the chunk is exactly consumed */
    c->tail_done = true;
    return NDB_OK;
}

/* Decode the groups that hold values [lo, hi) of the block. */
static ndb_rc pc_pos_need(pc *c, uint32_t lo, uint32_t hi)
{
    for (size_t g = lo / PC_N; hi > lo && g <= (hi - 1) / PC_N; g++) {
        bool done = g < c->nfull ? c->gdone[g] != 0 : c->tail_done;
        ndb_rc rc = done ? NDB_OK : pc_pos_group(c, g);
        if (rc != NDB_OK)
            return rc;
    }
    return NDB_OK;
}

/* RADIX: positions of doc i: its first from the head, its gaps from the groups. */
static ndb_rc pc_pos_doc_radix(pc *c, size_t i)
{
    uint32_t lo = c->poff[i], hi = c->poff[i + 1], glo = lo - (uint32_t)i;
    ndb_rc rc;
    if (c->ddone[i])
        return NDB_OK;
    if ((rc = pc_radix_first(c, i)) != NDB_OK || (rc = pc_pos_need(c, glo, glo + hi - lo - 1)))
        return rc;
    uint64_t p = c->first[i];
    c->pbuf[lo] = (uint32_t)p;
    for (uint32_t k = 1; k < hi - lo; k++) {
        p += 1 + (uint64_t)c->gbuf[glo + k - 1];
        c->pbuf[lo + k] = (uint32_t)p;
    }
    if (p >= c->ubound[i])
        return NDB_ECORRUPT; /* past the bound, so past 32 bits too */
    c->ddone[i] = 1;
    return NDB_OK;
}

/* Positions of doc i of the block: decode its groups, prefix-sum its values once. */
static ndb_rc pc_pos_doc(pc *c, size_t i)
{
    uint32_t lo = c->poff[i], hi = c->poff[i + 1];
    if (c->ddone[i])
        return NDB_OK;
    ndb_rc rc = pc_pos_need(c, lo, hi);
    if (rc != NDB_OK)
        return rc;
    uint64_t p = 0;
    for (uint32_t k = lo; k < hi; k++) {
        p = (k == lo) ? c->pbuf[k] : p + c->pbuf[k];
        if (p > UINT32_MAX)
            return NDB_ECORRUPT;
        c->pbuf[k] = (uint32_t)p;
    }
    c->ddone[i] = 1;
    return NDB_OK;
}

static ndb_rc pc_positions(ndb_cursor *cc, const uint32_t **pos, uint32_t *n)
{
    pc *c = (pc *)cc;
    *pos = NULL;
    *n = 0;
    if (!c->want_pos || c->dec.idx == PC_NONE || c->dec.idx >= c->nb || c->decoded != c->dec.idx)
        return NDB_EINVAL;
    ndb_rc rc = c->pos_block != c->dec.idx ? pc_decode_pos(c) : NDB_OK;
    if (rc == NDB_OK)
        rc = c->pos_fmt == NDB_POS_DLBOUND ? pc_pos_doc_dl(c, c->i)
             : c->pos_fmt == NDB_POS_RADIX ? pc_pos_doc_radix(c, c->i)
                                           : pc_pos_doc(c, c->i);
    if (rc != NDB_OK) {
        if (rc == NDB_ECORRUPT)
            pc_fail(c);
        return rc;
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

/* The entry's min_dlr, or its min_dl / max_tf (a list of one block: the list's). */
static uint32_t pc_block_min_dlr(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    pc_sync(c);
    if (c->blk.idx == PC_NONE || c->nb == 1)
        return c->base.min_dl / c->base.max_tf;
    if (c->blk.idx >= c->nb)
        return UINT32_MAX;
    return c->skip_ratio ? c->blk.dl_field : c->blk.dl_field / c->blk.max_tf;
}

/* The rest of the decoded block (freqs decoded now if still lazy). */
static uint32_t pc_bulk(ndb_cursor *cc, const uint32_t **docs, const uint32_t **freqs,
                        uint32_t *base)
{
    pc *c = (pc *)cc;
    if (c->dec.idx == PC_NONE || c->dec.idx >= c->nb || c->decoded != c->dec.idx)
        return 0;
    if (freqs && !c->fq_ok && !pc_decode_freqs(c)) {
        pc_fail(c);
        return 0;
    }
    *docs = c->docs + c->i;
    if (freqs)
        *freqs = c->freqs + c->i;
    *base = c->gbase;
    return (uint32_t)(c->cnt - c->i);
}

static void pc_close(ndb_cursor *cc)
{
    pc *c = (pc *)cc;
    ndb_free(c->pbuf);
    ndb_free(c->goff);
    ndb_free(c->gdone);
    ndb_free(c->gbuf);
    ndb_free(c);
}

static const ndb_cursor_ops pc_ops = {
    .next = pc_next,
    .seek_geq = pc_seek_geq,
    .freq = pc_freq,
    .positions = pc_positions,
    .block_seek = pc_block_seek,
    .block_max_tf = pc_block_max_tf,
    .block_min_dlr = pc_block_min_dlr,
    .close = pc_close,
    .bulk = pc_bulk,
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
            skip_len < (c->skip_packed ? NDB_SKIP_FIELDS * 2 : 5 * (uint64_t)c->nb))
            return NDB_ECORRUPT;
        if (c->skip_packed) { /* the bases and widths; the entries must fill the rest */
            ndb_rd h;
            uint64_t v, bits;
            ndb_rd_init(&h, r.p, (size_t)skip_len, NDB_ECORRUPT);
            c->sk_wsum = 0;
            for (size_t k = 0; k < NDB_SKIP_FIELDS; k++) {
                uint8_t w;
                if (ndb_rd_varint(&h, &v) || v > UINT32_MAX || ndb_rd_u8(&h, &w) || w > 32)
                    return NDB_ECORRUPT;
                c->sk_base[k] = (uint32_t)v;
                c->sk_w[k] = w;
                c->sk_wsum += w;
            }
            c->sk_p = h.p;
            c->sk_len = ndb_rd_left(&h);
            bits = (uint64_t)c->nb * c->sk_wsum;
            if ((bits + 7) / 8 != c->sk_len)
                return NDB_ECORRUPT;
        }
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
    if (!src->codec || src->df == 0 || src->df > src->ndocs || src->max_tf == 0 ||
        (src->pos_fmt != NDB_POS_GROUPS && src->pos_fmt != NDB_POS_DLBOUND &&
         src->pos_fmt != NDB_POS_GROUPS2 && src->pos_fmt != NDB_POS_RADIX)) {
        rc = NDB_ECORRUPT;
        goto out;
    }
    if ((src->pos_fmt == NDB_POS_DLBOUND || src->pos_fmt == NDB_POS_RADIX) && positions &&
        !src->dls) {
        rc = NDB_EINVAL;
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
    c->pos_fmt = src->pos_fmt;
    c->skip_packed = src->skip_packed;
    c->skip_ratio = src->skip_ratio;
    c->dls = src->dls;
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
