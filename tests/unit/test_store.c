/* Unit tests for store.c on real SQLite files in a temporary directory: the
 * schema and its guards, each write and read of the interface, batches, and
 * the soundness of the file afterwards. Results are checked with SQL on a
 * second connection, never through the code under test alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cdb.h"
#include "schema.h"
#include "store.h"

#define CDB_STR_(x) #x
#define CDB_STR(x)  CDB_STR_(x)
#include "util.h"

#define HELLO_SHA                                                              \
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define EMPTY_SHA                                                              \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Text that must be stored as it is, never read as SQL. */
static const char NASTY[] = "'); DROP TABLE pages;-- \"q\" it's %s ?1 :a";

struct env {
    char dir[64];
    char path[96];
    struct store *st;
    int64_t host; /* http://a.example:80 */
};

static void env_path(const struct env *e, char *out, size_t n,
                     const char *suffix)
{
    snprintf(out, n, "%s%s", e->path, suffix);
}

static int setup(void **state)
{
    struct env *e = xcalloc(1, sizeof *e);
    struct cdb_err err = { 0 };

    snprintf(e->dir, sizeof e->dir, "/tmp/test_store_XXXXXX");
    if (!mkdtemp(e->dir)) {
        free(e);
        return -1;
    }
    snprintf(e->path, sizeof e->path, "%s/crawl.db", e->dir);
    if (store_open(e->path, &e->st, &err) != CDB_OK ||
        store_crawl_start(e->st, "http://a.example/", "{}", &err) != CDB_OK ||
        store_host_id(e->st, "http", "a.example", 80, &e->host, &err) !=
            CDB_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        store_close(e->st);
        free(e);
        return -1;
    }
    *state = e;
    return 0;
}

/* Open a second connection on the file, for checks and for making files
 * of other kinds. */
static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     NULL),
                     SQLITE_OK);
    return db;
}

/* The single integer result of sql; fails the test on anything else. */
static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int64_t v;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("cannot prepare '%s': %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static int64_t path_int(const char *path, const char *sql)
{
    sqlite3 *db = raw_open(path);
    int64_t v = raw_int(db, sql);

    sqlite3_close(db);
    return v;
}

static int64_t db_int(const struct env *e, const char *sql)
{
    return path_int(e->path, sql);
}

/* The text result of sql (first row, first column) into out, "<NULL>" for
 * NULL. */
static void db_text(const struct env *e, const char *sql, char *out, size_t n)
{
    sqlite3 *db = raw_open(e->path);
    sqlite3_stmt *q = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("cannot prepare '%s': %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(out, n, "%s",
             sqlite3_column_type(q, 0) == SQLITE_NULL
                 ? "<NULL>"
                 : (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void db_exec(const char *path, const char *sql)
{
    sqlite3 *db = raw_open(path);

    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* integrity_check says ok and foreign_key_check finds nothing. */
static void check_sound(const char *path)
{
    sqlite3 *db = raw_open(path);
    sqlite3_stmt *q = NULL;

    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void remove_files(const struct env *e)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char p[128];

    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        env_path(e, p, sizeof p, suffixes[i]);
        unlink(p);
    }
    rmdir(e->dir);
}

/* Every test leaves a sound file behind: checked here, after the close. */
static int teardown(void **state)
{
    struct env *e = *state;

    store_close(e->st);
    e->st = NULL;
    check_sound(e->path);
    remove_files(e);
    free(e);
    return 0;
}

static int64_t add_page(struct env *e, const char *url, int depth)
{
    struct page_new p = { .url = url, .host_id = e->host, .depth = depth };
    struct cdb_err err = { 0 };
    int64_t id = 0;
    bool added = false;

    assert_int_equal(store_page_add(e->st, &p, &id, &added, &err), CDB_OK);
    assert_true(added);
    assert_true(id > 0);
    return id;
}

/* The number of OpenEphemeral steps in sql's program. */
static int ephemerals(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    char explain[512];
    int n = 0;

    snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &q, NULL), SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW)
        n += strcmp((const char *)sqlite3_column_text(q, 1), "OpenEphemeral") ==
             0;
    sqlite3_finalize(q);
    return n;
}

/* Schema 6: FTS5 merges eight segments at a time, and into 8,000-byte
 * leaves where the file's pages hold two (FTS5's own 4,050 otherwise). */
static void assert_fts_settings(sqlite3 *db)
{
    assert_int_equal(raw_int(db, "SELECT v FROM doc_text_config"
                                 " WHERE k = 'automerge'"),
                     8);
    if (raw_int(db, "PRAGMA page_size") >= 16384)
        assert_int_equal(raw_int(db, "SELECT v FROM doc_text_config"
                                     " WHERE k = 'pgsz'"),
                         8000);
    else
        assert_int_equal(raw_int(db, "SELECT count(*) FROM doc_text_config"
                                     " WHERE k = 'pgsz'"),
                         0);
}

/* Schema 5: the CHECK constraints of pages take exactly the values they
 * took, and adding a page or changing its state builds no temporary index
 * (the IN lists did, each time). */
static void assert_plain_checks(sqlite3 *db)
{
    static const char *const bad[] = {
        "INSERT INTO pages(url, host_id, depth, found_crawl_id, found_at,"
        " state) VALUES ('http://a.example/bad', 1, 0, 1, 'x', 'gone')",
        "INSERT INTO pages(url, host_id, depth, found_crawl_id, found_at,"
        " state) VALUES ('http://a.example/bad', 1, 0, 1, 'x', 'Done')",
        "INSERT INTO pages(url, host_id, depth, found_crawl_id, found_at,"
        " sitemap) VALUES ('http://a.example/bad', 1, 0, 1, 'x', 3)",
        "INSERT INTO pages(url, host_id, depth, found_crawl_id, found_at,"
        " sitemap) VALUES ('http://a.example/bad', 1, 0, 1, 'x', -1)",
        "UPDATE pages SET state = 'running' WHERE url = 'http://a.example/s0'",
        "UPDATE pages SET sitemap = 5 WHERE url = 'http://a.example/s0'",
    };
    static const char *const states[] = { "queued", "done", "failed",
                                          "skipped" };
    char sql[256];

    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE"
                                 " name = 'pages' AND sql LIKE '% IN (%'"),
                     0);
    assert_int_equal(ephemerals(db, "INSERT INTO pages(url, host_id, depth,"
                                    " found_crawl_id, found_at) VALUES"
                                    " (?1, 1, 0, 1, 'x')"),
                     0);
    assert_int_equal(
        ephemerals(db,
                   "UPDATE pages SET state = ?2, reason = ?3 WHERE id = ?1"),
        0);
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO pages(url, host_id, depth, found_crawl_id,"
                 " found_at, sitemap) VALUES ('http://a.example/s%d', 1, 0,"
                 " 1, 'x', %d)",
                 i, i);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sqlite3_exec(db, bad[i], NULL, NULL, NULL),
                         SQLITE_CONSTRAINT);
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        snprintf(sql, sizeof sql,
                 "UPDATE pages SET state = '%s' WHERE url ="
                 " 'http://a.example/s0'",
                 states[i]);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_changes(db), 1);
    }
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
}

/* A new file has the current schema version, our application_id, every
 * table and view, the declared foreign keys, WAL journaling and FTS5's
 * merge settings. */
static void test_store_open_schema(void **state)
{
    static const char *const tables[] = { "crawls",    "hosts",   "pages",
                                          "documents", "fetches", "links",
                                          "doc_text" };
    static const char *const views[] = { "v_pages", "v_links", "v_fetches",
                                         "v_errors" };
    static const char *const with_fk[] = { "pages", "fetches", "links" };
    struct env *e = *state;
    sqlite3 *db = raw_open(e->path);
    char sql[256];

    assert_int_equal(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(raw_int(db, "PRAGMA application_id"), 0x63726462);
    assert_int_equal(raw_int(db, "PRAGMA page_size"), 16384);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                 " AND name = '%s'",
                 tables[i]);
        assert_int_equal(raw_int(db, sql), 1);
    }
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"
                 " AND name = '%s'",
                 views[i]);
        assert_int_equal(raw_int(db, sql), 1);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", views[i]);
        assert_true(raw_int(db, sql) >= 0); /* the view compiles */
    }
    for (size_t i = 0; i < sizeof with_fk / sizeof with_fk[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pragma_foreign_key_list('%s')",
                 with_fk[i]);
        assert_true(raw_int(db, sql) > 0);
    }
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_journal_mode"
                                 " WHERE journal_mode = 'wal'"),
                     1);
    assert_plain_checks(db);
    assert_fts_settings(db);
    sqlite3_close(db);
}

/* Closing and reopening keeps rows and ids, and reopening a current file
 * does not migrate it again. */
static void test_store_reopen_keeps_data(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t id = add_page(e, "http://a.example/kept", 0), found = 0, host = 0;
    char *seeds = NULL;

    store_close(e->st);
    e->st = NULL;
    assert_int_equal(store_open(e->path, &e->st, &err), CDB_OK);
    assert_int_equal(
        store_page_find(e->st, "http://a.example/kept", &found, &err), CDB_OK);
    assert_int_equal(found, id);
    assert_int_equal(store_host_id(e->st, "http", "a.example", 80, &host, &err),
                     CDB_OK);
    assert_int_equal(host, e->host);
    assert_int_equal(store_last_seeds(e->st, &seeds, &err), CDB_OK);
    assert_string_equal(seeds, "http://a.example/");
    free(seeds);
    assert_int_equal(db_int(e, "SELECT count(*) FROM crawls"), 1);
    assert_int_equal(db_int(e, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
}

/* A file of schema version `version` as crawldb made it then: 16 KiB
 * pages and the steps up to that version (no views). */
/* A file as crawldb of that schema version left it, in pages of page_size
 * bytes. (Schema 5's step runs on a plain connection here: without the
 * schema cookie bump that migrate() adds, which only matters to a
 * connection that stays open.) */
static sqlite3 *old_file_paged(const char *path, int version, int page_size)
{
    static const char *const steps[] = { schema_001_init, schema_002_politeness,
                                         schema_003_lean_links,
                                         schema_004_deferred_links,
                                         schema_005_plain_checks };
    sqlite3 *db = raw_open(path);
    char sql[96];

    assert_in_range(version, 1, 5);
    snprintf(sql, sizeof sql, "PRAGMA page_size=%d", page_size);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    for (int v = 0; v < version; v++)
        assert_int_equal(sqlite3_exec(db, steps[v], NULL, NULL, NULL),
                         SQLITE_OK);
    snprintf(sql, sizeof sql,
             "PRAGMA application_id = 1668441186; PRAGMA user_version = %d",
             version);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    return db;
}

static sqlite3 *old_file(const char *path, int version)
{
    return old_file_paged(path, version, 16384);
}

/* A file of schema version 3 (with links_to and the views, as a finished
 * crawl leaves it, and a view of the user's on links) opens as version 4: its
 * links keep their ids and columns, their foreign keys are now deferred, and
 * the views and links_to are back. A link to a missing page then fails at
 * commit, not at insert. */
static void test_store_migrates_v3(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct store *st = NULL;
    char path[128];
    sqlite3_stmt *q = NULL;
    sqlite3 *db;

    snprintf(path, sizeof path, "%s/v3.db", e->dir);
    db = old_file(path, 3);
    assert_int_equal(sqlite3_exec(db, schema_views, NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(
            db,
            "INSERT INTO crawls(id, started_at, seeds, options)"
            " VALUES (1, '2026-01-01', 'http://a.example/', '{}');"
            "INSERT INTO hosts(id, scheme, name, port)"
            " VALUES (1, 'http', 'a.example', 80);"
            "INSERT INTO pages(id, url, host_id, depth, found_crawl_id,"
            " found_at) VALUES (1, 'http://a.example/', 1, 0, 1, 'x'),"
            " (2, 'http://a.example/b', 1, 1, 1, 'x');"
            "INSERT INTO links(id, from_page_id, to_page_id, kind, anchor,"
            " nofollow, seen_crawl_id, gone_crawl_id)"
            " VALUES (7, 1, 2, 'a', 'bee', 1, 1, NULL),"
            " (9, 2, 1, 'img', NULL, 0, 1, 1);"
            "CREATE VIEW my_links AS SELECT kind FROM links WHERE id = 9;",
            NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(store_open(path, &st, &err), CDB_OK);
    store_close(st);
    db = raw_open(path);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM links"), 2);
    assert_int_equal(
        raw_int(db, "SELECT count(*) FROM links WHERE id = 7 AND"
                    " from_page_id = 1 AND to_page_id = 2 AND kind = 'a' AND"
                    " anchor = 'bee' AND nofollow = 1 AND seen_crawl_id = 1"
                    " AND gone_crawl_id IS NULL"),
        1);
    assert_int_equal(
        raw_int(db, "SELECT count(*) FROM links WHERE id = 9 AND"
                    " kind = 'img' AND anchor IS NULL AND gone_crawl_id = 1"),
        1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM v_links"), 2);
    /* a view of the user's own reads the new table */
    assert_int_equal(raw_int(db, "SELECT count(*) FROM my_links"
                                 " WHERE kind = 'img'"),
                     1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE"
                                 " name IN ('links_to', 'v_links', 'links')"),
                     3);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE"
                                 " name = 'links_v4'"),
                     0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM"
                                 " pragma_foreign_key_list('links')"),
                     4);
    /* Deferred: the bad row goes in, and the commit refuses it. */
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA foreign_keys = ON; BEGIN;"
                                  "INSERT INTO links(from_page_id,"
                                  " to_page_id, kind) VALUES (1, 99, 'a')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM links"), 2);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_integrity_check"
                                 " WHERE integrity_check = 'ok'"),
                     1);
    /* and schema 5 on top: the pages' checks without IN lists; and 6 */
    assert_plain_checks(db);
    assert_fts_settings(db);
    assert_int_equal(raw_int(db,
                             "SELECT count(*) FROM pages WHERE id IN"
                             " (1, 2) AND state = 'queued' AND sitemap = 0"),
                     2);
    sqlite3_close(db);
}

/* Connections opened while a test wants them: the store's own among them
 * (sqlite3_auto_extension() runs for every new connection). */
static sqlite3 *opened[4];
static size_t n_opened;
static bool make_defensive;

static int on_open(sqlite3 *db, const char **msg, const void *api)
{
    (void)msg;
    (void)api;
    if (n_opened < sizeof opened / sizeof opened[0])
        opened[n_opened++] = db;
    if (make_defensive)
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    return SQLITE_OK;
}

/* A file of schema version 4 opens as the current version (schema 5's
 * checks and 6's FTS5 settings), and the migrating connection itself (the
 * one a crawl then writes with) compiles the new checks: the schema
 * version is bumped with the rewrite. Also when SQLite makes every
 * connection defensive, which refuses writable_schema. */
static void test_store_migrates_v4(void **state)
{
    struct env *e = *state;

    for (int defensive = 0; defensive < 2; defensive++) {
        struct cdb_err err = { 0 };
        struct store *st = NULL;
        char path[128];
        sqlite3 *db;
        int rc;

        snprintf(path, sizeof path, "%s/v4-%d.db", e->dir, defensive);
        db = old_file(path, 4);
        assert_int_equal(ephemerals(db, "INSERT INTO pages(url, host_id,"
                                        " depth, found_crawl_id, found_at)"
                                        " VALUES (?1, 1, 0, 1, 'x')"),
                         2); /* what schema 5 is for */
        sqlite3_close(db);

        n_opened = 0;
        make_defensive = defensive;
        assert_int_equal(sqlite3_auto_extension((void (*)(void))on_open),
                         SQLITE_OK);
        rc = store_open(path, &st, &err);
        sqlite3_cancel_auto_extension((void (*)(void))on_open);
        assert_int_equal(rc, CDB_OK);
        assert_true(n_opened >= 1);
        assert_int_equal(ephemerals(opened[0], "INSERT INTO pages(url,"
                                               " host_id, depth,"
                                               " found_crawl_id, found_at)"
                                               " VALUES (?1, 1, 0, 1, 'x')"),
                         0);
        assert_int_equal(ephemerals(opened[0], "UPDATE pages SET state = ?2,"
                                               " reason = ?3 WHERE id = ?1"),
                         0);
        store_close(st);
        db = raw_open(path);
        assert_int_equal(raw_int(db, "PRAGMA user_version"),
                         STORE_SCHEMA_VERSION);
        assert_plain_checks(db);
        assert_fts_settings(db);
        sqlite3_close(db);
    }
}

/* A file of schema version 5, with text indexed, opens as version 6:
 * FTS5's merge settings are in doc_text_config (8,000-byte leaves only in a
 * file of 16 KiB pages), the text indexed before is still found, phrases
 * too, and text indexed after it, in batches, sits in the same index. */
static void test_store_migrates_v5(void **state)
{
    static const int page_sizes[] = { 16384, 4096 };
    struct env *e = *state;

    for (size_t i = 0; i < sizeof page_sizes / sizeof *page_sizes; i++) {
        struct cdb_err err = { 0 };
        struct store *st = NULL;
        char path[128], text[64];
        sqlite3 *db;

        snprintf(path, sizeof path, "%s/v5-%d.db", e->dir, page_sizes[i]);
        db = old_file_paged(path, 5, page_sizes[i]);
        assert_int_equal(sqlite3_exec(db,
                                      "INSERT INTO doc_text(rowid, title, text)"
                                      " VALUES (1, 'Rye', 'a sourdough"
                                      " starter'), (2, 'Spelt', 'starter of"
                                      " sourdough')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(raw_int(db, "SELECT count(*) FROM doc_text_config"
                                     " WHERE k IN ('automerge', 'pgsz')"),
                         0);
        sqlite3_close(db);

        assert_int_equal(store_open(path, &st, &err), CDB_OK);
        for (int batch = 0; batch < 3; batch++) {
            assert_int_equal(store_begin(st, &err), CDB_OK);
            snprintf(text, sizeof text, "a sourdough loaf, batch %d", batch);
            assert_int_equal(store_doc_text(st, 10 + batch, NULL, text, &err),
                             CDB_OK);
            assert_int_equal(store_commit(st, &err), CDB_OK);
        }
        store_close(st);
        db = raw_open(path);
        assert_int_equal(raw_int(db, "PRAGMA user_version"),
                         STORE_SCHEMA_VERSION);
        assert_int_equal(raw_int(db, "PRAGMA page_size"), page_sizes[i]);
        assert_fts_settings(db);
        assert_int_equal(raw_int(db, "SELECT rowid FROM doc_text WHERE"
                                     " doc_text MATCH '\"sourdough starter\"'"),
                         1);
        assert_int_equal(raw_int(db, "SELECT count(*) FROM doc_text"
                                     " WHERE doc_text MATCH 'sourdough'"),
                         5);
        assert_int_equal(raw_int(db, "SELECT rowid FROM doc_text"
                                     " WHERE doc_text MATCH 'batch AND 2'"),
                         12);
        assert_int_equal(sqlite3_exec(db,
                                      "INSERT INTO doc_text(doc_text)"
                                      " VALUES ('integrity-check')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
    }
}

/* A SQLite file of another program is refused, named in the message, and
 * left as it was. */
static void test_store_refuses_foreign(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct store *st = (struct store *)&err; /* must be reset to NULL */
    char other[128];

    env_path(e, other, sizeof other, ".other");
    db_exec(other, "PRAGMA journal_mode=DELETE;"
                   " CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);"
                   " INSERT INTO notes(body) VALUES ('mine');");
    assert_int_equal(store_open(other, &st, &err), CDB_EDB);
    assert_null(st);
    assert_int_equal(err.code, CDB_EDB);
    assert_non_null(strstr(err.msg, other));
    assert_int_equal(path_int(other, "SELECT count(*) FROM sqlite_schema"), 1);
    assert_int_equal(path_int(other, "PRAGMA user_version"), 0);
    assert_int_equal(path_int(other, "PRAGMA application_id"), 0);
    unlink(other);

    /* Another application's id is refused even with no tables. */
    db_exec(other, "PRAGMA application_id = 1234");
    memset(&err, 0, sizeof err);
    assert_int_equal(store_open(other, &st, &err), CDB_EDB);
    assert_null(st);
    assert_non_null(strstr(err.msg, other));
    assert_int_equal(path_int(other, "SELECT count(*) FROM sqlite_schema"), 0);
    unlink(other);
}

/* A file that is not SQLite at all is refused, named, and left alone. */
static void test_store_refuses_non_sqlite(void **state)
{
    static const char text[] = "just some text, not a database\n";
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct store *st = NULL;
    char other[128], back[sizeof text];
    FILE *fp;

    env_path(e, other, sizeof other, ".txt");
    fp = fopen(other, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, sizeof text - 1, fp), sizeof text - 1);
    fclose(fp);
    assert_int_equal(store_open(other, &st, &err), CDB_EDB);
    assert_null(st);
    assert_non_null(strstr(err.msg, other));
    fp = fopen(other, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(back, 1, sizeof back, fp), sizeof text - 1);
    fclose(fp);
    assert_memory_equal(back, text, sizeof text - 1);
    unlink(other);
}

/* A refused foreign file keeps its journal mode: nothing was written. */
static void test_store_refuses_foreign_untouched(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct store *st = NULL;
    char other[128];

    env_path(e, other, sizeof other, ".other");
    db_exec(other, "PRAGMA journal_mode=DELETE; CREATE TABLE notes(x);");
    assert_int_equal(store_open(other, &st, &err), CDB_EDB);
    assert_null(st);
    assert_int_equal(path_int(other, "SELECT count(*) FROM pragma_journal_mode"
                                     " WHERE journal_mode = 'delete'"),
                     1);
    unlink(other);
}

/* A file of a newer schema version is refused with a message naming it. */
static void test_store_refuses_newer(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct store *st = NULL;

    store_close(e->st);
    e->st = NULL;
    db_exec(e->path, "PRAGMA user_version = 99");
    assert_int_equal(store_open(e->path, &st, &err), CDB_EDB);
    assert_null(st);
    assert_non_null(strstr(err.msg, e->path));
    assert_non_null(strstr(err.msg, "newer"));
    assert_int_equal(db_int(e, "PRAGMA user_version"), 99);
    /* for the teardown */
    db_exec(e->path, "PRAGMA user_version = " CDB_STR(STORE_SCHEMA_VERSION));
}

/* Adding a known URL again returns its id with added false and changes
 * nothing. */
static void test_store_page_add_idempotent(void **state)
{
    struct env *e = *state;
    struct page_new p = {
        .url = "http://a.example/x", .host_id = e->host, .depth = 1, .hops = 0
    };
    struct cdb_err err = { 0 };
    int64_t id1 = 0, id2 = 0, found = -1;
    bool added = false;

    assert_int_equal(store_page_add(e->st, &p, &id1, &added, &err), CDB_OK);
    assert_true(added);
    p.depth = 5; /* a later discovery at another depth changes nothing */
    p.state = PAGE_SKIPPED;
    p.reason = "scope";
    assert_int_equal(store_page_add(e->st, &p, &id2, &added, &err), CDB_OK);
    assert_false(added);
    assert_int_equal(id1, id2);
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"), 1);
    assert_int_equal(db_int(e, "SELECT depth FROM pages"), 1);
    assert_int_equal(db_int(e, "SELECT state = 'queued' AND reason IS NULL"
                               " FROM pages"),
                     1);
    assert_int_equal(store_page_find(e->st, "http://a.example/x", &found, &err),
                     CDB_OK);
    assert_int_equal(found, id1);
    assert_int_equal(store_page_find(e->st, "http://a.example/y", &found, &err),
                     CDB_OK);
    assert_int_equal(found, 0);
}

/* A new page records its state, reason, hops and the run that found it. */
static void test_store_page_add_fields(void **state)
{
    struct env *e = *state;
    struct page_new p = { .url = "http://a.example/s",
                          .host_id = e->host,
                          .depth = 3,
                          .hops = 2,
                          .state = PAGE_SKIPPED,
                          .reason = "robots" };
    struct cdb_err err = { 0 };
    int64_t id = 0;
    bool added = false;
    char text[64];

    assert_int_equal(store_page_add(e->st, &p, &id, &added, &err), CDB_OK);
    db_text(e,
            "SELECT state || '/' || reason || '/' || depth || '/' || hops"
            " FROM pages",
            text, sizeof text);
    assert_string_equal(text, "skipped/robots/3/2");
    assert_int_equal(db_int(e, "SELECT found_crawl_id FROM pages"),
                     store_crawl_id(e->st));
    assert_int_equal(db_int(e, "SELECT found_at LIKE '____-__-__T__:__:__.___Z'"
                               " FROM pages"),
                     1);
    assert_int_equal(store_page_set_state(e->st, id, PAGE_DONE, NULL, &err),
                     CDB_OK);
    db_text(e, "SELECT state || coalesce(reason, '-') FROM pages", text,
            sizeof text);
    assert_string_equal(text, "done-");
}

/* store_host_id creates a host once per (scheme, name, port) and returns the
 * same id for it afterwards. */
static void test_store_host_id(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t a = 0, b = 0, c = 0, d = 0;

    assert_int_equal(store_host_id(e->st, "http", "a.example", 80, &a, &err),
                     CDB_OK);
    assert_int_equal(a, e->host);
    assert_int_equal(store_host_id(e->st, "http", "a.example", 8080, &b, &err),
                     CDB_OK);
    assert_int_equal(store_host_id(e->st, "https", "a.example", 80, &c, &err),
                     CDB_OK);
    assert_int_equal(store_host_id(e->st, "http", "b.example", 80, &d, &err),
                     CDB_OK);
    assert_true(b != a && c != a && d != a && b != c && b != d && c != d);
    assert_int_equal(store_host_id(e->st, "http", "a.example", 8080, &a, &err),
                     CDB_OK);
    assert_int_equal(a, b);
    assert_int_equal(db_int(e, "SELECT count(*) FROM hosts"), 4);
    /* The schema refuses a scheme other than http(s). */
    assert_int_equal(store_host_id(e->st, "ftp", "a.example", 21, &a, &err),
                     CDB_EDB);
}

/* robots.txt of a host is unknown until set, then comes back with its
 * status and exact bytes; an unreachable one has no body. */
static void test_store_host_robots(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    bool known = true;
    int status = -1;
    char *body = NULL;
    size_t len = 9;

    assert_int_equal(store_host_robots_get(e->st, e->host, &known, &status,
                                           &body, &len, &err),
                     CDB_OK);
    assert_false(known);
    assert_null(body);
    assert_int_equal(store_host_robots_set(e->st, e->host, 200,
                                           "User-agent: *\nDisallow: /p", 26,
                                           &err),
                     CDB_OK);
    assert_int_equal(store_host_robots_get(e->st, e->host, &known, &status,
                                           &body, &len, &err),
                     CDB_OK);
    assert_true(known);
    assert_int_equal(status, 200);
    assert_int_equal(len, 26);
    assert_string_equal(body, "User-agent: *\nDisallow: /p");
    free(body);
    assert_int_equal(store_host_robots_set(e->st, e->host, 0, NULL, 0, &err),
                     CDB_OK);
    assert_int_equal(store_host_robots_get(e->st, e->host, &known, &status,
                                           &body, &len, &err),
                     CDB_OK);
    assert_true(known);
    assert_int_equal(status, 0);
    assert_null(body);
    assert_int_equal(len, 0);
}

/* store_lease hands out queued pages in (depth, id) order strictly after
 * the cursor, at most max, and skips pages no longer queued. */
static void test_store_lease_order(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t a1 = add_page(e, "http://a.example/a1", 1);
    int64_t b0 = add_page(e, "http://a.example/b0", 0);
    int64_t c2 = add_page(e, "http://a.example/c2", 2);
    int64_t d0 = add_page(e, "http://a.example/d0", 0);
    int64_t e1 = add_page(e, "http://a.example/e1", 1);
    const int64_t want_all[] = { b0, d0, a1, e1, c2 };
    struct lease l[8];
    size_t n = 99;

    assert_int_equal(store_lease(e->st, -1, 0, l, 8, &n, &err), CDB_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(l[i].id, want_all[i]);
        assert_int_equal(l[i].host_id, e->host);
        assert_int_equal(l[i].hops, 0);
        store_lease_release(&l[i]);
        assert_null(l[i].url);
    }

    /* After (0, b0) with d0 done: a1, e1, c2. */
    assert_int_equal(store_page_set_state(e->st, d0, PAGE_DONE, NULL, &err),
                     CDB_OK);
    assert_int_equal(store_lease(e->st, 0, b0, l, 8, &n, &err), CDB_OK);
    assert_int_equal(n, 3);
    assert_int_equal(l[0].id, a1);
    assert_string_equal(l[0].url, "http://a.example/a1");
    assert_int_equal(l[0].depth, 1);
    assert_int_equal(l[1].id, e1);
    assert_int_equal(l[2].id, c2);
    assert_int_equal(l[2].depth, 2);
    for (size_t i = 0; i < n; i++)
        store_lease_release(&l[i]);

    /* max bounds the batch; the next batch continues after the last. */
    assert_int_equal(store_lease(e->st, -1, 0, l, 2, &n, &err), CDB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, b0);
    assert_int_equal(l[1].id, a1);
    store_lease_release(&l[0]);
    store_lease_release(&l[1]);
    assert_int_equal(store_lease(e->st, 1, a1, l, 2, &n, &err), CDB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, e1);
    assert_int_equal(l[1].id, c2);
    store_lease_release(&l[0]);
    store_lease_release(&l[1]);

    /* Past the end, and with failed and skipped pages: nothing. */
    assert_int_equal(store_lease(e->st, 2, c2, l, 8, &n, &err), CDB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        store_page_set_state(e->st, b0, PAGE_FAILED, "http 500", &err), CDB_OK);
    assert_int_equal(
        store_page_set_state(e->st, a1, PAGE_SKIPPED, "robots", &err), CDB_OK);
    assert_int_equal(store_lease(e->st, -1, 0, l, 8, &n, &err), CDB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, e1);
    assert_int_equal(l[1].id, c2);
    store_lease_release(&l[0]);
    store_lease_release(&l[1]);
    assert_int_equal(store_lease(e->st, -1, 0, l, 0, &n, &err), CDB_OK);
    assert_int_equal(n, 0);
}

/* Identical bytes are stored once under one id, with the right SHA-256,
 * size and bytes (NULs included); other bytes get a new row. */
static void test_store_doc_put_dedup(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    static const char bin[] = { 'a', '\0', 'b', '\xff', '\0' };
    int64_t id1 = 0, id2 = 0, id3 = 0;
    bool added = false;
    char text[80];
    char *copy = xstrdup("hello");

    assert_int_equal(store_doc_put(e->st, "hello", 5, &id1, &added, &err),
                     CDB_OK);
    assert_true(added);
    assert_true(id1 > 0);
    /* Same bytes at another address. */
    assert_int_equal(store_doc_put(e->st, copy, 5, &id2, &added, &err), CDB_OK);
    free(copy);
    assert_false(added);
    assert_int_equal(id2, id1);
    db_text(e, "SELECT sha256 FROM documents", text, sizeof text);
    assert_string_equal(text, HELLO_SHA);
    db_text(e,
            "SELECT size || ':' || CAST(body AS TEXT) || ':' ||"
            " typeof(body) FROM documents",
            text, sizeof text);
    assert_string_equal(text, "5:hello:blob");

    assert_int_equal(store_doc_put(e->st, bin, sizeof bin, &id3, &added, &err),
                     CDB_OK);
    assert_true(added);
    assert_true(id3 != id1);
    db_text(e, "SELECT hex(body) || ':' || size FROM documents WHERE id = 2",
            text, sizeof text);
    assert_string_equal(text, "610062FF00:5");
    assert_int_equal(db_int(e, "SELECT count(*) FROM documents"), 2);
    /* The stored digest is the one of the bytes stored. */
    assert_int_equal(db_int(e, "SELECT count(*) FROM documents"
                               " WHERE length(sha256) = 64"
                               " AND sha256 = lower(sha256)"),
                     2);
}

/* An empty body is a document: zero bytes, not NULL, the SHA-256 of "",
 * stored once whether passed as "" or NULL. */
static void test_store_doc_put_empty(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t id1 = 0, id2 = 0;
    bool added = false;
    char text[80];

    assert_int_equal(store_doc_put(e->st, "", 0, &id1, &added, &err), CDB_OK);
    assert_true(added);
    assert_int_equal(store_doc_put(e->st, NULL, 0, &id2, &added, &err), CDB_OK);
    assert_false(added);
    assert_int_equal(id1, id2);
    db_text(e, "SELECT sha256 FROM documents", text, sizeof text);
    assert_string_equal(text, EMPTY_SHA);
    db_text(e,
            "SELECT size || ':' || typeof(body) || ':' || length(body)"
            " FROM documents",
            text, sizeof text);
    assert_string_equal(text, "0:blob:0");
}

/* A fetch with every optional field unset stores NULLs (no status, no
 * length, no redirect, no document) under the current run. */
static void test_store_fetch_add_minimal(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t page = add_page(e, "http://a.example/", 0), id = 0;
    struct fetch_row f = { .page_id = page, .length = -1 };
    char text[128];

    assert_int_equal(store_fetch_add(e->st, &f, &id, &err), CDB_OK);
    assert_true(id > 0);
    db_text(e,
            "SELECT quote(status) || quote(content_type) || quote(length) ||"
            " quote(headers) || quote(etag) || quote(last_modified) ||"
            " quote(redirect_page_id) || quote(error) || quote(document_id)"
            " || '/' || truncated || '/' || duration_ms FROM fetches",
            text, sizeof text);
    assert_string_equal(text, "NULLNULLNULLNULLNULLNULLNULLNULLNULL/0/0");
    assert_int_equal(db_int(e, "SELECT crawl_id FROM fetches"),
                     store_crawl_id(e->st));
    assert_int_equal(db_int(e, "SELECT page_id FROM fetches"), page);
    assert_int_equal(db_int(e, "SELECT fetched_at LIKE"
                               " '____-__-__T__:__:__.___Z' FROM fetches"),
                     1);

    /* A zeroed row records an empty body (length 0); id may be NULL. */
    memset(&f, 0, sizeof f);
    f.page_id = page;
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    assert_int_equal(db_int(e, "SELECT length FROM fetches WHERE id = 2"), 0);
    assert_int_equal(db_int(e, "SELECT status IS NULL FROM fetches"
                               " WHERE id = 2"),
                     1);
}

/* A fetch with every field set stores each of them as given. */
static void test_store_fetch_add_full(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t page = add_page(e, "http://a.example/old", 0);
    int64_t target = add_page(e, "http://a.example/new", 0);
    int64_t doc = 0, id = 0;
    bool added;
    struct fetch_row f = { 0 };
    char text[256], want[256];

    assert_int_equal(store_doc_put(e->st, "moved", 5, &doc, &added, &err),
                     CDB_OK);
    f.page_id = page;
    f.duration_ms = 1234;
    f.status = 301;
    f.content_type = "text/html; charset=utf-8";
    f.length = 5;
    f.truncated = true;
    f.headers = "HTTP/1.1 301 Moved\r\nLocation: /new\r\n\r\n";
    f.etag = "\"abc\"";
    f.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
    f.redirect_page_id = target;
    f.error = "body cut at 5 bytes (--max-size)";
    f.document_id = doc;
    assert_int_equal(store_fetch_add(e->st, &f, &id, &err), CDB_OK);
    db_text(e,
            "SELECT status || '|' || content_type || '|' || length || '|' ||"
            " truncated || '|' || headers || '|' || etag || '|' ||"
            " last_modified || '|' || redirect_page_id || '|' || error ||"
            " '|' || document_id || '|' || duration_ms FROM fetches",
            text, sizeof text);
    snprintf(want, sizeof want,
             "301|text/html; charset=utf-8|5|1|HTTP/1.1 301 Moved\r\n"
             "Location: /new\r\n\r\n|\"abc\"|Wed, 21 Oct 2015 07:28:00 GMT|"
             "%lld|body cut at 5 bytes (--max-size)|%lld|1234",
             (long long)target, (long long)doc);
    assert_string_equal(text, want);
    /* The views join it back to URLs. */
    db_text(e, "SELECT redirect_url || ' ' || sha256 FROM v_fetches", text,
            sizeof text);
    assert_string_equal(text, "http://a.example/new "
                              "5edd1832df25e2f1a72585c0ee55c1e585e7f4902eb1d1"
                              "5f7abf1c71c1b296ae");
}

/* A link repeated with the same (from, to, kind) is ignored, the first
 * anchor kept; another kind or direction is a new link. */
static void test_store_link_add_dedup(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t a = add_page(e, "http://a.example/a", 0);
    int64_t b = add_page(e, "http://a.example/b", 1);
    char text[64];

    assert_int_equal(store_link_add(e->st, a, b, "a", "first", false, &err),
                     CDB_OK);
    assert_int_equal(store_link_add(e->st, a, b, "a", "second", true, &err),
                     CDB_OK);
    assert_int_equal(db_int(e, "SELECT count(*) FROM links"), 1);
    db_text(e, "SELECT anchor || '/' || nofollow FROM links", text,
            sizeof text);
    assert_string_equal(text, "first/0");
    assert_int_equal(store_link_add(e->st, a, b, "img", NULL, true, &err),
                     CDB_OK);
    assert_int_equal(store_link_add(e->st, b, a, "a", NULL, false, &err),
                     CDB_OK);
    assert_int_equal(store_link_add(e->st, a, a, "a", "self", false, &err),
                     CDB_OK);
    assert_int_equal(db_int(e, "SELECT count(*) FROM links"), 4);
    assert_int_equal(db_int(e, "SELECT anchor IS NULL AND nofollow = 1"
                               " FROM links WHERE kind = 'img'"),
                     1);
}

/* store_links_add() stores what as many store_link_add() calls would, for
 * every count around its 16- and 4-row statements: each link in order,
 * a repeat within the page ignored (the first anchor kept), NULL anchors,
 * the nofollow flag. */
static void test_store_links_add_rows(void **state)
{
    static const size_t counts[] = { 0, 1, 3, 4, 5, 15, 16, 17, 20, 37 };
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t to[40];
    struct link_row rows[40];

    for (int i = 0; i < 40; i++) {
        char url[64];

        snprintf(url, sizeof url, "http://a.example/t%d", i);
        to[i] = add_page(e, url, 1);
    }
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t n = counts[c];
        int64_t from;
        char url[64], sql[160], text[64];

        snprintf(url, sizeof url, "http://a.example/from%zu", n);
        from = add_page(e, url, 0);
        for (size_t i = 0; i < n; i++) {
            /* Every seventh row repeats the one before it. */
            size_t t = i % 7 == 6 ? i - 1 : i;

            rows[i].to_page_id = to[t];
            rows[i].kind = t % 3 == 0 ? "img" : "a";
            rows[i].anchor = t % 3 == 0 ? NULL : (i == t ? "first" : "again");
            rows[i].nofollow = t % 5 == 0;
        }
        assert_int_equal(store_links_add(e->st, from, rows, n, &err), CDB_OK);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM links WHERE from_page_id = %lld",
                 (long long)from);
        assert_int_equal(db_int(e, sql), (int64_t)(n - n / 7));
        for (size_t i = 0; i < n; i++) {
            size_t t = i % 7 == 6 ? i - 1 : i;

            snprintf(sql, sizeof sql,
                     "SELECT kind || '/' || ifnull(anchor, 'NULL') || '/' ||"
                     " nofollow FROM links WHERE from_page_id = %lld"
                     " AND to_page_id = %lld",
                     (long long)from, (long long)to[t]);
            db_text(e, sql, text, sizeof text);
            assert_string_equal(
                text, t % 3 == 0   ? (t % 5 == 0 ? "img/NULL/1" : "img/NULL/0")
                      : t % 5 == 0 ? "a/first/1"
                                   : "a/first/0");
        }
    }
    /* The same rows again change nothing. */
    assert_int_equal(store_links_add(e->st, to[0], rows, 37, &err), CDB_OK);
    assert_int_equal(store_links_add(e->st, to[0], rows, 37, &err), CDB_OK);
    assert_int_equal(db_int(e, "SELECT count(*) FROM links WHERE"
                               " from_page_id = (SELECT id FROM pages"
                               " WHERE url = 'http://a.example/t0')"),
                     37 - 37 / 7);
}

/* The number of dst's links that match, in id order, src's links that are
 * not gone and lead neither to src nor to dst; and that every link of dst
 * is seen by the newest run and not gone. */
static int64_t copied_in_order(const struct env *e, int64_t src, int64_t dst)
{
    char sql[640];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM links WHERE from_page_id = %lld AND"
             " (seen_crawl_id IS NOT (SELECT max(id) FROM crawls)"
             " OR gone_crawl_id IS NOT NULL)",
             (long long)dst);
    assert_int_equal(db_int(e, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM"
             " (SELECT row_number() OVER (ORDER BY id) r, to_page_id t, kind,"
             "  anchor, nofollow FROM links WHERE from_page_id = %lld"
             "  AND to_page_id != %lld) y JOIN"
             " (SELECT row_number() OVER (ORDER BY id) r, to_page_id t, kind,"
             "  anchor, nofollow FROM links WHERE from_page_id = %lld"
             "  AND to_page_id NOT IN (%lld, %lld)"
             "  AND gone_crawl_id IS NULL) x"
             " ON x.r = y.r AND x.t = y.t AND x.kind = y.kind"
             " AND x.anchor IS y.anchor AND x.nofollow = y.nofollow",
             (long long)dst, (long long)dst, (long long)src, (long long)src,
             (long long)dst);
    return db_int(e, sql);
}

static int64_t links_of(const struct env *e, int64_t page)
{
    char sql[96];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM links WHERE from_page_id = %lld",
             (long long)page);
    return db_int(e, sql);
}

/* store_links_copy() gives page b the links still on page a, in a's order
 * (which is not the order of their targets) and more of them than one
 * round of its inserts takes: a link to a leads b to itself, where two
 * become one the first stays, and a gone link and another page's link
 * among a's ids stay behind. Long anchors in whole rounds come too. */
static void test_store_links_copy(void **state)
{
    enum { N = 150, LONG = 128 };
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t a = add_page(e, "http://a.example/a", 0);
    int64_t b = add_page(e, "http://a.example/a?sort=1", 1);
    int64_t other = add_page(e, "http://a.example/other", 1);
    int64_t c = add_page(e, "http://a.example/c", 1);
    int64_t d = add_page(e, "http://a.example/c?sort=1", 2);
    int64_t to[N], n = -1;
    struct link_row rows[N];
    char anchors[N][16], sql[200], text[64];
    char *long_anchor = xmalloc(1101);

    for (int i = 0; i < N; i++) {
        char url[64];

        snprintf(url, sizeof url, "http://a.example/t%d", i);
        to[i] = add_page(e, url, 2);
    }
    for (int i = 0; i < N; i++) { /* targets last to first */
        snprintf(anchors[i], sizeof anchors[i], "t%d", i);
        rows[i].to_page_id = to[N - 1 - i];
        rows[i].kind = i % 2 ? "img" : "a";
        rows[i].anchor = i % 2 ? NULL : anchors[i];
        rows[i].nofollow = i % 3 == 0;
    }
    assert_int_equal(store_link_add(e->st, a, b, "a", "to b", false, &err),
                     CDB_OK);
    assert_int_equal(store_link_add(e->st, a, a, "a", "self", false, &err),
                     CDB_OK);
    assert_int_equal(
        store_link_add(e->st, other, to[1], "a", "not a's", true, &err),
        CDB_OK);
    assert_int_equal(store_links_add(e->st, a, rows, N, &err), CDB_OK);
    snprintf(sql, sizeof sql,
             "UPDATE links SET gone_crawl_id = seen_crawl_id"
             " WHERE from_page_id = %lld AND to_page_id = %lld",
             (long long)a, (long long)to[7]);
    db_exec(e->path, sql);

    assert_int_equal(store_links_copy(e->st, b, a, &n, &err), CDB_OK);
    assert_int_equal(n, 2 + N - 1);
    assert_int_equal(links_of(e, b), 1 + N - 1);
    assert_int_equal(copied_in_order(e, a, b), N - 1);
    snprintf(sql, sizeof sql,
             "SELECT anchor FROM links WHERE from_page_id = %lld"
             " AND to_page_id = %lld",
             (long long)b, (long long)b);
    db_text(e, sql, text, sizeof text);
    assert_string_equal(text, "to b");
    snprintf(sql, sizeof sql,
             "SELECT id = (SELECT min(id) FROM links WHERE from_page_id = %lld)"
             " FROM links WHERE from_page_id = %lld AND to_page_id = %lld",
             (long long)b, (long long)b, (long long)b);
    assert_int_equal(db_int(e, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM links WHERE from_page_id = %lld"
             " AND (to_page_id = %lld OR anchor = 'not a''s')",
             (long long)b, (long long)to[7]);
    assert_int_equal(db_int(e, sql), 0);

    /* Copied again, nothing changes; a page without links gives none. */
    assert_int_equal(store_links_copy(e->st, b, a, &n, &err), CDB_OK);
    assert_int_equal(n, 2 + N - 1);
    assert_int_equal(links_of(e, b), 1 + N - 1);
    assert_int_equal(store_links_copy(e->st, b, to[0], &n, &err), CDB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(links_of(e, b), 1 + N - 1);

    /* Two whole rounds of 1,100-byte anchors. */
    memset(long_anchor, 'x', 1100);
    long_anchor[1100] = '\0';
    for (int i = 0; i < LONG; i++) {
        rows[i].to_page_id = to[i];
        rows[i].kind = "a";
        rows[i].anchor = long_anchor;
        rows[i].nofollow = false;
    }
    assert_int_equal(store_links_add(e->st, c, rows, LONG, &err), CDB_OK);
    assert_int_equal(store_links_copy(e->st, d, c, &n, &err), CDB_OK);
    assert_int_equal(n, LONG);
    assert_int_equal(links_of(e, d), LONG);
    assert_int_equal(copied_in_order(e, c, d), LONG);
    free(long_anchor);
}

/* store_stats agrees with direct SQL on a small crawl of every kind of row,
 * and store_count_fetched counts done and failed pages. */
static void test_store_stats(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t p[6], doc = 0, host2 = 0, n = 0;
    struct store_stats s;
    struct fetch_row f = { .length = -1 };
    bool added;
    int64_t sum = 0;

    assert_int_equal(
        store_host_id(e->st, "https", "b.example", 443, &host2, &err), CDB_OK);
    for (int i = 0; i < 6; i++) {
        char url[64];

        snprintf(url, sizeof url, "http://a.example/%d", i);
        p[i] = add_page(e, url, i % 3);
    }
    assert_int_equal(store_doc_put(e->st, "hello", 5, &doc, &added, &err),
                     CDB_OK);
    assert_int_equal(store_doc_put(e->st, "abc", 3, &doc, &added, &err),
                     CDB_OK);
    assert_int_equal(store_page_set_state(e->st, p[0], PAGE_DONE, NULL, &err),
                     CDB_OK);
    assert_int_equal(
        store_page_set_state(e->st, p[1], PAGE_FAILED, "http 404", &err),
        CDB_OK);
    assert_int_equal(
        store_page_set_state(e->st, p[2], PAGE_SKIPPED, "robots", &err),
        CDB_OK);
    assert_int_equal(
        store_page_set_state(e->st, p[3], PAGE_SKIPPED, "robots", &err),
        CDB_OK);
    f.page_id = p[0];
    f.status = 200;
    f.length = 3;
    f.document_id = doc;
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    f.page_id = p[1];
    f.status = 404;
    f.document_id = 0;
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    f.status = 0; /* no response */
    f.error = "Timeout was reached";
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    f.status = 200;
    f.error = "body cut";
    f.truncated = true;
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    assert_int_equal(store_link_add(e->st, p[0], p[1], "a", "x", false, &err),
                     CDB_OK);
    assert_int_equal(store_link_add(e->st, p[0], p[2], "a", NULL, false, &err),
                     CDB_OK);
    assert_int_equal(store_link_add(e->st, p[0], p[3], "img", NULL, 0, &err),
                     CDB_OK);
    assert_int_equal(store_crawl_end(e->st, "finished", &err), CDB_OK);

    assert_int_equal(store_stats(e->st, &s, &err), CDB_OK);
    assert_int_equal(s.pages, db_int(e, "SELECT count(*) FROM pages"));
    assert_int_equal(s.pages, 6);
    assert_int_equal(s.queued, db_int(e, "SELECT count(*) FROM pages"
                                         " WHERE state = 'queued'"));
    assert_int_equal(s.queued, 2);
    assert_int_equal(s.done, 1);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.skipped, 2);
    assert_int_equal(s.hosts, db_int(e, "SELECT count(*) FROM hosts"));
    assert_int_equal(s.hosts, 2);
    assert_int_equal(s.documents, 2);
    assert_int_equal(s.document_bytes,
                     db_int(e, "SELECT sum(length(body)) FROM documents"));
    assert_int_equal(s.document_bytes, 8);
    assert_int_equal(s.links, db_int(e, "SELECT count(*) FROM links"));
    assert_int_equal(s.fetches, db_int(e, "SELECT count(*) FROM fetches"));
    assert_int_equal(s.fetches, 4);
    assert_int_equal(s.errors, db_int(e, "SELECT count(*) FROM v_errors"));
    assert_int_equal(s.errors, 3);
    assert_int_equal(s.truncated, 1);
    assert_int_equal(s.crawls, 1);
    assert_true(s.duration_s >= 0);
    assert_int_equal(db_int(e, "SELECT fetches FROM crawls"), 4);

    /* Group counts add up and name what they count. */
    for (size_t i = 0; i < s.n_status; i++)
        sum += s.by_status[i].n;
    assert_int_equal(sum, s.fetches);
    assert_int_equal(s.n_status, 3); /* none, 200, 404 */
    assert_string_equal(s.by_status[0].name, "none");
    assert_int_equal(s.by_status[0].n, 1);
    assert_int_equal(s.n_kind, 2);
    assert_string_equal(s.by_kind[0].name, "a");
    assert_int_equal(s.by_kind[0].n, 2);
    assert_int_equal(s.n_reason, 2);
    assert_string_equal(s.by_reason[0].name, "skipped: robots");
    assert_int_equal(s.by_reason[0].n, 2);
    assert_string_equal(s.by_reason[1].name, "failed: http 404");
    store_stats_release(&s);
    assert_null(s.by_status);
    assert_int_equal(s.n_kind, 0);
    store_stats_release(&s); /* twice is harmless */

    assert_int_equal(store_count_fetched(e->st, &n, &err), CDB_OK);
    assert_int_equal(n, 2);
}

/* Quotes, SQL fragments and format characters in URLs, anchors, reasons,
 * errors and seeds are stored verbatim and never run. */
static void test_store_text_verbatim(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    char url[128], text[256], *seeds = NULL;
    int64_t a, b, found = 0;
    struct fetch_row f = { .length = -1 };
    struct store_stats s;

    snprintf(url, sizeof url, "http://a.example/%s", NASTY);
    a = add_page(e, url, 0);
    b = add_page(e, "http://a.example/it's", 0);
    assert_int_equal(store_page_find(e->st, url, &found, &err), CDB_OK);
    assert_int_equal(found, a);
    assert_int_equal(store_link_add(e->st, a, b, "a", NASTY, false, &err),
                     CDB_OK);
    assert_int_equal(store_page_set_state(e->st, b, PAGE_FAILED, NASTY, &err),
                     CDB_OK);
    f.page_id = a;
    f.error = NASTY;
    f.headers = NASTY;
    f.etag = NASTY;
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    assert_int_equal(store_crawl_start(e->st, NASTY, "{\"q\":\"'\"}", &err),
                     CDB_OK);

    db_text(e, "SELECT url FROM pages WHERE id = 1", text, sizeof text);
    assert_string_equal(text, url);
    db_text(e, "SELECT url FROM pages WHERE id = 2", text, sizeof text);
    assert_string_equal(text, "http://a.example/it's");
    db_text(e, "SELECT anchor FROM links", text, sizeof text);
    assert_string_equal(text, NASTY);
    db_text(e, "SELECT reason FROM pages WHERE id = 2", text, sizeof text);
    assert_string_equal(text, NASTY);
    db_text(e, "SELECT error || headers || etag FROM fetches", text,
            sizeof text);
    assert_true(strlen(text) == 3 * strlen(NASTY));
    assert_memory_equal(text + 2 * strlen(NASTY), NASTY, strlen(NASTY));
    assert_int_equal(store_last_seeds(e->st, &seeds, &err), CDB_OK);
    assert_string_equal(seeds, NASTY);
    free(seeds);
    assert_int_equal(db_int(e, "SELECT count(*) FROM sqlite_schema"
                               " WHERE name = 'pages'"),
                     1);
    /* The reason shows up as it is in the statistics too. */
    assert_int_equal(store_stats(e->st, &s, &err), CDB_OK);
    assert_int_equal(s.n_reason, 1);
    assert_true(strstr(s.by_reason[0].name, NASTY) != NULL);
    store_stats_release(&s);
}

/* A committed batch persists; a batch open at store_close() is rolled back;
 * begin and commit nest and pair as store.h says. */
static void test_store_batches(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t found = -1;

    assert_false(store_in_batch(e->st));
    assert_int_equal(store_commit(e->st, &err), CDB_OK); /* none open */
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_true(store_in_batch(e->st));
    assert_int_equal(store_begin(e->st, &err), CDB_OK); /* already open */
    add_page(e, "http://a.example/committed", 0);
    /* Not visible to another connection before the commit. */
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"), 0);
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    assert_false(store_in_batch(e->st));
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"), 1);

    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    add_page(e, "http://a.example/lost", 0);
    assert_int_equal(
        store_page_find(e->st, "http://a.example/lost", &found, &err), CDB_OK);
    assert_true(found > 0); /* visible inside the batch */
    store_close(e->st);
    e->st = NULL;
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"), 1);
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"
                               " WHERE url = 'http://a.example/committed'"),
                     1);
    assert_int_equal(store_open(e->path, &e->st, &err), CDB_OK);
    assert_int_equal(
        store_page_find(e->st, "http://a.example/lost", &found, &err), CDB_OK);
    assert_int_equal(found, 0);
}

/* Foreign keys are enforced: rows pointing at missing pages, hosts or
 * documents fail with CDB_EDB and a message, and add nothing; a link's at
 * the end of its statement, or of its batch. */
static void test_store_foreign_keys(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t page = add_page(e, "http://a.example/", 0), id = 0;
    struct fetch_row f = { .page_id = 999999, .status = 200, .length = -1 };
    struct page_new p = { .url = "http://z.example/", .host_id = 424242 };
    bool added = true;

    assert_int_equal(store_fetch_add(e->st, &f, &id, &err), CDB_EDB);
    assert_int_equal(err.code, CDB_EDB);
    assert_non_null(strstr(err.msg, "FOREIGN KEY"));
    assert_non_null(strstr(err.msg, e->path));
    f.page_id = page;
    f.document_id = 777;
    memset(&err, 0, sizeof err);
    assert_int_equal(store_fetch_add(e->st, &f, &id, &err), CDB_EDB);
    f.document_id = 0;
    f.redirect_page_id = 888;
    assert_int_equal(store_fetch_add(e->st, &f, &id, &err), CDB_EDB);
    assert_int_equal(db_int(e, "SELECT count(*) FROM fetches"), 0);
    assert_int_equal(store_link_add(e->st, page, 999, "a", NULL, false, &err),
                     CDB_EDB);
    assert_int_equal(db_int(e, "SELECT count(*) FROM links"), 0);
    assert_int_equal(store_page_add(e->st, &p, &id, &added, &err), CDB_EDB);
    assert_false(added);
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"), 1);
    /* The statements recover: a good row goes in afterwards. */
    f.redirect_page_id = 0;
    assert_int_equal(store_fetch_add(e->st, &f, &id, &err), CDB_OK);
    /* In a batch, a link's keys are checked at commit (schema 4): the
     * commit fails, names the file, and keeps nothing of the batch. */
    memset(&err, 0, sizeof err);
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_int_equal(store_link_add(e->st, page, page, "a", NULL, false, &err),
                     CDB_OK);
    assert_int_equal(store_link_add(e->st, page, 999, "a", NULL, false, &err),
                     CDB_OK);
    assert_int_equal(store_commit(e->st, &err), CDB_EDB);
    assert_non_null(strstr(err.msg, "FOREIGN KEY"));
    assert_non_null(strstr(err.msg, e->path));
    assert_false(store_in_batch(e->st));
    assert_int_equal(db_int(e, "SELECT count(*) FROM links"), 0);
    assert_int_equal(store_link_add(e->st, page, page, "a", NULL, false, &err),
                     CDB_OK);
    assert_int_equal(db_int(e, "SELECT count(*) FROM links"), 1);
}

/* SQLite rolls a batch back by itself when a statement of it fails for a
 * full file (the store's caller may not even look: a read's cache spill
 * can fail so). A write after that must not commit on its own, with ids
 * of rows that are gone, and the commit says that nothing was kept. */
static void test_store_batch_lost(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct page_new p = { .url = "http://a.example/after", .host_id = e->host };
    static char body[1 << 20];
    int64_t pages = db_int(e, "SELECT count(*) FROM pages"), id = 0;
    int64_t size = db_int(e, "SELECT page_count * page_size"
                             " FROM pragma_page_count, pragma_page_size");
    bool added = false;

    assert_int_equal(store_set_max_size(e->st, size + 32768, &err), CDB_OK);
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    add_page(e, "http://a.example/in-batch", 0);
    memset(body, 'x', sizeof body);
    assert_int_equal(store_doc_put(e->st, body, sizeof body, &id, &added, &err),
                     CDB_EFULL);
    assert_int_not_equal(store_page_add(e->st, &p, &id, &added, &err), CDB_OK);
    memset(&err, 0, sizeof err);
    assert_int_equal(store_commit(e->st, &err), CDB_EDB);
    assert_non_null(strstr(err.msg, "rolled the batch back"));
    assert_non_null(strstr(err.msg, e->path));
    assert_false(store_in_batch(e->st));
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"), pages);
    /* The next batch commits as usual. */
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    add_page(e, "http://a.example/next", 0);
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    assert_int_equal(db_int(e, "SELECT count(*) FROM pages"), pages + 1);
}

/* A text of n bytes: first, then "crumb " repeated (n > strlen(first)). */
static char *long_text(const char *first, size_t n)
{
    char *t = xcalloc(1, n + 1);
    size_t k = strlen(first);

    memcpy(t, first, k);
    for (size_t i = k; i < n; i++)
        t[i] = "crumb "[(i - k) % 6];
    return t;
}

/* The full-text rows a batch holds until its commit come out as they went
 * in: a missing title stays NULL, missing text is empty, several rows in a
 * row keep their own title and text; near the 2 MiB the batch holds, the
 * held rows go in first, and a text over it goes in at once. */
static void test_store_doc_text_rows(void **state)
{
    static const size_t sizes[] = { (size_t)3 << 19, (size_t)3 << 19,
                                    (size_t)5 << 19 }; /* 1.5, 1.5, 2.5 MiB */
    static const char *const firsts[] = { "alpha ", "beta ", "gamma " };
    struct env *e = *state;
    struct cdb_err err = { 0 };
    char out[64];

    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_int_equal(store_doc_text(e->st, 1, NULL, "first text", &err),
                     CDB_OK);
    assert_int_equal(store_doc_text(e->st, 2, "Second", NULL, &err), CDB_OK);
    assert_int_equal(store_doc_text(e->st, 3, "", "third text here", &err),
                     CDB_OK);
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    db_text(e,
            "SELECT quote(title) || '|' || text FROM doc_text"
            " WHERE rowid = 1",
            out, sizeof out);
    assert_string_equal(out, "NULL|first text");
    db_text(e,
            "SELECT quote(title) || '|' || text FROM doc_text"
            " WHERE rowid = 2",
            out, sizeof out);
    assert_string_equal(out, "'Second'|");
    db_text(e,
            "SELECT quote(title) || '|' || text FROM doc_text"
            " WHERE rowid = 3",
            out, sizeof out);
    assert_string_equal(out, "''|third text here");

    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    for (size_t i = 0; i < 3; i++) {
        char *t = long_text(firsts[i], sizes[i]);

        assert_int_equal(
            store_doc_text(e->st, 10 + (int64_t)i, "Long", t, &err), CDB_OK);
        free(t);
    }
    /* The first went in when the second did not fit beside it, the second
     * when the third did not; the third, over the bound, went in at once. */
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    assert_int_equal(db_int(e, "SELECT count(*) FROM doc_text"
                               " WHERE rowid BETWEEN 10 AND 12"),
                     3);
    for (size_t i = 0; i < 3; i++) {
        char sql[160];

        snprintf(sql, sizeof sql,
                 "SELECT length(text) FROM doc_text WHERE rowid = %zu", 10 + i);
        assert_int_equal(db_int(e, sql), (int64_t)sizes[i]);
        snprintf(sql, sizeof sql,
                 "SELECT rowid FROM doc_text WHERE doc_text MATCH '%.*s'",
                 (int)strlen(firsts[i]) - 1, firsts[i]);
        assert_int_equal(db_int(e, sql), (int64_t)(10 + i));
    }
}

/* A batch is full once it added 4 MiB of bodies and text (a body already
 * stored adds nothing), or once SQLite's page cache began to write its
 * changes out, whatever they were; a new batch starts empty. */
static void test_store_batch_full(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t page = add_page(e, "http://a.example/", 0), doc = 0, again = 0;
    size_t big = (size_t)3 << 20;
    char *body = long_text("body ", big);
    char *text = long_text("text ", (size_t)3 << 19); /* 1.5 MiB */
    char *headers = long_text("X-Filler: ", (size_t)12 << 20);
    struct fetch_row f = { .page_id = page, .length = -1 };
    bool added;

    assert_false(store_batch_full(e->st)); /* no batch */
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_false(store_batch_full(e->st));
    assert_int_equal(store_doc_put(e->st, body, big, &doc, &added, &err),
                     CDB_OK);
    assert_true(added);
    assert_false(store_batch_full(e->st)); /* 3 MiB */
    assert_int_equal(store_doc_text(e->st, doc, "T", text, &err), CDB_OK);
    assert_true(store_batch_full(e->st)); /* 4.5 MiB */
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    assert_false(store_batch_full(e->st));

    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_false(store_batch_full(e->st));
    assert_int_equal(store_doc_put(e->st, body, big, &again, &added, &err),
                     CDB_OK);
    assert_false(added);
    assert_int_equal(again, doc);
    assert_int_equal(store_doc_text(e->st, doc + 1, NULL, text, &err), CDB_OK);
    assert_false(store_batch_full(e->st)); /* 1.5 MiB: the body is known */
    assert_int_equal(store_commit(e->st, &err), CDB_OK);

    /* 12 MiB of headers counts as no body nor text, but its pages do not
     * fit in the 8 MiB cache. */
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    f.headers = headers;
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    assert_true(store_batch_full(e->st));
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_false(store_batch_full(e->st));
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    free(headers);
    free(text);
    free(body);
}

/* A mix of every write in one committed batch leaves integrity_check ok
 * and foreign_key_check empty (also checked after every test). */
static void test_store_integrity(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t a, b, doc = 0;
    struct fetch_row f = { .length = 5, .status = 200 };
    bool added;

    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    a = add_page(e, "http://a.example/", 0);
    b = add_page(e, "http://a.example/b", 1);
    assert_int_equal(store_doc_put(e->st, "hello", 5, &doc, &added, &err),
                     CDB_OK);
    assert_int_equal(store_doc_text(e->st, doc, "Title", "hello world", &err),
                     CDB_OK);
    f.page_id = a;
    f.document_id = doc;
    f.redirect_page_id = b;
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    assert_int_equal(store_link_add(e->st, a, b, "a", "b", false, &err),
                     CDB_OK);
    assert_int_equal(store_page_set_state(e->st, a, PAGE_DONE, NULL, &err),
                     CDB_OK);
    assert_int_equal(store_commit(e->st, &err), CDB_OK);
    check_sound(e->path);
    assert_int_equal(db_int(e, "SELECT count(*) FROM doc_text"
                               " WHERE doc_text MATCH 'world'"),
                     1);
    assert_int_equal(db_int(e, "SELECT count(*) FROM v_pages"
                               " WHERE title = 'Title'"),
                     1);
}

/* Only one crawl may hold a database: a second store on the same file is
 * refused with a message naming it, readers are not, and closing the
 * first frees the file for the next crawl. */
static void test_store_lock_crawl(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct store *other = NULL;
    struct fetch_row f = { .page_id = 999999, .status = 200, .length = -1 };
    int64_t n = -1, id = 0;

    /* Not within a batch, where SQLite would ignore the pragmas. */
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_int_equal(store_lock_crawl(e->st, &err), CDB_EDB);
    assert_non_null(strstr(err.msg, "within a transaction"));
    store_rollback(e->st);
    assert_int_equal(store_lock_crawl(e->st, &err), CDB_OK);
    assert_int_equal(store_lock_crawl(e->st, &err), CDB_OK); /* held */
    /* From here on SQLite does not look up the parents of the crawl's rows
     * (test_store_foreign_keys() shows that it does before): a fetch of a
     * missing page goes in. Rolled back, for the teardown's foreign_key_check.
     */
    assert_int_equal(store_begin(e->st, &err), CDB_OK);
    assert_int_equal(store_fetch_add(e->st, &f, &id, &err), CDB_OK);
    store_rollback(e->st);
    assert_int_equal(db_int(e, "SELECT count(*) FROM fetches"), 0);
    assert_int_equal(store_open(e->path, &other, &err), CDB_OK);
    assert_int_equal(store_lock_crawl(other, &err), CDB_EDB);
    assert_non_null(strstr(err.msg, e->path));
    assert_non_null(strstr(err.msg, "another crawl"));
    /* Reading is unaffected by the lock. */
    assert_int_equal(store_count_fetched(other, &n, &err), CDB_OK);
    assert_int_equal(n, 0);
    store_close(e->st);
    e->st = NULL;
    assert_int_equal(store_lock_crawl(other, &err), CDB_OK);
    e->st = other; /* the teardown closes it */
}

/* A crawl whose process died keeps saying 'running'; the next crawl, once
 * it holds the lock, ends it as interrupted when its last response came,
 * with its count of fetches. A reader cannot, and the new crawl's own row
 * is never touched. */
static void test_store_crawls_cut_off(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    struct store *next = NULL;
    int64_t page = add_page(e, "http://a.example/", 0), n = -1;
    struct fetch_row f = { .page_id = page, .length = -1 };
    char last[64], text[128];

    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    nanosleep(&(struct timespec){ 0, 5000000 }, NULL); /* a later time */
    assert_int_equal(store_fetch_add(e->st, &f, NULL, &err), CDB_OK);
    assert_int_equal(
        db_int(e, "SELECT count(DISTINCT fetched_at) FROM fetches"), 2);
    db_text(e, "SELECT max(fetched_at) FROM fetches", last, sizeof last);
    assert_int_equal(store_crawls_cut_off(e->st, &n, &err), CDB_EDB);
    assert_non_null(strstr(err.msg, e->path));
    store_close(e->st); /* as a killed process leaves it */
    e->st = NULL;
    assert_int_equal(store_open(e->path, &next, &err), CDB_OK);
    e->st = next; /* the teardown closes it */
    assert_int_equal(store_lock_crawl(next, &err), CDB_OK);
    assert_int_equal(store_crawls_cut_off(next, &n, &err), CDB_OK);
    assert_int_equal(n, 1);
    db_text(e, "SELECT status || ' ' || fetches || ' ' || ended_at FROM crawls",
            text, sizeof text);
    assert_true(strncmp(text, "interrupted 2 ", 14) == 0);
    assert_string_equal(text + 14, last);
    /* Again, and after this crawl's start: nothing more to end. */
    assert_int_equal(store_crawls_cut_off(next, &n, &err), CDB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_crawl_start(next, "s", "{}", &err), CDB_OK);
    assert_int_equal(store_crawls_cut_off(next, &n, &err), CDB_OK);
    assert_int_equal(n, 0);
    db_text(e, "SELECT group_concat(status) FROM crawls", text, sizeof text);
    assert_string_equal(text, "interrupted,running");
    /* One with no response ends when it started. */
    store_close(next);
    e->st = NULL;
    assert_int_equal(store_open(e->path, &next, &err), CDB_OK);
    e->st = next;
    assert_int_equal(store_lock_crawl(next, &err), CDB_OK);
    assert_int_equal(store_crawls_cut_off(next, &n, &err), CDB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(db_int(e, "SELECT ended_at = started_at AND fetches = 0"
                               " FROM crawls WHERE id = 2"),
                     1);
}

/* Whether the links_to index is in the file, and whether a query for a
 * page's inbound links uses it. */
static int64_t links_to_present(const struct env *e)
{
    return db_int(e, "SELECT count(*) FROM sqlite_schema WHERE"
                     " type = 'index' AND name = 'links_to'");
}

static bool links_to_used(const struct env *e)
{
    sqlite3 *db = raw_open(e->path);
    sqlite3_stmt *q = NULL;
    bool used = false;

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "EXPLAIN QUERY PLAN SELECT * FROM links"
                                        " WHERE to_page_id = 1",
                                        -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW)
        used |=
            strstr((const char *)sqlite3_column_text(q, 3), "links_to") != NULL;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return used;
}

/* A crawl into a file with few links builds the links_to index at its end
 * instead of row by row: it is gone while the crawl runs and back, and
 * used, once it ends. A crawl that never ended (killed) leaves it to the
 * next one. A file holding a million links keeps it through the crawl. */
static void test_store_links_to_deferred(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    int64_t a = add_page(e, "http://a.example/a", 0);
    int64_t b = add_page(e, "http://a.example/b", 1);
    sqlite3 *db;

    assert_int_equal(links_to_present(e), 1); /* no lock: not deferred */
    assert_int_equal(store_lock_crawl(e->st, &err), CDB_OK);
    assert_int_equal(store_crawl_start(e->st, "s", "{}", &err), CDB_OK);
    assert_int_equal(links_to_present(e), 0);
    assert_int_equal(store_link_add(e->st, a, b, "a", NULL, false, &err),
                     CDB_OK);
    assert_int_equal(store_crawl_end(e->st, "finished", &err), CDB_OK);
    assert_int_equal(links_to_present(e), 1);
    assert_true(links_to_used(e));

    /* Killed in the middle: the next crawl's end builds it. */
    assert_int_equal(store_crawl_start(e->st, "s", "{}", &err), CDB_OK);
    store_close(e->st);
    e->st = NULL;
    assert_int_equal(links_to_present(e), 0);
    assert_int_equal(store_open(e->path, &e->st, &err), CDB_OK);
    assert_int_equal(store_lock_crawl(e->st, &err), CDB_OK);
    assert_int_equal(store_crawl_start(e->st, "s", "{}", &err), CDB_OK);
    assert_int_equal(store_crawl_end(e->st, "finished", &err), CDB_OK);
    assert_int_equal(links_to_present(e), 1);
    assert_int_equal(db_int(e, "SELECT count(*) FROM links"
                               " WHERE to_page_id = 2"),
                     1);

    /* A big file: rebuilding would cost more than it saves. */
    db = raw_open(e->path);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO links(id, from_page_id,"
                                  " to_page_id, kind) VALUES (1000000, 2, 1,"
                                  " 'a')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_crawl_start(e->st, "s", "{}", &err), CDB_OK);
    assert_int_equal(links_to_present(e), 1);
    assert_int_equal(store_crawl_end(e->st, "finished", &err), CDB_OK);
    assert_int_equal(links_to_present(e), 1);
}

static long long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long long n = -1;

    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

/* During a crawl the WAL is checkpointed by a thread and started over once
 * 64 MiB long: through 210 MB of writes it stays under 96 MiB, the
 * database file
 * grows as the batches go (the copies happen during the crawl, not at
 * close), and everything is there and sound afterwards. */
static void test_store_wal_bounded(void **state)
{
    struct env *e = *state;
    struct cdb_err err = { 0 };
    char wal[128];
    unsigned char *body = xmalloc(64 << 10);
    long long max_wal = 0, db_mid = 0;
    uint64_t x = 88172645463325252ULL;

    env_path(e, wal, sizeof wal, "-wal");
    assert_int_equal(store_lock_crawl(e->st, &err), CDB_OK);
    for (int b = 0; b < 160; b++) {
        assert_int_equal(store_begin(e->st, &err), CDB_OK);
        for (int d = 0; d < 20; d++) {
            int64_t id = 0;
            bool added = false;

            for (size_t i = 0; i < (64 << 10); i++) { /* incompressible */
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                body[i] = (unsigned char)x;
            }
            assert_int_equal(
                store_doc_put(e->st, body, 64 << 10, &id, &added, &err),
                CDB_OK);
            assert_true(added);
        }
        assert_int_equal(store_commit(e->st, &err), CDB_OK);
        if (file_size(wal) > max_wal)
            max_wal = file_size(wal);
        if (b == 120)
            db_mid = file_size(e->path);
    }
    assert_true(max_wal > (long long)48 << 20); /* it did fill */
    assert_true(max_wal < (long long)96 << 20); /* and start over */
    assert_true(db_mid > (long long)100 << 20); /* copied as it went */
    store_close(e->st);
    e->st = NULL;
    assert_int_equal(store_open(e->path, &e->st, &err), CDB_OK);
    assert_int_equal(db_int(e, "SELECT count(*) FROM documents"), 3200);
    {
        char ok[64];

        db_text(e, "PRAGMA integrity_check", ok, sizeof ok);
        assert_string_equal(ok, "ok");
    }
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_open_schema, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_reopen_keeps_data, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_migrates_v3, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_migrates_v4, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_migrates_v5, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_refuses_foreign, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_refuses_non_sqlite, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_refuses_foreign_untouched,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_lock_crawl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_crawls_cut_off, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_links_to_deferred, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_wal_bounded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_refuses_newer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_page_add_idempotent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_page_add_fields, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_host_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_host_robots, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_lease_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_doc_put_dedup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_doc_put_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_fetch_add_minimal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_fetch_add_full, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_links_add_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_links_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_link_add_dedup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_text_verbatim, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_foreign_keys, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_batch_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_doc_text_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_store_batch_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_integrity, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
