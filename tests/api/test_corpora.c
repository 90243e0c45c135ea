/*
** The real corpora of ../shared/corpora, ingested as a user would (tar.gz + .meta.jsonl),
** then checked: every record accounted for, `check` passes, native export round-trips the
** tar member bytes, and random queries (terms, AND, OR, NOT, phrases, outlet and date
** filters) agree with a brute-force scan of the analyzed text of every stored article.
** Skips, saying so, when ../shared/corpora is absent.
*/
#include "api/api.h"
#include "common/testutil.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct cp_doc {
    char **terms;
    uint32_t *pos;
    char **surface;
    size_t n;
    char *outlet;
    int32_t date;
    bool live;
} cp_doc;

typedef struct cp_tok_ctx {
    cp_doc *d;
    const uint8_t *base;
} cp_tok_ctx;

static ndb_rc cp_tok(void *ctx, const ndb_token *t)
{
    cp_tok_ctx *c = ctx;
    cp_doc *d = c->d;
    d->terms = realloc(d->terms, (d->n + 1) * sizeof *d->terms);
    d->pos = realloc(d->pos, (d->n + 1) * sizeof *d->pos);
    d->surface = realloc(d->surface, (d->n + 1) * sizeof *d->surface);
    d->terms[d->n] = strndup(t->term, t->len);
    d->pos[d->n] = t->pos;
    d->surface[d->n] = strndup((const char *)c->base + t->start, t->end - t->start);
    d->n++;
    return NDB_OK;
}

static bool cp_has(const cp_doc *d, const char *t)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->terms[i], t) == 0)
            return true;
    return false;
}

static bool cp_phrase(const cp_doc *d, const char *a, const char *b)
{
    for (size_t i = 0; i + 1 < d->n; i++)
        if (strcmp(d->terms[i], a) == 0 && d->pos[i + 1] == d->pos[i] + 1 &&
            strcmp(d->terms[i + 1], b) == 0)
            return true;
    return false;
}

typedef struct cp_set {
    uint8_t *got;
    uint32_t n;
} cp_set;

static int cp_id(void *ctx, uint32_t id)
{
    cp_set *s = ctx;
    if (id < s->n)
        s->got[id] = 1;
    return 0;
}

/* A word that analyzes to exactly the term (so a query of it means that term). */
static bool cp_pick(cp_doc *docs, uint32_t n, uint64_t *seed, const char **surface,
                    const char **term, size_t *at, uint32_t *doc)
{
    for (int tries = 0; tries < 100; tries++) {
        uint32_t d = (uint32_t)(ndb_rand_next(seed) % n);
        if (!docs[d].n || !docs[d].live)
            continue;
        size_t i = ndb_rand_next(seed) % docs[d].n;
        const char *s = docs[d].surface[i];
        bool plain = true;
        for (const char *p = s; *p; p++)
            plain &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        if (!plain || strlen(s) < 3)
            continue;
        *surface = s;
        *term = docs[d].terms[i];
        *at = i;
        *doc = d;
        return true;
    }
    return false;
}

static void cp_run(const char *corpus, int nqueries)
{
    const char *dir = ndb_test_corpora();
    char tar[4200], meta[4200], tmp[256], db_dir[512];
    ndb_options o = {.create = 1};
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    ndb_snapshot *s = NULL;
    ndb_ingest_stats st;
    ndb_ingest_opts io = {0};
    ndb_err err;
    ndb_analyzer *an = NULL;
    uint64_t seed = ndb_test_seed(1234);
    if (!dir)
        cr_skip_test("../shared/corpora is absent: real-corpus test of %s skipped", corpus);
    snprintf(tar, sizeof tar, "%s/%s.tar.gz", dir, corpus);
    snprintf(meta, sizeof meta, "%s/%s.meta.jsonl", dir, corpus);
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(db_dir, sizeof db_dir, "%s/db", tmp);
    cr_assert_eq(ndb_open(db_dir, &o, &db, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    io.meta_path = meta;
    cr_assert_eq(ndb_ingest(w, tar, &io, &st, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_log_info("%s: seen %llu added %llu dup %llu skipped %llu warnings %llu meta %llu/%llu",
                corpus, (unsigned long long)st.seen, (unsigned long long)st.added,
                (unsigned long long)st.duplicates, (unsigned long long)st.skipped,
                (unsigned long long)st.warnings, (unsigned long long)st.meta_unmatched,
                (unsigned long long)st.meta_lines);
    cr_assert_eq(st.skipped, 0, "%s: records skipped", corpus);
    cr_assert_eq(st.meta_unmatched, 0, "%s: side-file lines matched nothing", corpus);
    cr_assert_eq(st.seen, st.meta_lines, "%s: one meta line per article", corpus);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an), NDB_OK);

    uint32_t n = s->st.ndocs;
    cp_doc *docs = calloc(n, sizeof *docs);
    for (uint32_t i = 0; i < n; i++) {
        ndb_doc *d = NULL;
        cr_assert_eq(ndb_get(s, i, &d, &err), NDB_OK, "%s", err.msg);
        uint32_t pos = 0;
        for (uint32_t p = 0; p < d->n_paras; p++) {
            cp_tok_ctx c = {&docs[i], d->paras[p].p};
            ndb_text_analyze(an, d->paras[p].p, d->paras[p].n, &pos, cp_tok, &c);
            pos++;
        }
        docs[i].outlet = strdup(d->outlet);
        docs[i].date = d->date;
        docs[i].live = d->live;
        ndb_doc_free(d);
    }
    cp_set set = {calloc(n, 1), n};
    for (int q = 0; q < nqueries; q++) {
        const char *s1, *t1, *s2, *t2;
        size_t i1, i2;
        uint32_t d1, d2;
        char text[512];
        int kind = q % 7;
        if (!cp_pick(docs, n, &seed, &s1, &t1, &i1, &d1) ||
            !cp_pick(docs, n, &seed, &s2, &t2, &i2, &d2))
            continue;
        char t1c[128], t2c[128], outlet[256];
        snprintf(t1c, sizeof t1c, "%s", t1);
        snprintf(t2c, sizeof t2c, "%s", t2);
        snprintf(outlet, sizeof outlet, "%s", docs[d2].outlet);
        int32_t lo = docs[d2].date;
        if (kind == 4) { /* phrase: two adjacent words of doc d1 */
            if (i1 + 1 >= docs[d1].n || docs[d1].pos[i1 + 1] != docs[d1].pos[i1] + 1)
                continue;
            s2 = docs[d1].surface[i1 + 1];
            snprintf(t2c, sizeof t2c, "%s", docs[d1].terms[i1 + 1]);
            bool plain = strlen(s2) > 0;
            for (const char *p = s2; *p; p++)
                plain &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
            if (!plain)
                continue;
        }
        if ((kind == 5 && !*outlet) || (kind == 6 && lo == NDB_DATE_NONE))
            continue;
        char lo_s[16], hi_s[16];
        ndb_date_format(lo, lo_s, sizeof lo_s);
        ndb_date_format(lo + 40, hi_s, sizeof hi_s);
        switch (kind) {
        case 0: snprintf(text, sizeof text, "%s", s1); break;
        case 1: snprintf(text, sizeof text, "%s AND %s", s1, s2); break;
        case 2: snprintf(text, sizeof text, "%s OR %s", s1, s2); break;
        case 3: snprintf(text, sizeof text, "%s -%s", s1, s2); break;
        case 4: snprintf(text, sizeof text, "\"%s %s\"", s1, s2); break;
        case 5: snprintf(text, sizeof text, "%s outlet:%s", s1, outlet); break;
        default: snprintf(text, sizeof text, "%s date:%s..%s", s1, lo_s, hi_s); break;
        }
        memset(set.got, 0, n);
        cr_assert_eq(ndb_match_each(s, text, cp_id, &set, &err), NDB_OK, "%s: %s", text,
                     err.msg);
        uint64_t want_total = 0, cnt = 0;
        for (uint32_t i = 0; i < n; i++) {
            const cp_doc *d = &docs[i];
            bool a = cp_has(d, t1c), b = cp_has(d, t2c), want;
            switch (kind) {
            case 0: want = a; break;
            case 1: want = a && b; break;
            case 2: want = a || b; break;
            case 3: want = a && !b; break;
            case 4: want = cp_phrase(d, t1c, t2c); break;
            case 5: want = a && strcmp(d->outlet, outlet) == 0; break;
            default: want = a && d->date != NDB_DATE_NONE && d->date >= lo && d->date <= lo + 40;
            }
            want = want && d->live;
            want_total += want;
            cr_assert_eq(set.got[i] != 0, want, "%s: query [%s] doc %u: got %d want %d", corpus,
                         text, i, set.got[i], want);
        }
        cr_assert_eq(ndb_count(s, text, &cnt, &err), NDB_OK);
        cr_assert_eq(cnt, want_total, "%s: [%s]", corpus, text);
    }
    for (uint32_t i = 0; i < n; i++) {
        for (size_t k = 0; k < docs[i].n; k++) {
            free(docs[i].terms[k]);
            free(docs[i].surface[k]);
        }
        free(docs[i].terms);
        free(docs[i].surface);
        free(docs[i].pos);
        free(docs[i].outlet);
    }
    free(docs);
    free(set.got);
    ndb_text_analyzer_free(an);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_rmtree(tmp);
}

Test(corpora, bbc, .timeout = 300)
{
    cp_run("bbc", 300);
}
Test(corpora, basil, .timeout = 300)
{
    cp_run("basil", 300);
}
Test(corpora, ecbplus, .timeout = 300)
{
    cp_run("ecbplus", 300);
}
/* The two large corpora are skipped in sanitizer builds (NEWSDB_QUICK=1, set by make asan):
   the same code paths run on the small ones there, and the plain build runs them all. */
Test(corpora, reuters21578, .timeout = 600)
{
    if (getenv("NEWSDB_QUICK"))
        cr_skip_test("NEWSDB_QUICK set: reuters21578 (19k articles) runs in the plain build only");
    cp_run("reuters21578", 200);
}
Test(corpora, allsides, .timeout = 600)
{
    if (getenv("NEWSDB_QUICK"))
        cr_skip_test("NEWSDB_QUICK set: allsides (20k articles) runs in the plain build only");
    cp_run("allsides", 100);
}
