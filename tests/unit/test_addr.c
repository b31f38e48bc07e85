/* Unit tests for addr.c: the classes of IP addresses the private-address
 * block refuses, literal parsing, socket addresses, and the seed decision
 * through a CURLOPT_RESOLVE-style table (no DNS query is sent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "cdb.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct class_case {
    const char *text;
    enum addr_class want;
} class_cases[] = {
    /* IPv4: each range at its edges */
    { "0.0.0.0", ADDR_UNSPECIFIED },
    { "0.1.2.3", ADDR_UNSPECIFIED },
    { "1.0.0.0", ADDR_PUBLIC },
    { "9.255.255.255", ADDR_PUBLIC },
    { "10.0.0.0", ADDR_PRIVATE },
    { "10.255.255.255", ADDR_PRIVATE },
    { "11.0.0.0", ADDR_PUBLIC },
    { "100.63.255.255", ADDR_PUBLIC },
    { "100.64.0.0", ADDR_SHARED },
    { "100.127.255.255", ADDR_SHARED },
    { "100.128.0.0", ADDR_PUBLIC },
    { "126.255.255.255", ADDR_PUBLIC },
    { "127.0.0.1", ADDR_LOOPBACK },
    { "127.255.255.254", ADDR_LOOPBACK },
    { "128.0.0.0", ADDR_PUBLIC },
    { "169.253.255.255", ADDR_PUBLIC },
    { "169.254.0.0", ADDR_LINK_LOCAL },
    { "169.254.169.254", ADDR_LINK_LOCAL }, /* cloud metadata */
    { "169.255.0.0", ADDR_PUBLIC },
    { "172.15.255.255", ADDR_PUBLIC },
    { "172.16.0.0", ADDR_PRIVATE },
    { "172.31.255.255", ADDR_PRIVATE },
    { "172.32.0.0", ADDR_PUBLIC },
    { "192.167.255.255", ADDR_PUBLIC },
    { "192.168.0.0", ADDR_PRIVATE },
    { "192.168.255.255", ADDR_PRIVATE },
    { "192.169.0.0", ADDR_PUBLIC },
    { "8.8.8.8", ADDR_PUBLIC },
    { "93.184.216.34", ADDR_PUBLIC },
    { "255.255.255.255", ADDR_PUBLIC },
    /* IPv6 */
    { "::", ADDR_UNSPECIFIED },
    { "::1", ADDR_LOOPBACK },
    { "[::1]", ADDR_LOOPBACK },
    { "::2", ADDR_UNSPECIFIED }, /* IPv4-compatible 0.0.0.2 */
    { "fc00::", ADDR_PRIVATE },
    { "fdff:ffff::1", ADDR_PRIVATE },
    { "fbff::1", ADDR_PUBLIC },
    { "fe00::1", ADDR_PUBLIC },
    { "fe80::1", ADDR_LINK_LOCAL },
    { "febf:ffff::1", ADDR_LINK_LOCAL },
    { "fec0::1", ADDR_PRIVATE },
    { "feff::1", ADDR_PRIVATE },
    { "ff02::1", ADDR_PUBLIC },
    { "2001:db8::1", ADDR_PUBLIC },
    { "2606:4700::1111", ADDR_PUBLIC },
    /* IPv6 forms that carry an IPv4 address */
    { "::ffff:10.0.0.1", ADDR_PRIVATE },
    { "[::ffff:127.0.0.1]", ADDR_LOOPBACK },
    { "::ffff:7f00:1", ADDR_LOOPBACK },
    { "::ffff:169.254.169.254", ADDR_LINK_LOCAL },
    { "::ffff:100.64.1.1", ADDR_SHARED },
    { "::ffff:0.0.0.0", ADDR_UNSPECIFIED },
    { "::ffff:8.8.8.8", ADDR_PUBLIC },
    { "::10.0.0.1", ADDR_PRIVATE },
    { "::127.0.0.1", ADDR_LOOPBACK },
    { "64:ff9b::192.168.1.1", ADDR_PRIVATE },
    { "64:ff9b::8.8.8.8", ADDR_PUBLIC },
    { "::ffff:1:10.0.0.1", ADDR_PUBLIC }, /* not a mapped form */
};

/* The address in text parses and falls in the class the table says. */
static void test_addr_classify(void **state)
{
    const struct class_case *c = *state;
    struct addr a;

    assert_true(addr_parse(c->text, &a));
    if (addr_classify(&a) != c->want)
        fail_msg("'%s' is %s, want %s", c->text,
                 addr_class_name(addr_classify(&a)), addr_class_name(c->want));
}

/* Names, numbers curl would not write, zones and junk are not literals. */
static void test_addr_parse_refuses(void **state)
{
    static const char *const bad[] = {
        "",           "localhost", "example.com", "127.1",      "0x7f.0.0.1",
        "127.0.0.1.", "1.2.3.4.5", "[127.0.0.1",  "::1]",       "[]",
        "fe80::1%lo", "1.2.3.256", "[[::1]]",     "12345::1::", "10.0.0.1 ",
    };
    struct addr a = { .family = 99 };

    (void)state;
    for (size_t i = 0; i < N(bad); i++)
        if (addr_parse(bad[i], &a))
            fail_msg("'%s' parsed as an address", bad[i]);
    assert_int_equal(a.family, 99); /* left alone */
}

/* Socket addresses as libcurl hands them over, formatted for messages. */
static void test_addr_sockaddr(void **state)
{
    struct sockaddr_in in4 = { 0 };
    struct sockaddr_in6 in6 = { 0 };
    struct sockaddr un = { 0 };
    struct addr a;
    char text[64];

    (void)state;
    in4.sin_family = AF_INET;
    in4.sin_port = htons(80);
    inet_pton(AF_INET, "10.0.0.1", &in4.sin_addr);
    assert_true(addr_from_sockaddr((struct sockaddr *)&in4, sizeof in4, &a));
    assert_int_equal(addr_classify(&a), ADDR_PRIVATE);
    addr_format(&a, text, sizeof text);
    assert_string_equal(text, "10.0.0.1");
    assert_false(addr_from_sockaddr((struct sockaddr *)&in4, 4, &a));

    in6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "::ffff:10.0.0.1", &in6.sin6_addr);
    assert_true(addr_from_sockaddr((struct sockaddr *)&in6, sizeof in6, &a));
    assert_int_equal(addr_classify(&a), ADDR_PRIVATE);
    addr_format(&a, text, sizeof text);
    assert_string_equal(text, "::ffff:10.0.0.1");

    un.sa_family = AF_UNIX;
    assert_false(addr_from_sockaddr(&un, sizeof un, &a));
    a.family = AF_UNIX;
    assert_int_equal(addr_classify(&a), ADDR_NOT_IP);
    addr_format(&a, text, sizeof text);
    assert_string_equal(text, "(unknown address)");
    assert_string_equal(addr_class_name(ADDR_SHARED), "shared (CGNAT)");
}

/* A seed's host: literals are classed as they are, names are looked up in
 * the resolve table first (host case-insensitive, the port must match),
 * and any non-public address makes the seed private. No name here reaches
 * getaddrinfo() but "localhost", which /etc/hosts answers. */
static void test_addr_host_private(void **state)
{
    static const char *const resolve[] = {
        "site.test:8080:127.0.0.1",
        "+pub.test:80:192.0.2.1,[2001:db8::1]",
        "mixed.test:80:192.0.2.1,10.1.2.3",
        "-gone.test:80",
        "v6.test:443:[fd00::1]",
    };
    static const struct {
        const char *host;
        int port;
        bool want;
    } cases[] = {
        { "127.0.0.1", 80, true },   { "10.1.2.3", 80, true },
        { "[::1]", 80, true },       { "[::ffff:10.0.0.1]", 80, true },
        { "192.0.2.1", 80, false },  { "[2001:db8::1]", 80, false },
        { "site.test", 8080, true }, { "SITE.test", 8080, true },
        { "pub.test", 80, false },   { "mixed.test", 80, true },
        { "v6.test", 443, true },    { "localhost", 80, true },
    };
    struct cdb_err err = { 0 };

    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        bool got = !cases[i].want;

        assert_int_equal(addr_host_private(cases[i].host, cases[i].port,
                                           resolve, N(resolve), &got, &err),
                         CDB_OK);
        if (got != cases[i].want)
            fail_msg("'%s:%d' private: got %d", cases[i].host, cases[i].port,
                     got);
    }
}

int main(void)
{
    struct CMUnitTest tests[N(class_cases) + 3];
    size_t n = 0;

    for (size_t i = 0; i < N(class_cases); i++)
        tests[n++] = (struct CMUnitTest){ .name = class_cases[i].text,
                                          .test_func = test_addr_classify,
                                          .initial_state = &class_cases[i] };
    tests[n++] = (struct CMUnitTest){ .name = "parse refuses",
                                      .test_func = test_addr_parse_refuses };
    tests[n++] = (struct CMUnitTest){ .name = "sockaddr",
                                      .test_func = test_addr_sockaddr };
    tests[n++] = (struct CMUnitTest){ .name = "host private",
                                      .test_func = test_addr_host_private };
    return _cmocka_run_group_tests("addr", tests, n, NULL, NULL);
}
