/* tests/test_echo_client.c — day9/echo_client: the interactive mode is a
 * byte-exact pipe through the server; the scripted mode reports what it
 * did and catches a wrong byte, a server that closes early, a silent
 * server and a refused connection; bad flags exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/net.h"
#include "tests/echo_support.h"
#include "tests/harness.h"

static const struct echo_kind epoll_kind = {"epoll_server", "day10/epoll_server", NULL, true, true};
static const struct echo_kind loop_kind = {"loop_server", "day9/loop_server", NULL, false, false};

static char port_text[16];

static const char *port_of(const struct server *s)
{
    snprintf(port_text, sizeof port_text, "%d", s->port);
    return port_text;
}

static char client_path[4096];

static const char *client(void)
{
    snprintf(client_path, sizeof client_path, "%s", program_path("day9/echo_client"));
    return client_path;
}

static void test_interactive_is_a_byte_exact_pipe(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &epoll_kind, NULL, NULL);
    size_t size = 300 * 1024;
    unsigned char *input = malloc(size);
    assert_non_null(input);
    echo_pattern(input, size, 5); /* every byte value, NULs and newlines included */
    const char *argv[] = {client(), "-p", port_of(&s), NULL};
    struct run_result r;
    run_program(&r, argv, (const char *)input, size, 20);
    assert_exit_code(&r, 0);
    assert_int_equal(r.out_len, size);
    assert_memory_equal(r.out, input, size);
    free(input);
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_interactive_lines(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &loop_kind, NULL, NULL);
    const char *argv[] = {client(), "-p", port_of(&s), NULL};
    struct run_result r;
    run_program_text(&r, argv, "hello\n你好\nlast line without newline", 10);
    assert_exit_code(&r, 0);
    assert_string_equal(r.out, "hello\n你好\nlast line without newline");
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_interactive_refused_by_a_busy_server(void **state)
{
    (void)state;
    const struct echo_kind thread_kind = {"thread_server", "day9/thread_server", NULL, true, false};
    struct server s;
    echo_start(&s, &thread_kind, "-m", "1");
    int first = connect_to(s.port);
    assert_true(echo_check(first, 10, 1, 5));
    const char *argv[] = {client(), "-p", port_of(&s), NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 10); /* no input: it only listens */
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.out, "thread_server: busy: too many clients"));
    assert_non_null(strstr(r.err, "the server closed the connection"));
    run_result_free(&r);
    close(first);
    assert_server_stops_cleanly(&s);
}

static void test_scripted_reports_success(void **state)
{
    (void)state;
    struct server s;
    echo_start(&s, &epoll_kind, NULL, NULL);
    const char *argv[] = {client(), "-p", port_of(&s), "-n", "50", "-s", "3000", "-c", "8", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 20);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "echo_client: 8 connections x 50 messages x 3000 bytes to "
                                  "127.0.0.1:"));
    assert_non_null(strstr(r.out, ": all echoed correctly in "));
    assert_non_null(strstr(r.out, "messages/s"));
    assert_string_equal(r.err, "");
    run_result_free(&r);
    assert_true(server_wait_output(&s, false, "(150000 bytes echoed)", 8, 5));
    assert_server_stops_cleanly(&s);
}

/* Run the scripted client against bad_echo with flag; expect exit 1. */
static void expect_failure(const char *flag, const char *value, const char *client_timeout,
                           const char *err_needle)
{
    const char *sargv[] = {program_path("tests/helpers/bad_echo"), "-p", "0", flag, value, NULL};
    struct server s;
    server_start(&s, sargv);
    const char *argv[] = {client(), "-p",   port_of(&s), "-n",           "3",
                          "-s",     "1000", "-t",        client_timeout, NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 20);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.out, "1 of 1 connections FAILED"));
    if (strstr(r.err, err_needle) == NULL)
        fail_msg("stderr lacks '%s':\n%s", err_needle, r.err);
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_scripted_catches_a_wrong_byte(void **state)
{
    (void)state;
    /* byte 1500 of the stream is byte 500 of message 2 */
    expect_failure("-f", "1500", "5", "connection 1, message 2: byte 500 is 0x");
}

static void test_scripted_catches_an_early_close(void **state)
{
    (void)state;
    expect_failure("-c", "2100", "5",
                   "message 3: the server closed the connection after 100 of 1000 bytes");
}

static void test_scripted_gives_up_on_a_silent_server(void **state)
{
    (void)state;
    expect_failure("-s", NULL, "1", "no reply for 1 s (0 of 1000 bytes echoed)");
}

static void test_connection_refused(void **state)
{
    (void)state;
    int fd = net_tcp_listen("127.0.0.1", 0, 1); /* a free port, then nobody there */
    int port = net_local_port(fd);
    close(fd);
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    const char *a1[] = {client(), "-p", p, NULL};
    const char *a2[] = {client(), "-p", p, "-c", "3", NULL};
    const char *const *argvs[] = {a1, a2};
    for (int i = 0; i < 2; i++) {
        struct run_result r;
        run_program_text(&r, argvs[i], "x\n", 5);
        assert_exit_code(&r, 1);
        assert_non_null(strstr(r.err, "Connection refused"));
        run_result_free(&r);
    }
}

static void test_bad_flags(void **state)
{
    (void)state;
    const char *bad[][3] = {{"-n", "0", NULL},           {"-s", "0", NULL},  {"-c", "0", NULL},
                            {"-s", "99999999999", NULL}, {"-t", "0", NULL},  {"-c", "x", NULL},
                            {"-p", "70000", NULL},       {"-z", NULL, NULL}, {"extra", NULL, NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {client(), bad[i][0], bad[i][1], NULL};
        struct run_result r;
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage:"));
        run_result_free(&r);
    }
    const char *help[] = {client(), "-h", NULL};
    struct run_result r;
    run_program_text(&r, help, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "-n COUNT"));
    run_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_interactive_is_a_byte_exact_pipe, harness_teardown),
        cmocka_unit_test_teardown(test_interactive_lines, harness_teardown),
        cmocka_unit_test_teardown(test_interactive_refused_by_a_busy_server, harness_teardown),
        cmocka_unit_test_teardown(test_scripted_reports_success, harness_teardown),
        cmocka_unit_test_teardown(test_scripted_catches_a_wrong_byte, harness_teardown),
        cmocka_unit_test_teardown(test_scripted_catches_an_early_close, harness_teardown),
        cmocka_unit_test_teardown(test_scripted_gives_up_on_a_silent_server, harness_teardown),
        cmocka_unit_test_teardown(test_connection_refused, harness_teardown),
        cmocka_unit_test_teardown(test_bad_flags, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
