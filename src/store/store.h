/*
** store.h — the crash-safe, append-only document store of an archive directory.
**
** Five append-only files (framed 32-byte header of base.h, no footer; the manifest written
** by the index layer records each file's committed length and the CRC32C of [0, len)):
**   docs.log     blocks {u32 len, u32 crc32c(payload), payload = zstd(doc records)}
**   docs.idx     16 B per doc id: u64 block offset, u32 offset in block, u32 record length
**   cols.dat     16 B per doc id: ndb_col {i32 date, u32 outlet, u32 len, u32 flags = lang id}
**   urls.dat     20 B per doc id: u64 url key, u64 xxh3(raw), u32 doc id
**   outlets.dat  varint-length-prefixed outlet names; outlet id = order of appearance
** The exact byte layouts are in the design comment of store.c.
**
** One writer store per archive (the api holds the lock file) appends and syncs; any number
** of reader stores, each shared by many threads, see exactly a committed state and move
** forward with ndb_store_refresh. A writer truncates every file back to its committed
** length at open, so a torn tail left by a crash disappears.
**
** Versions: every stored doc has a URL; docs with the same URL are versions, chained
** oldest -> newest through superseded_by. live(id) in a snapshot of ndocs docs is
** (superseded_by(id) == 0 || superseded_by(id) >= ndocs).
**
** Threading: writer calls from one thread at a time. Reader calls (get, url_find,
** url_versions, outlet_*, refresh) are thread-safe (pthread rwlock); superseded_by and
** cols are lock-free.
*/
#ifndef NDB_STORE_STORE_H
#define NDB_STORE_STORE_H

#include "base/base.h"

#include <stdbool.h>
#include <stdint.h>

/* The column record of src/index/view.h (16 bytes, little-endian on disk). Declared
** incomplete here because index is a higher layer; include index/view.h to read it. */
typedef struct ndb_col ndb_col;

#define NDB_STORE_NFILES      5          /* docs.log, docs.idx, cols.dat, urls.dat, outlets.dat */
#define NDB_STORE_OUTLET_NONE UINT32_MAX /* == NDB_OUTLET_NONE of index/view.h */

/* File indexes into ndb_store_state.len / .crc. */
enum {
    NDB_STORE_LOG = 0,
    NDB_STORE_IDX = 1,
    NDB_STORE_COLS = 2,
    NDB_STORE_URLS = 3,
    NDB_STORE_OUTLETS = 4,
};

/* File names, indexed as above (static storage). */
extern const char *const ndb_store_file_names[NDB_STORE_NFILES];

typedef struct ndb_store_state { /* what a commit records; the manifest serializes it */
    uint32_t ndocs;              /* ids [0, ndocs) committed */
    uint32_t noutlets;
    uint64_t total_len;             /* sum of token lengths of all committed docs */
    uint64_t raw_bytes;             /* sum of raw article sizes */
    uint64_t len[NDB_STORE_NFILES]; /* committed length of each file */
    uint32_t crc[NDB_STORE_NFILES]; /* CRC32C of bytes [0, len) */
} ndb_store_state;

typedef struct ndb_store ndb_store;

/* Open the store of dir at committed state st.
** st == NULL (writable only): a new, empty archive: create (or truncate) the five files and
** write their headers; the first ndb_store_sync makes them durable and returns the state.
** writable=true: the writer's store: truncate every file to its committed length
** (discarding a torn tail from a crash), then appends are allowed.
** writable=false: a reader store: never writes; sees exactly st (st must not be NULL).
** *out OWNED: ndb_store_close; NULL on failure. */
ndb_rc ndb_store_open(const ndb_vfs *vfs, const char *dir, const ndb_store_state *st, bool writable,
                      ndb_store **out, ndb_err *err);
/* Accepts NULL; discards uncommitted appends (their bytes past the committed lengths are
** cut by the next writer open). */
void ndb_store_close(ndb_store *s);

typedef struct ndb_store_doc_in {
    ndb_slice raw;
    ndb_slice url;
    const char *outlet;                /* "" = none */
    const char *title, *lang, *source; /* "" when none (NULL is taken as "") */
    int64_t lead_bytes, para_declared;
    int32_t date; /* or NDB_DATE_NONE */
    uint32_t len; /* tokens */
} ndb_store_doc_in;

/* Writer: newest version of url among committed AND appended-not-yet-committed docs.
** Hash hits are verified against the stored URL (a 64-bit collision never merges two URLs).
** *found false: *id and *content_hash untouched. NDB_EPOISONED after a failed write. */
ndb_rc ndb_store_url_latest(ndb_store *s, const char *url, size_t n, uint32_t *id,
                            uint64_t *content_hash, bool *found, ndb_err *err);
/* Writer: append one doc; *id = its new dense id. Outlets get ids here. Sealed blocks may
** be written to docs.log past the committed length right away (a failure poisons). */
ndb_rc ndb_store_append(ndb_store *s, const ndb_store_doc_in *d, uint32_t *id, ndb_err *err);
/* Writer: seal the open block, write everything appended, fsync every file; fill *st with
** the new state (the caller writes the manifest). After any failed write/fsync the store is
** poisoned: the failing call returns the real error (NDB_EIO / NDB_ENOSPC, err->sys_errno),
** this and every later writing call NDB_EPOISONED; reads of committed data still work. */
ndb_rc ndb_store_sync(ndb_store *s, ndb_store_state *st, ndb_err *err);
/* Docs including appended ones (writer); committed docs (reader). */
uint32_t ndb_store_ndocs(const ndb_store *s);
/* The committed state (a copy). */
void ndb_store_committed(const ndb_store *s, ndb_store_state *st);

/* Reader: move to a newer committed state (loads only the new url/outlet records).
** Thread-safe against concurrent readers. NDB_EINVAL if st is older than the current. */
ndb_rc ndb_store_refresh(ndb_store *s, const ndb_store_state *st, ndb_err *err);

/* A stored doc. OWNED: ndb_store_doc_free. Strings NUL-terminated; raw is followed by a NUL
** not counted in raw_len. */
typedef struct ndb_store_doc {
    uint32_t id;
    char *url, *outlet, *title, *lang, *source;
    int64_t lead_bytes, para_declared;
    int32_t date;
    uint32_t len;
    uint8_t *raw;
    size_t raw_len;
} ndb_store_doc;

/* NDB_ENOTFOUND if id >= committed ndocs; reads committed data only. */
ndb_rc ndb_store_get(ndb_store *s, uint32_t id, ndb_store_doc **out, ndb_err *err);
void ndb_store_doc_free(ndb_store_doc *d); /* accepts NULL */
/* Committed docs [from, from + n) into out[0..n) (each OWNED), decompressing each block
** once (store_range.c): for walks over many docs. NDB_ENOTFOUND past the committed docs;
** on error every out[i] is NULL. */
ndb_rc ndb_store_get_range(ndb_store *s, uint32_t from, uint32_t n, ndb_store_doc **out,
                           ndb_err *err);

/* True when cols.dat records each article's language (ndb_col.flags, version 1.1+); false
** for archives made before (their flags are 0: language unknown). */
bool ndb_store_has_lang(const ndb_store *s);

/* Column array for ids [0, committed ndocs). BORROWED until close; the pointer is stable for
** the life of the store, also across refresh and sync. */
const ndb_col *ndb_store_cols(const ndb_store *s);

/* The id of the version that supersedes id (0 = none yet), over every doc the store knows
** (for the writer: including appended ones). Lock-free. */
uint32_t ndb_store_superseded_by(const ndb_store *s, uint32_t id);

/* The smallest id that supersedes another doc (0 = no doc was ever superseded). A snapshot
** of ndocs docs with ndb_store_first_superseder() == 0 or >= ndocs has every doc live, so
** queries may skip the per-doc liveness test. Lock-free; only ever decreases. */
uint32_t ndb_store_first_superseder(const ndb_store *s);

/* Reader: current version of url among ids < ndocs. */
bool ndb_store_url_find(ndb_store *s, const char *url, size_t n, uint32_t ndocs, uint32_t *id);
/* All versions of url among ids < ndocs, oldest first. *ids OWNED (ndb_free).
** NDB_ENOTFOUND (*ids NULL, *nids 0) when there is none. */
ndb_rc ndb_store_url_versions(ndb_store *s, const char *url, size_t n, uint32_t ndocs,
                              uint32_t **ids, size_t *nids, ndb_err *err);

/* Outlets (for the writer including appended ones). */
bool ndb_store_outlet_find(ndb_store *s, const char *name, size_t n, uint32_t *id);
const char *ndb_store_outlet_name(ndb_store *s, uint32_t id); /* BORROWED until close */
uint32_t ndb_store_noutlets(const ndb_store *s);

/* Verify every file's CRC against st, every block CRC and decompression, every idx
** record's bounds and that the record's id matches, cols/urls counts; each problem goes to
** report(ctx, 1, "docs.log: block at offset 123: crc mismatch"); NDB_ECORRUPT if any. */
ndb_rc ndb_store_check(ndb_store *s, const ndb_store_state *st, ndb_report_fn report, void *ctx,
                       ndb_err *err);

/* Test hook: the URL key function. round 0 must be the xxh3 of the URL for the on-disk
** format; round k > 0 is the k-th rehash used after a verified 64-bit collision. NULL
** restores the default. Set it on every store of an archive before use. */
typedef uint64_t (*ndb_store_url_hash_fn)(const void *p, size_t n, uint32_t round);
void ndb_store_set_url_hash(ndb_store *s, ndb_store_url_hash_fn fn);

/* Tuning: zstd level of new blocks (default 1; measured in tests/store, see store_write.c). */
void ndb_store_set_zstd_level(ndb_store *s, int level);

#endif /* NDB_STORE_STORE_H */
