/*
** crc32c.c — CRC-32C (Castagnoli) for every on-disk frame, and xxh3 content hashes.
**
** CRC32C guards integrity (STYLE rule 10): x86-64 has it in hardware (SSE4.2 `crc32`), which
** runs at several GB/s, so verifying a whole segment on `newsdb check` is cheap. Elsewhere a
** slicing-by-8 table implementation is used. The choice is made once, at first use, from
** cpuid; both give identical results (tested against the RFC 3720 check value).
** xxh3 (libxxhash) is for content hashing only: dedup, URL maps, shingles.
*/
#include "base/base.h"

#include <pthread.h>
#include <xxhash.h>

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static bool crc_hw;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t crc_soft(uint32_t c, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint32_t lo = c ^ ndb_get_u32le(p);
        uint32_t hi = ndb_get_u32le(p + 4);
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
            crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
            crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw_run(uint32_t c, const uint8_t *p,
                                                               size_t n)
{
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c64 = __builtin_ia32_crc32di(c64, v);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--)
        c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

uint32_t ndb_crc32c(uint32_t crc, const void *p, size_t n)
{
    uint32_t c = ~crc;
    pthread_once(&crc_once, crc_init);
#if defined(__x86_64__)
    if (crc_hw)
        return ~crc_hw_run(c, p, n);
#endif
    return ~crc_soft(c, p, n);
}

uint64_t ndb_hash64(const void *p, size_t n)
{
    return (uint64_t)XXH3_64bits(p, n);
}

ndb_hash128 ndb_hash128_of(const void *p, size_t n)
{
    XXH128_hash_t h = XXH3_128bits(p, n);
    ndb_hash128 r = {(uint64_t)h.low64, (uint64_t)h.high64};
    return r;
}
