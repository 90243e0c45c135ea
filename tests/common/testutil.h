/* Shared test helpers: temp dirs, the shared corpora location, seeds. */
#ifndef NDB_TESTS_COMMON_TESTUTIL_H
#define NDB_TESTS_COMMON_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Create a fresh temp directory; returns its path (static storage per call slot). */
const char *ndb_test_tmpdir(char *buf, size_t cap);
/* Remove a directory tree. */
void ndb_test_rmtree(const char *path);
/* Path of the shared corpora dir (env NEWSDB_SHARED/corpora, else ../shared/corpora,
   else /work/shared/corpora), or NULL when absent. */
const char *ndb_test_corpora(void);
/* Seed from env NDB_SEED, else the given default. */
uint64_t ndb_test_seed(uint64_t dflt);

#endif
