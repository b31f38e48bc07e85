/* Integration tests of the crawler's manners: robots.txt rules (longest
 * match, wildcards, Allow), the politeness delay and Crawl-delay, retries
 * with back-off and Retry-After, giving a failing host up, and the spider
 * trap defences. Each test declares a route table, crawls it in-process
 * into a fresh database, and asserts in SQL and in the server's request log
 * what was fetched, when, and what was never requested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integ.h"
#include "polite.h"
#include "util.h"

static const char PAGE[] = "<!DOCTYPE html><title>page</title><p>a page</p>";

static const char RB_ROBOTS[] = "User-agent: otherbot\n"
                                "Disallow: /\n"
                                "\n"
                                "User-agent: *\n"
                                "Disallow: /shop/\n"
                                "Allow: /shop/public/\n"
                                "Disallow: /*.pdf$\n"
                                "Disallow: /*?session=\n"
                                "Disallow: /tie\n"
                                "Allow: /tie\n";

static const char RB_INDEX[] = "<!DOCTYPE html><title>Shop</title><body>"
                               "<a href=\"/shop/cart.html\">cart</a>"
                               "<a href=\"/shop/public/list.html\">list</a>"
                               "<a href=\"/shop\">shop</a>"
                               "<a href=\"/files/a.pdf\">pdf</a>"
                               "<a href=\"/files/a.pdf?v=2\">pdf v2</a>"
                               "<a href=\"/search?session=42\">session</a>"
                               "<a href=\"/search?q=bread\">search</a>"
                               "<a href=\"/tie.html\">tie</a></body>";

static const struct fixture_route robots_routes[] = {
    { .path = "/robots.txt",
      .headers = "Content-Type: text/plain\n",
      .body = RB_ROBOTS },
    { .path = "/", .body = RB_INDEX },
    { .path = "/*", .body = PAGE },
};

/* The group for crawldb's agent is '*' (otherbot's "Disallow: /" does not
 * apply); within it the longest matching rule wins, Allow on a tie, '*'
 * matches any run of characters and '$' anchors the end (queries count).
 * Disallowed pages are skipped as 'robots' and never requested. */
static void test_polite_robots_rules(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, robots_routes, N(robots_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.concurrency = 8;
    crawl_checked(&e, &o);
    assert_first_request(e.fx, "/robots.txt");
    db = db_open(e.db);
    assert_page(&e, db, "/shop/cart.html", "skipped:robots", 0);
    assert_page(&e, db, "/shop/public/list.html", "done", 1);
    assert_page(&e, db, "/shop", "done", 1);
    assert_page(&e, db, "/files/a.pdf", "skipped:robots", 0);
    assert_page(&e, db, "/files/a.pdf?v=2", "done", 1);
    assert_page(&e, db, "/search?session=42", "skipped:robots", 0);
    assert_page(&e, db, "/search?q=bread", "done", 1);
    assert_page(&e, db, "/tie.html", "done", 1);
    assert_int_equal(assert_unrequested(&e, db, "p.state = 'skipped'", NULL),
                     3);
    assert_int_equal(fixture_total(e.fx), 7); /* robots.txt, /, 5 pages */
    assert_int_equal(
        q_int(db, "SELECT json_extract(options, '$.robots') FROM crawls", NULL,
              NULL),
        1);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* Without robots, robots.txt is never requested, every page is fetched,
 * and the run's options say "robots":false. */
static void test_polite_no_robots(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, robots_routes, N(robots_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.robots = false;
    crawl_checked(&e, &o);
    assert_int_equal(fixture_hits(e.fx, "/robots.txt"), 0);
    db = db_open(e.db);
    assert_page(&e, db, "/shop/cart.html", "done", 1);
    assert_page(&e, db, "/files/a.pdf", "done", 1);
    assert_page(&e, db, "/search?session=42", "done", 1);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state <> 'done'",
                           NULL, NULL),
                     0);
    assert_int_equal(
        q_int(db,
              "SELECT count(*) FROM crawls WHERE json_extract(options,"
              " '$.robots') = 0 AND options LIKE '%\"robots\":false%'",
              NULL, NULL),
        1);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const char DL_INDEX[] =
    "<!DOCTYPE html><title>Index</title><body>"
    "<a href=\"/p1\">1</a><a href=\"/p2\">2</a><a href=\"/p3\">3</a>"
    "<a href=\"/p4\">4</a><a href=\"/p5\">5</a></body>";

static const struct fixture_route delay_routes[] = {
    { .path = "/", .body = DL_INDEX },
    { .path = "/p*", .body = PAGE },
};

/* delay_ms 200 spaces the requests to one host at least 200 ms apart,
 * although four transfers per host and sixteen in all are allowed. */
static void test_polite_delay(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct times ts;
    sqlite3 *db;

    (void)state;
    env_start(&e, delay_routes, N(delay_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.delay_ms = 200;
    o.fetch.concurrency = 16;
    o.fetch.per_host = 4;
    crawl_checked(&e, &o);
    ts = request_times(e.fx, "/");
    assert_int_equal(ts.n, 6);
    assert_gaps(&ts, 200);
    db = db_open(e.db);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state = 'done'",
                           NULL, NULL),
                     6);
    assert_int_equal(
        q_int(db, "SELECT json_extract(options, '$.delay_ms') FROM crawls",
              NULL, NULL),
        200);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route crawl_delay_routes[] = {
    { .path = "/robots.txt",
      .headers = "Content-Type: text/plain\n",
      .body = "User-agent: *\nCrawl-delay: 0.3\n" },
    { .path = "/", .body = DL_INDEX },
    { .path = "/p*", .body = PAGE },
};

/* With the default delay (-1), robots.txt's "Crawl-delay: 0.3" spaces the
 * page requests at least 300 ms apart. */
static void test_polite_crawl_delay(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct times ts;

    (void)state;
    env_start(&e, crawl_delay_routes, N(crawl_delay_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.max_pages = 4;
    assert_int_equal(o.delay_ms, -1);
    crawl_checked(&e, &o);
    ts = request_times(e.fx, "/");
    assert_int_equal(ts.n, 4);
    assert_gaps(&ts, 300);
    env_stop(&e);
}

static const struct fixture_route slow_delay_routes[] = {
    { .path = "/robots.txt",
      .headers = "Content-Type: text/plain\n",
      .body = "User-agent: *\nCrawl-delay: 0.1\n" },
    { .path = "/", .body = DL_INDEX },
    { .path = "/p*", .body = PAGE },
};

static const struct fixture_route long_delay_routes[] = {
    { .path = "/robots.txt",
      .headers = "Content-Type: text/plain\n",
      .body = "User-agent: *\nCrawl-delay: 30\n" },
    { .path = "/", .body = DL_INDEX },
    { .path = "/p*", .body = PAGE },
};

/* An explicit delay overrides Crawl-delay both ways: 250 ms beats a
 * Crawl-delay of 0.1 s (requests at least 250 ms apart), and 0 beats a
 * Crawl-delay of 30 s: six pages, which obeying it would take 150 s to
 * fetch, are fetched in well under 20 s (a bound far from the timing). */
static void test_polite_delay_overrides_crawl_delay(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct times ts;
    int64_t t0;

    (void)state;
    env_start(&e, slow_delay_routes, N(slow_delay_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.max_pages = 4;
    o.delay_ms = 250;
    crawl_checked(&e, &o);
    ts = request_times(e.fx, "/");
    assert_int_equal(ts.n, 4);
    assert_gaps(&ts, 250);
    env_stop(&e);

    env_start(&e, long_delay_routes, N(long_delay_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.delay_ms = 0;
    t0 = now_ms();
    crawl_checked(&e, &o);
    assert_true(now_ms() - t0 < 20000);
    assert_int_equal(fixture_total(e.fx), 7);
    assert_db_file_sound(e.db);
    env_stop(&e);
}

static const struct fixture_route retry_routes[] = {
    { .path = "/busy",
      .status = 503,
      .headers = "Retry-After: 1\n",
      .body = "<p>busy</p>" },
    { .path = "/oops", .status = 500, .body = "<p>oops</p>" },
    { .path = "/cut", .kind = FIXTURE_RESET },
    { .path = "/flaky", .body = PAGE, .fail_first = 2 },
};

/* The attempts of the page at path as "status,status,..." in order. */
static void assert_attempts(struct env *e, sqlite3 *db, const char *path,
                            const char *want)
{
    q_expect(db,
             "SELECT group_concat(attempt || ':' || coalesce(status, 0), ',')"
             " FROM (SELECT f.attempt, f.status FROM fetches f JOIN pages p"
             " ON p.id = f.page_id WHERE p.url = ?1 ORDER BY f.id)",
             env_url(e, path), NULL, want);
}

/* A 503 with "Retry-After: 1" is tried again after at least a second (the
 * back-off base being far smaller), once with retries 1: two requests, two
 * fetch rows (attempts 1 and 2), and the page fails as 'http 503'. */
static void test_polite_retry_after(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct times ts;
    sqlite3 *db;

    (void)state;
    env_start(&e, retry_routes, N(retry_routes), NULL);
    seed[0] = env_url(&e, "/busy");
    opts_for(&o, seed);
    o.retries = 1;
    o.retry_base_ms = 10;
    crawl_checked(&e, &o);
    ts = request_times(e.fx, "/busy");
    assert_int_equal(ts.n, 2);
    assert_gaps(&ts, 1000);
    db = db_open(e.db);
    assert_page(&e, db, "/busy", "failed:http 503", 2);
    assert_attempts(&e, db, "/busy", "1:503,2:503");
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* A 500 with retries 2 is requested three times with a doubling back-off
 * (40 ms, then 80 ms, to the slack of assert_gaps()), each a fetch row
 * (attempts 1..3), and fails as 'http 500'. */
static void test_polite_retry_backoff(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct times ts;
    sqlite3 *db;

    (void)state;
    env_start(&e, retry_routes, N(retry_routes), NULL);
    seed[0] = env_url(&e, "/oops");
    opts_for(&o, seed);
    o.retries = 2;
    o.retry_base_ms = 40;
    crawl_checked(&e, &o);
    ts = request_times(e.fx, "/oops");
    assert_int_equal(ts.n, 3);
    assert_true(ts.t[1] - ts.t[0] >= 40 - SLACK_MS);
    assert_true(ts.t[2] - ts.t[1] >= 80 - SLACK_MS); /* doubled */
    db = db_open(e.db);
    assert_page(&e, db, "/oops", "failed:http 500", 3);
    assert_attempts(&e, db, "/oops", "1:500,2:500,3:500");
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* A connection cut mid-body is transient: tried again, and with retries 1
 * the page fails after two requests, each fetch row saying why. A server
 * that answers 503 twice and then 200 gets the page done on the third try,
 * the earlier tries kept as history. */
static void test_polite_retry_reset_and_recovery(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, retry_routes, N(retry_routes), NULL);
    seed[0] = env_url(&e, "/cut");
    opts_for(&o, seed);
    o.retries = 1;
    o.retry_base_ms = 10;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_int_equal(fixture_hits(e.fx, "/cut"), 2);
    assert_attempts(&e, db, "/cut", "1:200,2:200");
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM fetches WHERE error IS NOT"
                           " NULL AND error <> ''",
                           NULL, NULL),
                     2);
    q_expect(db,
             "SELECT p.state || ':' || (p.reason = f.error) FROM pages p"
             " JOIN fetches f ON f.page_id = p.id WHERE p.url = ?1"
             " AND f.attempt = 2",
             env_url(&e, "/cut"), NULL, "failed:1");
    sqlite3_close(db);
    env_stop(&e);

    env_start(&e, retry_routes, N(retry_routes), NULL);
    seed[0] = env_url(&e, "/flaky");
    opts_for(&o, seed);
    o.retries = 2;
    o.retry_base_ms = 10;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/flaky", "done", 3);
    assert_attempts(&e, db, "/flaky", "1:503,2:503,3:200");
    assert_int_equal(q_int(db, "SELECT count(*) FROM documents", NULL, NULL),
                     1);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const char HF_INDEX[] =
    "<!DOCTYPE html><title>Index</title><body>"
    "<a href=\"/e1\">1</a><a href=\"/e2\">2</a><a href=\"/e3\">3</a>"
    "<a href=\"/e4\">4</a><a href=\"/e5\">5</a><a href=\"/e6\">6</a>"
    "<a href=\"/e7\">7</a><a href=\"/e8\">8</a></body>";

static const struct fixture_route host_fail_routes[] = {
    { .path = "/", .body = HF_INDEX },
    { .path = "/e*", .status = 500, .body = "<p>down</p>" },
};

/* A host whose pages all fail with 500 is given up after host_fail_limit
 * (3) failures in a row: those three fail as 'http 500', the rest of its
 * queue fails with a reason starting 'host failing' and is never
 * requested. */
static void test_polite_host_gives_up(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, host_fail_routes, N(host_fail_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.host_fail_limit = 3;
    o.fetch.per_host = 1; /* one at a time: exactly three fail */
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/", "done", 1);
    assert_int_equal(
        q_int(db, "SELECT count(*) FROM pages WHERE reason = 'http 500'", NULL,
              NULL),
        3);
    assert_int_equal(assert_unrequested(&e, db,
                                        "p.state = 'failed' AND p.reason"
                                        " LIKE 'host failing%'",
                                        NULL),
                     5);
    q_expect(db, "SELECT DISTINCT reason FROM pages WHERE reason LIKE 'host%'",
             NULL, NULL, "host failing: http 500");
    assert_int_equal(fixture_total(e.fx), 5); /* robots.txt, /, 3 pages */
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state = 'queued'",
                           NULL, NULL),
                     0);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route deep_routes[] = {
    { .path = "/deep/*", .body = "<a href=\"x/\">deeper</a>" },
    { .path = "/long/*", .body = "<a href=\"abcdefghij/\">longer</a>" },
};

/* A relative link to "x/" on every page of /deep/ grows the path without
 * end; the first URL with a segment more than max_repeat (3) times is
 * skipped as 'repeated-segment' and never requested. */
static void test_polite_trap_repeated_segment(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, deep_routes, N(deep_routes), NULL);
    seed[0] = env_url(&e, "/deep/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/deep/", "done", 1);
    assert_page(&e, db, "/deep/x/x/x/", "done", 1);
    assert_page(&e, db, "/deep/x/x/x/x/", "skipped:repeated-segment", 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pages", NULL, NULL), 5);
    assert_int_equal(fixture_total(e.fx), 5); /* robots.txt, 4 pages */
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* With the repeat defence off, max_path_depth 4 stops the same trap: a
 * path has at most four segments (the empty one after a final '/' counts,
 * as slashes are counted by Heritrix), so /deep/x/x/ is fetched and
 * /deep/x/x/x/ is skipped as 'path-depth', never requested. */
static void test_polite_trap_path_depth(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, deep_routes, N(deep_routes), NULL);
    seed[0] = env_url(&e, "/deep/");
    opts_for(&o, seed);
    o.max_repeat = 0;
    o.max_path_depth = 4;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/deep/x/x/", "done", 1);
    assert_page(&e, db, "/deep/x/x/x/", "skipped:path-depth", 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pages", NULL, NULL), 4);
    assert_int_equal(fixture_total(e.fx), 4);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* URLs growing by eleven characters a step are fetched while at most
 * max_url_length (70) long; the first longer one is skipped as
 * 'url-length' and never requested. */
static void test_polite_trap_url_length(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;
    char path[256] = "/long/";
    int fetched = 0;

    (void)state;
    env_start(&e, deep_routes, N(deep_routes), NULL);
    seed[0] = env_url(&e, "/long/");
    opts_for(&o, seed);
    o.max_url_length = 70;
    o.max_repeat = 0;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    while (strlen(fixture_origin(e.fx)) + strlen(path) <= 70) {
        assert_page(&e, db, path, "done", 1);
        size_t len = strlen(path);

        snprintf(path + len, sizeof path - len, "abcdefghij/");
        fetched++;
    }
    assert_true(fetched >= 3);
    assert_page(&e, db, path, "skipped:url-length", 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pages", NULL, NULL),
                     fetched + 1);
    assert_int_equal(fixture_total(e.fx), (unsigned)fetched + 1);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const char QV_LIST[] =
    "<!DOCTYPE html><title>List</title><body>"
    "<a href=\"?p=1\">1</a><a href=\"?p=2\">2</a><a href=\"?p=3\">3</a>"
    "<a href=\"?p=4\">4</a><a href=\"?p=5\">5</a><a href=\"?p=6\">6</a>"
    "<a href=\"?p=7\">7</a><a href=\"?p=8\">8</a><a href=\"?p=9\">9</a>"
    "<a href=\"?p=10\">10</a><a href=\"?p=11\">11</a><a href=\"?p=12\">12</a>"
    "<a href=\"?p=13\">13</a><a href=\"?p=14\">14</a><a href=\"?p=15\">15</a>"
    "<a href=\"?p=16\">16</a><a href=\"?p=17\">17</a><a href=\"?p=18\">18</a>"
    "<a href=\"?p=19\">19</a><a href=\"?p=20\">20</a></body>";

static const struct fixture_route query_routes[] = {
    { .path = "/list*", .body = QV_LIST },
};

/* A page linking to twenty query variants of itself gets the first five
 * (max_query_variants) fetched; the other fifteen are skipped as
 * 'query-variants' and never requested. */
static void test_polite_trap_query_variants(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, query_routes, N(query_routes), NULL);
    seed[0] = env_url(&e, "/list");
    opts_for(&o, seed);
    o.max_query_variants = 5;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/list", "done", 1);
    assert_page(&e, db, "/list?p=1", "done", 1);
    assert_page(&e, db, "/list?p=5", "done", 1);
    assert_page(&e, db, "/list?p=6", "skipped:query-variants", 0);
    assert_page(&e, db, "/list?p=20", "skipped:query-variants", 0);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state = 'done'"
                           " AND url LIKE '%?p=%'",
                           NULL, NULL),
                     5);
    assert_int_equal(
        assert_unrequested(&e, db, "p.reason = 'query-variants'", NULL), 15);
    assert_int_equal(fixture_total(e.fx), 7); /* robots.txt, 6 pages */
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route per_host_routes[] = {
    { .path = "/", .body = HF_INDEX },
    { .path = "/e*", .body = PAGE },
};

/* max_pages_per_host 3 keeps the seed and the first two links it finds;
 * the other six are skipped as 'max-pages-per-host', never requested. */
static void test_polite_trap_pages_per_host(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, per_host_routes, N(per_host_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.max_pages_per_host = 3;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/e1", "done", 1);
    assert_page(&e, db, "/e2", "done", 1);
    assert_page(&e, db, "/e3", "skipped:max-pages-per-host", 0);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state = 'done'",
                           NULL, NULL),
                     3);
    assert_int_equal(
        assert_unrequested(&e, db, "p.reason = 'max-pages-per-host'", NULL), 6);
    assert_int_equal(fixture_total(e.fx), 4);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route calendar_routes[] = {
    { .path = "/trap/*", .kind = FIXTURE_TRAP },
};

/* The endless calendar, entered at /trap/2026/01 with max_depth 4, is cut
 * there: nine months fetched (four each way and the first), the two one
 * step further skipped as 'max-depth' and never requested. */
static void test_polite_trap_calendar(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, calendar_routes, N(calendar_routes), NULL);
    seed[0] = env_url(&e, "/trap/2026/01");
    opts_for(&o, seed);
    o.max_depth = 4;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/trap/2025/09", "done", 1);
    assert_page(&e, db, "/trap/2026/05", "done", 1);
    assert_page(&e, db, "/trap/2025/08", "skipped:max-depth", 0);
    assert_page(&e, db, "/trap/2026/06", "skipped:max-depth", 0);
    assert_page(&e, db, "/events/", "failed:http 404", 1);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state = 'done'"
                           " AND url LIKE '%/trap/%'",
                           NULL, NULL),
                     9);
    assert_int_equal(assert_unrequested(&e, db, "p.state = 'skipped'", NULL),
                     2);
    assert_int_equal(fixture_total(e.fx), 11); /* robots, 9 months, events */
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_polite_robots_rules),
        cmocka_unit_test(test_polite_no_robots),
        cmocka_unit_test(test_polite_delay),
        cmocka_unit_test(test_polite_crawl_delay),
        cmocka_unit_test(test_polite_delay_overrides_crawl_delay),
        cmocka_unit_test(test_polite_retry_after),
        cmocka_unit_test(test_polite_retry_backoff),
        cmocka_unit_test(test_polite_retry_reset_and_recovery),
        cmocka_unit_test(test_polite_host_gives_up),
        cmocka_unit_test(test_polite_trap_repeated_segment),
        cmocka_unit_test(test_polite_trap_path_depth),
        cmocka_unit_test(test_polite_trap_url_length),
        cmocka_unit_test(test_polite_trap_query_variants),
        cmocka_unit_test(test_polite_trap_pages_per_host),
        cmocka_unit_test(test_polite_trap_calendar),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
