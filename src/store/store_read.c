/*
** store_read.c — reading committed documents: docs.idx record -> docs.log block (length,
** CRC32C, zstd frame) -> record -> ndb_store_doc. Layouts: the top comment of store.c.
**
** Every byte read here is untrusted: block offsets and lengths are bounded by the
** committed length of docs.log, the zstd frame must declare its content size and stay
** under STORE_BLOCK_MAX, a record must lie inside its block, carry the id it was looked up
** by and decode (through ndb_rd) to exactly its stated length. Any violation is
** NDB_ECORRUPT naming the file and offset; nothing here asserts on file contents.
**
** No block cache: a get decompresses one ~64 KiB block (tens of microseconds), with a
** zstd context and buffers kept per thread; callers that walk many docs of one block
** (check) decode the block once themselves.
**
** Threading: callers hold the store's lock (read side); pread is positional, so many
** readers share the file descriptors.
*/
#include "store/store_int.h"

#include <pthread.h>
#include <zstd.h>

/* Grow *p to at least n bytes (contents not kept). */
static bool store_grow(uint8_t **p, size_t *cap, size_t n)
{
    if (n <= *cap)
        return true;
    uint8_t *q = ndb_malloc(n);
    if (!q)
        return false;
    ndb_free(*p);
    *p = q;
    *cap = n;
    return true;
}

/* Read and check the block at off into *zb and decompress it into *db (both grown as
** needed, kept by the caller); dctx NULL: a one-shot context. */
static ndb_rc store_read_block_into(ndb_store *s, uint64_t off, uint64_t loglen, ZSTD_DCtx *dctx,
                                    uint8_t **zb, size_t *zcap, uint8_t **db, size_t *dcap,
                                    size_t *n, ndb_err *err)
{
    const char *path = s->path[NDB_STORE_LOG];
    uint8_t hdr[STORE_BLOCK_HDR];
    uint32_t zlen;
    unsigned long long dsize;
    size_t got;
    ndb_rc rc;
    *n = 0;
    if (off < NDB_HEADER_SIZE || off > loglen || loglen - off < STORE_BLOCK_HDR)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: block offset %llu out of bounds", path,
                           (unsigned long long)off);
    rc = ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_LOG], hdr, sizeof hdr, (off_t)off, path, err);
    if (rc != NDB_OK)
        return rc;
    zlen = ndb_get_u32le(hdr);
    if (zlen == 0 || (uint64_t)zlen > loglen - off - STORE_BLOCK_HDR)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: block at offset %llu: bad length %u", path,
                           (unsigned long long)off, zlen);
    if (!store_grow(zb, zcap, zlen))
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
    rc = ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_LOG], *zb, zlen,
                           (off_t)(off + STORE_BLOCK_HDR), path, err);
    if (rc != NDB_OK)
        return rc;
    if (ndb_crc32c(0, *zb, zlen) != ndb_get_u32le(hdr + 4))
        return ndb_err_set(err, NDB_ECORRUPT, "%s: block at offset %llu: crc mismatch", path,
                           (unsigned long long)off);
    dsize = ZSTD_getFrameContentSize(*zb, zlen);
    if (dsize == ZSTD_CONTENTSIZE_ERROR || dsize == ZSTD_CONTENTSIZE_UNKNOWN ||
        dsize > STORE_BLOCK_MAX || dsize == 0)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: block at offset %llu: bad zstd frame", path,
                           (unsigned long long)off);
    if (!store_grow(db, dcap, (size_t)dsize))
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
    got = dctx ? ZSTD_decompressDCtx(dctx, *db, (size_t)dsize, *zb, zlen)
               : ZSTD_decompress(*db, (size_t)dsize, *zb, zlen);
    if (ZSTD_isError(got) || got != dsize)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: block at offset %llu: decompression failed",
                           path, (unsigned long long)off);
    *n = (size_t)dsize;
    return NDB_OK;
}

ndb_rc store_read_block(ndb_store *s, uint64_t off, uint64_t loglen, uint8_t **out, size_t *n,
                        ndb_err *err)
{
    uint8_t *z = NULL, *d = NULL;
    size_t zcap = 0, dcap = 0;
    ndb_rc rc = store_read_block_into(s, off, loglen, NULL, &z, &zcap, &d, &dcap, n, err);
    ndb_free(z);
    if (rc != NDB_OK) {
        ndb_free(d);
        d = NULL;
        *n = 0;
    }
    *out = d;
    return rc;
}

/* Each thread's scratch for single-document gets (search hits, URL checks): a zstd context
** and the two block buffers, kept from one get to the next (made fresh each time they were
** a third of a top-10 search through the API: the context's and buffers' allocation and
** first touch), freed when the thread ends. */
typedef struct store_scratch {
    ZSTD_DCtx *dctx;
    uint8_t *z, *d;
    size_t zcap, dcap;
} store_scratch;

static pthread_key_t store_scratch_key;
static pthread_once_t store_scratch_once = PTHREAD_ONCE_INIT;
static bool store_scratch_ok;

static void store_scratch_free(void *p)
{
    store_scratch *t = p;
    if (!t)
        return;
    ZSTD_freeDCtx(t->dctx);
    ndb_free(t->z);
    ndb_free(t->d);
    ndb_free(t);
}

static void store_scratch_init(void)
{
    store_scratch_ok = pthread_key_create(&store_scratch_key, store_scratch_free) == 0;
}

/* This thread's scratch, or NULL (no memory, no key): the caller then works unscratched. */
static store_scratch *store_scratch_get(void)
{
    store_scratch *t;
    pthread_once(&store_scratch_once, store_scratch_init);
    if (!store_scratch_ok)
        return NULL;
    t = pthread_getspecific(store_scratch_key);
    if (t)
        return t;
    t = ndb_calloc(1, sizeof *t);
    if (t)
        t->dctx = ZSTD_createDCtx();
    if (!t || !t->dctx || pthread_setspecific(store_scratch_key, t) != 0) {
        store_scratch_free(t);
        return NULL;
    }
    return t;
}

static int64_t store_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

ndb_rc store_parse_record(const uint8_t *p, size_t n, store_rec *r)
{
    ndb_rd rd;
    uint64_t a, b;
    uint32_t date;
    ndb_rd_init(&rd, p, n, NDB_ECORRUPT);
    if (ndb_rd_u32le(&rd, &r->id) != NDB_OK || ndb_rd_lp(&rd, &r->url) != NDB_OK ||
        ndb_rd_lp(&rd, &r->outlet) != NDB_OK || ndb_rd_lp(&rd, &r->title) != NDB_OK ||
        ndb_rd_lp(&rd, &r->lang) != NDB_OK || ndb_rd_lp(&rd, &r->source) != NDB_OK ||
        ndb_rd_varint(&rd, &a) != NDB_OK || ndb_rd_varint(&rd, &b) != NDB_OK ||
        ndb_rd_u32le(&rd, &date) != NDB_OK || ndb_rd_varint32(&rd, &r->len) != NDB_OK ||
        ndb_rd_lp(&rd, &r->raw) != NDB_OK || ndb_rd_left(&rd) != 0)
        return NDB_ECORRUPT;
    r->lead_bytes = store_unzigzag(a);
    r->para_declared = store_unzigzag(b);
    r->date = (int32_t)date;
    return NDB_OK;
}

/* Copy slice to dst as a C string; returns the byte after the NUL. */
static uint8_t *store_put_str(uint8_t *dst, ndb_slice v, char **field)
{
    if (v.n)
        memcpy(dst, v.p, v.n);
    dst[v.n] = 0;
    *field = (char *)dst;
    return dst + v.n + 1;
}

ndb_rc store_decode_record(const uint8_t *p, size_t n, uint32_t id, ndb_store_doc **out,
                           ndb_err *err)
{
    store_rec r;
    ndb_store_doc *d;
    uint8_t *q;
    size_t need = sizeof *d + 6;
    *out = NULL;
    if (store_parse_record(p, n, &r) != NDB_OK)
        return ndb_err_set(err, NDB_ECORRUPT, "docs.log: record of doc %u is malformed", id);
    if (r.id != id)
        return ndb_err_set(err, NDB_ECORRUPT, "docs.log: record for doc %u carries id %u", id,
                           r.id);
    /* The fields lie inside n bytes, so their sum cannot overflow. */
    need += r.url.n + r.outlet.n + r.title.n + r.lang.n + r.source.n + r.raw.n;
    d = ndb_malloc(need);
    if (!d)
        return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
    memset(d, 0, sizeof *d);
    d->id = id;
    q = (uint8_t *)(d + 1);
    q = store_put_str(q, r.url, &d->url);
    q = store_put_str(q, r.outlet, &d->outlet);
    q = store_put_str(q, r.title, &d->title);
    q = store_put_str(q, r.lang, &d->lang);
    q = store_put_str(q, r.source, &d->source);
    d->raw = q;
    d->raw_len = r.raw.n;
    if (r.raw.n)
        memcpy(q, r.raw.p, r.raw.n);
    q[r.raw.n] = 0;
    d->lead_bytes = r.lead_bytes;
    d->para_declared = r.para_declared;
    d->date = r.date;
    d->len = r.len;
    *out = d;
    return NDB_OK;
}

void ndb_store_doc_free(ndb_store_doc *d)
{
    ndb_free(d);
}

/* Find committed doc id: its decompressed block and record position. *blk is this thread's
** scratch (*owned false: valid until the thread's next get) or, without one, OWNED. */
static ndb_rc store_locate(ndb_store *s, uint32_t id, uint8_t **blk, bool *owned,
                           const uint8_t **rec, size_t *rn, ndb_err *err)
{
    uint8_t ir[STORE_IDX_REC];
    uint64_t boff;
    uint32_t roff, rlen;
    size_t bn = 0;
    store_scratch *t = store_scratch_get();
    ndb_rc rc;
    *blk = NULL;
    *owned = t == NULL;
    rc = ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_IDX], ir, sizeof ir,
                           (off_t)(NDB_HEADER_SIZE + (uint64_t)id * STORE_IDX_REC),
                           s->path[NDB_STORE_IDX], err);
    if (rc != NDB_OK)
        return rc;
    boff = ndb_get_u64le(ir);
    roff = ndb_get_u32le(ir + 8);
    rlen = ndb_get_u32le(ir + 12);
    if (t) {
        rc = store_read_block_into(s, boff, s->st.len[NDB_STORE_LOG], t->dctx, &t->z, &t->zcap,
                                   &t->d, &t->dcap, &bn, err);
        *blk = t->d;
    } else {
        rc = store_read_block(s, boff, s->st.len[NDB_STORE_LOG], blk, &bn, err);
    }
    if (rc != NDB_OK)
        return rc;
    if ((uint64_t)roff + rlen > bn)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: record %u points past its block",
                           s->path[NDB_STORE_IDX], id);
    *rec = *blk + roff;
    *rn = rlen;
    return NDB_OK;
}

ndb_rc store_get_locked(ndb_store *s, uint32_t id, ndb_store_doc **out, ndb_err *err)
{
    uint8_t *blk = NULL;
    const uint8_t *rec = NULL;
    size_t rn = 0;
    bool owned = false;
    ndb_rc rc;
    *out = NULL;
    if (id >= s->st.ndocs)
        return ndb_err_set(err, NDB_ENOTFOUND, "store: no doc %u (%u committed)", id, s->st.ndocs);
    rc = store_locate(s, id, &blk, &owned, &rec, &rn, err);
    if (rc == NDB_OK)
        rc = store_decode_record(rec, rn, id, out, err);
    if (owned)
        ndb_free(blk);
    return rc;
}

ndb_rc ndb_store_get(ndb_store *s, uint32_t id, ndb_store_doc **out, ndb_err *err)
{
    ndb_rc rc;
    ndb_err_clear(err);
    pthread_rwlock_rdlock(&s->lock);
    rc = store_get_locked(s, id, out, err);
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

ndb_rc store_url_equal(ndb_store *s, uint32_t id, const char *url, size_t n, bool *eq, ndb_err *err)
{
    uint8_t *blk = NULL;
    const uint8_t *rec = NULL;
    size_t rn = 0;
    bool owned = false;
    store_rec r;
    ndb_rc rc;
    *eq = false;
    if (id >= s->st.ndocs) {
        uint32_t k = id - s->st.ndocs;
        if (s->mode != STORE_READER && id < s->ndocs_all) {
            uint64_t a = s->purl_off[k], b = s->purl_off[k + 1];
            *eq = b - a == n && (n == 0 || memcmp(s->purl.p + a, url, n) == 0);
        }
        return NDB_OK;
    }
    rc = store_locate(s, id, &blk, &owned, &rec, &rn, err);
    if (rc != NDB_OK)
        goto out;
    if (store_parse_record(rec, rn, &r) != NDB_OK || r.id != id) {
        rc = ndb_err_set(err, NDB_ECORRUPT, "docs.log: record of doc %u is malformed", id);
        goto out;
    }
    *eq = r.url.n == n && (n == 0 || memcmp(r.url.p, url, n) == 0);
out:
    if (owned)
        ndb_free(blk);
    return rc;
}
