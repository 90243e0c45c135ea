/*
** group.c — the group collector and the timeline / outlet runs built on it.
**
** Group collector: counts per key (period start, outlet id) in an open-addressing hash
** table (linear probing, power-of-two capacity, grown at 1/2 load). A slot is used when its
** count is non-zero (a key enters with count 1, counts only grow), so no key value is
** reserved as "empty". Keys pack as (uint32 period << 32) | outlet.
**
** Why a hash and not a dense array: a day timeline split by outlet over an archive that
** spans a century would need days x outlets counters, almost all zero; the hash holds only
** the groups that occur (at most one per document). A one-slot memo (last key, its slot)
** skips the probe for runs of equal keys, the common case for archives ingested by date.
**
** Invariants: used slots <= cap / 2; `cells` is NULL until finish, then holds every used
** slot sorted as analytics.h states; merge is only allowed between collectors of equal
** parameters and before finish of `into`.
**
** Runs: matches come from ndb_query_each into one collector, every live doc of the view
** into a second (the denominators); the run then lays the cells out (gaps filled with
** zero counts for timelines) with the two counts side by side.
*/
#include "analytics/analytics.h"

#include <stdlib.h>

#define GROUP_MIN_CAP         64u
#define GROUP_PERIOD_NONE_KEY 0

typedef struct group_slot {
    uint64_t key;
    uint64_t count;
} group_slot;

#define GROUP_PCACHE 4096

typedef struct group {
    ndb_collector base;
    ndb_period by;
    bool by_outlet;
    bool ranged;
    int32_t from, to; /* effective range (INT32_MIN+1 .. INT32_MAX when open) */
    const ndb_col *cols;
    uint32_t ndocs;
    size_t cap, used;
    group_slot *slots;
    uint64_t memo_key;
    size_t memo_slot;               /* SIZE_MAX: none */
    int32_t memo_date, memo_period; /* last date -> period (NDB_DATE_NONE: none) */
    /* date -> period, direct-mapped by date mod GROUP_PCACHE (NDB_DATE_NONE: empty): a few
    ** years of days fit, so the calendar runs about once per distinct date, not per doc */
    int32_t pc_date[GROUP_PCACHE], pc_period[GROUP_PCACHE];
    ndb_analytics_cell *cells;
    size_t ncells;
} group;

static int32_t group_floor_mod(int32_t a, int32_t m)
{
    int32_t r = a % m;
    return r < 0 ? r + m : r;
}

int32_t ndb_analytics_period_start(ndb_period by, int32_t day)
{
    int y, m, d;
    int32_t out = day;
    switch (by) {
    case NDB_PERIOD_DAY:
        return day;
    case NDB_PERIOD_WEEK:
        return day - group_floor_mod(day + 3, 7);
    case NDB_PERIOD_MONTH:
        ndb_date_to_ymd(day, &y, &m, &d);
        (void)ndb_date_from_ymd(y, m, 1, &out);
        return out;
    case NDB_PERIOD_YEAR:
        ndb_date_to_ymd(day, &y, &m, &d);
        (void)ndb_date_from_ymd(y, 1, 1, &out);
        return out;
    case NDB_PERIOD_NONE:
    default:
        return GROUP_PERIOD_NONE_KEY;
    }
}

int32_t ndb_analytics_period_next(ndb_period by, int32_t start)
{
    int y, m, d;
    int32_t out = start;
    switch (by) {
    case NDB_PERIOD_DAY:
        return start + 1;
    case NDB_PERIOD_WEEK:
        return start + 7;
    case NDB_PERIOD_MONTH:
        ndb_date_to_ymd(start, &y, &m, &d);
        (void)ndb_date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, &out);
        return out;
    case NDB_PERIOD_YEAR:
        ndb_date_to_ymd(start, &y, &m, &d);
        (void)ndb_date_from_ymd(y + 1, 1, 1, &out);
        return out;
    case NDB_PERIOD_NONE:
    default:
        return INT32_MAX;
    }
}

static uint64_t group_key(int32_t period, uint32_t outlet)
{
    return ((uint64_t)(uint32_t)period << 32) | outlet;
}

static size_t group_hash(uint64_t key, size_t cap)
{
    key ^= key >> 31;
    key *= 0x9e3779b97f4a7c15ull;
    key ^= key >> 29;
    return (size_t)key & (cap - 1);
}

/* Slot of key, or the empty slot where it would go. */
static size_t group_find(const group_slot *slots, size_t cap, uint64_t key)
{
    size_t i = group_hash(key, cap);
    while (slots[i].count != 0 && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    return i;
}

static ndb_rc group_grow(group *g)
{
    size_t ncap = g->cap ? g->cap * 2 : GROUP_MIN_CAP;
    group_slot *ns;
    if (ncap < g->cap || ncap > SIZE_MAX / sizeof *ns)
        return NDB_ELIMIT;
    ns = ndb_calloc(ncap, sizeof *ns);
    if (!ns)
        return NDB_ENOMEM;
    for (size_t i = 0; i < g->cap; i++) {
        if (g->slots[i].count != 0)
            ns[group_find(ns, ncap, g->slots[i].key)] = g->slots[i];
    }
    ndb_free(g->slots);
    g->slots = ns;
    g->cap = ncap;
    g->memo_slot = SIZE_MAX;
    return NDB_OK;
}

static ndb_rc group_add(group *g, uint64_t key, uint64_t n)
{
    size_t i;
    if (g->memo_slot != SIZE_MAX && g->memo_key == key) {
        g->slots[g->memo_slot].count += n;
        return NDB_OK;
    }
    if ((g->used + 1) * 2 > g->cap) {
        ndb_rc rc = group_grow(g);
        if (rc != NDB_OK)
            return rc;
    }
    i = group_find(g->slots, g->cap, key);
    if (g->slots[i].count == 0) {
        g->slots[i].key = key;
        g->used++;
    }
    g->slots[i].count += n;
    g->memo_key = key;
    g->memo_slot = i;
    return NDB_OK;
}

static ndb_rc group_collect(ndb_collector *c, uint32_t doc, double score)
{
    group *g = (group *)c;
    const ndb_col *col;
    int32_t period;
    NDB_UNUSED(score);
    if (doc >= g->ndocs)
        return NDB_EINVAL;
    c->total++;
    col = &g->cols[doc];
    if (g->ranged && (col->date == NDB_DATE_NONE || col->date < g->from || col->date > g->to))
        return NDB_OK;
    if (g->by == NDB_PERIOD_NONE)
        period = GROUP_PERIOD_NONE_KEY;
    else if (col->date == NDB_DATE_NONE)
        period = NDB_DATE_NONE;
    else if (col->date == g->memo_date)
        period = g->memo_period; /* ids of one ingest run share dates: skip the calendar */
    else {
        size_t h = (size_t)(uint32_t)col->date & (GROUP_PCACHE - 1);
        if (g->pc_date[h] != col->date) {
            g->pc_date[h] = col->date;
            g->pc_period[h] = ndb_analytics_period_start(g->by, col->date);
        }
        period = g->memo_period = g->pc_period[h];
        g->memo_date = col->date;
    }
    return group_add(g, group_key(period, g->by_outlet ? col->outlet : 0), 1);
}

static ndb_rc group_merge(ndb_collector *into, const ndb_collector *from)
{
    group *a = (group *)into;
    const group *b = (const group *)from;
    ndb_rc rc = NDB_OK;
    if (a->by != b->by || a->by_outlet != b->by_outlet || a->ranged != b->ranged ||
        a->from != b->from || a->to != b->to || a->cells)
        return NDB_EINVAL;
    for (size_t i = 0; i < b->cap && rc == NDB_OK; i++) {
        if (b->slots[i].count != 0)
            rc = group_add(a, b->slots[i].key, b->slots[i].count);
    }
    if (rc == NDB_OK)
        into->total += from->total;
    return rc;
}

static int group_cell_cmp(const void *pa, const void *pb)
{
    const ndb_analytics_cell *a = pa, *b = pb;
    /* undated (INT32_MIN) after every dated period */
    int64_t ka = a->period == NDB_DATE_NONE ? INT64_MAX : a->period;
    int64_t kb = b->period == NDB_DATE_NONE ? INT64_MAX : b->period;
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return a->outlet < b->outlet ? -1 : a->outlet > b->outlet;
}

static ndb_rc group_finish(ndb_collector *c)
{
    group *g = (group *)c;
    size_t n = 0;
    if (g->cells)
        return NDB_OK;
    g->cells = ndb_calloc(g->used ? g->used : 1, sizeof *g->cells);
    if (!g->cells)
        return NDB_ENOMEM;
    for (size_t i = 0; i < g->cap; i++) {
        if (g->slots[i].count == 0)
            continue;
        g->cells[n].period = (int32_t)(uint32_t)(g->slots[i].key >> 32);
        g->cells[n].outlet = (uint32_t)g->slots[i].key;
        g->cells[n].count = g->slots[i].count;
        n++;
    }
    assert(n == g->used);
    g->ncells = n;
    if (n > 1)
        qsort(g->cells, n, sizeof *g->cells, group_cell_cmp);
    return NDB_OK;
}

static void group_free(ndb_collector *c)
{
    group *g = (group *)c;
    ndb_free(g->slots);
    ndb_free(g->cells);
    ndb_free(g);
}

static const ndb_collector_ops group_ops = {group_collect, group_merge, group_finish, group_free};

ndb_rc ndb_analytics_group_new(ndb_period by, bool by_outlet, int32_t from, int32_t to,
                               const ndb_col *cols, uint32_t ndocs, ndb_collector **out,
                               ndb_err *err)
{
    group *g;
    *out = NULL;
    if (by < NDB_PERIOD_NONE || by > NDB_PERIOD_YEAR)
        return ndb_err_set(err, NDB_EINVAL, "unknown period %d", (int)by);
    if (from != NDB_DATE_NONE && to != NDB_DATE_NONE && from > to)
        return ndb_err_set(err, NDB_EINVAL, "empty date range: from is after to");
    g = ndb_calloc(1, sizeof *g);
    if (!g)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    g->base.ops = &group_ops;
    g->base.kind = "group";
    g->by = by;
    g->by_outlet = by_outlet;
    g->ranged = from != NDB_DATE_NONE || to != NDB_DATE_NONE;
    g->from = from != NDB_DATE_NONE ? from : INT32_MIN + 1;
    g->to = to != NDB_DATE_NONE ? to : INT32_MAX;
    g->cols = cols;
    g->ndocs = ndocs;
    g->memo_slot = SIZE_MAX;
    g->memo_date = NDB_DATE_NONE;
    for (size_t i = 0; i < GROUP_PCACHE; i++)
        g->pc_date[i] = NDB_DATE_NONE;
    *out = &g->base;
    return NDB_OK;
}

uint64_t ndb_analytics_group_count(const ndb_collector *c, int32_t period, uint32_t outlet)
{
    const group *g = (const group *)c;
    size_t i;
    if (g->cap == 0)
        return 0;
    i = group_find(g->slots, g->cap, group_key(period, outlet));
    return g->slots[i].count;
}

const ndb_analytics_cell *ndb_analytics_group_cells(const ndb_collector *c, size_t *n)
{
    const group *g = (const group *)c;
    *n = g->ncells;
    return g->cells;
}

/* ---------------------------------------------------------------- runs */

typedef struct group_each_ctx {
    ndb_collector *c;
    ndb_rc rc;
} group_each_ctx;

static int group_each_cb(void *ctx, uint32_t id)
{
    group_each_ctx *e = ctx;
    e->rc = ndb_collector_collect(e->c, id, 0.0);
    return e->rc != NDB_OK;
}

/* Fill *m with the matches of q and *t with every live doc of v, both finished. */
static ndb_rc group_run_pair(const ndb_query *q, const ndb_view *v, ndb_period by, bool by_outlet,
                             int32_t from, int32_t to, ndb_collector **m, ndb_collector **t,
                             ndb_err *err)
{
    group_each_ctx e = {NULL, NDB_OK};
    ndb_rc rc = ndb_analytics_group_new(by, by_outlet, from, to, v->cols, v->ndocs, m, err);
    if (rc == NDB_OK)
        rc = ndb_analytics_group_new(by, by_outlet, from, to, v->cols, v->ndocs, t, err);
    if (rc != NDB_OK)
        return rc;
    e.c = *m;
    rc = ndb_query_each(q, v, group_each_cb, &e, err);
    if (rc == NDB_OK)
        rc = e.rc;
    for (uint32_t id = 0; rc == NDB_OK && id < v->ndocs; id++) {
        if (v->live(v->ctx, id))
            rc = ndb_collector_collect(*t, id, 0.0);
    }
    if (rc == NDB_OK)
        rc = ndb_collector_finish(*m, err);
    if (rc == NDB_OK)
        rc = ndb_collector_finish(*t, err);
    if (rc != NDB_OK && err && err->rc == NDB_OK)
        rc = ndb_err_set(err, rc, "aggregation: %s", ndb_strerror(rc));
    return rc;
}

/* The series of a timeline: distinct outlets of the cells (ascending). */
static ndb_rc group_series(const ndb_analytics_cell *c, size_t n, uint32_t **outs, size_t *ns)
{
    uint32_t *o = ndb_calloc(n ? n : 1, sizeof *o);
    size_t k = 0;
    if (!o)
        return NDB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        o[i] = c[i].outlet;
    ndb_sort_u32(o, n);
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || o[k - 1] != o[i])
            o[k++] = o[i];
    }
    *outs = o;
    *ns = k;
    return NDB_OK;
}

/* Periods [lo, hi] (hi inclusive start), counted up to max + 1. */
static size_t group_nperiods(ndb_period by, int32_t lo, int32_t hi, size_t max)
{
    size_t n = 0;
    for (int32_t p = lo; p <= hi && n <= max; n++) {
        int32_t next = ndb_analytics_period_next(by, p);
        if (next <= p)
            return n + 1; /* the last representable period */
        p = next;
    }
    return n;
}

/* Dated range of the timeline: from..to when set, else the matches' first..last. */
static bool group_span(const ndb_analytics_cell *c, size_t n, ndb_period by, int32_t from,
                       int32_t to, int32_t *lo, int32_t *hi)
{
    bool dated = n > 0 && c[0].period != NDB_DATE_NONE;
    int32_t last = NDB_DATE_NONE;
    for (size_t i = 0; i < n; i++) {
        if (c[i].period != NDB_DATE_NONE)
            last = c[i].period;
    }
    if (!dated && from == NDB_DATE_NONE && to == NDB_DATE_NONE)
        return false;
    if (!dated && (from == NDB_DATE_NONE || to == NDB_DATE_NONE))
        return false; /* half-open range, nothing in it: no dated rows */
    *lo = from != NDB_DATE_NONE ? ndb_analytics_period_start(by, from) : c[0].period;
    *hi = to != NDB_DATE_NONE ? ndb_analytics_period_start(by, to) : last;
    return true;
}

ndb_rc ndb_analytics_timeline(const ndb_query *q, const ndb_view *v, ndb_period by, bool by_outlet,
                              int32_t from, int32_t to, ndb_analytics_cell **cells, size_t *n,
                              uint64_t *matched, ndb_err *err)
{
    ndb_collector *m = NULL, *t = NULL;
    const ndb_analytics_cell *mc;
    ndb_analytics_cell *out = NULL;
    uint32_t *series = NULL;
    size_t nm, ns = 0, np = 0, nund = 0, k = 0;
    int32_t lo = 0, hi = -1;
    ndb_rc rc;
    *cells = NULL;
    *n = 0;
    *matched = 0;
    if (by == NDB_PERIOD_NONE) {
        rc = ndb_err_set(err, NDB_EINVAL, "a timeline needs a period (day, week, month, year)");
        goto out;
    }
    rc = group_run_pair(q, v, by, by_outlet, from, to, &m, &t, err);
    if (rc != NDB_OK)
        goto out;
    *matched = m->total;
    mc = ndb_analytics_group_cells(m, &nm);
    if (nm == 0)
        goto out;
    rc = group_series(mc, nm, &series, &ns);
    if (rc != NDB_OK)
        goto out;
    if (group_span(mc, nm, by, from, to, &lo, &hi))
        np = group_nperiods(by, lo, hi, NDB_AGG_MAX_ROWS);
    for (size_t i = 0; i < nm; i++)
        nund += mc[i].period == NDB_DATE_NONE;
    if (np > NDB_AGG_MAX_ROWS || (ns && np > (NDB_AGG_MAX_ROWS - nund) / ns)) {
        rc = ndb_err_set(err, NDB_ELIMIT,
                         "timeline too large (more than %u rows): use a coarser --by or a "
                         "narrower --from/--to",
                         NDB_AGG_MAX_ROWS);
        goto out;
    }
    out = ndb_calloc(np * ns + nund + 1, sizeof *out);
    if (!out) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        int32_t p = i == 0 ? lo : ndb_analytics_period_next(by, out[k - 1].period);
        for (size_t j = 0; j < ns; j++) {
            out[k].period = p;
            out[k].outlet = series[j];
            out[k].count = ndb_analytics_group_count(m, p, series[j]);
            out[k].total = ndb_analytics_group_count(t, p, series[j]);
            k++;
        }
    }
    for (size_t i = 0; i < nm; i++) {
        if (mc[i].period != NDB_DATE_NONE)
            continue;
        out[k] = mc[i];
        out[k].total = ndb_analytics_group_count(t, NDB_DATE_NONE, mc[i].outlet);
        k++;
    }
    *cells = out;
    *n = k;
    out = NULL;
out:
    ndb_free(out);
    ndb_free(series);
    ndb_collector_free(m);
    ndb_collector_free(t);
    return rc;
}

ndb_rc ndb_analytics_outlets(const ndb_query *q, const ndb_view *v, int32_t from, int32_t to,
                             ndb_analytics_cell **cells, size_t *n, uint64_t *matched, ndb_err *err)
{
    ndb_collector *m = NULL, *t = NULL;
    const ndb_analytics_cell *mc;
    ndb_analytics_cell *out = NULL;
    size_t nm;
    ndb_rc rc;
    *cells = NULL;
    *n = 0;
    *matched = 0;
    rc = group_run_pair(q, v, NDB_PERIOD_NONE, true, from, to, &m, &t, err);
    if (rc != NDB_OK)
        goto out;
    *matched = m->total;
    mc = ndb_analytics_group_cells(m, &nm);
    out = ndb_calloc(nm ? nm : 1, sizeof *out);
    if (!out) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nm; i++) {
        out[i] = mc[i];
        out[i].total = ndb_analytics_group_count(t, mc[i].period, mc[i].outlet);
    }
    *cells = out;
    *n = nm;
    out = NULL;
out:
    ndb_free(out);
    ndb_collector_free(m);
    ndb_collector_free(t);
    return rc;
}
