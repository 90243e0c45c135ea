/*
** termdict.h — sorted term dictionary: term bytes -> term info, exact lookup and ordered
** enumeration from any starting term (prefix ranges).
**
** Shape (Lucene BlockTree / Tantivy sstable, simplified): terms in strictly increasing byte
** order, cut into blocks of NDB_TERMDICT_BLOCK terms; inside a block each term is
** front-coded against the previous one and followed by its info; a block index of u64
** offsets lets a lookup binary-search the blocks' first terms (stored whole) and then scan
** at most one block. Both parts are plain byte ranges the caller maps (segment sections).
**
**   block       := varint base_off | entry*
**   entry       := varint shared | varint suffix_len | suffix bytes
**                  varint df << 1 | gaps | varint cf - df | [varint max_tf - 1 if df > 1]
**                  varint min_dl | [varint pos_gap, varint doc_gap if gaps]
**                  varint doc_len | varint pos_len
**   offsets:       pos_off = prev_end + pos_gap, doc_off = pos_off + pos_len + doc_gap,
**                  prev_end = doc_off + doc_len (prev_end = base_off at block start), so a
**                  contiguous layout (pos data then doc data, term after term) costs no
**                  offset bytes at all; with df == 1, max_tf = cf.
**   index       := u64le offset of block k in the block bytes, k = 0 .. ceil(n/B)-1
**
** Invariants: the first entry of a block has shared == 0; terms are 1..NDB_TERMDICT_MAX
** bytes and strictly increasing (the reader checks order as it scans: NDB_ECORRUPT).
** Threading: a writer belongs to one thread; a reader (ndb_termdict) is immutable and
** iterators are per-thread values.
*/
#ifndef NDB_TERMDICT_TERMDICT_H
#define NDB_TERMDICT_TERMDICT_H

#include "base/base.h"

#define NDB_TERMDICT_BLOCK 32
#define NDB_TERMDICT_MAX   256 /* longest term, bytes */

typedef struct ndb_termdict_info {
    uint64_t df, cf;
    uint32_t max_tf, min_dl;
    uint64_t doc_off, doc_len, pos_off, pos_len;
} ndb_termdict_info;

/* ------------------------------------------------------------ writer */

typedef struct ndb_termdict_writer {
    ndb_buf blocks, index;
    uint64_t n, prev_end;
    size_t last_len;
    uint8_t last[NDB_TERMDICT_MAX];
} ndb_termdict_writer;

void ndb_termdict_writer_init(ndb_termdict_writer *w);
void ndb_termdict_writer_fini(ndb_termdict_writer *w);
/* Append a term greater than the previous one (else NDB_EINVAL), 1..MAX bytes. */
ndb_rc ndb_termdict_add_term(ndb_termdict_writer *w, const uint8_t *t, size_t n,
                             const ndb_termdict_info *ti);
/* Bytes held (blocks + index), for memory accounting. */
size_t ndb_termdict_writer_mem(const ndb_termdict_writer *w);

/* ------------------------------------------------------------ reader */

typedef struct ndb_termdict {
    ndb_slice blocks, index; /* BORROWED mapped bytes */
    uint64_t n, nblocks;
} ndb_termdict;

/* Wrap mapped bytes; checks the index (size, offsets ascending and in range). */
ndb_rc ndb_termdict_open(ndb_termdict *d, ndb_slice blocks, ndb_slice index, uint64_t nterms);
/* NDB_OK with *ti, NDB_ENOTFOUND, or NDB_ECORRUPT. */
ndb_rc ndb_termdict_find(const ndb_termdict *d, const uint8_t *t, size_t n, ndb_termdict_info *ti);

/* Ordered walk. After ndb_termdict_iter_seek, each ndb_termdict_iter_next yields the next
** term >= the seek target in it->term/len/info, or sets *done. */
typedef struct ndb_termdict_iter {
    const ndb_termdict *d;
    ndb_rd rd;
    uint64_t block, ord, prev_end; /* ord: index of the next entry to decode */
    bool pending, have;            /* an entry decoded by seek not yet returned */
    size_t len;
    uint8_t term[NDB_TERMDICT_MAX + 1]; /* NUL-terminated for convenience */
    ndb_termdict_info info;
} ndb_termdict_iter;

ndb_rc ndb_termdict_iter_seek(ndb_termdict_iter *it, const ndb_termdict *d, const uint8_t *t,
                              size_t n);
ndb_rc ndb_termdict_iter_next(ndb_termdict_iter *it, bool *done);

#endif /* NDB_TERMDICT_TERMDICT_H */
