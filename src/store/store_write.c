/*
** store_write.c — the writer side of the store: append a doc, seal blocks, sync.
**
** Append encodes the doc record into the open block (uncompressed, in memory). When the
** next record would push the block past STORE_BLOCK_TARGET (64 KiB), the block is sealed:
** zstd-compressed (on the store's compressing thread, store_zq.c, or here) and written to
** docs.log at the write end, past the committed length, so memory stays bounded; its
** docs.idx records get the block's offset when it is written. Level 1: on the allsides corpus (42 MB; tests/store
** throughput_real_corpus) level 1 gives 117 MB/s append+sync at ratio 2.27, level 3
** 61 MB/s at 2.40; with 50 MB/s for the whole add path (parse, analyze, index, store),
** 6 % smaller files are not worth half the speed. The small per-doc records of docs.idx,
** cols.dat, urls.dat and new outlet names wait in memory until sync.
**
** Sync: seal the open block, write the pending idx/cols/urls/outlets records, fsync every
** file (and the directory after creating the files), then adopt the written lengths and
** running CRCs as the committed state, which the caller records in a manifest. Nothing is
** committed until that manifest exists; a crash before leaves bytes past the committed
** lengths that the next writer open truncates.
**
** Invariants:
**   1. wlen[f] >= st.len[f]; wcrc[f] is the CRC32C of [0, wlen[f]) (crc chaining).
**   2. Docs [st.ndocs, ndocs_all) are appended-not-committed; their URL text is in purl,
**      their idx/cols/urls records in pend[], their record in a written block or in blk.
**   3. An append either fully happens or leaves memory unchanged: everything that can fail
**      for memory is reserved before the first mutation. A failed write poisons the store.
**
** Threading: one thread at a time; the write lock is held so a reader sharing the writer's
** store sees consistent tables.
*/
#include "store/store_int.h"

#include <errno.h>

void ndb_store_set_zstd_level(ndb_store *s, int level)
{
    s->level = level;
}

static ndb_rc store_poison(ndb_store *s, ndb_rc rc)
{
    s->mode = STORE_POISONED;
    return rc;
}

static ndb_rc store_check_writable(const ndb_store *s, ndb_err *err)
{
    if (s->mode == STORE_POISONED)
        return ndb_err_set(err, NDB_EPOISONED,
                           "store: an earlier write failed; close and reopen the archive");
    if (s->mode != STORE_WRITER)
        return ndb_err_set(err, NDB_EINVAL, "store: not opened for writing");
    return NDB_OK;
}

ndb_rc store_write_block(ndb_store *s, const uint8_t *z, size_t zn, uint32_t from, uint32_t to,
                         ndb_err *err)
{
    ndb_rc rc = ndb_vfs_pwrite_all(s->vfs, s->fd[NDB_STORE_LOG], z, zn,
                                   (off_t)s->wlen[NDB_STORE_LOG], s->path[NDB_STORE_LOG], err);
    if (rc != NDB_OK)
        return store_poison(s, rc);
    for (uint32_t k = from; k < to; k++)
        ndb_put_u64le(s->pend[NDB_STORE_IDX].p + (size_t)k * STORE_IDX_REC, s->wlen[NDB_STORE_LOG]);
    s->wcrc[NDB_STORE_LOG] = ndb_crc32c(s->wcrc[NDB_STORE_LOG], z, zn);
    s->wlen[NDB_STORE_LOG] += zn;
    return NDB_OK;
}

/* Seal the open block: to the compressing thread, or compressed and written here. */
static ndb_rc store_seal_block(ndb_store *s, ndb_err *err)
{
    size_t z;
    bool queued;
    char why[96];
    ndb_rc rc;
    if (s->blk.n == 0)
        return NDB_OK;
    rc = store_zq_push(s, &queued, err);
    if (rc != NDB_OK || queued)
        return rc;
    if ((rc = store_zbuf_reserve(&s->zbuf, &s->zcap, s->blk.n, err)) != NDB_OK)
        return rc;
    if (store_compress(s->cctx, s->level, s->blk.p, s->blk.n, s->zbuf, s->zcap, &z, why,
                       sizeof why) != NDB_OK)
        return ndb_err_set(err, NDB_ENOMEM, "store: zstd: %s", why);
    rc = store_write_block(s, s->zbuf, z, s->blk_first,
                           (uint32_t)(s->pend[NDB_STORE_IDX].n / STORE_IDX_REC), err);
    if (rc == NDB_OK)
        ndb_buf_reset(&s->blk);
    return rc;
}

static uint64_t store_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static const char *store_or_empty(const char *p)
{
    return p ? p : "";
}

static ndb_rc store_encode(ndb_buf *b, uint32_t id, const ndb_store_doc_in *d)
{
    const char *f[4] = {store_or_empty(d->outlet), store_or_empty(d->title),
                        store_or_empty(d->lang), store_or_empty(d->source)};
    ndb_rc rc;
    int i;
    ndb_buf_reset(b);
    rc = ndb_buf_append_u32le(b, id);
    if (rc == NDB_OK)
        rc = ndb_buf_append_lp(b, d->url.p, d->url.n);
    for (i = 0; i < 4 && rc == NDB_OK; i++)
        rc = ndb_buf_append_lp(b, f[i], strlen(f[i]));
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, store_zigzag(d->lead_bytes));
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, store_zigzag(d->para_declared));
    if (rc == NDB_OK)
        rc = ndb_buf_append_u32le(b, (uint32_t)d->date);
    if (rc == NDB_OK)
        rc = ndb_buf_append_varint(b, d->len);
    if (rc == NDB_OK)
        rc = ndb_buf_append_lp(b, d->raw.p, d->raw.n);
    return rc;
}

static ndb_rc store_validate(const ndb_store *s, const ndb_store_doc_in *d, ndb_err *err)
{
    const char *f[4] = {store_or_empty(d->outlet), store_or_empty(d->title),
                        store_or_empty(d->lang), store_or_empty(d->source)};
    int i;
    if ((d->raw.n && !d->raw.p) || (d->url.n && !d->url.p))
        return ndb_err_set(err, NDB_EINVAL, "store: NULL bytes with a length");
    if (d->raw.n > STORE_RAW_MAX)
        return ndb_err_set(err, NDB_ELIMIT, "store: article of %zu bytes (limit %zu)", d->raw.n,
                           STORE_RAW_MAX);
    if (d->url.n > STORE_FIELD_MAX)
        return ndb_err_set(err, NDB_ELIMIT, "store: URL of %zu bytes", d->url.n);
    for (i = 0; i < 4; i++) {
        if (strlen(f[i]) > STORE_FIELD_MAX)
            return ndb_err_set(err, NDB_ELIMIT, "store: field of %zu bytes", strlen(f[i]));
    }
    if (s->ndocs_all >= STORE_NONE - 1 || (uint64_t)s->ndocs_all + 1 > s->map_docs)
        return ndb_err_set(err, NDB_ELIMIT, "store: document id space full");
    return NDB_OK;
}

/* Reserve every buffer an append of a record of rn bytes may grow. */
static ndb_rc store_reserve_append(ndb_store *s, size_t rn, size_t urln, uint32_t first,
                                   bool new_outlet, size_t outn, ndb_err *err)
{
    uint32_t k = s->ndocs_all - s->st.ndocs;
    ndb_rc rc = store_ukey_reserve(s, s->ndocs_all + 1, err);
    if (rc == NDB_OK && (size_t)k + 2 > s->purl_cap) {
        size_t ncap = s->purl_cap * 2;
        uint64_t *no = ndb_realloc(s->purl_off, ncap * sizeof *no);
        if (!no)
            return ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
        s->purl_off = no;
        s->purl_cap = ncap;
    }
    if (rc == NDB_OK &&
        (ndb_buf_reserve(&s->blk, rn) != NDB_OK || ndb_buf_reserve(&s->purl, urln) != NDB_OK ||
         ndb_buf_reserve(&s->pend[NDB_STORE_IDX], STORE_IDX_REC) != NDB_OK ||
         ndb_buf_reserve(&s->pend[NDB_STORE_COLS], STORE_COL_REC) != NDB_OK ||
         ndb_buf_reserve(&s->pend[NDB_STORE_URLS], STORE_URL_REC) != NDB_OK ||
         ndb_buf_reserve(&s->pend[NDB_STORE_OUTLETS], outn + 10) != NDB_OK))
        rc = ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
    if (rc == NDB_OK && first == STORE_NONE)
        rc = store_url_reserve(s, err);
    if (rc == NDB_OK && first != STORE_NONE)
        rc = store_sup_reserve(s, store_url_latest_id(s, first, UINT32_MAX), err);
    if (rc == NDB_OK && new_outlet)
        rc = store_outlet_reserve(s, err);
    return rc;
}

static void store_put_col(uint8_t *p, int32_t date, uint32_t outlet, uint32_t len, uint32_t flags)
{
    ndb_put_u32le(p, (uint32_t)date);
    ndb_put_u32le(p + 4, outlet);
    ndb_put_u32le(p + 8, len);
    ndb_put_u32le(p + 12, flags);
}

uint32_t store_col_flags(const ndb_store *s, const char *lang, size_t n)
{
    return s->cols_lang ? ndb_lang_normalize(lang, n) : 0;
}

/* store_url_resolve through the one-entry memo. */
static ndb_rc store_resolve_memo(ndb_store *s, const char *url, size_t n, uint64_t *key,
                                 uint32_t *first, ndb_err *err)
{
    ndb_rc rc;
    if (s->memo_ok && s->memo_ndocs == s->ndocs_all && s->memo_url.n == n &&
        (n == 0 || memcmp(s->memo_url.p, url, n) == 0)) {
        *key = s->memo_key;
        *first = s->memo_first;
        return NDB_OK;
    }
    rc = store_url_resolve(s, url, n, key, first, err);
    if (rc != NDB_OK)
        return rc;
    ndb_buf_reset(&s->memo_url);
    s->memo_ok = ndb_buf_append(&s->memo_url, url, n) == NDB_OK;
    s->memo_key = *key;
    s->memo_first = *first;
    s->memo_ndocs = s->ndocs_all;
    return NDB_OK;
}

static ndb_rc store_append_locked(ndb_store *s, const ndb_store_doc_in *d, uint32_t *id,
                                  ndb_err *err)
{
    const char *outlet = store_or_empty(d->outlet);
    size_t on = strlen(outlet);
    uint32_t first = STORE_NONE, oid = NDB_STORE_OUTLET_NONE, nid = s->ndocs_all;
    uint32_t k = nid - s->st.ndocs;
    uint64_t key = 0;
    uint8_t r[STORE_URL_REC];
    ndb_rc rc = store_check_writable(s, err);
    if (rc == NDB_OK)
        rc = store_validate(s, d, err);
    if (rc == NDB_OK)
        rc = store_resolve_memo(s, (const char *)d->url.p, d->url.n, &key, &first, err);
    if (rc == NDB_OK && on > 0)
        oid = store_outlet_lookup(s, outlet, on);
    if (rc == NDB_OK)
        rc = store_encode(&s->rec, nid, d);
    if (rc != NDB_OK)
        return rc == NDB_ENOMEM ? ndb_err_set(err, rc, "store: out of memory") : rc;
    if (s->blk.n > 0 && s->blk.n + s->rec.n > STORE_BLOCK_TARGET) {
        rc = store_seal_block(s, err);
        if (rc != NDB_OK)
            return rc;
    }
    rc = store_reserve_append(s, s->rec.n, d->url.n, first, on > 0 && oid == STORE_NONE, on, err);
    if (rc == NDB_OK && on > 0 && oid == STORE_NONE) {
        rc = store_outlet_add(s, outlet, on, err);
        oid = s->nout_all - 1;
        if (rc == NDB_OK)
            rc = ndb_buf_append_lp(&s->pend[NDB_STORE_OUTLETS], outlet, on);
    }
    if (rc != NDB_OK)
        return rc;
    /* From here on nothing can fail: every buffer is reserved. The block's offset in
    ** docs.log is known once it is written (store_write_block). */
    if (s->blk.n == 0)
        s->blk_first = (uint32_t)(s->pend[NDB_STORE_IDX].n / STORE_IDX_REC);
    ndb_put_u64le(r, 0);
    ndb_put_u32le(r + 8, (uint32_t)s->blk.n);
    ndb_put_u32le(r + 12, (uint32_t)s->rec.n);
    ndb_buf_append(&s->pend[NDB_STORE_IDX], r, STORE_IDX_REC);
    ndb_buf_append(&s->blk, s->rec.p, s->rec.n);
    store_put_col(r, d->date, oid, d->len, store_col_flags(s, store_or_empty(d->lang), strlen(store_or_empty(d->lang))));
    ndb_buf_append(&s->pend[NDB_STORE_COLS], r, STORE_COL_REC);
    ndb_put_u64le(r, key);
    ndb_put_u64le(r + 8, ndb_hash64(d->raw.p, d->raw.n));
    ndb_put_u32le(r + 16, nid);
    ndb_buf_append(&s->pend[NDB_STORE_URLS], r, STORE_URL_REC);
    ndb_buf_append(&s->purl, d->url.p, d->url.n);
    s->purl_off[k + 1] = s->purl.n;
    s->ukey[nid] = key;
    if (first == STORE_NONE)
        store_url_insert(s, nid, NULL);
    else
        store_sup_set(s, store_url_latest_id(s, first, UINT32_MAX), nid, NULL);
    s->ndocs_all++;
    s->ptotal_len += d->len;
    s->praw_bytes += d->raw.n;
    *id = nid;
    return NDB_OK;
}

ndb_rc ndb_store_append(ndb_store *s, const ndb_store_doc_in *d, uint32_t *id, ndb_err *err)
{
    ndb_rc rc;
    ndb_err_clear(err);
    pthread_rwlock_wrlock(&s->lock);
    rc = store_append_locked(s, d, id, err);
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

ndb_rc ndb_store_url_latest(ndb_store *s, const char *url, size_t n, uint32_t *id,
                            uint64_t *content_hash, bool *found, ndb_err *err)
{
    uint64_t key;
    uint32_t first = STORE_NONE, last;
    uint8_t h[8];
    ndb_rc rc;
    ndb_err_clear(err);
    *found = false;
    pthread_rwlock_wrlock(&s->lock);
    rc = store_check_writable(s, err);
    if (rc == NDB_OK)
        rc = store_resolve_memo(s, url, n, &key, &first, err);
    if (rc != NDB_OK || first == STORE_NONE)
        goto out;
    last = store_url_latest_id(s, first, UINT32_MAX);
    if (last >= s->st.ndocs) {
        memcpy(h, s->pend[NDB_STORE_URLS].p + (size_t)(last - s->st.ndocs) * STORE_URL_REC + 8, 8);
    } else {
        rc = ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_URLS], h, 8,
                               (off_t)(NDB_HEADER_SIZE + (uint64_t)last * STORE_URL_REC + 8),
                               s->path[NDB_STORE_URLS], err);
        if (rc != NDB_OK)
            goto out;
    }
    *content_hash = ndb_get_u64le(h);
    *id = last;
    *found = true;
out:
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

/* Write the pending records of file f at its write end. */
static ndb_rc store_flush_file(ndb_store *s, int f, ndb_err *err)
{
    ndb_buf *b = &s->pend[f];
    ndb_rc rc;
    if (b->n == 0)
        return NDB_OK;
    rc = ndb_vfs_pwrite_all(s->vfs, s->fd[f], b->p, b->n, (off_t)s->wlen[f], s->path[f], err);
    if (rc != NDB_OK)
        return store_poison(s, rc);
    s->wcrc[f] = ndb_crc32c(s->wcrc[f], b->p, b->n);
    s->wlen[f] += b->n;
    ndb_buf_reset(b);
    return NDB_OK;
}

static ndb_rc store_sync_locked(ndb_store *s, ndb_store_state *out, ndb_err *err)
{
    ndb_rc rc = store_check_writable(s, err);
    int f;
    if (rc == NDB_OK)
        rc = store_seal_block(s, err);
    if (rc == NDB_OK)
        rc = store_zq_write(s, true, err);
    for (f = NDB_STORE_IDX; rc == NDB_OK && f < NDB_STORE_NFILES; f++)
        rc = store_flush_file(s, f, err);
    for (f = 0; rc == NDB_OK && f < NDB_STORE_NFILES; f++) {
        if (s->vfs->fsync(s->vfs, s->fd[f]) != 0)
            rc = store_poison(s, store_sys(s, f, errno, "fsync failed", err));
    }
    if (rc == NDB_OK && s->created && s->vfs->fsync_dir(s->vfs, s->dir) != 0)
        rc =
            store_poison(s, ndb_err_sys(err, NDB_EIO, errno, "%s: directory fsync failed", s->dir));
    if (rc != NDB_OK)
        return rc;
    s->created = false;
    s->st.ndocs = s->ndocs_all;
    s->st.noutlets = s->nout_all;
    s->st.total_len += s->ptotal_len;
    s->st.raw_bytes += s->praw_bytes;
    for (f = 0; f < NDB_STORE_NFILES; f++) {
        s->st.len[f] = s->wlen[f];
        s->st.crc[f] = s->wcrc[f];
    }
    s->ptotal_len = s->praw_bytes = 0;
    ndb_buf_reset(&s->purl);
    s->purl_off[0] = 0;
    *out = s->st;
    return NDB_OK;
}

ndb_rc ndb_store_sync(ndb_store *s, ndb_store_state *st, ndb_err *err)
{
    ndb_rc rc;
    ndb_err_clear(err);
    pthread_rwlock_wrlock(&s->lock);
    rc = store_sync_locked(s, st, err);
    pthread_rwlock_unlock(&s->lock);
    return rc;
}
