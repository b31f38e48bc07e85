/* Unit tests for buf.c: the limit (refused appends keep what is held, cut
 * appends keep what fits), growth, printf appends past the stack buffer,
 * hand-over and reuse, and the NUL after the bytes at every step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "cdb.h"

/* The invariant of buf.h: data NULL (then len 0) or NUL-terminated at len,
 * within cap, and len never over max. */
static void check_invariant(const struct buf *b)
{
    assert_true(b->len <= b->max);
    if (!b->data) {
        assert_int_equal(b->len, 0);
        return;
    }
    assert_true(b->len < b->cap);
    assert_int_equal(b->data[b->len], '\0');
}

/* A fresh buffer is empty, holds no memory, and keeps its limit. */
static void test_buf_init(void **state)
{
    struct buf b;

    (void)state;
    memset(&b, 0x5a, sizeof b);
    buf_init(&b, 10);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 10);
    check_invariant(&b);
    buf_release(&b);
}

/* buf_add fills up to max exactly, then refuses a whole append that would
 * pass it and keeps what it held, bytes and length. */
static void test_buf_add_limit(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_add(&b, "abcde", 5), CDB_OK);
    check_invariant(&b);
    assert_int_equal(buf_add(&b, "fghi", 4), CDB_ELIMIT);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "abcde");
    check_invariant(&b);
    assert_int_equal(buf_add(&b, "fgh", 3), CDB_OK);
    assert_string_equal(b.data, "abcdefgh");
    assert_int_equal(b.len, 8);
    check_invariant(&b);
    /* Full: one more byte is refused, nothing is fine. */
    assert_int_equal(buf_add(&b, "i", 1), CDB_ELIMIT);
    assert_int_equal(buf_add(&b, "", 0), CDB_OK);
    assert_int_equal(buf_adds(&b, "j"), CDB_ELIMIT);
    assert_string_equal(b.data, "abcdefgh");
    check_invariant(&b);
    buf_release(&b);
}

/* A huge n cannot wrap the limit check into accepting it. */
static void test_buf_add_huge(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 16);
    assert_int_equal(buf_add(&b, "ab", 2), CDB_OK);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX), CDB_ELIMIT);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX - 1), CDB_ELIMIT);
    assert_string_equal(b.data, "ab");
    check_invariant(&b);
    buf_release(&b);
}

/* buf_add_cut keeps the prefix that fits and says something was cut; an
 * append that fits whole is CDB_OK. */
/* buf_reserve() makes room up to max without changing len, and refuses
 * past max leaving the buffer as it was. */
static void test_buf_reserve(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 10);
    assert_int_equal(buf_add(&b, "abc", 3), CDB_OK);
    assert_int_equal(buf_reserve(&b, 7), CDB_OK);
    assert_int_equal(b.len, 3);
    assert_true(b.cap >= 3 + 7 + 1);
    memcpy(b.data + b.len, "defghij", 7); /* the room is there (ASan) */
    b.len += 7;
    b.data[b.len] = '\0';
    assert_string_equal(b.data, "abcdefghij");
    assert_int_equal(buf_reserve(&b, 1), CDB_ELIMIT);
    assert_int_equal(buf_reserve(&b, 0), CDB_OK);
    assert_int_equal(b.len, 10);
    buf_release(&b);
}

static void test_buf_add_cut(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 6);
    assert_int_equal(buf_add_cut(&b, "abcd", 4), CDB_OK);
    assert_int_equal(buf_add_cut(&b, "efghij", 6), CDB_ELIMIT);
    assert_int_equal(b.len, 6);
    assert_string_equal(b.data, "abcdef");
    check_invariant(&b);
    /* Full: more is cut to nothing, still reported. */
    assert_int_equal(buf_add_cut(&b, "k", 1), CDB_ELIMIT);
    assert_string_equal(b.data, "abcdef");
    check_invariant(&b);
    buf_release(&b);

    /* Exactly max in one go is not a cut. */
    buf_init(&b, 3);
    assert_int_equal(buf_add_cut(&b, "xyz", 3), CDB_OK);
    assert_string_equal(b.data, "xyz");
    buf_release(&b);

    /* A limit of 0 cuts everything and still leaves a valid buffer. */
    buf_init(&b, 0);
    assert_int_equal(buf_add_cut(&b, "x", 1), CDB_ELIMIT);
    assert_int_equal(b.len, 0);
    check_invariant(&b);
    buf_release(&b);
}

/* Appends grow the memory past the first allocation and keep every byte,
 * including NULs inside the data. */
static void test_buf_growth(void **state)
{
    struct buf b;
    char chunk[37];

    (void)state;
    buf_init(&b, 1 << 20);
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)i; /* starts with a NUL byte */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(buf_add(&b, chunk, sizeof chunk), CDB_OK);
        check_invariant(&b);
    }
    assert_int_equal(b.len, 1000 * sizeof chunk);
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal((unsigned char)b.data[i], i % sizeof chunk);
    buf_release(&b);
}

/* buf_addf formats short text, text longer than its 256-byte stack buffer
 * (several times, growing the memory), and text of exactly 255 and 256
 * bytes, each appended whole after what was there. */
static void test_buf_addf_growth(void **state)
{
    struct buf b;
    char big[1001];

    (void)state;
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_addf(&b, "%s=%d;", "n", 42), CDB_OK);
    assert_string_equal(b.data, "n=42;");
    check_invariant(&b);
    assert_int_equal(buf_addf(&b, "[%s]", big), CDB_OK);
    assert_int_equal(b.len, 5 + 1002);
    assert_int_equal(b.data[5], '[');
    assert_int_equal(b.data[6], 'y');
    assert_int_equal(b.data[1005], 'y');
    assert_int_equal(b.data[1006], ']');
    check_invariant(&b);
    assert_int_equal(buf_addf(&b, "%.*s", 255, big), CDB_OK);
    assert_int_equal(b.len, 1007 + 255);
    check_invariant(&b);
    assert_int_equal(buf_addf(&b, "%.*s", 256, big), CDB_OK);
    assert_int_equal(b.len, 1007 + 255 + 256);
    check_invariant(&b);
    for (int i = 0; i < 20; i++)
        assert_int_equal(buf_addf(&b, "%s%d", big, i), CDB_OK);
    assert_int_equal(b.len, 1518 + 20 * 1000 + 10 + 10 * 2);
    assert_string_equal(b.data + b.len - 2, "19");
    check_invariant(&b);
    assert_int_equal(buf_addf(&b, "%s", ""), CDB_OK);
    assert_int_equal(b.len, 21548);
    buf_release(&b);
}

/* buf_addf refuses text that would pass max, short or long, and keeps what
 * is held. */
static void test_buf_addf_limit(void **state)
{
    struct buf b;
    char big[600];

    (void)state;
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_init(&b, 300);
    assert_int_equal(buf_addf(&b, "%s", "head:"), CDB_OK);
    assert_int_equal(buf_addf(&b, "%s", big), CDB_ELIMIT);
    assert_string_equal(b.data, "head:");
    assert_int_equal(buf_addf(&b, "%.*s", 296, big), CDB_ELIMIT);
    assert_string_equal(b.data, "head:");
    assert_int_equal(buf_addf(&b, "%.*s", 295, big), CDB_OK);
    assert_int_equal(b.len, 300);
    check_invariant(&b);
    assert_int_equal(buf_addf(&b, "%c", 'q'), CDB_ELIMIT);
    assert_int_equal(b.len, 300);
    check_invariant(&b);
    buf_release(&b);
}

/* buf_reset empties the text but keeps the memory for reuse. */
static void test_buf_reset(void **state)
{
    struct buf b;
    char *mem;
    size_t cap;

    (void)state;
    buf_init(&b, 100);
    buf_reset(&b); /* on an empty buffer: nothing to do */
    check_invariant(&b);
    assert_int_equal(buf_adds(&b, "hello"), CDB_OK);
    mem = b.data;
    cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, mem);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    assert_int_equal(b.max, 100);
    check_invariant(&b);
    assert_int_equal(buf_adds(&b, "again"), CDB_OK);
    assert_string_equal(b.data, "again");
    buf_release(&b);
}

/* buf_detach hands over the bytes with their length and NUL, leaves the
 * buffer empty with its limit, and returns "" (never NULL) when empty. */
static void test_buf_detach(void **state)
{
    struct buf b;
    size_t len = 99;
    char *p;

    (void)state;
    buf_init(&b, 50);
    p = buf_detach(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);

    assert_int_equal(buf_add(&b, "a\0b", 3), CDB_OK);
    p = buf_detach(&b, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "a\0b", 4);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 50);
    check_invariant(&b);
    /* The buffer is reusable, and independent of what was handed over. */
    assert_int_equal(buf_adds(&b, "new"), CDB_OK);
    assert_string_equal(p, "a");
    assert_string_equal(b.data, "new");
    free(p);
    p = buf_detach(&b, NULL); /* the length is optional */
    assert_string_equal(p, "new");
    free(p);
    buf_release(&b);
}

/* buf_release frees and leaves an empty buffer with the same limit that can
 * be used again and released twice. */
static void test_buf_release(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 7);
    assert_int_equal(buf_adds(&b, "1234567"), CDB_OK);
    buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 7);
    assert_int_equal(buf_adds(&b, "12345678"), CDB_ELIMIT);
    assert_int_equal(buf_adds(&b, "1234567"), CDB_OK);
    assert_string_equal(b.data, "1234567");
    buf_release(&b);
    buf_release(&b);
    check_invariant(&b);
}

/* An empty append on a fresh buffer still yields a terminated "". */
static void test_buf_empty_add(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 4);
    assert_int_equal(buf_add(&b, "", 0), CDB_OK);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    check_invariant(&b);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_init),
        cmocka_unit_test(test_buf_add_limit),
        cmocka_unit_test(test_buf_add_huge),
        cmocka_unit_test(test_buf_add_cut),
        cmocka_unit_test(test_buf_reserve),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_addf_growth),
        cmocka_unit_test(test_buf_addf_limit),
        cmocka_unit_test(test_buf_reset),
        cmocka_unit_test(test_buf_detach),
        cmocka_unit_test(test_buf_release),
        cmocka_unit_test(test_buf_empty_add),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
