/*
** codec.h — block codecs for posting lists: 128 uint32 values in, bytes out.
**
** Every codec implements `ndb_codec {encode_block, decode_block, block_size}` (STYLE rule
** 15), so the posting format (postings.c) never knows how a block is packed; a segment
** records the id of the codec its full blocks use. Values are what the posting format
** hands over (doc gaps minus one, freqs minus one, position gaps), already small.
**
** Codecs:
**   NDB_CODEC_BITPACK (1) frame of reference: 1 byte b = bits of the largest value
**                     (0..32), then 128 values of b bits, LSB first, 16*b bytes.
**                     The default: about 2x smaller than stream-vbyte on freqs and
**                     dense doc gaps (b = 0 costs one byte for a whole block).
**   NDB_CODEC_SVB     (2) libstreamvbyte: 32 control bytes + 1..4 bytes per value.
**   NDB_CODEC_PFOR    (3) patched frame of reference: byte b, byte nexc, 128 values' low
**                     b bits (16*b bytes), then nexc exceptions {u8 index, varint v >> b};
**                     b is chosen to minimise the size. Segments of format 1.0.
**   NDB_CODEC_PFOR2   (4) PFOR with bit-packed exceptions: byte b, byte nexc, byte hw
**                     (only if nexc > 0), the low b bits (16*b bytes), then nexc
**                     exceptions of 7 bits index + hw bits (v >> b), zero-padded to a
**                     byte. An exception costs 7 + hw bits instead of 16+; the block's
**                     size is in its header. Segments use this one (1M bench segment:
**                     doc gaps 275.2 -> ~265 MB, freqs 54.9 -> ~45 MB).
**
** Decoding takes the bytes available and returns 0 when the block does not fit in them,
** so a corrupt file can never make it read past its mapping.
**
** Threading: stateless, reentrant.
*/
#ifndef NDB_POSTINGS_CODEC_H
#define NDB_POSTINGS_CODEC_H

#include "base/base.h"
#include "postings/cursor.h"

#define NDB_CODEC_BITPACK 1u
#define NDB_CODEC_SVB     2u
#define NDB_CODEC_PFOR    3u
#define NDB_CODEC_PFOR2   4u
/* Bytes one block may take at most under any codec. */
#define NDB_CODEC_MAX_BYTES (2 + 4 * NDB_BLOCK_DOCS + NDB_BLOCK_DOCS / 4 + 8 * NDB_BLOCK_DOCS)

typedef struct ndb_codec {
    uint32_t id;
    const char *name;
    size_t block_size; /* values per block (NDB_BLOCK_DOCS) */
    /* Encode block_size values into out (>= NDB_CODEC_MAX_BYTES); returns bytes written. */
    size_t (*encode_block)(const uint32_t *in, uint8_t *out);
    /* Decode block_size values from p (avail bytes); returns bytes used, 0 if corrupt. */
    size_t (*decode_block)(const uint8_t *p, size_t avail, uint32_t *out);
    /* Bytes of the block at p without decoding it (what decode_block would return for a
    ** valid block), 0 if its header overruns avail. Lets a reader jump over blocks. */
    size_t (*skip_block)(const uint8_t *p, size_t avail);
} ndb_codec;

/* PFOR2 over n values (1..128; 128 is the codec's block): the same layout with the low
** parts taking ceil(n * b / 8) bytes. A list's last, partial group of positions (format
** NDB_POS_GROUPS2, postings.h). decode/size return 0 when the block is malformed or does
** not fit in avail. */
size_t ndb_pfor2_encode_n(const uint32_t *in, size_t n, uint8_t *out);
size_t ndb_pfor2_decode_n(const uint8_t *p, size_t avail, size_t n, uint32_t *out);
size_t ndb_pfor2_size_n(const uint8_t *p, size_t avail, size_t n);

/* The codec with this id, or NULL if unknown. */
const ndb_codec *ndb_codec_get(uint32_t id);

#endif /* NDB_POSTINGS_CODEC_H */
