/*
** test_meta.c — side files (src/doc/meta.c): bad lines reported and skipped, lookup by url
** then file (with "./" stripping), first line wins, unmatched report, and the real allsides
** meta (20k lines) loads fast and matches its own tar member names.
*/
#include "doc/doc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct reports {
    char all[8192];
    size_t used;
    int errors, warnings;
} reports;

static void report_fn(void *ctx, int is_error, const char *msg)
{
    reports *r = ctx;
    if (is_error) {
        r->errors++;
    } else {
        r->warnings++;
    }
    int w = snprintf(r->all + r->used, sizeof r->all - r->used, "%s\n", msg);
    if (w > 0 && (size_t)w < sizeof r->all - r->used) {
        r->used += (size_t)w;
    }
}

static const char *meta_text =
    "{\"file\": \"bbc/a.txt\", \"url\": \"urn:bbc:a\", \"title\": \"A\", \"date\": null}\n"
    "not json\n"
    "[1, 2]\n"
    "{\"file\": \"bbc/b.txt\", \"date\": \"2016-02-30\"}\n"
    "{\"file\": \"bbc/c.txt\", \"title\": 7}\n"
    "\n"
    "{\"file\": \"./bbc/d.txt\", \"url\": \"http://www.bbc.co.uk/d\", \"outlet\": \"bbc.co.uk\", "
    "\"date\": \"2016-10-11\", \"title\": \"D\", \"lang\": \"en\", \"extra\": [1]}\r\n"
    "{\"file\": \"bbc/e.txt\", \"url\": \"urn:bbc:a\", \"title\": \"E (same url as A)\"}\n"
    "{\"file\": \"bbc/f.txt\", \"title\": \"F\"}\n"
    "{\"url\": \"http://nowhere.example/x\"}";

static char meta_path[256];

static void write_meta(void)
{
    snprintf(meta_path, sizeof meta_path, "/tmp/ndb_meta_XXXXXX");
    int fd = mkstemp(meta_path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, meta_text, strlen(meta_text)), (ssize_t)strlen(meta_text));
    close(fd);
}

Test(doc, meta_load_and_find)
{
    reports r;
    memset(&r, 0, sizeof r);
    ndb_doc_meta *m = NULL;
    ndb_err err;
    write_meta();
    cr_assert_eq(ndb_doc_meta_load(meta_path, report_fn, &r, &m, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(r.errors, 4, "%s", r.all);
    char want[2048];
    snprintf(want, sizeof want,
             "%s:2: not JSON", meta_path);
    cr_expect(strstr(r.all, want) != NULL, "%s", r.all);
    snprintf(want, sizeof want, "%s:3: not a JSON object\n%s:4: field \"date\" is not a "
             "YYYY-MM-DD date\n%s:5: field \"title\" is neither a string nor null\n",
             meta_path, meta_path, meta_path);
    cr_expect(strstr(r.all, want) != NULL, "%s", r.all);
    cr_expect_eq(ndb_doc_meta_lines(m), 5);

    /* by url */
    const ndb_meta *x = ndb_doc_meta_find(m, "http://www.bbc.co.uk/d", 22, "whatever");
    cr_assert_not_null(x);
    cr_expect_str_eq(x->title, "D");
    cr_expect_str_eq(x->outlet, "bbc.co.uk");
    cr_expect_str_eq(x->date, "2016-10-11");
    cr_expect_str_eq(x->lang, "en");
    /* url only looks at url_len bytes */
    x = ndb_doc_meta_find(m, "urn:bbc:aXYZ", 9, NULL);
    cr_assert_not_null(x);
    cr_expect_str_eq(x->title, "A"); /* first line wins over E */
    cr_expect_null(x->date);
    cr_expect_null(x->outlet);
    /* unknown url: falls back to file, with and without ./ on either side */
    x = ndb_doc_meta_find(m, "http://other/", 13, "./bbc/f.txt");
    cr_assert_not_null(x);
    cr_expect_str_eq(x->title, "F");
    x = ndb_doc_meta_find(m, NULL, 0, "bbc/d.txt");
    cr_assert_not_null(x);
    cr_expect_str_eq(x->title, "D");
    cr_expect_null(ndb_doc_meta_find(m, "nope", 4, "bbc/zzz.txt"));
    cr_expect_null(ndb_doc_meta_find(m, NULL, 0, NULL));

    /* unmatched: E (its url is A's, its file never asked) and the nowhere line */
    memset(&r, 0, sizeof r);
    cr_expect_eq(ndb_doc_meta_report_unmatched(m, report_fn, &r), 2);
    cr_expect_eq(r.warnings, 2);
    snprintf(want, sizeof want, "%s:8: no article with url urn:bbc:a or file bbc/e.txt\n"
             "%s:10: no article with url http://nowhere.example/x or file (none)\n",
             meta_path, meta_path);
    cr_expect_str_eq(r.all, want);
    ndb_doc_meta_free(m);
    ndb_doc_meta_free(NULL);
    unlink(meta_path);

    cr_expect_eq(ndb_doc_meta_load("/nonexistent.jsonl", NULL, NULL, &m, &err), NDB_ENOTFOUND);
    cr_expect_null(m);
}

Test(doc, meta_oom)
{
    write_meta();
    for (uint64_t k = 1; k < 200; k++) {
        ndb_doc_meta *m = NULL;
        ndb_alloc_fail_at(k, true);
        ndb_rc rc = ndb_doc_meta_load(meta_path, NULL, NULL, &m, NULL);
        ndb_alloc_fail_at(0, false);
        if (rc == NDB_OK) {
            cr_expect_eq(ndb_doc_meta_lines(m), 5);
            ndb_doc_meta_free(m);
            unlink(meta_path);
            return;
        }
        cr_expect_eq(rc, NDB_ENOMEM, "k=%llu rc=%d", (unsigned long long)k, rc);
        cr_expect_null(m);
    }
    unlink(meta_path);
    cr_assert_fail("never succeeded");
}

Test(doc, meta_allsides)
{
    char path[512];
    const char *shared = getenv("NEWSDB_SHARED");
    snprintf(path, sizeof path, "%s/corpora/allsides.meta.jsonl",
             shared != NULL ? shared : "../shared");
    if (access(path, R_OK) != 0) {
        cr_skip("%s absent (set NEWSDB_SHARED): corpus check skipped", path);
        return;
    }
    reports r;
    memset(&r, 0, sizeof r);
    ndb_doc_meta *m = NULL;
    ndb_err err;
    uint64_t t0 = ndb_now_ns();
    cr_assert_eq(ndb_doc_meta_load(path, report_fn, &r, &m, &err), NDB_OK, "%s", err.msg);
    uint64_t t1 = ndb_now_ns();
    cr_log_info("allsides meta: %llu lines in %.3f s", (unsigned long long)ndb_doc_meta_lines(m),
                (double)(t1 - t0) / 1e9);
    cr_expect_eq(r.errors, 0, "%s", r.all);
    cr_expect_eq(ndb_doc_meta_lines(m), 20000);
    const ndb_meta *x = ndb_doc_meta_find(m, NULL, 0, "./allsides/00FTGIZEd6B8zQ4U.txt");
    cr_assert_not_null(x);
    cr_expect_str_eq(x->date, "2014-05-06");
    cr_expect_str_eq(x->outlet, "npr.org");
    cr_expect(strncmp(x->title, "Poll: Prestigious Colleges", 26) == 0);
    ndb_doc_meta_free(m);
}
