/*
** frame.c — the header and footer every newsdb file carries (STYLE rule 10).
**
** A file proves what it is (magic, kind), which code may read it (major.minor version; a
** reader accepts a [min, max] major range, else NDB_EFORMAT), who wrote it (16 random
** bytes of file id) and that it is whole (footer CRC32C over all preceding bytes). The byte
** table is in base.h next to the constants. Append-only files carry only the header; their
** integrity is the (length, CRC) pair recorded in the manifest.
*/
#include "base/base.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void frame_file_id(uint8_t id[16])
{
    static _Atomic uint64_t counter;
    uint64_t seed = ndb_now_ns() ^ ((uint64_t)getpid() << 32) ^ (counter++ * 0x9e37u);
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t k = read(fd, id, 16);
        close(fd);
        if (k == 16)
            return;
    }
    for (int i = 0; i < 2; i++)
        ndb_put_u64le(id + 8 * i, ndb_rand_next(&seed));
}

ndb_rc ndb_frame_header(ndb_buf *b, uint32_t kind, uint16_t major, uint16_t minor)
{
    uint8_t h[NDB_HEADER_SIZE];
    ndb_put_u32le(h, NDB_FILE_MAGIC);
    ndb_put_u32le(h + 4, kind);
    h[8] = (uint8_t)major;
    h[9] = (uint8_t)(major >> 8);
    h[10] = (uint8_t)minor;
    h[11] = (uint8_t)(minor >> 8);
    ndb_put_u32le(h + 12, 0);
    frame_file_id(h + 16);
    return ndb_buf_append(b, h, sizeof h);
}

ndb_rc ndb_frame_footer(ndb_buf *b)
{
    uint8_t f[NDB_FOOTER_SIZE];
    uint32_t crc;
    ndb_put_u32le(f, NDB_FOOTER_MAGIC);
    ndb_put_u32le(f + 4, 1);
    crc = ndb_crc32c(0, b->p, b->n);
    crc = ndb_crc32c(crc, f, 8);
    ndb_put_u32le(f + 8, crc);
    return ndb_buf_append(b, f, sizeof f);
}

/* The header's magic, kind and major version (h: NDB_HEADER_SIZE bytes). */
static ndb_rc frame_head_check(const uint8_t *h, uint32_t kind, uint16_t min_major,
                               uint16_t max_major, const char *name, ndb_err *err)
{
    uint16_t major = ndb_get_u16le(h + 8);
    if (ndb_get_u32le(h) != NDB_FILE_MAGIC)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: not a newsdb file (bad magic)", name);
    if (ndb_get_u32le(h + 4) != kind)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: file kind %08x, expected %08x", name,
                           ndb_get_u32le(h + 4), kind);
    if (major < min_major || major > max_major)
        return ndb_err_set(err, NDB_EFORMAT,
                           "%s: format version %u.%u, this build reads %u..%u", name, major,
                           ndb_get_u16le(h + 10), min_major, max_major);
    return NDB_OK;
}

ndb_rc ndb_frame_check(const uint8_t *p, size_t n, uint32_t kind, uint16_t min_major,
                       uint16_t max_major, const char *name, ndb_slice *body, ndb_err *err)
{
    uint32_t crc;
    ndb_rc rc;
    body->p = NULL; /* defined on failure too */
    body->n = 0;
    if (n < NDB_HEADER_SIZE + NDB_FOOTER_SIZE)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: too short (%zu bytes) to be a newsdb file",
                           name, n);
    if ((rc = frame_head_check(p, kind, min_major, max_major, name, err)) != NDB_OK)
        return rc;
    if (ndb_get_u32le(p + n - NDB_FOOTER_SIZE) != NDB_FOOTER_MAGIC)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: bad footer (truncated file?)", name);
    crc = ndb_crc32c(0, p, n - 4);
    if (crc != ndb_get_u32le(p + n - 4))
        return ndb_err_set(err, NDB_ECORRUPT, "%s: checksum mismatch", name);
    body->p = p + NDB_HEADER_SIZE;
    body->n = n - NDB_HEADER_SIZE - NDB_FOOTER_SIZE;
    return NDB_OK;
}

/* The same over an open file of `size` bytes, read in 1 MB pieces (files too large to hold
** whole: the writer's dup files and band runs). Only the header's fields are checked before
** the CRC, so a file of another version reports NDB_EFORMAT without being read through. */
ndb_rc ndb_frame_check_fd(const ndb_vfs *v, int fd, uint64_t size, uint32_t kind,
                          uint16_t min_major, uint16_t max_major, const char *name, ndb_err *err)
{
    enum { PIECE = 1 << 20 };
    uint8_t h[NDB_HEADER_SIZE], f[NDB_FOOTER_SIZE];
    uint8_t *buf;
    uint32_t crc = 0;
    ndb_rc rc;
    if (size < NDB_HEADER_SIZE + NDB_FOOTER_SIZE)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: too short (%llu bytes) to be a newsdb file",
                           name, (unsigned long long)size);
    rc = ndb_vfs_pread_all(v, fd, h, sizeof h, 0, name, err);
    if (rc == NDB_OK)
        rc = frame_head_check(h, kind, min_major, max_major, name, err);
    if (rc != NDB_OK)
        return rc;
    rc = ndb_vfs_pread_all(v, fd, f, sizeof f, (off_t)(size - sizeof f), name, err);
    if (rc != NDB_OK)
        return rc;
    if (ndb_get_u32le(f) != NDB_FOOTER_MAGIC)
        return ndb_err_set(err, NDB_ECORRUPT, "%s: bad footer (truncated file?)", name);
    buf = ndb_malloc(PIECE);
    if (!buf)
        return ndb_err_set(err, NDB_ENOMEM, "out of memory");
    for (uint64_t off = 0; off < size - 4 && rc == NDB_OK;) {
        size_t k = size - 4 - off < PIECE ? (size_t)(size - 4 - off) : PIECE;
        rc = ndb_vfs_pread_all(v, fd, buf, k, (off_t)off, name, err);
        crc = ndb_crc32c(crc, buf, k);
        off += k;
    }
    ndb_free(buf);
    if (rc == NDB_OK && crc != ndb_get_u32le(f + 8))
        rc = ndb_err_set(err, NDB_ECORRUPT, "%s: checksum mismatch", name);
    return rc;
}
