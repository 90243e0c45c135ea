/*
** writer.c — the single writer of an archive: add, commit, merge, optimize.
**
** Adding an article: parse (doc), apply side-file overrides, look up its URL (store): the
** same bytes again is a duplicate and is skipped; other bytes make a new version that
** supersedes the old one. The text is analyzed (text) into the in-memory segment writer and
** the record appended to the store. Ids are dense, in add order.
**
** Commit (the only way anything becomes visible or durable):
**   1. the in-memory segment, if any, is written as seg-<n>.ndx (tmp, fsync, rename);
**   2. the store seals its open block, writes and fsyncs every file;
**   3. the directory is fsynced, then MANIFEST-<gen+1> is written atomically — the commit.
** A crash before 3 leaves the previous manifest in charge; the next writer truncates the
** store's files to that manifest's lengths and deletes unreferenced segment files.
**
** Merging: segments carry a level (0 when flushed). When the MERGE_FACTOR segments before
** the newest one share a level L they are merged into one of level L+1 (a run, so merged
** segments always cover adjacent doc ranges), committed by a new manifest, and the old
** files are deleted: a level is merged by the commit after the one that filled it, so at
** most MERGE_FACTOR segments of a level and one newer are left between commits. Merges run
** inside commit, on the writer's thread. optimize commits without them and merges
** everything.
**
** Memory: the in-memory segment is flushed to a (not yet committed) segment file whenever
** it holds more than FLUSH_BYTES, so ingest memory stays bounded whatever the batch size.
**
** State machine: see api.h (OPEN -> ERROR on any failed write/fsync/rename; never retried).
*/
#include "api/api.h"
#include "api/dedup.h"

#include "doc/doc.h"
#include "text/lang.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define WRITER_FLUSH_BYTES (192u << 20)
#define WRITER_MERGE_FACTOR 10

enum writer_state { WRITER_OPEN = 0, WRITER_ERROR = 1 };

struct ndb_writer {
    ndb_db *db;
    int lock_fd;
    enum writer_state state;
    ndb_store *store;
    ndb_manifest m;      /* the last committed manifest */
    ndb_segw *segw;      /* docs added since the last flush */
    ndb_fwdw *fwd;       /* forward index (index/fwd.h); NULL when the archive has none */
    ndb_manifest_seg *pending; /* flushed, not yet committed */
    size_t npending;
    uint32_t uncommitted; /* docs appended since the last commit */
    ndb_analyzer *an;
    ndb_article art;
    api_dedup_w *dd; /* near-duplicate detection (dedup.c); NULL when switched off */
    const uint64_t *pre_h; /* replaying recorded tokens: their ndb_hash64s, else NULL */
    size_t pre_i, pre_n;   /* the next token's index in pre_h, and their number */
};

bool api_writer_dedup_on(const ndb_writer *w)
{
    return w->dd != NULL;
}

void api_writer_last_counts(const ndb_writer *w, int64_t *declared, uint32_t *found)
{
    *declared = w->art.para_declared;
    *found = w->art.n_paras;
}

bool api_writer_poisoned(const ndb_writer *w)
{
    return w->state == WRITER_ERROR;
}

/* Any failure that may have left disk and memory apart poisons the writer. */
static ndb_rc writer_fail(ndb_writer *w, ndb_rc rc)
{
    if (rc != NDB_OK && rc != NDB_EPARSE && rc != NDB_ELIMIT && rc != NDB_EINVAL) {
        if (w->state != WRITER_ERROR)
            api_log(w->db, NDB_LOG_ERROR, "writer poisoned: %s", ndb_strerror(rc));
        w->state = WRITER_ERROR;
    }
    return rc;
}

static ndb_rc writer_check_open(const ndb_writer *w, ndb_err *err)
{
    if (w->state == WRITER_ERROR)
        return ndb_err_set(err, NDB_EPOISONED,
                           "%s: the writer failed earlier (I/O error); close and reopen the "
                           "archive, it is at its last commit",
                           w->db->path);
    return NDB_OK;
}

/* Delete files no manifest references: segment files and *.tmp left by a crash. */
static void writer_sweep(ndb_writer *w)
{
    DIR *d = opendir(w->db->path);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        bool referenced = false, junk;
        char path[4200];
        junk = (len > 4 && strcmp(n + len - 4, ".tmp") == 0);
        if (!junk && strncmp(n, "seg-", 4) == 0) {
            for (size_t i = 0; i < w->m.nsegs; i++)
                referenced |= strcmp(w->m.segs[i].name, n) == 0;
            junk = !referenced;
        }
        if (junk && ndb_path_join(path, sizeof path, w->db->path, n) == NDB_OK)
            w->db->vfs->unlink(w->db->vfs, path);
    }
    closedir(d);
}

NDB_API ndb_rc ndb_writer_open(ndb_db *db, ndb_writer **out, ndb_err *err)
{
    ndb_writer *w;
    ndb_rc rc;
    ndb_err_clear(err);
    *out = NULL;
    if (db->writer)
        return ndb_err_set(err, NDB_EBUSY, "%s: a writer is already open on this handle",
                           db->path);
    w = ndb_calloc(1, sizeof *w);
    if (!w)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    w->db = db;
    w->lock_fd = -1;
    ndb_manifest_init(&w->m);
    ndb_doc_article_init(&w->art);
    rc = api_lock(db, &w->lock_fd, err);
    if (rc == NDB_OK)
        rc = ndb_manifest_load(db->vfs, db->path, &w->m, err);
    if (rc == NDB_OK)
        rc = ndb_store_open(db->vfs, db->path, &w->m.store, true, &w->store, err);
    if (rc == NDB_OK)
        rc = ndb_fwdw_open(db->vfs, db->path, w->m.store.ndocs, &w->fwd, err);
    if (rc == NDB_OK && ndb_text_analyzer_new(w->m.stemmer, &w->an) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    if (rc == NDB_OK)
        rc = api_dedup_open(db, w->store, w->m.gen, &w->dd, err);
    if (rc != NDB_OK) {
        ndb_writer_close(w);
        return rc;
    }
    writer_sweep(w);
    db->writer = w;
    *out = w;
    return NDB_OK;
}

NDB_API void ndb_writer_close(ndb_writer *w)
{
    if (!w)
        return;
    api_dedup_close(w->dd);
    ndb_segw_free(w->segw);
    ndb_fwdw_close(w->fwd);
    ndb_free(w->pending);
    ndb_store_close(w->store);
    ndb_text_analyzer_free(w->an);
    ndb_doc_article_fini(&w->art);
    ndb_manifest_fini(&w->m);
    if (w->lock_fd >= 0)
        w->db->vfs->close(w->db->vfs, w->lock_fd);
    if (w->db->writer == w)
        w->db->writer = NULL;
    ndb_free(w);
}

/* ---------------------------------------------------------------- segments */

/* Size of a segment file just written (informational, for the manifest and stats); 0 if it
** cannot be read. */
static uint64_t writer_file_size(const ndb_writer *w, const char *name)
{
    const ndb_vfs *v = w->db->vfs;
    char path[4200];
    off_t size = 0;
    int fd;
    if (ndb_path_join(path, sizeof path, w->db->path, name) != NDB_OK)
        return 0;
    fd = v->open(v, path, O_RDONLY, 0);
    if (fd < 0)
        return 0;
    if (v->fsize(v, fd, &size) != 0)
        size = 0;
    v->close(v, fd);
    return (uint64_t)size;
}

/* Write the in-memory segment (if it holds docs) as a pending segment file. */
static ndb_rc writer_flush(ndb_writer *w, ndb_err *err)
{
    ndb_manifest_seg seg;
    ndb_manifest_seg *np;
    ndb_rc rc;
    if (!w->segw || ndb_segw_ndocs(w->segw) == 0)
        return NDB_OK;
    memset(&seg, 0, sizeof seg);
    ndb_manifest_seg_name(w->m.next_seg + w->npending, seg.name, sizeof seg.name);
    rc = ndb_segw_write(w->segw, w->db->vfs, w->db->path, seg.name, err);
    if (rc != NDB_OK)
        return writer_fail(w, rc);
    seg.ndocs = ndb_segw_ndocs(w->segw);
    seg.base = ndb_store_ndocs(w->store) - seg.ndocs;
    seg.bytes = writer_file_size(w, seg.name);
    np = ndb_realloc(w->pending, (w->npending + 1) * sizeof *np);
    if (!np)
        return writer_fail(w, ndb_err_set(err, NDB_ENOMEM, "out of memory"));
    w->pending = np;
    w->pending[w->npending++] = seg;
    ndb_segw_free(w->segw);
    w->segw = NULL;
    return NDB_OK;
}

/* Write manifest `next` (gen already set) as the new commit; on success it becomes w->m. */
static ndb_rc writer_publish(ndb_writer *w, ndb_manifest *next, ndb_err *err)
{
    ndb_rc rc;
    next->time = (uint64_t)time(NULL);
    rc = ndb_manifest_write(w->db->vfs, w->db->path, next, err);
    if (rc != NDB_OK)
        return writer_fail(w, rc);
    ndb_manifest_fini(&w->m);
    w->m = *next;
    ndb_manifest_init(next);
    return NDB_OK;
}

/* Merge segments [from, to) of the committed manifest into one and commit that. */
static ndb_rc writer_merge_range(ndb_writer *w, size_t from, size_t to, ndb_err *err)
{
    ndb_seg **segs = NULL;
    ndb_manifest next;
    ndb_manifest_seg merged;
    size_t n = to - from, k = 0;
    ndb_rc rc = NDB_OK;
    ndb_manifest_init(&next);
    memset(&merged, 0, sizeof merged);
    segs = ndb_calloc(n, sizeof *segs);
    if (!segs)
        return writer_fail(w, ndb_err_set(err, NDB_ENOMEM, "out of memory"));
    for (k = 0; k < n && rc == NDB_OK; k++)
        rc = ndb_seg_open(w->db->vfs, w->db->path, w->m.segs[from + k].name, &segs[k], err);
    if (rc != NDB_OK)
        goto out;
    ndb_manifest_seg_name(w->m.next_seg, merged.name, sizeof merged.name);
    rc = ndb_seg_merge(w->db->vfs, w->db->path, segs, n, merged.name, err);
    if (rc == NDB_OK && w->db->vfs->fsync_dir(w->db->vfs, w->db->path) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: directory fsync failed", w->db->path);
    if (rc != NDB_OK)
        goto out;
    merged.base = w->m.segs[from].base;
    merged.ndocs = w->m.segs[to - 1].base + w->m.segs[to - 1].ndocs - merged.base;
    merged.level = w->m.segs[from].level + 1;
    merged.bytes = writer_file_size(w, merged.name);
    rc = ndb_manifest_copy(&next, &w->m);
    if (rc != NDB_OK)
        goto out;
    next.nsegs = from;
    rc = ndb_manifest_add_seg(&next, &merged);
    for (size_t i = to; i < w->m.nsegs && rc == NDB_OK; i++)
        rc = ndb_manifest_add_seg(&next, &w->m.segs[i]);
    if (rc != NDB_OK)
        goto out;
    next.gen = w->m.gen + 1;
    next.next_seg = w->m.next_seg + 1;
    rc = writer_publish(w, &next, err);
    if (rc != NDB_OK)
        goto out;
    /* The merged-away files are referenced by no manifest that can be loaded any more (the
    ** new one is valid and newest). Readers that still map them keep their mappings. */
    for (k = 0; k < n; k++) {
        char path[4200];
        if (ndb_path_join(path, sizeof path, w->db->path, ndb_seg_name(segs[k])) == NDB_OK)
            w->db->vfs->unlink(w->db->vfs, path);
    }
out:
    for (k = 0; k < n; k++)
        ndb_seg_unref(segs[k]);
    ndb_free(segs);
    ndb_manifest_fini(&next);
    if (rc != NDB_OK)
        return writer_fail(w, rc);
    return NDB_OK;
}

/* Merge runs of WRITER_MERGE_FACTOR same-level segments that end just before the newest
** segment, repeatedly. The run the newest segment would complete waits for the next commit,
** so an optimize right after a commit (a bulk load's end) does not first rewrite a level it
** is about to rewrite again (at 1M bench articles: one 500k-article merge, ~9 s of 190). */
static ndb_rc writer_maybe_merge(ndb_writer *w, ndb_err *err)
{
    for (;;) {
        size_t end = w->m.nsegs > 0 ? w->m.nsegs - 1 : 0; /* the newest is left out */
        bool same = end >= WRITER_MERGE_FACTOR;
        for (size_t i = end - (same ? WRITER_MERGE_FACTOR : 0); same && i < end; i++)
            same = w->m.segs[i].level == w->m.segs[end - 1].level;
        if (!same)
            return NDB_OK;
        ndb_rc rc = writer_merge_range(w, end - WRITER_MERGE_FACTOR, end, err);
        if (rc != NDB_OK)
            return rc;
    }
}

/* Commit; then level merges when merge is set (optimize skips them: it merges everything
** next, and a level merge first would rewrite up to half the archive once more). */
static ndb_rc writer_commit(ndb_writer *w, bool merge, ndb_err *err)
{
    ndb_manifest next;
    ndb_rc rc;
    ndb_err_clear(err);
    rc = writer_check_open(w, err);
    if (rc != NDB_OK || (w->uncommitted == 0 && !api_dedup_behind(w->dd)))
        return rc;
    ndb_manifest_init(&next);
    rc = writer_flush(w, err);
    if (rc == NDB_OK)
        rc = ndb_manifest_copy(&next, &w->m);
    for (size_t i = 0; i < w->npending && rc == NDB_OK; i++)
        rc = ndb_manifest_add_seg(&next, &w->pending[i]);
    if (rc == NDB_OK && w->fwd)
        rc = ndb_fwdw_sync(w->fwd, err);
    if (rc == NDB_OK)
        rc = ndb_store_sync(w->store, &next.store, err);
    if (rc == NDB_OK && w->db->vfs->fsync_dir(w->db->vfs, w->db->path) != 0)
        rc = ndb_err_sys(err, NDB_EIO, errno, "%s: directory fsync failed", w->db->path);
    if (rc == NDB_OK)
        rc = api_dedup_commit(w->dd, w->m.gen + 1, err);
    if (rc == NDB_OK) {
        next.gen = w->m.gen + 1;
        next.next_seg = w->m.next_seg + w->npending;
        rc = writer_publish(w, &next, err);
    }
    ndb_manifest_fini(&next);
    if (rc != NDB_OK)
        return writer_fail(w, rc);
    w->npending = 0;
    w->uncommitted = 0;
    return merge ? writer_maybe_merge(w, err) : NDB_OK;
}

NDB_API ndb_rc ndb_writer_commit(ndb_writer *w, ndb_err *err)
{
    return writer_commit(w, true, err);
}

NDB_API ndb_rc ndb_writer_optimize(ndb_writer *w, ndb_err *err)
{
    ndb_rc rc = writer_commit(w, false, err);
    if (rc != NDB_OK)
        return rc;
    if (w->m.nsegs <= 1)
        return NDB_OK;
    return writer_merge_range(w, 0, w->m.nsegs, err);
}

/* ---------------------------------------------------------------- add */

/* One token into the segment writer and the forward index: one hash, one lookup. The
** forward index's id of the term is cached in the segment writer's term record (its tag),
** so the forward index's own table is probed once per term and segment, not per token. */
#define WRITER_AHEAD 16 /* tokens: the slot, 16 ahead; the term record, 8; its bytes, 4 */
static ndb_rc writer_token(void *ctx, const ndb_token *t)
{
    ndb_writer *w = ctx;
    uint64_t h;
    uint32_t *fid;
    if (w->pre_h && w->pre_i < w->pre_n) { /* replay: hashed, and the next ones known */
        size_t i = w->pre_i++;
        h = w->pre_h[i];
        if (i + WRITER_AHEAD < w->pre_n)
            ndb_segw_prefetch(w->segw, w->pre_h[i + WRITER_AHEAD], 0);
        if (i + WRITER_AHEAD / 2 < w->pre_n)
            ndb_segw_prefetch(w->segw, w->pre_h[i + WRITER_AHEAD / 2], 1);
        if (i + WRITER_AHEAD / 4 < w->pre_n)
            ndb_segw_prefetch(w->segw, w->pre_h[i + WRITER_AHEAD / 4], 2);
    } else {
        h = ndb_hash64(t->term, t->len);
    }
    ndb_rc rc = ndb_segw_add_token_tag(w->segw, t->term, t->len, h, t->pos, &fid);
    if (rc != NDB_OK || !w->fwd)
        return rc;
    if (*fid == NDB_SEGW_NO_TAG && (rc = ndb_fwdw_term_id(w->fwd, t->term, t->len, h, fid)))
        return rc;
    return ndb_fwdw_add_id(w->fwd, *fid);
}

/* Field overrides from a side file, else the derived ones. */
typedef struct writer_fields {
    ndb_slice url;
    const char *outlet, *title, *lang;
    int32_t date;
    char outlet_buf[256];
} writer_fields;

static ndb_rc writer_fields_get(const ndb_article *a, const ndb_meta *meta, const char *source,
                                writer_fields *f, ndb_err *err)
{
    f->url = a->url;
    f->outlet = a->outlet;
    f->title = "";
    f->lang = "";
    f->date = a->date;
    if (!meta)
        return NDB_OK;
    if (meta->url && *meta->url) {
        f->url.p = (const uint8_t *)meta->url;
        f->url.n = strlen(meta->url);
    }
    if (meta->outlet && *meta->outlet) {
        /* Outlets are registrable domains everywhere (a side file may give a host such as
        ** "edition.cnn.com"), so filters and breakdowns see one name per outlet. */
        char url[300];
        int k = snprintf(url, sizeof url, "http://%s/", meta->outlet);
        if (k > 0 && (size_t)k < sizeof url &&
            ndb_doc_outlet(url, (size_t)k, f->outlet_buf, sizeof f->outlet_buf) == NDB_OK &&
            f->outlet_buf[0])
            f->outlet = f->outlet_buf;
        else
            f->outlet = meta->outlet;
    }
    if (meta->title)
        f->title = meta->title;
    if (meta->lang)
        f->lang = meta->lang;
    if (meta->date && *meta->date &&
        !ndb_date_parse(meta->date, strlen(meta->date), &f->date))
        return ndb_err_set(err, NDB_EPARSE, "%s: side file date \"%s\" is not YYYY-MM-DD",
                           source, meta->date);
    return NDB_OK;
}

/* The add path shared by ndb_writer_add_native and api_writer_add_verbatim: with `fixed`
** non-NULL its outlet and date are stored exactly as given (no registrable-domain
** normalization, no date derived from the URL) instead of the derived/side-file ones. */
static ndb_rc writer_add(ndb_writer *w, const char *source, const void *bytes, size_t n,
                         const ndb_meta *meta, int strict, const api_fixed_fields *fixed,
                         const api_tokens *pre, ndb_add_result *res, ndb_err *err)
{
    ndb_article *a = &w->art;
    writer_fields f;
    ndb_store_doc_in in;
    uint64_t chash = 0, newhash;
    uint32_t old_id = 0, id = 0, ntok = 0;
    uint8_t lang = NDB_LANG_NONE;
    bool found = false;
    ndb_rc rc;
    ndb_err_clear(err);
    memset(res, 0, sizeof *res);
    rc = writer_check_open(w, err);
    if (rc != NDB_OK)
        return rc;
    if (!source)
        source = "(input)";
    ndb_doc_article_fini(a);
    ndb_doc_article_init(a);
    rc = ndb_doc_parse(source, bytes, n, strict != 0, a, err);
    if (rc != NDB_OK)
        return rc;
    res->count_mismatch = a->count_mismatch;
    rc = writer_fields_get(a, meta, source, &f, err);
    if (rc != NDB_OK)
        return rc;
    if (fixed) {
        f.outlet = fixed->outlet ? fixed->outlet : "";
        f.date = fixed->date;
    }
    if (pre) /* resolved from the same fields by the thread that recorded the tokens */
        lang = api_tokens_lang(pre);
    else
        rc = api_lang_resolve(f.lang, f.title, a->paras, a->n_paras, &lang);
    if (rc != NDB_OK)
        return ndb_err_set(err, rc, "%s: out of memory", source);
    f.lang = ndb_lang_code(lang);
    rc = ndb_store_url_latest(w->store, (const char *)f.url.p, f.url.n, &old_id, &chash, &found,
                              err);
    if (rc != NDB_OK)
        return writer_fail(w, rc);
    newhash = ndb_hash64(bytes, n);
    if (found && chash == newhash) {
        res->status = NDB_DUPLICATE;
        res->id = old_id;
        return NDB_OK;
    }
    id = ndb_store_ndocs(w->store);
    if (!w->segw) {
        rc = ndb_segw_new(id, &w->segw);
        if (rc != NDB_OK)
            return writer_fail(w, ndb_err_set(err, rc, "out of memory"));
    }
    rc = ndb_segw_begin_doc(w->segw, id);
    if (rc == NDB_OK && w->m.langstem)
        rc = ndb_text_analyzer_set_stem(w->an, ndb_lang_stem_index(lang));
    if (pre && api_tokens_stem(pre) != ndb_text_analyzer_stem_index(w->an))
        pre = NULL; /* recorded with another stemmer than this archive uses: analyze here */
    if (w->fwd)
        ndb_fwdw_begin_doc(w->fwd);
    if (pre) {
        w->pre_h = api_tokens_hashes(pre, &w->pre_n);
        w->pre_i = 0;
    }
    if (rc == NDB_OK)
        rc = pre ? api_dedup_replay(w->dd, pre, writer_token, w, &ntok) /* analyzed already */
                 : api_dedup_analyze(w->dd, w->an, a->paras, a->n_paras, writer_token, w, &ntok);
    w->pre_h = NULL;
    if (rc == NDB_OK)
        rc = ndb_segw_end_doc(w->segw, ntok);
    if (rc != NDB_OK)
        return writer_fail(w, ndb_err_set(err, rc, "%s: cannot index: %s", source,
                                          ndb_strerror(rc)));
    memset(&in, 0, sizeof in);
    in.raw.p = bytes;
    in.raw.n = n;
    in.url = f.url;
    in.outlet = f.outlet;
    in.title = f.title;
    in.lang = f.lang;
    in.source = source;
    in.lead_bytes = a->lead_bytes;
    in.para_declared = a->para_declared;
    in.date = f.date;
    in.len = ntok;
    rc = ndb_store_append(w->store, &in, &id, err);
    if (rc == NDB_OK && w->fwd)
        rc = ndb_fwdw_end_doc(w->fwd, id, err);
    if (rc == NDB_OK)
        rc = api_dedup_added(w->dd, id, err);
    if (rc != NDB_OK)
        return writer_fail(w, rc);
    w->uncommitted++;
    res->status = found ? NDB_UPDATED : NDB_ADDED;
    res->id = id;
    if (ndb_segw_mem(w->segw) > WRITER_FLUSH_BYTES)
        return writer_flush(w, err);
    return NDB_OK;
}

NDB_API ndb_rc ndb_writer_add_native(ndb_writer *w, const char *source, const void *bytes,
                                     size_t n, const ndb_meta *meta, int strict,
                                     ndb_add_result *res, ndb_err *err)
{
    return writer_add(w, source, bytes, n, meta, strict, NULL, NULL, res, err);
}

ndb_rc api_writer_add_verbatim(ndb_writer *w, const char *source, const void *bytes, size_t n,
                               const api_fixed_fields *fixed, ndb_add_result *res,
                               ndb_err *err)
{
    return writer_add(w, source, bytes, n, NULL, 0, fixed, NULL, res, err);
}

ndb_rc api_writer_add_native_tokens(ndb_writer *w, const char *source, const void *bytes,
                                    size_t n, const ndb_meta *meta, int strict,
                                    const api_tokens *tokens, ndb_add_result *res,
                                    ndb_err *err)
{
    return writer_add(w, source, bytes, n, meta, strict, NULL, tokens, res, err);
}

ndb_rc api_writer_analyzer_new(const ndb_writer *w, ndb_analyzer **an, bool *per_language)
{
    *per_language = w->m.langstem;
    return ndb_text_analyzer_new(w->m.stemmer, an);
}

ndb_rc api_writer_add_tokens(ndb_writer *w, const char *source, const void *bytes, size_t n,
                             const api_fixed_fields *fixed, const api_tokens *tokens,
                             ndb_add_result *res, ndb_err *err)
{
    return writer_add(w, source, bytes, n, NULL, 0, fixed, tokens, res, err);
}
