/*
** utf8.c — strict UTF-8 decoding, shared by the article parser (which rejects invalid
** input) and the tokenizer (which treats invalid bytes as separators). Strict means RFC 3629:
** no overlong forms, no surrogates, nothing above U+10FFFF.
*/
#include "base/base.h"

size_t ndb_utf8_decode(const uint8_t *p, size_t n, int32_t *cp)
{
    uint32_t c = p[0];
    size_t len;
    uint32_t min;

    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
        c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
        c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (p[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }
    *cp = (int32_t)c;
    return len;
}
