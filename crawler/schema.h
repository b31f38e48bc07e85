/* The SQL of the files in schema/, compiled in by tools/embed-sql.sh. */
#ifndef CRAWLDB_SCHEMA_H
#define CRAWLDB_SCHEMA_H

extern const char schema_001_init[];
extern const char schema_002_politeness[];
extern const char schema_003_lean_links[];
extern const char schema_004_deferred_links[];
extern const char schema_005_plain_checks[];
extern const char schema_006_fts_merge[];
extern const char schema_views[];

#endif
