-- crawldb schema, version 6: the full-text index merges its segments eight
-- at a time and, in a file of 16 KiB pages, writes leaves of 8,000 bytes.

-- FTS5 writes the terms of each batch as a new segment of doc_text's index
-- and merges segments a little at each later write: by default once four
-- share a level (automerge=4), into leaves of about 4,000 bytes
-- (pgsz=4050, one to a 4 KiB page). Merging eight at a time copies each
-- posting fewer times on its way up the levels, and leaves of 8,000 bytes
-- (two to a 16 KiB page, the size crawldb gives new files) halve the rows
-- FTS5 writes and reads back to merge. In a file of smaller pages (made
-- before crawldb chose 16 KiB) such a leaf would spill into an overflow
-- page, so there the leaves stay as they were.
-- Measured with callgrind on the benchmark's 2,000-page site (4,202
-- fetches): the commits took 2,685 M instructions instead of 2,820 M
-- (4.8 % fewer, about 1.3 % of the whole crawl's), and the index has
-- 4,206 rows instead of 8,137 at 10,000 pages, the same bytes. (automerge
-- alone: 2,694 M; pgsz alone: 2,754 M. No automerge at all took 2,659 M
-- but would merge whole levels inside single commits, crisismerge's way,
-- and grow the WAL by as much: not taken.)
-- A query may read up to twice as many segments of each level. Both are
-- FTS5's own settings, kept in doc_text_config, so any SQLite that writes
-- the table follows them; FTS5 still merges sixteen segments of a level at
-- once (crisismerge) if writes outrun the merging.
INSERT INTO doc_text(doc_text, rank) VALUES ('automerge', 8);
INSERT INTO doc_text(doc_text, rank)
SELECT 'pgsz', 8000 FROM pragma_page_size WHERE page_size >= 16384;
