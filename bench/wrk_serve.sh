#!/bin/sh
# Load figures of `newsdb serve` (BENCHMARKS.md, "HTTP server"): wrk with 64 connections for
# DURATION seconds on /api/search and on /api/timeline, cycling through the benchmark
# queries (../shared/bench query set, column 3 of queries.txt). A benchmark, never a test.
#   bench/wrk_serve.sh DB QUERIES.txt [DURATION=30] [THREADS=4]
# Prints wrk's summary per endpoint plus non-2xx count and p50/p90/p99.
set -e
db=$1; queries=$2; dur=${3:-30}; threads=${4:-4}
here=$(cd "$(dirname "$0")" && pwd)
bin=${NEWSDB_BIN:-$here/../bin/newsdb}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
"$bin" serve -d "$db" --listen 127.0.0.1:0 --threads "$threads" > "$work/serve.out" 2>&1 &
pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q http "$work/serve.out" 2>/dev/null && break; sleep 0.5; done
url=$(sed -n 's/.*\(http:\/\/127\.0\.0\.1:[0-9]*\)\/.*/\1/p' "$work/serve.out" | head -1)
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
grep -v '^#' "$queries" | cut -f3 | while IFS= read -r q; do
    e=$(enc "$q")
    echo "/api/search?q=$e&limit=10" >> "$work/search.txt"
    echo "/api/timeline?q=$e&by=month" >> "$work/timeline.txt"
done
echo "archive $db: $(curl -s "$url/api/stats")"
echo "queries: $(wc -l < "$work/search.txt") from $queries; serve --threads $threads; wrk 64 connections, ${dur}s"
for ep in search timeline; do
    echo "=== /api/$ep"
    WRK_PATHS="$work/$ep.txt" wrk -t 4 -c 64 -d "${dur}s" --timeout 10s --latency \
        -s "$here/wrk_paths.lua" "$url"
done
