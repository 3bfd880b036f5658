/* tests/test_harness.c — the harness's own tests: it captures what a
 * program does, kills a hung one at its timeout and reports that as a
 * failure, starts and stops servers, and leaves no process behind. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
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

#include "common/clock.h"
#include "common/io.h"
#include "common/procfs.h"
#include "tests/harness.h"

static int no_children(void)
{
    return count_children(getpid(), NULL);
}

static void test_run_captures_output_and_exit_code(void **state)
{
    (void)state;
    const char *argv[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_exit_code(&r, 3);
    assert_string_equal(r.out, "out\n");
    assert_string_equal(r.err, "err\n");
    assert_int_equal(r.leftovers, 0);
    run_result_free(&r);
}

static void test_run_feeds_large_stdin_without_deadlock(void **state)
{
    (void)state;
    size_t size = 1 << 20; /* far more than a pipe holds, in both directions */
    char *input = malloc(size);
    for (size_t i = 0; i < size; i++)
        input[i] = (char)(i * 31 + 7);
    const char *argv[] = {"/bin/cat", NULL};
    struct run_result r;
    run_program(&r, argv, input, size, 10);
    assert_exit_code(&r, 0);
    assert_int_equal(r.out_len, size);
    assert_memory_equal(r.out, input, size);
    free(input);
    run_result_free(&r);
}

static void test_run_reports_death_by_signal(void **state)
{
    (void)state;
    const char *argv[] = {"/bin/sh", "-c", "kill -9 $$", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_false(r.timed_out);
    assert_int_equal(r.term_signal, SIGKILL);
    assert_int_equal(r.exit_code, -1);
    run_result_free(&r);
}

static void test_hung_program_is_killed_at_its_timeout(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/hang"), NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 0.5);
    assert_true(r.timed_out);
    assert_true(r.elapsed >= 0.5 && r.elapsed < harness_timeout(0.5) + 2.0);
    assert_string_equal(r.out, "hanging\n"); /* what it wrote before hanging is kept */
    assert_int_equal(r.exit_code, -1);
    assert_int_equal(no_children(), 0); /* killed and reaped */
    run_result_free(&r);
}

static void test_leftover_processes_are_counted_and_killed(void **state)
{
    (void)state;
    const char *argv[] = {"/bin/sh", "-c", "sleep 30 >/dev/null 2>&1 & exit 0", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_exit_code(&r, 0);
    assert_int_equal(r.leftovers, 1);
    assert_true(r.elapsed < harness_timeout(5));
    assert_int_equal(no_children(), 0);
    run_result_free(&r);
}

static void test_program_path_points_into_this_build(void **state)
{
    (void)state;
    const char *path = program_path("tests/helpers/fake_server");
    assert_int_equal(access(path, X_OK), 0);
    assert_non_null(strstr(path, "/tests/helpers/fake_server"));
}

static void test_server_start_talk_stop(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/fake_server"), "-p", "0", NULL};
    struct server s;
    server_start(&s, argv);
    assert_true(s.port > 0);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%d", s.port);
    assert_string_equal(s.addr, want);

    int fds_before = count_open_fds(s.pid);
    assert_true(fds_before > 0);
    int fd = connect_to(s.port);
    assert_int_equal(io_write_all(fd, "hello", 5), 5);
    char buf[5];
    assert_int_equal(io_read_exact(fd, buf, 5), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(count_open_fds(s.pid), fds_before + 1); /* the accepted socket */
    close(fd);

    assert_server_stops_cleanly(&s);
    assert_false(s.killed);
    char *err = server_output(&s, true);
    assert_non_null(strstr(err, "stopping on signal 15"));
    free(err);
}

static void test_stubborn_server_gets_sigkill(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/fake_server"), "-i", "-p", "0", NULL};
    struct server s;
    server_start(&s, argv);
    int status = server_stop(&s, 0.3);
    assert_true(s.killed);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(no_children(), 0);
}

static bool three_zombies(void *pid)
{
    int zombies = 0;
    count_children(*(pid_t *)pid, &zombies);
    return zombies == 3;
}

static void test_children_and_zombies_are_counted(void **state)
{
    (void)state;
    const char *argv[] = {
        program_path("tests/helpers/fake_server"), "-c", "2", "-z", "3", "-p", "0", NULL};
    struct server s;
    server_start(&s, argv);
    /* the three exit at once, but when they are zombies is up to the scheduler */
    assert_true(wait_until(three_zombies, &s.pid, 5));
    int zombies = -1;
    assert_int_equal(count_children(s.pid, &zombies), 5);
    assert_int_equal(zombies, 3);
    assert_server_stops_cleanly(&s); /* it reaps them all on SIGTERM */
}

static void test_leftover_children_of_a_server_are_reported(void **state)
{
    (void)state;
    const char *argv[] = {
        program_path("tests/helpers/fake_server"), "-c", "1", "-l", "-p", "0", NULL};
    struct server s;
    server_start(&s, argv);
    server_stop(&s, 2);
    assert_false(s.killed);
    assert_int_equal(s.leftovers, 1);
    assert_int_equal(no_children(), 0); /* ...and the leftover is gone now */
}

static void test_server_output_and_wait(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/fake_server"), "-p", "0", NULL};
    struct server s;
    server_start(&s, argv);
    assert_false(server_wait_output(&s, true, "stopping", 1, 0.1));
    server_signal(&s, SIGINT);
    assert_true(server_wait_output(&s, true, "stopping on signal 2", 1, 5));
    assert_server_stops_cleanly(&s);
}

static void test_program_start_and_wait(void **state)
{
    (void)state;
    const char *argv[] = {"/bin/sh", "-c", "read line; echo \"got $line\"; exit 4", NULL};
    struct server p;
    program_start(&p, argv);
    assert_int_equal(io_write_all(p.stdin_fd, "abc\n", 4), 4);
    int status = program_wait(&p, 5);
    assert_false(p.killed);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 4);
    char *out = server_output(&p, false);
    assert_string_equal(out, "got abc\n");
    free(out);

    const char *hang[] = {program_path("tests/helpers/hang"), NULL};
    program_start(&p, hang);
    status = program_wait(&p, 0.2); /* it never ends by itself */
    assert_true(p.killed);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(no_children(), 0);
}

static bool dead_or_zombie(void *pid)
{
    char state = procfs_state(*(pid_t *)pid);
    return state == 0 || state == 'Z';
}

static void test_programs_die_with_a_crashed_test(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t test = fork(); /* stands for a test process that crashes */
    assert_true(test >= 0);
    if (test == 0) {
        struct server s;
        const char *argv[] = {program_path("tests/helpers/hang"), NULL};
        program_start(&s, argv);
        if (!server_wait_output(&s, false, "hanging", 1, 5)) /* it runs: prctl is done */
            _exit(1);
        if (write(p[1], &s.pid, sizeof s.pid) != sizeof s.pid)
            _exit(1);
        _exit(0); /* dies without any teardown */
    }
    pid_t program;
    assert_int_equal(io_read_exact(p[0], &program, sizeof program), sizeof program);
    close(p[0]);
    close(p[1]);
    assert_int_equal(waitpid(test, NULL, 0), test);
    /* PR_SET_PDEATHSIG: the program was killed when its test process died
     * (it comes back to us, the subreaper, to be reaped) */
    assert_true(wait_until(dead_or_zombie, &program, 5));
    int status;
    assert_int_equal(waitpid(program, &status, 0), program);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void *sleeper(void *arg)
{
    (void)arg;
    clock_sleep_ms(300);
    return NULL;
}

static void test_threads_and_cpu_time(void **state)
{
    (void)state;
    int alone = count_threads(getpid());
    assert_true(alone >= 1);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sleeper, NULL), 0);
    /* one more at least (TSan may start a thread of its own just now) */
    assert_true(count_threads(getpid()) > alone);
    pthread_join(t, NULL);

    double before = cpu_seconds(getpid());
    assert_true(before >= 0);
    burn_cpu(0.2); /* cpu_seconds must see it */
    assert_true(cpu_seconds(getpid()) - before >= 0.15);
    assert_true(cpu_seconds(999999999) == -1);
    assert_int_equal(count_threads(999999999), -1);
}

static void test_text_helpers(void **state)
{
    (void)state;
    const char *text = "alpha beta\ngamma\n\nbeta beta\nlast";
    assert_int_equal(count_lines_containing(text, "beta"), 2);
    assert_int_equal(count_occurrences(text, "beta"), 3);
    assert_true(has_line(text, "gamma"));
    assert_true(has_line(text, ""));
    assert_true(has_line(text, "last"));
    assert_false(has_line(text, "alpha"));
    assert_false(has_line(text, "gam"));
}

static void test_timeouts_scale(void **state)
{
    (void)state;
    const char *old = getenv("CONCLAB_TIMEOUT_SCALE");
    char saved[16] = "1";
    if (old != NULL)
        snprintf(saved, sizeof saved, "%s", old);
    setenv("CONCLAB_TIMEOUT_SCALE", "3", 1);
    assert_true(harness_timeout(2.0) == 6.0);
    setenv("CONCLAB_TIMEOUT_SCALE", "0.1", 1); /* never shorter than asked */
    assert_true(harness_timeout(2.0) == 2.0);
    setenv("CONCLAB_TIMEOUT_SCALE", saved, 1);
}

/* --- the harness reports failures as failures -------------------------------
 * This binary, run with HARNESS_SELFTEST=mode, runs one test that must fail;
 * the tests below run it and check that it did, and why. */

static void selftest_hang(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/hang"), NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 0.3);
    assert_exit_code(&r, 0);
}

static void selftest_bad_first_line(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/fake_server"), "-w", "-p", "0", NULL};
    struct server s;
    server_start(&s, argv);
}

static void selftest_exits_before_listening(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/fake_server"), "-p", "nope", NULL};
    struct server s;
    server_start(&s, argv);
}

static void selftest_stubborn_server(void **state)
{
    (void)state;
    const char *argv[] = {program_path("tests/helpers/fake_server"), "-i", "-p", "0", NULL};
    struct server s;
    server_start(&s, argv);
    assert_server_stops_cleanly(&s);
}

static int run_selftest(const char *mode)
{
    struct {
        const char *mode;
        CMUnitTestFunction fn;
    } modes[] = {{"hang", selftest_hang},
                 {"badline", selftest_bad_first_line},
                 {"exits", selftest_exits_before_listening},
                 {"stubborn", selftest_stubborn_server}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(mode, modes[i].mode) == 0) {
            const struct CMUnitTest one[] = {
                cmocka_unit_test_teardown(modes[i].fn, harness_teardown)};
            return cmocka_run_group_tests(one, harness_group_setup, harness_teardown);
        }
    fprintf(stderr, "unknown HARNESS_SELFTEST mode %s\n", mode);
    return 2;
}

static void expect_selftest_failure(const char *mode, const char *why)
{
    setenv("HARNESS_SELFTEST", mode, 1);
    const char *argv[] = {program_path("tests/test_harness"), NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 30);
    unsetenv("HARNESS_SELFTEST");
    assert_false(r.timed_out);
    if (r.exit_code == 0 || count_occurrences(r.out, "[  FAILED  ]") == 0 ||
        (strstr(r.out, why) == NULL && strstr(r.err, why) == NULL))
        fail_msg("self-test '%s' should fail with '%s'; exit %d\nstdout:\n%s\nstderr:\n%s", mode,
                 why, r.exit_code, r.out, r.err);
    assert_int_equal(r.leftovers, 0);
    run_result_free(&r);
}

static void test_hung_program_fails_the_test(void **state)
{
    (void)state;
    expect_selftest_failure("hang", "timed out");
}

static void test_wrong_first_line_fails_the_test(void **state)
{
    (void)state;
    expect_selftest_failure("badline", "first line is not 'listening on ADDR:PORT'");
}

static void test_server_dying_at_start_fails_the_test(void **state)
{
    (void)state;
    expect_selftest_failure("exits", "before listening");
}

static void test_stubborn_server_fails_clean_stop(void **state)
{
    (void)state;
    expect_selftest_failure("stubborn", "did not stop on SIGTERM");
}

int main(void)
{
    const char *mode = getenv("HARNESS_SELFTEST");
    if (mode != NULL)
        return run_selftest(mode);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_run_captures_output_and_exit_code, harness_teardown),
        cmocka_unit_test_teardown(test_run_feeds_large_stdin_without_deadlock, harness_teardown),
        cmocka_unit_test_teardown(test_run_reports_death_by_signal, harness_teardown),
        cmocka_unit_test_teardown(test_hung_program_is_killed_at_its_timeout, harness_teardown),
        cmocka_unit_test_teardown(test_leftover_processes_are_counted_and_killed, harness_teardown),
        cmocka_unit_test_teardown(test_program_path_points_into_this_build, harness_teardown),
        cmocka_unit_test_teardown(test_server_start_talk_stop, harness_teardown),
        cmocka_unit_test_teardown(test_stubborn_server_gets_sigkill, harness_teardown),
        cmocka_unit_test_teardown(test_children_and_zombies_are_counted, harness_teardown),
        cmocka_unit_test_teardown(test_leftover_children_of_a_server_are_reported,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_server_output_and_wait, harness_teardown),
        cmocka_unit_test_teardown(test_program_start_and_wait, harness_teardown),
        cmocka_unit_test_teardown(test_programs_die_with_a_crashed_test, harness_teardown),
        cmocka_unit_test_teardown(test_threads_and_cpu_time, harness_teardown),
        cmocka_unit_test_teardown(test_text_helpers, harness_teardown),
        cmocka_unit_test_teardown(test_timeouts_scale, harness_teardown),
        cmocka_unit_test_teardown(test_hung_program_fails_the_test, harness_teardown),
        cmocka_unit_test_teardown(test_wrong_first_line_fails_the_test, harness_teardown),
        cmocka_unit_test_teardown(test_server_dying_at_start_fails_the_test, harness_teardown),
        cmocka_unit_test_teardown(test_stubborn_server_fails_clean_stop, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
