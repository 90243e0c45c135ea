/*
** codec.c — the block codecs of codec.h: bit packing (frame of reference) and stream-vbyte.
**
** Bit packing: byte 0 is the bit width b (0..32); then the 128 values, b bits each,
** little-endian bit order, packed into 16*b bytes. The unpacker is written as one generic
** loop specialised per b by a switch (the compiler unrolls the constant-width copies), so
** it decodes without a branch per value. Encoding goes through a 64-bit accumulator;
** decoding copies the 16*b bytes to a zero-padded buffer and reads each value with one
** unaligned 64-bit load, so nothing reads past 1 + 16*b bytes of the input.
**
** Stream-vbyte: libstreamvbyte's streamvbyte_encode/decode over raw values (the postings
** layer already takes the gaps). streamvbyte_decode trusts its input lengths, so we compute
** the data length from the 32 control bytes first and refuse a block that overruns.
**
** PFOR: bit packing with exceptions (see codec_pfor_encode). PFOR2: the same with
** bit-packed exceptions (codec_pfor2_encode); the segment default.
**
** Threading: stateless.
*/
#include "postings/codec.h"

#include <streamvbyte.h>

#define CODEC_N NDB_BLOCK_DOCS

/* 8 bytes at p as a little-endian word (an unaligned load) */
static inline uint64_t codec_load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

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

static inline __attribute__((always_inline)) void codec_unpack_w(const uint8_t *p, uint32_t b,
                                                              uint32_t *out)
{
    /* the 16*b bytes copied into a buffer with 8 zero bytes after them, so that every
    ** value is one unaligned 64-bit load, a shift and a mask (b + 7 <= 64 bits) */
    uint8_t buf[16 * 32 + 8];
    size_t nb = 16 * (size_t)b;
    memcpy(buf, p, nb);
    memset(buf + nb, 0, 8);
    uint64_t mask = (b == 32) ? 0xffffffffu : ((1ull << b) - 1);
    for (size_t g = 0; g < CODEC_N / 8; g++) { /* 8 values = b bytes: constant offsets */
        const uint8_t *q = buf + g * b;
#pragma GCC unroll 8
        for (size_t j = 0; j < 8; j++) {
            size_t bit = j * b;
            uint64_t w = codec_load64(q + (bit >> 3));
            out[g * 8 + j] = (uint32_t)((w >> (bit & 7)) & mask);
        }
    }
}

/* Unpack 128 values of b bits from p; widths up to 16 get a constant-width copy of the
** loop (the common case for gaps and freqs), wider ones the generic loop. */
static void codec_unpack(const uint8_t *p, uint32_t b, uint32_t *out)
{
    switch (b) {
    case 0:
        memset(out, 0, CODEC_N * sizeof(uint32_t));
        break;
    case 1:
        codec_unpack_w(p, 1, out);
        break;
    case 2:
        codec_unpack_w(p, 2, out);
        break;
    case 3:
        codec_unpack_w(p, 3, out);
        break;
    case 4:
        codec_unpack_w(p, 4, out);
        break;
    case 5:
        codec_unpack_w(p, 5, out);
        break;
    case 6:
        codec_unpack_w(p, 6, out);
        break;
    case 7:
        codec_unpack_w(p, 7, out);
        break;
    case 8:
        codec_unpack_w(p, 8, out);
        break;
    case 9:
        codec_unpack_w(p, 9, out);
        break;
    case 10:
        codec_unpack_w(p, 10, out);
        break;
    case 11:
        codec_unpack_w(p, 11, out);
        break;
    case 12:
        codec_unpack_w(p, 12, out);
        break;
    case 13:
        codec_unpack_w(p, 13, out);
        break;
    case 14:
        codec_unpack_w(p, 14, out);
        break;
    case 15:
        codec_unpack_w(p, 15, out);
        break;
    case 16:
        codec_unpack_w(p, 16, out);
        break;
    default:
        codec_unpack_w(p, b, out);
        break;
    }
}

static size_t codec_pack_decode(const uint8_t *p, size_t avail, uint32_t *out)
{
    if (avail < 1)
        return 0;
    uint32_t b = p[0];
    if (b > 32 || avail < 1 + 16 * (size_t)b)
        return 0;
    codec_unpack(p + 1, b, out);
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

/* Patched frame of reference: byte b, byte nexc, 128 values' low b bits packed, then nexc
** exceptions {u8 index, varint value >> b}. b minimises the total size, so one outlier
** (a long doc gap, a high tf) no longer widens the whole block. */
static uint32_t codec_bits(uint32_t v)
{
    return v == 0 ? 0 : 32 - (uint32_t)__builtin_clz(v);
}

static uint32_t codec_pfor_width(const uint32_t *in)
{
    size_t hist[33] = {0}, best = SIZE_MAX;
    uint32_t bestb = 32, top = 0;
    for (size_t i = 0; i < CODEC_N; i++) {
        uint32_t k = codec_bits(in[i]);
        hist[k]++;
        top = k > top ? k : top;
    }
    /* every b > top costs more than b = top (no exceptions either way) */
    for (uint32_t b = 0; b <= top; b++) {
        size_t cost = 16 * (size_t)b, nexc = 0;
        for (uint32_t k = b + 1; k <= top; k++) {
            nexc += hist[k];
            cost += hist[k] * (1 + (k - b + 6) / 7);
        }
        if (nexc > 255)
            continue;
        if (cost < best) {
            best = cost;
            bestb = b;
        }
    }
    return bestb;
}

static size_t codec_pfor_encode(const uint32_t *in, uint8_t *out)
{
    uint32_t b = codec_pfor_width(in), low[CODEC_N];
    uint32_t mask = b == 32 ? UINT32_MAX : (1u << b) - 1;
    size_t nexc = 0;
    for (size_t i = 0; i < CODEC_N; i++)
        low[i] = in[i] & mask;
    size_t n = 0;
    if (b > 0) {
        uint64_t acc = 0;
        uint32_t have = 0;
        uint8_t *o = out + 2;
        for (size_t i = 0; i < CODEC_N; i++) {
            acc |= (uint64_t)low[i] << have;
            have += b;
            while (have >= 8) {
                *o++ = (uint8_t)acc;
                acc >>= 8;
                have -= 8;
            }
        }
        n = 16 * (size_t)b;
    }
    uint8_t *e = out + 2 + n;
    for (size_t i = 0; i < CODEC_N; i++) {
        if (b < 32 && (in[i] >> b) != 0) {
            *e++ = (uint8_t)i;
            e += ndb_varint_put(e, in[i] >> b);
            nexc++;
        }
    }
    out[0] = (uint8_t)b;
    out[1] = (uint8_t)nexc;
    return (size_t)(e - out);
}

/* One exception entry (index byte, varint of the high bits) from r: the common two-byte
** entry inline, longer ones through ndb_rd (same bounds and result). */
static inline ndb_rc codec_pfor_exc(ndb_rd *r, uint8_t *idx, uint32_t *hi)
{
    if (r->end - r->p >= 2 && r->p[1] < 0x80) {
        *idx = r->p[0];
        *hi = r->p[1];
        r->p += 2;
        return NDB_OK;
    }
    ndb_rc rc = ndb_rd_u8(r, idx);
    return rc != NDB_OK ? rc : ndb_rd_varint32(r, hi);
}

static size_t codec_pfor_decode(const uint8_t *p, size_t avail, uint32_t *out)
{
    if (avail < 2)
        return 0;
    uint32_t b = p[0], nexc = p[1];
    if (b > 32 || avail < 2 + 16 * (size_t)b)
        return 0;
    codec_unpack(p + 2, b, out);
    ndb_rd r;
    ndb_rd_init(&r, p + 2 + 16 * (size_t)b, avail - 2 - 16 * (size_t)b, NDB_ECORRUPT);
    for (uint32_t k = 0; k < nexc; k++) {
        uint8_t idx;
        uint32_t hi;
        if (codec_pfor_exc(&r, &idx, &hi) || idx >= CODEC_N || b == 32 ||
            hi > (UINT32_MAX >> b))
            return 0;
        out[idx] |= hi << b;
    }
    return (size_t)(r.p - p);
}

static size_t codec_pack_skip(const uint8_t *p, size_t avail)
{
    if (avail < 1 || p[0] > 32 || avail < 1 + 16 * (size_t)p[0])
        return 0;
    return 1 + 16 * (size_t)p[0];
}

static size_t codec_svb_skip(const uint8_t *p, size_t avail)
{
    size_t ctl = (CODEC_N + 3) / 4, need = ctl;
    if (avail < ctl)
        return 0;
    for (size_t i = 0; i < ctl; i++)
        for (int k = 0; k < 8; k += 2)
            need += ((p[i] >> k) & 3u) + 1;
    return need > avail ? 0 : need;
}

static size_t codec_pfor_skip(const uint8_t *p, size_t avail)
{
    if (avail < 2 || p[0] > 32 || avail < 2 + 16 * (size_t)p[0])
        return 0;
    ndb_rd r;
    ndb_rd_init(&r, p + 2 + 16 * (size_t)p[0], avail - 2 - 16 * (size_t)p[0], NDB_ECORRUPT);
    for (uint32_t k = 0; k < p[1]; k++) {
        uint8_t idx;
        uint32_t hi;
        if (codec_pfor_exc(&r, &idx, &hi))
            return 0;
    }
    return (size_t)(r.p - p);
}

/* PFOR2: PFOR whose exceptions are bit-packed: byte b, byte nexc (<= 128), and when nexc > 0
** a byte hw (1..32-b); the 128 low parts (16*b bytes); then nexc exceptions of 7 bits
** index and hw bits high part (value >> b), LSB first, zero-padded to a byte. Against PFOR's
** {u8 index, varint} an exception costs 7 + hw bits instead of 16 or more, and the block's
** size is known from its header alone (skip_block reads 3 bytes). b minimises the size. */
static uint32_t codec_pfor2_width(const uint32_t *in, size_t n, uint32_t *hw)
{
    size_t hist[33] = {0}, best = SIZE_MAX, ne = 0, best_ne = 0;
    uint32_t maxb = 0, bestb = 32;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = codec_bits(in[i]);
        hist[k]++;
        maxb = NDB_MAX(maxb, k);
    }
    for (uint32_t b = 33; b-- > 0;) {
        if (b < 32)
            ne += hist[b + 1]; /* values wider than b */
        size_t cost = (n * b + 7) / 8 + (ne ? 1 + (ne * (7 + maxb - b) + 7) / 8 : 0);
        if (cost < best) {
            best = cost;
            bestb = b;
            best_ne = ne;
        }
    }
    *hw = best_ne ? maxb - bestb : 0;
    return bestb;
}

size_t ndb_pfor2_encode_n(const uint32_t *in, size_t n, uint8_t *out)
{
    uint32_t hw, b = codec_pfor2_width(in, n, &hw);
    uint32_t mask = b == 32 ? UINT32_MAX : (1u << b) - 1;
    size_t nexc = 0, hdr;
    for (size_t i = 0; i < n; i++)
        nexc += b < 32 && (in[i] >> b) != 0;
    out[0] = (uint8_t)b;
    out[1] = (uint8_t)nexc;
    hdr = 2;
    if (nexc > 0)
        out[hdr++] = (uint8_t)hw;
    uint8_t *o = out + hdr;
    uint64_t acc = 0;
    uint32_t have = 0;
    for (size_t i = 0; b > 0 && i < n; i++) {
        acc |= (uint64_t)(in[i] & mask) << have;
        have += b;
        while (have >= 8) {
            *o++ = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    if (have > 0) { /* (a partial block's low parts end on a byte: exceptions start there) */
        *o++ = (uint8_t)acc;
        acc = 0;
        have = 0;
    }
    for (size_t i = 0; nexc > 0 && i < n; i++) {
        if ((in[i] >> b) == 0)
            continue;
        acc |= ((uint64_t)(in[i] >> b) << 7 | i) << have; /* have < 8: fits 64 bits */
        have += 7 + hw;
        while (have >= 8) {
            *o++ = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
    if (have > 0)
        *o++ = (uint8_t)acc;
    return (size_t)(o - out);
}

static size_t codec_pfor2_encode(const uint32_t *in, uint8_t *out)
{
    return ndb_pfor2_encode_n(in, CODEC_N, out);
}

size_t ndb_pfor2_size_n(const uint8_t *p, size_t avail, size_t nv)
{
    if (avail < 2 || p[0] > 32 || p[1] > nv || nv == 0 || nv > CODEC_N)
        return 0;
    size_t b = p[0], nexc = p[1], n = 2 + (nv * b + 7) / 8;
    if (nexc > 0) {
        if (avail < 3 || p[2] == 0 || p[2] + b > 32)
            return 0;
        n += 1 + (nexc * (7 + (size_t)p[2]) + 7) / 8;
    }
    return n <= avail ? n : 0;
}

/* Header check and size of a PFOR2 block at p; 0 when it is malformed or overruns avail. */
static size_t codec_pfor2_size(const uint8_t *p, size_t avail)
{
    return ndb_pfor2_size_n(p, avail, CODEC_N);
}

size_t ndb_pfor2_decode_n(const uint8_t *p, size_t avail, size_t nv, uint32_t *out)
{
    size_t n = ndb_pfor2_size_n(p, avail, nv);
    if (n == 0)
        return 0;
    uint32_t b = p[0], nexc = p[1], hw = nexc ? p[2] : 0;
    const uint8_t *q = p + 2 + (nexc ? 1 : 0);
    size_t lb = (nv * b + 7) / 8;
    if (nv == CODEC_N) {
        codec_unpack(q, b, out);
    } else { /* a partial block (a list's last positions): one 64-bit load per value */
        uint8_t buf[16 * 32 + 8];
        uint64_t mask = (b == 32) ? 0xffffffffu : ((1ull << b) - 1);
        memcpy(buf, q, lb);
        memset(buf + lb, 0, 8);
        for (size_t i = 0, bit = 0; i < nv; i++, bit += b)
            out[i] = b ? (uint32_t)((codec_load64(buf + (bit >> 3)) >> (bit & 7)) & mask) : 0;
    }
    if (nexc == 0)
        return n;
    q += lb;
    /* each exception is one unaligned 64-bit load, a shift and two masks (7 + hw + 7 <= 64
    ** bits); loads stay inside the block's bytes or, near the end of avail, a padded copy */
    uint8_t buf[NDB_BLOCK_DOCS * 39 / 8 + 8 + 8];
    size_t eb = n - (size_t)(q - p);
    if ((size_t)(q - p) + eb + 8 > avail) {
        memcpy(buf, q, eb);
        memset(buf + eb, 0, 8);
        q = buf;
    }
    uint64_t hmask = (1ull << hw) - 1;
    uint32_t need = 7 + hw;
    for (uint32_t k = 0, bit = 0; k < nexc; k++, bit += need) {
        uint64_t w = codec_load64(q + (bit >> 3)) >> (bit & 7);
        if ((w & 127) >= nv)
            return 0; /* an exception past the block */
        out[w & 127] |= (uint32_t)((w >> 7) & hmask) << b;
    }
    return n;
}

static size_t codec_pfor2_decode(const uint8_t *p, size_t avail, uint32_t *out)
{
    return ndb_pfor2_decode_n(p, avail, CODEC_N, out);
}

static size_t codec_pfor2_skip(const uint8_t *p, size_t avail)
{
    return codec_pfor2_size(p, avail);
}

static const ndb_codec codec_bitpack = {
    NDB_CODEC_BITPACK, "bitpack", CODEC_N, codec_pack_encode, codec_pack_decode, codec_pack_skip,
};
static const ndb_codec codec_svb = {
    NDB_CODEC_SVB, "streamvbyte", CODEC_N, codec_svb_encode, codec_svb_decode, codec_svb_skip,
};

static const ndb_codec codec_pfor = {
    NDB_CODEC_PFOR, "pfor", CODEC_N, codec_pfor_encode, codec_pfor_decode, codec_pfor_skip,
};

static const ndb_codec codec_pfor2 = {
    NDB_CODEC_PFOR2, "pfor2", CODEC_N, codec_pfor2_encode, codec_pfor2_decode, codec_pfor2_skip,
};

const ndb_codec *ndb_codec_get(uint32_t id)
{
    if (id == NDB_CODEC_PFOR2)
        return &codec_pfor2;
    if (id == NDB_CODEC_PFOR)
        return &codec_pfor;
    if (id == NDB_CODEC_BITPACK)
        return &codec_bitpack;
    if (id == NDB_CODEC_SVB)
        return &codec_svb;
    return NULL;
}
