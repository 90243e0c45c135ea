/*
** view.h — what a query sees of one committed snapshot of an archive.
**
** The query and collect layers run against this small struct of columns and callbacks,
** never against segments or the store directly. The api layer builds one per snapshot
** (multi-segment cursors, store columns); tests build one from in-memory documents, which
** is how every executor is checked against a brute-force oracle on the same data.
**
** Documents: ids [0, ndocs) exist in the view; every one of them is indexed. A document is
** *live* when it is the current version of its URL (older versions stay stored and
** indexed, but never match a query).
**
** BM25 statistics are taken over all ndocs indexed documents (live or not), so scores do
** not change when a merge happens and are reproducible per commit:
**     N = ndocs, avgdl = total_len / ndocs, df = cursor->df,
**     idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
**     score(t, d) = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)),
**     k1 = 1.2, b = 0.75.
**
** Threading: a view is read-only; its callbacks are safe to call from many threads.
*/
#ifndef NDB_INDEX_VIEW_H
#define NDB_INDEX_VIEW_H

#include "base/base.h"
#include "postings/cursor.h"

#define NDB_OUTLET_NONE UINT32_MAX

/* One per-document column record. This is also the on-disk record of the store's column
** file (16 bytes, little-endian), so the api can point `cols` at a mapped file. */
typedef struct ndb_col {
    int32_t date;    /* days since 1970-01-01, or NDB_DATE_NONE */
    uint32_t outlet; /* outlet id, or NDB_OUTLET_NONE */
    uint32_t len;    /* document length in tokens */
    uint32_t flags;  /* bits 0-7: language id (text/lang.h), 0 = unknown; rest reserved, 0 */
} ndb_col;

/* Language id of an article (NDB_LANG_NONE = unknown, also in archives made before the
** language column existed). */
static inline uint8_t ndb_col_lang(const ndb_col *c)
{
    return (uint8_t)(c->flags & 0xffu);
}

/* One-byte lower bound of a document length (Lucene's norm byte, SmallFloat-like): exact
** below 32, then 16 steps per power of two (within 6.25 %), saturating at 239 for lengths
** of 2^18 and more. ndb_norm_floor(ndb_norm_encode(x)) <= x, both nondecreasing, and
** ndb_norm_encode(x) is the largest q with ndb_norm_floor(q) <= x. A dense byte per doc
** lets a scoring loop rule out long documents without touching the 16-byte column. */
static inline uint8_t ndb_norm_encode(uint32_t len)
{
    if (len < 32)
        return (uint8_t)len;
    int shift = 32 - __builtin_clz(len) - 5; /* >= 1 */
    if (shift > 13)
        return 239;
    return (uint8_t)(32 + (shift - 1) * 16 + (int)((len >> shift) & 15u));
}

static inline uint32_t ndb_norm_floor(uint8_t q)
{
    if (q < 32)
        return q;
    if (q > 239)
        q = 239;
    return (16u + (uint32_t)((q - 32) % 16)) << ((q - 32) / 16 + 1);
}

typedef ndb_rc (*ndb_term_fn)(void *fctx, const char *term, size_t n);

typedef struct ndb_view {
    void *ctx;
    uint32_t ndocs;       /* ids [0, ndocs) */
    uint64_t total_len;   /* sum of cols[i].len over [0, ndocs) */
    const ndb_col *cols;  /* [ndocs] */
    /* live(ctx, id): the current version of its URL in this view. */
    bool (*live)(void *ctx, uint32_t id);
    /* true when live() holds for every id of the view (no doc superseded): executors may
    ** skip the per-doc test. false is always correct. */
    bool all_live;
    /* Open a cursor over the docs containing `term` (already analyzed). *out is NULL when
    ** the term does not occur. *out OWNED: ndb_cursor_close. */
    ndb_rc (*term)(void *ctx, const char *term, size_t n, bool positions, ndb_cursor **out);
    /* Call fn for every indexed term starting with prefix, in byte order, each once. A
    ** non-OK return from fn stops the walk and is returned. */
    ndb_rc (*prefix)(void *ctx, const char *prefix, size_t n, ndb_term_fn fn, void *fctx);
    /* Outlet id of a name (registrable domain, lower case); false if unknown. */
    bool (*outlet_id)(void *ctx, const char *name, size_t n, uint32_t *id);
    /* Id of the current version of url; false if unknown. */
    bool (*url_id)(void *ctx, const char *url, size_t n, uint32_t *id);
    /* ndb_now_ns() past which executors stop with NDB_ELIMIT (checked every few thousand
    ** matches); 0 = no deadline. */
    uint64_t deadline_ns;
    /* Optional (NULL when absent): the forward index of [0, ndocs) (index/fwd.h), and the
    ** collection frequency of a term over all ndocs docs, live or not (0 if absent). */
    const struct ndb_fwd *fwd;
    uint64_t (*term_cf)(void *ctx, const char *term, size_t n);
    /* Optional: cf[i] += the collection frequency of t[i] (len[i] bytes), for n terms in
    ** strictly ascending byte order (a merge walk, much cheaper than n term_cf calls). */
    ndb_rc (*terms_cf)(void *ctx, const char *const *t, const size_t *len, size_t n, uint64_t *cf);
    /* Optional: norms(ctx)[i] = ndb_norm_encode(cols[i].len) for i < ndocs, built on first
    ** call (O(ndocs) once) and BORROWED for the view's life; NULL when unavailable (out of
    ** memory): callers then read cols. */
    const uint8_t *(*norms)(void *ctx);
    /* Optional: the ascending ids below ndocs whose column outlet is `outlet`, live or not
    ** (index/olists.h), built on first call (O(ndocs) once) and BORROWED for the view's
    ** life; false when unavailable (out of memory): callers then test cols. */
    bool (*outlet_docs)(void *ctx, uint32_t outlet, const uint32_t **ids, uint32_t *n);
} ndb_view;

#define NDB_BM25_K1 1.2
#define NDB_BM25_B 0.75

#endif /* NDB_INDEX_VIEW_H */
