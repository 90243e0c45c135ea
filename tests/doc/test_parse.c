/*
** test_parse.c — the native format (src/doc/parse.c): the shared example, every error class
** with its message, the lenient cases (CRLF, extra blank lines, no final newline), the
** count mismatch in both modes, and the round trip serialize(parse(x)) == x over seeded
** random canonical articles (NDB_SEED=<n> printed on failure).
*/
#include "doc/doc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static ndb_rc parse_str(const char *s, bool strict, ndb_article *a, ndb_err *err)
{
    return ndb_doc_parse("t.txt", (const uint8_t *)s, strlen(s), strict, a, err);
}

static void roundtrip(const ndb_article *a, const uint8_t *p, size_t n)
{
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    cr_assert_eq(ndb_doc_serialize(a->url, a->lead_bytes, a->para_declared, a->paras,
                                   a->n_paras, &b),
                 NDB_OK);
    cr_expect(b.n == n && memcmp(b.p, p, n) == 0, "round trip differs (%zu vs %zu bytes)", b.n,
              n);
    ndb_buf_fini(&b);
}

Test(doc, parse_example)
{
    char path[512];
    const char *shared = getenv("NEWSDB_SHARED");
    snprintf(path, sizeof path, "%s/examples/presstv-2016-10-11-488571.txt",
             shared != NULL ? shared : "../shared");
    uint8_t *p = NULL;
    size_t n = 0;
    if (ndb_vfs_read_file(ndb_vfs_default(), path, 1 << 20, &p, &n, NULL) != NDB_OK) {
        cr_skip("%s absent (set NEWSDB_SHARED): example check skipped", path);
        return;
    }
    ndb_article a;
    ndb_err err;
    ndb_doc_article_init(&a);
    cr_assert_eq(ndb_doc_parse("presstv.txt", p, n, true, &a, &err), NDB_OK, "%s", err.msg);
    cr_expect(a.url.n == 69 && memcmp(a.url.p, "http://presstv.com/Detail/2016/10/11/488571/", 44) == 0);
    cr_expect_eq(a.lead_bytes, 161);
    cr_expect_eq(a.para_declared, 16);
    cr_expect_eq(a.n_paras, 16);
    cr_expect(!a.count_mismatch);
    /* the shared example has no final newline: accepted, but not canonical */
    cr_expect(!a.canonical);
    cr_expect(p[n - 1] != '\n');
    cr_expect_eq((int64_t)a.paras[0].n + 1, a.lead_bytes);
    cr_expect_str_eq(a.outlet, "presstv.com");
    char d[16];
    ndb_date_format(a.date, d, sizeof d);
    cr_expect_str_eq(d, "2016-10-11");
    uint8_t *q = ndb_malloc(n + 1);
    cr_assert_not_null(q);
    memcpy(q, p, n);
    q[n] = '\n';
    roundtrip(&a, q, n + 1); /* serialize adds the final newline */
    ndb_free(q);
    ndb_doc_article_fini(&a);
    ndb_free(p);
}

Test(doc, parse_errors)
{
    static const struct {
        const char *in;
        ndb_rc rc;
        const char *msg;
    } cases[] = {
        {"", NDB_EPARSE, "t.txt:1: empty input"},
        {"http://x.com/a", NDB_EPARSE, "t.txt:1: missing header lines: no newline after the URL"},
        {"http://x.com/a\n12\n", NDB_EPARSE, "t.txt:3: missing header lines"},
        {"\n12\n1\nbody\n", NDB_EPARSE, "t.txt:1: URL line is empty"},
        {"http://x.com/a b\n12\n1\nbody\n", NDB_EPARSE, "t.txt:1: URL contains a space 0x20 at column 15"},
        {"http://x.com/\ta\n12\n1\nbody\n", NDB_EPARSE, "t.txt:1: URL contains a control byte 0x09"},
        {"http://x.com/a\n12a\n1\nbody\n", NDB_EPARSE,
         "t.txt:2: lead-bytes line is not an integer: \"12a\""},
        {"http://x.com/a\n\n1\nbody\n", NDB_EPARSE, "t.txt:2: lead-bytes line is empty"},
        {"http://x.com/a\n-5\n1\nbody\n", NDB_EPARSE, "t.txt:2: lead-bytes is negative: \"-5\""},
        {"http://x.com/a\n+5\n1\nbody\n", NDB_EPARSE, "t.txt:2: lead-bytes line is not an integer"},
        {"http://x.com/a\n 5\n1\nbody\n", NDB_EPARSE, "t.txt:2: lead-bytes line is not an integer"},
        {"http://x.com/a\n9223372036854775808\n1\nbody\n", NDB_EPARSE,
         "t.txt:2: lead-bytes overflows int64"},
        {"http://x.com/a\n5\nx\nbody\n", NDB_EPARSE,
         "t.txt:3: paragraph-count line is not an integer: \"x\""},
        {"http://x.com/a\n5\n-1\nbody\n", NDB_EPARSE, "t.txt:3: paragraph-count is negative"},
        {"http://x.com/a\n5\n1\n", NDB_EPARSE, "t.txt:4: no body: no paragraph after the header"},
        {"http://x.com/a\n5\n1\n\n\n", NDB_EPARSE, "t.txt:4: no body"},
        {"http://x.com/a\n5\n1\n  \n", NDB_EPARSE, "t.txt:4: no body: paragraphs hold only whitespace"},
        {"http://x.com/a\n5\n1\nbody \xff here\n", NDB_EPARSE,
         "t.txt:4: invalid UTF-8 at byte offset 24"},
        {"http://x.com/a\n5\n1\nok\n\nbad \xc0\xaf\n", NDB_EPARSE,
         "t.txt:6: invalid UTF-8 at byte offset 27"},
        {"http://x.com/a\n5\n1\nsurrogate \xed\xa0\x80\n", NDB_EPARSE, "t.txt:4: invalid UTF-8"},
        {"http://x.com/a\n5\n2\nbody\n", NDB_EPARSE, "t.txt:3: paragraph count says 2, found 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ndb_article a;
        ndb_err err;
        ndb_doc_article_init(&a);
        ndb_rc rc = parse_str(cases[i].in, true, &a, &err);
        cr_expect_eq(rc, cases[i].rc, "case %zu: rc %d", i, rc);
        cr_expect(strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) == 0,
                  "case %zu: message \"%s\", want prefix \"%s\"", i, err.msg, cases[i].msg);
        cr_expect_null(a.paras);
        cr_expect_eq(a.n_paras, 0);
        ndb_doc_article_fini(&a);
    }
    /* a NUL byte (not expressible with strlen) */
    ndb_article a;
    ndb_err err;
    ndb_doc_article_init(&a);
    static const char nul[] = "http://x.com/a\n5\n1\nab\0cd\n";
    cr_expect_eq(ndb_doc_parse("t.txt", (const uint8_t *)nul, sizeof nul - 1, false, &a, &err),
                 NDB_EPARSE);
    cr_expect_str_eq(err.msg, "t.txt:4: NUL byte at byte offset 21");
    ndb_doc_article_fini(&a);
}

Test(doc, parse_too_big)
{
    size_t n = (size_t)NDB_DOC_MAX_BYTES + 1;
    uint8_t *p = ndb_malloc(n);
    cr_assert_not_null(p);
    memset(p, 'a', n);
    ndb_article a;
    ndb_err err;
    ndb_doc_article_init(&a);
    cr_expect_eq(ndb_doc_parse("big.txt", p, n, false, &a, &err), NDB_ELIMIT);
    cr_expect(strstr(err.msg, "big.txt: article is 16777217 bytes") != NULL, "%s", err.msg);
    ndb_doc_article_fini(&a);
    ndb_free(p);
}

static void expect_paras(const ndb_article *a, const char *const *want, uint32_t n)
{
    cr_assert_eq(a->n_paras, n, "got %u paragraphs, want %u", a->n_paras, n);
    for (uint32_t i = 0; i < n; i++) {
        cr_expect(a->paras[i].n == strlen(want[i]) &&
                      memcmp(a->paras[i].p, want[i], a->paras[i].n) == 0,
                  "paragraph %u: \"%.*s\", want \"%s\"", i, (int)a->paras[i].n,
                  (const char *)a->paras[i].p, want[i]);
    }
}

Test(doc, parse_lenient)
{
    ndb_article a;
    ndb_err err;
    ndb_doc_article_init(&a);
    static const char *const two[] = {"one", "two"};

    /* canonical */
    cr_assert_eq(parse_str("u:x\n4\n2\none\n\ntwo\n", true, &a, &err), NDB_OK, "%s", err.msg);
    expect_paras(&a, two, 2);
    cr_expect(a.canonical);
    /* CRLF everywhere */
    cr_assert_eq(parse_str("u:x\r\n4\r\n2\r\none\r\n\r\ntwo\r\n", true, &a, &err), NDB_OK, "%s",
                 err.msg);
    cr_expect(a.url.n == 3);
    expect_paras(&a, two, 2);
    cr_expect(!a.canonical);
    /* missing final newline */
    cr_assert_eq(parse_str("u:x\n4\n2\none\n\ntwo", true, &a, &err), NDB_OK);
    expect_paras(&a, two, 2);
    cr_expect(!a.canonical);
    /* extra blank lines: before, between, after */
    cr_assert_eq(parse_str("u:x\n4\n2\n\n\none\n\n\n\ntwo\n\n\n", true, &a, &err), NDB_OK);
    expect_paras(&a, two, 2);
    cr_expect(!a.canonical);
    /* a paragraph of several lines keeps its inner newline */
    static const char *const multi[] = {"one\nstill one", "two"};
    cr_assert_eq(parse_str("u:x\n4\n2\none\nstill one\n\ntwo\n", true, &a, &err), NDB_OK);
    expect_paras(&a, multi, 2);
    cr_expect(a.canonical);
    /* CRLF between the lines of one paragraph stays inside it (and round-trips) */
    static const char *const inner[] = {"one\r\nline two", "x"};
    cr_assert_eq(parse_str("u:x\n4\n2\none\r\nline two\n\nx\n", true, &a, &err), NDB_OK);
    expect_paras(&a, inner, 2);
    cr_expect(a.canonical);
    /* trailing CRs (several, or at the end of input) are line ending */
    static const char *const crs[] = {"one", "two"};
    cr_assert_eq(parse_str("u:x\n4\n2\none\r\r\n\r\ntwo\r", true, &a, &err), NDB_OK);
    expect_paras(&a, crs, 2);
    cr_expect(!a.canonical);
    /* leading zeros are accepted but not canonical */
    cr_assert_eq(parse_str("u:x\n004\n02\none\n\ntwo\n", true, &a, &err), NDB_OK);
    cr_expect(a.lead_bytes == 4 && a.para_declared == 2 && !a.canonical);
    /* whitespace-only paragraph next to text is kept as found */
    static const char *const ws[] = {"  ", "two"};
    cr_assert_eq(parse_str("u:x\n4\n2\n  \n\ntwo\n", true, &a, &err), NDB_OK);
    expect_paras(&a, ws, 2);
    /* reuse: a failing parse leaves no paragraphs behind */
    cr_assert_eq(parse_str("u:x\nzz\n2\none\n", true, &a, &err), NDB_EPARSE);
    cr_expect(a.n_paras == 0 && a.paras == NULL);
    ndb_doc_article_fini(&a);
    ndb_doc_article_fini(&a); /* idempotent */
}

Test(doc, parse_count_mismatch)
{
    ndb_article a;
    ndb_err err;
    ndb_doc_article_init(&a);
    const char *s = "http://x.com/a\n4\n3\none\n\ntwo\n";
    cr_assert_eq(parse_str(s, false, &a, &err), NDB_OK);
    cr_expect(a.count_mismatch);
    cr_expect_eq(a.n_paras, 2);
    cr_expect_eq(a.para_declared, 3);
    cr_expect(a.canonical);
    roundtrip(&a, (const uint8_t *)s, strlen(s));
    cr_assert_eq(parse_str(s, true, &a, &err), NDB_EPARSE);
    cr_expect_str_eq(err.msg, "t.txt:3: paragraph count says 3, found 2");
    ndb_doc_article_fini(&a);
}

Test(doc, serialize_rejects_negative)
{
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    ndb_slice u = {(const uint8_t *)"u:x", 3};
    cr_expect_eq(ndb_doc_serialize(u, -1, 0, NULL, 0, &b), NDB_EINVAL);
    cr_expect_eq(ndb_doc_serialize(u, 0, -1, NULL, 0, &b), NDB_EINVAL);
    ndb_buf_fini(&b);
}

/* Random canonical articles: parse gives the paragraphs back; serialize gives the bytes
** back. Words include multi-byte UTF-8 and some paragraphs have inner single newlines. */
Test(doc, roundtrip_random)
{
    static const char *words[] = {"news", "Straße", "東京", "it's", "\xe2\x80\x9cquoted\xe2\x80\x9d",
                                  "42", "-", "caf\xc3\xa9", "\t", " "};
    uint64_t seed = 0xd0c5eed, st;
    const char *env = getenv("NDB_SEED");
    if (env != NULL) {
        seed = strtoull(env, NULL, 0);
    }
    st = seed;
    ndb_buf in, out;
    ndb_buf_init(&in, NDB_BUF_NOMAX);
    ndb_buf_init(&out, NDB_BUF_NOMAX);
    for (int iter = 0; iter < 500; iter++) {
        ndb_buf_reset(&in);
        uint32_t np = 1 + (uint32_t)(ndb_rand_next(&st) % 20);
        int64_t decl = ndb_rand_next(&st) % 4 == 0 ? (int64_t)(ndb_rand_next(&st) % 30) : np;
        cr_assert_eq(ndb_buf_printf(&in, "http://e%d.example.com/2016/10/11/x\n%llu\n%lld\n",
                                    iter, (unsigned long long)(ndb_rand_next(&st) % 1000),
                                    (long long)decl),
                     NDB_OK);
        for (uint32_t i = 0; i < np; i++) {
            if (i > 0) {
                ndb_buf_append(&in, "\n\n", 2);
            }
            ndb_buf_append_str(&in, "w");
            int nw = (int)(ndb_rand_next(&st) % 12);
            for (int k = 0; k < nw; k++) {
                ndb_buf_append_str(&in, words[ndb_rand_next(&st) % 10]);
                if (ndb_rand_next(&st) % 15 == 0) {
                    ndb_buf_append_str(&in, "\nx");
                }
            }
        }
        ndb_buf_append(&in, "\n", 1);
        ndb_article a;
        ndb_err err;
        ndb_doc_article_init(&a);
        cr_assert_eq(ndb_doc_parse("r", in.p, in.n, false, &a, &err), NDB_OK,
                     "NDB_SEED=%llu: %s", (unsigned long long)seed, err.msg);
        cr_expect(a.canonical, "NDB_SEED=%llu iter %d", (unsigned long long)seed, iter);
        cr_expect_eq(a.n_paras, np, "NDB_SEED=%llu", (unsigned long long)seed);
        cr_expect_eq(a.count_mismatch, decl != (int64_t)np);
        ndb_buf_reset(&out);
        cr_assert_eq(ndb_doc_serialize(a.url, a.lead_bytes, a.para_declared, a.paras, a.n_paras,
                                       &out),
                     NDB_OK);
        cr_assert(out.n == in.n && memcmp(out.p, in.p, in.n) == 0,
                  "NDB_SEED=%llu iter %d: round trip differs", (unsigned long long)seed, iter);
        ndb_doc_article_fini(&a);
    }
    ndb_buf_fini(&in);
    ndb_buf_fini(&out);
}

Test(doc, parse_oom)
{
    const char *s = "http://x.com/a\n4\n2\none\n\ntwo\n";
    for (uint64_t k = 1; k < 20; k++) {
        ndb_article a;
        ndb_err err;
        ndb_doc_article_init(&a);
        ndb_alloc_fail_at(k, true);
        ndb_rc rc = parse_str(s, true, &a, &err);
        ndb_alloc_fail_at(0, false);
        if (rc == NDB_OK) {
            cr_expect_eq(a.n_paras, 2);
            ndb_doc_article_fini(&a);
            return;
        }
        cr_expect_eq(rc, NDB_ENOMEM);
        cr_expect_null(a.paras);
        ndb_doc_article_fini(&a);
    }
    cr_assert_fail("never succeeded");
}
