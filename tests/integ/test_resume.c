/* Integration tests of stopping and resuming: a crawl killed with SIGKILL at
 * random moments (at start-up, inside its commits, early, midway and near
 * its end) leaves a sound database each time and, run to its end, gives what
 * an uninterrupted crawl gives while refetching only what was in flight or
 * answered since the last commit; a crawl stopped through its stop flag says
 * 'interrupted' and a later run finishes it. CRAWLDB_TEST_SEED=N replays
 * the kill plan of a failed run (the plan, not the timing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "integ.h"
#include "util.h"

#define SITE_PAGES  300 /* generated pages /p/1.html ... */
#define SITE_EXTRA  8   /* routes besides the pages */
#define SITE_IMAGES 4   /* /img/0.png ...; 2 and 3 have the same bytes */
#define DELAY_MS                                                               \
    40 /* per response: a batch (500 ms) is some 8 % of the crawl */
#define CONCURRENCY 2 /* slow enough for a dozen commits in a crawl */
/* A page's fetch is committed within a batch's age (500 ms) of its answer
 * and its parse: a request older than this at a kill must have been
 * recorded. Loose, for loaded machines and ASan. */
#define IN_FLIGHT_WINDOW_MS 1500
#define KILLS               24 /* planned; at least MIN_KILLS must land */
#define MIN_KILLS           20

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

static void sleep_us(long us)
{
    struct timespec ts = { .tv_sec = us / 1000000,
                           .tv_nsec = (us % 1000000) * 1000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        continue;
}

/* splitmix64: the same seed gives the same kill plan on any libc. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A number in [lo, hi]. */
static long rng_range(long lo, long hi)
{
    return lo + (long)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* CRAWLDB_TEST_SEED if set, else one from the clock and the pid. */
static unsigned long test_seed(void)
{
    const char *s = getenv("CRAWLDB_TEST_SEED");
    char *end = NULL;
    unsigned long v;

    if (s && *s) {
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno == 0 && end != s && *end == '\0')
            return v;
        fail_msg("CRAWLDB_TEST_SEED '%s' is not a number", s);
    }
    return ((unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16)) &
           0xffffffffUL;
}

/* Paths and a count for each, e.g. requests of a path, or how many times
 * it was in flight when a crawl was killed. */
/* The paths requested since since_ms (each once). */
struct recent {
    struct path_count *set;
    int64_t since_ms;
};

static void add_recent(void *ctx, const char *method, const char *path,
                       int64_t t_ms, const char *user_agent,
                       const char *if_none_match, const char *if_modified_since)
{
    struct recent *r = ctx;
    size_t i;

    (void)method;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    if (t_ms < r->since_ms)
        return;
    i = path_index(r->set, path);
    r->set->total += r->set->n_of[i] == 0;
    r->set->n_of[i] = 1;
    r->set->last_ms[i] = t_ms;
}

/* Whether the database shows the request of path settled: its page is no
 * longer queued, or for robots.txt, the host has its robots status. */
static bool path_settled(struct env *e, sqlite3 *db, const char *path)
{
    char *st;
    bool settled;

    if (strcmp(path, "/robots.txt") == 0)
        return q_int(db,
                     "SELECT count(*) FROM hosts"
                     " WHERE robots_status IS NOT NULL",
                     NULL, NULL) > 0;
    st = q_text(db, "SELECT state FROM pages WHERE url = ?1", env_url(e, path),
                NULL);
    settled = st && strcmp(st, "queued") != 0;
    free(st);
    return settled;
}

/* The requests the fixture has logged once none came for a while: a killed
 * crawl's last requests may still be on their way through its threads. */
static void requests_quiet(struct fixture *fx)
{
    unsigned n = fixture_total(fx);

    for (int i = 0; i < 500; i++) {
        unsigned m;

        sleep_us(10000);
        m = fixture_total(fx);
        if (m == n)
            return;
        n = m;
    }
    fail_msg("requests keep coming after the crawl was killed");
}

/* The three ways a crawl is killed. */
enum kill_mode {
    KILL_START,  /* delay_us after the fork: open, migrate, lease, seed */
    KILL_TIMED,  /* delay_us after target pages are settled */
    KILL_COMMIT, /* once target pages are settled, before the delay_us-th
                    write to the WAL from then on: inside a commit */
};

static const char *const mode_names[] = { "start", "timed", "commit" };

struct kill_plan {
    enum kill_mode mode;
    int64_t target; /* settled pages to wait for */
    long delay_us;  /* KILL_COMMIT: the WAL write to die before */
};

/* What a kill found. */
struct kill_seen {
    bool killed;          /* false: the crawl ended before the kill */
    int64_t settled;      /* pages not queued after it */
    int64_t queued;       /* pages queued after it */
    size_t in_flight;     /* requested, not settled: refetched next run */
    int64_t oldest_ms;    /* age at the kill of the oldest such request */
    bool wal_uncommitted; /* the WAL ends in frames of no commit */
    bool hot_journal;     /* killed during the schema migration */
};

static uint32_t get32(const unsigned char *p, bool big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                     (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[1] << 8 | p[0];
}

/* SQLite's WAL checksum, continued over n bytes (n a multiple of 8). */
static void wal_sum(const unsigned char *p, size_t n, bool big, uint32_t s[2])
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        s[0] += get32(p + i, big) + s[1];
        s[1] += get32(p + i + 4, big) + s[0];
    }
}

/* Whether the write-ahead log at path ends in frames that no commit frame
 * closes (whole, or torn by the kill): SQLite was writing a commit when the
 * crawl was killed. Frames of an older generation (other salts) and those
 * past a checksum mismatch are no longer part of the log. See
 * https://www.sqlite.org/fileformat.html#the_write_ahead_log */
static bool wal_uncommitted(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char hdr[32], fh[24], *page = NULL;
    uint32_t magic, page_size, s[2] = { 0, 0 };
    bool big, open_txn = false;
    size_t got;

    if (!f)
        return false;
    if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr)
        goto out;
    magic = get32(hdr, true);
    page_size = get32(hdr + 8, true);
    if ((magic & ~1U) != 0x377f0682 || page_size < 512 || page_size > 65536 ||
        (page_size & (page_size - 1)) != 0)
        goto out;
    big = magic & 1;
    wal_sum(hdr, 24, big, s);
    if (s[0] != get32(hdr + 24, true) || s[1] != get32(hdr + 28, true))
        goto out;
    page = xmalloc(page_size);
    while ((got = fread(fh, 1, sizeof fh, f)) > 0) {
        if (got < sizeof fh ||
            memcmp(fh + 8, hdr + 16, 8) != 0) { /* torn, or older */
            open_txn |= got < sizeof fh;
            break;
        }
        if (fread(page, 1, page_size, f) != page_size) {
            open_txn = true; /* a frame of this generation, cut short */
            break;
        }
        wal_sum(fh, 8, big, s);
        wal_sum(page, page_size, big, s);
        if (s[0] != get32(fh + 16, true) || s[1] != get32(fh + 20, true)) {
            open_txn = true; /* this generation's salts, half written */
            break;
        }
        open_txn = get32(fh + 4, true) == 0; /* not a commit frame */
    }
out:
    free(page);
    fclose(f);
    return open_txn;
}

static bool file_nonempty(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && sb.st_size > 0;
}

/* In the child, a pass-through VFS over the default one that can kill the
 * process at the Nth write to a write-ahead log once armed: a kill inside
 * a commit, at a chosen frame, which no timing from outside can promise
 * (a commit writes for some 300 us, every 500 ms). Only the WAL file is
 * wrapped, and only with version 1 methods: SQLite calls no shared-memory
 * or mmap method on it. */
struct kill_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, right after this */
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs kill_vfs;
static volatile sig_atomic_t kill_armed; /* set by SIGUSR1 */
static long kill_countdown;              /* WAL writes left once armed */

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((struct kill_file *)f)->real;
}

static int kf_close(sqlite3_file *f)
{
    return real_of(f)->pMethods->xClose(real_of(f));
}

static int kf_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return real_of(f)->pMethods->xRead(real_of(f), p, n, off);
}

static int kf_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    if (kill_armed && --kill_countdown <= 0)
        raise(SIGKILL); /* before this write: what came before stays */
    return real_of(f)->pMethods->xWrite(real_of(f), p, n, off);
}

static int kf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int kf_sync(sqlite3_file *f, int flags)
{
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int kf_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int kf_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int kf_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int kf_reserved(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int kf_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int kf_sector(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int kf_device(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static const sqlite3_io_methods kill_io = {
    .iVersion = 1,
    .xClose = kf_close,
    .xRead = kf_read,
    .xWrite = kf_write,
    .xTruncate = kf_truncate,
    .xSync = kf_sync,
    .xFileSize = kf_size,
    .xLock = kf_lock,
    .xUnlock = kf_unlock,
    .xCheckReservedLock = kf_reserved,
    .xFileControl = kf_control,
    .xSectorSize = kf_sector,
    .xDeviceCharacteristics = kf_device,
};

static int kf_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
                   int flags, int *out_flags)
{
    struct kill_file *k = (struct kill_file *)f;
    int rc;

    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL)) /* the default VFS's file, as is */
        return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
    k->real = (sqlite3_file *)(k + 1);
    rc = real_vfs->xOpen(real_vfs, name, k->real, flags, out_flags);
    k->base.pMethods = rc == SQLITE_OK ? &kill_io : NULL;
    return rc;
}

static void on_arm(int sig)
{
    (void)sig;
    kill_armed = 1;
}

/* Make the killing VFS the default; SIGUSR1 arms it to kill the process
 * before its countdown-th WAL write from then on. */
static void kill_vfs_install(long countdown)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_arm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    kill_countdown = countdown;
    real_vfs = sqlite3_vfs_find(NULL);
    kill_vfs = *real_vfs;
    kill_vfs.zName = "crawldb-test-kill";
    kill_vfs.szOsFile = (int)sizeof(struct kill_file) + real_vfs->szOsFile;
    kill_vfs.xOpen = kf_open;
    if (sqlite3_vfs_register(&kill_vfs, 1) != SQLITE_OK)
        _exit(4);
}

static pid_t child_pid; /* of the crawl running, for reap_child() */

/* After the test: a failure may have left the crawl running. Only our own
 * child still running is killed: waitpid() says whether it is. */
static int reap_child(void **state)
{
    int status;

    (void)state;
    if (child_pid > 0 && waitpid(child_pid, &status, WNOHANG) == 0) {
        kill(child_pid, SIGKILL);
        waitpid(child_pid, &status, 0);
    }
    child_pid = 0;
    return 0;
}

/* Run a crawl of o into e's database in a child process and kill it with
 * SIGKILL as plan says; afterwards add to in_flight the paths the killed run
 * requested and the database does not show settled, and check the file. */
static void crawl_killed(struct env *e, const struct crawl_opts *o,
                         const struct kill_plan *plan,
                         struct path_count *in_flight, struct kill_seen *seen)
{
    static struct path_count recent;
    struct recent rc = { &recent, 0 };
    char wal[160], journal[160];
    int status = 0;
    int64_t start = now_ms(), kill_ms = 0;
    unsigned before = fixture_total(e->fx);
    sqlite3 *watch = NULL, *db;
    pid_t pid, done = 0;
    bool has_pages;

    memset(seen, 0, sizeof *seen);
    snprintf(wal, sizeof wal, "%s-wal", e->db);
    snprintf(journal, sizeof journal, "%s-journal", e->db);
    pid = env_fork(e);
    assert_true(pid >= 0);
    if (pid == 0) { /* the child: no cmocka, no cleanup, no atexit */
        struct cdb_err err = { 0 };
        struct store *st = NULL;
        int r;

        if (plan->mode == KILL_COMMIT)
            kill_vfs_install(plan->delay_us);
        r = store_open(e->db, &st, &err);
        if (r == CDB_OK)
            r = crawl_run(o, st, NULL, &err);
        _exit(r == CDB_OK ? 0 : 3);
    }
    child_pid = pid;
    if (plan->mode == KILL_START) {
        sleep_us(plan->delay_us);
    } else {
        /* Count from the run's first request, so that start-up (slower
         * under ASan) cannot swallow the moment and the kill cuts a crawl;
         * then watch the pages settle, read-only, as a person would. */
        while (fixture_total(e->fx) == before &&
               (done = waitpid(pid, &status, WNOHANG)) == 0) {
            if (now_ms() - start > 20000)
                fail_msg("a resumed crawl made no request");
            sleep_us(200);
        }
        if (done == 0 && sqlite3_open_v2(e->db, &watch, SQLITE_OPEN_READONLY,
                                         NULL) != SQLITE_OK)
            fail_msg("cannot watch '%s': %s", e->db, sqlite3_errmsg(watch));
        if (watch)
            sqlite3_busy_timeout(watch, 5000);
        while (done == 0 &&
               q_int(watch,
                     "SELECT count(*) FROM pages WHERE state <> 'queued'", NULL,
                     NULL) < plan->target &&
               (done = waitpid(pid, &status, WNOHANG)) == 0) {
            if (now_ms() - start > 20000)
                fail_msg("the crawl stays short of %lld settled pages",
                         (long long)plan->target);
            sleep_us(500);
        }
        if (done == 0 && plan->mode == KILL_TIMED) {
            sleep_us(plan->delay_us);
        } else if (done == 0) { /* it kills itself in its next commit */
            kill(pid, SIGUSR1);
            while ((done = waitpid(pid, &status, WNOHANG)) == 0) {
                if (now_ms() - start > 20000)
                    fail_msg("an armed crawl wrote no WAL");
                sleep_us(100);
            }
            kill_ms = now_ms();
        }
    }
    if (done == 0) {
        kill_ms = now_ms();
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
    }
    child_pid = 0; /* reaped */
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        fail_msg("the killed crawl failed on its own (exit %d)",
                 WEXITSTATUS(status));
    seen->killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    /* Before any connection closes, which would checkpoint the log. */
    seen->wal_uncommitted = seen->killed && wal_uncommitted(wal);
    seen->hot_journal = seen->killed && file_nonempty(journal);
    sqlite3_close(watch);

    requests_quiet(e->fx);
    memset(&recent, 0, sizeof recent);
    rc.since_ms = start;
    fixture_each(e->fx, add_recent, &rc);
    if (access(e->db, F_OK) != 0) { /* killed before the file was made */
        assert_int_equal(recent.n, 0);
        return;
    }
    db = db_open(e->db);
    assert_db_sound(db);
    if (q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'doc_text'",
              NULL, NULL) > 0)
        assert_int_equal(sqlite3_exec(db,
                                      "INSERT INTO doc_text(doc_text)"
                                      " VALUES ('integrity-check')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    has_pages =
        q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'pages'",
              NULL, NULL) > 0;
    if (has_pages) {
        seen->settled =
            q_int(db, "SELECT count(*) FROM pages WHERE state <> 'queued'",
                  NULL, NULL);
        seen->queued =
            q_int(db, "SELECT count(*) FROM pages WHERE state = 'queued'", NULL,
                  NULL);
    }
    for (size_t i = 0; i < recent.n; i++) {
        if (has_pages && path_settled(e, db, recent.paths[i]))
            continue;
        in_flight->n_of[path_index(in_flight, recent.paths[i])]++;
        seen->in_flight++;
        if (kill_ms - recent.last_ms[i] > seen->oldest_ms)
            seen->oldest_ms = kill_ms - recent.last_ms[i];
    }
    sqlite3_close(db);
}

/* Plan kills: the first at the start of a crawl into a new file, the last
 * near the end, the others at stratified targets of settled pages so that
 * they spread over the whole crawl, by each of the three modes. A target
 * reached already means a kill soon after the run's first request. */
static void plan_kills(struct kill_plan *plan, int n, int64_t total)
{
    for (int k = 0; k < n; k++) {
        long r = rng_range(0, 5);
        struct kill_plan *p = &plan[k];

        p->target =
            total * (k * 1000 + rng_range(0, 999)) / (n * 1000) * 85 / 100;
        if (k == 0 || (r == 0 && k < n - 1)) {
            p->mode = KILL_START;
            p->delay_us = rng_range(0, 15000);
        } else if (r <= 2) {
            p->mode = KILL_TIMED;
            p->delay_us = rng_range(0, 3000);
        } else {
            p->mode = KILL_COMMIT;
            p->delay_us = rng_range(1, 40); /* the WAL write to die at */
        }
        if (k == n / 2) { /* one torn for sure: a frame header is out */
            p->mode = KILL_COMMIT;
            p->delay_us = rng_range(3, 20);
        }
        if (k == n - 1) /* near the end, whatever the draw; a commit later
                           would be the last one */
            p->target = total * rng_range(820, 880) / 1000;
    }
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
static const char SQL_TEXT_SET[] =
    "SELECT d.sha256, t.title, t.text FROM SCHEMAdocuments d"
    " JOIN SCHEMAdoc_text t ON t.rowid = d.id";
/* Each page's fetch with its document (one a page: a fetch cut short by a
 * kill was never committed, which the test checks apart). */
static const char SQL_FETCH_SET[] =
    "SELECT p.url, f.status, coalesce(d.sha256, '')"
    " FROM SCHEMAfetches f JOIN SCHEMApages p ON p.id = f.page_id"
    " LEFT JOIN SCHEMAdocuments d ON d.id = f.document_id";

/* A crawl killed with SIGKILL KILLS times at random moments (at start-up on
 * a new file, inside commits, early, midway and near its end) is sound
 * after each kill (integrity_check ok, foreign_key_check empty, the full
 * text index consistent) and, run to its end in-process, has the same
 * pages with the same states, the same links with their anchors, the same
 * documents, texts and fetches as an uninterrupted crawl; every path is
 * requested once more for each time it was in flight at a kill, and never
 * otherwise. */
static void test_resume_after_kills(void **state)
{
    static struct site s;
    static struct path_count hits, in_flight;
    static struct kill_plan plan[KILLS];
    struct kill_seen seen;
    struct env e;
    struct crawl_opts o;
    const char *seed[1];
    char ref[128];
    unsigned long seed_rand = test_seed();
    unsigned excess = 0;
    int64_t total, prev = 0;
    int kills = 0, before_commit = 0, early = 0, mid = 0, late = 0;
    int inside_commit = 0, in_migration = 0;
    bool ended_first = false; /* a run ended before its kill came */
    sqlite3 *db;

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
    total = q_int(db, "SELECT count(*) FROM pages", NULL, NULL);
    sqlite3_close(db);
    fixture_reset_log(e.fx);

    rng_state = seed_rand;
    print_message("kill plan from seed %lu (replay with CRAWLDB_TEST_SEED=%lu)"
                  "\n",
                  seed_rand, seed_rand);
    plan_kills(plan, KILLS, total);
    memset(&in_flight, 0, sizeof in_flight);
    for (int k = 0; k < KILLS; k++) {
        const char *phase;

        crawl_killed(&e, &o, &plan[k], &in_flight, &seen);
        if (!seen.killed) { /* the crawl ended first: no more to cut */
            ended_first = true;
            break;
        }
        kills++;
        if (seen.settled == prev) {
            phase = "before-commit"; /* the run settled nothing */
            before_commit++;
        } else if (seen.settled * 3 < total) {
            phase = "early";
            early++;
        } else if (seen.settled * 10 < total * 8) {
            phase = "mid";
            mid++;
        } else {
            phase = "late";
            late++;
        }
        inside_commit += seen.wal_uncommitted;
        in_migration += seen.hot_journal;
        /* Lost at a kill: what was in flight or answered since the last
         * commit, never older work. */
        if (seen.oldest_ms > IN_FLIGHT_WINDOW_MS)
            fail_msg("a request %lld ms before kill %d was not recorded",
                     (long long)seen.oldest_ms, k + 1);
        print_message(
            "kill %2d %-6s target %3lld %s %5ld: %3lld settled,"
            " %3lld queued, %3zu lost (%3lld ms): %s%s%s\n",
            k + 1, mode_names[plan[k].mode], (long long)plan[k].target,
            plan[k].mode == KILL_COMMIT ? "write" : "+us  ", plan[k].delay_us,
            (long long)seen.settled, (long long)seen.queued, seen.in_flight,
            (long long)seen.oldest_ms, phase,
            seen.wal_uncommitted ? ", inside a commit" : "",
            seen.hot_journal ? ", inside the migration" : "");
        prev = seen.settled;
    }
    print_message("%d kills: %d before a commit of the run, %d early, %d mid,"
                  " %d late; %d inside a commit, %d inside the migration\n",
                  kills, before_commit, early, mid, late, inside_commit,
                  in_migration);
    assert_true(kills >= MIN_KILLS);
    assert_true(before_commit > 0 && early > 0 && mid > 0 && late > 0);
    assert_true(inside_commit > 0);

    crawl_db(e.db, &o);
    assert_db_file_sound(e.db);
    assert_int_equal(sets_differ(e.db, ref, SQL_PAGE_SET), 0);
    assert_int_equal(sets_differ(e.db, ref, SQL_LINK_SET), 0);
    assert_int_equal(sets_differ(e.db, ref, SQL_DOC_SET), 0);
    assert_int_equal(sets_differ(e.db, ref, SQL_TEXT_SET), 0);
    assert_int_equal(sets_differ(e.db, ref, SQL_FETCH_SET), 0);
    db = db_open(e.db);
    q_expect(db, "SELECT count(*) FROM pages WHERE state = 'queued'", NULL,
             NULL, "0");
    q_expect(db, "SELECT status FROM crawls ORDER BY id DESC LIMIT 1", NULL,
             NULL, "finished");
    /* Each run ended the rows of the killed runs before it: interrupted,
     * when their last response came, with their count of fetches. Only the
     * last run, and one that finished before its kill came, finished. */
    q_expect(db, "SELECT count(*) FROM crawls WHERE status = 'finished'", NULL,
             NULL, ended_first ? "2" : "1");
    q_expect(db,
             "SELECT count(*) FROM crawls WHERE status NOT IN"
             " ('finished', 'interrupted') OR ended_at IS NULL"
             " OR ended_at < started_at OR fetches <>"
             " (SELECT count(*) FROM fetches f WHERE f.crawl_id = crawls.id)",
             NULL, NULL, "0");
    q_expect(db,
             "SELECT count(*) FROM (SELECT page_id FROM fetches"
             " GROUP BY page_id HAVING count(*) > 1)",
             NULL, NULL, "0");
    sqlite3_close(db);

    memset(&hits, 0, sizeof hits);
    fixture_each(e.fx, tally, &hits);
    for (size_t i = 0; i < hits.n; i++) {
        unsigned want = 1 + path_get(&in_flight, hits.paths[i]);

        if (hits.n_of[i] != want)
            fail_msg("'%s' was requested %u times, in flight at %u kills",
                     hits.paths[i], hits.n_of[i], want - 1);
        excess += hits.n_of[i] - 1;
    }
    for (size_t i = 0; i < in_flight.n; i++)
        assert_true(path_get(&hits, in_flight.paths[i]) > 0);
    print_message("%u requests, %u refetched after %d kills\n", hits.total,
                  excess, kills);
    db_remove(ref);
    env_stop(&e);
    site_free(&s);
}

struct stopper {
    volatile sig_atomic_t flag;
    int64_t after;     /* pages done before the flag is set */
    int ending, calls; /* progress calls saying ending; all of them */
    bool after_ending; /* a call came after one that said ending */
};

static void stop_after(void *ctx, const struct crawl_progress *p)
{
    struct stopper *s = ctx;

    s->after_ending |= s->ending > 0 && !p->ending;
    s->ending += p->ending;
    s->calls++;
    if (p->url && p->done >= s->after)
        s->flag = 1;
}

/* Setting the stop flag from on_progress after 5 pages ends the run with
 * its crawls row 'interrupted' and pages still queued, each fetched page
 * requested once; a later run finishes the crawl, fetching only the rest. */
static void test_resume_stop_flag(void **state)
{
    static struct site s;
    struct stopper stop = { .after = 5 };
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
    /* The last two progress calls say the run is ending: before the end
     * (the links indexed) and after it. */
    assert_int_equal(stop.ending, 2);
    assert_true(stop.calls > 2);
    assert_false(stop.after_ending);
    assert_true(p.ending);
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
        cmocka_unit_test_teardown(test_resume_after_kills, reap_child),
        cmocka_unit_test(test_resume_stop_flag),
    };
    int rc;

    if (integ_init() != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    integ_cleanup();
    return rc;
}
