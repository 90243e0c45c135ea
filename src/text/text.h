/*
** text — the analyzer: UTF-8 text -> (term, position, byte range) tokens.
**
** This is the contract the index writer, the query parser and the query oracle all share;
** anything that turns text into terms must go through it so that both sides agree.
**
** Tokens (decided on the INPUT code points, before folding):
**   1. Input is UTF-8. An invalid sequence (bad lead byte, truncated, overlong, surrogate,
**      > U+10FFFF) is a separator; it is skipped one byte at a time, never an error.
**   2. A word code point is one whose Unicode general category is a letter (L*), a number
**      (N*) or a mark (M*). A token is a maximal run of word code points. Everything else
**      (spaces, punctuation, symbols, controls, format chars such as U+00AD) separates.
**   3. An apostrophe (U+0027 or U+2019) that sits between two LETTERS (L*) is part of the
**      token: "it's", "o'brien", "rock'n'roll" are one token each. "90's" is "90" + "s"
**      (a digit is not a letter); "'quoted'" gives "quoted"; "a''b" gives "a" and "b".
**   4. CJK ideographs, kana, Hangul are letters (Lo), so a run of them with no spaces is ONE
**      token ("東京都" is one term). No dictionary segmentation.
**   5. Each token takes one position: positions count tokens from the caller's start.
**
** Terms (what is indexed):
**   6. Fold: U+2019 -> ', then Unicode NFKC with full case folding (utf8proc
**      COMPAT|COMPOSE|CASEFOLD); accents are kept ("café" stays "café", "Straße" ->
**      "strasse", "ΣΑΣ" -> "σασ", "ﬁle" -> "file"). ASCII tokens skip utf8proc and are
**      lower-cased byte by byte (same result, much faster).
**   7. A token whose folded form is longer than NDB_TEXT_MAX_TERM bytes is dropped (no
**      callback) but still consumes its position. A surface run longer than
**      16 * NDB_TEXT_MAX_TERM bytes is dropped without folding (folding never shrinks text
**      by more than 3x, so its folded form would be too long anyway).
**   8. Stem the folded form with Snowball (libstemmer, UTF-8): NDB_STEM_ENGLISH =
**      "english", NDB_STEM_PORTER = "porter", NDB_STEM_NONE = the folded form as is.
**      Stop words are NOT removed (ndb_text_is_stopword is for analytics).
**
** Bodies (ndb_text_analyze_paras): paragraphs in order, positions from 0; after each
** paragraph but the last one extra position is skipped, so the last token of a paragraph
** and the first of the next are never adjacent and a phrase never spans them.
**
** Threading: an ndb_analyzer (stemmer state + scratch) belongs to one thread at a time;
** make one per thread. Everything else here is reentrant.
*/
#ifndef NDB_TEXT_TEXT_H
#define NDB_TEXT_TEXT_H

#include "base/base.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ndb_analyzer ndb_analyzer; /* one per thread: stemmer state + scratch buffers */

/* *out is OWNED: ndb_text_analyzer_free. NDB_EINVAL for an unknown stemmer. */
ndb_rc ndb_text_analyzer_new(ndb_stemmer stemmer, ndb_analyzer **out);
void ndb_text_analyzer_free(ndb_analyzer *a); /* accepts NULL */
ndb_stemmer ndb_text_analyzer_stemmer(const ndb_analyzer *a);

/* Per-language stemming (text/lang.h): switch the analyzer to stem index k — 0 = the
** stemmer it was made with, 1..NDB_LANG_NSTEM-1 = the Snowball stemmer of a language (made
** on first use, then kept with its own cache). Folding and tokenizing never change.
** NDB_EINVAL for k out of range, NDB_ENOMEM when Snowball cannot allocate (the analyzer
** then keeps its current stemmer). */
ndb_rc ndb_text_analyzer_set_stem(ndb_analyzer *a, int k);
/* The stem index in use. */
int ndb_text_analyzer_stem_index(const ndb_analyzer *a);

/* Folded tokens longer than this (bytes) are dropped but still take a position. */
#define NDB_TEXT_MAX_TERM 64

typedef struct ndb_token {
    const char *term;  /* analyzed term (folded + stemmed), BORROWED until the callback returns */
    size_t len;        /* bytes of term; not NUL-terminated */
    uint32_t pos;      /* token position */
    size_t start, end; /* byte range [start, end) of the surface form in the input text */
} ndb_token;

/* Called once per token; a non-OK return stops the analysis and is returned. */
typedef ndb_rc (*ndb_token_fn)(void *ctx, const ndb_token *t);

/* Analyze text p[0..n) starting at position *pos; on return *pos is one past the last
** token's position (dropped long tokens included). Errors: NDB_ENOMEM, or what fn returned. */
ndb_rc ndb_text_analyze(ndb_analyzer *a, const uint8_t *p, size_t n, uint32_t *pos,
                        ndb_token_fn fn, void *ctx);

/* A whole body: paragraphs in order, positions from 0, one extra position between
** paragraphs. *ntokens = tokens passed to fn (the document length for BM25). */
ndb_rc ndb_text_analyze_paras(ndb_analyzer *a, const ndb_slice *paras, uint32_t n,
                              ndb_token_fn fn, void *ctx, uint32_t *ntokens);

/* Fold one word exactly as rule 6 folds a token (no tokenizing, no length limit, no
** stemming; for prefix queries). out is reset, then holds the folded bytes (out->n; not
** NUL-terminated). NDB_EPARSE on invalid UTF-8, NDB_ENOMEM / NDB_ELIMIT from the buffer. */
ndb_rc ndb_text_fold(ndb_analyzer *a, const char *p, size_t n, ndb_buf *out);

/* Stem one already-folded word with the analyzer's stemmer; *out BORROWED until the next
** call on a (for NDB_STEM_NONE it is p itself). NDB_ENOMEM when Snowball fails. */
ndb_rc ndb_text_stem(ndb_analyzer *a, const char *p, size_t n, const char **out,
                     size_t *outlen);

/* True when the folded word w[0..n) is an English stop word ("the", "it's", ...). */
bool ndb_text_is_stopword(const char *w, size_t n);
/* The stop list itself (sorted bytewise): count, and entry i (NULL past the end). */
size_t ndb_text_stopword_count(void);
const char *ndb_text_stopword_at(size_t i);

#endif /* NDB_TEXT_TEXT_H */
