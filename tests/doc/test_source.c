/*
** test_source.c — sources (src/doc/source.c): directory walk order and skips, per-record
** errors, native files, tars written here with libarchive (plain, gzip, zstd), a truncated
** archive, a tar on stdin, and the real bbc corpus (skipped when absent).
*/
#include "doc/doc.h"

#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static void mk_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ndb_source_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

static void put_file(const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fputs(content, f);
    fclose(f);
}

static void mk_dir(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    cr_assert_eq(mkdir(path, 0755), 0);
}

/* Drain a source into "name=bytes|..." or "name!rc|..." for errors. */
static void drain(const char *path, char *out, size_t cap)
{
    ndb_doc_source *s = NULL;
    ndb_err err;
    size_t used = 0;
    cr_assert_eq(ndb_doc_source_open(path, &s, &err), NDB_OK, "%s", err.msg);
    out[0] = 0;
    for (int guard = 0; guard < 100; guard++) {
        const char *name;
        const uint8_t *p;
        size_t n;
        ndb_rc rc = ndb_doc_source_next(s, &name, &p, &n, &err);
        if (rc == NDB_ENOTFOUND) {
            break;
        }
        int w;
        if (rc == NDB_OK) {
            w = snprintf(out + used, cap - used, "%s=%.*s|", name, (int)n, (const char *)p);
        } else {
            w = snprintf(out + used, cap - used, "%s!%d|", name ? name : "-", (int)rc);
            if (ndb_doc_source_failed(s)) {
                break;
            }
        }
        used += (size_t)w;
    }
    ndb_doc_source_close(s);
}

Test(doc, source_directory)
{
    char out[4096], path[512];
    mk_tmp();
    put_file("b.txt", "B");
    put_file("a.txt", "A");
    put_file("a-b.txt", "AB");
    put_file(".hidden", "H");
    mk_dir("sub");
    put_file("sub/c.txt", "C");
    put_file("sub/.dot", "D");
    mk_dir("sub/deeper");
    put_file("sub/deeper/e.txt", "E");
    mk_dir("zz");
    put_file("zz/empty", "");
    snprintf(path, sizeof path, "%s/big.txt", tmpdir);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    cr_assert(fd >= 0);
    cr_assert_eq(ftruncate(fd, (off_t)NDB_DOC_MAX_BYTES + 1), 0);
    close(fd);
    snprintf(path, sizeof path, "%s/dangling", tmpdir);
    cr_assert_eq(symlink("/nonexistent/x", path), 0);
    snprintf(path, sizeof path, "%s/link-to-sub", tmpdir);
    cr_assert_eq(symlink("sub", path), 0);
    snprintf(path, sizeof path, "%s/link-to-a", tmpdir);
    cr_assert_eq(symlink("a.txt", path), 0);

    drain(tmpdir, out, sizeof out);
    cr_expect_str_eq(out, "a-b.txt=AB|a.txt=A|b.txt=B|big.txt!-9|dangling!-2|link-to-a=A|"
                          "sub/c.txt=C|sub/deeper/e.txt=E|zz/empty=|");
    rm_tmp();
}

Test(doc, source_single_files)
{
    char out[4096], path[512];
    mk_tmp();
    put_file("one.txt", "http://x.com/a\n4\n1\nabc\n");
    snprintf(path, sizeof path, "%s/one.txt", tmpdir);
    drain(path, out, sizeof out);
    char want[1024];
    snprintf(want, sizeof want, "%s=http://x.com/a\n4\n1\nabc\n|", path);
    cr_expect_str_eq(out, want);

    put_file("empty.txt", "");
    snprintf(path, sizeof path, "%s/empty.txt", tmpdir);
    drain(path, out, sizeof out);
    snprintf(want, sizeof want, "%s=|", path);
    cr_expect_str_eq(out, want);

    ndb_doc_source *s = (ndb_doc_source *)1;
    ndb_err err;
    cr_expect_eq(ndb_doc_source_open("/nonexistent/path", &s, &err), NDB_ENOTFOUND);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "/nonexistent/path") != NULL);
    ndb_doc_source_close(NULL);
    rm_tmp();
}

typedef struct member {
    const char *name, *content;
    int type; /* AE_IFREG, AE_IFDIR, AE_IFLNK */
} member;

static const member members[] = {
    {"c/", NULL, AE_IFDIR},
    {"c/2.txt", "two", AE_IFREG},
    {"c/link", NULL, AE_IFLNK},
    {"c/1.txt", "one", AE_IFREG},
    {"./c/3.txt", "", AE_IFREG},
};

static void write_tar(const char *path, int filter)
{
    struct archive *a = archive_write_new();
    cr_assert_not_null(a);
    archive_write_set_format_pax_restricted(a);
    if (filter == 1) {
        archive_write_add_filter_gzip(a);
    } else if (filter == 2) {
        cr_assert_eq(archive_write_add_filter_zstd(a), ARCHIVE_OK);
    }
    cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, members[i].name);
        archive_entry_set_filetype(e, (unsigned)members[i].type);
        archive_entry_set_perm(e, 0644);
        size_t len = members[i].content ? strlen(members[i].content) : 0;
        archive_entry_set_size(e, (la_int64_t)len);
        if (members[i].type == AE_IFLNK) {
            archive_entry_set_symlink(e, "1.txt");
        }
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK);
        if (len > 0) {
            cr_assert_eq(archive_write_data(a, members[i].content, len), (la_ssize_t)len);
        }
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

Test(doc, source_tars)
{
    static const char *names[] = {"x.tar", "x.tar.gz", "x.tar.zst"};
    char path[512], out[4096];
    mk_tmp();
    for (int f = 0; f < 3; f++) {
        /* named misleadingly on purpose: detection is by content */
        snprintf(path, sizeof path, "%s/%s.bin", tmpdir, names[f]);
        write_tar(path, f);
        drain(path, out, sizeof out);
        cr_expect_str_eq(out, "c/2.txt=two|c/1.txt=one|./c/3.txt=|", "%s", names[f]);
        ndb_doc_source *s;
        ndb_err err;
        const char *nm;
        const uint8_t *p;
        size_t n;
        cr_assert_eq(ndb_doc_source_open(path, &s, &err), NDB_OK);
        while (ndb_doc_source_next(s, &nm, &p, &n, &err) == NDB_OK) {
        }
        struct stat st;
        cr_assert_eq(stat(path, &st), 0);
        cr_expect(ndb_doc_source_bytes_in(s) > 0 &&
                      ndb_doc_source_bytes_in(s) <= (uint64_t)st.st_size,
                  "bytes_in %llu of %lld", (unsigned long long)ndb_doc_source_bytes_in(s),
                  (long long)st.st_size);
        cr_expect(!ndb_doc_source_failed(s));
        ndb_doc_source_close(s);
    }
    rm_tmp();
}

Test(doc, source_truncated_archive)
{
    char path[512];
    mk_tmp();
    snprintf(path, sizeof path, "%s/t.tar.gz", tmpdir);
    /* enough incompressible data that the cut lands inside a member */
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    uint64_t st = 42;
    static char data[200000];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (char)('a' + ndb_rand_next(&st) % 26);
    }
    for (int m = 0; m < 4; m++) {
        struct archive_entry *e = archive_entry_new();
        char nm[32];
        snprintf(nm, sizeof nm, "m%d.txt", m);
        archive_entry_set_pathname(e, nm);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, sizeof data);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK);
        cr_assert_eq(archive_write_data(a, data, sizeof data), (la_ssize_t)sizeof data);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(truncate(path, sb.st_size / 2), 0);

    ndb_doc_source *s;
    ndb_err err;
    const char *nm;
    const uint8_t *p;
    size_t n;
    int ok = 0;
    ndb_rc rc;
    cr_assert_eq(ndb_doc_source_open(path, &s, &err), NDB_OK, "%s", err.msg);
    while ((rc = ndb_doc_source_next(s, &nm, &p, &n, &err)) == NDB_OK) {
        ok++;
    }
    cr_expect_eq(rc, NDB_ECORRUPT, "rc %d: %s", rc, err.msg);
    cr_expect(ok >= 1 && ok < 4, "ok %d", ok);
    cr_expect(ndb_doc_source_failed(s));
    cr_expect(strstr(err.msg, "t.tar.gz") != NULL, "%s", err.msg);
    cr_expect_eq(ndb_doc_source_next(s, &nm, &p, &n, &err), NDB_ECORRUPT); /* repeated */
    ndb_doc_source_close(s);
    rm_tmp();
}

Test(doc, source_stdin_tar)
{
    char path[512], out[4096];
    mk_tmp();
    snprintf(path, sizeof path, "%s/s.tar.gz", tmpdir);
    write_tar(path, 1);
    int saved = dup(0);
    int fd = open(path, O_RDONLY);
    cr_assert(saved >= 0 && fd >= 0);
    cr_assert(dup2(fd, 0) == 0);
    close(fd);
    drain("-", out, sizeof out);
    dup2(saved, 0);
    close(saved);
    cr_expect_str_eq(out, "c/2.txt=two|c/1.txt=one|./c/3.txt=|");
    rm_tmp();
}

/* The real bbc corpus: 2225 members, all parse, all canonical, all round-trip. */
Test(doc, source_bbc_corpus)
{
    char path[512];
    const char *shared = getenv("NEWSDB_SHARED");
    snprintf(path, sizeof path, "%s/corpora/bbc.tar.gz", shared != NULL ? shared : "../shared");
    if (access(path, R_OK) != 0) {
        cr_skip("%s absent (set NEWSDB_SHARED): corpus check skipped", path);
        return;
    }
    ndb_doc_source *s;
    ndb_err err;
    const char *nm;
    const uint8_t *p;
    size_t n;
    ndb_rc rc;
    int count = 0;
    ndb_buf b;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    ndb_article a;
    ndb_doc_article_init(&a);
    cr_assert_eq(ndb_doc_source_open(path, &s, &err), NDB_OK, "%s", err.msg);
    while ((rc = ndb_doc_source_next(s, &nm, &p, &n, &err)) == NDB_OK) {
        count++;
        cr_assert_eq(ndb_doc_parse(nm, p, n, true, &a, &err), NDB_OK, "%s", err.msg);
        cr_expect(a.canonical, "%s", nm);
        cr_expect_eq((int64_t)a.paras[0].n + 1, a.lead_bytes, "%s", nm);
        cr_expect_str_eq(a.outlet, "");
        cr_expect_eq(a.date, NDB_DATE_NONE);
        ndb_buf_reset(&b);
        cr_assert_eq(ndb_doc_serialize(a.url, a.lead_bytes, a.para_declared, a.paras,
                                       a.n_paras, &b),
                     NDB_OK);
        cr_expect(b.n == n && memcmp(b.p, p, n) == 0, "%s: round trip differs", nm);
    }
    cr_expect_eq(rc, NDB_ENOTFOUND, "%s", err.msg);
    cr_expect_eq(count, 2225);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(ndb_doc_source_bytes_in(s), (uint64_t)st.st_size);
    ndb_doc_source_close(s);
    ndb_doc_article_fini(&a);
    ndb_buf_fini(&b);
}
