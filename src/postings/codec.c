/*
** codec.c — the block codecs of codec.h: bit packing (frame of reference) and stream-vbyte.
**
** Bit packing: byte 0 is the bit width b (0..32); then the 128 values, b bits each,
** little-endian bit order, packed into 16*b bytes. The unpacker is written as one generic
** loop specialised per b by a switch (the compiler unrolls the constant-width copies), so
** it decodes without a branch per value. Encoding/decoding go through a 64-bit
** accumulator; the last word is assembled bytewise, so nothing reads past 1 + 16*b bytes.
**
** Stream-vbyte: libstreamvbyte's streamvbyte_encode/decode over raw values (the postings
** layer already takes the gaps). streamvbyte_decode trusts its input lengths, so we compute
** the data length from the 32 control bytes first and refuse a block that overruns.
**
** Threading: stateless.
*/
#include "postings/codec.h"

#include <streamvbyte.h>

#define CODEC_N NDB_BLOCK_DOCS

static uint32_t codec_width(const uint32_t *in)
{
    uint32_t acc = 0;
    for (size_t i = 0; i < CODEC_N; i++)
        acc |= in[i];
    uint32_t b = 0;
    while (b < 32 && (acc >> b) != 0)
        b++;
    return b;
}

static size_t codec_pack_encode(const uint32_t *in, uint8_t *out)
{
    uint32_t b = codec_width(in);
    uint8_t *o = out + 1;
    uint64_t acc = 0;
    uint32_t have = 0;
    out[0] = (uint8_t)b;
    if (b == 0)
        return 1;
    for (size_t i = 0; i < CODEC_N; i++) {
        acc |= (uint64_t)in[i] << have;
        have += b;
        while (have >= 8) {
            *o++ = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    /* 128 * b bits is a whole number of bytes: nothing left over */
    return 1 + 16 * (size_t)b;
}

static inline void codec_unpack_w(const uint8_t *p, uint32_t b, uint32_t *out)
{
    uint64_t acc = 0;
    uint32_t have = 0;
    uint64_t mask = (b == 32) ? 0xffffffffu : ((1ull << b) - 1);
    for (size_t i = 0; i < CODEC_N; i++) {
        while (have < b) {
            acc |= (uint64_t)(*p++) << have;
            have += 8;
        }
        out[i] = (uint32_t)(acc & mask);
        acc >>= b;
        have -= b;
    }
}

#define CODEC_CASE(w)                                                                      \
    case w:                                                                                \
        codec_unpack_w(p + 1, w, out);                                                     \
        break;

static size_t codec_pack_decode(const uint8_t *p, size_t avail, uint32_t *out)
{
    if (avail < 1)
        return 0;
    uint32_t b = p[0];
    if (b > 32 || avail < 1 + 16 * (size_t)b)
        return 0;
    switch (b) {
    case 0:
        memset(out, 0, CODEC_N * sizeof(uint32_t));
        break;
        CODEC_CASE(1) CODEC_CASE(2) CODEC_CASE(3) CODEC_CASE(4) CODEC_CASE(5) CODEC_CASE(6)
        CODEC_CASE(7) CODEC_CASE(8) CODEC_CASE(9) CODEC_CASE(10) CODEC_CASE(11)
        CODEC_CASE(12) CODEC_CASE(13) CODEC_CASE(14) CODEC_CASE(15) CODEC_CASE(16)
    default:
        codec_unpack_w(p + 1, b, out);
        break;
    }
    return 1 + 16 * (size_t)b;
}

static size_t codec_svb_encode(const uint32_t *in, uint8_t *out)
{
    return streamvbyte_encode(in, CODEC_N, out);
}

static size_t codec_svb_decode(const uint8_t *p, size_t avail, uint32_t *out)
{
    size_t ctl = (CODEC_N + 3) / 4, need = ctl;
    if (avail < ctl)
        return 0;
    for (size_t i = 0; i < ctl; i++)
        for (int k = 0; k < 8; k += 2)
            need += ((p[i] >> k) & 3u) + 1;
    if (need > avail)
        return 0;
    size_t used = streamvbyte_decode(p, out, CODEC_N);
    return used == need ? used : 0;
}

static const ndb_codec codec_bitpack = {
    NDB_CODEC_BITPACK, "bitpack", CODEC_N, codec_pack_encode, codec_pack_decode,
};
static const ndb_codec codec_svb = {
    NDB_CODEC_SVB, "streamvbyte", CODEC_N, codec_svb_encode, codec_svb_decode,
};

const ndb_codec *ndb_codec_get(uint32_t id)
{
    if (id == NDB_CODEC_BITPACK)
        return &codec_bitpack;
    if (id == NDB_CODEC_SVB)
        return &codec_svb;
    return NULL;
}
