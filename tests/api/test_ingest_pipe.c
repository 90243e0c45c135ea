/*
** ndb_ingest reading and analyzing on a second thread (api/ingest_pipe.c) builds the same
** archive as on one thread: every file byte for byte (but the random 16-byte file id of
** each header and the checksums covering it; manifests are compared field by field, all
** but their time), the same stats, the same report lines in the same order, the same
** progress calls. Inputs mix new, updated and duplicate articles, bad records, a side file
** giving languages (so per-language stemming is exercised) and titles, a JSONL source
** (the format's own fields), and several commits with merges. A real corpus with its side
** file (../shared/corpora/basil) too, when present. Threaded runs hand the writer
** articles to analyze as it finds the reader behind, never, and nearly always.
*/
#include "api/api.h"
#include "common/corpus.h"
#include "common/testutil.h"
#include "index/manifest.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

typedef struct ip_log {
    char *text; /* every report and progress call, one line each */
    size_t n, cap;
} ip_log;

static void ip_append(ip_log *l, const char *s)
{
    size_t k = strlen(s);
    if (l->n + k + 2 > l->cap) {
        l->cap = (l->n + k + 2) * 2;
        l->text = realloc(l->text, l->cap);
        cr_assert(l->text);
    }
    memcpy(l->text + l->n, s, k);
    l->n += k;
    l->text[l->n++] = '\n';
    l->text[l->n] = '\0';
}

static void ip_report(void *ctx, int is_error, const char *msg)
{
    char line[NDB_ERR_MSG_MAX + 16];
    snprintf(line, sizeof line, "%s %s", is_error ? "E" : "W", msg);
    ip_append(ctx, line);
}

static void ip_progress(void *ctx, uint64_t seen, uint64_t bytes)
{
    char line[64];
    snprintf(line, sizeof line, "P %llu %llu", (unsigned long long)seen,
             (unsigned long long)bytes);
    ip_append(ctx, line);
}

static uint8_t *ip_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long k;
    cr_assert(f, "%s", path);
    fseek(f, 0, SEEK_END);
    k = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)k + 1);
    cr_assert(p && fread(p, 1, (size_t)k, f) == (size_t)k);
    fclose(f);
    *n = (size_t)k;
    return p;
}

static void ip_same_manifest(const char *name, const uint8_t *a, size_t an, const uint8_t *b,
                             size_t bn)
{
    ndb_manifest ma, mb;
    ndb_err err;
    ndb_manifest_init(&ma);
    ndb_manifest_init(&mb);
    cr_assert_eq(ndb_manifest_decode(a, an, name, &ma, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_manifest_decode(b, bn, name, &mb, &err), NDB_OK, "%s", err.msg);
    cr_assert(ma.gen == mb.gen && ma.stemmer == mb.stemmer && ma.langstem == mb.langstem &&
                  ma.next_seg == mb.next_seg && ma.nsegs == mb.nsegs,
              "%s", name);
    cr_assert(ma.store.ndocs == mb.store.ndocs && ma.store.noutlets == mb.store.noutlets &&
                  ma.store.total_len == mb.store.total_len &&
                  ma.store.raw_bytes == mb.store.raw_bytes &&
                  memcmp(ma.store.len, mb.store.len, sizeof ma.store.len) == 0,
              "%s: store state", name);
    for (size_t i = 0; i < ma.nsegs; i++)
        cr_assert(strcmp(ma.segs[i].name, mb.segs[i].name) == 0 &&
                      ma.segs[i].base == mb.segs[i].base &&
                      ma.segs[i].ndocs == mb.segs[i].ndocs &&
                      ma.segs[i].bytes == mb.segs[i].bytes &&
                      ma.segs[i].level == mb.segs[i].level,
                  "%s: segment %zu", name, i);
    ndb_manifest_fini(&ma);
    ndb_manifest_fini(&mb);
}

/* Every file of d1 is in d2 with the same bytes (file ids and the CRCs over them aside). */
static size_t ip_same_dir(const char *d1, const char *d2)
{
    DIR *d = opendir(d1);
    struct dirent *e;
    size_t files = 0, n2 = 0;
    cr_assert(d);
    while ((e = readdir(d)) != NULL) {
        char p1[600], p2[600];
        size_t an, bn;
        if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0)
            continue;
        snprintf(p1, sizeof p1, "%s/%s", d1, e->d_name);
        snprintf(p2, sizeof p2, "%s/%s", d2, e->d_name);
        uint8_t *a = ip_slurp(p1, &an), *b = ip_slurp(p2, &bn);
        files++;
        if (strncmp(e->d_name, "MANIFEST-", 9) == 0) {
            ip_same_manifest(e->d_name, a, an, b, bn);
        } else {
            cr_assert_eq(an, bn, "%s: %zu vs %zu bytes", e->d_name, an, bn);
            bool framed = an >= 32 && ndb_get_u32le(a) == NDB_FILE_MAGIC;
            bool footer = framed && an >= 44 && ndb_get_u32le(a + an - 12) == NDB_FOOTER_MAGIC;
            for (size_t i = 0; i < an; i++) {
                bool id = framed && i >= 16 && i < 32, crc = footer && i >= an - 4;
                cr_assert(a[i] == b[i] || id || crc, "%s: byte %zu differs", e->d_name, i);
            }
        }
        free(a);
        free(b);
    }
    closedir(d);
    d = opendir(d2);
    while ((e = readdir(d)) != NULL)
        n2 += e->d_name[0] != '.' && strcmp(e->d_name, "LOCK") != 0;
    closedir(d);
    cr_assert_eq(files, n2, "%s has %zu files, %s %zu", d1, files, d2, n2);
    return files;
}

/* Ingest paths into a new archive with `threads`; its dir in db[cap]. */
static void ip_ingest(char *db, size_t cap, const char *const *paths, size_t npaths,
                      const char *meta, uint32_t commit_every, int threads, ndb_ingest_stats *st,
                      ip_log *log)
{
    ndb_db *h = ndb_test_new_archive(db, cap);
    ndb_writer *w;
    ndb_err err;
    ndb_ingest_opts o = {.meta_path = meta,
                         .commit_every = commit_every,
                         .report = ip_report,
                         .progress = ip_progress,
                         .ctx = log,
                         .threads = threads};
    cr_assert_eq(ndb_writer_open(h, &w, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_ingest_paths(w, paths, npaths, &o, st, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_writer_optimize(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    ndb_close(h);
}

static void ip_compare(const char *const *paths, size_t npaths, const char *meta,
                       uint32_t commit_every, uint64_t min_added)
{
    char d1[512], d2[512];
    ndb_ingest_stats s1, s2;
    ip_log l1 = {0}, l2 = {0};
    /* threaded: the writer analyzing when the reader falls behind (default), never (0),
    ** or nearly always (64: whenever fewer than 64 slots are ready) */
    const char *low[] = {NULL, "0", "64"};
    ip_ingest(d1, sizeof d1, paths, npaths, meta, commit_every, 1, &s1, &l1);
    cr_assert_geq(s1.added, min_added);
    for (size_t k = 0; k < sizeof low / sizeof low[0]; k++) {
        if (low[k])
            setenv("NEWSDB_PIPE_LOW", low[k], 1);
        ip_ingest(d2, sizeof d2, paths, npaths, meta, commit_every, 2, &s2, &l2);
        unsetenv("NEWSDB_PIPE_LOW");
        cr_assert(memcmp(&s1, &s2, sizeof s1) == 0, "stats differ: added %llu vs %llu",
                  (unsigned long long)s1.added, (unsigned long long)s2.added);
        cr_assert(l1.text && l2.text && strcmp(l1.text, l2.text) == 0,
                  "reports differ:\n%s\n--\n%s", l1.text ? l1.text : "", l2.text ? l2.text : "");
        cr_assert_geq(ip_same_dir(d1, d2), 8);
        free(l2.text);
        l2 = (ip_log){0};
        ndb_test_remove_archive(d2);
    }
    free(l1.text);
    ndb_test_remove_archive(d1);
}

Test(ingest_pipe, two_threads_build_the_same_archive, .timeout = 120)
{
    char tmp[512], dir[600], meta[600], jsonl[600];
    const char *langs[] = {"de", "fr", "es", "en", "nl"};
    FILE *mf, *jf;
    ndb_test_tmpdir(tmp, sizeof tmp);
    snprintf(dir, sizeof dir, "%s/in", tmp);
    snprintf(meta, sizeof meta, "%s/side.jsonl", tmp);
    snprintf(jsonl, sizeof jsonl, "%s/more.jsonl", tmp);
    cr_assert_eq(mkdir(dir, 0755), 0);
    mf = fopen(meta, "w");
    jf = fopen(jsonl, "w");
    cr_assert(mf && jf);
    for (uint32_t i = 0; i < 600; i++) {
        /* every 9th a new version of an earlier URL, every 13th an exact copy */
        uint32_t src = i % 9 == 8 ? i / 2 : i, ver = i % 9 == 8 ? 1 : 0;
        tc_doc d = tc_make_doc(11, i % 13 == 12 ? i - 1 : src, i % 13 == 12 ? 0 : ver, 400);
        char name[64];
        snprintf(name, sizeof name, "a%04u.txt", i);
        if (i % 37 == 5) /* a bad record: invalid UTF-8 in the body */
            d.bytes[d.n - 3] = (char)0xff;
        if (i % 41 == 7) /* a bad record: no body at all */
            d.n = strlen(d.url) + 1;
        cr_assert_eq(tc_write_file(dir, name, d.bytes, d.n), 0);
        if (i % 3 == 0)
            fprintf(mf, "{\"file\": \"%s\", \"lang\": \"%s\", \"title\": \"Title %u\"}\n", name,
                    langs[i % 5], i);
        if (i % 4 == 1 && i % 37 != 5 && i % 41 != 7) {
            const char *body = strchr(strchr(strchr(d.bytes, '\n') + 1, '\n') + 1, '\n') + 1;
            fprintf(jf, "{\"url\": \"%s/j\", \"title\": \"J %u\", \"lang\": \"%s\", \"text\": \"",
                    d.url, i, langs[(i / 4) % 5]);
            for (const char *p = body; *p; p++)
                fputs(*p == '\n' ? "\\n" : *p == '"' ? "\\\"" : (char[2]){*p, 0}, jf);
            fputs("\"}\n", jf);
        }
        tc_doc_free(&d);
    }
    fclose(mf);
    fclose(jf);
    const char *paths[] = {dir, jsonl};
    ip_compare(paths, 2, meta, 53, 500);
    ndb_test_rmtree(tmp);
}

Test(ingest_pipe, real_corpus_with_side_file, .timeout = 120)
{
    const char *corpora = ndb_test_corpora();
    char tar[600], meta[600];
    struct stat st;
    if (!corpora)
        cr_skip_test("../shared/corpora is absent: the real-corpus comparison is skipped");
    snprintf(tar, sizeof tar, "%s/basil.tar.gz", corpora);
    snprintf(meta, sizeof meta, "%s/basil.meta.jsonl", corpora);
    if (stat(tar, &st) != 0 || stat(meta, &st) != 0)
        cr_skip_test("%s: basil.tar.gz or its side file is absent: skipped", corpora);
    const char *paths[] = {tar};
    ip_compare(paths, 1, meta, 120, 200);
}
