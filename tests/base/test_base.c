/* Tests of module base: checksums, varints, bounded reader, buffers, dates, frames, vfs. */
#include "base/base.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

Test(base, crc32c_check_value)
{
    /* RFC 3720 B.4 check value, and incremental == one shot. */
    cr_assert_eq(ndb_crc32c(0, "123456789", 9), 0xe3069283u);
    uint8_t buf[1000];
    uint64_t s = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)ndb_rand_next(&s);
    for (size_t cut = 0; cut <= sizeof buf; cut += 37) {
        uint32_t a = ndb_crc32c(ndb_crc32c(0, buf, cut), buf + cut, sizeof buf - cut);
        cr_assert_eq(a, ndb_crc32c(0, buf, sizeof buf), "cut %zu", cut);
    }
    cr_assert_eq(ndb_crc32c(0, NULL, 0), 0u);
}

Test(base, varint_round_trip_and_bounds)
{
    uint64_t seed = 7;
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    uint64_t vals[2000];
    for (int i = 0; i < 2000; i++) {
        uint64_t v = ndb_rand_next(&seed);
        vals[i] = v >> (ndb_rand_next(&seed) % 64);
        cr_assert_eq(ndb_buf_append_varint(&b, vals[i]), NDB_OK);
    }
    ndb_rd r;
    ndb_rd_init(&r, b.p, b.n, NDB_ECORRUPT);
    for (int i = 0; i < 2000; i++) {
        uint64_t v;
        cr_assert_eq(ndb_rd_varint(&r, &v), NDB_OK);
        cr_assert_eq(v, vals[i], "seed 7 index %d", i);
    }
    uint64_t v;
    cr_assert_eq(ndb_rd_varint(&r, &v), NDB_ECORRUPT);
    /* truncated varint, and an 11-byte one */
    uint8_t t[11] = {0x80, 0x80};
    ndb_rd_init(&r, t, 2, NDB_EPARSE);
    cr_assert_eq(ndb_rd_varint(&r, &v), NDB_EPARSE);
    memset(t, 0xff, sizeof t);
    ndb_rd_init(&r, t, sizeof t, NDB_ECORRUPT);
    cr_assert_eq(ndb_rd_varint(&r, &v), NDB_ECORRUPT);
    /* varint32 rejects > 32 bits */
    ndb_buf_reset(&b);
    ndb_buf_append_varint(&b, (uint64_t)UINT32_MAX + 1);
    uint32_t v32;
    ndb_rd_init(&r, b.p, b.n, NDB_ECORRUPT);
    cr_assert_eq(ndb_rd_varint32(&r, &v32), NDB_ECORRUPT);
    ndb_buf_fini(&b);
}

Test(base, rd_length_prefixed_never_overruns)
{
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    ndb_buf_append_lp(&b, "hello", 5);
    ndb_rd r;
    ndb_slice s;
    ndb_rd_init(&r, b.p, b.n, NDB_ECORRUPT);
    cr_assert_eq(ndb_rd_lp(&r, &s), NDB_OK);
    cr_assert_eq(s.n, 5);
    cr_assert(memcmp(s.p, "hello", 5) == 0);
    ndb_rd_init(&r, b.p, b.n - 1, NDB_ECORRUPT); /* claims 5, has 4 */
    cr_assert_eq(ndb_rd_lp(&r, &s), NDB_ECORRUPT);
    uint32_t x;
    ndb_rd_init(&r, b.p, 3, NDB_ECORRUPT);
    cr_assert_eq(ndb_rd_u32le(&r, &x), NDB_ECORRUPT);
    cr_assert_eq(ndb_rd_left(&r), 3);
    ndb_buf_fini(&b);
}

Test(base, buf_respects_max)
{
    ndb_buf b;
    ndb_buf_init(&b, 10);
    cr_assert_eq(ndb_buf_append(&b, "0123456789", 10), NDB_OK);
    cr_assert_eq(ndb_buf_append(&b, "x", 1), NDB_ELIMIT);
    cr_assert_eq(b.n, 10);
    ndb_buf_reset(&b);
    cr_assert_eq(ndb_buf_printf(&b, "%d-%s", 42, "ab"), NDB_OK);
    cr_assert_eq(ndb_buf_cstr(&b), NDB_OK);
    cr_assert_str_eq((char *)b.p, "42-ab");
    ndb_buf_fini(&b);
    size_t o;
    cr_assert_eq(ndb_size_add(SIZE_MAX, 1, &o), NDB_ELIMIT);
    cr_assert_eq(ndb_size_mul(SIZE_MAX / 2, 3, &o), NDB_ELIMIT);
    cr_assert_eq(ndb_size_mul(6, 7, &o), NDB_OK);
    cr_assert_eq(o, 42);
}

Test(base, dates_round_trip_every_day)
{
    int32_t d;
    cr_assert(ndb_date_from_ymd(1970, 1, 1, &d));
    cr_assert_eq(d, 0);
    cr_assert(ndb_date_from_ymd(2016, 10, 11, &d));
    cr_assert_eq(d, 17085);
    cr_assert(!ndb_date_from_ymd(2015, 2, 29, &d));
    cr_assert(ndb_date_from_ymd(2016, 2, 29, &d));
    cr_assert(!ndb_date_from_ymd(2016, 13, 1, &d));
    cr_assert(!ndb_date_from_ymd(2016, 4, 31, &d));
    int32_t lo, hi;
    ndb_date_from_ymd(1900, 1, 1, &lo);
    ndb_date_from_ymd(2100, 12, 31, &hi);
    for (int32_t x = lo; x <= hi; x++) {
        int y, m, dd;
        int32_t back;
        ndb_date_to_ymd(x, &y, &m, &dd);
        cr_assert(ndb_date_from_ymd(y, m, dd, &back));
        cr_assert_eq(back, x);
    }
    cr_assert(ndb_date_parse("2016-10-11", 10, &d));
    cr_assert_eq(d, 17085);
    cr_assert(ndb_date_parse("20161011", 8, &d));
    cr_assert_eq(d, 17085);
    cr_assert(!ndb_date_parse("2016-1-11", 9, &d));
    cr_assert(!ndb_date_parse("2016x10-11", 10, &d));
    char buf[16];
    ndb_date_format(17085, buf, sizeof buf);
    cr_assert_str_eq(buf, "2016-10-11");
    ndb_date_format(NDB_DATE_NONE, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
}

Test(base, frame_detects_every_flip)
{
    ndb_buf b;
    ndb_slice body;
    ndb_err err;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    ndb_frame_header(&b, 0x1234, 1, 0);
    ndb_buf_append(&b, "payload bytes", 13);
    ndb_frame_footer(&b);
    cr_assert_eq(ndb_frame_check(b.p, b.n, 0x1234, 1, 1, "f", &body, &err), NDB_OK);
    cr_assert_eq(body.n, 13);
    cr_assert_eq(ndb_frame_check(b.p, b.n, 0x1234, 2, 3, "f", &body, &err), NDB_EFORMAT);
    cr_assert_eq(ndb_frame_check(b.p, b.n, 0x9999, 1, 1, "f", &body, &err), NDB_ECORRUPT);
    for (size_t i = 0; i < b.n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b.p[i] ^= (uint8_t)(1u << bit);
            ndb_rc rc = ndb_frame_check(b.p, b.n, 0x1234, 1, 1, "f", &body, &err);
            cr_assert(rc == NDB_ECORRUPT || rc == NDB_EFORMAT, "byte %zu bit %d", i, bit);
            b.p[i] ^= (uint8_t)(1u << bit);
        }
    }
    for (size_t n = 0; n < b.n; n++)
        cr_assert_neq(ndb_frame_check(b.p, n, 0x1234, 1, 1, "f", &body, &err), NDB_OK);
    ndb_buf_fini(&b);
}

Test(base, alloc_failure_injection)
{
    ndb_alloc_fail_at(2, false);
    void *a = ndb_malloc(10);
    void *b = ndb_malloc(10);
    void *c = ndb_malloc(10);
    cr_assert_not_null(a);
    cr_assert_null(b);
    cr_assert_not_null(c);
    ndb_free(a);
    ndb_free(c);
    ndb_alloc_fail_at(1, true);
    cr_assert_null(ndb_malloc(1));
    cr_assert_null(ndb_strdup("x"));
    ndb_alloc_fail_at(0, false);
    char *s = ndb_strdup("abc");
    cr_assert_str_eq(s, "abc");
    ndb_free(s);
}

Test(base, grow_keeps_elements_and_refuses_overflow)
{
    uint32_t *v = NULL;
    size_t cap = 0;
    cr_assert_eq(ndb_grow((void **)&v, &cap, 0, sizeof *v), NDB_OK);
    cr_assert_null(v, "nothing needed, nothing allocated");
    for (uint32_t i = 0; i < 1000; i++) {
        cr_assert_eq(ndb_grow((void **)&v, &cap, i + 1, sizeof *v), NDB_OK);
        cr_assert_geq(cap, i + 1);
        v[i] = i * 7;
    }
    for (uint32_t i = 0; i < 1000; i++)
        cr_assert_eq(v[i], i * 7);
    size_t before = cap;
    cr_assert_eq(ndb_grow((void **)&v, &cap, SIZE_MAX / 2, sizeof *v), NDB_ELIMIT);
    cr_assert_eq(cap, before, "a refused grow leaves the array as it was");
    ndb_alloc_fail_at(1, false);
    cr_assert_eq(ndb_grow((void **)&v, &cap, before + 1, sizeof *v), NDB_ENOMEM);
    ndb_alloc_fail_at(0, false);
    cr_assert_eq(cap, before);
    cr_assert_eq(v[999], 999u * 7);
    ndb_free(v);
}

Test(base, err_messages)
{
    ndb_err err;
    ndb_err_clear(&err);
    cr_assert_eq(ndb_err_set(&err, NDB_EPARSE, "file %s:%d: bad", "a.txt", 3), NDB_EPARSE);
    cr_assert_str_eq(err.msg, "file a.txt:3: bad");
    ndb_err_prefix(&err, "ingest");
    cr_assert_str_eq(err.msg, "ingest: file a.txt:3: bad");
    cr_assert_eq(ndb_err_sys(&err, NDB_EIO, ENOSPC, "x"), NDB_ENOSPC);
    cr_assert_eq(err.sys_errno, ENOSPC);
    cr_assert_eq(ndb_err_set(NULL, NDB_EIO, "ignored"), NDB_EIO);
    for (int rc = 0; rc >= -11; rc--)
        cr_assert(strcmp(ndb_strerror((ndb_rc)rc), "unknown error") != 0);
}

Test(base, atomic_write_and_faults)
{
    char dir[] = "/tmp/ndb_base_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const ndb_vfs *v = ndb_vfs_default();
    ndb_err err;
    cr_assert_eq(ndb_vfs_write_atomic(v, dir, "f", "hello", 5, &err), NDB_OK);
    uint8_t *p;
    size_t n;
    cr_assert_eq(ndb_vfs_read_file(v, (char[4200]){0}, 10, &p, &n, &err), NDB_ENOTFOUND);
    char path[4200];
    ndb_path_join(path, sizeof path, dir, "f");
    cr_assert_eq(ndb_vfs_read_file(v, path, 100, &p, &n, &err), NDB_OK);
    cr_assert_eq(n, 5);
    cr_assert(memcmp(p, "hello", 5) == 0);
    ndb_free(p);
    cr_assert_eq(ndb_vfs_read_file(v, path, 4, &p, &n, &err), NDB_ELIMIT);
    /* every counted op of an atomic write can fail; the old content survives */
    for (uint64_t k = 1; k <= 4; k++) {
        ndb_vfs_fault f;
        ndb_vfs_fault_init(&f);
        f.fail_at = k;
        f.fail_errno = k % 2 ? EIO : ENOSPC;
        ndb_rc rc = ndb_vfs_write_atomic(&f.vfs, dir, "f", "world!", 6, &err);
        if (rc == NDB_OK)
            continue; /* past the last op */
        cr_assert(rc == NDB_EIO || rc == NDB_ENOSPC, "op %llu rc %d", (unsigned long long)k, rc);
        cr_assert_eq(ndb_vfs_read_file(v, path, 100, &p, &n, &err), NDB_OK);
        cr_assert(n == 5 || (k >= 3 && n == 6), "op %llu left %zu bytes", (unsigned long long)k, n);
        ndb_free(p);
    }
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Bulk writes land the same bytes as plain ones, whatever their offsets and lengths (the
** oracle: the same writes applied to a memory image), read back through the page cache
** afterwards; where the file system does direct I/O, the aligned middle of a write is not
** left in the page cache (mincore), which is the point of them. */
Test(base, bulk_writes)
{
    char dir[] = "/tmp/ndb_bulk_XXXXXX", path[4200], cmd[4300];
    cr_assert_not_null(mkdtemp(dir));
    ndb_path_join(path, sizeof path, dir, "f");
    const ndb_vfs *v = ndb_vfs_default();
    ndb_err err;
    size_t cap = (size_t)5 << 20;
    uint8_t *img = calloc(cap, 1), *src = malloc(cap), *got = malloc(cap);
    cr_assert(img && src && got);
    uint64_t seed = 7;
    for (size_t i = 0; i < cap; i++)
        src[i] = (uint8_t)ndb_rand_next(&seed);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0);
    /* {offset, length}: small (buffered), unaligned heads and tails, a middle of more than
    ** the 1 MiB staging buffer, overwrites of earlier bytes (cached and not) */
    static const size_t w[][2] = {{0, 100},          {100, 70000},     {70100, 3 << 20},
                                  {4096, 65536},     {5000, 200000},   {(3 << 20) + 17, 1 << 20},
                                  {123, 1},          {8192, 1 << 20},  {(1 << 20) - 1, 4097}};
    size_t end = 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        const uint8_t *p = src + (i * 977) % 4096; /* unaligned sources too */
        cr_assert_eq(ndb_vfs_pwrite_bulk(v, fd, p, w[i][1], (off_t)w[i][0], path, &err), NDB_OK,
                     "write %zu: %s", i, err.msg);
        memcpy(img + w[i][0], p, w[i][1]);
        end = NDB_MAX(end, w[i][0] + w[i][1]);
    }
    cr_assert_eq(ndb_vfs_pread_all(v, fd, got, end, 0, path, &err), NDB_OK);
    cr_assert(memcmp(got, img, end) == 0, "bulk writes differ from the oracle image");
    /* a fresh aligned stretch past the end: its pages are not cached if it went direct */
    size_t at = (size_t)4 << 20, len = (size_t)1 << 20;
    cr_assert_eq(ndb_vfs_pwrite_bulk(v, fd, src, len, (off_t)at, path, &err), NDB_OK);
    int probe = open(path, O_RDONLY | O_DIRECT);
    if (probe < 0) {
        cr_log_info("bulk_writes: %s has no O_DIRECT (%s): residency not checked", dir,
                    strerror(errno));
    } else {
        close(probe);
        uint8_t *m = mmap(NULL, at + len, PROT_READ, MAP_SHARED, fd, 0);
        cr_assert_neq(m, MAP_FAILED);
        unsigned char vec[256];
        cr_assert_eq(mincore(m + at, len, vec), 0);
        size_t resident = 0;
        for (size_t i = 0; i < len / 4096; i++)
            resident += vec[i] & 1;
        cr_assert_eq(resident, 0, "%zu of 256 directly written pages are in the page cache",
                     resident);
        cr_assert(memcmp(m + at, src, len) == 0);
        munmap(m, at + len);
    }
    /* a wrong path only costs the bypass; a failing vfs fails the write */
    cr_assert_eq(ndb_vfs_pwrite_bulk(v, fd, src, 300000, 1, "/nonexistent/f", &err), NDB_OK);
    cr_assert_eq(ndb_vfs_pread_all(v, fd, got, 300000, 1, path, &err), NDB_OK);
    cr_assert(memcmp(got, src, 300000) == 0);
    ndb_vfs_fault f;
    ndb_vfs_fault_init(&f);
    f.fail_at = 1;
    f.fail_errno = ENOSPC;
    cr_assert_eq(ndb_vfs_pwrite_bulk(&f.vfs, fd, src, 300000, 0, path, &err), NDB_ENOSPC);
    close(fd);
    free(img);
    free(src);
    free(got);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(base, utf8_decode_strict)
{
    struct {
        const char *s;
        size_t n, len;
        int32_t cp;
    } t[] = {
        {"A", 1, 1, 0x41},
        {"\xc3\xa9", 2, 2, 0xe9},
        {"\xe2\x80\x99", 3, 3, 0x2019},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
        {"\xc0\xaf", 2, 0, 0},         /* overlong '/' */
        {"\xe0\x80\xaf", 3, 0, 0},     /* overlong, 3 bytes */
        {"\xed\xa0\x80", 3, 0, 0},     /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", 4, 0, 0}, /* above U+10FFFF */
        {"\xe2\x80", 2, 0, 0},         /* truncated */
        {"\x80", 1, 0, 0},             /* lone continuation */
        {"\xc3\x28", 2, 0, 0},         /* bad continuation */
        {"\xff", 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        int32_t cp = -1;
        size_t len = ndb_utf8_decode((const uint8_t *)t[i].s, t[i].n, &cp);
        cr_assert_eq(len, t[i].len, "case %zu", i);
        if (len)
            cr_assert_eq(cp, t[i].cp, "case %zu", i);
    }
}

/* ndb_gallop_geq against a linear scan: every start and target over ascending arrays with
** runs of equal values, gaps, and the empty array. */
Test(base, gallop_geq_equals_linear_scan)
{
    uint32_t p[200];
    uint64_t st = 99;
    for (size_t n = 0; n <= 200; n += 7) {
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++) {
            v += (uint32_t)(ndb_rand_next(&st) % 4); /* 0: a repeat */
            p[i] = v;
        }
        for (size_t from = 0; from <= n; from++)
            for (uint32_t t = 0; t <= v + 2; t++) {
                size_t want = from;
                while (want < n && p[want] < t)
                    want++;
                cr_assert_eq(ndb_gallop_geq(p, from, n, t), want, "n %zu from %zu t %u", n,
                             from, t);
            }
    }
}

static int test_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int test_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Input pattern k of n values: random wide, random with many repeats, ascending,
** descending, organ pipe, all equal, sawtooth. */
static uint64_t sort_pattern(int k, size_t i, size_t n, uint64_t *st)
{
    switch (k) {
    case 0: return ndb_rand_next(st);
    case 1: return ndb_rand_next(st) % 5;
    case 2: return i;
    case 3: return n - i;
    case 4: return i < n / 2 ? i : n - i;
    case 5: return 7;
    default: return i % 17;
    }
}

/* Every pattern and size against qsort, through the introsort and (depth 0, 1) through its
** heapsort fallback at once or after one partition. */
Test(base, sorts_equal_qsort)
{
    enum { MAXN = 1200 };
    static uint64_t a[MAXN], want[MAXN];
    static uint32_t b[MAXN], want32[MAXN];
    uint64_t st = 5;
    for (int k = 0; k < 7; k++)
        for (size_t n = 0; n <= MAXN; n += n < 40 ? 1 : 97)
            for (int mode = 0; mode < 3; mode++) {
                for (size_t i = 0; i < n; i++) {
                    a[i] = want[i] = sort_pattern(k, i, n, &st);
                    b[i] = want32[i] = (uint32_t)(a[i] ^ (a[i] >> 32));
                }
                qsort(want, n, sizeof *want, test_cmp_u64);
                qsort(want32, n, sizeof *want32, test_cmp_u32);
                if (mode == 0) {
                    ndb_sort_u64(a, n);
                    ndb_sort_u32(b, n);
                } else {
                    ndb_sort_u64_depth(a, n, (unsigned)mode - 1);
                    ndb_sort_u32_depth(b, n, (unsigned)mode - 1);
                }
                cr_assert(memcmp(a, want, n * sizeof *a) == 0, "u64 pattern %d n %zu mode %d",
                          k, n, mode);
                cr_assert(memcmp(b, want32, n * sizeof *b) == 0,
                          "u32 pattern %d n %zu mode %d", k, n, mode);
            }
}
