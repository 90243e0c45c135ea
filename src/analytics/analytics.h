/*
** analytics — attention over time and by outlet (group.c), and term statistics of a
** result set: frequent terms and log-odds "significant" terms (terms.c, whose top comment
** has the design and the trade-off of reading term counts from the postings).
**
** What: exact aggregations of the live articles a query matches, grouped by period (day,
** ISO week, month, year, or none) and optionally by outlet, each group paired with the
** number of ALL live articles of the same group (the denominator of --normalize and of an
** outlet's share of its own output).
**
** How: everything comes from the per-document columns of the view (ndb_col: date, outlet),
** never from article bodies. A *group collector* (an ndb_collector of collect/collect.h)
** counts documents per key (period start, outlet id) in an open-addressing hash table; a
** query run feeds it the matches (ndb_query_each), a column scan over [0, ndocs) feeds a
** second one every live document. Cost: O(matches + ndocs) column reads, 16 bytes each,
** no allocation per document; a one-entry memo catches the runs of equal keys that come
** from articles ingested in date order.
**
** Mergeable (rule 23): group collectors with the same parameters merge by adding counts
** key by key, so per-shard collectors add up to the single-archive answer; finish sorts
** the cells (period ascending, the undated bucket last; outlet id ascending), so the
** result never depends on hash order.
**
** Periods: a period is named by its first day (days since 1970-01-01). Weeks are ISO weeks
** (Monday first); 1970-01-01 was a Thursday, so a week starts at d - ((d + 3) mod 7).
** NDB_PERIOD_NONE maps every date (and the undated) to period 0.
**
** Range: from/to (inclusive days, NDB_DATE_NONE = open end). When either end is set only
** dated articles inside it are counted; otherwise undated articles form the NDB_DATE_NONE
** bucket (or fall in period 0 for NDB_PERIOD_NONE).
**
** Threading: collectors belong to one thread; the run functions are reentrant over a
** read-only view.
*/
#ifndef NDB_ANALYTICS_ANALYTICS_H
#define NDB_ANALYTICS_ANALYTICS_H

#include "base/base.h"
#include "collect/collect.h"
#include "index/view.h"
#include "query/query.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One group of an aggregation. outlet is NDB_OUTLET_NONE for articles without one, and 0
** in every cell of an aggregation not split by outlet. */
typedef struct ndb_analytics_cell {
    int32_t period; /* first day; NDB_DATE_NONE = undated; 0 for NDB_PERIOD_NONE */
    uint32_t outlet;
    uint64_t count; /* matching live articles */
    uint64_t total; /* all live articles of the group */
} ndb_analytics_cell;

/* First day of the period holding `day` (a real date, not NDB_DATE_NONE). */
int32_t ndb_analytics_period_start(ndb_period by, int32_t day);
/* First day of the period after the one starting at `start`. */
int32_t ndb_analytics_period_next(ndb_period by, int32_t start);

/* Group collector over cols[ndocs] (BORROWED until free). by_outlet: key on the outlet
** too. c->total counts every collected doc, in range or not. *out OWNED:
** ndb_collector_free. NDB_EINVAL for an unknown period or from > to. */
ndb_rc ndb_analytics_group_new(ndb_period by, bool by_outlet, int32_t from, int32_t to,
                               const ndb_col *cols, uint32_t ndocs, ndb_collector **out,
                               ndb_err *err);
/* Count of one key (0 when absent); valid before and after finish. */
uint64_t ndb_analytics_group_count(const ndb_collector *c, int32_t period, uint32_t outlet);
/* After finish: the non-empty cells, sorted (period asc, undated last; outlet asc); their
** total field is 0. BORROWED until free. */
const ndb_analytics_cell *ndb_analytics_group_cells(const ndb_collector *c, size_t *n);

/* Timeline of q over v: every period from the first to the last dated match (or the
** from..to range when set) for every series (each outlet with a match when by_outlet,
** else the single series 0), zero counts included, then the undated cells with a match.
** *cells OWNED: ndb_free. *matched = live matches before the range cut. NDB_ELIMIT when
** more than NDB_AGG_MAX_ROWS cells would result. */
ndb_rc ndb_analytics_timeline(const ndb_query *q, const ndb_view *v, ndb_period by, bool by_outlet,
                              int32_t from, int32_t to, ndb_analytics_cell **cells, size_t *n,
                              uint64_t *matched, ndb_err *err);

/* Per-outlet counts of q over v (period 0), outlets with at least one match, by outlet
** id. *cells OWNED: ndb_free. */
ndb_rc ndb_analytics_outlets(const ndb_query *q, const ndb_view *v, int32_t from, int32_t to,
                             ndb_analytics_cell **cells, size_t *n, uint64_t *matched,
                             ndb_err *err);

/* ---------------------------------------------------------------- terms (terms.c) */

/* One term of a result set. term is the analyzed (stemmed) form, OWNED by the result. */
typedef struct ndb_analytics_term {
    char *term;
    uint64_t count;    /* occurrences in the matching live docs */
    uint64_t docs;     /* matching live docs containing it */
    uint64_t bg_count; /* occurrences in background \ matches (significant only) */
    double delta, z;   /* log-odds ratio and its z-score (significant only) */
} ndb_analytics_term;

typedef struct ndb_analytics_terms_result {
    uint64_t fg_docs, bg_docs;     /* |R| and |B \ R| (bg_docs 0 unless significant) */
    uint64_t fg_tokens, bg_tokens; /* n_i, n_j: non-stop-word occurrences */
    uint64_t postings;             /* postings read (the cost) */
    size_t nall;                   /* distinct non-stop terms of R */
    size_t n;                      /* kept: min(top, nall) */
    ndb_analytics_term *terms;     /* [n], ranked */
} ndb_analytics_terms_result;

/* Term statistics of the live matches of fg (see terms.c). significant: score against the
** live matches of bg (NULL = every live doc) minus the matches of fg, rank by z; else rank
** by count. top = 0 keeps all. an: the archive's analyzer (stop-word stems). NDB_ELIMIT
** when more than max_postings postings would be read. *out OWNED:
** ndb_analytics_terms_free. */
ndb_rc ndb_analytics_terms(const ndb_query *fg, const ndb_query *bg, const ndb_view *v,
                           ndb_analyzer *an, size_t top, bool significant, uint64_t max_postings,
                           ndb_analytics_terms_result **out, ndb_err *err);
void ndb_analytics_terms_free(ndb_analytics_terms_result *r);

/* Bigram statistics of the live matches of fg (see terms.c, "Bigrams"): two non-stop
** terms at positions p and p+1 of one doc (paragraphs are one position apart in the index,
** so a bigram never spans two). term is "first second" (stems, one space); count =
** occurrences, docs = matching docs holding it; fg_tokens = all such pairs; postings =
** postings plus positions read. Ranked by count desc, then first, then second term
** bytewise. significant: bigrams of the matches scored like terms against the bigrams of
** the live matches of bg (NULL = every live doc) minus fg (bg_count, bg_tokens, delta, z),
** ranked by z desc, then ids. NDB_ELIMIT when more than max_cost postings and positions
** would be read, or more than 64 Mi positions held. *out OWNED: ndb_analytics_terms_free. */
ndb_rc ndb_analytics_bigrams(const ndb_query *fg, const ndb_query *bg, const ndb_view *v,
                             ndb_analyzer *an, size_t top, bool significant, uint64_t max_cost,
                             ndb_analytics_terms_result **out, ndb_err *err);

/* The Monroe et al. log-odds ratio with informative Dirichlet prior of one term (yi of
** ni in the foreground, yj of nj in the background): delta and z. */
void ndb_analytics_log_odds(uint64_t yi, uint64_t ni, uint64_t yj, uint64_t nj, double *delta,
                            double *z);

#endif /* NDB_ANALYTICS_ANALYTICS_H */
