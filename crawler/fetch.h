/* Concurrent HTTP transfers on libcurl's multi interface: the only module
 * that runs transfers. Redirects are never followed here: each hop is a
 * result of its own, and the caller decides whether to fetch the target. */
#ifndef CRAWLDB_FETCH_H
#define CRAWLDB_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cdb_err;
struct fetcher;

struct fetch_opts {
    size_t concurrency; /* transfers in flight at most */
    size_t per_host;    /* connections per host at most */
    int64_t timeout_ms; /* whole transfer */
    int64_t connect_timeout_ms;
    size_t max_bytes;        /* body bytes kept; the rest is cut */
    size_t max_header_bytes; /* response header block; more fails */
    const char *user_agent;
    bool insecure; /* skip TLS verification */
    /* Refuse to connect to an address that is not public (addr.h: loopback,
     * private, link-local, shared, unspecified, IPv4-mapped forms of
     * those). Checked on each address libcurl is about to connect to, after
     * DNS, so a name that resolves or rebinds there is refused too; no
     * packet is sent. Behind a proxy it is the proxy's address. */
    bool block_private;
    /* CURLOPT_RESOLVE entries "HOST:PORT:ADDR[,ADDR]..." (borrowed for
     * fetcher_new() only), or NULL: names pinned to addresses. */
    const char *const *resolve;
    size_t n_resolve;
};

/* Defaults: 16 transfers, 4 per host, 30 s, 10 s, 20 MiB, 256 KiB. */
void fetch_opts_init(struct fetch_opts *o);

/* What one transfer produced. Everything is borrowed for the duration of
 * the on_done callback only, unless on_done keeps it (FETCH_KEEP). */
struct fetch_result {
    void *ctx;                /* as given to fetcher_add() */
    const char *url;          /* as requested */
    int status;               /* HTTP status; 0 when no response came */
    const char *headers;      /* the final response's header block, or "" */
    const char *content_type; /* NULL if none */
    const char *location;     /* raw Location header, NULL if none */
    const char *etag;
    const char *last_modified;
    const char *x_robots_tag; /* X-Robots-Tag header, NULL if none */
    int64_t retry_after_ms;   /* Retry-After in ms from now; -1 if none */
    bool conditional;         /* the request carried validators */
    const char *body;         /* decoded body, NUL-terminated; never NULL */
    size_t body_len;
    bool truncated;    /* body cut at max_bytes */
    const char *error; /* NULL on success, else why the transfer failed */
    /* block_private refused every address of the host: error names one,
     * e.g. "refused to connect to 10.0.0.1: private address (use
     * --allow-private)". Trying again cannot help. */
    bool refused;
    int64_t duration_ms;
};

/* The libcurl global state must be set up by main(). */
int fetcher_new(const struct fetch_opts *o, struct fetcher **out,
                struct cdb_err *err);
/* Start fetching url; ctx comes back in its result. Fails only when libcurl
 * refuses the handle (CDB_ENET, CDB_ENOMEM). */
int fetcher_add(struct fetcher *f, const char *url, void *ctx,
                struct cdb_err *err);
/* The same, as a conditional request: If-None-Match: etag and
 * If-Modified-Since: last_modified, each unless NULL. */
int fetcher_add_if(struct fetcher *f, const char *url, const char *etag,
                   const char *last_modified, void *ctx, struct cdb_err *err);
/* Transfers started and not yet reported. */
size_t fetcher_active(const struct fetcher *f);
/* on_done returns this to keep the result: r and everything it points at
 * stay valid, and unchanged, until fetcher_release(). */
#define FETCH_KEEP 1

/* Wait up to timeout_ms for activity (or fetcher_wakeup()), drive the
 * transfers, and call on_done once for each that ended. A return from
 * on_done other than CDB_OK and FETCH_KEEP stops the reporting and is
 * returned (the remaining done transfers are reported on the next call). */
int fetcher_poll(struct fetcher *f, int timeout_ms,
                 int (*on_done)(void *cb_ctx, const struct fetch_result *r),
                 void *cb_ctx, struct cdb_err *err);
/* Free a result that on_done kept. */
void fetcher_release(struct fetcher *f, const struct fetch_result *r);
/* Make a fetcher_poll() that waits, or the next one, return at once. Safe
 * from any thread while f exists. */
void fetcher_wakeup(struct fetcher *f);
/* Abort what is in flight (unreported), free the kept results, and free;
 * NULL-safe. */
void fetcher_free(struct fetcher *f);

#endif
