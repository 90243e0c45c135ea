/*
** Crash and fault tests of the commit protocol, through the public API.
**
**  - sync_points: for every sync point k (fsync, directory fsync, rename) of an ingest with
**    several commits, a forked child dies by SIGKILL exactly at k; the parent reopens, runs
**    ndb_check, and verifies every acknowledged article byte for byte and that the archive
**    holds a whole number of batches (nothing half-committed is visible).
**  - kill9_random: >= 30 trials of a real kill -9 at a random time during ingest.
**  - the near-duplicate state (dup files) after every crash covers exactly the committed
**    articles and its clusters equal an exhaustive comparison (every third article is a
**    reprint, so there are clusters to get wrong).
**  - io_faults: EIO / ENOSPC injected at every counted file operation of a commit, once and
**    for good: the call fails, the writer is poisoned, reopening finds a consistent commit.
*/
#include "api/api.h"
#include "common/corpus.h"
#include "common/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 7
#define BASE_DOCS 10

/* Article i of the crash corpus: tc_make_doc(1, i), except that every third one reprints
   the text of article i - 2 under its own URL (a near-duplicate pair for the dup state). */
static tc_doc crash_doc(uint32_t i)
{
    tc_doc d = tc_make_doc(1, i, 0, 0);
    if (i % 3 == 2) {
        tc_doc s = tc_make_doc(1, i - 2, 0, 0);
        const char *body = strchr(s.bytes, '\n');
        size_t ul = strlen(d.url), bl = strlen(body);
        char *b = malloc(ul + bl + 1);
        memcpy(b, d.url, ul);
        memcpy(b + ul, body, bl + 1);
        free(d.bytes);
        d.bytes = b;
        d.n = ul + bl;
        tc_doc_free(&s);
    }
    return d;
}

/* The dup state is consistent with the committed articles: it covers every one, and its
   clusters equal those of the exhaustive comparison of every pair. */
static void crash_verify_dups(ndb_snapshot *s, uint32_t n)
{
    ndb_dup_list *a = NULL, *b = NULL;
    ndb_dups_opts ox = {.exhaustive = 1};
    ndb_err err;
    cr_assert_eq(ndb_dups(s, NULL, NULL, &a, &err), NDB_OK, "dups: %s", err.msg);
    cr_assert_eq(ndb_dups(s, NULL, &ox, &b, &err), NDB_OK, "dups: %s", err.msg);
    cr_assert_eq(a->uncovered, 0, "%llu committed articles without dup data",
                 (unsigned long long)a->uncovered);
    cr_assert_eq(a->nclusters, b->nclusters, "%u docs: %llu clusters, exhaustive %llu", n,
                 (unsigned long long)a->nclusters, (unsigned long long)b->nclusters);
    cr_assert_eq(a->clustered, b->clustered);
    cr_assert_geq(a->nclusters, n / 3 > 0 ? 1 : 0);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_eq(a->clusters[i].size, b->clusters[i].size);
        for (uint32_t m = 0; m < a->clusters[i].size; m++)
            cr_assert_eq(a->clusters[i].members[m].id, b->clusters[i].members[m].id);
    }
    ndb_dup_list_free(a);
    ndb_dup_list_free(b);
}

/* The writers' near-duplicate key budget (0: the default; 1 byte: every commit moves the
   keys to a band run on disk, and eight runs merge, so their writes are crash points too). */
static size_t crash_dedup_memory;

static ndb_options crash_opts(void)
{
    ndb_options o;
    memset(&o, 0, sizeof o);
    o.create = 1;
    o.dedup_memory = crash_dedup_memory;
    return o;
}

/* Add docs [from, to) of corpus seed (some as new versions of earlier URLs), committing every
   BATCH; after each commit write the number of docs acknowledged to fd (if >= 0). */
static ndb_rc crash_ingest(ndb_db *db, uint32_t from, uint32_t to, int fd)
{
    ndb_writer *w = NULL;
    ndb_err err;
    ndb_rc rc = ndb_writer_open(db, &w, &err);
    for (uint32_t i = from; rc == NDB_OK && i < to; i++) {
        tc_doc d = crash_doc(i);
        ndb_add_result res;
        rc = ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &res, &err);
        tc_doc_free(&d);
        if (rc == NDB_OK && ((i + 1 - from) % BATCH == 0 || i + 1 == to)) {
            rc = ndb_writer_commit(w, &err);
            if (rc == NDB_OK && fd >= 0) {
                uint32_t acked = i + 1;
                if (write(fd, &acked, sizeof acked) != sizeof acked)
                    rc = NDB_EIO;
            }
        }
    }
    ndb_writer_close(w);
    return rc;
}

/* Reopen dir and verify: check passes; docs [0, n) present exactly; n >= acked; n is a batch
   boundary (BASE_DOCS + k * BATCH or the end). Returns n. */
static uint32_t crash_verify(const char *dir, uint32_t acked, uint32_t end)
{
    ndb_db *db = NULL;
    ndb_snapshot *s = NULL;
    ndb_err err;
    ndb_stats st;
    uint64_t cnt = 0;
    cr_assert_eq(ndb_open(dir, NULL, &db, &err), NDB_OK, "reopen: %s", err.msg);
    cr_assert_eq(ndb_check(db, NULL, NULL, &err), NDB_OK, "check: %s", err.msg);
    cr_assert_eq(ndb_snapshot_open(db, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_snapshot_stats(s, &st, &err), NDB_OK);
    uint32_t n = (uint32_t)st.versions;
    cr_assert_geq(n, acked, "acknowledged %u docs, archive has %u", acked, n);
    cr_assert(n == BASE_DOCS || n == end || (n - BASE_DOCS) % BATCH == 0,
              "archive holds %u docs: not a commit boundary", n);
    for (uint32_t i = 0; i < n; i++) {
        tc_doc d = crash_doc(i);
        ndb_doc *got = NULL;
        cr_assert_eq(ndb_get_url(s, d.url, &got, &err), NDB_OK, "doc %u: %s", i, err.msg);
        cr_assert_eq(got->raw.n, d.n);
        cr_assert(memcmp(got->raw.p, d.bytes, d.n) == 0, "doc %u bytes differ", i);
        ndb_doc_free(got);
        tc_doc_free(&d);
    }
    cr_assert_eq(ndb_count(s, "NOT zzzunused", &cnt, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(cnt, st.articles);
    crash_verify_dups(s, n);
    ndb_snapshot_close(s);
    ndb_close(db);
    return n;
}

static void crash_copy(const char *from, const char *to)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", to, from, to);
    cr_assert_eq(system(cmd), 0);
}

/* Base archive with BASE_DOCS committed docs. */
static void crash_base(const char *dir)
{
    ndb_db *db = NULL;
    ndb_err err;
    ndb_options o = crash_opts();
    cr_assert_eq(ndb_open(dir, &o, &db, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(crash_ingest(db, 0, BASE_DOCS, -1), NDB_OK);
    ndb_close(db);
}

/* Run one child that crashes at sync point k; returns 1 if the child finished without
   reaching k (enumeration done). */
static int crash_at(const char *base, const char *dir, uint64_t k, uint32_t end)
{
    int fds[2];
    uint32_t acked = BASE_DOCS, v;
    int status;
    crash_copy(base, dir);
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        ndb_vfs_fault f;
        ndb_db *db = NULL;
        ndb_err err;
        ndb_options o = crash_opts();
        close(fds[0]);
        ndb_vfs_fault_init(&f);
        f.crash = true;
        f.fail_at = k;
        if (ndb_open_vfs(dir, &o, &f.vfs, &db, &err) != NDB_OK)
            _exit(3);
        ndb_rc rc = crash_ingest(db, BASE_DOCS, end, fds[1]);
        ndb_close(db);
        _exit(rc == NDB_OK ? 0 : 4);
    }
    close(fds[1]);
    while (read(fds[0], &v, sizeof v) == sizeof v)
        acked = v;
    close(fds[0]);
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
        cr_assert_eq(WEXITSTATUS(status), 0, "child failed without a crash at k=%llu",
                     (unsigned long long)k);
        crash_verify(dir, acked, end);
        return 1;
    }
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    crash_verify(dir, acked, end);
    /* The archive must take new writes after the crash. */
    {
        ndb_db *db = NULL;
        ndb_err err;
        ndb_options o = crash_opts();
        cr_assert_eq(ndb_open(dir, &o, &db, &err), NDB_OK);
        ndb_snapshot *s = NULL;
        ndb_stats st;
        ndb_snapshot_open(db, &s, &err);
        ndb_snapshot_stats(s, &st, &err);
        ndb_snapshot_close(s);
        cr_assert_eq(crash_ingest(db, (uint32_t)st.versions, end, -1), NDB_OK);
        ndb_close(db);
        crash_verify(dir, end, end);
    }
    return 0;
}

Test(crash, every_sync_point, .timeout = 300)
{
    char tmp[256], base[512], dir[512];
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(base, sizeof base, "%s/base", tmp);
    snprintf(dir, sizeof dir, "%s/run", tmp);
    crash_base(base);
    uint64_t k = 1;
    for (; k < 500; k++)
        if (crash_at(base, dir, k, BASE_DOCS + 3 * BATCH + 2))
            break;
    cr_assert_gt(k, 10, "only %llu sync points: the fault vfs is not in the path",
                 (unsigned long long)k);
    ndb_test_rmtree(tmp);
}

/* The same with the band keys on disk from the first commit on: nine commits, a run
   spilled by each and eight of them merged, every sync point of it a crash; the dup state
   after recovery still equals the exhaustive comparison (crash_verify_dups). */
Test(crash, every_sync_point_band_runs, .timeout = 600)
{
    char tmp[256], base[512], dir[512];
    crash_dedup_memory = 1;
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(base, sizeof base, "%s/base", tmp);
    snprintf(dir, sizeof dir, "%s/run", tmp);
    crash_base(base);
    uint64_t k = 1;
    for (; k < 900; k++)
        if (crash_at(base, dir, k, BASE_DOCS + 8 * BATCH + 2))
            break;
    cr_assert(k > 10 && k < 900, "%llu sync points", (unsigned long long)k);
    /* the finished archive's keys are in runs, one of them merged from eight */
    int runs = 0, merged = 0;
    DIR *dd = opendir(dir);
    cr_assert(dd != NULL);
    for (struct dirent *e; (e = readdir(dd)) != NULL;) {
        unsigned b, c;
        if (sscanf(e->d_name, "dkey-%8x-%8x.ndk", &b, &c) == 2) {
            runs++;
            merged += c > BATCH + BASE_DOCS;
        }
    }
    closedir(dd);
    cr_log_info("%llu sync points, %d runs (%d merged)", (unsigned long long)k, runs, merged);
    cr_assert(runs >= 1 && merged == 1, "%d runs, %d merged", runs, merged);
    ndb_test_rmtree(tmp);
    crash_dedup_memory = 0;
}

Test(crash, kill9_random_30_trials, .timeout = 600)
{
    char tmp[256], dir[512];
    uint64_t seed = ndb_test_seed((uint64_t)time(NULL));
    cr_log_info("NDB_SEED=%llu", (unsigned long long)seed);
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(dir, sizeof dir, "%s/a", tmp);
    for (int trial = 0; trial < 30; trial++) {
        int fds[2], status;
        uint32_t acked = 0, v;
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
        crash_base(dir);
        acked = BASE_DOCS;
        cr_assert_eq(pipe(fds), 0);
        pid_t pid = fork();
        if (pid == 0) {
            ndb_db *db = NULL;
            ndb_err err;
            close(fds[0]);
            if (ndb_open(dir, NULL, &db, &err) != NDB_OK)
                _exit(3);
            crash_ingest(db, BASE_DOCS, 100000, fds[1]);
            _exit(0);
        }
        close(fds[1]);
        usleep((useconds_t)(1000 + ndb_rand_next(&seed) % 150000));
        kill(pid, SIGKILL);
        while (read(fds[0], &v, sizeof v) == sizeof v)
            acked = v;
        close(fds[0]);
        waitpid(pid, &status, 0);
        crash_verify(dir, acked, 100000);
    }
    ndb_test_rmtree(tmp);
}

Test(crash, io_faults_poison_and_recover, .timeout = 300)
{
    char tmp[256], base[512], dir[512];
    cr_assert_not_null(ndb_test_tmpdir(tmp, sizeof tmp));
    snprintf(base, sizeof base, "%s/base", tmp);
    snprintf(dir, sizeof dir, "%s/run", tmp);
    crash_base(base);
    int failures = 0;
    for (int mode = 0; mode < 4; mode++) {
        for (uint64_t k = 1; k < 400; k++) {
            ndb_vfs_fault f;
            ndb_db *db = NULL;
            ndb_writer *w = NULL;
            ndb_err err;
            ndb_rc rc;
            crash_copy(base, dir);
            ndb_vfs_fault_init(&f);
            f.fail_errno = mode & 1 ? ENOSPC : EIO;
            f.persistent = mode & 2;
            f.short_write = true;
            cr_assert_eq(ndb_open_vfs(dir, NULL, &f.vfs, &db, &err), NDB_OK);
            f.count = 0;
            f.fail_at = k;
            rc = ndb_writer_open(db, &w, &err);
            for (uint32_t i = BASE_DOCS; rc == NDB_OK && i < BASE_DOCS + 2 * BATCH; i++) {
                tc_doc d = crash_doc(i);
                ndb_add_result res;
                rc = ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &res, &err);
                tc_doc_free(&d);
            }
            if (rc == NDB_OK)
                rc = ndb_writer_commit(w, &err);
            if (rc == NDB_OK) {
                ndb_writer_close(w);
                ndb_close(db);
                break; /* k is past the last operation */
            }
            failures++;
            cr_assert(rc == NDB_EIO || rc == NDB_ENOSPC, "k=%llu: rc %d (%s)",
                      (unsigned long long)k, rc, err.msg);
            if (rc == NDB_ENOSPC)
                cr_assert_eq(err.sys_errno, ENOSPC);
            if (w) {
                tc_doc d = tc_make_doc(1, 999, 0, 0);
                ndb_add_result res;
                cr_assert_eq(ndb_writer_add_native(w, d.url, d.bytes, d.n, NULL, 0, &res, &err),
                             NDB_EPOISONED);
                cr_assert_eq(ndb_writer_commit(w, &err), NDB_EPOISONED);
                tc_doc_free(&d);
            }
            ndb_writer_close(w);
            ndb_close(db);
            uint32_t n = crash_verify(dir, BASE_DOCS, BASE_DOCS + 2 * BATCH);
            cr_assert(n == BASE_DOCS || n == BASE_DOCS + 2 * BATCH, "k=%llu: %u docs",
                      (unsigned long long)k, n);
        }
    }
    cr_assert_gt(failures, 20);
    ndb_test_rmtree(tmp);
}
