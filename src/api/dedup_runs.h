/*
** dedup_runs.h (api) — the writer's band keys of older articles, on disk: sorted runs
** (dedup_runs.c), so the in-memory band map (dedup_map.c) holds only the recent articles
** and the writer's memory stays within a budget whatever the archive's size.
**
** A run holds every band key of the articles [base, base + count), sorted by key. Runs
** partition [0, end) in order. They are derived data (the dup files hold the same keys in
** article order): a missing, torn or stale run is dropped at open and its articles' keys
** are read again from the dup files. The writer finds an uncommitted batch's candidates
** among them with one sorted merge per run (api_dedup_runs_join) at commit.
*/
#ifndef NDB_API_DEDUP_RUNS_H
#define NDB_API_DEDUP_RUNS_H

#include "api/dedup_map.h"

#define API_DEDUP_RUN_FANIN 8u /* runs of one level merged into one of the next */

typedef struct api_dedup_run {
    uint32_t base, count; /* articles [base, base + count) */
    uint32_t level;       /* 0: one spill of the map; L + 1: FANIN level-L runs merged */
    uint32_t dbits;       /* directory bits (0..16) */
    uint64_t n;           /* entries */
    uint64_t *dir;        /* [2^dbits + 1]: keys with top dbits bits b: [dir[b], dir[b+1]) */
} api_dedup_run;

typedef struct api_dedup_runs {
    const ndb_vfs *vfs;
    const char *dir;      /* the archive directory (borrowed) */
    api_dedup_run *v;     /* in article order, contiguous from 0 */
    size_t n, cap;
    uint32_t end;         /* articles [0, end) are in runs */
    uint64_t merges;      /* (tests) runs merged so far */
} api_dedup_runs;

/* Find the runs of dir that chain from article 0 and end at or before `covered` (the
** articles the committed dup files describe), checking each one's checksum; delete every
** other run file (left by a crash, or past a rollback). */
ndb_rc api_dedup_runs_open(api_dedup_runs *r, const ndb_vfs *vfs, const char *dir,
                           uint32_t covered, ndb_err *err);
void api_dedup_runs_fini(api_dedup_runs *r);

/* Write the map's entries as the run of articles [r->end, r->end + count) and clear the map;
** then merge the newest runs while API_DEDUP_RUN_FANIN of them share a level. The articles
** must be in committed (or being-committed) dup files: a run past the committed ones is
** deleted by the next open. */
ndb_rc api_dedup_runs_spill(api_dedup_runs *r, api_dedup_map *m, uint32_t count, ndb_err *err);

/* Join: q[0..nq) are (key << 32 | id) sorted by key. For each q entry and each run entry
** with the same key, append (q id << 32 | run id) to (*pairs)[*np...] (grown by ndb_grow). */
ndb_rc api_dedup_runs_join(const api_dedup_runs *r, const uint64_t *q, size_t nq,
                           uint64_t **pairs, size_t *np, size_t *cap, ndb_err *err);

/* Bytes the runs occupy on disk. */
uint64_t api_dedup_runs_bytes(const api_dedup_runs *r);

#endif
