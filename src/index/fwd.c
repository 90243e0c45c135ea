/*
** fwd.c — the forward index (doc -> term ids, tf): the appending writer and the mmap reader.
** The format and the commit rules are in fwd.h.
**
** Writer memory: the vocabulary (one hash slot and one offset per term, plus the term
** bytes) and per-doc scratch; appended bytes are written to the files every FWD_WRITE_BYTES,
** so a batch of any size holds little. The vocabulary hash keeps the upper 32 bits of the
** xxh3 of the term next to its id, so a probe compares bytes only on a likely hit.
*/
#include "index/fwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define FWD_KIND_IDX 0x44574658u /* "XFWD" */
#define FWD_KIND_DAT 0x52574658u /* "XFWR" */
#define FWD_KIND_VOC 0x56574658u /* "XFWV" */
#define FWD_MAJOR 1
#define FWD_MINOR 0
#define FWD_WRITE_BYTES (4u << 20)
#define FWD_TERM_MAX 1024

enum { FWD_IDX = 0, FWD_DAT = 1, FWD_VOC = 2, FWD_NFILES = 3 };

static const char *const fwd_names[FWD_NFILES] = {"fwd.idx", "fwd.dat", "fwd.voc"};
static const uint32_t fwd_kinds[FWD_NFILES] = {FWD_KIND_IDX, FWD_KIND_DAT, FWD_KIND_VOC};

static bool fwd_header_ok(const uint8_t *h, int file)
{
    return ndb_get_u32le(h) == NDB_FILE_MAGIC && ndb_get_u32le(h + 4) == fwd_kinds[file] &&
           ndb_get_u16le(h + 8) == FWD_MAJOR;
}

/* ---------------------------------------------------------------- writer */

struct ndb_fwdw {
    const ndb_vfs *vfs;
    int fd[FWD_NFILES];
    char path[FWD_NFILES][4200];
    uint64_t wrote[FWD_NFILES]; /* bytes in the file; buf[i] goes after them */
    ndb_buf buf[FWD_NFILES];
    uint32_t ndocs;   /* records appended */
    uint64_t cum_tok; /* tokens of docs [0, ndocs) */
    /* vocabulary */
    uint64_t *slots; /* hash hi32 << 32 | (id + 1); 0 = empty */
    size_t nslots;
    ndb_buf arena;   /* term bytes */
    uint64_t *toff;  /* [nterms]: offset << 16 | len in arena */
    uint32_t nterms, tcap;
    /* current doc */
    uint32_t *tf;   /* [tcap]: tf of term id in the current doc */
    uint32_t *dids; /* distinct ids of the current doc */
    uint32_t *dtmp; /* [dcap] radix sort scratch */
    uint32_t nd, dcap;
    uint64_t dtok;
    ndb_buf rec;
};

static ndb_rc fwdw_flush(ndb_fwdw *w, int i, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    if (w->buf[i].n > 0) {
        rc = ndb_vfs_pwrite_bulk(w->vfs, w->fd[i], w->buf[i].p, w->buf[i].n, (off_t)w->wrote[i],
                                 w->path[i], err);
        if (rc == NDB_OK)
            w->wrote[i] += w->buf[i].n;
        ndb_buf_reset(&w->buf[i]);
    }
    return rc;
}

static ndb_rc fwdw_grow_terms(ndb_fwdw *w)
{
    uint32_t nc = w->tcap ? w->tcap * 2 : 4096;
    uint64_t *no = ndb_realloc(w->toff, (size_t)nc * sizeof *no);
    if (!no)
        return NDB_ENOMEM;
    w->toff = no;
    uint32_t *nt = ndb_realloc(w->tf, (size_t)nc * sizeof *nt);
    if (!nt)
        return NDB_ENOMEM;
    memset(nt + w->tcap, 0, (size_t)(nc - w->tcap) * sizeof *nt);
    w->tf = nt;
    w->tcap = nc;
    return NDB_OK;
}

static ndb_rc fwdw_rehash(ndb_fwdw *w)
{
    size_t nn = w->nslots ? w->nslots * 2 : 8192;
    uint64_t *ns = ndb_calloc(nn, sizeof *ns);
    if (!ns)
        return NDB_ENOMEM;
    for (uint32_t id = 0; id < w->nterms; id++) {
        const char *t = (const char *)w->arena.p + (w->toff[id] >> 16);
        uint64_t h = ndb_hash64(t, w->toff[id] & 0xFFFF);
        size_t j = (size_t)h & (nn - 1);
        while (ns[j])
            j = (j + 1) & (nn - 1);
        ns[j] = (h & 0xFFFFFFFF00000000ull) | (id + 1u);
    }
    ndb_free(w->slots);
    w->slots = ns;
    w->nslots = nn;
    return NDB_OK;
}

/* Id of term t, h = ndb_hash64(t, n) (a new id, and its voc record, when unseen). */
static ndb_rc fwdw_term_id(ndb_fwdw *w, const char *t, size_t n, uint64_t h, uint32_t *id)
{
    uint64_t hi = h & 0xFFFFFFFF00000000ull;
    size_t j;
    ndb_rc rc;
    if (n == 0 || n > FWD_TERM_MAX)
        return NDB_EINVAL;
    if ((size_t)w->nterms * 2 >= w->nslots && (rc = fwdw_rehash(w)) != NDB_OK)
        return rc;
    for (j = (size_t)h & (w->nslots - 1); w->slots[j]; j = (j + 1) & (w->nslots - 1)) {
        uint32_t k = (uint32_t)(w->slots[j] & 0xFFFFFFFFu) - 1;
        if ((w->slots[j] & 0xFFFFFFFF00000000ull) == hi && (w->toff[k] & 0xFFFF) == n &&
            ndb_eq_bytes(w->arena.p + (w->toff[k] >> 16), t, n)) {
            *id = k;
            return NDB_OK;
        }
    }
    if (w->nterms == UINT32_MAX - 1)
        return NDB_ELIMIT;
    if (w->nterms == w->tcap && (rc = fwdw_grow_terms(w)) != NDB_OK)
        return rc;
    w->toff[w->nterms] = (uint64_t)w->arena.n << 16 | n;
    if ((rc = ndb_buf_append(&w->arena, t, n)) != NDB_OK)
        return rc;
    w->slots[j] = hi | (w->nterms + 1u);
    *id = w->nterms++;
    return ndb_buf_append_lp(&w->buf[FWD_VOC], t, n);
}

/* Read the committed vocabulary (nvoc terms) into the hash; *end = its byte end. */
static ndb_rc fwdw_load_voc(ndb_fwdw *w, uint32_t nvoc, uint64_t size, uint64_t *end,
                            ndb_err *err)
{
    uint8_t *p = NULL;
    ndb_rd r;
    ndb_rc rc = NDB_OK;
    if (size > SIZE_MAX / 2)
        return NDB_ECORRUPT;
    p = ndb_malloc(size ? (size_t)size : 1);
    if (!p)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    rc = ndb_vfs_pread_all(w->vfs, w->fd[FWD_VOC], p, (size_t)size, 0, w->path[FWD_VOC], err);
    ndb_rd_init(&r, p, (size_t)size, NDB_ECORRUPT);
    if (rc == NDB_OK)
        rc = ndb_rd_skip(&r, NDB_HEADER_SIZE);
    for (uint32_t i = 0; i < nvoc && rc == NDB_OK; i++) {
        ndb_slice s;
        uint32_t id;
        rc = ndb_rd_lp(&r, &s);
        if (rc == NDB_OK)
            rc = fwdw_term_id(w, (const char *)s.p, s.n, ndb_hash64(s.p, s.n), &id);
        if (rc == NDB_OK && id != i)
            rc = NDB_ECORRUPT; /* a term twice */
    }
    *end = size - ndb_rd_left(&r);
    ndb_buf_reset(&w->buf[FWD_VOC]); /* loaded terms are already in the file */
    ndb_free(p);
    return rc;
}

void ndb_fwdw_close(ndb_fwdw *w)
{
    if (!w)
        return;
    for (int i = 0; i < FWD_NFILES; i++) {
        if (w->fd[i] >= 0)
            w->vfs->close(w->vfs, w->fd[i]);
        ndb_buf_fini(&w->buf[i]);
    }
    ndb_free(w->slots);
    ndb_buf_fini(&w->arena);
    ndb_free(w->toff);
    ndb_free(w->tf);
    ndb_free(w->dids);
    ndb_free(w->dtmp);
    ndb_buf_fini(&w->rec);
    ndb_free(w);
}

/* Create the three files (headers only; the first sync makes them durable). */
static ndb_rc fwdw_create(ndb_fwdw *w, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (int i = 0; i < FWD_NFILES && rc == NDB_OK; i++) {
        if (w->fd[i] >= 0)
            w->vfs->close(w->vfs, w->fd[i]);
        w->fd[i] = w->vfs->open(w->vfs, w->path[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (w->fd[i] < 0)
            return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot create", w->path[i]);
        w->wrote[i] = 0;
        if ((rc = ndb_frame_header(&w->buf[i], fwd_kinds[i], FWD_MAJOR, FWD_MINOR)) != NDB_OK)
            rc = ndb_err_set(err, rc, "out of memory");
    }
    return rc;
}

/* Open the existing files and cut them to ndocs records; *usable false when they cannot
** serve (missing, short, bad header). */
static ndb_rc fwdw_reopen(ndb_fwdw *w, uint32_t ndocs, bool *usable, ndb_err *err)
{
    off_t size[FWD_NFILES];
    uint8_t h[NDB_HEADER_SIZE], rec[NDB_FWD_IDX_REC];
    uint64_t dat_end = NDB_HEADER_SIZE, voc_end = NDB_HEADER_SIZE;
    uint32_t nvoc = 0;
    ndb_rc rc;
    *usable = false;
    for (int i = 0; i < FWD_NFILES; i++) {
        w->fd[i] = w->vfs->open(w->vfs, w->path[i], O_RDWR | O_CLOEXEC, 0);
        if (w->fd[i] < 0 || w->vfs->fsize(w->vfs, w->fd[i], &size[i]) != 0 ||
            size[i] < NDB_HEADER_SIZE)
            return NDB_OK;
        rc = ndb_vfs_pread_all(w->vfs, w->fd[i], h, sizeof h, 0, w->path[i], err);
        if (rc != NDB_OK)
            return rc;
        if (!fwd_header_ok(h, i))
            return NDB_OK;
    }
    if ((uint64_t)size[FWD_IDX] < NDB_HEADER_SIZE + (uint64_t)ndocs * NDB_FWD_IDX_REC)
        return NDB_OK;
    if (ndocs > 0) {
        rc = ndb_vfs_pread_all(w->vfs, w->fd[FWD_IDX], rec, sizeof rec,
                               (off_t)(NDB_HEADER_SIZE + (uint64_t)(ndocs - 1) * NDB_FWD_IDX_REC),
                               w->path[FWD_IDX], err);
        if (rc != NDB_OK)
            return rc;
        dat_end = ndb_get_u64le(rec);
        w->cum_tok = ndb_get_u64le(rec + 8);
        nvoc = ndb_get_u32le(rec + 16);
        if (dat_end < NDB_HEADER_SIZE || dat_end > (uint64_t)size[FWD_DAT])
            return NDB_OK;
    }
    rc = fwdw_load_voc(w, nvoc, (uint64_t)size[FWD_VOC], &voc_end, err);
    if (rc == NDB_ECORRUPT)
        return NDB_OK;
    if (rc != NDB_OK)
        return rc;
    w->wrote[FWD_IDX] = NDB_HEADER_SIZE + (uint64_t)ndocs * NDB_FWD_IDX_REC;
    w->wrote[FWD_DAT] = dat_end;
    w->wrote[FWD_VOC] = voc_end;
    for (int i = 0; i < FWD_NFILES; i++) {
        if ((uint64_t)size[i] != w->wrote[i] &&
            w->vfs->ftruncate(w->vfs, w->fd[i], (off_t)w->wrote[i]) != 0)
            return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot truncate", w->path[i]);
    }
    w->ndocs = ndocs;
    *usable = true;
    return NDB_OK;
}

ndb_rc ndb_fwdw_open(const ndb_vfs *vfs, const char *dir, uint32_t ndocs, ndb_fwdw **out,
                     ndb_err *err)
{
    ndb_fwdw *w = ndb_calloc(1, sizeof *w);
    bool usable = false;
    ndb_rc rc = NDB_OK;
    *out = NULL;
    if (!w)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    w->vfs = vfs;
    for (int i = 0; i < FWD_NFILES; i++) {
        w->fd[i] = -1;
        ndb_buf_init(&w->buf[i], NDB_BUF_NOMAX);
        if (ndb_path_join(w->path[i], sizeof w->path[i], dir, fwd_names[i]) != NDB_OK)
            rc = ndb_err_set(err, NDB_ELIMIT, "%s: path too long", dir);
    }
    ndb_buf_init(&w->arena, NDB_BUF_NOMAX);
    ndb_buf_init(&w->rec, NDB_BUF_NOMAX);
    if (rc == NDB_OK)
        rc = fwdw_reopen(w, ndocs, &usable, err);
    if (rc == NDB_OK && !usable && ndocs == 0) {
        /* a new archive (or one whose files never got past creation) */
        ndb_fwdw_close(w);
        if (!(w = ndb_calloc(1, sizeof *w)))
            return ndb_err_set(err, NDB_ENOMEM, "out of memory");
        w->vfs = vfs;
        for (int i = 0; i < FWD_NFILES; i++) {
            w->fd[i] = -1;
            ndb_buf_init(&w->buf[i], NDB_BUF_NOMAX);
            (void)ndb_path_join(w->path[i], sizeof w->path[i], dir, fwd_names[i]);
        }
        ndb_buf_init(&w->arena, NDB_BUF_NOMAX);
        ndb_buf_init(&w->rec, NDB_BUF_NOMAX);
        rc = fwdw_create(w, err);
        usable = rc == NDB_OK;
    }
    if (rc != NDB_OK || !usable) {
        ndb_fwdw_close(w);
        return rc;
    }
    *out = w;
    return NDB_OK;
}

void ndb_fwdw_begin_doc(ndb_fwdw *w)
{
    for (uint32_t i = 0; i < w->nd; i++)
        w->tf[w->dids[i]] = 0;
    w->nd = 0;
    w->dtok = 0;
}

ndb_rc ndb_fwdw_add_token(ndb_fwdw *w, const char *term, size_t n)
{
    uint32_t id;
    ndb_rc rc = fwdw_term_id(w, term, n, ndb_hash64(term, n), &id);
    return rc == NDB_OK ? ndb_fwdw_add_id(w, id) : rc;
}

ndb_rc ndb_fwdw_term_id(ndb_fwdw *w, const char *term, size_t n, uint64_t hash, uint32_t *id)
{
    return fwdw_term_id(w, term, n, hash, id);
}

ndb_rc ndb_fwdw_add_id(ndb_fwdw *w, uint32_t id)
{
    if (id >= w->nterms)
        return NDB_EINVAL;
    if (w->tf[id]++ == 0) {
        if (w->nd == w->dcap) {
            uint32_t nc = w->dcap ? w->dcap * 2 : 1024;
            uint32_t *nd = ndb_realloc(w->dids, (size_t)nc * sizeof *nd);
            if (!nd)
                return NDB_ENOMEM;
            w->dids = nd;
            nd = ndb_realloc(w->dtmp, (size_t)nc * sizeof *nd);
            if (!nd)
                return NDB_ENOMEM;
            w->dtmp = nd;
            w->dcap = nc;
        }
        w->dids[w->nd++] = id;
    }
    w->dtok++;
    return NDB_OK;
}

/* Sort a[n] ascending: insertion sort for short lists, else LSD radix over the bits below
** max's top bit, tmp[n] scratch. The digit width is chosen per list: p passes of k bits
** cost about p (2^(k+1) + 2n), so a document's few hundred ids take 3 passes of 6 bits
** rather than 2 of 11 (whose 2,048-bucket count array cost more than the ids). (qsort of
** the ids was ~5% of ingest CPU.) */
static void fwd_sort_ids(uint32_t *a, uint32_t *tmp, uint32_t n)
{
    uint32_t cnt[2048], mx = 0, *src = a, *dst = tmp;
    unsigned bits, k = 11;
    uint64_t best = UINT64_MAX;
    if (n <= 32) {
        for (uint32_t i = 1; i < n; i++) {
            uint32_t v = a[i], j = i;
            for (; j > 0 && a[j - 1] > v; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        mx = a[i] > mx ? a[i] : mx;
    bits = mx ? 32u - (unsigned)__builtin_clz(mx) : 1u;
    for (unsigned p = 1; p <= 6; p++) {
        unsigned kk = (bits + p - 1) / p;
        uint64_t cost = (uint64_t)p * ((2ull << kk) + 2ull * n);
        if (kk <= 11 && cost < best) {
            best = cost;
            k = kk;
        }
    }
    for (unsigned sh = 0; sh < bits; sh += k) {
        uint32_t mask = (1u << k) - 1u;
        memset(cnt, 0, ((size_t)mask + 1) * sizeof cnt[0]);
        for (uint32_t i = 0; i < n; i++)
            cnt[(src[i] >> sh) & mask]++;
        for (uint32_t i = 0, sum = 0; i <= mask; i++) {
            uint32_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < n; i++)
            dst[cnt[(src[i] >> sh) & mask]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, (size_t)n * sizeof *a);
}

ndb_rc ndb_fwdw_end_doc(ndb_fwdw *w, uint32_t id, ndb_err *err)
{
    uint8_t ix[NDB_FWD_IDX_REC];
    uint32_t prev = 0;
    ndb_rc rc;
    if (id != w->ndocs)
        return ndb_err_set(err, NDB_EINVAL, "forward index: doc %u after %u records", id,
                           w->ndocs);
    if (w->nd > 1)
        fwd_sort_ids(w->dids, w->dtmp, w->nd);
    ndb_buf_reset(&w->rec);
    rc = ndb_buf_append_varint(&w->rec, w->nd);
    for (uint32_t i = 0; i < w->nd && rc == NDB_OK; i++) {
        rc = ndb_buf_append_varint(&w->rec, w->dids[i] - prev);
        if (rc == NDB_OK)
            rc = ndb_buf_append_varint(&w->rec, w->tf[w->dids[i]]);
        prev = w->dids[i];
    }
    if (rc == NDB_OK)
        rc = ndb_buf_append(&w->buf[FWD_DAT], w->rec.p, w->rec.n);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "forward index: out of memory");
    w->cum_tok += w->dtok;
    ndb_put_u64le(ix, w->wrote[FWD_DAT] + w->buf[FWD_DAT].n);
    ndb_put_u64le(ix + 8, w->cum_tok);
    ndb_put_u32le(ix + 16, w->nterms);
    ndb_put_u32le(ix + 20, ndb_crc32c(0, w->rec.p, w->rec.n));
    if ((rc = ndb_buf_append(&w->buf[FWD_IDX], ix, sizeof ix)) != NDB_OK)
        return ndb_err_set(err, rc, "forward index: out of memory");
    w->ndocs++;
    ndb_fwdw_begin_doc(w);
    for (int i = 0; i < FWD_NFILES && rc == NDB_OK; i++)
        if (w->buf[i].n >= FWD_WRITE_BYTES)
            rc = fwdw_flush(w, i, err);
    return rc;
}

ndb_rc ndb_fwdw_sync(ndb_fwdw *w, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    /* vocabulary and records before the index that points at them */
    static const int order[FWD_NFILES] = {FWD_VOC, FWD_DAT, FWD_IDX};
    for (int k = 0; k < FWD_NFILES && rc == NDB_OK; k++) {
        int i = order[k];
        rc = fwdw_flush(w, i, err);
        if (rc == NDB_OK && w->vfs->fsync(w->vfs, w->fd[i]) != 0)
            rc = ndb_err_sys(err, NDB_EIO, errno, "%s: fsync failed", w->path[i]);
    }
    return rc;
}

/* ---------------------------------------------------------------- reader */

struct ndb_fwd {
    const uint8_t *map[FWD_NFILES];
    size_t size[FWD_NFILES];
    uint32_t ndocs, nterms;
    uint64_t total;
};

void ndb_fwd_close(ndb_fwd *f)
{
    if (!f)
        return;
    for (int i = 0; i < FWD_NFILES; i++)
        if (f->map[i])
            munmap((void *)f->map[i], f->size[i]);
    ndb_free(f);
}

ndb_rc ndb_fwd_open(const ndb_vfs *vfs, const char *dir, uint32_t ndocs, ndb_fwd **out,
                    ndb_err *err)
{
    ndb_fwd *f = ndb_calloc(1, sizeof *f);
    ndb_rc rc = NDB_OK;
    bool usable = true;
    *out = NULL;
    if (!f)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    for (int i = 0; i < FWD_NFILES && rc == NDB_OK && usable; i++) {
        char path[4200];
        off_t size = 0;
        int fd;
        if (ndb_path_join(path, sizeof path, dir, fwd_names[i]) != NDB_OK) {
            rc = ndb_err_set(err, NDB_ELIMIT, "%s: path too long", dir);
            break;
        }
        fd = vfs->open(vfs, path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) {
            usable = false; /* an archive without a forward index */
            break;
        }
        if (vfs->fsize(vfs, fd, &size) != 0 || size < NDB_HEADER_SIZE) {
            usable = false;
        } else {
            void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
            if (m == MAP_FAILED) {
                rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot map", path);
            } else {
                f->map[i] = m;
                f->size[i] = (size_t)size;
                if (!fwd_header_ok(m, i))
                    rc = ndb_err_set(err, NDB_ECORRUPT, "%s: not a forward index file", path);
            }
        }
        vfs->close(vfs, fd);
    }
    if (rc == NDB_OK && usable &&
        f->size[FWD_IDX] < NDB_HEADER_SIZE + (uint64_t)ndocs * NDB_FWD_IDX_REC)
        usable = false; /* stopped short of the committed docs: not maintained */
    if (rc == NDB_OK && usable && ndocs > 0) {
        const uint8_t *r = f->map[FWD_IDX] + NDB_HEADER_SIZE + (size_t)(ndocs - 1) * NDB_FWD_IDX_REC;
        f->total = ndb_get_u64le(r + 8);
        f->nterms = ndb_get_u32le(r + 16);
        if (ndb_get_u64le(r) > f->size[FWD_DAT])
            rc = ndb_err_set(err, NDB_ECORRUPT, "%s/fwd.idx: record %u points past fwd.dat",
                             dir, ndocs - 1);
        else if (f->nterms > (f->size[FWD_VOC] - NDB_HEADER_SIZE) / 2) /* >= 2 bytes a term */
            rc = ndb_err_set(err, NDB_ECORRUPT, "%s/fwd.idx: %u terms cannot fit in fwd.voc",
                             dir, f->nterms);
    }
    f->ndocs = ndocs;
    if (rc != NDB_OK || !usable) {
        ndb_fwd_close(f);
        return rc;
    }
    *out = f;
    return NDB_OK;
}

uint32_t ndb_fwd_ndocs(const ndb_fwd *f)
{
    return f->ndocs;
}

uint32_t ndb_fwd_nterms(const ndb_fwd *f)
{
    return f->nterms;
}

uint64_t ndb_fwd_total_tokens(const ndb_fwd *f)
{
    return f->total;
}

ndb_rc ndb_fwd_doc(const ndb_fwd *f, uint32_t id, ndb_fwd_iter *it)
{
    const uint8_t *ix = f->map[FWD_IDX] + NDB_HEADER_SIZE;
    uint64_t start, end;
    if (id >= f->ndocs)
        return NDB_EINVAL;
    start = id ? ndb_get_u64le(ix + (size_t)(id - 1) * NDB_FWD_IDX_REC) : NDB_HEADER_SIZE;
    end = ndb_get_u64le(ix + (size_t)id * NDB_FWD_IDX_REC);
    if (start < NDB_HEADER_SIZE || start > end || end > f->size[FWD_DAT])
        return NDB_ECORRUPT;
    ndb_rd_init(&it->rd, f->map[FWD_DAT] + start, (size_t)(end - start), NDB_ECORRUPT);
    it->id = 0;
    it->first = true;
    return ndb_rd_varint32(&it->rd, &it->left);
}

/* A varint of at most 5 bytes that fits 32 bits, bounded by end (hot: every forward entry
** goes through here, so no call into the generic reader). */
static inline bool fwd_varint32(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
    const uint8_t *p = *pp;
    uint64_t x = 0;
    for (unsigned sh = 0; sh < 35; sh += 7) {
        if (p >= end)
            return false;
        uint8_t b = *p++;
        x |= (uint64_t)(b & 0x7F) << sh;
        if (!(b & 0x80)) {
            if (x > UINT32_MAX)
                return false;
            *v = (uint32_t)x;
            *pp = p;
            return true;
        }
    }
    return false;
}

ndb_rc ndb_fwd_next(const ndb_fwd *f, ndb_fwd_iter *it, uint32_t *tid, uint32_t *tf, bool *more)
{
    uint32_t d;
    *more = false;
    if (it->left == 0)
        return NDB_OK;
    if (!fwd_varint32(&it->rd.p, it->rd.end, &d) || !fwd_varint32(&it->rd.p, it->rd.end, tf))
        return NDB_ECORRUPT;
    if ((!it->first && d == 0) || d > UINT32_MAX - it->id || it->id + d >= f->nterms || *tf == 0)
        return NDB_ECORRUPT;
    it->id += d;
    it->first = false;
    it->left--;
    *tid = it->id;
    *more = true;
    return NDB_OK;
}

ndb_rc ndb_fwd_vocab(const ndb_fwd *f, uint64_t **offs, ndb_err *err)
{
    uint64_t *o = ndb_malloc(((size_t)f->nterms + 1) * sizeof *o);
    ndb_rd r;
    *offs = NULL;
    if (!o)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    ndb_rd_init(&r, f->map[FWD_VOC] + NDB_HEADER_SIZE, f->size[FWD_VOC] - NDB_HEADER_SIZE,
                NDB_ECORRUPT);
    for (uint32_t i = 0; i < f->nterms; i++) {
        ndb_slice s;
        if (ndb_rd_lp(&r, &s) != NDB_OK || s.n == 0 || s.n > FWD_TERM_MAX) {
            ndb_free(o);
            return ndb_err_set(err, NDB_ECORRUPT, "fwd.voc: term %u: bad record", i);
        }
        o[i] = (uint64_t)(s.p - f->map[FWD_VOC]) << 16 | s.n;
    }
    *offs = o;
    return NDB_OK;
}

void ndb_fwd_term(const ndb_fwd *f, const uint64_t *offs, uint32_t id, const char **p, size_t *n)
{
    *p = (const char *)f->map[FWD_VOC] + (offs[id] >> 16);
    *n = offs[id] & 0xFFFF;
}

ndb_rc ndb_fwd_check(const ndb_fwd *f, ndb_report_fn report, void *ctx, ndb_err *err)
{
    const uint8_t *ix = f->map[FWD_IDX] + NDB_HEADER_SIZE;
    uint64_t cum = 0, *offs = NULL;
    uint32_t nvoc_prev = 0, bad = 0;
    char msg[200];
    ndb_rc rc = ndb_fwd_vocab(f, &offs, err);
    if (rc != NDB_OK) {
        if (report)
            report(ctx, 1, err ? err->msg : "fwd.voc: bad record");
        return rc;
    }
    for (uint32_t id = 0; id < f->ndocs && bad < 20; id++) {
        const uint8_t *r = ix + (size_t)id * NDB_FWD_IDX_REC;
        uint64_t start = id ? ndb_get_u64le(r - NDB_FWD_IDX_REC) : NDB_HEADER_SIZE;
        uint64_t end = ndb_get_u64le(r);
        uint32_t nvoc = ndb_get_u32le(r + 16), tid, tf;
        ndb_fwd_iter it;
        bool more = true;
        const char *what = NULL;
        if (start > end || end > f->size[FWD_DAT])
            what = "record out of bounds";
        else if (ndb_crc32c(0, f->map[FWD_DAT] + start, (size_t)(end - start)) !=
                 ndb_get_u32le(r + 20))
            what = "record crc mismatch";
        else if (nvoc < nvoc_prev || nvoc > f->nterms)
            what = "vocabulary size goes backwards";
        else if (ndb_fwd_doc(f, id, &it) != NDB_OK)
            what = "bad record header";
        while (!what && more) {
            if (ndb_fwd_next(f, &it, &tid, &tf, &more) != NDB_OK || (more && tid >= nvoc))
                what = "bad term id or tf";
            else if (more)
                cum += tf;
        }
        if (!what && ndb_rd_left(&it.rd) != 0)
            what = "trailing bytes in record";
        if (!what && cum != ndb_get_u64le(r + 8))
            what = "token prefix sum disagrees with the records";
        if (what) {
            bad++;
            snprintf(msg, sizeof msg, "fwd: doc %u: %s", id, what);
            if (report)
                report(ctx, 1, msg);
            cum = ndb_get_u64le(r + 8);
        }
        nvoc_prev = nvoc;
    }
    ndb_free(offs);
    return bad ? ndb_err_set(err, NDB_ECORRUPT, "forward index: %u bad records", bad) : NDB_OK;
}
