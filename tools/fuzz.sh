#!/bin/sh
# Build every fuzz/fuzz_<name>.c with libFuzzer + ASan + UBSan and run each for $1 seconds
# (default 30) on a scratch copy of its seed corpus fuzz/corpus/<name>/, two at a time (one
# per core). A crash, leak or sanitizer report fails the run; the reproducer is kept in
# build-fuzz/artifacts/ and the log in build-fuzz/fuzz_<name>.log.
set -e
T=${1:-30}
B=build-fuzz
FLAGS="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
make --no-print-directory lib CC=clang BUILD=$B OPT="$FLAGS -fsanitize=fuzzer-no-link" >/dev/null
LIBS="$(make --no-print-directory -s print-libs)"
mkdir -p $B/artifacts
names=""
for src in fuzz/fuzz_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c); name=${name#fuzz_}
    clang -std=c11 -D_GNU_SOURCE -Iinclude -Isrc $(pkg-config --cflags libxml-2.0) $FLAGS -fsanitize=fuzzer -o $B/fuzz_$name "$src" \
        $B/libnewsdb.a $LIBS
    names="$names $name"
done
run_one() {
    name=$1
    work=$B/corpus/$name; rm -rf "$work"; mkdir -p "$work"
    [ -d fuzz/corpus/$name ] && cp -r fuzz/corpus/$name/. "$work/"
    if $B/fuzz_$name -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=$B/artifacts/$name- "$work" >$B/fuzz_$name.log 2>&1; then
        echo "fuzz $name: ${T}s ok ($(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' $B/fuzz_$name.log) runs)"
    else
        echo "fuzz $name: FAILED"; tail -40 $B/fuzz_$name.log; return 1
    fi
}
fail=0
set -- $names
while [ $# -gt 0 ]; do
    run_one "$1" & p1=$!
    p2=""
    if [ $# -gt 1 ]; then run_one "$2" & p2=$!; fi
    wait $p1 || fail=1
    [ -n "$p2" ] && { wait $p2 || fail=1; }
    shift; [ $# -gt 0 ] && shift
done
exit $fail
