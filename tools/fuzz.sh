#!/bin/sh
# Build and run the libFuzzer targets in tests/fuzz/ (see STYLE.md 9).
#
#   sh tools/fuzz.sh build           build build-fuzz/fuzz_<name> only
#   sh tools/fuzz.sh run [SECONDS]   build, re-run tests/fuzz/regress/<name>/*,
#                                    then fuzz each target SECONDS (60) seconds
#
# The parsers and what they use are compiled with clang and
# -fsanitize=fuzzer-no-link,address,undefined, -std=c11 and the project's
# warning flags (WARN, passed in by the Makefile) with -Werror. Each target
# fuzzes a copy of its seed corpus in build-fuzz/corpus/<name>/, which keeps
# what earlier runs found; tests/fuzz/corpus/ is never written. Crashing
# inputs go to build-fuzz/artifacts/<name>/, logs to build-fuzz/log/<name>.log.
# Exits non-zero if a regression input or a fuzzing run fails.
#
# Installs clang and the libFuzzer runtime with apt-get when missing; this is
# kept out of tools/deps.sh because only fuzzing needs them.
set -eu

B=${FUZZ_B:-build-fuzz}
CLANG=${CLANG:-clang}
TARGETS=${FUZZ_TARGETS:-"url extract robots sitemap"}
PKGS="libcurl libxml-2.0 zlib libcrypto"
WARN=${WARN:-"-Wall -Wextra -Werror -Wformat=2 -Wshadow -Wundef \
-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wvla"}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all \
-fno-omit-frame-pointer"
# Only the parsers and the modules they call: fuzzing does not depend on the
# rest of the crawler building.
SRC="url extract robots sitemap buf cdb util"

deps() {
    missing=""
    for p in clang libclang-rt-14-dev pkg-config libcurl4-openssl-dev \
        libxml2-dev zlib1g-dev libssl-dev; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'ok installed'; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "fuzz: installing$missing" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends $missing >&2
}

build() {
    deps
    # shellcheck disable=SC2046
    set -- -std=c11 -O1 -g $WARN $SAN -D_POSIX_C_SOURCE=200809L -Icrawler \
        $(pkg-config --cflags $PKGS)
    libs=$(pkg-config --libs $PKGS)
    mkdir -p "$B/obj"
    objs=""
    for m in $SRC; do
        o="$B/obj/$m.o"
        if [ ! -f "$o" ] || [ -n "$(find crawler -name '*.[ch]' -newer "$o")" ]
        then
            echo "  CC $o"
            "$CLANG" "$@" -fsanitize=fuzzer-no-link -c -o "$o" "crawler/$m.c"
        fi
        objs="$objs $o"
    done
    for t in $TARGETS; do
        bin="$B/fuzz_$t"
        if [ ! -f "$bin" ] ||
            [ -n "$(find crawler tests/fuzz -name '*.[ch]' -newer "$bin")" ]
        then
            echo "  LD $bin"
            # shellcheck disable=SC2086
            "$CLANG" "$@" -fsanitize=fuzzer -o "$bin" "tests/fuzz/fuzz_$t.c" \
                $objs $libs
        fi
    done
}

# Re-run every saved crash of each target; libFuzzer runs the files given.
regress() {
    fail=0
    for t in $TARGETS; do
        dir=tests/fuzz/regress/$t
        [ -d "$dir" ] || continue
        set -- "$dir"/*
        [ -e "$1" ] || continue
        if "$B/fuzz_$t" -runs=1 "$@" >"$B/log/regress-$t.log" 2>&1; then
            echo "fuzz_$t: $# regression input(s) pass"
        else
            echo "fuzz_$t: regression input FAILED, see $B/log/regress-$t.log"
            tail -30 "$B/log/regress-$t.log"
            fail=1
        fi
    done
    return $fail
}

run() {
    secs=$1
    fail=0
    mkdir -p "$B/log" "$B/corpus"
    regress || fail=1
    for t in $TARGETS; do
        corpus=$B/corpus/$t
        mkdir -p "$corpus" "$B/artifacts/$t"
        cp tests/fuzz/corpus/"$t"/* "$corpus"/
        dict=""
        [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
        echo "fuzz_$t: fuzzing for ${secs}s"
        # shellcheck disable=SC2086
        if "$B/fuzz_$t" -max_total_time="$secs" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 $dict \
            -artifact_prefix="$B/artifacts/$t/" "$corpus" \
            >"$B/log/$t.log" 2>&1; then
            status=ok
        else
            status=FAILED
            fail=1
        fi
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
            "$B/log/$t.log")
        cov=$(grep -E '^#[0-9]+' "$B/log/$t.log" | tail -1 |
            sed -n 's/.*cov: \([0-9]*\).*ft: \([0-9]*\).*corp: \([^ ]*\).*/cov \1 ft \2 corp \3/p')
        echo "fuzz_$t: $status, ${execs:-?} execs, ${cov:-no stats}"
        if [ $status = FAILED ]; then
            grep -E 'ERROR|SUMMARY|invariant|Test unit written' \
                "$B/log/$t.log" | head -20
        fi
    done
    return $fail
}

case "${1:-run}" in
build)
    build
    ;;
run)
    build
    run "${2:-60}"
    ;;
*)
    echo "usage: $0 build | run [SECONDS]" >&2
    exit 2
    ;;
esac
