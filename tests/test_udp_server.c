/* tests/test_udp_server.c — day9/udp_server: datagrams come back whole to
 * their sender, from several clients in turn; -v shows them; SIGTERM
 * stops it; bad flags exit 2.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/net.h"
#include "common/procfs.h"
#include "tests/echo_support.h"
#include "tests/harness.h"

static void start(struct server *s, const char *flag)
{
    const char *argv[] = {program_path("day9/udp_server"), "-p", "0", flag, NULL};
    server_start(s, argv);
}

/* A UDP socket talking to the server, with receive timeouts. */
static int udp_client(int port)
{
    int fd = net_udp_connect("127.0.0.1", port);
    assert_true(fd >= 0);
    set_socket_timeout(fd, 5);
    return fd;
}

static void test_datagrams_come_back_whole(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL);
    int a = udp_client(s.port), b = udp_client(s.port);
    const size_t sizes[] = {1, 1000, 65507}; /* 65507: the largest UDP payload */
    static unsigned char out[65507], in[65536];
    for (unsigned i = 0; i < 3; i++) {
        int fd = i % 2 ? b : a;
        echo_pattern(out, sizes[i], i);
        assert_int_equal(send(fd, out, sizes[i], 0), (ssize_t)sizes[i]);
        assert_int_equal(recv(fd, in, sizeof in, 0), (ssize_t)sizes[i]); /* one datagram, whole */
        assert_memory_equal(in, out, sizes[i]);
    }
    /* interleaved: each reply goes to its own sender */
    assert_int_equal(send(a, "from a", 6, 0), 6);
    assert_int_equal(send(b, "from b", 6, 0), 6);
    assert_int_equal(recv(b, in, sizeof in, 0), 6);
    assert_memory_equal(in, "from b", 6);
    assert_int_equal(recv(a, in, sizeof in, 0), 6);
    assert_memory_equal(in, "from a", 6);
    close(a);
    close(b);
    assert_server_stops_cleanly(&s);
    char *out_text = server_output(&s, false);
    assert_non_null(strstr(out_text, "(5 datagrams echoed)"));
    free(out_text);
}

static void test_verbose_shows_each_datagram(void **state)
{
    (void)state;
    struct server s;
    start(&s, "-v");
    int fd = udp_client(s.port);
    char in[16];
    assert_int_equal(send(fd, "ping\n", 5, 0), 5);
    assert_int_equal(recv(fd, in, sizeof in, 0), 5);
    assert_true(server_wait_output(&s, false, ": 5 bytes \"ping\\n\"", 1, 5));
    close(fd);
    assert_server_stops_cleanly(&s);
}

static void test_echo_client_speaks_udp(void **state)
{
    (void)state;
    struct server s;
    start(&s, "-v");
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *argv[] = {program_path("day9/echo_client"), "-u", "-p", port, NULL};
    struct run_result r;
    run_program_text(&r, argv, "one\ntwo\n", 10);
    assert_exit_code(&r, 0);
    assert_string_equal(r.out, "one\ntwo\n");
    run_result_free(&r);
    assert_true(server_wait_output(&s, false, ": 4 bytes \"two\\n\"", 1, 5));
    assert_server_stops_cleanly(&s);

    /* nobody there: an error, not a hang */
    run_program_text(&r, argv, "one\n", 10);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "no reply"));
    run_result_free(&r);
}

static bool only_one_child(void *arg)
{
    return count_children(*(pid_t *)arg, NULL) == 1;
}

/* udp_server -v | head -n 1: once head has gone, every line the server
 * prints fails (EPIPE). Like the TCP servers, it must go on echoing, not
 * die silently of SIGPIPE. */
static void test_survives_its_stdout_reader_leaving(void **state)
{
    (void)state;
    struct server s;
    const char *argv[] = {"/bin/sh", "-c", "\"$0\" -p 0 -v | head -n 1; exec sleep 60",
                          program_path("day9/udp_server"), NULL};
    server_start(&s, argv);                             /* the line came through head */
    assert_true(wait_until(only_one_child, &s.pid, 5)); /* head is gone */
    int fd = udp_client(s.port);
    char in[16];
    assert_int_equal(send(fd, "ping\n", 5, 0), 5);
    assert_int_equal(recv(fd, in, sizeof in, 0), 5);
    assert_int_equal(send(fd, "pong\n", 5, 0), 5);
    assert_int_equal(recv(fd, in, sizeof in, 0), 5);
    close(fd);
    server_stop(&s, 2);
}

/* True once the process in *arg is blocked writing into a pipe. */
static bool blocked_in_pipe_write(void *arg)
{
    char path[64], wchan[64] = "";
    snprintf(path, sizeof path, "/proc/%d/wchan", (int)*(pid_t *)arg);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool yes = fgets(wchan, sizeof wchan, f) != NULL && strstr(wchan, "pipe_write") != NULL;
    fclose(f);
    return yes;
}

static bool has_exited(void *arg)
{
    char st = procfs_state(*(pid_t *)arg);
    return st == 'Z' || st == '\0';
}

/* udp_server -v with stdout on a pipe nobody reads (a paused `| less`),
 * sent 20,000 datagrams: the pipe fills and printf blocks. A stop signal
 * must still end it, in bounded time, with status 0 (issue 16). */
static void stop_while_log_blocked(int sig)
{
    struct server s;
    const char *argv[] = {"/bin/sh", "-c", "\"$0\" -p 0 -v | { head -n 1; exec sleep 60; }",
                          program_path("day9/udp_server"), NULL};
    server_start(&s, argv); /* the first line came through head */
    pid_t kids[4];
    assert_int_equal(procfs_children(s.pid, kids, 4), 2); /* server, reader */
    pid_t server = 0;
    char comm[32];
    for (int i = 0; i < 2; i++)
        if (procfs_comm(kids[i], comm, sizeof comm) == 0 && strcmp(comm, "udp_server") == 0)
            server = kids[i];
    assert_true(server > 0);

    int fd = udp_client(s.port);
    char line[64];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(line, sizeof line, "datagram %d, a line for the log\n", i);
        if (send(fd, line, (size_t)n, 0) < 0)
            i--; /* ECONNREFUSED from an echo that found no room, or ENOBUFS */
        if (i % 500 == 0 && blocked_in_pipe_write(&server))
            break;
    }
    assert_true(wait_until(blocked_in_pipe_write, &server, harness_timeout(5.0)));
    assert_int_equal(kill(server, sig), 0);
    bool ended = wait_until(has_exited, &server, harness_timeout(5.0));
    close(fd);
    if (!ended)
        fail_msg("udp_server -v, its log blocked, still running 5 s after signal %d", sig);
    int status = server_stop(&s, 2); /* the shell: its pipeline has ended */
    (void)status;
}

static void test_stops_while_its_log_is_blocked(void **state)
{
    (void)state;
    stop_while_log_blocked(SIGTERM);
    stop_while_log_blocked(SIGINT);
}

static void test_bad_flags(void **state)
{
    (void)state;
    const char *bad[][3] = {{"-x", NULL, NULL}, {"-p", "port", NULL}, {"extra", NULL, NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {program_path("day9/udp_server"), bad[i][0], bad[i][1], NULL};
        struct run_result r;
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage:"));
        run_result_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_datagrams_come_back_whole, harness_teardown),
        cmocka_unit_test_teardown(test_verbose_shows_each_datagram, harness_teardown),
        cmocka_unit_test_teardown(test_echo_client_speaks_udp, harness_teardown),
        cmocka_unit_test_teardown(test_survives_its_stdout_reader_leaving, harness_teardown),
        cmocka_unit_test_teardown(test_stops_while_its_log_is_blocked, harness_teardown),
        cmocka_unit_test_teardown(test_bad_flags, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
