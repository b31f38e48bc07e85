/* libFuzzer target for sitemap.c: with the low bit of the first byte set the
 * rest of the input is gzip-compressed first, so that the XML and text
 * parsers behind the inflater are reached too; otherwise it is parsed as it
 * is (and may itself be gzip). Every loc reported must be non-empty and
 * trimmed, and the result code and kind must agree. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include <zlib.h>

#include "cdb.h"
#include "sitemap.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int on_url(void *ctx, const char *loc, const char *lastmod)
{
    size_t *count = ctx;
    size_t n;

    FUZZ_CHECK(loc != NULL);
    n = strlen(loc);
    FUZZ_CHECK(n > 0 && n <= 65536);
    FUZZ_CHECK(!is_space(loc[0]) && !is_space(loc[n - 1]));
    FUZZ_CHECK(!lastmod || strlen(lastmod) <= 256);
    (*count)++;
    FUZZ_CHECK(*count <= SITEMAP_MAX_URLS);
    return CDB_OK;
}

/* Compress in[0..n) into a gzip stream; the caller frees *out. */
static size_t gzip(const uint8_t *in, size_t n, uint8_t **out)
{
    z_stream z;
    uLong cap;

    memset(&z, 0, sizeof z);
    FUZZ_CHECK(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                            16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    cap = deflateBound(&z, (uLong)n);
    *out = xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)in; /* zlib does not write the input */
    z.avail_in = (uInt)n;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
    deflateEnd(&z);
    return (size_t)z.total_out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum sitemap_kind kind = (enum sitemap_kind) - 1;
    struct cdb_err err = { 0 };
    uint8_t *gz = NULL;
    const uint8_t *body;
    size_t len, count = 0;
    int rc;

    if (size == 0)
        return 0;
    if (data[0] & 1) {
        len = gzip(data + 1, size - 1, &gz);
        body = gz;
    } else {
        len = size - 1;
        body = len ? data + 1 : NULL;
    }
    /* the body is passed without a NUL so that ASan sees any over-read */
    rc = sitemap_parse((const char *)body, len, "http://fuzz.example/sm.xml",
                       on_url, &count, &kind, &err);
    FUZZ_CHECK(rc == CDB_OK || rc == CDB_EINVAL || rc == CDB_ENOMEM);
    FUZZ_CHECK(kind == SITEMAP_URLSET || kind == SITEMAP_INDEX ||
               kind == SITEMAP_TEXT || kind == SITEMAP_UNKNOWN);
    if (rc == CDB_EINVAL)
        FUZZ_CHECK(err.msg[0] != '\0' && count == 0);
    if (kind == SITEMAP_UNKNOWN)
        FUZZ_CHECK(rc != CDB_OK && count == 0);
    if (kind == SITEMAP_TEXT)
        FUZZ_CHECK(rc != CDB_OK || count > 0);
    free(gz);
    return 0;
}
