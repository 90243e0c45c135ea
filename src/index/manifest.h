/*
** manifest.h — the single commit point of an archive (STYLE rule 11).
**
** A commit writes MANIFEST-<gen> (16 lower-case hex digits) atomically: tmp file, fsync,
** rename, directory fsync. It names everything that exists at that commit: the store's
** committed lengths and CRCs, the live index segments, the analyzer. Opening an archive
** picks the newest manifest whose frame checks (an older one is used only if a newer one is
** damaged, which a sound disk never produces since the rename is atomic). Files a manifest
** references are never rewritten; files no manifest references (a crash between a segment
** write and its manifest) are deleted by the next writer.
**
** Byte layout (framed file, kind NDB_KIND_MANIFEST, version 1.0 or 2.0), body:
**   u64 generation | u8 stemmer | u8 langstem | u8 reserved[2]
** langstem (version 2 only; 0 in version 1): 1 = each article is stemmed with the Snowball
** stemmer of its own language (text/lang.h), the archive's stemmer serving English, unknown
** and languages without one. Such an archive is written as version 2, so that a build that
** predates per-language stemming refuses it (it would index new articles differently);
** archives without it stay version 1.
**   u32 ndocs | u32 noutlets | u64 total_len | u64 raw_bytes
**   5 x { u64 committed length | u32 crc32c }       store files, NDB_STORE_* order
**   u64 next_seg                                   number of the next segment name
**   u32 nsegs, then per segment: lp name | u32 base | u32 ndocs | u64 bytes | u32 level
**   u64 commit time (unix seconds; informational)
*/
#ifndef NDB_INDEX_MANIFEST_H
#define NDB_INDEX_MANIFEST_H

#include "base/base.h"
#include "store/store.h"

#define NDB_KIND_MANIFEST 0x494e414du /* "MANI" */
#define NDB_MANIFEST_MAX_SEGS 4096

typedef struct ndb_manifest_seg {
    char name[48];  /* seg-<16 hex>.ndx */
    uint32_t base;  /* first doc id */
    uint32_t ndocs; /* docs [base, base + ndocs) */
    uint64_t bytes;
    uint32_t level; /* 0 = flushed by a commit; merges of level L make L + 1 */
} ndb_manifest_seg;

typedef struct ndb_manifest {
    uint64_t gen;
    ndb_stemmer stemmer;
    uint8_t langstem; /* 1: per-language stemming (see the layout above) */
    ndb_store_state store;
    uint64_t next_seg;
    uint64_t time;
    size_t nsegs;
    ndb_manifest_seg *segs; /* OWNED by the manifest */
} ndb_manifest;

void ndb_manifest_init(ndb_manifest *m);
void ndb_manifest_fini(ndb_manifest *m);
ndb_rc ndb_manifest_copy(ndb_manifest *dst, const ndb_manifest *src);
ndb_rc ndb_manifest_add_seg(ndb_manifest *m, const ndb_manifest_seg *s);

/* Serialize / parse one manifest image (parse checks the frame). */
ndb_rc ndb_manifest_encode(const ndb_manifest *m, ndb_buf *out);
ndb_rc ndb_manifest_decode(const uint8_t *p, size_t n, const char *name, ndb_manifest *m,
                           ndb_err *err);

/* Write MANIFEST-<m->gen> atomically, then delete manifests older than m->gen - 1. */
ndb_rc ndb_manifest_write(const ndb_vfs *vfs, const char *dir, const ndb_manifest *m,
                          ndb_err *err);
/* Load the newest valid manifest of dir. NDB_ENOTFOUND when the directory has none. */
ndb_rc ndb_manifest_load(const ndb_vfs *vfs, const char *dir, ndb_manifest *m, ndb_err *err);
/* Name of segment number k: "seg-%016llx.ndx". */
void ndb_manifest_seg_name(uint64_t k, char *out, size_t cap);

#endif /* NDB_INDEX_MANIFEST_H */
