/* tests/test_bitops.c — day10/bitops prints the course's values
 * (14 & 19 = 2, | = 31, ^ = 29, << 2 = 56, >> 2 = 3) in binary and
 * decimal, other operands on request, and what poll() says about a pipe.
 */
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/harness.h"

static void run(struct run_result *r, const char *a, const char *b, const char *c)
{
    const char *argv[] = {program_path("day10/bitops"), a, b, c, NULL};
    run_program_text(r, argv, NULL, 5);
}

/* The line starting with "  what " holds "= binary = decimal". */
static void expect(const char *out, const char *what, const char *binary, const char *decimal)
{
    char want[128];
    snprintf(want, sizeof want, "  %-12s = %s = %s", what, binary, decimal);
    if (strstr(out, want) == NULL)
        fail_msg("missing '%s' in:\n%s", want, out);
}

static void test_the_course_example(void **state)
{
    (void)state;
    struct run_result r;
    run(&r, NULL, NULL, NULL);
    assert_exit_code(&r, 0);
    expect(r.out, "14", "0001110", "14");
    expect(r.out, "19", "0010011", "19");
    expect(r.out, "14 & 19", "0000010", "2 ");
    expect(r.out, "14 | 19", "0011111", "31 ");
    expect(r.out, "14 ^ 19", "0011101", "29 ");
    expect(r.out, "14 << 2", "0111000", "56 ");
    expect(r.out, "14 >> 2", "0000011", "3 ");
    run_result_free(&r);
}

static void test_event_masks(void **state)
{
    (void)state;
    struct run_result r;
    run(&r, NULL, NULL, NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "POLLIN | POLLERR       = 001001 = POLLIN POLLERR"));
    assert_non_null(strstr(r.out, "EPOLLIN | EPOLLET      = 10000000000000000000000000000001"));
    assert_non_null(strstr(r.out, "revents & POLLIN  = 1 -> readable"));
    assert_non_null(strstr(r.out, "revents & POLLHUP = 0 -> writer still there"));
    assert_non_null(strstr(r.out, "revents                = 010001 = POLLIN POLLHUP"));
    assert_non_null(strstr(r.out, "revents & POLLHUP = 16 -> writer gone"));
    run_result_free(&r);
}

static void test_other_operands(void **state)
{
    (void)state;
    struct run_result r;
    run(&r, "5", "3", "1");
    assert_exit_code(&r, 0);
    expect(r.out, "5 & 3", "0001", "1 ");
    expect(r.out, "5 | 3", "0111", "7 ");
    expect(r.out, "5 ^ 3", "0110", "6 ");
    expect(r.out, "5 << 1", "1010", "10 ");
    expect(r.out, "5 >> 1", "0010", "2 ");
    run_result_free(&r);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const char *bad[][3] = {{"1", NULL, NULL}, {"a", "b", NULL}, {"-1", "2", NULL},
                            {"1", "2", "8"},   {"1", "2", "x"},  {"99999999", "1", NULL},
                            {"-x", NULL, NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct run_result r;
        run(&r, bad[i][0], bad[i][1], bad[i][2]);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage:"));
        run_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_the_course_example, harness_teardown),
        cmocka_unit_test_teardown(test_event_masks, harness_teardown),
        cmocka_unit_test_teardown(test_other_operands, harness_teardown),
        cmocka_unit_test_teardown(test_bad_arguments, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
