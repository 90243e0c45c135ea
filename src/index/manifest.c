/*
** manifest.c — reading and writing MANIFEST-<gen>, the commit point (see manifest.h for
** the byte layout and the protocol).
**
** Invariants:
**   1. A manifest is written only after every file it references is durable (the caller
**      syncs the store and segments first); the rename of the manifest is the commit.
**   2. Load never trusts a byte: the frame CRC is checked before decoding, every count is
**      bounded (segments <= NDB_MANIFEST_MAX_SEGS), segments must tile [0, ndocs) in order.
**   3. The newest two manifests are kept; older ones are deleted after a commit.
*/
#include "index/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void ndb_manifest_init(ndb_manifest *m)
{
    memset(m, 0, sizeof *m);
}

void ndb_manifest_fini(ndb_manifest *m)
{
    ndb_free(m->segs);
    memset(m, 0, sizeof *m);
}

ndb_rc ndb_manifest_copy(ndb_manifest *dst, const ndb_manifest *src)
{
    ndb_manifest_seg *segs = NULL;
    if (src->nsegs) {
        segs = ndb_calloc(src->nsegs, sizeof *segs);
        if (!segs)
            return NDB_ENOMEM;
        memcpy(segs, src->segs, src->nsegs * sizeof *segs);
    }
    ndb_manifest_fini(dst);
    *dst = *src;
    dst->segs = segs;
    return NDB_OK;
}

ndb_rc ndb_manifest_add_seg(ndb_manifest *m, const ndb_manifest_seg *s)
{
    ndb_manifest_seg *n;
    if (m->nsegs >= NDB_MANIFEST_MAX_SEGS)
        return NDB_ELIMIT;
    n = ndb_realloc(m->segs, (m->nsegs + 1) * sizeof *n);
    if (!n)
        return NDB_ENOMEM;
    n[m->nsegs++] = *s;
    m->segs = n;
    return NDB_OK;
}

void ndb_manifest_seg_name(uint64_t k, char *out, size_t cap)
{
    snprintf(out, cap, "seg-%016" PRIx64 ".ndx", k);
}

ndb_rc ndb_manifest_encode(const ndb_manifest *m, ndb_buf *b)
{
    ndb_rc rc = ndb_frame_header(b, NDB_KIND_MANIFEST, m->langstem ? 2 : 1, 0);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(b, m->gen);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u32le(b, (uint32_t)m->stemmer | (uint32_t)m->langstem << 8);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u32le(b, m->store.ndocs);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u32le(b, m->store.noutlets);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(b, m->store.total_len);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(b, m->store.raw_bytes);
    for (int i = 0; i < NDB_STORE_NFILES && rc == NDB_OK; i++) {
        rc = ndb_buf_append_u64le(b, m->store.len[i]);
        if (rc == NDB_OK)
            rc = ndb_buf_append_u32le(b, m->store.crc[i]);
    }
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(b, m->next_seg);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u32le(b, (uint32_t)m->nsegs);
    for (size_t i = 0; i < m->nsegs && rc == NDB_OK; i++) {
        const ndb_manifest_seg *s = &m->segs[i];
        rc = ndb_buf_append_lp(b, s->name, strlen(s->name));
        if (rc == NDB_OK)
            rc = ndb_buf_append_u32le(b, s->base);
        if (rc == NDB_OK)
            rc = ndb_buf_append_u32le(b, s->ndocs);
        if (rc == NDB_OK)
            rc = ndb_buf_append_u64le(b, s->bytes);
        if (rc == NDB_OK)
            rc = ndb_buf_append_u32le(b, s->level);
    }
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(b, m->time);
    if (rc == NDB_OK)
        rc = ndb_frame_footer(b);
    return rc;
}

/* Segments must tile [0, ndocs) in order, with sane names. */
static ndb_rc manifest_validate(const ndb_manifest *m, const char *name, ndb_err *err)
{
    uint32_t next = 0;
    if (m->stemmer > NDB_STEM_NONE)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: unknown stemmer %d", name, (int)m->stemmer);
    for (size_t i = 0; i < m->nsegs; i++) {
        const ndb_manifest_seg *s = &m->segs[i];
        if (s->base != next || s->ndocs == 0 || (uint64_t)s->base + s->ndocs > m->store.ndocs)
            return ndb_err_set(err, NDB_ECORRUPT,
                               "%s: segment %s covers docs %u..%u, expected to start at %u",
                               name, s->name, s->base, s->base + s->ndocs, next);
        if (strncmp(s->name, "seg-", 4) != 0 || strchr(s->name, '/'))
            return ndb_err_set(err, NDB_ECORRUPT, "%s: bad segment name", name);
        next = s->base + s->ndocs;
    }
    if (next != m->store.ndocs)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: segments cover %u docs, store has %u", name,
                           next, m->store.ndocs);
    return NDB_OK;
}

ndb_rc ndb_manifest_decode(const uint8_t *p, size_t n, const char *name, ndb_manifest *m,
                           ndb_err *err)
{
    ndb_slice body;
    ndb_rd r;
    uint32_t stem = 0, nsegs = 0;
    ndb_rc rc = ndb_frame_check(p, n, NDB_KIND_MANIFEST, 1, 2, name, &body, err);
    uint16_t major;
    if (rc != NDB_OK)
        return rc;
    major = ndb_get_u16le(p + 8);
    ndb_manifest_init(m);
    ndb_rd_init(&r, body.p, body.n, NDB_ECORRUPT);
    rc = ndb_rd_u64le(&r, &m->gen);
    if (rc == NDB_OK)
        rc = ndb_rd_u32le(&r, &stem);
    m->stemmer = (ndb_stemmer)(stem & 0xffu);
    m->langstem = (uint8_t)(stem >> 8);
    if (rc == NDB_OK && ((stem >> 16) != 0 || m->langstem > 1 || (major == 1) != !m->langstem))
        rc = NDB_ECORRUPT;
    if (rc == NDB_OK)
        rc = ndb_rd_u32le(&r, &m->store.ndocs);
    if (rc == NDB_OK)
        rc = ndb_rd_u32le(&r, &m->store.noutlets);
    if (rc == NDB_OK)
        rc = ndb_rd_u64le(&r, &m->store.total_len);
    if (rc == NDB_OK)
        rc = ndb_rd_u64le(&r, &m->store.raw_bytes);
    for (int i = 0; i < NDB_STORE_NFILES && rc == NDB_OK; i++) {
        rc = ndb_rd_u64le(&r, &m->store.len[i]);
        if (rc == NDB_OK)
            rc = ndb_rd_u32le(&r, &m->store.crc[i]);
    }
    if (rc == NDB_OK)
        rc = ndb_rd_u64le(&r, &m->next_seg);
    if (rc == NDB_OK)
        rc = ndb_rd_u32le(&r, &nsegs);
    if (rc == NDB_OK && nsegs > NDB_MANIFEST_MAX_SEGS)
        rc = NDB_ECORRUPT;
    if (rc == NDB_OK && nsegs) {
        m->segs = ndb_calloc(nsegs, sizeof *m->segs);
        if (!m->segs)
            rc = NDB_ENOMEM;
    }
    for (uint32_t i = 0; i < nsegs && rc == NDB_OK; i++) {
        ndb_manifest_seg *s = &m->segs[i];
        ndb_slice nm;
        rc = ndb_rd_lp(&r, &nm);
        if (rc == NDB_OK && (nm.n == 0 || nm.n >= sizeof s->name))
            rc = NDB_ECORRUPT;
        if (rc == NDB_OK) {
            memcpy(s->name, nm.p, nm.n);
            s->name[nm.n] = 0;
            rc = ndb_rd_u32le(&r, &s->base);
        }
        if (rc == NDB_OK)
            rc = ndb_rd_u32le(&r, &s->ndocs);
        if (rc == NDB_OK)
            rc = ndb_rd_u64le(&r, &s->bytes);
        if (rc == NDB_OK)
            rc = ndb_rd_u32le(&r, &s->level);
        m->nsegs = i + 1;
    }
    if (rc == NDB_OK)
        rc = ndb_rd_u64le(&r, &m->time);
    if (rc == NDB_OK && ndb_rd_left(&r) != 0)
        rc = NDB_ECORRUPT;
    if (rc != NDB_OK) {
        ndb_manifest_fini(m);
        if (rc == NDB_ENOMEM)
            return ndb_err_set(err, rc, "%s: out of memory", name);
        return ndb_err_set(err, rc, "%s: malformed manifest body", name);
    }
    rc = manifest_validate(m, name, err);
    if (rc != NDB_OK)
        ndb_manifest_fini(m);
    return rc;
}

/* Generation encoded in a MANIFEST-<16 hex> file name, or false. */
static bool manifest_parse_name(const char *s, uint64_t *gen)
{
    uint64_t g = 0;
    if (strncmp(s, "MANIFEST-", 9) != 0 || strlen(s) != 25)
        return false;
    for (int i = 9; i < 25; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return false;
        g = g << 4 | (uint64_t)v;
    }
    *gen = g;
    return true;
}

static int manifest_cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* All manifest generations in dir, newest first. *gens OWNED. */
static ndb_rc manifest_list(const char *dir, uint64_t **gens, size_t *n, ndb_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    uint64_t *v = NULL;
    size_t k = 0, cap = 0;
    *gens = NULL;
    *n = 0;
    if (!d) {
        if (errno == ENOENT)
            return ndb_err_set(err, NDB_ENOTFOUND, "%s: no such directory", dir);
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot list", dir);
    }
    while ((e = readdir(d)) != NULL) {
        uint64_t g;
        if (!manifest_parse_name(e->d_name, &g))
            continue;
        if (k == cap) {
            uint64_t *nv = ndb_realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
            if (!nv) {
                ndb_free(v);
                closedir(d);
                return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", dir);
            }
            v = nv;
        }
        v[k++] = g;
    }
    closedir(d);
    if (k > 1)
        qsort(v, k, sizeof *v, manifest_cmp_desc);
    *gens = v;
    *n = k;
    return NDB_OK;
}

ndb_rc ndb_manifest_write(const ndb_vfs *vfs, const char *dir, const ndb_manifest *m,
                          ndb_err *err)
{
    ndb_buf b;
    char name[64];
    uint64_t *gens = NULL;
    size_t n = 0;
    ndb_rc rc;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    rc = ndb_manifest_encode(m, &b);
    if (rc != NDB_OK) {
        rc = ndb_err_set(err, rc, "%s: cannot encode manifest", dir);
        goto out;
    }
    snprintf(name, sizeof name, "MANIFEST-%016" PRIx64, m->gen);
    rc = ndb_vfs_write_atomic(vfs, dir, name, b.p, b.n, err);
    if (rc != NDB_OK)
        goto out;
    /* Old manifests: best effort, a failure here loses nothing. */
    if (manifest_list(dir, &gens, &n, NULL) == NDB_OK) {
        for (size_t i = 0; i < n; i++) {
            char path[4200];
            if (gens[i] + 1 >= m->gen)
                continue;
            snprintf(name, sizeof name, "MANIFEST-%016" PRIx64, gens[i]);
            if (ndb_path_join(path, sizeof path, dir, name) == NDB_OK)
                vfs->unlink(vfs, path);
        }
    }
out:
    ndb_free(gens);
    ndb_buf_fini(&b);
    return rc;
}

ndb_rc ndb_manifest_load(const ndb_vfs *vfs, const char *dir, ndb_manifest *m, ndb_err *err)
{
    uint64_t *gens = NULL;
    size_t n = 0;
    ndb_rc rc = manifest_list(dir, &gens, &n, err);
    ndb_rc first_bad = NDB_OK;
    ndb_err bad_err;
    ndb_manifest_init(m);
    if (rc != NDB_OK)
        return rc;
    rc = ndb_err_set(err, NDB_ENOTFOUND, "%s: no newsdb archive here (no MANIFEST)", dir);
    for (size_t i = 0; i < n; i++) {
        char name[64], path[4200];
        uint8_t *p = NULL;
        size_t len = 0;
        snprintf(name, sizeof name, "MANIFEST-%016" PRIx64, gens[i]);
        if (ndb_path_join(path, sizeof path, dir, name) != NDB_OK)
            continue;
        rc = ndb_vfs_read_file(vfs, path, 64u << 20, &p, &len, first_bad ? NULL : &bad_err);
        if (rc == NDB_OK)
            rc = ndb_manifest_decode(p, len, name, m, first_bad ? NULL : &bad_err);
        ndb_free(p);
        if (rc == NDB_OK) {
            ndb_err_clear(err);
            break;
        }
        if (rc == NDB_ENOMEM)
            break;
        if (first_bad == NDB_OK)
            first_bad = rc;
    }
    if (rc != NDB_OK && first_bad != NDB_OK && err) {
        *err = bad_err;
        rc = first_bad;
    }
    ndb_free(gens);
    return rc;
}
