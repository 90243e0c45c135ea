/*
** state.c — the resumable crawl state: <archive>/CRAWL-STATE.
**
** What it holds: for every URL whose page was added (or found unchanged), the validators of
** that response — ETag and Last-Modified — and when it was fetched. The next crawl sends
** them back (If-None-Match / If-Modified-Since), so an unchanged page or feed costs a 304
** and nothing is extracted again; a changed one is fetched, extracted and added as a new
** version. Feeds and sitemaps have entries too.
**
** Crash safety: the file is rewritten whole with ndb_vfs_write_atomic (tmp, fsync, rename,
** fsync dir), and only after an archive commit, so it never claims a page the archive does
** not hold. A crash between the commit and the rename loses only validators: the pages are
** fetched again and come out as duplicates.
**
** Byte layout (framed file, base.h rule 10; kind NDB_KIND_CRAWL_STATE, version 1.0), body:
**     varint count
**     count x { lp url, lp etag, lp last_modified, varint fetched (unix seconds, >= 0) }
** lp = varint length + bytes. Readers check every length against what remains.
**
** Memory: an open-addressing table (xxh3 of the URL, linear probing, load <= 1/2) over an
** array of entries with their strings in one arena per entry.
*/
#include "crawl/crawl.h"

#include <stdio.h>

#define NDB_KIND_CRAWL_STATE 0x57415243u /* "CRAW" */
#define STATE_FILE "CRAWL-STATE"
#define STATE_MAX_FILE ((size_t)1 << 31)

typedef struct state_ent {
    char *url, *etag, *lm; /* one allocation: url\0etag\0lm\0 */
    int64_t fetched;
} state_ent;

struct ndb_crawl_state {
    char *dir;
    state_ent *v;
    size_t n, cap;
    uint32_t *slots; /* entry index + 1; 0 empty */
    size_t mask;
};

void ndb_crawl_state_free(ndb_crawl_state *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        ndb_free(s->v[i].url);
    }
    ndb_free(s->v);
    ndb_free(s->slots);
    ndb_free(s->dir);
    ndb_free(s);
}

size_t ndb_crawl_state_count(const ndb_crawl_state *s)
{
    return s->n;
}

static size_t state_find(const ndb_crawl_state *s, const char *url)
{
    if (s->slots == NULL) {
        return SIZE_MAX;
    }
    size_t h = (size_t)ndb_hash64(url, strlen(url)) & s->mask;
    while (s->slots[h] != 0) {
        if (strcmp(s->v[s->slots[h] - 1].url, url) == 0) {
            return h;
        }
        h = (h + 1) & s->mask;
    }
    return h;
}

static ndb_rc state_grow(ndb_crawl_state *s)
{
    size_t nslots = s->slots ? (s->mask + 1) * 2 : 1024;
    uint32_t *ns = ndb_calloc(nslots, sizeof *ns);
    if (ns == NULL) {
        return NDB_ENOMEM;
    }
    ndb_free(s->slots);
    s->slots = ns;
    s->mask = nslots - 1;
    for (size_t i = 0; i < s->n; i++) {
        size_t h = (size_t)ndb_hash64(s->v[i].url, strlen(s->v[i].url)) & s->mask;
        while (s->slots[h] != 0) {
            h = (h + 1) & s->mask;
        }
        s->slots[h] = (uint32_t)(i + 1);
    }
    return NDB_OK;
}

bool ndb_crawl_state_get(const ndb_crawl_state *s, const char *url, ndb_crawl_entry *e)
{
    size_t h = state_find(s, url);
    if (h == SIZE_MAX || s->slots[h] == 0) {
        return false;
    }
    const state_ent *x = &s->v[s->slots[h] - 1];
    e->etag = x->etag;
    e->last_modified = x->lm;
    e->fetched = x->fetched;
    return true;
}

ndb_rc ndb_crawl_state_put(ndb_crawl_state *s, const char *url, const char *etag,
                           const char *last_modified, int64_t fetched)
{
    size_t ul = strlen(url), el = strlen(etag ? etag : ""), ll = strlen(last_modified ? last_modified : "");
    char *blob = ndb_malloc(ul + el + ll + 3);
    if (blob == NULL) {
        return NDB_ENOMEM;
    }
    memcpy(blob, url, ul + 1);
    memcpy(blob + ul + 1, etag ? etag : "", el + 1);
    memcpy(blob + ul + el + 2, last_modified ? last_modified : "", ll + 1);
    if (s->slots == NULL || (s->n + 1) * 2 > s->mask + 1) {
        if (state_grow(s) != NDB_OK) {
            ndb_free(blob);
            return NDB_ENOMEM;
        }
    }
    size_t h = state_find(s, url);
    state_ent e = {blob, blob + ul + 1, blob + ul + el + 2, fetched < 0 ? 0 : fetched};
    if (s->slots[h] != 0) {
        state_ent *x = &s->v[s->slots[h] - 1];
        ndb_free(x->url);
        *x = e;
        return NDB_OK;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        state_ent *nv = ndb_realloc(s->v, ncap * sizeof *nv);
        if (nv == NULL) {
            ndb_free(blob);
            return NDB_ENOMEM;
        }
        s->v = nv;
        s->cap = ncap;
    }
    if (s->n >= UINT32_MAX - 1) {
        ndb_free(blob);
        return NDB_ELIMIT;
    }
    s->v[s->n] = e;
    s->slots[h] = (uint32_t)(s->n + 1);
    s->n++;
    return NDB_OK;
}

/* Decode the body of a framed state file. */
static ndb_rc state_decode(ndb_crawl_state *s, ndb_slice body, const char *path, ndb_err *err)
{
    ndb_rd r;
    uint64_t count;
    ndb_rd_init(&r, body.p, body.n, NDB_ECORRUPT);
    if (ndb_rd_varint(&r, &count) != NDB_OK || count > ndb_rd_left(&r)) {
        return ndb_err_set(err, NDB_ECORRUPT, "%s: bad entry count", path);
    }
    for (uint64_t i = 0; i < count; i++) {
        ndb_slice u, e, l;
        uint64_t t;
        char *us = NULL, *es = NULL, *ls = NULL;
        if (ndb_rd_lp(&r, &u) != NDB_OK || ndb_rd_lp(&r, &e) != NDB_OK ||
            ndb_rd_lp(&r, &l) != NDB_OK || ndb_rd_varint(&r, &t) != NDB_OK ||
            t > (uint64_t)INT64_MAX || u.n == 0 || memchr(u.p, 0, u.n) ||
            memchr(e.p, 0, e.n) || memchr(l.p, 0, l.n)) {
            return ndb_err_set(err, NDB_ECORRUPT, "%s: entry %llu is damaged", path,
                               (unsigned long long)i);
        }
        us = ndb_strndup((const char *)u.p, u.n);
        es = ndb_strndup((const char *)e.p, e.n);
        ls = ndb_strndup((const char *)l.p, l.n);
        ndb_rc rc = us && es && ls ? ndb_crawl_state_put(s, us, es, ls, (int64_t)t) : NDB_ENOMEM;
        ndb_free(us);
        ndb_free(es);
        ndb_free(ls);
        if (rc != NDB_OK) {
            return ndb_err_set(err, rc, "%s: out of memory", path);
        }
    }
    if (ndb_rd_left(&r) != 0) {
        return ndb_err_set(err, NDB_ECORRUPT, "%s: trailing bytes", path);
    }
    return NDB_OK;
}

ndb_rc ndb_crawl_state_load(const char *dir, ndb_crawl_state **out, ndb_err *err)
{
    ndb_crawl_state *s = ndb_calloc(1, sizeof *s);
    char path[4096];
    uint8_t *data = NULL;
    size_t n = 0;
    ndb_slice body;
    ndb_rc rc;
    *out = NULL;
    if (s == NULL || (s->dir = ndb_strdup(dir)) == NULL) {
        ndb_crawl_state_free(s);
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    }
    rc = ndb_path_join(path, sizeof path, dir, STATE_FILE);
    if (rc == NDB_OK) {
        rc = ndb_vfs_read_file(ndb_vfs_default(), path, STATE_MAX_FILE, &data, &n, err);
    }
    if (rc == NDB_ENOTFOUND) {
        ndb_err_clear(err);
        *out = s;
        return NDB_OK;
    }
    if (rc == NDB_OK) {
        rc = ndb_frame_check(data, n, NDB_KIND_CRAWL_STATE, 1, 1, path, &body, err);
    }
    if (rc == NDB_OK) {
        rc = state_decode(s, body, path, err);
    }
    ndb_free(data);
    if (rc != NDB_OK) {
        ndb_crawl_state_free(s);
        return rc;
    }
    *out = s;
    return NDB_OK;
}

ndb_rc ndb_crawl_state_save(const ndb_crawl_state *s, ndb_err *err)
{
    ndb_buf b;
    ndb_rc rc;
    ndb_buf_init(&b, NDB_BUF_NOMAX);
    rc = ndb_frame_header(&b, NDB_KIND_CRAWL_STATE, 1, 0);
    if (rc == NDB_OK) {
        rc = ndb_buf_append_varint(&b, s->n);
    }
    for (size_t i = 0; i < s->n && rc == NDB_OK; i++) {
        const state_ent *e = &s->v[i];
        rc = ndb_buf_append_lp(&b, e->url, strlen(e->url));
        if (rc == NDB_OK) {
            rc = ndb_buf_append_lp(&b, e->etag, strlen(e->etag));
        }
        if (rc == NDB_OK) {
            rc = ndb_buf_append_lp(&b, e->lm, strlen(e->lm));
        }
        if (rc == NDB_OK) {
            rc = ndb_buf_append_varint(&b, (uint64_t)e->fetched);
        }
    }
    if (rc == NDB_OK) {
        rc = ndb_frame_footer(&b);
    }
    if (rc != NDB_OK) {
        ndb_buf_fini(&b);
        return ndb_err_set(err, rc, "%s/%s: out of memory", s->dir, STATE_FILE);
    }
    rc = ndb_vfs_write_atomic(ndb_vfs_default(), s->dir, STATE_FILE, b.p, b.n, err);
    ndb_buf_fini(&b);
    return rc;
}
