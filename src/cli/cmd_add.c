/*
** cmd_add.c — `newsdb init` and `newsdb add`.
**
** init creates an empty archive with a chosen analyzer and refuses to touch an existing
** one. add opens (creating when missing) the archive, takes the writer lock, and hands
** each PATH to ndb_ingest, which walks files, directories and tar streams, reports each
** bad record through a callback and commits at the end and every --commit-every articles.
**
** Why shaped so: ingesting is one library call per PATH, so the CLI only renders what
** the callbacks tell it: report -> one stderr line per bad record ("newsdb: error: ..." /
** "newsdb: warning: ...", or a JSON object on stdout with --json); progress -> a bar on
** stderr when it is a terminal (articles/s, input MB/s, and % + ETA when the input size
** is known: directories and regular files, tar archives included since progress counts
** compressed input bytes; not stdin).
**
** Exit statuses: 0 when every PATH was ingested, even if bad records were skipped; 1 when a
** call failed (lock held, I/O error, --strict and a bad record); 2 usage errors.
** --strict commits nothing unless every PATH ingests without a bad record: the sources
** are ingested with defer_commit and committed together at the end. Ctrl-C is not caught: batches committed so
** far are durable, the rest is discarded by the next writer's recovery.
**
** Threading: the callbacks run on this thread; ndb_ingest reads and analyzes the input on a
** second one (--threads 1: not).
*/
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#define ADD_DRAW_NS 100000000ull /* redraw the progress bar at most every 0.1 s */

typedef struct add_ctx {
    const cli_env *env;
    bool json;
    bool progress; /* draw a bar on stderr */
    bool drawn;    /* a bar is on screen and must be cleared before other output */
    uint64_t t0, last_draw;
    uint64_t total_bytes;               /* input size when known, else 0 */
    char last_error[NDB_ERR_MSG_MAX];
    ndb_rc out_rc; /* first failure writing JSON output */
    ndb_err out_err;
} add_ctx;

static const char add_help[] =
    "usage: newsdb add [options] PATH...\n"
    "       newsdb add [options] -              read a tar stream from stdin\n"
    "Add articles to the archive, creating it when missing. PATH is a native-format file,\n"
    "a directory (read recursively, in sorted order) or a tar archive in any compression;\n"
    "a JSONL or CSV file (--format, or by the name *.jsonl / *.csv, also .gz); a WARC file\n"
    "(sniffed; .warc.gz too). Saved HTML pages in a directory or tar are extracted.\n"
    "Mapping of fields and columns: docs/ingest-formats.md.\n"
    "Each bad record is reported on stderr as \"newsdb: error: SOURCE:LINE: what\" (or\n"
    "\"newsdb: warning: ...\" for a paragraph-count mismatch, which is still added) and\n"
    "skipped; the rest is added. A summary follows: seen, added, updated, duplicates,\n"
    "skipped, warnings, MB, MB/s, seconds. On a terminal a progress bar shows on stderr.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --strict          the first bad record (a paragraph-count mismatch too) is an\n"
    "                        error: exit 1, and nothing of this command is committed\n"
    "      --meta FILE       side file, JSONL: one object per article with url and any of\n"
    "                        outlet, date (YYYY-MM-DD), title, lang; overrides derived fields\n"
    "      --commit-every N  commit after every N articles (default 50000)\n"
    "      --format FMT      input format of every PATH: auto (default), native, jsonl,\n"
    "                        csv, warc\n"
    "      --threads N       1: read, parse and analyze on the indexing thread; 2 (default):\n"
    "                        on a second thread, so both cores work (same archive)\n"
    "      --stemmer NAME    analyzer if the archive is created: english (default),\n"
    "                        porter, none; an existing archive keeps its own\n"
    "      --json            one JSON object per line on stdout: {\"kind\":\"error\"|\"warning\",\n"
    "                        \"message\":...} per bad record, then {\"kind\":\"summary\",...}\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 ok (also when bad records were skipped), 1 error (archive locked by\n"
    "another writer, I/O error, --strict and a bad record), 2 usage error.\n";

static const char init_help[] =
    "usage: newsdb init [options]\n"
    "Create an empty archive. Fails if the directory already holds one.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --stemmer NAME    analyzer: english (Snowball English, default), porter\n"
    "                        (Snowball's original Porter), none (no stemming)\n"
    "      --json            print {\"created\":DB,\"stemmer\":NAME}\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 created, 1 error (archive exists, I/O error), 2 usage error.\n";

/* ---------------------------------------------------------------- init */

cli_status ndb_cli_cmd_init(int argc, char **argv, const cli_env *env)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"stemmer", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db_opt = NULL;
    ndb_stemmer stemmer = NDB_STEM_ENGLISH;
    bool json = false;
    ndb_db *db = NULL;
    ndb_err err;
    ndb_rc rc;
    cli_status st = CLI_FAIL;
    int c;
    NDB_UNUSED(env);
    ndb_err_clear(&err);
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_opt = optarg;
            break;
        case 's':
            if (!ndb_cli_parse_stemmer(optarg, &stemmer))
                return ndb_cli_usage_msg("init", "unknown stemmer '%s'", optarg);
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(init_help, stdout);
            return CLI_OK;
        default:
            return ndb_cli_usage_error("init", c, argv);
        }
    }
    if (optind != argc)
        return ndb_cli_usage_msg("init", "unexpected argument '%s'", argv[optind]);
    const char *path = ndb_cli_db_path(db_opt);
    rc = ndb_cli_open(path, false, stemmer, &db, &err);
    if (rc == NDB_OK) {
        fprintf(stderr, "newsdb: %s: an archive already exists there\n", path);
        goto out;
    }
    if (rc != NDB_ENOTFOUND) {
        st = ndb_cli_fail(&err, rc);
        goto out;
    }
    rc = ndb_cli_open(path, true, stemmer, &db, &err);
    if (rc != NDB_OK) {
        st = ndb_cli_fail(&err, rc);
        goto out;
    }
    if (json) {
        rc = ndb_cli_json_print(
            stdout,
            json_pack("{s:s, s:s}", "created", path, "stemmer", ndb_cli_stemmer_name(stemmer)),
            &err);
        if (rc != NDB_OK) {
            st = ndb_cli_fail(&err, rc);
            goto out;
        }
    } else {
        printf("created empty archive %s (stemmer %s)\n", path, ndb_cli_stemmer_name(stemmer));
    }
    st = CLI_OK;
out:
    ndb_close(db);
    return st;
}

/* ---------------------------------------------------------------- add: callbacks */

static void add_clear_bar(add_ctx *a)
{
    if (a->drawn) {
        fputs("\r\033[K", stderr);
        a->drawn = false;
    }
}

static void add_report(void *ctx, int is_error, const char *msg)
{
    add_ctx *a = ctx;
    if (is_error)
        snprintf(a->last_error, sizeof a->last_error, "%s", msg);
    if (a->json) {
        ndb_rc rc =
            ndb_cli_json_print(stdout,
                               json_pack("{s:s, s:o}", "kind", is_error ? "error" : "warning",
                                         "message", ndb_cli_json_str(msg, strlen(msg))),
                               &a->out_err);
        if (rc != NDB_OK && a->out_rc == NDB_OK)
            a->out_rc = rc;
        return;
    }
    add_clear_bar(a);
    fprintf(stderr, "newsdb: %s: %s\n", is_error ? "error" : "warning", msg);
}

static void add_progress(void *ctx, uint64_t articles, uint64_t bytes)
{
    add_ctx *a = ctx;
    char n1[32], n2[32];
    uint64_t now = ndb_now_ns();
    if (!a->progress || now - a->last_draw < ADD_DRAW_NS)
        return;
    a->last_draw = now;
    double secs = (double)(now - a->t0) / 1e9;
    double mb = (double)bytes / 1e6;
    double rate = secs > 0 ? (double)articles / secs : 0;
    double mbps = secs > 0 ? mb / secs : 0;
    fprintf(stderr, "\r\033[K  %s articles  %s/s  %.1f MB read  %.1f MB/s",
            ndb_cli_fmt_count(articles, n1, sizeof n1),
            ndb_cli_fmt_count((uint64_t)rate, n2, sizeof n2), mb, mbps);
    if (a->total_bytes > 0 && bytes <= a->total_bytes && mbps > 0) {
        double left = ((double)(a->total_bytes - bytes) / 1e6) / mbps;
        unsigned eta = (unsigned)(left + 0.5);
        fprintf(stderr, "  %3.0f%%  ETA %u:%02u", 100.0 * (double)bytes / (double)a->total_bytes,
                eta / 60, eta % 60);
    }
    a->drawn = true;
}

/* Sum of regular file sizes under path (a file or a directory); 0 when unknown. Bounded
** depth; symlinked directories are not followed. */
static uint64_t add_input_size(const char *path, int depth)
{
    struct stat sb;
    uint64_t sum = 0;
    if (depth > 32 || lstat(path, &sb) != 0)
        return 0;
    if (S_ISREG(sb.st_mode))
        return (uint64_t)sb.st_size;
    if (!S_ISDIR(sb.st_mode))
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    char sub[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < sizeof sub)
            sum += add_input_size(sub, depth + 1);
    }
    closedir(d);
    return sum;
}

/* True when path is a directory or a regular file: the library's progress counts input
** bytes consumed (compressed bytes for archives), comparable with the on-disk size. */
static bool add_size_known(const char *path)
{
    struct stat sb;
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0)
        return false;
    return S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode);
}

/* ---------------------------------------------------------------- add: summary */

static ndb_rc add_summary(const add_ctx *a, const ndb_ingest_stats *s, const char *meta,
                          ndb_err *err)
{
    double secs = (double)(ndb_now_ns() - a->t0) / 1e9;
    double mb = (double)s->bytes / 1e6;
    double mbps = secs > 0 ? mb / secs : 0;
    char b[6][32];
    if (a->json) {
        json_t *o =
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "kind", "summary",
                      "seen", (json_int_t)s->seen, "added", (json_int_t)s->added, "updated",
                      (json_int_t)s->updated, "duplicates", (json_int_t)s->duplicates, "skipped",
                      (json_int_t)s->skipped, "warnings", (json_int_t)s->warnings, "bytes",
                      (json_int_t)s->bytes, "mb", mb, "seconds", secs, "mb_per_s", mbps);
        if (o && s->ignored)
            json_object_set_new(o, "ignored", json_integer((json_int_t)s->ignored));
        if (o && s->revisits)
            json_object_set_new(o, "revisits", json_integer((json_int_t)s->revisits));
        if (o && meta) {
            json_object_set_new(o, "meta_lines", json_integer((json_int_t)s->meta_lines));
            json_object_set_new(o, "meta_unmatched", json_integer((json_int_t)s->meta_unmatched));
        }
        return ndb_cli_json_print(stdout, o, err);
    }
    printf("seen %s  added %s  updated %s  duplicates %s  skipped %s  warnings %s\n",
           ndb_cli_fmt_count(s->seen, b[0], 32), ndb_cli_fmt_count(s->added, b[1], 32),
           ndb_cli_fmt_count(s->updated, b[2], 32), ndb_cli_fmt_count(s->duplicates, b[3], 32),
           ndb_cli_fmt_count(s->skipped, b[4], 32), ndb_cli_fmt_count(s->warnings, b[5], 32));
    if (s->ignored)
        printf("ignored %s records that are not articles (WARC requests, metadata, non-HTML or "
               "non-2xx responses)\n",
               ndb_cli_fmt_count(s->ignored, b[0], 32));
    if (s->revisits)
        printf("revisits %s WARC records repeat an earlier capture's page (revisit): not added "
               "again\n",
               ndb_cli_fmt_count(s->revisits, b[0], 32));
    printf("%.1f MB in %.2f s, %.1f MB/s\n", mb, secs, mbps);
    if (meta)
        printf("meta: %s lines, %s matched no article\n",
               ndb_cli_fmt_count(s->meta_lines, b[0], 32),
               ndb_cli_fmt_count(s->meta_unmatched, b[1], 32));
    return NDB_OK;
}

/* ---------------------------------------------------------------- add */

typedef struct add_args {
    const char *db;
    const char *meta;
    const char *format;
    bool strict, json;
    uint32_t commit_every, threads;
    ndb_stemmer stemmer;
} add_args;

static bool add_format_ok(const char *f)
{
    static const char *const names[] = {"auto", "native", "jsonl", "csv", "warc"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(f, names[i]) == 0)
            return true;
    return false;
}

/* Parse options; on return *first is the index of the first PATH. */
static cli_status add_parse(int argc, char **argv, add_args *o, int *first, bool *help)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},      {"strict", no_argument, NULL, 's'},
        {"meta", required_argument, NULL, 'm'},    {"commit-every", required_argument, NULL, 'c'},
        {"stemmer", required_argument, NULL, 'S'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {"format", required_argument, NULL, 'F'},
        {"threads", required_argument, NULL, 'T'}, {NULL, 0, NULL, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    o->stemmer = NDB_STEM_ENGLISH;
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 's':
            o->strict = true;
            break;
        case 'm':
            o->meta = optarg;
            break;
        case 'c':
            if (!ndb_cli_parse_u32(optarg, UINT32_MAX, &o->commit_every))
                return ndb_cli_usage_msg("add", "bad number for --commit-every: '%s'", optarg);
            break;
        case 'S':
            if (!ndb_cli_parse_stemmer(optarg, &o->stemmer))
                return ndb_cli_usage_msg("add", "unknown stemmer '%s'", optarg);
            break;
        case 'j':
            o->json = true;
            break;
        case 'T':
            if (!ndb_cli_parse_u32(optarg, 2, &o->threads) || o->threads == 0)
                return ndb_cli_usage_msg("add", "--threads must be 1 or 2: '%s'", optarg);
            break;
        case 'F':
            if (!add_format_ok(optarg))
                return ndb_cli_usage_msg("add", "unknown --format '%s' (auto, native, jsonl, "
                                                "csv, warc)", optarg);
            o->format = optarg;
            break;
        case 'h':
            fputs(add_help, stdout);
            *help = true;
            return CLI_OK;
        default:
            return ndb_cli_usage_error("add", c, argv);
        }
    }
    if (optind >= argc)
        return ndb_cli_usage_msg("add", "no PATH given (use - for a tar stream on stdin)");
    *first = optind;
    return CLI_OK;
}

cli_status ndb_cli_cmd_add(int argc, char **argv, const cli_env *env)
{
    add_args o;
    add_ctx a;
    ndb_ingest_opts io;
    ndb_ingest_stats sum;
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    ndb_err err;
    ndb_rc rc = NDB_OK;
    int first = 0;
    bool help = false;
    const char *cur = NULL;
    cli_status st = add_parse(argc, argv, &o, &first, &help);
    if (st != CLI_OK || help)
        return st;
    ndb_err_clear(&err);
    memset(&a, 0, sizeof a);
    memset(&sum, 0, sizeof sum);
    a.env = env;
    a.json = o.json;
    a.progress = env->err_tty && !o.json;
    a.t0 = ndb_now_ns();
    const char *path = ndb_cli_db_path(o.db);
    rc = ndb_cli_open(path, true, o.stemmer, &db, &err);
    if (rc == NDB_OK)
        rc = ndb_writer_open(db, &w, &err);
    if (rc != NDB_OK)
        goto out;
    memset(&io, 0, sizeof io);
    io.strict = o.strict;
    io.meta_path = o.meta;
    io.format = o.format;
    io.commit_every = o.commit_every;
    io.threads = (int)o.threads;
    io.defer_commit = o.strict; /* all PATHs land together, or none */
    io.report = add_report;
    io.progress = add_progress;
    io.ctx = &a;
    a.total_bytes = 0;
    if (a.progress) {
        bool known = true;
        uint64_t total = 0;
        for (int i = first; i < argc && known; i++) {
            known = add_size_known(argv[i]);
            if (known)
                total += add_input_size(argv[i], 0);
        }
        a.total_bytes = known ? total : 0;
    }
    cur = argc - first == 1 ? argv[first] : "the PATHs given";
    /* One run over every PATH: the side file is matched across all of them. */
    rc = ndb_ingest_paths(w, (const char *const *)(argv + first), (size_t)(argc - first), &io,
                          &sum, &err);
    if (rc != NDB_OK)
        goto out;
    if (o.strict) {
        rc = ndb_writer_commit(w, &err);
        if (rc != NDB_OK)
            goto out;
    }
    add_clear_bar(&a);
    if (a.out_rc != NDB_OK) {
        rc = a.out_rc;
        err = a.out_err;
        goto out;
    }
    rc = add_summary(&a, &sum, o.meta, &err);
out:
    add_clear_bar(&a);
    ndb_writer_close(w);
    ndb_close(db);
    if (rc == NDB_OK)
        return CLI_OK;
    if (o.strict && cur && rc == NDB_EPARSE && strcmp(err.msg, a.last_error) == 0)
        fprintf(stderr,
                "newsdb: --strict: stopped at the first bad record (in %s); nothing "
                "was committed\n",
                cur);
    else
        ndb_cli_fail(&err, rc);
    if (o.json)
        (void)ndb_cli_json_print(stdout,
                                 json_pack("{s:s, s:s, s:o}", "kind", "failed", "error",
                                           ndb_strerror(rc), "message",
                                           ndb_cli_json_str(err.msg, strlen(err.msg))),
                                 NULL);
    return CLI_FAIL;
}
