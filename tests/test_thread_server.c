/* tests/test_thread_server.c — what only thread_server promises (the
 * shared echo suite covers the rest): a thread per client, gone when the
 * client leaves; the -m bound with a one-line refusal; SIGTERM stops it
 * with workers blocked in read and in write.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/echo_support.h"
#include "tests/harness.h"

static const struct echo_kind thread_kind = {"thread_server", "day9/thread_server", NULL, true,
                                             false};

struct threads {
    pid_t pid;
    int want; /* threads of the process, main included */
};

static bool threads_are(void *arg)
{
    struct threads *t = arg;
    return count_threads(t->pid) == t->want;
}

static void test_a_thread_per_client(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &thread_kind, NULL, NULL);
    int fds[5];
    for (int i = 0; i < 5; i++) {
        fds[i] = connect_to(s.port);
        assert_true(echo_check(fds[i], 1000, (unsigned)i, 5));
    }
    /* main + 5 workers (+ a thread of TSan's own, in make tsan) */
    int with_clients = count_threads(s.pid);
    assert_true(with_clients >= 6);
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    struct threads t = {s.pid, with_clients - 5};
    assert_true(wait_until(threads_are, &t, 5)); /* each thread ended with its client */
    assert_true(server_wait_output(&s, false, "closed ", 5, 5));
    assert_server_stops_cleanly(&s);
}

static void test_threads_bounded_by_m(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &thread_kind, "-m", "2");
    int a = connect_to(s.port), b = connect_to(s.port);
    assert_true(echo_check(a, 10, 1, 5));
    assert_true(echo_check(b, 10, 2, 5));
    for (int i = 0; i < 3; i++) { /* the third, fourth... get one line and EOF */
        int c = connect_to(s.port);
        char buf[256];
        assert_true(echo_read_to_eof(c, buf, sizeof buf, 5) > 0);
        assert_string_equal(buf, "thread_server: busy: too many clients, try again later\n");
        close(c);
    }
    assert_true(server_wait_output(&s, false, "too many clients (-m)", 3, 5));
    close(a);
    assert_true(server_wait_output(&s, false, "closed ", 1, 5));
    int d = connect_to(s.port); /* a slot is free again */
    assert_true(echo_check(d, 64 * 1024, 3, 5));
    close(d);
    close(b);
    assert_server_stops_cleanly(&s);
}

static void test_sigterm_with_busy_threads(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &thread_kind, NULL, NULL);
    int fds[6];
    for (int i = 0; i < 6; i++) {
        fds[i] = connect_to(s.port);
        assert_true(echo_check(fds[i], 100, (unsigned)i, 5));
    }
    /* two workers blocked in write (their clients do not read) */
    assert_true(echo_push_without_reading(fds[4], 8 << 20, 200, 10) > 0);
    assert_true(echo_push_without_reading(fds[5], 8 << 20, 200, 10) > 0);
    assert_server_stops_cleanly(&s);
    char *out = server_output(&s, false);
    assert_non_null(strstr(out, "stopped 6 threads"));
    assert_int_equal(count_lines_containing(out, "closed "), 6);
    free(out);
    for (int i = 0; i < 6; i++)
        close(fds[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_a_thread_per_client, harness_teardown),
        cmocka_unit_test_teardown(test_threads_bounded_by_m, harness_teardown),
        cmocka_unit_test_teardown(test_sigterm_with_busy_threads, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
