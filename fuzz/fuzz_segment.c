/*
** fuzz_segment.c — libFuzzer target for the segment reader (index/segment.h) and the
** postings/termdict decoders beneath it.
**
** Input: the bytes of a segment file, used as is, except that the footer CRC is made to
** match when the input is long enough (so mutations are not all stopped by the checksum in
** ndb_seg_check, and the check's deeper walk runs on them too). The file lives in one
** temp directory per process, rewritten every run.
**
** Contract: open either fails with a code or yields a segment on which every term can be
** walked with a positions cursor (next, positions, block_seek, block_max_tf/min_dl,
** seek_geq), prefix walks, lookups, a multi-segment cursor and ndb_seg_check all return
** without crashing, leaking or reading out of bounds. fuzz/corpus/segment/ holds small
** real segments (empty, one doc, multi-block lists; positions as GROUPS, DLBOUND, GROUPS2,
** BYLIST, RADIX and BYLIST2).
*/
#include "index/multi.h"
#include "index/segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[256];

static ndb_rc fz_term(void *ctx, const char *t, size_t n)
{
    ndb_seg *s = ctx;
    ndb_term_info ti;
    ndb_cursor *c = NULL;
    if (!ndb_seg_term(s, t, n, &ti) || ndb_seg_cursor(s, &ti, true, &c) != NDB_OK)
        return NDB_OK;
    unsigned steps = 0;
    for (uint32_t d = ndb_cursor_next(c); d != NDB_DOC_END && steps < 100000;
         d = (steps % 3 == 0) ? ndb_cursor_seek_geq(c, d + 2) : ndb_cursor_next(c), steps++) {
        const uint32_t *p;
        uint32_t np;
        (void)ndb_cursor_freq(c);
        (void)ndb_cursor_positions(c, &p, &np);
        (void)ndb_cursor_block_seek(c, d + 100);
        (void)ndb_cursor_block_max_tf(c);
        (void)ndb_cursor_block_min_dlr(c);
    }
    ndb_cursor_close(c);
    return NDB_OK;
}

static void fz_report(void *ctx, int is_error, const char *msg)
{
    (void)ctx;
    (void)is_error;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    uint8_t *img;
    ndb_seg *s = NULL;
    if (!fz_dir[0]) {
        snprintf(fz_dir, sizeof fz_dir, "/tmp/fuzz_segment_XXXXXX");
        if (!mkdtemp(fz_dir))
            return 0;
    }
    snprintf(path, sizeof path, "%s/seg.ndx", fz_dir);
    img = malloc(size ? size : 1);
    if (!img)
        return 0;
    memcpy(img, data, size);
    if (size >= NDB_HEADER_SIZE + NDB_FOOTER_SIZE)
        ndb_put_u32le(img + size - 4, ndb_crc32c(0, img, size - 4));
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(img, 1, size, f) != size) {
        if (f)
            fclose(f);
        free(img);
        return 0;
    }
    fclose(f);
    free(img);
    if (ndb_seg_open(ndb_vfs_default(), fz_dir, "seg.ndx", &s, NULL) != NDB_OK)
        return 0;
    (void)ndb_seg_prefix(s, "", 0, fz_term, s);
    (void)ndb_seg_prefix(s, "b", 1, fz_term, s);
    ndb_cursor *c = NULL;
    if (ndb_index_term_cursor(&s, 1, "a", 1, true, &c, NULL) == NDB_OK && c) {
        (void)ndb_cursor_seek_geq(c, ndb_seg_base(s) + 3);
        ndb_cursor_close(c);
    }
    (void)ndb_seg_doclen(s, ndb_seg_base(s));
    (void)ndb_seg_check(s, fz_report, NULL, NULL);
    ndb_seg_unref(s);
    return 0;
}
