/*
** test_cli.c — the newsdb program, run as a user would run it.
**
** Every test runs the real binary (env NEWSDB_BIN, set by `make test`; skipped when unset)
** with fork/exec in a fresh temp directory, stdout and stderr captured to files, and checks
** exit statuses (0 ok, 1 error, 2 usage), messages, and --json output parsed with jansson.
** Corpora come from tools/gen_corpus (next to NEWSDB_BIN) with a seed from NDB_SEED
** (default below), printed in every failure message as NDB_SEED=<n>.
*/
#include "common/testutil.h"

#include "base/base.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SEED_DEFAULT 20161011u

typedef struct tctx {
    char dir[256];  /* temp dir of this test */
    char db[320];   /* archive path inside it */
    char bin[4096]; /* newsdb */
    char gen[4096]; /* gen_corpus */
    uint64_t seed;
    int nrun;
} tctx;

typedef struct trun {
    int status; /* exit status, or 128 + signal */
    char *out, *err;
    size_t nout, nerr;
} trun;

static void tctx_init(tctx *t)
{
    const char *b = getenv("NEWSDB_BIN");
    memset(t, 0, sizeof *t);
    if (!b || !*b)
        cr_skip_test("NEWSDB_BIN is not set (run through `make test`): CLI tests skipped");
    if (access(b, X_OK) != 0)
        cr_skip_test("NEWSDB_BIN=%s is not executable: CLI tests skipped", b);
    snprintf(t->bin, sizeof t->bin, "%s", b);
    snprintf(t->gen, sizeof t->gen, "%s", b);
    char *slash = strrchr(t->gen, '/');
    snprintf(slash ? slash + 1 : t->gen, sizeof t->gen - (size_t)(slash ? slash + 1 - t->gen : 0),
             "gen_corpus");
    cr_assert(ndb_test_tmpdir(t->dir, sizeof t->dir) != NULL, "mkdtemp failed");
    snprintf(t->db, sizeof t->db, "%s/news.db", t->dir);
    t->seed = ndb_test_seed(SEED_DEFAULT);
    unsetenv("NEWSDB_DB");
    setenv("NO_COLOR", "1", 1);
}

static void tctx_fini(tctx *t)
{
    if (t->dir[0])
        ndb_test_rmtree(t->dir);
}

static void trun_free(trun *r)
{
    ndb_free(r->out);
    ndb_free(r->err);
    memset(r, 0, sizeof *r);
}

static char *slurp(const char *path, size_t *n)
{
    uint8_t *p = NULL;
    size_t len = 0;
    ndb_rc rc = ndb_vfs_read_file(ndb_vfs_default(), path, (size_t)64 << 20, &p, &len, NULL);
    if (rc != NDB_OK) {
        *n = 0;
        return NULL;
    }
    char *s = ndb_realloc(p, len + 1);
    cr_assert(s != NULL);
    s[len] = '\0';
    *n = len;
    return s;
}

static void spit(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "cannot write %s", path);
    cr_assert(fwrite(p, 1, n, f) == n);
    cr_assert(fclose(f) == 0);
}

/* Run prog with args (NULL-terminated), stdin from in (NULL: /dev/null). */
static void run_prog(tctx *t, trun *r, const char *prog, const char *in, const char *const *args)
{
    char outp[400], errp[400];
    const char *argv[64];
    int n = 0;
    argv[n++] = prog;
    for (; args[n - 1] && n < 63; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    snprintf(outp, sizeof outp, "%s/.out.%d", t->dir, t->nrun);
    snprintf(errp, sizeof errp, "%s/.err.%d", t->dir, t->nrun);
    t->nrun++;
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        int fi = open(in ? in : "/dev/null", O_RDONLY);
        int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fi < 0 || fo < 0 || fe < 0)
            _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(prog, (char *const *)argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r->out = slurp(outp, &r->nout);
    r->err = slurp(errp, &r->nerr);
    if (!r->out)
        r->out = ndb_strdup("");
    if (!r->err)
        r->err = ndb_strdup("");
}

#define NEWSDB(t, r, ...)                                                                          \
    run_prog((t), (r), (t)->bin, NULL, (const char *const[]){__VA_ARGS__, NULL})
#define NEWSDB_IN(t, r, in, ...)                                                                   \
    run_prog((t), (r), (t)->bin, (in), (const char *const[]){__VA_ARGS__, NULL})

/* Run newsdb with file descriptor `tty_fd` (1 or 2) on a pseudo-terminal and the other one
** on /dev/null; r->out gets what the terminal showed. */
static void run_pty(tctx *t, trun *r, int tty_fd, const char *const *args)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = t->bin;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0, "no pseudo-terminal");
    const char *slave = ptsname(m);
    cr_assert(slave != NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int s = open(slave, O_RDWR);
        int devnull = open("/dev/null", O_RDWR);
        if (s < 0 || devnull < 0)
            _exit(126);
        dup2(devnull, 0);
        dup2(tty_fd == 1 ? s : devnull, 1);
        dup2(tty_fd == 2 ? s : devnull, 2);
        close(m);
        execv(t->bin, (char *const *)argv);
        _exit(127);
    }
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    for (;;) {
        struct pollfd pf = {.fd = m, .events = POLLIN};
        char chunk[4096];
        if (poll(&pf, 1, 10000) <= 0)
            break;
        ssize_t got = read(m, chunk, sizeof chunk);
        if (got <= 0)
            break; /* EIO: the child closed the terminal */
        cr_assert(ndb_buf_append(&b, chunk, (size_t)got) == NDB_OK);
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    close(m);
    cr_assert(ndb_buf_cstr(&b) == NDB_OK);
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r->out = (char *)ndb_buf_detach(&b, &r->nout);
    r->err = ndb_strdup("");
    r->nerr = 0;
}

/* Generate a corpus into t->dir/name with gen_corpus; skipped when the tool is missing. */
static void gen(tctx *t, const char *name, unsigned n, unsigned bad, const char *kinds, char *out,
                size_t cap)
{
    char ns[32], ss[32], bs[32];
    trun r;
    if (access(t->gen, X_OK) != 0)
        cr_skip_test("%s missing: build it with make", t->gen);
    snprintf(out, cap, "%s/%s", t->dir, name);
    snprintf(ns, sizeof ns, "%u", n);
    snprintf(ss, sizeof ss, "%llu", (unsigned long long)t->seed);
    snprintf(bs, sizeof bs, "%u", bad);
    if (kinds)
        run_prog(t, &r, t->gen, NULL,
                 (const char *const[]){"--n", ns, "--seed", ss, "--out", out, "--bad", bs,
                                       "--kinds", kinds, NULL});
    else
        run_prog(t, &r, t->gen, NULL,
                 (const char *const[]){"--n", ns, "--seed", ss, "--out", out, "--bad", bs, NULL});
    cr_assert_eq(r.status, 0, "gen_corpus failed: %s", r.err);
    trun_free(&r);
}

/* Parse the last JSON line of s. Returns a new reference. */
static json_t *json_last_line(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '\n')
        n--;
    size_t start = n;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    json_error_t e;
    json_t *j = json_loadb(s + start, n - start, 0, &e);
    cr_assert(j != NULL, "not JSON: %.*s (%s)", (int)(n - start), s + start, e.text);
    return j;
}

/* Every line of s parses as a JSON object; returns the number of lines. */
static size_t json_all_lines(const char *s, const char *what)
{
    size_t lines = 0;
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t e;
        json_t *j = json_loadb(p, len, 0, &e);
        cr_assert(j != NULL && json_is_object(j), "%s: line %zu is not a JSON object: %.*s (%s)",
                  what, lines + 1, (int)len, p, e.text);
        json_decref(j);
        lines++;
        p += len + (nl ? 1 : 0);
    }
    return lines;
}

static json_int_t jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    cr_assert(json_is_integer(v), "key %s missing or not an integer", key);
    return json_integer_value(v);
}

static size_t count_substr(const char *s, const char *sub)
{
    size_t n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
        n++;
    return n;
}

/* Sorted list of *.txt files of dir not starting with "bad-". */
static size_t list_good(const char *dir, char names[][32], size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    cr_assert(d != NULL);
    while ((e = readdir(d)) != NULL && n < cap) {
        if (strstr(e->d_name, ".txt") && strncmp(e->d_name, "bad-", 4) != 0 &&
            strlen(e->d_name) < 32)
            memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
    }
    closedir(d);
    qsort(names, n, 32, (int (*)(const void *, const void *))strcmp);
    return n;
}

static json_t *stats_json(tctx *t)
{
    trun r;
    NEWSDB(t, &r, "stats", "-d", t->db, "--json");
    cr_assert_eq(r.status, 0, "stats failed: %s", r.err);
    json_t *j = json_last_line(r.out);
    trun_free(&r);
    return j;
}

/* ---------------------------------------------------------------- help and usage */

typedef struct help_case {
    const char *cmd;
    const char *opts[12];
} help_case;

static const help_case help_cases[] = {
    {"init", {"--db", "-d", "--stemmer", "english", "porter", "none", "--json", "--help"}},
    {"add",
     {"--db", "--strict", "--meta", "--commit-every", "--stemmer", "--json", "--help", "stdin"}},
    {"search",
     {"--db", "--limit", "--offset", "--count", "--sort", "date-asc", "--snippets", "--no-snippets",
      "--exhaustive", "--json", "--help"}},
    {"get", {"--db", "--versions", "--format", "native", "json", "--json", "--help"}},
    {"export",
     {"--db", "--query", "--format", "jsonl", "csv", "native", "concatenated", "-o", "--json",
      "--help"}},
    {"stats", {"--db", "--json", "--help"}},
    {"check", {"--db", "--json", "--help"}},
    {"optimize", {"--db", "--json", "--help"}},
    {"version", {"--json", "--help"}},
};

Test(cli, help_every_command)
{
    tctx t;
    trun r;
    tctx_init(&t);
    for (size_t i = 0; i < sizeof help_cases / sizeof help_cases[0]; i++) {
        const help_case *h = &help_cases[i];
        NEWSDB(&t, &r, h->cmd, "--help");
        cr_assert_eq(r.status, 0, "%s --help exited %d", h->cmd, r.status);
        cr_assert(strstr(r.out, "usage: newsdb") != NULL, "%s --help: no usage line", h->cmd);
        for (size_t k = 0; k < 12 && h->opts[k]; k++)
            cr_assert(strstr(r.out, h->opts[k]) != NULL, "%s --help does not mention %s:\n%s",
                      h->cmd, h->opts[k], r.out);
        trun_free(&r);
        NEWSDB(&t, &r, "help", h->cmd);
        cr_assert_eq(r.status, 0, "help %s exited %d", h->cmd, r.status);
        trun_free(&r);
    }
    NEWSDB(&t, &r, "help");
    cr_assert_eq(r.status, 0);
    for (size_t i = 0; i < sizeof help_cases / sizeof help_cases[0]; i++)
        cr_assert(strstr(r.out, help_cases[i].cmd) != NULL, "help lacks %s", help_cases[i].cmd);
    trun_free(&r);
    NEWSDB(&t, &r, "version");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, NDB_VERSION_STRING) != NULL, "version: %s", r.out);
    trun_free(&r);
    tctx_fini(&t);
}

Test(cli, usage_errors_exit_2)
{
    static const char *const cases[][6] = {
        {"search", "--bogus", "x", NULL},
        {"search", "--limit", NULL},
        {"search", "--limit", "abc", "x", NULL},
        {"search", "--limit", "0", "x", NULL},
        {"search", "--sort", "sideways", "x", NULL},
        {"search", NULL},
        {"add", "--commit-every", "-3", "x", NULL},
        {"add", NULL},
        {"add", "--stemmer", "klingon", "x", NULL},
        {"get", NULL},
        {"get", "1", "2", NULL},
        {"get", "--format", "xml", "1", NULL},
        {"export", NULL},
        {"export", "--format", "pdf", NULL},
        {"stats", "extra", NULL},
        {"check", "-x", NULL},
        {"optimize", "--json=1", NULL},
        {"init", "--stemmer", NULL},
        {"frobnicate", NULL},
        {"dups", "--measure", "cosine", NULL},
        {"reuse", "--measure", "jaccard", "1", NULL},
    };
    tctx t;
    trun r;
    tctx_init(&t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[8] = {0};
        for (size_t k = 0; k < 6 && cases[i][k]; k++)
            args[k] = cases[i][k];
        run_prog(&t, &r, t.bin, NULL, args);
        cr_assert_eq(r.status, 2, "case %zu (%s %s): exit %d, want 2; stderr: %s", i, cases[i][0],
                     cases[i][1] ? cases[i][1] : "", r.status, r.err);
        cr_assert(strncmp(r.err, "newsdb: ", 8) == 0, "case %zu: stderr %s", i, r.err);
        cr_assert_eq(r.nout, 0, "case %zu: usage error printed to stdout: %s", i, r.out);
        trun_free(&r);
    }
    run_prog(&t, &r, t.bin, NULL, (const char *const[]){NULL});
    cr_assert_eq(r.status, 2, "no command: exit %d", r.status);
    trun_free(&r);
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- init, stats, errors */

Test(cli, init_stats_and_missing_archive)
{
    tctx t;
    trun r;
    tctx_init(&t);
    NEWSDB(&t, &r, "stats", "-d", t.db);
    cr_assert_eq(r.status, 1, "stats of a missing archive: exit %d", r.status);
    cr_assert(strncmp(r.err, "newsdb: ", 8) == 0, "stderr: %s", r.err);
    trun_free(&r);
    NEWSDB(&t, &r, "init", "-d", t.db, "--stemmer", "none", "--json");
    cr_assert_eq(r.status, 0, "init: %s", r.err);
    json_all_lines(r.out, "init --json");
    trun_free(&r);
    NEWSDB(&t, &r, "init", "-d", t.db);
    cr_assert_eq(r.status, 1, "second init must fail, exit %d", r.status);
    cr_assert(strstr(r.err, "exists") != NULL, "stderr: %s", r.err);
    trun_free(&r);
    json_t *s = stats_json(&t);
    cr_assert_eq(jint(s, "articles"), 0);
    cr_assert_eq(jint(s, "versions"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(s, "stemmer")), "none");
    json_decref(s);
    NEWSDB(&t, &r, "stats", "-d", t.db);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "stemmer") && strstr(r.out, "none"), "stats: %s", r.out);
    trun_free(&r);
    /* $NEWSDB_DB is the default archive. */
    setenv("NEWSDB_DB", t.db, 1);
    NEWSDB(&t, &r, "stats", "--json");
    cr_assert_eq(r.status, 0, "stats via NEWSDB_DB: %s", r.err);
    trun_free(&r);
    unsetenv("NEWSDB_DB");
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- round trip */

Test(cli, add_then_get_native_round_trip)
{
    static char names[400][32];
    char dir[400], path[700], idbuf[32];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 150, 0, NULL, dir, sizeof dir);
    size_t n = list_good(dir, names, 400);
    cr_assert_eq(n, 150);
    NEWSDB(&t, &r, "add", "-d", t.db, "--json", "--commit-every", "40", dir);
    cr_assert_eq(r.status, 0, "add: %s", r.err);
    json_t *sum = json_last_line(r.out);
    cr_assert_eq(jint(sum, "seen"), 150, "NDB_SEED=%llu", (unsigned long long)t.seed);
    cr_assert_eq(jint(sum, "skipped"), 0, "NDB_SEED=%llu: %s", (unsigned long long)t.seed, r.out);
    json_int_t dups = jint(sum, "duplicates"), upd = jint(sum, "updated");
    cr_assert_eq(jint(sum, "added") + upd + dups, 150);
    json_decref(sum);
    trun_free(&r);

    json_t *s = stats_json(&t);
    json_int_t versions = jint(s, "versions");
    cr_assert_eq(versions, 150 - dups, "NDB_SEED=%llu", (unsigned long long)t.seed);
    cr_assert_eq(jint(s, "articles"), 150 - dups - upd);
    json_decref(s);

    /* Every stored version, fetched by id, is byte-identical to an input file; versions are
    ** assigned in file order skipping exact duplicates. */
    char **stored = ndb_calloc((size_t)versions, sizeof *stored);
    size_t *lens = ndb_calloc((size_t)versions, sizeof *lens);
    for (json_int_t id = 0; id < versions; id++) {
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        NEWSDB(&t, &r, "get", "-d", t.db, "--format", "native", idbuf);
        cr_assert_eq(r.status, 0, "get %s: %s", idbuf, r.err);
        stored[id] = r.out;
        lens[id] = r.nout;
        r.out = NULL;
        trun_free(&r);
    }
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        snprintf(path, sizeof path, "%s/%.31s", dir, names[i]);
        char *b = slurp(path, &len);
        cr_assert(b != NULL);
        bool found = false;
        for (size_t k = 0; k < next && !found; k++)
            found = lens[k] == len && memcmp(stored[k], b, len) == 0;
        if (!found) {
            cr_assert(next < (size_t)versions, "%s: more distinct files than versions", names[i]);
            cr_assert(lens[next] == len && memcmp(stored[next], b, len) == 0,
                      "NDB_SEED=%llu: get --format native %zu differs from %s (%zu vs %zu bytes)",
                      (unsigned long long)t.seed, next, names[i], lens[next], len);
            next++;
        }
        ndb_free(b);
    }
    cr_assert_eq(next, (size_t)versions);

    /* export --format native (no query) = the live versions concatenated in id order. */
    snprintf(path, sizeof path, "%s/all.native", t.dir);
    NEWSDB(&t, &r, "export", "-d", t.db, "--format", "native", "-o", path);
    cr_assert_eq(r.status, 0, "export: %s", r.err);
    trun_free(&r);
    size_t elen;
    char *exp = slurp(path, &elen);
    cr_assert(exp != NULL);
    size_t off = 0;
    for (json_int_t id = 0; id < versions; id++) {
        /* live iff no later stored version has the same first line (URL) */
        const char *nl = memchr(stored[id], '\n', lens[id]);
        size_t ul = nl ? (size_t)(nl - stored[id]) + 1 : lens[id];
        bool live = true;
        for (json_int_t k = id + 1; k < versions && live; k++)
            live = !(lens[k] >= ul && memcmp(stored[k], stored[id], ul) == 0);
        if (!live)
            continue;
        cr_assert(off + lens[id] <= elen && memcmp(exp + off, stored[id], lens[id]) == 0,
                  "NDB_SEED=%llu: export native differs at id %lld", (unsigned long long)t.seed,
                  (long long)id);
        off += lens[id];
    }
    cr_assert_eq(off, elen, "export has %zu extra bytes", elen - off);
    ndb_free(exp);
    for (json_int_t id = 0; id < versions; id++)
        ndb_free(stored[id]);
    ndb_free(stored);
    ndb_free(lens);
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- search */

Test(cli, search_outputs)
{
    char dir[400];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 300, 0, NULL, dir, sizeof dir);
    NEWSDB(&t, &r, "add", "-d", t.db, dir);
    cr_assert_eq(r.status, 0, "add: %s", r.err);
    cr_assert(strstr(r.out, "seen 300") != NULL, "summary: %s", r.out);
    trun_free(&r);

    /* --count is the bare exact number and equals the total of a ranked search. */
    NEWSDB(&t, &r, "search", "-d", t.db, "--count", "election");
    cr_assert_eq(r.status, 0, "count: %s", r.err);
    long long count = strtoll(r.out, NULL, 10);
    cr_assert(count > 0, "NDB_SEED=%llu: no match for election: %s", (unsigned long long)t.seed,
              r.out);
    trun_free(&r);

    NEWSDB(&t, &r, "search", "-d", t.db, "--json", "--limit", "5", "election");
    cr_assert_eq(r.status, 0, "search: %s", r.err);
    size_t lines = json_all_lines(r.out, "search --json");
    json_t *summary = json_last_line(r.out);
    cr_assert_eq(jint(summary, "total"), count);
    cr_assert_eq((size_t)jint(summary, "returned"), lines - 1);
    cr_assert(lines - 1 == (size_t)(count < 5 ? count : 5));
    json_decref(summary);
    /* first hit has every field, snippet marks the match */
    json_error_t e;
    const char *nl = strchr(r.out, '\n');
    json_t *hit = json_loadb(r.out, (size_t)(nl - r.out), 0, &e);
    cr_assert(hit != NULL);
    static const char *const keys[] = {"rank", "id",    "url",   "outlet",
                                       "date", "title", "score", "snippet"};
    for (size_t k = 0; k < 8; k++)
        cr_assert(json_object_get(hit, keys[k]) != NULL, "hit lacks %s", keys[k]);
    cr_assert(strstr(json_string_value(json_object_get(hit, "snippet")), "[[") != NULL,
              "snippet without [[: %s", json_string_value(json_object_get(hit, "snippet")));
    double best = json_real_value(json_object_get(hit, "score"));
    json_decref(hit);
    char *ranked = ndb_strdup(r.out);
    trun_free(&r);

    /* --exhaustive gives the same hits and scores. */
    NEWSDB(&t, &r, "search", "-d", t.db, "--json", "--limit", "5", "--exhaustive", "election");
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.out, ranked, "exhaustive differs");
    ndb_free(ranked);
    trun_free(&r);

    /* --no-snippets: empty snippets; --sort date: dates do not increase */
    NEWSDB(&t, &r, "search", "-d", t.db, "--json", "--limit", "20", "--no-snippets", "--sort",
           "date", "election");
    cr_assert_eq(r.status, 0);
    {
        const char *p = r.out, *prev = NULL;
        char prevd[16] = "9999-99-99";
        NDB_UNUSED(prev);
        while ((nl = strchr(p, '\n')) != NULL) {
            json_t *h = json_loadb(p, (size_t)(nl - p), 0, &e);
            cr_assert(h != NULL);
            json_t *sn = json_object_get(h, "snippet");
            if (sn) {
                cr_assert_str_eq(json_string_value(sn), "");
                json_t *d = json_object_get(h, "date");
                if (json_is_string(d)) {
                    cr_assert(strcmp(json_string_value(d), prevd) <= 0, "dates not descending");
                    snprintf(prevd, sizeof prevd, "%s", json_string_value(d));
                }
            }
            json_decref(h);
            p = nl + 1;
        }
    }
    trun_free(&r);

    /* human output: total line, rank, snippet markers as-is (not a TTY) */
    NEWSDB(&t, &r, "search", "-d", t.db, "--limit", "2", "election");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, count == 1 ? "article matches" : "articles match") != NULL, "%s",
              r.out);
    cr_assert(strstr(r.out, "  1. ") != NULL && strstr(r.out, "[[") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\033[") == NULL, "ANSI codes when stdout is not a terminal");
    trun_free(&r);
    cr_assert(best > 0);

    /* several words are joined into one query */
    NEWSDB(&t, &r, "search", "-d", t.db, "--count", "election", "vote");
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);

    /* a syntax error: exit 1 with the column */
    NEWSDB(&t, &r, "search", "-d", t.db, "election AND (");
    cr_assert_eq(r.status, 1, "bad query: exit %d", r.status);
    cr_assert(strstr(r.err, "newsdb: ") != NULL, "%s", r.err);
    trun_free(&r);
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- bad input */

/* Ingest a gen_corpus directory with K=1 bad file of every kind; each prints exactly one
** line naming the file (error, or warning for the count kind), the rest is ingested. */
Test(cli, bad_records_reported_and_skipped)
{
    char dir[400], list[420];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 30, 1, NULL, dir, sizeof dir);
    NEWSDB(&t, &r, "add", "-d", t.db, dir);
    cr_assert_eq(r.status, 0, "add with bad records must exit 0, got %d: %s", r.status, r.err);
    snprintf(list, sizeof list, "%s.bad.txt", dir);
    size_t ln;
    char *bad = slurp(list, &ln);
    cr_assert(bad != NULL);
    size_t errors = 0, warnings = 0;
    for (char *line = strtok(bad, "\n"); line; line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        cr_assert(tab != NULL);
        *tab = '\0';
        const char *sev = strchr(tab + 1, '\t') + 1;
        bool is_err = strcmp(sev, "error") == 0;
        errors += is_err;
        warnings += !is_err;
        /* exactly one stderr line names this file, with the right prefix */
        size_t hits = 0;
        for (const char *p = r.err; (p = strstr(p, line)) != NULL; p++) {
            const char *bol = p;
            while (bol > r.err && bol[-1] != '\n')
                bol--;
            cr_assert(strncmp(bol, is_err ? "newsdb: error: " : "newsdb: warning: ",
                              is_err ? 15 : 17) == 0,
                      "%s (%s): line is %.80s", line, sev, bol);
            hits++;
            p = strchr(p, '\n');
            if (!p)
                break;
        }
        cr_assert_eq(hits, 1, "%s (%s): %zu stderr lines name it:\n%s", line, sev, hits, r.err);
    }
    cr_assert_eq(count_substr(r.err, "newsdb: error: "), errors, "%s", r.err);
    cr_assert_eq(count_substr(r.err, "newsdb: warning: "), warnings, "%s", r.err);
    cr_assert(strstr(r.out, "skipped 6") != NULL && strstr(r.out, "warnings 1") != NULL,
              "summary: %s", r.out);
    ndb_free(bad);
    trun_free(&r);
    json_t *s = stats_json(&t);
    json_int_t v = jint(s, "versions");
    cr_assert(v >= 25 && v <= 31, "versions %lld", (long long)v); /* 30 good (minus dups) + count */
    json_decref(s);
    tctx_fini(&t);
}

Test(cli, add_json_reports)
{
    char dir[400];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 10, 2, "count,utf8,nul,empty", dir, sizeof dir);
    NEWSDB(&t, &r, "add", "-d", t.db, "--json", dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t lines = json_all_lines(r.out, "add --json");
    cr_assert_eq(lines, 8 + 1, "2 warnings + 6 errors + summary; got:\n%s", r.out);
    cr_assert_eq(count_substr(r.out, "\"kind\":\"error\""), 6);
    cr_assert_eq(count_substr(r.out, "\"kind\":\"warning\""), 2);
    json_t *sum = json_last_line(r.out);
    cr_assert_eq(jint(sum, "skipped"), 6);
    cr_assert_eq(jint(sum, "warnings"), 2);
    cr_assert_eq(jint(sum, "seen"), 18);
    json_decref(sum);
    trun_free(&r);
    tctx_fini(&t);
}

Test(cli, strict_commits_nothing)
{
    char dir[400], one[600];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 20, 1, "nonnum", dir, sizeof dir);
    NEWSDB(&t, &r, "add", "-d", t.db, "--strict", dir);
    cr_assert_eq(r.status, 1, "--strict with a bad record: exit %d", r.status);
    cr_assert(strstr(r.err, "bad-nonnum-0.txt") != NULL, "%s", r.err);
    trun_free(&r);
    json_t *s = stats_json(&t);
    cr_assert_eq(jint(s, "versions"), 0, "--strict committed something");
    json_decref(s);

    /* a paragraph-count mismatch: a warning by default, an error under --strict */
    gen(&t, "counts", 0, 1, "count", dir, sizeof dir);
    snprintf(one, sizeof one, "%s/bad-count-0.txt", dir);
    NEWSDB(&t, &r, "add", "-d", t.db, "--strict", one);
    cr_assert_eq(r.status, 1, "--strict count mismatch: exit %d: %s", r.status, r.err);
    trun_free(&r);
    s = stats_json(&t);
    cr_assert_eq(jint(s, "versions"), 0);
    json_decref(s);

    NEWSDB(&t, &r, "add", "-d", t.db, one);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "newsdb: warning: ") != NULL, "%s", r.err);
    trun_free(&r);
    s = stats_json(&t);
    cr_assert_eq(jint(s, "versions"), 1);
    json_decref(s);
    /* several PATHs: a good one before the bad one does not land either */
    char good[400];
    gen(&t, "good", 5, 0, NULL, good, sizeof good);
    NEWSDB(&t, &r, "add", "-d", t.db, "--strict", good, one);
    cr_assert_eq(r.status, 1, "--strict good + bad: exit %d", r.status);
    trun_free(&r);
    s = stats_json(&t);
    cr_assert_eq(jint(s, "versions"), 1, "--strict committed the good PATH before the bad one");
    json_decref(s);
    NEWSDB(&t, &r, "add", "-d", t.db, "--strict", good);
    cr_assert_eq(r.status, 0, "--strict, all good: %s", r.err);
    trun_free(&r);
    s = stats_json(&t);
    cr_assert_gt(jint(s, "versions"), 1);
    json_decref(s);
    tctx_fini(&t);
}

Test(cli, big_file_is_one_error)
{
    char dir[400];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 3, 1, "big", dir, sizeof dir);
    NEWSDB(&t, &r, "add", "-d", t.db, dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(count_substr(r.err, "newsdb: error: "), 1, "%s", r.err);
    cr_assert(strstr(r.err, "bad-big-0.txt") != NULL, "%s", r.err);
    cr_assert(strstr(r.out, "skipped 1") != NULL, "%s", r.out);
    trun_free(&r);
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- versions */

static const char art_a[] = "https://www.example.com/2016/10/11/putin-visit\n"
                            "31\n2\nPutin cancels his visit to Paris.\n\nThe Kremlin said so.\n";
static const char art_b[] = "https://www.example.com/2016/10/11/putin-visit\n"
                            "31\n3\nPutin cancels his visit to Paris.\n\nThe Kremlin said so.\n\n"
                            "Update: the Elysee confirmed it.\n";

Test(cli, duplicates_updates_and_versions)
{
    char p1[400], p2[400], p3[400];
    tctx t;
    trun r;
    tctx_init(&t);
    snprintf(p1, sizeof p1, "%s/a.txt", t.dir);
    snprintf(p2, sizeof p2, "%s/a-copy.txt", t.dir);
    snprintf(p3, sizeof p3, "%s/b.txt", t.dir);
    spit(p1, art_a, sizeof art_a - 1);
    spit(p2, art_a, sizeof art_a - 1);
    spit(p3, art_b, sizeof art_b - 1);
    NEWSDB(&t, &r, "add", "-d", t.db, "--json", p1);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *s = json_last_line(r.out);
    cr_assert_eq(jint(s, "added"), 1);
    json_decref(s);
    trun_free(&r);
    NEWSDB(&t, &r, "add", "-d", t.db, "--json", p2);
    cr_assert_eq(r.status, 0, "%s", r.err);
    s = json_last_line(r.out);
    cr_assert_eq(jint(s, "duplicates"), 1, "identical bytes must be a duplicate: %s", r.out);
    json_decref(s);
    trun_free(&r);
    NEWSDB(&t, &r, "add", "-d", t.db, "--json", p3);
    cr_assert_eq(r.status, 0, "%s", r.err);
    s = json_last_line(r.out);
    cr_assert_eq(jint(s, "updated"), 1, "changed text must be an update: %s", r.out);
    json_decref(s);
    trun_free(&r);

    NEWSDB(&t, &r, "get", "-d", t.db, "--versions", "--json",
           "https://www.example.com/2016/10/11/putin-visit");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(json_all_lines(r.out, "get --versions --json"), 2, "%s", r.out);
    const char *nl = strchr(r.out, '\n');
    json_error_t e;
    json_t *v1 = json_loadb(r.out, (size_t)(nl - r.out), 0, &e);
    json_t *v2 = json_last_line(r.out);
    cr_assert_eq(jint(v1, "version"), 1);
    cr_assert_eq(jint(v2, "version"), 2);
    cr_assert(json_is_false(json_object_get(v1, "live")));
    cr_assert(json_is_true(json_object_get(v2, "live")));
    cr_assert_eq(jint(v1, "bytes"), (json_int_t)(sizeof art_a - 1));
    cr_assert_str_eq(json_string_value(json_object_get(v1, "date")), "2016-10-11");
    json_decref(v1);
    json_decref(v2);
    trun_free(&r);

    NEWSDB(&t, &r, "get", "-d", t.db, "--versions", "0");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "2 versions") != NULL, "%s", r.out);
    trun_free(&r);

    /* the URL gets the current version; id 0 the old one, exactly */
    NEWSDB(&t, &r, "get", "-d", t.db, "https://www.example.com/2016/10/11/putin-visit");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(r.nout == sizeof art_b - 1 && memcmp(r.out, art_b, r.nout) == 0, "%s", r.out);
    trun_free(&r);
    NEWSDB(&t, &r, "get", "-d", t.db, "--format", "native", "0");
    cr_assert(r.nout == sizeof art_a - 1 && memcmp(r.out, art_a, r.nout) == 0, "%s", r.out);
    trun_free(&r);
    NEWSDB(&t, &r, "get", "-d", t.db, "--json", "1");
    cr_assert_eq(r.status, 0);
    cr_assert_eq(json_all_lines(r.out, "get --json"), 1);
    trun_free(&r);

    /* missing id / URL: exit 1 */
    NEWSDB(&t, &r, "get", "-d", t.db, "12345");
    cr_assert_eq(r.status, 1);
    cr_assert(strncmp(r.err, "newsdb: ", 8) == 0);
    trun_free(&r);
    NEWSDB(&t, &r, "get", "-d", t.db, "https://nowhere.example/x");
    cr_assert_eq(r.status, 1);
    trun_free(&r);
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- lock */

/* Start `newsdb add -d DB -` reading a tar stream from a pipe we keep open: it takes the
** writer lock, then blocks reading stdin. *wfd is the pipe's write end. */
static pid_t start_holder(const tctx *t, int *wfd)
{
    int pipefd[2];
    cr_assert(pipe(pipefd) == 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(pipefd[0], 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        close(pipefd[1]);
        execl(t->bin, t->bin, "add", "-d", t->db, "-", (char *)NULL);
        _exit(127);
    }
    close(pipefd[0]);
    *wfd = pipefd[1];
    return pid;
}

Test(cli, second_writer_gets_locked_error)
{
    char p1[400];
    tctx t;
    trun r;
    int wfd = -1;
    tctx_init(&t);
    snprintf(p1, sizeof p1, "%s/a.txt", t.dir);
    spit(p1, art_a, sizeof art_a - 1);
    NEWSDB(&t, &r, "init", "-d", t.db);
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);
    /* Our probe may win the lock race against a holder that is just starting; the holder
    ** then exits with "locked" itself, so it is restarted until it holds the lock. */
    pid_t pid = start_holder(&t, &wfd);
    bool locked = false;
    for (int i = 0; i < 100 && !locked; i++) {
        usleep(50000);
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            close(wfd);
            pid = start_holder(&t, &wfd);
            continue;
        }
        NEWSDB(&t, &r, "add", "-d", t.db, p1);
        locked = r.status == 1 && strstr(r.err, "locked") != NULL;
        if (!locked)
            trun_free(&r);
    }
    close(wfd);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    cr_assert(locked, "no 'locked' error while another add held the writer lock");
    cr_assert(strncmp(r.err, "newsdb: ", 8) == 0, "%s", r.err);
    trun_free(&r);
    /* after the holder is gone, writing works again */
    NEWSDB(&t, &r, "add", "-d", t.db, p1);
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- export, check, optimize */

Test(cli, export_formats_and_atomic_output)
{
    char dir[400], out[500], bad[500];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 40, 0, NULL, dir, sizeof dir);
    NEWSDB(&t, &r, "add", "-d", t.db, dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);
    json_t *s = stats_json(&t);
    json_int_t live = jint(s, "articles");
    json_decref(s);

    snprintf(out, sizeof out, "%s/all.jsonl", t.dir);
    NEWSDB(&t, &r, "export", "-d", t.db, "--format", "jsonl", "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);
    size_t n;
    char *body = slurp(out, &n);
    cr_assert(body != NULL);
    cr_assert_eq((json_int_t)json_all_lines(body, "export jsonl"), live);
    ndb_free(body);

    /* stdout, --json alias, with a query: a subset */
    NEWSDB(&t, &r, "export", "-d", t.db, "--json", "--query", "election");
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t sub = json_all_lines(r.out, "export --json --query");
    cr_assert((json_int_t)sub <= live);
    trun_free(&r);
    NEWSDB(&t, &r, "search", "-d", t.db, "--count", "election");
    cr_assert_eq((size_t)strtoull(r.out, NULL, 10), sub, "export --query != search --count");
    trun_free(&r);

    snprintf(out, sizeof out, "%s/all.csv", t.dir);
    NEWSDB(&t, &r, "export", "-d", t.db, "--format", "csv", "-o", out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);
    body = slurp(out, &n);
    cr_assert(body != NULL && n > 0);
    cr_assert(strncmp(body, "id,", 3) == 0 || strchr(body, ',') < strchr(body, '\n'),
              "csv header: %.100s", body);
    ndb_free(body);

    /* no temp files left behind */
    DIR *d = opendir(t.dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        cr_assert(strstr(e->d_name, ".tmp-") == NULL, "left behind: %s", e->d_name);
    closedir(d);

    /* an unwritable destination: exit 1, nothing created */
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.jsonl", t.dir);
    NEWSDB(&t, &r, "export", "-d", t.db, "--format", "jsonl", "-o", bad);
    cr_assert_eq(r.status, 1, "exit %d", r.status);
    cr_assert(access(bad, F_OK) != 0);
    trun_free(&r);
    tctx_fini(&t);
}

Test(cli, optimize_check_and_corruption)
{
    char dir[400], dir2[400];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "c1", 30, 0, NULL, dir, sizeof dir);
    t.seed += 1;
    gen(&t, "c2", 30, 0, NULL, dir2, sizeof dir2);
    NEWSDB(&t, &r, "add", "-d", t.db, "--commit-every", "10", dir, dir2);
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);
    NEWSDB(&t, &r, "check", "-d", t.db);
    cr_assert_eq(r.status, 0, "check: %s %s", r.out, r.err);
    cr_assert(strstr(r.out, "ok") != NULL);
    trun_free(&r);
    NEWSDB(&t, &r, "search", "-d", t.db, "--json", "--limit", "20", "election");
    char *before = ndb_strdup(r.out);
    trun_free(&r);

    NEWSDB(&t, &r, "optimize", "-d", t.db, "--json");
    cr_assert_eq(r.status, 0, "optimize: %s", r.err);
    json_t *o = json_last_line(r.out);
    cr_assert_eq(jint(o, "segments_after"), 1, "%s", r.out);
    json_decref(o);
    trun_free(&r);
    json_t *s = stats_json(&t);
    cr_assert_eq(jint(s, "segments"), 1);
    json_decref(s);
    /* results do not change */
    NEWSDB(&t, &r, "search", "-d", t.db, "--json", "--limit", "20", "election");
    cr_assert_str_eq(r.out, before, "optimize changed search results");
    ndb_free(before);
    trun_free(&r);
    NEWSDB(&t, &r, "check", "-d", t.db, "--json");
    cr_assert_eq(r.status, 0, "%s", r.err);
    o = json_last_line(r.out);
    cr_assert(json_is_true(json_object_get(o, "ok")));
    json_decref(o);
    trun_free(&r);

    /* flip one byte in the middle of a segment file: check must fail */
    DIR *d = opendir(t.db);
    struct dirent *e;
    char seg[700] = "";
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "seg-", 4) == 0)
            snprintf(seg, sizeof seg, "%s/%s", t.db, e->d_name);
    closedir(d);
    cr_assert(seg[0], "no seg-* file in the archive");
    size_t n;
    char *b = slurp(seg, &n);
    cr_assert(b && n > 100);
    b[n / 2] = (char)(b[n / 2] ^ 0x5a);
    spit(seg, b, n);
    ndb_free(b);
    NEWSDB(&t, &r, "check", "-d", t.db);
    cr_assert_eq(r.status, 1, "check of a corrupt archive: exit %d", r.status);
    cr_assert(strstr(r.err, "newsdb: ") != NULL, "%s", r.err);
    trun_free(&r);
    tctx_fini(&t);
}

Test(cli, every_json_output_parses)
{
    char dir[400];
    tctx t;
    trun r;
    tctx_init(&t);
    gen(&t, "corpus", 20, 0, NULL, dir, sizeof dir);
    NEWSDB(&t, &r, "init", "-d", t.db, "--json");
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_all_lines(r.out, "init");
    trun_free(&r);
    static const char *const cmds[][8] = {
        {"add", "--json", "DIR", NULL},
        {"stats", "--json", NULL},
        {"check", "--json", NULL},
        {"search", "--json", "the", NULL},
        {"search", "--json", "--count", "the", NULL},
        {"get", "--json", "0", NULL},
        {"get", "--json", "--versions", "0", NULL},
        {"export", "--json", NULL},
        {"optimize", "--json", NULL},
        {"version", "--json", NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *args[12] = {0};
        size_t k = 0;
        args[k++] = cmds[i][0];
        if (strcmp(cmds[i][0], "version") != 0) {
            args[k++] = "-d";
            args[k++] = t.db;
        }
        for (size_t j = 1; cmds[i][j]; j++)
            args[k++] = strcmp(cmds[i][j], "DIR") == 0 ? dir : cmds[i][j];
        run_prog(&t, &r, t.bin, NULL, args);
        cr_assert_eq(r.status, 0, "%s --json: exit %d: %s", cmds[i][0], r.status, r.err);
        cr_assert(json_all_lines(r.out, cmds[i][0]) >= 1, "%s --json printed nothing", cmds[i][0]);
        trun_free(&r);
    }
    tctx_fini(&t);
}

/* export --format native of a one-article query (url:"...") is the input file exactly, for
** every URL of a gen_corpus directory (the last file with that URL: its current version). */
Test(cli, export_native_single_article_by_url)
{
    static char names[100][32];
    char dir[400], path[700], q[1200];
    tctx t;
    trun r;
    tctx_init(&t);
    t.seed += 7;
    gen(&t, "corpus", 60, 0, NULL, dir, sizeof dir);
    size_t n = list_good(dir, names, 100);
    NEWSDB(&t, &r, "add", "-d", t.db, dir);
    cr_assert_eq(r.status, 0, "add: %s", r.err);
    trun_free(&r);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len, len2;
        snprintf(path, sizeof path, "%s/%.31s", dir, names[i]);
        char *b = slurp(path, &len);
        cr_assert(b != NULL);
        size_t ul = (size_t)((char *)memchr(b, '\n', len) - b);
        bool later = false; /* a later file with the same URL supersedes this one */
        for (size_t k = i + 1; k < n && !later; k++) {
            snprintf(path, sizeof path, "%s/%.31s", dir, names[k]);
            char *c = slurp(path, &len2);
            later = len2 > ul && c[ul] == '\n' && memcmp(c, b, ul) == 0;
            ndb_free(c);
        }
        if (!later) {
            snprintf(q, sizeof q, "url:\"%.*s\"", (int)ul, b);
            NEWSDB(&t, &r, "export", "-d", t.db, "--format", "native", "--query", q);
            cr_assert_eq(r.status, 0, "export %s: %s", q, r.err);
            cr_assert(r.nout == len && memcmp(r.out, b, len) == 0,
                      "NDB_SEED=%llu: export --query '%s' (%zu bytes) differs from %s (%zu)",
                      (unsigned long long)t.seed, q, r.nout, names[i], len);
            trun_free(&r);
            checked++;
        }
        ndb_free(b);
    }
    cr_assert(checked > 50, "only %zu URLs checked", checked);
    tctx_fini(&t);
}

/* On a terminal: search shows matches in bold instead of [[ ]], add draws a progress bar on
** stderr and clears it; NO_COLOR turns bold off. */
Test(cli, terminal_bold_and_progress)
{
    char dir[400];
    tctx t;
    trun r;
    tctx_init(&t);
    unsetenv("NO_COLOR");
    gen(&t, "corpus", 600, 0, NULL, dir, sizeof dir);
    run_pty(&t, &r, 2, (const char *const[]){"add", "-d", t.db, dir, NULL});
    cr_assert_eq(r.status, 0, "add on a terminal: exit %d", r.status);
    cr_assert(strstr(r.out, "articles") != NULL && strstr(r.out, "MB/s") != NULL,
              "no progress bar on the terminal: %s", r.out);
    cr_assert(strstr(r.out, "\r\033[K") != NULL, "progress bar never cleared: %s", r.out);
    trun_free(&r);
    run_pty(&t, &r, 1,
            (const char *const[]){"search", "-d", t.db, "--limit", "3", "election", NULL});
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "\033[1m") != NULL, "no bold on a terminal: %s", r.out);
    cr_assert(strstr(r.out, "[[") == NULL, "raw [[ markers on a terminal: %s", r.out);
    trun_free(&r);
    setenv("NO_COLOR", "1", 1);
    run_pty(&t, &r, 1,
            (const char *const[]){"search", "-d", t.db, "--limit", "3", "election", NULL});
    cr_assert(strstr(r.out, "\033[") == NULL && strstr(r.out, "[[") != NULL, "NO_COLOR ignored: %s",
              r.out);
    trun_free(&r);
    /* past the last hit: the total, and a note instead of hits */
    NEWSDB(&t, &r, "search", "-d", t.db, "--offset", "90000", "election");
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "no hits past offset 90000") != NULL, "%s", r.out);
    trun_free(&r);
    tctx_fini(&t);
}

/* ---------------------------------------------------------------- dups --measure */

/* A consonant-only word (no stemmer suffix applies) unique to (doc paragraph p, word w). */
static void cword(char *b, unsigned p, unsigned w)
{
    static const char L[] = "bcdfghkmnp";
    unsigned v = p * 16 + w;
    b[0] = 'z';
    b[1] = L[(v / 100) % 10];
    b[2] = L[(v / 10) % 10];
    b[3] = L[v % 10];
    b[4] = 0;
}

/* Native article: paragraphs pars[0..n) of 10 words each (word ids from cword). */
static void native_of(const char *path, const char *url, const unsigned *pars, unsigned n)
{
    char body[8192];
    size_t k = 0, fl = 0;
    for (unsigned i = 0; i < n; i++) {
        char para[128];
        size_t pl = 0;
        for (unsigned w = 0; w < 10; w++) {
            char wb[8];
            cword(wb, pars[i], w);
            pl += (size_t)snprintf(para + pl, sizeof para - pl, "%s%s", w ? " " : "", wb);
        }
        if (i == 0)
            fl = pl;
        k += (size_t)snprintf(body + k, sizeof body - k, "%s%s\n", i ? "\n" : "", para);
    }
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    fprintf(f, "%s\n%zu\n%u\n%s", url, fl + 1, n, body);
    fclose(f);
}

/* A and B share 9 of their 10 paragraphs (B drops A's lead and adds one): 72 of each one's
** 80 shingles are shared, so the similarity is 72/80 = 0.9 and the Jaccard 72/88 = 0.818.
** At T = 0.85 only the similarity links them; at 0.8 both do. C is unrelated. */
Test(cli, dups_measures)
{
    char dir[400], p[480];
    unsigned a[10], b[10], c[10];
    tctx t;
    trun r;
    tctx_init(&t);
    snprintf(dir, sizeof dir, "%s/in", t.dir);
    cr_assert_eq(mkdir(dir, 0700), 0);
    for (unsigned i = 0; i < 10; i++) {
        a[i] = i;
        b[i] = i + 1; /* 1..10: A's lead dropped, paragraph 10 added */
        c[i] = 20 + i;
    }
    snprintf(p, sizeof p, "%s/a.txt", dir);
    native_of(p, "http://wire.example.com/2020/01/02/story", a, 10);
    snprintf(p, sizeof p, "%s/b.txt", dir);
    native_of(p, "http://paper.example.org/2020/01/03/story", b, 10);
    snprintf(p, sizeof p, "%s/c.txt", dir);
    native_of(p, "http://other.example.net/2020/01/03/else", c, 10);
    NEWSDB(&t, &r, "add", "-d", t.db, dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    trun_free(&r);
    static const struct {
        const char *t, *m;
        json_int_t clusters;
    } cases[] = {{"0.85", "similarity", 1}, {"0.85", "jaccard", 0}, {"0.8", "jaccard", 1},
                 {"0.9", "similarity", 1},  {"0.91", "similarity", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        NEWSDB(&t, &r, "dups", "-d", t.db, "--json", "-t", cases[i].t, "--measure", cases[i].m);
        cr_assert_eq(r.status, 0, "%s", r.err);
        json_t *sum = json_last_line(r.out);
        cr_assert_eq(jint(sum, "clusters"), cases[i].clusters, "T %s %s", cases[i].t,
                     cases[i].m);
        cr_assert_str_eq(json_string_value(json_object_get(sum, "measure")), cases[i].m);
        json_decref(sum);
        trun_free(&r);
    }
    /* the source is the earlier article (A, 2020-01-02) */
    NEWSDB(&t, &r, "dups", "-d", t.db, "--json", "--measure", "jaccard", "-t", "0.8");
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *first = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert(first != NULL);
    cr_assert_eq(jint(first, "size"), 2);
    json_decref(first);
    trun_free(&r);
    tctx_fini(&t);
}
