/* tests/test_fnv1a.c — common/fnv1a: the published FNV-1a test vectors, and
 * the same fingerprint whether the bytes come whole or in pieces. */
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/fnv1a.h"
#include "tests/harness.h"

static void test_known_vectors(void **state)
{
    (void)state;
    assert_int_equal(fnv1a("", 0), 0x811c9dc5u);
    assert_int_equal(FNV1A_INIT, 0x811c9dc5u);
    assert_int_equal(fnv1a("a", 1), 0xe40c292cu);
    assert_int_equal(fnv1a("foobar", 6), 0xbf9cf968u);
}

static void test_pieces_give_the_same_fingerprint(void **state)
{
    (void)state;
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 13 + 1);
    uint32_t whole = fnv1a(data, sizeof data);
    for (size_t cut = 0; cut <= sizeof data; cut += 37) {
        uint32_t h = fnv1a_update(FNV1A_INIT, data, cut);
        assert_int_equal(fnv1a_update(h, data + cut, sizeof data - cut), whole);
    }
    data[500] ^= 1; /* one bit changed: another fingerprint */
    assert_int_not_equal(fnv1a(data, sizeof data), whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_known_vectors, harness_teardown),
        cmocka_unit_test_teardown(test_pieces_give_the_same_fingerprint, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
