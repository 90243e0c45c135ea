/*
** analytics/dedup.c: the sketch and its LSH banding, measured on planted pairs of exact
** Jaccard similarity (random 64-bit shingle hashes: A = C + A', B = C + B' with
** |C| / |A u B| = J), against the rate independent MinHash values would give,
** 1 - P(m = 0) - P(m = 1) for m ~ Binomial(64, J^2) shared bands (two make a candidate).
** A pair at similarity S = |A ∩ B| / max(|A|, |B|) >= T has J >= T / (2 - T): 0.667 at the default T = 0.8, 0.538 at 0.7, 0.429 at 0.6, 0.333 at 0.5.
** Also: exact Jaccard and similarity, sort/unique, union-find roots, fingerprints
** insensitive to case and punctuation through the analyzer. The measured rates are quoted
** in docs/dedup.md (run with --verbose to print them).
*/
#include "analytics/dedup.h"
#include "common/testutil.h"
#include "text/text.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rs;
static uint64_t r64(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Fraction of pairs (union size u, Jaccard c/u) sharing at least NDB_DEDUP_MIN_BANDS band
** keys (the rule of api/dedup.c). */
static double candidate_rate(uint32_t u, uint32_t c, int pairs)
{
    uint64_t *a = malloc(u * sizeof *a), *b = malloc(u * sizeof *b);
    uint32_t ba[NDB_DEDUP_BANDS], bb[NDB_DEDUP_BANDS];
    int hit = 0;
    uint32_t d = (u - c) / 2;
    for (int p = 0; p < pairs; p++) {
        for (uint32_t i = 0; i < c; i++)
            a[i] = b[i] = r64();
        for (uint32_t i = 0; i < d; i++) {
            a[c + i] = r64();
            b[c + i] = r64();
        }
        ndb_dedup_bands_of(a, c + d, ba);
        ndb_dedup_bands_of(b, c + d, bb);
        int same = 0;
        for (int k = 0; k < NDB_DEDUP_BANDS; k++)
            same += ba[k] == bb[k];
        hit += same >= NDB_DEDUP_MIN_BANDS;
    }
    free(a);
    free(b);
    return (double)hit / pairs;
}

Test(dedup, lsh_candidate_rate_on_planted_pairs, .timeout = 60)
{
    static const double js[] = {0.9, 0.8, 0.667, 0.6, 0.54, 0.43, 0.34, 0.1, 0.03};
    static const uint32_t sizes[] = {30, 200, 1000};
    int pairs = getenv("NEWSDB_QUICK") ? 2000 : 10000;
    rs = ndb_test_seed(3);
    for (size_t s = 0; s < 3; s++)
        for (size_t k = 0; k < sizeof js / sizeof *js; k++) {
            uint32_t u = sizes[s], c = (uint32_t)lround(js[k] * u);
            if ((u - c) % 2)
                u++; /* keep |A| = |B| */
            double j = (double)c / u, got = candidate_rate(u, c, pairs);
            double p = pow(j, NDB_DEDUP_ROWS), b = NDB_DEDUP_BANDS;
            double ideal = 1 - pow(1 - p, b) - b * p * pow(1 - p, b - 1); /* m >= 2 */
            cr_log_info("union %4u J %.3f: candidate rate %.5f (independent MinHash %.5f)", u,
                        j, got, ideal);
            if (j >= 0.66) /* S >= 0.8, the default */
                cr_assert_eq(got, 1.0, "J %.2f size %u: a pair missed (rate %.5f)", j, u, got);
            else if (j >= 0.53) /* S >= 0.7 */
                cr_assert_geq(got, 0.999, "J %.2f size %u: rate %.5f", j, u, got);
            else if (j >= 0.42) /* S >= 0.6 */
                cr_assert_geq(got, 0.98, "J %.2f size %u: rate %.5f", j, u, got);
            if (j <= 0.11 && u >= 200)
                cr_assert_leq(got, 0.2, "unrelated pairs become candidates too often (%.4f)",
                              got);
            if (j <= 0.04 && u >= 200)
                cr_assert_leq(got, 0.01, "unrelated pairs become candidates too often (%.4f)",
                              got);
        }
}

Test(dedup, jaccard_sort_unionfind)
{
    uint64_t a[] = {5, 3, 3, 9, 1}, b[] = {9, 2, 3, 7};
    uint32_t inter, uni;
    size_t na = ndb_dedup_sort_unique(a, 5), nb = ndb_dedup_sort_unique(b, 4);
    cr_assert_eq(na, 4);
    cr_assert_eq(a[0], 1);
    cr_assert_eq(a[3], 9);
    ndb_dedup_jaccard(a, na, b, nb, &inter, &uni);
    cr_assert_eq(inter, 2); /* 3, 9 */
    cr_assert_eq(uni, 6);   /* 1 2 3 5 7 9 */
    ndb_dedup_compare(a, na, b, nb, &inter, &uni);
    cr_assert_eq(inter, 2);
    cr_assert_eq(uni, 4); /* max(|A|, |B|): S = 1/2 */
    ndb_dedup_compare(a, 2, b, nb, &inter, &uni); /* {1, 3} in {2, 3, 7, 9} */
    cr_assert_eq(inter, 1);
    cr_assert_eq(uni, 4);
    cr_assert(ndb_dedup_similar(2, 6, 1.0 / 3.0));
    cr_assert(!ndb_dedup_similar(2, 6, 0.34));
    cr_assert(!ndb_dedup_similar(0, 0, 0.1));
    ndb_dedup_uf u;
    cr_assert_eq(ndb_dedup_uf_init(&u, 10), NDB_OK);
    ndb_dedup_uf_union(&u, 7, 4);
    ndb_dedup_uf_union(&u, 9, 7);
    ndb_dedup_uf_union(&u, 4, 2);
    cr_assert_eq(ndb_dedup_uf_find(&u, 9), 2);
    cr_assert_eq(ndb_dedup_uf_find(&u, 7), 2);
    cr_assert_eq(ndb_dedup_uf_find(&u, 3), 3);
    ndb_dedup_uf_fini(&u);
}

static ndb_rc feed(void *ctx, const ndb_token *t)
{
    return ndb_dedup_doc_token(ctx, t->term, t->len);
}

static void sketch(ndb_analyzer *an, ndb_dedup_doc *d, const char *const *paras, int n)
{
    ndb_dedup_doc_reset(d);
    for (int i = 0; i < n; i++) {
        uint32_t pos = 0;
        cr_assert_eq(ndb_dedup_doc_para(d), NDB_OK);
        cr_assert_eq(ndb_text_analyze(an, (const uint8_t *)paras[i], strlen(paras[i]), &pos,
                                      feed, d),
                     NDB_OK);
    }
    cr_assert_eq(ndb_dedup_doc_finish(d), NDB_OK);
}

Test(dedup, fingerprints_and_bands_see_through_case_and_punctuation)
{
    static const char *a[] = {"LONDON (Reuters) -", ("Shares of the company rose sharply on "
                                                     "Tuesday after the results beat forecasts."),
                              "Short one."};
    static const char *b[] = {"Paris, AFP:", ("shares of the company ROSE sharply, on tuesday "
                                              "- after the results beat forecasts!"),
                              "Another short."};
    ndb_analyzer *an = NULL;
    ndb_dedup_doc x, y;
    cr_assert_eq(ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an), NDB_OK);
    ndb_dedup_doc_init(&x);
    ndb_dedup_doc_init(&y);
    sketch(an, &x, a, 3);
    sketch(an, &y, b, 3);
    cr_assert_eq(x.npara, 3);
    cr_assert_eq(x.fp[0], 0, "3 tokens: too short to fingerprint");
    cr_assert_neq(x.fp[1], 0);
    cr_assert_eq(x.fp[1], y.fp[1], "same paragraph after normalization");
    cr_assert_eq(x.fp[2], 0);
    cr_assert_neq(x.band[0], 0);
    /* the same text in another paragraph order has the same shingle set and bands */
    static const char *c[] = {"Short one.", "LONDON (Reuters) -",
                              ("Shares of the company rose sharply on Tuesday after the "
                               "results beat forecasts.")};
    sketch(an, &y, c, 3);
    cr_assert_eq(memcmp(x.band, y.band, sizeof x.band), 0);
    ndb_dedup_doc_sort(&x);
    ndb_dedup_doc_sort(&y);
    uint32_t inter, uni;
    ndb_dedup_jaccard(x.sh, x.nsh, y.sh, y.nsh, &inter, &uni);
    cr_assert_eq(inter, uni);
    ndb_dedup_doc_fini(&x);
    ndb_dedup_doc_fini(&y);
    ndb_text_analyzer_free(an);
}
