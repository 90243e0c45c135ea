/*
** Term statistics from the forward index (src/index/fwd.c, terms.c "forward index path")
** against the postings walk and a brute force over the analyzed stored documents.
**
**   random_archives  archives of random articles (a few thousand distinct words, stop
**                    words in between) built over many commits, with a writer reopened in
**                    the middle (the vocabulary is reloaded), uncommitted adds thrown away
**                    (the files' tails are cut at the next open), merges and an optimize,
**                    and re-added URLs (superseded versions must count nowhere). For random
**                    queries: ndb_top_terms plain, --significant against the whole archive
**                    and against a background query; every row and total equals (a) the
**                    same call with the forward index hidden (postings walk) and (b) the
**                    brute force; ndb_check passes.
**   records          every forward record equals the analyzed tokens of its stored doc.
**   damaged          a damaged forward index is left unused (same answers from the
**                    postings), and `check` reports it, naming the bad record.
*/
#include "api/api.h"
#include "common/testutil.h"
#include "index/fwd.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#define TF_NWORDS 3000

typedef struct tf_doc {
    uint32_t *ids; /* brute force: sorted term ids of the vocab below (stop words included) */
    uint32_t n;
    bool live;
} tf_doc;

typedef struct tf_vocab {
    char **t; /* sorted distinct analyzed terms */
    size_t n;
} tf_vocab;

typedef struct tf_tokens {
    char **t;
    size_t n, cap;
} tf_tokens;

static ndb_rc tf_tok(void *ctx, const ndb_token *tok)
{
    tf_tokens *k = ctx;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 256;
        k->t = realloc(k->t, k->cap * sizeof *k->t);
    }
    k->t[k->n++] = strndup(tok->term, tok->len);
    return NDB_OK;
}

static int tf_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int tf_u32cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* A random article: Zipf-ish words w<k>, stop words, 1..4 paragraphs. */
static char *tf_article(uint64_t *rs, const char *url, size_t *n)
{
    static const char *const stops[] = {"the", "and", "of", "is", "this", "does"};
    size_t cap = 1 << 15, k = 0;
    char *b = malloc(cap);
    int np = 1 + (int)(ndb_rand_next(rs) % 4);
    k += (size_t)snprintf(b, cap, "%s\n0\n%d\n", url, np);
    for (int p = 0; p < np; p++) {
        int words = 2 + (int)(ndb_rand_next(rs) % 60);
        for (int w = 0; w < words; w++) {
            uint64_t r = ndb_rand_next(rs);
            if (r % 5 == 0) {
                k += (size_t)snprintf(b + k, cap - k, "%s ", stops[(r >> 8) % 6]);
            } else {
                uint64_t a = ndb_rand_next(rs) % TF_NWORDS + 1;
                uint64_t z = ndb_rand_next(rs) % a; /* skewed to small ids */
                k += (size_t)snprintf(b + k, cap - k, "w%llu%s ", (unsigned long long)z,
                                      r % 7 == 0 ? "ing" : "");
            }
        }
        k += (size_t)snprintf(b + k, cap - k, ".\n%s", p + 1 < np ? "\n" : "");
    }
    *n = k;
    return b;
}

/* Every stored version, analyzed. */
static tf_doc *tf_brute(ndb_snapshot *s, tf_vocab *voc, uint32_t *ndocs)
{
    ndb_stats st;
    ndb_err err;
    ndb_analyzer *an;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an), NDB_OK);
    uint32_t nd = (uint32_t)st.versions;
    tf_tokens *toks = calloc(nd + 1, sizeof *toks);
    tf_doc *docs = calloc(nd + 1, sizeof *docs);
    tf_tokens all = {0};
    for (uint32_t i = 0; i < nd; i++) {
        ndb_doc *d;
        uint32_t nt;
        cr_assert_eq(ndb_get(s, i, &d, &err), NDB_OK, "%s", err.msg);
        docs[i].live = d->live != 0;
        cr_assert_eq(ndb_text_analyze_paras(an, d->paras, d->n_paras, tf_tok, &toks[i], &nt),
                     NDB_OK);
        ndb_doc_free(d);
        for (size_t j = 0; j < toks[i].n; j++)
            tf_tok(&all, &(ndb_token){.term = toks[i].t[j], .len = strlen(toks[i].t[j])});
    }
    qsort(all.t, all.n, sizeof *all.t, tf_strcmp);
    size_t u = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (u == 0 || strcmp(all.t[i], all.t[u - 1]) != 0)
            all.t[u++] = all.t[i];
        else
            free(all.t[i]);
    }
    voc->t = all.t;
    voc->n = u;
    for (uint32_t i = 0; i < nd; i++) {
        docs[i].ids = malloc((toks[i].n + 1) * sizeof *docs[i].ids);
        for (size_t j = 0; j < toks[i].n; j++) {
            char **hit = bsearch(&toks[i].t[j], voc->t, voc->n, sizeof *voc->t, tf_strcmp);
            cr_assert_not_null(hit);
            docs[i].ids[j] = (uint32_t)(hit - voc->t);
            free(toks[i].t[j]);
        }
        docs[i].n = (uint32_t)toks[i].n;
        qsort(docs[i].ids, docs[i].n, sizeof *docs[i].ids, tf_u32cmp);
        free(toks[i].t);
    }
    free(toks);
    ndb_text_analyzer_free(an);
    *ndocs = nd;
    return docs;
}

static bool *tf_stopmask(ndb_snapshot *s, const tf_vocab *voc)
{
    ndb_stats st;
    ndb_err err;
    ndb_analyzer *an;
    bool *stop = calloc(voc->n + 1, 1);
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an), NDB_OK);
    for (size_t i = 0; i < ndb_text_stopword_count(); i++) {
        const char *w = ndb_text_stopword_at(i), *stem;
        size_t sl;
        cr_assert_eq(ndb_text_stem(an, w, strlen(w), &stem, &sl), NDB_OK);
        char *key = strndup(stem, sl);
        char **hit = bsearch(&key, voc->t, voc->n, sizeof *voc->t, tf_strcmp);
        if (hit)
            stop[hit - voc->t] = true;
        free(key);
    }
    ndb_text_analyzer_free(an);
    return stop;
}

static int tf_mark(void *ctx, uint32_t id)
{
    ((bool *)ctx)[id] = true;
    return 0;
}

/* One query: forward index == postings walk == brute force. */
static void tf_check_query(ndb_db *db, const char *dir, const char *q, const char *bgq, int sig,
                           const tf_doc *docs, uint32_t nd, const tf_vocab *voc, const bool *stop)
{
    ndb_snapshot *s;
    ndb_err err;
    ndb_term_list *a = NULL, *b = NULL;
    ndb_terms_opts o = {.top = 1000000, .significant = sig, .background = bgq};
    char p1[4200], p2[4200];
    ndb_rc rca, rcb;
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_not_null(s->fwd, "archive has a forward index");
    rca = ndb_top_terms(s, q, &o, &a, &err);
    bool *in_r = calloc(nd + 1, 1), *in_b = calloc(nd + 1, 1);
    if (rca == NDB_OK) {
        cr_assert_eq(ndb_match_each(s, q, tf_mark, in_r, &err), NDB_OK);
        if (bgq)
            cr_assert_eq(ndb_match_each(s, bgq, tf_mark, in_b, &err), NDB_OK);
    }
    ndb_snapshot_close(s);
    /* the same with the forward index hidden: the postings walk */
    snprintf(p1, sizeof p1, "%s/fwd.idx", dir);
    snprintf(p2, sizeof p2, "%s/fwd.idx.hidden", dir);
    cr_assert_eq(rename(p1, p2), 0);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_null(s->fwd);
    rcb = ndb_top_terms(s, q, &o, &b, &err);
    ndb_snapshot_close(s);
    cr_assert_eq(rename(p2, p1), 0);
    cr_assert_eq(rca, rcb, "'%s': rc %d vs %d", q, rca, rcb);
    if (rca != NDB_OK) {
        free(in_r);
        free(in_b);
        return;
    }
    cr_assert_eq(a->matched, b->matched);
    cr_assert_eq(a->bg_docs, b->bg_docs);
    cr_assert_eq(a->tokens, b->tokens, "'%s' sig %d: tokens %llu vs %llu", q, sig,
                 (unsigned long long)a->tokens, (unsigned long long)b->tokens);
    cr_assert_eq(a->bg_tokens, b->bg_tokens, "'%s' sig %d bg '%s': bg_tokens %llu vs %llu", q, sig,
                 bgq ? bgq : "", (unsigned long long)a->bg_tokens, (unsigned long long)b->bg_tokens);
    cr_assert_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_str_eq(a->rows[i].stem, b->rows[i].stem, "'%s' row %zu", q, i);
        cr_assert_str_eq(a->rows[i].term, b->rows[i].term);
        cr_assert_eq(a->rows[i].count, b->rows[i].count);
        cr_assert_eq(a->rows[i].docs, b->rows[i].docs);
        cr_assert_eq(a->rows[i].bg_count, b->rows[i].bg_count, "'%s' %s", q, a->rows[i].stem);
        cr_assert(a->rows[i].z == b->rows[i].z && a->rows[i].delta == b->rows[i].delta);
    }
    /* brute force */
    uint64_t *fc = calloc(voc->n + 1, sizeof *fc), *fd = calloc(voc->n + 1, sizeof *fd),
             *bc = calloc(voc->n + 1, sizeof *bc), ntok = 0, nbg = 0, nr = 0, nb = 0;
    for (uint32_t i = 0; i < nd; i++) {
        bool fg = in_r[i], bg = sig && !fg && docs[i].live && (bgq ? in_b[i] : true);
        cr_assert(!fg || docs[i].live, "a superseded version matched");
        nr += fg;
        nb += bg;
        for (uint32_t j = 0; j < docs[i].n; j++) {
            uint32_t t = docs[i].ids[j];
            if (stop[t])
                continue;
            if (fg) {
                fc[t]++;
                ntok++;
                if (j == 0 || docs[i].ids[j - 1] != t)
                    fd[t]++;
            } else if (bg) {
                bc[t]++;
                nbg++;
            }
        }
    }
    cr_assert_eq(a->matched, nr);
    cr_assert_eq(a->tokens, ntok);
    if (sig) {
        cr_assert_eq(a->bg_docs, nb);
        cr_assert_eq(a->bg_tokens, nbg);
    }
    size_t want = 0;
    for (size_t t = 0; t < voc->n; t++)
        want += fc[t] > 0;
    cr_assert_eq(a->n, want, "'%s': %zu terms, brute force %zu", q, a->n, want);
    for (size_t i = 0; i < a->n; i++) {
        const char *key = a->rows[i].stem;
        char **hit = bsearch(&key, voc->t, voc->n, sizeof *voc->t, tf_strcmp);
        cr_assert_not_null(hit, "'%s' not in the brute force", key);
        size_t t = (size_t)(hit - voc->t);
        cr_assert_eq(a->rows[i].count, fc[t], "'%s' count", key);
        cr_assert_eq(a->rows[i].docs, fd[t], "'%s' docs", key);
        if (sig)
            cr_assert_eq(a->rows[i].bg_count, bc[t], "'%s' bg", key);
    }
    free(fc);
    free(fd);
    free(bc);
    free(in_r);
    free(in_b);
    ndb_term_list_free(a);
    ndb_term_list_free(b);
}

static void tf_add(ndb_writer *w, uint64_t *rs, uint32_t src)
{
    char url[128];
    size_t n;
    ndb_add_result r;
    ndb_err err;
    snprintf(url, sizeof url, "http://www.outlet%u.com/2019/05/%02u/story-%u", src % 5,
             1 + src % 28, src);
    char *b = tf_article(rs, url, &n);
    cr_assert_eq(ndb_writer_add_native(w, url, b, n, NULL, 0, &r, &err), NDB_OK, "%s", err.msg);
    free(b);
}

static void tf_report(void *ctx, int is_error, const char *msg)
{
    char *m = ctx;
    (void)is_error;
    snprintf(m + strlen(m), 4096 - strlen(m), "%s\n", msg);
}

static void tf_free(tf_doc *docs, uint32_t nd, tf_vocab *voc, bool *stop)
{
    for (uint32_t i = 0; i < nd; i++)
        free(docs[i].ids);
    free(docs);
    for (size_t i = 0; i < voc->n; i++)
        free(voc->t[i]);
    free(voc->t);
    free(stop);
}

Test(terms_fwd, random_archives)
{
    uint64_t seed = ndb_test_seed(5), rs = seed;
    int rounds = getenv("NEWSDB_QUICK") ? 1 : 2;
    for (int round = 0; round < rounds; round++) {
        char dir[512];
        ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
        ndb_writer *w;
        ndb_err err;
        uint32_t next = 0;
        cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
        for (int c = 0; c < 26; c++) {
            int k = 5 + (int)(ndb_rand_next(&rs) % 30);
            for (int i = 0; i < k; i++) {
                /* a quarter re-adds an earlier URL: a new version supersedes it */
                bool again = next > 0 && ndb_rand_next(&rs) % 4 == 0;
                tf_add(w, &rs, again ? (uint32_t)(ndb_rand_next(&rs) % next) : next++);
            }
            if (c == 9) { /* uncommitted adds, thrown away with the writer */
                tf_add(w, &rs, next + 1000);
                ndb_writer_close(w);
                cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
                continue;
            }
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
            if (c == 15) { /* a reopened writer reloads the vocabulary */
                ndb_writer_close(w);
                cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
            }
            if (round == 1 && c == 20)
                cr_assert_eq(ndb_writer_optimize(w, &err), NDB_OK, "%s", err.msg);
        }
        ndb_writer_close(w);
        cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);
        ndb_snapshot *s;
        cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
        cr_assert(s->nsegs >= 1);
        tf_vocab voc;
        uint32_t nd;
        tf_doc *docs = tf_brute(s, &voc, &nd);
        bool *stop = tf_stopmask(s, &voc);
        ndb_snapshot_close(s);
        for (int qi = 0; qi < 8; qi++) {
            char q[64], bq[64];
            unsigned a = (unsigned)(ndb_rand_next(&rs) % 40), b = (unsigned)(ndb_rand_next(&rs) % 200);
            if (qi % 3 == 0)
                snprintf(q, sizeof q, "w%u", a);
            else if (qi % 3 == 1)
                snprintf(q, sizeof q, "w%u OR w%u", a, b);
            else
                snprintf(q, sizeof q, "w%u -w%u", a, b);
            snprintf(bq, sizeof bq, "w%u OR w%u", (unsigned)(ndb_rand_next(&rs) % 10), b);
            for (int sig = 0; sig < 2; sig++)
                tf_check_query(db, dir, q, NULL, sig, docs, nd, &voc, stop);
            tf_check_query(db, dir, q, bq, 1, docs, nd, &voc, stop);
        }
        tf_free(docs, nd, &voc, stop);
        ndb_close(db);
        ndb_test_remove_archive(dir);
    }
}

Test(terms_fwd, records)
{
    uint64_t rs = ndb_test_seed(17);
    char dir[512];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < 300; i++) {
        tf_add(w, &rs, i % 250);
        if (i % 97 == 96)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    tf_vocab voc;
    uint32_t nd;
    tf_doc *docs = tf_brute(s, &voc, &nd);
    uint64_t *offs, total = 0;
    cr_assert_not_null(s->fwd);
    cr_assert_eq(ndb_fwd_ndocs(s->fwd), nd);
    cr_assert_eq(ndb_fwd_check(s->fwd, NULL, NULL, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_fwd_vocab(s->fwd, &offs, &err), NDB_OK);
    for (uint32_t i = 0; i < nd; i++) {
        ndb_fwd_iter it;
        uint32_t tid, tf, j = 0;
        bool more = true;
        cr_assert_eq(ndb_fwd_doc(s->fwd, i, &it), NDB_OK);
        while (true) {
            cr_assert_eq(ndb_fwd_next(s->fwd, &it, &tid, &tf, &more), NDB_OK);
            if (!more)
                break;
            const char *p;
            size_t n;
            ndb_fwd_term(s->fwd, offs, tid, &p, &n);
            char *key = strndup(p, n);
            char **hit = bsearch(&key, voc.t, voc.n, sizeof *voc.t, tf_strcmp);
            cr_assert_not_null(hit, "doc %u: '%s' not in the doc", i, key);
            uint32_t want = 0, t = (uint32_t)(hit - voc.t);
            for (uint32_t k = 0; k < docs[i].n; k++)
                want += docs[i].ids[k] == t;
            cr_assert_eq(tf, want, "doc %u term '%s'", i, key);
            j += tf;
            free(key);
        }
        cr_assert_eq(j, docs[i].n, "doc %u: %u tokens, stored doc has %u", i, j, docs[i].n);
        total += j;
    }
    cr_assert_eq(ndb_fwd_total_tokens(s->fwd), total);
    ndb_free(offs);
    ndb_snapshot_close(s);
    tf_free(docs, nd, &voc, NULL);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}

/* A damaged forward index never makes the archive unreadable: snapshots fall back to the
** postings (same answers), `check` reports it. Then a record's bytes flipped (header intact):
** check names the doc. */
Test(terms_fwd, damaged)
{
    uint64_t rs = ndb_test_seed(23);
    char dir[512], path[700];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    ndb_term_list *good = NULL, *l = NULL;
    ndb_terms_opts o = {.top = 1000, .significant = 1};
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < 120; i++)
        tf_add(w, &rs, i);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_not_null(s->fwd);
    cr_assert_eq(ndb_top_terms(s, "w1 OR w2", &o, &good, &err), NDB_OK, "%s", err.msg);
    ndb_snapshot_close(s);
    /* 1: a bad header */
    snprintf(path, sizeof path, "%s/fwd.dat", dir);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fputc('X', f);
    fclose(f);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_null(s->fwd, "a damaged forward index is not used");
    cr_assert_eq(ndb_top_terms(s, "w1 OR w2", &o, &l, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(l->n, good->n);
    for (size_t i = 0; i < l->n; i++) {
        cr_assert_str_eq(l->rows[i].stem, good->rows[i].stem);
        cr_assert_eq(l->rows[i].count, good->rows[i].count);
        cr_assert_eq(l->rows[i].bg_count, good->rows[i].bg_count);
    }
    ndb_term_list_free(l);
    ndb_snapshot_close(s);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_ECORRUPT, "check reports it");
    /* 2: header restored, one record's bytes flipped */
    f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fputc('N', f);
    fseek(f, 40, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 40, SEEK_SET);
    fputc(c ^ 0x55, f);
    fclose(f);
    char msgs[4096] = "";
    cr_assert_eq(ndb_check(db, tf_report, msgs, &err), NDB_ECORRUPT);
    cr_assert(strstr(msgs, "fwd: doc 0"), "check names the record: %s", msgs);
    ndb_term_list_free(good);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}
