#!/bin/sh
# Install the Debian packages crawldb needs to build, test and demo, with
# apt-get, and only those that are missing. Needs root (or sudo) only when
# something is missing.
set -eu
pkgs="gcc make pkg-config libcurl4-openssl-dev libsqlite3-dev libxml2-dev
zlib1g-dev libssl-dev libmicrohttpd-dev libcmocka-dev sqlite3 ca-certificates"
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
