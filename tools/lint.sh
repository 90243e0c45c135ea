#!/bin/sh
# make lint: the rules of STYLE.md a machine can check.
#  1. layers: a module includes only modules of lower layers (never a peer or an upper one);
#     cli, server and crawl include only newsdb.h and base/ (cmd_serve.c may include server/, cmd_crawl.c crawl/).
#  2. banned calls in src/: bare malloc/calloc/realloc/free outside base/alloc.c, exit/abort,
#     printf-family outside cli/, strcpy/strcat/sprintf/gets/atoi.
set -u
fail=0
layer() {
    case $1 in
    base) echo 0 ;; text|postings|termdict) echo 1 ;; doc) echo 2 ;; store) echo 3 ;;
    index) echo 4 ;; collect) echo 5 ;; query) echo 6 ;; analytics) echo 7 ;; api) echo 8 ;;
    cli|server|dist|crawl) echo 9 ;; *) echo 99 ;;
    esac
}
for f in src/*/*.c src/*/*.h; do
    mod=$(echo "$f" | cut -d/ -f2)
    lm=$(layer "$mod")
    grep -o '#include "[a-z_]*/[a-z_0-9]*\.h"' "$f" | sed 's/#include "\([a-z_]*\)\/.*/\1/' | sort -u |
    while read -r dep; do
        [ "$dep" = "$mod" ] && continue
        ld=$(layer "$dep")
        # the serve command starts the server program module (both L9, both API clients)
        [ "$f" = src/cli/cmd_serve.c ] && [ "$dep" = server ] && continue
        # the crawl command runs the crawl program module (both L9, both API clients)
        [ "$f" = src/cli/cmd_crawl.c ] && [ "$dep" = crawl ] && continue
        if [ "$mod" = cli ] && [ "$dep" != base ]; then
            echo "$f: cli may include only newsdb.h and base/ (cmd_serve.c also server/, cmd_crawl.c also crawl/), not $dep/"; echo x >> /tmp/ndb_lint.$$
        elif { [ "$mod" = server ] || [ "$mod" = crawl ]; } && [ "$dep" != base ]; then
            echo "$f: $mod may include only newsdb.h and base/, not $dep/"; echo x >> /tmp/ndb_lint.$$
        elif [ "$ld" -ge "$lm" ]; then
            echo "$f: module $mod (L$lm) includes $dep (L$ld): only lower layers allowed"; echo x >> /tmp/ndb_lint.$$
        fi
    done
done
[ -s /tmp/ndb_lint.$$ ] && fail=1
rm -f /tmp/ndb_lint.$$
strip() { sed -e 's://.*$::' -e 's:/\*.*\*/::g' "$1"; }
for f in src/*/*.c; do
    case $f in src/base/alloc.c) ;; *)
        if strip "$f" | grep -nE '(^|[^_a-z])(malloc|calloc|realloc|free)\(' | grep -v 'ndb_' >/dev/null; then
            echo "$f: bare malloc/calloc/realloc/free (use ndb_malloc & co.)"; fail=1; fi ;;
    esac
    if strip "$f" | grep -nE '(^|[^_a-z])(exit|abort|strcpy|strcat|sprintf|gets|atoi)\(' >/dev/null; then
        echo "$f: banned call:"; strip "$f" | grep -nE '(^|[^_a-z])(exit|abort|strcpy|strcat|sprintf|gets|atoi)\(' | head -3; fail=1; fi
    case $f in src/cli/*) ;; *)
        if strip "$f" | grep -nE '(^|[^_a-z])(printf|fprintf|puts)\(' >/dev/null; then
            echo "$f: printing outside cli/"; fail=1; fi ;;
    esac
done
[ $fail = 0 ] && echo "lint: ok"
exit $fail
