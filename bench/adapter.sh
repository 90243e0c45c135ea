#!/bin/bash
# newsdb as one more peer of the shared benchmark harness (../shared/bench/README.md §4).
#
#   bench/adapter.sh build  DOCS_TSV INDEX_DIR OUT_PREFIX
#   bench/adapter.sh search INDEX_DIR QUERIES REPEATS OUT_PREFIX
#
# Delegates to bin/newsdb_bench (bench/newsdb_bench.c; `make bench` builds it). Another
# binary may be given in NEWSDB_BENCH_BIN (e.g. build-perf/bin/newsdb_bench). The stemmer
# is NEWSDB_STEMMER=english (default; compare counts with Xapian) or porter (with Lucene).
#
# Registered by:  PEERS="newsdb ..." NEWSDB_ADAPTER=bench/adapter.sh ../shared/bench/run_all.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_BIN=${NEWSDB_BENCH_BIN:-$HERE/../bin/newsdb_bench}
[ -x "$BENCH_BIN" ] || { echo "adapter.sh: $BENCH_BIN missing (run make bench)" >&2; exit 1; }

case "${1:-}" in
build)
  [ $# = 4 ] || { echo "usage: $0 build DOCS_TSV INDEX_DIR OUT_PREFIX" >&2; exit 2; }
  rm -rf "$3"
  rm -f "$4.stats.part"
  exec "$BENCH_BIN" build "$2" "$3" "$4"
  ;;
search)
  [ $# = 5 ] || { echo "usage: $0 search INDEX_DIR QUERIES REPEATS OUT_PREFIX" >&2; exit 2; }
  rm -f "$5.stats.part"
  exec "$BENCH_BIN" search "$2" "$3" "$4" "$5"
  ;;
*)
  echo "usage: $0 build DOCS_TSV INDEX_DIR OUT_PREFIX | search INDEX_DIR QUERIES REPEATS OUT_PREFIX" >&2
  exit 2
  ;;
esac
