#!/bin/sh
# Serve the bundled sample site on a loopback port, crawl it into a database
# and print what the database holds. Usage:
#   tools/demo.sh CRAWLDB FIXTURE_SERVE SITE_DIR DB [--quiet]
# CRAWL_OPTS in the environment adds options to the crawl.
set -eu
crawldb=$1 serve=$2 site=$3 db=$4 quiet=${5:-}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM

"$serve" --root "$site" --port-file "$tmp/port" > "$tmp/url" &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "demo: the sample-site server did not start" >&2
        exit 1
    fi
    sleep 0.05
done
url="http://127.0.0.1:$(cat "$tmp/port")/"
rm -f "$db" "$db-wal" "$db-shm"
[ -n "$quiet" ] || echo "Serving the sample site at $url; crawling it into $db ..."
# The sample site has an endless calendar (a spider trap): --max-depth cuts
# it. Exit status 4 means some fetches failed, which the site provokes on
# purpose (404, 500, a reset connection).
rc=0
# shellcheck disable=SC2086
"$crawldb" crawl -d "$db" --max-depth 8 ${quiet:+-q} ${CRAWL_OPTS:-} "$url" || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
    echo "demo: crawl failed with exit status $rc" >&2
    exit "$rc"
fi
[ -n "$quiet" ] && exit 0
echo
"$crawldb" stats -d "$db"
cat <<MSG

Try these in sqlite3 $db (or open $db in DB Browser for SQLite):

  -- pages by how many links point at them
  SELECT p.url, count(*) AS inlinks FROM links l JOIN pages p ON p.id = l.to_page_id
  GROUP BY p.id ORDER BY inlinks DESC LIMIT 10;

  -- full-text search over titles and text
  SELECT p.url, t.title FROM doc_text t
  JOIN fetches f ON f.document_id = t.rowid JOIN pages p ON p.id = f.page_id
  WHERE doc_text MATCH 'sourdough' GROUP BY p.id;

  -- what went wrong
  SELECT * FROM v_errors;
MSG
