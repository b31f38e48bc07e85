/* IP addresses for the private-address block: parse and classify them
 * (loopback, private, link-local, shared, unspecified), and decide whether
 * a seed's host points into such a network. Everything but
 * addr_host_private() is pure: no network, no disk. */
#ifndef CRAWLDB_ADDR_H
#define CRAWLDB_ADDR_H

#include <stdbool.h>
#include <stddef.h>

struct cdb_err;
struct sockaddr;

/* An IPv4 or IPv6 address. */
struct addr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char bytes[16]; /* network order; 4 used for AF_INET */
};

/* What kind of network an address belongs to. Everything but ADDR_PUBLIC
 * is refused by the block. */
enum addr_class {
    ADDR_PUBLIC,      /* none of the below */
    ADDR_LOOPBACK,    /* 127.0.0.0/8, ::1 */
    ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
    ADDR_LINK_LOCAL,  /* 169.254.0.0/16, fe80::/10 */
    ADDR_SHARED,      /* 100.64.0.0/10, carrier-grade NAT (RFC 6598) */
    ADDR_UNSPECIFIED, /* 0.0.0.0/8 (Linux connects 0.0.0.0 to this host), :: */
    ADDR_NOT_IP       /* a socket address of another family */
};

/* The class of a. An IPv6 address that carries an IPv4 one is classed by
 * the IPv4 address: IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d
 * (other than :: and ::1) and NAT64 64:ff9b::a.b.c.d (RFC 6052). */
enum addr_class addr_classify(const struct addr *a);

/* A short name for a class: "loopback", "private", "link-local",
 * "shared (CGNAT)", "unspecified", "non-IP" or "public". */
const char *addr_class_name(enum addr_class c);

/* Read an IP literal: dotted-decimal IPv4 or IPv6 text, with or without
 * the brackets of a URL host ("[::1]"); an IPv6 zone ("%eth0") is
 * refused. Returns false, leaving *out alone, for anything else (a name). */
bool addr_parse(const char *text, struct addr *out);

/* Copy a socket address of len bytes into *out. Returns false for a
 * family other than AF_INET and AF_INET6 or a short len. */
bool addr_from_sockaddr(const struct sockaddr *sa, size_t len,
                        struct addr *out);

/* Write a as text (inet_ntop: "10.0.0.1", "::ffff:10.0.0.1") into out of n
 * bytes; at least 46 bytes hold any address. */
void addr_format(const struct addr *a, char *out, size_t n);

/* Does host (a URL host: a name, an IPv4 literal or a bracketed IPv6 one)
 * at port point into a non-public network? An IP literal is classified as
 * is. A name is looked up first in resolve, entries in libcurl's
 * CURLOPT_RESOLVE form "HOST:PORT:ADDR[,ADDR]..." (a leading '+' allowed),
 * and else resolved with getaddrinfo(): this sends a DNS query. *out is
 * true when any of its addresses is not public. A name that does not
 * resolve is not private (*out false). Returns CDB_OK, or CDB_ENOMEM when
 * the resolver ran out of memory. */
int addr_host_private(const char *host, int port, const char *const *resolve,
                      size_t n_resolve, bool *out, struct cdb_err *err);

#endif
