/*
** Near-duplicate clusters and paragraph reuse against brute-force oracles.
**
** The corpus: random "stories" over a small vocabulary plus edited copies (words replaced,
** paragraphs dropped, added, reordered, a boilerplate line), across outlets and dates, some
** re-published under the same URL (new versions: the old one must not count), ingested in
** several commits. The oracle tokenizes every live article with the analyzer, builds its
** word 3-shingles as STRINGS (no hashing), computes the exact similarity of every pair,
** |A ∩ B| / max(|A|, |B|), and takes connected components. Checked:
**   - T >= 0.7: ndb_dups == oracle (such a pair has Jaccard >= 0.538, which LSH misses
**     with probability ~2e-5); also for queries, and in exhaustive mode for every T;
**   - T = 0.5, 0.6: every reported cluster lies inside one oracle component (links are
**     exact, LSH can only miss), and recall of linked pairs is reported;
**   - cluster id = smallest member, source = earliest (date, then id), unique counts;
**   - incremental (many commits) == catch-up after ingest with detection off;
**   - ndb_reuse / ndb_reuse_outlets == brute force over analyzed paragraphs.
*/
#include "api/api.h"
#include "common/testutil.h"
#include "doc/doc.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NWORDS 40

static uint64_t rng_s;
static uint32_t rnd(uint32_t n)
{
    rng_s ^= rng_s << 13;
    rng_s ^= rng_s >> 7;
    rng_s ^= rng_s << 17;
    return (uint32_t)(rng_s % n);
}

static const char *word(uint32_t i)
{
    static char w[NWORDS][16];
    static const char *syl[] = {"ka", "lo", "mi", "ter", "bu", "sa", "ne", "vor"};
    snprintf(w[i], sizeof w[i], "%s%s%s", syl[i % 8], syl[(i / 8) % 8], i >= 20 ? "x" : "");
    return w[i];
}

typedef struct story {
    int np;
    int len[8];
    uint32_t w[8][24];
} story;

static void story_random(story *s)
{
    s->np = 2 + (int)rnd(5);
    for (int p = 0; p < s->np; p++) {
        s->len[p] = 3 + (int)rnd(20);
        for (int k = 0; k < s->len[p]; k++)
            s->w[p][k] = rnd(NWORDS);
    }
}

static void story_edit(story *s)
{
    int e = (int)rnd(6);
    if (e == 0 && s->np > 1) { /* drop a paragraph */
        int p = (int)rnd((uint32_t)s->np);
        memmove(&s->len[p], &s->len[p + 1], sizeof(int) * (size_t)(s->np - p - 1));
        memmove(&s->w[p], &s->w[p + 1], sizeof s->w[0] * (size_t)(s->np - p - 1));
        s->np--;
    } else if (e == 1 && s->np < 8) { /* add one */
        s->len[s->np] = 3 + (int)rnd(20);
        for (int k = 0; k < s->len[s->np]; k++)
            s->w[s->np][k] = rnd(NWORDS);
        s->np++;
    } else if (e == 2 && s->np > 1) { /* swap two */
        int a = (int)rnd((uint32_t)s->np), b = (int)rnd((uint32_t)s->np);
        int tl = s->len[a];
        uint32_t tw[24];
        memcpy(tw, s->w[a], sizeof tw);
        s->len[a] = s->len[b];
        memcpy(s->w[a], s->w[b], sizeof tw);
        s->len[b] = tl;
        memcpy(s->w[b], tw, sizeof tw);
    } else { /* replace a few words */
        int k = 1 + (int)rnd(3);
        for (int i = 0; i < k; i++) {
            int p = (int)rnd((uint32_t)s->np);
            s->w[p][rnd((uint32_t)s->len[p])] = rnd(NWORDS);
        }
    }
}

/* Native article text of s at url; Title-cases the first word of a paragraph sometimes
** and adds punctuation, which the analyzer must see through. */
static char *story_native(const story *s, const char *url, size_t *n)
{
    char *b = malloc(8192);
    size_t k = 0, lead = 0;
    char body[7000];
    size_t bn = 0;
    for (int p = 0; p < s->np; p++) {
        size_t start = bn;
        for (int i = 0; i < s->len[p]; i++) {
            const char *w = word(s->w[p][i]);
            bn += (size_t)snprintf(body + bn, sizeof body - bn, "%s%c%s", i ? " " : "",
                                   i == 0 ? (char)(w[0] - 32) : w[0], w + 1);
        }
        bn += (size_t)snprintf(body + bn, sizeof body - bn, p + 1 < s->np ? ".\n\n" : ".\n");
        if (p == 0)
            lead = bn - start - (s->np > 1);
    }
    k = (size_t)snprintf(b, 8192, "%s\n%zu\n%d\n%.*s", url, lead, s->np, (int)bn, body);
    *n = k;
    return b;
}

#define MAXDOCS 400
static int corpus_no_versions; /* 1: every URL distinct (an all-live archive) */

typedef struct corpus {
    uint32_t n;
    char *url[MAXDOCS];
    char *bytes[MAXDOCS];
    size_t len[MAXDOCS];
} corpus;

static void corpus_make(corpus *c, uint64_t seed, uint32_t ndocs)
{
    static story base[MAXDOCS];
    uint32_t nb = 0;
    rng_s = seed * 2654435761u + 1;
    c->n = 0;
    for (uint32_t i = 0; i < ndocs; i++) {
        story s;
        char url[200];
        uint32_t r = rnd(10);
        if (nb == 0 || r < 4) {
            story_random(&s);
            base[nb++] = s;
        } else {
            s = base[rnd(nb)];
            for (uint32_t e = rnd(3); e > 0; e--)
                story_edit(&s);
        }
        if (i > 10 && rnd(12) == 0 && !corpus_no_versions) { /* a new version of a URL */
            snprintf(url, sizeof url, "%s", c->url[rnd(i)]);
        } else if (rnd(6) == 0) {
            snprintf(url, sizeof url, "http://www.site%u.com/undated-%u", rnd(5), i);
        } else {
            snprintf(url, sizeof url, "https://www.site%u.com/2020/%02u/%02u/s-%u", rnd(5),
                     1 + rnd(3), 1 + rnd(28), i);
        }
        c->url[i] = strdup(url);
        c->bytes[i] = story_native(&s, url, &c->len[i]);
        c->n++;
    }
}

static void corpus_free(corpus *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        free(c->url[i]);
        free(c->bytes[i]);
    }
}

static ndb_db *corpus_archive(const corpus *c, char *tmp, size_t cap, uint32_t every,
                              int no_dedup)
{
    ndb_db *db = ndb_test_new_archive(tmp, cap);
    ndb_writer *w = NULL;
    ndb_err err;
    if (no_dedup) { /* reopen with detection off */
        ndb_options o;
        ndb_close(db);
        memset(&o, 0, sizeof o);
        o.no_dedup = 1;
        cr_assert_eq(ndb_open(tmp, &o, &db, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < c->n; i++) {
        ndb_add_result res;
        cr_assert_eq(ndb_writer_add_native(w, c->url[i], c->bytes[i], c->len[i], NULL, 0, &res,
                                           &err),
                     NDB_OK, "%s", err.msg);
        if ((i + 1) % every == 0)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    return db;
}

/* ---------------------------------------------------------------- the oracle */

typedef struct odoc {
    int live, in;
    char **sh; /* sorted unique shingle strings */
    size_t nsh;
    int np;
    char *para[8]; /* analyzed token sequence of each paragraph ("" if < 8 tokens) */
    int32_t date;
    const char *outlet;
} odoc;

typedef struct tokbuf {
    char *t[256];
    int n;
} tokbuf;

static ndb_rc tok_fn(void *ctx, const ndb_token *t)
{
    tokbuf *b = ctx;
    if (b->n < 256)
        b->t[b->n++] = strndup(t->term, t->len);
    return NDB_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void oracle_doc(ndb_snapshot *s, ndb_analyzer *an, uint32_t id, odoc *o)
{
    ndb_doc *d = NULL;
    ndb_err err;
    size_t cap = 512;
    memset(o, 0, sizeof *o);
    cr_assert_eq(ndb_get(s, id, &d, &err), NDB_OK, "%s", err.msg);
    o->live = d->live;
    o->date = d->date;
    o->outlet = strdup(d->outlet);
    o->sh = malloc(cap * sizeof *o->sh);
    o->np = (int)d->n_paras;
    cr_assert_eq(api_lang_stemmer(an, s->db->langstem, d->lang), NDB_OK); /* as indexed */
    for (uint32_t p = 0; p < d->n_paras; p++) {
        tokbuf tb = {{0}, 0};
        uint32_t pos = 0;
        char seq[2048] = "";
        ndb_text_analyze(an, d->paras[p].p, d->paras[p].n, &pos, tok_fn, &tb);
        if (tb.n > 0 && tb.n < 3) {
            snprintf(seq, sizeof seq, "%s|%s", tb.t[0], tb.n > 1 ? tb.t[1] : "");
            o->sh[o->nsh++] = strdup(seq);
        }
        for (int i = 0; i + 3 <= tb.n; i++) {
            char sh[256];
            snprintf(sh, sizeof sh, "%s %s %s", tb.t[i], tb.t[i + 1], tb.t[i + 2]);
            o->sh[o->nsh++] = strdup(sh);
        }
        seq[0] = 0;
        for (int i = 0; tb.n >= 8 && i < tb.n; i++) {
            strcat(seq, tb.t[i]);
            strcat(seq, " ");
        }
        o->para[p] = strdup(seq);
        for (int i = 0; i < tb.n; i++)
            free(tb.t[i]);
    }
    qsort(o->sh, o->nsh, sizeof *o->sh, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < o->nsh; i++) {
        if (k && strcmp(o->sh[k - 1], o->sh[i]) == 0)
            free(o->sh[i]);
        else
            o->sh[k++] = o->sh[i];
    }
    o->nsh = k;
    ndb_doc_free(d);
}

static void oracle_free(odoc *o, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        for (size_t k = 0; k < o[i].nsh; k++)
            free(o[i].sh[k]);
        free(o[i].sh);
        for (int p = 0; p < o[i].np; p++)
            free(o[i].para[p]);
        free((char *)o[i].outlet);
    }
}

/* |A ∩ B| and the measure's denominator: max(|A|, |B|), or |A ∪ B| for Jaccard. */
static void oracle_sim(const odoc *a, const odoc *b, int measure, uint32_t *inter,
                       uint32_t *den)
{
    size_t i = 0, j = 0, c = 0;
    while (i < a->nsh && j < b->nsh) {
        int r = strcmp(a->sh[i], b->sh[j]);
        if (r < 0)
            i++;
        else if (r > 0)
            j++;
        else {
            c++;
            i++;
            j++;
        }
    }
    *inter = (uint32_t)c;
    if (measure == NDB_DUPS_JACCARD)
        *den = (uint32_t)(a->nsh + b->nsh - c);
    else
        *den = (uint32_t)(a->nsh > b->nsh ? a->nsh : b->nsh);
}

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x)
        x = p[x];
    return x;
}

static int match_fn(void *ctx, uint32_t id)
{
    ((odoc *)ctx)[id].in = 1;
    return 0;
}

/* comp[i] = smallest id of i's component among matching live docs (UINT32_MAX if out). */
static void oracle_components(odoc *o, uint32_t n, double t, int measure, uint32_t *comp)
{
    uint32_t *p = malloc(n * sizeof *p);
    for (uint32_t i = 0; i < n; i++)
        p[i] = i;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            uint32_t inter, den, a, b;
            if (!o[i].in || !o[j].in)
                continue;
            oracle_sim(&o[i], &o[j], measure, &inter, &den);
            if (den == 0 || (double)inter < t * (double)den)
                continue;
            a = uf_find(p, i);
            b = uf_find(p, j);
            if (a < b)
                p[b] = a;
            else if (b < a)
                p[a] = b;
        }
    for (uint32_t i = 0; i < n; i++)
        comp[i] = o[i].in ? uf_find(p, i) : UINT32_MAX;
    free(p);
}

/* a comes before b: dated before undated, then by date, then by id (written as a
** comparison, not as a packed key, so it does not share the code's arithmetic). */
static bool oearlier(const odoc *o, uint32_t a, uint32_t b)
{
    bool ua = o[a].date == NDB_DATE_NONE, ub = o[b].date == NDB_DATE_NONE;
    if (ua != ub)
        return ub;
    if (!ua && o[a].date != o[b].date)
        return o[a].date < o[b].date;
    return a < b;
}

/* Compare a dup list with the oracle components: exact (1) or subset-only (0). Returns
** the number of oracle-linked members reported in a cluster. */
static uint64_t check_clusters(const ndb_dup_list *l, odoc *o, uint32_t n, const uint32_t *comp,
                               int exact, const char *what)
{
    uint32_t *size = calloc(n, sizeof *size), *got = calloc(n, sizeof *got);
    uint64_t clustered = 0, ncomp = 0, matched = 0;
    for (uint32_t i = 0; i < n; i++) {
        matched += o[i].in;
        if (comp[i] != UINT32_MAX)
            size[comp[i]]++;
    }
    for (uint32_t i = 0; i < n; i++)
        if (comp[i] == i && size[i] >= 2) {
            ncomp++;
            clustered += size[i];
        }
    cr_assert_eq(l->matched, matched, "%s: matched", what);
    for (size_t c = 0; c < l->n; c++) {
        const ndb_dup_cluster *k = &l->clusters[c];
        uint32_t root = comp[k->members[0].id], minid = UINT32_MAX;
        cr_assert_geq(k->size, 2);
        for (uint32_t m = 0; m < k->size; m++) {
            uint32_t id = k->members[m].id;
            cr_assert(o[id].in && o[id].live, "%s: member %u not a matching live doc", what, id);
            cr_assert_eq(comp[id], root, "%s: cluster %u mixes oracle components", what, k->id);
            minid = id < minid ? id : minid;
            got[id]++;
            if (m > 0)
                cr_assert(oearlier(o, k->members[m - 1].id, id), "%s: order", what);
            cr_assert_eq(k->members[m].date, o[id].date);
            cr_assert_str_eq(k->members[m].outlet, o[id].outlet);
        }
        cr_assert_eq(k->id, minid, "%s: cluster id is not the smallest member", what);
        cr_assert_eq(k->source, k->members[0].id);
        if (exact)
            cr_assert_eq(k->size, size[root], "%s: cluster %u has %u members, oracle %u", what,
                         k->id, k->size, size[root]);
    }
    for (uint32_t i = 0; i < n; i++)
        cr_assert_leq(got[i], 1);
    if (exact) {
        cr_assert_eq(l->nclusters, ncomp, "%s: %lu clusters, oracle %lu", what,
                     (unsigned long)l->nclusters, (unsigned long)ncomp);
        cr_assert_eq(l->clustered, clustered, "%s", what);
        cr_assert_eq(l->unique, matched - clustered + ncomp, "%s", what);
    }
    free(size);
    free(got);
    return l->clustered;
}

typedef struct oracle_run {
    ndb_db *db;
    ndb_snapshot *s;
    odoc *o;
    uint32_t n;
} oracle_run;

static void oracle_open(oracle_run *r, ndb_db *db)
{
    ndb_err err;
    ndb_analyzer *an = NULL;
    ndb_stats st;
    r->db = db;
    cr_assert_eq(ndb_snapshot_open(db, &r->s, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_stats(r->s, &st, &err), NDB_OK);
    r->n = (uint32_t)st.versions;
    r->o = calloc(r->n, sizeof *r->o);
    cr_assert_eq(ndb_text_analyzer_new(st.stemmer, &an), NDB_OK);
    for (uint32_t i = 0; i < r->n; i++)
        oracle_doc(r->s, an, i, &r->o[i]);
    ndb_text_analyzer_free(an);
}

static void oracle_select(oracle_run *r, const char *q)
{
    ndb_err err;
    for (uint32_t i = 0; i < r->n; i++)
        r->o[i].in = !q && r->o[i].live;
    if (q)
        cr_assert_eq(ndb_match_each(r->s, q, match_fn, r->o, &err), NDB_OK, "%s", err.msg);
}

static void oracle_close(oracle_run *r)
{
    oracle_free(r->o, r->n);
    free(r->o);
    ndb_snapshot_close(r->s);
}

Test(dedup, clusters_equal_all_pairs_similarity, .timeout = 120)
{
    char tmp[4096];
    corpus c;
    oracle_run r;
    uint64_t seed = ndb_test_seed(7);
    static const char *queries[] = {NULL, "kalo", "mika OR terbu", "outlet:site2.com OR outlet:site3.com"};
    static const double ts[] = {0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    corpus_make(&c, seed, 300);
    ndb_db *db = corpus_archive(&c, tmp, sizeof tmp, 37, 0);
    oracle_open(&r, db);
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        oracle_select(&r, queries[q]);
        for (size_t k = 0; k < 2 * sizeof ts / sizeof *ts; k++) {
            int ms = k < sizeof ts / sizeof *ts ? NDB_DUPS_SIMILARITY : NDB_DUPS_JACCARD;
            double t = ts[k % (sizeof ts / sizeof *ts)];
            uint32_t *comp = calloc(r.n, sizeof *comp);
            ndb_dup_list *l = NULL, *lx = NULL;
            ndb_dups_opts o = {.threshold = t, .measure = ms};
            ndb_dups_opts ox = {.threshold = t, .exhaustive = 1, .measure = ms};
            ndb_err err;
            char what[200];
            snprintf(what, sizeof what, "NDB_SEED=%llu query %s T %.1f %s",
                     (unsigned long long)seed, queries[q] ? queries[q] : "(all)", t,
                     ms == NDB_DUPS_JACCARD ? "jaccard" : "similarity");
            oracle_components(r.o, r.n, t, ms, comp);
            cr_assert_eq(ndb_dups(r.s, queries[q], &o, &l, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(ndb_dups(r.s, queries[q], &ox, &lx, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(l->uncovered, 0);
            check_clusters(lx, r.o, r.n, comp, 1, what);
            uint64_t got = check_clusters(l, r.o, r.n, comp, t >= 0.7, what);
            if (t < 0.7)
                cr_log_info("%s: LSH clustered %lu of %lu", what, (unsigned long)got,
                            (unsigned long)lx->clustered);
            if (queries[q] == NULL && t == 0.8)
                cr_assert_gt(l->nclusters, 10, "the corpus must hold clusters (%lu)",
                             (unsigned long)l->nclusters);
            ndb_dup_list_free(l);
            ndb_dup_list_free(lx);
            free(comp);
        }
    }
    /* thresholds the stored links cannot answer */
    ndb_dup_list *l = NULL;
    ndb_dups_opts bad = {.threshold = 0.3};
    ndb_err err;
    cr_assert_eq(ndb_dups(r.s, NULL, &bad, &l, &err), NDB_EINVAL);
    bad.threshold = 1.5;
    bad.exhaustive = 1;
    cr_assert_eq(ndb_dups(r.s, NULL, &bad, &l, &err), NDB_EINVAL);
    ndb_dups_opts badm = {.measure = 2};
    cr_assert_eq(ndb_dups(r.s, NULL, &badm, &l, &err), NDB_EINVAL);
    oracle_close(&r);
    ndb_close(db);
    ndb_test_remove_archive(tmp);
    corpus_free(&c);
}

/* Same docs: one commit per 5 docs vs detection off then a catch-up commit, vs pairs all
** checked at commit (no batch held in memory). */
Test(dedup, incremental_equals_catch_up, .timeout = 120)
{
    char t1[4096], t2[4096];
    corpus c;
    ndb_err err;
    corpus_make(&c, ndb_test_seed(11), 200);
    ndb_db *a = corpus_archive(&c, t1, sizeof t1, 5, 0);
    ndb_db *b = corpus_archive(&c, t2, sizeof t2, 1000, 1);
    /* 40 commits: past 16 files a commit merges the chain into one file from article 0;
    ** the next writer deletes the merged ones (and the answers below stay exact) */
    ndb_writer *wa = NULL;
    cr_assert_eq(ndb_writer_open(a, &wa, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(wa);
    int nfiles = 0;
    DIR *dd = opendir(t1);
    for (struct dirent *e; (e = readdir(dd)) != NULL;)
        nfiles += strncmp(e->d_name, "dup-", 4) == 0;
    closedir(dd);
    cr_assert(nfiles >= 1 && nfiles <= 16, "%d dup files after 40 commits", nfiles);
    ndb_snapshot *sa = NULL, *sb = NULL;
    ndb_dup_list *la = NULL, *lb = NULL;
    ndb_dups_opts o = {.threshold = 0.5};
    cr_assert_eq(ndb_snapshot_open(b, &sb, &err), NDB_OK);
    cr_assert_eq(ndb_dups(sb, NULL, &o, &lb, &err), NDB_OK);
    cr_assert_eq(lb->uncovered, lb->matched, "detection off: nothing covered");
    ndb_dup_list_free(lb);
    ndb_snapshot_close(sb);
    ndb_close(b);
    /* a writer with detection on catches up at its first commit, writing a file every 7
    ** articles (as a long catch-up does every DEDUP_FLUSH) */
    cr_assert_eq(ndb_open(t2, NULL, &b, &err), NDB_OK);
    ndb_writer *w = NULL;
    setenv("NEWSDB_DEDUP_FLUSH", "7", 1);
    cr_assert_eq(ndb_writer_open(b, &w, &err), NDB_OK, "%s", err.msg);
    unsetenv("NEWSDB_DEDUP_FLUSH");
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    int nb = 0;
    DIR *db2 = opendir(t2);
    for (struct dirent *e; (e = readdir(db2)) != NULL;)
        nb += strncmp(e->d_name, "dup-", 4) == 0;
    closedir(db2);
    cr_assert_gt(nb, 20, "a catch-up of 200 articles flushed every 7 wrote %d files", nb);
    cr_assert_eq(ndb_snapshot_open(a, &sa, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_open(b, &sb, &err), NDB_OK);
    cr_assert_eq(ndb_dups(sa, NULL, &o, &la, &err), NDB_OK);
    cr_assert_eq(ndb_dups(sb, NULL, &o, &lb, &err), NDB_OK);
    cr_assert_eq(lb->uncovered, 0);
    cr_assert_eq(la->nclusters, lb->nclusters);
    cr_assert_gt(la->nclusters, 5);
    for (size_t i = 0; i < la->n; i++) {
        cr_assert_eq(la->clusters[i].size, lb->clusters[i].size);
        for (uint32_t m = 0; m < la->clusters[i].size; m++)
            cr_assert_eq(la->clusters[i].members[m].id, lb->clusters[i].members[m].id);
    }
    /* the same with no shingle set held for the batch: every pair checked at commit */
    char t3[4096];
    setenv("NEWSDB_DEDUP_KEEP_MAX", "0", 1);
    ndb_db *c3 = corpus_archive(&c, t3, sizeof t3, 60, 0);
    unsetenv("NEWSDB_DEDUP_KEEP_MAX");
    ndb_snapshot *sc = NULL;
    ndb_dup_list *lc = NULL;
    cr_assert_eq(ndb_snapshot_open(c3, &sc, &err), NDB_OK);
    cr_assert_eq(ndb_dups(sc, NULL, &o, &lc, &err), NDB_OK);
    cr_assert_eq(lc->nclusters, la->nclusters);
    for (size_t i = 0; i < la->n; i++) {
        cr_assert_eq(la->clusters[i].size, lc->clusters[i].size);
        for (uint32_t m = 0; m < la->clusters[i].size; m++)
            cr_assert_eq(la->clusters[i].members[m].id, lc->clusters[i].members[m].id);
    }
    ndb_dup_list_free(lc);
    ndb_snapshot_close(sc);
    ndb_close(c3);
    ndb_test_remove_archive(t3);
    ndb_dup_list_free(la);
    ndb_dup_list_free(lb);
    ndb_snapshot_close(sa);
    ndb_snapshot_close(sb);
    ndb_close(a);
    ndb_close(b);
    ndb_test_remove_archive(t1);
    ndb_test_remove_archive(t2);
    corpus_free(&c);
}

Test(dedup, reuse_equals_brute_force, .timeout = 120)
{
    char tmp[4096];
    corpus c;
    oracle_run r;
    ndb_err err;
    corpus_make(&c, ndb_test_seed(5), 250);
    ndb_db *db = corpus_archive(&c, tmp, sizeof tmp, 23, 0);
    oracle_open(&r, db);
    uint64_t reused_total = 0;
    for (uint32_t id = 0; id < r.n; id++) {
        ndb_reuse_report *rep = NULL;
        if (!r.o[id].live) {
            cr_assert_eq(ndb_reuse(r.s, id, &rep, &err), NDB_ENOTFOUND);
            continue;
        }
        cr_assert_eq(ndb_reuse(r.s, id, &rep, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(rep->n, (size_t)r.o[id].np);
        for (size_t p = 0; p < rep->n; p++) {
            const ndb_reuse_para *rp = &rep->paras[p];
            const char *seq = r.o[id].para[p];
            size_t expect = 0;
            uint32_t earliest = id;
            cr_assert_eq(rp->fingerprinted, *seq != 0, "doc %u para %zu", id, p);
            for (uint32_t o = 0; *seq && o < r.n; o++) {
                int has = 0;
                if (o == id || !r.o[o].live)
                    continue;
                for (int q = 0; q < r.o[o].np; q++)
                    has |= strcmp(r.o[o].para[q], seq) == 0;
                if (!has)
                    continue;
                expect++;
                if (oearlier(r.o, o, earliest))
                    earliest = o;
            }
            cr_assert_eq(rp->n, expect, "doc %u para %zu: %zu others, oracle %zu", id, p, rp->n,
                         expect);
            cr_assert_eq(rp->earliest, earliest, "doc %u para %zu earliest", id, p);
            for (size_t k = 1; k < rp->n; k++)
                cr_assert(oearlier(r.o, rp->others[k - 1].id, rp->others[k].id));
            reused_total += rp->n;
        }
        ndb_reuse_report_free(rep);
    }
    cr_assert_gt(reused_total, 50, "the corpus must reuse paragraphs");

    /* outlet matrix, brute force over all live docs */
    ndb_reuse_matrix *m = NULL;
    cr_assert_eq(ndb_reuse_outlets(r.s, NULL, &m, &err), NDB_OK, "%s", err.msg);
    uint64_t paras = 0;
    for (uint32_t id = 0; id < r.n; id++) {
        if (!r.o[id].live)
            continue;
        for (int p = 0; p < r.o[id].np; p++) {
            const char *seq = r.o[id].para[p];
            uint32_t src = UINT32_MAX;
            int dup_in_self = 0;
            if (!*seq)
                continue;
            for (int q = 0; q < p; q++)
                dup_in_self |= strcmp(r.o[id].para[q], seq) == 0;
            if (dup_in_self)
                continue; /* an article counts once per paragraph text */
            for (uint32_t o = 0; o < r.n; o++) {
                int has = 0;
                if (!r.o[o].live)
                    continue;
                for (int q = 0; q < r.o[o].np; q++)
                    has |= strcmp(r.o[o].para[q], seq) == 0;
                if (has && (src == UINT32_MAX || oearlier(r.o, o, src)))
                    src = o;
            }
            if (src != id && strcmp(r.o[src].outlet, r.o[id].outlet) != 0)
                paras++;
        }
    }
    cr_assert_eq(m->paras, paras, "matrix paragraphs %lu, oracle %lu", (unsigned long)m->paras,
                 (unsigned long)paras);
    uint64_t sum = 0;
    for (size_t i = 0; i < m->n; i++) {
        sum += m->rows[i].paras;
        cr_assert_str_neq(m->rows[i].from, m->rows[i].to);
        cr_assert_leq(m->rows[i].articles, m->rows[i].paras);
    }
    cr_assert_eq(sum, paras);
    ndb_reuse_matrix_free(m);
    oracle_close(&r);
    ndb_close(db);
    ndb_test_remove_archive(tmp);
    corpus_free(&c);
}

static uint32_t r_max(const ndb_results *r)
{
    uint32_t m = 0;
    for (size_t i = 0; i < r->n; i++)
        m = r->hits[i].id + 1 > m ? r->hits[i].id + 1 : m;
    return m + 1;
}

/* search / timeline / outlets with collapse_dups against ndb_dups and the plain ranking. */
Test(dedup, collapse_dups_search_and_analytics, .timeout = 120)
{
    char tmp[4096];
    corpus c;
    ndb_err err;
    ndb_snapshot *s = NULL;
    static const char *queries[] = {"kalo", "mika OR terbu", "NOT zzzz"};
    corpus_no_versions = 1; /* all-live: the query layer's shortcuts for that case too */
    corpus_make(&c, ndb_test_seed(9), 300);
    corpus_no_versions = 0;
    ndb_db *db = corpus_archive(&c, tmp, sizeof tmp, 41, 0);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
        const char *q = queries[qi];
        ndb_dup_list *l = NULL;
        ndb_results *all = NULL, *col = NULL;
        ndb_search_opts so = {.limit = 10000}, sc = {.limit = 10000, .collapse_dups = 1};
        cr_assert_eq(ndb_dups(s, q, NULL, &l, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(ndb_search(s, q, &so, &all, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(ndb_search(s, q, &sc, &col, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(col->total, all->total);
        cr_assert_eq(col->unique, l->unique, "%s: unique %lu, dups %lu", q,
                     (unsigned long)col->unique, (unsigned long)l->unique);
        cr_assert_eq(col->n, l->unique, "%s: one hit per story", q);
        cr_assert_gt(l->nclusters, 3);
        /* cluster of each matching id */
        uint32_t *cl = calloc(r_max(all), sizeof *cl), *sz = calloc(r_max(all), sizeof *sz);
        for (size_t i = 0; i < l->n; i++)
            for (uint32_t m = 0; m < l->clusters[i].size; m++) {
                cl[l->clusters[i].members[m].id] = l->clusters[i].id + 1;
                sz[l->clusters[i].members[m].id] = l->clusters[i].size;
            }
        /* the collapsed list is the plain ranking, first member of each cluster kept */
        uint8_t *seen = calloc(r_max(all) + 1, 1);
        size_t k = 0;
        for (size_t i = 0; i < all->n; i++) {
            uint32_t id = all->hits[i].id, key = cl[id] ? cl[id] - 1 : id;
            if (seen[key])
                continue;
            seen[key] = 1;
            cr_assert_lt(k, col->n);
            cr_assert_eq(col->hits[k].id, id, "%s: collapsed hit %zu", q, k);
            cr_assert_eq(col->hits[k].copies, cl[id] ? sz[id] : 1);
            k++;
        }
        cr_assert_eq(k, col->n);
        /* outlets: each story once, for the outlet of its earliest matching member */
        ndb_agg *ao = NULL, *at = NULL;
        ndb_agg_opts oo = {.collapse_dups = 1};
        cr_assert_eq(ndb_outlets(s, q, &oo, &ao, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(ndb_timeline(s, q, &oo, &at, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(ao->matched, l->unique);
        cr_assert_eq(ao->in_range, l->unique);
        cr_assert_eq(at->in_range, l->unique);
        for (size_t r = 0; r < ao->n; r++) {
            uint64_t expect = 0;
            for (size_t i = 0; i < all->n; i++) {
                uint32_t id = all->hits[i].id;
                const char *o = all->hits[i].outlet;
                bool source = !cl[id];
                for (size_t j = 0; j < l->n && cl[id]; j++)
                    if (l->clusters[j].id + 1 == cl[id])
                        source = l->clusters[j].source == id;
                expect += source && strcmp(o, ao->rows[r].outlet) == 0;
            }
            cr_assert_eq(ao->rows[r].count, expect, "%s: outlet %s", q, ao->rows[r].outlet);
        }
        ndb_agg_free(ao);
        ndb_agg_free(at);
        free(cl);
        free(sz);
        free(seen);
        ndb_results_free(all);
        ndb_results_free(col);
        ndb_dup_list_free(l);
    }
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(tmp);
    corpus_free(&c);
}

/* The bulk loader's path (tokens recorded by another analyzer, api_writer_add_tokens, whose
** paragraph marks stand in for a second analysis) writes the same dup data as an inline
** add: every dup file's body is byte-identical (the frame header names its writer). */
static uint8_t *slurp(const char *dir, const char *name, size_t *n)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    cr_assert(f != NULL, "%s", p);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*n + 1);
    cr_assert_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* Every dup file of archive t1 exists in t2 with the same bytes past the file id and the
** footer's CRC; returns how many there are. */
static int dup_files_same(const char *t1, const char *t2)
{
    int files = 0;
    DIR *dd = opendir(t1);
    struct dirent *e;
    cr_assert(dd != NULL, "%s", t1);
    while ((e = readdir(dd)) != NULL) {
        size_t n1, n2;
        if (strncmp(e->d_name, "dup-", 4) != 0)
            continue;
        uint8_t *x = slurp(t1, e->d_name, &n1), *y = slurp(t2, e->d_name, &n2);
        cr_assert_eq(n1, n2, "%s: sizes differ", e->d_name);
        cr_assert(n1 > 44 && memcmp(x + 32, y + 32, n1 - 44) == 0, "%s: bodies differ",
                  e->d_name);
        files++;
        free(x);
        free(y);
    }
    closedir(dd);
    return files;
}

/* sketch: the recording builds the near-duplicate sketch (api_tokens_set_dedup: the add
** path's reading thread), else the writer rebuilds it from the paragraph marks. */
static void recorded_tokens_same_dup_files(bool sketch)
{
    char t1[4096], t2[4096];
    corpus c;
    ndb_err err;
    ndb_analyzer *an;
    api_tokens *tok;
    ndb_writer *w = NULL;
    corpus_make(&c, ndb_test_seed(13), 240);
    ndb_db *a = corpus_archive(&c, t1, sizeof t1, 37, 0);
    ndb_db *b = ndb_test_new_archive(t2, sizeof t2);
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an), NDB_OK);
    cr_assert_eq(api_tokens_new(&tok), NDB_OK);
    api_tokens_set_dedup(tok, sketch);
    cr_assert_eq(ndb_writer_open(b, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < c.n; i++) {
        ndb_add_result res;
        ndb_article art;
        ndb_doc_article_init(&art);
        cr_assert_eq(ndb_doc_parse("x", (const uint8_t *)c.bytes[i], c.len[i], false, &art,
                                   &err),
                     NDB_OK);
        cr_assert_eq(api_tokens_analyze(tok, an, art.paras, art.n_paras), NDB_OK);
        ndb_doc_article_fini(&art);
        cr_assert_eq(api_writer_add_tokens(w, c.url[i], c.bytes[i], c.len[i], NULL, tok, &res,
                                           &err),
                     NDB_OK, "%s", err.msg);
        if ((i + 1) % 37 == 0)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    int linked = 0;
    cr_assert_geq(dup_files_same(t1, t2), 6);
    ndb_snapshot *s = NULL;
    ndb_dup_list *l = NULL;
    ndb_dups_opts o = {.threshold = 0.8};
    cr_assert_eq(ndb_snapshot_open(b, &s, &err), NDB_OK);
    cr_assert_eq(ndb_dups(s, NULL, &o, &l, &err), NDB_OK);
    linked = (int)l->clustered;
    cr_assert_gt(linked, 20, "the corpus must hold near-duplicates (%d)", linked);
    ndb_dup_list_free(l);
    ndb_snapshot_close(s);
    api_tokens_free(tok);
    ndb_text_analyzer_free(an);
    ndb_close(a);
    ndb_close(b);
    ndb_test_remove_archive(t1);
    ndb_test_remove_archive(t2);
    corpus_free(&c);
}

Test(dedup, recorded_tokens_make_the_same_dup_files, .timeout = 120)
{
    recorded_tokens_same_dup_files(false);
}

Test(dedup, recorded_sketch_makes_the_same_dup_files, .timeout = 120)
{
    recorded_tokens_same_dup_files(true);
}

/* The band map's sorted part and its merges (a 128-slot recent table: a merge every 96
** keys, ~1.5 per article), and a writer reopened after every commit (the map rebuilt from
** the dup files), find the same candidates as the default map: every dup file is
** byte-identical to the one-writer, default-map archive's. */
Test(dedup, band_map_merges_and_reopen_make_the_same_dup_files, .timeout = 120)
{
    char t1[4096], t2[4096];
    corpus c;
    ndb_err err;
    corpus_make(&c, ndb_test_seed(17), 240);
    ndb_db *a = corpus_archive(&c, t1, sizeof t1, 30, 0);
    ndb_db *b = ndb_test_new_archive(t2, sizeof t2);
    setenv("NEWSDB_DEDUP_MAP_RECENT", "128", 1);
    for (uint32_t i = 0; i < c.n; i += 30) {
        ndb_writer *w = NULL;
        cr_assert_eq(ndb_writer_open(b, &w, &err), NDB_OK, "%s", err.msg);
        for (uint32_t k = i; k < i + 30 && k < c.n; k++) {
            ndb_add_result res;
            cr_assert_eq(ndb_writer_add_native(w, c.url[k], c.bytes[k], c.len[k], NULL, 0,
                                               &res, &err),
                         NDB_OK, "%s", err.msg);
        }
        cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
        ndb_writer_close(w);
    }
    unsetenv("NEWSDB_DEDUP_MAP_RECENT");
    cr_assert_geq(dup_files_same(t1, t2), 8);
    ndb_snapshot *s = NULL;
    ndb_dup_list *l = NULL;
    ndb_dups_opts o = {.threshold = 0.5};
    cr_assert_eq(ndb_snapshot_open(b, &s, &err), NDB_OK);
    cr_assert_eq(ndb_dups(s, NULL, &o, &l, &err), NDB_OK);
    cr_assert_eq(l->uncovered, 0);
    cr_assert_gt(l->clustered, 20, "the corpus must hold near-duplicates (%llu)",
                 (unsigned long long)l->clustered);
    ndb_dup_list_free(l);
    ndb_snapshot_close(s);
    ndb_close(a);
    ndb_close(b);
    ndb_test_remove_archive(t1);
    ndb_test_remove_archive(t2);
    corpus_free(&c);
}

static ndb_db *open_with_memory(const char *dir, size_t mem)
{
    ndb_options o;
    ndb_db *db = NULL;
    ndb_err err;
    memset(&o, 0, sizeof o);
    o.dedup_memory = mem;
    cr_assert_eq(ndb_open(dir, &o, &db, &err), NDB_OK, "%s", err.msg);
    return db;
}

static int dkey_files(const char *dir)
{
    int n = 0;
    DIR *dd = opendir(dir);
    for (struct dirent *e; dd && (e = readdir(dd)) != NULL;)
        n += strncmp(e->d_name, "dkey-", 5) == 0;
    if (dd)
        closedir(dd);
    return n;
}

/* The batch's shingle sets are held in a ring of the most recent ones (dedup.c): with rings
** of a few articles' worth, sets are let go all the time and their pairs checked at commit
** from the store; the dup files are byte-identical to those of the default writer. */
Test(dedup, a_small_ring_of_held_sets_makes_the_same_dup_files, .timeout = 120)
{
    char t1[4096], t2[4096];
    const char *keep[] = {"1", "150", "400", "1500"};
    corpus c;
    corpus_make(&c, ndb_test_seed(23), 240);
    ndb_db *a = corpus_archive(&c, t1, sizeof t1, 70, 0);
    for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
        setenv("NEWSDB_DEDUP_KEEP_MAX", keep[k], 1);
        ndb_db *b = corpus_archive(&c, t2, sizeof t2, 70, 0);
        unsetenv("NEWSDB_DEDUP_KEEP_MAX");
        cr_assert_geq(dup_files_same(t1, t2), 4, "ring of %s shingles", keep[k]);
        ndb_close(b);
        ndb_test_remove_archive(t2);
    }
    ndb_close(a);
    ndb_test_remove_archive(t1);
    corpus_free(&c);
}

/* The band keys on disk (dedup_runs.c): with a 1-byte budget every commit moves the map's
** keys to a run (8 runs merge into one) and older articles' candidates are found by the
** commit's join; a writer opened on such an archive loads only the keys past the runs,
** spilling after each article; a torn run is dropped and its articles' keys read again
** from the dup files; candidates held or not (KEEP_MAX 0); a commit's keys joined with the
** runs 7 articles at a time. Every way, the dup files are
** byte-identical to those of the default, all-in-memory writer. */
Test(dedup, band_runs_on_disk_make_the_same_dup_files, .timeout = 120)
{
    char t1[4096], t2[4096], t3[4096];
    corpus c;
    ndb_err err;
    corpus_make(&c, ndb_test_seed(19), 240);
    ndb_db *a = corpus_archive(&c, t1, sizeof t1, 30, 0);
    /* one writer, a spill per commit: 8 runs, merged into one at the 8th */
    ndb_db *b = ndb_test_new_archive(t2, sizeof t2);
    ndb_close(b);
    b = open_with_memory(t2, 1);
    ndb_writer *w = NULL;
    setenv("NEWSDB_DEDUP_JOIN_CHUNK", "7", 1); /* each commit's join in pieces of 7 articles */
    cr_assert_eq(ndb_writer_open(b, &w, &err), NDB_OK, "%s", err.msg);
    unsetenv("NEWSDB_DEDUP_JOIN_CHUNK");
    for (uint32_t i = 0; i < c.n; i++) {
        ndb_add_result res;
        cr_assert_eq(ndb_writer_add_native(w, c.url[i], c.bytes[i], c.len[i], NULL, 0, &res,
                                           &err),
                     NDB_OK, "%s", err.msg);
        if ((i + 1) % 30 == 0) {
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
            cr_assert_eq(dkey_files(t2), (int)((i + 1) / 30 % 8 == 0 ? 1 : (i + 1) / 30 % 8 + ((i + 1) / 30 > 8)),
                         "runs after commit %u", (i + 1) / 30);
        }
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_geq(dup_files_same(t1, t2), 8);
    ndb_close(b);
    /* a writer per 30 articles, the budget alternating between 1 byte and the default; one
    ** run torn on the way; with and without the batch's shingle sets held */
    ndb_db *c3 = ndb_test_new_archive(t3, sizeof t3);
    ndb_close(c3);
    for (uint32_t i = 0, chunk = 0; i < c.n; i += 30, chunk++) {
        if (chunk == 5) { /* tear the oldest run: its articles come back from the dup files */
            DIR *dd = opendir(t3);
            char path[4200] = "";
            for (struct dirent *e; (e = readdir(dd)) != NULL;)
                if (strncmp(e->d_name, "dkey-00000000-", 14) == 0)
                    snprintf(path, sizeof path, "%s/%s", t3, e->d_name);
            closedir(dd);
            cr_assert(path[0], "a run from article 0 after 5 commits");
            FILE *f = fopen(path, "r+b");
            cr_assert(f != NULL);
            fseek(f, 60, SEEK_SET);
            fputc(0x5a, f);
            fclose(f);
        }
        if (chunk % 2)
            setenv("NEWSDB_DEDUP_KEEP_MAX", "0", 1);
        c3 = open_with_memory(t3, chunk % 3 == 2 ? 0 : 1);
        cr_assert_eq(ndb_writer_open(c3, &w, &err), NDB_OK, "%s", err.msg);
        unsetenv("NEWSDB_DEDUP_KEEP_MAX");
        for (uint32_t k = i; k < i + 30 && k < c.n; k++) {
            ndb_add_result res;
            cr_assert_eq(ndb_writer_add_native(w, c.url[k], c.bytes[k], c.len[k], NULL, 0,
                                               &res, &err),
                         NDB_OK, "%s", err.msg);
        }
        cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
        ndb_writer_close(w);
        ndb_close(c3);
    }
    cr_assert_gt(dkey_files(t3), 0);
    cr_assert_geq(dup_files_same(t1, t3), 8);
    ndb_snapshot *s = NULL;
    ndb_dup_list *l = NULL;
    ndb_dups_opts o = {.threshold = 0.5};
    cr_assert_eq(ndb_snapshot_open(a, &s, &err), NDB_OK);
    cr_assert_eq(ndb_dups(s, NULL, &o, &l, &err), NDB_OK);
    cr_assert_gt(l->clustered, 20, "the corpus must hold near-duplicates (%llu)",
                 (unsigned long long)l->clustered);
    ndb_dup_list_free(l);
    ndb_snapshot_close(s);
    ndb_close(a);
    ndb_test_remove_archive(t1);
    ndb_test_remove_archive(t2);
    ndb_test_remove_archive(t3);
    corpus_free(&c);
}
