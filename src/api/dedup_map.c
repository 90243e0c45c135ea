/*
** dedup_map.c — the writer's LSH band multimap (key -> article ids), compact and without a
** grow-time copy. Why this shape: at 64 band keys per article a 1M archive holds 64M keys.
** An open-addressing table of (u32 key, u32 id) at load 0.5-0.75 costs 680-1,020 bytes per
** article, and while it grows the old and the new tables are both alive (1.16 GB at 1M).
**
** Here most entries live in a SORTED part: two parallel arrays, the key's low 16 bits (u16)
** and the id (u32), 6 bytes per entry, ascending by key; a directory of 2^dbits offsets
** (dbits in [16, 24], ~16 entries per bucket) gives each entry's top dbits key bits, so the
** full 32-bit key is known exactly (dbits >= 16 covers the rest) and a lookup is one
** directory read plus a short scan. New entries go to a small open-addressing RECENT table
** (u64 slots key << 32 | id, at most recent_max slots, 16 MB by default); when it fills,
** its entries are radix-sorted and merged into the sorted part in place: the two arrays are
** reallocated (glibc moves large blocks with mremap, no copy) and filled from the back, as
** in merging two sorted arrays when the first has room at its end. The LSM-tree idea
** (Lucene's segments, LevelDB's memtable + sorted tables) reduced to one level, since the
** sorted part is rewritten in place anyway. At 1M articles: 64M x 6 B + 16 MB directory +
** 16 MB recent table = ~415 MB, peak ~430 MB (a merge adds the recent entries' sorted
** copy, 12 MB); 40 merges of up to 400 MB of memory moves each, 5.1 s of CPU for the 64M
** inserts and merges, 4.1 s for the 64M lookups (a 32 MB table: 20 merges, 1.2 s less).
*/
#include "api/dedup_map.h"

#define MAP_EMPTY       UINT64_MAX
#define MAP_RECENT_MAX  ((size_t)1 << 21)
#define MAP_RECENT_MIN  ((size_t)128) /* room for one article's 64 keys after a merge */
#define MAP_DBITS_MIN   16u
#define MAP_DBITS_MAX   24u
#define MAP_BUCKET      16u /* aimed entries per directory bucket */

void api_dedup_map_init(api_dedup_map *m, size_t recent_max)
{
    size_t hmax = MAP_RECENT_MIN;
    memset(m, 0, sizeof *m);
    if (recent_max == 0)
        recent_max = MAP_RECENT_MAX;
    while (hmax * 2 <= recent_max)
        hmax *= 2;
    m->hmax = hmax;
    m->dbits = MAP_DBITS_MIN;
}

void api_dedup_map_fini(api_dedup_map *m)
{
    ndb_free(m->lo);
    ndb_free(m->id);
    ndb_free(m->dir);
    ndb_free(m->h);
    memset(m, 0, sizeof *m);
}

size_t api_dedup_map_count(const api_dedup_map *m)
{
    return m->n + m->hn;
}

size_t api_dedup_map_bytes(const api_dedup_map *m)
{
    size_t dir = m->dir ? (((size_t)1 << m->dbits) + 1) * sizeof *m->dir : 0;
    return m->n * (sizeof *m->lo + sizeof *m->id) + dir + m->hcap * sizeof *m->h;
}

/* Home slot in the recent table: the key mixed (tests use small keys), scaled to hcap. */
static size_t map_home(size_t hcap, uint32_t key)
{
    return (size_t)(((uint64_t)(uint32_t)(key * 0x9E3779B1u) * hcap) >> 32);
}

static void map_put(uint64_t *h, size_t hcap, uint64_t e)
{
    size_t i = map_home(hcap, (uint32_t)(e >> 32));
    while (h[i] != MAP_EMPTY)
        i = i + 1 == hcap ? 0 : i + 1;
    h[i] = e;
}

static ndb_rc map_recent_grow(api_dedup_map *m)
{
    size_t ncap = m->hcap ? m->hcap * 2 : (m->hmax < 1024 ? m->hmax : 1024);
    uint64_t *nh = ndb_malloc(ncap * sizeof *nh);
    if (!nh)
        return NDB_ENOMEM;
    memset(nh, 0xff, ncap * sizeof *nh);
    for (size_t i = 0; i < m->hcap; i++)
        if (m->h[i] != MAP_EMPTY)
            map_put(nh, ncap, m->h[i]);
    ndb_free(m->h);
    m->h = nh;
    m->hcap = ncap;
    return NDB_OK;
}

/* Stable LSD radix sort of n entries by their key (bits 32..63), two passes of 16 bits,
** through tmp (n entries). */
static void map_sort(uint64_t *e, uint64_t *tmp, size_t n, uint32_t *cnt)
{
    for (int pass = 0; pass < 2; pass++) {
        unsigned sh = 32u + 16u * (unsigned)pass;
        uint64_t *from = pass ? tmp : e, *to = pass ? e : tmp;
        uint32_t sum = 0;
        memset(cnt, 0, 65536 * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(from[i] >> sh) & 0xffff]++;
        for (size_t b = 0; b < 65536; b++) {
            uint32_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            to[cnt[(from[i] >> sh) & 0xffff]++] = from[i];
    }
}

/* Merge the recent table into the sorted part (in place, from the back) and empty it.
** Every allocation comes first: on NDB_ENOMEM the map is unchanged. */
static ndb_rc map_merge(api_dedup_map *m)
{
    size_t hn = m->hn, n2 = m->n + m->hn, nb, k, i, j, b;
    unsigned nbits = MAP_DBITS_MIN, osh = 32u - m->dbits, nsh;
    uint64_t *t = NULL;
    uint32_t *ndir = NULL, *cnt = NULL, *nid;
    uint16_t *nlo;
    if (hn == 0)
        return NDB_OK;
    if (n2 > UINT32_MAX)
        return NDB_ELIMIT;
    while (nbits < MAP_DBITS_MAX && (n2 >> nbits) > MAP_BUCKET)
        nbits++;
    nb = (size_t)1 << nbits;
    nsh = 32u - nbits;
    t = ndb_malloc(hn * sizeof *t);
    ndir = ndb_calloc(nb + 1, sizeof *ndir);
    cnt = ndb_malloc(65536 * sizeof *cnt);
    if (!t || !ndir || !cnt)
        goto nomem;
    nlo = ndb_realloc(m->lo, n2 * sizeof *nlo);
    if (!nlo)
        goto nomem;
    m->lo = nlo;
    nid = ndb_realloc(m->id, n2 * sizeof *nid);
    if (!nid)
        goto nomem; /* (lo is longer than n: harmless) */
    m->id = nid;
    /* the recent entries, sorted by key; the table is the sort's scratch (hcap >= hn) */
    for (i = 0, k = 0; i < m->hcap; i++)
        if (m->h[i] != MAP_EMPTY)
            t[k++] = m->h[i];
    map_sort(t, m->h, hn, cnt);
    /* from the back: the larger key of the two heads goes to slot k - 1 (sorted part first
    ** among equal keys); slots past i are free, and k >= i always */
    i = m->n;
    j = hn;
    k = n2;
    b = m->dir ? ((size_t)1 << m->dbits) - 1 : 0;
    while (i > 0) {
        uint32_t sk;
        while (m->dir[b] > i - 1)
            b--;
        sk = (uint32_t)(b << osh) | m->lo[i - 1];
        while (j > 0 && (uint32_t)(t[j - 1] >> 32) >= sk) {
            k--;
            j--;
            m->lo[k] = (uint16_t)(t[j] >> 32);
            m->id[k] = (uint32_t)t[j];
            ndir[(uint32_t)(t[j] >> 32) >> nsh]++;
        }
        k--;
        i--;
        m->lo[k] = m->lo[i];
        m->id[k] = m->id[i];
        ndir[sk >> nsh]++;
    }
    while (j > 0) {
        k--;
        j--;
        m->lo[k] = (uint16_t)(t[j] >> 32);
        m->id[k] = (uint32_t)t[j];
        ndir[(uint32_t)(t[j] >> 32) >> nsh]++;
    }
    for (b = 0, k = 0; b <= nb; b++) { /* counts -> starts; ndir[nb] = n2 */
        size_t c = ndir[b];
        ndir[b] = (uint32_t)k;
        k += c;
    }
    ndb_free(m->dir);
    m->dir = ndir;
    m->dbits = nbits;
    m->n = n2;
    memset(m->h, 0xff, m->hcap * sizeof *m->h);
    m->hn = 0;
    m->merges++;
    ndb_free(t);
    ndb_free(cnt);
    return NDB_OK;
nomem:
    ndb_free(t);
    ndb_free(ndir);
    ndb_free(cnt);
    return NDB_ENOMEM;
}

ndb_rc api_dedup_map_flush(api_dedup_map *m)
{
    return map_merge(m);
}

void api_dedup_map_clear(api_dedup_map *m)
{
    size_t hmax = m->hmax, merges = m->merges;
    api_dedup_map_fini(m);
    m->hmax = hmax;
    m->dbits = MAP_DBITS_MIN;
    m->merges = merges;
}

void api_dedup_sort_keys(uint64_t *e, uint64_t *tmp, size_t n, uint32_t *cnt)
{
    map_sort(e, tmp, n, cnt);
}

ndb_rc api_dedup_map_reserve(api_dedup_map *m, size_t extra)
{
    ndb_rc rc = NDB_OK;
    if (extra * 4 > m->hmax * 3)
        return NDB_EINVAL;
    while (rc == NDB_OK && (m->hn + extra) * 4 > m->hcap * 3)
        rc = m->hcap < m->hmax ? map_recent_grow(m) : map_merge(m);
    return rc;
}

ndb_rc api_dedup_map_add(api_dedup_map *m, uint32_t key, uint32_t id)
{
    ndb_rc rc = id == UINT32_MAX ? NDB_EINVAL : api_dedup_map_reserve(m, 1);
    if (rc != NDB_OK)
        return rc;
    map_put(m->h, m->hcap, (uint64_t)key << 32 | id);
    m->hn++;
    return NDB_OK;
}

static ndb_rc map_push(uint32_t id, uint32_t **ids, size_t *n, size_t *cap)
{
    ndb_rc rc = ndb_grow((void **)ids, cap, *n + 1, sizeof **ids);
    if (rc == NDB_OK)
        (*ids)[(*n)++] = id;
    return rc;
}

ndb_rc api_dedup_map_find(const api_dedup_map *m, uint32_t key, uint32_t **ids, size_t *n,
                          size_t *cap)
{
    ndb_rc rc = NDB_OK;
    if (m->n > 0) {
        size_t b = key >> (32u - m->dbits), end = m->dir[b + 1];
        uint16_t lo = (uint16_t)key;
        for (size_t i = m->dir[b]; i < end && m->lo[i] <= lo && rc == NDB_OK; i++)
            if (m->lo[i] == lo)
                rc = map_push(m->id[i], ids, n, cap);
    }
    if (m->hcap > 0)
        for (size_t i = map_home(m->hcap, key); m->h[i] != MAP_EMPTY && rc == NDB_OK;
             i = i + 1 == m->hcap ? 0 : i + 1)
            if ((uint32_t)(m->h[i] >> 32) == key)
                rc = map_push((uint32_t)m->h[i], ids, n, cap);
    return rc;
}

/* The same for nkeys keys at once, in groups of 64: the directory entries, then the sorted
** runs and the recent table's home slots of the whole group are prefetched before any is
** read, so the group's cache misses overlap instead of following one another. */
ndb_rc api_dedup_map_find_all(const api_dedup_map *m, const uint32_t *keys, size_t nkeys,
                              uint32_t **ids, size_t *n, size_t *cap)
{
    ndb_rc rc = NDB_OK;
    for (size_t g = 0; g < nkeys && rc == NDB_OK; g += 64) {
        size_t cnt = nkeys - g < 64 ? nkeys - g : 64;
        const uint32_t *k = keys + g;
        uint32_t from[64], to[64];
        if (m->n > 0) {
            unsigned sh = 32u - m->dbits;
            for (size_t i = 0; i < cnt; i++)
                __builtin_prefetch(&m->dir[k[i] >> sh]);
            for (size_t i = 0; i < cnt; i++) {
                from[i] = m->dir[k[i] >> sh];
                to[i] = m->dir[(k[i] >> sh) + 1];
                __builtin_prefetch(&m->lo[from[i]]);
            }
        }
        for (size_t i = 0; m->hcap > 0 && i < cnt; i++)
            __builtin_prefetch(&m->h[map_home(m->hcap, k[i])]);
        for (size_t i = 0; i < cnt && rc == NDB_OK; i++) {
            uint16_t lo = (uint16_t)k[i];
            for (size_t j = m->n > 0 ? from[i] : 0, end = m->n > 0 ? to[i] : 0;
                 j < end && m->lo[j] <= lo && rc == NDB_OK; j++)
                if (m->lo[j] == lo)
                    rc = map_push(m->id[j], ids, n, cap);
            if (m->hcap > 0)
                for (size_t j = map_home(m->hcap, k[i]); m->h[j] != MAP_EMPTY && rc == NDB_OK;
                     j = j + 1 == m->hcap ? 0 : j + 1)
                    if ((uint32_t)(m->h[j] >> 32) == k[i])
                        rc = map_push((uint32_t)m->h[j], ids, n, cap);
        }
    }
    return rc;
}
