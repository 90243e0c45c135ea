/*
** tokens.c — a document's analyzed tokens, recorded once and replayed later (api.h).
**
** Why: analysis (fold, tokenize, stem) is a third of the add path's CPU and needs nothing
** from the writer, so a second thread can analyze the next documents while the writer
** indexes and stores the current one (bench/newsdb_bench.c build, api_writer_add_tokens).
** The replay hands the writer the very ndb_token sequence ndb_text_analyze_paras would
** have produced (terms, positions, surface byte ranges) and the same token count, so an
** archive built from recorded tokens is byte-identical to one built inline (tested in
** tests/api/test_api.c). The article language is resolved there too, as the writer would
** (the given language, else CLD2 on title + text): the bench driver gives none, ingest
** (ingest_pipe.c) gives the side file's or the input format's.
**
** Layout: one record per token (term offset and length in one byte arena, position,
** surface range); buffers only grow, so a reused api_tokens allocates nothing per doc.
** With api_tokens_set_dedup, also the article's near-duplicate sketch, finished (shingles,
** band keys, paragraph fingerprints: analytics/dedup.h, built as api_dedup_analyze builds
** it): an eighth of the writer's work on real news, a pure function of the tokens, so
** it is done here and the writer takes it over by a swap (api_tokens_take_dedup). Always,
** each term's ndb_hash64: the writer then knows the next tokens' hash slots and loads them
** ahead (writer.c writer_token, ndb_segw_prefetch).
**
** Threading: an api_tokens belongs to one thread at a time (hand it over with the usual
** happens-before of a mutex or queue).
*/
#include "api/api.h"

#include "analytics/dedup.h"
#include "text/lang.h"
#include "text/text.h"

typedef struct tokens_dd { /* behind a pointer: taken over through a const api_tokens */
    ndb_dedup_doc doc;
    bool ready; /* finished for the recorded tokens, not taken yet */
} tokens_dd;

typedef struct tokens_rec {
    uint32_t off, len, pos;
    size_t start, end;
} tokens_rec;

struct api_tokens {
    ndb_buf recs;  /* tokens_rec[] */
    ndb_buf bytes; /* term bytes, concatenated */
    ndb_buf paras; /* uint32_t[]: index of each paragraph's first token */
    ndb_buf hh;    /* uint64_t[]: each token's ndb_hash64 (the writer's term tables) */
    bool dedup;
    tokens_dd *dd; /* the near-duplicate sketch, when dedup is set */
    uint32_t ntok; /* the analysis' token count (document length) */
    uint8_t lang;  /* api_lang_resolve without a given language or title */
    int stem;      /* stem index the terms were made with (text.h) */
};

ndb_rc api_tokens_new(api_tokens **out)
{
    api_tokens *t = ndb_calloc(1, sizeof *t);
    *out = NULL;
    if (!t)
        return NDB_ENOMEM;
    ndb_buf_init(&t->recs, NDB_BUF_NOMAX);
    ndb_buf_init(&t->bytes, NDB_BUF_NOMAX);
    ndb_buf_init(&t->paras, NDB_BUF_NOMAX);
    ndb_buf_init(&t->hh, NDB_BUF_NOMAX);
    t->dd = ndb_calloc(1, sizeof *t->dd);
    if (!t->dd) {
        api_tokens_free(t);
        return NDB_ENOMEM;
    }
    ndb_dedup_doc_init(&t->dd->doc);
    *out = t;
    return NDB_OK;
}

void api_tokens_free(api_tokens *t)
{
    if (!t)
        return;
    ndb_buf_fini(&t->recs);
    ndb_buf_fini(&t->bytes);
    ndb_buf_fini(&t->paras);
    ndb_buf_fini(&t->hh);
    if (t->dd)
        ndb_dedup_doc_fini(&t->dd->doc);
    ndb_free(t->dd);
    ndb_free(t);
}

void api_tokens_set_dedup(api_tokens *t, bool on)
{
    t->dedup = on;
}

bool api_tokens_take_dedup(const api_tokens *t, ndb_dedup_doc *doc)
{
    ndb_dedup_doc mine;
    if (!t->dd->ready)
        return false;
    mine = t->dd->doc;
    t->dd->doc = *doc;
    *doc = mine;
    t->dd->ready = false;
    return true;
}

const uint64_t *api_tokens_hashes(const api_tokens *t, size_t *n)
{
    *n = t->hh.n / sizeof(uint64_t);
    return (const uint64_t *)t->hh.p;
}

/* The record is written in place, field by field: built on the stack and copied, it was
** read back as 16-byte words over its 4-byte fields and padding, which the CPU cannot
** forward from the pending stores, so each token waited for the store buffer to drain
** (4-7 % of the reading thread's time on the corpus tar). */
static ndb_rc tokens_record(void *ctx, const ndb_token *tk)
{
    api_tokens *t = ctx;
    tokens_rec *r;
    if (tk->len > UINT32_MAX || t->bytes.n > UINT32_MAX - tk->len)
        return NDB_ELIMIT;
    ndb_rc rc = ndb_buf_reserve(&t->recs, sizeof *r);
    if (rc != NDB_OK)
        return rc;
    r = (tokens_rec *)(t->recs.p + t->recs.n);
    r->off = (uint32_t)t->bytes.n;
    r->len = (uint32_t)tk->len;
    r->pos = tk->pos;
    r->start = tk->start;
    r->end = tk->end;
    rc = ndb_buf_append(&t->bytes, tk->term, tk->len);
    if (rc == NDB_OK)
        t->recs.n += sizeof *r;
    if (rc == NDB_OK) {
        uint64_t h = ndb_hash64(tk->term, tk->len);
        rc = ndb_buf_append(&t->hh, &h, sizeof h);
    }
    if (rc == NDB_OK && t->dedup)
        rc = ndb_dedup_doc_token(&t->dd->doc, tk->term, tk->len);
    return rc;
}

ndb_rc api_tokens_analyze(api_tokens *t, ndb_analyzer *an, const ndb_slice *paras, uint32_t n)
{
    /* stem as a per-language archive would; the writer replays only when that is the
    ** stemmer it wants (api_tokens_stem), else it analyzes again */
    return api_tokens_analyze_as(t, an, true, NULL, NULL, paras, n);
}

ndb_rc api_tokens_analyze_as(api_tokens *t, ndb_analyzer *an, bool per_language,
                             const char *lang, const char *title, const ndb_slice *paras,
                             uint32_t n)
{
    ndb_buf_reset(&t->recs);
    ndb_buf_reset(&t->bytes);
    ndb_buf_reset(&t->paras);
    ndb_buf_reset(&t->hh);
    ndb_dedup_doc_reset(&t->dd->doc);
    t->dd->ready = false;
    t->ntok = 0;
    ndb_rc rc = api_lang_resolve(lang, title, paras, n, &t->lang);
    if (rc == NDB_OK && per_language)
        rc = ndb_text_analyzer_set_stem(an, ndb_lang_stem_index(t->lang));
    t->stem = ndb_text_analyzer_stem_index(an);
    /* the loop of ndb_text_analyze_paras, noting where each paragraph starts (and, for
    ** the sketch, the paragraph marks of api_dedup_analyze) */
    for (uint32_t i = 0, pos = 0; i < n && rc == NDB_OK; i++) {
        uint32_t first = (uint32_t)(t->recs.n / sizeof(tokens_rec));
        pos += i > 0; /* the paragraph gap */
        rc = ndb_buf_append(&t->paras, &first, sizeof first);
        if (rc == NDB_OK && t->dedup)
            rc = ndb_dedup_doc_para(&t->dd->doc);
        if (rc == NDB_OK)
            rc = ndb_text_analyze(an, paras[i].p, paras[i].n, &pos, tokens_record, t);
    }
    t->ntok = (uint32_t)(t->recs.n / sizeof(tokens_rec));
    if (rc == NDB_OK && t->dedup) {
        rc = ndb_dedup_doc_finish(&t->dd->doc);
        t->dd->ready = rc == NDB_OK;
    }
    return rc;
}

int api_tokens_stem(const api_tokens *t)
{
    return t->stem;
}

uint8_t api_tokens_lang(const api_tokens *t)
{
    return t->lang;
}

const uint32_t *api_tokens_paras(const api_tokens *t, uint32_t *n)
{
    *n = (uint32_t)(t->paras.n / sizeof(uint32_t));
    return (const uint32_t *)t->paras.p;
}

ndb_rc api_tokens_replay(const api_tokens *t, ndb_token_fn fn, void *ctx, uint32_t *ntokens)
{
    const tokens_rec *r = (const tokens_rec *)t->recs.p;
    size_t n = t->recs.n / sizeof *r;
    *ntokens = 0;
    for (size_t i = 0; i < n; i++) {
        ndb_token tk = {(const char *)t->bytes.p + r[i].off, r[i].len, r[i].pos, r[i].start,
                        r[i].end};
        ndb_rc rc = fn(ctx, &tk);
        if (rc != NDB_OK)
            return rc;
    }
    *ntokens = t->ntok;
    return NDB_OK;
}
