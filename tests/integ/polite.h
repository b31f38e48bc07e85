/* Helpers of the integration tests of the polite crawler (test_polite.c,
 * test_content.c, test_recrawl.c): a checked crawl, a page's outcome with
 * its request count, the arrival times of requests, and the proof that a
 * set of pages was never requested. Include after integ.h. */
#ifndef CRAWLDB_POLITE_H
#define CRAWLDB_POLITE_H

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Crawl e's database with o, then check the file is sound. */
static inline struct crawl_progress crawl_checked(struct env *e,
                                                  const struct crawl_opts *o)
{
    struct crawl_progress p = crawl_db(e->db, o);

    assert_db_file_sound(e->db);
    return p;
}

/* The state (and reason) of the page at path, and its request count. */
static inline void assert_page(struct env *e, sqlite3 *db, const char *path,
                               const char *state, unsigned hits)
{
    q_expect(db, SQL_PAGE_STATE, env_url(e, path), NULL, state);
    if (fixture_hits(e->fx, path) != hits)
        fail_msg("'%s' was requested %u times, want %u", path,
                 fixture_hits(e->fx, path), hits);
}

/* Every page that where (an SQL condition on pages p, may use ?1) selects
 * has no fetch row and was never requested; returns how many there are. */
static inline int64_t assert_unrequested(struct env *e, sqlite3 *db,
                                         const char *where, const char *a1)
{
    char sql[512];
    sqlite3_stmt *q;
    size_t olen = strlen(fixture_origin(e->fx));
    int64_t n = 0;

    snprintf(sql, sizeof sql,
             "SELECT p.url, (SELECT count(*) FROM fetches f"
             " WHERE f.page_id = p.id) FROM pages p WHERE %s",
             where);
    q = q_prepare(db, sql, a1, NULL);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *url = (const char *)sqlite3_column_text(q, 0);

        if (sqlite3_column_int(q, 1) != 0)
            fail_msg("'%s' has %d fetch rows", url, sqlite3_column_int(q, 1));
        if (strncmp(url, fixture_origin(e->fx), olen) == 0 &&
            fixture_hits(e->fx, url + olen) != 0)
            fail_msg("'%s' was requested %u times", url,
                     fixture_hits(e->fx, url + olen));
        n++;
    }
    sqlite3_finalize(q);
    return n;
}

#define MAX_TIMES 64

/* Arrival times of the requests whose path starts with prefix, except
 * /robots.txt, in arrival order. */
struct times {
    const char *prefix;
    int64_t t[MAX_TIMES];
    size_t n;
};

static inline void collect_time(void *ctx, const char *method, const char *path,
                                int64_t t_ms, const char *user_agent,
                                const char *if_none_match,
                                const char *if_modified_since)
{
    struct times *ts = ctx;

    (void)method;
    (void)user_agent;
    (void)if_none_match;
    (void)if_modified_since;
    if (strncmp(path, ts->prefix, strlen(ts->prefix)) == 0 &&
        strcmp(path, "/robots.txt") != 0 && ts->n < MAX_TIMES)
        ts->t[ts->n++] = t_ms;
}

static inline struct times request_times(struct fixture *fx, const char *prefix)
{
    struct times ts = { .prefix = prefix };

    fixture_each(fx, collect_time, &ts);
    return ts;
}

/* The server logs a request when its thread has read the request line, so
 * two requests the crawler sent exactly d ms apart may be logged a few ms
 * closer when the first thread woke late (observed: d + 1 or 2 ms, none
 * closer). Gaps are checked to this slack, and their sum to it as well. */
#define SLACK_MS 10

/* The requests in ts arrived at least min_ms apart (less SLACK_MS), each
 * from the one before (the log is in arrival order), and the first and the
 * last at least (n - 1) * min_ms apart (less SLACK_MS). */
static inline void assert_gaps(const struct times *ts, int64_t min_ms)
{
    for (size_t i = 1; i < ts->n; i++)
        if (ts->t[i] - ts->t[i - 1] < min_ms - SLACK_MS)
            fail_msg("requests %zu and %zu arrived %lld ms apart, want at"
                     " least %lld",
                     i - 1, i, (long long)(ts->t[i] - ts->t[i - 1]),
                     (long long)min_ms);
    if (ts->n > 1 &&
        ts->t[ts->n - 1] - ts->t[0] < (int64_t)(ts->n - 1) * min_ms - SLACK_MS)
        fail_msg("%zu requests arrived within %lld ms, want at least %lld",
                 ts->n, (long long)(ts->t[ts->n - 1] - ts->t[0]),
                 (long long)(ts->n - 1) * min_ms);
}

#endif
