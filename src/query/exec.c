/*
** exec.c — executors: match iterators over cursors, count / each / top-k, and the
** block-max fast path of top-k.
**
** Match iterators (qit) are two-phase, as Lucene's TwoPhaseIterator: `seek(t)` moves to
** the first *candidate* >= t using doc ids only (leapfrog AND rarest first, heap OR,
** dense column scans for filters); `confirm()` then checks what costs more at that one
** doc: phrase / proximity positions, column values of filters, exclusions (AND-NOT).
** An AND confirms its two-phase children only after every child agreed on the doc, so
** positions are decoded only for docs that passed the doc-level AND.
**     TERM    one cursor (no positions)            PHRASE  k cursors with positions
**     PREFIX  heap OR of the expanded terms        ALL     every id (pure negations)
**     FILTER  approx = every id, confirm = column  DOC     one id (url:, id:)
**     AND     leapfrog + confirm + exclusions      OR      heap of children
** Liveness (view->live) is checked once, on the root's confirmed matches: every operator
** is a set operation on ids, so (A - B) ∩ live = (A ∩ live) - B.
**
** Scoring (query.h): score(d) = sum over q->sterms, in that order, of BM25(t, d). The
** exhaustive top-k scores every match with one extra cursor per scoring term. The fast path
** (root = AND / OR of terms, plus any non-scoring parts: filters, prefixes, exclusions)
** drives the term cursors itself. Exact totals mean every match must be enumerated
** anyway, so the fast path prunes *scoring*: before decoding frequencies and computing
** BM25 for a match it bounds the score by the block-max data of the present terms'
** current blocks (block_seek, block_max_tf, block_min_dlr) and skips the doc when that
** bound (plus a 1e-9 relative margin against rounding) cannot enter the heap. The scores
** that are computed use the same function in the same order as the exhaustive path, so
** both give bitwise-identical hits.
**
** Errors: a cursor that ends with c->err set, or a failing positions() call, records the
** code in qexec.rc; every loop stops at NDB_DOC_END and the code is returned.
**
** Threading: everything lives in one call; the query and view are only read.
*/
#include "query/query_int.h"

#include <math.h>
#include <stdlib.h>

#include "collect/collect.h"

typedef struct qexec {
    const ndb_view *v;
    ndb_rc rc; /* first error met by any iterator */
    double avgdl;
    double k1, b, b_floor; /* BM25 (query.h ndb_bm25); b_floor = b * min_norm */
    bool xapian_idf;
    uint32_t ticks; /* live checks since the last deadline check */
    uint32_t map_span; /* widest window tested through a byte map (exec_map_filter) */
    uint32_t or_window; /* docs per window of exec_fast_or_window */
} qexec;

typedef struct qit qit;
typedef struct qit_ops {
    uint32_t (*seek)(qit *it, uint32_t target); /* first candidate >= target (> doc) */
    bool (*confirm)(qit *it);                   /* exact test at it->doc */
    void (*release)(qit *it);
} qit_ops;

struct qit {
    const qit_ops *ops;
    qexec *ex;
    uint32_t doc;
    bool started;
    bool twophase;  /* confirm() may say no */
    bool conf_valid, conf_val;
    uint32_t conf_doc;
    uint64_t cost;  /* expected candidates (for leapfrog order) */
    uint32_t ccost; /* cost rank of confirm: 1 column, 2 positions, 3 compound */
};

static uint32_t qit_seek(qit *it, uint32_t t)
{
    if (it->started && (it->doc >= t || it->doc == NDB_DOC_END))
        return it->doc;
    it->started = true;
    it->doc = it->ops->seek(it, t);
    return it->doc;
}

static bool qit_confirm(qit *it)
{
    if (!it->twophase)
        return true;
    if (it->conf_valid && it->conf_doc == it->doc)
        return it->conf_val;
    it->conf_val = it->ops->confirm(it);
    it->conf_doc = it->doc;
    it->conf_valid = true;
    return it->conf_val;
}

/* First confirmed match >= t. */
static uint32_t qit_next_match(qit *it, uint32_t t)
{
    for (;;) {
        uint32_t d = qit_seek(it, t);
        if (d == NDB_DOC_END || qit_confirm(it))
            return d;
        if (it->ex->rc != NDB_OK)
            return NDB_DOC_END;
        t = d + 1;
    }
}

static void qit_free(qit *it)
{
    if (it)
        it->ops->release(it);
}

static void *exec_alloc(qexec *ex, size_t size, const qit_ops *ops)
{
    qit *it = ndb_calloc(1, size);
    if (it) {
        it->ops = ops;
        it->ex = ex;
    }
    return it;
}

static uint32_t exec_cursor_seek(qexec *ex, ndb_cursor *c, uint32_t t)
{
    uint32_t d = ndb_cursor_seek_geq(c, t);
    if (d == NDB_DOC_END && c->err != NDB_OK && ex->rc == NDB_OK)
        ex->rc = c->err;
    return d;
}

/* ---------------------------------------------------------------- empty, all, doc */

/* Count n more units of work on *ticks; true when that crosses a multiple of 4096 and the
** view's deadline has passed (one clock read per 4096 docs: no measurable cost). */
static bool exec_past_deadline(const ndb_view *v, uint32_t *ticks, uint32_t n)
{
    uint32_t before = *ticks;
    *ticks += n;
    return v->deadline_ns && (before >> 12) != (*ticks >> 12) && ndb_now_ns() > v->deadline_ns;
}

/* First index a >= from of dc[] (ascending) with dc[a] >= u, given dc[m - 1] >= u: eight
** entries are stepped over at a time while the eighth is below u, then one at a time (the
** loads are independent and the loop exits are the only hard-to-predict branches). */
static inline uint32_t exec_block_geq(const uint32_t *dc, uint32_t m, uint32_t a, uint32_t u)
{
    while (a + 8 < m && dc[a + 7] < u)
        a += 8;
    while (dc[a] < u)
        a++;
    return a;
}

/* Membership of sorted candidates in a decoded block through a byte map (EXEC_MAP_SPAN
** bytes, all zero between uses, owned by the caller): the block's docs in [lo, hi] are
** marked, each candidate reads its byte, the marks are cleared. Stores and loads without a
** data-dependent branch, where a merge mispredicts about once per candidate. Candidates
** in[0..n) (ascending, in [lo, hi], hi - lo < EXEC_MAP_SPAN, hi <= the block's last doc)
** that the block holds (keep) or does not hold (!keep) go to out[] (out <= in allowed);
** returns their number. */
#define EXEC_MAP_SPAN 16384u

/* A tuning knob read from the environment (tests set them so that every path runs):
** variable `name` as a number clamped to [lo, hi], or hi when it is not set. */
static uint32_t exec_env_knob(const char *name, uint32_t lo, uint32_t hi)
{
    const char *e = getenv(name);
    unsigned long v = e ? strtoul(e, NULL, 10) : hi;
    return v < lo ? lo : v < hi ? (uint32_t)v : hi;
}

/* The widest range tested through the byte map: EXEC_MAP_SPAN, or less when the environment
** sets NEWSDB_EXEC_MAP_SPAN (tests: wider ranges then take the merge, so both paths run). */
static uint32_t exec_map_span(void)
{
    return exec_env_knob("NEWSDB_EXEC_MAP_SPAN", 0, EXEC_MAP_SPAN);
}

/* Docs per window of the windowed OR (exec_fast_or_window); fewer (at least 64) when the
** environment sets NEWSDB_EXEC_OR_WINDOW (tests: many windows over a small corpus). */
#define EXEC_OW 4096u

static uint32_t exec_map_filter(uint8_t *map, uint32_t lo, uint32_t hi, const uint32_t *dc,
                                uint32_t m, uint32_t base, const uint32_t *in, uint32_t n,
                                uint32_t *out, bool keep)
{
    uint32_t s = lo < base ? 0 : exec_block_geq(dc, m, 0, lo - base), e = s, k = 0;
    for (; e < m && base + dc[e] <= hi; e++)
        map[base + dc[e] - lo] = 1;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t u = in[j];
        out[k] = u;
        k += map[u - lo] == (uint8_t)keep;
    }
    for (uint32_t i = s; i < e; i++)
        map[base + dc[i] - lo] = 0;
    return k;
}

/* One window of the doc-level AND of lists a (the rarer) and b, both positioned (a doc
** read) and both lending decoded blocks (ndb_cursor_bulk): from doc *from on, the first
** range [d, e] that both cursors' current blocks cover (e = the smaller of their blocks' last
** docs); the docs both hold in it go to out[] (ascending, at most one block's worth; *nout
** may be 0) and *from becomes e + 1. The two blocks are merged (exec_block_geq) without
** moving the cursors, so a leapfrog's seek call per doc becomes one seek per cursor per
** window; a cursor is seeked only to the window's start, so its skip entries still jump
** over blocks that hold nothing. Returns false at the end of a list or on an error. */
static bool exec_pair_window(qexec *ex, ndb_cursor *a, ndb_cursor *b, uint8_t *map,
                             uint32_t *from, uint32_t *out, uint32_t *nout)
{
    uint32_t d = *from;
    *nout = 0;
    for (;;) {
        if (d == NDB_DOC_END || ex->rc != NDB_OK)
            return false;
        uint32_t x = a->doc < d ? exec_cursor_seek(ex, a, d) : a->doc;
        if (x == NDB_DOC_END)
            return false;
        d = x > d ? x : d;
        uint32_t y = b->doc < d ? exec_cursor_seek(ex, b, d) : b->doc;
        if (y == NDB_DOC_END)
            return false;
        d = y > d ? y : d;
        const uint32_t *da, *db;
        uint32_t ba, bb, ma = ndb_cursor_bulk(a, &da, NULL, &ba),
                         mb = ndb_cursor_bulk(b, &db, NULL, &bb);
        if (ma == 0 || mb == 0)
            return false; /* cannot happen: both are on a doc */
        uint32_t ea = ba + da[ma - 1], eb = bb + db[mb - 1], e = ea < eb ? ea : eb;
        if (e < d)
            continue; /* a's block ends before b's doc: a moves on */
        uint32_t k = 0, i = exec_block_geq(da, ma, 0, d - ba), j = 0;
        if (map && e - d < ex->map_span) { /* a's docs in [d, e], then b's byte map */
            for (; i < ma && ba + da[i] <= e; i++)
                out[k++] = ba + da[i];
            k = exec_map_filter(map, d, e, db, mb, bb, out, k, out, true);
        }
        for (; i < ma && ba + da[i] <= e; i++) { /* <= e <= b's last doc */
            uint32_t u = ba + da[i];
            j = exec_block_geq(db, mb, j, u - bb);
            out[k] = u;
            k += bb + db[j] == u;
        }
        if (exec_past_deadline(ex->v, &ex->ticks, i))
            ex->rc = NDB_ELIMIT;
        *nout = k;
        *from = e + 1;
        return true;
    }
}

static uint32_t exec_empty_seek(qit *it, uint32_t t)
{
    NDB_UNUSED(it);
    NDB_UNUSED(t);
    return NDB_DOC_END;
}

static void exec_plain_free(qit *it)
{
    ndb_free(it);
}

static const qit_ops exec_empty_ops = {exec_empty_seek, NULL, exec_plain_free};

static uint32_t exec_all_seek(qit *it, uint32_t t)
{
    return t < it->ex->v->ndocs ? t : NDB_DOC_END;
}

static const qit_ops exec_all_ops = {exec_all_seek, NULL, exec_plain_free};

typedef struct qit_doc {
    qit base;
    uint32_t id;
} qit_doc;

static uint32_t exec_doc_seek(qit *it, uint32_t t)
{
    qit_doc *d = (qit_doc *)it;
    return t <= d->id && d->id < it->ex->v->ndocs ? d->id : NDB_DOC_END;
}

static const qit_ops exec_doc_ops = {exec_doc_seek, NULL, exec_plain_free};

/* ---------------------------------------------------------------- filters */

typedef struct qit_filter {
    qit base;
    qnode_kind kind; /* QN_DATE, QN_OUTLET or QN_LANG */
    uint32_t outlet;
    int32_t lo, hi;
    ndb_lang_set langs;
    /* an outlet filter over the view's list of the outlet (ndb_view.outlet_docs): ids
    ** ascending, pos the first not yet passed (exec_olist_ops) */
    const uint32_t *ids;
    uint32_t nids, pos;
} qit_filter;

/* Does column record c pass filter f? */
static bool exec_filter_holds(const qit_filter *f, const ndb_col *c)
{
    if (f->kind == QN_DATE)
        return c->date != NDB_DATE_NONE && c->date >= f->lo && c->date <= f->hi;
    if (f->kind == QN_LANG)
        return ndb_lang_set_has(&f->langs, ndb_col_lang(c));
    return c->outlet == f->outlet;
}

static bool exec_filter_confirm(qit *it)
{
    return exec_filter_holds((const qit_filter *)it, &it->ex->v->cols[it->doc]);
}

static const qit_ops exec_filter_ops = {exec_all_seek, exec_filter_confirm, exec_plain_free};

/* An outlet filter over the outlet's doc list (ndb_view.outlet_docs), the lead of an AND
** core in exec_topk_fast: its ids are exactly the matches (first id >= t by galloping from
** the last position, ndb_gallop_geq). */
static uint32_t exec_olist_seek(qit *it, uint32_t t)
{
    qit_filter *f = (qit_filter *)it;
    const uint32_t *p = f->ids;
    uint32_t n = f->nids, lo = (uint32_t)ndb_gallop_geq(p, f->pos, n, t);
    f->pos = lo;
    return lo < n ? p[lo] : NDB_DOC_END;
}

static const qit_ops exec_olist_ops = {exec_olist_seek, NULL, exec_plain_free};


/* ---------------------------------------------------------------- term */

typedef struct qit_term {
    qit base;
    ndb_cursor *c;
} qit_term;

static uint32_t exec_term_seek(qit *it, uint32_t t)
{
    return exec_cursor_seek(it->ex, ((qit_term *)it)->c, t);
}

static void exec_term_free(qit *it)
{
    ndb_cursor_close(((qit_term *)it)->c);
    ndb_free(it);
}

static const qit_ops exec_term_ops = {exec_term_seek, NULL, exec_term_free};

/* ---------------------------------------------------------------- phrase */

typedef struct qit_phrase {
    qit base;
    uint32_t k;
    int32_t slop;
    ndb_cursor **c;  /* [k], query order */
    uint32_t *ord;   /* [k] cursor indices, rarest first */
    uint32_t *group; /* [k] index of the first cursor with the same term */
    uint32_t *mult;  /* [k] multiplicity of a group leader's term */
    uint32_t *cnt;   /* [k] scratch counts */
    uint8_t *cst;    /* [k] cursor started */
    uint64_t *ev;    /* scratch: (pos << 32 | group) events for proximity */
    size_t evcap;
    uint32_t *cand;  /* scratch: candidate start positions of an exact phrase */
    size_t candcap;
    bool windows;    /* the two rarest lists lend decoded blocks: exec_pair_window */
    uint8_t *map;    /* its byte map (EXEC_MAP_SPAN zero bytes), or NULL */
    uint32_t win[NDB_BLOCK_DOCS], nwin, wi, wfrom; /* docs of both, not yet returned */
} qit_phrase;

/* Lists the doc-level leapfrog walks: all of them for a proximity phrase; the two rarest
** for an exact one, whose check (exec_phrase_exact_lazy) seeks the others only for docs
** where the rarer words already stand in order. */
static uint32_t exec_phrase_lead(const qit_phrase *ph)
{
    return ph->slop < 0 && ph->k > 2 ? 2 : ph->k;
}

/* The doc-level AND of the led lists from t on: with windows, the next doc of both rarest
** lists comes from the current window (the other led lists, of a proximity phrase, are
** seeked to it); otherwise a leapfrog of the led lists. */
static uint32_t exec_phrase_seek(qit *it, uint32_t t)
{
    qit_phrase *ph = (qit_phrase *)it;
    uint32_t d = t, i = 0, lim = exec_phrase_lead(ph);
    while (ph->windows) {
        while (ph->wi < ph->nwin && ph->win[ph->wi] < t)
            ph->wi++;
        if (ph->wi == ph->nwin) {
            uint32_t c0 = ph->ord[0], c1 = ph->ord[1];
            if (ph->wfrom < t)
                ph->wfrom = t;
            for (uint32_t r = 0; r < 2; r++) {
                uint32_t ci = r ? c1 : c0;
                if (!ph->cst[ci]) {
                    ph->cst[ci] = 1;
                    if (exec_cursor_seek(it->ex, ph->c[ci], ph->wfrom) == NDB_DOC_END)
                        return NDB_DOC_END;
                }
            }
            ph->wi = ph->nwin = 0;
            while (ph->nwin == 0)
                if (!exec_pair_window(it->ex, ph->c[c0], ph->c[c1], ph->map, &ph->wfrom, ph->win,
                                      &ph->nwin))
                    return NDB_DOC_END;
        }
        d = ph->win[ph->wi++];
        bool hit = true;
        for (uint32_t r = 0; r < lim && hit; r++) { /* the led cursors move to d */
            uint32_t ci = ph->ord[r];
            uint32_t x = ph->c[ci]->doc;
            if (!ph->cst[ci] || x < d) {
                ph->cst[ci] = 1;
                x = exec_cursor_seek(it->ex, ph->c[ci], d);
            }
            if (x == NDB_DOC_END)
                return NDB_DOC_END;
            hit = x == d;
        }
        if (hit)
            return d;
        t = d + 1;
    }
    while (i < lim) {
        uint32_t ci = ph->ord[i];
        ndb_cursor *c = ph->c[ci];
        uint32_t x = c->doc;
        if (!ph->cst[ci] || x < d) {
            ph->cst[ci] = 1;
            x = exec_cursor_seek(it->ex, c, d);
        }
        if (x == NDB_DOC_END)
            return NDB_DOC_END;
        if (x > d) {
            d = x;
            i = i == 0 ? 1 : 0;
            continue;
        }
        i++;
    }
    return d;
}

/* Proximity: distinct positions, one per query term, all within a window of
** (k - 1) + slop. Terms repeated in the query need that many positions of the term. */
static bool exec_phrase_near(qit_phrase *ph, const uint32_t **pos, const uint32_t *np)
{
    size_t total = 0;
    for (uint32_t i = 0; i < ph->k; i++)
        if (ph->group[i] == i)
            total += np[i];
    if (total > ph->evcap) {
        uint64_t *nev = ndb_realloc(ph->ev, total * sizeof *nev);
        if (!nev) {
            ph->base.ex->rc = NDB_ENOMEM;
            return false;
        }
        ph->ev = nev;
        ph->evcap = total;
    }
    size_t ne = 0;
    uint32_t groups = 0;
    for (uint32_t i = 0; i < ph->k; i++) {
        if (ph->group[i] != i)
            continue;
        groups++;
        for (uint32_t a = 0; a < np[i]; a++)
            ph->ev[ne++] = ((uint64_t)pos[i][a] << 32) | i;
    }
    ndb_sort_u64(ph->ev, ne);
    uint64_t w = (uint64_t)(ph->k - 1) + (uint64_t)ph->slop;
    memset(ph->cnt, 0, ph->k * sizeof *ph->cnt);
    uint32_t sat = 0;
    size_t r = 0;
    for (size_t l = 0; l < ne; l++) {
        uint64_t lo = ph->ev[l] >> 32;
        while (r < ne && (ph->ev[r] >> 32) <= lo + w) {
            uint32_t g = (uint32_t)ph->ev[r];
            if (++ph->cnt[g] == ph->mult[g])
                sat++;
            r++;
        }
        if (sat == groups)
            return true;
        uint32_t g = (uint32_t)ph->ev[l];
        if (ph->cnt[g]-- == ph->mult[g])
            sat--;
    }
    return false;
}

/* Exact phrase, positions read lazily, rarest term first: the start positions allowed by
** the rarest term are narrowed term by term (a merge of two ascending lists) and the check
** stops when none is left, so a frequent word's positions are decoded only for docs where
** the rarer words already stand in order. Same answer as exec_phrase_exact. */
static bool exec_phrase_exact_lazy(qit_phrase *ph, qexec *ex, uint32_t d)
{
    const uint32_t *p;
    uint32_t np, i0 = ph->ord[0], lim = exec_phrase_lead(ph);
    ndb_rc rc = ndb_cursor_positions(ph->c[i0], &p, &np);
    if (rc != NDB_OK)
        goto fail;
    rc = ndb_grow((void **)&ph->cand, &ph->candcap, np, sizeof *ph->cand);
    if (rc != NDB_OK)
        goto fail;
    size_t n = 0;
    for (uint32_t a = 0; a < np; a++)
        if (p[a] >= i0)
            ph->cand[n++] = p[a] - i0; /* the phrase would start there */
    for (uint32_t r = 1; r < ph->k && n > 0; r++) {
        uint32_t ci = ph->ord[r];
        if (r >= lim) { /* not led: is the word in d at all? */
            ndb_cursor *c = ph->c[ci];
            uint32_t x = c->doc;
            if (!ph->cst[ci] || x < d) {
                ph->cst[ci] = 1;
                x = exec_cursor_seek(ex, c, d);
            }
            if (x != d)
                return false;
        }
        if ((rc = ndb_cursor_positions(ph->c[ci], &p, &np)) != NDB_OK)
            goto fail;
        size_t m = 0, b = 0;
        for (size_t a = 0; a < n; a++) {
            uint64_t want = (uint64_t)ph->cand[a] + ci;
            while (b < np && p[b] < want)
                b++;
            if (b == np)
                break;
            if (p[b] == want)
                ph->cand[m++] = ph->cand[a];
        }
        n = m;
    }
    return n > 0;
fail:
    if (ex->rc == NDB_OK)
        ex->rc = rc;
    return false;
}

static bool exec_phrase_confirm(qit *it)
{
    qit_phrase *ph = (qit_phrase *)it;
    if (ph->slop < 0)
        return exec_phrase_exact_lazy(ph, it->ex, it->doc);
    const uint32_t *stack_pos[16];
    uint32_t stack_np[16];
    const uint32_t **pos = stack_pos;
    uint32_t *np = stack_np;
    bool res = false;
    if (ph->k > 16) {
        pos = ndb_calloc(ph->k, sizeof *pos);
        np = ndb_calloc(ph->k, sizeof *np);
        if (!pos || !np) {
            it->ex->rc = NDB_ENOMEM;
            goto out;
        }
    }
    for (uint32_t i = 0; i < ph->k; i++) {
        ndb_rc rc = ndb_cursor_positions(ph->c[i], &pos[i], &np[i]);
        if (rc != NDB_OK) {
            if (it->ex->rc == NDB_OK)
                it->ex->rc = rc;
            goto out;
        }
    }
    res = exec_phrase_near(ph, pos, np);
out:
    if (pos != stack_pos)
        ndb_free((void *)pos);
    if (np != stack_np)
        ndb_free(np);
    return res;
}

static void exec_phrase_free(qit *it)
{
    qit_phrase *ph = (qit_phrase *)it;
    for (uint32_t i = 0; ph->c && i < ph->k; i++)
        ndb_cursor_close(ph->c[i]);
    ndb_free(ph->c);
    ndb_free(ph->ord);
    ndb_free(ph->group);
    ndb_free(ph->mult);
    ndb_free(ph->cnt);
    ndb_free(ph->cst);
    ndb_free(ph->ev);
    ndb_free(ph->cand);
    ndb_free(ph->map);
    ndb_free(ph);
}

static const qit_ops exec_phrase_ops = {exec_phrase_seek, exec_phrase_confirm,
                                        exec_phrase_free};

/* ---------------------------------------------------------------- AND */

typedef struct qit_and {
    qit base;
    qit **kids; /* positives, cheapest approximation first */
    uint32_t nkids;
    qit **conf; /* two-phase positives, cheapest confirm first */
    uint32_t nconf;
    qit **negs;
    uint32_t nnegs;
    /* the two cheapest kids are terms whose cursors lend decoded blocks: their doc-level
    ** AND comes from exec_pair_window (docs of both not yet returned in win[]) */
    bool windows;
    uint8_t *map;
    uint32_t win[NDB_BLOCK_DOCS], nwin, wi, wfrom;
} qit_and;

/* Seek of an AND whose two cheapest kids are terms with windows: the next doc of both
** from the current window, then the other kids seeked to it. */
static uint32_t exec_and_seek_windows(qit_and *a, uint32_t t)
{
    qexec *ex = a->base.ex;
    ndb_cursor *c0 = ((qit_term *)a->kids[0])->c, *c1 = ((qit_term *)a->kids[1])->c;
    for (;;) {
        while (a->wi < a->nwin && a->win[a->wi] < t)
            a->wi++;
        if (a->wi == a->nwin) {
            if (a->wfrom < t)
                a->wfrom = t;
            for (uint32_t r = 0; r < 2; r++) /* positioned before the first window */
                if (!a->kids[r]->started && qit_seek(a->kids[r], a->wfrom) == NDB_DOC_END)
                    return NDB_DOC_END;
            a->wi = a->nwin = 0;
            while (a->nwin == 0)
                if (!exec_pair_window(ex, c0, c1, a->map, &a->wfrom, a->win, &a->nwin))
                    return NDB_DOC_END;
        }
        uint32_t d = a->win[a->wi++];
        uint32_t i = 0;
        for (; i < a->nkids; i++) { /* kids 0 and 1 land on d; the others may not */
            uint32_t x = qit_seek(a->kids[i], d);
            if (x != d) {
                if (x == NDB_DOC_END)
                    return NDB_DOC_END;
                t = x;
                break;
            }
        }
        if (i == a->nkids)
            return d;
    }
}

static uint32_t exec_and_seek(qit *it, uint32_t t)
{
    qit_and *a = (qit_and *)it;
    uint32_t d = t;
    if (a->windows)
        return exec_and_seek_windows(a, t);
    for (;;) {
        d = qit_seek(a->kids[0], d);
        if (d == NDB_DOC_END)
            return d;
        uint32_t i = 1;
        for (; i < a->nkids; i++) {
            uint32_t x = qit_seek(a->kids[i], d);
            if (x != d) {
                d = x;
                break;
            }
        }
        if (i == a->nkids)
            return d;
        if (d == NDB_DOC_END)
            return d;
    }
}

static bool exec_and_confirm(qit *it)
{
    qit_and *a = (qit_and *)it;
    for (uint32_t i = 0; i < a->nconf; i++)
        if (!qit_confirm(a->conf[i]))
            return false;
    for (uint32_t i = 0; i < a->nnegs; i++) {
        qit *n = a->negs[i];
        if (qit_seek(n, it->doc) == it->doc && qit_confirm(n))
            return false;
    }
    return true;
}

static void exec_and_free(qit *it)
{
    qit_and *a = (qit_and *)it;
    for (uint32_t i = 0; i < a->nkids; i++)
        qit_free(a->kids[i]);
    for (uint32_t i = 0; i < a->nnegs; i++)
        qit_free(a->negs[i]);
    ndb_free(a->kids);
    ndb_free(a->conf);
    ndb_free(a->negs);
    ndb_free(a->map);
    ndb_free(a);
}

static const qit_ops exec_and_ops = {exec_and_seek, exec_and_confirm, exec_and_free};

/* ---------------------------------------------------------------- OR */

typedef struct qit_or {
    qit base;
    qit **kids;
    uint32_t n;
    uint32_t *heap; /* kid indices, min doc at the root */
    bool inited;    /* kids seeked once and heap built */
} qit_or;

static void exec_or_sift(qit_or *o, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < o->n && o->kids[o->heap[l]]->doc < o->kids[o->heap[m]]->doc)
            m = l;
        if (r < o->n && o->kids[o->heap[r]]->doc < o->kids[o->heap[m]]->doc)
            m = r;
        if (m == i)
            return;
        uint32_t tmp = o->heap[i];
        o->heap[i] = o->heap[m];
        o->heap[m] = tmp;
        i = m;
    }
}

static uint32_t exec_or_seek(qit *it, uint32_t t)
{
    qit_or *o = (qit_or *)it;
    if (!o->inited) {
        o->inited = true;
        for (uint32_t i = 0; i < o->n; i++) {
            qit_seek(o->kids[i], t);
            o->heap[i] = i;
        }
        for (uint32_t i = o->n / 2; i-- > 0;)
            exec_or_sift(o, i);
    }
    for (;;) {
        qit *top = o->kids[o->heap[0]];
        if (top->doc >= t)
            return top->doc;
        qit_seek(top, t);
        exec_or_sift(o, 0);
    }
}

static bool exec_or_confirm(qit *it)
{
    qit_or *o = (qit_or *)it;
    for (uint32_t i = 0; i < o->n; i++)
        if (o->kids[i]->doc == it->doc && qit_confirm(o->kids[i]))
            return true;
    return false;
}

static void exec_or_free(qit *it)
{
    qit_or *o = (qit_or *)it;
    for (uint32_t i = 0; i < o->n; i++)
        qit_free(o->kids[i]);
    ndb_free(o->kids);
    ndb_free(o->heap);
    ndb_free(o);
}

static const qit_ops exec_or_ops = {exec_or_seek, exec_or_confirm, exec_or_free};

/* ---------------------------------------------------------------- building */

static ndb_rc exec_new_empty(qexec *ex, qit **out)
{
    qit *it = exec_alloc(ex, sizeof(qit), &exec_empty_ops);
    *out = it;
    return it ? NDB_OK : NDB_ENOMEM;
}

static ndb_rc exec_new_all(qexec *ex, qit **out)
{
    qit *it = exec_alloc(ex, sizeof(qit), &exec_all_ops);
    *out = it;
    if (!it)
        return NDB_ENOMEM;
    it->cost = ex->v->ndocs;
    return NDB_OK;
}

static ndb_rc exec_new_term(qexec *ex, const char *s, size_t n, qit **out)
{
    ndb_cursor *c = NULL;
    ndb_rc rc = ex->v->term(ex->v->ctx, s, n, false, &c);
    *out = NULL;
    if (rc != NDB_OK)
        return rc;
    if (!c)
        return exec_new_empty(ex, out);
    qit_term *t = exec_alloc(ex, sizeof *t, &exec_term_ops);
    if (!t) {
        ndb_cursor_close(c);
        return NDB_ENOMEM;
    }
    t->c = c;
    t->base.cost = c->df;
    *out = &t->base;
    return NDB_OK;
}

static ndb_rc exec_new_phrase(qexec *ex, const qnode *n, qit **out)
{
    ndb_rc rc = NDB_OK;
    uint32_t k = n->nterms;
    qit_phrase *ph = exec_alloc(ex, sizeof *ph, &exec_phrase_ops);
    *out = NULL;
    if (!ph)
        return NDB_ENOMEM;
    ph->k = k;
    ph->slop = n->slop;
    ph->c = ndb_calloc(k, sizeof *ph->c);
    ph->ord = ndb_calloc(k, sizeof *ph->ord);
    ph->group = ndb_calloc(k, sizeof *ph->group);
    ph->mult = ndb_calloc(k, sizeof *ph->mult);
    ph->cnt = ndb_calloc(k, sizeof *ph->cnt);
    ph->cst = ndb_calloc(k, sizeof *ph->cst);
    if (!ph->c || !ph->ord || !ph->group || !ph->mult || !ph->cnt || !ph->cst) {
        rc = NDB_ENOMEM;
        goto out;
    }
    bool missing = false;
    for (uint32_t i = 0; i < k && rc == NDB_OK && !missing; i++) {
        rc = ex->v->term(ex->v->ctx, n->terms[i].p, n->terms[i].n, true, &ph->c[i]);
        missing = rc == NDB_OK && !ph->c[i];
    }
    if (rc != NDB_OK)
        goto out;
    if (missing) {
        exec_phrase_free(&ph->base);
        ph = NULL;
        rc = exec_new_empty(ex, out);
        goto out;
    }
    for (uint32_t i = 0; i < k; i++) {
        uint32_t g = i;
        for (uint32_t j = 0; j < i; j++)
            if (n->terms[j].n == n->terms[i].n &&
                memcmp(n->terms[j].p, n->terms[i].p, n->terms[i].n) == 0) {
                g = j;
                break;
            }
        ph->group[i] = g;
        ph->mult[g]++;
        /* insertion sort of cursor indices by df */
        uint32_t pos = i;
        while (pos > 0 && ph->c[ph->ord[pos - 1]]->df > ph->c[i]->df) {
            ph->ord[pos] = ph->ord[pos - 1];
            pos--;
        }
        ph->ord[pos] = i;
    }
    ph->base.cost = ph->c[ph->ord[0]]->df;
    ph->windows = k >= 2 && ph->c[ph->ord[0]]->ops->bulk && ph->c[ph->ord[1]]->ops->bulk;
    if (ph->windows && !(ph->map = ndb_calloc(EXEC_MAP_SPAN, 1))) {
        rc = NDB_ENOMEM;
        goto out;
    }
    ph->base.twophase = true;
    ph->base.ccost = 2;
    *out = &ph->base;
    ph = NULL;
out:
    if (ph)
        exec_phrase_free(&ph->base);
    return rc;
}

typedef struct exec_prefix_ctx {
    qstr *v;
    size_t n, cap;
} exec_prefix_ctx;

static ndb_rc exec_prefix_add(void *fctx, const char *term, size_t n)
{
    exec_prefix_ctx *pc = fctx;
    if (pc->n >= NDB_QUERY_MAX_EXPANSIONS)
        return NDB_ELIMIT;
    if (pc->n == pc->cap) {
        size_t nc = pc->cap ? pc->cap * 2 : 16;
        qstr *nv = ndb_realloc(pc->v, nc * sizeof *nv);
        if (!nv)
            return NDB_ENOMEM;
        pc->v = nv;
        pc->cap = nc;
    }
    pc->v[pc->n].p = ndb_strndup(term, n);
    pc->v[pc->n].n = n;
    if (!pc->v[pc->n].p)
        return NDB_ENOMEM;
    pc->n++;
    return NDB_OK;
}

static ndb_rc exec_new_or(qexec *ex, qit **kids, uint32_t n, qit **out)
{
    qit_or *o = exec_alloc(ex, sizeof *o, &exec_or_ops);
    *out = NULL;
    if (!o)
        return NDB_ENOMEM;
    o->kids = kids;
    o->n = n;
    o->heap = ndb_calloc(n ? n : 1, sizeof *o->heap);
    if (!o->heap) {
        o->kids = NULL;
        o->n = 0;
        exec_or_free(&o->base);
        return NDB_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        o->base.cost += kids[i]->cost;
        if (kids[i]->twophase) {
            o->base.twophase = true;
            o->base.ccost = 3;
        }
    }
    *out = &o->base;
    return NDB_OK;
}

static ndb_rc exec_new_prefix(qexec *ex, const qnode *n, qit **out, ndb_err *err)
{
    exec_prefix_ctx pc = {0};
    qit **kids = NULL;
    uint32_t nk = 0;
    ndb_rc rc = ex->v->prefix(ex->v->ctx, n->s.p, n->s.n, exec_prefix_add, &pc);
    *out = NULL;
    if (rc == NDB_ELIMIT) {
        rc = ndb_err_set(err, NDB_ELIMIT, "prefix '%.*s*' matches more than %d terms",
                         (int)NDB_MIN(n->s.n, 64), n->s.p, NDB_QUERY_MAX_EXPANSIONS);
        goto out;
    }
    if (rc != NDB_OK)
        goto out;
    if (pc.n == 0) {
        rc = exec_new_empty(ex, out);
        goto out;
    }
    kids = ndb_calloc(pc.n, sizeof *kids);
    if (!kids) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (; nk < pc.n && rc == NDB_OK; nk++)
        rc = exec_new_term(ex, pc.v[nk].p, pc.v[nk].n, &kids[nk]);
    if (rc != NDB_OK)
        goto out;
    rc = exec_new_or(ex, kids, nk, out);
    if (rc == NDB_OK)
        kids = NULL;
out:
    for (uint32_t i = 0; kids && i < nk; i++)
        qit_free(kids[i]);
    ndb_free(kids);
    for (size_t i = 0; i < pc.n; i++)
        ndb_free(pc.v[i].p);
    ndb_free(pc.v);
    return rc;
}

static int exec_cost_cmp(const void *a, const void *b)
{
    const qit *x = *(qit *const *)a, *y = *(qit *const *)b;
    return x->cost < y->cost ? -1 : x->cost > y->cost;
}

static int exec_ccost_cmp(const void *a, const void *b)
{
    const qit *x = *(qit *const *)a, *y = *(qit *const *)b;
    if (x->ccost != y->ccost)
        return x->ccost < y->ccost ? -1 : 1;
    return x->cost < y->cost ? -1 : x->cost > y->cost;
}

/* AND of positives (NULL-free qnode list `pos`) minus negatives. With no positive, the
** driver is ALL. Takes nothing; builds children itself. */
static ndb_rc exec_new_and(qexec *ex, const qnode *const *pos, uint32_t np,
                           const qnode *const *neg, uint32_t nn, qit **out, ndb_err *err);

static ndb_rc exec_build_err(qexec *ex, const qnode *n, qit **out, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    uint32_t id = 0;
    *out = NULL;
    switch (n->kind) {
    case QN_TERM:
        return exec_new_term(ex, n->s.p, n->s.n, out);
    case QN_PHRASE:
        return exec_new_phrase(ex, n, out);
    case QN_PREFIX:
        return exec_new_prefix(ex, n, out, err);
    case QN_OUTLET:
    case QN_LANG:
    case QN_DATE: {
        if (n->kind == QN_OUTLET && !ex->v->outlet_id(ex->v->ctx, n->s.p, n->s.n, &id))
            return exec_new_empty(ex, out);
        qit_filter *f = exec_alloc(ex, sizeof *f, &exec_filter_ops);
        if (!f)
            return NDB_ENOMEM;
        f->kind = n->kind;
        f->langs = n->langs;
        f->outlet = n->kind == QN_OUTLET ? id : 0;
        f->lo = n->lo;
        f->hi = n->hi;
        f->base.cost = ex->v->ndocs;
        f->base.twophase = true;
        f->base.ccost = 1;
        *out = &f->base;
        return NDB_OK;
    }
    case QN_URL:
    case QN_ID: {
        id = n->id;
        if (n->kind == QN_URL && !ex->v->url_id(ex->v->ctx, n->s.p, n->s.n, &id))
            return exec_new_empty(ex, out);
        qit_doc *d = exec_alloc(ex, sizeof *d, &exec_doc_ops);
        if (!d)
            return NDB_ENOMEM;
        d->id = id;
        d->base.cost = 1;
        *out = &d->base;
        return NDB_OK;
    }
    case QN_NOT:
        return exec_new_and(ex, NULL, 0, (const qnode *const *)n->kids, 1, out, err);
    case QN_AND: {
        const qnode **pos = ndb_calloc(n->nkids, sizeof *pos);
        const qnode **neg = ndb_calloc(n->nkids, sizeof *neg);
        uint32_t np = 0, nn = 0;
        if (!pos || !neg) {
            rc = NDB_ENOMEM;
        } else {
            for (uint32_t i = 0; i < n->nkids; i++) {
                if (n->kids[i]->kind == QN_NOT)
                    neg[nn++] = n->kids[i]->kids[0];
                else
                    pos[np++] = n->kids[i];
            }
            rc = exec_new_and(ex, pos, np, neg, nn, out, err);
        }
        ndb_free((void *)pos);
        ndb_free((void *)neg);
        return rc;
    }
    case QN_OR: {
        qit **kids = ndb_calloc(n->nkids, sizeof *kids);
        uint32_t k = 0;
        if (!kids)
            return NDB_ENOMEM;
        for (; k < n->nkids && rc == NDB_OK; k++)
            rc = exec_build_err(ex, n->kids[k], &kids[k], err);
        if (rc == NDB_OK)
            rc = exec_new_or(ex, kids, k, out);
        if (rc != NDB_OK) {
            for (uint32_t i = 0; i < k; i++)
                qit_free(kids[i]);
            ndb_free(kids);
        }
        return rc;
    }
    }
    return NDB_EINVAL;
}

static ndb_rc exec_new_and(qexec *ex, const qnode *const *pos, uint32_t np,
                           const qnode *const *neg, uint32_t nn, qit **out, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    qit_and *a = exec_alloc(ex, sizeof *a, &exec_and_ops);
    *out = NULL;
    if (!a)
        return NDB_ENOMEM;
    uint32_t nk = np ? np : 1;
    a->kids = ndb_calloc(nk, sizeof *a->kids);
    a->conf = ndb_calloc(nk, sizeof *a->conf);
    a->negs = ndb_calloc(nn ? nn : 1, sizeof *a->negs);
    if (!a->kids || !a->conf || !a->negs) {
        rc = NDB_ENOMEM;
        goto out;
    }
    if (np == 0) {
        rc = exec_new_all(ex, &a->kids[0]);
        if (rc == NDB_OK)
            a->nkids = 1;
    }
    for (uint32_t i = 0; i < np && rc == NDB_OK; i++) {
        rc = exec_build_err(ex, pos[i], &a->kids[i], err);
        if (rc == NDB_OK)
            a->nkids++;
    }
    for (uint32_t i = 0; i < nn && rc == NDB_OK; i++) {
        rc = exec_build_err(ex, neg[i], &a->negs[i], err);
        if (rc == NDB_OK)
            a->nnegs++;
    }
    if (rc != NDB_OK)
        goto out;
    qsort(a->kids, a->nkids, sizeof *a->kids, exec_cost_cmp);
    a->base.cost = a->kids[0]->cost;
    a->windows = a->nkids >= 2 && a->kids[0]->ops == &exec_term_ops &&
                 a->kids[1]->ops == &exec_term_ops &&
                 ((qit_term *)a->kids[0])->c->ops->bulk && ((qit_term *)a->kids[1])->c->ops->bulk;
    if (a->windows && !(a->map = ndb_calloc(EXEC_MAP_SPAN, 1))) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < a->nkids; i++)
        if (a->kids[i]->twophase)
            a->conf[a->nconf++] = a->kids[i];
    qsort(a->conf, a->nconf, sizeof *a->conf, exec_ccost_cmp);
    a->base.twophase = a->nconf > 0 || a->nnegs > 0;
    a->base.ccost = 3;
    *out = &a->base;
    a = NULL;
out:
    if (a)
        exec_and_free(&a->base);
    return rc;
}

/* ---------------------------------------------------------------- scoring */

/* Nondecreasing in tf, nonincreasing in dl: block and list bounds rely on it. */
static double exec_bm25(const qexec *ex, double idf, uint32_t tf, uint32_t dl, double avgdl)
{
    double f = (double)tf, bn = ex->b * (double)dl / avgdl;
    if (bn < ex->b_floor)
        bn = ex->b_floor;
    return idf * (f * (ex->k1 + 1.0)) / (f + ex->k1 * (1.0 - ex->b + bn));
}

/* An upper bound of exec_bm25 over docs with tf <= max_tf and dl / tf >= min_dlr (a block's
** block_max_tf and block_min_dlr, cursor.h). With bn the clamped b dl / avgdl, exec_bm25 is
** idf (k1 + 1) / (1 + k1 (1 - b) / tf + k1 bn / tf), and for such a doc k1 (1 - b) / tf >=
** k1 (1 - b) / max_tf (0 <= b <= 1), bn / tf >= b min_dlr / avgdl and bn / tf >= b_floor /
** max_tf. Callers add a relative margin against the rounding of either formula. */
static double exec_bm25_block(const qexec *ex, double idf, uint32_t max_tf, uint32_t min_dlr,
                              double avgdl)
{
    double m = (double)(max_tf ? max_tf : 1), bn = ex->b * (double)min_dlr / avgdl;
    if (bn < ex->b_floor / m)
        bn = ex->b_floor / m;
    return idf * (ex->k1 + 1.0) / (1.0 + ex->k1 * (1.0 - ex->b) / m + ex->k1 * bn);
}

static double exec_idf(const qexec *ex, uint32_t ndocs, uint64_t df)
{
    double N = (double)ndocs, d = (double)df;
    if (ex->xapian_idf) {
        double tw = (N - d + 0.5) / (d + 0.5);
        return log(tw < 2 ? tw * 0.5 + 1 : tw);
    }
    return log(1.0 + (N - d + 0.5) / (d + 0.5));
}

static void exec_init(qexec *ex, const ndb_view *v)
{
    ex->v = v;
    ex->rc = NDB_OK;
    ex->ticks = 0;
    ex->avgdl = v->ndocs ? (double)v->total_len / (double)v->ndocs : 1.0;
    if (ex->avgdl <= 0)
        ex->avgdl = 1.0;
    ex->k1 = NDB_BM25_K1;
    ex->b = NDB_BM25_B;
    ex->b_floor = 0.0;
    ex->xapian_idf = false;
    ex->map_span = exec_map_span();
    ex->or_window = exec_env_knob("NEWSDB_EXEC_OR_WINDOW", 64, EXEC_OW);
}

static void exec_init_bm25(qexec *ex, const ndb_query *q)
{
    if (!q->bm25_set)
        return;
    ex->k1 = q->bm25.k1;
    ex->b = q->bm25.b;
    ex->b_floor = q->bm25.b * q->bm25.min_norm;
    ex->xapian_idf = q->bm25.xapian_idf;
}


/* Live test of a confirmed match; also where a view's deadline is checked, every 4096
** matches. Past it, ex->rc = ELIMIT and the executors' loops stop at their next
** iteration. */
static bool exec_live(qexec *ex, uint32_t d)
{
    const ndb_view *v = ex->v;
    if (exec_past_deadline(v, &ex->ticks, 1)) {
        ex->rc = NDB_ELIMIT;
        return false;
    }
    return v->all_live || !v->live || v->live(v->ctx, d);
}

static ndb_rc exec_finish_rc(qexec *ex, ndb_rc rc, ndb_err *err)
{
    if (rc == NDB_OK)
        rc = ex->rc;
    if (rc != NDB_OK && (!err || err->rc == NDB_OK)) {
        if (rc == NDB_ENOMEM)
            ndb_err_set(err, rc, "query: out of memory");
        else if (rc == NDB_ELIMIT && ex->rc == NDB_ELIMIT)
            ndb_err_set(err, rc, "query: time budget exceeded (stopped before the end of the "
                                 "matches; narrow the query)");
        else
            ndb_err_set(err, rc, "query: reading the index failed (%s)", ndb_strerror(rc));
    }
    return rc;
}

/* ---------------------------------------------------------------- count, each */

ndb_rc ndb_query_each(const ndb_query *q, const ndb_view *v, ndb_id_fn fn, void *ctx,
                      ndb_err *err)
{
    qexec ex;
    qit *root = NULL;
    ndb_err_clear(err);
    exec_init(&ex, v);
    ndb_rc rc = exec_build_err(&ex, q->root, &root, err);
    if (rc != NDB_OK)
        goto out;
    for (uint32_t d = qit_next_match(root, 0); d != NDB_DOC_END && ex.rc == NDB_OK;
         d = qit_next_match(root, d + 1)) {
        if (exec_live(&ex, d) && fn(ctx, d) != 0)
            break;
        if (d == NDB_DOC_END - 1)
            break;
    }
out:
    qit_free(root);
    return exec_finish_rc(&ex, rc, err);
}

static int exec_count_fn(void *ctx, uint32_t id)
{
    NDB_UNUSED(id);
    (*(uint64_t *)ctx)++;
    return 0;
}

/* The union of the lists c[0..n) (unstarted cursors; NULLs skipped; read a decoded block
** at a time where the cursor lends it, without freqs) as a bitmap of v->ndocs bits, OWNED
** by the caller (*out; ndb_free). NDB_ELIMIT past the view's deadline, checked every 4096
** postings as exec_live does; a cursor's read error is returned. */
static ndb_rc exec_or_bitmap(const ndb_view *v, ndb_cursor *const *c, uint32_t n,
                             uint64_t **out)
{
    size_t nw = ((size_t)v->ndocs + 63) / 64;
    uint64_t *bm = ndb_calloc(nw ? nw : 1, sizeof *bm);
    ndb_rc rc = NDB_OK;
    if (!bm)
        return NDB_ENOMEM;
    for (uint32_t i = 0; i < n && rc == NDB_OK; i++) {
        if (!c[i])
            continue;
        uint32_t ticks = 0;
        for (uint32_t d = ndb_cursor_next(c[i]); d != NDB_DOC_END;) {
            const uint32_t *dc;
            uint32_t base, m = ndb_cursor_bulk(c[i], &dc, NULL, &base), last = d;
            if (m == 0 && d < v->ndocs) /* a cursor without bulk reads: this doc */
                bm[d >> 6] |= (uint64_t)1 << (d & 63);
            for (uint32_t j = 0; j < m; j++) { /* the rest of the decoded block */
                last = base + dc[j];
                if (last < v->ndocs)
                    bm[last >> 6] |= (uint64_t)1 << (last & 63);
            }
            if (exec_past_deadline(v, &ticks, m ? m : 1)) {
                rc = NDB_ELIMIT;
                break;
            }
            d = m == 0 ? ndb_cursor_next(c[i])
                : last >= NDB_DOC_END - 1 ? NDB_DOC_END : ndb_cursor_seek_geq(c[i], last + 1);
        }
        if (rc == NDB_OK)
            rc = c[i]->err;
    }
    if (rc != NDB_OK) {
        ndb_free(bm);
        bm = NULL;
    }
    *out = bm;
    return rc;
}

/* Count of an OR of terms over an all-live view: each list's docs are walked without
** freqs or positions and marked in a bitmap of the view's ids, then the bits are counted
** (no heap, no per-doc merge). Used when the lists hold at least ndocs/1024 postings: the
** bitmap's ndocs/8 bytes (zeroed, then counted) cost less than the heap merge's ~25 ns per
** posting (1M docs: two- and three-word ORs of 10k-30k postings 250-780 us by the heap,
** 46-72 us by the bitmap); *done = false leaves the count to the generic walk. */
static ndb_rc exec_count_or_terms(const qnode *root, const ndb_view *v, uint64_t *count,
                                  bool *done)
{
    ndb_rc rc = NDB_OK;
    uint64_t sum = 0, *bm = NULL;
    ndb_cursor **c = ndb_calloc(root->nkids, sizeof *c);
    *done = false;
    if (!c)
        return NDB_ENOMEM;
    for (uint32_t i = 0; i < root->nkids && rc == NDB_OK; i++) {
        rc = v->term(v->ctx, root->kids[i]->s.p, root->kids[i]->s.n, false, &c[i]);
        if (rc == NDB_OK && c[i])
            sum += c[i]->df;
    }
    if (rc != NDB_OK || sum < (uint64_t)v->ndocs / 1024)
        goto out;
    size_t nw = ((size_t)v->ndocs + 63) / 64;
    rc = exec_or_bitmap(v, c, root->nkids, &bm);
    if (rc == NDB_OK) {
        uint64_t n = 0;
        for (size_t w = 0; w < nw; w++)
            n += (uint64_t)__builtin_popcountll(bm[w]);
        *count = n;
        *done = true;
    }
out:
    for (uint32_t i = 0; i < root->nkids; i++)
        ndb_cursor_close(c[i]);
    ndb_free(c);
    ndb_free(bm);
    return rc;
}

/* Keep of ids[0..n) (ascending) those list c holds (keep == true) or does not hold
** (keep == false); returns how many are kept, in ids[0..). c moves forward only, never past
** the block holding the last id: its skip entries jump over blocks that hold no id, and a
** decoded block is merged with the ids (by the byte map `map` when given, else
** exec_block_geq) instead of one seek call per id. c must be positioned (a doc read) and never be beyond an id it has not been asked about. */
static uint32_t exec_isect_list(ndb_cursor *c, uint8_t *map, uint32_t span, uint32_t *ids,
                                uint32_t n, bool keep)
{
    uint32_t k = 0, j = 0;
    while (j < n) {
        uint32_t x = c->doc >= ids[j] ? c->doc : ndb_cursor_seek_geq(c, ids[j]);
        const uint32_t *dc;
        uint32_t base, m = x == NDB_DOC_END ? 0 : ndb_cursor_bulk(c, &dc, NULL, &base);
        if (m == 0) { /* past the end, or a cursor without bulk reads: this id alone */
            ids[k] = ids[j];
            k += (x == ids[j]) == keep;
            j++;
            continue;
        }
        uint32_t last = base + dc[m - 1], a = 0, j2 = j;
        while (j2 < n && ids[j2] <= last)
            j2++;
        if (map && ids[j2 - 1] - ids[j] < span) { /* ids[j..j2) by the byte map */
            k += exec_map_filter(map, ids[j], ids[j2 - 1], dc, m, base, ids + j, j2 - j,
                                 ids + k, keep);
            j = j2;
        }
        for (; j < n && ids[j] <= last; j++) { /* ids[j] >= x >= base */
            uint32_t u = ids[j] - base;
            a = exec_block_geq(dc, m, a, u);
            ids[k] = ids[j];
            k += (dc[a] == u) == keep;
        }
    }
    return k;
}

static bool exec_is_or_of_terms(const qnode *n)
{
    if (n->kind != QN_OR || n->nkids == 0)
        return false;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind != QN_TERM)
            return false;
    return true;
}

/* Count of an AND of terms, negated terms, at most one OR of terms and column filters
** (date, outlet, language) on an all-live view. Candidates come from the rarest positive
** term a decoded block at a time (ndb_cursor_bulk), or from a bitmap of the OR's lists when
** the AND has no plain term; each batch of up to 128 candidates is merged with the other
** positive and the negated lists block by block (exec_isect_list), then the survivors'
** 16-byte column records are prefetched together, so their cache misses overlap instead of
** costing one full memory round trip per candidate, and the filters are tested on them;
** the OR's lists are seeked last. Same count as the iterator tree (ndb_query_each). */
#define EXEC_CF_MAX 16

typedef struct exec_cf {
    const ndb_view *v;
    ndb_cursor *lead;                            /* rarest positive term, or NULL */
    ndb_cursor *pos[EXEC_CF_MAX], *neg[EXEC_CF_MAX], *alt[EXEC_CF_MAX];
    uint32_t npos, nneg, nalt;
    bool date, outlet, lang, empty;
    int32_t lo, hi;
    uint32_t oid;
    const uint32_t *oids; /* the outlet's list when it leads (rarer than every term) */
    uint32_t noids;
    ndb_lang_set langs;
    uint64_t n;
    uint32_t ticks;
    uint8_t *map; /* byte map of exec_isect_list (EXEC_MAP_SPAN zero bytes) */
    uint32_t map_span;
} exec_cf;

/* Set up from the AND's kids; false when the shape is not handled (caller falls back). */
static bool exec_cf_shape(const qnode *root)
{
    if (root->kind != QN_AND || root->lang_branch)
        return false;
    uint32_t nt = 0, nn = 0, nor = 0, nd = 0, no = 0, nl = 0;
    for (uint32_t i = 0; i < root->nkids; i++) {
        const qnode *k = root->kids[i];
        if (k->kind == QN_TERM)
            nt++;
        else if (k->kind == QN_NOT && k->kids[0]->kind == QN_TERM)
            nn++;
        else if (k->kind == QN_OR && exec_is_or_of_terms(k) && k->nkids <= EXEC_CF_MAX)
            nor++;
        else if (k->kind == QN_DATE)
            nd++;
        else if (k->kind == QN_OUTLET)
            no++;
        else if (k->kind == QN_LANG)
            nl++;
        else
            return false;
    }
    return nt + nor > 0 && nt <= EXEC_CF_MAX && nn <= EXEC_CF_MAX && nor <= 1 && nd <= 1 &&
           no <= 1 && nl <= 1;
}

static ndb_rc exec_cf_open(exec_cf *cf, const qnode *root)
{
    const ndb_view *v = cf->v;
    ndb_rc rc = NDB_OK;
    for (uint32_t i = 0; i < root->nkids && rc == NDB_OK && !cf->empty; i++) {
        const qnode *k = root->kids[i];
        ndb_cursor *c = NULL;
        switch (k->kind) {
        case QN_TERM:
            rc = v->term(v->ctx, k->s.p, k->s.n, false, &c);
            if (rc == NDB_OK && !c)
                cf->empty = true;
            else if (rc == NDB_OK)
                cf->pos[cf->npos++] = c;
            break;
        case QN_NOT:
            rc = v->term(v->ctx, k->kids[0]->s.p, k->kids[0]->s.n, false, &c);
            if (rc == NDB_OK && c)
                cf->neg[cf->nneg++] = c;
            break;
        case QN_OR:
            for (uint32_t j = 0; j < k->nkids && rc == NDB_OK; j++) {
                c = NULL;
                rc = v->term(v->ctx, k->kids[j]->s.p, k->kids[j]->s.n, false, &c);
                if (rc == NDB_OK && c)
                    cf->alt[cf->nalt++] = c;
            }
            if (rc == NDB_OK && cf->nalt == 0)
                cf->empty = true;
            break;
        case QN_DATE:
            cf->date = true;
            cf->lo = k->lo;
            cf->hi = k->hi;
            break;
        case QN_OUTLET:
            cf->outlet = true;
            if (!v->outlet_id(v->ctx, k->s.p, k->s.n, &cf->oid))
                cf->empty = true;
            break;
        case QN_LANG:
            cf->lang = true;
            cf->langs = k->langs;
            break;
        default:
            break;
        }
    }
    /* the rarest positive term leads */
    for (uint32_t i = 1; i < cf->npos; i++)
        if (cf->pos[i]->df < cf->pos[0]->df) {
            ndb_cursor *t = cf->pos[0];
            cf->pos[0] = cf->pos[i];
            cf->pos[i] = t;
        }
    if (cf->npos) {
        cf->lead = cf->pos[0];
        cf->pos[0] = cf->pos[--cf->npos];
    }
    return rc;
}

static void exec_cf_close(exec_cf *cf)
{
    ndb_cursor_close(cf->lead);
    for (uint32_t i = 0; i < cf->npos; i++)
        ndb_cursor_close(cf->pos[i]);
    for (uint32_t i = 0; i < cf->nneg; i++)
        ndb_cursor_close(cf->neg[i]);
    for (uint32_t i = 0; i < cf->nalt; i++)
        ndb_cursor_close(cf->alt[i]);
}

/* Does the list hold d? (its cursor is never behind an earlier, smaller d) */
static bool exec_cf_at(ndb_cursor *c, uint32_t d)
{
    return (c->doc >= d ? c->doc : ndb_cursor_seek_geq(c, d)) == d;
}

/* Count the candidates ids[0..n) (ascending) that pass every filter and list (ids is
** overwritten). The lists are merged first (exec_isect_list), so only their survivors'
** column records are read. */
static void exec_cf_batch(exec_cf *cf, uint32_t *ids, uint32_t n)
{
    const ndb_col *cols = cf->v->cols;
    for (uint32_t i = 0; i < cf->npos && n; i++)
        n = exec_isect_list(cf->pos[i], cf->map, cf->map_span, ids, n, true);
    for (uint32_t i = 0; i < cf->nneg && n; i++)
        n = exec_isect_list(cf->neg[i], cf->map, cf->map_span, ids, n, false);
    bool cols_needed = cf->date || cf->outlet || cf->lang;
    for (uint32_t j = 0; cols_needed && j < n; j++)
        __builtin_prefetch(&cols[ids[j]]);
    for (uint32_t j = 0; j < n; j++) {
        uint32_t d = ids[j];
        const ndb_col *c = &cols[d];
        if (cf->date && (c->date == NDB_DATE_NONE || c->date < cf->lo || c->date > cf->hi))
            continue;
        if (cf->outlet && c->outlet != cf->oid)
            continue;
        if (cf->lang && !ndb_lang_set_has(&cf->langs, ndb_col_lang(c)))
            continue;
        bool ok = true;
        if (cf->nalt) {
            ok = false;
            for (uint32_t i = 0; i < cf->nalt && !ok; i++)
                ok = exec_cf_at(cf->alt[i], d);
        }
        cf->n += ok;
    }
}

static ndb_rc exec_cf_deadline(exec_cf *cf, uint32_t n)
{
    return exec_past_deadline(cf->v, &cf->ticks, n) ? NDB_ELIMIT : NDB_OK;
}

static ndb_rc exec_count_filtered(const qnode *root, const ndb_view *v, uint64_t *count,
                                  bool *done)
{
    exec_cf cf;
    uint64_t *bm = NULL;
    uint32_t ids[NDB_BLOCK_DOCS];
    memset(&cf, 0, sizeof cf);
    cf.v = v;
    *done = false;
    if (!exec_cf_shape(root))
        return NDB_OK;
    ndb_rc rc = exec_cf_open(&cf, root);
    /* the outlet's list leads when it is shorter than the rarest term's: the term joins the
    ** merged lists and no column record is read for the outlet */
    const uint32_t *oids;
    uint32_t noids;
    if (rc == NDB_OK && !cf.empty && cf.outlet && cf.lead && v->outlet_docs &&
        v->outlet_docs(v->ctx, cf.oid, &oids, &noids) && noids < cf.lead->df) {
        cf.pos[cf.npos++] = cf.lead;
        cf.lead = NULL;
        cf.oids = oids;
        cf.noids = noids;
        cf.outlet = false;
        cf.empty = noids == 0;
    }
    if (rc == NDB_OK && cf.npos + cf.nneg > 0 && !(cf.map = ndb_calloc(EXEC_MAP_SPAN, 1)))
        rc = NDB_ENOMEM;
    cf.map_span = exec_map_span();
    /* cursors first positioned (doc is meaningless before): start them at 0 */
    for (uint32_t i = 0; rc == NDB_OK && !cf.empty && i < cf.npos; i++)
        ndb_cursor_seek_geq(cf.pos[i], 0);
    for (uint32_t i = 0; rc == NDB_OK && !cf.empty && i < cf.nneg; i++)
        ndb_cursor_seek_geq(cf.neg[i], 0);
    for (uint32_t i = 0; rc == NDB_OK && !cf.empty && (cf.lead || cf.oids) && i < cf.nalt; i++)
        ndb_cursor_seek_geq(cf.alt[i], 0); /* (an OR that leads is read whole, unstarted) */
    if (rc != NDB_OK || cf.empty)
        goto out;
    if (cf.oids) {
        for (uint32_t at = 0; at < cf.noids && rc == NDB_OK; at += NDB_BLOCK_DOCS) {
            uint32_t n = cf.noids - at < NDB_BLOCK_DOCS ? cf.noids - at : NDB_BLOCK_DOCS;
            memcpy(ids, cf.oids + at, n * sizeof *ids);
            exec_cf_batch(&cf, ids, n);
            rc = exec_cf_deadline(&cf, n);
        }
    } else if (cf.lead) {
        uint32_t d = ndb_cursor_seek_geq(cf.lead, 0);
        while (d != NDB_DOC_END && rc == NDB_OK) {
            const uint32_t *dc;
            uint32_t base, n = ndb_cursor_bulk(cf.lead, &dc, NULL, &base);
            bool bulk = n > 0;
            if (!bulk) { /* a cursor without bulk reads: one doc */
                ids[0] = d;
                n = 1;
            }
            for (uint32_t j = 0; bulk && j < n; j++)
                ids[j] = base + dc[j];
            exec_cf_batch(&cf, ids, n);
            rc = exec_cf_deadline(&cf, n);
            if (ids[n - 1] >= NDB_DOC_END - 1)
                break;
            d = bulk ? ndb_cursor_seek_geq(cf.lead, ids[n - 1] + 1) : ndb_cursor_next(cf.lead);
        }
    } else { /* the OR leads: mark its lists in a bitmap, walk the set bits */
        size_t nw = ((size_t)v->ndocs + 63) / 64;
        rc = exec_or_bitmap(v, cf.alt, cf.nalt, &bm);
        for (uint32_t i = 0; i < cf.nalt; i++) /* read whole: the bitmap is the OR now */
            ndb_cursor_close(cf.alt[i]);
        cf.nalt = 0;
        uint32_t n = 0;
        for (size_t w = 0; w < nw && rc == NDB_OK; w++) {
            for (uint64_t b = bm[w]; b; b &= b - 1) {
                ids[n++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
                if (n == NDB_BLOCK_DOCS) {
                    exec_cf_batch(&cf, ids, n);
                    rc = exec_cf_deadline(&cf, n);
                    n = 0;
                }
            }
        }
        if (rc == NDB_OK && n)
            exec_cf_batch(&cf, ids, n);
    }
    for (uint32_t i = 0; rc == NDB_OK && i < cf.npos; i++)
        rc = cf.pos[i]->err;
    for (uint32_t i = 0; rc == NDB_OK && i < cf.nneg; i++)
        rc = cf.neg[i]->err;
    for (uint32_t i = 0; rc == NDB_OK && i < cf.nalt; i++)
        rc = cf.alt[i]->err;
    if (rc == NDB_OK && cf.lead)
        rc = cf.lead->err;
out:
    if (rc == NDB_OK) {
        *count = cf.empty ? 0 : cf.n;
        *done = true;
    }
    ndb_free(bm);
    ndb_free(cf.map);
    exec_cf_close(&cf);
    return rc;
}


/* The error of a failed fast count path. */
static ndb_rc exec_count_fail(ndb_rc rc, ndb_err *err)
{
    if (rc == NDB_ENOMEM)
        return ndb_err_set(err, rc, "query: out of memory");
    if (rc == NDB_ELIMIT)
        return ndb_err_set(err, rc, "query: time budget exceeded (stopped before the "
                                    "end of the matches; narrow the query)");
    return ndb_err_set(err, rc, "query: reading the index failed (%s)", ndb_strerror(rc));
}

ndb_rc ndb_query_count(const ndb_query *q, const ndb_view *v, uint64_t *count, ndb_err *err)
{
    *count = 0;
    if (v->all_live && exec_is_or_of_terms(q->root)) {
        bool done;
        ndb_err_clear(err);
        ndb_rc rc = exec_count_or_terms(q->root, v, count, &done);
        if (rc != NDB_OK) {
            *count = 0;
            return exec_count_fail(rc, err);
        }
        if (done)
            return NDB_OK;
    }
    if (v->all_live && q->root->kind == QN_AND) {
        bool done;
        ndb_err_clear(err);
        ndb_rc rc = exec_count_filtered(q->root, v, count, &done);
        if (rc != NDB_OK) {
            *count = 0;
            return exec_count_fail(rc, err);
        }
        if (done)
            return NDB_OK;
    }
    if (q->root->kind == QN_TERM && v->all_live) {
        /* every doc live: a term's count is its document frequency (no list walk) */
        ndb_cursor *c = NULL;
        ndb_err_clear(err);
        ndb_rc rc = v->term(v->ctx, q->root->s.p, q->root->s.n, false, &c);
        if (rc == NDB_OK && c)
            *count = c->df;
        ndb_cursor_close(c);
        if (rc != NDB_OK)
            ndb_err_set(err, rc, "query: reading the index failed (%s)", ndb_strerror(rc));
        return rc;
    }
    return ndb_query_each(q, v, exec_count_fn, count, err);
}

/* ---------------------------------------------------------------- top-k */

typedef struct exec_term {
    ndb_cursor *c; /* NULL when the term is not indexed */
    double idf;
    bool started;
    uint32_t blk_last; /* block-max cache */
    double blk_ub;
    bool blk_valid;
} exec_term;

/* t's cursor at its first doc >= d (it seeks only when not started or behind d). */
static uint32_t exec_term_reach(qexec *ex, exec_term *t, uint32_t d)
{
    if (!t->started || t->c->doc < d) {
        t->started = true;
        return exec_cursor_seek(ex, t->c, d);
    }
    return t->c->doc;
}

typedef struct exec_topk {
    qexec ex;
    const ndb_query *q;
    exec_term *t;     /* [q->nsterms] */
    ndb_collector *col;
    bool prune;
    const uint8_t *norms; /* the view's norm bytes, or NULL (fast path only) */
    double nk[256];       /* with norms: BM25's length term at each byte's floor length */
    size_t k;
    bool w_full;          /* k hits held; w is the worst (exec_offer keeps both) */
    ndb_collect_hit w;
    bool *req;            /* AND core: [nsterms], a scoring term every match holds */
    bool need_opt;        /* AND core with an OR of terms: one of the others must be at d */
} exec_topk;

static ndb_rc exec_open_sterms(exec_topk *tk)
{
    const ndb_view *v = tk->ex.v;
    tk->t = ndb_calloc(tk->q->nsterms ? tk->q->nsterms : 1, sizeof *tk->t);
    if (!tk->t)
        return NDB_ENOMEM;
    for (size_t i = 0; i < tk->q->nsterms; i++) {
        const qstr *s = &tk->q->sterms[i];
        ndb_rc rc = v->term(v->ctx, s->p, s->n, false, &tk->t[i].c);
        if (rc != NDB_OK)
            return rc;
        if (tk->t[i].c)
            tk->t[i].idf = exec_idf(&tk->ex, v->ndocs, tk->t[i].c->df);
    }
    return NDB_OK;
}

static void exec_close_sterms(exec_topk *tk)
{
    for (size_t i = 0; tk->t && i < tk->q->nsterms; i++)
        ndb_cursor_close(tk->t[i].c);
    ndb_free(tk->t);
}

/* Score of doc d: every scoring term's cursor is positioned at d or past it already. */
/* Scoring term i's part of the score of a doc holding it tf times, c the doc's column
** record: its BM25, or 0 when the term came from another language's analysis than the
** doc's. Every exact score is the sum of these over i ascending (exec_score_at, and
** exec_ow_doc, which must give the same bits). */
static inline double exec_term_part(const exec_topk *tk, size_t i, uint32_t tf, const ndb_col *c)
{
    if (tk->q->sterm_langs && !ndb_lang_set_has(&tk->q->sterm_langs[i], ndb_col_lang(c)))
        return 0.0;
    return exec_bm25(&tk->ex, tk->t[i].idf, tf, c->len, tk->ex.avgdl);
}

static double exec_score_at(exec_topk *tk, uint32_t d)
{
    double s = 0.0;
    for (size_t i = 0; i < tk->q->nsterms; i++) {
        exec_term *t = &tk->t[i];
        if (t->c && t->c->doc == d && t->started)
            s += exec_term_part(tk, i, ndb_cursor_freq(t->c), &tk->ex.v->cols[d]);
    }
    return s;
}

static ndb_rc exec_offer(exec_topk *tk, uint32_t d, double score)
{
    ndb_collect_hit h = {d, tk->ex.v->cols[d].date, score};
    ndb_rc rc = ndb_collect_topk_offer(tk->col, &h);
    tk->w_full = ndb_collect_topk_worst(tk->col, &tk->w);
    return rc;
}

/* Exhaustive: iterate the root's matches; score each with the scoring cursors. */
static ndb_rc exec_topk_exhaustive(exec_topk *tk, uint64_t *total, ndb_err *err)
{
    qit *root = NULL;
    ndb_rc rc = exec_build_err(&tk->ex, tk->q->root, &root, err);
    if (rc != NDB_OK)
        goto out;
    for (uint32_t d = qit_next_match(root, 0);
         d != NDB_DOC_END && rc == NDB_OK && tk->ex.rc == NDB_OK;
         d = d == NDB_DOC_END - 1 ? NDB_DOC_END : qit_next_match(root, d + 1)) {
        if (!exec_live(&tk->ex, d))
            continue;
        if (total)
            (*total)++;
        for (size_t i = 0; i < tk->q->nsterms; i++) {
            exec_term *t = &tk->t[i];
            if (t->c)
                exec_term_reach(&tk->ex, t, d);
        }
        rc = exec_offer(tk, d, exec_score_at(tk, d));
    }
out:
    qit_free(root);
    return rc;
}

/* Upper bound of term t's score in the block holding d (t's cursor is at d). */
static double exec_block_ub(exec_topk *tk, exec_term *t, uint32_t d)
{
    if (!t->blk_valid || d > t->blk_last) {
        t->blk_last = ndb_cursor_block_seek(t->c, d);
        t->blk_ub = exec_bm25_block(&tk->ex, t->idf, ndb_cursor_block_max_tf(t->c),
                                    ndb_cursor_block_min_dlr(t->c), tk->ex.avgdl);
        t->blk_valid = true;
    }
    return t->blk_ub;
}

/* Can no doc whose score is at most ub enter the top k any more? (id 0 is the most
** favourable tie-break, so this holds for every doc.) */
static bool exec_ub_dead(exec_topk *tk, double ub)
{
    /* !ndb_collect_topk_admits(col, 0, 0, s) by score, from the worst hit cached by
    ** exec_offer: no call per bound test */
    if (!tk->w_full)
        return tk->k == 0;
    double s = ub * (1.0 + 1e-9);
    return s < tk->w.score || (s == tk->w.score && tk->w.id == 0);
}

/* Can doc d not enter, by the norm byte's lower bound of its length? Its terms from index
** `from` of tk->t whose cursors are at d are scored at that bound (BM25 falls with the
** length, so each is an upper bound of its exact score), plus `extra` (bounds of terms
** not yet looked at). Reads one byte per doc instead of the 16-byte column. */
/* tk->nk[q] = k1 (1 - b + max(b floor(q) / avgdl, b_floor)), the operations of exec_bm25 at
** dl = ndb_norm_floor(q) in its order, so exec_bm25_norm is that score bit for bit with one
** division instead of two. */
static void exec_norm_table(exec_topk *tk)
{
    const qexec *ex = &tk->ex;
    for (uint32_t q = 0; q < 256; q++) {
        double bn = ex->b * (double)ndb_norm_floor((uint8_t)q) / ex->avgdl;
        if (bn < ex->b_floor)
            bn = ex->b_floor;
        tk->nk[q] = ex->k1 * (1.0 - ex->b + bn);
    }
}

/* exec_bm25(idf, tf, ndb_norm_floor(q)): BM25 at the norm byte's floor length. */
static inline double exec_bm25_norm(const exec_topk *tk, double idf, uint32_t tf, uint8_t q)
{
    double f = (double)tf;
    return idf * (f * (tk->ex.k1 + 1.0)) / (f + tk->nk[q]);
}

static bool exec_norm_dead(exec_topk *tk, uint32_t d, size_t from, double extra)
{
    uint8_t q = tk->norms[d];
    double ub = extra;
    for (size_t i = from; i < tk->q->nsterms; i++) {
        exec_term *t = &tk->t[i];
        if (t->c && t->started && t->c->doc == d)
            ub += exec_bm25_norm(tk, t->idf, ndb_cursor_freq(t->c), q);
    }
    return exec_ub_dead(tk, ub);
}

/* A match d was found (cursors of present terms at d): count it, maybe score it. */
static ndb_rc exec_fast_hit(exec_topk *tk, uint32_t d, ndb_sort sort)
{
    if (sort == NDB_SORT_SCORE && tk->norms && exec_norm_dead(tk, d, 0, 0.0))
        return NDB_OK; /* out on its length's lower bound: no column read */
    int32_t date = tk->ex.v->cols[d].date;
    if (sort != NDB_SORT_SCORE) {
        if (!ndb_collect_topk_admits(tk->col, d, date, 0.0))
            return NDB_OK;
    } else if (!ndb_collect_topk_admits(tk->col, d, date, 0.0)) {
        double ub = 0.0;
        for (size_t i = 0; i < tk->q->nsterms; i++) {
            exec_term *t = &tk->t[i];
            if (t->c && t->started && t->c->doc == d)
                ub += exec_block_ub(tk, t, d);
        }
        if (!ndb_collect_topk_admits(tk->col, d, date, ub * (1.0 + 1e-9)))
            return NDB_OK;
    }
    return exec_offer(tk, d, exec_score_at(tk, d));
}

/* Non-scoring parts of the fast path: positives must match at d, negatives must not. */
#define EXEC_COLF_MAX 4
typedef struct exec_checks {
    qit **it;
    bool *neg;
    uint32_t n;
    qit *lead; /* a positive phrase among them, or an outlet's list (lead_always), or NULL */
    bool lead_always; /* the lead leads also once k hits are held (not only until then) */
    /* the positive column filters among them (date, outlet, language), also tested
    ** directly on a doc's column record before it is scored (exec_cols_pass) */
    const qit_filter *colf[EXEC_COLF_MAX];
    uint32_t ncolf;
    /* the ascending docs of a positive outlet filter among them, when known and not leading
    ** (exec_fast_term gallops through them with a block's docs before any column read:
    ** a doc of another outlet costs no 16-byte column record), else NULL */
    const uint32_t *oids;
    uint32_t noids;
    uint32_t oat; /* exec_and_window: the gallop's position in oids */
} exec_checks;

/* Does column record c pass the checks' column filters? (a necessary condition of
** exec_checks_pass, read from the record the scoring reads anyway) */
static bool exec_cols_pass(const exec_checks *ch, const ndb_col *c)
{
    for (uint32_t i = 0; i < ch->ncolf; i++)
        if (!exec_filter_holds(ch->colf[i], c))
            return false;
    return true;
}

static bool exec_checks_pass(exec_checks *ch, uint32_t d)
{
    for (uint32_t i = 0; i < ch->n; i++) {
        bool m = qit_seek(ch->it[i], d) == d && qit_confirm(ch->it[i]);
        if (m == ch->neg[i])
            return false;
    }
    return true;
}

/* Per-tf length cut of the single-term loop: a doc with tf f < EXEC_CUT_TF and length
** dl > cut[f] scores at most `worst` (so cannot enter); tf >= EXEC_CUT_TF is scored. */
#define EXEC_CUT_TF 32
/* An outlet's list leads the AND core when this many times shorter than its rarest term. */
#define EXEC_OLIST_LEAD 8u
/* Lists this long read the view's norm bytes (ndb_view.norms) before the 16-byte column. */
#define EXEC_NORMS_DF 4096u

/* cut[f] for the score `worst` to beat. BM25 falls with dl: score(f, dl) <= worst for
** dl >= x_f = ((idf (k1+1) f / worst - f) / k1 - 1 + b) avgdl / b (the b_floor clamp only
** lowers scores). cut[f] = x_f with a 1e-6 relative margin plus one token, far beyond the
** double rounding of the score (1e-15), so a doc past the cut is certainly out and every
** doc that may enter is scored exactly. No cut (UINT32_MAX) when b, k1 or worst is 0. */
static void exec_term_cuts(const qexec *ex, double idf, double worst, uint32_t *cut)
{
    bool on = ex->b > 0 && ex->k1 > 0 && worst > 0 && idf > 0;
    /* x_f = f * c1 + c0 (one division per new worst, not one per tf) */
    double c1 = on ? (idf * (ex->k1 + 1.0) / worst - 1.0) * ex->avgdl / (ex->k1 * ex->b) : 0;
    double c0 = on ? (ex->b - 1.0) * ex->avgdl / ex->b : 0;
    cut[0] = UINT32_MAX;
    for (uint32_t f = 1; f < EXEC_CUT_TF; f++) {
        double x = (double)f * c1 + c0;
        x = x + fabs(x) * 1e-6 + 1.0;
        cut[f] = !on || x >= 4e9 ? UINT32_MAX : x < 1.0 ? 1u : (uint32_t)x;
    }
}

/* One scoring term by score without a total (block-max, as Ding & Suel's BMW for one list):
** docs arrive in id order, so once k hits are held a doc enters iff its score is strictly
** above the worst held (an equal score loses the tie-break to the lower ids held). A block
** whose bound (exec_bm25_block of its max tf and min dl / tf, with a 1e-9 relative margin
** against rounding) cannot beat it is jumped over without decoding. The other blocks are
** read in bulk (ndb_cursor_bulk: decoded doc ids and freqs, no call per posting); with an
** outlet filter whose docs are known (ch->oids) only the block's docs of that outlet go on
** (a gallop through its list); a doc whose length is past its tf's cut (exec_term_cuts)
** cannot enter and costs one norm byte read (a one-byte lower bound of its length, 1 MB at
** 1M docs, against 16 MB of columns) or, near the cut, one column read; the rest are
** scored exactly, and the doc's checks run only for a score that enters. Scores come from
** exec_bm25 exactly as exec_score_at computes them. */
static ndb_rc exec_fast_term(exec_topk *tk, exec_checks *ch)
{
    exec_term *t = &tk->t[0];
    ndb_cursor *c = t->c;
    const ndb_view *v = tk->ex.v;
    const ndb_col *cols = v->cols;
    const double avgdl = tk->ex.avgdl, idf = t->idf;
    ndb_collect_hit worst = {0, 0, 0.0};
    bool full = false, blk_valid = false;
    uint32_t blk_last = 0, cut[EXEC_CUT_TF], oi = 0;
    uint8_t qcut[EXEC_CUT_TF];
    ndb_rc rc = NDB_OK;
    for (uint32_t f = 0; f < EXEC_CUT_TF; f++) {
        cut[f] = UINT32_MAX;
        qcut[f] = ndb_norm_encode(UINT32_MAX);
    }
    const uint8_t *norms = tk->norms;
    t->started = true;
    uint32_t d = exec_cursor_seek(&tk->ex, c, 0);
    while (d != NDB_DOC_END) {
        if (full && (!blk_valid || d > blk_last)) {
            /* the first block from d on whose bound can beat the worst held, found on the
            ** skip entries alone (the blocks passed over are not decoded, not even their
            ** doc ids); the cursor then seeks into it */
            uint32_t from = d;
            bool live = false;
            for (;;) {
                blk_last = ndb_cursor_block_seek(c, from);
                if (blk_last == NDB_DOC_END)
                    break;
                double ub = exec_bm25_block(&tk->ex, idf, ndb_cursor_block_max_tf(c),
                                            ndb_cursor_block_min_dlr(c), avgdl);
                if (ub * (1.0 + 1e-9) > worst.score) {
                    live = true;
                    break;
                }
                if (blk_last >= NDB_DOC_END - 1)
                    break;
                from = blk_last + 1;
            }
            blk_valid = true;
            if (!live)
                break;
            if (from > d && (d = exec_cursor_seek(&tk->ex, c, from)) == NDB_DOC_END)
                break;
        }
        const uint32_t *dc, *fq;
        uint32_t base, n = ndb_cursor_bulk(c, &dc, &fq, &base);
        if (n == 0) { /* a cursor without bulk reads: one posting */
            dc = fq = NULL;
            n = 1;
        }
        uint32_t last = dc ? base + dc[n - 1] : d;
        uint8_t sv[NDB_BLOCK_DOCS];
        uint32_t ns = n;
        bool by_sv = dc && ((full && norms) || ch->oids);
        if (by_sv && full && norms) {
            /* k hits held: a pass without branches keeps the postings whose norm byte is
            ** within their tf's cut (the loop below tests again: cuts only tighten) */
            ns = 0;
            for (uint32_t j = 0; j < n; j++) {
                uint8_t qc = fq[j] < EXEC_CUT_TF ? qcut[fq[j]] : 255;
                sv[ns] = (uint8_t)j;
                ns += norms[base + dc[j]] <= qc;
            }
        } else if (by_sv) {
            for (uint32_t j = 0; j < n; j++)
                sv[j] = (uint8_t)j;
        }
        if (by_sv && ch->oids) {
            /* then the outlet's docs: those it holds (oi only moves on; a gallop per doc
            ** costs less than the column read it saves, not less than the norm byte's) */
            uint32_t m = ns;
            ns = 0;
            for (uint32_t i = 0; i < m; i++) {
                uint32_t u = base + dc[sv[i]];
                oi = (uint32_t)ndb_gallop_geq(ch->oids, oi, ch->noids, u);
                sv[ns] = sv[i];
                ns += oi < ch->noids && ch->oids[oi] == u;
            }
        }
        for (uint32_t i = 0; !full && dc && i < ns; i++) /* each is scored: overlap the misses */
            __builtin_prefetch(&cols[base + dc[by_sv ? sv[i] : i]]);
        for (uint32_t i = 0; i < ns; i++) {
            uint32_t j = by_sv ? sv[i] : i;
            uint32_t dd = dc ? base + dc[j] : d, f = fq ? fq[j] : ndb_cursor_freq(c);
            if (f < EXEC_CUT_TF && norms && norms[dd] > qcut[f])
                continue; /* its length's lower bound is already past the cut */
            if (!exec_cols_pass(ch, &cols[dd]))
                continue; /* a column filter rules it out: not scored */
            uint32_t dl = cols[dd].len;
            if (f < EXEC_CUT_TF && dl > cut[f])
                continue;
            double s = exec_bm25(&tk->ex, idf, f, dl, avgdl);
            if ((!full || s > worst.score) && exec_live(&tk->ex, dd) && exec_checks_pass(ch, dd)) {
                if ((rc = exec_offer(tk, dd, s)) != NDB_OK)
                    return rc;
                full = ndb_collect_topk_worst(tk->col, &worst);
                if (full) {
                    exec_term_cuts(&tk->ex, idf, worst.score, cut);
                    for (uint32_t g = 0; g < EXEC_CUT_TF; g++)
                        qcut[g] = ndb_norm_encode(cut[g]);
                }
            }
            if (tk->ex.rc != NDB_OK)
                return rc;
        }
        if (exec_past_deadline(v, &tk->ex.ticks, n))
            tk->ex.rc = NDB_ELIMIT; /* most docs never reach exec_live here */
        if (tk->ex.rc != NDB_OK || last >= NDB_DOC_END - 1)
            break;
        d = dc ? ndb_cursor_seek_geq(c, last + 1) : ndb_cursor_next(c);
        if (d == NDB_DOC_END && c->err != NDB_OK && tk->ex.rc == NDB_OK)
            tk->ex.rc = c->err;
    }
    return rc;
}

/* Next window of the AND core's required cursors t[ord[0..n)] (rarest first; the two
** rarest lend decoded blocks; exec_pair_window): the candidates (docs of both rarest
** lists; the caller seeks the other lists to them) from doc *from on go to out[], with
** their norm bytes and column records prefetched. By score without a total, once k hits
** are held (prune), a range whose blocks' score bounds (block max tf at the block's min
** length of every required list, plus the optional terms' list bounds `opt_ub`) cannot
** enter is passed over on the skip entries alone, without decoding (block-max AND).
** Returns false at the end of a list or on an error. */
static bool exec_and_window(exec_topk *tk, exec_checks *ch, const uint32_t *ord, size_t n,
                            bool prune, double opt_ub, uint8_t *map, uint32_t *from,
                            uint32_t *out, uint32_t *nout)
{
    *nout = 0;
    for (;;) {
        uint32_t d = *from;
        if (d == NDB_DOC_END || tk->ex.rc != NDB_OK)
            return false;
        if (prune) {
            double ub = opt_ub;
            uint32_t e = NDB_DOC_END;
            for (size_t i = 0; i < n; i++) {
                exec_term *t = &tk->t[ord[i]];
                ub += exec_block_ub(tk, t, d);
                if (t->blk_last < e)
                    e = t->blk_last;
            }
            if (e == NDB_DOC_END)
                return false;
            if (exec_ub_dead(tk, ub)) {
                *from = e + 1;
                if (exec_past_deadline(tk->ex.v, &tk->ex.ticks, 1))
                    tk->ex.rc = NDB_ELIMIT;
                continue;
            }
        }
        for (size_t i = 0; i < 2; i++) {
            exec_term *t = &tk->t[ord[i]];
            if (!t->started) {
                t->started = true;
                if (exec_cursor_seek(&tk->ex, t->c, d) == NDB_DOC_END)
                    return false;
            }
        }
        if (!exec_pair_window(&tk->ex, tk->t[ord[0]].c, tk->t[ord[1]].c, map, from, out,
                              nout))
            return false;
        if (*nout && ch->oids) { /* the outlet's docs only: a gallop, no column read */
            uint32_t k = 0, oi = ch->oat;
            for (uint32_t j = 0; j < *nout; j++) {
                oi = (uint32_t)ndb_gallop_geq(ch->oids, oi, ch->noids, out[j]);
                out[k] = out[j];
                k += oi < ch->noids && ch->oids[oi] == out[j];
            }
            ch->oat = oi;
            *nout = k;
            if (oi == ch->noids && !k)
                return false; /* past the outlet's last doc: nothing more matches */
        }
        if (*nout) {
            const ndb_col *cols = tk->ex.v->cols;
            for (uint32_t j = 0; j < *nout; j++) {
                if (tk->norms)
                    __builtin_prefetch(&tk->norms[out[j]]);
                __builtin_prefetch(&cols[out[j]]);
            }
            return true;
        }
    }
}

/* AND core: leapfrog of the scoring cursors, rarest first; each doc where all meet is
** checked (filters, negations, phrases) and offered. By score without a total, once k hits
** are held, a doc's score comes first (its norm-byte bound, then exact) and its checks run
** only if it would enter, so a phrase's positions are read for few docs; until then a
** phrase among the checks leads (its matches found by its own iterator). */
static ndb_rc exec_fast_and(exec_topk *tk, exec_checks *ch, ndb_sort sort, uint64_t *total)
{
    ndb_rc rc = NDB_OK;
    size_t n = 0, nopt = 0;
    uint8_t *map = NULL; /* exec_pair_window's byte map */
    uint32_t *ord = ndb_calloc(tk->q->nsterms * 2 + 1, sizeof *ord), *opt = ord + tk->q->nsterms;
    if (!ord)
        return NDB_ENOMEM;
    for (size_t i = 0; i < tk->q->nsterms; i++) {
        if (!tk->req[i]) { /* an OR check's term: scored where present */
            if (tk->t[i].c)
                opt[nopt++] = (uint32_t)i;
            continue;
        }
        if (!tk->t[i].c)
            goto out; /* a missing term: nothing matches */
        size_t p = n++;
        while (p > 0 && tk->t[ord[p - 1]].c->df > tk->t[i].c->df) {
            ord[p] = ord[p - 1];
            p--;
        }
        ord[p] = (uint32_t)i;
    }
    uint32_t d = 0;
    bool full = false; /* the collector holds k hits (by score, no total) */
    /* windows (exec_and_window) when every required list lends decoded blocks */
    bool windows = n >= 2 && tk->t[ord[0]].c->ops->bulk && tk->t[ord[1]].c->ops->bulk;
    if (windows && !(map = ndb_calloc(EXEC_MAP_SPAN, 1))) {
        rc = NDB_ENOMEM;
        goto out;
    }
    double opt_ub = 0.0;
    for (size_t j = 0; j < nopt; j++) {
        ndb_cursor *c = tk->t[opt[j]].c;
        opt_ub += exec_bm25(&tk->ex, tk->t[opt[j]].idf, c->max_tf, c->min_dl ? c->min_dl : 1,
                            tk->ex.avgdl);
    }
    uint32_t win[NDB_BLOCK_DOCS], nwin = 0, wi = 0, wfrom = 0;
    for (;;) {
        size_t i = 0;
        if (ch->lead && (!full || ch->lead_always)) {
            /* a phrase leads until k hits are held: its own doc-only leapfrog and position
            ** check find the matches; the scoring cursors move only to them */
            d = qit_next_match(ch->lead, d);
            if (d == NDB_DOC_END || tk->ex.rc != NDB_OK)
                goto out;
        } else if (windows) {
            /* the next doc of all required lists: a candidate of the current window that
            ** the other lists hold too (the leapfrog below then has nothing to do) */
            for (bool hit = false; !hit;) {
                while (wi < nwin && win[wi] < d)
                    wi++;
                if (wi == nwin) {
                    bool prune = full && !total && sort == NDB_SORT_SCORE;
                    if (wfrom < d)
                        wfrom = d;
                    wi = 0;
                    if (!exec_and_window(tk, ch, ord, n, prune, opt_ub, map, &wfrom, win, &nwin))
                        goto out;
                }
                d = win[wi++];
                hit = true;
                for (size_t r = 2; r < n && hit; r++) {
                    uint32_t x = exec_term_reach(&tk->ex, &tk->t[ord[r]], d);
                    if (x == NDB_DOC_END)
                        goto out;
                    hit = x == d;
                }
            }
        }
        while (i < n) {
            uint32_t x = exec_term_reach(&tk->ex, &tk->t[ord[i]], d);
            if (x == NDB_DOC_END)
                goto out;
            if (x > d) {
                d = x;
                i = i == 0 ? 1 : 0;
                continue;
            }
            i++;
        }
        bool any = false;
        for (size_t j = 0; j < nopt; j++) { /* optional terms: position them at d */
            any = exec_term_reach(&tk->ex, &tk->t[opt[j]], d) == d || any;
        }
        if (tk->need_opt && !any) { /* the OR beside the AND does not match at d */
            if (d == NDB_DOC_END - 1 || tk->ex.rc != NDB_OK)
                goto out;
            d++;
            continue;
        }
        if (!total && sort == NDB_SORT_SCORE && full) {
            /* by score without a total, k hits held: the score first (norm-byte bound, then
            ** exact), the checks (a phrase's positions, filters) only for a doc that would
            ** enter. Until k are held nothing can be ruled out: checks first (below). */
            const ndb_view *v = tk->ex.v;
            if (exec_past_deadline(v, &tk->ex.ticks, 1))
                tk->ex.rc = NDB_ELIMIT; /* most docs never reach exec_live here */
            else if (!(tk->norms && exec_norm_dead(tk, d, 0, 0.0)) &&
                     exec_cols_pass(ch, &v->cols[d])) {
                double sc = exec_score_at(tk, d);
                if (ndb_collect_topk_admits(tk->col, d, tk->ex.v->cols[d].date, sc) &&
                    exec_live(&tk->ex, d) && exec_checks_pass(ch, d) &&
                    (rc = exec_offer(tk, d, sc)) != NDB_OK)
                    goto out;
            }
        } else if (exec_cols_pass(ch, &tk->ex.v->cols[d]) && exec_live(&tk->ex, d) &&
                   exec_checks_pass(ch, d)) {
            if (total)
                (*total)++;
            rc = exec_fast_hit(tk, d, sort);
            if (rc != NDB_OK)
                goto out;
            ndb_collect_hit w;
            full = full || ndb_collect_topk_worst(tk->col, &w);
        }
        if (d == NDB_DOC_END - 1 || tk->ex.rc != NDB_OK)
            goto out;
        d++;
    }
out:
    ndb_free(map);
    ndb_free(ord);
    return rc;
}

/* OR core by score without an exact total: MaxScore (Turtle & Flood) a window of docs at a
** time (the shape of Lucene's BooleanScorer). Terms are sorted by their list-level score
** bound; the longest prefix whose bounds sum to a score that can no longer enter is
** "non-essential": only docs of the other (essential) terms are visited. The essential
** lists' postings in [w, w + or_window) are walked block by block (ndb_cursor_bulk, no call
** per posting) into per-doc sums of their bounds at the norm byte's lower bound of the
** length (upper bounds of the exact scores: most docs drop out without a read of their
** 16-byte column) and a bitmap, and kept as (doc, tf) per list. The window's docs are then
** visited in order: a doc's bound is tightened while the non-essential cursors are seeked
** to it, highest bound first, and it is dropped as soon as the bound cannot enter;
** survivors are scored exactly (exec_score_at's sum, in its order). With one essential list
** its blocks are walked directly. The essential set is updated per window. A doc with only
** non-essential terms scores at most their sum, so no hit is lost; hits and scores are those
** of the exhaustive path. (Without the view's norm bytes, out of memory, the OR is scored
** exhaustively: exec_fast_or.) */
typedef struct exec_owl {
    uint32_t *d, *tf; /* the window's postings of this list (doc, tf), ascending */
    uint32_t n, cap, at;
} exec_owl;

typedef struct exec_ow {
    exec_topk *tk;
    exec_checks *ch;
    size_t n, m;       /* lists, and the first essential one */
    exec_term **o;     /* [n] by list-level bound, ascending */
    double *pre;       /* [n + 1]: pre[i] is the sum of the i lowest bounds */
    int32_t *lof;      /* [nsterms]: tk->t index -> o index, or -1 */
    exec_owl *l;       /* [n] */
    double *acc;       /* [or_window]: per doc, its essential bounds */
    uint64_t bits[EXEC_OW / 64]; /* the window's docs with an essential posting */
} exec_ow;

/* The rest of c's current block (ndb_cursor_bulk); a cursor without blocks to lend gives
** its one posting through *one (doc, tf). */
static inline uint32_t exec_ow_bulk(ndb_cursor *c, const uint32_t **dc, const uint32_t **fc,
                                    uint32_t *base, uint32_t one[2])
{
    uint32_t cnt = ndb_cursor_bulk(c, dc, fc, base);
    if (cnt)
        return cnt;
    one[0] = c->doc;
    one[1] = ndb_cursor_freq(c);
    *dc = &one[0];
    *fc = &one[1];
    *base = 0;
    return 1;
}

/* Append the postings of essential list k in [.., hi] to its exec_owl, their bounds to
** acc[] (index doc - w) and bits[]; its cursor ends past hi. false on an error (ex->rc set)
** or out of memory. */
static bool exec_ow_fill(exec_ow *ow, size_t k, uint32_t w, uint32_t hi)
{
    exec_topk *tk = ow->tk;
    ndb_cursor *c = ow->o[k]->c;
    exec_owl *l = &ow->l[k];
    double idf = ow->o[k]->idf, *acc = ow->acc;
    const uint8_t *norms = tk->norms;
    l->n = l->at = 0;
    while (c->doc <= hi && tk->ex.rc == NDB_OK) {
        const uint32_t *dc, *fc;
        uint32_t base, one[2], cnt = exec_ow_bulk(c, &dc, &fc, &base, one);
        if (l->n + cnt > l->cap) {
            uint32_t cap = l->cap ? l->cap : 256;
            while (cap < l->n + cnt)
                cap *= 2;
            uint32_t *nd = ndb_realloc(l->d, (size_t)cap * sizeof *nd);
            if (nd)
                l->d = nd;
            uint32_t *nt = nd ? ndb_realloc(l->tf, (size_t)cap * sizeof *nt) : NULL;
            if (!nt)
                return false;
            l->tf = nt;
            l->cap = cap;
        }
        uint32_t j = 0, n = l->n;
        while (j < cnt && base + dc[j] <= hi)
            j++;
        for (uint32_t i = 0; i < j; i++) {
            uint32_t d = base + dc[i], off = d - w;
            acc[off] += exec_bm25_norm(tk, idf, fc[i], norms[d]);
            ow->bits[off >> 6] |= 1ull << (off & 63);
            l->d[n + i] = d;
            l->tf[n + i] = fc[i];
        }
        l->n = n + j;
        /* on past the window's last posting (ids < NDB_DOC_END: no wrap) */
        if (exec_cursor_seek(&tk->ex, c, j < cnt ? base + dc[j] : base + dc[cnt - 1] + 1) ==
            NDB_DOC_END)
            break;
    }
    return tk->ex.rc == NDB_OK;
}

/* Doc d with its essential bounds summed in ubd: tightened with the non-essential terms at
** the norm byte's bound (highest bound first, their cursors seeked to d), then tested,
** scored exactly and offered. The essential tfs: one_tf when a single list is essential
** (its cursor is on d), else the window's. */
static ndb_rc exec_ow_doc(exec_ow *ow, uint32_t d, double ubd, uint32_t one_tf)
{
    exec_topk *tk = ow->tk;
    const ndb_col *cols = tk->ex.v->cols;
    uint8_t lq = tk->norms[d];
    for (size_t i = ow->m; i-- > 0;) {
        exec_term *t = ow->o[i];
        if (exec_ub_dead(tk, ubd + ow->pre[i + 1]))
            return NDB_OK;
        if ((t->c->doc < d ? exec_cursor_seek(&tk->ex, t->c, d) : t->c->doc) == d)
            ubd += exec_bm25_norm(tk, t->idf, ndb_cursor_freq(t->c), lq);
    }
    if (exec_ub_dead(tk, ubd) || !exec_live(&tk->ex, d) || !exec_checks_pass(ow->ch, d))
        return NDB_OK;
    double sc = 0.0;
    for (size_t i = 0; i < tk->q->nsterms; i++) {
        exec_term *t = &tk->t[i];
        int32_t p = ow->lof[i];
        uint32_t tf = 0;
        if (p < 0)
            continue;
        if ((size_t)p < ow->m) { /* non-essential: its cursor is at d or past it */
            if (t->c->doc == d)
                tf = ndb_cursor_freq(t->c);
        } else if (one_tf) {
            tf = one_tf;
        } else {
            exec_owl *x = &ow->l[p];
            while (x->at < x->n && x->d[x->at] < d)
                x->at++;
            if (x->at < x->n && x->d[x->at] == d)
                tf = x->tf[x->at];
        }
        if (tf)
            sc += exec_term_part(tk, i, tf, &cols[d]);
    }
    return exec_offer(tk, d, sc);
}

/* One essential list: the rest of its current block, each doc a candidate. */
static ndb_rc exec_ow_one(exec_ow *ow)
{
    exec_topk *tk = ow->tk;
    exec_term *t = ow->o[ow->m];
    ndb_cursor *c = t->c;
    const uint32_t *dc, *fc;
    uint32_t base, one[2], cnt = exec_ow_bulk(c, &dc, &fc, &base, one);
    ndb_rc rc = NDB_OK;
    double all_ne = ow->pre[ow->m]; /* every non-essential bound */
    for (uint32_t j = 0; j < cnt && rc == NDB_OK && tk->ex.rc == NDB_OK; j++) {
        uint32_t d = base + dc[j];
        double ubd = exec_bm25_norm(tk, t->idf, fc[j], tk->norms[d]);
        if (!exec_ub_dead(tk, ubd + all_ne))
            rc = exec_ow_doc(ow, d, ubd, fc[j]);
    }
    exec_cursor_seek(&tk->ex, c, base + dc[cnt - 1] + 1); /* ids < NDB_DOC_END: no wrap */
    return rc;
}

static ndb_rc exec_fast_or_window(exec_topk *tk, exec_checks *ch)
{
    ndb_rc rc = NDB_OK;
    size_t nst = tk->q->nsterms;
    exec_ow *ow = ndb_calloc(1, sizeof *ow);
    double *ub = ndb_calloc(nst + 1, sizeof *ub);
    if (ow) {
        ow->o = ndb_calloc(nst + 1, sizeof *ow->o);
        ow->pre = ndb_calloc(nst + 1, sizeof *ow->pre);
        ow->lof = ndb_calloc(nst + 1, sizeof *ow->lof);
        ow->l = ndb_calloc(nst + 1, sizeof *ow->l);
        ow->acc = ndb_calloc(tk->ex.or_window, sizeof *ow->acc);
    }
    if (!ow || !ub || !ow->o || !ow->pre || !ow->lof || !ow->l || !ow->acc) {
        rc = NDB_ENOMEM;
        goto out;
    }
    ow->tk = tk;
    ow->ch = ch;
    for (size_t i = 0; i < nst; i++) {
        exec_term *t = &tk->t[i];
        ow->lof[i] = -1;
        if (!t->c)
            continue;
        double u = exec_bm25(&tk->ex, t->idf, t->c->max_tf, t->c->min_dl ? t->c->min_dl : 1,
                             tk->ex.avgdl);
        size_t p = ow->n++;
        while (p > 0 && ub[p - 1] > u) {
            ub[p] = ub[p - 1];
            ow->o[p] = ow->o[p - 1];
            p--;
        }
        ub[p] = u;
        ow->o[p] = t;
        t->started = true;
        exec_cursor_seek(&tk->ex, t->c, 0);
    }
    for (size_t p = 0; p < ow->n; p++) {
        ow->lof[ow->o[p] - tk->t] = (int32_t)p;
        ow->pre[p + 1] = ow->pre[p] + ub[p];
    }
    while (rc == NDB_OK && tk->ex.rc == NDB_OK) {
        uint32_t w = NDB_DOC_END;
        while (ow->m < ow->n && exec_ub_dead(tk, ow->pre[ow->m + 1]))
            ow->m++;
        for (size_t i = ow->m; i < ow->n; i++)
            if (ow->o[i]->c->doc < w)
                w = ow->o[i]->c->doc;
        if (w == NDB_DOC_END)
            break;
        if (ow->m + 1 == ow->n) {
            rc = exec_ow_one(ow);
            continue;
        }
        uint32_t span = tk->ex.or_window;
        uint32_t hi = w > NDB_DOC_END - span ? NDB_DOC_END - 1 : w + span - 1;
        for (size_t i = ow->m; i < ow->n && rc == NDB_OK; i++)
            if (!exec_ow_fill(ow, i, w, hi) && tk->ex.rc == NDB_OK)
                rc = NDB_ENOMEM;
        double all_ne = ow->pre[ow->m]; /* every non-essential bound */
        for (uint32_t b = 0; b <= (hi - w) / 64; b++) {
            uint64_t x = ow->bits[b];
            ow->bits[b] = 0;
            for (; x; x &= x - 1) {
                uint32_t off = b * 64 + (uint32_t)__builtin_ctzll(x);
                double ubd = ow->acc[off];
                ow->acc[off] = 0.0; /* the window is left clear, stopped or not */
                if (rc == NDB_OK && tk->ex.rc == NDB_OK && !exec_ub_dead(tk, ubd + all_ne))
                    rc = exec_ow_doc(ow, w + off, ubd, 0);
            }
        }
    }
out:
    for (size_t i = 0; ow && ow->l && i < ow->n; i++) {
        ndb_free(ow->l[i].d);
        ndb_free(ow->l[i].tf);
    }
    if (ow) {
        ndb_free(ow->o);
        ndb_free(ow->pre);
        ndb_free(ow->lof);
        ndb_free(ow->l);
        ndb_free(ow->acc);
    }
    ndb_free(ow);
    ndb_free(ub);
    return rc;
}

static ndb_rc exec_fast_or(exec_topk *tk, exec_checks *ch, ndb_sort sort, uint64_t *total)
{
    ndb_rc rc = NDB_OK;
    size_t n = tk->q->nsterms;
    for (size_t i = 0; i < n; i++) {
        if (tk->t[i].c) {
            tk->t[i].started = true;
            exec_cursor_seek(&tk->ex, tk->t[i].c, 0);
        }
    }
    for (;;) {
        uint32_t d = NDB_DOC_END;
        for (size_t i = 0; i < n; i++)
            if (tk->t[i].c && tk->t[i].c->doc < d)
                d = tk->t[i].c->doc;
        if (d == NDB_DOC_END || tk->ex.rc != NDB_OK)
            break;
        if (exec_live(&tk->ex, d) && exec_checks_pass(ch, d)) {
            if (total)
                (*total)++;
            rc = exec_fast_hit(tk, d, sort);
            if (rc != NDB_OK)
                break;
        }
        for (size_t i = 0; i < n; i++) {
            exec_term *t = &tk->t[i];
            if (t->c && t->c->doc == d) {
                uint32_t x = ndb_cursor_next(t->c);
                if (x == NDB_DOC_END && t->c->err != NDB_OK && tk->ex.rc == NDB_OK)
                    tk->ex.rc = t->c->err;
            }
        }
    }
    return rc;
}

/* Does the root have the fast-path shape? *or_core: the scoring core is one OR of terms;
** *core: that OR node (or NULL for an AND / single-term core). A phrase joins an AND core
** as a check: its words are scoring terms, so the AND of all scoring terms holds for each
** of its matches. */
static bool exec_fast_shape(const qnode *root, bool *or_core, const qnode **core)
{
    const qnode *const *parts = &root;
    uint32_t np = 1, nterms = 0, nors = 0, nphrases = 0;
    if (root->kind == QN_AND) {
        parts = (const qnode *const *)root->kids;
        np = root->nkids;
    }
    *core = NULL;
    for (uint32_t i = 0; i < np; i++) {
        const qnode *p = parts[i];
        switch (p->kind) {
        case QN_TERM:
            nterms++;
            break;
        case QN_OR:
            for (uint32_t j = 0; j < p->nkids; j++)
                if (p->kids[j]->kind != QN_TERM)
                    return false;
            nors++;
            *core = p;
            break;
        case QN_PHRASE: /* a check; its words are scoring terms, all in the AND core */
            nphrases++;
            break;
        case QN_PREFIX:
        case QN_OUTLET:
        case QN_LANG:
        case QN_DATE:
        case QN_URL:
        case QN_ID:
        case QN_NOT:
            break;
        default:
            return false;
        }
    }
    /* an OR alone is the core (MaxScore); beside terms or phrases it is a check of the AND
    ** core, its terms scored where present (Lucene's required + optional) */
    *or_core = nors == 1 && nterms == 0 && nphrases == 0;
    if (nors == 1 && !*or_core)
        *core = NULL;
    return nors <= 1 && (nors == 1 || nterms > 0 || nphrases > 0);
}

static ndb_rc exec_topk_fast(exec_topk *tk, bool or_core, const qnode *core, ndb_sort sort,
                             uint64_t *total, ndb_err *err)
{
    const qnode *root = tk->q->root;
    const qnode *const *parts = &root;
    uint32_t np = 1;
    exec_checks ch = {0};
    qit *olead = NULL; /* an outlet's list leading the AND core, or NULL */
    const qnode *or_part = NULL;
    ndb_rc rc = NDB_OK;
    if (root->kind == QN_AND) {
        parts = (const qnode *const *)root->kids;
        np = root->nkids;
    }
    ch.it = ndb_calloc(np, sizeof *ch.it);
    ch.neg = ndb_calloc(np, sizeof *ch.neg);
    tk->req = ndb_calloc(tk->q->nsterms + 1, sizeof *tk->req);
    if (!ch.it || !ch.neg || !tk->req) {
        rc = NDB_ENOMEM;
        goto out;
    }
    /* required scoring terms: the AND's own terms and phrase words (not an OR check's) */
    for (size_t i = 0; i < tk->q->nsterms; i++) {
        const qstr *st = &tk->q->sterms[i];
        for (uint32_t j = 0; j < np && !tk->req[i]; j++) {
            const qnode *p = parts[j];
            if (p->kind == QN_TERM)
                tk->req[i] = p->s.n == st->n && memcmp(p->s.p, st->p, st->n) == 0;
            for (uint32_t w = 0; p->kind == QN_PHRASE && w < p->nterms && !tk->req[i]; w++)
                tk->req[i] = p->terms[w].n == st->n && memcmp(p->terms[w].p, st->p, st->n) == 0;
        }
    }
    for (uint32_t i = 0; i < np && rc == NDB_OK; i++) {
        const qnode *p = parts[i];
        if (p->kind == QN_TERM || p == core)
            continue;
        if (p->kind == QN_OR && !or_core) { /* tested by the scoring cursors (need_opt) */
            or_part = p;
            continue;
        }
        ch.neg[ch.n] = p->kind == QN_NOT;
        rc = exec_build_err(&tk->ex, ch.neg[ch.n] ? p->kids[0] : p, &ch.it[ch.n], err);
        if (rc == NDB_OK && p->kind == QN_PHRASE && !ch.lead)
            ch.lead = ch.it[ch.n];
        if (rc == NDB_OK && !ch.neg[ch.n] && ch.it[ch.n]->ops == &exec_filter_ops &&
            ch.ncolf < EXEC_COLF_MAX)
            ch.colf[ch.ncolf++] = (const qit_filter *)ch.it[ch.n];
        if (rc == NDB_OK)
            ch.n++;
    }
    if (rc != NDB_OK)
        goto out;
    /* the OR beside an AND core holds where one of its terms is; always if one is required */
    tk->need_opt = or_part != NULL;
    for (uint32_t j = 0; or_part && j < or_part->nkids; j++)
        for (size_t i = 0; i < tk->q->nsterms; i++)
            if (tk->req[i] && or_part->kids[j]->s.n == tk->q->sterms[i].n &&
                memcmp(or_part->kids[j]->s.p, tk->q->sterms[i].p, tk->q->sterms[i].n) == 0)
                tk->need_opt = false;
    uint64_t dfsum = 0;
    for (size_t i = 0; i < tk->q->nsterms; i++)
        dfsum += tk->t[i].c ? tk->t[i].c->df : 0;
    /* norm bytes: built once per archive handle; small archives build them at once */
    if (sort == NDB_SORT_SCORE && tk->ex.v->norms &&
        (dfsum >= EXEC_NORMS_DF || tk->ex.v->ndocs <= 65536u))
        tk->norms = tk->ex.v->norms(tk->ex.v->ctx);
    if (tk->norms)
        exec_norm_table(tk);
    /* an outlet's list far rarer than the one required term leads: the term is seeked to
    ** its docs instead of a column read per posting. Each lead doc costs a seek, so the
    ** list must be EXEC_OLIST_LEAD times shorter than the term (below that the term path,
    ** with its block-max pruning, was measured faster at 1M docs, and the list screens the
    ** term's blocks instead). With two or more terms their intersection (exec_and_window)
    ** leads, which was faster than the list leading even at a 14x shorter list, and the
    ** list screens its windows: a doc of another outlet costs a gallop step, not a read of
    ** its column record. */
    if (!or_core && !ch.lead && tk->ex.v->outlet_docs) {
        uint64_t mindf = UINT64_MAX;
        uint32_t nreq = 0;
        for (size_t i = 0; i < tk->q->nsterms; i++)
            if (tk->req[i] && tk->t[i].c && tk->t[i].c->df < mindf)
                mindf = tk->t[i].c->df;
        for (size_t i = 0; i < tk->q->nsterms; i++)
            nreq += tk->req[i];
        const qit_filter *of = NULL;
        for (uint32_t i = 0; i < ch.ncolf && !of; i++)
            if (ch.colf[i]->kind == QN_OUTLET)
                of = ch.colf[i];
        const uint32_t *ids;
        uint32_t nids;
        bool known = of && mindf != UINT64_MAX &&
                     tk->ex.v->outlet_docs(tk->ex.v->ctx, of->outlet, &ids, &nids);
        if (known && (nreq != 1 || (uint64_t)nids * EXEC_OLIST_LEAD >= mindf)) {
            ch.oids = ids; /* the terms lead; the list screens their blocks or windows */
            ch.noids = nids;
        } else if (known) {
            qit_filter *f = exec_alloc(&tk->ex, sizeof *f, &exec_olist_ops);
            if (!f) {
                rc = NDB_ENOMEM;
                goto out;
            }
            f->kind = QN_OUTLET;
            f->outlet = of->outlet;
            f->ids = ids;
            f->nids = nids;
            f->base.cost = nids;
            olead = &f->base;
            ch.lead = olead;
            ch.lead_always = true;
        }
    }
    if (or_core && !total && sort == NDB_SORT_SCORE && tk->norms)
        rc = exec_fast_or_window(tk, &ch);
    else if (or_core)
        rc = exec_fast_or(tk, &ch, sort, total);
    else if (tk->q->nsterms == 1 && tk->t[0].c && !total && sort == NDB_SORT_SCORE &&
             !ch.lead_always)
        rc = exec_fast_term(tk, &ch);
    else
        rc = exec_fast_and(tk, &ch, sort, total);
out:
    for (uint32_t i = 0; i < ch.n; i++)
        qit_free(ch.it[i]);
    qit_free(olead);
    ndb_free(ch.it);
    ndb_free(ch.neg);
    ndb_free(tk->req);
    tk->req = NULL;
    return rc;
}

ndb_rc ndb_query_topk(const ndb_query *q, const ndb_view *v, size_t k, ndb_sort sort,
                      bool exhaustive, ndb_query_hit *hits, size_t *nhits, uint64_t *total,
                      ndb_err *err)
{
    exec_topk tk = {0};
    ndb_rc rc;
    bool or_core = false;
    const qnode *core = NULL;
    ndb_err_clear(err);
    *nhits = 0;
    if (total)
        *total = 0;
    exec_init(&tk.ex, v);
    exec_init_bm25(&tk.ex, q);
    tk.q = q;
    tk.k = k;
    rc = ndb_collect_topk_new(k, sort, v->cols, v->ndocs, &tk.col);
    if (rc != NDB_OK)
        goto out;
    rc = exec_open_sterms(&tk);
    if (rc != NDB_OK)
        goto out;
    if (!exhaustive && !q->sterm_langs && exec_fast_shape(q->root, &or_core, &core))
        rc = exec_topk_fast(&tk, or_core, core, sort, total, err);
    else
        rc = exec_topk_exhaustive(&tk, total, err);
    if (rc == NDB_OK)
        rc = tk.ex.rc;
    for (size_t i = 0; rc == NDB_OK && i < q->nsterms; i++)
        if (tk.t[i].c && tk.t[i].c->err != NDB_OK)
            rc = tk.t[i].c->err;
    if (rc != NDB_OK)
        goto out;
    rc = ndb_collector_finish(tk.col, err);
    if (rc != NDB_OK)
        goto out;
    size_t n;
    const ndb_collect_hit *h = ndb_collect_topk_hits(tk.col, &n);
    for (size_t i = 0; i < n; i++) {
        hits[i].id = h[i].id;
        hits[i].score = h[i].score;
    }
    *nhits = n;
out:
    exec_close_sterms(&tk);
    ndb_collector_free(tk.col);
    if (rc != NDB_OK && total)
        *total = 0;
    return exec_finish_rc(&tk.ex, rc, err);
}
