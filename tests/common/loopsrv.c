/* loopsrv.c — see loopsrv.h. */
#include "common/loopsrv.h"

#include <arpa/inet.h>
#include <brotli/encode.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define TL_LOG_MAX 4096

struct tl_server {
    struct MHD_Daemon *d;
    tl_route *routes;
    size_t n;
    pthread_mutex_t mu;
    char *log_path[TL_LOG_MAX];
    uint64_t log_t[TL_LOG_MAX];
    size_t nlog;
};

static uint64_t tl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct tl_huge {
    uint64_t left;
} tl_huge;

static ssize_t tl_huge_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    tl_huge *h = cls;
    (void)pos;
    if (h->left == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t k = max < h->left ? max : (size_t)h->left;
    for (size_t i = 0; i < k; i++)
        buf[i] = (char)("<p>lorem ipsum dolor sit amet, filler text. </p>\n"[(pos + i) % 48]);
    h->left -= k;
    return (ssize_t)k;
}

static void tl_huge_free(void *cls)
{
    free(cls);
}

typedef struct tl_chunk {
    char *p;
    size_t n, off;
} tl_chunk;

static ssize_t tl_chunk_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    tl_chunk *c = cls;
    (void)pos;
    if (c->off >= c->n)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t k = c->n - c->off;
    if (k > max)
        k = max;
    if (k > 700)
        k = 700; /* several chunks */
    memcpy(buf, c->p + c->off, k);
    c->off += k;
    return (ssize_t)k;
}

static void tl_chunk_free(void *cls)
{
    tl_chunk *c = cls;
    free(c->p);
    free(c);
}

static char *tl_gzip(const char *p, size_t n, size_t *out_n)
{
    z_stream z;
    size_t cap = n + 1024;
    char *out = malloc(cap);
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out_n = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static enum MHD_Result tl_handle(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_size, void **con_cls)
{
    tl_server *s = cls;
    tl_route *r = NULL;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int status;
    (void)method;
    (void)version;
    (void)upload_data;
    (void)upload_size;
    if (*con_cls == NULL) { /* first call per request: headers only */
        *con_cls = (void *)1;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->mu);
    if (s->nlog < TL_LOG_MAX) {
        s->log_path[s->nlog] = strdup(url);
        s->log_t[s->nlog] = tl_now();
        s->nlog++;
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->routes[i].path && strcmp(s->routes[i].path, url) == 0)
            r = &s->routes[i];
    if (r)
        r->hits++;
    pthread_mutex_unlock(&s->mu);
    if (!r) {
        resp = MHD_create_response_from_buffer(9, (void *)"not found", MHD_RESPMEM_PERSISTENT);
        ret = MHD_queue_response(c, 404, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (r->delay_ms)
        usleep(r->delay_ms * 1000u);
    if (r->fail_first && r->hits <= r->fail_first) {
        resp = MHD_create_response_from_buffer(4, (void *)"busy", MHD_RESPMEM_PERSISTENT);
        if (r->retry_after)
            MHD_add_response_header(resp, "Retry-After", r->retry_after);
        ret = MHD_queue_response(c, 503, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Modified-Since");
    if ((r->etag && inm && strcmp(inm, r->etag) == 0) ||
        (!r->etag && r->last_modified && ims && strcmp(ims, r->last_modified) == 0)) {
        r->not_modified++;
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (r->etag)
            MHD_add_response_header(resp, "ETag", r->etag);
        ret = MHD_queue_response(c, 304, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    size_t n = r->body ? (r->len ? r->len : strlen(r->body)) : 0;
    if (r->huge) {
        tl_huge *h = malloc(sizeof *h);
        h->left = r->huge;
        resp = MHD_create_response_from_callback(r->chunked ? MHD_SIZE_UNKNOWN : r->huge,
                                                 65536, tl_huge_read, h, tl_huge_free);
    } else {
        char *body;
        size_t bn = n;
        const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
        bool br = r->brotli && ae && strstr(ae, "br") != NULL;
        if (r->gzip) {
            body = tl_gzip(r->body, n, &bn);
        } else if (br) {
            bn = BrotliEncoderMaxCompressedSize(n) + 64;
            body = malloc(bn);
            if (!BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, n, (const uint8_t *)r->body, &bn,
                                       (uint8_t *)body))
                bn = 0;
            pthread_mutex_lock(&s->mu);
            r->brotli_sent++;
            pthread_mutex_unlock(&s->mu);
        } else {
            body = malloc(n ? n : 1);
            memcpy(body, r->body ? r->body : "", n);
        }
        if (r->chunked) {
            tl_chunk *ch = malloc(sizeof *ch);
            ch->p = body;
            ch->n = bn;
            ch->off = 0;
            resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, tl_chunk_read, ch,
                                                     tl_chunk_free);
        } else {
            resp = MHD_create_response_from_buffer(bn, body, MHD_RESPMEM_MUST_FREE);
        }
        if (r->gzip)
            MHD_add_response_header(resp, "Content-Encoding", "gzip");
        if (br)
            MHD_add_response_header(resp, "Content-Encoding", "br");
    }
    MHD_add_response_header(resp, "Content-Type",
                            r->ctype ? r->ctype : "text/html; charset=utf-8");
    if (r->etag)
        MHD_add_response_header(resp, "ETag", r->etag);
    if (r->last_modified)
        MHD_add_response_header(resp, "Last-Modified", r->last_modified);
    if (r->location)
        MHD_add_response_header(resp, "Location", r->location);
    status = r->status ? r->status : 200;
    ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

tl_server *tl_start(tl_route *routes, size_t n)
{
    tl_server *s = calloc(1, sizeof *s);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(0x7f000001);
    sa.sin_port = 0;
    s->routes = routes;
    s->n = n;
    pthread_mutex_init(&s->mu, NULL);
    s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                            0, NULL, NULL, tl_handle, s, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    if (!s->d) {
        free(s);
        return NULL;
    }
    return s;
}

unsigned tl_port(const tl_server *s)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

size_t tl_log_count(tl_server *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->nlog;
    pthread_mutex_unlock(&s->mu);
    return n;
}

bool tl_log_get(tl_server *s, size_t i, char *path, size_t cap, uint64_t *t_ns)
{
    bool ok = false;
    pthread_mutex_lock(&s->mu);
    if (i < s->nlog) {
        snprintf(path, cap, "%s", s->log_path[i]);
        *t_ns = s->log_t[i];
        ok = true;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void tl_stop(tl_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    for (size_t i = 0; i < s->nlog; i++)
        free(s->log_path[i]);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
