/* IP address classes for the private-address block (see addr.h). The
 * classifier is a pure function of the address bytes, so fetch.c can run it
 * on every address libcurl is about to connect to; only addr_host_private()
 * touches the network, for the one lookup of a seed's name. */
#include "addr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "cdb.h"
#include "util.h"

static enum addr_class class_v4(const unsigned char *a)
{
    if (a[0] == 0)
        return ADDR_UNSPECIFIED;
    if (a[0] == 127)
        return ADDR_LOOPBACK;
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
        (a[0] == 192 && a[1] == 168))
        return ADDR_PRIVATE;
    if (a[0] == 169 && a[1] == 254)
        return ADDR_LINK_LOCAL;
    if (a[0] == 100 && (a[1] & 0xc0) == 64)
        return ADDR_SHARED;
    return ADDR_PUBLIC;
}

/* Are the n bytes at p all zero? */
static bool zeros(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static enum addr_class class_v6(const unsigned char *b)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0,    0,
                                              0, 0, 0, 0, 0xff, 0xff };
    static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

    if (zeros(b, 16))
        return ADDR_UNSPECIFIED;
    if (zeros(b, 15) && b[15] == 1)
        return ADDR_LOOPBACK;
    /* Forms that carry an IPv4 address in the last four bytes. */
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 || zeros(b, 12))
        return class_v4(b + 12);
    if ((b[0] & 0xfe) == 0xfc)
        return ADDR_PRIVATE; /* unique local */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return ADDR_LINK_LOCAL;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        return ADDR_PRIVATE; /* site-local, deprecated but routable */
    return ADDR_PUBLIC;
}

enum addr_class addr_classify(const struct addr *a)
{
    if (a->family == AF_INET)
        return class_v4(a->bytes);
    if (a->family == AF_INET6)
        return class_v6(a->bytes);
    return ADDR_NOT_IP;
}

const char *addr_class_name(enum addr_class c)
{
    switch (c) {
    case ADDR_PUBLIC:
        return "public";
    case ADDR_LOOPBACK:
        return "loopback";
    case ADDR_PRIVATE:
        return "private";
    case ADDR_LINK_LOCAL:
        return "link-local";
    case ADDR_SHARED:
        return "shared (CGNAT)";
    case ADDR_UNSPECIFIED:
        return "unspecified";
    case ADDR_NOT_IP:
        break;
    }
    return "non-IP";
}

bool addr_parse(const char *text, struct addr *out)
{
    char tmp[64];
    size_t len = strlen(text);
    struct addr a = { 0 };

    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
        text++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, text, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET, tmp, a.bytes) == 1)
        a.family = AF_INET;
    else if (inet_pton(AF_INET6, tmp, a.bytes) == 1)
        a.family = AF_INET6;
    else
        return false;
    *out = a;
    return true;
}

bool addr_from_sockaddr(const struct sockaddr *sa, size_t len, struct addr *out)
{
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;

    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET && len >= sizeof in4) {
        memcpy(&in4, sa, sizeof in4); /* sa may be unaligned for in4 */
        out->family = AF_INET;
        memcpy(out->bytes, &in4.sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof in6) {
        memcpy(&in6, sa, sizeof in6);
        out->family = AF_INET6;
        memcpy(out->bytes, &in6.sin6_addr, 16);
        return true;
    }
    return false;
}

void addr_format(const struct addr *a, char *out, size_t n)
{
    if (n == 0)
        return;
    if ((a->family != AF_INET && a->family != AF_INET6) ||
        !inet_ntop(a->family, a->bytes, out, (socklen_t)n))
        snprintf(out, n, "%s", "(unknown address)");
}

/* If entry ("[+]HOST:PORT:ADDR[,ADDR]...") is for host and port, set
 * *addrs to its address list and return true. */
static bool resolve_match(const char *entry, const char *host, int port,
                          const char **addrs)
{
    const char *colon;
    char *end = NULL;
    long p;

    if (*entry == '+')
        entry++;
    colon = strchr(entry, ':');
    if (!colon || (size_t)(colon - entry) != strlen(host) ||
        ascii_ncasecmp(entry, host, strlen(host)) != 0)
        return false;
    p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != ':' || p != port)
        return false;
    *addrs = end + 1;
    return true;
}

/* Is any address of the comma-separated list not public? */
static bool list_private(const char *list)
{
    while (*list) {
        size_t len = strcspn(list, ",");
        char one[64];
        struct addr a;

        if (len < sizeof one) {
            memcpy(one, list, len);
            one[len] = '\0';
            if (addr_parse(one, &a) && addr_classify(&a) != ADDR_PUBLIC)
                return true;
        }
        list += len;
        list += *list == ',';
    }
    return false;
}

int addr_host_private(const char *host, int port, const char *const *resolve,
                      size_t n_resolve, bool *out, struct cdb_err *err)
{
    struct addrinfo hints, *res = NULL;
    struct addr a;
    const char *list = NULL;
    int e;

    *out = false;
    if (addr_parse(host, &a)) {
        *out = addr_classify(&a) != ADDR_PUBLIC;
        return CDB_OK;
    }
    for (size_t i = 0; i < n_resolve; i++)
        if (resolve_match(resolve[i], host, port, &list)) {
            *out = list_private(list);
            return CDB_OK;
        }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    e = getaddrinfo(host, NULL, &hints, &res);
    if (e == EAI_MEMORY)
        return cdb_fail(err, CDB_ENOMEM, "cannot resolve '%s': %s", host,
                        gai_strerror(e));
    for (struct addrinfo *ai = e == 0 ? res : NULL; ai && !*out;
         ai = ai->ai_next)
        if (addr_from_sockaddr(ai->ai_addr, ai->ai_addrlen, &a))
            *out = addr_classify(&a) != ADDR_PUBLIC;
    if (res)
        freeaddrinfo(res);
    return CDB_OK;
}
