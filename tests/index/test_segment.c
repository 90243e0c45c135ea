/* Tests of index/ segments: writer -> file -> reader against a random oracle corpus,
** prefix walks, merges, multi-segment cursors, verification and corruption.
** NDB_SEED=<n> replays a failure. */
#include "seg_oracle.h"


#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[512];

static void setup(void)
{
    cr_assert_not_null(ndb_test_tmpdir(g_dir, sizeof g_dir));
}

static void teardown(void)
{
    ndb_test_rmtree(g_dir);
}

TestSuite(index, .init = setup, .fini = teardown);

static void report_quiet(void *ctx, int is_error, const char *msg)
{
    (void)is_error;
    (void)msg;
    (*(int *)ctx)++;
}

static void report_print(void *ctx, int is_error, const char *msg)
{
    (void)is_error;
    (*(int *)ctx)++;
    fprintf(stderr, "check: %s\n", msg);
}

static ndb_seg *write_open(ndb_segw *w, const char *name)
{
    ndb_err err;
    ndb_seg *s = NULL;
    int problems = 0;
    cr_assert_eq(ndb_segw_write(w, ndb_vfs_default(), g_dir, name, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_seg_open(ndb_vfs_default(), g_dir, name, &s, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_seg_check(s, report_print, &problems, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(problems, 0);
    return s;
}

/* Build one segment of ndocs docs and check it against the oracle. */
static void roundtrip(uint32_t ndocs, size_t vocab, uint32_t maxlen, uint32_t base, bool every,
                      uint64_t seed)
{
    orc o;
    ndb_segw *w = NULL;
    orc_init(&o, vocab, seed);
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    (void)base;
    orc_gen(&o, ndocs, maxlen, &w, NULL, 1, every);
    cr_assert_eq(ndb_segw_ndocs(w), ndocs);
    cr_assert(ndb_segw_mem(w) > 0);
    ndb_seg *s = write_open(w, "seg-a.ndx");
    cr_assert_eq(ndb_seg_base(s), 0);
    cr_assert_eq(ndb_seg_ndocs(s), ndocs);
    cr_assert_str_eq(ndb_seg_name(s), "seg-a.ndx");
    orc_check_seg(&o, s);
    /* pages given back (as a merge does behind its read position) read the same again */
    ndb_seg_drop_pages(s, 0, ndb_seg_bytes(s));
    orc_check_seg(&o, s);
    if (every) {
        ndb_term_info ti;
        cr_assert(ndb_seg_term(s, o.t[0].s, o.t[0].n, &ti));
        cr_assert_eq(ti.df, ndocs);
    }
    /* absent terms */
    ndb_term_info ti;
    cr_assert(!ndb_seg_term(s, "", 0, &ti));
    cr_assert(!ndb_seg_term(s, "ab0", 3, &ti));
    cr_assert(!ndb_seg_term(s, "zz", 2, &ti));
    ndb_seg_unref(s);
    ndb_segw_free(w);
    orc_free(&o);
}

Test(index, roundtrip_small_vocab_long_lists)
{
    roundtrip(3000, 40, 80, 0, false, ndb_test_seed(1));
}

Test(index, roundtrip_large_vocab)
{
    roundtrip(1500, 30000, 300, 0, false, ndb_test_seed(2));
}

Test(index, roundtrip_term_in_every_doc)
{
    roundtrip(1000, 300, 20, 0, true, ndb_test_seed(3));
}

/* The format segments are written in, through the environment: 0 the default (1.5, codec
** PFOR2, each list's positions RADIX or GROUPS2 by its df and cf: BYLIST2; packed skip
** entries with min_dlr), 1 format 1.0 (codec PFOR, GROUPS: what older builds wrote and
** read), 2 1.1 with every list's positions bounded by doc length (DLBOUND), 3 1.2 with each
** list's format by its df and cf (BYLIST), 4 1.1 with GROUPS positions (varint rests), 5
** 1.3 with GROUPS2 positions, 6 1.5 with every list RADIX, 7 1.4 (as 0 with min_dl in the
** skip entries). */
#define SEG_NFMT 8
static void seg_fmt_env(int which)
{
    cr_assert_eq(unsetenv("NEWSDB_SEG_FORMAT"), 0);
    cr_assert_eq(unsetenv("NEWSDB_SEG_POSITIONS"), 0);
    if (which == 1)
        cr_assert_eq(setenv("NEWSDB_SEG_FORMAT", "1.0", 1), 0);
    if (which == 2)
        cr_assert_eq(setenv("NEWSDB_SEG_POSITIONS", "dlbound", 1), 0);
    if (which == 3)
        cr_assert_eq(setenv("NEWSDB_SEG_POSITIONS", "bylist", 1), 0);
    if (which == 4)
        cr_assert_eq(setenv("NEWSDB_SEG_POSITIONS", "groups", 1), 0);
    if (which == 5)
        cr_assert_eq(setenv("NEWSDB_SEG_POSITIONS", "groups2", 1), 0);
    if (which == 6)
        cr_assert_eq(setenv("NEWSDB_SEG_POSITIONS", "radix", 1), 0);
    if (which == 7)
        cr_assert_eq(setenv("NEWSDB_SEG_FORMAT", "1.4", 1), 0);
}

static void seg_fmt_assert(const ndb_seg *s, int which)
{
    static const uint32_t codec[SEG_NFMT] = {NDB_CODEC_PFOR2, NDB_CODEC_PFOR,  NDB_CODEC_PFOR2,
                                             NDB_CODEC_PFOR2, NDB_CODEC_PFOR2, NDB_CODEC_PFOR2,
                                             NDB_CODEC_PFOR2, NDB_CODEC_PFOR2};
    static const uint32_t pos[SEG_NFMT] = {NDB_POS_BYLIST2, NDB_POS_GROUPS, NDB_POS_DLBOUND,
                                           NDB_POS_BYLIST,  NDB_POS_GROUPS, NDB_POS_GROUPS2,
                                           NDB_POS_RADIX,   NDB_POS_BYLIST2};
    static const uint16_t minor[SEG_NFMT] = {5, 0, 1, 2, 1, 3, 5, 4};
    cr_assert_eq(s->codec->id, codec[which]);
    cr_assert_eq(s->pos_fmt, pos[which]);
    cr_assert_eq(s->skip_ratio, minor[which] == 5, "skip entries with min_dlr");
    cr_assert_eq(ndb_get_u16le(s->p + 10), minor[which], "header minor version");
}

/* Segments written in each format read back equal to the oracle, and say which they are
** in their header and trailer. */
static void roundtrip_fmt(int which, uint32_t ndocs, size_t vocab, uint32_t maxlen, uint64_t seed)
{
    orc o;
    ndb_segw *w = NULL;
    seg_fmt_env(which);
    orc_init(&o, vocab, seed);
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    orc_gen(&o, ndocs, maxlen, &w, NULL, 1, false);
    ndb_seg *s = write_open(w, "seg-d.ndx");
    seg_fmt_assert(s, which);
    orc_check_seg(&o, s);
    if ((which == 0 || which == 3) && ndocs > 1) {
        /* BYLIST2, BYLIST: both list formats were written and read back */
        uint32_t fmt = which ? NDB_POS_BYLIST : NDB_POS_BYLIST2;
        uint32_t rare = which ? NDB_POS_DLBOUND : NDB_POS_RADIX;
        size_t kinds[8] = {0};
        for (size_t i = 0; i < o.nt; i++)
            if (o.t[i].nd > 0)
                kinds[ndb_pos_fmt_of_list(fmt, o.t[i].nd, o.t[i].np)]++;
        cr_assert(kinds[rare] > 0 && kinds[ndb_pos_fmt_of_list(fmt, 1, 2)] > 0,
                  "lists of either format: %zu, %zu", kinds[rare],
                  kinds[ndb_pos_fmt_of_list(fmt, 1, 2)]);
    }
    ndb_seg_unref(s);
    ndb_segw_free(w);
    orc_free(&o);
    seg_fmt_env(0);
}

Test(index, roundtrip_each_format)
{
    for (int which = 0; which < SEG_NFMT; which++) {
        roundtrip_fmt(which, 3000, 40, 80, ndb_test_seed(21));
        roundtrip_fmt(which, 1500, 30000, 300, ndb_test_seed(22));
        roundtrip_fmt(which, 1, 10, 30, ndb_test_seed(23));
    }
}

Test(index, one_doc)
{
    roundtrip(1, 10, 30, 0, false, ndb_test_seed(4));
}

Test(index, empty_segment)
{
    ndb_segw *w = NULL;
    cr_assert_eq(ndb_segw_new(77, &w), NDB_OK);
    ndb_seg *s = write_open(w, "seg-e.ndx");
    ndb_term_info ti;
    orc_names got = {0};
    cr_assert_eq(ndb_seg_base(s), 77);
    cr_assert_eq(ndb_seg_ndocs(s), 0);
    cr_assert_eq(ndb_seg_nterms(s), 0);
    cr_assert(!ndb_seg_term(s, "a", 1, &ti));
    cr_assert_eq(ndb_seg_prefix(s, "", 0, orc_collect, &got), NDB_OK);
    cr_assert_eq(got.n, 0);
    cr_assert_eq(ndb_seg_doclen(s, 77), 0);
    ndb_seg_unref(s);
    ndb_segw_free(w);
}

Test(index, nonzero_base_global_ids)
{
    ndb_segw *w = NULL;
    ndb_cursor *c = NULL;
    ndb_term_info ti;
    cr_assert_eq(ndb_segw_new(1000000, &w), NDB_OK);
    for (uint32_t d = 0; d < 300; d++) {
        cr_assert_eq(ndb_segw_begin_doc(w, 1000000 + d), NDB_OK);
        cr_assert_eq(ndb_segw_add_token(w, "x", 1, 0), NDB_OK);
        if (d % 3 == 0)
            cr_assert_eq(ndb_segw_add_token(w, "y", 1, 1), NDB_OK);
        cr_assert_eq(ndb_segw_end_doc(w, 2 + d % 5), NDB_OK);
    }
    ndb_seg *s = write_open(w, "seg-b.ndx");
    cr_assert(ndb_seg_term(s, "y", 1, &ti));
    cr_assert_eq(ti.df, 100);
    cr_assert_eq(ti.min_dl, 2);
    cr_assert_eq(ndb_seg_cursor(s, &ti, false, &c), NDB_OK);
    cr_assert_eq(ndb_cursor_seek_geq(c, 5), 1000000);
    cr_assert_eq(ndb_cursor_seek_geq(c, 1000001), 1000003);
    cr_assert_eq(ndb_cursor_block_seek(c, 0), 1000000 + 297); /* 100 docs: one block */
    cr_assert_eq(ndb_cursor_seek_geq(c, 2000000), NDB_DOC_END);
    ndb_cursor_close(c);
    cr_assert_eq(ndb_seg_doclen(s, 1000004), 2 + 4 % 5);
    ndb_seg_unref(s);
    ndb_segw_free(w);
}

Test(index, prefix_enumeration)
{
    uint64_t seed = ndb_test_seed(5), st = seed;
    orc o;
    ndb_segw *w = NULL;
    orc_init(&o, 3000, seed);
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    orc_gen(&o, 800, 100, &w, NULL, 1, false);
    ndb_seg *s = write_open(w, "seg-p.ndx");
    const char *fixed[] = {"", "a", "b", "ba", "hhh", "z", "zz", "q", "\x80", "\xff"};
    for (size_t k = 0; k < 10 + 200; k++) {
        char p[8] = {0};
        if (k < 10) {
            strcpy(p, fixed[k]);
        } else {
            const orc_term *t = &o.t[ndb_rand_next(&st) % o.nt];
            size_t pn = 1 + ndb_rand_next(&st) % NDB_MIN(t->n, 5);
            memcpy(p, t->s, pn);
        }
        orc_names got = {0}, want = {0};
        cr_assert_eq(ndb_seg_prefix(s, p, strlen(p), orc_collect, &got), NDB_OK);
        orc_expect_prefix(&o, p, 0, o.ndocs, &want);
        orc_names_eq(&got, &want, p, seed);
        orc_names_free(&got);
        orc_names_free(&want);
    }
    ndb_seg_unref(s);
    ndb_segw_free(w);
    orc_free(&o);
}

static ndb_rc stop_after_3(void *ctx, const char *t, size_t n)
{
    (void)t;
    (void)n;
    return ++*(int *)ctx == 3 ? NDB_ELIMIT : NDB_OK;
}

Test(index, prefix_callback_stops_walk)
{
    ndb_segw *w = NULL;
    int calls = 0;
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    cr_assert_eq(ndb_segw_begin_doc(w, 0), NDB_OK);
    const char *terms[] = {"aa", "ab", "ac", "ad", "ae"};
    for (uint32_t i = 0; i < 5; i++)
        cr_assert_eq(ndb_segw_add_token(w, terms[i], 2, i), NDB_OK);
    cr_assert_eq(ndb_segw_end_doc(w, 5), NDB_OK);
    ndb_seg *s = write_open(w, "seg-s.ndx");
    cr_assert_eq(ndb_seg_prefix(s, "a", 1, stop_after_3, &calls), NDB_ELIMIT);
    cr_assert_eq(calls, 3);
    calls = 0;
    cr_assert_eq(ndb_index_prefix(&s, 1, "a", 1, stop_after_3, &calls, NULL), NDB_ELIMIT);
    cr_assert_eq(calls, 3);
    ndb_seg_unref(s);
    ndb_segw_free(w);
}

Test(index, writer_rejects_misuse)
{
    ndb_segw *w = NULL;
    char big[NDB_TERM_MAX + 2];
    ndb_err err;
    memset(big, 'x', sizeof big);
    cr_assert_eq(ndb_segw_new(10, &w), NDB_OK);
    cr_assert_eq(ndb_segw_add_token(w, "a", 1, 0), NDB_EINVAL, "token outside a doc");
    cr_assert_eq(ndb_segw_end_doc(w, 1), NDB_EINVAL, "end without begin");
    cr_assert_eq(ndb_segw_begin_doc(w, 11), NDB_EINVAL, "id gap");
    cr_assert_eq(ndb_segw_begin_doc(w, 10), NDB_OK);
    cr_assert_eq(ndb_segw_begin_doc(w, 11), NDB_EINVAL, "nested doc");
    cr_assert_eq(ndb_segw_add_token(w, "", 0, 0), NDB_EINVAL, "empty term");
    cr_assert_eq(ndb_segw_add_token(w, big, NDB_TERM_MAX + 1, 0), NDB_EINVAL, "long term");
    cr_assert_eq(ndb_segw_add_token(w, big, NDB_TERM_MAX, 0), NDB_OK);
    cr_assert_eq(ndb_segw_add_token(w, "a", 1, 5), NDB_OK);
    cr_assert_eq(ndb_segw_add_token(w, "a", 1, 5), NDB_EINVAL, "repeated position");
    cr_assert_eq(ndb_segw_write(w, ndb_vfs_default(), g_dir, "seg-x.ndx", &err), NDB_EINVAL,
                 "write inside a doc");
    cr_assert_eq(ndb_segw_end_doc(w, 2), NDB_OK);
    cr_assert_eq(ndb_segw_ndocs(w), 1);
    ndb_segw_free(w);
    ndb_segw_free(NULL);
    ndb_seg_unref(NULL);
}

/* The writer keeps a position as position + 1 (the 0 byte closes a doc in its stream), so
** it refuses UINT32_MAX, before entering a new term for it (an empty term would make the
** segment unwritable), and the doc goes on; the positions just below, and 0, come back
** exact from docs closed and open. */
Test(index, positions_at_the_top_of_the_range)
{
    ndb_segw *w = NULL;
    ndb_cursor *c = NULL;
    ndb_term_info ti;
    const uint32_t top = UINT32_MAX - 1;
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    for (uint32_t d = 0; d < 3; d++) {
        cr_assert_eq(ndb_segw_begin_doc(w, d), NDB_OK);
        cr_assert_eq(ndb_segw_add_token(w, "z", 1, 0), NDB_OK);
        cr_assert_eq(ndb_segw_add_token(w, "z", 1, top - 1), NDB_OK);
        cr_assert_eq(ndb_segw_add_token(w, "z", 1, top), NDB_OK);
        cr_assert_eq(ndb_segw_add_token(w, "y", 1, top), NDB_OK);
        cr_assert_eq(ndb_segw_add_token(w, "x", 1, UINT32_MAX), NDB_ELIMIT);
        cr_assert_eq(ndb_segw_end_doc(w, top + 1), NDB_OK);
    }
    ndb_seg *s = write_open(w, "seg-top.ndx");
    cr_assert(!ndb_seg_term(s, "x", 1, &ti));
    cr_assert(ndb_seg_term(s, "y", 1, &ti));
    cr_assert_eq(ti.df, 3);
    cr_assert(ndb_seg_term(s, "z", 1, &ti));
    cr_assert_eq(ti.df, 3);
    cr_assert_eq(ndb_seg_cursor(s, &ti, true, &c), NDB_OK);
    uint32_t d = ndb_cursor_next(c);
    for (uint32_t want = 0; want < 3; want++, d = ndb_cursor_next(c)) {
        const uint32_t *p;
        uint32_t np;
        cr_assert_eq(d, want);
        cr_assert_eq(ndb_cursor_positions(c, &p, &np), NDB_OK);
        cr_assert_eq(np, 3);
        cr_assert_eq(p[0], 0);
        cr_assert_eq(p[1], top - 1);
        cr_assert_eq(p[2], top);
    }
    cr_assert_eq(d, NDB_DOC_END);
    ndb_cursor_close(c);
    ndb_seg_unref(s);
    ndb_segw_free(w);
}

Test(index, write_io_errors_leave_nothing)
{
    orc o;
    ndb_segw *w = NULL;
    ndb_err err;
    char path[1024];
    struct stat stt;
    orc_init(&o, 500, 6);
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    orc_gen(&o, 200, 50, &w, NULL, 1, false);
    /* on one thread, then on two (a side file for the upper terms: seg-f.ndx.hi.tmp) */
    for (int split = 0; split < 2; split++) {
        if (split)
            cr_assert_eq(setenv("NEWSDB_MERGE_SPLIT_BYTES", "0", 1), 0);
        for (uint64_t k = 1; k < 60; k++) {
            ndb_vfs_fault f;
            ndb_vfs_fault_init(&f);
            f.fail_at = k;
            f.fail_errno = k % 2 ? EIO : ENOSPC;
            ndb_rc rc = ndb_segw_write(w, &f.vfs, g_dir, "seg-f.ndx", &err);
            snprintf(path, sizeof path, "%s/seg-f.ndx.tmp", g_dir);
            cr_assert(stat(path, &stt) != 0, "tmp file left after failure at %llu",
                      (unsigned long long)k);
            /* the side file's unlink is the one failure a write ignores */
            snprintf(path, sizeof path, "%s/seg-f.ndx.hi.tmp", g_dir);
            cr_assert(stat(path, &stt) != 0 || rc == NDB_OK,
                      "side file left after failure at %llu", (unsigned long long)k);
            unlink(path);
            if (rc == NDB_OK)
                break;
            cr_assert(rc == NDB_EIO || rc == NDB_ENOSPC, "fail at %llu: rc %d",
                      (unsigned long long)k, rc);
        }
    }
    cr_assert_eq(unsetenv("NEWSDB_MERGE_SPLIT_BYTES"), 0);
    /* the writer is untouched: a normal write still works and is complete */
    ndb_seg *s = write_open(w, "seg-g.ndx");
    orc_check_seg(&o, s);
    ndb_seg_unref(s);
    ndb_segw_free(w);
    orc_free(&o);
}

/* Two segment files in g_dir hold the same bytes past the header's file id, up to the
** footer's CRC (which covers the id). */
static bool seg_files_same(const char *x, const char *y)
{
    uint8_t *a = NULL, *b = NULL;
    size_t an = 0, bn = 0;
    char pa[1024], pb[1024];
    bool same;
    snprintf(pa, sizeof pa, "%s/%s", g_dir, x);
    snprintf(pb, sizeof pb, "%s/%s", g_dir, y);
    cr_assert_eq(ndb_vfs_read_file(ndb_vfs_default(), pa, SIZE_MAX, &a, &an, NULL), NDB_OK);
    cr_assert_eq(ndb_vfs_read_file(ndb_vfs_default(), pb, SIZE_MAX, &b, &bn, NULL), NDB_OK);
    same = an == bn && an > 36 && memcmp(a + 32, b + 32, an - 32 - 4) == 0;
    ndb_free(a);
    ndb_free(b);
    return same;
}

/* Big in-memory segments write their upper half of the terms on a second thread into a
** side file spliced in (segw.c): forced here on small ones, the file must be the same bytes
** as the one-thread write, in every format, with no side file left behind. */
Test(index, flush_on_two_threads_equals_one_thread)
{
    char path[1024];
    struct stat stt;
    for (int which = 0; which < SEG_NFMT; which++) {
        orc o;
        ndb_segw *w = NULL;
        seg_fmt_env(which);
        orc_init(&o, which == 1 ? 30000 : 400, ndb_test_seed(31) + (uint64_t)which);
        cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
        orc_gen(&o, 1500, 200, &w, NULL, 1, false);
        cr_assert_eq(setenv("NEWSDB_MERGE_SPLIT_BYTES", "99999999999", 1), 0);
        ndb_seg *one = write_open(w, "seg-1.ndx");
        cr_assert_eq(setenv("NEWSDB_MERGE_SPLIT_BYTES", "0", 1), 0);
        ndb_seg *two = write_open(w, "seg-2.ndx");
        cr_assert_eq(unsetenv("NEWSDB_MERGE_SPLIT_BYTES"), 0);
        seg_fmt_assert(two, which);
        orc_check_seg(&o, two);
        cr_assert(seg_files_same("seg-1.ndx", "seg-2.ndx"),
                  "format %d: two-thread write differs from one thread", which);
        snprintf(path, sizeof path, "%s/seg-2.ndx.hi.tmp", g_dir);
        cr_assert(stat(path, &stt) != 0, "the second thread's side file was left behind");
        ndb_seg_unref(one);
        ndb_seg_unref(two);
        ndb_segw_free(w);
        orc_free(&o);
    }
    seg_fmt_env(0);
}

/* ------------------------------------------------------------ merge and multi */

/* fmts: 0 every segment in the default format; 1..SEG_NFMT the inputs cycle through the
** formats of seg_fmt_env and the merge writes format fmts - 1. */
static void merge_case(size_t k, uint64_t seed, int fmts)
{
    orc o;
    ndb_segw *w[6] = {0}, *all = NULL;
    ndb_seg *segs[6] = {0};
    uint32_t cuts[6];
    uint32_t ndocs = 1500;
    uint64_t st = seed;
    ndb_err err;
    char name[64];

    orc_init(&o, 400, seed);
    /* k ranges with random cuts (one may be tiny) */
    for (size_t i = 0; i + 1 < k; i++)
        cuts[i] = (uint32_t)((i + 1) * ndocs / k) - (uint32_t)(ndb_rand_next(&st) % 50);
    cuts[k - 1] = ndocs;
    for (size_t i = 0; i < k; i++)
        cr_assert_eq(ndb_segw_new(i == 0 ? 0 : cuts[i - 1], &w[i]), NDB_OK);
    orc_gen(&o, ndocs, 60, w, cuts, k, false);
    for (size_t i = 0; i < k; i++) {
        snprintf(name, sizeof name, "seg-%zu.ndx", i);
        int which = fmts ? (int)((i + (size_t)fmts) % SEG_NFMT) : 0;
        seg_fmt_env(which);
        segs[i] = write_open(w[i], name);
        seg_fmt_assert(segs[i], which);
        orc_check_seg(&o, segs[i]);
    }
    seg_fmt_env(fmts ? fmts - 1 : 0);
    cr_assert_eq(ndb_seg_merge(ndb_vfs_default(), g_dir, segs, k, "seg-m.ndx", &err), NDB_OK, "%s",
                 err.msg);
    ndb_seg *m = NULL;
    int problems = 0;
    cr_assert_eq(ndb_seg_open(ndb_vfs_default(), g_dir, "seg-m.ndx", &m, &err), NDB_OK);
    seg_fmt_assert(m, fmts ? fmts - 1 : 0);
    cr_assert_eq(ndb_seg_check(m, report_print, &problems, &err), NDB_OK, "%s", err.msg);
    cr_assert_eq(ndb_seg_ndocs(m), ndocs);
    orc_check_seg(&o, m);

    /* one segment built from all docs: identical bytes apart from file id and CRC */
    orc o2;
    orc_init(&o2, 400, seed);
    cr_assert_eq(ndb_segw_new(0, &all), NDB_OK);
    orc_gen(&o2, ndocs, 60, &all, NULL, 1, false);
    ndb_seg *one = write_open(all, "seg-1.ndx"); /* in the merge's format */
    seg_fmt_env(0);
    cr_assert_eq(ndb_seg_bytes(one), ndb_seg_bytes(m));
    cr_assert_eq(ndb_seg_nterms(one), ndb_seg_nterms(m));
    cr_assert_eq(ndb_seg_total_len(one), ndb_seg_total_len(m));
    cr_assert(seg_files_same("seg-1.ndx", "seg-m.ndx"),
              "merged body differs from a direct build NDB_SEED=%llu", (unsigned long long)seed);

    /* multi-segment cursors over the k inputs equal the oracle (and so the merged one) */
    for (size_t i = 0; i < o.nt; i++) {
        const orc_term *t = &o.t[i];
        ndb_cursor *c = NULL;
        cr_assert_eq(ndb_index_term_cursor(segs, k, t->s, t->n, true, &c, &err), NDB_OK);
        if (t->nd == 0) {
            cr_assert_null(c, "absent term %s has a cursor", t->s);
            continue;
        }
        cr_assert_not_null(c);
        cr_assert_eq(c->df, t->nd);
        uint32_t mt = 0;
        for (size_t j = 0; j < t->nd; j++)
            mt = NDB_MAX(mt, t->freqs[j]);
        cr_assert_eq(c->max_tf, mt);
        orc_walk(c, &o, t, 0, t->nd);
        ndb_cursor_close(c);
        cr_assert_eq(ndb_index_term_cursor(segs, k, t->s, t->n, true, &c, &err), NDB_OK);
        orc_seeks(c, &o, t, 0, t->nd, k == 1, segs[0]->skip_ratio, &st);
        ndb_cursor_close(c);
    }
    ndb_cursor *none = (ndb_cursor *)1;
    cr_assert_eq(ndb_index_term_cursor(segs, k, "nope", 4, false, &none, &err), NDB_OK);
    cr_assert_null(none);
    const char *pfx[] = {"", "a", "bc", "h", "z", "q"};
    for (size_t i = 0; i < 6; i++) {
        orc_names got = {0}, want = {0};
        cr_assert_eq(ndb_index_prefix(segs, k, pfx[i], strlen(pfx[i]), orc_collect, &got, &err),
                     NDB_OK);
        orc_expect_prefix(&o, pfx[i], 0, ndocs, &want);
        orc_names_eq(&got, &want, pfx[i], seed);
        orc_names_free(&got);
        orc_names_free(&want);
    }
    for (size_t i = 0; i < k; i++) {
        ndb_seg_unref(segs[i]);
        ndb_segw_free(w[i]);
    }
    ndb_seg_unref(m);
    ndb_seg_unref(one);
    ndb_segw_free(all);
    orc_free(&o);
    orc_free(&o2);
}

Test(index, merge_2_to_5_equals_single_build)
{
    uint64_t seed = ndb_test_seed(7);
    for (size_t k = 1; k <= 5; k++)
        merge_case(k, seed + k, 0);
}

Test(index, merge_mixed_position_formats)
{
    uint64_t seed = ndb_test_seed(17);
    for (size_t k = 2; k <= 4; k++)
        for (int fmts = 1; fmts <= SEG_NFMT; fmts++)
            merge_case(k, seed + 10 * (uint64_t)fmts + k, fmts);
}

/* Big merges run their upper half of the terms on a second thread into a side file spliced
** in at the end (seg_merge.c): forced here on small inputs, the result must be the same
** bytes as the one-thread merge and the direct build, in every format, with no side file
** left behind. */
Test(index, merge_on_two_threads_equals_single_build)
{
    uint64_t seed = ndb_test_seed(27);
    char path[1024];
    struct stat stt;
    cr_assert_eq(setenv("NEWSDB_MERGE_SPLIT_BYTES", "0", 1), 0);
    for (size_t k = 1; k <= 5; k++)
        merge_case(k, seed + k, 0);
    for (int fmts = 1; fmts <= SEG_NFMT; fmts++)
        merge_case(3, seed + 10 * (uint64_t)fmts, fmts);
    unsetenv("NEWSDB_MERGE_SPLIT_BYTES");
    snprintf(path, sizeof path, "%s/seg-m.ndx.hi.tmp", g_dir);
    cr_assert(stat(path, &stt) != 0, "the second thread's side file was left behind");
}

/* A two-thread merge that meets a write or sync error fails with it and leaves neither its
** output nor its side file behind; the inputs stay usable. */
Test(index, merge_on_two_threads_io_errors_leave_nothing)
{
    orc o;
    ndb_segw *w[2] = {0};
    ndb_seg *segs[2] = {0};
    uint32_t cuts[2] = {100, 200};
    ndb_err err;
    char path[1024];
    struct stat stt;
    bool ok = false;
    orc_init(&o, 500, 8);
    cr_assert_eq(ndb_segw_new(0, &w[0]), NDB_OK);
    cr_assert_eq(ndb_segw_new(100, &w[1]), NDB_OK);
    orc_gen(&o, 200, 50, w, cuts, 2, false);
    segs[0] = write_open(w[0], "seg-a.ndx");
    segs[1] = write_open(w[1], "seg-b.ndx");
    cr_assert_eq(setenv("NEWSDB_MERGE_SPLIT_BYTES", "0", 1), 0);
    for (uint64_t k = 1; k < 60 && !ok; k++) {
        ndb_vfs_fault f;
        ndb_vfs_fault_init(&f);
        f.fail_at = k;
        f.fail_errno = k % 2 ? EIO : ENOSPC;
        ndb_rc rc = ndb_seg_merge(&f.vfs, g_dir, segs, 2, "seg-f.ndx", &err);
        snprintf(path, sizeof path, "%s/seg-f.ndx.tmp", g_dir);
        cr_assert(stat(path, &stt) != 0, "tmp file left after failure at %llu",
                  (unsigned long long)k);
        ok = rc == NDB_OK;
        cr_assert(ok || rc == NDB_EIO || rc == NDB_ENOSPC, "fail at %llu: rc %d",
                  (unsigned long long)k, rc);
        snprintf(path, sizeof path, "%s/seg-f.ndx.hi.tmp", g_dir);
        /* the side file's unlink is the one failure a merge ignores: a merge that got
        ** through may leave it (a writer's open deletes stray .tmp files), nothing else */
        cr_assert(stat(path, &stt) != 0 || (ok && f.count >= k),
                  "side file left after failure at %llu", (unsigned long long)k);
        if (ok && stat(path, &stt) == 0) {
            cr_assert_eq(unlink(path), 0);
            ok = false; /* the injected failure was not seen by the merge: go on */
            ndb_seg *m = NULL;
            cr_assert_eq(ndb_seg_open(ndb_vfs_default(), g_dir, "seg-f.ndx", &m, &err), NDB_OK);
            orc_check_seg(&o, m);
            ndb_seg_unref(m);
        }
    }
    unsetenv("NEWSDB_MERGE_SPLIT_BYTES");
    cr_assert(ok, "the merge never got through");
    ndb_seg *m = NULL;
    cr_assert_eq(ndb_seg_open(ndb_vfs_default(), g_dir, "seg-f.ndx", &m, &err), NDB_OK);
    orc_check_seg(&o, m);
    ndb_seg_unref(m);
    for (size_t i = 0; i < 2; i++) {
        ndb_seg_unref(segs[i]);
        ndb_segw_free(w[i]);
    }
    orc_free(&o);
}

Test(index, merge_rejects_gaps)
{
    ndb_segw *a = NULL, *b = NULL;
    ndb_seg *s[2];
    ndb_err err;
    cr_assert_eq(ndb_segw_new(0, &a), NDB_OK);
    cr_assert_eq(ndb_segw_new(5, &b), NDB_OK);
    cr_assert_eq(ndb_segw_begin_doc(a, 0), NDB_OK);
    cr_assert_eq(ndb_segw_end_doc(a, 0), NDB_OK);
    cr_assert_eq(ndb_segw_begin_doc(b, 5), NDB_OK);
    cr_assert_eq(ndb_segw_end_doc(b, 0), NDB_OK);
    s[0] = write_open(a, "seg-a.ndx");
    s[1] = write_open(b, "seg-b.ndx");
    cr_assert_eq(ndb_seg_merge(ndb_vfs_default(), g_dir, s, 2, "seg-m.ndx", &err), NDB_EINVAL);
    cr_assert_eq(ndb_seg_merge(ndb_vfs_default(), g_dir, s, 0, "seg-m.ndx", &err), NDB_EINVAL);
    ndb_seg_unref(s[0]);
    ndb_seg_unref(s[1]);
    ndb_segw_free(a);
    ndb_segw_free(b);
}

/* ------------------------------------------------------------ corruption */

/* Walk everything a reader can touch; must never crash (ASan build). */
static ndb_rc walk_term(void *ctx, const char *t, size_t n)
{
    ndb_seg *s = ctx;
    ndb_term_info ti;
    ndb_cursor *c = NULL;
    if (!ndb_seg_term(s, t, n, &ti) || ndb_seg_cursor(s, &ti, true, &c) != NDB_OK)
        return NDB_OK;
    for (uint32_t d = ndb_cursor_next(c); d != NDB_DOC_END; d = ndb_cursor_next(c)) {
        const uint32_t *p;
        uint32_t np;
        (void)ndb_cursor_positions(c, &p, &np);
        (void)ndb_cursor_block_seek(c, d + 7);
        (void)ndb_cursor_block_max_tf(c);
        (void)ndb_seg_doclen(s, d);
    }
    ndb_cursor_close(c);
    return NDB_OK;
}

static void corrupt_every_byte(uint64_t seed)
{
    uint64_t st = seed;
    orc o;
    ndb_segw *w = NULL;
    uint8_t *img = NULL;
    size_t n = 0;
    char path[1024];
    orc_init(&o, 30, seed);
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    orc_gen(&o, 300, 12, &w, NULL, 1, false);
    ndb_seg *s0 = write_open(w, "seg-c.ndx");
    ndb_seg_unref(s0);
    snprintf(path, sizeof path, "%s/seg-c.ndx", g_dir);
    cr_assert_eq(ndb_vfs_read_file(ndb_vfs_default(), path, SIZE_MAX, &img, &n, NULL), NDB_OK);
    for (size_t i = 0; i < n; i++) {
        uint8_t keep = img[i];
        img[i] ^= (uint8_t)(1u << (ndb_rand_next(&st) % 8));
        FILE *f = fopen(path, "wb");
        cr_assert(f && fwrite(img, 1, n, f) == n && fclose(f) == 0);
        ndb_seg *s = NULL;
        ndb_err err;
        if (ndb_seg_open(ndb_vfs_default(), g_dir, "seg-c.ndx", &s, &err) == NDB_OK) {
            int problems = 0;
            (void)ndb_seg_prefix(s, "", 0, walk_term, s);
            ndb_cursor *c = NULL;
            (void)ndb_index_term_cursor(&s, 1, "b", 1, true, &c, NULL);
            ndb_cursor_close(c);
            cr_assert_eq(ndb_seg_check(s, report_quiet, &problems, &err), NDB_ECORRUPT,
                         "flip at byte %zu of %zu not caught NDB_SEED=%llu", i, n,
                         (unsigned long long)seed);
            cr_assert(problems > 0);
            ndb_seg_unref(s);
        }
        img[i] = keep;
    }
    /* truncations */
    for (size_t cut = 0; cut < n; cut += 1 + cut / 4) {
        FILE *f = fopen(path, "wb");
        cr_assert(f && fwrite(img, 1, cut, f) == cut && fclose(f) == 0);
        ndb_seg *s = NULL;
        cr_assert_neq(ndb_seg_open(ndb_vfs_default(), g_dir, "seg-c.ndx", &s, NULL), NDB_OK,
                      "truncated to %zu opened", cut);
    }
    ndb_free(img);
    ndb_segw_free(w);
    orc_free(&o);
}

Test(index, corrupt_every_byte_is_caught)
{
    corrupt_every_byte(ndb_test_seed(8));
}

Test(index, corrupt_every_byte_is_caught_dlbound)
{
    seg_fmt_env(2);
    corrupt_every_byte(ndb_test_seed(18));
}

/* Bytes flipped in the postings with the CRC recomputed: readers and check must survive;
** check must not crash (it may or may not notice a self-consistent change). */
static void corrupt_valid_crc(uint64_t seed)
{
    uint64_t st = seed;
    orc o;
    ndb_segw *w = NULL;
    uint8_t *img = NULL;
    size_t n = 0;
    char path[1024];
    orc_init(&o, 20, seed);
    cr_assert_eq(ndb_segw_new(0, &w), NDB_OK);
    orc_gen(&o, 600, 10, &w, NULL, 1, false);
    ndb_seg *s0 = write_open(w, "seg-v.ndx");
    ndb_seg_unref(s0);
    snprintf(path, sizeof path, "%s/seg-v.ndx", g_dir);
    cr_assert_eq(ndb_vfs_read_file(ndb_vfs_default(), path, SIZE_MAX, &img, &n, NULL), NDB_OK);
    int caught = 0;
    for (int round = 0; round < 600; round++) {
        size_t i = 32 + ndb_rand_next(&st) % (n - 32 - 12);
        uint8_t keep = img[i];
        img[i] ^= (uint8_t)(1u << (ndb_rand_next(&st) % 8));
        ndb_put_u32le(img + n - 4, ndb_crc32c(0, img, n - 4));
        FILE *f = fopen(path, "wb");
        cr_assert(f && fwrite(img, 1, n, f) == n && fclose(f) == 0);
        ndb_seg *s = NULL;
        if (ndb_seg_open(ndb_vfs_default(), g_dir, "seg-v.ndx", &s, NULL) == NDB_OK) {
            int problems = 0;
            (void)ndb_seg_prefix(s, "", 0, walk_term, s);
            if (ndb_seg_check(s, report_quiet, &problems, NULL) == NDB_ECORRUPT)
                caught++;
            ndb_seg_unref(s);
        } else {
            caught++;
        }
        img[i] = keep;
    }
    cr_assert(caught > 300, "only %d of 600 self-checksummed flips detected", caught);
    ndb_free(img);
    ndb_segw_free(w);
    orc_free(&o);
}

Test(index, corrupt_postings_with_valid_crc_never_crash)
{
    corrupt_valid_crc(ndb_test_seed(9));
}

Test(index, corrupt_postings_with_valid_crc_never_crash_other_formats)
{
    seg_fmt_env(1);
    corrupt_valid_crc(ndb_test_seed(29));
    seg_fmt_env(2);
    corrupt_valid_crc(ndb_test_seed(19));
}
