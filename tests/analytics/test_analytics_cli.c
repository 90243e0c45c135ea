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
    const char *bin = ndb_test_cli_bin();
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
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
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
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    cr_assert(strncmp(out, "rank,outlet,count,total,share\n", 30) == 0, "%s", out);
    size_t lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, a->n + 1);
    ndb_agg_free(a);

    snprintf(cmd, sizeof cmd, "%s terms -d %s --json -n 5 --significant oil", bin, db);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "\"z\":") && strstr(out, "\"postings\":"), "%s", out);
    /* terms --bigrams: --json rows are ndb_top_terms' bigrams, --csv one line each */
    ndb_terms_opts bo = {.top = 7, .bigrams = 1};
    ndb_term_list *bl;
    cr_assert_eq(ndb_top_terms(s, "oil OR war", &bo, &bl, &err), NDB_OK, "%s", err.msg);
    cr_assert_gt(bl->n, 0);
    snprintf(cmd, sizeof cmd, "%s terms -d %s --json -n 7 --bigrams 'oil OR war'", bin, db);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    line = strtok(out, "\n");
    for (size_t i = 0; i < bl->n; i++, line = strtok(NULL, "\n")) {
        json_error_t je;
        cr_assert_not_null(line);
        json_t *j = json_loads(line, 0, &je);
        cr_assert_not_null(j, "%s", line);
        cr_assert_str_eq(json_string_value(json_object_get(j, "term")), bl->rows[i].term);
        cr_assert_str_eq(json_string_value(json_object_get(j, "stem")), bl->rows[i].stem);
        cr_assert_eq(json_integer_value(json_object_get(j, "count")),
                     (json_int_t)bl->rows[i].count);
        cr_assert_eq(json_integer_value(json_object_get(j, "docs")), (json_int_t)bl->rows[i].docs);
        json_decref(j);
    }
    cr_assert(line && strstr(line, "\"bigrams\":true"), "summary: %s", line ? line : "");
    snprintf(cmd, sizeof cmd, "%s terms -d %s --csv -n 7 --bigrams 'oil OR war'", bin, db);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, bl->n + 1, "%s", out);
    ndb_term_list_free(bl);

    snprintf(cmd, sizeof cmd,
             "%s compare -d %s --csv -n 3 --a outlet:outlet1.com --b outlet:outlet2.co.uk oil", bin,
             db);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    cr_assert(strncmp(out, "kind,side,rank,key,count,other,z\n", 33) == 0, "%s", out);

    snprintf(cmd, sizeof cmd,
             "%s timeline -d %s --svg %s/t.svg --by year oil > /dev/null && "
             "head -c 4 %s/t.svg && grep -c '</svg>' %s/t.svg",
             bin, db, tmp, tmp, tmp);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    cr_assert(strncmp(out, "<svg", 4) == 0 && strstr(out, "1"), "%s", out);

    /* search --facets: the outlet facet is ndb_outlets' top 10 */
    ndb_agg_opts fo = {.top = 10};
    cr_assert_eq(ndb_outlets(s, "oil OR war", &fo, &a, &err), NDB_OK);
    snprintf(cmd, sizeof cmd,
             "%s search -d %s --json --no-snippets --facets outlet,date 'oil OR war'"
             " | grep '\"facet\":\"outlet\"'",
             bin, db);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
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

/* Days from 1970-01-01 to the first day of month m of year y (checked against
** ndb_date_format). */
static int32_t tc_month1(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int32_t d = 0;
    char buf[16], want[16];
    for (int i = 1970; i < y; i++)
        d += (i % 4 == 0 && (i % 100 != 0 || i % 400 == 0)) ? 366 : 365;
    for (int i = 1; i < m; i++)
        d += mdays[i - 1] + (i == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    ndb_date_format(d, buf, sizeof buf);
    snprintf(want, sizeof want, "%d-%02d-01", y, m);
    cr_assert_str_eq(buf, want);
    return d;
}

/* Count of side k in period p of a timeline (0 when absent). */
static uint64_t tc_at(const ndb_agg *a, int32_t p)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->rows[i].period == p)
            return a->rows[i].count;
    return 0;
}

/* compare --svg: two series (A blue, B red, in that order per month), one bar per side
** and month from the first dated month of either side to the last, each bar's height
** (times the top tick over the plot height) equal to the side's count of that period. */
Test(analytics_cli, compare_svg)
{
    const char *bin = ndb_test_cli_bin();
    char tmp[512], db[600], cmd[2048], path[700], line[1024];
    static char out[1 << 16];
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(db, sizeof db, "%s/db", tmp);
    snprintf(path, sizeof path, "%s/c.svg", tmp);
    tc_build(db);
    ndb_db *d;
    ndb_snapshot *s;
    ndb_err err;
    ndb_agg *ta, *tb;
    ndb_agg_opts o = {.by = NDB_PERIOD_MONTH};
    cr_assert_eq(ndb_open(db, NULL, &d, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_open(d, &s, &err), NDB_OK);
    cr_assert_eq(ndb_timeline(s, "(oil OR war) (outlet:outlet1.com)", &o, &ta, &err), NDB_OK);
    cr_assert_eq(ndb_timeline(s, "(oil OR war) (outlet:outlet2.co.uk)", &o, &tb, &err), NDB_OK);
    snprintf(cmd, sizeof cmd,
             "%s compare -d %s --by month --svg %s --a outlet:outlet1.com --b outlet:outlet2.co.uk"
             " 'oil OR war' > /dev/null",
             bin, db, path);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    double top = 0, h[2][64];
    size_t nb[2] = {0, 0};
    bool legend[2] = {false, false}, title = false, end = false;
    while (fgets(line, sizeof line, f)) {
        double x, y, w, hh, v;
        char fill[16];
        if (sscanf(line, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\" fill=\"%7s", &x,
                   &y, &w, &hh, fill) == 5 &&
            w != 12) {
            int k = strcmp(fill, "#1f77b4") == 0 ? 0 : strcmp(fill, "#d62728") == 0 ? 1 : -1;
            cr_assert(k >= 0, "bar colour %s", fill);
            cr_assert_eq(nb[k], nb[1 - k] - (size_t)k, "A and B bars alternate: %s", line);
            cr_assert_lt(nb[k], 64);
            h[k][nb[k]++] = hh;
        }
        if (strstr(line, "text-anchor=\"end\">") &&
            sscanf(strstr(line, "\"end\">") + 6, "%lf", &v) == 1)
            top = v > top ? v : top;
        legend[0] = legend[0] || strstr(line, ">A: outlet:outlet1.com</text>");
        legend[1] = legend[1] || strstr(line, ">B: outlet:outlet2.co.uk</text>");
        title = title || strstr(line, "Articles matching oil OR war: A vs B, by month");
        end = end || strstr(line, "</svg>");
    }
    fclose(f);
    cr_assert(legend[0] && legend[1] && title && end, "legend, title, closing tag");
    int32_t first = INT32_MAX, last = INT32_MIN;
    const ndb_agg *t[2] = {ta, tb};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < t[k]->n; i++) {
            int32_t p = t[k]->rows[i].period;
            if (p != NDB_DATE_NONE) {
                first = p < first ? p : first;
                last = p > last ? p : last;
            }
        }
    }
    cr_assert(first <= last, "the corpus has dated matches");
    size_t np = 0;
    for (int ym = 2000 * 12; ym < 2030 * 12; ym++) {
        int y = ym / 12;
        int32_t p = tc_month1(y, ym % 12 + 1);
        if (p < first || p > last)
            continue;
        cr_assert_lt(np, nb[0], "bars for every month %d..", y);
        for (int k = 0; k < 2; k++) {
            double c = h[k][np] * top / (520 - 56 - 110);
            cr_assert(c > (double)tc_at(t[k], p) - 0.05 && c < (double)tc_at(t[k], p) + 0.05,
                      "%d-%02d side %c: bar %.3f, count %llu", y, ym % 12 + 1, "AB"[k], c,
                      (unsigned long long)tc_at(t[k], p));
        }
        np++;
    }
    cr_assert_gt(np, 1, "several months drawn");
    cr_assert_eq(np, nb[0]);
    cr_assert_eq(np, nb[1]);
    ndb_agg_free(ta);
    ndb_agg_free(tb);
    ndb_snapshot_close(s);
    ndb_close(d);
    ndb_test_rmtree(tmp);
}

/* Vertices of the polylines of an SVG file, in order: pts[k][i] = y of series k's vertex
** i (at most 2 series, 512 vertices); top = the highest y tick label. */
static size_t tc_lines(const char *path, double pts[2][512], size_t np[2], double *top,
                       const char *colour[2])
{
    FILE *f = fopen(path, "r");
    static char line[1 << 16];
    size_t ns = 0;
    cr_assert_not_null(f);
    *top = 0;
    while (fgets(line, sizeof line, f)) {
        double v;
        char *p = strstr(line, "<polyline");
        cr_assert_null(strstr(line, "<rect x=\"8"), "no columns in a line chart");
        if (strstr(line, "text-anchor=\"end\">") &&
            sscanf(strstr(line, "\"end\">") + 6, "%lf", &v) == 1)
            *top = v > *top ? v : *top;
        if (!p)
            continue;
        cr_assert_lt(ns, 2);
        colour[ns] = strstr(p, "#1f77b4") ? "#1f77b4" : strstr(p, "#d62728") ? "#d62728" : "?";
        p = strstr(p, "points=\"") + 8;
        np[ns] = 0;
        double x, y, lastx = -1;
        int used;
        while (sscanf(p, "%lf,%lf%n", &x, &y, &used) == 2) {
            cr_assert_gt(x, lastx, "x ascending");
            lastx = x;
            cr_assert_lt(np[ns], 512);
            pts[ns][np[ns]++] = y;
            p += used;
        }
        ns++;
    }
    fclose(f);
    return ns;
}

/* timeline --chart lines and compare --chart lines: one polyline per series, one vertex
** per period (every period from the first dated match to the last), each vertex's height
** above the axis (times the top tick over the plot height) equal to that period's count. */
Test(analytics_cli, line_charts)
{
    const char *bin = ndb_test_cli_bin();
    char tmp[512], db[600], cmd[2048], path[700];
    static char out[1 << 16];
    const double ph = 520 - 56 - 110, base = 56 + ph;
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(db, sizeof db, "%s/db", tmp);
    snprintf(path, sizeof path, "%s/l.svg", tmp);
    tc_build(db);
    ndb_db *d;
    ndb_snapshot *s;
    ndb_err err;
    ndb_agg *t, *ta, *tb;
    ndb_agg_opts o = {.by = NDB_PERIOD_WEEK, .from = NDB_DATE_NONE, .to = NDB_DATE_NONE};
    cr_assert_eq(ndb_open(db, NULL, &d, &err), NDB_OK);
    cr_assert_eq(ndb_snapshot_open(d, &s, &err), NDB_OK);
    cr_assert_eq(ndb_timeline(s, "oil OR war", &o, &t, &err), NDB_OK);
    double pts[2][512], top;
    size_t np[2];
    const char *col[2];
    /* one series by week */
    snprintf(cmd, sizeof cmd, "%s timeline -d %s --by week --chart lines --svg %s 'oil OR war' > /dev/null",
             bin, db, path);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    cr_assert_eq(tc_lines(path, pts, np, &top, col), 1);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->rows[i].period == NDB_DATE_NONE)
            continue;
        cr_assert_lt(k, np[0], "a vertex per week");
        double c = (base - pts[0][k]) * top / ph;
        cr_assert(c > (double)t->rows[i].count - 0.05 && c < (double)t->rows[i].count + 0.05,
                  "week %zu: vertex %.3f, count %llu", k, c, (unsigned long long)t->rows[i].count);
        k++;
    }
    cr_assert_gt(k, 12);
    cr_assert_eq(k, np[0]);
    /* compare: two lines, A blue then B red, from the first dated month of either side */
    o.by = NDB_PERIOD_MONTH;
    cr_assert_eq(ndb_timeline(s, "(oil OR war) (outlet:outlet1.com)", &o, &ta, &err), NDB_OK);
    cr_assert_eq(ndb_timeline(s, "(oil OR war) (outlet:outlet2.co.uk)", &o, &tb, &err), NDB_OK);
    snprintf(cmd, sizeof cmd,
             "%s compare -d %s --chart lines --svg %s --a outlet:outlet1.com --b outlet:outlet2.co.uk"
             " 'oil OR war' > /dev/null",
             bin, db, path);
    cr_assert_eq(ndb_test_sh(cmd, out, sizeof out), 0);
    cr_assert_eq(tc_lines(path, pts, np, &top, col), 2);
    cr_assert_str_eq(col[0], "#1f77b4");
    cr_assert_str_eq(col[1], "#d62728");
    cr_assert_eq(np[0], np[1]);
    int32_t first = INT32_MAX;
    for (int j = 0; j < 2; j++) {
        const ndb_agg *x = j ? tb : ta;
        for (size_t i = 0; i < x->n; i++)
            if (x->rows[i].period != NDB_DATE_NONE && x->rows[i].period < first)
                first = x->rows[i].period;
    }
    /* each side from the common first month (its rows before its own first match are 0) */
    ndb_agg *ts[2];
    o.from = first;
    cr_assert_eq(ndb_timeline(s, "(oil OR war) (outlet:outlet1.com)", &o, &ts[0], &err), NDB_OK);
    cr_assert_eq(ndb_timeline(s, "(oil OR war) (outlet:outlet2.co.uk)", &o, &ts[1], &err), NDB_OK);
    for (int j = 0; j < 2; j++) {
        cr_assert_eq(ts[j]->matched, (j ? tb : ta)->matched);
        for (size_t v = 0; v < np[j]; v++) {
            uint64_t want = v < ts[j]->n && ts[j]->rows[v].period != NDB_DATE_NONE
                                ? ts[j]->rows[v].count
                                : 0;
            double c = (base - pts[j][v]) * top / ph;
            cr_assert(c > (double)want - 0.05 && c < (double)want + 0.05,
                      "side %c month %zu: vertex %.3f, count %llu", "AB"[j], v, c,
                      (unsigned long long)want);
        }
        ndb_agg_free(ts[j]);
    }
    cr_assert_gt(np[0], 1, "several months drawn");
    ndb_agg_free(t);
    ndb_agg_free(ta);
    ndb_agg_free(tb);
    ndb_snapshot_close(s);
    ndb_close(d);
    ndb_test_rmtree(tmp);
}

Test(analytics_cli, bad_input)
{
    const char *bin = ndb_test_cli_bin();
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
        {"terms --bigrams --significant xyzzy", 0, "no articles match xyzzy"},
        {"terms --significant --background xyzzy oil", 1, "has no article besides the matching"},
        {"terms --significant --background oil oil", 1, "has no article besides the matching"},
        {"terms --bigrams xyzzy", 0, "no articles match xyzzy"},
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
        int st = ndb_test_sh(cmd, out, sizeof out);
        cr_assert_eq(st, cases[i].status, "%s: exit %d\n%s", cases[i].args, st, out);
        cr_assert(strstr(out, cases[i].msg), "%s: no '%s' in\n%s", cases[i].args, cases[i].msg,
                  out);
    }
    ndb_test_rmtree(tmp);
}
