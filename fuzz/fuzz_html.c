/*
** fuzz_html.c — libFuzzer target for HTML article extraction (src/doc/html*.c): charset
** detection and conversion, the prefilter, the libxml2 tree, metadata and content scoring.
**
** Input: arbitrary bytes taken as a page. The first byte picks a Content-Type to pass
** (none, utf-8, latin-1, an unknown label) so the header path is fuzzed too.
** Contract: no crash, leak or out-of-bounds access; the only errors are EPARSE / ELIMIT;
** on success the record is canonical native format (parses strictly, serializes back to
** the same bytes), its paragraph count and lead bytes are right, every metadata string is
** set and valid UTF-8, the date is "" or a real YYYY-MM-DD, and extracting again gives
** the same bytes (deterministic).
*/
#include "doc/doc.h"
#include "doc/html.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every metadata string is valid UTF-8 (ndb_utf8_decode: 0 = invalid). */
static void fz_check_utf8(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t k = ndb_utf8_decode(p + i, n - i, &cp);
        if (k == 0) {
            __builtin_trap();
        }
        i += k;
    }
}

static int fz_num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ctypes[] = {NULL, "text/html; charset=utf-8",
                                         "text/html; charset=ISO-8859-1", "text/html;charset=x-no"};
    const char *ct = size > 0 ? ctypes[data[0] & 3] : NULL;
    ndb_html_doc d, d2;
    ndb_article a;
    ndb_buf again;
    ndb_err err;

    ndb_html_doc_init(&d);
    ndb_html_doc_init(&d2);
    ndb_doc_article_init(&a);
    ndb_buf_init(&again, NDB_BUF_NOMAX);
    ndb_rc rc = ndb_html_extract(data, size, "http://fuzz.example/2020/01/02/x", ct, &d, &err);
    if (rc != NDB_OK) {
        if (rc != NDB_EPARSE && rc != NDB_ELIMIT) {
            __builtin_trap();
        }
        goto out;
    }
    if (d.url == NULL || d.title == NULL || d.date == NULL || d.authors == NULL ||
        d.lang == NULL || d.site_name == NULL) {
        __builtin_trap();
    }
    fz_check_utf8(d.url);
    fz_check_utf8(d.title);
    fz_check_utf8(d.authors);
    fz_check_utf8(d.lang);
    fz_check_utf8(d.site_name);
    if (d.date[0] != '\0') {
        int32_t days;
        if (strlen(d.date) != 10 ||
            !ndb_date_from_ymd(fz_num(d.date, 4), fz_num(d.date + 5, 2), fz_num(d.date + 8, 2),
                               &days)) {
            __builtin_trap();
        }
    }
    if (ndb_doc_parse("fuzz", d.native.p, d.native.n, true, &a, &err) != NDB_OK ||
        !a.canonical || a.n_paras != d.n_paras || a.n_paras == 0 ||
        a.lead_bytes != (int64_t)a.paras[0].n + 1) {
        __builtin_trap();
    }
    if (ndb_doc_serialize(a.url, a.lead_bytes, a.para_declared, a.paras, a.n_paras, &again) !=
            NDB_OK ||
        again.n != d.native.n || memcmp(again.p, d.native.p, again.n) != 0) {
        __builtin_trap();
    }
    if (ndb_html_extract(data, size, "http://fuzz.example/2020/01/02/x", ct, &d2, &err) !=
            NDB_OK ||
        d2.native.n != d.native.n || memcmp(d2.native.p, d.native.p, d.native.n) != 0) {
        __builtin_trap();
    }
out:
    ndb_buf_fini(&again);
    ndb_doc_article_fini(&a);
    ndb_html_doc_fini(&d);
    ndb_html_doc_fini(&d2);
    return 0;
}
