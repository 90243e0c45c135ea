#!/bin/sh
# Build every fuzz/fuzz_<name>.c with libFuzzer + ASan + UBSan and run each for $1 seconds
# (default 30) on a scratch copy of its seed corpus fuzz/corpus/<name>/. A crash, leak or
# sanitizer report fails the run; the reproducer is kept in build-fuzz/artifacts/.
set -e
T=${1:-30}
B=build-fuzz
FLAGS="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
make --no-print-directory lib CC=clang BUILD=$B OPT="$FLAGS -fsanitize=fuzzer-no-link" >/dev/null
LIBS="-lstemmer -lutf8proc -lzstd -lxxhash -lstreamvbyte -ljansson -lpsl -larchive -lpthread -lm"
mkdir -p $B/artifacts
fail=0
for src in fuzz/fuzz_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c); name=${name#fuzz_}
    clang -std=c11 -D_GNU_SOURCE -Iinclude -Isrc $FLAGS -fsanitize=fuzzer -o $B/fuzz_$name "$src" \
        $B/libnewsdb.a $LIBS
    work=$B/corpus/$name; rm -rf "$work"; mkdir -p "$work"
    [ -d fuzz/corpus/$name ] && cp -r fuzz/corpus/$name/. "$work/"
    printf 'fuzz %-10s %ss ... ' "$name" "$T"
    if $B/fuzz_$name -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=$B/artifacts/$name- "$work" >$B/fuzz_$name.log 2>&1; then
        echo "ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' $B/fuzz_$name.log | grep -o '[0-9]*' || echo '?') runs)"
    else
        echo FAILED; tail -40 $B/fuzz_$name.log; fail=1
    fi
done
exit $fail
