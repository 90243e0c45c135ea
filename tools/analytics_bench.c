/*
** analytics_bench — time the analytics calls of the public API on an archive.
**
**     analytics_bench DB QUERY [REPEATS]
**
** Opens one snapshot, then runs each call REPEATS times (default 5) and prints the best
** wall time and the best process CPU time (the CPU figure is the one to read on a loaded
** machine) and the figures it produced (so a run can be checked against a peer's
** counts): ndb_count, ndb_timeline by month and by day, ndb_outlets, ndb_top_terms (top 20)
** and ndb_top_terms --significant against the whole archive. Opening the archive is not
** timed (a server keeps it open). Single-threaded, like every peer in the shared harness.
*/
#include "newsdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double ab_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double ab_now(void)
{
    return ab_clock(CLOCK_MONOTONIC);
}

static int ab_fail(const char *what, const ndb_err *err)
{
    fprintf(stderr, "analytics_bench: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    ndb_db *db = NULL;
    ndb_snapshot *s = NULL;
    ndb_err err;
    int reps = argc > 3 ? atoi(argv[3]) : 5;
    if (argc < 3) {
        fprintf(stderr, "usage: analytics_bench DB QUERY [REPEATS]\n");
        return 2;
    }
    if (ndb_open(argv[1], NULL, &db, &err) != NDB_OK)
        return ab_fail("open", &err);
    if (ndb_snapshot_open(db, &s, &err) != NDB_OK)
        return ab_fail("snapshot", &err);
    const char *q = argv[2];
    ndb_stats st;
    if (ndb_snapshot_stats(s, &st, &err) != NDB_OK)
        return ab_fail("stats", &err);
    printf("archive %s: %llu articles\nquery: %s\n", argv[1], (unsigned long long)st.articles, q);
    for (int call = 0; call < 6; call++) {
        static const char *const names[] = {"count",   "timeline-month", "timeline-day",
                                            "outlets", "terms",          "terms-significant"};
        double best = 1e300, best_cpu = 1e300;
        unsigned long long figure = 0, rows = 0;
        for (int r = 0; r < reps; r++) {
            double t0 = ab_now(), c0 = ab_clock(CLOCK_PROCESS_CPUTIME_ID);
            ndb_rc rc = NDB_OK;
            if (call == 0) {
                uint64_t n;
                rc = ndb_count(s, q, &n, &err);
                figure = n;
            } else if (call <= 3) {
                ndb_agg *a = NULL;
                ndb_agg_opts o = {.by = call == 2 ? NDB_PERIOD_DAY : NDB_PERIOD_MONTH};
                rc = call == 3 ? ndb_outlets(s, q, &o, &a, &err) : ndb_timeline(s, q, &o, &a, &err);
                if (rc == NDB_OK) {
                    figure = a->matched;
                    rows = a->n;
                }
                ndb_agg_free(a);
            } else {
                ndb_term_list *l = NULL;
                ndb_terms_opts o = {.top = 20, .significant = call == 5};
                rc = ndb_top_terms(s, q, &o, &l, &err);
                if (rc == NDB_OK) {
                    figure = l->matched;
                    rows = l->postings;
                }
                ndb_term_list_free(l);
            }
            if (rc != NDB_OK)
                return ab_fail(names[call], &err);
            double dt = ab_now() - t0, dc = ab_clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
            best = dt < best ? dt : best;
            best_cpu = dc < best_cpu ? dc : best_cpu;
        }
        printf("%-18s %9.1f ms  cpu %9.1f ms   matches %llu   %s %llu\n", names[call], best,
               best_cpu, figure, call >= 4 ? "postings" : "rows", rows);
    }
    ndb_snapshot_close(s);
    ndb_close(db);
    return 0;
}
