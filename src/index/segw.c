/*
** segw.c — the in-memory segment writer (ndb_segw_*) and its serializer.
**
** What: collects the tokens of docs base, base+1, ... and writes them as one segment file.
** Shape (Lucene's in-memory postings, simplified): an open-addressing hash table maps term
** bytes (kept in one arena) to a per-term record with one byte stream of varints: per doc,
** (local id + 1 - previous local id + 1), then per occurrence the position + 1 (the first
** in the doc) or the gap to the previous one, then a 0 once a later doc of the term comes
** (no doc gap, position + 1 or gap is 0, and a varint's last byte is 0 only for the value
** 0, so the 0 bytes are exactly the closed docs). One stream, not a docs stream and a
** positions stream, so a token writes to one stream end, one cache line, not two: the
** writes to the stream ends are half of add_token's time, whose pool is far larger than
** the caches. add_token is O(1) amortised and never sorts. Serializing sorts the
** terms once and re-encodes each list through the streaming file writer (seg_int.h); the
** writer itself is not modified, so a failed write can be retried. A segment whose streams
** hold SEGW_SPLIT_BYTES or more is written on two threads (ndb_segout_two_runs: the terms
** past half of the occurrences go to a side file that is spliced in; the same bytes as one
** thread), so a commit, which the adding thread waits for, takes about half the time.
**
** Streams live in a slice pool (Lucene's ByteBlockPool): 1 MiB pages that never move; a
** stream is a chain of slices of growing size (16 B .. 4 KiB), the last 4 bytes of each
** full slice holding the pool offset of the next. Appending never copies (per-term
** growable buffers cost a realloc + memmove per doubling and a malloc per stream), and the
** reader follows the chain replaying the writer's size sequence. The hash slots keep the
** upper 32 hash bits beside the term index, so a probe touches the term record only when
** those bits agree. Each term record carries one word for the caller (the writer keeps the
** forward index's id of the term there, so a token costs one hash lookup, not two).
**
** Invariants: ids strictly consecutive from base; add_token only inside a doc; per term
** positions strictly ascending within a doc, and < UINT32_MAX; a term's open doc (no 0
** after it yet) is the last doc it occurs in; pool offsets < 2^32 (a writer is flushed at
** 192 MiB; more is NDB_ELIMIT).
**
** State machine:  IDLE --begin_doc--> IN_DOC --end_doc--> IDLE;  write needs IDLE.
** Threading: one thread at a time.
*/
#include "index/seg_int.h"

#include <stdlib.h>

_Static_assert(NDB_TERM_MAX == NDB_TERMDICT_MAX, "segment and dictionary term limits differ");

#define SEGW_PAGE_BITS 20
#define SEGW_PAGE      (1u << SEGW_PAGE_BITS)
#define SEGW_MAX_PAGES 4095u /* pool offsets stay below 2^32 */
#define SEGW_LEVELS    9

static const uint32_t segw_slice[SEGW_LEVELS] = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

/* One byte stream: write offset `at` in the current slice, whose data ends at `end` (the
** next 4 bytes are the link). */
typedef struct segw_stream {
    uint32_t head, at, end;
    uint32_t level;
} segw_stream;

typedef struct segw_term { /* 64 bytes: one cache line (aligned with the array) */
    uint32_t toff, tlen; /* bytes in the arena */
    uint32_t prev1;      /* the open doc's predecessor in the stream + 1 (0: none) */
    uint32_t cur;        /* local id of the open doc */
    uint32_t freq;       /* occurrences in the open doc (0: none yet) */
    uint32_t last_pos;
    uint32_t tag; /* the caller's word for this term (NDB_SEGW_NO_TAG until set) */
    uint32_t nocc; /* occurrences in the segment, saturating: the term's share of the write */
    segw_stream st;
    uint32_t spare[4];
} segw_term;

_Static_assert(sizeof(segw_term) == 64, "a term record is one cache line");

struct ndb_segw {
    uint32_t base, ndocs;
    bool in_doc;
    ndb_buf arena;   /* term bytes */
    ndb_buf doclens; /* u32 per doc, native endian */
    segw_term *terms;
    size_t nterms, cap;
    uint64_t *slots; /* (hash >> 32) << 32 | (index + 1), 0 = empty; power of two */
    size_t nslots;
    uint8_t **pages; /* the slice pool */
    size_t npages, pcap;
    uint32_t pool_at; /* pool offset of the next free byte */
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
    w->slots = ndb_calloc(1024, sizeof *w->slots);
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
    for (size_t i = 0; i < w->npages; i++)
        ndb_free(w->pages[i]);
    ndb_free(w->pages);
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
           w->nslots * sizeof *w->slots + w->npages * (size_t)SEGW_PAGE;
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

/* ------------------------------------------------------------ slice pool */

static inline uint8_t *segw_at(const ndb_segw *w, uint32_t off)
{
    return w->pages[off >> SEGW_PAGE_BITS] + (off & (SEGW_PAGE - 1));
}

/* A fresh slice of n bytes (never crossing a page); its pool offset in *off. */
static ndb_rc segw_alloc(ndb_segw *w, uint32_t n, uint32_t *off)
{
    size_t page = w->pool_at >> SEGW_PAGE_BITS;
    if (w->npages == 0 || (w->pool_at & (SEGW_PAGE - 1)) + n > SEGW_PAGE || page >= w->npages) {
        if (w->npages >= SEGW_MAX_PAGES)
            return NDB_ELIMIT;
        if (w->npages == w->pcap) {
            size_t cap = w->pcap ? 2 * w->pcap : 16;
            uint8_t **np = ndb_realloc(w->pages, cap * sizeof *np);
            if (!np)
                return NDB_ENOMEM;
            w->pages = np;
            w->pcap = cap;
        }
        if (!(w->pages[w->npages] = ndb_malloc(SEGW_PAGE)))
            return NDB_ENOMEM;
        w->pool_at = (uint32_t)(w->npages++ << SEGW_PAGE_BITS);
    }
    *off = w->pool_at;
    w->pool_at += n;
    return NDB_OK;
}

static ndb_rc segw_stream_init(ndb_segw *w, segw_stream *s)
{
    ndb_rc rc = segw_alloc(w, segw_slice[0], &s->head);
    s->at = s->head;
    s->end = s->head + segw_slice[0] - 4;
    s->level = 0;
    return rc;
}

/* The current slice is full: chain a new one of the next size. */
static ndb_rc segw_stream_grow(ndb_segw *w, segw_stream *s)
{
    uint32_t lv = s->level + 1 < SEGW_LEVELS ? s->level + 1 : s->level, off;
    ndb_rc rc = segw_alloc(w, segw_slice[lv], &off);
    if (rc != NDB_OK)
        return rc;
    memcpy(segw_at(w, s->end), &off, 4);
    s->at = off;
    s->end = off + segw_slice[lv] - 4;
    s->level = lv;
    return NDB_OK;
}

static ndb_rc segw_append(ndb_segw *w, segw_stream *s, uint32_t v)
{
    uint8_t t[5];
    size_t n = 0, i = 0;
    ndb_rc rc;
    do {
        t[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    if (s->end - s->at >= n) {
        memcpy(segw_at(w, s->at), t, n);
        s->at += (uint32_t)n;
        return NDB_OK;
    }
    for (; i < n; i++) {
        if (s->at == s->end && (rc = segw_stream_grow(w, s)) != NDB_OK)
            return rc;
        *segw_at(w, s->at++) = t[i];
    }
    return NDB_OK;
}

/* Reader over a finished stream: replays the writer's slice sizes. */
typedef struct segw_rd {
    const ndb_segw *w;
    uint32_t at, end, stop, level;
} segw_rd;

static void segw_rd_init(segw_rd *r, const ndb_segw *w, const segw_stream *s)
{
    r->w = w;
    r->at = s->head;
    r->end = s->head + segw_slice[0] - 4;
    r->stop = s->at;
    r->level = 0;
}

static bool segw_rd_left(const segw_rd *r)
{
    return r->at != r->stop;
}

/* The current slice is done: on to the next, whose offset ends it. */
static void segw_rd_next_slice(segw_rd *r)
{
    memcpy(&r->at, segw_at(r->w, r->end), 4);
    r->level += r->level + 1 < SEGW_LEVELS;
    r->end = r->at + segw_slice[r->level] - 4;
}

/* Next varint (< 2^32); false when the stream ends inside it. */
static bool segw_rd_varint(segw_rd *r, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned sh = 0; sh < 35; sh += 7) {
        uint8_t b;
        if (r->at == r->stop)
            return false;
        if (r->at == r->end)
            segw_rd_next_slice(r);
        b = *segw_at(r->w, r->at++);
        v |= (uint32_t)(b & 0x7f) << sh;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------ terms */

static ndb_rc segw_grow_slots(ndb_segw *w)
{
    size_t n = w->nslots * 2;
    uint64_t *s = ndb_calloc(n, sizeof *s);
    if (!s)
        return NDB_ENOMEM;
    for (size_t i = 0; i < w->nterms; i++) {
        uint64_t h = ndb_hash64(w->arena.p + w->terms[i].toff, w->terms[i].tlen);
        size_t k = (size_t)h & (n - 1);
        while (s[k])
            k = (k + 1) & (n - 1);
        s[k] = (h >> 32 << 32) | (uint64_t)(i + 1);
    }
    ndb_free(w->slots);
    w->slots = s;
    w->nslots = n;
    return NDB_OK;
}

/* Find or insert term (h = ndb_hash64 of its bytes); *out is its record. */
static ndb_rc segw_lookup(ndb_segw *w, const char *t, size_t n, uint64_t h, segw_term **out)
{
    uint64_t hi = h >> 32 << 32;
    size_t k = (size_t)h & (w->nslots - 1);
    ndb_rc rc;
    while (w->slots[k]) {
        uint64_t sl = w->slots[k];
        if ((sl >> 32 << 32) == hi) {
            segw_term *e = &w->terms[(uint32_t)sl - 1];
            if (e->tlen == n && ndb_eq_bytes(w->arena.p + e->toff, t, n)) {
                *out = e;
                return NDB_OK;
            }
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
    segw_term *e = &w->terms[w->nterms];
    memset(e, 0, sizeof *e);
    if ((rc = segw_stream_init(w, &e->st)) != NDB_OK)
        return rc;
    if ((rc = ndb_buf_append(&w->arena, t, n)) != NDB_OK)
        return rc;
    e->tag = NDB_SEGW_NO_TAG;
    e->toff = (uint32_t)toff;
    e->tlen = (uint32_t)n;
    w->slots[k] = hi | (uint64_t)(++w->nterms);
    *out = e;
    if (2 * w->nterms > w->nslots && (rc = segw_grow_slots(w)) != NDB_OK) {
        *out = NULL; /* the term stays; the table is still valid, just full-ish */
        return rc;
    }
    *out = &w->terms[w->nterms - 1];
    return NDB_OK;
}

void ndb_segw_prefetch(const ndb_segw *w, uint64_t hash, int stage)
{
    size_t k = (size_t)hash & (w->nslots - 1);
    uint64_t sl;
    const segw_term *e;
    if (stage == 0) {
        __builtin_prefetch(&w->slots[k]);
        return;
    }
    sl = w->slots[k];
    if (!sl || (sl >> 32) != (hash >> 32))
        return; /* a new term, or not in the first slot probed: no guess */
    e = &w->terms[(uint32_t)sl - 1];
    if (stage == 1) {
        __builtin_prefetch(e);
        return;
    }
    __builtin_prefetch(w->arena.p + e->toff);
    __builtin_prefetch(segw_at(w, e->st.at), 1);
}

/* Close the term's open doc: a 0 after its positions. */
static ndb_rc segw_close_doc(ndb_segw *w, segw_term *e)
{
    ndb_rc rc = segw_append(w, &e->st, 0);
    if (rc == NDB_OK) {
        e->prev1 = e->cur + 1;
        e->freq = 0;
    }
    return rc;
}

ndb_rc ndb_segw_add_token(ndb_segw *w, const char *term, size_t n, uint32_t pos)
{
    uint32_t *tag;
    return ndb_segw_add_token_tag(w, term, n, ndb_hash64(term, n), pos, &tag);
}

ndb_rc ndb_segw_add_token_tag(ndb_segw *w, const char *term, size_t n, uint64_t hash,
                              uint32_t pos, uint32_t **tag)
{
    segw_term *e = NULL;
    ndb_rc rc;
    uint32_t doc = w->ndocs;
    *tag = NULL;
    if (!w->in_doc || n == 0 || n > NDB_TERMDICT_MAX)
        return NDB_EINVAL;
    if (pos == UINT32_MAX) /* kept as pos + 1; checked before a new term is entered */
        return NDB_ELIMIT;
    if ((rc = segw_lookup(w, term, n, hash, &e)) != NDB_OK)
        return rc;
    if (e->freq > 0 && e->cur != doc && (rc = segw_close_doc(w, e)) != NDB_OK)
        return rc;
    if (e->freq > 0 && pos <= e->last_pos)
        return NDB_EINVAL;
    if (e->freq == UINT32_MAX)
        return NDB_ELIMIT;
    if (e->freq == 0 && (rc = segw_append(w, &e->st, doc + 1 - e->prev1)) != NDB_OK)
        return rc;
    if ((rc = segw_append(w, &e->st, e->freq == 0 ? pos + 1 : pos - e->last_pos)) != NDB_OK)
        return rc;
    e->cur = doc;
    e->freq++;
    e->nocc += e->nocc != UINT32_MAX;
    e->last_pos = pos;
    *tag = &e->tag;
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

/* Zero bytes of p[0..n), eight at a time (a byte's high bit in t is set iff it is 0). */
static uint64_t segw_count_zeros(const uint8_t *p, size_t n)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t zeros = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v, t;
        memcpy(&v, p + i, 8);
        t = ~(((v & low7) + low7) | v | low7);
        zeros += (uint64_t)__builtin_popcountll(t);
    }
    for (; i < n; i++)
        zeros += p[i] == 0;
    return zeros;
}

/* Docs in term e's list: its closed docs, counted by the 0 bytes of its stream (no
** decoding), and its open one. */
static uint64_t segw_df(const ndb_segw *w, const segw_term *e)
{
    segw_rd r;
    uint64_t zeros = 0;
    segw_rd_init(&r, w, &e->st);
    for (;;) {
        uint32_t last = r.stop >= r.at && r.stop <= r.end ? r.stop : r.end;
        zeros += segw_count_zeros(segw_at(w, r.at), last - r.at);
        if (last == r.stop)
            break;
        segw_rd_next_slice(&r);
    }
    return zeros + (e->freq > 0);
}

/* Re-encode term e's stream through o. pos scratch grows to the largest doc's freq. */
static ndb_rc segw_put_term(ndb_segw *w, ndb_segout *o, const segw_term *e, uint32_t **scratch,
                            size_t *cap, ndb_err *err)
{
    segw_rd r;
    uint32_t prev1 = 0;
    const uint32_t *dl = (const uint32_t *)w->doclens.p;
    ndb_rc rc = NDB_OK;
    /* a BYLIST(2) segment picks a list's position format by its df and cf */
    ndb_segout_term_begin(o, ndb_pos_fmt_by_list(o->pos_fmt) ? segw_df(w, e) : 0, e->nocc);
    segw_rd_init(&r, w, &e->st);
    while (rc == NDB_OK && segw_rd_left(&r)) {
        uint32_t gap, v, f = 0;
        bool closed = false;
        if (!segw_rd_varint(&r, &gap) || gap == 0 || gap > w->ndocs - prev1)
            return ndb_err_set(err, NDB_EINVAL, "segment writer: bad stream");
        prev1 += gap;
        while (segw_rd_left(&r)) {
            if (!segw_rd_varint(&r, &v))
                return ndb_err_set(err, NDB_EINVAL, "segment writer: bad stream");
            if (v == 0) {
                closed = true;
                break;
            }
            if (f == *cap) {
                size_t nc = *cap ? 2 * *cap : 256;
                uint32_t *ns = ndb_realloc(*scratch, nc * sizeof(uint32_t));
                if (!ns)
                    return ndb_err_set(err, NDB_ENOMEM, "segment writer: out of memory");
                *scratch = ns;
                *cap = nc;
            }
            (*scratch)[f] = f == 0 ? v - 1 : (*scratch)[f - 1] + v;
            f++;
        }
        if (f == 0 || (!closed && (prev1 != e->cur + 1 || f != e->freq)))
            return ndb_err_set(err, NDB_EINVAL, "segment writer: bad stream");
        rc = ndb_segout_term_add(o, prev1 - 1, f, *scratch, dl[prev1 - 1], err);
    }
    if (rc == NDB_OK)
        rc = ndb_segout_term_end(o, w->arena.p + e->toff, e->tlen, err);
    return rc;
}

/* One run of the serializer: terms order[from, to) of w. */
typedef struct segw_run {
    ndb_segw *w;
    const segw_sorted *order;
    size_t from, to;
} segw_run;

static ndb_rc segw_put_terms(void *arg, ndb_segout *o, ndb_err *err)
{
    const segw_run *r = arg;
    uint32_t *scratch = NULL;
    size_t cap = 0;
    ndb_rc rc = NDB_OK;
    for (size_t i = r->from; i < r->to && rc == NDB_OK; i++)
        rc = segw_put_term(r->w, o, &r->w->terms[r->order[i].idx], &scratch, &cap, err);
    ndb_free(scratch);
    return rc;
}

/* Segments whose streams hold this many pool bytes are written on two threads. */
#define SEGW_SPLIT_BYTES ((uint64_t)4 << 20)

/* Where the second run starts: the first term (in order) at which half of the segment's
** occurrences are behind; 0 when the segment is too small to be worth a thread. */
static size_t segw_split(const ndb_segw *w, const segw_sorted *order)
{
    uint64_t total = 0, acc = 0;
    if (w->nterms < 2 || w->pool_at < ndb_seg_split_bytes(SEGW_SPLIT_BYTES))
        return 0;
    for (size_t i = 0; i < w->nterms; i++)
        total += w->terms[i].nocc;
    for (size_t i = 0; i < w->nterms; i++) {
        if (i > 0 && acc >= total / 2)
            return i;
        acc += w->terms[order[i].idx].nocc;
    }
    return 0;
}

ndb_rc ndb_segw_write(ndb_segw *w, const ndb_vfs *vfs, const char *dir, const char *name,
                      ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_segout o;
    bool opened = false;
    segw_sorted *order = NULL;
    size_t mid;

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
    mid = segw_split(w, order);
    {
        segw_run lo = {w, order, 0, mid ? mid : w->nterms}, hi = {w, order, mid, w->nterms};
        rc = mid ? ndb_segout_two_runs(&o, dir, name, segw_put_terms, &lo, &hi, err)
                 : segw_put_terms(&lo, &o, err);
    }
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
    ndb_free(order);
    return rc;
}
