/* Concurrent transfers (see fetch.h). A struct transfer owns its easy handle,
 * body and header buffers and error text; it is found through
 * CURLOPT_PRIVATE and given back in one place when its transfer ends. Up to
 * the concurrency of ended ones are kept for the next transfers, easy handle
 * and buffers and all: making and freeing them for each URL was 1 % of the
 * crawl thread. The module keeps no other per-URL state, so memory is
 * bounded by the concurrency times the body limit. */
#include "fetch.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "addr.h"
#include "buf.h"
#include "cdb.h"
#include "util.h"

struct transfer {
    struct transfer *prev, *next; /* in fetcher's list of active ones */
    CURL *easy;
    void *ctx;
    char *url;
    struct buf body;
    struct buf headers;
    struct curl_slist *request_headers;
    bool truncated;
    bool header_overflow;
    bool tried_public; /* an address was not refused by block_private */
    int64_t started_ms;
    /* From here on, only what transfer_done() clears by hand. */
    char errbuf[CURL_ERROR_SIZE];
    char refused[128]; /* why block_private refused an address, or "" */
    /* The report, kept with the transfer so that on_done may keep both. */
    struct fetch_result result;
    char location[8192], etag[512], modified[128], ctype[512], error[512];
    char xrt[512];
};

struct fetcher {
    CURLM *multi;
    struct fetch_opts opts;
    char *user_agent;
    struct curl_slist *resolve; /* from opts.resolve */
    struct transfer *head;      /* active transfers, for fetcher_free() */
    struct transfer *kept;      /* ended ones on_done kept */
    struct transfer *spare;     /* ended and reset, for the next transfers */
    size_t active, spares;
};

/* A spare keeps its buffers only up to this: a rare huge body's memory is
 * not held for the rest of the crawl. */
#define SPARE_BUF_MAX ((size_t)256 << 10)

/* libcurl's read buffer, which it allocates for each transfer in flight
 * and frees when the transfer ends: 1 MiB at the default concurrency of
 * 16, 64 MiB at the most (1,024). */
#define FETCH_READ_BYTES 65536L

void fetch_opts_init(struct fetch_opts *o)
{
    o->concurrency = 16;
    o->per_host = 4;
    o->timeout_ms = 30000;
    o->connect_timeout_ms = 10000;
    o->max_bytes = (size_t)20 << 20;
    o->max_header_bytes = (size_t)256 << 10;
    o->user_agent = NULL;
    o->insecure = false;
    o->block_private = false;
    o->resolve = NULL;
    o->n_resolve = 0;
}

int fetcher_new(const struct fetch_opts *o, struct fetcher **out,
                struct cdb_err *err)
{
    struct fetcher *f = xcalloc(1, sizeof *f);

    *out = NULL;
    f->multi = curl_multi_init();
    if (!f->multi) {
        free(f);
        return cdb_fail(err, CDB_ENET, "cannot set up libcurl's multi handle");
    }
    f->opts = *o;
    f->user_agent = xstrdup(o->user_agent ? o->user_agent : "crawldb");
    f->opts.user_agent = f->user_agent;
    for (size_t i = 0; i < o->n_resolve; i++) {
        struct curl_slist *l = curl_slist_append(f->resolve, o->resolve[i]);

        if (!l) {
            curl_slist_free_all(f->resolve);
            curl_multi_cleanup(f->multi);
            free(f->user_agent);
            free(f);
            return cdb_fail(err, CDB_ENOMEM, "cannot keep '%s'", o->resolve[i]);
        }
        f->resolve = l;
    }
    f->opts.resolve = NULL; /* borrowed: the list above is ours */
    f->opts.n_resolve = 0;
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      (long)o->concurrency);
    curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS,
                      (long)(o->concurrency * 2));
    curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    *out = f;
    return CDB_OK;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct transfer *t = ud;

    if (buf_add_cut(&t->body, p, n) != CDB_OK) {
        t->truncated = true;
        return 0; /* stop the transfer: what fits is kept */
    }
    (void)size; /* always 1 */
    return n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct transfer *t = ud;

    (void)size;
    /* A new status line starts a new response (1xx interim ones): keep the
     * last block only. */
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
        buf_reset(&t->headers);
    if (buf_add(&t->headers, p, n) != CDB_OK) {
        t->header_overflow = true;
        return 0;
    }
    return n;
}

/* The private-address block: libcurl calls this for each address it is
 * about to connect to, after name resolution and before any packet, so a
 * name that resolves (or rebinds) to a private address is caught too.
 * Returning CURL_SOCKET_BAD makes libcurl try the next address, if any. */
static curl_socket_t on_open_socket(void *ud, curlsocktype purpose,
                                    struct curl_sockaddr *sa)
{
    struct transfer *t = ud;
    struct addr a;
    enum addr_class c = ADDR_NOT_IP;
    char text[64];

    (void)purpose;
    if (addr_from_sockaddr(&sa->addr, sa->addrlen, &a))
        c = addr_classify(&a);
    if (c == ADDR_PUBLIC) {
        t->tried_public = true;
        return socket(sa->family, sa->socktype, sa->protocol);
    }
    addr_format(&a, text, sizeof text);
    snprintf(t->refused, sizeof t->refused,
             "refused to connect to %s: %s address (use --allow-private)", text,
             addr_class_name(c));
    return CURL_SOCKET_BAD;
}

static void transfer_free(struct transfer *t)
{
    if (!t)
        return;
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->request_headers);
    buf_release(&t->body);
    buf_release(&t->headers);
    free(t->url);
    free(t);
}

/* An ended transfer: kept as a spare (reset to what a new one is) while
 * there are fewer spares than transfers may run, else freed. */
static void transfer_done(struct fetcher *f, struct transfer *t)
{
    CURL *easy = t->easy;
    struct buf body = t->body, headers = t->headers;

    if (f->spares >= f->opts.concurrency || body.cap > SPARE_BUF_MAX ||
        headers.cap > SPARE_BUF_MAX) {
        transfer_free(t);
        return;
    }
    curl_easy_reset(easy);
    curl_slist_free_all(t->request_headers);
    free(t->url);
    buf_reset(&body);
    buf_reset(&headers);
    /* All but the text buffers, 10 KB that are written before they are
     * read: clearing them was 0.3 % of a crawl's instructions. */
    memset(t, 0, offsetof(struct transfer, errbuf));
    t->errbuf[0] = t->refused[0] = '\0';
    memset(&t->result, 0, sizeof t->result);
    t->easy = easy;
    t->body = body;
    t->headers = headers;
    t->next = f->spare;
    f->spare = t;
    f->spares++;
}

/* A transfer as new: a spare, or made. NULL if libcurl has no handle. */
static struct transfer *transfer_new(struct fetcher *f)
{
    struct transfer *t = f->spare;

    if (t) {
        f->spare = t->next;
        f->spares--;
        t->next = NULL;
        return t;
    }
    t = xcalloc(1, sizeof *t);
    t->easy = curl_easy_init();
    if (!t->easy) {
        free(t);
        return NULL;
    }
    buf_init(&t->body, f->opts.max_bytes);
    buf_init(&t->headers, f->opts.max_header_bytes);
    return t;
}

static void unlink_transfer(struct transfer **head, struct transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        *head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

static void link_transfer(struct transfer **head, struct transfer *t)
{
    t->prev = NULL;
    t->next = *head;
    if (*head)
        (*head)->prev = t;
    *head = t;
}

int fetcher_add(struct fetcher *f, const char *url, void *ctx,
                struct cdb_err *err)
{
    return fetcher_add_if(f, url, NULL, NULL, ctx, err);
}

/* Append "name: value" to a header list; values with line breaks are
 * refused (they would inject headers). */
static bool add_header(struct curl_slist **list, const char *name,
                       const char *value)
{
    char line[1024];
    struct curl_slist *l;

    if (!value || strpbrk(value, "\r\n") ||
        (size_t)snprintf(line, sizeof line, "%s: %s", name, value) >=
            sizeof line)
        return false;
    l = curl_slist_append(*list, line);
    if (l)
        *list = l;
    return l != NULL;
}

int fetcher_add_if(struct fetcher *f, const char *url, const char *etag,
                   const char *last_modified, void *ctx, struct cdb_err *err)
{
    struct transfer *t = transfer_new(f);
    CURL *e;

    if (!t)
        return cdb_fail(err, CDB_ENOMEM, "cannot start a transfer of '%s'",
                        url);
    e = t->easy;
    t->ctx = ctx;
    t->url = xstrdup(url);
    t->started_ms = now_ms();
    curl_easy_setopt(e, CURLOPT_URL, t->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* all curl decodes */
    curl_easy_setopt(e, CURLOPT_USERAGENT, f->opts.user_agent);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)f->opts.timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)f->opts.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    /* Most pages in one read over plain HTTP: with libcurl's 16 KiB, a 20
     * KB page took two reads and a poll() between them, a system call more
     * a page. (TLS records and HTTP/2 frames are read through their own
     * buffers.) */
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, FETCH_READ_BYTES);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, f->opts.insecure ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, f->opts.insecure ? 0L : 2L);
    if (f->opts.block_private) {
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
    }
    if (f->resolve)
        curl_easy_setopt(e, CURLOPT_RESOLVE, f->resolve);
    add_header(&t->request_headers, "If-None-Match", etag);
    add_header(&t->request_headers, "If-Modified-Since", last_modified);
    if (t->request_headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->request_headers);
    if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
        transfer_done(f, t);
        return cdb_fail(err, CDB_ENET, "cannot start a transfer of '%s'", url);
    }
    link_transfer(&f->head, t);
    f->active++;
    return CDB_OK;
}

size_t fetcher_active(const struct fetcher *f)
{
    return f->active;
}

/* The value of header name in block (first occurrence), copied into out, or
 * NULL. Values are trimmed; names compare case-insensitively. */
static const char *header_value(const char *block, const char *name, char *out,
                                size_t outlen)
{
    size_t nlen = strlen(name);

    for (const char *line = block; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);

        if (len > nlen && line[nlen] == ':' &&
            ascii_ncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1;
            const char *ve = line + len;

            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v &&
                   (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            if ((size_t)(ve - v) >= outlen)
                return NULL;
            memcpy(out, v, (size_t)(ve - v));
            out[ve - v] = '\0';
            return out;
        }
        if (!end)
            break;
        line = end + 1;
    }
    return NULL;
}

static int report(struct fetcher *f, struct transfer *t, CURLcode code,
                  int (*on_done)(void *, const struct fetch_result *),
                  void *cb_ctx)
{
    struct fetch_result r = { 0 };
    char *error = t->error;
    size_t error_size = sizeof t->error;
    long status = 0;
    curl_off_t retry_after = 0;
    const char *hdrs = t->headers.data ? t->headers.data : "";

    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    r.ctx = t->ctx;
    r.url = t->url;
    r.status = (int)status;
    r.headers = hdrs;
    r.content_type =
        header_value(hdrs, "content-type", t->ctype, sizeof t->ctype);
    r.location =
        header_value(hdrs, "location", t->location, sizeof t->location);
    r.etag = header_value(hdrs, "etag", t->etag, sizeof t->etag);
    r.last_modified =
        header_value(hdrs, "last-modified", t->modified, sizeof t->modified);
    r.x_robots_tag = header_value(hdrs, "x-robots-tag", t->xrt, sizeof t->xrt);
    r.retry_after_ms = -1;
    if (curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &retry_after) ==
            CURLE_OK &&
        header_value(hdrs, "retry-after", error, error_size))
        r.retry_after_ms = (int64_t)retry_after * 1000;
    r.conditional = t->request_headers != NULL;
    r.body = t->body.data ? t->body.data : "";
    r.body_len = t->body.len;
    r.truncated = t->truncated;
    r.duration_ms = now_ms() - t->started_ms;
    if (t->header_overflow) {
        snprintf(error, error_size, "response headers over %zu bytes",
                 f->opts.max_header_bytes);
        r.error = error;
        r.status = 0;
    } else if (t->truncated) {
        snprintf(error, error_size, "body cut at %zu bytes (--max-size)",
                 f->opts.max_bytes);
        r.error = error;
    } else if (code != CURLE_OK && t->refused[0] && !t->tried_public) {
        r.error = t->refused; /* no packet was sent */
        r.refused = true;
    } else if (code != CURLE_OK) {
        snprintf(error, error_size, "%s%s%s", curl_easy_strerror(code),
                 t->errbuf[0] ? ": " : "", t->errbuf);
        /* Trim the newline some libcurl messages end with. */
        error[strcspn(error, "\r\n")] = '\0';
        r.error = error;
    }
    t->result = r;
    return on_done(cb_ctx, &t->result);
}

int fetcher_poll(struct fetcher *f, int timeout_ms,
                 int (*on_done)(void *cb_ctx, const struct fetch_result *r),
                 void *cb_ctx, struct cdb_err *err)
{
    int running = 0, left = 0, rc = CDB_OK;
    CURLMcode mc = curl_multi_perform(f->multi, &running);
    CURLMsg *m;

    /* Wait only when nothing has ended yet: on loopback a whole exchange
     * often completes inside one perform call. */
    if (mc == CURLM_OK && timeout_ms > 0 && (size_t)running >= f->active) {
        mc = curl_multi_poll(f->multi, NULL, 0, timeout_ms, NULL);
        if (mc == CURLM_OK)
            mc = curl_multi_perform(f->multi, &running);
    }
    if (mc != CURLM_OK)
        return cdb_fail(err, CDB_ENET, "transfers failed: %s",
                        curl_multi_strerror(mc));
    while (rc == CDB_OK && (m = curl_multi_info_read(f->multi, &left))) {
        struct transfer *t = NULL;
        CURLcode result;

        if (m->msg != CURLMSG_DONE)
            continue;
        result = m->data.result; /* m is invalid after remove_handle */
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        curl_multi_remove_handle(f->multi, t->easy);
        unlink_transfer(&f->head, t);
        f->active--;
        rc = report(f, t, result, on_done, cb_ctx);
        if (rc == FETCH_KEEP) {
            link_transfer(&f->kept, t);
            rc = CDB_OK;
        } else {
            transfer_done(f, t);
        }
    }
    return rc;
}

void fetcher_release(struct fetcher *f, const struct fetch_result *r)
{
    struct transfer *t;

    if (!r)
        return;
    t = (struct transfer *)(void *)((char *)(uintptr_t)r -
                                    offsetof(struct transfer, result));
    unlink_transfer(&f->kept, t);
    transfer_done(f, t);
}

void fetcher_wakeup(struct fetcher *f)
{
    curl_multi_wakeup(f->multi);
}

void fetcher_free(struct fetcher *f)
{
    if (!f)
        return;
    while (f->head) {
        struct transfer *t = f->head;

        curl_multi_remove_handle(f->multi, t->easy);
        unlink_transfer(&f->head, t);
        transfer_free(t);
    }
    while (f->kept) {
        struct transfer *t = f->kept;

        unlink_transfer(&f->kept, t);
        transfer_free(t);
    }
    while (f->spare) {
        struct transfer *t = f->spare;

        f->spare = t->next;
        transfer_free(t);
    }
    curl_multi_cleanup(f->multi);
    curl_slist_free_all(f->resolve);
    free(f->user_agent);
    free(f);
}
