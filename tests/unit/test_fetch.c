/* Unit tests for fetch.c against the in-process fixture server: what a
 * result carries for a plain 200, a redirect (never followed), bodies over
 * the limit, cut connections, timeouts, refused connections, gzip, many
 * transfers at once, the User-Agent, oversized headers and freeing with
 * transfers in flight. Timing checks are lower bounds only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <zlib.h>

#include "cdb.h"
#include "fetch.h"
#include "fixture.h"
#include "util.h"

#define N_CONCURRENT 16
#define SLOW_MS      1500 /* delay of /slow, well over the timeouts used */
#define TIMEOUT_MS   200
#define BIG_BYTES    100000 /* generated body of /big */
#define MAX_BYTES    1000   /* the limit /big is cut at */
#define HEADER_MAX   1024   /* the header limit /bighead passes */
#define GZIP_LINES   400

static const char OK_HEADERS[] =
    "Content-Type: text/plain; charset=us-ascii\n"
    "ETag: \"v1-abc\"\n"
    "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\n"
    "X-Test: yes\n";

/* Filled in by the group setup: the gzip body and the oversized header. */
static char *gzip_plain, *gzip_body, *big_headers;
static size_t gzip_plain_len, gzip_body_len;

static struct fixture_route routes[] = {
    { .path = "/ok",
      .status = 200,
      .headers = OK_HEADERS,
      .body = "hello body" },
    { .path = "/moved",
      .status = 301,
      .headers = "Location: /target?a=1&b=%20\n",
      .body = "moved" },
    { .path = "/target?a=1&b=%20", .status = 200, .body = "target" },
    { .path = "/missing", .status = 404, .body = "no such page" },
    { .path = "/big", .kind = FIXTURE_GENERATED, .gen_bytes = BIG_BYTES },
    { .path = "/exact", .kind = FIXTURE_GENERATED, .gen_bytes = MAX_BYTES },
    { .path = "/reset", .kind = FIXTURE_RESET },
    { .path = "/slow", .status = 200, .body = "late", .delay_ms = SLOW_MS },
    { .path = "/ua", .status = 200, .body = "ua" },
    { .path = "/ua-default", .status = 200, .body = "ua" },
    { .path = "/gzip", .status = 200 },    /* body set up at run time */
    { .path = "/bighead", .status = 200 }, /* headers set up at run time */
    { .path = "/n/*", .status = 200, .body = "numbered" },
};
enum { ROUTE_GZIP = 10, ROUTE_BIGHEAD = 11 };

/* A copy of one fetch_result, kept after the callback. */
struct got {
    int n; /* results seen */
    void *ctx;
    char *url, *headers, *content_type, *location, *etag, *last_modified;
    char *body, *error;
    size_t body_len;
    int status;
    bool truncated;
    int64_t duration_ms;
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void got_release(struct got *g)
{
    free(g->url);
    free(g->headers);
    free(g->content_type);
    free(g->location);
    free(g->etag);
    free(g->last_modified);
    free(g->body);
    free(g->error);
    memset(g, 0, sizeof *g);
}

static int on_done_copy(void *cb_ctx, const struct fetch_result *r)
{
    struct got *g = cb_ctx;

    got_release(g); /* keep the last one; n counts them all */
    g->n++;
    g->ctx = r->ctx;
    g->url = dup_or_null(r->url);
    g->headers = dup_or_null(r->headers);
    g->content_type = dup_or_null(r->content_type);
    g->location = dup_or_null(r->location);
    g->etag = dup_or_null(r->etag);
    g->last_modified = dup_or_null(r->last_modified);
    assert_non_null(r->body);
    assert_int_equal(r->body[r->body_len], '\0');
    g->body = xmalloc(r->body_len + 1);
    memcpy(g->body, r->body, r->body_len + 1);
    g->body_len = r->body_len;
    g->error = dup_or_null(r->error);
    g->status = r->status;
    g->truncated = r->truncated;
    g->duration_ms = r->duration_ms;
    return 0;
}

/* Poll until nothing is in flight, for at most 10 s. */
static void drive(struct fetcher *f,
                  int (*cb)(void *, const struct fetch_result *), void *ctx)
{
    int64_t deadline = now_ms() + 10000;
    struct cdb_err err = { 0 };

    while (fetcher_active(f) > 0) {
        assert_true(now_ms() < deadline);
        assert_int_equal(fetcher_poll(f, 100, cb, ctx, &err), CDB_OK);
    }
}

/* Fetch one URL with opts (NULL: defaults) into g. */
static void fetch_one(const struct fetch_opts *opts, const char *url,
                      struct got *g)
{
    struct fetch_opts def;
    struct fetcher *f = NULL;
    struct cdb_err err = { 0 };
    int ctx = 0;

    fetch_opts_init(&def);
    assert_int_equal(fetcher_new(opts ? opts : &def, &f, &err), CDB_OK);
    assert_int_equal(fetcher_add(f, url, &ctx, &err), CDB_OK);
    assert_int_equal(fetcher_active(f), 1);
    drive(f, on_done_copy, g);
    assert_int_equal(g->n, 1);
    assert_ptr_equal(g->ctx, &ctx);
    assert_string_equal(g->url, url);
    assert_true(g->duration_ms >= 0);
    fetcher_free(f);
}

static void url_of(void **state, const char *path, char *out, size_t n)
{
    snprintf(out, n, "%s%s", fixture_origin(*state), path);
}

/* Gzip plain into a new buffer with zlib; *len receives its size. */
static char *gzip(const char *plain, size_t plain_len, size_t *len)
{
    z_stream zs;
    char *out;
    uLong cap;

    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16,
                                  8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    cap = deflateBound(&zs, (uLong)plain_len);
    out = xmalloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)plain;
    zs.avail_in = (uInt)plain_len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static int group_setup(void **state)
{
    struct cdb_err err = { 0 };
    size_t cap = (size_t)GZIP_LINES * 40, len = 0;
    struct fixture *fx;

    gzip_plain = xmalloc(cap);
    for (int i = 0; i < GZIP_LINES; i++)
        len += (size_t)snprintf(gzip_plain + len, cap - len,
                                "line %d of the gzip body\n", i);
    gzip_plain_len = len;
    gzip_body = gzip(gzip_plain, gzip_plain_len, &gzip_body_len);
    routes[ROUTE_GZIP].headers = "Content-Encoding: gzip\n"
                                 "Content-Type: text/plain\n";
    routes[ROUTE_GZIP].body = gzip_body;
    routes[ROUTE_GZIP].body_len = gzip_body_len;

    /* One header line of 2 KiB: over HEADER_MAX, far under MHD's limits. */
    big_headers = xmalloc(2100);
    memcpy(big_headers, "X-Big: ", 7);
    memset(big_headers + 7, 'h', 2048);
    memcpy(big_headers + 7 + 2048, "\n", 2);
    routes[ROUTE_BIGHEAD].headers = big_headers;
    routes[ROUTE_BIGHEAD].body = "small body";

    fx = fixture_start(routes, sizeof routes / sizeof routes[0], NULL, &err);
    if (!fx) {
        fprintf(stderr, "group setup: %s\n", err.msg);
        return -1;
    }
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture_stop(*state);
    free(gzip_plain);
    free(gzip_body);
    free(big_headers);
    return 0;
}

/* The If-None-Match of the last request for path, as the fixture logged
 * it ("" when none). */
struct inm {
    const char *path;
    char value[64];
    int seen;
};

static void on_log_inm(void *ctx, const char *method, const char *path,
                       int64_t t_ms, const char *user_agent,
                       const char *if_none_match, const char *if_modified_since)
{
    struct inm *c = ctx;

    (void)method;
    (void)t_ms;
    (void)user_agent;
    (void)if_modified_since;
    if (strcmp(path, c->path) != 0)
        return;
    c->seen++;
    snprintf(c->value, sizeof c->value, "%s",
             if_none_match ? if_none_match : "");
}

/* One transfer at a time through one fetcher, so each reuses the handle
 * and buffers the last one left: after a cut body, a conditional request,
 * oversized headers, a reset connection and a redirect, a plain 200 is
 * reported exactly as by a new fetcher, and was sent as a plain request. */
static void test_fetch_spares(void **state)
{
    static const char *const before[] = { "/big", "/ok", "/bighead", "/reset",
                                          "/moved" };
    struct fetch_opts o;
    struct fetcher *f = NULL;
    struct cdb_err err = { 0 };
    struct got g = { 0 }, fresh = { 0 };
    struct inm inm = { .path = "/n/2" };
    char url[256];
    int ctx = 0;

    fetch_opts_init(&o);
    o.concurrency = 1;
    o.max_bytes = MAX_BYTES;
    o.max_header_bytes = HEADER_MAX;
    assert_int_equal(fetcher_new(&o, &f, &err), CDB_OK);
    for (size_t i = 0; i < sizeof before / sizeof before[0]; i++) {
        url_of(state, before[i], url, sizeof url);
        assert_int_equal(
            fetcher_add_if(f, url, i == 1 ? "\"v1-abc\"" : NULL,
                           i == 1 ? "Wed, 21 Oct 2015 07:28:00 GMT" : NULL,
                           &ctx, &err),
            CDB_OK);
        drive(f, on_done_copy, &g);
    }
    assert_int_equal(g.n, 1); /* the last: /moved */
    assert_non_null(g.location);
    url_of(state, "/n/2", url, sizeof url);
    assert_int_equal(fetcher_add(f, url, &ctx, &err), CDB_OK);
    drive(f, on_done_copy, &g);
    fetcher_free(f);
    fetch_one(&o, url, &fresh);

    assert_int_equal(g.status, 200);
    assert_string_equal(g.body, "numbered");
    assert_string_equal(g.url, url);
    assert_false(g.truncated);
    assert_null(g.error);
    assert_null(g.location);
    assert_null(g.etag);
    assert_null(g.last_modified);
    assert_true(g.duration_ms >= 0 && g.duration_ms < 5000);
    assert_string_equal(g.content_type ? g.content_type : "-",
                        fresh.content_type ? fresh.content_type : "-");
    fixture_each(*state, on_log_inm, &inm);
    assert_int_equal(inm.seen, 2);
    assert_string_equal(inm.value, "");
    got_release(&g);
    got_release(&fresh);
}

/* A 200 arrives with its body, status, parsed Content-Type, ETag and
 * Last-Modified, the raw header block, no Location and no error. */
static void test_fetch_ok(void **state)
{
    struct got g = { 0 };
    char url[128];

    url_of(state, "/ok", url, sizeof url);
    fetch_one(NULL, url, &g);
    assert_int_equal(g.status, 200);
    assert_null(g.error);
    assert_false(g.truncated);
    assert_string_equal(g.body, "hello body");
    assert_int_equal(g.body_len, 10);
    assert_string_equal(g.content_type, "text/plain; charset=us-ascii");
    assert_string_equal(g.etag, "\"v1-abc\"");
    assert_string_equal(g.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    assert_null(g.location);
    assert_true(strncmp(g.headers, "HTTP/1.1 200", 12) == 0);
    assert_non_null(strstr(g.headers, "X-Test: yes\r\n"));
    assert_int_equal(fixture_hits(*state, "/ok"), 1);
    got_release(&g);
}

/* A 404 is a result like any other: status 404, body kept, no error. */
static void test_fetch_404_is_data(void **state)
{
    struct got g = { 0 };
    char url[128];

    url_of(state, "/missing", url, sizeof url);
    fetch_one(NULL, url, &g);
    assert_int_equal(g.status, 404);
    assert_null(g.error);
    assert_string_equal(g.body, "no such page");
    got_release(&g);
}

/* A 301 is reported, not followed: its status, the raw Location value, and
 * exactly one request reached the server. */
static void test_fetch_redirect_not_followed(void **state)
{
    struct got g = { 0 };
    char url[128];

    fixture_reset_log(*state);
    url_of(state, "/moved", url, sizeof url);
    fetch_one(NULL, url, &g);
    assert_int_equal(g.status, 301);
    assert_null(g.error);
    assert_string_equal(g.location, "/target?a=1&b=%20");
    assert_string_equal(g.body, "moved");
    assert_int_equal(fixture_hits(*state, "/moved"), 1);
    assert_int_equal(fixture_hits(*state, "/target?a=1&b=%20"), 0);
    assert_int_equal(fixture_total(*state), 1);
    got_release(&g);
}

/* A body over max_bytes is cut to exactly max_bytes, flagged truncated,
 * with an error naming --max-size; the status stays 200. */
static void test_fetch_max_bytes(void **state)
{
    struct fetch_opts o;
    struct got g = { 0 };
    char url[128];

    fetch_opts_init(&o);
    o.max_bytes = MAX_BYTES;
    url_of(state, "/big", url, sizeof url);
    fetch_one(&o, url, &g);
    assert_int_equal(g.status, 200);
    assert_true(g.truncated);
    assert_int_equal(g.body_len, MAX_BYTES);
    assert_int_equal(strlen(g.body), MAX_BYTES);
    assert_true(strncmp(g.body, "<html><body><p>", 15) == 0);
    assert_non_null(g.error);
    assert_non_null(strstr(g.error, "--max-size"));
    got_release(&g);
}

/* A body of exactly max_bytes is whole: not truncated, no error. */
static void test_fetch_max_bytes_exact(void **state)
{
    struct fetch_opts o;
    struct got g = { 0 };
    char url[128];

    fetch_opts_init(&o);
    o.max_bytes = MAX_BYTES;
    url_of(state, "/exact", url, sizeof url);
    fetch_one(&o, url, &g);
    assert_int_equal(g.status, 200);
    assert_false(g.truncated);
    assert_null(g.error);
    assert_int_equal(g.body_len, MAX_BYTES);
    got_release(&g);
}

/* A connection cut mid-body is an error, with status 200 (headers came)
 * or 0, and what arrived is not flagged as cut by the limit. */
static void test_fetch_reset(void **state)
{
    struct got g = { 0 };
    char url[128];

    url_of(state, "/reset", url, sizeof url);
    fetch_one(NULL, url, &g);
    assert_non_null(g.error);
    assert_true(g.status == 200 || g.status == 0);
    assert_false(g.truncated);
    assert_true(g.body_len <= 1000);
    got_release(&g);
}

/* A response slower than timeout_ms ends in a timeout error, no status,
 * after at least the timeout. */
static void test_fetch_timeout(void **state)
{
    struct fetch_opts o;
    struct got g = { 0 };
    char url[128];
    int64_t t0 = now_ms();

    fetch_opts_init(&o);
    o.timeout_ms = TIMEOUT_MS;
    url_of(state, "/slow", url, sizeof url);
    fetch_one(&o, url, &g);
    /* Whole milliseconds on both sides: by our clock libcurl ended the
     * transfer at 199 ms in about one run of forty. */
    assert_true(now_ms() - t0 >= TIMEOUT_MS - 1);
    assert_true(g.duration_ms >= TIMEOUT_MS - 1);
    assert_int_equal(g.status, 0);
    assert_non_null(g.error);
    assert_non_null(strstr(g.error, "imeout")); /* "Timeout was reached" */
    assert_string_equal(g.body, "");
    got_release(&g);
}

/* A port nobody listens on gives status 0 and an error naming the failed
 * connection. */
static void test_fetch_closed_port(void **state)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct got g = { 0 };
    char url[128];

    (void)state;
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd); /* the port is free and closed now */
    snprintf(url, sizeof url, "http://127.0.0.1:%u/x",
             (unsigned)ntohs(sa.sin_port));
    fetch_one(NULL, url, &g);
    assert_int_equal(g.status, 0);
    assert_non_null(g.error);
    assert_non_null(strstr(g.error, "onnect")); /* "Couldn't connect" */
    assert_string_equal(g.headers, "");
    assert_null(g.content_type);
    got_release(&g);
}

/* A gzip Content-Encoding is decoded: the body is the original bytes. */
static void test_fetch_gzip(void **state)
{
    struct got g = { 0 };
    char url[128];

    url_of(state, "/gzip", url, sizeof url);
    fetch_one(NULL, url, &g);
    assert_int_equal(g.status, 200);
    assert_null(g.error);
    assert_true(gzip_body_len < gzip_plain_len); /* it did compress */
    assert_int_equal(g.body_len, gzip_plain_len);
    assert_memory_equal(g.body, gzip_plain, gzip_plain_len);
    assert_non_null(strstr(g.headers, "Content-Encoding: gzip"));
    got_release(&g);
}

/* Decoding happens before the limit: max_bytes counts decoded bytes. */
static void test_fetch_gzip_limit(void **state)
{
    struct fetch_opts o;
    struct got g = { 0 };
    char url[128];

    fetch_opts_init(&o);
    o.max_bytes = gzip_body_len + 10; /* more than sent, less than decoded */
    url_of(state, "/gzip", url, sizeof url);
    fetch_one(&o, url, &g);
    assert_true(g.truncated);
    assert_int_equal(g.body_len, o.max_bytes);
    assert_memory_equal(g.body, gzip_plain, o.max_bytes);
    got_release(&g);
}

struct many {
    struct fetcher *f;
    int seen[N_CONCURRENT];
    size_t done;
};

static int on_done_many(void *cb_ctx, const struct fetch_result *r)
{
    struct many *m = cb_ctx;
    int *slot = r->ctx;

    assert_int_equal(r->status, 200);
    assert_null(r->error);
    assert_string_equal(r->body, "numbered");
    assert_true(slot >= m->seen && slot < m->seen + N_CONCURRENT);
    (*slot)++;
    m->done++;
    /* A transfer stops counting as active before it is reported. */
    assert_int_equal(fetcher_active(m->f), N_CONCURRENT - m->done);
    return 0;
}

/* 16 transfers at once all complete, each reported once with its own ctx,
 * each URL requested once, and fetcher_active counts down to 0. */
static void test_fetch_concurrent(void **state)
{
    struct fetch_opts o;
    struct many m = { 0 };
    struct cdb_err err = { 0 };
    char url[128], path[32];

    fixture_reset_log(*state);
    fetch_opts_init(&o);
    assert_int_equal(fetcher_new(&o, &m.f, &err), CDB_OK);
    for (int i = 0; i < N_CONCURRENT; i++) {
        snprintf(path, sizeof path, "/n/%d", i);
        url_of(state, path, url, sizeof url);
        assert_int_equal(fetcher_add(m.f, url, &m.seen[i], &err), CDB_OK);
        assert_int_equal(fetcher_active(m.f), (size_t)i + 1);
    }
    drive(m.f, on_done_many, &m);
    assert_int_equal(m.done, N_CONCURRENT);
    assert_int_equal(fetcher_active(m.f), 0);
    for (int i = 0; i < N_CONCURRENT; i++) {
        assert_int_equal(m.seen[i], 1);
        snprintf(path, sizeof path, "/n/%d", i);
        assert_int_equal(fixture_hits(*state, path), 1);
    }
    assert_int_equal(fixture_total(*state), N_CONCURRENT);
    fetcher_free(m.f);
}

/* A non-zero return from on_done stops the reporting and is returned; the
 * rest are reported by later polls. */
static int on_done_stop(void *cb_ctx, const struct fetch_result *r)
{
    int *calls = cb_ctx;

    (void)r;
    (*calls)++;
    return 7;
}

static void test_fetch_on_done_stops(void **state)
{
    struct fetch_opts o;
    struct fetcher *f = NULL;
    struct cdb_err err = { 0 };
    char url[128];
    int calls = 0, rc = CDB_OK;
    int64_t deadline = now_ms() + 10000;

    fetch_opts_init(&o);
    assert_int_equal(fetcher_new(&o, &f, &err), CDB_OK);
    url_of(state, "/n/a", url, sizeof url);
    assert_int_equal(fetcher_add(f, url, NULL, &err), CDB_OK);
    url_of(state, "/n/b", url, sizeof url);
    assert_int_equal(fetcher_add(f, url, NULL, &err), CDB_OK);
    while (fetcher_active(f) > 0 && now_ms() < deadline) {
        int before = calls;

        rc = fetcher_poll(f, 100, on_done_stop, &calls, &err);
        assert_true(calls - before <= 1); /* stopped after the first */
        assert_int_equal(rc, calls > before ? 7 : CDB_OK);
    }
    assert_int_equal(calls, 2);
    fetcher_free(f);
}

struct ua_check {
    const char *path;
    const char *want;
    int seen;
};

static void on_log_ua(void *ctx, const char *method, const char *path,
                      int64_t t_ms, const char *user_agent,
                      const char *if_none_match, const char *if_modified_since)
{
    struct ua_check *c = ctx;

    (void)t_ms;
    (void)if_none_match;
    (void)if_modified_since;
    if (strcmp(path, c->path) != 0)
        return;
    c->seen++;
    assert_string_equal(method, "GET");
    assert_non_null(user_agent);
    assert_string_equal(user_agent, c->want);
}

/* The configured User-Agent is sent, and "crawldb" when none is given. */
static void test_fetch_user_agent(void **state)
{
    struct fetch_opts o;
    struct got g = { 0 };
    struct ua_check c = { "/ua", "crawldb-test/1.0 (+http://x.example/)", 0 };
    char url[128];

    fetch_opts_init(&o);
    o.user_agent = c.want;
    url_of(state, "/ua", url, sizeof url);
    fetch_one(&o, url, &g);
    got_release(&g);
    fixture_each(*state, on_log_ua, &c);
    assert_int_equal(c.seen, 1);

    c.path = "/ua-default";
    c.want = "crawldb";
    c.seen = 0;
    url_of(state, "/ua-default", url, sizeof url);
    fetch_one(NULL, url, &g);
    got_release(&g);
    fixture_each(*state, on_log_ua, &c);
    assert_int_equal(c.seen, 1);
}

/* A header block over max_header_bytes fails that transfer cleanly: an
 * error naming the limit, status 0, and the fetcher keeps working. */
static void test_fetch_header_limit(void **state)
{
    struct fetch_opts o;
    struct got g = { 0 };
    char url[128];

    fetch_opts_init(&o);
    o.max_header_bytes = HEADER_MAX;
    url_of(state, "/bighead", url, sizeof url);
    fetch_one(&o, url, &g);
    assert_int_equal(g.status, 0);
    assert_non_null(g.error);
    assert_non_null(strstr(g.error, "headers over 1024 bytes"));
    assert_true(strlen(g.headers) <= HEADER_MAX);
    got_release(&g);
    /* The same limit lets an ordinary response through. */
    url_of(state, "/ok", url, sizeof url);
    fetch_one(&o, url, &g);
    assert_int_equal(g.status, 200);
    assert_null(g.error);
    got_release(&g);
}

/* fetcher_free with transfers in flight (connected and waiting, or never
 * started) releases everything: ASan's leak check proves it. */
static void test_fetch_free_in_flight(void **state)
{
    struct fetch_opts o;
    struct fetcher *f = NULL;
    struct cdb_err err = { 0 };
    char url[128];
    struct got g = { 0 };
    int64_t until;

    fetch_opts_init(&o);
    assert_int_equal(fetcher_new(&o, &f, &err), CDB_OK);
    url_of(state, "/slow", url, sizeof url);
    for (int i = 0; i < 3; i++)
        assert_int_equal(fetcher_add(f, url, NULL, &err), CDB_OK);
    until = now_ms() + 150; /* long enough to connect and send */
    while (now_ms() < until)
        assert_int_equal(fetcher_poll(f, 50, on_done_copy, &g, &err), CDB_OK);
    assert_int_equal(g.n, 0);
    assert_int_equal(fetcher_active(f), 3);
    fetcher_free(f);

    /* Never polled at all. */
    assert_int_equal(fetcher_new(&o, &f, &err), CDB_OK);
    assert_int_equal(fetcher_add(f, url, NULL, &err), CDB_OK);
    fetcher_free(f);
    fetcher_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_ok),
        cmocka_unit_test(test_fetch_spares),
        cmocka_unit_test(test_fetch_404_is_data),
        cmocka_unit_test(test_fetch_redirect_not_followed),
        cmocka_unit_test(test_fetch_max_bytes),
        cmocka_unit_test(test_fetch_max_bytes_exact),
        cmocka_unit_test(test_fetch_reset),
        cmocka_unit_test(test_fetch_timeout),
        cmocka_unit_test(test_fetch_closed_port),
        cmocka_unit_test(test_fetch_gzip),
        cmocka_unit_test(test_fetch_gzip_limit),
        cmocka_unit_test(test_fetch_concurrent),
        cmocka_unit_test(test_fetch_on_done_stops),
        cmocka_unit_test(test_fetch_user_agent),
        cmocka_unit_test(test_fetch_header_limit),
        cmocka_unit_test(test_fetch_free_in_flight),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    curl_global_cleanup();
    return rc;
}
