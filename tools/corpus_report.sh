#!/bin/sh
# Ingest every native-format corpus of ../shared/corpora (with its side file) into a fresh
# archive and print: articles, input MB (article bytes), wall seconds, MB/s, CPU seconds,
# archive size (store + index) and its ratio to the input. Usage: tools/corpus_report.sh [BIN]
set -e
BIN=${1:-bin/newsdb}
C=${NEWSDB_SHARED:-../shared}/corpora
W=$(mktemp -d)
printf '%-13s %8s %9s %7s %8s %7s %9s %9s %6s\n' corpus articles input_MB wall_s MB/s cpu_s store_MB index_MB ratio
for name in bbc basil ecbplus reuters21578 allsides; do
    [ -f "$C/$name.tar.gz" ] || { echo "$name: absent"; continue; }
    db=$W/$name.db
    /usr/bin/time -f '%e %U %S' -o $W/time "$BIN" add -d "$db" "$C/$name.tar.gz" \
        --meta "$C/$name.meta.jsonl" --json > $W/out 2>/dev/null
    set -- $(cat $W/time)
    wall=$1; cpu=$(echo "$2 + $3" | bc)
    "$BIN" stats -d "$db" --json > $W/stats
    python3 - "$name" "$wall" "$cpu" $W/stats <<'PY'
import json, sys
name, wall, cpu, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
s = json.load(open(path))
raw = s["raw_bytes"] / 1e6
store, index = s["store_bytes"] / 1e6, s["index_bytes"] / 1e6
print(f"{name:<13} {s['articles']:>8} {raw:>9.1f} {wall:>7.2f} {raw / wall:>8.1f} {cpu:>7.2f} "
      f"{store:>9.1f} {index:>9.1f} {(store + index) / raw:>6.2f}")
PY
done
rm -rf "$W"
