/* libFuzzer target for robots.c: the input up to the first NUL is a
 * robots.txt body; the rest, one path a line, is matched against it along
 * with a few fixed paths. A disallowed path must name the disallow rule that
 * matched, an allowed one an allow rule or none, and /robots.txt is always
 * allowed. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "robots.h"
#include "util.h"

/* Paths matched per input, so that one input stays fast. */
#define MAX_PATHS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void check_path(const struct robots *r, const char *path)
{
    const char *rule = (const char *)"unset";
    bool ok = robots_allowed(r, path, &rule);

    if (ok)
        FUZZ_CHECK(rule == NULL || strncmp(rule, "allow: ", 7) == 0);
    else
        FUZZ_CHECK(rule != NULL && strncmp(rule, "disallow: ", 10) == 0);
    FUZZ_CHECK(ok == robots_allowed(r, path, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {
        "", "/", "/index.html", "/a/b?c=d", "/%7Euser/x$y*z", "/private/"
    };
    static const char *const agents[] = { "crawldb", "FooBot", "", NULL };
    const char *in = (const char *)data;
    const char *nul = memchr(in, '\0', size);
    size_t body_n = nul ? (size_t)(nul - in) : size;
    const char *rest = nul ? nul + 1 : in + size;
    const char *end = in + size;
    const char *agent = agents[body_n % 4];
    struct robots *r;
    const char *rule = NULL;
    long delay;

    /* the body is passed without a NUL so that ASan sees any over-read */
    r = robots_parse(body_n ? in : NULL, body_n, agent);
    FUZZ_CHECK(r != NULL);
    FUZZ_CHECK(robots_allowed(r, "/robots.txt", &rule));
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_path(r, fixed[i]);
    for (int n = 0; rest < end && n < MAX_PATHS; n++) {
        const char *nl = memchr(rest, '\n', (size_t)(end - rest));
        size_t len = nl ? (size_t)(nl - rest) : (size_t)(end - rest);
        char *path = xstrndup(rest, len);

        check_path(r, path);
        free(path);
        rest += len + 1;
    }
    delay = robots_delay_ms(r);
    FUZZ_CHECK(delay == -1 || (delay >= 0 && delay <= ROBOTS_MAX_DELAY_MS));
    FUZZ_CHECK(robots_sitemap_count(r) <= ROBOTS_MAX_SITEMAPS);
    for (size_t i = 0; i < robots_sitemap_count(r); i++)
        FUZZ_CHECK(robots_sitemap(r, i) != NULL);
    robots_free(r);
    return 0;
}
