/*
** search.c — queries over a snapshot: ranked search with exact totals, counts, match walks.
**
** The query layer does the work against the snapshot's ndb_view; this file parses with an
** analyzer of the archive's stemmer (one per call: analyzers hold per-thread state, and a
** snapshot may serve many threads), then decorates hits with stored fields and snippets.
*/
#include "api/api.h"
#include "api/dedup.h"

#include "doc/doc.h"
#include "query/query.h"

#define SEARCH_MAX_WINDOW 100000u /* offset + limit */
#define SEARCH_MAX_LIMIT 10000u
#define SEARCH_SNIPPET_CHARS 240

/* Parse q for snapshot s. *an and *qq OWNED by the caller. */
static ndb_rc search_parse(ndb_snapshot *s, const char *q, ndb_analyzer **an, ndb_query **qq,
                           ndb_err *err)
{
    return api_query_parse(s, q, an, qq, err);
}

NDB_API void ndb_results_free(ndb_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        ndb_free((char *)r->hits[i].url);
        ndb_free((char *)r->hits[i].outlet);
        ndb_free((char *)r->hits[i].title);
        ndb_free((char *)r->hits[i].snippet);
    }
    ndb_free(r->hits);
    ndb_free(r);
}

/* Fill the stored fields (and snippet) of one hit. */
static ndb_rc search_decorate(ndb_snapshot *s, const ndb_query *q, ndb_analyzer *an,
                              bool snippets, ndb_hit *h, ndb_err *err)
{
    ndb_doc *d = NULL;
    ndb_buf sn;
    ndb_rc rc = ndb_get(s, h->id, &d, err);
    ndb_buf_init(&sn, 1u << 20);
    if (rc != NDB_OK)
        return rc;
    h->date = d->date;
    h->url = ndb_strdup(d->url);
    h->outlet = ndb_strdup(d->outlet);
    h->title = ndb_strdup(d->title);
    if (snippets)
        rc = api_lang_stemmer(an, s->db->langstem, d->lang);
    if (snippets && rc == NDB_OK)
        rc = ndb_query_snippet(q, an, d->paras, d->n_paras, SEARCH_SNIPPET_CHARS, &sn);
    if (rc == NDB_OK)
        rc = ndb_buf_cstr(&sn);
    if (rc == NDB_OK)
        h->snippet = ndb_strdup(sn.p ? (const char *)sn.p : "");
    if (rc == NDB_OK && (!h->url || !h->outlet || !h->title || !h->snippet))
        rc = NDB_ENOMEM;
    if (rc != NDB_OK)
        rc = ndb_err_set(err, rc, "article %u: %s", h->id, ndb_strerror(rc));
    ndb_buf_fini(&sn);
    ndb_doc_free(d);
    return rc;
}

NDB_API ndb_rc ndb_search(ndb_snapshot *s, const char *query, const ndb_search_opts *opt,
                          ndb_results **out, ndb_err *err)
{
    static const ndb_search_opts defaults;
    ndb_analyzer *an = NULL;
    ndb_query *q = NULL;
    ndb_query_hit *top = NULL;
    uint32_t *copies = NULL;
    ndb_results *r = NULL;
    size_t k, nhits = 0;
    uint32_t limit;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    if (!opt)
        opt = &defaults;
    limit = opt->limit ? opt->limit : 10;
    if (limit > SEARCH_MAX_LIMIT || (uint64_t)opt->offset + limit > SEARCH_MAX_WINDOW)
        return ndb_err_set(err, NDB_ELIMIT,
                           "result window too large: offset + limit must be <= %u, limit <= %u "
                           "(use export for everything)",
                           SEARCH_MAX_WINDOW, SEARCH_MAX_LIMIT);
    k = (size_t)opt->offset + limit;
    rc = search_parse(s, query, &an, &q, err);
    if (rc != NDB_OK)
        goto out;
    r = ndb_calloc(1, sizeof *r);
    top = ndb_calloc(k, sizeof *top);
    if (!r || !top) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    if (opt->collapse_dups)
        rc = api_dedup_topk(s, query, q, k, opt->sort, opt->exhaustive != 0, top, &nhits,
                            &r->total, &r->unique, &copies, err);
    else
        rc = ndb_query_topk(q, &s->view, k, opt->sort, opt->exhaustive != 0, top, &nhits,
                            &r->total, err);
    if (rc != NDB_OK)
        goto out;
    if (nhits > opt->offset) {
        r->hits = ndb_calloc(nhits - opt->offset, sizeof *r->hits);
        if (!r->hits) {
            rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = opt->offset; i < nhits && rc == NDB_OK; i++) {
            ndb_hit *h = &r->hits[r->n++];
            h->id = top[i].id;
            h->score = top[i].score;
            h->copies = copies ? copies[i] : 0;
            rc = search_decorate(s, q, an, opt->snippets != 0, h, err);
        }
    }
out:
    ndb_free(top);
    ndb_free(copies);
    ndb_query_free(q);
    ndb_text_analyzer_free(an);
    if (rc != NDB_OK) {
        ndb_results_free(r);
        return rc;
    }
    *out = r;
    return NDB_OK;
}

NDB_API ndb_rc ndb_count(ndb_snapshot *s, const char *query, uint64_t *count, ndb_err *err)
{
    ndb_analyzer *an = NULL;
    ndb_query *q = NULL;
    ndb_rc rc;
    ndb_err_clear(err);
    *count = 0;
    rc = search_parse(s, query, &an, &q, err);
    if (rc == NDB_OK)
        rc = ndb_query_count(q, &s->view, count, err);
    ndb_query_free(q);
    ndb_text_analyzer_free(an);
    return rc;
}

NDB_API ndb_rc ndb_match_each(ndb_snapshot *s, const char *query, ndb_id_fn fn, void *ctx,
                              ndb_err *err)
{
    ndb_analyzer *an = NULL;
    ndb_query *q = NULL;
    ndb_rc rc;
    ndb_err_clear(err);
    rc = search_parse(s, query, &an, &q, err);
    if (rc == NDB_OK)
        rc = ndb_query_each(q, &s->view, fn, ctx, err);
    ndb_query_free(q);
    ndb_text_analyzer_free(an);
    return rc;
}
