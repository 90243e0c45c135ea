/*
** The analytics commands of the real binary (env NEWSDB_BIN, set by `make test`; skipped
** when unset): --json output equals the C API's figures on the same archive, --csv has its
** header and one line per row, bad input exits 2 with a message naming the value, an empty
** result says so, and --svg writes a well-formed chart.
*/
#include "common/corpus.h"
#include "common/testutil.h"
#include "newsdb.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *tc_bin(void)
{
    const char *b = getenv("NEWSDB_BIN");
    if (!b || !*b)
        cr_skip_test("NEWSDB_BIN is not set (run through `make test`): CLI tests skipped");
    if (access(b, X_OK) != 0)
        cr_skip_test("NEWSDB_BIN=%s is not executable: CLI tests skipped", b);
    return b;
}

/* Run a shell command; stdout into out (cap), returns the exit status. */
static int tc_run(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    size_t n = 0, k;
    cr_assert_not_null(p);
    while (n + 1 < cap && (k = fread(out + n, 1, cap - 1 - n, p)) > 0)
        n += k;
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void tc_build(const char *db)
{
    ndb_options o = {.create = 1};
    ndb_db *d;
    ndb_writer *w;
    ndb_err err;
    cr_assert_eq(ndb_open(db, &o, &d, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_writer_open(d, &w, &err), NDB_OK);
    for (uint32_t i = 0; i < 300; i++) {
        tc_doc doc = tc_make_doc(7, i, 0, 0);
        ndb_add_result r;
        cr_assert_eq(ndb_writer_add_native(w, doc.url, doc.bytes, doc.n, NULL, 0, &r, &err),
                     NDB_OK);
        tc_doc_free(&doc);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK);
    ndb_writer_close(w);
    ndb_close(d);
}

Test(analytics_cli, json_matches_api)
{
    const char *bin = tc_bin();
    char tmp[512], db[600], cmd[2048];
    static char out[1 << 20];
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(db, sizeof db, "%s/db", tmp);
    tc_build(db);
    ndb_db *d;
    ndb_snapshot *s;
    ndb_err err;
    ndb_agg *a;
    cr_assert_eq(ndb_open(db, NULL, &d, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_open(d, &s, &err), NDB_OK);

    ndb_agg_opts o = {.by = NDB_PERIOD_MONTH};
    cr_assert_eq(ndb_timeline(s, "oil", &o, &a, &err), NDB_OK);
    snprintf(cmd, sizeof cmd, "%s timeline -d %s --json oil", bin, db);
    cr_assert_eq(tc_run(cmd, out, sizeof out), 0);
    char *line = strtok(out, "\n");
    for (size_t i = 0; i < a->n; i++, line = strtok(NULL, "\n")) {
        json_error_t je;
        cr_assert_not_null(line);
        json_t *j = json_loads(line, 0, &je);
        cr_assert_not_null(j, "%s", line);
        cr_assert_eq(json_integer_value(json_object_get(j, "count")), (json_int_t)a->rows[i].count);
        cr_assert_eq(json_integer_value(json_object_get(j, "total")), (json_int_t)a->rows[i].total);
        json_decref(j);
    }
    cr_assert_not_null(line);
    cr_assert(strstr(line, "\"matched\":"), "summary: %s", line);
    ndb_agg_free(a);

    cr_assert_eq(ndb_outlets(s, "oil", NULL, &a, &err), NDB_OK);
    snprintf(cmd, sizeof cmd, "%s outlets -d %s --csv oil", bin, db);
    cr_assert_eq(tc_run(cmd, out, sizeof out), 0);
    cr_assert(strncmp(out, "rank,outlet,count,total,share\n", 30) == 0, "%s", out);
    size_t lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, a->n + 1);
    ndb_agg_free(a);

    snprintf(cmd, sizeof cmd, "%s terms -d %s --json -n 5 --significant oil", bin, db);
    cr_assert_eq(tc_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "\"z\":") && strstr(out, "\"postings\":"), "%s", out);
    snprintf(cmd, sizeof cmd,
             "%s compare -d %s --csv -n 3 --a outlet:outlet1.com --b outlet:outlet2.co.uk oil", bin,
             db);
    cr_assert_eq(tc_run(cmd, out, sizeof out), 0);
    cr_assert(strncmp(out, "kind,side,rank,key,count,other,z\n", 33) == 0, "%s", out);

    snprintf(cmd, sizeof cmd,
             "%s timeline -d %s --svg %s/t.svg --by year oil > /dev/null && "
             "head -c 4 %s/t.svg && grep -c '</svg>' %s/t.svg",
             bin, db, tmp, tmp, tmp);
    cr_assert_eq(tc_run(cmd, out, sizeof out), 0);
    cr_assert(strncmp(out, "<svg", 4) == 0 && strstr(out, "1"), "%s", out);

    /* search --facets: the outlet facet is ndb_outlets' top 10 */
    ndb_agg_opts fo = {.top = 10};
    cr_assert_eq(ndb_outlets(s, "oil OR war", &fo, &a, &err), NDB_OK);
    snprintf(cmd, sizeof cmd,
             "%s search -d %s --json --no-snippets --facets outlet,date 'oil OR war'"
             " | grep '\"facet\":\"outlet\"'",
             bin, db);
    cr_assert_eq(tc_run(cmd, out, sizeof out), 0);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    cr_assert_not_null(j, "%s", out);
    json_t *vals = json_object_get(j, "values");
    cr_assert_eq(json_array_size(vals), a->n);
    for (size_t i = 0; i < a->n; i++) {
        json_t *v = json_array_get(vals, i);
        cr_assert_str_eq(json_string_value(json_object_get(v, "key")), a->rows[i].outlet);
        cr_assert_eq(json_integer_value(json_object_get(v, "count")), (json_int_t)a->rows[i].count);
    }
    json_decref(j);
    ndb_agg_free(a);

    ndb_snapshot_close(s);
    ndb_close(d);
    ndb_test_rmtree(tmp);
}

Test(analytics_cli, bad_input)
{
    const char *bin = tc_bin();
    char tmp[512], db[600], cmd[2048];
    static char out[1 << 16];
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(db, sizeof db, "%s/db", tmp);
    tc_build(db);
    static const struct {
        const char *args;
        int status;
        const char *msg;
    } cases[] = {
        {"timeline --by decade oil", 2, "bad --by 'decade'"},
        {"timeline --split topic oil", 2, "bad --split 'topic'"},
        {"timeline --from 2016-02-01 --to 2016-01-01 oil", 2, "impossible date range"},
        {"timeline --from 2016-13-01 oil", 2, "bad date for --from"},
        {"outlets --top 0 oil", 2, "bad number for --top"},
        {"terms --background oil oil", 2, "--background needs --significant"},
        {"compare --a outlet:x.com oil", 2, "both --a FILTER and --b FILTER"},
        {"timeline 'oil AND ('", 1, "column"},
        {"timeline xyzzy", 0, "no articles match xyzzy"},
        {"outlets xyzzy", 0, "no articles match xyzzy"},
        {"terms xyzzy", 0, "no articles match xyzzy"},
        {"timeline --from 2030-01-01 oil", 0, "none in the range"},
        {"search --facets topic oil", 2, "bad --facets 'topic'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(cmd, sizeof cmd, "%s %s -d %s 2>&1", bin, cases[i].args, db);
        int st = tc_run(cmd, out, sizeof out);
        cr_assert_eq(st, cases[i].status, "%s: exit %d\n%s", cases[i].args, st, out);
        cr_assert(strstr(out, cases[i].msg), "%s: no '%s' in\n%s", cases[i].args, cases[i].msg,
                  out);
    }
    ndb_test_rmtree(tmp);
}
