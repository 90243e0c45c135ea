/*
** doc.h — articles as they come in: the native format, URL -> outlet + date, side files
** (meta JSONL), sources (file, directory, tar), and the public ndb_doc object.
**
** Native format (docs/architecture.md; corpora README), one article per file:
**     line 1   URL (or urn:NAME:id), non-empty, no spaces or control bytes
**     line 2   lead bytes: decimal, the byte length of the first paragraph counting its
**              newline; kept exactly as written (an empty line 2 means "infer it")
**     line 3   declared paragraph count, decimal
**     then     paragraphs, separated by one (or more) blank lines, newline at the end
** Parsing never copies: paragraphs are slices of the input. The raw bytes are what the
** store keeps, so the format is lossless by construction; ndb_doc_write_native produces
** the canonical form (parse(write(x)) == x, used by the fuzz round trip).
** A paragraph-count mismatch is a warning (count_mismatch), an error only in strict mode
** (the caller's choice). Lines may end in CRLF (the CR is not part of a paragraph).
**
** Outlet: the registrable domain of the URL host (libpsl built-in list), lower case, no
** trailing dot; for an IP literal the address itself; "" for URLs without a host (urn:).
** Date: the first date found in the URL path (/2016/10/11/, /2016/oct/11/, 2016-10-11,
** 20161011), years 1900..2099; NDB_DATE_NONE otherwise.
**
** Threading: everything here is reentrant; an ndb_doc_meta table is read-only after
** loading and may be shared by threads; an ndb_doc_source belongs to one thread.
*/
#ifndef NDB_DOC_DOC_H
#define NDB_DOC_DOC_H

#include "base/base.h"

#include <stdbool.h>
#include <stdint.h>

/* Biggest article accepted (NDB_ELIMIT beyond). */
#define NDB_DOC_MAX_BYTES ((size_t)64 << 20)
/* Most paragraphs in one article (NDB_ELIMIT beyond). */
#define NDB_DOC_MAX_PARAS (1u << 20)
/* Longest URL (line 1). */
#define NDB_DOC_MAX_URL 8192
/* Outlet names fit in this many bytes including the NUL (a DNS name is <= 253). */
#define NDB_DOC_OUTLET_MAX 256

/* ---------------------------------------------------------------- native format */

typedef struct ndb_doc_native {
    ndb_slice url;         /* BORROWED from the input */
    int64_t lead_bytes;    /* line 2, or inferred when line 2 was empty */
    bool lead_inferred;    /* line 2 was empty */
    bool lead_mismatch;    /* line 2 differs from the first paragraph's length + 1 */
    int64_t para_declared; /* line 3 */
    bool count_mismatch;   /* para_declared != n_paras */
    uint32_t n_paras;
    ndb_slice *paras; /* OWNED by this struct (ndb_doc_native_fini); slices BORROW input */
} ndb_doc_native;

void ndb_doc_native_init(ndb_doc_native *d);
void ndb_doc_native_fini(ndb_doc_native *d);

/* Parse p[0..n). `source` names the input in messages ("bbc/business_001.txt: line 2:
** lead bytes is not a number"). NDB_EPARSE for a malformed article (also: NUL bytes,
** empty input); with strict, also for a count mismatch. NDB_ELIMIT, NDB_ENOMEM. d is
** re-filled (call init once before). On failure d holds no paragraphs. */
ndb_rc ndb_doc_parse_native(const void *p, size_t n, const char *source, bool strict,
                            ndb_doc_native *d, ndb_err *err);

/* Append the canonical native form of (url, lead, declared count, paragraphs) to out.
** lead < 0 writes the inferred value (first paragraph length + 1, or 0). Paragraphs must
** not contain "\n\n" or start/end with a newline (NDB_EINVAL), so that parsing gives them
** back. */
ndb_rc ndb_doc_write_native(ndb_buf *out, const char *url, size_t url_n, int64_t lead,
                            int64_t declared, const ndb_slice *paras, uint32_t n_paras,
                            ndb_err *err);

/* ---------------------------------------------------------------- URL facts */

/* Outlet of url (see top comment) into out[cap] (cap >= NDB_DOC_OUTLET_MAX recommended),
** NUL-terminated; "" when the URL has no usable host. Never fails on odd input. */
void ndb_doc_url_outlet(const char *url, size_t n, char *out, size_t cap);

/* Date found in url's path, or NDB_DATE_NONE. */
int32_t ndb_doc_url_date(const char *url, size_t n);

/* Lower-case an outlet given by a user or side file into out[cap] (strip "www." too, so
** "WWW.BBC.co.uk" -> "bbc.co.uk"); same rules as ndb_doc_url_outlet on a bare host. */
void ndb_doc_outlet_normalize(const char *name, size_t n, char *out, size_t cap);

/* ---------------------------------------------------------------- side files */

/* A meta JSONL side file: one object per line with any of "file", "url", "outlet", "date"
** (YYYY-MM-DD or null), "title", "lang"; other keys are ignored. Articles are matched by
** source name (exact, or the shorter of the two is a path suffix of the longer at a '/'
** boundary) and else by URL. */
typedef struct ndb_doc_meta ndb_doc_meta;

/* One matched entry; strings BORROWED until ndb_doc_meta_free, NULL when absent. */
typedef struct ndb_doc_meta_entry {
    const char *file, *url, *outlet, *date, *title, *lang;
    uint32_t line;    /* 1-based line in the side file */
    uint32_t matched; /* times it was returned by ndb_doc_meta_find */
} ndb_doc_meta_entry;

/* Load a side file. A bad line is reported through report(ctx, 0, "path:LINE: ...") and
** skipped (or, with strict, fails the load with NDB_EPARSE). *out OWNED: ndb_doc_meta_free. */
ndb_rc ndb_doc_meta_load(const ndb_vfs *vfs, const char *path, bool strict,
                         ndb_report_fn report, void *ctx, ndb_doc_meta **out, ndb_err *err);
/* Parse a side file already in memory (same rules). `name` is used in messages. */
ndb_rc ndb_doc_meta_parse(const void *p, size_t n, const char *name, bool strict,
                          ndb_report_fn report, void *ctx, ndb_doc_meta **out, ndb_err *err);
void ndb_doc_meta_free(ndb_doc_meta *m);
/* Entry for an article read from `source` with URL url (either may be NULL); NULL if none.
** Not thread-safe (counts matches); use from the one ingesting thread. */
ndb_doc_meta_entry *ndb_doc_meta_find(ndb_doc_meta *m, const char *source, const char *url,
                                      size_t url_n);
/* Lines loaded and entries never matched so far. */
uint64_t ndb_doc_meta_count(const ndb_doc_meta *m);
uint64_t ndb_doc_meta_unmatched(const ndb_doc_meta *m);
/* As the public ndb_meta view (pointers borrowed from e). */
void ndb_doc_meta_view(const ndb_doc_meta_entry *e, ndb_meta *out);

/* ---------------------------------------------------------------- sources */

/* Reads articles from a native file, a directory (recursive; entries sorted bytewise;
** hidden entries skipped), a tar archive in any compression libarchive reads, or "-" (a tar
** stream on stdin). Members that are not regular files are skipped. */
typedef struct ndb_doc_source ndb_doc_source;

ndb_rc ndb_doc_source_open(const ndb_vfs *vfs, const char *path, ndb_doc_source **out,
                           ndb_err *err);
/* Next member: *name (member path: relative to the directory, or the tar member name, or
** path itself for a single file) and its bytes, both BORROWED until the next call or close.
** *done = true at the end (then name/bytes are NULL). A member over NDB_DOC_MAX_BYTES is
** NDB_ELIMIT naming it; the source stays usable (the next call moves on). */
ndb_rc ndb_doc_source_next(ndb_doc_source *s, const char **name, const uint8_t **bytes,
                           size_t *n, bool *done, ndb_err *err);
/* Bytes of input consumed so far (compressed bytes for tar). */
uint64_t ndb_doc_source_bytes(const ndb_doc_source *s);
void ndb_doc_source_close(ndb_doc_source *s); /* accepts NULL */

/* ---------------------------------------------------------------- ndb_doc */

/* Everything a public ndb_doc is made of (the api fills it from the store). Strings may be
** NULL (taken as ""); raw is parsed again for the paragraphs. */
typedef struct ndb_doc_fields {
    uint32_t id;
    const char *url, *outlet, *title, *lang, *source;
    int32_t date;
    int64_t lead_bytes, para_declared;
    ndb_slice raw;
    uint32_t version;
    int live;
} ndb_doc_fields;

/* Build a public ndb_doc in one allocation (strings, raw copy, paragraph table). *out OWNED:
** ndb_doc_free (newsdb.h). NDB_ECORRUPT when raw does not parse (it came from the store). */
ndb_rc ndb_doc_new(const ndb_doc_fields *f, ndb_doc **out, ndb_err *err);

/* ndb_doc_free, ndb_doc_format and ndb_doc_csv_header of newsdb.h are implemented here
** (src/doc/format.c). */

#endif /* NDB_DOC_DOC_H */
