/* Unit tests for robots.c: parsing, group selection, matching, crawl-delay,
 * sitemaps and bounds, through the public header only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "robots.h"

/* Parse text for agent and check one path. */
static bool allowed(const char *text, const char *agent, const char *path)
{
    struct robots *r = robots_parse(text, strlen(text), agent);
    bool ok = robots_allowed(r, path, NULL);

    robots_free(r);
    return ok;
}

/* The example file of RFC 9309 section 5.1, read by each of its agents. */
static void test_robots_rfc_example(void **state)
{
    static const char text[] = "User-Agent: *\n"
                               "Disallow: *.gif$\n"
                               "Disallow: /example/\n"
                               "Allow: /publications/\n"
                               "\n"
                               "User-Agent: foobot\n"
                               "Disallow:/\n"
                               "Allow:/example/page.html\n"
                               "Allow:/example/allowed.gif\n"
                               "\n"
                               "User-Agent: barbot\n"
                               "User-Agent: bazbot\n"
                               "Disallow: /example/page.html\n"
                               "\n"
                               "User-Agent: quxbot\n";

    (void)state;
    assert_false(allowed(text, "otherbot", "/example/x"));
    assert_false(allowed(text, "otherbot", "/a/b.gif"));
    assert_true(allowed(text, "otherbot", "/a/b.gif?x"));
    assert_true(allowed(text, "otherbot", "/publications/"));
    assert_false(allowed(text, "foobot", "/"));
    assert_true(allowed(text, "foobot", "/example/page.html"));
    assert_true(allowed(text, "foobot", "/example/allowed.gif"));
    assert_false(allowed(text, "foobot", "/example/other.gif"));
    assert_false(allowed(text, "barbot", "/example/page.html"));
    assert_false(allowed(text, "bazbot", "/example/page.html"));
    assert_true(allowed(text, "bazbot", "/example/x.gif"));
    /* quxbot's group is empty, so it may fetch everything. */
    assert_true(allowed(text, "quxbot", "/example/x.gif"));
}

/* RFC 9309 section 5.2: the longest match wins, whatever the order. */
static void test_robots_rfc_longest_match(void **state)
{
    static const char a[] = "user-agent: crawldb\n"
                            "allow: /example/page/\n"
                            "disallow: /example/page/disallowed.gif\n";
    static const char b[] = "user-agent: crawldb\n"
                            "disallow: /example/page/disallowed.gif\n"
                            "allow: /example/page/\n";
    const char *rule = NULL;
    struct robots *r = robots_parse(a, strlen(a), "crawldb");

    (void)state;
    assert_false(robots_allowed(r, "/example/page/disallowed.gif", &rule));
    assert_string_equal(rule, "disallow: /example/page/disallowed.gif");
    assert_true(robots_allowed(r, "/example/page/ok.gif", &rule));
    assert_string_equal(rule, "allow: /example/page/");
    assert_true(robots_allowed(r, "/elsewhere", &rule));
    assert_null(rule);
    robots_free(r);
    assert_false(allowed(b, "crawldb", "/example/page/disallowed.gif"));
}

/* An empty body, a NULL body and a body of only comments allow all. */
static void test_robots_empty(void **state)
{
    struct robots *r = robots_parse(NULL, 0, "crawldb");
    const char *rule = "x";

    (void)state;
    assert_true(robots_allowed(r, "/anything", &rule));
    assert_null(rule);
    assert_int_equal(robots_delay_ms(r), -1);
    assert_int_equal(robots_sitemap_count(r), 0);
    robots_free(r);
    assert_true(allowed("", "crawldb", "/"));
    assert_true(allowed("# nothing here\n\n", "crawldb", "/"));
}

/* A UTF-8 BOM before the first line does not hide that line. */
static void test_robots_bom(void **state)
{
    (void)state;
    assert_false(
        allowed("\xEF\xBB\xBFuser-agent: *\ndisallow: /\n", "crawldb", "/x"));
    /* Google also skips a truncated BOM. */
    assert_false(
        allowed("\xEF\xBBuser-agent: *\ndisallow: /\n", "crawldb", "/x"));
}

/* CRLF, CR-only and a missing final line end all delimit lines. */
static void test_robots_line_ends(void **state)
{
    (void)state;
    assert_false(allowed("user-agent: *\r\ndisallow: /a\r\nallow: /a/b\r\n",
                         "crawldb", "/a/c"));
    assert_true(allowed("user-agent: *\r\ndisallow: /a\r\nallow: /a/b\r\n",
                        "crawldb", "/a/b"));
    assert_false(allowed("user-agent: *\rdisallow: /a\rallow: /a/b\r",
                         "crawldb", "/a/c"));
    assert_true(allowed("user-agent: *\rdisallow: /a\rallow: /a/b\r", "crawldb",
                        "/a/b"));
    assert_false(allowed("user-agent: *\ndisallow: /a", "crawldb", "/a"));
}

/* Keys ignore case, whitespace around ':' and Google's common typos;
 * comments are cut; a line without a colon counts only as two words. */
static void test_robots_line_syntax(void **state)
{
    (void)state;
    assert_false(allowed("USER-AGENT : crawldb\nDISALLOW\t:\t/x # no\n",
                         "crawldb", "/x"));
    assert_false(allowed("useragent: crawldb\ndisalow: /x\n", "crawldb", "/x"));
    assert_false(
        allowed("user agent: crawldb\ndissallow: /x\n", "crawldb", "/x"));
    assert_false(allowed("user-agent crawldb\ndisallow /x\n", "crawldb", "/x"));
    assert_false(
        allowed("user-agent: crawldb\ndisallowed: /x\n", "crawldb", "/x"));
    assert_true(
        allowed("user-agent: crawldb\ndisallow /x y\n", "crawldb", "/x"));
    assert_true(
        allowed("user-agent: crawldb\n# disallow: /\n", "crawldb", "/"));
    assert_true(allowed("foo: crawldb\nbar: /\n", "crawldb", "/"));
}

/* A file whose rules have no user-agent line at all obeys none of them. */
static void test_robots_missing_user_agent(void **state)
{
    (void)state;
    assert_true(allowed("disallow: /\n", "crawldb", "/x"));
}

/* Rules before the first user-agent line are ignored, later ones kept. */
static void test_robots_rules_before_first_group(void **state)
{
    static const char text[] = "disallow: /a\n"
                               "user-agent: *\n"
                               "disallow: /b\n";

    (void)state;
    assert_true(allowed(text, "crawldb", "/a"));
    assert_false(allowed(text, "crawldb", "/b"));
}

/* Every group naming us is merged; a user-agent line after a rule starts a
 * new group, but sitemap and unknown lines do not end one. */
static void test_robots_merged_groups(void **state)
{
    static const char text[] = "user-agent: crawldb\n"
                               "disallow: /a\n"
                               "user-agent: other\n"
                               "disallow: /b\n"
                               "user-agent: crawldb\n"
                               "allow: /a/ok\n"
                               "disallow: /c\n";
    static const char other[] = "user-agent: other\n"
                                "sitemap: https://a.example/s.xml\n"
                                "user-agent: crawldb\n"
                                "disallow: /\n";

    (void)state;
    assert_false(allowed(text, "crawldb", "/a/x"));
    assert_true(allowed(text, "crawldb", "/a/ok"));
    assert_false(allowed(text, "crawldb", "/c"));
    assert_true(allowed(text, "crawldb", "/b"));
    assert_false(allowed(text, "other", "/b"));
    assert_true(allowed(text, "other", "/c"));
    assert_false(allowed(other, "other", "/x"));
}

/* The file's user-agent value is cut to its product token and compared
 * with ours ignoring case: "CrawlDB/1.0" names "crawldb". */
static void test_robots_agent_token(void **state)
{
    (void)state;
    assert_false(
        allowed("User-agent: CrawlDB/1.0\nDisallow: /\n", "crawldb", "/x"));
    assert_false(allowed("User-agent: CRAWLDB (+http://a.example)\n"
                         "Disallow: /\n",
                         "crawldb", "/x"));
    assert_true(
        allowed("User-agent: crawldbx\nDisallow: /\n", "crawldb", "/x"));
    assert_true(allowed("User-agent: crawl\nDisallow: /\n", "crawldb", "/x"));
    /* An empty token of ours matches only '*' groups. */
    assert_true(allowed("User-agent: crawldb\nDisallow: /\n", "", "/x"));
    assert_true(allowed("User-agent: crawldb\nDisallow: /\n", NULL, "/x"));
}

/* '*' groups apply only when no group names us, even an empty one. */
static void test_robots_global_fallback(void **state)
{
    static const char text[] = "user-agent: *\n"
                               "disallow: /\n"
                               "user-agent: crawldb\n"
                               "disallow: /private/\n";

    (void)state;
    assert_true(allowed(text, "crawldb", "/public"));
    assert_false(allowed(text, "crawldb", "/private/x"));
    assert_false(allowed(text, "other", "/public"));
    assert_true(allowed("user-agent: *\ndisallow: /\nuser-agent: crawldb\n",
                        "crawldb", "/x"));
    /* Two '*' groups are merged too. */
    assert_false(allowed("user-agent: *\ndisallow: /a\nuser-agent: x\n"
                         "allow: /\nuser-agent: *\ndisallow: /b\n",
                         "crawldb", "/b"));
}

/* '*' matches any run of octets, at the start, the middle or the end. */
static void test_robots_wildcards(void **state)
{
    static const char text[] = "user-agent: *\n"
                               "disallow: *.pdf\n"
                               "disallow: /tmp*\n"
                               "disallow: /a/*/c\n";

    (void)state;
    assert_false(allowed(text, "crawldb", "/docs/x.pdf"));
    assert_false(allowed(text, "crawldb", "/docs/x.pdf?dl=1"));
    assert_false(allowed(text, "crawldb", "/tmp"));
    assert_false(allowed(text, "crawldb", "/tmpfile"));
    assert_false(allowed(text, "crawldb", "/a/b/c"));
    assert_false(allowed(text, "crawldb", "/a//c"));
    assert_true(allowed(text, "crawldb", "/a/c"));
    assert_true(allowed(text, "crawldb", "/docs/x.pd"));
    assert_true(allowed("user-agent: *\ndisallow: *\nallow: /ok*\n", "crawldb",
                        "/ok/x"));
}

/* A final '$' anchors at the end of the path; an earlier one is literal. */
static void test_robots_dollar(void **state)
{
    static const char text[] = "user-agent: *\n"
                               "disallow: /exact$\n"
                               "disallow: /*.php$\n"
                               "disallow: /a$b\n";

    (void)state;
    assert_false(allowed(text, "crawldb", "/exact"));
    assert_true(allowed(text, "crawldb", "/exact/"));
    assert_true(allowed(text, "crawldb", "/exactly"));
    assert_false(allowed(text, "crawldb", "/x/y.php"));
    assert_true(allowed(text, "crawldb", "/x/y.php?q"));
    assert_false(allowed(text, "crawldb", "/a$b"));
    assert_true(allowed(text, "crawldb", "/ab"));
    assert_false(
        allowed("user-agent: *\nallow: /$\ndisallow: /\n", "crawldb", "/x"));
    assert_true(
        allowed("user-agent: *\nallow: /$\ndisallow: /\n", "crawldb", "/"));
}

/* Patterns are compared in their percent-encoded form: non-ASCII octets of
 * a rule are encoded, %xx hex case does not matter, %2A and %24 name a
 * literal '*' and '$', but %62 is not "b" (as in Google's library). */
static void test_robots_percent_encoding(void **state)
{
    static const char text[] = "user-agent: *\n"
                               "disallow: /\n"
                               "allow: /foo/\xE3\x83\x84\n"
                               "allow: /bar/%e3%83%84\n"
                               "allow: /star/%2A.html\n"
                               "allow: /dollar/%24\n"
                               "allow: /baz/%62\n";

    (void)state;
    assert_true(allowed(text, "crawldb", "/foo/%E3%83%84"));
    assert_true(allowed(text, "crawldb", "/foo/%e3%83%84"));
    assert_true(allowed(text, "crawldb", "/bar/%E3%83%84"));
    assert_true(allowed(text, "crawldb", "/star/*.html"));
    assert_true(allowed(text, "crawldb", "/star/%2a.html"));
    assert_false(allowed(text, "crawldb", "/star/x.html"));
    assert_true(allowed(text, "crawldb", "/dollar/$"));
    assert_true(allowed(text, "crawldb", "/baz/%62"));
    assert_false(allowed(text, "crawldb", "/baz/b"));
    assert_true(allowed("user-agent: *\ndisallow: /\n"
                        "allow: /q?a=1&b=http://x?y\n",
                        "crawldb", "/q?a=1&b=http://x?y"));
}

/* Equally long allow and disallow patterns: allow wins, either order. */
static void test_robots_tie_allow_wins(void **state)
{
    const char *rule = NULL;
    static const char text[] = "user-agent: *\n"
                               "disallow: /page\n"
                               "allow: /page\n";
    struct robots *r = robots_parse(text, strlen(text), "crawldb");

    (void)state;
    assert_true(robots_allowed(r, "/page", &rule));
    assert_string_equal(rule, "allow: /page");
    robots_free(r);
    assert_true(allowed("user-agent: *\nallow: /p*\ndisallow: /p*\n", "crawldb",
                        "/pq"));
}

/* An empty disallow (or allow) value matches nothing. */
static void test_robots_empty_value(void **state)
{
    (void)state;
    assert_true(allowed("user-agent: *\ndisallow:\n", "crawldb", "/x"));
    assert_false(
        allowed("user-agent: *\nallow:\ndisallow: /\n", "crawldb", "/x"));
}

/* Crawl-delay takes seconds, with fractions; junk is ignored and huge
 * values clamp to a day; only our group's value counts. */
static void test_robots_crawl_delay(void **state)
{
    static const struct {
        const char *text;
        long want_ms;
    } cases[] = {
        { "user-agent: *\ncrawl-delay: 10\n", 10000 },
        { "user-agent: *\ncrawl-delay: 0.5\n", 500 },
        { "user-agent: *\ncrawl-delay: 1.2345\n", 1234 },
        { "user-agent: *\ncrawl-delay: .25\n", 250 },
        { "user-agent: *\ncrawl-delay: 0\n", 0 },
        { "user-agent: *\ncrawl-delay: ten\n", -1 },
        { "user-agent: *\ncrawl-delay: -3\n", -1 },
        { "user-agent: *\ncrawl-delay: 5s\n", -1 },
        { "user-agent: *\ncrawl-delay:\n", -1 },
        { "user-agent: *\ncrawl-delay: 99999999999999999999\n", 86400000 },
        { "crawl-delay: 4\nuser-agent: *\n", -1 },
        { "user-agent: *\ncrawl-delay: 9\nuser-agent: crawldb\n"
          "crawl-delay: 2\n",
          9000 }, /* no rule between: one group naming both */
        { "user-agent: *\ncrawl-delay: 9\ndisallow: /x\n"
          "user-agent: crawldb\ncrawl-delay: 2\n",
          2000 },
        { "user-agent: other\ncrawl-delay: 9\ndisallow: /x\n", -1 },
        { "user-agent: other\ncrawl-delay: 7\nuser-agent: crawldb\n", 7000 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct robots *r =
            robots_parse(cases[i].text, strlen(cases[i].text), "crawldb");

        assert_int_equal(robots_delay_ms(r), cases[i].want_ms);
        robots_free(r);
    }
}

/* Sitemap lines count wherever they are, trimmed, in file order. */
static void test_robots_sitemaps(void **state)
{
    static const char text[] = "Sitemap: https://a.example/one.xml\n"
                               "user-agent: other\n"
                               "disallow: /\n"
                               "SITEMAP :  https://a.example/two.xml  \n"
                               "site-map: https://a.example/three.xml\n"
                               "sitemap:\n";
    struct robots *r = robots_parse(text, strlen(text), "crawldb");

    (void)state;
    assert_int_equal(robots_sitemap_count(r), 3);
    assert_string_equal(robots_sitemap(r, 0), "https://a.example/one.xml");
    assert_string_equal(robots_sitemap(r, 1), "https://a.example/two.xml");
    assert_string_equal(robots_sitemap(r, 2), "https://a.example/three.xml");
    assert_true(robots_allowed(r, "/", NULL));
    robots_free(r);
}

/* Rules past the first 500 KiB are ignored, and so is a line the limit
 * cuts; rules within it hold. Lines over 16 KiB are skipped whole. */
static void test_robots_oversized(void **state)
{
    static const char head[] = "user-agent: *\ndisallow: /early\n";
    static const char tail[] = "disallow: /late\n";
    size_t len = ROBOTS_MAX_BODY + 4096;
    char *body = malloc(len);
    char *line = malloc(ROBOTS_MAX_LINE + 64);
    size_t o = 0;
    struct robots *r;

    (void)state;
    assert_non_null(body);
    assert_non_null(line);
    memcpy(body, head, strlen(head));
    o = strlen(head);
    while (o + 32 < ROBOTS_MAX_BODY) { /* comment filler up to the limit */
        memcpy(body + o, "# filler filler filler filler\n", 30);
        o += 30;
    }
    /* A rule straddling the limit, then one entirely past it. */
    assert_true(o < ROBOTS_MAX_BODY && o + 30 > ROBOTS_MAX_BODY);
    memcpy(body + o, "disallow: /cut-rule-straddles\n", 30);
    o += 30;
    memcpy(body + o, tail, strlen(tail));
    o += strlen(tail);
    assert_true(o > ROBOTS_MAX_BODY && o < len);
    r = robots_parse(body, o, "crawldb");
    assert_false(robots_allowed(r, "/early", NULL));
    assert_true(robots_allowed(r, "/late", NULL));
    /* Any part of the cut line would have matched this. */
    assert_true(robots_allowed(r, "/cut-rule-straddles", NULL));
    robots_free(r);

    o = (size_t)snprintf(line, ROBOTS_MAX_LINE + 64, "user-agent: *\n");
    memcpy(line + o, "disallow: /", 11);
    memset(line + o + 11, 'a', ROBOTS_MAX_LINE);
    o += 11 + ROBOTS_MAX_LINE;
    r = robots_parse(line, o, "crawldb");
    assert_true(robots_allowed(r, "/aaaa", NULL));
    robots_free(r);
    free(line);
    free(body);
}

/* At most ROBOTS_MAX_RULES rules are kept; parsing more stays bounded. */
static void test_robots_rule_limit(void **state)
{
    size_t n = ROBOTS_MAX_RULES + 10;
    size_t cap = 32 + n * 32;
    char *body = malloc(cap);
    size_t o = 0;
    struct robots *r;

    (void)state;
    assert_non_null(body);
    o += (size_t)snprintf(body, cap, "user-agent: *\n");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(body + o, cap - o, "disallow: /r%05zu\n", i);
    r = robots_parse(body, o, "crawldb");
    assert_false(robots_allowed(r, "/r00000", NULL));
    assert_false(robots_allowed(r, "/r09999", NULL));
    assert_true(robots_allowed(r, "/r10000", NULL));
    robots_free(r);
    free(body);
}

/* A pattern that makes backtracking matchers exponential stays fast on a
 * long path: 200 checks of a 100 KB path take well under a second. */
static void test_robots_pathological_fast(void **state)
{
    static const char text[] = "user-agent: *\n"
                               "disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b\n"
                               "disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b$\n";
    size_t n = 100000;
    char *path = malloc(n + 1);
    struct robots *r = robots_parse(text, strlen(text), "crawldb");
    clock_t start = clock();
    double secs;

    (void)state;
    assert_non_null(path);
    path[0] = '/';
    memset(path + 1, 'a', n - 1);
    path[n] = '\0';
    for (int i = 0; i < 200; i++)
        assert_true(robots_allowed(r, path, NULL));
    path[n - 1] = 'b';
    assert_false(robots_allowed(r, path, NULL));
    secs = (double)(clock() - start) / CLOCKS_PER_SEC;
    assert_true(secs < 1.0);
    robots_free(r);
    free(path);
}

/* The blanket policies: all allowed, or all but /robots.txt refused. */
static void test_robots_allow_deny_all(void **state)
{
    struct robots *a = robots_new_allow_all();
    struct robots *d = robots_new_deny_all();
    const char *rule = NULL;

    (void)state;
    assert_true(robots_allowed(a, "/x", &rule));
    assert_null(rule);
    assert_false(robots_allowed(d, "/x", &rule));
    assert_string_equal(rule, "disallow: /");
    assert_false(robots_allowed(d, "", NULL));
    assert_true(robots_allowed(d, "/robots.txt", &rule));
    assert_null(rule);
    assert_int_equal(robots_delay_ms(a), -1);
    assert_int_equal(robots_delay_ms(d), -1);
    assert_int_equal(robots_sitemap_count(d), 0);
    robots_free(a);
    robots_free(d);
    robots_free(NULL);
}

/* /robots.txt is allowed even when a rule names it; "" counts as "/". */
static void test_robots_self_and_empty_path(void **state)
{
    static const char text[] = "user-agent: *\ndisallow: /\n";

    (void)state;
    assert_true(allowed(text, "crawldb", "/robots.txt"));
    assert_false(allowed(text, "crawldb", "/robots.txt.bak"));
    assert_false(allowed(text, "crawldb", ""));
    assert_true(allowed("user-agent: *\ndisallow: /x\n", "crawldb", ""));
}

/* Google's index.html rule: allowing /d/index.html also allows /d/. */
static void test_robots_index_html(void **state)
{
    static const char text[] = "user-agent: *\n"
                               "allow: /d/index.html\n"
                               "disallow: /\n";

    (void)state;
    assert_true(allowed(text, "crawldb", "/d/"));
    assert_true(allowed(text, "crawldb", "/d/index.html"));
    assert_false(allowed(text, "crawldb", "/d/other"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_robots_rfc_example),
        cmocka_unit_test(test_robots_rfc_longest_match),
        cmocka_unit_test(test_robots_empty),
        cmocka_unit_test(test_robots_bom),
        cmocka_unit_test(test_robots_line_ends),
        cmocka_unit_test(test_robots_line_syntax),
        cmocka_unit_test(test_robots_missing_user_agent),
        cmocka_unit_test(test_robots_rules_before_first_group),
        cmocka_unit_test(test_robots_merged_groups),
        cmocka_unit_test(test_robots_agent_token),
        cmocka_unit_test(test_robots_global_fallback),
        cmocka_unit_test(test_robots_wildcards),
        cmocka_unit_test(test_robots_dollar),
        cmocka_unit_test(test_robots_percent_encoding),
        cmocka_unit_test(test_robots_tie_allow_wins),
        cmocka_unit_test(test_robots_empty_value),
        cmocka_unit_test(test_robots_crawl_delay),
        cmocka_unit_test(test_robots_sitemaps),
        cmocka_unit_test(test_robots_oversized),
        cmocka_unit_test(test_robots_rule_limit),
        cmocka_unit_test(test_robots_pathological_fast),
        cmocka_unit_test(test_robots_allow_deny_all),
        cmocka_unit_test(test_robots_self_and_empty_path),
        cmocka_unit_test(test_robots_index_html),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
