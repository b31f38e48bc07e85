-- crawldb schema, version 3: one index fewer on links.

-- links_from (from_page_id, seen_crawl_id) duplicated the leading column of
-- the UNIQUE (from_page_id, to_page_id, kind) index, which serves every
-- lookup of a page's links as well; keeping both cost about a sixth of the
-- time of every link insert.
DROP INDEX IF EXISTS links_from;
