/*
** items_int.h — private to the doc module: a buffered byte stream over a file (read through
** zlib's gz layer, so gzip input — one member or one per record — is decompressed
** transparently and plain input passes as is) or over bytes in memory (tests, fuzzing).
** The JSONL/CSV and WARC readers pull from it byte by byte or in blocks; memory is one
** 64 KiB buffer whatever the input size.
*/
#ifndef NDB_DOC_ITEMS_INT_H
#define NDB_DOC_ITEMS_INT_H

#include "doc/items.h"

#include <zlib.h>

#define NDB_DOC_IN_BUF 65536

typedef struct ndb_doc_in {
    char *name;          /* path as given (or the memory name), OWNED */
    gzFile gz;           /* file input, else NULL */
    const uint8_t *mem;  /* memory input */
    size_t mem_n;
    uint8_t *buf;        /* file input: read buffer, OWNED */
    const uint8_t *p;    /* current window [p, end) */
    const uint8_t *end;
    uint64_t pos;        /* decompressed bytes consumed before p */
    bool eof;
    bool failed;         /* read error (corrupt gzip, I/O): err holds it */
    ndb_err err;
} ndb_doc_in;

ndb_rc ndb_doc_in_open(ndb_doc_in *in, const char *path, ndb_err *err);
ndb_rc ndb_doc_in_open_mem(ndb_doc_in *in, const char *name, const uint8_t *p, size_t n,
                           ndb_err *err);
void ndb_doc_in_close(ndb_doc_in *in);
/* Refill when empty; false at the end of input or on failure (in->failed tells which). */
bool ndb_doc_in_fill(ndb_doc_in *in);
/* Compressed bytes read from the file so far (memory: bytes consumed), for progress. */
uint64_t ndb_doc_in_bytes_in(const ndb_doc_in *in);

static inline int ndb_doc_in_getc(ndb_doc_in *in)
{
    if (in->p == in->end && !ndb_doc_in_fill(in))
        return -1;
    in->pos++;
    return *in->p++;
}

static inline int ndb_doc_in_peek(ndb_doc_in *in)
{
    if (in->p == in->end && !ndb_doc_in_fill(in))
        return -1;
    return *in->p;
}

#endif /* NDB_DOC_ITEMS_INT_H */
