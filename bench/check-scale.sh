#!/bin/sh
# Scale check: generate a site of N pages, serve it with nginx on loopback,
# crawl it, and compare the database with what the generator says a correct
# crawl records: every reachable page fetched exactly once (nginx's access
# log), exactly the links the pages contain, and `crawldb stats --json`
# agreeing with SQL counts. Usage: bench/check-scale.sh [N] (default 3000).
set -eu
n=${1:-3000}
top=$(cd "$(dirname "$0")/.." && pwd)
crawldb=$top/crawldb
command -v nginx >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >&2
}
tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx workers run as another user
trap 'kill $(cat "$tmp/nginx.pid" 2>/dev/null) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
origin="http://127.0.0.1:$port"
python3 "$top/bench/gen-site.py" "$tmp/site" "$n" --origin "$origin" --manifest "$tmp/want.tsv"
sed -e "s|@ROOT@|$tmp/site|" -e "s|@PORT@|$port|" -e "s|@TMP@|$tmp|g" \
    -e "s|@ACCESS_LOG@|$tmp/access.log|" "$top/bench/nginx.conf.in" > "$tmp/nginx.conf"
nginx -c "$tmp/nginx.conf" -p "$tmp" &
i=0
until python3 -c "import urllib.request; urllib.request.urlopen('$origin/')" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "nginx did not start" >&2; exit 1; }
    sleep 0.1
done
: > "$tmp/access.log"
rc=0
/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" \
    "$crawldb" crawl -q -d "$tmp/crawl.db" "$origin/" || rc=$?
[ $rc = 0 ] || [ $rc = 4 ] || { echo "crawl failed: $rc" >&2; exit 1; }
db=$tmp/crawl.db
fail=0
check() { # name, got, want
    if [ "$2" = "$3" ]; then echo "ok   $1: $2"; else echo "FAIL $1: got $2, want $3"; fail=1; fi
}
# Links: the database's (from, to, kind) set equals the generator's.
sqlite3 -separator '	' "$db" "SELECT from_url, to_url, kind FROM v_links" | sort > "$tmp/got.tsv"
sort "$tmp/want.tsv" > "$tmp/want.sorted"
check "links equal to the generator's" "$(comm -3 "$tmp/got.tsv" "$tmp/want.sorted" | wc -l | tr -d ' ') differences" "0 differences"
check "link count" "$(wc -l < "$tmp/got.tsv" | tr -d ' ')" "$(wc -l < "$tmp/want.sorted" | tr -d ' ')"
# Pages: every in-scope URL the generator links to was fetched exactly once.
want_pages=$(cut -f2 "$tmp/want.sorted" | grep "^$origin" | sort -u | wc -l)
want_pages=$((want_pages + 0))
check "pages fetched" "$(sqlite3 "$db" "SELECT count(*) FROM pages WHERE state IN ('done','failed')")" "$want_pages"
check "fetches per page" "$(sqlite3 "$db" "SELECT count(*) FROM (SELECT page_id FROM fetches GROUP BY page_id HAVING count(*) > 1)") pages fetched twice" "0 pages fetched twice"
dup_requests=$(awk '{print $7}' "$tmp/access.log" | sort | uniq -d | wc -l)
check "requests per URL at nginx" "$dup_requests repeated" "0 repeated"
# Besides the pages: /robots.txt, and /sitemap.xml, probed since robots.txt
# names no sitemap.
check "requests at nginx" "$(wc -l < "$tmp/access.log" | tr -d ' ')" "$((want_pages + 2))"
check "off-site pages skipped" "$(sqlite3 "$db" "SELECT count(*) FROM pages WHERE state='skipped' AND reason='scope'")" "$(cut -f2 "$tmp/want.sorted" | grep -v "^$origin" | sort -u | wc -l | tr -d ' ')"
# stats agrees with SQL.
"$crawldb" stats --json -d "$db" > "$tmp/stats.json"
for k in pages:"SELECT count(*) FROM pages" links:"SELECT count(*) FROM links" \
         documents:"SELECT count(*) FROM documents" fetches:"SELECT count(*) FROM fetches" \
         done:"SELECT count(*) FROM pages WHERE state='done'" \
         failed:"SELECT count(*) FROM pages WHERE state='failed'"; do
    key=${k%%:*}; sql=${k#*:}
    got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$tmp/stats.json" "$key")
    check "stats $key = SQL" "$got" "$(sqlite3 "$db" "$sql")"
done
check "integrity" "$(sqlite3 "$db" 'PRAGMA integrity_check')" "ok"
check "foreign keys" "$(sqlite3 "$db" 'PRAGMA foreign_key_check' | wc -l | tr -d ' ') violations" "0 violations"
exit $fail
