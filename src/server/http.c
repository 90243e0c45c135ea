/*
** http.c — the libmicrohttpd side of `newsdb serve`: daemon life cycle, routing, responses.
**
** Per request: libmicrohttpd's URI-log hook keeps the raw target (srv_conn); the handler
** parses it (request.c), routes on the exact decoded path, opens a snapshot of the newest
** commit with the time budget, runs the endpoint and sends its JSON, or an error
** {error, message, column?} with the status of the ndb_rc (srv_status). GET and HEAD only,
** except POST /api/ingest (only with allow_write, and then only with the bearer token).
**
** Streaming: /api/export collects the matching ids (4 bytes each) under the budget, then
** formats one article at a time in the response's reader callback (no result cap).
** Static files come from the embedded table only; the UI's routes (a fixed list: /search,
** /timeline, ..., /article/ID) get index.html; anything else is 404.
*/
#include "server/srv_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct ndb_srv {
    struct MHD_Daemon *d;
    ndb_db *db;
    uint32_t budget_ms;
    bool allow_write;
    char *token;
    uint16_t port;
    pthread_mutex_t write_mu; /* one ingest at a time from this process */
};

typedef struct srv_conn {
    char *uri;       /* raw target; NULL when it was too long */
    bool too_long;
    bool seen;       /* POST: the handler saw the headers */
    bool body_over;  /* POST body above SRV_BODY_MAX */
    ndb_buf body;
} srv_conn;

/* ---------------------------------------------------------------- responses */

static enum MHD_Result srv_send(struct MHD_Connection *c, unsigned status, const char *type,
                                char *text, size_t n, bool no_store)
{
    /* text: from jansson or ndb_malloc; libmicrohttpd frees it with free() / ndb_free */
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(n, text, ndb_free);
    if (!r) {
        ndb_free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (no_store)
        MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static int srv_dump_cb(const char *p, size_t n, void *ctx)
{
    return ndb_buf_append(ctx, p, n) == NDB_OK ? 0 : -1;
}

static enum MHD_Result srv_send_json(struct MHD_Connection *c, unsigned status, json_t *o)
{
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    int bad = !o || json_dump_callback(o, srv_dump_cb, &b, JSON_COMPACT) != 0 ||
              ndb_buf_cstr(&b) != NDB_OK;
    json_decref(o);
    if (bad) {
        ndb_buf_fini(&b);
        return MHD_NO;
    }
    size_t n = b.n;
    char *text = (char *)ndb_buf_detach(&b, &n);
    return srv_send(c, status, "application/json; charset=utf-8", text, n, true);
}

/* HTTP status and error code of a failed call. */
static unsigned srv_status(ndb_rc rc, const char *msg, const char **code)
{
    switch (rc) {
    case NDB_EPARSE:
    case NDB_EINVAL:
        *code = "bad_request";
        return 400;
    case NDB_ENOTFOUND:
        *code = "not_found";
        return 404;
    case NDB_ELIMIT:
        if (strstr(msg, "time budget")) {
            *code = "timeout";
            return 503;
        }
        *code = "limit";
        return 422;
    case NDB_EBUSY:
        *code = "busy";
        return 409;
    case NDB_ENOMEM:
        *code = "out_of_memory";
        return 503;
    default:
        *code = "internal";
        return 500;
    }
}

static enum MHD_Result srv_send_error(struct MHD_Connection *c, unsigned status,
                                      const char *code, const char *msg)
{
    json_t *o = json_pack("{s:s, s:o}", "error", code, "message", ndb_srv_json_str(msg));
    unsigned col = 0;
    if (o && sscanf(msg, "column %u:", &col) == 1)
        json_object_set_new(o, "column", json_integer(col));
    return srv_send_json(c, status, o);
}

static enum MHD_Result srv_send_err(struct MHD_Connection *c, ndb_rc rc, const ndb_err *err)
{
    const char *code;
    const char *msg = err->msg[0] ? err->msg : ndb_strerror(rc);
    unsigned status = srv_status(rc, msg, &code);
    return srv_send_error(c, status, code, msg);
}

/* ---------------------------------------------------------------- export */

typedef struct srv_export {
    ndb_snapshot *snap;
    uint32_t *ids; /* matches, or NULL for every live article */
    size_t n, i, cap;
    uint32_t nversions;
    bool csv, header;
    ndb_buf out;
    size_t off;
} srv_export;

static int srv_export_id(void *ctx, uint32_t id)
{
    srv_export *e = ctx;
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 4096;
        uint32_t *p = ndb_realloc(e->ids, cap * sizeof *p);
        if (!p)
            return 1;
        e->ids = p;
        e->cap = cap;
    }
    e->ids[e->n++] = id;
    return 0;
}

static void srv_export_free(void *cls)
{
    srv_export *e = cls;
    ndb_snapshot_close(e->snap);
    ndb_free(e->ids);
    ndb_buf_fini(&e->out);
    ndb_free(e);
}

/* Fill e->out with the next article (or the CSV header); false at the end or on error. */
static bool srv_export_next(srv_export *e, bool *failed)
{
    ndb_buf_reset(&e->out);
    e->off = 0;
    if (e->csv && !e->header) {
        e->header = true;
        const char *h = ndb_doc_csv_header();
        size_t n = strlen(h);
        return ndb_buf_append(&e->out, h, n) == NDB_OK &&
               (n && h[n - 1] == '\n' ? NDB_OK : ndb_buf_append_str(&e->out, "\n")) == NDB_OK;
    }
    for (;;) {
        size_t lim = e->ids ? e->n : e->nversions;
        if (e->i >= lim)
            return false;
        uint32_t id = e->ids ? e->ids[e->i] : (uint32_t)e->i;
        e->i++;
        ndb_doc *d = NULL;
        char *s = NULL;
        size_t len = 0;
        ndb_rc rc = ndb_get(e->snap, id, &d, NULL);
        if (rc == NDB_OK && !e->ids && !d->live) {
            ndb_doc_free(d);
            continue;
        }
        if (rc == NDB_OK)
            rc = ndb_doc_format(d, e->csv ? NDB_FMT_CSV : NDB_FMT_JSON, &s, &len);
        if (rc == NDB_OK)
            rc = ndb_buf_append(&e->out, s, len);
        if (rc == NDB_OK && (len == 0 || s[len - 1] != '\n'))
            rc = ndb_buf_append_str(&e->out, "\n");
        ndb_free_mem(s);
        ndb_doc_free(d);
        if (rc != NDB_OK)
            *failed = true;
        return rc == NDB_OK;
    }
}

static ssize_t srv_export_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    srv_export *e = cls;
    bool failed = false;
    NDB_UNUSED(pos);
    while (e->off >= e->out.n) {
        if (!srv_export_next(e, &failed))
            return failed ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t k = e->out.n - e->off < max ? e->out.n - e->off : max;
    memcpy(buf, e->out.p + e->off, k);
    e->off += k;
    return (ssize_t)k;
}

static enum MHD_Result srv_export_start(ndb_srv *s, struct MHD_Connection *c, const srv_request *r)
{
    static const char *const keys[] = {"q", "format", NULL};
    static const char *const fmts[] = {"jsonl", "csv", NULL};
    const char *q = NULL;
    int fmt = 0;
    ndb_err err;
    ndb_stats st;
    srv_export *e = ndb_calloc(1, sizeof *e);
    if (!e)
        return MHD_NO;
    ndb_buf_init(&e->out, NDB_BUF_NOMAX);
    ndb_rc rc = ndb_srv_params_allow(r, keys, &err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", false, &q, &err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_enum(r, "format", fmts, 0, &fmt, &err);
    if (rc == NDB_OK)
        rc = ndb_snapshot_open(s->db, &e->snap, &err);
    if (rc == NDB_OK) {
        ndb_snapshot_set_budget(e->snap, s->budget_ms);
        rc = ndb_snapshot_stats(e->snap, &st, &err);
        e->nversions = (uint32_t)st.versions;
    }
    if (rc == NDB_OK && q) {
        rc = ndb_match_each(e->snap, q, srv_export_id, e, &err);
        if (rc == NDB_OK && !e->ids) /* no match: an empty list, not "everything" */
            e->ids = ndb_malloc(sizeof *e->ids);
        if (rc == NDB_OK && !e->ids)
            rc = ndb_err_set(&err, NDB_ENOMEM, "out of memory");
    }
    if (rc != NDB_OK) {
        srv_export_free(e);
        return srv_send_err(c, rc, &err);
    }
    ndb_snapshot_set_budget(e->snap, 0); /* the stream itself has no cap */
    e->csv = fmt == 1;
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 64 * 1024, srv_export_read, e, srv_export_free);
    if (!resp) {
        srv_export_free(e);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", e->csv ? "text/csv; charset=utf-8"
                                                         : "application/x-ndjson; charset=utf-8");
    MHD_add_response_header(resp, "Content-Disposition",
                            e->csv ? "attachment; filename=\"newsdb-export.csv\""
                                   : "attachment; filename=\"newsdb-export.jsonl\"");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---------------------------------------------------------------- ingest */

static bool srv_token_ok(const ndb_srv *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0 || !s->token)
        return false;
    h += 7;
    size_t n = strlen(h), m = strlen(s->token);
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < m; i++) /* constant time over the token */
        diff |= (unsigned char)(s->token[i] ^ (i < n ? h[i] : 0));
    return diff == 0;
}

static enum MHD_Result srv_ingest(ndb_srv *s, struct MHD_Connection *c, const srv_request *r,
                                  const ndb_buf *body)
{
    static const char *const keys[] = {"url", "outlet", "date", "title", "lang", "strict", NULL};
    static const char *const names[] = {"added", "updated", "duplicate"};
    ndb_meta meta = {ndb_srv_param(r, "url"), ndb_srv_param(r, "outlet"),
                     ndb_srv_param(r, "date"), ndb_srv_param(r, "title"),
                     ndb_srv_param(r, "lang")};
    bool strict = false;
    ndb_add_result res;
    ndb_writer *w = NULL;
    ndb_err err;
    ndb_rc rc = ndb_srv_params_allow(r, keys, &err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_bool(r, "strict", false, &strict, &err);
    if (rc == NDB_OK && body->n == 0)
        rc = ndb_err_set(&err, NDB_EPARSE, "ingest: empty body (send one native-format article)");
    if (rc != NDB_OK)
        return srv_send_err(c, rc, &err);
    pthread_mutex_lock(&s->write_mu);
    rc = ndb_writer_open(s->db, &w, &err);
    if (rc == NDB_OK)
        rc = ndb_writer_add_native(w, "request body", body->p, body->n, &meta, strict, &res,
                                   &err);
    if (rc == NDB_OK)
        rc = ndb_writer_commit(w, &err);
    ndb_writer_close(w);
    pthread_mutex_unlock(&s->write_mu);
    if (rc != NDB_OK)
        return srv_send_err(c, rc, &err);
    return srv_send_json(c, 200, json_pack("{s:s, s:I, s:b}", "status", names[res.status], "id",
                                           (json_int_t)res.id, "count_mismatch",
                                           res.count_mismatch));
}

/* ---------------------------------------------------------------- static UI */

static const char srv_no_ui[] =
    "<!doctype html><meta charset=utf-8><title>newsdb</title>"
    "<body style=\"font:16px system-ui,sans-serif;max-width:40em;margin:3em auto\">"
    "<h1>newsdb</h1><p>The web UI was not built into this binary (building it needs node and "
    "npm). Run <code>make web all</code> in the source tree, then restart "
    "<code>newsdb serve</code>.</p><p>The JSON API works: try <a href=\"/api/stats\">"
    "/api/stats</a>; see docs/http-api.md.</p>";

static enum MHD_Result srv_static(struct MHD_Connection *c, const char *path)
{
    const srv_asset *a = NULL;
    for (size_t i = 0; i < ndb_srv_nassets && !a; i++)
        if (strcmp(ndb_srv_assets[i].path, path) == 0)
            a = &ndb_srv_assets[i];
    static const char *const routes[] = {"/",      "/search",  "/timeline", "/outlets",
                                         "/terms", "/compare", "/article",  NULL};
    bool route = strncmp(path, "/article/", 9) == 0 && path[9] && !strchr(path + 9, '/');
    for (int i = 0; routes[i] && !route; i++)
        route = strcmp(path, routes[i]) == 0;
    if (!a && route) { /* a UI route: the app */
        for (size_t i = 0; i < ndb_srv_nassets && !a; i++)
            if (strcmp(ndb_srv_assets[i].path, "/index.html") == 0)
                a = &ndb_srv_assets[i];
        if (!a) {
            char *t = ndb_strdup(srv_no_ui);
            return t ? srv_send(c, 200, "text/html; charset=utf-8", t, strlen(t), true) : MHD_NO;
        }
    }
    if (!a)
        return srv_send_error(c, 404, "not_found", "no such file");
    struct MHD_Response *r = MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data,
                                                             MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", a->type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", strncmp(a->path, "/assets/", 8) == 0
                                                    ? "public, max-age=31536000, immutable"
                                                    : "no-cache");
    if (strstr(a->type, "text/html"))
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                "frame-ancestors 'none'");
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

bool ndb_srv_has_ui(void)
{
    return ndb_srv_nassets > 0;
}

/* ---------------------------------------------------------------- routing */

static enum MHD_Result srv_route(ndb_srv *s, struct MHD_Connection *c, const srv_request *r,
                                 bool post, const ndb_buf *body)
{
    ndb_err err;
    ndb_err_clear(&err);
    if (strcmp(r->path, "/api/ingest") == 0) {
        if (!post)
            return srv_send_error(c, 405, "method_not_allowed", "ingest: use POST");
        if (!s->allow_write)
            return srv_send_error(c, 403, "forbidden",
                                  "the server is read-only (start it with --allow-write and "
                                  "--token-file)");
        if (!srv_token_ok(s, c))
            return srv_send_error(c, 401, "unauthorized",
                                  "ingest: missing or wrong 'Authorization: Bearer TOKEN'");
        return srv_ingest(s, c, r, body);
    }
    if (post)
        return srv_send_error(c, 405, "method_not_allowed",
                              "only GET and HEAD (POST only for /api/ingest)");
    if (strncmp(r->path, "/api/", 5) != 0 && strcmp(r->path, "/api") != 0)
        return srv_static(c, r->path);
    if (strcmp(r->path, "/api/export") == 0)
        return srv_export_start(s, c, r);
    const srv_endpoint *ep = NULL;
    const char *id = NULL;
    for (size_t i = 0; i < ndb_srv_nendpoints && !ep; i++)
        if (strcmp(ndb_srv_endpoints[i].path, r->path) == 0)
            ep = &ndb_srv_endpoints[i];
    bool reuse = false;
    if (!ep && strncmp(r->path, "/api/article/", 13) == 0)
        id = r->path + 13;
    else if (!ep && strncmp(r->path, "/api/reuse/", 11) == 0)
        id = r->path + 11, reuse = true;
    if (!ep && !id) {
        ndb_err_set(&err, NDB_ENOTFOUND, "no endpoint %.200s (see docs/http-api.md)", r->path);
        return srv_send_err(c, NDB_ENOTFOUND, &err);
    }
    ndb_snapshot *snap = NULL;
    json_t *out = NULL;
    ndb_rc rc = ndb_snapshot_open(s->db, &snap, &err);
    if (rc == NDB_OK) {
        ndb_snapshot_set_budget(snap, s->budget_ms);
        rc = ep      ? ep->fn(snap, r, &out, &err)
             : reuse ? ndb_srv_ep_reuse_id(snap, id, r, &out, &err)
                     : ndb_srv_ep_article_id(snap, id, r, &out, &err);
    }
    ndb_snapshot_close(snap);
    if (rc != NDB_OK)
        return srv_send_err(c, rc, &err);
    return srv_send_json(c, 200, out);
}

static enum MHD_Result srv_handle(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    ndb_srv *s = cls;
    srv_conn *sc = *con_cls;
    srv_request r;
    ndb_err err;
    NDB_UNUSED(url);
    NDB_UNUSED(version);
    if (!sc)
        return srv_send_error(c, 503, "out_of_memory", "out of memory");
    bool post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return srv_send_error(c, 405, "method_not_allowed", "only GET, HEAD and POST");
    if (post && (!sc->seen || *upload_size)) {
        if (!sc->seen) {
            sc->seen = true;
            ndb_buf_init(&sc->body, SRV_BODY_MAX);
            return MHD_YES;
        }
        if (ndb_buf_append(&sc->body, upload, *upload_size) != NDB_OK)
            sc->body_over = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (sc->too_long)
        return srv_send_error(c, 414, "limit", "request: URL too long");
    if (sc->body_over)
        return srv_send_error(c, 413, "limit", "request: body larger than 16 MiB");
    ndb_rc rc = ndb_srv_request_parse(sc->uri, strlen(sc->uri), &r, &err);
    if (rc != NDB_OK)
        return srv_send_err(c, rc, &err);
    enum MHD_Result ok = srv_route(s, c, &r, post, &sc->body);
    ndb_srv_request_fini(&r);
    return ok;
}

static void *srv_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    NDB_UNUSED(cls);
    NDB_UNUSED(c);
    srv_conn *sc = ndb_calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    size_t n = strlen(uri);
    if (n > SRV_URI_MAX)
        sc->too_long = true;
    else if (!(sc->uri = ndb_strndup(uri, n))) {
        ndb_free(sc);
        return NULL;
    }
    return sc;
}

static void srv_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
    srv_conn *sc = *con_cls;
    NDB_UNUSED(cls);
    NDB_UNUSED(c);
    NDB_UNUSED(toe);
    if (sc) {
        ndb_free(sc->uri);
        ndb_buf_fini(&sc->body);
        ndb_free(sc);
    }
    *con_cls = NULL;
}

/* ---------------------------------------------------------------- life cycle */

static ndb_rc srv_parse_listen(const char *s, struct sockaddr_in *sa, ndb_err *err)
{
    const char *colon = strrchr(s, ':');
    char host[64];
    unsigned long port = 0;
    char *end = NULL;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return ndb_err_set(err, NDB_EINVAL, "bad --listen '%s' (HOST:PORT, e.g. 127.0.0.1:8080)", s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535)
        return ndb_err_set(err, NDB_EINVAL, "bad port in --listen '%s' (0..65535)", s);
    if (strcmp(host, "localhost") == 0 || !*host)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return ndb_err_set(err, NDB_EINVAL, "bad address in --listen '%s' (an IPv4 address)", s);
    sa->sin_port = htons((uint16_t)port);
    return NDB_OK;
}

ndb_rc ndb_srv_start(const ndb_srv_opts *opt, ndb_srv **out, ndb_err *err)
{
    struct sockaddr_in sa;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    if (opt->allow_write && (!opt->token || strlen(opt->token) < 16))
        return ndb_err_set(err, NDB_EINVAL, "--allow-write needs a token of 16 or more bytes");
    rc = srv_parse_listen(opt->listen ? opt->listen : "127.0.0.1:8080", &sa, err);
    if (rc != NDB_OK)
        return rc;
    ndb_srv *s = ndb_calloc(1, sizeof *s);
    if (!s)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    pthread_mutex_init(&s->write_mu, NULL);
    s->budget_ms = opt->budget_ms ? opt->budget_ms : SRV_BUDGET_MS;
    s->allow_write = opt->allow_write;
    if (opt->token && !(s->token = ndb_strdup(opt->token))) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto fail;
    }
    rc = ndb_open(opt->db_path, NULL, &s->db, err);
    if (rc != NDB_OK)
        goto fail;
    unsigned threads = opt->threads ? opt->threads : 4;
    s->d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, ntohs(sa.sin_port), NULL, NULL, srv_handle, s,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        threads > 1 ? threads : 0, MHD_OPTION_URI_LOG_CALLBACK, srv_uri_log, s,
        MHD_OPTION_NOTIFY_COMPLETED, srv_completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
    if (!s->d) {
        rc = ndb_err_set(err, NDB_EIO, "cannot listen on %s (address in use, or not allowed)",
                         opt->listen ? opt->listen : "127.0.0.1:8080");
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    *out = s;
    return NDB_OK;
fail:
    ndb_srv_stop(s);
    return rc;
}

uint16_t ndb_srv_port(const ndb_srv *s)
{
    return s->port;
}

void ndb_srv_stop(ndb_srv *s)
{
    if (!s)
        return;
    if (s->d)
        MHD_stop_daemon(s->d);
    ndb_close(s->db);
    ndb_free(s->token);
    pthread_mutex_destroy(&s->write_mu);
    ndb_free(s);
}
