/*
** fuzz_feed.c — libFuzzer target for the crawler's parsers of outside bytes: feeds and
** sitemaps (src/crawl/feed.c, libxml2) and robots.txt (src/crawl/robots.c).
**
** Input: the first byte picks the parser (even: feed/sitemap, odd: robots.txt), the rest is
** the document.
** Contract: no crash, leak or out-of-bounds read; every link is an absolute http(s) URL
** without spaces or control bytes and its date is "" or a valid YYYY-MM-DD; robots answers
** are deterministic, "/robots.txt" is always allowed and the delay is finite and >= 0.
*/
#include "crawl/crawl.h"

#include <stdlib.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_feed(const uint8_t *p, size_t n)
{
    ndb_crawl_links l;
    ndb_err err;
    ndb_crawl_links_init(&l);
    if (ndb_crawl_feed_parse(p, n, "http://fuzz.example/dir/feed.xml", &l, &err) == NDB_OK) {
        for (size_t i = 0; i < l.n; i++) {
            const char *u = l.v[i].url;
            int32_t d;
            if (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0) {
                __builtin_trap();
            }
            for (const char *q = u; *q; q++) {
                if ((unsigned char)*q <= 0x20 || *q == 0x7f) {
                    __builtin_trap();
                }
            }
            if (l.v[i].date[0] && !ndb_date_parse(l.v[i].date, strlen(l.v[i].date), &d)) {
                __builtin_trap();
            }
        }
    }
    ndb_crawl_links_fini(&l);
}

static void fuzz_robots(const uint8_t *p, size_t n)
{
    static const char *const paths[] = {"/", "/a", "/private/x", "/a.pdf", "/x?y=1", "/robots.txt"};
    ndb_crawl_robots *r = NULL;
    if (ndb_crawl_robots_parse(p, n, "newsdb/1.0", &r) != NDB_OK) {
        return;
    }
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        bool a = ndb_crawl_robots_allowed(r, paths[i]);
        if (a != ndb_crawl_robots_allowed(r, paths[i])) {
            __builtin_trap();
        }
    }
    if (!ndb_crawl_robots_allowed(r, "/robots.txt")) {
        __builtin_trap();
    }
    double d = ndb_crawl_robots_delay(r);
    if (!(d >= 0 && d < 1e6)) {
        __builtin_trap();
    }
    ndb_crawl_robots_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    uint8_t *copy = malloc(size - 1 ? size - 1 : 1); /* exact size so ASan sees over-reads */
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data + 1, size - 1);
    if (data[0] & 1) {
        fuzz_robots(copy, size - 1);
    } else {
        fuzz_feed(copy, size - 1);
    }
    free(copy);
    return 0;
}
