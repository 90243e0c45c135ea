/*
** dedup_runs.c — the band keys of older articles as sorted runs on disk, so that the
** writer's near-duplicate memory is a fixed budget instead of ~400 bytes per article.
**
** Why this shape: an article's candidates are the earlier articles sharing two of its 64
** LSH band keys. Looking keys up one article at a time needs them in memory (random reads);
** looking up a whole commit's keys at once does not: sorted by key, the batch meets each
** sorted run in one forward pass (a merge join, as a database joins two sorted tables), and
** reads only the run's buckets that hold batch keys, or all of it in large sequential pieces
** when the batch is dense. So the writer keeps the recent articles' keys in memory
** (dedup_map.c, looked up at add), and when they pass the budget at a commit they are
** written out as a run; older articles' candidates are found at commit. Runs of one level
** are merged FANIN at a time into the next (LevelDB's and Lucene's tiered merging), so a
** commit meets O(FANIN log n) runs and each key is rewritten O(log n) times.
**
** File "dkey-<base 8 hex>-<count 8 hex>.ndk" (framed, kind "DKEY", version 1.0), body:
**   u32 base, u32 count, u32 level, u32 dbits (0..16: ~64 entries per bucket), u64 n
**   n x u64le key << 32 | id, ascending by key; base <= id < base + count
**   u64 dir[2^dbits + 1]: entries of the keys whose top dbits bits are b: [dir[b], dir[b+1])
** (the directory last, so that a merge streams its output: it is counted on the way).
** Runs are derived from the dup files (which hold the same keys in article order): a spill
** is not synced (a torn run fails its checksum at the next open and is rebuilt from the dup
** files); a merge's output is, before the runs it replaces are deleted.
*/
#include "api/dedup_runs.h"

#include "analytics/dedup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#define RUN_KIND      0x59454b44u /* "DKEY" */
#define RUN_VERSION   1u
#define RUN_DBITS_MAX 16u
#define RUN_ENTRIES   ((uint64_t)NDB_HEADER_SIZE + 24u) /* offset of entry 0 */
#define RUN_PIECE     ((size_t)1 << 17) /* entries per sequential read: 1 MB */
#define RUN_SPARSE    256u              /* at least this many entries per read */
#define RUN_OUTBUF    ((size_t)1 << 20)

static unsigned run_dbits(uint64_t n)
{
    unsigned d = 0;
    while (d < RUN_DBITS_MAX && (n >> d) > 64)
        d++;
    return d;
}

static uint64_t run_size(uint64_t n, unsigned dbits)
{
    return RUN_ENTRIES + n * 8 + (((uint64_t)1 << dbits) + 1) * 8 + NDB_FOOTER_SIZE;
}

static uint32_t run_bucket(uint32_t key, unsigned dbits)
{
    return dbits ? key >> (32u - dbits) : 0;
}

static void run_name(char *out, size_t cap, uint32_t base, uint32_t count)
{
    snprintf(out, cap, "dkey-%08x-%08x.ndk", base, count);
}

static ndb_rc run_path(const api_dedup_runs *r, const char *name, char *out, size_t cap,
                       ndb_err *err)
{
    if (ndb_path_join(out, cap, r->dir, name) != NDB_OK)
        return ndb_err_set(err, NDB_ELIMIT, "%s/%s: path too long", r->dir, name);
    return NDB_OK;
}

static void run_unlink(const api_dedup_runs *r, uint32_t base, uint32_t count)
{
    char name[40], path[4200];
    run_name(name, sizeof name, base, count);
    if (ndb_path_join(path, sizeof path, r->dir, name) == NDB_OK)
        r->vfs->unlink(r->vfs, path);
}

/* ---------------------------------------------------------------- writing */

typedef struct run_out { /* a run written front to back: CRC running, directory counted */
    const ndb_vfs *vfs;
    int fd;
    uint64_t off;
    uint32_t crc;
    uint8_t *buf;
    size_t n;
    api_dedup_run *run;  /* run->dir counts entries per bucket as they pass */
    uint64_t written;    /* entries */
    uint64_t last;       /* the previous entry (order check) */
    char path[4200];
    ndb_err *err;
} run_out;

static ndb_rc out_drain(run_out *o)
{
    ndb_rc rc = ndb_vfs_pwrite_all(o->vfs, o->fd, o->buf, o->n, (off_t)o->off, o->path, o->err);
    o->crc = ndb_crc32c(o->crc, o->buf, o->n);
    o->off += o->n;
    o->n = 0;
    return rc;
}

static ndb_rc out_put(run_out *o, const void *p, size_t n)
{
    ndb_rc rc = NDB_OK;
    const uint8_t *s = p;
    while (n > 0 && rc == NDB_OK) {
        size_t k = RUN_OUTBUF - o->n < n ? RUN_OUTBUF - o->n : n;
        memcpy(o->buf + o->n, s, k);
        o->n += k;
        s += k;
        n -= k;
        if (o->n == RUN_OUTBUF)
            rc = out_drain(o);
    }
    return rc;
}

/* One entry (key << 32 | id), keys ascending, its id inside the run. */
static ndb_rc out_entry(run_out *o, uint64_t e)
{
    api_dedup_run *run = o->run;
    uint32_t id = (uint32_t)e;
    if ((o->written > 0 && e >> 32 < o->last >> 32) || id < run->base || id - run->base >= run->count)
        return ndb_err_set(o->err, NDB_EINVAL, "%s: entry %llu out of order or range",
                           o->path, (unsigned long long)o->written);
    o->last = e;
    o->written++;
    run->dir[run_bucket((uint32_t)(e >> 32), run->dbits) + 1]++;
    if (o->n + 8 > RUN_OUTBUF) {
        ndb_rc rc = out_drain(o);
        if (rc != NDB_OK)
            return rc;
    }
    ndb_put_u64le(o->buf + o->n, e);
    o->n += 8;
    return NDB_OK;
}

/* Create the tmp file of run and write its header; run->dir is allocated and zeroed. */
static ndb_rc out_begin(run_out *o, const api_dedup_runs *r, api_dedup_run *run)
{
    char name[48];
    ndb_buf h;
    ndb_rc rc;
    o->vfs = r->vfs;
    o->fd = -1;
    o->run = run;
    snprintf(name, sizeof name, "dkey-%08x-%08x.ndk.tmp", run->base, run->count);
    rc = run_path(r, name, o->path, sizeof o->path, o->err);
    if (rc != NDB_OK)
        return rc;
    run->dbits = run_dbits(run->n);
    run->dir = ndb_calloc(((size_t)1 << run->dbits) + 1, sizeof *run->dir);
    o->buf = ndb_malloc(RUN_OUTBUF);
    if (!run->dir || !o->buf)
        return ndb_err_set(o->err, NDB_ENOMEM, "out of memory");
    o->fd = o->vfs->open(o->vfs, o->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (o->fd < 0)
        return ndb_err_sys(o->err, NDB_EIO, errno, "%s: cannot create", o->path);
    ndb_buf_init(&h, NDB_BUF_NOMAX);
    rc = ndb_frame_header(&h, RUN_KIND, RUN_VERSION, 0);
    const uint32_t f[4] = {run->base, run->count, run->level, run->dbits};
    for (int i = 0; i < 4 && rc == NDB_OK; i++)
        rc = ndb_buf_append_u32le(&h, f[i]);
    if (rc == NDB_OK)
        rc = ndb_buf_append_u64le(&h, run->n);
    if (rc == NDB_OK)
        rc = out_put(o, h.p, h.n);
    else
        rc = ndb_err_set(o->err, rc, "out of memory");
    ndb_buf_fini(&h);
    return rc;
}

/* Directory (counts -> starts), footer, (sync when asked), close, rename to the run's name.
** On failure (or rc already an error) the tmp file goes and run->dir is freed. */
static ndb_rc out_end(run_out *o, const api_dedup_runs *r, api_dedup_run *run, ndb_rc rc,
                      bool sync)
{
    char name[40], dst[4200];
    uint8_t foot[NDB_FOOTER_SIZE];
    size_t nb = (size_t)1 << run->dbits;
    run_name(name, sizeof name, run->base, run->count);
    if (rc == NDB_OK && o->written != run->n)
        rc = ndb_err_set(o->err, NDB_ECORRUPT, "%s: %llu entries, not %llu", o->path,
                         (unsigned long long)o->written, (unsigned long long)run->n);
    if (rc == NDB_OK)
        rc = run_path(r, name, dst, sizeof dst, o->err);
    for (size_t b = 0; b < nb && rc == NDB_OK; b++)
        run->dir[b + 1] += run->dir[b];
    for (size_t b = 0; b <= nb && rc == NDB_OK; b++) {
        uint8_t v[8];
        ndb_put_u64le(v, run->dir[b]);
        rc = out_put(o, v, sizeof v);
    }
    if (rc == NDB_OK)
        rc = out_drain(o);
    if (rc == NDB_OK) {
        ndb_put_u32le(foot, NDB_FOOTER_MAGIC);
        ndb_put_u32le(foot + 4, 1);
        ndb_put_u32le(foot + 8, ndb_crc32c(o->crc, foot, 8));
        rc = ndb_vfs_pwrite_all(o->vfs, o->fd, foot, sizeof foot, (off_t)o->off, o->path,
                                o->err);
    }
    if (rc == NDB_OK && sync && o->vfs->fsync(o->vfs, o->fd) != 0)
        rc = ndb_err_sys(o->err, NDB_EIO, errno, "%s: fsync failed", o->path);
    if (o->fd >= 0 && o->vfs->close(o->vfs, o->fd) != 0 && rc == NDB_OK)
        rc = ndb_err_sys(o->err, NDB_EIO, errno, "%s: close failed", o->path);
    if (rc == NDB_OK && o->vfs->rename(o->vfs, o->path, dst) != 0)
        rc = ndb_err_sys(o->err, NDB_EIO, errno, "%s: rename failed", dst);
    if (rc == NDB_OK && sync && o->vfs->fsync_dir(o->vfs, r->dir) != 0)
        rc = ndb_err_sys(o->err, NDB_EIO, errno, "%s: directory fsync failed", r->dir);
    if (rc != NDB_OK && o->fd >= 0)
        o->vfs->unlink(o->vfs, o->path);
    if (rc != NDB_OK) {
        ndb_free(run->dir);
        run->dir = NULL;
    }
    o->fd = -1;
    ndb_free(o->buf);
    o->buf = NULL;
    return rc;
}

static ndb_rc runs_push(api_dedup_runs *r, const api_dedup_run *run)
{
    ndb_rc rc = ndb_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v);
    if (rc == NDB_OK) {
        r->v[r->n++] = *run;
        r->end = run->base + run->count;
    }
    return rc;
}

/* ---------------------------------------------------------------- reading */

typedef struct run_cur { /* entries of one run, read piece by piece */
    const ndb_vfs *vfs;
    int fd;
    const api_dedup_run *run;
    uint8_t *buf;         /* entries [start, start + len) */
    uint64_t start;
    size_t len;
    uint64_t pos;         /* (merge) the next entry */
    char path[4200];
    ndb_err *err;
} run_cur;

static ndb_rc cur_open(run_cur *c, const api_dedup_runs *r, const api_dedup_run *run,
                       ndb_err *err)
{
    char name[40];
    memset(c, 0, sizeof *c);
    c->vfs = r->vfs;
    c->fd = -1;
    c->run = run;
    c->err = err;
    run_name(name, sizeof name, run->base, run->count);
    if (run_path(r, name, c->path, sizeof c->path, err) != NDB_OK)
        return NDB_ELIMIT;
    c->buf = ndb_malloc(RUN_PIECE * 8);
    if (!c->buf)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    c->fd = r->vfs->open(r->vfs, c->path, O_RDONLY, 0);
    if (c->fd < 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot open", c->path);
    return NDB_OK;
}

static void cur_close(run_cur *c)
{
    if (c->fd >= 0)
        c->vfs->close(c->vfs, c->fd);
    ndb_free(c->buf);
    c->fd = -1;
    c->buf = NULL;
}

/* Make entry pos (< n) readable: when it is not buffered, read from pos up to `want`
** entries (at least RUN_SPARSE, at most a piece, not past the run). */
static ndb_rc cur_at(run_cur *c, uint64_t pos, uint64_t want)
{
    size_t k;
    ndb_rc rc;
    if (pos >= c->start && pos < c->start + c->len)
        return NDB_OK;
    k = want < RUN_SPARSE ? RUN_SPARSE : want > RUN_PIECE ? RUN_PIECE : (size_t)want;
    if (k > c->run->n - pos)
        k = (size_t)(c->run->n - pos);
    c->start = pos;
    c->len = 0;
    rc = ndb_vfs_pread_all(c->vfs, c->fd, c->buf, k * 8, (off_t)(RUN_ENTRIES + pos * 8),
                           c->path, c->err);
    if (rc == NDB_OK)
        c->len = k;
    return rc;
}

static inline uint64_t cur_get(const run_cur *c, uint64_t pos)
{
    return ndb_get_u64le(c->buf + (pos - c->start) * 8);
}

/* ---------------------------------------------------------------- open */

typedef struct run_file {
    uint32_t base, count;
} run_file;

static int run_file_cmp(const void *a, const void *b)
{
    const run_file *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return (x->count < y->count) - (x->count > y->count); /* longest first */
}

/* Read and check run file (base, count): frame and CRC, header against name and size,
** directory. */
static ndb_rc run_load(const api_dedup_runs *r, uint32_t base, uint32_t count,
                       api_dedup_run *out, ndb_err *err)
{
    char name[40], path[4200];
    uint8_t h[24];
    off_t size = 0;
    int fd;
    ndb_rc rc;
    memset(out, 0, sizeof *out);
    run_name(name, sizeof name, base, count);
    rc = run_path(r, name, path, sizeof path, err);
    if (rc != NDB_OK)
        return rc;
    fd = r->vfs->open(r->vfs, path, O_RDONLY, 0);
    if (fd < 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot open", path);
    if (r->vfs->fsize(r->vfs, fd, &size) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", path);
    if (rc == NDB_OK)
        rc = ndb_frame_check_fd(r->vfs, fd, (uint64_t)size, RUN_KIND, RUN_VERSION, RUN_VERSION,
                                path, err);
    if (rc == NDB_OK && (uint64_t)size < run_size(0, 0))
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: truncated", path);
    if (rc == NDB_OK)
        rc = ndb_vfs_pread_all(r->vfs, fd, h, sizeof h, NDB_HEADER_SIZE, path, err);
    if (rc == NDB_OK) {
        out->base = ndb_get_u32le(h);
        out->count = ndb_get_u32le(h + 4);
        out->level = ndb_get_u32le(h + 8);
        out->dbits = ndb_get_u32le(h + 12);
        out->n = ndb_get_u64le(h + 16);
        if (out->base != base || out->count != count || out->level > 64 ||
            out->dbits != run_dbits(out->n) || out->n > (uint64_t)count * NDB_DEDUP_BANDS ||
            run_size(out->n, out->dbits) != (uint64_t)size)
            rc = ndb_err_set(err, NDB_ECORRUPT, "%s: header does not match the file", path);
    }
    if (rc == NDB_OK) {
        size_t nb = ((size_t)1 << out->dbits) + 1;
        out->dir = ndb_malloc(nb * sizeof *out->dir);
        rc = out->dir ? NDB_OK : ndb_err_set(err, NDB_ENOMEM, "out of memory");
        if (rc == NDB_OK) /* read in place (u64le), then decoded in place */
            rc = ndb_vfs_pread_all(r->vfs, fd, out->dir, nb * 8,
                                   (off_t)(RUN_ENTRIES + out->n * 8), path, err);
        for (size_t b = 0; b < nb && rc == NDB_OK; b++) {
            out->dir[b] = ndb_get_u64le((const uint8_t *)&out->dir[b]);
            if ((b == 0 && out->dir[b] != 0) || (b > 0 && out->dir[b] < out->dir[b - 1]) ||
                (b == nb - 1 && out->dir[b] != out->n))
                rc = ndb_err_set(err, NDB_ECORRUPT, "%s: bad directory", path);
        }
    }
    r->vfs->close(r->vfs, fd);
    if (rc != NDB_OK) {
        ndb_free(out->dir);
        out->dir = NULL;
    }
    return rc;
}

/* Parse "dkey-<8 hex>-<8 hex>.ndk", or that name plus ".tmp" (*tmp). */
static bool run_name_parse(const char *n, uint32_t *base, uint32_t *count, bool *tmp)
{
    char tail[8];
    unsigned b, c;
    size_t len = strlen(n);
    *tmp = len == 4 + 1 + 8 + 1 + 8 + 4 + 4 && strcmp(n + len - 4, ".tmp") == 0;
    if ((len != 4 + 1 + 8 + 1 + 8 + 4 && !*tmp) || strncmp(n, "dkey-", 5) != 0)
        return false;
    if (sscanf(n, "dkey-%8x-%8x%4s", &b, &c, tail) != 3 || strcmp(tail, ".ndk") != 0)
        return false;
    *base = b;
    *count = c;
    return true;
}

ndb_rc api_dedup_runs_open(api_dedup_runs *r, const ndb_vfs *vfs, const char *dir,
                           uint32_t covered, ndb_err *err)
{
    DIR *dd;
    struct dirent *e;
    run_file *f = NULL;
    size_t nf = 0, fcap = 0;
    ndb_rc rc = NDB_OK;
    memset(r, 0, sizeof *r);
    r->vfs = vfs;
    r->dir = dir;
    dd = opendir(dir);
    if (!dd)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot list", dir);
    while (rc == NDB_OK && (e = readdir(dd)) != NULL) {
        run_file x;
        bool tmp;
        char path[4200];
        if (!run_name_parse(e->d_name, &x.base, &x.count, &tmp))
            continue;
        if (tmp) { /* a spill or merge cut short */
            if (ndb_path_join(path, sizeof path, dir, e->d_name) == NDB_OK)
                vfs->unlink(vfs, path);
            continue;
        }
        rc = ndb_grow((void **)&f, &fcap, nf + 1, sizeof *f);
        if (rc == NDB_OK)
            f[nf++] = x;
    }
    closedir(dd);
    if (rc != NDB_OK) {
        ndb_free(f);
        return ndb_err_set(err, rc, "out of memory");
    }
    if (nf > 1)
        qsort(f, nf, sizeof *f, run_file_cmp);
    for (size_t i = 0; i < nf && rc == NDB_OK; i++) {
        api_dedup_run run;
        ndb_err lerr;
        bool use = f[i].base == r->end && f[i].count > 0 &&
                   (uint64_t)f[i].base + f[i].count <= covered &&
                   run_load(r, f[i].base, f[i].count, &run, &lerr) == NDB_OK;
        if (use && (rc = runs_push(r, &run)) != NDB_OK)
            ndb_free(run.dir);
        if (!use) /* torn, stale (past the commit), or replaced by a merge: derived data */
            run_unlink(r, f[i].base, f[i].count);
    }
    ndb_free(f);
    if (rc != NDB_OK) {
        api_dedup_runs_fini(r);
        return ndb_err_set(err, rc, "out of memory");
    }
    return NDB_OK;
}

void api_dedup_runs_fini(api_dedup_runs *r)
{
    for (size_t i = 0; i < r->n; i++)
        ndb_free(r->v[i].dir);
    ndb_free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
    r->end = 0;
}

uint64_t api_dedup_runs_bytes(const api_dedup_runs *r)
{
    uint64_t s = 0;
    for (size_t i = 0; i < r->n; i++)
        s += run_size(r->v[i].n, r->v[i].dbits);
    return s;
}

/* ---------------------------------------------------------------- merge */

/* Merge the last k runs (consecutive articles) into one run of the next level: a k-way
** merge of sorted streams, each read a piece at a time. */
static ndb_rc runs_merge(api_dedup_runs *r, size_t k, ndb_err *err)
{
    api_dedup_run out = {0};
    api_dedup_run *in = r->v + r->n - k;
    run_cur cur[API_DEDUP_RUN_FANIN];
    run_out o = {.fd = -1, .err = err};
    size_t opened = 0;
    ndb_rc rc = NDB_OK;
    out.base = in[0].base;
    out.level = in[0].level + 1;
    for (size_t i = 0; i < k; i++) {
        out.count += in[i].count;
        out.n += in[i].n;
    }
    for (; opened < k && rc == NDB_OK; opened++) {
        rc = cur_open(&cur[opened], r, &in[opened], err);
        if (rc == NDB_OK && in[opened].n > 0)
            rc = cur_at(&cur[opened], 0, RUN_PIECE);
    }
    if (rc == NDB_OK)
        rc = out_begin(&o, r, &out);
    for (uint64_t w = 0; w < out.n && rc == NDB_OK; w++) {
        size_t best = k;
        uint64_t be = 0;
        for (size_t i = 0; i < k; i++) {
            if (cur[i].pos >= in[i].n)
                continue;
            uint64_t e = cur_get(&cur[i], cur[i].pos);
            if (best == k || e < be) {
                best = i;
                be = e;
            }
        }
        if (best == k) {
            rc = ndb_err_set(err, NDB_ECORRUPT, "band runs: fewer entries than announced");
            break;
        }
        rc = out_entry(&o, be);
        if (rc == NDB_OK && ++cur[best].pos < in[best].n)
            rc = cur_at(&cur[best], cur[best].pos, RUN_PIECE);
    }
    for (size_t i = 0; i < opened; i++)
        cur_close(&cur[i]);
    if (o.buf || o.fd >= 0 || out.dir)
        rc = out_end(&o, r, &out, rc, true);
    if (rc != NDB_OK)
        return rc;
    for (size_t i = 0; i < k; i++) { /* the merged run is durable: drop its inputs */
        run_unlink(r, in[i].base, in[i].count);
        ndb_free(in[i].dir);
    }
    r->n -= k;
    r->merges++;
    return runs_push(r, &out); /* (room: k >= 1 slots were just freed) */
}

/* ---------------------------------------------------------------- spill */

ndb_rc api_dedup_runs_spill(api_dedup_runs *r, api_dedup_map *m, uint32_t count, ndb_err *err)
{
    api_dedup_run run = {r->end, count, 0, 0, 0, NULL};
    run_out o = {.fd = -1, .err = err};
    ndb_rc rc;
    if ((uint64_t)r->end + count > UINT32_MAX)
        return ndb_err_set(err, NDB_ELIMIT, "band runs: past 2^32 articles");
    rc = api_dedup_map_flush(m);
    if (rc == NDB_OK)
        rc = ndb_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "band runs: %s", ndb_strerror(rc));
    run.n = m->n;
    rc = out_begin(&o, r, &run);
    if (rc == NDB_OK && m->n > 0) { /* the map's sorted part, bucket by bucket */
        unsigned sh = 32u - m->dbits;
        for (size_t b = 0; b < ((size_t)1 << m->dbits) && rc == NDB_OK; b++)
            for (size_t i = m->dir[b]; i < m->dir[b + 1] && rc == NDB_OK; i++)
                rc = out_entry(&o, (uint64_t)((uint32_t)(b << sh) | m->lo[i]) << 32 | m->id[i]);
    }
    rc = out_end(&o, r, &run, rc, false);
    if (rc != NDB_OK)
        return rc;
    rc = runs_push(r, &run);
    api_dedup_map_clear(m);
    while (rc == NDB_OK && r->n >= API_DEDUP_RUN_FANIN) {
        size_t last = r->n - 1;
        bool same = true;
        for (size_t i = 1; i < API_DEDUP_RUN_FANIN; i++)
            same &= r->v[last - i].level == r->v[last].level;
        if (!same)
            break;
        rc = runs_merge(r, API_DEDUP_RUN_FANIN, err);
    }
    return rc;
}

/* ---------------------------------------------------------------- join */

static ndb_rc join_run(const api_dedup_runs *r, const api_dedup_run *run, const uint64_t *q,
                       size_t nq, uint64_t **pairs, size_t *np, size_t *cap, ndb_err *err)
{
    run_cur c;
    uint64_t pos = 0;
    /* dense: most buckets hold batch keys, so the run is read through in large pieces;
    ** sparse: only the buckets that do */
    bool dense = (uint64_t)nq * 4 >= ((uint64_t)1 << run->dbits);
    ndb_rc rc;
    if (run->n == 0)
        return NDB_OK;
    rc = cur_open(&c, r, run, err);
    for (size_t i = 0, j; i < nq && rc == NDB_OK; i = j) {
        uint32_t key = (uint32_t)(q[i] >> 32), b = run_bucket(key, run->dbits);
        uint64_t p, end = run->dir[b + 1];
        for (j = i + 1; j < nq && (uint32_t)(q[j] >> 32) == key; j++)
            ;
        p = pos > run->dir[b] ? pos : run->dir[b];
        while (p < end && rc == NDB_OK) {
            uint64_t e;
            uint32_t ekey, other;
            rc = cur_at(&c, p, dense ? RUN_PIECE : end - p);
            if (rc != NDB_OK)
                break;
            e = cur_get(&c, p);
            ekey = (uint32_t)(e >> 32);
            if (ekey > key)
                break;
            p++;
            if (ekey < key)
                continue;
            other = (uint32_t)e;
            if (other < run->base || other - run->base >= run->count) {
                rc = ndb_err_set(err, NDB_ECORRUPT, "%s: article %u outside the run", c.path,
                                 other);
                break;
            }
            rc = ndb_grow((void **)pairs, cap, *np + (j - i), sizeof **pairs);
            for (size_t x = i; x < j && rc == NDB_OK; x++)
                (*pairs)[(*np)++] = (uint64_t)(uint32_t)q[x] << 32 | other;
        }
        pos = p; /* the next key is larger: nothing before p can match it */
    }
    cur_close(&c);
    return rc;
}

ndb_rc api_dedup_runs_join(const api_dedup_runs *r, const uint64_t *q, size_t nq,
                           uint64_t **pairs, size_t *np, size_t *cap, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < r->n && rc == NDB_OK && nq > 0; i++)
        rc = join_run(r, &r->v[i], q, nq, pairs, np, cap, err);
    return rc;
}
