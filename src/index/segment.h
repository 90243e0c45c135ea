/*
** segment.h — immutable index segments: in-memory writer, file serializer, mmap reader,
** merge and full verification.
**
** A segment covers the contiguous doc id range [base, base+ndocs): every doc of that range
** is in it, added in id order. It holds, for every distinct term, a posting list (doc ids,
** term frequencies, positions) in the block format of postings/postings.h, the term
** dictionary (termdict/termdict.h) and the token length of each of its docs. Cursors return
** GLOBAL doc ids. The byte layout of the file is the table at the top of segment.c.
**
** Life cycle:
**   ndb_segw_new -> (begin_doc -> add_token* -> end_doc)* -> ndb_segw_write -> ndb_segw_free
**   ndb_seg_open -> (ndb_seg_term | ndb_seg_prefix | ndb_seg_cursor)* -> ndb_seg_unref
**
** Ownership: ndb_segw_new's writer is OWNED (ndb_segw_free). ndb_seg_open returns one
** reference (ndb_seg_unref); a cursor from ndb_seg_cursor BORROWS the segment, so keep a
** reference until the cursor is closed. ndb_seg_name is BORROWED until the last unref.
**
** Limits: a term is 1..NDB_TERM_MAX bytes (longer: NDB_EINVAL from add_token).
**
** Threading: a writer belongs to one thread. An ndb_seg is immutable after open; every read
** function and ref/unref (atomic) may be called from any number of threads at once.
*/
#ifndef NDB_INDEX_SEGMENT_H
#define NDB_INDEX_SEGMENT_H

#include "base/base.h"
#include "index/view.h"
#include "postings/cursor.h"

#ifndef NDB_TERM_MAX
#define NDB_TERM_MAX 256
#endif

/* ---------------------------------------------------------------- writer */

typedef struct ndb_segw ndb_segw; /* in-memory segment writer */

/* New empty writer for docs base, base+1, ... *out OWNED: ndb_segw_free. */
ndb_rc ndb_segw_new(uint32_t base, ndb_segw **out);
/* Start doc id; ids must be base, base+1, ... (else NDB_EINVAL). */
ndb_rc ndb_segw_begin_doc(ndb_segw *w, uint32_t id);
/* One token of the current doc; positions ascending within a doc. */
ndb_rc ndb_segw_add_token(ndb_segw *w, const char *term, size_t n, uint32_t pos);
/* The same with the term's ndb_hash64 given, and *tag pointed at a word kept with the term
** in this writer for the caller (NDB_SEGW_NO_TAG until the caller stores something there;
** BORROWED until the next call on w). On failure *tag is NULL. */
#define NDB_SEGW_NO_TAG UINT32_MAX
ndb_rc ndb_segw_add_token_tag(ndb_segw *w, const char *term, size_t n, uint64_t hash,
                              uint32_t pos, uint32_t **tag);
/* A hint, no effect on contents: start loading what adding a token of the term with this
** ndb_hash64 will touch: stage 0 its hash slot, 1 (once that is loaded) its term record,
** 2 (once that is) its bytes and the end of its positions. Callers that know the next
** tokens call it ahead of ndb_segw_add_token_tag (a token costs several cache misses). */
void ndb_segw_prefetch(const ndb_segw *w, uint64_t hash, int stage);
/* End the current doc; doclen is its length in tokens (kept for BM25 and merges). */
ndb_rc ndb_segw_end_doc(ndb_segw *w, uint32_t doclen);
uint32_t ndb_segw_ndocs(const ndb_segw *w);
/* Bytes held, for flush decisions. */
size_t ndb_segw_mem(const ndb_segw *w);
/* Serialize to dir/name: write name.tmp, fsync, rename (the caller fsyncs the dir once per
** commit). The writer is unchanged and may be written again or freed. */
ndb_rc ndb_segw_write(ndb_segw *w, const ndb_vfs *vfs, const char *dir, const char *name,
                      ndb_err *err);
/* Accepts NULL. */
void ndb_segw_free(ndb_segw *w);

/* ---------------------------------------------------------------- reader */

typedef struct ndb_seg ndb_seg; /* immutable, mmap'd, refcounted, thread-safe */

/* Map dir/name and verify header, footer magic, size and section directory bounds (the
** whole-file CRC is checked by ndb_seg_check). *out OWNED: ndb_seg_unref. */
ndb_rc ndb_seg_open(const ndb_vfs *vfs, const char *dir, const char *name, ndb_seg **out,
                    ndb_err *err);
void ndb_seg_ref(ndb_seg *s);
/* Last unref unmaps; accepts NULL. */
void ndb_seg_unref(ndb_seg *s);
uint32_t ndb_seg_base(const ndb_seg *s);
uint32_t ndb_seg_ndocs(const ndb_seg *s);
uint64_t ndb_seg_bytes(const ndb_seg *s);
uint64_t ndb_seg_nterms(const ndb_seg *s);
/* Sum of the doc lengths of the segment. */
uint64_t ndb_seg_total_len(const ndb_seg *s);
const char *ndb_seg_name(const ndb_seg *s);
/* Token length of doc id, id in [base, base+ndocs) (0 outside). */
uint32_t ndb_seg_doclen(const ndb_seg *s, uint32_t id);

typedef struct ndb_term_info {
    uint64_t df, cf;
    uint32_t max_tf, min_dl;
    uint64_t doc_off, doc_len, pos_off, pos_len;
} ndb_term_info;

/* Look term t up; false when absent (or when the dictionary is corrupt). */
bool ndb_seg_term(const ndb_seg *s, const char *t, size_t n, ndb_term_info *ti);
/* Add to cf[i] the collection frequency in s of each term t[i] (len[i] bytes), the terms in
** strictly ascending byte order: one forward walk of the dictionary that seeks only over
** long gaps, much cheaper than n lookups. NDB_ECORRUPT on a corrupt dictionary. */
ndb_rc ndb_seg_cf_sorted(const ndb_seg *s, const char *const *t, const size_t *len, size_t n,
                         uint64_t *cf);
/* Cursor over the postings described by ti (from ndb_seg_term or ndb_seg_prefix's walk).
** positions = false never decodes position data. *out OWNED: ndb_cursor_close; it borrows
** s. Corrupt bytes found later end the cursor with cursor->err = NDB_ECORRUPT. */
ndb_rc ndb_seg_cursor(const ndb_seg *s, const ndb_term_info *ti, bool positions, ndb_cursor **out);
/* Call fn for every term starting with p (n bytes), in byte order. A non-OK return from fn
** stops the walk and is returned; NDB_ECORRUPT on a corrupt dictionary. */
ndb_rc ndb_seg_prefix(const ndb_seg *s, const char *p, size_t n, ndb_term_fn fn, void *fctx);

/* Merge segments with adjacent ascending ranges into one new segment file dir/name (tmp,
** fsync, rename; the caller fsyncs the dir). Streaming: memory is bounded by the largest
** single posting list plus the new term dictionary, not by the total size of postings. */
ndb_rc ndb_seg_merge(const ndb_vfs *vfs, const char *dir, ndb_seg *const *segs, size_t n,
                     const char *name, ndb_err *err);

/* Full verification: whole-file CRC, every term decodes, docs strictly ascending and
** within range, freqs >= 1, positions ascending with count == freq, df/cf/max_tf/min_dl
** and every block's skip data agree with the data, term order. Each problem goes to
** report(ctx, 1, "seg-...: term 'x': ..."); NDB_ECORRUPT if any. report may be NULL. */
ndb_rc ndb_seg_check(const ndb_seg *s, ndb_report_fn report, void *ctx, ndb_err *err);

#endif /* NDB_INDEX_SEGMENT_H */
