/* Shared test helpers: temp dirs, the shared corpora location, seeds. */
#ifndef NDB_TESTS_COMMON_TESTUTIL_H
#define NDB_TESTS_COMMON_TESTUTIL_H

#include "newsdb.h"

#include <stddef.h>
#include <stdint.h>

/* Create a fresh temp directory; returns its path (static storage per call slot). */
const char *ndb_test_tmpdir(char *buf, size_t cap);
/* Remove a directory tree. */
void ndb_test_rmtree(const char *path);
/* Path of the shared corpora dir (env NEWSDB_SHARED/corpora, else ../shared/corpora,
   else /work/shared/corpora), or NULL when absent. */
const char *ndb_test_corpora(void);
/* A new empty archive (English stemmer) in a fresh temp dir: tmp receives "<tempdir>/db".
   Fails the calling test if it cannot be made. */
ndb_db *ndb_test_new_archive(char *tmp, size_t cap);
/* Remove the temp dir holding the archive dbdir made by ndb_test_new_archive. */
void ndb_test_remove_archive(const char *dbdir);
/* Seed from env NDB_SEED, else the given default. */
uint64_t ndb_test_seed(uint64_t dflt);
/* The newsdb binary under test (env NEWSDB_BIN, set by `make test`); skips the calling
   test, saying why, when it is unset or not executable. */
const char *ndb_test_cli_bin(void);
/* Run a shell command; its output (whatever the command sends to stdout: add 2>&1 for
   stderr) into out[cap], NUL-terminated; returns the exit status (-1: killed). */
int ndb_test_sh(const char *cmd, char *out, size_t cap);

#endif
