/*
** snippet.c — highlighted snippets: the best ~max_chars window of an article body.
**
** What: analyze the paragraphs (same analyzer as the index, so matching agrees with
** search), mark tokens whose analyzed term is a positive query term or starts with a
** positive prefix, then slide a window over the tokens: the window [token i .. token j]
** whose text (paragraphs joined by one space) spans at most max_chars characters and holds
** the most DISTINCT matched terms wins; ties go to the earliest window. Output: the window
** text with each matched token wrapped in [[ ]], "…" before it when it does not start the
** body and after it when it does not end it.
**
** Why shaped so: windows start and end on token boundaries, so a word is never cut; counting
** distinct terms (not occurrences) prefers a window that explains the match over one that
** repeats a single word. Characters are UTF-8 code points.
**
** Invariants: token byte ranges are within the joined text; counts[] are the occurrences
** of each query term in the current window (two-pointer sweep, O(tokens)).
**
** Threading: uses the caller's analyzer; the query is only read.
*/
#include "query/query_int.h"

typedef struct snip_tok {
    size_t start, end;   /* bytes in the joined text */
    size_t cstart, cend; /* characters in the joined text */
    int32_t term;        /* matched query term index, or -1 */
} snip_tok;

typedef struct snip_ctx {
    const ndb_query *q;
    snip_tok *v;
    size_t n, cap;
    size_t base;         /* byte offset of the current paragraph in the joined text */
    const uint8_t *text; /* joined text */
} snip_ctx;

static size_t snip_chars(const uint8_t *p, size_t a, size_t b)
{
    size_t c = 0;
    for (size_t i = a; i < b; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}

static int32_t snip_match(const ndb_query *q, const char *t, size_t n)
{
    for (size_t i = 0; i < q->npterms; i++)
        if (q->pterms[i].n == n && memcmp(q->pterms[i].p, t, n) == 0)
            return (int32_t)i;
    for (size_t i = 0; i < q->nprefixes; i++)
        if (n >= q->prefixes[i].n && memcmp(q->prefixes[i].p, t, q->prefixes[i].n) == 0)
            return (int32_t)(q->npterms + i);
    return -1;
}

static ndb_rc snip_on_token(void *ctx, const ndb_token *t)
{
    snip_ctx *s = ctx;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        snip_tok *nv = ndb_realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return NDB_ENOMEM;
        s->v = nv;
        s->cap = nc;
    }
    snip_tok *k = &s->v[s->n++];
    k->start = s->base + t->start;
    k->end = s->base + t->end;
    k->term = snip_match(s->q, t->term, t->len);
    return NDB_OK;
}

/* Best window [*bi, *bj] (token indices, inclusive). */
static ndb_rc snip_best(snip_ctx *s, size_t nterms, size_t max_chars, size_t *bi, size_t *bj)
{
    uint32_t *cnt = ndb_calloc(nterms ? nterms : 1, sizeof *cnt);
    size_t distinct = 0, best = 0, j = 0;
    if (!cnt)
        return NDB_ENOMEM;
    *bi = 0;
    *bj = 0;
    bool have = false;
    for (size_t i = 0; i < s->n; i++) {
        if (j < i)
            j = i;
        while (j < s->n && (j == i || s->v[j].cend - s->v[i].cstart <= max_chars)) {
            if (s->v[j].term >= 0 && cnt[s->v[j].term]++ == 0)
                distinct++;
            j++;
        }
        if (!have || distinct > best) {
            best = distinct;
            *bi = i;
            *bj = j - 1;
            have = true;
        }
        if (s->v[i].term >= 0 && --cnt[s->v[i].term] == 0)
            distinct--;
    }
    ndb_free(cnt);
    return NDB_OK;
}

static ndb_rc snip_emit(snip_ctx *s, size_t len, size_t bi, size_t bj, ndb_buf *out)
{
    ndb_rc rc = NDB_OK;
    const uint8_t *t = s->text;
    size_t at = bi == 0 ? 0 : s->v[bi].start;
    if (bi > 0)
        rc = ndb_buf_append_str(out, "\xE2\x80\xA6"); /* … */
    for (size_t i = bi; i <= bj && rc == NDB_OK; i++) {
        snip_tok *k = &s->v[i];
        rc = ndb_buf_append(out, t + at, k->start - at);
        if (rc == NDB_OK && k->term >= 0)
            rc = ndb_buf_append_str(out, "[[");
        if (rc == NDB_OK)
            rc = ndb_buf_append(out, t + k->start, k->end - k->start);
        if (rc == NDB_OK && k->term >= 0)
            rc = ndb_buf_append_str(out, "]]");
        at = k->end;
    }
    if (rc == NDB_OK && bj + 1 < s->n)
        rc = ndb_buf_append_str(out, "\xE2\x80\xA6");
    else if (rc == NDB_OK)
        rc = ndb_buf_append(out, t + at, len - at); /* trailing punctuation of the body */
    return rc;
}

ndb_rc ndb_query_snippet(const ndb_query *q, ndb_analyzer *an, const ndb_slice *paras,
                         uint32_t n, size_t max_chars, ndb_buf *out)
{
    snip_ctx s = {0};
    ndb_buf text;
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&text, NDB_BUF_NOMAX);
    s.q = q;
    for (uint32_t i = 0; i < n && rc == NDB_OK; i++) {
        if (i > 0)
            rc = ndb_buf_append_u8(&text, ' ');
        s.base = text.n;
        if (rc == NDB_OK)
            rc = ndb_buf_append(&text, paras[i].p, paras[i].n);
        if (rc == NDB_OK) {
            uint32_t pos = 0;
            s.text = text.p;
            rc = ndb_text_analyze(an, paras[i].p, paras[i].n, &pos, snip_on_token, &s);
        }
    }
    if (rc != NDB_OK)
        goto out;
    s.text = text.p;
    if (s.n == 0) {
        /* no tokens at all: the first max_chars characters */
        size_t b = 0, c = 0;
        while (b < text.n && c < max_chars) {
            b++;
            while (b < text.n && (text.p[b] & 0xC0) == 0x80)
                b++;
            c++;
        }
        rc = b ? ndb_buf_append(out, text.p, b) : NDB_OK;
        if (rc == NDB_OK && b < text.n)
            rc = ndb_buf_append_str(out, "\xE2\x80\xA6");
        goto out;
    }
    size_t c = 0, at = 0;
    for (size_t i = 0; i < s.n; i++) {
        c += snip_chars(text.p, at, s.v[i].start);
        s.v[i].cstart = c;
        c += snip_chars(text.p, s.v[i].start, s.v[i].end);
        s.v[i].cend = c;
        at = s.v[i].end;
    }
    size_t bi, bj;
    rc = snip_best(&s, q->npterms + q->nprefixes, max_chars, &bi, &bj);
    if (rc == NDB_OK)
        rc = snip_emit(&s, text.n, bi, bj, out);
out:
    ndb_free(s.v);
    ndb_buf_fini(&text);
    return rc;
}
