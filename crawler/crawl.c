/* The crawl loop (see crawl.h). One thread drives libcurl's multi interface;
 * results are stored between polls, in batches of one transaction. Memory
 * holds only the window of leased pages, per-host state and bounded caches:
 * the frontier and the seen-set are the pages table. */
#include "crawl.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cdb.h"
#include "extract.h"
#include "log.h"
#include "robots.h"
#include "sitemap.h"
#include "store.h"
#include "url.h"
#include "util.h"
#include "worker.h"

#define AGENT_TOKEN     "crawldb"
#define URL_CACHE_SLOTS 32768 /* resolved URLs remembered: ~3 MB */
/* A batch commits after BATCH_ROWS changes, once it is BATCH_MS old, or
 * once store_batch_full(). */
#define BATCH_ROWS        32000      /* changes in a batch, at most */
#define BATCH_MS          500        /* age of a batch, at most */
#define HOST_CACHE        4096       /* host keys to id, and per-host state */
#define PAGE_CACHE        (1u << 18) /* known URLs to page id: 4 MiB */
#define ROBOTS_MAX_HOPS   5
#define ROBOTS_MAX_BYTES  (512 * 1024)
#define PROGRESS_EVERY_MS 250
#define MAX_CRAWL_DELAY   60000   /* robots.txt Crawl-delay honoured up to */
#define MAX_RETRY_AFTER   3600000 /* Retry-After honoured up to */
#define STOP_GRACE_MS     1000    /* transfers may finish after a stop */
#define PARSE_QUEUE       8       /* fetched pages waiting to be parsed */

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
    bool sitemaps_queued;
    int fails;        /* failures in a row: no response or 5xx */
    char *dead;       /* why the host was given up, or NULL */
    int64_t pages;    /* pages of the host not skipped; -1: not counted yet */
    int64_t delay_ms; /* between two requests */
};

/* A leased page in the window. */
struct slot {
    enum job_kind kind; /* JOB_PAGE: the ctx of its transfer */
    bool used, in_flight;
    bool parsing; /* fetched, with the parse worker */
    struct lease l;
    struct host *host;
    int attempts;     /* fetches of the page so far in this run */
    int64_t retry_at; /* not before this time (monotonic ms) */
    int64_t prev_doc; /* document a conditional request may confirm */
};

/* An entry of a fixed-size cache of a string to an id: host keys
 * ("scheme://name:port") to host ids, and known URLs to page ids. */
struct host_key {
    char *key;
    int64_t id;
};

/* An entry of the known-page cache: not the URL but a 64-bit hash of it
 * (independent of the one that picks the set), so that the cache is a
 * fixed 16 bytes an entry. Two URLs are mistaken for each other only if
 * both hashes agree: about one chance in 2^64 for each lookup. */
struct page_key {
    uint64_t tag;
    int64_t id; /* 0: empty; with PAGE_HIT once a lookup found it */
};
#define PAGE_HIT ((int64_t)1 << 62)
_Static_assert(PAGE_CACHE >= 2 && (PAGE_CACHE & (PAGE_CACHE - 1)) == 0,
               "the known-page cache is sets of two, a power of two of them");

struct crawl {
    const struct crawl_opts *o;
    struct store *st;
    struct fetcher *fetcher;
    char **seeds;                 /* canonical */
    struct url_parts *seed_parts; /* the seeds split, for the scope */
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
    uint64_t rand_state; /* for --random-delay */
    struct crawl_progress prog;
    struct cdb_err *err;
    bool block_private;     /* the fetcher refuses non-public addresses */
    struct worker *worker;  /* parses HTML pages off this thread */
    struct page_key *pages; /* PAGE_CACHE known URLs, see page_found() */
    struct link_row *links; /* the links of the page being recorded */
    size_t links_cap;
};

void crawl_opts_init(struct crawl_opts *o)
{
    memset(o, 0, sizeof *o);
    o->scope = URL_SCOPE_HOST;
    o->max_depth = -1;
    o->max_redirects = 20;
    o->robots = true;
    o->sitemaps = true;
    o->max_text = 256 * 1024;
    o->delay_ms = -1;
    o->retries = 2;
    o->retry_base_ms = 1000;
    o->host_fail_limit = 10;
    o->max_url_length = 2048;
    o->max_path_depth = 32;
    o->max_repeat = 3;
    o->max_query_variants = 1000;
    fetch_opts_init(&o->fetch);
}

/* The two entries of the known-page cache that may hold url, and url's
 * tag there. */
static struct page_key *page_set(struct crawl *c, const char *url,
                                 uint64_t *tag)
{
    size_t n = strlen(url);

    *tag = hash_murmur64a(url, n, 0x9e3779b97f4a7c15u);
    return &c->pages[(hash_murmur64a(url, n, 0) & (PAGE_CACHE / 2 - 1)) * 2];
}

/* The page id set k holds for tag, or 0; a found entry is marked hit. */
static int64_t page_cached(struct page_key *k, uint64_t tag)
{
    for (int i = 0; i < 2; i++)
        if (k[i].id && k[i].tag == tag) {
            k[i].id |= PAGE_HIT;
            return k[i].id & ~PAGE_HIT;
        }
    return 0;
}

/* Fill a cache entry; a collision simply replaces what it held. */
static void key_set(struct host_key *k, const char *key, int64_t id)
{
    free(k->key);
    k->key = xstrdup(key);
    k->id = id;
}

/* Remember the page id for the tag page_set() gave, in its set k. A full
 * set gives up an entry that no lookup has found since it came, if it has
 * one: most links lead to pages that many pages link to, and a URL linked
 * once (a query-string duplicate, an off-site page) would otherwise push
 * them out. The entry that stays must be found again to stay the next
 * time. Direct-mapped, the cache lost 486,000 known pages of 2.97 million
 * lookups at 100,000 pages (310,000 URLs in 262,144 entries), each a look
 * into the file's index of URLs. */
static void page_remember(struct page_key *k, uint64_t tag, int64_t id)
{
    int v;

    if (id <= 0 || id >= PAGE_HIT)
        return; /* the hit bit would change it: looked up each time */
    if (!k[0].id || k[0].tag == tag) {
        v = 0;
    } else if (!k[1].id || k[1].tag == tag) {
        v = 1;
    } else {
        /* When both or neither were found again, way 1 gives way, not the
         * older: way 0 then keeps its entry while URLs linked once come
         * and go through way 1. Evicting the older instead looked the
         * file's index up 531,000 times at 100,000 pages, not 516,000. */
        v = (k[1].id & PAGE_HIT) && !(k[0].id & PAGE_HIT) ? 0 : 1;
        k[1 - v].id &= ~PAGE_HIT;
    }
    k[v].tag = tag;
    k[v].id = id;
}

/* The id of the host of a URL split into p, through the cache. */
static int host_id_of(struct crawl *c, const struct url_parts *p, int64_t *id)
{
    char key[600];
    struct host_key *k;
    int rc = CDB_OK;

    snprintf(key, sizeof key, "%s://%s:%d", p->scheme, p->host, p->port);
    k = &c->keys[hash_fnv1a(key, strlen(key)) % HOST_CACHE];
    if (k->key && strcmp(k->key, key) == 0) {
        *id = k->id;
    } else {
        rc = store_host_id(c->st, p->scheme, p->host, p->port, id, c->err);
        if (rc == CDB_OK)
            key_set(k, key, *id);
    }
    return rc;
}

static void host_free(struct host *h)
{
    robots_free(h->robots);
    free(h->origin);
    free(h->dead);
    free(h);
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
            else if (h)
                host_free(h);
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
    h->pages = -1;
    h->delay_ms = c->o->delay_ms > 0 ? c->o->delay_ms : 0;
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
            host_free(c->hosts[i]);
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
    if (c->batch_rows >= BATCH_ROWS || store_batch_full(c->st) ||
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

static bool in_scope(const struct crawl *c, const struct url_parts *url)
{
    for (size_t i = 0; i < c->n_seeds; i++)
        if (url_parts_in_scope(c->o->scope, &c->seed_parts[i], url))
            return true;
    return false;
}

/* Why a URL looks like a spider trap, in *why (a defence's reason, or
 * NULL): too long, too deep, a path segment repeated, or too many query
 * variants of one path. Returns CDB_OK, or the store's error in c->err. */
static int trap_reason(struct crawl *c, const char *url, const char **why)
{
    const struct crawl_opts *o = c->o;
    const char *path, *q, *seg[64];
    size_t seglen[64], nseg = 0;
    int64_t n = 0;

    *why = NULL;
    if (o->max_url_length > 0 && strlen(url) > o->max_url_length) {
        *why = "url-length";
        return CDB_OK;
    }
    path = strstr(url, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    if (!path)
        return CDB_OK;
    q = path + strcspn(path, "?");
    for (const char *p = path; p < q;) {
        const char *e;

        p++; /* past '/' */
        e = memchr(p, '/', (size_t)(q - p));
        e = e ? e : q;
        if (nseg == sizeof seg / sizeof seg[0] ||
            (o->max_path_depth > 0 && (int)nseg >= o->max_path_depth)) {
            *why = "path-depth";
            return CDB_OK;
        }
        seg[nseg] = p;
        seglen[nseg++] = (size_t)(e - p);
        p = e;
    }
    for (size_t i = 0; o->max_repeat > 0 && i < nseg; i++) {
        int same = 0;

        for (size_t j = 0; j < nseg && seglen[i] > 0; j++)
            same += seglen[j] == seglen[i] &&
                    memcmp(seg[j], seg[i], seglen[i]) == 0;
        if (same > o->max_repeat) {
            *why = "repeated-segment";
            return CDB_OK;
        }
    }
    if (*q == '?' && o->max_query_variants > 0) {
        /* The variants of path are the URLs in [path?, path@). */
        size_t len = (size_t)(q - url) + 1;
        char *lo = xstrndup(url, len), *hi = xstrndup(url, len);
        int rc;

        hi[len - 1] = '?' + 1;
        rc = store_count_url_range(c->st, lo, hi, &n, c->err);
        free(lo);
        free(hi);
        if (rc != CDB_OK)
            return rc;
        if (n >= o->max_query_variants)
            *why = "query-variants";
    }
    return CDB_OK;
}

/* Whether a new in-scope page of host_id passes --max-pages-per-host
 * (*room); counts it if so. Returns CDB_OK, or the store's error in
 * c->err. */
static int host_has_room(struct crawl *c, int64_t host_id, const char *url,
                         bool *room)
{
    struct host *h;
    int rc;

    *room = true;
    if (c->o->max_pages_per_host <= 0)
        return CDB_OK;
    h = host_get(c, host_id, url);
    if (h->pages < 0) {
        rc = store_count_host_pages(c->st, host_id, &h->pages, c->err);
        if (rc != CDB_OK) {
            h->pages = -1; /* counted again next time */
            return rc;
        }
    }
    if (h->pages >= c->o->max_pages_per_host)
        *room = false;
    else
        h->pages++;
    return CDB_OK;
}

/* Queue p (new, or known and skipped as nofollow) or skip it, and why: its
 * URL split in u. Returns CDB_OK, or the store's error in c->err; p is
 * then undecided (skipped without a reason) and not to be stored. */
static int page_judge(struct crawl *c, struct page_new *p,
                      const struct url_parts *u)
{
    const struct crawl_opts *o = c->o;
    const char *url = p->url;
    bool room = true;
    int rc = CDB_OK;

    p->state = PAGE_SKIPPED;
    if (p->reason)
        ; /* decided by the caller, e.g. nofollow */
    else if (!in_scope(c, u))
        p->reason = "scope";
    else if (c->has_include && regexec(&c->include, url, 0, NULL, 0) != 0)
        p->reason = "include";
    else if (c->has_exclude && regexec(&c->exclude, url, 0, NULL, 0) == 0)
        p->reason = "exclude";
    else if (o->max_depth >= 0 && p->depth > o->max_depth)
        p->reason = "max-depth";
    else if (p->hops > o->max_redirects)
        p->reason = "redirects";
    else if ((rc = trap_reason(c, url, &p->reason)) != CDB_OK ||
             p->reason != NULL)
        ;
    else if ((rc = host_has_room(c, p->host_id, url, &room)) != CDB_OK)
        ;
    else if (!room)
        p->reason = "max-pages-per-host";
    else
        p->state = PAGE_QUEUED;
    return rc;
}

/* Add p->url as a page unless known, deciding whether it is queued or
 * skipped (p->reason, if set, skips it for that reason); *id receives the
 * page's id, new or old. nofollow belongs to a link, not to its target: a
 * page skipped as 'nofollow' that a followed link reaches is queued, as
 * wget and Scrapy would fetch it. */
static int page_found(struct crawl *c, struct page_new *p, int64_t *id)
{
    const char *url = p->url;
    bool added = false, nofollowed = false;
    uint64_t tag;
    struct page_key *k = page_set(c, url, &tag);
    struct url_parts parts;
    int rc;

    /* Most links lead to pages already known. The cache holds only pages
     * that are not skipped as 'nofollow', for which nothing more is to be
     * decided, so a hit spares the lookup. */
    *id = page_cached(k, tag);
    if (*id)
        return CDB_OK;
    rc = store_page_find_nofollowed(c->st, url, id, &nofollowed, c->err);
    if (rc == CDB_OK && *id && !nofollowed)
        page_remember(k, tag, *id);
    if (rc != CDB_OK || (*id && (!nofollowed || p->reason)))
        return rc;
    /* Split once, for its host and its scope. */
    rc = url_split(url, &parts, c->err);
    if (rc == CDB_OK)
        rc = host_id_of(c, &parts, &p->host_id);
    if (rc == CDB_OK)
        rc = page_judge(c, p, &parts);
    url_parts_release(&parts);
    if (rc != CDB_OK)
        return rc;
    if (*id) { /* known, skipped as nofollow: followed now, if it may be */
        if (p->state != PAGE_QUEUED)
            return CDB_OK;
        rc = store_page_set_state(c->st, *id, PAGE_QUEUED, NULL, c->err);
        if (rc == CDB_OK) {
            page_remember(k, tag, *id);
            c->prog.queued++;
            c->behind = true; /* its depth is that of its first link */
            c->frontier_dry = false;
        }
        return rc;
    }
    rc = store_page_add(c->st, p, id, &added, c->err);
    if (rc == CDB_OK && added &&
        !(p->state == PAGE_SKIPPED && strcmp(p->reason, "nofollow") == 0))
        page_remember(k, tag, *id);
    if (rc == CDB_OK && added) {
        if (p->state == PAGE_QUEUED) {
            c->prog.queued++;
            if (p->depth < c->cur_depth)
                c->behind = true;
            c->frontier_dry = false;
        } else {
            c->prog.skipped++;
        }
    }
    return rc;
}

/* A page reached by a plain link, a redirect or from a seed. */
static int page_found_at(struct crawl *c, const char *url, int depth, int hops,
                         const char *skip, int64_t *id)
{
    struct page_new p = { 0 };

    p.url = url;
    p.depth = depth;
    p.hops = hops;
    p.reason = skip;
    return page_found(c, &p, id);
}

struct link_ctx {
    struct crawl *c;
    int64_t from_id;
    int depth;
    int64_t links;
    const struct extract_page *page; /* its nofollow is known before links */
    bool header_nofollow;            /* X-Robots-Tag said nofollow */
    int64_t self;                    /* links to the page itself */
};

static int on_link(void *ctx, const char *kind, const char *url,
                   const char *anchor, bool rel_nofollow)
{
    struct link_ctx *lc = ctx;
    struct crawl *c = lc->c;
    const char *skip = NULL;
    int64_t to = 0;
    int rc;

    /* A page's nofollow (meta or header) is obeyed; rel=nofollow only when
     * asked, as wget does. Either way the link itself is recorded. */
    if (lc->header_nofollow || (lc->page && lc->page->nofollow) ||
        (rel_nofollow && c->o->obey_rel_nofollow))
        skip = "nofollow";
    rc = page_found_at(c, url, lc->depth + 1, 0, skip, &to);
    if (rc != CDB_OK)
        return rc;
    lc->self += to == lc->from_id;
    /* Added together by store_links_add(); the strings are the job's. */
    if ((size_t)lc->links == c->links_cap) {
        c->links_cap = c->links_cap ? 2 * c->links_cap : 256;
        c->links = xrealloc(c->links, c->links_cap * sizeof *c->links);
    }
    c->links[lc->links].to_page_id = to;
    c->links[lc->links].kind = kind;
    c->links[lc->links].anchor = anchor;
    c->links[lc->links].nofollow = rel_nofollow;
    lc->links++;
    return CDB_OK;
}

struct sitemap_ctx {
    struct crawl *c;
    const struct slot *s;
    const char *base;
    enum sitemap_kind kind;
    int64_t urls;
};

/* One <loc> of a sitemap: a page (or, in an index, another sitemap) found
 * through it, and a link of kind sitemap. */
static int on_sitemap_url(void *ctx, const char *loc, const char *lastmod)
{
    struct sitemap_ctx *sc = ctx;
    struct page_new p = { 0 };
    char *url = NULL;
    int64_t to = 0;
    int rc;

    if (url_canon(sc->base, loc, &url, NULL) != CDB_OK)
        return CDB_OK; /* a bad loc is the sitemap's problem, not ours */
    p.url = url;
    p.lastmod = lastmod;
    if (sc->kind == SITEMAP_INDEX) {
        p.depth = sc->s->l.depth;
        p.sitemap = 1;
    } else {
        p.depth = sc->s->l.depth + 1;
    }
    rc = page_found(sc->c, &p, &to);
    if (rc == CDB_OK)
        rc = store_link_add(sc->c->st, sc->s->l.id, to, "sitemap", NULL, false,
                            sc->c->err);
    sc->urls++;
    free(url);
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

/* Does a robots directive list (X-Robots-Tag or meta content) have token?
 * "none" means both noindex and nofollow. */
static bool has_directive(const char *list, const char *token)
{
    size_t n = strlen(token);

    for (const char *p = list; p && *p;) {
        size_t len;

        p += strspn(p, " ,\t");
        len = strcspn(p, " ,\t");
        if ((len == n && ascii_ncasecmp(p, token, n) == 0) ||
            (len == 4 && ascii_ncasecmp(p, "none", 4) == 0))
            return true;
        p += len;
    }
    return false;
}

/* Should this outcome be tried again, and is there a try left? Also when
 * the crawl is stopping: the page then stays queued for the next run to
 * try, where failing it would end it as an uninterrupted crawl would not. */
static bool should_retry(const struct crawl *c, const struct slot *s,
                         const struct fetch_result *r)
{
    bool transient = (r->status == 0 || r->status >= 500 || r->status == 429 ||
                      (r->error && !r->truncated)) &&
                     !r->refused; /* the block refuses again */

    return transient && s->attempts <= c->o->retries;
}

/* Give a failing host up: its queued pages fail with the reason, and
 * leased ones are dropped from the window. */
static int host_give_up(struct crawl *c, struct host *h, const char *why)
{
    char reason[400];
    int64_t n = 0;
    int rc;

    snprintf(reason, sizeof reason, "host failing: %.300s", why);
    free(h->dead);
    h->dead = xstrdup(reason);
    rc = store_host_fail_queued(c->st, h->id, reason, &n, c->err);
    c->prog.failed += n;
    for (size_t i = 0; i < c->window_cap; i++)
        if (c->window[i].used && !c->window[i].in_flight &&
            !c->window[i].parsing && c->window[i].host == h)
            slot_free(c, &c->window[i]);
    log_debug("giving up on %s: %s", h->origin, why);
    return rc;
}

/* Record one page exchange: document, fetch row, redirect, sitemap or
 * links, state; or schedule a retry. *keep is set when the slot stays
 * (to be tried again). An HTML page comes back from the parse worker: job
 * has its hash, links and text (see parse_first()); else job is NULL. */
static int page_done(struct crawl *c, struct slot *s,
                     const struct fetch_result *r, const struct worker_job *job,
                     bool *keep)
{
    struct fetch_row f = { 0 };
    bool added = false, html, retry;
    enum page_state state = PAGE_DONE;
    char reason[300];
    const char *why = NULL;
    int rc = CDB_OK;
    struct link_ctx lc = { c, s->l.id, s->l.depth, 0, NULL, false, false };
    struct host *h = s->host;

    *keep = false;
    s->attempts++;
    f.page_id = s->l.id;
    f.attempt = s->attempts;
    f.duration_ms = r->duration_ms;
    f.status = r->status;
    f.content_type = r->content_type;
    f.length = r->status ? (int64_t)r->body_len : -1;
    f.truncated = r->truncated;
    f.headers = r->status ? r->headers : NULL;
    f.etag = r->etag;
    f.last_modified = r->last_modified;
    f.error = r->error;
    f.conditional = r->conditional;
    f.noindex = has_directive(r->x_robots_tag, "noindex");
    f.nofollow = lc.header_nofollow =
        has_directive(r->x_robots_tag, "nofollow");
    retry = should_retry(c, s, r);
    if (r->status == 304 && r->conditional && s->prev_doc) {
        f.document_id = s->prev_doc; /* unchanged: the same document */
        rc = store_links_seen(c->st, s->l.id, c->err);
    } else if (r->status > 0 && !retry &&
               (r->body_len > 0 || r->status / 100 == 2)) {
        rc =
            job ? store_doc_put_hashed(c->st, job->sha256, r->body, r->body_len,
                                       &f.document_id, &added, c->err)
                : store_doc_put(c->st, r->body, r->body_len, &f.document_id,
                                &added, c->err);
    }
    html = job && job->html;
    if (rc == CDB_OK && !retry && r->status / 100 == 3 && r->status != 304 &&
        r->location) {
        char *target = NULL;
        struct cdb_err uerr = { 0 };

        if (url_canon(r->url, r->location, &target, &uerr) == CDB_OK) {
            struct page_new p = { 0 };

            p.url = target;
            p.depth = s->l.depth;
            p.hops = s->l.hops + 1;
            p.sitemap = s->l.sitemap ? 1 : 0; /* a moved sitemap */
            rc = page_found(c, &p, &f.redirect_page_id);
            if (rc == CDB_OK)
                rc = store_link_add(c->st, s->l.id, f.redirect_page_id,
                                    "redirect", NULL, false, c->err);
        } else {
            f.error = uerr.msg; /* e.g. a redirect to ftp: or javascript: */
        }
        free(target);
    }
    if (rc == CDB_OK && !retry && s->l.sitemap && r->status / 100 == 2) {
        struct sitemap_ctx sc = { c, s, r->url, SITEMAP_UNKNOWN, 0 };
        struct cdb_err serr = { 0 };
        int src = sitemap_parse(r->body, r->body_len, r->url, on_sitemap_url,
                                &sc, &sc.kind, &serr);

        if (src == CDB_EDB || src == CDB_EFULL)
            rc = src;
        else if (src != CDB_OK && !f.error)
            f.error = serr.msg;
        lc.links = sc.urls;
    }
    if (rc == CDB_OK && html) {
        const struct extract_page *page = &job->page;

        lc.page = page;
        if (job->rc == CDB_OK) {
            f.noindex |= page->noindex;
            f.nofollow |= page->nofollow;
            f.links_refused = (int64_t)page->refused;
            if (job->same_as) { /* checked by same_links() */
                rc = store_links_copy(c->st, s->l.id, job->same_as, &lc.links,
                                      c->err);
                c->prog.same_body += rc == CDB_OK;
            } else {
                rc = worker_job_links(job, on_link, &lc);
                if (rc == CDB_OK)
                    rc = store_links_add(c->st, s->l.id, c->links,
                                         (size_t)lc.links, c->err);
                /* A page whose links do not depend on its query string
                 * lends them to a later page of the same body: only its
                 * fragment-only references ("#main") may lead to itself,
                 * and those lead the other page to itself. At a longer URL
                 * they take more room: the other page's parse must not
                 * have run out of it where this one did not. */
                if (rc == CDB_OK && lc.self == (int64_t)page->own_refs &&
                    job->links.len + page->own_refs * (size_t)URL_MAX_REF <=
                        WORKER_MAX_LINK_BYTES &&
                    !lc.header_nofollow && !job->links_cut && !c->o->recrawl)
                    worker_remember(c->worker, job, s->l.id);
            }
        } else {
            log_debug("cannot extract links of '%s': %s", r->url, job->err.msg);
        }
        if (rc == CDB_OK && job->rc == CDB_OK && added && !f.noindex)
            rc = store_doc_text(c->st, f.document_id, page->title, page->text,
                                c->err);
        if (rc == CDB_OK && c->o->recrawl)
            rc = store_links_gone(c->st, s->l.id, c->err);
    }
    if (rc == CDB_OK)
        rc = store_fetch_add(c->st, &f, NULL, c->err);
    /* Host health: no answer or 5xx counts against it, any other answer
     * clears it. */
    if (r->status == 0 || r->status >= 500)
        h->fails++;
    else
        h->fails = 0;
    c->prog.fetched++;
    c->prog.bytes += (int64_t)r->body_len;
    if (retry && h->fails < c->o->host_fail_limit) {
        int64_t wait = c->o->retry_base_ms << (s->attempts - 1);

        if (r->retry_after_ms >= 0 && (r->status == 429 || r->status == 503)) {
            wait = r->retry_after_ms < MAX_RETRY_AFTER ? r->retry_after_ms
                                                       : MAX_RETRY_AFTER;
            if (h->next_ms < now_ms() + wait) /* the host asked to wait */
                h->next_ms = now_ms() + wait;
        }
        s->retry_at = now_ms() + wait;
        s->in_flight = false;
        h->in_flight--;
        *keep = true;
        if (rc == CDB_OK)
            rc = batch_tick(c, 1);
        return rc;
    }
    if (r->status == 0) {
        state = PAGE_FAILED;
        why = r->error ? r->error : "no response";
    } else if (s->l.sitemap == 2 && r->status >= 400 && r->status < 500) {
        state = PAGE_SKIPPED; /* a probed /sitemap.xml that is not there */
        why = "no sitemap";
    } else if (r->status >= 400) {
        state = PAGE_FAILED;
        snprintf(reason, sizeof reason, "http %d", r->status);
        why = reason;
    } else if (r->error && !r->truncated) {
        state = PAGE_FAILED; /* e.g. the connection broke mid-body */
        why = r->error;
    } else if (r->status / 100 == 3 && r->status != 304 &&
               !f.redirect_page_id) {
        state = PAGE_FAILED;
        why = f.error ? f.error : "redirect without a usable Location";
    }
    if (rc == CDB_OK)
        rc = store_page_set_state(c->st, s->l.id, state, why, c->err);
    if (state == PAGE_DONE)
        c->prog.done++;
    else if (state == PAGE_FAILED)
        c->prog.failed++;
    else
        c->prog.skipped++;
    if (rc == CDB_OK && h->fails >= c->o->host_fail_limit && !h->dead)
        rc = host_give_up(c, h, why ? why : "too many failures");
    if (rc == CDB_OK)
        rc = batch_tick(c, 3 + (int)lc.links);
    return rc;
}

/* Queue the host's sitemaps once: the Sitemap: lines of its robots.txt, or
 * /sitemap.xml when it names none. */
static int queue_sitemaps(struct crawl *c, struct host *h)
{
    size_t n = h->robots ? robots_sitemap_count(h->robots) : 0;
    int rc = CDB_OK;

    if (h->sitemaps_queued || !c->o->sitemaps)
        return CDB_OK;
    h->sitemaps_queued = true;
    for (size_t i = 0; i <= n && rc == CDB_OK; i++) {
        char probe[700], *url = NULL;
        struct page_new p = { 0 };
        int64_t id;

        if (i == n && n > 0)
            break;
        snprintf(probe, sizeof probe, "%s/sitemap.xml", h->origin);
        if (url_canon(h->origin, i < n ? robots_sitemap(h->robots, i) : probe,
                      &url, NULL) != CDB_OK)
            continue;
        p.url = url;
        p.sitemap = i < n ? 1 : 2;
        rc = page_found(c, &p, &id);
        free(url);
    }
    return rc;
}

/* The politeness delay of a host: --delay, else robots.txt's Crawl-delay
 * (bounded), else none. */
static void host_set_delay(struct crawl *c, struct host *h)
{
    long d = h->robots ? robots_delay_ms(h->robots) : -1;

    if (c->o->delay_ms >= 0)
        h->delay_ms = c->o->delay_ms;
    else
        h->delay_ms = d < 0 ? 0 : (d > MAX_CRAWL_DELAY ? MAX_CRAWL_DELAY : d);
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
    else if ((r->status >= 400 && r->status < 500) || r->refused)
        h->robots = robots_new_allow_all(); /* refused: so are the pages,
                                               each with a fetch row */
    else /* 5xx, unreachable or a redirect too far: assume all refused */
        h->robots = robots_new_deny_all();
    h->robots_state = ROBOTS_READY;
    host_set_delay(c, h);
    rc = store_host_robots_set(
        c->st, h->id, r->status, r->body,
        r->body_len < ROBOTS_MAX_BYTES ? r->body_len : ROBOTS_MAX_BYTES,
        c->err);
    if (rc == CDB_OK && (r->status / 100 == 2 || r->status / 100 == 4))
        rc = queue_sitemaps(c, h);
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

/* An HTML page that arrived whole goes to the parse worker first: the
 * result is kept (FETCH_KEEP) until page_done() records it. Anything else,
 * and anything that may be tried again, is recorded at once. */
static bool parse_first(struct crawl *c, struct slot *s,
                        const struct fetch_result *r)
{
    struct worker_job *j;
    char cs[64];
    const char *charset;

    if (r->status / 100 != 2 || (r->error && !r->truncated) || s->l.sitemap ||
        !is_html(r->content_type, r->body, r->body_len))
        return false;
    j = xcalloc(1, sizeof *j + sizeof cs);
    charset = charset_of(r->content_type, cs, sizeof cs);
    j->ctx = (void *)(uintptr_t)r;
    j->body = r->body;
    j->len = r->body_len;
    j->url = r->url;
    j->html = true;
    if (charset) /* kept after the job, which r outlives */
        j->charset = memcpy(j + 1, cs, sizeof cs);
    s->in_flight = false;
    s->parsing = true;
    s->host->in_flight--; /* the connection is free */
    worker_submit(c->worker, j);
    return true;
}

static int page_finish(struct crawl *c, struct slot *s,
                       const struct fetch_result *r,
                       const struct worker_job *job)
{
    bool keep = false;
    int rc = page_done(c, s, r, job, &keep);

    if (!keep)
        slot_free(c, s);
    progress(c, r);
    return rc;
}

static int on_done(void *ctx, const struct fetch_result *r)
{
    struct crawl *c = ctx;
    enum job_kind kind = *(const enum job_kind *)r->ctx;

    if (kind == JOB_ROBOTS)
        return robots_done(c, r->ctx, r);
    if (parse_first(c, r->ctx, r))
        return FETCH_KEEP;
    return page_finish(c, r->ctx, r, NULL);
}

/* May the page of slot s and job j, which the worker did not parse
 * because its body hashed like that of page j->same_as, be given that
 * page's links? When that page did get this very body (the full hash is
 * checked) in the same charset, and its URL differs from this one at most
 * in the query string: references resolve alike from both, but for
 * fragment-only ones ("#top"), which lead each page to itself (the copy
 * turns them so); a page with any other link to itself is not lent (see
 * page_done()). That page must have been found by this run,
 * so that its links are all of this body; and not be deeper than this
 * one, whose links would otherwise be judged at a depth nearer the
 * limit (a page skipped as nofollow is followed from a later link that
 * may be followed). Nor may either URL be too long to resolve against,
 * nor either response say nofollow; and in a recrawl, links are compared
 * with the last run's instead. */
static int same_links(struct crawl *c, const struct slot *s,
                      const struct fetch_result *r, const struct worker_job *j,
                      bool *ok)
{
    char *url = NULL, *type = NULL, cs[64];
    int depth = 0;
    int rc;

    *ok = false;
    if (c->o->recrawl || has_directive(r->x_robots_tag, "nofollow") ||
        strlen(j->url) > URL_MAX_REF)
        return CDB_OK;
    rc = store_page_with_doc(c->st, j->same_as, j->sha256, &url, &depth, &type,
                             c->err);
    if (rc == CDB_OK && url && strlen(url) <= URL_MAX_REF &&
        depth <= s->l.depth) {
        size_t n = strcspn(url, "?#");
        const char *charset = charset_of(type, cs, sizeof cs);

        *ok = n == strcspn(j->url, "?#") && memcmp(url, j->url, n) == 0 &&
              (charset && j->charset ? ascii_casecmp(charset, j->charset) == 0
                                     : charset == j->charset);
    }
    free(url);
    free(type);
    return rc;
}

/* Record the pages the parse worker is done with. */
static int take_parsed(struct crawl *c)
{
    struct worker_job *j;
    int rc = CDB_OK;

    while (rc == CDB_OK && (j = worker_take(c->worker)) != NULL) {
        const struct fetch_result *r = j->ctx;
        bool lend = true;

        if (j->same_as)
            rc = same_links(c, r->ctx, r, j, &lend);
        if (rc == CDB_OK && !lend) {
            worker_job_release(j);
            j->parse = true; /* back to the worker, to be parsed */
            worker_submit(c->worker, j);
            continue;
        }
        if (rc == CDB_OK)
            rc = page_finish(c, r->ctx, r, j);
        fetcher_release(c->fetcher, r);
        worker_job_release(j);
        free(j);
    }
    return rc;
}

/* Transfers in flight and pages with the parse worker. */
static size_t busy(const struct crawl *c)
{
    return fetcher_active(c->fetcher) + worker_pending(c->worker);
}

static void wake(void *fetcher)
{
    fetcher_wakeup(fetcher);
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
        memset(&c->window[j], 0, sizeof c->window[j]);
        c->window[j].kind = JOB_PAGE;
        c->window[j].used = true;
        c->window[j].l = got[i];
        c->window_used++;
    }
    if (rc == CDB_OK && n < want)
        c->frontier_dry = true; /* until a page is queued */
    return rc;
}

/* Settle a host's robots.txt from the database, or start fetching it. */
static int robots_start(struct crawl *c, struct host *h)
{
    bool known = false;
    int status = 0, rc;
    char *body = NULL;
    size_t len = 0;

    rc = store_host_robots_get(c->st, h->id, &known, &status, &body, &len,
                               c->err);
    if (c->o->recrawl)
        known = false; /* a new visit reads the rules anew */
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
    if (rc == CDB_OK && h->robots_state == ROBOTS_READY) {
        host_set_delay(c, h);
        rc = queue_sitemaps(c, h);
    }
    return rc;
}

/* Start one page: conditional when recrawling a page fetched before. */
static int page_start(struct crawl *c, struct slot *s)
{
    char *etag = NULL, *modified = NULL;
    int rc = CDB_OK;

    s->prev_doc = 0;
    if (c->o->recrawl)
        rc = store_page_validators(c->st, s->l.id, &etag, &modified,
                                   &s->prev_doc, c->err);
    if (rc == CDB_OK)
        rc = fetcher_add_if(c->fetcher, s->l.url, s->prev_doc ? etag : NULL,
                            s->prev_doc ? modified : NULL, s, c->err);
    free(etag);
    free(modified);
    return rc;
}

/* A random factor in [0.5, 1.5) for --random-delay, as wget does. */
static double jitter(struct crawl *c)
{
    c->rand_state =
        c->rand_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return 0.5 + (double)(c->rand_state >> 11) / 9007199254740992.0;
}

/* Start what may start: robots.txt first, then pages within the limits. */
static int dispatch(struct crawl *c)
{
    int64_t now = now_ms();
    int rc = CDB_OK;

    for (size_t i = 0; i < c->window_cap && rc == CDB_OK; i++) {
        struct slot *s = &c->window[i];
        struct host *h;

        if (!s->used || s->in_flight || s->parsing || s->retry_at > now)
            continue;
        /* Bodies held: those in transfer and, a few more, those with the
         * parse worker. */
        if (fetcher_active(c->fetcher) >= c->o->fetch.concurrency ||
            busy(c) >= c->o->fetch.concurrency + PARSE_QUEUE)
            break;
        if (c->o->max_pages > 0 &&
            c->fetched_before + c->prog.fetched + (int64_t)busy(c) >=
                c->o->max_pages)
            break;
        h = s->host ? s->host : host_get(c, s->l.host_id, s->l.url);
        s->host = h;
        if (h->dead) {
            rc = store_page_set_state(c->st, s->l.id, PAGE_FAILED, h->dead,
                                      c->err);
            c->prog.failed++;
            slot_free(c, s);
            if (rc == CDB_OK)
                rc = batch_tick(c, 1);
            continue;
        }
        if (c->o->robots && h->robots_state == ROBOTS_UNKNOWN) {
            rc = robots_start(c, h);
            continue;
        }
        if (c->o->robots && h->robots_state == ROBOTS_FETCHING)
            continue;
        if (!c->o->robots && !h->sitemaps_queued) {
            rc = queue_sitemaps(c, h);
            if (rc != CDB_OK)
                break;
        }
        if (c->o->robots && !s->l.sitemap) {
            const char *path = url_path(s->l.url), *rule = NULL;

            if (!path || !robots_allowed(h->robots, path, &rule)) {
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
        rc = page_start(c, s);
        if (rc == CDB_OK) {
            s->in_flight = true;
            h->in_flight++;
            h->next_ms = now + (int64_t)((double)h->delay_ms *
                                         (c->o->random_delay ? jitter(c) : 1));
        }
    }
    return rc;
}

static int add_seeds(struct crawl *c)
{
    int rc = CDB_OK;

    c->seeds = xcalloc(c->o->n_seeds, sizeof *c->seeds);
    c->seed_parts = xcalloc(c->o->n_seeds, sizeof *c->seed_parts);
    for (size_t i = 0; i < c->o->n_seeds && rc == CDB_OK; i++) {
        rc = url_canon(NULL, c->o->seeds[i], &c->seeds[i], c->err);
        if (rc == CDB_OK)
            rc = url_split(c->seeds[i], &c->seed_parts[i], c->err);
        c->n_seeds += c->seeds[i] != NULL;
    }
    for (size_t i = 0; i < c->n_seeds && rc == CDB_OK; i++) {
        int64_t id;

        rc = page_found_at(c, c->seeds[i], 0, 0, NULL, &id);
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
static void options_json(const struct crawl_opts *o, bool block_private,
                         struct buf *b)
{
    static const char *const scopes[] = { "host", "domain", "prefix", "any" };

    buf_addf(b,
             "{\"scope\":\"%s\",\"max_depth\":%d,\"max_pages\":%lld,"
             "\"max_redirects\":%d,\"delay_ms\":%lld,\"robots\":%s,"
             "\"concurrency\":%zu,\"per_host\":%zu,\"timeout_ms\":%lld,"
             "\"max_size\":%zu,\"insecure\":%s,",
             scopes[o->scope], o->max_depth, (long long)o->max_pages,
             o->max_redirects, (long long)o->delay_ms,
             o->robots ? "true" : "false", o->fetch.concurrency,
             o->fetch.per_host, (long long)o->fetch.timeout_ms,
             o->fetch.max_bytes, o->fetch.insecure ? "true" : "false");
    buf_addf(b,
             "\"random_delay\":%s,\"sitemaps\":%s,\"obey_rel_nofollow\":%s,"
             "\"recrawl\":%s,\"retries\":%d,\"max_url_length\":%zu,"
             "\"max_path_depth\":%d,\"max_repeat\":%d,"
             "\"max_query_variants\":%lld,\"max_pages_per_host\":%lld,"
             "\"include\":",
             o->random_delay ? "true" : "false", o->sitemaps ? "true" : "false",
             o->obey_rel_nofollow ? "true" : "false",
             o->recrawl ? "true" : "false", o->retries, o->max_url_length,
             o->max_path_depth, o->max_repeat, (long long)o->max_query_variants,
             (long long)o->max_pages_per_host);
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
    buf_addf(b, ",\"user_agent\":\"%s\"",
             o->fetch.user_agent ? "custom" : "default");
    buf_addf(b,
             ",\"private_addresses\":\"%s\",\"private_blocked\":%s,"
             "\"max_db_size\":%lld}",
             o->private_addrs == CRAWL_PRIVATE_ALLOW   ? "allow"
             : o->private_addrs == CRAWL_PRIVATE_BLOCK ? "block"
                                                       : "auto",
             block_private ? "true" : "false", (long long)o->max_db_bytes);
}

static int run(struct crawl *c)
{
    struct buf seeds, opts;
    int64_t stop_ms = -1; /* when the stop flag was first seen */
    int rc;

    buf_init(&seeds, 1 << 20);
    buf_init(&opts, 1 << 16);
    for (size_t i = 0; i < c->o->n_seeds; i++)
        buf_addf(&seeds, "%s%s", i ? "\n" : "", c->o->seeds[i]);
    options_json(c->o, c->block_private, &opts);
    rc = store_lock_crawl(c->st, c->err);
    if (rc == CDB_OK) {
        int64_t cut = 0;

        rc = store_crawls_cut_off(c->st, &cut, c->err);
        if (cut > 0)
            log_warn("%lld earlier crawl%s of this file stopped without "
                     "ending (killed?): marked interrupted",
                     (long long)cut, cut == 1 ? "" : "s");
    }
    if (rc == CDB_OK && c->o->max_db_bytes > 0)
        rc = store_set_max_size(c->st, c->o->max_db_bytes, c->err);
    if (rc == CDB_OK)
        rc = store_crawl_start(c->st, seeds.data ? seeds.data : "", opts.data,
                               c->err);
    buf_release(&seeds);
    buf_release(&opts);
    if (rc == CDB_OK)
        rc = store_begin(c->st, c->err);
    c->batch_start_ms = now_ms();
    if (rc == CDB_OK && c->o->recrawl) {
        int64_t n = 0;

        rc = store_requeue_all(c->st, &n, c->err);
        c->prog.queued += n;
    }
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
        } else if (stop_ms < 0) {
            stop_ms = now_ms();
        }
        if (rc != CDB_OK)
            break;
        if (busy(c) == 0 &&
            (stopping || c->window_used == 0 ||
             (c->o->max_pages > 0 &&
              c->fetched_before + c->prog.fetched >= c->o->max_pages)))
            break;
        /* A stop waits for what is in flight, but not for a server that
         * hangs: after the grace the rest is dropped (crawl_run() frees the
         * fetcher) and those pages stay queued for the next run. */
        if (stopping && now_ms() - stop_ms >= STOP_GRACE_MS)
            break;
        rc = fetcher_poll(c->fetcher, 50, on_done, c, c->err);
        if (rc == CDB_OK)
            rc = take_parsed(c);
        /* Commit a batch once it is BATCH_MS old, even when nothing more
         * arrives: a crash then loses the pages in flight and at most
         * BATCH_MS of finished ones, which a resumed crawl fetches again
         * (they stay queued until their batch commits). One commit a page
         * would write the same hot index pages to the WAL again and again:
         * most of the crawl's system time. */
        if (rc == CDB_OK && c->batch_rows > 0 &&
            now_ms() - c->batch_start_ms >= BATCH_MS)
            rc = batch_flush(c);
        if (now_ms() - c->last_progress_ms >= PROGRESS_EVERY_MS) {
            c->last_progress_ms = now_ms();
            progress(c, NULL);
        }
    }
    c->prog.interrupted = c->o->stop && *c->o->stop;
    if (rc == CDB_OK)
        rc = store_commit(c->st, c->err);
    else if (rc == CDB_EFULL)
        store_rollback(c->st); /* no half batch: resuming redoes it */
    else
        store_commit(c->st, NULL); /* keep what was recorded, if possible */
    if (store_crawl_id(c->st) > 0) {
        const char *status =
            rc != CDB_OK ? "failed"
                         : (c->prog.interrupted ? "interrupted" : "finished");
        int erc;

        c->prog.ending = true;
        progress(c, NULL);
        erc = store_crawl_end(c->st, status, rc == CDB_OK ? c->err : NULL);

        if (rc == CDB_OK)
            rc = erc;
    }
    progress(c, NULL);
    return rc;
}

/* Decide c->block_private from --allow-private / --block-private, else
 * from the seeds: a seed whose host is a non-public IP literal or resolves
 * to a non-public address opens those addresses to the whole crawl (the
 * user pointed there). A seed that does not canonicalise is left to
 * add_seeds() to report. */
static int private_policy(struct crawl *c)
{
    const struct crawl_opts *o = c->o;
    bool any = false;
    int rc = CDB_OK;

    if (o->private_addrs != CRAWL_PRIVATE_AUTO) {
        c->block_private = o->private_addrs == CRAWL_PRIVATE_BLOCK;
        return CDB_OK;
    }
    for (size_t i = 0; i < o->n_seeds && !any && rc == CDB_OK; i++) {
        struct url_parts p = { 0 };
        char *url = NULL;

        if (url_canon(NULL, o->seeds[i], &url, NULL) == CDB_OK &&
            url_split(url, &p, NULL) == CDB_OK)
            rc = addr_host_private(p.host, p.port, o->fetch.resolve,
                                   o->fetch.n_resolve, &any, c->err);
        url_parts_release(&p);
        free(url);
    }
    c->block_private = !any;
    log_debug("private addresses %s",
              any ? "allowed: a seed is one" : "refused: no seed is one");
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
    c->rand_state = (uint64_t)wall_ms() ^ (uint64_t)(uintptr_t)c;
    c->window_cap =
        o->fetch.concurrency * 4 < 64 ? 64 : o->fetch.concurrency * 4;
    if (c->window_cap > 256)
        c->window_cap = 256;
    c->window = xcalloc(c->window_cap, sizeof *c->window);
    c->pages = xcalloc(PAGE_CACHE, sizeof *c->pages);
    rc =
        o->n_seeds == 0 ? cdb_fail(err, CDB_EINVAL, "no URL to crawl") : CDB_OK;
    if (rc == CDB_OK)
        rc = compile_re(o->include, &c->include, &c->has_include, err);
    if (rc == CDB_OK)
        rc = compile_re(o->exclude, &c->exclude, &c->has_exclude, err);
    if (rc == CDB_OK)
        rc = private_policy(c);
    if (rc == CDB_OK) {
        struct fetch_opts fo = o->fetch;

        fo.block_private = c->block_private;
        rc = fetcher_new(&fo, &c->fetcher, err);
    }
    if (rc == CDB_OK)
        rc = worker_new(o->max_text, URL_CACHE_SLOTS, wake, c->fetcher,
                        &c->worker, err);
    if (rc == CDB_OK)
        rc = run(c);
    if (out)
        *out = c->prog;
    worker_free(c->worker); /* before the fetcher it wakes */
    fetcher_free(c->fetcher);
    for (size_t i = 0; i < c->window_cap; i++)
        store_lease_release(&c->window[i].l);
    free(c->window);
    for (size_t i = 0; i < c->n_seeds; i++) {
        free(c->seeds[i]);
        url_parts_release(&c->seed_parts[i]);
    }
    free(c->seeds);
    free(c->seed_parts);
    if (c->has_include)
        regfree(&c->include);
    if (c->has_exclude)
        regfree(&c->exclude);
    hosts_free(c);
    free(c->pages);
    free(c->links);
    free(c);
    return rc;
}
