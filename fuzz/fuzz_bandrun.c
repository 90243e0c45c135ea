/*
** fuzz_bandrun.c — libFuzzer target for the writer's band-run reader (api/dedup_runs.c):
** the input is written as dkey-00000000-00000040.ndk (the run of articles [0, 64)) in a
** temp directory per process; the runs are opened as a writer opens them (64 articles
** committed) and, when the file is accepted, joined with a batch of keys taken from the
** input (so that some match).
**
** An input whose last byte is odd gets its footer CRC recomputed, so the fuzzer gets past the
** checksum to the header, directory and entry checks.
**
** Contract: open either accepts the run or drops (deletes) it, never reading out of bounds;
** a join either fails with a code or returns pairs whose run article is in [0, 64) and
** whose batch article is the batch's (checked here). fuzz/corpus/bandrun/ holds runs
** written by the spill of a small map.
*/
#include "api/dedup_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[256];

static int fz_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    api_dedup_runs r;
    uint64_t q[64], *pairs = NULL;
    size_t nq = 0, np = 0, cap = 0;
    if (!fz_dir[0]) {
        snprintf(fz_dir, sizeof fz_dir, "/tmp/fuzz_bandrun_XXXXXX");
        if (!mkdtemp(fz_dir))
            return 0;
    }
    snprintf(path, sizeof path, "%s/dkey-00000000-00000040.ndk", fz_dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    uint8_t *img = malloc(size + 1);
    if (!img) {
        fclose(f);
        return 0;
    }
    memcpy(img, data, size);
    if (size >= NDB_HEADER_SIZE + NDB_FOOTER_SIZE && (data[size - 1] & 1))
        ndb_put_u32le(img + size - 4, ndb_crc32c(0, img, size - 4));
    if (size && fwrite(img, 1, size, f) != size) {
        free(img);
        fclose(f);
        return 0;
    }
    fclose(f);
    /* the batch: keys read where a run keeps its entries (after 56 header bytes), ids 64.. */
    for (; nq < 64 && 56 + 8 * (nq + 1) <= size; nq++) {
        uint32_t key = ndb_get_u32le(img + 56 + 8 * nq + 4);
        q[nq] = (uint64_t)key << 32 | (uint32_t)(64 + nq);
    }
    free(img);
    qsort(q, nq, sizeof *q, fz_cmp);
    if (api_dedup_runs_open(&r, ndb_vfs_default(), fz_dir, 64, NULL) != NDB_OK)
        return 0;
    if (api_dedup_runs_join(&r, q, nq, &pairs, &np, &cap, NULL) == NDB_OK)
        for (size_t i = 0; i < np; i++)
            if ((uint32_t)pairs[i] >= 64 || (uint32_t)(pairs[i] >> 32) < 64 ||
                (uint32_t)(pairs[i] >> 32) >= 64 + nq)
                __builtin_trap();
    ndb_free(pairs);
    api_dedup_runs_fini(&r);
    return 0;
}
