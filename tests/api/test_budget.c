/*
** test_budget.c — ndb_snapshot_set_budget: a query past its time budget stops with
** NDB_ELIMIT and a message saying so; without a budget (or within it) the same calls give
** the exact answers. The deadline is checked every 4096 matching articles, so the archive
** has 10,000 articles that all match "common" and the test sleeps past a 1 ms budget before
** querying (deterministic: the deadline has passed when the 4096th match is checked).
*/
#include <criterion/criterion.h>

#include "common/testutil.h"
#include "newsdb.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define N 10000

Test(budget, runaway_queries_stop_with_elimit)
{
    char dir[4096];
    ndb_db *db = ndb_test_new_archive(dir, sizeof dir);
    ndb_writer *w = NULL;
    ndb_snapshot *s = NULL;
    ndb_err err;
    cr_assert_eq(ndb_writer_open(db, &w, &err), NDB_OK, "%s", err.msg);
    for (int i = 0; i < N; i++) {
        char doc[200];
        ndb_add_result res;
        int n = snprintf(doc, sizeof doc, "http://x%d.example.com/2020/03/%02d/a%d\n16\n1\ncommon word %d\n",
                         i % 9, 1 + i % 28, i, i);
        cr_assert_eq(ndb_writer_add_native(w, "t", doc, (size_t)n, NULL, 0, &res, &err), NDB_OK,
                     "%s", err.msg);
    }
    cr_assert_eq(ndb_writer_commit(w, &err), NDB_OK, "%s", err.msg);
    ndb_writer_close(w);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK);

    uint64_t c = 0;
    ndb_results *r = NULL;
    ndb_agg *a = NULL;
    ndb_agg_opts ao = {0};
    ndb_search_opts so = {.limit = 5, .sort = NDB_SORT_DATE_DESC};
    ndb_snapshot_set_budget(s, 1);
    usleep(5000);
    cr_assert_eq(ndb_count(s, "common AND word", &c, &err), NDB_ELIMIT);
    cr_assert(strstr(err.msg, "time budget exceeded"), "%s", err.msg);
    /* an OR of terms is counted by a bitmap walk of its lists: the deadline holds there too */
    cr_assert_eq(ndb_count(s, "common OR word", &c, &err), NDB_ELIMIT);
    cr_assert(strstr(err.msg, "time budget exceeded"), "%s", err.msg);
    cr_assert_eq(ndb_search(s, "common", &so, &r, &err), NDB_ELIMIT);
    cr_assert_null(r);
    cr_assert_eq(ndb_timeline(s, "common", &ao, &a, &err), NDB_ELIMIT);
    cr_assert_null(a);
    so.exhaustive = 1;
    cr_assert_eq(ndb_search(s, "common", &so, &r, &err), NDB_ELIMIT);
    /* a generous budget, and none: exact answers */
    ndb_snapshot_set_budget(s, 60000);
    cr_assert_eq(ndb_count(s, "common", &c, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(c, N);
    cr_assert_eq(ndb_count(s, "common OR word", &c, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(c, N);
    ndb_snapshot_set_budget(s, 0);
    usleep(2000);
    cr_assert_eq(ndb_search(s, "common", &so, &r, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(r->total, N);
    ndb_results_free(r);
    cr_assert_eq(ndb_timeline(s, "common", &ao, &a, &err), NDB_OK);
    cr_assert_eq(a->matched, N);
    ndb_agg_free(a);
    ndb_snapshot_close(s);
    ndb_close(db);
    ndb_test_remove_archive(dir);
}
