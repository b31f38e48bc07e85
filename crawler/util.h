/* Allocation that cannot fail, the clock, and small string helpers. */
#ifndef CRAWLDB_UTIL_H
#define CRAWLDB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Allocate or abort with a message: our own allocations never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Monotonic milliseconds, for intervals. */
int64_t now_ms(void);
/* Wall-clock milliseconds since the epoch, for timestamps kept in the db. */
int64_t wall_ms(void);

/* ASCII case-insensitive comparisons, independent of the locale. */
int ascii_casecmp(const char *a, const char *b);
int ascii_ncasecmp(const char *a, const char *b, size_t n);
/* Lowercase ASCII letters of s in place. */
void ascii_lower(char *s);

/* Parse a whole decimal integer in [min, max]; false on anything else. */
bool parse_ll(const char *s, long long min, long long max, long long *out);

/* FNV-1a hash of n bytes, for the fixed-size caches. */
uint64_t hash_fnv1a(const void *p, size_t n);
/* MurmurHash64A of n bytes (Austin Appleby's, public domain), reading the
 * bytes as little-endian words on any host: a second, independent hash
 * where one is not enough. */
uint64_t hash_murmur64a(const void *p, size_t n, uint64_t seed);

/* Hex SHA-256 of data (65 bytes with the NUL) into hex. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
