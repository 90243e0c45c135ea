/*
** search_example.c — the newsdb C API in one page: create an archive, add an article,
** commit, search it, fetch it back. Build: make examples/search_example (see Makefile).
**
**   ./bin/search_example /tmp/example.db
*/
#include "newsdb.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static const char article[] =
        "http://presstv.com/Detail/2016/10/11/488571/Russia-Putin-France-visit\n"
        "63\n"
        "2\n"
        "Putin cancelled his visit to Paris planned for next Tuesday.\n"
        "\n"
        "The Kremlin confirmed the visit was postponed indefinitely.\n";
    ndb_options opt = {.create = 1, .stemmer = NDB_STEM_ENGLISH};
    ndb_db *db = NULL;
    ndb_writer *w = NULL;
    ndb_snapshot *snap = NULL;
    ndb_results *res = NULL;
    ndb_search_opts so = {.limit = 10, .snippets = 1};
    ndb_add_result added;
    ndb_err err;
    int status = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s ARCHIVE_DIR\n", argv[0]);
        return 2;
    }
    if (ndb_open(argv[1], &opt, &db, &err) != NDB_OK ||
        ndb_writer_open(db, &w, &err) != NDB_OK ||
        ndb_writer_add_native(w, "example.txt", article, strlen(article), NULL, 0, &added,
                              &err) != NDB_OK ||
        ndb_writer_commit(w, &err) != NDB_OK)
        goto out;
    ndb_writer_close(w); /* releases the writer lock */
    w = NULL;
    if (ndb_snapshot_open(db, &snap, &err) != NDB_OK ||
        ndb_search(snap, "\"visit to paris\" outlet:presstv.com", &so, &res, &err) != NDB_OK)
        goto out;
    printf("%llu match\n", (unsigned long long)res->total);
    for (size_t i = 0; i < res->n; i++)
        printf("%u %.3f %s\n  %s\n", res->hits[i].id, res->hits[i].score, res->hits[i].url,
               res->hits[i].snippet);
    status = 0;
out:
    if (status)
        fprintf(stderr, "error: %s (%s)\n", err.msg, ndb_strerror(err.rc));
    ndb_results_free(res);
    ndb_snapshot_close(snap);
    ndb_writer_close(w);
    ndb_close(db);
    return status;
}
