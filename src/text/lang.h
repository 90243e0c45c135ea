/*
** lang.h — languages of articles: codes, compact ids, detection (CLD2), stemmer choice.
**
** Codes: a language is an ISO 639-1 code ("en", "de", "zh"). Outside values (a side file's
** "de-AT", "EN_us", "deu", "ger", CLD2's "iw" or "zh-Hant") are normalized by
** ndb_lang_normalize: lower case, primary subtag only, ISO 639-2 codes of the common
** languages and the withdrawn 639-1 codes mapped to today's two letters. Anything else
** ("und", "mul", "english", "") is no language.
**
** Ids: each code has a fixed id 1..NDB_LANG_COUNT (its rank in the sorted ISO 639-1 list
** of lang.c, which is append-only: ids are stored on disk in the column file); 0 means
** unknown. One byte per article is enough for filtering by language without reading it.
**
** Detection: ndb_lang_detect runs CLD2 (libcld2, through the C++ shim lang_cld2.cc) on
** plain UTF-8 text and keeps its answer only when CLD2 calls it reliable and the language
** has an ISO 639-1 code; short, mixed, unlike-any-language or binary input gives id 0.
** Before it, a cheap screen (lang.c) calls English the text that can be nothing else:
** ASCII letters only, many English function words and next to none of other languages'.
** Input past NDB_LANG_DETECT_MAX bytes is not looked at (the start of an article is enough
** and detection then costs O(1) per article). Invalid UTF-8 ends the text looked at (CLD2
** sees only a padded copy of the valid prefix: it is not safe on arbitrary bytes).
**
** Stemmers: ndb_lang_stem_index maps a language to the Snowball stemmer of that language
** (1..NDB_LANG_NSTEM-1), or to 0 = "the archive's own stemmer" for English, unknown and
** languages Snowball has no stemmer for.
**
** Threading: everything here is reentrant (CLD2 is thread-safe; the tables are constant).
*/
#ifndef NDB_TEXT_LANG_H
#define NDB_TEXT_LANG_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NDB_LANG_NONE       0    /* unknown language */
#define NDB_LANG_COUNT      184  /* ids 1..NDB_LANG_COUNT */
#define NDB_LANG_NSTEM      28   /* stem indexes 0..NDB_LANG_NSTEM-1 (0 = archive default) */
#define NDB_LANG_DETECT_MAX 1024 /* bytes of text detection looks at */

/* A set of language ids (bit i = id i), e.g. the languages present in an archive. */
typedef struct ndb_lang_set {
    uint64_t w[4];
} ndb_lang_set;

static inline bool ndb_lang_set_has(const ndb_lang_set *s, uint8_t id)
{
    return (s->w[id >> 6] >> (id & 63)) & 1u;
}

static inline void ndb_lang_set_add(ndb_lang_set *s, uint8_t id)
{
    s->w[id >> 6] |= (uint64_t)1 << (id & 63);
}

/* Id of an outside language value (see the top comment); NDB_LANG_NONE when it names no
** ISO 639-1 language. */
uint8_t ndb_lang_normalize(const char *s, size_t n);
/* The code of an id ("" for NDB_LANG_NONE or an id past the table). Static storage. */
const char *ndb_lang_code(uint8_t id);

typedef struct ndb_lang_guess {
    uint8_t id;      /* NDB_LANG_NONE unless reliable */
    bool reliable;   /* CLD2's is_reliable */
    int percent;     /* share of the text in that language (0..100) */
    int text_bytes;  /* letters CLD2 looked at */
    char cld2[16];   /* CLD2's own code ("un" when unknown), NUL-terminated */
    bool screened;   /* English by the screen (lang.c), CLD2 not asked: "en", 100% */
} ndb_lang_guess;

/* Detect the language of UTF-8 text p[0..n). Never fails on any bytes; NDB_ENOMEM only if
** CLD2 itself cannot allocate. */
ndb_rc ndb_lang_detect(const char *p, size_t n, ndb_lang_guess *out);

/* Stemmer of a language: 0 = the archive's default, else 1..NDB_LANG_NSTEM-1. */
int ndb_lang_stem_index(uint8_t id);
/* The same by a scan of the code table (tests check the O(1) table against it). */
int ndb_lang_stem_index_slow(uint8_t id);
/* Snowball algorithm name of a stem index (NULL for 0 or out of range). */
const char *ndb_lang_stem_algo(int k);

#endif /* NDB_TEXT_LANG_H */
