/*
** memview.c — in-memory ndb_view for tests (see memview.h).
**
** Docs keep their token lists (term pointers into an interned term table). The view is
** built lazily: terms sorted bytewise, then one posting list per term (docs, freqs, doc
** lengths, positions) from which every view->term call makes a fresh ndb_cursor_mem_new.
** Linear structures only; sizes are test-sized (thousands of docs).
*/
#include "common/memview.h"

#include "index/olists.h"

#include <stdlib.h>
#include <string.h>

typedef struct mv_term {
    char *s;
    uint32_t len;
    /* postings, filled at build */
    uint32_t *docs, *freqs, *dls, *pos, *pos_off;
    size_t n, npos;
} mv_term;

typedef struct mv_doc {
    ndb_memview_tok *toks;
    uint32_t *tidx; /* term table index per token */
    uint32_t ntoks;
    char *url;
} mv_doc;

struct ndb_memview {
    ndb_analyzer *an;
    mv_doc *docs;
    ndb_col *cols;
    bool *live;
    uint32_t ndocs, capdocs;
    mv_term *terms; /* interned; sorted at build */
    size_t nterms, capterms;
    char **outlets;
    uint32_t noutlets;
    bool built;
    uint8_t *norms; /* ndb_view.norms, built on first call */
    ndb_olists *olists; /* ndb_view.outlet_docs, built on first call */
    ndb_view view;
};

static mv_term *mv_find(ndb_memview *mv, const char *s, size_t n)
{
    for (size_t i = 0; i < mv->nterms; i++)
        if (mv->terms[i].len == n && memcmp(mv->terms[i].s, s, n) == 0)
            return &mv->terms[i];
    return NULL;
}

/* Binary search in the sorted table (after build). */
static mv_term *mv_lookup(ndb_memview *mv, const char *s, size_t n, size_t *lb)
{
    size_t lo = 0, hi = mv->nterms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        mv_term *t = &mv->terms[mid];
        size_t m = t->len < n ? t->len : n;
        int c = memcmp(t->s, s, m);
        if (c < 0 || (c == 0 && t->len < n))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lb)
        *lb = lo;
    if (lo < mv->nterms && mv->terms[lo].len == n && memcmp(mv->terms[lo].s, s, n) == 0)
        return &mv->terms[lo];
    return NULL;
}

ndb_rc ndb_memview_new(ndb_stemmer stemmer, ndb_memview **out)
{
    ndb_memview *mv = ndb_calloc(1, sizeof *mv);
    *out = NULL;
    if (!mv)
        return NDB_ENOMEM;
    ndb_rc rc = ndb_text_analyzer_new(stemmer, &mv->an);
    if (rc != NDB_OK) {
        ndb_free(mv);
        return rc;
    }
    *out = mv;
    return NDB_OK;
}

static void mv_clear_postings(ndb_memview *mv)
{
    for (size_t i = 0; i < mv->nterms; i++) {
        mv_term *t = &mv->terms[i];
        ndb_free(t->docs);
        ndb_free(t->freqs);
        ndb_free(t->dls);
        ndb_free(t->pos);
        ndb_free(t->pos_off);
        t->docs = t->freqs = t->dls = t->pos = t->pos_off = NULL;
        t->n = t->npos = 0;
    }
    mv->built = false;
}

void ndb_memview_free(ndb_memview *mv)
{
    if (!mv)
        return;
    mv_clear_postings(mv);
    for (size_t i = 0; i < mv->nterms; i++)
        ndb_free(mv->terms[i].s);
    ndb_free(mv->terms);
    for (uint32_t i = 0; i < mv->ndocs; i++) {
        ndb_free(mv->docs[i].toks);
        ndb_free(mv->docs[i].tidx);
        ndb_free(mv->docs[i].url);
    }
    ndb_free(mv->docs);
    ndb_free(mv->cols);
    ndb_free(mv->norms);
    ndb_olists_free(mv->olists);
    ndb_free(mv->live);
    for (uint32_t i = 0; i < mv->noutlets; i++)
        ndb_free(mv->outlets[i]);
    ndb_free(mv->outlets);
    ndb_text_analyzer_free(mv->an);
    ndb_free(mv);
}

typedef struct mv_add_ctx {
    ndb_memview *mv;
    mv_doc *d;
    uint32_t cap;
} mv_add_ctx;

static ndb_rc mv_on_token(void *ctx, const ndb_token *t)
{
    mv_add_ctx *a = ctx;
    ndb_memview *mv = a->mv;
    mv_term *term = mv_find(mv, t->term, t->len);
    if (!term) {
        if (mv->nterms == mv->capterms) {
            size_t nc = mv->capterms ? mv->capterms * 2 : 64;
            mv_term *nt = ndb_realloc(mv->terms, nc * sizeof *nt);
            if (!nt)
                return NDB_ENOMEM;
            mv->terms = nt;
            mv->capterms = nc;
        }
        term = &mv->terms[mv->nterms];
        memset(term, 0, sizeof *term);
        term->s = ndb_strndup(t->term, t->len);
        if (!term->s)
            return NDB_ENOMEM;
        term->len = (uint32_t)t->len;
        mv->nterms++;
    }
    if (a->d->ntoks == a->cap) {
        uint32_t nc = a->cap ? a->cap * 2 : 16;
        ndb_memview_tok *nt = ndb_realloc(a->d->toks, nc * sizeof *nt);
        if (nt)
            a->d->toks = nt;
        uint32_t *ni = nt ? ndb_realloc(a->d->tidx, nc * sizeof *ni) : NULL;
        if (!ni)
            return NDB_ENOMEM;
        a->d->tidx = ni;
        a->cap = nc;
    }
    /* term strings never move (the table of mv_term may) */
    a->d->toks[a->d->ntoks].term = term->s;
    a->d->tidx[a->d->ntoks] = (uint32_t)(term - mv->terms);
    a->d->toks[a->d->ntoks].len = term->len;
    a->d->toks[a->d->ntoks].pos = t->pos;
    a->d->ntoks++;
    return NDB_OK;
}

static uint32_t mv_outlet_intern(ndb_memview *mv, const char *name, ndb_rc *rc)
{
    if (!name)
        return NDB_OUTLET_NONE;
    for (uint32_t i = 0; i < mv->noutlets; i++)
        if (strcmp(mv->outlets[i], name) == 0)
            return i;
    char **no = ndb_realloc(mv->outlets, (mv->noutlets + 1) * sizeof *no);
    if (!no) {
        *rc = NDB_ENOMEM;
        return NDB_OUTLET_NONE;
    }
    mv->outlets = no;
    no[mv->noutlets] = ndb_strdup(name);
    if (!no[mv->noutlets]) {
        *rc = NDB_ENOMEM;
        return NDB_OUTLET_NONE;
    }
    return mv->noutlets++;
}

ndb_rc ndb_memview_add(ndb_memview *mv, const ndb_memview_doc *d)
{
    ndb_rc rc = NDB_OK;
    if (mv->built)
        mv_clear_postings(mv);
    if (mv->ndocs == mv->capdocs) {
        uint32_t nc = mv->capdocs ? mv->capdocs * 2 : 64;
        mv_doc *nd = ndb_realloc(mv->docs, nc * sizeof *nd);
        ndb_col *ncol = nd ? ndb_realloc(mv->cols, nc * sizeof *ncol) : NULL;
        if (nd)
            mv->docs = nd;
        if (ncol)
            mv->cols = ncol;
        bool *nl = ncol ? ndb_realloc(mv->live, nc * sizeof *nl) : NULL;
        if (!nl) {
            rc = NDB_ENOMEM;
            goto out;
        }
        mv->live = nl;
        mv->capdocs = nc;
    }
    mv_doc *doc = &mv->docs[mv->ndocs];
    memset(doc, 0, sizeof *doc);
    mv_add_ctx a = {mv, doc, 0};
    uint32_t pos = 0;
    for (uint32_t i = 0; i < d->n_paras && rc == NDB_OK; i++) {
        if (i > 0)
            pos++;
        rc = ndb_text_analyze(mv->an, (const uint8_t *)d->paras[i], strlen(d->paras[i]), &pos,
                              mv_on_token, &a);
    }
    ndb_col *col = &mv->cols[mv->ndocs];
    col->date = d->date;
    col->outlet = mv_outlet_intern(mv, d->outlet, &rc);
    col->len = doc->ntoks;
    col->flags = 0;
    mv->live[mv->ndocs] = d->live;
    if (d->url) {
        doc->url = ndb_strdup(d->url);
        if (!doc->url)
            rc = NDB_ENOMEM;
    }
    mv->ndocs++; /* even on error, so free releases the doc's memory */
out:
    return rc;
}

static int mv_term_cmp(const void *a, const void *b)
{
    const mv_term *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, m);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static ndb_rc mv_build(ndb_memview *mv)
{
    /* sort terms, remapping token indices */
    size_t nt = mv->nterms;
    uint32_t *rank = ndb_calloc(nt ? nt : 1, sizeof *rank);
    mv_term *sorted = ndb_calloc(nt ? nt : 1, sizeof *sorted);
    if (!rank || !sorted) {
        ndb_free(rank);
        ndb_free(sorted);
        return NDB_ENOMEM;
    }
    memcpy(sorted, mv->terms, nt * sizeof *sorted);
    qsort(sorted, nt, sizeof *sorted, mv_term_cmp);
    for (size_t i = 0; i < nt; i++) {
        mv_term *old = mv_find(mv, sorted[i].s, sorted[i].len);
        rank[old - mv->terms] = (uint32_t)i;
    }
    /* (mv_find is linear; memview is for test-sized vocabularies) */
    memcpy(mv->terms, sorted, nt * sizeof *sorted);
    ndb_free(sorted);
    for (uint32_t i = 0; i < mv->ndocs; i++)
        for (uint32_t j = 0; j < mv->docs[i].ntoks; j++) {
            mv->docs[i].tidx[j] = rank[mv->docs[i].tidx[j]];
        }
    ndb_free(rank);
    /* count, then fill */
    size_t *ndoc = ndb_calloc(nt ? nt : 1, sizeof *ndoc);
    size_t *npos = ndb_calloc(nt ? nt : 1, sizeof *npos);
    uint32_t *last = ndb_calloc(nt ? nt : 1, sizeof *last);
    ndb_rc rc = (ndoc && npos && last) ? NDB_OK : NDB_ENOMEM;
    for (size_t i = 0; i < nt; i++)
        if (last)
            last[i] = UINT32_MAX;
    for (uint32_t d = 0; d < mv->ndocs && rc == NDB_OK; d++)
        for (uint32_t j = 0; j < mv->docs[d].ntoks; j++) {
            size_t ti = mv->docs[d].tidx[j];
            npos[ti]++;
            if (last[ti] != d) {
                last[ti] = d;
                ndoc[ti]++;
            }
        }
    for (size_t i = 0; i < nt && rc == NDB_OK; i++) {
        mv_term *t = &mv->terms[i];
        t->docs = ndb_calloc(ndoc[i] + 1, sizeof(uint32_t));
        t->freqs = ndb_calloc(ndoc[i] + 1, sizeof(uint32_t));
        t->dls = ndb_calloc(ndoc[i] + 1, sizeof(uint32_t));
        t->pos_off = ndb_calloc(ndoc[i] + 1, sizeof(uint32_t));
        t->pos = ndb_calloc(npos[i] + 1, sizeof(uint32_t));
        if (!t->docs || !t->freqs || !t->dls || !t->pos_off || !t->pos)
            rc = NDB_ENOMEM;
        last[i] = UINT32_MAX;
    }
    for (uint32_t d = 0; d < mv->ndocs && rc == NDB_OK; d++)
        for (uint32_t j = 0; j < mv->docs[d].ntoks; j++) {
            size_t ti = mv->docs[d].tidx[j];
            mv_term *t = &mv->terms[ti];
            if (last[ti] != d) {
                last[ti] = d;
                t->docs[t->n] = d;
                t->dls[t->n] = mv->cols[d].len;
                t->pos_off[t->n] = (uint32_t)t->npos;
                t->n++;
            }
            t->freqs[t->n - 1]++;
            t->pos[t->npos++] = mv->docs[d].toks[j].pos;
            t->pos_off[t->n] = (uint32_t)t->npos;
        }
    ndb_free(ndoc);
    ndb_free(npos);
    ndb_free(last);
    if (rc == NDB_OK)
        mv->built = true;
    return rc;
}

static bool mv_live(void *ctx, uint32_t id)
{
    ndb_memview *mv = ctx;
    return id < mv->ndocs && mv->live[id];
}

static ndb_rc mv_term_cursor(void *ctx, const char *term, size_t n, bool positions,
                             ndb_cursor **out)
{
    ndb_memview *mv = ctx;
    mv_term *t = mv_lookup(mv, term, n, NULL);
    *out = NULL;
    if (!t || t->n == 0)
        return NDB_OK;
    return ndb_cursor_mem_new(t->docs, t->freqs, t->dls, positions ? t->pos : NULL,
                              positions ? t->pos_off : NULL, t->n, out);
}

static ndb_rc mv_prefix(void *ctx, const char *prefix, size_t n, ndb_term_fn fn, void *fctx)
{
    ndb_memview *mv = ctx;
    size_t i;
    mv_lookup(mv, prefix, n, &i);
    for (; i < mv->nterms; i++) {
        mv_term *t = &mv->terms[i];
        if (t->len < n || memcmp(t->s, prefix, n) != 0)
            break;
        ndb_rc rc = fn(fctx, t->s, t->len);
        if (rc != NDB_OK)
            return rc;
    }
    return NDB_OK;
}

static bool mv_outlet_id(void *ctx, const char *name, size_t n, uint32_t *id)
{
    ndb_memview *mv = ctx;
    for (uint32_t i = 0; i < mv->noutlets; i++)
        if (strlen(mv->outlets[i]) == n && memcmp(mv->outlets[i], name, n) == 0) {
            *id = i;
            return true;
        }
    return false;
}

static bool mv_url_id(void *ctx, const char *url, size_t n, uint32_t *id)
{
    ndb_memview *mv = ctx;
    for (uint32_t i = mv->ndocs; i-- > 0;)
        if (mv->docs[i].url && strlen(mv->docs[i].url) == n &&
            memcmp(mv->docs[i].url, url, n) == 0) {
            *id = i;
            return true;
        }
    return false;
}

static bool mv_outlet_docs(void *ctx, uint32_t outlet, const uint32_t **ids, uint32_t *n)
{
    ndb_memview *mv = ctx;
    if (!mv->olists && ndb_olists_build(mv->cols, mv->ndocs, &mv->olists) != NDB_OK)
        return false;
    ndb_olists_get(mv->olists, outlet, mv->ndocs, ids, n);
    return true;
}

static const uint8_t *mv_norms(void *ctx)
{
    ndb_memview *mv = ctx;
    if (!mv->norms && (mv->norms = ndb_malloc(mv->ndocs ? mv->ndocs : 1)) != NULL)
        for (uint32_t i = 0; i < mv->ndocs; i++)
            mv->norms[i] = ndb_norm_encode(mv->cols[i].len);
    return mv->norms;
}

const ndb_view *ndb_memview_view(ndb_memview *mv)
{
    if (!mv->built && mv_build(mv) != NDB_OK)
        return NULL;
    ndb_view *v = &mv->view;
    v->ctx = mv;
    v->ndocs = mv->ndocs;
    v->total_len = 0;
    for (uint32_t i = 0; i < mv->ndocs; i++)
        v->total_len += mv->cols[i].len;
    v->cols = mv->cols;
    v->live = mv_live;
    v->term = mv_term_cursor;
    v->prefix = mv_prefix;
    v->outlet_id = mv_outlet_id;
    v->url_id = mv_url_id;
    ndb_free(mv->norms); /* docs may have been added since */
    mv->norms = NULL;
    v->norms = mv_norms;
    ndb_olists_free(mv->olists);
    mv->olists = NULL;
    v->outlet_docs = getenv("NEWSDB_TEST_NO_OLISTS") ? NULL : mv_outlet_docs;
    return v;
}

ndb_analyzer *ndb_memview_analyzer(ndb_memview *mv)
{
    return mv->an;
}

const ndb_memview_tok *ndb_memview_tokens(const ndb_memview *mv, uint32_t id, uint32_t *n)
{
    *n = id < mv->ndocs ? mv->docs[id].ntoks : 0;
    return id < mv->ndocs ? mv->docs[id].toks : NULL;
}

uint32_t ndb_memview_outlet_of(const ndb_memview *mv, const char *name)
{
    for (uint32_t i = 0; i < mv->noutlets; i++)
        if (strcmp(mv->outlets[i], name) == 0)
            return i;
    return NDB_OUTLET_NONE;
}
