/*
** fuzz_warc.c — libFuzzer target for the WARC reader and HTTP body decoding
** (src/doc/warc.c) and the HTML-page-to-item step (src/doc/items_html.c).
**
** Input: arbitrary bytes taken as an (uncompressed) WARC file.
** Contract: no crash, leak, out-of-bounds read or endless loop; every page handed out has
** a body within the decode limit and a NUL-terminated URI, date and content type; an item
** made from a page is a native record that ndb_doc_parse accepts (or the extractor said
** EPARSE/ELIMIT); per-record errors never stop the walk.
*/
#include "doc/items.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ndb_doc_warc *w = NULL;
    ndb_doc_html_conv *conv = NULL;
    ndb_doc_warc_page pg;
    ndb_doc_item it;
    ndb_article a;
    ndb_err err;
    size_t steps = 0;
    uint8_t *copy = malloc(size ? size : 1); /* exact-size copy so ASan sees over-reads */
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    ndb_doc_article_init(&a);
    if (ndb_doc_warc_open_mem("fuzz", copy, size, &w, &err) != NDB_OK ||
        ndb_doc_html_conv_new(&conv, &err) != NDB_OK) {
        goto out;
    }
    for (;;) {
        ndb_rc rc = ndb_doc_warc_next(w, &pg, &err);
        if (++steps > size + 2) {
            __builtin_trap();
        }
        if (rc == NDB_ENOTFOUND) {
            break;
        }
        if (rc != NDB_OK) {
            if (ndb_doc_warc_failed(w)) {
                break;
            }
            continue;
        }
        if (pg.body_n > NDB_DOC_MAX_BYTES * 2u || strlen(pg.uri) > 8192 ||
            strlen(pg.warc_date) > 10 || strlen(pg.content_type) > 255) {
            __builtin_trap();
        }
        rc = ndb_doc_html_conv_run(conv, &pg, &it, &err);
        if (rc == NDB_OK) {
            rc = ndb_doc_parse(it.name, it.p, it.n, false, &a, &err);
            if (rc != NDB_OK && rc != NDB_EPARSE) {
                __builtin_trap();
            }
        } else if (rc != NDB_EPARSE && rc != NDB_ELIMIT) {
            __builtin_trap();
        }
    }
out:
    ndb_doc_article_fini(&a);
    ndb_doc_html_conv_free(conv);
    ndb_doc_warc_close(w);
    free(copy);
    return 0;
}
