/*
** End-to-end tests of the public API: ingest, versions, duplicates, strictness, locking,
** get/format round trips, and an oracle: random boolean queries over an archive built in
** many commits (so several segments and merges are involved) must match a brute-force
** evaluation over the analyzed text of the same documents.
*/
#include "api/api.h"
#include "common/corpus.h"
#include "common/testutil.h"
#include "doc/doc.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static ndb_rc api_add(ndb_writer *w, const char *s, int strict, ndb_add_result *r, ndb_err *e)
{
    return ndb_writer_add_native(w, "t.txt", s, strlen(s), NULL, strict, r, e);
}

/* Level merges (writer.c): a commit merges a run of 10 same-level segments only when a
** newer segment follows it, so after each commit every level holds at most 10 segments
** besides the newest, levels ascend toward the newest, the ranges tile the ids, and an
** optimize right after a commit merges everything once. */
Test(api, level_merges_wait_for_the_next_commit)
{
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_err err;
    size_t merged_at = 0;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t c = 1; c <= 25; c++) {
        tc_doc d = tc_make_doc(3, c, 0, 0);
        ndb_add_result r;
        ndb_manifest m;
        size_t per_level[4] = {0};
        uint32_t next = 0;
        cr_assert_eq(ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &r, &err), NDB_OK);
        tc_doc_free(&d);
        cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
        ndb_manifest_init(&m);
        cr_assert_eq(ndb_manifest_load(ndb_vfs_default(), dir, &m, &err), NDB_OK, "%s", err.msg);
        for (size_t i = 0; i < m.nsegs; i++) {
            cr_assert_eq(m.segs[i].base, next, "commit %u: segment %zu", c, i);
            next += m.segs[i].ndocs;
            cr_assert(i == 0 || m.segs[i].level <= m.segs[i - 1].level, "commit %u", c);
            if (i + 1 < m.nsegs)
                per_level[m.segs[i].level]++;
        }
        cr_assert_eq(next, c);
        for (int l = 0; l < 4; l++)
            cr_assert_leq(per_level[l], 10, "commit %u: %zu segments of level %d", c,
                          per_level[l], l);
        /* the 10th commit fills level 0 but does not merge it; the 11th does */
        if (c == 10)
            cr_assert_eq(m.nsegs, 10);
        if (m.nsegs > 0 && m.segs[0].level == 1 && !merged_at)
            merged_at = c;
        ndb_manifest_fini(&m);
    }
    cr_assert_eq(merged_at, 11);
    cr_assert_eq(ndb_writer_optimize(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    ndb_snapshot *s;
    ndb_stats st;
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(st.segments, 1);
    cr_assert_eq(st.articles, 25);
    ndb_snapshot_close(s);
    ndb_close(db);
}

Test(api, add_get_versions_duplicates)
{
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_add_result r;
    ndb_err err;
    const char *v1 = "http://www.bbc.co.uk/news/2016/10/11/a\n12\n2\nFirst text.\n\nSecond.\n";
    const char *v2 = "http://www.bbc.co.uk/news/2016/10/11/a\n12\n2\nFirst edit.\n\nSecond.\n";
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(api_add(w, v1, 0, &r, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(r.status, NDB_ADDED);
    cr_assert_eq(api_add(w, v1, 0, &r, &err), NDB_OK);
    cr_assert_eq(r.status, NDB_DUPLICATE);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(api_add(w, v1, 0, &r, &err), NDB_OK);
    cr_assert_eq(r.status, NDB_DUPLICATE, "duplicate across commits");
    cr_assert_eq(api_add(w, v2, 0, &r, &err), NDB_OK);
    cr_assert_eq(r.status, NDB_UPDATED);
    cr_assert_eq(r.id, 1);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    ndb_writer_close(w);

    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    ndb_doc *d;
    cr_assert_eq(ndb_get_url(s, "http://www.bbc.co.uk/news/2016/10/11/a", &d, &err), NDB_OK);
    cr_assert_eq(d->id, 1);
    cr_assert_eq(d->version, 2);
    cr_assert(d->live);
    cr_assert_str_eq(d->outlet, "bbc.co.uk");
    char date[16];
    ndb_date_format(d->date, date, sizeof date);
    cr_assert_str_eq(date, "2016-10-11");
    cr_assert_eq(d->raw.n, strlen(v2));
    cr_assert(memcmp(d->raw.p, v2, d->raw.n) == 0);
    cr_assert_eq(d->n_paras, 2);
    cr_assert_eq(d->lead_bytes, 12);
    ndb_doc_free(d);
    cr_assert_eq(ndb_get(s, 0, &d, &err), NDB_OK);
    cr_assert(!d->live);
    cr_assert_eq(d->version, 1);
    char *out;
    size_t n;
    cr_assert_eq(ndb_doc_format(d, NDB_FMT_NATIVE, &out, &n), NDB_OK);
    cr_assert_eq(n, strlen(v1));
    cr_assert(memcmp(out, v1, n) == 0);
    ndb_free_mem(out);
    cr_assert_eq(ndb_doc_format(d, NDB_FMT_JSON, &out, &n), NDB_OK);
    cr_assert(strstr(out, "\"paragraphs\":[\"First text.\",\"Second.\"]"), "%s", out);
    ndb_free_mem(out);
    cr_assert_eq(ndb_doc_format(d, NDB_FMT_CSV, &out, &n), NDB_OK);
    cr_assert(strstr(out, "\"First text.\n\nSecond.\"\n"), "%s", out);
    ndb_free_mem(out);
    ndb_doc_free(d);
    uint32_t *ids;
    cr_assert_eq(ndb_get_versions(s, "http://www.bbc.co.uk/news/2016/10/11/a", &ids, &n, &err),
                 NDB_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(ids[0], 0);
    cr_assert_eq(ids[1], 1);
    ndb_free_mem(ids);
    uint64_t c;
    cr_assert_eq(ndb_count(s, "first", &c, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(c, 1, "the superseded version must not match");
    cr_assert_eq(ndb_count(s, "text", &c, &err), NDB_OK);
    cr_assert_eq(c, 0);
    cr_assert_eq(ndb_count(s, "edit", &c, &err), NDB_OK);
    cr_assert_eq(c, 1);
    cr_assert_eq(ndb_get(s, 2, &d, &err), NDB_ENOTFOUND);
    ndb_stats st;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(st.articles, 1);
    cr_assert_eq(st.versions, 2);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

Test(api, bad_records_strict_and_warnings)
{
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_add_result r;
    ndb_err err;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    const char *mismatch = "http://a.com/x\n5\n3\nOne.\n\nTwo.\n";
    cr_assert_eq(api_add(w, mismatch, 0, &r, &err), NDB_OK, "%s", err.msg);
    cr_assert(r.count_mismatch);
    cr_assert_eq(api_add(w, "http://a.com/y\n5\n3\nOne.\n\nTwo.\n", 1, &r, &err), NDB_EPARSE);
    cr_assert(strstr(err.msg, "t.txt"), "message names the source: %s", err.msg);
    cr_assert_eq(api_add(w, "http://a.com/z\nabc\n1\nOne.\n", 0, &r, &err), NDB_EPARSE);
    cr_assert_eq(api_add(w, "", 0, &r, &err), NDB_EPARSE);
    cr_assert_eq(api_add(w, "http://a.com/q\n5\n1\n\xff\xfe bad\n", 0, &r, &err), NDB_EPARSE);
    /* the writer is still usable after bad input */
    cr_assert_eq(api_add(w, "http://a.com/ok\n4\n1\nGood.\n", 0, &r, &err), NDB_OK, "%s",
                 err.msg);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    /* a second writer is refused while the first holds the lock */
    ndb_db *db2;
    ndb_writer *w2 = NULL;
    cr_assert_eq(ndb_open(dir, NULL, &db2, &err), NDB_OK);
    cr_assert_eq(ndb_writer_open(db2, &w2, &err), NDB_EBUSY);
    cr_assert(strstr(err.msg, "locked"), "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_writer_open(db2, &w2, &err), NDB_OK, "lock released on close");
    ndb_writer_close(w2);
    ndb_close(db2);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

/* ---------------------------------------------------------------- oracle */

#define OR_DOCS 600
#define OR_VOCAB 14

typedef struct or_doc {
    char **terms; /* analyzed tokens in order */
    uint32_t *pos;
    size_t n;
    uint32_t outlet; /* i % 7 */
    int32_t date;
    uint32_t src; /* URL number: docs with the same src are versions */
    bool live;
} or_doc;

static or_doc or_docs[OR_DOCS + 50];
static size_t or_ndocs;

static ndb_rc or_tok(void *ctx, const ndb_token *t)
{
    or_doc *d = ctx;
    d->terms = realloc(d->terms, (d->n + 1) * sizeof *d->terms);
    d->pos = realloc(d->pos, (d->n + 1) * sizeof *d->pos);
    d->terms[d->n] = strndup(t->term, t->len);
    d->pos[d->n] = t->pos;
    d->n++;
    return NDB_OK;
}

static bool or_has(const or_doc *d, const char *t)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->terms[i], t) == 0)
            return true;
    return false;
}

static bool or_phrase(const or_doc *d, const char *a, const char *b)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->terms[i], a) == 0)
            for (size_t j = 0; j < d->n; j++)
                if (d->pos[j] == d->pos[i] + 1 && strcmp(d->terms[j], b) == 0)
                    return true;
    return false;
}

/* Random query: returns the text, evaluates it on every doc into want[]. */
typedef struct or_q {
    char text[512];
    bool want[OR_DOCS + 50];
} or_q;

static const char *const or_words[OR_VOCAB] = {"election", "vote",   "minister", "president",
                                               "war",      "peace",  "market",   "oil",
                                               "bank",     "rates",  "russia",   "france",
                                               "syria",    "talks"};

static void or_leaf(uint64_t *s, ndb_analyzer *an, char *text, size_t cap, bool *want)
{
    uint32_t kind = (uint32_t)(ndb_rand_next(s) % 6);
    const char *w1 = or_words[ndb_rand_next(s) % OR_VOCAB];
    const char *w2 = or_words[ndb_rand_next(s) % OR_VOCAB];
    const char *st1, *st2;
    char a[64], b[64];
    size_t n1, n2;
    ndb_text_stem(an, w1, strlen(w1), &st1, &n1);
    snprintf(a, sizeof a, "%.*s", (int)n1, st1);
    ndb_text_stem(an, w2, strlen(w2), &st2, &n2);
    snprintf(b, sizeof b, "%.*s", (int)n2, st2);
    if (kind <= 2) {
        snprintf(text, cap, "%s", w1);
        for (size_t i = 0; i < or_ndocs; i++)
            want[i] = or_has(&or_docs[i], a);
    } else if (kind == 3) {
        snprintf(text, cap, "\"%s %s\"", w1, w2);
        for (size_t i = 0; i < or_ndocs; i++)
            want[i] = or_phrase(&or_docs[i], a, b);
    } else if (kind == 4) {
        uint32_t o = (uint32_t)(ndb_rand_next(s) % 7);
        snprintf(text, cap, "outlet:outlet%u.co.uk", o);
        for (size_t i = 0; i < or_ndocs; i++)
            want[i] = or_docs[i].outlet == o && or_docs[i].date != NDB_DATE_NONE;
    } else {
        uint32_t m = 1 + (uint32_t)(ndb_rand_next(s) % 12);
        int32_t lo, hi;
        ndb_date_from_ymd(2016, (int)m, 1, &lo);
        ndb_date_from_ymd(2016, (int)m, 15, &hi);
        snprintf(text, cap, "date:2016-%02u-01..2016-%02u-15", m, m);
        for (size_t i = 0; i < or_ndocs; i++)
            want[i] = or_docs[i].date != NDB_DATE_NONE && or_docs[i].date >= lo &&
                      or_docs[i].date <= hi;
    }
}

static void or_expr(uint64_t *s, ndb_analyzer *an, int depth, char *text, size_t cap, bool *want)
{
    uint32_t op = depth > 2 ? 3 : (uint32_t)(ndb_rand_next(s) % 4);
    if (op == 3) {
        or_leaf(s, an, text, cap, want);
        return;
    }
    char l[512], r[512];
    static bool wl[3][OR_DOCS + 50], wr[3][OR_DOCS + 50];
    or_expr(s, an, depth + 1, l, sizeof l, wl[depth]);
    or_expr(s, an, depth + 1, r, sizeof r, wr[depth]);
    const char *ops[3] = {"AND", "OR", "AND NOT"};
    snprintf(text, cap, "(%s %s %s)", l, ops[op], r);
    for (size_t i = 0; i < or_ndocs; i++)
        want[i] = op == 0   ? wl[depth][i] && wr[depth][i]
                  : op == 1 ? wl[depth][i] || wr[depth][i]
                            : wl[depth][i] && !wr[depth][i];
}

typedef struct or_collect {
    bool got[OR_DOCS + 50];
    uint32_t last;
    bool ordered;
} or_collect;

static int or_id(void *ctx, uint32_t id)
{
    or_collect *c = ctx;
    if (c->last != UINT32_MAX && id <= c->last)
        c->ordered = false;
    c->last = id;
    if (id < OR_DOCS + 50)
        c->got[id] = true;
    return 0;
}

/* n random queries on s: matches and counts equal the brute-force evaluation over the
** live docs, ranked pruned == exhaustive. */
static void or_check_queries(ndb_snapshot *s, ndb_analyzer *an, uint64_t *pseed, int n)
{
    uint64_t seed = *pseed;
    ndb_err err;
    static or_q q;
    static or_collect c;
    for (int t = 0; t < n; t++) {
        uint64_t expect = 0, cnt = 0;
        or_expr(&seed, an, 0, q.text, sizeof q.text, q.want);
        memset(&c, 0, sizeof c);
        c.last = UINT32_MAX;
        c.ordered = true;
        cr_assert_eq(ndb_match_each(s, q.text, or_id, &c, &err), NDB_OK, "%s: %s", q.text,
                     err.msg);
        cr_assert(c.ordered, "%s: ids not ascending", q.text);
        for (size_t i = 0; i < or_ndocs; i++) {
            bool want = q.want[i] && or_docs[i].live;
            expect += want;
            cr_assert_eq(c.got[i], want, "query %s: doc %zu got %d want %d (seed %llu)", q.text,
                         i, c.got[i], want, (unsigned long long)seed);
        }
        cr_assert_eq(ndb_count(s, q.text, &cnt, &err), NDB_OK);
        cr_assert_eq(cnt, expect, "%s", q.text);
        /* ranked: pruned == exhaustive */
        ndb_results *r1, *r2;
        ndb_search_opts o1 = {.limit = 10}, o2 = {.limit = 10, .exhaustive = 1};
        cr_assert_eq(ndb_search(s, q.text, &o1, &r1, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(ndb_search(s, q.text, &o2, &r2, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(r1->total, expect);
        cr_assert_eq(r2->total, expect);
        cr_assert_eq(r1->n, r2->n, "%s", q.text);
        for (size_t i = 0; i < r1->n; i++) {
            cr_assert_eq(r1->hits[i].id, r2->hits[i].id, "%s: rank %zu", q.text, i);
            cr_assert_eq(r1->hits[i].score, r2->hits[i].score);
        }
        ndb_results_free(r1);
        ndb_results_free(r2);
        /* ranked without a total (the OR's windowed MaxScore, over the segments' cursors)
        ** == exhaustive, by each sort */
        ndb_query *pq;
        cr_assert_eq(ndb_query_parse(q.text, strlen(q.text), an, &pq, &err), NDB_OK, "%s",
                     err.msg);
        for (int so = 0; so < 3; so++) {
            ndb_query_hit h1[10], h2[10];
            size_t n1, n2;
            uint64_t tot;
            cr_assert_eq(ndb_query_topk(pq, &s->view, 10, (ndb_sort)so, true, h1, &n1, &tot,
                                        &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(ndb_query_topk(pq, &s->view, 10, (ndb_sort)so, false, h2, &n2, NULL,
                                        &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(n1, n2, "%s: sort %d no-total", q.text, so);
            for (size_t i = 0; i < n1; i++) {
                cr_assert_eq(h1[i].id, h2[i].id, "%s: sort %d no-total rank %zu", q.text, so, i);
                cr_assert(h1[i].score == h2[i].score);
            }
        }
        ndb_query_free(pq);
    }
    *pseed = seed;
}

Test(api, oracle_boolean_queries_across_segments, .timeout = 240)
{
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s, *s0 = NULL;
    const uint8_t *norms0 = NULL;
    ndb_err err;
    ndb_analyzer *an;
    uint64_t seed = ndb_test_seed(42);
    cr_log_info("NDB_SEED=%llu", (unsigned long long)seed);
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an), NDB_OK);
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    /* 600 docs in commits of 20 (30 segments: merges happen), plus 50 new versions. The
    ** first quarter of the segments (new and merged) are written in format 1.0, the second
    ** in the default 1.1, the third in 1.2 (each list's positions by its df and cf), the
    ** rest in 1.1 with positions bounded by doc length, so the archive queried mixes the
    ** segment formats. */
    cr_assert_eq(setenv("NEWSDB_SEG_FORMAT", "1.0", 1), 0);
    for (uint32_t i = 0; i < OR_DOCS + 50; i++) {
        if (i == OR_DOCS / 4)
            cr_assert_eq(unsetenv("NEWSDB_SEG_FORMAT"), 0);
        if (i == 2 * OR_DOCS / 4)
            cr_assert_eq(setenv("NEWSDB_SEG_POSITIONS", "bylist", 1), 0);
        if (i == 3 * OR_DOCS / 4)
            cr_assert_eq(setenv("NEWSDB_SEG_POSITIONS", "dlbound", 1), 0);
        uint32_t src = i < OR_DOCS ? i : (uint32_t)(ndb_rand_next(&seed) % OR_DOCS);
        tc_doc d = tc_make_doc(seed, src, i < OR_DOCS ? 0 : i, OR_VOCAB);
        ndb_add_result r;
        ndb_article a;
        cr_assert_eq(ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &r, &err), NDB_OK,
                     "%s", err.msg);
        if (r.status == NDB_DUPLICATE) {
            tc_doc_free(&d);
            continue;
        }
        cr_assert_eq(r.id, or_ndocs);
        or_doc *od = &or_docs[or_ndocs++];
        memset(od, 0, sizeof *od);
        ndb_doc_article_init(&a);
        cr_assert_eq(ndb_doc_parse("x", (const uint8_t *)d.bytes, d.n, false, &a, &err), NDB_OK);
        uint32_t ntok;
        ndb_text_analyze_paras(an, a.paras, a.n_paras, or_tok, od, &ntok);
        od->outlet = src % 7;
        od->date = a.date;
        od->src = src;
        ndb_doc_article_fini(&a);
        tc_doc_free(&d);
        if (or_ndocs % 20 == 0)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
        if (or_ndocs == 100 && !s0) { /* norm bytes of an early snapshot, held open */
            cr_assert_eq(ndb_snapshot_open(db, &s0, &err), NDB_OK, "%s", err.msg);
            norms0 = s0->view.norms(s0);
            cr_assert(norms0 && s0->view.ndocs == 100);
            const uint32_t *ol;
            uint32_t nol;
            cr_assert(s0->view.outlet_docs(s0, 0, &ol, &nol)); /* its lists built for 100 */
        }
        if (i == OR_DOCS - 1) {
            /* no doc superseded yet: the snapshot knows every doc is live (queries skip
            ** the per-doc test, a term's count is its df) and answers stay exact */
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
            cr_assert(s->view.all_live);
            for (size_t k = 0; k < or_ndocs; k++)
                or_docs[k].live = true;
            or_check_queries(s, an, &seed, 200);
            ndb_snapshot_close(s);
        }
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_lt(s->nsegs, 15, "merges must have run (%zu segments)", s->nsegs);
    for (size_t i = 0; i < or_ndocs; i++) {
        or_docs[i].live = true;
        for (size_t k = i + 1; k < or_ndocs; k++)
            if (or_docs[k].src == or_docs[i].src)
                or_docs[i].live = false;
        cr_assert_eq(s->view.live(s, (uint32_t)i), or_docs[i].live, "live flag of doc %zu", i);
    }
    cr_assert(!s->view.all_live);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);
    /* norm bytes: the newest snapshot's cover its ids (the array grew since s0 built it),
    ** and the early snapshot's array is still readable and unchanged */
    const uint8_t *norms = s->view.norms(s);
    cr_assert(norms);
    for (uint32_t i = 0; i < s->view.ndocs; i++)
        cr_assert_eq(norms[i], ndb_norm_encode(s->view.cols[i].len), "norm of doc %u", i);
    for (uint32_t i = 0; i < s0->view.ndocs; i++)
        cr_assert_eq(norms0[i], ndb_norm_encode(s0->view.cols[i].len), "old norm of doc %u", i);
    /* per-outlet doc lists: the newest snapshot's (built anew for its ids) and the early
    ** one's (built for 100 docs, still held) are exactly the ids of each outlet's column,
    ** ascending, below each snapshot's ndocs */
    for (int pass = 0; pass < 2; pass++) {
        ndb_snapshot *x = pass ? s0 : s;
        for (uint32_t o = 0; o < 9; o++) {
            const uint32_t *ol;
            uint32_t nol, at = 0;
            cr_assert(x->view.outlet_docs(x, o, &ol, &nol));
            for (uint32_t i = 0; i < x->view.ndocs; i++)
                if (x->view.cols[i].outlet == o) {
                    cr_assert_lt(at, nol, "outlet %u: list too short", o);
                    cr_assert_eq(ol[at], i, "outlet %u: entry %u", o, at);
                    at++;
                }
            cr_assert_eq(at, nol, "outlet %u: list too long", o);
        }
    }
    ndb_snapshot_close(s0);

    or_check_queries(s, an, &seed, 400);
    for (size_t i = 0; i < or_ndocs; i++) {
        for (size_t k = 0; k < or_docs[i].n; k++)
            free(or_docs[i].terms[k]);
        free(or_docs[i].terms);
        free(or_docs[i].pos);
    }
    ndb_text_analyzer_free(an);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

/* One side file over several sources: every line matches across them, none is reported. */
static void api_report_count(void *ctx, int is_error, const char *msg)
{
    (void)msg;
    if (!is_error)
        (*(int *)ctx)++;
}

Test(api, side_file_across_several_paths)
{
    char dir[512], a[600], b[600], meta[600];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_err err;
    ndb_ingest_stats st;
    int warnings = 0;
    snprintf(a, sizeof a, "%s/../a", dir);
    snprintf(b, sizeof b, "%s/../b", dir);
    snprintf(meta, sizeof meta, "%s/../meta.jsonl", dir);
    cr_assert_eq(mkdir(a, 0755), 0);
    cr_assert_eq(mkdir(b, 0755), 0);
    FILE *m = fopen(meta, "w");
    for (uint32_t i = 0; i < 6; i++) {
        tc_doc d = tc_make_doc(9, i, 0, 0);
        char name[32];
        snprintf(name, sizeof name, "d%u.txt", i);
        cr_assert_eq(tc_write_file(i < 3 ? a : b, name, d.bytes, d.n), 0);
        fprintf(m, "{\"file\": \"%s\", \"url\": \"%s\", \"title\": \"Title %u\"}\n", name, d.url, i);
        tc_doc_free(&d);
    }
    fclose(m);
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    ndb_ingest_opts o = {.meta_path = meta, .report = api_report_count, .ctx = &warnings};
    const char *paths[2] = {a, b};
    cr_assert_eq(ndb_ingest_paths(w, paths, 2, &o, &st, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(st.seen, 6);
    cr_assert_eq(st.added, 6);
    cr_assert_eq(st.meta_lines, 6);
    cr_assert_eq(st.meta_unmatched, 0, "lines of the other PATH reported as unmatched");
    cr_assert_eq(warnings, 0);
    ndb_writer_close(w);
    ndb_snapshot *s;
    ndb_doc *d;
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    cr_assert_eq(ndb_get(s, 4, &d, &err), NDB_OK);
    cr_assert_str_eq(d->title, "Title 4");
    ndb_doc_free(d);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

/* Tokens recorded ahead of the writer (api_tokens, another analyzer, as the two-thread bench
** build does) make the same archive as inline analysis: every query answers the same, hit
** for hit and score for score, and the segment and store files have the same sizes. */
Test(api, recorded_tokens_build_the_same_archive, .timeout = 120)
{
    char d1[512], d2[512];
    ndb_db *db1 = ndb_test_new_archive(d1, sizeof d1), *db2 = ndb_test_new_archive(d2, sizeof d2);
    ndb_writer *w1, *w2;
    ndb_err err;
    ndb_analyzer *an;
    api_tokens *tok;
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an), NDB_OK);
    cr_assert_eq(api_tokens_new(&tok), NDB_OK);
    cr_assert_eq(ndb_writer_open(db1, &w1, &err), NDB_OK);
    cr_assert_eq(ndb_writer_open(db2, &w2, &err), NDB_OK);
    for (uint32_t i = 0; i < 300; i++) {
        tc_doc d = tc_make_doc(7, i, 0, OR_VOCAB);
        ndb_add_result r1, r2;
        ndb_article a;
        cr_assert_eq(ndb_writer_add_native(w1, d.url, d.bytes, d.n, NULL, 0, &r1, &err), NDB_OK);
        ndb_doc_article_init(&a);
        cr_assert_eq(ndb_doc_parse("x", (const uint8_t *)d.bytes, d.n, false, &a, &err), NDB_OK);
        cr_assert_eq(api_tokens_analyze(tok, an, a.paras, a.n_paras), NDB_OK);
        ndb_doc_article_fini(&a);
        cr_assert_eq(api_writer_add_tokens(w2, d.url, d.bytes, d.n, NULL, tok, &r2, &err), NDB_OK,
                     "%s", err.msg);
        cr_assert_eq(r1.id, r2.id);
        cr_assert_eq(r1.status, r2.status);
        tc_doc_free(&d);
        if (i % 100 == 99) {
            cr_assert_eq(ndb_writer_commit(w1, &err), NDB_OK);
            cr_assert_eq(ndb_writer_commit(w2, &err), NDB_OK);
        }
    }
    cr_assert_eq(ndb_writer_optimize(w1, &err), NDB_OK);
    cr_assert_eq(ndb_writer_optimize(w2, &err), NDB_OK);
    ndb_writer_close(w1);
    ndb_writer_close(w2);
    const char *files[] = {"docs.log", "docs.idx", "cols.dat", "urls.dat"};
    for (size_t i = 0; i < 4; i++) {
        char p1[600], p2[600];
        struct stat s1, s2;
        snprintf(p1, sizeof p1, "%s/%s", d1, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", d2, files[i]);
        cr_assert(stat(p1, &s1) == 0 && stat(p2, &s2) == 0 && s1.st_size == s2.st_size, "%s",
                  files[i]);
    }
    ndb_snapshot *s1, *s2;
    cr_assert_eq(ndb_snapshot_open(db1, &s1, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_open(db2, &s2, &err), NDB_OK);
    cr_assert_eq(s1->index_bytes, s2->index_bytes);
    cr_assert_eq(s1->view.total_len, s2->view.total_len);
    for (size_t i = 0; i < OR_VOCAB; i++)
        for (size_t j = 0; j < OR_VOCAB; j++) {
            char q[200];
            if (i == j)
                snprintf(q, sizeof q, "%s", or_words[i]);
            else
                snprintf(q, sizeof q, (i + j) % 2 ? "\"%s %s\"" : "%s OR %s", or_words[i],
                         or_words[j]);
            ndb_results *r1, *r2;
            ndb_search_opts o = {.limit = 20};
            cr_assert_eq(ndb_search(s1, q, &o, &r1, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(ndb_search(s2, q, &o, &r2, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(r1->total, r2->total, "%s", q);
            cr_assert_eq(r1->n, r2->n, "%s", q);
            for (size_t k = 0; k < r1->n; k++)
                cr_assert(r1->hits[k].id == r2->hits[k].id && r1->hits[k].score == r2->hits[k].score,
                          "%s: hit %zu", q, k);
            ndb_results_free(r1);
            ndb_results_free(r2);
        }
    api_tokens_free(tok);
    ndb_text_analyzer_free(an);
    ndb_snapshot_close(s1);
    ndb_snapshot_close(s2);
    ndb_close(db1);
    ndb_close(db2);
    ndb_test_remove_archive(d1);
    ndb_test_remove_archive(d2);
}
