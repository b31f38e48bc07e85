/* SQLite storage (see store.h). The only module that speaks SQL: every
 * statement is a constant below its function, prepared once in store_open()
 * and reset after each use; data only ever enters through bindings. The
 * schema comes from the files in schema/, compiled in. */
#define _DEFAULT_SOURCE /* flock() */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "cdb.h"
#include "schema.h"
#include "util.h"

#define APPLICATION_ID 0x63726462 /* "crdb" */
/* A crawl's WAL is checkpointed by a thread of its own each time this many
 * bytes of pages were added to it (SQLite's own automatic checkpoint runs
 * at every commit once the WAL holds 1,000 pages). Each round copies the
 * index pages that every batch changes once more: with a round after each
 * commit (a WAL of 4 MiB or more), 4 MiB batches (store_batch_full()) had
 * the thread copy 42,000 pages at 10,000 pages, with one every 16 MiB
 * 36,700 ... */
#define CHECKPOINT_BYTES ((int64_t)16 << 20)
/* ... and started over from its beginning once it holds this many. Each
 * start-over stalls the crawl thread while what is left is copied and
 * synced: at 16 MiB that was nearly every commit, 2.1 s of a 10,000-page
 * crawl's 12.5 s; at 64 MiB, 0.85 s (both with 500 ms batches of about
 * 30 MB, before store_batch_full(), and a round after every commit). */
#define CHECKPOINT_RESTART_BYTES ((int64_t)64 << 20)
/* Text for the full-text index held until the batch commits (or this much
 * is held). FTS5 writes its pending terms out as a new segment at every
 * statement savepoint, and until schema 4 every link insert opened one:
 * indexed page by page, each page became a segment of its own for FTS5 to
 * merge again, about 5 % of the crawl thread's time at 10,000 pages. The
 * rows still go in together, after the batch's other writes. */
#define FTS_PENDING_MAX ((size_t)2 << 20)
/* What precedes the title of a held FTS row (see struct store). The
 * lengths spare fts_flush() measuring each page's text again. */
#define FTS_ROW_HEAD (sizeof(int64_t) + 1 + 2 * sizeof(size_t))
/* Rows per store_links_add() call in store_links_copy(), the bytes of
 * kinds and anchors above which its buffer is not kept for the next, and
 * the most it holds (64 rows of crawldb's anchors take under 70 KiB). */
#define COPY_ROWS 64
#define COPY_KEEP ((size_t)64 << 10)
#define COPY_MAX  ((size_t)16 << 20)

/* Background checkpoints during a crawl: a second connection on a thread
 * copies the WAL into the database file while the crawl thread goes on
 * writing. Done on the writer's thread, as SQLite does by default, the
 * copy was about 8 % of that thread's time, and the thread is the crawl's
 * bottleneck. A PASSIVE checkpoint takes no lock a writer needs.
 *
 * SQLite starts the WAL over only when a write transaction begins on a
 * fully checkpointed WAL, and the crawl opens its next batch right after
 * each commit. So once the WAL is CHECKPOINT_RESTART_BYTES long, a commit
 * waits for the thread to copy what is left (what came since the last
 * round was asked for: CHECKPOINT_BYTES and a batch at most; the rest is
 * copied already) before the next batch begins: the WAL stays bounded. */
struct checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t due_cond, done_cond;
    bool due, stop, running;
    uint64_t rounds; /* checkpoints finished */
    int frames;      /* in the WAL after the last commit (crawl thread) */
    int due_frames;  /* in the WAL when a round was last asked for */
    int start_frames, restart_frames; /* the two bounds above, in pages */
    sqlite3 *db;
};
/* The page cache, see store_open() ... */
#define SQL_CACHE_SIZE "PRAGMA cache_size=-8192"
/* ... and the bytes of bodies and text after which a batch is full (see
 * store_batch_full()): half the cache, so that a batch's changed pages
 * fit in it beside the pages the crawl keeps reading. */
#define BATCH_DATA_MAX ((int64_t)4 << 20)
#define NOW_SQL        "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

struct store {
    sqlite3 *db;
    char *path;
    int lock_fd; /* held by a crawl; -1: none */
    int64_t crawl_id;
    bool in_batch;
    bool batch_lost;    /* SQLite rolled the open batch back (on_rollback) */
    int64_t batch_data; /* bytes of bodies and text the open batch added */
    int64_t max_bytes;  /* store_set_max_size(); 0: none */
    sqlite3_stmt *begin, *commit, *rollback;
    sqlite3_stmt *crawl_start, *crawl_end;
    sqlite3_stmt *host_find, *host_add, *robots_get, *robots_set;
    sqlite3_stmt *page_find, *page_add, *page_state, *lease;
    sqlite3_stmt *doc_find, *doc_add, *doc_text;
    sqlite3_stmt *fetch_add, *link_add, *links_add_4, *links_add_16;
    sqlite3_stmt *count_fetched;
    sqlite3_stmt *validators, *requeue, *host_fail, *count_range;
    sqlite3_stmt *count_host, *links_gone, *links_seen;
    sqlite3_stmt *links_of, *page_doc_url;
    struct checkpointer *ckpt; /* while a crawl holds the file */
    bool links_to_missing; /* the links_to index is to be built at crawl end */
    /* store_doc_text() rows not yet inserted: per row FTS_ROW_HEAD bytes
     * (the document id, int64_t; a byte telling whether a title follows;
     * the lengths of title and text, size_t each), then the title and the
     * text, each NUL-terminated. */
    struct buf fts_pending;
    struct buf copy_text; /* store_links_copy()'s kinds and anchors */
};

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_CRAWL_START[] =
    "INSERT INTO crawls(started_at, seeds, options) VALUES (" NOW_SQL
    ", ?1, ?2)";
static const char SQL_CRAWL_END[] =
    "UPDATE crawls SET ended_at = " NOW_SQL ", status = ?2,"
    " fetches = (SELECT count(*) FROM fetches WHERE crawl_id = ?1)"
    " WHERE id = ?1";
static const char SQL_HOST_FIND[] =
    "SELECT id FROM hosts WHERE scheme = ?1 AND name = ?2 AND port = ?3";
static const char SQL_HOST_ADD[] =
    "INSERT INTO hosts(scheme, name, port) VALUES (?1, ?2, ?3)";
static const char SQL_ROBOTS_GET[] =
    "SELECT robots_status, robots_txt FROM hosts WHERE id = ?1";
static const char SQL_ROBOTS_SET[] =
    "UPDATE hosts SET robots_status = ?2, robots_txt = ?3,"
    " robots_fetched_at = " NOW_SQL " WHERE id = ?1";
static const char SQL_PAGE_FIND[] =
    "SELECT id, state = 'skipped' AND reason = 'nofollow' FROM pages"
    " WHERE url = ?1";
static const char SQL_PAGE_ADD[] =
    "INSERT INTO pages(url, host_id, depth, hops, state, reason,"
    " found_crawl_id, found_at, sitemap, lastmod) VALUES (?1, ?2, ?3, ?4, ?5,"
    " ?6, ?7, " NOW_SQL ", ?8, ?9) ON CONFLICT(url) DO NOTHING";
static const char SQL_PAGE_STATE[] =
    "UPDATE pages SET state = ?2, reason = ?3 WHERE id = ?1";
static const char SQL_LEASE[] =
    "SELECT id, host_id, depth, hops, url, sitemap FROM pages"
    " WHERE state = 'queued' AND (depth > ?1 OR (depth = ?1 AND id > ?2))"
    " ORDER BY depth, id LIMIT ?3";
static const char SQL_DOC_FIND[] = "SELECT id FROM documents WHERE sha256 = ?1";
static const char SQL_DOC_ADD[] =
    "INSERT INTO documents(sha256, size, body) VALUES (?1, ?2, ?3)";
static const char SQL_DOC_TEXT[] =
    "INSERT INTO doc_text(rowid, title, text) VALUES (?1, ?2, ?3)";
static const char SQL_FETCH_ADD[] =
    "INSERT INTO fetches(page_id, crawl_id, fetched_at, duration_ms, status,"
    " content_type, length, truncated, headers, etag, last_modified,"
    " redirect_page_id, error, document_id, attempt, noindex, nofollow,"
    " conditional, links_refused) VALUES (?1, ?2, " NOW_SQL
    ", ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18)";
/* A link seen again is marked seen by this run (and not gone). */
#define SQL_LINK_UPSERT                                                        \
    " ON CONFLICT(from_page_id, to_page_id, kind) DO UPDATE SET"               \
    " seen_crawl_id = excluded.seen_crawl_id, gone_crawl_id = NULL"            \
    " WHERE seen_crawl_id IS NOT excluded.seen_crawl_id"                       \
    " OR gone_crawl_id IS NOT NULL"
/* OR IGNORE, with the deferred foreign keys of schema 4, leaves these
 * statements nothing to abort on part-way, so SQLite opens no statement
 * journal for them (see schema/004-deferred-links.sql). It would skip a
 * row with a NULL or a nofollow other than 0 or 1, which the store never
 * binds; a missing page still fails, at commit, where the keys are
 * checked (not in a crawl: see store_lock_crawl()). */
static const char SQL_LINK_ADD[] =
    "INSERT OR IGNORE INTO links(from_page_id, to_page_id, kind, anchor,"
    " nofollow, seen_crawl_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)" SQL_LINK_UPSERT;
/* The links still on page ?1, in the order they were added: the rows that
 * store_links_copy() gives another page. INSERT ... SELECT from links into
 * links cost 1.7 times as much a row as the multi-row inserts below, for
 * SQLite first copies the rows it reads into a temporary table (the two
 * are the same table) and sorts them there. A page's links are added
 * together, so they are one run of ids: read in id order from the table,
 * not row by row through the index on from_page_id (the unary + keeps the
 * planner off it), which took a third of the copy. Ids of other pages
 * within the run, if any, are passed over. */
static const char SQL_LINKS_OF[] =
    "SELECT to_page_id, kind, anchor, nofollow FROM links"
    " WHERE id BETWEEN (SELECT min(id) FROM links WHERE from_page_id = ?1)"
    " AND (SELECT max(id) FROM links WHERE from_page_id = ?1)"
    " AND +from_page_id = ?1 AND gone_crawl_id IS NULL ORDER BY id";
/* Page ?1 if this run (?3) found it and one of its fetches got the
 * document of hash ?2 (store_page_with_doc()). */
static const char SQL_PAGE_DOC_URL[] =
    "SELECT p.url, p.depth, f.content_type FROM pages p, fetches f,"
    " documents d WHERE p.id = ?1 AND p.found_crawl_id = ?3"
    " AND f.page_id = p.id AND d.id = f.document_id AND d.sha256 = ?2"
    " LIMIT 1";
/* The same for 16 and for 4 links of one page at once: ?1 is the page, ?2
 * the run, then to_page_id, kind, anchor, nofollow per link. A page's ~30
 * links in a few statements instead of ~30: each statement sets up its
 * foreign-key checks and upsert, which made a one-row insert cost 1.7
 * times what a row of a 16-row insert costs. */
#define SQL_LINKS_INSERT                                                       \
    "INSERT OR IGNORE INTO links(from_page_id, to_page_id, kind, anchor,"      \
    " nofollow, seen_crawl_id) VALUES"
static const char SQL_LINKS_ADD_4[] =
    SQL_LINKS_INSERT " (?1, ?3, ?4, ?5, ?6, ?2)"
                     " ,(?1, ?7, ?8, ?9, ?10, ?2)"
                     " ,(?1, ?11, ?12, ?13, ?14, ?2)"
                     " ,(?1, ?15, ?16, ?17, ?18, ?2)" SQL_LINK_UPSERT;
static const char SQL_LINKS_ADD_16[] =
    SQL_LINKS_INSERT " (?1, ?3, ?4, ?5, ?6, ?2)"
                     " ,(?1, ?7, ?8, ?9, ?10, ?2)"
                     " ,(?1, ?11, ?12, ?13, ?14, ?2)"
                     " ,(?1, ?15, ?16, ?17, ?18, ?2)"
                     " ,(?1, ?19, ?20, ?21, ?22, ?2)"
                     " ,(?1, ?23, ?24, ?25, ?26, ?2)"
                     " ,(?1, ?27, ?28, ?29, ?30, ?2)"
                     " ,(?1, ?31, ?32, ?33, ?34, ?2)"
                     " ,(?1, ?35, ?36, ?37, ?38, ?2)"
                     " ,(?1, ?39, ?40, ?41, ?42, ?2)"
                     " ,(?1, ?43, ?44, ?45, ?46, ?2)"
                     " ,(?1, ?47, ?48, ?49, ?50, ?2)"
                     " ,(?1, ?51, ?52, ?53, ?54, ?2)"
                     " ,(?1, ?55, ?56, ?57, ?58, ?2)"
                     " ,(?1, ?59, ?60, ?61, ?62, ?2)"
                     " ,(?1, ?63, ?64, ?65, ?66, ?2)" SQL_LINK_UPSERT;
static const char SQL_VALIDATORS[] =
    "SELECT etag, last_modified, document_id FROM fetches WHERE page_id = ?1"
    " AND status BETWEEN 200 AND 299 AND document_id IS NOT NULL"
    " ORDER BY id DESC LIMIT 1";
static const char SQL_REQUEUE[] =
    "UPDATE pages SET state = 'queued', reason = NULL"
    " WHERE state IN ('done', 'failed')";
static const char SQL_HOST_FAIL[] =
    "UPDATE pages SET state = 'failed', reason = ?2"
    " WHERE host_id = ?1 AND state = 'queued'";
static const char SQL_COUNT_RANGE[] =
    "SELECT count(*) FROM pages WHERE url >= ?1 AND url < ?2";
static const char SQL_COUNT_HOST[] =
    "SELECT count(*) FROM pages WHERE host_id = ?1 AND state <> 'skipped'";
static const char SQL_LINKS_GONE[] =
    "UPDATE links SET gone_crawl_id = ?2 WHERE from_page_id = ?1"
    " AND seen_crawl_id IS NOT ?2 AND gone_crawl_id IS NULL";
static const char SQL_LINKS_SEEN[] =
    "UPDATE links SET seen_crawl_id = ?2 WHERE from_page_id = ?1"
    " AND gone_crawl_id IS NULL";
static const char SQL_COUNT_FETCHED[] =
    "SELECT count(*) FROM pages WHERE state IN ('done', 'failed')";

static const char *const state_names[] = { "queued", "done", "failed",
                                           "skipped" };

const char *store_sqlite_version(void)
{
    return sqlite3_libversion();
}

const char *store_state_name(enum page_state s)
{
    return state_names[s];
}

/* Did the last call fail because the database is full: its page limit
 * (SQLITE_FULL) or no space left on the disk (SQLITE_FULL, or an I/O error
 * with ENOSPC, e.g. growing the -shm file)? */
static bool db_full(const struct store *st)
{
    int e = sqlite3_errcode(st->db);

    return e == SQLITE_FULL ||
           (e == SQLITE_IOERR && sqlite3_system_errno(st->db) == ENOSPC);
}

/* The one message of a full database, with what to do about it. */
static int full_fail(struct store *st, struct cdb_err *err, const char *what)
{
    char limit[64] = "no space left on the disk";

    if (st->max_bytes > 0 && st->max_bytes % (1 << 20) == 0)
        snprintf(limit, sizeof limit, "--max-db-size %lld MiB, or the disk",
                 (long long)(st->max_bytes >> 20));
    else if (st->max_bytes > 0)
        snprintf(limit, sizeof limit, "size limit %lld KiB, or the disk",
                 (long long)(st->max_bytes >> 10));
    return cdb_fail(err, CDB_EFULL,
                    "database '%s' is full (%s): cannot %s; free space or "
                    "raise --max-db-size and run again to resume",
                    st->path, limit, what);
}

static int db_fail(struct store *st, struct cdb_err *err, const char *what)
{
    if (db_full(st))
        return full_fail(st, err, what);
    return cdb_fail(err, CDB_EDB, "cannot %s in '%s': %s", what, st->path,
                    sqlite3_errmsg(st->db));
}

/* Run SQL text that takes no parameters (schema, pragmas). */
static int exec_sql(struct store *st, const char *sql, const char *what,
                    struct cdb_err *err)
{
    char *msg = NULL;
    int s = sqlite3_exec(st->db, sql, NULL, NULL, &msg), rc = CDB_OK;

    if (s != SQLITE_OK && db_full(st))
        rc = full_fail(st, err, what);
    else if (s != SQLITE_OK)
        rc = cdb_fail(err, CDB_EDB, "cannot %s in '%s': %s", what, st->path,
                      msg ? msg : sqlite3_errmsg(st->db));
    sqlite3_free(msg);
    return rc;
}

static int pragma_int(struct store *st, const char *sql, int *out,
                      struct cdb_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = CDB_OK;

    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW)
        rc = db_fail(st, err, "read the schema version");
    else
        *out = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return rc;
}

/* After a step that rewrote sqlite_schema itself (writable_schema), tell
 * every connection to read the schema again, this one too. */
static int bump_schema_version(struct store *st, struct cdb_err *err)
{
    int cookie = 0;
    char sql[64];
    int rc = pragma_int(st, "PRAGMA schema_version", &cookie, err);

    if (rc != CDB_OK)
        return rc;
    /* A pragma takes no parameters: the number is SQLite's, not data. */
    snprintf(sql, sizeof sql, "PRAGMA schema_version=%d", cookie + 1);
    return exec_sql(st, sql, "set the schema version", err);
}

/* Bring the file to STORE_SCHEMA_VERSION, one step a transaction. */
static int migrate(struct store *st, struct cdb_err *err)
{
    static const char *const steps[] = {
        schema_001_init,         schema_002_politeness,
        schema_003_lean_links,   schema_004_deferred_links,
        schema_005_plain_checks, schema_006_fts_merge
    };
    int version = 0, app = 0, defensive = 0, rc;
    char sql[128];

    rc = pragma_int(st, "PRAGMA application_id", &app, err);
    if (rc == CDB_OK)
        rc = pragma_int(st, "PRAGMA user_version", &version, err);
    if (rc != CDB_OK)
        return rc;
    if (app != 0 && app != APPLICATION_ID)
        return cdb_fail(err, CDB_EDB, "'%s' is not a crawldb database",
                        st->path);
    if (version > STORE_SCHEMA_VERSION)
        return cdb_fail(err, CDB_EDB,
                        "'%s' has schema version %d, newer than this "
                        "crawldb's %d: upgrade crawldb",
                        st->path, version, STORE_SCHEMA_VERSION);
    if (app == 0 && version == 0) {
        /* A non-empty file that is not ours must not be written to. */
        int tables = 0;

        rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema", &tables, err);
        if (rc != CDB_OK)
            return rc;
        if (tables > 0)
            return cdb_fail(err, CDB_EDB, "'%s' is not a crawldb database",
                            st->path);
        /* 16 KiB pages for a new file: a body of the bench site's ~20 KB
         * spans two pages instead of five, and every page the WAL, the
         * checkpoints and the cache handle costs a system call or two. A
         * 10,000-page crawl took 14 % less time (medians of 4 interleaved
         * runs) for 9 % more disk; 8 KiB gained 10 %. */
        rc = exec_sql(st, "PRAGMA page_size=16384", "create the schema", err);
        if (rc != CDB_OK)
            return rc;
    }
    /* Schema 5 writes sqlite_schema (writable_schema), which a SQLite that
     * is defensive by default would refuse: off for the steps only. */
    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
    if (defensive)
        sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)NULL);
    for (int v = version; v < STORE_SCHEMA_VERSION && rc == CDB_OK; v++) {
        rc = exec_sql(st, "BEGIN IMMEDIATE", "start a migration", err);
        if (rc == CDB_OK)
            rc = exec_sql(st, steps[v], "create the schema", err);
        if (rc == CDB_OK && steps[v] == schema_005_plain_checks)
            rc = bump_schema_version(st, err);
        snprintf(sql, sizeof sql,
                 "PRAGMA application_id=%d; PRAGMA user_version=%d",
                 APPLICATION_ID, v + 1);
        if (rc == CDB_OK)
            rc = exec_sql(st, sql, "set the schema version", err);
        if (rc == CDB_OK)
            rc = exec_sql(st, "COMMIT", "commit a migration", err);
        else
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
    /* A step that failed half-way may have left it on (a pragma is no part
     * of the transaction). */
    sqlite3_exec(st->db, "PRAGMA writable_schema=OFF", NULL, NULL, NULL);
    if (defensive)
        sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    return rc;
}

/* Our statements and their SQL, for preparing and finalizing them all. */
struct stmt_def {
    const char *sql;
    sqlite3_stmt **q;
};

static size_t stmt_defs(struct store *st, struct stmt_def *out)
{
    const struct stmt_def all[] = {
        { SQL_BEGIN, &st->begin },
        { SQL_COMMIT, &st->commit },
        { SQL_ROLLBACK, &st->rollback },
        { SQL_CRAWL_START, &st->crawl_start },
        { SQL_CRAWL_END, &st->crawl_end },
        { SQL_HOST_FIND, &st->host_find },
        { SQL_HOST_ADD, &st->host_add },
        { SQL_ROBOTS_GET, &st->robots_get },
        { SQL_ROBOTS_SET, &st->robots_set },
        { SQL_PAGE_FIND, &st->page_find },
        { SQL_PAGE_ADD, &st->page_add },
        { SQL_PAGE_STATE, &st->page_state },
        { SQL_LEASE, &st->lease },
        { SQL_DOC_FIND, &st->doc_find },
        { SQL_DOC_ADD, &st->doc_add },
        { SQL_DOC_TEXT, &st->doc_text },
        { SQL_FETCH_ADD, &st->fetch_add },
        { SQL_LINK_ADD, &st->link_add },
        { SQL_LINKS_ADD_4, &st->links_add_4 },
        { SQL_LINKS_ADD_16, &st->links_add_16 },
        { SQL_COUNT_FETCHED, &st->count_fetched },
        { SQL_VALIDATORS, &st->validators },
        { SQL_REQUEUE, &st->requeue },
        { SQL_HOST_FAIL, &st->host_fail },
        { SQL_COUNT_RANGE, &st->count_range },
        { SQL_COUNT_HOST, &st->count_host },
        { SQL_LINKS_GONE, &st->links_gone },
        { SQL_LINKS_SEEN, &st->links_seen },
        { SQL_LINKS_OF, &st->links_of },
        { SQL_PAGE_DOC_URL, &st->page_doc_url },
    };

    memcpy(out, all, sizeof all);
    return sizeof all / sizeof all[0];
}

#define MAX_STMTS 32

static int prepare_all(struct store *st, struct cdb_err *err)
{
    struct stmt_def all[MAX_STMTS];
    size_t n = stmt_defs(st, all);

    for (size_t i = 0; i < n; i++)
        if (sqlite3_prepare_v3(st->db, all[i].sql, -1,
                               SQLITE_PREPARE_PERSISTENT, all[i].q,
                               NULL) != SQLITE_OK)
            return db_fail(st, err, "prepare a statement");
    return CDB_OK;
}

/* Recreate the views in one transaction, so that no reader finds one
 * missing. A running crawl holds the write lock between its batches nearly
 * all the time: then the views it made stay, and opening does not wait up
 * to the busy timeout for it (`stats` reads at once, a second crawl is
 * refused at once by store_lock_crawl()). */
static int views_create(struct store *st, struct cdb_err *err)
{
    int s, rc;

    sqlite3_busy_timeout(st->db, 0);
    s = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_busy_timeout(st->db, 5000);
    if (s == SQLITE_BUSY)
        return CDB_OK;
    if (s != SQLITE_OK)
        return db_fail(st, err, "create the views");
    rc = exec_sql(st, schema_views, "create the views", err);
    if (rc == CDB_OK)
        rc = exec_sql(st, "COMMIT", "create the views", err);
    else
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* A statement that fails with SQLITE_FULL, SQLITE_IOERR or SQLITE_NOMEM
 * may make SQLite roll the whole transaction back, a read among them (its
 * cache spill may fail). The store then no longer holds the batch that its
 * caller's ids came from, and a write after it would commit on its own:
 * on_commit() refuses every commit until store_commit() or
 * store_rollback() has ended the batch, and store_commit() reports it. */
static void on_rollback(void *arg)
{
    struct store *st = arg;

    if (st->in_batch)
        st->batch_lost = true;
}

static int on_commit(void *arg)
{
    const struct store *st = arg;

    return st->batch_lost; /* not 0: SQLite rolls back instead */
}

void store_global_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, struct store **out, struct cdb_err *err)
{
    struct store *st = xcalloc(1, sizeof *st);
    int rc = CDB_OK;

    *out = NULL;
    st->lock_fd = -1;
    st->path = xstrdup(path);
    buf_init(&st->fts_pending, FTS_PENDING_MAX);
    buf_init(&st->copy_text, COPY_MAX);
    /* A connection is only ever used by the thread that opened it: no
     * mutex of its own (SQLITE_OPEN_NOMUTEX). */
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        rc =
            cdb_fail(err, st->db ? CDB_EDB : CDB_ENOMEM, "cannot open '%s': %s",
                     path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
    if (rc == CDB_OK) {
        sqlite3_busy_timeout(st->db, 5000);
        sqlite3_rollback_hook(st->db, on_rollback, st);
        sqlite3_commit_hook(st->db, on_commit, st);
        rc = exec_sql(st, "PRAGMA foreign_keys=ON", "set up", err);
    }
    if (rc == CDB_OK)
        rc = migrate(st, err);
    /* Only once the file is known to be ours. 8 MiB of page cache: the hot
     * parts of the indexes (pages.url, links, FTS) stay in memory instead of
     * being read again page after page; a fixed bound, so memory stays flat
     * as the file grows. secure_delete, on in Debian's SQLite, zeroes what a
     * write frees (FTS5's merged segments, a page's old row): nothing here
     * is secret from the file's reader, and the zeroing was 1 % of the
     * instructions of a crawl. */
    if (rc == CDB_OK)
        rc = exec_sql(st,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      " PRAGMA secure_delete=OFF; " SQL_CACHE_SIZE,
                      "set up", err);
    if (rc == CDB_OK)
        rc = views_create(st, err);
    if (rc == CDB_OK)
        rc = prepare_all(st, err);
    if (rc != CDB_OK) {
        store_close(st);
        return rc;
    }
    *out = st;
    return CDB_OK;
}

static void checkpointer_stop(struct store *st);
static void checkpointer_catch_up(struct checkpointer *ck);

void store_close(struct store *st)
{
    struct stmt_def all[MAX_STMTS];
    size_t n;

    if (!st)
        return;
    checkpointer_stop(st); /* the last close checkpoints what is left */
    if (st->lock_fd >= 0)
        close(st->lock_fd); /* releases the crawl lock */
    if (st->db && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    /* Only ours: FTS5 keeps statements of its own and finalizes them. */
    n = stmt_defs(st, all);
    for (size_t i = 0; i < n; i++)
        sqlite3_finalize(*all[i].q);
    sqlite3_close(st->db);
    buf_release(&st->fts_pending);
    buf_release(&st->copy_text);
    free(st->path);
    free(st);
}

/* Step a statement that returns no rows, then reset it. */
static int step_done(struct store *st, sqlite3_stmt *q, const char *what,
                     struct cdb_err *err)
{
    int rc = sqlite3_step(q) == SQLITE_DONE ? CDB_OK : db_fail(st, err, what);

    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

int store_begin(struct store *st, struct cdb_err *err)
{
    int rc;

    if (st->in_batch)
        return CDB_OK;
    rc = step_done(st, st->begin, "begin a transaction", err);
    st->in_batch = rc == CDB_OK;
    st->batch_lost = false;
    st->batch_data = 0;
    if (st->in_batch) { /* count the pages spilled in this batch only */
        int cur, hi;

        sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_SPILL, &cur, &hi, 1);
    }
    return rc;
}

/* A batch larger than the page cache costs twice. Once the cache is full
 * of the batch's changes, SQLite evicts every page that was only read (the
 * index pages each link and URL lookup needs), so they are read from the
 * file again and again; and it spills changed pages to the WAL one at a
 * time, oldest first: the hot index pages, which the batch changes again,
 * so SQLite overwrites their frames and at commit reads back every frame
 * after the first of them to checksum it again. At 10,000 pages, with
 * batches of 500 ms (about 30 MB of bodies and text), the crawl thread
 * read 33,000 WAL frames back and 62,000 database pages; with batches of
 * 4 MiB, 4,000 and 18,500, and the process made 32 % fewer reads and
 * writes of the files (181,000 system calls instead of 266,000, the
 * checkpoint thread's included; CHECKPOINT_BYTES). Either bound ends the
 * batch: the bytes, or a spill that the bytes did not foresee. */
bool store_batch_full(struct store *st)
{
    int spilled = 0, hi;

    if (!st->in_batch)
        return false;
    if (st->batch_data >= BATCH_DATA_MAX)
        return true;
    sqlite3_db_status(st->db, SQLITE_DBSTATUS_CACHE_SPILL, &spilled, &hi, 0);
    return spilled > 0;
}

/* Bound with their length unknown (-1): SQLite 3.40 marks only such text
 * as NUL-terminated, and FTS5, which reads it with sqlite3_value_text(),
 * would otherwise copy each page's text to terminate it. */
static int fts_insert(struct store *st, int64_t doc_id, const char *title,
                      const char *text, struct cdb_err *err)
{
    sqlite3_stmt *q = st->doc_text;

    sqlite3_bind_int64(q, 1, doc_id);
    if (title)
        sqlite3_bind_text(q, 2, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, text ? text : "", -1, SQLITE_STATIC);
    return step_done(st, q, "index the text of a document", err);
}

/* Insert the held rows of the full-text index, all in a row. */
static int fts_flush(struct store *st, struct cdb_err *err)
{
    const char *p = st->fts_pending.data;
    const char *end = p + st->fts_pending.len;
    int rc = CDB_OK;

    while (rc == CDB_OK && p && p < end) {
        int64_t doc_id;
        bool has_title;
        size_t nt, nx;
        const char *title, *text;

        memcpy(&doc_id, p, sizeof doc_id);
        has_title = p[sizeof doc_id] != 0;
        memcpy(&nt, p + sizeof doc_id + 1, sizeof nt);
        memcpy(&nx, p + sizeof doc_id + 1 + sizeof nt, sizeof nx);
        title = p + FTS_ROW_HEAD;
        text = title + nt + 1;
        p = text + nx + 1;
        rc = fts_insert(st, doc_id, has_title ? title : NULL, text, err);
    }
    buf_reset(&st->fts_pending);
    return rc;
}

int store_commit(struct store *st, struct cdb_err *err)
{
    int rc;

    if (!st->in_batch)
        return CDB_OK;
    if (st->batch_lost) {
        buf_reset(&st->fts_pending);
        rc = cdb_fail(err, CDB_EDB,
                      "cannot commit in '%s': SQLite rolled the batch back "
                      "after an error, and nothing of it is kept",
                      st->path);
    } else {
        rc = fts_flush(st, err);
    }
    if (rc == CDB_OK)
        rc = step_done(st, st->commit, "commit", err);
    if (rc != CDB_OK) /* e.g. disk full: nothing of the batch is kept */
        step_done(st, st->rollback, "roll back", NULL);
    else
        checkpointer_catch_up(st->ckpt);
    st->in_batch = false;
    st->batch_lost = false;
    st->batch_data = 0;
    return rc;
}

bool store_in_batch(const struct store *st)
{
    return st->in_batch;
}

void store_rollback(struct store *st)
{
    /* SQLite may have rolled back already (it may on SQLITE_FULL): then
     * this ROLLBACK fails harmlessly. */
    if (st->in_batch)
        step_done(st, st->rollback, "roll back", NULL);
    st->in_batch = false;
    st->batch_lost = false;
    st->batch_data = 0;
    buf_reset(&st->fts_pending);
}

/* The links_to index (links by target) is built once at the end of a crawl
 * instead of row by row: its keys arrive in no order, so every batch dirtied
 * nearly every leaf of it, and each commit wrote the whole index to the WAL
 * again (a fifth of a 10,000-page crawl's time). Sorting once is cheap; on a
 * file that already holds LINKS_TO_KEEP links, rebuilding would cost more
 * than a crawl saves, so the index is kept. A crawl that was killed leaves
 * it missing until the next crawl ends; queries are right without it, only
 * slower. The crawl itself never looks links up by target. */
#define LINKS_TO_KEEP 1000000

static int stat_int(struct store *st, const char *sql, int64_t *out,
                    struct cdb_err *err);
static const char SQL_LINKS_TO_FIND[] =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
    " AND name = 'links_to'";
static const char SQL_LINKS_TO_CREATE[] =
    "CREATE INDEX IF NOT EXISTS links_to ON links(to_page_id)";

static int links_to_defer(struct store *st, struct cdb_err *err)
{
    int64_t have = 0, links = 0;
    int rc = stat_int(st, SQL_LINKS_TO_FIND, &have, err);

    if (rc == CDB_OK && have)
        rc =
            stat_int(st, "SELECT coalesce(max(id), 0) FROM links", &links, err);
    if (rc == CDB_OK && have && links < LINKS_TO_KEEP)
        rc = exec_sql(st, "DROP INDEX links_to", "set up", err);
    if (rc == CDB_OK)
        st->links_to_missing = !have || links < LINKS_TO_KEEP;
    return rc;
}

/* Sorting the keys may take more memory than the page cache: the sorter's
 * runs go to temporary files, not to memory (temp_store=MEMORY is for the
 * crawl's statement journals). Each run in memory is as large as the page
 * cache, so the cache shrinks while the index is built: with it whole,
 * peak RSS rose by 8 MB at the end of a 10,000-page crawl. */
static int links_to_build(struct store *st, struct cdb_err *err)
{
    int rc = exec_sql(st, "PRAGMA temp_store=DEFAULT; PRAGMA cache_size=-2048",
                      "set up", err);

    if (rc == CDB_OK)
        rc =
            exec_sql(st, SQL_LINKS_TO_CREATE, "index the links by target", err);
    if (rc == CDB_OK)
        st->links_to_missing = false;
    /* The cache comes back whether or not the index was built. */
    if (sqlite3_exec(st->db, SQL_CACHE_SIZE, NULL, NULL, NULL) != SQLITE_OK &&
        rc == CDB_OK)
        rc = db_fail(st, err, "set up");
    return rc;
}

int store_crawl_start(struct store *st, const char *seeds, const char *options,
                      struct cdb_err *err)
{
    sqlite3_stmt *q = st->crawl_start;
    int rc;

    if (st->lock_fd >= 0) {
        rc = links_to_defer(st, err);
        if (rc != CDB_OK)
            return rc;
    }
    sqlite3_bind_text(q, 1, seeds, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, options, -1, SQLITE_TRANSIENT);
    rc = step_done(st, q, "record the crawl", err);
    if (rc == CDB_OK)
        st->crawl_id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* Crawls still 'running' while this process holds the crawl lock were cut
 * off: killed, or their machine stopped. They end as interrupted, when
 * their last response came (or when they started, if none did). */
int store_crawls_cut_off(struct store *st, int64_t *n, struct cdb_err *err)
{
    static const char sql[] =
        "UPDATE crawls SET status = 'interrupted',"
        " ended_at = coalesce((SELECT fetched_at FROM fetches"
        " WHERE crawl_id = crawls.id ORDER BY id DESC LIMIT 1), started_at),"
        " fetches = (SELECT count(*) FROM fetches WHERE crawl_id = crawls.id)"
        " WHERE status = 'running' AND id IS NOT ?1";
    sqlite3_stmt *q = NULL;
    int rc;

    *n = 0;
    if (st->lock_fd < 0)
        return cdb_fail(err, CDB_EDB,
                        "'%s': only a crawl may end cut-off crawls", st->path);
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return db_fail(st, err, "end the cut-off crawls");
    }
    if (st->crawl_id > 0) /* never this process's own */
        sqlite3_bind_int64(q, 1, st->crawl_id);
    rc = step_done(st, q, "end the cut-off crawls", err);
    if (rc == CDB_OK)
        *n = sqlite3_changes(st->db);
    sqlite3_finalize(q);
    return rc;
}

int64_t store_crawl_id(const struct store *st)
{
    return st->crawl_id;
}

int store_last_seeds(struct store *st, char **seeds, struct cdb_err *err)
{
    sqlite3_stmt *q = NULL;
    int s, rc = CDB_OK;

    *seeds = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT seeds FROM crawls ORDER BY id DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return db_fail(st, err, "read the seeds");
    }
    s = sqlite3_step(q);
    if (s == SQLITE_ROW)
        *seeds = xstrdup((const char *)sqlite3_column_text(q, 0));
    else if (s != SQLITE_DONE)
        rc = db_fail(st, err, "read the seeds");
    sqlite3_finalize(q);
    return rc;
}

int store_crawl_end(struct store *st, const char *status, struct cdb_err *err)
{
    sqlite3_stmt *q = st->crawl_end;
    int rc;

    /* The index first: a run killed while it is built is not ended. */
    rc = st->links_to_missing ? links_to_build(st, err) : CDB_OK;
    sqlite3_bind_int64(q, 1, st->crawl_id);
    sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
    if (rc == CDB_OK)
        rc = step_done(st, q, "record the end of the crawl", err);
    else /* e.g. a full disk: the end is recorded all the same */
        step_done(st, q, "record the end of the crawl", NULL);
    return rc;
}

/* Step a query for one integer; *out is 0 when there is no row. */
static int one_int(struct store *st, sqlite3_stmt *q, int64_t *out,
                   const char *what, struct cdb_err *err)
{
    int s = sqlite3_step(q), rc = CDB_OK;

    *out = 0;
    if (s == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    else if (s != SQLITE_DONE)
        rc = db_fail(st, err, what);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

int store_host_id(struct store *st, const char *scheme, const char *name,
                  int port, int64_t *id, struct cdb_err *err)
{
    sqlite3_stmt *q = st->host_find;
    int rc;

    sqlite3_bind_text(q, 1, scheme, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 3, port);
    rc = one_int(st, q, id, "look up a host", err);
    if (rc != CDB_OK || *id)
        return rc;
    q = st->host_add;
    sqlite3_bind_text(q, 1, scheme, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 3, port);
    rc = step_done(st, q, "add a host", err);
    if (rc == CDB_OK)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int store_host_robots_get(struct store *st, int64_t host_id, bool *known,
                          int *status, char **body, size_t *len,
                          struct cdb_err *err)
{
    sqlite3_stmt *q = st->robots_get;
    int s, rc = CDB_OK;

    *known = false;
    *status = 0;
    *body = NULL;
    *len = 0;
    sqlite3_bind_int64(q, 1, host_id);
    s = sqlite3_step(q);
    if (s == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        const void *p = sqlite3_column_blob(q, 1);
        size_t n = (size_t)sqlite3_column_bytes(q, 1);

        *known = true;
        *status = sqlite3_column_int(q, 0);
        if (p) {
            *body = xstrndup(p, n);
            *len = n;
        }
    } else if (s != SQLITE_ROW && s != SQLITE_DONE) {
        rc = db_fail(st, err, "read robots.txt of a host");
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

int store_host_robots_set(struct store *st, int64_t host_id, int status,
                          const char *body, size_t len, struct cdb_err *err)
{
    sqlite3_stmt *q = st->robots_set;

    sqlite3_bind_int64(q, 1, host_id);
    sqlite3_bind_int(q, 2, status);
    if (body)
        sqlite3_bind_blob64(q, 3, body, len, SQLITE_STATIC);
    return step_done(st, q, "record robots.txt of a host", err);
}

int store_page_find(struct store *st, const char *url, int64_t *id,
                    struct cdb_err *err)
{
    sqlite3_stmt *q = st->page_find;

    sqlite3_bind_text(q, 1, url, -1, SQLITE_STATIC);
    return one_int(st, q, id, "look up a page", err);
}

int store_page_find_nofollowed(struct store *st, const char *url, int64_t *id,
                               bool *nofollowed, struct cdb_err *err)
{
    sqlite3_stmt *q = st->page_find;
    int s, rc = CDB_OK;

    *id = 0;
    *nofollowed = false;
    sqlite3_bind_text(q, 1, url, -1, SQLITE_STATIC);
    s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        *nofollowed = sqlite3_column_int(q, 1) != 0;
    } else if (s != SQLITE_DONE) {
        rc = db_fail(st, err, "look up a page");
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

int store_page_add(struct store *st, const struct page_new *p, int64_t *id,
                   bool *added, struct cdb_err *err)
{
    sqlite3_stmt *q = st->page_add;
    int rc;

    /* One probe of the url index: the insert itself finds a known URL. */
    *added = false;
    *id = 0;
    sqlite3_bind_text(q, 1, p->url, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, p->host_id);
    sqlite3_bind_int(q, 3, p->depth);
    sqlite3_bind_int(q, 4, p->hops);
    sqlite3_bind_text(q, 5, state_names[p->state], -1, SQLITE_STATIC);
    if (p->reason)
        sqlite3_bind_text(q, 6, p->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, st->crawl_id);
    sqlite3_bind_int(q, 8, p->sitemap);
    if (p->lastmod)
        sqlite3_bind_text(q, 9, p->lastmod, -1, SQLITE_STATIC);
    rc = step_done(st, q, "add a page", err);
    if (rc == CDB_OK && sqlite3_changes(st->db) > 0) {
        *id = sqlite3_last_insert_rowid(st->db);
        *added = true;
    } else if (rc == CDB_OK) { /* known: DO NOTHING changed no row */
        rc = store_page_find(st, p->url, id, err);
    }
    return rc;
}

int store_page_set_state(struct store *st, int64_t page_id,
                         enum page_state state, const char *reason,
                         struct cdb_err *err)
{
    sqlite3_stmt *q = st->page_state;

    sqlite3_bind_int64(q, 1, page_id);
    sqlite3_bind_text(q, 2, state_names[state], -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(q, 3, reason, -1, SQLITE_TRANSIENT);
    return step_done(st, q, "set the state of a page", err);
}

int store_lease(struct store *st, int after_depth, int64_t after_id,
                struct lease *out, size_t max, size_t *n, struct cdb_err *err)
{
    sqlite3_stmt *q = st->lease;
    int s = SQLITE_DONE, rc = CDB_OK;

    *n = 0;
    sqlite3_bind_int(q, 1, after_depth);
    sqlite3_bind_int64(q, 2, after_id);
    sqlite3_bind_int64(q, 3, (int64_t)max);
    while (*n < max && (s = sqlite3_step(q)) == SQLITE_ROW) {
        struct lease *l = &out[(*n)++];

        l->id = sqlite3_column_int64(q, 0);
        l->host_id = sqlite3_column_int64(q, 1);
        l->depth = sqlite3_column_int(q, 2);
        l->hops = sqlite3_column_int(q, 3);
        l->url = xstrdup((const char *)sqlite3_column_text(q, 4));
        l->sitemap = sqlite3_column_int(q, 5);
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        rc = db_fail(st, err, "read the frontier");
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

void store_lease_release(struct lease *l)
{
    free(l->url);
    l->url = NULL;
}

int store_doc_put(struct store *st, const void *body, size_t len, int64_t *id,
                  bool *added, struct cdb_err *err)
{
    char hex[65];

    sha256_hex(body, len, hex);
    return store_doc_put_hashed(st, hex, body, len, id, added, err);
}

int store_doc_put_hashed(struct store *st, const char hex[65], const void *body,
                         size_t len, int64_t *id, bool *added,
                         struct cdb_err *err)
{
    sqlite3_stmt *q = st->doc_find;
    int rc;

    *added = false;
    sqlite3_bind_text(q, 1, hex, 64, SQLITE_STATIC);
    rc = one_int(st, q, id, "look up a document", err);
    if (rc != CDB_OK || *id)
        return rc;
    q = st->doc_add;
    sqlite3_bind_text(q, 1, hex, 64, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (int64_t)len);
    sqlite3_bind_blob64(q, 3, len ? body : "", len, SQLITE_STATIC);
    rc = step_done(st, q, "store a document", err);
    if (rc == CDB_OK) {
        st->batch_data += (int64_t)len;
        *id = sqlite3_last_insert_rowid(st->db);
        *added = true;
    }
    return rc;
}

int store_doc_text(struct store *st, int64_t doc_id, const char *title,
                   const char *text, struct cdb_err *err)
{
    size_t nt = title ? strlen(title) : 0;
    size_t nx = text ? strlen(text) : 0;
    size_t need = FTS_ROW_HEAD + nt + 1 + nx + 1;
    char *p;

    st->batch_data += (int64_t)(nt + nx);

    /* Held for the commit (see FTS_PENDING_MAX); out of a batch, or past
     * the bound, inserted now. */
    if (st->fts_pending.len + need > FTS_PENDING_MAX) {
        int rc = fts_flush(st, err);

        if (rc != CDB_OK || need > FTS_PENDING_MAX)
            return rc == CDB_OK ? fts_insert(st, doc_id, title, text, err) : rc;
    }
    if (buf_reserve(&st->fts_pending, need) != CDB_OK) /* cannot be */
        return fts_insert(st, doc_id, title, text, err);
    p = st->fts_pending.data + st->fts_pending.len;
    memcpy(p, &doc_id, sizeof doc_id);
    p[sizeof doc_id] = title != NULL;
    memcpy(p + sizeof doc_id + 1, &nt, sizeof nt);
    memcpy(p + sizeof doc_id + 1 + sizeof nt, &nx, sizeof nx);
    p += FTS_ROW_HEAD;
    memcpy(p, title ? title : "", nt + 1);
    memcpy(p + nt + 1, text ? text : "", nx + 1);
    st->fts_pending.len += need;
    st->fts_pending.data[st->fts_pending.len] = '\0';
    return st->in_batch ? CDB_OK : fts_flush(st, err);
}

static void bind_opt_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
}

static void bind_opt_id(sqlite3_stmt *q, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(q, i, id);
}

int store_fetch_add(struct store *st, const struct fetch_row *f, int64_t *id,
                    struct cdb_err *err)
{
    sqlite3_stmt *q = st->fetch_add;
    int rc;

    sqlite3_bind_int64(q, 1, f->page_id);
    sqlite3_bind_int64(q, 2, st->crawl_id);
    sqlite3_bind_int64(q, 3, f->duration_ms);
    if (f->status > 0)
        sqlite3_bind_int(q, 4, f->status);
    bind_opt_text(q, 5, f->content_type);
    if (f->length >= 0)
        sqlite3_bind_int64(q, 6, f->length);
    sqlite3_bind_int(q, 7, f->truncated);
    bind_opt_text(q, 8, f->headers);
    bind_opt_text(q, 9, f->etag);
    bind_opt_text(q, 10, f->last_modified);
    bind_opt_id(q, 11, f->redirect_page_id);
    bind_opt_text(q, 12, f->error);
    bind_opt_id(q, 13, f->document_id);
    sqlite3_bind_int(q, 14, f->attempt > 0 ? f->attempt : 1);
    sqlite3_bind_int(q, 15, f->noindex);
    sqlite3_bind_int(q, 16, f->nofollow);
    sqlite3_bind_int(q, 17, f->conditional);
    sqlite3_bind_int64(q, 18, f->links_refused);
    rc = step_done(st, q, "record a fetch", err);
    if (rc == CDB_OK && id)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int store_link_add(struct store *st, int64_t from_page_id, int64_t to_page_id,
                   const char *kind, const char *anchor, bool nofollow,
                   struct cdb_err *err)
{
    sqlite3_stmt *q = st->link_add;

    sqlite3_bind_int64(q, 1, from_page_id);
    sqlite3_bind_int64(q, 2, to_page_id);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
    bind_opt_text(q, 4, anchor);
    sqlite3_bind_int(q, 5, nofollow);
    sqlite3_bind_int64(q, 6, st->crawl_id);
    return step_done(st, q, "add a link", err);
}

int store_links_add(struct store *st, int64_t from_page_id,
                    const struct link_row *rows, size_t n, struct cdb_err *err)
{
    int rc = CDB_OK;

    while (rc == CDB_OK && n >= 4) {
        size_t k = n >= 16 ? 16 : 4;
        sqlite3_stmt *q = k == 16 ? st->links_add_16 : st->links_add_4;

        sqlite3_bind_int64(q, 1, from_page_id);
        sqlite3_bind_int64(q, 2, st->crawl_id);
        for (size_t i = 0; i < k; i++) {
            sqlite3_bind_int64(q, 3 + 4 * i, rows[i].to_page_id);
            sqlite3_bind_text(q, 4 + 4 * i, rows[i].kind, -1, SQLITE_STATIC);
            bind_opt_text(q, 5 + 4 * i, rows[i].anchor);
            sqlite3_bind_int(q, 6 + 4 * i, rows[i].nofollow);
        }
        rc = step_done(st, q, "add links", err);
        rows += k;
        n -= k;
    }
    for (size_t i = 0; rc == CDB_OK && i < n; i++)
        rc = store_link_add(st, from_page_id, rows[i].to_page_id, rows[i].kind,
                            rows[i].anchor, rows[i].nofollow, err);
    return rc;
}

static char *column_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);

    return t ? xstrdup((const char *)t) : NULL;
}

int store_page_with_doc(struct store *st, int64_t page_id, const char *sha256,
                        char **url, int *depth, char **content_type,
                        struct cdb_err *err)
{
    sqlite3_stmt *q = st->page_doc_url;
    int s, rc = CDB_OK;

    *url = *content_type = NULL;
    *depth = 0;
    sqlite3_bind_int64(q, 1, page_id);
    sqlite3_bind_text(q, 2, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, st->crawl_id);
    s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        *url = column_dup(q, 0);
        *depth = sqlite3_column_int(q, 1);
        *content_type = column_dup(q, 2);
    } else if (s != SQLITE_DONE) {
        rc = db_fail(st, err, "look up a page's document");
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

/* Add the n rows read into text (kind and anchor offsets in off[][], the
 * anchor's SIZE_MAX for none) as links of from_page_id. */
static int copy_flush(struct store *st, int64_t from_page_id,
                      struct link_row *rows, size_t off[][2], size_t n,
                      const struct buf *text, struct cdb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        rows[i].kind = text->data + off[i][0];
        rows[i].anchor = off[i][1] == SIZE_MAX ? NULL : text->data + off[i][1];
    }
    return store_links_add(st, from_page_id, rows, n, err);
}

/* Append s with its NUL to text and set *off to where it starts (SIZE_MAX
 * for no s). False if it did not fit. */
static bool copy_text(struct buf *text, const char *s, size_t *off)
{
    *off = s ? text->len : SIZE_MAX;
    return !s || buf_add(text, s, strlen(s) + 1) == CDB_OK;
}

int store_links_copy(struct store *st, int64_t from_page_id,
                     int64_t src_page_id, int64_t *n, struct cdb_err *err)
{
    sqlite3_stmt *q = st->links_of;
    struct link_row rows[COPY_ROWS];
    size_t off[COPY_ROWS][2], k = 0;
    int s = SQLITE_DONE, rc = CDB_OK;

    *n = 0;
    buf_reset(&st->copy_text);
    sqlite3_bind_int64(q, 1, src_page_id);
    /* The rows stream in id order while earlier ones are added: the bounds
     * of the range are fixed before the first row, and the new rows have
     * larger ids and belong to from_page_id, so none of them is read. */
    while (rc == CDB_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
        /* The type first: after a conversion by sqlite3_column_text() it is
         * undefined. */
        bool no_anchor = sqlite3_column_type(q, 2) == SQLITE_NULL;
        int64_t to = sqlite3_column_int64(q, 0);
        const char *kind = (const char *)sqlite3_column_text(q, 1);
        const char *anchor = (const char *)sqlite3_column_text(q, 2);

        if (k == COPY_ROWS) {
            rc =
                copy_flush(st, from_page_id, rows, off, k, &st->copy_text, err);
            buf_reset(&st->copy_text);
            k = 0;
            if (rc != CDB_OK)
                break;
        }
        /* A link to the page itself leads the copy to itself. */
        rows[k].to_page_id = to == src_page_id ? from_page_id : to;
        rows[k].nofollow = sqlite3_column_int(q, 3) != 0;
        /* kind is NOT NULL: no text where there is a value means SQLite
         * ran out of memory. */
        if (!kind || (!anchor && !no_anchor)) {
            rc = db_fail(st, err, "read the links of a page");
            break;
        }
        if (!copy_text(&st->copy_text, kind, &off[k][0]) ||
            !copy_text(&st->copy_text, anchor, &off[k][1])) {
            rc = cdb_fail(err, CDB_ELIMIT,
                          "cannot copy the links of page %lld to page %lld in"
                          " '%s': their kinds and anchors pass %zu bytes",
                          (long long)src_page_id, (long long)from_page_id,
                          st->path, COPY_MAX);
            break;
        }
        k++;
        (*n)++;
    }
    if (rc == CDB_OK && s != SQLITE_DONE)
        rc = db_fail(st, err, "read the links of a page");
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc == CDB_OK && k > 0)
        rc = copy_flush(st, from_page_id, rows, off, k, &st->copy_text, err);
    if (st->copy_text.cap > COPY_KEEP)
        buf_release(&st->copy_text); /* memory stays flat */
    if (rc != CDB_OK)
        *n = 0;
    return rc;
}

int store_page_validators(struct store *st, int64_t page_id, char **etag,
                          char **last_modified, int64_t *document_id,
                          struct cdb_err *err)
{
    sqlite3_stmt *q = st->validators;
    int s, rc = CDB_OK;

    *etag = *last_modified = NULL;
    *document_id = 0;
    sqlite3_bind_int64(q, 1, page_id);
    s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        *etag = column_dup(q, 0);
        *last_modified = column_dup(q, 1);
        *document_id = sqlite3_column_int64(q, 2);
    } else if (s != SQLITE_DONE) {
        rc = db_fail(st, err, "read the validators of a page");
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

int store_requeue_all(struct store *st, int64_t *n, struct cdb_err *err)
{
    int rc = step_done(st, st->requeue, "queue pages again", err);

    *n = rc == CDB_OK ? sqlite3_changes64(st->db) : 0;
    return rc;
}

int store_host_fail_queued(struct store *st, int64_t host_id,
                           const char *reason, int64_t *n, struct cdb_err *err)
{
    sqlite3_stmt *q = st->host_fail;
    int rc;

    sqlite3_bind_int64(q, 1, host_id);
    sqlite3_bind_text(q, 2, reason, -1, SQLITE_TRANSIENT);
    rc = step_done(st, q, "fail the pages of a host", err);
    *n = rc == CDB_OK ? sqlite3_changes64(st->db) : 0;
    return rc;
}

int store_count_url_range(struct store *st, const char *lo, const char *hi,
                          int64_t *n, struct cdb_err *err)
{
    sqlite3_stmt *q = st->count_range;

    sqlite3_bind_text(q, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, hi, -1, SQLITE_STATIC);
    return one_int(st, q, n, "count pages", err);
}

int store_count_host_pages(struct store *st, int64_t host_id, int64_t *n,
                           struct cdb_err *err)
{
    sqlite3_stmt *q = st->count_host;

    sqlite3_bind_int64(q, 1, host_id);
    return one_int(st, q, n, "count the pages of a host", err);
}

static int links_mark(struct store *st, sqlite3_stmt *q, int64_t page_id,
                      struct cdb_err *err)
{
    sqlite3_bind_int64(q, 1, page_id);
    sqlite3_bind_int64(q, 2, st->crawl_id);
    return step_done(st, q, "update the links of a page", err);
}

int store_links_gone(struct store *st, int64_t from_page_id,
                     struct cdb_err *err)
{
    return links_mark(st, st->links_gone, from_page_id, err);
}

int store_links_seen(struct store *st, int64_t from_page_id,
                     struct cdb_err *err)
{
    return links_mark(st, st->links_seen, from_page_id, err);
}

int store_count_fetched(struct store *st, int64_t *n, struct cdb_err *err)
{
    return one_int(st, st->count_fetched, n, "count fetched pages", err);
}

/* Stats are read rarely: statements are prepared on the spot. */
static int stat_int(struct store *st, const char *sql, int64_t *out,
                    struct cdb_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc;

    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return db_fail(st, err, "compute statistics");
    }
    rc = one_int(st, q, out, "compute statistics", err);
    sqlite3_finalize(q);
    return rc;
}

static int stat_double(struct store *st, const char *sql, double *out,
                       struct cdb_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = CDB_OK;

    *out = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW)
        rc = db_fail(st, err, "compute statistics");
    else
        *out = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    return rc;
}

/* Rows of (name, count), at most 1000 of them. */
static int stat_counts(struct store *st, const char *sql,
                       struct store_count **out, size_t *n, struct cdb_err *err)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    int s = SQLITE_ERROR;

    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
        while (*n < 1000 && (s = sqlite3_step(q)) == SQLITE_ROW) {
            const unsigned char *name = sqlite3_column_text(q, 0);

            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *out = xrealloc(*out, cap * sizeof **out);
            }
            (*out)[*n].name = xstrdup(name ? (const char *)name : "");
            (*out)[(*n)++].n = sqlite3_column_int64(q, 1);
        }
    }
    sqlite3_finalize(q);
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return db_fail(st, err, "compute statistics");
    return CDB_OK;
}

int store_stats(struct store *st, struct store_stats *o, struct cdb_err *err)
{
    const struct {
        const char *sql;
        int64_t *out;
    } ints[] = {
        { "SELECT count(*) FROM pages", &o->pages },
        { "SELECT count(*) FROM pages WHERE state='queued'", &o->queued },
        { "SELECT count(*) FROM pages WHERE state='done'", &o->done },
        { "SELECT count(*) FROM pages WHERE state='failed'", &o->failed },
        { "SELECT count(*) FROM pages WHERE state='skipped'", &o->skipped },
        { "SELECT count(*) FROM hosts", &o->hosts },
        { "SELECT count(*) FROM documents", &o->documents },
        { "SELECT coalesce(sum(size),0) FROM documents", &o->document_bytes },
        { "SELECT count(*) FROM links", &o->links },
        { "SELECT count(*) FROM fetches", &o->fetches },
        { "SELECT count(*) FROM fetches WHERE status IS NULL"
          " OR status >= 400 OR error IS NOT NULL",
          &o->errors },
        { "SELECT count(*) FROM fetches WHERE truncated", &o->truncated },
        { "SELECT count(*) FROM crawls", &o->crawls },
    };
    int rc = CDB_OK;

    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < sizeof ints / sizeof ints[0] && rc == CDB_OK; i++)
        rc = stat_int(st, ints[i].sql, ints[i].out, err);
    if (rc == CDB_OK)
        rc = stat_double(
            st,
            "SELECT coalesce(sum((julianday(coalesce(ended_at,"
            " (SELECT max(fetched_at) FROM fetches f WHERE f.crawl_id ="
            " c.id), started_at)) - julianday(started_at)) * 86400), 0)"
            " FROM crawls c",
            &o->duration_s, err);
    if (rc == CDB_OK)
        rc = stat_counts(st,
                         "SELECT coalesce(status, 'none'), count(*) FROM"
                         " fetches GROUP BY status ORDER BY status",
                         &o->by_status, &o->n_status, err);
    if (rc == CDB_OK)
        rc = stat_counts(st,
                         "SELECT state || ': ' || coalesce(reason, '?'),"
                         " count(*) FROM pages WHERE state IN ('failed',"
                         " 'skipped') GROUP BY 1 ORDER BY 2 DESC, 1",
                         &o->by_reason, &o->n_reason, err);
    if (rc == CDB_OK)
        rc = stat_counts(st,
                         "SELECT kind, count(*) FROM links GROUP BY kind"
                         " ORDER BY 2 DESC, 1",
                         &o->by_kind, &o->n_kind, err);
    if (rc != CDB_OK)
        store_stats_release(o);
    return rc;
}

static void counts_free(struct store_count *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].name);
    free(c);
}

void store_stats_release(struct store_stats *s)
{
    counts_free(s->by_status, s->n_status);
    counts_free(s->by_reason, s->n_reason);
    counts_free(s->by_kind, s->n_kind);
    s->by_status = s->by_reason = s->by_kind = NULL;
    s->n_status = s->n_reason = s->n_kind = 0;
}

int store_set_max_size(struct store *st, int64_t max_bytes, struct cdb_err *err)
{
    sqlite3_stmt *q = NULL;
    int64_t page_size = 0, pages, got = 0;
    char sql[64];
    int rc;

    rc = stat_int(st, "PRAGMA page_size", &page_size, err);
    if (rc != CDB_OK)
        return rc;
    pages = page_size > 0 ? max_bytes / page_size : 0;
    /* A pragma takes no parameters: the number is ours, not data. */
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld",
             (long long)(pages > 0 ? pages : 1));
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return db_fail(st, err, "set the size limit");
    }
    rc = one_int(st, q, &got, "set the size limit", err);
    sqlite3_finalize(q);
    st->max_bytes = max_bytes;
    /* SQLite keeps a limit below the file's size at that size. */
    if (rc == CDB_OK && got > pages) {
        snprintf(sql, sizeof sql, "grow past the %lld KiB it holds",
                 (long long)(got * page_size >> 10));
        rc = full_fail(st, err, sql);
    }
    return rc;
}

static void *checkpointer_main(void *arg)
{
    struct checkpointer *ck = arg;

    pthread_mutex_lock(&ck->lock);
    for (;;) {
        while (!ck->due && !ck->stop)
            pthread_cond_wait(&ck->due_cond, &ck->lock);
        if (ck->stop)
            break;
        ck->due = false;
        ck->running = true;
        pthread_mutex_unlock(&ck->lock);
        /* Failures (a full disk, a reader in the way) leave the frames in
         * the WAL, where they are safe: the next round or the last close
         * copies them. */
        sqlite3_wal_checkpoint_v2(ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                  NULL);
        pthread_mutex_lock(&ck->lock);
        ck->rounds++;
        ck->running = false;
        pthread_cond_broadcast(&ck->done_cond);
    }
    pthread_mutex_unlock(&ck->lock);
    return NULL;
}

/* After each commit of the crawl's connection (it replaces SQLite's own
 * automatic checkpoint). */
static int on_wal_commit(void *ctx, sqlite3 *db, const char *name, int frames)
{
    struct checkpointer *ck = ctx;

    (void)db;
    (void)name;
    if (frames < ck->frames) /* the WAL started over */
        ck->due_frames = 0;
    ck->frames = frames;
    if (frames - ck->due_frames >= ck->start_frames) {
        ck->due_frames = frames;
        pthread_mutex_lock(&ck->lock);
        ck->due = true;
        pthread_cond_signal(&ck->due_cond);
        pthread_mutex_unlock(&ck->lock);
    }
    return SQLITE_OK;
}

static int checkpointer_start(struct store *st, struct cdb_err *err)
{
    struct checkpointer *ck;
    int64_t page_size = 0;
    int e = stat_int(st, "PRAGMA page_size", &page_size, err);

    if (e != CDB_OK)
        return e;
    if (page_size <= 0)
        page_size = 4096;
    ck = xcalloc(1, sizeof *ck);
    ck->start_frames = (int)(CHECKPOINT_BYTES / page_size);
    ck->restart_frames = (int)(CHECKPOINT_RESTART_BYTES / page_size);
    if (sqlite3_open_v2(st->path, &ck->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        int rc = cdb_fail(err, CDB_EDB, "cannot open '%s': %s", st->path,
                          ck->db ? sqlite3_errmsg(ck->db) : "out of memory");

        sqlite3_close(ck->db);
        free(ck);
        return rc;
    }
    /* A connection knows the file is in WAL mode once it has read it. */
    sqlite3_busy_timeout(ck->db, 5000);
    if (sqlite3_exec(ck->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL,
                     NULL) != SQLITE_OK) {
        int rc = cdb_fail(err, CDB_EDB, "cannot read '%s': %s", st->path,
                          sqlite3_errmsg(ck->db));

        sqlite3_close(ck->db);
        free(ck);
        return rc;
    }
    pthread_mutex_init(&ck->lock, NULL);
    pthread_cond_init(&ck->due_cond, NULL);
    pthread_cond_init(&ck->done_cond, NULL);
    e = pthread_create(&ck->thread, NULL, checkpointer_main, ck);
    if (e != 0) {
        pthread_cond_destroy(&ck->done_cond);
        pthread_cond_destroy(&ck->due_cond);
        pthread_mutex_destroy(&ck->lock);
        sqlite3_close(ck->db);
        free(ck);
        return cdb_fail(err, CDB_ENOMEM,
                        "cannot start the checkpoint thread of '%s': %s",
                        st->path, strerror(e));
    }
    st->ckpt = ck;
    sqlite3_wal_hook(st->db, on_wal_commit, ck);
    return CDB_OK;
}

/* After a commit: when the WAL is long, wait for a checkpoint that started
 * after the commit, so that the next transaction starts the WAL over. */
static void checkpointer_catch_up(struct checkpointer *ck)
{
    uint64_t want;

    if (!ck || ck->frames < ck->restart_frames)
        return;
    pthread_mutex_lock(&ck->lock);
    want = ck->rounds + (ck->running ? 2 : 1); /* that one may be older */
    ck->due = true;
    pthread_cond_signal(&ck->due_cond);
    while (ck->rounds < want && !ck->stop)
        pthread_cond_wait(&ck->done_cond, &ck->lock);
    pthread_mutex_unlock(&ck->lock);
}

static void checkpointer_stop(struct store *st)
{
    struct checkpointer *ck = st->ckpt;

    if (!ck)
        return;
    sqlite3_wal_hook(st->db, NULL, NULL);
    sqlite3_wal_autocheckpoint(st->db, ck->start_frames);
    pthread_mutex_lock(&ck->lock);
    ck->stop = true;
    pthread_cond_signal(&ck->due_cond);
    pthread_mutex_unlock(&ck->lock);
    pthread_join(ck->thread, NULL);
    pthread_cond_destroy(&ck->done_cond);
    pthread_cond_destroy(&ck->due_cond);
    pthread_mutex_destroy(&ck->lock);
    sqlite3_close(ck->db);
    free(ck);
    st->ckpt = NULL;
}

/* An flock() on the database file, apart from SQLite's own fcntl() locks
 * (on Linux the two do not interact): readers are never blocked, a second
 * crawler is refused. */
int store_lock_crawl(struct store *st, struct cdb_err *err)
{
    if (st->lock_fd >= 0)
        return CDB_OK;
    if (!sqlite3_get_autocommit(st->db)) /* the pragmas would not apply */
        return cdb_fail(err, CDB_EDB,
                        "cannot set up '%s' for a crawl within a transaction",
                        st->path);
    st->lock_fd = open(st->path, O_RDONLY | O_CLOEXEC);
    if (st->lock_fd < 0)
        return cdb_fail(err, CDB_EIO, "cannot open '%s': %s", st->path,
                        strerror(errno));
    if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;

        close(st->lock_fd);
        st->lock_fd = -1;
        return cdb_fail(err, CDB_EDB,
                        e == EWOULDBLOCK
                            ? "cannot crawl into '%s': another crawl is "
                              "running on it"
                            : "cannot lock '%s' for a crawl",
                        st->path);
    }
    /* A statement that changes several rows and may fail part-way keeps a
     * statement journal of the pages it changes; past 64 KiB SQLite writes
     * it to a temporary file unless temporary storage is memory. The link
     * inserts, which kept 100-200 KiB, need none since schema 4; others
     * (store_host_fail_queued()'s update, for one) still may. */
    if (sqlite3_exec(st->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL) !=
        SQLITE_OK)
        return db_fail(st, err, "set up");
    /* The crawl writes only ids it has read from this file or written to
     * it in the open batch, and it ends at the first failed commit: its
     * rows cannot point at a missing row. SQLite's check of each key looks
     * the parent row up, and a link's target is anywhere in `pages`: once
     * that table outgrows the page cache, most link rows read a B-tree
     * page back from the file for it. At 100,000 pages that was 2.7
     * million of the crawl thread's 4.1 million reads. The keys stay
     * declared: foreign_key_check passes (the integration tests run it as
     * each test ends), and other connections with the pragma on,
     * store_open() among them, enforce them. */
    if (sqlite3_exec(st->db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL) !=
        SQLITE_OK)
        return db_fail(st, err, "set up");
    return checkpointer_start(st, err);
}
