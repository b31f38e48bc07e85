-- Views for people: ids joined back to URLs. Recreated on every open.
DROP VIEW IF EXISTS v_pages;
DROP VIEW IF EXISTS v_links;
DROP VIEW IF EXISTS v_errors;
DROP VIEW IF EXISTS v_fetches;

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
       l.nofollow, pt.state AS to_state
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
