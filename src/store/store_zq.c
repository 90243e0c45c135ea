/*
** store_zq.c — sealed blocks compressed on a background thread, written in order by the
** writer (store_int.h).
**
** Why: zstd is ~15 % of the adding thread's work, and that thread is the add path's
** bottleneck (newsdb add keeps both cores busy, but the reading thread idles whenever the
** writer falls behind). A block, once sealed, needs nothing from the writer but its bytes,
** so the writer hands it to a thread of its own and goes on; the thread runs at SCHED_IDLE,
** so it takes only CPU no other thread of the machine wants and never slows the writer by
** sharing its core. When it falls behind, the writer compresses blocks itself: at most
** ZQ_SLOTS blocks wait, and a sync compresses whatever is left.
**
** Shape: a FIFO of ZQ_SLOTS slots. The writer fills the tail (swapping the open block's
** buffer for the slot's old one: no copy), the thread compresses the oldest queued slot, the
** writer writes the head once compressed. Every write of docs.log, its CRC and length, and
** the index records' block offsets (patched when the block's place is known: see
** store_write_block) stay on the writer's thread under the store's lock, so the files are
** byte for byte those of compressing inline (zstd is deterministic at a given level), and a
** crash or a failed write leaves exactly what it did: nothing is committed before a sync,
** which writes every block first. The thread touches only queued slots and allocates
** nothing of ours (the writer reserves each slot's output), so allocation-failure tests stay
** deterministic. A compression error poisons the store when the block is reached.
**
** Threading: slot states and the queue indices change under `mu`; a slot's buffers belong
** to the thread between QUEUED -> BUSY and DONE, to the writer otherwise.
*/
#include "store/store_int.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

#define ZQ_SLOTS 16
#define ZQ_KEEP  (4u * STORE_BLOCK_TARGET) /* a slot's buffers past this are released */

enum zq_state { ZQ_FREE = 0, ZQ_QUEUED, ZQ_BUSY, ZQ_DONE };

typedef struct zq_slot {
    ndb_buf raw;     /* the sealed block's records */
    uint8_t *z;      /* header + compressed bytes */
    size_t zcap, zn; /* zn: 0 when compression failed */
    uint32_t from, to; /* its docs.idx records in pend[NDB_STORE_IDX] */
    int level;
    enum zq_state state;
    char why[96]; /* the compression error */
} zq_slot;

struct store_zq {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    pthread_t th;
    bool stop;
    uint32_t head, n; /* queued blocks: slots head, head + 1, ... (mod ZQ_SLOTS) */
    void *cctx;       /* the thread's ZSTD_CCtx */
    zq_slot s[ZQ_SLOTS];
};

ndb_rc store_compress(void *cctx, int level, const uint8_t *raw, size_t n, uint8_t *out,
                      size_t cap, size_t *zn, char *why, size_t whycap)
{
    size_t z = ZSTD_compressCCtx(cctx, out + STORE_BLOCK_HDR, cap - STORE_BLOCK_HDR, raw, n,
                                 level);
    if (ZSTD_isError(z) || z > UINT32_MAX) {
        snprintf(why, whycap, "%s", ZSTD_isError(z) ? ZSTD_getErrorName(z) : "block too large");
        return NDB_ENOMEM;
    }
    ndb_put_u32le(out, (uint32_t)z);
    ndb_put_u32le(out + 4, ndb_crc32c(0, out + STORE_BLOCK_HDR, z));
    *zn = z + STORE_BLOCK_HDR;
    return NDB_OK;
}

ndb_rc store_zbuf_reserve(uint8_t **z, size_t *cap, size_t rawn, ndb_err *err)
{
    size_t bound = ZSTD_compressBound(rawn) + STORE_BLOCK_HDR;
    if (bound > *cap) {
        uint8_t *nz = ndb_realloc(*z, bound);
        if (!nz)
            return ndb_err_set(err, NDB_ENOMEM, "store: out of memory (block)");
        *z = nz;
        *cap = bound;
    }
    return NDB_OK;
}

static void zq_compress(void *cctx, zq_slot *sl)
{
    if (store_compress(cctx, sl->level, sl->raw.p, sl->raw.n, sl->z, sl->zcap, &sl->zn, sl->why,
                       sizeof sl->why) != NDB_OK)
        sl->zn = 0;
}

/* The oldest queued slot, or NULL. Under mu. */
static zq_slot *zq_queued(store_zq *q)
{
    for (uint32_t i = 0; i < q->n; i++) {
        zq_slot *sl = &q->s[(q->head + i) % ZQ_SLOTS];
        if (sl->state == ZQ_QUEUED)
            return sl;
    }
    return NULL;
}

static void *zq_main(void *arg)
{
    store_zq *q = arg;
    struct sched_param sp = {0};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp); /* best effort */
    q->cctx = ZSTD_createCCtx(); /* without one, the writer compresses every block */
    pthread_mutex_lock(&q->mu);
    while (!q->stop && q->cctx) {
        zq_slot *sl = zq_queued(q);
        if (!sl) {
            pthread_cond_wait(&q->work, &q->mu);
            continue;
        }
        sl->state = ZQ_BUSY;
        pthread_mutex_unlock(&q->mu);
        zq_compress(q->cctx, sl);
        pthread_mutex_lock(&q->mu);
        sl->state = ZQ_DONE;
        pthread_cond_broadcast(&q->done);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

void store_zq_free(store_zq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = true;
    pthread_cond_broadcast(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->th, NULL);
    for (int i = 0; i < ZQ_SLOTS; i++) {
        ndb_buf_fini(&q->s[i].raw);
        ndb_free(q->s[i].z);
    }
    ZSTD_freeCCtx(q->cctx);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    pthread_mutex_destroy(&q->mu);
    ndb_free(q);
}

/* Start the thread; NULL (compress inline) when it cannot be had. */
static store_zq *zq_new(void)
{
    store_zq *q = ndb_calloc(1, sizeof *q);
    if (!q)
        return NULL;
    for (int i = 0; i < ZQ_SLOTS; i++)
        ndb_buf_init(&q->s[i].raw, NDB_BUF_NOMAX);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    if (pthread_create(&q->th, NULL, zq_main, q) != 0) {
        pthread_cond_destroy(&q->work);
        pthread_cond_destroy(&q->done);
        pthread_mutex_destroy(&q->mu);
        ndb_free(q);
        return NULL;
    }
    return q;
}

/* Write the head slot once it is compressed: compressing it here when it is still queued,
** waiting when the thread has it. */
static ndb_rc zq_write_head(ndb_store *s, ndb_err *err)
{
    store_zq *q = s->zq;
    zq_slot *sl = &q->s[q->head];
    ndb_rc rc;
    pthread_mutex_lock(&q->mu);
    if (sl->state == ZQ_QUEUED) {
        sl->state = ZQ_BUSY;
        pthread_mutex_unlock(&q->mu);
        zq_compress(s->cctx, sl);
        pthread_mutex_lock(&q->mu);
        sl->state = ZQ_DONE;
    }
    while (sl->state != ZQ_DONE)
        pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
    if (sl->zn == 0) {
        s->mode = STORE_POISONED;
        return ndb_err_set(err, NDB_ENOMEM, "store: zstd: %s", sl->why);
    }
    rc = store_write_block(s, sl->z, sl->zn, sl->from, sl->to, err);
    if (rc != NDB_OK)
        return rc;
    if (sl->raw.cap > ZQ_KEEP) { /* one huge article: do not keep its memory */
        ndb_buf_fini(&sl->raw);
        ndb_buf_init(&sl->raw, NDB_BUF_NOMAX);
    }
    ndb_buf_reset(&sl->raw);
    if (sl->zcap > ZQ_KEEP) {
        ndb_free(sl->z);
        sl->z = NULL;
        sl->zcap = 0;
    }
    pthread_mutex_lock(&q->mu);
    sl->state = ZQ_FREE;
    q->head = (q->head + 1) % ZQ_SLOTS;
    q->n--;
    pthread_mutex_unlock(&q->mu);
    return NDB_OK;
}

ndb_rc store_zq_write(ndb_store *s, bool all, ndb_err *err)
{
    store_zq *q = s->zq;
    ndb_rc rc = NDB_OK;
    while (q && rc == NDB_OK) {
        bool ready;
        pthread_mutex_lock(&q->mu);
        ready = q->n > 0 && (all || q->s[q->head].state == ZQ_DONE);
        pthread_mutex_unlock(&q->mu);
        if (!ready)
            break;
        rc = zq_write_head(s, err);
    }
    return rc;
}

ndb_rc store_zq_push(ndb_store *s, bool *queued, ndb_err *err)
{
    store_zq *q;
    zq_slot *sl;
    ndb_rc rc;
    *queued = false;
    if (!s->zq && !s->zq_off && !(s->zq = zq_new()))
        s->zq_off = true;
    if (!(q = s->zq))
        return NDB_OK;
    rc = store_zq_write(s, false, err);
    if (rc == NDB_OK && q->n == ZQ_SLOTS) /* the thread is behind: the oldest, here */
        rc = zq_write_head(s, err);
    if (rc != NDB_OK)
        return rc;
    sl = &q->s[(q->head + q->n) % ZQ_SLOTS];
    if ((rc = store_zbuf_reserve(&sl->z, &sl->zcap, s->blk.n, err)) != NDB_OK)
        return rc;
    ndb_buf t = sl->raw;
    sl->raw = s->blk;
    s->blk = t;
    sl->from = s->blk_first;
    sl->to = (uint32_t)(s->pend[NDB_STORE_IDX].n / STORE_IDX_REC);
    sl->level = s->level;
    pthread_mutex_lock(&q->mu);
    sl->state = ZQ_QUEUED;
    q->n++;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    *queued = true;
    return NDB_OK;
}
