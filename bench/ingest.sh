#!/bin/sh
# bench/ingest.sh — the ingest row of the performance issue: `newsdb add` of two tars of
# native-format articles, timed end to end (read, parse, language, analysis, near-duplicates,
# store, index, commit: the archive is removed before every run).
#
#   bench/ingest.sh [BIN ...]          (default: bin/newsdb; `make bench-ingest`)
#
# Several binaries (an old and a new build, say) are run in turn, round after round, so a
# change is compared within the same minutes: this machine's speed moves by a third within
# the hour, so only interleaved runs compare. Printed per tar and binary: best and median
# wall time of ROUNDS runs, user + system CPU, and MB/s of article bytes (the files inside
# the tar, not the tar's own size).
#
# The tars, made once in $BENCH_W:
#   syn50k.tar   the harness corpus (gen_corpus.py --n 200000 --seed 42, as `make bench`
#                makes it in the same folder), its first 50 folders: 50,000 articles;
#   corpora.tar  ../shared/corpora: allsides, reuters21578, bbc, basil, ecbplus (42,550
#                articles), file names sorted; skipped, saying so, without ../shared.
# Environment: ROUNDS (5), BENCH_W (/tmp/newsdb-bench), SHARED (../shared).
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
W=${BENCH_W:-/tmp/newsdb-bench}
SH=${SHARED:-../shared}
H=$SH/bench
[ $# -gt 0 ] || set -- bin/newsdb
for b in "$@"; do
    [ -x "$b" ] || { echo "ingest.sh: $b: not an executable (run make first)" >&2; exit 2; }
done
mkdir -p "$W"

tars=""
if [ ! -s "$W/syn50k.tar" ]; then
    if [ ! -d "$W/corpus_200000" ]; then
        [ -f "$H/gen_corpus.py" ] || { echo "ingest.sh: $H/gen_corpus.py missing" >&2; exit 2; }
        echo "generating the synthetic corpus (200,000 articles) in $W/corpus_200000 ..."
        /usr/bin/python3 "$H/gen_corpus.py" --n 200000 --seed 42 --out "$W/corpus_200000.tmp"
        mv "$W/corpus_200000.tmp" "$W/corpus_200000"
    fi
    tar -C "$W/corpus_200000" --sort=name -cf "$W/syn50k.tar.tmp" $(seq -f %04g 0 49)
    mv "$W/syn50k.tar.tmp" "$W/syn50k.tar"
fi
tars="$W/syn50k.tar"
if [ -d "$SH/corpora" ]; then
    if [ ! -s "$W/corpora.tar" ]; then
        rm -rf "$W/corpora.d" && mkdir -p "$W/corpora.d"
        for c in allsides reuters21578 bbc basil ecbplus; do
            tar -C "$W/corpora.d" -xzf "$SH/corpora/$c.tar.gz"
        done
        tar -C "$W/corpora.d" --sort=name -cf "$W/corpora.tar.tmp" \
            allsides reuters21578 bbc basil ecbplus
        mv "$W/corpora.tar.tmp" "$W/corpora.tar"
        rm -rf "$W/corpora.d"
    fi
    tars="$tars $W/corpora.tar"
else
    echo "ingest.sh: $SH/corpora not found: the corpus tar is skipped"
fi

log=$W/ingest.$$.tsv
: > "$log"
echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC'): $ROUNDS rounds of: $*"
for r in $(seq "$ROUNDS"); do
    for t in $tars; do
        for b in "$@"; do
            rm -rf "$W/ingest.db"
            /usr/bin/time -f "%e %U %S" -o "$W/ingest.time" "$b" add -d "$W/ingest.db" "$t" \
                > /dev/null 2> "$W/ingest.err" ||
                { echo "ingest.sh: $b add $t failed:" >&2; cat "$W/ingest.err" >&2; exit 1; }
            printf '%s\t%s\t%s\n' "$t" "$b" "$(cat "$W/ingest.time")" >> "$log"
        done
    done
done
rm -rf "$W/ingest.db" "$W/ingest.time" "$W/ingest.err"
/usr/bin/python3 - "$log" <<'PY'
import statistics, subprocess, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    t, b, times = line.rstrip("\n").split("\t")
    e, u, s = map(float, times.split())
    runs[(t, b)].append((e, u + s))
mb = {}
for t, _ in runs:
    if t not in mb:  # article bytes: the regular files inside the tar
        out = subprocess.run(["tar", "tvf", t], capture_output=True, text=True).stdout
        mb[t] = sum(int(l.split()[2]) for l in out.splitlines() if l.startswith("-")) / 1e6
print(f"{'tar':<14} {'binary':<28} {'wall best':>9} {'median':>7} {'CPU best':>8}"
      f" {'MB/s best':>9} {'median':>7}")
for (t, b), v in runs.items():
    w = [x[0] for x in v]; c = [x[1] for x in v]
    best, med = min(w), statistics.median(w)
    print(f"{t.rsplit('/', 1)[-1]:<14} {b[-28:]:<28} {best:9.2f} {med:7.2f} {min(c):8.2f}"
          f" {mb[t] / best:9.1f} {mb[t] / med:7.1f}   ({mb[t]:.1f} MB, n={len(v)})")
PY
rm -f "$log"
