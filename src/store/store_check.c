/*
** store_check.c — ndb_store_check: verify a committed state of the store byte by byte.
**
** What is checked (each problem is one report(ctx, 1, "<file>: <what>") line; the call
** returns NDB_ECORRUPT when there was any):
**   1. every file is at least its committed length, has a valid header, and the CRC32C of
**      [0, len) equals the state's;
**   2. docs.idx / cols.dat / urls.dat lengths match ndocs, outlets.dat holds noutlets
**      well-formed, distinct names;
**   3. docs.log is a gapless sequence of blocks from byte 32 to len, each with a matching
**      CRC and a zstd frame that decompresses to its declared size;
**   4. every docs.idx record points at a block start, lies inside the decompressed block,
**      and its record decodes exactly and carries its id;
**   5. cols.dat and urls.dat agree with the record (date, outlet, length; URL key is a
**      key round of the URL, content hash is xxh3 of raw, id field), and the totals of the
**      state equal the sums over the records.
** The walk is sequential: blocks in file order, idx/cols/urls records in id order through
** small read-ahead buffers, so memory stays O(block) whatever the archive size.
**
** Threading: holds the store's read lock for the whole walk.
*/
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>

#define CHECK_MAX_REPORTS 1000
#define CHECK_CHUNK       ((size_t)1 << 20)

typedef struct check_ctx {
    ndb_store *s;
    ndb_report_fn report;
    void *ctx;
    uint64_t problems;
    size_t chunk; /* read size: CHECK_CHUNK, less for small stores */
} check_ctx;

static void check_fail(check_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_fail(check_ctx *c, const char *fmt, ...)
{
    char msg[NDB_ERR_MSG_MAX];
    va_list ap;
    c->problems++;
    if (!c->report || c->problems > CHECK_MAX_REPORTS)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->report(c->ctx, 1, msg);
}

/* Sequential reader of fixed-size records of one file. */
typedef struct check_seq {
    ndb_store *s;
    int file;
    uint64_t off, end;
    uint8_t *buf;
    size_t n, pos, rec, cap;
} check_seq;

static const uint8_t *check_seq_next(check_seq *q, ndb_err *err)
{
    if (q->pos + q->rec > q->n) {
        size_t k = (size_t)NDB_MIN((uint64_t)q->cap, q->end - q->off);
        k -= k % q->rec;
        if (k == 0)
            return NULL;
        if (ndb_vfs_pread_all(q->s->vfs, q->s->fd[q->file], q->buf, k, (off_t)q->off,
                              q->s->path[q->file], err) != NDB_OK)
            return NULL;
        q->off += k;
        q->n = k;
        q->pos = 0;
    }
    q->pos += q->rec;
    return q->buf + q->pos - q->rec;
}

/* 1: size, header, CRC of [0, len). Returns false when the file cannot be read further. */
static bool check_file(check_ctx *c, int f, const ndb_store_state *st, uint8_t *buf)
{
    ndb_store *s = c->s;
    const char *name = ndb_store_file_names[f];
    off_t size = 0;
    uint64_t off = 0;
    uint32_t crc = 0;
    ndb_err e;
    if (s->vfs->fsize(s->vfs, s->fd[f], &size) != 0) {
        check_fail(c, "%s: cannot stat: %s", name, strerror(errno));
        return false;
    }
    if ((uint64_t)size < st->len[f] || st->len[f] < NDB_HEADER_SIZE) {
        check_fail(c, "%s: %lld bytes, committed length is %llu", name, (long long)size,
                   (unsigned long long)st->len[f]);
        return false;
    }
    while (off < st->len[f]) {
        size_t k = (size_t)NDB_MIN((uint64_t)c->chunk, st->len[f] - off);
        if (ndb_vfs_pread_all(s->vfs, s->fd[f], buf, k, (off_t)off, name, &e) != NDB_OK) {
            check_fail(c, "%s", e.msg);
            return false;
        }
        if (off == 0 && store_header_check(buf, f, name, &e) != NDB_OK)
            check_fail(c, "%s", e.msg);
        crc = ndb_crc32c(crc, buf, k);
        off += k;
    }
    if (crc != st->crc[f])
        check_fail(c, "%s: crc mismatch over the committed %llu bytes", name,
                   (unsigned long long)st->len[f]);
    return true;
}

static void check_outlets(check_ctx *c, const ndb_store_state *st)
{
    ndb_store *s = c->s;
    uint64_t n = st->len[NDB_STORE_OUTLETS] - NDB_HEADER_SIZE;
    uint8_t *p;
    uint32_t count = 0;
    ndb_rd r;
    ndb_slice name;
    ndb_err e;
    if (n > STORE_OUTLETS_MAX) {
        check_fail(c, "outlets.dat: %llu bytes, too large", (unsigned long long)n);
        return;
    }
    p = ndb_malloc((size_t)n + 1);
    if (!p) {
        check_fail(c, "outlets.dat: out of memory");
        return;
    }
    if (ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_OUTLETS], p, (size_t)n, NDB_HEADER_SIZE,
                          "outlets.dat", &e) != NDB_OK) {
        check_fail(c, "%s", e.msg);
        goto out;
    }
    ndb_rd_init(&r, p, (size_t)n, NDB_ECORRUPT);
    while (ndb_rd_left(&r) > 0) {
        uint64_t at = NDB_HEADER_SIZE + (uint64_t)(r.p - p);
        if (ndb_rd_lp(&r, &name) != NDB_OK || name.n == 0 || memchr(name.p, 0, name.n)) {
            check_fail(c, "outlets.dat: bad name record at offset %llu", (unsigned long long)at);
            goto out;
        }
        if (count < s->nout_all &&
            (strlen(s->oname[count]) != name.n || memcmp(s->oname[count], name.p, name.n) != 0))
            check_fail(c, "outlets.dat: name %u at offset %llu differs from the loaded one", count,
                       (unsigned long long)at);
        count++;
    }
    if (count != st->noutlets)
        check_fail(c, "outlets.dat: %u names, the state says %u", count, st->noutlets);
out:
    ndb_free(p);
}

static bool check_key_ok(ndb_store *s, const store_rec *r, uint64_t key)
{
    uint32_t k;
    for (k = 0; k < STORE_URL_ROUNDS; k++) {
        if (store_url_key(s, (const char *)r->url.p, r->url.n, k) == key)
            return true;
    }
    return false;
}

typedef struct check_sums {
    uint64_t total_len, raw_bytes;
    bool complete;
} check_sums;

/* 4, 5: one doc whose record lies at rec/rn of a decoded block. */
static void check_doc(check_ctx *c, uint32_t id, const uint8_t *rec, size_t rn, const uint8_t *col,
                      const uint8_t *url, check_sums *sum)
{
    ndb_store *s = c->s;
    store_rec r;
    uint32_t outlet;
    if (store_parse_record(rec, rn, &r) != NDB_OK) {
        check_fail(c, "docs.log: record of doc %u is malformed", id);
        sum->complete = false;
        return;
    }
    if (r.id != id)
        check_fail(c, "docs.idx: record %u points at the record of doc %u", id, r.id);
    sum->total_len += r.len;
    sum->raw_bytes += r.raw.n;
    outlet = ndb_get_u32le(col + 4);
    if ((int32_t)ndb_get_u32le(col) != r.date || ndb_get_u32le(col + 8) != r.len ||
        ndb_get_u32le(col + 12) != store_col_flags(s, (const char *)r.lang.p, r.lang.n) ||
        (r.outlet.n == 0 ? outlet != NDB_STORE_OUTLET_NONE
                         : (outlet >= s->nout_all || strlen(s->oname[outlet]) != r.outlet.n ||
                            memcmp(s->oname[outlet], r.outlet.p, r.outlet.n) != 0)))
        check_fail(c, "cols.dat: doc %u disagrees with its record", id);
    if (ndb_get_u32le(url + 16) != id || ndb_get_u64le(url + 8) != ndb_hash64(r.raw.p, r.raw.n) ||
        !check_key_ok(s, &r, ndb_get_u64le(url)))
        check_fail(c, "urls.dat: doc %u disagrees with its record", id);
}

/* 3-5: walk the blocks of docs.log with the idx/cols/urls records in id order. */
static void check_blocks(check_ctx *c, const ndb_store_state *st, uint32_t ndocs, check_seq *qi,
                         check_seq *qc, check_seq *qu)
{
    ndb_store *s = c->s;
    uint64_t off = NDB_HEADER_SIZE, loglen = st->len[NDB_STORE_LOG];
    const uint8_t *ir = NULL, *cr, *ur;
    uint32_t next = 0;
    check_sums sum = {0, 0, true};
    ndb_err e;
    while (off < loglen) {
        uint8_t *blk = NULL;
        size_t bn = 0;
        uint8_t hdr[STORE_BLOCK_HDR];
        uint32_t zlen;
        if (loglen - off < STORE_BLOCK_HDR ||
            ndb_vfs_pread_all(s->vfs, s->fd[NDB_STORE_LOG], hdr, sizeof hdr, (off_t)off, "docs.log",
                              &e) != NDB_OK) {
            check_fail(c, "docs.log: truncated block header at offset %llu",
                       (unsigned long long)off);
            break;
        }
        zlen = ndb_get_u32le(hdr);
        if (zlen == 0 || zlen > loglen - off - STORE_BLOCK_HDR) {
            check_fail(c, "docs.log: block at offset %llu: bad length %u", (unsigned long long)off,
                       zlen);
            break;
        }
        if (store_read_block(s, off, loglen, &blk, &bn, &e) != NDB_OK) {
            check_fail(c, "docs.log: block at offset %llu: %s", (unsigned long long)off,
                       e.rc == NDB_ECORRUPT ? "crc mismatch or bad zstd frame" : e.msg);
            sum.complete = false;
        }
        while (next < ndocs) {
            uint64_t boff;
            uint32_t roff, rlen;
            if (!ir && !(ir = check_seq_next(qi, &e)))
                break;
            boff = ndb_get_u64le(ir);
            if (boff > off)
                break;
            roff = ndb_get_u32le(ir + 8);
            rlen = ndb_get_u32le(ir + 12);
            cr = check_seq_next(qc, &e);
            ur = check_seq_next(qu, &e);
            if (!cr || !ur)
                break;
            if (boff < off) {
                check_fail(c, "docs.idx: record %u: block offset %llu is not a block start", next,
                           (unsigned long long)boff);
                sum.complete = false;
            } else if (blk && (uint64_t)roff + rlen > bn) {
                check_fail(c, "docs.idx: record %u points past its block", next);
                sum.complete = false;
            } else if (blk) {
                check_doc(c, next, blk + roff, rlen, cr, ur, &sum);
            }
            ir = NULL;
            next++;
        }
        ndb_free(blk);
        off += STORE_BLOCK_HDR + (uint64_t)zlen;
    }
    if (next < ndocs) {
        check_fail(c, "docs.idx: records %u..%u point past the last block", next, ndocs - 1);
        sum.complete = false;
    }
    if (sum.complete && (sum.total_len != st->total_len || sum.raw_bytes != st->raw_bytes))
        check_fail(c, "docs.log: token/raw totals %llu/%llu differ from the state's %llu/%llu",
                   (unsigned long long)sum.total_len, (unsigned long long)sum.raw_bytes,
                   (unsigned long long)st->total_len, (unsigned long long)st->raw_bytes);
}

static void check_seq_init(check_seq *q, ndb_store *s, int file, const ndb_store_state *st,
                           size_t rec, uint8_t *buf, size_t cap)
{
    memset(q, 0, sizeof *q);
    q->s = s;
    q->file = file;
    q->off = NDB_HEADER_SIZE;
    q->end = st->len[file];
    q->rec = rec;
    q->buf = buf;
    q->cap = cap;
}

ndb_rc ndb_store_check(ndb_store *s, const ndb_store_state *st, ndb_report_fn report, void *ctx,
                       ndb_err *err)
{
    check_ctx c = {s, report, ctx, 0, 0};
    uint8_t *buf = NULL;
    bool ok[NDB_STORE_NFILES];
    check_seq qi, qc, qu;
    uint64_t n;
    uint32_t ndocs;
    ndb_rc rc = NDB_OK;
    int f;
    ndb_err_clear(err);
    pthread_rwlock_rdlock(&s->lock);
    if (!st)
        st = &s->st;
    c.chunk = 4096; /* >= one record of every file, and a header */
    for (f = 0; f < NDB_STORE_NFILES; f++) {
        while (c.chunk < CHECK_CHUNK && c.chunk < st->len[f])
            c.chunk *= 2;
    }
    buf = ndb_malloc(c.chunk * 4);
    if (!buf) {
        rc = ndb_err_set(err, NDB_ENOMEM, "store: out of memory");
        goto out;
    }
    for (f = 0; f < NDB_STORE_NFILES; f++)
        ok[f] = check_file(&c, f, st, buf);
    n = st->ndocs;
    if (ok[NDB_STORE_IDX] && st->len[NDB_STORE_IDX] != NDB_HEADER_SIZE + n * STORE_IDX_REC)
        check_fail(&c, "docs.idx: %llu bytes do not hold %u records",
                   (unsigned long long)st->len[NDB_STORE_IDX], st->ndocs);
    if (ok[NDB_STORE_COLS] && st->len[NDB_STORE_COLS] != NDB_HEADER_SIZE + n * STORE_COL_REC)
        check_fail(&c, "cols.dat: %llu bytes do not hold %u records",
                   (unsigned long long)st->len[NDB_STORE_COLS], st->ndocs);
    if (ok[NDB_STORE_URLS] && st->len[NDB_STORE_URLS] != NDB_HEADER_SIZE + n * STORE_URL_REC)
        check_fail(&c, "urls.dat: %llu bytes do not hold %u records",
                   (unsigned long long)st->len[NDB_STORE_URLS], st->ndocs);
    if (ok[NDB_STORE_OUTLETS])
        check_outlets(&c, st);
    if (ok[NDB_STORE_LOG] && ok[NDB_STORE_IDX] && ok[NDB_STORE_COLS] && ok[NDB_STORE_URLS]) {
        ndocs = st->ndocs;
        check_seq_init(&qi, s, NDB_STORE_IDX, st, STORE_IDX_REC, buf + c.chunk, c.chunk);
        check_seq_init(&qc, s, NDB_STORE_COLS, st, STORE_COL_REC, buf + 2 * c.chunk, c.chunk);
        check_seq_init(&qu, s, NDB_STORE_URLS, st, STORE_URL_REC, buf + 3 * c.chunk, c.chunk);
        check_blocks(&c, st, ndocs, &qi, &qc, &qu);
    }
    if (c.problems > 0)
        rc = ndb_err_set(err, NDB_ECORRUPT, "store: %llu problems found",
                         (unsigned long long)c.problems);
out:
    pthread_rwlock_unlock(&s->lock);
    ndb_free(buf);
    return rc;
}
