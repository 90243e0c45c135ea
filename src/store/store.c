/*
** store.c — open/close of the document store, its in-memory tables (URL map, superseded
** chain, outlets), reader refresh and lookups. Appending is store_write.c, decoding
** store_read.c, verification store_check.c.
**
** Files (each starts with the 32-byte frame header of base.h, kinds SLOG/SIDX/SCOL/SURL/
** SOUT, version 1.1, 1.0 read too; no footer: the manifest holds each committed length and the CRC32C of
** [0, len), which the writer extends incrementally as it appends):
**
**   docs.log     off  size  field                     docs.idx (per doc id, at 32 + 16 id)
**     block      0    4     payload length n            0   8  block offset in docs.log
**                4    4     CRC32C of payload           8   4  record offset in the block
**                8    n     zstd frame (content size)   12  4  record length
**   record (in a decompressed block): u32le id; lp url; lp outlet; lp title; lp lang;
**     lp source; zigzag varint lead_bytes; zigzag varint para_declared; i32le date;
**     varint len (tokens); lp raw.      (lp = varint length + bytes)
**   cols.dat     at 32 + 16 id: i32 date, u32 outlet (UINT32_MAX none), u32 len, u32 flags
**                (version 1.1: flags = language id of the record's lang, text/lang.h;
**                version 1.0: flags 0)
**   urls.dat     at 32 + 20 id: u64 URL key, u64 xxh3-64 of raw, u32 id
**   outlets.dat  lp names from byte 32; outlet id = order
**
** URL key: xxh3-64 of the URL. The writer verifies every key hit against the stored URL
** text; when a different URL already owns the key (a 64-bit collision), the new URL takes
** the key of the next rehash round (xxh3-128 based), so in urls.dat equal keys <=> equal
** URLs. Readers therefore build the map from keys alone and verify only the final hit of a
** lookup.
**
** Memory per doc: ukey 8 B + superseded 4 B (chunked array of atomics, read lock-free) +
** one u32 slot per distinct URL at load 0.375..0.75 (<= 10.7 B) = at most ~23 B. Columns
** are a MAP_SHARED|MAP_NORESERVE mapping of cols.dat reserved once (up to 64 GiB of address
** space) so the pointer is stable; only committed pages are ever touched.
**
** States (the mode field):
**     open(writable=false) --> READER --refresh--> READER
**     open(writable=true)  --> WRITER --append/sync ok--> WRITER
**                              WRITER --failed write/fsync/truncate--> POISONED (terminal)
**     close from any state.
**
** Threading: see store.h; one rwlock per store, superseded_by and cols lock-free.
*/
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <zstd.h>

const char *const ndb_store_file_names[NDB_STORE_NFILES] = {"docs.log", "docs.idx", "cols.dat",
                                                            "urls.dat", "outlets.dat"};

static const uint32_t store_kinds[NDB_STORE_NFILES] = {
    STORE_KIND_LOG, STORE_KIND_IDX, STORE_KIND_COLS, STORE_KIND_URLS, STORE_KIND_OUTLETS};

uint32_t store_kind(int file)
{
    return store_kinds[file];
}

ndb_rc store_sys(ndb_store *s, int file, int e, const char *what, ndb_err *err)
{
    return ndb_err_sys(err, NDB_EIO, e, "%s: %s", s->path[file], what);
}

/* ---------------------------------------------------------------- URL keys */

static uint64_t store_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t store_url_key(const ndb_store *s, const char *url, size_t n, uint32_t round)
{
    ndb_hash128 h;
    if (s->hash_fn)
        return s->hash_fn(url, n, round);
    if (round == 0)
        return ndb_hash64(url, n);
    h = ndb_hash128_of(url, n);
    return store_mix(h.hi + (uint64_t)round * 0x9e3779b97f4a7c15ull) ^ h.lo;
}

void ndb_store_set_url_hash(ndb_store *s, ndb_store_url_hash_fn fn)
{
    s->hash_fn = fn;
}

/* ---------------------------------------------------------------- superseded chain */

uint32_t store_sup_get(const ndb_store *s, uint32_t id)
{
    _Atomic uint32_t *c =
        atomic_load_explicit(&s->sup[id >> STORE_SUP_SHIFT], memory_order_acquire);
    if (!c)
        return 0;
    return atomic_load_explicit(&c[id & ((1u << STORE_SUP_SHIFT) - 1)], memory_order_relaxed);
}

ndb_rc store_sup_reserve(ndb_store *s, uint32_t id, ndb_err *err)
{
    size_t ci = id >> STORE_SUP_SHIFT;
    _Atomic uint32_t *c = atomic_load_explicit(&s->sup[ci], memory_order_acquire);
    if (!c) {
        c = ndb_calloc((size_t)1 << STORE_SUP_SHIFT, sizeof *c);
        if (!c)
            return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (superseded chunk)");
        atomic_store_explicit(&s->sup[ci], c, memory_order_release);
        s->sup_hi = NDB_MAX(s->sup_hi, ci + 1);
    }
    return NDB_OK;
}

ndb_rc store_sup_set(ndb_store *s, uint32_t id, uint32_t next, ndb_err *err)
{
    _Atomic uint32_t *c;
    ndb_rc rc = store_sup_reserve(s, id, err);
    if (rc != NDB_OK)
        return rc;
    c = atomic_load_explicit(&s->sup[id >> STORE_SUP_SHIFT], memory_order_acquire);
    atomic_store_explicit(&c[id & ((1u << STORE_SUP_SHIFT) - 1)], next, memory_order_release);
    uint32_t m = atomic_load_explicit(&s->sup_min, memory_order_relaxed);
    while (next != 0 && (m == 0 || next < m) &&
           !atomic_compare_exchange_weak_explicit(&s->sup_min, &m, next, memory_order_release,
                                                  memory_order_relaxed))
        ;
    return NDB_OK;
}

uint32_t ndb_store_superseded_by(const ndb_store *s, uint32_t id)
{
    return store_sup_get(s, id);
}

uint32_t ndb_store_first_superseder(const ndb_store *s)
{
    return atomic_load_explicit(&((ndb_store *)s)->sup_min, memory_order_acquire);
}

uint32_t store_url_latest_id(const ndb_store *s, uint32_t first, uint32_t limit)
{
    uint32_t id = first, nx;
    while ((nx = store_sup_get(s, id)) != 0 && nx < limit)
        id = nx;
    return id;
}

/* ---------------------------------------------------------------- URL table */

static uint32_t store_slot_of(uint64_t key, uint32_t mask)
{
    return (uint32_t)(key ^ (key >> 32)) & mask;
}

uint32_t store_url_lookup(const ndb_store *s, uint64_t key)
{
    uint32_t i;
    if (!s->slots)
        return STORE_NONE;
    for (i = store_slot_of(key, s->slot_mask); s->slots[i] != STORE_NONE;
         i = (i + 1) & s->slot_mask) {
        if (s->ukey[s->slots[i]] == key)
            return s->slots[i];
    }
    return STORE_NONE;
}

static ndb_rc store_url_grow(ndb_store *s, ndb_err *err)
{
    uint32_t ncap = s->slots ? (s->slot_mask + 1) * 2 : 1024, i, j;
    uint32_t *ns;
    if (ncap == 0 || ncap > (1u << 31))
        return ndb_err_set(err, NDB_ELIMIT, "store: URL table full");
    ns = ndb_malloc((size_t)ncap * sizeof *ns);
    if (!ns)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (URL table)");
    memset(ns, 0xff, (size_t)ncap * sizeof *ns);
    for (i = 0; s->slots && i <= s->slot_mask; i++) {
        if (s->slots[i] == STORE_NONE)
            continue;
        for (j = store_slot_of(s->ukey[s->slots[i]], ncap - 1); ns[j] != STORE_NONE;
             j = (j + 1) & (ncap - 1))
            ;
        ns[j] = s->slots[i];
    }
    ndb_free(s->slots);
    s->slots = ns;
    s->slot_mask = ncap - 1;
    return NDB_OK;
}

ndb_rc store_url_reserve(ndb_store *s, ndb_err *err)
{
    if (!s->slots || (uint64_t)(s->nurls + 1) * 4 > (uint64_t)(s->slot_mask + 1) * 3)
        return store_url_grow(s, err);
    return NDB_OK;
}

/* Insert id (its ukey set, no entry with that key yet) as a first version. */
ndb_rc store_url_insert(ndb_store *s, uint32_t id, ndb_err *err)
{
    uint32_t i;
    ndb_rc rc = store_url_reserve(s, err);
    if (rc != NDB_OK)
        return rc;
    for (i = store_slot_of(s->ukey[id], s->slot_mask); s->slots[i] != STORE_NONE;
         i = (i + 1) & s->slot_mask)
        ;
    s->slots[i] = id;
    s->nurls++;
    return NDB_OK;
}

ndb_rc store_ukey_reserve(ndb_store *s, uint32_t ndocs, ndb_err *err)
{
    size_t ncap;
    uint64_t *nk;
    if (ndocs <= s->ukey_cap)
        return NDB_OK;
    ncap = s->ukey_cap ? s->ukey_cap : 1024;
    while (ncap < ndocs)
        ncap *= 2;
    nk = ndb_realloc(s->ukey, ncap * sizeof *nk);
    if (!nk)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (URL keys)");
    s->ukey = nk;
    s->ukey_cap = ncap;
    return NDB_OK;
}

/* Add doc id with key (ukey reserved): a new version of an existing URL, or a first one. */
static ndb_rc store_url_add(ndb_store *s, uint32_t id, uint64_t key, ndb_err *err)
{
    uint32_t first = store_url_lookup(s, key);
    s->ukey[id] = key;
    if (first == STORE_NONE)
        return store_url_insert(s, id, err);
    return store_sup_set(s, store_url_latest_id(s, first, UINT32_MAX), id, err);
}

ndb_rc store_url_resolve(ndb_store *s, const char *url, size_t n, uint64_t *key, uint32_t *first,
                         ndb_err *err)
{
    uint32_t r, f;
    bool eq;
    ndb_rc rc;
    for (r = 0; r < STORE_URL_ROUNDS; r++) {
        *key = store_url_key(s, url, n, r);
        f = store_url_lookup(s, *key);
        if (f == STORE_NONE) {
            *first = STORE_NONE;
            return NDB_OK;
        }
        rc = store_url_equal(s, f, url, n, &eq, err);
        if (rc != NDB_OK)
            return rc;
        if (eq) {
            *first = f;
            return NDB_OK;
        }
    }
    return ndb_err_set(err, NDB_ELIMIT, "store: %u URL hash collisions in a row for %.*s",
                       STORE_URL_ROUNDS, (int)NDB_MIN(n, 200), url);
}

/* ---------------------------------------------------------------- outlets */

static uint32_t store_oslot_of(const char *name, size_t n, uint32_t mask)
{
    return (uint32_t)ndb_hash64(name, n) & mask;
}

uint32_t store_outlet_lookup(const ndb_store *s, const char *name, size_t n)
{
    uint32_t i, id;
    if (!s->oslots)
        return STORE_NONE;
    for (i = store_oslot_of(name, n, s->omask); (id = s->oslots[i]) != STORE_NONE;
         i = (i + 1) & s->omask) {
        if (strlen(s->oname[id]) == n && memcmp(s->oname[id], name, n) == 0)
            return id;
    }
    return STORE_NONE;
}

static ndb_rc store_outlet_grow(ndb_store *s, ndb_err *err)
{
    uint32_t ncap = s->oslots ? (s->omask + 1) * 2 : 64, i, j;
    uint32_t *ns = ndb_malloc((size_t)ncap * sizeof *ns);
    if (!ns)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (outlet table)");
    memset(ns, 0xff, (size_t)ncap * sizeof *ns);
    for (i = 0; i < s->nout_all; i++) {
        for (j = store_oslot_of(s->oname[i], strlen(s->oname[i]), ncap - 1); ns[j] != STORE_NONE;
             j = (j + 1) & (ncap - 1))
            ;
        ns[j] = i;
    }
    ndb_free(s->oslots);
    s->oslots = ns;
    s->omask = ncap - 1;
    return NDB_OK;
}

ndb_rc store_outlet_reserve(ndb_store *s, ndb_err *err)
{
    if (s->nout_all >= STORE_NONE - 1)
        return ndb_err_set(err, NDB_ELIMIT, "store: too many outlets");
    if (s->nout_all + 1 > s->oname_cap) {
        size_t ncap = s->oname_cap ? s->oname_cap * 2 : 64;
        char **nn = ndb_realloc(s->oname, ncap * sizeof *nn);
        if (!nn)
            return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (outlets)");
        s->oname = nn;
        s->oname_cap = ncap;
    }
    if (!s->oslots || (uint64_t)(s->nout_all + 1) * 4 > (uint64_t)(s->omask + 1) * 3)
        return store_outlet_grow(s, err);
    return NDB_OK;
}

/* Add a new outlet name (caller checked it is unknown, non-empty, NUL-free). */
ndb_rc store_outlet_add(ndb_store *s, const char *name, size_t n, ndb_err *err)
{
    uint32_t i;
    char *copy;
    ndb_rc rc = store_outlet_reserve(s, err);
    if (rc != NDB_OK)
        return rc;
    copy = ndb_strndup(name, n);
    if (!copy)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (outlet name)");
    s->oname[s->nout_all] = copy;
    for (i = store_oslot_of(name, n, s->omask); s->oslots[i] != STORE_NONE; i = (i + 1) & s->omask)
        ;
    s->oslots[i] = s->nout_all++;
    return NDB_OK;
}

bool ndb_store_outlet_find(ndb_store *s, const char *name, size_t n, uint32_t *id)
{
    uint32_t o;
    pthread_rwlock_rdlock(&s->lock);
    o = store_outlet_lookup(s, name, n);
    pthread_rwlock_unlock(&s->lock);
    if (o == STORE_NONE)
        return false;
    *id = o;
    return true;
}

const char *ndb_store_outlet_name(ndb_store *s, uint32_t id)
{
    const char *name = NULL;
    pthread_rwlock_rdlock(&s->lock);
    if (id < s->nout_all)
        name = s->oname[id];
    pthread_rwlock_unlock(&s->lock);
    return name;
}

uint32_t ndb_store_noutlets(const ndb_store *s)
{
    return s->mode == STORE_READER ? s->st.noutlets : s->nout_all;
}

uint32_t ndb_store_ndocs(const ndb_store *s)
{
    return s->mode == STORE_READER ? s->st.ndocs : s->ndocs_all;
}

void ndb_store_committed(const ndb_store *s, ndb_store_state *st)
{
    *st = s->st;
}

bool ndb_store_has_lang(const ndb_store *s)
{
    return s->cols_lang;
}

const ndb_col *ndb_store_cols(const ndb_store *s)
{
    return (const ndb_col *)(const void *)(s->map + NDB_HEADER_SIZE);
}

/* ---------------------------------------------------------------- loading */

/* Parse outlets.dat bytes [s->out_loaded, end) into the table. */
static ndb_rc store_load_outlets(ndb_store *s, uint64_t end, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    uint8_t *p = NULL;
    size_t n;
    ndb_rd r;
    ndb_slice name;
    if (end == s->out_loaded)
        return NDB_OK;
    if (end - s->out_loaded > STORE_OUTLETS_MAX)
        return ndb_err_set(err, NDB_ELIMIT, "%s: too large", s->path[NDB_STORE_OUTLETS]);
    n = (size_t)(end - s->out_loaded);
    p = ndb_malloc(n);
    if (!p)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (outlets)");
    rc = ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_OUTLETS], p, n, (off_t)s->out_loaded,
                           s->path[NDB_STORE_OUTLETS], err);
    if (rc != NDB_OK)
        goto out;
    ndb_rd_init(&r, p, n, NDB_ECORRUPT);
    while (ndb_rd_left(&r) > 0) {
        uint64_t at = s->out_loaded + (uint64_t)(r.p - p);
        if (ndb_rd_lp(&r, &name) != NDB_OK || name.n == 0 || name.n > STORE_FIELD_MAX ||
            memchr(name.p, 0, name.n) ||
            store_outlet_lookup(s, (const char *)name.p, name.n) != STORE_NONE) {
            rc = ndb_err_set(err, NDB_ECORRUPT, "%s: bad outlet record at offset %llu",
                             s->path[NDB_STORE_OUTLETS], (unsigned long long)at);
            goto out;
        }
        rc = store_outlet_add(s, (const char *)name.p, name.n, err);
        if (rc != NDB_OK)
            goto out;
    }
    s->out_loaded = end;
out:
    ndb_free(p);
    return rc;
}

/* Read urls.dat records [s->ndocs_all, ndocs) into the URL map and superseded chain. */
static ndb_rc store_load_urls(ndb_store *s, uint32_t ndocs, ndb_err *err)
{
    enum { CHUNK = 4096 };
    ndb_rc rc = NDB_OK;
    uint8_t *p = ndb_malloc((size_t)CHUNK * STORE_URL_REC);
    if (!p)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
    rc = store_ukey_reserve(s, ndocs, err);
    while (rc == NDB_OK && s->ndocs_all < ndocs) {
        uint32_t k = NDB_MIN((uint32_t)CHUNK, ndocs - s->ndocs_all), i;
        rc = ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_URLS], p, (size_t)k * STORE_URL_REC,
                               (off_t)(NDB_HEADER_SIZE + (uint64_t)s->ndocs_all * STORE_URL_REC),
                               s->path[NDB_STORE_URLS], err);
        for (i = 0; rc == NDB_OK && i < k; i++) {
            const uint8_t *q = p + (size_t)i * STORE_URL_REC;
            uint32_t id = s->ndocs_all;
            if (ndb_get_u32le(q + 16) != id) {
                rc = ndb_err_set(err, NDB_ECORRUPT, "%s: record %u carries id %u",
                                 s->path[NDB_STORE_URLS], id, ndb_get_u32le(q + 16));
                break;
            }
            rc = store_url_add(s, id, ndb_get_u64le(q), err);
            if (rc == NDB_OK)
                s->ndocs_all++;
        }
    }
    ndb_free(p);
    return rc;
}

/* Sizes and counts of st must agree with each other and with the files on disk. */
static ndb_rc store_state_check(ndb_store *s, const ndb_store_state *st, ndb_err *err)
{
    int i;
    uint64_t n = st->ndocs;
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        off_t size = 0;
        if (st->len[i] < NDB_HEADER_SIZE)
            return ndb_err_set(err, NDB_ECORRUPT, "%s: committed length %llu below the header",
                               s->path[i], (unsigned long long)st->len[i]);
        if (s->vfs->fsize(s->vfs, s->fd[i], &size) != 0)
            return store_sys(s, i, errno, "cannot stat", err);
        if ((uint64_t)size < st->len[i])
            return ndb_err_set(err, NDB_ECORRUPT, "%s: %lld bytes, committed length is %llu",
                               s->path[i], (long long)size, (unsigned long long)st->len[i]);
    }
    if (st->len[NDB_STORE_IDX] != NDB_HEADER_SIZE + n * STORE_IDX_REC ||
        st->len[NDB_STORE_COLS] != NDB_HEADER_SIZE + n * STORE_COL_REC ||
        st->len[NDB_STORE_URLS] != NDB_HEADER_SIZE + n * STORE_URL_REC)
        return ndb_err_set(err, NDB_ECORRUPT, "store: file lengths disagree with %u docs",
                           st->ndocs);
    if (n > s->map_docs)
        return ndb_err_set(err, NDB_ELIMIT, "store: %u docs exceed the column mapping", st->ndocs);
    return NDB_OK;
}

static ndb_rc store_map_cols(ndb_store *s, ndb_err *err)
{
    size_t size = (size_t)NDB_HEADER_SIZE + ((size_t)1 << 32) * STORE_COL_REC;
    void *m = MAP_FAILED;
    size = (size + 4095) & ~(size_t)4095;
    while (size >= ((size_t)1 << 20)) {
        m = mmap(NULL, size, PROT_READ, MAP_SHARED | MAP_NORESERVE, s->fd[NDB_STORE_COLS], 0);
        if (m != MAP_FAILED)
            break;
        size /= 2;
    }
    if (m == MAP_FAILED)
        return store_sys(s, NDB_STORE_COLS, errno, "cannot map", err);
    s->map = m;
    s->map_size = size;
    s->map_docs = (size - NDB_HEADER_SIZE) / STORE_COL_REC;
    return NDB_OK;
}

ndb_rc store_header_check(const uint8_t *h, int file, const char *path, ndb_err *err)
{
    uint16_t major = ndb_get_u16le(h + 8);
    if (ndb_get_u32le(h) != NDB_FILE_MAGIC || ndb_get_u32le(h + 4) != store_kinds[file])
        return ndb_err_set(err, NDB_ECORRUPT, "%s: not a %s file (bad magic or kind)", path,
                           ndb_store_file_names[file]);
    if (major != STORE_VERSION_MAJOR)
        return ndb_err_set(err, NDB_EFORMAT, "%s: format version %u.%u, this build reads 1.x", path,
                           major, ndb_get_u16le(h + 10));
    return NDB_OK;
}

/* Create file i with a fresh header (new archive). */
static ndb_rc store_create_file(ndb_store *s, int i, ndb_err *err)
{
    ndb_buf b;
    ndb_rc rc;
    ndb_buf_init(&b, NDB_HEADER_SIZE);
    s->fd[i] = s->vfs->open(s->vfs, s->path[i], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (s->fd[i] < 0)
        return store_sys(s, i, errno, "cannot create", err);
    rc = ndb_frame_header(&b, store_kinds[i], STORE_VERSION_MAJOR, STORE_VERSION_MINOR);
    if (rc != NDB_OK) {
        rc = ndb_err_set(err, rc, "store: out of memory");
        goto out;
    }
    rc = ndb_vfs_pwrite_all(s->vfs, s->fd[i], b.p, b.n, 0, s->path[i], err);
    if (rc != NDB_OK)
        goto out;
    if (i == NDB_STORE_COLS)
        s->cols_lang = true;
    s->st.len[i] = s->wlen[i] = b.n;
    s->st.crc[i] = s->wcrc[i] = ndb_crc32c(0, b.p, b.n);
out:
    ndb_buf_fini(&b);
    return rc;
}

/* Open existing file i at committed length st->len[i]; the writer cuts any tail. */
static ndb_rc store_open_file(ndb_store *s, int i, const ndb_store_state *st, ndb_err *err)
{
    uint8_t h[NDB_HEADER_SIZE];
    off_t size = 0;
    ndb_rc rc;
    bool w = s->mode == STORE_WRITER;
    s->fd[i] = s->vfs->open(s->vfs, s->path[i], w ? O_RDWR : O_RDONLY, 0);
    if (s->fd[i] < 0) {
        if (errno == ENOENT)
            return ndb_err_set(err, NDB_ECORRUPT, "%s: missing", s->path[i]);
        return store_sys(s, i, errno, "cannot open", err);
    }
    if (st->len[i] < NDB_HEADER_SIZE)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: committed length %llu below the header",
                           s->path[i], (unsigned long long)st->len[i]);
    if (s->vfs->fsize(s->vfs, s->fd[i], &size) != 0)
        return store_sys(s, i, errno, "cannot stat", err);
    if ((uint64_t)size < st->len[i])
        return ndb_err_set(err, NDB_ECORRUPT, "%s: %lld bytes, committed length is %llu",
                           s->path[i], (long long)size, (unsigned long long)st->len[i]);
    if (w && (uint64_t)size > st->len[i] &&
        s->vfs->ftruncate(s->vfs, s->fd[i], (off_t)st->len[i]) != 0)
        return store_sys(s, i, errno, "cannot truncate to the committed length", err);
    rc = ndb_vfs_pread_all(s->vfs, s->fd[i], h, sizeof h, 0, s->path[i], err);
    if (rc != NDB_OK)
        return rc;
    rc = store_header_check(h, i, s->path[i], err);
    if (rc != NDB_OK)
        return rc;
    if (i == NDB_STORE_COLS)
        s->cols_lang = ndb_get_u16le(h + 10) >= 1;
    s->wlen[i] = st->len[i];
    s->wcrc[i] = st->crc[i];
    return NDB_OK;
}

/* Writer-preferring: with glibc's default (reader preference) a steady stream of readers
** would starve refresh forever. A waiting writer blocks new readers, so no public function
** may take the read lock twice (see store_int.h). */
static void store_lock_init(pthread_rwlock_t *l)
{
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
#if defined(__GLIBC__)
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    pthread_rwlock_init(l, &a);
    pthread_rwlockattr_destroy(&a);
}

static ndb_rc store_alloc(const ndb_vfs *vfs, const char *dir, bool writable, ndb_store **out,
                          ndb_err *err)
{
    ndb_store *s = ndb_calloc(1, sizeof *s);
    int i;
    *out = NULL;
    if (!s)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
    s->vfs = vfs;
    s->dir = ndb_strdup(dir);
    s->mode = writable ? STORE_WRITER : STORE_READER;
    s->level = STORE_ZSTD_LEVEL;
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        s->fd[i] = -1;
        ndb_buf_init(&s->pend[i], NDB_BUF_NOMAX);
    }
    ndb_buf_init(&s->blk, NDB_BUF_NOMAX);
    ndb_buf_init(&s->rec, NDB_BUF_NOMAX);
    ndb_buf_init(&s->memo_url, STORE_FIELD_MAX);
    ndb_buf_init(&s->purl, NDB_BUF_NOMAX);
    store_lock_init(&s->lock);
    *out = s;
    s->sup = ndb_calloc(STORE_SUP_CHUNKS, sizeof *s->sup);
    if (!s->sup || !s->dir)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        size_t n = strlen(dir) + strlen(ndb_store_file_names[i]) + 2;
        s->path[i] = ndb_malloc(n);
        if (!s->path[i])
            return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
        if (ndb_path_join(s->path[i], n, dir, ndb_store_file_names[i]) != NDB_OK)
            return ndb_err_set(err, NDB_ELIMIT, "%s: path too long", dir);
    }
    if (writable) {
        const char *zt = getenv("NEWSDB_STORE_THREAD");
        s->zq_off = zt && strcmp(zt, "0") == 0;
        s->cctx = ZSTD_createCCtx();
        s->purl_off = ndb_malloc(64 * sizeof *s->purl_off);
        if (!s->cctx || !s->purl_off)
            return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
        s->purl_cap = 64;
        s->purl_off[0] = 0;
    }
    return NDB_OK;
}

ndb_rc ndb_store_open(const ndb_vfs *vfs, const char *dir, const ndb_store_state *st, bool writable,
                      ndb_store **out, ndb_err *err)
{
    ndb_store *s = NULL;
    ndb_rc rc;
    int i;
    ndb_err_clear(err);
    *out = NULL;
    if (!vfs)
        vfs = ndb_vfs_default();
    if (!st && !writable)
        return ndb_err_set(err, NDB_EINVAL, "store: a reader needs a committed state");
    rc = store_alloc(vfs, dir, writable, &s, err);
    if (rc != NDB_OK)
        goto out;
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        rc = st ? store_open_file(s, i, st, err) : store_create_file(s, i, err);
        if (rc != NDB_OK)
            goto out;
    }
    s->created = st == NULL;
    if (st)
        s->st = *st;
    s->out_loaded = NDB_HEADER_SIZE;
    rc = store_map_cols(s, err);
    if (rc == NDB_OK)
        rc = store_state_check(s, &s->st, err);
    if (rc == NDB_OK)
        rc = store_load_outlets(s, s->st.len[NDB_STORE_OUTLETS], err);
    if (rc == NDB_OK && s->nout_all != s->st.noutlets)
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: %u names, committed state says %u",
                         s->path[NDB_STORE_OUTLETS], s->nout_all, s->st.noutlets);
    if (rc == NDB_OK)
        rc = store_load_urls(s, s->st.ndocs, err);
out:
    if (rc != NDB_OK) {
        ndb_store_close(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

void ndb_store_close(ndb_store *s)
{
    int i;
    size_t c;
    if (!s)
        return;
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        if (s->fd[i] >= 0)
            s->vfs->close(s->vfs, s->fd[i]);
        ndb_free(s->path[i]);
        ndb_buf_fini(&s->pend[i]);
    }
    if (s->map)
        munmap(s->map, s->map_size);
    for (c = 0; s->sup && c < s->sup_hi; c++)
        ndb_free((void *)atomic_load_explicit(&s->sup[c], memory_order_relaxed));
    ndb_free((void *)s->sup);
    for (c = 0; c < s->nout_all; c++)
        ndb_free(s->oname[c]);
    ndb_free(s->oname);
    ndb_free(s->oslots);
    ndb_free(s->ukey);
    ndb_free(s->slots);
    store_zq_free(s->zq);
    ndb_buf_fini(&s->blk);
    ndb_buf_fini(&s->rec);
    ndb_buf_fini(&s->memo_url);
    ndb_buf_fini(&s->purl);
    ndb_free(s->dir);
    ndb_free(s->purl_off);
    ndb_free(s->zbuf);
    ZSTD_freeCCtx(s->cctx);
    pthread_rwlock_destroy(&s->lock);
    ndb_free(s);
}

/* ---------------------------------------------------------------- reader */

ndb_rc ndb_store_refresh(ndb_store *s, const ndb_store_state *st, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    int i;
    ndb_err_clear(err);
    pthread_rwlock_wrlock(&s->lock);
    if (s->mode != STORE_READER) {
        rc = ndb_err_set(err, NDB_EINVAL, "store: refresh is for reader stores");
        goto out;
    }
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        if (st->len[i] < s->st.len[i]) {
            rc = ndb_err_set(err, NDB_EINVAL, "store: refresh to an older state");
            goto out;
        }
    }
    if (st->ndocs < s->st.ndocs || st->noutlets < s->st.noutlets) {
        rc = ndb_err_set(err, NDB_EINVAL, "store: refresh to an older state");
        goto out;
    }
    rc = store_state_check(s, st, err);
    if (rc == NDB_OK)
        rc = store_load_outlets(s, st->len[NDB_STORE_OUTLETS], err);
    if (rc == NDB_OK && s->nout_all != st->noutlets)
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: %u names, committed state says %u",
                         s->path[NDB_STORE_OUTLETS], s->nout_all, st->noutlets);
    if (rc == NDB_OK)
        rc = store_load_urls(s, st->ndocs, err);
    if (rc == NDB_OK)
        s->st = *st;
out:
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

/* First version of url (verified) or STORE_NONE; read errors count as not found. */
static uint32_t store_url_first_locked(ndb_store *s, const char *url, size_t n)
{
    uint64_t key;
    uint32_t first = STORE_NONE;
    if (store_url_resolve(s, url, n, &key, &first, NULL) != NDB_OK)
        return STORE_NONE;
    return first;
}

bool ndb_store_url_find(ndb_store *s, const char *url, size_t n, uint32_t ndocs, uint32_t *id)
{
    uint32_t first;
    bool found = false;
    pthread_rwlock_rdlock(&s->lock);
    first = store_url_first_locked(s, url, n);
    if (first != STORE_NONE && first < ndocs) {
        *id = store_url_latest_id(s, first, ndocs);
        found = true;
    }
    pthread_rwlock_unlock(&s->lock);
    return found;
}

ndb_rc ndb_store_url_versions(ndb_store *s, const char *url, size_t n, uint32_t ndocs,
                              uint32_t **ids, size_t *nids, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    uint32_t first, id;
    size_t k = 0, cap = 8;
    uint32_t *v = NULL;
    ndb_err_clear(err);
    *ids = NULL;
    *nids = 0;
    pthread_rwlock_rdlock(&s->lock);
    first = store_url_first_locked(s, url, n);
    if (first == STORE_NONE || first >= ndocs) {
        rc =
            ndb_err_set(err, NDB_ENOTFOUND, "store: no version of %.*s", (int)NDB_MIN(n, 200), url);
        goto out;
    }
    v = ndb_malloc(cap * sizeof *v);
    for (id = first; v; id = store_sup_get(s, id)) {
        if (k == cap) {
            uint32_t *nv = ndb_realloc(v, cap * 2 * sizeof *v);
            if (!nv) {
                ndb_free(v);
                v = NULL;
                break;
            }
            v = nv;
            cap *= 2;
        }
        v[k++] = id;
        if (store_sup_get(s, id) == 0 || store_sup_get(s, id) >= ndocs)
            break;
    }
    if (!v) {
        rc = ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
        goto out;
    }
    *ids = v;
    *nids = k;
out:
    pthread_rwlock_unlock(&s->lock);
    return rc;
}
