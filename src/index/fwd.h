/*
** fwd.h — the forward index of an archive: for every doc id, its distinct terms (as ids of
** an archive-wide vocabulary) with their frequencies. It makes term statistics of a result
** set cost O(tokens of the result set) instead of O(postings of the archive) (see
** src/analytics/terms.c); Lucene calls the same data "term vectors".
**
** Shape: three append-only files of the archive directory, keyed by doc id like the store's
** columns, so segment merges never rewrite them (Lucene's per-segment term vectors are
** rewritten by every merge; ids here are global and never change):
**   fwd.idx  32-byte frame header (kind "XFWD"), then 24 B per doc id:
**            u64 end offset of its record in fwd.dat, u64 tokens of docs [0, id] (a prefix
**            sum), u32 vocabulary size after it, u32 CRC32C of its record
**   fwd.dat  32-byte frame header (kind "XFWR"), then one record per doc:
**            varint n, n x (varint term id delta (first from 0), varint tf), ids ascending
**   fwd.voc  32-byte frame header (kind "XFWV"), then one varint-length-prefixed term per
**            new term id, in order of first appearance (id = its rank)
**
** Commit: the writer appends as docs are added and ndb_fwdw_sync fsyncs all three files;
** the api calls it before the manifest is written, so a committed manifest of n docs always
** finds n durable records. A writer open cuts every file back to what the committed doc
** count implies (a torn tail after a crash disappears), like the store does.
**
** Optional: archives made before the forward index (or whose forward index stopped short of
** the committed docs) have none; ndb_fwd_open then returns NULL and term statistics fall
** back to the postings. A writer opened on an archive that already has docs but no forward
** index does not start one (it could never cover the old docs).
**
** Terms are stored exactly as the segment writer receives them (analyzed, stop words
** included), so the tf of a term in a doc equals its postings tf and the sum of a doc's tfs
** equals the number of its postings positions.
**
** Threading: a writer belongs to one thread; a reader is immutable after open and its read
** functions may be called from any number of threads.
*/
#ifndef NDB_INDEX_FWD_H
#define NDB_INDEX_FWD_H

#include "base/base.h"

#include <stdbool.h>
#include <stdint.h>

#define NDB_FWD_IDX_REC 24

/* ---------------------------------------------------------------- writer */

typedef struct ndb_fwdw ndb_fwdw;

/* Open the forward index of dir for appending after `ndocs` committed docs. *out is NULL
** (and NDB_OK) when the archive has no usable forward index and should not get one (see
** above). *out OWNED: ndb_fwdw_close. */
ndb_rc ndb_fwdw_open(const ndb_vfs *vfs, const char *dir, uint32_t ndocs, ndb_fwdw **out,
                     ndb_err *err);
/* Discards unsynced appends (the next open cuts them). Accepts NULL. */
void ndb_fwdw_close(ndb_fwdw *w);
/* Start a doc (forgets the tokens of a doc that was begun and never ended). */
void ndb_fwdw_begin_doc(ndb_fwdw *w);
/* One token of the current doc (an analyzed term, 1..NDB_TERM_MAX bytes). */
ndb_rc ndb_fwdw_add_token(ndb_fwdw *w, const char *term, size_t n);
/* The two halves of add_token, for a caller that caches ids (the writer keeps them in the
** segment writer's term records): the id of a term (hash = ndb_hash64 of its bytes; a new id
** and vocabulary record when unseen), then one token of that id (an id this writer gave:
** else NDB_EINVAL). Ids are stable for the life of the archive. */
ndb_rc ndb_fwdw_term_id(ndb_fwdw *w, const char *term, size_t n, uint64_t hash, uint32_t *id);
ndb_rc ndb_fwdw_add_id(ndb_fwdw *w, uint32_t id);
/* End the current doc as doc id `id` (must be the next id: NDB_EINVAL otherwise). */
ndb_rc ndb_fwdw_end_doc(ndb_fwdw *w, uint32_t id, ndb_err *err);
/* Write everything appended and fsync the three files. A failure is returned as
** NDB_EIO / NDB_ENOSPC (err->sys_errno); the caller must not commit. */
ndb_rc ndb_fwdw_sync(ndb_fwdw *w, ndb_err *err);

/* ---------------------------------------------------------------- reader */

typedef struct ndb_fwd ndb_fwd;

/* Map the forward index of dir for a snapshot of ndocs docs. *out NULL (NDB_OK) when there
** is none or it covers fewer than ndocs docs. Corrupt headers: NDB_ECORRUPT. *out OWNED:
** ndb_fwd_close. */
ndb_rc ndb_fwd_open(const ndb_vfs *vfs, const char *dir, uint32_t ndocs, ndb_fwd **out,
                    ndb_err *err);
void ndb_fwd_close(ndb_fwd *f); /* accepts NULL */
uint32_t ndb_fwd_ndocs(const ndb_fwd *f);
/* Vocabulary size (term ids are < this). */
uint32_t ndb_fwd_nterms(const ndb_fwd *f);
/* Tokens of docs [0, ndocs) (sum of every tf). */
uint64_t ndb_fwd_total_tokens(const ndb_fwd *f);

/* Doc id's record (id < ndocs), to decode with ndb_fwd_next. NDB_ECORRUPT on bad bounds. */
typedef struct ndb_fwd_iter {
    ndb_rd rd;
    uint32_t left, id;
    bool first;
} ndb_fwd_iter;
ndb_rc ndb_fwd_doc(const ndb_fwd *f, uint32_t id, ndb_fwd_iter *it);
/* Next (term id, tf) of the record: NDB_OK with *more false at the end; NDB_ECORRUPT when
** the bytes are bad (ids not ascending or >= nterms, tf 0, truncated). */
ndb_rc ndb_fwd_next(const ndb_fwd *f, ndb_fwd_iter *it, uint32_t *tid, uint32_t *tf, bool *more);

/* Offsets of every term of the vocabulary (built by one scan of fwd.voc), then its bytes.
** *offs OWNED: ndb_free; [nterms + 1] (term i = bytes [offs[i], offs[i+1]) minus its varint
** length prefix, see ndb_fwd_term). */
ndb_rc ndb_fwd_vocab(const ndb_fwd *f, uint64_t **offs, ndb_err *err);
/* Term id's bytes, BORROWED until close. */
void ndb_fwd_term(const ndb_fwd *f, const uint64_t *offs, uint32_t id, const char **p, size_t *n);

/* Verify every record's CRC, bounds and ids, and the prefix sums; each problem goes to
** report(ctx, 1, msg). NDB_ECORRUPT if any. */
ndb_rc ndb_fwd_check(const ndb_fwd *f, ndb_report_fn report, void *ctx, ndb_err *err);

#endif /* NDB_INDEX_FWD_H */
