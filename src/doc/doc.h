/*
** doc — articles as they come in: the native format (parse, serialize), URL -> outlet and
** date, sources (file, directory, tar, stdin) and side files (meta JSONL).
**
** Native format (docs/native-format.md has every rule and message):
**     line 1   URL, non-empty, no spaces or control bytes     "http://x.com/2016/10/11/a"
**     line 2   integer >= 0, kept exactly as `lead_bytes`     "161" (in every sample: the byte
**                                                              length of paragraph 1 + its \n)
**     line 3   integer >= 0, the declared paragraph count     "16"
**     then     paragraphs separated by exactly one blank line; the file ends with "\n"
** Lenient reading ("as found"; raw bytes are stored anyway, so nothing is ever lost):
**   - LF ends a line; CRs right before an LF (or the end of input) belong to the line
**     ending (CRLF files parse like LF files; a paragraph never ends in CR; CRLFs between
**     the lines of one multi-line paragraph stay inside its slice, as found);
**   - a paragraph is a maximal run of non-blank lines, inner newlines kept; runs of several
**     blank lines (and blank lines before the first / after the last paragraph) only
**     separate; a missing final newline is accepted;
**   - an article is `canonical` when serialize(parse(x)) == x byte for byte: no CR dropped, one
**     blank line between paragraphs, none before the first, exactly one final "\n", no
**     leading zeros in lines 2 and 3. The round trip is tested (and fuzzed) for those.
** Errors are NDB_EPARSE naming "<source>:<line>: ..." (NDB_ELIMIT for > NDB_DOC_MAX_BYTES).
**
** Outlet: registrable domain of the lower-cased host via the libpsl built-in list
** ("www.bbc.co.uk" -> "bbc.co.uk"); IP hosts and hosts without one ("localhost") give the
** host; "urn:..." and URLs without "//host" give "". Hand-parsed (scheme://[user@]host[:port]),
** no uriparser (not in the Makefile's LIBS).
** Date: the first date in the URL path (not host, query or fragment), see ndb_doc_url_date.
**
** Threading: everything is reentrant; an ndb_article, ndb_doc_source or ndb_doc_meta belongs
** to one thread at a time (ndb_doc_meta_find marks lines).
*/
#ifndef NDB_DOC_DOC_H
#define NDB_DOC_DOC_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- native format */

#define NDB_DOC_MAX_BYTES (16u << 20)
#define NDB_DOC_OUTLET_MAX 256

typedef struct ndb_article {
    ndb_slice raw;         /* whole input (BORROWED) */
    ndb_slice url;         /* line 1 without its line ending (BORROWED from raw) */
    int64_t lead_bytes;    /* line 2 */
    int64_t para_declared; /* line 3 */
    uint32_t n_paras;
    ndb_slice *paras;      /* array OWNED by the article (ndb_doc_article_fini); slices
                              BORROWED from raw, no trailing newline */
    bool count_mismatch;   /* n_paras != para_declared (a warning unless strict) */
    bool canonical;        /* serialize(parse(raw)) == raw (see top comment) */
    char outlet[NDB_DOC_OUTLET_MAX]; /* derived: registrable domain, "" if none */
    int32_t date;          /* derived from the URL, or NDB_DATE_NONE */
} ndb_article;

void ndb_doc_article_init(ndb_article *a);
void ndb_doc_article_fini(ndb_article *a);

/* Parse p[0..n). `source` (file or tar member) names it in messages: "<source>:<line>:
** <what>", e.g. "bbc/x.txt:2: lead-bytes line is not an integer: \"12a\"". a is re-filled
** (what it held before is released). On error a holds no paragraphs. strict makes a
** paragraph-count mismatch NDB_EPARSE. Errors: NDB_EPARSE, NDB_ELIMIT, NDB_ENOMEM. */
ndb_rc ndb_doc_parse(const char *source, const uint8_t *p, size_t n, bool strict,
                     ndb_article *a, ndb_err *err);

/* Append url, lead, declared count and paragraphs in canonical native format to out.
** For every canonical input x: serialize(parse(x)) == x. NDB_EINVAL for negative numbers;
** NDB_ELIMIT / NDB_ENOMEM from the buffer. */
ndb_rc ndb_doc_serialize(ndb_slice url, int64_t lead_bytes, int64_t para_declared,
                         const ndb_slice *paras, uint32_t n, ndb_buf *out);

/* ---------------------------------------------------------------- URL facts */

/* Outlet of url[0..n) into out[cap], NUL-terminated ("" when none). NDB_ELIMIT (out = "")
** when the outlet does not fit cap; NDB_EINVAL when cap == 0. */
ndb_rc ndb_doc_outlet(const char *url, size_t n, char *out, size_t cap);

/* Date of url[0..n) from its path: the first position where one of these matches wins
** (years 1990..2035 and real calendar dates only; digits never glued to more digits):
**     /YYYY/MM/DD followed by '/', end, or a non-digit     /2016/10/11/...
**     /YYYY/mon/DD  (jan..dec, any case; Guardian)         /2016/oct/11/...
**     /YYYYMMDD or -YYYYMMDD, then a non-digit or end      /20161011/  story-20161011.html
**     YYYY-MM-DD   YYYY_MM_DD                              /2016-10-11-title
** MM and DD are two digits. Host, query string and fragment are never looked at. */
bool ndb_doc_url_date(const char *url, size_t n, int32_t *days);

/* ---------------------------------------------------------------- sources */

typedef struct ndb_doc_source ndb_doc_source;

/* path: a native file, a directory (recursive, entries of each directory sorted bytewise,
** dotfiles skipped, symlinked directories not followed), a tar in any compression libarchive
** reads (detected by content; a regular file that is not an archive is one native
** article), or "-" = a tar stream on stdin. *out OWNED: ndb_doc_source_close. */
ndb_rc ndb_doc_source_open(const char *path, ndb_doc_source **out, ndb_err *err);
/* Next record: *name = path relative to the directory given (or the file path itself, or
** the tar member name), *p and *n = its bytes; both BORROWED until the next call or close.
** Returns NDB_OK; NDB_ENOTFOUND at the end; an error about one record (NDB_ELIMIT for a
** record > NDB_DOC_MAX_BYTES, not read into memory; NDB_EIO for an unreadable file) after
** which next() may be called again; or a fatal error (corrupt/truncated archive) after
** which ndb_doc_source_failed() is true and next() repeats it. err names the record (and
** *name is set when the record has one). */
ndb_rc ndb_doc_source_next(ndb_doc_source *s, const char **name, const uint8_t **p,
                           size_t *n, ndb_err *err);
bool ndb_doc_source_failed(const ndb_doc_source *s);
/* Input bytes consumed so far (compressed bytes for archives), for progress. */
uint64_t ndb_doc_source_bytes_in(const ndb_doc_source *s);
void ndb_doc_source_close(ndb_doc_source *s); /* accepts NULL */

/* ---------------------------------------------------------------- side files */

typedef struct ndb_doc_meta ndb_doc_meta;

/* Load all lines of a JSONL side file ({"file","url","outlet","date","title","lang",...}).
** Bad lines (not JSON, not an object, date not null or a valid YYYY-MM-DD, a known field
** that is neither string nor null) go to report(ctx, 1, "FILE:LINE: what") and are skipped;
** blank lines are skipped silently. *out OWNED: ndb_doc_meta_free. */
ndb_rc ndb_doc_meta_load(const char *path, ndb_report_fn report, void *ctx,
                         ndb_doc_meta **out, ndb_err *err);
/* The line for an article: by url first, else by file (tar member name or path relative to
** the directory; also tried with a leading "./" stripped, on both sides). The first line
** wins when several share a url or file. Marks the line matched. NULL when none; the
** ndb_meta is BORROWED until ndb_doc_meta_free. url or file may be NULL. */
const ndb_meta *ndb_doc_meta_find(ndb_doc_meta *m, const char *url, size_t url_len,
                                  const char *file);
/* report(ctx, 0, "FILE:LINE: no article with url ... or file ...") for every line that
** matched no article, in file order; returns their count. */
uint64_t ndb_doc_meta_report_unmatched(ndb_doc_meta *m, ndb_report_fn report, void *ctx);
uint64_t ndb_doc_meta_lines(const ndb_doc_meta *m); /* good lines loaded */
void ndb_doc_meta_free(ndb_doc_meta *m);            /* accepts NULL */

#endif /* NDB_DOC_DOC_H */
