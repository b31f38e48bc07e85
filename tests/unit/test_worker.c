/* Unit tests for worker.c: the parse worker gives exactly what
 * extract_html() gives on the crawl thread (links in order with kind,
 * anchor and rel nofollow; title, text, robots flags, refused count) plus
 * the body's SHA-256; jobs come back in order, each with a wake-up; the
 * link bytes of a job are bounded; freeing with jobs outstanding leaks
 * nothing (ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "buf.h"
#include "cdb.h"
#include "extract.h"
#include "util.h"
#include "worker.h"

#define PAGE "http://example.com/dir/page.html"

static atomic_int wakes;

static void on_wake(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&wakes, 1);
}

/* Links as one text, a line each: kind|url|anchor-or-(null)|nofollow. */
static int print_link(void *ctx, const char *kind, const char *url,
                      const char *anchor, bool rel_nofollow)
{
    struct buf *b = ctx;

    buf_addf(b, "%s|%s|%s|%d\n", kind, url, anchor ? anchor : "(null)",
             rel_nofollow);
    return CDB_OK;
}

/* The next done job, waiting up to 10 s for it. */
static struct worker_job *take_wait(struct worker *w)
{
    struct timespec ms = { 0, 1000000 };

    for (int i = 0; i < 10000; i++) {
        struct worker_job *j = worker_take(w);

        if (j)
            return j;
        nanosleep(&ms, NULL);
    }
    fail_msg("the worker did not finish a job in 10 s");
    return NULL;
}

static const char HTML[] =
    "<html><head><title> The  title </title>"
    "<meta name=robots content=noindex>"
    "<link rel=stylesheet href=/s.css></head><body>"
    "<p>Some <b>text</b> here.</p>"
    "<a href=a.html>First link</a> <a href='b.html#frag' rel=nofollow></a>"
    "<img src=../i.png alt=pic> <a href=mailto:x@example.com>mail</a>"
    "<a href=\"http://other.example/\"><img src=x.gif alt=inside> text</a>"
    "</body></html>";

/* The worker's results equal extract_html()'s on the same page. */
static void test_worker_same_as_extract(void **state)
{
    struct worker *w = NULL;
    struct worker_job *j = xcalloc(1, sizeof *j), *got;
    struct extract_page page;
    struct buf want, have;
    struct cdb_err err = { 0 };
    char sha[65];

    (void)state;
    buf_init(&want, 1 << 20);
    buf_init(&have, 1 << 20);
    assert_int_equal(extract_html(HTML, strlen(HTML), PAGE, NULL, 1000, NULL,
                                  print_link, &want, &page, &err),
                     CDB_OK);
    assert_non_null(want.data);

    atomic_store(&wakes, 0);
    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    j->body = HTML;
    j->len = strlen(HTML);
    j->url = PAGE;
    j->html = true;
    worker_submit(w, j);
    assert_int_equal(worker_pending(w), 1);
    got = take_wait(w);
    assert_ptr_equal(got, j);
    assert_int_equal(worker_pending(w), 0);
    assert_null(worker_take(w));
    assert_int_equal(atomic_load(&wakes), 1);

    assert_int_equal(j->rc, CDB_OK);
    sha256_hex(HTML, strlen(HTML), sha);
    assert_string_equal(j->sha256, sha);
    assert_int_equal(worker_job_links(j, print_link, &have), CDB_OK);
    assert_string_equal(have.data, want.data);
    assert_string_equal(j->page.title, page.title);
    assert_string_equal(j->page.text, page.text);
    assert_int_equal(j->page.noindex, page.noindex);
    assert_true(j->page.noindex);
    assert_int_equal(j->page.nofollow, page.nofollow);
    assert_int_equal(j->page.refused, page.refused);
    assert_int_equal(j->page.refused, 1); /* the mailto: */

    extract_page_release(&page);
    worker_job_release(j);
    free(j);
    worker_free(w);
    buf_release(&want);
    buf_release(&have);
}

/* A page told of with worker_remember() lends its flags to a later job of
 * the same body, which is then not parsed (same_as set, no links, no
 * text); a job with parse set, or of another body, is parsed. A newer
 * page of that body takes the older one's place. */
static void test_worker_same_body(void **state)
{
    static const char OTHER[] = "<a href=c.html>c</a>";
    struct worker *w = NULL;
    struct worker_job a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
    struct cdb_err err = { 0 };

    (void)state;
    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    a.body = b.body = c.body = HTML;
    a.len = b.len = c.len = strlen(HTML);
    a.url = PAGE;
    b.url = c.url = PAGE "?v=2";
    a.html = b.html = c.html = d.html = true;
    d.body = OTHER;
    d.len = strlen(OTHER);
    d.url = PAGE;
    worker_submit(w, &a);
    assert_ptr_equal(take_wait(w), &a);
    assert_int_equal(a.same_as, 0); /* nothing told yet */
    assert_non_null(a.links.data);
    worker_remember(w, &a, 42);

    worker_submit(w, &b);
    assert_ptr_equal(take_wait(w), &b);
    assert_int_equal(b.same_as, 42);
    assert_string_equal(b.sha256, a.sha256);
    assert_int_equal(b.rc, CDB_OK);
    assert_null(b.links.data);
    assert_null(b.page.text);
    assert_true(b.page.noindex);
    assert_false(b.page.nofollow);
    assert_int_equal(b.page.refused, 1);

    c.parse = true;
    worker_submit(w, &c);
    assert_ptr_equal(take_wait(w), &c);
    assert_int_equal(c.same_as, 0);
    assert_non_null(c.links.data);
    assert_non_null(c.page.text);

    worker_submit(w, &d);
    assert_ptr_equal(take_wait(w), &d);
    assert_int_equal(d.same_as, 0);
    assert_non_null(d.links.data);

    worker_remember(w, &c, 43);
    worker_job_release(&b);
    worker_submit(w, &b); /* submitted again, parse still unset */
    assert_ptr_equal(take_wait(w), &b);
    assert_int_equal(b.same_as, 43);

    worker_job_release(&a);
    worker_job_release(&b);
    worker_job_release(&c);
    worker_job_release(&d);
    worker_free(w);
}

/* The set of WORKER_SAME_SLOTS / 2 that a body's hash lands in (worker.h):
 * its first 16 hex digits, 0 counting as 1. */
static uint64_t same_set_of(const char *body)
{
    char hex[65];
    uint64_t k;

    sha256_hex(body, strlen(body), hex);
    hex[16] = '\0';
    k = strtoull(hex, NULL, 16);
    return (k ? k : 1) & (WORKER_SAME_SLOTS / 2 - 1);
}

/* Submit j as an HTML page of body at PAGE and wait until it is done. */
static void run_html(struct worker *w, struct worker_job *j, const char *body)
{
    j->body = body;
    j->len = strlen(body);
    j->url = PAGE;
    j->html = true;
    worker_submit(w, j);
    assert_ptr_equal(take_wait(w), j);
}

/* Submit a job of body and return its same_as once done. */
static int64_t same_as_of(struct worker *w, const char *body)
{
    struct worker_job j = { 0 };
    int64_t same;

    run_html(w, &j, body);
    same = j.same_as;
    worker_job_release(&j);
    return same;
}

static void remember(struct worker *w, const char *body, int64_t id,
                     size_t refused)
{
    struct worker_job j = { 0 };

    j.body = body;
    j.len = strlen(body);
    sha256_hex(body, j.len, j.sha256);
    j.page.refused = refused;
    j.page.nofollow = true;
    worker_remember(w, &j, id);
}

/* Two pages are remembered in each set: three bodies whose hashes share a
 * set keep the newer two; telling a known body again moves it to the
 * front without costing its set-mate. Ids and refused counts beyond the
 * 16-byte slot's fields are not remembered, the largest that fit are. */
static void test_worker_same_sets(void **state)
{
    char body[4][40];
    uint64_t want = 0;
    struct worker *w = NULL;
    struct worker_job j = { 0 };
    struct cdb_err err = { 0 };
    int found = 0;

    (void)state;
    /* Three bodies in one set, found by trying numbered ones in turn: the
     * first set reached three times (a few thousand hashes). */
    {
        uint32_t *seen = calloc(WORKER_SAME_SLOTS / 2, sizeof *seen);
        uint32_t *first = calloc(WORKER_SAME_SLOTS / 2, sizeof *first);
        uint32_t *second = calloc(WORKER_SAME_SLOTS / 2, sizeof *second);

        assert_non_null(seen);
        assert_non_null(first);
        assert_non_null(second);
        for (uint32_t n = 1; found == 0 && n < 2000000; n++) {
            char b[40];
            uint64_t set;

            snprintf(b, sizeof b, "<p>body %u</p>", (unsigned)n);
            set = same_set_of(b);
            if (seen[set] == 2) {
                snprintf(body[0], sizeof body[0], "<p>body %u</p>",
                         (unsigned)first[set]);
                snprintf(body[1], sizeof body[1], "<p>body %u</p>",
                         (unsigned)second[set]);
                snprintf(body[2], sizeof body[2], "%s", b);
                want = set;
                found = 1;
            } else {
                (seen[set] ? second : first)[set] = n;
                seen[set]++;
            }
        }
        free(seen);
        free(first);
        free(second);
    }
    assert_int_equal(found, 1);
    snprintf(body[3], sizeof body[3], "<p>other</p>");
    assert_int_equal(same_set_of(body[0]), want);
    assert_int_equal(same_set_of(body[1]), want);
    assert_int_not_equal(same_set_of(body[3]), want);

    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    remember(w, body[0], 1, 0);
    remember(w, body[1], 2, 0);
    assert_int_equal(same_as_of(w, body[0]), 1);
    assert_int_equal(same_as_of(w, body[1]), 2);
    remember(w, body[0], 11, 0); /* known: to the front, body 1 stays */
    assert_int_equal(same_as_of(w, body[0]), 11);
    assert_int_equal(same_as_of(w, body[1]), 2);
    remember(w, body[2], 3, 0); /* the older, body 1, goes */
    assert_int_equal(same_as_of(w, body[1]), 0);
    assert_int_equal(same_as_of(w, body[0]), 11);
    assert_int_equal(same_as_of(w, body[2]), 3);

    /* The widest fields: the id, the refused count and the flags come
     * back whole. */
    remember(w, body[3], (INT64_C(1) << 38) - 1, ((size_t)1 << 24) - 1);
    run_html(w, &j, body[3]);
    assert_true(j.same_as == (INT64_C(1) << 38) - 1);
    assert_int_equal(j.page.refused, ((size_t)1 << 24) - 1);
    assert_true(j.page.nofollow);
    assert_false(j.page.noindex);
    worker_job_release(&j);
    /* Too wide: not remembered, and the entry already there is kept. */
    remember(w, body[3], INT64_C(1) << 38, 0);
    remember(w, body[3], 5, (size_t)1 << 24);
    assert_true(same_as_of(w, body[3]) == (INT64_C(1) << 38) - 1);
    worker_free(w);
}

static int stop_second(void *ctx, const char *kind, const char *url,
                       const char *anchor, bool rel_nofollow)
{
    int *n = ctx;

    (void)kind;
    (void)url;
    (void)anchor;
    (void)rel_nofollow;
    return ++*n == 2 ? CDB_EDB : CDB_OK;
}

/* A callback's failure stops the replay and is returned. */
static void test_worker_links_stop(void **state)
{
    struct worker *w = NULL;
    struct worker_job j = { 0 };
    struct cdb_err err = { 0 };
    int n = 0;

    (void)state;
    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    run_html(w, &j, HTML);
    assert_int_equal(worker_job_links(&j, stop_second, &n), CDB_EDB);
    assert_int_equal(n, 2);
    worker_job_release(&j);
    worker_free(w);
}

/* Without html only the hash is made; an empty body hashes as empty. */
static void test_worker_hash_only(void **state)
{
    struct worker *w = NULL;
    struct worker_job a = { 0 }, b = { 0 };
    struct cdb_err err = { 0 };
    char sha[65];

    (void)state;
    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    a.body = HTML;
    a.len = strlen(HTML);
    a.url = PAGE;
    b.url = PAGE; /* NULL body, length 0 */
    b.html = true;
    worker_submit(w, &a);
    worker_submit(w, &b);
    assert_ptr_equal(take_wait(w), &a);
    assert_ptr_equal(take_wait(w), &b);
    sha256_hex(HTML, strlen(HTML), sha);
    assert_string_equal(a.sha256, sha);
    assert_null(a.page.text);
    assert_null(a.links.data);
    assert_string_equal(
        b.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(b.rc, CDB_OK);
    assert_string_equal(b.page.text, "");
    worker_job_release(&a);
    worker_job_release(&b);
    worker_free(w);
}

/* Many jobs come back in the order given, each with its own results; a
 * wake-up comes for the first of those waiting, so at most one a job, and
 * after all were taken the next job brings exactly one. The link cache is
 * shared across them. */
static void test_worker_many_in_order(void **state)
{
    enum { N = 300 };
    struct worker *w = NULL;
    struct worker_job *jobs = xcalloc(N, sizeof *jobs);
    char(*bodies)[128] = xcalloc(N, sizeof *bodies);
    struct cdb_err err = { 0 };

    (void)state;
    atomic_store(&wakes, 0);
    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    for (int i = 0; i < N; i++) {
        snprintf(bodies[i], sizeof bodies[i],
                 "<title>page %d</title><a href=p%d.html>next</a>"
                 "<a href=common.html>c</a>",
                 i, i + 1);
        jobs[i].body = bodies[i];
        jobs[i].len = strlen(bodies[i]);
        jobs[i].url = PAGE;
        jobs[i].html = true;
        worker_submit(w, &jobs[i]);
    }
    for (int i = 0; i < N; i++) {
        struct worker_job *j = take_wait(w);
        struct buf links;
        char want[256], title[32];

        assert_ptr_equal(j, &jobs[i]);
        snprintf(title, sizeof title, "page %d", i);
        assert_string_equal(j->page.title, title);
        buf_init(&links, 1 << 16);
        assert_int_equal(worker_job_links(j, print_link, &links), CDB_OK);
        snprintf(want, sizeof want,
                 "a|http://example.com/dir/p%d.html|next|0\n"
                 "a|http://example.com/dir/common.html|c|0\n",
                 i + 1);
        assert_string_equal(links.data, want);
        buf_release(&links);
        worker_job_release(j);
    }
    assert_int_equal(worker_pending(w), 0);
    assert_true(atomic_load(&wakes) >= 1 && atomic_load(&wakes) <= N);
    atomic_store(&wakes, 0);
    worker_submit(w, &jobs[0]);
    assert_ptr_equal(take_wait(w), &jobs[0]);
    for (int i = 0; i < 10000 && atomic_load(&wakes) == 0; i++)
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL); /* it may lag */
    assert_int_equal(atomic_load(&wakes), 1);
    worker_job_release(&jobs[0]);
    worker_free(w);
    free(jobs);
    free(bodies);
}

/* Links past WORKER_MAX_LINK_BYTES are counted as refused, not kept: a
 * short page can name thousands of 8 KB URLs through a long <base>. */
static void test_worker_link_bytes_bound(void **state)
{
    enum { N = 6000 };
    struct worker *w = NULL;
    struct worker_job j = { 0 };
    struct buf body;
    struct cdb_err err = { 0 };
    size_t kept = 0;
    const char *p;

    (void)state;
    buf_init(&body, 1 << 20);
    buf_adds(&body, "<base href='http://example.com/");
    for (int i = 0; i < 8000; i++)
        buf_adds(&body, "x");
    buf_adds(&body, "/'>");
    for (int i = 0; i < N; i++)
        buf_addf(&body, "<a href=%d>", i);
    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    j.body = body.data;
    j.len = body.len;
    j.url = PAGE;
    j.html = true;
    worker_submit(w, &j);
    assert_ptr_equal(take_wait(w), &j);
    assert_int_equal(j.rc, CDB_OK);
    assert_true(j.links.len <= WORKER_MAX_LINK_BYTES);
    for (p = j.links.data; p && p < j.links.data + j.links.len; kept++) {
        p++;                /* flags */
        p += strlen(p) + 1; /* kind */
        p += strlen(p) + 1; /* url */
        p += strlen(p) + 1; /* anchor: every <a> has one */
    }
    assert_true(kept > 3000);
    assert_true(j.page.refused > 0);
    assert_int_equal(kept + j.page.refused, N);
    worker_job_release(&j);
    worker_free(w);
    buf_release(&body);
}

/* Freeing with jobs waiting, running and done frees them all. */
static void test_worker_free_outstanding(void **state)
{
    struct worker *w = NULL;
    struct cdb_err err = { 0 };

    (void)state;
    assert_int_equal(worker_new(1000, 64, on_wake, NULL, &w, &err), CDB_OK);
    for (int i = 0; i < 50; i++) {
        struct worker_job *j = xcalloc(1, sizeof *j);

        j->body = HTML;
        j->len = strlen(HTML);
        j->url = PAGE;
        j->html = true;
        worker_submit(w, j);
    }
    assert_int_equal(worker_pending(w), 50);
    worker_free(w);
    worker_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_same_as_extract),
        cmocka_unit_test(test_worker_same_body),
        cmocka_unit_test(test_worker_same_sets),
        cmocka_unit_test(test_worker_links_stop),
        cmocka_unit_test(test_worker_hash_only),
        cmocka_unit_test(test_worker_many_in_order),
        cmocka_unit_test(test_worker_link_bytes_bound),
        cmocka_unit_test(test_worker_free_outstanding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
