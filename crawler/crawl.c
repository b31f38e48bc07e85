/* The crawl loop (see crawl.h). One thread drives libcurl's multi interface;
 * results are stored between polls, in batches of one transaction. Memory
 * holds only the window of leased pages, per-host state and bounded caches:
 * the frontier and the seen-set are the pages table. */
#include "crawl.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdb.h"
#include "extract.h"
#include "log.h"
#include "robots.h"
#include "store.h"
#include "util.h"

#define AGENT_TOKEN       "crawldb"
#define BATCH_ROWS        400  /* within a poll round, commit after this ... */
#define BATCH_MS          250  /* ... many changes or this long; and after it */
#define HOST_CACHE        4096 /* host keys to id, and per-host state */
#define ROBOTS_MAX_HOPS   5
#define ROBOTS_MAX_BYTES  (512 * 1024)
#define PROGRESS_EVERY_MS 250

enum job_kind { JOB_PAGE, JOB_ROBOTS };

/* Per-host state of hosts the crawl fetches from. */
struct host {
    enum job_kind kind; /* JOB_ROBOTS: the ctx of its robots.txt transfer */
    int64_t id;
    int in_flight;
    int64_t next_ms; /* earliest time of the next request (politeness) */
    enum { ROBOTS_UNKNOWN, ROBOTS_FETCHING, ROBOTS_READY } robots_state;
    struct robots *robots;
    int robots_hops;
    char *origin; /* scheme://name:port, for robots.txt */
};

/* A leased page in the window. */
struct slot {
    enum job_kind kind; /* JOB_PAGE: the ctx of its transfer */
    bool used, in_flight;
    struct lease l;
    struct host *host;
};

/* A fixed-size cache of host key ("scheme://name:port") to host id. */
struct host_key {
    char *key;
    int64_t id;
};

struct crawl {
    const struct crawl_opts *o;
    struct store *st;
    struct fetcher *fetcher;
    char **seeds; /* canonical */
    size_t n_seeds;
    regex_t include, exclude;
    bool has_include, has_exclude;
    struct slot *window;
    size_t window_cap, window_used;
    int cur_depth; /* lease cursor: last (depth, id) leased */
    int64_t cur_id;
    bool behind; /* a page was queued behind the cursor */
    bool frontier_dry;
    struct host_key keys[HOST_CACHE];
    struct host *hosts[HOST_CACHE]; /* open addressing on host id */
    size_t n_hosts;
    int64_t fetched_before; /* pages fetched in the database at start */
    int64_t batch_rows;
    int64_t batch_start_ms;
    int64_t start_ms, last_progress_ms;
    struct crawl_progress prog;
    struct cdb_err *err;
};

void crawl_opts_init(struct crawl_opts *o)
{
    memset(o, 0, sizeof *o);
    o->scope = URL_SCOPE_HOST;
    o->max_depth = -1;
    o->max_redirects = 20;
    o->robots = true;
    o->max_text = 256 * 1024;
    fetch_opts_init(&o->fetch);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The id of the host of canonical url, through the cache. */
static int host_id_of(struct crawl *c, const char *url, int64_t *id)
{
    struct url_parts p = { 0 };
    char key[600];
    struct host_key *k;
    int rc = url_split(url, &p, c->err);

    if (rc != CDB_OK)
        return rc;
    snprintf(key, sizeof key, "%s://%s:%d", p.scheme, p.host, p.port);
    k = &c->keys[hash_str(key) % HOST_CACHE];
    if (k->key && strcmp(k->key, key) == 0) {
        *id = k->id;
    } else {
        rc = store_host_id(c->st, p.scheme, p.host, p.port, id, c->err);
        if (rc == CDB_OK) { /* a collision simply replaces the entry */
            free(k->key);
            k->key = xstrdup(key);
            k->id = *id;
        }
    }
    url_parts_release(&p);
    return rc;
}

/* Per-host state for a host the crawl fetches from. When the table fills,
 * idle hosts are dropped: their robots.txt is read back from the database
 * when needed again. */
static struct host *host_get(struct crawl *c, int64_t id, const char *url)
{
    size_t i = (size_t)id % HOST_CACHE;
    struct host *h;

    for (size_t n = 0; n < HOST_CACHE; n++, i = (i + 1) % HOST_CACHE) {
        if (!c->hosts[i])
            break;
        if (c->hosts[i]->id == id)
            return c->hosts[i];
    }
    if (c->n_hosts >= HOST_CACHE / 2) {
        struct host *keep[HOST_CACHE];
        size_t nk = 0;

        for (size_t j = 0; j < HOST_CACHE; j++) {
            h = c->hosts[j];
            if (h && (h->in_flight > 0 || h->robots_state == ROBOTS_FETCHING))
                keep[nk++] = h;
            else if (h) {
                robots_free(h->robots);
                free(h->origin);
                free(h);
            }
            c->hosts[j] = NULL;
        }
        c->n_hosts = 0;
        for (size_t j = 0; j < nk; j++) {
            size_t at = (size_t)keep[j]->id % HOST_CACHE;

            while (c->hosts[at])
                at = (at + 1) % HOST_CACHE;
            c->hosts[at] = keep[j];
            c->n_hosts++;
        }
        i = (size_t)id % HOST_CACHE;
        while (c->hosts[i])
            i = (i + 1) % HOST_CACHE;
    }
    h = xcalloc(1, sizeof *h);
    h->kind = JOB_ROBOTS;
    h->id = id;
    {
        struct url_parts p = { 0 };
        char origin[600];

        if (url_split(url, &p, NULL) == CDB_OK)
            snprintf(origin, sizeof origin, "%s://%s:%d", p.scheme, p.host,
                     p.port);
        else
            origin[0] = '\0';
        url_parts_release(&p);
        h->origin = xstrdup(origin);
    }
    c->hosts[i] = h;
    c->n_hosts++;
    return h;
}

static void hosts_free(struct crawl *c)
{
    for (size_t i = 0; i < HOST_CACHE; i++) {
        if (c->hosts[i]) {
            robots_free(c->hosts[i]->robots);
            free(c->hosts[i]->origin);
            free(c->hosts[i]);
        }
        free(c->keys[i].key);
    }
}

/* Commit the open batch and open the next one. */
static int batch_flush(struct crawl *c)
{
    int rc = store_commit(c->st, c->err);

    c->batch_rows = 0;
    if (rc == CDB_OK)
        rc = store_begin(c->st, c->err);
    c->batch_start_ms = now_ms();
    return rc;
}

/* Count one change and commit the batch when it is big or old enough. */
static int batch_tick(struct crawl *c, int rows)
{
    int rc = CDB_OK;

    c->batch_rows += rows;
    if (c->batch_rows >= BATCH_ROWS ||
        now_ms() - c->batch_start_ms >= BATCH_MS) {
        rc = store_commit(c->st, c->err);
        c->batch_rows = 0;
    }
    if (rc == CDB_OK && !store_in_batch(c->st)) {
        rc = store_begin(c->st, c->err);
        c->batch_start_ms = now_ms();
    }
    return rc;
}

static bool in_scope(const struct crawl *c, const char *url)
{
    for (size_t i = 0; i < c->n_seeds; i++)
        if (url_in_scope(c->o->scope, c->seeds[i], url))
            return true;
    return false;
}

/* Add url as a page found from a page at depth (with hops redirects in a
 * row), deciding whether it is queued or skipped; *id receives its id. */
static int page_found(struct crawl *c, const char *url, int depth, int hops,
                      int64_t *id)
{
    struct page_new p = { 0 };
    bool added = false;
    int rc = store_page_find(c->st, url, id, c->err);

    if (rc != CDB_OK || *id)
        return rc;
    p.url = url;
    p.depth = depth;
    p.hops = hops;
    p.state = PAGE_SKIPPED;
    if (!in_scope(c, url))
        p.reason = "scope";
    else if (c->has_include && regexec(&c->include, url, 0, NULL, 0) != 0)
        p.reason = "include";
    else if (c->has_exclude && regexec(&c->exclude, url, 0, NULL, 0) == 0)
        p.reason = "exclude";
    else if (c->o->max_depth >= 0 && depth > c->o->max_depth)
        p.reason = "max-depth";
    else if (hops > c->o->max_redirects)
        p.reason = "redirects";
    else
        p.state = PAGE_QUEUED;
    rc = host_id_of(c, url, &p.host_id);
    if (rc == CDB_OK)
        rc = store_page_add(c->st, &p, id, &added, c->err);
    if (rc == CDB_OK && added) {
        if (p.state == PAGE_QUEUED) {
            c->prog.queued++;
            if (depth < c->cur_depth)
                c->behind = true;
            c->frontier_dry = false;
        } else {
            c->prog.skipped++;
        }
    }
    return rc;
}

struct link_ctx {
    struct crawl *c;
    int64_t from_id;
    int depth;
    int64_t links;
};

static int on_link(void *ctx, const char *kind, const char *url,
                   const char *anchor, bool rel_nofollow)
{
    struct link_ctx *lc = ctx;
    int64_t to = 0;
    int rc = page_found(lc->c, url, lc->depth + 1, 0, &to);

    if (rc == CDB_OK)
        rc = store_link_add(lc->c->st, lc->from_id, to, kind, anchor,
                            rel_nofollow, lc->c->err);
    lc->links++;
    return rc;
}

static bool is_html(const char *content_type, const char *body, size_t len)
{
    if (content_type) {
        size_t n = strcspn(content_type, "; \t");

        return (n == 9 && ascii_ncasecmp(content_type, "text/html", 9) == 0) ||
               (n == 21 &&
                ascii_ncasecmp(content_type, "application/xhtml+xml", 21) == 0);
    }
    /* No type: sniff for markup at the start, as browsers do. */
    while (len &&
           (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t')) {
        body++;
        len--;
    }
    return len >= 5 && (ascii_ncasecmp(body, "<!doc", 5) == 0 ||
                        ascii_ncasecmp(body, "<html", 5) == 0);
}

/* The charset parameter of a Content-Type, copied into out, or NULL. */
static const char *charset_of(const char *content_type, char *out, size_t n)
{
    const char *p = content_type;
    size_t len;

    for (; p && (p = strchr(p, ';')) != NULL; p++) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (ascii_ncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        if (*p == '"')
            p++;
        len = strcspn(p, "\"; \t");
        if (len == 0 || len >= n)
            return NULL;
        memcpy(out, p, len);
        out[len] = '\0';
        return out;
    }
    return NULL;
}

static void slot_free(struct crawl *c, struct slot *s)
{
    if (s->host && s->in_flight)
        s->host->in_flight--;
    store_lease_release(&s->l);
    memset(s, 0, sizeof *s);
    c->window_used--;
}

/* Record one page exchange: document, fetch row, redirect or links, state. */
static int page_done(struct crawl *c, struct slot *s,
                     const struct fetch_result *r)
{
    struct fetch_row f = { 0 };
    bool added = false, html;
    enum page_state state = PAGE_DONE;
    char reason[300];
    const char *why = NULL;
    int rc = CDB_OK;
    struct link_ctx lc = { c, s->l.id, s->l.depth, 0 };

    f.page_id = s->l.id;
    f.duration_ms = r->duration_ms;
    f.status = r->status;
    f.content_type = r->content_type;
    f.length = r->status ? (int64_t)r->body_len : -1;
    f.truncated = r->truncated;
    f.headers = r->status ? r->headers : NULL;
    f.etag = r->etag;
    f.last_modified = r->last_modified;
    f.error = r->error;
    if (r->status > 0 && (r->body_len > 0 || r->status / 100 == 2))
        rc = store_doc_put(c->st, r->body, r->body_len, &f.document_id, &added,
                           c->err);
    html =
        r->status / 100 == 2 && is_html(r->content_type, r->body, r->body_len);
    if (rc == CDB_OK && r->status / 100 == 3 && r->location) {
        char *target = NULL;
        struct cdb_err uerr = { 0 };

        if (url_canon(r->url, r->location, &target, &uerr) == CDB_OK) {
            rc = page_found(c, target, s->l.depth, s->l.hops + 1,
                            &f.redirect_page_id);
            if (rc == CDB_OK)
                rc = store_link_add(c->st, s->l.id, f.redirect_page_id,
                                    "redirect", NULL, false, c->err);
        } else {
            f.error = uerr.msg; /* e.g. a redirect to ftp: or javascript: */
        }
        free(target);
    }
    if (rc == CDB_OK && html) {
        struct extract_page page = { 0 };
        struct cdb_err xerr = { 0 };
        char cs[64];
        int xrc = extract_html(r->body, r->body_len, r->url,
                               charset_of(r->content_type, cs, sizeof cs),
                               c->o->max_text, on_link, &lc, &page, &xerr);

        if (xrc == CDB_OK && added)
            rc = store_doc_text(c->st, f.document_id, page.title, page.text,
                                c->err);
        else if (xrc == CDB_EDB)
            rc = xrc; /* on_link's store failure: err already says why */
        else if (xrc != CDB_OK)
            log_debug("cannot extract links of '%s': %s", r->url, xerr.msg);
        extract_page_release(&page);
    }
    if (rc == CDB_OK)
        rc = store_fetch_add(c->st, &f, NULL, c->err);
    if (r->status == 0) {
        state = PAGE_FAILED;
        why = r->error ? r->error : "no response";
    } else if (r->status >= 400) {
        state = PAGE_FAILED;
        snprintf(reason, sizeof reason, "http %d", r->status);
        why = reason;
    } else if (r->error && !r->truncated) {
        state = PAGE_FAILED; /* e.g. the connection broke mid-body */
        why = r->error;
    } else if (r->status / 100 == 3 && !f.redirect_page_id) {
        state = PAGE_FAILED;
        why = f.error ? f.error : "redirect without a usable Location";
    }
    if (rc == CDB_OK)
        rc = store_page_set_state(c->st, s->l.id, state, why, c->err);
    c->prog.fetched++;
    c->prog.bytes += (int64_t)r->body_len;
    if (state == PAGE_DONE)
        c->prog.done++;
    else
        c->prog.failed++;
    if (rc == CDB_OK)
        rc = batch_tick(c, 3 + (int)lc.links);
    return rc;
}

/* robots.txt of a host came back: follow a redirect, or settle the rules. */
static int robots_done(struct crawl *c, struct host *h,
                       const struct fetch_result *r)
{
    char *target = NULL;
    int rc = CDB_OK;

    h->in_flight--;
    if (r->status / 100 == 3 && r->location &&
        h->robots_hops < ROBOTS_MAX_HOPS &&
        url_canon(r->url, r->location, &target, NULL) == CDB_OK) {
        h->robots_hops++;
        rc = fetcher_add(c->fetcher, target, h, c->err);
        if (rc == CDB_OK)
            h->in_flight++;
        free(target);
        return rc;
    }
    if (r->status / 100 == 2)
        h->robots = robots_parse(r->body, r->body_len, AGENT_TOKEN);
    else if (r->status >= 400 && r->status < 500)
        h->robots = robots_new_allow_all();
    else /* 5xx, unreachable or a redirect too far: assume all refused */
        h->robots = robots_new_deny_all();
    h->robots_state = ROBOTS_READY;
    rc = store_host_robots_set(c->st, h->id, r->status, r->body, r->body_len,
                               c->err);
    if (rc == CDB_OK)
        rc = batch_tick(c, 1);
    return rc;
}

static void progress(struct crawl *c, const struct fetch_result *r)
{
    c->prog.in_flight = fetcher_active(c->fetcher);
    c->prog.elapsed_ms = now_ms() - c->start_ms;
    c->prog.url = r ? r->url : NULL;
    c->prog.status = r ? r->status : 0;
    c->prog.error = r ? r->error : NULL;
    c->prog.length = r ? (int64_t)r->body_len : 0;
    c->prog.duration_ms = r ? r->duration_ms : 0;
    if (c->o->on_progress)
        c->o->on_progress(c->o->progress_ctx, &c->prog);
}

static int on_done(void *ctx, const struct fetch_result *r)
{
    struct crawl *c = ctx;
    enum job_kind kind = *(const enum job_kind *)r->ctx;
    int rc;

    if (kind == JOB_ROBOTS)
        return robots_done(c, r->ctx, r);
    rc = page_done(c, r->ctx, r);
    slot_free(c, r->ctx);
    progress(c, r);
    return rc;
}

static bool in_window(const struct crawl *c, int64_t id)
{
    for (size_t i = 0; i < c->window_cap; i++)
        if (c->window[i].used && c->window[i].l.id == id)
            return true;
    return false;
}

/* Fill free window slots from the frontier, in breadth-first order. */
static int refill(struct crawl *c)
{
    struct lease got[256];
    size_t want = c->window_cap - c->window_used, n = 0;
    int rc;

    if (want < c->window_cap / 2 || c->frontier_dry)
        return CDB_OK;
    if (c->behind) { /* start over: a page was queued behind the cursor */
        c->cur_depth = -1;
        c->cur_id = 0;
        c->behind = false;
    }
    if (want > sizeof got / sizeof got[0])
        want = sizeof got / sizeof got[0];
    rc = store_lease(c->st, c->cur_depth, c->cur_id, got, want, &n, c->err);
    for (size_t i = 0, j = 0; i < n; i++) {
        c->cur_depth = got[i].depth;
        c->cur_id = got[i].id;
        if (in_window(c, got[i].id)) {
            store_lease_release(&got[i]);
            continue;
        }
        while (c->window[j].used)
            j++;
        c->window[j].kind = JOB_PAGE;
        c->window[j].used = true;
        c->window[j].l = got[i];
        c->window_used++;
    }
    if (rc == CDB_OK && n < want)
        c->frontier_dry = true; /* until a page is queued */
    return rc;
}

/* Start what may start: robots.txt first, then pages within the limits. */
static int dispatch(struct crawl *c)
{
    int64_t now = now_ms();
    int rc = CDB_OK;

    for (size_t i = 0; i < c->window_cap && rc == CDB_OK; i++) {
        struct slot *s = &c->window[i];
        struct host *h;

        if (!s->used || s->in_flight)
            continue;
        if (fetcher_active(c->fetcher) >= c->o->fetch.concurrency)
            break;
        if (c->o->max_pages > 0 &&
            c->fetched_before + c->prog.fetched +
                    (int64_t)fetcher_active(c->fetcher) >=
                c->o->max_pages)
            break;
        h = s->host ? s->host : host_get(c, s->l.host_id, s->l.url);
        s->host = h;
        if (c->o->robots && h->robots_state == ROBOTS_UNKNOWN) {
            bool known = false;
            int status = 0;
            char *body = NULL;
            size_t len = 0;

            rc = store_host_robots_get(c->st, h->id, &known, &status, &body,
                                       &len, c->err);
            if (rc == CDB_OK && known && status / 100 == 2) {
                h->robots = robots_parse(body, len, AGENT_TOKEN);
                h->robots_state = ROBOTS_READY;
            } else if (rc == CDB_OK && known && status >= 400 && status < 500) {
                h->robots = robots_new_allow_all();
                h->robots_state = ROBOTS_READY;
            } else if (rc == CDB_OK) { /* unknown, or failed last time */
                char url[700];

                snprintf(url, sizeof url, "%s/robots.txt", h->origin);
                rc = fetcher_add(c->fetcher, url, h, c->err);
                h->robots_state = ROBOTS_FETCHING;
                h->in_flight++;
            }
            free(body);
            continue;
        }
        if (c->o->robots && h->robots_state == ROBOTS_FETCHING)
            continue;
        if (c->o->robots) {
            struct url_parts p = { 0 };
            const char *rule = NULL;
            bool ok = url_split(s->l.url, &p, NULL) == CDB_OK &&
                      robots_allowed(h->robots, p.path, &rule);

            url_parts_release(&p);
            if (!ok) {
                rc = store_page_set_state(c->st, s->l.id, PAGE_SKIPPED,
                                          "robots", c->err);
                c->prog.skipped++;
                slot_free(c, s);
                if (rc == CDB_OK)
                    rc = batch_tick(c, 1);
                continue;
            }
        }
        if (h->in_flight >= (int)c->o->fetch.per_host || h->next_ms > now)
            continue;
        rc = fetcher_add(c->fetcher, s->l.url, s, c->err);
        if (rc == CDB_OK) {
            s->in_flight = true;
            h->in_flight++;
            h->next_ms = now + c->o->delay_ms;
        }
    }
    return rc;
}

static int add_seeds(struct crawl *c)
{
    int rc = CDB_OK;

    c->seeds = xcalloc(c->o->n_seeds, sizeof *c->seeds);
    for (size_t i = 0; i < c->o->n_seeds && rc == CDB_OK; i++) {
        rc = url_canon(NULL, c->o->seeds[i], &c->seeds[i], c->err);
        c->n_seeds += rc == CDB_OK;
    }
    for (size_t i = 0; i < c->n_seeds && rc == CDB_OK; i++) {
        int64_t id;

        rc = page_found(c, c->seeds[i], 0, 0, &id);
    }
    return rc;
}

static int compile_re(const char *re, regex_t *out, bool *has,
                      struct cdb_err *err)
{
    char msg[200];
    int e;

    if (!re)
        return CDB_OK;
    e = regcomp(out, re, REG_EXTENDED | REG_NOSUB);
    if (e != 0) {
        regerror(e, out, msg, sizeof msg);
        return cdb_fail(err, CDB_EINVAL, "invalid regular expression '%s': %s",
                        re, msg);
    }
    *has = true;
    return CDB_OK;
}

/* The options of this run as JSON, for the crawls row. */
static void options_json(const struct crawl_opts *o, struct buf *b)
{
    static const char *const scopes[] = { "host", "domain", "prefix", "any" };

    buf_addf(b,
             "{\"scope\":\"%s\",\"max_depth\":%d,\"max_pages\":%lld,"
             "\"max_redirects\":%d,\"delay_ms\":%lld,\"robots\":%s,"
             "\"concurrency\":%zu,\"per_host\":%zu,\"timeout_ms\":%lld,"
             "\"max_size\":%zu,\"insecure\":%s,\"include\":",
             scopes[o->scope], o->max_depth, (long long)o->max_pages,
             o->max_redirects, (long long)o->delay_ms,
             o->robots ? "true" : "false", o->fetch.concurrency,
             o->fetch.per_host, (long long)o->fetch.timeout_ms,
             o->fetch.max_bytes, o->fetch.insecure ? "true" : "false");
    for (int i = 0; i < 2; i++) {
        const char *s = i == 0 ? o->include : o->exclude;

        if (i == 1)
            buf_adds(b, ",\"exclude\":");
        if (!s) {
            buf_adds(b, "null");
            continue;
        }
        buf_adds(b, "\"");
        for (; *s; s++) {
            if (*s == '"' || *s == '\\')
                buf_addf(b, "\\%c", *s);
            else if ((unsigned char)*s < 0x20)
                buf_addf(b, "\\u%04x", (unsigned char)*s);
            else
                buf_add(b, s, 1);
        }
        buf_adds(b, "\"");
    }
    buf_addf(b, ",\"user_agent\":\"%s\"}",
             o->fetch.user_agent ? "custom" : "default");
}

static int run(struct crawl *c)
{
    struct buf seeds, opts;
    int rc;

    buf_init(&seeds, 1 << 20);
    buf_init(&opts, 1 << 16);
    for (size_t i = 0; i < c->o->n_seeds; i++)
        buf_addf(&seeds, "%s%s", i ? "\n" : "", c->o->seeds[i]);
    options_json(c->o, &opts);
    rc = store_crawl_start(c->st, seeds.data ? seeds.data : "", opts.data,
                           c->err);
    buf_release(&seeds);
    buf_release(&opts);
    if (rc == CDB_OK)
        rc = store_begin(c->st, c->err);
    c->batch_start_ms = now_ms();
    if (rc == CDB_OK)
        rc = add_seeds(c);
    if (rc == CDB_OK)
        rc = store_count_fetched(c->st, &c->fetched_before, c->err);
    while (rc == CDB_OK) {
        bool stopping = c->o->stop && *c->o->stop;

        if (!stopping) {
            rc = refill(c);
            if (rc == CDB_OK)
                rc = dispatch(c);
        }
        if (rc != CDB_OK)
            break;
        if (fetcher_active(c->fetcher) == 0 &&
            (stopping || c->window_used == 0 ||
             (c->o->max_pages > 0 &&
              c->fetched_before + c->prog.fetched >= c->o->max_pages)))
            break;
        rc = fetcher_poll(c->fetcher, 50, on_done, c, c->err);
        /* Commit what this round recorded before anything new starts: a
         * crash then loses at most the pages in flight, never a finished
         * page whose batch was still open. WAL commits are cheap. */
        if (rc == CDB_OK && c->batch_rows > 0)
            rc = batch_flush(c);
        if (now_ms() - c->last_progress_ms >= PROGRESS_EVERY_MS) {
            c->last_progress_ms = now_ms();
            progress(c, NULL);
        }
    }
    c->prog.interrupted = c->o->stop && *c->o->stop;
    if (rc == CDB_OK)
        rc = store_commit(c->st, c->err);
    else
        store_commit(c->st, NULL); /* keep what was recorded, if possible */
    if (store_crawl_id(c->st) > 0) {
        const char *status =
            rc != CDB_OK ? "failed"
                         : (c->prog.interrupted ? "interrupted" : "finished");
        int erc = store_crawl_end(c->st, status, rc == CDB_OK ? c->err : NULL);

        if (rc == CDB_OK)
            rc = erc;
    }
    progress(c, NULL);
    return rc;
}

int crawl_run(const struct crawl_opts *o, struct store *st,
              struct crawl_progress *out, struct cdb_err *err)
{
    struct crawl *c = xcalloc(1, sizeof *c);
    int rc;

    c->o = o;
    c->st = st;
    c->err = err;
    c->cur_depth = -1;
    c->start_ms = now_ms();
    c->window_cap =
        o->fetch.concurrency * 4 < 64 ? 64 : o->fetch.concurrency * 4;
    if (c->window_cap > 256)
        c->window_cap = 256;
    c->window = xcalloc(c->window_cap, sizeof *c->window);
    rc =
        o->n_seeds == 0 ? cdb_fail(err, CDB_EINVAL, "no URL to crawl") : CDB_OK;
    if (rc == CDB_OK)
        rc = compile_re(o->include, &c->include, &c->has_include, err);
    if (rc == CDB_OK)
        rc = compile_re(o->exclude, &c->exclude, &c->has_exclude, err);
    if (rc == CDB_OK)
        rc = fetcher_new(&o->fetch, &c->fetcher, err);
    if (rc == CDB_OK)
        rc = run(c);
    if (out)
        *out = c->prog;
    fetcher_free(c->fetcher);
    for (size_t i = 0; i < c->window_cap; i++)
        store_lease_release(&c->window[i].l);
    free(c->window);
    for (size_t i = 0; i < c->n_seeds; i++)
        free(c->seeds[i]);
    free(c->seeds);
    if (c->has_include)
        regfree(&c->include);
    if (c->has_exclude)
        regfree(&c->exclude);
    hosts_free(c);
    free(c);
    return rc;
}
