/*
** analytics.c — the public analytics calls of include/newsdb.h: ndb_timeline, ndb_outlets.
**
** What: parses the query with an analyzer of the archive's stemmer (one per call, as
** search.c does: analyzers hold per-thread state), runs the analytics module over the
** snapshot's view, and turns outlet ids into names (the reader store's outlet table; ids
** are append-only, so a name read now is the name the snapshot's ids meant).
**
** Ordering decided here, where names are known (rule 23, total orders):
**   timeline  period ascending, undated last; within a period outlets by name (bytewise)
**   outlets   count descending, then name ascending; then the --top cut
**
** Errors: as newsdb.h states; a from > to range is NDB_EINVAL naming both dates.
** Threading: reentrant over a snapshot, like ndb_search.
*/
#include "api/api.h"
#include "api/dedup.h"

#include "analytics/analytics.h"
#include "query/query.h"

#include <stdlib.h>

static const char *const analytics_period_names[] = {"none", "day", "week", "month", "year"};

NDB_API const char *ndb_period_name(ndb_period p)
{
    if (p < NDB_PERIOD_NONE || p > NDB_PERIOD_YEAR)
        return "?";
    return analytics_period_names[p];
}

NDB_API int ndb_period_parse(const char *s, ndb_period *out)
{
    for (int i = 0; s && i <= (int)NDB_PERIOD_YEAR; i++) {
        if (strcmp(s, analytics_period_names[i]) == 0) {
            *out = (ndb_period)i;
            return 0;
        }
    }
    return -1;
}

NDB_API void ndb_agg_free(ndb_agg *a)
{
    if (!a)
        return;
    ndb_free(a->rows);
    ndb_free(a);
}

/* Effective range of opts: {0, 0} means open. */
static ndb_rc analytics_range(const ndb_agg_opts *o, int32_t *from, int32_t *to, ndb_err *err)
{
    char a[16], b[16];
    *from = o->from;
    *to = o->to;
    if (*from == 0 && *to == 0)
        *from = *to = NDB_DATE_NONE;
    if (*from != NDB_DATE_NONE && *to != NDB_DATE_NONE && *from > *to) {
        ndb_date_format(*from, a, sizeof a);
        ndb_date_format(*to, b, sizeof b);
        return ndb_err_set(err, NDB_EINVAL, "empty date range: from %s is after to %s", a, b);
    }
    return NDB_OK;
}

static const char *analytics_outlet(ndb_snapshot *s, uint32_t id)
{
    const char *name;
    if (id == NDB_OUTLET_NONE || id >= s->st.noutlets)
        return "";
    name = ndb_store_outlet_name(s->db->rstore, id);
    return name ? name : "";
}

static int analytics_timeline_cmp(const void *pa, const void *pb)
{
    const ndb_agg_row *a = pa, *b = pb;
    int64_t ka = a->period == NDB_DATE_NONE ? INT64_MAX : a->period;
    int64_t kb = b->period == NDB_DATE_NONE ? INT64_MAX : b->period;
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return strcmp(a->outlet ? a->outlet : "", b->outlet ? b->outlet : "");
}

static int analytics_outlets_cmp(const void *pa, const void *pb)
{
    const ndb_agg_row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->outlet, b->outlet);
}

/* Shared body: parse, run, name, sort. */
static ndb_rc analytics_run(ndb_snapshot *s, const char *query, const ndb_agg_opts *opt,
                            bool timeline, ndb_agg **out, ndb_err *err)
{
    static const ndb_agg_opts defaults;
    ndb_analyzer *an = NULL;
    ndb_query *q = NULL;
    ndb_analytics_cell *cells = NULL;
    ndb_agg *a = NULL;
    size_t n = 0;
    int32_t from, to;
    bool named;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    if (!opt)
        opt = &defaults;
    rc = analytics_range(opt, &from, &to, err);
    if (rc != NDB_OK)
        goto out;
    if (!query) {
        rc = ndb_err_set(err, NDB_EINVAL, "no query given");
        goto out;
    }
    if (ndb_text_analyzer_new(s->db->stemmer, &an) != NDB_OK) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    rc = ndb_query_parse_langs(query, strlen(query), an, api_langs(s), &q, err);
    if (rc != NDB_OK)
        goto out;
    a = ndb_calloc(1, sizeof *a);
    if (!a) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    if (timeline)
        rc = ndb_analytics_timeline(q, &s->view, opt->by ? opt->by : NDB_PERIOD_MONTH,
                                    opt->split_outlet != 0, from, to, &cells, &n, &a->matched, err);
    else
        rc = ndb_analytics_outlets(q, &s->view, from, to, &cells, &n, &a->matched, err);
    if (rc == NDB_OK && opt->collapse_dups) /* near-duplicates count once (api/dups.c) */
        rc = api_dedup_agg_collapse(s, query, q, timeline, opt->by ? opt->by : NDB_PERIOD_MONTH,
                                    opt->split_outlet != 0, from, to, cells, &n, &a->matched,
                                    err);
    if (rc != NDB_OK)
        goto out;
    a->rows = ndb_calloc(n ? n : 1, sizeof *a->rows);
    if (!a->rows) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    named = !timeline || opt->split_outlet;
    for (size_t i = 0; i < n; i++) {
        ndb_agg_row *r = &a->rows[a->n++];
        r->period = timeline ? cells[i].period : NDB_DATE_NONE;
        r->outlet = named ? analytics_outlet(s, cells[i].outlet) : NULL;
        r->count = cells[i].count;
        r->total = cells[i].total;
        a->in_range += r->count;
    }
    if (a->n > 1)
        qsort(a->rows, a->n, sizeof *a->rows,
              timeline ? analytics_timeline_cmp : analytics_outlets_cmp);
    if (!timeline && opt->top && a->n > opt->top)
        a->n = opt->top;
out:
    ndb_free(cells);
    ndb_query_free(q);
    ndb_text_analyzer_free(an);
    if (rc != NDB_OK) {
        ndb_agg_free(a);
        return rc;
    }
    *out = a;
    return NDB_OK;
}

NDB_API ndb_rc ndb_timeline(ndb_snapshot *s, const char *query, const ndb_agg_opts *opt,
                            ndb_agg **out, ndb_err *err)
{
    return analytics_run(s, query, opt, true, out, err);
}

NDB_API ndb_rc ndb_outlets(ndb_snapshot *s, const char *query, const ndb_agg_opts *opt,
                           ndb_agg **out, ndb_err *err)
{
    return analytics_run(s, query, opt, false, out, err);
}

/* ---------------------------------------------------------------- terms */

#define ANALYTICS_TERMS_TOP    20u
#define ANALYTICS_MAX_POSTINGS 2000000000ull

NDB_API void ndb_term_list_free(ndb_term_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        ndb_free((char *)l->rows[i].term);
        ndb_free((char *)l->rows[i].stem);
    }
    ndb_free(l->rows);
    ndb_free(l);
}

/* Surface forms seen for one stem: (form, count) pairs. */
typedef struct analytics_forms {
    const char *stem; /* borrowed from the row */
    size_t idx;       /* row index */
    size_t n, cap;
    char **form;
    uint64_t *count;
} analytics_forms;

typedef struct analytics_surface {
    analytics_forms *f; /* sorted by stem */
    size_t n;
    const uint8_t *text; /* paragraph being analyzed */
    ndb_analyzer *an;
    ndb_buf fold;
    bool bigrams;        /* rows are "stem stem": match pairs of consecutive tokens */
    uint32_t prev_pos;   /* position of the previous token of this paragraph, or UINT32_MAX */
    char prev_stem[NDB_TEXT_MAX_TERM * 4 + 1], prev_form[NDB_TEXT_MAX_TERM * 4 * 4 + 1];
} analytics_surface;

static int analytics_forms_cmp(const void *a, const void *b)
{
    return strcmp(((const analytics_forms *)a)->stem, ((const analytics_forms *)b)->stem);
}

static ndb_rc analytics_forms_add(analytics_forms *f, const char *p, size_t n)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strlen(f->form[i]) == n && memcmp(f->form[i], p, n) == 0) {
            f->count[i]++;
            return NDB_OK;
        }
    }
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 4;
        char **nf = ndb_realloc(f->form, nc * sizeof *nf);
        if (!nf)
            return NDB_ENOMEM;
        f->form = nf;
        uint64_t *ncnt = ndb_realloc(f->count, nc * sizeof *ncnt);
        if (!ncnt)
            return NDB_ENOMEM;
        f->count = ncnt;
        f->cap = nc;
    }
    f->form[f->n] = ndb_strndup(p, n);
    if (!f->form[f->n])
        return NDB_ENOMEM;
    f->count[f->n++] = 1;
    return NDB_OK;
}

/* out = "a b" (a NUL-terminated, b of n bytes); out holds strlen(a) + n + 2 bytes. */
static void analytics_join(char *out, const char *a, const char *b, size_t n)
{
    size_t la = strlen(a);
    memcpy(out, a, la);
    out[la] = ' ';
    memcpy(out + la + 1, b, n);
    out[la + 1 + n] = 0;
}

/* Bigram rows: the pair (previous token, this one) when they are consecutive. */
static ndb_rc analytics_surface_pair(analytics_surface *s, const ndb_token *t)
{
    char stem[sizeof s->prev_stem * 2 + 2], form[sizeof s->prev_form * 2 + 2];
    analytics_forms key, *f;
    bool adjacent = s->prev_pos != UINT32_MAX && t->pos == s->prev_pos + 1;
    ndb_rc rc;
    if (t->len >= sizeof s->prev_stem) {
        s->prev_pos = UINT32_MAX;
        return NDB_OK;
    }
    rc = ndb_text_fold(s->an, (const char *)s->text + t->start, t->end - t->start, &s->fold);
    if (rc != NDB_OK || s->fold.n >= sizeof s->prev_form) {
        s->prev_pos = UINT32_MAX;
        return rc == NDB_OK || rc == NDB_EPARSE ? NDB_OK : rc;
    }
    analytics_join(stem, s->prev_stem, t->term, t->len);
    analytics_join(form, s->prev_form, (const char *)s->fold.p, s->fold.n);
    memcpy(s->prev_stem, t->term, t->len);
    s->prev_stem[t->len] = 0;
    memcpy(s->prev_form, s->fold.p, s->fold.n);
    s->prev_form[s->fold.n] = 0;
    s->prev_pos = t->pos;
    if (!adjacent)
        return NDB_OK;
    key.stem = stem;
    f = bsearch(&key, s->f, s->n, sizeof *s->f, analytics_forms_cmp);
    return f ? analytics_forms_add(f, form, strlen(form)) : NDB_OK;
}

static ndb_rc analytics_surface_tok(void *ctx, const ndb_token *t)
{
    analytics_surface *s = ctx;
    if (s->bigrams)
        return analytics_surface_pair(s, t);
    analytics_forms key, *f;
    char stem[NDB_TEXT_MAX_TERM * 4 + 1];
    ndb_rc rc;
    if (t->len >= sizeof stem)
        return NDB_OK;
    memcpy(stem, t->term, t->len);
    stem[t->len] = 0;
    key.stem = stem;
    f = bsearch(&key, s->f, s->n, sizeof *s->f, analytics_forms_cmp);
    if (!f)
        return NDB_OK;
    /* the folded surface (lower case, NFKC), not the stem */
    rc = ndb_text_fold(s->an, (const char *)s->text + t->start, t->end - t->start, &s->fold);
    if (rc != NDB_OK)
        return rc == NDB_EPARSE ? NDB_OK : rc;
    return analytics_forms_add(f, (const char *)s->fold.p, s->fold.n);
}

typedef struct analytics_ids {
    uint32_t ids[NDB_TERMS_SURFACE_SAMPLE];
    size_t n;
} analytics_ids;

static int analytics_ids_cb(void *ctx, uint32_t id)
{
    analytics_ids *a = ctx;
    a->ids[a->n++] = id;
    return a->n == NDB_TERMS_SURFACE_SAMPLE;
}

/* Analyze up to NDB_TERMS_SURFACE_SAMPLE matching docs; count surface forms of the rows. */
static ndb_rc analytics_surface_scan(ndb_snapshot *s, const ndb_query *q, analytics_surface *sf,
                                     ndb_err *err)
{
    analytics_ids *ids = ndb_calloc(1, sizeof *ids);
    ndb_rc rc = ids ? NDB_OK : NDB_ENOMEM;
    if (rc == NDB_OK)
        rc = ndb_query_each(q, &s->view, analytics_ids_cb, ids, err);
    for (size_t i = 0; rc == NDB_OK && i < ids->n; i++) {
        ndb_doc *d = NULL;
        uint32_t pos = 0;
        rc = ndb_get(s, ids->ids[i], &d, err);
        if (rc == NDB_OK)
            rc = api_lang_stemmer(sf->an, s->db->langstem, d->lang);
        for (uint32_t p = 0; rc == NDB_OK && p < d->n_paras; p++) {
            sf->text = d->paras[p].p;
            sf->prev_pos = UINT32_MAX;
            rc = ndb_text_analyze(sf->an, d->paras[p].p, d->paras[p].n, &pos, analytics_surface_tok,
                                  sf);
        }
        ndb_doc_free(d);
    }
    if (rc == NDB_OK)
        rc = ndb_text_analyzer_set_stem(sf->an, 0);
    ndb_free(ids);
    return rc;
}

/* Set each row's term to its most common surface form (ties: bytewise smallest). */
static ndb_rc analytics_surface_forms(ndb_snapshot *s, const ndb_query *q, ndb_analyzer *an,
                                      bool bigrams, ndb_term_list *l, ndb_err *err)
{
    analytics_surface sf;
    ndb_rc rc = NDB_OK;
    memset(&sf, 0, sizeof sf);
    sf.an = an;
    sf.bigrams = bigrams;
    ndb_buf_init(&sf.fold, 1u << 16);
    sf.f = ndb_calloc(l->n ? l->n : 1, sizeof *sf.f);
    if (!sf.f)
        rc = NDB_ENOMEM;
    for (size_t i = 0; rc == NDB_OK && i < l->n; i++) {
        sf.f[i].stem = l->rows[i].stem;
        sf.f[i].idx = i;
    }
    sf.n = rc == NDB_OK ? l->n : 0;
    if (sf.n > 1)
        qsort(sf.f, sf.n, sizeof *sf.f, analytics_forms_cmp);
    if (rc == NDB_OK && sf.n > 0)
        rc = analytics_surface_scan(s, q, &sf, err);
    for (size_t i = 0; i < sf.n; i++) {
        analytics_forms *f = &sf.f[i];
        size_t best = SIZE_MAX;
        for (size_t j = 0; j < f->n; j++) {
            if (best == SIZE_MAX || f->count[j] > f->count[best] ||
                (f->count[j] == f->count[best] && strcmp(f->form[j], f->form[best]) < 0))
                best = j;
        }
        if (rc == NDB_OK && best != SIZE_MAX) {
            char *t = ndb_strdup(f->form[best]);
            if (!t) {
                rc = NDB_ENOMEM;
            } else {
                ndb_free((char *)l->rows[f->idx].term);
                l->rows[f->idx].term = t;
            }
        }
        for (size_t j = 0; j < f->n; j++)
            ndb_free(f->form[j]);
        ndb_free(f->form);
        ndb_free(f->count);
    }
    ndb_free(sf.f);
    ndb_buf_fini(&sf.fold);
    if (rc != NDB_OK && (!err || err->rc == NDB_OK))
        rc = ndb_err_set(err, rc, "surface forms: %s", ndb_strerror(rc));
    return rc;
}

static ndb_rc analytics_terms_rows(const ndb_analytics_terms_result *r, ndb_term_list *l)
{
    l->matched = r->fg_docs;
    l->bg_docs = r->bg_docs;
    l->tokens = r->fg_tokens;
    l->bg_tokens = r->bg_tokens;
    l->postings = r->postings;
    l->rows = ndb_calloc(r->n ? r->n : 1, sizeof *l->rows);
    if (!l->rows)
        return NDB_ENOMEM;
    for (size_t i = 0; i < r->n; i++) {
        ndb_term_row *row = &l->rows[l->n++];
        row->stem = ndb_strdup(r->terms[i].term);
        row->term = ndb_strdup(r->terms[i].term);
        row->count = r->terms[i].count;
        row->docs = r->terms[i].docs;
        row->bg_count = r->terms[i].bg_count;
        row->delta = r->terms[i].delta;
        row->z = r->terms[i].z;
        if (!row->stem || !row->term)
            return NDB_ENOMEM;
    }
    return NDB_OK;
}

NDB_API ndb_rc ndb_top_terms(ndb_snapshot *s, const char *query, const ndb_terms_opts *opt,
                             ndb_term_list **out, ndb_err *err)
{
    static const ndb_terms_opts defaults;
    ndb_analyzer *an = NULL;
    ndb_query *q = NULL, *bq = NULL;
    ndb_analytics_terms_result *r = NULL;
    ndb_term_list *l = NULL;
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if (!query) {
        rc = ndb_err_set(err, NDB_EINVAL, "no query given");
        goto out;
    }
    if (ndb_text_analyzer_new(s->db->stemmer, &an) != NDB_OK) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    rc = ndb_query_parse_langs(query, strlen(query), an, api_langs(s), &q, err);
    if (rc == NDB_OK && opt->significant && opt->background) {
        rc = ndb_query_parse_langs(opt->background, strlen(opt->background), an, api_langs(s),
                                   &bq, err);
        if (rc != NDB_OK)
            ndb_err_prefix(err, "background: ");
    }
    if (rc == NDB_OK && opt->bigrams)
        rc = ndb_analytics_bigrams(q, bq, &s->view, an, opt->top ? opt->top : ANALYTICS_TERMS_TOP,
                                   opt->significant != 0,
                                   opt->max_postings ? opt->max_postings : ANALYTICS_MAX_POSTINGS,
                                   &r, err);
    else if (rc == NDB_OK)
        rc = ndb_analytics_terms(
            q, bq, &s->view, an, opt->top ? opt->top : ANALYTICS_TERMS_TOP, opt->significant != 0,
            opt->max_postings ? opt->max_postings : ANALYTICS_MAX_POSTINGS, &r, err);
    if (rc == NDB_OK && opt->significant && r->fg_docs > 0 && r->bg_docs == 0)
        rc = ndb_err_set(err, NDB_ENOTFOUND,
                         "the background%s%s has no article besides the matching ones: "
                         "nothing to compare against",
                         opt->background ? " " : "", opt->background ? opt->background : "");
    if (rc != NDB_OK)
        goto out;
    l = ndb_calloc(1, sizeof *l);
    if (!l || analytics_terms_rows(r, l) != NDB_OK) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    rc = analytics_surface_forms(s, q, an, opt->bigrams != 0, l, err);
out:
    ndb_analytics_terms_free(r);
    ndb_query_free(q);
    ndb_query_free(bq);
    ndb_text_analyzer_free(an);
    if (rc != NDB_OK) {
        ndb_term_list_free(l);
        return rc;
    }
    *out = l;
    return NDB_OK;
}
