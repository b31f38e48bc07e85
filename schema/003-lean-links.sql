-- crawldb schema, version 3: one index fewer on links; refused links counted.

-- links_from (from_page_id, seen_crawl_id) duplicated the leading column of
-- the UNIQUE (from_page_id, to_page_id, kind) index, which serves every
-- lookup of a page's links as well; keeping both cost about a sixth of the
-- time of every link insert.
DROP INDEX IF EXISTS links_from;

-- References on the page that were not followed: not http(s) (mailto:,
-- javascript:, ...), not resolvable, longer than 8 KiB, or past 100,000 on
-- one page. They get no page row; this says they were there.
ALTER TABLE fetches ADD COLUMN links_refused INTEGER NOT NULL DEFAULT 0;
