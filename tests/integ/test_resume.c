/* Integration tests of stopping and resuming: a crawl killed with SIGKILL at
 * random moments leaves a sound database each time and, run to its end,
 * gives what an uninterrupted crawl gives while refetching only what was in
 * flight; a crawl stopped through its stop flag says 'interrupted' and a
 * later run finishes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "integ.h"
#include "util.h"

#define SITE_PAGES  300 /* generated pages /p/1.html ... */
#define SITE_EXTRA  8   /* routes besides the pages */
#define SITE_IMAGES 4   /* /img/0.png ...; 2 and 3 have the same bytes */
#define DELAY_MS    10  /* per response */
#define CONCURRENCY 8
#define KILLS       5

/* A generated site: "/" links to /p/1.html; /p/i.html links to its children
 * /p/2i.html and /p/2i+1.html, back to "/", and to an image; a few pages
 * also link to a missing page and a redirect. */
struct site {
    struct fixture_route routes[SITE_PAGES + SITE_EXTRA];
    size_t n;
    char *bodies[SITE_PAGES + 1];
    char paths[SITE_PAGES + 1][32];
};

static const char IMG[SITE_IMAGES][16] = { "\x89PNG\r\n\x1a\n\0\0\0\0",
                                           "\x89PNG\r\n\x1a\n\0\0\0\1",
                                           "\x89PNG\r\n\x1a\n\0\0\0\2",
                                           "\x89PNG\r\n\x1a\n\0\0\0\2" };

static void site_build(struct site *s, int pages, unsigned delay_ms)
{
    static const char *const img_paths[SITE_IMAGES] = {
        "/img/0.png", "/img/1.png", "/img/2.png", "/img/3.png"
    };
    char body[1024];

    assert_true(pages <= SITE_PAGES);
    memset(s, 0, sizeof *s);
    for (int i = 1; i <= pages; i++) {
        int n = snprintf(body, sizeof body,
                         "<!DOCTYPE html><html><head><title>Page %d</title>"
                         "</head><body><h1>Page %d</h1>"
                         "<p><a href=\"/\">home</a> <img src=\"/img/%d.png\">",
                         i, i, i % SITE_IMAGES);

        if (2 * i <= pages)
            n += snprintf(body + n, sizeof body - (size_t)n,
                          " <a href=\"/p/%d.html\">left %d</a>", 2 * i, 2 * i);
        if (2 * i + 1 <= pages)
            n += snprintf(body + n, sizeof body - (size_t)n,
                          " <a href=\"%d.html\">right</a>", 2 * i + 1);
        if (i % 50 == 7)
            n += snprintf(body + n, sizeof body - (size_t)n,
                          " <a href=\"/gone/%d.html\">gone</a>"
                          " <a href=\"/moved\">moved</a>",
                          i);
        snprintf(body + n, sizeof body - (size_t)n, "</p></body></html>");
        s->bodies[i] = strdup(body);
        snprintf(s->paths[i], sizeof s->paths[i], "/p/%d.html", i);
        s->routes[s->n++] = (struct fixture_route){ .path = s->paths[i],
                                                    .body = s->bodies[i],
                                                    .delay_ms = delay_ms };
    }
    s->routes[s->n++] = (struct fixture_route){
        .path = "/",
        .body = "<html><title>Home</title><a href=\"/p/1.html\">start</a>",
        .delay_ms = delay_ms
    };
    s->routes[s->n++] =
        (struct fixture_route){ .path = "/moved",
                                .status = 301,
                                .headers = "Location: /p/3.html\n",
                                .delay_ms = delay_ms };
    for (int i = 0; i < SITE_IMAGES; i++)
        s->routes[s->n++] =
            (struct fixture_route){ .path = img_paths[i],
                                    .headers = "Content-Type: image/png\n",
                                    .body = IMG[i],
                                    .body_len = sizeof IMG[i],
                                    .delay_ms = delay_ms };
    /* Anything else ("/gone/...", "/robots.txt") is the fixture's 404. */
}

static void site_free(struct site *s)
{
    for (int i = 0; i <= SITE_PAGES; i++)
        free(s->bodies[i]);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        continue;
}

/* The paths requested since a moment that the database does not show
 * settled yet: the requests in flight when a crawl was killed. */
struct pending {
    char paths[SITE_PAGES + 64][40];
    size_t n;
    int64_t since_ms;
};

static void add_pending(void *ctx, const char *method, const char *path,
                        int64_t t_ms, const char *user_agent,
                        const char *if_none_match,
                        const char *if_modified_since)
{
    struct pending *p = ctx;

    (void)method;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    if (t_ms < p->since_ms)
        return;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->paths[i], path) == 0)
            return;
    assert_true(p->n < sizeof p->paths / sizeof p->paths[0]);
    snprintf(p->paths[p->n++], sizeof p->paths[0], "%s", path);
}

/* Drop from p what the database at path shows settled; true if it is
 * then empty. */
static bool pending_settle(struct env *e, struct pending *p)
{
    sqlite3 *db;
    size_t keep = 0;

    if (p->n == 0)
        return true;
    db = db_open(e->db);
    for (size_t i = 0; i < p->n; i++) {
        char *st;
        bool settled;

        if (strcmp(p->paths[i], "/robots.txt") == 0) {
            settled = q_int(db,
                            "SELECT count(*) FROM hosts WHERE"
                            " robots_status IS NOT NULL",
                            NULL, NULL) > 0;
        } else {
            st = q_text(db, "SELECT state FROM pages WHERE url = ?1",
                        env_url(e, p->paths[i]), NULL);
            settled = st && strcmp(st, "queued") != 0;
            free(st);
        }
        if (!settled)
            memmove(p->paths[keep++], p->paths[i], sizeof p->paths[0]);
    }
    p->n = keep;
    sqlite3_close(db);
    return keep == 0;
}

/* Run a crawl of o into e's database in a child process; once the pages
 * in flight at the previous kill (*p) are settled again, wait ms more and
 * kill it with SIGKILL (if it has not finished by then). Afterwards *p
 * holds the pages in flight at this kill. */
static void crawl_killed(struct env *e, const struct crawl_opts *o, long ms,
                         struct pending *p)
{
    int status = 0;
    int64_t start = now_ms();
    unsigned before = fixture_total(e->fx);
    pid_t pid = fork(), done = 0;

    assert_true(pid >= 0);
    if (pid == 0) { /* the child: no cmocka, no cleanup, no atexit */
        struct cdb_err err = { 0 };
        struct store *st = NULL;
        int rc = store_open(e->db, &st, &err);

        if (rc == CDB_OK)
            rc = crawl_run(o, st, NULL, &err);
        _exit(rc == CDB_OK ? 0 : 3);
    }
    /* Kill no run before it has redone what the last kill cut short, or
     * a page could be cut short twice; this is a bound of the test, not a
     * guarantee the crawler could give. */
    while (!pending_settle(e, p) &&
           (done = waitpid(pid, &status, WNOHANG)) == 0) {
        if (now_ms() - start > 20000)
            fail_msg("a killed crawl's pages stay unsettled");
        sleep_ms(2);
    }
    /* The random moment counts from the run's first request, so that start-up
     * (slower under ASan) cannot swallow it and every kill cuts a crawl. */
    while (done == 0 && fixture_total(e->fx) == before &&
           (done = waitpid(pid, &status, WNOHANG)) == 0) {
        if (now_ms() - start > 20000)
            fail_msg("a resumed crawl made no request");
        sleep_ms(1);
    }
    if (done == 0) {
        sleep_ms(ms);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        fail_msg("the killed crawl failed on its own (exit %d)",
                 WEXITSTATUS(status));
    memset(p, 0, sizeof *p);
    p->since_ms = start;
    fixture_each(e->fx, add_pending, p);
    pending_settle(e, p);
}

struct hit_tally {
    char paths[SITE_PAGES + 64][40];
    unsigned hits[SITE_PAGES + 64];
    size_t n;
    unsigned total;
};

static void tally(void *ctx, const char *method, const char *path, int64_t t_ms,
                  const char *user_agent, const char *if_none_match,
                  const char *if_modified_since)
{
    struct hit_tally *t = ctx;
    size_t i = 0;

    (void)method;
    (void)t_ms;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    t->total++;
    while (i < t->n && strcmp(t->paths[i], path) != 0)
        i++;
    if (i == t->n) {
        if (t->n == sizeof t->hits / sizeof t->hits[0])
            return;
        snprintf(t->paths[t->n++], sizeof t->paths[0], "%s", path);
    }
    t->hits[i]++;
}

static const char SQL_PAGE_SET[] =
    "SELECT url, state, coalesce(reason, '') FROM SCHEMApages";
static const char SQL_LINK_SET[] =
    "SELECT f.url, t.url, l.kind FROM SCHEMAlinks l"
    " JOIN SCHEMApages f ON f.id = l.from_page_id"
    " JOIN SCHEMApages t ON t.id = l.to_page_id";
static const char SQL_DOC_SET[] = "SELECT sha256 FROM SCHEMAdocuments";

/* A crawl killed with SIGKILL five times at random moments is sound after
 * each kill (integrity_check ok, foreign_key_check empty) and, run to its
 * end in-process, has the same pages with the same states, the same links
 * and the same documents as an uninterrupted crawl, with no path requested
 * more than twice and the refetches bounded by kills times concurrency. */
static void test_resume_after_kills(void **state)
{
    static struct site s;
    static struct hit_tally t;
    static struct pending pend;
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    char ref[128];
    unsigned seed_rand = (unsigned)time(NULL), excess = 0;
    sqlite3 *db;
    int64_t done, queued;
    int mid_crawl = 0;

    (void)state;
    site_build(&s, SITE_PAGES, DELAY_MS);
    env_start(&e, s.routes, s.n, NULL);
    snprintf(ref, sizeof ref, "%s/ref.db", e.dir);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.concurrency = CONCURRENCY;
    o.fetch.per_host = CONCURRENCY;

    crawl_db(ref, &o); /* the uninterrupted crawl */
    assert_db_file_sound(ref);
    db = db_open(ref);
    q_expect(db, "SELECT count(*) FROM pages WHERE state = 'done'", NULL, NULL,
             "306"); /* "/", the pages, /moved and four images */
    /* 301 pages, three distinct images and the 404 body */
    q_expect(db, "SELECT count(*) FROM documents", NULL, NULL, "305");
    sqlite3_close(db);
    fixture_reset_log(e.fx);

    memset(&pend, 0, sizeof pend);
    srand(seed_rand);
    print_message("kill moments from seed %u\n", seed_rand);
    for (int k = 0; k < KILLS; k++) {
        long ms = 10 + rand() % 60;

        crawl_killed(&e, &o, ms, &pend);
        assert_db_file_sound(e.db);
        db = db_open(e.db);
        done = q_int(db, "SELECT count(*) FROM pages WHERE state <> 'queued'",
                     NULL, NULL);
        queued = q_int(db, "SELECT count(*) FROM pages WHERE state = 'queued'",
                       NULL, NULL);
        sqlite3_close(db);
        print_message("kill %d after %ld ms: %lld pages settled, %lld queued\n",
                      k + 1, ms, (long long)done, (long long)queued);
        mid_crawl += done > 0 && queued > 0;
    }
    assert_true(mid_crawl > 0); /* a kill came in the middle of the crawl */
    crawl_db(e.db, &o);
    assert_db_file_sound(e.db);

    assert_int_equal(sets_differ(e.db, ref, SQL_PAGE_SET), 0);
    assert_int_equal(sets_differ(e.db, ref, SQL_LINK_SET), 0);
    assert_int_equal(sets_differ(e.db, ref, SQL_DOC_SET), 0);
    db = db_open(e.db);
    q_expect(db, "SELECT count(*) FROM pages WHERE state = 'queued'", NULL,
             NULL, "0");
    q_expect(db, "SELECT status FROM crawls ORDER BY id DESC LIMIT 1", NULL,
             NULL, "finished");
    sqlite3_close(db);

    memset(&t, 0, sizeof t);
    fixture_each(e.fx, tally, &t);
    for (size_t i = 0; i < t.n; i++) {
        if (t.hits[i] > 2)
            fail_msg("'%s' was requested %u times", t.paths[i], t.hits[i]);
        excess += t.hits[i] - 1;
    }
    print_message("%u requests, %u refetched after %d kills\n", t.total, excess,
                  KILLS);
    /* A kill loses the pages in flight and the open batch: up to BATCH_MS
     * (250 ms) of finished pages, at most CONCURRENCY every DELAY_MS. */
    assert_true(excess <= KILLS * CONCURRENCY * (1 + 250 / DELAY_MS));
    db_remove(ref);
    env_stop(&e);
    site_free(&s);
}

struct stopper {
    volatile sig_atomic_t flag;
    int64_t after; /* pages done before the flag is set */
};

static void stop_after(void *ctx, const struct crawl_progress *p)
{
    struct stopper *s = ctx;

    if (p->url && p->done >= s->after)
        s->flag = 1;
}

/* Setting the stop flag from on_progress after 5 pages ends the run with
 * its crawls row 'interrupted' and pages still queued, each fetched page
 * requested once; a later run finishes the crawl, fetching only the rest. */
static void test_resume_stop_flag(void **state)
{
    static struct site s;
    struct stopper stop = { 0, 5 };
    struct env e;
    struct crawl_opts o;
    struct crawl_progress p;
    const char *seed[1];
    sqlite3 *db;
    int64_t done;

    (void)state;
    site_build(&s, 40, 5);
    env_start(&e, s.routes, s.n, NULL);
    seed[0] = env_url(&e, "/");
    opts_for(&o, seed);
    o.fetch.concurrency = 2;
    o.fetch.per_host = 2;
    o.stop = &stop.flag;
    o.on_progress = stop_after;
    o.progress_ctx = &stop;
    p = crawl_db(e.db, &o);
    assert_true(p.interrupted);
    assert_true(p.done >= 5);
    assert_db_file_sound(e.db);
    db = db_open(e.db);
    q_expect(db, "SELECT status || ' ' || (ended_at IS NOT NULL) FROM crawls",
             NULL, NULL, "interrupted 1");
    done = q_int(db, "SELECT count(*) FROM pages WHERE state = 'done'", NULL,
                 NULL);
    assert_true(done >= 5 && done <= 5 + 2);
    assert_true(q_int(db, "SELECT count(*) FROM pages WHERE state = 'queued'",
                      NULL, NULL) > 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM fetches", NULL, NULL),
                     (int64_t)fixture_total(e.fx) - 1); /* robots.txt */
    sqlite3_close(db);

    o.stop = NULL;
    o.on_progress = NULL;
    p = crawl_db(e.db, &o);
    assert_false(p.interrupted);
    assert_db_file_sound(e.db);
    db = db_open(e.db);
    q_expect(db, "SELECT group_concat(status) FROM crawls", NULL, NULL,
             "interrupted,finished");
    q_expect(db, "SELECT count(*) FROM pages WHERE state = 'queued'", NULL,
             NULL, "0");
    assert_int_equal(q_int(db, "SELECT count(*) FROM fetches", NULL, NULL),
                     (int64_t)fixture_total(e.fx) - 1);
    q_expect(db,
             "SELECT count(*) FROM (SELECT page_id FROM fetches"
             " GROUP BY page_id HAVING count(*) > 1)",
             NULL, NULL, "0");
    sqlite3_close(db);
    assert_int_equal(fixture_hits(e.fx, "/robots.txt"), 1);
    env_stop(&e);
    site_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_after_kills),
        cmocka_unit_test(test_resume_stop_flag),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
