/* Extraction from an HTML page: the links it makes (with their kind and
 * anchor text), its title, its visible text, its base and canonical URLs and
 * its robots meta directives. Takes memory, returns results: no network, no
 * disk, no database. */
#ifndef CRAWLDB_EXTRACT_H
#define CRAWLDB_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

struct cdb_err;
struct url_cache;

/* Most references collected from one page; the rest count as refused. */
#define EXTRACT_MAX_LINKS 100000
/* Longest anchor text and longest title kept, in bytes. */
#define EXTRACT_MAX_ANCHOR 1024
#define EXTRACT_MAX_TITLE  1024

/* What extract_html() found besides the links. Every string is UTF-8 and
 * malloc'd; extract_page_release() frees them. */
struct extract_page {
    /* The first <title>, whitespace collapsed, at most EXTRACT_MAX_TITLE
     * bytes; NULL if none or empty. */
    char *title;
    /* Visible text: all character data outside script, style, template and
     * title (noscript text is kept), runs of whitespace collapsed to one
     * space (the start and end of elements other than inline ones count as
     * whitespace), trimmed, at most max_text bytes cut on a UTF-8 boundary;
     * never NULL after success. */
    char *text;
    /* The base URL used for resolution: the first <base href> resolved
     * against page_url, else page_url. */
    char *base;
    /* The first <link rel=canonical href> that resolves, absolute; NULL if
     * none. */
    char *canonical;
    /* <meta name=robots|crawldb content=...> says noindex or none. */
    bool noindex;
    /* The same says nofollow or none. Both flags are set before the first
     * on_link call, so the callback may read them. */
    bool nofollow;
    /* References that did not resolve or were not http(s) (javascript:,
     * mailto:, data:, tel:, ...), plus those past EXTRACT_MAX_LINKS. */
    size_t refused;
    /* Links reported from fragment-only references ("#main") resolved
     * against page_url itself (no <base>, or one that is empty, fragment-
     * only or does not resolve): each leads to the page, whatever its URL.
     * Any other link to the page would lead to this URL from a copy of the
     * page at another one. */
    size_t own_refs;
};

/* Parse the HTML page body (len bytes, need not be NUL-terminated; body may
 * be NULL when len is 0) fetched from page_url, and report every link it
 * makes to on_link, in document order, after the whole page is parsed (so a
 * <base href> late in the page applies to links before it, as in browsers).
 *
 * charset is the Content-Type charset or NULL. A byte order mark wins over
 * it, and it wins over <meta charset> in the page; with neither, the page's
 * own <meta charset> or http-equiv Content-Type applies, else UTF-8 with a
 * fall back to ISO-8859-1 for bytes that are not UTF-8. ISO-8859-1 and
 * US-ASCII labels read as windows-1252, as browsers do. An unknown charset
 * is ignored. Whatever the input, results are UTF-8.
 *
 * The parser is libxml2's HTML parser in recovery mode: malformed or binary
 * input gives what can be read of it, never an error. At most INT_MAX bytes
 * of body are read.
 *
 * Links, by kind:
 *   "a", "area"  a/area href
 *   "link"       link href whose rel does not contain canonical
 *   "canonical"  link href whose rel contains canonical (also sets
 *                page->canonical)
 *   "img"        img src, every candidate URL of img and source srcset
 *   "script"     script src
 *   "iframe"     iframe src
 *   "frame"      frame src
 *   "refresh"    the URL in <meta http-equiv=refresh content="N; url=...">
 *   "media"      video, audio, source and track src, video poster
 *   "embed"      embed src, object data
 * Forms are skipped. Attribute values are trimmed of ASCII whitespace; empty
 * ones are ignored. url is canonical and absolute (see url_canon()); a
 * reference that url_canon() refuses is counted in page->refused and not
 * reported. Duplicates are reported every time. anchor is the text of the
 * a element (the alt of an img inside it counts as text) or the alt of the
 * area element, whitespace collapsed, at most EXTRACT_MAX_ANCHOR bytes cut on
 * a UTF-8 boundary, "" if empty; NULL for the other kinds. rel_nofollow is
 * whether the element's rel contains the token nofollow. The strings are
 * borrowed for the duration of the call. on_link returns CDB_OK to go on;
 * any other value stops extraction and extract_html() returns it, leaving
 * err as the callback left it (a callback that wants a message fills the
 * caller's err through ctx).
 *
 * *page is overwritten, not freed. On success it holds the results and the
 * caller releases it with extract_page_release(); on any failure it is left
 * zeroed.
 *
 * on_link may be NULL to get only *page. cache (may be NULL) is a
 * url_cache_new() cache that extract_html() uses and fills, so a crawl
 * resolves a link it has met before without libcurl.
 *
 * Returns CDB_OK, the value of on_link that stopped extraction, or
 * CDB_ENOMEM if libxml2 or libcurl ran out of memory (the message names
 * page_url, or the reference being resolved). */
int extract_html(const char *body, size_t len, const char *page_url,
                 const char *charset, size_t max_text, struct url_cache *cache,
                 int (*on_link)(void *ctx, const char *kind, const char *url,
                                const char *anchor, bool rel_nofollow),
                 void *ctx, struct extract_page *page, struct cdb_err *err);

/* Free the members of page and leave it zeroed. NULL-safe. */
void extract_page_release(struct extract_page *page);

#endif
