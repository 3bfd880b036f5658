/* tests/test_block_io.c — day9/block_io: each mode ends by itself when no
 * client comes, after about -w seconds, having done what it says (blocked
 * until SIGALRM; retried on EAGAIN and logged; timed out each second and
 * logged); each mode serves a client that comes; a client that sends
 * nothing is let go; bad flags exit 2.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/io.h"
#include "tests/echo_support.h"
#include "tests/harness.h"

static char log_path[256];

static int setup_log(void **state)
{
    (void)state;
    snprintf(log_path, sizeof log_path, "%s/block_io_test.%ld.log",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp", (long)getpid());
    unlink(log_path);
    return 0;
}

static int teardown_log(void **state)
{
    unlink(log_path);
    return harness_teardown(state);
}

static char *read_log(void)
{
    FILE *f = fopen(log_path, "r");
    static char text[65536];
    text[0] = '\0';
    if (f != NULL) {
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    return text;
}

/* Run a mode with no client at all, 1 s bound. */
static void run_alone(struct run_result *r, const char *mode)
{
    const char *argv[] = {
        program_path("day9/block_io"), "-p", "0", "-m", mode, "-w", "1", "-l", log_path, NULL};
    run_program_text(r, argv, NULL, 10);
    assert_exit_code(r, 0);
    assert_true(r->elapsed >= 0.9);                       /* it waited... */
    assert_true(r->elapsed < harness_timeout(1.0) + 2.0); /* ...and ended by itself */
}

static void test_block_ends_on_the_alarm(void **state)
{
    (void)state;
    struct run_result r;
    run_alone(&r, "block");
    assert_non_null(strstr(r.out, "block: accept() blocks until a client connects"));
    assert_non_null(strstr(r.out, "accept: interrupted by SIGALRM after 1."));
    assert_null(strstr(r.out, "try ")); /* no busy retries: it slept in accept */
    run_result_free(&r);
    assert_string_equal(read_log(), ""); /* blocking mode does no other work */
}

static void test_nonblock_retries_and_works_meanwhile(void **state)
{
    (void)state;
    struct run_result r;
    run_alone(&r, "nonblock");
    int tries = count_lines_containing(r.out, "accept: Resource temporarily unavailable");
    assert_true(tries >= 2 && tries <= 4); /* every 500 ms, for 1 s */
    assert_non_null(strstr(r.out, "no client in 1 s: done"));
    assert_int_equal(count_lines_containing(read_log(), " : no client yet (nonblock)"),
                     count_lines_containing(r.out, "doing other work"));
    assert_true(count_lines_containing(r.out, "doing other work") >= 1);
    run_result_free(&r);
}

static void test_timeout_bounds_each_wait(void **state)
{
    (void)state;
    const char *argv[] = {
        program_path("day9/block_io"), "-p", "0", "-m", "timeout", "-w", "2", "-l", log_path, NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 10);
    assert_exit_code(&r, 0);
    assert_int_equal(count_lines_containing(r.out, "accept: timed out after 1."), 2);
    assert_non_null(strstr(r.out, "no client in 2 s: done"));
    assert_int_equal(count_lines_containing(read_log(), " : no client yet (timeout)"), 1);
    run_result_free(&r);
}

/* Each mode: a client comes and its first message is printed. */
static void serve_one(const char *mode)
{
    const char *argv[] = {
        program_path("day9/block_io"), "-p", "0", "-m", mode, "-w", "10", "-l", log_path, NULL};
    struct server s;
    server_start(&s, argv);
    int fd = connect_to(s.port);
    assert_int_equal(io_write_all(fd, "hello\n", 6), 6);
    int status = program_wait(&s, 5);
    assert_false(s.killed);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *out = server_output(&s, false);
    assert_non_null(strstr(out, "client 127.0.0.1:"));
    assert_non_null(strstr(out, "received 6 bytes from 127.0.0.1:"));
    assert_non_null(strstr(out, ": \"hello\\n\"\n"));
    free(out);
    close(fd);
}

static void test_each_mode_serves_a_client(void **state)
{
    (void)state;
    serve_one("block");
    serve_one("nonblock");
    serve_one("timeout");
}

static void test_a_silent_client_is_let_go(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day9/block_io"), "-p", "0", "-w", "10", NULL};
    struct server s;
    server_start(&s, argv);
    int fd = connect_to(s.port); /* connects, says nothing */
    int status = program_wait(&s, 6);
    assert_false(s.killed);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *out = server_output(&s, false);
    assert_non_null(strstr(out, "sent nothing within 2000 ms: closing it"));
    free(out);
    char buf[4];
    assert_int_equal(read(fd, buf, sizeof buf), 0); /* closed by the server */
    close(fd);
}

static void test_sigterm_while_blocked(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day9/block_io"), "-p", "0", "-w", "60", NULL};
    struct server s;
    server_start(&s, argv);
    assert_server_stops_cleanly(&s);
    char *out = server_output(&s, false);
    assert_non_null(strstr(out, "interrupted by a stop signal"));
    free(out);
}

/* Files in dir (not . and ..), or -1. */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Running the docs' commands (no -l) must leave the machine as it was:
 * no block_io.log in TMPDIR (or /tmp) afterwards, also after a SIGTERM. */
static void test_no_log_file_left_behind(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    char dir[512], *saved = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    snprintf(dir, sizeof dir, "%s/block_io_tmp.XXXXXX", base);
    assert_non_null(mkdtemp(dir));
    setenv("TMPDIR", dir, 1); /* the programs we start inherit it */
    const char *modes[] = {"nonblock", "timeout"};
    for (int i = 0; i < 2; i++) {
        const char *argv[] = {program_path("day9/block_io"), "-p", "0", "-m", modes[i],
                              "-w", "2", NULL};
        struct run_result r;
        run_program_text(&r, argv, NULL, 10);
        assert_exit_code(&r, 0);
        assert_non_null(strstr(r.out, "doing other work"));
        run_result_free(&r);
    }
    const char *argv[] = {program_path("day9/block_io"), "-p", "0", "-m", "nonblock", "-w",
                          "60", NULL};
    struct server s;
    server_start(&s, argv);
    assert_true(server_wait_output(&s, false, "doing other work", 1, 5));
    assert_server_stops_cleanly(&s);
    if (saved != NULL)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    int left = count_files(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(left, 0);
}

static void test_bad_flags(void **state)
{
    (void)state;
    const char *bad[][3] = {{"-m", "fast", NULL}, {"-w", "0", NULL},  {"-w", "x", NULL},
                            {"-l", "", NULL},     {"-q", NULL, NULL}, {"more", NULL, NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {program_path("day9/block_io"), bad[i][0], bad[i][1], NULL};
        struct run_result r;
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage:"));
        run_result_free(&r);
    }
    const char *argv[] = {program_path("day9/block_io"), "-m", "nonblock", "-l",
                          "/nonexistent/dir/log",        "-p", "0",        NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "open /nonexistent/dir/log: No such file or directory"));
    run_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_block_ends_on_the_alarm, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_nonblock_retries_and_works_meanwhile, setup_log,
                                        teardown_log),
        cmocka_unit_test_setup_teardown(test_timeout_bounds_each_wait, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_each_mode_serves_a_client, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_a_silent_client_is_let_go, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_sigterm_while_blocked, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_no_log_file_left_behind, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_bad_flags, setup_log, teardown_log),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
