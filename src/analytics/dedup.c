/*
** dedup.c — shingles, MinHash, LSH band keys, paragraph fingerprints, exact Jaccard and a
** smallest-root union-find (design and parameters in dedup.h and docs/dedup.md).
**
** Cost per article of n tokens: n token hashes (xxh3), n shingle hashes, a sort of n
** 64-bit values, and n x K multiply-adds for the signature (K = 96; the inner loop runs
** over a fixed-size array so the compiler keeps it branch-free). No allocation once the
** buffers have grown to the longest article seen.
**
** Hash family: a_i, b_i come from a splitmix64 stream seeded with NDB_DEDUP_SEED, so every
** build and every archive computes the same signature for the same text.
*/
#include "analytics/dedup.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static uint64_t dedup_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static uint64_t dedup_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct dedup_family {
    uint64_t a[NDB_DEDUP_K], b[NDB_DEDUP_K];
} dedup_family;

_Static_assert(NDB_DEDUP_PARA_MIN == NDB_REUSE_PARA_MIN, "newsdb.h documents the minimum");
_Static_assert(NDB_DEDUP_K == NDB_DEDUP_BANDS * NDB_DEDUP_ROWS, "bands x rows = K");

/* The hash family: constant once made (pthread_once), the same in every process. */
static dedup_family dedup_fam;
static pthread_once_t dedup_fam_once = PTHREAD_ONCE_INIT;

static void dedup_family_make(void)
{
    uint64_t s = NDB_DEDUP_SEED;
    for (int i = 0; i < NDB_DEDUP_K; i++) {
        dedup_fam.a[i] = dedup_splitmix(&s) | 1u;
        dedup_fam.b[i] = dedup_splitmix(&s);
    }
}

void ndb_dedup_doc_init(ndb_dedup_doc *d)
{
    memset(d, 0, sizeof *d);
}

void ndb_dedup_doc_fini(ndb_dedup_doc *d)
{
    ndb_free(d->tok);
    ndb_free(d->pstart);
    ndb_free(d->sh);
    ndb_free(d->fp);
    memset(d, 0, sizeof *d);
}

void ndb_dedup_doc_reset(ndb_dedup_doc *d)
{
    d->ntok = 0;
    d->npara = 0;
    d->nsh = 0;
}

/* Grow *p (elements of size sz) to hold at least need. */
static ndb_rc dedup_grow(void **p, size_t *cap, size_t need, size_t sz)
{
    size_t ncap, bytes;
    void *np;
    if (need <= *cap)
        return NDB_OK;
    ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    if (ndb_size_mul(ncap, sz, &bytes) != NDB_OK)
        return NDB_ELIMIT;
    np = ndb_realloc(*p, bytes);
    if (!np)
        return NDB_ENOMEM;
    *p = np;
    *cap = ncap;
    return NDB_OK;
}

ndb_rc ndb_dedup_doc_para(ndb_dedup_doc *d)
{
    size_t cap = d->pcap;
    ndb_rc rc = dedup_grow((void **)&d->pstart, &cap, (size_t)d->npara + 1, sizeof *d->pstart);
    if (rc != NDB_OK)
        return rc;
    d->pcap = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    d->pstart[d->npara++] = (uint32_t)d->ntok;
    return NDB_OK;
}

ndb_rc ndb_dedup_doc_token(ndb_dedup_doc *d, const char *term, size_t len)
{
    ndb_rc rc;
    if (d->npara == 0 && (rc = ndb_dedup_doc_para(d)) != NDB_OK)
        return rc;
    if (d->ntok >= UINT32_MAX - 1)
        return NDB_ELIMIT;
    rc = dedup_grow((void **)&d->tok, &d->tokcap, d->ntok + 1, sizeof *d->tok);
    if (rc != NDB_OK)
        return rc;
    d->tok[d->ntok++] = ndb_hash64(term, len);
    return NDB_OK;
}

static int dedup_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Hash of tokens [from, to): order-sensitive, length-sensitive. */
static uint64_t dedup_seq_hash(const uint64_t *t, size_t from, size_t to)
{
    uint64_t h = 0x243f6a8885a308d3ull ^ (uint64_t)(to - from);
    for (size_t i = from; i < to; i++)
        h = dedup_mix(h ^ (t[i] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
    return h;
}

static void dedup_signature(const ndb_dedup_doc *d, uint32_t *sig)
{
    uint32_t m[NDB_DEDUP_K];
    for (int i = 0; i < NDB_DEDUP_K; i++)
        m[i] = UINT32_MAX;
    for (size_t j = 0; j < d->nsh; j++) {
        uint64_t s = d->sh[j];
        for (int i = 0; i < NDB_DEDUP_K; i++) {
            uint32_t v = (uint32_t)((dedup_fam.a[i] * s + dedup_fam.b[i]) >> 32);
            m[i] = v < m[i] ? v : m[i];
        }
    }
    memcpy(sig, m, sizeof m);
}

ndb_rc ndb_dedup_doc_finish(ndb_dedup_doc *d)
{
    uint32_t sig[NDB_DEDUP_K];
    size_t k = 0;
    ndb_rc rc;
    pthread_once(&dedup_fam_once, dedup_family_make);
    rc = dedup_grow((void **)&d->sh, &d->shcap, d->ntok + 1, sizeof *d->sh);
    if (rc == NDB_OK)
        rc = dedup_grow((void **)&d->fp, &d->fpcap, (size_t)d->npara + 1, sizeof *d->fp);
    if (rc != NDB_OK)
        return rc;
    for (uint32_t p = 0; p < d->npara; p++) {
        size_t from = d->pstart[p];
        size_t to = p + 1 < d->npara ? d->pstart[p + 1] : d->ntok;
        size_t n = to - from;
        d->fp[p] = n >= NDB_DEDUP_PARA_MIN ? dedup_seq_hash(d->tok, from, to) | 1u : 0;
        if (n == 0)
            continue;
        if (n < NDB_DEDUP_SHINGLE) {
            d->sh[k++] = dedup_seq_hash(d->tok, from, to);
            continue;
        }
        for (size_t i = from; i + NDB_DEDUP_SHINGLE <= to; i++)
            d->sh[k++] = dedup_seq_hash(d->tok, i, i + NDB_DEDUP_SHINGLE);
    }
    if (k > 1)
        qsort(d->sh, k, sizeof *d->sh, dedup_cmp_u64);
    d->nsh = 0;
    for (size_t i = 0; i < k; i++)
        if (d->nsh == 0 || d->sh[d->nsh - 1] != d->sh[i])
            d->sh[d->nsh++] = d->sh[i];
    memset(d->band, 0, sizeof d->band);
    if (d->nsh == 0)
        return NDB_OK;
    dedup_signature(d, sig);
    for (int b = 0; b < NDB_DEDUP_BANDS; b++) {
        uint64_t h = (uint64_t)b * 0x9e3779b97f4a7c15ull;
        for (int r = 0; r < NDB_DEDUP_ROWS; r++)
            h = dedup_mix(h ^ sig[b * NDB_DEDUP_ROWS + r]);
        d->band[b] = (uint32_t)(h >> 32);
    }
    return NDB_OK;
}

void ndb_dedup_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                       uint32_t *inter, uint32_t *uni)
{
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) {
            i++;
        } else if (a[i] > b[j]) {
            j++;
        } else {
            c++;
            i++;
            j++;
        }
    }
    *inter = (uint32_t)c;
    *uni = (uint32_t)(na + nb - c);
}

ndb_rc ndb_dedup_uf_init(ndb_dedup_uf *u, uint32_t n)
{
    u->n = n;
    u->parent = ndb_malloc(((size_t)n + 1) * sizeof *u->parent);
    if (!u->parent)
        return NDB_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        u->parent[i] = i;
    return NDB_OK;
}

void ndb_dedup_uf_fini(ndb_dedup_uf *u)
{
    ndb_free(u->parent);
    u->parent = NULL;
}

uint32_t ndb_dedup_uf_find(ndb_dedup_uf *u, uint32_t x)
{
    uint32_t r = x;
    while (u->parent[r] != r)
        r = u->parent[r];
    while (u->parent[x] != r) { /* path compression */
        uint32_t nx = u->parent[x];
        u->parent[x] = r;
        x = nx;
    }
    return r;
}

void ndb_dedup_uf_union(ndb_dedup_uf *u, uint32_t a, uint32_t b)
{
    uint32_t ra = ndb_dedup_uf_find(u, a), rb = ndb_dedup_uf_find(u, b);
    if (ra < rb)
        u->parent[rb] = ra;
    else if (rb < ra)
        u->parent[ra] = rb;
}
