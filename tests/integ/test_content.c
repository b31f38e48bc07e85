/* Integration tests of what the crawler reads in what it fetches: sitemaps
 * (named by robots.txt, indexes, gzip, the /sitemap.xml probe), robots
 * directives of pages and headers (meta robots, X-Robots-Tag, rel=nofollow,
 * rel=canonical), and pages in legacy encodings, whose text must reach the
 * database as UTF-8. Each test declares a route table, crawls it in-process
 * into a fresh database, and asserts in SQL and in the server's request log
 * what was found, fetched and never requested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <zlib.h>

#include "integ.h"
#include "polite.h"

static const char PAGE[] = "<!DOCTYPE html><title>page</title><p>a page</p>";

/* gzip in[0..len) into out (cap bytes); returns the compressed length. */
static size_t gzip_bytes(const char *in, size_t len, unsigned char *out,
                         size_t cap)
{
    z_stream z = { 0 };
    size_t n;

    assert_int_equal(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED,
                                  16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in; /* zlib's input is not const */
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

static const char SM_ROBOTS[] = "User-agent: *\n"
                                "Disallow: /private/\n"
                                "Sitemap: {{ORIGIN}}/sm-index.xml\n";

static const char SM_INDEX[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    "<sitemap><loc>{{ORIGIN}}/sm-plain.xml</loc></sitemap>\n"
    "<sitemap><loc>{{ORIGIN}}/sm-gz.xml.gz</loc></sitemap>\n"
    "</sitemapindex>\n";

static const char SM_PLAIN[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    "<url><loc>{{ORIGIN}}/only-plain.html</loc>"
    "<lastmod>2026-03-01</lastmod></url>\n"
    "<url><loc>http://elsewhere.invalid/page.html</loc></url>\n"
    "<url><loc>{{ORIGIN}}/private/listed.html</loc></url>\n"
    "</urlset>\n";

/* Compressed in the test: the server only substitutes in plain bodies. */
static const char SM_GZ_FMT[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    "<url><loc>%s/only-gz.html</loc>"
    "<lastmod>2026-07-15T10:00:00+00:00</lastmod></url>\n"
    "</urlset>\n";

enum { SM_GZ_ROUTE = 3 };
static struct fixture_route sitemap_routes[] = {
    { .path = "/robots.txt",
      .headers = "Content-Type: text/plain\n",
      .body = SM_ROBOTS },
    { .path = "/sm-index.xml",
      .headers = "Content-Type: application/xml\n",
      .body = SM_INDEX },
    { .path = "/sm-plain.xml",
      .headers = "Content-Type: application/xml\n",
      .body = SM_PLAIN },
    { .path = "/sm-gz.xml.gz", /* body set by the test */
      .headers = "Content-Type: application/gzip\n" },
    { .path = "/", .body = "<!DOCTYPE html><title>Home</title><p>home</p>" },
    { .path = "/*", .body = PAGE },
};

/* The Sitemap: line of robots.txt leads to an index, which lists a plain
 * and a gzip-compressed sitemap: the pages only listed there are found
 * (links of kind 'sitemap', lastmod kept) and fetched, a listed page that
 * robots.txt disallows is skipped as 'robots', a loc on another host as
 * 'scope'; /sitemap.xml is not probed when robots.txt names sitemaps. */
static void test_content_sitemaps(void **state)
{
    static const char link[] =
        "SELECT count(*) FROM v_links WHERE from_url = ?1 AND to_url = ?2"
        " AND kind = 'sitemap'";
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    char xml[1024];
    unsigned char gz[1024];
    sqlite3 *db;

    (void)state;
    env_start(&e, sitemap_routes, N(sitemap_routes), NULL);
    snprintf(xml, sizeof xml, SM_GZ_FMT, fixture_origin(e.fx));
    sitemap_routes[SM_GZ_ROUTE].body = (const char *)gz;
    sitemap_routes[SM_GZ_ROUTE].body_len =
        gzip_bytes(xml, strlen(xml), gz, sizeof gz);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.sitemaps = true;
    crawl_checked(&e, &o);
    sitemap_routes[SM_GZ_ROUTE].body = NULL;
    db = db_open(e.db);
    assert_page(&e, db, "/sm-index.xml", "done", 1);
    assert_page(&e, db, "/sm-plain.xml", "done", 1);
    assert_page(&e, db, "/sm-gz.xml.gz", "done", 1);
    assert_page(&e, db, "/only-plain.html", "done", 1);
    assert_page(&e, db, "/only-gz.html", "done", 1);
    assert_page(&e, db, "/private/listed.html", "skipped:robots", 0);
    assert_int_equal(fixture_hits(e.fx, "/sitemap.xml"), 0);
    q_expect(db, SQL_PAGE_STATE, "http://elsewhere.invalid/page.html", NULL,
             "skipped:scope");
    assert_int_equal(assert_unrequested(&e, db, "p.state = 'skipped'", NULL),
                     2);
    assert_int_equal(q_int(db, link, env_url(&e, "/sm-index.xml"),
                           env_url(&e, "/sm-plain.xml")),
                     1);
    assert_int_equal(q_int(db, link, env_url(&e, "/sm-index.xml"),
                           env_url(&e, "/sm-gz.xml.gz")),
                     1);
    assert_int_equal(q_int(db, link, env_url(&e, "/sm-plain.xml"),
                           env_url(&e, "/only-plain.html")),
                     1);
    assert_int_equal(q_int(db, link, env_url(&e, "/sm-gz.xml.gz"),
                           env_url(&e, "/only-gz.html")),
                     1);
    q_expect(db, "SELECT lastmod FROM pages WHERE url = ?1",
             env_url(&e, "/only-plain.html"), NULL, "2026-03-01");
    q_expect(db, "SELECT lastmod FROM pages WHERE url = ?1",
             env_url(&e, "/only-gz.html"), NULL, "2026-07-15T10:00:00+00:00");
    q_expect(db,
             "SELECT group_concat(sitemap, '') FROM (SELECT sitemap FROM pages"
             " WHERE url LIKE '%/sm-%' ORDER BY url)",
             NULL, NULL, "111");
    /* Sitemaps are not documents to index, and not HTML to parse. */
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM links WHERE kind <> 'sitemap'",
                           NULL, NULL),
                     0);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* With sitemaps off, robots.txt's Sitemap: line is ignored: no sitemap is
 * requested, and pages only listed there are unknown. */
static void test_content_sitemaps_off(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, sitemap_routes, N(sitemap_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    assert_false(o.sitemaps);
    crawl_checked(&e, &o);
    assert_int_equal(fixture_hits(e.fx, "/sm-index.xml"), 0);
    assert_int_equal(fixture_hits(e.fx, "/sitemap.xml"), 0);
    assert_int_equal(fixture_total(e.fx), 2); /* robots.txt and / */
    db = db_open(e.db);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pages", NULL, NULL), 1);
    assert_int_equal(
        q_int(db, "SELECT json_extract(options, '$.sitemaps') FROM crawls",
              NULL, NULL),
        0);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route probe_routes[] = {
    { .path = "/robots.txt",
      .headers = "Content-Type: text/plain\n",
      .body = "User-agent: *\nDisallow: /private/\n" },
    { .path = "/", .body = "<!DOCTYPE html><a href=\"/a.html\">a</a>" },
    { .path = "/a.html", .body = PAGE },
};

/* A robots.txt without Sitemap: lines makes the crawler probe /sitemap.xml
 * once; its 404 is 'skipped' as 'no sitemap', not a failure. */
static void test_content_sitemap_probe(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, probe_routes, N(probe_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.sitemaps = true;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/sitemap.xml", "skipped:no sitemap", 1);
    assert_page(&e, db, "/a.html", "done", 1);
    q_expect(db, "SELECT sitemap FROM pages WHERE url = ?1",
             env_url(&e, "/sitemap.xml"), NULL, "2");
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state = 'failed'",
                           NULL, NULL),
                     0);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const char DR_INDEX[] = "<!DOCTYPE html><title>Index</title><body>"
                               "<a href=\"/nf.html\">nf</a>"
                               "<a href=\"/ni.html\">ni</a>"
                               "<a href=\"/xr.html\">xr</a>"
                               "<a href=\"/rel.html\">rel</a>"
                               "<a href=\"/canon.html\">canon</a></body>";

static const struct fixture_route directive_routes[] = {
    { .path = "/", .body = DR_INDEX },
    { .path = "/nf.html",
      .body = "<!DOCTYPE html><html><head><title>Nofollow</title>"
              "<meta name=\"robots\" content=\"nofollow\"></head><body>"
              "<p>plainword</p><a href=\"/nf-a\">a</a><a href=\"/nf-b\">b</a>"
              "</body></html>" },
    { .path = "/ni.html",
      .body = "<!DOCTYPE html><html><head><title>Hidden</title>"
              "<meta name=\"ROBOTS\" content=\"NOINDEX\"></head><body>"
              "<p>secretword</p><a href=\"/ni-a\">a</a></body></html>" },
    { .path = "/xr.html",
      .headers = "X-Robots-Tag: noindex, nofollow\n",
      .body = "<!DOCTYPE html><html><head><title>Tagged</title></head>"
              "<body><p>taggedword</p><a href=\"/xr-a\">a</a></body></html>" },
    { .path = "/rel.html",
      .body = "<!DOCTYPE html><html><head><title>Rel</title></head><body>"
              "<a rel=\"nofollow\" href=\"/rel-a\">a</a>"
              "<a href=\"/rel-b\">b</a></body></html>" },
    { .path = "/canon.html",
      .body = "<!DOCTYPE html><html><head><title>Canon</title>"
              "<link rel=\"canonical\" href=\"/canonical.html\"></head>"
              "<body><p>canon</p></body></html>" },
    { .path = "/*", .body = PAGE },
};

/* "noindex,nofollow" flags of the latest fetch of the page at path. */
static void assert_flags(struct env *e, sqlite3 *db, const char *path,
                         const char *want)
{
    q_expect(db,
             "SELECT f.noindex || ',' || f.nofollow FROM fetches f JOIN pages"
             " p ON p.id = f.page_id WHERE p.url = ?1 ORDER BY f.id DESC",
             env_url(e, path), NULL, want);
}

/* Whether the document of the page at path has a doc_text row. */
static int64_t indexed(struct env *e, sqlite3 *db, const char *path)
{
    return q_int(db,
                 "SELECT count(*) FROM doc_text t JOIN fetches f ON"
                 " f.document_id = t.rowid JOIN pages p ON p.id = f.page_id"
                 " WHERE p.url = ?1",
                 env_url(e, path), NULL);
}

/* meta robots nofollow: the page's links are recorded but their targets
 * are skipped as 'nofollow' and never requested; meta noindex: no full
 * text, links followed; X-Robots-Tag "noindex, nofollow" does both; a
 * rel=nofollow link is followed (as wget does) and recorded with
 * links.nofollow = 1; rel=canonical is a link of kind 'canonical'. */
static void test_content_directives(void **state)
{
    static const char match[] = "SELECT count(*) FROM doc_text"
                                " WHERE doc_text MATCH ?1";
    static const char nofollow[] =
        "SELECT nofollow FROM v_links WHERE from_url = ?1 AND to_url = ?2";
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, directive_routes, N(directive_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/nf.html", "done", 1);
    assert_page(&e, db, "/nf-a", "skipped:nofollow", 0);
    assert_page(&e, db, "/nf-b", "skipped:nofollow", 0);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM v_links WHERE from_url = ?1"
                           " AND kind = 'a'",
                           env_url(&e, "/nf.html"), NULL),
                     2);
    assert_flags(&e, db, "/nf.html", "0,1");
    assert_int_equal(indexed(&e, db, "/nf.html"), 1);
    assert_int_equal(q_int(db, match, "plainword", NULL), 1);

    assert_page(&e, db, "/ni.html", "done", 1);
    assert_page(&e, db, "/ni-a", "done", 1);
    assert_flags(&e, db, "/ni.html", "1,0");
    assert_int_equal(indexed(&e, db, "/ni.html"), 0);
    assert_int_equal(q_int(db, match, "secretword", NULL), 0);

    assert_page(&e, db, "/xr.html", "done", 1);
    assert_page(&e, db, "/xr-a", "skipped:nofollow", 0);
    assert_flags(&e, db, "/xr.html", "1,1");
    assert_int_equal(indexed(&e, db, "/xr.html"), 0);
    assert_int_equal(q_int(db, match, "taggedword", NULL), 0);

    assert_page(&e, db, "/rel-a", "done", 1);
    assert_page(&e, db, "/rel-b", "done", 1);
    assert_int_equal(
        q_int(db, nofollow, env_url(&e, "/rel.html"), env_url(&e, "/rel-a")),
        1);
    assert_int_equal(
        q_int(db, nofollow, env_url(&e, "/rel.html"), env_url(&e, "/rel-b")),
        0);
    assert_flags(&e, db, "/rel.html", "0,0");

    q_expect(db, "SELECT kind FROM v_links WHERE from_url = ?1",
             env_url(&e, "/canon.html"), NULL, "canonical");
    assert_page(&e, db, "/canonical.html", "done", 1);
    assert_int_equal(assert_unrequested(&e, db, "p.state = 'skipped'", NULL),
                     3);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* With obey_rel_nofollow, a rel=nofollow link is recorded (nofollow = 1)
 * and its target skipped as 'nofollow', never requested; the plain link
 * next to it is followed. */
static void test_content_obey_rel_nofollow(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, directive_routes, N(directive_routes), NULL);
    seed[0] = env_url(&e, "/rel.html");
    opts_for(&o, seed);
    o.obey_rel_nofollow = true;
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/rel-a", "skipped:nofollow", 0);
    assert_page(&e, db, "/rel-b", "done", 1);
    q_expect(db, "SELECT nofollow FROM v_links WHERE to_url = ?1",
             env_url(&e, "/rel-a"), NULL, "1");
    assert_int_equal(q_int(db,
                           "SELECT json_extract(options, '$.obey_rel_nofollow')"
                           " FROM crawls",
                           NULL, NULL),
                     1);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

static const struct fixture_route nofollow_twice_routes[] = {
    { .path = "/",
      .body = "<!DOCTYPE html><a href=\"/nf.html\">nf</a>"
              "<a href=\"/other.html\">other</a>" },
    { .path = "/nf.html",
      .body = "<!DOCTYPE html><html><head><meta name=\"robots\""
              " content=\"nofollow\"></head><body><a href=\"/shared\">s</a>"
              "</body></html>" },
    { .path = "/other.html",
      .body = "<!DOCTYPE html><a href=\"/shared\">s</a>" },
    { .path = "/*", .body = PAGE },
};

/* nofollow is a property of a link, not of its target: a page first found
 * on a nofollow page and then through a plain link elsewhere is fetched,
 * as by wget or Scrapy, and both links are recorded. */
static void test_content_nofollow_then_followed(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, nofollow_twice_routes, N(nofollow_twice_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.per_host = 1; /* /nf.html is stored before /other.html */
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_page(&e, db, "/shared", "done", 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM v_links WHERE to_url = ?1",
                           env_url(&e, "/shared"), NULL),
                     2);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

/* Latin-1 in the Content-Type header (0x93/0x94 read as windows-1252, as
 * browsers do); Shift_JIS only in <meta charset>; windows-1252 in an
 * http-equiv Content-Type. */
static const struct fixture_route encoding_routes[] = {
    { .path = "/",
      .body = "<!DOCTYPE html><a href=\"/latin1.html\">1</a>"
              "<a href=\"/sjis.html\">2</a><a href=\"/cp1252.html\">3</a>" },
    { .path = "/latin1.html",
      .headers = "Content-Type: text/html; charset=ISO-8859-1\n",
      .body = "<!DOCTYPE html><html><head><title>Caf\xe9 cr\xe8me</title>"
              "</head><body><p>Un caf\xe9 au lait, \x93s'il vous pla\xeet\x94."
              "</p></body></html>" },
    { .path = "/sjis.html",
      .headers = "Content-Type: text/html\n",
      .body = "<!DOCTYPE html><html><head><meta charset=\"Shift_JIS\">"
              "<title>\x93\xfa\x96{\x8c\xea\x82\xcc\x83y\x81[\x83W</title>"
              "</head><body><p>\x93\x8c\x8b\x9e\x81"
              "A\x91\xe5\x8d\xe3</p></body></html>" },
    { .path = "/cp1252.html",
      .headers = "Content-Type: text/html\n",
      .body = "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\""
              " content=\"text/html; charset=windows-1252\">"
              "<title>Price list \x96 na\xefve</title></head><body>"
              "<p>\x93Smart quotes\x94 cost \x80"
              "5</p></body></html>" },
};

/* Whether s is valid UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). */
static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80             ? 0
                : (*s & 0xe0) == 0xc0 ? 1
                : (*s & 0xf0) == 0xe0 ? 2
                : (*s & 0xf8) == 0xf0 ? 3
                                      : -1;
        uint32_t cp;

        if (n < 0 || (n == 1 && *s < 0xc2))
            return false;
        cp = n == 0 ? *s : (uint32_t)(*s & (0x3f >> n));
        for (int i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        s += n + 1;
    }
    return true;
}

/* Pages in ISO-8859-1, Shift_JIS and windows-1252 are stored as bytes, but
 * their title and text in doc_text are valid UTF-8 with the right
 * characters, and FTS finds "café" and a Japanese word. */
static void test_content_encodings(void **state)
{
    static const char text[] =
        "SELECT t.title || ' | ' || t.text FROM doc_text t JOIN fetches f"
        " ON f.document_id = t.rowid JOIN pages p ON p.id = f.page_id"
        " WHERE p.url = ?1";
    static const char match[] =
        "SELECT group_concat(p.url) FROM doc_text t JOIN fetches f ON"
        " f.document_id = t.rowid JOIN pages p ON p.id = f.page_id"
        " WHERE doc_text MATCH ?1";
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;
    sqlite3_stmt *q;
    int rows = 0;

    (void)state;
    env_start(&e, encoding_routes, N(encoding_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    q = q_prepare(db,
                  "SELECT coalesce(title, '') || ' ' || coalesce(text, '')"
                  " FROM doc_text",
                  NULL, NULL);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);

        if (!valid_utf8(t))
            fail_msg("doc_text row is not UTF-8: '%s'", (const char *)t);
        rows++;
    }
    sqlite3_finalize(q);
    assert_int_equal(rows, 4);
    q_expect(db, text, env_url(&e, "/latin1.html"), NULL,
             "Caf\xc3\xa9 cr\xc3\xa8me | Un caf\xc3\xa9 au lait,"
             " \xe2\x80\x9cs'il vous pla\xc3\xaet\xe2\x80\x9d.");
    q_expect(db, text, env_url(&e, "/sjis.html"), NULL,
             "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x9a"
             "\xe3\x83\xbc\xe3\x82\xb8 | \xe6\x9d\xb1\xe4\xba\xac\xe3\x80\x81"
             "\xe5\xa4\xa7\xe9\x98\xaa");
    q_expect(db, text, env_url(&e, "/cp1252.html"), NULL,
             "Price list \xe2\x80\x93 na\xc3\xafve | \xe2\x80\x9cSmart"
             " quotes\xe2\x80\x9d cost \xe2\x82\xac"
             "5");
    q_expect(db, match, "caf\xc3\xa9", NULL, env_url(&e, "/latin1.html"));
    q_expect(db, match, "\xe6\x9d\xb1\xe4\xba\xac", NULL, /* Tokyo */
             env_url(&e, "/sjis.html"));
    q_expect(db, match, "na\xc3\xafve", NULL, env_url(&e, "/cp1252.html"));
    /* The documents keep the bytes as received. */
    assert_int_equal(q_int(db,
                           "SELECT instr(d.body, X'436166E9') > 0 FROM"
                           " documents d JOIN fetches f ON f.document_id ="
                           " d.id JOIN pages p ON p.id = f.page_id"
                           " WHERE p.url = ?1",
                           env_url(&e, "/latin1.html"), NULL),
                     1);
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_sitemaps),
        cmocka_unit_test(test_content_sitemaps_off),
        cmocka_unit_test(test_content_sitemap_probe),
        cmocka_unit_test(test_content_directives),
        cmocka_unit_test(test_content_obey_rel_nofollow),
        cmocka_unit_test(test_content_nofollow_then_followed),
        cmocka_unit_test(test_content_encodings),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
