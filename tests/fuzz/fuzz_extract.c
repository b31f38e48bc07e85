/* libFuzzer target for extract.c: the first byte picks the Content-Type
 * charset (none, ISO-8859-1, Shift_JIS or UTF-8), the rest is the HTML body
 * of a page with a fixed URL. Every link reported must be a non-empty
 * canonical http(s) URL of a known kind, and the page results well formed. */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "cdb.h"
#include "extract.h"
#include "url.h"

#define PAGE_URL "http://fuzz.example/dir/page.html?q=1"
#define MAX_TEXT 4096

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

static bool known_kind(const char *kind)
{
    static const char *const kinds[] = {
        "a",      "area",  "link",    "canonical", "img",   "script",
        "iframe", "frame", "refresh", "media",     "embed",
    };

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

static int on_link(void *ctx, const char *kind, const char *url,
                   const char *anchor, bool rel_nofollow)
{
    size_t *count = ctx;

    (void)rel_nofollow;
    FUZZ_CHECK(kind != NULL && known_kind(kind));
    FUZZ_CHECK(url != NULL && url[0] != '\0');
    if (!is_http(url)) {
        fprintf(stderr, "link '%s' of kind %s is not http(s)\n", url, kind);
        abort();
    }
    FUZZ_CHECK(strchr(url, '#') == NULL);
    if (strcmp(kind, "a") == 0 || strcmp(kind, "area") == 0)
        FUZZ_CHECK(anchor != NULL && strlen(anchor) <= EXTRACT_MAX_ANCHOR);
    else
        FUZZ_CHECK(anchor == NULL);
    (*count)++;
    FUZZ_CHECK(*count <= EXTRACT_MAX_LINKS);
    return CDB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const charsets[] = { NULL, "iso-8859-1", "shift_jis",
                                            "utf-8" };
    const char *charset;
    struct extract_page page;
    struct cdb_err err = { 0 };
    size_t count = 0;
    int rc;

    if (size == 0)
        return 0;
    charset = charsets[data[0] % 4];
    /* body is passed without a NUL so that ASan sees any over-read */
    rc = extract_html(size > 1 ? (const char *)data + 1 : NULL, size - 1,
                      PAGE_URL, charset, MAX_TEXT, NULL, on_link, &count, &page,
                      &err);
    FUZZ_CHECK(rc == CDB_OK || rc == CDB_ENOMEM);
    if (rc == CDB_OK) {
        FUZZ_CHECK(page.text != NULL && strlen(page.text) <= MAX_TEXT);
        FUZZ_CHECK(page.base != NULL && is_http(page.base));
        FUZZ_CHECK(!page.canonical || is_http(page.canonical));
        FUZZ_CHECK(!page.title || (page.title[0] != '\0' &&
                                   strlen(page.title) <= EXTRACT_MAX_TITLE));
    }
    extract_page_release(&page);
    return 0;
}
