/* Deterministic in-memory native-format articles for tests (not the CLI's gen_corpus). */
#ifndef NDB_TESTS_COMMON_CORPUS_H
#define NDB_TESTS_COMMON_CORPUS_H

#include <stddef.h>
#include <stdint.h>

typedef struct tc_doc {
    char *url;
    char *bytes; /* native format, NUL-terminated */
    size_t n;
} tc_doc;

/* Article i of corpus `seed`: a URL (outlet i % 7, dated unless i % 5 == 0), 1..6
   paragraphs of words from a vocabulary of `vocab` words. version > 0 changes the text but
   not the URL. Caller frees with tc_doc_free. */
tc_doc tc_make_doc(uint64_t seed, uint32_t i, uint32_t version, uint32_t vocab);
void tc_doc_free(tc_doc *d);
/* Write doc to dir/name. Returns 0 on success. */
int tc_write_file(const char *dir, const char *name, const char *bytes, size_t n);

#endif
