/* URL resolution, canonicalization and scope tests on top of libcurl's URL
 * API, the only module that calls curl_url_*.
 *
 * libcurl 7.88 parses like RFC 3986 and a little like curl's command line,
 * while the links we meet were written for browsers, which follow the WHATWG
 * URL standard. So a reference is first prepared the way a browser reads it
 * (controls trimmed, tabs and newlines dropped, backslashes as slashes, the
 * scheme-relative and "http:path" forms, percent-encoding of unsafe bytes,
 * relative references merged with the base); then curl validates the host
 * and port, normalizes IP addresses, and removes dot segments; then the
 * canonical string is rebuilt from curl's parts with a lowercase host.
 * Nothing here touches the network or the disk. */
#include "url.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "cdb.h"
#include "util.h"

/* Bound on strings built here: each byte of a ref may become three, and it
 * may be joined to a canonical base that grew the same way. */
#define URL_MAX_OUT (8 * URL_MAX_REF)

/* Which percent-encode set of the WHATWG URL standard applies. */
enum url_part { PART_USERINFO, PART_PATH, PART_QUERY };

static const char HEX[] = "0123456789ABCDEF";

static bool is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static int hex_val(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* RFC 3986 unreserved: ALPHA DIGIT - . _ ~ */
static bool is_unreserved(int c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

/* Does byte c need a %XX in the given part? Controls, space and non-ASCII
 * always do; the rest follows the WHATWG path, special-query and userinfo
 * percent-encode sets. */
static bool needs_escape(unsigned char c, enum url_part part)
{
    if (c <= 0x20 || c > 0x7e)
        return true;
    if (c == '"' || c == '#' || c == '<' || c == '>')
        return true;
    if (part == PART_QUERY)
        return c == '\'';
    if (c == '?' || c == '`' || c == '{' || c == '}')
        return true;
    if (part == PART_PATH)
        return false;
    return strchr("/:;=@[\\]^|", c) != NULL;
}

static void put(struct buf *b, const char *p, size_t n, int *rc)
{
    if (*rc == CDB_OK)
        *rc = buf_add(b, p, n);
}

static void put_escape(struct buf *b, unsigned char c, int *rc)
{
    char esc[3] = { '%', HEX[c >> 4], HEX[c & 15] };

    put(b, esc, 3, rc);
}

/* Would appending the decoded byte v to b complete a new %XX escape with a
 * lone '%' already there? Then v stays escaped, or a second pass would
 * decode that new escape and canonicalization would not be idempotent. */
static bool forms_escape(const struct buf *b, unsigned char v)
{
    const char *e;

    if (!is_hex(v) || b->len == 0)
        return false;
    e = b->data + b->len;
    return e[-1] == '%' || (b->len >= 2 && e[-2] == '%' && is_hex(e[-1]));
}

/* Append s[0..n) encoded for part: unreserved %XX decoded, other %XX with
 * uppercase hex, a lone '%' kept as browsers keep it, unsafe bytes
 * percent-encoded. */
static void put_encoded(struct buf *b, const char *s, size_t n,
                        enum url_part part, int *rc)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%' && i + 2 < n && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            unsigned char v =
                (unsigned char)(hex_val(s[i + 1]) * 16 + hex_val(s[i + 2]));

            if (is_unreserved(v) && !forms_escape(b, v))
                put(b, (const char *)&v, 1, rc);
            else
                put_escape(b, v, rc);
            i += 2;
        } else if (needs_escape(c, part)) {
            put_escape(b, c, rc);
        } else { /* the run of bytes that stay as they are, at once */
            size_t run = 1;

            while (i + run < n && s[i + run] != '%' &&
                   !needs_escape((unsigned char)s[i + run], part))
                run++;
            put(b, s + i, run, rc);
            i += run - 1;
        }
    }
}

/* Append a path-and-query s (possibly relative), encoded. */
static void put_tail(struct buf *b, const char *s, int *rc)
{
    const char *q = strchr(s, '?');
    size_t n = q ? (size_t)(q - s) : strlen(s);

    put_encoded(b, s, n, PART_PATH, rc);
    if (q) {
        put(b, "?", 1, rc);
        put_encoded(b, q + 1, strlen(q + 1), PART_QUERY, rc);
    }
}

/* Parse one part of a WHATWG IPv4 address (decimal, 0x hex or 0 octal) in
 * s[0..n); values past 2^32 are clamped so that the caller refuses them. */
static bool ipv4_number(const char *s, size_t n, uint64_t *out)
{
    unsigned int radix = 10;
    uint64_t v = 0;

    if (n == 0)
        return false;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        radix = 16;
        s += 2;
        n -= 2;
    } else if (n >= 2 && s[0] == '0') {
        radix = 8;
        s++;
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        int d = is_hex(s[i]) ? hex_val(s[i]) : 99;

        if ((radix == 16 && d > 15) || (radix != 16 && !is_digit(s[i])) ||
            (unsigned int)d >= radix)
            return false;
        v = v * radix + (unsigned int)d;
        if (v > UINT32_MAX)
            v = (uint64_t)UINT32_MAX + 1;
    }
    *out = v;
    return true;
}

/* The WHATWG "ends in a number" test on host h[0..n): does its last label
 * (ignoring one trailing dot) look like a number, making h an IPv4 address
 * or an error? */
static bool ends_in_number(const char *h, size_t n)
{
    size_t start;
    uint64_t v;

    if (n > 0 && h[n - 1] == '.')
        n--;
    start = n;
    while (start > 0 && h[start - 1] != '.')
        start--;
    if (start == n)
        return false;
    for (size_t i = start; i < n; i++)
        if (!is_digit(h[i]))
            return ipv4_number(h + start, n - start, &v);
    return true;
}

/* Parse host h[0..n) as a WHATWG IPv4 address into dotted decimal. */
static bool ipv4_parse(const char *h, size_t n, char out[16])
{
    uint64_t part[4], addr;
    size_t count = 0, start = 0;

    if (n > 0 && h[n - 1] == '.')
        n--;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.')
            continue;
        if (count == 4 || !ipv4_number(h + start, i - start, &part[count]))
            return false;
        count++;
        start = i + 1;
    }
    addr = part[count - 1];
    if (addr >= (uint64_t)1 << (8 * (5 - count)))
        return false;
    for (size_t i = 0; i + 1 < count; i++) {
        if (part[i] > 255)
            return false;
        addr += part[i] << (8 * (3 - i));
    }
    snprintf(out, 16, "%u.%u.%u.%u", (unsigned int)(addr >> 24),
             (unsigned int)(addr >> 16) & 255, (unsigned int)(addr >> 8) & 255,
             (unsigned int)addr & 255);
    return true;
}

/* Append host h[0..n) as browsers read it: %XX decoded, ASCII lowercased,
 * a numeric host rewritten as dotted-decimal IPv4. Returns false for an
 * empty host, a forbidden code point, or a bad IPv4 number. IPv6 literals
 * and internationalized names are left to curl. */
static bool put_host(struct buf *b, const char *h, size_t n, int *rc)
{
    char ip[16];
    struct buf dec;
    bool ok = n > 0;
    bool ascii = true;

    if (n > 0 && h[0] == '[') { /* browsers refuse IPv6 zone ids */
        put(b, h, n, rc);
        return !memchr(h, '%', n);
    }
    buf_init(&dec, URL_MAX_OUT);
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)h[i];

        if (c == '%' && i + 2 < n && is_hex(h[i + 1]) && is_hex(h[i + 2])) {
            c = (unsigned char)(hex_val(h[i + 1]) * 16 + hex_val(h[i + 2]));
            i += 2;
        }
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        ok = c > 0x20 && c != 0x7f && !strchr("#%/:<>?@[\\]^|", c);
        ascii = ascii && c < 0x80;
        put(&dec, (const char *)&c, 1, rc);
    }
    if (ok && *rc == CDB_OK && ascii && ends_in_number(dec.data, dec.len)) {
        ok = ipv4_parse(dec.data, dec.len, ip);
        if (ok)
            put(b, ip, strlen(ip), rc);
    } else if (ok && *rc == CDB_OK) {
        put(b, dec.data, dec.len, rc);
    }
    buf_release(&dec);
    return ok;
}

/* Append "authority/path?query" from s: userinfo encoded, the host as
 * put_host() reads it, the port as given (curl checks it), the tail
 * encoded. Returns false for a bad host. */
static bool put_authority(struct buf *b, const char *s, int *rc)
{
    size_t n = strcspn(s, "/?");
    const char *at = NULL;
    const char *host = s;
    const char *port;

    for (size_t i = 0; i < n; i++)
        if (s[i] == '@')
            at = s + i;
    if (at) {
        size_t un = (size_t)(at - s);
        const char *colon = memchr(s, ':', un);
        size_t user_n = colon ? (size_t)(colon - s) : un;

        put_encoded(b, s, user_n, PART_USERINFO, rc);
        if (colon) {
            put(b, ":", 1, rc);
            put_encoded(b, colon + 1, un - user_n - 1, PART_USERINFO, rc);
        }
        put(b, "@", 1, rc);
        host = at + 1;
    }
    port = host[0] == '[' ? memchr(host, ']', (size_t)(s + n - host)) : host;
    port = port ? memchr(port, ':', (size_t)(s + n - port)) : NULL;
    if (!put_host(b, host, (size_t)((port ? port : s + n) - host), rc))
        return false;
    if (port)
        put(b, port, (size_t)(s + n - port), rc);
    if (s[n] != '/')
        put(b, "/", 1, rc);
    put_tail(b, s + n, rc);
    return true;
}

/* Copy ref as a browser reads it: without leading and trailing C0 controls
 * and spaces, without tabs and newlines, backslashes before the query as
 * slashes, and without the fragment. */
static void prepare(const char *ref, struct buf *b, int *rc)
{
    const char *end = ref + strlen(ref);
    bool in_query = false;

    while (*ref && (unsigned char)*ref <= 0x20)
        ref++;
    while (end > ref && (unsigned char)end[-1] <= 0x20)
        end--;
    put(b, "", 0, rc); /* data is never NULL, even for an empty ref */
    for (const char *p = ref; p < end && *p != '#';) {
        size_t run = strcspn(p, "\t\n\r?\\#");
        char c;

        if (run > (size_t)(end - p))
            run = (size_t)(end - p);
        put(b, p, run, rc); /* the bytes that stay as they are, at once */
        p += run;
        if (p == end || *p == '#')
            break;
        c = *p++;
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '?')
            in_query = true;
        if (c == '\\' && !in_query)
            c = '/';
        put(b, &c, 1, rc);
    }
}

/* Length of the scheme s starts with, if it is followed by ':'; else 0. */
static size_t scheme_len(const char *s)
{
    size_t n = 0;

    if (!is_alpha(s[0]))
        return 0;
    while (is_alpha(s[n]) || is_digit(s[n]) || s[n] == '+' || s[n] == '-' ||
           s[n] == '.')
        n++;
    return s[n] == ':' ? n : 0;
}

/* Is s[0..n) "http" or "https", in any case? */
static bool is_http_scheme(const char *s, size_t n)
{
    return (n == 4 && ascii_ncasecmp(s, "http", 4) == 0) ||
           (n == 5 && ascii_ncasecmp(s, "https", 5) == 0);
}

static int curl_code(CURLUcode uc)
{
    return uc == CURLUE_OUT_OF_MEMORY ? CDB_ENOMEM : CDB_EINVAL;
}

/* curl_url_get() that frees what curl 7.88 may leave in *val when libidn2
 * fails, and reports that failure (which curl calls out of memory; libidn2
 * reads the host in the LC_CTYPE charset) as a bad host name. */
static CURLUcode get_clean(CURLU *u, CURLUPart what, char **val,
                           unsigned int flags)
{
    CURLUcode uc = curl_url_get(u, what, val, flags);

    if (uc != CURLUE_OK) {
        curl_free(*val);
        *val = NULL;
    }
    if (uc == CURLUE_OUT_OF_MEMORY && (flags & CURLU_PUNYCODE)) {
        uc = get_clean(u, what, val, flags & ~(unsigned int)CURLU_PUNYCODE);
        curl_free(*val);
        *val = NULL;
        if (uc == CURLUE_OK)
            uc = CURLUE_BAD_HOSTNAME;
    }
    return uc;
}

/* Get one part from u; a part that is absent leaves *val NULL, OK. */
static CURLUcode get_part(CURLU *u, CURLUPart what, char **val,
                          unsigned int flags)
{
    CURLUcode uc = get_clean(u, what, val, flags);

    if (uc == CURLUE_NO_USER || uc == CURLUE_NO_PASSWORD ||
        uc == CURLUE_NO_PORT || uc == CURLUE_NO_QUERY)
        uc = CURLUE_OK;
    return uc;
}

/* Check host h as curl gives it, after any IDNA mapping: not empty, no
 * forbidden code point, and if it ends in a number a valid IPv4 address,
 * which goes to ip in dotted decimal (ip stays "" otherwise). */
static bool host_valid(const char *h, char ip[16])
{
    size_t n = strlen(h);

    if (h[0] == '[')
        return true;
    /* The WHATWG forbidden host code points, and the bytes curl refuses in
     * a host name when it parses one: IDNA mapping can produce those (U+1F118
     * becomes "(i)"), and the result must parse again (url_split). */
    for (const char *p = h; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f ||
            strchr("#%/:<>?@[\\]^|!{}$'\"`*=;,+&()", *p))
            return false;
    if (n == 0)
        return false;
    if (ends_in_number(h, n) && !ipv4_parse(h, n, ip))
        return false;
    if (strcmp(ip, h) == 0)
        ip[0] = '\0';
    return true;
}

/* Parse the absolute URL abs with curl and write its canonical form into
 * out; has_query keeps an empty "?" that curl would drop. */
static CURLUcode rebuild(const char *abs, bool has_query, struct buf *out,
                         int *rc)
{
    enum { SCHEME, USER, PASSWORD, HOST, PORT, PATH, QUERY, NPARTS };
    static const CURLUPart which[NPARTS] = {
        CURLUPART_SCHEME, CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_HOST,
        CURLUPART_PORT,   CURLUPART_PATH, CURLUPART_QUERY,
    };
    char *v[NPARTS] = { NULL };
    char ip[16] = "";
    CURLU *u = curl_url();
    CURLUcode uc = u ? CURLUE_OK : CURLUE_OUT_OF_MEMORY;

    if (uc == CURLUE_OK)
        uc = curl_url_set(u, CURLUPART_URL, abs, 0);
    for (int i = 0; i < NPARTS && uc == CURLUE_OK; i++)
        uc = get_part(u, which[i], &v[i],
                      i == PORT   ? CURLU_NO_DEFAULT_PORT
                      : i == HOST ? CURLU_PUNYCODE
                                  : 0);
    if (uc == CURLUE_OK) {
        ascii_lower(v[HOST]);
        if (!host_valid(v[HOST], ip))
            uc = CURLUE_BAD_HOSTNAME;
    }
    if (uc == CURLUE_OK) {
        const char *host = ip[0] ? ip : v[HOST];
        bool user = v[USER] && *v[USER];
        bool password = v[PASSWORD] && *v[PASSWORD];

        ascii_lower(v[SCHEME]);
        put(out, v[SCHEME], strlen(v[SCHEME]), rc);
        put(out, "://", 3, rc);
        if (user)
            put(out, v[USER], strlen(v[USER]), rc);
        if (password) {
            put(out, ":", 1, rc);
            put(out, v[PASSWORD], strlen(v[PASSWORD]), rc);
        }
        if (user || password)
            put(out, "@", 1, rc);
        put(out, host, strlen(host), rc);
        if (v[PORT]) {
            put(out, ":", 1, rc);
            put(out, v[PORT], strlen(v[PORT]), rc);
        }
        put(out, v[PATH], strlen(v[PATH]), rc);
        if (v[QUERY] || has_query)
            put(out, "?", 1, rc);
        if (v[QUERY])
            put(out, v[QUERY], strlen(v[QUERY]), rc);
    }
    for (int i = 0; i < NPARTS; i++)
        curl_free(v[i]);
    curl_url_cleanup(u);
    return uc;
}

/* Append to abs the absolute form of the relative rel against the canonical
 * base: an absolute path replaces the base path, a query only the base
 * query, anything else the last segment of the base path. */
static void merge(const char *base, const char *rel, struct buf *abs, int *rc)
{
    const char *path = strchr(base, ':') + 3; /* base is canonical */
    size_t query_at = strcspn(base, "?");
    size_t keep;

    path += strcspn(path, "/");
    if (rel[0] == '/') {
        keep = (size_t)(path - base);
    } else if (rel[0] == '?') {
        keep = query_at;
    } else {
        keep = query_at;
        while (keep > 0 && base[keep - 1] != '/')
            keep--;
    }
    put(abs, base, keep, rc);
    put_tail(abs, rel, rc);
}

/* Failure message naming ref, and base when there is one. */
static int fail_resolve(struct cdb_err *err, int code, const char *base,
                        const char *ref, const char *why)
{
    if (base)
        return cdb_fail(err, code, "cannot resolve '%s' against '%s': %s", ref,
                        base, why);
    return cdb_fail(err, code, "cannot resolve '%s': %s", ref, why);
}

struct url_cache;
static bool cache_find(struct url_cache *c, const char *abs, size_t len,
                       char **out);
static void cache_put(struct url_cache *c, const char *url);

/* url_canon() once base, if any, is known to be canonical; base_arg is the
 * caller's spelling, for messages. With cache (may be NULL), the absolute
 * form that curl would be given is looked up first, and what curl makes of
 * it is remembered. */
static int canon(const char *base, const char *base_arg, const char *ref,
                 struct url_cache *cache, char **out, struct cdb_err *err)
{
    struct buf clean, abs, res;
    int rc = CDB_OK;
    CURLUcode uc = CURLUE_OK;
    size_t sl;
    const char *rel = NULL;
    bool host_ok = true;

    buf_init(&clean, URL_MAX_OUT);
    buf_init(&abs, URL_MAX_OUT);
    buf_init(&res, URL_MAX_OUT);
    prepare(ref, &clean, &rc);
    if (rc != CDB_OK) {
        rc = fail_resolve(err, rc, base_arg, ref, "too long");
        goto done;
    }
    sl = scheme_len(clean.data);
    for (size_t i = 0; i < sl; i++)
        if (clean.data[i] >= 'A' && clean.data[i] <= 'Z')
            clean.data[i] = (char)(clean.data[i] - 'A' + 'a');
    if (sl > 0 && !is_http_scheme(clean.data, sl)) {
        rc = cdb_fail(err, CDB_EINVAL, "'%s' is not an http(s) URL", ref);
        goto done;
    }
    if (sl > 0 && base && strncmp(base, clean.data, sl + 1) == 0 &&
        strncmp(clean.data + sl + 1, "//", 2) != 0) {
        /* WHATWG: "http:path" is relative to a base of the same scheme */
        rel = clean.data + sl + 1;
    } else if (sl > 0) {
        /* otherwise any number of slashes may lead to the host */
        const char *rest = clean.data + sl + 1;

        put(&abs, clean.data, sl, &rc);
        put(&abs, "://", 3, &rc);
        host_ok = put_authority(&abs, rest + strspn(rest, "/"), &rc);
    } else if (!base) {
        rc =
            fail_resolve(err, CDB_EINVAL, base_arg, ref, "not an absolute URL");
        goto done;
    } else if (strncmp(clean.data, "//", 2) == 0) {
        put(&abs, base, strcspn(base, ":"), &rc);
        put(&abs, "://", 3, &rc);
        host_ok =
            put_authority(&abs, clean.data + strspn(clean.data, "/"), &rc);
    } else {
        rel = clean.data;
    }
    if (rel && *rel == '\0') {
        *out = xstrdup(base); /* an empty ref is the base itself */
        goto done;
    }
    if (rel)
        merge(base, rel, &abs, &rc);
    if (!host_ok) {
        rc = fail_resolve(err, CDB_EINVAL, base_arg, ref, "bad host name");
        goto done;
    }
    if (rc == CDB_OK && cache && cache_find(cache, abs.data, abs.len, out))
        goto done;
    if (rc == CDB_OK)
        uc = rebuild(abs.data, strchr(strchr(abs.data, ':') + 3, '?') != NULL,
                     &res, &rc);
    if (rc != CDB_OK) {
        rc = fail_resolve(err, rc, base_arg, ref, "too long");
    } else if (uc != CURLUE_OK) {
        rc = fail_resolve(err, curl_code(uc), base_arg, ref,
                          curl_url_strerror(uc));
    } else {
        *out = buf_detach(&res, NULL);
        if (cache)
            cache_put(cache, *out);
    }
done:
    buf_release(&clean);
    buf_release(&abs);
    buf_release(&res);
    return rc;
}

int url_canon(const char *base, const char *ref, char **out,
              struct cdb_err *err)
{
    char *base_c = NULL;
    int rc = CDB_OK;

    *out = NULL;
    if (strlen(ref) > URL_MAX_REF)
        return cdb_fail(err, CDB_ELIMIT,
                        "cannot resolve '%.64s...': longer than %d bytes", ref,
                        URL_MAX_REF);
    if (base && strlen(base) > URL_MAX_REF)
        return cdb_fail(err, CDB_ELIMIT,
                        "cannot resolve '%s' against '%.64s...': base longer "
                        "than %d bytes",
                        ref, base, URL_MAX_REF);
    if (base) {
        struct cdb_err base_err = { 0 };

        rc = canon(NULL, NULL, base, NULL, &base_c, &base_err);
        if (rc != CDB_OK)
            return cdb_fail(err, rc, "cannot resolve '%s' against '%s': %s",
                            ref, base, base_err.msg);
    }
    rc = canon(base_c, base, ref, NULL, out, err);
    free(base_c);
    return rc;
}

/* One remembered resolution: the key (see dedot()), and what curl made of
 * it, which is most often the key itself and then not stored twice. */
struct url_cache_slot {
    uint64_t hash;
    char *mem; /* the key, '\0', and the URL unless it is the key */
    size_t key_len;
    bool same; /* the URL is the key */
};

struct url_cache {
    struct url_cache_slot *slots;
    size_t mask;
    unsigned long long hits, lookups;
    char *key; /* the key of the last miss, for cache_put(); malloc'd */
    size_t key_len, key_cap;
    uint64_t key_hash;
};

struct url_cache *url_cache_new(size_t slots)
{
    struct url_cache *c = xcalloc(1, sizeof *c);
    size_t n = 16;

    while (n < slots && n < ((size_t)1 << 24))
        n *= 2;
    c->slots = xcalloc(n, sizeof *c->slots);
    c->mask = n - 1;
    return c;
}

void url_cache_free(struct url_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i <= c->mask; i++)
        free(c->slots[i].mem);
    free(c->slots);
    free(c->key);
    free(c);
}

void url_cache_stats(const struct url_cache *c, unsigned long long *hits,
                     unsigned long long *lookups)
{
    *hits = c ? c->hits : 0;
    *lookups = c ? c->lookups : 0;
}

/* Write to out (room for len + 1 bytes) the absolute URL abs[0..len), as
 * canon() hands it to curl, with the "." and ".." segments of its path
 * removed as RFC 3986 (5.2.4) and the WHATWG URL standard remove them, and
 * as curl does first when it parses abs. Returns the length written. So
 * "../d3/p.html" resolved from any directory has one key, and equal keys
 * give equal URLs. Only literal dots count: canon() has already decoded
 * %2E, and anything else a key keeps only makes more keys. */
static size_t dedot(const char *abs, size_t len, char *out)
{
    const char *path = abs + strcspn(abs, ":") + 3;
    const char *end, *dot, *p;
    size_t o;

    path += strcspn(path, "/?"); /* canonical bases and merged refs: '/' */
    end = path + strcspn(path, "?");
    dot = strstr(path, "/.");
    if (*path != '/' || !dot || dot >= end) {
        memcpy(out, abs, len + 1);
        return len;
    }
    o = (size_t)(path - abs);
    memcpy(out, abs, o);
    for (p = path; p < end;) { /* p is at the '/' before a segment */
        const char *seg = p + 1;
        const char *next = memchr(seg, '/', (size_t)(end - seg));
        size_t n;
        bool last = next == NULL;

        if (last)
            next = end;
        n = (size_t)(next - seg);
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > (size_t)(path - abs) && out[--o] != '/')
                ; /* drop the last segment written, if any */
            if (last)
                out[o++] = '/';
        } else if (n == 1 && seg[0] == '.') {
            if (last)
                out[o++] = '/';
        } else {
            memcpy(out + o, p, n + 1);
            o += n + 1;
        }
        p = next;
    }
    memcpy(out + o, end, len - (size_t)(end - abs) + 1);
    return o + len - (size_t)(end - abs);
}

/* Is abs[0..len) in c? Then *out is a copy of what curl made of it. Else
 * its key is kept for cache_put(). */
static bool cache_find(struct url_cache *c, const char *abs, size_t len,
                       char **out)
{
    struct url_cache_slot *s;

    if (c->key_cap < len + 1) {
        c->key_cap = len + 1 > 256 ? len + 1 : 256;
        free(c->key);
        c->key = xmalloc(c->key_cap);
    }
    c->key_len = dedot(abs, len, c->key);
    c->key_hash = hash_murmur64a(c->key, c->key_len, 0);
    s = &c->slots[c->key_hash & c->mask];
    c->lookups++;
    if (s->mem && s->hash == c->key_hash && s->key_len == c->key_len &&
        memcmp(s->mem, c->key, c->key_len) == 0) {
        c->hits++;
        *out = xstrdup(s->same ? s->mem : s->mem + s->key_len + 1);
        return true;
    }
    return false;
}

/* Remember url as what curl made of the key cache_find() just missed. */
static void cache_put(struct url_cache *c, const char *url)
{
    struct url_cache_slot *s = &c->slots[c->key_hash & c->mask];
    size_t n = strlen(url);

    free(s->mem);
    s->hash = c->key_hash;
    s->key_len = c->key_len;
    s->same = n == c->key_len && memcmp(url, c->key, n) == 0;
    s->mem = xmalloc(c->key_len + 1 + (s->same ? 0 : n + 1));
    memcpy(s->mem, c->key, c->key_len + 1);
    if (!s->same)
        memcpy(s->mem + c->key_len + 1, url, n + 1);
}

int url_canon_cached(struct url_cache *c, const char *base, const char *ref,
                     char **out, struct cdb_err *err)
{
    *out = NULL;
    if (strlen(ref) > URL_MAX_REF)
        return cdb_fail(err, CDB_ELIMIT,
                        "cannot resolve '%.64s...': longer than %d bytes", ref,
                        URL_MAX_REF);
    return canon(base, base, ref, c, out, err);
}

/* In canonical form the userinfo and host percent-encode '/', '?' and '#'
 * (or cannot hold them), so the first of those after "://" starts the
 * path; canonical URLs always have one. */
const char *url_path(const char *url)
{
    const char *p = strstr(url, "://");

    if (!p)
        return NULL;
    p += 3;
    p += strcspn(p, "/?#");
    return *p == '/' ? p : NULL;
}

int url_split(const char *url, struct url_parts *out, struct cdb_err *err)
{
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    char *query = NULL;
    CURLU *u = curl_url();
    CURLUcode uc = u ? CURLUE_OK : CURLUE_OUT_OF_MEMORY;
    int rc = CDB_OK;
    long long port_n = 0;

    memset(out, 0, sizeof *out);
    if (uc == CURLUE_OK)
        uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc == CURLUE_OK)
        uc = get_part(u, CURLUPART_SCHEME, &scheme, 0);
    if (uc == CURLUE_OK)
        uc = get_part(u, CURLUPART_HOST, &host, 0);
    if (uc == CURLUE_OK)
        uc = get_part(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    if (uc == CURLUE_OK)
        uc = get_part(u, CURLUPART_PATH, &path, 0);
    if (uc == CURLUE_OK)
        uc = get_part(u, CURLUPART_QUERY, &query, 0);
    if (uc != CURLUE_OK) {
        rc = cdb_fail(err, curl_code(uc), "cannot split '%s': %s", url,
                      curl_url_strerror(uc));
    } else if (!is_http_scheme(scheme, strlen(scheme)) || !port ||
               !parse_ll(port, 0, 65535, &port_n)) {
        /* from port 0: url_canon() keeps it, as the WHATWG standard does */
        rc = cdb_fail(err, CDB_EINVAL, "'%s' is not an http(s) URL", url);
    } else {
        size_t pn = strlen(path);
        size_t qn = query ? strlen(query) : 0;
        /* curl 7.88 reports an empty query as none; canonical URLs keep it */
        bool has_query = query || memchr(url, '?', strcspn(url, "#"));

        out->scheme = xstrdup(scheme);
        ascii_lower(out->scheme);
        out->host = xstrdup(host);
        ascii_lower(out->host);
        out->port = (int)port_n;
        out->path = xmalloc(pn + qn + 2);
        memcpy(out->path, path, pn);
        if (has_query) {
            out->path[pn] = '?';
            memcpy(out->path + pn + 1, query ? query : "", qn);
            pn += qn + 1;
        }
        out->path[pn] = '\0';
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

void url_parts_release(struct url_parts *p)
{
    if (!p)
        return;
    free(p->scheme);
    free(p->host);
    free(p->path);
    memset(p, 0, sizeof *p);
}

bool url_scope_parse(const char *name, enum url_scope *out)
{
    static const struct {
        const char *name;
        enum url_scope scope;
    } names[] = {
        { "host", URL_SCOPE_HOST },
        { "domain", URL_SCOPE_DOMAIN },
        { "prefix", URL_SCOPE_PREFIX },
        { "any", URL_SCOPE_ANY },
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].scope;
            return true;
        }
    }
    return false;
}

/* The port, or 0 when it is the scheme's default, so that http:80 and
 * https:443 of one host compare as equal. */
static int port_key(const struct url_parts *p)
{
    bool https = strcmp(p->scheme, "https") == 0;

    return p->port == (https ? 443 : 80) ? 0 : p->port;
}

/* Is host an IP address literal (IPv6 in brackets, or dotted digits)? */
static bool is_ip(const char *host)
{
    if (host[0] == '[')
        return true;
    for (const char *p = host; *p; p++)
        if (!is_digit(*p) && *p != '.')
            return false;
    return true;
}

/* Is host the domain dom or one of its subdomains? */
static bool in_domain(const char *host, const char *dom)
{
    size_t hn = strlen(host);
    size_t dn = strlen(dom);

    if (hn == dn)
        return strcmp(host, dom) == 0;
    return hn > dn && host[hn - dn - 1] == '.' &&
           strcmp(host + hn - dn, dom) == 0;
}

bool url_parts_in_scope(enum url_scope scope, const struct url_parts *s,
                        const struct url_parts *u)
{
    const char *dom = s->host;
    size_t dir_n;

    switch (scope) {
    case URL_SCOPE_HOST:
        return strcmp(s->host, u->host) == 0 && port_key(s) == port_key(u);
    case URL_SCOPE_DOMAIN:
        if (is_ip(s->host))
            return strcmp(s->host, u->host) == 0;
        /* "www.example.com" stands for example.com, but "www.com" for itself */
        if (strncmp(dom, "www.", 4) == 0 && strchr(dom + 4, '.'))
            dom += 4;
        return in_domain(u->host, dom);
    case URL_SCOPE_PREFIX:
        dir_n = strcspn(s->path, "?");
        while (dir_n > 0 && s->path[dir_n - 1] != '/')
            dir_n--;
        return strcmp(s->scheme, u->scheme) == 0 &&
               strcmp(s->host, u->host) == 0 && s->port == u->port &&
               strncmp(u->path, s->path, dir_n) == 0;
    case URL_SCOPE_ANY:
        return true;
    }
    return false;
}

bool url_in_scope(enum url_scope scope, const char *seed, const char *url)
{
    struct url_parts s, u;
    bool ok;

    if (scope == URL_SCOPE_ANY)
        return true;
    ok = url_split(seed, &s, NULL) == CDB_OK;
    if (ok && url_split(url, &u, NULL) == CDB_OK) {
        ok = url_parts_in_scope(scope, &s, &u);
        url_parts_release(&u);
    } else {
        ok = false;
    }
    url_parts_release(&s);
    return ok;
}
