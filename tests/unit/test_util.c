/* Unit tests for util.c: SHA-256 against the FIPS 180-4 examples and
 * sha256sum at every padding boundary, parse_ll at its edges, and the
 * locale-free ASCII comparisons. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void check_sha(const void *data, size_t len, const char *want)
{
    char hex[65];

    memset(hex, '#', sizeof hex);
    sha256_hex(data, len, hex);
    assert_int_equal(hex[64], '\0');
    assert_string_equal(hex, want);
}

/* The FIPS 180-4 example messages give their published digests. */
static void test_util_sha256_fips(void **state)
{
    static const char m448[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char *million = xmalloc(1000000);

    (void)state;
    check_sha(
        "", 0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha(
        NULL, 0, /* no bytes need no pointer */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha(
        "abc", 3,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(strlen(m448) * 8, 448);
    check_sha(
        m448, strlen(m448),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(million, 'a', 1000000);
    check_sha(
        million, 1000000,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* Digests of n 'a's, precomputed with
 * `head -c N /dev/zero | tr '\0' a | sha256sum`. */
static struct sha_case {
    size_t n;
    const char *want;
} sha_cases[] = {
    { 1, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" },
    { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
    { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
    { 57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6" },
    { 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
    { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
    { 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
    { 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
    { 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
    { 127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a" },
    { 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
};

/* Lengths on each side of the one-or-two padding block boundary (55/56) and
 * of a full block (63/64) agree with sha256sum. */
static void test_util_sha256_boundary(void **state)
{
    const struct sha_case *c = *state;
    /* Exactly n bytes on the heap, so ASan sees any read past them. */
    char *p = xmalloc(c->n);

    memset(p, 'a', c->n);
    check_sha(p, c->n, c->want);
    free(p);
}

static struct ll_case {
    const char *s;
    long long min, max;
    bool ok;
    long long want;
} ll_cases[] = {
    { "0", 0, 10, true, 0 },
    { "10", 0, 10, true, 10 },
    { "11", 0, 10, false, 0 },
    { "-1", 0, 10, false, 0 },
    { "-5", -10, 10, true, -5 },
    { "+7", 0, 10, true, 7 },
    { "007", 0, 10, true, 7 },
    { "", 0, 10, false, 0 },
    { "5x", 0, 10, false, 0 },
    { "5 ", 0, 10, false, 0 },
    { "x5", 0, 10, false, 0 },
    { "-", -10, 10, false, 0 },
    { "1.5", 0, 10, false, 0 },
    { "0x10", 0, 100, false, 0 },
    { "9223372036854775807", LLONG_MIN, LLONG_MAX, true, LLONG_MAX },
    { "-9223372036854775808", LLONG_MIN, LLONG_MAX, true, LLONG_MIN },
    { "9223372036854775808", LLONG_MIN, LLONG_MAX, false, 0 },
    { "-9223372036854775809", LLONG_MIN, LLONG_MAX, false, 0 },
    { "99999999999999999999999", LLONG_MIN, LLONG_MAX, false, 0 },
};

/* parse_ll accepts a whole decimal number within [min, max] and refuses
 * trailing text, empty input, other bases and overflow, leaving *out alone
 * when it refuses. */
static void test_util_parse_ll(void **state)
{
    const struct ll_case *c = *state;
    long long out = 12345;

    assert_int_equal(parse_ll(c->s, c->min, c->max, &out), c->ok);
    if (c->ok)
        assert_true(out == c->want);
    else
        assert_true(out == 12345);
}

/* parse_ll refuses NULL, which callers pass for a missing option value. */
static void test_util_parse_ll_null(void **state)
{
    long long out = 1;

    (void)state;
    assert_false(parse_ll(NULL, 0, 10, &out));
    assert_true(out == 1);
}

/* The comparisons fold ASCII letters only, order by byte value, stop at
 * the NUL, and compare at most n bytes. */
static void test_util_ascii_casecmp(void **state)
{
    (void)state;
    assert_int_equal(ascii_casecmp("Content-Type", "content-type"), 0);
    assert_int_equal(ascii_casecmp("", ""), 0);
    assert_true(ascii_casecmp("a", "B") < 0);
    assert_true(ascii_casecmp("B", "a") > 0);
    assert_true(ascii_casecmp("abc", "ABCD") < 0);
    assert_true(ascii_casecmp("abcd", "ABC") > 0);
    assert_true(ascii_casecmp("", "a") < 0);
    /* Only ASCII folds: '@' and '`' sit just below 'A' and 'a'. */
    assert_true(ascii_casecmp("@", "`") != 0);
    assert_true(ascii_casecmp("[", "{") != 0);
    /* Bytes over 127 are compared unsigned and never folded. */
    assert_true(ascii_casecmp("\xc3\xa9", "\xc3\x89") != 0);
    assert_true(ascii_casecmp("z", "\xc3") < 0);

    assert_int_equal(ascii_ncasecmp("Location: x", "LOCATION", 8), 0);
    assert_int_equal(ascii_ncasecmp("abc", "abd", 2), 0);
    assert_true(ascii_ncasecmp("abc", "abd", 3) < 0);
    assert_int_equal(ascii_ncasecmp("abc", "xyz", 0), 0);
    /* A NUL ends the comparison even when n is larger. */
    assert_int_equal(ascii_ncasecmp("ab", "AB", 100), 0);
    assert_true(ascii_ncasecmp("ab", "abc", 100) < 0);
    assert_true(ascii_ncasecmp("abc", "ab", 100) > 0);
}

/* ascii_lower changes only A-Z, in place. */
static void test_util_ascii_lower(void **state)
{
    char s[] = "HeLLo-WORLD_09@[`{\xc3\x89";

    (void)state;
    ascii_lower(s);
    assert_string_equal(s, "hello-world_09@[`{\xc3\x89");
}

/* hash_fnv1a() gives the published FNV-1a 64-bit values. */
static void test_util_fnv1a(void **state)
{
    (void)state;
    assert_true(hash_fnv1a("", 0) == 0xcbf29ce484222325u);
    assert_true(hash_fnv1a("a", 1) == 0xaf63dc4c8601ec8cu);
    assert_true(hash_fnv1a("foobar", 6) == 0x85944171f73967e8u);
}

/* hash_murmur64a() gives published MurmurHash64A values, covering whole
 * words, a tail and both together. */
static void test_util_murmur64a(void **state)
{
    (void)state;
    assert_true(hash_murmur64a("zhenhao", 7, 0x1234) == 0xe232aca990972561u);
    assert_true(hash_murmur64a("fransisco", 9, 1) == 0x083fdaf4a6d0d3d9u);
    assert_true(hash_murmur64a("aaaa", 4, 0x9747b28c) == 0x41da53fdabaf04c8u);
    assert_true(hash_murmur64a("", 0, 0) == 0);
}

int main(void)
{
    enum { N_SHA = sizeof sha_cases / sizeof sha_cases[0] };
    enum { N_LL = sizeof ll_cases / sizeof ll_cases[0] };
    struct CMUnitTest tests[N_SHA + N_LL + 10];
    char names[N_SHA + N_LL][64];
    size_t n = 0;

    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_sha256_fips);
    for (size_t i = 0; i < N_SHA; i++) {
        snprintf(names[i], sizeof names[i], "test_util_sha256_boundary %zu",
                 sha_cases[i].n);
        tests[n++] =
            (struct CMUnitTest){ .name = names[i],
                                 .test_func = test_util_sha256_boundary,
                                 .initial_state = &sha_cases[i] };
    }
    for (size_t i = 0; i < N_LL; i++) {
        snprintf(names[N_SHA + i], sizeof names[0], "test_util_parse_ll '%s'",
                 ll_cases[i].s);
        tests[n++] = (struct CMUnitTest){ .name = names[N_SHA + i],
                                          .test_func = test_util_parse_ll,
                                          .initial_state = &ll_cases[i] };
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_parse_ll_null);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_ascii_casecmp);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_ascii_lower);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_fnv1a);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_murmur64a);
    return _cmocka_run_group_tests("util", tests, n, NULL, NULL);
}
