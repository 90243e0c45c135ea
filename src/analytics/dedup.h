/*
** dedup.h — near-duplicate and text-reuse algorithms (pure; no files, no archive state).
**
** What: for one article, from the analyzer's normalized tokens (folded + stemmed, the same
** terms the index holds, paragraph by paragraph):
**   - its shingle set: every window of NDB_DEDUP_SHINGLE consecutive tokens inside one
**     paragraph (a paragraph shorter than that gives one shingle of all its tokens), each
**     hashed to 64 bits (sorted and made unique only when compared exactly);
**   - its MinHash signature: NDB_DEDUP_K values by one-permutation hashing with optimal
**     densification (dedup.c), a fixed function of the shingle set, so signatures are
**     reproducible anywhere and P[sig_i(A) == sig_i(B)] = J(A, B);
**   - its LSH band keys: NDB_DEDUP_BANDS bands of NDB_DEDUP_ROWS signature values, each
**     hashed to 32 bits; two articles sharing at least NDB_DEDUP_MIN_BANDS band keys are
**     candidates;
**   - its paragraph fingerprints: the hash of the token sequence of each paragraph of at
**     least NDB_DEDUP_PARA_MIN tokens (0 for shorter ones: datelines, bylines, "Advertisement"
**     lines would otherwise link everything), so case, punctuation, spacing and inflection do
**     not hide a reused paragraph.
** Candidates are always verified exactly by their similarity: the share of the LONGER
** article's shingle set that the two have in common,
**     S(A, B) = |A ∩ B| / max(|A|, |B|)   (an empty set is similar to nothing),
** i.e. each article is at least S contained in the other (Broder's containment, both ways).
** Jaccard |A ∩ B| / |A ∪ B| charges one edit twice (a rewritten lead removes shingles from
** one side's share AND adds the new ones to the union); S charges it once, and still needs
** both directions, so a short text quoted inside a long one is not a near-duplicate
** (docs/dedup.md: why, and what it changes).
**
** Why these parameters: S >= T implies J >= T / (2 - T) (|A ∪ B| <= 2 max - |A ∩ B|), so
** LSH must find pairs of J >= 0.667 at the default T = 0.8 and J >= 0.538 at T = 0.7.
** K = 128 = 64 bands x 2 rows, and a pair is a candidate when it shares 2 or more band
** keys: with independent MinHash values, m ~ Binomial(64, J^2) bands match, so a pair
** with Jaccard J is a candidate with probability 1 - P(m = 0) - P(m = 1) (J = 0.667:
** 1 - 2e-15; 0.538: 1 - 7e-9; 0.43 (T = 0.6): 1 - 3e-5; 1/3 (T = 0.5): 0.996) while
** unrelated news text (J well under 0.01) almost never is (J = 0.01: 2e-5; 0.03: 0.0016).
** Requiring two bands is what makes the curve this steep: one shared band of 3 rows (64
** bands, K = 192) gave 1 - 2e-5 at J = 0.538 but 6e-5 at J = 0.01, and every false
** candidate costs an exact check that may read both articles back from the store.
** One-permutation values are not independent, so tests/analytics/test_dedup.c measures the
** rate on planted pairs.
**
** Threading: a ndb_dedup_doc belongs to one thread; the other functions are pure.
*/
#ifndef NDB_ANALYTICS_DEDUP_H
#define NDB_ANALYTICS_DEDUP_H

#include "base/base.h"

#include <stdbool.h>
#include <stdint.h>

#define NDB_DEDUP_SHINGLE  3
#define NDB_DEDUP_K        128
#define NDB_DEDUP_BANDS    64
#define NDB_DEDUP_ROWS     2
#define NDB_DEDUP_MIN_BANDS 2 /* shared band keys that make two articles candidates */
#define NDB_DEDUP_PARA_MIN 8
#define NDB_DEDUP_SEED     0x6e657773646275ull /* fixed: signatures are reproducible */

/* One article being analyzed. Reuse across articles: reset, then tokens, then finish. */
typedef struct ndb_dedup_doc {
    uint64_t *tok;       /* token hashes of the current article */
    size_t ntok, tokcap;
    uint32_t *pstart;    /* index in tok of each paragraph's first token */
    uint32_t npara, pcap;
    uint64_t *sh;        /* after finish: sorted unique shingle hashes */
    size_t nsh, shcap;
    uint64_t *fp;        /* after finish: one fingerprint per paragraph (0 = too short) */
    size_t fpcap;
    bool sorted;         /* sh is sorted and unique (ndb_dedup_doc_sort) */
    uint32_t band[NDB_DEDUP_BANDS]; /* after finish (nsh > 0) */
} ndb_dedup_doc;

void ndb_dedup_doc_init(ndb_dedup_doc *d);
void ndb_dedup_doc_fini(ndb_dedup_doc *d);
void ndb_dedup_doc_reset(ndb_dedup_doc *d);
/* Start a new paragraph (call before its tokens, also for the first one). */
ndb_rc ndb_dedup_doc_para(ndb_dedup_doc *d);
/* One analyzed token of the current paragraph. */
ndb_rc ndb_dedup_doc_token(ndb_dedup_doc *d, const char *term, size_t len);
/* The same with the term's ndb_dedup_term_hash computed earlier (e.g. on another thread). */
ndb_rc ndb_dedup_doc_token_hash(ndb_dedup_doc *d, uint64_t h);
/* The hash a token's term contributes (a pure function of its bytes). */
uint64_t ndb_dedup_term_hash(const char *p, size_t n);
/* Compute shingles (unsorted, maybe repeated), signature, bands and fingerprints. */
ndb_rc ndb_dedup_doc_finish(ndb_dedup_doc *d);
/* Make sh the sorted set of shingle hashes (only needed to compare exactly; sorting every
** article would cost as much as the whole sketch). */
void ndb_dedup_doc_sort(ndb_dedup_doc *d);
/* The LSH band keys of a shingle-hash multiset (order and repeats do not matter; all 0 for
** n == 0). */
void ndb_dedup_bands_of(const uint64_t *sh, size_t n, uint32_t *band);
/* Sort a[0..n) and drop repeats; returns the new length. */
size_t ndb_dedup_sort_unique(uint64_t *a, size_t n);

/* Exact Jaccard of two sorted unique hash sets: *inter = |A ∩ B|, *uni = |A ∪ B|. */
void ndb_dedup_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                       uint32_t *inter, uint32_t *uni);
/* The similarity's two terms for two sorted unique hash sets: *inter = |A ∩ B|,
** *den = max(|A|, |B|) (S = inter / den). */
void ndb_dedup_compare(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                       uint32_t *inter, uint32_t *den);
/* inter/den >= t, decided the same way everywhere (the oracle and the archive agree
** bit for bit): inter >= t * den in double, den > 0. */
static inline bool ndb_dedup_similar(uint32_t inter, uint32_t den, double t)
{
    return den > 0 && (double)inter >= t * (double)den;
}

/* Union-find over n items with the smallest index as the root of every set (so a set's
** name is its smallest member whatever the order of the unions). */
typedef struct ndb_dedup_uf {
    uint32_t *parent;
    uint32_t n;
} ndb_dedup_uf;
ndb_rc ndb_dedup_uf_init(ndb_dedup_uf *u, uint32_t n);
void ndb_dedup_uf_fini(ndb_dedup_uf *u);
uint32_t ndb_dedup_uf_find(ndb_dedup_uf *u, uint32_t x);
void ndb_dedup_uf_union(ndb_dedup_uf *u, uint32_t a, uint32_t b);

#endif /* NDB_ANALYTICS_DEDUP_H */
