/*
** crawl.c — the polite fetcher behind `newsdb crawl`.
**
** Shape: one thread drives a libcurl multi handle. Work items (jobs) are ROBOTS, FEED
** (feeds, sitemaps, sitemap indexes) and PAGE. A job waits in the pending list until
**   1. its host's robots.txt is known (the first job of a host queues a ROBOTS job; 2xx:
**      parsed for our product token; 4xx: everything allowed; 5xx or unreachable after the
**      retries: nothing allowed — RFC 9309), and robots allows its path (else it is
**      dropped and counted as robots_denied);
**   2. its not-before time has passed (retries back off: backoff_ms, doubled per attempt);
**   3. its host has fewer than per_host transfers in flight and the host's next start time
**      has come (start + delay, the delay raised to the robots Crawl-delay, at most 60 s);
**   4. fewer than max_conn transfers are in flight.
** Started jobs run with a time limit (timeout_ms) and a body limit (max_bytes, checked on
** the decoded bytes in the write callback, so compressed bombs stop there too), follow up
** to 5 redirects (http/https only), and send If-None-Match / If-Modified-Since from the
** crawl state. Finished jobs: 5xx, 429, timeouts and connection errors are retried
** `retries` times (after backoff_ms doubled per attempt, or the server's Retry-After in
** seconds when longer, at most 60 s); a FEED's links become PAGE jobs (sitemap indexes nest up to 3 levels);
** a PAGE's 2xx HTML body goes through ndb_extract_html, its URL line is set to the URL
** requested (so re-crawls of one address are versions of one article), and it is added
** with the page's title and date (else the feed item's); the writer detects the language
** from the text. A 304 adds nothing.
**
** Re-polling: the state (state.c) keeps the validators of every page added, and of feeds
** whose pages all went through, saved after each commit. Unchanged pages answer 304;
** changed ones come back as new versions (the writer's same-URL/different-bytes rule);
** identical re-fetches are duplicates. A feed with a failed page keeps no validators, so
** the next poll reads it again and retries that page.
**
** Memory: one body buffer per transfer in flight (<= max_bytes); the pending list and the
** set of URLs seen in this run grow with the number of links.
*/
#include "crawl/crawl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CRAWL_MAX_SITEMAP_DEPTH 3
#define CRAWL_MAX_DELAY 60.0
#define CRAWL_DRAW_NS 100000000ull

typedef enum job_kind { JOB_ROBOTS, JOB_FEED, JOB_PAGE } job_kind;

typedef struct crawl_host {
    char *origin; /* scheme://host[:port] */
    ndb_crawl_robots *robots;
    bool robots_queued;
    unsigned active;
    uint64_t next_start;
    double delay;
} crawl_host;

typedef struct crawl_job {
    job_kind kind;
    char *url, *title, *date; /* title, date: from the feed item (PAGE) */
    char *path;               /* path + query, for robots */
    size_t host;
    size_t feed;              /* PAGE: index of the feed it came from + 1, 0 none */
    unsigned attempts;
    unsigned depth;
    uint64_t not_before;
    /* in flight */
    CURL *easy;
    struct curl_slist *hdrs;
    ndb_buf body;
    bool too_big;
    unsigned retry_after; /* seconds from a Retry-After header (delta form), 0 none */
    char etag[256], lm[128];
    char errbuf[CURL_ERROR_SIZE];
} crawl_job;

typedef struct crawl_feed {
    char *url;
    char etag[256], lm[128];
    bool ok;       /* fetched 2xx (validators worth keeping) */
    bool failed;   /* one of its pages failed */
} crawl_feed;

typedef struct crawl_run {
    ndb_writer *w;
    const ndb_crawl_opts *o;
    ndb_crawl_stats *st;
    ndb_crawl_state *state;
    CURLM *multi;
    char ua[256];
    double delay;
    unsigned max_conn, per_host, timeout_ms, backoff_ms;
    uint64_t max_bytes;
    crawl_host *hosts;
    size_t nhosts, hcap;
    crawl_job **pending;
    size_t npend, pcap;
    crawl_job **run; /* in flight, max_conn slots */
    unsigned active;
    crawl_feed *feeds;
    size_t nfeeds, fcap;
    uint32_t *seen; /* open addressing over hashes of page URLs queued in this run */
    uint64_t *seen_h;
    size_t seen_n, seen_mask;
    uint64_t pages_queued;
    uint32_t since_commit;
    uint64_t last_draw;
    ndb_rc fatal;
    ndb_err fatal_err;
} crawl_run;

/* ---------------------------------------------------------------- small helpers */

static void crawl_report(crawl_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void crawl_report(crawl_run *r, const char *fmt, ...)
{
    char msg[NDB_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->o->report) {
        r->o->report(r->o->ctx, 1, msg);
    }
}

static void crawl_job_free(crawl_job *j)
{
    if (j == NULL) {
        return;
    }
    ndb_free(j->url);
    ndb_free(j->title);
    ndb_free(j->date);
    ndb_free(j->path);
    ndb_buf_fini(&j->body);
    curl_slist_free_all(j->hdrs);
    ndb_free(j);
}

/* Origin ("scheme://host[:port]") and path+query of an http(s) URL. */
static bool crawl_split(const char *url, char **origin, char **path)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL, *q = NULL;
    bool ok = false;
    *origin = *path = NULL;
    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        goto out;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        goto out;
    }
    (void)curl_url_get(u, CURLUPART_PORT, &port, 0);
    (void)curl_url_get(u, CURLUPART_PATH, &p, 0);
    (void)curl_url_get(u, CURLUPART_QUERY, &q, 0);
    {
        ndb_buf b;
        ndb_buf_init(&b, 1 << 20);
        if (ndb_buf_printf(&b, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "") ==
                NDB_OK &&
            ndb_buf_cstr(&b) == NDB_OK) {
            *origin = (char *)ndb_buf_detach(&b, NULL);
        }
        ndb_buf_fini(&b);
        ndb_buf_init(&b, 1 << 20);
        if (ndb_buf_printf(&b, "%s%s%s", p && *p ? p : "/", q ? "?" : "", q ? q : "") ==
                NDB_OK &&
            ndb_buf_cstr(&b) == NDB_OK) {
            *path = (char *)ndb_buf_detach(&b, NULL);
        }
        ndb_buf_fini(&b);
    }
    ok = *origin && *path;
    if (!ok) {
        ndb_free(*origin);
        ndb_free(*path);
        *origin = *path = NULL;
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(p);
    curl_free(q);
    curl_url_cleanup(u);
    return ok;
}

static ndb_rc crawl_host_of(crawl_run *r, char *origin, size_t *idx)
{
    for (size_t i = 0; i < r->nhosts; i++) {
        if (strcmp(r->hosts[i].origin, origin) == 0) {
            ndb_free(origin);
            *idx = i;
            return NDB_OK;
        }
    }
    if (r->nhosts == r->hcap) {
        size_t ncap = r->hcap ? r->hcap * 2 : 16;
        crawl_host *nv = ndb_realloc(r->hosts, ncap * sizeof *nv);
        if (nv == NULL) {
            ndb_free(origin);
            return NDB_ENOMEM;
        }
        r->hosts = nv;
        r->hcap = ncap;
    }
    memset(&r->hosts[r->nhosts], 0, sizeof r->hosts[0]);
    r->hosts[r->nhosts].origin = origin;
    r->hosts[r->nhosts].delay = r->delay;
    *idx = r->nhosts++;
    return NDB_OK;
}

static ndb_rc crawl_push(crawl_run *r, crawl_job *j)
{
    if (r->npend == r->pcap) {
        size_t ncap = r->pcap ? r->pcap * 2 : 256;
        crawl_job **nv = ndb_realloc(r->pending, ncap * sizeof *nv);
        if (nv == NULL) {
            return NDB_ENOMEM;
        }
        r->pending = nv;
        r->pcap = ncap;
    }
    r->pending[r->npend++] = j;
    return NDB_OK;
}

/* Queue a job for url. Bad URLs are reported and skipped (NDB_OK). */
static ndb_rc crawl_add_job(crawl_run *r, job_kind kind, const char *url, const char *title,
                            const char *date, size_t feed, unsigned depth)
{
    char *origin = NULL, *path = NULL;
    crawl_job *j;
    ndb_rc rc;
    if (!crawl_split(url, &origin, &path)) {
        crawl_report(r, "%s: not an http(s) URL", url);
        r->st->errors++;
        return NDB_OK;
    }
    j = ndb_calloc(1, sizeof *j);
    if (j == NULL) {
        ndb_free(origin);
        ndb_free(path);
        return NDB_ENOMEM;
    }
    j->kind = kind;
    j->path = path;
    j->feed = feed;
    j->depth = depth;
    j->url = ndb_strdup(url);
    j->title = title && *title ? ndb_strdup(title) : NULL;
    j->date = date && *date ? ndb_strdup(date) : NULL;
    ndb_buf_init(&j->body, (size_t)r->max_bytes);
    rc = j->url ? crawl_host_of(r, origin, &j->host) : (ndb_free(origin), NDB_ENOMEM);
    if (rc == NDB_OK) {
        rc = crawl_push(r, j);
    }
    if (rc != NDB_OK) {
        crawl_job_free(j);
    }
    return rc;
}

/* First time this run sees page url? (xxh3-64 of the URL; a collision would only drop a
** link, and at 2^-64 per pair it does not happen.) */
static ndb_rc crawl_seen(crawl_run *r, const char *url, bool *first)
{
    uint64_t h = ndb_hash64(url, strlen(url)) | 1;
    if ((r->seen_n + 1) * 2 > r->seen_mask + 1) {
        size_t ns = r->seen_h ? (r->seen_mask + 1) * 2 : 4096;
        uint64_t *nh = ndb_calloc(ns, sizeof *nh);
        if (nh == NULL) {
            return NDB_ENOMEM;
        }
        for (size_t i = 0; r->seen_h && i <= r->seen_mask; i++) {
            if (r->seen_h[i]) {
                size_t k = (size_t)r->seen_h[i] & (ns - 1);
                while (nh[k]) {
                    k = (k + 1) & (ns - 1);
                }
                nh[k] = r->seen_h[i];
            }
        }
        ndb_free(r->seen_h);
        r->seen_h = nh;
        r->seen_mask = ns - 1;
    }
    size_t k = (size_t)h & r->seen_mask;
    while (r->seen_h[k]) {
        if (r->seen_h[k] == h) {
            *first = false;
            return NDB_OK;
        }
        k = (k + 1) & r->seen_mask;
    }
    r->seen_h[k] = h;
    r->seen_n++;
    *first = true;
    return NDB_OK;
}

static ndb_rc crawl_add_page(crawl_run *r, const char *url, const char *title, const char *date,
                             size_t feed)
{
    bool first;
    ndb_rc rc = crawl_seen(r, url, &first);
    if (rc != NDB_OK || !first) {
        return rc;
    }
    if (r->o->max_pages && r->pages_queued >= r->o->max_pages) {
        return NDB_OK;
    }
    r->pages_queued++;
    r->st->links++;
    return crawl_add_job(r, JOB_PAGE, url, title, date, feed, 0);
}

/* ---------------------------------------------------------------- transfers */

static size_t crawl_write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    crawl_job *j = ud;
    size_t n = size * nmemb;
    if (ndb_buf_append(&j->body, p, n) != NDB_OK) {
        j->too_big = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    return n;
}

static void crawl_hdr_value(const char *p, size_t n, size_t klen, char *out, size_t cap)
{
    size_t a = klen, b = n;
    while (a < b && (p[a] == ' ' || p[a] == '\t')) {
        a++;
    }
    while (b > a && (p[b - 1] == '\r' || p[b - 1] == '\n' || p[b - 1] == ' ')) {
        b--;
    }
    size_t k = NDB_MIN(b - a, cap - 1);
    memcpy(out, p + a, k);
    out[k] = 0;
}

static size_t crawl_header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    crawl_job *j = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) { /* a new response (after a redirect) */
        j->etag[0] = 0;
        j->lm[0] = 0;
        j->retry_after = 0;
    } else if (n > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        char v[32];
        crawl_hdr_value(p, n, 12, v, sizeof v);
        char *end;
        unsigned long s = strtoul(v, &end, 10);
        if (end != v && *end == 0) {
            j->retry_after = (unsigned)NDB_MIN(s, (unsigned long)CRAWL_MAX_DELAY);
        }
    } else if (n > 5 && strncasecmp(p, "ETag:", 5) == 0) {
        crawl_hdr_value(p, n, 5, j->etag, sizeof j->etag);
    } else if (n > 14 && strncasecmp(p, "Last-Modified:", 14) == 0) {
        crawl_hdr_value(p, n, 14, j->lm, sizeof j->lm);
    }
    return n;
}

static ndb_rc crawl_start(crawl_run *r, crawl_job *j)
{
    ndb_crawl_entry e;
    CURL *c = curl_easy_init();
    if (c == NULL) {
        return NDB_ENOMEM;
    }
    j->easy = c;
    j->attempts++;
    j->too_big = false;
    j->etag[0] = j->lm[0] = j->errbuf[0] = 0;
    ndb_buf_reset(&j->body);
    curl_slist_free_all(j->hdrs);
    j->hdrs = NULL;
    if (j->kind != JOB_ROBOTS && ndb_crawl_state_get(r->state, j->url, &e)) {
        char h[512];
        if (*e.etag) {
            snprintf(h, sizeof h, "If-None-Match: %s", e.etag);
            j->hdrs = curl_slist_append(j->hdrs, h);
        }
        if (*e.last_modified) {
            snprintf(h, sizeof h, "If-Modified-Since: %s", e.last_modified);
            j->hdrs = curl_slist_append(j->hdrs, h);
        }
    }
    curl_easy_setopt(c, CURLOPT_URL, j->url);
    curl_easy_setopt(c, CURLOPT_PRIVATE, j);
    curl_easy_setopt(c, CURLOPT_USERAGENT, r->ua);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)NDB_MIN(r->timeout_ms, 10000u));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, crawl_write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, crawl_header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->errbuf);
    if (j->hdrs) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->hdrs);
    }
    if (curl_multi_add_handle(r->multi, c) != CURLM_OK) {
        curl_easy_cleanup(c);
        j->easy = NULL;
        return NDB_ENOMEM;
    }
    r->run[r->active++] = j;
    r->hosts[j->host].active++;
    return NDB_OK;
}

/* Start every pending job that may start now; *wait_ns: time until the next may. */
static ndb_rc crawl_start_ready(crawl_run *r, uint64_t now, uint64_t *wait_ns)
{
    size_t keep = 0;
    ndb_rc rc = NDB_OK;
    *wait_ns = 100000000ull;
    for (size_t i = 0; i < r->npend; i++) {
        crawl_job *j = r->pending[i];
        crawl_host *h = &r->hosts[j->host];
        bool started = false, dropped = false;
        if (rc != NDB_OK || r->active >= r->max_conn) {
            r->pending[keep++] = j;
            continue;
        }
        if (j->kind != JOB_ROBOTS && h->robots == NULL) {
            if (!h->robots_queued) {
                char url[4200];
                h->robots_queued = true;
                snprintf(url, sizeof url, "%s/robots.txt", h->origin);
                /* appended: this same scan reaches and starts it */
                rc = crawl_add_job(r, JOB_ROBOTS, url, NULL, NULL, 0, 0);
            }
            r->pending[keep++] = j;
            continue;
        }
        if (j->kind != JOB_ROBOTS && !ndb_crawl_robots_allowed(h->robots, j->path)) {
            r->st->robots_denied++;
            crawl_report(r, "%s: disallowed by robots.txt", j->url);
            dropped = true;
        } else if (now >= j->not_before && h->active < r->per_host && now >= h->next_start) {
            rc = crawl_start(r, j);
            if (rc == NDB_OK) {
                started = true;
                h->next_start = now + (uint64_t)(h->delay * 1e9);
            }
        } else {
            uint64_t t = NDB_MAX(j->not_before, h->next_start);
            if (t > now && t - now < *wait_ns) {
                *wait_ns = t - now;
            }
        }
        if (dropped) {
            crawl_job_free(j);
        } else if (!started) {
            r->pending[keep++] = j;
        }
    }
    r->npend = keep;
    return rc;
}

/* ---------------------------------------------------------------- finished transfers */

static bool crawl_retryable(CURLcode cc, long status)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return true;
    case CURLE_OK:
        return status == 429 || status == 500 || status == 502 || status == 503 ||
               status == 504;
    default:
        return false;
    }
}

static ndb_rc crawl_commit(crawl_run *r)
{
    ndb_err e;
    ndb_rc rc = ndb_writer_commit(r->w, &e);
    if (rc == NDB_OK) {
        rc = ndb_crawl_state_save(r->state, &e);
    }
    if (rc != NDB_OK && r->fatal == NDB_OK) {
        r->fatal = rc;
        r->fatal_err = e;
    }
    r->since_commit = 0;
    return rc;
}

static void crawl_done_robots(crawl_run *r, crawl_job *j, CURLcode cc, long status)
{
    crawl_host *h = &r->hosts[j->host];
    ndb_rc rc;
    if (cc == CURLE_OK && status >= 200 && status < 300) {
        rc = ndb_crawl_robots_parse(j->body.p, j->body.n, r->ua, &h->robots);
    } else if (cc == CURLE_OK && status >= 400 && status < 500) {
        rc = ndb_crawl_robots_all(true, &h->robots); /* no robots.txt: all allowed */
    } else {
        crawl_report(r, "%s: %s; nothing of %s is fetched (RFC 9309)", j->url,
                     cc != CURLE_OK ? (j->errbuf[0] ? j->errbuf : curl_easy_strerror(cc))
                                    : "server error",
                     h->origin);
        r->st->errors++;
        rc = ndb_crawl_robots_all(false, &h->robots);
    }
    if (rc != NDB_OK && r->fatal == NDB_OK) {
        r->fatal = ndb_err_set(&r->fatal_err, rc, "out of memory");
        return;
    }
    double d = ndb_crawl_robots_delay(h->robots);
    if (d > h->delay) {
        h->delay = NDB_MIN(d, CRAWL_MAX_DELAY);
    }
}

static void crawl_done_feed(crawl_run *r, crawl_job *j, long status)
{
    ndb_crawl_links links;
    ndb_err e;
    size_t fi = j->feed;
    if (status == 304) {
        r->st->feeds_unchanged++;
        return;
    }
    ndb_crawl_links_init(&links);
    if (ndb_crawl_feed_parse(j->body.p, j->body.n, j->url, &links, &e) != NDB_OK) {
        crawl_report(r, "%s: %s", j->url, e.msg);
        r->st->errors++;
        return;
    }
    r->st->feeds++;
    if (fi) {
        crawl_feed *f = &r->feeds[fi - 1];
        f->ok = true;
        snprintf(f->etag, sizeof f->etag, "%s", j->etag);
        snprintf(f->lm, sizeof f->lm, "%s", j->lm);
    }
    for (size_t i = 0; i < links.n && r->fatal == NDB_OK; i++) {
        ndb_rc rc;
        if (links.kind == NDB_CRAWL_SITEMAP_INDEX) {
            if (j->depth + 1 > CRAWL_MAX_SITEMAP_DEPTH) {
                crawl_report(r, "%s: sitemap index nested deeper than %d levels", j->url,
                             CRAWL_MAX_SITEMAP_DEPTH);
                r->st->errors++;
                break;
            }
            rc = crawl_add_job(r, JOB_FEED, links.v[i].url, NULL, NULL, 0, j->depth + 1);
        } else {
            rc = crawl_add_page(r, links.v[i].url, links.v[i].title, links.v[i].date, fi);
        }
        if (rc != NDB_OK) {
            r->fatal = ndb_err_set(&r->fatal_err, rc, "out of memory");
        }
    }
    ndb_crawl_links_fini(&links);
}

/* Replace line 1 of an extracted record with url into b. */
static ndb_rc crawl_set_url(const ndb_extracted *x, const char *url, ndb_buf *b)
{
    const char *nl = memchr(x->native, '\n', x->native_len);
    ndb_rc rc;
    if (nl == NULL) {
        return NDB_EPARSE;
    }
    rc = ndb_buf_append_str(b, url);
    if (rc == NDB_OK) {
        rc = ndb_buf_append(b, nl, x->native_len - (size_t)(nl - x->native));
    }
    return rc;
}

static bool crawl_is_html(const char *ct)
{
    if (ct == NULL || *ct == 0) {
        return true; /* no type: let the extractor sniff */
    }
    return strncasecmp(ct, "text/html", 9) == 0 ||
           strncasecmp(ct, "application/xhtml+xml", 21) == 0;
}

/* Extract and add a page; false when it failed (reported). */
static bool crawl_done_page(crawl_run *r, crawl_job *j, long status, const char *ctype)
{
    ndb_extracted *x = NULL;
    ndb_meta m;
    ndb_add_result res;
    ndb_buf rec;
    ndb_err e;
    ndb_rc rc;
    bool ok = false;
    if (status == 304) {
        r->st->not_modified++;
        return true;
    }
    r->st->fetched++;
    if (!crawl_is_html(ctype)) {
        crawl_report(r, "%s: not an HTML page (Content-Type %s)", j->url, ctype);
        r->st->errors++;
        return false;
    }
    rc = ndb_extract_html(j->body.p, j->body.n, j->url, ctype, &x, &e);
    if (rc != NDB_OK) {
        crawl_report(r, "%s: %s", j->url, e.msg);
        r->st->errors++;
        return false;
    }
    ndb_buf_init(&rec, NDB_BUF_NOMAX);
    rc = crawl_set_url(x, j->url, &rec);
    memset(&m, 0, sizeof m);
    m.title = *x->title ? x->title : j->title;
    m.date = *x->date ? x->date : j->date;
    /* m.lang NULL: the writer detects the language from the text (CLD2) */
    if (rc == NDB_OK) {
        rc = ndb_writer_add_native(r->w, j->url, rec.p, rec.n, &m, 0, &res, &e);
    }
    if (rc == NDB_EPARSE || rc == NDB_ELIMIT) {
        crawl_report(r, "%s", e.msg);
        r->st->errors++;
    } else if (rc != NDB_OK) {
        if (r->fatal == NDB_OK) {
            r->fatal = rc;
            r->fatal_err = e;
        }
    } else {
        ok = true;
        if (res.status == NDB_ADDED) {
            r->st->added++;
        } else if (res.status == NDB_UPDATED) {
            r->st->updated++;
        } else {
            r->st->duplicates++;
        }
        if (res.status != NDB_DUPLICATE) {
            r->since_commit++;
        }
        rc = ndb_crawl_state_put(r->state, j->url, j->etag, j->lm, (int64_t)time(NULL));
        if (rc != NDB_OK && r->fatal == NDB_OK) {
            r->fatal = ndb_err_set(&r->fatal_err, rc, "out of memory");
        }
    }
    ndb_buf_fini(&rec);
    ndb_extracted_free(x);
    return ok;
}

/* A transfer ended: retry, or hand the response to its kind. */
static void crawl_done(crawl_run *r, crawl_job *j, CURLcode cc, uint64_t now)
{
    long status = 0;
    char *ct = NULL;
    bool ok = true;
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &ct);
    r->st->bytes += j->body.n;
    char ctype[256];
    snprintf(ctype, sizeof ctype, "%s", ct ? ct : "");
    curl_multi_remove_handle(r->multi, j->easy);
    curl_easy_cleanup(j->easy);
    j->easy = NULL;
    for (unsigned i = 0; i < r->active; i++) {
        if (r->run[i] == j) {
            r->run[i] = r->run[--r->active];
            break;
        }
    }
    r->hosts[j->host].active--;
    if (crawl_retryable(cc, status) && j->attempts <= r->o->retries) {
        uint64_t wait = (uint64_t)r->backoff_ms * 1000000ull << NDB_MIN(j->attempts - 1, 10u);
        wait = NDB_MAX(wait, (uint64_t)j->retry_after * 1000000000ull);
        j->not_before = now + wait;
        r->st->retries++;
        if (crawl_push(r, j) != NDB_OK && r->fatal == NDB_OK) {
            r->fatal = ndb_err_set(&r->fatal_err, NDB_ENOMEM, "out of memory");
            crawl_job_free(j);
        }
        return;
    }
    if (j->kind == JOB_ROBOTS) {
        crawl_done_robots(r, j, cc, status);
    } else if (cc != CURLE_OK || (status != 304 && (status < 200 || status > 299))) {
        if (j->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
            crawl_report(r, "%s: response over the %llu-byte limit (skipped)", j->url,
                         (unsigned long long)r->max_bytes);
        } else if (cc != CURLE_OK) {
            crawl_report(r, "%s: %s", j->url, j->errbuf[0] ? j->errbuf : curl_easy_strerror(cc));
        } else {
            crawl_report(r, "%s: HTTP %ld", j->url, status);
        }
        r->st->errors++;
        ok = false;
    } else if (j->kind == JOB_FEED) {
        crawl_done_feed(r, j, status);
    } else {
        ok = crawl_done_page(r, j, status, ctype);
    }
    if (!ok && j->feed) {
        r->feeds[j->feed - 1].failed = true;
    }
    crawl_job_free(j);
}

/* ---------------------------------------------------------------- inputs */

/* Call fn for each URL line of path (trimmed; empty lines and # comments skipped). */
static ndb_rc crawl_read_list(crawl_run *r, const char *path, job_kind kind, ndb_err *err)
{
    uint8_t *data = NULL;
    size_t n = 0, pos = 0;
    uint64_t line = 0;
    ndb_rc rc = ndb_vfs_read_file(ndb_vfs_default(), path, (size_t)1 << 30, &data, &n, err);
    while (rc == NDB_OK && pos < n) {
        const uint8_t *nl = memchr(data + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - data) : n, a = pos, b = end;
        line++;
        pos = end + 1;
        while (a < b && (data[a] == ' ' || data[a] == '\t')) {
            a++;
        }
        while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r')) {
            b--;
        }
        if (a == b || data[a] == '#') {
            continue;
        }
        char *u = ndb_strndup((const char *)data + a, b - a);
        if (u == NULL) {
            rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
            break;
        }
        if (kind == JOB_FEED) {
            if (r->nfeeds == r->fcap) {
                size_t ncap = r->fcap ? r->fcap * 2 : 16;
                crawl_feed *nv = ndb_realloc(r->feeds, ncap * sizeof *nv);
                if (nv == NULL) {
                    ndb_free(u);
                    rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
                    break;
                }
                r->feeds = nv;
                r->fcap = ncap;
            }
            memset(&r->feeds[r->nfeeds], 0, sizeof r->feeds[0]);
            r->feeds[r->nfeeds].url = u;
            r->nfeeds++;
            rc = crawl_add_job(r, JOB_FEED, u, NULL, NULL, r->nfeeds, 0);
        } else {
            rc = crawl_add_page(r, u, NULL, NULL, 0);
            ndb_free(u);
        }
        if (rc != NDB_OK) {
            rc = ndb_err_set(err, rc, "%s:%llu: out of memory", path, (unsigned long long)line);
        }
    }
    ndb_free(data);
    return rc;
}

/* ---------------------------------------------------------------- the run */

static void crawl_progress(crawl_run *r, uint64_t now, bool force)
{
    if (r->o->progress && (force || now - r->last_draw >= CRAWL_DRAW_NS)) {
        r->last_draw = now;
        r->o->progress(r->o->ctx, r->st, r->npend + r->active);
    }
}

static ndb_rc crawl_loop(crawl_run *r)
{
    while ((r->npend > 0 || r->active > 0) && r->fatal == NDB_OK) {
        uint64_t now = ndb_now_ns(), wait_ns;
        int running = 0, left = 0, ready = 0;
        CURLMsg *msg;
        ndb_rc rc = crawl_start_ready(r, now, &wait_ns);
        if (rc != NDB_OK) {
            return ndb_err_set(&r->fatal_err, rc, "cannot start a transfer: out of memory");
        }
        curl_multi_perform(r->multi, &running);
        int ms = (int)(wait_ns / 1000000ull);
        curl_multi_poll(r->multi, NULL, 0, r->active ? NDB_MIN(ms, 100) : NDB_MAX(ms, 1),
                        &ready);
        curl_multi_perform(r->multi, &running);
        while ((msg = curl_multi_info_read(r->multi, &left)) != NULL) {
            crawl_job *j = NULL;
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            crawl_done(r, j, msg->data.result, ndb_now_ns());
        }
        if (r->since_commit >= (r->o->commit_every ? r->o->commit_every : 500)) {
            (void)crawl_commit(r);
        }
        crawl_progress(r, ndb_now_ns(), false);
    }
    return r->fatal;
}

static void crawl_cleanup(crawl_run *r)
{
    for (size_t i = 0; i < r->npend; i++) {
        crawl_job_free(r->pending[i]);
    }
    ndb_free(r->pending);
    for (size_t i = 0; i < r->nhosts; i++) {
        ndb_free(r->hosts[i].origin);
        ndb_crawl_robots_free(r->hosts[i].robots);
    }
    ndb_free(r->hosts);
    for (size_t i = 0; i < r->nfeeds; i++) {
        ndb_free(r->feeds[i].url);
    }
    ndb_free(r->feeds);
    ndb_free(r->seen_h);
    ndb_free(r->run);
    ndb_crawl_state_free(r->state);
    if (r->multi) {
        curl_multi_cleanup(r->multi);
    }
}

/* Abort transfers still in flight (after a fatal error). */
static void crawl_abort(crawl_run *r)
{
    for (unsigned i = 0; i < r->active; i++) {
        crawl_job *j = r->run[i];
        curl_multi_remove_handle(r->multi, j->easy);
        curl_easy_cleanup(j->easy);
        j->easy = NULL;
        crawl_job_free(j);
    }
    r->active = 0;
}

ndb_rc ndb_crawl_run(ndb_writer *w, const ndb_crawl_opts *o, ndb_crawl_stats *st,
                     ndb_err *err)
{
    crawl_run r;
    ndb_crawl_stats local;
    ndb_rc rc;
    ndb_err_clear(err);
    if (st == NULL) {
        st = &local;
    }
    memset(st, 0, sizeof *st);
    if (o == NULL || o->db_dir == NULL ||
        (o->feeds_file == NULL && o->urls_file == NULL && o->sitemap_url == NULL)) {
        return ndb_err_set(err, NDB_EINVAL, "crawl: give a feed list, a URL list or a sitemap");
    }
    memset(&r, 0, sizeof r);
    r.w = w;
    r.o = o;
    r.st = st;
    snprintf(r.ua, sizeof r.ua, "%s",
             o->user_agent ? o->user_agent
                           : "newsdb/" NDB_VERSION_STRING " (+https://github.com/newsdb/newsdb)");
    r.delay = o->delay < 0 ? 1.0 : NDB_MIN(o->delay, CRAWL_MAX_DELAY);
    r.max_conn = o->max_conn ? o->max_conn : 8;
    r.per_host = o->per_host ? o->per_host : 2;
    r.timeout_ms = o->timeout_ms ? o->timeout_ms : 30000;
    r.backoff_ms = o->backoff_ms ? o->backoff_ms : 500;
    r.max_bytes = o->max_bytes ? o->max_bytes : (8u << 20);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return ndb_err_set(err, NDB_ENOMEM, "crawl: cannot initialise libcurl");
    }
    r.run = ndb_calloc(r.max_conn, sizeof *r.run);
    rc = r.run ? ndb_crawl_state_load(o->db_dir, &r.state, err)
               : ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && (r.multi = curl_multi_init()) == NULL) {
        rc = ndb_err_set(err, NDB_ENOMEM, "crawl: cannot initialise libcurl");
    }
    if (rc == NDB_OK && o->feeds_file) {
        rc = crawl_read_list(&r, o->feeds_file, JOB_FEED, err);
    }
    if (rc == NDB_OK && o->urls_file) {
        rc = crawl_read_list(&r, o->urls_file, JOB_PAGE, err);
    }
    if (rc == NDB_OK && o->sitemap_url) {
        rc = crawl_add_job(&r, JOB_FEED, o->sitemap_url, NULL, NULL, 0, 0);
        if (rc != NDB_OK) {
            ndb_err_set(err, rc, "out of memory");
        }
    }
    if (rc == NDB_OK) {
        ndb_err_clear(&r.fatal_err);
        rc = crawl_loop(&r);
        if (rc != NDB_OK && err) {
            *err = r.fatal_err;
        }
    }
    crawl_abort(&r);
    if (rc == NDB_OK) {
        /* feeds whose pages all went through keep their validators for the next poll */
        for (size_t i = 0; i < r.nfeeds && rc == NDB_OK; i++) {
            crawl_feed *f = &r.feeds[i];
            if (f->ok && !f->failed && (f->etag[0] || f->lm[0])) {
                rc = ndb_crawl_state_put(r.state, f->url, f->etag, f->lm, (int64_t)time(NULL));
            }
        }
        if (rc == NDB_OK) {
            rc = crawl_commit(&r);
            if (rc != NDB_OK && err) {
                *err = r.fatal_err;
            }
        }
        crawl_progress(&r, ndb_now_ns(), true);
    }
    crawl_cleanup(&r);
    curl_global_cleanup();
    return rc;
}
