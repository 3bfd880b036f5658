/* tests/test_epoll_et.c — day10/epoll_et: level-triggered epoll reports
 * unread data on every call, edge-triggered once per arrival.
 */
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/harness.h"

/* The text of step n (from "step n:" to the next blank line). */
static void step_text(const char *out, int n, char *buf, size_t size)
{
    char head[32];
    snprintf(head, sizeof head, "step %d:", n);
    const char *start = strstr(out, head);
    assert_non_null(start);
    const char *end = strstr(start, "\n\n");
    size_t len = end != NULL ? (size_t)(end - start) : strlen(start);
    assert_true(len < size);
    memcpy(buf, start, len);
    buf[len] = '\0';
}

static void test_level_repeats_edge_reports_once(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day10/epoll_et"), NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_exit_code(&r, 0);
    /* reports (level, edge) per step: unread data; a partial read; new
     * data; everything read */
    const int level[] = {3, 3, 3, 0}, edge[] = {1, 0, 1, 0};
    for (int n = 1; n <= 4; n++) {
        char text[2048];
        step_text(r.out, n, text, sizeof text);
        assert_int_equal(count_occurrences(text, "level: EPOLLIN"), level[n - 1]);
        assert_int_equal(count_occurrences(text, "edge: EPOLLIN"), edge[n - 1]);
    }
    char text[2048];
    step_text(r.out, 1, text, sizeof text);
    assert_non_null(strstr(text, "epoll_wait #1:  level: EPOLLIN  edge: EPOLLIN\n"
                                 "  epoll_wait #2:  level: EPOLLIN  edge: -\n"));
    step_text(r.out, 4, text, sizeof text);
    assert_non_null(strstr(text, "we read 6 bytes \"llo!!!\" (until read said EAGAIN)"));
    assert_non_null(
        strstr(r.out, "level-triggered reported the socket 9 times, edge-triggered 2 times"));
    run_result_free(&r);
}

static void test_more_calls(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day10/epoll_et"), "-n", "10", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(
        strstr(r.out, "level-triggered reported the socket 30 times, edge-triggered 2 times"));
    run_result_free(&r);
}

static void test_bad_flags(void **state)
{
    (void)state;
    const char *bad[][3] = {{"-n", "0", NULL}, {"-n", "many", NULL}, {"x", NULL, NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {program_path("day10/epoll_et"), bad[i][0], bad[i][1], NULL};
        struct run_result r;
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        run_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_level_repeats_edge_reports_once, harness_teardown),
        cmocka_unit_test_teardown(test_more_calls, harness_teardown),
        cmocka_unit_test_teardown(test_bad_flags, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
