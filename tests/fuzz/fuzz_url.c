/* libFuzzer target for url.c: the input is a base and a reference separated
 * by the first NUL or newline (no separator: the whole input is an absolute
 * reference and there is no base). Every URL url_canon() gives must be http(s),
 * split with url_split() (url_path() finding the same path) and canonicalize
 * to itself again. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "cdb.h"
#include "url.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static bool is_http(const char *u)
{
    return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

/* Checks on a URL that url_canon() returned. */
static void check_canonical(const char *out)
{
    struct cdb_err err = { 0 };
    struct url_parts parts;
    char *again = NULL;
    int rc;

    FUZZ_CHECK(is_http(out));
    FUZZ_CHECK(strchr(out, '#') == NULL);
    for (const char *p = out; *p; p++)
        FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);

    rc = url_split(out, &parts, &err);
    if (rc != CDB_OK) {
        fprintf(stderr, "url_split('%s') failed: %s\n", out, err.msg);
        abort();
    }
    FUZZ_CHECK(parts.scheme && parts.host && parts.path);
    FUZZ_CHECK(strcmp(parts.scheme, "http") == 0 ||
               strcmp(parts.scheme, "https") == 0);
    FUZZ_CHECK(parts.path[0] == '/');
    FUZZ_CHECK(url_path(out) && strcmp(url_path(out), parts.path) == 0);
    FUZZ_CHECK(parts.port >= 0 && parts.port <= 65535);
    FUZZ_CHECK(url_in_scope(URL_SCOPE_HOST, out, out));
    FUZZ_CHECK(url_in_scope(URL_SCOPE_DOMAIN, out, out));
    FUZZ_CHECK(url_in_scope(URL_SCOPE_PREFIX, out, out));
    url_parts_release(&parts);

    rc = url_canon(NULL, out, &again, &err);
    if (rc != CDB_OK || strcmp(again, out) != 0) {
        fprintf(stderr, "not idempotent: '%s' gives '%s' (%s)\n", out,
                again ? again : "(null)", rc != CDB_OK ? err.msg : "");
        abort();
    }
    free(again);
}

/* url_canon_cached() against a canonical base agrees with url_canon(),
 * with a cache kept across inputs so that hits meet other bases. */
static void check_cached(const char *base, const char *ref)
{
    static struct url_cache *cache;
    struct cdb_err err = { 0 };
    char *base_c = NULL, *want = NULL, *got = NULL;
    int rc1, rc2;

    if (!base || url_canon(NULL, base, &base_c, &err) != CDB_OK)
        return;
    if (!cache)
        cache = url_cache_new(64);
    rc1 = url_canon(base_c, ref, &want, &err);
    rc2 = url_canon_cached(cache, base_c, ref, &got, &err);
    if (rc1 != rc2 || (rc1 == CDB_OK && strcmp(want, got) != 0)) {
        fprintf(stderr, "cache disagrees on '%s' against '%s': '%s' / '%s'\n",
                ref, base_c, want ? want : "(null)", got ? got : "(null)");
        abort();
    }
    free(want);
    free(got);
    free(base_c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t cut = 0;
    char *base = NULL, *ref;
    char *out = NULL;
    struct cdb_err err = { 0 };
    int rc;

    while (cut < size && in[cut] != '\0' && in[cut] != '\n')
        cut++;
    if (cut < size) {
        base = xstrndup(in, cut);
        ref = xstrndup(in + cut + 1, size - cut - 1);
    } else {
        ref = xstrndup(in, size);
    }

    rc = url_canon(base, ref, &out, &err);
    FUZZ_CHECK(rc == CDB_OK || rc == CDB_EINVAL || rc == CDB_ELIMIT ||
               rc == CDB_ENOMEM);
    if (rc == CDB_OK) {
        FUZZ_CHECK(out != NULL);
        check_canonical(out);
        if (base) { /* against itself an empty ref is the base */
            char *self = NULL;

            FUZZ_CHECK(url_canon(out, "", &self, &err) == CDB_OK);
            FUZZ_CHECK(strcmp(self, out) == 0);
            free(self);
        }
    } else {
        FUZZ_CHECK(out == NULL);
        FUZZ_CHECK(err.msg[0] != '\0');
    }
    check_cached(base, ref);
    free(out);
    free(base);
    free(ref);
    return 0;
}
