/* tests/test_threads.c — days 7-8, threads and synchronisation: thread1,
 * thread2, thread_attr, my_thread, thread_event, thread_lock, dead_lock,
 * gil and proc_vs_thread, run for real and checked on what they print.
 *
 * Thread output order is not fixed, so the tests look for lines, not for
 * their order, except where one thread's own lines must keep theirs.
 *
 * Two modes break things ON PURPOSE: thread_lock --no-lock (a data race)
 * and dead_lock --deadlock (a lock-order inversion, then a deadlock).
 * ThreadSanitizer reports both, as it should, so those two tests are
 * skipped when harness_sanitizer() is "thread" (make tsan); every default
 * mode runs, and must be clean, under make tsan too.
 */
#define _GNU_SOURCE /* sched_setaffinity and CPU_SET: run gil on one core */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/harness.h"

enum { MAX_ARGS = 16 };
static const double RUN_TIMEOUT = 15; /* seconds, scaled; a default run takes < 3 */

/* --- helpers ---------------------------------------------------------------- */

static double distance(double x)
{
    return x < 0 ? -x : x;
}

/* Run build/PROG with the NULL-terminated arguments that follow. */
static void run_lesson(struct run_result *r, const char *prog, ...)
{
    const char *argv[MAX_ARGS + 2];
    char path[4096];
    snprintf(path, sizeof path, "%s", program_path(prog));
    argv[0] = path;
    int n = 1;
    va_list ap;
    va_start(ap, prog);
    const char *arg;
    while ((arg = va_arg(ap, const char *)) != NULL && n <= MAX_ARGS)
        argv[n++] = arg;
    va_end(ap);
    argv[n] = NULL;
    run_program_text(r, argv, NULL, RUN_TIMEOUT);
}

/* The first line of text containing needle (a pointer into text), or NULL. */
static const char *line_with(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    if (hit == NULL)
        return NULL;
    while (hit > text && hit[-1] != '\n')
        hit--;
    return hit;
}

/* The number right after needle in text; fails the test if there is none. */
static double number_after(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    if (hit == NULL)
        fail_msg("no \"%s\" in:\n%s", needle, text);
    char *end;
    double v = strtod(hit + strlen(needle), &end);
    if (end == hit + strlen(needle))
        fail_msg("no number after \"%s\" in:\n%s", needle, text);
    return v;
}

/* Position of needle in text (fails if missing): to compare orders. */
static long position(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    if (hit == NULL)
        fail_msg("no \"%s\" in:\n%s", needle, text);
    return hit - text;
}

/* A bad argument: exit 2, usage on stderr, nothing on stdout. */
static void assert_usage_error(const char *prog, const char *a1, const char *a2)
{
    struct run_result r;
    run_lesson(&r, prog, a1, a2, NULL);
    assert_exit_code(&r, 2);
    assert_non_null(strstr(r.err, "usage:"));
    assert_string_equal(r.out, "");
    run_result_free(&r);
}

/* -h: usage on stdout, exit 0. */
static void assert_help(const char *prog)
{
    struct run_result r;
    run_lesson(&r, prog, "-h", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage:"));
    run_result_free(&r);
}

static void test_every_program_has_help_and_rejects_unknown_options(void **state)
{
    (void)state;
    const char *progs[] = {"day7/thread1",   "day7/thread2",      "day8/thread_attr",
                           "day8/my_thread", "day8/thread_event", "day8/thread_lock",
                           "day8/dead_lock", "day8/gil",          "day8/proc_vs_thread",
                           "day8/with_lock"};
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        assert_help(progs[i]);
        assert_usage_error(progs[i], "-Z", NULL);
        assert_usage_error(progs[i], "stray-argument", NULL);
    }
}

/* --- day7/thread1 ------------------------------------------------------------- */

static void test_thread1_shares_memory_and_pid(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day7/thread1", NULL);
    assert_exit_code(&r, 0);
    assert_int_equal(count_lines_containing(r.out, "playing music"), 3);
    assert_int_equal(count_lines_containing(r.out, "watching a video"), 4);
    assert_non_null(strstr(r.out, "thread: pid "));
    assert_non_null(line_with(r.out, "sees a = 1, sets a = 10000"));
    assert_non_null(
        line_with(r.out, "main: joined the thread: a = 10000 (the thread's change is visible"));

    /* Every line has the same pid; main and the thread have two tids. */
    int first_pid = -1, main_tid = -1, thread_tid = -1;
    char *copy = strdup(r.out), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char who[16];
        int pid, tid;
        if (sscanf(line, "%15[a-z]: pid %d tid %d", who, &pid, &tid) != 3)
            continue;
        if (first_pid < 0)
            first_pid = pid;
        assert_int_equal(pid, first_pid);
        int *slot = strcmp(who, "main") == 0 ? &main_tid : &thread_tid;
        if (*slot < 0)
            *slot = tid;
        assert_int_equal(tid, *slot); /* one tid per flow */
    }
    free(copy);
    assert_true(first_pid > 0 && main_tid > 0 && thread_tid > 0);
    assert_int_equal(main_tid, first_pid); /* the main thread's tid is the pid */
    assert_int_not_equal(thread_tid, main_tid);
    run_result_free(&r);
}

/* thread1 takes no option but -h: its -n (how many lines) went, unused. */
static void test_thread1_takes_no_options(void **state)
{
    (void)state;
    assert_usage_error("day7/thread1", "-n", "5");
}

/* --- day7/thread2 ------------------------------------------------------------- */

static void check_thread2_results(const char *out, int threads, int work_ms)
{
    for (int i = 0; i < threads; i++) {
        char want[128];
        long n = (long)(i + 1) * 1000;
        snprintf(want, sizeof want, "Tedu%d: 线程函数参数 arguments: work_ms=%d name=Tedu%d n=%ld",
                 i, work_ms, i, n);
        assert_true(has_line(out, want));
        snprintf(want, sizeof want, "main: joined Tedu%d: result %ld", i, n * (n + 1) / 2);
        assert_true(has_line(out, want));
    }
    char name[32];
    snprintf(name, sizeof name, "Tedu%d:", threads); /* no extra thread */
    assert_null(strstr(out, name));
}

static void test_thread2_each_thread_its_arguments_and_result(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day7/thread2", NULL);
    assert_exit_code(&r, 0);
    check_thread2_results(r.out, 5, 200);
    assert_int_equal(count_lines_containing(r.out, "执行完毕 finished"), 5);
    run_result_free(&r);

    run_lesson(&r, "day7/thread2", "-t", "32", "-s", "0", NULL);
    assert_exit_code(&r, 0);
    check_thread2_results(r.out, 32, 0);
    run_result_free(&r);
}

static void test_thread2_threads_work_at_the_same_time(void **state)
{
    (void)state;
    /* 10 threads x 300 ms: one after the other that is 3 s; at the same
     * time, about 0.3 s. Half of 3 s leaves a wide margin for a busy box. */
    struct run_result r;
    run_lesson(&r, "day7/thread2", "-t", "10", "-s", "300", NULL);
    assert_exit_code(&r, 0);
    double took = number_after(r.out, "threads joined after ");
    assert_true(took >= 0.29);
    assert_true(took < 1.5);
    run_result_free(&r);
    assert_usage_error("day7/thread2", "-t", "0");
    assert_usage_error("day7/thread2", "-t", "33");
    assert_usage_error("day7/thread2", "-s", "2001");
    assert_usage_error("day7/thread2", "-s", "-1");
}

/* --- day8/thread_attr ----------------------------------------------------------- */

static void test_thread_attr_name_is_in_proc_and_alive_changes(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/thread_attr", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(line_with(r.out, "getName: Tedu"));
    /* The name main set is what the kernel shows in /proc for the worker's tid. */
    int tid = (int)number_after(r.out, "worker: tid ");
    assert_true(tid > 0);
    char want[64];
    snprintf(want, sizeof want, "  tid %d: Tedu", tid);
    assert_true(has_line(r.out, want));
    assert_true(has_line(r.out, "main: worker alive: yes"));
    assert_true(has_line(r.out, "main: joined the worker; alive: no"));
    assert_true(position(r.out, "alive: yes") < position(r.out, "alive: no"));
    run_result_free(&r);
}

static void test_thread_attr_daemon_or_not(void **state)
{
    (void)state;
    const char *helper_line = "helper: 线程属性测试";
    struct run_result r;
    /* daemon=False: pthread_exit in main, the process waits for the helper. */
    run_lesson(&r, "day8/thread_attr", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "daemon=False"));
    assert_int_equal(count_lines_containing(r.out, helper_line), 1);
    run_result_free(&r);

    /* daemon=True: main returns, exit() ends the helper before it prints. */
    const char *flags[] = {"--daemon", "-d"};
    for (int i = 0; i < 2; i++) {
        run_lesson(&r, "day8/thread_attr", flags[i], NULL);
        assert_exit_code(&r, 0);
        assert_non_null(strstr(r.out, "daemon=True"));
        assert_int_equal(count_lines_containing(r.out, helper_line), 0);
        assert_int_equal(r.leftovers, 0);
        run_result_free(&r);
    }
    assert_usage_error("day8/thread_attr", "--daemonx", NULL);
}

/* --- day8/my_thread ----------------------------------------------------------- */

static void test_my_thread_runs_both_objects(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/my_thread", NULL);
    assert_exit_code(&r, 0);
    assert_true(position(r.out, "StepsThread: 步骤1 step 1") <
                position(r.out, "StepsThread: 步骤2 step 2"));
    assert_true(position(r.out, "MyThread: Playing 凉凉 : 1/3") <
                position(r.out, "MyThread: Playing 凉凉 : 2/3"));
    assert_true(position(r.out, "MyThread: Playing 凉凉 : 2/3") <
                position(r.out, "MyThread: Playing 凉凉 : 3/3"));
    assert_int_equal(count_lines_containing(r.out, "Playing"), 3);
    /* join returns only after run() did: each "joined" follows that thread's last line */
    assert_true(position(r.out, "step 2") < position(r.out, "main: joined StepsThread"));
    assert_true(position(r.out, "3/3") < position(r.out, "main: joined MyThread"));
    run_result_free(&r);
}

static void test_my_thread_target_gets_its_arguments(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/my_thread", "-s", "Hello", "-n", "5", NULL);
    assert_exit_code(&r, 0);
    assert_int_equal(count_lines_containing(r.out, "MyThread: Playing Hello : "), 5);
    assert_non_null(strstr(r.out, "Playing Hello : 5/5"));
    run_result_free(&r);

    char long_song[66];
    memset(long_song, 'x', 65);
    long_song[65] = '\0';
    assert_usage_error("day8/my_thread", "-s", long_song);
    assert_usage_error("day8/my_thread", "-s", "");
    assert_usage_error("day8/my_thread", "-n", "11");
    assert_usage_error("day8/my_thread", "-n", "0");
}

/* --- day8/thread_event ---------------------------------------------------------- */

static void test_thread_event_wait_until_set(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/thread_event", NULL);
    assert_exit_code(&r, 0);
    /* main waited (no timeout) until the visitor set the event: the visitor
     * prints before set(), main prints after wait() returned */
    assert_non_null(strstr(r.out, "main: e.wait() -> true after "));
    assert_true(position(r.out, "杨子荣: 前来拜山头") < position(r.out, "main: e.wait() -> true"));
    assert_non_null(strstr(r.out, "宝塔镇河妖"));
    assert_null(strstr(r.out, "打死他"));
    /* clear, is_set, and a timed wait on a cleared event */
    assert_true(has_line(r.out, "main: e.clear(); e.is_set() -> false"));
    double cleared = number_after(r.out, "on the cleared event -> false after ");
    assert_true(cleared >= 0.049);
    run_result_free(&r);
}

static void test_thread_event_wrong_password(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/thread_event", "-p", "天王盖地狗", "-d", "0", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "-> true"));
    assert_non_null(strstr(r.out, "\"天王盖地狗\" is the wrong password: 打死他"));
    assert_null(strstr(r.out, "宝塔镇河妖"));
    run_result_free(&r);
}

static void test_thread_event_timeout_returns_false_in_time(void **state)
{
    (void)state;
    /* The visitor comes after 1.5 s; the guard gives up after 100 ms. */
    struct run_result r;
    run_lesson(&r, "day8/thread_event", "-t", "100", "-d", "1500", NULL);
    assert_exit_code(&r, 0);
    double waited = number_after(r.out, "main: e.wait(100 ms) -> false after ");
    assert_true(waited >= 0.099); /* never early: CLOCK_MONOTONIC deadline */
    assert_true(waited < 1.4);    /* and not until the visitor came */
    assert_non_null(strstr(r.out, "nobody spoke in time: 打死他"));
    assert_non_null(strstr(r.out, "杨子荣: 前来拜山头")); /* he came later; joined */
    run_result_free(&r);

    /* A zero timeout is a poll: false at once when not set (had it waited
     * for the visitor, it would have returned true). */
    run_lesson(&r, "day8/thread_event", "-t", "0", "-d", "500", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "main: e.wait(0 ms) -> false after "));
    run_result_free(&r);
}

static void test_thread_event_set_before_wait_is_remembered(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/thread_event", "--set-first", NULL);
    assert_exit_code(&r, 0);
    assert_true(has_line(r.out, "main: the visitor has already left; e.is_set() -> true"));
    /* nobody is left to set it: had the flag been forgotten, this wait
     * would never return */
    assert_true(number_after(r.out, "main: e.wait() -> true after ") < 1.0);
    assert_non_null(strstr(r.out, "宝塔镇河妖"));
    run_result_free(&r);

    run_lesson(&r, "day8/thread_event", "--set-first", "-t", "0", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "main: e.wait(0 ms) -> true after "));
    run_result_free(&r);
}

static void test_thread_event_bad_arguments(void **state)
{
    (void)state;
    char long_password[70];
    memset(long_password, 'p', 64);
    long_password[64] = '\0';
    assert_usage_error("day8/thread_event", "-p", long_password);
    assert_usage_error("day8/thread_event", "-p", "");
    assert_usage_error("day8/thread_event", "-t", "-1");
    assert_usage_error("day8/thread_event", "-t", "10001");
    assert_usage_error("day8/thread_event", "-d", "5001");
    assert_usage_error("day8/thread_event", "-d", "soon");
}

/* --- day8/thread_lock ----------------------------------------------------------- */

static void test_thread_lock_is_exact_with_the_mutex(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/thread_lock", NULL);
    assert_exit_code(&r, 0);
    assert_true(has_line(r.out, "counter: expected 800000, got 800000: exact"));
    assert_true(has_line(r.out, "pair: the checker saw a != b 0 times (a = 200000, b = 200000 "
                                "at the end)"));
    run_result_free(&r);

    run_lesson(&r, "day8/thread_lock", "-t", "8", "-n", "30000", NULL);
    assert_exit_code(&r, 0);
    assert_true(has_line(r.out, "counter: expected 240000, got 240000: exact"));
    assert_non_null(strstr(r.out, "saw a != b 0 times"));
    run_result_free(&r);

    assert_usage_error("day8/thread_lock", "-t", "65");
    assert_usage_error("day8/thread_lock", "-n", "0");
    assert_usage_error("day8/thread_lock", "-n", "10000001");
}

static void test_thread_lock_without_the_lock_reports(void **state)
{
    (void)state;
    /* --no-lock is a data race on purpose: TSan rightly reports it. */
    if (strcmp(harness_sanitizer(), "thread") == 0)
        skip();
    struct run_result r;
    run_lesson(&r, "day8/thread_lock", "--no-lock", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "WITHOUT a lock (--no-lock)"));
    /* The count may be right by luck; it can never be more than expected,
     * and what it says was lost must add up. */
    long got = (long)number_after(r.out, "counter: expected 800000, got ");
    assert_true(got > 0 && got <= 800000);
    char want[96];
    if (got == 800000)
        snprintf(want, sizeof want, "got 800000: exact");
    else
        snprintf(want, sizeof want, "got %ld: %ld updates lost", got, 800000 - got);
    assert_non_null(strstr(r.out, want));
    assert_true(number_after(r.out, "pair: the checker saw a != b ") >= 0);
    run_result_free(&r);
}

/* Busy loops, one per core, so that the machine has no idle core: the
 * demos that show a bug must show it then too (issue 16). */
enum { MAX_BUSY = 64 };
static pid_t busy_pids[MAX_BUSY];
static int busy_count;

static void busy_start(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    for (busy_count = 0; busy_count < cores && busy_count < MAX_BUSY; busy_count++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            alarm(60); /* never outlive a crashed test for long */
            for (volatile unsigned long spin = 0;; spin++)
                ;
        }
        busy_pids[busy_count] = pid;
    }
}

static int busy_teardown(void **state)
{
    for (int i = 0; i < busy_count; i++) {
        kill(busy_pids[i], SIGKILL);
        waitpid(busy_pids[i], NULL, 0);
    }
    busy_count = 0;
    return harness_teardown(state);
}

static void test_thread_lock_without_the_lock_loses_every_time_when_busy(void **state)
{
    (void)state;
    if (strcmp(harness_sanitizer(), "thread") == 0)
        skip(); /* a data race on purpose: TSan rightly reports it */
    busy_start();
    for (int run = 0; run < 5; run++) {
        struct run_result r;
        run_lesson(&r, "day8/thread_lock", "--no-lock", NULL);
        assert_exit_code(&r, 0);
        if (strstr(r.out, "updates lost") == NULL ||
            number_after(r.out, "pair: the checker saw a != b ") < 1)
            fail_msg("run %d of --no-lock, every core busy, showed no race:\n%s", run + 1,
                     r.out);
        run_result_free(&r);
    }
}

/* --- day8/with_lock -------------------------------------------------------- */

static void test_with_lock_both_idioms_always_unlock(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/with_lock", NULL);
    assert_exit_code(&r, 0);
    assert_true(has_line(r.out, "idiom 1, single exit (goto out):"));
    assert_true(has_line(r.out, "idiom 2, scoped helper with_lock(&lock, body, arg):"));
    /* 40000 tries for 30000: 10000 early returns; had one kept the lock,
     * the run would hang (and time out) instead of ending */
    assert_int_equal(count_lines_containing(r.out, "  balance 0, 30000 paid, 10000 refused"), 2);
    run_result_free(&r);
}

static void test_with_lock_leak_shows_the_held_lock(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/with_lock", "--leak", NULL);
    assert_exit_code(&r, 0);
    assert_true(has_line(r.out, "leak: first: paid"));
    assert_true(has_line(r.out, "leak: second: refused (it returned early)"));
    assert_non_null(strstr(r.out, "leak: the lock is still locked: EBUSY"));
    run_result_free(&r);
}

/* --- day8/dead_lock ----------------------------------------------------------- */

static void test_dead_lock_fixed_version_is_exact(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/dead_lock", NULL);
    assert_exit_code(&r, 0);
    /* both transfers take Tom's lock (id 1) first: no cycle possible */
    assert_true(has_line(r.out, "Tom->Abby: locks Tom's account (id 1), then Abby's (id 2)"));
    assert_true(has_line(r.out, "Abby->Tom: locks Tom's account (id 1), then Abby's (id 2)"));
    assert_true(has_line(r.out, "bank: Tom->Abby 2000: done"));
    assert_true(has_line(r.out, "bank: Abby->Tom 3000: done"));
    assert_true(has_line(r.out, "bank: Tom 6000, Abby 7000, total 13000 (no money created or "
                                "lost)"));
    assert_null(strstr(r.out, "deadlock"));
    run_result_free(&r);
}

static void test_dead_lock_deadlock_is_detected_and_broken(void **state)
{
    (void)state;
    /* --deadlock inverts the lock order on purpose: TSan reports exactly
     * that ("lock-order-inversion"), so this mode is not run under it. */
    if (strcmp(harness_sanitizer(), "thread") == 0)
        skip();
    const char *timeouts[] = {"200", "10"};
    for (int i = 0; i < 2; i++) {
        struct run_result r;
        run_lesson(&r, "day8/dead_lock", "--deadlock", "-t", timeouts[i], NULL);
        assert_exit_code(&r, 0); /* it ended by itself, in time */
        assert_true(has_line(r.out, "Tom->Abby: locked Tom's account; now wants Abby's"));
        assert_true(has_line(r.out, "Abby->Tom: locked Abby's account; now wants Tom's"));
        /* the lock table: who holds what, who waits for what */
        assert_true(has_line(r.out, "deadlock:   Tom->Abby holds Tom's account, waits for "
                                    "Abby's account (held by Abby->Tom)"));
        assert_true(has_line(r.out, "deadlock:   Abby->Tom holds Abby's account, waits for "
                                    "Tom's account (held by Tom->Abby)"));
        assert_int_equal(count_lines_containing(r.out, "deadlock detected; victim: Abby->Tom"), 1);
        assert_true(has_line(r.out, "Abby->Tom: backs off: released Abby's account, transfer "
                                    "abandoned (nothing moved)"));
        assert_true(has_line(r.out, "bank: Tom->Abby 2000: done"));
        assert_true(has_line(r.out, "bank: Abby->Tom 3000: abandoned"));
        assert_true(has_line(r.out, "bank: Tom 3000, Abby 10000, total 13000 (no money created "
                                    "or lost)"));
        run_result_free(&r);
    }
}

static void test_dead_lock_bad_arguments(void **state)
{
    (void)state;
    assert_usage_error("day8/dead_lock", "-t", "9");
    assert_usage_error("day8/dead_lock", "-t", "5001");
    assert_usage_error("day8/dead_lock", "--dead", "x");
}

/* --- day8/gil ------------------------------------------------------------------- */

struct gil_row {
    char job[8], how[16];
    int workers, runs;
    double wall_ms, speedup;
};

/* Parse the table rows of gil's output; returns how many. */
static int parse_gil_rows(const char *out, struct gil_row *rows, int max)
{
    int n = 0;
    char *copy = strdup(out), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        struct gil_row *row = &rows[n];
        char x;
        if (sscanf(line, "%7s %15s %d %d %lf %lf%c", row->job, row->how, &row->workers, &row->runs,
                   &row->wall_ms, &row->speedup, &x) == 7 &&
            x == 'x')
            n++;
    }
    free(copy);
    return n;
}

/* Every row is there, and every speedup is the sequential time divided by
 * that row's time (within the rounding of the printed figures). Nothing
 * here depends on how fast or how busy the machine is. */
static void check_gil_table(const char *out, int workers, int max_runs, bool exact_runs)
{
    static const char *const jobs[] = {"cpu", "io"};
    static const char *const hows[] = {"sequential", "threads", "processes", "threads+GIL"};
    assert_non_null(strstr(out, "job  how          workers runs   wall_ms  speedup\n"));
    struct gil_row rows[16];
    assert_int_equal(parse_gil_rows(out, rows, 16), 8);
    for (int j = 0; j < 2; j++) {
        const struct gil_row *seq = &rows[j * 4];
        for (int h = 0; h < 4; h++) {
            const struct gil_row *row = &rows[j * 4 + h];
            assert_string_equal(row->job, jobs[j]);
            assert_string_equal(row->how, hows[h]);
            assert_int_equal(row->workers, h == 0 ? 1 : workers);
            assert_int_equal(row->runs, seq->runs); /* the four ways run in turn */
            if (exact_runs)
                assert_int_equal(row->runs, max_runs);
            else
                assert_true(row->runs >= 1 && row->runs <= max_runs);
            assert_true(row->wall_ms > 0);
            double want = seq->wall_ms / row->wall_ms;
            double slack = want * (0.05 / seq->wall_ms + 0.05 / row->wall_ms) + 0.006;
            if (distance(row->speedup - want) > slack)
                fail_msg("%s %s: speedup %.2f, but %.1f / %.1f = %.3f", row->job, row->how,
                         row->speedup, seq->wall_ms, row->wall_ms, want);
        }
        assert_true(distance(seq->speedup - 1.0) < 0.001);
    }
    /* The summary lines quote the table's own figures. */
    char want[64];
    snprintf(want, sizeof want, "cpu-bound: threads+GIL %.2fx", rows[3].speedup);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, "processes %.2fx, free C threads %.2fx", rows[2].speedup,
             rows[1].speedup);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, "io-bound: threads+GIL %.2fx, like threads %.2fx", rows[7].speedup,
             rows[5].speedup);
    assert_non_null(strstr(out, want));
}

static void test_gil_table_is_complete_and_consistent(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/gil", "-t", "3", "-c", "90", "-i", "6", "-d", "20", "-r", "1", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "gil: 3 workers, "));
    assert_non_null(strstr(r.out, "cpu job: 90 units of work; io job: 6 waits of 20 ms\n"));
    check_gil_table(r.out, 3, 1, true);
    assert_int_equal(r.leftovers, 0);
    run_result_free(&r);

    run_lesson(&r, "day8/gil", "-t", "1", "-c", "20", "-i", "2", "-d", "10", "-r", "2", NULL);
    assert_exit_code(&r, 0);
    check_gil_table(r.out, 1, 2, true);
    run_result_free(&r);
}

static void test_gil_default_run(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/gil", NULL);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "gil: 4 workers, "));
    check_gil_table(r.out, 4, 3, false);
    run_result_free(&r);
}

/* gil must say when the machine cannot show its point (issue 16): run it
 * on one core of a machine with two or more (as a machine whose other
 * cores are all busy), and the free threads cannot beat sequential. The
 * line must come then, and only when the table says so.
 * One core is no hard cap when other work shares it: the scheduler gives
 * each runnable thread its share, so two threads against k other tasks
 * get 2/(k+2) of the core where one got 1/(k+1), up to 2x "speedup" (seen
 * at 1.57x under two spinning loops). So: up to 5 pinned runs, each
 * checked against its table, until one shows the line; if the core was
 * that shared in all 5, the regime was never reached: skip, saying so.
 * gil judges the speedup as it prints it (to 0.01), as this check does:
 * CI once saw "1.50x of 2x" called too busy (gil judged just under 1.5). */
static void check_busy_line(const char *out, int workers)
{
    struct gil_row rows[16];
    assert_int_equal(parse_gil_rows(out, rows, 16), 8);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double ideal = (double)(workers < cores ? workers : cores);
    bool too_busy = ideal >= 2 && rows[1].speedup < 1 + (ideal - 1) / 2;
    const char *line = strstr(out, "gil: TOO BUSY to show the point: free C threads reached ");
    if (too_busy != (line != NULL))
        fail_msg("threads at %.2fx of %.0fx, yet %s busy line:\n%s", rows[1].speedup, ideal,
                 line ? "a" : "no", out);
}

static void test_gil_says_when_too_busy(void **state)
{
    (void)state;
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        skip(); /* one core: no parallel speedup to lose */
    cpu_set_t all, one;
    assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &all)) {
            CPU_SET(cpu, &one);
            break;
        }
    struct run_result r;
    run_lesson(&r, "day8/gil", "-t", "2", "-c", "200", "-i", "2", "-d", "5", "-r", "2", NULL);
    assert_exit_code(&r, 0);
    check_busy_line(r.out, 2); /* whatever the load: the line agrees */
    run_result_free(&r);

    char speedups[128] = "";
    bool shown = false;
    for (int try = 0; try < 5 && !shown; try++) {
        assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0); /* inherited */
        run_lesson(&r, "day8/gil", "-t", "2", "-c", "200", "-i", "2", "-d", "5", "-r", "1",
                   NULL);
        assert_int_equal(sched_setaffinity(0, sizeof all, &all), 0);
        assert_exit_code(&r, 0);
        check_busy_line(r.out, 2);
        shown = strstr(r.out, "gil: TOO BUSY to show the point: ") != NULL;
        struct gil_row rows[16];
        if (parse_gil_rows(r.out, rows, 16) == 8) {
            size_t len = strlen(speedups);
            snprintf(speedups + len, sizeof speedups - len, " %.2fx", rows[1].speedup);
        }
        run_result_free(&r);
    }
    if (!shown) {
        print_message("    skipped the pinned part: the core was shared with other work in "
                      "all 5 runs, so 2 threads out-shared 1 (threads at%s)\n",
                      speedups);
        skip();
    }
}

static void test_gil_bad_arguments(void **state)
{
    (void)state;
    assert_usage_error("day8/gil", "-t", "0");
    assert_usage_error("day8/gil", "-t", "33");
    assert_usage_error("day8/gil", "-c", "0");
    assert_usage_error("day8/gil", "-c", "100001");
    assert_usage_error("day8/gil", "-i", "1001");
    assert_usage_error("day8/gil", "-d", "0");
    assert_usage_error("day8/gil", "-r", "11");
}

/* --- day8/proc_vs_thread ------------------------------------------------------ */

/* One row of the creation table: at most count done (fewer only if the
 * 1 s limit stopped it, which it must then say), each = total / done. */
static long check_creation_row(const char *out, const char *what, long count, double *each_us)
{
    const char *line = line_with(out, what);
    assert_non_null(line);
    long n;
    double total_ms;
    assert_int_equal(sscanf(line + strlen(what), "%ld %lf %lf", &n, &total_ms, each_us), 3);
    assert_true(n >= 1 && n <= count);
    if (n < count)
        assert_non_null(strstr(out, "(stopped at the 1.0 s time limit before "));
    assert_true(total_ms > 0);
    double want = total_ms * 1000 / (double)n;
    assert_true(distance(*each_us - want) <= 0.05 + 5.0 / (double)n + want * 1e-3);
    return n;
}

static void test_proc_vs_thread_times_and_memory(void **state)
{
    (void)state;
    struct run_result r;
    run_lesson(&r, "day8/proc_vs_thread", "-n", "30", NULL);
    assert_exit_code(&r, 0);
    assert_int_equal(r.leftovers, 0);
    double thread_us, process_us;
    check_creation_row(r.out, "threads (create+join)", 30, &thread_us);
    check_creation_row(r.out, "processes (fork+wait)", 30, &process_us);
    double ratio = number_after(r.out, "a process cost ");
    assert_true(distance(ratio - process_us / thread_us) <= 0.05 + ratio * 0.02);

    /* memory: the thread's change is seen by main, the child's is not */
    int main_pid = (int)number_after(r.out, "memory: main (pid ");
    int thread_pid = (int)number_after(r.out, "memory: thread (pid ");
    int child_pid = (int)number_after(r.out, "memory: child process (pid ");
    assert_int_equal(thread_pid, main_pid);
    assert_int_not_equal(child_pid, main_pid);
    assert_non_null(strstr(r.out, ") has value = 1\n"));
    assert_non_null(strstr(r.out, "memory: after the thread, main sees value = 2: one memory"));
    assert_non_null(strstr(r.out, ") sets value = 3\n"));
    assert_non_null(strstr(r.out, "memory: after the child, main still sees value = 2: "));
    run_result_free(&r);

    run_lesson(&r, "day8/proc_vs_thread", NULL); /* the default count */
    assert_exit_code(&r, 0);
    check_creation_row(r.out, "threads (create+join)", 100, &thread_us);
    check_creation_row(r.out, "processes (fork+wait)", 100, &process_us);
    run_result_free(&r);

    assert_usage_error("day8/proc_vs_thread", "-n", "0");
    assert_usage_error("day8/proc_vs_thread", "-n", "10001");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_program_has_help_and_rejects_unknown_options,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_thread1_shares_memory_and_pid, harness_teardown),
        cmocka_unit_test_teardown(test_thread1_takes_no_options, harness_teardown),
        cmocka_unit_test_teardown(test_thread2_each_thread_its_arguments_and_result,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_thread2_threads_work_at_the_same_time, harness_teardown),
        cmocka_unit_test_teardown(test_thread_attr_name_is_in_proc_and_alive_changes,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_thread_attr_daemon_or_not, harness_teardown),
        cmocka_unit_test_teardown(test_my_thread_runs_both_objects, harness_teardown),
        cmocka_unit_test_teardown(test_my_thread_target_gets_its_arguments, harness_teardown),
        cmocka_unit_test_teardown(test_thread_event_wait_until_set, harness_teardown),
        cmocka_unit_test_teardown(test_thread_event_wrong_password, harness_teardown),
        cmocka_unit_test_teardown(test_thread_event_timeout_returns_false_in_time,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_thread_event_set_before_wait_is_remembered,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_thread_event_bad_arguments, harness_teardown),
        cmocka_unit_test_teardown(test_thread_lock_is_exact_with_the_mutex, harness_teardown),
        cmocka_unit_test_teardown(test_thread_lock_without_the_lock_reports, harness_teardown),
        cmocka_unit_test_teardown(test_thread_lock_without_the_lock_loses_every_time_when_busy,
                                  busy_teardown),
        cmocka_unit_test_teardown(test_with_lock_both_idioms_always_unlock, harness_teardown),
        cmocka_unit_test_teardown(test_with_lock_leak_shows_the_held_lock, harness_teardown),
        cmocka_unit_test_teardown(test_dead_lock_fixed_version_is_exact, harness_teardown),
        cmocka_unit_test_teardown(test_dead_lock_deadlock_is_detected_and_broken, harness_teardown),
        cmocka_unit_test_teardown(test_dead_lock_bad_arguments, harness_teardown),
        cmocka_unit_test_teardown(test_gil_table_is_complete_and_consistent, harness_teardown),
        cmocka_unit_test_teardown(test_gil_default_run, harness_teardown),
        cmocka_unit_test_teardown(test_gil_says_when_too_busy, harness_teardown),
        cmocka_unit_test_teardown(test_gil_bad_arguments, harness_teardown),
        cmocka_unit_test_teardown(test_proc_vs_thread_times_and_memory, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
