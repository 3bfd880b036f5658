/* tests/test_day6_processes.c — the day6 process lessons, run for real:
 * wait, child (the double fork), sigchld, process1..3.
 *
 * "No zombie" is proven from outside: from /proc while the program runs,
 * and by counting the children it left to this test process (a child
 * subreaper) when it exited. Where processes run in no fixed order, the
 * tests check the set of lines, not their order.
 */
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
#include "tests/process_support.h"

/* Under TSan every process has a second (runtime) thread; a child whose
 * main thread has exited shows as Z until that thread is gone too, even
 * when the kernel reaps it by itself. Only "never a zombie, even for a
 * moment" is skipped there; "no zombie left" is checked everywhere. */
static bool zombies_flicker(void)
{
    return strcmp(harness_sanitizer(), "thread") == 0;
}

/* --- wait --------------------------------------------------------------------- */

static void test_wait_decodes_exit_code_and_signal(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/wait"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    char line[256];

    long first = number_after_in_line(l.out, ": exit(3)", "child ");
    snprintf(line, sizeof line, "parent: wait() returned %ld, the pid fork returned (%ld)", first,
             first);
    expect_line(l.out, line);
    snprintf(line, sizeof line,
             "parent: reaped %ld, raw status 768 (0x0300): WIFEXITED, WEXITSTATUS = 3", first);
    expect_line(l.out, line);

    long killed = number_after(l.out, "parent: sent SIGKILL to ");
    snprintf(line, sizeof line,
             "parent: reaped %ld, raw status %d (0x%04x): WIFSIGNALED, WTERMSIG = %d", killed,
             SIGKILL, SIGKILL, SIGKILL);
    assert_non_null(strstr(l.out, line));

    long worker = number_after_in_line(l.out, "working for", "child ");
    snprintf(line, sizeof line,
             "parent: reaped %ld, raw status 0 (0x0000): WIFEXITED, WEXITSTATUS = 0", worker);
    expect_line(l.out, line);
    /* the parent kept working while polling: its count matches its lines */
    int polls = count_lines_containing(l.out, "child still running; my own work");
    assert_true(polls >= 1);
    assert_int_equal(number_after(l.out, "found the child still running "), polls);
    assert_non_null(strstr(l.out, "ECHILD: no children left"));
    assert_true(first != killed && killed != worker && first != worker);
    lesson_free(&l);
}

/* --- child: the double fork ------------------------------------------------------ */

static void test_double_fork_leaves_no_zombie(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/child"), NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "now my own work, no waiting", 1, 10));

    /* While the parent does bar: from /proc, it has no child and no zombie;
     * the grandchild is not its child but ours (we are a subreaper). */
    int zombies = -1;
    assert_int_equal(count_children(l.proc.pid, &zombies), 0);
    assert_int_equal(zombies, 0);
    char *out = server_output(&l.proc, false);
    pid_t grandchild = (pid_t)number_after(out, "forked grandchild ");
    free(out);
    assert_int_equal(procfs_ppid(grandchild), getpid());

    assert_true(server_wait_output(&l.proc, false, "/proc says my children", 1, 10));
    assert_true(server_wait_output(&l.proc, false, "reaps me", 1, 10));
    assert_true(wait_for_state(grandchild, 'Z', 5)); /* it ended; we, its new parent, reap it */
    lesson_finish(&l, 10);
    assert_true(WIFEXITED(l.status));
    assert_int_equal(WEXITSTATUS(l.status), 0);
    assert_int_equal(l.strays, 1); /* the grandchild, which is ours, not the parent's */
    assert_int_equal(l.stray_zombies, 1);

    /* foo 3 times, bar 5 times, in any interleaving. Each foo step names
     * the grandchild's parent at that moment: the child, if it has not
     * quite exited yet (a slow machine, a sanitizer), else us. */
    assert_int_equal(count_lines_containing(l.out, "模拟事件foo"), 3);
    assert_int_equal(count_lines_containing(l.out, "模拟事件bar"), 5);
    long child = number_after(l.out, "reaped child ");
    const char *mark = "(my parent is now ";
    for (const char *at = strstr(l.out, mark); at != NULL; at = strstr(at + 1, mark)) {
        long parent = number_after(at, mark);
        assert_true(parent == getpid() || parent == child);
    }
    assert_int_equal(count_occurrences(l.out, mark), 3);
    assert_non_null(strstr(l.out, "/proc says my children: 0, zombies: 0"));
    lesson_free(&l);
}

/* `child | head -1`: head leaves after the first line, so the child (or
 * the parent) dies of SIGPIPE at its next line. A lesson about decoding
 * wait statuses must then say "killed by SIGPIPE", never a raw status.
 * Who loses the race varies: run it until the child lost it 3 times (at
 * most 40 runs; if it never does, the check is skipped, saying so). */
static void test_child_into_head_says_killed_by_sigpipe(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/child"), NULL};
    int seen = 0, runs = 0;
    for (; runs < 40 && seen < 3; runs++) {
        int status;
        char *err = run_into_head(argv, &status);
        assert_null(strstr(err, "status 0x"));
        if (strstr(err, "killed by SIGPIPE") != NULL) {
            seen++;
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        } else { /* the parent met the closed pipe itself */
            assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
            assert_string_equal(err, "");
        }
        free(err);
    }
    if (seen == 0) {
        print_message("the child never met the closed pipe in %d runs\n",
                      runs);
        skip();
    }
}

/* --- sigchld ------------------------------------------------------------------------ */

static void test_sigchld_default_run_reaps_all(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/sigchld"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 15);
    assert_lesson_exit(&l, 0);
    assert_non_null(strstr(l.out, "(a) all 5 children ended; zombies seen at any step: "));
    if (!zombies_flicker())
        assert_non_null(strstr(l.out, "zombies seen at any step: 0;"));
    assert_non_null(strstr(l.out, "(b) the handler reaped 5 of 5 children"));
    for (int code = 0; code < 5; code++) {
        char want[64];
        snprintf(want, sizeof want, ": exit status %d\n", code);
        assert_int_equal(count_occurrences(l.out, want), 1);
    }
    assert_int_equal(count_occurrences(l.out, "/proc says my children: 0, zombies: 0"), 2);
    lesson_free(&l);
}

/* Watch the program's children from /proc until it prints "holding";
 * return the most children and the most zombies seen at once. */
static void watch_until_holding(struct lesson *l, int *most_children, int *most_zombies)
{
    *most_children = *most_zombies = 0;
    double deadline = clock_now() + harness_timeout(15);
    for (;;) {
        int zombies = 0, children = count_children(l->proc.pid, &zombies);
        if (children > *most_children)
            *most_children = children;
        if (zombies > *most_zombies)
            *most_zombies = zombies;
        char *out = server_output(&l->proc, false);
        bool holding = strstr(out, "holding") != NULL;
        free(out);
        if (holding)
            return;
        if (clock_now() > deadline)
            fail_msg("sigchld never reached 'holding'");
        clock_sleep_ms(1);
    }
}

static void test_sigchld_ignored_means_no_zombie_ever(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/sigchld"), "-m", "ignore", "-n", "20", "-k", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    int most_children, most_zombies;
    watch_until_holding(&l, &most_children, &most_zombies);
    assert_true(most_children > 0); /* we did see the children alive */
    if (!zombies_flicker())
        assert_int_equal(most_zombies, 0);
    int zombies = -1;
    assert_int_equal(count_children(l.proc.pid, &zombies), 0); /* nobody called wait */
    assert_int_equal(zombies, 0);
    assert_int_equal(io_write_all(l.proc.stdin_fd, "\n", 1), 1);
    lesson_finish(&l, 10);
    assert_lesson_exit(&l, 0);
    assert_null(strstr(l.out, "(b)"));
    lesson_free(&l);
}

static void test_sigchld_handler_reaps_many_at_once(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/sigchld"), "-m", "handler", "-n", "60", "-k", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    int most_children, most_zombies;
    watch_until_holding(&l, &most_children, &most_zombies);
    assert_true(most_children > 0);
    int zombies = -1;
    assert_int_equal(count_children(l.proc.pid, &zombies), 0);
    assert_int_equal(zombies, 0);
    assert_int_equal(io_write_all(l.proc.stdin_fd, "\n", 1), 1);
    lesson_finish(&l, 10);
    assert_lesson_exit(&l, 0);
    assert_non_null(strstr(l.out, "(b) the handler reaped 60 of 60 children in "));
    long calls = number_after(l.out, "children in ");
    assert_true(calls >= 1 && calls <= 60);
    assert_null(strstr(l.out, "(a)"));
    lesson_free(&l);
}

static void test_sigchld_bad_arguments(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", program_path("day6/sigchld"));
    const char *bad_way[] = {path, "-m", "sometimes", NULL};
    expect_exit_code(bad_way, 2);
    const char *zero[] = {path, "-n", "0", NULL};
    expect_exit_code(zero, 2);
    const char *too_many[] = {path, "-n", "101", NULL};
    expect_exit_code(too_many, 2);
    const char *junk[] = {path, "-n", "5x", NULL};
    expect_exit_code(junk, 2);
    const char *one[] = {path, "-n", "1", NULL};
    expect_exit_code(one, 0);
}

/* --- process1, process2, process3 ---------------------------------------------------- */

static void test_process1_join_and_untouched_variable(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/process1"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    long parent = l.proc.pid;
    long child = number_after(l.out, "started child ");
    char line[256];
    snprintf(line, sizeof line, "child %ld: started, parent %ld", child, parent);
    expect_line(l.out, line);
    snprintf(line, sizeof line, "child %ld: a = 1", child);
    expect_line(l.out, line);
    snprintf(line, sizeof line, "child %ld: set a = 10000", child);
    expect_line(l.out, line);
    const char *set = strstr(l.out, line);
    snprintf(line, sizeof line, "parent %ld: joined child %ld, exit code 0", parent, child);
    expect_line(l.out, line);
    assert_true(strstr(l.out, line) > set); /* join returned after the child's work */
    snprintf(line, sizeof line, "parent %ld: a = 1 (the child changed only its own copy)", parent);
    expect_line(l.out, line);
    assert_null(strstr(l.out, "standard input")); /* no -i: stdin untouched */
    lesson_free(&l);
}

static void test_process1_child_can_read_stdin(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/process1"), "-i", NULL};
    struct lesson l;
    lesson_run(&l, argv, "hello from the test\nsecond line\n", 10);
    assert_lesson_exit(&l, 0);
    assert_non_null(strstr(l.out, ": read from standard input: \"hello from the test\"\n"));
    lesson_free(&l);

    lesson_run(&l, argv, NULL, 10); /* no input at all */
    assert_lesson_exit(&l, 0);
    assert_non_null(strstr(l.out, "standard input is at its end"));
    lesson_free(&l);
}

/* Lines "[pid N] I'm NAME": how many, and from which pid. */
static int count_worker(const char *out, const char *name, long *pid)
{
    char tail[256];
    snprintf(tail, sizeof tail, "] I'm %s\n", name);
    int count = count_occurrences(out, tail);
    const char *at = strstr(out, tail);
    *pid = 0;
    if (at != NULL) {
        while (at > out && at[-1] != '\n')
            at--;
        sscanf(at, "[pid %ld]", pid);
    }
    return count;
}

static void test_process2_default_and_keyword_arguments(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/process2"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    long worker_pid, tedu_pid;
    assert_int_equal(count_worker(l.out, "worker", &worker_pid), 3); /* the default name */
    assert_int_equal(count_worker(l.out, "Tedu", &tedu_pid), 3);     /* the keyword */
    assert_int_equal(count_occurrences(l.out, "I'm working (100 ms"), 6);
    assert_true(worker_pid > 0 && tedu_pid > 0 && worker_pid != tedu_pid);
    char line[256];
    snprintf(line, sizeof line,
             "parent %ld: joined p1 (pid %ld, exit code 0) and p2 (pid %ld, exit code 0)",
             (long)l.proc.pid, worker_pid, tedu_pid);
    expect_line(l.out, line);
    lesson_free(&l);
}

static void test_process2_name_is_data_not_format(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/process2"), "-n", "Alice %s%n%d", NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    long pid;
    assert_int_equal(count_worker(l.out, "Alice %s%n%d", &pid), 3);
    assert_int_equal(count_worker(l.out, "worker", &pid), 3);
    lesson_free(&l);
}

static const char *const chores[] = {"吃饭 eat", "睡觉 sleep", "打豆豆 beat beans"};

static void check_process3(const char *out, long parent, const int codes[3])
{
    const char *previous_join = out;
    for (int i = 0; i < 3; i++) {
        char needle[128];
        /* each child: "PPID -- PID  chore: starting", PPID the parent */
        snprintf(needle, sizeof needle, "  %s: starting", chores[i]);
        long ppid = number_after_in_line(out, needle, "");
        assert_int_equal(ppid, parent);
        long pid = number_after_in_line(out, needle, " -- ");
        /* joined in start order, with that child's pid and exit code */
        char join[256];
        snprintf(join, sizeof join, "parent: joined %s (pid %ld) at ", chores[i], pid);
        const char *at = strstr(out, join);
        if (at == NULL)
            fail_msg("no '%s' in:\n%s", join, out);
        assert_true(at > previous_join);
        previous_join = at;
        assert_int_equal(number_after_in_line(out, join, ": exit code "), codes[i]);
    }
}

static void test_process3_joins_all_with_statuses(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/process3"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    const int codes[3] = {0, 0, 0};
    check_process3(l.out, l.proc.pid, codes);
    assert_int_equal(count_lines_containing(l.out, ": done"), 3);
    assert_non_null(strstr(l.out, "all 3 children joined, 0 failed; /proc: 0 children left"));
    lesson_free(&l);
}

static void test_process3_failing_child_reported(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day6/process3"), "-f", NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    const int codes[3] = {0, 0, 1};
    check_process3(l.out, l.proc.pid, codes);
    assert_int_equal(count_lines_containing(l.out, "打豆豆 beat beans: failed"), 1);
    assert_non_null(strstr(l.out, "all 3 children joined, 1 failed"));
    lesson_free(&l);
}

/* --- every program -------------------------------------------------------------- */

/* -h, a bad option, an extra argument; and a fork that fails is reported
 * (exit 1, the reason on stderr), never ignored. */
static void test_every_program_keeps_the_contract(void **state)
{
    (void)state;
    static const char *const programs[] = {"day6/wait",     "day6/child",    "day6/sigchld",
                                           "day6/process1", "day6/process2", "day6/process3"};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        expect_usage_contract(programs[i]);
        expect_fork_failure_reported(programs[i], NULL);
    }
    expect_fork_failure_reported("day6/sigchld", "-mhandler");
}

/* A lesson piped into head (`PROGRAM | head -1`): head leaves after one
 * line, so the next write raises SIGPIPE in whichever process makes it.
 * Each run ends cleanly, dies of SIGPIPE, or names the child "killed by
 * SIGPIPE"; never a raw status, never a child left behind. */
static void test_every_program_into_head(void **state)
{
    (void)state;
    static const char *const programs[] = {
        "day6/wait", "day6/child", "day6/sigchld", "day6/process1",
        "day6/process2", "day6/process3"};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        expect_into_head_ok(programs[i], NULL, 3);
}

#define T(fn) cmocka_unit_test_teardown(fn, harness_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_wait_decodes_exit_code_and_signal),
        T(test_double_fork_leaves_no_zombie),
        T(test_child_into_head_says_killed_by_sigpipe),
        T(test_sigchld_default_run_reaps_all),
        T(test_sigchld_ignored_means_no_zombie_ever),
        T(test_sigchld_handler_reaps_many_at_once),
        T(test_sigchld_bad_arguments),
        T(test_process1_join_and_untouched_variable),
        T(test_process1_child_can_read_stdin),
        T(test_process2_default_and_keyword_arguments),
        T(test_process2_name_is_data_not_format),
        T(test_process3_joins_all_with_statuses),
        T(test_process3_failing_child_reported),
        T(test_every_program_keeps_the_contract),
        T(test_every_program_into_head),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
