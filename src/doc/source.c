/*
** source.c — where articles come from: one native file, a directory tree, a tar archive
** (any compression libarchive reads) or a tar stream on stdin.
**
** Shape: one handle, three kinds, one next() that hands out (name, bytes) records:
**   FILE  a regular file that is not an archive: one record named by the path as given.
**   DIR   depth-first walk; each directory is read whole, dotfiles dropped, names sorted
**         bytewise (strcmp), so the order is deterministic ("a/x" comes before "a-b" when
**         "a" sorts first, like `ls -R`); symlinks to files are read, symlinked
**         directories are skipped (no cycles). Names are relative to the given directory.
**   TAR   libarchive with every filter and the tar formats. A regular file is sniffed at
**         open: libarchive's "unrecognized format" means it is a native article (an empty
**         file too); any other failure at open is a corrupt archive. "-" and non-regular
**         files (pipes) are always read as tar streams (they cannot be sniffed and rewound).
**         Only regular members are returned.
** Errors about one record (NDB_ELIMIT: bigger than NDB_DOC_MAX_BYTES, checked from stat or
** the tar header before reading; NDB_EIO: unreadable file or directory) leave the source
** usable. A corrupt or truncated archive is fatal: failed() turns true and every later
** next() returns the same code and message.
**
** Memory: the current record's bytes (ndb_malloc'd file image, or the reused tar buffer)
** and name live in the handle until the next call; the directory stack holds one sorted
** name list per open level.
**
** Threading: a source belongs to one thread.
*/
#include "doc/doc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

/* libarchive's private code for "Unrecognized archive format" (archive_private.h). */
#ifdef EFTYPE
#define SOURCE_ERRNO_FORMAT EFTYPE
#else
#define SOURCE_ERRNO_FORMAT EILSEQ
#endif

enum source_kind { SOURCE_FILE, SOURCE_DIR, SOURCE_TAR };

typedef struct source_dir {
    char **names; /* sorted, OWNED */
    size_t n, i;
    size_t rel_len; /* length of s->rel when this directory was entered */
} source_dir;

struct ndb_doc_source {
    enum source_kind kind;
    char *path;        /* as given, OWNED */
    bool done;         /* FILE: its one record was returned */
    bool failed;
    ndb_err fail;      /* the fatal error, repeated by next() */
    uint64_t bytes_in;
    uint8_t *data;     /* FILE/DIR: current record, OWNED */
    ndb_buf rec;       /* TAR: current record */
    ndb_buf rel;       /* current name (relative path / member name), NUL-terminated */
    ndb_buf full;      /* DIR: path + "/" + rel */
    source_dir *stack; /* DIR */
    size_t depth, cap;
    struct archive *ar;        /* TAR */
    struct archive_entry *pending; /* TAR: first header, read by open when sniffing */
};

static void source_dir_free(source_dir *d)
{
    for (size_t i = 0; i < d->n; i++) {
        ndb_free(d->names[i]);
    }
    ndb_free(d->names);
    memset(d, 0, sizeof *d);
}

void ndb_doc_source_close(ndb_doc_source *s)
{
    if (s == NULL) {
        return;
    }
    while (s->depth > 0) {
        source_dir_free(&s->stack[--s->depth]);
    }
    ndb_free(s->stack);
    if (s->ar != NULL) {
        archive_read_free(s->ar);
    }
    ndb_free(s->data);
    ndb_buf_fini(&s->rec);
    ndb_buf_fini(&s->rel);
    ndb_buf_fini(&s->full);
    ndb_free(s->path);
    ndb_free(s);
}

bool ndb_doc_source_failed(const ndb_doc_source *s)
{
    return s->failed;
}

uint64_t ndb_doc_source_bytes_in(const ndb_doc_source *s)
{
    return s->bytes_in;
}

static int source_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Push the directory s->path/s->rel (rel "" or ending in '/'). */
static ndb_rc source_push_dir(ndb_doc_source *s, const char *full, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    source_dir d = {NULL, 0, 0, s->rel.n};
    size_t cap = 0;
    DIR *dir = opendir(full);
    struct dirent *e;

    if (dir == NULL) {
        return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot open directory", full);
    }
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (d.n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = ndb_realloc(d.names, ncap * sizeof *nn);
            if (nn == NULL) {
                rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory listing", full);
                goto out;
            }
            d.names = nn;
            cap = ncap;
        }
        d.names[d.n] = ndb_strdup(e->d_name);
        if (d.names[d.n] == NULL) {
            rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory listing", full);
            goto out;
        }
        d.n++;
    }
    if (d.n > 1) {
        qsort(d.names, d.n, sizeof *d.names, source_cmp);
    }
    if (s->depth == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 8;
        source_dir *ns = ndb_realloc(s->stack, ncap * sizeof *ns);
        if (ns == NULL) {
            rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", full);
            goto out;
        }
        s->stack = ns;
        s->cap = ncap;
    }
    s->stack[s->depth++] = d;
    d.names = NULL;
    d.n = 0;
out:
    closedir(dir);
    source_dir_free(&d);
    return rc;
}

/* Read the regular file `full` (named `name` in messages) into s->data. */
static ndb_rc source_read_file(ndb_doc_source *s, const char *full, const char *name,
                               uint64_t size, const uint8_t **p, size_t *n, ndb_err *err)
{
    ndb_rc rc;

    ndb_free(s->data);
    s->data = NULL;
    if (size > NDB_DOC_MAX_BYTES) {
        return ndb_err_set(err, NDB_ELIMIT, "%s: %llu bytes, more than the %u allowed", name,
                           (unsigned long long)size, NDB_DOC_MAX_BYTES);
    }
    rc = ndb_vfs_read_file(ndb_vfs_default(), full, NDB_DOC_MAX_BYTES, &s->data, n, err);
    if (rc == NDB_ENOTFOUND) {
        rc = ndb_err_set(err, NDB_EIO, "%s: vanished before it could be read", name);
    }
    if (rc != NDB_OK) {
        return rc;
    }
    s->bytes_in += *n;
    *p = s->data != NULL ? s->data : (const uint8_t *)"";
    return NDB_OK;
}

/* One step of the directory walk: NDB_OK with a record, ENOTFOUND at the end, or a
** per-record error. */
static ndb_rc source_next_dir(ndb_doc_source *s, const char **name, const uint8_t **p,
                              size_t *n, ndb_err *err)
{
    struct stat st;

    while (s->depth > 0) {
        source_dir *d = &s->stack[s->depth - 1];
        if (d->i == d->n) {
            source_dir_free(d);
            s->depth--;
            continue;
        }
        s->rel.n = d->rel_len;
        const char *entry = d->names[d->i++];
        ndb_buf_reset(&s->full);
        if (ndb_buf_append_str(&s->rel, entry) != NDB_OK || ndb_buf_cstr(&s->rel) != NDB_OK ||
            ndb_buf_printf(&s->full, "%s/%s", s->path, (const char *)s->rel.p) != NDB_OK) {
            return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", entry);
        }
        const char *full = (const char *)s->full.p, *rel = (const char *)s->rel.p;
        *name = rel; // also on a per-record error
        if (lstat(full, &st) != 0) {
            return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", rel);
        }
        if (S_ISDIR(st.st_mode)) {
            if (ndb_buf_append_u8(&s->rel, '/') != NDB_OK) {
                return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", rel);
            }
            ndb_rc rc = source_push_dir(s, full, err);
            if (rc != NDB_OK) {
                return rc;
            }
            *name = NULL;
            continue;
        }
        if (S_ISLNK(st.st_mode) && stat(full, &st) != 0) {
            return ndb_err_sys(err, NDB_EIO, errno, "%s: dangling symlink", rel);
        }
        if (!S_ISREG(st.st_mode)) {
            continue; // devices, sockets, symlinked directories
        }
        return source_read_file(s, full, rel, (uint64_t)st.st_size, p, n, err);
    }
    *name = NULL;
    return NDB_ENOTFOUND;
}

/* Remember a fatal archive error; every later next() repeats it. */
static ndb_rc source_fail(ndb_doc_source *s, const char *what, ndb_err *err)
{
    const char *why = archive_error_string(s->ar);
    s->failed = true;
    ndb_err_set(&s->fail, NDB_ECORRUPT, "%s: %s: %s", s->path, what,
                why != NULL ? why : "archive error");
    ndb_err_set(err, NDB_ECORRUPT, "%s", s->fail.msg);
    return NDB_ECORRUPT;
}

/* Read the current tar member's data into s->rec (size already checked). */
static ndb_rc source_read_member(ndb_doc_source *s, const char *member, ndb_err *err)
{
    la_ssize_t got;
    ndb_rc rc;

    ndb_buf_reset(&s->rec);
    for (;;) {
        rc = ndb_buf_reserve(&s->rec, 65536);
        if (rc != NDB_OK) {
            return ndb_err_set(err, rc, "%s: more than the %u bytes allowed", member,
                               NDB_DOC_MAX_BYTES);
        }
        got = archive_read_data(s->ar, s->rec.p + s->rec.n, s->rec.cap - s->rec.n);
        if (got < 0) {
            return source_fail(s, "corrupt or truncated archive", err);
        }
        if (got == 0) {
            return NDB_OK;
        }
        s->rec.n += (size_t)got;
    }
}

static ndb_rc source_next_tar(ndb_doc_source *s, const char **name, const uint8_t **p,
                              size_t *n, ndb_err *err)
{
    struct archive_entry *e;
    int r;
    ndb_rc rc;

    for (;;) {
        if (s->pending != NULL) {
            e = s->pending;
            s->pending = NULL;
            r = ARCHIVE_OK;
        } else {
            r = archive_read_next_header(s->ar, &e);
        }
        s->bytes_in = (uint64_t)archive_filter_bytes(s->ar, -1);
        if (r == ARCHIVE_EOF) {
            return NDB_ENOTFOUND;
        }
        if (r < ARCHIVE_WARN) {
            return source_fail(s, "corrupt or truncated archive", err);
        }
        if (archive_entry_filetype(e) != AE_IFREG) {
            continue;
        }
        const char *member = archive_entry_pathname(e);
        ndb_buf_reset(&s->rel);
        if (ndb_buf_append_str(&s->rel, member != NULL ? member : "?") != NDB_OK ||
            ndb_buf_cstr(&s->rel) != NDB_OK) {
            return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", s->path);
        }
        *name = (const char *)s->rel.p;
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)NDB_DOC_MAX_BYTES) {
            return ndb_err_set(err, NDB_ELIMIT, "%s: %lld bytes, more than the %u allowed",
                               *name, (long long)archive_entry_size(e), NDB_DOC_MAX_BYTES);
        }
        rc = source_read_member(s, *name, err);
        if (rc != NDB_OK) {
            return rc;
        }
        s->bytes_in = (uint64_t)archive_filter_bytes(s->ar, -1);
        *p = s->rec.p != NULL ? s->rec.p : (const uint8_t *)"";
        *n = s->rec.n;
        return NDB_OK;
    }
}

ndb_rc ndb_doc_source_next(ndb_doc_source *s, const char **name, const uint8_t **p,
                           size_t *n, ndb_err *err)
{
    struct stat st;

    ndb_err_clear(err);
    *name = NULL;
    *p = NULL;
    *n = 0;
    if (s->failed) {
        ndb_err_set(err, s->fail.rc, "%s", s->fail.msg);
        return s->fail.rc;
    }
    switch (s->kind) {
    case SOURCE_DIR:
        return source_next_dir(s, name, p, n, err);
    case SOURCE_TAR:
        return source_next_tar(s, name, p, n, err);
    case SOURCE_FILE:
    default:
        if (s->done) {
            return NDB_ENOTFOUND;
        }
        s->done = true;
        *name = s->path;
        if (stat(s->path, &st) != 0) {
            return ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", s->path);
        }
        return source_read_file(s, s->path, s->path, (uint64_t)st.st_size, p, n, err);
    }
}

/* Open s->path (or stdin for "-") with libarchive. sniff: a regular file that may turn
** out not to be an archive; then *is_archive tells. */
static ndb_rc source_open_tar(ndb_doc_source *s, bool sniff, bool *is_archive, ndb_err *err)
{
    int r;

    *is_archive = true;
    s->ar = archive_read_new();
    if (s->ar == NULL) {
        return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", s->path);
    }
    archive_read_support_filter_all(s->ar);
    archive_read_support_format_tar(s->ar);
    if (strcmp(s->path, "-") == 0) {
        r = archive_read_open_fd(s->ar, 0, 65536);
    } else {
        r = archive_read_open_filename(s->ar, s->path, 65536);
    }
    if (r != ARCHIVE_OK) {
        if (sniff && archive_errno(s->ar) == SOURCE_ERRNO_FORMAT) {
            *is_archive = false;
            return NDB_OK;
        }
        return ndb_err_set(err, NDB_EIO, "%s: cannot open: %s", s->path,
                           archive_error_string(s->ar) ? archive_error_string(s->ar) : "?");
    }
    if (!sniff) {
        return NDB_OK;
    }
    r = archive_read_next_header(s->ar, &s->pending);
    if (r == ARCHIVE_EOF) {
        s->pending = NULL;
        return NDB_OK; // an empty archive
    }
    if (r >= ARCHIVE_WARN) {
        return NDB_OK;
    }
    s->pending = NULL;
    if (archive_errno(s->ar) == SOURCE_ERRNO_FORMAT) {
        *is_archive = false;
        return NDB_OK;
    }
    return ndb_err_set(err, NDB_ECORRUPT, "%s: corrupt archive: %s", s->path,
                       archive_error_string(s->ar) ? archive_error_string(s->ar) : "?");
}

ndb_rc ndb_doc_source_open(const char *path, ndb_doc_source **out, ndb_err *err)
{
    ndb_rc rc = NDB_OK;
    ndb_doc_source *s = NULL;
    struct stat st;
    bool stdin_tar = strcmp(path, "-") == 0, is_archive = true;

    ndb_err_clear(err);
    *out = NULL;
    if (!stdin_tar && stat(path, &st) != 0) {
        rc = errno == ENOENT ? ndb_err_set(err, NDB_ENOTFOUND, "%s: no such file or directory",
                                           path)
                             : ndb_err_sys(err, NDB_EIO, errno, "%s: cannot stat", path);
        goto out;
    }
    s = ndb_calloc(1, sizeof *s);
    if (s == NULL || (s->path = ndb_strdup(path)) == NULL) {
        rc = ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    ndb_buf_init(&s->rec, (size_t)NDB_DOC_MAX_BYTES + 65536);
    ndb_buf_init(&s->rel, NDB_BUF_NOMAX);
    ndb_buf_init(&s->full, NDB_BUF_NOMAX);
    if (!stdin_tar && S_ISDIR(st.st_mode)) {
        s->kind = SOURCE_DIR;
        rc = ndb_buf_cstr(&s->rel);
        if (rc == NDB_OK) {
            rc = source_push_dir(s, path, err);
        }
        goto out;
    }
    if (!stdin_tar && S_ISREG(st.st_mode) && st.st_size == 0) {
        s->kind = SOURCE_FILE; // empty: not an archive, an (empty, bad) article
        goto out;
    }
    s->kind = SOURCE_TAR;
    rc = source_open_tar(s, !stdin_tar && S_ISREG(st.st_mode), &is_archive, err);
    if (rc == NDB_OK && !is_archive) {
        archive_read_free(s->ar);
        s->ar = NULL;
        s->kind = SOURCE_FILE;
    }
out:
    if (rc != NDB_OK) {
        ndb_doc_source_close(s);
        s = NULL;
    }
    *out = s;
    return rc;
}
