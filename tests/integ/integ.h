/* Helpers shared by the integration tests: a fixture server and a fresh
 * temporary database per test, one crawl_run() in-process, and assertions
 * in SQL through sqlite3 directly. Each tests/integ/test_*.c includes it
 * after cmocka.h; the functions are static inline so that a test program
 * that does not use one of them builds without a warning. */
#ifndef CRAWLDB_INTEG_H
#define CRAWLDB_INTEG_H

#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <sqlite3.h>

#include "cdb.h"
#include "crawl.h"
#include "fixture.h"
#include "store.h"
#include "util.h"

#define ENV_URLS 4 /* URLs env_url() keeps valid at once */

/* One test's world: its server, its temporary directory and database. */
struct env {
    struct fixture *fx;
    int idle_threads; /* this process's threads with the fixture idle */
    char dir[64];
    char db[96];
    char urls[ENV_URLS][512];
    int next_url;
};

/* The threads of this process now (the entries of /proc/self/task). */
static inline int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *de;
    int n = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Start a fixture on routes (and files under docroot, may be NULL) and
 * make an empty temporary directory for the database. */
static inline void env_start(struct env *e, const struct fixture_route *routes,
                             size_t n, const char *docroot)
{
    struct cdb_err err = { 0 };

    memset(e, 0, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/crawldb-integ-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->db, sizeof e->db, "%s/crawl.db", e->dir);
    e->fx = fixture_start(routes, n, docroot, &err);
    if (!e->fx)
        fail_msg("%s", err.msg);
    e->idle_threads = thread_count();
}

/* fork() once the fixture's connection threads are gone. GCC 12's
 * AddressSanitizer takes no lock around fork(): a child forked while
 * another thread is inside its allocator waits for that lock for ever at
 * its first malloc() (test_resume's "a resumed crawl made no request";
 * gdb showed the child in the allocator's mutex). With no connection open
 * the fixture's one listening thread sits in poll(), so the thread count
 * env_start() saw is the safe one. Waits at most 10 s. */
static inline pid_t env_fork(const struct env *e)
{
    int64_t until = now_ms() + 10000;

    while (thread_count() > e->idle_threads && now_ms() < until) {
        struct timespec ms = { 0, 1000000 };

        nanosleep(&ms, NULL);
    }
    fflush(NULL);
    return fork();
}

/* Remove the database file of path with its WAL and shared-memory files. */
static inline void db_remove(const char *path)
{
    char aux[160];

    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

static inline void assert_db_file_sound(const char *path);

/* Stop the fixture and remove the database, which must be sound whatever
 * the test did to it: a crawl does not have SQLite check its foreign keys
 * (store_lock_crawl()), so this is where a wrong id would show. */
static inline void env_stop(struct env *e)
{
    fixture_stop(e->fx);
    e->fx = NULL;
    if (access(e->db, F_OK) == 0)
        assert_db_file_sound(e->db);
    db_remove(e->db);
    rmdir(e->dir);
}

/* The fixture's origin followed by path; valid for ENV_URLS more calls. */
static inline const char *env_url(struct env *e, const char *path)
{
    char *u = e->urls[e->next_url++ % ENV_URLS];

    snprintf(u, sizeof e->urls[0], "%s%s", fixture_origin(e->fx), path);
    return u;
}

/* Options for a quick crawl of one seed: short timeouts, the rest default. */
static inline void opts_for(struct crawl_opts *o, const char *const *seed)
{
    crawl_opts_init(o);
    o->seeds = seed;
    o->n_seeds = 1;
    o->fetch.timeout_ms = 10000;
    o->fetch.connect_timeout_ms = 5000;
    /* Core behaviour only: tests of sitemaps and retries turn them on. */
    o->sitemaps = false;
    o->retries = 0;
}

/* Run one crawl into the database at path; it must succeed. */
static inline struct crawl_progress crawl_db(const char *path,
                                             const struct crawl_opts *o)
{
    struct crawl_progress prog = { 0 };
    struct cdb_err err = { 0 };
    struct store *st = NULL;

    if (store_open(path, &st, &err) != CDB_OK)
        fail_msg("%s", err.msg);
    if (crawl_run(o, st, &prog, &err) != CDB_OK)
        fail_msg("crawl_run: %s", err.msg);
    store_close(st);
    return prog;
}

static inline sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        fail_msg("cannot open '%s': %s", path, sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* Prepare sql and bind the text parameters a1 and a2 (NULL: left unbound). */
static inline sqlite3_stmt *q_prepare(sqlite3 *db, const char *sql,
                                      const char *a1, const char *a2)
{
    sqlite3_stmt *q = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("cannot prepare '%s': %s", sql, sqlite3_errmsg(db));
    if (a1)
        sqlite3_bind_text(q, 1, a1, -1, SQLITE_TRANSIENT);
    if (a2)
        sqlite3_bind_text(q, 2, a2, -1, SQLITE_TRANSIENT);
    return q;
}

/* The integer in the first column of the first row; -1 if there is none. */
static inline int64_t q_int(sqlite3 *db, const char *sql, const char *a1,
                            const char *a2)
{
    sqlite3_stmt *q = q_prepare(db, sql, a1, a2);
    int s = sqlite3_step(q);
    int64_t v = s == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;

    if (s != SQLITE_ROW && s != SQLITE_DONE)
        fail_msg("'%s': %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return v;
}

/* The text of the first column of the first row (caller frees), or NULL
 * if there is no row or it is NULL. */
static inline char *q_text(sqlite3 *db, const char *sql, const char *a1,
                           const char *a2)
{
    sqlite3_stmt *q = q_prepare(db, sql, a1, a2);
    int s = sqlite3_step(q);
    char *v = NULL;

    if (s == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(q, 0));
    else if (s != SQLITE_ROW && s != SQLITE_DONE)
        fail_msg("'%s': %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return v;
}

/* Assert that sql (text result) gives want for the bound a1, a2. */
static inline void q_expect(sqlite3 *db, const char *sql, const char *a1,
                            const char *a2, const char *want)
{
    char *got = q_text(db, sql, a1, a2);

    if (!want && got)
        fail_msg("'%s' [%s]: got '%s', want no value", sql, a1 ? a1 : "", got);
    if (want && (!got || strcmp(got, want) != 0))
        fail_msg("'%s' [%s]: got '%s', want '%s'", sql, a1 ? a1 : "",
                 got ? got : "(null)", want);
    free(got);
}

/* The state and reason of a page as "state" or "state:reason". */
#define SQL_PAGE_STATE                                                         \
    "SELECT state || coalesce(':' || reason, '') FROM pages WHERE url = ?1"

/* PRAGMA integrity_check says ok and foreign_key_check finds nothing. */
static inline void assert_db_sound(sqlite3 *db)
{
    q_expect(db, "PRAGMA integrity_check", NULL, NULL, "ok");
    assert_int_equal(
        q_int(db, "SELECT count(*) FROM pragma_foreign_key_check", NULL, NULL),
        0);
}

static inline void assert_db_file_sound(const char *path)
{
    sqlite3 *db = db_open(path);

    assert_db_sound(db);
    sqlite3_close(db);
}

static inline void first_path(void *ctx, const char *method, const char *path,
                              int64_t t_ms, const char *user_agent,
                              const char *if_none_match,
                              const char *if_modified_since)
{
    char *out = ctx;

    (void)method;
    (void)t_ms;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    if (!out[0])
        snprintf(out, 256, "%s", path);
}

/* The path of the first request the fixture logged. */
static inline void assert_first_request(struct fixture *fx, const char *want)
{
    char got[256] = "";

    fixture_each(fx, first_path, got);
    assert_string_equal(got, want);
}

/* Requests per path, from the fixture's log: a table of the distinct paths
 * with how often and when last each was asked for. */
#define PATH_COUNT_MAX 512
struct path_count {
    char paths[PATH_COUNT_MAX][40];
    unsigned n_of[PATH_COUNT_MAX];
    int64_t last_ms[PATH_COUNT_MAX]; /* time of the latest request */
    size_t n;
    unsigned total;
};

/* The index of path in t, added with no requests if new. */
static inline size_t path_index(struct path_count *t, const char *path)
{
    size_t i = 0;

    while (i < t->n && strcmp(t->paths[i], path) != 0)
        i++;
    if (i == t->n) {
        if (t->n == PATH_COUNT_MAX)
            fail_msg("more than %d distinct paths", PATH_COUNT_MAX);
        snprintf(t->paths[t->n++], sizeof t->paths[0], "%s", path);
    }
    return i;
}

static inline unsigned path_get(const struct path_count *t, const char *path)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->paths[i], path) == 0)
            return t->n_of[i];
    return 0;
}

/* A fixture_each() callback: count every request into the path_count. */
static inline void tally(void *ctx, const char *method, const char *path,
                         int64_t t_ms, const char *user_agent,
                         const char *if_none_match,
                         const char *if_modified_since)
{
    struct path_count *t = ctx;
    size_t i = path_index(t, path);

    (void)method;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    t->total++;
    t->n_of[i]++;
    t->last_ms[i] = t_ms;
}

/* The set of rows of sql on database a equals the one on database b:
 * b is attached as "other" and sql is run on each side; sql names its
 * tables with the prefix SCHEMA, which is replaced by "main." or
 * "other.". Returns the rows in one and not the other. */
static inline int64_t sets_differ(const char *a, const char *b, const char *sql)
{
    sqlite3 *db = db_open(a);
    sqlite3_stmt *q;
    char side[2][2048], query[4 * 2048 + 128];
    int64_t n;

    for (int i = 0; i < 2; i++) {
        const char *pre = i == 0 ? "main." : "other.";
        size_t o = 0;

        for (const char *s = sql; *s && o + 8 < sizeof side[i];) {
            if (strncmp(s, "SCHEMA", 6) == 0) {
                o += (size_t)snprintf(side[i] + o, sizeof side[i] - o, "%s",
                                      pre);
                s += 6;
            } else {
                side[i][o++] = *s++;
            }
        }
        side[i][o] = '\0';
    }
    snprintf(query, sizeof query,
             "SELECT (SELECT count(*) FROM (%s EXCEPT %s))"
             " + (SELECT count(*) FROM (%s EXCEPT %s))",
             side[0], side[1], side[1], side[0]);
    q = q_prepare(db, "ATTACH ?1 AS other", b, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    n = q_int(db, query, NULL, NULL);
    sqlite3_close(db);
    return n;
}

/* What a test main does first, as crawldb's main() does. */
static inline int integ_init(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("cannot initialise libcurl\n", stderr);
        return -1;
    }
    xmlInitParser();
    return 0;
}

static inline void integ_cleanup(void)
{
    xmlCleanupParser();
    curl_global_cleanup();
}

#endif
