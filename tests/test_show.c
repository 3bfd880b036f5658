/* tests/test_show.c — common/show: received bytes shown safely in a log
 * line: escaped, quoted, cut to a bound, never past the buffer.
 */
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/show.h"

static void test_printable_and_escapes(void **state)
{
    (void)state;
    char out[SHOW_BUFSIZE];
    assert_string_equal(show_bytes(out, sizeof out, "hello\n", 6), "\"hello\\n\"");
    assert_string_equal(show_bytes(out, sizeof out, "a\tb\rc", 5), "\"a\\tb\\rc\"");
    assert_string_equal(show_bytes(out, sizeof out, "say \"hi\" \\o/", 12),
                        "\"say \\\"hi\\\" \\\\o/\"");
    assert_string_equal(show_bytes(out, sizeof out, "\0\x01\x7f\xff", 4),
                        "\"\\x00\\x01\\x7f\\xff\"");
    assert_string_equal(show_bytes(out, sizeof out, "", 0), "\"\"");
    assert_string_equal(show_bytes(out, sizeof out, "\xe4\xbd\xa0", 3), "\"\\xe4\\xbd\\xa0\"");
}

static void test_long_input_is_cut(void **state)
{
    (void)state;
    char in[1000], out[SHOW_BUFSIZE];
    memset(in, 'x', sizeof in);
    show_bytes(out, sizeof out, in, sizeof in);
    assert_int_equal(strlen(out), 1 + SHOW_MAX_BYTES + 1 + 3);
    assert_string_equal(out + 1 + SHOW_MAX_BYTES, "\"...");

    memset(in, 0, sizeof in); /* the worst case, 4 characters a byte, fits */
    show_bytes(out, sizeof out, in, sizeof in);
    assert_int_equal(strlen(out), 1 + 4 * SHOW_MAX_BYTES + 1 + 3);
}

static void test_small_buffer_is_never_overrun(void **state)
{
    (void)state;
    char out[8];
    memset(out, '#', sizeof out);
    show_bytes(out, 6, "abcdefgh", 8);
    assert_string_equal(out, "\"abcd");
    assert_int_equal(out[6], '#'); /* nothing written past size */
    const char with_control[] = {'a', 'b', 1, 'c', 'd'};
    show_bytes(out, 6, with_control, sizeof with_control); /* \x01 does not fit: a prefix */
    assert_string_equal(out, "\"ab");
    show_bytes(out, 1, "abc", 3);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printable_and_escapes),
        cmocka_unit_test(test_long_input_is_cut),
        cmocka_unit_test(test_small_buffer_is_never_overrun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
