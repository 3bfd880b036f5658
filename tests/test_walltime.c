/* tests/test_walltime.c — common/walltime: "HH:MM:SS.mmm", the local time
 * of day, and a short buffer cut safely. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/walltime.h"
#include "tests/harness.h"

static void test_format_and_value(void **state)
{
    (void)state;
    time_t before = time(NULL);
    char text[32];
    walltime_text(text, sizeof text);
    time_t after = time(NULL);
    assert_int_equal(strlen(text), 12);
    for (int i = 0; i < 12; i++) {
        if (i == 2 || i == 5)
            assert_int_equal(text[i], ':');
        else if (i == 8)
            assert_int_equal(text[i], '.');
        else
            assert_true(isdigit((unsigned char)text[i]));
    }
    /* the seconds are those of the local time now (or of a second later) */
    struct tm a, b;
    localtime_r(&before, &a);
    localtime_r(&after, &b);
    int h, m, s;
    assert_int_equal(sscanf(text, "%d:%d:%d", &h, &m, &s), 3);
    int got = (h * 60 + m) * 60 + s;
    int lo = (a.tm_hour * 60 + a.tm_min) * 60 + a.tm_sec;
    int hi = (b.tm_hour * 60 + b.tm_min) * 60 + b.tm_sec;
    assert_true(got == lo || got == hi);
}

static void test_short_buffer_is_cut_and_terminated(void **state)
{
    (void)state;
    char text[6];
    memset(text, 'x', sizeof text);
    walltime_text(text, sizeof text);
    assert_int_equal(strlen(text), 5);
    char untouched = 'y';
    walltime_text(&untouched, 0); /* size 0: nothing written */
    assert_int_equal(untouched, 'y');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_format_and_value, harness_teardown),
        cmocka_unit_test_teardown(test_short_buffer_is_cut_and_terminated, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
