/*
** store_int.h — private to src/store: the ndb_store handle and helpers shared by
** store.c (open/close, tables, refresh, lookups), store_write.c (append, sync),
** store_zq.c (sealed blocks compressed on a thread), store_read.c (block and record
** decoding, get) and store_check.c.
**
** Memory per document (stated in store.c too): ukey 8 B + superseded 4 B + URL table slot
** 4 B / load (0.375..0.75, so 5.3..10.7 B per distinct URL) = at most ~23 B; the columns
** are a file mapping, not heap. The writer additionally buffers, until sync, 52 B of
** idx/cols/urls records and the URL text of each appended doc, plus one open block.
**
** Locking: `lock` (rwlock) guards everything but `sup` (atomics, read lock-free) and the
** cols mapping (immutable pointer). Public functions take the lock once and call the
** store_*_locked helpers, never each other (pthread rwlocks are not recursive).
*/
#ifndef NDB_STORE_STORE_INT_H
#define NDB_STORE_STORE_INT_H

#include "store/store.h"
#include "text/lang.h"

#include <pthread.h>
#include <stdatomic.h>

#define STORE_VERSION_MAJOR 1
/* Minor 1: cols.dat flags bits 0-7 hold the article's language id (text/lang.h), taken from
** the record's lang. Files of minor 0 hold 0 there (language unknown); the minor of cols.dat
** decides, for the whole file, which rule applies (a writer keeps the file's minor). */
#define STORE_VERSION_MINOR 1

/* Frame kinds: "SLOG", "SIDX", "SCOL", "SURL", "SOUT" as u32le. */
#define STORE_KIND_LOG     0x474f4c53u
#define STORE_KIND_IDX     0x58444953u
#define STORE_KIND_COLS    0x4c4f4353u
#define STORE_KIND_URLS    0x4c525553u
#define STORE_KIND_OUTLETS 0x54554f53u

#define STORE_IDX_REC      16
#define STORE_COL_REC      16
#define STORE_URL_REC      20
#define STORE_BLOCK_HDR    8
#define STORE_BLOCK_TARGET (64u * 1024u)         /* seal the open block past this */
#define STORE_BLOCK_MAX    ((uint64_t)160 << 20) /* bound on a decompressed block */
#define STORE_RAW_MAX      ((size_t)64 << 20)    /* bound on one article's raw bytes */
#define STORE_FIELD_MAX    ((size_t)64 << 10)    /* url, title, lang, source, outlet */
#define STORE_OUTLETS_MAX  ((uint64_t)256 << 20) /* bound on outlets.dat */
#define STORE_URL_ROUNDS   8                     /* rehash rounds after collisions */
#define STORE_SUP_SHIFT    16                    /* superseded: chunks of 64 Ki ids */
#define STORE_SUP_CHUNKS   ((size_t)1 << (32 - STORE_SUP_SHIFT))
#define STORE_NONE         UINT32_MAX
#define STORE_ZSTD_LEVEL   1

typedef enum store_mode {
    STORE_READER,   /* never writes */
    STORE_WRITER,   /* appends allowed */
    STORE_POISONED, /* a write or fsync failed: only reads of committed data and close */
} store_mode;

struct ndb_store {
    const ndb_vfs *vfs;
    char *dir;                    /* OWNED */
    char *path[NDB_STORE_NFILES]; /* OWNED, for messages and opening */
    int fd[NDB_STORE_NFILES];
    store_mode mode;
    bool created;       /* new archive: the first sync also fsyncs the directory */
    bool cols_lang;     /* cols.dat is version 1.1+: flags carry language ids */
    ndb_store_state st; /* committed */
    pthread_rwlock_t lock;
    ndb_store_url_hash_fn hash_fn;

    /* cols.dat mapping: reserved once, never moved. */
    uint8_t *map;
    size_t map_size;
    uint64_t map_docs; /* docs the mapping can show */

    /* Tables over every doc the store knows: committed (reader: loaded) and appended. */
    uint32_t ndocs_all;
    uint64_t *ukey; /* URL key per doc id */
    size_t ukey_cap;
    uint32_t *slots; /* open addressing: first version id, STORE_NONE = empty */
    uint32_t slot_mask;
    uint32_t nurls;
    _Atomic(_Atomic uint32_t *) *sup; /* STORE_SUP_CHUNKS chunk pointers */
    size_t sup_hi;                    /* chunks [sup_hi, ...) were never allocated */
    _Atomic uint32_t sup_min;         /* smallest superseding id ever set (0 = none) */

    uint32_t nout_all;
    char **oname; /* OWNED names, NUL-terminated */
    size_t oname_cap;
    uint32_t *oslots;
    uint32_t omask;
    uint64_t out_loaded; /* reader: bytes of outlets.dat parsed */

    /* Writer only. */
    uint64_t wlen[NDB_STORE_NFILES]; /* bytes written so far (>= committed) */
    uint32_t wcrc[NDB_STORE_NFILES]; /* CRC32C of [0, wlen) */
    ndb_buf blk;                     /* open block: uncompressed records */
    ndb_buf rec;                     /* scratch: the record being appended */
    ndb_buf pend[NDB_STORE_NFILES];  /* records of idx, cols, urls, outlets not yet written */
    ndb_buf purl;                    /* URL text of appended docs, concatenated */
    uint64_t *purl_off;              /* [appended + 1] offsets into purl */
    size_t purl_cap;
    uint64_t ptotal_len, praw_bytes;
    /* url_latest -> append of the same URL (the api's add path) resolves once: the last
    ** resolution, valid while no doc was appended since (memo_ndocs == ndocs_all). */
    ndb_buf memo_url;
    uint64_t memo_key;
    uint32_t memo_first;
    uint32_t memo_ndocs;
    bool memo_ok;
    void *cctx; /* ZSTD_CCtx */
    int level;
    uint8_t *zbuf;
    size_t zcap;
    uint32_t blk_first;   /* pend[NDB_STORE_IDX] record of the open block's first doc */
    struct store_zq *zq;  /* sealed blocks being compressed (store_zq.c); NULL: none yet */
    bool zq_off;          /* compress inline ($NEWSDB_STORE_THREAD=0, or no thread) */
};

/* Locked-context helpers (store.c). */
uint64_t store_url_key(const ndb_store *s, const char *url, size_t n, uint32_t round);
uint32_t store_sup_get(const ndb_store *s, uint32_t id);
ndb_rc store_sup_set(ndb_store *s, uint32_t id, uint32_t next, ndb_err *err);
uint32_t store_url_lookup(const ndb_store *s, uint64_t key);
ndb_rc store_url_insert(ndb_store *s, uint32_t id, ndb_err *err);
ndb_rc store_ukey_reserve(ndb_store *s, uint32_t ndocs, ndb_err *err);
uint32_t store_url_latest_id(const ndb_store *s, uint32_t first, uint32_t limit);
/* Resolve url to its key and first version id (STORE_NONE: new URL; *key is then the key a
** new doc gets), verifying every hash hit against the stored URL. */
ndb_rc store_url_resolve(ndb_store *s, const char *url, size_t n, uint64_t *key, uint32_t *first,
                         ndb_err *err);
ndb_rc store_outlet_add(ndb_store *s, const char *name, size_t n, ndb_err *err);
uint32_t store_outlet_lookup(const ndb_store *s, const char *name, size_t n);
ndb_rc store_sys(ndb_store *s, int file, int e, const char *what, ndb_err *err);
/* Make sure the superseded slot of id exists (so a later store_sup_set cannot fail). */
ndb_rc store_sup_reserve(ndb_store *s, uint32_t id, ndb_err *err);
/* Make room for one more URL / outlet so the next insert cannot fail for memory. */
ndb_rc store_url_reserve(ndb_store *s, ndb_err *err);
ndb_rc store_outlet_reserve(ndb_store *s, ndb_err *err);

/* cols.dat flags of a doc whose record has language lang[0..n) (0 in a 1.0 file). */
uint32_t store_col_flags(const ndb_store *s, const char *lang, size_t n);

/* store_write.c: write a compressed block (header included) at docs.log's write end, and
** give docs.idx records [from, to) of pend[NDB_STORE_IDX] its offset. Poisons on failure. */
ndb_rc store_write_block(ndb_store *s, const uint8_t *z, size_t zn, uint32_t from, uint32_t to,
                         ndb_err *err);
/* store_zq.c */
typedef struct store_zq store_zq;
/* Header + zstd of raw[0..n) into out[0..cap) (cap >= ZSTD_compressBound(n) + header);
** *zn its size; why[] the reason on failure. */
ndb_rc store_compress(void *cctx, int level, const uint8_t *raw, size_t n, uint8_t *out,
                      size_t cap, size_t *zn, char *why, size_t whycap);
/* Grow a block's output buffer *z (*cap bytes) to hold the header and zstd of rawn bytes. */
ndb_rc store_zbuf_reserve(uint8_t **z, size_t *cap, size_t rawn, ndb_err *err);
/* Hand the open block (non-empty) to the compressing thread: *queued, and s->blk is empty;
** else (no thread) nothing changed. Fails for memory only with nothing changed. */
ndb_rc store_zq_push(ndb_store *s, bool *queued, ndb_err *err);
/* Write the queued blocks that are compressed, in order; all: every queued block. */
ndb_rc store_zq_write(ndb_store *s, bool all, ndb_err *err);
/* Stop the thread; blocks not written are dropped (never committed). */
void store_zq_free(store_zq *q);
/* store_read.c */
typedef struct store_rec { /* a parsed record; slices point into the block */
    uint32_t id;
    ndb_slice url, outlet, title, lang, source, raw;
    int64_t lead_bytes, para_declared;
    int32_t date;
    uint32_t len;
} store_rec;
/* Parse exactly n bytes as one record; NDB_ECORRUPT if malformed (err untouched). */
ndb_rc store_parse_record(const uint8_t *p, size_t n, store_rec *r);
/* Read and decompress the block at off of docs.log within [32, loglen). *out OWNED. */
ndb_rc store_read_block(ndb_store *s, uint64_t off, uint64_t loglen, uint8_t **out, size_t *n,
                        ndb_err *err);
/* Decode one record (exactly n bytes) that must carry id. *out OWNED (ndb_store_doc_free). */
ndb_rc store_decode_record(const uint8_t *p, size_t n, uint32_t id, ndb_store_doc **out,
                           ndb_err *err);
ndb_rc store_get_locked(ndb_store *s, uint32_t id, ndb_store_doc **out, ndb_err *err);
/* The URL of a doc the store knows (committed from disk, appended from memory). */
ndb_rc store_url_equal(ndb_store *s, uint32_t id, const char *url, size_t n, bool *eq,
                       ndb_err *err);
/* Check a 32-byte header image. */
ndb_rc store_header_check(const uint8_t *h, int file, const char *path, ndb_err *err);
uint32_t store_kind(int file);

#endif /* NDB_STORE_STORE_INT_H */
