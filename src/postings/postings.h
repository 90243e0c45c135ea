/*
** postings.h — the on-disk posting list format: encoder and mapped-bytes cursor.
**
** One posting list = two byte ranges the caller places anywhere (a segment puts them side
** by side, term after term): DOC data (doc gaps, freqs, skip data) and POS data
** (positions). Counting and ranking read only DOC data. Doc ids inside are LOCAL (0-based
** within the segment); the cursor adds the segment base. Layout (all varints LEB128):
**
**   blocks  nb = ceil(df / 128). Blocks 0..nb-2 hold 128 docs; the last holds the rest
**           (1..128). A block of 128 is "full" and codec-packed; a shorter one is varints.
**   DOC data, nb == 1:  the block.
**   DOC data, nb  > 1:  varint skip_len | skip entries [nb] (skip_len bytes) | blocks
**     skip entry:  varint last - prev_last (prev_last = -1 before block 0)
**                  varint doc_bytes (block size in DOC), varint pos_bytes (chunk in POS)
**                  varint max_tf, varint min_dl (of the block's docs), or with
**                  min_dlr (the encoder's skip_ratio; segments 1.5) in place of min_dl the
**                  smallest dl / tf (integer division) of the block's docs. Why: BM25 is
**                  a function of tf and dl / tf, so (max_tf, min_dlr) bounds a block's
**                  scores far more tightly than (max_tf, min_dl), whose two extremes
**                  mostly come from different docs (a short doc holding the term once, a
**                  long one holding it often). On the 1M bench, of the 82-471 blocks that
**                  four mid-frequency single-term top-10 queries scored with the old
**                  bound, 0-87 lay below the final 10th score by that bound and 53-446 by
**                  the new one (BENCHMARKS.md §5 B26). The list's own min_dl (term info)
**                  stays the smallest dl.
**     or, PACKED (segments 1.4), the same five fields with the first as last - prev_last -
**                  (docs in the block): per field a varint base (its smallest value in the
**                  list) and a byte width w (bits of the largest minus the base), then
**                  entry by entry, field by field, the values minus their bases in w bits,
**                  LSB first, zero-padded to a byte. Why: the varints spent 8.4 bytes an
**                  entry on the 1M bench segment (20 MB), mostly on two-byte fields that
**                  need 8-12 bits, and a dense list's distance to the next block's last doc
**                  (always 128) takes no bits at all.
**   full block:    codec(gap - 1 for each doc; gap from the previous doc, -1 before the
**                  first doc of the list) | codec(freq - 1)
**   short block:   per doc varint (gap - 1) << 1 | (freq == 1), then varint freq - 2 if
**                  freq != 1
**   POS data:      one chunk per block, in block order, holding the positions of the
**                  block's docs in one of two formats (the segment records which):
**     NDB_POS_GROUPS (v1): per doc the first position then gaps to the previous one;
**                  these values go out in groups of 128 (codec) and a varint rest.
**     NDB_POS_GROUPS2 (v3): the same values and groups; the rest (1..127 values, known
**                  from the freqs) is one partial PFOR2 group (ndb_pfor2_encode_n, codec.h)
**                  instead of varints. Why: a block of a rarer word holds ~1.3 positions
**                  per doc, so ~40 of its ~166 values are the rest, mostly first positions
**                  of ~9-10 bits that cost 2 varint bytes each.
**     NDB_POS_RADIX (v4): the chunk holds the in-doc gaps p_j - p_{j-1} - 1 (j >= 1) of
**                  the block's docs, in order, as in GROUPS2 (128-groups by codec, the rest
**                  one partial PFOR2 group), then the HEAD, stored byte-reversed (head byte
**                  j is chunk byte len - 1 - j, so it is found from the chunk's end without
**                  knowing the gaps' size). The head is a bit stream, LSB first, zero-padded
**                  to a byte: bit 1 says whether a 33-bit slack k follows (else k = 0); then
**                  the docs' first positions p0, by triples of docs (3t, 3t+1, 3t+2; the
**                  last triple may hold 1 or 2): with U = dl + k (dl from the segment's
**                  DOCLEN table, k as in v2), when every U of the triple is below
**                  NDB_POS_RADIX_MAX the triple is one number x = p0_a + U_a (p0_b + U_b
**                  p0_c) of bits(U_a U_b U_c - 1) bits, else each p0 takes bits(U - 1) bits
**                  (bits(0) = 0). Why: a first position is about uniform in [0, dl), so the
**                  groups spend ~10 bits on it; a width known from dl alone keeps the values
**                  addressable (a doc's bits start after its block's earlier triples, found
**                  from their lengths, no decoding), and a triple wastes under a bit where
**                  three fixed widths waste ~1.6. On the 1M bench corpus 306M of the 403M
**                  position values are first positions (BENCHMARKS.md §6).
**     NDB_POS_DLBOUND (v2): a bit stream, LSB first, zero-padded to a byte: bit 1 says
**                  whether a 33-bit slack k follows (else k = 0); then, for a block of
**                  128 docs holding V positions, a jump table: with s the largest power
**                  of two <= 128 * NDB_POS_JUMP_VALUES / V within [1, 64], 128/s - 1
**                  fields of bits(34 V + 1) bits, the bit offsets from the body's start
**                  of docs s, 2s, ...; then the body: per doc, with
**                  U = dl + k (dl its length in the segment's DOCLEN table, k >= every
**                  position + 1 - dl of the block's docs), its first position p0 in
**                  [0, U) and each later p_j - p_{j-1} - 1 in [0, U - p_{j-1} - 1), each
**                  in truncated binary: x < n with m = floor(log2 n), u = 2^(m+1) - n is
**                  m bits x when x < u, else m bits u + (x-u)/2 and one bit (x-u) & 1.
**                  Why: a position is about uniform in its doc, so with the doc's length
**                  known it costs log2(dl) bits (8.7 on the 1M bench corpus) where the
**                  128-groups, mixing docs and gaps, cost 10.2. Positions can pass dl by
**                  the paragraph breaks (docs/architecture.md): k covers that, and is 0
**                  whenever dl counts them all.
**
** A v2 chunk decodes in order (a doc's values start where the previous doc's end), so a
** cursor decodes a block's positions up to the doc asked for and resumes from there; the
** jump table lets it start within about NDB_POS_JUMP_VALUES values of any doc.
** For nb == 1 the block's max_tf/min_dl are the list's (term info); its last doc is found
** by decoding the block at open (at most 128 docs).
** Invariants checked on decode (NDB_ECORRUPT via cursor->err): docs < ndocs and strictly
** increasing, freqs >= 1, a block's bytes exactly consumed, its last doc equal to the
** skip entry's, positions fit 32 bits, a v2 doc's freq at most its U.
**
** The caller places the two ranges; a segment writes POS then DOC data, term after term.
**
** Threading: the encoder object belongs to one thread; cursors read immutable bytes.
*/
#ifndef NDB_POSTINGS_POSTINGS_H
#define NDB_POSTINGS_POSTINGS_H

#include "base/base.h"
#include "postings/codec.h"
#include "postings/cursor.h"

/* Position formats (POS data above). */
#define NDB_POS_GROUPS  0u
#define NDB_POS_DLBOUND 1u
/* Of a segment, not of a list: each list's format follows from its df and cf
** (ndb_pos_fmt_of_list), so no byte records it. DLBOUND when cf < 2 df: a list whose docs
** hold the term about once is mostly first positions, about uniform in their doc, where
** DLBOUND saves ~1.5 bits a position (at 1M: 32,800 of the 33,800 terms, 82 % of the
** positions, coded at 10.2 bits in groups); frequent words (cf >= 2 df: "the", "said",
** ...) keep the 128-groups, whose small in-doc gaps pack well and decode fastest. Written
** on request only: a phrase of two mid-frequency words walks a DLBOUND chunk doc by doc
** (each doc's length fetched) where a group is unpacked at once, 2-3x slower at 1M
** (BENCHMARKS.md §6). */
#define NDB_POS_BYLIST 2u
#define NDB_POS_GROUPS2 3u
#define NDB_POS_RADIX   4u
/* RADIX: a triple of first positions is one number when each bound is below this (so the
** product stays below 2^63). */
#define NDB_POS_RADIX_MAX (1u << 21)
/* Of a segment (1.4's default): RADIX for lists with cf < 2 df, GROUPS2 for the others. A
** frequent word's positions are mostly in-doc gaps, where RADIX saves little (1.2 MB of
** its 76 MB at 1M), and its lists are the ones phrases decode densely, where RADIX's
** per-doc work (a doc length, a share of a division) costs most: with this split the
** phrases of frequent words keep GROUPS2's speed (BENCHMARKS.md §5 B13). */
#define NDB_POS_BYLIST2 5u

static inline uint32_t ndb_pos_fmt_of_list(uint32_t seg_fmt, uint64_t df, uint64_t cf)
{
    if (seg_fmt == NDB_POS_BYLIST2)
        return cf < 2 * df ? NDB_POS_RADIX : NDB_POS_GROUPS2;
    if (seg_fmt != NDB_POS_BYLIST)
        return seg_fmt;
    return cf < 2 * df ? NDB_POS_DLBOUND : NDB_POS_GROUPS;
}

/* A segment format whose lists pick their own (by df and cf). */
static inline bool ndb_pos_fmt_by_list(uint32_t seg_fmt)
{
    return seg_fmt == NDB_POS_BYLIST || seg_fmt == NDB_POS_BYLIST2;
}
/* Fields of a packed skip entry. */
#define NDB_SKIP_FIELDS 5u
/* v2 jump table: an entry about every this many positions (at most every 64 docs) */
#define NDB_POS_JUMP_VALUES 128u

typedef struct ndb_postings_stats {
    uint64_t df, cf;
    uint32_t max_tf, min_dl;
} ndb_postings_stats;

/* Incremental encoder of one list at a time, block by block, so a merge holds at most one
** block of a list in memory besides the list's DOC bytes: POS bytes of finished blocks
** accumulate in `pos`, which the caller may drain (write out, then ndb_buf_reset) after
** any add; DOC bytes come out at finish. _init cannot fail (position format
** NDB_POS_GROUPS; set pos_fmt before the first list for another); _fini releases. */
typedef struct ndb_postings_enc {
    const ndb_codec *codec;
    uint32_t pos_fmt;
    bool skip_packed; /* packed skip entries (set before the first list; segments 1.4) */
    bool skip_ratio;  /* skip entries hold min_dlr, not min_dl (before the first list; 1.5) */
    ndb_buf skip, blocks, pos; /* pos: POS bytes not yet drained by the caller */
    uint32_t *sk;              /* packed: the pending list's skip fields, per block */
    size_t sk_cap;
    uint32_t docs[NDB_BLOCK_DOCS], freqs[NDB_BLOCK_DOCS], dls[NDB_BLOCK_DOCS];
    uint32_t *vals; /* position values of the pending block */
    size_t nvals, vals_cap, cnt, nblocks;
    int64_t last_doc, prev_last;
    ndb_postings_stats st;
} ndb_postings_enc;

void ndb_postings_enc_init(ndb_postings_enc *e, const ndb_codec *codec);
void ndb_postings_enc_fini(ndb_postings_enc *e);
/* Start a list (drops anything pending). */
void ndb_postings_enc_begin(ndb_postings_enc *e);
/* Add doc (local id, greater than the previous one) with freq >= 1 positions pos[]
** (strictly ascending) and doc length dl. NDB_EINVAL when an order rule is broken. */
ndb_rc ndb_postings_enc_add(ndb_postings_enc *e, uint32_t doc, uint32_t freq, const uint32_t *pos,
                            uint32_t dl);
/* Finish the list (>= 1 doc, else NDB_EINVAL): the last POS bytes go to e->pos, the DOC
** data is appended to doc, stats to *st. */
ndb_rc ndb_postings_enc_finish(ndb_postings_enc *e, ndb_buf *doc, ndb_postings_stats *st);

/* Whole list at once: docs, freqs, pos (all positions concatenated, freqs[i] for doc i),
** dls[i] the length of docs[i]. Appends DOC data to doc and POS data to posb. */
ndb_rc ndb_postings_encode(ndb_postings_enc *e, const uint32_t *docs, const uint32_t *freqs,
                           const uint32_t *pos, const uint32_t *dls, size_t n, ndb_buf *doc,
                           ndb_buf *posb, ndb_postings_stats *st);

/* Where a cursor reads from. Bytes are BORROWED for the cursor's life. */
typedef struct ndb_postings_src {
    const ndb_codec *codec;
    const uint8_t *doc, *pos;
    size_t doc_len, pos_len;
    uint64_t df;
    uint32_t max_tf, min_dl;
    uint32_t base, ndocs; /* global id = base + local; local ids < ndocs */
    uint32_t pos_fmt;     /* NDB_POS_GROUPS, _DLBOUND, _GROUPS2 or _RADIX (never BYLIST) */
    const uint8_t *dls;   /* DLBOUND, RADIX: u32le length of local docs 0..ndocs-1 (BORROWED) */
    bool skip_packed;     /* skip entries packed (segments 1.4) rather than varints */
    bool skip_ratio;      /* skip entries hold min_dlr, not min_dl (segments 1.5) */
} ndb_postings_src;

/* Open a cursor. NDB_ECORRUPT when the first bytes are already wrong (df == 0, ...).
** *out OWNED: ndb_cursor_close. */
ndb_rc ndb_postings_cursor_new(const ndb_postings_src *src, bool positions, ndb_cursor **out);

#endif /* NDB_POSTINGS_POSTINGS_H */
