/*
** fuzz_dupfile.c — libFuzzer target for the near-duplicate file reader (api/dedup.c,
** api/dups.c): the input is written as dup-0000000000000001-00000000.ndd in a temp
** directory per process, then read by both readers: the checker (ndb_check's walk) and the
** loader of the read side (links and paragraph fingerprints into arrays), for an archive of
** up to 300 articles.
**
** An input whose last byte is odd gets its footer CRC recomputed, so the fuzzer gets past the
** checksum to the record parsers.
**
** Contract: each either fails with a code (ECORRUPT / EFORMAT / ENOMEM) or succeeds, never
** reading out of bounds; a loaded state's links point backwards and its fingerprint
** offsets are monotone (checked here). fuzz/corpus/dupfile/ holds dup files of small real
** archives.
*/
#include "api/dedup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[256];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    uint32_t covered = 0;
    api_dedup_state *st = NULL;
    if (!fz_dir[0]) {
        snprintf(fz_dir, sizeof fz_dir, "/tmp/fuzz_dupfile_XXXXXX");
        if (!mkdtemp(fz_dir))
            return 0;
    }
    snprintf(path, sizeof path, "%s/dup-0000000000000001-00000000.ndd", fz_dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    /* Odd last byte: the footer CRC is recomputed, so the record parsers are reached too. */
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
    free(img);
    fclose(f);
    (void)api_dedup_check_dir(ndb_vfs_default(), fz_dir, 1, 300, &covered, NULL);
    if (api_dedup_state_load(ndb_vfs_default(), fz_dir, 1, 300, &st, NULL) == NDB_OK) {
        for (uint32_t i = 0; i < st->n; i++) {
            for (uint32_t k = st->eoff[i]; k < st->eoff[i + 1]; k++)
                if (st->e[k].other >= i)
                    __builtin_trap();
            if (st->foff[i + 1] < st->foff[i])
                __builtin_trap();
        }
        api_dedup_state_unref(st);
    }
    return 0;
}
