/*
** dedup.c — near-duplicate and reuse detection on ingest, and its files (one per commit).
**
** On add (writer thread): the article's paragraphs are analyzed once, for the index and
** for us (api_dedup_analyze); analytics/dedup.c turns the tokens into a shingle set, a
** MinHash sketch, 64 LSH band keys and paragraph fingerprints. The band keys are looked up
** in an in-memory multimap holding the band keys of the recent articles (dedup_map.c); the
** older ones' keys are in sorted runs on disk (dedup_runs.c), met by the whole batch at
** commit: the earlier articles sharing two or more keys are its candidates. Each is checked
** exactly at once when both shingle sets are at hand (the batch's most recent sets are held
** in a ring of DEDUP_KEEP_MAX shingles, since copies of a story tend to arrive close
** together), else at commit once the store is synced (committed articles and sets let go
** are read back from the store and analyzed again, through a 4096-entry cache); links
** with S >= NDB_DUPS_FLOOR are recorded. So adding an article costs its own analysis plus
** its candidates, never a pass over the archive. Links point from an article to earlier
** ids only; a pair is examined when its later member is added.
**
** On commit: the records of the articles added since the last commit go to one file,
** dup-<gen>-<base>.ndd, written atomically BEFORE the manifest of <gen>: a crash before the
** manifest leaves a file with gen > the committed one, which readers ignore and the next
** writer deletes; after it, the file is as durable as the articles it describes.
** Catch-up: articles committed without dup data (a writer with detection off, or an archive
** from before this file existed) are read back from the store and processed at the first
** add or commit of the next writer that has detection on, in id order, before anything new.
**
** File layout (framed, kind "DUPS", version 3.0; 2.0 had no |A ∪ B| in its links; 1.0 had
** no max(|A|, |B|) and 32 bands of 3), body:
**   u32 base, u32 count, u32 K, u32 bands, u32 rows, u32 shingle, u32 para_min, u32 floor
**   (per mille)
**   u64 nbands_bytes, then count x bands u32le band keys (0 0 ... for an empty article)
**   u64 nrec_bytes, then count records:
**     varint nshingles (repeats included; 0: empty article, no band keys in the table)
**     varint nlinks, nlinks x {varint id - other (>= 1), varint |A ∩ B|, varint max(|A|, |B|),
**                              varint |A ∪ B|}   (the two measures of ndb_dups)
**     varint nparas, varint nfp, nfp x {varint para, u64le fingerprint}
** Chaining: files with gen <= G sorted by base; from article 0, take the file starting at
** the current end (the longest if several), until none starts there.
**
** Memory (writer): the band multimap holds the recent articles' keys (~400 bytes per
** article) up to a budget (ndb_options.dedup_memory, 64 MiB): past it, at a commit, they
** go to a run on disk and the map starts again (dedup_map_bound). The pending batch takes
** about 270 bytes per article (band keys, records with fingerprints, candidates); the
** commit's join with the runs takes its keys DEDUP_JOIN_CHUNK articles at a time (64 MB of
** sorted keys and scratch, however large the batch); up to DEDUP_KEEP_MAX held
** shingles; the cache up to 4096 shingle sets. A commit streams its file; a compaction
** copies the chain file by file, and a writer's open reads only the keys past the runs, a
** piece at a time: no dup file is held whole.
*/
#include "api/dedup.h"
#include "api/dedup_map.h"
#include "api/dedup_runs.h"

#include "analytics/dedup.h"
#include "doc/doc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define DEDUP_KIND        0x53505544u /* "DUPS" */
#define DEDUP_FLOOR_MILLI 500u
#define DEDUP_VERSION     3u /* 2: links without |A ∪ B|; 1: links held |A ∪ B| only, 32 bands */
#define DEDUP_CACHE       4096u
#define DEDUP_FILE_MAX    ((size_t)4 << 30)
#define DEDUP_KEEP_MAX    ((size_t)8 << 20) /* the ring of held shingle sets: 64 MB */
#define DEDUP_COMPACT_FILES 16u /* a commit that would make the chain longer merges it */
#define DEDUP_MEMORY      ((size_t)64 << 20) /* the band map's default budget */
#define DEDUP_JOIN_CHUNK  65536u /* articles whose keys meet the runs at once: 64 MB */

typedef struct dedup_cached {
    uint32_t id;      /* UINT32_MAX: empty */
    uint64_t *sh;
    size_t n;
} dedup_cached;

struct api_dedup_w {
    ndb_db *db;
    ndb_store *store;
    ndb_analyzer *an;      /* for verification reads */
    ndb_dedup_doc doc;     /* the article being added */
    ndb_dedup_doc vdoc;    /* scratch for a candidate read back */
    ndb_article art;       /* scratch for a candidate read back */
    api_dedup_map map;     /* band key -> article ids: the keys of [runs.end, covered) */
    api_dedup_runs runs;   /* on disk: the keys of [0, runs.end) */
    size_t mem_max;        /* the map's budget (ndb_options.dedup_memory) */
    uint64_t *pairs;       /* commit: (id, run article) per shared key, then candidates */
    size_t npairs, pairs_cap, pnext;
    api_dedup_edge *edges; /* commit: one record's links, put in order */
    size_t edges_cap;
    uint32_t covered;      /* articles with records: on disk + pending */
    uint32_t base, npend;  /* pending records are articles [base, base + npend) */
    ndb_buf bands, recs;   /* pending: band keys; entries (some candidates to check at
                              commit) */
    uint64_t *psh;         /* ring of the recent pending articles' shingle sets (keep_max) */
    size_t npsh, psh_cap;  /* npsh: the ring's write point */
    uint32_t pold;         /* the oldest pending article that may be held */
    size_t *poff, *pn;     /* [npend] start in psh, size (SIZE_MAX: not held) */
    uint8_t *psorted;      /* [npend] */
    size_t poff_cap;
    size_t keep_max;       /* DEDUP_KEEP_MAX, or $NEWSDB_DEDUP_KEEP_MAX (tests: 0) */
    uint32_t flush;        /* DEDUP_FLUSH, or $NEWSDB_DEDUP_FLUSH (tests: a few) */
    uint32_t join_chunk;   /* DEDUP_JOIN_CHUNK, or $NEWSDB_DEDUP_JOIN_CHUNK (tests: a few) */
    dedup_cached *cache;   /* [DEDUP_CACHE] */
    uint32_t *cand;
    size_t ncand, cand_cap;
    uint64_t *own;         /* the shingle set of the article being checked at commit */
    uint32_t nfiles;       /* dup files on the chain (compaction past DEDUP_COMPACT_FILES) */
    size_t own_cap;
};

/* The dup files of a commit, located from their headers (loading section). */
typedef struct dedup_link {
    char name[64];
    uint32_t base, count;
    uint64_t size;                /* file bytes */
    uint64_t bands_off;           /* count x bands u32le band keys */
    uint64_t recs_off, recs_len;  /* the record section */
} dedup_link;
typedef ndb_rc (*dedup_piece_fn)(void *ctx, const uint8_t *p, size_t n);
static ndb_rc dedup_map_bound(api_dedup_w *d, ndb_err *err);
static ndb_rc dedup_chain(const ndb_vfs *vfs, const char *dir, uint64_t maxgen,
                          uint32_t maxdocs, dedup_link **out, size_t *nout, uint32_t *covered,
                          ndb_err *err);
static ndb_rc dedup_stream(const ndb_vfs *vfs, const char *dir, const dedup_link *l,
                           uint64_t off, uint64_t len, dedup_piece_fn fn, void *ctx,
                           ndb_err *err);

/* ---------------------------------------------------------------- the band multimap */

/* Enter an article's band keys: room first, so it goes in whole or not at all. */
static ndb_rc dedup_map_add(api_dedup_w *d, const uint32_t *band, uint32_t id)
{
    ndb_rc rc = api_dedup_map_reserve(&d->map, NDB_DEDUP_BANDS);
    for (int b = 0; b < NDB_DEDUP_BANDS && rc == NDB_OK; b++)
        rc = api_dedup_map_add(&d->map, band[b], id);
    return rc;
}

/* Candidates of band keys: the ids sharing at least NDB_DEDUP_MIN_BANDS of them, distinct,
** ascending, in d->cand. */
static ndb_rc dedup_candidates(api_dedup_w *d, const uint32_t *band)
{
    size_t k = 0;
    ndb_rc rc = NDB_OK;
    d->ncand = 0;
    rc = api_dedup_map_find_all(&d->map, band, NDB_DEDUP_BANDS, &d->cand, &d->ncand,
                                &d->cand_cap);
    if (rc != NDB_OK)
        return rc;
    ndb_sort_u32(d->cand, d->ncand);
    for (size_t i = 0, j; i < d->ncand; i = j) {
        for (j = i + 1; j < d->ncand && d->cand[j] == d->cand[i]; j++)
            ;
        if (j - i >= NDB_DEDUP_MIN_BANDS)
            d->cand[k++] = d->cand[i];
    }
    d->ncand = k;
    return NDB_OK;
}

/* ---------------------------------------------------------------- analysis */

typedef struct dedup_an_ctx { /* one analysis: its target and the caller's callback */
    ndb_dedup_doc *doc;
    ndb_token_fn fn;
    void *fctx;
} dedup_an_ctx;

static ndb_rc dedup_token_fn(void *ctx, const ndb_token *t)
{
    dedup_an_ctx *c = ctx;
    ndb_rc rc = ndb_dedup_doc_token(c->doc, t->term, t->len);
    if (rc != NDB_OK)
        return rc;
    return c->fn ? c->fn(c->fctx, t) : NDB_OK;
}

/* The loop of ndb_text_analyze_paras (text.c), plus a paragraph mark per paragraph, also
** forwarding each token to fn (NULL: none). Touches only doc and an: the catch-up runs it
** on two threads. */
static ndb_rc dedup_analyze_into(ndb_dedup_doc *doc, ndb_analyzer *an, const ndb_slice *paras,
                                 uint32_t n, ndb_token_fn fn, void *fctx, uint32_t *ntokens)
{
    dedup_an_ctx c = {doc, fn, fctx};
    uint32_t pos = 0;
    ndb_rc rc = NDB_OK;
    size_t before;
    ndb_dedup_doc_reset(doc);
    for (uint32_t i = 0; i < n && rc == NDB_OK; i++) {
        if (i > 0)
            pos++; /* the paragraph gap, as ndb_text_analyze_paras */
        rc = ndb_dedup_doc_para(doc);
        if (rc == NDB_OK)
            rc = ndb_text_analyze(an, paras[i].p, paras[i].n, &pos, dedup_token_fn, &c);
    }
    before = doc->ntok;
    if (ntokens)
        *ntokens = (uint32_t)before;
    if (rc == NDB_OK)
        rc = ndb_dedup_doc_finish(doc);
    return rc;
}

ndb_rc api_dedup_analyze(api_dedup_w *d, ndb_analyzer *an, const ndb_slice *paras, uint32_t n,
                         ndb_token_fn fn, void *ctx, uint32_t *ntokens)
{
    if (!d) /* detection off: the plain analysis (or nothing, when only dedup asked) */
        return fn ? ndb_text_analyze_paras(an, paras, n, fn, ctx, ntokens) : NDB_OK;
    return dedup_analyze_into(&d->doc, an, paras, n, fn, ctx, ntokens);
}

typedef struct dedup_replay_ctx { /* api_dedup_replay: paragraph marks by token index */
    dedup_an_ctx an;
    const uint32_t *para;
    uint32_t npara, next, i;
} dedup_replay_ctx;

static ndb_rc dedup_replay_fn(void *ctx, const ndb_token *t)
{
    dedup_replay_ctx *c = ctx;
    ndb_rc rc = NDB_OK;
    while (rc == NDB_OK && c->next < c->npara && c->para[c->next] <= c->i) {
        rc = ndb_dedup_doc_para(c->an.doc);
        c->next++;
    }
    c->i++;
    return rc == NDB_OK ? dedup_token_fn(&c->an, t) : rc;
}

ndb_rc api_dedup_replay(api_dedup_w *d, const api_tokens *t, ndb_token_fn fn, void *ctx,
                        uint32_t *ntokens)
{
    dedup_replay_ctx c;
    ndb_rc rc;
    if (!d)
        return api_tokens_replay(t, fn, ctx, ntokens);
    if (api_tokens_take_dedup(t, &d->doc)) /* the sketch, built with the tokens */
        return api_tokens_replay(t, fn, ctx, ntokens);
    memset(&c, 0, sizeof c);
    c.an.doc = &d->doc;
    c.an.fn = fn;
    c.an.fctx = ctx;
    c.para = api_tokens_paras(t, &c.npara);
    ndb_dedup_doc_reset(&d->doc);
    rc = api_tokens_replay(t, dedup_replay_fn, &c, ntokens);
    while (rc == NDB_OK && c.next < c.npara) { /* trailing paragraphs without tokens */
        rc = ndb_dedup_doc_para(&d->doc);
        c.next++;
    }
    if (rc == NDB_OK)
        rc = ndb_dedup_doc_finish(&d->doc);
    return rc;
}

/* Copy sh into d->own (a later cache fill may evict the slot sh points into). */
static ndb_rc dedup_own_copy(api_dedup_w *d, const uint64_t *sh, size_t n, const uint64_t **out)
{
    if (n + 1 > d->own_cap) {
        uint64_t *p = ndb_realloc(d->own, (n + 1) * sizeof *p);
        if (!p)
            return NDB_ENOMEM;
        d->own = p;
        d->own_cap = n + 1;
    }
    memcpy(d->own, sh, n * sizeof *sh);
    *out = d->own;
    return NDB_OK;
}

/* Shingle set of a committed article, read back from the store (through the cache). */
static ndb_rc dedup_committed_shingles(api_dedup_w *d, uint32_t id, const uint64_t **sh,
                                       size_t *n, ndb_err *err)
{
    dedup_cached *c = &d->cache[id % DEDUP_CACHE];
    ndb_store_doc *sd = NULL;
    ndb_rc rc;
    if (c->id == id) {
        *sh = c->sh;
        *n = c->n;
        return NDB_OK;
    }
    rc = ndb_store_get(d->store, id, &sd, err);
    if (rc == NDB_OK)
        rc = ndb_doc_parse(sd->url, sd->raw, sd->raw_len, false, &d->art, err);
    if (rc == NDB_OK) /* the stemmer the writer used for it (its language's, or the one) */
        rc = api_lang_stemmer(d->an, d->db->langstem, sd->lang);
    if (rc == NDB_OK)
        rc = dedup_analyze_into(&d->vdoc, d->an, d->art.paras, d->art.n_paras, NULL, NULL,
                                NULL);
    ndb_store_doc_free(sd);
    if (rc != NDB_OK)
        return rc;
    ndb_dedup_doc_sort(&d->vdoc);
    ndb_free(c->sh);
    c->id = UINT32_MAX;
    c->n = d->vdoc.nsh;
    c->sh = ndb_malloc((c->n + 1) * sizeof *c->sh);
    if (!c->sh)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    memcpy(c->sh, d->vdoc.sh, c->n * sizeof *c->sh);
    c->id = id;
    *sh = c->sh;
    *n = c->n;
    return NDB_OK;
}

/* Where a set of n shingles goes in the ring psh[keep_max]: the held sets lie in it in
** article order, from the oldest held one (pold) to the write point (npsh); the oldest are
** let go (checked at commit instead) until the next n slots after the write point, or
** after wrapping to 0, are free. */
static size_t dedup_ring_place(api_dedup_w *d, size_t n)
{
    for (;;) {
        while (d->pold < d->npend && d->pn[d->pold] == SIZE_MAX)
            d->pold++;
        if (d->pold == d->npend) /* none held: start over */
            return d->npsh = 0;
        size_t old = d->poff[d->pold];
        if (old < d->npsh) { /* held: [old, npsh); free: the end, then [0, old) */
            if (d->keep_max - d->npsh >= n)
                return d->npsh;
            d->npsh = 0;
            continue;
        }
        if (old - d->npsh >= n) /* held: [old, end) and [0, npsh) */
            return d->npsh;
        d->pn[d->pold++] = SIZE_MAX; /* let the oldest go */
    }
}

/* Hold the pending article's shingle set in the ring of the most recent DEDUP_KEEP_MAX
** shingles (later articles are then checked against it at once: copies of a story tend
** to arrive close together); a set not held, or let go, has its pairs checked at commit
** from the store. The links are the same either way. */
static ndb_rc dedup_pending_keep(api_dedup_w *d, const ndb_dedup_doc *doc)
{
    bool keep = doc->nsh <= d->keep_max;
    size_t at = 0;
    if (d->npend + 1 > d->poff_cap) {
        size_t ncap = d->poff_cap ? d->poff_cap * 2 : 1024;
        size_t *np = ndb_realloc(d->poff, ncap * sizeof *np);
        size_t *nn = np ? ndb_realloc(d->pn, ncap * sizeof *nn) : NULL;
        uint8_t *ns = nn ? ndb_realloc(d->psorted, ncap) : NULL;
        if (np)
            d->poff = np;
        if (nn)
            d->pn = nn;
        if (!ns)
            return NDB_ENOMEM;
        d->psorted = ns;
        d->poff_cap = ncap;
    }
    if (keep)
        at = dedup_ring_place(d, doc->nsh);
    if (keep && at + doc->nsh > d->psh_cap) {
        size_t ncap = d->psh_cap ? d->psh_cap : 65536;
        uint64_t *np;
        while (ncap < at + doc->nsh)
            ncap *= 2;
        ncap = NDB_MIN(ncap, d->keep_max);
        np = ndb_realloc(d->psh, ncap * sizeof *np);
        if (!np)
            return NDB_ENOMEM;
        d->psh = np;
        d->psh_cap = ncap;
    }
    if (keep) {
        memcpy(d->psh + at, doc->sh, doc->nsh * sizeof *doc->sh);
        d->npsh = at + doc->nsh;
    }
    d->poff[d->npend] = at;
    d->pn[d->npend] = keep ? doc->nsh : SIZE_MAX;
    d->psorted[d->npend] = doc->sorted;
    return NDB_OK;
}

/* Shingle set of an earlier article now: from the held batch, or from the store for a
** committed one. *later = true (no error) when it is a pending article not held. */
static ndb_rc dedup_shingles_now(api_dedup_w *d, uint32_t id, const uint64_t **sh, size_t *n,
                                 bool *later, ndb_err *err)
{
    *later = false;
    if (id >= d->base && id < d->base + d->npend) {
        uint32_t k = id - d->base;
        if (d->pn[k] == SIZE_MAX) {
            *later = true;
            return NDB_OK;
        }
        if (!d->psorted[k]) {
            d->pn[k] = ndb_dedup_sort_unique(d->psh + d->poff[k], d->pn[k]);
            d->psorted[k] = 1;
        }
        *sh = d->psh + d->poff[k];
        *n = d->pn[k];
        return NDB_OK;
    }
    return dedup_committed_shingles(d, id, sh, n, err);
}

ndb_rc api_dedup_read_link(ndb_rd *r, uint32_t id, api_dedup_edge *e)
{
    uint64_t v[4] = {0}; /* id - other, |A ∩ B|, max(|A|, |B|), |A ∪ B| */
    ndb_rc rc = NDB_OK;
    for (int f = 0; f < 4 && rc == NDB_OK; f++)
        rc = ndb_rd_varint(r, &v[f]);
    if (rc != NDB_OK || v[0] == 0 || v[0] > id || v[1] > v[2] || v[2] > v[3] ||
        v[3] > UINT32_MAX)
        return NDB_ECORRUPT;
    *e = (api_dedup_edge){id - (uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2], (uint32_t)v[3]};
    return NDB_OK;
}

/* Append the link of article id to e->other (the layout api_dedup_read_link reads). */
static ndb_rc dedup_put_link(ndb_buf *b, uint32_t id, const api_dedup_edge *e)
{
    ndb_rc rc = ndb_buf_append_varint(b, id - e->other);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, e->inter);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, e->den);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, e->uni);
    return rc;
}

/* The link of two sorted unique shingle sets of sizes na and nb sharing inter. */
static api_dedup_edge dedup_edge(uint32_t other, uint32_t inter, size_t na, size_t nb)
{
    return (api_dedup_edge){other, inter, (uint32_t)(na > nb ? na : nb),
                            (uint32_t)(na + nb - inter)};
}

/* Queue the analyzed article (doc) as id, then enter its band keys. Its candidates
** (earlier articles sharing a band key) are checked exactly now when both shingle sets are
** at hand, else (a pending article not held) at commit. Pending entry:
**   varint nshingles, varint nparas, varint nfp, nfp x {varint para, u64 fp},
**   varint nlinks, nlinks x {varint id - other, varint inter, varint max, varint union},
**   varint nlater, nlater x varint (id - candidate) */
static ndb_rc dedup_process(api_dedup_w *d, ndb_dedup_doc *doc, uint32_t id, ndb_err *err)
{
    uint32_t nfp = 0, nlinks = 0, nlater = 0;
    size_t nsh = doc->nsh; /* (before a candidate's check sorts the set and drops repeats) */
    ndb_buf *q = &d->recs;
    ndb_buf links, later;
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&links, NDB_BUF_NOMAX);
    ndb_buf_init(&later, NDB_BUF_NOMAX);
    d->ncand = 0;
    if (doc->nsh > 0)
        rc = dedup_candidates(d, doc->band);
    for (size_t i = d->ncand; i-- > 0 && rc == NDB_OK;) {
        const uint64_t *osh = NULL;
        size_t on = 0;
        uint32_t inter, den, other = d->cand[i];
        bool defer = false;
        if (other >= id)
            continue;
        ndb_dedup_doc_sort(doc);
        rc = dedup_shingles_now(d, other, &osh, &on, &defer, err);
        if (rc == NDB_OK && defer) {
            nlater++;
            rc = ndb_buf_append_varint(&later, id - other);
            continue;
        }
        if (rc != NDB_OK)
            break;
        ndb_dedup_compare(doc->sh, doc->nsh, osh, on, &inter, &den);
        if (!ndb_dedup_similar(inter, den, NDB_DUPS_FLOOR))
            continue;
        nlinks++;
        api_dedup_edge e = dedup_edge(other, inter, doc->nsh, on);
        rc = dedup_put_link(&links, id, &e);
    }
    for (uint32_t p = 0; p < doc->npara; p++)
        nfp += doc->fp[p] != 0;
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(q, nsh);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(q, doc->npara);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(q, nfp);
    for (uint32_t p = 0; p < doc->npara && rc == NDB_OK; p++) {
        if (doc->fp[p] == 0)
            continue;
        rc = ndb_buf_append_varint(q, p);
        if (rc == NDB_OK)
            rc = ndb_buf_append_u64le(q, doc->fp[p]);
    }
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(q, nlinks);
    if (rc == NDB_OK)
        rc = ndb_buf_append(q, links.p, links.n);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(q, nlater);
    if (rc == NDB_OK)
        rc = ndb_buf_append(q, later.p, later.n);
    for (int b = 0; b < NDB_DEDUP_BANDS && rc == NDB_OK; b++)
        rc = ndb_buf_append_u32le(&d->bands, doc->nsh ? doc->band[b] : 0);
    if (rc == NDB_OK)
        rc = dedup_pending_keep(d, doc);
    if (rc == NDB_OK && doc->nsh > 0)
        rc = dedup_map_add(d, doc->band, id);
    ndb_buf_fini(&links);
    ndb_buf_fini(&later);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "near-duplicate detection: %s", ndb_strerror(rc));
    d->npend++;
    d->covered++;
    return NDB_OK;
}

/* Catch up: articles [covered, committed ndocs) were committed without dup data. They are
** read DEDUP_BATCH at a time (each store block decompressed once) and analyzed on two
** threads (the calling one and a helper, each with its own analyzer, article and slots);
** then processed in id order on the calling thread, so the result is the same as one
** article at a time. */
#define DEDUP_BATCH 512u
#define DEDUP_FLUSH (128u * 1024u) /* articles per file written by a long catch-up */

typedef struct dedup_job {
    const ndb_db *db;
    ndb_analyzer *an;
    ndb_article art;
    ndb_store_doc **docs;
    ndb_dedup_doc *slot;
    uint32_t n, first; /* analyzes slots first, first + 2, ... < n */
    ndb_rc rc;
    ndb_err err;
} dedup_job;

static void *dedup_job_run(void *p)
{
    dedup_job *j = p;
    j->rc = NDB_OK;
    for (uint32_t i = j->first; i < j->n && j->rc == NDB_OK; i += 2) {
        const ndb_store_doc *sd = j->docs[i];
        j->rc = ndb_doc_parse(sd->url, sd->raw, sd->raw_len, false, &j->art, &j->err);
        if (j->rc == NDB_OK)
            j->rc = api_lang_stemmer(j->an, j->db->langstem, sd->lang);
        if (j->rc == NDB_OK)
            j->rc = dedup_analyze_into(&j->slot[i], j->an, j->art.paras, j->art.n_paras, NULL,
                                       NULL, NULL);
        if (j->rc != NDB_OK && !j->err.msg[0])
            ndb_err_set(&j->err, j->rc, "near-duplicate catch-up: article %u: %s", sd->id,
                        ndb_strerror(j->rc));
    }
    return NULL;
}

static ndb_rc dedup_write(api_dedup_w *d, uint64_t gen, ndb_err *err);

static ndb_rc dedup_catch_up(api_dedup_w *d, uint64_t gen, ndb_err *err)
{
    ndb_store_state st;
    ndb_store_doc **docs = NULL;
    ndb_dedup_doc *slot = NULL;
    dedup_job job[2];
    ndb_rc rc = NDB_OK;
    ndb_store_committed(d->store, &st);
    if (d->covered >= st.ndocs)
        return NDB_OK;
    memset(job, 0, sizeof job);
    docs = ndb_calloc(DEDUP_BATCH, sizeof *docs);
    slot = ndb_calloc(DEDUP_BATCH, sizeof *slot);
    if (!docs || !slot)
        rc = NDB_ENOMEM;
    for (int k = 0; k < 2; k++) {
        job[k].db = d->db;
        job[k].docs = docs;
        job[k].slot = slot;
        job[k].first = (uint32_t)k;
        ndb_doc_article_init(&job[k].art);
    }
    job[0].an = d->an;
    if (rc == NDB_OK)
        rc = ndb_text_analyzer_new(d->db->stemmer, &job[1].an);
    if (rc != NDB_OK) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    while (rc == NDB_OK && d->covered < st.ndocs) {
        uint32_t n = st.ndocs - d->covered < DEDUP_BATCH ? st.ndocs - d->covered : DEDUP_BATCH;
        n = n < d->flush ? n : d->flush; /* (tests set a small flush) */
        pthread_t th;
        bool threaded;
        rc = ndb_store_get_range(d->store, d->covered, n, docs, err);
        if (rc != NDB_OK)
            break;
        job[0].n = job[1].n = n;
        threaded = n > 1 && pthread_create(&th, NULL, dedup_job_run, &job[1]) == 0;
        dedup_job_run(&job[0]);
        if (threaded)
            pthread_join(th, NULL);
        else
            dedup_job_run(&job[1]);
        for (uint32_t i = 0; i < n; i++) {
            ndb_store_doc_free(docs[i]);
            docs[i] = NULL;
        }
        for (int k = 0; k < 2 && rc == NDB_OK; k++)
            if (job[k].rc != NDB_OK) {
                rc = job[k].rc;
                if (err)
                    *err = job[k].err;
            }
        for (uint32_t i = 0; i < n && rc == NDB_OK; i++)
            rc = dedup_process(d, &slot[i], d->covered, err);
        /* inside a commit (gen > 0), a long catch-up writes its records every
        ** DEDUP_FLUSH articles (files of this generation: crash-safe as any), so its
        ** pending buffers stay bounded; at an add (gen 0) they wait for the commit */
        if (rc == NDB_OK && gen > 0 && d->npend >= d->flush && d->covered < st.ndocs)
            rc = dedup_write(d, gen, err);
    }
out:
    for (int k = 0; k < 2; k++)
        ndb_doc_article_fini(&job[k].art);
    ndb_text_analyzer_free(job[1].an);
    for (uint32_t i = 0; slot && i < DEDUP_BATCH; i++)
        ndb_dedup_doc_fini(&slot[i]);
    ndb_free(slot);
    ndb_free(docs);
    return rc;
}

bool api_dedup_behind(const api_dedup_w *d)
{
    ndb_store_state st;
    if (!d)
        return false;
    ndb_store_committed(d->store, &st);
    return d->covered < st.ndocs || d->npend > 0;
}

ndb_rc api_dedup_added(api_dedup_w *d, uint32_t id, ndb_err *err)
{
    ndb_rc rc;
    if (!d)
        return NDB_OK;
    if (d->covered < id && (rc = dedup_catch_up(d, 0, err)) != NDB_OK)
        return rc; /* (the catch-up analyzes into slots of its own, d->doc stays) */
    if (d->covered != id)
        return ndb_err_set(err, NDB_EINVAL, "near-duplicate detection: article %u out of order "
                           "(expected %u)", id, d->covered);
    return dedup_process(d, &d->doc, id, err);
}

/* ---------------------------------------------------------------- commit */

static void dedup_pending_clear(api_dedup_w *d)
{
    d->base += d->npend;
    d->npend = 0;
    d->npsh = 0;
    d->pold = 0;
    ndb_buf_reset(&d->bands);
    ndb_buf_reset(&d->recs);
}

static ndb_rc dedup_edge_push(api_dedup_w *d, size_t *n, const api_dedup_edge *e)
{
    ndb_rc rc = ndb_grow((void **)&d->edges, &d->edges_cap, *n + 1, sizeof *d->edges);
    if (rc == NDB_OK)
        d->edges[(*n)++] = *e;
    return rc;
}

/* Check pending article id against an earlier one from the store (both shingle sets read
** back through the cache; id's own once, into *ash); a link when S >= NDB_DUPS_FLOOR. */
static ndb_rc dedup_check_late(api_dedup_w *d, uint32_t id, uint32_t other, const uint64_t **ash,
                               size_t *an, size_t *nedges, ndb_err *err)
{
    const uint64_t *osh = NULL;
    size_t on = 0;
    uint32_t inter, den;
    ndb_rc rc = NDB_OK;
    if (!*ash) { /* this article's own set, once, copied out of its cache slot */
        rc = dedup_committed_shingles(d, id, ash, an, err);
        if (rc == NDB_OK)
            rc = dedup_own_copy(d, *ash, *an, ash);
    }
    if (rc == NDB_OK)
        rc = dedup_committed_shingles(d, other, &osh, &on, err);
    if (rc != NDB_OK)
        return rc;
    ndb_dedup_compare(*ash, *an, osh, on, &inter, &den);
    if (!ndb_dedup_similar(inter, den, NDB_DUPS_FLOOR))
        return NDB_OK;
    api_dedup_edge e = dedup_edge(other, inter, *an, on);
    return dedup_edge_push(d, nedges, &e);
}

static int dedup_edge_cmp(const void *a, const void *b)
{
    const api_dedup_edge *x = a, *y = b;
    return (x->other < y->other) - (x->other > y->other); /* nearest first */
}

/* Turn one pending entry (article id) into its file record: the links found at add are
** copied, the candidates left for commit (its late ones, then those among the runs, in
** d->pairs from d->pnext) are checked exactly with shingle sets read back from the store;
** the links are written nearest first, whichever way they were found. */
static ndb_rc dedup_verify_one(api_dedup_w *d, uint32_t id, ndb_rd *r, ndb_buf *out,
                               ndb_buf *links, ndb_err *err)
{
    uint64_t nsh = 0, np = 0, nfp = 0, nl = 0, nlater = 0, v = 0;
    const uint64_t *ash = NULL;
    size_t an = 0, nedges = 0;
    ndb_slice fps;
    const uint8_t *fp0;
    ndb_rc rc = ndb_rd_varint(r, &nsh);
    if (rc == NDB_OK)
        rc = ndb_rd_varint(r, &np);
    if (rc == NDB_OK)
        rc = ndb_rd_varint(r, &nfp);
    fp0 = r->p;
    for (uint64_t i = 0; i < nfp && rc == NDB_OK; i++) {
        rc = ndb_rd_varint(r, &v);
        if (rc == NDB_OK)
            rc = ndb_rd_u64le(r, &v);
    }
    fps.p = fp0;
    fps.n = (size_t)(r->p - fp0);
    ndb_buf_reset(links);
    if (rc == NDB_OK)
        rc = ndb_rd_varint(r, &nl);
    for (uint64_t i = 0; i < nl && rc == NDB_OK; i++) { /* checked at add: copy */
        api_dedup_edge e;
        rc = api_dedup_read_link(r, id, &e);
        if (rc == NDB_OK)
            rc = dedup_edge_push(d, &nedges, &e);
    }
    if (rc == NDB_OK)
        rc = ndb_rd_varint(r, &nlater);
    for (uint64_t i = 0; i < nlater && rc == NDB_OK; i++) { /* checked now, from the store */
        rc = ndb_rd_varint(r, &v);
        if (rc != NDB_OK || v == 0 || v > id) {
            rc = NDB_ECORRUPT;
            break;
        }
        rc = dedup_check_late(d, id, id - (uint32_t)v, &ash, &an, &nedges, err);
    }
    for (; rc == NDB_OK && d->pnext < d->npairs && (uint32_t)(d->pairs[d->pnext] >> 32) == id;
         d->pnext++) /* candidates among the runs (older than the map's articles) */
        rc = dedup_check_late(d, id, (uint32_t)d->pairs[d->pnext], &ash, &an, &nedges, err);
    if (nedges > 1)
        qsort(d->edges, nedges, sizeof *d->edges, dedup_edge_cmp);
    for (size_t i = 0; i < nedges && rc == NDB_OK; i++)
        rc = dedup_put_link(links, id, &d->edges[i]);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(out, nsh);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(out, nedges);
    if (rc == NDB_OK)
        rc = ndb_buf_append(out, links->p, links->n);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(out, np);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(out, nfp);
    if (rc == NDB_OK)
        rc = ndb_buf_append(out, fps.p, fps.n);
    return rc;
}

/* The pending articles' candidates among the runs (the articles before the map's): their
** band keys sorted and joined with each run; the (article, earlier) pairs sharing at least
** NDB_DEDUP_MIN_BANDS keys go to d->pairs, ascending. */
static ndb_rc dedup_run_candidates(api_dedup_w *d, ndb_err *err)
{
    size_t k = 0, per = d->npend < d->join_chunk ? d->npend : d->join_chunk;
    uint64_t *jq = NULL, *jt = NULL;
    uint32_t *cnt = NULL;
    ndb_rc rc = NDB_OK;
    d->npairs = d->pnext = 0;
    if (d->runs.n == 0 || d->npend == 0)
        return NDB_OK;
    jq = ndb_malloc(per * NDB_DEDUP_BANDS * sizeof *jq);
    jt = ndb_malloc(per * NDB_DEDUP_BANDS * sizeof *jt);
    cnt = ndb_malloc(65536 * sizeof *cnt);
    if (!jq || !jt || !cnt)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    for (uint32_t c0 = 0; c0 < d->npend && rc == NDB_OK; c0 += (uint32_t)per) {
        size_t nq = 0; /* the keys of articles [c0, c0 + per) of the batch, sorted */
        for (uint32_t i = c0; i < d->npend && i - c0 < per; i++) {
            const uint8_t *row = d->bands.p + (size_t)i * NDB_DEDUP_BANDS * 4;
            bool empty = true;
            for (int b = 0; b < NDB_DEDUP_BANDS; b++)
                empty &= ndb_get_u32le(row + 4 * b) == 0;
            for (int b = 0; b < NDB_DEDUP_BANDS && !empty; b++)
                jq[nq++] = (uint64_t)ndb_get_u32le(row + 4 * b) << 32 | (d->base + i);
        }
        api_dedup_sort_keys(jq, jt, nq, cnt);
        rc = api_dedup_runs_join(&d->runs, jq, nq, &d->pairs, &d->npairs, &d->pairs_cap, err);
    }
    ndb_free(cnt); /* the batch's keys are needed only here: their memory goes back */
    ndb_free(jq);
    ndb_free(jt);
    if (rc != NDB_OK)
        return rc;
    ndb_sort_u64(d->pairs, d->npairs);
    for (size_t i = 0, j; i < d->npairs; i = j) {
        for (j = i + 1; j < d->npairs && d->pairs[j] == d->pairs[i]; j++)
            ;
        if (j - i >= NDB_DEDUP_MIN_BANDS)
            d->pairs[k++] = d->pairs[i];
    }
    d->npairs = k;
    return NDB_OK;
}

static void dedup_sweep_merged(const ndb_db *db, uint64_t gen);

/* A dup file written in order, piece by piece, its CRC32C running (nothing is assembled in
** memory: a compacted file is the whole chain, ~270 bytes per article). */
typedef struct dedup_out {
    const ndb_vfs *vfs;
    int fd;
    uint64_t off;
    uint32_t crc;
    const char *path;
    ndb_err *err;
} dedup_out;

static ndb_rc dedup_out_put(dedup_out *o, const void *p, size_t n)
{
    ndb_rc rc = n ? ndb_vfs_pwrite_bulk(o->vfs, o->fd, p, n, (off_t)o->off, o->path, o->err)
                  : NDB_OK;
    if (rc == NDB_OK) {
        o->crc = ndb_crc32c(o->crc, p, n);
        o->off += n;
    }
    return rc;
}

static ndb_rc dedup_out_piece(void *ctx, const uint8_t *p, size_t n)
{
    return dedup_out_put(ctx, p, n);
}

/* Compaction: one section (band keys, or records) of every file of the chain, streamed. */
static ndb_rc dedup_copy_chain(api_dedup_w *d, dedup_out *o, const dedup_link *l, size_t nl,
                               bool recs, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < nl && rc == NDB_OK; i++)
        rc = dedup_stream(d->db->vfs, d->db->path, &l[i], recs ? l[i].recs_off : l[i].bands_off,
                          recs ? l[i].recs_len : (uint64_t)l[i].count * NDB_DEDUP_BANDS * 4,
                          dedup_out_piece, o, err);
    return rc;
}

/* Write the file of generation gen: the pending band keys and records (recs, checked),
** preceded when merge by the whole chain's (then it starts at article 0). Written as
** ndb_vfs_write_atomic does (tmp, fsync, rename, directory fsync). *merged = false (no
** error, nothing written) when a merge found the chain changed. */
static ndb_rc dedup_file_write(api_dedup_w *d, uint64_t gen, bool merge, const ndb_buf *recs,
                               bool *merged, ndb_err *err)
{
    const ndb_vfs *v = d->db->vfs;
    uint32_t first = merge ? 0 : d->base, count = d->base - first + d->npend;
    char name[80], tname[88], tmp[4200], dst[4200];
    uint8_t foot[NDB_FOOTER_SIZE];
    dedup_out o = {v, -1, 0, 0, tmp, err};
    dedup_link *chain = NULL;
    size_t nchain = 0;
    uint64_t chain_recs = 0;
    bool whole = true;
    ndb_buf h;
    ndb_rc rc;
    *merged = merge;
    snprintf(name, sizeof name, "dup-%016" PRIx64 "-%08" PRIx32 ".ndd", gen, first);
    snprintf(tname, sizeof tname, "%s.tmp", name);
    if (ndb_path_join(tmp, sizeof tmp, d->db->path, tname) != NDB_OK ||
        ndb_path_join(dst, sizeof dst, d->db->path, name) != NDB_OK)
        return ndb_err_set(err, NDB_ELIMIT, "%s/%s: path too long", d->db->path, name);
    if (merge) { /* the chain this file replaces: exactly [0, d->base), else no merge */
        uint32_t covered = 0;
        rc = dedup_chain(v, d->db->path, gen - 1, d->base, &chain, &nchain, &covered, err);
        if (rc != NDB_OK)
            return rc;
        whole = covered == d->base;
        for (size_t i = 0; i < nchain; i++)
            chain_recs += chain[i].recs_len;
    }
    ndb_buf_init(&h, NDB_BUF_NOMAX);
    rc = ndb_frame_header(&h, DEDUP_KIND, DEDUP_VERSION, 0);
    const uint32_t hdr[8] = {first, count, NDB_DEDUP_K, NDB_DEDUP_BANDS, NDB_DEDUP_ROWS,
                             NDB_DEDUP_SHINGLE, NDB_DEDUP_PARA_MIN, DEDUP_FLOOR_MILLI};
    for (int i = 0; i < 8 && rc == NDB_OK; i++)
        rc = ndb_buf_append_u32le(&h, hdr[i]);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(&h, (uint64_t)count * NDB_DEDUP_BANDS * 4);
    if (rc != NDB_OK) {
        ndb_buf_fini(&h);
        ndb_free(chain);
        return ndb_err_set(err, rc, "dup file: %s", ndb_strerror(rc));
    }
    o.fd = whole ? v->open(v, tmp, O_RDWR | O_CREAT | O_TRUNC, 0644) : -1;
    if (o.fd < 0) {
        ndb_buf_fini(&h);
        ndb_free(chain);
        *merged = false;
        return whole ? ndb_err_sys(err, NDB_EIO, errno, "%s: cannot create", tmp) : NDB_OK;
    }
    rc = dedup_out_put(&o, h.p, h.n);
    if (rc == NDB_OK) /* the chain's band keys, then ours */
        rc = dedup_copy_chain(d, &o, chain, nchain, false, err);
    if (rc == NDB_OK)
        rc = dedup_out_put(&o, d->bands.p, d->bands.n);
    ndb_buf_reset(&h);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(&h, chain_recs + recs->n);
    if (rc == NDB_OK)
        rc = dedup_out_put(&o, h.p, h.n);
    if (rc == NDB_OK) /* the chain's records, then ours */
        rc = dedup_copy_chain(d, &o, chain, nchain, true, err);
    if (rc == NDB_OK && whole)
        rc = dedup_out_put(&o, recs->p, recs->n);
    if (rc == NDB_OK && whole) {
        ndb_put_u32le(foot, NDB_FOOTER_MAGIC);
        ndb_put_u32le(foot + 4, 1);
        ndb_put_u32le(foot + 8, ndb_crc32c(o.crc, foot, 8));
        rc = ndb_vfs_pwrite_all(v, o.fd, foot, sizeof foot, (off_t)o.off, tmp, err);
    }
    if (rc == NDB_OK && whole && v->fsync(v, o.fd) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: fsync failed", tmp);
    if (v->close(v, o.fd) != 0 && rc == NDB_OK && whole)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: close failed", tmp);
    if (rc == NDB_OK && whole && v->rename(v, tmp, dst) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: rename failed", dst);
    if (rc == NDB_OK && whole && v->fsync_dir(v, d->db->path) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: directory fsync failed", d->db->path);
    if (rc != NDB_OK || !whole)
        v->unlink(v, tmp);
    ndb_buf_fini(&h);
    ndb_free(chain);
    *merged = merge && whole;
    return rc;
}

ndb_rc api_dedup_commit(api_dedup_w *d, uint64_t gen, ndb_err *err)
{
    ndb_rc rc;
    if (!d)
        return NDB_OK;
    if (gen > 0)
        dedup_sweep_merged(d->db, gen - 1);
    rc = dedup_catch_up(d, gen, err);
    if (rc != NDB_OK || d->npend == 0)
        return rc;
    return dedup_write(d, gen, err);
}

/* Check the pending records' late pairs and write them as one file of generation gen.
** Compaction: past DEDUP_COMPACT_FILES files the commit writes instead ONE file from article
** 0 holding the whole chain (records are position-independent: links are id deltas) plus
** the new records, streamed file by file (two passes over the chain: band keys, then
** records). Readers of this generation chain it (the newest file at base 0, the longest);
** readers of older ones still find the old files, which are deleted once a later commit or
** writer sees the merged file committed (dedup_sweep_merged). A crash before the manifest
** leaves a file of an uncommitted generation: swept as any other. */
static ndb_rc dedup_write(api_dedup_w *d, uint64_t gen, ndb_err *err)
{
    ndb_buf recs, links;
    ndb_rd r;
    bool merged = false;
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&recs, NDB_BUF_NOMAX);
    ndb_buf_init(&links, NDB_BUF_NOMAX);
    ndb_rd_init(&r, d->recs.p, d->recs.n, NDB_ECORRUPT);
    rc = dedup_run_candidates(d, err);
    for (uint32_t i = 0; i < d->npend && rc == NDB_OK; i++)
        rc = dedup_verify_one(d, d->base + i, &r, &recs, &links, err);
    if (rc != NDB_OK) {
        rc = ndb_err_set(err, rc, "near-duplicate check at commit: %s",
                         err && err->msg[0] ? err->msg : ndb_strerror(rc));
        goto out;
    }
    if (d->nfiles + 1 > DEDUP_COMPACT_FILES && d->base > 0 && gen > 0)
        rc = dedup_file_write(d, gen, true, &recs, &merged, err);
    if (rc == NDB_OK && !merged) /* (no merge, or the chain changed under us) */
        rc = dedup_file_write(d, gen, false, &recs, &merged, err);
    if (rc == NDB_OK) {
        d->nfiles = merged ? 1 : d->nfiles + 1;
        dedup_pending_clear(d);
        rc = dedup_map_bound(d, err);
    }
out:
    ndb_buf_fini(&recs);
    ndb_buf_fini(&links);
    return rc;
}

/* ---------------------------------------------------------------- loading */

typedef struct dedup_file {
    uint64_t gen;
    uint32_t base;
    char name[64];
} dedup_file;

static int dedup_file_cmp(const void *a, const void *b)
{
    const dedup_file *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return (x->gen < y->gen) - (x->gen > y->gen); /* newest first */
}

/* Parse "dup-<16 hex>-<8 hex>.ndd". */
static bool dedup_name_parse(const char *n, uint64_t *gen, uint32_t *base)
{
    char tail[8];
    unsigned long long g;
    unsigned b;
    if (strlen(n) != 4 + 16 + 1 + 8 + 4 || strncmp(n, "dup-", 4) != 0)
        return false;
    if (sscanf(n, "dup-%16llx-%8x%4s", &g, &b, tail) != 3 || strcmp(tail, ".ndd") != 0)
        return false;
    *gen = g;
    *base = b;
    return true;
}

static ndb_rc dedup_list(const char *dir, dedup_file **out, size_t *nout, ndb_err *err)
{
    DIR *dd = opendir(dir);
    struct dirent *e;
    dedup_file *v = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    *nout = 0;
    if (!dd)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot list", dir);
    while ((e = readdir(dd)) != NULL) {
        dedup_file f;
        if (!dedup_name_parse(e->d_name, &f.gen, &f.base))
            continue;
        snprintf(f.name, sizeof f.name, "%s", e->d_name);
        if (ndb_grow((void **)&v, &cap, n + 1, sizeof *v) != NDB_OK) {
            ndb_free(v);
            closedir(dd);
            return ndb_err_set(err, NDB_ENOMEM, "out of memory");
        }
        v[n++] = f;
    }
    closedir(dd);
    if (n > 1)
        qsort(v, n, sizeof *v, dedup_file_cmp);
    *out = v;
    *nout = n;
    return NDB_OK;
}

#define DEDUP_HEAD (NDB_HEADER_SIZE + 8 * 4 + 8) /* frame header, 8 u32, band bytes */

/* Read and check the header of file `name`: frame fields, detection parameters (else
** NDB_EFORMAT: an older newsdb's data), and section sizes against the file's size. */
static ndb_rc dedup_head(const ndb_vfs *vfs, const char *dir, const char *name, dedup_link *l,
                         ndb_err *err)
{
    char path[4200];
    uint8_t h[DEDUP_HEAD], nr8[8];
    uint32_t f[8];
    uint64_t nb, nr;
    off_t size = 0;
    int fd;
    ndb_rc rc = ndb_path_join(path, sizeof path, dir, name);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "%s/%s: path too long", dir, name);
    fd = vfs->open(vfs, path, O_RDONLY, 0);
    if (fd < 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot open", path);
    if (vfs->fsize(vfs, fd, &size) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", path);
    if (rc == NDB_OK && (uint64_t)size < DEDUP_HEAD + 8 + NDB_FOOTER_SIZE)
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: truncated", name);
    if (rc == NDB_OK)
        rc = ndb_vfs_pread_all(vfs, fd, h, sizeof h, 0, name, err);
    if (rc == NDB_OK && (ndb_get_u32le(h) != NDB_FILE_MAGIC || ndb_get_u32le(h + 4) != DEDUP_KIND))
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: not a dup file", name);
    if (rc == NDB_OK && ndb_get_u16le(h + 8) != DEDUP_VERSION)
        rc = ndb_err_set(err, NDB_EFORMAT, "%s: format version %u, this build reads %u", name,
                         ndb_get_u16le(h + 8), DEDUP_VERSION);
    for (int i = 0; i < 8; i++)
        f[i] = ndb_get_u32le(h + NDB_HEADER_SIZE + 4 * i);
    nb = ndb_get_u64le(h + NDB_HEADER_SIZE + 32);
    if (rc == NDB_OK &&
        (f[2] != NDB_DEDUP_K || f[3] != NDB_DEDUP_BANDS || f[4] != NDB_DEDUP_ROWS ||
         f[5] != NDB_DEDUP_SHINGLE || f[6] != NDB_DEDUP_PARA_MIN || f[7] != DEDUP_FLOOR_MILLI))
        rc = ndb_err_set(err, NDB_EFORMAT, "%s: made with other detection parameters", name);
    if (rc == NDB_OK && ((uint64_t)f[1] * NDB_DEDUP_BANDS * 4 != nb ||
                         (uint64_t)f[0] + f[1] > UINT32_MAX ||
                         nb > (uint64_t)size - DEDUP_HEAD - 8 - NDB_FOOTER_SIZE))
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: band section size does not match", name);
    if (rc == NDB_OK)
        rc = ndb_vfs_pread_all(vfs, fd, nr8, sizeof nr8, (off_t)(DEDUP_HEAD + nb), name, err);
    nr = ndb_get_u64le(nr8);
    if (rc == NDB_OK && nr != (uint64_t)size - DEDUP_HEAD - nb - 8 - NDB_FOOTER_SIZE)
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: truncated body", name);
    vfs->close(vfs, fd);
    if (rc != NDB_OK)
        return rc;
    snprintf(l->name, sizeof l->name, "%s", name);
    l->base = f[0];
    l->count = f[1];
    l->size = (uint64_t)size;
    l->bands_off = DEDUP_HEAD;
    l->recs_off = DEDUP_HEAD + nb + 8;
    l->recs_len = nr;
    return NDB_OK;
}

/* The chain of commit maxgen, from headers: files with gen <= maxgen sorted by base, from
** article 0 the file starting at the current end (the newest if several), until none
** starts there or one is of an older format (uncovered from there on: the next writer
** deletes it and recomputes). OWNED *out (ndb_free). */
static ndb_rc dedup_chain(const ndb_vfs *vfs, const char *dir, uint64_t maxgen,
                          uint32_t maxdocs, dedup_link **out, size_t *nout, uint32_t *covered,
                          ndb_err *err)
{
    dedup_file *v = NULL;
    dedup_link *l = NULL;
    size_t n = 0, nl = 0, cap = 0;
    uint32_t cur = 0;
    ndb_rc rc = dedup_list(dir, &v, &n, err);
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        dedup_link x;
        if (v[i].gen > maxgen || v[i].base != cur)
            continue;
        rc = dedup_head(vfs, dir, v[i].name, &x, err);
        if (rc == NDB_EFORMAT) {
            rc = NDB_OK;
            if (err)
                err->msg[0] = '\0';
            break;
        }
        if (rc == NDB_OK && (x.base != v[i].base || (uint64_t)x.base + x.count > maxdocs))
            rc = ndb_err_set(err, NDB_ECORRUPT, "%s: covers articles past the commit",
                             v[i].name);
        if (rc == NDB_OK && (rc = ndb_grow((void **)&l, &cap, nl + 1, sizeof *l)) != NDB_OK)
            rc = ndb_err_set(err, rc, "out of memory");
        if (rc == NDB_OK) {
            l[nl++] = x;
            cur = x.base + x.count;
        }
    }
    ndb_free(v);
    if (rc != NDB_OK) {
        ndb_free(l);
        l = NULL;
        nl = 0;
        cur = 0;
    }
    *out = l;
    *nout = nl;
    *covered = cur;
    return rc;
}

/* Read and check one file of a chain whole; on success its two sections. */
static ndb_rc dedup_read(const ndb_vfs *vfs, const char *dir, const dedup_link *l, uint8_t **img,
                         ndb_rd *bands, ndb_rd *recs, ndb_err *err)
{
    char path[4200];
    size_t n = 0;
    ndb_slice body;
    ndb_rc rc = ndb_path_join(path, sizeof path, dir, l->name);
    *img = NULL;
    if (rc == NDB_OK)
        rc = ndb_vfs_read_file(vfs, path, DEDUP_FILE_MAX, img, &n, err);
    if (rc == NDB_OK)
        rc = ndb_frame_check(*img, n, DEDUP_KIND, DEDUP_VERSION, DEDUP_VERSION, l->name, &body,
                             err);
    if (rc != NDB_OK)
        return rc;
    if (n != l->size || ndb_get_u32le(body.p) != l->base || ndb_get_u32le(body.p + 4) != l->count)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: changed while read", l->name);
    ndb_rd_init(bands, *img + l->bands_off, (size_t)l->count * NDB_DEDUP_BANDS * 4,
                NDB_ECORRUPT);
    ndb_rd_init(recs, *img + l->recs_off, (size_t)l->recs_len, NDB_ECORRUPT);
    return NDB_OK;
}

ndb_rc api_dedup_load_chain(const ndb_vfs *vfs, const char *dir, uint64_t maxgen,
                            uint32_t maxdocs, api_dedup_file_fn fn, void *ctx,
                            uint32_t *covered, ndb_err *err)
{
    dedup_link *l = NULL;
    size_t nl = 0;
    ndb_rc rc = dedup_chain(vfs, dir, maxgen, maxdocs, &l, &nl, covered, err);
    for (size_t i = 0; i < nl && rc == NDB_OK; i++) {
        uint8_t *img = NULL;
        ndb_rd bands, recs;
        rc = dedup_read(vfs, dir, &l[i], &img, &bands, &recs, err);
        if (rc == NDB_OK)
            rc = fn(ctx, l[i].base, l[i].count, &bands, &recs, err);
        ndb_free(img);
    }
    ndb_free(l);
    if (rc != NDB_OK)
        *covered = 0;
    return rc;
}

/* Stream bytes [off, off + len) of chain file l to fn, a piece (<= 1 MB) at a time, after
** checking the whole file's checksum the same way (nothing of it held whole). */

static ndb_rc dedup_stream(const ndb_vfs *vfs, const char *dir, const dedup_link *l,
                           uint64_t off, uint64_t len, dedup_piece_fn fn, void *ctx,
                           ndb_err *err)
{
    enum { PIECE = 1 << 20 };
    char path[4200];
    uint8_t *buf = NULL;
    off_t size = 0;
    int fd;
    ndb_rc rc = ndb_path_join(path, sizeof path, dir, l->name);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "%s/%s: path too long", dir, l->name);
    fd = vfs->open(vfs, path, O_RDONLY, 0);
    if (fd < 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot open", path);
    if (vfs->fsize(vfs, fd, &size) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", path);
    if (rc == NDB_OK && (uint64_t)size != l->size)
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: changed while read", l->name);
    if (rc == NDB_OK)
        rc = ndb_frame_check_fd(vfs, fd, l->size, DEDUP_KIND, DEDUP_VERSION, DEDUP_VERSION,
                                l->name, err);
    if (rc == NDB_OK && !(buf = ndb_malloc(PIECE)))
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    while (rc == NDB_OK && len > 0) {
        size_t k = len < PIECE ? (size_t)len : PIECE;
        rc = ndb_vfs_pread_all(vfs, fd, buf, k, (off_t)off, l->name, err);
        if (rc == NDB_OK)
            rc = fn(ctx, buf, k);
        off += k;
        len -= k;
    }
    ndb_free(buf);
    vfs->close(vfs, fd);
    return rc;
}

/* ---------------------------------------------------------------- writer open/close */

/* Keep the band map within its budget: past it, the map's articles [runs.end, covered) go
** to disk as a run (they must be in dup files written for this or an earlier commit). */
static ndb_rc dedup_map_bound(api_dedup_w *d, ndb_err *err)
{
    ndb_err lerr;
    (void)err;
    if (api_dedup_map_bytes(&d->map) <= d->mem_max || d->covered == d->runs.end)
        return NDB_OK;
    /* a run that cannot be written (a full disk) costs memory, not answers: the map keeps
    ** its keys (a spill leaves it whole on failure) and the next commit tries again */
    if (api_dedup_runs_spill(&d->runs, &d->map, d->covered - d->runs.end, &lerr) != NDB_OK)
        api_log(d->db, NDB_LOG_WARN, "near-duplicate keys stay in memory: %s", lerr.msg);
    return NDB_OK;
}

typedef struct dedup_bandload { /* band keys streamed from a dup file into the map */
    api_dedup_w *d;
    uint32_t next;                            /* the article of the next key */
    uint8_t part[NDB_DEDUP_BANDS * 4];        /* an article's keys split across pieces */
    size_t npart;
    ndb_err *err;
} dedup_bandload;

static ndb_rc dedup_bandload_article(dedup_bandload *L, const uint8_t *p)
{
    api_dedup_w *d = L->d;
    uint32_t band[NDB_DEDUP_BANDS];
    bool empty = true;
    ndb_rc rc = NDB_OK;
    for (int b = 0; b < NDB_DEDUP_BANDS; b++) {
        band[b] = ndb_get_u32le(p + 4 * b);
        empty &= band[b] == 0;
    }
    if (!empty && (rc = dedup_map_add(d, band, L->next)) != NDB_OK)
        return ndb_err_set(L->err, rc, "dup file: band keys: %s", ndb_strerror(rc));
    d->covered = ++L->next;
    return dedup_map_bound(d, L->err);
}

static ndb_rc dedup_bandload_piece(void *ctx, const uint8_t *p, size_t n)
{
    dedup_bandload *L = ctx;
    const size_t art = NDB_DEDUP_BANDS * 4;
    ndb_rc rc = NDB_OK;
    while (n > 0 && rc == NDB_OK) {
        if (L->npart > 0 || n < art) { /* (pieces are 1 MB: an article rarely straddles) */
            size_t k = art - L->npart < n ? art - L->npart : n;
            memcpy(L->part + L->npart, p, k);
            L->npart += k;
            p += k;
            n -= k;
            if (L->npart == art) {
                L->npart = 0;
                rc = dedup_bandload_article(L, L->part);
            }
            continue;
        }
        rc = dedup_bandload_article(L, p);
        p += art;
        n -= art;
    }
    return rc;
}

/* Writer open: the band keys of articles [runs.end, covered) into the map (spilling to runs
** when past the budget), read from the chain files that hold them, a piece at a time. */
static ndb_rc dedup_load_tail(api_dedup_w *d, const dedup_link *l, size_t nl, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    uint32_t end = d->covered;
    d->covered = d->runs.end;
    for (size_t i = 0; i < nl && rc == NDB_OK; i++) {
        uint32_t from = d->runs.end > l[i].base ? d->runs.end : l[i].base;
        dedup_bandload L = {d, from, {0}, 0, err};
        if (l[i].base + l[i].count <= from)
            continue;
        rc = dedup_stream(d->db->vfs, d->db->path, &l[i],
                          l[i].bands_off + (uint64_t)(from - l[i].base) * NDB_DEDUP_BANDS * 4,
                          (uint64_t)(l[i].base + l[i].count - from) * NDB_DEDUP_BANDS * 4,
                          dedup_bandload_piece, &L, err);
    }
    if (rc == NDB_OK && d->covered != end)
        rc = ndb_err_set(err, NDB_ECORRUPT, "dup files: band keys of %u articles, expected %u",
                         d->covered, end);
    return rc;
}

/* Delete dup files of generations after the commit (a crash before their manifest), and
** those starting at or after `from` (the chain ended there: files of an older format). */
static void dedup_sweep(const ndb_db *db, uint64_t gen, uint32_t from)
{
    dedup_file *v = NULL;
    size_t n = 0;
    if (dedup_list(db->path, &v, &n, NULL) != NDB_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        if ((v[i].gen > gen || v[i].base >= from) &&
            ndb_path_join(path, sizeof path, db->path, v[i].name) == NDB_OK)
            db->vfs->unlink(db->vfs, path);
    }
    ndb_free(v);
}

/* Delete the files a compaction merged: those older than the newest committed file that
** starts at article 0 (gen <= committed). */
static void dedup_sweep_merged(const ndb_db *db, uint64_t gen)
{
    dedup_file *v = NULL;
    size_t n = 0;
    uint64_t zero = 0;
    if (dedup_list(db->path, &v, &n, NULL) != NDB_OK)
        return;
    for (size_t i = 0; i < n; i++)
        if (v[i].base == 0 && v[i].gen <= gen && v[i].gen > zero)
            zero = v[i].gen;
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        if (v[i].gen < zero && ndb_path_join(path, sizeof path, db->path, v[i].name) == NDB_OK)
            db->vfs->unlink(db->vfs, path);
    }
    ndb_free(v);
}

ndb_rc api_dedup_open(ndb_db *db, ndb_store *store, uint64_t gen, api_dedup_w **out,
                      ndb_err *err)
{
    api_dedup_w *d;
    ndb_store_state st;
    dedup_link *chain = NULL;
    size_t nchain = 0;
    ndb_rc rc;
    *out = NULL;
    dedup_sweep(db, gen, UINT32_MAX);
    dedup_sweep_merged(db, gen);
    if (db->opt.no_dedup)
        return NDB_OK;
    d = ndb_calloc(1, sizeof *d);
    if (!d)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    d->db = db;
    d->store = store;
    /* tests: a small recent table, so that small archives exercise its merges */
    api_dedup_map_init(&d->map, getenv("NEWSDB_DEDUP_MAP_RECENT")
                                    ? (size_t)strtoull(getenv("NEWSDB_DEDUP_MAP_RECENT"),
                                                       NULL, 10)
                                    : 0);
    d->mem_max = db->opt.dedup_memory ? db->opt.dedup_memory : DEDUP_MEMORY;
    d->keep_max = DEDUP_KEEP_MAX;
    if (getenv("NEWSDB_DEDUP_KEEP_MAX")) /* tuning and tests: how many shingles to hold */
        d->keep_max = (size_t)strtoull(getenv("NEWSDB_DEDUP_KEEP_MAX"), NULL, 10);
    d->join_chunk = DEDUP_JOIN_CHUNK;
    if (getenv("NEWSDB_DEDUP_JOIN_CHUNK")) { /* tests: join a batch a few articles at a time */
        unsigned long long c = strtoull(getenv("NEWSDB_DEDUP_JOIN_CHUNK"), NULL, 10);
        d->join_chunk = c >= 1 && c < DEDUP_JOIN_CHUNK ? (uint32_t)c : DEDUP_JOIN_CHUNK;
    }
    d->flush = DEDUP_FLUSH;
    if (getenv("NEWSDB_DEDUP_FLUSH")) { /* tests: flush a long catch-up every few articles */
        unsigned long long f = strtoull(getenv("NEWSDB_DEDUP_FLUSH"), NULL, 10);
        d->flush = f >= 1 && f < DEDUP_FLUSH ? (uint32_t)f : DEDUP_FLUSH;
    }
    ndb_dedup_doc_init(&d->doc);
    ndb_dedup_doc_init(&d->vdoc);
    ndb_doc_article_init(&d->art);
    ndb_buf_init(&d->bands, NDB_BUF_NOMAX);
    ndb_buf_init(&d->recs, NDB_BUF_NOMAX);
    d->cache = ndb_calloc(DEDUP_CACHE, sizeof *d->cache);
    rc = d->cache ? NDB_OK : NDB_ENOMEM;
    for (uint32_t i = 0; rc == NDB_OK && i < DEDUP_CACHE; i++)
        d->cache[i].id = UINT32_MAX;
    if (rc == NDB_OK)
        rc = ndb_text_analyzer_new(db->stemmer, &d->an);
    if (rc != NDB_OK)
        rc = ndb_err_set(err, rc, "out of memory");
    ndb_store_committed(store, &st);
    if (rc == NDB_OK)
        rc = dedup_chain(db->vfs, db->path, gen, st.ndocs, &chain, &nchain, &d->covered, err);
    d->nfiles = (uint32_t)nchain;
    if (rc == NDB_OK)
        rc = api_dedup_runs_open(&d->runs, db->vfs, db->path, d->covered, err);
    if (rc == NDB_OK)
        rc = dedup_load_tail(d, chain, nchain, err);
    ndb_free(chain);
    if (rc != NDB_OK) {
        api_dedup_close(d);
        return rc;
    }
    dedup_sweep(db, gen, d->covered); /* anything past the chain is unusable */
    d->base = d->covered;
    *out = d;
    return NDB_OK;
}

void api_dedup_close(api_dedup_w *d)
{
    if (!d)
        return;
    api_dedup_map_fini(&d->map);
    api_dedup_runs_fini(&d->runs);
    ndb_buf_fini(&d->bands);
    ndb_buf_fini(&d->recs);
    ndb_free(d->own);
    ndb_free(d->psh);
    ndb_free(d->poff);
    ndb_free(d->pn);
    ndb_free(d->psorted);
    for (uint32_t i = 0; d->cache && i < DEDUP_CACHE; i++)
        ndb_free(d->cache[i].sh);
    ndb_free(d->cache);
    ndb_free(d->cand);
    ndb_free(d->pairs);
    ndb_free(d->edges);
    ndb_dedup_doc_fini(&d->doc);
    ndb_dedup_doc_fini(&d->vdoc);
    ndb_doc_article_fini(&d->art);
    ndb_text_analyzer_free(d->an);
    ndb_free(d);
}

/* ---------------------------------------------------------------- check */

/* Walk every record of a file: counts against what remains, links backwards, paragraph
** indexes inside the article. */
static ndb_rc dedup_check_file(void *ctx, uint32_t base, uint32_t count, ndb_rd *bands,
                               ndb_rd *recs, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    (void)ctx;
    (void)bands;
    for (uint32_t i = 0; i < count && rc == NDB_OK; i++) {
        uint64_t nsh = 0, nl = 0, np = 0, nfp = 0, para = 0, fp = 0;
        rc = ndb_rd_varint(recs, &nsh);
        if (rc == NDB_OK)
            rc = ndb_rd_varint(recs, &nl);
        for (uint64_t k = 0; k < nl && rc == NDB_OK; k++) {
            api_dedup_edge e;
            rc = api_dedup_read_link(recs, base + i, &e);
        }
        if (rc == NDB_OK)
            rc = ndb_rd_varint(recs, &np);
        if (rc == NDB_OK)
            rc = ndb_rd_varint(recs, &nfp);
        if (rc == NDB_OK && nfp > np)
            rc = NDB_ECORRUPT;
        for (uint64_t k = 0; k < nfp && rc == NDB_OK; k++) {
            rc = ndb_rd_varint(recs, &para);
            if (rc == NDB_OK)
                rc = ndb_rd_u64le(recs, &fp);
            if (rc == NDB_OK && para >= np)
                rc = NDB_ECORRUPT;
        }
    }
    if (rc == NDB_OK && ndb_rd_left(recs) != 0)
        rc = NDB_ECORRUPT;
    if (rc != NDB_OK)
        return ndb_err_set(err, NDB_ECORRUPT, "dup file of articles from %u: bad record", base);
    return NDB_OK;
}

ndb_rc api_dedup_check_dir(const ndb_vfs *vfs, const char *dir, uint64_t gen, uint32_t ndocs,
                           uint32_t *covered, ndb_err *err)
{
    return api_dedup_load_chain(vfs, dir, gen, ndocs, dedup_check_file, NULL, covered, err);
}

ndb_rc api_dedup_check(const ndb_db *db, uint64_t gen, uint32_t ndocs, uint32_t *covered,
                       ndb_err *err)
{
    return api_dedup_check_dir(db->vfs, db->path, gen, ndocs, covered, err);
}
