/*
** api.c — the JSON endpoints of `newsdb serve`: one function per GET /api/... path, each a
** thin shell over the public API call the CLI command of the same name makes, so both
** give the same figures and the same error messages (docs/http-api.md has the shapes).
**
** Parameters are checked before any work (unknown names, numbers, dates, enums, query
** length); a search's result window offset + limit is at most SRV_WINDOW_MAX.
*/
#include "server/srv_int.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- JSON helpers */

json_t *ndb_srv_json_str(const char *s)
{
    size_t n = strlen(s);
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    ndb_buf b; /* invalid UTF-8: replace bad bytes by U+FFFD */
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t l = ndb_utf8_decode((const uint8_t *)s + i, n - i, &cp);
        ndb_rc rc = l ? ndb_buf_append(&b, s + i, l) : ndb_buf_append_str(&b, "\xef\xbf\xbd");
        if (rc != NDB_OK)
            break;
        i += l ? l : 1;
    }
    j = json_stringn((const char *)b.p, b.n);
    ndb_buf_fini(&b);
    return j;
}

json_t *ndb_srv_json_date(int32_t date)
{
    char d[16];
    if (date == NDB_DATE_NONE)
        return json_null();
    ndb_date_format(date, d, sizeof d);
    return json_string(d);
}

static ndb_rc api_oom(json_t *j, json_t **out, ndb_err *err)
{
    if (!j)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    *out = j;
    return NDB_OK;
}

static const char *const api_periods[] = {"none", "day", "week", "month", "year", NULL};
static const char *const api_sorts[] = {"score", "date", "date_asc", NULL};

/* Period label as the CLI prints it: 2024-03-05, 2024-W10, 2024-03, 2024; null undated. */
static json_t *api_period_label(ndb_period by, int32_t start)
{
    char buf[32];
    int y, m, d, ty, tm, td;
    int32_t jan1 = 0;
    if (start == NDB_DATE_NONE)
        return json_null();
    ndb_date_to_ymd(start, &y, &m, &d);
    if (by == NDB_PERIOD_WEEK) {
        ndb_date_to_ymd(start + 3, &ty, &tm, &td);
        (void)ndb_date_from_ymd(ty, 1, 1, &jan1);
        snprintf(buf, sizeof buf, "%04d-W%02d", ty, (start + 3 - jan1) / 7 + 1);
    } else if (by == NDB_PERIOD_MONTH) {
        snprintf(buf, sizeof buf, "%04d-%02d", y, m);
    } else if (by == NDB_PERIOD_YEAR) {
        snprintf(buf, sizeof buf, "%04d", y);
    } else {
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    }
    return json_string(buf);
}

/* Common timeline/outlets options: by, from, to. */
static ndb_rc api_agg_opts(const srv_request *r, bool period, ndb_agg_opts *o, ndb_err *err)
{
    int by = NDB_PERIOD_MONTH;
    ndb_rc rc = NDB_OK;
    memset(o, 0, sizeof *o);
    if (period)
        rc = ndb_srv_param_enum(r, "by", api_periods, NDB_PERIOD_MONTH, &by, err);
    if (rc == NDB_OK && by == NDB_PERIOD_NONE)
        rc = ndb_err_set(err, NDB_EPARSE, "bad by 'none' (day, week, month, year)");
    o->by = (ndb_period)by;
    if (rc == NDB_OK)
        rc = ndb_srv_param_date(r, "from", &o->from, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_date(r, "to", &o->to, err);
    if (rc == NDB_OK && o->from != NDB_DATE_NONE && o->to != NDB_DATE_NONE && o->from > o->to)
        rc = ndb_err_set(err, NDB_EINVAL, "from is after to");
    bool collapse = false;
    if (rc == NDB_OK && ndb_srv_param(r, "collapse"))
        rc = ndb_srv_param_bool(r, "collapse", false, &collapse, err);
    o->collapse_dups = collapse;
    return rc;
}

/* ---------------------------------------------------------------- search, count */

static ndb_rc api_facets(ndb_snapshot *s, const char *q, const char *which, json_t *obj,
                         ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    json_t *f = json_object();
    for (int k = 0; k < 2 && rc == NDB_OK && f; k++) {
        const char *name = k == 0 ? "outlet" : "date";
        if (!strstr(which, name))
            continue;
        ndb_agg *a = NULL;
        ndb_agg_opts ao = {.by = NDB_PERIOD_YEAR, .top = 10};
        rc = k == 0 ? ndb_outlets(s, q, &ao, &a, err) : ndb_timeline(s, q, &ao, &a, err);
        json_t *vals = json_array();
        for (size_t i = 0; rc == NDB_OK && i < a->n; i++) {
            const ndb_agg_row *w = &a->rows[i];
            char key[16];
            if (k == 1 && w->count == 0)
                continue;
            json_t *kj;
            if (k == 0)
                kj = ndb_srv_json_str(w->outlet);
            else if (w->period == NDB_DATE_NONE)
                kj = json_null();
            else {
                ndb_date_format(w->period, key, sizeof key);
                kj = json_stringn(key, 4);
            }
            json_array_append_new(vals, json_pack("{s:o, s:I}", "key", kj, "count",
                                                  (json_int_t)w->count));
        }
        json_object_set_new(f, name, vals);
        ndb_agg_free(a);
    }
    json_object_set_new(obj, "facets", f);
    return rc;
}

static ndb_rc api_search(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"q",      "limit",  "offset",   "sort",
                                       "snippets", "facets", "collapse", NULL};
    const char *q = NULL, *facets = ndb_srv_param(r, "facets");
    uint32_t limit = 10, offset = 0;
    int sort = 0;
    bool snippets = true, collapse = false;
    ndb_results *res = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", true, &q, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_u32(r, "limit", 10, 0, 1000, &limit, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_u32(r, "offset", 0, 0, SRV_WINDOW_MAX, &offset, err);
    if (rc == NDB_OK && (uint64_t)offset + limit > SRV_WINDOW_MAX)
        rc = ndb_err_set(err, NDB_ELIMIT,
                         "result window offset + limit = %llu is over %u: narrow the query "
                         "or use /api/export for every match",
                         (unsigned long long)offset + limit, SRV_WINDOW_MAX);
    if (rc == NDB_OK)
        rc = ndb_srv_param_enum(r, "sort", api_sorts, 0, &sort, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_bool(r, "snippets", true, &snippets, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_bool(r, "collapse", false, &collapse, err);
    if (rc == NDB_OK && collapse && limit == 0)
        limit = 1; /* the unique count comes with the hits */
    if (rc == NDB_OK && facets && *facets && strcmp(facets, "outlet") != 0 &&
        strcmp(facets, "date") != 0 && strcmp(facets, "outlet,date") != 0 &&
        strcmp(facets, "date,outlet") != 0)
        rc = ndb_err_set(err, NDB_EPARSE, "bad facets '%.64s' (outlet, date, outlet,date)",
                         facets);
    ndb_search_opts so = {.limit = limit, .offset = offset, .sort = (ndb_sort)sort,
                          .snippets = snippets, .collapse_dups = collapse};
    if (rc == NDB_OK && limit > 0)
        rc = ndb_search(s, q, &so, &res, err);
    uint64_t total = 0;
    if (rc == NDB_OK && limit == 0)
        rc = ndb_count(s, q, &total, err);
    if (rc != NDB_OK)
        return rc;
    json_t *hits = json_array();
    for (size_t i = 0; res && i < res->n; i++) {
        const ndb_hit *h = &res->hits[i];
        json_t *hj = json_pack("{s:I, s:f, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)h->id,
                               "score", h->score, "url", ndb_srv_json_str(h->url), "outlet",
                               ndb_srv_json_str(h->outlet), "title", ndb_srv_json_str(h->title),
                               "date", ndb_srv_json_date(h->date), "snippet",
                               ndb_srv_json_str(h->snippet));
        if (hj && collapse)
            json_object_set_new(hj, "copies", json_integer((json_int_t)h->copies));
        json_array_append_new(hits, hj);
    }
    json_t *o = json_pack("{s:o, s:I, s:I, s:I, s:s, s:o}", "query", ndb_srv_json_str(q),
                          "total", (json_int_t)(res ? res->total : total), "offset",
                          (json_int_t)offset, "limit", (json_int_t)limit, "sort",
                          api_sorts[sort], "hits", hits);
    if (o && collapse)
        json_object_set_new(o, "unique", json_integer((json_int_t)(res ? res->unique : 0)));
    ndb_results_free(res);
    if (o && facets && *facets)
        rc = api_facets(s, q, facets, o, err);
    if (rc != NDB_OK) {
        json_decref(o);
        return rc;
    }
    return api_oom(o, out, err);
}

static ndb_rc api_count(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"q", NULL};
    const char *q = NULL;
    uint64_t n = 0;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", true, &q, err);
    if (rc == NDB_OK)
        rc = ndb_count(s, q, &n, err);
    if (rc != NDB_OK)
        return rc;
    return api_oom(json_pack("{s:o, s:I}", "query", ndb_srv_json_str(q), "total",
                             (json_int_t)n),
                   out, err);
}

/* ---------------------------------------------------------------- analytics */

static json_t *api_share(uint64_t count, uint64_t total)
{
    return total ? json_real((double)count / (double)total) : json_null();
}

static ndb_rc api_timeline(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"q", "by", "from", "to", "split", "collapse", NULL};
    const char *q = NULL;
    bool split = false;
    ndb_agg_opts ao;
    ndb_agg *a = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", true, &q, err);
    if (rc == NDB_OK)
        rc = api_agg_opts(r, true, &ao, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_bool(r, "split", false, &split, err);
    ao.split_outlet = split;
    if (rc == NDB_OK)
        rc = ndb_timeline(s, q, &ao, &a, err);
    if (rc != NDB_OK)
        return rc;
    json_t *rows = json_array();
    for (size_t i = 0; i < a->n; i++) {
        const ndb_agg_row *w = &a->rows[i];
        json_t *row = json_pack("{s:o, s:o, s:I, s:I, s:o}", "period",
                                api_period_label(ao.by, w->period), "start",
                                ndb_srv_json_date(w->period), "count", (json_int_t)w->count,
                                "total", (json_int_t)w->total, "share",
                                api_share(w->count, w->total));
        if (row && split)
            json_object_set_new(row, "outlet", ndb_srv_json_str(w->outlet ? w->outlet : ""));
        json_array_append_new(rows, row);
    }
    json_t *o = json_pack("{s:o, s:s, s:I, s:I, s:o}", "query", ndb_srv_json_str(q), "by",
                          ndb_period_name(ao.by), "matched", (json_int_t)a->matched,
                          "in_range", (json_int_t)a->in_range, "rows", rows);
    ndb_agg_free(a);
    return api_oom(o, out, err);
}

static ndb_rc api_outlets(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"q", "from", "to", "top", "collapse", NULL};
    const char *q = NULL;
    ndb_agg_opts ao;
    ndb_agg *a = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", true, &q, err);
    if (rc == NDB_OK)
        rc = api_agg_opts(r, false, &ao, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_u32(r, "top", 50, 0, 100000, &ao.top, err);
    if (rc == NDB_OK)
        rc = ndb_outlets(s, q, &ao, &a, err);
    if (rc != NDB_OK)
        return rc;
    json_t *rows = json_array();
    for (size_t i = 0; i < a->n; i++) {
        const ndb_agg_row *w = &a->rows[i];
        json_array_append_new(rows, json_pack("{s:o, s:I, s:I, s:o}", "outlet",
                                              ndb_srv_json_str(w->outlet), "count",
                                              (json_int_t)w->count, "total",
                                              (json_int_t)w->total, "share",
                                              api_share(w->count, w->total)));
    }
    json_t *o = json_pack("{s:o, s:I, s:I, s:o}", "query", ndb_srv_json_str(q), "matched",
                          (json_int_t)a->matched, "in_range", (json_int_t)a->in_range, "rows",
                          rows);
    ndb_agg_free(a);
    return api_oom(o, out, err);
}

static json_t *api_term_rows(const ndb_term_list *l, bool significant)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const ndb_term_row *t = &l->rows[i];
        json_t *row = json_pack("{s:o, s:o, s:I, s:I}", "term", ndb_srv_json_str(t->term),
                                "stem", ndb_srv_json_str(t->stem), "count",
                                (json_int_t)t->count, "docs", (json_int_t)t->docs);
        if (row && significant) {
            json_object_set_new(row, "bg_count", json_integer((json_int_t)t->bg_count));
            json_object_set_new(row, "z", json_real(t->z));
            json_object_set_new(row, "delta", json_real(t->delta));
        }
        json_array_append_new(rows, row);
    }
    return rows;
}

static ndb_rc api_terms(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"q", "top", "significant", "background", "bigrams", NULL};
    const char *q = NULL, *bg = NULL;
    bool sig = false, bi = false;
    ndb_terms_opts to = {0};
    ndb_term_list *l = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", true, &q, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "background", false, &bg, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_u32(r, "top", 20, 1, 1000, &to.top, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_bool(r, "significant", false, &sig, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_bool(r, "bigrams", false, &bi, err);
    if (rc == NDB_OK && bg && !sig)
        rc = ndb_err_set(err, NDB_EINVAL, "background is only for significant=1");
    to.significant = sig;
    to.bigrams = bi;
    to.background = bg;
    if (rc == NDB_OK)
        rc = ndb_top_terms(s, q, &to, &l, err);
    if (rc != NDB_OK)
        return rc;
    json_t *o = json_pack("{s:o, s:b, s:b, s:I, s:I, s:I, s:I, s:o}", "query",
                          ndb_srv_json_str(q), "significant", sig, "bigrams", bi, "matched",
                          (json_int_t)l->matched, "bg_docs", (json_int_t)l->bg_docs, "tokens",
                          (json_int_t)l->tokens, "bg_tokens", (json_int_t)l->bg_tokens, "rows",
                          api_term_rows(l, sig));
    ndb_term_list_free(l);
    return api_oom(o, out, err);
}

/* "(query) (filter)": a side of compare, as the CLI builds it. */
static char *api_side(const char *q, const char *f)
{
    size_t n = strlen(q) + strlen(f) + 8;
    char *s = ndb_malloc(n);
    if (s)
        snprintf(s, n, "(%s) (%s)", q, f);
    return s;
}

static uint64_t api_at(const ndb_agg *a, int32_t p, bool total)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->rows[i].period == p)
            return total ? a->rows[i].total : a->rows[i].count;
    return 0;
}

/* Sort key of row i: its period, undated after every date, past the end last. */
static int64_t api_key(const ndb_agg *a, size_t i)
{
    return i >= a->n                            ? INT64_MAX
           : a->rows[i].period == NDB_DATE_NONE ? INT64_MAX - 1
                                                : a->rows[i].period;
}

static ndb_rc api_compare(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"q", "a", "b", "top", "by", NULL};
    const char *q = NULL, *fa = NULL, *fb = NULL;
    char *qa = NULL, *qb = NULL;
    ndb_term_list *la = NULL, *lb = NULL;
    ndb_agg *t[4] = {NULL, NULL, NULL, NULL};
    ndb_agg_opts ao;
    uint32_t top = 15;
    json_t *o = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", true, &q, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "a", true, &fa, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "b", true, &fb, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_u32(r, "top", 15, 1, 1000, &top, err);
    if (rc == NDB_OK)
        rc = api_agg_opts(r, true, &ao, err);
    if (rc == NDB_OK && (!(qa = api_side(q, fa)) || !(qb = api_side(q, fb))))
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    ndb_terms_opts ka = {.top = top, .significant = 1, .background = qb};
    ndb_terms_opts kb = {.top = top, .significant = 1, .background = qa};
    if (rc == NDB_OK)
        rc = ndb_top_terms(s, qa, &ka, &la, err);
    if (rc == NDB_OK)
        rc = ndb_top_terms(s, qb, &kb, &lb, err);
    const char *tq[4] = {qa, qb, fa, fb};
    for (int k = 0; k < 4 && rc == NDB_OK; k++)
        rc = ndb_timeline(s, tq[k], &ao, &t[k], err);
    if (rc != NDB_OK)
        goto out;
    /* periods of either side, in order (rows are sorted, undated last) */
    json_t *rows = json_array();
    size_t i = 0, j = 0;
    while (i < t[0]->n || j < t[1]->n) {
        int64_t ki = api_key(t[0], i), kj = api_key(t[1], j), k = ki < kj ? ki : kj;
        int32_t p = k == INT64_MAX - 1 ? NDB_DATE_NONE : (int32_t)k;
        if (i < t[0]->n && t[0]->rows[i].period == p)
            i++;
        if (j < t[1]->n && t[1]->rows[j].period == p)
            j++;
        json_array_append_new(
            rows, json_pack("{s:o, s:o, s:I, s:I, s:I, s:I}", "period",
                            api_period_label(ao.by, p), "start", ndb_srv_json_date(p), "a",
                            (json_int_t)api_at(t[0], p, false), "a_total",
                            (json_int_t)api_at(t[2], p, false), "b",
                            (json_int_t)api_at(t[1], p, false), "b_total",
                            (json_int_t)api_at(t[3], p, false)));
    }
    o = json_pack("{s:o, s:o, s:o, s:s, s:I, s:I, s:{s:o, s:o}, s:o}", "query",
                  ndb_srv_json_str(q), "a", ndb_srv_json_str(fa), "b", ndb_srv_json_str(fb),
                  "by", ndb_period_name(ao.by), "a_matched", (json_int_t)la->matched,
                  "b_matched", (json_int_t)lb->matched, "terms", "a", api_term_rows(la, true),
                  "b", api_term_rows(lb, true), "timeline", rows);
    rc = api_oom(o, out, err);
out:
    ndb_term_list_free(la);
    ndb_term_list_free(lb);
    for (int k = 0; k < 4; k++)
        ndb_agg_free(t[k]);
    ndb_free(qa);
    ndb_free(qb);
    return rc;
}

/* ---------------------------------------------------------------- articles, stats */

static ndb_rc api_article_json(ndb_snapshot *s, ndb_doc *d, json_t **out, ndb_err *err)
{
    uint32_t *ids = NULL;
    size_t n = 0;
    ndb_rc rc = ndb_get_versions(s, d->url, &ids, &n, err);
    if (rc != NDB_OK)
        return rc;
    json_t *paras = json_array(), *vers = json_array();
    for (uint32_t i = 0; i < d->n_paras; i++) {
        char *p = ndb_strndup((const char *)d->paras[i].p, d->paras[i].n);
        json_array_append_new(paras, p ? ndb_srv_json_str(p) : NULL);
        ndb_free(p);
    }
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        ndb_doc *v = NULL;
        rc = ndb_get(s, ids[i], &v, err);
        if (rc == NDB_OK)
            json_array_append_new(vers, json_pack("{s:I, s:I, s:o, s:b, s:I}", "id",
                                                  (json_int_t)v->id, "version",
                                                  (json_int_t)v->version, "date",
                                                  ndb_srv_json_date(v->date), "live", v->live,
                                                  "bytes", (json_int_t)v->raw.n));
        ndb_doc_free(v);
    }
    ndb_free_mem(ids);
    json_t *o = json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:b, s:o, s:o}", "id", (json_int_t)d->id,
        "url", ndb_srv_json_str(d->url), "outlet", ndb_srv_json_str(d->outlet), "date",
        ndb_srv_json_date(d->date), "title", ndb_srv_json_str(d->title), "lang",
        ndb_srv_json_str(d->lang), "source", ndb_srv_json_str(d->source), "version",
        (json_int_t)d->version, "live", d->live, "paragraphs", paras, "versions", vers);
    if (rc != NDB_OK) {
        json_decref(o);
        return rc;
    }
    return api_oom(o, out, err);
}

ndb_rc ndb_srv_ep_article_id(ndb_snapshot *s, const char *id, const srv_request *r,
                             json_t **out, ndb_err *err)
{
    static const char *const keys[] = {NULL};
    uint32_t x = 0;
    ndb_doc *d = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_path_id(id, &x, err);
    if (rc != NDB_OK)
        return rc;
    rc = ndb_get(s, x, &d, err);
    if (rc == NDB_OK)
        rc = api_article_json(s, d, out, err);
    ndb_doc_free(d);
    return rc;
}

static ndb_rc api_article(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"url", NULL};
    const char *url = ndb_srv_param(r, "url");
    ndb_doc *d = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK && (!url || !*url))
        rc = ndb_err_set(err, NDB_EPARSE, "missing parameter 'url' (or use /api/article/ID)");
    if (rc == NDB_OK)
        rc = ndb_get_url(s, url, &d, err);
    if (rc == NDB_OK)
        rc = api_article_json(s, d, out, err);
    ndb_doc_free(d);
    return rc;
}

static const char *api_stemmer(ndb_stemmer st)
{
    return st == NDB_STEM_PORTER ? "porter" : st == NDB_STEM_NONE ? "none" : "english";
}

static ndb_rc api_stats(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {NULL};
    ndb_stats st;
    ndb_agg *langs = NULL;
    json_t *lv;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_snapshot_stats(s, &st, err);
    if (rc == NDB_OK)
        rc = ndb_languages(s, NULL, &langs, err);
    if (rc != NDB_OK)
        return rc;
    lv = json_array(); /* [{lang, count}], most first; "" = unknown */
    for (size_t i = 0; lv && i < langs->n; i++)
        json_array_append_new(lv, json_pack("{s:s, s:I}", "lang", langs->rows[i].lang, "count",
                                            (json_int_t)langs->rows[i].count));
    ndb_agg_free(langs);
    return api_oom(
        json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o}",
                  "version", ndb_version(), "articles", (json_int_t)st.articles, "versions",
                  (json_int_t)st.versions, "outlets", (json_int_t)st.outlets, "date_min",
                  ndb_srv_json_date(st.date_min), "date_max", ndb_srv_json_date(st.date_max),
                  "dated", (json_int_t)st.dated, "store_bytes", (json_int_t)st.store_bytes,
                  "index_bytes", (json_int_t)st.index_bytes, "raw_bytes",
                  (json_int_t)st.raw_bytes, "segments", (json_int_t)st.segments, "generation",
                  (json_int_t)st.generation, "stemmer", api_stemmer(st.stemmer), "languages", lv),
        out, err);
}

const srv_endpoint ndb_srv_endpoints[] = {
    {"/api/search", api_search},     {"/api/count", api_count},
    {"/api/timeline", api_timeline}, {"/api/outlets", api_outlets},
    {"/api/terms", api_terms},       {"/api/compare", api_compare},
    {"/api/article", api_article},   {"/api/stats", api_stats},
    {"/api/dups", ndb_srv_ep_dups},
};
const size_t ndb_srv_nendpoints = sizeof ndb_srv_endpoints / sizeof ndb_srv_endpoints[0];
