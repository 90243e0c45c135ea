/*
** fuzz_store.c — libFuzzer target for the store readers: docs.log blocks and records,
** docs.idx, cols.dat, urls.dat and outlets.dat over arbitrary bytes.
**
** Input layout (all little-endian):
**   off  size  field
**   0    1     flags: bit 0 also open a writer, append one doc and sync;
**                     bit 1 take the 32-byte headers from the input instead of making them
**   1    2     noutlets of the committed state
**   3    4     total_len of the state   7  4  raw_bytes of the state
**   11   20    body length of each of the 5 files (u32, clamped to what is left)
**   31   ...   the 5 file bodies, in store order (docs.log, docs.idx, cols.dat, urls.dat,
**              outlets.dat), each preceded by its header when flag bit 1 is set
** The committed state is made to match the files (len = size, crc = CRC32C of the file,
** ndocs = docs.idx records), so the fuzzer gets past the outer checks and into blocks and
** records. Files live in one temp directory per process, rewritten every run.
**
** Contract: open, get, url lookups, outlet names, check (and the writer path) return codes
** and never crash, leak or read out of bounds. fuzz/corpus/store/ holds a real small store.
*/
#include "store/store.h"
#include "store/store_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[256];

static void fz_report(void *ctx, int is_error, const char *msg)
{
    (void)ctx;
    (void)is_error;
    (void)msg;
}

static bool fz_write(int i, const uint8_t *hdr, const uint8_t *body, size_t n, uint64_t *len,
                     uint32_t *crc)
{
    char path[512];
    int fd;
    bool ok;
    snprintf(path, sizeof path, "%s/%s", fz_dir, ndb_store_file_names[i]);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return false;
    ok = write(fd, hdr, NDB_HEADER_SIZE) == NDB_HEADER_SIZE &&
         (n == 0 || write(fd, body, n) == (ssize_t)n);
    close(fd);
    *len = NDB_HEADER_SIZE + (uint64_t)n;
    *crc = ndb_crc32c(ndb_crc32c(0, hdr, NDB_HEADER_SIZE), body, n);
    return ok;
}

static void fz_read(ndb_store *s, uint32_t ndocs)
{
    uint32_t id, k, *ids = NULL;
    size_t nids = 0;
    for (id = 0; id < ndocs && id < 64; id++) {
        ndb_store_doc *d = NULL;
        if (ndb_store_get(s, id, &d, NULL) == NDB_OK) {
            if (ndb_store_url_find(s, d->url, strlen(d->url), ndocs, &k) &&
                ndb_store_url_versions(s, d->url, strlen(d->url), ndocs, &ids, &nids, NULL) ==
                    NDB_OK)
                ndb_free(ids);
            ndb_store_doc_free(d);
        }
        (void)ndb_store_superseded_by(s, id);
    }
    for (k = 0; k < ndb_store_noutlets(s) && k < 16; k++)
        (void)ndb_store_outlet_name(s, k);
    (void)ndb_store_url_find(s, "https://x/", 10, ndocs, &k);
}

/* The writer path without real fsyncs (they only cost time here). */
static int fz_nosync(const ndb_vfs *v, int fd)
{
    (void)v;
    (void)fd;
    return 0;
}
static int fz_nosync_dir(const ndb_vfs *v, const char *dir)
{
    (void)v;
    (void)dir;
    return 0;
}

static void fz_write_path(ndb_store_state *st)
{
    ndb_vfs vfs = *ndb_vfs_default();
    ndb_store *w = NULL;
    ndb_store_doc_in in;
    uint32_t id;
    static const uint8_t raw[] = "A title\n12\n1\nbody\n";
    vfs.fsync = fz_nosync;
    vfs.fsync_dir = fz_nosync_dir;
    if (ndb_store_open(&vfs, fz_dir, st, true, &w, NULL) != NDB_OK)
        return;
    memset(&in, 0, sizeof in);
    in.raw.p = raw;
    in.raw.n = sizeof raw - 1;
    in.url.p = (const uint8_t *)"https://example.com/a";
    in.url.n = 21;
    in.outlet = "example.com";
    in.date = 1;
    if (ndb_store_append(w, &in, &id, NULL) == NDB_OK)
        (void)ndb_store_sync(w, st, NULL);
    ndb_store_close(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ndb_store_state st;
    ndb_store *s = NULL;
    size_t off = 31, blen[NDB_STORE_NFILES];
    uint8_t flags;
    int i;
    if (size < 31)
        return 0;
    if (!fz_dir[0]) {
        snprintf(fz_dir, sizeof fz_dir, "/tmp/fuzz_store_XXXXXX");
        if (!mkdtemp(fz_dir))
            abort();
    }
    memset(&st, 0, sizeof st);
    flags = data[0];
    st.noutlets = ndb_get_u16le(data + 1);
    st.total_len = ndb_get_u32le(data + 3);
    st.raw_bytes = ndb_get_u32le(data + 7);
    for (i = 0; i < NDB_STORE_NFILES; i++) {
        uint8_t hdr[NDB_HEADER_SIZE];
        size_t want = ndb_get_u32le(data + 11 + 4 * i);
        memset(hdr, 0, sizeof hdr);
        ndb_put_u32le(hdr, NDB_FILE_MAGIC);
        ndb_put_u32le(hdr + 4, store_kind(i));
        hdr[8] = 1;
        if (flags & 2) {
            if (size - off < NDB_HEADER_SIZE)
                return 0;
            memcpy(hdr, data + off, NDB_HEADER_SIZE);
            off += NDB_HEADER_SIZE;
        }
        blen[i] = want < size - off ? want : size - off;
        if (!fz_write(i, hdr, data + off, blen[i], &st.len[i], &st.crc[i]))
            return 0;
        off += blen[i];
    }
    st.ndocs = (uint32_t)(blen[NDB_STORE_IDX] / 16);
    if (ndb_store_open(NULL, fz_dir, &st, false, &s, NULL) == NDB_OK) {
        fz_read(s, st.ndocs);
        (void)ndb_store_check(s, &st, fz_report, NULL, NULL);
        ndb_store_close(s);
    }
    if (flags & 1)
        fz_write_path(&st);
    return 0;
}
