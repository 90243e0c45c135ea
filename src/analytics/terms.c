/*
** terms.c — term statistics of a result set, from the index: frequent terms and terms
** over-represented against a background (log-odds with an informative Dirichlet prior).
**
** How: the matching set R (and the background set B) become bitmaps over [0, ndocs). Then
** the whole vocabulary is walked in byte order (view->prefix with an empty prefix); for
** each term that is not a stop word, its postings (doc, tf) are read once, and tf is added
** to the foreground count when the doc is in R, to the background count when it is in B \ R.
** Nothing is re-tokenized and no article body is read; counts are exact.
**
** That walk costs every posting of the archive, whatever |R| is. So when the view has a
** forward index (index/fwd.h: doc -> term ids, tf; written at add time) the same counts are
** taken from it instead, at O(tokens of R) (see terms_by_fwd: the whole-archive background
** comes from the term dictionary's collection frequencies minus superseded versions'
** records, so foreground and background both count live articles only). The postings walk
** stays for archives made without one. Both are bounded: more than `max_postings` postings
** (or forward entries) is NDB_ELIMIT, never a silent cut.
**
** Stop words: a term is dropped when it is the stem of a word of text's stop list (the
** index holds stems, so "this" -> "this", "does" -> "doe" are both caught), keeping the
** two sides of the comparison consistent with the analyzer.
**
** Scoring (Monroe, Colaresi and Quinn 2008, "Fightin' Words", eq. 16-22): y_w^i and y_w^j
** are the counts of w in R and in B \ R, n_i and n_j their sums over all (non-stop) terms,
** alpha_w = ALPHA0 * (y_w^i + y_w^j) / (n_i + n_j) the informative prior (background
** frequencies scaled to ALPHA0 = 1000 pseudo-counts), alpha_0 = ALPHA0,
**   delta_w = ln((y_i + a) / (n_i + a0 - y_i - a)) - ln((y_j + a) / (n_j + a0 - y_j - a))
**   var_w   = 1 / (y_i + a) + 1 / (y_j + a),   z_w = delta_w / sqrt(var_w).
** Terms are ranked by z desc, then term bytes asc (rule 23); frequent terms by count desc,
** then term asc. Each term's score depends only on its own counts and the totals, so the
** answer is deterministic.
**
** Bigrams: positions p and p+1 of one doc (the index leaves a position free between
** paragraphs and at a dropped long token, so neither is bridged); dropped when either word
** is a stop word (stop terms are skipped, so no pair with one is adjacent). The positions of
** every non-stop term in R become (doc, pos, term id) triples, radix-sorted; adjacent pairs
** are counted. O(postings + positions of R), ~48 bytes per token of R; past the bound
** (postings plus positions) NDB_ELIMIT. Term ids are in byte order: ties by (first, second).
** Threading: reentrant over a read-only view; the analyzer belongs to the calling thread.
*/
#include "analytics/analytics.h"
#include "index/fwd.h"

#include <math.h>
#include <stdlib.h>

#define TERMS_ALPHA0 1000.0
#define BIGRAM_MAX_OCC ((size_t)64 << 20) /* positions held at once: ~48 B each */

typedef struct terms_walk {
    const ndb_view *v;
    const uint64_t *fg, *bg; /* bitmaps; bg NULL when no background is needed */
    char **stops;            /* sorted stop stems */
    size_t nstops;
    uint64_t max_postings, postings;
    uint64_t n_fg, n_bg;
    ndb_analytics_term *terms;
    size_t n, cap;
    ndb_err *err;
} terms_walk;

static bool terms_bit(const uint64_t *b, uint32_t i)
{
    return (b[i >> 6] >> (i & 63)) & 1u;
}

static int terms_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stems of the stop list, sorted, deduplicated. */
static ndb_rc terms_stops(ndb_analyzer *an, char ***out, size_t *n)
{
    size_t k = ndb_text_stopword_count(), m = 0;
    char **s = ndb_calloc(k ? k : 1, sizeof *s);
    ndb_rc rc = s ? NDB_OK : NDB_ENOMEM;
    for (size_t i = 0; i < k && rc == NDB_OK; i++) {
        const char *w = ndb_text_stopword_at(i), *st;
        size_t sl;
        rc = ndb_text_stem(an, w, strlen(w), &st, &sl);
        if (rc == NDB_OK && !(s[m++] = ndb_strndup(st, sl)))
            rc = NDB_ENOMEM;
    }
    if (rc == NDB_OK && m > 1) {
        size_t u = 1;
        qsort(s, m, sizeof *s, terms_strcmp);
        for (size_t i = 1; i < m; i++) {
            if (strcmp(s[i], s[u - 1]) != 0)
                s[u++] = s[i];
            else
                ndb_free(s[i]);
        }
        m = u;
    }
    *out = s;
    *n = m;
    return rc;
}

static void terms_stops_free(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        ndb_free(s[i]);
    ndb_free(s);
}

static bool terms_is_stop(const terms_walk *w, const char *t)
{
    return bsearch(&t, w->stops, w->nstops, sizeof *w->stops, terms_strcmp) != NULL;
}

static ndb_rc terms_keep(terms_walk *w, const char *t, size_t n, uint64_t fg, uint64_t docs,
                         uint64_t bg)
{
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 1024;
        ndb_analytics_term *nt = ndb_realloc(w->terms, nc * sizeof *nt);
        if (!nt)
            return NDB_ENOMEM;
        w->terms = nt;
        w->cap = nc;
    }
    ndb_analytics_term *x = &w->terms[w->n];
    memset(x, 0, sizeof *x);
    x->term = ndb_strndup(t, n);
    if (!x->term)
        return NDB_ENOMEM;
    x->count = fg;
    x->docs = docs;
    x->bg_count = bg;
    w->n++;
    return NDB_OK;
}

/* One vocabulary term: read its postings once. */
static ndb_rc terms_visit(void *ctx, const char *t, size_t n)
{
    terms_walk *w = ctx;
    ndb_cursor *c = NULL;
    uint64_t fg = 0, docs = 0, bg = 0;
    char buf[NDB_TEXT_MAX_TERM * 4 + 1];
    ndb_rc rc;
    if (n >= sizeof buf)
        return NDB_OK; /* longer than any analyzed term: cannot be one */
    memcpy(buf, t, n);
    buf[n] = 0;
    if (terms_is_stop(w, buf))
        return NDB_OK;
    rc = w->v->term(w->v->ctx, t, n, false, &c);
    if (rc != NDB_OK || !c)
        return rc;
    w->postings += c->df;
    if (w->postings > w->max_postings) {
        ndb_cursor_close(c);
        return ndb_err_set(w->err, NDB_ELIMIT,
                           "term statistics would read more than %llu postings: narrow the "
                           "archive or raise the bound",
                           (unsigned long long)w->max_postings);
    }
    for (uint32_t d = ndb_cursor_next(c); d != NDB_DOC_END; d = ndb_cursor_next(c)) {
        if (d >= w->v->ndocs)
            break;
        if (terms_bit(w->fg, d)) {
            fg += ndb_cursor_freq(c);
            docs++;
        } else if (w->bg && terms_bit(w->bg, d)) {
            bg += ndb_cursor_freq(c);
        }
    }
    rc = c->err;
    ndb_cursor_close(c);
    if (rc != NDB_OK)
        return ndb_err_set(w->err, rc, "term statistics: index read failed");
    w->n_fg += fg;
    w->n_bg += bg;
    return fg > 0 ? terms_keep(w, t, n, fg, docs, bg) : NDB_OK;
}

typedef struct terms_fill {
    uint64_t *bits;
    uint64_t n;
} terms_fill;

static int terms_fill_cb(void *ctx, uint32_t id)
{
    terms_fill *f = ctx;
    f->bits[id >> 6] |= 1ull << (id & 63);
    f->n++;
    return 0;
}

static int terms_by_count(const void *pa, const void *pb)
{
    const ndb_analytics_term *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->term, b->term);
}

static int terms_by_z(const void *pa, const void *pb)
{
    const ndb_analytics_term *a = pa, *b = pb;
    if (a->z != b->z)
        return a->z > b->z ? -1 : 1;
    return strcmp(a->term, b->term);
}

void ndb_analytics_log_odds(uint64_t yi, uint64_t ni, uint64_t yj, uint64_t nj, double *delta,
                            double *z)
{
    double a = (ni + nj) ? TERMS_ALPHA0 * (double)(yi + yj) / (double)(ni + nj) : 0.0;
    double a0 = TERMS_ALPHA0;
    double li = log(((double)yi + a) / ((double)ni + a0 - (double)yi - a));
    double lj = log(((double)yj + a) / ((double)nj + a0 - (double)yj - a));
    double var = 1.0 / ((double)yi + a) + 1.0 / ((double)yj + a);
    *delta = li - lj;
    *z = *delta / sqrt(var);
}

/* Bitmaps of the foreground and (when significant) of background \ foreground. */
static ndb_rc terms_sets(const ndb_query *fg, const ndb_query *bg, const ndb_view *v,
                         bool significant, terms_fill *f, terms_fill *b, ndb_err *err)
{
    size_t words = ((size_t)v->ndocs + 63) / 64 + 1;
    ndb_rc rc = NDB_OK;
    f->bits = ndb_calloc(words, sizeof *f->bits);
    b->bits = significant ? ndb_calloc(words, sizeof *b->bits) : NULL;
    if (!f->bits || (significant && !b->bits))
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    rc = ndb_query_each(fg, v, terms_fill_cb, f, err);
    if (rc != NDB_OK || !significant)
        return rc;
    if (bg) {
        rc = ndb_query_each(bg, v, terms_fill_cb, b, err);
    } else {
        for (uint32_t id = 0; id < v->ndocs; id++) {
            if (v->live(v->ctx, id))
                terms_fill_cb(b, id);
        }
    }
    for (size_t i = 0; rc == NDB_OK && i < words; i++) {
        b->n -= (uint64_t)__builtin_popcountll(b->bits[i] & f->bits[i]);
        b->bits[i] &= ~f->bits[i];
    }
    return rc;
}

/* ---------------------------------------------------------------- forward index path */

typedef struct terms_fwd {
    const ndb_fwd *fwd;
    uint64_t *offs;    /* vocabulary offsets */
    uint8_t *stop;     /* [V]: 0 unknown, 1 stop word, 2 not */
    uint64_t *fgc;     /* [V] occurrences in R */
    uint32_t *fgd;     /* [V] docs of R */
    uint64_t *bgc;     /* [V] occurrences in B \ R (background query) or in superseded docs */
    uint32_t *touched; /* ids with fgd > 0, in first-seen order */
    size_t ntouched;
} terms_fwd;

typedef struct terms_fwd_key {
    const char *p;
    size_t n;
    uint32_t id;
} terms_fwd_key;

static int terms_fwd_key_cmp(const void *pa, const void *pb)
{
    const terms_fwd_key *a = pa, *b = pb;
    int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

static bool terms_fwd_stop(const terms_walk *w, terms_fwd *t, uint32_t id)
{
    if (!t->stop[id]) {
        const char *p;
        size_t n;
        char buf[NDB_TEXT_MAX_TERM * 4 + 1];
        bool stop = true; /* longer than any analyzed term: never counted (as in the walk) */
        ndb_fwd_term(t->fwd, t->offs, id, &p, &n);
        if (n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = 0;
            stop = terms_is_stop(w, buf);
        }
        t->stop[id] = stop ? 1 : 2;
    }
    return t->stop[id] == 1;
}

static ndb_rc terms_fwd_corrupt(terms_walk *w, uint32_t doc)
{
    return ndb_err_set(w->err, NDB_ECORRUPT, "forward index: doc %u: bad record", doc);
}

static ndb_rc terms_fwd_cost(terms_walk *w, uint64_t add)
{
    w->postings += add;
    if (w->postings > w->max_postings)
        return ndb_err_set(w->err, NDB_ELIMIT,
                           "term statistics would read more than %llu postings: narrow the "
                           "archive or raise the bound",
                           (unsigned long long)w->max_postings);
    return NDB_OK;
}

/* Foreground: every record of R. */
static ndb_rc terms_fwd_fg(terms_walk *w, terms_fwd *t, const uint64_t *bits, size_t words)
{
    for (size_t k = 0; k < words; k++) {
        for (uint64_t m = bits[k]; m; m &= m - 1) {
            uint32_t d = (uint32_t)(k * 64 + (size_t)__builtin_ctzll(m)), id, tf;
            ndb_fwd_iter it;
            bool more = true;
            ndb_rc rc;
            if (d >= w->v->ndocs)
                return NDB_OK;
            if (ndb_fwd_doc(t->fwd, d, &it) != NDB_OK)
                return terms_fwd_corrupt(w, d);
            if ((rc = terms_fwd_cost(w, it.left)) != NDB_OK)
                return rc;
            while (more) {
                if (ndb_fwd_next(t->fwd, &it, &id, &tf, &more) != NDB_OK)
                    return terms_fwd_corrupt(w, d);
                if (!more)
                    break;
                t->fgc[id] += tf;
                if (t->fgd[id]++ == 0)
                    t->touched[t->ntouched++] = id;
            }
        }
    }
    return NDB_OK;
}

/* Add the record of doc d to t->bgc; *nonstop += its non-stop tokens. */
static ndb_rc terms_fwd_bg_doc(terms_walk *w, terms_fwd *t, uint32_t d, uint64_t *nonstop)
{
    ndb_fwd_iter it;
    uint32_t id, tf;
    bool more = true;
    ndb_rc rc;
    if (ndb_fwd_doc(t->fwd, d, &it) != NDB_OK)
        return terms_fwd_corrupt(w, d);
    if ((rc = terms_fwd_cost(w, it.left)) != NDB_OK)
        return rc;
    while (more) {
        if (ndb_fwd_next(t->fwd, &it, &id, &tf, &more) != NDB_OK)
            return terms_fwd_corrupt(w, d);
        if (!more)
            break;
        t->bgc[id] += tf;
        if (!terms_fwd_stop(w, t, id))
            *nonstop += tf;
    }
    return NDB_OK;
}

/* The same counts as the postings walk, from the forward index (index/fwd.h): foreground
** from the records of R; background either from the records of B \ R (a background query)
** or, for the whole archive, as (collection frequency in the term dictionary) -
** (occurrences in superseded versions, from their records) - (occurrences in R): live
** occurrences only, the same definition as the foreground. n_bg likewise: all tokens -
** stop-word tokens - superseded non-stop tokens - n_fg. Cost: the tokens of R (+ of B \ R,
** or + of the superseded versions) and one dictionary lookup per distinct term of R, never
** the whole archive's postings. */
static ndb_rc terms_by_fwd(terms_walk *w, const terms_fill *f, const terms_fill *b, bool custom_bg,
                           bool significant)
{
    terms_fwd t;
    const ndb_view *v = w->v;
    size_t words = ((size_t)v->ndocs + 63) / 64 + 1;
    uint32_t nv;
    uint64_t dead_nonstop = 0, bg_nonstop = 0, n_fg = 0, *cf = NULL;
    terms_fwd_key *keep = NULL;
    const char **tp = NULL;
    size_t *tl = NULL, nk = 0;
    ndb_rc rc;
    memset(&t, 0, sizeof t);
    t.fwd = v->fwd;
    nv = ndb_fwd_nterms(t.fwd);
    rc = ndb_fwd_vocab(t.fwd, &t.offs, w->err);
    if (rc != NDB_OK)
        return rc;
    t.stop = ndb_calloc((size_t)nv + 1, 1);
    t.fgc = ndb_calloc((size_t)nv + 1, sizeof *t.fgc);
    t.fgd = ndb_calloc((size_t)nv + 1, sizeof *t.fgd);
    t.bgc = significant ? ndb_calloc((size_t)nv + 1, sizeof *t.bgc) : NULL;
    t.touched = ndb_malloc(((size_t)nv + 1) * sizeof *t.touched);
    if (!t.stop || !t.fgc || !t.fgd || !t.touched || (significant && !t.bgc)) {
        rc = ndb_err_set(w->err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    rc = terms_fwd_fg(w, &t, f->bits, words);
    if (rc == NDB_OK && significant && custom_bg) {
        for (size_t k = 0; k < words && rc == NDB_OK; k++)
            for (uint64_t m = b->bits[k]; m && rc == NDB_OK; m &= m - 1) {
                uint32_t d = (uint32_t)(k * 64 + (size_t)__builtin_ctzll(m));
                if (d < v->ndocs)
                    rc = terms_fwd_bg_doc(w, &t, d, &bg_nonstop);
            }
    } else if (rc == NDB_OK && significant) {
        for (uint32_t d = 0; d < v->ndocs && rc == NDB_OK; d++)
            if (!v->live(v->ctx, d))
                rc = terms_fwd_bg_doc(w, &t, d, &dead_nonstop);
    }
    if (rc != NDB_OK)
        goto out;
    for (size_t i = 0; i < t.ntouched; i++)
        if (!terms_fwd_stop(w, &t, t.touched[i]))
            n_fg += t.fgc[t.touched[i]];
    if (significant && !custom_bg) {
        uint64_t stop_tok = 0;
        for (size_t i = 0; i < w->nstops; i++)
            stop_tok += v->term_cf(v->ctx, w->stops[i], strlen(w->stops[i]));
        w->postings += w->nstops;
        bg_nonstop = ndb_fwd_total_tokens(t.fwd) - stop_tok - dead_nonstop - n_fg;
    }
    w->n_fg = n_fg;
    w->n_bg = significant ? bg_nonstop : 0;
    /* the kept terms, in byte order (so the dictionaries are read in one forward walk) */
    keep = ndb_malloc((t.ntouched ? t.ntouched : 1) * sizeof *keep);
    cf = ndb_calloc(t.ntouched ? t.ntouched : 1, sizeof *cf);
    tp = ndb_malloc((t.ntouched ? t.ntouched : 1) * sizeof *tp);
    tl = ndb_malloc((t.ntouched ? t.ntouched : 1) * sizeof *tl);
    if (!keep || !cf || !tp || !tl) {
        rc = ndb_err_set(w->err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < t.ntouched; i++) {
        if (terms_fwd_stop(w, &t, t.touched[i]))
            continue;
        keep[nk].id = t.touched[i];
        ndb_fwd_term(t.fwd, t.offs, t.touched[i], &keep[nk].p, &keep[nk].n);
        nk++;
    }
    if (significant && !custom_bg) {
        if (nk > 1)
            qsort(keep, nk, sizeof *keep, terms_fwd_key_cmp);
        for (size_t i = 0; i < nk; i++) {
            tp[i] = keep[i].p;
            tl[i] = keep[i].n;
        }
        if (v->terms_cf) {
            rc = v->terms_cf(v->ctx, tp, tl, nk, cf);
            if (rc != NDB_OK)
                rc = ndb_err_set(w->err, rc, "term statistics: term dictionary read failed");
        } else {
            for (size_t i = 0; i < nk; i++)
                cf[i] = v->term_cf(v->ctx, tp[i], tl[i]);
        }
        w->postings += nk;
    }
    for (size_t i = 0; i < nk && rc == NDB_OK; i++) {
        uint32_t id = keep[i].id;
        uint64_t bgn = 0;
        if (significant && custom_bg) {
            bgn = t.bgc[id];
        } else if (significant) {
            if (cf[i] < t.bgc[id] + t.fgc[id]) {
                rc = ndb_err_set(w->err, NDB_ECORRUPT,
                                 "forward index disagrees with the term dictionary on '%.*s'",
                                 (int)keep[i].n, keep[i].p);
                break;
            }
            bgn = cf[i] - t.bgc[id] - t.fgc[id];
        }
        rc = terms_keep(w, keep[i].p, keep[i].n, t.fgc[id], t.fgd[id], bgn);
        if (rc != NDB_OK)
            rc = ndb_err_set(w->err, rc, "out of memory");
    }
out:
    ndb_free(keep);
    ndb_free(cf);
    ndb_free(tp);
    ndb_free(tl);
    ndb_free(t.offs);
    ndb_free(t.stop);
    ndb_free(t.fgc);
    ndb_free(t.fgd);
    ndb_free(t.bgc);
    ndb_free(t.touched);
    return rc;
}

ndb_rc ndb_analytics_terms(const ndb_query *fg, const ndb_query *bg, const ndb_view *v,
                           ndb_analyzer *an, size_t top, bool significant, uint64_t max_postings,
                           ndb_analytics_terms_result **out, ndb_err *err)
{
    terms_walk w;
    terms_fill f = {NULL, 0}, b = {NULL, 0};
    ndb_analytics_terms_result *r = NULL;
    ndb_rc rc;
    memset(&w, 0, sizeof w);
    *out = NULL;
    rc = terms_sets(fg, bg, v, significant, &f, &b, err);
    if (rc == NDB_OK && terms_stops(an, &w.stops, &w.nstops) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    r = ndb_calloc(1, sizeof *r);
    if (rc == NDB_OK && !r)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc != NDB_OK)
        goto out;
    r->fg_docs = f.n;
    r->bg_docs = b.n;
    w.v = v;
    w.fg = f.bits;
    w.bg = b.bits;
    w.max_postings = max_postings;
    w.err = err;
    if (f.n > 0 && v->fwd && v->term_cf && ndb_fwd_ndocs(v->fwd) == v->ndocs) {
        rc = terms_by_fwd(&w, &f, &b, bg != NULL, significant);
        if (rc != NDB_OK)
            goto out;
    } else if (f.n > 0) {
        rc = v->prefix(v->ctx, "", 0, terms_visit, &w);
        if (rc != NDB_OK && err && err->rc == NDB_OK)
            rc = ndb_err_set(err, rc, "term statistics: %s", ndb_strerror(rc));
        if (rc != NDB_OK)
            goto out;
    }
    r->fg_tokens = w.n_fg;
    r->bg_tokens = w.n_bg;
    r->postings = w.postings;
    for (size_t i = 0; significant && i < w.n; i++)
        ndb_analytics_log_odds(w.terms[i].count, w.n_fg, w.terms[i].bg_count, w.n_bg,
                               &w.terms[i].delta, &w.terms[i].z);
    if (w.n > 1)
        qsort(w.terms, w.n, sizeof *w.terms, significant ? terms_by_z : terms_by_count);
    r->nall = w.n;
    r->n = top && top < w.n ? top : w.n;
    r->terms = w.terms;
    for (size_t i = r->n; i < w.n; i++)
        ndb_free(w.terms[i].term);
    w.terms = NULL;
out:
    for (size_t i = 0; w.terms && i < w.n; i++)
        ndb_free(w.terms[i].term);
    ndb_free(w.terms);
    terms_stops_free(w.stops, w.nstops);
    ndb_free(f.bits);
    ndb_free(b.bits);
    if (rc != NDB_OK) {
        ndb_analytics_terms_free(r);
        return rc;
    }
    *out = r;
    return NDB_OK;
}

void ndb_analytics_terms_free(ndb_analytics_terms_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        ndb_free(r->terms[i].term);
    ndb_free(r->terms);
    ndb_free(r);
}

/* ---------------------------------------------------------------- bigrams */

/* One token occurrence of a non-stop term in a matching doc. */
typedef struct bigram_occ {
    uint64_t key; /* doc << 32 | position */
    uint32_t tid; /* index into the walk's term table (byte order of the terms) */
} bigram_occ;

/* One adjacent pair: key = tid1 << 32 | tid2, tid = the doc it occurs in (same shape as
** an occurrence, so one radix sort serves both). */
typedef bigram_occ bigram_pair;

typedef struct bigram_walk {
    const ndb_view *v;
    const uint64_t *fg;  /* the docs whose positions are gathered (R, or R + B \ R) */
    const uint64_t *fgr; /* R alone (significant) or NULL */
    char **stops;
    size_t nstops;
    uint64_t max_cost, cost;
    char **terms; /* every non-stop term with a match, byte order */
    size_t nterms, tcap;
    bigram_occ *occ;
    size_t nocc, ocap;
    ndb_err *err;
} bigram_walk;

static ndb_rc bigram_limit(bigram_walk *w)
{
    return ndb_err_set(w->err, NDB_ELIMIT,
                       "bigram statistics would read more than %llu postings and positions: "
                       "narrow the query or raise the bound",
                       (unsigned long long)w->max_cost);
}

/* One vocabulary term: collect its positions in the matching docs. */
static ndb_rc bigram_visit(void *ctx, const char *t, size_t n)
{
    bigram_walk *w = ctx;
    terms_walk probe;
    ndb_cursor *c = NULL;
    char buf[NDB_TEXT_MAX_TERM * 4 + 1];
    size_t before = w->nocc;
    ndb_rc rc;
    if (n >= sizeof buf)
        return NDB_OK;
    memcpy(buf, t, n);
    buf[n] = 0;
    probe.stops = w->stops;
    probe.nstops = w->nstops;
    if (terms_is_stop(&probe, buf))
        return NDB_OK;
    rc = w->v->term(w->v->ctx, t, n, true, &c);
    if (rc != NDB_OK || !c)
        return rc;
    w->cost += c->df;
    for (uint32_t d = ndb_cursor_next(c); rc == NDB_OK && d != NDB_DOC_END;
         d = ndb_cursor_next(c)) {
        const uint32_t *pos;
        uint32_t np;
        if (d >= w->v->ndocs)
            break;
        if (!terms_bit(w->fg, d))
            continue;
        rc = ndb_cursor_positions(c, &pos, &np);
        if (rc != NDB_OK)
            break;
        w->cost += np;
        if (w->cost > w->max_cost) {
            ndb_cursor_close(c);
            return bigram_limit(w);
        }
        if (w->nocc + np > BIGRAM_MAX_OCC) {
            ndb_cursor_close(c);
            return ndb_err_set(w->err, NDB_ELIMIT,
                               "bigram statistics would hold more than %llu token positions "
                               "(about %llu MB): narrow the query or the background",
                               (unsigned long long)BIGRAM_MAX_OCC,
                               (unsigned long long)(BIGRAM_MAX_OCC * 48 >> 20));
        }
        if (w->nocc + np > w->ocap) {
            size_t nc = w->ocap ? w->ocap : 4096;
            while (nc < w->nocc + np)
                nc *= 2;
            bigram_occ *no = ndb_realloc(w->occ, nc * sizeof *no);
            if (!no) {
                rc = NDB_ENOMEM;
                break;
            }
            w->occ = no;
            w->ocap = nc;
        }
        for (uint32_t i = 0; i < np; i++) {
            w->occ[w->nocc].key = (uint64_t)d << 32 | pos[i];
            w->occ[w->nocc++].tid = (uint32_t)w->nterms;
        }
    }
    if (rc == NDB_OK)
        rc = c->err;
    ndb_cursor_close(c);
    if (w->cost > w->max_cost)
        return bigram_limit(w);
    if (rc != NDB_OK)
        return ndb_err_set(w->err, rc, "bigram statistics: index read failed");
    if (w->nocc == before)
        return NDB_OK;
    if (w->nterms == w->tcap) {
        size_t nc = w->tcap ? w->tcap * 2 : 1024;
        char **nt = ndb_realloc(w->terms, nc * sizeof *nt);
        if (!nt)
            return NDB_ENOMEM;
        w->terms = nt;
        w->tcap = nc;
    }
    if (!(w->terms[w->nterms] = ndb_strndup(t, n)))
        return NDB_ENOMEM;
    w->nterms++;
    return NDB_OK;
}

/* Stable LSD radix sort of a[n] by key, 11 bits a pass, only over the bits that vary
** (keys below 2^bits). tmp holds n items. Returns the array holding the result. */
static bigram_occ *bigram_radix(bigram_occ *a, bigram_occ *tmp, size_t n, unsigned bits)
{
    size_t cnt[2048];
    for (unsigned sh = 0; sh < bits; sh += 11) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(a[i].key >> sh) & 2047u]++;
        for (size_t i = 0, sum = 0; i < 2048; i++) {
            size_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[cnt[(a[i].key >> sh) & 2047u]++] = a[i];
        bigram_occ *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

static unsigned bigram_bits(uint64_t max)
{
    unsigned b = 0;
    while (b < 64 && (max >> b) != 0)
        b++;
    return b;
}

/* Distinct bigrams, ranked by count desc (or z desc), then (first, second) term ids = byte
** order. count/docs are the foreground's, bg the background's occurrences. */
typedef struct bigram_row {
    uint64_t ids, count, docs, bg;
    double delta, z;
} bigram_row;

static int bigram_row_zcmp(const void *pa, const void *pb)
{
    const bigram_row *a = pa, *b = pb;
    if (a->z != b->z)
        return a->z > b->z ? -1 : 1;
    return a->ids < b->ids ? -1 : a->ids > b->ids;
}

static int bigram_row_cmp(const void *pa, const void *pb)
{
    const bigram_row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->ids < b->ids ? -1 : a->ids > b->ids;
}

/* Adjacent pairs of the sorted occurrences, counted (per side when w->fgr: rows with a
** foreground occurrence only, *bgtotal = background pairs). *rows OWNED: ndb_free. */
static ndb_rc bigram_count(bigram_walk *w, bigram_row **rows, size_t *nrows, uint64_t *total,
                           uint64_t *bgtotal)
{
    uint64_t nfg = 0, nbg = 0;
    bigram_occ *tmp = NULL, *o;
    bigram_pair *p = NULL, *ps = NULL;
    bigram_row *r = NULL;
    size_t np = 0, nr = 0;
    uint64_t mx = 0;
    ndb_rc rc = NDB_OK;
    *rows = NULL;
    *nrows = 0;
    *total = 0;
    tmp = ndb_malloc((w->nocc ? w->nocc : 1) * sizeof *tmp);
    p = ndb_malloc((w->nocc ? w->nocc : 1) * sizeof *p);
    if (!tmp || !p) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < w->nocc; i++)
        mx = w->occ[i].key > mx ? w->occ[i].key : mx;
    o = bigram_radix(w->occ, tmp, w->nocc, bigram_bits(mx)); /* by (doc, pos) */
    for (size_t i = 0; i + 1 < w->nocc; i++) {
        if (o[i + 1].key == o[i].key + 1 && (o[i].key & 0xFFFFFFFFu) != 0xFFFFFFFFu) {
            p[np].key = (uint64_t)o[i].tid << 32 | o[i + 1].tid;
            p[np++].tid = (uint32_t)(o[i].key >> 32);
        }
    }
    /* pairs come in doc order; the stable sort by ids keeps it within each bigram */
    ps = bigram_radix(p, o == w->occ ? tmp : w->occ, np,
                      w->nterms ? 32 + bigram_bits(w->nterms - 1) : 0);
    r = ndb_malloc((np ? np : 1) * sizeof *r);
    if (!r) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        bool in_fg = !w->fgr || terms_bit(w->fgr, ps[i].tid);
        if (nr == 0 || r[nr - 1].ids != ps[i].key) {
            if (nr > 0 && r[nr - 1].count == 0)
                nr--; /* background only: not a term of the result set */
            memset(&r[nr], 0, sizeof r[nr]);
            r[nr++].ids = ps[i].key;
        }
        if (!in_fg) {
            r[nr - 1].bg++;
            nbg++;
            continue;
        }
        nfg++;
        r[nr - 1].count++;
        if (i == 0 || ps[i - 1].key != ps[i].key || ps[i - 1].tid != ps[i].tid)
            r[nr - 1].docs++;
    }
    if (nr > 0 && r[nr - 1].count == 0)
        nr--;
    for (size_t i = 0; w->fgr && i < nr; i++)
        ndb_analytics_log_odds(r[i].count, nfg, r[i].bg, nbg, &r[i].delta, &r[i].z);
    if (nr > 1)
        qsort(r, nr, sizeof *r, w->fgr ? bigram_row_zcmp : bigram_row_cmp);
    *rows = r;
    *nrows = nr;
    *total = nfg;
    *bgtotal = nbg;
    r = NULL;
out:
    ndb_free(tmp);
    ndb_free(p);
    ndb_free(r);
    return rc;
}

/* Build the kept rows' "first second" strings. */
static ndb_rc bigram_result(const bigram_walk *w, const bigram_row *rows, size_t nrows,
                            size_t top, ndb_analytics_terms_result *r)
{
    size_t n = top && top < nrows ? top : nrows;
    r->terms = ndb_calloc(n ? n : 1, sizeof *r->terms);
    if (!r->terms)
        return NDB_ENOMEM;
    r->nall = nrows;
    for (size_t i = 0; i < n; i++) {
        const char *a = w->terms[rows[i].ids >> 32], *b = w->terms[rows[i].ids & 0xFFFFFFFFu];
        size_t la = strlen(a), lb = strlen(b);
        char *s = ndb_malloc(la + lb + 2);
        if (!s)
            return NDB_ENOMEM;
        memcpy(s, a, la);
        s[la] = ' ';
        memcpy(s + la + 1, b, lb + 1);
        r->terms[r->n].term = s;
        r->terms[r->n].count = rows[i].count;
        r->terms[r->n].bg_count = rows[i].bg;
        r->terms[r->n].delta = rows[i].delta;
        r->terms[r->n].z = rows[i].z;
        r->terms[r->n++].docs = rows[i].docs;
    }
    return NDB_OK;
}

ndb_rc ndb_analytics_bigrams(const ndb_query *fg, const ndb_query *bg, const ndb_view *v,
                             ndb_analyzer *an, size_t top, bool significant, uint64_t max_cost,
                             ndb_analytics_terms_result **out, ndb_err *err)
{
    bigram_walk w;
    terms_fill f = {NULL, 0}, b = {NULL, 0};
    ndb_analytics_terms_result *r = NULL;
    bigram_row *rows = NULL;
    uint64_t *both = NULL;
    size_t nrows = 0, words = ((size_t)v->ndocs + 63) / 64 + 1;
    uint64_t total = 0, bgtotal = 0;
    ndb_rc rc;
    memset(&w, 0, sizeof w);
    *out = NULL;
    rc = terms_sets(fg, bg, v, significant, &f, &b, err);
    if (rc == NDB_OK && terms_stops(an, &w.stops, &w.nstops) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    r = ndb_calloc(1, sizeof *r);
    if (rc == NDB_OK && !r)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && significant) {
        /* one walk over R and B \ R together; each pair is told apart by its doc */
        if (!(both = ndb_malloc(words * sizeof *both)))
            rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        for (size_t i = 0; rc == NDB_OK && i < words; i++)
            both[i] = f.bits[i] | b.bits[i];
    }
    if (rc != NDB_OK)
        goto out;
    r->fg_docs = f.n;
    r->bg_docs = b.n;
    w.v = v;
    w.fg = significant ? both : f.bits;
    w.fgr = significant ? f.bits : NULL;
    w.max_cost = max_cost;
    w.err = err;
    if (f.n > 0) {
        rc = v->prefix(v->ctx, "", 0, bigram_visit, &w);
        if (rc != NDB_OK && err && err->rc == NDB_OK)
            rc = ndb_err_set(err, rc, "bigram statistics: %s", ndb_strerror(rc));
        if (rc == NDB_OK && bigram_count(&w, &rows, &nrows, &total, &bgtotal) != NDB_OK)
            rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        if (rc == NDB_OK && bigram_result(&w, rows, nrows, top, r) != NDB_OK)
            rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        if (rc != NDB_OK)
            goto out;
    }
    r->fg_tokens = total;
    r->bg_tokens = bgtotal;
    r->postings = w.cost;
out:
    for (size_t i = 0; i < w.nterms; i++)
        ndb_free(w.terms[i]);
    ndb_free(w.terms);
    ndb_free(w.occ);
    ndb_free(rows);
    terms_stops_free(w.stops, w.nstops);
    ndb_free(f.bits);
    ndb_free(b.bits);
    ndb_free(both);
    if (rc != NDB_OK) {
        ndb_analytics_terms_free(r);
        return rc;
    }
    *out = r;
    return NDB_OK;
}
