/* Integration tests of the crawldb binary while it crawls: SIGINT and
 * SIGTERM stop it promptly with exit status 1, its run marked 'interrupted',
 * what was in flight either recorded or left queued, and `crawldb crawl -d
 * FILE` then finishes the crawl as if it had never stopped; readers query
 * the database throughout without SQLITE_BUSY and never see half a batch;
 * a second crawl of a database being crawled is refused. The binary is
 * CRAWLDB_BIN (as make test sets it), else ./crawldb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "integ.h"
#include "util.h"

#define MAX_PAGES  64
#define HANG_PATH  "/hang.html"
#define HANG_MS    2000 /* longer than the crawl's grace for what is in flight */
#define FLAKY_PATH "/flaky.html"
#define FLAKY_MS   700 /* answered 503 after this, the first time */

/* A generated site: "/" links to /p/1.html and to HANG_PATH; /p/i.html
 * links to /p/2i.html and /p/2i+1.html and back to "/". Every answer takes
 * delay_ms, HANG_PATH's hang_ms. With flaky_ms, "/" also links to
 * FLAKY_PATH, which answers after flaky_ms, the first time with a 503. */
struct site {
    struct fixture_route routes[MAX_PAGES + 3];
    size_t n;
    char bodies[MAX_PAGES + 1][400];
    char paths[MAX_PAGES + 1][24];
    char home[300];
};

static void site_build(struct site *s, int pages, unsigned delay_ms,
                       unsigned hang_ms, unsigned flaky_ms)
{
    assert_true(pages <= MAX_PAGES);
    memset(s, 0, sizeof *s);
    for (int i = 1; i <= pages; i++) {
        int n = snprintf(s->bodies[i], sizeof s->bodies[i],
                         "<!DOCTYPE html><title>Page %d</title>"
                         "<p><a href=\"/\">home</a>",
                         i);

        for (int c = 2 * i; c <= 2 * i + 1 && c <= pages; c++)
            n += snprintf(s->bodies[i] + n, sizeof s->bodies[i] - (size_t)n,
                          " <a href=\"/p/%d.html\">page %d</a>", c, c);
        snprintf(s->paths[i], sizeof s->paths[i], "/p/%d.html", i);
        s->routes[s->n++] = (struct fixture_route){ .path = s->paths[i],
                                                    .body = s->bodies[i],
                                                    .delay_ms = delay_ms };
    }
    snprintf(s->home, sizeof s->home,
             "<!DOCTYPE html><title>Home</title><a href=\"/p/1.html\">start</a>"
             " <a href=\"" HANG_PATH "\">slow</a>%s",
             flaky_ms ? " <a href=\"" FLAKY_PATH "\">flaky</a>" : "");
    s->routes[s->n++] = (struct fixture_route){ .path = "/",
                                                .body = s->home,
                                                .delay_ms = delay_ms };
    if (flaky_ms)
        s->routes[s->n++] =
            (struct fixture_route){ .path = FLAKY_PATH,
                                    .body =
                                        "<!DOCTYPE html><title>Flaky</title>",
                                    .delay_ms = flaky_ms,
                                    .fail_first = 1 };
    s->routes[s->n++] =
        (struct fixture_route){ .path = HANG_PATH,
                                .body = "<!DOCTYPE html><title>Slow</title>",
                                .delay_ms = hang_ms };
    /* robots.txt and sitemap.xml are the fixture's 404. */
}

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        continue;
}

static const char *crawldb_bin(void)
{
    const char *bin = getenv("CRAWLDB_BIN");

    if (!bin || !*bin)
        bin = "./crawldb";
    if (access(bin, X_OK) != 0)
        fail_msg("no crawldb binary at '%s': run make, or set CRAWLDB_BIN",
                 bin);
    return bin;
}

/* One crawldb process; its stdout and stderr go to files in e->dir. */
struct run {
    pid_t pid;
    int64_t start_ms;
    char out[128], err[128];
};

#define MAX_ARGS 16
#define MAX_RUNS 8 /* processes one test starts */

static pid_t started[MAX_RUNS];
static size_t n_started;

/* Start crawldb with args (NULL-terminated, without argv[0]). */
static void run_start(struct env *e, struct run *r, const char *tag,
                      const char *const *args)
{
    char *argv[MAX_ARGS + 2]; /* copies: execv() takes char *const[] */
    size_t n = 0;

    argv[n++] = xstrdup(crawldb_bin());
    while (*args) {
        assert_true(n <= MAX_ARGS);
        argv[n++] = xstrdup(*args++);
    }
    argv[n] = NULL;
    snprintf(r->out, sizeof r->out, "%s/%s.out", e->dir, tag);
    snprintf(r->err, sizeof r->err, "%s/%s.err", e->dir, tag);
    r->start_ms = now_ms();
    assert_true(n_started < MAX_RUNS);
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) { /* async-signal-safe calls only: the fixture has
                          threads */
        int out = open(r->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int null = open("/dev/null", O_RDONLY);

        if (out < 0 || err < 0 || null < 0 || dup2(null, 0) < 0 ||
            dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        close(out);
        close(err);
        close(null);
        execv(argv[0], argv);
        _exit(127);
    }
    started[n_started++] = r->pid;
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
}

/* After each test: a failed one may leave its crawldb running. Only our
 * own children still running are killed: waitpid() says which. */
static int reap_runs(void **state)
{
    int status;

    (void)state;
    for (size_t i = 0; i < n_started; i++) {
        if (waitpid(started[i], &status, WNOHANG) == 0) {
            kill(started[i], SIGKILL);
            waitpid(started[i], &status, 0);
        }
    }
    n_started = 0;
    return 0;
}

/* Wait at most max_ms for r to exit; its exit status. Death by a signal
 * or the time running out fails the test. */
static int run_wait(struct run *r, int64_t max_ms)
{
    int64_t until = now_ms() + max_ms;
    int status = 0;
    pid_t got;

    while ((got = waitpid(r->pid, &status, WNOHANG)) == 0) {
        if (now_ms() > until) {
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &status, 0);
            fail_msg("crawldb still runs after %lld ms",
                     (long long)(now_ms() - r->start_ms));
        }
        sleep_ms(2);
    }
    assert_int_equal(got, r->pid);
    if (!WIFEXITED(status))
        fail_msg("crawldb died of signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

/* The text of a small file (caller frees). */
static char *file_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = xcalloc(1, 65536);

    if (f) {
        size_t n = fread(text, 1, 65535, f);

        text[n] = '\0';
        fclose(f);
    }
    return text;
}

/* Wait for r as run_wait() does; its exit status must be want. */
static void run_expect(struct run *r, int64_t max_ms, int want)
{
    int code = run_wait(r, max_ms);
    char *err;

    if (code == want)
        return;
    err = file_text(r->err);
    fail_msg("crawldb exited %d, not %d; stderr: %s", code, want, err);
}

/* Whether r has exited (its status in *code); false while it runs. */
static bool run_ended(struct run *r, int *code)
{
    int status = 0;
    pid_t got = waitpid(r->pid, &status, WNOHANG);

    if (got == 0)
        return false;
    assert_int_equal(got, r->pid);
    if (!WIFEXITED(status))
        fail_msg("crawldb died of signal %d", WTERMSIG(status));
    *code = WEXITSTATUS(status);
    return true;
}

static void assert_file_has(const char *path, const char *want)
{
    char *text = file_text(path);

    if (!strstr(text, want))
        fail_msg("'%s' does not say '%s'; it says: %s", path, want, text);
    free(text);
}

/* Wait until the crawl has made a request past the first `before`. */
static void wait_request(struct env *e, struct run *r, unsigned before)
{
    int code;

    while (fixture_total(e->fx) <= before) {
        if (run_ended(r, &code))
            fail_msg("crawldb exited (%d) before any request", code);
        if (now_ms() - r->start_ms > 20000)
            fail_msg("crawldb made no request");
        sleep_ms(1);
    }
}

/* A connection that only reads, as a person with sqlite3 or DB Browser
 * would have open during a crawl; no busy timeout: in WAL mode readers
 * are never blocked, so SQLITE_BUSY is a failure. */
static sqlite3 *db_open_ro(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open '%s' read-only: %s", path, sqlite3_errmsg(db));
    return db;
}

/* Wait until at least n pages are done, watching read-only. */
static void wait_done(struct env *e, struct run *r, int64_t n)
{
    sqlite3 *db = db_open_ro(e->db);
    int code;

    while (q_int(db, "SELECT count(*) FROM pages WHERE state = 'done'", NULL,
                 NULL) < n) {
        if (run_ended(r, &code))
            fail_msg("crawldb exited (%d) before %lld pages were done", code,
                     (long long)n);
        if (now_ms() - r->start_ms > 20000)
            fail_msg("fewer than %lld pages done after 20 s", (long long)n);
        sleep_ms(2);
    }
    sqlite3_close(db);
}

static const char SQL_PAGE_SET[] =
    "SELECT url, state, coalesce(reason, '') FROM SCHEMApages";
static const char SQL_LINK_SET[] =
    "SELECT f.url, t.url, l.kind, coalesce(l.anchor, ''), l.nofollow"
    " FROM SCHEMAlinks l"
    " JOIN SCHEMApages f ON f.id = l.from_page_id"
    " JOIN SCHEMApages t ON t.id = l.to_page_id";
static const char SQL_DOC_SET[] =
    "SELECT sha256, size, body FROM SCHEMAdocuments";

/* e's database holds what the uninterrupted crawl into ref holds. */
static void assert_same_crawl(struct env *e, const char *ref)
{
    assert_int_equal(sets_differ(e->db, ref, SQL_PAGE_SET), 0);
    assert_int_equal(sets_differ(e->db, ref, SQL_LINK_SET), 0);
    assert_int_equal(sets_differ(e->db, ref, SQL_DOC_SET), 0);
}

/* Every path the fixture logged, with how often. */
/* Requests whose User-Agent is ctx's string. */
struct ua_count {
    const char *ua;
    unsigned n;
};

static void count_ua(void *ctx, const char *method, const char *path,
                     int64_t t_ms, const char *user_agent,
                     const char *if_none_match, const char *if_modified_since)
{
    struct ua_count *u = ctx;

    (void)method;
    (void)path;
    (void)t_ms;
    (void)if_none_match;
    (void)if_modified_since;
    if (user_agent && strcmp(user_agent, u->ua) == 0)
        u->n++;
}

/* When a path was last requested. */
struct asked {
    const char *path;
    int64_t t_ms;
};

static void asked_at(void *ctx, const char *method, const char *path,
                     int64_t t_ms, const char *user_agent,
                     const char *if_none_match, const char *if_modified_since)
{
    struct asked *a = ctx;

    (void)method;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    if (strcmp(path, a->path) == 0)
        a->t_ms = t_ms;
}

/* The uninterrupted crawl of e's site from url into ref (e->dir/ref.db),
 * to compare with; the fixture's log is cleared after it. */
static void crawl_ref(struct env *e, char *ref, size_t n, const char *url)
{
    struct run r;

    snprintf(ref, n, "%s/ref.db", e->dir);
    run_start(e, &r, "ref",
              (const char *const[]){ "crawl", "-d", ref, "-q", "--concurrency",
                                     "4", url, NULL });
    run_expect(&r, 30000, 0);
    assert_db_file_sound(ref);
}

/* Start a crawl of url into e's database, named name, and return once four
 * of its pages are done. */
static void start_crawl_mid(struct env *e, struct run *r, const char *name,
                            const char *url)
{
    run_start(e, r, name,
              (const char *const[]){ "crawl", "-d", e->db, "--concurrency", "4",
                                     url, NULL });
    wait_request(e, r, 0);
    wait_done(e, r, 4);
}

/* Continue the stopped crawl in e's database with `crawldb crawl -d FILE`
 * (quiet, or not, to read what it says in r->err): it exits 0 and leaves a
 * sound file whose runs are the stopped one and a finished one, every run
 * ended, nothing queued, and the pages, links and documents of the
 * uninterrupted crawl into ref. */
static void resume_finishes(struct env *e, struct run *r, const char *ref,
                            bool quiet)
{
    sqlite3 *db;

    run_start(e, r, "resumed",
              (const char *const[]){ "crawl", "-d", e->db, quiet ? "-q" : NULL,
                                     NULL });
    run_expect(r, 30000, 0);
    assert_db_file_sound(e->db);
    db = db_open(e->db);
    q_expect(db, "SELECT group_concat(status, ',') FROM crawls", NULL, NULL,
             "interrupted,finished");
    q_expect(db, "SELECT count(*) FROM crawls WHERE ended_at IS NULL", NULL,
             NULL, "0");
    q_expect(db, "SELECT count(*) FROM pages WHERE state = 'queued'", NULL,
             NULL, "0");
    sqlite3_close(db);
    assert_same_crawl(e, ref);
}

/* SIGINT, then SIGTERM, sent to `crawldb crawl` while its pages are in
 * flight, one of them a page whose answer takes HANG_MS and one that will
 * answer 503: the process exits within the crawl's grace for what is in
 * flight, long before the slow answer, with status 1 and a log line saying
 * it was interrupted; its crawls row says 'interrupted' with an end time;
 * every request it made is recorded (one fetch row, the page settled) but
 * the slow one, queued again with no fetch row, and the 503, recorded and
 * queued again to be tried as an uninterrupted crawl would; the database is
 * sound. Then `crawldb crawl -d FILE` continues the crawl with its stored
 * seed and ends with the pages, links and documents of an uninterrupted
 * crawl, requesting each page once in all but those two. */
static void test_signals_stop(void **state)
{
    static struct site s;
    static struct path_count rq;
    const int sig = *(const int *)*state;
    struct env e;
    struct run r;
    char ref[128];
    const char *url;
    struct asked hang = { HANG_PATH, 0 }, flaky = { FLAKY_PATH, 0 };
    int64_t asked_ms, since_signal, done;
    sqlite3 *db;
    int code;

    site_build(&s, 30, 100, HANG_MS, FLAKY_MS);
    env_start(&e, s.routes, s.n, NULL);
    url = env_url(&e, "/");
    crawl_ref(&e, ref, sizeof ref, url);
    db = db_open(ref);
    q_expect(db, "SELECT count(*) FROM pages WHERE state = 'done'", NULL, NULL,
             "33"); /* "/", the 30 pages, the slow one, the flaky one */
    sqlite3_close(db);
    fixture_reset_log(e.fx);

    start_crawl_mid(&e, &r, "stopped", url);
    /* Linked from "/", at depth 1: requested before any page of depth 2. */
    assert_int_equal(fixture_hits(e.fx, HANG_PATH), 1);
    assert_int_equal(fixture_hits(e.fx, FLAKY_PATH), 1);
    fixture_each(e.fx, asked_at, &hang);
    fixture_each(e.fx, asked_at, &flaky);
    if (now_ms() - flaky.t_ms > FLAKY_MS - 100)
        fail_msg("too slow for the test: the flaky page may be answered"
                 " before the signal");
    db = db_open_ro(e.db);
    done = q_int(db, "SELECT count(*) FROM pages WHERE state = 'done'", NULL,
                 NULL);
    sqlite3_close(db);
    asked_ms = now_ms();
    assert_int_equal(kill(r.pid, sig), 0);
    code = run_wait(&r, 10000);
    since_signal = now_ms() - asked_ms;
    print_message("%s: exit %d after %lld ms\n",
                  sig == SIGINT ? "SIGINT" : "SIGTERM", code,
                  (long long)since_signal);
    assert_int_equal(code, 1); /* documented: 1 runtime error or interrupted */
    /* It did not wait for the slow answer. */
    assert_true(now_ms() < hang.t_ms + HANG_MS);
    assert_file_has(r.err, "interrupted: run again to continue");

    assert_db_file_sound(e.db);
    db = db_open(e.db);
    q_expect(db,
             "SELECT group_concat(status || ' ' || (ended_at IS NOT NULL))"
             " FROM crawls",
             NULL, NULL, "interrupted 1");
    q_expect(db, SQL_PAGE_STATE, env_url(&e, HANG_PATH), NULL, "queued");
    /* Answered 503 after the signal: recorded, and queued for the next run
     * to try again, as an uninterrupted crawl would have. */
    q_expect(db, SQL_PAGE_STATE, env_url(&e, FLAKY_PATH), NULL, "queued");
    q_expect(db,
             "SELECT group_concat(f.status) FROM fetches f JOIN pages p"
             " ON p.id = f.page_id WHERE p.url = ?1",
             env_url(&e, FLAKY_PATH), NULL, "503");
    /* What was in flight at the signal finished and was recorded. */
    assert_true(q_int(db, "SELECT count(*) FROM pages WHERE state = 'done'",
                      NULL, NULL) > done);
    memset(&rq, 0, sizeof rq);
    fixture_each(e.fx, tally, &rq);
    for (size_t i = 0; i < rq.n; i++) {
        const char *p = rq.paths[i];
        int64_t fetches;
        char *st;

        assert_int_equal(rq.n_of[i], 1);
        if (strcmp(p, "/robots.txt") == 0 || strcmp(p, FLAKY_PATH) == 0)
            continue;
        fetches = q_int(db,
                        "SELECT count(*) FROM fetches f JOIN pages p"
                        " ON p.id = f.page_id WHERE p.url = ?1",
                        env_url(&e, p), NULL);
        st = q_text(db, "SELECT state FROM pages WHERE url = ?1",
                    env_url(&e, p), NULL);
        if (strcmp(p, HANG_PATH) == 0) { /* abandoned: back to the frontier */
            assert_int_equal(fetches, 0);
        } else { /* in flight at the signal, or before: finished */
            if (fetches != 1 || !st || strcmp(st, "queued") == 0)
                fail_msg("'%s' was requested; it has %lld fetches, state %s", p,
                         (long long)fetches, st ? st : "none");
        }
        free(st);
    }
    assert_true(q_int(db, "SELECT count(*) FROM pages WHERE state = 'queued'",
                      NULL, NULL) > 1); /* the signal came mid-crawl */
    sqlite3_close(db);

    resume_finishes(&e, &r, ref, true);
    memset(&rq, 0, sizeof rq);
    fixture_each(e.fx, tally, &rq);
    for (size_t i = 0; i < rq.n; i++)
        if (rq.n_of[i] != (strcmp(rq.paths[i], HANG_PATH) == 0 ||
                                   strcmp(rq.paths[i], FLAKY_PATH) == 0
                               ? 2U
                               : 1U))
            fail_msg("'%s' was requested %u times", rq.paths[i], rq.n_of[i]);
    db_remove(ref);
    env_stop(&e);
}

/* Two SIGINTs while a page that answers after HANG_MS is in flight: the
 * first starts the clean stop, which would wait a second for it, and says
 * a second signal stops at once; the second ends the process at once with
 * status 130 (128 + SIGINT), saying so, before any summary line. The file
 * is sound and the run's row says 'running'. The next run says it ends that
 * row as interrupted, and finishes the crawl with the pages, links and
 * documents of an uninterrupted one. */
static void test_signals_twice(void **state)
{
    static struct site s;
    struct env e;
    struct run r;
    char ref[128], *text;
    const char *url;
    sqlite3 *db;

    (void)state;
    site_build(&s, 30, 100, HANG_MS, 0);
    env_start(&e, s.routes, s.n, NULL);
    url = env_url(&e, "/");
    crawl_ref(&e, ref, sizeof ref, url);
    fixture_reset_log(e.fx);

    start_crawl_mid(&e, &r, "twice", url);
    assert_int_equal(kill(r.pid, SIGINT), 0);
    sleep_ms(100);
    assert_int_equal(kill(r.pid, SIGINT), 0);
    run_expect(&r, 10000, 128 + SIGINT);
    text = file_text(r.err);
    assert_non_null(strstr(text, "a second signal stops at once"));
    assert_non_null(strstr(text, "stopped at once"));
    assert_null(strstr(text, "interrupted: run again")); /* no clean end */
    free(text);
    assert_db_file_sound(e.db);
    db = db_open(e.db);
    q_expect(db, "SELECT status || ' ' || (ended_at IS NULL) FROM crawls", NULL,
             NULL, "running 1");
    sqlite3_close(db);

    resume_finishes(&e, &r, ref, false);
    assert_file_has(r.err, "1 earlier crawl of this file stopped without "
                           "ending (killed?): marked interrupted");
    db_remove(ref);
    env_stop(&e);
}

/* The readings of one snapshot (one statement reads one snapshot). */
static const char SQL_SNAPSHOT[] =
    "SELECT (SELECT count(*) FROM pages),"
    " (SELECT count(*) FROM pages WHERE state <> 'queued'),"
    " (SELECT count(*) FROM links),"
    " (SELECT count(*) FROM links l JOIN pages f ON f.id = l.from_page_id"
    "  JOIN pages t ON t.id = l.to_page_id),"
    /* a page's links come in the batch that settles it */
    " (SELECT count(*) FROM links l JOIN pages f ON f.id = l.from_page_id"
    "  WHERE f.state = 'queued'),"
    /* and so does its fetch */
    " (SELECT count(*) FROM pages p WHERE state = 'done' AND NOT EXISTS"
    "  (SELECT 1 FROM fetches WHERE page_id = p.id)),"
    " (SELECT count(*) FROM fetches)";

/* While `crawldb crawl` runs, a read-only connection without a busy
 * timeout runs a count over pages and joins over links hundreds of times:
 * no read gets SQLITE_BUSY or any error, every snapshot is whole (each
 * link joins both its pages, no queued page has links yet, every done page
 * has its fetch), the counts never go back, and `crawldb stats` works
 * meanwhile. */
static void test_signals_readers(void **state)
{
    static struct site s;
    struct env e;
    struct run r, stats;
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t last[7] = { 0 }, stats_ms = -1;
    unsigned reads = 0, growing = 0;
    int code = -1, stats_code = -1;
    bool ended = false, stats_ended = false;

    (void)state;
    site_build(&s, 60, 40, 0, 0); /* some 1.3 s, five commits or more */
    env_start(&e, s.routes, s.n, NULL);
    run_start(&e, &r, "crawl",
              (const char *const[]){ "crawl", "-d", e.db, "-q", "--concurrency",
                                     "2", env_url(&e, "/"), NULL });
    wait_request(&e, &r, 0);
    wait_done(&e, &r, 1);
    db = db_open_ro(e.db);
    if (sqlite3_prepare_v2(db, SQL_SNAPSHOT, -1, &q, NULL) != SQLITE_OK)
        fail_msg("cannot prepare: %s", sqlite3_errmsg(db));
    run_start(&e, &stats, "stats",
              (const char *const[]){ "stats", "-d", e.db, "--json", NULL });
    while (!ended) {
        int64_t v[7];
        int rc;

        if (!stats_ended && (stats_ended = run_ended(&stats, &stats_code)))
            stats_ms = now_ms() - stats.start_ms;
        ended = run_ended(&r, &code); /* then one more read, of the end */
        rc = sqlite3_step(q);
        if (rc != SQLITE_ROW)
            fail_msg("read %u: %s (%d)", reads, sqlite3_errmsg(db), rc);
        for (int i = 0; i < 7; i++)
            v[i] = sqlite3_column_int64(q, i);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
        reads++;
        if (v[2] != v[3] || v[4] != 0 || v[5] != 0)
            fail_msg("read %u saw half a batch: %lld links, %lld joined,"
                     " %lld from queued pages, %lld done without a fetch",
                     reads, (long long)v[2], (long long)v[3], (long long)v[4],
                     (long long)v[5]);
        for (int i = 0; i < 7; i++) {
            if (v[i] < last[i])
                fail_msg("read %u: column %d went from %lld back to %lld",
                         reads, i, (long long)last[i], (long long)v[i]);
        }
        growing += v[1] > last[1];
        memcpy(last, v, sizeof last);
        if (now_ms() - r.start_ms > 30000)
            fail_msg("the crawl takes more than 30 s");
        sleep_ms(1);
    }
    sqlite3_finalize(q);
    print_message("%u reads during the crawl, %u saw more pages settled;"
                  " stats took %lld ms\n",
                  reads, growing, (long long)stats_ms);
    assert_int_equal(code, 0);
    assert_true(stats_ended); /* while the crawl ran, without waiting */
    assert_int_equal(stats_code, 0);
    assert_file_has(stats.out, "\"pages\":");
    assert_true(growing >= 3);     /* the reads spanned commits of the crawl */
    assert_int_equal(last[0], 63); /* "/", 60 pages, the slow one, sitemap */
    assert_int_equal(last[0], last[1]);
    sqlite3_close(db);
    assert_db_file_sound(e.db);
    env_stop(&e);
}

/* A second `crawldb crawl` on a database that a crawl holds exits 3 at
 * once, saying which file and that another crawl runs on it; it makes no
 * request and adds no crawls row, and the first crawl goes on to finish. */
static void test_signals_second_crawl(void **state)
{
    static struct site s;
    struct ua_count second_ua = { "second-crawl", 0 };
    struct env e;
    struct run first, second;
    sqlite3 *db;

    (void)state;
    site_build(&s, 30, 50, 0, 0);
    env_start(&e, s.routes, s.n, NULL);
    run_start(&e, &first, "first",
              (const char *const[]){ "crawl", "-d", e.db, "-q", "--concurrency",
                                     "2", env_url(&e, "/"), NULL });
    wait_request(&e, &first, 0);
    wait_done(&e, &first, 2);
    run_start(&e, &second, "second",
              (const char *const[]){ "crawl", "-d", e.db, "--user-agent",
                                     "second-crawl", env_url(&e, "/"), NULL });
    run_expect(&second, 10000, 3); /* a database error */
    assert_file_has(second.err, e.db);
    assert_file_has(second.err, "another crawl is running on it");
    run_expect(&first, 30000, 0);
    fixture_each(e.fx, count_ua, &second_ua);
    assert_int_equal(second_ua.n, 0);
    assert_db_file_sound(e.db);
    db = db_open(e.db);
    q_expect(db, "SELECT group_concat(status) FROM crawls", NULL, NULL,
             "finished");
    q_expect(db, "SELECT count(*) FROM pages WHERE state = 'queued'", NULL,
             NULL, "0");
    sqlite3_close(db);
    env_stop(&e);
}

int main(void)
{
    static int sigint = SIGINT, sigterm = SIGTERM;
    const struct CMUnitTest tests[] = {
        { "test_signals_stop(SIGINT)", test_signals_stop, NULL, reap_runs,
          &sigint },
        { "test_signals_stop(SIGTERM)", test_signals_stop, NULL, reap_runs,
          &sigterm },
        cmocka_unit_test_teardown(test_signals_twice, reap_runs),
        cmocka_unit_test_teardown(test_signals_readers, reap_runs),
        cmocka_unit_test_teardown(test_signals_second_crawl, reap_runs),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
