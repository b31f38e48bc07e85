/* The parse worker: one thread that hashes fetched bodies and runs
 * extract_html() on HTML pages, off the event loop. The crawl thread keeps
 * every database write; the worker touches no database, no network and no
 * crawl state, only the jobs handed to it, its own link cache, and the
 * hashes of bodies whose links the crawl stored (worker_remember()).
 *
 * Measured on the benchmark site (2 cores): parsing was about 30 % of the
 * crawl thread's time, and that thread was the bottleneck while the second
 * core idled. */
#ifndef CRAWLDB_WORKER_H
#define CRAWLDB_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cdb.h"
#include "extract.h"

struct worker;

/* Bytes of packed links one job may hold; links past it are counted in
 * page.refused, as links past EXTRACT_MAX_LINKS are. */
#define WORKER_MAX_LINK_BYTES ((size_t)32 << 20)

/* One page. The caller fills the input, which stays borrowed (and must not
 * change) until the job comes back from worker_take(). */
struct worker_job {
    /* in */
    void *ctx;
    const char *body; /* may be NULL when len is 0 */
    size_t len;
    const char *url;     /* the page's URL, base for its links */
    const char *charset; /* Content-Type charset, or NULL */
    bool html;           /* extract links, title and text; else only hash */
    bool parse;          /* parse even when same_as could be set */
    /* out */
    char sha256[65]; /* hex SHA-256 of the body */
    /* Not 0: worker_remember() was told of a page of this id whose body
     * hashed alike, so the job was not parsed: page has only that page's
     * noindex, nofollow and refused, and links is empty. A hint, from 64
     * bits of the hash: the caller checks it (or submits again with parse
     * set). 0: parsed (or not HTML). */
    int64_t same_as;
    int rc; /* of extract_html(); err says why when not CDB_OK */
    struct cdb_err err;
    struct extract_page page; /* as extract_html() leaves it */
    struct buf links;         /* packed; read with worker_job_links() */
    bool links_cut;          /* links past WORKER_MAX_LINK_BYTES were dropped */
    struct worker_job *next; /* the worker's */
};

/* Start the thread. max_text is extract_html()'s; cache_slots sizes the
 * link cache (url_cache_new()). wake(wake_ctx) is called from the worker
 * thread when a job is done and none was waiting to be taken: the caller
 * takes until worker_take() gives NULL, and is woken again after. */
int worker_new(size_t max_text, size_t cache_slots, void (*wake)(void *),
               void *wake_ctx, struct worker **out, struct cdb_err *err);
/* Hand a job over (its output fields are initialised here). Never blocks. */
void worker_submit(struct worker *w, struct worker_job *j);
/* A done job, oldest first, or NULL. The caller owns it again: it reads the
 * output and calls worker_job_release(). Never blocks. */
struct worker_job *worker_take(struct worker *w);
/* Jobs submitted and not yet taken. */
size_t worker_pending(const struct worker *w);
/* Report the job's links to on_link in document order, with the arguments
 * extract_html() gave (see extract.h). A value other than CDB_OK from
 * on_link stops and is returned. */
int worker_job_links(const struct worker_job *j,
                     int (*on_link)(void *ctx, const char *kind,
                                    const char *url, const char *anchor,
                                    bool rel_nofollow),
                     void *ctx);
/* Tell the worker that page_id has the (parsed, HTML) job's body and that
 * its links are stored: a later job whose body hashes alike gets same_as
 * set instead of being parsed. WORKER_SAME_SLOTS pages are remembered
 * (16 bytes each, 4 MiB), in sets of two by the hash's first 64 bits (its
 * first 16 hex digits, 0 counting as 1) modulo WORKER_SAME_SLOTS / 2: a
 * third page in a set takes the older one's place. A page id from 2^38 or
 * more than 2^24 - 1 refused links are not remembered. */
#define WORKER_SAME_SLOTS 262144
void worker_remember(struct worker *w, const struct worker_job *j,
                     int64_t page_id);
/* Free the job's output; the job may be submitted again. */
void worker_job_release(struct worker_job *j);
/* Stop the thread (after the job it is on) and free it. Jobs not taken are
 * released and freed with free(): submit only jobs from malloc().
 * NULL-safe. */
void worker_free(struct worker *w);

#endif
