/*
** lang_cld2.cc — the one C++ file of newsdb: a shim that gives C a single function over
** CLD2 (libcld2, Compact Language Detector 2), whose API is C++ only.
**
** ExtDetectLanguageSummaryCheckUTF8 is used because article bytes come from outside: on
** invalid UTF-8 CLD2 answers "unknown" and reports the valid prefix, which we then detect
** alone. The text is plain (no HTML tag skipping). Nothing here throws across the C
** boundary: CLD2 only allocates through std::vector, and a bad_alloc becomes -1.
**
** Threading: CLD2 keeps no mutable global state; this function is reentrant.
*/
#include <cstdio> // compact_lang_det.h uses FILE without including it

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <cstddef>
#include <cstring>
#include <new>

extern "C" int ndb_lang_cld2_detect(const char *p, int n, char *code, size_t cap, int *percent,
                                    int *text_bytes, int *reliable);

static CLD2::Language cld2_run(const char *p, int n, int *percent3, int *text_bytes,
                               bool *reliable, int *valid_prefix)
{
    CLD2::CLDHints hints = {NULL, NULL, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
    CLD2::Language lang3[3];
    double score3[3];
    return CLD2::ExtDetectLanguageSummaryCheckUTF8(p, n, true, &hints, 0, lang3, percent3,
                                                   score3, NULL, text_bytes, reliable,
                                                   valid_prefix);
}

extern "C" int ndb_lang_cld2_detect(const char *p, int n, char *code, size_t cap, int *percent,
                                    int *text_bytes, int *reliable)
{
    try {
        int percent3[3] = {0, 0, 0}, bytes = 0, valid = n;
        bool rel = false;
        CLD2::Language l = cld2_run(p, n, percent3, &bytes, &rel, &valid);
        if (valid < n && valid > 0) {
            percent3[0] = 0;
            l = cld2_run(p, valid, percent3, &bytes, &rel, &valid);
        }
        const char *c = CLD2::LanguageCode(l);
        if (!c)
            c = "un";
        size_t len = std::strlen(c);
        if (len >= cap)
            len = cap - 1;
        std::memcpy(code, c, len);
        code[len] = 0;
        *percent = percent3[0];
        *text_bytes = bytes;
        *reliable = rel && l != CLD2::UNKNOWN_LANGUAGE;
        return 0;
    } catch (const std::bad_alloc &) {
        return -1;
    }
}
