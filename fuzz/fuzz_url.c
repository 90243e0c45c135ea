/*
** fuzz_url.c — libFuzzer target for URL -> outlet and URL -> date (src/doc/url.c).
**
** Input: arbitrary bytes taken as a URL (not NUL-terminated: only size bytes may be read).
** Contract: no crash or out-of-bounds read; the outlet is NUL-terminated inside its buffer
** (also with a tiny buffer, where NDB_ELIMIT leaves ""); a date, when found, is a real
** calendar date in 1990..2035 and both calls are deterministic.
*/
#include "doc/doc.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size ? size : 1); /* exact-size copy so ASan sees over-reads */
    char out[NDB_DOC_OUTLET_MAX], small[8];
    int32_t d1 = 0, d2 = 0;
    int y, m, d;

    if (url == NULL) {
        return 0;
    }
    memcpy(url, data, size);
    ndb_rc rc = ndb_doc_outlet(url, size, out, sizeof out);
    if (rc != NDB_OK && rc != NDB_ELIMIT) {
        __builtin_trap();
    }
    if (memchr(out, 0, sizeof out) == NULL || (rc == NDB_ELIMIT && out[0] != 0)) {
        __builtin_trap();
    }
    rc = ndb_doc_outlet(url, size, small, sizeof small);
    if (memchr(small, 0, sizeof small) == NULL || (rc != NDB_OK && small[0] != 0)) {
        __builtin_trap();
    }
    bool a = ndb_doc_url_date(url, size, &d1);
    bool b = ndb_doc_url_date(url, size, &d2);
    if (a != b || (a && d1 != d2)) {
        __builtin_trap();
    }
    if (a) {
        ndb_date_to_ymd(d1, &y, &m, &d);
        if (y < 1990 || y > 2035 || m < 1 || m > 12 || d < 1 || d > 31) {
            __builtin_trap();
        }
    }
    free(url);
    return 0;
}
