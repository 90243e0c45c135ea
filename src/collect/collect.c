/*
** collect.c — count and top-k collectors, and the merge of finished top-k lists.
**
** Top-k keeps a binary heap of at most k hits ordered by ndb_collect_cmp with the WORST hit
** at the root, so "does a newcomer enter?" is one comparison against the root. finish
** sorts the heap best-first in place (heap sort) — the order is total (ids break every
** tie), so the output never depends on arrival order or on how partial collectors merged.
**
** Invariants:
**   1. n <= k; heap property: cmp(h[parent], h[child]) >= 0 (parent is worse or equal).
**   2. After finish, h[0..n) is sorted best-first and `finished` is set; collect after
**      finish is NDB_EINVAL.
**   3. total counts every collect() call (matches), independent of k.
**
** Threading: a collector belongs to one thread.
*/
#include "collect/collect.h"


typedef struct collect_topk {
    ndb_collector base;
    size_t k, n;
    ndb_sort sort;
    const ndb_col *cols;
    uint32_t ndocs;
    bool finished;
    ndb_collect_hit *h; /* [k] */
} collect_topk;

int ndb_collect_cmp(ndb_sort sort, const ndb_collect_hit *a, const ndb_collect_hit *b)
{
    if (sort == NDB_SORT_SCORE) {
        if (a->score > b->score)
            return -1;
        if (a->score < b->score)
            return 1;
    } else {
        bool an = a->date == NDB_DATE_NONE, bn = b->date == NDB_DATE_NONE;
        if (an != bn)
            return an ? 1 : -1;
        if (a->date != b->date) {
            bool a_first = sort == NDB_SORT_DATE_DESC ? a->date > b->date : a->date < b->date;
            return a_first ? -1 : 1;
        }
    }
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return 0;
}

ndb_rc ndb_collector_merge(ndb_collector *into, const ndb_collector *from, ndb_err *err)
{
    ndb_err_clear(err);
    if (!into || !from || into->ops != from->ops || strcmp(into->kind, from->kind) != 0)
        return ndb_err_set(err, NDB_EINVAL, "collect: merge of different collector kinds");
    ndb_rc rc = into->ops->merge(into, from);
    if (rc != NDB_OK)
        ndb_err_set(err, rc, "collect: merge of %s collectors failed", into->kind);
    return rc;
}

ndb_rc ndb_collector_finish(ndb_collector *c, ndb_err *err)
{
    ndb_err_clear(err);
    ndb_rc rc = c->ops->finish(c);
    if (rc != NDB_OK)
        ndb_err_set(err, rc, "collect: finish of %s collector failed", c->kind);
    return rc;
}

/* ---------------------------------------------------------------- count */

static ndb_rc collect_count_collect(ndb_collector *c, uint32_t doc, double score)
{
    NDB_UNUSED(doc);
    NDB_UNUSED(score);
    c->total++;
    return NDB_OK;
}

static ndb_rc collect_count_merge(ndb_collector *into, const ndb_collector *from)
{
    into->total += from->total;
    return NDB_OK;
}

static ndb_rc collect_count_finish(ndb_collector *c)
{
    NDB_UNUSED(c);
    return NDB_OK;
}

static void collect_count_free(ndb_collector *c)
{
    ndb_free(c);
}

static const ndb_collector_ops collect_count_ops = {
    collect_count_collect, collect_count_merge, collect_count_finish, collect_count_free,
};

ndb_rc ndb_collect_count_new(ndb_collector **out)
{
    ndb_collector *c = ndb_calloc(1, sizeof *c);
    *out = c;
    if (!c)
        return NDB_ENOMEM;
    c->ops = &collect_count_ops;
    c->kind = "count";
    return NDB_OK;
}

/* ---------------------------------------------------------------- top-k */

static void collect_sift_down(collect_topk *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < t->n && ndb_collect_cmp(t->sort, &t->h[l], &t->h[w]) > 0)
            w = l;
        if (r < t->n && ndb_collect_cmp(t->sort, &t->h[r], &t->h[w]) > 0)
            w = r;
        if (w == i)
            return;
        ndb_collect_hit tmp = t->h[i];
        t->h[i] = t->h[w];
        t->h[w] = tmp;
        i = w;
    }
}

static void collect_sift_up(collect_topk *t, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (ndb_collect_cmp(t->sort, &t->h[i], &t->h[p]) <= 0)
            return;
        ndb_collect_hit tmp = t->h[i];
        t->h[i] = t->h[p];
        t->h[p] = tmp;
        i = p;
    }
}

ndb_rc ndb_collect_topk_offer(ndb_collector *c, const ndb_collect_hit *h)
{
    collect_topk *t = (collect_topk *)c;
    if (t->finished)
        return NDB_EINVAL;
    if (t->k == 0)
        return NDB_OK;
    if (t->n < t->k) {
        t->h[t->n++] = *h;
        collect_sift_up(t, t->n - 1);
    } else if (ndb_collect_cmp(t->sort, h, &t->h[0]) < 0) {
        t->h[0] = *h;
        collect_sift_down(t, 0);
    }
    return NDB_OK;
}

bool ndb_collect_topk_admits(const ndb_collector *c, uint32_t id, int32_t date, double score)
{
    const collect_topk *t = (const collect_topk *)c;
    if (t->k == 0)
        return false;
    if (t->n < t->k)
        return true;
    ndb_collect_hit h = {id, date, score};
    return ndb_collect_cmp(t->sort, &h, &t->h[0]) < 0;
}

bool ndb_collect_topk_worst(const ndb_collector *c, ndb_collect_hit *worst)
{
    const collect_topk *t = (const collect_topk *)c;
    if (t->k == 0 || t->n < t->k)
        return false;
    *worst = t->h[0];
    return true;
}

static ndb_rc collect_topk_collect(ndb_collector *c, uint32_t doc, double score)
{
    collect_topk *t = (collect_topk *)c;
    c->total++;
    ndb_collect_hit h = {doc, NDB_DATE_NONE, score};
    if (t->cols && doc < t->ndocs)
        h.date = t->cols[doc].date;
    return ndb_collect_topk_offer(c, &h);
}

static ndb_rc collect_topk_merge(ndb_collector *into, const ndb_collector *from)
{
    collect_topk *a = (collect_topk *)into;
    const collect_topk *b = (const collect_topk *)from;
    if (a->sort != b->sort || a->k != b->k)
        return NDB_EINVAL;
    for (size_t i = 0; i < b->n; i++) {
        ndb_rc rc = ndb_collect_topk_offer(into, &b->h[i]);
        if (rc != NDB_OK)
            return rc;
    }
    into->total += from->total;
    return NDB_OK;
}

static ndb_rc collect_topk_finish(ndb_collector *c)
{
    collect_topk *t = (collect_topk *)c;
    if (t->finished)
        return NDB_OK;
    /* Heap sort: repeatedly move the worst to the end of the shrinking heap. */
    size_t n = t->n;
    while (t->n > 1) {
        ndb_collect_hit tmp = t->h[0];
        t->h[0] = t->h[t->n - 1];
        t->h[t->n - 1] = tmp;
        t->n--;
        collect_sift_down(t, 0);
    }
    t->n = n;
    t->finished = true;
    return NDB_OK;
}

static void collect_topk_free(ndb_collector *c)
{
    collect_topk *t = (collect_topk *)c;
    ndb_free(t->h);
    ndb_free(t);
}

static const ndb_collector_ops collect_topk_ops = {
    collect_topk_collect, collect_topk_merge, collect_topk_finish, collect_topk_free,
};

ndb_rc ndb_collect_topk_new(size_t k, ndb_sort sort, const ndb_col *cols, uint32_t ndocs,
                            ndb_collector **out)
{
    ndb_rc rc = NDB_OK;
    collect_topk *t = NULL;
    *out = NULL;
    if (sort != NDB_SORT_SCORE && sort != NDB_SORT_DATE_DESC && sort != NDB_SORT_DATE_ASC) {
        rc = NDB_EINVAL;
        goto out;
    }
    t = ndb_calloc(1, sizeof *t);
    if (!t) {
        rc = NDB_ENOMEM;
        goto out;
    }
    if (k > 0) {
        t->h = ndb_calloc(k, sizeof *t->h);
        if (!t->h) {
            rc = NDB_ENOMEM;
            goto out;
        }
    }
    t->base.ops = &collect_topk_ops;
    t->base.kind = "topk";
    t->k = k;
    t->sort = sort;
    t->cols = cols;
    t->ndocs = ndocs;
    *out = &t->base;
    t = NULL;
out:
    if (t)
        collect_topk_free(&t->base);
    return rc;
}

const ndb_collect_hit *ndb_collect_topk_hits(const ndb_collector *c, size_t *n)
{
    const collect_topk *t = (const collect_topk *)c;
    *n = t->n;
    return t->h;
}

void ndb_collect_topk_merge(ndb_sort sort, const ndb_collect_hit *a, size_t na,
                            const ndb_collect_hit *b, size_t nb, size_t k,
                            ndb_collect_hit *out, size_t *nout)
{
    size_t i = 0, j = 0, o = 0;
    while (o < k && (i < na || j < nb)) {
        int c;
        if (i == na)
            c = 1;
        else if (j == nb)
            c = -1;
        else
            c = ndb_collect_cmp(sort, &a[i], &b[j]);
        if (c == 0 && a[i].score == b[j].score) {
            out[o++] = a[i++];
            j++;
        } else if (c <= 0) {
            out[o++] = a[i++];
        } else {
            out[o++] = b[j++];
        }
    }
    *nout = o;
}
