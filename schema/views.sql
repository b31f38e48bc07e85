-- Views for people: ids joined back to URLs. Recreated on every open.
DROP VIEW IF EXISTS v_pages;
DROP VIEW IF EXISTS v_links;
DROP VIEW IF EXISTS v_errors;
DROP VIEW IF EXISTS v_fetches;
DROP VIEW IF EXISTS v_changes;

-- Each page with its latest fetch.
CREATE VIEW v_pages AS
SELECT p.id, p.url, h.name AS host, p.depth, p.state, p.reason,
       f.status, f.content_type, f.length, f.fetched_at,
       (SELECT title FROM doc_text WHERE rowid = f.document_id) AS title
FROM pages p
JOIN hosts h ON h.id = p.host_id
LEFT JOIN fetches f ON f.id = (SELECT max(id) FROM fetches WHERE page_id = p.id);

CREATE VIEW v_links AS
SELECT l.id, pf.url AS from_url, pt.url AS to_url, l.kind, l.anchor,
       l.nofollow, pt.state AS to_state, l.gone_crawl_id
FROM links l
JOIN pages pf ON pf.id = l.from_page_id
JOIN pages pt ON pt.id = l.to_page_id;

CREATE VIEW v_fetches AS
SELECT f.id, f.crawl_id, p.url, f.fetched_at, f.duration_ms, f.status,
       f.content_type, f.length, f.truncated, r.url AS redirect_url, f.error,
       d.sha256
FROM fetches f
JOIN pages p ON p.id = f.page_id
LEFT JOIN pages r ON r.id = f.redirect_page_id
LEFT JOIN documents d ON d.id = f.document_id;

-- Failed fetches, cut bodies and failed pages.
CREATE VIEW v_errors AS
SELECT p.url, f.status, coalesce(f.error, p.reason) AS error, f.fetched_at,
       f.crawl_id
FROM fetches f JOIN pages p ON p.id = f.page_id
WHERE f.status IS NULL OR f.status >= 400 OR f.error IS NOT NULL
   OR f.truncated = 1;

-- Pages whose content changed from one crawl to a later one: each pair of
-- successive successful fetches of a page, in different runs, with
-- different documents.
CREATE VIEW v_changes AS
SELECT p.url, a.crawl_id AS old_crawl_id, b.crawl_id AS new_crawl_id,
       da.sha256 AS old_sha256, db.sha256 AS new_sha256,
       a.fetched_at AS old_fetched_at, b.fetched_at AS new_fetched_at
FROM fetches b
JOIN fetches a ON a.id = (SELECT max(id) FROM fetches x
                          WHERE x.page_id = b.page_id AND x.id < b.id
                            AND x.document_id IS NOT NULL
                            AND x.status BETWEEN 200 AND 299)
JOIN pages p ON p.id = b.page_id
JOIN documents da ON da.id = a.document_id
JOIN documents db ON db.id = b.document_id
WHERE b.status BETWEEN 200 AND 299 AND b.crawl_id <> a.crawl_id
  AND a.document_id <> b.document_id;
