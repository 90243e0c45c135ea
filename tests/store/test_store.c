/* Tests of the document store (src/store): round trips, versions, outlets, torn tails,
** fault injection in sync, check, refresh, forced URL hash collisions, throughput. */
#include "common/testutil.h"
#include "index/view.h"
#include "store/store.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SEED (unsigned long long)seed0 /* goes last, matching " NDB_SEED=%llu" */

/* A generated doc with its own storage. */
typedef struct tdoc {
    char url[96], outlet[32], title[64], lang[8], source[48];
    uint8_t *raw;
    size_t raw_len;
    int64_t lead, para;
    int32_t date;
    uint32_t len;
} tdoc;

static void gen_doc(tdoc *d, uint64_t *rng, uint32_t url_pool, size_t max_raw)
{
    size_t i;
    uint64_t r = ndb_rand_next(rng);
    snprintf(d->url, sizeof d->url, "https://site%u.example/a/%u", (unsigned)(r % 7),
             (unsigned)(ndb_rand_next(rng) % url_pool));
    r = ndb_rand_next(rng);
    if (r % 5 == 0)
        d->outlet[0] = 0;
    else
        snprintf(d->outlet, sizeof d->outlet, "outlet%u.com", (unsigned)(r % 13));
    snprintf(d->title, sizeof d->title, "title %llu", (unsigned long long)ndb_rand_next(rng));
    snprintf(d->lang, sizeof d->lang, "%s", r % 3 ? "en" : "");
    snprintf(d->source, sizeof d->source, "src/%u.txt", (unsigned)(r % 1000));
    d->raw_len = (size_t)(ndb_rand_next(rng) % (max_raw + 1));
    d->raw = malloc(d->raw_len + 1);
    for (i = 0; i < d->raw_len; i++) {
        uint64_t x = ndb_rand_next(rng);
        /* half text-like, half any byte (NULs included) */
        d->raw[i] = x % 2 ? (uint8_t) "abcdefgh ijklmnop\n"[x % 18] : (uint8_t)(x >> 8);
    }
    d->lead = (int64_t)(ndb_rand_next(rng) % 2000) - 100;
    d->para = (int64_t)(ndb_rand_next(rng) % 50) - 3;
    d->date = r % 4 ? (int32_t)(ndb_rand_next(rng) % 20000) : NDB_DATE_NONE;
    d->len = (uint32_t)(ndb_rand_next(rng) % 5000);
}

static ndb_store_doc_in doc_in(const tdoc *d)
{
    ndb_store_doc_in in;
    memset(&in, 0, sizeof in);
    in.raw.p = d->raw;
    in.raw.n = d->raw_len;
    in.url.p = (const uint8_t *)d->url;
    in.url.n = strlen(d->url);
    in.outlet = d->outlet;
    in.title = d->title;
    in.lang = d->lang;
    in.source = d->source;
    in.lead_bytes = d->lead;
    in.para_declared = d->para;
    in.date = d->date;
    in.len = d->len;
    return in;
}

static void expect_doc(ndb_store *s, uint32_t id, const tdoc *d, uint64_t seed0)
{
    ndb_store_doc *g = NULL;
    ndb_err e;
    ndb_rc rc = ndb_store_get(s, id, &g, &e);
    cr_assert_eq(rc, NDB_OK, "get %u: %s NDB_SEED=%llu", id, e.msg, SEED);
    cr_assert_eq(g->id, id);
    cr_assert_str_eq(g->url, d->url, "doc %u NDB_SEED=%llu", id, SEED);
    cr_assert_str_eq(g->outlet, d->outlet);
    cr_assert_str_eq(g->title, d->title);
    cr_assert_str_eq(g->lang, d->lang);
    cr_assert_str_eq(g->source, d->source);
    cr_assert_eq(g->lead_bytes, d->lead);
    cr_assert_eq(g->para_declared, d->para);
    cr_assert_eq(g->date, d->date);
    cr_assert_eq(g->len, d->len);
    cr_assert_eq(g->raw_len, d->raw_len, "doc %u raw length NDB_SEED=%llu", id, SEED);
    cr_assert(d->raw_len == 0 || memcmp(g->raw, d->raw, d->raw_len) == 0,
              "doc %u raw bytes differ NDB_SEED=%llu", id, SEED);
    ndb_store_doc_free(g);
}

static void free_docs(tdoc *d, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(d[i].raw);
    free(d);
}

static tdoc *gen_docs(size_t n, uint64_t *rng, uint32_t url_pool, size_t max_raw)
{
    tdoc *d = calloc(n, sizeof *d);
    size_t i;
    for (i = 0; i < n; i++)
        gen_doc(&d[i], rng, url_pool, max_raw);
    return d;
}

static void append_all(ndb_store *s, const tdoc *d, size_t n, uint32_t first_id)
{
    size_t i;
    for (i = 0; i < n; i++) {
        ndb_store_doc_in in = doc_in(&d[i]);
        uint32_t id = 0;
        ndb_err e;
        ndb_rc rc;
        if (i % 2) { /* the api's path: url_latest, then append the same URL */
            uint64_t h;
            bool found;
            cr_assert_eq(ndb_store_url_latest(s, d[i].url, strlen(d[i].url), &id, &h, &found, &e),
                         NDB_OK, "%s", e.msg);
        }
        rc = ndb_store_append(s, &in, &id, &e);
        cr_assert_eq(rc, NDB_OK, "append %zu: %s", i, e.msg);
        cr_assert_eq(id, first_id + i);
    }
}

typedef struct reports {
    int n;
    char last[512];
    char all[4096];
} reports;

static void collect_report(void *ctx, int is_error, const char *msg)
{
    reports *r = ctx;
    size_t k = strlen(r->all);
    (void)is_error;
    r->n++;
    snprintf(r->last, sizeof r->last, "%s", msg);
    if (k + strlen(msg) + 2 < sizeof r->all)
        snprintf(r->all + k, sizeof r->all - k, "%s\n", msg);
}

/* --------------------------------------------------------------- round trips */

Test(store, roundtrip_many_blocks)
{
    uint64_t seed0 = ndb_test_seed(1), rng = seed0;
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st;
    ndb_err e;
    size_t n = 2500, i;
    uint64_t total_len = 0, raw = 0;
    tdoc *d = gen_docs(n, &rng, 100000, 12000);
    const ndb_col *cols;
    reports rep = {0};
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK, "%s", e.msg);
    append_all(w, d, n / 2, 0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK, "%s", e.msg);
    append_all(w, d + n / 2, n - n / 2, (uint32_t)(n / 2));
    cr_assert_eq(ndb_store_ndocs(w), n);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK, "%s", e.msg);
    ndb_store_close(w);
    for (i = 0; i < n; i++) {
        total_len += d[i].len;
        raw += d[i].raw_len;
    }
    cr_assert_eq(st.ndocs, n);
    cr_assert_eq(st.total_len, total_len);
    cr_assert_eq(st.raw_bytes, raw);
    /* ~15 MB of raw bytes in 64 KiB blocks: many blocks */
    cr_assert_gt(st.len[NDB_STORE_LOG], 40 * 64 * 1024 / 3);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, false, &r, &e), NDB_OK, "%s", e.msg);
    cols = ndb_store_cols(r);
    for (i = 0; i < n; i++) {
        uint32_t o = NDB_OUTLET_NONE;
        expect_doc(r, (uint32_t)i, &d[i], seed0);
        cr_assert_eq(cols[i].date, d[i].date);
        cr_assert_eq(cols[i].len, d[i].len);
        if (d[i].outlet[0])
            cr_assert(ndb_store_outlet_find(r, d[i].outlet, strlen(d[i].outlet), &o));
        cr_assert_eq(cols[i].outlet, o);
        /* cols.dat 1.1: flags = language id of the record's lang ("en" -> 38, "" -> 0). */
        cr_assert_eq(cols[i].flags, d[i].lang[0] ? 38u : 0u);
        cr_assert_eq(ndb_col_lang(&cols[i]), d[i].lang[0] ? 38u : 0u);
    }
    cr_assert(ndb_store_has_lang(r));
    {
        ndb_store_doc *g = NULL;
        cr_assert_eq(ndb_store_get(r, (uint32_t)n, &g, &e), NDB_ENOTFOUND);
        cr_assert_null(g);
    }
    cr_assert_eq(ndb_store_check(r, &st, collect_report, &rep, &e), NDB_OK, "%s", rep.all);
    cr_assert_eq(rep.n, 0);
    ndb_store_close(r);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

/* Blocks compressed on the store's thread (store_zq.c) make the very files of compressing
** inline ($NEWSDB_STORE_THREAD=0): several syncs, runs of blocks longer than the queue (the
** writer then compresses some itself), an article of ~1 MB (a block past the slots' kept
** size); every doc read back, and check passes. */
Test(store, background_compression_same_bytes)
{
    uint64_t seed0 = ndb_test_seed(41), rng = seed0;
    char dir[2][256];
    size_t n = 1500, i, cut[] = {0, 7, 400, 1100, 1500};
    tdoc *d = gen_docs(n, &rng, 200000, 9000);
    ndb_store_state st[2];
    free(d[500].raw); /* one big article */
    d[500].raw_len = 1u << 20;
    d[500].raw = malloc(d[500].raw_len);
    for (i = 0; i < d[500].raw_len; i++)
        d[500].raw[i] = (uint8_t)"news archive "[i % 13];
    for (int k = 0; k < 2; k++) {
        ndb_store *w = NULL;
        ndb_err e;
        cr_assert_not_null(ndb_test_tmpdir(dir[k], sizeof dir[k]));
        setenv("NEWSDB_STORE_THREAD", k == 0 ? "0" : "1", 1);
        cr_assert_eq(ndb_store_open(NULL, dir[k], NULL, true, &w, &e), NDB_OK, "%s", e.msg);
        unsetenv("NEWSDB_STORE_THREAD");
        for (size_t c = 1; c < sizeof cut / sizeof cut[0]; c++) {
            append_all(w, d + cut[c - 1], cut[c] - cut[c - 1], (uint32_t)cut[c - 1]);
            cr_assert_eq(ndb_store_sync(w, &st[k], &e), NDB_OK, "%s", e.msg);
        }
        ndb_store_close(w);
    }
    cr_assert_gt(st[0].len[NDB_STORE_LOG], 60u * 64 * 1024 / 3, "too few blocks");
    for (int f = 0; f < NDB_STORE_NFILES; f++) {
        char p[2][512];
        uint8_t *b[2];
        size_t bn[2];
        for (int k = 0; k < 2; k++) {
            FILE *fp;
            snprintf(p[k], sizeof p[k], "%s/%s", dir[k], ndb_store_file_names[f]);
            cr_assert_not_null(fp = fopen(p[k], "rb"));
            fseek(fp, 0, SEEK_END);
            bn[k] = (size_t)ftell(fp);
            rewind(fp);
            b[k] = malloc(bn[k] + 1);
            cr_assert_eq(fread(b[k], 1, bn[k], fp), bn[k]);
            fclose(fp);
        }
        cr_assert_eq(bn[0], bn[1], "%s: sizes differ", ndb_store_file_names[f]);
        /* the header's first 16 bytes name the file kind; 16-32 hold per-file ids */
        cr_assert(memcmp(b[0] + NDB_HEADER_SIZE, b[1] + NDB_HEADER_SIZE,
                         bn[0] - NDB_HEADER_SIZE) == 0,
                  "%s: bytes differ", ndb_store_file_names[f]);
        free(b[0]);
        free(b[1]);
    }
    for (int k = 0; k < 2; k++) {
        ndb_store *r = NULL;
        ndb_err e;
        cr_assert_eq(ndb_store_open(NULL, dir[k], &st[k], false, &r, &e), NDB_OK, "%s", e.msg);
        for (i = 0; i < n; i++)
            expect_doc(r, (uint32_t)i, &d[i], seed0);
        cr_assert_eq(ndb_store_check(r, &st[k], NULL, NULL, &e), NDB_OK, "%s", e.msg);
        ndb_store_close(r);
        ndb_test_rmtree(dir[k]);
    }
    free_docs(d, n);
}

Test(store, reader_needs_state)
{
    ndb_store *r = (ndb_store *)1;
    ndb_err e;
    cr_assert_eq(ndb_store_open(NULL, "/nonexistent", NULL, false, &r, &e), NDB_EINVAL);
    cr_assert_null(r);
}

Test(store, empty_archive_and_big_doc)
{
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st;
    ndb_err e;
    tdoc big;
    uint64_t seed0 = 5, rng = seed0;
    size_t i;
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK, "%s", e.msg);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK, "%s", e.msg);
    cr_assert_eq(st.ndocs, 0);
    for (i = 0; i < NDB_STORE_NFILES; i++)
        cr_assert_eq(st.len[i], 32);
    ndb_store_close(w);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, true, &w, &e), NDB_OK, "%s", e.msg);
    gen_doc(&big, &rng, 10, 0);
    free(big.raw);
    big.raw_len = 3u << 20; /* one record larger than a block */
    big.raw = malloc(big.raw_len);
    for (i = 0; i < big.raw_len; i++)
        big.raw[i] = (uint8_t)ndb_rand_next(&rng);
    append_all(w, &big, 1, 0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK, "%s", e.msg);
    ndb_store_close(w);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, false, &r, &e), NDB_OK, "%s", e.msg);
    expect_doc(r, 0, &big, seed0);
    cr_assert_eq(ndb_store_check(r, &st, NULL, NULL, &e), NDB_OK, "%s", e.msg);
    ndb_store_close(r);
    free(big.raw);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- versions, outlets */

/* Brute-force oracle: latest id of url among [0, limit). */
static int64_t oracle_latest(const tdoc *d, size_t limit, const char *url)
{
    int64_t last = -1;
    size_t i;
    for (i = 0; i < limit; i++) {
        if (strcmp(d[i].url, url) == 0)
            last = (int64_t)i;
    }
    return last;
}

static void check_versions(ndb_store *s, const tdoc *d, size_t n, uint32_t ndocs, bool writer,
                           uint64_t seed0)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int64_t want = oracle_latest(d, ndocs, d[i].url);
        uint32_t id = 0, *ids = NULL, sb = ndb_store_superseded_by(s, (uint32_t)i);
        int64_t next = -1;
        size_t j, nids = 0, k = 0;
        ndb_err e;
        bool found = ndb_store_url_find(s, d[i].url, strlen(d[i].url), ndocs, &id);
        for (j = i + 1; j < n && next < 0; j++) {
            if (strcmp(d[j].url, d[i].url) == 0)
                next = (int64_t)j;
        }
        cr_assert_eq(sb, next < 0 ? 0 : (uint32_t)next, "superseded_by(%zu) NDB_SEED=%llu", i,
                     SEED);
        if (want < 0) {
            cr_assert(!found);
            continue;
        }
        cr_assert(found, "url %s NDB_SEED=%llu", d[i].url, SEED);
        cr_assert_eq(id, (uint32_t)want, "NDB_SEED=%llu", SEED);
        cr_assert_eq(ndb_store_url_versions(s, d[i].url, strlen(d[i].url), ndocs, &ids, &nids, &e),
                     NDB_OK, "%s", e.msg);
        for (j = 0; j < ndocs; j++) {
            if (strcmp(d[j].url, d[i].url) == 0) {
                cr_assert_lt(k, nids);
                cr_assert_eq(ids[k], j);
                k++;
            }
        }
        cr_assert_eq(k, nids);
        ndb_free(ids);
        if (writer && ndocs == n) {
            uint64_t h = 0;
            cr_assert_eq(ndb_store_url_latest(s, d[i].url, strlen(d[i].url), &id, &h, &found, &e),
                         NDB_OK);
            cr_assert(found);
            cr_assert_eq(id, (uint32_t)want);
            cr_assert_eq(h, ndb_hash64(d[want].raw, d[want].raw_len));
        }
    }
}

Test(store, versions_and_superseded)
{
    uint64_t seed0 = ndb_test_seed(7), rng = seed0;
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st1, st2;
    ndb_err e;
    size_t n = 600;
    tdoc *d = gen_docs(n, &rng, 40, 300); /* few URLs: many versions */
    uint32_t *ids = NULL;
    size_t nids = 9;
    bool found = true;
    uint32_t id;
    uint64_t h;
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK, "%s", e.msg);
    append_all(w, d, 250, 0);
    cr_assert_eq(ndb_store_sync(w, &st1, &e), NDB_OK, "%s", e.msg);
    append_all(w, d + 250, n - 250, 250);
    /* writer sees appended-not-committed versions */
    check_versions(w, d, n, (uint32_t)n, true, seed0);
    cr_assert_eq(ndb_store_url_latest(w, "https://nowhere/", 16, &id, &h, &found, &e), NDB_OK);
    cr_assert(!found);
    cr_assert_eq(ndb_store_sync(w, &st2, &e), NDB_OK, "%s", e.msg);
    ndb_store_close(w);
    cr_assert_eq(ndb_store_open(NULL, dir, &st2, false, &r, &e), NDB_OK, "%s", e.msg);
    check_versions(r, d, n, (uint32_t)n, false, seed0);
    check_versions(r, d, n, 250, false, seed0); /* an older snapshot */
    check_versions(r, d, n, 17, false, seed0);
    cr_assert_eq(ndb_store_url_versions(r, "x", 1, (uint32_t)n, &ids, &nids, &e), NDB_ENOTFOUND);
    cr_assert_null(ids);
    cr_assert_eq(nids, 0);
    ndb_store_close(r);
    /* writer reopened at st2: url_latest still right, appends continue the chains */
    cr_assert_eq(ndb_store_open(NULL, dir, &st2, true, &w, &e), NDB_OK, "%s", e.msg);
    check_versions(w, d, n, (uint32_t)n, true, seed0);
    ndb_store_close(w);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

Test(store, outlet_ids)
{
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st;
    ndb_err e;
    const char *names[] = {"b.com", "a.com", "", "b.com", "c.org", "a.com", ""};
    uint32_t want[] = {0, 1, NDB_OUTLET_NONE, 0, 2, 1, NDB_OUTLET_NONE};
    size_t i;
    uint32_t o;
    const ndb_col *cols;
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK, "%s", e.msg);
    for (i = 0; i < 7; i++) {
        char url[32];
        ndb_store_doc_in in;
        uint32_t id;
        memset(&in, 0, sizeof in);
        snprintf(url, sizeof url, "u%zu", i);
        in.url.p = (const uint8_t *)url;
        in.url.n = strlen(url);
        in.outlet = names[i];
        in.date = NDB_DATE_NONE;
        cr_assert_eq(ndb_store_append(w, &in, &id, &e), NDB_OK, "%s", e.msg);
        if (i == 1) {
            cr_assert_eq(ndb_store_noutlets(w), 2);
            cr_assert(ndb_store_outlet_find(w, "a.com", 5, &o));
            cr_assert_eq(o, 1);
        }
    }
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    cr_assert_eq(st.noutlets, 3);
    ndb_store_close(w);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, false, &r, &e), NDB_OK, "%s", e.msg);
    cols = ndb_store_cols(r);
    for (i = 0; i < 7; i++)
        cr_assert_eq(cols[i].outlet, want[i], "doc %zu", i);
    cr_assert_str_eq(ndb_store_outlet_name(r, 0), "b.com");
    cr_assert_str_eq(ndb_store_outlet_name(r, 1), "a.com");
    cr_assert_str_eq(ndb_store_outlet_name(r, 2), "c.org");
    cr_assert_null(ndb_store_outlet_name(r, 3));
    cr_assert(!ndb_store_outlet_find(r, "d.net", 5, &o));
    cr_assert(ndb_store_outlet_find(r, "c.org", 5, &o));
    cr_assert_eq(o, 2);
    cr_assert_eq(ndb_store_noutlets(r), 3);
    ndb_store_close(r);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- crash recovery */

static void append_garbage(const char *dir, const char *name, uint64_t *rng)
{
    char path[512], junk[777];
    size_t i;
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (i = 0; i < sizeof junk; i++)
        junk[i] = (char)ndb_rand_next(rng);
    f = fopen(path, "ab");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
    fclose(f);
}

static long long file_size(const char *dir, const char *name)
{
    char path[512];
    FILE *f;
    long long n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fclose(f);
    return n;
}

Test(store, torn_tail_truncated)
{
    uint64_t seed0 = ndb_test_seed(11), rng = seed0;
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st, st2, st3;
    ndb_err e;
    size_t n = 400, i;
    tdoc *d = gen_docs(n, &rng, 60, 3000);
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK, "%s", e.msg);
    append_all(w, d, 200, 0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK, "%s", e.msg);
    /* uncommitted appends that reached the disk, then a "crash" */
    append_all(w, d + 200, 100, 200);
    ndb_store_close(w);
    for (i = 0; i < NDB_STORE_NFILES; i++)
        append_garbage(dir, ndb_store_file_names[i], &rng);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, true, &w, &e), NDB_OK, "%s", e.msg);
    for (i = 0; i < NDB_STORE_NFILES; i++)
        cr_assert_eq(file_size(dir, ndb_store_file_names[i]), (long long)st.len[i], "%s",
                     ndb_store_file_names[i]);
    ndb_store_committed(w, &st2);
    cr_assert_eq(memcmp(&st, &st2, sizeof st), 0);
    cr_assert_eq(ndb_store_ndocs(w), 200);
    append_all(w, d + 200, n - 200, 200);
    cr_assert_eq(ndb_store_sync(w, &st3, &e), NDB_OK, "%s", e.msg);
    ndb_store_close(w);
    cr_assert_eq(ndb_store_open(NULL, dir, &st3, false, &r, &e), NDB_OK, "%s", e.msg);
    for (i = 0; i < n; i++)
        expect_doc(r, (uint32_t)i, &d[i], seed0);
    check_versions(r, d, n, (uint32_t)n, false, seed0);
    cr_assert_eq(ndb_store_check(r, &st3, NULL, NULL, &e), NDB_OK, "%s", e.msg);
    ndb_store_close(r);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

/* Fail the Nth counted vfs op of a sync for every N; errno e. */
static void fault_sweep(int err_no, ndb_rc want, bool persistent)
{
    uint64_t seed0 = ndb_test_seed(13), rng = seed0;
    size_t n = 300, i;
    tdoc *d = gen_docs(n, &rng, 80, 2000);
    uint64_t N;
    bool done = false;
    for (N = 1; !done && N < 200; N++) {
        char dir[256];
        ndb_vfs_fault f;
        ndb_store *w = NULL, *r = NULL;
        ndb_store_state st1, st2;
        ndb_err e;
        ndb_rc rc;
        uint32_t id;
        ndb_store_doc_in in = doc_in(&d[0]);
        ndb_vfs_fault_init(&f);
        cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
        cr_assert_eq(ndb_store_open(&f.vfs, dir, NULL, true, &w, &e), NDB_OK, "%s", e.msg);
        append_all(w, d, 150, 0);
        cr_assert_eq(ndb_store_sync(w, &st1, &e), NDB_OK, "%s", e.msg);
        append_all(w, d + 150, 30, 150);
        f.count = 0;
        f.fail_at = N;
        f.fail_errno = err_no;
        f.persistent = persistent;
        f.short_write = N % 2 == 0;
        rc = ndb_store_sync(w, &st2, &e);
        if (rc == NDB_OK) {
            cr_assert_lt(f.count, N, "sync succeeded although op %llu failed",
                         (unsigned long long)N);
            cr_assert_gt(N, 5, "sync has too few counted ops");
            done = true;
        } else {
            cr_assert_eq(rc, want, "N=%llu rc=%d %s", (unsigned long long)N, rc, e.msg);
            cr_assert_eq(e.sys_errno, err_no);
            f.fail_at = 0;
            cr_assert_eq(ndb_store_sync(w, &st2, &e), NDB_EPOISONED);
            cr_assert_eq(ndb_store_append(w, &in, &id, &e), NDB_EPOISONED);
            /* committed data still readable from the poisoned writer */
            expect_doc(w, 149, &d[149], seed0);
        }
        ndb_store_close(w);
        /* reopen at the previous committed state: everything committed reads exactly */
        cr_assert_eq(ndb_store_open(NULL, dir, &st1, true, &w, &e), NDB_OK, "N=%llu %s",
                     (unsigned long long)N, e.msg);
        append_all(w, d + 150, n - 150, 150);
        cr_assert_eq(ndb_store_sync(w, &st2, &e), NDB_OK, "%s", e.msg);
        ndb_store_close(w);
        cr_assert_eq(ndb_store_open(NULL, dir, &st2, false, &r, &e), NDB_OK, "%s", e.msg);
        cr_assert_eq(ndb_store_check(r, &st2, NULL, NULL, &e), NDB_OK, "N=%llu %s",
                     (unsigned long long)N, e.msg);
        for (i = 0; i < n; i += (N % 7) + 1)
            expect_doc(r, (uint32_t)i, &d[i], seed0);
        ndb_store_close(r);
        ndb_test_rmtree(dir);
    }
    cr_assert(done, "sync never succeeded");
    free_docs(d, n);
}

Test(store, fault_sync_eio)
{
    fault_sweep(EIO, NDB_EIO, false);
}

Test(store, fault_sync_enospc_persistent)
{
    fault_sweep(ENOSPC, NDB_ENOSPC, true);
}

Test(store, fault_in_append_poisons)
{
    uint64_t seed0 = 17, rng = seed0;
    char dir[256];
    ndb_vfs_fault f;
    ndb_store *w = NULL;
    ndb_store_state st;
    ndb_err e;
    ndb_rc rc = NDB_OK;
    size_t i;
    uint32_t id;
    tdoc *d = gen_docs(100, &rng, 1000, 8000);
    ndb_vfs_fault_init(&f);
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(&f.vfs, dir, NULL, true, &w, &e), NDB_OK);
    f.count = 0;
    f.fail_at = 1; /* the first block write */
    for (i = 0; i < 100 && rc == NDB_OK; i++) {
        ndb_store_doc_in in = doc_in(&d[i]);
        rc = ndb_store_append(w, &in, &id, &e);
    }
    /* A sealed block is written once compressed, by a later append or by the sync at the
    ** latest (store_zq.c): the failure surfaces at one of them, then the store is poisoned. */
    if (rc == NDB_OK)
        rc = ndb_store_sync(w, &st, &e);
    cr_assert_eq(rc, NDB_EIO, "%s", e.msg);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_EPOISONED);
    cr_assert_eq(ndb_store_append(w, &(ndb_store_doc_in){0}, &id, &e), NDB_EPOISONED);
    ndb_store_close(w);
    free_docs(d, 100);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- check */

static void flip_byte(const char *dir, const char *name, long long off)
{
    char path[512];
    int fd;
    uint8_t b;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pread(fd, &b, 1, off), 1);
    b ^= 0x20;
    cr_assert_eq(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

Test(store, check_detects_flips)
{
    uint64_t seed0 = ndb_test_seed(19), rng = seed0;
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st;
    ndb_err e;
    size_t n = 300, i, trial;
    tdoc *d = gen_docs(n, &rng, 100, 4000);
    reports rep = {0};
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK);
    append_all(w, d, n, 0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    ndb_store_close(w);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, false, &r, &e), NDB_OK, "%s", e.msg);
    cr_assert_eq(ndb_store_check(r, &st, collect_report, &rep, &e), NDB_OK, "%s", rep.all);
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        for (trial = 0; trial < 6; trial++) {
            /* header, then body bytes */
            long long off = trial == 0 ? (long long)(ndb_rand_next(&rng) % 12)
                                       : 32 + (long long)(ndb_rand_next(&rng) % (st.len[i] - 32));
            memset(&rep, 0, sizeof rep);
            flip_byte(dir, ndb_store_file_names[i], off);
            cr_assert_eq(ndb_store_check(r, &st, collect_report, &rep, &e), NDB_ECORRUPT,
                         "%s flipped at %lld not detected NDB_SEED=%llu", ndb_store_file_names[i],
                         off, (unsigned long long)seed0);
            cr_assert(strstr(rep.all, ndb_store_file_names[i]) != NULL,
                      "report does not name %s: %s", ndb_store_file_names[i], rep.all);
            flip_byte(dir, ndb_store_file_names[i], off);
        }
    }
    memset(&rep, 0, sizeof rep);
    cr_assert_eq(ndb_store_check(r, &st, collect_report, &rep, &e), NDB_OK, "%s", rep.all);
    /* a state that claims more than the files hold */
    st.len[NDB_STORE_LOG] += 100;
    cr_assert_eq(ndb_store_check(r, &st, collect_report, &rep, &e), NDB_ECORRUPT);
    ndb_store_close(r);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- refresh */

Test(store, reader_refresh)
{
    uint64_t seed0 = ndb_test_seed(23), rng = seed0;
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st1, st2;
    ndb_err e;
    size_t n = 500, i;
    tdoc *d = gen_docs(n, &rng, 50, 1500);
    const ndb_col *cols;
    ndb_store_doc *g = NULL;
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK);
    append_all(w, d, 200, 0);
    cr_assert_eq(ndb_store_sync(w, &st1, &e), NDB_OK);
    cr_assert_eq(ndb_store_open(NULL, dir, &st1, false, &r, &e), NDB_OK, "%s", e.msg);
    cols = ndb_store_cols(r);
    append_all(w, d + 200, n - 200, 200);
    /* the reader does not see appended or synced-but-not-refreshed docs */
    cr_assert_eq(ndb_store_get(r, 250, &g, &e), NDB_ENOTFOUND);
    cr_assert_eq(ndb_store_sync(w, &st2, &e), NDB_OK);
    cr_assert_eq(ndb_store_ndocs(r), 200);
    cr_assert_eq(ndb_store_refresh(r, &st2, &e), NDB_OK, "%s", e.msg);
    cr_assert_eq(ndb_store_ndocs(r), n);
    cr_assert_eq(ndb_store_cols(r), cols, "cols pointer moved");
    for (i = 0; i < n; i++) {
        expect_doc(r, (uint32_t)i, &d[i], seed0);
        cr_assert_eq(cols[i].len, d[i].len);
    }
    check_versions(r, d, n, (uint32_t)n, false, seed0);
    cr_assert_eq(ndb_store_refresh(r, &st1, &e), NDB_EINVAL);
    cr_assert_eq(ndb_store_refresh(r, &st2, &e), NDB_OK);
    ndb_store_close(r);
    ndb_store_close(w);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- URL hash collisions */

static uint64_t colliding_hash(const void *p, size_t n, uint32_t round)
{
    (void)p;
    (void)n;
    if (round < 2)
        return 0x4242424242424242ull; /* every URL collides in rounds 0 and 1 */
    return ndb_hash64(p, n) + round;
}

Test(store, url_hash_collision_does_not_merge)
{
    uint64_t seed0 = 29, rng = seed0;
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st;
    ndb_err e;
    size_t n = 40;
    tdoc *d = gen_docs(n, &rng, 12, 500);
    reports rep = {0};
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK);
    ndb_store_set_url_hash(w, colliding_hash);
    append_all(w, d, 20, 0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    append_all(w, d + 20, n - 20, 20);
    check_versions(w, d, n, (uint32_t)n, true, seed0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    ndb_store_close(w);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, false, &r, &e), NDB_OK);
    ndb_store_set_url_hash(r, colliding_hash);
    check_versions(r, d, n, (uint32_t)n, false, seed0);
    {
        uint32_t id;
        cr_assert(!ndb_store_url_find(r, "https://other/", 14, (uint32_t)n, &id));
    }
    cr_assert_eq(ndb_store_check(r, &st, collect_report, &rep, &e), NDB_OK, "%s", rep.all);
    ndb_store_close(r);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- throughput */

static void throughput(int level)
{
    uint64_t rng = 31;
    char dir[256];
    ndb_store *w = NULL;
    ndb_store_state st;
    ndb_err e;
    static const char *words[] = {"the ",      "government ", "said ",  "on ",    "Tuesday ",
                                  "that ",     "prices ",     "rose ",  "by ",    "percent ",
                                  "minister ", "election ",   "court ", "city ",  "report ",
                                  "people ",   "would ",      "new ",   "year. ", "\n"};
    size_t ndocs = 6000, i, j, total = 0;
    char *raw = malloc(8192);
    uint64_t t0, t1;
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK);
    ndb_store_set_zstd_level(w, level);
    t0 = ndb_now_ns();
    for (i = 0; i < ndocs; i++) {
        char url[64];
        size_t k = 0, want = 2000 + (size_t)(ndb_rand_next(&rng) % 4000);
        ndb_store_doc_in in;
        uint32_t id;
        while (k < want) {
            const char *w0 = words[ndb_rand_next(&rng) % 20];
            for (j = 0; w0[j] && k < want; j++)
                raw[k++] = w0[j];
        }
        snprintf(url, sizeof url, "https://news.example/%zu", i);
        memset(&in, 0, sizeof in);
        in.raw.p = (const uint8_t *)raw;
        in.raw.n = k;
        in.url.p = (const uint8_t *)url;
        in.url.n = strlen(url);
        in.outlet = "news.example";
        in.date = 19000;
        in.len = (uint32_t)(k / 6);
        cr_assert_eq(ndb_store_append(w, &in, &id, &e), NDB_OK);
        total += k;
        if (i % 2000 == 1999)
            cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    }
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    t1 = ndb_now_ns();
    fprintf(stderr,
            "store throughput (zstd level %d): %zu docs, %.1f MB raw -> %.1f MB docs.log, "
            "%.0f MB/s append+sync\n",
            level, ndocs, (double)total / 1e6, (double)st.len[NDB_STORE_LOG] / 1e6,
            (double)total / 1e6 / ((double)(t1 - t0) / 1e9));
    ndb_store_close(w);
    free(raw);
    ndb_test_rmtree(dir);
}

Test(store, throughput_report)
{
    throughput(1);
    throughput(3);
}

/* --------------------------------------------------------------- OOM */

Test(store, oom_append_and_open)
{
    uint64_t seed0 = ndb_test_seed(37), rng = seed0;
    char dir[256];
    ndb_store *w = NULL, *r = NULL;
    ndb_store_state st;
    ndb_err e;
    size_t n = 120, i;
    uint64_t N;
    tdoc *d = gen_docs(n, &rng, 30, 20000);
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK);
    append_all(w, d, 40, 0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    /* every append under failing allocation N = 1, 2, ... until it succeeds */
    for (i = 40; i < n; i++) {
        ndb_store_doc_in in = doc_in(&d[i]);
        uint32_t id = 0;
        ndb_rc rc = NDB_ENOMEM;
        for (N = 1; rc == NDB_ENOMEM; N++) {
            ndb_alloc_fail_at(N, true);
            rc = ndb_store_append(w, &in, &id, &e);
            ndb_alloc_fail_at(0, false);
            if (rc == NDB_ENOMEM)
                cr_assert_eq(ndb_store_ndocs(w), i, "failed append changed the store");
        }
        cr_assert_eq(rc, NDB_OK, "%s", e.msg);
        cr_assert_eq(id, i);
    }
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    ndb_store_close(w);
    /* open under failing allocation */
    for (N = 1;; N++) {
        ndb_rc rc;
        ndb_alloc_fail_at(N, true);
        rc = ndb_store_open(NULL, dir, &st, false, &r, &e);
        ndb_alloc_fail_at(0, false);
        if (rc == NDB_OK)
            break;
        cr_assert_eq(rc, NDB_ENOMEM, "N=%llu: %s", (unsigned long long)N, e.msg);
        cr_assert_null(r);
    }
    for (i = 0; i < n; i++)
        expect_doc(r, (uint32_t)i, &d[i], seed0);
    check_versions(r, d, n, (uint32_t)n, false, seed0);
    cr_assert_eq(ndb_store_check(r, &st, NULL, NULL, &e), NDB_OK, "%s", e.msg);
    ndb_store_close(r);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- threads */

#include <pthread.h>
#include <stdatomic.h>

typedef struct tctx {
    ndb_store *r;
    const tdoc *d;
    size_t n;
    atomic_uint visible; /* docs the reader store has been refreshed to */
    atomic_int stop;
    atomic_int bad;
} tctx;

static void *reader_thread(void *arg)
{
    tctx *c = arg;
    uint64_t rng = 99;
    while (!atomic_load(&c->stop)) {
        uint32_t vis = atomic_load(&c->visible), id, want;
        ndb_store_doc *g = NULL;
        size_t i;
        if (vis == 0)
            continue;
        i = (size_t)(ndb_rand_next(&rng) % vis);
        if (ndb_store_get(c->r, (uint32_t)i, &g, NULL) != NDB_OK || g->raw_len != c->d[i].raw_len ||
            strcmp(g->url, c->d[i].url) != 0)
            atomic_fetch_add(&c->bad, 1);
        ndb_store_doc_free(g);
        want = (uint32_t)oracle_latest(c->d, vis, c->d[i].url);
        if (!ndb_store_url_find(c->r, c->d[i].url, strlen(c->d[i].url), vis, &id) || id != want)
            atomic_fetch_add(&c->bad, 1);
        id = ndb_store_superseded_by(c->r, (uint32_t)i);
        if (id != 0 && id <= i)
            atomic_fetch_add(&c->bad, 1);
        if (ndb_store_cols(c->r)[i].len != c->d[i].len)
            atomic_fetch_add(&c->bad, 1);
    }
    return NULL;
}

Test(store, concurrent_readers_during_refresh)
{
    uint64_t seed0 = ndb_test_seed(41), rng = seed0;
    char dir[256];
    ndb_store *w = NULL;
    ndb_store_state st;
    ndb_err e;
    size_t n = 1200, i;
    tdoc *d = gen_docs(n, &rng, 150, 2000);
    pthread_t th[4];
    tctx c;
    memset(&c, 0, sizeof c);
    c.d = d;
    c.n = n;
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK);
    append_all(w, d, 100, 0);
    cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
    cr_assert_eq(ndb_store_open(NULL, dir, &st, false, &c.r, &e), NDB_OK, "%s", e.msg);
    atomic_store(&c.visible, 100);
    for (i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, reader_thread, &c);
    for (i = 100; i < n; i += 100) {
        append_all(w, d + i, 100, (uint32_t)i);
        cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
        cr_assert_eq(ndb_store_refresh(c.r, &st, &e), NDB_OK, "%s", e.msg);
        atomic_store(&c.visible, (unsigned)(i + 100));
    }
    atomic_store(&c.stop, 1);
    for (i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(atomic_load(&c.bad), 0, "%d bad reads NDB_SEED=%llu", atomic_load(&c.bad),
                 (unsigned long long)seed0);
    ndb_store_close(c.r);
    ndb_store_close(w);
    free_docs(d, n);
    ndb_test_rmtree(dir);
}

/* --------------------------------------------------------------- real-corpus throughput */

#include <archive.h>
#include <archive_entry.h>

/* Append+sync throughput over a real corpus (not asserted; prints one line per level). */
static void corpus_throughput(const char *tgz, int level)
{
    struct archive *a = archive_read_new();
    struct archive_entry *ent;
    char dir[256];
    ndb_store *w = NULL;
    ndb_store_state st;
    ndb_err e;
    size_t cap = 1 << 20, total = 0, ndocs = 0;
    uint8_t *buf = malloc(cap);
    uint64_t t = 0;
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    cr_assert_eq(archive_read_open_filename(a, tgz, 1 << 16), ARCHIVE_OK);
    cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
    cr_assert_eq(ndb_store_open(NULL, dir, NULL, true, &w, &e), NDB_OK);
    ndb_store_set_zstd_level(w, level);
    while (archive_read_next_header(a, &ent) == ARCHIVE_OK && total < (40u << 20)) {
        const char *name = archive_entry_pathname(ent);
        la_ssize_t k;
        size_t n = 0;
        ndb_store_doc_in in;
        uint32_t id;
        uint64_t t0;
        while ((k = archive_read_data(a, buf + n, cap - n)) > 0) {
            n += (size_t)k;
            if (n == cap)
                buf = realloc(buf, cap *= 2);
        }
        memset(&in, 0, sizeof in);
        in.raw.p = buf;
        in.raw.n = n;
        in.url.p = (const uint8_t *)name;
        in.url.n = strlen(name);
        in.outlet = "corpus.example";
        in.date = NDB_DATE_NONE;
        in.len = (uint32_t)(n / 6);
        t0 = ndb_now_ns();
        cr_assert_eq(ndb_store_append(w, &in, &id, &e), NDB_OK, "%s", e.msg);
        if (++ndocs % 5000 == 0)
            cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
        t += ndb_now_ns() - t0;
        total += n;
    }
    {
        uint64_t t0 = ndb_now_ns();
        cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_OK);
        t += ndb_now_ns() - t0;
    }
    fprintf(stderr,
            "store throughput on %s (zstd level %d): %zu docs, %.1f MB -> docs.log %.1f MB "
            "(%.2fx), %.0f MB/s append+sync\n",
            strrchr(tgz, '/') + 1, level, ndocs, (double)total / 1e6,
            (double)st.len[NDB_STORE_LOG] / 1e6,
            (double)total / (double)NDB_MAX(st.len[NDB_STORE_LOG], 1),
            (double)total / 1e6 / ((double)t / 1e9));
    archive_read_free(a);
    ndb_store_close(w);
    free(buf);
    ndb_test_rmtree(dir);
}

Test(store, throughput_real_corpus)
{
    const char *c = ndb_test_corpora();
    char path[4200];
    if (!c)
        cr_skip_test("shared corpora not found (NEWSDB_SHARED or ../shared/corpora)");
    snprintf(path, sizeof path, "%s/allsides.tar.gz", c);
    if (access(path, R_OK) != 0)
        cr_skip_test("%s not found", path);
    corpus_throughput(path, 1);
    corpus_throughput(path, 3);
}

/* The first sync of a new archive (which also fsyncs the directory) under every fault. */
Test(store, fault_first_sync)
{
    uint64_t seed0 = 43, rng = seed0;
    tdoc *d = gen_docs(3, &rng, 10, 100);
    uint64_t N;
    bool done = false;
    for (N = 1; !done && N < 50; N++) {
        char dir[256];
        ndb_vfs_fault f;
        ndb_store *w = NULL;
        ndb_store_state st;
        ndb_err e;
        ndb_rc rc;
        ndb_vfs_fault_init(&f);
        cr_assert_not_null(ndb_test_tmpdir(dir, sizeof dir));
        cr_assert_eq(ndb_store_open(&f.vfs, dir, NULL, true, &w, &e), NDB_OK, "%s", e.msg);
        append_all(w, d, 3, 0);
        f.count = 0;
        f.fail_at = N;
        rc = ndb_store_sync(w, &st, &e);
        if (rc == NDB_OK) {
            cr_assert_gt(N, 6, "fewer counted ops than 5 file fsyncs + dir fsync");
            done = true;
        } else {
            cr_assert_eq(rc, NDB_EIO, "N=%llu: %s", (unsigned long long)N, e.msg);
            cr_assert_eq(ndb_store_sync(w, &st, &e), NDB_EPOISONED);
        }
        ndb_store_close(w);
        ndb_test_rmtree(dir);
    }
    cr_assert(done);
    free_docs(d, 3);
}
