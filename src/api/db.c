/*
** db.c — opening an archive, and snapshots: consistent read views of one commit.
**
** ndb_open finds the newest manifest (creating an empty archive when asked: an empty store
** and MANIFEST-0000000000000001, under the writer lock so two creators cannot race). A
** snapshot re-reads the newest manifest, moves the shared reader store forward to it, opens
** the segments it names (reusing those already open), and takes a reference to each; so a
** snapshot keeps working while a writer commits and merges, because unlinked segment files
** stay mapped until their last reference goes.
**
** A merge may delete a segment between our reading a manifest and opening its segments; we
** then read the manifest again (bounded retries).
*/
#include "api/api.h"
#include "api/dedup.h"

#include "index/multi.h"
#include "index/olists.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void api_olists_unref(struct api_olists *o);

void api_log(const ndb_db *db, ndb_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!db || !db->opt.log)
        return;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(msg, sizeof msg, fmt, ap);
#pragma GCC diagnostic pop
    va_end(ap);
    db->opt.log(db->opt.log_ctx, level, msg);
}

/* Create the empty archive: store files + first manifest. Caller holds the lock. */
static ndb_rc db_create(ndb_db *db, ndb_err *err)
{
    ndb_store *st = NULL;
    ndb_manifest m;
    ndb_rc rc;
    ndb_manifest_init(&m);
    rc = ndb_store_open(db->vfs, db->path, NULL, true, &st, err);
    if (rc == NDB_OK)
        rc = ndb_store_sync(st, &m.store, err);
    if (rc == NDB_OK) {
        m.gen = 1;
        m.stemmer = db->opt.stemmer;
        m.langstem = db->opt.stemmer != NDB_STEM_NONE; /* new archives stem per language */
        m.time = (uint64_t)time(NULL);
        rc = ndb_manifest_write(db->vfs, db->path, &m, err);
    }
    ndb_store_close(st);
    ndb_manifest_fini(&m);
    return rc;
}

ndb_rc api_lock(ndb_db *db, int *fd, ndb_err *err)
{
    char path[4200];
    *fd = -1;
    if (ndb_path_join(path, sizeof path, db->path, "LOCK") != NDB_OK)
        return ndb_err_set(err, NDB_ELIMIT, "%s: path too long", db->path);
    *fd = db->vfs->open(db->vfs, path, O_RDWR | O_CREAT, 0644);
    if (*fd < 0)
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot open lock file", path);
    if (db->vfs->lock(db->vfs, *fd) != 0) {
        int e = errno;
        db->vfs->close(db->vfs, *fd);
        *fd = -1;
        if (e == EWOULDBLOCK || e == EAGAIN)
            return ndb_err_set(err, NDB_EBUSY,
                               "%s: archive is locked by another writer (another `newsdb add` "
                               "or program is writing to it)",
                               db->path);
        return ndb_err_sys(err, NDB_EIO, e, "%s: cannot lock", path);
    }
    return NDB_OK;
}

ndb_rc ndb_open_vfs(const char *path, const ndb_options *opt, const ndb_vfs *vfs, ndb_db **out,
                    ndb_err *err)
{
    ndb_db *db = NULL;
    ndb_manifest m;
    ndb_rc rc;
    int lock_fd = -1;
    ndb_err_clear(err);
    ndb_manifest_init(&m);
    *out = NULL;
    if (!path || !*path)
        return ndb_err_set(err, NDB_EINVAL, "no archive path given");
    db = ndb_calloc(1, sizeof *db);
    if (!db || !(db->path = ndb_strdup(path))) {
        ndb_free(db);
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    }
    db->vfs = vfs ? vfs : ndb_vfs_default();
    if (opt)
        db->opt = *opt;
    pthread_mutex_init(&db->mu, NULL);
    rc = ndb_manifest_load(db->vfs, path, &m, err);
    if (rc == NDB_ENOTFOUND && db->opt.create) {
        if (db->vfs->mkdir(db->vfs, path, 0755) != 0 && errno != EEXIST) {
            rc = ndb_err_sys(err, NDB_EIO, errno, "%s: cannot create directory", path);
            goto out;
        }
        rc = api_lock(db, &lock_fd, err);
        if (rc != NDB_OK)
            goto out;
        rc = ndb_manifest_load(db->vfs, path, &m, err);
        if (rc == NDB_ENOTFOUND) {
            rc = db_create(db, err);
            if (rc == NDB_OK)
                rc = ndb_manifest_load(db->vfs, path, &m, err);
        }
    }
    if (rc != NDB_OK)
        goto out;
    db->stemmer = m.stemmer;
    db->langstem = m.langstem != 0;
    *out = db;
    db = NULL;
out:
    if (lock_fd >= 0)
        (void)(vfs ? vfs : ndb_vfs_default())->close(vfs, lock_fd);
    ndb_manifest_fini(&m);
    if (db)
        ndb_close(db);
    return rc;
}

NDB_API ndb_rc ndb_open(const char *path, const ndb_options *opt, ndb_db **out, ndb_err *err)
{
    return ndb_open_vfs(path, opt, NULL, out, err);
}

NDB_API void ndb_close(ndb_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->ncache; i++)
        ndb_seg_unref(db->cache[i]);
    ndb_free(db->cache);
    api_dedup_db_release(db);
    ndb_free(db->norms);
    for (size_t i = 0; i < db->nnorms_old; i++)
        ndb_free(db->norms_old[i]);
    ndb_free(db->norms_old);
    api_olists_unref(db->olists);
    ndb_store_close(db->rstore);
    pthread_mutex_destroy(&db->mu);
    ndb_free(db->path);
    ndb_free(db);
}

/* ---------------------------------------------------------------- outlet lists */

/* Per-outlet doc lists (index/olists.h) with a count of holders: the db's newest and each
** snapshot that used them. Lists built for n docs serve every snapshot of at most n docs. */
struct api_olists {
    ndb_olists *ol;
    uint32_t refs; /* under db->mu */
};

static void api_olists_unref(struct api_olists *o)
{
    if (o && --o->refs == 0) {
        ndb_olists_free(o->ol);
        ndb_free(o);
    }
}

static bool snap_outlet_docs(void *ctx, uint32_t outlet, const uint32_t **ids, uint32_t *n)
{
    ndb_snapshot *s = ctx;
    ndb_db *db = s->db;
    pthread_mutex_lock(&db->mu);
    if (!s->olists && db->olists && db->olists->ol->ndocs >= s->view.ndocs) {
        s->olists = db->olists;
        s->olists->refs++;
    } else if (!s->olists) { /* one counting pass over the columns, once per handle and size */
        struct api_olists *o = ndb_calloc(1, sizeof *o);
        if (o && ndb_olists_build(s->view.cols, s->view.ndocs, &o->ol) == NDB_OK) {
            o->refs = 2;
            api_olists_unref(db->olists);
            db->olists = o;
            s->olists = o;
        } else {
            ndb_free(o);
        }
    }
    struct api_olists *o = s->olists;
    pthread_mutex_unlock(&db->mu);
    if (!o)
        return false;
    ndb_olists_get(o->ol, outlet, s->view.ndocs, ids, n);
    return true;
}

/* ---------------------------------------------------------------- snapshots */

static bool snap_live(void *ctx, uint32_t id)
{
    const ndb_snapshot *s = ctx;
    uint32_t by = ndb_store_superseded_by(s->db->rstore, id);
    return by == 0 || by >= s->st.ndocs;
}

/* The view's norm bytes: extend the db's array to this snapshot's ids (docs never change
** length, so entries once written stay valid). A larger array replaces an outgrown one,
** which stays allocated until close: snapshots of other threads may hold it. */
static const uint8_t *snap_norms(void *ctx)
{
    const ndb_snapshot *s = ctx;
    ndb_db *db = s->db;
    const uint8_t *out = NULL;
    uint32_t n = s->view.ndocs;
    pthread_mutex_lock(&db->mu);
    if (n > db->norms_cap) {
        uint64_t cap = (uint64_t)db->norms_cap * 2;
        if (cap < n)
            cap = n;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        uint8_t *nb = ndb_malloc((size_t)cap);
        uint8_t **old = db->norms ? ndb_realloc(db->norms_old, (db->nnorms_old + 1) *
                                                                   sizeof *old)
                                  : db->norms_old;
        if (!nb || (db->norms && !old)) {
            ndb_free(nb);
            goto out;
        }
        if (db->norms) {
            memcpy(nb, db->norms, db->norms_n);
            db->norms_old = old;
            db->norms_old[db->nnorms_old++] = db->norms;
        }
        db->norms = nb;
        db->norms_cap = (uint32_t)cap;
    }
    for (uint32_t i = db->norms_n; i < n; i++)
        db->norms[i] = ndb_norm_encode(s->view.cols[i].len);
    if (n > db->norms_n)
        db->norms_n = n;
    out = db->norms;
out:
    pthread_mutex_unlock(&db->mu);
    return out;
}

static ndb_rc snap_term(void *ctx, const char *t, size_t n, bool positions, ndb_cursor **out)
{
    const ndb_snapshot *s = ctx;
    return ndb_index_term_cursor(s->segs, s->nsegs, t, n, positions, out, NULL);
}

static ndb_rc snap_prefix(void *ctx, const char *p, size_t n, ndb_term_fn fn, void *fctx)
{
    const ndb_snapshot *s = ctx;
    return ndb_index_prefix(s->segs, s->nsegs, p, n, fn, fctx, NULL);
}

static bool snap_outlet_id(void *ctx, const char *name, size_t n, uint32_t *id)
{
    const ndb_snapshot *s = ctx;
    return ndb_store_outlet_find(s->db->rstore, name, n, id) && *id < s->st.noutlets;
}

static bool snap_url_id(void *ctx, const char *url, size_t n, uint32_t *id)
{
    const ndb_snapshot *s = ctx;
    return ndb_store_url_find(s->db->rstore, url, n, s->st.ndocs, id);
}

static uint64_t snap_term_cf(void *ctx, const char *t, size_t n)
{
    const ndb_snapshot *s = ctx;
    uint64_t cf = 0;
    ndb_term_info ti;
    for (size_t i = 0; i < s->nsegs; i++)
        if (ndb_seg_term(s->segs[i], t, n, &ti))
            cf += ti.cf;
    return cf;
}

static ndb_rc snap_terms_cf(void *ctx, const char *const *t, const size_t *len, size_t n,
                            uint64_t *cf)
{
    const ndb_snapshot *s = ctx;
    ndb_rc rc = NDB_OK;
    for (size_t i = 0; i < s->nsegs && rc == NDB_OK; i++)
        rc = ndb_seg_cf_sorted(s->segs[i], t, len, n, cf);
    return rc;
}

/* Find an open segment by name in the cache. */
static ndb_seg *db_cache_find(ndb_db *db, const char *name)
{
    for (size_t i = 0; i < db->ncache; i++)
        if (strcmp(ndb_seg_name(db->cache[i]), name) == 0)
            return db->cache[i];
    return NULL;
}

/* Under db->mu: bring the reader store and segment cache to manifest m; fill s. */
static ndb_rc db_snapshot_locked(ndb_db *db, const ndb_manifest *m, ndb_snapshot *s,
                                 ndb_err *err)
{
    ndb_seg **segs = NULL;
    ndb_rc rc = NDB_OK;
    size_t k = 0;
    if (!db->rstore) {
        rc = ndb_store_open(db->vfs, db->path, &m->store, false, &db->rstore, err);
        if (rc != NDB_OK)
            return rc;
        db->rgen = m->gen;
    } else if (m->gen > db->rgen) {
        rc = ndb_store_refresh(db->rstore, &m->store, err);
        if (rc != NDB_OK)
            return rc;
        db->rgen = m->gen;
    }
    if (m->nsegs && !(segs = ndb_calloc(m->nsegs, sizeof *segs)))
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    for (k = 0; k < m->nsegs; k++) {
        ndb_seg *g = db_cache_find(db, m->segs[k].name);
        if (g) {
            ndb_seg_ref(g);
        } else {
            rc = ndb_seg_open(db->vfs, db->path, m->segs[k].name, &g, err);
            if (rc != NDB_OK)
                break;
        }
        if (ndb_seg_base(g) != m->segs[k].base || ndb_seg_ndocs(g) != m->segs[k].ndocs) {
            rc = ndb_err_set(err, NDB_ECORRUPT, "%s: covers docs %u+%u, manifest says %u+%u",
                             m->segs[k].name, ndb_seg_base(g), ndb_seg_ndocs(g),
                             m->segs[k].base, m->segs[k].ndocs);
            ndb_seg_unref(g);
            break;
        }
        segs[k] = g;
        s->index_bytes += ndb_seg_bytes(g);
    }
    if (rc != NDB_OK) {
        while (k > 0)
            ndb_seg_unref(segs[--k]);
        ndb_free(segs);
        return rc;
    }
    /* The cache becomes this snapshot's set (one extra reference each). */
    for (size_t i = 0; i < db->ncache; i++)
        ndb_seg_unref(db->cache[i]);
    ndb_free(db->cache);
    db->cache = NULL;
    db->ncache = 0;
    if (m->nsegs && (db->cache = ndb_calloc(m->nsegs, sizeof *db->cache)) != NULL) {
        for (size_t i = 0; i < m->nsegs; i++) {
            ndb_seg_ref(segs[i]);
            db->cache[i] = segs[i];
        }
        db->ncache = m->nsegs;
    }
    s->segs = segs;
    s->nsegs = m->nsegs;
    if (db->langstem) { /* languages present: scan only the articles new since last time */
        const ndb_col *c = ndb_store_cols(db->rstore);
        for (; db->lang_scanned < m->store.ndocs; db->lang_scanned++)
            ndb_lang_set_add(&db->langs, ndb_col_lang(&c[db->lang_scanned]));
        s->langs = db->langs;
    }
    return NDB_OK;
}

NDB_API void ndb_snapshot_set_budget(ndb_snapshot *s, uint32_t ms)
{
    s->view.deadline_ns = ms ? ndb_now_ns() + (uint64_t)ms * 1000000u : 0;
}

NDB_API ndb_rc ndb_snapshot_open(ndb_db *db, ndb_snapshot **out, ndb_err *err)
{
    ndb_snapshot *s;
    ndb_manifest m;
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    *out = NULL;
    s = ndb_calloc(1, sizeof *s);
    if (!s)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    for (int attempt = 0; attempt < 8; attempt++) {
        ndb_manifest_init(&m);
        rc = ndb_manifest_load(db->vfs, db->path, &m, err);
        if (rc == NDB_OK) {
            pthread_mutex_lock(&db->mu);
            s->index_bytes = 0;
            rc = db_snapshot_locked(db, &m, s, err);
            pthread_mutex_unlock(&db->mu);
        }
        s->gen = m.gen;
        s->st = m.store;
        ndb_manifest_fini(&m);
        if (rc != NDB_ENOTFOUND)
            break; /* a segment vanished under a merge: read the manifest again */
    }
    if (rc != NDB_OK) {
        ndb_free(s);
        return rc;
    }
    {
        /* The forward index only speeds up term statistics: a damaged one must not make the
        ** archive unreadable. Without it they read the postings; `check` reports it. */
        ndb_err fe;
        if (ndb_fwd_open(db->vfs, db->path, s->st.ndocs, &s->fwd, &fe) != NDB_OK) {
            api_log(db, NDB_LOG_WARN, "forward index not used: %s", fe.msg);
            s->fwd = NULL;
        }
    }
    s->db = db;
    s->view.ctx = s;
    s->view.ndocs = s->st.ndocs;
    s->view.total_len = s->st.total_len;
    s->view.cols = ndb_store_cols(db->rstore);
    /* every doc of the view live: no per-doc test (a supersede later gets an id >= ndocs) */
    uint32_t sup = ndb_store_first_superseder(db->rstore);
    s->view.live = snap_live;
    s->view.all_live = sup == 0 || sup >= s->view.ndocs;
    s->view.term = snap_term;
    s->view.prefix = snap_prefix;
    s->view.outlet_id = snap_outlet_id;
    s->view.url_id = snap_url_id;
    s->view.fwd = s->fwd;
    s->view.term_cf = snap_term_cf;
    s->view.terms_cf = snap_terms_cf;
    s->view.norms = snap_norms;
    s->view.outlet_docs = snap_outlet_docs;
    *out = s;
    return NDB_OK;
}

NDB_API void ndb_snapshot_close(ndb_snapshot *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsegs; i++)
        ndb_seg_unref(s->segs[i]);
    ndb_free(s->segs);
    ndb_fwd_close(s->fwd);
    if (s->olists) {
        pthread_mutex_lock(&s->db->mu);
        api_olists_unref(s->olists);
        pthread_mutex_unlock(&s->db->mu);
    }
    ndb_free(s);
}
