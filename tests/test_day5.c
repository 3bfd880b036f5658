/* tests/test_day5.c — the day5 process lessons, run for real: fork, fork1,
 * get_pid, exit, states, orphan, zombie.
 *
 * What a program claims is checked against what the kernel says: pids
 * against the pid the harness started, states and parents against /proc,
 * and "nothing left behind" by counting the children the program left to
 * this test process (a subreaper) when it exited — zombies included.
 * Where parent and child run in no fixed order, the tests check the set of
 * lines, never their order.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/io.h"
#include "common/procfs.h"
#include "tests/harness.h"
#include "tests/process_support.h"

static int count_lines(const char *text)
{
    return count_occurrences(text, "\n");
}

/* TSan's _exit flushes stdio, so "text lost by _exit" cannot be seen
 * under make tsan; only those assertions are skipped there. */
static bool exit_flushes_stdio(void)
{
    return strcmp(harness_sanitizer(), "thread") == 0;
}

/* --- fork ------------------------------------------------------------------- */

static void test_fork_parent_and_child_each_speak(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/fork"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);

    long parent = number_after(l.out, "before fork: one process, pid ");
    long child = number_after(l.out, "parent: fork returned ");
    assert_int_equal(parent, l.proc.pid); /* the process the harness started */
    assert_int_equal(number_after(l.out, "I am the old process (pid "), parent);
    assert_int_equal(number_after(l.out, "so I am the new process (pid "), child);
    assert_true(child != parent && child > 0);
    assert_int_equal(count_lines_containing(l.out, "parent: fork returned"), 1);
    assert_int_equal(count_lines_containing(l.out, "child:  fork returned 0"), 1);

    /* the line after the if, once from each process, in either order */
    char line[256];
    snprintf(line, sizeof line, "parent: after the if, pid %ld — fork test over", parent);
    expect_line(l.out, line);
    snprintf(line, sizeof line, "child : after the if, pid %ld — fork test over", child);
    expect_line(l.out, line);
    assert_int_equal(count_lines_containing(l.out, "after the if"), 2);
    assert_int_equal(count_lines(l.out), 6);
    assert_non_null(strstr(l.out, "not fixed")); /* it says the order is not fixed */
    lesson_free(&l);
}

/* --- fork1 ------------------------------------------------------------------ */

static void test_fork1_child_changes_only_its_copy(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/fork1"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    expect_line(l.out, "before fork: a = 1");
    expect_line(l.out, "child:  set a = 10000, now a = 10000");
    expect_line(l.out, "child:  All a = 10000");
    expect_line(l.out, "parent: All a = 1");
    assert_int_equal(count_occurrences(l.out, "before fork"), 1);

    /* same address in both processes, different values */
    const char *child_at = strstr(l.out, "child:  a = 1 at ");
    const char *parent_at = strstr(l.out, "my a = 1 at ");
    assert_non_null(child_at);
    assert_non_null(parent_at);
    char child_addr[32] = "", parent_addr[32] = "";
    sscanf(child_at, "child:  a = 1 at %31s", child_addr);
    sscanf(parent_at, "my a = 1 at %31s", parent_addr);
    assert_true(strlen(child_addr) > 2);
    assert_string_equal(child_addr, parent_addr);
    /* the parent waited: its a = 1 comes after the child set 10000 */
    assert_true(parent_at > strstr(l.out, "set a = 10000"));
    lesson_free(&l);
}

static void test_fork1_pitfall_prints_twice_and_fix_once(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/fork1"), "-p", NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    /* stdout is a pipe here (fully buffered): the marker is still copied
     * by fork, and both processes flush it with exit(). Every part of a
     * line names the process that printed it: the marker, the parent
     * (this test's child); each end, the child or the parent. */
    assert_int_equal(count_occurrences(l.out, " wrote this once, before fork]"),
                     2);
    assert_int_equal(count_occurrences(l.out, " flushed this before fork]"), 1);
    assert_int_equal(count_occurrences(l.out, "] <- child "), 2);
    assert_int_equal(count_occurrences(l.out, "<- parent "), 2);
    const char *marker = "[parent ";
    int markers = 0;
    for (const char *at = strstr(l.out, marker); at != NULL;
         at = strstr(at + 1, marker), markers++)
        assert_int_equal(number_after(at, marker), l.proc.pid);
    assert_int_equal(markers, 3);
    for (const char *at = strstr(l.out, "<- child "); at != NULL;
         at = strstr(at + 1, "<- child "))
        assert_int_not_equal(number_after(at, "<- child "), l.proc.pid);
    assert_int_equal(number_after(l.out, "<- parent "), l.proc.pid);
    lesson_free(&l);
}

/* --- get_pid ---------------------------------------------------------------- */

static void test_get_pid_family_agrees_with_the_kernel(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/get_pid"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);

    long parent = number_after(l.out, "parent: getpid() = ");
    long grandparent = number_after(l.out, "getppid() = "); /* the parent's line comes first */
    long forked = number_after(l.out, "parent: fork returned ");
    long child = number_after(l.out, "child:  getpid() = ");
    long childs_parent = number_after_in_line(l.out, "child:  getpid() = ", "getppid() = ");
    assert_int_equal(parent, l.proc.pid);
    assert_int_equal(grandparent, getpid()); /* this test started it */
    assert_int_equal(forked, child);
    assert_int_equal(childs_parent, parent);
    assert_true(child != parent);
    assert_int_equal(count_lines_containing(l.out, "check:"), 2);
    assert_null(strstr(l.out, "MISMATCH"));
    lesson_free(&l);
}

/* --- exit -------------------------------------------------------------------- */

static void test_exit_vs__exit(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/exit"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);

    /* A: exit(3) flushed its text and ran the inherited atexit handler */
    long a = number_after(l.out, "child A (pid ");
    char line[128];
    snprintf(line, sizeof line, "[atexit handler ran in pid %ld]", a);
    assert_int_equal(count_occurrences(l.out, line), 1);
    assert_int_equal(count_occurrences(l.out, "child A (pid"), 1);
    expect_line(l.out, "parent: child A called exit(3) -> exit status 3");
    /* B: _exit(4) lost its text, ran no handler; the status still arrived */
    /* (not a whole line under TSan, where B's lost text is printed after all) */
    assert_non_null(strstr(l.out, "parent: child B called _exit(4) -> exit status 4\n"));
    if (!exit_flushes_stdio())
        assert_int_equal(count_occurrences(l.out, "child B (pid"), 0);
    /* C: sys.exit("message"): message on stderr, status 1 */
    expect_line(l.out, "parent: child C called sys.exit(\"message\") -> exit status 1");
    assert_non_null(strstr(l.err, "sys.exit(\"message\")"));
    /* handlers: A, C and the parent itself at the end; never B */
    snprintf(line, sizeof line, "[atexit handler ran in pid %ld]", (long)l.proc.pid);
    expect_line(l.out, line);
    assert_int_equal(count_occurrences(l.out, "[atexit handler ran in pid"), 3);
    lesson_free(&l);
}

static void test_exit_status_reaches_the_shell(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", program_path("day5/exit"));
    const char *seven[] = {path, "-s", "7", NULL};
    expect_exit_code(seven, 7);
    const char *max[] = {path, "-s", "255", NULL};
    expect_exit_code(max, 255);
    const char *too_big[] = {path, "-s", "256", NULL};
    expect_exit_code(too_big, 2);
    const char *negative[] = {path, "-s", "-1", NULL};
    expect_exit_code(negative, 2);
    const char *junk[] = {path, "-s", "7x", NULL};
    expect_exit_code(junk, 2);
    const char *both[] = {path, "-s", "7", "-m", "bye", NULL}; /* -s | -m: one or the other */
    expect_exit_code(both, 2);
}

static void test_exit_message_like_sys_exit(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/exit"), "-m", "退出进程 bye %s%n", NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 1);
    expect_line(l.err, "退出进程 bye %s%n");         /* printed as is, never as a format */
    assert_null(strstr(l.out, "parent: now exit(")); /* the line after it never ran */
    lesson_free(&l);
}

/* --- states ------------------------------------------------------------------ */

struct row {
    long pid, ppid;
    char stat;
};

/* The table row whose "what it is doing" column contains doing. */
static struct row table_row(const char *out, const char *doing)
{
    const char *at = strstr(out, doing);
    if (at == NULL)
        fail_msg("no row '%s' in:\n%s", doing, out);
    while (at > out && at[-1] != '\n')
        at--;
    struct row r = {0, 0, '?'};
    if (sscanf(at, "%ld %ld %c", &r.pid, &r.ppid, &r.stat) != 3)
        fail_msg("bad row for '%s' in:\n%s", doing, out);
    return r;
}

static const char *const state_rows[] = {"busy loop", "nanosleep", "stopped by SIGSTOP",
                                         "exited, not reaped"};
static const char state_letters[] = "RSTZ";

static void test_states_shows_R_S_T_Z_and_cleans_up(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/states"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 15);
    assert_lesson_exit(&l, 0); /* no stray: every child was reaped, zombie too */
    for (int i = 0; i < 4; i++) {
        struct row r = table_row(l.out, state_rows[i]);
        assert_int_equal(r.stat, state_letters[i]);
        assert_int_equal(r.ppid, l.proc.pid);
        assert_true(r.pid != l.proc.pid);
    }
    expect_line(l.out, "killed and reaped every child; children left after cleanup: 0");
    assert_non_null(strstr(l.out, "three-state model"));
    assert_non_null(strstr(l.out, "five-state model"));
    lesson_free(&l);
}

static void test_states_children_really_are_in_those_states(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/states"), "-k", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "press Enter", 1, 15));
    char *out = server_output(&l.proc, false);
    struct row rows[4];
    for (int i = 0; i < 4; i++)
        rows[i] = table_row(out, state_rows[i]);
    free(out);

    /* From /proc, not from the program: they are its children, in those states. */
    int zombies = -1;
    assert_int_equal(count_children(l.proc.pid, &zombies), 4);
    assert_int_equal(zombies, 1);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(procfs_ppid((pid_t)rows[i].pid), l.proc.pid);
        assert_true(wait_for_state((pid_t)rows[i].pid, state_letters[i], 5));
    }

    /* Interrupted while holding: it must still clean up every child. */
    server_signal(&l.proc, SIGINT);
    lesson_finish(&l, 10);
    assert_lesson_exit(&l, 0);
    assert_non_null(strstr(l.out, "interrupted by signal 2"));
    assert_non_null(strstr(l.out, "children left after cleanup: 0"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(procfs_state((pid_t)rows[i].pid), 0); /* reaped, gone */
    lesson_free(&l);
}

static void test_states_hold_ends_on_enter(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/states"), "-k", NULL};
    struct lesson l;
    lesson_run(&l, argv, "\n", 15);
    assert_lesson_exit(&l, 0);
    assert_null(strstr(l.out, "interrupted"));
    assert_non_null(strstr(l.out, "children left after cleanup: 0"));
    lesson_free(&l);
}

static void test_states_sigterm_while_sampling(void **state)
{
    (void)state;
    /* SIGTERM as soon as it runs: whatever it had started is cleaned up. */
    const char *argv[] = {program_path("day5/states"), NULL};
    struct lesson l;
    lesson_start(&l, argv);
    server_signal(&l.proc, SIGTERM);
    lesson_finish(&l, 15);
    /* SIGTERM may land before the handler is installed (default: killed)
     * or after (exit 0); never may a child stay behind. */
    if (WIFSIGNALED(l.status))
        assert_int_equal(WTERMSIG(l.status), SIGTERM);
    else
        assert_lesson_exit(&l, 0);
    assert_int_equal(l.strays, 0);
    assert_int_equal(l.proc.leftovers, 0);
    lesson_free(&l);
}

/* --- orphan ------------------------------------------------------------------- */

static void test_orphan_is_adopted_by_the_subreaper(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/orphan"), NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "child:  exiting now", 1, 10));
    char *out = server_output(&l.proc, false);
    long parent = number_after(out, "parent: pid ");
    long child = number_after(out, "child:  pid ");
    long before = number_after(out, "before: getppid() = ");
    long after = number_after(out, "after:  getppid() = ");
    assert_int_equal(parent, l.proc.pid);
    assert_int_equal(before, parent);
    assert_true(after != parent);
    /* This test process is a child subreaper: the orphan must be ours now,
     * and /proc agrees (alive or a zombie we have not reaped, it is ours). */
    assert_int_equal(after, getpid());
    assert_int_equal(procfs_ppid((pid_t)child), getpid());
    assert_non_null(strstr(out, "subreaper"));
    assert_null(strstr(out, "adopted by pid 1 "));
    free(out);

    lesson_finish(&l, 10);
    assert_int_equal(WEXITSTATUS(l.status), 0);
    assert_true(WIFEXITED(l.status));
    /* its one stray is the orphan itself, which it was meant to leave */
    assert_int_equal(l.strays, 1);
    lesson_free(&l);
}

/* Is pid 1, or an ancestor of this test process? Those are the only
 * processes an orphan of ours can be given to. */
static bool init_or_ancestor(long pid)
{
    if (pid == 1)
        return true;
    for (pid_t p = getppid(); p > 1; p = procfs_ppid(p))
        if (p == pid)
            return true;
    return false;
}

static void test_orphan_without_subreaper_goes_up(void **state)
{
    (void)state;
    /* Stop being a subreaper for this one run: the orphan goes to init, or
     * to a subreaper above us (systemd --user on a desktop, say). */
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
    const char *argv[] = {program_path("day5/orphan"), NULL};
    struct lesson l;
    lesson_start(&l, argv);
    bool done = server_wait_output(&l.proc, false, "child:  exiting now", 1, 10);
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    assert_true(done);
    char *out = server_output(&l.proc, false);
    long after = number_after(out, "after:  getppid() = ");
    assert_true(after != l.proc.pid);
    assert_true(after != getpid());
    assert_true(init_or_ancestor(after));
    /* it names the right case */
    if (after == 1)
        assert_non_null(strstr(out, "adopted by pid 1 ("));
    else
        assert_non_null(strstr(out, "subreaper"));
    free(out);
    lesson_finish(&l, 10);
    assert_true(WIFEXITED(l.status) && WEXITSTATUS(l.status) == 0);
    lesson_free(&l);
}

/* --- zombie ------------------------------------------------------------------- */

static void test_zombie_shows_Z_then_gone(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/zombie"), NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, 0);
    long child = number_after(l.out, "parent: child ");
    char line[256];
    snprintf(line, sizeof line, "parent: /proc/%ld/stat: state Z, parent %ld, name zombie", child,
             (long)l.proc.pid);
    expect_line(l.out, line);
    assert_non_null(strstr(l.out, "collected exit status 7"));
    snprintf(line, sizeof line, "parent: /proc/%ld is gone: no trace of child %ld is left", child,
             child);
    expect_line(l.out, line);
    lesson_free(&l);
}

static void test_zombie_seen_from_outside(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/zombie"), "-k", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "press Enter", 1, 10));
    char *out = server_output(&l.proc, false);
    pid_t child = (pid_t)number_after(out, "parent: child ");
    free(out);

    int zombies = -1;
    assert_int_equal(count_children(l.proc.pid, &zombies), 1);
    assert_int_equal(zombies, 1);
    assert_int_equal(procfs_state(child), 'Z');
    assert_int_equal(procfs_ppid(child), l.proc.pid);

    assert_int_equal(io_write_all(l.proc.stdin_fd, "\n", 1), 1); /* reap it now */
    assert_true(server_wait_output(&l.proc, false, "is gone", 1, 10));
    assert_int_equal(procfs_state(child), 0);
    lesson_finish(&l, 10);
    assert_lesson_exit(&l, 0);
    lesson_free(&l);
}

static void test_zombie_ctrl_c_while_holding_still_reaps(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day5/zombie"), "-k", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "press Enter", 1, 10));
    server_signal(&l.proc, SIGINT);
    lesson_finish(&l, 10);
    assert_lesson_exit(&l, 0);
    assert_non_null(strstr(l.out, "is gone"));
    lesson_free(&l);
}

/* --- every program -------------------------------------------------------------- */

/* -h, a bad option, an extra argument; and a fork that fails is reported
 * (exit 1, the reason on stderr), never ignored. */
static void test_every_program_keeps_the_contract(void **state)
{
    (void)state;
    static const char *const programs[] = {"day5/fork",  "day5/fork1",  "day5/get_pid",
                                           "day5/exit",  "day5/states", "day5/orphan",
                                           "day5/zombie"};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        expect_usage_contract(programs[i]);
        expect_fork_failure_reported(programs[i], NULL);
    }
    expect_fork_failure_reported("day5/fork1", "-p");
    expect_fork_failure_reported("day5/states", "-k");
}

/* A lesson piped into head (`PROGRAM | head -1`): head leaves after one
 * line, so the next write raises SIGPIPE in whichever process makes it.
 * Each run ends cleanly, dies of SIGPIPE, or names the child "killed by
 * SIGPIPE"; never a raw status, never a child left behind. */
static void test_every_program_into_head(void **state)
{
    (void)state;
    static const char *const programs[] = {
        "day5/fork", "day5/fork1", "day5/get_pid", "day5/exit",
        "day5/states", "day5/orphan", "day5/zombie"};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        expect_into_head_ok(programs[i], NULL, 3);
    expect_into_head_ok("day5/fork1", "-p", 3);
}

#define T(fn) cmocka_unit_test_teardown(fn, harness_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_fork_parent_and_child_each_speak),
        T(test_fork1_child_changes_only_its_copy),
        T(test_fork1_pitfall_prints_twice_and_fix_once),
        T(test_get_pid_family_agrees_with_the_kernel),
        T(test_exit_vs__exit),
        T(test_exit_status_reaches_the_shell),
        T(test_exit_message_like_sys_exit),
        T(test_states_shows_R_S_T_Z_and_cleans_up),
        T(test_states_children_really_are_in_those_states),
        T(test_states_hold_ends_on_enter),
        T(test_states_sigterm_while_sampling),
        T(test_orphan_is_adopted_by_the_subreaper),
        T(test_orphan_without_subreaper_goes_up),
        T(test_zombie_shows_Z_then_gone),
        T(test_zombie_seen_from_outside),
        T(test_zombie_ctrl_c_while_holding_still_reaps),
        T(test_every_program_keeps_the_contract),
        T(test_every_program_into_head),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
