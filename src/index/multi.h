/*
** multi.h — the inverted index of a snapshot seen as one: its segments, in ascending,
** disjoint doc id ranges.
**
** A multi-segment cursor is the concatenation of the per-segment cursors of a term (the
** ranges are ordered, so no merging is needed): df is summed, max_tf is the max and min_dl
** the min over the segments, and block data (block_seek, block_max_tf, block_min_dlr) comes
** from the segment the block is in; a block never spans two segments. Prefix enumeration is
** a k-way merge of the segments' dictionaries, emitting each distinct term once.
**
** Ownership: segs are BORROWED; they must outlive every cursor opened over them.
** Threading: cursors belong to one thread; any number may be open over the same segments.
*/
#ifndef NDB_INDEX_MULTI_H
#define NDB_INDEX_MULTI_H

#include "index/segment.h"

/* A cursor over term t across segs (concatenation; df summed, max_tf max, min_dl min,
** block data from the segment the block is in). *out NULL if t occurs nowhere.
** *out OWNED: ndb_cursor_close. */
ndb_rc ndb_index_term_cursor(ndb_seg *const *segs, size_t n, const char *t, size_t len,
                             bool positions, ndb_cursor **out, ndb_err *err);
/* Every distinct term with the prefix across segs, in byte order, once each (k-way merge).
** A non-OK return from fn stops the walk and is returned. */
ndb_rc ndb_index_prefix(ndb_seg *const *segs, size_t n, const char *p, size_t len, ndb_term_fn fn,
                        void *fctx, ndb_err *err);

#endif /* NDB_INDEX_MULTI_H */
