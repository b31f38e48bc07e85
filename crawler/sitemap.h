/* Sitemap parsing (sitemaps.org protocol): XML url sets, XML sitemap
 * indexes and plain-text sitemaps, gzip-compressed or not. Takes memory,
 * reports URLs: no network, no disk, no database, no URL resolution. */
#ifndef CRAWLDB_SITEMAP_H
#define CRAWLDB_SITEMAP_H

#include <stddef.h>

struct cdb_err;

/* Most locs reported per file, as the protocol says. */
#define SITEMAP_MAX_URLS 50000
/* Most uncompressed bytes parsed per file, the protocol limit (50 MiB). */
#define SITEMAP_MAX_BYTES (50u << 20)

/* What a sitemap body turned out to be. */
enum sitemap_kind {
    SITEMAP_URLSET, /* XML <urlset>: each loc is a page */
    SITEMAP_INDEX,  /* XML <sitemapindex>: each loc is another sitemap */
    SITEMAP_TEXT,   /* plain text, one URL a line: each is a page */
    SITEMAP_UNKNOWN /* nothing usable: empty, junk, or another XML root */
};

/* Parse a sitemap body: XML <urlset> (each <url><loc>, optional <lastmod>),
 * XML <sitemapindex> (each <sitemap><loc>, <lastmod>), or a plain-text
 * sitemap (one URL per line, lines not starting with http:// or https://
 * ignored). A gzip-compressed body (magic 1f 8b) is inflated first with zlib
 * (inflateInit2 with 16+MAX_WBITS), bounded at SITEMAP_MAX_BYTES of output
 * (a gzip bomb stops there with the URLs parsed so far kept: return CDB_OK,
 * *kind set, and page count reflects what was parsed). on_url receives each
 * loc trimmed of whitespace (raw, not resolved: the caller canonicalises),
 * and lastmod (trimmed) or NULL; a non-zero return stops and is returned.
 * *kind receives what the document was. At most SITEMAP_MAX_URLS locs are
 * reported. Malformed XML: libxml2 in recover mode, report what can be
 * recovered; if nothing parsable, return CDB_EINVAL with a message naming
 * `name` (the sitemap URL given for messages).
 *
 * Details. body need not be NUL-terminated and may be NULL when len is 0;
 * an uncompressed body is also read only up to SITEMAP_MAX_BYTES. A UTF-8
 * byte order mark and leading whitespace are skipped; then a body starting
 * with '<' (or a UTF-16 byte order mark) is XML, anything else is text.
 *
 * XML: element local names are matched whatever their prefix or namespace,
 * but a loc (or lastmod) counts only as a direct child of a url (in a
 * urlset) or sitemap (in a sitemapindex) element of the same namespace, so
 * image:loc and the like are ignored. Each entry is reported once its
 * element ends (or, in a truncated document, once its loc ended), with its
 * first non-empty loc; entries without one are skipped. Character and
 * predefined entity references and CDATA sections are decoded; no DTD is
 * loaded, no entity is declared or expanded and nothing is fetched, so XXE
 * and "billion laughs" documents yield nothing from their entities. A
 * document whose root is urlset or sitemapindex succeeds even with no
 * entries; another root element, or none, is CDB_EINVAL.
 *
 * Text: lines end at LF (a CR before it is whitespace); a line starting,
 * after trimming, with http:// or https:// (any case) is reported with a
 * NULL lastmod; lines holding a NUL byte are ignored. Text without any such
 * line is CDB_EINVAL, *kind SITEMAP_UNKNOWN.
 *
 * A loc longer than 64 KiB, or a text line longer than that, is skipped; a
 * lastmod longer than 256 bytes is passed as NULL. When the input is cut
 * (SITEMAP_MAX_BYTES, or a corrupt or truncated gzip stream), a URL that may
 * have been cut is not reported. Both strings passed to on_url are borrowed
 * for the call only.
 *
 * Returns CDB_OK; CDB_EINVAL (empty body, corrupt gzip with nothing
 * inflated, not a sitemap); CDB_ENOMEM if libxml2 or zlib ran out of memory;
 * or what on_url returned. *kind is set in every case. */
/* *kind is already set when on_url is first called. */
int sitemap_parse(const char *body, size_t len, const char *name,
                  int (*on_url)(void *ctx, const char *loc,
                                const char *lastmod),
                  void *ctx, enum sitemap_kind *kind, struct cdb_err *err);

#endif
