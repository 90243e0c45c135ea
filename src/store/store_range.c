/*
** store_range.c — read a run of consecutive committed docs, each block decompressed once.
**
** Why: ndb_store_get decompresses the doc's whole ~64 KiB block for one record, so walking
** every doc of an archive through it decompresses each block once per doc it holds (~13
** for news articles); a full near-duplicate pass spent half its instructions there. Same
** checks as ndb_store_get (store_read.c): every offset bounded, records carry their id.
**
** Threading: a reader call (takes the read lock once for the whole run).
*/
#include "store/store_int.h"

ndb_rc ndb_store_get_range(ndb_store *s, uint32_t from, uint32_t n, ndb_store_doc **out,
                           ndb_err *err)
{
    uint8_t *idx = NULL, *blk = NULL;
    size_t bn = 0;
    uint64_t cur = UINT64_MAX;
    uint32_t i = 0;
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    for (uint32_t k = 0; k < n; k++)
        out[k] = NULL;
    if (n == 0)
        return NDB_OK;
    pthread_rwlock_rdlock(&s->lock);
    if (from >= s->st.ndocs || n > s->st.ndocs - from) {
        rc = ndb_err_set(err, NDB_ENOTFOUND, "store: no docs %u..%u (%u committed)", from,
                         from + (n - 1), s->st.ndocs);
        goto out;
    }
    idx = ndb_malloc((size_t)n * STORE_IDX_REC);
    if (!idx) {
        rc = ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
        goto out;
    }
    rc = ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_IDX], idx, (size_t)n * STORE_IDX_REC,
                           (off_t)(NDB_HEADER_SIZE + (uint64_t)from * STORE_IDX_REC),
                           s->path[NDB_STORE_IDX], err);
    for (i = 0; i < n && rc == NDB_OK; i++) {
        const uint8_t *ir = idx + (size_t)i * STORE_IDX_REC;
        uint64_t boff = ndb_get_u64le(ir);
        uint32_t roff = ndb_get_u32le(ir + 8), rlen = ndb_get_u32le(ir + 12);
        if (boff != cur) {
            ndb_free(blk);
            blk = NULL;
            cur = UINT64_MAX;
            rc = store_read_block(s, boff, s->st.len[NDB_STORE_LOG], &blk, &bn, err);
            if (rc != NDB_OK)
                break;
            cur = boff;
        }
        if ((uint64_t)roff + rlen > bn) {
            rc = ndb_err_set(err, NDB_ECORRUPT, "%s: record %u points past its block",
                             s->path[NDB_STORE_IDX], from + i);
            break;
        }
        rc = store_decode_record(blk + roff, rlen, from + i, &out[i], err);
    }
out:
    pthread_rwlock_unlock(&s->lock);
    ndb_free(blk);
    ndb_free(idx);
    if (rc != NDB_OK)
        for (uint32_t k = 0; k < n; k++) {
            ndb_store_doc_free(out[k]);
            out[k] = NULL;
        }
    return rc;
}
