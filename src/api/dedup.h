/*
** dedup.h (api) — the archive's near-duplicate and reuse state: writer hooks (dedup.c) and
** the read side behind ndb_dups / ndb_reuse (dups.c).
**
** On disk: files dup-<gen>-<base>.ndd, each holding the records of articles [base,
** base+count), written (tmp, fsync, rename, directory fsync) by the commit of generation
** <gen> before its MANIFEST, so a file is part of the commit that references its articles.
** Readers of a commit G use the files with gen <= G, chained from article 0 (dedup.c top
** comment has the byte layout and the chaining rule); a writer deletes files with gen > G
** (left by a crash between the dup file and the manifest).
*/
#ifndef NDB_API_DEDUP_H
#define NDB_API_DEDUP_H

#include "api/api.h"

typedef struct api_dedup_w api_dedup_w;

/* Writer side. open finds the band-key runs and loads the keys of the covered articles
** past them (NULL *out when the options switch detection off; every hook accepts NULL and
** then does nothing extra). */
ndb_rc api_dedup_open(ndb_db *db, ndb_store *store, uint64_t gen, api_dedup_w **out,
                      ndb_err *err);
void api_dedup_close(api_dedup_w *d);
/* Analyze the paragraphs exactly as ndb_text_analyze_paras (same tokens to fn, same
** positions, same count), recording them for the article about to be added. */
ndb_rc api_dedup_analyze(api_dedup_w *d, ndb_analyzer *an, const ndb_slice *paras, uint32_t n,
                         ndb_token_fn fn, void *ctx, uint32_t *ntokens);
/* The same from tokens recorded by api_tokens_analyze (the bulk loader's second thread):
** their finished sketch is taken over (api_tokens_take_dedup), or else their paragraph
** marks (api_tokens_paras) stand in for the analysis; replays them to fn. */
ndb_rc api_dedup_replay(api_dedup_w *d, const api_tokens *t, ndb_token_fn fn, void *ctx,
                        uint32_t *ntokens);
/* The analyzed article was stored as id: link it to its near-duplicates among every
** article before it and queue its record for the next commit. */
ndb_rc api_dedup_added(api_dedup_w *d, uint32_t id, ndb_err *err);
/* Write the queued records as dup-<gen>-<base>.ndd (called before the manifest of gen). */
ndb_rc api_dedup_commit(api_dedup_w *d, uint64_t gen, ndb_err *err);
/* Articles committed without dup data are waiting (the writer should commit even with
** nothing new added). */
bool api_dedup_behind(const api_dedup_w *d);

/* Read side (dups.c): a loaded state, shared by the snapshots of a db. */
typedef struct api_dedup_edge {
    uint32_t other;       /* an earlier article */
    uint32_t inter, den;  /* |A ∩ B| and max(|A|, |B|) of the shingle sets (S = inter/den) */
    uint32_t uni;         /* |A ∪ B| (Jaccard = inter/uni) */
} api_dedup_edge;

/* One link of article id's record (layout in dedup.c): NDB_ECORRUPT unless it points 1..id
** back and |A ∩ B| <= max(|A|, |B|) <= |A ∪ B| <= UINT32_MAX. The one reader of the layout
** (writer, loader and check). */
ndb_rc api_dedup_read_link(ndb_rd *r, uint32_t id, api_dedup_edge *e);

typedef struct api_dedup_fp {
    uint64_t fp;
    uint32_t doc, para;
} api_dedup_fp;

typedef struct api_dedup_state {
    uint64_t gen;         /* the commit it was loaded at */
    uint32_t n;           /* articles [0, n) covered */
    uint32_t *npara;      /* [n] paragraphs of each article */
    uint32_t *eoff;       /* [n + 1]: edges of article i are e[eoff[i] .. eoff[i+1]) */
    api_dedup_edge *e;
    uint32_t *foff;       /* [n + 1]: fingerprints of article i (para order) */
    api_dedup_fp *f;
    api_dedup_fp *byfp;   /* f sorted by (fp, doc, para); built on first reuse call */
    size_t nf;
    pthread_mutex_t mu;
    int refs;
} api_dedup_state;

/* Load the dup files of commit gen in dir, covering at most nd articles (also the fuzz
** target's entry). OWNED reference: api_dedup_state_unref. */
ndb_rc api_dedup_state_load(const ndb_vfs *vfs, const char *dir, uint64_t gen, uint32_t nd,
                            api_dedup_state **out, ndb_err *err);
/* Load (or share) the state of snapshot s. OWNED reference: api_dedup_state_unref. */
ndb_rc api_dedup_state_get(ndb_snapshot *s, api_dedup_state **out, ndb_err *err);
void api_dedup_state_unref(api_dedup_state *st);

/* "Earliest first" order of articles (the source of a cluster or of a paragraph): by date
** ascending with the undated last, then by id, as one unsigned key. The date is biased to
** an unsigned 32-bit value; NDB_DATE_NONE (INT32_MIN) takes the top value instead of 0. */
static inline uint64_t api_dedup_order_key(int32_t date, uint32_t id)
{
    uint64_t hi = date == NDB_DATE_NONE ? UINT32_MAX : (uint64_t)((int64_t)date - INT32_MIN);
    return hi << 32 | id;
}
/* Called by ndb_close: drop the db's cached state. */
void api_dedup_db_release(ndb_db *db);

/* Loader shared by both sides: call fn for each file of the chain, in article order, with
** its body. *covered = the articles the chain covers. */
typedef ndb_rc (*api_dedup_file_fn)(void *ctx, uint32_t base, uint32_t count, ndb_rd *bands,
                                    ndb_rd *recs, ndb_err *err);
ndb_rc api_dedup_load_chain(const ndb_vfs *vfs, const char *dir, uint64_t maxgen,
                            uint32_t maxdocs, api_dedup_file_fn fn, void *ctx,
                            uint32_t *covered, ndb_err *err);

/* ndb_search with collapse_dups: the top k hits of q (query text `query`), one per
** near-duplicate cluster among its matches; *copies (OWNED, ndb_free; [k]) the cluster size
** of each hit; *unique the number of clusters + unclustered matches. */
struct ndb_query;
ndb_rc api_dedup_topk(ndb_snapshot *s, const char *query, const struct ndb_query *q, size_t k,
                      ndb_sort sort, bool exhaustive, void *hits, size_t *nhits,
                      uint64_t *total, uint64_t *unique, uint32_t **copies, ndb_err *err);

/* timeline/outlets with collapse_dups: run the aggregation again over one article per
** near-duplicate cluster of the matches (the earliest) and put those counts into cells
** (whose totals stay: all live articles); rows left without a match are dropped as the
** plain aggregation would. *matched = unique stories. */
struct ndb_analytics_cell;
ndb_rc api_dedup_agg_collapse(ndb_snapshot *s, const char *query, const struct ndb_query *q,
                              bool timeline, ndb_period by, bool split, int32_t from, int32_t to,
                              struct ndb_analytics_cell *cells, size_t *n, uint64_t *matched,
                              ndb_err *err);

/* ndb_check: read and walk every dup file of commit gen (frames, CRCs, records). */
ndb_rc api_dedup_check(const ndb_db *db, uint64_t gen, uint32_t ndocs, uint32_t *covered,
                       ndb_err *err);

ndb_rc api_dedup_check_dir(const ndb_vfs *vfs, const char *dir, uint64_t gen, uint32_t ndocs,
                           uint32_t *covered, ndb_err *err);

#endif /* NDB_API_DEDUP_H */
