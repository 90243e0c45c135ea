/*
** segment.c — segment file format v1: the streaming writer (ndb_segout) and the reader
** (open, map, lookups, cursors, prefix walks).
**
** One file per segment, written once (tmp, fsync, rename) and never changed:
**
**   off              size        field
**   0                32          frame header: "NDB1", kind NDB_KIND_SEGMENT ("XSEG"),
**                                version 1.5 (1.0-1.4 read too: the same layout; they
**                                differ in codec, position format and skip entries
**                                only), file id
**   32               P           POSTINGS: per term in term order, its POS data then its
**                                DOC data (postings/postings.h); term info points here
**   32+P             4*ndocs     DOCLEN: u32le token length of doc base+i
**   ...              T           TERMS: dictionary blocks (termdict/termdict.h)
**   ...              8*ceil(nterms/32)  TINDEX: u64le offset of each block in TERMS
**   n-108            96          TRAILER (section directory):
**                                  0  u32 magic "SEGT"    4  u32 codec: block codec id
**                                     (3 = pfor in 1.0 files, 4 = pfor2 from 1.1) |
**                                     position format << 16 (postings.h; 0 = GROUPS,
**                                     1 = DLBOUND on request, only in 1.1 files,
**                                     2 = BYLIST in 1.2, 3 = GROUPS2 in 1.3, 5 =
**                                     BYLIST2 in 1.4, or 4 = RADIX in 1.4 on request;
**                                     1.4 also packs its skip entries) | 1 << 24 when the
**                                     skip entries hold min_dlr (1.5; postings.h)
**                                  8  u32 base           12  u32 ndocs
**                                  16 u64 nterms         24  u64 total_len (sum DOCLEN)
**                                  32 4 x {u64 off, u64 len}: POSTINGS, DOCLEN, TERMS,
**                                     TINDEX (absolute offsets)
**   n-12             12          frame footer: magic, checksum kind 1, CRC32C of all
**                                preceding bytes
**
** Why so: the trailer comes last so a writer (flush or merge) can stream every section
** without knowing sizes up front; the sections tile [32, n-108) exactly, which makes the
** open-time bounds check trivial. Positions sit before their doc data so a merge can write
** a huge list's positions block by block and hold only the (small) DOC bytes.
**
** Open verifies header, footer magic, trailer, tiling and the dictionary index; the CRC of
** the whole file is verified by ndb_seg_check only (open must stay O(1) in file size).
** Every later read is bounded against the sections (ndb_seg_info_ok, postings cursor).
**
** Threading: an ndb_seg is immutable after open; refs is atomic. The file is mmap'd
** (MAP_SHARED, read-only); when mapping fails (exotic vfs) it is read into memory.
*/
#include "index/seg_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define SEG_FLUSH_BYTES (1u << 20)
#define SEG_POS_DRAIN   (256u << 10)

/* ------------------------------------------------------------ writer */

static ndb_rc seg_flush(ndb_segout *o, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    if (o->buf.n > 0) {
        rc = ndb_vfs_pwrite_bulk(o->vfs, o->fd, o->buf.p, o->buf.n, (off_t)(o->off - o->buf.n),
                                 o->tmp, err);
        ndb_buf_reset(&o->buf);
    }
    return rc;
}

ndb_rc ndb_segout_write(ndb_segout *o, const void *p, size_t n, ndb_err *err)
{
    ndb_rc rc;
    o->crc = ndb_crc32c(o->crc, p, n);
    if (n >= SEG_FLUSH_BYTES) {
        if ((rc = seg_flush(o, err)) != NDB_OK)
            return rc;
        rc = ndb_vfs_pwrite_bulk(o->vfs, o->fd, p, n, (off_t)o->off, o->tmp, err);
        o->off += n;
        return rc;
    }
    if ((rc = ndb_buf_append(&o->buf, p, n)) != NDB_OK)
        return ndb_err_set(err, rc, "%s: out of memory", o->tmp);
    o->off += n;
    return o->buf.n >= SEG_FLUSH_BYTES ? seg_flush(o, err) : NDB_OK;
}

/* Whether to write format 1.0 (codec PFOR, GROUPS positions), which older builds read. */
static bool seg_write_v10(void)
{
    const char *v = getenv("NEWSDB_SEG_FORMAT");
    return v && strcmp(v, "1.0") == 0;
}

/* The position format of the segments we write (seg_int.h, ndb_segout_open). */
static uint32_t seg_pos_fmt_written(void)
{
    const char *v = getenv("NEWSDB_SEG_POSITIONS");
    if (seg_write_v10())
        return NDB_POS_GROUPS;
    if (!v)
        return NDB_POS_BYLIST2;
    return strcmp(v, "dlbound") == 0   ? NDB_POS_DLBOUND
           : strcmp(v, "bylist") == 0  ? NDB_POS_BYLIST
           : strcmp(v, "groups") == 0  ? NDB_POS_GROUPS
           : strcmp(v, "groups2") == 0 ? NDB_POS_GROUPS2
           : strcmp(v, "radix") == 0   ? NDB_POS_RADIX
                                       : NDB_POS_BYLIST2;
}

/* The 1.4 layout (RADIX or BYLIST2 positions): its lists pack their skip entries. */
static bool seg_v14(uint32_t pos_fmt)
{
    return pos_fmt == NDB_POS_RADIX || pos_fmt == NDB_POS_BYLIST2;
}

/* Whether the 1.4 layout we write is 1.5 (skip entries with min_dlr): always, unless
** NEWSDB_SEG_FORMAT=1.4 asks for what older builds read (tests of the 1.4 reader). */
static bool seg_write_v15(uint32_t pos_fmt)
{
    const char *v = getenv("NEWSDB_SEG_FORMAT");
    return seg_v14(pos_fmt) && !(v && strcmp(v, "1.4") == 0);
}

ndb_rc ndb_segout_open(ndb_segout *o, const ndb_vfs *vfs, const char *dir, const char *name,
                       uint32_t base, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_buf h;

    memset(o, 0, sizeof *o);
    o->vfs = vfs;
    o->fd = -1;
    ndb_buf_init(&o->buf, NDB_BUF_NOMAX);
    ndb_buf_init(&o->doc, NDB_BUF_NOMAX);
    ndb_buf_init(&h, NDB_HEADER_SIZE);
    ndb_termdict_writer_init(&o->td);
    uint32_t codec = seg_write_v10() ? NDB_CODEC_PFOR : SEG_CODEC;
    ndb_postings_enc_init(&o->enc, ndb_codec_get(codec));
    o->pos_fmt = seg_pos_fmt_written();
    o->enc.skip_packed = seg_v14(o->pos_fmt);
    o->enc.skip_ratio = seg_write_v15(o->pos_fmt);
    o->m.codec = codec | o->pos_fmt << SEG_POS_SHIFT | (o->enc.skip_ratio ? SEG_SKIP_RATIO : 0);
    o->m.base = base;
    if (ndb_path_join(o->path, sizeof o->path, dir, name) != NDB_OK ||
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp", o->path) >= (int)sizeof o->tmp) {
        rc = ndb_err_set(err, NDB_ELIMIT, "%s/%s: path too long", dir, name);
        goto out;
    }
    o->fd = vfs->open(vfs, o->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot create", o->tmp);
        goto out;
    }
    if ((rc = ndb_frame_header(&h, NDB_KIND_SEGMENT, SEG_MAJOR,
                               codec == NDB_CODEC_PFOR          ? 0
                               : o->enc.skip_ratio             ? SEG_MINOR
                               : seg_v14(o->pos_fmt)           ? 4
                               : o->pos_fmt == NDB_POS_GROUPS2 ? 3
                               : o->pos_fmt == NDB_POS_BYLIST  ? 2
                                                               : 1)) != NDB_OK) {
        ndb_err_set(err, rc, "%s: out of memory", o->tmp);
        goto out;
    }
    if ((rc = ndb_segout_write(o, h.p, h.n, err)) != NDB_OK)
        goto out;
    o->m.off[SEG_SEC_POST] = o->off;
out:
    ndb_buf_fini(&h);
    if (rc != NDB_OK)
        ndb_segout_abort(o);
    return rc;
}

void ndb_segout_term_begin(ndb_segout *o, uint64_t df, uint64_t cf)
{
    ndb_postings_enc_begin(&o->enc);
    o->enc.pos_fmt = ndb_pos_fmt_of_list(o->pos_fmt, df, cf);
    ndb_buf_reset(&o->enc.pos);
    ndb_buf_reset(&o->doc);
    o->term_pos_off = o->off;
}

ndb_rc ndb_segout_term_add(ndb_segout *o, uint32_t doc, uint32_t freq, const uint32_t *pos,
                           uint32_t dl, ndb_err *err)
{
    ndb_rc rc = ndb_postings_enc_add(&o->enc, doc, freq, pos, dl);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "%s: postings out of order or out of memory", o->tmp);
    if (o->enc.pos.n >= SEG_POS_DRAIN) {
        rc = ndb_segout_write(o, o->enc.pos.p, o->enc.pos.n, err);
        ndb_buf_reset(&o->enc.pos);
    }
    return rc;
}

ndb_rc ndb_segout_term_end(ndb_segout *o, const uint8_t *t, size_t n, ndb_err *err)
{
    ndb_postings_stats st;
    ndb_termdict_info ti;
    ndb_rc rc;
    if ((rc = ndb_postings_enc_finish(&o->enc, &o->doc, &st)) != NDB_OK)
        return ndb_err_set(err, rc, "%s: cannot encode term", o->tmp);
    if (ndb_pos_fmt_of_list(o->pos_fmt, st.df, st.cf) != o->enc.pos_fmt)
        return ndb_err_set(err, NDB_EINVAL, "%s: term's df/cf are not the ones announced",
                           o->tmp); /* a reader would pick the other position format */
    memset(&ti, 0, sizeof ti);
    ti.pos_off = o->term_pos_off;
    if ((rc = ndb_segout_write(o, o->enc.pos.p, o->enc.pos.n, err)) != NDB_OK)
        return rc;
    ndb_buf_reset(&o->enc.pos);
    ti.pos_len = o->off - ti.pos_off;
    ti.doc_off = o->off;
    ti.doc_len = o->doc.n;
    if ((rc = ndb_segout_write(o, o->doc.p, o->doc.n, err)) != NDB_OK)
        return rc;
    ti.df = st.df;
    ti.cf = st.cf;
    ti.max_tf = st.max_tf;
    ti.min_dl = st.min_dl;
    if (o->rec && (ndb_buf_append_u16le(o->rec, (uint16_t)n) != NDB_OK ||
                   ndb_buf_append(o->rec, t, n) != NDB_OK ||
                   ndb_buf_append(o->rec, &ti, sizeof ti) != NDB_OK))
        return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", o->tmp);
    if ((rc = ndb_termdict_add_term(&o->td, t, n, &ti)) != NDB_OK)
        return ndb_err_set(err, rc, "%s: term %zu out of order, empty or too long", o->tmp,
                           (size_t)o->td.n);
    o->m.nterms++;
    return NDB_OK;
}

ndb_rc ndb_segout_splice(ndb_segout *o, ndb_segout *from, ndb_err *err)
{
    enum { CHUNK = 1u << 20 };
    uint64_t at = from->m.off[SEG_SEC_POST], end, shift = o->off - at;
    uint8_t *chunk = NULL;
    ndb_rc rc;
    if ((rc = seg_flush(from, err)) != NDB_OK)
        return rc;
    end = from->off;
    if (end > at && !(chunk = ndb_malloc(CHUNK)))
        return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", o->tmp);
    for (; at < end && rc == NDB_OK; at += CHUNK) {
        size_t k = (size_t)NDB_MIN((uint64_t)CHUNK, end - at);
        rc = ndb_vfs_pread_all(from->vfs, from->fd, chunk, k, (off_t)at, from->tmp, err);
        if (rc == NDB_OK)
            rc = ndb_segout_write(o, chunk, k, err);
    }
    ndb_free(chunk);
    for (size_t i = 0; rc == NDB_OK && from->rec && i < from->rec->n;) {
        ndb_termdict_info ti;
        size_t n = ndb_get_u16le(from->rec->p + i);
        const uint8_t *t = from->rec->p + i + 2;
        memcpy(&ti, t + n, sizeof ti);
        i += 2 + n + sizeof ti;
        ti.pos_off += shift;
        ti.doc_off += shift;
        if ((rc = ndb_termdict_add_term(&o->td, t, n, &ti)) != NDB_OK)
            return ndb_err_set(err, rc, "%s: term %zu out of order, empty or too long", o->tmp,
                               (size_t)o->td.n);
        o->m.nterms++;
    }
    return rc;
}

/* Bytes from which a segment's terms are written on two threads (merge and flush);
** NEWSDB_MERGE_SPLIT_BYTES overrides it (tests force the split with 0; a huge value keeps
** one thread). */
uint64_t ndb_seg_split_bytes(uint64_t dflt)
{
    const char *v = getenv("NEWSDB_MERGE_SPLIT_BYTES");
    char *end;
    unsigned long long x;
    if (!v || !*v)
        return dflt;
    x = strtoull(v, &end, 10);
    return *end ? dflt : (uint64_t)x;
}

typedef struct segout_run_arg {
    ndb_segout_run_fn fn;
    void *arg;
    ndb_segout *o;
    ndb_err err;
    ndb_rc rc;
} segout_run_arg;

static void *segout_run_thread(void *p)
{
    segout_run_arg *r = p;
    r->rc = r->fn(r->arg, r->o, &r->err);
    return NULL;
}

ndb_rc ndb_segout_two_runs(ndb_segout *o, const char *dir, const char *name,
                           ndb_segout_run_fn fn, void *lo, void *hi, ndb_err *err)
{
    ndb_segout side;
    ndb_buf rec;
    char sname[256];
    pthread_t th;
    bool threaded;
    ndb_rc rc;
    segout_run_arg b = {.fn = fn, .arg = hi, .o = &side, .rc = NDB_OK};
    if (snprintf(sname, sizeof sname, "%s.hi", name) >= (int)sizeof sname ||
        ndb_segout_open(&side, o->vfs, dir, sname, o->m.base, &b.err) != NDB_OK) {
        /* no side file to be had: the same terms, in turn, into o */
        if ((rc = fn(lo, o, err)) != NDB_OK)
            return rc;
        return fn(hi, o, err);
    }
    ndb_buf_init(&rec, NDB_BUF_NOMAX);
    side.rec = &rec;
    threaded = pthread_create(&th, NULL, segout_run_thread, &b) == 0;
    rc = fn(lo, o, err);
    if (!threaded)
        segout_run_thread(&b); /* no thread to be had: the same work, in turn */
    else if (pthread_join(th, NULL) != 0 && b.rc == NDB_OK)
        b.rc = ndb_err_set(&b.err, NDB_EIO, "%s: cannot join a second thread", side.tmp);
    if (rc == NDB_OK && (rc = b.rc) != NDB_OK)
        *err = b.err;
    if (rc == NDB_OK)
        rc = ndb_segout_splice(o, &side, err);
    ndb_segout_abort(&side);
    ndb_buf_fini(&rec);
    return rc;
}

void ndb_segout_doclens_begin(ndb_segout *o)
{
    o->m.len[SEG_SEC_POST] = o->off - o->m.off[SEG_SEC_POST];
    o->m.off[SEG_SEC_DOCLEN] = o->off;
}

static void seg_put_trailer(uint8_t *t, const seg_meta *m)
{
    ndb_put_u32le(t, SEG_TRAILER_MAGIC);
    ndb_put_u32le(t + 4, m->codec);
    ndb_put_u32le(t + 8, m->base);
    ndb_put_u32le(t + 12, m->ndocs);
    ndb_put_u64le(t + 16, m->nterms);
    ndb_put_u64le(t + 24, m->total_len);
    for (int k = 0; k < SEG_NSEC; k++) {
        ndb_put_u64le(t + 32 + 16 * k, m->off[k]);
        ndb_put_u64le(t + 40 + 16 * k, m->len[k]);
    }
}

ndb_rc ndb_segout_finish(ndb_segout *o, uint32_t ndocs, uint64_t total_len, ndb_err *err)
{
    uint8_t t[SEG_TRAILER_SIZE], f[NDB_FOOTER_SIZE];
    ndb_rc rc;
    o->m.ndocs = ndocs;
    o->m.total_len = total_len;
    o->m.len[SEG_SEC_DOCLEN] = o->off - o->m.off[SEG_SEC_DOCLEN];
    if (o->m.len[SEG_SEC_DOCLEN] != 4 * (uint64_t)ndocs)
        return ndb_err_set(err, NDB_EINVAL, "%s: doc length table of %llu bytes for %u docs",
                           o->tmp, (unsigned long long)o->m.len[SEG_SEC_DOCLEN], ndocs);
    o->m.off[SEG_SEC_TERMS] = o->off;
    o->m.len[SEG_SEC_TERMS] = o->td.blocks.n;
    if ((rc = ndb_segout_write(o, o->td.blocks.p, o->td.blocks.n, err)) != NDB_OK)
        return rc;
    o->m.off[SEG_SEC_TINDEX] = o->off;
    o->m.len[SEG_SEC_TINDEX] = o->td.index.n;
    if ((rc = ndb_segout_write(o, o->td.index.p, o->td.index.n, err)) != NDB_OK)
        return rc;
    seg_put_trailer(t, &o->m);
    if ((rc = ndb_segout_write(o, t, sizeof t, err)) != NDB_OK)
        return rc;
    ndb_put_u32le(f, NDB_FOOTER_MAGIC);
    ndb_put_u32le(f + 4, 1);
    ndb_put_u32le(f + 8, ndb_crc32c(o->crc, f, 8));
    if ((rc = ndb_segout_write(o, f, sizeof f, err)) != NDB_OK)
        return rc;
    if ((rc = seg_flush(o, err)) != NDB_OK)
        return rc;
    if (o->vfs->fsync(o->vfs, o->fd) != 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: fsync", o->tmp);
    int fd = o->fd;
    o->fd = -1;
    if (o->vfs->close(o->vfs, fd) != 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: close", o->tmp);
    if (o->vfs->rename(o->vfs, o->tmp, o->path) != 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: rename to %s", o->tmp, o->path);
    o->tmp[0] = 0; /* nothing to unlink any more */
    return NDB_OK;
}

void ndb_segout_abort(ndb_segout *o)
{
    if (o->fd >= 0)
        (void)o->vfs->close(o->vfs, o->fd);
    o->fd = -1;
    if (o->tmp[0])
        (void)o->vfs->unlink(o->vfs, o->tmp);
    o->tmp[0] = 0;
    ndb_buf_fini(&o->buf);
    ndb_buf_fini(&o->doc);
    ndb_termdict_writer_fini(&o->td);
    ndb_postings_enc_fini(&o->enc);
}

/* ------------------------------------------------------------ reader */

static ndb_rc seg_parse(ndb_seg *s, ndb_err *err)
{
    const uint8_t *p = s->p, *t;
    size_t n = s->n;
    seg_meta *m = &s->m;
    uint16_t major;
    if (n < NDB_HEADER_SIZE + SEG_TRAILER_SIZE + NDB_FOOTER_SIZE)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: too short (%zu bytes)", s->name, n);
    if (ndb_get_u32le(p) != NDB_FILE_MAGIC || ndb_get_u32le(p + 4) != NDB_KIND_SEGMENT)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: not a segment file (bad magic)", s->name);
    major = ndb_get_u16le(p + 8);
    if (major != SEG_MAJOR)
        return ndb_err_set(err, NDB_EFORMAT, "%s: segment format %u.%u, this build reads 1",
                           s->name, major, ndb_get_u16le(p + 10));
    if (ndb_get_u32le(p + n - 12) != NDB_FOOTER_MAGIC || ndb_get_u32le(p + n - 8) != 1)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: bad footer (truncated?)", s->name);
    t = p + n - NDB_FOOTER_SIZE - SEG_TRAILER_SIZE;
    if (ndb_get_u32le(t) != SEG_TRAILER_MAGIC)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: bad trailer magic", s->name);
    m->codec = ndb_get_u32le(t + 4);
    m->base = ndb_get_u32le(t + 8);
    m->ndocs = ndb_get_u32le(t + 12);
    m->nterms = ndb_get_u64le(t + 16);
    m->total_len = ndb_get_u64le(t + 24);
    uint64_t at = NDB_HEADER_SIZE;
    for (int k = 0; k < SEG_NSEC; k++) {
        m->off[k] = ndb_get_u64le(t + 32 + 16 * k);
        m->len[k] = ndb_get_u64le(t + 40 + 16 * k);
        if (m->off[k] != at || m->len[k] > (uint64_t)(t - p) - at)
            return ndb_err_set(err, NDB_ECORRUPT, "%s: section %d out of bounds", s->name, k);
        at += m->len[k];
    }
    if (at != (uint64_t)(t - p))
        return ndb_err_set(err, NDB_ECORRUPT, "%s: sections do not tile the file", s->name);
    s->codec = ndb_codec_get(m->codec & ((1u << SEG_POS_SHIFT) - 1));
    s->pos_fmt = m->codec >> SEG_POS_SHIFT & SEG_POS_MASK;
    s->skip_ratio = (m->codec & SEG_SKIP_RATIO) != 0;
    if (!s->codec || s->pos_fmt > NDB_POS_BYLIST2 ||
        m->codec >> SEG_POS_SHIFT & ~(SEG_POS_MASK | SEG_SKIP_RATIO >> SEG_POS_SHIFT) ||
        (s->skip_ratio && !seg_v14(s->pos_fmt)))
        return ndb_err_set(err, NDB_EFORMAT, "%s: unknown codec %u", s->name, m->codec);
    if (m->len[SEG_SEC_DOCLEN] != 4 * (uint64_t)m->ndocs ||
        (uint64_t)m->base + m->ndocs > UINT32_MAX)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: bad doc range %u+%u", s->name, m->base,
                           m->ndocs);
    ndb_slice tb = {p + m->off[SEG_SEC_TERMS], (size_t)m->len[SEG_SEC_TERMS]};
    ndb_slice ti = {p + m->off[SEG_SEC_TINDEX], (size_t)m->len[SEG_SEC_TINDEX]};
    if (m->nterms > m->len[SEG_SEC_TERMS] || ndb_termdict_open(&s->td, tb, ti, m->nterms))
        return ndb_err_set(err, NDB_ECORRUPT, "%s: bad term index", s->name);
    return NDB_OK;
}

static ndb_rc seg_load(ndb_seg *s, const ndb_vfs *vfs, const char *path, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    off_t size = 0;
    int fd = vfs->open(vfs, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        rc = ndb_err_sys(err, errno == ENOENT ? NDB_ENOTFOUND : NDB_EIO, errno, "%s: cannot open",
                         path);
        goto out;
    }
    if (vfs->fsize(vfs, fd, &size) != 0) {
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", path);
        goto out;
    }
    if (size <= 0 || (uint64_t)size > SIZE_MAX / 2) {
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: bad size %lld", path, (long long)size);
        goto out;
    }
    s->n = (size_t)size;
    void *m = mmap(NULL, s->n, PROT_READ, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) {
        s->p = m;
        s->mapped = true;
        goto out;
    }
    uint8_t *buf = ndb_malloc(s->n);
    if (!buf) {
        rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    s->p = buf;
    rc = ndb_vfs_pread_all(vfs, fd, buf, s->n, 0, path, err);
out:
    if (fd >= 0)
        (void)vfs->close(vfs, fd);
    return rc;
}

static void seg_release(ndb_seg *s)
{
    if (s->p && s->mapped)
        (void)munmap((void *)s->p, s->n);
    else
        ndb_free((void *)s->p);
    ndb_free(s);
}

ndb_rc ndb_seg_open(const ndb_vfs *vfs, const char *dir, const char *name, ndb_seg **out,
                    ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_seg *s = NULL;
    char path[PATH_MAX];

    ndb_err_clear(err);
    *out = NULL;
    if (strlen(name) >= SEG_NAME_MAX || ndb_path_join(path, sizeof path, dir, name)) {
        rc = ndb_err_set(err, NDB_ELIMIT, "%s/%s: name too long", dir, name);
        goto out;
    }
    s = ndb_calloc(1, sizeof *s);
    if (!s) {
        rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    atomic_init(&s->refs, 1);
    memcpy(s->name, name, strlen(name) + 1);
    if ((rc = seg_load(s, vfs, path, err)) != NDB_OK)
        goto out;
    if ((rc = seg_parse(s, err)) != NDB_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    if (s)
        seg_release(s);
    return rc;
}

void ndb_seg_ref(ndb_seg *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void ndb_seg_unref(ndb_seg *s)
{
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        seg_release(s);
}

uint32_t ndb_seg_base(const ndb_seg *s)
{
    return s->m.base;
}

uint32_t ndb_seg_ndocs(const ndb_seg *s)
{
    return s->m.ndocs;
}

uint64_t ndb_seg_bytes(const ndb_seg *s)
{
    return s->n;
}

uint64_t ndb_seg_nterms(const ndb_seg *s)
{
    return s->m.nterms;
}

uint64_t ndb_seg_total_len(const ndb_seg *s)
{
    return s->m.total_len;
}

const char *ndb_seg_name(const ndb_seg *s)
{
    return s->name;
}

uint32_t ndb_seg_doclen(const ndb_seg *s, uint32_t id)
{
    uint32_t i = id - s->m.base;
    if (id < s->m.base || i >= s->m.ndocs)
        return 0;
    return ndb_get_u32le(s->p + s->m.off[SEG_SEC_DOCLEN] + 4 * (size_t)i);
}

void ndb_seg_info_from(ndb_term_info *ti, const ndb_termdict_info *d)
{
    ti->df = d->df;
    ti->cf = d->cf;
    ti->max_tf = d->max_tf;
    ti->min_dl = d->min_dl;
    ti->doc_off = d->doc_off;
    ti->doc_len = d->doc_len;
    ti->pos_off = d->pos_off;
    ti->pos_len = d->pos_len;
}

void ndb_seg_drop_pages(const ndb_seg *s, uint64_t from, uint64_t to)
{
    const uint64_t page = 4096;
    uint64_t lo = (from + page - 1) / page * page, hi = to / page * page;
    if (!s->mapped || hi > s->n || lo >= hi)
        return;
    /* advice only: a failure leaves the pages mapped, which is harmless */
    (void)madvise((void *)(s->p + lo), (size_t)(hi - lo), MADV_DONTNEED);
}

bool ndb_seg_info_ok(const ndb_seg *s, const ndb_term_info *ti)
{
    uint64_t lo = s->m.off[SEG_SEC_POST], hi = lo + s->m.len[SEG_SEC_POST];
    return ti->doc_off >= lo && ti->doc_off <= hi && ti->doc_len <= hi - ti->doc_off &&
           ti->pos_off >= lo && ti->pos_off <= hi && ti->pos_len <= hi - ti->pos_off &&
           ti->df >= 1 && ti->df <= s->m.ndocs;
}

bool ndb_seg_term(const ndb_seg *s, const char *t, size_t n, ndb_term_info *ti)
{
    ndb_termdict_info d;
    if (n == 0 || n > NDB_TERMDICT_MAX ||
        ndb_termdict_find(&s->td, (const uint8_t *)t, n, &d) != NDB_OK)
        return false;
    ndb_seg_info_from(ti, &d);
    return true;
}

static int seg_term_cmp(const uint8_t *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

ndb_rc ndb_seg_cf_sorted(const ndb_seg *s, const char *const *t, const size_t *len, size_t n,
                         uint64_t *cf)
{
    ndb_termdict_iter it;
    bool have = false, done = false;
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < n && rc == NDB_OK && !done; i++) {
        int c = 1;
        if (len[i] == 0 || len[i] > NDB_TERMDICT_MAX)
            continue;
        if (have) { /* a few steps forward are cheaper than a new seek */
            c = seg_term_cmp(it.term, it.len, t[i], len[i]);
            for (unsigned k = 0; c < 0 && k < 32 && rc == NDB_OK && !done; k++) {
                rc = ndb_termdict_iter_next(&it, &done);
                if (rc == NDB_OK && !done)
                    c = seg_term_cmp(it.term, it.len, t[i], len[i]);
            }
        }
        if (rc == NDB_OK && !done && (!have || c < 0)) {
            rc = ndb_termdict_iter_seek(&it, &s->td, (const uint8_t *)t[i], len[i]);
            if (rc == NDB_OK)
                rc = ndb_termdict_iter_next(&it, &done);
            if (rc == NDB_OK && !done)
                c = seg_term_cmp(it.term, it.len, t[i], len[i]);
            have = true;
        }
        if (rc == NDB_OK && !done && c == 0)
            cf[i] += it.info.cf;
    }
    return rc;
}

ndb_rc ndb_seg_cursor(const ndb_seg *s, const ndb_term_info *ti, bool positions, ndb_cursor **out)
{
    ndb_postings_src src;
    *out = NULL;
    if (!ndb_seg_info_ok(s, ti))
        return NDB_ECORRUPT;
    src.codec = s->codec;
    src.doc = s->p + ti->doc_off;
    src.doc_len = (size_t)ti->doc_len;
    src.pos = s->p + ti->pos_off;
    src.pos_len = (size_t)ti->pos_len;
    src.df = ti->df;
    src.max_tf = ti->max_tf;
    src.min_dl = ti->min_dl;
    src.base = s->m.base;
    src.ndocs = s->m.ndocs;
    src.pos_fmt = ndb_pos_fmt_of_list(s->pos_fmt, ti->df, ti->cf);
    src.dls = s->p + s->m.off[SEG_SEC_DOCLEN];
    src.skip_packed = seg_v14(s->pos_fmt);
    src.skip_ratio = s->skip_ratio;
    return ndb_postings_cursor_new(&src, positions, out);
}

ndb_rc ndb_seg_prefix(const ndb_seg *s, const char *p, size_t n, ndb_term_fn fn, void *fctx)
{
    ndb_termdict_iter it;
    bool done = false;
    ndb_rc rc = ndb_termdict_iter_seek(&it, &s->td, (const uint8_t *)p, n);
    while (rc == NDB_OK) {
        if ((rc = ndb_termdict_iter_next(&it, &done)) != NDB_OK || done)
            break;
        if (it.len < n || memcmp(it.term, p, n) != 0)
            break;
        rc = fn(fctx, (const char *)it.term, it.len);
    }
    return rc;
}
