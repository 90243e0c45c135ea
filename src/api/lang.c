/*
** lang.c (api) — which language an article is in, decided once, when it is added.
**
** Precedence: a language given with the article (a side file's or an ingest source's
** "lang", normalized by ndb_lang_normalize: "de-AT" -> "de") wins; otherwise CLD2 looks at
** the article's text (title, then the paragraphs, the first NDB_LANG_DETECT_MAX bytes) and
** its answer is kept only when reliable; otherwise the language is unknown (""). A given
** value that names no language ("und", "english", garbage) counts as not given.
**
** The result is stored as the record's `lang` (the code) and as the id in the article's
** column (ndb_col.flags), which lang: filters, facets and stats read.
*/
#include "api/api.h"

#include "text/lang.h"

#include <stdlib.h>

ndb_rc api_lang_resolve(const char *given, const char *title, const ndb_slice *paras,
                        uint32_t n, uint8_t *id)
{
    char buf[NDB_LANG_DETECT_MAX];
    size_t used = 0;
    ndb_lang_guess g;
    ndb_rc rc;
    *id = given ? ndb_lang_normalize(given, strlen(given)) : NDB_LANG_NONE;
    if (*id != NDB_LANG_NONE)
        return NDB_OK;
    if (title && *title) {
        used = NDB_MIN(strlen(title), sizeof buf - 1);
        memcpy(buf, title, used);
        buf[used++] = '\n';
    }
    for (uint32_t i = 0; i < n && used < sizeof buf; i++) {
        size_t k = NDB_MIN(paras[i].n, sizeof buf - used);
        memcpy(buf + used, paras[i].p, k);
        used += k;
        if (used < sizeof buf)
            buf[used++] = '\n';
    }
    rc = ndb_lang_detect(buf, used, &g);
    if (rc == NDB_OK)
        *id = g.id;
    return rc;
}

/* ---------------------------------------------------------------- query parsing */

ndb_rc api_lang_stemmer(ndb_analyzer *an, bool langstem, const char *lang)
{
    uint8_t id = langstem && lang ? ndb_lang_normalize(lang, strlen(lang)) : NDB_LANG_NONE;
    return ndb_text_analyzer_set_stem(an, ndb_lang_stem_index(id));
}

/* Per-language archives parse with every stemmer their languages use (query.h); the others,
** and per-language archives holding only English / unknown / stemmer-less languages, get
** exactly the single-stemmer parse. */
ndb_rc api_query_parse(ndb_snapshot *s, const char *q, ndb_analyzer **an, ndb_query **qq,
                       ndb_err *err)
{
    *qq = NULL;
    if (ndb_text_analyzer_new(s->db->stemmer, an) != NDB_OK)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (!q)
        return ndb_err_set(err, NDB_EINVAL, "no query given");
    return ndb_query_parse_langs(q, strlen(q), *an, s->db->langstem ? &s->langs : NULL, qq,
                                 err);
}

/* ---------------------------------------------------------------- ndb_languages */

typedef struct lang_count {
    const ndb_view *v;
    uint64_t n[256];
} lang_count;

static int lang_count_fn(void *ctx, uint32_t id)
{
    lang_count *c = ctx;
    c->n[ndb_col_lang(&c->v->cols[id])]++;
    return 0;
}

static int lang_row_cmp(const void *pa, const void *pb)
{
    const ndb_agg_row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->lang, b->lang);
}

NDB_API ndb_rc ndb_languages(ndb_snapshot *s, const char *query, ndb_agg **out, ndb_err *err)
{
    lang_count *match = NULL, *all = NULL;
    ndb_analyzer *an = NULL;
    ndb_query *q = NULL;
    ndb_agg *a = NULL;
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    *out = NULL;
    match = ndb_calloc(1, sizeof *match);
    all = ndb_calloc(1, sizeof *all);
    a = ndb_calloc(1, sizeof *a);
    if (a)
        a->rows = ndb_calloc(256, sizeof *a->rows);
    if (!match || !all || !a || !a->rows) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    match->v = all->v = &s->view;
    for (uint32_t i = 0; i < s->view.ndocs; i++)
        if (s->view.live(s->view.ctx, i))
            lang_count_fn(all, i);
    if (query) {
        rc = api_query_parse(s, query, &an, &q, err);
        if (rc == NDB_OK)
            rc = ndb_query_each(q, &s->view, lang_count_fn, match, err);
        if (rc != NDB_OK)
            goto out;
    } else {
        memcpy(match->n, all->n, sizeof all->n);
    }
    for (int id = 0; id < 256; id++) {
        if (match->n[id] == 0)
            continue;
        ndb_agg_row *r = &a->rows[a->n++];
        r->period = NDB_DATE_NONE;
        r->lang = ndb_lang_code((uint8_t)id);
        r->count = match->n[id];
        r->total = all->n[id];
        a->matched += r->count;
    }
    a->in_range = a->matched;
    qsort(a->rows, a->n, sizeof *a->rows, lang_row_cmp);
out:
    ndb_query_free(q);
    ndb_text_analyzer_free(an);
    ndb_free(match);
    ndb_free(all);
    if (rc != NDB_OK) {
        ndb_agg_free(a);
        return rc;
    }
    *out = a;
    return NDB_OK;
}
