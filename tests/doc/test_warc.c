/*
** test_warc.c — WARC input (src/doc/warc.c, items_html.c) and saved HTML pages in `add`.
**
**   - records built here byte by byte: which are pages, which are ignored, which are errors
**     (each naming FILE@OFFSET), resync after garbage, a truncated last record;
**   - gzip per record, and a gzip file cut in the middle (records before it are kept);
**   - HTTP bodies: chunked, gzip, a gzip bomb (stops at the limit: NDB_ELIMIT);
**   - a WARC written by the real `wget --warc-file` against a loopback server serving test
**     pages (skipped, saying so, when wget is absent), ingested and searched: every page
**     must come back with its title, date and outlet, and nothing else must.
**   - a directory of saved .html pages next to native files.
*/
#include "common/loopsrv.h"
#include "common/testutil.h"
#include "doc/items.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#define PAGE_FMT \
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>" \
    "<meta property=\"article:published_time\" content=\"%s\"></head><body>" \
    "<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article><h1>%s</h1>" \
    "<p>%s reported on Thursday that the regional council approved the new budget after a " \
    "long debate that lasted well into the night, officials said.</p>" \
    "<p>The plan includes money for schools, roads and hospitals, and critics said it did " \
    "not go far enough to address the housing shortage in the %s district.</p>" \
    "<p>A final vote is expected next month, when the council meets again to consider " \
    "amendments proposed by several members of the opposition.</p></article>" \
    "<footer>Copyright 2021</footer></body></html>"

static char *make_page(const char *title, const char *date, const char *word)
{
    size_t cap = 4096;
    char *p = malloc(cap);
    snprintf(p, cap, PAGE_FMT, title, date, title, word, word);
    return p;
}

/* Append a WARC record with the given type, uri and block. */
static void rec(FILE *f, const char *type, const char *uri, const char *ctype, const char *blk,
                size_t n)
{
    fprintf(f, "WARC/1.0\r\nWARC-Type: %s\r\n", type);
    if (uri)
        fprintf(f, "WARC-Target-URI: %s\r\n", uri);
    fprintf(f, "WARC-Date: 2019-07-08T09:10:11Z\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
            ctype, n);
    fwrite(blk, 1, n, f);
    fputs("\r\n\r\n", f);
}

static void http_rec(FILE *f, const char *uri, const char *status, const char *headers,
                     const char *body, size_t n)
{
    char *blk;
    size_t bn;
    FILE *m = open_memstream(&blk, &bn);
    fprintf(m, "HTTP/1.1 %s\r\n%s\r\n", status, headers);
    fwrite(body, 1, n, m);
    fclose(m);
    rec(f, "response", uri, "application/http; msgtype=response", blk, bn);
    free(blk);
}

typedef struct walk {
    int pages, errors;
    char uris[16][256];
    char msgs[16][NDB_ERR_MSG_MAX];
    uint64_t ignored, revisits;
    bool failed;
} walk;

static void walk_all(ndb_doc_warc *w, walk *r)
{
    ndb_doc_warc_page pg;
    ndb_err err;
    memset(r, 0, sizeof *r);
    for (int guard = 0; guard < 1000; guard++) {
        ndb_rc rc = ndb_doc_warc_next(w, &pg, &err);
        if (rc == NDB_ENOTFOUND)
            break;
        if (rc != NDB_OK) {
            if (r->errors < 16)
                snprintf(r->msgs[r->errors], NDB_ERR_MSG_MAX, "%s", err.msg);
            r->errors++;
            if (ndb_doc_warc_failed(w)) {
                r->failed = true;
                break;
            }
            continue;
        }
        if (r->pages < 16)
            snprintf(r->uris[r->pages], 256, "%s", pg.uri);
        r->pages++;
    }
    r->ignored = ndb_doc_warc_ignored(w);
    r->revisits = ndb_doc_warc_revisits(w);
}

Test(warc, records_pages_ignored_errors)
{
    char *buf;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    char *pg = make_page("Budget approved", "2021-05-06", "Reuters");
    rec(f, "warcinfo", NULL, "application/warc-fields", "software: test\r\n", 16);
    rec(f, "request", "http://a.example.com/x", "application/http; msgtype=request",
        "GET /x HTTP/1.1\r\n\r\n", 19);
    http_rec(f, "<http://a.example.com/x>", "200 OK", "Content-Type: text/html\r\n", pg,
             strlen(pg));                                                       /* page 1 */
    http_rec(f, "http://a.example.com/gone", "404 Not Found", "Content-Type: text/html\r\n",
             pg, strlen(pg));                                                   /* ignored */
    http_rec(f, "http://a.example.com/img.png", "200 OK", "Content-Type: image/png\r\n",
             "\x89PNG", 4);                                                     /* ignored */
    http_rec(f, "http://a.example.com/moved", "301 Moved",
             "Location: http://a.example.com/x\r\n", "", 0);                    /* ignored */
    rec(f, "metadata", "http://a.example.com/x", "application/warc-fields", "a: b\r\n", 6);
    /* a re-crawl of /x with the same payload: a revisit record with the HTTP headers only */
    rec(f, "revisit", "http://a.example.com/x", "application/http; msgtype=response",
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", 44);    /* revisit */
    rec(f, "resource", "http://a.example.com/res", "text/html", pg, strlen(pg)); /* page 2 */
    long bad_at = ftell(f);
    fputs("WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 12x\r\n\r\n", f); /* error */
    fputs("garbage line\r\nmore garbage\r\n", f);
    http_rec(f, "http://b.example.com/y", "200 OK", "content-type: TEXT/HTML\r\n", pg,
             strlen(pg));                                                       /* page 3 */
    long junk_at = ftell(f) + 0;
    fputs("junk between records\r\n", f); /* error, then resync */
    http_rec(f, "http://b.example.com/nohdr", "200 OK", "Content-Type: text/html", pg,
             strlen(pg)); /* no blank line after the headers: error */
    long trunc_at = ftell(f);
    fputs("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://c.example.com/z\r\n"
          "Content-Length: 5000\r\n\r\nHTTP/1.1 200 OK\r\n",
          f); /* truncated */
    fclose(f);

    ndb_doc_warc *w = NULL;
    ndb_err err;
    walk r;
    cr_assert_eq(ndb_doc_warc_open_mem("t.warc", (const uint8_t *)buf, n, &w, &err), NDB_OK);
    walk_all(w, &r);
    cr_expect_eq(r.pages, 3);
    cr_expect_str_eq(r.uris[0], "http://a.example.com/x"); /* <> dropped */
    cr_expect_str_eq(r.uris[1], "http://a.example.com/res");
    cr_expect_str_eq(r.uris[2], "http://b.example.com/y");
    cr_expect_eq(r.ignored, 6, "ignored %llu", (unsigned long long)r.ignored);
    cr_expect_eq(r.revisits, 1, "revisits %llu", (unsigned long long)r.revisits);
    cr_expect_eq(r.errors, 4, "errors %d", r.errors);
    char needle[64];
    snprintf(needle, sizeof needle, "t.warc@%ld: record without a valid Content-Length", bad_at);
    cr_expect(strstr(r.msgs[0], needle) != NULL, "%s", r.msgs[0]);
    snprintf(needle, sizeof needle, "t.warc@%ld: not a WARC record", junk_at);
    cr_expect(strstr(r.msgs[1], needle) != NULL, "%s", r.msgs[1]);
    cr_expect(strstr(r.msgs[2], "without a complete HTTP status line") != NULL, "%s", r.msgs[2]);
    snprintf(needle, sizeof needle, "t.warc@%ld: truncated record (Content-Length 5000",
             trunc_at);
    cr_expect(strstr(r.msgs[3], needle) != NULL, "%s", r.msgs[3]);
    cr_expect(!r.failed);
    ndb_doc_warc_close(w);
    free(pg);
    free(buf);
}

Test(warc, http_decoding_and_bomb)
{
    ndb_buf out;
    const char *why = NULL;
    ndb_buf_init(&out, 1 << 20);
    const char *ch = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
    cr_assert_eq(ndb_doc_http_decode((const uint8_t *)ch, strlen(ch), "chunked", NULL, &out, &why),
                 NDB_OK);
    cr_expect_eq(out.n, 12);
    cr_expect(memcmp(out.p, "hello, world", 12) == 0);
    cr_expect_eq(ndb_doc_http_decode((const uint8_t *)"5\r\nhel", 6, "chunked", NULL, &out, &why),
                 NDB_EPARSE);
    cr_expect_eq(ndb_doc_http_decode((const uint8_t *)"x", 1, NULL, "br", &out, &why), NDB_EPARSE);
    /* gzip: 32 MiB of zeros compress to ~32 KiB; the output stops at the buffer's 1 MiB max */
    size_t big = 32u << 20, cap = compressBound((uLong)big) / 100 + (1 << 20);
    uint8_t *z = malloc(cap), *zero = calloc(1, 1 << 20);
    z_stream s;
    memset(&s, 0, sizeof s);
    deflateInit2(&s, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
    s.next_out = z;
    s.avail_out = (uInt)cap;
    for (size_t i = 0; i < big >> 20; i++) {
        s.next_in = zero;
        s.avail_in = 1 << 20;
        deflate(&s, i + 1 == big >> 20 ? Z_FINISH : Z_NO_FLUSH);
    }
    size_t zn = cap - s.avail_out;
    deflateEnd(&s);
    cr_assert_lt(zn, (size_t)1 << 20);
    cr_expect_eq(ndb_doc_http_decode(z, zn, NULL, "gzip", &out, &why), NDB_ELIMIT);
    cr_expect_leq(out.n, (size_t)1 << 20);
    /* a small gzip body decodes exactly */
    ndb_buf big_out;
    ndb_buf_init(&big_out, NDB_BUF_NOMAX);
    memset(&s, 0, sizeof s);
    deflateInit2(&s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    s.next_in = (Bytef *)"gzipped body";
    s.avail_in = 12;
    s.next_out = z;
    s.avail_out = (uInt)cap;
    deflate(&s, Z_FINISH);
    zn = cap - s.avail_out;
    deflateEnd(&s);
    cr_expect_eq(ndb_doc_http_decode(z, zn, NULL, "gzip", &big_out, &why), NDB_OK);
    cr_expect_eq(big_out.n, 12);
    cr_expect_eq(ndb_doc_http_decode(z, zn / 2, NULL, "gzip", &big_out, &why), NDB_EPARSE);
    ndb_buf_fini(&big_out);
    free(z);
    free(zero);
    ndb_buf_fini(&out);
}

Test(warc, brotli_and_zstd_bodies)
{
    /* Content-Encoding br (browsers and browser-based crawlers ask for it) and zstd: exact
    ** round trips, cut bodies, bombs bounded by the buffer's max, and a WARC page */
    ndb_buf out;
    const char *why = NULL;
    ndb_buf_init(&out, 1 << 20);
    char *pg = make_page("Brotli story", "2022-03-04", "brotliword");
    size_t pn = strlen(pg), cap = pn + 1024, bn = cap;
    uint8_t *b = malloc(cap);
    cr_assert(BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, pn, (const uint8_t *)pg, &bn, b));
    cr_assert_eq(ndb_doc_http_decode(b, bn, NULL, "br", &out, &why), NDB_OK, "%s", why);
    cr_expect(out.n == pn && memcmp(out.p, pg, pn) == 0);
    cr_expect_eq(ndb_doc_http_decode(b, bn / 2, NULL, "br", &out, &why), NDB_EPARSE);
    cr_expect(strstr(why, "cut short") != NULL, "%s", why);
    size_t zn = ZSTD_compress(b, cap, pg, pn, 3);
    cr_assert(!ZSTD_isError(zn));
    cr_assert_eq(ndb_doc_http_decode(b, zn, NULL, " zstd ", &out, &why), NDB_OK, "%s", why);
    cr_expect(out.n == pn && memcmp(out.p, pg, pn) == 0);
    cr_expect_eq(ndb_doc_http_decode(b, zn - 4, NULL, "zstd", &out, &why), NDB_EPARSE);
    cr_expect_eq(ndb_doc_http_decode((const uint8_t *)"garbage!", 8, NULL, "zstd", &out, &why),
                 NDB_EPARSE);
    cr_expect_eq(ndb_doc_http_decode(b, bn, NULL, "brx", &out, &why), NDB_EPARSE);
    cr_expect(strstr(why, "unsupported") != NULL, "%s", why);
    /* bombs: 32 MiB of zeros; the output stops at the buffer's 1 MiB */
    size_t big = 32u << 20, bcap = 1u << 20, bbn = bcap;
    uint8_t *zero = calloc(1, big), *bomb = malloc(bcap);
    cr_assert(BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, big, zero, &bbn, bomb));
    cr_expect_eq(ndb_doc_http_decode(bomb, bbn, NULL, "br", &out, &why), NDB_ELIMIT);
    cr_expect_leq(out.n, bcap);
    bbn = ZSTD_compress(bomb, bcap, zero, big, 3);
    cr_assert(!ZSTD_isError(bbn));
    cr_expect_eq(ndb_doc_http_decode(bomb, bbn, NULL, "zstd", &out, &why), NDB_ELIMIT);
    cr_expect_leq(out.n, bcap);
    /* a WARC response record whose body is brotli-encoded (and chunked) is a page */
    char *buf, *body;
    size_t n, bodyn;
    bn = cap;
    cr_assert(BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, pn, (const uint8_t *)pg, &bn, b));
    FILE *m = open_memstream(&body, &bodyn);
    fprintf(m, "%zx\r\n", bn);
    fwrite(b, 1, bn, m);
    fputs("\r\n0\r\n\r\n", m);
    fclose(m);
    FILE *f = open_memstream(&buf, &n);
    http_rec(f, "http://br.example.com/2022/03/04/story", "200 OK",
             "Content-Type: text/html\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n",
             body, bodyn);
    fclose(f);
    ndb_doc_warc *w = NULL;
    ndb_err err;
    walk r;
    cr_assert_eq(ndb_doc_warc_open_mem("br.warc", (const uint8_t *)buf, n, &w, &err), NDB_OK);
    walk_all(w, &r);
    cr_expect_eq(r.pages, 1, "pages %d, errors %d: %s", r.pages, r.errors, r.msgs[0]);
    ndb_doc_warc_close(w);
    free(buf);
    free(body);
    free(zero);
    free(bomb);
    free(b);
    free(pg);
    ndb_buf_fini(&out);
}

/* A .warc.gz with one gzip member per record, like crawlers write. */
static void write_gz_warc(const char *path, int pages, bool cut)
{
    char *all = NULL;
    size_t alln = 0;
    FILE *out = open_memstream(&all, &alln);
    for (int i = 0; i < pages; i++) {
        char *buf, title[64], uri[128];
        size_t n;
        FILE *f = open_memstream(&buf, &n);
        snprintf(title, sizeof title, "Story number %d", i);
        snprintf(uri, sizeof uri, "http://news%d.example.org/story/%d", i % 3, i);
        char *pg = make_page(title, "2020-02-03", "Agency");
        http_rec(f, uri, "200 OK", "Content-Type: text/html; charset=utf-8\r\n", pg, strlen(pg));
        fclose(f);
        free(pg);
        uLong cap = compressBound((uLong)n) + 64;
        uint8_t *z = malloc(cap);
        z_stream s;
        memset(&s, 0, sizeof s);
        deflateInit2(&s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
        s.next_in = (Bytef *)buf;
        s.avail_in = (uInt)n;
        s.next_out = z;
        s.avail_out = (uInt)cap;
        deflate(&s, Z_FINISH);
        fwrite(z, 1, cap - s.avail_out, out);
        deflateEnd(&s);
        free(z);
        free(buf);
    }
    fclose(out);
    FILE *f = fopen(path, "wb");
    fwrite(all, 1, cut ? alln - 100 : alln, f);
    fclose(f);
    free(all);
}

static void on_report(void *ctx, int is_error, const char *msg)
{
    int *n = ctx;
    (void)is_error;
    (void)msg;
    (*n)++;
}

Test(warc, gzip_per_record_and_cut)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_writer *w = NULL;
    ndb_ingest_stats st;
    ndb_ingest_opts o;
    ndb_err err;
    int reports = 0;
    snprintf(path, sizeof path, "%s.c.warc.gz", t);
    write_gz_warc(path, 30, false);
    memset(&o, 0, sizeof o);
    o.report = on_report;
    o.ctx = &reports;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_ingest(w, path, &o, &st, &err), NDB_OK, "%s", err.msg); /* sniffed */
    cr_expect_eq(st.added, 30);
    cr_expect_eq(reports, 0);
    /* cut inside the last member: 29 pages, then an error naming the file */
    write_gz_warc(path, 30, true);
    cr_expect_neq(ndb_ingest(w, path, &o, &st, &err), NDB_OK);
    cr_expect(strstr(err.msg, path) != NULL, "%s", err.msg);
    cr_expect_eq(st.duplicates, 29, "%llu", (unsigned long long)st.duplicates);
    ndb_writer_close(w);
    ndb_snapshot *s = NULL;
    ndb_doc *d = NULL;
    char date[16];
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    cr_assert_eq(ndb_get_url(s, "http://news1.example.org/story/7", &d, &err), NDB_OK);
    cr_expect_str_eq(d->title, "Story number 7");
    cr_expect_str_eq(d->outlet, "example.org");
    ndb_date_format(d->date, date, sizeof date);
    cr_expect_str_eq(date, "2020-02-03");
    cr_expect(strstr(d->source, ".c.warc.gz@") != NULL, "%s", d->source);
    ndb_doc_free(d);
    ndb_snapshot_close(s);
    remove(path);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

/* ------------------------------------------------------------ wget against loopback */

#define WG_PAGES 5

Test(warc, wget_warc_end_to_end, .timeout = 60)
{
    if (system("command -v wget >/dev/null 2>&1") != 0) {
        cr_skip_test("wget is not installed: apt-get install wget (tools/deps.sh test)");
    }
    static const char *titles[WG_PAGES] = {"Council passes budget", "Floods in the valley",
                                           "Rail strike ends", "New museum opens",
                                           "Élection municipale à Lyon"};
    static const char *dates[WG_PAGES] = {"2021-01-05", "2020-11-30", "2019-06-15",
                                          "2018-02-28", "2017-09-09"};
    static const char *words[WG_PAGES] = {"zephyrine", "quillory", "brambleton", "ostrava",
                                          "lyonnaise"};
    char *bodies[WG_PAGES];
    tl_route routes[WG_PAGES + 4];
    memset(routes, 0, sizeof routes);
    for (int i = 0; i < WG_PAGES; i++) {
        static char paths[WG_PAGES][64];
        snprintf(paths[i], sizeof paths[i], "/news/story-%d.html", i);
        bodies[i] = make_page(titles[i], dates[i], words[i]);
        routes[i].path = paths[i];
        routes[i].body = bodies[i];
        routes[i].chunked = i == 1; /* wget keeps the chunked framing in the WARC */
    }
    routes[WG_PAGES].path = "/style.css";
    routes[WG_PAGES].ctype = "text/css";
    routes[WG_PAGES].body = "body{}";
    routes[WG_PAGES + 1].path = "/moved";
    routes[WG_PAGES + 1].status = 302;
    routes[WG_PAGES + 1].location = "/news/story-0.html";
    routes[WG_PAGES + 1].body = "moved";
    routes[WG_PAGES + 2].path = "/error";
    routes[WG_PAGES + 2].status = 500;
    routes[WG_PAGES + 2].body = "<html><body>server error</body></html>";
    tl_server *srv = tl_start(routes, WG_PAGES + 3);
    cr_assert_not_null(srv);
    unsigned port = tl_port(srv);

    char t[512], cmd[4096], warc[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    snprintf(warc, sizeof warc, "%s.wget", t);
    int k = snprintf(cmd, sizeof cmd,
                     "cd /tmp && wget -q --tries=1 --timeout=10 --no-warc-keep-log "
                     "--warc-file='%s' --warc-cdx -O /dev/null",
                     warc);
    for (int i = 0; i < WG_PAGES; i++)
        k += snprintf(cmd + k, sizeof cmd - (size_t)k, " http://localhost:%u%s", port,
                      routes[i].path);
    k += snprintf(cmd + k, sizeof cmd - (size_t)k,
                  " http://localhost:%u/style.css http://localhost:%u/error "
                  "http://localhost:%u/missing",
                  port, port, port);
    int ws = system(cmd); /* exit 8: some URLs failed (500/404), as intended */
    cr_assert(WIFEXITED(ws) && (WEXITSTATUS(ws) == 0 || WEXITSTATUS(ws) == 8), "wget: %d", ws);
    /* a second crawl of the same pages, deduplicated against the first one's CDX: wget
    ** writes a revisit record (WARC-Refers-To the first capture) for each unchanged page */
    char warc2[640];
    snprintf(warc2, sizeof warc2, "%s.again", t);
    k = snprintf(cmd, sizeof cmd,
                 "cd /tmp && wget -q --tries=1 --timeout=10 --no-warc-keep-log "
                 "--warc-file='%s' --warc-dedup='%s.cdx' -O /dev/null",
                 warc2, warc);
    for (int i = 0; i < WG_PAGES; i++)
        k += snprintf(cmd + k, sizeof cmd - (size_t)k, " http://localhost:%u%s", port,
                      routes[i].path);
    ws = system(cmd);
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "wget (dedup): %d", ws);
    tl_stop(srv);

    char path[640];
    snprintf(path, sizeof path, "%s.warc.gz", warc);
    ndb_writer *w = NULL;
    ndb_ingest_stats st;
    ndb_ingest_opts o;
    ndb_err err;
    int reports = 0;
    memset(&o, 0, sizeof o);
    o.report = on_report;
    o.ctx = &reports;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_ingest(w, path, &o, &st, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_expect_eq(st.added, WG_PAGES);
    cr_expect_eq(reports, 0);
    cr_expect_geq(st.ignored, WG_PAGES + 3); /* warcinfo, requests, css, 500, 404 */
    cr_expect_eq(st.revisits, 0);
    char path2[700];
    snprintf(path2, sizeof path2, "%s.warc.gz", warc2);
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_ingest(w, path2, &o, &st, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_expect_eq(st.revisits, WG_PAGES, "revisits %llu", (unsigned long long)st.revisits);
    cr_expect_eq(st.added, 0);
    cr_expect_eq(reports, 0);

    ndb_snapshot *s = NULL;
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    for (int i = 0; i < WG_PAGES; i++) {
        ndb_results *res = NULL;
        char url[256], date[16], outlet[64];
        snprintf(url, sizeof url, "http://localhost:%u%s", port, routes[i].path);
        cr_assert_eq(ndb_search(s, words[i], NULL, &res, &err), NDB_OK, "%s", err.msg);
        cr_assert_eq(res->total, 1, "%s: %llu hits", words[i], (unsigned long long)res->total);
        cr_expect_str_eq(res->hits[0].url, url);
        cr_expect_str_eq(res->hits[0].title, titles[i]);
        ndb_date_format(res->hits[0].date, date, sizeof date);
        cr_expect_str_eq(date, dates[i]);
        cr_assert_eq(ndb_doc_outlet(url, strlen(url), outlet, sizeof outlet), NDB_OK);
        cr_expect_str_eq(res->hits[0].outlet, outlet);
        ndb_results_free(res);
    }
    uint64_t c = 0;
    cr_assert_eq(ndb_count(s, "\"server error\"", &c, &err), NDB_OK);
    cr_expect_eq(c, 0);
    ndb_snapshot_close(s);
    remove(path);
    remove(path2);
    snprintf(path2, sizeof path2, "%s.cdx", warc);
    remove(path2);
    for (int i = 0; i < WG_PAGES; i++)
        free(bodies[i]);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

/* ------------------------------------------------------------ folder of saved pages */

Test(warc, folder_of_saved_pages)
{
    char t[512], dir[600], path[700];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    snprintf(dir, sizeof dir, "%s.pages", t);
    cr_assert_eq(mkdir(dir, 0755), 0);
    char *a = make_page("Harbour reopens", "2016-10-11", "harbourmaster");
    char *b = make_page("Bridge closed", "2015-01-02", "bridgewater");
    char canon[8192];
    snprintf(canon, sizeof canon,
             "<!-- saved from url=(0040)http://www.example.co.uk/bridge-closed -->\n%s", b);
    /* b with a canonical link: the stored URL is the canonical one */
    char *withlink = strstr(canon, "<head>");
    cr_assert_not_null(withlink);
    char b2[9000];
    size_t pre = (size_t)(withlink - canon) + 6;
    snprintf(b2, sizeof b2, "%.*s<link rel=\"canonical\" href=\"https://www.example.co.uk/"
                            "2015/01/02/bridge-closed\">%s",
             (int)pre, canon, canon + pre);
    snprintf(path, sizeof path, "%s/a.html", dir);
    FILE *f = fopen(path, "wb");
    fputs(a, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/b.htm", dir);
    f = fopen(path, "wb");
    fputs(b2, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/c.html", dir);
    f = fopen(path, "wb");
    fputs("<html lang=\"en\"><head><title>Le conseil vote le budget</title></head><body>"
          "<article><p>Le conseil municipal a adopté mardi soir le budget de la ville après un "
          "long débat qui a duré jusque tard dans la nuit, selon les responsables.</p><p>Le "
          "plan prévoit des fonds pour les écoles, les routes et les hôpitaux, mais les "
          "critiques estiment qu'il ne répond pas assez à la crise du logement.</p></article>"
          "</body></html>",
          f);
    fclose(f);
    /* a wget -x / mirror layout: host/path; and a look-alike directory that is no host */
    snprintf(path, sizeof path, "%s/www.example-news.com.au", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/www.example-news.com.au/politics", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    char *mir = make_page("Mirror page", "2013-03-03", "mirrorword");
    snprintf(path, sizeof path, "%s/www.example-news.com.au/politics/m.html", dir);
    f = fopen(path, "wb");
    fputs(mir, f);
    fclose(f);
    free(mir);
    snprintf(path, sizeof path, "%s/old.backup", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    char *bk = make_page("Backup page", "2013-03-04", "backupword");
    snprintf(path, sizeof path, "%s/old.backup/b.html", dir);
    f = fopen(path, "wb");
    fputs(bk, f);
    fclose(f);
    free(bk);
    snprintf(path, sizeof path, "%s/native.txt", dir);
    f = fopen(path, "wb");
    fputs("http://n.example.com/1\n6\n1\nnative\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/junk.html", dir);
    f = fopen(path, "wb");
    fwrite("<html>\0\1\2\3binary", 1, 16, f);
    fclose(f);

    ndb_writer *w = NULL;
    ndb_ingest_stats st;
    ndb_ingest_opts o;
    ndb_err err;
    int reports = 0;
    memset(&o, 0, sizeof o);
    o.report = on_report;
    o.ctx = &reports;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_ingest(w, dir, &o, &st, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_expect_eq(st.added, 6);
    cr_expect_eq(st.skipped, 1);
    cr_expect_eq(reports, 1);

    ndb_snapshot *s = NULL;
    ndb_results *res = NULL;
    char date[16];
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    cr_assert_eq(ndb_search(s, "bridgewater", NULL, &res, &err), NDB_OK);
    cr_assert_eq(res->total, 1);
    cr_expect_str_eq(res->hits[0].url, "https://www.example.co.uk/2015/01/02/bridge-closed");
    cr_expect_str_eq(res->hits[0].outlet, "example.co.uk");
    cr_expect_str_eq(res->hits[0].title, "Bridge closed");
    ndb_results_free(res);
    cr_assert_eq(ndb_search(s, "harbourmaster", NULL, &res, &err), NDB_OK);
    cr_assert_eq(res->total, 1);
    cr_expect_str_eq(res->hits[0].title, "Harbour reopens");
    ndb_date_format(res->hits[0].date, date, sizeof date);
    cr_expect_str_eq(date, "2016-10-11");
    {
        ndb_doc *d = NULL;
        cr_assert_eq(ndb_get(s, res->hits[0].id, &d, &err), NDB_OK);
        cr_expect_str_eq(d->lang, "en"); /* detected from the text */
        ndb_doc_free(d);
    }
    ndb_results_free(res);
    cr_assert_eq(ndb_search(s, "mirrorword", NULL, &res, &err), NDB_OK);
    cr_assert_eq(res->total, 1);
    cr_expect_str_eq(res->hits[0].url, "http://www.example-news.com.au/politics/m.html");
    cr_expect_str_eq(res->hits[0].outlet, "example-news.com.au");
    ndb_results_free(res);
    cr_assert_eq(ndb_search(s, "backupword", NULL, &res, &err), NDB_OK);
    cr_assert_eq(res->total, 1);
    cr_expect(strncmp(res->hits[0].url, "urn:newsdb:html:", 16) == 0, "%s", res->hits[0].url);
    ndb_results_free(res);
    /* declared lang="en", French text: the language is the text's */
    cr_assert_eq(ndb_search(s, "logement", NULL, &res, &err), NDB_OK);
    cr_assert_eq(res->total, 1);
    {
        ndb_doc *d = NULL;
        cr_assert_eq(ndb_get(s, res->hits[0].id, &d, &err), NDB_OK);
        cr_expect_str_eq(d->lang, "fr");
        cr_expect_str_eq(d->title, "Le conseil vote le budget");
        ndb_doc_free(d);
    }
    ndb_results_free(res);
    ndb_snapshot_close(s);
    free(a);
    free(b);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

/* A 40 MiB record is skipped by streaming (bounded memory) with one error; a binary body
** labelled text/html is one extractor error; the good record after both is added. */
Test(warc, huge_record_and_binary_page)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    snprintf(path, sizeof path, "%s.big.warc", t);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    size_t big = 40u << 20;
    fprintf(f, "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://big.example.com/\r\n"
               "Content-Length: %zu\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
            big);
    char chunk[65536];
    memset(chunk, 'x', sizeof chunk);
    size_t left = big - strlen("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
    while (left) {
        size_t k = left < sizeof chunk ? left : sizeof chunk;
        fwrite(chunk, 1, k, f);
        left -= k;
    }
    fputs("\r\n\r\n", f);
    char bin[300];
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (char)(i * 7 + 1);
    http_rec(f, "http://bin.example.com/x", "200 OK", "Content-Type: text/html\r\n", bin,
             sizeof bin);
    char *pg = make_page("After the giant", "2012-12-12", "aftergiant");
    http_rec(f, "http://ok.example.com/x", "200 OK", "Content-Type: text/html\r\n", pg,
             strlen(pg));
    fclose(f);
    free(pg);
    ndb_writer *w = NULL;
    ndb_ingest_stats st;
    ndb_ingest_opts o;
    ndb_err err;
    int reports = 0;
    memset(&o, 0, sizeof o);
    o.report = on_report;
    o.ctx = &reports;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    cr_assert_eq(ndb_ingest(w, path, &o, &st, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_expect_eq(st.added, 1);
    cr_expect_eq(st.skipped, 2);
    cr_expect_eq(reports, 2);
    remove(path);
    ndb_close(db);
    ndb_test_remove_archive(t);
}
