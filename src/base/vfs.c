/*
** vfs.c — every file operation of newsdb, behind a table of function pointers (STYLE 14).
**
** The POSIX implementation is a thin shim: functions return 0 / -1 with errno, like the
** calls they wrap, so a fault injector can fake any errno. Above it sit the whole-file
** helpers the store and index use (read a whole file, atomic replace via tmp + fsync +
** rename + dir fsync, pread/pwrite loops that survive short transfers).
**
** Bulk data written once (segments, the forward index, dup files) goes through
** ndb_vfs_pwrite_bulk: its 4 KiB-aligned middle is written with O_DIRECT, around
** the page cache (RocksDB's use_direct_io_for_flush_and_compaction, Lucene's
** DirectIODirectory for merges). Each page a buffered write fills is a page the kernel must
** find, and on this VM a page not touched lately costs the host a fault: buffered writes
** into a new file ran at 88-93 MB/s against 1.7-2.5 GB/s direct (1 MiB writes, 2026-12-03),
** and the page-cache copies were 13 % of an add's CPU and two thirds of its commit's
** single-threaded tail. Elsewhere the direct write costs about what the commit's fsync
** would have; the written files are then read from the disk, not the cache, by the first
** searches. The unaligned head and tail of a write stay buffered, so callers keep any
** offsets and lengths; a file system without O_DIRECT (EINVAL) falls back to buffered
** writes for good, as does NEWSDB_DIRECT_IO=0. The store's docs.log stays buffered: the
** near-duplicate check reads recent blocks back at commit, and from the cache that was
** faster (BENCHMARKS.md B17).
**
** ndb_vfs_fault wraps the default vfs for tests: it counts "mutating" operations (pwrite,
** fsync, ftruncate, rename, unlink, fsync_dir) and fails the Nth with a chosen errno, once or
** for good, optionally after writing half the bytes (a torn write); in crash mode it raises
** SIGKILL at the Nth sync point (fsync, fsync_dir, rename) so crash tests can enumerate every
** point where a real power cut or kill -9 could land (SQLite's test_vfs.c / test6.c).
*/
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int vfs_open(const ndb_vfs *v, const char *path, int flags, int mode)
{
    NDB_UNUSED(v);
    return open(path, flags | O_CLOEXEC, mode);
}
static int vfs_close(const ndb_vfs *v, int fd)
{
    NDB_UNUSED(v);
    return close(fd);
}
static ssize_t vfs_pread(const ndb_vfs *v, int fd, void *buf, size_t n, off_t off)
{
    NDB_UNUSED(v);
    return pread(fd, buf, n, off);
}
static ssize_t vfs_pwrite(const ndb_vfs *v, int fd, const void *buf, size_t n, off_t off)
{
    NDB_UNUSED(v);
    return pwrite(fd, buf, n, off);
}
static int vfs_fsync(const ndb_vfs *v, int fd)
{
    NDB_UNUSED(v);
    return fdatasync(fd);
}
static int vfs_ftruncate(const ndb_vfs *v, int fd, off_t len)
{
    NDB_UNUSED(v);
    return ftruncate(fd, len);
}
static int vfs_fsize(const ndb_vfs *v, int fd, off_t *size)
{
    struct stat st;
    NDB_UNUSED(v);
    if (fstat(fd, &st) != 0)
        return -1;
    *size = st.st_size;
    return 0;
}
static int vfs_rename(const ndb_vfs *v, const char *from, const char *to)
{
    NDB_UNUSED(v);
    return rename(from, to);
}
static int vfs_unlink(const ndb_vfs *v, const char *path)
{
    NDB_UNUSED(v);
    return unlink(path);
}
static int vfs_mkdir(const ndb_vfs *v, const char *path, int mode)
{
    NDB_UNUSED(v);
    return mkdir(path, (mode_t)mode);
}
static int vfs_fsync_dir(const ndb_vfs *v, const char *dir)
{
    int fd, rc, e;
    NDB_UNUSED(v);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    e = errno;
    close(fd);
    errno = e;
    return rc;
}
static int vfs_lock(const ndb_vfs *v, int fd)
{
    NDB_UNUSED(v);
    return flock(fd, LOCK_EX | LOCK_NB);
}

static const ndb_vfs vfs_posix = {vfs_open,   vfs_close,  vfs_pread, vfs_pwrite,
                                  vfs_fsync,  vfs_ftruncate, vfs_fsize, vfs_rename,
                                  vfs_unlink, vfs_mkdir,  vfs_fsync_dir, vfs_lock,
                                  NULL};

const ndb_vfs *ndb_vfs_default(void)
{
    return &vfs_posix;
}

/* ---------------------------------------------------------------- helpers */

ndb_rc ndb_path_join(char *out, size_t cap, const char *dir, const char *name)
{
    int k = snprintf(out, cap, "%s/%s", dir, name);
    if (k < 0 || (size_t)k >= cap)
        return NDB_ELIMIT;
    return NDB_OK;
}

ndb_rc ndb_vfs_pwrite_all(const ndb_vfs *v, int fd, const void *p, size_t n, off_t off,
                          const char *path, ndb_err *err)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t k = v->pwrite(v, fd, b, n, off);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return ndb_err_sys(err, NDB_EIO, errno, "%s: write failed", path);
        }
        if (k == 0)
            return ndb_err_sys(err, NDB_EIO, EIO, "%s: write made no progress", path);
        b += k;
        n -= (size_t)k;
        off += k;
    }
    return NDB_OK;
}

/* ---------------------------------------------------------------- bulk writes */

#define BULK_ALIGN 4096u          /* file offsets, lengths and memory of a direct write */
#define BULK_STAGE ((size_t)1 << 20) /* the per-thread aligned copy of what goes direct */
#define BULK_MIN   ((size_t)64 << 10) /* smaller middles are not worth an open */

static pthread_key_t bulk_key;
static pthread_once_t bulk_once = PTHREAD_ONCE_INIT;
static bool bulk_key_ok;
static atomic_int bulk_off; /* 1: direct writes failed here once, or NEWSDB_DIRECT_IO=0 */

static void bulk_init(void)
{
    const char *e = getenv("NEWSDB_DIRECT_IO");
    if (e && strcmp(e, "0") == 0)
        atomic_store(&bulk_off, 1);
    bulk_key_ok = pthread_key_create(&bulk_key, ndb_free) == 0;
}

/* This thread's staging buffer, BULK_ALIGN-aligned (kept, freed with the thread), or NULL. */
static uint8_t *bulk_stage(void)
{
    uint8_t *b = pthread_getspecific(bulk_key);
    if (!b && (b = ndb_malloc(BULK_STAGE + BULK_ALIGN)) != NULL &&
        pthread_setspecific(bulk_key, b) != 0) {
        ndb_free(b);
        b = NULL;
    }
    return b ? (uint8_t *)(((uintptr_t)b + BULK_ALIGN - 1) & ~(uintptr_t)(BULK_ALIGN - 1)) : NULL;
}

/* Write [p, p + n) at off, a multiple of BULK_ALIGN, through a fresh O_DIRECT descriptor
** of path; *done says how much went (the rest is the caller's, buffered). An error other
** than the file system refusing direct I/O is returned. */
static ndb_rc bulk_direct(const uint8_t *p, size_t n, off_t off, const char *path,
                          size_t *done, ndb_err *err)
{
    uint8_t *stage = bulk_stage();
    int dfd;
    ndb_rc rc = NDB_OK;
    *done = 0;
    if (!stage)
        return NDB_OK;
    dfd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
    if (dfd < 0) {
        if (errno == EINVAL)
            atomic_store(&bulk_off, 1);
        return NDB_OK;
    }
    while (*done < n) {
        size_t k = NDB_MIN(n - *done, BULK_STAGE);
        ssize_t w;
        memcpy(stage, p + *done, k);
        w = pwrite(dfd, stage, k, off + (off_t)*done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EINVAL) { /* no direct I/O here after all */
            atomic_store(&bulk_off, 1);
            break;
        }
        if (w < 0) {
            rc = ndb_err_sys(err, NDB_EIO, errno, "%s: write failed", path);
            break;
        }
        *done += (size_t)w;
        if (w == 0 || (size_t)w % BULK_ALIGN != 0) /* the rest buffered */
            break;
    }
    close(dfd);
    return rc;
}

ndb_rc ndb_vfs_pwrite_bulk(const ndb_vfs *v, int fd, const void *p, size_t n, off_t off,
                           const char *path, ndb_err *err)
{
    const uint8_t *b = p;
    size_t head, mid, done = 0;
    ndb_rc rc;
    pthread_once(&bulk_once, bulk_init);
    if (v != &vfs_posix || !bulk_key_ok || atomic_load(&bulk_off) || off < 0)
        return ndb_vfs_pwrite_all(v, fd, p, n, off, path, err);
    head = (size_t)((BULK_ALIGN - (uint64_t)off % BULK_ALIGN) % BULK_ALIGN);
    if (head >= n || (mid = (n - head) / BULK_ALIGN * BULK_ALIGN) < BULK_MIN)
        return ndb_vfs_pwrite_all(v, fd, p, n, off, path, err);
    if (head && (rc = ndb_vfs_pwrite_all(v, fd, b, head, off, path, err)) != NDB_OK)
        return rc;
    if ((rc = bulk_direct(b + head, mid, off + (off_t)head, path, &done, err)) != NDB_OK)
        return rc;
    head += done;
    return ndb_vfs_pwrite_all(v, fd, b + head, n - head, off + (off_t)head, path, err);
}

ndb_rc ndb_vfs_pread_all(const ndb_vfs *v, int fd, void *p, size_t n, off_t off,
                         const char *path, ndb_err *err)
{
    uint8_t *b = p;
    while (n > 0) {
        ssize_t k = v->pread(v, fd, b, n, off);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return ndb_err_sys(err, NDB_EIO, errno, "%s: read failed", path);
        }
        if (k == 0)
            return ndb_err_set(err, NDB_ECORRUPT, "%s: file shorter than expected (offset %lld)",
                               path, (long long)off);
        b += k;
        n -= (size_t)k;
        off += k;
    }
    return NDB_OK;
}

ndb_rc ndb_vfs_read_file(const ndb_vfs *v, const char *path, size_t max, uint8_t **out,
                         size_t *n, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    off_t size = 0;
    uint8_t *p = NULL;
    int fd = v->open(v, path, O_RDONLY, 0);
    *out = NULL;
    *n = 0;
    if (fd < 0) {
        if (errno == ENOENT)
            return ndb_err_set(err, NDB_ENOTFOUND, "%s: no such file", path);
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot open", path);
    }
    if (v->fsize(v, fd, &size) != 0) {
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", path);
        goto out;
    }
    if ((uint64_t)size > max) {
        rc = ndb_err_set(err, NDB_ELIMIT, "%s: %lld bytes, more than the %zu allowed", path,
                         (long long)size, max);
        goto out;
    }
    p = ndb_malloc((size_t)size);
    if (!p) {
        rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    rc = ndb_vfs_pread_all(v, fd, p, (size_t)size, 0, path, err);
    if (rc != NDB_OK)
        goto out;
    *out = p;
    *n = (size_t)size;
    p = NULL;
out:
    ndb_free(p);
    v->close(v, fd);
    return rc;
}

ndb_rc ndb_vfs_write_atomic(const ndb_vfs *v, const char *dir, const char *name,
                            const void *p, size_t n, ndb_err *err)
{
    char tmp[4096], dst[4096], tname[512];
    ndb_rc rc;
    int fd;
    if (snprintf(tname, sizeof tname, "%s.tmp", name) >= (int)sizeof tname ||
        ndb_path_join(tmp, sizeof tmp, dir, tname) != NDB_OK ||
        ndb_path_join(dst, sizeof dst, dir, name) != NDB_OK)
        return ndb_err_set(err, NDB_ELIMIT, "%s/%s: path too long", dir, name);
    fd = v->open(v, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot create", tmp);
    rc = ndb_vfs_pwrite_all(v, fd, p, n, 0, tmp, err);
    if (rc == NDB_OK && v->fsync(v, fd) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: fsync failed", tmp);
    if (v->close(v, fd) != 0 && rc == NDB_OK)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: close failed", tmp);
    if (rc == NDB_OK && v->rename(v, tmp, dst) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: rename failed", dst);
    if (rc == NDB_OK && v->fsync_dir(v, dir) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: directory fsync failed", dir);
    if (rc != NDB_OK)
        v->unlink(v, tmp);
    return rc;
}

/* ---------------------------------------------------------------- fault injection */

/* Count one mutating op; true when it must fail (errno set) or, in crash mode, die. */
static bool fault_hit(const ndb_vfs *v, bool sync_point)
{
    ndb_vfs_fault *f = v->ctx;
    if (f->crash && !sync_point)
        return false;
    /* atomic: a merge may write two files from two threads through one vfs */
    uint64_t c = __atomic_add_fetch(&f->count, 1, __ATOMIC_RELAXED);
    if (f->fail_at == 0)
        return false;
    if (c == f->fail_at || (c > f->fail_at && f->persistent)) {
        if (f->crash)
            raise(SIGKILL);
        errno = f->fail_errno;
        return true;
    }
    return false;
}

static ssize_t fault_pwrite(const ndb_vfs *v, int fd, const void *buf, size_t n, off_t off)
{
    ndb_vfs_fault *f = v->ctx;
    if (fault_hit(v, false)) {
        if (f->short_write && n > 1) {
            int e = errno;
            ssize_t k = pwrite(fd, buf, n / 2, off);
            NDB_UNUSED(k);
            errno = e;
        }
        return -1;
    }
    return pwrite(fd, buf, n, off);
}
static int fault_fsync(const ndb_vfs *v, int fd)
{
    return fault_hit(v, true) ? -1 : fdatasync(fd);
}
static int fault_ftruncate(const ndb_vfs *v, int fd, off_t len)
{
    return fault_hit(v, false) ? -1 : ftruncate(fd, len);
}
static int fault_rename(const ndb_vfs *v, const char *from, const char *to)
{
    return fault_hit(v, true) ? -1 : rename(from, to);
}
static int fault_unlink(const ndb_vfs *v, const char *path)
{
    return fault_hit(v, false) ? -1 : unlink(path);
}
static int fault_fsync_dir(const ndb_vfs *v, const char *dir)
{
    return fault_hit(v, true) ? -1 : vfs_fsync_dir(v, dir);
}

void ndb_vfs_fault_init(ndb_vfs_fault *f)
{
    memset(f, 0, sizeof *f);
    f->vfs = vfs_posix;
    f->vfs.pwrite = fault_pwrite;
    f->vfs.fsync = fault_fsync;
    f->vfs.ftruncate = fault_ftruncate;
    f->vfs.rename = fault_rename;
    f->vfs.unlink = fault_unlink;
    f->vfs.fsync_dir = fault_fsync_dir;
    f->vfs.ctx = f;
    f->fail_errno = EIO;
}
