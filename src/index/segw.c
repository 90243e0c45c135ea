/*
** segw.c — the in-memory segment writer (ndb_segw_*) and its serializer.
**
** What: collects the tokens of docs base, base+1, ... and writes them as one segment file.
** Shape (Lucene's in-memory postings, simplified): an open-addressing hash table maps term
** bytes (kept in one arena) to a per-term record with two byte streams:
**   docs:  per doc, varint (local id + 1 - previous local id + 1), varint freq
**   pos:   per occurrence, varint position (first of a doc) or gap to the previous one
** A term's current doc is kept open (cur, freq) and goes to `docs` when the term is next
** seen in a later doc, so add_token is O(1) amortised and never sorts. Serializing sorts the
** terms once and re-encodes each list through the streaming file writer (seg_int.h); the
** writer itself is not modified, so a failed write can be retried.
**
** Invariants: ids strictly consecutive from base; add_token only inside a doc; per term
** positions strictly ascending within a doc; a term's open doc is the last doc it occurs in.
**
** State machine:  IDLE --begin_doc--> IN_DOC --end_doc--> IDLE;  write needs IDLE.
** Threading: one thread at a time.
*/
#include "index/seg_int.h"

#include <stdlib.h>

_Static_assert(NDB_TERM_MAX == NDB_TERMDICT_MAX, "segment and dictionary term limits differ");

typedef struct segw_term {
    uint64_t hash;
    uint32_t toff, tlen; /* bytes in the arena */
    uint32_t prev1;      /* last flushed local doc + 1 (0: none) */
    uint32_t cur;        /* local id of the open doc */
    uint32_t freq;       /* occurrences in the open doc (0: none open) */
    uint32_t last_pos;
    ndb_buf docs, pos;
} segw_term;

struct ndb_segw {
    uint32_t base, ndocs;
    bool in_doc;
    ndb_buf arena;   /* term bytes */
    ndb_buf doclens; /* u32 per doc, native endian */
    segw_term *terms;
    size_t nterms, cap;
    uint32_t *slots; /* index + 1 into terms, 0 = empty; power of two */
    size_t nslots;
    size_t stream_mem; /* sum of the term streams' capacities */
    uint64_t total_len;
};

ndb_rc ndb_segw_new(uint32_t base, ndb_segw **out)
{
    ndb_segw *w = ndb_calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return NDB_ENOMEM;
    w->base = base;
    ndb_buf_init(&w->arena, UINT32_MAX);
    ndb_buf_init(&w->doclens, NDB_BUF_NOMAX);
    w->slots = ndb_calloc(1024, sizeof(uint32_t));
    if (!w->slots) {
        ndb_free(w);
        return NDB_ENOMEM;
    }
    w->nslots = 1024;
    *out = w;
    return NDB_OK;
}

void ndb_segw_free(ndb_segw *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nterms; i++) {
        ndb_buf_fini(&w->terms[i].docs);
        ndb_buf_fini(&w->terms[i].pos);
    }
    ndb_free(w->terms);
    ndb_free(w->slots);
    ndb_buf_fini(&w->arena);
    ndb_buf_fini(&w->doclens);
    ndb_free(w);
}

uint32_t ndb_segw_ndocs(const ndb_segw *w)
{
    return w->ndocs;
}

size_t ndb_segw_mem(const ndb_segw *w)
{
    return sizeof *w + w->arena.cap + w->doclens.cap + w->cap * sizeof(segw_term) +
           w->nslots * sizeof(uint32_t) + w->stream_mem;
}

ndb_rc ndb_segw_begin_doc(ndb_segw *w, uint32_t id)
{
    if (w->in_doc || id != w->base + w->ndocs || id == NDB_DOC_END ||
        (uint64_t)w->base + w->ndocs >= UINT32_MAX)
        return NDB_EINVAL;
    w->in_doc = true;
    return NDB_OK;
}

ndb_rc ndb_segw_end_doc(ndb_segw *w, uint32_t doclen)
{
    ndb_rc rc;
    if (!w->in_doc)
        return NDB_EINVAL;
    if ((rc = ndb_buf_append(&w->doclens, &doclen, sizeof doclen)) != NDB_OK)
        return rc;
    w->total_len += doclen;
    w->ndocs++;
    w->in_doc = false;
    return NDB_OK;
}

static ndb_rc segw_grow_slots(ndb_segw *w)
{
    size_t n = w->nslots * 2;
    uint32_t *s = ndb_calloc(n, sizeof(uint32_t));
    if (!s)
        return NDB_ENOMEM;
    for (size_t i = 0; i < w->nterms; i++) {
        size_t k = (size_t)w->terms[i].hash & (n - 1);
        while (s[k])
            k = (k + 1) & (n - 1);
        s[k] = (uint32_t)(i + 1);
    }
    ndb_free(w->slots);
    w->slots = s;
    w->nslots = n;
    return NDB_OK;
}

/* Find or insert term; *out is its record. */
static ndb_rc segw_lookup(ndb_segw *w, const char *t, size_t n, segw_term **out)
{
    uint64_t h = ndb_hash64(t, n);
    size_t k = (size_t)h & (w->nslots - 1);
    ndb_rc rc;
    while (w->slots[k]) {
        segw_term *e = &w->terms[w->slots[k] - 1];
        if (e->hash == h && e->tlen == n && memcmp(w->arena.p + e->toff, t, n) == 0) {
            *out = e;
            return NDB_OK;
        }
        k = (k + 1) & (w->nslots - 1);
    }
    if (w->nterms == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1024;
        segw_term *nt = ndb_realloc(w->terms, cap * sizeof *nt);
        if (!nt)
            return NDB_ENOMEM;
        w->terms = nt;
        w->cap = cap;
    }
    if (w->nterms >= UINT32_MAX - 1)
        return NDB_ELIMIT;
    size_t toff = w->arena.n;
    if ((rc = ndb_buf_append(&w->arena, t, n)) != NDB_OK)
        return rc;
    segw_term *e = &w->terms[w->nterms];
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->toff = (uint32_t)toff;
    e->tlen = (uint32_t)n;
    ndb_buf_init(&e->docs, NDB_BUF_NOMAX);
    ndb_buf_init(&e->pos, NDB_BUF_NOMAX);
    w->slots[k] = (uint32_t)(++w->nterms);
    *out = e;
    if (2 * w->nterms > w->nslots && (rc = segw_grow_slots(w)) != NDB_OK) {
        *out = NULL; /* the term stays; the table is still valid, just full-ish */
        return rc;
    }
    *out = &w->terms[w->nterms - 1];
    return NDB_OK;
}

static ndb_rc segw_append(ndb_segw *w, ndb_buf *b, uint64_t v)
{
    size_t cap = b->cap;
    ndb_rc rc = ndb_buf_append_varint(b, v);
    w->stream_mem += b->cap - cap;
    return rc;
}

/* Move the term's open doc into its docs stream. */
static ndb_rc segw_close_doc(ndb_segw *w, segw_term *e)
{
    ndb_rc rc = segw_append(w, &e->docs, (uint64_t)e->cur + 1 - e->prev1);
    if (rc == NDB_OK)
        rc = segw_append(w, &e->docs, e->freq);
    if (rc == NDB_OK) {
        e->prev1 = e->cur + 1;
        e->freq = 0;
    }
    return rc;
}

ndb_rc ndb_segw_add_token(ndb_segw *w, const char *term, size_t n, uint32_t pos)
{
    segw_term *e = NULL;
    ndb_rc rc;
    uint32_t doc = w->ndocs;
    if (!w->in_doc || n == 0 || n > NDB_TERMDICT_MAX)
        return NDB_EINVAL;
    if ((rc = segw_lookup(w, term, n, &e)) != NDB_OK)
        return rc;
    if (e->freq > 0 && e->cur != doc && (rc = segw_close_doc(w, e)) != NDB_OK)
        return rc;
    if (e->freq > 0 && pos <= e->last_pos)
        return NDB_EINVAL;
    if (e->freq == UINT32_MAX)
        return NDB_ELIMIT;
    if ((rc = segw_append(w, &e->pos, e->freq == 0 ? pos : pos - e->last_pos)) != NDB_OK)
        return rc;
    e->cur = doc;
    e->freq++;
    e->last_pos = pos;
    return NDB_OK;
}

/* ------------------------------------------------------------ serializer */

typedef struct segw_sorted {
    const uint8_t *p;
    uint32_t n, idx;
} segw_sorted;

static int segw_cmp(const void *a, const void *b)
{
    const segw_sorted *x = a, *y = b;
    int c = memcmp(x->p, y->p, NDB_MIN(x->n, y->n));
    if (c != 0)
        return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* Re-encode term e's streams through o. pos scratch grows to the largest doc's freq. */
static ndb_rc segw_put_term(ndb_segw *w, ndb_segout *o, const segw_term *e, uint32_t **scratch,
                            size_t *cap, ndb_err *err)
{
    ndb_rd dr, pr;
    uint32_t prev1 = 0;
    const uint32_t *dl = (const uint32_t *)w->doclens.p;
    ndb_rc rc = NDB_OK;
    static const uint8_t none[1];
    ndb_rd_init(&dr, e->docs.n ? e->docs.p : none, e->docs.n, NDB_EINVAL);
    ndb_rd_init(&pr, e->pos.n ? e->pos.p : none, e->pos.n, NDB_EINVAL);
    ndb_segout_term_begin(o);
    for (bool open = e->freq > 0; rc == NDB_OK && (ndb_rd_left(&dr) > 0 || open);) {
        uint32_t d1, f;
        if (ndb_rd_left(&dr) > 0) {
            if (ndb_rd_varint32(&dr, &d1) || ndb_rd_varint32(&dr, &f))
                return ndb_err_set(err, NDB_EINVAL, "segment writer: bad stream");
            d1 += prev1;
        } else {
            d1 = e->cur + 1;
            f = e->freq;
            open = false;
        }
        prev1 = d1;
        if (f > *cap) {
            uint32_t *ns = ndb_realloc(*scratch, (size_t)f * sizeof(uint32_t));
            if (!ns)
                return ndb_err_set(err, NDB_ENOMEM, "segment writer: out of memory");
            *scratch = ns;
            *cap = f;
        }
        for (uint32_t j = 0; j < f; j++) {
            uint32_t v;
            if (ndb_rd_varint32(&pr, &v))
                return ndb_err_set(err, NDB_EINVAL, "segment writer: bad stream");
            (*scratch)[j] = j == 0 ? v : (*scratch)[j - 1] + v;
        }
        rc = ndb_segout_term_add(o, d1 - 1, f, *scratch, dl[d1 - 1], err);
    }
    if (rc == NDB_OK)
        rc = ndb_segout_term_end(o, w->arena.p + e->toff, e->tlen, err);
    return rc;
}

ndb_rc ndb_segw_write(ndb_segw *w, const ndb_vfs *vfs, const char *dir, const char *name,
                      ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_segout o;
    bool opened = false;
    segw_sorted *order = NULL;
    uint32_t *scratch = NULL;
    size_t cap = 0;

    ndb_err_clear(err);
    if (w->in_doc) {
        rc = ndb_err_set(err, NDB_EINVAL, "%s: segment write inside a document", name);
        goto out;
    }
    if (w->nterms > 0 && !(order = ndb_malloc(w->nterms * sizeof *order))) {
        rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", name);
        goto out;
    }
    for (size_t i = 0; i < w->nterms; i++) {
        order[i].p = w->arena.p + w->terms[i].toff;
        order[i].n = w->terms[i].tlen;
        order[i].idx = (uint32_t)i;
    }
    if (w->nterms > 1)
        qsort(order, w->nterms, sizeof *order, segw_cmp);
    if ((rc = ndb_segout_open(&o, vfs, dir, name, w->base, err)) != NDB_OK)
        goto out;
    opened = true;
    for (size_t i = 0; i < w->nterms && rc == NDB_OK; i++)
        rc = segw_put_term(w, &o, &w->terms[order[i].idx], &scratch, &cap, err);
    if (rc != NDB_OK)
        goto out;
    ndb_segout_doclens_begin(&o);
    for (uint32_t i = 0; i < w->ndocs && rc == NDB_OK; i++) {
        uint8_t le[4];
        ndb_put_u32le(le, ((const uint32_t *)w->doclens.p)[i]);
        rc = ndb_segout_write(&o, le, 4, err);
    }
    if (rc == NDB_OK)
        rc = ndb_segout_finish(&o, w->ndocs, w->total_len, err);
out:
    if (opened)
        ndb_segout_abort(&o);
    ndb_free(scratch);
    ndb_free(order);
    return rc;
}
