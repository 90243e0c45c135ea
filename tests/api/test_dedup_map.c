/*
** The writer's band multimap (src/api/dedup_map.c) against a brute force: every (key, id)
** entered is kept in a plain array; a lookup must return exactly the ids entered with that
** key (as a multiset), whatever part of the map holds them. Checked:
**   - many equal keys (a small key space: collisions inside one bucket, across the sorted
**     part and the recent table, equal keys at the merge boundary), keys at the extremes
**     (0, 0xffff, 0x10000, UINT32_MAX), a tiny recent table so that hundreds of merges run;
**   - full 32-bit keys past 2^20 entries: the directory grows past 16 bits;
**   - an allocation failure at any point of a merge leaves the map as it was;
**   - memory: ~6 bytes per entry in the sorted part.
*/
#include "api/dedup_map.h"
#include "common/testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_s;
static uint32_t rnd32(void)
{
    rng_s ^= rng_s << 13;
    rng_s ^= rng_s >> 7;
    rng_s ^= rng_s << 17;
    return (uint32_t)(rng_s >> 16);
}

typedef struct pairs {
    uint64_t *e; /* key << 32 | id */
    size_t n, cap;
} pairs;

static void pairs_add(pairs *p, uint32_t key, uint32_t id)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->e = realloc(p->e, p->cap * sizeof *p->e);
        cr_assert(p->e != NULL);
    }
    p->e[p->n++] = (uint64_t)key << 32 | id;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The map's answer for key equals the brute force's (sorted is p->e sorted). */
static void check_key(const api_dedup_map *m, const pairs *sorted, uint32_t key)
{
    uint32_t *ids = NULL;
    size_t n = 0, cap = 0, lo = 0, hi = sorted->n;
    cr_assert_eq(api_dedup_map_find(m, key, &ids, &n, &cap), NDB_OK);
    while (lo < hi) { /* first entry with key >= key */
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)(sorted->e[mid] >> 32) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (n > 1)
        qsort(ids, n, sizeof *ids, cmp_u32);
    size_t k = 0;
    for (size_t i = lo; i < sorted->n && (uint32_t)(sorted->e[i] >> 32) == key; i++, k++) {
        cr_assert_lt(k, n, "key %08x: the map lost an id", key);
        cr_assert_eq(ids[k], (uint32_t)sorted->e[i], "key %08x: id %u, expected %u", key,
                     ids[k], (uint32_t)sorted->e[i]);
    }
    cr_assert_eq(k, n, "key %08x: %zu ids, expected %zu", key, n, k);
    ndb_free(ids);
}

static pairs sorted_copy(const pairs *p)
{
    pairs s = {malloc((p->n + 1) * sizeof *p->e), p->n, p->n};
    memcpy(s.e, p->e, p->n * sizeof *p->e);
    qsort(s.e, s.n, sizeof *s.e, cmp_u64);
    return s;
}

static const uint32_t edge_keys[] = {0, 1, 0xffff, 0x10000, 0xffff0000u, 0x7fffffffu,
                                     0x80000000u, UINT32_MAX - 1, UINT32_MAX};

/* Keys from a small space (many equal ones, some at the extremes); 128-slot recent table:
** a merge every 96 entries, equal keys in both parts at every merge. */
Test(dedup_map, equals_brute_force_with_equal_keys)
{
    api_dedup_map m;
    pairs p = {0};
    rng_s = ndb_test_seed(5) | 1;
    api_dedup_map_init(&m, 128);
    uint32_t space[300];
    for (int i = 0; i < 300; i++)
        space[i] = i < 9 ? edge_keys[i] : rnd32();
    space[9] = space[10] ^ 1;      /* neighbours in one bucket */
    space[11] = space[10] + 65536; /* same low 16 bits, next bucket */
    uint32_t id = 0;
    for (int phase = 0; phase < 12; phase++) {
        for (int i = 0; i < 4000; i++) {
            uint32_t key = space[rnd32() % 300];
            if (rnd32() % 4 == 0)
                id++; /* an article's keys share its id; ids ascend */
            cr_assert_eq(api_dedup_map_add(&m, key, id), NDB_OK);
            pairs_add(&p, key, id);
        }
        cr_assert_eq(api_dedup_map_count(&m), p.n);
        pairs s = sorted_copy(&p);
        for (int i = 0; i < 300; i++)
            check_key(&m, &s, space[i]);
        for (int i = 0; i < 300; i++) /* absent keys: nothing */
            check_key(&m, &s, rnd32());
        /* find_all over 150 keys (groups of 64 and a rest) == find of each, in order */
        uint32_t keys[150], *x = NULL, *y = NULL;
        size_t nx = 0, cx = 0, ny = 0, cy = 0;
        for (int i = 0; i < 150; i++)
            keys[i] = i % 3 ? space[rnd32() % 300] : rnd32();
        cr_assert_eq(api_dedup_map_find_all(&m, keys, 150, &x, &nx, &cx), NDB_OK);
        for (int i = 0; i < 150; i++)
            cr_assert_eq(api_dedup_map_find(&m, keys[i], &y, &ny, &cy), NDB_OK);
        cr_assert_eq(nx, ny);
        cr_assert(nx > 0 && memcmp(x, y, nx * sizeof *x) == 0);
        ndb_free(x);
        ndb_free(y);
        free(s.e);
    }
    cr_assert_gt(m.merges, 400, "only %zu merges", m.merges);
    cr_assert_eq(api_dedup_map_add(&m, 1, UINT32_MAX), NDB_EINVAL);
    api_dedup_map_fini(&m);
    free(p.e);
}

/* Random 32-bit keys past 2^20 entries, default recent table and a small one: the directory
** grows past 16 bits (its buckets stay ~16 entries); every entered key and as many absent
** ones answer as the brute force; the sorted part costs 6 bytes per entry. */
Test(dedup_map, large_random_keys_grow_the_directory, .timeout = 60)
{
    size_t recent[2] = {(size_t)1 << 20, (size_t)1 << 16};
    for (int r = 0; r < 2; r++) {
        api_dedup_map m;
        pairs p = {0};
        rng_s = ndb_test_seed(7) | 1;
        api_dedup_map_init(&m, recent[r]);
        size_t total = 2500000; /* past 2^20 in the sorted part at either table size */
        for (size_t i = 0; i < total; i++) {
            uint32_t key = rnd32(), id = (uint32_t)(i / 64);
            cr_assert_eq(api_dedup_map_add(&m, key, id), NDB_OK);
            pairs_add(&p, key, id);
        }
        cr_assert_eq(api_dedup_map_count(&m), total);
        cr_assert_gt(m.merges, 0);
        cr_assert_gt(m.dbits, 16, "directory of %u bits for %zu entries", m.dbits, m.n);
        cr_assert_leq(m.n >> m.dbits, 16);
        size_t dir = (((size_t)1 << m.dbits) + 1) * 4;
        cr_assert_eq(api_dedup_map_bytes(&m), m.n * 6 + dir + m.hcap * 8);
        pairs s = sorted_copy(&p);
        int probes = getenv("NEWSDB_QUICK") ? 2000 : 20000; /* (make asan) */
        for (int i = 0; i < probes; i++) {
            check_key(&m, &s, (uint32_t)(p.e[rnd32() % p.n] >> 32));
            check_key(&m, &s, rnd32());
        }
        for (size_t i = 0; i < sizeof edge_keys / sizeof *edge_keys; i++)
            check_key(&m, &s, edge_keys[i]);
        free(s.e);
        api_dedup_map_fini(&m);
        free(p.e);
    }
}

/* An allocation failure at each allocation of a merge (and of the recent table's growth)
** returns NDB_ENOMEM and leaves every answer as before; the retry then succeeds. */
Test(dedup_map, enomem_leaves_the_map_unchanged)
{
    api_dedup_map m;
    pairs p = {0};
    rng_s = ndb_test_seed(9) | 1;
    int failed = 0;
    api_dedup_map_init(&m, 256);
    for (uint64_t fail = 0; fail < 12; fail++) {
        /* fill up to the brink of a merge (or a growth) */
        while ((m.hn + 1) * 4 <= m.hcap * 3 || m.hcap == 0) {
            uint32_t key = rnd32() % 500;
            cr_assert_eq(api_dedup_map_add(&m, key, (uint32_t)p.n / 8), NDB_OK);
            pairs_add(&p, key, (uint32_t)p.n / 8);
        }
        size_t before = api_dedup_map_count(&m);
        ndb_alloc_fail_at(fail % 6 + 1, false);
        ndb_rc rc = api_dedup_map_add(&m, 7, (uint32_t)p.n / 8);
        ndb_alloc_fail_at(0, false);
        if (rc == NDB_OK)
            pairs_add(&p, 7, (uint32_t)p.n / 8);
        else {
            failed++;
            cr_assert_eq(rc, NDB_ENOMEM);
            cr_assert_eq(api_dedup_map_count(&m), before);
        }
        pairs s = sorted_copy(&p);
        for (uint32_t k = 0; k < 500; k++)
            check_key(&m, &s, k);
        free(s.e);
    }
    /* a merge makes 5 allocations: the 6th-from-now never comes */
    cr_assert_eq(failed, 10);
    cr_assert_eq(m.merges, 2);
    api_dedup_map_fini(&m);
    free(p.e);
}
