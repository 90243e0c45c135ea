/*
** html_score.c — the Article Extraction Benchmark's quality measure (token shingles).
**
** Follows the benchmark's evaluate.py (scrapinghub/article-extraction-benchmark):
**   tokens   re.findall(r'\w+') on the text: maximal runs of code points that are letters
**            (L*), numbers (N*) or '_' (Python's str \w; marks are not word characters);
**            case is kept. Invalid UTF-8 bytes separate tokens.
**   shingles for i in 0 .. max(1, T-3)-1: tokens[i:i+4] (so 1..3 tokens give one shorter
**            shingle, 0 tokens give none), counted as a multiset.
**   match    over the union of shingles: tp += min(t, p), fp += max(0, p-t),
**            fn += max(0, t-p); then all three are divided by their sum when it is > 0.
**   pages    precision = mean of tp/(tp+fp) over pages with tp+fp > 0 (1 when fp = fn = 0),
**            recall = mean of tp/(tp+fn) over pages with tp+fn > 0, F1 from the two means.
** Shingles are compared by a 128-bit xxh3 of their tokens joined with a 0x01 byte (which
** never occurs in a token), sorted, then merged: exact unless xxh3-128 collides.
**
** Threading: reentrant.
*/
#include "doc/html.h"

#include <stdlib.h>
#include <utf8proc.h>

typedef struct score_tok {
    uint32_t off, len;
} score_tok;

static bool score_is_word(int32_t cp)
{
    if (cp < 0x80) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

/* Tokens of s[0..n) appended to *toks (grown with ndb_realloc). */
static ndb_rc score_tokenize(const char *s, size_t n, score_tok **toks, size_t *nt)
{
    size_t i = 0, cap = 0, start = SIZE_MAX;
    *toks = NULL;
    *nt = 0;
    while (i <= n) {
        int32_t cp = -1;
        utf8proc_ssize_t len = 1;
        if (i < n) {
            len = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i),
                                   &cp);
            if (len < 1) {
                len = 1;
                cp = -1;
            }
        }
        bool w = i < n && cp >= 0 && score_is_word(cp);
        if (w && start == SIZE_MAX) {
            start = i;
        } else if (!w && start != SIZE_MAX) {
            if (*nt == cap) {
                size_t nc = cap ? cap * 2 : 256;
                score_tok *t = ndb_realloc(*toks, nc * sizeof *t);
                if (t == NULL) {
                    ndb_free(*toks);
                    *toks = NULL;
                    return NDB_ENOMEM;
                }
                *toks = t;
                cap = nc;
            }
            (*toks)[*nt].off = (uint32_t)start;
            (*toks)[*nt].len = (uint32_t)(i - start);
            (*nt)++;
            start = SIZE_MAX;
        }
        i += (size_t)len;
    }
    return NDB_OK;
}

static int score_cmp_hash(const void *a, const void *b)
{
    const ndb_hash128 *x = a, *y = b;
    if (x->hi != y->hi) {
        return x->hi < y->hi ? -1 : 1;
    }
    if (x->lo != y->lo) {
        return x->lo < y->lo ? -1 : 1;
    }
    return 0;
}

/* Sorted shingle hashes of s (*out OWNED, ndb_free; NULL when none). */
static ndb_rc score_shingles(const char *s, size_t n, ndb_hash128 **out, size_t *nsh)
{
    score_tok *toks = NULL;
    size_t nt = 0, ns;
    ndb_buf key;
    ndb_rc rc;

    *out = NULL;
    *nsh = 0;
    ndb_buf_init(&key, NDB_BUF_NOMAX);
    rc = score_tokenize(s, n, &toks, &nt);
    if (rc != NDB_OK || nt == 0) {
        goto out;
    }
    ns = nt >= 4 ? nt - 3 : 1;
    *out = ndb_malloc(ns * sizeof **out);
    if (*out == NULL) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < ns; i++) {
        ndb_buf_reset(&key);
        for (size_t j = i; j < i + 4 && j < nt; j++) {
            rc = ndb_buf_append(&key, s + toks[j].off, toks[j].len);
            if (rc == NDB_OK) {
                rc = ndb_buf_append_u8(&key, 1);
            }
            if (rc != NDB_OK) {
                goto out;
            }
        }
        (*out)[i] = ndb_hash128_of(key.p, key.n);
    }
    qsort(*out, ns, sizeof **out, score_cmp_hash);
    *nsh = ns;
out:
    if (rc != NDB_OK) {
        ndb_free(*out);
        *out = NULL;
    }
    ndb_free(toks);
    ndb_buf_fini(&key);
    return rc;
}

ndb_rc ndb_html_shingle_match(const char *truth, size_t nt, const char *pred, size_t np,
                              ndb_html_tpfpfn *out)
{
    ndb_hash128 *a = NULL, *b = NULL;
    size_t na = 0, nb = 0, i = 0, j = 0;
    double tp = 0, fp = 0, fn = 0, s;
    ndb_rc rc;

    out->tp = out->fp = out->fn = 0;
    rc = score_shingles(truth, nt, &a, &na);
    if (rc == NDB_OK) {
        rc = score_shingles(pred, np, &b, &nb);
    }
    if (rc != NDB_OK) {
        goto out;
    }
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : score_cmp_hash(&a[i], &b[j]);
        ndb_hash128 k = c <= 0 ? a[i] : b[j];
        double ct = 0, cpd = 0;
        while (i < na && score_cmp_hash(&a[i], &k) == 0) {
            ct++;
            i++;
        }
        while (j < nb && score_cmp_hash(&b[j], &k) == 0) {
            cpd++;
            j++;
        }
        tp += ct < cpd ? ct : cpd;
        fp += cpd > ct ? cpd - ct : 0;
        fn += ct > cpd ? ct - cpd : 0;
    }
    s = tp + fp + fn;
    if (s > 0) {
        out->tp = tp / s;
        out->fp = fp / s;
        out->fn = fn / s;
    }
out:
    ndb_free(a);
    ndb_free(b);
    return rc;
}

void ndb_html_score_pages(const ndb_html_tpfpfn *pages, size_t n, ndb_html_score *out)
{
    double ps = 0, rs = 0;
    uint32_t np = 0, nr = 0;
    for (size_t i = 0; i < n; i++) {
        const ndb_html_tpfpfn *t = &pages[i];
        bool perfect = t->fp == 0 && t->fn == 0;
        if (t->tp + t->fp > 0) {
            ps += perfect ? 1.0 : t->tp / (t->tp + t->fp);
            np++;
        }
        if (t->tp + t->fn > 0) {
            rs += perfect ? 1.0 : t->tp / (t->tp + t->fn);
            nr++;
        }
    }
    out->precision = np ? ps / np : 0;
    out->recall = nr ? rs / nr : 0;
    out->n_precision = np;
    out->n_recall = nr;
    out->f1 = out->precision + out->recall > 0
                  ? 2 * out->precision * out->recall / (out->precision + out->recall)
                  : 0;
}
