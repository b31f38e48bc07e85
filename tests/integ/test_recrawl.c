/* Integration test of recrawling: a second run over a finished database
 * asks conditionally (If-None-Match, If-Modified-Since) and records 304s
 * against the documents it has; a third run after the site changed stores
 * the new document, lists the change in v_changes, marks the vanished link
 * gone and fetches the newly linked page. The route table is changed
 * between runs (the fixture borrows it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integ.h"
#include "polite.h"

#define LAST_MOD "Tue, 01 Sep 2026 10:00:00 GMT"

static const char RC_INDEX_V1[] =
    "<!DOCTYPE html><title>Home</title><body><p>Version one.</p>"
    "<a href=\"/a.html\">a</a><a href=\"/b.html\">b</a>"
    "<a href=\"/gone.html\">gone</a><a href=\"/plain.html\">plain</a>"
    "</body>";
static const char RC_INDEX_V2[] =
    "<!DOCTYPE html><title>Home</title><body><p>Version two.</p>"
    "<a href=\"/a.html\">a</a><a href=\"/b.html\">b</a>"
    "<a href=\"/new.html\">new</a><a href=\"/plain.html\">plain</a>"
    "</body>";

enum { RC_INDEX = 0 };
static struct fixture_route recrawl_routes[] = {
    { .path = "/", .headers = "ETag: \"v1\"\n", .body = RC_INDEX_V1 },
    { .path = "/a.html",
      .headers = "Last-Modified: " LAST_MOD "\n",
      .body = "<!DOCTYPE html><title>A</title><p>page a</p>" },
    { .path = "/b.html",
      .headers = "ETag: W/\"b1\"\nLast-Modified: " LAST_MOD "\n",
      .body = "<!DOCTYPE html><title>B</title><p>page b</p>" },
    { .path = "/gone.html",
      .headers = "ETag: \"g1\"\n",
      .body = "<!DOCTYPE html><title>Gone</title><p>soon unlinked</p>" },
    { .path = "/new.html",
      .headers = "ETag: \"n1\"\n",
      .body = "<!DOCTYPE html><title>New</title><p>just linked</p>" },
    { .path = "/plain.html", /* no validators: asked in full each time */
      .body = "<!DOCTYPE html><title>Plain</title><p>no validators</p>" },
};

/* What the second run's requests carried. */
struct cond_log {
    int requests;    /* of pages (not robots.txt) */
    int conditional; /* with If-None-Match or If-Modified-Since */
    char index_inm[64], a_ims[64], b_inm[64];
};

static void on_cond(void *ctx, const char *method, const char *path,
                    int64_t t_ms, const char *user_agent,
                    const char *if_none_match, const char *if_modified_since)
{
    struct cond_log *l = ctx;

    (void)method;
    (void)t_ms;
    (void)user_agent;
    if (strcmp(path, "/robots.txt") == 0)
        return;
    l->requests++;
    l->conditional += if_none_match || if_modified_since;
    if (strcmp(path, "/") == 0 && if_none_match)
        snprintf(l->index_inm, sizeof l->index_inm, "%s", if_none_match);
    if (strcmp(path, "/a.html") == 0 && if_modified_since)
        snprintf(l->a_ims, sizeof l->a_ims, "%s", if_modified_since);
    if (strcmp(path, "/b.html") == 0 && if_none_match)
        snprintf(l->b_inm, sizeof l->b_inm, "%s", if_none_match);
}

/* Crawl, recrawl unchanged, change the home page, recrawl again. The
 * second run sends each page's validators (ETag as If-None-Match, else
 * Last-Modified as If-Modified-Since), gets 304s, and records conditional
 * fetch rows pointing at the documents of the first run, adding none; a
 * page without validators is fetched in full and its same bytes stored
 * once. The third run stores the changed home page as a new document,
 * v_changes lists it, the link to the page no longer linked is gone in
 * that run, and the newly linked page is queued and fetched. */
static void test_recrawl_conditional_and_changes(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct cond_log cl = { 0 };
    sqlite3 *db;
    int64_t docs;

    (void)state;
    env_start(&e, recrawl_routes, N(recrawl_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    crawl_checked(&e, &o);
    db = db_open(e.db);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state = 'done'",
                           NULL, NULL),
                     5);
    docs = q_int(db, "SELECT count(*) FROM documents", NULL, NULL);
    assert_int_equal(docs, 5);
    sqlite3_close(db);

    /* Second run: nothing changed. */
    fixture_reset_log(e.fx);
    o.recrawl = true;
    crawl_checked(&e, &o);
    fixture_each(e.fx, on_cond, &cl);
    assert_int_equal(cl.requests, 5);
    assert_int_equal(cl.conditional, 4); /* all but /plain.html */
    assert_string_equal(cl.index_inm, "\"v1\"");
    assert_string_equal(cl.a_ims, LAST_MOD);
    assert_string_equal(cl.b_inm, "W/\"b1\"");
    assert_int_equal(fixture_hits(e.fx, "/new.html"), 0);
    db = db_open(e.db);
    assert_int_equal(q_int(db, "SELECT count(*) FROM crawls", NULL, NULL), 2);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM fetches WHERE crawl_id = 2"
                           " AND status = 304 AND conditional = 1",
                           NULL, NULL),
                     4);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM fetches f2 JOIN fetches f1"
                           " ON f1.page_id = f2.page_id AND f1.crawl_id = 1"
                           " WHERE f2.crawl_id = 2"
                           " AND f2.document_id = f1.document_id",
                           NULL, NULL),
                     5);
    q_expect(db,
             "SELECT f.status || ' ' || f.conditional FROM fetches f JOIN"
             " pages p ON p.id = f.page_id WHERE p.url = ?1 AND crawl_id = 2",
             env_url(&e, "/plain.html"), NULL, "200 0");
    assert_int_equal(q_int(db, "SELECT count(*) FROM documents", NULL, NULL),
                     docs);
    assert_int_equal(q_int(db, "SELECT count(*) FROM v_changes", NULL, NULL),
                     0);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages WHERE state <> 'done'",
                           NULL, NULL),
                     0);
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM links WHERE seen_crawl_id = 2"
                           " AND gone_crawl_id IS NULL",
                           NULL, NULL),
                     4);
    q_expect(db, "SELECT group_concat(status) FROM crawls", NULL, NULL,
             "finished,finished");
    sqlite3_close(db);

    /* Third run: the home page changed, /gone.html is no longer linked and
     * /new.html is. */
    recrawl_routes[RC_INDEX].body = RC_INDEX_V2;
    recrawl_routes[RC_INDEX].headers = "ETag: \"v2\"\n";
    fixture_reset_log(e.fx);
    crawl_checked(&e, &o);
    recrawl_routes[RC_INDEX].body = RC_INDEX_V1;
    recrawl_routes[RC_INDEX].headers = "ETag: \"v1\"\n";
    db = db_open(e.db);
    assert_int_equal(q_int(db, "SELECT count(*) FROM crawls", NULL, NULL), 3);
    assert_int_equal(q_int(db, "SELECT count(*) FROM v_changes", NULL, NULL),
                     1);
    q_expect(db,
             "SELECT old_crawl_id || ' ' || new_crawl_id FROM v_changes"
             " WHERE url = ?1",
             env_url(&e, "/"), NULL, "1 3");
    assert_int_equal(q_int(db, "SELECT count(*) FROM documents", NULL, NULL),
                     docs + 2); /* the new home page and /new.html */
    q_expect(db,
             "SELECT f.status || ' ' || f.conditional FROM fetches f JOIN"
             " pages p ON p.id = f.page_id WHERE p.url = ?1 AND crawl_id = 3",
             env_url(&e, "/"), NULL, "200 1");
    q_expect(db, "SELECT gone_crawl_id FROM v_links WHERE to_url = ?1",
             env_url(&e, "/gone.html"), NULL, "3");
    q_expect(db, "SELECT gone_crawl_id FROM v_links WHERE to_url = ?1",
             env_url(&e, "/a.html"), NULL, NULL);
    q_expect(db,
             "SELECT seen_crawl_id FROM links l JOIN pages p ON p.id ="
             " l.to_page_id WHERE p.url = ?1",
             env_url(&e, "/a.html"), NULL, "3");
    assert_page(&e, db, "/new.html", "done", 1);
    q_expect(db, "SELECT found_crawl_id FROM pages WHERE url = ?1",
             env_url(&e, "/new.html"), NULL, "3");
    q_expect(db,
             "SELECT f.status || ' ' || f.conditional FROM fetches f JOIN"
             " pages p ON p.id = f.page_id WHERE p.url = ?1",
             env_url(&e, "/new.html"), NULL, "200 0");
    assert_db_sound(db);
    sqlite3_close(db);
    env_stop(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recrawl_conditional_and_changes),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
