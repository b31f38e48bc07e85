-- crawldb schema, version 1: the crawl as a normalized database.
-- Every entity has an integer primary key and a UNIQUE logical key; foreign
-- keys are declared and enforced (PRAGMA foreign_keys=ON; a crawl, which
-- writes only ids read from the file, does without: see store.c's
-- store_lock_crawl()). Times are ISO 8601 in UTC with milliseconds, e.g.
-- 2026-11-23T10:00:00.000Z.

CREATE TABLE crawls (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,       -- when this run started
    ended_at TEXT,                  -- when it ended; NULL while running or after a crash
    seeds TEXT NOT NULL,            -- the seed URLs given to this run, one a line
    options TEXT NOT NULL,          -- the run's options as a JSON object
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
    fetches INTEGER NOT NULL DEFAULT 0 -- HTTP exchanges recorded by this run
);

CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    scheme TEXT NOT NULL CHECK (scheme IN ('http', 'https')),
    name TEXT NOT NULL,             -- lowercase host name or IP literal
    port INTEGER NOT NULL,          -- effective port (80, 443 or explicit)
    robots_status INTEGER,          -- HTTP status of /robots.txt; 0: unreachable; NULL: not fetched
    robots_txt BLOB,                -- its body as received (bounded)
    robots_fetched_at TEXT,
    UNIQUE (scheme, name, port)
);

CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,       -- canonical absolute URL: the logical key
    host_id INTEGER NOT NULL REFERENCES hosts(id),
    depth INTEGER NOT NULL,         -- links from a seed (0); a redirect keeps the depth
    hops INTEGER NOT NULL DEFAULT 0, -- redirects in a row that led here
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'done', 'failed', 'skipped')),
    reason TEXT,                    -- why failed or skipped: robots, scope, max-depth, http 404, ...
    found_crawl_id INTEGER NOT NULL REFERENCES crawls(id), -- run that discovered it
    found_at TEXT NOT NULL
);
-- The frontier: queued pages in breadth-first order.
CREATE INDEX pages_frontier ON pages(depth, id) WHERE state = 'queued';
CREATE INDEX pages_host ON pages(host_id);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,    -- hex SHA-256 of body: the same bytes are stored once
    size INTEGER NOT NULL,          -- bytes in body
    body BLOB NOT NULL              -- the body as received, transfer encoding removed
);

CREATE TABLE fetches (
    id INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages(id),
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    fetched_at TEXT NOT NULL,       -- when the response ended
    duration_ms INTEGER NOT NULL,   -- request to end of body
    status INTEGER,                 -- HTTP status; NULL when no response came
    content_type TEXT,              -- Content-Type header as sent
    length INTEGER,                 -- body bytes received and stored
    truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)), -- body cut at --max-size
    headers TEXT,                   -- response header block as received
    etag TEXT,
    last_modified TEXT,
    redirect_page_id INTEGER REFERENCES pages(id), -- Location target, for 3xx
    error TEXT,                     -- transfer error or why the body is incomplete
    document_id INTEGER REFERENCES documents(id)
);
CREATE INDEX fetches_page ON fetches(page_id);
CREATE INDEX fetches_crawl ON fetches(crawl_id);
CREATE INDEX fetches_document ON fetches(document_id);

CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    from_page_id INTEGER NOT NULL REFERENCES pages(id),
    to_page_id INTEGER NOT NULL REFERENCES pages(id),
    kind TEXT NOT NULL,             -- a, area, link, img, script, iframe, frame, refresh, canonical, media, embed, redirect, sitemap
    anchor TEXT,                    -- anchor text of a and area links
    nofollow INTEGER NOT NULL DEFAULT 0 CHECK (nofollow IN (0, 1)), -- rel=nofollow
    UNIQUE (from_page_id, to_page_id, kind)
);
CREATE INDEX links_to ON links(to_page_id);

-- Title and visible text of HTML documents; rowid is documents.id.
CREATE VIRTUAL TABLE doc_text USING fts5(title, text);
