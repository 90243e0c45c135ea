/*
** cmd_admin.c — `newsdb stats`, `newsdb check`, `newsdb optimize`.
**
** stats: ndb_snapshot_stats of the newest commit as an aligned table, or one JSON object
** {db,articles,versions,outlets,date_min,date_max,dated,raw_bytes,store_bytes,index_bytes,
** segments,generation,stemmer}.
** check: ndb_check; each problem is one stderr line "newsdb: check: <problem>" (--json:
** {"problem":...} on stdout), then "ok" or "N problems" ({"ok":bool,"problems":N}); exit 1
** when the archive is not sound.
** optimize: takes the writer lock and merges all segments into one (ndb_writer_optimize
** commits); prints segments before and after.
**
** Why shaped so: each is a thin rendering of one library call; the numbers mean what
** include/newsdb.h says they mean.
**
** Exit statuses: 0 ok, 1 error (or problems found by check), 2 usage error.
** Threading: single-threaded.
*/
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

static const char stats_help[] =
    "usage: newsdb stats [options]\n"
    "Show what the archive holds: current articles, stored versions, outlets, date range,\n"
    "article bytes as ingested, store and index size on disk, index segments, commit\n"
    "generation, and the stemmer.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --json            one object: {db,articles,versions,outlets,date_min,date_max,\n"
    "                        dated,raw_bytes,store_bytes,index_bytes,segments,generation,\n"
    "                        stemmer}\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 1 error (no archive, corrupt), 2 usage error.\n";

static const char check_help[] =
    "usage: newsdb check [options]\n"
    "Verify every checksum of the archive and cross-check the index against the store.\n"
    "Each problem is printed as \"newsdb: check: PROBLEM\" on stderr.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --json            {\"problem\":...} per problem, then "
    "{\"ok\":true|false,\"problems\":N}\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 sound, 1 problems found or error, 2 usage error.\n";

static const char optimize_help[] =
    "usage: newsdb optimize [options]\n"
    "Merge all index segments into one and commit. Searches get faster; results do not\n"
    "change. Takes the writer lock, so it fails while an add is running.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --json            {\"segments_before\":N,\"segments_after\":M,\"seconds\":S}\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 1 error (archive locked by another writer, I/O error), 2 usage\n"
    "error.\n";

/* Options shared by the three commands: -d, --json, --help; no arguments. *help set when
** the help text was shown. */
static cli_status admin_parse(int argc, char **argv, const char *cmd, const char *help_text,
                              const char **db, bool *json, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    *db = NULL;
    *json = false;
    *help = false;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            *db = optarg;
            break;
        case 'j':
            *json = true;
            break;
        case 'h':
            fputs(help_text, stdout);
            *help = true;
            return CLI_OK;
        default:
            return ndb_cli_usage_error(cmd, c, argv);
        }
    }
    if (optind < argc)
        return ndb_cli_usage_msg(cmd, "unexpected argument '%s'", argv[optind]);
    return CLI_OK;
}

/* ---------------------------------------------------------------- stats */

/* Languages of the current articles: JSON [{lang, count}], or one line, most first. */
static json_t *stats_langs_json(const ndb_agg *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        json_array_append_new(a, json_pack("{s:s, s:I}", "lang", l->rows[i].lang, "count",
                                           (json_int_t)l->rows[i].count));
    return a;
}

static void stats_langs_print(const ndb_stats *s, const ndb_agg *l)
{
    char b[32];
    NDB_UNUSED(s);
    printf("languages   ");
    for (size_t i = 0; i < l->n && i < 12; i++)
        printf("%s %s %s", i ? "," : "", l->rows[i].lang[0] ? l->rows[i].lang : "unknown",
               ndb_cli_fmt_count(l->rows[i].count, b, sizeof b));
    if (l->n > 12)
        printf(", ... (%zu languages)", l->n);
    printf("%s\n", l->n ? "" : " none");
}

static ndb_rc stats_print(const char *path, const ndb_stats *s, const ndb_agg *langs, bool json,
                          ndb_err *err)
{
    char b[4][32], d1[16], d2[16];
    if (json)
        return ndb_cli_json_print(
            stdout,
            json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:b, "
                      "s:o}",
                      "db",
                      path, "articles", (json_int_t)s->articles, "versions",
                      (json_int_t)s->versions, "outlets", (json_int_t)s->outlets, "date_min",
                      ndb_cli_json_date(s->date_min), "date_max", ndb_cli_json_date(s->date_max),
                      "dated", (json_int_t)s->dated, "raw_bytes", (json_int_t)s->raw_bytes,
                      "store_bytes", (json_int_t)s->store_bytes, "index_bytes",
                      (json_int_t)s->index_bytes, "segments", (json_int_t)s->segments, "generation",
                      (json_int_t)s->generation, "stemmer", ndb_cli_stemmer_name(s->stemmer),
                      "stem_per_language", s->stem_per_language, "languages",
                      stats_langs_json(langs)),
            err);
    printf("archive      %s\n", path);
    printf("articles     %s current, %s versions stored\n",
           ndb_cli_fmt_count(s->articles, b[0], 32), ndb_cli_fmt_count(s->versions, b[1], 32));
    printf("outlets      %s\n", ndb_cli_fmt_count(s->outlets, b[0], 32));
    stats_langs_print(s, langs);
    if (s->date_min == NDB_DATE_NONE)
        printf("dates        none\n");
    else
        printf("dates        %s .. %s (%s dated)\n", ndb_cli_fmt_date(s->date_min, d1, 16),
               ndb_cli_fmt_date(s->date_max, d2, 16), ndb_cli_fmt_count(s->dated, b[0], 32));
    printf("articles     %.1f MB as ingested\n", (double)s->raw_bytes / 1e6);
    printf("store        %.1f MB\n", (double)s->store_bytes / 1e6);
    printf("index        %.1f MB in %u segment%s\n", (double)s->index_bytes / 1e6, s->segments,
           s->segments == 1 ? "" : "s");
    printf("generation   %llu\n", (unsigned long long)s->generation);
    printf("stemmer      %s%s\n", ndb_cli_stemmer_name(s->stemmer),
           s->stem_per_language ? " (per article language where Snowball has one)" : "");
    return NDB_OK;
}

cli_status ndb_cli_cmd_stats(int argc, char **argv, const cli_env *env)
{
    const char *db_opt;
    bool json, help;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_stats s;
    ndb_agg *langs = NULL;
    ndb_err err;
    ndb_rc rc;
    NDB_UNUSED(env);
    cli_status st = admin_parse(argc, argv, "stats", stats_help, &db_opt, &json, &help);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    const char *path = ndb_cli_db_path(db_opt);
    rc = ndb_cli_open_snapshot(path, &db, &snap, &err);
    if (rc == NDB_OK)
        rc = ndb_snapshot_stats(snap, &s, &err);
    if (rc == NDB_OK)
        rc = ndb_languages(snap, NULL, &langs, &err);
    if (rc == NDB_OK)
        rc = stats_print(path, &s, langs, json, &err);
    ndb_agg_free(langs);
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_snapshot_close(snap);
    ndb_close(db);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}

/* ---------------------------------------------------------------- check */

typedef struct check_ctx {
    bool json;
    uint64_t problems;
} check_ctx;

static void check_report(void *ctx, int is_error, const char *msg)
{
    check_ctx *c = ctx;
    if (is_error)
        c->problems++;
    if (c->json)
        (void)ndb_cli_json_print(stdout,
                                 json_pack("{s:o}", is_error ? "problem" : "warning",
                                           ndb_cli_json_str(msg, strlen(msg))),
                                 NULL);
    else
        fprintf(stderr, "newsdb: check: %s%s\n", is_error ? "" : "warning: ", msg);
}

cli_status ndb_cli_cmd_check(int argc, char **argv, const cli_env *env)
{
    const char *db_opt;
    bool json, help;
    ndb_db *db = NULL;
    check_ctx cc;
    ndb_err err;
    ndb_rc rc;
    NDB_UNUSED(env);
    cli_status st = admin_parse(argc, argv, "check", check_help, &db_opt, &json, &help);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    cc.json = json;
    cc.problems = 0;
    const char *path = ndb_cli_db_path(db_opt);
    rc = ndb_cli_open(path, false, NDB_STEM_ENGLISH, &db, &err);
    if (rc == NDB_OK) {
        rc = ndb_check(db, check_report, &cc, &err);
        if (rc == NDB_ECORRUPT && cc.problems == 0)
            check_report(&cc, 1, err.msg[0] ? err.msg : ndb_strerror(rc));
        if (rc == NDB_ECORRUPT) {
            if (json)
                (void)ndb_cli_json_print(
                    stdout, json_pack("{s:b, s:I}", "ok", 0, "problems", (json_int_t)cc.problems),
                    NULL);
            else
                printf("%s: %llu problem%s\n", path, (unsigned long long)cc.problems,
                       cc.problems == 1 ? "" : "s");
            goto out;
        }
    }
    if (rc != NDB_OK) {
        ndb_cli_fail(&err, rc);
        goto out;
    }
    if (json)
        rc = ndb_cli_json_print(stdout, json_pack("{s:b, s:I}", "ok", 1, "problems", 0), &err);
    else
        printf("%s: ok\n", path);
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
out:
    ndb_close(db);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}

/* ---------------------------------------------------------------- optimize */

/* Number of segments of the newest commit. */
static ndb_rc optimize_segments(ndb_db *db, uint32_t *n, ndb_err *err)
{
    ndb_snapshot *snap = NULL;
    ndb_stats s;
    ndb_rc rc = ndb_snapshot_open(db, &snap, err);
    if (rc == NDB_OK)
        rc = ndb_snapshot_stats(snap, &s, err);
    if (rc == NDB_OK)
        *n = s.segments;
    ndb_snapshot_close(snap);
    return rc;
}

cli_status ndb_cli_cmd_optimize(int argc, char **argv, const cli_env *env)
{
    const char *db_opt;
    bool json, help;
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    ndb_err err;
    ndb_rc rc;
    uint32_t before = 0, after = 0;
    NDB_UNUSED(env);
    cli_status st = admin_parse(argc, argv, "optimize", optimize_help, &db_opt, &json, &help);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    uint64_t t0 = ndb_now_ns();
    rc = ndb_cli_open(ndb_cli_db_path(db_opt), false, NDB_STEM_ENGLISH, &db, &err);
    if (rc == NDB_OK)
        rc = ndb_writer_open(db, &w, &err);
    if (rc == NDB_OK)
        rc = optimize_segments(db, &before, &err);
    if (rc == NDB_OK)
        rc = ndb_writer_optimize(w, &err);
    if (rc == NDB_OK)
        rc = optimize_segments(db, &after, &err);
    if (rc != NDB_OK)
        goto out;
    double secs = (double)(ndb_now_ns() - t0) / 1e9;
    if (json)
        rc = ndb_cli_json_print(stdout,
                                json_pack("{s:I, s:I, s:f}", "segments_before", (json_int_t)before,
                                          "segments_after", (json_int_t)after, "seconds", secs),
                                &err);
    else
        printf("optimized: %u segment%s -> %u in %.2f s\n", before, before == 1 ? "" : "s", after,
               secs);
out:
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_writer_close(w);
    ndb_close(db);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}
