/*
** cli.h — the newsdb command-line program: shared helpers of the command files.
**
** What: `newsdb COMMAND [options] [args]`. main.c dispatches on COMMAND to one
** ndb_cli_cmd_<name>() per command (cmd_add.c: init, add; cmd_search.c: search;
** cmd_get.c: get, export; cmd_admin.c: stats, check, optimize;
** cmd_analytics.c: timeline, outlets, terms, compare). This header holds what
** they share (common.c): option parsing helpers, archive opening, error printing, JSON and
** number formatting, and an output sink that writes either to stdout or atomically to a
** file (tmp + rename through the base vfs).
**
** Why shaped so: the CLI is a client of the public API (include/newsdb.h) plus base/ for
** buffers and file I/O, so it proves the API is enough. Printing is allowed here and only
** here (STYLE: no printf in src/ outside src/cli).
**
** Exit statuses (cli_status): 0 success (also when add skipped bad records), 1 an error
** ("newsdb: <ndb_err.msg>" on stderr), 2 a usage error (unknown option, missing argument,
** bad number). Commands return a cli_status; helpers that call the library return ndb_rc
** and fill an ndb_err like every fallible function in newsdb.
**
** Output: human text by default; with --json one JSON object per line (jansson), shapes
** documented in docs/cli.md. Bold/ANSI only when stdout is a terminal and NO_COLOR is
** unset; a progress bar only when stderr is a terminal.
**
** State: no globals; main() builds one cli_env (TTY flags) and passes it down.
** Threading: single-threaded.
*/
#ifndef NDB_CLI_CLI_H
#define NDB_CLI_CLI_H

#include "newsdb.h"

#include "base/base.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum cli_status { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 } cli_status;

/* Process-wide facts main() learns once. */
typedef struct cli_env {
    bool out_tty; /* stdout is a terminal (and NO_COLOR unset): ANSI bold allowed */
    bool err_tty; /* stderr is a terminal: progress bar allowed */
} cli_env;

/* One command: name, entry point, one-line summary (for `newsdb help`). */
typedef struct cli_command {
    const char *name;
    cli_status (*run)(int argc, char **argv, const cli_env *env);
    const char *summary;
} cli_command;

cli_status ndb_cli_cmd_init(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_add(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_crawl(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_search(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_get(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_export(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_stats(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_check(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_optimize(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_timeline(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_outlets(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_terms(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_compare(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_extract(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_serve(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_dups(int argc, char **argv, const cli_env *env);
cli_status ndb_cli_cmd_reuse(int argc, char **argv, const cli_env *env);

/* ---------------------------------------------------------------- options */

/* The archive path: -d value if given, else $NEWSDB_DB, else "./news.db". */
const char *ndb_cli_db_path(const char *opt);

/* Reset getopt before a command parses its argv (argv[0] = command name). */
void ndb_cli_getopt_reset(void);

/* Report a getopt failure (c is '?' or ':') for command cmd: prints the message and
** "Try 'newsdb CMD --help'." Returns CLI_USAGE. */
cli_status ndb_cli_usage_error(const char *cmd, int c, char **argv);
/* Print "newsdb: CMD: <message>" plus the --help hint; returns CLI_USAGE. */
cli_status ndb_cli_usage_msg(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a decimal unsigned number in [0, max]; false on anything else. */
bool ndb_cli_parse_u32(const char *s, uint32_t max, uint32_t *out);
/* Parse a stemmer name (english, porter, none). */
bool ndb_cli_parse_stemmer(const char *s, ndb_stemmer *out);
const char *ndb_cli_stemmer_name(ndb_stemmer s);

/* Join argv[first..argc) with single spaces into a NUL-terminated buffer (OWNED, ndb_free). */
ndb_rc ndb_cli_join_args(int argc, char **argv, int first, char **out, ndb_err *err);

/* ---------------------------------------------------------------- archive and errors */

/* Print "newsdb: <what>" for a failed call: the err message (or ndb_strerror when empty);
** a lock conflict is spelled out. Returns CLI_FAIL. */
cli_status ndb_cli_fail(const ndb_err *err, ndb_rc rc);

/* Open the archive at path (create: make it when missing, with stemmer). */
ndb_rc ndb_cli_open(const char *path, bool create, ndb_stemmer stemmer, ndb_db **db, ndb_err *err);
/* Open the archive read-only-style and take a snapshot of its newest commit. On failure
** both out pointers are NULL. */
ndb_rc ndb_cli_open_snapshot(const char *path, ndb_db **db, ndb_snapshot **snap, ndb_err *err);

/* ---------------------------------------------------------------- formatting */

/* "1,234,567" into buf (>= 32 bytes); returns buf. */
const char *ndb_cli_fmt_count(uint64_t v, char *buf, size_t cap);
/* A date (days) as YYYY-MM-DD, or "" when NDB_DATE_NONE, into buf (>= 11 bytes). */
const char *ndb_cli_fmt_date(int32_t date, char *buf, size_t cap);

/* JSON string from possibly invalid UTF-8 (bad bytes become U+FFFD). NULL only on OOM. */
json_t *ndb_cli_json_str(const char *s, size_t n);
/* json_t for a date: "YYYY-MM-DD" or null. */
json_t *ndb_cli_json_date(int32_t date);
/* Print obj compactly plus "\n" to f and release it (json_decref). ENOMEM/EIO via err. */
ndb_rc ndb_cli_json_print(FILE *f, json_t *obj, ndb_err *err);
/* One CSV field to stdout (RFC 4180): quoted, with quotes doubled, when it holds a comma,
** quote or line break. */
void ndb_cli_csv_field(const char *s);

/* ---------------------------------------------------------------- output sink */

/* Where bulk output goes: stdout, or a file written as path.tmp-<pid> and renamed over
** path on ndb_cli_out_close(commit = true). Buffered in 1 MiB chunks. */
typedef struct cli_out {
    const char *path; /* NULL: stdout */
    char tmp[4096];
    int fd;
    int64_t off;
    ndb_buf buf;
} cli_out;

ndb_rc ndb_cli_out_open(cli_out *o, const char *path, ndb_err *err);
ndb_rc ndb_cli_out_write(cli_out *o, const void *p, size_t n, ndb_err *err);
/* Flush and finish; with commit false (an error happened) the tmp file is removed and
** path is left as it was. Always releases o. */
ndb_rc ndb_cli_out_close(cli_out *o, bool commit, ndb_err *err);

#endif /* NDB_CLI_CLI_H */
