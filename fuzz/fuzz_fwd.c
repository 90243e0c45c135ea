/*
** fuzz_fwd.c — libFuzzer target for the forward index reader and writer (index/fwd.h).
**
** Input: u8 ndocs, u32le length of fwd.idx, u32le length of fwd.dat, then those bytes and
** the rest as fwd.voc (each cut to what remains). The three files live in one temp directory
** per process, rewritten every run.
**
** Contract: ndb_fwd_open either fails with a code, or yields NULL (no usable forward index),
** or a reader on which ndb_fwd_check, ndb_fwd_vocab and every record's decoding return
** without crashing or reading out of bounds; ndb_fwdw_open on the same files either fails,
** declines, or cuts them back and accepts one more doc and a sync. fuzz/corpus/fwd/ holds
** the files of small real archives in this layout.
*/
#include "index/fwd.h"

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

static int fz_write(const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fz_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(p, 1, n, f) == n;
    fclose(f);
    return ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_dir[0]) {
        snprintf(fz_dir, sizeof fz_dir, "/tmp/fuzz_fwd_XXXXXX");
        if (!mkdtemp(fz_dir))
            return 0;
    }
    if (size < 9)
        return 0;
    uint32_t ndocs = data[0], li = ndb_get_u32le(data + 1), ld = ndb_get_u32le(data + 5);
    const uint8_t *p = data + 9;
    size_t left = size - 9;
    li = li > left ? (uint32_t)left : li;
    ld = ld > left - li ? (uint32_t)(left - li) : ld;
    if (fz_write("fwd.idx", p, li) || fz_write("fwd.dat", p + li, ld) ||
        fz_write("fwd.voc", p + li + ld, left - li - ld))
        return 0;
    ndb_fwd *f = NULL;
    ndb_err err;
    if (ndb_fwd_open(ndb_vfs_default(), fz_dir, ndocs, &f, &err) == NDB_OK && f) {
        uint64_t *offs = NULL;
        (void)ndb_fwd_check(f, fz_report, NULL, NULL);
        if (ndb_fwd_vocab(f, &offs, NULL) == NDB_OK) {
            for (uint32_t i = 0; i < ndb_fwd_nterms(f); i++) {
                const char *t;
                size_t n;
                ndb_fwd_term(f, offs, i, &t, &n);
            }
        }
        ndb_free(offs);
        for (uint32_t id = 0; id < ndb_fwd_ndocs(f); id++) {
            ndb_fwd_iter it;
            uint32_t tid, tf;
            bool more = true;
            if (ndb_fwd_doc(f, id, &it) != NDB_OK)
                continue;
            while (more && ndb_fwd_next(f, &it, &tid, &tf, &more) == NDB_OK) {
            }
        }
        ndb_fwd_close(f);
    }
    ndb_fwdw *w = NULL;
    if (ndb_fwdw_open(ndb_vfs_default(), fz_dir, ndocs, &w, &err) == NDB_OK && w) {
        ndb_fwdw_begin_doc(w);
        (void)ndb_fwdw_add_token(w, "oil", 3);
        (void)ndb_fwdw_add_token(w, "price", 5);
        (void)ndb_fwdw_add_token(w, "oil", 3);
        if (ndb_fwdw_end_doc(w, ndocs, &err) == NDB_OK)
            (void)ndb_fwdw_sync(w, &err);
        ndb_fwdw_close(w);
    }
    return 0;
}
