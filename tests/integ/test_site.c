/* Integration test over the bundled sample site (tests/site plus
 * fixture_site_routes()): the whole crawl's outcome, page by page, as read
 * from the site's files, and the spider trap held by --max-depth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integ.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct page_want {
    const char *path; /* on the fixture; NULL: url is absolute */
    const char *state;
    unsigned hits;
};

/* Every page the crawl of "/" knows, with its trap cut at the entry by an
 * exclude of /trap/. The press kit is not fetched: the press page's meta
 * robots says nofollow. The sitemap named by robots.txt is read, and
 * /specials/summer-sale.html, listed only there, is found through it. */
static const struct page_want site_pages[] = {
    { "/", "done", 1 },
    { "/about.html", "done", 1 },
    { "/blog/", "done", 1 },
    { "/blog/archive.html", "done", 1 },
    { "/blog/baking-class-recap.html", "done", 1 },
    { "/blog/flour-sources.html", "done", 1 },
    { "/blog/holiday-hours.html", "done", 1 },
    { "/blog/new-oven.html", "done", 1 },
    { "/blog/spring-menu.html", "done", 1 },
    { "/blog/starter-care.html", "done", 1 },
    { "/careers.html", "done", 1 },
    { "/contact.html", "done", 1 },
    { "/css/site.css", "done", 1 },
    { "/de/", "done", 1 },
    { "/downloads/", "done", 1 },
    { "/downloads/allergens.csv", "done", 1 },
    { "/downloads/price-list.pdf", "done", 1 },
    { "/downloads/readme.txt", "done", 1 },
    { "/error/500", "failed:http 500", 1 },
    { "/events/", "done", 1 },
    { "/events/classes.html", "done", 1 },
    { "/events/map.html", "done", 1 },
    { "/events/market.html", "done", 1 },
    { "/faq.html", "done", 1 },
    { "/gallery.html", "done", 1 },
    { "/huge.html", "done", 1 },
    { "/img/bread-2x.png", "done", 1 },
    { "/img/bread.gif", "done", 1 },
    { "/img/logo.png", "done", 1 },
    { "/js/site.js", "done", 1 },
    { "/loop/a", "done", 1 },
    { "/loop/b", "done", 1 },
    { "/menu.html", "done", 1 },
    { "/old-menu.html", "done", 1 },
    { "/old-page", "done", 1 },
    { "/press.html", "done", 1 },
    { "/press/kit.html", "skipped:nofollow", 0 },
    { "/sitemap.xml", "done", 1 },
    { "/specials/summer-sale.html", "done", 1 },
    { "/private/", "skipped:robots", 0 },
    { "/products/", "done", 1 },
    { "/products/baguette.html", "done", 1 },
    { "/products/cakes.html", "done", 1 },
    { "/products/croissant.html", "done", 1 },
    { "/products/list.html?sort=name", "done", 1 },
    { "/products/list.html?sort=price", "done", 1 },
    { "/products/pumpernickel.html", "failed:http 404", 1 },
    { "/products/rye.html", "done", 1 },
    { "/products/sourdough.html", "done", 1 },
    { "/recipes/", "done", 1 },
    { "/recipes/banana-bread.html", "done", 1 },
    { "/recipes/cinnamon-rolls.html", "done", 1 },
    { "/recipes/focaccia-print.html", "done", 1 },
    { "/recipes/focaccia.html", "done", 1 },
    { "/recipes/pretzels.html", "done", 1 },
    { "/redirect/hop1", "done", 1 },
    { "/reset.html", "failed", 1 },
    { "/slow.html", "done", 1 },
    { "/trap/2026/01", "skipped:exclude", 0 },
    { NULL, "skipped:scope", 0 }, /* the four off-site links below */
};

static const char *const offsite[] = {
    "http://www.example.org/",
    "http://www.example.org/farms/rye",
    "https://example.com/flour-mill",
    "https://example.com/flour-mill/about",
};

static int site_setup(void **state)
{
    const char *root = getenv("CRAWLDB_SITE");
    struct env *e = calloc(1, sizeof *e);
    size_t n;
    const struct fixture_route *routes = fixture_site_routes(&n);

    env_start(e, routes, n, root ? root : "tests/site");
    *state = e;
    return 0;
}

static int site_teardown(void **state)
{
    env_stop(*state);
    free(*state);
    return 0;
}

/* The sample site with the trap cut at its entry: every page listed above
 * has exactly its state, each fetched page one fetch row and one request,
 * robots.txt first and once, /private/ and the off-site links never
 * requested, the cut bodies and error pages recorded as such, the redirect
 * chain and loop hop by hop; a second run fetches nothing. */
static void test_site_whole(void **state)
{
    struct env *e = *state;
    struct crawl_opts o;
    struct crawl_progress p;
    const char *seed[1];
    unsigned total;
    sqlite3 *db;

    fixture_reset_log(e->fx);
    db_remove(e->db);
    seed[0] = env_url(e, "/");
    opts_for(&o, seed);
    o.exclude = "/trap/";
    o.sitemaps = true;
    p = crawl_db(e->db, &o);
    assert_int_equal(p.fetched, 56);
    assert_first_request(e->fx, "/robots.txt");
    assert_int_equal(fixture_hits(e->fx, "/robots.txt"), 1);
    assert_int_equal(fixture_total(e->fx), 57);
    db = db_open(e->db);
    assert_db_sound(db);
    for (size_t i = 0; i + 1 < N(site_pages); i++) {
        const struct page_want *w = &site_pages[i];
        char *got = q_text(db,
                           "SELECT state || coalesce(':' || reason, '') ||"
                           " ' ' || (SELECT count(*) FROM fetches f WHERE"
                           " f.page_id = p.id) FROM pages p WHERE url = ?1",
                           env_url(e, w->path), NULL);
        char want[128];

        if (strcmp(w->state, "failed") == 0) /* reason: libcurl's words */
            snprintf(want, sizeof want, "failed:");
        else
            snprintf(want, sizeof want, "%s %u", w->state, w->hits);
        if (!got || strncmp(got, want, strlen(want)) != 0)
            fail_msg("'%s' is '%s', want '%s'", w->path, got ? got : "(none)",
                     want);
        if (fixture_hits(e->fx, w->path) != w->hits)
            fail_msg("'%s' was requested %u times, want %u", w->path,
                     fixture_hits(e->fx, w->path), w->hits);
        free(got);
    }
    for (size_t i = 0; i < N(offsite); i++)
        q_expect(db, SQL_PAGE_STATE, offsite[i], NULL, "skipped:scope");
    assert_int_equal(q_int(db, "SELECT count(*) FROM pages", NULL, NULL),
                     N(site_pages) - 1 + N(offsite));
    assert_int_equal(q_int(db, "SELECT count(*) FROM fetches", NULL, NULL), 56);
    /* The sitemap-only page is linked from the sitemap, kind sitemap. */
    q_expect(db, "SELECT kind FROM v_links WHERE from_url = ?1 AND to_url = ?2",
             env_url(e, "/sitemap.xml"),
             env_url(e, "/specials/summer-sale.html"), "sitemap");
    /* /reset.html: the connection broke mid-body. */
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM v_fetches WHERE url = ?1"
                           " AND status = 200 AND length = 1000 AND"
                           " error IS NOT NULL",
                           env_url(e, "/reset.html"), NULL),
                     1);
    /* /huge.html (21 MiB) is cut at the default --max-size of 20 MiB. */
    q_expect(db,
             "SELECT length || ' ' || truncated FROM v_fetches"
             " WHERE url = ?1",
             env_url(e, "/huge.html"), NULL, "20971520 1");
    /* /old-page -> /redirect/hop1 -> /about.html, and the loop. */
    q_expect(db,
             "SELECT status FROM v_fetches"
             " WHERE url = ?1 AND redirect_url = ?2",
             env_url(e, "/old-page"), env_url(e, "/redirect/hop1"), "301");
    q_expect(db,
             "SELECT group_concat(to_url) FROM v_links"
             " WHERE from_url = ?1 AND kind = 'redirect'",
             env_url(e, "/redirect/hop1"), NULL, env_url(e, "/about.html"));
    q_expect(db,
             "SELECT group_concat(to_url) FROM v_links"
             " WHERE from_url = ?1 AND kind = 'redirect'",
             env_url(e, "/loop/b"), NULL, env_url(e, "/loop/a"));
    /* Kinds the site uses, each with an example. */
    q_expect(db,
             "SELECT anchor FROM v_links WHERE from_url = ?1"
             " AND to_url = ?2 AND kind = 'a'",
             env_url(e, "/"), env_url(e, "/products/sourdough.html"),
             "sourdough loaves");
    q_expect(db,
             "SELECT kind FROM v_links WHERE from_url = ?1"
             " AND to_url = ?2 AND kind <> 'a'",
             env_url(e, "/old-menu.html"), env_url(e, "/menu.html"), "refresh");
    q_expect(db,
             "SELECT kind FROM v_links WHERE from_url = ?1"
             " AND to_url = ?2 AND kind <> 'a'",
             env_url(e, "/recipes/focaccia-print.html"),
             env_url(e, "/recipes/focaccia.html"), "canonical");
    q_expect(db,
             "SELECT kind FROM v_links WHERE from_url = ?1"
             " AND to_url = ?2 AND kind <> 'a'",
             env_url(e, "/events/market.html"), env_url(e, "/events/map.html"),
             "iframe");
    q_expect(db,
             "SELECT kind FROM v_links WHERE from_url = ?1"
             " AND to_url = ?2 AND kind <> 'a'",
             env_url(e, "/gallery.html"), env_url(e, "/img/bread-2x.png"),
             "img");
    /* Non-HTML documents are stored and not parsed. */
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM links l JOIN pages p ON"
                           " p.id = l.from_page_id WHERE p.url LIKE '%.pdf'"
                           " OR p.url LIKE '%.csv' OR p.url LIKE '%.png'"
                           " OR p.url LIKE '%.txt'",
                           NULL, NULL),
                     0);
    /* 404, 500, the reset body and the cut huge body. */
    q_expect(db, "SELECT count(*) FROM v_errors", NULL, NULL, "4");
    sqlite3_close(db);

    total = fixture_total(e->fx);
    p = crawl_db(e->db, &o);
    assert_int_equal(p.fetched, 0);
    assert_int_equal(fixture_total(e->fx), total);
    assert_db_file_sound(e->db);
    db = db_open(e->db);
    q_expect(db, "SELECT group_concat(status) FROM crawls", NULL, NULL,
             "finished,finished");
    sqlite3_close(db);
}

/* The spider trap held by max_depth 3 from /events/: the calendar pages at
 * depth 1 to 3 are fetched once each, those at depth 4 are skipped as
 * 'max-depth' and never requested. */
static void test_site_trap_depth(void **state)
{
    static const char *const fetched[] = {
        "/trap/2026/01", "/trap/2025/12", "/trap/2026/02",
        "/trap/2025/11", "/trap/2026/03",
    };
    struct env *e = *state;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    fixture_reset_log(e->fx);
    db_remove(e->db);
    seed[0] = env_url(e, "/events/");
    opts_for(&o, seed);
    o.max_depth = 3;
    o.include = "/(events|trap)/";
    crawl_db(e->db, &o);
    db = db_open(e->db);
    assert_db_sound(db);
    for (size_t i = 0; i < N(fetched); i++) {
        q_expect(db, SQL_PAGE_STATE, env_url(e, fetched[i]), NULL, "done");
        assert_int_equal(fixture_hits(e->fx, fetched[i]), 1);
    }
    q_expect(db, SQL_PAGE_STATE, env_url(e, "/trap/2026/04"), NULL,
             "skipped:max-depth");
    q_expect(db, SQL_PAGE_STATE, env_url(e, "/trap/2025/10"), NULL,
             "skipped:max-depth");
    assert_int_equal(fixture_hits(e->fx, "/trap/2026/04"), 0);
    assert_int_equal(fixture_hits(e->fx, "/trap/2025/10"), 0);
    assert_int_equal(
        q_int(db,
              "SELECT count(*) FROM pages WHERE url LIKE '%/trap/%'"
              " AND state = 'done'",
              NULL, NULL),
        5);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_site_whole),
        cmocka_unit_test(test_site_trap_depth),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, site_setup, site_teardown);
    integ_cleanup();
    return rc;
}
