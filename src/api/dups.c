/*
** dups.c — the read side of near-duplicate and reuse data: ndb_dup_list, ndb_dup_cluster_of,
** ndb_reuse_report, ndb_reuse_outlets (include/newsdb.h; design in dedup.c and docs/dedup.md).
**
** State: the dup files of a commit are loaded once into compressed-row arrays (links of
** each article to earlier ones; paragraph fingerprints of each article) and shared by the
** snapshots of the db (refcounted; a snapshot of commit G uses any state loaded at G' >= G,
** restricted to its own articles: records never change once committed, and links only
** point backwards, so the restriction is exact). The fingerprint index (all fingerprints
** sorted) is built on the first reuse call.
**
** Clusters: the matching live articles are the vertices; a stored link (S >= floor) is an
** edge when both ends match and inter >= T * den, den = max(|A|, |B|) or, for Jaccard,
** |A ∪ B| (both kept in the link). Connected components by union-find
** with the smallest id as root (analytics/dedup.h), so a cluster's id is its smallest
** member, independent of edge order. Members are sorted earliest first: by date (undated
** last), then id; the first is the source. Exhaustive mode ignores the stored links: it
** reads every matching article back, computes its shingle set and compares every pair.
**
** Cost: O(matches + their links) per ndb_dup_list; O(fingerprints log fingerprints) once per
** loaded state for the reuse index; memory 16 bytes per link, 8 per article and 16 per
** fingerprint (twice once the reuse index is built).
*/
#include "api/dedup.h"

#include "analytics/analytics.h"
#include "analytics/dedup.h"
#include "doc/doc.h"
#include "index/view.h"
#include "query/query.h"

#include <inttypes.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- loading */

typedef struct dups_load {
    api_dedup_state *st;
    size_t ecap, fcap;
} dups_load;

static ndb_rc dups_load_record(dups_load *L, uint32_t id, ndb_rd *r)
{
    api_dedup_state *st = L->st;
    uint64_t nsh = 0, nl = 0, np = 0, nfp = 0;
    size_t ne = st->eoff[id], nf = st->foff[id];
    ndb_rc rc = ndb_rd_varint(r, &nsh);
    if (rc == NDB_OK)
        rc = ndb_rd_varint(r, &nl);
    if (rc == NDB_OK && nl > ndb_rd_left(r))
        rc = NDB_ECORRUPT;
    if (rc == NDB_OK)
        rc = ndb_grow((void **)&st->e, &L->ecap, ne + nl, sizeof *st->e);
    for (uint64_t i = 0; i < nl && rc == NDB_OK; i++) {
        rc = api_dedup_read_link(r, id, &st->e[ne]);
        ne += rc == NDB_OK;
    }
    if (rc == NDB_OK)
        rc = ndb_rd_varint(r, &np);
    if (rc == NDB_OK)
        rc = ndb_rd_varint(r, &nfp);
    if (rc == NDB_OK && (nfp > np || np > UINT32_MAX || nfp > ndb_rd_left(r)))
        rc = NDB_ECORRUPT;
    if (rc == NDB_OK)
        rc = ndb_grow((void **)&st->f, &L->fcap, nf + nfp, sizeof *st->f);
    for (uint64_t i = 0; i < nfp && rc == NDB_OK; i++) {
        uint64_t para = 0, fp = 0;
        rc = ndb_rd_varint(r, &para);
        if (rc == NDB_OK)
            rc = ndb_rd_u64le(r, &fp);
        if (rc == NDB_OK && para >= np)
            rc = NDB_ECORRUPT;
        if (rc == NDB_OK)
            st->f[nf++] = (api_dedup_fp){fp, id, (uint32_t)para};
    }
    if (rc != NDB_OK)
        return rc == NDB_ENOMEM ? rc : NDB_ECORRUPT;
    st->npara[id] = (uint32_t)np;
    st->eoff[id + 1] = (uint32_t)ne;
    st->foff[id + 1] = (uint32_t)nf;
    return NDB_OK;
}

static ndb_rc dups_load_file(void *ctx, uint32_t base, uint32_t count, ndb_rd *bands,
                             ndb_rd *recs, ndb_err *err)
{
    dups_load *L = ctx;
    ndb_rc rc = NDB_OK;
    (void)bands;
    for (uint32_t i = 0; i < count && rc == NDB_OK; i++)
        rc = dups_load_record(L, base + i, recs);
    if (rc == NDB_OK && ndb_rd_left(recs) != 0)
        rc = NDB_ECORRUPT;
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "dup file of articles from %u: %s", base,
                           rc == NDB_ENOMEM ? "out of memory" : "bad record");
    return NDB_OK;
}

static void dups_state_free(api_dedup_state *st)
{
    if (!st)
        return;
    ndb_free(st->npara);
    ndb_free(st->eoff);
    ndb_free(st->e);
    ndb_free(st->foff);
    ndb_free(st->f);
    ndb_free(st->byfp);
    pthread_mutex_destroy(&st->mu);
    ndb_free(st);
}

ndb_rc api_dedup_state_load(const ndb_vfs *vfs, const char *dir, uint64_t gen, uint32_t nd,
                            api_dedup_state **out, ndb_err *err)
{
    api_dedup_state *st = ndb_calloc(1, sizeof *st);
    uint32_t covered = 0;
    dups_load L = {st, 0, 0};
    ndb_rc rc;
    *out = NULL;
    if (!st)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    pthread_mutex_init(&st->mu, NULL);
    st->gen = gen;
    st->refs = 1;
    st->npara = ndb_calloc((size_t)nd + 1, sizeof *st->npara);
    st->eoff = ndb_calloc((size_t)nd + 2, sizeof *st->eoff);
    st->foff = ndb_calloc((size_t)nd + 2, sizeof *st->foff);
    if (!st->npara || !st->eoff || !st->foff) {
        dups_state_free(st);
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    }
    rc = api_dedup_load_chain(vfs, dir, gen, nd, dups_load_file, &L, &covered, err);
    if (rc != NDB_OK) {
        dups_state_free(st);
        return rc;
    }
    st->n = covered;
    st->nf = st->foff[covered];
    *out = st;
    return NDB_OK;
}

static ndb_rc dups_state_load(ndb_snapshot *s, api_dedup_state **out, ndb_err *err)
{
    return api_dedup_state_load(s->db->vfs, s->db->path, s->gen, s->st.ndocs, out, err);
}

ndb_rc api_dedup_state_get(ndb_snapshot *s, api_dedup_state **out, ndb_err *err)
{
    ndb_db *db = s->db;
    api_dedup_state *st = NULL, *old = NULL;
    ndb_rc rc;
    pthread_mutex_lock(&db->mu);
    if (db->dedup && db->dedup->gen >= s->gen) {
        st = db->dedup;
        st->refs++;
    }
    pthread_mutex_unlock(&db->mu);
    if (st) {
        *out = st;
        return NDB_OK;
    }
    rc = dups_state_load(s, &st, err);
    if (rc != NDB_OK)
        return rc;
    pthread_mutex_lock(&db->mu);
    if (!db->dedup || db->dedup->gen < st->gen) {
        old = db->dedup;
        db->dedup = st;
        st->refs++;
    }
    pthread_mutex_unlock(&db->mu);
    api_dedup_state_unref(old);
    *out = st;
    return NDB_OK;
}

void api_dedup_state_unref(api_dedup_state *st)
{
    int left;
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    left = --st->refs;
    pthread_mutex_unlock(&st->mu);
    if (left == 0)
        dups_state_free(st);
}

void api_dedup_db_release(ndb_db *db)
{
    api_dedup_state_unref(db->dedup);
    db->dedup = NULL;
}

/* ---------------------------------------------------------------- shared helpers */

/* Sort key: earliest first (api_dedup_order_key). */
static uint64_t dups_key(const ndb_snapshot *s, uint32_t id)
{
    return api_dedup_order_key(s->view.cols[id].date, id);
}

typedef struct dups_match {
    ndb_snapshot *s;
    uint8_t *in; /* [ndocs] 1 = matching live article */
    uint64_t n;
} dups_match;

static int dups_match_fn(void *ctx, uint32_t id)
{
    dups_match *m = ctx;
    if (id < m->s->st.ndocs && !m->in[id]) {
        m->in[id] = 1;
        m->n++;
    }
    return 0;
}

/* The matching live articles of query (NULL/"" = every live article). */
static ndb_rc dups_matching(ndb_snapshot *s, const char *query, dups_match *m, ndb_err *err)
{
    m->s = s;
    m->n = 0;
    m->in = ndb_calloc((size_t)s->st.ndocs + 1, 1);
    if (!m->in)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (query && *query)
        return ndb_match_each(s, query, dups_match_fn, m, err);
    for (uint32_t i = 0; i < s->st.ndocs; i++)
        if (s->view.live(s, i))
            dups_match_fn(m, i);
    return NDB_OK;
}

/* Outlet names copied into one pool: names[outlet id] (NULL until used). */
typedef struct dups_names {
    ndb_snapshot *s;
    ndb_buf pool;
    size_t *off; /* [noutlets + 1] offset + 1 in pool, 0 = not yet */
} dups_names;

static ndb_rc dups_names_init(dups_names *nm, ndb_snapshot *s)
{
    nm->s = s;
    ndb_buf_init(&nm->pool, NDB_BUF_NOMAX);
    nm->off = ndb_calloc((size_t)s->st.noutlets + 1, sizeof *nm->off);
    return nm->off ? ndb_buf_append_u8(&nm->pool, 0) : NDB_ENOMEM; /* offset 0: "" */
}

static void dups_names_fini(dups_names *nm)
{
    ndb_buf_fini(&nm->pool);
    ndb_free(nm->off);
}

/* Pool offset of an outlet's name (0 = ""). */
static ndb_rc dups_name_of(dups_names *nm, uint32_t outlet, size_t *off)
{
    const char *name;
    ndb_rc rc;
    *off = 0;
    if (outlet == NDB_OUTLET_NONE || outlet >= nm->s->st.noutlets)
        return NDB_OK;
    if (nm->off[outlet]) {
        *off = nm->off[outlet] - 1;
        return NDB_OK;
    }
    name = ndb_store_outlet_name(nm->s->db->rstore, outlet);
    *off = nm->pool.n;
    rc = ndb_buf_append(&nm->pool, name ? name : "", name ? strlen(name) + 1 : 1);
    if (rc == NDB_OK)
        nm->off[outlet] = *off + 1;
    return rc;
}

static ndb_rc dups_threshold(const ndb_dups_opts *opt, double *t, ndb_err *err)
{
    double v = opt && opt->threshold != 0 ? opt->threshold : NDB_DUPS_THRESHOLD;
    bool ex = opt && opt->exhaustive;
    if (!(v <= 1.0) || !(v > 0.0) || (!ex && v < NDB_DUPS_FLOOR))
        return ndb_err_set(err, NDB_EINVAL,
                           "threshold %g out of range: [%g, 1] (or (0, 1] with the "
                           "exhaustive comparison of every pair)",
                           v, NDB_DUPS_FLOOR);
    if (opt && opt->measure != NDB_DUPS_SIMILARITY && opt->measure != NDB_DUPS_JACCARD)
        return ndb_err_set(err, NDB_EINVAL, "unknown similarity measure %d", opt->measure);
    *t = v;
    return NDB_OK;
}

/* The pair (inter = |A ∩ B|, sizes na, nb) passes threshold t under measure: the
** denominator is max(na, nb) (similarity) or na + nb - inter (Jaccard). */
static bool dups_pass(int measure, uint32_t inter, uint32_t na, uint32_t nb, double t)
{
    uint32_t den = measure == NDB_DUPS_JACCARD ? na + nb - inter : (na > nb ? na : nb);
    return ndb_dedup_similar(inter, den, t);
}

/* ---------------------------------------------------------------- exhaustive pairs */

typedef struct dups_tokctx {
    ndb_dedup_doc *doc;
} dups_tokctx;

static ndb_rc dups_tok(void *ctx, const ndb_token *t)
{
    return ndb_dedup_doc_token(ctx, t->term, t->len);
}

/* Shingle set of a stored article, computed from its text (no stored data used). */
static ndb_rc dups_shingles(ndb_snapshot *s, ndb_analyzer *an, ndb_article *art,
                            ndb_dedup_doc *doc, uint32_t id, ndb_err *err)
{
    ndb_store_doc *sd = NULL;
    ndb_rc rc = ndb_store_get(s->db->rstore, id, &sd, err);
    uint32_t pos = 0;
    ndb_dedup_doc_reset(doc);
    if (rc == NDB_OK)
        rc = ndb_doc_parse(sd->url, sd->raw, sd->raw_len, false, art, err);
    if (rc == NDB_OK) /* as the writer analyzed it */
        rc = api_lang_stemmer(an, s->db->langstem, sd->lang);
    for (uint32_t i = 0; rc == NDB_OK && i < art->n_paras; i++) {
        if (i > 0)
            pos++;
        rc = ndb_dedup_doc_para(doc);
        if (rc == NDB_OK)
            rc = ndb_text_analyze(an, art->paras[i].p, art->paras[i].n, &pos, dups_tok, doc);
    }
    if (rc == NDB_OK)
        rc = ndb_dedup_doc_finish(doc);
    ndb_dedup_doc_sort(doc);
    ndb_store_doc_free(sd);
    return rc;
}

static ndb_rc dups_exhaustive(ndb_snapshot *s, const dups_match *m, double t, int measure,
                              ndb_dedup_uf *uf, ndb_err *err)
{
    uint32_t *ids = NULL, k = 0;
    uint64_t **sh = NULL;
    size_t *nsh = NULL;
    ndb_analyzer *an = NULL;
    ndb_article art;
    ndb_dedup_doc doc;
    ndb_rc rc = NDB_OK;
    if (m->n > NDB_DUPS_EXHAUSTIVE_MAX)
        return ndb_err_set(err, NDB_ELIMIT,
                           "%" PRIu64 " matching articles: the exhaustive comparison takes at "
                           "most %u (narrow the query)",
                           m->n, NDB_DUPS_EXHAUSTIVE_MAX);
    ndb_doc_article_init(&art);
    ndb_dedup_doc_init(&doc);
    ids = ndb_calloc(m->n + 1, sizeof *ids);
    sh = ndb_calloc(m->n + 1, sizeof *sh);
    nsh = ndb_calloc(m->n + 1, sizeof *nsh);
    if (!ids || !sh || !nsh || ndb_text_analyzer_new(s->db->stemmer, &an) != NDB_OK) {
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < s->st.ndocs; i++)
        if (m->in[i])
            ids[k++] = i;
    for (uint32_t i = 0; i < k && rc == NDB_OK; i++) {
        rc = dups_shingles(s, an, &art, &doc, ids[i], err);
        if (rc != NDB_OK)
            break;
        sh[i] = ndb_malloc((doc.nsh + 1) * sizeof **sh);
        if (!sh[i]) {
            rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
            break;
        }
        memcpy(sh[i], doc.sh, doc.nsh * sizeof **sh);
        nsh[i] = doc.nsh;
    }
    for (uint32_t i = 0; i < k && rc == NDB_OK; i++)
        for (uint32_t j = i + 1; j < k; j++) {
            uint32_t inter, den;
            ndb_dedup_compare(sh[i], nsh[i], sh[j], nsh[j], &inter, &den);
            if (dups_pass(measure, inter, (uint32_t)nsh[i], (uint32_t)nsh[j], t))
                ndb_dedup_uf_union(uf, ids[i], ids[j]);
        }
out:
    for (uint32_t i = 0; sh && i < m->n; i++)
        ndb_free(sh[i]);
    ndb_free(sh);
    ndb_free(nsh);
    ndb_free(ids);
    ndb_text_analyzer_free(an);
    ndb_dedup_doc_fini(&doc);
    ndb_doc_article_fini(&art);
    return rc;
}

/* Union the stored links among the matching articles at threshold t under measure (a
** link keeps |A ∩ B|, max(|A|, |B|) and |A ∪ B|). */
static void dups_link(const api_dedup_state *st, const dups_match *m, double t, int measure,
                      uint32_t nd, ndb_dedup_uf *uf)
{
    uint32_t n = st->n < nd ? st->n : nd;
    for (uint32_t i = 0; i < n; i++) {
        if (!m->in[i])
            continue;
        for (uint32_t k = st->eoff[i]; k < st->eoff[i + 1]; k++) {
            const api_dedup_edge *e = &st->e[k];
            if (!m->in[e->other])
                continue;
            if (ndb_dedup_similar(e->inter, measure == NDB_DUPS_JACCARD ? e->uni : e->den, t))
                ndb_dedup_uf_union(uf, i, e->other);
        }
    }
}

/* ---------------------------------------------------------------- ndb_dup_list */

typedef struct dups_impl {
    ndb_dup_list pub;
    ndb_dup_member *members;
    char *pool;
} dups_impl;

typedef struct dups_item {
    uint32_t root;
    uint32_t id;
    uint64_t key;
} dups_item;

static int dups_item_cmp(const void *a, const void *b)
{
    const dups_item *x = a, *y = b;
    if (x->root != y->root)
        return x->root < y->root ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

static int dups_cluster_cmp(const void *a, const void *b)
{
    const ndb_dup_cluster *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return (x->source > y->source) - (x->source < y->source);
}

/* Fill one cluster from its members items[0..n). */
static ndb_rc dups_fill_cluster(ndb_snapshot *s, const dups_item *items, uint32_t n,
                                ndb_dup_member *mem, dups_names *nm, size_t *name_off,
                                ndb_dup_cluster *c, uint32_t *scratch)
{
    uint32_t no = 0;
    ndb_rc rc = NDB_OK;
    c->id = items[0].root;
    c->source = items[0].id;
    c->size = n;
    c->date_min = c->date_max = NDB_DATE_NONE;
    for (uint32_t i = 0; i < n && rc == NDB_OK; i++) {
        const ndb_col *col = &s->view.cols[items[i].id];
        mem[i].id = items[i].id;
        mem[i].date = col->date;
        rc = dups_name_of(nm, col->outlet, &name_off[i]);
        scratch[i] = col->outlet;
        if (col->date != NDB_DATE_NONE) {
            if (c->date_min == NDB_DATE_NONE || col->date < c->date_min)
                c->date_min = col->date;
            if (c->date_max == NDB_DATE_NONE || col->date > c->date_max)
                c->date_max = col->date;
        }
    }
    ndb_sort_u32(scratch, n);
    for (uint32_t i = 0; i < n; i++)
        no += (i == 0 || scratch[i] != scratch[i - 1]);
    c->outlets = no;
    c->members = mem;
    return rc;
}

static ndb_rc dups_build(ndb_snapshot *s, const dups_match *m, ndb_dedup_uf *uf, uint64_t uncov,
                         uint32_t limit, ndb_dup_list **out, ndb_err *err)
{
    uint32_t nd = s->st.ndocs, *cnt = NULL, *scratch = NULL;
    dups_item *items = NULL;
    size_t ni = 0, nc = 0, *name_off = NULL;
    dups_impl *r = ndb_calloc(1, sizeof *r);
    dups_names nm;
    ndb_rc rc = dups_names_init(&nm, s);
    cnt = ndb_calloc((size_t)nd + 1, sizeof *cnt);
    if (!r || !cnt || rc != NDB_OK) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < nd; i++)
        if (m->in[i])
            cnt[ndb_dedup_uf_find(uf, i)]++;
    for (uint32_t i = 0; i < nd; i++)
        ni += m->in[i] && cnt[uf->parent[i]] >= 2;
    items = ndb_calloc(ni + 1, sizeof *items);
    r->members = ndb_calloc(ni + 1, sizeof *r->members);
    name_off = ndb_calloc(ni + 1, sizeof *name_off);
    scratch = ndb_calloc(ni + 1, sizeof *scratch);
    if (!items || !r->members || !name_off || !scratch) {
        rc = NDB_ENOMEM;
        goto out;
    }
    ni = 0;
    for (uint32_t i = 0; i < nd; i++)
        if (m->in[i] && cnt[uf->parent[i]] >= 2)
            items[ni++] = (dups_item){uf->parent[i], i, dups_key(s, i)};
    qsort(items, ni, sizeof *items, dups_item_cmp);
    for (size_t i = 0; i < ni; i++)
        nc += (i == 0 || items[i].root != items[i - 1].root);
    r->pub.clusters = ndb_calloc(nc + 1, sizeof *r->pub.clusters);
    if (!r->pub.clusters) {
        rc = NDB_ENOMEM;
        goto out;
    }
    for (size_t i = 0, c = 0; i < ni && rc == NDB_OK; c++) {
        size_t j = i;
        while (j < ni && items[j].root == items[i].root)
            j++;
        rc = dups_fill_cluster(s, items + i, (uint32_t)(j - i), r->members + i, &nm,
                               name_off + i, &r->pub.clusters[c], scratch);
        i = j;
    }
    if (rc != NDB_OK)
        goto out;
    r->pool = (char *)ndb_buf_detach(&nm.pool, NULL);
    for (size_t i = 0; i < ni; i++)
        r->members[i].outlet = r->pool + name_off[i];
    qsort(r->pub.clusters, nc, sizeof *r->pub.clusters, dups_cluster_cmp);
    r->pub.matched = m->n;
    r->pub.clustered = ni;
    r->pub.unique = m->n - ni + nc;
    r->pub.uncovered = uncov;
    r->pub.nclusters = nc;
    r->pub.n = limit && limit < nc ? limit : nc;
out:
    ndb_free(cnt);
    ndb_free(items);
    ndb_free(name_off);
    ndb_free(scratch);
    dups_names_fini(&nm);
    if (rc != NDB_OK) {
        ndb_dup_list_free(r ? &r->pub : NULL);
        return ndb_err_set(err, rc, "out of memory");
    }
    *out = &r->pub;
    return NDB_OK;
}

static uint64_t dups_uncovered(const api_dedup_state *st, const dups_match *m, uint32_t nd)
{
    uint64_t u = 0;
    for (uint32_t i = st ? st->n : 0; i < nd; i++)
        u += m->in[i];
    return u;
}

NDB_API ndb_rc ndb_dups(ndb_snapshot *s, const char *query, const ndb_dups_opts *opt,
                        ndb_dup_list **out, ndb_err *err)
{
    api_dedup_state *st = NULL;
    dups_match m = {0};
    ndb_dedup_uf uf = {0};
    double t = 0;
    uint64_t uncov = 0;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    rc = dups_threshold(opt, &t, err);
    if (rc == NDB_OK)
        rc = dups_matching(s, query, &m, err);
    if (rc == NDB_OK && ndb_dedup_uf_init(&uf, s->st.ndocs) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && opt && opt->exhaustive) {
        rc = dups_exhaustive(s, &m, t, opt->measure, &uf, err);
    } else if (rc == NDB_OK) {
        rc = api_dedup_state_get(s, &st, err);
        if (rc == NDB_OK) {
            dups_link(st, &m, t, opt ? opt->measure : NDB_DUPS_SIMILARITY, s->st.ndocs, &uf);
            uncov = dups_uncovered(st, &m, s->st.ndocs);
        }
    }
    if (rc == NDB_OK)
        rc = dups_build(s, &m, &uf, uncov, opt ? opt->limit : 0, out, err);
    api_dedup_state_unref(st);
    ndb_dedup_uf_fini(&uf);
    ndb_free(m.in);
    return rc;
}

NDB_API void ndb_dup_list_free(ndb_dup_list *d)
{
    dups_impl *r = (dups_impl *)d;
    if (!r)
        return;
    ndb_free(r->pub.clusters);
    ndb_free(r->members);
    ndb_free(r->pool);
    ndb_free(r);
}

/* Components of every live covered article at the default threshold; *uf OWNED. */
static ndb_rc dups_global(ndb_snapshot *s, api_dedup_state *st, ndb_dedup_uf *uf, ndb_err *err)
{
    dups_match m;
    ndb_rc rc = dups_matching(s, NULL, &m, err);
    if (rc == NDB_OK && ndb_dedup_uf_init(uf, s->st.ndocs) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK)
        dups_link(st, &m, NDB_DUPS_THRESHOLD, NDB_DUPS_SIMILARITY, s->st.ndocs, uf);
    ndb_free(m.in);
    return rc;
}

NDB_API ndb_rc ndb_dup_cluster_of(ndb_snapshot *s, uint32_t id, uint32_t *cluster, ndb_err *err)
{
    api_dedup_state *st = NULL;
    ndb_dedup_uf uf = {0};
    ndb_rc rc;
    ndb_err_clear(err);
    if (id >= s->st.ndocs || !s->view.live(s, id))
        return ndb_err_set(err, NDB_ENOTFOUND, "article %u: no such live article", id);
    rc = api_dedup_state_get(s, &st, err);
    if (rc == NDB_OK)
        rc = dups_global(s, st, &uf, err);
    if (rc == NDB_OK)
        *cluster = ndb_dedup_uf_find(&uf, id);
    ndb_dedup_uf_fini(&uf);
    api_dedup_state_unref(st);
    return rc;
}

/* ---------------------------------------------------------------- search --collapse dups */

ndb_rc api_dedup_topk(ndb_snapshot *s, const char *query, const struct ndb_query *q, size_t k,
                      ndb_sort sort, bool exhaustive, void *hits, size_t *nhits,
                      uint64_t *total, uint64_t *unique, uint32_t **copies, ndb_err *err)
{
    api_dedup_state *st = NULL;
    dups_match m = {0};
    ndb_dedup_uf uf = {0};
    ndb_query_hit *out = hits, *buf = NULL;
    uint32_t *cnt = NULL;
    uint8_t *seen = NULL;
    size_t k2 = k, got = 0, n2 = 0;
    uint32_t nd = s->st.ndocs;
    ndb_rc rc = dups_matching(s, query, &m, err);
    *nhits = 0;
    *unique = 0;
    *copies = NULL;
    if (rc == NDB_OK)
        rc = api_dedup_state_get(s, &st, err);
    if (rc == NDB_OK && ndb_dedup_uf_init(&uf, nd) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    cnt = ndb_calloc((size_t)nd + 1, sizeof *cnt);
    seen = ndb_calloc((size_t)nd + 1, 1);
    *copies = ndb_calloc(k + 1, sizeof **copies);
    if (rc == NDB_OK && (!cnt || !seen || !*copies))
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc != NDB_OK)
        goto out;
    dups_link(st, &m, NDB_DUPS_THRESHOLD, NDB_DUPS_SIMILARITY, nd, &uf);
    for (uint32_t i = 0; i < nd; i++)
        if (m.in[i] && cnt[ndb_dedup_uf_find(&uf, i)]++ == 0)
            ++*unique;
    /* Ask for more ranked hits until k distinct clusters are found or the matches end. */
    for (;;) {
        ndb_free(buf);
        buf = ndb_calloc(k2 + 1, sizeof *buf);
        if (!buf) {
            rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
            goto out;
        }
        rc = ndb_query_topk(q, &s->view, k2, sort, exhaustive, buf, &n2, total, err);
        if (rc != NDB_OK)
            goto out;
        memset(seen, 0, (size_t)nd + 1);
        got = 0;
        for (size_t i = 0; i < n2 && got < k; i++) {
            uint32_t r = ndb_dedup_uf_find(&uf, buf[i].id);
            if (seen[r])
                continue;
            seen[r] = 1;
            (*copies)[got] = cnt[r];
            out[got++] = buf[i];
        }
        if (got >= k || n2 < k2 || k2 >= *total)
            break;
        k2 = k2 * 4 < *total ? k2 * 4 : (size_t)*total;
    }
    *nhits = got;
out:
    ndb_free(buf);
    ndb_free(cnt);
    ndb_free(seen);
    ndb_free(m.in);
    ndb_dedup_uf_fini(&uf);
    api_dedup_state_unref(st);
    if (rc != NDB_OK) {
        ndb_free(*copies);
        *copies = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- timeline/outlets --collapse */

/* A view of the snapshot whose live set is one article per near-duplicate cluster of the
** matches (its earliest member) plus every unclustered match. */
typedef struct dups_view {
    ndb_snapshot *s;
    const uint8_t *allowed;
} dups_view;

static bool dups_view_live(void *ctx, uint32_t id)
{
    const dups_view *w = ctx;
    return w->allowed[id] != 0;
}

static ndb_rc dups_view_term(void *ctx, const char *t, size_t n, bool positions,
                             ndb_cursor **out)
{
    const dups_view *w = ctx;
    return w->s->view.term(w->s, t, n, positions, out);
}

static ndb_rc dups_view_prefix(void *ctx, const char *p, size_t n, ndb_term_fn fn, void *fctx)
{
    const dups_view *w = ctx;
    return w->s->view.prefix(w->s, p, n, fn, fctx);
}

static bool dups_view_outlet(void *ctx, const char *name, size_t n, uint32_t *id)
{
    const dups_view *w = ctx;
    return w->s->view.outlet_id(w->s, name, n, id);
}

static bool dups_view_url(void *ctx, const char *url, size_t n, uint32_t *id)
{
    const dups_view *w = ctx;
    return w->s->view.url_id(w->s, url, n, id);
}

/* allowed[id] = 1 for the earliest member of each cluster among the matches of query and
** for each unclustered match. OWNED: ndb_free. */
static ndb_rc dups_representatives(ndb_snapshot *s, const char *query, uint8_t **allowed,
                                   ndb_err *err)
{
    api_dedup_state *st = NULL;
    dups_match m = {0};
    ndb_dedup_uf uf = {0};
    uint32_t nd = s->st.ndocs, *best = NULL;
    ndb_rc rc = dups_matching(s, query, &m, err);
    *allowed = NULL;
    if (rc == NDB_OK)
        rc = api_dedup_state_get(s, &st, err);
    if (rc == NDB_OK && ndb_dedup_uf_init(&uf, nd) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK && !(best = ndb_malloc(((size_t)nd + 1) * sizeof *best)))
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK) {
        dups_link(st, &m, NDB_DUPS_THRESHOLD, NDB_DUPS_SIMILARITY, nd, &uf);
        for (uint32_t i = 0; i < nd; i++)
            best[i] = UINT32_MAX;
        for (uint32_t i = 0; i < nd; i++) {
            uint32_t r;
            if (!m.in[i])
                continue;
            r = ndb_dedup_uf_find(&uf, i);
            if (best[r] == UINT32_MAX || dups_key(s, i) < dups_key(s, best[r]))
                best[r] = i;
        }
        memset(m.in, 0, (size_t)nd + 1);
        for (uint32_t i = 0; i < nd; i++)
            if (best[i] != UINT32_MAX)
                m.in[best[i]] = 1;
        *allowed = m.in;
        m.in = NULL;
    }
    ndb_free(best);
    ndb_free(m.in);
    ndb_dedup_uf_fini(&uf);
    api_dedup_state_unref(st);
    return rc;
}

static int dups_cell_cmp(const void *a, const void *b)
{
    const ndb_analytics_cell *x = a, *y = b;
    if (x->period != y->period)
        return x->period < y->period ? -1 : 1;
    return (x->outlet > y->outlet) - (x->outlet < y->outlet);
}

ndb_rc api_dedup_agg_collapse(ndb_snapshot *s, const char *query, const struct ndb_query *q,
                              bool timeline, ndb_period by, bool split, int32_t from, int32_t to,
                              ndb_analytics_cell *cells, size_t *n, uint64_t *matched,
                              ndb_err *err)
{
    uint8_t *allowed = NULL, *keep_outlet = NULL;
    ndb_analytics_cell *c2 = NULL;
    size_t n2 = 0, k = 0;
    dups_view w = {s, NULL};
    ndb_view v = s->view;
    ndb_rc rc = dups_representatives(s, query, &allowed, err);
    if (rc != NDB_OK)
        return rc;
    w.allowed = allowed;
    v.ctx = &w;
    v.all_live = false; /* the live set is ours now */
    v.live = dups_view_live;
    v.term = dups_view_term;
    v.prefix = dups_view_prefix;
    v.outlet_id = dups_view_outlet;
    v.url_id = dups_view_url;
    rc = timeline ? ndb_analytics_timeline(q, &v, by, split, from, to, &c2, &n2, matched, err)
                  : ndb_analytics_outlets(q, &v, from, to, &c2, &n2, matched, err);
    if (rc == NDB_OK && !(keep_outlet = ndb_calloc((size_t)s->st.noutlets + 2, 1)))
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc != NDB_OK)
        goto out;
    /* counts from the collapsed run, totals (all live articles) from the plain one */
    qsort(c2, n2, sizeof *c2, dups_cell_cmp);
    for (size_t i = 0; i < *n; i++) {
        ndb_analytics_cell *hit = bsearch(&cells[i], c2, n2, sizeof *c2, dups_cell_cmp);
        cells[i].count = hit ? hit->count : 0;
        if (cells[i].count)
            keep_outlet[cells[i].outlet == NDB_OUTLET_NONE ? s->st.noutlets + 1
                                                           : cells[i].outlet] = 1;
    }
    for (size_t i = 0; i < *n; i++) {
        uint32_t o = cells[i].outlet == NDB_OUTLET_NONE ? s->st.noutlets + 1 : cells[i].outlet;
        bool keep = timeline ? (!split || keep_outlet[o]) && (cells[i].count ||
                                                               cells[i].period != NDB_DATE_NONE)
                             : cells[i].count > 0;
        if (keep)
            cells[k++] = cells[i];
    }
    *n = k;
out:
    ndb_free(c2);
    ndb_free(keep_outlet);
    ndb_free(allowed);
    return rc;
}
