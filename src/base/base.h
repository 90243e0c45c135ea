/*
** base — the bottom layer every module stands on.
**
** What lives here and why it is shaped this way:
**   alloc   one allocator choke point (ndb_malloc & co.) so tests can fail the Nth
**           allocation and so library users can account memory; overflow-checked size math.
**   err     ndb_err helpers: set a code + formatted message naming the input at fault.
**   buf     a growable byte buffer with a hard maximum (a hostile length never grows it
**           past its cap) and little-endian / varint appenders for file formats.
**   rd      a bounded reader {p, end}: every decode of outside bytes goes through it and
**           returns NDB_ECORRUPT (or the caller's chosen code) on short input.
**   crc32c  integrity checksum of every on-disk frame (Castagnoli, hardware when present).
**   hash    xxh3 content hashes (dedup, hash tables); never for integrity.
**   vfs     all file I/O behind a table of function pointers, so tests can inject EIO,
**           ENOSPC, short writes and "crash at sync point k".
**
** Threading: everything here is reentrant; the allocator hook and the fault-injection
** counters are process-wide and meant to be set before use (tests only for the latter).
*/
#ifndef NDB_BASE_BASE_H
#define NDB_BASE_BASE_H

#include "newsdb.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* ---------------------------------------------------------------- assert family */
#include <assert.h>
#if defined(NDB_COVERAGE)
#define NDB_ALWAYS(x) (1)
#define NDB_NEVER(x) (0)
#else
#define NDB_ALWAYS(x) (x)
#define NDB_NEVER(x) (x)
#endif
#define ndb_testcase(x) ((void)0)
#define NDB_UNUSED(x) ((void)(x))
#define NDB_MIN(a, b) ((a) < (b) ? (a) : (b))
#define NDB_MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---------------------------------------------------------------- alloc */

void *ndb_malloc(size_t n);
void *ndb_calloc(size_t count, size_t size);
void *ndb_realloc(void *p, size_t n);
void ndb_free(void *p);
char *ndb_strdup(const char *s);
char *ndb_strndup(const char *s, size_t n);

/* Grow the array *p of *cap elements of size sz (doubling, from 64) to hold at least need:
** NDB_OK (also when it already does), NDB_ENOMEM, or NDB_ELIMIT when the bytes overflow. */
ndb_rc ndb_grow(void **p, size_t *cap, size_t need, size_t sz);

/* Overflow-checked arithmetic: NDB_ELIMIT on wrap, *out untouched then. */
ndb_rc ndb_size_add(size_t a, size_t b, size_t *out);
ndb_rc ndb_size_mul(size_t a, size_t b, size_t *out);

/* Test hook: make the nth allocation from now (1-based) fail, and every one after it when
** persistent. n = 0 disables. Returns the number of allocations since the last call. */
void ndb_alloc_fail_at(uint64_t n, bool persistent);
uint64_t ndb_alloc_count(void);

/* ---------------------------------------------------------------- err */

/* Clear err (NULL allowed). */
void ndb_err_clear(ndb_err *err);
/* Set err to rc and a printf-style message; returns rc. err may be NULL. */
ndb_rc ndb_err_set(ndb_err *err, ndb_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, recording a system errno; the message gets ": strerror(errno)" appended and the
** code becomes NDB_ENOSPC for ENOSPC/EDQUOT, else rc. */
ndb_rc ndb_err_sys(ndb_err *err, ndb_rc rc, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefix the current message with "prefix: " (keeps code). */
void ndb_err_prefix(ndb_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------- buf */

typedef struct ndb_buf {
    uint8_t *p;
    size_t n;   /* bytes used */
    size_t cap; /* bytes allocated */
    size_t max; /* hard limit on n; growth past it is NDB_ELIMIT */
} ndb_buf;

#define NDB_BUF_NOMAX SIZE_MAX

void ndb_buf_init(ndb_buf *b, size_t max);
void ndb_buf_fini(ndb_buf *b);
void ndb_buf_reset(ndb_buf *b); /* n = 0, keeps memory */
ndb_rc ndb_buf_reserve(ndb_buf *b, size_t extra);
/* ndb_buf_append when the bytes do not fit: grow (within max), then copy. */
ndb_rc ndb_buf_append_grow(ndb_buf *b, const void *p, size_t n);
/* Encode v as LEB128 varint into p (>= 10 bytes); returns bytes written. */
size_t ndb_varint_put(uint8_t *p, uint64_t v);

/* Copy n bytes, inline for the short ones (terms, varints: a few bytes, where a memcpy
** call costs more than the copy); reads and writes only [0, n). */
static inline void ndb_copy_short(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &z, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &z, 4);
    } else if (n > 0 && n < 4) {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    } else if (n > 16) {
        memcpy(d, s, n);
    }
}

/* Append n bytes. Inline when they fit: cap never exceeds max, so what fits is within the
** limit; else ndb_buf_append_grow. */
static inline ndb_rc ndb_buf_append(ndb_buf *b, const void *p, size_t n)
{
    if (n != 0 && n <= b->cap - b->n) {
        ndb_copy_short(b->p + b->n, (const uint8_t *)p, n);
        b->n += n;
        return NDB_OK;
    }
    return ndb_buf_append_grow(b, p, n);
}
ndb_rc ndb_buf_append_str(ndb_buf *b, const char *s);
ndb_rc ndb_buf_append_u8(ndb_buf *b, uint8_t v);
ndb_rc ndb_buf_append_u16le(ndb_buf *b, uint16_t v);
ndb_rc ndb_buf_append_u32le(ndb_buf *b, uint32_t v);
ndb_rc ndb_buf_append_u64le(ndb_buf *b, uint64_t v);
ndb_rc ndb_buf_append_varint(ndb_buf *b, uint64_t v);
/* Length-prefixed bytes: varint n, then n bytes. */
ndb_rc ndb_buf_append_lp(ndb_buf *b, const void *p, size_t n);
ndb_rc ndb_buf_printf(ndb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a NUL without counting it (so b->p is a C string). */
ndb_rc ndb_buf_cstr(ndb_buf *b);
/* Hand the bytes to the caller (OWNED, ndb_free); b is left empty. */
uint8_t *ndb_buf_detach(ndb_buf *b, size_t *n);

/* Little-endian stores into raw memory. */
static inline void ndb_put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void ndb_put_u64le(uint8_t *p, uint64_t v)
{
    ndb_put_u32le(p, (uint32_t)v);
    ndb_put_u32le(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t ndb_get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t ndb_get_u64le(const uint8_t *p)
{
    return (uint64_t)ndb_get_u32le(p) | ((uint64_t)ndb_get_u32le(p + 4) << 32);
}
static inline uint16_t ndb_get_u16le(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

/* a[0..n) == b[0..n), inline: hash probes confirm a short key (a term: ~7 bytes) whose
** hash already matched, where a libc memcmp call costs more than the compare. Reads only
** the n bytes (overlapping 8- or 4-byte loads). */
static inline bool ndb_eq_bytes(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    uint64_t u, v;
    uint32_t s, t;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&u, x + i, 8);
            memcpy(&v, y + i, 8);
            if (u != v)
                return false;
        }
        memcpy(&u, x + n - 8, 8);
        memcpy(&v, y + n - 8, 8);
        return u == v;
    }
    if (n >= 4) {
        memcpy(&s, x, 4);
        memcpy(&t, y, 4);
        if (s != t)
            return false;
        memcpy(&s, x + n - 4, 4);
        memcpy(&t, y + n - 4, 4);
        return s == t;
    }
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

/* First index i in [from, n) with p[i] >= t, or n when there is none, for p ascending:
** galloping from `from`, then a binary search, so the cost is O(log of the distance). */
static inline size_t ndb_gallop_geq(const uint32_t *p, size_t from, size_t n, uint32_t t)
{
    size_t lo = from, hi = from + 1, step = 1;
    if (from >= n || p[from] >= t)
        return from;
    while (hi < n && p[hi] < t) { /* p[lo] < t */
        lo = hi;
        step *= 2;
        hi = lo + step;
    }
    if (hi > n)
        hi = n;
    while (hi - lo > 1) { /* p[lo] < t, and hi == n or p[hi] >= t */
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid] < t)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* ---------------------------------------------------------------- rd */

/* A bounded reader over bytes we do not trust. `bad` is the code returned on short or
** malformed input (NDB_ECORRUPT for files, NDB_EPARSE for network/user input). */
typedef struct ndb_rd {
    const uint8_t *p;
    const uint8_t *end;
    ndb_rc bad;
} ndb_rd;

static inline void ndb_rd_init(ndb_rd *r, const void *p, size_t n, ndb_rc bad)
{
    if (!p) { /* an empty view may come as NULL; NULL + 0 is undefined in C */
        p = "";
        n = 0;
    }
    r->p = (const uint8_t *)p;
    r->end = r->p + n;
    r->bad = bad;
}
static inline size_t ndb_rd_left(const ndb_rd *r)
{
    return (size_t)(r->end - r->p);
}
ndb_rc ndb_rd_u8(ndb_rd *r, uint8_t *v);
ndb_rc ndb_rd_u16le(ndb_rd *r, uint16_t *v);
ndb_rc ndb_rd_u32le(ndb_rd *r, uint32_t *v);
ndb_rc ndb_rd_u64le(ndb_rd *r, uint64_t *v);
ndb_rc ndb_rd_varint(ndb_rd *r, uint64_t *v);       /* <= 10 bytes */
ndb_rc ndb_rd_varint32(ndb_rd *r, uint32_t *v);     /* and fits 32 bits */
ndb_rc ndb_rd_bytes(ndb_rd *r, size_t n, ndb_slice *out);
ndb_rc ndb_rd_lp(ndb_rd *r, ndb_slice *out);        /* varint length + bytes */
ndb_rc ndb_rd_skip(ndb_rd *r, size_t n);

/* ---------------------------------------------------------------- crc32c, hash */

uint32_t ndb_crc32c(uint32_t crc, const void *p, size_t n); /* start with crc = 0 */
uint64_t ndb_hash64(const void *p, size_t n);               /* xxh3-64 */
typedef struct ndb_hash128 {
    uint64_t lo, hi;
} ndb_hash128;
ndb_hash128 ndb_hash128_of(const void *p, size_t n); /* xxh3-128 */

/* ---------------------------------------------------------------- sorting (sort.c) */

/* Ascending, in place, no allocation, O(n log n) on any input (not stable: the values are
** plain integers). */
void ndb_sort_u32(uint32_t *a, size_t n);
void ndb_sort_u64(uint64_t *a, size_t n);
/* The same with a recursion budget of `depth` quicksort levels before heapsort takes over
** (the sorts above use 2 log2 n); for the tests, which reach the heapsort with 0. */
void ndb_sort_u32_depth(uint32_t *a, size_t n, unsigned depth);
void ndb_sort_u64_depth(uint64_t *a, size_t n, unsigned depth);

/* ---------------------------------------------------------------- file framing */

/* Every file starts with this 32-byte header and ends with a 12-byte footer
** (STYLE rule 10):
**   off size field
**   0   4    magic        "NDB1" as u32le 0x3142444e
**   4   4    kind         per-file-kind constant (NDB_KIND_*)
**   8   2    major
**   10  2    minor
**   12  4    reserved     0
**   16  16   file id      random bytes
**   ... body ...
**   -12 4    footer magic 0x4e444246 ("FBDN")
**   -8  4    checksum kind 1 = CRC32C
**   -4  4    CRC32C of every preceding byte
*/
#define NDB_FILE_MAGIC 0x3142444eu
#define NDB_FOOTER_MAGIC 0x4e444246u
#define NDB_HEADER_SIZE 32
#define NDB_FOOTER_SIZE 12

ndb_rc ndb_frame_header(ndb_buf *b, uint32_t kind, uint16_t major, uint16_t minor);
ndb_rc ndb_frame_footer(ndb_buf *b); /* appends the footer over b->p[0..n) */
/* Check header kind/version range and footer CRC of a whole file image; on success *body
** is the part between header and footer. `name` is used in messages. */
ndb_rc ndb_frame_check(const uint8_t *p, size_t n, uint32_t kind, uint16_t min_major,
                       uint16_t max_major, const char *name, ndb_slice *body, ndb_err *err);

/* The same check over an open file of `size` bytes, read piece by piece (nothing whole in
** memory); the body is [NDB_HEADER_SIZE, size - NDB_FOOTER_SIZE). */
struct ndb_vfs;
ndb_rc ndb_frame_check_fd(const struct ndb_vfs *v, int fd, uint64_t size, uint32_t kind,
                          uint16_t min_major, uint16_t max_major, const char *name,
                          ndb_err *err);

/* ---------------------------------------------------------------- vfs */

/* All file I/O. Functions return 0 on success, else -1 with errno set (like POSIX), so
** the default implementation is a thin shim and fault injectors can fake any errno. */
typedef struct ndb_vfs ndb_vfs;
struct ndb_vfs {
    int (*open)(const ndb_vfs *v, const char *path, int flags, int mode); /* returns fd */
    int (*close)(const ndb_vfs *v, int fd);
    ssize_t (*pread)(const ndb_vfs *v, int fd, void *buf, size_t n, off_t off);
    ssize_t (*pwrite)(const ndb_vfs *v, int fd, const void *buf, size_t n, off_t off);
    int (*fsync)(const ndb_vfs *v, int fd);
    int (*ftruncate)(const ndb_vfs *v, int fd, off_t len);
    int (*fsize)(const ndb_vfs *v, int fd, off_t *size);
    int (*rename)(const ndb_vfs *v, const char *from, const char *to);
    int (*unlink)(const ndb_vfs *v, const char *path);
    int (*mkdir)(const ndb_vfs *v, const char *path, int mode);
    int (*fsync_dir)(const ndb_vfs *v, const char *dir);
    int (*lock)(const ndb_vfs *v, int fd); /* exclusive, non-blocking; EWOULDBLOCK if held */
    void *ctx;
};

/* The POSIX implementation. */
const ndb_vfs *ndb_vfs_default(void);

/* Whole-file helpers built on a vfs (all report errors through err naming the path). */
/* Read a whole file into *out (OWNED, ndb_free); max bounds its size (NDB_ELIMIT). */
ndb_rc ndb_vfs_read_file(const ndb_vfs *v, const char *path, size_t max, uint8_t **out,
                         size_t *n, ndb_err *err);
/* Atomically replace/create path with bytes: write path.tmp, fsync, rename, fsync dir. */
ndb_rc ndb_vfs_write_atomic(const ndb_vfs *v, const char *dir, const char *name,
                            const void *p, size_t n, ndb_err *err);
/* pwrite all n bytes (loops on short writes). */
ndb_rc ndb_vfs_pwrite_all(const ndb_vfs *v, int fd, const void *p, size_t n, off_t off,
                          const char *path, ndb_err *err);
/* ndb_vfs_pwrite_all for bulk data written once: with the default vfs, the write's 4 KiB-
** aligned middle bypasses the page cache (O_DIRECT, through a descriptor of path opened
** for the call, so fd may be shared), the rest is buffered; the same bytes land either
** way. Other vfs, small writes and file systems without O_DIRECT: ndb_vfs_pwrite_all. */
ndb_rc ndb_vfs_pwrite_bulk(const ndb_vfs *v, int fd, const void *p, size_t n, off_t off,
                           const char *path, ndb_err *err);
/* pread exactly n bytes; short read is NDB_ECORRUPT. */
ndb_rc ndb_vfs_pread_all(const ndb_vfs *v, int fd, void *p, size_t n, off_t off,
                         const char *path, ndb_err *err);

/* Fault injection for tests: a vfs that forwards to the default one but fails the nth
** counted operation (writes, fsyncs, renames, truncates) with errno `e`, once or for good;
** or, in crash mode, raises SIGKILL at the nth sync point (fsync, fsync_dir, rename). */
typedef struct ndb_vfs_fault {
    ndb_vfs vfs;        /* pass &f->vfs where a vfs is wanted */
    uint64_t count;     /* counted operations so far */
    uint64_t fail_at;   /* 1-based; 0 = never */
    int fail_errno;     /* EIO, ENOSPC, ... */
    bool persistent;    /* keep failing after the first */
    bool crash;         /* SIGKILL instead of failing */
    bool short_write;   /* the failing write writes half then fails */
} ndb_vfs_fault;

void ndb_vfs_fault_init(ndb_vfs_fault *f);

/* Join dir and name into out (NUL-terminated); NDB_ELIMIT if it does not fit. */
ndb_rc ndb_path_join(char *out, size_t cap, const char *dir, const char *name);

/* ---------------------------------------------------------------- misc */

/* Days since 1970-01-01 of a proleptic Gregorian date; -1 month/day out of range → false. */
bool ndb_date_from_ymd(int y, int m, int d, int32_t *days);
void ndb_date_to_ymd(int32_t days, int *y, int *m, int *d);
/* Parse "YYYY-MM-DD" or "YYYYMMDD" (exactly); false if not a valid date. */
bool ndb_date_parse(const char *s, size_t n, int32_t *days);

/* Decode one UTF-8 code point at p[0..n), n >= 1: returns its length (1..4) and *cp, or 0
** when the sequence is invalid (overlong, surrogate, > U+10FFFF, truncated, bad byte). */
size_t ndb_utf8_decode(const uint8_t *p, size_t n, int32_t *cp);

/* Monotonic clock in nanoseconds. */
uint64_t ndb_now_ns(void);

/* Deterministic PRNG (splitmix64) for tests and sampling. */
static inline uint64_t ndb_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif /* NDB_BASE_BASE_H */
