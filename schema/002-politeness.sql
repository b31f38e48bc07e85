-- crawldb schema, version 2: sitemaps, retries, robots directives, recrawl.

-- 1: the URL is a sitemap named by robots.txt or a sitemap index (parsed as
-- a sitemap); 2: /sitemap.xml probed by default (a 404 is no failure).
ALTER TABLE pages ADD COLUMN sitemap INTEGER NOT NULL DEFAULT 0
    CHECK (sitemap IN (0, 1, 2));
-- <lastmod> of the page in the sitemap that listed it, as written there.
ALTER TABLE pages ADD COLUMN lastmod TEXT;

-- Which try of the page this exchange was (1: the first; retries follow
-- timeouts, resets, 5xx and 429 with exponential back-off).
ALTER TABLE fetches ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
-- Robots directives of the response: X-Robots-Tag and <meta name=robots>.
ALTER TABLE fetches ADD COLUMN noindex INTEGER NOT NULL DEFAULT 0
    CHECK (noindex IN (0, 1));
ALTER TABLE fetches ADD COLUMN nofollow INTEGER NOT NULL DEFAULT 0
    CHECK (nofollow IN (0, 1));
-- The request was conditional (If-None-Match / If-Modified-Since): a 304
-- row points at the document it confirmed.
ALTER TABLE fetches ADD COLUMN conditional INTEGER NOT NULL DEFAULT 0
    CHECK (conditional IN (0, 1));

-- The run that last saw a link on its page, and the run in which the link
-- was found gone from a refetched page (NULL while it is there).
ALTER TABLE links ADD COLUMN seen_crawl_id INTEGER REFERENCES crawls(id);
ALTER TABLE links ADD COLUMN gone_crawl_id INTEGER REFERENCES crawls(id);
CREATE INDEX links_from ON links(from_page_id, seen_crawl_id);
