/*
** parse.c — lexer and recursive-descent parser of the query language, and explain.
**
** What: query text -> qnode tree (query_int.h) with every word analyzed, every filter
** value normalized (outlet -> registrable domain, dates -> inclusive day ranges).
** The language is specified for users in docs/query-language.md; in short:
**     query   := or EOF
**     or      := and { OR and }
**     and     := unary { [AND] unary }          juxtaposition = AND
**     unary   := (NOT | -) unary | + unary | primary
**     primary := WORD | "phrase"[~N] | prefix* | field:value | ( or )
** Precedence NOT > AND > OR. An AND whose members are all negative means "all documents
** except"; a lone NOT likewise.
**
** Why shaped so: two passes. The lexer cuts the whole text into tokens first (each
** remembers its byte offset, for "column N" messages), which lets one rule look at a
** token's neighbours: a filter at the top level with no explicit operator on either side
** ("a OR b date:2016", the benchmark harness's trailing filters) restricts the WHOLE
** query instead of binding to its neighbour — so the harness language keeps its meaning
** ("filters apply to the whole query") while filters stay ordinary leaves everywhere
** else. The parser then skips those tokens and ANDs them onto the root.
**
** Invariants / limits: text <= NDB_QUERY_MAX_BYTES; leaves <= NDB_QUERY_MAX_LEAVES;
** recursion depth <= NDB_QUERY_MAX_DEPTH (parentheses and unary operators both count), so
** stack use is bounded for any input. Words that analyze to nothing yield NULL subtrees
** that vanish from their parent; a query left with nothing is NDB_EPARSE.
**
** Threading: parse uses the caller's analyzer; the result is immutable.
*/
#include "query/query_int.h"

#include <stdio.h>
#include <strings.h>

#include "doc/doc.h"

typedef enum qtok_kind {
    QT_WORD,
    QT_PHRASE,
    QT_PREFIX,
    QT_FIELD,
    QT_LP,
    QT_RP,
    QT_AND,
    QT_OR,
    QT_NOT,
    QT_MINUS,
    QT_PLUS,
    QT_EOF,
} qtok_kind;

typedef enum qfield { QF_OUTLET, QF_DATE, QF_URL, QF_ID, QF_LANG } qfield;

typedef struct qtok {
    qtok_kind kind;
    size_t off;      /* byte offset of the token */
    const char *v;   /* value: word, phrase content, prefix without '*', field value */
    size_t vn;
    qfield field;
    int32_t slop;    /* QT_PHRASE: -1 exact, else ~N */
    bool global;     /* QT_FIELD hoisted to the whole query */
} qtok;

typedef struct qparse {
    const char *q;
    size_t n;
    qtok *toks;
    size_t ntoks, i;
    ndb_analyzer *an;
    ndb_err *err;
    size_t leaves;
    /* Per-language analysis (ndb_query_parse_langs): the stem indexes the archive's
    ** languages use (stems[0] = 0, the archive's own), and per index the language ids
    ** stemmed with it. nstems <= 1: one analysis, the plain path. */
    int stems[NDB_LANG_NSTEM];
    int nstems;
    ndb_lang_set stem_langs[NDB_LANG_NSTEM];
} qparse;

/* ---------------------------------------------------------------- helpers */

static uint32_t query_column(const char *q, size_t off)
{
    uint32_t col = 1;
    for (size_t i = 0; i < off; i++)
        if (((uint8_t)q[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static bool query_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static ndb_rc query_perr(qparse *p, size_t off, const char *what, const char *detail)
{
    return ndb_err_set(p->err, NDB_EPARSE, "column %u: %s%s", query_column(p->q, off), what,
                       detail ? detail : "");
}

static ndb_rc query_qstr_dup(qstr *s, const char *p, size_t n)
{
    s->p = ndb_strndup(p, n);
    s->n = n;
    return s->p ? NDB_OK : NDB_ENOMEM;
}

void ndb_query_node_free(qnode *n)
{
    if (!n)
        return;
    ndb_free(n->s.p);
    for (uint32_t i = 0; i < n->nterms; i++)
        ndb_free(n->terms[i].p);
    ndb_free(n->terms);
    for (uint32_t i = 0; i < n->nkids; i++)
        ndb_query_node_free(n->kids[i]);
    ndb_free(n->kids);
    ndb_free(n);
}

static qnode *query_node_new(qnode_kind kind, uint32_t col)
{
    qnode *n = ndb_calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->col = col;
    }
    return n;
}

/* ---------------------------------------------------------------- lexer */

static bool query_field_of(const char *p, size_t n, qfield *f)
{
    static const struct {
        const char *name;
        qfield f;
    } fields[] = {{"outlet", QF_OUTLET}, {"date", QF_DATE}, {"url", QF_URL}, {"id", QF_ID},
                  {"lang", QF_LANG}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strlen(fields[i].name) == n && strncasecmp(fields[i].name, p, n) == 0) {
            *f = fields[i].f;
            return true;
        }
    }
    return false;
}

/* Length of a leading "name:" where name = [A-Za-z][A-Za-z0-9_]*, else 0. */
static size_t query_field_name_len(const char *p, size_t n)
{
    if (n == 0 || !((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = p[i];
        if (c == ':')
            return i;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 0;
}

static ndb_rc query_lex_quote(qparse *p, size_t open, size_t *close)
{
    const char *e = memchr(p->q + open + 1, '"', p->n - open - 1);
    if (!e)
        return query_perr(p, open, "unterminated quote", NULL);
    *close = (size_t)(e - p->q);
    return NDB_OK;
}

/* A bare run starting at i (no space, parenthesis or quote inside). */
static ndb_rc query_lex_bare(qparse *p, size_t *ip, qtok *t)
{
    size_t i = *ip, j = i;
    ndb_rc rc = NDB_OK;
    while (j < p->n && !query_is_space(p->q[j]) && p->q[j] != '(' && p->q[j] != ')' &&
           p->q[j] != '"')
        j++;
    const char *s = p->q + i;
    size_t len = j - i;
    size_t fl = query_field_name_len(s, len);
    t->v = s;
    t->vn = len;
    if (len == 3 && memcmp(s, "AND", 3) == 0) {
        t->kind = QT_AND;
    } else if (len == 2 && memcmp(s, "OR", 2) == 0) {
        t->kind = QT_OR;
    } else if (len == 3 && memcmp(s, "NOT", 3) == 0) {
        t->kind = QT_NOT;
    } else if (fl > 0) {
        char name[64];
        if (!query_field_of(s, fl, &t->field)) {
            snprintf(name, sizeof name, "%.*s'", (int)NDB_MIN(fl, 40), s);
            rc = query_perr(p, i, "unknown field '", name);
            goto out;
        }
        t->kind = QT_FIELD;
        t->v = s + fl + 1;
        t->vn = len - fl - 1;
        if (t->vn == 0 && j < p->n && p->q[j] == '"') {
            size_t close;
            rc = query_lex_quote(p, j, &close);
            if (rc != NDB_OK)
                goto out;
            t->v = p->q + j + 1;
            t->vn = close - j - 1;
            j = close + 1;
        }
        if (t->vn == 0) {
            snprintf(name, sizeof name, "%.*s'", (int)NDB_MIN(fl, 40), s);
            rc = query_perr(p, i, "missing value for field '", name);
            goto out;
        }
    } else if (len > 0 && s[len - 1] == '*') {
        size_t k = len;
        while (k > 0 && s[k - 1] == '*')
            k--;
        if (k == 0) {
            rc = query_perr(p, i, "a prefix needs at least one character before '*'", NULL);
            goto out;
        }
        t->kind = QT_PREFIX;
        t->vn = k;
    } else {
        t->kind = QT_WORD;
    }
    *ip = j;
out:
    return rc;
}

static ndb_rc query_lex_phrase(qparse *p, size_t *ip, qtok *t)
{
    size_t i = *ip, close;
    ndb_rc rc = query_lex_quote(p, i, &close);
    if (rc != NDB_OK)
        return rc;
    t->kind = QT_PHRASE;
    t->v = p->q + i + 1;
    t->vn = close - i - 1;
    t->slop = -1;
    size_t j = close + 1;
    if (j < p->n && p->q[j] == '~') {
        size_t k = j + 1;
        uint32_t v = 0;
        while (k < p->n && p->q[k] >= '0' && p->q[k] <= '9' && k - j <= 6)
            v = v * 10 + (uint32_t)(p->q[k++] - '0');
        if (k == j + 1)
            return query_perr(p, j, "expected a number after '~'", NULL);
        if (k < p->n && p->q[k] >= '0' && p->q[k] <= '9')
            return query_perr(p, j + 1, "proximity window too large (at most 999999)", NULL);
        t->slop = (int32_t)v;
        j = k;
    }
    *ip = j;
    return NDB_OK;
}

static void query_mark_globals(qparse *p)
{
    int depth = 0;
    for (size_t k = 0; k < p->ntoks; k++) {
        qtok *t = &p->toks[k];
        if (t->kind == QT_LP)
            depth++;
        else if (t->kind == QT_RP)
            depth--;
        if (t->kind != QT_FIELD || depth != 0)
            continue;
        qtok_kind prev = k > 0 ? p->toks[k - 1].kind : QT_EOF;
        qtok_kind next = p->toks[k + 1].kind; /* toks[ntoks] is EOF */
        if (prev == QT_AND || prev == QT_OR || prev == QT_NOT || prev == QT_MINUS ||
            prev == QT_PLUS || prev == QT_LP)
            continue;
        if (next == QT_AND || next == QT_OR)
            continue;
        t->global = true;
    }
}

static ndb_rc query_lex(qparse *p)
{
    ndb_rc rc = NDB_OK;
    size_t i = 0, cap = p->n + 1;
    p->toks = ndb_calloc(cap, sizeof *p->toks);
    if (!p->toks)
        return ndb_err_set(p->err, NDB_ENOMEM, "query: out of memory");
    while (i < p->n) {
        char c = p->q[i];
        if (query_is_space(c)) {
            i++;
            continue;
        }
        qtok *t = &p->toks[p->ntoks++];
        t->off = i;
        if (c == '(' || c == ')') {
            t->kind = c == '(' ? QT_LP : QT_RP;
            i++;
        } else if (c == '"') {
            rc = query_lex_phrase(p, &i, t);
        } else if ((c == '-' || c == '+') && i + 1 < p->n && !query_is_space(p->q[i + 1]) &&
                   p->q[i + 1] != ')') {
            t->kind = c == '-' ? QT_MINUS : QT_PLUS;
            i++;
        } else {
            rc = query_lex_bare(p, &i, t);
        }
        if (rc != NDB_OK)
            return rc;
    }
    p->toks[p->ntoks].kind = QT_EOF;
    p->toks[p->ntoks].off = p->n;
    query_mark_globals(p);
    return NDB_OK;
}

/* ---------------------------------------------------------------- leaves */

typedef struct query_terms {
    qstr *v;
    uint32_t n, cap;
    ndb_rc rc;
} query_terms;

static ndb_rc query_collect_term(void *ctx, const ndb_token *t)
{
    query_terms *ts = ctx;
    if (ts->n == ts->cap) {
        uint32_t ncap = ts->cap ? ts->cap * 2 : 4;
        if (ncap > 4096)
            return NDB_ELIMIT;
        qstr *nv = ndb_realloc(ts->v, ncap * sizeof *nv);
        if (!nv)
            return NDB_ENOMEM;
        ts->v = nv;
        ts->cap = ncap;
    }
    ndb_rc rc = query_qstr_dup(&ts->v[ts->n], t->term, t->len);
    if (rc == NDB_OK)
        ts->n++;
    return rc;
}

static ndb_rc query_count_leaf(qparse *p, size_t off)
{
    if (++p->leaves > NDB_QUERY_MAX_LEAVES)
        return ndb_err_set(p->err, NDB_ELIMIT,
                           "column %u: query has more than %d terms and filters",
                           query_column(p->q, off), NDB_QUERY_MAX_LEAVES);
    return NDB_OK;
}

/* WORD or PHRASE: analyze; 0 tokens -> *out NULL, 1 -> TERM, k -> PHRASE. */
static ndb_rc query_leaf_text1(qparse *p, const qtok *t, qnode **out)
{
    query_terms ts = {0};
    qnode *n = NULL;
    uint32_t pos = 0;
    ndb_rc rc = ndb_text_analyze(p->an, (const uint8_t *)t->v, t->vn, &pos,
                                 query_collect_term, &ts);
    *out = NULL;
    if (rc == NDB_ELIMIT) {
        rc = ndb_err_set(p->err, rc, "column %u: phrase has too many words",
                         query_column(p->q, t->off));
        goto out;
    }
    if (rc != NDB_OK) {
        rc = ndb_err_set(p->err, rc, "query: analyzing a word failed");
        goto out;
    }
    if (ts.n == 0)
        goto out;
    rc = query_count_leaf(p, t->off);
    if (rc != NDB_OK)
        goto out;
    n = query_node_new(ts.n == 1 ? QN_TERM : QN_PHRASE, query_column(p->q, t->off));
    if (!n) {
        rc = ndb_err_set(p->err, NDB_ENOMEM, "query: out of memory");
        goto out;
    }
    if (ts.n == 1) {
        n->s = ts.v[0];
        ts.n = 0;
    } else {
        n->terms = ts.v;
        n->nterms = ts.n;
        n->slop = t->kind == QT_PHRASE ? t->slop : -1;
        ts.v = NULL;
        ts.n = 0;
    }
    *out = n;
out:
    for (uint32_t i = 0; i < ts.n; i++)
        ndb_free(ts.v[i].p);
    ndb_free(ts.v);
    return rc;
}

static bool query_leaf_same(const qnode *a, const qnode *b)
{
    if (a->kind != b->kind || a->nterms != b->nterms)
        return false;
    if (a->kind == QN_TERM)
        return a->s.n == b->s.n && memcmp(a->s.p, b->s.p, a->s.n) == 0;
    for (uint32_t i = 0; i < a->nterms; i++)
        if (a->terms[i].n != b->terms[i].n || memcmp(a->terms[i].p, b->terms[i].p, a->terms[i].n))
            return false;
    return true;
}

static ndb_rc query_make_nary(qnode_kind kind, uint32_t col, qnode **v, uint32_t n,
                              qnode **out);

/* The word analyzed with every stemmer the archive's languages use (query.h): one leaf when
** all agree, else (OR (AND leaf_g (LANG langs_g)) ...), one branch per distinct analysis,
** branches in the order of their first stem index (0 first). Counts as one leaf. */
static ndb_rc query_leaf_text_langs(qparse *p, const qtok *t, qnode **out)
{
    qnode *leaf[NDB_LANG_NSTEM] = {0}, **v = NULL;
    ndb_lang_set set[NDB_LANG_NSTEM];
    int group[NDB_LANG_NSTEM], ngroups = 0;
    size_t leaves = p->leaves;
    ndb_rc rc = NDB_OK;
    *out = NULL;
    for (int i = 0; i < p->nstems && rc == NDB_OK; i++) {
        rc = ndb_text_analyzer_set_stem(p->an, p->stems[i]);
        if (rc != NDB_OK)
            rc = ndb_err_set(p->err, rc, "query: out of memory");
        else
            rc = query_leaf_text1(p, t, &leaf[i]);
        p->leaves = leaves;
    }
    if (ndb_text_analyzer_set_stem(p->an, 0) != NDB_OK && rc == NDB_OK)
        rc = NDB_EINVAL; /* index 0 always exists: cannot fail */
    if (rc != NDB_OK || !leaf[0])
        goto out;
    rc = query_count_leaf(p, t->off);
    for (int i = 0; i < p->nstems && rc == NDB_OK; i++) {
        int g = 0;
        while (g < ngroups && !query_leaf_same(leaf[group[g]], leaf[i]))
            g++;
        if (g == ngroups) {
            group[ngroups++] = i;
            memset(&set[g], 0, sizeof set[g]);
        }
        for (int w = 0; w < 4; w++)
            set[g].w[w] |= p->stem_langs[p->stems[i]].w[w];
    }
    if (rc != NDB_OK)
        goto out;
    if (ngroups == 1) {
        *out = leaf[0];
        leaf[0] = NULL;
        goto out;
    }
    v = ndb_calloc((size_t)ngroups, sizeof *v);
    if (!v) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (int g = 0; g < ngroups && rc == NDB_OK; g++) {
        qnode **pair = ndb_calloc(2, sizeof *pair);
        qnode *l = query_node_new(QN_LANG, leaf[group[g]]->col);
        if (!pair || !l) {
            ndb_free(pair);
            ndb_free(l);
            rc = NDB_ENOMEM;
            break;
        }
        l->langs = set[g];
        pair[0] = leaf[group[g]];
        pair[1] = l;
        leaf[group[g]] = NULL;
        rc = query_make_nary(QN_AND, pair[0]->col, pair, 2, &v[g]);
        if (rc == NDB_OK)
            v[g]->lang_branch = true;
    }
    if (rc == NDB_OK) {
        rc = query_make_nary(QN_OR, v[0]->col, v, (uint32_t)ngroups, out);
        v = NULL;
    }
out:
    for (int i = 0; i < NDB_LANG_NSTEM; i++)
        ndb_query_node_free(leaf[i]);
    for (int g = 0; v && g < ngroups; g++)
        ndb_query_node_free(v[g]);
    ndb_free(v);
    if (rc == NDB_ENOMEM)
        ndb_err_set(p->err, rc, "query: out of memory");
    return rc;
}

static ndb_rc query_leaf_text(qparse *p, const qtok *t, qnode **out)
{
    if (p->nstems <= 1)
        return query_leaf_text1(p, t, out);
    return query_leaf_text_langs(p, t, out);
}

static ndb_rc query_leaf_prefix(qparse *p, const qtok *t, qnode **out)
{
    ndb_buf b;
    qnode *n = NULL;
    ndb_rc rc;
    ndb_buf_init(&b, 4 * NDB_QUERY_MAX_BYTES);
    *out = NULL;
    rc = ndb_text_fold(p->an, t->v, t->vn, &b);
    if (rc != NDB_OK) {
        rc = ndb_err_set(p->err, rc == NDB_EPARSE ? NDB_EPARSE : rc,
                         "column %u: prefix is not valid UTF-8", query_column(p->q, t->off));
        goto out;
    }
    rc = query_count_leaf(p, t->off);
    if (rc != NDB_OK)
        goto out;
    n = query_node_new(QN_PREFIX, query_column(p->q, t->off));
    if (!n || query_qstr_dup(&n->s, b.n ? (const char *)b.p : "", b.n) != NDB_OK) {
        rc = ndb_err_set(p->err, NDB_ENOMEM, "query: out of memory");
        goto out;
    }
    *out = n;
    n = NULL;
out:
    ndb_query_node_free(n);
    ndb_buf_fini(&b);
    return rc;
}

/* ---------------------------------------------------------------- dates */

static int query_days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static bool query_digits(const char *s, size_t n, int *v)
{
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return n > 0;
}

/* One date of a filter: YYYY, YYYY-MM, YYYY-MM-DD, YYYYMM, YYYYMMDD, as the inclusive
** period [first, last] it names. lenient: a day 29..31 past the month's end is clamped
** (first = the next month's first day, last = the month's last day), because the bench
** harness writes ranges such as 20170901..20170931. */
static bool query_date_period(const char *s, size_t n, bool lenient, int32_t *first,
                              int32_t *last)
{
    int y = 0, m = 0, d = 0;
    bool hasm = false, hasd = false;
    if (n == 4) {
        if (!query_digits(s, 4, &y))
            return false;
    } else if (n == 7 && s[4] == '-') {
        hasm = query_digits(s, 4, &y) && query_digits(s + 5, 2, &m);
        if (!hasm)
            return false;
    } else if (n == 6) {
        hasm = query_digits(s, 4, &y) && query_digits(s + 4, 2, &m);
        if (!hasm)
            return false;
    } else if (n == 10 && s[4] == '-' && s[7] == '-') {
        hasm = hasd = query_digits(s, 4, &y) && query_digits(s + 5, 2, &m) &&
                      query_digits(s + 8, 2, &d);
        if (!hasd)
            return false;
    } else if (n == 8) {
        hasm = hasd = query_digits(s, 4, &y) && query_digits(s + 4, 2, &m) &&
                      query_digits(s + 6, 2, &d);
        if (!hasd)
            return false;
    } else {
        return false;
    }
    if (y < 1 || (hasm && (m < 1 || m > 12)) || (hasd && d < 1))
        return false;
    if (!hasm)
        return ndb_date_from_ymd(y, 1, 1, first) && ndb_date_from_ymd(y, 12, 31, last);
    int dim = query_days_in_month(y, m);
    if (!hasd)
        return ndb_date_from_ymd(y, m, 1, first) && ndb_date_from_ymd(y, m, dim, last);
    if (d > dim) {
        if (!lenient || d > 31 || !ndb_date_from_ymd(y, m, dim, last))
            return false;
        *first = *last + 1;
        return true;
    }
    if (!ndb_date_from_ymd(y, m, d, first))
        return false;
    *last = *first;
    return true;
}

static ndb_rc query_leaf_date(qparse *p, const qtok *t, qnode *n)
{
    const char *s = t->v;
    size_t len = t->vn;
    int32_t f, l, f2, l2;
    n->lo = QDATE_OPEN_LO;
    n->hi = QDATE_OPEN_HI;
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    if (len >= 1 && (s[0] == '<' || s[0] == '>')) {
        bool eq = len >= 2 && s[1] == '=';
        size_t k = eq ? 2 : 1;
        if (!query_date_period(s + k, len - k, true, &f, &l))
            goto bad;
        if (s[0] == '>')
            n->lo = eq ? f : l + 1;
        else
            n->hi = eq ? l : f - 1;
    } else if (dots) {
        size_t a = (size_t)(dots - s), b = len - a - 2;
        if (a == 0 && b == 0)
            goto bad;
        if (a > 0 && !query_date_period(s, a, true, &f, &l))
            goto bad;
        if (b > 0 && !query_date_period(dots + 2, b, true, &f2, &l2))
            goto bad;
        if (a > 0)
            n->lo = f;
        if (b > 0)
            n->hi = l2;
    } else {
        if (!query_date_period(s, len, false, &f, &l))
            goto bad;
        n->lo = f;
        n->hi = l;
    }
    if (n->lo < QDATE_OPEN_LO)
        n->lo = QDATE_OPEN_LO;
    return NDB_OK;
bad:
    return ndb_err_set(p->err, NDB_EPARSE,
                       "column %u: bad date '%.*s' (want YYYY, YYYY-MM, YYYY-MM-DD or "
                       "YYYYMMDD, ranges A..B, or <, <=, >, >=)",
                       query_column(p->q, t->off), (int)NDB_MIN(len, 64), s);
}

/* Registrable domain of an outlet name as the store records it: module doc's
** ndb_doc_outlet of "http://" + name (so www.bbc.co.uk -> bbc.co.uk); when that finds no
** registrable domain (an IP, a bare suffix), the lower-cased name without "www.". */
static ndb_rc query_outlet_norm(const char *s, size_t n, qstr *out)
{
    char url[NDB_DOC_OUTLET_MAX + 16];
    char dom[NDB_DOC_OUTLET_MAX];
    char *v = ndb_malloc(n + 1);
    size_t k = 0;
    if (!v)
        return NDB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        v[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    while (k > 0 && v[k - 1] == '.')
        k--;
    v[k] = '\0';
    dom[0] = '\0';
    if (k < NDB_DOC_OUTLET_MAX) {
        memcpy(url, "http://", 7);
        memcpy(url + 7, v, k);
        if (ndb_doc_outlet(url, k + 7, dom, sizeof dom) != NDB_OK)
            dom[0] = '\0';
    }
    if (dom[0] != '\0') {
        k = strlen(dom);
        memcpy(v, dom, k + 1);
    } else if (k > 4 && memcmp(v, "www.", 4) == 0) {
        memmove(v, v + 4, k - 4 + 1);
        k -= 4;
    }
    out->p = v;
    out->n = k;
    return NDB_OK;
}

/* lang:de, lang:de,fr,pt-BR, lang:none (articles whose language is unknown). A value that
** names no ISO 639-1 language is an error (a typo would otherwise silently match nothing). */
static ndb_rc query_leaf_lang(qparse *p, const qtok *t, qnode *n)
{
    size_t i = 0;
    memset(&n->langs, 0, sizeof n->langs);
    while (i <= t->vn) {
        size_t j = i;
        uint8_t id;
        while (j < t->vn && t->v[j] != ',')
            j++;
        if ((j - i == 4 && strncasecmp(t->v + i, "none", 4) == 0) ||
            (j - i == 7 && strncasecmp(t->v + i, "unknown", 7) == 0)) {
            ndb_lang_set_add(&n->langs, NDB_LANG_NONE);
        } else {
            id = ndb_lang_normalize(t->v + i, j - i);
            if (id == NDB_LANG_NONE)
                return query_perr(p, t->off,
                                  "lang: wants ISO 639-1 codes such as en, de, fr (or none)",
                                  NULL);
            ndb_lang_set_add(&n->langs, id);
        }
        i = j + 1;
    }
    return NDB_OK;
}

static ndb_rc query_leaf_field(qparse *p, const qtok *t, qnode **out)
{
    static const qnode_kind kinds[] = {QN_OUTLET, QN_DATE, QN_URL, QN_ID, QN_LANG};
    ndb_rc rc = query_count_leaf(p, t->off);
    qnode *n = NULL;
    *out = NULL;
    if (rc != NDB_OK)
        goto out;
    n = query_node_new(kinds[t->field], query_column(p->q, t->off));
    if (!n) {
        rc = ndb_err_set(p->err, NDB_ENOMEM, "query: out of memory");
        goto out;
    }
    switch (t->field) {
    case QF_OUTLET:
        rc = query_outlet_norm(t->v, t->vn, &n->s);
        if (rc == NDB_OK && n->s.n == 0)
            rc = query_perr(p, t->off, "empty outlet name", NULL);
        break;
    case QF_DATE:
        rc = query_leaf_date(p, t, n);
        break;
    case QF_URL:
        rc = query_qstr_dup(&n->s, t->v, t->vn);
        break;
    case QF_LANG:
        rc = query_leaf_lang(p, t, n);
        break;
    case QF_ID: {
        uint64_t v = 0;
        bool ok = t->vn <= 10;
        for (size_t i = 0; ok && i < t->vn; i++) {
            ok = t->v[i] >= '0' && t->v[i] <= '9';
            v = v * 10 + (uint64_t)(t->v[i] - '0');
        }
        if (!ok || v >= NDB_DOC_END)
            rc = query_perr(p, t->off, "id: wants a document number", NULL);
        n->id = (uint32_t)v;
        break;
    }
    }
    if (rc == NDB_ENOMEM)
        ndb_err_set(p->err, rc, "query: out of memory");
    if (rc != NDB_OK)
        goto out;
    *out = n;
    n = NULL;
out:
    ndb_query_node_free(n);
    return rc;
}

/* ---------------------------------------------------------------- parser */

static const qtok *query_peek(qparse *p)
{
    while (p->toks[p->i].kind == QT_FIELD && p->toks[p->i].global)
        p->i++;
    return &p->toks[p->i];
}

static const qtok *query_take(qparse *p)
{
    const qtok *t = query_peek(p);
    if (t->kind != QT_EOF)
        p->i++;
    return t;
}

static bool query_starts_operand(qtok_kind k)
{
    return k != QT_EOF && k != QT_RP && k != QT_OR && k != QT_AND;
}

/* Append kid to a growing list (NULL kids are dropped). */
static ndb_rc query_list_add(qnode ***v, uint32_t *n, uint32_t *cap, qnode *kid)
{
    if (!kid)
        return NDB_OK;
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 4;
        qnode **nv = ndb_realloc(*v, nc * sizeof *nv);
        if (!nv)
            return NDB_ENOMEM;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = kid;
    return NDB_OK;
}

/* Build AND / OR from a list (flattening kids of the same kind); takes the list. */
static ndb_rc query_make_nary(qnode_kind kind, uint32_t col, qnode **v, uint32_t n,
                              qnode **out)
{
    ndb_rc rc = NDB_OK;
    qnode *nd = NULL;
    qnode **flat = NULL;
    uint32_t nf = 0, cap = 0;
    *out = NULL;
    if (n <= 1) {
        *out = n ? v[0] : NULL;
        ndb_free(v);
        return NDB_OK;
    }
    for (uint32_t i = 0; i < n && rc == NDB_OK; i++) {
        if (v[i]->kind == kind) {
            for (uint32_t j = 0; j < v[i]->nkids && rc == NDB_OK; j++) {
                rc = query_list_add(&flat, &nf, &cap, v[i]->kids[j]);
                if (rc == NDB_OK)
                    v[i]->kids[j] = NULL;
            }
            if (rc == NDB_OK) {
                ndb_query_node_free(v[i]);
                v[i] = NULL;
            }
        } else {
            rc = query_list_add(&flat, &nf, &cap, v[i]);
            if (rc == NDB_OK)
                v[i] = NULL;
        }
    }
    if (rc != NDB_OK)
        goto out;
    nd = query_node_new(kind, col);
    if (!nd) {
        rc = NDB_ENOMEM;
        goto out;
    }
    nd->kids = flat;
    nd->nkids = nf;
    flat = NULL;
    nf = 0;
    *out = nd;
out:
    for (uint32_t i = 0; i < n; i++)
        ndb_query_node_free(v[i]);
    ndb_free(v);
    for (uint32_t i = 0; i < nf; i++)
        ndb_query_node_free(flat[i]);
    ndb_free(flat);
    return rc;
}

static ndb_rc query_p_or(qparse *p, uint32_t depth, qnode **out);

static ndb_rc query_depth(qparse *p, uint32_t depth, size_t off)
{
    if (depth > NDB_QUERY_MAX_DEPTH)
        return ndb_err_set(p->err, NDB_ELIMIT, "column %u: query nests deeper than %d levels",
                           query_column(p->q, off), NDB_QUERY_MAX_DEPTH);
    return NDB_OK;
}

static ndb_rc query_p_primary(qparse *p, uint32_t depth, qnode **out)
{
    const qtok *t = query_take(p);
    ndb_rc rc = NDB_OK;
    *out = NULL;
    switch (t->kind) {
    case QT_LP:
        rc = query_depth(p, depth + 1, t->off);
        if (rc != NDB_OK)
            return rc;
        if (query_peek(p)->kind == QT_RP)
            return query_perr(p, t->off, "empty parentheses", NULL);
        if (query_peek(p)->kind == QT_EOF)
            return query_perr(p, t->off, "unbalanced parenthesis: '(' is never closed", NULL);
        rc = query_p_or(p, depth + 1, out);
        if (rc != NDB_OK)
            return rc;
        if (query_peek(p)->kind != QT_RP) {
            ndb_query_node_free(*out);
            *out = NULL;
            return query_perr(p, t->off, "unbalanced parenthesis: '(' is never closed", NULL);
        }
        query_take(p);
        return NDB_OK;
    case QT_WORD:
    case QT_PHRASE:
        return query_leaf_text(p, t, out);
    case QT_PREFIX:
        return query_leaf_prefix(p, t, out);
    case QT_FIELD:
        return query_leaf_field(p, t, out);
    case QT_RP:
        return query_perr(p, t->off, "unbalanced parenthesis: ')' without '('", NULL);
    case QT_EOF:
        return query_perr(p, t->off, "expected a search term at the end of the query", NULL);
    default:
        return query_perr(p, t->off, "expected a search term", NULL);
    }
}

static ndb_rc query_p_unary(qparse *p, uint32_t depth, qnode **out)
{
    const qtok *t = query_peek(p);
    ndb_rc rc = query_depth(p, depth, t->off);
    qnode *kid = NULL;
    *out = NULL;
    if (rc != NDB_OK)
        return rc;
    if (t->kind != QT_NOT && t->kind != QT_MINUS && t->kind != QT_PLUS)
        return query_p_primary(p, depth, out);
    query_take(p);
    if (!query_starts_operand(query_peek(p)->kind))
        return query_perr(p, t->off,
                          t->kind == QT_NOT ? "NOT needs an operand" : "'-'/'+' needs an operand",
                          NULL);
    rc = query_p_unary(p, depth + 1, &kid);
    if (rc != NDB_OK || !kid || t->kind == QT_PLUS) {
        *out = kid;
        return rc;
    }
    qnode *n = query_node_new(QN_NOT, query_column(p->q, t->off));
    if (!n) {
        ndb_query_node_free(kid);
        return ndb_err_set(p->err, NDB_ENOMEM, "query: out of memory");
    }
    n->kids = ndb_malloc(sizeof *n->kids);
    if (!n->kids) {
        ndb_query_node_free(kid);
        ndb_query_node_free(n);
        return ndb_err_set(p->err, NDB_ENOMEM, "query: out of memory");
    }
    n->kids[0] = kid;
    n->nkids = 1;
    *out = n;
    return NDB_OK;
}

static ndb_rc query_p_and(qparse *p, uint32_t depth, qnode **out)
{
    qnode **v = NULL;
    uint32_t n = 0, cap = 0, operands = 0;
    size_t start = query_peek(p)->off;
    ndb_rc rc = NDB_OK;
    *out = NULL;
    for (;;) {
        const qtok *t = query_peek(p);
        if (t->kind == QT_EOF || t->kind == QT_RP || t->kind == QT_OR)
            break;
        if (t->kind == QT_AND) {
            if (operands == 0) {
                rc = query_perr(p, t->off, "AND needs a left operand", NULL);
                goto out;
            }
            query_take(p);
            if (!query_starts_operand(query_peek(p)->kind)) {
                rc = query_perr(p, t->off, "AND needs a right operand", NULL);
                goto out;
            }
            continue;
        }
        qnode *kid = NULL;
        rc = query_p_unary(p, depth, &kid);
        if (rc != NDB_OK)
            goto out;
        operands++;
        rc = query_list_add(&v, &n, &cap, kid);
        if (rc != NDB_OK) {
            ndb_query_node_free(kid);
            goto out;
        }
    }
    if (operands == 0) {
        const qtok *t = query_peek(p);
        rc = t->kind == QT_OR ? query_perr(p, t->off, "OR needs a left operand", NULL)
             : t->kind == QT_RP
                 ? query_perr(p, t->off, "unbalanced parenthesis: ')' without '('", NULL)
                 : query_perr(p, t->off, "empty query", NULL);
        goto out;
    }
    rc = query_make_nary(QN_AND, query_column(p->q, start), v, n, out);
    v = NULL;
    n = 0;
out:
    for (uint32_t i = 0; i < n; i++)
        ndb_query_node_free(v[i]);
    ndb_free(v);
    if (rc == NDB_ENOMEM)
        ndb_err_set(p->err, rc, "query: out of memory");
    return rc;
}

static ndb_rc query_p_or(qparse *p, uint32_t depth, qnode **out)
{
    qnode **v = NULL;
    uint32_t n = 0, cap = 0;
    size_t start = query_peek(p)->off;
    ndb_rc rc = NDB_OK;
    *out = NULL;
    for (;;) {
        qnode *kid = NULL;
        rc = query_p_and(p, depth, &kid);
        if (rc != NDB_OK)
            goto out;
        rc = query_list_add(&v, &n, &cap, kid);
        if (rc != NDB_OK) {
            ndb_query_node_free(kid);
            goto out;
        }
        const qtok *t = query_peek(p);
        if (t->kind != QT_OR)
            break;
        query_take(p);
        if (!query_starts_operand(query_peek(p)->kind)) {
            rc = query_perr(p, t->off, "OR needs a right operand", NULL);
            goto out;
        }
    }
    rc = query_make_nary(QN_OR, query_column(p->q, start), v, n, out);
    v = NULL;
    n = 0;
out:
    for (uint32_t i = 0; i < n; i++)
        ndb_query_node_free(v[i]);
    ndb_free(v);
    if (rc == NDB_ENOMEM)
        ndb_err_set(p->err, rc, "query: out of memory");
    return rc;
}

/* The root: the expression (if any), then the hoisted global filters ANDed on. */
static ndb_rc query_p_root(qparse *p, qnode **out)
{
    qnode **v = NULL, *e = NULL, *f = NULL;
    uint32_t n = 0, cap = 0;
    ndb_rc rc = NDB_OK;
    *out = NULL;
    if (query_peek(p)->kind != QT_EOF) {
        rc = query_p_or(p, 1, &e);
        if (rc != NDB_OK)
            goto out;
        const qtok *t = query_peek(p);
        if (t->kind != QT_EOF) {
            rc = query_perr(p, t->off, "unbalanced parenthesis: ')' without '('", NULL);
            goto out;
        }
        rc = query_list_add(&v, &n, &cap, e);
        if (rc != NDB_OK)
            goto out;
        e = NULL;
    }
    for (size_t k = 0; k < p->ntoks; k++) {
        if (p->toks[k].kind != QT_FIELD || !p->toks[k].global)
            continue;
        rc = query_leaf_field(p, &p->toks[k], &f);
        if (rc == NDB_OK)
            rc = query_list_add(&v, &n, &cap, f);
        if (rc != NDB_OK)
            goto out;
        f = NULL;
    }
    rc = query_make_nary(QN_AND, 1, v, n, out);
    v = NULL;
    n = 0;
    if (rc == NDB_OK && !*out)
        rc = query_perr(p, 0, "empty query (no searchable words)", NULL);
out:
    ndb_query_node_free(e);
    ndb_query_node_free(f);
    for (uint32_t i = 0; i < n; i++)
        ndb_query_node_free(v[i]);
    ndb_free(v);
    if (rc == NDB_ENOMEM)
        ndb_err_set(p->err, rc, "query: out of memory");
    return rc;
}

/* ---------------------------------------------------------------- term lists */

static ndb_rc query_list_term(qstr **v, size_t *n, const qstr *s)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].n == s->n && memcmp((*v)[i].p, s->p, s->n) == 0)
            return NDB_OK;
    qstr *nv = ndb_realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return NDB_ENOMEM;
    *v = nv;
    nv[*n] = *s; /* borrowed from the node */
    (*n)++;
    return NDB_OK;
}

/* A scoring term, with the languages it scores in (langs NULL: all). */
static ndb_rc query_list_sterm(ndb_query *q, const qstr *s, const ndb_lang_set *langs)
{
    static const ndb_lang_set all = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    size_t i = 0, n0 = q->nsterms;
    ndb_rc rc = query_list_term(&q->sterms, &q->nsterms, s);
    if (rc != NDB_OK)
        return rc;
    if (q->nsterms > n0) {
        ndb_lang_set *nl = ndb_realloc(q->sterm_langs, q->nsterms * sizeof *nl);
        if (!nl)
            return NDB_ENOMEM;
        q->sterm_langs = nl;
        memset(&nl[n0], 0, sizeof *nl);
    }
    while (i < q->nsterms && !(q->sterms[i].n == s->n && memcmp(q->sterms[i].p, s->p, s->n) == 0))
        i++;
    for (int w = 0; w < 4; w++)
        q->sterm_langs[i].w[w] |= (langs ? langs : &all)->w[w];
    return NDB_OK;
}

static ndb_rc query_collect_lists(ndb_query *q, const qnode *n, bool neg,
                                  const ndb_lang_set *langs)
{
    ndb_rc rc = NDB_OK;
    switch (n->kind) {
    case QN_TERM:
        if (!neg) {
            rc = query_list_sterm(q, &n->s, langs);
            if (rc == NDB_OK)
                rc = query_list_term(&q->pterms, &q->npterms, &n->s);
        }
        break;
    case QN_PHRASE:
        for (uint32_t i = 0; i < n->nterms && !neg && rc == NDB_OK; i++) {
            rc = query_list_sterm(q, &n->terms[i], langs);
            if (rc == NDB_OK)
                rc = query_list_term(&q->pterms, &q->npterms, &n->terms[i]);
        }
        break;
    case QN_PREFIX:
        if (!neg)
            rc = query_list_term(&q->prefixes, &q->nprefixes, &n->s);
        break;
    case QN_NOT:
        rc = query_collect_lists(q, n->kids[0], true, langs);
        break;
    case QN_AND:
    case QN_OR:
        for (uint32_t i = 0; n->lang_branch && i < n->nkids; i++)
            if (n->kids[i]->kind == QN_LANG)
                langs = &n->kids[i]->langs;
        for (uint32_t i = 0; i < n->nkids && rc == NDB_OK; i++)
            rc = query_collect_lists(q, n->kids[i], neg, langs);
        break;
    default:
        break;
    }
    return rc;
}

/* No per-language scoring when every scoring term scores in every language. */
static void query_langs_trim(ndb_query *q)
{
    for (size_t i = 0; q->sterm_langs && i < q->nsterms; i++)
        for (int w = 0; w < 4; w++)
            if (q->sterm_langs[i].w[w] != UINT64_MAX)
                return;
    ndb_free(q->sterm_langs);
    q->sterm_langs = NULL;
}

/* ---------------------------------------------------------------- public */

/* Which stem indexes the present languages use; index 0 always (unknown articles). The
** language sets per index are built only when more than one is used (an English archive
** pays one pass over the present bits per query). */
static void query_stems_of(qparse *p, const ndb_lang_set *present)
{
    bool used[NDB_LANG_NSTEM] = {true};
    int nused = 1;
    for (int w = 0; w < 4; w++) {
        for (uint64_t bits = present->w[w]; bits; bits &= bits - 1) {
            int k = ndb_lang_stem_index((uint8_t)(w * 64 + __builtin_ctzll(bits)));
            nused += !used[k];
            used[k] = true;
        }
    }
    p->nstems = 0;
    for (int k = 0; k < NDB_LANG_NSTEM; k++)
        if (used[k])
            p->stems[p->nstems++] = k;
    if (nused == 1)
        return;
    memset(p->stem_langs, 0, sizeof p->stem_langs);
    for (int id = 0; id < 256; id++)
        ndb_lang_set_add(&p->stem_langs[ndb_lang_stem_index((uint8_t)id)], (uint8_t)id);
}

ndb_rc ndb_query_parse(const char *q, size_t n, ndb_analyzer *an, ndb_query **out,
                       ndb_err *err)
{
    return ndb_query_parse_langs(q, n, an, NULL, out, err);
}

ndb_rc ndb_query_parse_langs(const char *q, size_t n, ndb_analyzer *an,
                             const ndb_lang_set *present, ndb_query **out, ndb_err *err)
{
    qparse p = {0};
    ndb_query *res = NULL;
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    *out = NULL;
    if (n > NDB_QUERY_MAX_BYTES) {
        rc = ndb_err_set(err, NDB_ELIMIT, "query: longer than %d bytes (%zu)",
                         NDB_QUERY_MAX_BYTES, n);
        goto out;
    }
    p.q = q;
    p.n = n;
    p.an = an;
    p.err = err;
    if (present)
        query_stems_of(&p, present);
    rc = query_lex(&p);
    if (rc != NDB_OK)
        goto out;
    res = ndb_calloc(1, sizeof *res);
    if (!res) {
        rc = ndb_err_set(err, NDB_ENOMEM, "query: out of memory");
        goto out;
    }
    rc = query_p_root(&p, &res->root);
    if (rc != NDB_OK)
        goto out;
    res->leaves = p.leaves;
    rc = query_collect_lists(res, res->root, false, NULL);
    if (rc != NDB_OK) {
        rc = ndb_err_set(err, rc, "query: out of memory");
        goto out;
    }
    query_langs_trim(res);
    *out = res;
    res = NULL;
out:
    ndb_query_free(res);
    ndb_free(p.toks);
    return rc;
}

void ndb_query_free(ndb_query *q)
{
    if (!q)
        return;
    ndb_query_node_free(q->root);
    ndb_free(q->sterms);
    ndb_free(q->sterm_langs);
    ndb_free(q->pterms);
    ndb_free(q->prefixes);
    ndb_free(q);
}

ndb_rc ndb_query_set_bm25(ndb_query *q, const ndb_bm25 *p)
{
    if (!(p->k1 >= 0 && p->b >= 0 && p->b <= 1 && p->min_norm >= 0 && p->k1 < 1e6 &&
          p->min_norm < 1e6))
        return NDB_EINVAL;
    q->bm25 = *p;
    q->bm25_set = true;
    return NDB_OK;
}

size_t ndb_query_leaves(const ndb_query *q)
{
    return q->leaves;
}

/* ---------------------------------------------------------------- explain */

static ndb_rc query_explain_node(const qnode *n, ndb_buf *out)
{
    ndb_rc rc = NDB_OK;
    switch (n->kind) {
    case QN_TERM:
        return ndb_buf_printf(out, "(TERM %.*s)", (int)n->s.n, n->s.p);
    case QN_PREFIX:
        return ndb_buf_printf(out, "(PREFIX %.*s)", (int)n->s.n, n->s.p);
    case QN_OUTLET:
        return ndb_buf_printf(out, "(OUTLET %.*s)", (int)n->s.n, n->s.p);
    case QN_URL:
        return ndb_buf_printf(out, "(URL \"%.*s\")", (int)n->s.n, n->s.p);
    case QN_ID:
        return ndb_buf_printf(out, "(ID %u)", n->id);
    case QN_LANG: {
        const char *sep = " ";
        rc = ndb_buf_append_str(out, "(LANG");
        for (int id = 0; id <= NDB_LANG_COUNT && rc == NDB_OK; id++) {
            if (!ndb_lang_set_has(&n->langs, (uint8_t)id))
                continue;
            rc = ndb_buf_printf(out, "%s%s", sep, id ? ndb_lang_code((uint8_t)id) : "none");
            sep = ",";
        }
        return rc == NDB_OK ? ndb_buf_append_str(out, ")") : rc;
    }
    case QN_DATE:
        rc = ndb_buf_append_str(out, "(DATE ");
        if (rc == NDB_OK && n->lo != QDATE_OPEN_LO)
            rc = ndb_buf_printf(out, "%d", (int)n->lo);
        if (rc == NDB_OK)
            rc = ndb_buf_append_str(out, "..");
        if (rc == NDB_OK && n->hi != QDATE_OPEN_HI)
            rc = ndb_buf_printf(out, "%d", (int)n->hi);
        return rc == NDB_OK ? ndb_buf_append_str(out, ")") : rc;
    case QN_PHRASE:
        if (n->slop < 0)
            rc = ndb_buf_append_str(out, "(PHRASE \"");
        else
            rc = ndb_buf_printf(out, "(PROX %d \"", (int)n->slop);
        for (uint32_t i = 0; i < n->nterms && rc == NDB_OK; i++)
            rc = ndb_buf_printf(out, "%s%.*s", i ? " " : "", (int)n->terms[i].n,
                                n->terms[i].p);
        return rc == NDB_OK ? ndb_buf_append_str(out, "\")") : rc;
    case QN_AND:
    case QN_OR:
    case QN_NOT:
        rc = ndb_buf_append_str(out, n->kind == QN_AND  ? "(AND"
                                     : n->kind == QN_OR ? "(OR"
                                                        : "(NOT");
        for (uint32_t i = 0; i < n->nkids && rc == NDB_OK; i++) {
            rc = ndb_buf_append_str(out, " ");
            if (rc == NDB_OK)
                rc = query_explain_node(n->kids[i], out);
        }
        return rc == NDB_OK ? ndb_buf_append_str(out, ")") : rc;
    }
    return NDB_EINVAL;
}

ndb_rc ndb_query_explain(const ndb_query *q, ndb_buf *out)
{
    return query_explain_node(q->root, out);
}
