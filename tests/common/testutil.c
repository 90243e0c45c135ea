/* Shared test helpers (see testutil.h). */
#include "common/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *ndb_test_tmpdir(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/ndbtest_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(buf);
}

void ndb_test_rmtree(const char *path)
{
    char cmd[4200];
    if (!path || !*path || strcmp(path, "/") == 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", path);
}

const char *ndb_test_corpora(void)
{
    static char buf[4096];
    struct stat st;
    const char *env = getenv("NEWSDB_SHARED");
    if (env) {
        snprintf(buf, sizeof buf, "%s/corpora", env);
        if (stat(buf, &st) == 0)
            return buf;
    }
    if (stat("../shared/corpora", &st) == 0)
        return realpath("../shared/corpora", buf);
    if (stat("/work/shared/corpora", &st) == 0)
        return "/work/shared/corpora";
    return NULL;
}

uint64_t ndb_test_seed(uint64_t dflt)
{
    const char *s = getenv("NDB_SEED");
    return s ? strtoull(s, NULL, 10) : dflt;
}

ndb_db *ndb_test_new_archive(char *tmp, size_t cap)
{
    ndb_options o = {.create = 1};
    ndb_db *db = NULL;
    ndb_err err;
    cr_assert_not_null(ndb_test_tmpdir(tmp, cap));
    strncat(tmp, "/db", cap - strlen(tmp) - 1);
    cr_assert_eq(ndb_open(tmp, &o, &db, &err), NDB_OK, "%s", err.msg);
    return db;
}

void ndb_test_remove_archive(const char *dbdir)
{
    char parent[4096];
    char *slash;
    snprintf(parent, sizeof parent, "%s", dbdir);
    slash = strrchr(parent, '/');
    if (slash)
        *slash = 0;
    ndb_test_rmtree(parent);
}

const char *ndb_test_cli_bin(void)
{
    const char *b = getenv("NEWSDB_BIN");
    if (!b || !*b)
        cr_skip_test("NEWSDB_BIN is not set (run through `make test`): CLI tests skipped");
    if (access(b, X_OK) != 0)
        cr_skip_test("NEWSDB_BIN=%s is not executable: CLI tests skipped", b);
    return b;
}

int ndb_test_sh(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    size_t n = 0, k;
    cr_assert_not_null(p, "popen(%s)", cmd);
    while (n + 1 < cap && (k = fread(out + n, 1, cap - 1 - n, p)) > 0)
        n += k;
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
