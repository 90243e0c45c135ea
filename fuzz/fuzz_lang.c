/*
** fuzz_lang.c — libFuzzer target for language values and detection (text/lang.h): the
** bytes before the first NUL are a side-file "lang" value for ndb_lang_normalize, the rest
** is article text for ndb_lang_detect (CLD2 through the C++ shim). Must never crash or
** leak; a detected id is a valid code or NONE, and normalizing a returned code gives the
** same id back.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t vn = nul ? (size_t)(nul - data) : size;
    uint8_t id = ndb_lang_normalize((const char *)data, vn);
    const char *code = ndb_lang_code(id);
    ndb_lang_guess g;
    if (id != NDB_LANG_NONE && ndb_lang_normalize(code, strlen(code)) != id)
        abort();
    if (nul && ndb_lang_detect((const char *)nul + 1, size - vn - 1, &g) == NDB_OK) {
        code = ndb_lang_code(g.id);
        if (g.id > NDB_LANG_COUNT || (g.id != NDB_LANG_NONE && !g.reliable) ||
            (g.id != NDB_LANG_NONE && ndb_lang_normalize(code, strlen(code)) != g.id))
            abort();
    }
    return 0;
}
