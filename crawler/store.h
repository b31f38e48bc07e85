/* The storage interface: the only module that speaks SQL. One SQLite file
 * holds the frontier, the documents, the link graph and the crawl history.
 * The interface is kept narrow (lease pages, record a fetch, add links) so
 * that another backend could implement it. */
#ifndef CRAWLDB_STORE_H
#define CRAWLDB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cdb_err;
struct store;

#define STORE_SCHEMA_VERSION 6

/* Once, before any other store_ call and before other threads start:
 * SQLite without its memory statistics, whose global mutex every
 * allocation took. Optional (the store works without it). */
void store_global_init(void);

/* Open or create the database at path, migrate it to the current schema and
 * prepare the statements. Refuses a file of another application or of a
 * newer schema. *out is NULL on failure. */
int store_open(const char *path, struct store **out, struct cdb_err *err);
/* Commit nothing pending (rolls back an open batch) and close; NULL-safe. */
void store_close(struct store *st);

/* Take the database for one crawl: CDB_EDB with a message naming the file
 * when another process crawls into it. Held until store_close(); reading
 * the file (sqlite3, DB Browser) stays possible. From here on, a thread
 * with a connection of its own checkpoints the WAL, and SQLite no longer
 * checks the foreign keys of this connection's rows: the caller writes
 * only ids it read from the file or wrote to it. Within a batch, where
 * SQLite would ignore the pragma, it fails with CDB_EDB. */
int store_lock_crawl(struct store *st, struct cdb_err *err);

/* Bracket a batch of writes in one transaction. store_begin() when a batch
 * is already open does nothing; store_commit() without one does nothing. */
int store_begin(struct store *st, struct cdb_err *err);
int store_commit(struct store *st, struct cdb_err *err);
bool store_in_batch(const struct store *st);
/* Whether the open batch should commit now to fit SQLite's page cache: it
 * holds BATCH_DATA_MAX bytes of bodies and text, or the cache has begun to
 * write its changes out. False without a batch. */
bool store_batch_full(struct store *st);
/* Roll the open batch back, if any: after CDB_EFULL, so that no part of a
 * batch is kept (what it recorded is done again when the crawl resumes). */
void store_rollback(struct store *st);

/* Limit the database to max_bytes (> 0; rounded down to whole pages) with
 * PRAGMA max_page_count, for this connection; the -wal file is not counted.
 * A write that would grow the file past it fails with CDB_EFULL, as one
 * does when the disk is full: the message names the file and says to free
 * space or raise --max-db-size and run again. Returns CDB_OK, CDB_EFULL when
 * the file is already larger, or CDB_EDB. */
int store_set_max_size(struct store *st, int64_t max_bytes,
                       struct cdb_err *err);

/* Mark crawls left 'running' by a process that died as interrupted (the
 * caller holds the crawl lock, so none is running); *n: how many. */
int store_crawls_cut_off(struct store *st, int64_t *n, struct cdb_err *err);
/* Start a run: a crawls row with the seeds (one a line) and options (JSON);
 * later rows this store writes belong to it. */
int store_crawl_start(struct store *st, const char *seeds, const char *options,
                      struct cdb_err *err);
int64_t store_crawl_id(const struct store *st);
/* The seeds of the latest run (one a line; caller frees), or NULL. */
int store_last_seeds(struct store *st, char **seeds, struct cdb_err *err);
/* End the run with status finished, interrupted or failed, after building
 * the links_to index if the run's start dropped it (see store.c). */
int store_crawl_end(struct store *st, const char *status, struct cdb_err *err);

/* The id of host (scheme, name, port), created if new. */
int store_host_id(struct store *st, const char *scheme, const char *name,
                  int port, int64_t *id, struct cdb_err *err);
/* robots.txt of a host: *known is false until store_host_robots_set() was
 * called for it; *body (caller frees, may be NULL) and *status otherwise. */
int store_host_robots_get(struct store *st, int64_t host_id, bool *known,
                          int *status, char **body, size_t *len,
                          struct cdb_err *err);
int store_host_robots_set(struct store *st, int64_t host_id, int status,
                          const char *body, size_t len, struct cdb_err *err);

enum page_state { PAGE_QUEUED, PAGE_DONE, PAGE_FAILED, PAGE_SKIPPED };

/* A page to add: url is canonical. reason is NULL unless state is failed
 * or skipped. */
struct page_new {
    const char *url;
    int64_t host_id;
    int depth;
    int hops;
    enum page_state state;
    const char *reason;
    int sitemap;         /* 0, or 1: a listed sitemap, 2: a probed one */
    const char *lastmod; /* from a sitemap, or NULL */
};
/* Add a page unless its URL is known. *id receives the page's id, new or
 * old; *added whether it was new. */
int store_page_add(struct store *st, const struct page_new *p, int64_t *id,
                   bool *added, struct cdb_err *err);
/* Look a URL up: *id is 0 when unknown. */
int store_page_find(struct store *st, const char *url, int64_t *id,
                    struct cdb_err *err);
/* The same; *nofollowed tells whether the page is skipped only because
 * the links to it found so far were not to be followed (reason nofollow). */
int store_page_find_nofollowed(struct store *st, const char *url, int64_t *id,
                               bool *nofollowed, struct cdb_err *err);
/* Set a page's state and reason (NULL for none). */
int store_page_set_state(struct store *st, int64_t page_id,
                         enum page_state state, const char *reason,
                         struct cdb_err *err);

/* A queued page handed to the crawler. */
struct lease {
    int64_t id;
    int64_t host_id;
    int depth;
    int hops;
    int sitemap;
    char *url; /* owned; release with store_lease_release() */
};
/* Up to max queued pages after position (depth, id) in breadth-first order
 * (depth, then id); *n receives how many were written to out. The frontier
 * stays in the database: a page remains queued until its outcome is set. */
int store_lease(struct store *st, int after_depth, int64_t after_id,
                struct lease *out, size_t max, size_t *n, struct cdb_err *err);
void store_lease_release(struct lease *l);

/* Store a body once per content: *id receives the document's id, *added
 * whether these bytes were new. */
int store_doc_put(struct store *st, const void *body, size_t len, int64_t *id,
                  bool *added, struct cdb_err *err);
/* The same, with the body's hex SHA-256 computed by the caller. */
int store_doc_put_hashed(struct store *st, const char sha256[65],
                         const void *body, size_t len, int64_t *id, bool *added,
                         struct cdb_err *err);
/* Index the title and text of an HTML document for full-text search. */
int store_doc_text(struct store *st, int64_t doc_id, const char *title,
                   const char *text, struct cdb_err *err);

/* One HTTP exchange. Pointers are borrowed for the call. */
struct fetch_row {
    int64_t page_id;
    int64_t duration_ms;
    int status; /* 0: no response */
    const char *content_type;
    int64_t length; /* -1: no body */
    bool truncated;
    const char *headers;
    const char *etag;
    const char *last_modified;
    int64_t redirect_page_id; /* 0: none */
    const char *error;
    int64_t document_id; /* 0: none */
    int attempt;         /* 1 for the first try */
    bool noindex, nofollow, conditional;
    int64_t links_refused; /* references not followed (see extract.h) */
};
int store_fetch_add(struct store *st, const struct fetch_row *f, int64_t *id,
                    struct cdb_err *err);

/* A link from one page to another; a repeat of (from, to, kind) is ignored.
 * anchor may be NULL. */
int store_link_add(struct store *st, int64_t from_page_id, int64_t to_page_id,
                   const char *kind, const char *anchor, bool nofollow,
                   struct cdb_err *err);
/* One link of a page, for store_links_add(). */
struct link_row {
    int64_t to_page_id;
    const char *kind;
    const char *anchor; /* may be NULL */
    bool nofollow;
};
/* The links of one page, as n calls of store_link_add() would add them but
 * in multi-row statements. */
int store_links_add(struct store *st, int64_t from_page_id,
                    const struct link_row *rows, size_t n, struct cdb_err *err);

/* Validators of the page's latest successful fetch, for a conditional
 * request: *etag and *last_modified (caller frees; NULL if none) and its
 * document (0 if none). */
int store_page_validators(struct store *st, int64_t page_id, char **etag,
                          char **last_modified, int64_t *document_id,
                          struct cdb_err *err);
/* Queue again every page done or failed (a recrawl); *n receives how many. */
int store_requeue_all(struct store *st, int64_t *n, struct cdb_err *err);
/* Fail every queued page of a host with reason; *n receives how many. */
int store_host_fail_queued(struct store *st, int64_t host_id,
                           const char *reason, int64_t *n, struct cdb_err *err);
/* Pages whose URL is in [lo, hi): e.g. the query variants of one path. */
int store_count_url_range(struct store *st, const char *lo, const char *hi,
                          int64_t *n, struct cdb_err *err);
/* Pages of a host that are not skipped. */
int store_count_host_pages(struct store *st, int64_t host_id, int64_t *n,
                           struct cdb_err *err);
/* If this run found page_id (so that all its links are this run's) and
 * one of its fetches got the document of this hex SHA-256: the page's URL
 * into *url, its depth into *depth and that fetch's Content-Type (NULL if
 * none) into *content_type, the strings malloc'd; else *url is NULL. */
int store_page_with_doc(struct store *st, int64_t page_id, const char *sha256,
                        char **url, int *depth, char **content_type,
                        struct cdb_err *err);
/* Give from_page_id the links of src_page_id that are not gone, with their
 * kinds, anchors and rel=nofollow, seen by this run, a link to src_page_id
 * itself becoming one to from_page_id: what store_links_add() adds for a
 * page of the same HTML at a URL that resolves its references alike but
 * for fragment-only ones, which lead each page to itself. *n is the number
 * of links read. Fast when src_page_id's links are one run of ids, as the
 * links of a page found and parsed by this run are (store_links_add()
 * adds them together); other ids within the run are read and passed over. */
int store_links_copy(struct store *st, int64_t from_page_id,
                     int64_t src_page_id, int64_t *n, struct cdb_err *err);
/* The links of a page that this run did not see again are gone in it; a
 * page confirmed unchanged (304) keeps all its links: seen again. */
int store_links_gone(struct store *st, int64_t from_page_id,
                     struct cdb_err *err);
int store_links_seen(struct store *st, int64_t from_page_id,
                     struct cdb_err *err);

/* Pages fetched so far (done or failed), across runs. */
int store_count_fetched(struct store *st, int64_t *n, struct cdb_err *err);

/* Figures for `crawldb stats`. */
struct store_count {
    char *name; /* owned */
    int64_t n;
};
struct store_stats {
    int64_t pages, queued, done, failed, skipped;
    int64_t hosts, documents, document_bytes, links, fetches, errors;
    int64_t crawls, truncated;
    double
        duration_s; /* sum over runs of end - start (now for a running one) */
    struct store_count
        *by_status; /* fetches by HTTP status ("none": no response) */
    size_t n_status;
    struct store_count *by_reason; /* skipped and failed pages by reason */
    size_t n_reason;
    struct store_count *by_kind; /* links by kind */
    size_t n_kind;
};
int store_stats(struct store *st, struct store_stats *out, struct cdb_err *err);
void store_stats_release(struct store_stats *s);

/* The SQLite library version in use. */
const char *store_sqlite_version(void);

/* The state name used in the database: "queued", "done", ... */
const char *store_state_name(enum page_state s);

#endif
