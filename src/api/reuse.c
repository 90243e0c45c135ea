/*
** reuse.c — paragraph reuse: ndb_reuse (where each paragraph of one article appears
** elsewhere) and ndb_reuse_outlets (who republishes whom), from the paragraph
** fingerprints the writer stores with every commit (dedup.c; docs/dedup.md).
**
** The fingerprint index is every (fingerprint, article, paragraph) of the loaded state
** sorted by fingerprint then article; it is built once per loaded state under the state's
** mutex. Only live articles of the snapshot count. "Earliest" is by date (undated last),
** then id, as for near-duplicate clusters.
**
** ndb_reuse_outlets: for each fingerprint held by two or more distinct matching articles,
** the earliest is the source; each other holder whose outlet differs from the source's adds
** one paragraph to the (source outlet -> holder outlet) cell, and the holder to that cell's
** set of articles. Cells are sorted most paragraphs first, then by outlet names.
*/
#include "api/dedup.h"

#include "analytics/dedup.h"
#include "index/view.h"

#include <stdlib.h>

static int reuse_fp_cmp(const void *a, const void *b)
{
    const api_dedup_fp *x = a, *y = b;
    if (x->fp != y->fp)
        return x->fp < y->fp ? -1 : 1;
    if (x->doc != y->doc)
        return x->doc < y->doc ? -1 : 1;
    return (x->para > y->para) - (x->para < y->para);
}

static ndb_rc reuse_index(api_dedup_state *st)
{
    ndb_rc rc = NDB_OK;
    pthread_mutex_lock(&st->mu);
    if (!st->byfp) {
        api_dedup_fp *v = ndb_malloc((st->nf + 1) * sizeof *v);
        if (v) {
            memcpy(v, st->f, st->nf * sizeof *v);
            qsort(v, st->nf, sizeof *v, reuse_fp_cmp);
            st->byfp = v;
        } else {
            rc = NDB_ENOMEM;
        }
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* [lo, hi) of fingerprint fp in byfp. */
static void reuse_range(const api_dedup_state *st, uint64_t fp, size_t *lo, size_t *hi)
{
    size_t a = 0, b = st->nf;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (st->byfp[mid].fp < fp)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    b = st->nf;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (st->byfp[mid].fp <= fp)
            a = mid + 1;
        else
            b = mid;
    }
    *hi = a;
}

static uint64_t reuse_key(const ndb_snapshot *s, uint32_t id)
{
    return api_dedup_order_key(s->view.cols[id].date, id);
}

static bool reuse_usable(ndb_snapshot *s, uint32_t id)
{
    return id < s->st.ndocs && s->view.live(s, id);
}

/* ---------------------------------------------------------------- ndb_reuse_report */

typedef struct reuse_impl {
    ndb_reuse_report pub;
    ndb_dup_member *members;
    char *pool;
} reuse_impl;

typedef struct reuse_tmp {
    const ndb_snapshot *s;
} reuse_tmp;

static const ndb_snapshot *reuse_sort_snap; /* qsort context: set and used under reuse_mu */
static pthread_mutex_t reuse_mu = PTHREAD_MUTEX_INITIALIZER;

static int reuse_member_cmp(const void *a, const void *b)
{
    const ndb_dup_member *x = a, *y = b;
    uint64_t kx = reuse_key(reuse_sort_snap, x->id), ky = reuse_key(reuse_sort_snap, y->id);
    return (kx > ky) - (kx < ky);
}

static void reuse_sort_members(const ndb_snapshot *s, ndb_dup_member *m, size_t n)
{
    pthread_mutex_lock(&reuse_mu);
    reuse_sort_snap = s;
    qsort(m, n, sizeof *m, reuse_member_cmp);
    pthread_mutex_unlock(&reuse_mu);
}

/* Outlet name pool shared by a result: offsets, fixed up into pointers at the end. */
static ndb_rc reuse_name(ndb_snapshot *s, ndb_buf *pool, uint32_t outlet, size_t *off)
{
    const char *name = NULL;
    *off = 0;
    if (outlet != NDB_OUTLET_NONE && outlet < s->st.noutlets)
        name = ndb_store_outlet_name(s->db->rstore, outlet);
    if (!name || !*name)
        return NDB_OK;
    *off = pool->n;
    return ndb_buf_append(pool, name, strlen(name) + 1);
}

static ndb_rc reuse_fill(ndb_snapshot *s, api_dedup_state *st, uint32_t id, reuse_impl *r,
                         ndb_err *err)
{
    uint32_t np = st->npara[id];
    size_t nm = 0, cap = 0, *noff = NULL;
    ndb_buf pool;
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&pool, NDB_BUF_NOMAX);
    r->pub.paras = ndb_calloc((size_t)np + 1, sizeof *r->pub.paras);
    if (!r->pub.paras || ndb_buf_append_u8(&pool, 0) != NDB_OK)
        rc = NDB_ENOMEM;
    r->pub.n = np;
    for (uint32_t p = 0; p < np; p++) {
        r->pub.paras[p].para = p;
        r->pub.paras[p].earliest = id;
    }
    /* pass 1: count members; pass 2: fill */
    for (int pass = 0; pass < 2 && rc == NDB_OK; pass++) {
        nm = 0;
        for (uint32_t k = st->foff[id]; k < st->foff[id + 1] && rc == NDB_OK; k++) {
            const api_dedup_fp *f = &st->f[k];
            ndb_reuse_para *rp = &r->pub.paras[f->para];
            size_t lo, hi, first = nm;
            rp->fingerprinted = 1;
            reuse_range(st, f->fp, &lo, &hi);
            for (size_t j = lo; j < hi; j++) {
                uint32_t o = st->byfp[j].doc;
                if (o == id || !reuse_usable(s, o) || (j > lo && st->byfp[j - 1].doc == o))
                    continue;
                if (pass == 1) {
                    const ndb_col *c = &s->view.cols[o];
                    r->members[nm].id = o;
                    r->members[nm].date = c->date;
                    rc = reuse_name(s, &pool, c->outlet, &noff[nm]);
                }
                nm++;
            }
            if (pass == 1) {
                rp->n = nm - first;
                rp->others = r->members + first;
                reuse_sort_members(s, r->members + first, rp->n);
                if (rp->n && reuse_key(s, rp->others[0].id) < reuse_key(s, id))
                    rp->earliest = rp->others[0].id;
            }
        }
        if (pass == 0) {
            cap = nm;
            r->members = ndb_calloc(cap + 1, sizeof *r->members);
            noff = ndb_calloc(cap + 1, sizeof *noff);
            if (!r->members || !noff)
                rc = NDB_ENOMEM;
        }
    }
    if (rc == NDB_OK) {
        /* sorting moved members: names were recorded per slot before the sort, so redo
        ** the names from the ids (cheap) */
        ndb_buf_reset(&pool);
        rc = ndb_buf_append_u8(&pool, 0);
        for (size_t i = 0; i < nm && rc == NDB_OK; i++)
            rc = reuse_name(s, &pool, s->view.cols[r->members[i].id].outlet, &noff[i]);
    }
    if (rc == NDB_OK) {
        r->pool = (char *)ndb_buf_detach(&pool, NULL);
        for (size_t i = 0; i < nm; i++)
            r->members[i].outlet = r->pool + noff[i];
        for (uint32_t p = 0; p < np; p++) {
            r->pub.reused += r->pub.paras[p].n > 0;
            r->pub.copied += r->pub.paras[p].earliest != id;
        }
    }
    ndb_free(noff);
    ndb_buf_fini(&pool);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "out of memory");
    return NDB_OK;
}

NDB_API ndb_rc ndb_reuse(ndb_snapshot *s, uint32_t id, ndb_reuse_report **out, ndb_err *err)
{
    api_dedup_state *st = NULL;
    reuse_impl *r = NULL;
    uint32_t cluster = id;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    if (!reuse_usable(s, id))
        return ndb_err_set(err, NDB_ENOTFOUND,
                           "article %u: no such article, or a superseded version", id);
    rc = ndb_dup_cluster_of(s, id, &cluster, err);
    if (rc == NDB_OK)
        rc = api_dedup_state_get(s, &st, err);
    if (rc == NDB_OK && id >= st->n)
        rc = ndb_err_set(err, NDB_ENOTFOUND,
                         "article %u has no reuse data yet (added with detection off; the "
                         "next commit of a writer fills it in)",
                         id);
    if (rc == NDB_OK && reuse_index(st) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && !(r = ndb_calloc(1, sizeof *r)))
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK) {
        r->pub.id = id;
        r->pub.cluster = cluster;
        rc = reuse_fill(s, st, id, r, err);
    }
    api_dedup_state_unref(st);
    if (rc != NDB_OK) {
        ndb_reuse_report_free(r ? &r->pub : NULL);
        return rc;
    }
    *out = &r->pub;
    return NDB_OK;
}

NDB_API void ndb_reuse_report_free(ndb_reuse_report *x)
{
    reuse_impl *r = (reuse_impl *)x;
    if (!r)
        return;
    ndb_free(r->pub.paras);
    ndb_free(r->members);
    ndb_free(r->pool);
    ndb_free(r);
}

/* ---------------------------------------------------------------- ndb_reuse_outlets */

typedef struct reuse_cell {
    uint32_t from, to; /* outlet ids (NDB_OUTLET_NONE = none) */
    uint32_t doc;      /* the later article */
} reuse_cell;

static int reuse_cell_cmp(const void *a, const void *b)
{
    const reuse_cell *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

typedef struct reuse_matrix_impl {
    ndb_reuse_matrix pub;
    char *pool;
} reuse_matrix_impl;

static int reuse_flow_cmp(const void *a, const void *b)
{
    const ndb_reuse_flow *x = a, *y = b;
    int c;
    if (x->paras != y->paras)
        return x->paras > y->paras ? -1 : 1;
    c = strcmp(x->from, y->from);
    return c ? c : strcmp(x->to, y->to);
}

typedef struct reuse_match {
    ndb_snapshot *s;
    uint8_t *in;
    uint64_t n;
} reuse_match;

static int reuse_match_fn(void *ctx, uint32_t id)
{
    reuse_match *m = ctx;
    if (id < m->s->st.ndocs && !m->in[id]) {
        m->in[id] = 1;
        m->n++;
    }
    return 0;
}

/* Cells of every shared fingerprint among the matching articles. */
static ndb_rc reuse_cells(ndb_snapshot *s, const api_dedup_state *st, const uint8_t *in,
                          reuse_cell **out, size_t *nout)
{
    reuse_cell *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t lo = 0, hi; lo < st->nf; lo = hi) {
        uint32_t src = UINT32_MAX;
        size_t holders = 0;
        hi = lo;
        while (hi < st->nf && st->byfp[hi].fp == st->byfp[lo].fp)
            hi++;
        for (size_t j = lo; j < hi; j++) {
            uint32_t d = st->byfp[j].doc;
            if (d >= s->st.ndocs || !in[d] || (j > lo && st->byfp[j - 1].doc == d))
                continue;
            holders++;
            if (src == UINT32_MAX || reuse_key(s, d) < reuse_key(s, src))
                src = d;
        }
        if (holders < 2)
            continue;
        for (size_t j = lo; j < hi; j++) {
            uint32_t d = st->byfp[j].doc;
            uint32_t fo = s->view.cols[src].outlet, to = s->view.cols[d].outlet;
            if (d == src || d >= s->st.ndocs || !in[d] || (j > lo && st->byfp[j - 1].doc == d) ||
                fo == to)
                continue;
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 1024;
                reuse_cell *nv = ndb_realloc(v, ncap * sizeof *nv);
                if (!nv) {
                    ndb_free(v);
                    return NDB_ENOMEM;
                }
                v = nv;
                cap = ncap;
            }
            v[n++] = (reuse_cell){fo, to, d};
        }
    }
    *out = v;
    *nout = n;
    return NDB_OK;
}

static ndb_rc reuse_matrix_build(ndb_snapshot *s, reuse_cell *v, size_t n,
                                 reuse_matrix_impl *r)
{
    size_t nrows = 0, k = 0, *from_off = NULL, *to_off = NULL;
    ndb_buf pool;
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&pool, NDB_BUF_NOMAX);
    if (n > 1)
        qsort(v, n, sizeof *v, reuse_cell_cmp);
    for (size_t i = 0; i < n; i++)
        nrows += i == 0 || v[i].from != v[i - 1].from || v[i].to != v[i - 1].to;
    r->pub.rows = ndb_calloc(nrows + 1, sizeof *r->pub.rows);
    from_off = ndb_calloc(nrows + 1, sizeof *from_off);
    to_off = ndb_calloc(nrows + 1, sizeof *to_off);
    if (!r->pub.rows || !from_off || !to_off || ndb_buf_append_u8(&pool, 0) != NDB_OK)
        rc = NDB_ENOMEM;
    for (size_t i = 0; i < n && rc == NDB_OK; i++) {
        bool row = i == 0 || v[i].from != v[i - 1].from || v[i].to != v[i - 1].to;
        if (row) {
            k = i == 0 ? 0 : k + 1;
            rc = reuse_name(s, &pool, v[i].from, &from_off[k]);
            if (rc == NDB_OK)
                rc = reuse_name(s, &pool, v[i].to, &to_off[k]);
        }
        r->pub.rows[k].paras++;
        r->pub.rows[k].articles += row || v[i].doc != v[i - 1].doc;
    }
    if (rc == NDB_OK) {
        r->pool = (char *)ndb_buf_detach(&pool, NULL);
        for (size_t i = 0; i < nrows; i++) {
            r->pub.rows[i].from = r->pool + from_off[i];
            r->pub.rows[i].to = r->pool + to_off[i];
        }
        r->pub.n = nrows;
        r->pub.paras = n;
        qsort(r->pub.rows, nrows, sizeof *r->pub.rows, reuse_flow_cmp);
    }
    ndb_free(from_off);
    ndb_free(to_off);
    ndb_buf_fini(&pool);
    return rc;
}

NDB_API ndb_rc ndb_reuse_outlets(ndb_snapshot *s, const char *query, ndb_reuse_matrix **out,
                                 ndb_err *err)
{
    api_dedup_state *st = NULL;
    reuse_match m = {s, NULL, 0};
    reuse_cell *v = NULL;
    size_t n = 0;
    reuse_matrix_impl *r = NULL;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    m.in = ndb_calloc((size_t)s->st.ndocs + 1, 1);
    rc = m.in ? NDB_OK : ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && query && *query)
        rc = ndb_match_each(s, query, reuse_match_fn, &m, err);
    for (uint32_t i = 0; rc == NDB_OK && !(query && *query) && i < s->st.ndocs; i++)
        if (s->view.live(s, i))
            reuse_match_fn(&m, i);
    if (rc == NDB_OK)
        rc = api_dedup_state_get(s, &st, err);
    if (rc == NDB_OK && reuse_index(st) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && reuse_cells(s, st, m.in, &v, &n) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && !(r = ndb_calloc(1, sizeof *r)))
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && reuse_matrix_build(s, v, n, r) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK)
        r->pub.matched = m.n;
    ndb_free(v);
    ndb_free(m.in);
    api_dedup_state_unref(st);
    if (rc != NDB_OK) {
        ndb_reuse_matrix_free(r ? &r->pub : NULL);
        return rc;
    }
    *out = &r->pub;
    return NDB_OK;
}

NDB_API void ndb_reuse_matrix_free(ndb_reuse_matrix *x)
{
    reuse_matrix_impl *r = (reuse_matrix_impl *)x;
    if (!r)
        return;
    ndb_free(r->pub.rows);
    ndb_free(r->pool);
    ndb_free(r);
}
