/*
** api_dups.c — GET /api/dups (clusters of near-duplicate articles among a query's matches)
** and GET /api/reuse/{id} (where each paragraph of an article appears elsewhere): thin
** shells over ndb_dups and ndb_reuse, shapes in docs/http-api.md.
*/
#include "server/srv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUPS_MEMBERS_MAX 100 /* members listed per cluster (size says how many in all) */

static json_t *dups_member(const ndb_dup_member *m)
{
    return json_pack("{s:I, s:o, s:o}", "id", (json_int_t)m->id, "date",
                     ndb_srv_json_date(m->date), "outlet", ndb_srv_json_str(m->outlet));
}

ndb_rc ndb_srv_ep_dups(ndb_snapshot *s, const srv_request *r, json_t **out, ndb_err *err)
{
    static const char *const keys[] = {"q", "threshold", "limit", "measure", NULL};
    const char *q = NULL, *th = ndb_srv_param(r, "threshold"), *ms = ndb_srv_param(r, "measure");
    ndb_dups_opts o = {0};
    ndb_dup_list *l = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_query(r, "q", false, &q, err);
    if (rc == NDB_OK)
        rc = ndb_srv_param_u32(r, "limit", 50, 1, 10000, &o.limit, err);
    if (rc == NDB_OK && th) {
        char *end = NULL;
        o.threshold = strtod(th, &end);
        if (!*th || *end || !(o.threshold >= NDB_DUPS_FLOOR && o.threshold <= 1.0))
            rc = ndb_err_set(err, NDB_EPARSE, "bad threshold '%.32s' (%.1f..1)", th,
                             NDB_DUPS_FLOOR);
    }
    if (rc == NDB_OK && ms && strcmp(ms, "jaccard") == 0)
        o.measure = NDB_DUPS_JACCARD;
    else if (rc == NDB_OK && ms && strcmp(ms, "similarity") != 0)
        rc = ndb_err_set(err, NDB_EPARSE, "bad measure '%.32s' (similarity or jaccard)", ms);
    if (rc == NDB_OK)
        rc = ndb_dups(s, q, &o, &l, err);
    if (rc != NDB_OK)
        return rc;
    json_t *cl = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const ndb_dup_cluster *c = &l->clusters[i];
        json_t *mem = json_array();
        for (uint32_t k = 0; k < c->size && k < DUPS_MEMBERS_MAX; k++)
            json_array_append_new(mem, dups_member(&c->members[k]));
        json_array_append_new(
            cl, json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "id", (json_int_t)c->id,
                          "source", (json_int_t)c->source, "size", (json_int_t)c->size,
                          "outlets", (json_int_t)c->outlets, "date_min",
                          ndb_srv_json_date(c->date_min), "date_max",
                          ndb_srv_json_date(c->date_max), "members", mem));
    }
    json_t *o2 = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:o}", "query",
                           q ? ndb_srv_json_str(q) : json_null(), "matched",
                           (json_int_t)l->matched, "clustered", (json_int_t)l->clustered,
                           "unique", (json_int_t)l->unique, "uncovered",
                           (json_int_t)l->uncovered, "nclusters", (json_int_t)l->nclusters,
                           "clusters", cl);
    ndb_dup_list_free(l);
    if (!o2)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    *out = o2;
    return NDB_OK;
}

ndb_rc ndb_srv_ep_reuse_id(ndb_snapshot *s, const char *id, const srv_request *r,
                           json_t **out, ndb_err *err)
{
    static const char *const keys[] = {NULL};
    uint32_t x = 0;
    ndb_reuse_report *rep = NULL;
    ndb_rc rc = ndb_srv_params_allow(r, keys, err);
    if (rc == NDB_OK)
        rc = ndb_srv_path_id(id, &x, err);
    if (rc != NDB_OK)
        return rc;
    rc = ndb_reuse(s, x, &rep, err);
    if (rc != NDB_OK)
        return rc;
    json_t *paras = json_array();
    for (size_t k = 0; k < rep->n; k++) {
        const ndb_reuse_para *p = &rep->paras[k];
        json_t *oth = json_array();
        for (size_t j = 0; j < p->n && j < DUPS_MEMBERS_MAX; j++)
            json_array_append_new(oth, dups_member(&p->others[j]));
        json_array_append_new(paras, json_pack("{s:I, s:b, s:I, s:I, s:o}", "para",
                                               (json_int_t)p->para, "fingerprinted",
                                               p->fingerprinted, "earliest",
                                               (json_int_t)p->earliest, "count",
                                               (json_int_t)p->n, "others", oth));
    }
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:o}", "id", (json_int_t)rep->id, "cluster",
                          (json_int_t)rep->cluster, "reused", (json_int_t)rep->reused,
                          "copied", (json_int_t)rep->copied, "paragraphs", paras);
    ndb_reuse_report_free(rep);
    if (!o)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    *out = o;
    return NDB_OK;
}
