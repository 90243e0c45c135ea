/* Tests of termdict/: writer -> bytes -> reader, exact lookups, ordered walks from any
** target, order enforcement and corrupt-byte handling. NDB_SEED=<n> replays. */
#include <criterion/criterion.h>

#include "common/testutil.h"
#include "termdict/termdict.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct tcase {
    char **t;
    size_t *n, cnt;
    ndb_termdict_info *info;
    ndb_termdict_writer w;
    ndb_termdict d;
} tcase;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* cnt distinct random terms over a small alphabet (shared prefixes), sorted, with infos
** laid out as a segment would (pos then doc, mostly contiguous, sometimes gaps). */
static void tcase_build(tcase *c, size_t cnt, uint64_t seed)
{
    uint64_t st = seed, end = 100;
    char **raw = malloc(cnt * 2 * sizeof *raw);
    size_t k = 0;
    for (size_t i = 0; i < cnt * 2; i++) {
        size_t len = 1 + ndb_rand_next(&st) % (i % 97 == 0 ? NDB_TERMDICT_MAX : 12);
        raw[i] = malloc(len + 1);
        for (size_t j = 0; j < len; j++)
            raw[i][j] = (char)("abcde\x7f\x80\xfe"[ndb_rand_next(&st) % (j < 3 ? 3 : 8)]);
        raw[i][len] = 0;
    }
    qsort(raw, cnt * 2, sizeof *raw, cmp_str);
    c->t = malloc(cnt * 2 * sizeof *c->t);
    for (size_t i = 0; i < cnt * 2; i++) {
        if (k == cnt || (k > 0 && strcmp(c->t[k - 1], raw[i]) == 0)) {
            free(raw[i]);
            continue;
        }
        c->t[k++] = raw[i];
    }
    free(raw);
    c->cnt = k;
    c->n = malloc(k * sizeof *c->n);
    c->info = calloc(k, sizeof *c->info);
    ndb_termdict_writer_init(&c->w);
    for (size_t i = 0; i < k; i++) {
        ndb_termdict_info *ti = &c->info[i];
        c->n[i] = strlen(c->t[i]);
        ti->df = 1 + ndb_rand_next(&st) % (i % 5 == 0 ? 100000 : 3);
        ti->max_tf = 1 + (uint32_t)(ndb_rand_next(&st) % 50);
        ti->cf = ti->df == 1 ? ti->max_tf : ti->df + ti->max_tf - 1 + ndb_rand_next(&st) % 9;
        ti->min_dl = (uint32_t)(ndb_rand_next(&st) % 5000);
        ti->pos_off = end + (i % 7 == 0 ? ndb_rand_next(&st) % 100 : 0);
        ti->pos_len = 1 + ndb_rand_next(&st) % 1000;
        ti->doc_off = ti->pos_off + ti->pos_len + (i % 11 == 0 ? 3 : 0);
        ti->doc_len = 1 + ndb_rand_next(&st) % 1000;
        end = ti->doc_off + ti->doc_len;
        cr_assert_eq(ndb_termdict_add_term(&c->w, (const uint8_t *)c->t[i], c->n[i], ti), NDB_OK,
                     "add #%zu NDB_SEED=%llu", i, (unsigned long long)seed);
    }
    ndb_slice b = {c->w.blocks.p, c->w.blocks.n}, x = {c->w.index.p, c->w.index.n};
    cr_assert_eq(ndb_termdict_open(&c->d, b, x, k), NDB_OK);
}

static void tcase_free(tcase *c)
{
    for (size_t i = 0; i < c->cnt; i++)
        free(c->t[i]);
    free(c->t);
    free(c->n);
    free(c->info);
    ndb_termdict_writer_fini(&c->w);
}

static void info_eq(const ndb_termdict_info *a, const ndb_termdict_info *b, const char *t)
{
    cr_assert(a->df == b->df && a->cf == b->cf && a->max_tf == b->max_tf &&
                  a->min_dl == b->min_dl && a->doc_off == b->doc_off && a->doc_len == b->doc_len &&
                  a->pos_off == b->pos_off && a->pos_len == b->pos_len,
              "info of '%s' differs", t);
}

Test(termdict, find_every_term_and_absent_ones)
{
    uint64_t seed = ndb_test_seed(21);
    size_t sizes[] = {1, 2, 31, 32, 33, 64, 1000, 20000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        tcase c;
        tcase_build(&c, sizes[s], seed + s);
        for (size_t i = 0; i < c.cnt; i++) {
            ndb_termdict_info ti;
            cr_assert_eq(ndb_termdict_find(&c.d, (const uint8_t *)c.t[i], c.n[i], &ti), NDB_OK,
                         "'%s' not found NDB_SEED=%llu", c.t[i], (unsigned long long)seed);
            info_eq(&ti, &c.info[i], c.t[i]);
            /* a one-byte-longer and a one-byte-shorter neighbour are absent unless listed */
            char probe[NDB_TERMDICT_MAX + 2];
            memcpy(probe, c.t[i], c.n[i]);
            probe[c.n[i]] = 0x01;
            cr_assert_eq(ndb_termdict_find(&c.d, (const uint8_t *)probe, c.n[i] + 1, &ti),
                         NDB_ENOTFOUND);
        }
        ndb_termdict_info ti;
        cr_assert_eq(ndb_termdict_find(&c.d, (const uint8_t *)"", 0, &ti), NDB_ENOTFOUND);
        cr_assert_eq(ndb_termdict_find(&c.d, (const uint8_t *)"\xff\xff", 2, &ti), NDB_ENOTFOUND);
        tcase_free(&c);
    }
}

Test(termdict, walk_from_any_target_in_order)
{
    uint64_t seed = ndb_test_seed(22), st = seed;
    tcase c;
    tcase_build(&c, 3000, seed);
    for (int round = 0; round < 300; round++) {
        char target[16] = {0};
        size_t tn = ndb_rand_next(&st) % 5;
        for (size_t j = 0; j < tn; j++)
            target[j] = (char)("abcdf\x80"[ndb_rand_next(&st) % 6]);
        size_t first = 0;
        while (first < c.cnt && strcmp(c.t[first], target) < 0)
            first++;
        ndb_termdict_iter it;
        bool done = false;
        cr_assert_eq(ndb_termdict_iter_seek(&it, &c.d, (const uint8_t *)target, tn), NDB_OK);
        for (size_t i = first; i < NDB_MIN(c.cnt, first + 80); i++) {
            cr_assert_eq(ndb_termdict_iter_next(&it, &done), NDB_OK);
            cr_assert(!done);
            cr_assert_eq(it.len, c.n[i]);
            cr_assert(memcmp(it.term, c.t[i], it.len) == 0, "walk from '%s' #%zu NDB_SEED=%llu",
                      target, i, (unsigned long long)seed);
            info_eq(&it.info, &c.info[i], c.t[i]);
        }
        if (first + 80 >= c.cnt) {
            cr_assert_eq(ndb_termdict_iter_next(&it, &done), NDB_OK);
            cr_assert(done);
        }
    }
    tcase_free(&c);
}

Test(termdict, writer_enforces_order_and_limits)
{
    ndb_termdict_writer w;
    ndb_termdict_info ti = {1, 1, 1, 5, 10, 5, 0, 10};
    uint8_t big[NDB_TERMDICT_MAX + 1];
    memset(big, 'a', sizeof big);
    ndb_termdict_writer_init(&w);
    cr_assert_eq(ndb_termdict_add_term(&w, (const uint8_t *)"b", 1, &ti), NDB_OK);
    ti.pos_off = 15;
    ti.doc_off = 25;
    cr_assert_eq(ndb_termdict_add_term(&w, (const uint8_t *)"b", 1, &ti), NDB_EINVAL);
    cr_assert_eq(ndb_termdict_add_term(&w, (const uint8_t *)"a", 1, &ti), NDB_EINVAL);
    cr_assert_eq(ndb_termdict_add_term(&w, (const uint8_t *)"", 0, &ti), NDB_EINVAL);
    cr_assert_eq(ndb_termdict_add_term(&w, big, sizeof big, &ti), NDB_EINVAL);
    ti.df = 0;
    cr_assert_eq(ndb_termdict_add_term(&w, (const uint8_t *)"c", 1, &ti), NDB_EINVAL);
    ti.df = 1;
    ti.pos_off = 1; /* overlaps the previous term */
    cr_assert_eq(ndb_termdict_add_term(&w, (const uint8_t *)"c", 1, &ti), NDB_EINVAL);
    ndb_termdict_writer_fini(&w);
}

Test(termdict, corrupt_bytes_are_errors_not_crashes)
{
    uint64_t seed = ndb_test_seed(23), st = seed;
    tcase c;
    tcase_build(&c, 200, seed);
    uint8_t *copy = malloc(c.w.blocks.n);
    int errors = 0;
    for (size_t i = 0; i < c.w.blocks.n; i++) {
        memcpy(copy, c.w.blocks.p, c.w.blocks.n);
        copy[i] ^= (uint8_t)(1u << (ndb_rand_next(&st) % 8));
        ndb_termdict d;
        ndb_slice b = {copy, c.w.blocks.n}, x = {c.w.index.p, c.w.index.n};
        if (ndb_termdict_open(&d, b, x, c.cnt) != NDB_OK) {
            errors++;
            continue;
        }
        ndb_termdict_iter it;
        bool done = false;
        ndb_rc rc = ndb_termdict_iter_seek(&it, &d, (const uint8_t *)"", 0);
        size_t n = 0;
        while (rc == NDB_OK && (rc = ndb_termdict_iter_next(&it, &done)) == NDB_OK && !done)
            n++;
        errors += rc != NDB_OK;
        cr_assert(n <= c.cnt);
        ndb_termdict_info ti;
        (void)ndb_termdict_find(&d, (const uint8_t *)c.t[i % c.cnt], c.n[i % c.cnt], &ti);
    }
    cr_assert(errors > 0, "no flip detected at all");
    /* broken index: offsets not ascending, wrong size */
    ndb_termdict d;
    ndb_slice b = {c.w.blocks.p, c.w.blocks.n}, x = {c.w.index.p, c.w.index.n - 8};
    cr_assert_eq(ndb_termdict_open(&d, b, x, c.cnt), NDB_ECORRUPT);
    free(copy);
    tcase_free(&c);
}
