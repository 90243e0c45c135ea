/* Tests of postings/: block codecs, the in-memory cursor, and the posting format (encoder
** + mapped cursor; positions as NDB_POS_GROUPS or NDB_POS_DLBOUND) against an oracle of
** random lists. NDB_SEED=<n> replays. */
#include <criterion/criterion.h>

#include "common/testutil.h"
#include "postings/codec.h"
#include "postings/cursor.h"
#include "postings/postings.h"

#include <math.h>
#include <stdlib.h>

#define SEEDFMT "NDB_SEED=%llu"

/* ------------------------------------------------------------ codecs */

static void codec_roundtrip(uint32_t id, uint64_t seed)
{
    const ndb_codec *c = ndb_codec_get(id);
    uint32_t in[NDB_BLOCK_DOCS], out[NDB_BLOCK_DOCS];
    uint8_t buf[NDB_CODEC_MAX_BYTES];
    uint64_t st = seed;
    cr_assert_not_null(c);
    for (unsigned w = 0; w <= 32; w++) {
        for (size_t i = 0; i < NDB_BLOCK_DOCS; i++) {
            uint64_t r = ndb_rand_next(&st);
            in[i] = w == 0 ? 0 : (w == 32 ? (uint32_t)r : (uint32_t)(r & ((1u << w) - 1)));
        }
        in[7] = w == 0 ? 0 : (w == 32 ? UINT32_MAX : (1u << w) - 1); /* force the width */
        size_t n = c->encode_block(in, buf);
        cr_assert(n > 0 && n <= NDB_CODEC_MAX_BYTES, "%s w=%u n=%zu " SEEDFMT, c->name, w, n,
                  (unsigned long long)seed);
        memset(out, 0xee, sizeof out);
        cr_assert_eq(c->decode_block(buf, n, out), n, "%s w=%u " SEEDFMT, c->name, w,
                     (unsigned long long)seed);
        cr_assert(memcmp(in, out, sizeof in) == 0, "%s w=%u differs " SEEDFMT, c->name, w,
                  (unsigned long long)seed);
        if (n > 0)
            cr_assert_eq(c->decode_block(buf, n - 1, out), 0, "%s w=%u short input accepted",
                         c->name, w);
    }
}

Test(postings, codec_bitpack_roundtrip)
{
    codec_roundtrip(NDB_CODEC_BITPACK, ndb_test_seed(11));
}

Test(postings, codec_svb_roundtrip)
{
    codec_roundtrip(NDB_CODEC_SVB, ndb_test_seed(12));
}

Test(postings, codec_pfor_roundtrip)
{
    codec_roundtrip(NDB_CODEC_PFOR, ndb_test_seed(13));
}

/* Mostly small values with a few outliers: exceptions are used and still round-trip; the
** block is far smaller than plain bit packing. Corrupt exception tables are refused. */
Test(postings, codec_pfor_exceptions)
{
    const ndb_codec *pf = ndb_codec_get(NDB_CODEC_PFOR), *bp = ndb_codec_get(NDB_CODEC_BITPACK);
    uint32_t in[NDB_BLOCK_DOCS], out[NDB_BLOCK_DOCS];
    uint8_t a[NDB_CODEC_MAX_BYTES], b[NDB_CODEC_MAX_BYTES];
    uint64_t seed = ndb_test_seed(14), st = seed;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < NDB_BLOCK_DOCS; i++)
            in[i] = (uint32_t)(ndb_rand_next(&st) % 4);
        for (int k = 0; k < round % 9; k++)
            in[ndb_rand_next(&st) % NDB_BLOCK_DOCS] = (uint32_t)ndb_rand_next(&st) >> (k * 3);
        size_t n = pf->encode_block(in, a), m = bp->encode_block(in, b);
        cr_assert(n <= m + 1, "pfor %zu > bitpack %zu + 1 NDB_SEED=%llu", n, m,
                  (unsigned long long)seed);
        cr_assert_eq(pf->decode_block(a, n, out), n);
        cr_assert(memcmp(in, out, sizeof in) == 0, "round %d NDB_SEED=%llu", round,
                  (unsigned long long)seed);
        for (size_t cut = 0; cut < n; cut++)
            cr_assert_eq(pf->decode_block(a, cut, out), 0, "short input %zu accepted", cut);
        if (a[1] > 0) {
            a[2 + 16 * (size_t)a[0]] = 200; /* exception index out of range */
            cr_assert_eq(pf->decode_block(a, n, out), 0);
        }
    }
}

Test(postings, codec_pfor2_roundtrip)
{
    codec_roundtrip(NDB_CODEC_PFOR2, ndb_test_seed(15));
}

/* PFOR2 on blocks with outliers: never more than a byte above plain bit packing, smaller
** than PFOR in sum; round-trips; skip_block gives the size from the header; truncated or malformed
** headers are refused. */
Test(postings, codec_pfor2_exceptions)
{
    const ndb_codec *p2 = ndb_codec_get(NDB_CODEC_PFOR2), *pf = ndb_codec_get(NDB_CODEC_PFOR);
    const ndb_codec *bp = ndb_codec_get(NDB_CODEC_BITPACK);
    uint32_t in[NDB_BLOCK_DOCS], out[NDB_BLOCK_DOCS];
    uint8_t a[NDB_CODEC_MAX_BYTES], b[NDB_CODEC_MAX_BYTES];
    uint64_t seed = ndb_test_seed(16), st = seed;
    size_t sum2 = 0, sum1 = 0;
    for (int round = 0; round < 300; round++) { /* outliers of any width */
        for (size_t i = 0; i < NDB_BLOCK_DOCS; i++)
            in[i] = (uint32_t)(ndb_rand_next(&st) % (round % 3 == 0 ? 2 : 40));
        for (int k = 0; k < round % 13; k++)
            in[ndb_rand_next(&st) % NDB_BLOCK_DOCS] = (uint32_t)ndb_rand_next(&st) >> (k * 2);
        if (round == 7)
            for (size_t i = 0; i < NDB_BLOCK_DOCS; i++)
                in[i] = i % 2 ? UINT32_MAX : 0; /* 64 exceptions of 32 bits */
        size_t n = p2->encode_block(in, a), m = pf->encode_block(in, b);
        sum2 += n;
        sum1 += m;
        /* b = the widest value, no exceptions, is always a choice: bit packing + 1 byte */
        cr_assert(n <= bp->encode_block(in, b) + 1, "pfor2 %zu > bitpack + 1 NDB_SEED=%llu", n,
                  (unsigned long long)seed);
        cr_assert_eq(p2->skip_block(a, n), n);
        memset(out, 0xee, sizeof out);
        cr_assert_eq(p2->decode_block(a, n, out), n);
        cr_assert(memcmp(in, out, sizeof in) == 0, "round %d NDB_SEED=%llu", round,
                  (unsigned long long)seed);
        for (size_t cut = 0; cut < n; cut++) {
            cr_assert_eq(p2->decode_block(a, cut, out), 0, "short input %zu accepted", cut);
            cr_assert_eq(p2->skip_block(a, cut), 0, "short skip %zu accepted", cut);
        }
        if (a[1] > 0) {
            uint8_t keep = a[2];
            a[2] = 0; /* exceptions of no bits */
            cr_assert_eq(p2->decode_block(a, n, out), 0);
            a[2] = (uint8_t)(33 - a[0]); /* past 32 bits */
            cr_assert_eq(p2->decode_block(a, n, out), 0);
            a[2] = keep;
        }
        uint8_t keep = a[1];
        a[1] = NDB_BLOCK_DOCS + 1;
        cr_assert_eq(p2->decode_block(a, n, out), 0, "more exceptions than values");
        a[1] = keep;
    }
    /* doc-gap-like blocks (geometric values, a few long gaps): smaller than PFOR in sum */
    sum1 = sum2 = 0;
    for (int round = 0; round < 200; round++) {
        double mean = 2.0 + (double)(round % 50);
        for (size_t i = 0; i < NDB_BLOCK_DOCS; i++) {
            double u = ((double)(ndb_rand_next(&st) >> 11) + 0.5) / 9007199254740992.0;
            in[i] = (uint32_t)(-log(u) * mean);
        }
        size_t n = p2->encode_block(in, a);
        sum2 += n;
        sum1 += pf->encode_block(in, b);
        cr_assert_eq(p2->decode_block(a, n, out), n);
        cr_assert(memcmp(in, out, sizeof in) == 0);
    }
    cr_assert(sum2 < sum1, "pfor2 %zu bytes not below pfor %zu", sum2, sum1);
}

Test(postings, codec_bitpack_rejects_bad_width)
{
    uint8_t buf[NDB_CODEC_MAX_BYTES] = {33};
    uint32_t out[NDB_BLOCK_DOCS];
    cr_assert_eq(ndb_codec_get(NDB_CODEC_BITPACK)->decode_block(buf, sizeof buf, out), 0);
    cr_assert_null(ndb_codec_get(99));
}

/* ------------------------------------------------------------ oracle lists */

typedef struct olist {
    uint32_t *docs, *freqs, *pos, *dls, *pos_off;
    size_t n, npos;
    uint8_t *dlt; /* u32le length of every local doc < span (what a segment's DOCLEN holds) */
} olist;

/* Position format the format tests encode and decode with. */
static uint32_t g_pos_fmt = NDB_POS_GROUPS;
static bool g_skip_ratio; /* open_list writes skip entries with min_dlr (segments 1.5) */

static void olist_dlt(olist *l, uint32_t span)
{
    l->dlt = calloc((size_t)span + 1, 4);
    for (size_t i = 0; i < l->n; i++)
        ndb_put_u32le(l->dlt + 4 * (size_t)l->docs[i], l->dls[i]);
}

/* n docs from [0, span), freqs skewed small, positions ascending < 5000. */
static void olist_gen(olist *l, size_t n, uint32_t span, uint32_t maxtf, uint64_t *st)
{
    l->n = n;
    l->docs = calloc(n + 1, 4);
    l->freqs = calloc(n + 1, 4);
    l->dls = calloc(n + 1, 4);
    l->pos_off = calloc(n + 2, 4);
    size_t cap = 16, k = 0;
    l->pos = malloc(cap * 4);
    /* choose n distinct docs: walk with random gaps scaled to fit span */
    uint32_t d = 0;
    uint64_t room = span - n;
    for (size_t i = 0; i < n; i++) {
        uint64_t gap = room ? ndb_rand_next(st) % (2 * room / (n - i) + 1) : 0;
        if (gap > room)
            gap = room;
        room -= gap;
        d += (uint32_t)gap;
        l->docs[i] = d++;
        uint64_t r = ndb_rand_next(st);
        l->freqs[i] = (r % 4 == 0) ? 1 + (uint32_t)((r >> 8) % maxtf) : 1 + (uint32_t)(r % 2);
        l->dls[i] = l->freqs[i] + (uint32_t)((r >> 20) % 900);
        l->pos_off[i] = (uint32_t)k;
        uint32_t p = (uint32_t)((r >> 40) % 50);
        for (uint32_t j = 0; j < l->freqs[i]; j++) {
            if (k == cap) {
                cap *= 2;
                l->pos = realloc(l->pos, cap * 4);
            }
            l->pos[k++] = p;
            p += 1 + (uint32_t)(ndb_rand_next(st) % ((j % 7 == 6) ? 3000 : 20));
        }
    }
    l->pos_off[n] = (uint32_t)k;
    l->npos = k;
    olist_dlt(l, span);
}

/* An empty list of n docs with room for npos positions, to be filled by hand. */
static void olist_alloc(olist *l, size_t n, size_t npos)
{
    memset(l, 0, sizeof *l);
    l->n = n;
    l->docs = calloc(n, 4);
    l->freqs = calloc(n, 4);
    l->dls = calloc(n, 4);
    l->pos_off = calloc(n + 1, 4);
    l->pos = calloc(npos, 4);
}

static void olist_free(olist *l)
{
    free(l->docs);
    free(l->freqs);
    free(l->dls);
    free(l->pos_off);
    free(l->pos);
    free(l->dlt);
}

typedef struct enc_out {
    ndb_buf doc, pos;
    ndb_postings_stats st;
} enc_out;

static ndb_cursor *open_list(const olist *l, uint32_t base, uint32_t ndocs, uint32_t codec,
                             enc_out *o, bool positions)
{
    ndb_postings_enc e;
    ndb_postings_src src;
    ndb_cursor *c = NULL;
    ndb_postings_enc_init(&e, ndb_codec_get(codec));
    e.pos_fmt = g_pos_fmt;
    e.skip_packed = g_pos_fmt == NDB_POS_RADIX; /* as segments 1.4 */
    e.skip_ratio = g_skip_ratio;
    ndb_buf_init(&o->doc, NDB_BUF_NOMAX);
    ndb_buf_init(&o->pos, NDB_BUF_NOMAX);
    cr_assert_eq(
        ndb_postings_encode(&e, l->docs, l->freqs, l->pos, l->dls, l->n, &o->doc, &o->pos, &o->st),
        NDB_OK);
    ndb_postings_enc_fini(&e);
    src.codec = ndb_codec_get(codec);
    src.doc = o->doc.p;
    src.doc_len = o->doc.n;
    src.pos = o->pos.p;
    src.pos_len = o->pos.n;
    src.df = o->st.df;
    src.max_tf = o->st.max_tf;
    src.min_dl = o->st.min_dl;
    src.base = base;
    src.ndocs = ndocs;
    src.pos_fmt = g_pos_fmt;
    src.dls = l->dlt;
    src.skip_packed = e.skip_packed;
    src.skip_ratio = e.skip_ratio;
    cr_assert_eq(ndb_postings_cursor_new(&src, positions, &c), NDB_OK);
    return c;
}

/* Full walk: docs, freqs, positions equal the oracle. */
static void check_walk(ndb_cursor *c, const olist *l, uint32_t base, bool positions, uint64_t seed)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t d = ndb_cursor_next(c);
        cr_assert_eq(d, base + l->docs[i], "doc %zu: %u != %u " SEEDFMT, i, d, base + l->docs[i],
                     (unsigned long long)seed);
        cr_assert_eq(ndb_cursor_freq(c), l->freqs[i], "freq at %zu " SEEDFMT, i,
                     (unsigned long long)seed);
        if (positions) {
            const uint32_t *p;
            uint32_t np;
            cr_assert_eq(ndb_cursor_positions(c, &p, &np), NDB_OK);
            cr_assert_eq(np, l->freqs[i]);
            cr_assert(memcmp(p, l->pos + l->pos_off[i], np * 4) == 0, "positions at %zu " SEEDFMT,
                      i, (unsigned long long)seed);
        }
    }
    cr_assert_eq(ndb_cursor_next(c), NDB_DOC_END);
    cr_assert_eq(ndb_cursor_next(c), NDB_DOC_END);
    cr_assert_eq(c->err, NDB_OK);
}

/* POS bytes of list l (docs below span) in position format fmt, after a full walk of it
** against the oracle. */
static size_t pos_bytes_in(const olist *l, uint32_t span, uint32_t codec, uint32_t fmt,
                           uint64_t seed)
{
    enc_out o;
    g_pos_fmt = fmt;
    ndb_cursor *c = open_list(l, 0, span, codec, &o, true);
    check_walk(c, l, 0, true, seed);
    ndb_cursor_close(c);
    size_t n = o.pos.n;
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);
    g_pos_fmt = NDB_POS_GROUPS;
    return n;
}

/* Walk by bulk reads: each lends the rest of a block (ending on a block boundary of 128
** entries), then a seek past its last doc moves on; docs and freqs equal the oracle. A
** random next() inside a block first checks that bulk starts at the current doc. */
static void check_bulk(ndb_cursor *c, const olist *l, uint32_t base, uint64_t *st, uint64_t seed)
{
    const uint32_t *dc, *fq;
    uint32_t b;
    size_t i = 0;
    cr_assert_eq(ndb_cursor_bulk(c, &dc, &fq, &b), 0, "bulk before the first doc");
    uint32_t d = ndb_cursor_next(c);
    while (d != NDB_DOC_END) {
        if (ndb_rand_next(st) % 3 == 0 && (i + 1) % NDB_BLOCK_DOCS != 0 && i + 1 < l->n) {
            d = ndb_cursor_next(c); /* bulk from the middle of a block */
            i++;
        }
        uint32_t n = ndb_cursor_bulk(c, &dc, &fq, &b);
        cr_assert(n >= 1, "bulk at entry %zu " SEEDFMT, i, (unsigned long long)seed);
        cr_assert_eq((i + n) % NDB_BLOCK_DOCS == 0 || i + n == l->n, true,
                     "bulk of %u at %zu does not end its block " SEEDFMT, n, i,
                     (unsigned long long)seed);
        cr_assert_eq(b + dc[0], d);
        for (uint32_t j = 0; j < n; j++, i++) {
            cr_assert_eq(b + dc[j], base + l->docs[i], "bulk doc %zu " SEEDFMT, i,
                         (unsigned long long)seed);
            cr_assert_eq(fq[j], l->freqs[i], "bulk freq %zu " SEEDFMT, i, (unsigned long long)seed);
        }
        d = ndb_cursor_seek_geq(c, b + dc[n - 1] + 1);
    }
    cr_assert_eq(i, l->n);
    cr_assert_eq(ndb_cursor_bulk(c, &dc, &fq, &b), 0, "bulk past the end");
    cr_assert_eq(c->err, NDB_OK);
}

/* Random mix of next and seek_geq against a linear scan of the oracle. */
static void check_seeks(ndb_cursor *c, const olist *l, uint32_t base, uint32_t span, uint64_t *st,
                        uint64_t seed)
{
    size_t at = 0; /* oracle index of the current doc */
    bool started = false;
    for (int step = 0; step < 400 && at < l->n; step++) {
        uint64_t r = ndb_rand_next(st);
        size_t want;
        uint32_t got;
        if (r % 3 == 0) {
            want = started ? at + 1 : 0;
            got = ndb_cursor_next(c);
        } else {
            uint32_t cur = started ? l->docs[at] : 0;
            uint32_t t = cur + (uint32_t)((r >> 8) % (span / 8 + 2));
            if (r % 17 == 0)
                t = cur > 3 ? cur - 3 : 0; /* backwards target: must not move */
            want = started ? at : 0;
            while (want < l->n && l->docs[want] < t)
                want++;
            got = ndb_cursor_seek_geq(c, base + t);
        }
        started = true;
        uint32_t exp = want < l->n ? base + l->docs[want] : NDB_DOC_END;
        cr_assert_eq(got, exp, "step %d: got %u want %u " SEEDFMT, step, got, exp,
                     (unsigned long long)seed);
        at = want;
        if (want < l->n)
            cr_assert_eq(ndb_cursor_freq(c), l->freqs[want]);
    }
}

/* What block_min_dlr must say: the block's min dl / max tf (DLR_DL), its min of dl / tf
** when the list has several blocks and min dl / max tf for one (DLR_ENTRIES: skip entries
** with min_dlr), or its min of dl / tf always (DLR_EXACT: the mem cursor). */
enum { DLR_DL, DLR_ENTRIES, DLR_EXACT };

/* block_seek: last doc, max_tf and min_dlr exact for the 128-doc block. */
static void check_blocks(ndb_cursor *c, const olist *l, uint32_t base, uint32_t span, uint64_t *st,
                         uint64_t seed, int dlr)
{
    size_t b = 0, nb = (l->n + NDB_BLOCK_DOCS - 1) / NDB_BLOCK_DOCS;
    uint32_t t = 0;
    for (;;) {
        t += 1 + (uint32_t)(ndb_rand_next(st) % (span / 6 + 1));
        while (b < nb && l->docs[NDB_MIN(l->n, (b + 1) * NDB_BLOCK_DOCS) - 1] < t)
            b++;
        uint32_t last = ndb_cursor_block_seek(c, base + t);
        if (b == nb) {
            cr_assert_eq(last, NDB_DOC_END, "target %u past the end " SEEDFMT, t,
                         (unsigned long long)seed);
            break;
        }
        size_t lo = b * NDB_BLOCK_DOCS, hi = NDB_MIN(l->n, lo + NDB_BLOCK_DOCS);
        uint32_t mt = 0, md = UINT32_MAX, mr = UINT32_MAX;
        for (size_t i = lo; i < hi; i++) {
            mt = NDB_MAX(mt, l->freqs[i]);
            md = NDB_MIN(md, l->dls[i]);
            mr = NDB_MIN(mr, l->dls[i] / l->freqs[i]);
        }
        uint32_t want = dlr == DLR_EXACT || (dlr == DLR_ENTRIES && nb > 1) ? mr : md / mt;
        cr_assert_eq(last, base + l->docs[hi - 1], "block %zu last " SEEDFMT, b,
                     (unsigned long long)seed);
        cr_assert_eq(ndb_cursor_block_max_tf(c), mt, "block %zu max_tf " SEEDFMT, b,
                     (unsigned long long)seed);
        cr_assert_eq(ndb_cursor_block_min_dlr(c), want, "block %zu min_dlr (mode %d) " SEEDFMT,
                     b, dlr, (unsigned long long)seed);
        /* block_seek must not move the doc cursor: next() still yields the first doc */
    }
}

/* Random forward skips, positions read only at the docs landed on (a phrase's pattern):
** they equal the oracle's. */
static void check_sparse_positions(ndb_cursor *c, const olist *l, uint32_t base, uint64_t *st,
                                   uint64_t seed)
{
    size_t at = 0;
    uint32_t d = ndb_cursor_next(c);
    while (d != NDB_DOC_END) {
        const uint32_t *p;
        uint32_t np;
        cr_assert_eq(d, base + l->docs[at]);
        if (ndb_rand_next(st) % 2 == 0) {
            cr_assert_eq(ndb_cursor_positions(c, &p, &np), NDB_OK);
            cr_assert_eq(np, l->freqs[at]);
            cr_assert(memcmp(p, l->pos + l->pos_off[at], np * 4) == 0,
                      "sparse positions at %zu " SEEDFMT, at, (unsigned long long)seed);
            if (ndb_rand_next(st) % 4 == 0) /* asked twice */
                cr_assert_eq(ndb_cursor_positions(c, &p, &np), NDB_OK);
        }
        at += 1 + ndb_rand_next(st) % (ndb_rand_next(st) % 3 == 0 ? 60 : 4);
        if (at >= l->n)
            break;
        d = ndb_cursor_seek_geq(c, base + l->docs[at]);
    }
    cr_assert_eq(c->err, NDB_OK);
}

static void format_case(size_t n, uint32_t span, uint32_t codec, uint64_t seed)
{
    uint64_t st = seed;
    olist l;
    enc_out o;
    olist_gen(&l, n, span, 40, &st);
    uint32_t base = (uint32_t)(ndb_rand_next(&st) % 100000);

    ndb_cursor *c = open_list(&l, base, span, codec, &o, true);
    cr_assert_eq(c->df, n);
    check_walk(c, &l, base, true, seed);
    ndb_cursor_close(c);
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);

    c = open_list(&l, base, span, codec, &o, false);
    const uint32_t *p;
    uint32_t np;
    ndb_cursor_next(c);
    cr_assert_eq(ndb_cursor_positions(c, &p, &np), NDB_EINVAL);
    ndb_cursor_close(c);
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);

    c = open_list(&l, base, span, codec, &o, true);
    check_sparse_positions(c, &l, base, &st, seed);
    ndb_cursor_close(c);
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);

    c = open_list(&l, base, span, codec, &o, true);
    check_seeks(c, &l, base, span, &st, seed);
    ndb_cursor_close(c);
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);

    c = open_list(&l, base, span, codec, &o, false);
    check_bulk(c, &l, base, &st, seed);
    ndb_cursor_close(c);
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);

    for (int ratio = 0; ratio < 2; ratio++) { /* skip entries with min_dl, then min_dlr */
        g_skip_ratio = ratio;
        c = open_list(&l, base, span, codec, &o, true);
        check_blocks(c, &l, base, span, &st, seed, ratio ? DLR_ENTRIES : DLR_DL);
        cr_assert_eq(ndb_cursor_next(c), base + l.docs[0], "block_seek moved the doc cursor");
        ndb_cursor_close(c);
        ndb_buf_fini(&o.doc);
        ndb_buf_fini(&o.pos);
    }
    g_skip_ratio = false;
    olist_free(&l);
}

Test(postings, format_sizes_bitpack)
{
    size_t sizes[] = {1, 2, 127, 128, 129, 255, 256, 257, 1000, 5000};
    uint64_t seed = ndb_test_seed(100);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        format_case(sizes[k], (uint32_t)(sizes[k] * 3 + 10), NDB_CODEC_BITPACK, seed + k);
        format_case(sizes[k], (uint32_t)sizes[k], NDB_CODEC_BITPACK, seed + 50 + k); /* dense */
    }
}

Test(postings, format_sizes_pfor2)
{
    size_t sizes[] = {1, 127, 128, 129, 256, 1000, 5000};
    uint64_t seed = ndb_test_seed(150);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        format_case(sizes[k], (uint32_t)(sizes[k] * 3 + 10), NDB_CODEC_PFOR2, seed + k);
        format_case(sizes[k], (uint32_t)(sizes[k] * 400 + 10), NDB_CODEC_PFOR2, seed + 50 + k);
    }
}

Test(postings, format_sizes_svb)
{
    size_t sizes[] = {1, 128, 129, 1000};
    uint64_t seed = ndb_test_seed(200);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
        format_case(sizes[k], (uint32_t)(sizes[k] * 50 + 10), NDB_CODEC_SVB, seed + k);
}

Test(postings, format_random)
{
    uint64_t seed = ndb_test_seed(300), st = seed;
    for (int k = 0; k < 40; k++) {
        size_t n = 1 + ndb_rand_next(&st) % 3000;
        uint32_t span = (uint32_t)(n + ndb_rand_next(&st) % (n * 20 + 1));
        format_case(n, span, NDB_CODEC_BITPACK, seed * 1000 + (uint64_t)k);
    }
}

/* Lists in position format fmt through format_case: every size around the block edges,
** sparse and dense (block codec `codec`), and 30 random ones. */
static void format_sweep(uint32_t fmt, uint32_t codec, uint64_t seed)
{
    size_t sizes[] = {1, 2, 127, 128, 129, 255, 256, 257, 1000, 5000};
    uint64_t st = seed;
    g_pos_fmt = fmt;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        format_case(sizes[k], (uint32_t)(sizes[k] * 3 + 10), codec, seed + k);
        format_case(sizes[k], (uint32_t)sizes[k], codec, seed + 50 + k);
    }
    for (int k = 0; k < 30; k++) {
        size_t n = 1 + ndb_rand_next(&st) % 3000;
        uint32_t span = (uint32_t)(n + ndb_rand_next(&st) % (n * 20 + 1));
        format_case(n, span, k % 3 ? NDB_CODEC_PFOR2 : NDB_CODEC_BITPACK, seed * 1000 + 7 + k);
    }
    g_pos_fmt = NDB_POS_GROUPS;
}

/* The dl-bounded positions (NDB_POS_DLBOUND) through the same oracle checks (their
** positions pass their doc lengths often, so the slack is exercised too). */
Test(postings, format_dlbound)
{
    format_sweep(NDB_POS_DLBOUND, NDB_CODEC_PFOR, ndb_test_seed(310));
}

/* Hand-made extremes of the dl-bounded positions, each list encoded and walked (all
** positions, then sparse reads); ndocs 200 docs, doc d gets length dl[d % 8]. */
static void dlbound_extreme(uint32_t fmt, uint32_t tf_kind, uint64_t seed)
{
    static const uint32_t dls[8] = {0, 1, 2, 3, 300, 65536, UINT32_MAX, 17};
    uint64_t st = seed;
    olist l;
    enc_out o;
    olist_alloc(&l, 200, 200 * 300 + 1);
    size_t k = 0;
    for (uint32_t d = 0; d < l.n; d++) {
        uint32_t dl = dls[d % 8], f;
        l.docs[d] = d;
        l.dls[d] = dl;
        l.pos_off[d] = (uint32_t)k;
        if (tf_kind == 0 || dl == 0 || dl > 300) { /* one position: 0, dl-1, or past dl */
            uint64_t r = ndb_rand_next(&st) % 4;
            uint32_t p = r == 0 ? 0 : r == 1 ? (dl ? dl - 1 : 0) : r == 2 ? UINT32_MAX : dl / 2;
            l.pos[k++] = p;
            f = 1;
        } else if (tf_kind == 1) { /* tf == dl: every position of the doc */
            for (uint32_t j = 0; j < dl; j++)
                l.pos[k++] = j;
            f = dl;
        } else { /* first and last position, and past the end by the paragraph breaks */
            l.pos[k++] = 0;
            if (dl > 1)
                l.pos[k++] = dl - 1;
            l.pos[k++] = dl + 5;
            f = dl > 1 ? 3 : 2;
        }
        l.freqs[d] = f;
    }
    l.pos_off[l.n] = (uint32_t)k;
    l.npos = k;
    olist_dlt(&l, 200);
    g_pos_fmt = fmt;
    ndb_cursor *c = open_list(&l, 0, 200, NDB_CODEC_PFOR, &o, true);
    check_walk(c, &l, 0, true, seed);
    ndb_cursor_close(c);
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);
    c = open_list(&l, 0, 200, NDB_CODEC_PFOR, &o, true);
    check_sparse_positions(c, &l, 0, &st, seed);
    ndb_cursor_close(c);
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);
    g_pos_fmt = NDB_POS_GROUPS;
    olist_free(&l);
}

Test(postings, dlbound_extremes)
{
    uint64_t seed = ndb_test_seed(320);
    for (uint32_t kind = 0; kind < 3; kind++)
        for (int r = 0; r < 4; r++)
            dlbound_extreme(NDB_POS_DLBOUND, kind, seed + 10 * kind + (uint64_t)r);
}

/* A segment's doc lengths are what bound the positions: a v2 list read with other lengths
** (a mismatched table) must not crash, and the one it was written with must be required. */
static void needs_doc_lengths(uint32_t fmt, uint64_t seed)
{
    uint64_t st = seed;
    olist l;
    enc_out o;
    olist_gen(&l, 600, 2000, 30, &st);
    g_pos_fmt = fmt;
    ndb_cursor *c = open_list(&l, 0, 2000, NDB_CODEC_PFOR, &o, true);
    ndb_cursor_close(c);
    ndb_postings_src src = {ndb_codec_get(NDB_CODEC_PFOR), o.doc.p, o.pos.p, o.doc.n, o.pos.n,
                            o.st.df, o.st.max_tf, o.st.min_dl, 0, 2000, fmt, NULL,
                            fmt == NDB_POS_RADIX, false};
    cr_assert_eq(ndb_postings_cursor_new(&src, true, &c), NDB_EINVAL, "no length table");
    cr_assert_eq(ndb_postings_cursor_new(&src, false, &c), NDB_OK, "docs need no lengths");
    ndb_cursor_close(c);
    src.pos_fmt = 7;
    cr_assert_eq(ndb_postings_cursor_new(&src, false, &c), NDB_ECORRUPT, "unknown format");
    src.pos_fmt = fmt;
    for (size_t i = 0; i < 2000; i++) /* shorter docs than written */
        ndb_put_u32le(l.dlt + 4 * i, ndb_get_u32le(l.dlt + 4 * i) / 3);
    src.dls = l.dlt;
    cr_assert_eq(ndb_postings_cursor_new(&src, true, &c), NDB_OK);
    for (uint32_t d = ndb_cursor_next(c); d != NDB_DOC_END; d = ndb_cursor_next(c)) {
        const uint32_t *p;
        uint32_t np;
        (void)ndb_cursor_positions(c, &p, &np);
    }
    ndb_cursor_close(c);
    g_pos_fmt = NDB_POS_GROUPS;
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);
    olist_free(&l);
}

Test(postings, dlbound_needs_doc_lengths)
{
    needs_doc_lengths(NDB_POS_DLBOUND, ndb_test_seed(330));
}

/* The v2 positions of 1,024 docs of lengths 50..1000 with one random position each take
** about E[log2 dl] = 8.7 bits a position (and the jump tables), below the 128-groups of v1,
** which pay for the longest doc of each group (the reason for v2). */
Test(postings, dlbound_is_smaller)
{
    uint64_t seed = ndb_test_seed(340), st = seed;
    olist l;
    olist_alloc(&l, 1024, 1024);
    for (uint32_t d = 0; d < l.n; d++) {
        l.docs[d] = 3 * d;
        l.freqs[d] = 1;
        l.dls[d] = 50 + (uint32_t)(ndb_rand_next(&st) % 950);
        l.pos_off[d] = d;
        l.pos[d] = (uint32_t)(ndb_rand_next(&st) % l.dls[d]);
    }
    l.pos_off[l.n] = (uint32_t)l.n;
    l.npos = l.n;
    olist_dlt(&l, 3 * 1024);
    size_t bytes[2] = {pos_bytes_in(&l, 3 * 1024, NDB_CODEC_PFOR, NDB_POS_GROUPS, seed),
                       pos_bytes_in(&l, 3 * 1024, NDB_CODEC_PFOR, NDB_POS_DLBOUND, seed)};
    cr_assert(bytes[1] * 8 < (size_t)(9.2 * 1024), "v2: %zu bytes", bytes[1]);
    cr_assert(bytes[1] * 10 < bytes[0] * 9, "v2 %zu bytes not 10%% below v1 %zu", bytes[1],
              bytes[0]);
    olist_free(&l);
}

Test(postings, encoder_rejects_bad_order)
{
    ndb_postings_enc e;
    ndb_buf d;
    ndb_postings_stats st;
    uint32_t pos[2] = {5, 5};
    ndb_postings_enc_init(&e, ndb_codec_get(NDB_CODEC_BITPACK));
    ndb_buf_init(&d, NDB_BUF_NOMAX);
    cr_assert_eq(ndb_postings_enc_finish(&e, &d, &st), NDB_EINVAL, "empty list accepted");
    cr_assert_eq(ndb_postings_enc_add(&e, 3, 1, pos, 10), NDB_OK);
    cr_assert_eq(ndb_postings_enc_add(&e, 3, 1, pos, 10), NDB_EINVAL, "repeated doc");
    cr_assert_eq(ndb_postings_enc_add(&e, 4, 0, pos, 10), NDB_EINVAL, "freq 0");
    cr_assert_eq(ndb_postings_enc_add(&e, 4, 2, pos, 10), NDB_EINVAL, "equal positions");
    ndb_buf_fini(&d);
    ndb_postings_enc_fini(&e);
}

/* Every byte of an encoded list flipped: the cursor ends (maybe with ECORRUPT), never
** crashes or runs out of range (run under ASan). */
static void corrupt_case(uint32_t codec, uint32_t fmt, uint64_t seed)
{
    uint64_t st = seed;
    olist l;
    enc_out o;
    olist_gen(&l, 700, 3000, 30, &st);
    g_pos_fmt = fmt;
    ndb_cursor *c = open_list(&l, 0, 3000, codec, &o, true);
    ndb_cursor_close(c);
    for (size_t which = 0; which < 2; which++) {
        ndb_buf *b = which ? &o.pos : &o.doc;
        for (size_t i = 0; i < b->n; i++) {
            uint8_t keep = b->p[i];
            b->p[i] ^= (uint8_t)(1u << (ndb_rand_next(&st) % 8));
            ndb_postings_src src = {ndb_codec_get(codec),
                                    o.doc.p,
                                    o.pos.p,
                                    o.doc.n,
                                    o.pos.n,
                                    o.st.df,
                                    o.st.max_tf,
                                    o.st.min_dl,
                                    0,
                                    3000,
                                    fmt,
                                    l.dlt,
                                    fmt == NDB_POS_RADIX,
                                    false};
            if (ndb_postings_cursor_new(&src, true, &c) == NDB_OK) {
                uint32_t prev = 0;
                size_t k = 0;
                for (uint32_t d = ndb_cursor_next(c); d != NDB_DOC_END;
                     d = ndb_cursor_next(c), k++) {
                    const uint32_t *p;
                    uint32_t np;
                    cr_assert(d < 3000 && (k == 0 || d > prev), "bad doc %u " SEEDFMT, d,
                              (unsigned long long)seed);
                    prev = d;
                    (void)ndb_cursor_positions(c, &p, &np);
                    (void)ndb_cursor_block_seek(c, d + 50);
                }
                ndb_cursor_close(c);
            }
            b->p[i] = keep;
        }
    }
    ndb_buf_fini(&o.doc);
    ndb_buf_fini(&o.pos);
    olist_free(&l);
}

Test(postings, corrupt_bytes_never_crash)
{
    corrupt_case(NDB_CODEC_BITPACK, NDB_POS_GROUPS, ndb_test_seed(400));
}

Test(postings, corrupt_bytes_never_crash_dlbound)
{
    corrupt_case(NDB_CODEC_PFOR, NDB_POS_DLBOUND, ndb_test_seed(401));
}

Test(postings, corrupt_bytes_never_crash_pfor2)
{
    corrupt_case(NDB_CODEC_PFOR2, NDB_POS_GROUPS, ndb_test_seed(402));
    corrupt_case(NDB_CODEC_PFOR2, NDB_POS_DLBOUND, ndb_test_seed(403));
}

/* ------------------------------------------------------------ mem cursor */

Test(postings, mem_cursor_matches_oracle)
{
    uint64_t seed = ndb_test_seed(500), st = seed;
    for (int k = 0; k < 10; k++) {
        olist l;
        size_t n = 1 + ndb_rand_next(&st) % 1000;
        uint32_t span = (uint32_t)(n * 4);
        olist_gen(&l, n, span, 20, &st);
        ndb_cursor *c = NULL;
        cr_assert_eq(ndb_cursor_mem_new(l.docs, l.freqs, l.dls, l.pos, l.pos_off, l.n, &c), NDB_OK);
        cr_assert_eq(c->df, n);
        check_walk(c, &l, 0, true, seed);
        ndb_cursor_close(c);
        cr_assert_eq(ndb_cursor_mem_new(l.docs, l.freqs, l.dls, l.pos, l.pos_off, l.n, &c), NDB_OK);
        check_seeks(c, &l, 0, span, &st, seed);
        ndb_cursor_close(c);
        cr_assert_eq(ndb_cursor_mem_new(l.docs, l.freqs, l.dls, l.pos, l.pos_off, l.n, &c), NDB_OK);
        check_blocks(c, &l, 0, span, &st, seed, DLR_EXACT);
        ndb_cursor_close(c);
        cr_assert_eq(ndb_cursor_mem_new(l.docs, l.freqs, l.dls, l.pos, l.pos_off, l.n, &c), NDB_OK);
        check_bulk(c, &l, 0, &st, seed);
        ndb_cursor_close(c);
        olist_free(&l);
    }
}

Test(postings, mem_cursor_edges)
{
    ndb_cursor *c = NULL;
    uint32_t docs[3] = {5, 5, 7}, freqs[3] = {1, 0, 1};
    const uint32_t *p;
    uint32_t np;
    cr_assert_eq(ndb_cursor_mem_new(NULL, NULL, NULL, NULL, NULL, 0, &c), NDB_OK);
    cr_assert_eq(ndb_cursor_next(c), NDB_DOC_END);
    cr_assert_eq(ndb_cursor_block_seek(c, 0), NDB_DOC_END);
    ndb_cursor_close(c);
    cr_assert_eq(ndb_cursor_mem_new(docs, NULL, NULL, NULL, NULL, 3, &c), NDB_EINVAL);
    cr_assert_null(c);
    docs[1] = 6;
    cr_assert_eq(ndb_cursor_mem_new(docs, freqs, NULL, NULL, NULL, 3, &c), NDB_EINVAL);
    cr_assert_eq(ndb_cursor_mem_new(docs, NULL, NULL, NULL, NULL, 3, &c), NDB_OK);
    cr_assert_eq(c->min_dl, 1);
    cr_assert_eq(ndb_cursor_seek_geq(c, 6), 6);
    cr_assert_eq(ndb_cursor_freq(c), 1);
    cr_assert_eq(ndb_cursor_positions(c, &p, &np), NDB_EINVAL);
    cr_assert_eq(ndb_cursor_seek_geq(c, 0), 6, "seek went backwards");
    cr_assert_eq(ndb_cursor_seek_geq(c, 8), NDB_DOC_END);
    ndb_cursor_close(c);
}

/* ------------------------------------------------------------ GROUPS2 (partial PFOR2) */

/* PFOR2 over 1..128 values: round-trips with outliers of any width; 128 values give the
** codec's own block, byte for byte; the size comes from the header and n; truncated
** blocks and an exception index past n are refused. */
Test(postings, codec_pfor2_partial)
{
    const ndb_codec *p2 = ndb_codec_get(NDB_CODEC_PFOR2);
    uint32_t in[NDB_BLOCK_DOCS], out[NDB_BLOCK_DOCS];
    uint8_t a[NDB_CODEC_MAX_BYTES], b[NDB_CODEC_MAX_BYTES];
    uint64_t seed = ndb_test_seed(17), st = seed;
    for (int round = 0; round < 600; round++) {
        size_t n = 1 + (size_t)(round % NDB_BLOCK_DOCS);
        for (size_t i = 0; i < n; i++)
            in[i] = (uint32_t)(ndb_rand_next(&st) % (round % 3 == 0 ? 2 : 900));
        for (int k = 0; k < round % 5; k++)
            in[ndb_rand_next(&st) % n] = (uint32_t)ndb_rand_next(&st) >> (k * 3);
        if (round == 77)
            for (size_t i = 0; i < n; i++)
                in[i] = i % 2 ? UINT32_MAX : 0;
        size_t m = ndb_pfor2_encode_n(in, n, a);
        cr_assert_eq(ndb_pfor2_size_n(a, m, n), m);
        memset(out, 0xee, sizeof out);
        cr_assert_eq(ndb_pfor2_decode_n(a, m, n, out), m, "n %zu NDB_SEED=%llu", n,
                     (unsigned long long)seed);
        cr_assert(memcmp(in, out, n * sizeof *in) == 0, "n %zu NDB_SEED=%llu", n,
                  (unsigned long long)seed);
        if (n == NDB_BLOCK_DOCS) {
            cr_assert_eq(p2->encode_block(in, b), m);
            cr_assert(memcmp(a, b, m) == 0, "a full partial block is the codec's block");
        }
        for (size_t cut = 0; cut < m; cut++)
            cr_assert_eq(ndb_pfor2_decode_n(a, cut, n, out), 0, "short input %zu accepted", cut);
        if (a[1] > 0 && n < NDB_BLOCK_DOCS) { /* the first exception's index, set to n */
            size_t at = 3 + (n * a[0] + 7) / 8;
            uint8_t keep = a[at];
            a[at] = (uint8_t)((keep & 0x80) | n);
            cr_assert_eq(ndb_pfor2_decode_n(a, m, n, out), 0, "exception index past n");
            a[at] = keep;
        }
        cr_assert_eq(ndb_pfor2_decode_n(a, m, 0, out), 0);
        cr_assert_eq(ndb_pfor2_decode_n(a, m, NDB_BLOCK_DOCS + 1, out), 0);
    }
}

/* Positions as NDB_POS_GROUPS2 through the oracle checks: lists of every size around the
** block edges (rests of 1, 127, 0 values), sparse and dense, random ones; and on lists of a
** rarer word (one or two positions per doc, spread over the doc) they take less room
** than GROUPS, whose rests are varints. */
Test(postings, format_groups2)
{
    uint64_t seed = ndb_test_seed(320), st = seed;
    format_sweep(NDB_POS_GROUPS2, NDB_CODEC_PFOR2, seed);
    olist l;
    olist_gen(&l, 2000, 6000, 2, &st);
    size_t bytes[2] = {pos_bytes_in(&l, 6000, NDB_CODEC_PFOR2, NDB_POS_GROUPS, seed),
                       pos_bytes_in(&l, 6000, NDB_CODEC_PFOR2, NDB_POS_GROUPS2, seed)};
    cr_assert(bytes[1] < bytes[0], "GROUPS2 %zu bytes not below GROUPS %zu", bytes[1], bytes[0]);
    olist_free(&l);
}

Test(postings, corrupt_bytes_never_crash_groups2)
{
    corrupt_case(NDB_CODEC_PFOR2, NDB_POS_GROUPS2, ndb_test_seed(404));
}

/* ------------------------------------------------------------ RADIX (first positions by dl) */

/* Positions as NDB_POS_RADIX through the oracle checks (sizes around the block edges, so
** triples of 1, 2 and 3 docs end blocks; sparse and dense; random lists), the extremes of
** the dl-bounded formats (lengths 0, 1, UINT32_MAX past the triple bound, positions past
** the length: the slack), its need of the length table, and corrupt bytes. */
Test(postings, format_radix)
{
    uint64_t seed = ndb_test_seed(350);
    format_sweep(NDB_POS_RADIX, NDB_CODEC_PFOR2, seed);
    for (uint32_t kind = 0; kind < 3; kind++)
        for (int r = 0; r < 4; r++)
            dlbound_extreme(NDB_POS_RADIX, kind, seed + 10 * kind + (uint64_t)r);
    needs_doc_lengths(NDB_POS_RADIX, seed + 100);
}

Test(postings, corrupt_bytes_never_crash_radix)
{
    corrupt_case(NDB_CODEC_PFOR2, NDB_POS_RADIX, ndb_test_seed(405));
}

/* The reason for RADIX: docs of lengths 50..1000 holding a word once or twice, at random
** places. Its first positions take about E[log2 dl] + 1/3 bit (the triples' rounding),
** under GROUPS2, which packs them with the gaps at the width of each group's largest. */
Test(postings, radix_is_smaller)
{
    uint64_t seed = ndb_test_seed(360), st = seed;
    olist l;
    olist_alloc(&l, 3000, 2 * 3000);
    double ideal = 0;
    size_t k = 0;
    for (uint32_t d = 0; d < l.n; d++) {
        l.docs[d] = 3 * d;
        l.dls[d] = 50 + (uint32_t)(ndb_rand_next(&st) % 950);
        l.freqs[d] = 1 + (ndb_rand_next(&st) % 4 == 0);
        l.pos_off[d] = (uint32_t)k;
        uint32_t p0 = (uint32_t)(ndb_rand_next(&st) % (l.dls[d] - 10));
        l.pos[k++] = p0;
        if (l.freqs[d] == 2)
            l.pos[k++] = p0 + 1 + (uint32_t)(ndb_rand_next(&st) % 8);
        ideal += log2(l.dls[d]);
    }
    l.pos_off[l.n] = (uint32_t)k;
    l.npos = k;
    olist_dlt(&l, 3 * 3000);
    size_t bytes[2] = {pos_bytes_in(&l, 3 * 3000, NDB_CODEC_PFOR2, NDB_POS_GROUPS2, seed),
                       pos_bytes_in(&l, 3 * 3000, NDB_CODEC_PFOR2, NDB_POS_RADIX, seed)};
    /* gaps of 1..8: ~3 bits each for the quarter of docs that have one */
    double bound = ideal + (double)l.n / 3.0 + 3.5 * (double)(k - l.n) +
                   24.0 * 8 * (double)((l.n + 127) / 128);
    cr_assert((double)bytes[1] * 8 < bound, "RADIX %zu bytes, bound %.0f bits", bytes[1], bound);
    cr_assert(bytes[1] * 100 < bytes[0] * 95, "RADIX %zu bytes not 5%% below GROUPS2 %zu",
              bytes[1], bytes[0]);
    olist_free(&l);
}
