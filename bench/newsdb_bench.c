/*
** newsdb_bench.c — newsdb's driver for the shared side-by-side benchmark harness
** (../shared/bench, README §4 "adapter contract"); bench/adapter.sh calls it.
**
**   newsdb_bench build  DOCS_TSV INDEX_DIR OUT_PREFIX
**   newsdb_bench search INDEX_DIR QUERIES REPEATS OUT_PREFIX
**
** build: one archive in INDEX_DIR from docs.tsv (two threads: rows are read and analyzed
** on one while the writer indexes and stores on the other; NEWSDB_BENCH_THREADS=1: one) (docid name url outlet date body). Each row
** becomes a native article "url\n0\n1\nbody\n" (the body as ONE paragraph: the peers index
** docs.tsv's body as one string, so a phrase may span the harness's joined paragraphs for
** them and must for us too). The row's outlet (URL host without www.) and date (YYYYMMDD,
** 0 = undated) are stored verbatim through api_writer_add_verbatim (src/api/api.h):
** ndb_writer_add_native would normalize the outlet to its registrable domain and derive
** the date from the URL with newsdb's own rules, which need not be the harness's. Ids are
** dense in add order, so newsdb id == docid; the driver fails if a row does not get its
** docid (a duplicate URL+body would). A commit every 50,000 rows, as `newsdb add` makes by
** default (NEWSDB_BENCH_COMMIT_EVERY=N: every N rows, 0: one commit at the end; what is
** held for uncommitted articles — store records, near-duplicate bands — then stays
** bounded), then optimize to one segment (the peers are asked for their most
** query-efficient single index too). OUT_PREFIX.stats.part gets
** index_bytes = segment files + the filter columns (cols.dat, outlets.dat); the stored
** article bytes (docs.log, docs.idx, urls.dat) are reported apart as store_bytes, the
** forward index of the analytics (fwd.idx/dat/voc: doc -> terms, like Lucene's term
** vectors, which the peers do not build) as fwd_bytes.
** Ranking: NEWSDB_BM25=xapian scores with Xapian's default BM25Weight parameters (k1 1,
** b 0.5, min_normlen 0.5, Xapian's idf; query.h ndb_bm25) instead of newsdb's (k1 1.2,
** b 0.75), to compare top-10 lists with the Xapian peer like for like; also "K1,B".
** Stemmer: NEWSDB_STEMMER=english (default, = Xapian's Snowball) or porter (= Lucene's).
**
** search: qlang is a subset of newsdb's query language (docs/query-language.md: top-level
** filters without operators apply to the whole query), so each line is parsed as is with
** ndb_query_parse before the clock starts (as the peers do); the timed part is
** ndb_query_topk(k=10, by score, no total: the mode asks for ids only) resp.
** ndb_query_count on the snapshot's view, including
** copying out the ids / the count. Hits are not decorated with stored fields (ndb_search
** would decompress each hit's store block, which no peer does). Protocol: per mode one
** untimed warm-up pass, then REPEATS timed passes, queries in file order.
*/
#include "api/api.h"
#include "query/query.h"

#include "doc/doc.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BENCH_TOPK 10

static void bench_die(const char *what, const ndb_err *e)
{
    fprintf(stderr, "newsdb_bench: %s: %s\n", what, e && e->msg[0] ? e->msg : "failed");
    exit(1);
}

/* NEWSDB_BENCH_CLOCK=cpu times queries in thread CPU time instead of wall time: for A/B
** comparisons on a loaded machine (the harness's figures are wall time). */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static ndb_stemmer bench_stemmer(void)
{
    const char *s = getenv("NEWSDB_STEMMER");
    if (!s || !*s || strcmp(s, "english") == 0)
        return NDB_STEM_ENGLISH;
    if (strcmp(s, "porter") == 0)
        return NDB_STEM_PORTER;
    if (strcmp(s, "none") == 0)
        return NDB_STEM_NONE;
    fprintf(stderr, "newsdb_bench: NEWSDB_STEMMER must be english, porter or none\n");
    exit(2);
}

/* Split line into at most n tab-separated fields (in place). Returns the number found. */
static size_t bench_split(char *line, char **f, size_t n)
{
    size_t k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < n; p++)
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    return k;
}

/* Bytes of the regular files in dir whose names satisfy want(name). */
static uint64_t bench_dir_bytes(const char *dir, int (*want)(const char *))
{
    uint64_t sum = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4300];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (want(e->d_name) && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            sum += (uint64_t)st.st_size;
    }
    closedir(d);
    return sum;
}

/* NEWSDB_BENCH_MEM=N: print the process's memory (VmHWM peak, VmRSS, and RSS split into
** heap/anonymous and file-backed pages, i.e. mapped segment files) to stderr every N rows,
** before and after optimize: what holds the build's peak. */
static void bench_mem(const char *when, uint64_t rows)
{
    static const char *const keys[] = {"VmHWM:", "VmRSS:", "RssAnon:", "RssFile:"};
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    if (!f)
        return;
    fprintf(stderr, "mem %-16s rows=%-8llu", when, (unsigned long long)rows);
    while (fgets(line, sizeof line, f))
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            if (strncmp(line, keys[i], strlen(keys[i])) == 0) {
                long kb = strtol(line + strlen(keys[i]), NULL, 10);
                fprintf(stderr, " %s%ld MB", keys[i], kb / 1024);
            }
    fprintf(stderr, "\n");
    fclose(f);
}

static int bench_is_index(const char *n)
{
    return strncmp(n, "seg-", 4) == 0 || strcmp(n, "cols.dat") == 0 ||
           strcmp(n, "outlets.dat") == 0;
}

static int bench_is_fwd(const char *n)
{
    return strncmp(n, "fwd.", 4) == 0;
}

static int bench_is_store(const char *n)
{
    return strcmp(n, "docs.log") == 0 || strcmp(n, "docs.idx") == 0 || strcmp(n, "urls.dat") == 0;
}

/* Build pipeline: a reader thread turns docs.tsv rows into native articles and records
** their analyzed tokens (api_tokens, the archive's stemmer, its own analyzer) into a ring of
** slots; the main thread adds them in row order with api_writer_add_tokens (index + store),
** so analysis of the next rows overlaps indexing of this one on the second core.
** NEWSDB_BENCH_THREADS=1 analyzes inline instead (api_writer_add_verbatim), same archive. */
#define BENCH_RING 64

typedef struct bench_slot {
    char *art, *name, *outlet;
    size_t acap, n, ncap, ocap;
    int32_t date;
    long docid;
    api_tokens *tok;
} bench_slot;

typedef struct bench_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bench_slot s[BENCH_RING];
    size_t head, tail; /* rows produced / consumed */
    bool done, threaded;
    char err[512];
    FILE *in;
    const char *tsv;
    ndb_stemmer stemmer;
} bench_pipe;

static int bench_copy(char **dst, size_t *cap, const char *src)
{
    size_t n = strlen(src) + 1;
    if (n > *cap) {
        *cap = n * 2;
        *dst = realloc(*dst, *cap);
        if (!*dst)
            return -1;
    }
    memcpy(*dst, src, n);
    return 0;
}

/* Fill slot from one docs.tsv line (modified in place); 0 ok, else a message in p->err. */
static int bench_fill(bench_pipe *p, bench_slot *sl, char *line, ssize_t len, uint64_t row,
                      ndb_analyzer *an)
{
    char *f[6];
    size_t need;
    if (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
    if (bench_split(line, f, 6) != 6) {
        snprintf(p->err, sizeof p->err, "%s: row %llu has not 6 columns", p->tsv,
                 (unsigned long long)row);
        return -1;
    }
    sl->docid = strtol(f[0], NULL, 10);
    sl->date = NDB_DATE_NONE;
    if (strcmp(f[4], "0") != 0 && !ndb_date_parse(f[4], strlen(f[4]), &sl->date)) {
        snprintf(p->err, sizeof p->err, "row %ld: bad date %.40s", sl->docid, f[4]);
        return -1;
    }
    need = strlen(f[2]) + strlen(f[5]) + 16;
    if (need > sl->acap) {
        sl->acap = need * 2;
        sl->art = realloc(sl->art, sl->acap);
    }
    if (!sl->art || bench_copy(&sl->name, &sl->ncap, f[1]) || bench_copy(&sl->outlet, &sl->ocap, f[3])) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    sl->n = (size_t)snprintf(sl->art, sl->acap, "%s\n0\n1\n%s\n", f[2], f[5]);
    if (!an)
        return 0;
    ndb_article a;
    ndb_err e;
    ndb_rc rc;
    ndb_doc_article_init(&a);
    rc = ndb_doc_parse(sl->name, (const uint8_t *)sl->art, sl->n, false, &a, &e);
    if (rc == NDB_OK)
        rc = api_tokens_analyze(sl->tok, an, a.paras, a.n_paras);
    ndb_doc_article_fini(&a);
    if (rc != NDB_OK) {
        snprintf(p->err, sizeof p->err, "row %ld: cannot analyze: %s", sl->docid,
                 ndb_strerror(rc));
        return -1;
    }
    return 0;
}

static void *bench_reader(void *arg)
{
    bench_pipe *p = arg;
    ndb_analyzer *an = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t row = 0;
    if (ndb_text_analyzer_new(p->stemmer, &an) != NDB_OK)
        snprintf(p->err, sizeof p->err, "analyzer: out of memory");
    while (!p->err[0] && (len = getline(&line, &cap, p->in)) > 0) {
        pthread_mutex_lock(&p->mu);
        while (p->head - p->tail >= BENCH_RING)
            pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        /* slot head % RING is the reader's until head advances */
        if (bench_fill(p, &p->s[p->head % BENCH_RING], line, len, row++, an) != 0)
            break;
        pthread_mutex_lock(&p->mu);
        p->head++;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    free(line);
    ndb_text_analyzer_free(an);
    return NULL;
}

static int bench_build(const char *tsv, const char *dir, const char *prefix)
{
    ndb_options opt = {.create = 1, .stemmer = bench_stemmer()};
    /* as the CLI: NEWSDB_NO_DEDUP=1 builds without near-duplicate data (cost comparisons) */
    opt.no_dedup = getenv("NEWSDB_NO_DEDUP") && strcmp(getenv("NEWSDB_NO_DEDUP"), "0") != 0;
    /* and NEWSDB_DEDUP_MEMORY=MiB: the near-duplicate band keys' memory budget */
    if (getenv("NEWSDB_DEDUP_MEMORY"))
        opt.dedup_memory = (size_t)strtoull(getenv("NEWSDB_DEDUP_MEMORY"), NULL, 10) << 20;
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    ndb_err e;
    static bench_pipe p;
    pthread_t th;
    uint64_t rows = 0, updated = 0, ncommits = 0;
    double t0 = bench_now_us(), commit_us = 0;
    const char *thr = getenv("NEWSDB_BENCH_THREADS");
    const char *memv = getenv("NEWSDB_BENCH_MEM");
    uint64_t mem_every = memv ? strtoull(memv, NULL, 10) : 0;
    const char *cev = getenv("NEWSDB_BENCH_COMMIT_EVERY");
    uint64_t commit_every = cev ? strtoull(cev, NULL, 10) : 50000;
    p.in = fopen(tsv, "r");
    p.tsv = tsv;
    p.stemmer = opt.stemmer;
    p.threaded = !(thr && strcmp(thr, "1") == 0);
    if (!p.in) {
        fprintf(stderr, "newsdb_bench: %s: %s\n", tsv, strerror(errno));
        return 1;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    for (size_t i = 0; i < BENCH_RING; i++)
        if (api_tokens_new(&p.s[i].tok) != NDB_OK)
            bench_die("tokens", NULL);
    mkdir(dir, 0755);
    if (ndb_open(dir, &opt, &db, &e) != NDB_OK)
        bench_die(dir, &e);
    if (ndb_writer_open(db, &w, &e) != NDB_OK)
        bench_die("writer", &e);
    for (size_t i = 0; i < BENCH_RING; i++) /* near-dup term hashes on the reader too */
        api_tokens_set_dedup(p.s[i].tok, api_writer_dedup_on(w));
    if (p.threaded && pthread_create(&th, NULL, bench_reader, &p) != 0)
        bench_die("thread", NULL);
    char *line = NULL;
    size_t cap = 0;
    for (;;) {
        bench_slot *sl;
        api_fixed_fields fx;
        ndb_add_result res;
        ndb_rc rc;
        if (p.threaded) {
            pthread_mutex_lock(&p.mu);
            while (p.tail == p.head && !p.done)
                pthread_cond_wait(&p.cv, &p.mu);
            bool empty = p.tail == p.head;
            pthread_mutex_unlock(&p.mu);
            if (empty)
                break;
            sl = &p.s[p.tail % BENCH_RING];
        } else {
            ssize_t len = getline(&line, &cap, p.in);
            if (len <= 0)
                break;
            sl = &p.s[0];
            if (bench_fill(&p, sl, line, len, rows, NULL) != 0)
                break;
        }
        fx.outlet = sl->outlet;
        fx.date = sl->date;
        rc = p.threaded ? api_writer_add_tokens(w, sl->name, sl->art, sl->n, &fx, sl->tok, &res, &e)
                        : api_writer_add_verbatim(w, sl->name, sl->art, sl->n, &fx, &res, &e);
        if (rc != NDB_OK)
            bench_die(sl->name, &e);
        if (res.status == NDB_UPDATED)
            updated++;
        if (res.status == NDB_DUPLICATE || (long)res.id != sl->docid) {
            fprintf(stderr, "newsdb_bench: row %ld (%s) got id %u (%s)\n", sl->docid, sl->name,
                    res.id, res.status == NDB_DUPLICATE ? "duplicate" : "id mismatch");
            return 1;
        }
        rows++;
        if (commit_every && rows % commit_every == 0) {
            double tc = bench_now_us();
            if (ndb_writer_commit(w, &e) != NDB_OK)
                bench_die("commit", &e);
            tc = bench_now_us() - tc;
            commit_us += tc;
            ncommits++;
            fprintf(stderr, "newsdb_bench: commit at %llu rows: %.2f s\n",
                    (unsigned long long)rows, tc / 1e6);
        }
        if (mem_every && rows % mem_every == 0)
            bench_mem("add", rows);
        if (p.threaded) {
            pthread_mutex_lock(&p.mu);
            p.tail++;
            pthread_cond_broadcast(&p.cv);
            pthread_mutex_unlock(&p.mu);
        }
    }
    if (p.threaded)
        pthread_join(th, NULL);
    free(line);
    fclose(p.in);
    if (p.err[0]) {
        fprintf(stderr, "newsdb_bench: %s\n", p.err);
        return 1;
    }
    for (size_t i = 0; i < BENCH_RING; i++) {
        api_tokens_free(p.s[i].tok);
        free(p.s[i].art);
        free(p.s[i].name);
        free(p.s[i].outlet);
    }
    if (mem_every) {
        if (ndb_writer_commit(w, &e) != NDB_OK)
            bench_die("commit", &e);
        bench_mem("committed", rows);
    }
    double to = bench_now_us();
    if (ndb_writer_optimize(w, &e) != NDB_OK)
        bench_die("optimize", &e);
    /* Where the wall time went: commits (segment flush, store sync, level merges) and the
    ** final optimize run on this thread while the reader waits once its ring is full. */
    fprintf(stderr, "newsdb_bench: build %.1f s: %llu commits %.1f s, optimize %.1f s\n",
            (bench_now_us() - t0) / 1e6, (unsigned long long)ncommits, commit_us / 1e6,
            (bench_now_us() - to) / 1e6);
    if (mem_every)
        bench_mem("optimized", rows);
    ndb_writer_close(w);
    ndb_close(db);
    {
        char path[4200];
        FILE *o;
        snprintf(path, sizeof path, "%s.stats.part", prefix);
        o = fopen(path, "w");
        if (!o)
            return 1;
        fprintf(o,
                "index_bytes=%llu\nstore_bytes=%llu\nfwd_bytes=%llu\nengine=newsdb %s (%s stemmer)\n"
                "build_s=%.2f\nrows=%llu\nupdated_urls=%llu\n",
                (unsigned long long)bench_dir_bytes(dir, bench_is_index),
                (unsigned long long)bench_dir_bytes(dir, bench_is_store),
                (unsigned long long)bench_dir_bytes(dir, bench_is_fwd), ndb_version(),
                opt.stemmer == NDB_STEM_PORTER ? "porter"
                : opt.stemmer == NDB_STEM_NONE ? "no"
                                               : "english",
                (bench_now_us() - t0) / 1e6, (unsigned long long)rows, (unsigned long long)updated);
        fclose(o);
    }
    return 0;
}

/* NEWSDB_BM25: unset = newsdb's defaults; "xapian"; or "K1,B". */
static bool bench_bm25(ndb_bm25 *p)
{
    const char *s = getenv("NEWSDB_BM25");
    if (!s || !*s)
        return false;
    if (strcmp(s, "xapian") == 0) {
        *p = (ndb_bm25){1.0, 0.5, 0.5, true};
        return true;
    }
    *p = (ndb_bm25){0};
    if (sscanf(s, "%lf,%lf", &p->k1, &p->b) != 2) {
        fprintf(stderr, "newsdb_bench: NEWSDB_BM25 must be xapian or K1,B\n");
        exit(2);
    }
    return true;
}

typedef struct bench_q {
    char *qid, *text;
    ndb_query *q;
    char *err;        /* parse error, or NULL */
    char res[2][160]; /* top10 ids / count */
    double *lat[2];   /* REPEATS latencies per mode */
} bench_q;

static int bench_search(const char *dir, const char *qfile, int repeats, const char *prefix)
{
    ndb_db *db = NULL;
    ndb_snapshot *s = NULL;
    ndb_analyzer *an = NULL;
    ndb_err e;
    FILE *in = fopen(qfile, "r"), *out;
    char *line = NULL, path[4200];
    size_t cap = 0, nq = 0, qcap = 0;
    ssize_t len;
    bench_q *qs = NULL;
    ndb_bm25 bm;
    bool bm_set = bench_bm25(&bm);
    const char *clk = getenv("NEWSDB_BENCH_CLOCK");
    if (clk && strcmp(clk, "cpu") == 0)
        bench_clock = CLOCK_THREAD_CPUTIME_ID;
    if (!in) {
        fprintf(stderr, "newsdb_bench: %s: %s\n", qfile, strerror(errno));
        return 1;
    }
    if (ndb_open(dir, NULL, &db, &e) != NDB_OK)
        bench_die(dir, &e);
    if (ndb_snapshot_open(db, &s, &e) != NDB_OK)
        bench_die("snapshot", &e);
    if (ndb_text_analyzer_new(db->stemmer, &an) != NDB_OK)
        bench_die("analyzer", NULL);
    while ((len = getline(&line, &cap, in)) > 0) {
        char *f[3];
        bench_q *q;
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (line[0] == '#' || line[0] == '\0' || bench_split(line, f, 3) != 3)
            continue;
        if (nq == qcap) {
            qcap = qcap ? 2 * qcap : 256;
            qs = realloc(qs, qcap * sizeof *qs);
            if (!qs)
                return 1;
        }
        q = &qs[nq++];
        memset(q, 0, sizeof *q);
        q->qid = strdup(f[0]);
        q->text = strdup(f[2]);
        for (int m = 0; m < 2; m++)
            q->lat[m] = calloc((size_t)repeats + 1, sizeof(double));
        if (ndb_query_parse(q->text, strlen(q->text), an, &q->q, &e) != NDB_OK) {
            q->err = strdup(e.msg);
            for (char *p = q->err; *p; p++)
                if (*p == '\t' || *p == '\n')
                    *p = ' ';
        } else if (bm_set && ndb_query_set_bm25(q->q, &bm) != NDB_OK) {
            fprintf(stderr, "newsdb_bench: bad NEWSDB_BM25 parameters\n");
            return 2;
        }
    }
    fclose(in);
    free(line);
    /* NEWSDB_BENCH_MODE=top10 | count: one mode only (profiling; the other's column stays
    ** empty) */
    const char *only = getenv("NEWSDB_BENCH_MODE");
    for (int mode = 0; mode < 2; mode++)
        for (int pass = 0; pass <= repeats; pass++)
            for (size_t i = 0; i < nq; i++) {
                bench_q *q = &qs[i];
                ndb_query_hit hits[BENCH_TOPK];
                size_t nh = 0;
                uint64_t total = 0;
                ndb_rc rc;
                char buf[160];
                double t0, t1;
                if (q->err || (only && strcmp(only, mode ? "count" : "top10") != 0))
                    continue;
                t0 = bench_now_us();
                if (mode == 0)
                    rc = ndb_query_topk(q->q, &s->view, BENCH_TOPK, NDB_SORT_SCORE, false, hits,
                                        &nh, NULL, &e);
                else
                    rc = ndb_query_count(q->q, &s->view, &total, &e);
                if (rc == NDB_OK && mode == 0) {
                    size_t o = 0;
                    buf[0] = '\0';
                    for (size_t h = 0; h < nh; h++)
                        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%u", h ? "," : "",
                                              hits[h].id);
                } else if (rc == NDB_OK)
                    snprintf(buf, sizeof buf, "%llu", (unsigned long long)total);
                t1 = bench_now_us();
                if (rc != NDB_OK)
                    snprintf(buf, sizeof buf, "ERR:%.120s", e.msg);
                if (pass > 0)
                    q->lat[mode][pass - 1] = t1 - t0;
                memcpy(q->res[mode], buf, sizeof buf);
            }
    snprintf(path, sizeof path, "%s.results.tsv", prefix);
    out = fopen(path, "w");
    if (!out)
        return 1;
    for (size_t i = 0; i < nq; i++)
        for (int mode = 0; mode < 2; mode++) {
            bench_q *q = &qs[i];
            fprintf(out, "%s\t%s\t", q->qid, mode ? "count" : "top10");
            if (q->err) {
                fprintf(out, "ERR:%s\t\n", q->err);
                continue;
            }
            fprintf(out, "%s\t", q->res[mode]);
            for (int r = 0; r < repeats; r++)
                fprintf(out, "%s%.1f", r ? "," : "", q->lat[mode][r]);
            fputc('\n', out);
        }
    fclose(out);
    snprintf(path, sizeof path, "%s.stats.part", prefix);
    out = fopen(path, "w");
    if (out) {
        fprintf(out, "engine=newsdb %s\n", ndb_version());
        fclose(out);
    }
    for (size_t i = 0; i < nq; i++) {
        ndb_query_free(qs[i].q);
        free(qs[i].qid);
        free(qs[i].text);
        free(qs[i].err);
        free(qs[i].lat[0]);
        free(qs[i].lat[1]);
    }
    free(qs);
    ndb_text_analyzer_free(an);
    ndb_snapshot_close(s);
    ndb_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "build") == 0)
        return bench_build(argv[2], argv[3], argv[4]);
    if (argc == 6 && strcmp(argv[1], "search") == 0)
        return bench_search(argv[2], argv[3], atoi(argv[4]), argv[5]);
    fprintf(stderr, "usage: newsdb_bench build DOCS_TSV INDEX_DIR OUT_PREFIX\n"
                    "       newsdb_bench search INDEX_DIR QUERIES REPEATS OUT_PREFIX\n");
    return 2;
}
