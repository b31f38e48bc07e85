/* The crawl loop: lease queued pages from the store, gate them on robots.txt
 * and per-host limits, fetch them concurrently, store each exchange, and
 * queue the links found. */
#ifndef CRAWLDB_CRAWL_H
#define CRAWLDB_CRAWL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "url.h"

struct cdb_err;
struct crawl_progress;
struct store;

/* Whether the crawl may connect to addresses that are not public (see
 * addr.h: loopback, private, link-local, shared, unspecified). */
enum crawl_private {
    /* Allowed only when a seed points there: its host is such an IP
     * literal, or its name resolves (fetch.resolve, else DNS, once at the
     * start) to at least one such address. Otherwise refused. */
    CRAWL_PRIVATE_AUTO,
    CRAWL_PRIVATE_ALLOW, /* --allow-private */
    CRAWL_PRIVATE_BLOCK  /* --block-private: refused even for a seed */
};

struct crawl_opts {
    const char *const *seeds; /* URLs as given; canonicalised by the crawl */
    size_t n_seeds;
    enum url_scope scope;
    const char *include; /* POSIX extended regex a URL must match, or NULL */
    const char *exclude; /* POSIX extended regex that refuses a URL, or NULL */
    int max_depth;       /* links from a seed; -1: no limit */
    int64_t max_pages;   /* pages fetched in the database; 0: no limit */
    int max_redirects;   /* redirect hops in a row */
    int64_t delay_ms;    /* between two requests to one host; -1: the
                            host's Crawl-delay, else none */
    bool random_delay;   /* vary the delay between 0.5 and 1.5 times */
    bool robots;         /* obey robots.txt */
    bool sitemaps;       /* read robots.txt's sitemaps or /sitemap.xml */
    bool obey_rel_nofollow; /* do not follow rel=nofollow links */
    bool recrawl;           /* fetch done pages again, conditionally */
    int retries;            /* tries after the first on transient failures */
    int64_t retry_base_ms;  /* first back-off; doubles each try */
    int host_fail_limit;    /* failures in a row that give a host up */
    size_t max_url_length;  /* spider-trap defences, each 0 for off: */
    int max_path_depth;     /* path segments */
    int max_repeat;         /* times one path segment may occur */
    int64_t max_query_variants; /* distinct queries of one path */
    int64_t max_pages_per_host; /* pages not skipped */
    size_t max_text;            /* bytes of visible text kept per page */
    enum crawl_private private_addrs;
    /* Stop with CDB_EFULL when the database file would grow past this
     * (store_set_max_size()); 0: no limit. */
    int64_t max_db_bytes;
    struct fetch_opts fetch; /* fetch.block_private is set by the crawl */
    /* Set by a signal: start nothing more, give what is in flight a second
     * to finish and stop; what is still in flight stays queued. */
    const volatile sig_atomic_t *stop;
    void (*on_progress)(void *ctx, const struct crawl_progress *p);
    void *progress_ctx;
};

/* Figures of one run, for progress lines and the exit code. */
struct crawl_progress {
    int64_t fetched; /* exchanges recorded by this run */
    int64_t done;    /* pages done by this run */
    int64_t failed;  /* pages failed by this run */
    int64_t skipped; /* pages skipped by this run */
    int64_t queued;  /* pages queued by this run */
    int64_t bytes;   /* body bytes received */
    /* HTML pages not parsed: a page of this run had the same body at a URL
     * that differs only in its query, and lent them its links */
    int64_t same_body;
    size_t in_flight;
    int64_t elapsed_ms;
    bool interrupted;
    /* Fetching is over; the run is being ended (the links indexed by
     * target, which takes seconds at 100,000 pages). */
    bool ending;
    /* Set when a fetch is recorded, for a per-fetch log line. */
    const char *url;
    int status;
    const char *error;
    int64_t length;
    int64_t duration_ms;
};

/* Defaults as documented in `crawldb crawl --help`. */
void crawl_opts_init(struct crawl_opts *o);

/* Crawl into st, continuing whatever the database has queued. Failed pages
 * are data, not errors: the return is CDB_OK unless the database, the
 * options or libcurl failed. *out (may be NULL) receives the run's figures.
 */
int crawl_run(const struct crawl_opts *o, struct store *st,
              struct crawl_progress *out, struct cdb_err *err);

#endif
