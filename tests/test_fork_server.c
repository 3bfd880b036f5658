/* tests/test_fork_server.c — what only fork_server promises (the shared
 * echo suite, test_echo_servers.c, covers the rest): a child per client,
 * reaped when it leaves; the -m bound; a failed fork reported and the
 * client closed while the server goes on; SIGTERM ends every child.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/procfs.h"
#include "tests/echo_support.h"
#include "tests/harness.h"

static const struct echo_kind fork_kind = {"fork_server", "day9/fork_server", NULL, true, false};

struct family {
    pid_t pid;
    int children;
};

static bool children_are(void *arg)
{
    struct family *f = arg;
    int zombies = 0;
    return count_children(f->pid, &zombies) == f->children && zombies == 0;
}

static void test_a_child_per_client_reaped_when_it_leaves(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &fork_kind, NULL, NULL);
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = connect_to(s.port);
        assert_true(echo_check(fds[i], 1000, (unsigned)i, 5));
    }
    struct family f = {s.pid, 3};
    assert_true(wait_until(children_are, &f, 5));

    /* each child named on stdout is a live child of the server */
    pid_t kids[8];
    assert_int_equal(procfs_children(s.pid, kids, 8), 3);
    char *out = server_output(&s, false);
    for (int i = 0; i < 3; i++) {
        char line[64];
        snprintf(line, sizeof line, "served by child %ld", (long)kids[i]);
        assert_non_null(strstr(out, line));
        assert_int_equal(procfs_ppid(kids[i]), s.pid);
    }
    free(out);

    close(fds[1]); /* one leaves: its child ends and is reaped, no zombie */
    f.children = 2;
    assert_true(wait_until(children_are, &f, 5));
    assert_true(echo_check(fds[0], 1000, 7, 5)); /* the others go on */
    close(fds[0]);
    close(fds[2]);
    f.children = 0;
    assert_true(wait_until(children_are, &f, 5));
    if (!server_wait_output(&s, false, " exits)", 3, 5)) {
        char *text = server_output(&s, false);
        print_error("server output:\n%s\n", text);
        free(text);
        fail();
    }
    assert_server_stops_cleanly(&s);
}

static void test_children_bounded_by_m(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &fork_kind, "-m", "2");
    int a = connect_to(s.port), b = connect_to(s.port);
    assert_true(echo_check(a, 10, 1, 5));
    assert_true(echo_check(b, 10, 2, 5));
    int c = connect_to(s.port);
    char buf[256];
    assert_true(echo_read_to_eof(c, buf, sizeof buf, 5) > 0);
    assert_non_null(strstr(buf, "fork_server: busy: too many clients"));
    close(c);
    assert_true(server_wait_output(&s, false, "refused 127.0.0.1:", 1, 5));

    close(a); /* a slot frees once its child is reaped */
    struct family f = {s.pid, 1};
    assert_true(wait_until(children_are, &f, 5));
    int d = connect_to(s.port);
    assert_true(echo_check(d, 1000, 3, 5));
    close(d);
    close(b);
    assert_server_stops_cleanly(&s);
}

static void test_fork_failure_is_reported_and_survived(void **state)
{
    (void)state;
    char no_fork[4096];
    snprintf(no_fork, sizeof no_fork, "%s", program_path("tests/helpers/no_fork"));
    const char *argv[] = {no_fork, program_path("day9/fork_server"), "-p", "0", NULL};
    struct run_result probe;
    const char *check[] = {no_fork, "/bin/true", NULL};
    run_program_text(&probe, check, NULL, 5);
    bool supported = probe.exit_code == 0;
    run_result_free(&probe);
    if (!supported) {
        print_message("    skipped: no seccomp here (needed to make fork fail)\n");
        skip();
    }
    struct server s;
    server_start(&s, argv);
    for (int i = 0; i < 2; i++) {
        int fd = connect_to(s.port);
        char buf[256];
        assert_true(echo_read_to_eof(fd, buf, sizeof buf, 5) > 0);
        assert_non_null(strstr(buf, "fork_server: busy: cannot start a process"));
        close(fd);
    }
    assert_true(server_wait_output(&s, true, "fork (for 127.0.0.1:", 2, 5));
    char *err = server_output(&s, true);
    assert_non_null(strstr(err, "Resource temporarily unavailable"));
    free(err);
    assert_int_equal(count_children(s.pid, NULL), 0);
    assert_server_stops_cleanly(&s); /* still running, and stops cleanly */
}

static void test_sigterm_ends_every_child(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &fork_kind, NULL, NULL);
    int fds[4];
    for (int i = 0; i < 4; i++) {
        fds[i] = connect_to(s.port);
        assert_true(echo_check(fds[i], 100, (unsigned)i, 5));
    }
    assert_true(echo_push_without_reading(fds[3], 8 << 20, 200, 10) > 0); /* one stuck writing */
    struct family f = {s.pid, 4};
    assert_true(wait_until(children_are, &f, 5));
    assert_server_stops_cleanly(&s); /* exit 0, no child left behind */
    char *out = server_output(&s, false);
    assert_non_null(strstr(out, "stopped 4 children"));
    free(out);
    for (int i = 0; i < 4; i++)
        close(fds[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_a_child_per_client_reaped_when_it_leaves, harness_teardown),
        cmocka_unit_test_teardown(test_children_bounded_by_m, harness_teardown),
        cmocka_unit_test_teardown(test_fork_failure_is_reported_and_survived, harness_teardown),
        cmocka_unit_test_teardown(test_sigterm_ends_every_child, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
