/* tests/test_aio_read.c — day9/aio_read: the four IO models read the same
 * late message; blocking gets no other work done while it waits, the
 * other three do; the asynchronous read is complete before main takes it,
 * and glibc's aio shows a thread of its own; bad flags exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/harness.h"

/* The row of one model: how many units of other work, how long it waited. */
static void row(const char *out, const char *how, int *work, double *waited)
{
    const char *line = strstr(out, how);
    if (line == NULL)
        fail_msg("no row \"%s\" in:\n%s", how, out);
    char text[64];
    if (sscanf(line + strlen(how), "%d %lf s 21 bytes: %63[^\n]", work, waited, text) != 3)
        fail_msg("bad row \"%s\" in:\n%s", how, out);
    assert_string_equal(text, "the data has arrived");
}

static void test_four_models_read_the_same_late_message(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day9/aio_read"), "-d", "500", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 20);
    assert_exit_code(&r, 0);
    assert_int_equal(r.leftovers, 0);
    assert_non_null(strstr(r.out, "a child writes into a pipe after 500 ms"));
    int work;
    double waited;
    row(r.out, "blocking      read()", &work, &waited);
    assert_int_equal(work, 0); /* blocked: nothing else done */
    assert_true(waited >= 0.45);
    row(r.out, "non-blocking  read()", &work, &waited);
    assert_true(work >= 1 && waited >= 0.45);
    row(r.out, "multiplexed   poll()", &work, &waited);
    assert_true(work >= 1 && waited >= 0.45);
    row(r.out, "asynchronous  aio_read()", &work, &waited);
    assert_true(work >= 1 && waited >= 0.45);
    const char *t = strstr(r.out, "while the read was pending, the process had ");
    assert_non_null(t);
    assert_true(atoi(t + strlen("while the read was pending, the process had ")) >= 2);
    run_result_free(&r);
}

static void test_help_and_bad_flags(void **state)
{
    (void)state;
    const char *help[] = {program_path("day9/aio_read"), "-h", NULL};
    struct run_result r;
    run_program_text(&r, help, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: aio_read"));
    run_result_free(&r);
    const char *bad[][3] = {{"-d", "99", NULL}, {"-d", "x", NULL}, {"-Z", NULL, NULL},
                            {"more", NULL, NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {program_path("day9/aio_read"), bad[i][0], bad[i][1], NULL};
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage: aio_read"));
        assert_string_equal(r.out, "");
        run_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_four_models_read_the_same_late_message,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_help_and_bad_flags, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
