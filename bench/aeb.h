/*
** aeb.h — load the Article Extraction Benchmark corpus (../shared/corpora/aeb.tar.gz):
** 181 gzipped HTML pages and their ground-truth article bodies, sorted by page id.
** Header-only (static functions), shared by bench/extract_bench.c and tests/doc/test_html.c.
** Pages are gunzipped in memory with libarchive (raw format + gzip filter).
*/
#ifndef NDB_BENCH_AEB_H
#define NDB_BENCH_AEB_H

#include "base/base.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct aeb_page {
    char id[80];
    uint8_t *html; /* OWNED (ndb_free) */
    size_t n;
    char *truth;   /* ground-truth articleBody (OWNED) */
    char *url;     /* ground-truth url (OWNED), may be "" */
} aeb_page;

typedef struct aeb_set {
    aeb_page *pages;
    size_t n;
} aeb_set;

static int aeb_read_all(struct archive *a, ndb_buf *b)
{
    for (;;) {
        if (ndb_buf_reserve(b, 65536) != NDB_OK) {
            return -1;
        }
        la_ssize_t got = archive_read_data(a, b->p + b->n, b->cap - b->n);
        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            return 0;
        }
        b->n += (size_t)got;
    }
}

static int aeb_gunzip(const uint8_t *p, size_t n, ndb_buf *out)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int r = -1;
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    if (archive_read_open_memory(a, p, n) == ARCHIVE_OK &&
        archive_read_next_header(a, &e) == ARCHIVE_OK) {
        r = aeb_read_all(a, out);
    }
    archive_read_free(a);
    return r;
}

static int aeb_cmp(const void *x, const void *y)
{
    return strcmp(((const aeb_page *)x)->id, ((const aeb_page *)y)->id);
}

static void aeb_free(aeb_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        ndb_free(s->pages[i].html);
        ndb_free(s->pages[i].truth);
        ndb_free(s->pages[i].url);
    }
    ndb_free(s->pages);
    s->pages = NULL;
    s->n = 0;
}

/* Load path (aeb.tar.gz). 0 on success, -1 with a message in msg[cap]. */
static int aeb_load(const char *path, aeb_set *s, char *msg, size_t cap)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    ndb_buf raw, gt;
    json_t *truth = NULL;
    size_t cap_pages = 0;
    int r = -1;

    memset(s, 0, sizeof *s);
    ndb_buf_init(&raw, NDB_BUF_NOMAX);
    ndb_buf_init(&gt, NDB_BUF_NOMAX);
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        snprintf(msg, cap, "%s: %s", path, archive_error_string(a));
        goto out;
    }
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        const char *slash = strrchr(name, '/');
        const char *base = slash ? slash + 1 : name;
        size_t bl = strlen(base);
        if (strcmp(base, "ground-truth.json") == 0) {
            if (aeb_read_all(a, &gt) != 0) {
                snprintf(msg, cap, "%s: cannot read %s", path, name);
                goto out;
            }
            continue;
        }
        if (bl < 9 || strcmp(base + bl - 8, ".html.gz") != 0 || bl - 8 >= 80) {
            continue;
        }
        ndb_buf_reset(&raw);
        if (aeb_read_all(a, &raw) != 0) {
            snprintf(msg, cap, "%s: cannot read %s", path, name);
            goto out;
        }
        if (s->n == cap_pages) {
            cap_pages = cap_pages ? cap_pages * 2 : 256;
            aeb_page *np = ndb_realloc(s->pages, cap_pages * sizeof *np);
            if (np == NULL) {
                snprintf(msg, cap, "out of memory");
                goto out;
            }
            s->pages = np;
        }
        aeb_page *pg = &s->pages[s->n];
        memset(pg, 0, sizeof *pg);
        memcpy(pg->id, base, bl - 8);
        ndb_buf html;
        ndb_buf_init(&html, NDB_BUF_NOMAX);
        if (aeb_gunzip(raw.p, raw.n, &html) != 0) {
            ndb_buf_fini(&html);
            snprintf(msg, cap, "%s: cannot gunzip %s", path, name);
            goto out;
        }
        pg->html = ndb_buf_detach(&html, &pg->n);
        s->n++;
    }
    if (gt.n == 0) {
        snprintf(msg, cap, "%s: no ground-truth.json", path);
        goto out;
    }
    json_error_t je;
    truth = json_loadb((const char *)gt.p, gt.n, 0, &je);
    if (truth == NULL) {
        snprintf(msg, cap, "ground-truth.json: %s", je.text);
        goto out;
    }
    qsort(s->pages, s->n, sizeof *s->pages, aeb_cmp);
    for (size_t i = 0; i < s->n; i++) {
        json_t *o = json_object_get(truth, s->pages[i].id);
        const char *body = json_string_value(json_object_get(o, "articleBody"));
        const char *url = json_string_value(json_object_get(o, "url"));
        s->pages[i].truth = ndb_strdup(body ? body : "");
        s->pages[i].url = ndb_strdup(url ? url : "");
        if (s->pages[i].truth == NULL || s->pages[i].url == NULL) {
            snprintf(msg, cap, "out of memory");
            goto out;
        }
    }
    r = 0;
out:
    if (r != 0) {
        aeb_free(s);
    }
    json_decref(truth);
    archive_read_free(a);
    ndb_buf_fini(&raw);
    ndb_buf_fini(&gt);
    return r;
}

#endif /* NDB_BENCH_AEB_H */
