/*
** test_parsers.c — robots.txt (src/crawl/robots.c), feeds and sitemaps (src/crawl/feed.c),
** feed dates, and the crawl state file (src/crawl/state.c): round trip, corruption.
*/
#include "common/testutil.h"
#include "crawl/crawl.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

static ndb_crawl_robots *robots(const char *txt, const char *agent)
{
    ndb_crawl_robots *r = NULL;
    cr_assert_eq(ndb_crawl_robots_parse((const uint8_t *)txt, strlen(txt), agent, &r), NDB_OK);
    return r;
}

Test(robots, groups_longest_match_wildcards)
{
    const char *txt = "# comment\n"
                      "User-agent: otherbot\n"
                      "Disallow: /\n"
                      "\n"
                      "User-agent: *\n"
                      "Disallow: /private/\n"
                      "Allow: /private/public\n"
                      "Disallow: /*.pdf$\n"
                      "Disallow: /tmp\n"
                      "Crawl-delay: 2.5\n"
                      "Sitemap: http://x.com/sitemap.xml\n"
                      "junk line without colon\n";
    ndb_crawl_robots *r = robots(txt, "newsdb/0.1 (+http://x)");
    cr_expect(ndb_crawl_robots_allowed(r, "/"));
    cr_expect(ndb_crawl_robots_allowed(r, "/news/a.html"));
    cr_expect(!ndb_crawl_robots_allowed(r, "/private/x"));
    cr_expect(ndb_crawl_robots_allowed(r, "/private/public/x")); /* longer Allow wins */
    cr_expect(!ndb_crawl_robots_allowed(r, "/docs/a.pdf"));
    cr_expect(ndb_crawl_robots_allowed(r, "/docs/a.pdf?x=1")); /* $ anchors */
    cr_expect(!ndb_crawl_robots_allowed(r, "/tmp"));
    cr_expect(!ndb_crawl_robots_allowed(r, "/tmpfile"));
    cr_expect(ndb_crawl_robots_allowed(r, "/robots.txt"));
    cr_expect_float_eq(ndb_crawl_robots_delay(r), 2.5, 1e-9);
    ndb_crawl_robots_free(r);
    /* our own group wins over *, and agents are case-insensitive */
    r = robots("User-agent: *\nDisallow: /\n\nUser-agent: NewsDB\nUser-agent: other\n"
               "Disallow: /x\n",
               "newsdb");
    cr_expect(ndb_crawl_robots_allowed(r, "/a"));
    cr_expect(!ndb_crawl_robots_allowed(r, "/x/y"));
    ndb_crawl_robots_free(r);
    /* "newsdbx" is not "newsdb"; empty Disallow allows all; tie -> Allow */
    r = robots("User-agent: newsdbx\nDisallow: /\nUser-agent: *\nDisallow:\n", "newsdb");
    cr_expect(ndb_crawl_robots_allowed(r, "/anything"));
    ndb_crawl_robots_free(r);
    r = robots("User-agent: *\nDisallow: /a\nAllow: /a\n", "newsdb");
    cr_expect(ndb_crawl_robots_allowed(r, "/a"));
    ndb_crawl_robots_free(r);
    cr_assert_eq(ndb_crawl_robots_all(false, &r), NDB_OK);
    cr_expect(!ndb_crawl_robots_allowed(r, "/a"));
    cr_expect(ndb_crawl_robots_allowed(r, "/robots.txt"));
    ndb_crawl_robots_free(r);
}

/* Brute-force oracle for `*` / `$` matching: a regex-free recursive matcher. */
static bool ref_match(const char *p, const char *s)
{
    if (*p == 0)
        return true;
    if (p[0] == '$' && p[1] == 0)
        return *s == 0;
    if (*p == '*')
        return ref_match(p + 1, s) || (*s && ref_match(p, s + 1));
    return *s && *p == *s && ref_match(p + 1, s + 1);
}

Test(robots, wildcard_matching_oracle)
{
    uint64_t seed = ndb_test_seed(42);
    const char alpha[] = "ab*/$";
    for (int it = 0; it < 20000; it++) {
        char pat[12], path[14], txt[64];
        int pn = 1 + (int)(ndb_rand_next(&seed) % 8), sn = (int)(ndb_rand_next(&seed) % 10);
        pat[0] = '/';
        for (int i = 1; i < pn; i++)
            pat[i] = alpha[ndb_rand_next(&seed) % 4]; /* no $ inside */
        if (ndb_rand_next(&seed) % 3 == 0)
            pat[pn++] = '$';
        pat[pn] = 0;
        path[0] = '/';
        for (int i = 1; i <= sn; i++)
            path[i] = "ab/"[ndb_rand_next(&seed) % 3];
        path[sn + 1] = 0;
        snprintf(txt, sizeof txt, "User-agent: *\nDisallow: %s\n", pat);
        ndb_crawl_robots *r = robots(txt, "newsdb");
        bool want = !ref_match(pat, path);
        cr_assert_eq(ndb_crawl_robots_allowed(r, path), want, "pattern %s path %s NDB_SEED=%llu",
                     pat, path, (unsigned long long)seed);
        ndb_crawl_robots_free(r);
    }
}

static void parse_ok(const char *xml, const char *base, ndb_crawl_links *l)
{
    ndb_err err;
    ndb_crawl_links_init(l);
    cr_assert_eq(ndb_crawl_feed_parse((const uint8_t *)xml, strlen(xml), base, l, &err), NDB_OK,
                 "%s", err.msg);
}

Test(feed, rss_atom_rdf_sitemaps)
{
    ndb_crawl_links l;
    ndb_err err;
    parse_ok("<?xml version=\"1.0\"?><rss version=\"2.0\" "
             "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>x</title>"
             "<item><title> A\n title </title><link>/news/a.html</link>"
             "<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>"
             "<item><title>B</title><guid>http://x.com/b</guid><dc:date>2004-05-06T07:08:09Z"
             "</dc:date></item>"
             "<item><title>C</title><guid isPermaLink=\"false\">tag:1</guid></item>"
             "<item><link>javascript:alert(1)</link></item>"
             "<item><link><![CDATA[ http://x.com/c?a=1&b=2 ]]></link></item>"
             "</channel></rss>",
             "http://x.com/feeds/rss.xml", &l);
    cr_expect_eq(l.kind, NDB_CRAWL_RSS);
    cr_assert_eq(l.n, 3);
    cr_expect_str_eq(l.v[0].url, "http://x.com/news/a.html");
    cr_expect_str_eq(l.v[0].title, "A  title");
    cr_expect_str_eq(l.v[0].date, "2003-06-10");
    cr_expect_str_eq(l.v[1].url, "http://x.com/b");
    cr_expect_str_eq(l.v[1].date, "2004-05-06");
    cr_expect_str_eq(l.v[2].url, "http://x.com/c?a=1&b=2");
    ndb_crawl_links_fini(&l);

    parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>E1</title>"
             "<link rel=\"self\" href=\"http://x.com/self\"/><link href=\"e1.html\"/>"
             "<updated>2010-01-02T00:00:00Z</updated><published>2009-12-31T00:00:00Z"
             "</published></entry><entry><title>E2</title><link rel=\"alternate\" "
             "href=\"https://y.org/e2\"/></entry></feed>",
             "http://x.com/a/atom", &l);
    cr_expect_eq(l.kind, NDB_CRAWL_ATOM);
    cr_assert_eq(l.n, 2);
    cr_expect_str_eq(l.v[0].url, "http://x.com/a/e1.html");
    cr_expect_str_eq(l.v[0].date, "2009-12-31");
    cr_expect_str_eq(l.v[1].url, "https://y.org/e2");
    ndb_crawl_links_fini(&l);

    parse_ok("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
             "xmlns=\"http://purl.org/rss/1.0/\"><channel/><item><title>R</title>"
             "<link>http://r.com/1</link></item></rdf:RDF>",
             "http://r.com/", &l);
    cr_expect_eq(l.kind, NDB_CRAWL_RSS);
    cr_expect_eq(l.n, 1);
    ndb_crawl_links_fini(&l);

    const char *sm = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>"
                     "http://s.com/p1</loc><lastmod>2020-02-02</lastmod></url><url><loc>/p2"
                     "</loc></url></urlset>";
    parse_ok(sm, "http://s.com/sitemap.xml", &l);
    cr_expect_eq(l.kind, NDB_CRAWL_SITEMAP);
    cr_assert_eq(l.n, 2);
    cr_expect_str_eq(l.v[0].date, "2020-02-02");
    cr_expect_str_eq(l.v[1].url, "http://s.com/p2");
    ndb_crawl_links_fini(&l);
    /* gzip-compressed sitemap */
    uint8_t z[4096];
    uLongf zn = sizeof z;
    z_stream s;
    memset(&s, 0, sizeof s);
    deflateInit2(&s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    s.next_in = (Bytef *)sm;
    s.avail_in = (uInt)strlen(sm);
    s.next_out = z;
    s.avail_out = (uInt)zn;
    deflate(&s, Z_FINISH);
    zn = sizeof z - s.avail_out;
    deflateEnd(&s);
    ndb_crawl_links_init(&l);
    cr_assert_eq(ndb_crawl_feed_parse(z, zn, "http://s.com/sitemap.xml.gz", &l, &err), NDB_OK);
    cr_expect_eq(l.n, 2);
    ndb_crawl_links_fini(&l);

    parse_ok("<sitemapindex><sitemap><loc>http://s.com/a.xml</loc></sitemap></sitemapindex>",
             "http://s.com/", &l);
    cr_expect_eq(l.kind, NDB_CRAWL_SITEMAP_INDEX);
    cr_expect_eq(l.n, 1);
    ndb_crawl_links_fini(&l);

    /* not XML; XML but not a feed; external entities are not loaded */
    ndb_crawl_links_init(&l);
    cr_expect_eq(ndb_crawl_feed_parse((const uint8_t *)"hello", 5, "http://x/", &l, &err),
                 NDB_EPARSE);
    cr_expect_eq(ndb_crawl_feed_parse((const uint8_t *)"<html><body/></html>", 20, "http://x/",
                                      &l, &err),
                 NDB_EPARSE);
    cr_expect(strstr(err.msg, "root element <html>") != NULL, "%s", err.msg);
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM "
                      "\"file:///etc/passwd\">]><rss><channel><item><link>http://x.com/&e;"
                      "</link></item></channel></rss>";
    cr_expect_eq(ndb_crawl_feed_parse((const uint8_t *)xxe, strlen(xxe), "http://x/", &l, &err),
                 NDB_OK);
    for (size_t i = 0; i < l.n; i++)
        cr_expect(strstr(l.v[i].url, "root:") == NULL, "%s", l.v[i].url);
    ndb_crawl_links_fini(&l);
}

Test(feed, dates)
{
    char d[11];
    cr_expect(ndb_crawl_parse_date("Tue, 10 Jun 2003 04:00:00 GMT", d));
    cr_expect_str_eq(d, "2003-06-10");
    cr_expect(ndb_crawl_parse_date("1 jan 99 00:00 +0000", d));
    cr_expect_str_eq(d, "1999-01-01");
    cr_expect(ndb_crawl_parse_date(" 2016-10-11T08:00:00+02:00", d));
    cr_expect_str_eq(d, "2016-10-11");
    cr_expect(!ndb_crawl_parse_date("2016-02-30", d));
    cr_expect(!ndb_crawl_parse_date("yesterday", d));
    cr_expect(!ndb_crawl_parse_date("", d));
}

Test(state, round_trip_and_corruption)
{
    char t[512], path[600];
    ndb_db *db = ndb_test_new_archive(t, sizeof t);
    ndb_crawl_state *s = NULL;
    ndb_crawl_entry e;
    ndb_err err;
    cr_assert_eq(ndb_crawl_state_load(t, &s, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(ndb_crawl_state_count(s), 0);
    for (int i = 0; i < 3000; i++) {
        char u[64], et[32];
        snprintf(u, sizeof u, "http://h%d.com/p/%d", i % 7, i);
        snprintf(et, sizeof et, "\"e%d\"", i);
        cr_assert_eq(ndb_crawl_state_put(s, u, et, i % 2 ? "Mon, 01 Jan 2001 00:00:00 GMT" : "",
                                         i),
                     NDB_OK);
    }
    cr_assert_eq(ndb_crawl_state_put(s, "http://h0.com/p/0", "\"new\"", "", 5), NDB_OK);
    cr_expect_eq(ndb_crawl_state_count(s), 3000);
    cr_assert_eq(ndb_crawl_state_save(s, &err), NDB_OK, "%s", err.msg);
    ndb_crawl_state_free(s);
    cr_assert_eq(ndb_crawl_state_load(t, &s, &err), NDB_OK, "%s", err.msg);
    cr_expect_eq(ndb_crawl_state_count(s), 3000);
    cr_assert(ndb_crawl_state_get(s, "http://h0.com/p/0", &e));
    cr_expect_str_eq(e.etag, "\"new\"");
    cr_assert(ndb_crawl_state_get(s, "http://h4.com/p/1999", &e));
    cr_expect_str_eq(e.etag, "\"e1999\"");
    cr_expect_str_eq(e.last_modified, "Mon, 01 Jan 2001 00:00:00 GMT");
    cr_expect_eq(e.fetched, 1999);
    cr_expect(!ndb_crawl_state_get(s, "http://nope/", &e));
    ndb_crawl_state_free(s);
    /* flip one byte: the CRC catches it */
    snprintf(path, sizeof path, "%s/CRAWL-STATE", t);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fseek(f, 100, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 100, SEEK_SET);
    fputc(c ^ 0x20, f);
    fclose(f);
    cr_expect_eq(ndb_crawl_state_load(t, &s, &err), NDB_ECORRUPT);
    cr_expect(strstr(err.msg, "CRAWL-STATE") != NULL, "%s", err.msg);
    ndb_close(db);
    ndb_test_remove_archive(t);
}
