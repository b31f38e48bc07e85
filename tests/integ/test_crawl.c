/* Integration tests of the crawl loop on small sites: each test declares a
 * route table, crawls it in-process into a fresh temporary database, and
 * asserts in SQL and in the server's request log what was stored, what was
 * fetched once and what was never fetched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "integ.h"
#include "util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Crawl e's database with o, then check the file is sound. */
static struct crawl_progress crawl_checked(struct env *e,
                                           const struct crawl_opts *o)
{
    struct crawl_progress p = crawl_db(e->db, o);

    assert_db_file_sound(e->db);
    return p;
}

/* A second run on the finished database fetches nothing, requests
 * nothing, and adds one crawls row that says finished. */
static void assert_recrawl_idle(struct env *e, const struct crawl_opts *o)
{
    sqlite3 *db = db_open(e->db);
    int64_t crawls = q_int(db, "SELECT count(*) FROM crawls", NULL, NULL);
    int64_t fetches = q_int(db, "SELECT count(*) FROM fetches", NULL, NULL);
    unsigned total = fixture_total(e->fx);
    struct crawl_progress p;

    sqlite3_close(db);
    p = crawl_checked(e, o);
    assert_int_equal(p.fetched, 0);
    assert_int_equal(fixture_total(e->fx), total);
    db = db_open(e->db);
    assert_int_equal(q_int(db, "SELECT count(*) FROM crawls", NULL, NULL),
                     crawls + 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM fetches", NULL, NULL),
                     fetches);
    q_expect(db,
             "SELECT status || ' ' || fetches FROM crawls"
             " ORDER BY id DESC LIMIT 1",
             NULL, NULL, "finished 0");
    sqlite3_close(db);
}

/* The anchor of the link (from, to, kind): "<none>" when there is no such
 * link, "<null>" when its anchor is NULL. Caller frees. */
static char *link_anchor(sqlite3 *db, const char *from, const char *to,
                         const char *kind)
{
    sqlite3_stmt *q = q_prepare(db,
                                "SELECT coalesce(anchor, '<null>') FROM v_links"
                                " WHERE from_url = ?1 AND to_url = ?2"
                                " AND kind = ?3",
                                from, to);
    char *v;

    sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
    v = strdup(sqlite3_step(q) == SQLITE_ROW
                   ? (const char *)sqlite3_column_text(q, 0)
                   : "<none>");
    sqlite3_finalize(q);
    return v;
}

static void assert_link(struct env *e, sqlite3 *db, const char *from,
                        const char *to, const char *kind, const char *anchor)
{
    char f[512], t[512], *got;

    snprintf(f, sizeof f, "%s%s", fixture_origin(e->fx), from);
    snprintf(t, sizeof t, "%s%s", fixture_origin(e->fx), to);
    got = link_anchor(db, f, t, kind);
    if (strcmp(got, anchor) != 0)
        fail_msg("link %s -> %s (%s): anchor '%s', want '%s'", from, to, kind,
                 got, anchor);
    free(got);
}

/* The state (and reason) of the page at path, and its request count. */
static void assert_page(struct env *e, sqlite3 *db, const char *path,
                        const char *state, unsigned hits)
{
    q_expect(db, SQL_PAGE_STATE, env_url(e, path), NULL, state);
    if (fixture_hits(e->fx, path) != hits)
        fail_msg("'%s' was requested %u times, want %u", path,
                 fixture_hits(e->fx, path), hits);
}

/* Every page has exactly one fetch row and was requested exactly once. */
static void assert_each_fetched_once(struct env *e, sqlite3 *db)
{
    sqlite3_stmt *q = q_prepare(db,
                                "SELECT p.url, (SELECT count(*) FROM fetches f"
                                " WHERE f.page_id = p.id) FROM pages p"
                                " WHERE p.state IN ('done', 'failed')",
                                NULL, NULL);
    size_t olen = strlen(fixture_origin(e->fx));

    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *url = (const char *)sqlite3_column_text(q, 0);

        if (sqlite3_column_int(q, 1) != 1)
            fail_msg("'%s' has %d fetch rows", url, sqlite3_column_int(q, 1));
        if (strncmp(url, fixture_origin(e->fx), olen) == 0 &&
            fixture_hits(e->fx, url + olen) != 1)
            fail_msg("'%s' was requested %u times", url,
                     fixture_hits(e->fx, url + olen));
    }
    sqlite3_finalize(q);
}

static const char LK_INDEX[] =
    "<!DOCTYPE html><html><head><title>Home page</title>"
    "<link rel=\"stylesheet\" href=\"/s.css\">"
    "<script src=\"/s.js\"></script></head><body>"
    "<p><a href=\"/a.html\">Page <b>A</b></a> and <a href=\"b.html\">B</a>"
    " <img src=\"/logo.png\" alt=\"logo\">"
    " <iframe src=\"/frame.html\"></iframe></p></body></html>";
static const char LK_A[] =
    "<!DOCTYPE html><html><head><title>A</title>"
    "<meta http-equiv=\"refresh\" content=\"5; url=/b.html\">"
    "<link rel=\"canonical\" href=\"{{ORIGIN}}/b.html\"></head>"
    "<body><a href=\"/#top\">Home</a></body></html>";
static const char LK_B[] = "<!DOCTYPE html><html><head><title>B</title>"
                           "</head><body><p><a href=\"a.html\">  again\n"
                           "  A </a></p></body></html>";
static const char LK_FRAME[] =
    "<html><body><a href=\"/\">top</a></body></html>";
static const char PNG_BYTES[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";

static const struct fixture_route links_routes[] = {
    { .path = "/", .body = LK_INDEX },
    { .path = "/a.html", .body = LK_A },
    { .path = "/b.html", .body = LK_B },
    { .path = "/frame.html", .body = LK_FRAME },
    { .path = "/s.css",
      .headers = "Content-Type: text/css\n",
      .body = "body { color: #333 }\n" },
    { .path = "/s.js",
      .headers = "Content-Type: text/javascript\n",
      .body = "var x = 1;\n" },
    { .path = "/logo.png",
      .headers = "Content-Type: image/png\n",
      .body = PNG_BYTES,
      .body_len = sizeof PNG_BYTES - 1 },
};

/* Every reachable page is fetched once (one fetch row, one request),
 * robots.txt comes first, every link is stored with its kind and anchor
 * text, the views name URLs, and a second run fetches nothing. */
static void test_crawl_links_and_kinds(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;
    struct crawl_progress p;

    (void)state;
    env_start(&e, links_routes, N(links_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    p = crawl_checked(&e, &o);
    assert_int_equal(p.fetched, 7);
    assert_int_equal(p.done, 7);
    assert_first_request(e.fx, "/robots.txt");
    assert_int_equal(fixture_hits(e.fx, "/robots.txt"), 1);
    assert_int_equal(fixture_total(e.fx), 8);
    db = db_open(e.db);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pages", NULL, NULL), 7);
    assert_int_equal(q_int(db, "SELECT count(*) FROM fetches", NULL, NULL), 7);
    assert_each_fetched_once(&e, db);
    for (size_t i = 0; i < N(links_routes); i++)
        assert_page(&e, db, links_routes[i].path, "done", 1);
    assert_link(&e, db, "/", "/s.css", "link", "<null>");
    assert_link(&e, db, "/", "/s.js", "script", "<null>");
    assert_link(&e, db, "/", "/a.html", "a", "Page A");
    assert_link(&e, db, "/", "/b.html", "a", "B");
    assert_link(&e, db, "/", "/logo.png", "img", "<null>");
    assert_link(&e, db, "/", "/frame.html", "iframe", "<null>");
    assert_link(&e, db, "/a.html", "/b.html", "refresh", "<null>");
    assert_link(&e, db, "/a.html", "/b.html", "canonical", "<null>");
    assert_link(&e, db, "/a.html", "/", "a", "Home");
    assert_link(&e, db, "/b.html", "/a.html", "a", "again A");
    assert_link(&e, db, "/frame.html", "/", "a", "top");
    assert_int_equal(q_int(db, "SELECT count(*) FROM links", NULL, NULL), 11);
    /* The views join ids back to URLs. */
    q_expect(db,
             "SELECT state || ' ' || status || ' ' || title FROM v_pages"
             " WHERE url = ?1",
             env_url(&e, "/"), NULL, "done 200 Home page");
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM v_links WHERE from_url = ?1"
                           " AND to_state = 'done'",
                           env_url(&e, "/"), NULL),
                     6);
    assert_int_equal(q_int(db, "SELECT count(*) FROM v_errors", NULL, NULL), 0);
    q_expect(db, "SELECT status FROM crawls", NULL, NULL, "finished");
    q_expect(db, "SELECT robots_status FROM hosts", NULL, NULL, "404");
    sqlite3_close(db);
    assert_recrawl_idle(&e, &o);
    env_stop(&e);
}

static const struct fixture_route errors_routes[] = {
    { .path = "/",
      .body = "<html><body><a href=\"/missing.html\">gone</a>"
              " <a href=\"/boom\">broken</a>"
              " <a href=\"/ok.html\">fine</a></body></html>" },
    { .path = "/boom",
      .status = 500,
      .body = "<html><body>oops <a href=\"/after-500.html\">x</a>"
              "</body></html>" },
    { .path = "/ok.html", .body = "<html><body>fine</body></html>" },
};

/* A 404 and a 500 are fetches with that status and failed pages with
 * reason 'http 404' and 'http 500', listed by v_errors; an error page's
 * links are not followed. */
static void test_crawl_http_errors(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;
    struct crawl_progress p;

    (void)state;
    env_start(&e, errors_routes, N(errors_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    p = crawl_checked(&e, &o);
    assert_int_equal(p.failed, 2);
    db = db_open(e.db);
    assert_page(&e, db, "/missing.html", "failed:http 404", 1);
    assert_page(&e, db, "/boom", "failed:http 500", 1);
    assert_page(&e, db, "/ok.html", "done", 1);
    assert_int_equal(fixture_hits(e.fx, "/after-500.html"), 0);
    q_expect(db, "SELECT group_concat(status) FROM v_fetches WHERE url = ?1",
             env_url(&e, "/missing.html"), NULL, "404");
    q_expect(db, "SELECT group_concat(status) FROM v_fetches WHERE url = ?1",
             env_url(&e, "/boom"), NULL, "500");
    q_expect(db, "SELECT status || ' ' || error FROM v_errors WHERE url = ?1",
             env_url(&e, "/missing.html"), NULL, "404 http 404");
    q_expect(db, "SELECT status || ' ' || error FROM v_errors WHERE url = ?1",
             env_url(&e, "/boom"), NULL, "500 http 500");
    assert_int_equal(q_int(db, "SELECT count(*) FROM v_errors", NULL, NULL), 2);
    assert_each_fetched_once(&e, db);
    sqlite3_close(db);
    assert_recrawl_idle(&e, &o);
    env_stop(&e);
}

static const struct fixture_route chain_routes[] = {
    { .path = "/", .body = "<a href=\"/start\">start</a>" },
    { .path = "/start",
      .status = 301,
      .headers = "Location: {{ORIGIN}}/r1\n",
      .body = "moved" },
    { .path = "/r1", .status = 302, .headers = "Location: r2\n" },
    { .path = "/r2", .status = 307, .headers = "Location: /final.html\n" },
    { .path = "/final.html", .body = "<title>Final</title><p>here</p>" },
};

/* A redirect chain is recorded hop by hop: a fetch row per hop with its
 * status and redirect_page_id, a 'redirect' link per hop, hops counted,
 * the depth kept, and the final page done; each URL is requested once. */
static void test_crawl_redirect_chain(void **state)
{
    static const char *const hops[][2] = { { "/start", "/r1" },
                                           { "/r1", "/r2" },
                                           { "/r2", "/final.html" } };
    static const char *const status[] = { "301", "302", "307" };
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, chain_routes, N(chain_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    for (size_t i = 0; i < N(hops); i++) {
        q_expect(db,
                 "SELECT f.status FROM fetches f JOIN pages p ON"
                 " p.id = f.page_id JOIN pages r ON r.id = f.redirect_page_id"
                 " WHERE p.url = ?1 AND r.url = ?2",
                 env_url(&e, hops[i][0]), env_url(&e, hops[i][1]), status[i]);
        assert_link(&e, db, hops[i][0], hops[i][1], "redirect", "<null>");
        assert_page(&e, db, hops[i][0], "done", 1);
    }
    assert_page(&e, db, "/final.html", "done", 1);
    q_expect(db, "SELECT depth || ' ' || hops FROM pages WHERE url = ?1",
             env_url(&e, "/final.html"), NULL, "1 3");
    q_expect(db,
             "SELECT count(*) || ' ' || count(redirect_page_id) FROM fetches",
             NULL, NULL, "5 3");
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM links WHERE kind = 'redirect'",
                           NULL, NULL),
                     3);
    assert_each_fetched_once(&e, db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route loop_routes[] = {
    { .path = "/",
      .body = "<a href=\"/loop/a\">loop</a> <a href=\"/c0\">chain</a>" },
    { .path = "/loop/a", .status = 302, .headers = "Location: /loop/b\n" },
    { .path = "/loop/b", .status = 302, .headers = "Location: /loop/a\n" },
    { .path = "/c0", .status = 302, .headers = "Location: /c1\n" },
    { .path = "/c1", .status = 302, .headers = "Location: /c2\n" },
    { .path = "/c2", .status = 302, .headers = "Location: /c3\n" },
    { .path = "/c3", .body = "end" },
};

/* A redirect loop stops with each URL fetched once and both hops linked;
 * a chain longer than max_redirects stops at the limit with the next
 * target skipped as 'redirects' and never requested. */
static void test_crawl_redirect_loop(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, loop_routes, N(loop_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.max_redirects = 2;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/loop/a", "done", 1);
    assert_page(&e, db, "/loop/b", "done", 1);
    assert_link(&e, db, "/loop/a", "/loop/b", "redirect", "<null>");
    assert_link(&e, db, "/loop/b", "/loop/a", "redirect", "<null>");
    assert_page(&e, db, "/c0", "done", 1);
    assert_page(&e, db, "/c1", "done", 1);
    assert_page(&e, db, "/c2", "done", 1);
    assert_page(&e, db, "/c3", "skipped:redirects", 0);
    assert_each_fetched_once(&e, db);
    sqlite3_close(db);
    assert_recrawl_idle(&e, &o);
    env_stop(&e);
}

static const char PDF_BYTES[] =
    "%PDF-1.4\n<a href=\"/secret-pdf.html\">x</a>\n\0\x01\xff\xfe%%EOF\n";
static const char CSV_BYTES[] =
    "name,link\nrye,<a href=\"/secret-csv.html\">rye</a>\n";
static const char PNG_HREF[] =
    "\x89PNG\r\n\x1a\n\0\0<a href=\"/secret-png.html\">\0\xff";

static const struct fixture_route binary_routes[] = {
    { .path = "/",
      .body = "<a href=\"/list.pdf\">pdf</a> <a href=\"/table.csv\">csv</a>"
              " <img src=\"/pic.png\">" },
    { .path = "/list.pdf",
      .headers = "Content-Type: application/pdf\n",
      .body = PDF_BYTES,
      .body_len = sizeof PDF_BYTES - 1 },
    { .path = "/table.csv",
      .headers = "Content-Type: text/csv\n",
      .body = CSV_BYTES },
    { .path = "/pic.png",
      .headers = "Content-Type: image/png\n",
      .body = PNG_HREF,
      .body_len = sizeof PNG_HREF - 1 },
};

/* A non-HTML file is stored as a document with its SHA-256 and exactly its
 * bytes, but is not parsed: no links from it and no text indexed, even
 * when its bytes contain href=... */
static void test_crawl_binary_not_parsed(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, binary_routes, N(binary_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    for (size_t i = 1; i < N(binary_routes); i++) {
        const struct fixture_route *r = &binary_routes[i];
        size_t len = r->body_len ? r->body_len : strlen(r->body);
        char hex[65];
        sqlite3_stmt *q =
            q_prepare(db,
                      "SELECT d.sha256, d.size, d.body,"
                      " (SELECT count(*) FROM links l WHERE"
                      " l.from_page_id = p.id),"
                      " (SELECT count(*) FROM doc_text WHERE rowid = d.id)"
                      " FROM pages p JOIN fetches f ON f.page_id = p.id"
                      " JOIN documents d ON d.id = f.document_id"
                      " WHERE p.url = ?1",
                      env_url(&e, r->path), NULL);

        assert_page(&e, db, r->path, "done", 1);
        sha256_hex(r->body, len, hex);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), hex);
        assert_int_equal(sqlite3_column_int64(q, 1), len);
        assert_int_equal(sqlite3_column_bytes(q, 2), len);
        assert_memory_equal(sqlite3_column_blob(q, 2), r->body, len);
        assert_int_equal(sqlite3_column_int(q, 3), 0);
        assert_int_equal(sqlite3_column_int(q, 4), 0);
        sqlite3_finalize(q);
    }
    assert_int_equal(fixture_hits(e.fx, "/secret-pdf.html"), 0);
    assert_int_equal(fixture_hits(e.fx, "/secret-csv.html"), 0);
    assert_int_equal(fixture_hits(e.fx, "/secret-png.html"), 0);
    assert_int_equal(
        q_int(db, "SELECT count(*) FROM pages WHERE url LIKE '%secret%'", NULL,
              NULL),
        0);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route size_routes[] = {
    { .path = "/",
      .body = "<a href=\"/big.html\">big</a> <a href=\"/exact.html\">exact</a>"
              " <a href=\"/small.html\">small</a>" },
    { .path = "/big.html", .kind = FIXTURE_GENERATED, .gen_bytes = 50000 },
    { .path = "/exact.html", .kind = FIXTURE_GENERATED, .gen_bytes = 10000 },
    { .path = "/small.html", .kind = FIXTURE_GENERATED, .gen_bytes = 9999 },
};

/* A body larger than max_bytes is cut to exactly max_bytes, stored so,
 * flagged truncated with an error naming --max-size and listed in
 * v_errors, while the page counts as done; a body of exactly max_bytes is
 * whole. */
static void test_crawl_max_size(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, size_routes, N(size_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.max_bytes = 10000;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/big.html", "done", 1);
    q_expect(db,
             "SELECT f.length || ' ' || f.truncated || ' ' || d.size || ' ' ||"
             " length(d.body) || ' ' || substr(d.body, 1, 15) FROM fetches f"
             " JOIN pages p ON p.id = f.page_id JOIN documents d"
             " ON d.id = f.document_id WHERE p.url = ?1",
             env_url(&e, "/big.html"), NULL,
             "10000 1 10000 10000 <html><body><p>");
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM v_fetches WHERE url = ?1"
                           " AND error LIKE '%--max-size%'",
                           env_url(&e, "/big.html"), NULL),
                     1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM v_errors WHERE url = ?1",
                           env_url(&e, "/big.html"), NULL),
                     1);
    q_expect(db,
             "SELECT length || ' ' || truncated || ' ' ||"
             " coalesce(error, '-') FROM v_fetches WHERE url = ?1",
             env_url(&e, "/exact.html"), NULL, "10000 0 -");
    q_expect(db,
             "SELECT length || ' ' || truncated FROM v_fetches WHERE url = ?1",
             env_url(&e, "/small.html"), NULL, "9999 0");
    assert_int_equal(q_int(db, "SELECT count(*) FROM v_errors", NULL, NULL), 1);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route robots_routes[] = {
    { .path = "/robots.txt",
      .headers = "Content-Type: text/plain\n",
      .body = "User-agent: *\nDisallow: /private/\n" },
    { .path = "/",
      .body = "<a href=\"/private/a.html\">a</a> <a href=\"/pub.html\">p</a>"
              " <a href=\"/private/\">dir</a> <a href=\"/x1.html\">1</a>"
              " <a href=\"/x2.html\">2</a> <a href=\"/x3.html\">3</a>" },
    { .path = "/pub.html", .body = "<a href=\"/private/b.html\">b</a>" },
    { .path = "/x1.html", .body = "one" },
    { .path = "/x2.html", .body = "two" },
    { .path = "/x3.html", .body = "three" },
    { .path = "/private/*", .body = "secret" },
};

/* robots.txt is fetched once, before any other request, even with many
 * transfers allowed; disallowed pages are skipped with reason 'robots' and
 * never requested, and the rules are kept on the hosts row. */
static void test_crawl_robots(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, robots_routes, N(robots_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.concurrency = 16;
    o.fetch.per_host = 8;
    crawl_checked(&e, &o);
    assert_first_request(e.fx, "/robots.txt");
    assert_int_equal(fixture_hits(e.fx, "/robots.txt"), 1);
    db = db_open(e.db);
    assert_page(&e, db, "/private/a.html", "skipped:robots", 0);
    assert_page(&e, db, "/private/b.html", "skipped:robots", 0);
    assert_page(&e, db, "/private/", "skipped:robots", 0);
    assert_page(&e, db, "/pub.html", "done", 1);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM fetches f JOIN pages p ON"
                           " p.id = f.page_id WHERE p.url LIKE '%/private/%'",
                           NULL, NULL),
                     0);
    q_expect(db,
             "SELECT robots_status || ' ' || CAST(robots_txt AS TEXT) FROM"
             " hosts",
             NULL, NULL, "200 User-agent: *\nDisallow: /private/\n");
    assert_int_equal(fixture_total(e.fx), 6);
    sqlite3_close(db);
    assert_recrawl_idle(&e, &o);
    env_stop(&e);
}

static const struct fixture_route depth_routes[] = {
    { .path = "/", .body = "<a href=\"/d1\">1</a>" },
    { .path = "/d1", .body = "<a href=\"/d2\">2</a>" },
    { .path = "/d2", .body = "<a href=\"/d3\">3</a> <a href=\"/\">0</a>" },
    { .path = "/d3", .body = "<a href=\"/d4\">4</a>" },
    { .path = "/d4", .body = "end" },
};

/* max_depth 2 fetches the seed and two steps of links; the page one step
 * further is skipped as 'max-depth' and never requested, and nothing
 * beyond it is known. */
static void test_crawl_max_depth(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, depth_routes, N(depth_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.max_depth = 2;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/", "done", 1);
    assert_page(&e, db, "/d1", "done", 1);
    assert_page(&e, db, "/d2", "done", 1);
    assert_page(&e, db, "/d3", "skipped:max-depth", 0);
    assert_int_equal(fixture_hits(e.fx, "/d4"), 0);
    q_expect(db, "SELECT depth FROM pages WHERE url = ?1", env_url(&e, "/d3"),
             NULL, "3");
    assert_int_equal(q_int(db, "SELECT count(*) FROM pages", NULL, NULL), 4);
    sqlite3_close(db);
    assert_recrawl_idle(&e, &o);
    env_stop(&e);
}

static const struct fixture_route pages_routes[] = {
    { .path = "/",
      .body = "<a href=\"/p1\">1</a><a href=\"/p2\">2</a><a href=\"/p3\">3</a>"
              "<a href=\"/p4\">4</a><a href=\"/p5\">5</a><a href=\"/p6\">6</a>"
              "<a href=\"/p7\">7</a><a href=\"/p8\">8</a>" },
    { .path = "/p*", .body = "<p>a page</p>" },
};

/* max_pages 4 fetches exactly four pages, leaving the rest queued and
 * unrequested; a run without the limit then fetches each remaining page
 * once. */
static void test_crawl_max_pages(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, pages_routes, N(pages_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.concurrency = 8;
    o.max_pages = 4;
    crawl_checked(&e, &o);
    assert_int_equal(fixture_total(e.fx), 5); /* with robots.txt */
    db = db_open(e.db);
    q_expect(db, "SELECT count(*) FROM fetches", NULL, NULL, "4");
    q_expect(db,
             "SELECT group_concat(state || ' ' || n) FROM (SELECT state,"
             " count(*) AS n FROM pages GROUP BY state ORDER BY state)",
             NULL, NULL, "done 4,queued 5");
    sqlite3_close(db);
    assert_recrawl_idle(&e, &o);
    o.max_pages = 0;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    q_expect(db,
             "SELECT group_concat(state || ' ' || n) FROM (SELECT state,"
             " count(*) AS n FROM pages GROUP BY state ORDER BY state)",
             NULL, NULL, "done 9");
    assert_each_fetched_once(&e, db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route filter_routes[] = {
    { .path = "/",
      .body = "<a href=\"/keep/a.html\">a</a> <a href=\"/keep/old.bak\">b</a>"
              " <a href=\"/other.html\">o</a>" },
    { .path = "/keep/a.html", .body = "<a href=\"/keep/b.html\">b</a>" },
    { .path = "/keep/b.html", .body = "b" },
    { .path = "/keep/old.bak", .body = "old" },
    { .path = "/other.html", .body = "other" },
};

/* include admits only matching URLs and exclude refuses matching ones:
 * the others are skipped as 'include' or 'exclude' and never requested. */
static void test_crawl_include_exclude(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, filter_routes, N(filter_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.include = "/(keep/.*)?$";
    o.exclude = "\\.bak$";
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/", "done", 1);
    assert_page(&e, db, "/keep/a.html", "done", 1);
    assert_page(&e, db, "/keep/b.html", "done", 1);
    assert_page(&e, db, "/keep/old.bak", "skipped:exclude", 0);
    assert_page(&e, db, "/other.html", "skipped:include", 0);
    sqlite3_close(db);
    assert_recrawl_idle(&e, &o);
    env_stop(&e);
}

/* A site whose home page links to another server (another port of the
 * same address) and to a host on the internet. */
struct two_sites {
    struct env e;
    struct fixture *other;
    struct fixture_route routes[3];
    char home[512];
};

static void two_sites_start(struct two_sites *t)
{
    static const struct fixture_route other_routes[] = {
        { .path = "/", .body = "<a href=\"/deeper.html\">deeper</a>" },
        { .path = "/deeper.html", .body = "deeper" },
    };
    struct cdb_err err = { 0 };

    memset(t, 0, sizeof *t);
    t->other = fixture_start(other_routes, N(other_routes), NULL, &err);
    if (!t->other)
        fail_msg("%s", err.msg);
    snprintf(t->home, sizeof t->home,
             "<a href=\"%s/\">other port</a>"
             " <a href=\"http://www.example.org/x\">internet</a>"
             " <a href=\"/docs/a.html\">docs</a> <a href=\"/up.html\">up</a>",
             fixture_origin(t->other));
    t->routes[0] = (struct fixture_route){ .path = "/docs/", .body = t->home };
    t->routes[1] =
        (struct fixture_route){ .path = "/docs/a.html",
                                .body = "<a href=\"sub/b.html\">b</a>" };
    t->routes[2] = (struct fixture_route){ .path = "/*", .body = "leaf" };
    env_start(&t->e, t->routes, N(t->routes), NULL);
}

static void two_sites_stop(struct two_sites *t)
{
    fixture_stop(t->other);
    env_stop(&t->e);
}

/* Host scope stores links to another port and another host as pages
 * skipped with reason 'scope' and never requests them. */
static void test_crawl_scope_host(void **state)
{
    struct two_sites t;
    struct crawl_opts o;
    const char *seed[1];
    char other[512];
    sqlite3 *db;

    (void)state;
    two_sites_start(&t);
    seed[0] = env_url(&t.e, "/docs/");
    opts_for(&o, seed);
    crawl_checked(&t.e, &o);
    assert_int_equal(fixture_total(t.other), 0);
    snprintf(other, sizeof other, "%s/", fixture_origin(t.other));
    db = db_open(t.e.db);
    q_expect(db, SQL_PAGE_STATE, other, NULL, "skipped:scope");
    q_expect(db, SQL_PAGE_STATE, "http://www.example.org/x", NULL,
             "skipped:scope");
    assert_page(&t.e, db, "/up.html", "done", 1);
    assert_page(&t.e, db, "/docs/sub/b.html", "done", 1);
    assert_int_equal(
        q_int(db,
              "SELECT count(*) FROM links WHERE to_page_id IN (SELECT id"
              " FROM pages WHERE reason = 'scope')",
              NULL, NULL),
        2);
    sqlite3_close(db);
    two_sites_stop(&t);
}

/* Domain scope of an IP-address seed admits the same address on any port
 * (the other server is crawled, robots.txt first) but no other host. */
static void test_crawl_scope_domain(void **state)
{
    struct two_sites t;
    struct crawl_opts o;
    const char *seed[1];
    char other[512];
    sqlite3 *db;

    (void)state;
    two_sites_start(&t);
    seed[0] = env_url(&t.e, "/docs/");
    opts_for(&o, seed);
    o.scope = URL_SCOPE_DOMAIN;
    crawl_checked(&t.e, &o);
    assert_first_request(t.other, "/robots.txt");
    assert_int_equal(fixture_hits(t.other, "/"), 1);
    assert_int_equal(fixture_hits(t.other, "/deeper.html"), 1);
    snprintf(other, sizeof other, "%s/deeper.html", fixture_origin(t.other));
    db = db_open(t.e.db);
    q_expect(db, SQL_PAGE_STATE, other, NULL, "done");
    q_expect(db, SQL_PAGE_STATE, "http://www.example.org/x", NULL,
             "skipped:scope");
    assert_int_equal(q_int(db, "SELECT count(*) FROM hosts", NULL, NULL), 3);
    sqlite3_close(db);
    two_sites_stop(&t);
}

/* Prefix scope keeps the crawl below the seed's directory: a page above it
 * on the same server is skipped as 'scope' and never requested. */
static void test_crawl_scope_prefix(void **state)
{
    struct two_sites t;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    two_sites_start(&t);
    seed[0] = env_url(&t.e, "/docs/");
    opts_for(&o, seed);
    o.scope = URL_SCOPE_PREFIX;
    crawl_checked(&t.e, &o);
    assert_int_equal(fixture_total(t.other), 0);
    db = db_open(t.e.db);
    assert_page(&t.e, db, "/docs/a.html", "done", 1);
    assert_page(&t.e, db, "/docs/sub/b.html", "done", 1);
    assert_page(&t.e, db, "/up.html", "skipped:scope", 0);
    sqlite3_close(db);
    assert_recrawl_idle(&t.e, &o);
    two_sites_stop(&t);
}

/* With two seeds, a URL is in scope when it is in either seed's: /a/ and
 * /b/ under prefix scope admit /b/x.html, linked from /a/, and not /c/. */
static void test_crawl_scope_two_seeds(void **state)
{
    static const struct fixture_route routes[] = {
        { .path = "/a/",
          .body = "<a href=\"/b/x.html\">b</a> <a href=\"/c/y.html\">c</a>" },
        { .path = "/b/", .body = "b" },
        { .path = "/*", .body = "leaf" },
    };
    struct env e;
    struct crawl_opts o;
    const char *seed[2];
    sqlite3 *db;

    (void)state;
    env_start(&e, routes, N(routes), NULL);
    seed[0] = env_url(&e, "/a/");
    seed[1] = env_url(&e, "/b/");
    opts_for(&o, seed);
    o.n_seeds = 2;
    o.scope = URL_SCOPE_PREFIX;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/b/x.html", "done", 1);
    assert_page(&e, db, "/c/y.html", "skipped:scope", 0);
    sqlite3_close(db);
    env_stop(&e);
}

static const char SAME_HTML[] =
    "<!DOCTYPE html><html><head><title>Twin</title></head>"
    "<body><p>The same bytes twice.</p></body></html>";

static const struct fixture_route same_routes[] = {
    { .path = "/",
      .body = "<a href=\"/x.html\">x</a> <a href=\"/copy/x.html\">copy</a>"
              " <img src=\"/a.png\"> <img src=\"/b.png\">" },
    { .path = "/x.html", .body = SAME_HTML },
    { .path = "/copy/x.html", .body = SAME_HTML },
    { .path = "/a.png",
      .headers = "Content-Type: image/png\n",
      .body = PNG_BYTES,
      .body_len = sizeof PNG_BYTES - 1 },
    { .path = "/b.png",
      .headers = "Content-Type: image/png\n",
      .body = PNG_BYTES,
      .body_len = sizeof PNG_BYTES - 1 },
};

/* The same bytes served at two URLs are stored once: both fetch rows point
 * at one documents row, and its text is indexed once. */
static void test_crawl_same_bytes_once(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;
    const char *same = "SELECT count(DISTINCT f.document_id) || ' ' ||"
                       " count(*) FROM fetches f JOIN pages p ON"
                       " p.id = f.page_id WHERE p.url IN (?1, ?2)";

    (void)state;
    env_start(&e, same_routes, N(same_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    q_expect(db, same, env_url(&e, "/x.html"), env_url(&e, "/copy/x.html"),
             "1 2");
    q_expect(db, same, env_url(&e, "/a.png"), env_url(&e, "/b.png"), "1 2");
    assert_int_equal(q_int(db, "SELECT count(*) FROM documents", NULL, NULL),
                     3);
    assert_int_equal(q_int(db, "SELECT count(*) FROM doc_text", NULL, NULL), 2);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM doc_text WHERE title = 'Twin'",
                           NULL, NULL),
                     1);
    assert_each_fetched_once(&e, db);
    sqlite3_close(db);
    env_stop(&e);
}

/* One body at several URLs (see same_links() in crawl.c). */
#define SB_P                                                                   \
    "<html><head><title>Pee</title>"                                           \
    "<meta name=\"robots\" content=\"noindex\"></head><body>"                  \
    "<a href=\"a.html\">a</a> <a href=\"/b.html\" rel=\"nofollow\">b</a>"      \
    " <a href=\"?v=2\">two</a> <a href=\"a.html\">again</a>"                   \
    " <a href=\"mailto:x@example.com\">mail</a></body></html>"
/* The link to ?v=3 first: there it is the first link to the page itself. */
#define SB_S "<a href=\"?v=3\">three</a> <a href=\"#top\">top</a>"
/* A link to its own URL, not fragment-only: at ?v=7 it leads to ?v=6. */
#define SB_L "<a href=\"?v=6\">me</a> <a href=\"#top\">top</a>"
/* "#top" against a <base> that names this URL: at ?v=9 it leads to ?v=8. */
#define SB_B                                                                   \
    "<base href=\"/b.html?v=8\"><a href=\"#top\">top</a>"                      \
    " <a href=\"x.html\">x</a>"
/* Against a fragment-only <base>: each page's own URL. */
#define SB_F                                                                   \
    "<base href=\"#b\"><a href=\"#top\">top</a> <a href=\"z.html\">z</a>"
#define SB_H "<a href=\"?v=4\">four</a> <a href=\"h2.html\">h2</a>"
#define SB_X "<a href=\"y.html\">y</a>"
/* "café" in UTF-8; in ISO-8859-1 the two bytes of the é are two letters */
#define SB_C "<a href=\"?v=5\">caf\xc3\xa9</a>"
static const struct fixture_route same_body_routes[] = {
    { .path = "/",
      .body = "<a href=\"/p.html\">p</a> <a href=\"/s.html\">s</a>"
              " <a href=\"/h.html\">h</a> <a href=\"/d1/x.html\">x</a>"
              " <a href=\"/k.html\">k</a> <a href=\"/c.html\">c</a>"
              " <a href=\"/l.html?v=6\">l</a> <a href=\"/b.html?v=8\">b</a>"
              " <a href=\"/f.html\">f</a>" },
    { .path = "/l.html?v=6", .body = SB_L "<a href=\"?v=7\">7</a>" },
    { .path = "/l.html?v=7", .body = SB_L "<a href=\"?v=7\">7</a>" },
    { .path = "/b.html?v=8", .body = SB_B "<a href=\"/b.html?v=9\">9</a>" },
    { .path = "/b.html?v=9", .body = SB_B "<a href=\"/b.html?v=9\">9</a>" },
    { .path = "/f.html", .body = SB_F "<a href=\"?v=10\">10</a>" },
    { .path = "/f.html?v=10", .body = SB_F "<a href=\"?v=10\">10</a>" },
    { .path = "/p.html", .body = SB_P },
    { .path = "/p.html?v=2", .body = SB_P },
    { .path = "/s.html", .body = SB_S },
    { .path = "/s.html?v=3", .body = SB_S },
    { .path = "/h.html", .body = SB_H },
    { .path = "/h.html?v=4",
      .headers = "X-Robots-Tag: nofollow\n",
      .body = SB_H },
    { .path = "/d1/x.html", .body = SB_X },
    { .path = "/k.html", .body = "<a href=\"/d2/x.html\">x2</a>" },
    { .path = "/d2/x.html", .body = SB_X },
    { .path = "/c.html",
      .headers = "Content-Type: text/html; charset=iso-8859-1\n",
      .body = SB_C },
    { .path = "/c.html?v=5",
      .headers = "Content-Type: text/html; charset=UTF-8\n",
      .body = SB_C },
    { .path = "/*", .body = "leaf" },
};

/* The links of page b (path) that page a (path) does not have, as
 * "to kind anchor nofollow" lines; "" when none. */
static char *links_missing(struct env *e, sqlite3 *db, const char *a,
                           const char *b)
{
    sqlite3_stmt *q = q_prepare(
        db,
        "SELECT coalesce(group_concat(x, ' | '), '') FROM ("
        " SELECT to_url || ' ' || kind || ' ' || coalesce(anchor, '-') ||"
        " ' ' || nofollow AS x FROM v_links WHERE from_url = ?2"
        " EXCEPT SELECT to_url || ' ' || kind || ' ' ||"
        " coalesce(anchor, '-') || ' ' || nofollow FROM v_links"
        " WHERE from_url = ?1)",
        NULL, NULL);
    char *v;

    sqlite3_bind_text(q, 1, env_url(e, a), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, env_url(e, b), -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    v = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return v;
}

/* A page with the body of an earlier page whose URL differs only in the
 * query is not parsed again: it gets that page's links, noindex and
 * refused count, a fragment-only link ("#top", also against a fragment-
 * only <base>) leading it to itself. Not when the earlier page links to
 * itself otherwise (by its URL, or by "#top" against a <base> naming it),
 * nor when the response says nofollow, nor from another directory, nor in
 * another charset: those are parsed, and every page ends with the links
 * its own parse gives. */
static void test_crawl_same_body_links(void **state)
{
    static const char flags[] =
        "SELECT f.noindex || ' ' || f.links_refused FROM fetches f"
        " JOIN pages p ON p.id = f.page_id WHERE p.url = ?1";
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct crawl_progress p;
    sqlite3 *db;
    char *diff;

    (void)state;
    env_start(&e, same_body_routes, N(same_body_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    p = crawl_checked(&e, &o);
    /* /p.html?v=2, /s.html?v=3 and /f.html?v=10: each is found on the page
     * with its body, so after that page's links are stored. */
    assert_int_equal(p.same_body, 3);
    db = db_open(e.db);
    diff = links_missing(&e, db, "/p.html", "/p.html?v=2");
    assert_string_equal(diff, "");
    free(diff);
    diff = links_missing(&e, db, "/p.html?v=2", "/p.html");
    assert_string_equal(diff, "");
    free(diff);
    assert_link(&e, db, "/p.html?v=2", "/a.html", "a", "a");
    assert_link(&e, db, "/p.html?v=2", "/p.html?v=2", "a", "two");
    q_expect(db, flags, env_url(&e, "/p.html?v=2"), NULL, "1 1");
    q_expect(db, flags, env_url(&e, "/p.html"), NULL, "1 1");
    /* "#top" leads each page to itself. */
    assert_link(&e, db, "/s.html", "/s.html", "a", "top");
    assert_link(&e, db, "/s.html?v=3", "/s.html?v=3", "a", "three");
    assert_link(&e, db, "/s.html?v=3", "/s.html", "a", "<none>");
    /* "?v=3" and "#top" both lead /s.html?v=3 to itself: one link, the
     * first one's, as its own parse keeps. */
    q_expect(db, "SELECT group_concat(anchor) FROM v_links WHERE from_url = ?1",
             env_url(&e, "/s.html?v=3"), NULL, "three");
    assert_link(&e, db, "/f.html", "/f.html", "a", "top");
    assert_link(&e, db, "/f.html?v=10", "/f.html?v=10", "a", "top");
    assert_link(&e, db, "/f.html?v=10", "/f.html", "a", "<none>");
    assert_link(&e, db, "/f.html?v=10", "/z.html", "a", "z");
    /* Parsed: their links to ?v=6 and ?v=8 stay so. */
    assert_link(&e, db, "/l.html?v=7", "/l.html?v=6", "a", "me");
    assert_link(&e, db, "/l.html?v=7", "/l.html?v=7", "a", "top");
    assert_link(&e, db, "/l.html?v=6", "/l.html?v=6", "a", "me");
    assert_link(&e, db, "/b.html?v=9", "/b.html?v=8", "a", "top");
    assert_link(&e, db, "/b.html?v=9", "/b.html?v=9", "a", "9");
    assert_link(&e, db, "/b.html?v=8", "/b.html?v=8", "a", "top");
    /* Relative links resolve in the page's own directory. */
    assert_link(&e, db, "/d2/x.html", "/d2/y.html", "a", "y");
    assert_link(&e, db, "/d2/x.html", "/d1/y.html", "a", "<none>");
    assert_link(&e, db, "/h.html?v=4", "/h2.html", "a", "h2");
    assert_link(&e, db, "/c.html", "/c.html?v=5", "a", "caf\xc3\x83\xc2\xa9");
    assert_link(&e, db, "/c.html?v=5", "/c.html?v=5", "a", "caf\xc3\xa9");
    q_expect(db,
             "SELECT nofollow FROM fetches f JOIN pages p ON"
             " p.id = f.page_id WHERE p.url = ?1",
             env_url(&e, "/h.html?v=4"), NULL, "1");
    assert_each_fetched_once(&e, db);
    sqlite3_close(db);
    env_stop(&e);
}

/* A page skipped as nofollow is followed from a later link that may be
 * followed: judged at the depth of the page that links to it. Here
 * /list?p=1 (depth 1, tried again after a 503) has the body of /list?p=2
 * (depth 2, done first), whose link to /t.html is past --max-depth 2; from
 * /list?p=1 it is not, so /list?p=1 is parsed, not given /list?p=2's
 * links, and /t.html is fetched. */
static const struct fixture_route same_depth_routes[] = {
    { .path = "/",
      .body = "<a rel=nofollow href=\"/t.html\">t</a>"
              " <a href=\"/deep.html\">deep</a> <a href=\"/list?p=1\">1</a>" },
    { .path = "/deep.html", .body = "<a href=\"/list?p=2\">2</a>" },
    { .path = "/list?p=1",
      .body = "<a href=\"/t.html\">t</a>",
      .fail_first = 1 },
    { .path = "/list?p=2", .body = "<a href=\"/t.html\">t</a>" },
    { .path = "/t.html", .body = "leaf" },
};

static void test_crawl_same_body_depth(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct crawl_progress p;
    sqlite3 *db;

    (void)state;
    env_start(&e, same_depth_routes, N(same_depth_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.obey_rel_nofollow = true;
    o.max_depth = 2;
    o.retries = 1;
    o.retry_base_ms = 300;
    p = crawl_checked(&e, &o);
    assert_int_equal(p.same_body, 0);
    db = db_open(e.db);
    assert_page(&e, db, "/list?p=2", "done", 1);
    assert_page(&e, db, "/list?p=1", "done", 2);
    assert_page(&e, db, "/t.html", "done", 1);
    assert_link(&e, db, "/list?p=1", "/t.html", "a", "t");
    sqlite3_close(db);
    env_stop(&e);
}

/* A page's fragment-only links take as many bytes as its URL in the
 * worker's packed links: at a URL of 2 KB, /big.html's 17,000 "#x" links
 * pass the 32 MiB that its own short URL keeps them under, so the page at
 * that URL is parsed, not lent /big.html's links: its cut is counted, and
 * the long link after the "#x" ones is not among its links. */
static void test_crawl_same_body_room(void **state)
{
    enum { OWN = 17000, QUERY = 1990 };
    struct fixture_route routes[] = {
        { .path = "/", .body = "<a href=\"/big.html\">big</a>" },
        { .path = "/big.html", .body = NULL },
        { .path = "/*", .body = NULL },
    };
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct crawl_progress p;
    struct buf body;
    sqlite3 *db;

    (void)state;
    buf_init(&body, 1 << 20);
    buf_adds(&body, "<a href=\"?q=");
    for (int i = 0; i < QUERY; i++)
        buf_adds(&body, "a");
    buf_adds(&body, "\">long</a>");
    for (int i = 0; i < OWN; i++)
        buf_adds(&body, "<a href=#x></a>");
    buf_adds(&body, "<a href=\"/last-"); /* too long for what room is left */
    for (int i = 0; i < QUERY; i++)
        buf_adds(&body, "z");
    buf_adds(&body, ".html\">last</a>");
    routes[1].body = body.data;
    routes[2].body = body.data; /* /big.html?q=..., and leaves */
    env_start(&e, routes, N(routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.max_depth = 2;
    p = crawl_checked(&e, &o);
    assert_int_equal(p.same_body, 0);
    db = db_open(e.db);
    /* The long page: its own parse's cut, and not the link after it. */
    q_expect(db,
             "SELECT (f.links_refused > 0) || ' ' || (SELECT count(*) FROM"
             " links l JOIN pages t ON t.id = l.to_page_id WHERE"
             " l.from_page_id = p.id AND t.url LIKE '%/last-z%')"
             " FROM fetches f JOIN pages p ON p.id = f.page_id"
             " WHERE p.url LIKE '%/big.html?q=%'",
             NULL, NULL, "1 0");
    q_expect(db,
             "SELECT f.links_refused || ' ' || (SELECT count(*) FROM"
             " links l JOIN pages t ON t.id = l.to_page_id WHERE"
             " l.from_page_id = p.id AND t.url LIKE '%/last-z%')"
             " FROM fetches f JOIN pages p ON p.id = f.page_id"
             " WHERE p.url = ?1",
             env_url(&e, "/big.html"), NULL, "0 1");
    sqlite3_close(db);
    buf_release(&body);
    env_stop(&e);
}

/* A page at a URL longer than URL_MAX_REF resolves none of its references
 * (url_canon() refuses such a base), so it is parsed, not lent the links of
 * a page of the same body at a shorter URL: /AAAA/p.html (5,000 "a"s) is
 * reached by a reference of 5,010 bytes and links to "?q=" and 4,000 "b"s,
 * 9,027 bytes once resolved; that page gets no links and two refused. */
static void test_crawl_same_body_long_url(void **state)
{
    enum { PATH = 5000, QUERY = 4000 };
    struct fixture_route routes[] = {
        { .path = "/", .body = NULL },
        { .path = "/*", .body = NULL },
    };
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct crawl_progress p;
    struct buf root, body;
    sqlite3 *db;

    (void)state;
    buf_init(&root, 1 << 16);
    buf_init(&body, 1 << 16);
    buf_adds(&root, "<a href=\"/");
    for (int i = 0; i < PATH; i++)
        buf_adds(&root, "a");
    buf_adds(&root, "/p.html\">p</a>");
    buf_adds(&body, "<a href=\"?q=");
    for (int i = 0; i < QUERY; i++)
        buf_adds(&body, "b");
    buf_adds(&body, "\">q</a> <a href=\"leaf.html\">leaf</a>");
    routes[0].body = root.data;
    routes[1].body = body.data;
    env_start(&e, routes, N(routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.max_depth = 2;
    o.max_url_length = 0; /* off: the default of 2,048 skips both pages */
    p = crawl_checked(&e, &o);
    assert_int_equal(p.same_body, 0);
    db = db_open(e.db);
    /* The short page: both links; the long one: none, both refused. */
    q_expect(db,
             "SELECT f.status || ':' || f.links_refused || ':' || (SELECT"
             " count(*) FROM links l WHERE l.from_page_id = p.id)"
             " FROM pages p JOIN fetches f ON f.page_id = p.id"
             " WHERE p.url LIKE '%/p.html'",
             NULL, NULL, "200:0:2");
    q_expect(db,
             "SELECT (length(p.url) > 8192) || ':' || f.status || ':' ||"
             " f.links_refused || ':' || (SELECT count(*) FROM links l"
             " WHERE l.from_page_id = p.id)"
             " FROM pages p JOIN fetches f ON f.page_id = p.id"
             " WHERE p.url LIKE '%/p.html?q=%'",
             NULL, NULL, "1:200:2:0");
    sqlite3_close(db);
    buf_release(&root);
    buf_release(&body);
    env_stop(&e);
}

/* A page an earlier run found may still hold that run's links: a
 * --recrawl puts its pages back in the queue, and one stopped and
 * continued without --recrawl fetches them again but marks nothing gone.
 * Such a page does not lend its links: /p.html?v=2, new in the second run,
 * has the body /p.html has now and gets only the links of that body. */
static void test_crawl_same_body_earlier_run(void **state)
{
    static const char old_body[] = "<a href=\"/old.html\">old</a>";
    static const char new_body[] =
        "<a href=\"/new.html\">new</a> <a href=\"?v=2\">two</a>";
    struct fixture_route routes[] = {
        { .path = "/", .body = "<a href=\"/p.html\">p</a>" },
        { .path = "/p.html", .body = old_body },
        { .path = "/p.html?v=2", .body = new_body },
        { .path = "/*", .body = "leaf" },
    };
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct crawl_progress p;
    sqlite3 *db;

    (void)state;
    env_start(&e, routes, N(routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    /* What a --recrawl does first, and then the page changes. */
    routes[1].body = new_body;
    db = db_open(e.db);
    assert_int_equal(
        sqlite3_exec(db,
                     "UPDATE pages SET state = 'queued', reason = NULL"
                     " WHERE url LIKE '%/p.html'",
                     NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_close(db);
    p = crawl_checked(&e, &o);
    assert_int_equal(p.same_body, 0);
    db = db_open(e.db);
    assert_link(&e, db, "/p.html", "/old.html", "a", "old");
    assert_link(&e, db, "/p.html", "/new.html", "a", "new");
    assert_link(&e, db, "/p.html?v=2", "/new.html", "a", "new");
    assert_link(&e, db, "/p.html?v=2", "/old.html", "a", "<none>");
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route text_routes[] = {
    { .path = "/",
      .body = "<!DOCTYPE html><html><head><title>Bakery home</title></head>"
              "<body><h1>Welcome</h1><p>Fresh bread daily.</p>"
              "<a href=\"/rye.html\">Rye</a></body></html>" },
    { .path = "/rye.html",
      .body = "<!DOCTYPE html><html><head><title>Rye bread recipe</title>"
              "<style>p { caraway: none }</style></head><body><h1>Rye</h1>"
              "<p>Dark rye with <b>caraway</b> seeds.</p>"
              "<script>var hidden = 'pumpernickel';</script></body></html>" },
};

/* doc_text holds the title and visible text of each HTML document, and an
 * FTS MATCH on a word of a page's body finds that page's URL (but not on
 * words of its scripts). */
static void test_crawl_full_text(void **state)
{
    static const char match[] =
        "SELECT group_concat(p.url) FROM doc_text t JOIN fetches f ON"
        " f.document_id = t.rowid JOIN pages p ON p.id = f.page_id"
        " WHERE doc_text MATCH ?1";
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, text_routes, N(text_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    q_expect(db, match, "caraway", NULL, env_url(&e, "/rye.html"));
    q_expect(db, match, "title:recipe", NULL, env_url(&e, "/rye.html"));
    q_expect(db, match, "fresh", NULL, env_url(&e, "/"));
    q_expect(db, match, "pumpernickel", NULL, NULL);
    q_expect(db,
             "SELECT t.title || ' | ' || t.text FROM doc_text t JOIN fetches f"
             " ON f.document_id = t.rowid JOIN pages p ON p.id = f.page_id"
             " WHERE p.url = ?1",
             env_url(&e, "/rye.html"), NULL,
             "Rye bread recipe | Rye Dark rye with caraway seeds.");
    q_expect(db, "SELECT title FROM v_pages WHERE url = ?1",
             env_url(&e, "/rye.html"), NULL, "Rye bread recipe");
    sqlite3_close(db);
    env_stop(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crawl_links_and_kinds),
        cmocka_unit_test(test_crawl_http_errors),
        cmocka_unit_test(test_crawl_redirect_chain),
        cmocka_unit_test(test_crawl_redirect_loop),
        cmocka_unit_test(test_crawl_binary_not_parsed),
        cmocka_unit_test(test_crawl_max_size),
        cmocka_unit_test(test_crawl_robots),
        cmocka_unit_test(test_crawl_max_depth),
        cmocka_unit_test(test_crawl_max_pages),
        cmocka_unit_test(test_crawl_include_exclude),
        cmocka_unit_test(test_crawl_scope_host),
        cmocka_unit_test(test_crawl_scope_domain),
        cmocka_unit_test(test_crawl_scope_prefix),
        cmocka_unit_test(test_crawl_scope_two_seeds),
        cmocka_unit_test(test_crawl_same_bytes_once),
        cmocka_unit_test(test_crawl_same_body_links),
        cmocka_unit_test(test_crawl_same_body_depth),
        cmocka_unit_test(test_crawl_same_body_earlier_run),
        cmocka_unit_test(test_crawl_same_body_room),
        cmocka_unit_test(test_crawl_same_body_long_url),
        cmocka_unit_test(test_crawl_full_text),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
