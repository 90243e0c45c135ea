/*
** cmd_serve.c — `newsdb serve`: run the HTTP JSON API and web UI (src/server/) on an archive
** until SIGINT or SIGTERM.
**
** Prints the URL to open (one line on stdout, flushed, so scripts and tests can read the
** bound port when --listen asked for port 0). Loopback by default; read-only unless
** --allow-write, which also needs a token (from --token-file or $NEWSDB_TOKEN, never argv,
** so it does not show in `ps`).
**
** Exit statuses: 0 stopped by a signal, 1 error (no archive, cannot listen), 2 usage error.
** Threading: the signals are blocked before the server's threads start (they inherit the
** mask) and this thread waits for them with sigwait.
*/
#include "cli/cli.h"
#include "server/server.h"

#include <getopt.h>
#include <signal.h>
#include <string.h>

static const char serve_help[] =
    "usage: newsdb serve [options]\n"
    "Serve the archive over HTTP: the JSON API under /api/ (docs/http-api.md) and the web\n"
    "UI at /. Each request reads a consistent committed snapshot, so `newsdb add` can run\n"
    "meanwhile; new commits are seen by the next request. Stops on Ctrl-C or SIGTERM.\n"
    "\n"
    "Options:\n"
    "  -d, --db DB           archive directory (default: $NEWSDB_DB, else ./news.db)\n"
    "      --listen ADDR     IPv4 address and port (default 127.0.0.1:8080; port 0 picks a\n"
    "                        free one; 0.0.0.0:PORT listens on every interface)\n"
    "      --threads N       worker threads (default 4, at most 256)\n"
    "      --budget MS       time budget of one request in milliseconds (default 10000);\n"
    "                        a query running longer ends with a 503 'timeout' error\n"
    "      --allow-write     enable POST /api/ingest (needs a token)\n"
    "      --token-file F    the ingest token: first line of F (else $NEWSDB_TOKEN); at\n"
    "                        least 16 bytes; clients send 'Authorization: Bearer TOKEN'\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 stopped by a signal, 1 error, 2 usage error.\n";

static bool serve_read_token(const char *path, char *tok, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(tok, (int)cap, f) != NULL;
    fclose(f);
    tok[strcspn(tok, "\r\n")] = 0;
    return ok;
}

cli_status ndb_cli_cmd_serve(int argc, char **argv, const cli_env *env)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"budget", required_argument, NULL, 'b'},
        {"allow-write", no_argument, NULL, 'w'},
        {"token-file", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ndb_srv_opts o = {.listen = "127.0.0.1:8080", .threads = 4};
    const char *db = NULL, *token_file = NULL;
    char token[512] = "";
    int c;
    NDB_UNUSED(env);
    ndb_cli_getopt_reset();
    while ((c = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'l')
            o.listen = optarg;
        else if (c == 't') {
            if (!ndb_cli_parse_u32(optarg, 256, &o.threads) || o.threads == 0)
                return ndb_cli_usage_msg("serve", "bad number for --threads: '%s' (1..256)", optarg);
        } else if (c == 'b') {
            if (!ndb_cli_parse_u32(optarg, 3600000, &o.budget_ms) || o.budget_ms == 0)
                return ndb_cli_usage_msg("serve", "bad --budget '%s' (1..3600000 ms)", optarg);
        } else if (c == 'w')
            o.allow_write = true;
        else if (c == 'k')
            token_file = optarg;
        else if (c == 'h') {
            fputs(serve_help, stdout);
            return CLI_OK;
        } else
            return ndb_cli_usage_error("serve", c, argv);
    }
    if (optind < argc)
        return ndb_cli_usage_msg("serve", "unexpected argument '%s'", argv[optind]);
    if (token_file && !serve_read_token(token_file, token, sizeof token)) {
        fprintf(stderr, "newsdb: serve: cannot read the token file %s\n", token_file);
        return CLI_FAIL;
    }
    if (!token_file && getenv("NEWSDB_TOKEN"))
        snprintf(token, sizeof token, "%s", getenv("NEWSDB_TOKEN"));
    if (o.allow_write && !token[0])
        return ndb_cli_usage_msg("serve", "--allow-write needs --token-file F or $NEWSDB_TOKEN");
    o.token = token[0] ? token : NULL;
    o.db_path = ndb_cli_db_path(db);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    ndb_srv *srv = NULL;
    ndb_err err;
    ndb_rc rc = ndb_srv_start(&o, &srv, &err);
    if (rc != NDB_OK)
        return ndb_cli_fail(&err, rc);
    const char *host = strncmp(o.listen, "0.0.0.0:", 8) == 0 ? "127.0.0.1" : NULL;
    char hostbuf[64];
    if (!host) {
        const char *colon = strrchr(o.listen, ':');
        snprintf(hostbuf, sizeof hostbuf, "%.*s", (int)(colon - o.listen), o.listen);
        host = hostbuf[0] ? hostbuf : "127.0.0.1";
    }
    printf("newsdb: serving %s at http://%s:%u/ (Ctrl-C to stop)\n", o.db_path, host,
           (unsigned)ndb_srv_port(srv));
    if (!ndb_srv_has_ui())
        printf("newsdb: the web UI is not built into this binary (run 'make web all'; needs "
               "npm); the JSON API under /api/ works\n");
    if (strncmp(o.listen, "127.", 4) != 0 && strncmp(o.listen, "localhost:", 10) != 0)
        fprintf(stderr, "newsdb: serve: listening beyond this machine (%s)%s\n", o.listen,
                o.allow_write ? ", with writes allowed" : "");
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    ndb_srv_stop(srv);
    fprintf(stderr, "newsdb: stopped (%s)\n", sig == SIGINT ? "interrupt" : "terminated");
    return CLI_OK;
}
