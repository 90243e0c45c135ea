#!/bin/sh
# Run every Criterion test binary given, print each one's synthesis and a final
# "N passed, N failed" line; exit 1 if any test failed or crashed. With NEWSDB_BROWSER_TESTS=1
# also the web UI's browser tests (below).
# NEWSDB_VALGRIND=1 runs each binary under valgrind (memcheck, errors are failures).
pass=0; fail=0; skip=0; bad=""
for t in "$@"; do
    name=${t#*/tests/}
    start=$(date +%s)
    if [ -n "$NEWSDB_VALGRIND" ]; then
        out=$(valgrind -q --error-exitcode=99 --leak-check=full --trace-children=yes \
              "$t" --jobs 1 --no-early-exit 2>&1); rc=$?
    else
        out=$(LSAN_OPTIONS="suppressions=$(dirname "$0")/lsan.supp:print_suppressions=0" \
              "$t" --jobs 2 --verbose 2>&1); rc=$?
    fi
    syn=$(printf '%s\n' "$out" | grep 'Synthesis:' | tail -1)
    t_pass=$(printf '%s' "$syn" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    t_fail=$(printf '%s' "$syn" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    t_crash=$(printf '%s' "$syn" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    skips=$(printf '%s\n' "$out" | grep '^\[SKIP\]' | grep -v 'Test is disabled')
    t_skip=$(printf '%s\n' "$skips" | grep -c 'SKIP')
    : "${t_pass:=0}" "${t_fail:=0}" "${t_crash:=0}"
    if [ -z "$syn" ] || [ "$rc" -ne 0 ] && [ "$t_fail" -eq 0 ] && [ "$t_crash" -eq 0 ]; then
        t_fail=$((t_fail + 1))   # the binary itself failed (crash, valgrind error)
    fi
    pass=$((pass + t_pass)); fail=$((fail + t_fail + t_crash)); skip=$((skip + t_skip))
    printf '%-36s %4s passed %3s failed  (%ss)\n' "$name" "$t_pass" "$((t_fail + t_crash))" "$(( $(date +%s) - start ))"
    if [ $((t_fail + t_crash)) -ne 0 ]; then
        printf '%s\n' "$out" | grep -v '^\[----\] *$' | grep -v '^\[RUN \]\|^\[PASS\]' | tail -60
        bad="$bad $name"
    fi
    [ -n "$skips" ] && printf '%s\n' "$skips" | sed 's/^/    /' | head -8
done
# Browser tests of the web UI (make check sets NEWSDB_BROWSER_TESTS=1): web/tests/browser.mjs
# prints "browser: N passed, N failed"; its counts join the totals, a failure fails the run.
if [ -n "$NEWSDB_BROWSER_TESTS" ]; then
    start=$(date +%s)
    out=$(cd "$(dirname "$0")/../web" && node tests/browser.mjs 2>&1); rc=$?
    b_pass=$(printf '%s\n' "$out" | sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' | tail -1)
    b_fail=$(printf '%s\n' "$out" | sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' | tail -1)
    b_skip=$(printf '%s\n' "$out" | sed -n 's/^browser: .*, \([0-9]*\) skipped.*/\1/p' | tail -1)
    : "${b_pass:=0}" "${b_fail:=0}" "${b_skip:=0}"
    [ "$rc" -ne 0 ] && [ "$b_fail" -eq 0 ] && b_fail=1   # the runner itself failed
    pass=$((pass + b_pass)); fail=$((fail + b_fail)); skip=$((skip + b_skip))
    printf '%-36s %4s passed %3s failed  (%ss)\n' "web/browser (chromium)" "$b_pass" "$b_fail" "$(( $(date +%s) - start ))"
    if [ "$b_fail" -ne 0 ]; then printf '%s\n' "$out" | tail -40; bad="$bad web/browser"; fi
fi
[ -n "$bad" ] && echo "failing:$bad"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
