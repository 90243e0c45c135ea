/*
** items.c — one handle over every input format `newsdb add` takes (see items.h): picks the
** format (given, or sniffed from the file name and first bytes), then hands out native
** records with their meta, converting on the way.
**
** Shape: a tagged union over the readers (ndb_doc_source for native files / directories /
** tar, ndb_doc_tab for JSONL / CSV, ndb_doc_warc for WARC); next() forwards and, for
** native sources and WARC, runs HTML pages through the extractor (items_html.c). A native
** record is sniffed as HTML when, after a BOM, whitespace and comments, it starts with
** "<!doctype html", "<html", "<head", "<body", "<meta", "<title", or "<?xml" followed by
** "<html" (a native record starts with its URL, never with '<'). The
** stored `source` of an extracted page is its file / member name (native sources) or
** "FILE@OFFSET" (WARC).
**
** Threading: a handle belongs to one thread.
*/
#include "doc/html.h"
#include "doc/items_int.h"

#include <libpsl.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const items_fmt_names[] = {"auto", "native", "jsonl", "csv", "warc"};

bool ndb_doc_fmt_parse(const char *s, ndb_doc_fmt *out)
{
    for (size_t i = 0; i < sizeof items_fmt_names / sizeof items_fmt_names[0]; i++) {
        if (strcmp(s, items_fmt_names[i]) == 0) {
            *out = (ndb_doc_fmt)i;
            return true;
        }
    }
    return false;
}

const char *ndb_doc_fmt_name(ndb_doc_fmt f)
{
    return (unsigned)f < sizeof items_fmt_names / sizeof items_fmt_names[0]
               ? items_fmt_names[f]
               : "?";
}

bool ndb_doc_sniff_html(const uint8_t *p, size_t n)
{
    static const char *const tags[] = {"<!doctype html", "<html", "<head", "<body", "<meta",
                                       "<title", "<?xml"};
    size_t i = 0, lim = NDB_MIN(n, (size_t)4096);
    if (lim >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        i = 3;
    }
    for (;;) {
        while (i < lim && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
            i++;
        }
        if (i + 4 <= lim && memcmp(p + i, "<!--", 4) == 0) { /* leading comments */
            const uint8_t *e = memmem(p + i + 4, lim - i - 4, "-->", 3);
            if (e == NULL) {
                return false;
            }
            i = (size_t)(e - p) + 3;
            continue;
        }
        break;
    }
    for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++) {
        size_t tl = strlen(tags[k]);
        if (i + tl <= lim && strncasecmp((const char *)p + i, tags[k], tl) == 0) {
            if (k == 6) { /* XHTML: an <html somewhere in the head of the file */
                return memmem(p + i, lim - i, "<html", 5) != NULL;
            }
            return true;
        }
    }
    return false;
}

/* A mirror layout (wget -m / -x, httrack): a name "www.bbc.co.uk/news/x.html" whose first
** component is a host name with a public suffix gives "http://www.bbc.co.uk/news/x.html";
** "" otherwise (one component only, digits-only last label as in "v1.2", no registrable
** domain, bytes a URL line cannot hold). */
static const char *items_mirror_url(const char *name, char *buf, size_t cap)
{
    const char *slash = strchr(name, '/');
    size_t hl = slash ? (size_t)(slash - name) : 0;
    char outlet[NDB_DOC_OUTLET_MAX];
    const char *dot = NULL;
    buf[0] = 0;
    if (hl == 0 || hl > 253 || slash[1] == 0) {
        return buf;
    }
    for (size_t i = 0; i < hl; i++) {
        char c = name[i];
        if (c == '.') {
            dot = name + i;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-')) {
            return buf;
        }
    }
    if (dot == NULL || name + hl - dot < 3) {
        return buf;
    }
    for (const char *q = dot + 1; q < name + hl; q++) {
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))) {
            return buf;
        }
    }
    for (const char *q = name; *q; q++) {
        if ((unsigned char)*q <= 0x20 || *q == 0x7f) {
            return buf;
        }
    }
    /* the last label must be a real top-level domain ("backup" in "old.backup" is not) */
    char tld[64];
    size_t tl = (size_t)(name + hl - dot - 1);
    const psl_ctx_t *psl = psl_builtin();
    if (tl >= sizeof tld || psl == NULL) {
        return buf;
    }
    for (size_t i = 0; i < tl; i++) {
        tld[i] = (char)(dot[1 + i] | 0x20);
    }
    tld[tl] = 0;
    if (!psl_is_public_suffix2(psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE)) {
        return buf;
    }
    int k = snprintf(buf, cap, "http://%s", name);
    if (k < 0 || (size_t)k >= cap ||
        ndb_doc_outlet(buf, (size_t)k, outlet, sizeof outlet) != NDB_OK || outlet[0] == 0) {
        buf[0] = 0;
    }
    return buf;
}

struct ndb_doc_items {
    ndb_doc_fmt fmt;
    ndb_doc_source *src;
    ndb_doc_tab *tab;
    ndb_doc_warc *warc;
    ndb_doc_html_conv *html; /* extraction state for native sources and WARC */
    char saved_from[4096];
};

/* Where a saved page came from (ndb_html_saved_from: a browser's "saved from url=" mark or
** SingleFile's comment) into buf; "" when there is none. */
static const char *items_saved_from(const uint8_t *p, size_t n, char *buf, size_t cap)
{
    if (!ndb_html_saved_from(p, n, buf, cap)) {
        buf[0] = 0;
    }
    return buf;
}

void ndb_doc_items_close(ndb_doc_items *s)
{
    if (s == NULL) {
        return;
    }
    ndb_doc_source_close(s->src);
    ndb_doc_tab_close(s->tab);
    ndb_doc_warc_close(s->warc);
    ndb_doc_html_conv_free(s->html);
    ndb_free(s);
}

static bool items_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The format of a path by its name and first (decompressed) bytes. */
static ndb_doc_fmt items_detect(const char *path)
{
    static const char *const jsonl[] = {".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"};
    ndb_doc_in in;
    uint8_t head[8];
    size_t k = 0;
    for (size_t i = 0; i < sizeof jsonl / sizeof jsonl[0]; i++) {
        if (items_ends_with(path, jsonl[i])) {
            return NDB_DOC_FMT_JSONL;
        }
    }
    if (items_ends_with(path, ".csv") || items_ends_with(path, ".csv.gz")) {
        return NDB_DOC_FMT_CSV;
    }
    struct stat sb;
    /* stdin and pipes are tar streams (reading them here would eat their first bytes);
    ** errors are the source's to tell */
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        ndb_doc_in_open(&in, path, NULL) != NDB_OK) {
        return NDB_DOC_FMT_NATIVE;
    }
    while (k < sizeof head) {
        int c = ndb_doc_in_getc(&in);
        if (c < 0) {
            break;
        }
        head[k++] = (uint8_t)c;
    }
    ndb_doc_in_close(&in);
    if (k >= 5 && memcmp(head, "WARC/", 5) == 0) {
        return NDB_DOC_FMT_WARC;
    }
    return NDB_DOC_FMT_NATIVE;
}

ndb_rc ndb_doc_items_open(const char *path, ndb_doc_fmt fmt, ndb_doc_items **out, ndb_err *err)
{
    ndb_doc_items *s = ndb_calloc(1, sizeof *s);
    ndb_rc rc;
    *out = NULL;
    if (s == NULL) {
        return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", path);
    }
    if (fmt == NDB_DOC_FMT_AUTO) {
        fmt = items_detect(path);
    }
    s->fmt = fmt;
    switch (fmt) {
    case NDB_DOC_FMT_JSONL:
    case NDB_DOC_FMT_CSV:
        rc = ndb_doc_tab_open(path, fmt, &s->tab, err);
        break;
    case NDB_DOC_FMT_WARC:
        rc = ndb_doc_html_conv_new(&s->html, err);
        if (rc == NDB_OK) {
            rc = ndb_doc_warc_open(path, &s->warc, err);
        }
        break;
    default:
        rc = ndb_doc_html_conv_new(&s->html, err);
        if (rc == NDB_OK) {
            rc = ndb_doc_source_open(path, &s->src, err);
        }
        break;
    }
    if (rc != NDB_OK) {
        ndb_doc_items_close(s);
        return rc;
    }
    *out = s;
    return NDB_OK;
}

bool ndb_doc_items_failed(const ndb_doc_items *s)
{
    if (s->tab) {
        return ndb_doc_tab_failed(s->tab);
    }
    if (s->warc) {
        return ndb_doc_warc_failed(s->warc);
    }
    return ndb_doc_source_failed(s->src);
}

uint64_t ndb_doc_items_bytes_in(const ndb_doc_items *s)
{
    if (s->tab) {
        return ndb_doc_tab_bytes_in(s->tab);
    }
    if (s->warc) {
        return ndb_doc_warc_bytes_in(s->warc);
    }
    return ndb_doc_source_bytes_in(s->src);
}

uint64_t ndb_doc_items_ignored(const ndb_doc_items *s)
{
    return s->warc ? ndb_doc_warc_ignored(s->warc) : 0;
}

uint64_t ndb_doc_items_revisits(const ndb_doc_items *s)
{
    return s->warc ? ndb_doc_warc_revisits(s->warc) : 0;
}

static ndb_rc items_next_warc(ndb_doc_items *s, ndb_doc_item *it, ndb_err *err)
{
    ndb_doc_warc_page pg;
    ndb_rc rc = ndb_doc_warc_next(s->warc, &pg, err);
    if (rc != NDB_OK) {
        return rc;
    }
    return ndb_doc_html_conv_run(s->html, &pg, it, err);
}

static ndb_rc items_next_source(ndb_doc_items *s, ndb_doc_item *it, ndb_err *err)
{
    const char *name;
    const uint8_t *p;
    size_t n;
    ndb_rc rc = ndb_doc_source_next(s->src, &name, &p, &n, err);
    if (rc != NDB_OK) {
        return rc;
    }
    if (ndb_doc_sniff_html(p, n)) {
        ndb_doc_warc_page pg;
        memset(&pg, 0, sizeof pg);
        pg.uri = items_saved_from(p, n, s->saved_from, sizeof s->saved_from);
        if (*pg.uri == 0) {
            pg.uri = items_mirror_url(name, s->saved_from, sizeof s->saved_from);
        }
        pg.warc_date = "";
        pg.content_type = "";
        pg.body = p;
        pg.body_n = n;
        pg.offset = UINT64_MAX; /* not a WARC record: name the file */
        pg.file = name;
        return ndb_doc_html_conv_run(s->html, &pg, it, err);
    }
    it->name = name;
    it->p = p;
    it->n = n;
    it->meta = NULL;
    return NDB_OK;
}

ndb_rc ndb_doc_items_next(ndb_doc_items *s, ndb_doc_item *it, ndb_err *err)
{
    ndb_err_clear(err);
    memset(it, 0, sizeof *it);
    if (s->tab) {
        return ndb_doc_tab_next(s->tab, it, err);
    }
    if (s->warc) {
        return items_next_warc(s, it, err);
    }
    return items_next_source(s, it, err);
}
