/* Test oracle for index/ tests: a random corpus kept as plain per-term arrays, fed to one
** or more segment writers, and checkers comparing segments/cursors with it.
** Header-only (static inline) so each test binary includes what it uses. */
#ifndef NDB_TESTS_INDEX_SEG_ORACLE_H
#define NDB_TESTS_INDEX_SEG_ORACLE_H

#include <criterion/criterion.h>

#include "common/testutil.h"
#include "index/multi.h"
#include "index/seg_int.h"
#include "index/segment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct orc_term {
    char *s;
    size_t n;
    uint32_t *docs, *freqs, *pos, *pos_off; /* pos_off[i]: start of doc i's positions */
    size_t nd, cd, np, cp;
} orc_term;

typedef struct orc {
    uint64_t seed;
    orc_term *t;
    size_t nt;
    uint32_t ndocs;
    uint32_t *dls;
} orc;

/* Term i: base-8 digits of i+1 as letters a..h (lots of shared prefixes), optionally made
** longer; a few fixed special terms at the end of the vocabulary. */
static inline char *orc_term_name(size_t i, size_t *n)
{
    char buf[NDB_TERM_MAX + 1];
    size_t k = 0, v = i + 1;
    while (v > 0) {
        buf[k++] = (char)('a' + v % 8);
        v /= 8;
    }
    buf[k] = 0;
    *n = k;
    return strdup(buf);
}

static inline void orc_init(orc *o, size_t vocab, uint64_t seed)
{
    memset(o, 0, sizeof *o);
    o->seed = seed;
    o->nt = vocab + 3;
    o->t = calloc(o->nt, sizeof *o->t);
    for (size_t i = 0; i < vocab; i++)
        o->t[i].s = orc_term_name(i, &o->t[i].n);
    /* a 1-byte term outside a..h, a 64-byte term and a maximal one */
    o->t[vocab].s = strdup("z");
    o->t[vocab].n = 1;
    o->t[vocab + 1].s = calloc(65, 1);
    memset(o->t[vocab + 1].s, 'q', 64);
    o->t[vocab + 1].n = 64;
    o->t[vocab + 2].s = calloc(NDB_TERM_MAX + 1, 1);
    for (size_t k = 0; k < NDB_TERM_MAX; k++)
        o->t[vocab + 2].s[k] = (char)(0x80 + k % 100); /* high bytes: sort after ASCII */
    o->t[vocab + 2].n = NDB_TERM_MAX;
}

static inline void orc_free(orc *o)
{
    for (size_t i = 0; i < o->nt; i++) {
        free(o->t[i].s);
        free(o->t[i].docs);
        free(o->t[i].freqs);
        free(o->t[i].pos);
        free(o->t[i].pos_off);
    }
    free(o->t);
    free(o->dls);
}

static inline void orc_add(orc_term *t, uint32_t doc, uint32_t pos)
{
    if (t->nd == 0 || t->docs[t->nd - 1] != doc) {
        if (t->nd == t->cd) {
            t->cd = t->cd ? 2 * t->cd : 8;
            t->docs = realloc(t->docs, t->cd * 4);
            t->freqs = realloc(t->freqs, t->cd * 4);
            t->pos_off = realloc(t->pos_off, (t->cd + 1) * 4);
        }
        t->docs[t->nd] = doc;
        t->freqs[t->nd] = 0;
        t->pos_off[t->nd] = (uint32_t)t->np;
        t->nd++;
    }
    if (t->np == t->cp) {
        t->cp = t->cp ? 2 * t->cp : 8;
        t->pos = realloc(t->pos, t->cp * 4);
    }
    t->pos[t->np++] = pos;
    t->freqs[t->nd - 1]++;
    t->pos_off[t->nd] = (uint32_t)t->np;
}

/* Generate ndocs docs (global ids from 0) of 1..maxlen tokens, zipf-like term choice;
** every `every`-th vocabulary slot... plus the special terms now and then. Docs are fed to
** writers: doc d goes to the writer whose range holds it (cuts[k] = first doc of writer
** k+1). Returns the total number of tokens. */
static inline uint64_t orc_gen(orc *o, uint32_t ndocs, uint32_t maxlen, ndb_segw **w,
                               const uint32_t *cuts, size_t nw, bool term_in_every_doc)
{
    uint64_t st = o->seed, tokens = 0;
    size_t vocab = o->nt - 3, k = 0;
    o->ndocs = ndocs;
    o->dls = calloc(ndocs + 1, 4);
    for (uint32_t d = 0; d < ndocs; d++) {
        while (k + 1 < nw && d >= cuts[k])
            k++;
        uint32_t len = 1 + (uint32_t)(ndb_rand_next(&st) % maxlen), pos = 0;
        cr_assert_eq(ndb_segw_begin_doc(w[k], d), NDB_OK);
        for (uint32_t j = 0; j < len; j++) {
            uint64_t r = ndb_rand_next(&st);
            size_t ti;
            if (term_in_every_doc && j == 0)
                ti = 0;
            else if (r % 200 == 0)
                ti = vocab + (r >> 32) % 3;
            else {
                double u = (double)(r >> 11) / 9007199254740992.0;
                ti = (size_t)pow((double)vocab, u) - 1; /* log-uniform ~ zipf(1) */
                if (ti >= vocab)
                    ti = vocab - 1;
            }
            if (r % 50 == 1)
                pos++; /* paragraph gap */
            orc_add(&o->t[ti], d, pos);
            cr_assert_eq(ndb_segw_add_token(w[k], o->t[ti].s, o->t[ti].n, pos), NDB_OK);
            pos++;
            tokens++;
        }
        o->dls[d] = len;
        cr_assert_eq(ndb_segw_end_doc(w[k], len), NDB_OK);
    }
    return tokens;
}

/* Oracle docs of term t within [lo, hi) as index range [*a, *b). */
static inline void orc_range(const orc_term *t, uint32_t lo, uint32_t hi, size_t *a, size_t *b)
{
    size_t i = 0;
    while (i < t->nd && t->docs[i] < lo)
        i++;
    *a = i;
    while (i < t->nd && t->docs[i] < hi)
        i++;
    *b = i;
}

/* Walk cursor c and compare with oracle docs [a, b) of t. */
static inline void orc_walk(ndb_cursor *c, const orc *o, const orc_term *t, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        uint32_t d = ndb_cursor_next(c);
        cr_assert_eq(d, t->docs[i], "term %s doc #%zu: %u != %u NDB_SEED=%llu", t->s, i, d,
                     t->docs[i], (unsigned long long)o->seed);
        cr_assert_eq(ndb_cursor_freq(c), t->freqs[i], "term %s doc %u freq", t->s, d);
        const uint32_t *p;
        uint32_t np;
        cr_assert_eq(ndb_cursor_positions(c, &p, &np), NDB_OK);
        cr_assert_eq(np, t->freqs[i]);
        cr_assert(memcmp(p, t->pos + t->pos_off[i], np * 4) == 0,
                  "term %s doc %u positions NDB_SEED=%llu", t->s, d, (unsigned long long)o->seed);
    }
    cr_assert_eq(ndb_cursor_next(c), NDB_DOC_END, "term %s: extra docs", t->s);
    cr_assert_eq(c->err, NDB_OK);
}

/* Mixed next/seek_geq/block_seek against the oracle restricted to [a, b). Blocks: when
** exact, each 128 docs from a form a block (one segment) and its max tf and min_dlr are
** exact (ratio: the segment's skip entries hold min_dlr, so a list of several blocks gives
** the block's min of dl / tf; else min dl / max tf); else only bounds are checked. */
static inline void orc_seeks(ndb_cursor *c, const orc *o, const orc_term *t, size_t a, size_t b,
                             bool exact_blocks, bool ratio, uint64_t *st)
{
    size_t at = a;
    bool started = false, blocks_done = false;
    uint32_t bl_min = 0; /* block targets only increase past the last block returned */
    for (int step = 0; step < 300; step++) {
        uint64_t r = ndb_rand_next(st);
        uint32_t cur = started && at < b ? t->docs[at] : 0;
        if (started && at >= b)
            break;
        if (r % 4 == 0 && !blocks_done) {
            uint32_t tgt = cur + (uint32_t)((r >> 8) % (o->ndocs / 10 + 2));
            tgt = NDB_MAX(tgt, bl_min);
            uint32_t last = ndb_cursor_block_seek(c, tgt);
            blocks_done = last == NDB_DOC_END;
            bl_min = last + 1;
            size_t j = at;
            while (j < b && t->docs[j] < tgt)
                j++;
            if (j == b) {
                if (exact_blocks)
                    cr_assert_eq(last, NDB_DOC_END);
                continue;
            }
            cr_assert(last != NDB_DOC_END && last >= t->docs[j], "block_seek %u -> %u", tgt, last);
            uint32_t mt = ndb_cursor_block_max_tf(c), md = ndb_cursor_block_min_dlr(c);
            size_t lo = j, hi = j;
            if (exact_blocks) {
                lo = a + (j - a) / NDB_BLOCK_DOCS * NDB_BLOCK_DOCS;
                hi = NDB_MIN(b, lo + NDB_BLOCK_DOCS);
                cr_assert_eq(last, t->docs[hi - 1], "block last, term %s", t->s);
            } else {
                while (hi < b && t->docs[hi] <= last)
                    hi++;
                cr_assert(hi > lo && t->docs[hi - 1] == last, "block last not a doc");
            }
            uint32_t emt = 0, emd = UINT32_MAX, emr = UINT32_MAX;
            for (size_t i = lo; i < hi; i++) {
                emt = NDB_MAX(emt, t->freqs[i]);
                emd = NDB_MIN(emd, o->dls[t->docs[i]]);
                emr = NDB_MIN(emr, o->dls[t->docs[i]] / t->freqs[i]);
            }
            if (exact_blocks) {
                cr_assert_eq(mt, emt, "block max_tf, term %s", t->s);
                cr_assert_eq(md, ratio && b - a > NDB_BLOCK_DOCS ? emr : emd / emt,
                             "block min_dlr, term %s", t->s);
            } else {
                cr_assert(mt >= emt && md <= emr, "block bounds, term %s", t->s);
            }
            continue;
        }
        size_t want;
        uint32_t got;
        if (r % 4 == 1) {
            want = started ? at + 1 : a;
            got = ndb_cursor_next(c);
        } else {
            uint32_t tgt = cur + (uint32_t)((r >> 8) % (o->ndocs / 20 + 2));
            want = started ? at : a;
            while (want < b && t->docs[want] < tgt)
                want++;
            got = ndb_cursor_seek_geq(c, tgt);
        }
        started = true;
        at = want;
        cr_assert_eq(got, want < b ? t->docs[want] : NDB_DOC_END, "term %s step %d NDB_SEED=%llu",
                     t->s, step, (unsigned long long)o->seed);
        if (want < b)
            cr_assert_eq(ndb_cursor_freq(c), t->freqs[want]);
    }
}

/* Segment s (covering [base, base+ndocs)) holds exactly the oracle's postings there. */
static inline void orc_check_seg(const orc *o, const ndb_seg *s)
{
    uint32_t lo = ndb_seg_base(s), hi = lo + ndb_seg_ndocs(s);
    uint64_t nterms = 0, st = o->seed ^ 0x5eed;
    for (uint32_t d = lo; d < hi; d++)
        cr_assert_eq(ndb_seg_doclen(s, d), o->dls[d]);
    for (size_t i = 0; i < o->nt; i++) {
        const orc_term *t = &o->t[i];
        size_t a, b;
        ndb_term_info ti;
        orc_range(t, lo, hi, &a, &b);
        bool found = ndb_seg_term(s, t->s, t->n, &ti);
        cr_assert_eq(found, b > a, "term %s presence NDB_SEED=%llu", t->s,
                     (unsigned long long)o->seed);
        if (!found)
            continue;
        nterms++;
        uint64_t cf = t->pos_off[b] - t->pos_off[a];
        cr_assert_eq(ti.df, b - a, "term %s df", t->s);
        cr_assert_eq(ti.cf, cf, "term %s cf", t->s);
        ndb_cursor *c = NULL;
        cr_assert_eq(ndb_seg_cursor(s, &ti, true, &c), NDB_OK);
        orc_walk(c, o, t, a, b);
        ndb_cursor_close(c);
        cr_assert_eq(ndb_seg_cursor(s, &ti, true, &c), NDB_OK);
        orc_seeks(c, o, t, a, b, true, s->skip_ratio, &st);
        ndb_cursor_close(c);
    }
    cr_assert_eq(ndb_seg_nterms(s), nterms);
}

typedef struct orc_names {
    char **v;
    size_t n, cap;
} orc_names;

static inline ndb_rc orc_collect(void *ctx, const char *term, size_t n)
{
    orc_names *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n] = malloc(n + 1);
    memcpy(l->v[l->n], term, n);
    l->v[l->n][n] = 0;
    l->n++;
    return NDB_OK;
}

static inline void orc_names_free(orc_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static inline int orc_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b); /* byte order (unsigned) */
}

/* Expected prefix enumeration over docs [lo, hi): sorted distinct oracle terms. */
static inline void orc_expect_prefix(const orc *o, const char *p, uint32_t lo, uint32_t hi,
                                     orc_names *out)
{
    size_t pn = strlen(p);
    for (size_t i = 0; i < o->nt; i++) {
        size_t a, b;
        orc_range(&o->t[i], lo, hi, &a, &b);
        if (b > a && o->t[i].n >= pn && memcmp(o->t[i].s, p, pn) == 0)
            orc_collect(out, o->t[i].s, o->t[i].n);
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, orc_strcmp);
}

static inline void orc_names_eq(const orc_names *a, const orc_names *b, const char *p,
                                uint64_t seed)
{
    cr_assert_eq(a->n, b->n, "prefix '%s': %zu terms, expected %zu NDB_SEED=%llu", p, a->n, b->n,
                 (unsigned long long)seed);
    for (size_t i = 0; i < a->n; i++)
        cr_assert_str_eq(a->v[i], b->v[i], "prefix '%s' #%zu", p, i);
}

#endif
