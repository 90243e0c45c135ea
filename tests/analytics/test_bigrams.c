/*
** Oracle tests of bigram statistics (ndb_top_terms with bigrams = 1) against a brute force
** that never touches the index: the matching ids come from ndb_match_each, every matching
** article is fetched with ndb_get and its paragraphs analyzed with the archive's analyzer
** (ndb_text_analyze_paras, which leaves one position between paragraphs); two tokens at
** positions p and p+1 whose stems are both not stop-word stems make one bigram. Every
** bigram's count and article count must equal the index's, the ranking must be by count
** then (first, second) bytewise, and each shown surface form must analyze back to the two
** stems.
**
**   random_archive  tc_make_doc articles (several paragraphs each, several commits, new
**                   versions of old URLs that must not count), seeded; one-word, OR and
**                   phrase queries
**   hand            one article whose bigrams are counted by hand: paragraph boundaries
**                   and stop words break pairs; surface form is the commonest fold
**   significant     bigrams with significant = 1, against the whole archive and against a
**                   background query: each bigram's foreground and background counts, the
**                   totals, z (Monroe et al., recomputed from the brute-force counts) and
**                   the ranking by z equal the brute force over the matching and the
**                   background articles (live ones only, matches taken out)
**   limits          the cost bound is NDB_ELIMIT with a message, never a cut;
**                   no match is an empty list
**   basil           the real BASIL corpus (skipped when ../shared is absent)
*/
#include "analytics/analytics.h"
#include "api/api.h"
#include "common/corpus.h"
#include "common/testutil.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>

typedef struct bg_pair {
    char k[160]; /* "stem1 stem2" */
    uint32_t doc;
} bg_pair;

typedef struct bg_ctx {
    ndb_analyzer *an2; /* stems the stop list; never the analyzing one */
    char **stops;
    size_t nstops;
    bg_pair *p;
    size_t n, cap;
    uint32_t doc;
    char prev[80];
    uint32_t prev_pos; /* UINT32_MAX: none */
} bg_ctx;

static bool bg_is_stop(const bg_ctx *c, const char *t)
{
    for (size_t i = 0; i < c->nstops; i++)
        if (strcmp(c->stops[i], t) == 0)
            return true;
    return false;
}

static ndb_rc bg_tok(void *ctx, const ndb_token *tok)
{
    bg_ctx *c = ctx;
    char t[80];
    snprintf(t, sizeof t, "%.*s", (int)tok->len, tok->term);
    if (bg_is_stop(c, t)) {
        c->prev_pos = UINT32_MAX;
        return NDB_OK;
    }
    if (c->prev_pos != UINT32_MAX && tok->pos == c->prev_pos + 1) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 4096;
            c->p = realloc(c->p, c->cap * sizeof *c->p);
        }
        snprintf(c->p[c->n].k, sizeof c->p[c->n].k, "%s %s", c->prev, t);
        c->p[c->n++].doc = c->doc;
    }
    snprintf(c->prev, sizeof c->prev, "%s", t);
    c->prev_pos = tok->pos;
    return NDB_OK;
}

static int bg_pair_cmp(const void *a, const void *b)
{
    const bg_pair *x = a, *y = b;
    int r = strcmp(x->k, y->k);
    return r ? r : (x->doc > y->doc) - (x->doc < y->doc);
}

static int bg_collect(void *ctx, uint32_t id)
{
    uint32_t **ids = ctx;
    *(*ids)++ = id;
    return 0;
}

/* (first, second) bytewise: the library's tie order. */
static int bg_stem_cmp(const char *a, const char *b)
{
    size_t la = strcspn(a, " "), lb = strcspn(b, " ");
    int r = memcmp(a, b, la < lb ? la : lb);
    if (r || la != lb)
        return r ? r : (la < lb ? -1 : 1);
    return strcmp(a + la + 1, b + lb + 1);
}

static void bg_check(ndb_snapshot *s, const char *query)
{
    ndb_stats st;
    ndb_err err;
    ndb_analyzer *an;
    bg_ctx c = {0};
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &c.an2), NDB_OK);
    c.nstops = ndb_text_stopword_count();
    c.stops = calloc(c.nstops + 1, sizeof *c.stops);
    for (size_t i = 0; i < c.nstops; i++) {
        const char *w = ndb_text_stopword_at(i), *stem;
        size_t sl;
        cr_assert_eq(ndb_text_stem(c.an2, w, strlen(w), &stem, &sl), NDB_OK);
        c.stops[i] = strndup(stem, sl);
    }
    uint32_t *ids = calloc(st.versions + 1, sizeof *ids), *p = ids;
    cr_assert_eq(ndb_match_each(s, query, bg_collect, &p, &err), NDB_OK, "%s", err.msg);
    for (uint32_t *i = ids; i < p; i++) {
        ndb_doc *d;
        uint32_t nt;
        cr_assert_eq(ndb_get(s, *i, &d, &err), NDB_OK);
        c.doc = *i;
        c.prev_pos = UINT32_MAX;
        cr_assert_eq(ndb_text_analyze_paras(an, d->paras, d->n_paras, bg_tok, &c, &nt), NDB_OK);
        ndb_doc_free(d);
    }
    if (c.n > 1)
        qsort(c.p, c.n, sizeof *c.p, bg_pair_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < c.n; i++)
        distinct += i == 0 || strcmp(c.p[i].k, c.p[i - 1].k) != 0;

    ndb_terms_opts o = {.top = 100000, .bigrams = 1};
    ndb_term_list *l;
    cr_assert_eq(ndb_top_terms(s, query, &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->matched, (uint64_t)(p - ids), "'%s' matched", query);
    cr_assert_eq(l->tokens, (uint64_t)c.n, "'%s': %llu bigrams, brute force %zu", query,
                 (unsigned long long)l->tokens, c.n);
    cr_assert_eq(l->n, distinct, "'%s': %zu distinct bigrams, brute force %zu", query, l->n,
                 distinct);
    for (size_t i = 0; i < l->n; i++) {
        const ndb_term_row *r = &l->rows[i];
        bg_pair key;
        snprintf(key.k, sizeof key.k, "%s", r->stem);
        key.doc = 0;
        size_t lo = 0, hi = c.n;
        while (lo < hi) { /* first pair >= (stem, 0) */
            size_t m = (lo + hi) / 2;
            if (bg_pair_cmp(&c.p[m], &key) < 0)
                lo = m + 1;
            else
                hi = m;
        }
        uint64_t cnt = 0, docs = 0;
        for (size_t j = lo; j < c.n && strcmp(c.p[j].k, r->stem) == 0; j++) {
            cnt++;
            docs += j == lo || c.p[j].doc != c.p[j - 1].doc;
        }
        cr_assert_eq(r->count, cnt, "'%s' bigram '%s' count %llu, brute force %llu", query,
                     r->stem, (unsigned long long)r->count, (unsigned long long)cnt);
        cr_assert_eq(r->docs, docs, "'%s' bigram '%s' docs", query, r->stem);
        if (i > 0) {
            const ndb_term_row *q = &l->rows[i - 1];
            cr_assert(q->count > r->count ||
                          (q->count == r->count && bg_stem_cmp(q->stem, r->stem) < 0),
                      "rank order at %zu: '%s' %llu before '%s' %llu", i, q->stem,
                      (unsigned long long)q->count, r->stem, (unsigned long long)r->count);
        }
    }
    /* each surface form "w1 w2" analyzes back to the two stems */
    for (size_t i = 0; i < l->n && i < 50; i++) {
        char got[200] = "";
        ndb_buf f;
        const char *w = l->rows[i].term, *sp = strchr(w, ' ');
        cr_assert_not_null(sp, "surface '%s' has two words", w);
        ndb_buf_init(&f, 4096);
        for (int k = 0; k < 2; k++) {
            const char *a = k ? sp + 1 : w, *stem;
            size_t an_ = k ? strlen(sp + 1) : (size_t)(sp - w), sl;
            cr_assert_eq(ndb_text_fold(an, a, an_, &f), NDB_OK);
            cr_assert_eq(ndb_text_stem(an, (const char *)f.p, f.n, &stem, &sl), NDB_OK);
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%.*s", k ? " " : "",
                     (int)sl, stem);
        }
        cr_assert_str_eq(got, l->rows[i].stem, "surface '%s'", w);
        ndb_buf_fini(&f);
    }
    ndb_term_list_free(l);
    for (size_t i = 0; i < c.nstops; i++)
        free(c.stops[i]);
    free(c.stops);
    free(c.p);
    free(ids);
    ndb_text_analyzer_free(an);
    ndb_text_analyzer_free(c.an2);
}

static int bg_mark(void *ctx, uint32_t id)
{
    ((bool *)ctx)[id] = true;
    return 0;
}

/* Brute-force pairs of the docs with want[id] (sorted by key, doc). */
static void bg_pairs_of(ndb_snapshot *s, ndb_analyzer *an, bg_ctx *c, const bool *want,
                        uint32_t nd)
{
    ndb_err err;
    for (uint32_t i = 0; i < nd; i++) {
        ndb_doc *d;
        uint32_t nt;
        if (!want[i])
            continue;
        cr_assert_eq(ndb_get(s, i, &d, &err), NDB_OK);
        c->doc = i;
        c->prev_pos = UINT32_MAX;
        cr_assert_eq(ndb_text_analyze_paras(an, d->paras, d->n_paras, bg_tok, c, &nt), NDB_OK);
        ndb_doc_free(d);
    }
    if (c->n > 1)
        qsort(c->p, c->n, sizeof *c->p, bg_pair_cmp);
}

static void bg_count_key(const bg_ctx *c, const char *k, uint64_t *cnt, uint64_t *docs)
{
    *cnt = *docs = 0;
    for (size_t j = 0; j < c->n; j++) {
        if (strcmp(c->p[j].k, k) != 0)
            continue;
        (*cnt)++;
        *docs += j == 0 || strcmp(c->p[j - 1].k, k) != 0 || c->p[j].doc != c->p[j - 1].doc;
    }
}

static void bg_check_sig(ndb_snapshot *s, const char *query, const char *bgq)
{
    ndb_stats st;
    ndb_err err;
    ndb_analyzer *an;
    bg_ctx fc = {0}, bc = {0};
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &fc.an2), NDB_OK);
    fc.nstops = ndb_text_stopword_count();
    fc.stops = calloc(fc.nstops + 1, sizeof *fc.stops);
    for (size_t i = 0; i < fc.nstops; i++) {
        const char *w = ndb_text_stopword_at(i), *stem;
        size_t sl;
        cr_assert_eq(ndb_text_stem(fc.an2, w, strlen(w), &stem, &sl), NDB_OK);
        fc.stops[i] = strndup(stem, sl);
    }
    bc.stops = fc.stops;
    bc.nstops = fc.nstops;
    uint32_t nd = (uint32_t)st.versions;
    bool *in_r = calloc(nd + 1, 1), *in_b = calloc(nd + 1, 1), *bgset = calloc(nd + 1, 1);
    cr_assert_eq(ndb_match_each(s, query, bg_mark, in_r, &err), NDB_OK, "%s", err.msg);
    if (bgq)
        cr_assert_eq(ndb_match_each(s, bgq, bg_mark, in_b, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < nd; i++) {
        ndb_doc *d;
        cr_assert_eq(ndb_get(s, i, &d, &err), NDB_OK);
        bgset[i] = d->live && !in_r[i] && (bgq ? in_b[i] : true);
        ndb_doc_free(d);
    }
    bg_pairs_of(s, an, &fc, in_r, nd);
    bg_pairs_of(s, an, &bc, bgset, nd);
    ndb_terms_opts o = {.top = 100000, .bigrams = 1, .significant = 1, .background = bgq};
    ndb_term_list *l;
    cr_assert_eq(ndb_top_terms(s, query, &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->tokens, (uint64_t)fc.n, "'%s': fg pairs", query);
    cr_assert_eq(l->bg_tokens, (uint64_t)bc.n, "'%s' bg '%s': %llu bg pairs, brute force %zu",
                 query, bgq ? bgq : "", (unsigned long long)l->bg_tokens, bc.n);
    size_t distinct = 0;
    for (size_t i = 0; i < fc.n; i++)
        distinct += i == 0 || strcmp(fc.p[i].k, fc.p[i - 1].k) != 0;
    cr_assert_eq(l->n, distinct, "'%s': %zu bigrams, brute force %zu", query, l->n, distinct);
    for (size_t i = 0; i < l->n; i++) {
        const ndb_term_row *r = &l->rows[i];
        uint64_t cnt, docs, bcnt, bdocs;
        double delta, z;
        bg_count_key(&fc, r->stem, &cnt, &docs);
        bg_count_key(&bc, r->stem, &bcnt, &bdocs);
        cr_assert_eq(r->count, cnt, "'%s' '%s' count", query, r->stem);
        cr_assert_eq(r->docs, docs, "'%s' '%s' docs", query, r->stem);
        cr_assert_eq(r->bg_count, bcnt, "'%s' '%s' bg %llu, brute force %llu", query, r->stem,
                     (unsigned long long)r->bg_count, (unsigned long long)bcnt);
        ndb_analytics_log_odds(cnt, fc.n, bcnt, bc.n, &delta, &z);
        cr_assert(fabs(z - r->z) < 1e-9 && fabs(delta - r->delta) < 1e-9, "'%s' z", r->stem);
        if (i > 0)
            cr_assert(l->rows[i - 1].z > r->z ||
                          (l->rows[i - 1].z == r->z && bg_stem_cmp(l->rows[i - 1].stem, r->stem) < 0),
                      "rank order at %zu", i);
    }
    ndb_term_list_free(l);
    for (size_t i = 0; i < fc.nstops; i++)
        free(fc.stops[i]);
    free(fc.stops);
    free(fc.p);
    free(bc.p);
    free(in_r);
    free(in_b);
    free(bgset);
    ndb_text_analyzer_free(an);
    ndb_text_analyzer_free(fc.an2);
}

Test(bigrams, significant)
{
    uint64_t seed = ndb_test_seed(78), rs = seed;
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < 240; i++) {
        uint32_t src = i < 200 ? i : (uint32_t)(ndb_rand_next(&rs) % 200);
        tc_doc d = tc_make_doc(seed, src, i < 200 ? 0 : i, 0);
        ndb_add_result r;
        cr_assert_eq(ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &r, &err), NDB_OK,
                     "%s", err.msg);
        tc_doc_free(&d);
        if (i % 90 == 89)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    bg_check_sig(s, "election", NULL);
    bg_check_sig(s, "oil OR syria", NULL);
    bg_check_sig(s, "bank", "talks OR court");
    bg_check_sig(s, "war -peace", "peace");
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

Test(bigrams, random_archive)
{
    uint64_t seed = ndb_test_seed(77), rs = seed;
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < 400; i++) {
        uint32_t src = i < 320 ? i : (uint32_t)(ndb_rand_next(&rs) % 320);
        tc_doc d = tc_make_doc(seed, src, i < 320 ? 0 : i, 0);
        ndb_add_result r;
        cr_assert_eq(ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &r, &err), NDB_OK,
                     "%s", err.msg);
        tc_doc_free(&d);
        if (i % 150 == 149)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    static const char *const qs[] = {"election", "oil OR syria", "bank", "\"the\" OR climate",
                                     "talks -oil"};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
        bg_check(s, qs[i]);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

static ndb_snapshot *bg_one(ndb_db *db, const char *art)
{
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_add_result r;
    ndb_err err;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_writer_add_native(w, "a", art, strlen(art), NULL, 0, &r, &err), NDB_OK, "%s",
                 err.msg);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    return s;
}

Test(bigrams, hand)
{
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_err err;
    ndb_term_list *l;
    /* oil price rose [in] oil price | price oil rose: "rose in", "in oil" have a stop word,
    ** the two paragraphs' "prices" are not adjacent */
    ndb_snapshot *s = bg_one(db, "http://www.bbc.co.uk/news/2016/10/11/a\n31\n2\n"
                                 "Oil prices rose in Oil Prices.\n\nPrices oil rose.\n");
    ndb_terms_opts o = {.bigrams = 1};
    cr_assert_eq(ndb_top_terms(s, "oil", &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->matched, 1);
    cr_assert_eq(l->tokens, 5);
    cr_assert_eq(l->n, 4);
    cr_assert_str_eq(l->rows[0].stem, "oil price");
    cr_assert_str_eq(l->rows[0].term, "oil prices");
    cr_assert_eq(l->rows[0].count, 2);
    cr_assert_eq(l->rows[0].docs, 1);
    cr_assert_str_eq(l->rows[1].term, "oil rose");
    cr_assert_str_eq(l->rows[2].term, "prices oil");
    cr_assert_str_eq(l->rows[3].term, "prices rose");
    for (size_t i = 1; i < 4; i++)
        cr_assert_eq(l->rows[i].count, 1);
    ndb_term_list_free(l);
    o.top = 1;
    cr_assert_eq(ndb_top_terms(s, "oil", &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->n, 1);
    cr_assert_eq(l->tokens, 5);
    ndb_term_list_free(l);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

Test(bigrams, limits)
{
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_err err;
    ndb_term_list *l = NULL;
    ndb_snapshot *s = bg_one(db, "http://www.bbc.co.uk/news/2016/10/11/a\n25\n1\n"
                                 "Oil prices rose sharply.\n");
    ndb_terms_opts o = {.bigrams = 1, .max_postings = 5};
    cr_assert_eq(ndb_top_terms(s, "oil", &o, &l, &err), NDB_ELIMIT);
    cr_assert_null(l);
    cr_assert(strstr(err.msg, "more than 5 postings and positions"), "%s", err.msg);
    o.max_postings = 8; /* 4 terms: 4 postings + 4 positions */
    cr_assert_eq(ndb_top_terms(s, "oil", &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->tokens, 3);
    ndb_term_list_free(l);
    o = (ndb_terms_opts){.bigrams = 1};
    cr_assert_eq(ndb_top_terms(s, "gold", &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->matched, 0);
    cr_assert_eq(l->n, 0);
    ndb_term_list_free(l);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

Test(bigrams, basil)
{
    const char *corp = ndb_test_corpora();
    char tar[1024], meta[1024], dir[512];
    if (!corp)
        cr_skip_test("no shared corpora (../shared/corpora): basil bigram test skipped");
    snprintf(tar, sizeof tar, "%s/basil.tar.gz", corp);
    snprintf(meta, sizeof meta, "%s/basil.meta.jsonl", corp);
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    ndb_ingest_opts io = {.meta_path = meta};
    ndb_ingest_stats st;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_ingest(w, tar, &io, &st, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    bg_check(s, "trump");
    bg_check(s, "immigration OR border");
    bg_check(s, "\"white house\"");
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}
