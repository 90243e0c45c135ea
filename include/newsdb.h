/*
** newsdb.h — the one public header of newsdb, an embedded news-archive engine.
**
** An archive is a directory. It holds the articles (exact bytes, zstd blocks), per-article
** columns (date, outlet, length), and an inverted index in immutable segments. One writer
** process at a time adds articles and commits; any number of readers open snapshots, each a
** consistent view of one commit.
**
** Conventions (see STYLE.md):
**   - Every fallible call returns ndb_rc (0 = NDB_OK, negative = error) and takes a last
**     `ndb_err *err` (NULL allowed) that receives a message naming the input at fault.
**   - Pointers marked OWNED are the caller's to release with the named function; BORROWED
**     pointers stay valid until the call named beside them.
**   - Threading: an ndb_db and an ndb_snapshot may be used from any number of threads at once.
**     An ndb_writer belongs to one thread at a time. Result objects belong to their caller.
**
** Life cycle:
**     ndb_open -> ndb_writer_open -> (ndb_writer_add_native | ndb_ingest)* -> ndb_writer_commit
**              -> ndb_snapshot_open -> ndb_search / ndb_count / ndb_get -> ndb_snapshot_close
**     ndb_close
*/
#ifndef NEWSDB_H
#define NEWSDB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NDB_BUILDING_LIBRARY)
#define NDB_API __attribute__((visibility("default")))
#else
#define NDB_API
#endif

#define NDB_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------- errors */

typedef enum ndb_rc {
    NDB_OK = 0,
    NDB_ENOMEM = -1,     /* allocation failed (or was injected) */
    NDB_EIO = -2,        /* read/write/fsync/rename failed; err->sys_errno set */
    NDB_ENOSPC = -3,     /* disk full */
    NDB_ECORRUPT = -4,   /* on-disk bytes fail a bound or checksum */
    NDB_EFORMAT = -5,    /* right magic, version outside what we read */
    NDB_EINVAL = -6,     /* caller broke a documented precondition */
    NDB_EPARSE = -7,     /* bad outside input: article, query, request */
    NDB_ENOTFOUND = -8,  /* no such article, URL or archive */
    NDB_ELIMIT = -9,     /* size or cost bound hit */
    NDB_EPOISONED = -10, /* writer hit a fatal I/O error earlier: close, reopen */
    NDB_EBUSY = -11,     /* another process holds the writer lock */
} ndb_rc;

#define NDB_ERR_MSG_MAX 512

/* Error detail. Caller-allocated; cleared at entry of every call that takes it. */
typedef struct ndb_err {
    ndb_rc rc;
    int sys_errno;               /* errno of the failing system call, else 0 */
    char msg[NDB_ERR_MSG_MAX];   /* "source: what is wrong", NUL-terminated */
} ndb_err;

/* Name of a code, e.g. "corrupt archive". Never NULL; static storage. */
NDB_API const char *ndb_strerror(ndb_rc rc);

/* Library version string (NDB_VERSION_STRING). */
NDB_API const char *ndb_version(void);

/* ---------------------------------------------------------------- memory */

/* All heap memory of the library goes through this hook. Install before any other call;
** not thread-safe against concurrent library use. NULL restores libc. */
typedef struct ndb_allocator {
    void *(*malloc_fn)(void *ctx, size_t n);
    void *(*realloc_fn)(void *ctx, void *p, size_t n);
    void (*free_fn)(void *ctx, void *p);
    void *ctx;
} ndb_allocator;

NDB_API void ndb_set_allocator(const ndb_allocator *a);

/* Free memory the library returned as OWNED raw bytes (ndb_doc_format, ...). */
NDB_API void ndb_free_mem(void *p);

/* A byte view; never assumed NUL-terminated. */
typedef struct ndb_slice {
    const uint8_t *p;
    size_t n;
} ndb_slice;

/* ---------------------------------------------------------------- archive */

typedef struct ndb_db ndb_db;             /* an open archive directory */
typedef struct ndb_writer ndb_writer;     /* the one writer of an archive */
typedef struct ndb_snapshot ndb_snapshot; /* a read view of one commit */

typedef enum ndb_stemmer {
    NDB_STEM_ENGLISH = 0, /* Snowball English (default) */
    NDB_STEM_PORTER = 1,  /* Snowball's original Porter */
    NDB_STEM_NONE = 2,    /* no stemming */
} ndb_stemmer;

/* Log levels for the optional log callback. */
typedef enum ndb_log_level { NDB_LOG_DEBUG, NDB_LOG_INFO, NDB_LOG_WARN, NDB_LOG_ERROR } ndb_log_level;
typedef void (*ndb_log_fn)(void *ctx, ndb_log_level level, const char *msg);

typedef struct ndb_options {
    int create;          /* create the archive if the directory holds none */
    ndb_stemmer stemmer; /* analyzer of a new archive; an existing one keeps its own. A new
                            archive with ENGLISH or PORTER stems each article in its own
                            language where Snowball can (docs/query-language.md) */
    ndb_log_fn log;      /* optional */
    void *log_ctx;
    int no_dedup;        /* 1: this writer skips near-duplicate and reuse detection (a
                            later writer without it catches up at its first commit) */
    size_t dedup_memory; /* bytes the writer's near-duplicate band keys may take in memory
                            (0: 64 MiB); past it, at a commit, they move to sorted files on
                            disk, so memory does not grow with the archive */
} ndb_options;

/* Open (and with opt->create, create) the archive in directory `path`. opt may be NULL
** (defaults: no create, English). *out is OWNED: ndb_close. */
NDB_API ndb_rc ndb_open(const char *path, const ndb_options *opt, ndb_db **out, ndb_err *err);
/* Close. All snapshots and the writer must be closed first. Accepts NULL. */
NDB_API void ndb_close(ndb_db *db);

/* ---------------------------------------------------------------- articles */

#define NDB_DATE_NONE INT32_MIN /* article has no known date */

/* A stored article. OWNED by the caller of ndb_get*: ndb_doc_free. All pointers inside are
** borrowed from the ndb_doc and NUL-terminated (text fields may also contain NUL-free UTF-8). */
typedef struct ndb_doc {
    uint32_t id;            /* dense document id, ingest order */
    const char *url;
    const char *outlet;     /* registrable domain, "" when none */
    int32_t date;           /* days since 1970-01-01, or NDB_DATE_NONE */
    const char *title;      /* from a side file, "" when none */
    const char *lang;       /* ISO 639-1 code: given with the article (side file), else
                               detected (CLD2); "" when unknown */
    const char *source;     /* file or tar member it was read from */
    int64_t lead_bytes;     /* header line 2, kept exactly (inferred: byte length of the
                               first paragraph including its newline) */
    int64_t para_declared;  /* header line 3 */
    uint32_t n_paras;       /* paragraphs as found */
    const ndb_slice *paras; /* n_paras paragraph texts (no trailing newline) */
    ndb_slice raw;          /* the exact input bytes */
    uint32_t version;       /* 1 for the first version of its URL, 2, ... */
    int live;               /* 1 when this is the current version of its URL */
} ndb_doc;

NDB_API void ndb_doc_free(ndb_doc *d);

typedef enum ndb_format {
    NDB_FMT_NATIVE = 0, /* the exact input bytes */
    NDB_FMT_JSON = 1,   /* one JSON object, no trailing newline */
    NDB_FMT_CSV = 2,    /* one CSV row (RFC 4180), with trailing CRLF-free newline */
} ndb_format;

/* Serialize d. *out is OWNED: ndb_free_mem. */
NDB_API ndb_rc ndb_doc_format(const ndb_doc *d, ndb_format fmt, char **out, size_t *len);
/* CSV header line matching NDB_FMT_CSV rows. Static storage. */
NDB_API const char *ndb_doc_csv_header(void);

/* Format a date (days since epoch) as YYYY-MM-DD into buf (>= 11 bytes). "" if NONE. */
NDB_API void ndb_date_format(int32_t date, char *buf, size_t n);

/* ---------------------------------------------------------------- writing */

/* Take the archive's writer lock. NDB_EBUSY when another process or handle holds it.
** *out is OWNED: ndb_writer_close (which discards what was not committed). */
NDB_API ndb_rc ndb_writer_open(ndb_db *db, ndb_writer **out, ndb_err *err);
NDB_API void ndb_writer_close(ndb_writer *w);

/* Per-article fields that override the derived ones (from a side file). Any field may be
** NULL; date as "YYYY-MM-DD". */
typedef struct ndb_meta {
    const char *url, *outlet, *date, *title, *lang;
} ndb_meta;

typedef enum ndb_add_status {
    NDB_ADDED = 0,     /* a new URL */
    NDB_UPDATED = 1,   /* a new version of a known URL; it replaces the old one in search */
    NDB_DUPLICATE = 2, /* same URL, identical bytes: skipped */
} ndb_add_status;

typedef struct ndb_add_result {
    ndb_add_status status;
    uint32_t id;        /* id of the new version, or of the existing one for DUPLICATE */
    int count_mismatch; /* 1: paragraph count differs from header line 3 (kept as found) */
} ndb_add_result;

/* Add one native-format article. `source` names it in messages (file or tar member). With
** strict != 0 a paragraph-count mismatch is an error. On NDB_EPARSE nothing was added and
** err names source and line. Visible to readers after the next commit. */
NDB_API ndb_rc ndb_writer_add_native(ndb_writer *w, const char *source, const void *bytes,
                                     size_t n, const ndb_meta *meta, int strict,
                                     ndb_add_result *res, ndb_err *err);

/* Make everything added so far durable and visible, atomically. After an I/O error the
** writer is poisoned (NDB_EPOISONED on every later call) and the archive stays at its
** last commit. */
NDB_API ndb_rc ndb_writer_commit(ndb_writer *w, ndb_err *err);

/* Merge all index segments into one (then commit). */
NDB_API ndb_rc ndb_writer_optimize(ndb_writer *w, ndb_err *err);

/* ------------------------------------------------------- ingesting sources */

/* Called once per bad record (error or warning) with a one-line message naming the source. */
typedef void (*ndb_report_fn)(void *ctx, int is_error, const char *msg);
/* Called now and then with progress: articles seen, bytes read so far. */
typedef void (*ndb_progress_fn)(void *ctx, uint64_t articles, uint64_t bytes);

typedef struct ndb_ingest_opts {
    int strict;                /* first bad record fails the call, nothing committed */
    const char *meta_path;     /* optional side file (JSONL) */
    uint32_t commit_every;     /* commit after this many articles (0: 50000) */
    int defer_commit;          /* 1: make no commit at all (strict mode makes none before the
                                  end either); the caller commits, e.g. after several
                                  sources that must land together */
    ndb_report_fn report;
    ndb_progress_fn progress;
    void *ctx;
    const char *format;        /* input format (docs/ingest-formats.md): NULL or "auto"
                                  (sniffed: WARC by content, *.jsonl / *.csv by name, else
                                  native file / directory / tar, where saved HTML pages are
                                  extracted), "native", "jsonl", "csv", "warc" */
    int threads;               /* 0 (default) or 2: input is read, parsed and analyzed on a
                                  second thread while this one indexes and stores (the
                                  allocator must then be thread-safe); 1: all on this thread.
                                  The archive is the same either way. */
} ndb_ingest_opts;

typedef struct ndb_ingest_stats {
    uint64_t seen, added, updated, duplicates, skipped, warnings;
    uint64_t bytes;
    uint64_t meta_lines, meta_unmatched;
    uint64_t ignored;          /* input records that are not articles by design (WARC
                                  requests, metadata, non-HTML or non-2xx responses) */
    uint64_t revisits;         /* WARC revisit records: a capture repeating an earlier
                                  response's payload; not added (docs/ingest-formats.md) */
} ndb_ingest_stats;

/* Ingest `path`: a native file, a directory (recursive, sorted), a tar archive in any
** compression libarchive reads, or "-" for a tar stream on stdin. Bad records are reported
** and skipped. Commits at the end (and every commit_every articles). */
NDB_API ndb_rc ndb_ingest(ndb_writer *w, const char *path, const ndb_ingest_opts *opt,
                          ndb_ingest_stats *st, ndb_err *err);
/* The same over several sources as one run: the side file is loaded once and its unmatched
** lines are reported once, at the end; progress counts across all sources. */
NDB_API ndb_rc ndb_ingest_paths(ndb_writer *w, const char *const *paths, size_t npaths,
                                const ndb_ingest_opts *opt, ndb_ingest_stats *st,
                                ndb_err *err);

/* ---------------------------------------------------------------- reading */

/* A snapshot of the newest commit. OWNED: ndb_snapshot_close. */
NDB_API ndb_rc ndb_snapshot_open(ndb_db *db, ndb_snapshot **out, ndb_err *err);
NDB_API void ndb_snapshot_close(ndb_snapshot *s);
/* Time budget: every later query call on s (search, count, match_each, analytics) stops
** with NDB_ELIMIT ("query: time budget exceeded ...") once `ms` milliseconds from now
** have passed; checked every few thousand matching articles. 0 removes the budget. Not
** to be called while another thread runs a query on s. */
NDB_API void ndb_snapshot_set_budget(ndb_snapshot *s, uint32_t ms);

/* Fetch by id (any version) or by URL (the current version). *out OWNED: ndb_doc_free. */
NDB_API ndb_rc ndb_get(ndb_snapshot *s, uint32_t id, ndb_doc **out, ndb_err *err);
NDB_API ndb_rc ndb_get_url(ndb_snapshot *s, const char *url, ndb_doc **out, ndb_err *err);
/* Ids of every version of url, oldest first. *ids OWNED: ndb_free_mem. */
NDB_API ndb_rc ndb_get_versions(ndb_snapshot *s, const char *url, uint32_t **ids, size_t *n,
                                ndb_err *err);

typedef struct ndb_stats {
    uint64_t articles;      /* live (current-version) articles */
    uint64_t versions;      /* all stored versions */
    uint64_t outlets;       /* distinct outlets */
    int32_t date_min, date_max; /* NDB_DATE_NONE when no dated article */
    uint64_t dated;
    uint64_t store_bytes, index_bytes, raw_bytes;
    uint32_t segments;
    uint64_t generation;    /* commit number */
    ndb_stemmer stemmer;
    int stem_per_language;  /* 1: each article is stemmed in its own language where Snowball
                               has a stemmer for it, the stemmer above serving the rest
                               (archives created since languages exist); 0: one stemmer */
} ndb_stats;

NDB_API ndb_rc ndb_snapshot_stats(ndb_snapshot *s, ndb_stats *st, ndb_err *err);

/* ---------------------------------------------------------------- search */

typedef enum ndb_sort { NDB_SORT_SCORE = 0, NDB_SORT_DATE_DESC = 1, NDB_SORT_DATE_ASC = 2 } ndb_sort;

typedef struct ndb_search_opts {
    uint32_t limit;   /* hits to return (default 10 when 0), at most 10000 */
    uint32_t offset;  /* hits to skip */
    ndb_sort sort;
    int snippets;     /* 1: make a highlighted snippet per hit */
    int exhaustive;   /* 1: score every match (test oracle); 0: block-max pruning */
    int collapse_dups; /* 1: one hit per near-duplicate cluster among the matches (the best
                          ranked member; similarity >= NDB_DUPS_THRESHOLD, as ndb_dups); the
                          results then carry `unique` and each hit its cluster size */
} ndb_search_opts;

typedef struct ndb_hit {
    uint32_t id;
    double score;
    const char *url, *outlet, *title;
    int32_t date;
    const char *snippet; /* "" unless asked; matches wrapped in [[ ]] */
    uint32_t copies;     /* collapse_dups: matching articles of its cluster (1 = no copy);
                            else 0 */
} ndb_hit;

/* OWNED by the caller of ndb_search: ndb_results_free. */
typedef struct ndb_results {
    uint64_t total; /* exact number of matching articles */
    size_t n;
    ndb_hit *hits;
    uint64_t unique; /* collapse_dups: exact number of unique stories among the matches
                        (clusters count once); else 0 */
} ndb_results;

/* Run a query (syntax: docs/query-language.md). A syntax error is NDB_EPARSE with the
** column in err->msg ("column 7: ..."). */
NDB_API ndb_rc ndb_search(ndb_snapshot *s, const char *query, const ndb_search_opts *opt,
                          ndb_results **out, ndb_err *err);
NDB_API void ndb_results_free(ndb_results *r);

/* Exact count of matching articles, without ranking. */
NDB_API ndb_rc ndb_count(ndb_snapshot *s, const char *query, uint64_t *count, ndb_err *err);

/* Call fn for every matching article id in increasing order (for export). A non-zero return
** from fn stops the walk. */
typedef int (*ndb_id_fn)(void *ctx, uint32_t id);
NDB_API ndb_rc ndb_match_each(ndb_snapshot *s, const char *query, ndb_id_fn fn, void *ctx,
                              ndb_err *err);

/* ---------------------------------------------------------------- analytics */

/* Attention over time and by outlet, exact (docs/analytics.md). Every figure is computed
** from the per-article columns (date, outlet) of the live articles that match the query;
** article bodies are never read. Errors: NDB_EPARSE (query, "column N: ..."), NDB_EINVAL
** (from > to, unknown period), NDB_ELIMIT (a timeline of more than NDB_AGG_MAX_ROWS rows:
** use a coarser period or a narrower range), NDB_ENOMEM. An empty match is NDB_OK with
** matched = 0 and n = 0 (the caller decides how to say so). Threading: like ndb_search. */

typedef enum ndb_period {
    NDB_PERIOD_NONE = 0,  /* one bucket for every dated article (outlets) */
    NDB_PERIOD_DAY = 1,
    NDB_PERIOD_WEEK = 2,  /* ISO weeks, Monday to Sunday */
    NDB_PERIOD_MONTH = 3,
    NDB_PERIOD_YEAR = 4,
} ndb_period;

#define NDB_AGG_MAX_ROWS 5000000u

typedef struct ndb_agg_opts {
    ndb_period by;     /* timeline bucket; NONE means MONTH there */
    int split_outlet;  /* timeline: one series per outlet with at least one match */
    int32_t from, to;  /* inclusive day range; NDB_DATE_NONE = open end. Both 0 is also
                          read as open (so {0} opts mean "everything"). A range with at
                          least one end set keeps only dated articles inside it. */
    uint32_t top;      /* outlets: keep the `top` largest (0 = all) */
    int collapse_dups; /* 1: count unique stories: each near-duplicate cluster among the
                          matches (as ndb_dups, default threshold) once, at its earliest
                          member's period and outlet; `matched` is then the number of unique
                          stories. Totals stay all live articles. */
} ndb_agg_opts;

typedef struct ndb_agg_row {
    int32_t period;     /* first day of the period; NDB_DATE_NONE = the undated bucket */
    const char *outlet; /* outlet name, "" = none; NULL in an unsplit timeline */
    uint64_t count;     /* matching live articles of this period (and outlet) */
    uint64_t total;     /* all live articles of this period (and outlet): count / total is
                           the share of coverage (--normalize), or an outlet's share of its
                           own output */
    const char *lang;   /* ndb_languages: ISO 639-1 code, "" = unknown; NULL elsewhere */
} ndb_agg_row;

/* OWNED by the caller: ndb_agg_free. rows and their strings live until then. */
typedef struct ndb_agg {
    uint64_t matched;  /* live articles matching the query, before the range and top cuts */
    uint64_t in_range; /* of those, the ones counted in rows (dated in range, or undated) */
    size_t n;
    ndb_agg_row *rows;
} ndb_agg;

/* Matching articles per period, oldest first, then the undated bucket (when it is not
** empty). Every period from the first to the last (or from..to when given) is present,
** zero counts included. With split_outlet: per period, one row per outlet that has at
** least one match in range, outlets by name. */
NDB_API ndb_rc ndb_timeline(ndb_snapshot *s, const char *query, const ndb_agg_opts *opt,
                            ndb_agg **out, ndb_err *err);
/* Matching articles per outlet (period = NDB_DATE_NONE), most first, ties by name; only
** outlets with a match in range. Articles without an outlet are the row with outlet "". */
NDB_API ndb_rc ndb_outlets(ndb_snapshot *s, const char *query, const ndb_agg_opts *opt,
                           ndb_agg **out, ndb_err *err);
NDB_API void ndb_agg_free(ndb_agg *a); /* accepts NULL */

/* Matching live articles per language (period = NDB_DATE_NONE, outlet NULL, lang = the
** code, "" for articles whose language is unknown), most first, ties by code; total = all
** live articles of that language. query NULL counts every live article (`newsdb stats`).
** Languages come from the side file / input, else from detection at ingest (README,
** docs/query-language.md "Languages"). Archives made before languages were recorded give
** one "" row. */
NDB_API ndb_rc ndb_languages(ndb_snapshot *s, const char *query, ndb_agg **out, ndb_err *err);

/* Name of a period ("day", "week", "month", "year", "none"); parse one back (0 ok, -1 not a
** period name). */
NDB_API const char *ndb_period_name(ndb_period p);
NDB_API int ndb_period_parse(const char *s, ndb_period *out);

/* Frequent and significant terms of the articles matching a query (docs/analytics.md).
** Counts are exact, read from the index (the forward index when the archive has one, else
** the postings; no article is re-tokenized for them);
** stop words are left out. A term is shown as its most common surface form (lower case)
** among up to NDB_TERMS_SURFACE_SAMPLE matching articles, else as its stem. Errors as
** above, plus NDB_ELIMIT when the walk would read more than max_postings postings. */

#define NDB_TERMS_SURFACE_SAMPLE 200

typedef struct ndb_terms_opts {
    uint32_t top;           /* terms to return (0: 20) */
    int significant;        /* 1: rank by log-odds z-score against the background */
    const char *background; /* query of the background; NULL = the whole archive. The
                               matching articles are taken out of the background. */
    uint64_t max_postings;  /* cost bound (0: 2,000,000,000); with bigrams it bounds the
                               postings plus positions read */
    int bigrams;            /* 1: bigrams instead of terms: two consecutive tokens of one
                               paragraph, dropped when either is a stop word; term is
                               "first second" (surface forms), stem the two stems. With
                               significant: bigrams scored against the background's bigrams
                               like terms (bg_count, delta, z). */
} ndb_terms_opts;

typedef struct ndb_term_row {
    const char *term;  /* surface form shown */
    const char *stem;  /* the indexed term */
    uint64_t count;    /* occurrences in the matching articles */
    uint64_t docs;     /* matching articles containing it */
    uint64_t bg_count; /* occurrences in the background (significant only) */
    double delta, z;   /* Monroe et al. log-odds ratio and z-score (significant only) */
} ndb_term_row;

/* OWNED by the caller: ndb_term_list_free. */
typedef struct ndb_term_list {
    uint64_t matched, bg_docs;  /* matching articles; background articles (significant) */
    uint64_t tokens, bg_tokens; /* non-stop-word occurrences in each */
    uint64_t postings;          /* postings read */
    size_t n;
    ndb_term_row *rows;
} ndb_term_list;

NDB_API ndb_rc ndb_top_terms(ndb_snapshot *s, const char *query, const ndb_terms_opts *opt,
                             ndb_term_list **out, ndb_err *err);
NDB_API void ndb_term_list_free(ndb_term_list *l); /* accepts NULL */

/* ------------------------------------------------- duplicates and text reuse */

/* Near-duplicate articles and reused paragraphs (docs/dedup.md). The writer keeps, as part
** of every commit, each article's LSH band keys, its verified near-duplicate links (exact
** word-shingle similarity >= NDB_DUPS_FLOOR with earlier articles) and its paragraph
** fingerprints, so these calls read no article bodies (except in exhaustive mode).
** Only live articles (the current version of each URL) take part. The source of a cluster
** is its earliest member: by date (undated last), then by id. Errors: NDB_EPARSE (query),
** NDB_EINVAL (threshold out of range), NDB_ELIMIT (exhaustive over too many articles),
** NDB_ENOTFOUND (reuse of an unknown id), NDB_ENOMEM, NDB_ECORRUPT (damaged dup files).
** Threading: like ndb_search. */

#define NDB_DUPS_THRESHOLD      0.8   /* default similarity threshold */
#define NDB_DUPS_FLOOR          0.5   /* lowest threshold answered from the stored links */
#define NDB_DUPS_EXHAUSTIVE_MAX 5000u /* matching articles an exhaustive run accepts */

typedef struct ndb_dups_opts {
    double threshold; /* 0: NDB_DUPS_THRESHOLD; in [NDB_DUPS_FLOOR, 1], or (0, 1] when
                         exhaustive */
    int exhaustive;   /* 1: re-read the matching articles and compare every pair exactly
                         (the oracle; no LSH); at most NDB_DUPS_EXHAUSTIVE_MAX of them */
    uint32_t limit;   /* clusters to return, largest first (0: all) */
    int measure;      /* NDB_DUPS_SIMILARITY (0, the default) or NDB_DUPS_JACCARD */
} ndb_dups_opts;

/* What the threshold of ndb_dups applies to (docs/dedup.md, "Why not Jaccard"):
**   NDB_DUPS_SIMILARITY  |A ∩ B| / max(|A|, |B|): each article is at least that much
**                        contained in the other (an edit is charged once);
**   NDB_DUPS_JACCARD     |A ∩ B| / |A ∪ B|, Broder's resemblance (an edit is charged twice).
** Jaccard <= similarity, so every pair of Jaccard >= NDB_DUPS_FLOOR is among the stored
** links and both measures are answered from them. Collapsing (search, analytics) and
** ndb_dup_cluster_of use the default measure and threshold. */
#define NDB_DUPS_SIMILARITY 0
#define NDB_DUPS_JACCARD    1

typedef struct ndb_dup_member {
    uint32_t id;
    int32_t date;       /* or NDB_DATE_NONE */
    const char *outlet; /* "" = none */
} ndb_dup_member;

typedef struct ndb_dup_cluster {
    uint32_t id;       /* cluster id: the smallest article id among its members */
    uint32_t source;   /* the earliest member (members[0]) */
    uint32_t size;     /* members (>= 2) */
    uint32_t outlets;  /* distinct outlets among them */
    int32_t date_min, date_max; /* NDB_DATE_NONE when no member is dated */
    const ndb_dup_member *members; /* size members, earliest first */
} ndb_dup_cluster;

/* OWNED by the caller: ndb_dup_list_free. Everything inside lives until then. */
typedef struct ndb_dup_list {
    uint64_t matched;   /* live articles matching the query */
    uint64_t clustered; /* of those, members of a cluster */
    uint64_t unique;    /* unique stories: matched - clustered + clusters */
    uint64_t uncovered; /* matching articles without dup data (added with detection off;
                           the next writer commit fills them in) */
    uint64_t nclusters; /* clusters found (n may be fewer: limit) */
    size_t n;
    ndb_dup_cluster *clusters; /* largest first, ties by source id */
} ndb_dup_list;

/* Clusters of near-duplicates among the live articles matching query (NULL or "": all):
** the connected components, of size >= 2, of the graph linking two matching articles whose
** word-shingle similarity |A ∩ B| / max(|A|, |B|) (or, with opt->measure NDB_DUPS_JACCARD,
** their Jaccard |A ∩ B| / |A ∪ B|) is >= threshold. */
NDB_API ndb_rc ndb_dups(ndb_snapshot *s, const char *query, const ndb_dups_opts *opt,
                        ndb_dup_list **out, ndb_err *err);
NDB_API void ndb_dup_list_free(ndb_dup_list *d); /* accepts NULL */

/* The cluster id of article id among all live articles at NDB_DUPS_THRESHOLD (its own id
** when it has no near-duplicate); NDB_ENOTFOUND for an unknown or superseded id. */
NDB_API ndb_rc ndb_dup_cluster_of(ndb_snapshot *s, uint32_t id, uint32_t *cluster,
                                  ndb_err *err);

/* Where each paragraph of one article appears elsewhere (normalized paragraph fingerprints;
** paragraphs of fewer than NDB_REUSE_PARA_MIN analyzed tokens are not fingerprinted). */
#define NDB_REUSE_PARA_MIN 8

typedef struct ndb_reuse_para {
    uint32_t para;        /* paragraph index in the article, from 0 */
    int fingerprinted;    /* 0: too short to count */
    uint32_t earliest;    /* earliest live appearance (maybe the article itself) */
    size_t n;             /* other live articles holding this paragraph */
    const ndb_dup_member *others; /* earliest first */
} ndb_reuse_para;

/* OWNED by the caller: ndb_reuse_report_free. */
typedef struct ndb_reuse_report {
    uint32_t id;
    uint32_t cluster;     /* as ndb_dup_cluster_of */
    uint32_t reused;      /* paragraphs found in at least one other live article */
    uint32_t copied;      /* of those, paragraphs whose earliest appearance is elsewhere */
    size_t n;             /* one row per paragraph */
    ndb_reuse_para *paras;
} ndb_reuse_report;

NDB_API ndb_rc ndb_reuse(ndb_snapshot *s, uint32_t id, ndb_reuse_report **out, ndb_err *err);
NDB_API void ndb_reuse_report_free(ndb_reuse_report *r); /* accepts NULL */

/* Who republishes whom among the live articles matching query (NULL or "": all): for every
** fingerprinted paragraph held by two or more of them, its earliest appearance is the
** source; every later appearance in another outlet counts one paragraph from the source's
** outlet to the later one. articles counts the distinct later articles of each pair. */
typedef struct ndb_reuse_flow {
    const char *from, *to; /* outlets ("" = none) */
    uint64_t paras;
    uint64_t articles;
} ndb_reuse_flow;

typedef struct ndb_reuse_matrix {
    uint64_t matched;
    uint64_t paras;    /* paragraph appearances counted in rows */
    size_t n;
    ndb_reuse_flow *rows; /* most paragraphs first, ties by (from, to) */
} ndb_reuse_matrix;

NDB_API ndb_rc ndb_reuse_outlets(ndb_snapshot *s, const char *query, ndb_reuse_matrix **out,
                                 ndb_err *err);
NDB_API void ndb_reuse_matrix_free(ndb_reuse_matrix *m); /* accepts NULL */

/* ---------------------------------------------------------------- check */

/* Verify every checksum and cross-check the index against the store. Each problem goes to
** report (is_error=1). Returns NDB_OK when the archive is sound, NDB_ECORRUPT otherwise. */
NDB_API ndb_rc ndb_check(ndb_db *db, ndb_report_fn report, void *ctx, ndb_err *err);

/* ---------------------------------------------------------------- HTML extraction */

/* The main article of a web page (docs/extract.md). OWNED by the caller:
** ndb_extracted_free. Strings are NUL-terminated UTF-8, "" when unknown, never NULL. */
typedef struct ndb_extracted {
    char *native;      /* the article as a canonical native-format record (NUL-terminated) */
    size_t native_len;
    char *url;         /* canonical URL made absolute, else the url given, else "" */
    char *title, *date, *authors, *lang, *site_name; /* date "YYYY-MM-DD"; authors "A; B" */
    uint32_t n_paras;
} ndb_extracted;

/* Extract the article of the HTML page p[0..n). url (the page's URL) and content_type (the
** HTTP Content-Type value, for its charset) may be NULL. Errors: NDB_EPARSE (not HTML,
** binary, no article text), NDB_ELIMIT (page too large), NDB_ENOMEM; *out NULL then. */
NDB_API ndb_rc ndb_extract_html(const uint8_t *p, size_t n, const char *url,
                                const char *content_type, ndb_extracted **out, ndb_err *err);
NDB_API void ndb_extracted_free(ndb_extracted *x); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif /* NEWSDB_H */
