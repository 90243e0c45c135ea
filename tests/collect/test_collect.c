/*
** test_collect.c — top-k and count collectors against sort-everything, and merging:
** splitting the input across collectors (or finished lists) in any way gives the same
** answer as one collector (rule 23).
*/
#include <criterion/criterion.h>
#include <stdlib.h>

#include "collect/collect.h"
#include "common/testutil.h"

static ndb_sort g_sort;
static int cmp(const void *a, const void *b)
{
    return ndb_collect_cmp(g_sort, a, b);
}

Test(collect, topk_random_split_merge)
{
    uint64_t seed = ndb_test_seed(99), rng = seed;
    enum { N = 3000 };
    static ndb_col cols[N];
    static ndb_collect_hit all[N], l1[N], l2[N], merged[N];
    for (int round = 0; round < 200; round++) {
        uint32_t n = (uint32_t)(ndb_rand_next(&rng) % N);
        size_t k = (size_t)(ndb_rand_next(&rng) % 50);
        g_sort = (ndb_sort)(ndb_rand_next(&rng) % 3);
        for (uint32_t i = 0; i < n; i++) {
            cols[i].date = ndb_rand_next(&rng) % 5 == 0 ? NDB_DATE_NONE
                                                        : (int32_t)(ndb_rand_next(&rng) % 40);
            all[i].id = i;
            all[i].date = cols[i].date;
            all[i].score = (double)(ndb_rand_next(&rng) % 20) / 4.0; /* many ties */
        }
        ndb_collector *a, *b, *one;
        cr_assert_eq(ndb_collect_topk_new(k, g_sort, cols, n, &a), NDB_OK);
        cr_assert_eq(ndb_collect_topk_new(k, g_sort, cols, n, &b), NDB_OK);
        cr_assert_eq(ndb_collect_topk_new(k, g_sort, cols, n, &one), NDB_OK);
        /* shuffle arrival order */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t j = (uint32_t)(ndb_rand_next(&rng) % n);
            ndb_collect_hit t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        for (uint32_t i = 0; i < n; i++) {
            ndb_collector_collect(one, all[i].id, all[i].score);
            ndb_collector_collect(ndb_rand_next(&rng) % 2 ? a : b, all[i].id, all[i].score);
        }
        cr_assert_eq(ndb_collector_merge(a, b, NULL), NDB_OK);
        cr_assert_eq(ndb_collector_finish(a, NULL), NDB_OK);
        cr_assert_eq(ndb_collector_finish(one, NULL), NDB_OK);
        qsort(all, n, sizeof *all, cmp);
        size_t na, no;
        const ndb_collect_hit *ha = ndb_collect_topk_hits(a, &na);
        const ndb_collect_hit *ho = ndb_collect_topk_hits(one, &no);
        size_t want = n < k ? n : k;
        cr_assert_eq(no, want, "NDB_SEED=%llu", (unsigned long long)seed);
        cr_assert_eq(na, want);
        cr_assert_eq(a->total, n);
        for (size_t i = 0; i < want; i++) {
            cr_assert_eq(ho[i].id, all[i].id, "NDB_SEED=%llu round %d sort %d i %zu",
                         (unsigned long long)seed, round, g_sort, i);
            cr_assert_eq(ha[i].id, all[i].id);
        }
        /* list merge of two finished halves of a split by id parity */
        size_t n1 = 0, n2 = 0, nm;
        for (uint32_t i = 0; i < n; i++) {
            if (all[i].id % 2)
                l1[n1++] = all[i];
            else
                l2[n2++] = all[i];
        }
        ndb_collect_topk_merge(g_sort, l1, n1 < k ? n1 : k, l2, n2 < k ? n2 : k, k, merged, &nm);
        cr_assert_eq(nm, want);
        for (size_t i = 0; i < want; i++)
            cr_assert_eq(merged[i].id, all[i].id);
        ndb_collector_free(a);
        ndb_collector_free(b);
        ndb_collector_free(one);
    }
}

Test(collect, count_and_kinds)
{
    ndb_collector *c1, *c2, *t;
    cr_assert_eq(ndb_collect_count_new(&c1), NDB_OK);
    cr_assert_eq(ndb_collect_count_new(&c2), NDB_OK);
    cr_assert_eq(ndb_collect_topk_new(3, NDB_SORT_SCORE, NULL, 0, &t), NDB_OK);
    for (uint32_t i = 0; i < 10; i++)
        ndb_collector_collect(i % 3 ? c1 : c2, i, 0);
    cr_assert_eq(ndb_collector_merge(c1, c2, NULL), NDB_OK);
    cr_assert_eq(c1->total, 10);
    cr_assert_eq(ndb_collector_merge(c1, t, NULL), NDB_EINVAL);
    ndb_collector *bad;
    cr_assert_eq(ndb_collect_topk_new(3, (ndb_sort)7, NULL, 0, &bad), NDB_EINVAL);
    cr_assert_null(bad);
    /* admits: full heap of ties at score 1 rejects a later id with score 1 */
    for (uint32_t i = 0; i < 3; i++)
        ndb_collector_collect(t, i, 1.0);
    cr_assert(!ndb_collect_topk_admits(t, 9, NDB_DATE_NONE, 1.0));
    cr_assert(ndb_collect_topk_admits(t, 9, NDB_DATE_NONE, 1.5));
    ndb_collector_free(c1);
    ndb_collector_free(c2);
    ndb_collector_free(t);
}
