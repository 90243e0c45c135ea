/*
** cmd_crawl.c — `newsdb crawl`: fetch feeds, sitemaps or URL lists over HTTP, extract the
** articles and add them (src/crawl/ does the work; this file parses options, opens the
** archive and the writer, and renders the callbacks: one stderr line per failed item, a
** progress line on a terminal, a summary at the end).
**
** Exit statuses: 0 when the pass ran (even if items failed: they are reported and
** counted), 1 when it could not run or the archive failed (lock held, I/O error, unreadable
** list file, corrupt CRAWL-STATE), 2 usage errors.
**
** Threading: single-threaded.
*/
#include "cli/cli.h"
#include "crawl/crawl.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef struct crawl_ctx {
    bool json, progress, drawn;
    uint64_t t0;
} crawl_ctx;

static const char crawl_help[] =
    "usage: newsdb crawl [options] --feeds FILE | --urls FILE | --sitemap URL\n"
    "Fetch articles over HTTP(S), extract them and add them to the archive (created when\n"
    "missing). --feeds: a file with one RSS/Atom feed or sitemap URL per line; --urls: one\n"
    "page URL per line; --sitemap: a sitemap or sitemap index. Lines may be empty or start\n"
    "with #. robots.txt is honoured; each host gets at most --per-host transfers at once\n"
    "and one request start per --delay seconds (or its robots Crawl-delay, if larger).\n"
    "Pages added before keep their ETag / Last-Modified in DB/CRAWL-STATE: unchanged ones\n"
    "cost a 304, changed ones become new versions. Run it again to poll (docs/crawl.md).\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --feeds FILE      feed / sitemap URLs, one per line\n"
    "      --urls FILE       page URLs, one per line\n"
    "      --sitemap URL     a sitemap (or sitemap index, nested up to 3 levels)\n"
    "      --delay SEC       seconds between request starts per host (default 1)\n"
    "      --per-host N      transfers in flight per host (default 2)\n"
    "      --max-conn N      transfers in flight in all (default 8)\n"
    "      --timeout SEC     time limit per transfer (default 30)\n"
    "      --max-bytes N     size limit per response body (default 8388608)\n"
    "      --retries N       retries of 5xx, 429, timeouts, connection errors (default 2)\n"
    "      --max-pages N     pages to fetch at most in this pass (default: all)\n"
    "      --user-agent S    User-Agent (default newsdb/VERSION (+url)); its first word is\n"
    "                        the token matched against robots.txt groups\n"
    "      --json            one JSON object per line: errors, then the summary\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 the pass ran (failed items are reported and skipped), 1 error (archive\n"
    "locked or failing, unreadable list, corrupt CRAWL-STATE), 2 usage error.\n";

static void crawl_clear(crawl_ctx *c)
{
    if (c->drawn) {
        fputs("\r\033[K", stderr);
        c->drawn = false;
    }
}

static void crawl_on_report(void *ctx, int is_error, const char *msg)
{
    crawl_ctx *c = ctx;
    if (c->json) {
        (void)ndb_cli_json_print(stdout,
                                 json_pack("{s:s, s:o}", "kind", is_error ? "error" : "warning",
                                           "message", ndb_cli_json_str(msg, strlen(msg))),
                                 NULL);
        return;
    }
    crawl_clear(c);
    fprintf(stderr, "newsdb: %s: %s\n", is_error ? "error" : "warning", msg);
}

static void crawl_on_progress(void *ctx, const ndb_crawl_stats *s, uint64_t pending)
{
    crawl_ctx *c = ctx;
    if (!c->progress) {
        return;
    }
    double secs = (double)(ndb_now_ns() - c->t0) / 1e9;
    fprintf(stderr,
            "\r\033[K  %llu fetched  %llu added  %llu updated  %llu unchanged  %llu errors  "
            "%llu queued  %.1f MB  %.0f s",
            (unsigned long long)s->fetched, (unsigned long long)s->added,
            (unsigned long long)s->updated,
            (unsigned long long)(s->not_modified + s->duplicates), (unsigned long long)s->errors,
            (unsigned long long)pending, (double)s->bytes / 1e6, secs);
    c->drawn = true;
}

static bool crawl_parse_secs(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != 0 || !(v >= 0) || v > 86400) {
        return false;
    }
    *out = v;
    return true;
}

static ndb_rc crawl_summary(const crawl_ctx *c, const ndb_crawl_stats *s, ndb_err *err)
{
    double secs = (double)(ndb_now_ns() - c->t0) / 1e9;
    if (c->json) {
        return ndb_cli_json_print(
            stdout,
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}",
                      "kind", "summary", "feeds", (json_int_t)s->feeds, "feeds_unchanged",
                      (json_int_t)s->feeds_unchanged, "links", (json_int_t)s->links, "fetched",
                      (json_int_t)s->fetched, "not_modified", (json_int_t)s->not_modified,
                      "added", (json_int_t)s->added, "updated", (json_int_t)s->updated,
                      "duplicates", (json_int_t)s->duplicates, "robots_denied",
                      (json_int_t)s->robots_denied, "errors", (json_int_t)s->errors, "retries",
                      (json_int_t)s->retries, "bytes", (json_int_t)s->bytes, "seconds", secs),
            err);
    }
    printf("feeds %llu (unchanged %llu)  links %llu  fetched %llu  not modified %llu\n",
           (unsigned long long)s->feeds, (unsigned long long)s->feeds_unchanged,
           (unsigned long long)s->links, (unsigned long long)s->fetched,
           (unsigned long long)s->not_modified);
    printf("added %llu  updated %llu  duplicates %llu  robots denied %llu  errors %llu  "
           "retries %llu\n",
           (unsigned long long)s->added, (unsigned long long)s->updated,
           (unsigned long long)s->duplicates, (unsigned long long)s->robots_denied,
           (unsigned long long)s->errors, (unsigned long long)s->retries);
    printf("%.1f MB in %.2f s\n", (double)s->bytes / 1e6, secs);
    return NDB_OK;
}

static cli_status crawl_parse(int argc, char **argv, ndb_crawl_opts *o, const char **db,
                              bool *json, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},       {"feeds", required_argument, NULL, 'f'},
        {"urls", required_argument, NULL, 'u'},     {"sitemap", required_argument, NULL, 's'},
        {"delay", required_argument, NULL, 'D'},    {"per-host", required_argument, NULL, 'p'},
        {"max-conn", required_argument, NULL, 'c'}, {"timeout", required_argument, NULL, 't'},
        {"max-bytes", required_argument, NULL, 'b'}, {"retries", required_argument, NULL, 'r'},
        {"max-pages", required_argument, NULL, 'm'}, {"user-agent", required_argument, NULL, 'A'},
        {"json", no_argument, NULL, 'j'},           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint32_t v;
    double secs;
    int c;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            *db = optarg;
            break;
        case 'f':
            o->feeds_file = optarg;
            break;
        case 'u':
            o->urls_file = optarg;
            break;
        case 's':
            o->sitemap_url = optarg;
            break;
        case 'D':
            if (!crawl_parse_secs(optarg, &o->delay))
                return ndb_cli_usage_msg("crawl", "bad --delay '%s' (seconds)", optarg);
            break;
        case 't':
            if (!crawl_parse_secs(optarg, &secs) || secs < 0.001)
                return ndb_cli_usage_msg("crawl", "bad --timeout '%s' (seconds)", optarg);
            o->timeout_ms = (unsigned)(secs * 1000);
            break;
        case 'p':
        case 'c':
        case 'r':
        case 'm':
            if (!ndb_cli_parse_u32(optarg, 100000000, &v) || (c != 'r' && c != 'm' && v == 0))
                return ndb_cli_usage_msg("crawl", "bad number '%s'", optarg);
            if (c == 'p')
                o->per_host = v;
            else if (c == 'c')
                o->max_conn = v;
            else if (c == 'r')
                o->retries = v;
            else
                o->max_pages = v;
            break;
        case 'b':
            if (!ndb_cli_parse_u32(optarg, UINT32_MAX, &v) || v == 0)
                return ndb_cli_usage_msg("crawl", "bad --max-bytes '%s'", optarg);
            o->max_bytes = v;
            break;
        case 'A':
            o->user_agent = optarg;
            break;
        case 'j':
            *json = true;
            break;
        case 'h':
            fputs(crawl_help, stdout);
            *help = true;
            return CLI_OK;
        default:
            return ndb_cli_usage_error("crawl", c, argv);
        }
    }
    if (optind != argc)
        return ndb_cli_usage_msg("crawl", "unexpected argument '%s'", argv[optind]);
    if (!o->feeds_file && !o->urls_file && !o->sitemap_url)
        return ndb_cli_usage_msg("crawl", "give --feeds FILE, --urls FILE or --sitemap URL");
    return CLI_OK;
}

cli_status ndb_cli_cmd_crawl(int argc, char **argv, const cli_env *env)
{
    ndb_crawl_opts o;
    ndb_crawl_stats st;
    crawl_ctx c;
    const char *db_opt = NULL;
    bool json = false, help = false;
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    ndb_err err;
    ndb_rc rc;
    memset(&o, 0, sizeof o);
    o.delay = -1;
    o.retries = 2;
    cli_status s = crawl_parse(argc, argv, &o, &db_opt, &json, &help);
    if (s != CLI_OK || help)
        return s;
    memset(&c, 0, sizeof c);
    c.json = json;
    c.progress = env->err_tty && !json;
    c.t0 = ndb_now_ns();
    o.db_dir = ndb_cli_db_path(db_opt);
    o.report = crawl_on_report;
    o.progress = crawl_on_progress;
    o.ctx = &c;
    ndb_err_clear(&err);
    rc = ndb_cli_open(o.db_dir, true, NDB_STEM_ENGLISH, &db, &err);
    if (rc == NDB_OK)
        rc = ndb_writer_open(db, &w, &err);
    if (rc == NDB_OK)
        rc = ndb_crawl_run(w, &o, &st, &err);
    crawl_clear(&c);
    if (rc == NDB_OK)
        rc = crawl_summary(&c, &st, &err);
    ndb_writer_close(w);
    ndb_close(db);
    if (rc != NDB_OK) {
        if (json)
            (void)ndb_cli_json_print(stdout,
                                     json_pack("{s:s, s:s, s:o}", "kind", "failed", "error",
                                               ndb_strerror(rc), "message",
                                               ndb_cli_json_str(err.msg, strlen(err.msg))),
                                     NULL);
        return ndb_cli_fail(&err, rc);
    }
    return CLI_OK;
}
