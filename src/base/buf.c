/*
** buf.c — growable byte buffer with a hard cap, and the bounded reader ndb_rd.
**
** ndb_buf grows geometrically but never past b->max (NDB_ELIMIT), so a hostile length field
** cannot make us allocate without bound (curl's dynbuf "toobig"; Redis sds overflow checks).
** The appenders write the fixed-width little-endian and LEB128 varint encodings used by every
** file format; ndb_rd reads them back, checking what remains before every read (STYLE rule 9).
*/
#include "base/base.h"

#include <stdio.h>

void ndb_buf_init(ndb_buf *b, size_t max)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->max = max;
}

void ndb_buf_fini(ndb_buf *b)
{
    ndb_free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

void ndb_buf_reset(ndb_buf *b)
{
    b->n = 0;
}

ndb_rc ndb_buf_reserve(ndb_buf *b, size_t extra)
{
    size_t need, cap;
    uint8_t *p;
    if (ndb_size_add(b->n, extra, &need) != NDB_OK || need > b->max)
        return NDB_ELIMIT;
    if (need <= b->cap)
        return NDB_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max && b->max != NDB_BUF_NOMAX)
        cap = NDB_MAX(need, b->max);
    p = ndb_realloc(b->p, cap);
    if (!p)
        return NDB_ENOMEM;
    b->p = p;
    b->cap = cap;
    return NDB_OK;
}

ndb_rc ndb_buf_append_grow(ndb_buf *b, const void *p, size_t n)
{
    ndb_rc rc;
    if (n == 0)
        return NDB_OK;
    rc = ndb_buf_reserve(b, n);
    if (rc != NDB_OK)
        return rc;
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return NDB_OK;
}

ndb_rc ndb_buf_append_str(ndb_buf *b, const char *s)
{
    return ndb_buf_append(b, s, strlen(s));
}

ndb_rc ndb_buf_append_u8(ndb_buf *b, uint8_t v)
{
    return ndb_buf_append(b, &v, 1);
}

ndb_rc ndb_buf_append_u16le(ndb_buf *b, uint16_t v)
{
    uint8_t t[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return ndb_buf_append(b, t, 2);
}

ndb_rc ndb_buf_append_u32le(ndb_buf *b, uint32_t v)
{
    uint8_t t[4];
    ndb_put_u32le(t, v);
    return ndb_buf_append(b, t, 4);
}

ndb_rc ndb_buf_append_u64le(ndb_buf *b, uint64_t v)
{
    uint8_t t[8];
    ndb_put_u64le(t, v);
    return ndb_buf_append(b, t, 8);
}

size_t ndb_varint_put(uint8_t *p, uint64_t v)
{
    size_t i = 0;
    while (v >= 0x80) {
        p[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[i++] = (uint8_t)v;
    return i;
}

ndb_rc ndb_buf_append_varint(ndb_buf *b, uint64_t v)
{
    uint8_t t[10];
    if (b->cap - b->n >= sizeof t) { /* room for the longest: write in place */
        b->n += ndb_varint_put(b->p + b->n, v);
        return NDB_OK;
    }
    return ndb_buf_append(b, t, ndb_varint_put(t, v));
}

ndb_rc ndb_buf_append_lp(ndb_buf *b, const void *p, size_t n)
{
    ndb_rc rc = ndb_buf_append_varint(b, n);
    if (rc != NDB_OK)
        return rc;
    return ndb_buf_append(b, p, n);
}

ndb_rc ndb_buf_printf(ndb_buf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    ndb_rc rc;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    k = vsnprintf(NULL, 0, fmt, ap);
#pragma GCC diagnostic pop
    va_end(ap);
    if (k < 0)
        return NDB_EINVAL;
    rc = ndb_buf_reserve(b, (size_t)k + 1);
    if (rc != NDB_OK)
        return rc;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf((char *)b->p + b->n, (size_t)k + 1, fmt, ap);
#pragma GCC diagnostic pop
    va_end(ap);
    b->n += (size_t)k;
    return NDB_OK;
}

ndb_rc ndb_buf_cstr(ndb_buf *b)
{
    ndb_rc rc = ndb_buf_reserve(b, 1);
    if (rc != NDB_OK)
        return rc;
    b->p[b->n] = 0;
    return NDB_OK;
}

uint8_t *ndb_buf_detach(ndb_buf *b, size_t *n)
{
    uint8_t *p = b->p;
    if (n)
        *n = b->n;
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

/* ---------------------------------------------------------------- ndb_rd */

ndb_rc ndb_rd_u8(ndb_rd *r, uint8_t *v)
{
    if (r->p >= r->end)
        return r->bad;
    *v = *r->p++;
    return NDB_OK;
}

ndb_rc ndb_rd_u16le(ndb_rd *r, uint16_t *v)
{
    if (ndb_rd_left(r) < 2)
        return r->bad;
    *v = ndb_get_u16le(r->p);
    r->p += 2;
    return NDB_OK;
}

ndb_rc ndb_rd_u32le(ndb_rd *r, uint32_t *v)
{
    if (ndb_rd_left(r) < 4)
        return r->bad;
    *v = ndb_get_u32le(r->p);
    r->p += 4;
    return NDB_OK;
}

ndb_rc ndb_rd_u64le(ndb_rd *r, uint64_t *v)
{
    if (ndb_rd_left(r) < 8)
        return r->bad;
    *v = ndb_get_u64le(r->p);
    r->p += 8;
    return NDB_OK;
}

ndb_rc ndb_rd_varint(ndb_rd *r, uint64_t *v)
{
    uint64_t x = 0;
    unsigned shift = 0;
    *v = 0; /* defined on failure too */
    for (int i = 0; i < 10; i++) {
        uint8_t c;
        if (r->p >= r->end)
            return r->bad;
        c = *r->p++;
        if (i == 9 && c > 1)
            return r->bad; /* would overflow 64 bits */
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return NDB_OK;
        }
        shift += 7;
    }
    return r->bad;
}

ndb_rc ndb_rd_varint32(ndb_rd *r, uint32_t *v)
{
    uint64_t x;
    ndb_rc rc = ndb_rd_varint(r, &x);
    if (rc != NDB_OK)
        return rc;
    if (x > UINT32_MAX)
        return r->bad;
    *v = (uint32_t)x;
    return NDB_OK;
}

ndb_rc ndb_rd_bytes(ndb_rd *r, size_t n, ndb_slice *out)
{
    out->p = NULL; /* defined on failure too */
    out->n = 0;
    if (ndb_rd_left(r) < n)
        return r->bad;
    out->p = r->p;
    out->n = n;
    r->p += n;
    return NDB_OK;
}

ndb_rc ndb_rd_lp(ndb_rd *r, ndb_slice *out)
{
    uint64_t n;
    ndb_rc rc;
    out->p = NULL; /* defined on failure too */
    out->n = 0;
    rc = ndb_rd_varint(r, &n);
    if (rc != NDB_OK)
        return rc;
    if (n > ndb_rd_left(r))
        return r->bad;
    return ndb_rd_bytes(r, (size_t)n, out);
}

ndb_rc ndb_rd_skip(ndb_rd *r, size_t n)
{
    if (ndb_rd_left(r) < n)
        return r->bad;
    r->p += n;
    return NDB_OK;
}
