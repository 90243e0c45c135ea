/*
** Compatibility fixtures (STYLE.md, "Compatibility fixtures"): tests/compat/archive-v1/ is a
** small archive written by the format-1 code (every store file, a manifest, two segments:
** 12 articles in two commits, one URL with two versions). It must be read forever:
** a format change bumps the file's version and adds a new fixture next to this one.
**
** The test reads a copy and checks: `check` passes; every article's bytes equal the
** deterministic generator's (tests/common/corpus.c); versions and liveness; the query counts
** recorded in EXPECTED when the fixture was made. Then every file of the copy gets bit flips
** and truncations: check must report corruption (or the damage must be harmless), and
** nothing may crash.
**
** To rebuild the fixture (only when adding a new format version, into a NEW directory):
**     NDB_MAKE_FIXTURE=tests/compat/archive-vN build/tests/compat/test_compat --filter compat/make
*/
#include "api/api.h"
#include "common/corpus.h"
#include "common/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define COMPAT_SEED 77
#define COMPAT_DOCS 11 /* + one new version of doc 3 */

static const char *const compat_queries[] = {
    "election", "vote OR war", "\"prime minister\"", "pre*", "outlet:outlet1.co.uk",
    "date:2016-01..2016-06", "peace -oil", "NOT market",
};

/* Article k of the fixture: docs 0..10, then doc 3 again as version 1. */
static tc_doc compat_doc(uint32_t k)
{
    return k < COMPAT_DOCS ? tc_make_doc(COMPAT_SEED, k, 0, 0)
                           : tc_make_doc(COMPAT_SEED, 3, 1, 0);
}

Test(compat, make)
{
    const char *out = getenv("NDB_MAKE_FIXTURE");
    ndb_options o = {.create = 1};
    ndb_db *db;
    ndb_writer *w;
    ndb_snapshot *s;
    ndb_err err;
    char path[600];
    if (!out)
        cr_skip_test("fixture writer: runs only with NDB_MAKE_FIXTURE=DIR");
    cr_assert_eq(ndb_open(out, &o, &db, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    for (uint32_t k = 0; k <= COMPAT_DOCS; k++) {
        tc_doc d = compat_doc(k);
        ndb_add_result r;
        cr_assert_eq(ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &r, &err), NDB_OK);
        tc_doc_free(&d);
        if (k == 5)
            cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    snprintf(path, sizeof path, "%s/EXPECTED", out);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (size_t q = 0; q < sizeof compat_queries / sizeof *compat_queries; q++) {
        uint64_t c;
        cr_assert_eq(ndb_count(s, compat_queries[q], &c, &err), NDB_OK, "%s", err.msg);
        fprintf(f, "%llu\t%s\n", (unsigned long long)c, compat_queries[q]);
    }
    fclose(f);
    ndb_snapshot_close(s);
    ndb_close(db);
    snprintf(path, sizeof path, "%s/LOCK", out);
    remove(path);
    /* Keep only the newest manifest: the fallback one adds nothing to a fixture. */
    snprintf(path, sizeof path, "%s/MANIFEST-0000000000000002", out);
    remove(path);
}

/* Copy the fixture into a fresh temp dir; returns the archive path. */
static const char *compat_copy(char *tmp, size_t cap, char *dst, size_t dcap)
{
    char cmd[2048];
    struct stat st;
    if (stat("tests/compat/archive-v1/EXPECTED", &st) != 0)
        cr_skip_test("tests/compat/archive-v1 not found (run from the repository root)");
    cr_assert_not_null(ndb_test_tmpdir(tmp, cap));
    snprintf(dst, dcap, "%s/archive", tmp);
    snprintf(cmd, sizeof cmd, "cp -r tests/compat/archive-v1 '%s'", dst);
    cr_assert_eq(system(cmd), 0);
    return dst;
}

Test(compat, archive_v1_reads_forever)
{
    char tmp[256], dir[512], line[512];
    ndb_db *db;
    ndb_snapshot *s;
    ndb_err err;
    compat_copy(tmp, sizeof tmp, dir, sizeof dir);
    cr_assert_eq(ndb_open(dir, NULL, &db, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    ndb_stats st;
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    cr_assert_eq(st.versions, COMPAT_DOCS + 1);
    cr_assert_eq(st.articles, COMPAT_DOCS);
    cr_assert_eq(st.segments, 2);
    for (uint32_t k = 0; k <= COMPAT_DOCS; k++) {
        tc_doc d = compat_doc(k);
        ndb_doc *got;
        cr_assert_eq(ndb_get(s, k, &got, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(got->raw.n, d.n, "doc %u", k);
        cr_assert(memcmp(got->raw.p, d.bytes, d.n) == 0, "doc %u bytes", k);
        cr_assert_str_eq(got->url, d.url);
        cr_assert_eq(got->live, k != 3, "doc %u live", k);
        cr_assert_eq(got->version, k == COMPAT_DOCS ? 2u : 1u);
        ndb_doc_free(got);
        tc_doc_free(&d);
    }
    FILE *f = fopen("tests/compat/archive-v1/EXPECTED", "r");
    cr_assert_not_null(f);
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        uint64_t c;
        cr_assert_not_null(tab);
        *tab = 0;
        tab[strcspn(tab + 1, "\n") + 1] = 0;
        cr_assert_eq(ndb_count(s, tab + 1, &c, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(c, strtoull(line, NULL, 10), "query [%s]", tab + 1);
        n++;
    }
    fclose(f);
    cr_assert_eq(n, (int)(sizeof compat_queries / sizeof *compat_queries));
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_rmtree(tmp);
}

/* Open + check + a search on a damaged copy: any answer but a crash; returns check's rc. */
static ndb_rc compat_probe(const char *dir)
{
    ndb_db *db = NULL;
    ndb_snapshot *s = NULL;
    ndb_err err;
    ndb_rc rc = ndb_open(dir, NULL, &db, &err);
    if (rc != NDB_OK)
        return rc;
    rc = ndb_check(db, NULL, NULL, &err);
    if (ndb_snapshot_open(db, &s, &err) == NDB_OK) {
        ndb_results *r = NULL;
        ndb_search_opts o = {.limit = 5, .snippets = 1};
        if (ndb_search(s, "election OR \"prime minister\" OR pre*", &o, &r, &err) == NDB_OK)
            ndb_results_free(r);
        ndb_snapshot_close(s);
    }
    ndb_close(db);
    return rc;
}

Test(compat, damaged_copies_never_crash, .timeout = 300)
{
    char tmp[256], dir[512], path[1024];
    uint64_t seed = ndb_test_seed(5);
    compat_copy(tmp, sizeof tmp, dir, sizeof dir);
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0, caught = 0, flips = 0;
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "EXPECTED") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r+b");
        cr_assert_not_null(f);
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        files++;
        for (int t = 0; t < 12 && size > 0; t++) {
            long off = (long)(ndb_rand_next(&seed) % (uint64_t)size);
            uint8_t bit = (uint8_t)(1u << (ndb_rand_next(&seed) % 8)), b;
            fseek(f, off, SEEK_SET);
            cr_assert_eq(fread(&b, 1, 1, f), 1);
            b ^= bit;
            fseek(f, off, SEEK_SET);
            fwrite(&b, 1, 1, f);
            fflush(f);
            flips++;
            caught += compat_probe(dir) != NDB_OK;
            b ^= bit;
            fseek(f, off, SEEK_SET);
            fwrite(&b, 1, 1, f);
            fflush(f);
        }
        fclose(f);
        cr_assert_eq(compat_probe(dir), NDB_OK, "%s: restored copy no longer checks", e->d_name);
        /* truncation by a few bytes is always caught */
        cr_assert_eq(truncate(path, size - 3), 0);
        cr_assert_neq(compat_probe(dir), NDB_OK, "%s truncated by 3 bytes passed check",
                      e->d_name);
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "cp tests/compat/archive-v1/%s '%s'", e->d_name, path);
        cr_assert_eq(system(cmd), 0);
    }
    closedir(d);
    cr_assert_geq(files, 8);
    cr_log_info("%d flips, %d caught by open/check", flips, caught);
    cr_assert_geq(caught * 10, flips * 9, "only %d of %d bit flips were caught", caught, flips);
    ndb_test_rmtree(tmp);
}

/* cols.dat 1.0 holds no language: every article is "unknown", lang:none matches all, and a
** writer appending to such an archive keeps the file's 1.0 rule (flags 0) so check passes;
** the new article's record still carries its detected language. */
Test(compat, archive_v1_languages_unknown)
{
    char tmp[256], dir[512];
    ndb_db *db;
    ndb_snapshot *s;
    ndb_writer *w;
    ndb_add_result r;
    ndb_err err;
    uint64_t c;
    ndb_agg *a;
    const char *art = "http://www.bbc.co.uk/news/2016/10/11/lang\n80\n2\n"
                      "The minister said the new houses would be built before the elections.\n\n"
                      "Police arrested three men after the attack on the station, officials "
                      "confirmed on Tuesday.\n";
    compat_copy(tmp, sizeof tmp, dir, sizeof dir);
    cr_assert_eq(ndb_open(dir, NULL, &db, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    cr_assert_eq(ndb_count(s, "lang:none", &c, &err), NDB_OK);
    cr_assert_eq(c, COMPAT_DOCS);
    cr_assert_eq(ndb_languages(s, NULL, &a, &err), NDB_OK);
    cr_assert_eq(a->n, 1);
    cr_assert_str_eq(a->rows[0].lang, "");
    ndb_agg_free(a);
    ndb_snapshot_close(s);
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_writer_add_native(w, "lang.txt", art, strlen(art), NULL, 0, &r, &err),
                 NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    ndb_doc *d;
    cr_assert_eq(ndb_get(s, r.id, &d, &err), NDB_OK);
    cr_expect_str_eq(d->lang, "en");
    ndb_doc_free(d);
    cr_assert_eq(ndb_count(s, "lang:none", &c, &err), NDB_OK);
    cr_expect_eq(c, COMPAT_DOCS + 1);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_rmtree(tmp);
}
