#!/bin/sh
# demo.sh — what `make demo` runs after building: a tour of the newsdb CLI.
#
# Creates a temporary archive, ingests a sample corpus, prints stats, runs a few telling
# searches (a term, a phrase, boolean NOT, a prefix, an outlet filter, a date range, a
# count), fetches one hit and checks the archive. Every step is echoed as the command a
# user would type. Corpus, in order of preference:
#   ${NEWSDB_SHARED:-../shared}/corpora/allsides.tar.gz (+ allsides.meta.jsonl)
#   ${NEWSDB_SHARED:-../shared}/corpora/bbc.tar.gz      (+ bbc.meta.jsonl)
#   5000 synthetic articles from bin/gen_corpus (always available after `make`)
# Environment: NEWSDB (default bin/newsdb), GEN_CORPUS (default bin/gen_corpus),
# KEEP=1 keeps the temporary archive and prints its path.
set -eu

NEWSDB=${NEWSDB:-bin/newsdb}
GEN_CORPUS=${GEN_CORPUS:-bin/gen_corpus}
SHARED=${NEWSDB_SHARED:-../shared}
CORPORA=$SHARED/corpora

if [ ! -x "$NEWSDB" ]; then
    echo "demo: $NEWSDB not found; run make first" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/newsdb-demo.XXXXXX")
cleanup() {
    if [ "${KEEP:-}" = 1 ]; then
        echo "demo: archive kept in $TMP/news.db"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT INT TERM
DB=$TMP/news.db

# Print a command the way a user would type it, then run it.
show() {
    printf '\n$ newsdb'
    for a in "$@"; do
        case $a in
            *[!A-Za-z0-9_./:=,-]*) printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")" ;;
            *) printf ' %s' "$a" ;;
        esac
    done
    printf '\n'
    "$NEWSDB" "$@"
}

if [ -f "$CORPORA/allsides.tar.gz" ]; then
    NAME=allsides
    SRC=$CORPORA/allsides.tar.gz
    META=$CORPORA/allsides.meta.jsonl
    Q_TERM=immigration
    Q_PHRASE='"supreme court"'
    Q_NOT='healthcare NOT obamacare'
    Q_PREFIX='impeach*'
    Q_OUTLET='climate outlet:foxnews.com'
    Q_DATE='election date:2016-11-01..2016-11-30'
elif [ -f "$CORPORA/bbc.tar.gz" ]; then
    NAME=bbc
    SRC=$CORPORA/bbc.tar.gz
    META=$CORPORA/bbc.meta.jsonl
    Q_TERM=broadband
    Q_PHRASE='"prime minister"'
    Q_NOT='film NOT oscar'
    Q_PREFIX='champion*'
    Q_OUTLET='election outlet:bbc.co.uk'
    Q_DATE='election date:2004..2005'
else
    NAME="gen_corpus (5000 synthetic articles)"
    if [ ! -x "$GEN_CORPUS" ]; then
        echo "demo: no corpus in $CORPORA and $GEN_CORPUS not built; run make first" >&2
        exit 1
    fi
    SRC=$TMP/corpus
    META=
    echo "demo: $CORPORA not found; generating a synthetic corpus"
    echo "\$ gen_corpus --n 5000 --seed 1 --out $SRC"
    "$GEN_CORPUS" --n 5000 --seed 1 --out "$SRC"
    Q_TERM=election
    Q_PHRASE='"climate change"'
    Q_NOT='vaccine NOT virus'
    Q_PREFIX='champion*'
    Q_OUTLET='sanctions outlet:cnn.com'
    Q_DATE='election date:2016-01-01..2016-12-31'
fi
[ -n "$META" ] && [ ! -f "$META" ] && META=

echo "newsdb demo: corpus $NAME, temporary archive $DB"

show init -d "$DB" --stemmer english
if [ -n "$META" ]; then
    show add -d "$DB" --meta "$META" "$SRC"
else
    show add -d "$DB" "$SRC"
fi
show stats -d "$DB"

echo
echo "# a term"
show search -d "$DB" --limit 3 "$Q_TERM"
echo
echo "# a phrase"
show search -d "$DB" --limit 3 "$Q_PHRASE"
echo
echo "# boolean with NOT"
show search -d "$DB" --limit 3 --no-snippets "$Q_NOT"
echo
echo "# a prefix, just the count"
show search -d "$DB" --count "$Q_PREFIX"
echo
echo "# an outlet filter"
show search -d "$DB" --limit 3 "$Q_OUTLET"
echo
echo "# a date range, newest first"
show search -d "$DB" --limit 3 --sort date --no-snippets "$Q_DATE"

ID=$("$NEWSDB" search -d "$DB" --json --limit 1 --no-snippets "$Q_TERM" |
     sed -n 's/^{"rank":1,"id":\([0-9]*\).*/\1/p' | head -n 1)
if [ -n "$ID" ]; then
    echo
    echo "# the best hit for $Q_TERM, as JSON (first 600 bytes)"
    printf '\n$ newsdb get -d %s --format json %s | head -c 600\n' "$DB" "$ID"
    "$NEWSDB" get -d "$DB" --format json "$ID" | head -c 600
    echo
    show get -d "$DB" --versions "$ID"
fi

echo
show check -d "$DB"
echo
echo "demo: done"
