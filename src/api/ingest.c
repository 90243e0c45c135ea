/*
** ingest.c — ndb_ingest: read a source (file, directory, tar in any compression, stdin,
** or a foreign format converted by doc/items.h: JSONL, CSV, WARC, saved HTML pages),
** match each record to its side-file line, add it, commit in batches.
**
** Bad records never stop the batch: each gets one report line naming the source and what
** is wrong, and is counted as skipped. Under strict mode the first bad record (or a
** paragraph-count mismatch) fails the call and nothing of it is committed — so strict mode
** makes no intermediate commits. Errors that are not about one record (I/O, a corrupt tar,
** a poisoned writer, out of memory) end the call; batches committed before stay committed.
**
** Reading, side-file matching and analysis run on a second thread (ingest_pipe.c) unless
** opts.threads is 1; this thread adds, reports and commits in source order, so reports,
** progress, stats and the archive are the same either way.
*/
#include "api/api.h"

#include "doc/doc.h"
#include "doc/items.h"

#include <stdio.h>

#define INGEST_DEFAULT_BATCH 50000
#define INGEST_PROGRESS_EVERY 256

typedef struct ingest_run {
    ndb_writer *w;
    const ndb_ingest_opts *o;
    ndb_ingest_stats *st;
    ndb_doc_meta *meta;
} ingest_run;

static void ingest_report(const ingest_run *r, int is_error, const char *msg)
{
    if (r->o->report)
        r->o->report(r->o->ctx, is_error, msg);
}

/* Add one record; NDB_OK also when it was skipped as bad (reported). The fields a
** converted format (JSONL, CSV, WARC, HTML) carried are in it.meta: a side-file line wins. */
static ndb_rc ingest_one(ingest_run *r, const api_ingest_item *item, ndb_err *err)
{
    ndb_add_result res;
    ndb_err e;
    const char *name = item->it.name;
    const ndb_meta *m = item->side ? item->side : item->it.meta;
    ndb_rc rc = api_writer_add_native_tokens(r->w, name, item->it.p, item->it.n, m,
                                             r->o->strict, item->tok, &res, &e);
    if (rc == NDB_EPARSE || rc == NDB_ELIMIT) {
        r->st->skipped++;
        ingest_report(r, 1, e.msg);
        if (r->o->strict) {
            if (err)
                *err = e;
            return rc;
        }
        return NDB_OK;
    }
    if (rc != NDB_OK) {
        if (err)
            *err = e;
        return rc;
    }
    if (res.count_mismatch) {
        char msg[NDB_ERR_MSG_MAX + 64];
        int64_t declared;
        uint32_t found;
        api_writer_last_counts(r->w, &declared, &found);
        r->st->warnings++;
        snprintf(msg, sizeof msg,
                 "%s:3: line 3 says %lld paragraphs, found %u (text kept as found)", name,
                 (long long)declared, found);
        ingest_report(r, 0, msg);
    }
    switch (res.status) {
    case NDB_ADDED:
        r->st->added++;
        break;
    case NDB_UPDATED:
        r->st->updated++;
        break;
    case NDB_DUPLICATE:
        r->st->duplicates++;
        break;
    }
    return NDB_OK;
}

static void ingest_meta_report(void *ctx, int is_error, const char *msg)
{
    ingest_report(ctx, is_error, msg);
}

/* Ingest one source; progress bytes are counted from `bytes_before`. */
static ndb_rc ingest_source(ingest_run *r, const char *path, uint64_t bytes_before,
                            uint64_t *since_commit, uint64_t *bytes_in, ndb_err *err)
{
    const ndb_ingest_opts *opt = r->o;
    ndb_ingest_stats *st = r->st;
    ndb_doc_items *src = NULL;
    api_ingest_pipe *pipe = NULL;
    ndb_doc_fmt fmt = NDB_DOC_FMT_AUTO;
    uint32_t batch = opt->commit_every ? opt->commit_every : INGEST_DEFAULT_BATCH;
    ndb_rc rc = NDB_OK;
    if (opt->format && !ndb_doc_fmt_parse(opt->format, &fmt))
        return ndb_err_set(err, NDB_EINVAL, "unknown input format '%s'", opt->format);
    rc = ndb_doc_items_open(path, fmt, &src, err);
    if (rc == NDB_OK && api_ingest_pipe_start(src, r->meta, r->w, opt->strict, opt->threads != 1,
                                              &pipe) != NDB_OK)
        rc = ndb_err_set(err, NDB_ENOMEM, "out of memory");
    while (rc == NDB_OK) {
        api_ingest_item item;
        ndb_err e;
        bool failed;
        rc = api_ingest_pipe_next(pipe, &item, &failed, &e);
        if (rc == NDB_ENOTFOUND) {
            rc = NDB_OK;
            break;
        }
        if (rc != NDB_OK) {
            if (failed) {
                if (err)
                    *err = e;
                break;
            }
            st->seen++;
            st->skipped++;
            ingest_report(r, 1, e.msg);
            if (opt->strict) {
                if (err)
                    *err = e;
                break;
            }
            rc = NDB_OK;
            continue;
        }
        st->seen++;
        st->bytes += item.it.n;
        rc = ingest_one(r, &item, err);
        if (rc != NDB_OK)
            break;
        if (opt->progress && st->seen % INGEST_PROGRESS_EVERY == 0)
            opt->progress(opt->ctx, st->seen, bytes_before + item.bytes_in);
        if (!opt->strict && !opt->defer_commit && ++*since_commit >= batch) {
            rc = ndb_writer_commit(r->w, err);
            *since_commit = 0;
        }
    }
    api_ingest_pipe_stop(pipe); /* before src: the pipe's thread reads it */
    *bytes_in = src ? ndb_doc_items_bytes_in(src) : 0;
    if (src) {
        st->ignored += ndb_doc_items_ignored(src);
        st->revisits += ndb_doc_items_revisits(src);
    }
    ndb_doc_items_close(src);
    return rc;
}

NDB_API ndb_rc ndb_ingest_paths(ndb_writer *w, const char *const *paths, size_t npaths,
                                const ndb_ingest_opts *opt, ndb_ingest_stats *st, ndb_err *err)
{
    static const ndb_ingest_opts defaults;
    ingest_run r;
    ndb_ingest_stats local;
    uint64_t since_commit = 0, bytes_in = 0;
    ndb_rc rc = NDB_OK;
    ndb_err_clear(err);
    if (!opt)
        opt = &defaults;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    memset(&r, 0, sizeof r);
    r.w = w;
    r.o = opt;
    r.st = st;
    if (api_writer_poisoned(w))
        return ndb_writer_commit(w, err); /* reports EPOISONED */
    if (opt->meta_path) {
        rc = ndb_doc_meta_load(opt->meta_path, ingest_meta_report, &r, &r.meta, err);
        if (rc != NDB_OK)
            return rc;
        st->meta_lines = ndb_doc_meta_lines(r.meta);
    }
    for (size_t i = 0; i < npaths && rc == NDB_OK; i++) {
        uint64_t b = 0;
        rc = ingest_source(&r, paths[i], bytes_in, &since_commit, &b, err);
        bytes_in += b;
    }
    if (rc == NDB_OK && !opt->defer_commit)
        rc = ndb_writer_commit(w, err);
    if (rc == NDB_OK && opt->progress)
        opt->progress(opt->ctx, st->seen, bytes_in);
    if (rc == NDB_OK && r.meta)
        st->meta_unmatched = ndb_doc_meta_report_unmatched(r.meta, ingest_meta_report, &r);
    ndb_doc_meta_free(r.meta);
    return rc;
}

NDB_API ndb_rc ndb_ingest(ndb_writer *w, const char *path, const ndb_ingest_opts *opt,
                          ndb_ingest_stats *st, ndb_err *err)
{
    return ndb_ingest_paths(w, &path, 1, opt, st, err);
}
