#!/bin/sh
# make bench: install the peers with apt-get where missing, then run
# bench/bench.py with the arguments given (BENCH_ARGS from make).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
need=""
for p in nginx-light wget wget2 wrk httrack python3 python3-scrapy time valgrind sqlite3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
    echo "bench: installing$need" >&2
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    # Scrapy is optional: the table says so when it cannot be had.
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >&2 ||
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            $(echo $need | sed 's/python3-scrapy//') >&2
fi
# shellcheck disable=SC2086
exec python3 "$top/bench/bench.py" "$@"
