/*
** warc.c — WARC files (ISO 28500, versions 0.x/1.0/1.1): the HTML pages of their response
** records, HTTP decoded, for the extractor.
**
** Shape: a hand-written record parser over ndb_doc_in (so plain files, one gzip member per
** record as crawlers write them, and whole-file gzip all read the same; memory is one
** record). A record is
**     WARC/1.x CRLF, named fields "Name: value" CRLF ..., CRLF, Content-Length bytes, CRLF CRLF
** We keep WARC-Type, WARC-Target-URI (angle brackets of WARC 0.x dropped), WARC-Date and
** Content-Length. `response` records hold an HTTP message: status line + headers (parsed
** here: status, Content-Type, Content-Encoding, Transfer-Encoding), then the body, which
** ndb_doc_http_decode un-chunks and decompresses. `resource` records with an HTML
** Content-Type are the body itself. Everything else (warcinfo, request, metadata,
** conversion, non-2xx responses, non-HTML bodies) is skipped and counted as ignored.
** `revisit` records are counted apart (ndb_doc_warc_revisits) and not added: such a record
** says that a capture's payload repeats an earlier response (WARC-Refers-To, profiles
** identical-payload-digest and server-not-modified) and mostly holds no body; the article
** is the earlier response's, added when that record was read (in this file or an earlier
** crawl's). Re-reading the earlier record by WARC-Refers-To would add the same text again,
** under the same URL (a re-crawl) or another one (a duplicate).
**
** Bounds and errors (per record, "FILE@OFFSET: what", OFFSET = the record's first byte in
** the decompressed stream; the reader goes on with the next record):
**   - header block over 64 KiB, missing/bad Content-Length, a line that is not "WARC/..."
**     where a record must start (the reader then resynchronizes at the next line starting
**     with "WARC/");
**   - a block over NDB_WARC_MAX_BLOCK (32 MiB): skipped by streaming, never held;
**   - a record cut short by the end of the file ("truncated record": Content-Length N,
**     only M bytes);
**   - HTTP messages without a status line / header end, bad chunked framing, bodies that
**     do not decompress or decompress past NDB_DOC_MAX_BYTES (gzip bombs stop there).
** A corrupt gzip stream is fatal (failed() turns true) after the records before it.
**
** Threading: a handle belongs to one thread.
*/
#include "doc/items_int.h"

#include <brotli/decode.h>
#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <zstd.h>

#define WARC_MAX_HEADER (64u << 10)
#define NDB_WARC_MAX_BLOCK (32u << 20)
#define WARC_MAX_URI 8192

struct ndb_doc_warc {
    ndb_doc_in in;
    bool failed;
    ndb_err fail;
    uint64_t ignored;
    uint64_t revisits;   /* revisit records (not pages: see the top comment) */
    bool resync;         /* skip to the next line starting with "WARC/" */
    ndb_buf hdr;         /* the WARC header block */
    ndb_buf block;       /* the record block */
    ndb_buf body;        /* decoded HTTP body */
    char uri[WARC_MAX_URI];
    char date[16];
    char ctype[256];
};

bool ndb_doc_warc_failed(const ndb_doc_warc *w)
{
    return w->failed;
}

uint64_t ndb_doc_warc_bytes_in(const ndb_doc_warc *w)
{
    return ndb_doc_in_bytes_in(&w->in);
}

uint64_t ndb_doc_warc_ignored(const ndb_doc_warc *w)
{
    return w->ignored;
}

uint64_t ndb_doc_warc_revisits(const ndb_doc_warc *w)
{
    return w->revisits;
}

void ndb_doc_warc_close(ndb_doc_warc *w)
{
    if (w == NULL) {
        return;
    }
    ndb_doc_in_close(&w->in);
    ndb_buf_fini(&w->hdr);
    ndb_buf_fini(&w->block);
    ndb_buf_fini(&w->body);
    ndb_free(w);
}

static ndb_doc_warc *warc_alloc(void)
{
    ndb_doc_warc *w = ndb_calloc(1, sizeof *w);
    if (w != NULL) {
        ndb_buf_init(&w->hdr, WARC_MAX_HEADER);
        ndb_buf_init(&w->block, NDB_WARC_MAX_BLOCK);
        ndb_buf_init(&w->body, NDB_DOC_MAX_BYTES);
    }
    return w;
}

ndb_rc ndb_doc_warc_open(const char *path, ndb_doc_warc **out, ndb_err *err)
{
    ndb_doc_warc *w = warc_alloc();
    ndb_rc rc;
    *out = NULL;
    if (w == NULL) {
        return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", path);
    }
    rc = ndb_doc_in_open(&w->in, path, err);
    if (rc != NDB_OK) {
        ndb_doc_warc_close(w);
        return rc;
    }
    *out = w;
    return NDB_OK;
}

ndb_rc ndb_doc_warc_open_mem(const char *name, const uint8_t *p, size_t n, ndb_doc_warc **out,
                             ndb_err *err)
{
    ndb_doc_warc *w = warc_alloc();
    ndb_rc rc;
    *out = NULL;
    if (w == NULL) {
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    }
    rc = ndb_doc_in_open_mem(&w->in, name, p, n, err);
    if (rc != NDB_OK) {
        ndb_doc_warc_close(w);
        return rc;
    }
    *out = w;
    return NDB_OK;
}

static ndb_rc warc_fail(ndb_doc_warc *w, ndb_err *err)
{
    if (!w->failed) {
        w->failed = true;
        w->fail = w->in.err;
    }
    if (err) {
        *err = w->fail;
    }
    return w->fail.rc;
}

/* ---------------------------------------------------------------- header fields */

/* Value of field `name` in a header block p[0..n) of "Name: value\r\n" lines (the first
** line, a status or version line, is skipped), trimmed, into out[cap] (truncated). */
static bool warc_field(const uint8_t *p, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name), pos = 0;
    const uint8_t *e = memchr(p, '\n', n);
    if (e == NULL) {
        return false;
    }
    pos = (size_t)(e - p) + 1;
    while (pos < n) {
        const uint8_t *le = memchr(p + pos, '\n', n - pos);
        size_t end = le ? (size_t)(le - p) : n, v, ve;
        if (end - pos > nl && p[pos + nl] == ':' &&
            strncasecmp((const char *)p + pos, name, nl) == 0) {
            v = pos + nl + 1;
            ve = end;
            while (v < ve && (p[v] == ' ' || p[v] == '\t')) {
                v++;
            }
            while (ve > v && isspace(p[ve - 1])) {
                ve--;
            }
            size_t k = NDB_MIN(ve - v, cap - 1);
            memcpy(out, p + v, k);
            out[k] = 0;
            return true;
        }
        pos = end + 1;
    }
    return false;
}

/* Parse a decimal length; false when not all digits or too large. */
static bool warc_len(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    if (*s == 0) {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10) {
            return false;
        }
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return true;
}

static bool warc_is_html_type(const char *ct)
{
    while (*ct == ' ') {
        ct++;
    }
    return strncasecmp(ct, "text/html", 9) == 0 ||
           strncasecmp(ct, "application/xhtml+xml", 21) == 0;
}

/* ---------------------------------------------------------------- HTTP body decoding */

/* Undo chunked transfer coding of p[0..n) into out. */
static ndb_rc http_unchunk(const uint8_t *p, size_t n, ndb_buf *out, const char **why)
{
    size_t pos = 0;
    for (;;) {
        uint64_t size = 0;
        int digits = 0;
        while (pos < n && isxdigit(p[pos])) {
            int c = p[pos];
            int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
            if (++digits > 15) {
                *why = "chunk size too large";
                return NDB_EPARSE;
            }
            size = size * 16 + (uint64_t)d;
            pos++;
        }
        if (digits == 0) {
            *why = "bad chunk size line";
            return NDB_EPARSE;
        }
        const uint8_t *le = memchr(p + pos, '\n', n - pos); /* skip extensions */
        if (le == NULL) {
            *why = "chunked body cut short";
            return NDB_EPARSE;
        }
        pos = (size_t)(le - p) + 1;
        if (size == 0) {
            return NDB_OK; /* trailers, if any, are not needed */
        }
        if (size > n - pos) {
            *why = "chunked body cut short";
            return NDB_EPARSE;
        }
        if (ndb_buf_append(out, p + pos, (size_t)size) != NDB_OK) {
            *why = "decoded body too large";
            return NDB_ELIMIT;
        }
        pos += (size_t)size;
        if (pos < n && p[pos] == '\r') {
            pos++;
        }
        if (pos < n && p[pos] == '\n') {
            pos++;
        }
    }
}

/* Inflate p[0..n) into out (bounded by out->max). window: 15+32 gzip or zlib, -15 raw. */
static ndb_rc http_inflate(const uint8_t *p, size_t n, int window, ndb_buf *out,
                           const char **why)
{
    z_stream z;
    uint8_t tmp[16384];
    int zr = Z_OK;
    ndb_rc rc = NDB_OK;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, window) != Z_OK) {
        *why = "cannot start zlib";
        return NDB_ENOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)NDB_MIN(n, (size_t)UINT32_MAX);
    while (zr != Z_STREAM_END) {
        z.next_out = tmp;
        z.avail_out = sizeof tmp;
        zr = inflate(&z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) {
            *why = zr == Z_BUF_ERROR ? "compressed body cut short" : "body does not decompress";
            rc = NDB_EPARSE;
            break;
        }
        if (ndb_buf_append(out, tmp, sizeof tmp - z.avail_out) != NDB_OK) {
            *why = "decompressed body over the size limit (a gzip bomb?)";
            rc = NDB_ELIMIT;
            break;
        }
        if (zr == Z_STREAM_END && z.avail_in > 8 && window > 0 && z.next_in[0] == 0x1f) {
            inflateReset(&z); /* concatenated gzip members */
            zr = Z_OK;
        }
    }
    inflateEnd(&z);
    return rc;
}

/* ce (a Content-Encoding value) is exactly the coding tok, spaces around ignored. */
static bool http_token_is(const char *ce, const char *tok)
{
    size_t k = strlen(tok);
    while (*ce == ' ' || *ce == '\t') {
        ce++;
    }
    if (strncasecmp(ce, tok, k) != 0) {
        return false;
    }
    for (ce += k; *ce == ' ' || *ce == '\t'; ce++) {
    }
    return *ce == '\0';
}

/* Brotli-decode p[0..n) into out (bounded by out->max). */
static ndb_rc http_unbrotli(const uint8_t *p, size_t n, ndb_buf *out, const char **why)
{
    BrotliDecoderState *st = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    uint8_t tmp[16384];
    const uint8_t *in = p;
    size_t avail_in = n;
    ndb_rc rc = NDB_OK;
    if (st == NULL) {
        *why = "out of memory (brotli)";
        return NDB_ENOMEM;
    }
    for (;;) {
        uint8_t *o = tmp;
        size_t avail_out = sizeof tmp;
        BrotliDecoderResult r =
            BrotliDecoderDecompressStream(st, &avail_in, &in, &avail_out, &o, NULL);
        if (ndb_buf_append(out, tmp, sizeof tmp - avail_out) != NDB_OK) {
            *why = "decompressed body over the size limit (a brotli bomb?)";
            rc = NDB_ELIMIT;
            break;
        }
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            break;
        }
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            *why = "compressed body cut short";
            rc = NDB_EPARSE;
            break;
        }
        if (r == BROTLI_DECODER_RESULT_ERROR) {
            *why = "body does not decompress (brotli)";
            rc = NDB_EPARSE;
            break;
        }
    }
    BrotliDecoderDestroyInstance(st);
    return rc;
}

/* zstd-decode p[0..n) (one or more frames) into out (bounded by out->max). */
static ndb_rc http_unzstd(const uint8_t *p, size_t n, ndb_buf *out, const char **why)
{
    ZSTD_DStream *zs = ZSTD_createDStream();
    uint8_t tmp[16384];
    ZSTD_inBuffer in = {p, n, 0};
    size_t last = 1;
    ndb_rc rc = NDB_OK;
    if (zs == NULL) {
        *why = "out of memory (zstd)";
        return NDB_ENOMEM;
    }
    (void)ZSTD_DCtx_setParameter(zs, ZSTD_d_windowLogMax, 27); /* 128 MiB window at most */
    while (in.pos < in.size || last != 0) {
        ZSTD_outBuffer o = {tmp, sizeof tmp, 0};
        size_t before = in.pos;
        last = ZSTD_decompressStream(zs, &o, &in);
        if (ZSTD_isError(last)) {
            *why = "body does not decompress (zstd)";
            rc = NDB_EPARSE;
            break;
        }
        if (ndb_buf_append(out, tmp, o.pos) != NDB_OK) {
            *why = "decompressed body over the size limit (a zstd bomb?)";
            rc = NDB_ELIMIT;
            break;
        }
        if (in.pos == in.size && o.pos < o.size && last != 0 && in.pos == before) {
            *why = "compressed body cut short";
            rc = NDB_EPARSE;
            break;
        }
    }
    ZSTD_freeDStream(zs);
    return rc;
}

ndb_rc ndb_doc_http_decode(const uint8_t *p, size_t n, const char *te, const char *ce,
                           ndb_buf *out, const char **why)
{
    ndb_buf tmp;
    ndb_rc rc = NDB_OK;
    bool chunked = te && strcasestr(te, "chunked") != NULL;
    bool gz = ce && (strcasestr(ce, "gzip") != NULL);
    bool defl = ce && !gz && strcasestr(ce, "deflate") != NULL;
    bool br = ce && !gz && !defl && http_token_is(ce, "br");
    bool zst = ce && !gz && !defl && http_token_is(ce, "zstd");
    ndb_buf_reset(out);
    if (ce && *ce && !gz && !defl && !br && !zst && strcasecmp(ce, "identity") != 0) {
        *why = "unsupported Content-Encoding";
        return NDB_EPARSE;
    }
    if (!gz && !defl && !br && !zst) {
        if (chunked) {
            return http_unchunk(p, n, out, why);
        }
        if (ndb_buf_append(out, p, n) != NDB_OK) {
            *why = "body too large";
            return NDB_ELIMIT;
        }
        return NDB_OK;
    }
    ndb_buf_init(&tmp, NDB_WARC_MAX_BLOCK);
    if (chunked) {
        rc = http_unchunk(p, n, &tmp, why);
        p = tmp.p;
        n = tmp.n;
    }
    if (rc == NDB_OK && (br || zst)) {
        rc = br ? http_unbrotli(p, n, out, why) : http_unzstd(p, n, out, why);
    } else if (rc == NDB_OK) {
        rc = http_inflate(p, n, gz ? 15 + 32 : 15, out, why);
        if (rc == NDB_EPARSE && defl) { /* "deflate" is raw deflate on some servers */
            ndb_buf_reset(out);
            rc = http_inflate(p, n, -15, out, why);
        }
    }
    ndb_buf_fini(&tmp);
    return rc;
}

/* ---------------------------------------------------------------- records */

/* Read one header line (up to and including LF) into w->hdr; false at end of input. */
static bool warc_line(ndb_doc_warc *w, bool *too_long)
{
    int c;
    bool any = false;
    while ((c = ndb_doc_in_getc(&w->in)) >= 0) {
        any = true;
        if (ndb_buf_append_u8(&w->hdr, (uint8_t)c) != NDB_OK) {
            *too_long = true;
        }
        if (c == '\n') {
            break;
        }
    }
    return any;
}

/* Skip n bytes; returns how many could be skipped. */
static uint64_t warc_skip(ndb_doc_warc *w, uint64_t n)
{
    uint64_t done = 0;
    while (done < n && ndb_doc_in_fill(&w->in)) {
        size_t k = (size_t)NDB_MIN((uint64_t)(w->in.end - w->in.p), n - done);
        w->in.p += k;
        w->in.pos += k;
        done += k;
    }
    return done;
}

/* Read n bytes into w->block (n <= its max); returns how many could be read. */
static uint64_t warc_read(ndb_doc_warc *w, uint64_t n)
{
    ndb_buf_reset(&w->block);
    while (w->block.n < n && ndb_doc_in_fill(&w->in)) {
        size_t k = (size_t)NDB_MIN((uint64_t)(w->in.end - w->in.p), n - w->block.n);
        if (ndb_buf_append(&w->block, w->in.p, k) != NDB_OK) {
            break;
        }
        w->in.p += k;
        w->in.pos += k;
    }
    return w->block.n;
}

/* Read the header block of the next record into w->hdr. NDB_ENOTFOUND at a clean end. */
static ndb_rc warc_header(ndb_doc_warc *w, uint64_t *off, ndb_err *err)
{
    bool too_long = false;
    int c;
    for (;;) { /* blank lines between records; resync skips whole lines */
        c = ndb_doc_in_peek(&w->in);
        if (c < 0) {
            return w->in.failed ? warc_fail(w, err) : NDB_ENOTFOUND;
        }
        if (c == '\r' || c == '\n') {
            (void)ndb_doc_in_getc(&w->in);
            continue;
        }
        if (!w->resync || c == 'W') {
            *off = w->in.pos;
            too_long = false;
            ndb_buf_reset(&w->hdr);
            if (!warc_line(w, &too_long)) {
                continue;
            }
            if (w->hdr.n >= 5 && memcmp(w->hdr.p, "WARC/", 5) == 0) {
                w->resync = false;
                break;
            }
            if (w->resync) {
                continue;
            }
            w->resync = true;
            return ndb_err_set(err, NDB_EPARSE,
                               "%s@%llu: not a WARC record (no \"WARC/\" version line); "
                               "skipping to the next record",
                               w->in.name, (unsigned long long)*off);
        }
        ndb_buf_reset(&w->hdr);
        (void)warc_line(w, &too_long);
    }
    while (!too_long) {
        size_t before = w->hdr.n;
        if (!warc_line(w, &too_long)) {
            if (w->in.failed) {
                return warc_fail(w, err);
            }
            return ndb_err_set(err, NDB_EPARSE, "%s@%llu: truncated record (in its header)",
                               w->in.name, (unsigned long long)*off);
        }
        size_t len = w->hdr.n - before;
        if (len <= 2 && (w->hdr.p[before] == '\n' || w->hdr.p[before] == '\r')) {
            return NDB_OK; /* the empty line ending the header */
        }
    }
    w->resync = true;
    return ndb_err_set(err, NDB_EPARSE, "%s@%llu: record header longer than %u bytes",
                       w->in.name, (unsigned long long)*off, WARC_MAX_HEADER);
}

/* The HTTP message of a response record in w->block -> page (or ignored). */
static ndb_rc warc_http(ndb_doc_warc *w, uint64_t off, ndb_doc_warc_page *pg, bool *ignore,
                        ndb_err *err)
{
    const uint8_t *p = w->block.p;
    size_t n = w->block.n, hend = 0;
    char te[128] = "", ce[128] = "";
    const char *why = NULL;
    int status = 0;
    for (size_t i = 0; i + 1 < n; i++) { /* end of headers: CRLF CRLF or LF LF */
        if (p[i] == '\n' && (p[i + 1] == '\n' || (p[i + 1] == '\r' && i + 2 < n &&
                                                  p[i + 2] == '\n'))) {
            hend = i + (p[i + 1] == '\n' ? 2 : 3);
            break;
        }
    }
    if (n < 12 || memcmp(p, "HTTP/", 5) != 0 || hend == 0) {
        return ndb_err_set(err, NDB_EPARSE, "%s@%llu: %s: response record without a complete "
                           "HTTP status line and headers",
                           w->in.name, (unsigned long long)off, w->uri);
    }
    {
        const uint8_t *sp = memchr(p, ' ', NDB_MIN(n, (size_t)16));
        if (sp && sp + 4 <= p + n && isdigit(sp[1]) && isdigit(sp[2]) && isdigit(sp[3])) {
            status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
        }
    }
    w->ctype[0] = 0;
    (void)warc_field(p, hend, "Content-Type", w->ctype, sizeof w->ctype);
    if (status < 200 || status > 299 || (w->ctype[0] && !warc_is_html_type(w->ctype))) {
        *ignore = true;
        return NDB_OK;
    }
    (void)warc_field(p, hend, "Transfer-Encoding", te, sizeof te);
    (void)warc_field(p, hend, "Content-Encoding", ce, sizeof ce);
    ndb_rc rc = ndb_doc_http_decode(p + hend, n - hend, te, ce, &w->body, &why);
    if (rc != NDB_OK) {
        return ndb_err_set(err, rc, "%s@%llu: %s: %s", w->in.name, (unsigned long long)off,
                           w->uri, why ? why : ndb_strerror(rc));
    }
    if (!w->ctype[0] && !ndb_doc_sniff_html(w->body.p, w->body.n)) {
        *ignore = true; /* no Content-Type and does not look like HTML */
        return NDB_OK;
    }
    pg->body = w->body.n ? w->body.p : (const uint8_t *)"";
    pg->body_n = w->body.n;
    return NDB_OK;
}

/* One record: NDB_OK with *got set when it is an HTML page. */
static ndb_rc warc_record(ndb_doc_warc *w, ndb_doc_warc_page *pg, bool *got, ndb_err *err)
{
    char type[64] = "", clen[32] = "", rctype[256] = "";
    uint64_t off = 0, len = 0, have;
    bool ignore = false;
    ndb_rc rc = warc_header(w, &off, err);
    if (rc != NDB_OK) {
        return rc;
    }
    w->uri[0] = 0;
    w->date[0] = 0;
    (void)warc_field(w->hdr.p, w->hdr.n, "WARC-Type", type, sizeof type);
    (void)warc_field(w->hdr.p, w->hdr.n, "Content-Type", rctype, sizeof rctype);
    if (!warc_field(w->hdr.p, w->hdr.n, "Content-Length", clen, sizeof clen) ||
        !warc_len(clen, &len)) {
        w->resync = true;
        return ndb_err_set(err, NDB_EPARSE, "%s@%llu: record without a valid Content-Length",
                           w->in.name, (unsigned long long)off);
    }
    if (warc_field(w->hdr.p, w->hdr.n, "WARC-Target-URI", w->uri, sizeof w->uri) &&
        w->uri[0] == '<') {
        size_t k = strlen(w->uri);
        memmove(w->uri, w->uri + 1, k);
        if (k >= 2 && w->uri[k - 2] == '>') {
            w->uri[k - 2] = 0;
        }
    }
    {
        char d[64] = "";
        int32_t days;
        if (warc_field(w->hdr.p, w->hdr.n, "WARC-Date", d, sizeof d) && strlen(d) >= 10 &&
            ndb_date_parse(d, 10, &days)) {
            memcpy(w->date, d, 10);
            w->date[10] = 0;
        }
    }
    bool resp = strcasecmp(type, "response") == 0;
    bool res = strcasecmp(type, "resource") == 0 && warc_is_html_type(rctype);
    if ((!resp && !res) || len > NDB_WARC_MAX_BLOCK) {
        have = warc_skip(w, len);
        if (have < len) {
            goto truncated;
        }
        if (!resp && !res) {
            if (strcasecmp(type, "revisit") == 0) {
                w->revisits++;
            } else {
                w->ignored++;
            }
            return NDB_OK;
        }
        return ndb_err_set(err, NDB_ELIMIT, "%s@%llu: %s: record of %llu bytes is over the "
                           "%u-byte limit (skipped)",
                           w->in.name, (unsigned long long)off, w->uri, (unsigned long long)len,
                           NDB_WARC_MAX_BLOCK);
    }
    have = warc_read(w, len);
    if (have < len) {
        goto truncated;
    }
    memset(pg, 0, sizeof *pg);
    if (resp) {
        rc = warc_http(w, off, pg, &ignore, err);
        if (rc != NDB_OK) {
            return rc;
        }
        if (ignore) {
            w->ignored++;
            return NDB_OK;
        }
    } else {
        snprintf(w->ctype, sizeof w->ctype, "%s", rctype);
        pg->body = w->block.n ? w->block.p : (const uint8_t *)"";
        pg->body_n = w->block.n;
    }
    pg->uri = w->uri;
    pg->warc_date = w->date;
    pg->content_type = w->ctype;
    pg->offset = off;
    pg->file = w->in.name;
    *got = true;
    return NDB_OK;
truncated:
    if (w->in.failed) {
        ndb_err_set(err, NDB_EPARSE, "%s@%llu: truncated record (Content-Length %llu, only "
                    "%llu bytes before the compressed data broke)",
                    w->in.name, (unsigned long long)off, (unsigned long long)len,
                    (unsigned long long)have);
        return NDB_EPARSE; /* the next call reports the stream's failure */
    }
    return ndb_err_set(err, NDB_EPARSE,
                       "%s@%llu: truncated record (Content-Length %llu, only %llu bytes left)",
                       w->in.name, (unsigned long long)off, (unsigned long long)len,
                       (unsigned long long)have);
}

ndb_rc ndb_doc_warc_next(ndb_doc_warc *w, ndb_doc_warc_page *pg, ndb_err *err)
{
    ndb_err_clear(err);
    memset(pg, 0, sizeof *pg);
    if (w->failed) {
        return warc_fail(w, err);
    }
    for (;;) {
        bool got = false;
        ndb_rc rc = warc_record(w, pg, &got, err);
        if (rc != NDB_OK || got) {
            return rc;
        }
    }
}
