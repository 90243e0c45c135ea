/*
** End-to-end tests of ndb_timeline / ndb_outlets through the public API, against a brute
** force that never touches the index or the columns: every stored version is fetched with
** ndb_get (live flag, date, outlet name), its paragraphs analyzed with the archive's
** analyzer, and matches of a one-word query counted per (period, outlet).
**
**   random_archive  tc_make_doc articles with side-file dates over several years (some
**                   undated, some without outlet), added over several commits with new
**                   versions of old URLs (dead versions must not count)
**   basil           the real BASIL corpus (3 outlets, 2010-2019): year and month timelines
**                   and outlet tables of real stories; dates and outlets cross-checked with
**                   the corpus' own meta file (skipped when ../shared is absent)
**   bad_input       from > to, a query syntax error, a query that matches nothing, --top
*/
#include "api/api.h"
#include "common/corpus.h"
#include "common/testutil.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct tb_row {
    int32_t period;
    char outlet[128];
    uint64_t count, total;
} tb_row;

typedef struct tb_doc {
    int32_t date;
    char outlet[128];
    bool hit; /* contains the query term */
} tb_doc;

static ndb_rc tb_tok(void *ctx, const ndb_token *t)
{
    const char *want = ((const char **)ctx)[0];
    bool *hit = ((bool **)ctx)[1];
    if (t->len == strlen(want) && memcmp(t->term, want, t->len) == 0)
        *hit = true;
    return NDB_OK;
}

/* The live docs of s with the brute-force match flag of the one-word query `word`. */
static tb_doc *tb_scan(ndb_snapshot *s, const char *word, size_t *n)
{
    ndb_stats st;
    ndb_analyzer *an;
    ndb_err err;
    const char *stem;
    size_t sl;
    char term[128];
    ndb_buf fold;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an), NDB_OK);
    ndb_buf_init(&fold, 1024);
    cr_assert_eq(ndb_text_fold(an, word, strlen(word), &fold), NDB_OK);
    cr_assert_eq(ndb_text_stem(an, (const char *)fold.p, fold.n, &stem, &sl), NDB_OK);
    snprintf(term, sizeof term, "%.*s", (int)sl, stem);
    ndb_buf_fini(&fold);
    tb_doc *docs = calloc(st.versions + 1, sizeof *docs);
    *n = 0;
    for (uint32_t id = 0; id < st.versions; id++) {
        ndb_doc *d;
        bool hit = false;
        const void *ctx[2] = {term, &hit};
        uint32_t ntok;
        cr_assert_eq(ndb_get(s, id, &d, &err), NDB_OK, "%s", err.msg);
        if (d->live) {
            cr_assert_eq(ndb_text_analyze_paras(an, d->paras, d->n_paras, tb_tok, ctx, &ntok),
                         NDB_OK);
            tb_doc *t = &docs[(*n)++];
            t->date = d->date;
            snprintf(t->outlet, sizeof t->outlet, "%s", d->outlet);
            t->hit = hit;
        }
        ndb_doc_free(d);
    }
    ndb_text_analyzer_free(an);
    return docs;
}

/* Period of a date from its YYYY-MM-DD text (independent of the library's arithmetic for
** months and years; weeks walk back to a Monday using 1970-01-05, a Monday). */
static int32_t tb_period(ndb_period by, int32_t day)
{
    char b[16];
    int y, m;
    int32_t out;
    if (by == NDB_PERIOD_DAY)
        return day;
    if (by == NDB_PERIOD_WEEK) {
        int32_t r = (day - 4) % 7;
        return day - (r < 0 ? r + 7 : r);
    }
    ndb_date_format(day, b, sizeof b);
    cr_assert_eq(sscanf(b, "%d-%d", &y, &m), 2);
    cr_assert(ndb_date_from_ymd(y, by == NDB_PERIOD_MONTH ? m : 1, 1, &out));
    return out;
}

/* First day of the period after prev, by walking days. */
static int32_t tb_next(ndb_period by, int32_t prev)
{
    int32_t d = prev + 1;
    while (tb_period(by, d) == prev)
        d++;
    return d;
}

static bool tb_in(const tb_doc *d, int32_t from, int32_t to)
{
    if (from == NDB_DATE_NONE && to == NDB_DATE_NONE)
        return true;
    return d->date != NDB_DATE_NONE && (from == NDB_DATE_NONE || d->date >= from) &&
           (to == NDB_DATE_NONE || d->date <= to);
}

/* Check ndb_outlets against the scan. */
static void tb_check_outlets(ndb_snapshot *s, const char *word, const tb_doc *docs, size_t n,
                             int32_t from, int32_t to)
{
    ndb_agg_opts o = {.from = from, .to = to};
    ndb_agg *a;
    ndb_err err;
    uint64_t matched = 0, in_range = 0, sum = 0;
    cr_assert_eq(ndb_outlets(s, word, &o, &a, &err), NDB_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        matched += docs[i].hit;
        in_range += docs[i].hit && tb_in(&docs[i], from, to);
    }
    cr_assert_eq(a->matched, matched, "outlets '%s': matched", word);
    cr_assert_eq(a->in_range, in_range);
    for (size_t r = 0; r < a->n; r++) {
        uint64_t c = 0, t = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(docs[i].outlet, a->rows[r].outlet) != 0 || !tb_in(&docs[i], from, to))
                continue;
            t++;
            c += docs[i].hit;
        }
        cr_assert_eq(a->rows[r].count, c, "'%s' outlet %s", word, a->rows[r].outlet);
        cr_assert_eq(a->rows[r].total, t, "'%s' outlet %s total", word, a->rows[r].outlet);
        cr_assert(c > 0);
        if (r > 0)
            cr_assert(a->rows[r - 1].count > c ||
                      (a->rows[r - 1].count == c &&
                       strcmp(a->rows[r - 1].outlet, a->rows[r].outlet) < 0));
        sum += c;
    }
    cr_assert_eq(sum, in_range, "every matching outlet is listed");
    ndb_agg_free(a);
}

/* Check ndb_timeline against the scan (unsplit and split). */
static void tb_check_timeline(ndb_snapshot *s, const char *word, const tb_doc *docs, size_t n,
                              ndb_period by, int split, int32_t from, int32_t to)
{
    ndb_agg_opts o = {.by = by, .split_outlet = split, .from = from, .to = to};
    ndb_agg *a;
    ndb_err err;
    uint64_t sum = 0, in_range = 0;
    cr_assert_eq(ndb_timeline(s, word, &o, &a, &err), NDB_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        in_range += docs[i].hit && tb_in(&docs[i], from, to);
    for (size_t r = 0; r < a->n; r++) {
        const ndb_agg_row *row = &a->rows[r];
        uint64_t c = 0, t = 0;
        cr_assert_eq(row->outlet == NULL, split == 0);
        for (size_t i = 0; i < n; i++) {
            const tb_doc *d = &docs[i];
            int32_t p = d->date == NDB_DATE_NONE ? NDB_DATE_NONE : tb_period(by, d->date);
            if (p != row->period || !tb_in(d, from, to) ||
                (split && strcmp(d->outlet, row->outlet) != 0))
                continue;
            t++;
            c += d->hit;
        }
        cr_assert_eq(row->count, c, "'%s' by %d split %d row %zu period %d", word, by, split, r,
                     row->period);
        cr_assert_eq(row->total, t, "'%s' row %zu total", word, r);
        if (r > 0 && row->period != NDB_DATE_NONE && a->rows[r - 1].period != row->period)
            cr_assert_eq(row->period, tb_next(by, a->rows[r - 1].period), "no gap between periods");
        sum += c;
    }
    cr_assert_eq(sum, in_range, "'%s' by %d: every match is in a row", word, by);
    ndb_agg_free(a);
}

/* Terms of a query against counts over the analyzed text of every live matching article
** (matches by ndb_match_each; terms by analyzing the stored paragraphs). */
typedef struct tb_term {
    char t[80];
    uint64_t count, docs;
} tb_term;

typedef struct tb_tctx {
    tb_term *terms;
    size_t n, cap;
    uint32_t doc_mark; /* terms[i].docs counted once per doc */
    uint32_t *last;
    ndb_analyzer *an; /* a second analyzer: stop-word stems, never the one analyzing */
} tb_tctx;

static ndb_rc tb_term_tok(void *ctx, const ndb_token *tok)
{
    tb_tctx *c = ctx;
    char t[80];
    snprintf(t, sizeof t, "%.*s", (int)tok->len, tok->term);
    for (size_t i = 0; i < ndb_text_stopword_count(); i++) {
        const char *w = ndb_text_stopword_at(i), *st;
        size_t sl;
        cr_assert_eq(ndb_text_stem(c->an, w, strlen(w), &st, &sl), NDB_OK);
        if (sl == strlen(t) && memcmp(st, t, sl) == 0)
            return NDB_OK;
    }
    size_t i = 0;
    while (i < c->n && strcmp(c->terms[i].t, t) != 0)
        i++;
    if (i == c->n) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->terms = realloc(c->terms, c->cap * sizeof *c->terms);
            c->last = realloc(c->last, c->cap * sizeof *c->last);
        }
        memset(&c->terms[i], 0, sizeof c->terms[i]);
        snprintf(c->terms[i].t, sizeof c->terms[i].t, "%s", t);
        c->last[i] = UINT32_MAX;
        c->n++;
    }
    c->terms[i].count++;
    if (c->last[i] != c->doc_mark) {
        c->last[i] = c->doc_mark;
        c->terms[i].docs++;
    }
    return NDB_OK;
}

static int tb_collect_id(void *ctx, uint32_t id)
{
    uint32_t **ids = ctx;
    *(*ids)++ = id;
    return 0;
}

static void tb_check_terms(ndb_snapshot *s, const char *query)
{
    ndb_stats st;
    ndb_err err;
    ndb_analyzer *an;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    uint32_t *ids = calloc(st.versions + 1, sizeof *ids), *p = ids;
    cr_assert_eq(ndb_match_each(s, query, tb_collect_id, &p, &err), NDB_OK);
    ndb_analyzer *an2;
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an2), NDB_OK);
    tb_tctx c = {.an = an2};
    for (uint32_t *i = ids; i < p; i++) {
        ndb_doc *d;
        uint32_t nt;
        cr_assert_eq(ndb_get(s, *i, &d, &err), NDB_OK);
        c.doc_mark = *i;
        cr_assert_eq(ndb_text_analyze_paras(an, d->paras, d->n_paras, tb_term_tok, &c, &nt),
                     NDB_OK);
        ndb_doc_free(d);
    }
    ndb_terms_opts o = {.top = 100000};
    ndb_term_list *l;
    cr_assert_eq(ndb_top_terms(s, query, &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->matched, (uint64_t)(p - ids));
    for (size_t i = 0; l->n != c.n && i < l->n; i++) {
        size_t j = 0;
        while (j < c.n && strcmp(c.terms[j].t, l->rows[i].stem) != 0)
            j++;
        if (j == c.n)
            fprintf(stderr, "extra: '%s' (%s) count %llu\n", l->rows[i].stem, l->rows[i].term,
                    (unsigned long long)l->rows[i].count);
    }
    cr_assert_eq(l->n, c.n, "'%s': %zu terms, brute force %zu", query, l->n, c.n);
    for (size_t i = 0; i < l->n; i++) {
        size_t j = 0;
        while (j < c.n && strcmp(c.terms[j].t, l->rows[i].stem) != 0)
            j++;
        cr_assert(j < c.n, "'%s' not in the brute force", l->rows[i].stem);
        cr_assert_eq(l->rows[i].count, c.terms[j].count, "'%s' count", l->rows[i].stem);
        cr_assert_eq(l->rows[i].docs, c.terms[j].docs, "'%s' docs", l->rows[i].stem);
    }
    /* the surface form of a stem analyzes back to that stem */
    for (size_t i = 0; i < l->n && i < 50; i++) {
        ndb_buf f;
        const char *stem;
        size_t sl;
        ndb_buf_init(&f, 4096);
        cr_assert_eq(ndb_text_fold(an, l->rows[i].term, strlen(l->rows[i].term), &f), NDB_OK);
        cr_assert_eq(ndb_text_stem(an, (const char *)f.p, f.n, &stem, &sl), NDB_OK);
        cr_assert(sl == strlen(l->rows[i].stem) && memcmp(stem, l->rows[i].stem, sl) == 0,
                  "surface '%s' of stem '%s'", l->rows[i].term, l->rows[i].stem);
        ndb_buf_fini(&f);
    }
    ndb_term_list_free(l);
    ndb_text_analyzer_free(an);
    ndb_text_analyzer_free(an2);
    free(c.terms);
    free(c.last);
    free(ids);
}

static const char *const tb_words[] = {"election", "oil", "syria", "bank", "climate", "talks"};

static void tb_check_all(ndb_snapshot *s, uint64_t *rs)
{
    for (size_t w = 0; w < sizeof tb_words / sizeof *tb_words; w++) {
        size_t n;
        tb_doc *docs = tb_scan(s, tb_words[w], &n);
        int32_t a = 16000 + (int32_t)(ndb_rand_next(rs) % 900),
                b = a + (int32_t)(ndb_rand_next(rs) % 400);
        tb_check_outlets(s, tb_words[w], docs, n, NDB_DATE_NONE, NDB_DATE_NONE);
        tb_check_outlets(s, tb_words[w], docs, n, a, b);
        for (int by = NDB_PERIOD_DAY; by <= NDB_PERIOD_YEAR; by++) {
            for (int split = 0; split < 2; split++) {
                tb_check_timeline(s, tb_words[w], docs, n, (ndb_period)by, split, NDB_DATE_NONE,
                                  NDB_DATE_NONE);
                tb_check_timeline(s, tb_words[w], docs, n, (ndb_period)by, split, a, b);
                tb_check_timeline(s, tb_words[w], docs, n, (ndb_period)by, split, a, NDB_DATE_NONE);
            }
        }
        free(docs);
    }
}

Test(analytics_api, random_archive)
{
    uint64_t seed = ndb_test_seed(99), rs = seed;
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    static const char *const outlets[] = {"bbc.co.uk", "rt.com", "nytimes.com", "aljazeera.com"};
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < 700; i++) {
        /* the last 150 are new versions of earlier URLs */
        uint32_t src = i < 550 ? i : (uint32_t)(ndb_rand_next(&rs) % 550);
        tc_doc d = tc_make_doc(seed, src, i < 550 ? 0 : i, 0);
        char date[16];
        ndb_meta m = {0};
        ndb_add_result r;
        uint64_t k = ndb_rand_next(&rs) % 10;
        if (k != 0) { /* 10%: no date from the side file (undated unless the URL has one) */
            ndb_date_format(16000 + (int32_t)(ndb_rand_next(&rs) % 1300), date, sizeof date);
            m.date = date;
        }
        if (k != 1)
            m.outlet = outlets[ndb_rand_next(&rs) % 4];
        m.url = d.url;
        cr_assert_eq(ndb_writer_add_native(w, d.url, d.bytes, d.n, &m, 0, &r, &err), NDB_OK, "%s",
                     err.msg);
        tc_doc_free(&d);
        if (i % 200 == 199)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    tb_check_all(s, &rs);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

Test(analytics_api, bad_input)
{
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    ndb_agg *a = NULL;
    ndb_add_result r;
    const char *art = "http://www.bbc.co.uk/news/2016/10/11/a\n12\n1\nOil prices rose.\n";
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_writer_add_native(w, "a", art, strlen(art), NULL, 0, &r, &err), NDB_OK);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    ndb_agg_opts o = {.by = NDB_PERIOD_DAY, .from = 17000, .to = 16000};
    cr_assert_eq(ndb_timeline(s, "oil", &o, &a, &err), NDB_EINVAL);
    cr_assert_null(a);
    cr_assert(strstr(err.msg, "empty date range: from 2016-07-18 is after to 2013-10-22"), "%s",
              err.msg);
    cr_assert_eq(ndb_outlets(s, "oil", &o, &a, &err), NDB_EINVAL);
    cr_assert_eq(ndb_timeline(s, "oil AND (", NULL, &a, &err), NDB_EPARSE);
    cr_assert(strstr(err.msg, "column"), "%s", err.msg);
    /* no match: OK, matched 0, no rows */
    cr_assert_eq(ndb_timeline(s, "gold", NULL, &a, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(a->matched, 0);
    cr_assert_eq(a->n, 0);
    ndb_agg_free(a);
    /* defaults: month, no range, undated last */
    cr_assert_eq(ndb_timeline(s, "oil", NULL, &a, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(a->n, 1);
    cr_assert_eq(a->rows[0].period, 17075); /* 2016-10-01 */
    cr_assert_eq(a->rows[0].count, 1);
    ndb_agg_free(a);
    o = (ndb_agg_opts){.top = 1};
    cr_assert_eq(ndb_outlets(s, "oil OR prices", &o, &a, &err), NDB_OK);
    cr_assert_eq(a->n, 1);
    cr_assert_str_eq(a->rows[0].outlet, "bbc.co.uk");
    ndb_agg_free(a);
    cr_assert_str_eq(ndb_period_name(NDB_PERIOD_WEEK), "week");
    ndb_period p;
    cr_assert_eq(ndb_period_parse("year", &p), 0);
    cr_assert_eq(p, NDB_PERIOD_YEAR);
    cr_assert_eq(ndb_period_parse("decade", &p), -1);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

Test(analytics_api, basil)
{
    const char *corp = ndb_test_corpora();
    char tar[1024], meta[1024], dir[512];
    if (!corp)
        cr_skip_test("no shared corpora (../shared/corpora): basil analytics test skipped");
    snprintf(tar, sizeof tar, "%s/basil.tar.gz", corp);
    snprintf(meta, sizeof meta, "%s/basil.meta.jsonl", corp);
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    ndb_ingest_opts io = {.meta_path = meta};
    ndb_ingest_stats st;
    uint64_t rs = 5;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_ingest(w, tar, &io, &st, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(st.added, 300);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    /* the meta file's dates and outlets are what the columns say */
    FILE *f = fopen(meta, "r");
    char line[1 << 16];
    size_t nmeta = 0;
    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        ndb_doc *d;
        char date[16];
        cr_assert_not_null(o);
        const char *url = json_string_value(json_object_get(o, "url"));
        cr_assert_eq(ndb_get_url(s, url, &d, &err), NDB_OK, "%s", url);
        ndb_date_format(d->date, date, sizeof date);
        json_t *jd = json_object_get(o, "date");
        cr_assert_str_eq(date, json_is_string(jd) ? json_string_value(jd) : "");
        cr_assert_str_eq(d->outlet, json_string_value(json_object_get(o, "outlet")));
        ndb_doc_free(d);
        json_decref(o);
        nmeta++;
    }
    fclose(f);
    cr_assert_eq(nmeta, 300);
    static const char *const words[] = {"trump", "obama", "immigration", "shooting"};
    for (size_t i = 0; i < 4; i++) {
        size_t n;
        tb_doc *docs = tb_scan(s, words[i], &n);
        tb_check_outlets(s, words[i], docs, n, NDB_DATE_NONE, NDB_DATE_NONE);
        for (int by = NDB_PERIOD_WEEK; by <= NDB_PERIOD_YEAR; by++)
            for (int split = 0; split < 2; split++)
                tb_check_timeline(s, words[i], docs, n, (ndb_period)by, split, NDB_DATE_NONE,
                                  NDB_DATE_NONE);
        free(docs);
    }
    NDB_UNUSED(rs);
    tb_check_terms(s, "trump");
    tb_check_terms(s, "immigration OR border");
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}
