/*
** collect — collectors: what executors hand their matches to.
**
** What: a small vtable, ndb_collector {collect(doc, score), merge, finish, free}, and two
** collectors built on it: count (exact number of matches) and top-k (the k best hits by
** score or by date). Facets and histograms will be further collectors of the same shape.
**
** Why shaped so: an executor per segment / shard / thread fills its own collector; the
** partial collectors then merge associatively (rule 23) into one answer, so a multi-shard
** search returns exactly what a single-shard search would. ndb_collect_topk_merge does
** the same for two already-finished hit lists (for shards that ship lists, not handles).
**
** Order (rule 23), total and strict, so results are byte-identical however they merge:
**   NDB_SORT_SCORE      score desc, then id asc
**   NDB_SORT_DATE_DESC  date desc, then id asc; undated (NDB_DATE_NONE) after every dated
**   NDB_SORT_DATE_ASC   date asc, then id asc; undated after every dated
**
** Invariants of top-k: the heap holds at most k hits; its root is the worst hit kept
** (the one any newcomer must beat); finish sorts best-first. k = 0 keeps nothing.
**
** Threading: a collector belongs to one thread; merge reads `from` without changing it.
*/
#ifndef NDB_COLLECT_COLLECT_H
#define NDB_COLLECT_COLLECT_H

#include "base/base.h"
#include "index/view.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One hit as the collectors keep it: the date travels with it so that lists from
** different shards merge without looking anything up. */
typedef struct ndb_collect_hit {
    uint32_t id;
    int32_t date; /* NDB_DATE_NONE when undated */
    double score;
} ndb_collect_hit;

typedef struct ndb_collector ndb_collector;

typedef struct ndb_collector_ops {
    /* One match. Docs may arrive in any order. */
    ndb_rc (*collect)(ndb_collector *c, uint32_t doc, double score);
    /* Fold `from` (same kind and parameters) into `into`. */
    ndb_rc (*merge)(ndb_collector *into, const ndb_collector *from);
    /* No more matches: put the result in its final form. */
    ndb_rc (*finish)(ndb_collector *c);
    void (*free)(ndb_collector *c);
} ndb_collector_ops;

struct ndb_collector {
    const ndb_collector_ops *ops;
    const char *kind;    /* "count", "topk": merge checks kinds match */
    uint64_t total;      /* matches collected (every collector counts) */
};

static inline ndb_rc ndb_collector_collect(ndb_collector *c, uint32_t doc, double score)
{
    return c->ops->collect(c, doc, score);
}
static inline void ndb_collector_free(ndb_collector *c)
{
    if (c)
        c->ops->free(c);
}
ndb_rc ndb_collector_merge(ndb_collector *into, const ndb_collector *from, ndb_err *err);
ndb_rc ndb_collector_finish(ndb_collector *c, ndb_err *err);

/* Count collector. *out OWNED: ndb_collector_free. Result: c->total. */
ndb_rc ndb_collect_count_new(ndb_collector **out);

/* Top-k collector. cols (BORROWED, [ndocs]) supplies dates; it may be NULL for
** NDB_SORT_SCORE. *out OWNED: ndb_collector_free. */
ndb_rc ndb_collect_topk_new(size_t k, ndb_sort sort, const ndb_col *cols, uint32_t ndocs,
                            ndb_collector **out);
/* Offer a hit with its date already known (merge, pre-scored lists). */
ndb_rc ndb_collect_topk_offer(ndb_collector *c, const ndb_collect_hit *h);
/* Would a hit (id, date, score) enter the heap now? For NDB_SORT_SCORE pass an upper bound
** of the score to ask "can any score up to this enter?"; for the date sorts score is
** ignored. Docs may arrive in any order. */
bool ndb_collect_topk_admits(const ndb_collector *c, uint32_t id, int32_t date,
                             double score);
/* The worst hit held when the heap holds k hits (true); false while it holds fewer (or
** k == 0). A newcomer enters iff it compares better than *worst. */
bool ndb_collect_topk_worst(const ndb_collector *c, ndb_collect_hit *worst);
/* The hits, best first, after ndb_collector_finish. BORROWED until free. */
const ndb_collect_hit *ndb_collect_topk_hits(const ndb_collector *c, size_t *n);

/* The rule-23 order: negative when a is better than b, positive when worse (never 0 for
** distinct ids). */
int ndb_collect_cmp(ndb_sort sort, const ndb_collect_hit *a, const ndb_collect_hit *b);

/* Merge two best-first lists a[na], b[nb] into out (room for k): the best k of their
** union, best first. Lists come from disjoint shards; an entry present in both (same id,
** date and score) is kept once. *nout = count. */
void ndb_collect_topk_merge(ndb_sort sort, const ndb_collect_hit *a, size_t na,
                            const ndb_collect_hit *b, size_t nb, size_t k,
                            ndb_collect_hit *out, size_t *nout);

#endif /* NDB_COLLECT_COLLECT_H */
