/*
** dedup.c — shingles, MinHash, LSH band keys, paragraph fingerprints, exact Jaccard and a
** smallest-root union-find (design and parameters in dedup.h and docs/dedup.md).
**
** Cost per article of n tokens: n token hashes, n shingle hashes, n bin updates for the
** signature (one-permutation hashing: O(1) per shingle, not O(K)), K band-key mixes. The
** shingle set is sorted only when the article is compared exactly (a candidate), since a
** sort per article cost as much as the rest. No allocation once the buffers have grown to
** the longest article seen. Measured on bbc (callgrind, `newsdb add`): classic MinHash
** with K 64-bit multiply-adds per shingle plus a sort made ingest +68 % instructions; this
** makes it +13 %.
**
** Everything is a fixed function of the text (NDB_DEDUP_SEED), so every build and every
** archive computes the same sketch for the same text.
*/
#include "analytics/dedup.h"

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

_Static_assert(NDB_DEDUP_PARA_MIN == NDB_REUSE_PARA_MIN, "newsdb.h documents the minimum");
_Static_assert(NDB_DEDUP_K == NDB_DEDUP_BANDS * NDB_DEDUP_ROWS, "bands x rows = K");

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
    d->sorted = true;
}

/* A term's hash: terms are short (a stem of a few bytes), so 8-byte words through a
** multiply-xor, then the 64-bit finalizer; no call, no table. */
uint64_t ndb_dedup_term_hash(const char *p, size_t n)
{
    uint64_t h = 0x27d4eb2f165667c5ull ^ ((uint64_t)n * 0x9e3779b97f4a7c15ull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    if (n > 0) { /* the last 1-7 bytes, little-endian, zero-extended; read whole, since a
                 ** byte-wise copy then a word load stalls on store forwarding */
        const uint8_t *b = (const uint8_t *)p;
        uint64_t w;
        if (n >= 4) {
            uint32_t lo, hi;
            memcpy(&lo, b, 4);
            memcpy(&hi, b + n - 4, 4); /* overlaps lo by 8 - n bytes: the same bytes */
            w = (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
        } else {
            w = (uint64_t)b[0] | (uint64_t)b[n / 2] << (8 * (n / 2)) |
                (uint64_t)b[n - 1] << (8 * (n - 1));
        }
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    return dedup_mix(h);
}

ndb_rc ndb_dedup_doc_para(ndb_dedup_doc *d)
{
    size_t cap = d->pcap;
    ndb_rc rc = ndb_grow((void **)&d->pstart, &cap, (size_t)d->npara + 1, sizeof *d->pstart);
    if (rc != NDB_OK)
        return rc;
    d->pcap = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    d->pstart[d->npara++] = (uint32_t)d->ntok;
    return NDB_OK;
}

ndb_rc ndb_dedup_doc_token(ndb_dedup_doc *d, const char *term, size_t len)
{
    return ndb_dedup_doc_token_hash(d, ndb_dedup_term_hash(term, len));
}

ndb_rc ndb_dedup_doc_token_hash(ndb_dedup_doc *d, uint64_t h)
{
    ndb_rc rc;
    if (d->npara == 0 && (rc = ndb_dedup_doc_para(d)) != NDB_OK)
        return rc;
    if (d->ntok >= UINT32_MAX - 1)
        return NDB_ELIMIT;
    rc = ndb_grow((void **)&d->tok, &d->tokcap, d->ntok + 1, sizeof *d->tok);
    if (rc != NDB_OK)
        return rc;
    d->tok[d->ntok++] = h;
    return NDB_OK;
}

static uint64_t dedup_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* Hash of the 3 tokens at t: order-sensitive (a multiplier per place). */
static uint64_t dedup_shingle3(const uint64_t *t)
{
    return dedup_mix(t[0] * 0x9e3779b97f4a7c15ull ^
                     dedup_rotl(t[1] * 0xc2b2ae3d27d4eb4full, 23) ^
                     dedup_rotl(t[2] * 0x165667b19e3779f9ull, 47));
}

/* Hash of tokens [from, to): order-sensitive, length-sensitive. */
static uint64_t dedup_seq_hash(const uint64_t *t, size_t from, size_t to)
{
    uint64_t h = 0x243f6a8885a308d3ull ^ (uint64_t)(to - from);
    for (size_t i = from; i < to; i++)
        h = dedup_mix(h ^ (t[i] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
    return h;
}

/* One-permutation MinHash with optimal densification (Shrivastava 2017): the upper 32 bits
** of a shingle's hash pick one of K bins, the lower 32 bits are its value, each bin keeps
** its minimum: O(1) per shingle instead of O(K). An empty bin i copies the value of the
** first non-empty bin on its own fixed pseudo-random probe sequence (the same for every
** article), which keeps P[sig_i(A) == sig_i(B)] = J(A, B) for every i. */
static void dedup_signature(const uint64_t *sh, size_t n, uint32_t *sig)
{
    uint32_t m[NDB_DEDUP_K];
    memset(m, 0xff, sizeof m);
    for (size_t j = 0; j < n; j++) {
        uint64_t s = sh[j];
        uint32_t bin = (uint32_t)(((s >> 32) * NDB_DEDUP_K) >> 32);
        uint32_t v = (uint32_t)s;
        v -= v == UINT32_MAX; /* UINT32_MAX marks an empty bin */
        m[bin] = v < m[bin] ? v : m[bin];
    }
    for (uint32_t i = 0; i < NDB_DEDUP_K; i++) {
        sig[i] = m[i];
        for (uint64_t a = 1; sig[i] == UINT32_MAX && a <= 64 * NDB_DEDUP_K; a++) {
            uint64_t r = dedup_mix(((uint64_t)i << 32) ^ a ^ NDB_DEDUP_SEED);
            sig[i] = m[(uint32_t)(((r >> 32) * NDB_DEDUP_K) >> 32)];
        }
        for (uint32_t k = 1; sig[i] == UINT32_MAX && k < NDB_DEDUP_K; k++)
            sig[i] = m[(i + k) % NDB_DEDUP_K]; /* probes exhausted (tiny sets): next bin */
    }
}

ndb_rc ndb_dedup_doc_finish(ndb_dedup_doc *d)
{
    size_t k = 0;
    ndb_rc rc;
    rc = ndb_grow((void **)&d->sh, &d->shcap, d->ntok + 1, sizeof *d->sh);
    if (rc == NDB_OK)
        rc = ndb_grow((void **)&d->fp, &d->fpcap, (size_t)d->npara + 1, sizeof *d->fp);
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
            d->sh[k++] = dedup_shingle3(d->tok + i);
    }
    d->nsh = k;
    d->sorted = false;
    ndb_dedup_bands_of(d->sh, d->nsh, d->band);
    return NDB_OK;
}

void ndb_dedup_bands_of(const uint64_t *sh, size_t n, uint32_t *band)
{
    uint32_t sig[NDB_DEDUP_K];
    memset(band, 0, NDB_DEDUP_BANDS * sizeof *band);
    if (n == 0)
        return;
    dedup_signature(sh, n, sig);
    for (int b = 0; b < NDB_DEDUP_BANDS; b++) {
        uint64_t h = (uint64_t)b * 0x9e3779b97f4a7c15ull;
        for (int r = 0; r < NDB_DEDUP_ROWS; r++)
            h = dedup_mix(h ^ sig[b * NDB_DEDUP_ROWS + r]);
        band[b] = (uint32_t)(h >> 32);
    }
}

size_t ndb_dedup_sort_unique(uint64_t *a, size_t n)
{
    size_t k = 0;
    ndb_sort_u64(a, n);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || a[k - 1] != a[i])
            a[k++] = a[i];
    return k;
}

void ndb_dedup_doc_sort(ndb_dedup_doc *d)
{
    if (!d->sorted)
        d->nsh = ndb_dedup_sort_unique(d->sh, d->nsh);
    d->sorted = true;
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

void ndb_dedup_compare(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                       uint32_t *inter, uint32_t *den)
{
    uint32_t uni;
    ndb_dedup_jaccard(a, na, b, nb, inter, &uni);
    *den = (uint32_t)(na > nb ? na : nb);
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
