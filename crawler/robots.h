/* robots.txt (RFC 9309): parse a body held in memory for one crawler and
 * answer whether a path may be fetched, with the crawl-delay and the sitemap
 * lines. No I/O: the caller fetches robots.txt and picks the policy for
 * failed fetches (robots_new_allow_all, robots_new_deny_all). */
#ifndef CRAWLDB_ROBOTS_H
#define CRAWLDB_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a body that are parsed; the rest is ignored, as RFC 9309 allows
 * (at least 500 KiB must be parsed). A line cut by the limit is dropped. */
#define ROBOTS_MAX_BODY 512000
/* Longer lines (not counting the line end) are skipped whole. */
#define ROBOTS_MAX_LINE 16384
/* Rules kept for our group(s); later ones are ignored. */
#define ROBOTS_MAX_RULES 10000
/* Sitemap lines kept; later ones are ignored. */
#define ROBOTS_MAX_SITEMAPS 1000
/* Largest crawl-delay reported: one day. */
#define ROBOTS_MAX_DELAY_MS 86400000L

struct robots;

/* Parse a robots.txt body for the crawler whose product token is agent
 * (e.g. "crawldb"). body may be NULL/len 0 (allow all). At most 500 KiB
 * (ROBOTS_MAX_BODY bytes) of body are parsed; the rest is ignored (as RFC
 * 9309 allows). Never fails (allocation aborts via xmalloc).
 *
 * A group is one or more consecutive user-agent lines and the rules after
 * them; only allow and disallow lines end the run of user-agent lines, so
 * sitemap, crawl-delay and unknown lines do not split a group. A group's
 * user-agent value is cut at the first octet outside [A-Za-z_-] ("crawldb/1.0"
 * names "crawldb") and compared with agent, whole and ignoring ASCII case, so
 * pass the bare token: "crawldb", not "crawldb/1.0" (agent may be NULL or "",
 * and then only '*' groups apply). Every group naming us is used, merged;
 * when none does, every '*' group is used. Rules before the first user-agent
 * line are ignored. A UTF-8 BOM is skipped; lines end at CR, LF or CRLF; '#'
 * starts a comment; keys ignore case and whitespace around ':', and Google's
 * leniencies are accepted: "disallow /" without a colon, the key typos
 * "useragent", "user agent", "dissallow", "dissalow", "disalow", "diasllow",
 * "disallaw", "disallowed", "allowed", "site-map", and an allow of
 * ".../index.htm[l]" also allowing
 * ".../" itself. Patterns are kept with %xx escapes in upper case and
 * non-ASCII octets percent-encoded, as Google's library does. The returned
 * object is freed with robots_free(). */
struct robots *robots_parse(const char *body, size_t len, const char *agent);

/* A policy that allows everything (4xx robots.txt) or disallows everything
 * (5xx / unreachable). Both have no crawl-delay and no sitemaps; deny-all
 * still allows "/robots.txt" itself. Freed with robots_free(). */
struct robots *robots_new_allow_all(void);
struct robots *robots_new_deny_all(void);

/* Is path (the URL's path plus "?query", starting with '/'; "" counts as
 * "/") allowed? The longest matching pattern (in octets, as normalised) wins
 * and allow wins a tie; '*' matches any run of octets and a final '$' anchors
 * the pattern at the end of path (an earlier '$' is literal); comparison is
 * case-sensitive, but %xx escapes compare ignoring hex case and a literal '*'
 * or '$' in path is matched by %2A or %24 in a rule, as RFC 9309 says. Path
 * is otherwise matched as given: %62 and b differ, and callers percent-encode
 * non-ASCII octets first (url_canon does). "/robots.txt" is always
 * allowed. If rule is non-NULL, *rule receives the matching rule as text like
 * "disallow: /private/" or NULL when no rule matched (allowed by default);
 * borrowed until robots_free. Runs in O(rules * (path + pattern)) for common
 * patterns and never backtracks exponentially. */
bool robots_allowed(const struct robots *r, const char *path,
                    const char **rule);

/* Crawl-delay for our group in milliseconds, or -1 when none. Fractions of a
 * second are accepted ("0.5" is 500); values that are not a plain
 * non-negative decimal number are ignored; the result is clamped to
 * [0, ROBOTS_MAX_DELAY_MS]. With several values in our groups the largest
 * is used. */
long robots_delay_ms(const struct robots *r);

/* Sitemap: lines (from anywhere in the file, any group): count and i-th URL
 * (as written, trimmed; i < count), borrowed until robots_free. */
size_t robots_sitemap_count(const struct robots *r);
const char *robots_sitemap(const struct robots *r, size_t i);

/* Free r and everything it holds. NULL-safe. */
void robots_free(struct robots *r);

#endif
