/*
** parse.c — the native article format: ndb_doc_parse and ndb_doc_serialize.
**
** Layout (rules and messages in docs/native-format.md):
**   line  what                          example
**   1     URL (no spaces / controls)    http://presstv.com/Detail/2016/10/11/488571/x
**   2     lead_bytes, int64 >= 0        161
**   3     para_declared, int64 >= 0     16
**   4..   paragraph 1 "\n" "\n" paragraph 2 ... paragraph N "\n"
**
** Shape: one validating pass over all bytes (NUL and strict UTF-8, 8 bytes at a time for
** ASCII) so every later step may assume clean UTF-8; then three header lines; then one pass
** over the body lines building paragraph slices that borrow from the input (no copies).
** While splitting, the parser tracks whether the input is canonical (see doc.h): canonical
** inputs are exactly the ones serialize reproduces byte for byte.
**
** Invariants:
**   1. On success every paras[i] is non-empty, lies inside raw, does not start or end with
**      a newline, does not end with a CR and never contains "\n\n" nor a line made of CRs
**      only (those lines are blank).
**   2. On any error the article holds no paragraph array (fini'd state plus raw/source).
**   3. Error messages are "<source>:<line>: <what>" with 1-based lines.
**
** Threading: reentrant; an ndb_article belongs to one thread.
*/
#include "doc/doc.h"

#include <inttypes.h>
#include <stdio.h>

void ndb_doc_article_init(ndb_article *a)
{
    memset(a, 0, sizeof *a);
    a->date = NDB_DATE_NONE;
}

void ndb_doc_article_fini(ndb_article *a)
{
    if (a == NULL) {
        return;
    }
    ndb_free(a->paras);
    ndb_doc_article_init(a);
}

/* 1-based line number of byte offset off. */
static unsigned long doc_line_of(const uint8_t *p, size_t off)
{
    unsigned long line = 1;
    const uint8_t *q = p, *end = p + off;
    while (q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
        line++;
        q++;
    }
    return line;
}

/* Reject NUL bytes and invalid UTF-8 anywhere. */
static ndb_rc doc_check_bytes(const char *source, const uint8_t *p, size_t n, ndb_err *err)
{
    size_t i = 0, len;
    int32_t cp;
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (((w - ones) & ~w & highs) == 0 && (w & highs) == 0) {
                i += 8; // eight ASCII bytes, none of them NUL
                continue;
            }
        }
        if (p[i] == 0) {
            return ndb_err_set(err, NDB_EPARSE, "%s:%lu: NUL byte at byte offset %zu", source,
                               doc_line_of(p, i), i);
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        len = ndb_utf8_decode(p + i, n - i, &cp);
        if (len == 0) {
            return ndb_err_set(err, NDB_EPARSE, "%s:%lu: invalid UTF-8 at byte offset %zu",
                               source, doc_line_of(p, i), i);
        }
        i += len;
    }
    return NDB_OK;
}

/* Next line from *pos: content without "\n" and without the CRs right before it (or before
** the end of input). False when no newline is left (then *line is the rest). *had_cr tells
** whether CRs were dropped. */
static bool doc_next_line(const uint8_t *p, size_t n, size_t *pos, ndb_slice *line,
                          bool *had_cr)
{
    const uint8_t *nl = memchr(p + *pos, '\n', n - *pos);
    size_t end = nl != NULL ? (size_t)(nl - p) : n;

    line->p = p + *pos;
    line->n = end - *pos;
    *had_cr = false;
    while (line->n > 0 && line->p[line->n - 1] == '\r') {
        line->n--;
        *had_cr = true;
    }
    *pos = nl != NULL ? end + 1 : n;
    return nl != NULL;
}

/* Quote at most 40 bytes of s for a message, escaping control bytes. */
static void doc_quote(ndb_slice s, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < s.n && i < 40 && o + 5 < cap; i++) {
        uint8_t c = s.p[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    if (s.n > 40 && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

/* Parse a header integer (line 2 or 3): digits only, >= 0, fits int64. */
static ndb_rc doc_parse_int(const char *source, unsigned lineno, const char *what, ndb_slice s,
                            int64_t *v, bool *canonical, ndb_err *err)
{
    char q[256];
    uint64_t x = 0;

    doc_quote(s, q, sizeof q);
    if (s.n == 0) {
        return ndb_err_set(err, NDB_EPARSE, "%s:%u: %s line is empty", source, lineno, what);
    }
    if (s.p[0] == '-' && s.n > 1 && s.p[1] >= '0' && s.p[1] <= '9') {
        return ndb_err_set(err, NDB_EPARSE, "%s:%u: %s is negative: \"%s\"", source, lineno,
                           what, q);
    }
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return ndb_err_set(err, NDB_EPARSE, "%s:%u: %s line is not an integer: \"%s\"",
                               source, lineno, what, q);
        }
        unsigned d = (unsigned)(s.p[i] - '0');
        if (x > ((uint64_t)INT64_MAX - d) / 10) {
            return ndb_err_set(err, NDB_EPARSE, "%s:%u: %s overflows int64: \"%s\"", source,
                               lineno, what, q);
        }
        x = x * 10 + d;
    }
    if (s.n > 1 && s.p[0] == '0') {
        *canonical = false; // leading zeros: accepted, but serialize writes "7", not "007"
    }
    *v = (int64_t)x;
    return NDB_OK;
}

static ndb_rc doc_check_url(const char *source, ndb_slice url, ndb_err *err)
{
    if (url.n == 0) {
        return ndb_err_set(err, NDB_EPARSE, "%s:1: URL line is empty", source);
    }
    for (size_t i = 0; i < url.n; i++) {
        uint8_t c = url.p[i];
        if (c <= 0x20 || c == 0x7f) {
            return ndb_err_set(err, NDB_EPARSE, "%s:1: URL contains %s 0x%02x at column %zu",
                               source, c == ' ' ? "a space" : "a control byte", c, i + 1);
        }
    }
    return NDB_OK;
}

static ndb_rc doc_push_para(ndb_article *a, uint32_t *cap, const uint8_t *p, size_t n)
{
    if (a->n_paras == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 32;
        ndb_slice *np = ndb_realloc(a->paras, (size_t)ncap * sizeof *np);
        if (np == NULL) {
            return NDB_ENOMEM;
        }
        a->paras = np;
        *cap = ncap;
    }
    a->paras[a->n_paras].p = p;
    a->paras[a->n_paras].n = n;
    a->n_paras++;
    return NDB_OK;
}

/* Split the body p[pos..n) into paragraphs (see doc.h for the lenient rules). */
static ndb_rc doc_parse_body(const char *source, const uint8_t *p, size_t n, size_t pos,
                             ndb_article *a, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    uint32_t cap = 0;
    size_t pstart = 0, pend = 0;
    bool in_para = false, had_cr, last_cr = false, had_nl = true, any_text = false;
    unsigned blanks = 0; /* blank lines since the last paragraph line */
    ndb_slice line;

    while (pos < n) {
        had_nl = doc_next_line(p, n, &pos, &line, &had_cr);
        if (line.n == 0) {
            blanks++;
            if (had_cr || (in_para && last_cr)) {
                a->canonical = false; // a CR dropped from a blank line or a paragraph end
            }
            if (in_para) {
                rc = doc_push_para(a, &cap, p + pstart, pend - pstart);
                if (rc != NDB_OK) {
                    goto out;
                }
                in_para = false;
            }
            continue;
        }
        if (!in_para) {
            if (blanks != (a->n_paras == 0 ? 0u : 1u)) {
                a->canonical = false;
            }
            pstart = (size_t)(line.p - p);
            in_para = true;
        }
        blanks = 0;
        last_cr = had_cr; // CRs of inner lines stay inside the paragraph slice
        pend = (size_t)(line.p - p) + line.n;
        for (size_t i = 0; i < line.n && !any_text; i++) {
            any_text = line.p[i] != ' ' && line.p[i] != '\t' && line.p[i] != '\r';
        }
    }
    if (in_para) {
        rc = doc_push_para(a, &cap, p + pstart, pend - pstart);
        if (rc != NDB_OK) {
            goto out;
        }
    }
    if (blanks != 0 || !had_nl || (in_para && last_cr)) {
        a->canonical = false; // trailing blank lines or no final newline
    }
    if (a->n_paras == 0 || !any_text) {
        rc = ndb_err_set(err, NDB_EPARSE, "%s:4: no body: %s", source,
                         a->n_paras == 0 ? "no paragraph after the header"
                                         : "paragraphs hold only whitespace");
    }
out:
    if (rc == NDB_ENOMEM) {
        ndb_err_set(err, rc, "%s: out of memory splitting paragraphs", source);
    }
    return rc;
}

/* Lines 1-3. *pos ends at the first body byte. */
static ndb_rc doc_parse_header(const char *source, const uint8_t *p, size_t n, size_t *pos,
                               ndb_article *a, ndb_err *err)
{
    static const char *const what[3] = {"URL", "lead-bytes", "paragraph-count"};
    ndb_slice line[3];
    bool had_cr;
    ndb_rc rc;

    for (unsigned i = 0; i < 3; i++) {
        if (!doc_next_line(p, n, pos, &line[i], &had_cr)) {
            return ndb_err_set(err, NDB_EPARSE, "%s:%u: missing header lines: no newline after "
                               "the %s line", source, i + 1, what[i]);
        }
        if (had_cr) {
            a->canonical = false;
        }
    }
    rc = doc_check_url(source, line[0], err);
    if (rc == NDB_OK) {
        rc = doc_parse_int(source, 2, what[1], line[1], &a->lead_bytes, &a->canonical, err);
    }
    if (rc == NDB_OK) {
        rc = doc_parse_int(source, 3, what[2], line[2], &a->para_declared, &a->canonical, err);
    }
    a->url = line[0];
    return rc;
}

ndb_rc ndb_doc_parse(const char *source, const uint8_t *p, size_t n, bool strict,
                     ndb_article *a, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    size_t pos = 0;

    ndb_err_clear(err);
    ndb_doc_article_fini(a);
    a->raw.p = p;
    a->raw.n = n;
    a->canonical = true;
    if (n > NDB_DOC_MAX_BYTES) {
        rc = ndb_err_set(err, NDB_ELIMIT, "%s: article is %zu bytes, more than the %u allowed",
                         source, n, NDB_DOC_MAX_BYTES);
        goto out;
    }
    if (n == 0) {
        rc = ndb_err_set(err, NDB_EPARSE, "%s:1: empty input", source);
        goto out;
    }
    rc = doc_check_bytes(source, p, n, err);
    if (rc == NDB_OK) {
        rc = doc_parse_header(source, p, n, &pos, a, err);
    }
    if (rc == NDB_OK) {
        rc = doc_parse_body(source, p, n, pos, a, err);
    }
    if (rc != NDB_OK) {
        goto out;
    }
    a->count_mismatch = (int64_t)a->n_paras != a->para_declared;
    if (a->count_mismatch && strict) {
        rc = ndb_err_set(err, NDB_EPARSE, "%s:3: paragraph count says %" PRId64 ", found %u",
                         source, a->para_declared, a->n_paras);
        goto out;
    }
    if (ndb_doc_outlet((const char *)a->url.p, a->url.n, a->outlet, sizeof a->outlet) !=
        NDB_OK) {
        a->outlet[0] = 0;
    }
    if (!ndb_doc_url_date((const char *)a->url.p, a->url.n, &a->date)) {
        a->date = NDB_DATE_NONE;
    }
out:
    if (rc != NDB_OK) {
        ndb_doc_article_fini(a);
        a->raw.p = p;
        a->raw.n = n;
    }
    return rc;
}

ndb_rc ndb_doc_serialize(ndb_slice url, int64_t lead_bytes, int64_t para_declared,
                         const ndb_slice *paras, uint32_t n, ndb_buf *out)
{
    ndb_rc rc = NDB_OK;

    if (lead_bytes < 0 || para_declared < 0) {
        rc = NDB_EINVAL;
        goto out;
    }
    rc = ndb_buf_append(out, url.p, url.n);
    if (rc == NDB_OK) {
        rc = ndb_buf_printf(out, "\n%" PRId64 "\n%" PRId64 "\n", lead_bytes, para_declared);
    }
    for (uint32_t i = 0; i < n && rc == NDB_OK; i++) {
        if (i > 0) {
            rc = ndb_buf_append(out, "\n\n", 2);
        }
        if (rc == NDB_OK) {
            rc = ndb_buf_append(out, paras[i].p, paras[i].n);
        }
    }
    if (rc == NDB_OK && n > 0) {
        rc = ndb_buf_append(out, "\n", 1);
    }
out:
    return rc;
}
