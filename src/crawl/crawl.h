/*
** crawl — `newsdb crawl`: fetch feeds (RSS, Atom), sitemaps and URL lists politely over
** HTTP, extract the articles and add them to an archive.
**
** A program module (layer 9, like cli): it uses the archive only through include/newsdb.h
** (ndb_extract_html, ndb_writer_add_native, ndb_writer_commit) and base/. Parts:
**   robots.c  robots.txt (RFC 9309): groups by user agent, longest-match Allow/Disallow with
**             `*` and `$`, Crawl-delay.
**   feed.c    RSS 2.0 / RSS 1.0 (RDF) / Atom feeds and sitemaps (urlset, sitemapindex) via
**             libxml2, links resolved against the document URL.
**   state.c   the resumable crawl state kept in the archive directory (CRAWL-STATE): per
**             URL the validators (ETag, Last-Modified) of the last version added.
**   crawl.c   the fetcher: libcurl multi, per-host concurrency cap and rate limit, retries
**             with backoff, size and time limits, conditional GETs, then extract + add.
** docs/crawl.md is the user-facing description.
**
** Threading: one crawl runs on the calling thread; handles belong to one thread.
*/
#ifndef NDB_CRAWL_CRAWL_H
#define NDB_CRAWL_CRAWL_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- robots.txt */

typedef struct ndb_crawl_robots ndb_crawl_robots;

/* Parse robots.txt p[0..n) for user agent `agent` (its product token, e.g. "newsdb", is
** matched case-insensitively as a prefix of the group's user-agent values; else the "*"
** group). Never fails on content: junk lines are ignored (at most 500 KiB are read, as RFC
** 9309 allows). *out OWNED: ndb_crawl_robots_free. NDB_ENOMEM only. */
ndb_rc ndb_crawl_robots_parse(const uint8_t *p, size_t n, const char *agent,
                              ndb_crawl_robots **out);
/* A robots that allows everything (robots.txt missing: 4xx) or nothing (5xx, unreachable). */
ndb_rc ndb_crawl_robots_all(bool allow, ndb_crawl_robots **out);
/* Is path (path + query of the URL, starting with '/') allowed? Longest matching rule wins;
** Allow wins ties; no rule: allowed. "/robots.txt" is always allowed. */
bool ndb_crawl_robots_allowed(const ndb_crawl_robots *r, const char *path);
/* Crawl-delay of the chosen group in seconds, 0 when none. */
double ndb_crawl_robots_delay(const ndb_crawl_robots *r);
void ndb_crawl_robots_free(ndb_crawl_robots *r);

/* ---------------------------------------------------------------- feeds and sitemaps */

typedef enum ndb_crawl_doc_kind {
    NDB_CRAWL_UNKNOWN = 0,   /* not a feed or sitemap */
    NDB_CRAWL_RSS = 1,       /* RSS 0.9x/2.0 or RSS 1.0 (RDF) */
    NDB_CRAWL_ATOM = 2,
    NDB_CRAWL_SITEMAP = 3,   /* <urlset>: links are pages */
    NDB_CRAWL_SITEMAP_INDEX = 4, /* <sitemapindex>: links are sitemaps */
} ndb_crawl_doc_kind;

typedef struct ndb_crawl_link {
    char *url;   /* absolute http(s) URL, OWNED */
    char *title; /* item title or "" */
    char *date;  /* "YYYY-MM-DD" (pubDate, dc:date, published, updated, lastmod) or "" */
} ndb_crawl_link;

typedef struct ndb_crawl_links {
    ndb_crawl_doc_kind kind;
    ndb_crawl_link *v;
    size_t n, cap;
} ndb_crawl_links;

#define NDB_CRAWL_MAX_LINKS 100000 /* per document (a sitemap holds at most 50,000) */

void ndb_crawl_links_init(ndb_crawl_links *l);
void ndb_crawl_links_fini(ndb_crawl_links *l);
/* Parse a feed or sitemap p[0..n) fetched from base_url (relative links are resolved
** against it; links that are not http(s) after that are dropped). Gzip-compressed input
** (sitemap.xml.gz) is decompressed, up to 64 MiB. No network access, no external entities.
** NDB_EPARSE when it is not XML or not a feed/sitemap (message says which); out is
** re-filled. */
ndb_rc ndb_crawl_feed_parse(const uint8_t *p, size_t n, const char *base_url,
                            ndb_crawl_links *out, ndb_err *err);
/* RFC 822 (RSS pubDate) or ISO 8601 date -> "YYYY-MM-DD" in out[11]; false if neither. */
bool ndb_crawl_parse_date(const char *s, char out[11]);

/* ---------------------------------------------------------------- state */

typedef struct ndb_crawl_state ndb_crawl_state;

typedef struct ndb_crawl_entry {
    const char *etag;          /* "" when none */
    const char *last_modified; /* "" when none */
    int64_t fetched;           /* unix seconds of the last 200 */
} ndb_crawl_entry;

/* Load dir/CRAWL-STATE (an empty state when the file does not exist). A file that fails
** its checks is NDB_ECORRUPT naming it (delete it to start afresh). OWNED: _free. */
ndb_rc ndb_crawl_state_load(const char *dir, ndb_crawl_state **out, ndb_err *err);
/* The entry of url, or false. Pointers BORROWED until the next put or free. */
bool ndb_crawl_state_get(const ndb_crawl_state *s, const char *url, ndb_crawl_entry *e);
ndb_rc ndb_crawl_state_put(ndb_crawl_state *s, const char *url, const char *etag,
                           const char *last_modified, int64_t fetched);
size_t ndb_crawl_state_count(const ndb_crawl_state *s);
/* Write the state crash-safely (tmp file, fsync, rename, fsync dir). */
ndb_rc ndb_crawl_state_save(const ndb_crawl_state *s, ndb_err *err);
void ndb_crawl_state_free(ndb_crawl_state *s);

/* ---------------------------------------------------------------- the crawler */

typedef struct ndb_crawl_stats {
    uint64_t feeds, feeds_unchanged;  /* feed/sitemap documents fetched, of them 304 */
    uint64_t links;                   /* distinct page URLs found or given */
    uint64_t fetched, not_modified;   /* page fetches answered 200 / 304 */
    uint64_t added, updated, duplicates;
    uint64_t robots_denied, errors, retries;
    uint64_t bytes;                   /* body bytes received */
} ndb_crawl_stats;

/* Called now and then (at most every 100 ms) with the running figures and the number of
** requests queued or in flight. */
typedef void (*ndb_crawl_progress_fn)(void *ctx, const ndb_crawl_stats *st, uint64_t pending);

typedef struct ndb_crawl_opts {
    const char *db_dir;        /* archive directory: CRAWL-STATE lives there (required) */
    const char *feeds_file;    /* one feed / sitemap URL per line (# comments) */
    const char *urls_file;     /* one page URL per line */
    const char *sitemap_url;   /* one sitemap (or sitemap index) URL */
    const char *user_agent;    /* NULL: "newsdb/VERSION (+https://github.com/newsdb)" */
    unsigned max_conn;         /* transfers in flight, all hosts (0: 8) */
    unsigned per_host;         /* transfers in flight per host (0: 2) */
    double delay;              /* seconds between request starts per host (< 0: 1.0;
                                  0: none); a robots.txt Crawl-delay raises it, up to 60 s */
    unsigned timeout_ms;       /* whole transfer (0: 30000) */
    uint64_t max_bytes;        /* body limit per response (0: 8 MiB) */
    unsigned retries;          /* extra attempts on 5xx, 429, timeouts, connection errors */
    unsigned backoff_ms;       /* first retry wait, doubled each time (0: 500) */
    uint64_t max_pages;        /* stop queueing pages after this many (0: no limit) */
    uint32_t commit_every;     /* commit (and save the state) every N added (0: 500) */
    ndb_report_fn report;      /* one line per failed item ("URL: what") */
    ndb_crawl_progress_fn progress;
    void *ctx;
} ndb_crawl_opts;

/* Run one crawl pass: robots.txt per host first, then feeds/sitemaps, then their pages;
** each page is extracted and added (a changed page becomes a new version, an unchanged one
** is a duplicate or, with validators, a 304), committed in batches and at the end, the
** state saved after each commit. Per-item failures are reported and counted; the call
** fails only on archive errors (I/O, poisoned writer), bad options or input files. */
ndb_rc ndb_crawl_run(ndb_writer *w, const ndb_crawl_opts *o, ndb_crawl_stats *st,
                     ndb_err *err);

#endif /* NDB_CRAWL_CRAWL_H */
