# newsdb — build, test, demo. See README.md for the two commands that matter:
#   make demo    set up (apt-get), build, ingest a sample corpus, search it
#   make check   set up test deps, build, run every test suite (prints "N passed, N failed")
#
# Layout: src/<module>/*.c -> $(BUILD)/libnewsdb.a; src/cli -> bin/newsdb;
#         tests/<module>/test_*.c -> one Criterion binary each, linked with tests/common.

CC       ?= cc
BUILD    ?= build
BIN      ?= bin
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wconversion -Wno-sign-conversion \
            -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE -DNDB_BUILDING_LIBRARY
CFLAGS   += -std=c11 $(OPT) $(WARN) -fvisibility=hidden -pthread $(EXTRA_CFLAGS)
# Link-time optimization for the shipped programs (bin/newsdb, bin/newsdb_bench): with gcc,
# objects carry both machine code and GIMPLE (fat), so tests and tools link as before and
# the two programs are optimized across files (buffer appends, hashes and the token path
# inlined across modules: about -7 % CPU on `newsdb add`, BENCHMARKS.md). Off for clang
# (sanitizer and fuzz builds) and with LTO= (empty).
LTO      ?= $(if $(findstring clang,$(CC)),,-flto=auto -ffat-lto-objects)
LTO_LINK := $(if $(LTO),-flto=auto)
LIBS     := -lstemmer -lutf8proc -lzstd -lxxhash -lstreamvbyte -ljansson -lpsl -larchive \
            -lpthread -lm
LIBS     += -lz
LIBS     += -lcld2 -lstdc++
LIBS     += $(shell pkg-config --libs libcurl libxml-2.0)
LIBS     += $(shell pkg-config --libs libbrotlidec)
CPPFLAGS += $(shell pkg-config --cflags libxml-2.0)
TEST_LIBS := -lcriterion
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
TEST_LIBS += -lmicrohttpd
TEST_LIBS += -lbrotlienc

LIB_SRC  := $(sort $(filter-out src/cli/% src/server/%,$(wildcard src/*/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# The one C++ file: the CLD2 shim src/text/lang_cld2.cc (CLD2's API is C++ only). It is
# compiled by the C++ driver of the same compiler family, with the same OPT (sanitizers).
LIB_CXX_SRC := $(sort $(wildcard src/*/*.cc))
LIB_OBJ  += $(LIB_CXX_SRC:%.cc=$(BUILD)/%.o)
CXX_NDB  := $(if $(findstring clang,$(CC)),clang++,g++)
CXXFLAGS_NDB := -std=c++11 $(OPT) -Wall -Wextra -Werror -fvisibility=hidden -fno-sanitize=vptr \
            $(EXTRA_CFLAGS)
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
# `newsdb serve` (src/server, libmicrohttpd) is linked into bin/newsdb only, with the web UI's
# built files (web/dist, from `make web`) embedded as a generated C table.
SRV_SRC  := $(sort $(wildcard src/server/*.c))
SRV_OBJ  := $(SRV_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/web_assets.o
TCOMMON_SRC := $(sort $(wildcard tests/common/*.c))
TCOMMON_OBJ := $(TCOMMON_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
TEST_BIN := $(TEST_SRC:%.c=$(BUILD)/%)
TOOL_SRC := $(sort $(wildcard tools/*.c))
TOOL_BIN := $(TOOL_SRC:tools/%.c=$(BIN)/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

.SECONDARY:
.PHONY: print-libs all lib check test deps deps-test demo asan fuzz clean lint fmt valgrind bench bench-1m \
        bench-ingest bench-extract \
        web FORCE

all: lib $(BIN)/newsdb $(TOOL_BIN) $(BIN)/search_example

lib: $(BUILD)/libnewsdb.a

$(BUILD)/libnewsdb.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTO) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX_NDB) $(CPPFLAGS) $(CXXFLAGS_NDB) -MMD -MP -c $< -o $@

$(BIN)/newsdb: $(CLI_OBJ) $(SRV_OBJ) $(BUILD)/libnewsdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LTO_LINK) -o $@ $(CLI_OBJ) $(SRV_OBJ) $(BUILD)/libnewsdb.a $(LIBS) $(MHD_LIBS)

$(BUILD)/gen/web_assets.c: FORCE
	@sh tools/embed_web.sh web/dist $@

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The web UI (web/: Vite + TypeScript): needs node and npm; `make all` works without it.
web:
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build

$(BIN)/search_example: examples/search_example.c $(BUILD)/libnewsdb.a
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) -o $@ $< $(BUILD)/libnewsdb.a $(LIBS)

$(BIN)/%: tools/%.c $(BUILD)/libnewsdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libnewsdb.a $(LIBS)

$(BUILD)/tests/%: tests/%.c $(TCOMMON_OBJ) $(BUILD)/libnewsdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -Wno-missing-prototypes -Wno-unknown-warning-option -Wno-format-truncation -o $@ $< $(TCOMMON_OBJ) \
	    $(BUILD)/libnewsdb.a $(LIBS) $(TEST_LIBS)

$(BUILD)/tests/common/%.o: tests/common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -MMD -MP -c $< -o $@

# Installs what building needs (Debian 12, as root). Quiet no-op when all is present.
deps:
	@sh tools/deps.sh build

deps-test:
	@sh tools/deps.sh test

test: all $(TEST_BIN)
	@NEWSDB_BIN=$(abspath $(BIN)/newsdb) sh tools/run_tests.sh $(TEST_BIN)

check: deps-test
	@$(MAKE) --no-print-directory web
	@NEWSDB_BROWSER_TESTS=1 $(MAKE) --no-print-directory test

asan:
	@NEWSDB_QUICK=1 $(MAKE) --no-print-directory test CC=clang BUILD=build-asan BIN=build-asan/bin \
	    OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

valgrind: all $(TEST_BIN)
	@NEWSDB_VALGRIND=1 NEWSDB_BIN=$(abspath $(BIN)/newsdb) sh tools/run_tests.sh $(TEST_BIN)

# Side-by-side benchmark (bench/run.sh, BENCHMARKS.md): newsdb + SQLite FTS5 + Lucene 4.10 +
# Xapian in one run of ../shared/bench on 200k (bench) or 1M (bench-1m) synthetic articles.
# Never part of check. Work dir: BENCH_W (default /tmp/newsdb-bench).
$(BIN)/newsdb_bench: bench/newsdb_bench.c $(BUILD)/libnewsdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LTO_LINK) -o $@ $< $(BUILD)/libnewsdb.a $(LIBS)

bench: $(BIN)/newsdb_bench
	@sh bench/run.sh 200000 $(BIN)/newsdb_bench

bench-1m: $(BIN)/newsdb_bench
	@sh bench/run.sh 1000000 $(BIN)/newsdb_bench

# The ingest row: `newsdb add` of a synthetic and a real-corpus tar, ROUNDS runs each (best
# and median MB/s); BINS="old/newsdb new/newsdb" interleaves builds (bench/ingest.sh).
BINS ?= $(BIN)/newsdb
bench-ingest: all
	@sh bench/ingest.sh $(BINS)

# HTML article extraction quality and speed on the Article Extraction Benchmark (181 pages in
# ../shared/corpora/aeb.tar.gz), next to readability-lxml (Debian python3-readability) in the
# same run. Never part of check. Scoring: src/doc/html_score.c (the benchmark's evaluate.py).
AEB ?= ../shared/corpora/aeb.tar.gz
$(BIN)/extract_bench: bench/extract_bench.c bench/aeb.h $(BUILD)/libnewsdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libnewsdb.a $(LIBS)

bench-extract: $(BIN)/extract_bench
	@test -f $(AEB) || { echo "bench-extract: $(AEB) not found"; exit 1; }
	@/usr/bin/python3 bench/readability_aeb.py $(AEB) $(BUILD)/aeb-readability.json
	@$(BIN)/extract_bench $(AEB) --out $(BUILD)/aeb-newsdb.json \
	    --other readability-lxml=$(BUILD)/aeb-readability.json

FUZZ_TIME ?= 30
fuzz:
	@sh tools/fuzz.sh $(FUZZ_TIME)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh

lint:
	@sh tools/lint.sh

print-libs:
	@echo $(LIBS)

clean:
	rm -rf build build-asan build-fuzz bin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SRV_OBJ:.o=.d) $(TCOMMON_OBJ:.o=.d)
