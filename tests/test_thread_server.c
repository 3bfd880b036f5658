/* tests/test_thread_server.c — what only thread_server promises (the
 * shared echo suite covers the rest): a thread per client, gone when the
 * client leaves; the -m bound with a one-line refusal; SIGTERM stops it
 * with workers blocked in read and in write, and with its log blocked.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/clock.h"
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

/* Start thread_server -v with its stdout on a pipe that *out_pipe only
 * reads up to the "listening on" line: from there on nobody reads it.
 * The port, or -1. */
static int start_with_unread_log(pid_t *pid, int *out_pipe)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        const char *path = program_path("day9/thread_server");
        execl(path, path, "-p", "0", "-v", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *out_pipe = p[0];
    char line[128];
    size_t used = 0;
    while (used < sizeof line - 1 && memchr(line, '\n', used) == NULL) {
        if (!echo_wait_readable(p[0], 10))
            return -1;
        ssize_t n = read(p[0], line + used, 1); /* not one byte more */
        if (n <= 0)
            return -1;
        used += (size_t)n;
    }
    line[used] = '\0';
    const char *colon = strrchr(line, ':');
    return strncmp(line, "listening on ", 13) == 0 && colon ? atoi(colon + 1)
                                                            : -1;
}

static bool pipe_is_full(void *arg)
{
    int queued = 0;
    ioctl(*(int *)arg, FIONREAD, &queued);
    return queued >= 60 * 1024; /* a pipe holds 64 KiB */
}

/* `thread_server -v | less`, paused: its log pipe is full and threads
 * are blocked writing to it, one of them holding stdout's lock. After
 * 3,000 connections, SIGTERM (and SIGINT) must still stop it, exit 0. */
static void test_stops_with_its_log_blocked(void **state)
{
    (void)state;
    int sigs[] = {SIGTERM, SIGINT};
    for (int k = 0; k < 2; k++) {
        pid_t pid, got = 0;
        int out, status = 0;
        int port = start_with_unread_log(&pid, &out);
        for (int i = 0; port > 0 && i < 3000; i++) { /* the listen queue */
            int fd = connect_to(port);
            (void)send(fd, "x", 1, MSG_NOSIGNAL);
            close(fd);
        }
        bool full = port > 0 && wait_until(pipe_is_full, &out, 10);
        kill(pid, full ? sigs[k] : SIGKILL);
        double deadline = clock_now() + harness_timeout(5);
        while ((got = waitpid(pid, &status, WNOHANG)) == 0 &&
               clock_now() < deadline)
            clock_sleep_ms(10);
        if (got == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        close(out);
        assert_true(port > 0 && full);
        if (got == 0)
            fail_msg("still running 5 s after %s", strsignal(sigs[k]));
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_a_thread_per_client, harness_teardown),
        cmocka_unit_test_teardown(test_threads_bounded_by_m, harness_teardown),
        cmocka_unit_test_teardown(test_sigterm_with_busy_threads, harness_teardown),
        cmocka_unit_test_teardown(test_stops_with_its_log_blocked,
                                  harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
