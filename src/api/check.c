/*
** check.c — ndb_check: verify an archive end to end and say exactly what is wrong.
**
** 1. The newest manifest parses and its frame checks.
** 2. The store: every file's committed CRC, every block, every record (ndb_store_check).
** 3. Each segment: the whole-file CRC and every posting list (ndb_seg_check), its doc range
**    against the manifest, its doc lengths against the store's column.
** 4. Index against store, both ways: every stored article is re-analyzed and each of its
**    terms must be found in the segment with the same frequency; and summing the
**    frequencies of every posting of every term per document must give exactly its length,
**    so the index holds nothing the text does not.
** 5. The near-duplicate files of the commit (frames, CRCs, every record; api/dedup.c).
** Problems go to the report callback one line each; the walk continues past them.
*/
#include "api/api.h"
#include "api/dedup.h"

#include "doc/doc.h"
#include "index/multi.h"

#include <stdio.h>
#include <stdlib.h>

#define CHECK_SAMPLE 5000u

typedef struct check_run {
    ndb_report_fn report;
    void *ctx;
    uint64_t problems;
    bool langstem; /* articles are analyzed in their own language */
} check_run;

static void check_problem(check_run *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_problem(check_run *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(msg, sizeof msg, fmt, ap);
#pragma GCC diagnostic pop
    va_end(ap);
    c->problems++;
    if (c->report)
        c->report(c->ctx, 1, msg);
}

static void check_forward(void *ctx, int is_error, const char *msg)
{
    check_run *c = ctx;
    c->problems += is_error != 0;
    if (c->report)
        c->report(c->ctx, is_error, msg);
}

/* Tokens of one document, collected for counting. */
typedef struct check_terms {
    char **t;
    size_t n, cap;
} check_terms;

static ndb_rc check_collect(void *ctx, const ndb_token *t)
{
    check_terms *ct = ctx;
    if (ct->n == ct->cap) {
        size_t cap = ct->cap ? ct->cap * 2 : 256;
        char **nt = ndb_realloc(ct->t, cap * sizeof *nt);
        if (!nt)
            return NDB_ENOMEM;
        ct->t = nt;
        ct->cap = cap;
    }
    ct->t[ct->n] = ndb_strndup(t->term, t->len);
    if (!ct->t[ct->n])
        return NDB_ENOMEM;
    ct->n++;
    return NDB_OK;
}

static int check_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Forward check of one document: every analyzed term is in seg with the right freq. */
static ndb_rc check_doc(check_run *c, ndb_store *st, ndb_seg *seg, ndb_analyzer *an,
                        uint32_t id, check_terms *ct)
{
    ndb_store_doc *d = NULL;
    ndb_article a;
    uint32_t ntok = 0;
    ndb_rc rc;
    ndb_doc_article_init(&a);
    rc = ndb_store_get(st, id, &d, NULL);
    if (rc != NDB_OK) {
        check_problem(c, "article %u: cannot be read: %s", id, ndb_strerror(rc));
        return rc == NDB_ENOMEM ? rc : NDB_OK;
    }
    ct->n = 0;
    rc = ndb_doc_parse(d->source, d->raw, d->raw_len, false, &a, NULL);
    if (rc != NDB_OK)
        check_problem(c, "article %u: stored bytes do not parse", id);
    else if ((rc = api_lang_stemmer(an, c->langstem, d->lang)) == NDB_OK)
        rc = ndb_text_analyze_paras(an, a.paras, a.n_paras, check_collect, ct, &ntok);
    if (rc == NDB_OK && ntok != d->len)
        check_problem(c, "article %u: %u tokens, store says %u", id, ntok, d->len);
    if (rc == NDB_OK)
        qsort(ct->t, ct->n, sizeof *ct->t, check_strcmp);
    for (size_t i = 0; rc == NDB_OK && i < ct->n;) {
        size_t j = i;
        ndb_term_info ti;
        ndb_cursor *cur = NULL;
        while (j < ct->n && strcmp(ct->t[j], ct->t[i]) == 0)
            j++;
        if (!ndb_seg_term(seg, ct->t[i], strlen(ct->t[i]), &ti) ||
            ndb_seg_cursor(seg, &ti, false, &cur) != NDB_OK) {
            check_problem(c, "%s: term '%s' of article %u is not indexed", ndb_seg_name(seg),
                          ct->t[i], id);
        } else if (ndb_cursor_seek_geq(cur, id) != id) {
            check_problem(c, "%s: term '%s' has no posting for article %u", ndb_seg_name(seg),
                          ct->t[i], id);
        } else if (ndb_cursor_freq(cur) != j - i) {
            check_problem(c, "%s: term '%s' in article %u: freq %u, text has %zu",
                          ndb_seg_name(seg), ct->t[i], id, ndb_cursor_freq(cur), j - i);
        }
        ndb_cursor_close(cur);
        i = j;
    }
    for (size_t i = 0; i < ct->n; i++)
        ndb_free(ct->t[i]);
    ct->n = 0;
    ndb_doc_article_fini(&a);
    ndb_store_doc_free(d);
    return rc == NDB_ENOMEM ? rc : NDB_OK;
}

typedef struct check_sum {
    ndb_seg *seg;
    uint64_t *sum; /* per doc of the segment */
    ndb_rc rc;
} check_sum;

static ndb_rc check_sum_term(void *ctx, const char *t, size_t n)
{
    check_sum *cs = ctx;
    ndb_term_info ti;
    ndb_cursor *cur = NULL;
    uint32_t base = ndb_seg_base(cs->seg), nd = ndb_seg_ndocs(cs->seg);
    if (!ndb_seg_term(cs->seg, t, n, &ti) || ndb_seg_cursor(cs->seg, &ti, false, &cur) != NDB_OK)
        return NDB_OK; /* reported by ndb_seg_check */
    for (uint32_t d = ndb_cursor_next(cur); d != NDB_DOC_END; d = ndb_cursor_next(cur))
        if (d >= base && d - base < nd)
            cs->sum[d - base] += ndb_cursor_freq(cur);
    ndb_cursor_close(cur);
    return NDB_OK;
}

/* Both-way cross-check of one segment against the store. */
static ndb_rc check_segment_docs(check_run *c, ndb_store *st, ndb_seg *seg, ndb_analyzer *an)
{
    const ndb_col *cols = ndb_store_cols(st);
    uint32_t base = ndb_seg_base(seg), nd = ndb_seg_ndocs(seg);
    check_terms ct = {NULL, 0, 0};
    check_sum cs = {seg, NULL, NDB_OK};
    ndb_rc rc = NDB_OK;
    cs.sum = ndb_calloc(nd ? nd : 1, sizeof *cs.sum);
    if (!cs.sum)
        return NDB_ENOMEM;
    for (uint32_t i = 0; i < nd; i++)
        if (ndb_seg_doclen(seg, base + i) != cols[base + i].len)
            check_problem(c, "%s: article %u has length %u, store says %u", ndb_seg_name(seg),
                          base + i, ndb_seg_doclen(seg, base + i), cols[base + i].len);
    rc = ndb_seg_prefix(seg, "", 0, check_sum_term, &cs);
    for (uint32_t i = 0; rc == NDB_OK && i < nd; i++)
        if (cs.sum[i] != cols[base + i].len)
            check_problem(c, "%s: postings of article %u add up to %llu tokens, its length is %u",
                          ndb_seg_name(seg), base + i, (unsigned long long)cs.sum[i],
                          cols[base + i].len);
    /* Term-level forward check: every article of small segments; an even, deterministic
    ** sample of CHECK_SAMPLE articles of large ones (the postings-sum check above already
    ** covers every article). */
    {
        uint32_t step = nd > CHECK_SAMPLE ? nd / CHECK_SAMPLE : 1;
        if (step > 1 && c->report) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "%s: terms cross-checked on a sample of %u of %u articles (one in %u); "
                     "postings sums on all",
                     ndb_seg_name(seg), (nd + step - 1) / step, nd, step);
            c->report(c->ctx, 0, msg);
        }
        for (uint32_t i = 0; rc == NDB_OK && i < nd; i += step)
            rc = check_doc(c, st, seg, an, base + i, &ct);
    }
    ndb_free(ct.t);
    ndb_free(cs.sum);
    return rc;
}

NDB_API ndb_rc ndb_check(ndb_db *db, ndb_report_fn report, void *ctx, ndb_err *err)
{
    check_run c = {report, ctx, 0, false};
    ndb_manifest m;
    ndb_store *st = NULL;
    ndb_analyzer *an = NULL;
    ndb_rc rc;
    ndb_err_clear(err);
    ndb_manifest_init(&m);
    rc = ndb_manifest_load(db->vfs, db->path, &m, err);
    if (rc != NDB_OK) {
        if (report)
            report(ctx, 1, err ? err->msg : "cannot load manifest");
        return rc;
    }
    rc = ndb_store_open(db->vfs, db->path, &m.store, false, &st, err);
    if (rc != NDB_OK) {
        check_problem(&c, "store: %s", err ? err->msg : ndb_strerror(rc));
        goto out;
    }
    rc = ndb_store_check(st, &m.store, check_forward, &c, NULL);
    if (rc == NDB_ENOMEM)
        goto out;
    c.langstem = m.langstem != 0;
    rc = ndb_text_analyzer_new(m.stemmer, &an);
    for (size_t i = 0; rc == NDB_OK && i < m.nsegs; i++) {
        ndb_seg *seg = NULL;
        ndb_err e;
        if (ndb_seg_open(db->vfs, db->path, m.segs[i].name, &seg, &e) != NDB_OK) {
            check_problem(&c, "%s", e.msg);
            continue;
        }
        if (ndb_seg_base(seg) != m.segs[i].base || ndb_seg_ndocs(seg) != m.segs[i].ndocs)
            check_problem(&c, "%s: covers docs %u+%u, manifest says %u+%u", m.segs[i].name,
                          ndb_seg_base(seg), ndb_seg_ndocs(seg), m.segs[i].base,
                          m.segs[i].ndocs);
        else if (ndb_seg_check(seg, check_forward, &c, NULL) == NDB_OK)
            rc = check_segment_docs(&c, st, seg, an);
        ndb_seg_unref(seg);
    }
    if (rc == NDB_OK) { /* the forward index, when the archive has one */
        ndb_fwd *fwd = NULL;
        ndb_err e;
        if (ndb_fwd_open(db->vfs, db->path, m.store.ndocs, &fwd, &e) != NDB_OK)
            check_problem(&c, "%s", e.msg);
        else if (fwd)
            (void)ndb_fwd_check(fwd, check_forward, &c, NULL);
        ndb_fwd_close(fwd);
    }
    if (rc == NDB_OK) {
        ndb_err e;
        uint32_t covered = 0;
        if (api_dedup_check(db, m.gen, m.store.ndocs, &covered, &e) != NDB_OK)
            check_problem(&c, "%s", e.msg);
    }
out:
    ndb_text_analyzer_free(an);
    ndb_store_close(st);
    ndb_manifest_fini(&m);
    if (rc == NDB_ENOMEM)
        return ndb_err_set(err, rc, "out of memory during check");
    if (c.problems)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: %llu problem%s found", db->path,
                           (unsigned long long)c.problems, c.problems == 1 ? "" : "s");
    return NDB_OK;
}
