/*
** test_tabular.c — JSONL and CSV input (src/doc/tabular.c) through ndb_ingest.
**
** Oracle: an archive built from the test corpus with titles, languages and tricky text is
** exported with ndb_doc_format (JSON lines and CSV rows, the formats `newsdb get` writes),
** ingested again with format jsonl / csv into fresh archives, and every article must come
** back with the same URL, paragraphs, title, date, outlet and language. Then bad input of
** every kind: each bad record gives one "FILE:LINE: what" report and the rest is added.
*/
#include "common/corpus.h"
#include "common/testutil.h"
#include "doc/items.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define TAB_N 240

typedef struct reports {
    int n;
    char msg[64][NDB_ERR_MSG_MAX];
} reports;

static void on_report(void *ctx, int is_error, const char *msg)
{
    reports *r = ctx;
    (void)is_error;
    if (r->n < 64)
        snprintf(r->msg[r->n], NDB_ERR_MSG_MAX, "%s", msg);
    r->n++;
}

static bool has_report(const reports *r, const char *needle)
{
    for (int i = 0; i < r->n && i < 64; i++)
        if (strstr(r->msg[i], needle))
            return true;
    return false;
}

static void put(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(s, 1, n, f), n);
    fclose(f);
}

static ndb_rc ingest_fmt(ndb_db *db, const char *path, const char *fmt, reports *r,
                         ndb_ingest_stats *st, ndb_err *err)
{
    ndb_writer *w = NULL;
    ndb_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.format = fmt;
    o.report = on_report;
    o.ctx = r;
    cr_assert_eq(ndb_writer_open(db, &w, err), NDB_OK);
    ndb_rc rc = ndb_ingest(w, path, &o, st, err);
    ndb_writer_close(w);
    return rc;
}

static int collect_id(void *ctx, uint32_t id)
{
    uint32_t **pp = ctx;
    *(*pp)++ = id;
    return 0;
}

/* Archive A: the corpus with titles (commas, quotes, newlines), languages, and a few
** articles whose paragraphs hold CRLF lines and spaces-only lines. */
static void build_source(ndb_db *db)
{
    ndb_writer *w = NULL;
    ndb_err err;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (uint32_t i = 0; i < TAB_N; i++) {
        tc_doc d = tc_make_doc(7, i, 0, 400);
        char title[128], lang[8];
        ndb_meta m;
        ndb_add_result res;
        memset(&m, 0, sizeof m);
        snprintf(title, sizeof title, "Title %u, \"quoted\"%s é", i, i % 3 ? "" : "\nsecond line");
        snprintf(lang, sizeof lang, "%s", i % 2 ? "en" : "de");
        m.title = i % 11 ? title : NULL;
        m.lang = lang;
        if (i % 13 == 0) { /* a multi-line paragraph with CRLF and a spaces-only line */
            char buf[512];
            int k = snprintf(buf, sizeof buf,
                             "http://crlf.example.org/2019/03/04/a%u\n9\n2\nfirst\r\n  \r\nline "
                             "two\n\nsecond, \"para\"\n",
                             i);
            cr_assert_eq(ndb_writer_add_native(w, "x", buf, (size_t)k, &m, 0, &res, &err),
                         NDB_OK, "%s", err.msg);
        } else {
            cr_assert_eq(ndb_writer_add_native(w, "x", d.bytes, d.n, &m, 0, &res, &err), NDB_OK,
                         "%s", err.msg);
        }
        tc_doc_free(&d);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
}

static void export_all(ndb_db *db, const char *jsonl, const char *csv)
{
    ndb_snapshot *s = NULL;
    ndb_err err;
    uint32_t ids[TAB_N + 8], *p = ids;
    FILE *fj = fopen(jsonl, "wb"), *fc = fopen(csv, "wb");
    cr_assert(fj && fc);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    for (uint32_t id = 0; id < TAB_N; id++) /* ids are dense, in add order */
        collect_id(&p, id);
    fputs(ndb_doc_csv_header(), fc);
    for (uint32_t *q = ids; q < p; q++) {
        ndb_doc *d = NULL;
        char *out;
        size_t n;
        cr_assert_eq(ndb_get(s, *q, &d, &err), NDB_OK);
        cr_assert_eq(ndb_doc_format(d, NDB_FMT_JSON, &out, &n), NDB_OK);
        fwrite(out, 1, n, fj);
        fputc('\n', fj);
        ndb_free_mem(out);
        cr_assert_eq(ndb_doc_format(d, NDB_FMT_CSV, &out, &n), NDB_OK);
        fwrite(out, 1, n, fc);
        ndb_free_mem(out);
        ndb_doc_free(d);
    }
    fclose(fj);
    fclose(fc);
    ndb_snapshot_close(s);
}

/* Every live article of a must be in b with the same fields and paragraphs. */
static void compare(ndb_db *a, ndb_db *b)
{
    ndb_snapshot *sa = NULL, *sb = NULL;
    ndb_err err;
    ndb_stats st;
    cr_assert_eq(ndb_snapshot_open(a, &sa, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_open(b, &sb, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_stats(sb, &st, &err), NDB_OK);
    cr_assert_eq(st.articles, TAB_N);
    for (uint32_t id = 0; id < TAB_N; id++) {
        ndb_doc *x = NULL, *y = NULL;
        cr_assert_eq(ndb_get(sa, id, &x, &err), NDB_OK);
        cr_assert_eq(ndb_get_url(sb, x->url, &y, &err), NDB_OK, "%s", x->url);
        cr_expect_str_eq(y->title, x->title, "%s", x->url);
        cr_expect_str_eq(y->lang, x->lang);
        cr_expect_str_eq(y->outlet, x->outlet);
        cr_expect_eq(y->date, x->date, "%s", x->url);
        cr_assert_eq(y->n_paras, x->n_paras, "%s", x->url);
        for (uint32_t i = 0; i < x->n_paras; i++) {
            cr_assert_eq(y->paras[i].n, x->paras[i].n, "%s para %u", x->url, i);
            cr_assert(memcmp(y->paras[i].p, x->paras[i].p, x->paras[i].n) == 0);
        }
        ndb_doc_free(x);
        ndb_doc_free(y);
    }
    ndb_snapshot_close(sa);
    ndb_snapshot_close(sb);
}

Test(tabular, export_import_round_trip)
{
    char ta[512], tb[512], tc[512], jsonl[600], csv[600];
    ndb_db *a = ndb_test_new_archive(ta, sizeof ta);
    ndb_db *b = ndb_test_new_archive(tb, sizeof tb);
    ndb_db *c = ndb_test_new_archive(tc, sizeof tc);
    ndb_ingest_stats st;
    ndb_err err;
    reports r = {0};
    build_source(a);
    snprintf(jsonl, sizeof jsonl, "%s.x.jsonl", ta);
    snprintf(csv, sizeof csv, "%s.x.csv", ta);
    export_all(a, jsonl, csv);
    /* by file name (auto) for JSONL, explicit for CSV */
    cr_assert_eq(ingest_fmt(b, jsonl, NULL, &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(r.n, 0, "%s", r.msg[0]);
    cr_expect_eq(st.added, TAB_N);
    cr_assert_eq(ingest_fmt(c, csv, "csv", &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(r.n, 0, "%s", r.msg[0]);
    cr_expect_eq(st.added, TAB_N);
    compare(a, b);
    compare(a, c);
    /* the same file again: every article is a duplicate */
    cr_assert_eq(ingest_fmt(c, csv, "csv", &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(st.duplicates, TAB_N);
    remove(jsonl);
    remove(csv);
    ndb_close(a);
    ndb_close(b);
    ndb_close(c);
    ndb_test_remove_archive(ta);
    ndb_test_remove_archive(tb);
    ndb_test_remove_archive(tc);
}

Test(tabular, text_to_paragraphs)
{
    ndb_buf b;
    const char *why = NULL;
    const char *t = "\r\n\none\ntwo  \r\n\r\n\r\n  three\r\n\n";
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    cr_assert_eq(ndb_doc_native_from_text("u:x", 3, t, strlen(t), &b, &why), NDB_OK);
    cr_expect_eq(b.n, strlen("u:x\n10\n2\none\ntwo  \n\n  three\n"));
    cr_expect(memcmp(b.p, "u:x\n10\n2\none\ntwo  \n\n  three\n", b.n) == 0, "%.*s", (int)b.n,
              b.p);
    cr_expect_eq(ndb_doc_native_from_text("u:x", 3, "\n \r\n", 4, &b, &why), NDB_OK);
    cr_expect_eq(ndb_doc_native_from_text("u:x", 3, "\n\r\n", 3, &b, &why), NDB_EPARSE);
    cr_expect_str_eq(why, "text is empty");
    cr_expect_eq(ndb_doc_native_from_text("u x", 3, "a", 1, &b, &why), NDB_EPARSE);
    cr_expect_eq(ndb_doc_native_from_text("", 0, "a", 1, &b, &why), NDB_EPARSE);
    ndb_buf_fini(&b);
}

Test(tabular, jsonl_bad_lines)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_ingest_stats st;
    ndb_err err;
    reports r = {0};
    const char *s =
        "{\"url\":\"http://a.example.com/2020/01/02/ok1\",\"text\":\"one\\n\\ntwo\",\"title\":"
        "\"T1\",\"date\":\"2021-05-06T10:00:00Z\",\"lang\":\"en\",\"extra\":[1,2]}\n"
        "not json\n"                                                          /* 2 */
        "[1,2]\n"                                                             /* 3 */
        "{\"text\":\"no url\"}\n"                                             /* 4 */
        "{\"url\":\"http://x.com/a b\",\"text\":\"t\"}\n"                     /* 5 */
        "{\"url\":\"http://x.com/c\"}\n"                                      /* 6 */
        "{\"url\":\"http://x.com/d\",\"text\":\"t\",\"date\":\"2021-02-30\"}\n" /* 7 */
        "{\"url\":\"http://x.com/e\",\"text\":\"\\n\\n\"}\n"                  /* 8 */
        "{\"url\":\"http://x.com/f\",\"text\":7}\n"                           /* 9 */
        "\n   \n"                                                             /* 10-11 blank */
        "{\"url\":\"http://x.com/g\",\"paragraphs\":[\"p1\",\"\"]}\n"         /* 12 */
        "{\"url\":\"http://x.com/h\",\"paragraphs\":[\"p1\",\"p2\"],\"outlet\":\"www.bbc.co.uk\"}\n"
        "{\"url\":\"http://b.example.com/x\",\"text\":\"tail\"}"; /* 14, no final newline */
    snprintf(path, sizeof path, "%s.in.jsonl", t);
    put(path, s, strlen(s));
    cr_assert_eq(ingest_fmt(db, path, "jsonl", &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(st.added, 3);
    cr_expect_eq(st.skipped, 9);
    cr_expect_eq(r.n, 9);
    for (int line = 2; line <= 12; line++) {
        char needle[700];
        if (line == 10 || line == 11)
            continue;
        snprintf(needle, sizeof needle, "%s:%d: ", path, line);
        cr_expect(has_report(&r, needle), "no report for line %d", line);
    }
    cr_expect(has_report(&r, "not JSON"));
    cr_expect(has_report(&r, "no url"));
    cr_expect(has_report(&r, "date is not"));

    ndb_snapshot *s2 = NULL;
    ndb_doc *d = NULL;
    char date[16];
    cr_assert_eq(ndb_snapshot_open(db, &s2, &err), NDB_OK);
    cr_assert_eq(ndb_get_url(s2, "http://a.example.com/2020/01/02/ok1", &d, &err), NDB_OK);
    cr_expect_str_eq(d->title, "T1");
    cr_expect_str_eq(d->lang, "en");
    ndb_date_format(d->date, date, sizeof date);
    cr_expect_str_eq(date, "2021-05-06"); /* the field wins over the URL's date */
    cr_expect_eq(d->n_paras, 2);
    char src[700];
    snprintf(src, sizeof src, "%s:1", path);
    cr_expect_str_eq(d->source, src);
    ndb_doc_free(d);
    cr_assert_eq(ndb_get_url(s2, "http://x.com/h", &d, &err), NDB_OK);
    cr_expect_str_eq(d->outlet, "bbc.co.uk");
    cr_expect_eq(d->n_paras, 2);
    ndb_doc_free(d);
    cr_assert_eq(ndb_get_url(s2, "http://b.example.com/x", &d, &err), NDB_OK);
    ndb_doc_free(d);
    uint64_t c = 0;
    cr_assert_eq(ndb_count(s2, "tail", &c, &err), NDB_OK);
    cr_expect_eq(c, 1);
    ndb_snapshot_close(s2);
    remove(path);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

Test(tabular, csv_quirks_and_bad_rows)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_ingest_stats st;
    ndb_err err;
    reports r = {0};
    const char *s = "\xef\xbb\xbf" "Headline, Link ,Body,Date,unused\r\n"          /* 1 */
                    "\"A, \"\"quoted\"\"\",http://c.example.com/1,\"p1\r\n\r\np2\",,z\r\n" /* 2-4 */
                    "\r\n"                                                   /* 5: empty */
                    "B,http://c.example.com/2,text,2020-13-01,z\n"           /* 6 bad date */
                    "C,http://c.example.com/3,\"x\"y,,z\n"                   /* 7 junk */
                    "D,http://c.example.com/4,only four\n"                   /* 8 count */
                    "E,http://c.example.com/5,a\"b,,z\n"                     /* 9 stray quote */
                    "F,http://c.example.com/6,\"multi\nline\n\nfield\",2016-10-11,z\n" /* 10-13 */
                    "G,http://c.example.com/7,\"never closed,,z\n";          /* 14 */
    snprintf(path, sizeof path, "%s.in.csv", t);
    put(path, s, strlen(s));
    cr_assert_eq(ingest_fmt(db, path, NULL, &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(st.added, 2);
    cr_expect_eq(st.skipped, 5);
    char needle[700];
    int bad[] = {6, 7, 8, 9, 14};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(needle, sizeof needle, "%s:%d: ", path, bad[i]);
        cr_expect(has_report(&r, needle), "no report for line %d", bad[i]);
    }
    cr_expect(has_report(&r, "not closed"));
    cr_expect(has_report(&r, "3 fields, the header has 5"));

    ndb_snapshot *s2 = NULL;
    ndb_doc *d = NULL;
    char date[16];
    cr_assert_eq(ndb_snapshot_open(db, &s2, &err), NDB_OK);
    cr_assert_eq(ndb_get_url(s2, "http://c.example.com/1", &d, &err), NDB_OK);
    cr_expect_str_eq(d->title, "A, \"quoted\"");
    cr_expect_eq(d->n_paras, 2);
    cr_expect_eq(d->date, NDB_DATE_NONE);
    ndb_doc_free(d);
    cr_assert_eq(ndb_get_url(s2, "http://c.example.com/6", &d, &err), NDB_OK);
    cr_expect_eq(d->n_paras, 2);
    cr_expect_eq(d->paras[0].n, strlen("multi\nline"));
    ndb_date_format(d->date, date, sizeof date);
    cr_expect_str_eq(date, "2016-10-11");
    snprintf(needle, sizeof needle, "%s:10", path);
    cr_expect_str_eq(d->source, needle);
    ndb_doc_free(d);
    ndb_snapshot_close(s2);
    remove(path);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

Test(tabular, csv_dates_written_out)
{
    /* spreadsheets and scrapers write dates in many ways: the unambiguous ones are read,
    ** an all-numeric day/month order is refused (that row only) */
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_ingest_stats st;
    ndb_err err;
    reports r = {0};
    const char *s = "url,title,date,text\n"
                    "http://d.example.com/1,A,\"Nov 19, 2019\",text one\n"
                    "http://d.example.com/2,B,\"Tue, 19 Nov 2019 10:00:00 GMT\",text two\n"
                    "http://d.example.com/3,C,19 November 2019,text three\n"
                    "http://d.example.com/4,D,2019/11/19,text four\n"
                    "http://d.example.com/5,E,2019-11-19 10:00,text five\n"
                    "http://d.example.com/6,F,11/19/2019,text six\n"    /* 7: ambiguous */
                    "http://d.example.com/7,G,\"Feb 30, 2019\",text seven\n"; /* 8: no such day */
    snprintf(path, sizeof path, "%s.dates.csv", t);
    put(path, s, strlen(s));
    cr_assert_eq(ingest_fmt(db, path, NULL, &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(st.added, 5);
    cr_expect_eq(st.skipped, 2);
    char needle[700];
    snprintf(needle, sizeof needle, "%s:7: date is not", path);
    cr_expect(has_report(&r, needle));
    snprintf(needle, sizeof needle, "%s:8: date is not", path);
    cr_expect(has_report(&r, needle));
    ndb_snapshot *s2 = NULL;
    cr_assert_eq(ndb_snapshot_open(db, &s2, &err), NDB_OK);
    for (int i = 1; i <= 5; i++) {
        ndb_doc *d = NULL;
        char url[64], date[16];
        snprintf(url, sizeof url, "http://d.example.com/%d", i);
        cr_assert_eq(ndb_get_url(s2, url, &d, &err), NDB_OK, "%s", url);
        ndb_date_format(d->date, date, sizeof date);
        cr_expect_str_eq(date, "2019-11-19", "%s", url);
        ndb_doc_free(d);
    }
    ndb_snapshot_close(s2);
    remove(path);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

Test(tabular, csv_header_required_and_strict)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_ingest_stats st;
    ndb_err err;
    reports r = {0};
    snprintf(path, sizeof path, "%s.in.csv", t);
    put(path, "title,text\nx,y\n", 15);
    cr_expect_eq(ingest_fmt(db, path, "csv", &r, &st, &err), NDB_EPARSE);
    cr_expect(strstr(err.msg, "no url column") != NULL, "%s", err.msg);
    put(path, "", 0);
    cr_expect_eq(ingest_fmt(db, path, "csv", &r, &st, &err), NDB_EPARSE);
    cr_expect(strstr(err.msg, ":1: empty file") != NULL, "%s", err.msg);
    /* strict: the first bad row fails the call and nothing is committed */
    const char *s = "url,text\nhttp://s.com/1,a\nhttp://s.com/2,\nhttp://s.com/3,c\n";
    put(path, s, strlen(s));
    {
        ndb_writer *w = NULL;
        ndb_ingest_opts o;
        memset(&o, 0, sizeof o);
        o.format = "csv";
        o.strict = 1;
        o.report = on_report;
        o.ctx = &r;
        cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
        cr_expect_eq(ndb_ingest(w, path, &o, &st, &err), NDB_EPARSE);
        cr_expect(strstr(err.msg, ":3: text is empty") != NULL, "%s", err.msg);
        ndb_writer_close(w);
        ndb_snapshot *sn = NULL;
        ndb_stats ss;
        cr_assert_eq(ndb_snapshot_open(db, &sn, &err), NDB_OK);
        cr_assert_eq(ndb_snapshot_stats(sn, &ss, &err), NDB_OK);
        cr_expect_eq(ss.articles, 0);
        ndb_snapshot_close(sn);
    }
    /* unknown format name */
    cr_expect_eq(ingest_fmt(db, path, "xml", &r, &st, &err), NDB_EINVAL);
    remove(path);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

Test(tabular, gzip_and_truncated_gzip)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_ingest_stats st;
    ndb_err err;
    reports r = {0};
    snprintf(path, sizeof path, "%s.in.jsonl.gz", t);
    gzFile g = gzopen(path, "wb");
    cr_assert_not_null(g);
    for (int i = 0; i < 2000; i++)
        gzprintf(g, "{\"url\":\"http://gz.example.com/%d\",\"text\":\"word%d filler filler\"}\n",
                 i, i);
    gzclose(g);
    cr_assert_eq(ingest_fmt(db, path, NULL, &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(st.added, 2000);
    /* cut the compressed file in half: what decompressed before is kept, then an error */
    FILE *f = fopen(path, "rb");
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    put(path, buf, n / 2);
    char t2[512];
    ndb_db *db2 = ndb_test_new_archive(t2, sizeof t2);
    ndb_rc rc = ingest_fmt(db2, path, "jsonl", &r, &st, &err);
    cr_expect(rc == NDB_ECORRUPT || rc == NDB_EPARSE, "rc %d %s", rc, err.msg);
    cr_expect(strstr(err.msg, path) != NULL, "%s", err.msg);
    remove(path);
    ndb_close(db);
    ndb_close(db2);
    ndb_test_remove_archive(t);
    ndb_test_remove_archive(t2);
}

Test(tabular, long_line_is_one_error)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_ingest_stats st;
    ndb_err err;
    reports r = {0};
    size_t big = NDB_DOC_MAX_BYTES + 100;
    char *s = malloc(big + 200);
    int k = snprintf(s, 200, "{\"url\":\"http://l.com/1\",\"text\":\"");
    memset(s + k, 'a', big);
    k += (int)big;
    k += snprintf(s + k, 200, "\"}\n{\"url\":\"http://l.com/2\",\"text\":\"b\"}\n");
    snprintf(path, sizeof path, "%s.in.jsonl", t);
    put(path, s, (size_t)k);
    free(s);
    cr_assert_eq(ingest_fmt(db, path, NULL, &r, &st, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(st.added, 1);
    cr_expect_eq(st.skipped, 1);
    cr_expect(has_report(&r, ":1: line longer than"), "%s", r.msg[0]);
    remove(path);
    ndb_close(db);
    ndb_test_remove_archive(t);
}
