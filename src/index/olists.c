/*
** olists.c — per-outlet doc-id lists from the column records (see olists.h). A counting
** sort: count per outlet, prefix sums, then place ids in ascending order, so each list is
** sorted without a comparison sort.
*/
#include "index/olists.h"

#include <string.h>

ndb_rc ndb_olists_build(const ndb_col *cols, uint32_t ndocs, ndb_olists **out)
{
    *out = NULL;
    uint32_t nout = 0;
    for (uint32_t i = 0; i < ndocs; i++)
        if (cols[i].outlet != NDB_OUTLET_NONE && cols[i].outlet >= nout)
            nout = cols[i].outlet + 1;
    ndb_olists *ol = ndb_calloc(1, sizeof *ol);
    if (!ol)
        return NDB_ENOMEM;
    ol->ndocs = ndocs;
    ol->nout = nout;
    ol->off = ndb_calloc((size_t)nout + 1, sizeof *ol->off);
    ol->ids = ndb_malloc(((size_t)ndocs ? ndocs : 1) * sizeof *ol->ids);
    if (!ol->off || !ol->ids) {
        ndb_olists_free(ol);
        return NDB_ENOMEM;
    }
    for (uint32_t i = 0; i < ndocs; i++)
        if (cols[i].outlet != NDB_OUTLET_NONE)
            ol->off[cols[i].outlet + 1]++;
    for (uint32_t o = 0; o < nout; o++)
        ol->off[o + 1] += ol->off[o];
    /* place: off[o] walks each list forward, then is restored from off[o + 1]'s start */
    for (uint32_t i = 0; i < ndocs; i++) {
        uint32_t o = cols[i].outlet;
        if (o != NDB_OUTLET_NONE)
            ol->ids[ol->off[o]++] = i;
    }
    for (uint32_t o = nout; o > 0; o--)
        ol->off[o] = ol->off[o - 1];
    ol->off[0] = 0;
    *out = ol;
    return NDB_OK;
}

void ndb_olists_free(ndb_olists *ol)
{
    if (!ol)
        return;
    ndb_free(ol->off);
    ndb_free(ol->ids);
    ndb_free(ol);
}

void ndb_olists_get(const ndb_olists *ol, uint32_t o, uint32_t below, const uint32_t **ids,
                    uint32_t *n)
{
    *ids = NULL;
    *n = 0;
    if (o >= ol->nout)
        return;
    const uint32_t *p = ol->ids + ol->off[o];
    uint32_t len = ol->off[o + 1] - ol->off[o];
    *ids = p;
    /* the prefix below `below` */
    *n = below < ol->ndocs ? (uint32_t)ndb_gallop_geq(p, 0, len, below) : len;
}
