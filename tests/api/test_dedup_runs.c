/*
** The writer's on-disk band runs (src/api/dedup_runs.c) against a brute force: every
** (key, id) spilled is kept in a plain array; a join of a sorted batch must return exactly
** the (batch id, run id) pairs of equal keys (as a multiset), whichever run holds them.
** Checked: equal keys across and inside runs, keys at the extremes, a sparse batch (a few
** keys: bucket-wise reads) and a dense one (read through), merges of FANIN runs cascading
** to level 2, reopen (the same runs found), a run past the committed articles, a torn run
** (dropped, with every run after it) and leftover tmp files (deleted).
*/
#include "api/dedup_runs.h"
#include "common/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
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

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct vec {
    uint64_t *e;
    size_t n, cap;
} vec;

static void vec_add(vec *v, uint64_t e)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->e = realloc(v->e, v->cap * sizeof *v->e);
        cr_assert(v->e != NULL);
    }
    v->e[v->n++] = e;
}

static uint32_t space[400];

static void space_init(void)
{
    static const uint32_t edge[] = {0, 1, 0xffff, 0x10000, 0xffff0000u, 0x7fffffffu,
                                    0x80000000u, UINT32_MAX - 1, UINT32_MAX};
    for (int i = 0; i < 400; i++)
        space[i] = i < 9 ? edge[i] : rnd32();
}

/* Spill `arts` articles of up to 8 keys each (from the small space: many equal keys) as
** one run; the brute force keeps them. */
static void spill_some(api_dedup_runs *r, api_dedup_map *m, vec *all, uint32_t arts)
{
    ndb_err err;
    for (uint32_t a = 0; a < arts; a++) {
        uint32_t id = r->end + a, nk = rnd32() % 9;
        for (uint32_t k = 0; k < nk; k++) {
            uint32_t key = rnd32() % 3 ? space[rnd32() % 400] : rnd32();
            cr_assert_eq(api_dedup_map_add(m, key, id), NDB_OK);
            vec_add(all, (uint64_t)key << 32 | id);
        }
    }
    cr_assert_eq(api_dedup_runs_spill(r, m, arts, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(api_dedup_map_count(m), 0);
}

/* The join of a batch (nq keys, ids from 1e9 up) equals the brute force's pairs. */
static void check_join(const api_dedup_runs *r, const vec *all, size_t nq)
{
    vec q = {0}, want = {0};
    uint64_t *got = NULL;
    size_t ng = 0, gcap = 0;
    ndb_err err;
    for (size_t i = 0; i < nq; i++) {
        uint32_t key = rnd32() % 2 ? space[rnd32() % 400] : rnd32();
        vec_add(&q, (uint64_t)key << 32 | (uint32_t)(1000000000u + i));
    }
    qsort(q.e, q.n, sizeof *q.e, cmp_u64);
    for (size_t i = 0; i < q.n; i++)
        for (size_t j = 0; j < all->n; j++)
            if (all->e[j] >> 32 == q.e[i] >> 32)
                vec_add(&want, (q.e[i] & 0xffffffffu) << 32 | (uint32_t)all->e[j]);
    cr_assert_eq(api_dedup_runs_join(r, q.e, q.n, &got, &ng, &gcap, &err), NDB_OK, "%s",
                 err.msg);
    cr_assert_eq(ng, want.n, "join of %zu keys: %zu pairs, expected %zu", nq, ng, want.n);
    if (ng > 1) {
        qsort(got, ng, sizeof *got, cmp_u64);
        qsort(want.e, want.n, sizeof *want.e, cmp_u64);
    }
    for (size_t i = 0; i < ng; i++)
        cr_assert_eq(got[i], want.e[i], "pair %zu differs", i);
    ndb_free(got);
    free(q.e);
    free(want.e);
}

static int count_files(const char *dir, const char *suffix)
{
    int n = 0;
    DIR *dd = opendir(dir);
    cr_assert(dd != NULL);
    for (struct dirent *e; (e = readdir(dd)) != NULL;) {
        size_t l = strlen(e->d_name), s = strlen(suffix);
        n += strncmp(e->d_name, "dkey-", 5) == 0 && l > s && strcmp(e->d_name + l - s, suffix) == 0;
    }
    closedir(dd);
    return n;
}

Test(dedup_runs, join_equals_brute_force_through_merges_and_reopen, .timeout = 120)
{
    char tmp[4096];
    api_dedup_runs r;
    api_dedup_map m;
    vec all = {0};
    ndb_err err;
    const ndb_vfs *vfs = ndb_vfs_default();
    rng_s = ndb_test_seed(7) | 1;
    space_init();
    ndb_test_tmpdir(tmp, sizeof tmp);
    api_dedup_map_init(&m, 128);
    cr_assert_eq(api_dedup_runs_open(&r, vfs, tmp, 0, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(r.n, 0);
    check_join(&r, &all, 50); /* no runs: no pairs */
    /* 8 spills make one level-1 run; 64 make a level-2 one; then 5 more level-0 runs */
    for (int s = 0; s < 69; s++) {
        spill_some(&r, &m, &all, 1 + rnd32() % 40);
        if (s % 9 == 0) {
            check_join(&r, &all, 5);     /* sparse: bucket-wise reads */
            check_join(&r, &all, 3000);  /* dense: read through */
        }
    }
    cr_assert_eq(r.n, 1 + 5, "one level-2 run and five level-0 runs, not %zu", r.n);
    cr_assert_eq(r.v[0].level, 2);
    cr_assert_eq(r.merges, 9);
    cr_assert_eq(count_files(tmp, ".ndk"), 6);
    check_join(&r, &all, 5);
    check_join(&r, &all, 4000);
    /* reopen: the same chain */
    uint32_t end = r.end;
    api_dedup_runs_fini(&r);
    cr_assert_eq(api_dedup_runs_open(&r, vfs, tmp, end, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(r.n, 6);
    cr_assert_eq(r.end, end);
    check_join(&r, &all, 2000);
    /* a run past the committed articles is stale: dropped and deleted */
    uint32_t last_base = r.v[5].base;
    api_dedup_runs_fini(&r);
    cr_assert_eq(api_dedup_runs_open(&r, vfs, tmp, end - 1, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(r.n, 5);
    cr_assert_eq(r.end, last_base);
    cr_assert_eq(count_files(tmp, ".ndk"), 5);
    /* a torn run: it and every run after it are dropped (their articles go back to the
    ** map from the dup files); a leftover tmp file is deleted */
    char name[64], path[4200];
    snprintf(name, sizeof name, "dkey-%08x-%08x.ndk", r.v[2].base, r.v[2].count);
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    uint32_t torn_base = r.v[2].base;
    api_dedup_runs_fini(&r);
    FILE *f = fopen(path, "r+b");
    cr_assert(f != NULL);
    fseek(f, 100, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, 100, SEEK_SET);
    fputc(ch ^ 0x40, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/dkey-00000000-00000001.ndk.tmp", tmp);
    f = fopen(path, "wb");
    cr_assert(f != NULL);
    fclose(f);
    cr_assert_eq(api_dedup_runs_open(&r, vfs, tmp, end, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.end, torn_base);
    cr_assert_eq(count_files(tmp, ".ndk"), 2);
    cr_assert_eq(count_files(tmp, ".tmp"), 0);
    /* the brute force of what is left */
    size_t k = 0;
    for (size_t i = 0; i < all.n; i++)
        if ((uint32_t)all.e[i] < torn_base)
            all.e[k++] = all.e[i];
    all.n = k;
    check_join(&r, &all, 3000);
    api_dedup_runs_fini(&r);
    api_dedup_map_fini(&m);
    free(all.e);
    ndb_test_rmtree(tmp);
}
