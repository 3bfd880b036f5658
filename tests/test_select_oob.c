/* tests/test_select_oob.c — day10/select_oob: select()'s exceptfds (the
 * course's xlist) reports TCP urgent data, and only while it waits.
 */
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/harness.h"

static void test_exceptfds_reports_urgent_data(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day10/select_oob"), NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 10);
    assert_exit_code(&r, 0);
    const char *want = "step 1: send \"hello\" (normal data)\n"
                       "  select: readable yes, exceptional no\n"
                       "step 2: send \"!\" with MSG_OOB (urgent data)\n"
                       "  select: readable yes, exceptional yes (xlist: "
                       "urgent data waits)\n"
                       "step 3: recv(..., MSG_OOB) reads the urgent byte "
                       "apart\n"
                       "  urgent byte: '!'\n"
                       "  select: readable yes, exceptional no\n"
                       "step 4: recv() reads the normal stream\n"
                       "  normal bytes: \"hello\" (the urgent byte is not "
                       "among them)\n";
    assert_string_equal(r.out, want);
    run_result_free(&r);
}

static void test_usage(void **state)
{
    (void)state;
    struct run_result r;
    const char *help[] = {program_path("day10/select_oob"), "-h", NULL};
    run_program_text(&r, help, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: select_oob"));
    run_result_free(&r);
    const char *bad[] = {program_path("day10/select_oob"), "x", NULL};
    run_program_text(&r, bad, NULL, 5);
    assert_exit_code(&r, 2);
    assert_non_null(strstr(r.err, "usage: select_oob"));
    run_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exceptfds_reports_urgent_data),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
