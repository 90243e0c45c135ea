/*
** cursor.h — the postings cursor: the one interface every executor sees.
**
** A cursor walks the documents of one term (or of a composite: union of prefix terms,
** concatenation of segments) in strictly increasing doc id order, ending at NDB_DOC_END.
** Codecs hide behind `ndb_cursor_ops`; executors (AND, OR, phrase, WAND/BMW, exhaustive)
** never see bytes. Shape taken from PISA's cursor concept and Tantivy's DocSet.
**
** Block-max data: postings are stored in blocks of 128 docs. For each block the cursor
** can report the last doc id, the largest term frequency and the smallest document
** length (tokens) in it. From (max_tf, min_dl) an executor bounds the BM25 score of any
** doc in the block for any avgdl, since BM25 grows with tf and shrinks with dl.
**
** Errors: a codec that meets corrupt bytes sets `c->err` (NDB_ECORRUPT) and returns
** NDB_DOC_END; executors check `err` when a cursor ends.
**
** Threading: a cursor belongs to one thread; many cursors may read one segment at once.
*/
#ifndef NDB_POSTINGS_CURSOR_H
#define NDB_POSTINGS_CURSOR_H

#include "base/base.h"

#define NDB_DOC_END UINT32_MAX
#define NDB_BLOCK_DOCS 128

typedef struct ndb_cursor ndb_cursor;

typedef struct ndb_cursor_ops {
    /* Advance to the next doc; returns it (also in c->doc) or NDB_DOC_END. */
    uint32_t (*next)(ndb_cursor *c);
    /* Advance to the first doc >= target (never backwards); returns it or NDB_DOC_END. */
    uint32_t (*seek_geq)(ndb_cursor *c, uint32_t target);
    /* Term frequency in the current doc (>= 1). */
    uint32_t (*freq)(ndb_cursor *c);
    /* Positions of the term in the current doc, ascending. *pos is borrowed until the
    ** cursor moves. Cursors opened without positions return NDB_EINVAL. */
    ndb_rc (*positions)(ndb_cursor *c, const uint32_t **pos, uint32_t *n);
    /* Move the block pointer to the block that may hold target (>= current block) without
    ** decoding docs; returns that block's last doc id, or NDB_DOC_END past the end. After
    ** it, block_max_tf/block_min_dlr describe that block. Does not move c->doc. */
    uint32_t (*block_seek)(ndb_cursor *c, uint32_t target);
    /* The largest tf of the block's docs. */
    uint32_t (*block_max_tf)(ndb_cursor *c);
    /* A lower bound of dl / tf (integer division) over the block's docs: that minimum itself
    ** where the block data records it (segments 1.5, postings.h), else min_dl / max_tf. Why
    ** this and not the block's min_dl: a doc's BM25 is a function of dl / tf and tf, so
    ** (max_tf, min_dlr) bounds it at least as tightly as (max_tf, min_dl) did, and far
    ** more tightly where the short docs hold the term once and the high tfs are in long
    ** docs (the usual block): query.h ndb_bm25, exec.c exec_bm25_block. */
    uint32_t (*block_min_dlr)(ndb_cursor *c);
    /* Release (accepts a cursor in any state). */
    void (*close)(ndb_cursor *c);
    /* Optional (NULL when a cursor has no decoded blocks to lend): bulk read of the rest of
    ** the current block. *docs and *freqs get the doc ids (add *base for the global id) and the
    ** term frequencies from the current doc to the end of its block; returns their count
    ** (>= 1), or 0 when the cursor is not on a doc (then use next/freq). freqs may be NULL
    ** (doc ids only: a full block's freqs then stay undecoded). The arrays are
    ** BORROWED until the cursor moves; reading them does not move it. Lets a scoring loop
    ** walk a block with no call per posting (PISA's block_posting_list, Lucene's
    ** bulk-decoded doc/freq buffers). */
    uint32_t (*bulk)(ndb_cursor *c, const uint32_t **docs, const uint32_t **freqs,
                     uint32_t *base);
} ndb_cursor_ops;

struct ndb_cursor {
    const ndb_cursor_ops *ops;
    uint32_t doc;    /* current doc id; meaningless before the first next()/seek_geq() */
    uint64_t df;     /* docs in the whole posting list */
    uint32_t max_tf; /* largest tf of the whole list (for term-level score bounds) */
    uint32_t min_dl; /* smallest doc length of the whole list */
    ndb_rc err;      /* NDB_OK, or why the cursor ended early */
};

static inline uint32_t ndb_cursor_next(ndb_cursor *c)
{
    return c->ops->next(c);
}
static inline uint32_t ndb_cursor_seek_geq(ndb_cursor *c, uint32_t target)
{
    return c->ops->seek_geq(c, target);
}
static inline uint32_t ndb_cursor_freq(ndb_cursor *c)
{
    return c->ops->freq(c);
}
static inline ndb_rc ndb_cursor_positions(ndb_cursor *c, const uint32_t **pos, uint32_t *n)
{
    return c->ops->positions(c, pos, n);
}
static inline uint32_t ndb_cursor_block_seek(ndb_cursor *c, uint32_t target)
{
    return c->ops->block_seek(c, target);
}
static inline uint32_t ndb_cursor_block_max_tf(ndb_cursor *c)
{
    return c->ops->block_max_tf(c);
}
static inline uint32_t ndb_cursor_block_min_dlr(ndb_cursor *c)
{
    return c->ops->block_min_dlr(c);
}
/* Bulk read of the current block (see ops->bulk); 0 when the cursor does not offer it. */
static inline uint32_t ndb_cursor_bulk(ndb_cursor *c, const uint32_t **docs,
                                       const uint32_t **freqs, uint32_t *base)
{
    return c->ops->bulk ? c->ops->bulk(c, docs, freqs, base) : 0;
}
static inline void ndb_cursor_close(ndb_cursor *c)
{
    if (c)
        c->ops->close(c);
}

/* An in-memory cursor over caller-built arrays (tests, small unions). docs ascending,
** freqs[i] >= 1, positions for doc i are pos[pos_off[i] .. pos_off[i+1]). dls (doc lengths
** per entry) may be NULL (then min_dl = 1). All arrays are copied. *out OWNED: close. */
ndb_rc ndb_cursor_mem_new(const uint32_t *docs, const uint32_t *freqs, const uint32_t *dls,
                          const uint32_t *pos, const uint32_t *pos_off, size_t n,
                          ndb_cursor **out);

#endif /* NDB_POSTINGS_CURSOR_H */
