/* A loopback HTTP server for tests (libmicrohttpd, in-process, thread per connection):
   a table of routes with status, type, body, ETag / Last-Modified (answering conditional
   GETs with 304), redirects, delays, transient failures, gzip, chunked and endless bodies.
   Every request is logged (path, arrival time) so tests can check politeness. */
#ifndef NDB_TESTS_COMMON_LOOPSRV_H
#define NDB_TESTS_COMMON_LOOPSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tl_route {
    const char *path;          /* exact request path, query string excluded */
    int status;                /* 0: 200 */
    const char *ctype;         /* NULL: "text/html; charset=utf-8" */
    const char *body;          /* NUL-terminated unless len is set */
    size_t len;
    const char *etag;          /* sent; If-None-Match equal -> 304 */
    const char *last_modified; /* sent; If-Modified-Since equal -> 304 */
    const char *location;      /* Location header (redirects) */
    unsigned delay_ms;         /* wait before answering */
    uint64_t huge;             /* > 0: stream this many bytes of "<p>xxxx..." instead of body */
    bool chunked;              /* send body with chunked transfer coding */
    bool gzip;                 /* gzip body, Content-Encoding: gzip */
    bool brotli;               /* brotli body, Content-Encoding: br, when the request's
                                  Accept-Encoding names br (else the body as is) */
    unsigned brotli_sent;      /* br-encoded answers sent (written by the server) */
    unsigned fail_first;       /* answer 503 to the first N requests */
    const char *retry_after;   /* Retry-After header sent with those 503s */
    unsigned hits;             /* requests seen (written by the server) */
    unsigned not_modified;     /* 304s sent */
} tl_route;

typedef struct tl_server tl_server;

/* Start on 127.0.0.1, a free port. routes stays owned by the caller and may be changed
   between requests. NULL when the server cannot start. */
tl_server *tl_start(tl_route *routes, size_t n);
unsigned tl_port(const tl_server *s);
/* Requests logged so far; times are ndb_now_ns-compatible (CLOCK_MONOTONIC). */
size_t tl_log_count(tl_server *s);
bool tl_log_get(tl_server *s, size_t i, char *path, size_t cap, uint64_t *t_ns);
void tl_stop(tl_server *s);

#endif
