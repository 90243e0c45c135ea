/*
** seg_int.h — private to the segment files of index/ (segment.c, segw.c, seg_merge.c,
** seg_check.c, multi.c): the reader struct, the trailer (section directory) and the
** streaming file writer shared by the in-memory writer and the merge.
**
** The file layout is the table at the top of segment.c. A segment file is written in one
** forward pass: header, then per term its POS then DOC bytes, then the doc length table,
** the term blocks, the term index, the trailer and the footer; the CRC32C of the footer is
** accumulated as bytes go out, so the file is never read back while written.
**
** Threading: an ndb_segout belongs to one thread; ndb_seg: see segment.h.
*/
#ifndef NDB_INDEX_SEG_INT_H
#define NDB_INDEX_SEG_INT_H

#include "index/segment.h"
#include "postings/codec.h"
#include "postings/postings.h"
#include "termdict/termdict.h"

#include <limits.h>

#define NDB_KIND_SEGMENT  0x47455358u /* "XSEG" */
#define SEG_MAJOR         1
#define SEG_MINOR         5 /* 1.5: as 1.4, skip entries hold min_dlr (postings.h);
                             ** 1.4: codec PFOR2, positions BYLIST2 (or RADIX), packed skip
                             ** entries; 1.3: PFOR2, GROUPS2;
                             ** 1.2: PFOR2, BYLIST;
                             ** 1.1: PFOR2, GROUPS or DLBOUND for every list; 1.0: codec
                             ** PFOR, GROUPS */
#define SEG_TRAILER_MAGIC 0x54474553u /* "SEGT" */
#define SEG_TRAILER_SIZE  96
#define SEG_CODEC         NDB_CODEC_PFOR2 /* codec of the segments we write */
#define SEG_POS_SHIFT     16 /* trailer codec word: block codec | position format << 16 */
#define SEG_POS_MASK      0xffu
#define SEG_SKIP_RATIO    (1u << 24) /* trailer codec word: skip entries hold min_dlr (1.5) */
#define SEG_NAME_MAX      256

enum { SEG_SEC_POST, SEG_SEC_DOCLEN, SEG_SEC_TERMS, SEG_SEC_TINDEX, SEG_NSEC };

typedef struct seg_meta {
    uint32_t codec, base, ndocs;
    uint64_t nterms, total_len;
    uint64_t off[SEG_NSEC], len[SEG_NSEC];
} seg_meta;

struct ndb_seg {
    _Atomic int refs;
    char name[SEG_NAME_MAX];
    const uint8_t *p; /* whole file */
    size_t n;
    bool mapped; /* else p is ndb_malloc'd */
    seg_meta m;
    const ndb_codec *codec;
    uint32_t pos_fmt;
    bool skip_ratio; /* its skip entries hold min_dlr (1.5, postings.h) */
    ndb_termdict td;
};

/* Term info of the dictionary as the segment API's struct. */
void ndb_seg_info_from(ndb_term_info *ti, const ndb_termdict_info *d);
/* ti's byte ranges lie inside the postings section. */
bool ndb_seg_info_ok(const ndb_seg *s, const ndb_term_info *ti);

/* Give back this process's mapped pages of file bytes [from, to) (whole pages inside it):
** they stop counting in its resident set; a later read faults them in again from the page
** cache, so the bytes seen never change. For a reader that is done with a range (merge).
** No-op when s is not mmap'd. */
void ndb_seg_drop_pages(const ndb_seg *s, uint64_t from, uint64_t to);

/* ------------------------------------------------------------ streaming file writer */

typedef struct ndb_segout {
    const ndb_vfs *vfs;
    int fd;
    char tmp[PATH_MAX], path[PATH_MAX];
    uint64_t off; /* bytes written (flushed + buffered) */
    uint32_t crc;
    ndb_buf buf;
    seg_meta m;
    ndb_termdict_writer td;
    ndb_postings_enc enc;
    ndb_buf doc;           /* DOC bytes of the current term */
    uint64_t term_pos_off; /* where the current term's POS bytes start */
    ndb_buf *rec;          /* when set, term_end also records {u16 n, term, info} here */
    uint32_t pos_fmt;      /* the segment's position format (postings.h) */
} ndb_segout;

/* Create dir/name.tmp and write the header; m.off[POST] is set. Format 1.5 (codec
** SEG_CODEC, packed skip entries holding min_dlr; NEWSDB_SEG_FORMAT=1.4 for min_dl, which
** older builds read) with positions NDB_POS_BYLIST2: lists of words seen about
** once per doc in RADIX (first positions at widths known from the doc lengths), the others
** in GROUPS2 (BENCHMARKS.md §5 B13); NEWSDB_SEG_POSITIONS=radix writes 1.5 with every list
** RADIX, =groups2 1.3 with GROUPS2, =groups 1.1 with GROUPS, which older builds read.
** Smaller, slower phrase queries, on request (BENCHMARKS.md §6): format 1.2 with
** positions NDB_POS_BYLIST (NEWSDB_SEG_POSITIONS=bylist: about 7 % smaller segments at 1M,
** phrases of mid-frequency words 2-3x slower) or 1.1 with every list NDB_POS_DLBOUND
** (=dlbound: smaller still, phrases of frequent words slower too). Format 1.0 (codec PFOR,
** GROUPS), which older builds read, with NEWSDB_SEG_FORMAT=1.0. On error nothing is left
** open or on disk. */
ndb_rc ndb_segout_open(ndb_segout *o, const ndb_vfs *vfs, const char *dir, const char *name,
                       uint32_t base, ndb_err *err);
ndb_rc ndb_segout_write(ndb_segout *o, const void *p, size_t n, ndb_err *err);
/* Postings of one term: ndb_segout_term_begin with the list's df and cf (they choose its
** position format in a BYLIST segment: the totals term_end will record),
** ndb_segout_term_add per doc (local ids), ndb_segout_term_end (writes POS and DOC bytes,
** adds the dictionary entry). */
void ndb_segout_term_begin(ndb_segout *o, uint64_t df, uint64_t cf);
ndb_rc ndb_segout_term_add(ndb_segout *o, uint32_t doc, uint32_t freq, const uint32_t *pos,
                           uint32_t dl, ndb_err *err);
ndb_rc ndb_segout_term_end(ndb_segout *o, const uint8_t *t, size_t n, ndb_err *err);
/* Append to o the postings `from` has written so far (terms all after o's last one, bytes
** read back from its tmp file) and the dictionary entries it recorded (from->rec), their
** offsets moved to where the bytes land in o. The result is byte for byte what o would have
** written had it encoded those terms itself. `from` is left to ndb_segout_abort. */
ndb_rc ndb_segout_splice(ndb_segout *o, ndb_segout *from, ndb_err *err);
/* Bytes of postings from which a writer of terms uses two threads (the caller's default
** `dflt`; tests override it through the environment: NEWSDB_MERGE_SPLIT_BYTES). */
uint64_t ndb_seg_split_bytes(uint64_t dflt);
/* Write a segment's terms in two runs: fn(lo, o) here writes the lower terms into o while
** fn(hi, side) on a second thread writes the upper ones into a side file dir/<name>.hi.tmp,
** which is then spliced after them (ndb_segout_splice), so o ends byte for byte as if one
** thread had written all terms. The side file is removed whatever happens. Without a
** thread or a side file the same work runs in turn on this thread. fn must be safe to run
** on two disjoint term ranges at once. */
typedef ndb_rc (*ndb_segout_run_fn)(void *arg, ndb_segout *o, ndb_err *err);
ndb_rc ndb_segout_two_runs(ndb_segout *o, const char *dir, const char *name,
                           ndb_segout_run_fn fn, void *lo, void *hi, ndb_err *err);
/* After the last term: start the doc length section (then write u32le lengths). */
void ndb_segout_doclens_begin(ndb_segout *o);
/* Dictionary, trailer (ndocs, total_len from the caller), footer, fsync, close, rename. */
ndb_rc ndb_segout_finish(ndb_segout *o, uint32_t ndocs, uint64_t total_len, ndb_err *err);
/* Close and unlink the tmp file; releases everything (after finish: only memory). */
void ndb_segout_abort(ndb_segout *o);

#endif /* NDB_INDEX_SEG_INT_H */
