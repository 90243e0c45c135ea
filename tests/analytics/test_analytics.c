/*
** Tests of the analytics module (timelines, outlet breakdowns) against brute force.
**
**   periods        period_start / period_next against calendar facts computed another way
**                  (Zeller's weekday, year/month/day fields), negative days included
**   memview_oracle random in-memory archives (dates over a few years, some undated, some
**                  without outlet, some dead versions) and random term / OR queries: every
**                  timeline (4 periods x split x 4 ranges) and outlet table equals the
**                  brute-force count over the analyzed tokens and the per-doc fields
**   merge          group collectors over two halves merged == one collector over all
**   errors         from > to, unknown period
**
** Seeds: NDB_SEED replays; failures print the seed.
*/
#include "analytics/analytics.h"
#include "common/memview.h"
#include "common/testutil.h"
#include "query/query.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Weekday by Zeller's congruence: 0 = Monday .. 6 = Sunday. */
static int ta_weekday(int y, int m, int d)
{
    if (m < 3) {
        m += 12;
        y -= 1;
    }
    int k = y % 100, j = y / 100;
    int h = (d + 13 * (m + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7; /* 0 = Saturday */
    return (h + 5) % 7;
}

/* Period of day, computed without ndb_analytics_period_*. */
static int32_t ta_period(ndb_period by, int32_t day)
{
    int y, m, d;
    int32_t out = day;
    if (by == NDB_PERIOD_NONE)
        return 0;
    ndb_date_to_ymd(day, &y, &m, &d);
    if (by == NDB_PERIOD_DAY)
        return day;
    if (by == NDB_PERIOD_WEEK) {
        while (1) {
            ndb_date_to_ymd(out, &y, &m, &d);
            if (ta_weekday(y, m, d) == 0)
                return out;
            out--;
        }
    }
    cr_assert(ndb_date_from_ymd(y, by == NDB_PERIOD_MONTH ? m : 1, 1, &out));
    return out;
}

Test(analytics, periods)
{
    uint64_t seed = ndb_test_seed(11), s = seed;
    for (int i = 0; i < 20000; i++) {
        int32_t day = (int32_t)(ndb_rand_next(&s) % 80001) - 40000;
        for (int b = NDB_PERIOD_DAY; b <= NDB_PERIOD_YEAR; b++) {
            int32_t st = ndb_analytics_period_start((ndb_period)b, day);
            int32_t nx = ndb_analytics_period_next((ndb_period)b, st);
            cr_assert_eq(st, ta_period((ndb_period)b, day), "NDB_SEED=%llu day %d by %d",
                         (unsigned long long)seed, day, b);
            cr_assert(st <= day && day < nx, "day %d by %d: [%d, %d)", day, b, st, nx);
            cr_assert_eq(ta_period((ndb_period)b, nx), nx, "next is a boundary: day %d", day);
            cr_assert_eq(ta_period((ndb_period)b, nx - 1), st, "no boundary between");
        }
    }
    /* 1970-01-01 was a Thursday: its week starts Monday 1969-12-29 (day -3). */
    cr_assert_eq(ndb_analytics_period_start(NDB_PERIOD_WEEK, 0), -3);
    cr_assert_eq(ndb_analytics_period_start(NDB_PERIOD_NONE, 123), 0);
}

/* ---------------------------------------------------------------- random archives */

#define TA_VOCAB 12
static const char *const ta_words[TA_VOCAB] = {"oil",   "bank",   "war",  "vote",
                                               "syria", "talks",  "deal", "court",
                                               "press", "energy", "army", "trade"};
static const char *const ta_outlets[] = {"bbc.co.uk", "rt.com", "nytimes.com", "lemonde.fr",
                                         "foxnews.com"};

typedef struct ta_doc {
    int32_t date;
    uint32_t outlet; /* memview id or NDB_OUTLET_NONE */
    bool live;
    unsigned words; /* bit i: ta_words[i] occurs */
} ta_doc;

typedef struct ta_corpus {
    ndb_memview *mv;
    uint32_t n;
    ta_doc *docs;
} ta_corpus;

static void ta_build(uint64_t *s, uint32_t n, ta_corpus *c)
{
    int32_t base = (int32_t)(ndb_rand_next(s) % 30000) - 5000;
    int32_t span = 30 + (int32_t)(ndb_rand_next(s) % 1500);
    cr_assert_eq(ndb_memview_new(NDB_STEM_ENGLISH, &c->mv), NDB_OK);
    c->n = n;
    c->docs = calloc(n, sizeof *c->docs);
    for (uint32_t i = 0; i < n; i++) {
        char para[512];
        size_t k = 0;
        const char *paras[1] = {para};
        int nw = 1 + (int)(ndb_rand_next(s) % 6);
        ta_doc *d = &c->docs[i];
        for (int w = 0; w < nw; w++) {
            /* skewed: low words are frequent */
            unsigned wi = (unsigned)(ndb_rand_next(s) % TA_VOCAB);
            wi = (unsigned)(ndb_rand_next(s) % (wi + 1));
            d->words |= 1u << wi;
            k += (size_t)snprintf(para + k, sizeof para - k, "%s ", ta_words[wi]);
        }
        d->date = ndb_rand_next(s) % 7 == 0 ? NDB_DATE_NONE
                                            : base + (int32_t)(ndb_rand_next(s) % (uint64_t)span);
        unsigned oi = (unsigned)(ndb_rand_next(s) % 6);
        d->live = ndb_rand_next(s) % 8 != 0;
        ndb_memview_doc md = {paras, 1, d->date, oi < 5 ? ta_outlets[oi] : NULL, NULL, d->live};
        cr_assert_eq(ndb_memview_add(c->mv, &md), NDB_OK);
    }
    cr_assert_not_null(ndb_memview_view(c->mv));
    for (uint32_t i = 0; i < n; i++) /* outlet ids: memview's, by first appearance */
        c->docs[i].outlet = ndb_memview_view(c->mv)->cols[i].outlet;
}

static void ta_free(ta_corpus *c)
{
    ndb_memview_free(c->mv);
    free(c->docs);
}

/* Brute-force timeline: the layout analytics.h promises. */
typedef struct ta_exp {
    ndb_analytics_cell *cells;
    size_t n;
    uint64_t matched;
} ta_exp;

static bool ta_in_range(const ta_doc *d, int32_t from, int32_t to)
{
    bool ranged = from != NDB_DATE_NONE || to != NDB_DATE_NONE;
    if (!ranged)
        return true;
    if (d->date == NDB_DATE_NONE)
        return false;
    return (from == NDB_DATE_NONE || d->date >= from) && (to == NDB_DATE_NONE || d->date <= to);
}

static uint64_t ta_count(const ta_corpus *c, unsigned mask, bool match_only, ndb_period by,
                         bool split, int32_t from, int32_t to, int32_t period, uint32_t outlet)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const ta_doc *d = &c->docs[i];
        if (!d->live || (match_only && !(d->words & mask)) || !ta_in_range(d, from, to))
            continue;
        int32_t p = by == NDB_PERIOD_NONE      ? 0
                    : d->date == NDB_DATE_NONE ? NDB_DATE_NONE
                                               : ta_period(by, d->date);
        if (p == period && (split ? d->outlet : 0) == outlet)
            n++;
    }
    return n;
}

static int ta_u32cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void ta_expect_timeline(const ta_corpus *c, unsigned mask, ndb_period by, bool split,
                               int32_t from, int32_t to, ta_exp *e)
{
    uint32_t series[8];
    size_t ns = 0;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    bool any = false;
    e->cells = NULL;
    e->n = 0;
    e->matched = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const ta_doc *d = &c->docs[i];
        if (!d->live || !(d->words & mask))
            continue;
        e->matched++;
        if (!ta_in_range(d, from, to))
            continue;
        any = true;
        uint32_t o = split ? d->outlet : 0;
        bool seen = false;
        for (size_t j = 0; j < ns; j++)
            seen = seen || series[j] == o;
        if (!seen)
            series[ns++] = o;
        if (d->date != NDB_DATE_NONE) {
            lo = d->date < lo ? d->date : lo;
            hi = d->date > hi ? d->date : hi;
        }
    }
    if (!any)
        return;
    qsort(series, ns, sizeof *series, ta_u32cmp);
    if (from != NDB_DATE_NONE && to != NDB_DATE_NONE) {
        lo = from;
        hi = to;
    } else if (lo <= hi) {
        lo = from != NDB_DATE_NONE ? from : lo;
        hi = to != NDB_DATE_NONE ? to : hi;
    }
    int32_t last = INT32_MIN;
    e->cells = calloc((lo <= hi ? (size_t)(hi - lo) + 2 : 1) * ns + ns + 1, sizeof *e->cells);
    for (int32_t day = lo; lo <= hi && day <= hi; day++) {
        int32_t p = ta_period(by, day);
        if (p == last)
            continue;
        last = p;
        for (size_t j = 0; j < ns; j++) {
            ndb_analytics_cell *x = &e->cells[e->n++];
            x->period = p;
            x->outlet = series[j];
            x->count = ta_count(c, mask, true, by, split, from, to, p, series[j]);
            x->total = ta_count(c, mask, false, by, split, from, to, p, series[j]);
        }
    }
    for (size_t j = 0; j < ns; j++) {
        uint64_t k = ta_count(c, mask, true, by, split, from, to, NDB_DATE_NONE, series[j]);
        if (k == 0)
            continue;
        ndb_analytics_cell *x = &e->cells[e->n++];
        x->period = NDB_DATE_NONE;
        x->outlet = series[j];
        x->count = k;
        x->total = ta_count(c, mask, false, by, split, from, to, NDB_DATE_NONE, series[j]);
    }
}

static void ta_expect_outlets(const ta_corpus *c, unsigned mask, int32_t from, int32_t to,
                              ta_exp *e)
{
    uint32_t ids[8];
    size_t ns = 0;
    e->cells = calloc(8, sizeof *e->cells);
    e->n = 0;
    e->matched = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        const ta_doc *d = &c->docs[i];
        bool seen = false;
        if (!d->live || !(d->words & mask))
            continue;
        e->matched++;
        if (!ta_in_range(d, from, to))
            continue;
        for (size_t j = 0; j < ns; j++)
            seen = seen || ids[j] == d->outlet;
        if (!seen)
            ids[ns++] = d->outlet;
    }
    qsort(ids, ns, sizeof *ids, ta_u32cmp);
    for (size_t j = 0; j < ns; j++) {
        ndb_analytics_cell *x = &e->cells[e->n++];
        x->period = 0;
        x->outlet = ids[j];
        x->count = ta_count(c, mask, true, NDB_PERIOD_NONE, true, from, to, 0, ids[j]);
        x->total = ta_count(c, mask, false, NDB_PERIOD_NONE, true, from, to, 0, ids[j]);
    }
}

static void ta_compare(const char *what, uint64_t seed, const ta_exp *e,
                       const ndb_analytics_cell *got, size_t n, uint64_t matched)
{
    cr_assert_eq(matched, e->matched, "%s NDB_SEED=%llu: matched %llu, expected %llu", what,
                 (unsigned long long)seed, (unsigned long long)matched,
                 (unsigned long long)e->matched);
    cr_assert_eq(n, e->n, "%s NDB_SEED=%llu: %zu cells, expected %zu", what,
                 (unsigned long long)seed, n, e->n);
    for (size_t i = 0; i < n; i++) {
        cr_assert(got[i].period == e->cells[i].period && got[i].outlet == e->cells[i].outlet &&
                      got[i].count == e->cells[i].count && got[i].total == e->cells[i].total,
                  "%s NDB_SEED=%llu cell %zu: got (%d,%u,%llu,%llu) expected (%d,%u,%llu,%llu)",
                  what, (unsigned long long)seed, i, got[i].period, got[i].outlet,
                  (unsigned long long)got[i].count, (unsigned long long)got[i].total,
                  e->cells[i].period, e->cells[i].outlet, (unsigned long long)e->cells[i].count,
                  (unsigned long long)e->cells[i].total);
    }
}

/* A random query over the vocabulary: one word or "a OR b"; *mask = its words. */
static void ta_query(uint64_t *s, char *q, size_t cap, unsigned *mask)
{
    unsigned a = (unsigned)(ndb_rand_next(s) % TA_VOCAB),
             b = (unsigned)(ndb_rand_next(s) % TA_VOCAB);
    if (ndb_rand_next(s) % 2) {
        snprintf(q, cap, "%s", ta_words[a]);
        *mask = 1u << a;
    } else {
        snprintf(q, cap, "%s OR %s", ta_words[a], ta_words[b]);
        *mask = (1u << a) | (1u << b);
    }
}

/* A random range: none, both ends, from only, to only (around the corpus' dates). */
static void ta_range(uint64_t *s, const ta_corpus *c, int kind, int32_t *from, int32_t *to)
{
    int32_t a = NDB_DATE_NONE, b = NDB_DATE_NONE;
    while (a == NDB_DATE_NONE) /* dates of the corpus, a few days beyond either side */
        a = c->docs[ndb_rand_next(s) % c->n].date;
    while (b == NDB_DATE_NONE)
        b = c->docs[ndb_rand_next(s) % c->n].date;
    a -= (int32_t)(ndb_rand_next(s) % 40);
    b += (int32_t)(ndb_rand_next(s) % 40);
    if (a > b) {
        int32_t t = a;
        a = b;
        b = t;
    }
    *from = kind == 1 || kind == 2 ? a : NDB_DATE_NONE;
    *to = kind == 1 || kind == 3 ? b : NDB_DATE_NONE;
}

Test(analytics, memview_oracle)
{
    uint64_t seed0 = ndb_test_seed(1234);
    for (uint64_t round = 0; round < 8; round++) {
        uint64_t seed = seed0 + round, s = seed;
        ta_corpus c;
        ta_build(&s, 150 + (uint32_t)(ndb_rand_next(&s) % 250), &c);
        const ndb_view *v = ndb_memview_view(c.mv);
        for (int qi = 0; qi < 6; qi++) {
            char qs[64];
            unsigned mask;
            ndb_query *q = NULL;
            ndb_err err;
            ta_query(&s, qs, sizeof qs, &mask);
            cr_assert_eq(ndb_query_parse(qs, strlen(qs), ndb_memview_analyzer(c.mv), &q, &err),
                         NDB_OK, "%s", err.msg);
            for (int rk = 0; rk < 4; rk++) {
                int32_t from, to;
                ta_range(&s, &c, rk, &from, &to);
                for (int b = NDB_PERIOD_DAY; b <= NDB_PERIOD_YEAR; b++) {
                    for (int split = 0; split < 2; split++) {
                        ndb_analytics_cell *got = NULL;
                        size_t n = 0;
                        uint64_t matched = 0;
                        ta_exp e;
                        char what[160];
                        snprintf(what, sizeof what, "timeline '%s' by %d split %d range %d", qs, b,
                                 split, rk);
                        cr_assert_eq(ndb_analytics_timeline(q, v, (ndb_period)b, split != 0, from,
                                                            to, &got, &n, &matched, &err),
                                     NDB_OK, "%s: %s", what, err.msg);
                        ta_expect_timeline(&c, mask, (ndb_period)b, split != 0, from, to, &e);
                        ta_compare(what, seed, &e, got, n, matched);
                        free(e.cells);
                        ndb_free(got);
                    }
                }
                ndb_analytics_cell *got = NULL;
                size_t n = 0;
                uint64_t matched = 0;
                ta_exp e;
                cr_assert_eq(ndb_analytics_outlets(q, v, from, to, &got, &n, &matched, &err),
                             NDB_OK, "%s", err.msg);
                ta_expect_outlets(&c, mask, from, to, &e);
                ta_compare("outlets", seed, &e, got, n, matched);
                free(e.cells);
                ndb_free(got);
            }
            ndb_query_free(q);
        }
        ta_free(&c);
    }
}

Test(analytics, merge)
{
    uint64_t seed = ndb_test_seed(77), s = seed;
    ta_corpus c;
    ta_build(&s, 600, &c);
    const ndb_view *v = ndb_memview_view(c.mv);
    for (int b = NDB_PERIOD_NONE; b <= NDB_PERIOD_YEAR; b++) {
        ndb_collector *all, *h1, *h2;
        ndb_err err;
        uint32_t cut = (uint32_t)(ndb_rand_next(&s) % c.n);
        const ndb_analytics_cell *ca, *cm;
        size_t na, nm;
        cr_assert_eq(ndb_analytics_group_new((ndb_period)b, true, NDB_DATE_NONE, NDB_DATE_NONE,
                                             v->cols, v->ndocs, &all, &err),
                     NDB_OK);
        cr_assert_eq(ndb_analytics_group_new((ndb_period)b, true, NDB_DATE_NONE, NDB_DATE_NONE,
                                             v->cols, v->ndocs, &h1, &err),
                     NDB_OK);
        cr_assert_eq(ndb_analytics_group_new((ndb_period)b, true, NDB_DATE_NONE, NDB_DATE_NONE,
                                             v->cols, v->ndocs, &h2, &err),
                     NDB_OK);
        for (uint32_t i = 0; i < c.n; i++) {
            cr_assert_eq(ndb_collector_collect(all, i, 0), NDB_OK);
            /* shards see docs in any order: h2 gets its half backwards */
            cr_assert_eq(
                ndb_collector_collect(i < cut ? h1 : h2, i < cut ? i : c.n - 1 - i + cut, 0),
                NDB_OK);
        }
        cr_assert_eq(ndb_collector_merge(h1, h2, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(ndb_collector_finish(all, &err), NDB_OK);
        cr_assert_eq(ndb_collector_finish(h1, &err), NDB_OK);
        ca = ndb_analytics_group_cells(all, &na);
        cm = ndb_analytics_group_cells(h1, &nm);
        cr_assert_eq(na, nm, "NDB_SEED=%llu by %d", (unsigned long long)seed, b);
        cr_assert(memcmp(ca, cm, na * sizeof *ca) == 0, "merged cells differ, by %d", b);
        cr_assert_eq(all->total, h1->total);
        /* merging collectors of different parameters is refused */
        ndb_collector *other;
        cr_assert_eq(ndb_analytics_group_new((ndb_period)b, false, NDB_DATE_NONE, NDB_DATE_NONE,
                                             v->cols, v->ndocs, &other, &err),
                     NDB_OK);
        cr_assert_neq(ndb_collector_merge(other, h2, &err), NDB_OK);
        ndb_collector_free(other);
        ndb_collector_free(all);
        ndb_collector_free(h1);
        ndb_collector_free(h2);
    }
    ta_free(&c);
}

Test(analytics, errors)
{
    ndb_collector *c = NULL;
    ndb_err err;
    ndb_col col = {0, 0, 1, 0};
    cr_assert_eq(ndb_analytics_group_new(NDB_PERIOD_DAY, false, 10, 5, &col, 1, &c, &err),
                 NDB_EINVAL);
    cr_assert_null(c);
    cr_assert(strstr(err.msg, "empty date range"), "%s", err.msg);
    cr_assert_eq(ndb_analytics_group_new((ndb_period)9, false, NDB_DATE_NONE, NDB_DATE_NONE, &col,
                                         1, &c, &err),
                 NDB_EINVAL);
    cr_assert_eq(ndb_analytics_group_new(NDB_PERIOD_DAY, false, NDB_DATE_NONE, NDB_DATE_NONE, &col,
                                         1, &c, &err),
                 NDB_OK);
    cr_assert_eq(ndb_collector_collect(c, 5, 0), NDB_EINVAL, "doc past ndocs");
    ndb_collector_free(c);
}

/* ---------------------------------------------------------------- terms */

/* Brute force over the memview's analyzed tokens: counts of every non-stop term in the
** live docs of `in` (and of `bg_mask` docs not in `in`). */
typedef struct tt_count {
    char term[80];
    uint64_t count, docs, bg;
} tt_count;

static bool tt_is_stop(ndb_analyzer *an, const char *t)
{
    for (size_t i = 0; i < ndb_text_stopword_count(); i++) {
        const char *w = ndb_text_stopword_at(i), *st;
        size_t sl;
        cr_assert_eq(ndb_text_stem(an, w, strlen(w), &st, &sl), NDB_OK);
        if (sl == strlen(t) && memcmp(st, t, sl) == 0)
            return true;
    }
    return false;
}

static tt_count *tt_find(tt_count *c, size_t *n, const char *t)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(c[i].term, t) == 0)
            return &c[i];
    snprintf(c[*n].term, sizeof c[*n].term, "%s", t);
    return &c[(*n)++];
}

Test(analytics, terms_oracle)
{
    static const char *const words[] = {"the",   "oil",     "prices", "rose",  "war",
                                        "syria", "talks",   "is",     "this",  "does",
                                        "peace", "markets", "price",  "being", "vote"};
    uint64_t seed = ndb_test_seed(4242), s = seed;
    for (int round = 0; round < 6; round++) {
        ndb_memview *mv;
        uint32_t n = 80 + (uint32_t)(ndb_rand_next(&s) % 200);
        bool *live = calloc(n, sizeof *live);
        cr_assert_eq(ndb_memview_new(NDB_STEM_ENGLISH, &mv), NDB_OK);
        for (uint32_t i = 0; i < n; i++) {
            char para[512];
            size_t k = 0;
            const char *paras[1] = {para};
            int nw = 1 + (int)(ndb_rand_next(&s) % 12);
            for (int w = 0; w < nw; w++) {
                size_t wi = ndb_rand_next(&s) % 15;
                wi = ndb_rand_next(&s) % (wi + 1);
                k += (size_t)snprintf(para + k, sizeof para - k, "%s ", words[wi]);
            }
            live[i] = ndb_rand_next(&s) % 6 != 0;
            ndb_memview_doc md = {paras, 1, 17000, "x.com", NULL, live[i]};
            cr_assert_eq(ndb_memview_add(mv, &md), NDB_OK);
        }
        const ndb_view *v = ndb_memview_view(mv);
        ndb_analyzer *an = ndb_memview_analyzer(mv);
        const char *fgq = round % 2 ? "oil OR war" : "syria";
        const char *bgq = round % 3 == 0 ? NULL : "peace OR oil OR talks";
        ndb_query *q = NULL, *bq = NULL;
        ndb_err err;
        cr_assert_eq(ndb_query_parse(fgq, strlen(fgq), an, &q, &err), NDB_OK);
        if (bgq)
            cr_assert_eq(ndb_query_parse(bgq, strlen(bgq), an, &bq, &err), NDB_OK);
        /* brute force: membership from the tokens */
        tt_count *exp = calloc(64, sizeof *exp);
        size_t ne = 0;
        uint64_t nfg = 0, nbg = 0, dfg = 0, dbg = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t nt;
            const ndb_memview_tok *t = ndb_memview_tokens(mv, i, &nt);
            bool in_fg = false, in_bg = bgq == NULL;
            for (uint32_t j = 0; j < nt; j++) {
                if (round % 2 ? (!strcmp(t[j].term, "oil") || !strcmp(t[j].term, "war"))
                              : !strcmp(t[j].term, "syria"))
                    in_fg = true;
                if (bgq && (!strcmp(t[j].term, "peac") || !strcmp(t[j].term, "oil") ||
                            !strcmp(t[j].term, "talk")))
                    in_bg = true;
            }
            if (!live[i] || (!in_fg && !in_bg))
                continue;
            dfg += in_fg;
            dbg += !in_fg;
            tt_count *seen[64];
            size_t nseen = 0;
            for (uint32_t j = 0; j < nt; j++) {
                if (tt_is_stop(an, t[j].term))
                    continue;
                tt_count *c = tt_find(exp, &ne, t[j].term);
                if (in_fg) {
                    bool dup = false;
                    for (size_t x = 0; x < nseen; x++)
                        dup = dup || seen[x] == c;
                    if (!dup) {
                        seen[nseen++] = c;
                        c->docs++;
                    }
                    c->count++;
                    nfg++;
                } else {
                    c->bg++;
                    nbg++;
                }
            }
        }
        for (int sig = 0; sig < 2; sig++) {
            ndb_analytics_terms_result *r = NULL;
            cr_assert_eq(ndb_analytics_terms(q, bq, v, an, 0, sig != 0, UINT64_MAX, &r, &err),
                         NDB_OK, "%s", err.msg);
            size_t nexp_fg = 0;
            for (size_t i = 0; i < ne; i++)
                nexp_fg += exp[i].count > 0;
            cr_assert_eq(r->fg_docs, dfg, "NDB_SEED=%llu round %d", (unsigned long long)seed,
                         round);
            cr_assert_eq(r->fg_tokens, nfg);
            if (sig) {
                cr_assert_eq(r->bg_docs, dbg);
                cr_assert_eq(r->bg_tokens, nbg, "round %d", round);
            }
            cr_assert_eq(r->n, nexp_fg, "round %d sig %d: %zu terms, expected %zu", round, sig,
                         r->n, nexp_fg);
            for (size_t i = 0; i < r->n; i++) {
                const ndb_analytics_term *t = &r->terms[i];
                tt_count *c = tt_find(exp, &ne, t->term);
                cr_assert_eq(t->count, c->count, "'%s' count", t->term);
                cr_assert_eq(t->docs, c->docs, "'%s' docs", t->term);
                cr_assert(!tt_is_stop(an, t->term), "stop word '%s' kept", t->term);
                if (sig) {
                    double d, z;
                    cr_assert_eq(t->bg_count, c->bg, "'%s' bg", t->term);
                    ndb_analytics_log_odds(c->count, nfg, c->bg, nbg, &d, &z);
                    cr_assert(t->z == z && t->delta == d, "'%s' z", t->term);
                }
                if (i > 0 && sig)
                    cr_assert(
                        r->terms[i - 1].z > t->z ||
                        (r->terms[i - 1].z == t->z && strcmp(r->terms[i - 1].term, t->term) < 0));
                if (i > 0 && !sig)
                    cr_assert(r->terms[i - 1].count > t->count ||
                              (r->terms[i - 1].count == t->count &&
                               strcmp(r->terms[i - 1].term, t->term) < 0));
            }
            ndb_analytics_terms_free(r);
        }
        /* the cost bound is an error, not a cut */
        ndb_analytics_terms_result *r = NULL;
        if (dfg > 0)
            cr_assert_eq(ndb_analytics_terms(q, bq, v, an, 0, false, 3, &r, &err), NDB_ELIMIT);
        cr_assert_null(r);
        free(exp);
        free(live);
        ndb_query_free(q);
        ndb_query_free(bq);
        ndb_memview_free(mv);
    }
}

Test(analytics, log_odds_known_values)
{
    double d, z;
    /* equal rates: delta 0 */
    ndb_analytics_log_odds(10, 1000, 20, 2000, &d, &z);
    cr_assert(fabs(d) < 1e-12 && fabs(z) < 1e-12, "d %g z %g", d, z);
    /* over-represented in the foreground: positive, and more evidence -> larger z */
    double z1, z2;
    ndb_analytics_log_odds(30, 1000, 10, 1000, &d, &z1);
    cr_assert(d > 0);
    ndb_analytics_log_odds(300, 10000, 100, 10000, &d, &z2);
    cr_assert(z2 > z1, "z1 %g z2 %g", z1, z2);
}
