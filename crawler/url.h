/* URLs: resolve a reference against a base into the canonical form that is
 * the logical key of the pages table, split canonical URLs into parts, and
 * decide whether a URL lies inside a crawl's scope. No network, no disk. */
#ifndef CRAWLDB_URL_H
#define CRAWLDB_URL_H

#include <stdbool.h>
#include <stddef.h>

struct cdb_err;

/* Longest reference (and base) url_canon() accepts, in bytes. */
#define URL_MAX_REF 8192

/* Resolve ref against base (base NULL: ref must be absolute) the way a
 * browser does: leading and trailing C0 controls and spaces are stripped,
 * tabs and newlines removed, backslashes read as slashes, "//host/path" and
 * "http:path" forms follow the WHATWG URL standard. An empty ref means the
 * base itself.
 *
 * On success *out is the canonical absolute URL: lowercase scheme and host,
 * no default port, no dot segments, no fragment, path at least "/", %XX of
 * unreserved characters decoded, other escapes in uppercase hex, spaces and
 * other unsafe bytes percent-encoded (a space is %20, never '+'), a '%' not
 * starting an escape kept as is, an internationalized host in punycode and a
 * numeric host as dotted-decimal IPv4. Canonicalization is idempotent:
 * url_canon(NULL, *out) gives *out again. The caller frees *out with free().
 *
 * Returns CDB_OK; CDB_EINVAL for anything but an http(s) URL or a ref that
 * cannot be resolved (the message names ref and base); CDB_ELIMIT for a ref
 * or base longer than URL_MAX_REF bytes; CDB_ENOMEM if libcurl ran out of
 * memory. *out is NULL on failure. */
int url_canon(const char *base, const char *ref, char **out,
              struct cdb_err *err);

/* A bounded cache of resolutions, for a crawl that resolves the same
 * references page after page (navigation, shared links). It holds at most a
 * fixed number of entries, each replacing whatever held its slot. */
struct url_cache;

/* A cache of about slots entries (rounded up to a power of two, at least
 * 16). Never NULL: allocation failure aborts, as with xmalloc(). */
struct url_cache *url_cache_new(size_t slots);

/* NULL-safe. */
void url_cache_free(struct url_cache *c);

/* Lookups answered from the cache and lookups made, since creation. */
void url_cache_stats(const struct url_cache *c, unsigned long long *hits,
                     unsigned long long *lookups);

/* url_canon(base, ref, out, err) for a base that is already canonical (a
 * url_canon() result), which is therefore not canonicalised again. With c
 * (may be NULL), curl's part is looked up there first: the absolute URL
 * that base and ref make, with its "." and ".." segments removed, so that
 * the same target spelt from different directories is one entry. Failures
 * are not cached. */
int url_canon_cached(struct url_cache *c, const char *base, const char *ref,
                     char **out, struct cdb_err *err);

/* The parts of a canonical absolute URL, each member malloc'd. */
struct url_parts {
    char *scheme; /* "http" or "https" */
    char *host;   /* lowercase; IPv6 in brackets as curl gives it */
    int port;     /* effective port: explicit, else 80/443 */
    char *path;   /* path plus "?query" if any, always starts with '/' */
};

/* Split a canonical absolute http(s) URL (as url_canon() writes it) into
 * *out, which the caller releases with url_parts_release(). Returns CDB_OK,
 * CDB_EINVAL (message names url; *out is left zeroed) or CDB_ENOMEM. */
int url_split(const char *url, struct url_parts *out, struct cdb_err *err);

/* Free the members of p and leave it zeroed. NULL-safe. */
void url_parts_release(struct url_parts *p);

/* The path (plus "?query") of a canonical URL, as url_split() gives it,
 * pointing into url; NULL when url has no "scheme://authority/" start.
 * For the crawl's hot path: it allocates nothing and calls no parser,
 * which url_split() does (a twentieth of the crawl thread's time). */
const char *url_path(const char *url);

/* How far a crawl may wander from its seed. */
enum url_scope {
    URL_SCOPE_HOST,   /* same host name and port */
    URL_SCOPE_DOMAIN, /* the seed's domain and its subdomains */
    URL_SCOPE_PREFIX, /* same origin, below the seed's directory */
    URL_SCOPE_ANY     /* anything */
};

/* Parse "host", "domain", "prefix" or "any" (exact, lowercase) into *out.
 * Returns false, leaving *out alone, for any other name. */
bool url_scope_parse(const char *name, enum url_scope *out);

/* Is the canonical url inside the scope defined by the canonical seed?
 * HOST: same host name and same port, where http and https count as the same
 *   host and a default port (80 for http, 443 for https) compares equal to
 *   the other scheme's default port.
 * DOMAIN: url's host equals the seed's domain or is a subdomain of it; the
 *   seed's domain is its host without a leading "www." (so seed
 *   www.example.com admits example.com, blog.example.com and
 *   www.example.com); an IP-address seed admits only itself. Ports are not
 *   compared.
 * PREFIX: same scheme, host and port, and url's path starts with the seed's
 *   directory (the seed path up to and including its last '/').
 * ANY: always true.
 * A seed or url that does not split (see url_split()) is out of scope. */
bool url_in_scope(enum url_scope scope, const char *seed, const char *url);
/* The same for a seed and a url already split: a crawl splits its seeds
 * once, and each new URL once for this and for its host. */
bool url_parts_in_scope(enum url_scope scope, const struct url_parts *seed,
                        const struct url_parts *url);

#endif
