/* The parse worker (see worker.h). Two lists under one mutex: jobs to do and
 * jobs done. The crawl thread submits and takes without waiting; the worker
 * thread sleeps on a condition variable when there is nothing to do. */
#include "worker.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "util.h"

struct job_list {
    struct worker_job *head, *tail;
};

/* A page whose links are stored, by the first 64 bits of its body's hash
 * (never 0 here: see same_key()), in 16 bytes: meta is the page's id, its
 * refused count and its two flags (see worker_remember()). */
struct same_body {
    uint64_t key;
    uint64_t meta;
};

#define SAME_REFUSED_BITS 24
#define SAME_ID_MAX       (INT64_C(1) << (64 - 2 - SAME_REFUSED_BITS))

struct worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work; /* todo has a job, or stop */
    struct job_list todo, done;
    bool stop;
    size_t pending; /* submitted and not taken: the crawl thread's only */
    size_t max_text;
    struct url_cache *cache; /* the worker thread's only */
    struct same_body *same;  /* WORKER_SAME_SLOTS, under lock */
    void (*wake)(void *);
    void *wake_ctx;
};

static void list_push(struct job_list *l, struct worker_job *j)
{
    j->next = NULL;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
}

static struct worker_job *list_pop(struct job_list *l)
{
    struct worker_job *j = l->head;

    if (j) {
        l->head = j->next;
        if (!l->head)
            l->tail = NULL;
        j->next = NULL;
    }
    return j;
}

/* A link packed as: flags byte (1: rel nofollow, 2: has an anchor), then
 * kind, url and anchor (if any), each NUL-terminated. */
enum { LINK_NOFOLLOW = 1, LINK_ANCHOR = 2 };

static int collect(void *ctx, const char *kind, const char *url,
                   const char *anchor, bool rel_nofollow)
{
    struct worker_job *j = ctx;
    size_t nk = strlen(kind) + 1, nu = strlen(url) + 1;
    size_t na = anchor ? strlen(anchor) + 1 : 0;
    char *p;

    if (buf_reserve(&j->links, 1 + nk + nu + na) != CDB_OK) {
        j->page.refused++; /* past WORKER_MAX_LINK_BYTES */
        j->links_cut = true;
        return CDB_OK;
    }
    p = j->links.data + j->links.len;
    *p++ =
        (char)((rel_nofollow ? LINK_NOFOLLOW : 0) | (anchor ? LINK_ANCHOR : 0));
    memcpy(p, kind, nk);
    memcpy(p + nk, url, nu);
    if (anchor)
        memcpy(p + nk + nu, anchor, na);
    j->links.len += 1 + nk + nu + na;
    j->links.data[j->links.len] = '\0';
    return CDB_OK;
}

/* The first 64 bits of a hex SHA-256, 0 made 1. */
static uint64_t same_key(const char *hex)
{
    uint64_t k = 0;

    for (int i = 0; i < 16; i++) {
        char c = hex[i];

        k = k << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return k ? k : 1;
}

/* The two slots of key's set: the newer first. */
static struct same_body *same_set(struct worker *w, uint64_t key)
{
    return &w->same[(key & (WORKER_SAME_SLOTS / 2 - 1)) * 2];
}

/* Query-string duplicates and the like: the same bytes at another URL.
 * Parsing them again was half the parse work on the benchmark site. */
static bool same_as_known(struct worker *w, struct worker_job *j)
{
    uint64_t key = same_key(j->sha256);
    struct same_body *b;

    pthread_mutex_lock(&w->lock);
    b = same_set(w, key);
    if (b[0].key != key)
        b++;
    if (b->key == key) {
        j->same_as = (int64_t)(b->meta >> (SAME_REFUSED_BITS + 2));
        j->page.refused =
            (size_t)(b->meta >> 2) & ((UINT64_C(1) << SAME_REFUSED_BITS) - 1);
        j->page.noindex = (b->meta & 2) != 0;
        j->page.nofollow = (b->meta & 1) != 0;
    }
    pthread_mutex_unlock(&w->lock);
    return j->same_as != 0;
}

static void run_job(struct worker *w, struct worker_job *j)
{
    sha256_hex(j->body ? j->body : "", j->len, j->sha256);
    if (j->html && (j->parse || !same_as_known(w, j)))
        j->rc = extract_html(j->body, j->len, j->url, j->charset, w->max_text,
                             w->cache, collect, j, &j->page, &j->err);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        struct worker_job *j;
        bool first;

        while (!w->stop && !w->todo.head)
            pthread_cond_wait(&w->work, &w->lock);
        if (w->stop)
            break;
        j = list_pop(&w->todo);
        pthread_mutex_unlock(&w->lock);
        run_job(w, j);
        pthread_mutex_lock(&w->lock);
        /* One wake-up while results wait: the taker takes them all. Waking
         * for each (a system call on each side) cost 3 % of the crawl. */
        first = !w->done.head;
        list_push(&w->done, j);
        pthread_mutex_unlock(&w->lock);
        if (first)
            w->wake(w->wake_ctx);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int worker_new(size_t max_text, size_t cache_slots, void (*wake)(void *),
               void *wake_ctx, struct worker **out, struct cdb_err *err)
{
    struct worker *w = xcalloc(1, sizeof *w);
    int e;

    *out = NULL;
    w->max_text = max_text;
    w->cache = url_cache_new(cache_slots);
    w->same = xcalloc(WORKER_SAME_SLOTS, sizeof *w->same);
    w->wake = wake;
    w->wake_ctx = wake_ctx;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    e = pthread_create(&w->thread, NULL, worker_main, w);
    if (e != 0) {
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->lock);
        url_cache_free(w->cache);
        free(w->same);
        free(w);
        return cdb_fail(err, CDB_ENOMEM, "cannot start the parse thread: %s",
                        strerror(e));
    }
    *out = w;
    return CDB_OK;
}

void worker_submit(struct worker *w, struct worker_job *j)
{
    j->sha256[0] = '\0';
    j->same_as = 0;
    j->links_cut = false;
    j->rc = CDB_OK;
    memset(&j->err, 0, sizeof j->err);
    memset(&j->page, 0, sizeof j->page);
    buf_init(&j->links, WORKER_MAX_LINK_BYTES);
    w->pending++;
    pthread_mutex_lock(&w->lock);
    list_push(&w->todo, j);
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
}

struct worker_job *worker_take(struct worker *w)
{
    struct worker_job *j;

    if (w->pending == 0)
        return NULL;
    pthread_mutex_lock(&w->lock);
    j = list_pop(&w->done);
    pthread_mutex_unlock(&w->lock);
    if (j)
        w->pending--;
    return j;
}

size_t worker_pending(const struct worker *w)
{
    return w->pending;
}

int worker_job_links(const struct worker_job *j,
                     int (*on_link)(void *ctx, const char *kind,
                                    const char *url, const char *anchor,
                                    bool rel_nofollow),
                     void *ctx)
{
    const char *p = j->links.data, *end = p + j->links.len;
    int rc = CDB_OK;

    while (rc == CDB_OK && p && p < end) {
        int flags = (unsigned char)*p++;
        const char *kind = p, *url = kind + strlen(kind) + 1;
        const char *anchor = NULL;

        p = url + strlen(url) + 1;
        if (flags & LINK_ANCHOR) {
            anchor = p;
            p += strlen(p) + 1;
        }
        rc = on_link(ctx, kind, url, anchor, (flags & LINK_NOFOLLOW) != 0);
    }
    return rc;
}

void worker_remember(struct worker *w, const struct worker_job *j,
                     int64_t page_id)
{
    uint64_t key = same_key(j->sha256), meta;
    struct same_body *b;

    if (page_id <= 0 || page_id >= SAME_ID_MAX ||
        j->page.refused >> SAME_REFUSED_BITS)
        return; /* does not fit: such a body is parsed again */
    meta = (uint64_t)page_id << (SAME_REFUSED_BITS + 2) |
           (uint64_t)j->page.refused << 2 | (uint64_t)j->page.noindex << 1 |
           (uint64_t)j->page.nofollow;
    pthread_mutex_lock(&w->lock);
    b = same_set(w, key);
    if (b[0].key != key) /* the older goes (or key's own older entry) */
        b[1] = b[0];
    b[0].key = key;
    b[0].meta = meta;
    pthread_mutex_unlock(&w->lock);
}

void worker_job_release(struct worker_job *j)
{
    extract_page_release(&j->page);
    buf_release(&j->links);
}

void worker_free(struct worker *w)
{
    struct worker_job *j;

    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    while ((j = list_pop(&w->todo)) || (j = list_pop(&w->done))) {
        worker_job_release(j);
        free(j);
    }
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->lock);
    url_cache_free(w->cache);
    free(w->same);
    free(w);
}
