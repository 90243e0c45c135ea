/*
** memview — an ndb_view (index/view.h) over documents held in memory, for tests.
**
** Build one from text with the real analyzer, then run any executor on it and compare with
** a brute-force scan of the same token lists (which memview also hands out):
**
**     ndb_memview *mv;
**     ndb_memview_new(NDB_STEM_ENGLISH, &mv);
**     const char *paras[] = {"First paragraph.", "Second one."};
**     ndb_memview_doc d = {paras, 2, date, "bbc.co.uk", "http://bbc.co.uk/x", true};
**     ndb_memview_add(mv, &d);              // doc id 0, 1, ... in order
**     const ndb_view *v = ndb_memview_view(mv);   // after the last add
**     ... ndb_query_count(q, v, ...) ...
**     ndb_memview_free(mv);
**
** Terms map to ndb_cursor_mem_new cursors (blocks of 128 docs, real block-max data);
** prefix enumeration is a scan of the sorted term list; outlet ids are given in order of
** first appearance; url_id answers the LAST added doc with that URL. Liveness is the
** caller's flag per doc (so tests can make any doc dead). Statistics follow view.h:
** every doc counts for N and avgdl, live or not.
**
** Threading: build on one thread; the finished view is read-only.
*/
#ifndef NDB_TESTS_COMMON_MEMVIEW_H
#define NDB_TESTS_COMMON_MEMVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "index/view.h"
#include "text/text.h"

typedef struct ndb_memview ndb_memview;

typedef struct ndb_memview_doc {
    const char *const *paras; /* paragraph texts (NUL-terminated) */
    uint32_t n_paras;
    int32_t date;             /* days since epoch or NDB_DATE_NONE */
    const char *outlet;       /* outlet name or NULL (NDB_OUTLET_NONE) */
    const char *url;          /* or NULL */
    bool live;
} ndb_memview_doc;

/* One analyzed token of a doc, as indexed. */
typedef struct ndb_memview_tok {
    const char *term; /* NUL-terminated, owned by the memview */
    uint32_t len;
    uint32_t pos;
} ndb_memview_tok;

ndb_rc ndb_memview_new(ndb_stemmer stemmer, ndb_memview **out);
void ndb_memview_free(ndb_memview *mv);
/* Add a doc (id = number of docs added before). Invalidates an earlier view. */
ndb_rc ndb_memview_add(ndb_memview *mv, const ndb_memview_doc *d);
/* The view over everything added so far (built lazily; NULL on allocation failure).
** BORROWED until the next add or free. */
const ndb_view *ndb_memview_view(ndb_memview *mv);
/* The memview's analyzer (the one queries over it should be parsed with). */
ndb_analyzer *ndb_memview_analyzer(ndb_memview *mv);
/* Tokens of doc id, positions ascending. BORROWED until free. */
const ndb_memview_tok *ndb_memview_tokens(const ndb_memview *mv, uint32_t id, uint32_t *n);
/* Outlet id of a doc's outlet name (as given to add), or NDB_OUTLET_NONE. */
uint32_t ndb_memview_outlet_of(const ndb_memview *mv, const char *name);

#endif
