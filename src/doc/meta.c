/*
** meta.c — side files: one JSON object per line giving per-article fields that override
** what the article itself yields (corpora *.meta.jsonl: file, url, outlet, date, title, ...).
**
** Shape: the whole file is read once; each line is parsed with jansson, checked, and its
** six known fields are copied into one string arena (NUL-terminated, offsets while loading,
** pointers once the arena stops growing). Two open-addressing hash tables (linear probing,
** xxh3 via ndb_hash64, power-of-two size >= 2x the lines, slot = line index + 1, 0 empty)
** map url and file to the first line that has them. Unknown keys are ignored.
**
** Invariants:
**   1. Every line in `lines` passed the checks: an object whose known fields are strings
**      or null, without NUL bytes; date, when present, is a valid YYYY-MM-DD.
**   2. A "file" value is stored with any leading "./" removed; lookups strip it too, so
**      "./bbc/x.txt" and "bbc/x.txt" meet.
**   3. Tables never fill: load factor <= 1/2, so a probe always ends at an empty slot.
**
** Threading: load builds a private handle; find marks lines, so one thread at a time.
*/
#include "doc/doc.h"

#include <jansson.h>
#include <stdio.h>

#define META_MAX_FILE ((size_t)4 << 30)

enum { META_FILE, META_URL, META_OUTLET, META_DATE, META_TITLE, META_LANG, META_NFIELDS };
static const char *const meta_keys[META_NFIELDS] = {"file", "url", "outlet", "date", "title",
                                                    "lang"};

typedef struct meta_line {
    ndb_meta m;
    const char *file;
    size_t off[META_NFIELDS]; /* arena offset + 1 while loading; 0 = absent */
    uint32_t line;
    bool matched;
} meta_line;

struct ndb_doc_meta {
    char *path;
    meta_line *lines;
    size_t n, cap;
    ndb_buf arena;
    uint32_t *by_url, *by_file;
    size_t mask;
};

void ndb_doc_meta_free(ndb_doc_meta *m)
{
    if (m == NULL) {
        return;
    }
    ndb_free(m->path);
    ndb_free(m->lines);
    ndb_buf_fini(&m->arena);
    ndb_free(m->by_url);
    ndb_free(m->by_file);
    ndb_free(m);
}

uint64_t ndb_doc_meta_lines(const ndb_doc_meta *m)
{
    return m->n;
}

static const char *meta_strip_dot(const char *f)
{
    while (f[0] == '.' && f[1] == '/') {
        f += 2;
    }
    return f;
}

static void meta_report(ndb_report_fn report, void *ctx, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void meta_report(ndb_report_fn report, void *ctx, int is_error, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (report == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    report(ctx, is_error, msg);
}

/* Check one parsed object and copy its fields; *why says what is wrong (then not OK). */
static ndb_rc meta_take(ndb_doc_meta *m, json_t *o, meta_line *l, const char **why,
                        const char **field)
{
    for (int k = 0; k < META_NFIELDS; k++) {
        json_t *v = json_object_get(o, meta_keys[k]);
        const char *s;
        size_t len;
        int32_t days;

        l->off[k] = 0;
        if (v == NULL || json_is_null(v)) {
            continue;
        }
        *field = meta_keys[k];
        if (!json_is_string(v)) {
            *why = "is neither a string nor null";
            return NDB_EPARSE;
        }
        s = json_string_value(v);
        len = json_string_length(v);
        if (memchr(s, 0, len) != NULL) {
            *why = "contains a NUL character";
            return NDB_EPARSE;
        }
        if (k == META_DATE && (len != 10 || s[4] != '-' || s[7] != '-' ||
                               !ndb_date_parse(s, len, &days))) {
            *why = "is not a YYYY-MM-DD date";
            return NDB_EPARSE;
        }
        if (k == META_FILE) {
            s = meta_strip_dot(s);
            len = strlen(s);
        }
        if (len == 0 && (k == META_FILE || k == META_URL)) {
            continue; // an empty key matches nothing
        }
        l->off[k] = m->arena.n + 1;
        if (ndb_buf_append(&m->arena, s, len + 1) != NDB_OK) {
            return NDB_ENOMEM;
        }
    }
    return NDB_OK;
}

/* Parse line p[0..n) (number lineno) and append it to m->lines when good. */
static ndb_rc meta_add_line(ndb_doc_meta *m, const char *p, size_t n, uint32_t lineno,
                            ndb_report_fn report, void *ctx)
{
    ndb_rc rc = NDB_OK;
    json_error_t jerr;
    json_t *o = json_loadb(p, n, 0, &jerr);
    const char *why = NULL, *field = "";
    meta_line l;

    if (o == NULL) {
        meta_report(report, ctx, 1, "%s:%u: not JSON: %s", m->path, lineno, jerr.text);
        goto out;
    }
    if (!json_is_object(o)) {
        meta_report(report, ctx, 1, "%s:%u: not a JSON object", m->path, lineno);
        goto out;
    }
    memset(&l, 0, sizeof l);
    l.line = lineno;
    size_t mark = m->arena.n;
    rc = meta_take(m, o, &l, &why, &field);
    if (rc == NDB_EPARSE) {
        m->arena.n = mark;
        meta_report(report, ctx, 1, "%s:%u: field \"%s\" %s", m->path, lineno, field, why);
        rc = NDB_OK;
        goto out;
    }
    if (rc != NDB_OK) {
        goto out;
    }
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        meta_line *nl = ndb_realloc(m->lines, ncap * sizeof *nl);
        if (nl == NULL) {
            rc = NDB_ENOMEM;
            goto out;
        }
        m->lines = nl;
        m->cap = ncap;
    }
    m->lines[m->n++] = l;
out:
    json_decref(o);
    return rc;
}

static size_t meta_probe(const ndb_doc_meta *m, const uint32_t *tab, int k, const char *key,
                         size_t len)
{
    size_t i = ndb_hash64(key, len) & m->mask;
    while (tab[i] != 0) {
        const meta_line *l = &m->lines[tab[i] - 1];
        const char *s = k == META_URL ? l->m.url : l->file;
        if (strlen(s) == len && memcmp(s, key, len) == 0) {
            return i;
        }
        i = (i + 1) & m->mask;
    }
    return i;
}

/* Fix string pointers into the arena and build both tables. */
static ndb_rc meta_index(ndb_doc_meta *m)
{
    size_t cap = 16;
    while (cap < 2 * m->n + 2) {
        cap *= 2;
    }
    m->mask = cap - 1;
    m->by_url = ndb_calloc(cap, sizeof *m->by_url);
    m->by_file = ndb_calloc(cap, sizeof *m->by_file);
    if (m->by_url == NULL || m->by_file == NULL) {
        return NDB_ENOMEM;
    }
    for (size_t i = 0; i < m->n; i++) {
        meta_line *l = &m->lines[i];
        const char *f[META_NFIELDS];
        for (int k = 0; k < META_NFIELDS; k++) {
            f[k] = l->off[k] ? (const char *)m->arena.p + l->off[k] - 1 : NULL;
        }
        l->file = f[META_FILE];
        l->m.url = f[META_URL];
        l->m.outlet = f[META_OUTLET];
        l->m.date = f[META_DATE];
        l->m.title = f[META_TITLE];
        l->m.lang = f[META_LANG];
        if (l->m.url != NULL) {
            size_t s = meta_probe(m, m->by_url, META_URL, l->m.url, strlen(l->m.url));
            m->by_url[s] = m->by_url[s] ? m->by_url[s] : (uint32_t)(i + 1);
        }
        if (l->file != NULL) {
            size_t s = meta_probe(m, m->by_file, META_FILE, l->file, strlen(l->file));
            m->by_file[s] = m->by_file[s] ? m->by_file[s] : (uint32_t)(i + 1);
        }
    }
    return NDB_OK;
}

static bool meta_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') {
            return false;
        }
    }
    return true;
}

ndb_rc ndb_doc_meta_load(const char *path, ndb_report_fn report, void *ctx,
                         ndb_doc_meta **out, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_doc_meta *m = NULL;
    uint8_t *data = NULL;
    size_t n = 0, pos = 0;
    uint32_t lineno = 0;

    ndb_err_clear(err);
    *out = NULL;
    rc = ndb_vfs_read_file(ndb_vfs_default(), path, META_MAX_FILE, &data, &n, err);
    if (rc != NDB_OK) {
        goto out;
    }
    m = ndb_calloc(1, sizeof *m);
    if (m == NULL || (m->path = ndb_strdup(path)) == NULL) {
        rc = NDB_ENOMEM;
        goto out;
    }
    ndb_buf_init(&m->arena, NDB_BUF_NOMAX);
    while (pos < n && rc == NDB_OK) {
        const uint8_t *nl = memchr(data + pos, '\n', n - pos);
        size_t end = nl != NULL ? (size_t)(nl - data) : n;
        lineno++;
        if (!meta_blank((const char *)data + pos, end - pos)) {
            rc = meta_add_line(m, (const char *)data + pos, end - pos, lineno, report, ctx);
        }
        pos = end + 1;
    }
    if (rc == NDB_OK && m->n > UINT32_MAX - 1) {
        rc = NDB_ELIMIT;
    }
    if (rc == NDB_OK) {
        rc = meta_index(m);
    }
    if (rc != NDB_OK) {
        ndb_err_set(err, rc, "%s: %s", path, rc == NDB_ENOMEM ? "out of memory" : "too many lines");
    }
out:
    ndb_free(data);
    if (rc != NDB_OK) {
        ndb_doc_meta_free(m);
        m = NULL;
    }
    *out = m;
    return rc;
}

const ndb_meta *ndb_doc_meta_find(ndb_doc_meta *m, const char *url, size_t url_len,
                                  const char *file)
{
    size_t s;
    uint32_t by_url = 0, by_file = 0, idx;

    if (url != NULL && url_len > 0) {
        s = meta_probe(m, m->by_url, META_URL, url, url_len);
        by_url = m->by_url[s];
    }
    if (file != NULL) {
        file = meta_strip_dot(file);
        s = meta_probe(m, m->by_file, META_FILE, file, strlen(file));
        by_file = m->by_file[s];
    }
    /* By url, else by file; but when the file's own line carries the same url (or none),
    ** it is the more specific match: a side file may list one URL on several lines (the
    ** same story crawled twice), and each line then belongs to its own file. */
    idx = by_url ? by_url : by_file;
    if (by_file && by_url && by_file != by_url) {
        const char *fu = m->lines[by_file - 1].m.url;
        if (fu == NULL || (strlen(fu) == url_len && memcmp(fu, url, url_len) == 0))
            idx = by_file;
    }
    if (idx == 0) {
        return NULL;
    }
    m->lines[idx - 1].matched = true;
    return &m->lines[idx - 1].m;
}

uint64_t ndb_doc_meta_report_unmatched(ndb_doc_meta *m, ndb_report_fn report, void *ctx)
{
    uint64_t count = 0;
    for (size_t i = 0; i < m->n; i++) {
        const meta_line *l = &m->lines[i];
        if (l->matched) {
            continue;
        }
        count++;
        meta_report(report, ctx, 0, "%s:%u: no article with url %.300s or file %.300s", m->path,
                    l->line, l->m.url != NULL ? l->m.url : "(none)",
                    l->file != NULL ? l->file : "(none)");
    }
    return count;
}
