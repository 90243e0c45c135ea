/*
** dedup_map.h (api) — the writer's LSH band multimap: 32-bit band key -> article ids, every
** band key of every covered article (dedup.c looks an article's 64 keys up to find the
** earlier articles sharing two or more). Exact: a lookup returns precisely the ids entered
** with that key (no fingerprint shortcut), so candidates are what a plain hash table gives.
**
** Shape (dedup_map.c): a sorted part at 6 bytes per entry (16 low key bits + 32-bit id,
** the high bits implied by a bucket directory) plus a small open-addressing table of the
** recent entries, merged into the sorted part in place when full. So memory is ~6.3 bytes
** per key (~400 bytes per article at 64 bands) with no grow-time copy of the whole map; the
** writer holds only its recent articles here, the rest in runs on disk (dedup_runs.h).
*/
#ifndef NDB_API_DEDUP_MAP_H
#define NDB_API_DEDUP_MAP_H

#include "base/base.h"

typedef struct api_dedup_map {
    /* sorted part: n entries ascending by key; bucket b (the top dbits bits of the key)
    ** holds entries [dir[b], dir[b + 1]); lo = the key's low 16 bits (dbits >= 16) */
    uint16_t *lo;
    uint32_t *id;
    uint32_t *dir;   /* [2^dbits + 1]; NULL while n == 0 */
    size_t n;
    unsigned dbits;
    /* recent part: open addressing, slot = key << 32 | id, UINT64_MAX empty; merged into
    ** the sorted part when it would pass 3/4 of recent_max slots */
    uint64_t *h;
    size_t hcap, hn, hmax; /* hcap a power of two <= hmax */
    size_t merges;         /* (tests, tuning) merges done */
} api_dedup_map;

/* recent_max: the recent table's largest slot count, a power of two >= 128 (0: the default,
** 2^21 slots = 16 MB). Small values make tests exercise merges. */
void api_dedup_map_init(api_dedup_map *m, size_t recent_max);
void api_dedup_map_fini(api_dedup_map *m);
/* Make room for extra more entries (at most 3/4 of recent_max): the next extra adds cannot
** fail. NDB_ENOMEM leaves the map as it was; NDB_ELIMIT past 2^32 - 1 entries. */
ndb_rc api_dedup_map_reserve(api_dedup_map *m, size_t extra);
/* Enter (key, id); id must not be UINT32_MAX. Errors as reserve (the entry then absent). */
ndb_rc api_dedup_map_add(api_dedup_map *m, uint32_t key, uint32_t id);
/* Append every id entered with key to (*ids)[*n...] (grown by ndb_grow, *cap its size), in
** no particular order. */
ndb_rc api_dedup_map_find(const api_dedup_map *m, uint32_t key, uint32_t **ids, size_t *n,
                          size_t *cap);
/* The same for each of keys[0..nkeys) in turn (faster: their memory reads overlap). */
ndb_rc api_dedup_map_find_all(const api_dedup_map *m, const uint32_t *keys, size_t nkeys,
                              uint32_t **ids, size_t *n, size_t *cap);
/* Merge the recent table into the sorted part (then every entry is in lo/id/dir, ascending
** by key: what api_dedup_runs_spill writes). NDB_ENOMEM leaves the map as it was. */
ndb_rc api_dedup_map_flush(api_dedup_map *m);
/* Drop every entry and free the arrays (the recent table's size and the merge count stay). */
void api_dedup_map_clear(api_dedup_map *m);
/* Sort e[0..n) (key << 32 | id) by key, stably, through tmp[n] and cnt[65536]. */
void api_dedup_sort_keys(uint64_t *e, uint64_t *tmp, size_t n, uint32_t *cnt);
/* Entries held, and the bytes of the arrays holding them. */
size_t api_dedup_map_count(const api_dedup_map *m);
size_t api_dedup_map_bytes(const api_dedup_map *m);

#endif
