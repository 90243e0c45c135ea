/*
** olists.h — per-outlet sorted doc-id lists of a view's ids [0, ndocs), built from the
** column records in one counting-sort pass (two reads of the 16-byte columns, one write
** of 4 bytes per doc).
**
** Why: an outlet filter (outlet:x) otherwise costs one column read per posting of the
** query's terms; with the outlet's list (a few thousand ids in a million-doc archive) the
** executor can let the filter lead the conjunction when it is rarer than the terms, as
** Lucene does with its outlet postings. Nothing is stored on disk: an archive handle
** builds the lists once, on the first query that needs them, and shares them between
** snapshots (column records of an id never change, so lists built for n docs serve every
** view of at most n docs: a view reads the prefix of each list below its ndocs).
**
** Docs without an outlet (NDB_OUTLET_NONE) are in no list. Every id is listed, live or not
** (liveness is the executor's separate test, as for postings).
*/
#ifndef NDB_INDEX_OLISTS_H
#define NDB_INDEX_OLISTS_H

#include "index/view.h"

typedef struct ndb_olists {
    uint32_t ndocs;    /* built over ids [0, ndocs) */
    uint32_t nout;     /* outlet ids [0, nout) have a (maybe empty) list */
    uint32_t *off;     /* [nout + 1]: the list of outlet o is ids[off[o] .. off[o+1]) */
    uint32_t *ids;     /* ascending within each list */
} ndb_olists;

/* Build the lists of cols[0, ndocs). *out OWNED: ndb_olists_free. NDB_ENOMEM. */
ndb_rc ndb_olists_build(const ndb_col *cols, uint32_t ndocs, ndb_olists **out);
void ndb_olists_free(ndb_olists *ol);
/* The ids below `below` (<= ol->ndocs) of outlet o: *n of them at *ids (BORROWED). */
void ndb_olists_get(const ndb_olists *ol, uint32_t o, uint32_t below, const uint32_t **ids,
                    uint32_t *n);

#endif
