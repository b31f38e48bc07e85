/* Integration tests of the crawler's safety rails: the private-address block
 * (refused before any packet, recorded as a failed fetch naming the
 * address), the run's options recorded in the crawls row (--insecure, the
 * block, --max-db-size), verbatim storage of hostile URLs and anchor texts,
 * and a full database (--max-db-size, a real full disk on a tmpfs in a
 * private mount namespace when the system allows one): a clean stop, a
 * sound file, and a resume that ends with the pages of an uninterrupted
 * crawl. Every request goes to the fixture on 127.0.0.1; addresses outside
 * 127.0.0.0/8 appear only where the block is forced, so never on the wire. */
#define _GNU_SOURCE /* unshare(), mount() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "buf.h"
#include "integ.h"
#include "url.h"
#include "util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Run one crawl into the database at path and return its code; err and
 * *prog receive what crawl_run() reported. */
static int crawl_rc(const char *path, const struct crawl_opts *o,
                    struct crawl_progress *prog, struct cdb_err *err)
{
    struct store *st = NULL;
    int rc = store_open(path, &st, err);

    if (rc == CDB_OK)
        rc = crawl_run(o, st, prog, err);
    store_close(st);
    return rc;
}

/* The origin of e's fixture with another host: "http://HOST:PORT". */
static const char *origin_as(struct env *e, const char *host, char *out,
                             size_t n)
{
    snprintf(out, n, "http://%s:%u", host, fixture_port(e->fx));
    return out;
}

/* ------------------------------------------------------------------ */
/* A: the private-address block */

static const struct fixture_route block_routes[] = {
    { .path = "/",
      .body = "<!DOCTYPE html><title>home</title>"
              "<p><a href=\"/a.html\">a</a></p>" },
    { .path = "/a.html", .body = "<!DOCTYPE html><title>a</title>" },
    { .path = "/l.html", .body = "<!DOCTYPE html><title>l</title>" },
};

/* With the block forced, a seed on 127.0.0.1 is refused before any packet:
 * the fixture sees no request (not even robots.txt), the fetch row and the
 * page name the address and its class, there is no retry, and the crawls
 * row records the setting. */
static void test_safety_block_forced_seed(void **state)
{
    static const char want[] = "refused to connect to 127.0.0.1: loopback "
                               "address (use --allow-private)";
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    struct crawl_progress p;
    sqlite3 *db;

    (void)state;
    env_start(&e, block_routes, N(block_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.private_addrs = CRAWL_PRIVATE_BLOCK;
    o.retries = 2; /* a refusal is not transient: still one fetch */
    o.retry_base_ms = 10;
    p = crawl_db(e.db, &o);
    assert_int_equal(p.fetched, 1);
    assert_int_equal(p.failed, 1);
    assert_int_equal(p.done, 0);
    assert_int_equal(fixture_total(e.fx), 0);
    db = db_open(e.db);
    assert_db_sound(db);
    q_expect(db, "SELECT error FROM v_fetches", NULL, NULL, want);
    q_expect(db,
             "SELECT count(*) || ' ' || coalesce(status, 'none') FROM"
             " fetches",
             NULL, NULL, "1 none");
    q_expect(db, SQL_PAGE_STATE, seed[0], NULL,
             "failed:refused to connect to 127.0.0.1: loopback address (use "
             "--allow-private)");
    /* robots.txt was refused too: unreachable, fetched again next run */
    q_expect(db, "SELECT robots_status FROM hosts", NULL, NULL, "0");
    q_expect(db,
             "SELECT json_extract(options, '$.private_addresses') || ' ' ||"
             " json_extract(options, '$.private_blocked') FROM crawls",
             NULL, NULL, "block 1");
    sqlite3_close(db);
    env_stop(&e);
}

/* With the block forced, every non-public form is refused, whatever the
 * URL says: names that resolve to loopback (localhost, and a name pinned
 * with CURLOPT_RESOLVE, as DNS rebinding would), IPv6 loopback, IPv4-mapped
 * IPv6, 0.0.0.0, and private, link-local and CGNAT addresses. Each page
 * fails with its address in the message and nothing reaches the wire. */
static void test_safety_block_every_form(void **state)
{
    static const struct {
        const char *host; /* with the fixture's port unless it has one */
        const char *addr; /* as the message names it */
        const char *class;
    } cases[] = {
        { "localhost", "127.0.0.1", "loopback" },
        { "rebind.test", "127.0.0.1", "loopback" },
        { "[::1]", "::1", "loopback" },
        { "[::ffff:127.0.0.1]", "::ffff:127.0.0.1", "loopback" },
        { "[::ffff:10.0.0.1]", "::ffff:10.0.0.1", "private" },
        { "0.0.0.0", "0.0.0.0", "unspecified" },
        { "127.5.6.7", "127.5.6.7", "loopback" },
        { "10.1.2.3", "10.1.2.3", "private" },
        { "172.16.0.1", "172.16.0.1", "private" },
        { "192.168.1.1", "192.168.1.1", "private" },
        { "169.254.169.254", "169.254.169.254", "link-local" },
        { "100.64.0.1", "100.64.0.1", "shared (CGNAT)" },
        { "[fd00::1]", "fd00::1", "private" },
    };
    struct env e;
    struct crawl_opts o;
    char urls[N(cases)][128], resolve[2][64], want[256], origin[96];
    const char *seeds[N(cases)], *pins[2];
    struct crawl_progress p;
    sqlite3 *db;

    (void)state;
    env_start(&e, block_routes, N(block_routes), NULL);
    /* Both names pinned to 127.0.0.1: no DNS query leaves the machine. */
    snprintf(resolve[0], sizeof resolve[0], "localhost:%u:127.0.0.1",
             fixture_port(e.fx));
    snprintf(resolve[1], sizeof resolve[1], "rebind.test:%u:127.0.0.1",
             fixture_port(e.fx));
    pins[0] = resolve[0];
    pins[1] = resolve[1];
    for (size_t i = 0; i < N(cases); i++) {
        snprintf(urls[i], sizeof urls[i], "%s/",
                 origin_as(&e, cases[i].host, origin, sizeof origin));
        seeds[i] = urls[i];
    }
    opts_for(&o, seeds);
    o.n_seeds = N(cases);
    o.private_addrs = CRAWL_PRIVATE_BLOCK;
    o.fetch.resolve = pins;
    o.fetch.n_resolve = N(pins);
    p = crawl_db(e.db, &o);
    assert_int_equal(p.failed, N(cases));
    assert_int_equal(p.done, 0);
    assert_int_equal(fixture_total(e.fx), 0);
    db = db_open(e.db);
    assert_db_sound(db);
    for (size_t i = 0; i < N(cases); i++) {
        char *url = NULL;

        assert_int_equal(url_canon(NULL, urls[i], &url, NULL), CDB_OK);
        snprintf(want, sizeof want,
                 "refused to connect to %s: %s address (use --allow-private)",
                 cases[i].addr, cases[i].class);
        q_expect(db,
                 "SELECT f.error FROM fetches f JOIN pages p"
                 " ON p.id = f.page_id WHERE p.url = ?1",
                 url, NULL, want);
        free(url);
    }
    sqlite3_close(db);
    env_stop(&e);
}

/* By default a seed on 127.0.0.1 opens non-public addresses to the crawl
 * (the user pointed there): its page is fetched, and so is a link to
 * localhost (pinned to 127.0.0.1), with scope any. The crawls row says
 * auto and not blocked. */
static void test_safety_auto_loopback_seed(void **state)
{
    static char index_body[512];
    static struct fixture_route routes[N(block_routes)];
    struct env e;
    struct crawl_opts o;
    const char *seed[1], *pins[1];
    char pin[64], lurl[128], origin[96];
    struct crawl_progress p;
    sqlite3 *db;

    (void)state;
    memcpy(routes, block_routes, sizeof routes);
    routes[0].body = index_body;
    env_start(&e, routes, N(routes), NULL);
    snprintf(lurl, sizeof lurl, "%s/l.html",
             origin_as(&e, "localhost", origin, sizeof origin));
    snprintf(index_body, sizeof index_body,
             "<!DOCTYPE html><title>home</title><p><a href=\"/a.html\">a</a>"
             " <a href=\"%s\">by name</a></p>",
             lurl);
    snprintf(pin, sizeof pin, "localhost:%u:127.0.0.1", fixture_port(e.fx));
    pins[0] = pin;
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.scope = URL_SCOPE_ANY;
    o.fetch.resolve = pins;
    o.fetch.n_resolve = 1;
    p = crawl_db(e.db, &o);
    assert_int_equal(p.done, 3);
    assert_int_equal(p.failed, 0);
    assert_int_equal(fixture_hits(e.fx, "/l.html"), 1);
    assert_int_equal(fixture_hits(e.fx, "/robots.txt"), 2); /* two hosts */
    db = db_open(e.db);
    assert_db_sound(db);
    q_expect(db, SQL_PAGE_STATE, lurl, NULL, "done");
    q_expect(db,
             "SELECT json_extract(options, '$.private_addresses') || ' ' ||"
             " json_extract(options, '$.private_blocked') FROM crawls",
             NULL, NULL, "auto 0");
    sqlite3_close(db);
    env_stop(&e);
}

/* A seed given by a name is judged by what the name resolves to: one
 * pinned to 127.0.0.1 opens the crawl to loopback by default, as
 * --allow-private does in any case. */
static void test_safety_seed_name_resolves_private(void **state)
{
    static const enum crawl_private modes[] = { CRAWL_PRIVATE_AUTO,
                                                CRAWL_PRIVATE_ALLOW };
    static const char *const names[] = { "auto 0", "allow 0" };
    struct env e;
    struct crawl_opts o;
    const char *seed[1], *pins[1];
    char pin[64], url[128], origin[96];
    struct crawl_progress p;
    sqlite3 *db;

    (void)state;
    env_start(&e, block_routes, N(block_routes), NULL);
    snprintf(pin, sizeof pin, "site.test:%u:127.0.0.1", fixture_port(e.fx));
    pins[0] = pin;
    snprintf(url, sizeof url, "%s/",
             origin_as(&e, "site.test", origin, sizeof origin));
    seed[0] = url;
    for (size_t i = 0; i < N(modes); i++) {
        db_remove(e.db);
        fixture_reset_log(e.fx);
        opts_for(&o, seed);
        o.private_addrs = modes[i];
        o.fetch.resolve = pins;
        o.fetch.n_resolve = 1;
        p = crawl_db(e.db, &o);
        assert_int_equal(p.done, 2);
        assert_int_equal(fixture_hits(e.fx, "/a.html"), 1);
        db = db_open(e.db);
        q_expect(db,
                 "SELECT json_extract(options, '$.private_addresses') || ' '"
                 " || json_extract(options, '$.private_blocked') FROM crawls",
                 NULL, NULL, names[i]);
        sqlite3_close(db);
    }
    env_stop(&e);
}

/* ------------------------------------------------------------------ */
/* B: --insecure in the crawls row */

/* The crawls row records --insecure as true, and its absence as false. */
static void test_safety_insecure_recorded(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    sqlite3 *db;

    (void)state;
    env_start(&e, block_routes, N(block_routes), NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.insecure = true;
    crawl_db(e.db, &o);
    opts_for(&o, seed);
    crawl_db(e.db, &o);
    db = db_open(e.db);
    q_expect(db,
             "SELECT group_concat(json_extract(options, '$.insecure'), ' ')"
             " FROM (SELECT options FROM crawls ORDER BY id)",
             NULL, NULL, "1 0");
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM crawls WHERE options LIKE"
                           " '%\"insecure\":true%'",
                           NULL, NULL),
                     1);
    sqlite3_close(db);
    env_stop(&e);
}

/* ------------------------------------------------------------------ */
/* C: verbatim storage */

static const char HOSTILE[] =
    "<!DOCTYPE html><title>it's \"quoted\"</title><p>"
    "<a href=\"/q?x=');DROP TABLE pages;--\">'); DROP TABLE pages;--</a>\n"
    "<a href=\"/it's/&quot;x&quot;\">say \"hi\", it's</a>\n"
    "<a href=\"/back\\slash?a\\b='c'\">back\\slash \\' \\\"</a>\n"
    "<a href=\"/n%00ul?a=%00\">percent zero</a>\n"
    "<a href=\"/nul.html\">be\0fore</a>\n"
    "<a href=\"/t.html\">Robert'); DROP TABLE links;--</a></p>";

static const struct fixture_route hostile_routes[] = {
    { .path = "/?*", .body = HOSTILE, .body_len = sizeof HOSTILE - 1 },
    { .path = "/robots.txt", .status = 404 },
    { .path = "/*", .body = "<!DOCTYPE html><title>leaf</title>" },
};

/* URLs and anchor texts with quotes, backslashes, SQL and NUL bytes are
 * stored as the crawler reads them: URLs in their canonical form (which
 * keeps %00 as an escape and never decodes it), anchor texts as libxml2
 * gives them, where a NUL byte ends a text run and so reads as a word
 * break ("be\0fore" is "be fore"). The seeds are kept as given. Nothing
 * else changes: every table is there and the file is sound. */
static void test_safety_verbatim(void **state)
{
    static const struct {
        const char *href, *anchor;
    } links[] = {
        { "/q?x=');DROP TABLE pages;--", "'); DROP TABLE pages;--" },
        { "/it's/\"x\"", "say \"hi\", it's" },
        { "/back\\slash?a\\b='c'", "back\\slash \\' \\\"" },
        { "/n%00ul?a=%00", "percent zero" },
        { "/nul.html", "be fore" },
        { "/t.html", "Robert'); DROP TABLE links;--" },
    };
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    char given[256];
    struct crawl_progress p;
    sqlite3 *db;

    (void)state;
    env_start(&e, hostile_routes, N(hostile_routes), NULL);
    snprintf(given, sizeof given, "%s/?s='%%22\\", fixture_origin(e.fx));
    seed[0] = given;
    opts_for(&o, seed);
    p = crawl_db(e.db, &o);
    assert_int_equal(p.fetched, 1 + N(links));
    db = db_open(e.db);
    assert_db_sound(db);
    q_expect(db, "SELECT seeds FROM crawls", NULL, NULL, given);
    q_expect(db, "SELECT title FROM v_pages WHERE depth = 0", NULL, NULL,
             "it's \"quoted\"");
    for (size_t i = 0; i < N(links); i++) {
        char *url = NULL, *base = NULL;

        assert_int_equal(url_canon(NULL, given, &base, NULL), CDB_OK);
        assert_int_equal(url_canon(base, links[i].href, &url, NULL), CDB_OK);
        q_expect(db, "SELECT anchor FROM v_links WHERE to_url = ?1", url, NULL,
                 links[i].anchor);
        q_expect(db, "SELECT state FROM pages WHERE url = ?1", url, NULL,
                 "done");
        free(url);
        free(base);
    }
    q_expect(db,
             "SELECT substr(url, instr(url, '/n')) FROM pages"
             " WHERE url LIKE '%/n%'",
             NULL, NULL, "/n%00ul?a=%00");
    /* The canonical form escapes what a request line cannot carry. */
    q_expect(db,
             "SELECT substr(url, instr(url, '/q')) FROM pages"
             " WHERE url LIKE '%/q?%'",
             NULL, NULL, "/q?x=%27);DROP%20TABLE%20pages;--");
    q_expect(db,
             "SELECT substr(url, instr(url, '/it')) FROM pages"
             " WHERE url LIKE '%/it''s/%'",
             NULL, NULL, "/it's/%22x%22");
    q_expect(db,
             "SELECT group_concat(name, ' ') FROM (SELECT name FROM"
             " sqlite_schema WHERE type = 'table' AND name IN ('pages',"
             " 'links', 'fetches', 'documents') ORDER BY name)",
             NULL, NULL, "documents fetches links pages");
    sqlite3_close(db);
    env_stop(&e);
}

/* ------------------------------------------------------------------ */
/* D: a full database */

#define GEN_PAGES 60
#define GEN_WORDS 1500

/* A site of GEN_PAGES pages of about 15 KB each, every one with words of
 * its own (so documents and the text index both grow), linked in a mesh. */
static struct fixture_route gen_routes[GEN_PAGES + 2];
static char gen_paths[GEN_PAGES][32];
static char *gen_bodies[GEN_PAGES + 1];

static void gen_site(void)
{
    struct buf b;

    if (gen_bodies[0])
        return;
    for (int i = 0; i <= GEN_PAGES; i++) {
        buf_init(&b, 1 << 20);
        if (i == GEN_PAGES) { /* the index */
            buf_addf(&b, "<!DOCTYPE html><title>index</title><p>"
                         "<a href=\"/p/0.html\">first</a>"
                         " <a href=\"/p/1.html\">second</a></p>");
        } else {
            buf_addf(&b,
                     "<!DOCTYPE html><title>page %d</title><p>"
                     "<a href=\"/p/%d.html\">next</a> <a href=\"/p/%d.html\">"
                     "skip</a> <a href=\"/p/%d.html\">jump</a>"
                     " <a href=\"/\">home</a></p><p>",
                     i, (i + 1) % GEN_PAGES, (i + 2) % GEN_PAGES,
                     (i * 7) % GEN_PAGES);
            for (int w = 0; w < GEN_WORDS; w++)
                buf_addf(&b, "w%dx%d ", i, w);
            buf_addf(&b, "</p>");
            snprintf(gen_paths[i], sizeof gen_paths[i], "/p/%d.html", i);
            gen_routes[i + 1].path = gen_paths[i];
        }
        gen_bodies[i] = buf_detach(&b, NULL);
    }
    gen_routes[0].path = "/";
    gen_routes[0].body = gen_bodies[GEN_PAGES];
    for (int i = 0; i < GEN_PAGES; i++)
        gen_routes[i + 1].body = gen_bodies[i];
    gen_routes[GEN_PAGES + 1].path = "/robots.txt";
    gen_routes[GEN_PAGES + 1].status = 404;
}

static int gen_teardown(void **state)
{
    (void)state;
    for (int i = 0; i <= GEN_PAGES; i++) {
        free(gen_bodies[i]);
        gen_bodies[i] = NULL;
    }
    return 0;
}

/* The bytes of the database at path (page_count * page_size, WAL too). */
static int64_t db_bytes(const char *path)
{
    sqlite3 *db = db_open(path);
    int64_t n = q_int(db,
                      "SELECT page_count * page_size FROM"
                      " pragma_page_count, pragma_page_size",
                      NULL, NULL);

    sqlite3_close(db);
    return n;
}

/* Two databases hold the same crawl: pages with their states, links with
 * their anchors, documents, texts, and one fetch per page (a fetch rolled
 * back with its batch was never kept). Depths are left out: which link
 * finds a page first depends on the order transfers end in. */
static void assert_same_crawl(const char *a, const char *b)
{
    static const char *const sets[] = {
        "SELECT url, state, coalesce(reason, '') FROM SCHEMApages",
        "SELECT f.url, t.url, l.kind, coalesce(l.anchor, ''), l.nofollow"
        " FROM SCHEMAlinks l JOIN SCHEMApages f ON f.id = l.from_page_id"
        " JOIN SCHEMApages t ON t.id = l.to_page_id",
        "SELECT sha256, size, body FROM SCHEMAdocuments",
        "SELECT d.sha256, t.title, t.text FROM SCHEMAdocuments d"
        " JOIN SCHEMAdoc_text t ON t.rowid = d.id",
        "SELECT p.url, f.status, coalesce(d.sha256, ''), count(*)"
        " FROM SCHEMAfetches f JOIN SCHEMApages p ON p.id = f.page_id"
        " LEFT JOIN SCHEMAdocuments d ON d.id = f.document_id GROUP BY p.id",
    };

    for (size_t i = 0; i < N(sets); i++)
        if (sets_differ(a, b, sets[i]) != 0)
            fail_msg("'%s' and '%s' differ in: %s", a, b, sets[i]);
}

/* Crawl the generated site whole into e->db: the reference crawl. */
static void gen_reference(struct env *e, const char *const *seed)
{
    struct crawl_opts o;
    struct crawl_progress p;

    opts_for(&o, seed);
    p = crawl_db(e->db, &o);
    assert_int_equal(p.done, GEN_PAGES + 1);
}

/* --max-db-size stops the crawl with CDB_EFULL and a message naming the
 * file and what to do; the open batch is rolled back, the file is sound,
 * a run with the same limit stops again without losing anything, a run
 * with the limit below the file's size does not start, and a run with a
 * larger limit resumes and ends with the pages and links of an
 * uninterrupted crawl. */
static void test_safety_max_db_size(void **state)
{
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    char path[128], want[256];
    struct crawl_progress p;
    struct cdb_err err = { 0 };
    struct store *st = NULL;
    int64_t empty, whole, limit, done1;
    sqlite3 *db;

    (void)state;
    gen_site();
    env_start(&e, gen_routes, N(gen_routes), NULL);
    seed[0] = env_url(&e, "/");
    gen_reference(&e, seed);
    whole = db_bytes(e.db);
    snprintf(path, sizeof path, "%s/full.db", e.dir);
    assert_int_equal(store_open(path, &st, &err), CDB_OK);
    store_close(st);
    empty = db_bytes(path);
    limit = (empty + (whole - empty) / 3) & ~(int64_t)1023;
    assert_true(limit > empty);

    opts_for(&o, seed);
    o.max_db_bytes = limit;
    assert_int_equal(crawl_rc(path, &o, &p, &err), CDB_EFULL);
    assert_int_equal(err.code, CDB_EFULL);
    snprintf(want, sizeof want, "database '%s' is full (size limit %lld KiB",
             path, (long long)(limit >> 10));
    if (!strstr(err.msg, want) ||
        !strstr(err.msg, "free space or raise --max-db-size and run again "
                         "to resume"))
        fail_msg("message: %s", err.msg);
    assert_true(db_bytes(path) <= limit);
    assert_db_file_sound(path);
    db = db_open(path);
    done1 = q_int(db, "SELECT count(*) FROM pages WHERE state = 'done'", NULL,
                  NULL);
    /* The open batch (up to BATCH_MS of pages) is rolled back: on a site
     * this small that may be all the pages so far. */
    assert_true(done1 >= 0 && done1 < GEN_PAGES);
    /* Every done page has its fetch and document: no half batch kept. */
    assert_int_equal(q_int(db,
                           "SELECT count(*) FROM pages p WHERE state = 'done'"
                           " AND NOT EXISTS (SELECT 1 FROM fetches f WHERE"
                           " f.page_id = p.id AND f.document_id IS NOT NULL)",
                           NULL, NULL),
                     0);
    snprintf(want, sizeof want, "failed %lld", (long long)limit);
    q_expect(db,
             "SELECT status || ' ' || json_extract(options, '$.max_db_size')"
             " FROM crawls",
             NULL, NULL, want);
    sqlite3_close(db);

    /* The same limit again: stops again, nothing lost. */
    assert_int_equal(crawl_rc(path, &o, &p, &err), CDB_EFULL);
    assert_db_file_sound(path);
    db = db_open(path);
    assert_true(q_int(db, "SELECT count(*) FROM pages WHERE state = 'done'",
                      NULL, NULL) >= done1);
    sqlite3_close(db);

    /* A larger limit: the crawl resumes and finishes. */
    o.max_db_bytes = 64 << 20;
    assert_int_equal(crawl_rc(path, &o, &p, &err), CDB_OK);
    assert_db_file_sound(path);
    assert_same_crawl(e.db, path);

    /* A limit below the file's size: refused before the run starts. */
    o.max_db_bytes = limit;
    db = db_open(path);
    assert_int_equal(q_int(db, "SELECT count(*) FROM crawls", NULL, NULL), 3);
    sqlite3_close(db);
    assert_int_equal(crawl_rc(path, &o, &p, &err), CDB_EFULL);
    if (!strstr(err.msg, "cannot grow past the"))
        fail_msg("message: %s", err.msg);
    db = db_open(path);
    assert_int_equal(q_int(db, "SELECT count(*) FROM crawls", NULL, NULL), 3);
    sqlite3_close(db);
    db_remove(path);
    env_stop(&e);
}

/* The command line: --max-db-size in MiB stops the crawl with exit status
 * 5 and the message on stderr; running again with a larger limit and no
 * URL resumes and finishes as an uninterrupted crawl does. Needs the binary
 * (CRAWLDB_BIN, as make test sets it). */
static void test_safety_cli_max_db_size(void **state)
{
    const char *bin = getenv("CRAWLDB_BIN");
    struct env e;
    const char *seed[1];
    char path[128], cmd[1024], out[4096], want[256];
    size_t n;
    FILE *f;
    int status;

    (void)state;
    if (!bin || !*bin)
        skip();
    gen_site();
    env_start(&e, gen_routes, N(gen_routes), NULL);
    seed[0] = env_url(&e, "/");
    gen_reference(&e, seed);
    snprintf(path, sizeof path, "%s/cli.db", e.dir);
    snprintf(cmd, sizeof cmd,
             "%s%s crawl -q -d %s --no-sitemaps --retries 0 --max-db-size 1"
             " %s 2>&1",
             strchr(bin, '/') ? "" : "./", bin, path, seed[0]);
    f = popen(cmd, "r");
    assert_non_null(f);
    n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    status = pclose(f);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 5)
        fail_msg("exit %d: %s", WEXITSTATUS(status), out);
    snprintf(want, sizeof want,
             "database '%s' is full (--max-db-size 1 MiB, or the disk): "
             "cannot ",
             path);
    if (!strstr(out, want) ||
        !strstr(out, "free space or raise --max-db-size and run again to "
                     "resume"))
        fail_msg("output: %s", out);
    assert_db_file_sound(path);
    snprintf(cmd, sizeof cmd,
             "%s%s crawl -q -d %s --no-sitemaps --retries 0 --max-db-size 64"
             " 2>&1",
             strchr(bin, '/') ? "" : "./", bin, path);
    f = popen(cmd, "r");
    assert_non_null(f);
    n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    status = pclose(f);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("resume: status %d: %s", status, out);
    assert_same_crawl(e.db, path);
    db_remove(path);
    env_stop(&e);
}

/* Write text to a /proc file; false on failure. */
static bool write_proc(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

    if (fd >= 0)
        close(fd);
    return ok;
}

/* Enter a private mount namespace (through a user namespace when not
 * root) and mount a tmpfs of the given size on dir, or resize it (remount).
 * For a forked child only: false when the system does not allow it. */
static bool tmpfs_mount(const char *dir, const char *size, bool remount)
{
    char opts[64], map[64];

    if (!remount && unshare(CLONE_NEWNS) != 0) {
        unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            return false;
        snprintf(map, sizeof map, "0 %u 1", uid);
        if (!write_proc("/proc/self/uid_map", map) ||
            !write_proc("/proc/self/setgroups", "deny"))
            return false;
        snprintf(map, sizeof map, "0 %u 1", gid);
        if (!write_proc("/proc/self/gid_map", map))
            return false;
    }
    /* Nothing mounted here may propagate to the rest of the system. */
    if (!remount && mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return false;
    snprintf(opts, sizeof opts, "size=%s", size);
    return mount("tmpfs", dir, "tmpfs", remount ? MS_REMOUNT : 0, opts) == 0;
}

/* integrity_check says ok and foreign_key_check finds nothing (for the
 * child, which must not use cmocka's asserts). */
static bool file_sound(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    bool ok =
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW &&
        strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;

    sqlite3_finalize(q);
    q = NULL;
    ok = ok &&
         sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &q, NULL) ==
             SQLITE_OK &&
         sqlite3_step(q) == SQLITE_DONE;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return ok;
}

/* Copy the database at path to copy (VACUUM INTO), for the parent. */
static bool file_copy(const char *path, const char *copy)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    bool ok =
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_bind_text(q, 1, copy, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_DONE;

    sqlite3_finalize(q);
    sqlite3_close(db);
    return ok;
}

/* Fill the file system of dir to the last byte with a file at path. */
static bool fill_disk(const char *path)
{
    static const char block[4096];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ssize_t n = 1;
    int e = 0;

    if (fd < 0)
        return false;
    while (n > 0)
        n = write(fd, block, sizeof block);
    e = errno;
    close(fd);
    return n < 0 && e == ENOSPC;
}

/* Open the database at path; true if store_open() says the database is
 * full, naming it, with no store. */
static bool open_full(const char *path, const char *step)
{
    struct cdb_err err = { 0 };
    struct store *st = NULL;
    int rc = store_open(path, &st, &err);

    if (rc == CDB_EFULL && !st && strstr(err.msg, path) &&
        strstr(err.msg, "is full (no space left on the disk): cannot "))
        return true;
    fprintf(stderr, "%s: store_open gave %d: %s\n", step, rc, err.msg);
    store_close(st);
    return false;
}

/* The child of test_safety_disk_full, on a tmpfs on dir: too small for the
 * schema, store_open() fails cleanly; with a database made and the disk
 * then filled, store_open() fails cleanly as its -wal file cannot be
 * written; with some room, the crawl fills the disk and stops cleanly;
 * with much room, it resumes and finishes. Returns 0, 77 when no tmpfs can
 * be had, else the step that went wrong (told on stderr). */
static int disk_full_child(const char *dir, const char *copy,
                           const char *const *seed)
{
    char path[128], filler[128];
    struct cdb_err err = { 0 };
    struct store *st = NULL;
    struct crawl_opts o;
    struct crawl_progress p;
    int rc;

    if (!tmpfs_mount(dir, "16k", false))
        return 77;
    snprintf(path, sizeof path, "%s/crawl.db", dir);
    snprintf(filler, sizeof filler, "%s/filler", dir);
    if (!open_full(path, "creating on a full disk"))
        return 1;
    if (!tmpfs_mount(dir, "1m", true))
        return 2;
    if (store_open(path, &st, &err) != CDB_OK) { /* after the failed one */
        fprintf(stderr, "store_open with room: %s\n", err.msg);
        return 3;
    }
    store_close(st); /* checkpoints and removes the -wal file */
    if (!fill_disk(filler) || !open_full(path, "opening on a full disk"))
        return 4;
    unlink(filler);
    if (!file_sound(path))
        return 5;
    opts_for(&o, seed);
    rc = crawl_rc(path, &o, &p, &err);
    if (rc != CDB_EFULL || !strstr(err.msg, path) ||
        !strstr(err.msg, "(no space left on the disk)")) {
        fprintf(stderr, "crawl on a full disk: %d %s\n", rc, err.msg);
        return 6;
    }
    if (p.done < 0 || p.done > GEN_PAGES + 1 || !file_sound(path)) {
        fprintf(stderr, "after the disk filled: %lld done, or not sound\n",
                (long long)p.done);
        return 7;
    }
    if (!tmpfs_mount(dir, "64m", true))
        return 8;
    rc = crawl_rc(path, &o, &p, &err);
    if (rc != CDB_OK || !file_sound(path)) {
        fprintf(stderr, "resume: %d %s\n", rc, err.msg);
        return 9;
    }
    return file_copy(path, copy) ? 0 : 10;
}

/* A real full disk (a tmpfs in a private mount namespace, in a child
 * process): the database that cannot even be created fails store_open()
 * with the full-database message; the crawl that fills the disk stops with
 * CDB_EFULL, the file sound; with room again it resumes and ends as an
 * uninterrupted crawl. Skipped where no mount namespace can be had. */
static void test_safety_disk_full(void **state)
{
    struct env e;
    const char *seed[1];
    char dir[64], copy[128];
    pid_t pid;
    int status = 0;
    sqlite3 *db;

    (void)state;
    gen_site();
    env_start(&e, gen_routes, N(gen_routes), NULL);
    seed[0] = env_url(&e, "/");
    gen_reference(&e, seed);
    snprintf(dir, sizeof dir, "/tmp/crawldb-tmpfs-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(copy, sizeof copy, "%s/disk.db", e.dir);
    pid = env_fork(&e);
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(disk_full_child(dir, copy, seed));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    rmdir(dir); /* the tmpfs went with the child's mount namespace */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        env_stop(&e);
        print_message("no tmpfs in a mount namespace here: skipped\n");
        skip();
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the child failed: status %d", status);
    assert_db_file_sound(copy);
    assert_same_crawl(e.db, copy);
    db = db_open(copy);
    /* The stopped run is marked failed if the disk had room for that (it
     * usually has: the rolled-back batch's -wal space is reused), else it
     * stays running; the resumed one finished. */
    q_expect(db,
             "SELECT group_concat(replace(status, 'running', 'failed'), ' ')"
             " FROM (SELECT status FROM crawls ORDER BY id)",
             NULL, NULL, "failed finished");
    sqlite3_close(db);
    db_remove(copy);
    env_stop(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safety_block_forced_seed),
        cmocka_unit_test(test_safety_block_every_form),
        cmocka_unit_test(test_safety_auto_loopback_seed),
        cmocka_unit_test(test_safety_seed_name_resolves_private),
        cmocka_unit_test(test_safety_insecure_recorded),
        cmocka_unit_test(test_safety_verbatim),
        cmocka_unit_test(test_safety_max_db_size),
        cmocka_unit_test(test_safety_cli_max_db_size),
        cmocka_unit_test(test_safety_disk_full),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, gen_teardown);
    integ_cleanup();
    return rc;
}
