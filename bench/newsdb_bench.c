/*
** newsdb_bench.c — newsdb's driver for the shared side-by-side benchmark harness
** (../shared/bench, README §4 "adapter contract"); bench/adapter.sh calls it.
**
**   newsdb_bench build  DOCS_TSV INDEX_DIR OUT_PREFIX
**   newsdb_bench search INDEX_DIR QUERIES REPEATS OUT_PREFIX
**
** build: one archive in INDEX_DIR from docs.tsv (docid name url outlet date body). Each row
** becomes a native article "url\n0\n1\nbody\n" (the body as ONE paragraph: the peers index
** docs.tsv's body as one string, so a phrase may span the harness's joined paragraphs for
** them and must for us too). The row's outlet (URL host without www.) and date (YYYYMMDD,
** 0 = undated) are stored verbatim through api_writer_add_verbatim (src/api/api.h):
** ndb_writer_add_native would normalize the outlet to its registrable domain and derive
** the date from the URL with newsdb's own rules, which need not be the harness's. Ids are
** dense in add order, so newsdb id == docid; the driver fails if a row does not get its
** docid (a duplicate URL+body would). One commit, then optimize to one segment (the peers
** are asked for their most query-efficient single index too). OUT_PREFIX.stats.part gets
** index_bytes = segment files + the filter columns (cols.dat, outlets.dat); the stored
** article bytes (docs.log, docs.idx, urls.dat) are reported apart as store_bytes.
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

#include <dirent.h>
#include <errno.h>
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

static int bench_is_index(const char *n)
{
    return strncmp(n, "seg-", 4) == 0 || strcmp(n, "cols.dat") == 0 ||
           strcmp(n, "outlets.dat") == 0;
}

static int bench_is_store(const char *n)
{
    return strcmp(n, "docs.log") == 0 || strcmp(n, "docs.idx") == 0 || strcmp(n, "urls.dat") == 0;
}

static int bench_build(const char *tsv, const char *dir, const char *prefix)
{
    ndb_options opt = {.create = 1, .stemmer = bench_stemmer()};
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    ndb_err e;
    FILE *in = fopen(tsv, "r");
    char *line = NULL, *art = NULL;
    size_t cap = 0, acap = 0;
    ssize_t len;
    uint64_t rows = 0, updated = 0;
    double t0 = bench_now_us();
    if (!in) {
        fprintf(stderr, "newsdb_bench: %s: %s\n", tsv, strerror(errno));
        return 1;
    }
    mkdir(dir, 0755);
    if (ndb_open(dir, &opt, &db, &e) != NDB_OK)
        bench_die(dir, &e);
    if (ndb_writer_open(db, &w, &e) != NDB_OK)
        bench_die("writer", &e);
    while ((len = getline(&line, &cap, in)) > 0) {
        char *f[6];
        api_fixed_fields fx;
        ndb_add_result res;
        size_t need, n;
        long docid;
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (bench_split(line, f, 6) != 6) {
            fprintf(stderr, "newsdb_bench: %s: row %llu has not 6 columns\n", tsv,
                    (unsigned long long)rows);
            return 1;
        }
        docid = strtol(f[0], NULL, 10);
        fx.outlet = f[3];
        fx.date = NDB_DATE_NONE;
        if (strcmp(f[4], "0") != 0 && !ndb_date_parse(f[4], strlen(f[4]), &fx.date)) {
            fprintf(stderr, "newsdb_bench: row %ld: bad date %s\n", docid, f[4]);
            return 1;
        }
        need = strlen(f[2]) + strlen(f[5]) + 16;
        if (need > acap) {
            acap = need * 2;
            art = realloc(art, acap);
            if (!art)
                return 1;
        }
        n = (size_t)snprintf(art, acap, "%s\n0\n1\n%s\n", f[2], f[5]);
        if (api_writer_add_verbatim(w, f[1], art, n, &fx, &res, &e) != NDB_OK)
            bench_die(f[1], &e);
        if (res.status == NDB_UPDATED)
            updated++;
        if (res.status == NDB_DUPLICATE || (long)res.id != docid) {
            fprintf(stderr, "newsdb_bench: row %ld (%s) got id %u (%s)\n", docid, f[1], res.id,
                    res.status == NDB_DUPLICATE ? "duplicate" : "id mismatch");
            return 1;
        }
        rows++;
    }
    fclose(in);
    free(line);
    free(art);
    if (ndb_writer_optimize(w, &e) != NDB_OK)
        bench_die("optimize", &e);
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
                "index_bytes=%llu\nstore_bytes=%llu\nengine=newsdb %s (%s stemmer)\n"
                "build_s=%.2f\nrows=%llu\nupdated_urls=%llu\n",
                (unsigned long long)bench_dir_bytes(dir, bench_is_index),
                (unsigned long long)bench_dir_bytes(dir, bench_is_store), ndb_version(),
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
                if (q->err)
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
