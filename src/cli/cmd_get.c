/*
** cmd_get.c — `newsdb get` (one article, or the versions of a URL) and `newsdb export`.
**
** get: ID (all digits) fetches that stored version, live or not; anything else is a URL
** and fetches its current version. --format native writes the exact input bytes (so
** `get --format native` of every id reproduces an ingested directory byte for byte);
** json writes ndb_doc_format's object plus a newline. --versions lists every version of
** the URL (of the ID's URL when given an ID): id, version number, date, bytes, live.
**
** export: streams every match of --query (ids ascending, via ndb_match_each), or every
** live article when no query is given (ids 0 .. versions-1, skipping superseded ones).
** No result cap: ids are collected (4 bytes each), then each article is fetched,
** formatted and written before the next is read. jsonl: one JSON object per line; csv: a
** header line, then one RFC 4180 row per article; native: the exact bytes of each article,
** concatenated (so only a one-article export is itself a valid article file). -o FILE
** writes FILE.tmp-<pid> and renames it over FILE at the end, so FILE is either the old
** file or the complete new one.
**
** Exit statuses: 0 ok, 1 error (no such id/URL, archive error), 2 usage error.
** Threading: single-threaded.
*/
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

static const char get_help[] =
    "usage: newsdb get [options] ID|URL\n"
    "Print one article. An ID (digits) names a stored version, current or superseded; a\n"
    "URL names its current version.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --format FMT      native (default: the exact bytes as ingested) or json (one\n"
    "                        object: id, url, outlet, date, title, lang, source, version,\n"
    "                        live, paragraphs, ...)\n"
    "      --versions        list every version of the URL (or of the ID's URL): id,\n"
    "                        version, date, bytes, live; oldest first\n"
    "      --json            same as --format json; with --versions one object per version\n"
    "                        {id,version,date,bytes,live,url}\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 1 error (no such article, no archive), 2 usage error.\n";

static const char export_help[] =
    "usage: newsdb export [options] --format jsonl|csv|native\n"
    "Write articles: those matching --query, or every current article when no query is\n"
    "given, in id (ingest) order. Streams; there is no result cap.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "  -q, --query Q         export only the articles matching query Q\n"
    "      --format FMT      jsonl: one JSON object per line; csv: a header line, then one\n"
    "                        RFC 4180 row per article; native: the exact bytes of each\n"
    "                        article as ingested, several articles simply concatenated\n"
    "                        (a one-article export is a valid article file; more are not)\n"
    "  -o, --output FILE     write to FILE atomically (FILE.tmp-PID, then rename) instead\n"
    "                        of stdout, and print how many articles were written\n"
    "      --json            same as --format jsonl\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok, 1 error (bad query, no archive, write failed), 2 usage error.\n";

/* ---------------------------------------------------------------- get */

static bool get_is_id(const char *s, uint32_t *id)
{
    return ndb_cli_parse_u32(s, UINT32_MAX - 1, id);
}

static ndb_rc get_print_doc(const ndb_doc *d, ndb_format fmt, ndb_err *err)
{
    char *out = NULL;
    size_t len = 0;
    ndb_rc rc = NDB_OK;
    if (fmt == NDB_FMT_NATIVE) {
        if (d->raw.n > 0 && fwrite(d->raw.p, 1, d->raw.n, stdout) != d->raw.n)
            rc = ndb_err_set(err, NDB_EIO, "stdout: write failed");
        return rc;
    }
    rc = ndb_doc_format(d, fmt, &out, &len);
    if (rc != NDB_OK) {
        ndb_err_set(err, rc, "article %u: cannot format it", d->id);
        goto out;
    }
    if (fwrite(out, 1, len, stdout) != len || fputc('\n', stdout) == EOF)
        rc = ndb_err_set(err, NDB_EIO, "stdout: write failed");
out:
    ndb_free_mem(out);
    return rc;
}

static ndb_rc get_print_versions(ndb_snapshot *snap, const char *url, bool json, ndb_err *err)
{
    uint32_t *ids = NULL;
    size_t n = 0;
    ndb_doc *d = NULL;
    char date[16], bytes[32];
    ndb_rc rc = ndb_get_versions(snap, url, &ids, &n, err);
    if (rc != NDB_OK)
        goto out;
    if (!json)
        printf("%zu version%s of %s\n%10s %8s %-10s %12s %5s\n", n, n == 1 ? "" : "s", url, "id",
               "version", "date", "bytes", "live");
    for (size_t i = 0; i < n; i++) {
        rc = ndb_get(snap, ids[i], &d, err);
        if (rc != NDB_OK)
            goto out;
        if (json) {
            rc = ndb_cli_json_print(stdout,
                                    json_pack("{s:I, s:I, s:o, s:I, s:b, s:o}", "id",
                                              (json_int_t)d->id, "version", (json_int_t)d->version,
                                              "date", ndb_cli_json_date(d->date), "bytes",
                                              (json_int_t)d->raw.n, "live", d->live, "url",
                                              ndb_cli_json_str(d->url, strlen(d->url))),
                                    err);
            if (rc != NDB_OK)
                goto out;
        } else {
            ndb_cli_fmt_date(d->date, date, sizeof date);
            printf("%10u %8u %-10s %12s %5s\n", d->id, d->version, date[0] ? date : "-",
                   ndb_cli_fmt_count(d->raw.n, bytes, sizeof bytes), d->live ? "yes" : "no");
        }
        ndb_doc_free(d);
        d = NULL;
    }
out:
    ndb_doc_free(d);
    ndb_free_mem(ids);
    return rc;
}

static bool get_parse_format(const char *s, ndb_format *fmt)
{
    if (strcmp(s, "native") == 0)
        *fmt = NDB_FMT_NATIVE;
    else if (strcmp(s, "json") == 0)
        *fmt = NDB_FMT_JSON;
    else
        return false;
    return true;
}

cli_status ndb_cli_cmd_get(int argc, char **argv, const cli_env *env)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'}, {"format", required_argument, NULL, 'f'},
        {"versions", no_argument, NULL, 'v'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    const char *db_opt = NULL;
    ndb_format fmt = NDB_FMT_NATIVE;
    bool versions = false;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_doc *d = NULL;
    ndb_err err;
    ndb_rc rc;
    uint32_t id = 0;
    int c;
    NDB_UNUSED(env);
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_opt = optarg;
            break;
        case 'f':
            if (!get_parse_format(optarg, &fmt))
                return ndb_cli_usage_msg("get", "bad --format '%s' (native, json)", optarg);
            break;
        case 'v':
            versions = true;
            break;
        case 'j':
            fmt = NDB_FMT_JSON;
            break;
        case 'h':
            fputs(get_help, stdout);
            return CLI_OK;
        default:
            return ndb_cli_usage_error("get", c, argv);
        }
    }
    if (optind >= argc)
        return ndb_cli_usage_msg("get", "no ID or URL given");
    if (optind + 1 < argc)
        return ndb_cli_usage_msg("get", "unexpected argument '%s'", argv[optind + 1]);
    const char *key = argv[optind];
    ndb_err_clear(&err);
    rc = ndb_cli_open_snapshot(ndb_cli_db_path(db_opt), &db, &snap, &err);
    if (rc != NDB_OK)
        goto out;
    if (get_is_id(key, &id))
        rc = ndb_get(snap, id, &d, &err);
    else
        rc = ndb_get_url(snap, key, &d, &err);
    if (rc != NDB_OK)
        goto out;
    if (versions)
        rc = get_print_versions(snap, d->url, fmt == NDB_FMT_JSON, &err);
    else
        rc = get_print_doc(d, fmt, &err);
out:
    if (rc == NDB_ENOTFOUND && !err.msg[0])
        ndb_err_set(&err, rc, "%s: no such article", key);
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_doc_free(d);
    ndb_snapshot_close(snap);
    ndb_close(db);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}

/* ---------------------------------------------------------------- export */

typedef struct export_ids {
    ndb_buf ids; /* u32le per matching id */
    ndb_rc rc;
} export_ids;

static int export_collect(void *ctx, uint32_t id)
{
    export_ids *e = ctx;
    e->rc = ndb_buf_append_u32le(&e->ids, id);
    return e->rc != NDB_OK;
}

/* Write one article in fmt to o. */
static ndb_rc export_one(cli_out *o, const ndb_doc *d, ndb_format fmt, ndb_err *err)
{
    char *s = NULL;
    size_t len = 0;
    ndb_rc rc;
    if (fmt == NDB_FMT_NATIVE)
        return ndb_cli_out_write(o, d->raw.p, d->raw.n, err);
    rc = ndb_doc_format(d, fmt, &s, &len);
    if (rc != NDB_OK) {
        ndb_err_set(err, rc, "article %u: cannot format it", d->id);
        goto out;
    }
    rc = ndb_cli_out_write(o, s, len, err);
    if (rc == NDB_OK && (len == 0 || s[len - 1] != '\n'))
        rc = ndb_cli_out_write(o, "\n", 1, err);
out:
    ndb_free_mem(s);
    return rc;
}

typedef struct export_args {
    const char *db, *query, *output;
    ndb_format fmt;
    bool have_fmt;
} export_args;

static cli_status export_parse(int argc, char **argv, export_args *o, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"query", required_argument, NULL, 'q'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:q:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'q':
            o->query = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->have_fmt = true;
            if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
                o->fmt = NDB_FMT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                o->fmt = NDB_FMT_CSV;
            else if (strcmp(optarg, "native") == 0)
                o->fmt = NDB_FMT_NATIVE;
            else
                return ndb_cli_usage_msg("export", "bad --format '%s' (jsonl, csv, native)",
                                         optarg);
            break;
        case 'j':
            o->have_fmt = true;
            o->fmt = NDB_FMT_JSON;
            break;
        case 'h':
            fputs(export_help, stdout);
            *help = true;
            return CLI_OK;
        default:
            return ndb_cli_usage_error("export", c, argv);
        }
    }
    if (optind < argc)
        return ndb_cli_usage_msg("export", "unexpected argument '%s' (use --query)", argv[optind]);
    if (!o->have_fmt)
        return ndb_cli_usage_msg("export", "--format jsonl|csv|native is required");
    return CLI_OK;
}

/* The ids to export, ascending: matches of the query, or every stored id (live or not;
** the caller skips superseded ones). */
static ndb_rc export_gather(ndb_snapshot *snap, const char *query, export_ids *e, ndb_err *err)
{
    ndb_stats st;
    ndb_rc rc;
    if (query) {
        rc = ndb_match_each(snap, query, export_collect, e, err);
        if (rc == NDB_OK && e->rc != NDB_OK)
            rc = ndb_err_set(err, e->rc, "export: out of memory collecting ids");
        return rc;
    }
    rc = ndb_snapshot_stats(snap, &st, err);
    for (uint64_t id = 0; rc == NDB_OK && id < st.versions && id < UINT32_MAX; id++) {
        rc = ndb_buf_append_u32le(&e->ids, (uint32_t)id);
        if (rc != NDB_OK)
            ndb_err_set(err, rc, "export: out of memory collecting ids");
    }
    return rc;
}

cli_status ndb_cli_cmd_export(int argc, char **argv, const cli_env *env)
{
    export_args o;
    export_ids e;
    cli_out out;
    bool help = false, out_open = false;
    ndb_db *db = NULL;
    ndb_snapshot *snap = NULL;
    ndb_doc *d = NULL;
    ndb_err err;
    ndb_rc rc;
    uint64_t written = 0, bytes = 0;
    NDB_UNUSED(env);
    cli_status st = export_parse(argc, argv, &o, &help);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    ndb_buf_init(&e.ids, NDB_BUF_NOMAX);
    e.rc = NDB_OK;
    rc = ndb_cli_open_snapshot(ndb_cli_db_path(o.db), &db, &snap, &err);
    if (rc == NDB_OK)
        rc = export_gather(snap, o.query, &e, &err);
    if (rc == NDB_OK)
        rc = ndb_cli_out_open(&out, o.output, &err);
    if (rc != NDB_OK)
        goto out;
    out_open = true;
    if (o.fmt == NDB_FMT_CSV) {
        const char *h = ndb_doc_csv_header();
        size_t hl = strlen(h);
        rc = ndb_cli_out_write(&out, h, hl, &err);
        if (rc == NDB_OK && (hl == 0 || h[hl - 1] != '\n'))
            rc = ndb_cli_out_write(&out, "\n", 1, &err);
    }
    for (size_t i = 0; rc == NDB_OK && i + 4 <= e.ids.n; i += 4) {
        rc = ndb_get(snap, ndb_get_u32le(e.ids.p + i), &d, &err);
        if (rc != NDB_OK)
            break;
        if (o.query || d->live) {
            rc = export_one(&out, d, o.fmt, &err);
            written++;
            bytes += d->raw.n;
        }
        ndb_doc_free(d);
        d = NULL;
    }
out:
    ndb_doc_free(d);
    if (out_open) {
        ndb_err cerr;
        ndb_rc crc = ndb_cli_out_close(&out, rc == NDB_OK, &cerr);
        if (rc == NDB_OK && crc != NDB_OK) {
            rc = crc;
            err = cerr;
        }
    }
    if (rc == NDB_OK && o.output)
        printf("exported %llu article%s (%.1f MB of articles) to %s\n", (unsigned long long)written,
               written == 1 ? "" : "s", (double)bytes / 1e6, o.output);
    if (rc != NDB_OK)
        ndb_cli_fail(&err, rc);
    ndb_buf_fini(&e.ids);
    ndb_snapshot_close(snap);
    ndb_close(db);
    return rc == NDB_OK ? CLI_OK : CLI_FAIL;
}
