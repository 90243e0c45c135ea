/*
** api.h — private structures of the api layer, which implements include/newsdb.h.
**
** The api ties the lower modules together:
**   ndb_db        an archive directory: its vfs, a shared reader store (refreshed to the
**                 newest commit), and a cache of open segments shared by snapshots.
**   ndb_snapshot  one commit: a copy of its store state, references to its segments, and the
**                 ndb_view the query layer runs on.
**   ndb_writer    the single writer: lock file, writable store, in-memory segment writer,
**                 the working manifest; commit = segment write + store sync + manifest.
**
** Writer state machine (STYLE rule 13):
**
**     writer_open ──> OPEN ──add/commit/optimize ok──> OPEN
**                       │
**                       └──any failed write, fsync, rename──> ERROR (every call: EPOISONED)
**     writer_close from either state releases the lock; uncommitted work is discarded and
**     cut from the files by the next writer_open.
**
** Threading: ndb_db guards its reader store refresh and segment cache with one mutex; a
** snapshot is immutable once opened and usable from any thread.
*/
#ifndef NDB_API_API_H
#define NDB_API_API_H

#include "analytics/dedup.h"
#include "base/base.h"
#include "doc/items.h"
#include "index/fwd.h"
#include "index/manifest.h"
#include "index/segment.h"
#include "index/view.h"
#include "query/query.h"
#include "store/store.h"
#include "text/lang.h"
#include "text/text.h"

#include <pthread.h>

typedef struct api_segref {
    ndb_seg *seg;
} api_segref;

struct ndb_db {
    char *path;
    const ndb_vfs *vfs;
    ndb_options opt;
    ndb_stemmer stemmer;
    bool langstem;       /* articles stemmed per language (manifest.h) */
    ndb_lang_set langs;  /* languages seen in ids [0, lang_scanned) (under mu) */
    uint32_t lang_scanned;
    /* norm bytes of ids [0, norms_n) (ndb_view.norms), built on demand under mu; an array
    ** outgrown is kept in norms_old until close (older snapshots may still read it) */
    uint8_t *norms;
    uint32_t norms_n, norms_cap;
    uint8_t **norms_old;
    size_t nnorms_old;
    /* per-outlet doc lists of the newest snapshot that asked (ndb_view.outlet_docs), shared
    ** with the snapshots holding a reference (refs under mu) */
    struct api_olists *olists;
    pthread_mutex_t mu;
    ndb_store *rstore;   /* reader store, at rgen's state; NULL until the first snapshot */
    uint64_t rgen;
    size_t ncache;       /* open segments of the newest snapshot */
    ndb_seg **cache;
    ndb_writer *writer;  /* the writer open on this handle, if any */
    struct api_dedup_state *dedup; /* dup data of the newest commit loaded (dups.c) */
};

struct ndb_snapshot {
    ndb_db *db;
    uint64_t gen;
    ndb_store_state st;
    size_t nsegs;
    ndb_seg **segs;
    uint64_t index_bytes;
    ndb_fwd *fwd; /* NULL when the archive has no forward index */
    ndb_lang_set langs;  /* languages present (a superset): for per-language parses */
    struct api_olists *olists; /* a reference once ndb_view.outlet_docs was called (under mu) */
    ndb_view view;
};

/* Open with an explicit vfs (tests inject faults and crashes through it). */
ndb_rc ndb_open_vfs(const char *path, const ndb_options *opt, const ndb_vfs *vfs, ndb_db **out,
                    ndb_err *err);

/* Log through the user's callback, if any. */
void api_log(const ndb_db *db, ndb_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Take the archive's LOCK file (flock); *fd holds it until closed. NDB_EBUSY if held. */
ndb_rc api_lock(ndb_db *db, int *fd, ndb_err *err);

/* Writer internals used by ingest. */
bool api_writer_poisoned(const ndb_writer *w);
/* The archive detects near-duplicates (recorded tokens then want api_tokens_set_dedup). */
bool api_writer_dedup_on(const ndb_writer *w);
/* Paragraph counts (line 3, found) of the article added last. */
void api_writer_last_counts(const ndb_writer *w, int64_t *declared, uint32_t *found);

/* Bulk loading of pre-parsed rows (the benchmark driver bench/newsdb_bench.c): add a
** native article whose outlet and date are taken exactly as given — the outlet is NOT
** normalized to its registrable domain, the date is NOT derived from the URL. Everything
** else (parse, URL versions, analysis, store) is ndb_writer_add_native's path. The
** benchmark harness filters on the URL host as its docs.tsv gives it, so this keeps
** `outlet:HOST` meaning the same thing for every engine. Not part of the public API. */
typedef struct api_fixed_fields {
    const char *outlet; /* stored as is ("" or NULL: none) */
    int32_t date;       /* days since 1970-01-01, or NDB_DATE_NONE */
} api_fixed_fields;

ndb_rc api_writer_add_verbatim(ndb_writer *w, const char *source, const void *bytes,
                               size_t n, const api_fixed_fields *fixed,
                               ndb_add_result *res, ndb_err *err);

/* The language of an article being added (api/lang.c): the given one when it names a
** language, else CLD2's reliable answer on title + paragraphs, else NDB_LANG_NONE.
** NDB_ENOMEM only. */
ndb_rc api_lang_resolve(const char *given, const char *title, const ndb_slice *paras,
                        uint32_t n, uint8_t *id);

/* Set an's stemmer for an article of language lang (code, as stored): that language's
** Snowball stemmer when the archive stems per language and one exists, else the archive's
** own. NDB_ENOMEM. */
ndb_rc api_lang_stemmer(ndb_analyzer *an, bool langstem, const char *lang);

/* The languages a per-language parse of s must cover (NULL: the archive stems in one
** language; parse as ndb_query_parse). */
static inline const ndb_lang_set *api_langs(const ndb_snapshot *s)
{
    return s->db->langstem ? &s->langs : NULL;
}

/* Parse q for snapshot s with a new analyzer of the archive (api/lang.c): the one place
** that decides how query words are analyzed. *an and *qq OWNED by the caller (also on
** failure: free both). NDB_EINVAL when q is NULL. */
ndb_rc api_query_parse(ndb_snapshot *s, const char *q, ndb_analyzer **an, ndb_query **qq,
                       ndb_err *err);

/* A document's analyzed tokens, recorded by one thread and replayed by the writer's
** (tokens.c): lets analysis of the next documents overlap indexing of this one. */
typedef struct api_tokens api_tokens;
ndb_rc api_tokens_new(api_tokens **out); /* *out OWNED: api_tokens_free */
void api_tokens_free(api_tokens *t);
/* Record the tokens of a body (replaces earlier contents): ndb_text_analyze_paras with an
** analyzer of the archive's stemmer (one analyzer per thread). */
ndb_rc api_tokens_analyze(api_tokens *t, ndb_analyzer *an, const ndb_slice *paras,
                          uint32_t n);
/* The same for an article whose given language and title are `lang` and `title` (NULL or
** "": none; as a side file or input format gives them) in an archive that stems per
** language (per_language) or with the analyzer's stemmer only: what the writer does. */
ndb_rc api_tokens_analyze_as(api_tokens *t, ndb_analyzer *an, bool per_language,
                             const char *lang, const char *title, const ndb_slice *paras,
                             uint32_t n);
/* The article's language as resolved by the analysis (api_lang_resolve). */
uint8_t api_tokens_lang(const api_tokens *t);
/* The stem index (text.h) the recorded terms were made with: the language's (text/lang.h). */
int api_tokens_stem(const api_tokens *t);
/* Feed the recorded tokens to fn in order; *ntokens = the analysis' token count. */
ndb_rc api_tokens_replay(const api_tokens *t, ndb_token_fn fn, void *ctx, uint32_t *ntokens);
/* Index of each paragraph's first token in the replay order; *n = paragraphs. */
const uint32_t *api_tokens_paras(const api_tokens *t, uint32_t *n);
/* on: later analyses also build the article's near-duplicate sketch, finished (for an
** archive with detection on; api_dedup_replay then takes it over). Default off. */
void api_tokens_set_dedup(api_tokens *t, bool on);
/* When the last analysis built a sketch not taken yet: swap it with *doc (which becomes
** the writer's; its old buffers go to t for reuse) and return true. Else false. */
bool api_tokens_take_dedup(const api_tokens *t, ndb_dedup_doc *doc);
/* Each recorded term's ndb_hash64 in replay order (*n of them; BORROWED likewise). */
const uint64_t *api_tokens_hashes(const api_tokens *t, size_t *n);

/* api_writer_add_verbatim with the body's tokens already recorded from exactly these bytes
** (bytes are still parsed for the fields and stored; tokens are not checked against them;
** there is no side file, so the language is the tokens' detected one).
** fixed may be NULL (fields as ndb_writer_add_native derives them). */
ndb_rc api_writer_add_tokens(ndb_writer *w, const char *source, const void *bytes, size_t n,
                             const api_fixed_fields *fixed, const api_tokens *tokens,
                             ndb_add_result *res, ndb_err *err);
/* ndb_writer_add_native with the body's tokens recorded by api_tokens_analyze_as from
** exactly these bytes, meta's lang and title, and the writer's stemming rule
** (api_writer_analyzer_new); tokens NULL: analyze here. Same archive either way. */
ndb_rc api_writer_add_native_tokens(ndb_writer *w, const char *source, const void *bytes,
                                    size_t n, const ndb_meta *meta, int strict,
                                    const api_tokens *tokens, ndb_add_result *res,
                                    ndb_err *err);
/* A new analyzer with the writer's stemmer; *per_language: the archive stems each article
** in its language (pass it to api_tokens_analyze_as). *an OWNED: ndb_text_analyzer_free. */
ndb_rc api_writer_analyzer_new(const ndb_writer *w, ndb_analyzer **an, bool *per_language);

/* The reading side of ndb_ingest (ingest_pipe.c): items of one source in order, each with
** its side-file line and, when read on the pipe's own thread, its recorded tokens. */
typedef struct api_ingest_pipe api_ingest_pipe;
typedef struct api_ingest_item {
    ndb_doc_item it;         /* name, bytes, the input format's fields (NULL: none) */
    const ndb_meta *side;    /* the side-file line matched, or NULL */
    const api_tokens *tok;   /* recorded tokens, or NULL: analyze in the writer */
    uint64_t bytes_in;       /* input bytes consumed up to this item */
} api_ingest_item;
/* Read src (BORROWED until api_ingest_pipe_stop; meta may be NULL) on a second thread
** (threaded) or on the caller's at each next. *out OWNED: api_ingest_pipe_stop. */
ndb_rc api_ingest_pipe_start(ndb_doc_items *src, ndb_doc_meta *meta, const ndb_writer *w,
                             int strict, bool threaded, api_ingest_pipe **out);
/* The next item, as ndb_doc_items_next: NDB_OK (*item valid until the next call),
** NDB_ENOTFOUND at the end, else an error in *err with *failed telling a failed source
** (stop) from one bad record (skip it). */
ndb_rc api_ingest_pipe_next(api_ingest_pipe *p, api_ingest_item *item, bool *failed,
                            ndb_err *err);
/* Stop reading (at once), join, free. Accepts NULL. */
void api_ingest_pipe_stop(api_ingest_pipe *p);

#endif /* NDB_API_API_H */
