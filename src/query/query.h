/*
** query — the query language of newsdb: lexer -> parser -> AST -> executors, and snippets.
**
** What: ndb_query_parse turns a query string (syntax: docs/query-language.md) into an
** immutable AST whose words are already analyzed with the archive's analyzer. The
** executors run that AST against an ndb_view (index/view.h) and never see segment files:
**   count   exact number of live matches; never scores, decodes positions only for phrases
**   each    every live match, ids ascending
**   topk    the k best by score or date, plus the exact total. exhaustive=true scores every
**           match (the oracle); exhaustive=false takes the block-max fast path for the
**           common shapes (AND / OR of terms, plus filters) and falls back to exhaustive
**           for everything else. Both give identical hits and bitwise-identical scores.
**   snippet highlighted window of an article's body for the query's terms
**
** Why shaped so: the AST is analyzed once, at parse time, so every executor and the
** snippet code agree on terms; the view abstraction lets the same executors be checked
** against a brute-force oracle on in-memory documents (tests/query/test_oracle.c).
**
** Scoring (deterministic, rule 23): score(d) = sum over the distinct analyzed terms of the
** positive (not under NOT / -) term, phrase and proximity leaves, in the order they first
** appear in the query, of BM25(t, d) as defined in index/view.h (0 when t is absent from
** d; in a per-language parse also 0 when d's language did not produce t). Prefixes and filters do not score. Only live documents ever match.
**
** Errors: NDB_EPARSE "column N: what" (N = 1-based character column of the offending
** token), NDB_ELIMIT for the size limits below and for prefix expansions, NDB_ENOMEM, and
** a cursor's err (NDB_ECORRUPT) when an index read fails during execution.
**
** Threading: a parsed ndb_query is immutable and may be run from many threads at once
** (each run opens its own cursors). The analyzer passed to parse/snippet belongs to the
** calling thread for the duration of the call.
*/
#ifndef NDB_QUERY_QUERY_H
#define NDB_QUERY_QUERY_H

#include "base/base.h"
#include "index/view.h"
#include "text/lang.h"
#include "text/text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NDB_QUERY_MAX_BYTES 8192     /* longest query text */
#define NDB_QUERY_MAX_LEAVES 256     /* terms, phrases, prefixes, filters */
#define NDB_QUERY_MAX_DEPTH 64       /* nesting of parentheses / operators */
#define NDB_QUERY_MAX_EXPANSIONS 10000 /* indexed terms one prefix may match */

typedef struct ndb_query ndb_query;

/* Parse q[0..n) (UTF-8, not NUL-terminated). Words are analyzed with an (the archive's
** analyzer). *out OWNED: ndb_query_free; NULL on error. */
ndb_rc ndb_query_parse(const char *q, size_t n, ndb_analyzer *an, ndb_query **out,
                       ndb_err *err);
void ndb_query_free(ndb_query *q); /* accepts NULL */

/* Parse for an archive whose articles are each stemmed in their own language (text/lang.h;
** docs/query-language.md "Languages"). present = the language ids that occur in the view
** (a superset is fine; NULL: exactly ndb_query_parse). Each word and phrase is analyzed
** with the stemmer of every stem index those languages use; when all analyses agree it is
** the usual leaf, else
**     (OR (AND leaf_1 (LANG set_1)) (AND leaf_2 (LANG set_2)) ...)
** one branch per distinct analysis, set_g = every language whose stemmer gives leaf_g. So an
** article matches a word exactly when the word, analyzed in the article's language, is in
** it; and a scoring term scores only in articles of the languages that produced it, so an
** article's score is the one a single-language archive of its language would give. The
** analyzer is left at stem index 0. */
ndb_rc ndb_query_parse_langs(const char *q, size_t n, ndb_analyzer *an,
                             const ndb_lang_set *present, ndb_query **out, ndb_err *err);

/* Debug form of the AST (for tests and `newsdb search --explain`), appended to out, e.g.
** (AND (TERM elect) (PHRASE "white hous") (DATE 16801..16831)). Not NUL-terminated. */
ndb_rc ndb_query_explain(const ndb_query *q, ndb_buf *out);

/* Exact number of live matches. */
ndb_rc ndb_query_count(const ndb_query *q, const ndb_view *v, uint64_t *count, ndb_err *err);

/* Call fn for every live match, ids ascending; a non-zero return from fn stops the walk
** (still NDB_OK). ndb_id_fn is from newsdb.h. */
ndb_rc ndb_query_each(const ndb_query *q, const ndb_view *v, ndb_id_fn fn, void *ctx,
                      ndb_err *err);

typedef struct ndb_query_hit {
    uint32_t id;
    double score;
} ndb_query_hit;

/* Top k by sort (ndb_sort from newsdb.h: score desc then id asc; date desc/asc then id
** asc, undated last). hits has room for k; *nhits = min(k, total). *total = exact number
** of matches; total may be NULL when the caller does not need it, which lets an OR of
** terms skip docs that cannot enter (MaxScore). exhaustive=true scores every match (the
** oracle); false uses block-max pruning where the query's shape allows; all give identical
** hits and scores. */
ndb_rc ndb_query_topk(const ndb_query *q, const ndb_view *v, size_t k, ndb_sort sort,
                      bool exhaustive, ndb_query_hit *hits, size_t *nhits, uint64_t *total,
                      ndb_err *err);

/* BM25 parameters of q's scores. Never set: k1 = NDB_BM25_K1, b = NDB_BM25_B, no length
** floor, idf = ln(1 + (N - df + 0.5) / (df + 0.5)) (index/view.h). min_norm floors the
** length ratio dl / avgdl; xapian_idf takes Xapian 1.4's BM25Weight idf instead: ln(tw),
** tw = (N - df + 0.5) / (df + 0.5), and tw / 2 + 1 when tw < 2. {1.0, 0.5, 0.5, true} is
** Xapian's default BM25Weight(), for like-for-like comparisons of rankings. k1 >= 0,
** 0 <= b <= 1, min_norm >= 0, else NDB_EINVAL. */
typedef struct ndb_bm25 {
    double k1, b, min_norm;
    bool xapian_idf;
} ndb_bm25;
ndb_rc ndb_query_set_bm25(ndb_query *q, const ndb_bm25 *p);

/* Highlighted snippet of an article for q: the ~max_chars window (in characters, cut at
** token boundaries) of the body with the most distinct matched query terms; matches
** wrapped in [[ and ]]; "…" where cut; paragraphs joined by " ". Appended to out. An
** article with no match gives its first ~max_chars characters. */
ndb_rc ndb_query_snippet(const ndb_query *q, ndb_analyzer *an, const ndb_slice *paras,
                         uint32_t n, size_t max_chars, ndb_buf *out);

/* Number of leaves of q (terms, phrases, prefixes, filters). */
size_t ndb_query_leaves(const ndb_query *q);

#endif /* NDB_QUERY_QUERY_H */
