/*
** main.c — entry point of the `newsdb` program: dispatch to one command.
**
**     newsdb COMMAND [options] [args]      COMMAND --help for each command's options
**     newsdb version | help
**
** What: looks COMMAND up in a constant table and calls its ndb_cli_cmd_<name>() with
** argv shifted so argv[0] is the command name (each command runs its own getopt_long).
** Learns once whether stdout / stderr are terminals (cli_env) and passes that down; that
** is the only process-wide fact, and it is not mutable state.
**
** Exit statuses: what the command returns (0 ok, 1 error, 2 usage error); an unknown
** command or no command is a usage error.
**
** Threading: single-threaded.
*/
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cli_status main_cmd_version(int argc, char **argv, const cli_env *env);
static cli_status main_cmd_help(int argc, char **argv, const cli_env *env);

static const cli_command main_commands[] = {
    {"init", ndb_cli_cmd_init, "create an empty archive with a chosen stemmer"},
    {"add", ndb_cli_cmd_add, "add articles from files, directories, tar archives or stdin"},
    {"crawl", ndb_cli_cmd_crawl, "fetch feeds, sitemaps or URL lists politely, add the articles"},
    {"search", ndb_cli_cmd_search, "search; ranked hits with snippets, or just the count"},
    {"get", ndb_cli_cmd_get, "print one article by id or URL, or list its versions"},
    {"export", ndb_cli_cmd_export, "write matching (or all) articles as jsonl, csv or native"},
    {"stats", ndb_cli_cmd_stats, "articles, versions, outlets, dates, sizes, segments"},
    {"check", ndb_cli_cmd_check, "verify every checksum and the index against the store"},
    {"optimize", ndb_cli_cmd_optimize, "merge all index segments into one"},
    {"timeline", ndb_cli_cmd_timeline, "matching articles per day, week, month or year"},
    {"outlets", ndb_cli_cmd_outlets, "matching articles per outlet, with share of its output"},
    {"terms", ndb_cli_cmd_terms, "frequent or significant (log-odds) terms of matching articles"},
    {"compare", ndb_cli_cmd_compare, "distinctive terms and timelines of two sides of a topic"},
    {"extract", ndb_cli_cmd_extract, "the main article of a saved web page as a native record"},
    {"serve", ndb_cli_cmd_serve, "HTTP JSON API and web UI (search, charts, articles)"},
    {"dups", ndb_cli_cmd_dups, "clusters of near-duplicate articles (wire copy), earliest source"},
    {"reuse", ndb_cli_cmd_reuse, "where an article's paragraphs appear elsewhere; who copies whom"},
    {"version", main_cmd_version, "print the version"},
    {"help", main_cmd_help, "this overview"},
};
#define MAIN_NCOMMANDS (sizeof main_commands / sizeof main_commands[0])

static void main_overview(FILE *f)
{
    fprintf(f,
            "usage: newsdb COMMAND [options] [args]\n"
            "newsdb %s, an embedded news-archive search engine.\n\n"
            "Commands:\n",
            ndb_version());
    for (size_t i = 0; i < MAIN_NCOMMANDS; i++)
        fprintf(f, "  %-9s %s\n", main_commands[i].name, main_commands[i].summary);
    fprintf(f, "\n"
               "Every command takes -d DB (default: $NEWSDB_DB, else ./news.db), --json (one\n"
               "JSON object per line) and --help. Run 'newsdb COMMAND --help' for details.\n"
               "Exit status: 0 ok, 1 error, 2 usage error.\n");
}

static cli_status main_cmd_version(int argc, char **argv, const cli_env *env)
{
    NDB_UNUSED(env);
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: newsdb version [--json]\nPrint the version of newsdb.\n\n"
               "Options:\n"
               "      --json   print {\"version\":\"X.Y.Z\"}\n"
               "  -h, --help   show this help\n");
        return CLI_OK;
    }
    if (argc > 1 && strcmp(argv[1], "--json") == 0) {
        printf("{\"version\":\"%s\"}\n", ndb_version());
        return CLI_OK;
    }
    if (argc > 1)
        return ndb_cli_usage_msg("version", "unexpected argument '%s'", argv[1]);
    printf("newsdb %s\n", ndb_version());
    return CLI_OK;
}

static cli_status main_cmd_help(int argc, char **argv, const cli_env *env)
{
    /* `newsdb help COMMAND` is `newsdb COMMAND --help`. */
    if (argc > 1 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0) {
        for (size_t i = 0; i < MAIN_NCOMMANDS; i++) {
            if (strcmp(argv[1], main_commands[i].name) == 0 &&
                main_commands[i].run != main_cmd_help) {
                char help[] = "--help";
                char *args[] = {argv[1], help, NULL};
                return main_commands[i].run(2, args, env);
            }
        }
        return ndb_cli_usage_msg("help", "unknown command '%s'", argv[1]);
    }
    main_overview(stdout);
    return CLI_OK;
}

int main(int argc, char **argv)
{
    cli_env env;
    const char *no_color = getenv("NO_COLOR");
    env.out_tty = isatty(STDOUT_FILENO) && !(no_color && *no_color);
    env.err_tty = isatty(STDERR_FILENO) != 0;
    if (argc < 2) {
        main_overview(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    else if (strcmp(name, "--version") == 0)
        name = "version";
    for (size_t i = 0; i < MAIN_NCOMMANDS; i++) {
        if (strcmp(name, main_commands[i].name) == 0) {
            cli_status st = main_commands[i].run(argc - 1, argv + 1, &env);
            if (fflush(stdout) != 0 && st == CLI_OK) {
                fprintf(stderr, "newsdb: stdout: write failed\n");
                st = CLI_FAIL;
            }
            return (int)st;
        }
    }
    fprintf(stderr, "newsdb: unknown command '%s'\nTry 'newsdb help'.\n", name);
    return CLI_USAGE;
}
