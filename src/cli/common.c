/*
** common.c — helpers shared by the newsdb commands (see cli.h).
**
** What: archive path defaulting (-d, $NEWSDB_DB, ./news.db), getopt reset and usage-error
** messages, number/stemmer parsing, error printing, number and date formatting, JSON
** helpers (jansson), and the output sink used by export.
**
** Why shaped so: every command parses its own options with getopt_long (opterr = 0, the
** optstring starts with ':' so a missing argument is told apart from an unknown option)
** and funnels failures through two functions, so messages and exit statuses are the same
** across commands: usage errors exit 2, everything else that fails exits 1.
**
** Output sink invariants: with a path, bytes go to "<path>.tmp-<pid>" through the base
** vfs; the final name appears only after a full flush + fsync + rename, so an interrupted
** export never leaves a half-written file under the requested name.
**
** Threading: single-threaded (getopt state is process-wide).
*/
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLI_OUT_CHUNK (1u << 20)

const char *ndb_cli_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("NEWSDB_DB");
    if (env && *env)
        return env;
    return "./news.db";
}

void ndb_cli_getopt_reset(void)
{
    optind = 0; /* GNU: 0 re-initialises the scanner completely */
    opterr = 0;
}

cli_status ndb_cli_usage_msg(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "newsdb: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'newsdb %s --help'.\n", cmd);
    return CLI_USAGE;
}

cli_status ndb_cli_usage_error(const char *cmd, int c, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':')
        return ndb_cli_usage_msg(cmd, "option '%s' needs an argument", arg);
    if (optopt && !(arg[0] == '-' && arg[1] == '-'))
        return ndb_cli_usage_msg(cmd, "unknown option '-%c'", optopt);
    return ndb_cli_usage_msg(cmd, "unknown option '%s'", arg);
}

bool ndb_cli_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end = NULL;
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool ndb_cli_parse_stemmer(const char *s, ndb_stemmer *out)
{
    if (strcmp(s, "english") == 0)
        *out = NDB_STEM_ENGLISH;
    else if (strcmp(s, "porter") == 0)
        *out = NDB_STEM_PORTER;
    else if (strcmp(s, "none") == 0)
        *out = NDB_STEM_NONE;
    else
        return false;
    return true;
}

const char *ndb_cli_stemmer_name(ndb_stemmer s)
{
    switch (s) {
    case NDB_STEM_ENGLISH:
        return "english";
    case NDB_STEM_PORTER:
        return "porter";
    case NDB_STEM_NONE:
        return "none";
    }
    return "unknown";
}

ndb_rc ndb_cli_join_args(int argc, char **argv, int first, char **out, ndb_err *err)
{
    ndb_buf b;
    ndb_rc rc = NDB_OK;
    ndb_buf_init(&b, 1u << 20);
    *out = NULL;
    for (int i = first; i < argc && rc == NDB_OK; i++) {
        if (i > first)
            rc = ndb_buf_append_u8(&b, ' ');
        if (rc == NDB_OK)
            rc = ndb_buf_append_str(&b, argv[i]);
    }
    if (rc == NDB_OK)
        rc = ndb_buf_cstr(&b);
    if (rc != NDB_OK) {
        ndb_err_set(err, rc, "query: too long");
        goto out;
    }
    *out = (char *)ndb_buf_detach(&b, NULL);
    if (!*out)
        rc = ndb_err_set(err, NDB_ENOMEM, "query: out of memory");
out:
    ndb_buf_fini(&b);
    return rc;
}

cli_status ndb_cli_fail(const ndb_err *err, ndb_rc rc)
{
    const char *msg = err && err->msg[0] ? err->msg : ndb_strerror(rc);
    if (rc == NDB_EBUSY && !strstr(msg, "lock"))
        fprintf(stderr, "newsdb: %s: archive is locked by another writer\n", msg);
    else
        fprintf(stderr, "newsdb: %s\n", msg);
    return CLI_FAIL;
}

static void cli_log(void *ctx, ndb_log_level level, const char *msg)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    NDB_UNUSED(ctx);
    fprintf(stderr, "newsdb: log %s: %s\n", names[level & 3], msg);
}

ndb_rc ndb_cli_open(const char *path, bool create, ndb_stemmer stemmer, ndb_db **db, ndb_err *err)
{
    ndb_options opt;
    memset(&opt, 0, sizeof opt);
    opt.create = create ? 1 : 0;
    opt.stemmer = stemmer;
    if (getenv("NEWSDB_LOG"))
        opt.log = cli_log;
    if (getenv("NEWSDB_NO_DEDUP") && strcmp(getenv("NEWSDB_NO_DEDUP"), "0") != 0)
        opt.no_dedup = 1; /* writers skip near-duplicate detection (docs/dedup.md) */
    if (getenv("NEWSDB_DEDUP_MEMORY")) /* MiB of band keys a writer holds (docs/cli.md) */
        opt.dedup_memory = (size_t)strtoull(getenv("NEWSDB_DEDUP_MEMORY"), NULL, 10) << 20;
    return ndb_open(path, &opt, db, err);
}

ndb_rc ndb_cli_open_snapshot(const char *path, ndb_db **db, ndb_snapshot **snap, ndb_err *err)
{
    ndb_rc rc;
    *db = NULL;
    *snap = NULL;
    rc = ndb_cli_open(path, false, NDB_STEM_ENGLISH, db, err);
    if (rc != NDB_OK)
        goto out;
    rc = ndb_snapshot_open(*db, snap, err);
out:
    if (rc != NDB_OK) {
        ndb_close(*db);
        *db = NULL;
        *snap = NULL;
    }
    return rc;
}

const char *ndb_cli_fmt_count(uint64_t v, char *buf, size_t cap)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

const char *ndb_cli_fmt_date(int32_t date, char *buf, size_t cap)
{
    if (date == NDB_DATE_NONE) {
        if (cap > 0)
            buf[0] = '\0';
        return buf;
    }
    ndb_date_format(date, buf, cap);
    return buf;
}

/* Length of the valid UTF-8 sequence at p[0..n), or 0 if it is not one. */
static size_t cli_utf8_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1fu;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0fu;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07u;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

/* True when s[0..n) is valid UTF-8 without NUL bytes. */
static bool cli_utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l = cli_utf8_len(s + i, n - i);
        if (l == 0 || (l == 1 && s[i] == 0))
            return false;
        i += l;
    }
    return true;
}

json_t *ndb_cli_json_str(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    json_t *j = NULL;
    ndb_buf b;
    if (cli_utf8_valid(p, n))
        return json_stringn_nocheck(s, n);
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    for (size_t i = 0; i < n;) {
        size_t l = cli_utf8_len(p + i, n - i);
        ndb_rc rc;
        if (l == 0 || (l == 1 && p[i] == 0)) {
            rc = ndb_buf_append_str(&b, "\xef\xbf\xbd"); /* U+FFFD */
            l = 1;
        } else {
            rc = ndb_buf_append(&b, p + i, l);
        }
        if (rc != NDB_OK)
            goto out;
        i += l;
    }
    j = json_stringn_nocheck((const char *)b.p, b.n);
out:
    ndb_buf_fini(&b);
    return j;
}

json_t *ndb_cli_json_date(int32_t date)
{
    char d[16];
    if (date == NDB_DATE_NONE)
        return json_null();
    ndb_date_format(date, d, sizeof d);
    return json_string(d);
}

ndb_rc ndb_cli_json_print(FILE *f, json_t *obj, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    if (!obj) {
        rc = ndb_err_set(err, NDB_ENOMEM, "json: out of memory");
        goto out;
    }
    if (json_dumpf(obj, f, JSON_COMPACT) != 0 || fputc('\n', f) == EOF)
        rc = ndb_err_sys(err, NDB_EIO, errno, "output");
out:
    json_decref(obj);
    return rc;
}

/* ---------------------------------------------------------------- output sink */

ndb_rc ndb_cli_out_open(cli_out *o, const char *path, ndb_err *err)
{
    const ndb_vfs *v = ndb_vfs_default();
    ndb_rc rc = NDB_OK;
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->path = path;
    ndb_buf_init(&o->buf, CLI_OUT_CHUNK * 2);
    if (!path)
        goto out;
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld", path, (long)getpid()) >=
        sizeof o->tmp) {
        rc = ndb_err_set(err, NDB_ELIMIT, "%s: path too long", path);
        goto out;
    }
    o->fd = v->open(v, o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (o->fd < 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s", o->tmp);
out:
    return rc;
}

static ndb_rc cli_out_flush(cli_out *o, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    if (o->buf.n == 0)
        return NDB_OK;
    if (o->path) {
        rc = ndb_vfs_pwrite_all(ndb_vfs_default(), o->fd, o->buf.p, o->buf.n, (off_t)o->off, o->tmp,
                                err);
        o->off += (int64_t)o->buf.n;
    } else if (fwrite(o->buf.p, 1, o->buf.n, stdout) != o->buf.n) {
        rc = ndb_err_sys(err, NDB_EIO, errno, "stdout");
    }
    ndb_buf_reset(&o->buf);
    return rc;
}

ndb_rc ndb_cli_out_write(cli_out *o, const void *p, size_t n, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    if (o->buf.n + n > CLI_OUT_CHUNK) {
        rc = cli_out_flush(o, err);
        if (rc != NDB_OK)
            return rc;
    }
    if (n > CLI_OUT_CHUNK) { /* a big article: write it through */
        if (o->path) {
            rc = ndb_vfs_pwrite_all(ndb_vfs_default(), o->fd, p, n, (off_t)o->off, o->tmp, err);
            o->off += (int64_t)n;
        } else if (fwrite(p, 1, n, stdout) != n) {
            rc = ndb_err_sys(err, NDB_EIO, errno, "stdout");
        }
        return rc;
    }
    rc = ndb_buf_append(&o->buf, p, n);
    if (rc != NDB_OK)
        ndb_err_set(err, rc, "output: out of memory");
    return rc;
}

/* Directory part of path into out ("." when none). */
static void cli_dirname(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(out, cap, ".");
    } else if (slash == path) {
        snprintf(out, cap, "/");
    } else {
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
    }
}

ndb_rc ndb_cli_out_close(cli_out *o, bool commit, ndb_err *err)
{
    const ndb_vfs *v = ndb_vfs_default();
    ndb_rc rc = NDB_OK;
    char dir[4096];
    if (commit)
        rc = cli_out_flush(o, err);
    if (!o->path) {
        if (rc == NDB_OK && commit && fflush(stdout) != 0)
            rc = ndb_err_sys(err, NDB_EIO, errno, "stdout");
        goto out;
    }
    if (o->fd < 0)
        goto out;
    if (rc == NDB_OK && commit && v->fsync(v, o->fd) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: fsync", o->tmp);
    if (v->close(v, o->fd) != 0 && rc == NDB_OK && commit)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: close", o->tmp);
    o->fd = -1;
    if (rc == NDB_OK && commit) {
        if (v->rename(v, o->tmp, o->path) != 0) {
            rc = ndb_err_sys(err, NDB_EIO, errno, "%s", o->path);
        } else {
            cli_dirname(o->path, dir, sizeof dir);
            (void)v->fsync_dir(v, dir); /* best effort: the file itself is complete */
        }
    }
    if (rc != NDB_OK || !commit)
        (void)v->unlink(v, o->tmp);
out:
    ndb_buf_fini(&o->buf);
    return rc;
}

void ndb_cli_csv_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    fputc('"', stdout);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', stdout);
        fputc(*s, stdout);
    }
    fputc('"', stdout);
}
