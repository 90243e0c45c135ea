/*
** html — the main article of a web page, as a native-format record plus its metadata.
**
** Pipeline (html.c, html_charset.c, html_extract.c; docs/extract.md has the rules):
**   1. Bytes -> UTF-8. The charset comes from, in order: the Content-Type header given by the
**      caller, a byte-order mark, <meta charset> / <meta http-equiv=Content-Type> in the first
**      4 KiB, else detection (valid UTF-8 stays UTF-8, anything else is windows-1252). The
**      conversion uses iconv (glibc); bytes iconv cannot convert become U+FFFD.
**   2. Parse with libxml2's HTML parser into a light tree (html_tree.c; broken markup gets
**      implied and auto-closed elements as HTML defines them). Input that is not text (NUL
**      or many control bytes in the first 4 KiB, or no tag at all) is refused before parsing.
**   3. Metadata from <head>: title, canonical URL, date, authors, language, site name.
**   4. Main content by block structure, scored like readability/boilerpipe/trafilatura:
**      boilerplate subtrees (nav, aside, footer, forms, figures and captions, hidden nodes,
**      class/id naming comments, sharing, related links, ads...) are dropped; text blocks
**      are scored by length, punctuation and link density; the container holding the most
**      paragraph text wins, and its text blocks, minus link lists and the headline, are the
**      paragraphs.
**
** The record (native format, docs/native-format.md): line 1 the URL (canonical, else the
** url given, else "urn:newsdb:html:<16 hex digits of the xxh3-64 of the input bytes>"),
** line 2 the lead bytes (byte length of paragraph 1 + 1), line 3 the paragraph count, then
** the paragraphs, whitespace-collapsed, one blank line between them.
**
** Scoring (html_score.c): the Article Extraction Benchmark's measure, as its evaluate.py
** defines it — tokens are maximal runs of Unicode word characters (letters, numbers, '_',
** case kept), shingles are runs of 4 consecutive tokens (a text with 1..3 tokens has one
** shorter shingle; none without tokens), tp/fp/fn are multiset overlaps of the shingles,
** normalized by their sum; precision is averaged over pages with tp + fp > 0, recall over
** pages with tp + fn > 0, F1 = 2PR/(P+R) of the averages.
**
** Threading: reentrant; a ndb_html_doc belongs to one thread at a time.
*/
#ifndef NDB_DOC_HTML_H
#define NDB_DOC_HTML_H

#include "base/base.h"

#include <stdint.h>

/* Largest page ndb_html_extract accepts (NDB_ELIMIT above): the prefiltered copy, the tree
** (a few times the bytes kept) and libxml2's buffers bound one extraction's memory to well
** under 100 MiB at worst. */
#define NDB_HTML_MAX_BYTES (8u << 20)

typedef struct ndb_html_doc {
    ndb_buf native;   /* the article in canonical native format: URL line, lead-bytes line
                         (byte length of paragraph 1 + its "\n", as in every sample), the
                         paragraph count, the paragraphs separated by one blank line */
    char *url;        /* canonical URL (<link rel=canonical>, og:url) made absolute, else the
                         url given, else "" — never NULL after success */
    char *title;      /* headline, "" if none (never a body paragraph) */
    char *date;       /* "YYYY-MM-DD" publication date or "" (JSON-LD datePublished,
                         article:published_time, <time datetime>, then the URL) */
    char *authors;    /* "A; B" or "" */
    char *lang;       /* from <html lang>/meta, lower-case primary subtag ("en") or "" */
    char *site_name;  /* og:site_name or "" */
    uint32_t n_paras;
} ndb_html_doc;

/* All strings above are OWNED by the doc (NUL-terminated UTF-8), released by fini. */
void ndb_html_doc_init(ndb_html_doc *d);
void ndb_html_doc_fini(ndb_html_doc *d);   /* accepts an inited or filled doc */

/* Extract the main article of an HTML page p[0..n). url: the page's URL (or NULL);
** content_type: the HTTP Content-Type header value (or NULL) for the charset. The bytes are
** converted to UTF-8 from the charset found in content_type, a BOM, <meta charset> /
** http-equiv, else detected (valid UTF-8, else windows-1252). Errors: NDB_EPARSE (not HTML,
** binary, or no article text found: message says which), NDB_ELIMIT (over NDB_HTML_MAX_BYTES,
** a documented bound), NDB_ENOMEM. out is re-filled (what it held is released); on error it
** holds no article. */
ndb_rc ndb_html_extract(const uint8_t *p, size_t n, const char *url, const char *content_type,
                        ndb_html_doc *out, ndb_err *err);

/* "YYYY-MM-DD" into out from a date string as pages, feeds and spreadsheets write them:
** a leading real calendar date "2019-11-19...", "2019/11/19", "20191119", or written out
** with an English month name: "November 19, 2019", "Nov. 19, 2019", "Tue, 19 Nov 2019
** 10:00 GMT", "19 November 2019". False otherwise (numeric day/month orders such as
** 11/19/2019 are ambiguous and refused). */
bool ndb_html_date(const char *s, char out[11]);

/* The address a browser or SingleFile recorded when the page p[0..n) was saved, from a
** comment in its first 2 KiB: "<!-- saved from url=(0042)https://..." (Chrome, Internet
** Explorer) or SingleFile's "<!--\n Page saved with SingleFile \n url: https://...". Only
** http(s) addresses, up to the first space, '>' or control byte; into out[cap] (false
** when there is none or it does not fit). ndb_html_extract uses it when no url is given. */
bool ndb_html_saved_from(const uint8_t *p, size_t n, char *out, size_t cap);

/* ---------------------------------------------------------------- charset (html_charset.c) */

/* Convert p[0..n) to UTF-8 into out (appended), following step 1 above. charset[cap]
** receives the name used, e.g. "utf-8", "windows-1252", "koi8-r" (truncated to fit).
** NDB_ENOMEM / NDB_ELIMIT from the buffer. A BOM is dropped. */
ndb_rc ndb_html_to_utf8(const uint8_t *p, size_t n, const char *content_type, ndb_buf *out,
                        char *charset, size_t cap);

/* ---------------------------------------------------------------- scoring (html_score.c) */

typedef struct ndb_html_tpfpfn {
    double tp, fp, fn; /* normalized so tp + fp + fn = 1 (all 0 when both texts are empty) */
} ndb_html_tpfpfn;

/* Shingle match of a predicted text against the true text (both UTF-8, any length). */
ndb_rc ndb_html_shingle_match(const char *truth, size_t nt, const char *pred, size_t np,
                              ndb_html_tpfpfn *out);

typedef struct ndb_html_score {
    double f1, precision, recall;
    uint32_t n_precision, n_recall; /* pages that counted in each average */
} ndb_html_score;

/* Aggregate per-page results as the benchmark does (see top comment). */
void ndb_html_score_pages(const ndb_html_tpfpfn *pages, size_t n, ndb_html_score *out);

#endif /* NDB_DOC_HTML_H */
