#!/bin/sh
# Install the Debian 12 packages newsdb needs, only when something is missing.
#   tools/deps.sh build   libraries and compiler for `make`
#   tools/deps.sh test    also Criterion, clang (sanitizers, libFuzzer), valgrind
set -e
BUILD_PKGS="build-essential pkg-config libstemmer-dev libutf8proc-dev libzstd-dev libxxhash-dev
libstreamvbyte-dev libjansson-dev libpsl-dev libarchive-dev libmicrohttpd-dev"
BUILD_PKGS="$BUILD_PKGS zlib1g-dev"
BUILD_PKGS="$BUILD_PKGS libcld2-dev"
BUILD_PKGS="$BUILD_PKGS libcurl4-openssl-dev libxml2-dev"
BUILD_PKGS="$BUILD_PKGS libbrotli-dev"
TEST_PKGS="libcriterion-dev clang llvm libclang-rt-14-dev valgrind zstd chromium"
TEST_PKGS="$TEST_PKGS libmicrohttpd-dev wget"
want="$BUILD_PKGS"
[ "$1" = test ] && want="$want $TEST_PKGS"
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "newsdb: missing Debian packages:$missing (run as root, or apt-get install them)" >&2
    exit 1
fi
echo "newsdb: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
