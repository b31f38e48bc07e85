#!/bin/sh
# Compile and link one test program from the named sources with the project's
# flags, without building the whole library: for work on one module at a
# time. Usage: tools/cc-one.sh OUT SOURCE... (add ASAN=1 for sanitizers).
set -eu
out=$1; shift
opt="-O2 -g"
[ "${ASAN:-0}" = 1 ] && opt="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# shellcheck disable=SC2046
exec cc -std=c11 $opt -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wundef \
    -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wvla \
    -D_POSIX_C_SOURCE=200809L -Icrawler -Ibuild -Itests/fixture \
    $(pkg-config --cflags libcurl sqlite3 libxml-2.0 zlib libmicrohttpd cmocka) \
    -o "$out" "$@" \
    $(pkg-config --libs libcurl sqlite3 libxml-2.0 zlib libmicrohttpd cmocka) -lm
