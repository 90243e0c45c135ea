/*
** fuzz_query.c — libFuzzer target for the query language: parse arbitrary bytes, explain
** the result, and run count / each / top-k (exhaustive and pruned, every sort) and a
** snippet on a tiny in-memory view. Must never crash, leak, or disagree: pruned and
** exhaustive top-k must return identical hits, and count must equal top-k's total.
** The view is built here from fixed postings (tests/common is not linked into fuzzers).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/query.h"

#define FQ_DOCS 6
static const char *fq_terms[] = {"elect", "hous", "vote", "white", "war"};
/* term t occurs in doc d at positions fq_pos[t][d][0..fq_npos[t][d]) */
static const uint32_t fq_pos[5][FQ_DOCS][3] = {
    {{0, 4}, {1}, {0}, {2, 5, 7}, {0}, {0}},
    {{2}, {0}, {0}, {1}, {3}, {0}},
    {{1}, {0}, {2}, {0}, {0}, {1}},
    {{3}, {2}, {0}, {0}, {2}, {0}},
    {{0}, {3}, {1}, {0}, {0}, {2}},
};
static const uint32_t fq_npos[5][FQ_DOCS] = {
    {2, 1, 0, 3, 0, 0}, {1, 1, 0, 1, 1, 0}, {1, 0, 1, 0, 0, 1},
    {1, 1, 0, 0, 1, 0}, {0, 1, 1, 0, 0, 1},
};
static ndb_col fq_cols[FQ_DOCS] = {
    {16801, 0, 5, 38}, {16900, 1, 4, 33}, {NDB_DATE_NONE, 0, 3, 0}, /* lang en, de, none */
    {17000, NDB_OUTLET_NONE, 8, 38}, {17100, 1, 4, 48}, {16850, 0, 3, 0},
};

static bool fq_live(void *ctx, uint32_t id)
{
    (void)ctx;
    return id != 4;
}

static ndb_rc fq_term(void *ctx, const char *term, size_t n, bool positions, ndb_cursor **out)
{
    (void)ctx;
    *out = NULL;
    for (int t = 0; t < 5; t++) {
        if (strlen(fq_terms[t]) != n || memcmp(fq_terms[t], term, n) != 0)
            continue;
        uint32_t docs[FQ_DOCS], freqs[FQ_DOCS], dls[FQ_DOCS], pos[FQ_DOCS * 3],
            off[FQ_DOCS + 1];
        size_t k = 0, np = 0;
        for (uint32_t d = 0; d < FQ_DOCS; d++) {
            if (!fq_npos[t][d])
                continue;
            docs[k] = d;
            freqs[k] = fq_npos[t][d];
            dls[k] = fq_cols[d].len;
            off[k] = (uint32_t)np;
            for (uint32_t i = 0; i < fq_npos[t][d]; i++)
                pos[np++] = fq_pos[t][d][i];
            k++;
        }
        off[k] = (uint32_t)np;
        return ndb_cursor_mem_new(docs, freqs, dls, positions ? pos : NULL,
                                  positions ? off : NULL, k, out);
    }
    return NDB_OK;
}

static ndb_rc fq_prefix(void *ctx, const char *p, size_t n, ndb_term_fn fn, void *fctx)
{
    (void)ctx;
    static const int order[] = {0, 1, 2, 4, 3}; /* byte order of fq_terms */
    for (int i = 0; i < 5; i++) {
        const char *t = fq_terms[order[i]];
        if (strlen(t) >= n && memcmp(t, p, n) == 0) {
            ndb_rc rc = fn(fctx, t, strlen(t));
            if (rc != NDB_OK)
                return rc;
        }
    }
    return NDB_OK;
}

static bool fq_outlet(void *ctx, const char *name, size_t n, uint32_t *id)
{
    (void)ctx;
    if (n == 9 && memcmp(name, "bbc.co.uk", 9) == 0) {
        *id = 0;
        return true;
    }
    if (n == 11 && memcmp(name, "nytimes.com", 11) == 0) {
        *id = 1;
        return true;
    }
    return false;
}

static bool fq_url(void *ctx, const char *url, size_t n, uint32_t *id)
{
    (void)ctx;
    if (n == 8 && memcmp(url, "http://a", 8) == 0) {
        *id = 3;
        return true;
    }
    return false;
}

static int fq_each(void *ctx, uint32_t id)
{
    (void)id;
    (*(uint64_t *)ctx)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ndb_analyzer *an;
    if (!an && ndb_text_analyzer_new(NDB_STEM_ENGLISH, &an) != NDB_OK)
        return 0;
    ndb_view v = {.ndocs = FQ_DOCS, .total_len = 27, .cols = fq_cols, .live = fq_live,
                  .term = fq_term, .prefix = fq_prefix, .outlet_id = fq_outlet, .url_id = fq_url};
    ndb_query *q = NULL;
    ndb_err err;
    /* Inputs whose first byte is odd parse per language (ids of fq_cols: none, en, de, fr),
    ** so split words (OR of AND leaf LANG) run through every executor too. */
    ndb_lang_set present = {{0}};
    ndb_lang_set_add(&present, 0);
    ndb_lang_set_add(&present, 33);
    ndb_lang_set_add(&present, 38);
    ndb_lang_set_add(&present, 48);
    if (ndb_query_parse_langs((const char *)data, size, an,
                              size && (data[0] & 1) ? &present : NULL, &q, &err) != NDB_OK)
        return 0;
    ndb_buf b;
    ndb_buf_init(&b, 1 << 20);
    (void)ndb_query_explain(q, &b);
    uint64_t count = 0, each = 0;
    if (ndb_query_count(q, &v, &count, &err) == NDB_OK &&
        ndb_query_each(q, &v, fq_each, &each, &err) == NDB_OK) {
        if (count != each)
            abort();
        for (int s = 0; s < 3; s++) {
            ndb_query_hit h1[4], h2[4];
            size_t n1 = 0, n2 = 0;
            uint64_t t1 = 0, t2 = 0;
            ndb_rc r1 = ndb_query_topk(q, &v, 4, (ndb_sort)s, true, h1, &n1, &t1, &err);
            ndb_rc r2 = ndb_query_topk(q, &v, 4, (ndb_sort)s, false, h2, &n2, &t2, &err);
            if (r1 != r2 || (r1 == NDB_OK && (t1 != count || t2 != count || n1 != n2)))
                abort();
            for (size_t i = 0; r1 == NDB_OK && i < n1; i++)
                if (h1[i].id != h2[i].id || h1[i].score != h2[i].score)
                    abort();
        }
    }
    ndb_slice para = {(const uint8_t *)"The white house: elections, votes and war.", 42};
    ndb_buf_reset(&b);
    (void)ndb_query_snippet(q, an, &para, 1, 20, &b);
    ndb_buf_fini(&b);
    ndb_query_free(q);
    return 0;
}
