#!/bin/sh
# make bench / make bench-1m: newsdb beside SQLite FTS5, Lucene 4.10 and Xapian in ONE run of
# the shared harness (../shared/bench), on a synthetic corpus of N articles.
#
#   sh bench/run.sh N BENCH_BIN        (from the project root; the Makefile passes both)
#
# Environment: BENCH_W (work dir, default ${TMPDIR:-/tmp}/newsdb-bench; needs ~4 GB per 1M
# articles for corpus + docs.tsv + indexes), REPEATS (default 3), PEERS (default
# "newsdb sqlite lucene4 xapian"), NEWSDB_STEMMER (english | porter).
# Peers are installed by ../shared/bench/setup.sh (as root; otherwise only checked).
# The corpus (gen_corpus.py --seed 42) is generated once and reused; the table lands in
# $BENCH_W/run<N>/results.md.
set -eu
N=$1
BIN_ABS=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
H=../shared/bench
[ -d "$H" ] || { echo "bench: $H not found (the shared harness)"; exit 1; }
W=${BENCH_W:-${TMPDIR:-/tmp}/newsdb-bench}
mkdir -p "$W"
if [ "$(id -u)" = 0 ]; then "$H/setup.sh"; else "$H/setup.sh" --check || true; fi
if [ "$N" -ge 1000000 ]; then
  CORPUS=$W/corpus_$N.cat
  [ -s "$CORPUS" ] || /usr/bin/python3 "$H/gen_corpus.py" --n "$N" --seed 42 --format cat --out "$CORPUS"
else
  CORPUS=$W/corpus_$N
  [ -d "$CORPUS" ] || /usr/bin/python3 "$H/gen_corpus.py" --n "$N" --seed 42 --out "$CORPUS"
fi
OUT=$W/run$N
mkdir -p "$OUT"
PEERS=${PEERS:-"newsdb sqlite lucene4 xapian"} NEWSDB_ADAPTER=bench/adapter.sh \
  NEWSDB_BENCH_BIN=$BIN_ABS REPEATS=${REPEATS:-3} SCRATCH=$W \
  "$H/run_all.sh" "$CORPUS" "$OUT"
echo "bench: table in $OUT/results.md"
