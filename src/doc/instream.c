/*
** instream.c — the buffered byte stream of items_int.h.
**
** Files are read with gzopen/gzread: zlib detects gzip by its magic and otherwise copies
** the bytes through, and it continues across concatenated gzip members (the way WARC
** files compress each record). "-" reads stdin the same way. A gzip error (truncated or
** corrupt member) marks the stream failed with a message naming the file and the
** decompressed offset reached; the readers turn that into a fatal error after handing out
** every complete item before it.
*/
#include "doc/items_int.h"

#include <errno.h>
#include <unistd.h>

ndb_rc ndb_doc_in_open(ndb_doc_in *in, const char *path, ndb_err *err)
{
    memset(in, 0, sizeof *in);
    in->name = ndb_strdup(path);
    in->buf = ndb_malloc(NDB_DOC_IN_BUF);
    if (in->name == NULL || in->buf == NULL) {
        ndb_doc_in_close(in);
        return ndb_err_set(err, NDB_ENOMEM, "%s: out of memory", path);
    }
    if (strcmp(path, "-") == 0) {
        in->gz = gzdopen(dup(STDIN_FILENO), "rb");
    } else {
        in->gz = gzopen(path, "rb");
    }
    if (in->gz == NULL) {
        int e = errno;
        ndb_doc_in_close(in);
        return ndb_err_sys(err, NDB_EIO, e ? e : EIO, "%s: cannot open", path);
    }
    (void)gzbuffer(in->gz, 1 << 17);
    in->p = in->end = in->buf;
    return NDB_OK;
}

ndb_rc ndb_doc_in_open_mem(ndb_doc_in *in, const char *name, const uint8_t *p, size_t n,
                           ndb_err *err)
{
    memset(in, 0, sizeof *in);
    in->name = ndb_strdup(name ? name : "(input)");
    if (in->name == NULL) {
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    }
    in->mem = p ? p : (const uint8_t *)"";
    in->mem_n = p ? n : 0;
    in->p = in->mem;
    in->end = in->mem + in->mem_n;
    in->eof = true; /* the one window is all there is */
    return NDB_OK;
}

void ndb_doc_in_close(ndb_doc_in *in)
{
    if (in->gz != NULL) {
        (void)gzclose(in->gz);
    }
    ndb_free(in->buf);
    ndb_free(in->name);
    memset(in, 0, sizeof *in);
}

bool ndb_doc_in_fill(ndb_doc_in *in)
{
    int got;
    if (in->p != in->end) {
        return true;
    }
    if (in->eof || in->failed || in->gz == NULL) {
        return false;
    }
    got = gzread(in->gz, in->buf, NDB_DOC_IN_BUF);
    if (got < 0) {
        int zerr = 0;
        const char *m = gzerror(in->gz, &zerr);
        in->failed = true;
        if (zerr == Z_ERRNO) {
            ndb_err_sys(&in->err, NDB_EIO, errno, "%s: read error at byte %llu", in->name,
                        (unsigned long long)in->pos);
        } else {
            ndb_err_set(&in->err, NDB_ECORRUPT, "%s: corrupt compressed data at byte %llu: %s",
                        in->name, (unsigned long long)in->pos, m ? m : "?");
        }
        return false;
    }
    if (got == 0) {
        int zerr = 0;
        (void)gzerror(in->gz, &zerr);
        in->eof = true;
        if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
            in->failed = true;
            ndb_err_set(&in->err, NDB_ECORRUPT, "%s: corrupt compressed data at byte %llu",
                        in->name, (unsigned long long)in->pos);
        } else if (zerr == Z_BUF_ERROR) {
            in->failed = true;
            ndb_err_set(&in->err, NDB_ECORRUPT,
                        "%s: compressed input ends in the middle (truncated) at byte %llu",
                        in->name, (unsigned long long)in->pos);
        }
        return false;
    }
    in->p = in->buf;
    in->end = in->buf + got;
    return true;
}

uint64_t ndb_doc_in_bytes_in(const ndb_doc_in *in)
{
    if (in->gz != NULL) {
        z_off_t o = gzoffset(in->gz);
        return o > 0 ? (uint64_t)o : 0;
    }
    return (uint64_t)(in->p - in->mem);
}
