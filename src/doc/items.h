/*
** items.h — articles from foreign formats, converted to the native format on the fly.
**
** `newsdb add` reads native files, directories and tar archives (doc.h sources). Most users
** hold something else: JSONL or CSV exports, WARC files from crawls, folders of saved HTML
** pages. An ndb_doc_items handle turns any of those into a stream of items, each a
** canonical native-format record plus the fields the format carries (ndb_meta: title,
** date, outlet, lang), which the existing add path stores unchanged. Formats
** (docs/ingest-formats.md has the user-facing rules):
**   NATIVE  an ndb_doc_source (file, directory, tar); each record whose bytes look like
**           HTML (sniffed: "<!doctype html", "<html", "<head", "<body" or "<meta" near the
**           start) goes through the HTML extractor (doc/html.h), the rest passes verbatim.
**   JSONL   one JSON object per line (tabular.c), CSV with a header row (tabular.c).
**   WARC    response records with an HTML body (warc.c); gzip per record or plain.
**   AUTO    WARC when a regular file starts (decompressed) with "WARC/", JSONL for *.jsonl /
**           *.ndjson (optionally .gz), CSV for *.csv (optionally .gz), else NATIVE.
**
** Errors follow ndb_doc_source_next: NDB_OK with an item; NDB_ENOTFOUND at the end; an
** error about one item (err names "FILE:LINE" or "FILE@OFFSET", next() may be called
** again); or a fatal one (ndb_doc_items_failed() turns true; next() repeats it).
** Records that are not articles by design (WARC request/metadata records, non-HTML or
** non-2xx responses) are skipped silently and counted by ndb_doc_items_ignored().
**
** Memory: bounded by the largest item (NDB_DOC_MAX_BYTES for native records, input lines,
** WARC records and decoded bodies alike); nothing is read whole.
** Threading: a handle belongs to one thread.
*/
#ifndef NDB_DOC_ITEMS_H
#define NDB_DOC_ITEMS_H

#include "doc/doc.h"

typedef enum ndb_doc_fmt {
    NDB_DOC_FMT_AUTO = 0,
    NDB_DOC_FMT_NATIVE,
    NDB_DOC_FMT_JSONL,
    NDB_DOC_FMT_CSV,
    NDB_DOC_FMT_WARC,
} ndb_doc_fmt;

/* "auto", "native", "jsonl", "csv", "warc" -> *out; false for anything else. */
bool ndb_doc_fmt_parse(const char *s, ndb_doc_fmt *out);
const char *ndb_doc_fmt_name(ndb_doc_fmt f);

/* One converted article. Every pointer is BORROWED until the next call or close. */
typedef struct ndb_doc_item {
    const char *name;     /* source for messages and the stored `source` field */
    const uint8_t *p;     /* native-format bytes */
    size_t n;
    const ndb_meta *meta; /* fields the input format carried, or NULL (native records) */
} ndb_doc_item;

/* ---------------------------------------------------------------- JSONL / CSV */

typedef struct ndb_doc_tab ndb_doc_tab;

/* Open a JSONL or CSV file ("-" = stdin; gzip-compressed input is read transparently).
** CSV: the header row is read here; a header without url or text column is NDB_EPARSE.
** *out OWNED: ndb_doc_tab_close. */
ndb_rc ndb_doc_tab_open(const char *path, ndb_doc_fmt fmt, ndb_doc_tab **out, ndb_err *err);
/* The same over bytes in memory (BORROWED until close); `name` names it in messages. */
ndb_rc ndb_doc_tab_open_mem(const char *name, const uint8_t *p, size_t n, ndb_doc_fmt fmt,
                            ndb_doc_tab **out, ndb_err *err);
ndb_rc ndb_doc_tab_next(ndb_doc_tab *t, ndb_doc_item *it, ndb_err *err);
bool ndb_doc_tab_failed(const ndb_doc_tab *t);
uint64_t ndb_doc_tab_bytes_in(const ndb_doc_tab *t);
void ndb_doc_tab_close(ndb_doc_tab *t);

/* Build a canonical native record from url and plain text: paragraphs are the maximal
** runs of lines that are not blank (empty once CRs are dropped); lines keep their bytes;
** trailing CRs of a paragraph are dropped. lead_bytes = length of paragraph 1 + 1 (0 when
** there is none). out is reset first. NDB_EPARSE (why set) for a URL that is empty or has
** spaces/control bytes or for a text without any paragraph. */
ndb_rc ndb_doc_native_from_text(const char *url, size_t url_n, const char *text, size_t n,
                                ndb_buf *out, const char **why);

/* ---------------------------------------------------------------- WARC */

typedef struct ndb_doc_warc ndb_doc_warc;

/* A WARC record's HTML response, before extraction. BORROWED until the next call. */
typedef struct ndb_doc_warc_page {
    const char *uri;          /* WARC-Target-URI */
    const char *warc_date;    /* "YYYY-MM-DD" from WARC-Date, or "" */
    const char *content_type; /* HTTP Content-Type, or "" */
    const uint8_t *body;      /* decoded body (chunked and Content-Encoding undone) */
    size_t body_n;
    uint64_t offset;          /* record start in the (decompressed) stream */
    const char *file;         /* not from a WARC (offset UINT64_MAX): the file's name */
} ndb_doc_warc_page;

/* Open a WARC file (plain, or gzip per record / whole; "-" = stdin). */
ndb_rc ndb_doc_warc_open(const char *path, ndb_doc_warc **out, ndb_err *err);
ndb_rc ndb_doc_warc_open_mem(const char *name, const uint8_t *p, size_t n, ndb_doc_warc **out,
                             ndb_err *err);
/* Next HTML response. Errors as for items: per-record ones name "FILE@OFFSET". */
ndb_rc ndb_doc_warc_next(ndb_doc_warc *w, ndb_doc_warc_page *pg, ndb_err *err);
bool ndb_doc_warc_failed(const ndb_doc_warc *w);
uint64_t ndb_doc_warc_bytes_in(const ndb_doc_warc *w);
uint64_t ndb_doc_warc_ignored(const ndb_doc_warc *w); /* records skipped as not HTML/2xx */
uint64_t ndb_doc_warc_revisits(const ndb_doc_warc *w); /* revisit records (not added) */
void ndb_doc_warc_close(ndb_doc_warc *w);

/* Decode an HTTP body: Transfer-Encoding chunked, then Content-Encoding gzip / x-gzip /
** deflate / br / zstd / identity, into out (reset first; its max bounds the output, so a gzip bomb
** ends as NDB_ELIMIT). te / ce may be NULL or "". NDB_EPARSE names what is wrong in why. */
ndb_rc ndb_doc_http_decode(const uint8_t *p, size_t n, const char *te, const char *ce,
                           ndb_buf *out, const char **why);

/* ---------------------------------------------------------------- HTML -> item */

/* Extraction state shared by the native-source and WARC paths (items_html.c). */
typedef struct ndb_doc_html_conv ndb_doc_html_conv;
ndb_rc ndb_doc_html_conv_new(ndb_doc_html_conv **out, ndb_err *err);
void ndb_doc_html_conv_free(ndb_doc_html_conv *c); /* accepts NULL */
/* Extract pg's body into an item (BORROWED until the next run or free). The record's URL
** is pg->uri when it is a valid native URL line (WARC-Target-URI: the address fetched),
** else the extractor's (canonical link, else "urn:newsdb:html:<hash>"); meta carries the
** title, the page's date (else, when the URL holds no date, pg->warc_date) and the
** language. Errors (NDB_EPARSE: not HTML / no article; NDB_ELIMIT) name the source. */
ndb_rc ndb_doc_html_conv_run(ndb_doc_html_conv *c, const ndb_doc_warc_page *pg,
                             ndb_doc_item *it, ndb_err *err);

/* ---------------------------------------------------------------- any format */

typedef struct ndb_doc_items ndb_doc_items;

/* True when the bytes look like an HTML page (leading BOM/whitespace/comments allowed). */
bool ndb_doc_sniff_html(const uint8_t *p, size_t n);

ndb_rc ndb_doc_items_open(const char *path, ndb_doc_fmt fmt, ndb_doc_items **out,
                          ndb_err *err);
ndb_rc ndb_doc_items_next(ndb_doc_items *s, ndb_doc_item *it, ndb_err *err);
bool ndb_doc_items_failed(const ndb_doc_items *s);
uint64_t ndb_doc_items_bytes_in(const ndb_doc_items *s);
uint64_t ndb_doc_items_ignored(const ndb_doc_items *s);
uint64_t ndb_doc_items_revisits(const ndb_doc_items *s); /* WARC revisit records */
void ndb_doc_items_close(ndb_doc_items *s); /* accepts NULL */

#endif /* NDB_DOC_ITEMS_H */
