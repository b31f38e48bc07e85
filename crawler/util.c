/* Allocation helpers that abort on exhaustion, clocks, ASCII helpers and a
 * small SHA-256 (FIPS 180-4) for content addressing: none of our libraries
 * exports one we may link without adding a dependency. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

static void oom(size_t n)
{
    fprintf(stderr, "crawldb: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);

    if (!p)
        oom(count * n);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int ascii_casecmp(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return lower((unsigned char)*a) - lower((unsigned char)*b);
}

int ascii_ncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int d = lower((unsigned char)a[i]) - lower((unsigned char)b[i]);

        if (d || !a[i])
            return d;
    }
    return 0;
}

void ascii_lower(char *s)
{
    for (; *s; s++)
        *s = (char)lower((unsigned char)*s);
}

bool parse_ll(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    long long v;

    /* strtoll() would skip leading white space: a whole number has none. */
    if (!s || !(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

uint64_t hash_fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

uint64_t hash_murmur64a(const void *p, size_t n, uint64_t seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995u;
    const unsigned char *b = p;
    size_t whole = n & ~(size_t)7, tail = n & 7;
    uint64_t h = seed ^ ((uint64_t)n * m);

    for (size_t i = 0; i < whole; i += 8) {
        uint64_t k = 0;

        for (int j = 7; j >= 0; j--) /* little-endian, whatever the host */
            k = k << 8 | b[i + (size_t)j];
        k *= m;
        k ^= k >> 47;
        k *= m;
        h ^= k;
        h *= m;
    }
    if (tail) {
        for (size_t j = tail; j > 0; j--)
            h ^= (uint64_t)b[whole + j - 1] << (8 * (j - 1));
        h *= m;
    }
    h ^= h >> 47;
    h *= m;
    h ^= h >> 47;
    return h;
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];

    /* libcrypto uses the CPU's SHA extensions where it has them: several
     * times faster than portable C on every page body. */
    SHA256(data, len, md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}
