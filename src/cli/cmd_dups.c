/*
** cmd_dups.c — `newsdb dups` (near-duplicate clusters) and `newsdb reuse` (paragraph reuse
** of one article, or the outlet x outlet matrix), over ndb_dups / ndb_reuse /
** ndb_reuse_outlets. Human output by default; --json one object per line (clusters,
** paragraphs or matrix cells, then a summary object); --csv one row per member / paragraph
** appearance / cell. URLs and titles are fetched with ndb_get for the rows printed only.
*/
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum dups_fmt { DUPS_HUMAN = 0, DUPS_JSON = 1, DUPS_CSV = 2 } dups_fmt;

static const char dups_help[] =
    "usage: newsdb dups [options] [QUERY...]\n"
    "Clusters of near-duplicate articles (syndicated wire copy, lightly edited reprints)\n"
    "among the current articles matching QUERY (all articles when none is given): two\n"
    "articles are linked when their word 3-shingle sets (after the analyzer's folding and\n"
    "stemming) share at least the threshold's fraction of the LONGER one's shingles\n"
    "(|A and B| / max(|A|, |B|): each is that much contained in the other); clusters are\n"
    "the connected groups. The source of a cluster is its earliest member (by date, then id).\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "  -t, --threshold T     similarity threshold in [0.5, 1] (default 0.8)\n"
    "      --measure M       what T applies to: similarity (the default, above) or jaccard\n"
    "                        (|A and B| / |A or B|, Broder's resemblance: charges each\n"
    "                        edit twice, so fewer edited copies pass the same T)\n"
    "  -n, --top N           clusters to show, largest first (default 20; 0 = all)\n"
    "  -m, --members N       members listed per cluster (default 5; 0 = all)\n"
    "      --update          bring the near-duplicate data up to date first (articles added\n"
    "                        with NEWSDB_NO_DEDUP=1, or by an older newsdb): takes the\n"
    "                        writer lock and commits; prints how long it took\n"
    "      --exhaustive      compare every pair of matching articles exactly, from their\n"
    "                        text (no LSH; at most 5000 articles; any T in (0, 1])\n"
    "      --json            one object per cluster {cluster,size,outlets,date_min,\n"
    "                        date_max,source,members:[{id,date,outlet,url,title}]}, then\n"
    "                        {matched,clustered,clusters,unique,uncovered,threshold,\n"
    "                        measure,query}\n"
    "      --csv             CSV, one row per member: cluster,size,rank,id,date,outlet,url\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok (also when nothing matches), 1 error, 2 usage error.\n";

static const char reuse_help[] =
    "usage: newsdb reuse [options] ID|URL\n"
    "       newsdb reuse [options] --outlets [QUERY...]\n"
    "Paragraph reuse. With ID|URL: paragraph by paragraph, the other current articles that\n"
    "hold the same paragraph (compared after the analyzer's normalization; paragraphs of\n"
    "fewer than 8 words are not compared) and which appearance is the earliest. With\n"
    "--outlets: who republishes whom among the articles matching QUERY (all when none):\n"
    "for each shared paragraph the earliest appearance is the source, and every later\n"
    "appearance in another outlet counts one paragraph from the source's outlet to it.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --outlets         the outlet x outlet matrix instead of one article\n"
    "  -n, --top N           matrix cells / appearances per paragraph to show (default 20;\n"
    "                        0 = all)\n"
    "      --json            one object per paragraph {para,fingerprinted,earliest,text,\n"
    "                        others:[{id,date,outlet,url}]} or per cell {from,to,paras,\n"
    "                        articles}, then a summary object\n"
    "      --csv             CSV: para,other_id,date,outlet,url (one row per appearance) or\n"
    "                        from,to,paras,articles\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 1 error (no such article, no archive), 2 usage error.\n";

typedef struct dups_args {
    const char *db;
    ndb_dups_opts o;
    uint32_t top, members;
    bool outlets, update;
    dups_fmt fmt;
    int first;
} dups_args;

static cli_status dups_parse(const char *cmd, int argc, char **argv, dups_args *a, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},      {"threshold", required_argument, NULL, 't'},
        {"top", required_argument, NULL, 'n'},     {"members", required_argument, NULL, 'm'},
        {"exhaustive", no_argument, NULL, 'x'},    {"outlets", no_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},          {"csv", no_argument, NULL, 'c'},
        {"update", no_argument, NULL, 'u'},        {"help", no_argument, NULL, 'h'},
        {"measure", required_argument, NULL, 'M'}, {NULL, 0, NULL, 0},
    };
    bool is_dups = strcmp(cmd, "dups") == 0;
    int c;
    memset(a, 0, sizeof *a);
    a->top = 20;
    a->members = 5;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:t:n:m:h", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'd':
            a->db = optarg;
            break;
        case 't':
            a->o.threshold = strtod(optarg, &end);
            if (!is_dups || end == optarg || *end || !(a->o.threshold > 0) ||
                !(a->o.threshold <= 1))
                return ndb_cli_usage_msg(cmd, "bad --threshold: '%s' (a number in (0, 1])",
                                         optarg);
            break;
        case 'n':
            if (!ndb_cli_parse_u32(optarg, 10000000, &a->top))
                return ndb_cli_usage_msg(cmd, "bad number for --top: '%s'", optarg);
            break;
        case 'm':
            if (!ndb_cli_parse_u32(optarg, 10000000, &a->members))
                return ndb_cli_usage_msg(cmd, "bad number for --members: '%s'", optarg);
            break;
        case 'x':
            a->o.exhaustive = 1;
            break;
        case 'M':
            if (!is_dups)
                return ndb_cli_usage_msg(cmd, "--measure belongs to `newsdb dups`");
            if (strcmp(optarg, "similarity") == 0)
                a->o.measure = NDB_DUPS_SIMILARITY;
            else if (strcmp(optarg, "jaccard") == 0)
                a->o.measure = NDB_DUPS_JACCARD;
            else
                return ndb_cli_usage_msg(cmd, "bad --measure: '%s' (similarity or jaccard)",
                                         optarg);
            break;
        case 'u':
            if (!is_dups)
                return ndb_cli_usage_msg(cmd, "--update belongs to `newsdb dups`");
            a->update = true;
            break;
        case 'o':
            if (is_dups)
                return ndb_cli_usage_msg(cmd, "--outlets belongs to `newsdb reuse`");
            a->outlets = true;
            break;
        case 'j':
            a->fmt = DUPS_JSON;
            break;
        case 'c':
            a->fmt = DUPS_CSV;
            break;
        case 'h':
            fputs(is_dups ? dups_help : reuse_help, stdout);
            *help = true;
            return CLI_OK;
        default:
            return ndb_cli_usage_error(cmd, c, argv);
        }
    }
    a->first = optind;
    if (!is_dups && !a->outlets && argc - optind != 1)
        return ndb_cli_usage_msg(cmd, "give one article ID or URL (or --outlets [QUERY])");
    return CLI_OK;
}

/* URL and title of an article ("" when it cannot be read). *d OWNED: ndb_doc_free. */
static ndb_doc *dups_doc(ndb_snapshot *s, uint32_t id)
{
    ndb_doc *d = NULL;
    if (ndb_get(s, id, &d, NULL) != NDB_OK)
        return NULL;
    return d;
}

static json_t *dups_member_json(ndb_snapshot *s, const ndb_dup_member *m)
{
    ndb_doc *d = dups_doc(s, m->id);
    json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)m->id, "date",
                          ndb_cli_json_date(m->date), "outlet",
                          ndb_cli_json_str(m->outlet, strlen(m->outlet)), "url",
                          ndb_cli_json_str(d ? d->url : "", d ? strlen(d->url) : 0), "title",
                          ndb_cli_json_str(d ? d->title : "", d ? strlen(d->title) : 0));
    ndb_doc_free(d);
    return o;
}

static const char *dups_measure_name(int measure)
{
    return measure == NDB_DUPS_JACCARD ? "jaccard" : "similarity";
}

static void dups_human(ndb_snapshot *s, const dups_args *a, const ndb_dup_list *l,
                       const char *query, double t)
{
    char b1[32], b2[32], b3[32], b4[32], d1[16], d2[16];
    for (size_t i = 0; i < l->n; i++) {
        const ndb_dup_cluster *c = &l->clusters[i];
        uint32_t show = a->members && a->members < c->size ? a->members : c->size;
        printf("cluster %u: %u articles, %u outlet%s, ", c->id, c->size, c->outlets,
               c->outlets == 1 ? "" : "s");
        if (c->date_min == NDB_DATE_NONE)
            printf("undated\n");
        else
            printf("%s .. %s\n", ndb_cli_fmt_date(c->date_min, d1, sizeof d1),
                   ndb_cli_fmt_date(c->date_max, d2, sizeof d2));
        for (uint32_t k = 0; k < show; k++) {
            const ndb_dup_member *m = &c->members[k];
            ndb_doc *d = dups_doc(s, m->id);
            printf("  %-7s %-9u %-10s %-22s %s\n", k == 0 ? "source" : "", m->id,
                   ndb_cli_fmt_date(m->date, d1, sizeof d1), *m->outlet ? m->outlet : "-",
                   d ? d->url : "?");
            ndb_doc_free(d);
        }
        if (show < c->size)
            printf("  ... and %u more\n", c->size - show);
    }
    printf("%s article%s match %s: %s in %s cluster%s of near-duplicates (%s >= %.2f); "
           "%s unique stor%s\n",
           ndb_cli_fmt_count(l->matched, b1, sizeof b1), l->matched == 1 ? "" : "s",
           *query ? query : "(all)", ndb_cli_fmt_count(l->clustered, b2, sizeof b2),
           ndb_cli_fmt_count(l->nclusters, b3, sizeof b3), l->nclusters == 1 ? "" : "s",
           dups_measure_name(a->o.measure), t,
           ndb_cli_fmt_count(l->unique, b4, sizeof b4), l->unique == 1 ? "y" : "ies");
    if (l->n < l->nclusters)
        printf("(showing the %zu largest clusters; --top 0 shows all)\n", l->n);
}

static ndb_rc dups_json(ndb_snapshot *s, const dups_args *a, const ndb_dup_list *l,
                        const char *query, double t, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < l->n && rc == NDB_OK; i++) {
        const ndb_dup_cluster *c = &l->clusters[i];
        uint32_t show = a->members && a->members < c->size ? a->members : c->size;
        json_t *mem = json_array();
        for (uint32_t k = 0; k < show; k++)
            json_array_append_new(mem, dups_member_json(s, &c->members[k]));
        rc = ndb_cli_json_print(
            stdout,
            json_pack("{s:I, s:I, s:I, s:o, s:o, s:I, s:o}", "cluster", (json_int_t)c->id,
                      "size", (json_int_t)c->size, "outlets", (json_int_t)c->outlets,
                      "date_min", ndb_cli_json_date(c->date_min), "date_max",
                      ndb_cli_json_date(c->date_max), "source", (json_int_t)c->source,
                      "members", mem),
            err);
    }
    if (rc != NDB_OK)
        return rc;
    return ndb_cli_json_print(
        stdout,
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:s, s:o}", "matched",
                  (json_int_t)l->matched, "clustered", (json_int_t)l->clustered, "clusters",
                  (json_int_t)l->nclusters, "unique", (json_int_t)l->unique, "uncovered",
                  (json_int_t)l->uncovered, "threshold", t, "measure",
                  dups_measure_name(a->o.measure),
                  "query", ndb_cli_json_str(query, strlen(query))),
        err);
}

static void dups_csv(ndb_snapshot *s, const dups_args *a, const ndb_dup_list *l)
{
    char d1[16];
    puts("cluster,size,rank,id,date,outlet,url");
    for (size_t i = 0; i < l->n; i++) {
        const ndb_dup_cluster *c = &l->clusters[i];
        uint32_t show = a->members && a->members < c->size ? a->members : c->size;
        for (uint32_t k = 0; k < show; k++) {
            const ndb_dup_member *m = &c->members[k];
            ndb_doc *d = dups_doc(s, m->id);
            printf("%u,%u,%u,%u,%s,", c->id, c->size, k + 1, m->id,
                   ndb_cli_fmt_date(m->date, d1, sizeof d1));
            ndb_cli_csv_field(m->outlet);
            fputc(',', stdout);
            ndb_cli_csv_field(d ? d->url : "");
            fputc('\n', stdout);
            ndb_doc_free(d);
        }
    }
}

/* --update: a writer commit processes every committed article without dup data. */
static ndb_rc dups_update(const char *path, ndb_err *err)
{
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    struct timespec t0, t1;
    ndb_rc rc = ndb_cli_open(path, false, NDB_STEM_ENGLISH, &db, err);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rc == NDB_OK)
        rc = ndb_writer_open(db, &w, err);
    if (rc == NDB_OK)
        rc = ndb_writer_commit(w, err);
    ndb_writer_close(w);
    ndb_close(db);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == NDB_OK)
        fprintf(stderr, "near-duplicate data up to date (%.2f s)\n",
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return rc;
}

cli_status ndb_cli_cmd_dups(int argc, char **argv, const cli_env *env)
{
    dups_args a;
    bool help = false;
    char *query = NULL;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_dup_list *l = NULL;
    ndb_err err;
    ndb_rc rc;
    cli_status st = dups_parse("dups", argc, argv, &a, &help);
    double t;
    (void)env;
    if (st != CLI_OK || help)
        return st;
    a.o.limit = a.top;
    t = a.o.threshold > 0 ? a.o.threshold : NDB_DUPS_THRESHOLD;
    rc = ndb_cli_join_args(argc, argv, a.first, &query, &err);
    if (rc == NDB_OK && a.update)
        rc = dups_update(ndb_cli_db_path(a.db), &err);
    if (rc == NDB_OK)
        rc = ndb_cli_open_snapshot(ndb_cli_db_path(a.db), &db, &snap, &err);
    if (rc == NDB_OK)
        rc = ndb_dups(snap, query, &a.o, &l, &err);
    if (rc != NDB_OK)
        goto out;
    if (a.fmt == DUPS_JSON)
        rc = dups_json(snap, &a, l, query, t, &err);
    else if (a.fmt == DUPS_CSV)
        dups_csv(snap, &a, l);
    else
        dups_human(snap, &a, l, query, t);
    if (l->uncovered)
        fprintf(stderr,
                "newsdb: dups: %llu matching articles have no near-duplicate data yet (added "
                "with detection off, or data of an older newsdb); `newsdb dups --update` or "
                "the next commit of a writer fills them in\n",
                (unsigned long long)l->uncovered);
out:
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_dup_list_free(l);
    ndb_snapshot_close(snap);
    ndb_close(db);
    ndb_free(query);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}

/* ---------------------------------------------------------------- reuse */

static ndb_rc reuse_resolve(ndb_snapshot *s, const char *arg, uint32_t *id, ndb_err *err)
{
    ndb_doc *d = NULL;
    ndb_rc rc;
    if (*arg && strspn(arg, "0123456789") == strlen(arg) && strlen(arg) <= 10) {
        unsigned long long v = strtoull(arg, NULL, 10);
        if (v > UINT32_MAX)
            return ndb_err_set(err, NDB_ENOTFOUND, "no article %s", arg);
        *id = (uint32_t)v;
        return NDB_OK;
    }
    rc = ndb_get_url(s, arg, &d, err);
    if (rc == NDB_OK)
        *id = d->id;
    ndb_doc_free(d);
    return rc;
}

static void reuse_text(const ndb_doc *d, uint32_t para, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    if (!d || para >= d->n_paras)
        return;
    n = d->paras[para].n < cap - 1 ? d->paras[para].n : cap - 1;
    while (n > 0 && n < d->paras[para].n && (d->paras[para].p[n] & 0xc0) == 0x80)
        n--; /* do not cut a UTF-8 sequence */
    memcpy(buf, d->paras[para].p, n);
    buf[n] = 0;
}

static void reuse_human(ndb_snapshot *s, const dups_args *a, const ndb_reuse_report *r,
                        const ndb_doc *self)
{
    char d1[16], text[72];
    printf("article %u (%s, %s): %zu paragraphs, %u found elsewhere, %u of them earlier "
           "elsewhere; near-duplicate cluster %u\n",
           r->id, self && *self->outlet ? self->outlet : "-",
           self ? ndb_cli_fmt_date(self->date, d1, sizeof d1) : "", r->n, r->reused, r->copied,
           r->cluster);
    for (size_t i = 0; i < r->n; i++) {
        const ndb_reuse_para *p = &r->paras[i];
        size_t show = a->top && a->top < p->n ? a->top : p->n;
        reuse_text(self, p->para, text, sizeof text);
        if (!p->fingerprinted) {
            printf("[%u] (short, not compared) %s\n", p->para, text);
            continue;
        }
        if (p->n == 0) {
            printf("[%u] only here: %s\n", p->para, text);
            continue;
        }
        printf("[%u] in %zu other article%s, earliest %s: %s\n", p->para, p->n,
               p->n == 1 ? "" : "s", p->earliest == r->id ? "this one" : "elsewhere", text);
        for (size_t k = 0; k < show; k++) {
            const ndb_dup_member *m = &p->others[k];
            ndb_doc *d = dups_doc(s, m->id);
            printf("      %-9u %-10s %-22s %s\n", m->id, ndb_cli_fmt_date(m->date, d1, sizeof d1),
                   *m->outlet ? m->outlet : "-", d ? d->url : "?");
            ndb_doc_free(d);
        }
        if (show < p->n)
            printf("      ... and %zu more\n", p->n - show);
    }
}

static ndb_rc reuse_json(ndb_snapshot *s, const dups_args *a, const ndb_reuse_report *r,
                         const ndb_doc *self, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < r->n && rc == NDB_OK; i++) {
        const ndb_reuse_para *p = &r->paras[i];
        size_t show = a->top && a->top < p->n ? a->top : p->n;
        json_t *arr = json_array();
        const ndb_slice *t = self && p->para < self->n_paras ? &self->paras[p->para] : NULL;
        for (size_t k = 0; k < show; k++)
            json_array_append_new(arr, dups_member_json(s, &p->others[k]));
        rc = ndb_cli_json_print(
            stdout,
            json_pack("{s:I, s:b, s:I, s:I, s:o, s:o}", "para", (json_int_t)p->para,
                      "fingerprinted", p->fingerprinted, "earliest", (json_int_t)p->earliest,
                      "count", (json_int_t)p->n, "text",
                      ndb_cli_json_str(t ? (const char *)t->p : "", t ? t->n : 0), "others",
                      arr),
            err);
    }
    if (rc != NDB_OK)
        return rc;
    return ndb_cli_json_print(stdout,
                              json_pack("{s:I, s:I, s:I, s:I, s:I}", "id", (json_int_t)r->id,
                                        "cluster", (json_int_t)r->cluster, "paragraphs",
                                        (json_int_t)r->n, "reused", (json_int_t)r->reused,
                                        "copied", (json_int_t)r->copied),
                              err);
}

static void reuse_csv(ndb_snapshot *s, const ndb_reuse_report *r)
{
    char d1[16];
    puts("para,earliest,other_id,date,outlet,url");
    for (size_t i = 0; i < r->n; i++) {
        const ndb_reuse_para *p = &r->paras[i];
        for (size_t k = 0; k < p->n; k++) {
            const ndb_dup_member *m = &p->others[k];
            ndb_doc *d = dups_doc(s, m->id);
            printf("%u,%u,%u,%s,", p->para, p->earliest, m->id,
                   ndb_cli_fmt_date(m->date, d1, sizeof d1));
            ndb_cli_csv_field(m->outlet);
            fputc(',', stdout);
            ndb_cli_csv_field(d ? d->url : "");
            fputc('\n', stdout);
            ndb_doc_free(d);
        }
    }
}

static ndb_rc reuse_matrix_out(const dups_args *a, const ndb_reuse_matrix *m, const char *query,
                               ndb_err *err)
{
    char b1[32], b2[32], b3[32];
    size_t show = a->top && a->top < m->n ? a->top : m->n;
    ndb_rc rc = NDB_OK;
    if (a->fmt == DUPS_CSV)
        puts("from,to,paras,articles");
    else if (a->fmt == DUPS_HUMAN)
        printf("%-28s %-28s %10s %10s\n", "from (earlier)", "to (later)", "paragraphs",
               "articles");
    for (size_t i = 0; i < show && rc == NDB_OK; i++) {
        const ndb_reuse_flow *f = &m->rows[i];
        if (a->fmt == DUPS_JSON) {
            rc = ndb_cli_json_print(
                stdout,
                json_pack("{s:o, s:o, s:I, s:I}", "from", ndb_cli_json_str(f->from, strlen(f->from)),
                          "to", ndb_cli_json_str(f->to, strlen(f->to)), "paras",
                          (json_int_t)f->paras, "articles", (json_int_t)f->articles),
                err);
        } else if (a->fmt == DUPS_CSV) {
            ndb_cli_csv_field(f->from);
            fputc(',', stdout);
            ndb_cli_csv_field(f->to);
            printf(",%llu,%llu\n", (unsigned long long)f->paras,
                   (unsigned long long)f->articles);
        } else {
            printf("%-28s %-28s %10s %10s\n", *f->from ? f->from : "-", *f->to ? f->to : "-",
                   ndb_cli_fmt_count(f->paras, b1, sizeof b1),
                   ndb_cli_fmt_count(f->articles, b2, sizeof b2));
        }
    }
    if (rc != NDB_OK)
        return rc;
    if (a->fmt == DUPS_JSON)
        return ndb_cli_json_print(stdout,
                                  json_pack("{s:I, s:I, s:I, s:o}", "matched",
                                            (json_int_t)m->matched, "paras",
                                            (json_int_t)m->paras, "pairs", (json_int_t)m->n,
                                            "query", ndb_cli_json_str(query, strlen(query))),
                                  err);
    if (a->fmt == DUPS_HUMAN)
        printf("%s articles match %s; %s paragraph appearances reused across %s outlet "
               "pairs%s\n",
               ndb_cli_fmt_count(m->matched, b1, sizeof b1), *query ? query : "(all)",
               ndb_cli_fmt_count(m->paras, b2, sizeof b2), ndb_cli_fmt_count(m->n, b3, sizeof b3),
               show < m->n ? " (--top 0 shows all)" : "");
    return NDB_OK;
}

cli_status ndb_cli_cmd_reuse(int argc, char **argv, const cli_env *env)
{
    dups_args a;
    bool help = false;
    char *query = NULL;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_reuse_report *r = NULL;
    ndb_reuse_matrix *m = NULL;
    ndb_doc *self = NULL;
    uint32_t id = 0;
    ndb_err err;
    ndb_rc rc;
    cli_status st = dups_parse("reuse", argc, argv, &a, &help);
    (void)env;
    if (st != CLI_OK || help)
        return st;
    rc = ndb_cli_join_args(argc, argv, a.first, &query, &err);
    if (rc == NDB_OK)
        rc = ndb_cli_open_snapshot(ndb_cli_db_path(a.db), &db, &snap, &err);
    if (rc == NDB_OK && a.outlets) {
        rc = ndb_reuse_outlets(snap, query, &m, &err);
        if (rc == NDB_OK)
            rc = reuse_matrix_out(&a, m, query, &err);
        goto out;
    }
    if (rc == NDB_OK)
        rc = reuse_resolve(snap, query, &id, &err);
    if (rc == NDB_OK)
        rc = ndb_reuse(snap, id, &r, &err);
    if (rc == NDB_OK)
        self = dups_doc(snap, id);
    if (rc != NDB_OK)
        goto out;
    if (a.fmt == DUPS_JSON)
        rc = reuse_json(snap, &a, r, self, &err);
    else if (a.fmt == DUPS_CSV)
        reuse_csv(snap, r);
    else
        reuse_human(snap, &a, r, self);
out:
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_doc_free(self);
    ndb_reuse_report_free(r);
    ndb_reuse_matrix_free(m);
    ndb_snapshot_close(snap);
    ndb_close(db);
    ndb_free(query);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}
