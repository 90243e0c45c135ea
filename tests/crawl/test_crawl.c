/*
** test_crawl.c — `newsdb crawl` (src/crawl/crawl.c) against a loopback HTTP server started
** and stopped here (tests/common/loopsrv.c): feeds, pages, robots.txt, slow / failing /
** redirecting / huge / gzip / chunked / non-HTML responses, ETag and Last-Modified.
**
** Oracle: the server's routes say what each URL serves; after a pass every good page must
** be in the archive with its title, date and outlet (searched by a word only it holds),
** nothing else must be, the server's log must show no request to a path robots.txt
** disallows, and re-polls must add exactly the new and changed pages (changed ones as
** versions), answering the rest with 304s.
*/
#include "common/loopsrv.h"
#include "common/testutil.h"
#include "crawl/crawl.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE_FMT                                                                               \
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>%s"     \
    "</head><body><nav><a href=\"/\">Home</a></nav><article><h1>%s</h1>"                    \
    "<p>The %s committee met on Tuesday to discuss the proposal, which would change how "    \
    "the city pays for public transport over the next ten years, officials said.</p>"        \
    "<p>Several members raised concerns about the cost, and a final decision was postponed " \
    "until the spring session, when new figures from the treasury are expected.</p>"        \
    "</article><footer>(c) News</footer></body></html>"

static char *page(const char *title, const char *date, const char *word)
{
    char meta[128] = "";
    char *p = malloc(4096);
    if (date)
        snprintf(meta, sizeof meta, "<meta property=\"article:published_time\" content=\"%s\">",
                 date);
    snprintf(p, 4096, PAGE_FMT, title, meta, title, word);
    return p;
}

typedef struct msgs {
    int n;
    char m[64][NDB_ERR_MSG_MAX];
} msgs;

static void on_report(void *ctx, int is_error, const char *msg)
{
    msgs *r = ctx;
    (void)is_error;
    if (r->n < 64)
        snprintf(r->m[r->n], NDB_ERR_MSG_MAX, "%s", msg);
    r->n++;
}

static bool has_msg(const msgs *r, const char *needle)
{
    for (int i = 0; i < r->n && i < 64; i++)
        if (strstr(r->m[i], needle))
            return true;
    return false;
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(s, f);
    fclose(f);
}

static ndb_rc run(ndb_db *db, const char *dir, ndb_crawl_opts *o, ndb_crawl_stats *st,
                  msgs *m)
{
    ndb_writer *w = NULL;
    ndb_err err;
    memset(m, 0, sizeof *m);
    o->db_dir = dir;
    o->report = on_report;
    o->ctx = m;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK);
    ndb_rc rc = ndb_crawl_run(w, o, st, &err);
    cr_expect_eq(rc, NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    return rc;
}

/* Hits for a word that only one page holds: returns the one hit's fields. */
static uint64_t find(ndb_db *db, const char *word, char *url, char *title, char *date,
                     char *outlet)
{
    ndb_snapshot *s = NULL;
    ndb_results *res = NULL;
    ndb_err err;
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
    cr_assert_eq(ndb_search(s, word, NULL, &res, &err), NDB_OK, "%s", err.msg);
    uint64_t total = res->total;
    if (total >= 1) {
        snprintf(url, 256, "%s", res->hits[0].url);
        snprintf(title, 256, "%s", res->hits[0].title);
        ndb_date_format(res->hits[0].date, date, 16);
        snprintf(outlet, 256, "%s", res->hits[0].outlet);
    }
    ndb_results_free(res);
    ndb_snapshot_close(s);
    return total;
}

enum {
    R_ROBOTS, R_FEED, R_ATOM, R_A, R_B, R_C, R_PRIV, R_SLOW, R_FLAKY, R_HUGE, R_OLD, R_GZ,
    R_CHUNK, R_PNG, R_NEW, R_N
};

Test(crawl, feeds_politeness_and_repolls, .timeout = 120)
{
    tl_route rt[R_N];
    char *bodies[R_N] = {0};
    char feed[4096], atom[2048], feeds_path[700], t[512];
    memset(rt, 0, sizeof rt);
    rt[R_ROBOTS].path = "/robots.txt";
    rt[R_ROBOTS].ctype = "text/plain";
    rt[R_ROBOTS].body = "User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n";
    rt[R_FEED].path = "/feed.xml";
    rt[R_FEED].ctype = "application/rss+xml";
    rt[R_FEED].etag = "\"feed-v1\"";
    rt[R_ATOM].path = "/atom.xml";
    rt[R_ATOM].ctype = "application/atom+xml";
    rt[R_ATOM].last_modified = "Wed, 01 Jan 2020 00:00:00 GMT";
    struct {
        int r;
        const char *path, *title, *date, *word;
    } pg[] = {
        {R_A, "/news/a.html", "Alpha story", "2021-02-03", "alphaword"},
        {R_B, "/news/b.html", "Beta story", NULL, "betaword"},   /* date from the feed */
        {R_C, "/news/c.html", "Gamma story", "2019-09-09", "gammaword"}, /* from Atom */
        {R_PRIV, "/private/p.html", "Private", "2020-01-01", "privword"},
        {R_SLOW, "/news/slow.html", "Slow", "2020-01-01", "slowword"},
        {R_FLAKY, "/news/flaky.html", "Flaky story", "2018-08-08", "flakyword"},
        {R_HUGE, "/news/huge.html", "Huge", NULL, "hugeword"},
        {R_OLD, "/news/x.html", "Moved story", "2017-07-07", "movedword"}, /* target of /old */
        {R_GZ, "/news/gz.html", "Gzip story", "2016-06-06", "gzipword"},
        {R_CHUNK, "/news/chunk.html", "Chunked story", "2015-05-05", "chunkword"},
        {R_NEW, "/news/new.html", "Fresh story", "2022-12-12", "freshword"},
    };
    for (size_t i = 0; i < sizeof pg / sizeof pg[0]; i++) {
        bodies[pg[i].r] = page(pg[i].title, pg[i].date, pg[i].word);
        rt[pg[i].r].path = pg[i].path;
        rt[pg[i].r].body = bodies[pg[i].r];
    }
    rt[R_A].etag = "\"a1\"";
    rt[R_C].last_modified = "Mon, 02 Mar 2020 10:00:00 GMT";
    rt[R_SLOW].delay_ms = 2500;
    rt[R_FLAKY].fail_first = 2;
    rt[R_FLAKY].etag = "\"f1\"";
    rt[R_HUGE].huge = 50u << 20;
    rt[R_HUGE].chunked = true;
    rt[R_GZ].gzip = true;
    rt[R_CHUNK].chunked = true;
    rt[R_PNG].path = "/news/pic.png";
    rt[R_PNG].ctype = "image/png";
    rt[R_PNG].body = "\x89PNG....";
    /* /old redirects to /news/x.html: the article is stored under the URL requested */
    static tl_route extra[1];
    (void)extra;
    rt[R_OLD].path = "/news/x.html";
    tl_route all[R_N + 1];
    memcpy(all, rt, sizeof rt);
    all[R_N].path = "/old";
    all[R_N].status = 301;
    all[R_N].location = "/news/x.html";
    all[R_N].body = "moved";
    tl_server *srv = tl_start(all, R_N + 1);
    cr_assert_not_null(srv);
    unsigned port = tl_port(srv);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", port);

    snprintf(feed, sizeof feed,
             "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>"
             "<item><title>A</title><link>%s/news/a.html</link></item>"
             "<item><title>B</title><link>/news/b.html</link>"
             "<pubDate>Sat, 05 Mar 2011 10:00:00 GMT</pubDate></item>"
             "<item><link>/private/p.html</link></item>"
             "<item><link>/news/slow.html</link></item>"
             "<item><link>/news/flaky.html</link></item>"
             "<item><link>/news/huge.html</link></item>"
             "<item><link>/old</link></item>"
             "<item><link>/news/gz.html</link></item>"
             "<item><link>/news/chunk.html</link></item>"
             "<item><link>/news/pic.png</link></item>"
             "<item><link>/news/missing.html</link></item>"
             "<item><link>/news/a.html</link></item>" /* duplicate link: fetched once */
             "</channel></rss>",
             base);
    all[R_FEED].body = feed;
    snprintf(atom, sizeof atom,
             "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>C</title>"
             "<link href=\"%s/news/c.html\"/></entry></feed>",
             base);
    all[R_ATOM].body = atom;

    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    snprintf(feeds_path, sizeof feeds_path, "%s.feeds", t);
    char list[512];
    snprintf(list, sizeof list, "# feeds\n%s/feed.xml\n\n  %s/atom.xml  \n", base, base);
    write_file(feeds_path, list);

    ndb_crawl_opts o;
    ndb_crawl_stats st;
    msgs m;
    memset(&o, 0, sizeof o);
    o.feeds_file = feeds_path;
    o.delay = 0.01;
    o.per_host = 3;
    o.timeout_ms = 1200;
    o.retries = 2;
    o.backoff_ms = 30;
    o.max_bytes = 1u << 20;
    run(db, t, &o, &st, &m);

    /* what went in is what comes out */
    struct {
        const char *word, *path, *title, *date;
    } want[] = {
        {"alphaword", "/news/a.html", "Alpha story", "2021-02-03"},
        {"betaword", "/news/b.html", "Beta story", "2011-03-05"},
        {"gammaword", "/news/c.html", "Gamma story", "2019-09-09"},
        {"flakyword", "/news/flaky.html", "Flaky story", "2018-08-08"},
        {"movedword", "/old", "Moved story", "2017-07-07"},
        {"gzipword", "/news/gz.html", "Gzip story", "2016-06-06"},
        {"chunkword", "/news/chunk.html", "Chunked story", "2015-05-05"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char url[256], title[256], date[16], outlet[256], wurl[256];
        cr_assert_eq(find(db, want[i].word, url, title, date, outlet), 1, "%s", want[i].word);
        snprintf(wurl, sizeof wurl, "%s%s", base, want[i].path);
        cr_expect_str_eq(url, wurl);
        cr_expect_str_eq(title, want[i].title);
        cr_expect_str_eq(date, want[i].date, "%s", want[i].word);
        cr_expect_str_eq(outlet, "127.0.0.1");
    }
    char u[256], ti[256], d[16], ou[256];
    cr_expect_eq(find(db, "privword", u, ti, d, ou), 0);
    cr_expect_eq(find(db, "slowword", u, ti, d, ou), 0);
    cr_expect_eq(find(db, "hugeword", u, ti, d, ou), 0);
    cr_expect_eq(st.added, 7);
    cr_expect_eq(st.feeds, 2);
    cr_expect_eq(st.links, 12); /* 11 distinct feed links + c.html */
    cr_expect_eq(st.robots_denied, 1);
    cr_expect_geq(st.retries, 2);
    cr_expect_eq(st.errors, 4, "errors %llu", (unsigned long long)st.errors); /* slow, huge, png, 404 */
    cr_expect(has_msg(&m, "/private/p.html: disallowed by robots.txt"));
    cr_expect(has_msg(&m, "/news/huge.html: response over the 1048576-byte limit"));
    cr_expect(has_msg(&m, "/news/missing.html: HTTP 404"));
    cr_expect(has_msg(&m, "/news/pic.png: not an HTML page"));
    cr_expect(has_msg(&m, "/news/slow.html: "));
    cr_expect_eq(all[R_A].hits, 1); /* the duplicate link was fetched once */
    cr_expect_eq(all[R_FLAKY].hits, 3);
    /* robots first, and the disallowed path never requested */
    char path[256];
    uint64_t tns;
    cr_assert(tl_log_get(srv, 0, path, sizeof path, &tns));
    cr_expect_str_eq(path, "/robots.txt");
    for (size_t i = 0; tl_log_get(srv, i, path, sizeof path, &tns); i++)
        cr_expect(strncmp(path, "/private/", 9) != 0, "requested %s", path);

    /* poll 2: a changed page (new ETag), a new item, the rest unchanged. The Atom feed's
    ** pages all went through in poll 1, so it kept its Last-Modified and answers 304 (its
    ** pages are not looked at); the RSS feed changed (new ETag). */
    char *b2 = page("Alpha story, updated", "2021-02-04", "alphaword revisedword");
    all[R_A].body = b2;
    all[R_A].etag = "\"a2\"";
    all[R_FEED].etag = "\"feed-v2\"";
    char feed2[4200];
    snprintf(feed2, sizeof feed2, "%.*s<item><link>/news/new.html</link></item></channel></rss>",
             (int)(strstr(feed, "</channel>") - feed), feed);
    all[R_FEED].body = feed2;
    all[R_SLOW].delay_ms = 0; /* it answers now */
    unsigned c_hits = all[R_C].hits, flaky_nm = all[R_FLAKY].not_modified;
    run(db, t, &o, &st, &m);
    cr_expect_eq(st.added, 2, "added %llu", (unsigned long long)st.added); /* new + slow */
    cr_expect_eq(st.updated, 1);
    cr_expect_eq(st.feeds, 1);
    cr_expect_eq(st.feeds_unchanged, 1);
    cr_expect_eq(all[R_C].hits, c_hits);
    cr_expect_eq(all[R_FLAKY].not_modified, flaky_nm + 1); /* its ETag came back: 304 */
    cr_expect_eq(st.not_modified, 1); /* flaky; pages without validators answer 200 */
    cr_expect_eq(st.duplicates, 4);   /* b, old, gz, chunk: same text again */
    cr_expect_eq(find(db, "revisedword", u, ti, d, ou), 1);
    cr_expect_str_eq(d, "2021-02-04");
    cr_expect_eq(find(db, "freshword", u, ti, d, ou), 1);
    cr_expect_eq(find(db, "slowword", u, ti, d, ou), 1);
    {
        ndb_snapshot *s = NULL;
        uint32_t *ids = NULL;
        size_t n = 0;
        ndb_err err;
        char au[256];
        snprintf(au, sizeof au, "%s/news/a.html", base);
        cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);
        cr_assert_eq(ndb_get_versions(s, au, &ids, &n, &err), NDB_OK);
        cr_expect_eq(n, 2);
        ndb_free_mem(ids);
        ndb_snapshot_close(s);
    }

    /* poll 3: nothing changed. Atom: 304 again. RSS: read again (it had failures: huge,
    ** png, 404), its pages answer 304 or come back identical: nothing is added. */
    unsigned atom_nm = all[R_ATOM].not_modified;
    run(db, t, &o, &st, &m);
    cr_expect_eq(all[R_ATOM].not_modified, atom_nm + 1);
    cr_expect_eq(st.feeds_unchanged, 1);
    cr_expect_eq(st.feeds, 1);
    cr_expect_eq(st.added + st.updated, 0);
    cr_expect_geq(st.not_modified, 2);

    tl_stop(srv);
    remove(feeds_path);
    for (int i = 0; i < R_N; i++)
        free(bodies[i]);
    free(b2);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

Test(crawl, per_host_rate_limit_and_url_list, .timeout = 60)
{
    tl_route rt[7];
    char *bodies[6];
    char t[512], urls[700], list[2048];
    int k = 0;
    memset(rt, 0, sizeof rt);
    for (int i = 0; i < 6; i++) {
        static char paths[6][32], words[6][32];
        snprintf(paths[i], sizeof paths[i], "/p%d", i);
        snprintf(words[i], sizeof words[i], "ratewordx%c", 'a' + i);
        bodies[i] = page("Rate", "2020-05-05", words[i]);
        rt[i].path = paths[i];
        rt[i].body = bodies[i];
    }
    rt[6].path = "/robots.txt";
    rt[6].body = "User-agent: newsdb\nCrawl-delay: 0.25\n";
    tl_server *srv = tl_start(rt, 7);
    cr_assert_not_null(srv);
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    snprintf(urls, sizeof urls, "%s.urls", t);
    for (int i = 0; i < 6; i++)
        k += snprintf(list + k, sizeof list - (size_t)k, "http://127.0.0.1:%u/p%d\n",
                      tl_port(srv), i);
    k += snprintf(list + k, sizeof list - (size_t)k, "ftp://nope/x\nnot a url\n");
    write_file(urls, list);
    ndb_crawl_opts o;
    ndb_crawl_stats st;
    msgs m;
    memset(&o, 0, sizeof o);
    o.urls_file = urls;
    o.delay = 0.05; /* robots.txt raises it to 0.25 */
    o.per_host = 4;
    o.max_conn = 8;
    run(db, t, &o, &st, &m);
    cr_expect_eq(st.added, 6);
    cr_expect_eq(st.errors, 2);
    cr_expect(has_msg(&m, "ftp://nope/x: not an http(s) URL"));
    /* request starts on the host are 0.25 s apart. The times are taken by the server when
    ** it handles a request, so on a loaded machine one gap can shrink by however late the
    ** previous request was logged: each gap must be over half the delay (the 0.05 s
    ** default would give ~0.05 s) and the six page requests together must span 5 delays
    ** less 0.1 s of slack. */
    uint64_t prev = 0, first = 0, tns;
    char path[64];
    size_t n = tl_log_count(srv);
    cr_expect_eq(n, 7);
    for (size_t i = 1; i < n; i++) {
        cr_assert(tl_log_get(srv, i, path, sizeof path, &tns));
        if (i > 1)
            cr_expect_geq(tns - prev, 125000000ull, "gap %llu ns before %s",
                          (unsigned long long)(tns - prev), path);
        else
            first = tns;
        prev = tns;
    }
    cr_expect_geq(prev - first, 1150000000ull, "6 requests in %llu ns",
                  (unsigned long long)(prev - first));
    tl_stop(srv);
    remove(urls);
    for (int i = 0; i < 6; i++)
        free(bodies[i]);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

Test(crawl, brotli_encoded_pages, .timeout = 60)
{
    /* the crawler asks for every coding libcurl decodes (Accept-Encoding with br): a server
    ** that answers with Content-Encoding: br gives a page like any other */
    tl_route rt[2];
    char t[512], urls[700], list[256], url[256], title[256], date[32], outlet[256];
    memset(rt, 0, sizeof rt);
    char *body = page("Brotli story", "2022-03-04", "brotlicrawlword");
    rt[0].path = "/news/br.html";
    rt[0].body = body;
    rt[0].brotli = true;
    rt[1].path = "/robots.txt";
    rt[1].ctype = "text/plain";
    rt[1].body = "User-agent: *\nDisallow:\n";
    tl_server *srv = tl_start(rt, 2);
    cr_assert_not_null(srv);
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    snprintf(urls, sizeof urls, "%s.urls", t);
    snprintf(list, sizeof list, "http://127.0.0.1:%u/news/br.html\n", tl_port(srv));
    write_file(urls, list);
    ndb_crawl_opts o;
    ndb_crawl_stats st;
    msgs m;
    memset(&o, 0, sizeof o);
    o.urls_file = urls;
    run(db, t, &o, &st, &m);
    cr_expect_eq(st.added, 1);
    cr_expect_eq(rt[0].brotli_sent, 1);
    cr_expect_eq(find(db, "brotlicrawlword", url, title, date, outlet), 1);
    cr_expect_str_eq(title, "Brotli story");
    tl_stop(srv);
    remove(urls);
    free(body);
    ndb_close(db);
    ndb_test_remove_archive(t);
}

Test(crawl, sitemap_index_and_robots_failure, .timeout = 60)
{
    tl_route rt[6];
    char t[512], idx[512], sm1[512];
    char *b1 = page("Sitemap page", "2014-04-04", "sitemapword");
    memset(rt, 0, sizeof rt);
    tl_server *srv = tl_start(rt, 6);
    cr_assert_not_null(srv);
    unsigned port = tl_port(srv);
    snprintf(idx, sizeof idx,
             "<sitemapindex><sitemap><loc>http://127.0.0.1:%u/sm1.xml</loc></sitemap>"
             "<sitemap><loc>http://127.0.0.1:%u/sm2.xml</loc></sitemap></sitemapindex>",
             port, port);
    snprintf(sm1, sizeof sm1, "<urlset><url><loc>http://127.0.0.1:%u/s/1</loc></url></urlset>",
             port);
    rt[0].path = "/index.xml";
    rt[0].body = idx;
    rt[0].ctype = "application/xml";
    rt[1].path = "/sm1.xml";
    rt[1].body = sm1;
    rt[1].ctype = "application/xml";
    rt[2].path = "/sm2.xml";
    rt[2].body = "<html>not a sitemap</html>";
    rt[3].path = "/s/1";
    rt[3].body = b1;
    rt[4].path = "/robots.txt";
    rt[4].status = 404;
    rt[4].body = "none";
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_crawl_opts o;
    ndb_crawl_stats st;
    msgs m;
    char sm[128];
    snprintf(sm, sizeof sm, "http://127.0.0.1:%u/index.xml", port);
    memset(&o, 0, sizeof o);
    o.sitemap_url = sm;
    o.delay = 0;
    run(db, t, &o, &st, &m);
    cr_expect_eq(st.added, 1);
    cr_expect_eq(st.feeds, 2);
    cr_expect_eq(st.errors, 1);
    cr_expect(has_msg(&m, "sm2.xml: not a feed or sitemap"));
    /* robots.txt answering 500: nothing of that host is fetched */
    rt[4].status = 500;
    rt[4].fail_first = 0;
    ndb_db *db2;
    char t2[512];
    db2 = ndb_test_new_archive(t2, sizeof t2);
    unsigned hits_before = rt[3].hits + rt[0].hits;
    o.retries = 0;
    run(db2, t2, &o, &st, &m);
    cr_expect_eq(st.added, 0);
    cr_expect_eq(st.robots_denied, 1);
    cr_expect_eq(rt[3].hits + rt[0].hits, hits_before);
    cr_expect(has_msg(&m, "nothing of http://127.0.0.1"));
    tl_stop(srv);
    free(b1);
    ndb_close(db);
    ndb_close(db2);
    ndb_test_remove_archive(t);
    ndb_test_remove_archive(t2);
}

Test(crawl, retry_after_is_honoured, .timeout = 60)
{
    tl_route rt[2];
    char t[512], urls[700], list[256];
    char *b = page("Busy page", "2020-01-01", "busyword");
    memset(rt, 0, sizeof rt);
    rt[0].path = "/busy";
    rt[0].body = b;
    rt[0].fail_first = 1;
    rt[0].retry_after = "1";
    rt[1].path = "/robots.txt";
    rt[1].status = 404;
    rt[1].body = "none";
    tl_server *srv = tl_start(rt, 2);
    cr_assert_not_null(srv);
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    snprintf(urls, sizeof urls, "%s.urls", t);
    snprintf(list, sizeof list, "http://127.0.0.1:%u/busy\n", tl_port(srv));
    write_file(urls, list);
    ndb_crawl_opts o;
    ndb_crawl_stats st;
    msgs m;
    memset(&o, 0, sizeof o);
    o.urls_file = urls;
    o.delay = 0;
    o.retries = 1;
    o.backoff_ms = 10; /* the server asks for 1 s: that wins */
    run(db, t, &o, &st, &m);
    cr_expect_eq(st.added, 1);
    cr_expect_eq(st.retries, 1);
    uint64_t t1 = 0, t2 = 0;
    char path[64];
    cr_assert_eq(tl_log_count(srv), 3);
    cr_assert(tl_log_get(srv, 1, path, sizeof path, &t1));
    cr_assert(tl_log_get(srv, 2, path, sizeof path, &t2));
    cr_expect_geq(t2 - t1, 950000000ull, "retried after %llu ns", (unsigned long long)(t2 - t1));
    tl_stop(srv);
    remove(urls);
    free(b);
    ndb_close(db);
    ndb_test_remove_archive(t);
}
