-- crawldb schema, version 4: the foreign keys of links are checked at commit.

-- A statement that may write several rows and then fail on a constraint
-- needs a statement journal, so that SQLite can undo its rows alone; and
-- each one it opens makes FTS5 write out the terms it holds as a segment
-- of its own. A page's links go in a few multi-row inserts, and every one
-- of them opened that journal because of the immediate foreign keys: 10 %
-- of the crawl thread's time at 10,000 pages (the journal's page copies,
-- and FTS5 flushing at each). Deferred keys are checked at COMMIT instead,
-- so a link to a missing page still fails, and with it the whole batch,
-- which the crawl rolls back. SQLite cannot change a constraint in place:
-- the table is rebuilt, rows and ids kept.
DROP VIEW IF EXISTS v_links;

CREATE TABLE links_v4 (
    id INTEGER PRIMARY KEY,
    from_page_id INTEGER NOT NULL
        REFERENCES pages(id) DEFERRABLE INITIALLY DEFERRED,
    to_page_id INTEGER NOT NULL
        REFERENCES pages(id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL,             -- a, area, link, img, script, iframe, frame, refresh, canonical, media, embed, redirect, sitemap
    anchor TEXT,                    -- anchor text of a and area links
    nofollow INTEGER NOT NULL DEFAULT 0 CHECK (nofollow IN (0, 1)), -- rel=nofollow
    -- the run that last saw the link on its page
    seen_crawl_id INTEGER
        REFERENCES crawls(id) DEFERRABLE INITIALLY DEFERRED,
    -- the run that found the link gone from a refetched page (NULL while
    -- it is there)
    gone_crawl_id INTEGER
        REFERENCES crawls(id) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (from_page_id, to_page_id, kind)
);

INSERT INTO links_v4(id, from_page_id, to_page_id, kind, anchor, nofollow,
                     seen_crawl_id, gone_crawl_id)
SELECT id, from_page_id, to_page_id, kind, anchor, nofollow, seen_crawl_id,
       gone_crawl_id
FROM links ORDER BY id;

-- In legacy mode the rename leaves views alone: one of the user's own that
-- reads links (v_links is made again on open) would otherwise stop it, as
-- links is gone at that moment; it reads the new links after.
DROP TABLE links;
PRAGMA legacy_alter_table = ON;
ALTER TABLE links_v4 RENAME TO links;
PRAGMA legacy_alter_table = OFF;

-- Links by target, for queries; a crawl drops and rebuilds it (store.c).
CREATE INDEX links_to ON links(to_page_id);
