/*
** tabular.c — JSONL and CSV articles (`newsdb add --format jsonl|csv FILE`).
**
** Field mapping (docs/ingest-formats.md), the same names in both formats:
**     url      required; line 1 of the native record (no spaces or control bytes)
**     text     the article text; paragraphs are split at blank lines (ndb_doc_native_from_text)
**     paragraphs  JSONL only, instead of text: an array of strings, one per paragraph (what
**              `newsdb get --format json` writes); each must be non-empty without blank lines
**     title, outlet, lang   stored as given (outlet is normalized to a registrable domain)
**     date     "YYYY-MM-DD", or an ISO 8601 date-time whose first 10 bytes are one
**              ("2016-10-11T08:00:00Z"), or a date written out as ndb_html_date reads
**              them ("Nov 19, 2019", "Tue, 19 Nov 2019 10:00:00 GMT", "2019/11/19");
**              empty / null = derived from the URL
**     others   ignored (id, version, live, lead_bytes, ... of our own exports)
** Keys/column names match case-insensitively, surrounding spaces ignored. A CSV column
** named `text` or `body` or `content` is the text; `link` is accepted for url and
** `headline` for title (common in spreadsheet exports).
**
** Shape: streaming over ndb_doc_in (any size, gzip transparently). JSONL takes one line at
** a time (jansson per line); CSV is a byte-at-a-time RFC 4180 state machine: fields split
** at commas, double-quoted fields may hold commas, quotes ("") and line breaks; records end
** at LF or CRLF; the header row is required. A record (line) longer than NDB_DOC_MAX_BYTES
** is consumed without being kept and reported as NDB_ELIMIT. Each bad record gives one
** "FILE:LINE: what" error (LINE = the physical line where the record starts) and the next
** call goes on with the record after it; blank JSONL lines and empty CSV lines are skipped.
** The CSV parser resynchronizes after an error at the next line break outside quotes.
**
** Threading: a handle belongs to one thread.
*/
#include "doc/html.h"
#include "doc/items_int.h"

#include <ctype.h>
#include <jansson.h>
#include <strings.h>

enum { TAB_URL, TAB_TEXT, TAB_TITLE, TAB_DATE, TAB_OUTLET, TAB_LANG, TAB_NFIELDS };

#define TAB_MAX_COLS 4096

struct ndb_doc_tab {
    ndb_doc_in in;
    ndb_doc_fmt fmt;
    bool failed;
    ndb_err fail;
    uint64_t line;      /* physical lines consumed */
    ndb_buf rec;        /* current JSONL line / CSV field bytes */
    ndb_buf native;     /* the item's native record */
    ndb_buf strs;       /* meta strings, NUL-separated */
    ndb_buf name;       /* "FILE:LINE" */
    ndb_meta meta;
    /* CSV */
    int col_of[TAB_MAX_COLS]; /* header column -> TAB_* or -1 */
    size_t ncols;
    size_t fld_off[TAB_NFIELDS + 1], fld_len[TAB_NFIELDS + 1];
    bool fld_set[TAB_NFIELDS];
};

bool ndb_doc_tab_failed(const ndb_doc_tab *t)
{
    return t->failed;
}

uint64_t ndb_doc_tab_bytes_in(const ndb_doc_tab *t)
{
    return ndb_doc_in_bytes_in(&t->in);
}

void ndb_doc_tab_close(ndb_doc_tab *t)
{
    if (t == NULL) {
        return;
    }
    ndb_doc_in_close(&t->in);
    ndb_buf_fini(&t->rec);
    ndb_buf_fini(&t->native);
    ndb_buf_fini(&t->strs);
    ndb_buf_fini(&t->name);
    ndb_free(t);
}

/* ---------------------------------------------------------------- text -> native */

static bool tab_url_ok(const char *u, size_t n)
{
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c <= 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

/* Append one paragraph slice; the array starts in the caller's stack buffer `fixed` and
** moves to the heap (doubling) when full. */
static ndb_rc tab_push_para(ndb_slice **pv, ndb_slice *fixed, size_t *np, size_t *cap,
                            const char *p, size_t n)
{
    if (*np == *cap) {
        size_t ncap = *cap * 2;
        ndb_slice *nv = ndb_realloc(*pv == fixed ? NULL : *pv, ncap * sizeof *nv);
        if (nv == NULL) {
            return NDB_ENOMEM;
        }
        if (*pv == fixed) {
            memcpy(nv, fixed, *cap * sizeof *nv);
        }
        *pv = nv;
        *cap = ncap;
    }
    (*pv)[*np].p = (const uint8_t *)p;
    (*pv)[*np].n = n;
    (*np)++;
    return NDB_OK;
}

ndb_rc ndb_doc_native_from_text(const char *url, size_t url_n, const char *text, size_t n,
                                ndb_buf *out, const char **why)
{
    ndb_slice paras[1024];
    ndb_slice *pv = paras;
    size_t np = 0, cap = sizeof paras / sizeof paras[0];
    size_t pos = 0, pstart = 0, pend = 0;
    bool in_para = false;
    ndb_rc rc = NDB_OK;

    ndb_buf_reset(out);
    if (!tab_url_ok(url, url_n)) {
        *why = url_n ? "url has spaces or control bytes" : "url is empty";
        return NDB_EPARSE;
    }
    while (pos < n) {
        const char *nl = memchr(text + pos, '\n', n - pos);
        size_t lend = nl ? (size_t)(nl - text) : n, e = lend;
        while (e > pos && text[e - 1] == '\r') {
            e--;
        }
        if (e == pos) { /* blank line */
            if (in_para) {
                rc = tab_push_para(&pv, paras, &np, &cap, text + pstart, pend - pstart);
                if (rc != NDB_OK) {
                    goto out;
                }
                in_para = false;
            }
        } else {
            if (!in_para) {
                pstart = pos;
                in_para = true;
            }
            pend = e;
        }
        pos = nl ? lend + 1 : n;
        if (!nl && in_para) { /* last line: close below */
            break;
        }
    }
    if (in_para) {
        rc = tab_push_para(&pv, paras, &np, &cap, text + pstart, pend - pstart);
        if (rc != NDB_OK) {
            goto out;
        }
    }
    if (np == 0) {
        *why = "text is empty";
        rc = NDB_EPARSE;
        goto out;
    }
    if (np > UINT32_MAX) {
        *why = "too many paragraphs";
        rc = NDB_ELIMIT;
        goto out;
    }
    {
        ndb_slice u = {(const uint8_t *)url, url_n};
        rc = ndb_doc_serialize(u, (int64_t)pv[0].n + 1, (int64_t)np, pv, (uint32_t)np, out);
        if (rc == NDB_ELIMIT) {
            *why = "article too large";
        }
    }
out:
    if (pv != paras) {
        ndb_free(pv);
    }
    return rc;
}

/* ---------------------------------------------------------------- shared */

static ndb_rc tab_alloc(const char *name, ndb_doc_fmt fmt, ndb_doc_tab **out, ndb_err *err)
{
    ndb_doc_tab *t = ndb_calloc(1, sizeof *t);
    *out = NULL;
    if (t == NULL) {
        return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", name);
    }
    t->fmt = fmt;
    ndb_buf_init(&t->rec, NDB_DOC_MAX_BYTES);
    ndb_buf_init(&t->native, NDB_DOC_MAX_BYTES + 4096);
    ndb_buf_init(&t->strs, NDB_BUF_NOMAX);
    ndb_buf_init(&t->name, NDB_BUF_NOMAX);
    *out = t;
    return NDB_OK;
}

static ndb_rc tab_csv_header(ndb_doc_tab *t, ndb_err *err);

static ndb_rc tab_start(ndb_doc_tab *t, ndb_doc_tab **out, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    if (t->fmt == NDB_DOC_FMT_CSV) {
        rc = tab_csv_header(t, err);
    } else if (t->fmt != NDB_DOC_FMT_JSONL) {
        rc = ndb_err_set(err, NDB_EINVAL, "%s: not a tabular format", t->in.name);
    }
    if (rc != NDB_OK) {
        ndb_doc_tab_close(t);
        return rc;
    }
    *out = t;
    return NDB_OK;
}

ndb_rc ndb_doc_tab_open(const char *path, ndb_doc_fmt fmt, ndb_doc_tab **out, ndb_err *err)
{
    ndb_doc_tab *t;
    ndb_rc rc = tab_alloc(path, fmt, &t, err);
    if (rc != NDB_OK) {
        return rc;
    }
    rc = ndb_doc_in_open(&t->in, path, err);
    if (rc != NDB_OK) {
        ndb_doc_tab_close(t);
        return rc;
    }
    return tab_start(t, out, err);
}

ndb_rc ndb_doc_tab_open_mem(const char *name, const uint8_t *p, size_t n, ndb_doc_fmt fmt,
                            ndb_doc_tab **out, ndb_err *err)
{
    ndb_doc_tab *t;
    ndb_rc rc = tab_alloc(name, fmt, &t, err);
    if (rc != NDB_OK) {
        return rc;
    }
    rc = ndb_doc_in_open_mem(&t->in, name, p, n, err);
    if (rc != NDB_OK) {
        ndb_doc_tab_close(t);
        return rc;
    }
    return tab_start(t, out, err);
}

/* Record the fatal error (a failed input stream) and return it. */
static ndb_rc tab_fail(ndb_doc_tab *t, ndb_err *err)
{
    if (!t->failed) {
        t->failed = true;
        t->fail = t->in.err;
    }
    if (err) {
        *err = t->fail;
    }
    return t->fail.rc;
}

/* Field name -> TAB_* or -1. */
static int tab_field_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int f;
    } map[] = {{"url", TAB_URL},       {"link", TAB_URL},       {"text", TAB_TEXT},
               {"body", TAB_TEXT},     {"content", TAB_TEXT},   {"title", TAB_TITLE},
               {"headline", TAB_TITLE}, {"date", TAB_DATE},     {"outlet", TAB_OUTLET},
               {"lang", TAB_LANG},     {"language", TAB_LANG}};
    while (n > 0 && isspace((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    if (n >= 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
        (unsigned char)s[2] == 0xbf) { /* UTF-8 BOM on the first header cell */
        s += 3;
        n -= 3;
    }
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strlen(map[i].name) == n && strncasecmp(map[i].name, s, n) == 0) {
            return map[i].f;
        }
    }
    return -1;
}

/* Check a date value into norm ("YYYY-MM-DD", or "" for an empty value): an ISO date or
** date-time, else a date written out as ndb_html_date reads them ("Nov 19, 2019",
** "Tue, 19 Nov 2019 10:00:00 GMT", "2019/11/19"). */
static bool tab_date(const char *s, size_t n, char norm[11])
{
    int32_t d;
    char tmp[80];
    norm[0] = '\0';
    if (n == 0) {
        return true;
    }
    size_t k = n > 10 && (s[10] == 'T' || s[10] == ' ' || s[10] == 't') ? 10 : n;
    if (k == 10 && ndb_date_parse(s, k, &d)) {
        memcpy(norm, s, 10);
        norm[10] = '\0';
        return true;
    }
    if (n >= sizeof tmp) {
        return false;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return ndb_html_date(tmp, norm);
}

/* Build the item from the collected fields (strings in t->strs at fld_off/fld_len).
** *why on a bad record. */
static ndb_rc tab_build(ndb_doc_tab *t, const char *const f[TAB_NFIELDS],
                        const size_t fl[TAB_NFIELDS], const char *paras_text, size_t paras_n,
                        const char **why)
{
    const char *text = paras_text ? paras_text : f[TAB_TEXT];
    size_t tn = paras_text ? paras_n : fl[TAB_TEXT];
    char dnorm[11] = "";
    ndb_rc rc;
    if (f[TAB_URL] == NULL || fl[TAB_URL] == 0) {
        *why = "no url";
        return NDB_EPARSE;
    }
    if (text == NULL) {
        *why = "no text";
        return NDB_EPARSE;
    }
    for (int k = 0; k < TAB_NFIELDS; k++) {
        if (k != TAB_TEXT && f[k] && memchr(f[k], 0, fl[k])) {
            *why = "a field holds a NUL byte";
            return NDB_EPARSE;
        }
    }
    if (f[TAB_DATE] && !tab_date(f[TAB_DATE], fl[TAB_DATE], dnorm)) {
        *why = "date is not YYYY-MM-DD (or an ISO 8601 date-time, or a date written out "
               "like Nov 19, 2019)";
        return NDB_EPARSE;
    }
    rc = ndb_doc_native_from_text(f[TAB_URL], fl[TAB_URL], text, tn, &t->native, why);
    if (rc != NDB_OK) {
        return rc;
    }
    /* meta strings: copy each present field NUL-terminated, then point into the buffer */
    ndb_buf_reset(&t->strs);
    size_t off[TAB_NFIELDS];
    for (int k = 0; k < TAB_NFIELDS; k++) {
        size_t len = k == TAB_DATE ? strlen(dnorm) : fl[k];
        off[k] = SIZE_MAX;
        if (k == TAB_TEXT || k == TAB_URL || f[k] == NULL) {
            continue;
        }
        off[k] = t->strs.n;
        rc = ndb_buf_append(&t->strs, k == TAB_DATE ? dnorm : f[k], len);
        if (rc == NDB_OK) {
            rc = ndb_buf_append_u8(&t->strs, 0);
        }
        if (rc != NDB_OK) {
            return rc;
        }
    }
    memset(&t->meta, 0, sizeof t->meta);
#define TAB_STR(k) (off[k] == SIZE_MAX ? NULL : (const char *)t->strs.p + off[k])
    t->meta.title = TAB_STR(TAB_TITLE);
    t->meta.date = TAB_STR(TAB_DATE);
    t->meta.outlet = TAB_STR(TAB_OUTLET);
    t->meta.lang = TAB_STR(TAB_LANG);
#undef TAB_STR
    return NDB_OK;
}

static ndb_rc tab_set_name(ndb_doc_tab *t, uint64_t line)
{
    ndb_buf_reset(&t->name);
    ndb_rc rc = ndb_buf_printf(&t->name, "%s:%llu", t->in.name, (unsigned long long)line);
    return rc == NDB_OK ? ndb_buf_cstr(&t->name) : rc;
}

static void tab_item(ndb_doc_tab *t, ndb_doc_item *it)
{
    it->name = (const char *)t->name.p;
    it->p = t->native.p;
    it->n = t->native.n;
    it->meta = &t->meta;
}

/* ---------------------------------------------------------------- JSONL */

/* Read one line into t->rec (without its LF and trailing CR). false at the end of input.
** *too_long when the line did not fit (the rest was consumed). */
static bool tab_read_line(ndb_doc_tab *t, bool *too_long)
{
    int c;
    bool any = false;
    *too_long = false;
    ndb_buf_reset(&t->rec);
    while ((c = ndb_doc_in_getc(&t->in)) >= 0) {
        any = true;
        if (c == '\n') {
            break;
        }
        if (!*too_long && ndb_buf_append_u8(&t->rec, (uint8_t)c) != NDB_OK) {
            *too_long = true;
        }
    }
    if (!any) {
        return false;
    }
    t->line++;
    while (t->rec.n > 0 && t->rec.p[t->rec.n - 1] == '\r') {
        t->rec.n--;
    }
    return true;
}

/* Join a JSON array of paragraph strings with "\n\n" into t->rec (reused: the line is
** already parsed). */
static ndb_rc tab_json_paras(ndb_doc_tab *t, json_t *a, const char **why)
{
    ndb_buf_reset(&t->rec);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        const char *s;
        size_t n;
        if (!json_is_string(v)) {
            *why = "paragraphs holds a value that is not a string";
            return NDB_EPARSE;
        }
        s = json_string_value(v);
        n = json_string_length(v);
        if (n == 0 || strstr(s, "\n\n") || memchr(s, 0, n)) {
            *why = "a paragraph is empty or holds a blank line or NUL byte";
            return NDB_EPARSE;
        }
        if ((i && ndb_buf_append(&t->rec, "\n\n", 2) != NDB_OK) ||
            ndb_buf_append(&t->rec, s, n) != NDB_OK) {
            *why = "article too large";
            return NDB_ELIMIT;
        }
    }
    return NDB_OK;
}

static ndb_rc tab_jsonl_one(ndb_doc_tab *t, json_t *o, const char **why)
{
    const char *f[TAB_NFIELDS] = {0};
    size_t fl[TAB_NFIELDS] = {0};
    const char *key;
    json_t *v, *paras = NULL;
    if (!json_is_object(o)) {
        *why = "not a JSON object";
        return NDB_EPARSE;
    }
    json_object_foreach(o, key, v)
    {
        int k = tab_field_of(key, strlen(key));
        if (k < 0) {
            if (strcasecmp(key, "paragraphs") == 0) {
                if (!json_is_array(v)) {
                    *why = "paragraphs is not an array";
                    return NDB_EPARSE;
                }
                paras = v;
            }
            continue;
        }
        if (json_is_null(v)) {
            continue;
        }
        if (!json_is_string(v)) {
            *why = "a known field (url, text, title, date, outlet, lang) is not a string";
            return NDB_EPARSE;
        }
        f[k] = json_string_value(v);
        fl[k] = json_string_length(v);
    }
    if (f[TAB_TEXT] == NULL && paras != NULL) {
        ndb_rc rc = tab_json_paras(t, paras, why);
        if (rc != NDB_OK) {
            return rc;
        }
        return tab_build(t, f, fl, t->rec.n ? (const char *)t->rec.p : "", t->rec.n, why);
    }
    return tab_build(t, f, fl, NULL, 0, why);
}

static ndb_rc tab_jsonl_next(ndb_doc_tab *t, ndb_doc_item *it, ndb_err *err)
{
    bool too_long;
    for (;;) {
        const char *why = NULL;
        json_error_t jerr;
        json_t *o;
        ndb_rc rc;
        if (!tab_read_line(t, &too_long)) {
            return t->in.failed ? tab_fail(t, err) : NDB_ENOTFOUND;
        }
        if (too_long) {
            return ndb_err_set(err, NDB_ELIMIT, "%s:%llu: line longer than %u bytes",
                               t->in.name, (unsigned long long)t->line, NDB_DOC_MAX_BYTES);
        }
        size_t i = 0;
        while (i < t->rec.n && isspace(t->rec.p[i])) {
            i++;
        }
        if (i == t->rec.n) {
            continue; /* blank line */
        }
        o = json_loadb((const char *)t->rec.p, t->rec.n, JSON_ALLOW_NUL, &jerr);
        if (o == NULL) {
            return ndb_err_set(err, NDB_EPARSE, "%s:%llu: not JSON: %s", t->in.name,
                               (unsigned long long)t->line, jerr.text);
        }
        rc = tab_jsonl_one(t, o, &why);
        json_decref(o);
        if (rc == NDB_OK) {
            rc = tab_set_name(t, t->line);
        }
        if (rc == NDB_ENOMEM) {
            return ndb_err_set(err, rc, "%s:%llu: out of memory", t->in.name,
                               (unsigned long long)t->line);
        }
        if (rc != NDB_OK) {
            return ndb_err_set(err, rc, "%s:%llu: %s", t->in.name, (unsigned long long)t->line,
                               why ? why : ndb_strerror(rc));
        }
        tab_item(t, it);
        return NDB_OK;
    }
}

/* ---------------------------------------------------------------- CSV */

typedef enum csv_end { CSV_FIELD, CSV_RECORD, CSV_EOF } csv_end;

/* Read one field into t->rec. *end says what followed it. *bad names a syntax error (the
** record is then consumed up to its end). *too_long: the field did not fit. */
static csv_end tab_csv_field(ndb_doc_tab *t, const char **bad, bool *too_long)
{
    int c = ndb_doc_in_getc(&t->in);
    ndb_buf_reset(&t->rec);
    if (c == '"') {
        for (;;) {
            c = ndb_doc_in_getc(&t->in);
            if (c < 0) {
                *bad = "quoted field not closed before the end of the file";
                return CSV_EOF;
            }
            if (c == '"') {
                if (ndb_doc_in_peek(&t->in) == '"') {
                    (void)ndb_doc_in_getc(&t->in);
                } else {
                    break;
                }
            }
            if (c == '\n') {
                t->line++;
            }
            if (!*too_long && ndb_buf_append_u8(&t->rec, (uint8_t)c) != NDB_OK) {
                *too_long = true;
            }
        }
        c = ndb_doc_in_getc(&t->in);
        if (c == '\r' && ndb_doc_in_peek(&t->in) == '\n') {
            c = ndb_doc_in_getc(&t->in);
        }
        if (c == ',') {
            return CSV_FIELD;
        }
        if (c == '\n') {
            t->line++;
            return CSV_RECORD;
        }
        if (c < 0) {
            return CSV_EOF;
        }
        *bad = "characters after a closing quote";
    } else {
        while (c >= 0 && c != ',' && c != '\n') {
            if (c == '"' && !*bad) {
                *bad = "quote inside an unquoted field";
            }
            if (!*too_long && ndb_buf_append_u8(&t->rec, (uint8_t)c) != NDB_OK) {
                *too_long = true;
            }
            c = ndb_doc_in_getc(&t->in);
        }
        if (c == ',') {
            return CSV_FIELD;
        }
        while (t->rec.n > 0 && t->rec.p[t->rec.n - 1] == '\r') {
            t->rec.n--;
        }
        if (c == '\n') {
            t->line++;
            return CSV_RECORD;
        }
        return CSV_EOF;
    }
    /* resynchronize: skip to the next line break */
    while (c >= 0 && c != '\n') {
        c = ndb_doc_in_getc(&t->in);
    }
    if (c == '\n') {
        t->line++;
        return CSV_RECORD;
    }
    return CSV_EOF;
}

static ndb_rc tab_csv_header(ndb_doc_tab *t, ndb_err *err)
{
    bool has[TAB_NFIELDS] = {0};
    csv_end e = CSV_FIELD;
    const char *bad = NULL;
    bool too_long = false;
    if (ndb_doc_in_peek(&t->in) < 0) {
        if (t->in.failed) {
            return tab_fail(t, err);
        }
        return ndb_err_set(err, NDB_EPARSE, "%s:1: empty file: a header row is required",
                           t->in.name);
    }
    while (e == CSV_FIELD) {
        e = tab_csv_field(t, &bad, &too_long);
        if (bad || too_long) {
            return ndb_err_set(err, NDB_EPARSE, "%s:1: bad header row: %s", t->in.name,
                               bad ? bad : "a column name is too long");
        }
        if (t->ncols == TAB_MAX_COLS) {
            return ndb_err_set(err, NDB_ELIMIT, "%s:1: more than %d columns", t->in.name,
                               TAB_MAX_COLS);
        }
        int k = tab_field_of((const char *)t->rec.p, t->rec.n);
        if (k >= 0 && has[k]) {
            k = -1; /* first column of a name wins */
        }
        if (k >= 0) {
            has[k] = true;
        }
        t->col_of[t->ncols++] = k;
    }
    if (!has[TAB_URL] || !has[TAB_TEXT]) {
        return ndb_err_set(err, NDB_EPARSE,
                           "%s:1: header row has no %s column (columns: url, text, and any "
                           "of title, date, outlet, lang)",
                           t->in.name, !has[TAB_URL] ? "url" : "text");
    }
    return NDB_OK;
}

static ndb_rc tab_csv_next(ndb_doc_tab *t, ndb_doc_item *it, ndb_err *err)
{
    for (;;) {
        const char *f[TAB_NFIELDS] = {0};
        size_t fl[TAB_NFIELDS] = {0};
        const char *bad = NULL, *why = NULL;
        bool too_long = false;
        size_t col = 0;
        uint64_t start = t->line + 1;
        csv_end e = CSV_FIELD;
        ndb_rc rc;
        if (ndb_doc_in_peek(&t->in) < 0) {
            return t->in.failed ? tab_fail(t, err) : NDB_ENOTFOUND;
        }
        ndb_buf_reset(&t->strs);
        while (e == CSV_FIELD) {
            size_t off = t->strs.n;
            e = tab_csv_field(t, &bad, &too_long);
            if (col < t->ncols && t->col_of[col] >= 0 && !too_long) {
                int k = t->col_of[col];
                fl[k] = t->rec.n;
                t->fld_off[k] = off;
                t->fld_set[k] = true;
                if (ndb_buf_append(&t->strs, t->rec.p, t->rec.n) != NDB_OK ||
                    ndb_buf_append_u8(&t->strs, 0) != NDB_OK) {
                    too_long = true;
                }
                f[k] = ""; /* pointer fixed once strs stops growing */
            }
            col++;
        }
        if (t->in.failed) {
            return tab_fail(t, err);
        }
        if (col == 1 && t->rec.n == 0 && !bad) {
            continue; /* empty line */
        }
        if (too_long) {
            return ndb_err_set(err, NDB_ELIMIT, "%s:%llu: record longer than %u bytes",
                               t->in.name, (unsigned long long)start, NDB_DOC_MAX_BYTES);
        }
        if (bad) {
            return ndb_err_set(err, NDB_EPARSE, "%s:%llu: %s", t->in.name,
                               (unsigned long long)start, bad);
        }
        if (col != t->ncols) {
            return ndb_err_set(err, NDB_EPARSE, "%s:%llu: %zu fields, the header has %zu",
                               t->in.name, (unsigned long long)start, col, t->ncols);
        }
        for (int k = 0; k < TAB_NFIELDS; k++) {
            if (f[k]) {
                f[k] = (const char *)t->strs.p + t->fld_off[k];
            }
        }
        /* tab_build rewrites t->strs: keep the fields in t->rec meanwhile */
        ndb_buf_reset(&t->rec);
        rc = ndb_buf_append(&t->rec, t->strs.p, t->strs.n);
        if (rc == NDB_OK) {
            for (int k = 0; k < TAB_NFIELDS; k++) {
                if (f[k]) {
                    f[k] = (const char *)t->rec.p + t->fld_off[k];
                }
            }
            if (f[TAB_DATE] && fl[TAB_DATE] == 0) {
                f[TAB_DATE] = NULL; /* empty cell: derive from the URL */
            }
            rc = tab_build(t, f, fl, NULL, 0, &why);
        }
        if (rc == NDB_OK) {
            rc = tab_set_name(t, start);
        }
        if (rc != NDB_OK) {
            return ndb_err_set(err, rc, "%s:%llu: %s", t->in.name, (unsigned long long)start,
                               why ? why : ndb_strerror(rc));
        }
        tab_item(t, it);
        return NDB_OK;
    }
}

ndb_rc ndb_doc_tab_next(ndb_doc_tab *t, ndb_doc_item *it, ndb_err *err)
{
    ndb_err_clear(err);
    memset(it, 0, sizeof *it);
    if (t->failed) {
        return tab_fail(t, err);
    }
    return t->fmt == NDB_DOC_FMT_CSV ? tab_csv_next(t, it, err) : tab_jsonl_next(t, it, err);
}
