/*
** test_oracle.c — the query executors against a brute-force oracle.
**
** Seeded random corpora (small vocabulary so phrases, prefixes and collisions happen; some
** docs dead, some undated) in a memview; random queries generated as a test-side AST,
** rendered to text, parsed by ndb_query_parse, and run. For every query:
**   count == each-set size == brute force (straight recursion over the test AST on each
**   doc's token list and fields); top-k exhaustive == brute-force score-all-and-sort (ids
**   identical, scores within 1e-9 relative); top-k pruned == exhaustive bit for bit.
** Also: parser error columns, explain output, and every bench query parses.
** Replay a failure with NDB_SEED=<seed printed>.
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/memview.h"
#include "common/testutil.h"
#include "query/query.h"

/* ---------------------------------------------------------------- vocabulary */

static const char *vocab[] = {
    "elect",   "election", "elected", "vote",   "voter",  "voting",  "white",  "house",
    "houses",  "senate",   "senator", "war",    "peace",  "oil",     "gas",    "pipeline",
    "bank",    "banks",    "central", "rate",   "rates",  "price",   "prices", "market",
    "minister", "prime",   "press",   "mail",   "e",      "the",     "of",     "iran",
    "israel",  "climate",  "change",  "policy",
};
#define NVOCAB (sizeof vocab / sizeof vocab[0])
static char stems[NVOCAB][64];

/* the first four share most docs; rare.org holds about 1 in 60, solo.net exactly one (so
** outlet lists rarer than most terms lead the AND: exec's outlet-list path) */
static const char *outlets[] = {"bbc.co.uk", "nytimes.com", "presstv.com", "lemonde.fr",
                                "rare.org", "solo.net"};
#define NOUTLETS (int)(sizeof outlets / sizeof outlets[0])

typedef struct odoc {
    int32_t date;
    int outlet; /* -1 none */
    char url[64];
    bool live;
} odoc;

/* ---------------------------------------------------------------- test AST */

typedef enum okind { O_TERM, O_PHRASE, O_PREFIX, O_OUTLET, O_DATE, O_URL, O_ID, O_AND, O_OR, O_NOT } okind;

typedef struct onode {
    okind k;
    int w[4];   /* vocab indices (TERM: w[0], or w[0..1] for a hyphenated pair) */
    int nw;
    int slop;   /* PHRASE: -1 exact */
    char pre[16];
    int outlet;
    int32_t lo, hi;
    uint32_t id;
    struct onode *kid[4];
    int nk;
} onode;

typedef struct gen {
    uint64_t rng;
    onode pool[512];
    int npool;
    int leaves;
    uint32_t ndocs;
    odoc *docs;
} gen;

static uint32_t rnd(gen *g, uint32_t n)
{
    return (uint32_t)(ndb_rand_next(&g->rng) % n);
}

static onode *gnew(gen *g, okind k)
{
    onode *n = &g->pool[g->npool++];
    memset(n, 0, sizeof *n);
    n->k = k;
    return n;
}

static onode *gen_node(gen *g, int depth);

static onode *gen_leaf(gen *g)
{
    uint32_t r = rnd(g, 100);
    onode *n;
    g->leaves++;
    if (r < 45) {
        n = gnew(g, O_TERM);
        n->w[0] = (int)rnd(g, NVOCAB);
        n->nw = 1;
        if (rnd(g, 10) == 0) { /* hyphenated pair: a phrase of two tokens */
            n->w[1] = (int)rnd(g, NVOCAB);
            n->nw = 2;
        }
    } else if (r < 62) {
        n = gnew(g, O_PHRASE);
        n->nw = 2 + (int)rnd(g, 2);
        for (int i = 0; i < n->nw; i++)
            n->w[i] = (int)rnd(g, NVOCAB);
        n->slop = rnd(g, 2) ? -1 : (int)rnd(g, 4);
    } else if (r < 70) {
        n = gnew(g, O_PREFIX);
        const char *s = stems[rnd(g, NVOCAB)];
        size_t l = 1 + rnd(g, 4);
        if (l > strlen(s))
            l = strlen(s);
        memcpy(n->pre, s, l);
        n->pre[l] = 0;
    } else if (r < 78) {
        n = gnew(g, O_OUTLET);
        n->outlet = (int)rnd(g, NOUTLETS + 1) - 1; /* -1: an unknown outlet */
    } else if (r < 92) {
        n = gnew(g, O_DATE);
    } else if (r < 96) {
        n = gnew(g, O_URL);
        n->id = rnd(g, g->ndocs);
    } else {
        n = gnew(g, O_ID);
        n->id = rnd(g, g->ndocs + 2);
    }
    return n;
}

static onode *gen_node(gen *g, int depth)
{
    uint32_t r = rnd(g, 100);
    if (depth >= 3 || r < 35 || g->npool > 480)
        return gen_leaf(g);
    if (r < 45) {
        onode *n = gnew(g, O_NOT);
        n->kid[0] = gen_node(g, depth + 1);
        n->nk = 1;
        return n;
    }
    onode *n = gnew(g, r < 75 ? O_AND : O_OR);
    n->nk = 2 + (int)rnd(g, 3);
    for (int i = 0; i < n->nk; i++)
        n->kid[i] = gen_node(g, depth + 1);
    return n;
}

/* Date filters: render one of the syntaxes, compute [lo, hi] independently. */
static void render_date(gen *g, onode *n, char *b, size_t cap)
{
    int y = 2014 + (int)rnd(g, 6), m = 1 + (int)rnd(g, 12), d = 1 + (int)rnd(g, 28);
    int32_t day, ms, me, ys, ye;
    ndb_date_from_ymd(y, m, d, &day);
    ndb_date_from_ymd(y, m, 1, &ms);
    ndb_date_from_ymd(y, 1, 1, &ys);
    ndb_date_from_ymd(y, 12, 31, &ye);
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int mdays = dim[m - 1] + (m == 2 && y % 4 == 0 ? 1 : 0);
    ndb_date_from_ymd(y, m, mdays, &me);
    int32_t lo = INT32_MIN + 1, hi = INT32_MAX;
    switch (rnd(g, 10)) {
    case 0:
        snprintf(b, cap, "date:%04d-%02d-%02d", y, m, d);
        lo = hi = day;
        break;
    case 1:
        snprintf(b, cap, "date:%04d%02d%02d", y, m, d);
        lo = hi = day;
        break;
    case 2:
        snprintf(b, cap, "date:%04d", y);
        lo = ys;
        hi = ye;
        break;
    case 3:
        snprintf(b, cap, "date:%04d-%02d", y, m);
        lo = ms;
        hi = me;
        break;
    case 4: {
        int32_t day2 = day + (int32_t)rnd(g, 400);
        int y2, m2, d2;
        ndb_date_to_ymd(day2, &y2, &m2, &d2);
        snprintf(b, cap, "date:%04d%02d%02d..%04d%02d%02d", y, m, d, y2, m2, d2);
        lo = day;
        hi = day2;
        break;
    }
    case 5:
        snprintf(b, cap, "date:%04d-%02d..", y, m);
        lo = ms;
        break;
    case 6:
        snprintf(b, cap, "date:..%04d", y);
        hi = ye;
        break;
    case 7:
        snprintf(b, cap, "date:>=%04d-%02d", y, m);
        lo = ms;
        break;
    case 8:
        snprintf(b, cap, "date:>%04d-%02d-%02d", y, m, d);
        lo = day + 1;
        break;
    default:
        if (rnd(g, 2)) {
            snprintf(b, cap, "date:<%04d", y);
            hi = ys - 1;
        } else {
            snprintf(b, cap, "date:<=%04d-%02d-%02d", y, m, d);
            hi = day;
        }
        break;
    }
    n->lo = lo;
    n->hi = hi;
}

static void cat(char *b, size_t cap, const char *s)
{
    size_t l = strlen(b);
    snprintf(b + l, cap - l, "%s", s);
}

static void render(gen *g, onode *n, char *b, size_t cap, bool top)
{
    char tmp[128];
    switch (n->k) {
    case O_TERM:
        if (n->nw == 2)
            snprintf(tmp, sizeof tmp, "%s-%s", vocab[n->w[0]], vocab[n->w[1]]);
        else
            snprintf(tmp, sizeof tmp, "%s%s", rnd(g, 8) == 0 ? "+" : "", vocab[n->w[0]]);
        cat(b, cap, tmp);
        return;
    case O_PHRASE:
        cat(b, cap, "\"");
        for (int i = 0; i < n->nw; i++) {
            cat(b, cap, i ? " " : "");
            cat(b, cap, vocab[n->w[i]]);
        }
        cat(b, cap, "\"");
        if (n->slop >= 0) {
            snprintf(tmp, sizeof tmp, "~%d", n->slop);
            cat(b, cap, tmp);
        }
        return;
    case O_PREFIX:
        snprintf(tmp, sizeof tmp, "%s*", n->pre);
        cat(b, cap, tmp);
        return;
    case O_OUTLET:
        if (n->outlet < 0)
            snprintf(tmp, sizeof tmp, "outlet:nosuch.org");
        else
            snprintf(tmp, sizeof tmp, "outlet:%s%s", rnd(g, 3) == 0 ? "www." : "",
                     outlets[n->outlet]);
        cat(b, cap, tmp);
        return;
    case O_DATE:
        render_date(g, n, tmp, sizeof tmp);
        cat(b, cap, tmp);
        return;
    case O_URL:
        snprintf(tmp, sizeof tmp, "url:\"%s\"", g->docs[n->id].url);
        cat(b, cap, tmp);
        return;
    case O_ID:
        snprintf(tmp, sizeof tmp, "id:%u", n->id);
        cat(b, cap, tmp);
        return;
    case O_NOT:
        cat(b, cap, rnd(g, 2) ? "NOT " : "-");
        if (n->kid[0]->k == O_AND || n->kid[0]->k == O_OR || n->kid[0]->k == O_NOT) {
            cat(b, cap, "(");
            render(g, n->kid[0], b, cap, false);
            cat(b, cap, ")");
        } else {
            render(g, n->kid[0], b, cap, false);
        }
        return;
    case O_AND:
    case O_OR:
        if (!top)
            cat(b, cap, "(");
        for (int i = 0; i < n->nk; i++) {
            if (i)
                cat(b, cap, n->k == O_OR ? " OR " : (rnd(g, 2) ? " AND " : " "));
            bool paren = n->kid[i]->k == O_AND || n->kid[i]->k == O_OR;
            if (paren && !(n->k == O_AND && n->kid[i]->k == O_AND && rnd(g, 2)))
                render(g, n->kid[i], b, cap, false);
            else if (paren)
                render(g, n->kid[i], b, cap, false);
            else
                render(g, n->kid[i], b, cap, false);
        }
        if (!top)
            cat(b, cap, ")");
        return;
    }
}

/* ---------------------------------------------------------------- brute force */

typedef struct oracle {
    ndb_memview *mv;
    const ndb_view *v;
    odoc *docs;
    uint32_t ndocs;
    double df[64];  /* per vocab index: docs containing its stem */
} oracle;

static int stem_of_term(const char *t, uint32_t n)
{
    for (size_t i = 0; i < NVOCAB; i++)
        if (strlen(stems[i]) == n && memcmp(stems[i], t, n) == 0)
            return (int)i;
    return -1;
}

static bool has_term(oracle *o, uint32_t d, const char *stem)
{
    uint32_t n;
    const ndb_memview_tok *t = ndb_memview_tokens(o->mv, d, &n);
    for (uint32_t i = 0; i < n; i++)
        if (strlen(stem) == t[i].len && memcmp(stem, t[i].term, t[i].len) == 0)
            return true;
    return false;
}

static uint32_t tf_of(oracle *o, uint32_t d, const char *stem)
{
    uint32_t n, c = 0;
    const ndb_memview_tok *t = ndb_memview_tokens(o->mv, d, &n);
    for (uint32_t i = 0; i < n; i++)
        if (strlen(stem) == t[i].len && memcmp(stem, t[i].term, t[i].len) == 0)
            c++;
    return c;
}

/* Does a window [s, s + w] hold, for every distinct word, as many positions as the
** phrase names it? (proximity); exact: word i at p + i. */
static bool phrase_match(oracle *o, uint32_t d, const int *w0, int nw, int slop)
{
    int w[8];
    for (int i = 0; i < nw; i++) /* canonical vocab index of each word's stem */
        w[i] = stem_of_term(stems[w0[i]], (uint32_t)strlen(stems[w0[i]]));
    uint32_t n;
    const ndb_memview_tok *t = ndb_memview_tokens(o->mv, d, &n);
    if (n == 0)
        return false;
    uint32_t maxpos = t[n - 1].pos + 1;
    int *tab = calloc(maxpos, sizeof *tab);
    for (uint32_t i = 0; i < maxpos; i++)
        tab[i] = -2;
    for (uint32_t i = 0; i < n; i++)
        tab[t[i].pos] = stem_of_term(t[i].term, t[i].len);
    bool ok = false;
    for (uint32_t s = 0; s < maxpos && !ok; s++) {
        if (slop < 0) {
            ok = true;
            for (int i = 0; i < nw && ok; i++)
                ok = s + (uint32_t)i < maxpos && tab[s + (uint32_t)i] == w[i];
        } else {
            uint32_t win = (uint32_t)(nw - 1 + slop);
            ok = true;
            for (int i = 0; i < nw && ok; i++) {
                int need = 0, have = 0;
                for (int j = 0; j < nw; j++)
                    need += w[j] == w[i];
                for (uint32_t p = s; p <= s + win && p < maxpos; p++)
                    have += tab[p] == w[i];
                ok = have >= need;
            }
        }
    }
    free(tab);
    return ok;
}

static bool eval(oracle *o, const onode *n, uint32_t d)
{
    switch (n->k) {
    case O_TERM:
        if (n->nw == 2) {
            int w[2] = {n->w[0], n->w[1]};
            return phrase_match(o, d, w, 2, -1);
        }
        return has_term(o, d, stems[n->w[0]]);
    case O_PHRASE:
        return phrase_match(o, d, n->w, n->nw, n->slop);
    case O_PREFIX: {
        uint32_t cnt;
        const ndb_memview_tok *t = ndb_memview_tokens(o->mv, d, &cnt);
        size_t l = strlen(n->pre);
        for (uint32_t i = 0; i < cnt; i++)
            if (t[i].len >= l && memcmp(t[i].term, n->pre, l) == 0)
                return true;
        return false;
    }
    case O_OUTLET:
        return n->outlet >= 0 && o->docs[d].outlet == n->outlet;
    case O_DATE:
        return o->docs[d].date != NDB_DATE_NONE && o->docs[d].date >= n->lo &&
               o->docs[d].date <= n->hi;
    case O_URL: {
        /* the current version: the last doc with that url */
        uint32_t last = 0;
        for (uint32_t i = 0; i < o->ndocs; i++)
            if (strcmp(o->docs[i].url, o->docs[n->id].url) == 0)
                last = i;
        return d == last;
    }
    case O_ID:
        return d == n->id;
    case O_NOT:
        return !eval(o, n->kid[0], d);
    case O_AND:
        for (int i = 0; i < n->nk; i++)
            if (!eval(o, n->kid[i], d))
                return false;
        return true;
    case O_OR:
        for (int i = 0; i < n->nk; i++)
            if (eval(o, n->kid[i], d))
                return true;
        return false;
    }
    return false;
}

/* Scoring terms: distinct stems of positive TERM / PHRASE leaves, first appearance. */
static void sterms_of(const onode *n, bool neg, int *out, int *nout)
{
    switch (n->k) {
    case O_TERM:
    case O_PHRASE:
        if (neg)
            return;
        for (int i = 0; i < n->nw; i++) {
            bool seen = false;
            for (int j = 0; j < *nout; j++)
                seen |= out[j] == n->w[i] || strcmp(stems[out[j]], stems[n->w[i]]) == 0;
            if (!seen)
                out[(*nout)++] = n->w[i];
        }
        return;
    case O_NOT:
        sterms_of(n->kid[0], true, out, nout);
        return;
    case O_AND:
    case O_OR:
        for (int i = 0; i < n->nk; i++)
            sterms_of(n->kid[i], neg, out, nout);
        return;
    default:
        return;
    }
}

static double oracle_score(oracle *o, const int *st, int nst, uint32_t d)
{
    double N = o->v->ndocs, avgdl = (double)o->v->total_len / N, s = 0;
    for (int i = 0; i < nst; i++) {
        uint32_t tf = tf_of(o, d, stems[st[i]]);
        if (!tf)
            continue;
        double df = o->df[st[i]];
        double idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
        double dl = o->v->cols[d].len;
        s += idf * (tf * (1.2 + 1.0)) / (tf + 1.2 * (1.0 - 0.75 + 0.75 * dl / avgdl));
    }
    return s;
}

/* The same with Xapian 1.4's default BM25Weight (k1 1, b 0.5, min_normlen 0.5, its idf),
** written from Xapian's formula, not from exec.c's. */
static double oracle_score_xapian(oracle *o, const int *st, int nst, uint32_t d)
{
    double N = o->v->ndocs, avgdl = (double)o->v->total_len / N, s = 0;
    for (int i = 0; i < nst; i++) {
        uint32_t tf = tf_of(o, d, stems[st[i]]);
        if (!tf)
            continue;
        double df = o->df[st[i]];
        double tw = (N - df + 0.5) / (df + 0.5);
        if (tw < 2)
            tw = tw * 0.5 + 1;
        double normlen = fmax(o->v->cols[d].len / avgdl, 0.5);
        s += log(tw) * 2.0 * tf / (1.0 * (normlen * 0.5 + 0.5) + tf);
    }
    return s;
}

/* ---------------------------------------------------------------- corpus */

static void build_corpus(gen *g, oracle *o, uint32_t ndocs)
{
    cr_assert_eq(ndb_memview_new(NDB_STEM_ENGLISH, &o->mv), NDB_OK);
    ndb_analyzer *an = ndb_memview_analyzer(o->mv);
    for (size_t i = 0; i < NVOCAB; i++) {
        ndb_buf b;
        ndb_buf_init(&b, 1024);
        /* stem = the single analyzed token of the word */
        const char *stem;
        size_t sl;
        cr_assert_eq(ndb_text_fold(an, vocab[i], strlen(vocab[i]), &b), NDB_OK);
        cr_assert_eq(ndb_text_stem(an, (const char *)b.p, b.n, &stem, &sl), NDB_OK);
        snprintf(stems[i], sizeof stems[i], "%.*s", (int)sl, stem);
        ndb_buf_fini(&b);
    }
    g->docs = o->docs = calloc(ndocs, sizeof *o->docs);
    g->ndocs = o->ndocs = ndocs;
    uint32_t vsize = 10 + rnd(g, NVOCAB - 10); /* smaller vocab: more collisions */
    for (uint32_t d = 0; d < ndocs; d++) {
        char paras[3][1024];
        const char *pp[3];
        uint32_t np = 1 + rnd(g, 3);
        for (uint32_t p = 0; p < np; p++) {
            paras[p][0] = 0;
            uint32_t nw = rnd(g, 25);
            for (uint32_t w = 0; w < nw; w++) {
                const char *sep = w == 0 ? "" : (rnd(g, 10) == 0 ? ", " : (rnd(g, 15) == 0 ? "-" : " "));
                cat(paras[p], sizeof paras[p], sep);
                const char *word = vocab[rnd(g, vsize)];
                char up[64];
                snprintf(up, sizeof up, "%s", word);
                if (rnd(g, 8) == 0 && up[0] >= 'a' && up[0] <= 'z')
                    up[0] = (char)(up[0] - 'a' + 'A');
                cat(paras[p], sizeof paras[p], up);
            }
            pp[p] = paras[p];
        }
        odoc *od = &o->docs[d];
        od->date = rnd(g, 8) == 0 ? NDB_DATE_NONE : 16071 + (int32_t)rnd(g, 6 * 366);
        od->outlet = rnd(g, 6) == 0 ? -1 : rnd(g, 50) == 0 ? 4 : (int)rnd(g, 4);
        if (d == ndocs / 2)
            od->outlet = 5; /* solo.net's one doc */
        /* about 1 in 5 docs re-uses an earlier doc's url (a new version) */
        if (d > 0 && rnd(g, 5) == 0)
            memcpy(od->url, o->docs[rnd(g, d)].url, sizeof od->url); /* an earlier doc */
        else
            snprintf(od->url, sizeof od->url, "http://%s/a/%u", od->outlet >= 0 ? outlets[od->outlet] : "x.org", d);
        ndb_memview_doc md = {pp, np, od->date, od->outlet >= 0 ? outlets[od->outlet] : NULL,
                              od->url, true};
        cr_assert_eq(ndb_memview_add(o->mv, &md), NDB_OK);
    }
    /* live = last version of its url, plus a few random deaths (deleted) */
    for (uint32_t d = 0; d < ndocs; d++) {
        bool last = true;
        for (uint32_t x = d + 1; x < ndocs && last; x++)
            last = strcmp(o->docs[x].url, o->docs[d].url) != 0;
        o->docs[d].live = last && rnd(g, 20) != 0;
    }
    o->v = ndb_memview_view(o->mv);
    cr_assert_not_null(o->v);
    for (size_t i = 0; i < NVOCAB; i++) {
        o->df[i] = 0;
        for (uint32_t x = 0; x < ndocs; x++)
            o->df[i] += has_term(o, x, stems[i]);
    }
}

/* memview's live flags come from add; patch the view's live through a wrapper. */
static oracle *g_oracle;
static bool oracle_live(void *ctx, uint32_t id)
{
    (void)ctx;
    return g_oracle->docs[id].live;
}

typedef struct idset {
    uint32_t *v;
    size_t n;
} idset;

static int collect_id(void *ctx, uint32_t id)
{
    idset *s = ctx;
    s->v[s->n++] = id;
    return 0;
}

typedef struct bhit {
    uint32_t id;
    double score;
    int32_t date;
} bhit;

static ndb_sort g_sort;
static int bhit_cmp(const void *a, const void *b)
{
    const bhit *x = a, *y = b;
    if (g_sort == NDB_SORT_SCORE) {
        if (x->score != y->score)
            return x->score > y->score ? -1 : 1;
    } else {
        bool xn = x->date == NDB_DATE_NONE, yn = y->date == NDB_DATE_NONE;
        if (xn != yn)
            return xn ? 1 : -1;
        if (x->date != y->date)
            return (g_sort == NDB_SORT_DATE_DESC ? x->date > y->date : x->date < y->date) ? -1 : 1;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

static void run_round(uint64_t seed, uint32_t ndocs, int nqueries, int *skipped)
{
    gen g = {.rng = seed};
    oracle o = {0};
    build_corpus(&g, &o, ndocs);
    ndb_view view = *o.v;
    g_oracle = &o;
    view.live = oracle_live;
    const ndb_view *v = &view;
    ndb_analyzer *an = ndb_memview_analyzer(o.mv);
    uint32_t *ids = calloc(ndocs + 1, sizeof *ids);
    bhit *all = calloc(ndocs + 1, sizeof *all);
    ndb_query_hit hits[64], hits2[64];
    for (int qi = 0; qi < nqueries; qi++) {
        g.npool = 0;
        g.leaves = 0;
        onode *root = gen_node(&g, 0);
        char text[8192] = "";
        render(&g, root, text, sizeof text, true);
        ndb_query *q = NULL;
        ndb_err err;
        ndb_rc rc = ndb_query_parse(text, strlen(text), an, &q, &err);
        cr_assert_eq(rc, NDB_OK, "seed %llu query '%s': %s", (unsigned long long)seed, text,
                     err.msg);
        /* brute force */
        size_t nexp = 0;
        for (uint32_t d = 0; d < ndocs; d++)
            if (o.docs[d].live && eval(&o, root, d))
                all[nexp++].id = d;
        idset got = {ids, 0};
        uint64_t cnt = 0;
        rc = ndb_query_count(q, v, &cnt, &err);
        if (rc == NDB_ELIMIT) { /* cannot happen with this vocabulary */
            (*skipped)++;
            ndb_query_free(q);
            continue;
        }
        cr_assert_eq(rc, NDB_OK, "seed %llu '%s': %s", (unsigned long long)seed, text, err.msg);
        cr_assert_eq(ndb_query_each(q, v, collect_id, &got, &err), NDB_OK);
        ndb_buf ex;
        ndb_buf_init(&ex, 1 << 20);
        ndb_query_explain(q, &ex);
        ndb_buf_cstr(&ex);
        cr_assert_eq(cnt, nexp, "NDB_SEED=%llu ndocs %u query '%s' %s: count %llu, brute force %zu",
                     (unsigned long long)seed, ndocs, text, (char *)ex.p,
                     (unsigned long long)cnt, nexp);
        cr_assert_eq(got.n, nexp, "NDB_SEED=%llu query '%s'", (unsigned long long)seed, text);
        {
            /* the same docs as an all-live view (the count fast paths: df, OR bitmap,
            ** filtered AND) against the brute force over every doc */
            ndb_view av = *o.v;
            av.all_live = true;
            uint64_t nall = 0, c2 = 0;
            for (uint32_t d = 0; d < ndocs; d++)
                nall += eval(&o, root, d);
            cr_assert_eq(ndb_query_count(q, &av, &c2, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(c2, nall, "NDB_SEED=%llu query '%s' %s: all-live count %llu, brute force %llu",
                         (unsigned long long)seed, text, (char *)ex.p, (unsigned long long)c2,
                         (unsigned long long)nall);
        }
        for (size_t i = 0; i < nexp; i++)
            cr_assert_eq(got.v[i], all[i].id, "NDB_SEED=%llu query '%s' (%s): hit %zu is %u, want %u",
                         (unsigned long long)seed, text, (char *)ex.p, i, got.v[i], all[i].id);
        /* scores */
        int st[64], nst = 0;
        sterms_of(root, false, st, &nst);
        for (size_t i = 0; i < nexp; i++) {
            all[i].score = oracle_score(&o, st, nst, all[i].id);
            all[i].date = o.docs[all[i].id].date;
        }
        for (int si = 0; si < 3; si++) {
            g_sort = (ndb_sort)si;
            size_t k = 1 + rnd(&g, 20);
            qsort(all, nexp, sizeof *all, bhit_cmp);
            size_t n1, n2;
            uint64_t t1, t2;
            cr_assert_eq(ndb_query_topk(q, v, k, g_sort, true, hits, &n1, &t1, &err), NDB_OK,
                         "%s", err.msg);
            cr_assert_eq(ndb_query_topk(q, v, k, g_sort, false, hits2, &n2, &t2, &err), NDB_OK,
                         "%s", err.msg);
            cr_assert_eq(t1, nexp, "NDB_SEED=%llu '%s': total", (unsigned long long)seed, text);
            cr_assert_eq(t2, nexp, "NDB_SEED=%llu '%s': pruned total", (unsigned long long)seed, text);
            cr_assert_eq(n1, nexp < k ? nexp : k);
            cr_assert_eq(n2, n1);
            for (size_t i = 0; i < n1; i++) {
                cr_assert_eq(hits[i].id, all[i].id,
                             "NDB_SEED=%llu '%s' (%s) sort %d: hit %zu id %u (%.17g), brute force %u (%.17g)",
                             (unsigned long long)seed, text, (char *)ex.p, si, i, hits[i].id,
                             hits[i].score, all[i].id, all[i].score);
                double tol = 1e-9 * fmax(1.0, fabs(all[i].score));
                cr_assert(fabs(hits[i].score - all[i].score) <= tol,
                          "NDB_SEED=%llu '%s': score %.17g vs %.17g", (unsigned long long)seed,
                          text, hits[i].score, all[i].score);
                cr_assert_eq(hits2[i].id, hits[i].id,
                             "NDB_SEED=%llu '%s' sort %d: pruned hit %zu id %u, exhaustive %u",
                             (unsigned long long)seed, text, si, i, hits2[i].id, hits[i].id);
                cr_assert(hits2[i].score == hits[i].score,
                          "NDB_SEED=%llu '%s': pruned score differs", (unsigned long long)seed, text);
            }
            cr_assert_eq(ndb_query_topk(q, v, k, g_sort, false, hits2, &n2, NULL, &err), NDB_OK,
                         "%s", err.msg);
            cr_assert_eq(n2, n1);
            for (size_t i = 0; i < n1; i++)
                cr_assert(hits2[i].id == hits[i].id && hits2[i].score == hits[i].score,
                          "NDB_SEED=%llu '%s' sort %d: no-total hit %zu id %u, exhaustive %u",
                          (unsigned long long)seed, text, si, i, hits2[i].id, hits[i].id);
        }
        /* Xapian's BM25 parameters: brute force, exhaustive, pruned and no-total agree */
        const ndb_bm25 xp = {1.0, 0.5, 0.5, true};
        cr_assert_eq(ndb_query_set_bm25(q, &xp), NDB_OK);
        for (size_t i = 0; i < nexp; i++)
            all[i].score = oracle_score_xapian(&o, st, nst, all[i].id);
        g_sort = NDB_SORT_SCORE;
        qsort(all, nexp, sizeof *all, bhit_cmp);
        size_t k = 1 + rnd(&g, 20), n1, n2, n3;
        uint64_t t1;
        cr_assert_eq(ndb_query_topk(q, v, k, g_sort, true, hits, &n1, &t1, &err), NDB_OK);
        cr_assert_eq(ndb_query_topk(q, v, k, g_sort, false, hits2, &n2, NULL, &err), NDB_OK);
        cr_assert_eq(n1, nexp < k ? nexp : k);
        cr_assert_eq(n2, n1);
        for (size_t i = 0; i < n1; i++) {
            double tol = 1e-9 * fmax(1.0, fabs(all[i].score));
            cr_assert(fabs(hits[i].score - all[i].score) <= tol,
                      "NDB_SEED=%llu '%s': xapian bm25 score %.17g vs %.17g at %zu",
                      (unsigned long long)seed, text, hits[i].score, all[i].score, i);
            cr_assert(hits2[i].id == hits[i].id && hits2[i].score == hits[i].score,
                      "NDB_SEED=%llu '%s': xapian bm25 no-total hit %zu id %u, exhaustive %u",
                      (unsigned long long)seed, text, i, hits2[i].id, hits[i].id);
        }
        cr_assert_eq(ndb_query_topk(q, v, k, g_sort, false, hits2, &n3, &t1, &err), NDB_OK);
        cr_assert_eq(n3, n1);
        for (size_t i = 0; i < n1; i++)
            cr_assert(hits2[i].id == hits[i].id && hits2[i].score == hits[i].score,
                      "NDB_SEED=%llu '%s': xapian bm25 pruned hit %zu", (unsigned long long)seed,
                      text, i);
        const ndb_bm25 bad = {1.0, 1.5, 0.0, false};
        cr_assert_eq(ndb_query_set_bm25(q, &bad), NDB_EINVAL);
        ndb_buf_fini(&ex);
        ndb_query_free(q);
    }
    free(ids);
    free(all);
    free(o.docs);
    ndb_memview_free(o.mv);
}

Test(query, oracle_random)
{
    uint64_t seed = ndb_test_seed(20240611);
    int skipped = 0;
    uint64_t s = seed;
    for (int round = 0; round < 12; round++) {
        uint64_t rs = ndb_rand_next(&s);
        /* odd rounds: windows wider than 48 ids take the merge instead of the byte map */
        setenv("NEWSDB_EXEC_MAP_SPAN", round % 2 ? "48" : "16384", 1);
        uint32_t ndocs = round < 8 ? 50 + (uint32_t)(rs % 300) : 1000 + (uint32_t)(rs % 1000);
        run_round(rs, ndocs, round < 8 ? 300 : 150, &skipped);
    }
    unsetenv("NEWSDB_EXEC_MAP_SPAN");
    cr_assert_eq(skipped, 0);
}

/* Pure AND / OR of terms with filters: the fast path, on corpora big enough for many
** 128-doc blocks, with large k and small k. */
Test(query, oracle_fast_path)
{
    uint64_t seed = ndb_test_seed(777);
    gen g = {.rng = seed};
    oracle o = {0};
    build_corpus(&g, &o, 3000);
    ndb_view view = *o.v;
    g_oracle = &o;
    view.live = oracle_live;
    ndb_analyzer *an = ndb_memview_analyzer(o.mv);
    ndb_query_hit h1[200], h2[200];
    for (int qi = 0; qi < 400; qi++) {
        char text[512] = "";
        /* odd queries: windows wider than 48 ids take the merge instead of the byte map */
        setenv("NEWSDB_EXEC_MAP_SPAN", qi % 2 ? "48" : "16384", 1);
        /* and the windowed OR (MaxScore by windows) over many windows, or one */
        setenv("NEWSDB_EXEC_OR_WINDOW", qi % 3 == 0 ? "64" : qi % 3 == 1 ? "256" : "4096", 1);
        view.norms = qi % 4 == 3 ? NULL : o.v->norms; /* the exhaustive OR then */
        int nt = 1 + (int)rnd(&g, 4);
        bool orq = rnd(&g, 2);
        for (int i = 0; i < nt; i++) {
            cat(text, sizeof text, i ? (orq ? " OR " : " ") : "");
            cat(text, sizeof text, vocab[rnd(&g, NVOCAB)]);
        }
        if (orq && nt > 1 && rnd(&g, 3) == 0) { /* a plain term beside the OR */
            char t2[600];
            snprintf(t2, sizeof t2, "%s (%s)", vocab[rnd(&g, NVOCAB)], text);
            snprintf(text, sizeof text, "%s", t2);
        }
        if (rnd(&g, 3) == 0) {
            if (orq && text[0] != '(' && rnd(&g, 2)) { /* the OR itself filtered */
                char t2[600];
                snprintf(t2, sizeof t2, "(%s)", text);
                snprintf(text, sizeof text, "%s", t2);
            }
            cat(text, sizeof text, " date:2015..2017");
        }
        if (rnd(&g, 4) == 0)
            cat(text, sizeof text, " -war");
        if (rnd(&g, 3) == 0) { /* an outlet filter: common, rare, one doc, unknown */
            int oi = (int)rnd(&g, NOUTLETS + 1) - 1;
            cat(text, sizeof text, " outlet:");
            cat(text, sizeof text, oi < 0 ? "nosuch.org" : outlets[oi]);
        }
        ndb_query *q;
        ndb_err err;
        cr_assert_eq(ndb_query_parse(text, strlen(text), an, &q, &err), NDB_OK, "%s", err.msg);
        size_t k = rnd(&g, 2) ? 10 : 200;
        {
            /* count on an all-live view (fast paths) == the iterator tree's matches */
            ndb_view av = *o.v, an0;
            av.all_live = true;
            an0 = av;
            an0.outlet_docs = NULL; /* the iterator tree with column filters only */
            uint32_t *ids = calloc(o.ndocs + 1, sizeof *ids);
            idset got = {ids, 0};
            uint64_t c2 = 0;
            cr_assert_eq(ndb_query_each(q, &an0, collect_id, &got, &err), NDB_OK);
            cr_assert_eq(ndb_query_count(q, &av, &c2, &err), NDB_OK);
            cr_assert_eq(c2, got.n, "NDB_SEED=%llu '%s': all-live count %llu, matches %zu",
                         (unsigned long long)seed, text, (unsigned long long)c2, got.n);
            free(ids);
        }
        ndb_view nv = view; /* without outlet lists: exhaustive over column filters */
        nv.outlet_docs = NULL;
        for (int si = 0; si < 3; si++) {
            size_t n1, n2;
            uint64_t t1, t2;
            cr_assert_eq(ndb_query_topk(q, &nv, k, (ndb_sort)si, true, h1, &n1, &t1, &err), NDB_OK);
            cr_assert_eq(ndb_query_topk(q, &view, k, (ndb_sort)si, false, h2, &n2, &t2, &err), NDB_OK);
            cr_assert_eq(t1, t2, "NDB_SEED=%llu '%s'", (unsigned long long)seed, text);
            cr_assert_eq(n1, n2);
            for (size_t i = 0; i < n1; i++) {
                cr_assert_eq(h1[i].id, h2[i].id, "NDB_SEED=%llu '%s' sort %d hit %zu",
                             (unsigned long long)seed, text, si, i);
                cr_assert(h1[i].score == h2[i].score);
            }
            /* without a total (MaxScore for OR cores): the same hits and scores */
            size_t n3;
            cr_assert_eq(ndb_query_topk(q, &view, k, (ndb_sort)si, false, h2, &n3, NULL, &err),
                         NDB_OK);
            cr_assert_eq(n3, n1, "NDB_SEED=%llu '%s' no-total", (unsigned long long)seed, text);
            for (size_t i = 0; i < n1; i++) {
                cr_assert_eq(h1[i].id, h2[i].id, "NDB_SEED=%llu '%s' sort %d no-total hit %zu",
                             (unsigned long long)seed, text, si, i);
                cr_assert(h1[i].score == h2[i].score);
            }
        }
        ndb_query_free(q);
    }
    unsetenv("NEWSDB_EXEC_MAP_SPAN");
    unsetenv("NEWSDB_EXEC_OR_WINDOW");
    free(o.docs);
    ndb_memview_free(o.mv);
}
