/* Integration tests against a hostile server: a body that never ends, a
 * 1 GiB body, a gzip bomb, bodies that stall after the headers, a reset
 * mid-body, huge header blocks, broken chunked encoding, a wrong
 * Content-Length either way, a redirect loop and a 50-hop chain, HTML
 * nested 100,000 deep, binary bytes served as text/html, and a link to a
 * 100 KB URL. Each case crawls a small site whose start page links to the
 * hostile URL and to three ordinary pages, with short timeouts and a
 * 4 MiB body limit, and asserts that the crawl ends in bounded time and
 * memory, that the hostile URL's page and fetch rows say what happened,
 * and that every ordinary page was still crawled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "buf.h"
#include "integ.h"
#include "polite.h"
#include "util.h"

#define MAX_BYTES    ((size_t)4 << 20) /* the crawls' body limit */
#define TIMEOUT_MS   2000              /* the crawls' transfer timeout */
#define MAX_WALL_MS  10000             /* a case's crawl ends within this */
#define GIB          ((size_t)1 << 30)
#define NESTED_DEPTH 100000
#define LONG_URL_LEN 100000
#define URL_4K_LEN   4000
#define RAW_MARK     "{{RAW_ORIGIN}}"
#define BINARY_LEN   65536

/* Growth of the peak resident set a crawl may cause (measured: 16 MiB
 * with the 4 MiB limit). ASan keeps freed memory in quarantine (up to
 * 256 MiB) and adds shadow memory (measured: 47 MiB), so its bound is
 * looser; either is far below what holding a 1 GiB body would take. */
#if defined(__SANITIZE_ADDRESS__)
#define MAX_RSS_GROWTH_KIB (256L << 10)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAX_RSS_GROWTH_KIB (256L << 10)
#endif
#endif
#ifndef MAX_RSS_GROWTH_KIB
#define MAX_RSS_GROWTH_KIB (64L << 10)
#endif

static const char PAGE[] = "<!DOCTYPE html><title>page</title>"
                           "<p>An ordinary page. <a href=\"/\">home</a></p>";
static const char RAW_PAGE[] =
    "<!DOCTYPE html><title>raw</title><p>a raw page</p>\n";

/* Raw responses (served on the fixture's raw port). */
static const char RAW_BAD_CHUNK[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    "10\r\n<html><body><p>\r\nzz\r\nnot a chunk\r\n0\r\n\r\n";
static const char RAW_CHUNK_OVERFLOW[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    "fffffffffffffffffffff\r\n<html><body><p>\r\n0\r\n\r\n";
static const char RAW_LENGTH_OVER[] = /* declares more than it sends */
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    "Content-Length: 100000\r\nConnection: close\r\n\r\n"
    "<!DOCTYPE html><title>short</title><p>Not all of it.</p>\n";
static const char RAW_LENGTH_UNDER[] = /* declares less than it sends */
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    "Content-Length: 20\r\n\r\n"
    "<!DOCTYPE html><p>20<a href=\"{{ORIGIN}}/excess.html\">excess</a>"
    "</p>\n";

/* Bodies and raw responses too big to write out, made in main(). */
static char nested_html[NESTED_DEPTH * 11 + 256];
static char binary_body[BINARY_LEN];
static char long_path[LONG_URL_LEN + 1];
static char path_4k[URL_4K_LEN + 1];
static char raw_headers_200k[(256 << 10) + 1024];
static char raw_headers_1m[(1 << 20) + (64 << 10)];

/* One hostile case: its routes and what the crawl must record. */
struct hostile {
    const char *name;
    struct fixture_route routes[2]; /* path NULL: unused */
    /* The start page's links to it ({{..}} substituted); NULL: unused. */
    const char *link, *link2;
    const char *check; /* path of the page checked (default link), on the
                          raw port if raw */
    bool raw;
    /* LIKE patterns: the checked page's "state[:reason]"; its last fetch's
     * "status length truncated" (status and length "null" when NULL), NULL
     * when it must have no fetch; and its error, NULL for none. */
    const char *state;
    const char *fetch;
    const char *error;
    void (*extra)(struct env *e, sqlite3 *db);
};

static long max_rss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* KiB on Linux */
}

/* A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 if none. */
static long status_kib(const char *field)
{
    FILE *fp = fopen("/proc/self/status", "r");
    size_t n = strlen(field);
    char line[256], *end;
    long v = -1;

    while (fp && v < 0 && fgets(line, sizeof line, fp))
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = strtol(line + n + 1, &end, 10);
            if (end == line + n + 1)
                v = -1;
        }
    if (fp)
        fclose(fp);
    return v;
}

/* Measure the peak resident set of what follows: the resident set now,
 * with the peak (VmHWM) reset to it where Linux allows; else the peak so
 * far, so that the growth measured is a lower bound of the real one. */
static long peak_start(bool *reset)
{
    FILE *fp = fopen("/proc/self/clear_refs", "w");

    *reset = fp && fputs("5", fp) >= 0;
    if (fp && fclose(fp) != 0)
        *reset = false;
    *reset = *reset && status_kib("VmHWM") >= 0;
    return *reset ? status_kib("VmRSS") : max_rss_kib();
}

static long peak_now(bool reset)
{
    return reset ? status_kib("VmHWM") : max_rss_kib();
}

/* origin (the raw one if raw) + path, malloc'd. */
static char *url_of(struct env *e, bool raw, const char *path)
{
    struct buf b;

    buf_init(&b, SIZE_MAX / 2);
    assert_int_equal(
        buf_addf(&b, "%s%s",
                 raw ? fixture_raw_origin(e->fx) : fixture_origin(e->fx), path),
        CDB_OK);
    return buf_detach(&b, NULL);
}

static int64_t page_count(sqlite3 *db, const char *url)
{
    return q_int(db, "SELECT count(*) FROM pages WHERE url = ?1", url, NULL);
}

/* The gzip bomb inflates to exactly 4 MiB of zeros: the body limit counts
 * decoded bytes, not the few KiB on the wire. */
static void bomb_extra(struct env *e, sqlite3 *db)
{
    assert_int_equal(q_int(db,
                           "SELECT d.body = zeroblob(?2) FROM documents d"
                           " JOIN fetches f ON f.document_id = d.id JOIN"
                           " pages p ON p.id = f.page_id WHERE p.url = ?1",
                           env_url(e, "/bomb"), "4194304"),
                     1);
}

/* The trickling body got a byte every 500 ms until the timeout. */
static void trickle_extra(struct env *e, sqlite3 *db)
{
    assert_in_range(q_int(db,
                          "SELECT f.length FROM fetches f JOIN pages p ON"
                          " p.id = f.page_id WHERE p.url = ?1",
                          env_url(e, "/trickle"), NULL),
                    1, TIMEOUT_MS / 500);
}

/* Headers under the 256 KiB limit are kept; a block over it is refused. */
static void headers_extra(struct env *e, sqlite3 *db)
{
    char *url = url_of(e, true, "/headers-200k");

    q_expect(db, SQL_PAGE_STATE, url, NULL, "done");
    assert_in_range(q_int(db,
                          "SELECT length(f.headers) FROM fetches f JOIN"
                          " pages p ON p.id = f.page_id WHERE p.url = ?1",
                          url, NULL),
                    200 << 10, 256 << 10);
    free(url);
}

/* Only the declared 20 bytes are read: the link past them is unknown. */
static void length_under_extra(struct env *e, sqlite3 *db)
{
    assert_int_equal(page_count(db, env_url(e, "/excess.html")), 0);
    assert_int_equal(fixture_hits(e->fx, "/excess.html"), 0);
}

/* Each URL of the loop is fetched once, each hop recorded as a link. */
static void loop_extra(struct env *e, sqlite3 *db)
{
    assert_page(e, db, "/loop/a", "done", 1);
    assert_page(e, db, "/loop/b", "done", 1);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM links WHERE kind = "
                           "'redirect'",
                           NULL, NULL),
                     2);
}

/* The chain is followed for max_redirects (20) hops, one fetch each; the
 * 21st target is skipped and neither it nor the chain's end is requested. */
static void chain_extra(struct env *e, sqlite3 *db)
{
    char path[32];

    for (int i = 0; i <= 20; i++) {
        snprintf(path, sizeof path, "/chain/%d", i);
        assert_page(e, db, path, "done", 1);
    }
    assert_int_equal(fixture_hits(e->fx, "/chain/21"), 0);
    assert_int_equal(fixture_hits(e->fx, "/chain/50"), 0);
    assert_int_equal(page_count(db, env_url(e, "/chain/22")), 0);
}

/* The link at the bottom of the nesting is found and followed. */
static void nested_extra(struct env *e, sqlite3 *db)
{
    assert_page(e, db, "/deep.html", "done", 1);
}

/* The 100 KB URL is past what url_canon() resolves (URL_MAX_REF): the
 * link is refused while extracting, so it is neither stored nor requested,
 * and the start page's fetch counts it in links_refused. */
static void long_url_extra(struct env *e, sqlite3 *db)
{
    char *url = url_of(e, false, long_path);
    char *home = url_of(e, false, "/");

    assert_int_equal(page_count(db, url), 0);
    assert_int_equal(q_int(db,
                           "SELECT links_refused FROM fetches f JOIN pages p"
                           " ON p.id = f.page_id WHERE p.url = ?1",
                           home, NULL),
                     1);
    free(home);
    assert_int_equal(fixture_hits(e->fx, long_path), 0);
    assert_int_equal(fixture_hits(e->fx, path_4k), 0);
    free(url);
}

static const char BODY_CUT[] = "body cut at 4194304 bytes (--max-size)";

static struct hostile cases[] = {
    { .name = "endless body",
      .routes = { { .path = "/endless", .kind = FIXTURE_ENDLESS } },
      .link = "/endless",
      .state = "done",
      .fetch = "200 4194304 1",
      .error = BODY_CUT },
    { .name = "1 GiB body",
      .routes = { { .path = "/gigabyte",
                    .kind = FIXTURE_GENERATED,
                    .gen_bytes = GIB } },
      .link = "/gigabyte",
      .state = "done",
      .fetch = "200 4194304 1",
      .error = BODY_CUT },
    { .name = "gzip bomb",
      .routes = { { .path = "/bomb",
                    .kind = FIXTURE_GZIP_BOMB,
                    .gen_bytes = GIB } },
      .link = "/bomb",
      .state = "done",
      .fetch = "200 4194304 1",
      .error = BODY_CUT,
      .extra = bomb_extra },
    { .name = "stall after headers",
      .routes = { { .path = "/stall", .kind = FIXTURE_STALL } },
      .link = "/stall",
      .state = "failed:Timeout was reached: Operation timed out after %",
      .fetch = "200 0 0",
      .error = "Timeout was reached: Operation timed out after 2___ milli"
               "seconds with 0 bytes received" },
    { .name = "a byte every 500 ms",
      .routes = { { .path = "/trickle",
                    .kind = FIXTURE_STALL,
                    .interval_ms = 500 } },
      .link = "/trickle",
      .state = "failed:Timeout was reached%",
      .fetch = "200 _ 0",
      .error = "Timeout was reached: Operation timed out after %",
      .extra = trickle_extra },
    { .name = "reset mid-body",
      .routes = { { .path = "/reset", .kind = FIXTURE_RESET } },
      .link = "/reset",
      .state = "failed:Transferred a partial file%",
      .fetch = "200 1000 0",
      .error = "Transferred a partial file: transfer closed with 99000 bytes"
               " remaining to read" },
    { .name = "TCP reset mid-body",
      .routes = { { .path = "/rst",
                    .kind = FIXTURE_RAW_RESET,
                    .body = RAW_LENGTH_OVER } },
      .link = "{{RAW_ORIGIN}}/rst",
      .raw = true,
      .state = "failed:%Recv failure: Connection reset by peer",
      .fetch = "200 57 0",
      .error = "Failure when receiving data from the peer: Recv failure:"
               " Connection reset by peer" },
    { .name = "200 KiB of headers",
      .routes = { { .path = "/headers-200k",
                    .kind = FIXTURE_RAW,
                    .body = raw_headers_200k },
                  { .path = "/headers-1m",
                    .kind = FIXTURE_RAW,
                    .body = raw_headers_1m } },
      .link = "{{RAW_ORIGIN}}/headers-200k",
      .link2 = "{{RAW_ORIGIN}}/headers-1m",
      .check = "/headers-1m",
      .raw = true,
      .state = "failed:response headers over 262144 bytes",
      .fetch = "null null 0",
      .error = "response headers over 262144 bytes",
      .extra = headers_extra },
    { .name = "invalid chunk size",
      .routes = { { .path = "/bad-chunk",
                    .kind = FIXTURE_RAW,
                    .body = RAW_BAD_CHUNK } },
      .link = "{{RAW_ORIGIN}}/bad-chunk",
      .raw = true,
      .state = "failed:%chunked-encoding",
      .fetch = "200 % 0",
      .error = "Failure when receiving data from the peer: Illegal or"
               " missing hexadecimal sequence in chunked-encoding" },
    { .name = "chunk size overflow",
      .routes = { { .path = "/chunk-overflow",
                    .kind = FIXTURE_RAW,
                    .body = RAW_CHUNK_OVERFLOW } },
      .link = "{{RAW_ORIGIN}}/chunk-overflow",
      .raw = true,
      .state = "failed:%chunked-encoding",
      .fetch = "200 0 0",
      .error = "%Too long hexadecimal number in chunked-encoding" },
    { .name = "Content-Length over the body",
      .routes = { { .path = "/length-over",
                    .kind = FIXTURE_RAW,
                    .body = RAW_LENGTH_OVER } },
      .link = "{{RAW_ORIGIN}}/length-over",
      .raw = true,
      .state = "failed:Transferred a partial file%",
      .fetch = "200 57 0",
      .error = "Transferred a partial file: transfer closed with 99943"
               " bytes remaining to read" },
    { .name = "Content-Length under the body",
      .routes = { { .path = "/length-under",
                    .kind = FIXTURE_RAW,
                    .body = RAW_LENGTH_UNDER } },
      .link = "{{RAW_ORIGIN}}/length-under",
      .raw = true,
      .state = "done",
      .fetch = "200 20 0",
      .extra = length_under_extra },
    { .name = "redirect loop",
      .routes = { { .path = "/loop/a",
                    .status = 302,
                    .headers = "Location: /loop/b\n" },
                  { .path = "/loop/b",
                    .status = 302,
                    .headers = "Location: /loop/a\n" } },
      .link = "/loop/a",
      .check = "/loop/b",
      .state = "done",
      .fetch = "302 0 0",
      .extra = loop_extra },
    { .name = "50-hop redirect chain",
      .routes = { { .path = "/chain/*", .kind = FIXTURE_CHAIN, .hops = 50 } },
      .link = "/chain/0",
      .check = "/chain/21",
      .state = "skipped:redirects",
      .extra = chain_extra },
    { .name = "100,000 nested elements",
      .routes = { { .path = "/nested", .body = nested_html },
                  { .path = "/deep.html", .body = PAGE } },
      .link = "/nested",
      .state = "done",
      .fetch = "200 1100070 0",
      .extra = nested_extra },
    { .name = "binary as text/html",
      .routes = { { .path = "/binary",
                    .body = binary_body,
                    .body_len = BINARY_LEN } },
      .link = "/binary",
      .state = "done",
      .fetch = "200 65536 0" },
    { .name = "100 KB URL",
      .link = long_path,
      .link2 = path_4k,
      .check = path_4k,
      .state = "skipped:url-length",
      .extra = long_url_extra },
};

/* A page of ordinary links and those of case h. */
static char *start_page(const struct hostile *h)
{
    struct buf b;

    buf_init(&b, SIZE_MAX / 2);
    assert_int_equal(buf_addf(&b,
                              "<!DOCTYPE html><title>Start</title><body>"
                              "<a href=\"/a.html\">a</a> <a href=\"%s\">h</a>"
                              " <a href=\"/b.html\">b</a> <a href=\"%s\">h</a>"
                              " <a href=\"/c.html\">c</a></body>",
                              h->link, h->link2 ? h->link2 : "/c.html"),
                     CDB_OK);
    return buf_detach(&b, NULL);
}

/* Whether text is LIKE pattern, as SQLite sees it. */
static bool like(sqlite3 *db, const char *text, const char *pattern)
{
    sqlite3_stmt *q = q_prepare(db, "SELECT ?1 LIKE ?2", text, pattern);
    bool yes;

    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    yes = sqlite3_column_int(q, 0) == 1;
    sqlite3_finalize(q);
    return yes;
}

/* The last fetch of url is as h wants: "status length truncated" and
 * error, each a LIKE pattern. */
static void assert_fetch(sqlite3 *db, const char *url, const struct hostile *h)
{
    static const char last[] =
        " FROM fetches f JOIN pages p ON p.id = f.page_id WHERE p.url = ?1"
        " ORDER BY f.id DESC";
    char sql[256], *row, *error;

    snprintf(sql, sizeof sql,
             "SELECT coalesce(f.status, 'null') || ' ' || coalesce(f.length,"
             " 'null') || ' ' || f.truncated%s",
             last);
    row = q_text(db, sql, url, NULL);
    snprintf(sql, sizeof sql, "SELECT f.error%s", last);
    error = q_text(db, sql, url, NULL);
    if (!h->fetch && row)
        fail_msg("'%s' has a fetch '%s', want none", h->name, row);
    if (h->fetch && (!row || !like(db, row, h->fetch)))
        fail_msg("'%s': fetch '%s', want '%s'", h->name, row ? row : "(none)",
                 h->fetch);
    if (!h->error && error)
        fail_msg("'%s': error '%s', want none", h->name, error);
    if (h->error && (!error || !like(db, error, h->error)))
        fail_msg("'%s': error '%s', want '%s'", h->name,
                 error ? error : "(none)", h->error);
    if (error)
        print_message("    error: %s\n", error);
    free(row);
    free(error);
}

/* Crawl the site of one case and check what it recorded. */
static void test_hostile(void **state)
{
    const struct hostile *h = *state;
    struct fixture_route routes[6];
    size_t n = 0;
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    const char *path;
    char *home, *url, *got;
    int64_t t0, wall_ms;
    long rss0, grown_kib;
    bool reset;
    sqlite3 *db;

    memset(routes, 0, sizeof routes);
    home = start_page(h);
    routes[n++] = (struct fixture_route){ .path = "/", .body = home };
    routes[n++] = (struct fixture_route){ .path = "/a.html", .body = PAGE };
    routes[n++] = (struct fixture_route){ .path = "/b.html", .body = PAGE };
    routes[n++] = (struct fixture_route){ .path = "/c.html", .body = PAGE };
    for (size_t i = 0; i < 2 && h->routes[i].path; i++)
        routes[n++] = h->routes[i];
    env_start(&e, routes, n, NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.scope = URL_SCOPE_DOMAIN; /* 127.0.0.1 on any port: the raw one too */
    o.fetch.timeout_ms = TIMEOUT_MS;
    o.fetch.connect_timeout_ms = TIMEOUT_MS / 2;
    o.fetch.max_bytes = MAX_BYTES;

    rss0 = peak_start(&reset);
    t0 = now_ms();
    crawl_checked(&e, &o);
    wall_ms = now_ms() - t0;
    grown_kib = peak_now(reset) - rss0;
    print_message("    %s: %lld ms, peak RSS %ld MiB, +%ld KiB over the"
                  " start\n",
                  h->name, (long long)wall_ms, peak_now(reset) >> 10,
                  grown_kib);
    if (wall_ms > MAX_WALL_MS)
        fail_msg("'%s': the crawl took %lld ms", h->name, (long long)wall_ms);
    if (grown_kib > MAX_RSS_GROWTH_KIB)
        fail_msg("'%s': peak RSS grew by %ld KiB", h->name, grown_kib);

    db = db_open(e.db);
    assert_page(&e, db, "/", "done", 1);
    assert_page(&e, db, "/a.html", "done", 1);
    assert_page(&e, db, "/b.html", "done", 1);
    assert_page(&e, db, "/c.html", "done", 1);
    path = h->check ? h->check : h->link;
    if (strncmp(path, RAW_MARK, strlen(RAW_MARK)) == 0)
        path += strlen(RAW_MARK);
    url = url_of(&e, h->raw, path);
    got = q_text(db, SQL_PAGE_STATE, url, NULL);
    if (!got || !like(db, got, h->state))
        fail_msg("'%s': page '%s', want '%s'", h->name, got ? got : "(none)",
                 h->state);
    free(got);
    assert_fetch(db, url, h);
    /* No body is kept past the limit, whatever the server sent. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM documents WHERE size > ?1",
                           "4194304", NULL),
                     0);
    if (h->extra)
        h->extra(&e, db);
    free(url);
    sqlite3_close(db);
    env_stop(&e);
    free(home);
}

/* A raw response: status line, Content-Type, filler headers until the
 * block has header_bytes, then a small body. */
static void make_raw_headers(char *out, size_t cap, size_t header_bytes)
{
    size_t len = 0;
    int i = 0;

    len += (size_t)snprintf(out, cap,
                            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                            "Connection: close\r\n");
    while (len < header_bytes) {
        size_t room = cap - len;
        int w = snprintf(out + len, room, "X-Filler-%06d: %.90s\r\n", i++,
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

        assert_true(w > 0 && (size_t)w < room);
        len += (size_t)w;
    }
    assert_true(snprintf(out + len, cap - len, "Content-Length: %zu\r\n\r\n%s",
                         strlen(RAW_PAGE), RAW_PAGE) < (int)(cap - len));
}

/* The generated bodies: HTML nested NESTED_DEPTH deep with a link at the
 * bottom, pseudo-random binary bytes (NULs included), and a path of
 * LONG_URL_LEN bytes. */
static void make_bodies(void)
{
    size_t len = 0;
    uint32_t x = 2463534242u; /* xorshift32 */

    len += (size_t)snprintf(nested_html, sizeof nested_html,
                            "<!DOCTYPE html><html><body>");
    for (int i = 0; i < NESTED_DEPTH; i++, len += 5)
        memcpy(nested_html + len, "<div>", 5);
    len += (size_t)snprintf(nested_html + len, sizeof nested_html - len,
                            "<a href=\"/deep.html\">deep</a>");
    for (int i = 0; i < NESTED_DEPTH; i++, len += 6)
        memcpy(nested_html + len, "</div>", 6);
    snprintf(nested_html + len, sizeof nested_html - len, "</body></html>");
    for (size_t i = 0; i < BINARY_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        binary_body[i] = (char)(x & 0xff);
    }
    long_path[0] = '/';
    memset(long_path + 1, 'a', LONG_URL_LEN - 1);
    path_4k[0] = '/';
    memset(path_4k + 1, 'b', URL_4K_LEN - 1);
    make_raw_headers(raw_headers_200k, sizeof raw_headers_200k, 200 << 10);
    make_raw_headers(raw_headers_1m, sizeof raw_headers_1m, 1 << 20);
}

struct bomb_count {
    size_t total;
    bool zeros;
};

static size_t count_zeros(char *p, size_t size, size_t n, void *ctx)
{
    struct bomb_count *c = ctx;

    (void)size;
    for (size_t i = 0; i < n; i++)
        c->zeros &= p[i] == 0;
    c->total += n;
    return n;
}

/* The fixture's bomb is a valid gzip stream (curl checks its CRC-32 and
 * length) of exactly the zeros asked for, in about a thousandth of that. */
static void test_hostile_bomb_valid(void **state)
{
    static const struct fixture_route routes[] = {
        { .path = "/bomb",
          .kind = FIXTURE_GZIP_BOMB,
          .gen_bytes = ((size_t)64 << 20) + 12345 },
    };
    struct bomb_count c = { 0, true };
    curl_off_t wire = 0;
    struct env e;
    CURL *curl = curl_easy_init();

    (void)state;
    assert_non_null(curl);
    env_start(&e, routes, N(routes), NULL);
    curl_easy_setopt(curl, CURLOPT_URL, env_url(&e, "/bomb"));
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, count_zeros);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    curl_easy_cleanup(curl);
    assert_int_equal(c.total, routes[0].gen_bytes);
    assert_true(c.zeros);
    assert_in_range(wire, 1, routes[0].gen_bytes / 500);
    env_stop(&e);
}

int main(void)
{
    struct CMUnitTest tests[N(cases) + 1];
    int rc;

    make_bodies();
    tests[0] = (struct CMUnitTest){ .name = "test_hostile_bomb_valid",
                                    .test_func = test_hostile_bomb_valid };
    for (size_t i = 0; i < N(cases); i++)
        tests[i + 1] = (struct CMUnitTest){ .name = cases[i].name,
                                            .test_func = test_hostile,
                                            .initial_state = &cases[i] };
    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
