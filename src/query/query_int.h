/*
** query_int.h — the query AST, private to src/query (parse.c builds it, exec.c runs it,
** snippet.c reads its terms).
**
** Shape: a tree of qnode. Leaves are analyzed already: TERM holds one analyzed term,
** PHRASE holds k >= 2 analyzed terms (slop < 0: exact phrase; slop >= 0: proximity
** window "a b c"~slop), PREFIX a folded prefix, filters their normalized value (LANG: a
** set of language ids, tested against the column like OUTLET and DATE). Inner
** nodes: AND (children; NOT children of an AND are exclusions), OR, NOT (one child).
**
** Invariants:
**   1. AND / OR have >= 2 children and never a child of their own kind (flattened).
**   2. Every string is owned by its node (ndb_malloc) and not NUL-terminated by contract
**      (they are, for convenience).
**   3. ndb_query.sterms lists the distinct analyzed terms of positive TERM and PHRASE
**      leaves (not under any NOT) in first-appearance order: the scoring terms, summed in
**      this order by every executor.
**   4. DATE lo/hi are inclusive day numbers; QDATE_OPEN_LO / QDATE_OPEN_HI mark open ends,
**      both above NDB_DATE_NONE so undated documents never match.
**   5. Per-language words (ndb_query_parse_langs) are (OR (AND leaf (LANG set)) ...) with
**      the AND marked lang_branch; the sets of one word are disjoint.
*/
#ifndef NDB_QUERY_QUERY_INT_H
#define NDB_QUERY_QUERY_INT_H

#include "query/query.h"
#include "text/lang.h"

typedef enum qnode_kind {
    QN_TERM,
    QN_PHRASE,
    QN_PREFIX,
    QN_OUTLET,
    QN_DATE,
    QN_URL,
    QN_ID,
    QN_LANG,
    QN_AND,
    QN_OR,
    QN_NOT,
} qnode_kind;

#define QDATE_OPEN_LO (INT32_MIN + 1)
#define QDATE_OPEN_HI INT32_MAX

typedef struct qstr {
    char *p;
    size_t n;
} qstr;

typedef struct qnode qnode;
struct qnode {
    qnode_kind kind;
    uint32_t col;      /* 1-based character column in the query text */
    qstr s;            /* TERM, PREFIX, OUTLET, URL */
    qstr *terms;       /* PHRASE: nterms analyzed terms */
    uint32_t nterms;
    int32_t slop;      /* PHRASE: < 0 exact, else proximity slop */
    int32_t lo, hi;    /* DATE */
    uint32_t id;       /* ID */
    ndb_lang_set langs; /* LANG: the language ids that match (ndb_col_lang) */
    bool lang_branch;   /* AND: one branch (leaf AND LANG) of a per-language word */
    qnode **kids;      /* AND, OR, NOT */
    uint32_t nkids;
};

struct ndb_query {
    qnode *root;
    qstr *sterms;      /* scoring terms, first-appearance order (invariant 3) */
    size_t nsterms;
    /* Per-language parses only (NULL otherwise): sterm i scores only in articles whose
    ** language is in sterm_langs[i] — the languages whose analysis of the query produced it. */
    ndb_lang_set *sterm_langs;
    qstr *pterms;      /* every positive analyzed term (for snippets), distinct */
    size_t npterms;
    qstr *prefixes;    /* positive prefixes (for snippets) */
    size_t nprefixes;
    size_t leaves;
    ndb_bm25 bm25;     /* scoring parameters (valid when bm25_set) */
    bool bm25_set;
};

void ndb_query_node_free(qnode *n);

#endif /* NDB_QUERY_QUERY_INT_H */
