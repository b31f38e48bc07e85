/* Tests of the fixture server itself, talking to it with libcurl's easy
 * interface: routes, files, delays, resets, generated bodies, the trap, the
 * request log, the loopback-only bind and the sample site's routes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "buf.h"
#include "cdb.h"
#include "fixture.h"
#include "util.h"

#define KEEP_BYTES ((size_t)1 << 20) /* body bytes a reply keeps */

struct reply {
    CURLcode rc;
    long status;
    char content_type[128];
    char final_url[256];
    long redirects;
    long new_connects;
    struct buf body;    /* the first KEEP_BYTES bytes */
    struct buf headers; /* raw response headers */
    size_t total;       /* body bytes received */
    char tail[32];      /* the last bytes received, NUL-terminated */
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct reply *r = ctx;
    size_t len = size * n, keep = sizeof r->tail - 1;
    size_t old = strlen(r->tail);

    (void)buf_add_cut(&r->body, p, len);
    r->total += len;
    if (len >= keep) {
        memcpy(r->tail, p + len - keep, keep);
        r->tail[keep] = '\0';
    } else { /* shift the old tail left to make room */
        size_t drop = old + len > keep ? old + len - keep : 0;

        memmove(r->tail, r->tail + drop, old - drop);
        memcpy(r->tail + old - drop, p, len);
        r->tail[old - drop + len] = '\0';
    }
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct reply *r = ctx;

    (void)buf_add_cut(&r->headers, p, size * n);
    return size * n;
}

static size_t on_sink(char *p, size_t size, size_t n, void *ctx)
{
    (void)buf_add_cut(ctx, p, size * n);
    return size * n;
}

static void reply_release(struct reply *r)
{
    buf_release(&r->body);
    buf_release(&r->headers);
}

/* GET url on the easy handle h (reused by the caller for keep-alive, or
 * NULL for a fresh one) with the given extra request headers. */
static void get_on(CURL *h, const char *url, struct curl_slist *hdrs,
                   bool follow, struct reply *r)
{
    CURL *own = h ? NULL : curl_easy_init();
    const char *type = NULL, *eff = NULL;

    if (!h)
        h = own;
    memset(r, 0, sizeof *r);
    buf_init(&r->body, KEEP_BYTES);
    buf_init(&r->headers, 1 << 16);
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never an environment proxy */
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    r->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &r->redirects);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->new_connects);
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
        snprintf(r->content_type, sizeof r->content_type, "%s", type);
    if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
        snprintf(r->final_url, sizeof r->final_url, "%s", eff);
    curl_easy_cleanup(own);
}

/* GET origin+path on a fresh connection. */
static void get(const struct fixture *f, const char *path, struct reply *r)
{
    char url[512];

    snprintf(url, sizeof url, "%s%s", fixture_origin(f), path);
    get_on(NULL, url, NULL, false, r);
}

static const char *site_root(void)
{
    const char *s = getenv("CRAWLDB_SITE");

    return s && *s ? s : "tests/site";
}

static const struct fixture_route body_routes[] = {
    { .path = "/hello",
      .status = 201,
      .headers = "X-Test: yes\nLink: <{{ORIGIN}}/next>; rel=next\n",
      .body = "<a href=\"{{ORIGIN}}/x\">{{ORIGIN}}</a>{{ORIGIN" },
    { .path = "/typed",
      .status = 200,
      .headers = "Content-Type: text/plain\r\n",
      .body = "a\0b",
      .body_len = 3 },
    { .path = "/gone", .status = 410 },
    { .path = "/q?x=1", .status = 200, .body = "query one" },
    { .path = "/p/*", .status = 200, .body = "prefix" },
    { .path = "/p/exact", .status = 200, .body = "shadowed" },
};

/* A route answers with its status, headers and body, {{ORIGIN}} replaced in
 * both, and Content-Type defaults to text/html; charset=utf-8. */
static void test_fixture_body_route(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(body_routes, 6, NULL, &err);
    struct reply r;
    char want[256], port[16];

    (void)state;
    assert_non_null(f);
    snprintf(port, sizeof port, "%u", fixture_port(f));
    assert_true(fixture_port(f) > 0);
    snprintf(want, sizeof want, "http://127.0.0.1:%s", port);
    assert_string_equal(fixture_origin(f), want);

    get(f, "/hello", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r.headers.data, "X-Test: yes\r\n"));
    snprintf(want, sizeof want, "Link: <http://127.0.0.1:%s/next>; rel=next",
             port);
    assert_non_null(strstr(r.headers.data, want));
    snprintf(want, sizeof want,
             "<a href=\"http://127.0.0.1:%s/x\">http://127.0.0.1:%s</a>"
             "{{ORIGIN",
             port, port);
    assert_string_equal(r.body.data, want);
    reply_release(&r);

    get(f, "/typed", &r); /* a given type wins; body_len keeps the NUL */
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/plain");
    assert_int_equal(r.total, 3);
    assert_memory_equal(r.body.data, "a\0b", 3);
    reply_release(&r);

    get(f, "/gone", &r); /* no body at all */
    assert_int_equal(r.status, 410);
    assert_int_equal(r.total, 0);
    reply_release(&r);
    fixture_stop(f);
}

/* Exact routes match path and query as sent; a '*' route matches by prefix
 * and the first matching route wins; nothing else is found. */
static void test_fixture_route_matching(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(body_routes, 6, NULL, &err);
    struct reply r;

    (void)state;
    assert_non_null(f);
    get(f, "/q?x=1", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "query one");
    reply_release(&r);
    get(f, "/q?x=2", &r);
    assert_int_equal(r.status, 404);
    reply_release(&r);
    get(f, "/q", &r);
    assert_int_equal(r.status, 404);
    reply_release(&r);
    get(f, "/p/a/b?c=d", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "prefix");
    reply_release(&r);
    get(f, "/p/exact", &r); /* "/p/" "*" comes first in the table */
    assert_string_equal(r.body.data, "prefix");
    reply_release(&r);
    get(f, "/p", &r);
    assert_int_equal(r.status, 404);
    reply_release(&r);
    fixture_stop(f);
}

static struct type_case {
    const char *path, *type;
} type_cases[] = {
    { "/", "text/html" },
    { "/index.html", "text/html" },
    { "/blog/", "text/html" },
    { "/css/site.css", "text/css" },
    { "/js/site.js", "text/javascript" },
    { "/img/logo.png", "image/png" },
    { "/img/bread.gif", "image/gif" },
    { "/downloads/price-list.pdf", "application/pdf" },
    { "/downloads/allergens.csv", "text/csv" },
    { "/downloads/readme.txt", "text/plain" },
    { "/products/list.html?sort=price", "text/html" },
};

/* Files under the docroot are served whole with the type of their
 * extension; a path ending in '/' serves index.html; the query is ignored. */
static void test_fixture_docroot_type(void **state)
{
    const struct type_case *c = *state;
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(NULL, 0, site_root(), &err);
    const char *q = strchr(c->path, '?');
    char file[512];
    struct stat st;
    struct reply r;

    assert_non_null(f);
    snprintf(file, sizeof file, "%s%.*s%s", site_root(),
             (int)(q ? (size_t)(q - c->path) : strlen(c->path)), c->path,
             c->path[strlen(c->path) - 1] == '/' ? "index.html" : "");
    assert_int_equal(stat(file, &st), 0);
    get(f, c->path, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, c->type);
    assert_int_equal(r.total, (size_t)st.st_size);
    reply_release(&r);
    fixture_stop(f);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Other extensions, a directory without its '/', missing files and ".."
 * escapes: 404 with an HTML body for what is not there, never a file
 * outside the docroot. */
static void test_fixture_docroot_edges(void **state)
{
    static const char *const names[] = { "a.json", "b.svg", "c.xml",
                                         "d.bin",  "e.jpg", "sub/index.html" };
    char top[] = "/tmp/test_fixture_XXXXXX", root[64], sub[80], path[128];
    struct cdb_err err = { 0 };
    struct fixture *f;
    struct reply r;

    (void)state;
    assert_non_null(mkdtemp(top));
    snprintf(root, sizeof root, "%s/root", top);
    snprintf(sub, sizeof sub, "%s/sub", root);
    assert_int_equal(mkdir(root, 0700), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(top, "secret.txt", "secret");
    write_file(root, "a.json", "{}");
    write_file(root, "b.svg", "<svg/>");
    write_file(root, "c.xml", "<x/>");
    write_file(root, "d.bin", "bin");
    write_file(root, "e.jpg", "jpg");
    write_file(sub, "index.html", "<p>sub</p>");
    f = fixture_start(NULL, 0, root, &err);
    assert_non_null(f);

    get(f, "/a.json", &r);
    assert_string_equal(r.content_type, "application/json");
    reply_release(&r);
    get(f, "/b.svg", &r);
    assert_string_equal(r.content_type, "image/svg+xml");
    reply_release(&r);
    get(f, "/c.xml", &r);
    assert_string_equal(r.content_type, "application/xml");
    reply_release(&r);
    get(f, "/d.bin", &r);
    assert_string_equal(r.content_type, "application/octet-stream");
    reply_release(&r);
    get(f, "/e.jpg", &r);
    assert_string_equal(r.content_type, "image/jpeg");
    reply_release(&r);
    get(f, "/sub", &r);
    assert_int_equal(r.status, 301);
    assert_non_null(strstr(r.headers.data, "Location: /sub/\r\n"));
    reply_release(&r);
    get(f, "/sub/", &r);
    assert_string_equal(r.body.data, "<p>sub</p>");
    reply_release(&r);
    get(f, "/missing.html", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r.body.data, "Not Found"));
    reply_release(&r);
    get(f, "/../secret.txt", &r);
    assert_int_equal(r.status, 404);
    reply_release(&r);
    get(f, "/sub/%2e%2e/%2e%2e/secret.txt", &r);
    assert_int_equal(r.status, 404);
    reply_release(&r);
    fixture_stop(f);

    snprintf(path, sizeof path, "%s/secret.txt", top);
    unlink(path);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, names[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(root);
    rmdir(top);
}

/* A missing docroot is refused with its name; fixture_stop(NULL) is fine. */
static void test_fixture_bad_docroot(void **state)
{
    struct cdb_err err = { 0 };

    (void)state;
    assert_null(fixture_start(NULL, 0, "/nonexistent/site", &err));
    assert_int_equal(err.code, CDB_EINVAL);
    assert_non_null(strstr(err.msg, "'/nonexistent/site'"));
    fixture_stop(NULL);
}

static const struct fixture_route kind_routes[] = {
    { .path = "/slow", .status = 200, .body = "slow", .delay_ms = 600 },
    { .path = "/fast", .status = 200, .body = "fast" },
    { .path = "/reset", .kind = FIXTURE_RESET },
    { .path = "/gen", .kind = FIXTURE_GENERATED, .gen_bytes = 3145735 },
    { .path = "/tiny", .kind = FIXTURE_GENERATED, .gen_bytes = 5 },
    { .path = "/cal/*", .kind = FIXTURE_TRAP },
};

/* A delayed route takes at least delay_ms, and other requests are answered
 * meanwhile: a fast request started later finishes first. */
static void test_fixture_delay(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(kind_routes, 6, NULL, &err);
    CURLM *m = curl_multi_init();
    CURL *slow = curl_easy_init(), *fast = curl_easy_init();
    struct buf sink_slow, sink_fast;
    char url[128];
    int running = 2, first_done = 0;
    int64_t t0;
    CURLMsg *msg;
    int left;

    (void)state;
    assert_non_null(f);
    snprintf(url, sizeof url, "%s/slow", fixture_origin(f));
    curl_easy_setopt(slow, CURLOPT_URL, url);
    snprintf(url, sizeof url, "%s/fast", fixture_origin(f));
    curl_easy_setopt(fast, CURLOPT_URL, url);
    curl_easy_setopt(slow, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(fast, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(slow, CURLOPT_WRITEFUNCTION, on_sink);
    curl_easy_setopt(fast, CURLOPT_WRITEFUNCTION, on_sink);
    buf_init(&sink_slow, 1024);
    buf_init(&sink_fast, 1024);
    curl_easy_setopt(slow, CURLOPT_WRITEDATA, &sink_slow);
    curl_easy_setopt(fast, CURLOPT_WRITEDATA, &sink_fast);
    t0 = now_ms();
    curl_multi_add_handle(m, slow);
    curl_multi_perform(m, &running);
    curl_multi_add_handle(m, fast);
    while (running > 0 && now_ms() - t0 < 20000) {
        curl_multi_poll(m, NULL, 0, 100, NULL);
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)))
            if (msg->msg == CURLMSG_DONE) {
                assert_int_equal(msg->data.result, CURLE_OK);
                if (!first_done)
                    first_done = msg->easy_handle == fast ? 1 : 2;
            }
    }
    assert_int_equal(running, 0);
    assert_int_equal(first_done, 1);
    assert_true(now_ms() - t0 >= 600);
    assert_string_equal(sink_slow.data, "slow");
    assert_string_equal(sink_fast.data, "fast");
    buf_release(&sink_slow);
    buf_release(&sink_fast);
    curl_multi_remove_handle(m, slow);
    curl_multi_remove_handle(m, fast);
    curl_easy_cleanup(slow);
    curl_easy_cleanup(fast);
    curl_multi_cleanup(m);
    fixture_stop(f);
}

/* RESET promises 100000 bytes, sends 1000 and closes: curl sees an error. */
static void test_fixture_reset(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(kind_routes, 6, NULL, &err);
    struct reply r;

    (void)state;
    assert_non_null(f);
    get(f, "/reset", &r);
    assert_true(r.rc == CURLE_PARTIAL_FILE || r.rc == CURLE_RECV_ERROR);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers.data, "Content-Length: 100000\r\n"));
    assert_true(r.total <= 1000);
    reply_release(&r);
    get(f, "/fast", &r); /* the server carries on */
    assert_int_equal(r.rc, CURLE_OK);
    reply_release(&r);
    fixture_stop(f);
}

/* GENERATED sends exactly gen_bytes of HTML, even when that is tiny. */
static void test_fixture_generated(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(kind_routes, 6, NULL, &err);
    struct reply r;

    (void)state;
    assert_non_null(f);
    get(f, "/gen", &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_int_equal(r.total, 3145735);
    assert_memory_equal(r.body.data, "<html><body><p>xxxx", 19);
    assert_string_equal(r.tail + strlen(r.tail) - 19, "</p></body></html>\n");
    reply_release(&r);
    get(f, "/tiny", &r);
    assert_int_equal(r.total, 5);
    assert_string_equal(r.body.data, "<html");
    reply_release(&r);
    fixture_stop(f);
}

/* The trap answers any path under its prefix with a month page linking to
 * the next and the previous month; nonsense is its first month. */
static void test_fixture_trap(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(kind_routes, 6, NULL, &err);
    struct reply r;

    (void)state;
    assert_non_null(f);
    get(f, "/cal/2026/12", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "December 2026"));
    assert_non_null(strstr(r.body.data, "href=\"/cal/2027/01\""));
    assert_non_null(strstr(r.body.data, "href=\"/cal/2026/11\""));
    reply_release(&r);
    get(f, "/cal/2031/05?view=week", &r);
    assert_non_null(strstr(r.body.data, "href=\"/cal/2031/06\""));
    assert_non_null(strstr(r.body.data, "href=\"/cal/2031/04\""));
    reply_release(&r);
    get(f, "/cal/whatever", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "href=\"/cal/2026/02\""));
    assert_non_null(strstr(r.body.data, "href=\"/cal/2025/12\""));
    reply_release(&r);
    fixture_stop(f);
}

struct log_check {
    int n;
    int64_t last_t;
    bool ok;
};

static void check_entry(void *ctx, const char *method, const char *path,
                        int64_t t_ms, const char *user_agent,
                        const char *if_none_match,
                        const char *if_modified_since)
{
    static const char *const paths[] = { "/fast", "/fast?a=1", "/fast",
                                         "/nothing" };
    struct log_check *c = ctx;

    c->ok = c->ok && c->n < 4 && strcmp(path, paths[c->n]) == 0 &&
            t_ms >= c->last_t &&
            strcmp(method, c->n == 1 ? "HEAD" : "GET") == 0;
    if (c->ok && c->n == 2)
        c->ok = user_agent && strcmp(user_agent, "crawldb-test/1") == 0 &&
                if_none_match && strcmp(if_none_match, "\"v1\"") == 0 &&
                if_modified_since &&
                strcmp(if_modified_since, "Sat, 01 Aug 2026 10:00:00 GMT") == 0;
    else if (c->ok)
        c->ok = !user_agent && !if_none_match && !if_modified_since;
    c->last_t = t_ms;
    c->n++;
}

static void count_entry(void *ctx, const char *method, const char *path,
                        int64_t t_ms, const char *user_agent,
                        const char *if_none_match,
                        const char *if_modified_since)
{
    (void)method;
    (void)path;
    (void)t_ms;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    (*(int *)ctx)++;
}

/* Hits count per path+query, total counts all, each walks the log in
 * order with the headers, and reset_log forgets it all. */
static void test_fixture_log(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(kind_routes, 6, NULL, &err);
    struct curl_slist *hdrs = NULL;
    struct log_check c = { .ok = true };
    int64_t t0 = now_ms();
    char url[128];
    struct reply r;
    CURL *h;
    int n = 0;

    (void)state;
    assert_non_null(f);
    assert_int_equal(fixture_total(f), 0);
    assert_int_equal(fixture_hits(f, "/fast"), 0);
    get(f, "/fast", &r);
    reply_release(&r);
    h = curl_easy_init();
    snprintf(url, sizeof url, "%s/fast?a=1", fixture_origin(f));
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    get_on(h, url, NULL, false, &r);
    assert_int_equal(r.status, 404); /* no route: logged all the same */
    reply_release(&r);
    curl_easy_cleanup(h);
    hdrs = curl_slist_append(hdrs, "User-Agent: crawldb-test/1");
    hdrs = curl_slist_append(hdrs, "If-None-Match: \"v1\"");
    hdrs = curl_slist_append(
        hdrs, "If-Modified-Since: Sat, 01 Aug 2026 10:00:00 GMT");
    snprintf(url, sizeof url, "%s/fast", fixture_origin(f));
    get_on(NULL, url, hdrs, false, &r);
    reply_release(&r);
    curl_slist_free_all(hdrs);
    get(f, "/nothing", &r);
    reply_release(&r);

    assert_int_equal(fixture_hits(f, "/fast"), 2);
    assert_int_equal(fixture_hits(f, "/fast?a=1"), 1);
    assert_int_equal(fixture_hits(f, "/nothing"), 1);
    assert_int_equal(fixture_hits(f, "/never"), 0);
    assert_int_equal(fixture_total(f), 4);
    c.last_t = t0;
    fixture_each(f, check_entry, &c);
    assert_true(c.ok);
    assert_int_equal(c.n, 4);
    assert_true(c.last_t <= now_ms());

    fixture_reset_log(f);
    assert_int_equal(fixture_total(f), 0);
    assert_int_equal(fixture_hits(f, "/fast"), 0);
    fixture_each(f, count_entry, &n);
    assert_int_equal(n, 0);
    get(f, "/fast", &r); /* and counts again afterwards */
    reply_release(&r);
    assert_int_equal(fixture_hits(f, "/fast"), 1);
    assert_int_equal(fixture_total(f), 1);
    fixture_stop(f);
}

/* Requests on one handle reuse one HTTP/1.1 connection. */
static void test_fixture_keep_alive(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(kind_routes, 6, NULL, &err);
    CURL *h = curl_easy_init();
    char url[128];
    struct reply r;

    (void)state;
    assert_non_null(f);
    snprintf(url, sizeof url, "%s/fast", fixture_origin(f));
    get_on(h, url, NULL, false, &r);
    assert_int_equal(r.new_connects, 1);
    reply_release(&r);
    snprintf(url, sizeof url, "%s/cal/2026/03", fixture_origin(f));
    get_on(h, url, NULL, false, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.new_connects, 0);
    reply_release(&r);
    curl_easy_cleanup(h);
    fixture_stop(f);
}

/* The server listens on 127.0.0.1 only: the same port on another loopback
 * address (IPv4 or IPv6) refuses the connection. */
static void test_fixture_loopback_only(void **state)
{
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(kind_routes, 6, NULL, &err);
    char url[128];
    struct reply r;

    (void)state;
    assert_non_null(f);
    snprintf(url, sizeof url, "http://127.0.0.2:%u/fast", fixture_port(f));
    get_on(NULL, url, NULL, false, &r);
    assert_int_equal(r.rc, CURLE_COULDNT_CONNECT);
    reply_release(&r);
    snprintf(url, sizeof url, "http://[::1]:%u/fast", fixture_port(f));
    get_on(NULL, url, NULL, false, &r);
    assert_int_equal(r.rc, CURLE_COULDNT_CONNECT);
    reply_release(&r);
    assert_int_equal(fixture_total(f), 0);
    fixture_stop(f);
}

/* The sample site's routes: robots.txt names the absolute sitemap, the
 * redirect chain ends at /about.html after two hops, the loop never ends,
 * the error is a 500 with a body, the slow page is slow. */
static void test_fixture_site_routes(void **state)
{
    size_t n;
    const struct fixture_route *routes = fixture_site_routes(&n);
    struct cdb_err err = { 0 };
    struct fixture *f = fixture_start(routes, n, site_root(), &err);
    char url[256], want[256];
    struct reply r;
    int64_t t0;

    (void)state;
    assert_non_null(f);
    get(f, "/robots.txt", &r);
    assert_string_equal(r.content_type, "text/plain; charset=utf-8");
    assert_non_null(strstr(r.body.data, "Disallow: /private/\n"));
    snprintf(want, sizeof want, "Sitemap: %s/sitemap.xml\n", fixture_origin(f));
    assert_non_null(strstr(r.body.data, want));
    reply_release(&r);
    get(f, "/sitemap.xml", &r);
    snprintf(want, sizeof want, "<loc>%s/specials/summer-sale.html</loc>",
             fixture_origin(f));
    assert_non_null(strstr(r.body.data, want));
    reply_release(&r);

    snprintf(url, sizeof url, "%s/old-page", fixture_origin(f));
    get_on(NULL, url, NULL, true, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.redirects, 2);
    snprintf(want, sizeof want, "%s/about.html", fixture_origin(f));
    assert_string_equal(r.final_url, want);
    reply_release(&r);
    assert_int_equal(fixture_hits(f, "/redirect/hop1"), 1);

    snprintf(url, sizeof url, "%s/loop/a", fixture_origin(f));
    get_on(NULL, url, NULL, true, &r);
    assert_int_equal(r.rc, CURLE_TOO_MANY_REDIRECTS);
    reply_release(&r);

    get(f, "/error/500", &r);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body.data, "</html>"));
    reply_release(&r);

    t0 = now_ms();
    get(f, "/slow.html", &r);
    assert_int_equal(r.status, 200);
    assert_true(now_ms() - t0 >= 300);
    reply_release(&r);

    get(f, "/trap/2026/01", &r);
    assert_non_null(strstr(r.body.data, "href=\"/trap/2026/02\""));
    reply_release(&r);

    get(f, "/de/", &r); /* Latin-1 bytes, the type leaves the charset out */
    assert_string_equal(r.content_type, "text/html");
    assert_non_null(strstr(r.body.data, "B\xe4"
                                        "ckerei"));
    reply_release(&r);
    fixture_stop(f);
}

/* Every dynamic route of the site is linked from one of its pages, so a
 * crawl from / can find it. */
static void test_fixture_site_links_routes(void **state)
{
    static const char *const links[] = {
        "href=\"/old-page\"",     "href=\"/loop/a\"",    "href=\"/error/500\"",
        "href=\"slow.html\"",     "href=\"/huge.html\"", "href=\"/reset.html\"",
        "href=\"/trap/2026/01\"",
    };
    static const char *const pages[] = {
        "/blog/holiday-hours.html",
        "/faq.html",
        "/careers.html",
        "/menu.html",
        "/downloads/index.html",
        "/gallery.html",
        "/events/index.html",
    };
    char path[512], text[16384];

    (void)state;
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        FILE *fp;
        size_t len;

        snprintf(path, sizeof path, "%s%s", site_root(), pages[i]);
        fp = fopen(path, "r");
        assert_non_null(fp);
        len = fread(text, 1, sizeof text - 1, fp);
        fclose(fp);
        text[len] = '\0';
        assert_non_null(strstr(text, links[i]));
    }
}

int main(void)
{
    enum { N_TYPES = sizeof type_cases / sizeof type_cases[0] };
    struct CMUnitTest tests[N_TYPES + 13];
    size_t n = 0;
    int rc;

    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_body_route);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test(test_fixture_route_matching);
    for (size_t i = 0; i < N_TYPES; i++)
        tests[n++] =
            (struct CMUnitTest){ .name = type_cases[i].path,
                                 .test_func = test_fixture_docroot_type,
                                 .initial_state = &type_cases[i] };
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test(test_fixture_docroot_edges);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_bad_docroot);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_delay);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_reset);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_generated);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_trap);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_log);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_keep_alive);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test(test_fixture_loopback_only);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixture_site_routes);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test(test_fixture_site_links_routes);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = _cmocka_run_group_tests("fixture", tests, n, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
