#!/bin/sh
# Analytics benchmark, newsdb vs SQLite FTS5, same corpus, same run (see BENCHMARKS.md).
# usage: bench/analytics_run.sh BIN_DIR ARCHIVE FTS_DB QUERY...
# (FTS_DB built first by: /usr/bin/python3 bench/analytics_sqlite.py DOCS_TSV FTS_DB)
set -e
bin=$1; db=$2; fts=$3; shift 3
for q in "$@"; do
    echo "== newsdb: $q"
    "$bin/analytics_bench" "$db" "$q" 5
    echo "== sqlite fts5: $q"
    /usr/bin/python3 "$(dirname "$0")/analytics_sqlite.py" /dev/null "$fts" "$q"
done
