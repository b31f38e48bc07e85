# crawldb — build, test, demo. See README.md.
# `make demo` and `make test` install missing Debian packages first (make deps).

PREFIX  ?= /usr/local
DESTDIR ?=
B       ?= build
PKGS     = libcurl sqlite3 libxml-2.0 zlib libmicrohttpd libcrypto
CC      ?= cc

# Deferred (=) so that a `make deps` run before them can install pkg-config.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)

WARN     = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wundef -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wvla
OPT     ?= -O2 -g -D_FORTIFY_SOURCE=2
CFLAGS  ?=
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(CFLAGS)
ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -Icrawler -I$(B) -Itests/fixture $(PKG_CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS = $(LDFLAGS)
LIBS     = $(PKG_LIBS) -lm -pthread

LIB_SRC  = $(filter-out crawler/main.c,$(wildcard crawler/*.c))
LIB_OBJ  = $(LIB_SRC:crawler/%.c=$(B)/obj/%.o) $(B)/obj/schema_sql.o
HDRS     = $(wildcard crawler/*.h tests/integ/*.h) tests/fixture/fixture.h
SQL      = $(sort $(wildcard schema/*.sql))
FIX_OBJ  = $(B)/obj/fixture.o
UNIT     = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
INTEG    = $(patsubst tests/integ/%.c,$(B)/tests/%,$(wildcard tests/integ/test_*.c))
TESTS    = $(UNIT) $(INTEG)
BIN      = $(if $(filter build,$(B)),crawldb,$(B)/crawldb)

.PHONY: all test asan demo example install clean deps lint check-deps conformance bench
.DELETE_ON_ERROR:

all: $(BIN) $(B)/fixture-serve

$(B)/schema_sql.c: $(SQL) tools/embed-sql.sh
	@mkdir -p $(B)
	sh tools/embed-sql.sh $(SQL) > $@

$(B)/obj/%.o: crawler/%.c $(HDRS) | $(B)/schema_sql.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/schema_sql.o: $(B)/schema_sql.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/fixture.o: tests/fixture/fixture.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libcrawldb.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(B)/obj/main.o $(B)/libcrawldb.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/fixture-serve: tests/fixture/serve.c $(FIX_OBJ) $(B)/libcrawldb.a $(HDRS)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(FIX_OBJ) $(B)/libcrawldb.a $(LIBS)

$(B)/tests/test_%: tests/unit/test_%.c $(FIX_OBJ) $(B)/libcrawldb.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(FIX_OBJ) $(B)/libcrawldb.a $(LIBS) $(CMOCKA_LIBS)

$(B)/tests/test_%: tests/integ/test_%.c $(FIX_OBJ) $(B)/libcrawldb.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(FIX_OBJ) $(B)/libcrawldb.a $(LIBS) $(CMOCKA_LIBS)

# Every test binary runs even when one fails; the run fails if any did.
test: check-deps
	@$(MAKE) --no-print-directory run-tests

.PHONY: run-tests
run-tests: $(BIN) $(B)/fixture-serve $(TESTS)
	@fail=0; for t in $(TESTS); do \
	  echo "== $$t"; \
	  CRAWLDB_BIN=$(BIN) CRAWLDB_SITE=tests/site $$t || fail=1; \
	done; \
	if [ $$fail = 0 ]; then echo "all test binaries passed"; else echo "some tests FAILED"; fi; \
	exit $$fail

asan: check-deps
	@$(MAKE) --no-print-directory B=build-asan \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" \
	  run-tests ASAN_OPTIONS=detect_leaks=1

# Install what is missing, then build with the packages in place.
check-deps:
	@sh tools/deps.sh

deps:
	@sh tools/deps.sh

demo: check-deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh ./crawldb $(B)/fixture-serve tests/site crawl.db

# The example is kept small in 4 KiB pages; FTS5's leaves go back to its
# own 4,050 bytes for them (schema 6 sets 8,000 for 16 KiB pages only),
# and 'rebuild' writes the index again in them.
example: check-deps
	@$(MAKE) --no-print-directory all
	@rm -f crawl.db.example
	@CRAWL_OPTS="--max-size 64K" sh tools/demo.sh ./crawldb $(B)/fixture-serve tests/site crawl.db.example --quiet
	@sqlite3 crawl.db.example "INSERT INTO doc_text(doc_text, rank) VALUES ('pgsz', 4050);" \
	    "INSERT INTO doc_text(doc_text) VALUES ('rebuild');" \
	    'PRAGMA journal_mode=DELETE; PRAGMA page_size=4096; VACUUM;' >/dev/null
	@ls -l crawl.db.example

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/crawldb

# The benchmark against wget, wget2, HTTrack and Scrapy (see bench/bench.py):
# make bench BENCH_ARGS="--sizes 2000 --runs 5", or --big for 100,000 pages.
BENCH_ARGS ?=
bench: check-deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(BENCH_ARGS)

# Pass rates against the public suites in ../shared/conformance (if there).
CONFORMANCE ?= ../shared/conformance
conformance: $(BIN)
	@if [ ! -d $(CONFORMANCE) ]; then echo "no $(CONFORMANCE): skipped"; exit 0; fi; \
	echo "== WHATWG URL tests (http and https cases)"; \
	python3 tools/conformance-url.py --crawldb ./$(BIN) $(CONFORMANCE)/url/http_cases.jsonl; \
	echo "== RFC 9309 robots.txt cases"; \
	python3 tools/conformance-robots.py ./$(BIN) $(CONFORMANCE)/robots/cases.jsonl | tail -3

lint:
	clang-format --dry-run --Werror crawler/*.c crawler/*.h tests/*/*.c tests/*/*.h
	@! grep -nE '(^|[^_a-zA-Z0-9])(gets|strcpy|strcat|sprintf|vsprintf|strncpy|strtok|atoi|atol) *\(' crawler/*.c tests/*/*.c

clean:
	rm -rf build build-asan crawldb

# --- fuzz: libFuzzer targets in tests/fuzz/ (clang, ASan+UBSan) -----------
# `make fuzz FUZZ_SECONDS=N` re-runs tests/fuzz/regress/ and fuzzes each
# target N seconds in build-fuzz/; `make fuzz-build` only builds.
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-build
fuzz:
	@WARN="$(WARN)" sh tools/fuzz.sh run $(FUZZ_SECONDS)
fuzz-build:
	@WARN="$(WARN)" sh tools/fuzz.sh build
# --- end fuzz ---------------------------------------------------------------
