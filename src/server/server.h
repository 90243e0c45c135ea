/*
** server.h — `newsdb serve`: the HTTP JSON API and the web UI over one archive.
**
** What: an HTTP/1.1 server on libmicrohttpd (a thread pool of `threads` workers) answering
** GET /api/... with JSON computed through the public API (include/newsdb.h) only, and / with
** the web UI (web/, built by Vite, embedded into the binary at build time: web_assets.c is
** generated from web/dist by tools/embed_web.sh; when npm was not available it is empty and
** / explains how to build it). Endpoints and shapes: docs/http-api.md.
**
** Why shaped so: the server is a program (layer 9) like the CLI, so it proves the public API
** is enough. Every request opens its own snapshot (a consistent committed state, however
** `newsdb add` is writing meanwhile) with the per-request time budget on it, and closes it
** when the response is done. Nothing from a request ever names a file: routes are a fixed
** table, static assets an embedded table.
**
** Files: request.c parses the raw request URI (path, query string, percent-decoding, UTF-8,
** limits) and typed parameters — the part fuzzed by fuzz/fuzz_request.c; http.c is the
** libmicrohttpd glue (routing, errors, streaming, assets, ingest); api.c the endpoints.
**
** Threading: ndb_srv_start returns after the daemon listens; requests run on the pool
** threads; ndb_srv_stop waits for them. The ndb_db is shared (it is thread-safe).
*/
#ifndef NDB_SERVER_SERVER_H
#define NDB_SERVER_SERVER_H

#include "newsdb.h"

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- limits */

#define SRV_URI_MAX 8192u         /* request line target: longer is 414 */
#define SRV_QUERY_MAX 4096u       /* a query parameter's bytes after decoding */
#define SRV_PARAMS_MAX 32u        /* parameters in one query string */
#define SRV_WINDOW_MAX 10000u     /* offset + limit of a search */
#define SRV_BODY_MAX (16u << 20)  /* ingest request body */
#define SRV_BUDGET_MS 10000u      /* default per-request time budget */

/* ---------------------------------------------------------------- requests */

typedef struct srv_param {
    const char *key, *val; /* decoded, NUL-terminated, valid UTF-8 without NUL bytes */
} srv_param;

typedef struct srv_request {
    const char *path;      /* decoded path, starts with '/' */
    size_t nparams;
    srv_param params[SRV_PARAMS_MAX];
    char *mem;             /* owns every string above */
} srv_request;

/* Parse a raw request target ("/api/search?q=a%20b&limit=5"). Errors (NDB_EPARSE, or
** NDB_ELIMIT for size bounds) name the fault: bad percent escape, invalid UTF-8, NUL byte,
** duplicate or empty parameter name, too many parameters, too long. On error r holds
** nothing (fini is still allowed). */
ndb_rc ndb_srv_request_parse(const char *uri, size_t n, srv_request *r, ndb_err *err);
void ndb_srv_request_fini(srv_request *r);

/* Value of a parameter, or NULL when absent. */
const char *ndb_srv_param(const srv_request *r, const char *key);
/* Fail (NDB_EPARSE "unknown parameter 'x' (known: a, b)") when a parameter is not in the
** NULL-terminated list keys. */
ndb_rc ndb_srv_params_allow(const srv_request *r, const char *const *keys, ndb_err *err);
/* Decimal in [min, max]; dflt when absent. */
ndb_rc ndb_srv_param_u32(const srv_request *r, const char *key, uint32_t dflt, uint32_t min,
                         uint32_t max, uint32_t *out, ndb_err *err);
/* The whole string v is a decimal <= max (digits only, no sign or blanks). */
bool ndb_srv_parse_u32(const char *v, uint32_t max, uint32_t *out);
/* An article id from a path (/api/article/{id}, /api/reuse/{id}): NDB_EPARSE "bad article
** id '...' (a whole number)" otherwise. */
ndb_rc ndb_srv_path_id(const char *id, uint32_t *out, ndb_err *err);
/* 1/true/yes/on or 0/false/no/off (or empty: true); dflt when absent. */
ndb_rc ndb_srv_param_bool(const srv_request *r, const char *key, bool dflt, bool *out,
                          ndb_err *err);
/* YYYY-MM-DD; NDB_DATE_NONE when absent or empty. */
ndb_rc ndb_srv_param_date(const srv_request *r, const char *key, int32_t *out, ndb_err *err);
/* Index of the value in the NULL-terminated names; dflt when absent. */
ndb_rc ndb_srv_param_enum(const srv_request *r, const char *key, const char *const *names,
                          int dflt, int *out, ndb_err *err);
/* A query text: required (or NULL when absent and !required), at most SRV_QUERY_MAX bytes,
** not only blanks. */
ndb_rc ndb_srv_param_query(const srv_request *r, const char *key, bool required,
                           const char **out, ndb_err *err);

/* ---------------------------------------------------------------- server */

typedef struct ndb_srv_opts {
    const char *db_path;
    const char *listen;   /* "HOST:PORT" (IPv4 literal or "localhost"); port 0 = any */
    unsigned threads;     /* worker threads (0: 4) */
    uint32_t budget_ms;   /* per-request time budget (0: SRV_BUDGET_MS) */
    bool allow_write;     /* enable POST /api/ingest */
    const char *token;    /* required bearer token of POST /api/ingest */
} ndb_srv_opts;

typedef struct ndb_srv ndb_srv;

/* Open the archive and start listening. *out OWNED: ndb_srv_stop. */
ndb_rc ndb_srv_start(const ndb_srv_opts *opt, ndb_srv **out, ndb_err *err);
/* The port actually bound (when the option asked for 0). */
uint16_t ndb_srv_port(const ndb_srv *s);
/* Whether the web UI was embedded at build time. */
bool ndb_srv_has_ui(void);
/* Stop listening, wait for running requests, close the archive. Accepts NULL. */
void ndb_srv_stop(ndb_srv *s);

#endif /* NDB_SERVER_SERVER_H */
