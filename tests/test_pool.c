/* tests/test_pool.c — day7/pool, the process pool: the course's waves on
 * reused workers, a crashing task failed through its handle while its
 * worker is replaced, apply after close refused, nothing left after join
 * (from /proc) — all through the real pool_demo — and the benchmark
 * program's report.
 *
 * Every result at its own handle (100 tasks, sizes up to the 1 MiB limit,
 * arriving out of order) is tested through the pool's interface itself
 * (day7/pool/pool.h; the folder's modules are linked into every suite):
 * the result bytes are a function of the task number, recomputed here, so
 * a result given to the wrong handle, cut short or garbled fails. */
#include <errno.h>
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
#include "day7/pool/pool.h"
#include "tests/harness.h"
#include "tests/process_support.h"

enum { MAX_RESULT = 1 << 20, MAX_PIDS = 64 };

/* Task i's result: its size, and byte k of it. */
static size_t result_size(int i)
{
    static const size_t sizes[] = {0,     1,     100,   4095,   4096,      4097,
                                   65535, 65536, 65537, 300000, MAX_RESULT};
    size_t n = sizeof sizes / sizeof sizes[0];
    return (size_t)i < n ? sizes[i] : ((size_t)i * 7919) % (MAX_RESULT + 1);
}

static unsigned char result_byte(int i, size_t k)
{
    return (unsigned char)((size_t)i * 31 + k % 251);
}

/* The line that starts with prefix, or NULL. */
static const char *find_line(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p != NULL && *p != '\0';) {
        if (strncmp(p, prefix, n) == 0)
            return p;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return NULL;
}

/* The pids listed after "Pool(N): workers". */
static int pool_pids(const char *out, int workers, pid_t *pids)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "Pool(%d): workers", workers);
    const char *line = find_line(out, prefix);
    assert_non_null(line);
    line += strlen(prefix);
    int n = 0, used;
    int pid;
    while (n < MAX_PIDS && sscanf(line, " %d%n", &pid, &used) == 1) {
        pids[n++] = pid;
        line += used;
    }
    return n;
}

static bool contains(const pid_t *pids, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* Milliseconds since midnight from HH:MM:SS.mmm. */
static long ms_of_day(const char *text)
{
    int h, m, s, ms;
    assert_int_equal(sscanf(text, "%d:%d:%d.%d", &h, &m, &s, &ms), 4);
    return ((h * 60L + m) * 60 + s) * 1000 + ms;
}

/* Run argv to its end: exit 0, no sanitizer report, and no child left
 * behind, alive or zombie (counted before the pool process is reaped). */
static void run_ok(struct lesson *l, const char *const argv[], double timeout)
{
    lesson_run(l, argv, NULL, timeout);
    assert_lesson_exit(l, 0);
}

/* --- usage ------------------------------------------------------------------ */

static void test_help_and_bad_arguments(void **state)
{
    (void)state;
    expect_usage_contract("day7/pool/pool_demo");
    expect_usage_contract("day7/pool/pool_bench");
    const char *pool = program_path("day7/pool/pool_demo");
    const char *const bad[][5] = {
        {pool, "-w", "0", NULL},      {pool, "-w", "65", NULL},       {pool, "-n", "0", NULL},
        {pool, "-n", "x", NULL},      {pool, "-s", "-1", NULL},       {pool, "-c", "10", NULL},
        {pool, "--bench", "0", NULL}, {pool, "--bench", "abc", NULL}, {pool, "--bench", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct lesson l;
        lesson_run(&l, bad[i], NULL, 5);
        assert_lesson_exit(&l, 2);
        assert_non_null(strstr(l.err, "usage: pool"));
        assert_string_equal(l.out, "");
        lesson_free(&l);
    }
}

/* No process to fork: the failing call is named, exit 1, nothing left. */
static void test_fork_failure_is_reported(void **state)
{
    (void)state;
    expect_fork_failure_reported("day7/pool/pool_demo", NULL);
    expect_fork_failure_reported("day7/pool/pool_bench", "10");
}

/* --- the course's demo ------------------------------------------------------- */

static void test_course_demo_waves_on_reused_workers(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/pool/pool_demo"),
                          NULL}; /* 10 tasks, 4 workers, 200 ms */
    struct lesson r;
    run_ok(&r, argv, 20);

    pid_t workers[MAX_PIDS];
    assert_int_equal(pool_pids(r.out, 4, workers), 4);
    long start_ms[10];
    pid_t ran_on[10];
    int per_worker[4] = {0};
    for (int i = 0; i < 10; i++) {
        /* the worker's own line: "HH:MM:SS.mmm -- Tedu i (worker PID)" */
        char needle[32];
        snprintf(needle, sizeof needle, " -- Tedu %d (worker ", i);
        const char *p = strstr(r.out, needle);
        assert_non_null(p);
        assert_int_equal(count_occurrences(r.out, needle), 1);
        ran_on[i] = (pid_t)atoi(p + strlen(needle));
        start_ms[i] = ms_of_day(p - 12);
        assert_true(contains(workers, 4, ran_on[i]));
        for (int w = 0; w < 4; w++)
            per_worker[w] += workers[w] == ran_on[i];

        /* get() returned that task's own reply, from the same worker */
        char want[96];
        snprintf(want, sizeof want,
                 "get(task %d): ok, from worker %d: \"Tedu %d done by worker %d\"", i,
                 (int)ran_on[i], i, (int)ran_on[i]);
        assert_true(has_line(r.out, want));
    }
    /* 10 tasks on 4 workers: 3, 3, 2, 2 — and one worker's tasks run one
     * after another, each at least its 200 ms sleep after the previous. */
    for (int w = 0; w < 4; w++)
        assert_true(per_worker[w] == 2 || per_worker[w] == 3);
    for (int i = 0; i < 10; i++)
        for (int j = i + 1; j < 10; j++)
            if (ran_on[i] == ran_on[j]) {
                long gap = (start_ms[j] - start_ms[i] + 86400000L) % 86400000L;
                assert_true(gap >= 199);
            }
    assert_true(
        has_line(r.out, "10 tasks ran on 4 worker processes; 0 crashed, 0 workers replaced"));
    assert_non_null(find_line(r.out, "workers alive now (from /proc): 4 children, 0 zombies"));
    assert_true(
        has_line(r.out, "apply_async after close: refused, errno EINVAL (Invalid argument)"));
    assert_true(has_line(r.out, "after join (from /proc): 0 children, 0 zombies"));
    assert_int_equal(count_children(getpid(), NULL), 0);
    lesson_free(&r);
}

static void test_many_tasks_reuse_few_workers(void **state)
{
    (void)state;
    const char *argv[] = {
        program_path("day7/pool/pool_demo"), "-w", "2", "-n", "50", "-s", "0", NULL};
    struct lesson r;
    run_ok(&r, argv, 20);
    assert_true(
        has_line(r.out, "50 tasks ran on 2 worker processes; 0 crashed, 0 workers replaced"));
    assert_int_equal(count_lines_containing(r.out, "get(task "), 50);
    assert_int_equal(count_lines_containing(r.out, ": ok, from worker "), 50);
    assert_true(has_line(r.out, "after join (from /proc): 0 children, 0 zombies"));
    lesson_free(&r);
}

/* --- results: sizes, handles, order ------------------------------------------- */

/* The sizes task, run in a pool worker: arg is {task number, sleep ms};
 * the result is result_size(number) bytes of result_byte. */
static long sizes_task(const void *arg, size_t len, void *out)
{
    int job[2];
    if (len != sizeof job)
        return -1;
    memcpy(job, arg, sizeof job);
    clock_sleep_ms(job[1]);
    unsigned char *bytes = out;
    size_t size = result_size(job[0]);
    for (size_t k = 0; k < size; k++)
        bytes[k] = result_byte(job[0], k);
    return (long)size;
}

static void test_every_result_reaches_its_own_handle(void **state)
{
    (void)state;
    enum { TASKS = 100 };
    /* The pool runs in this process: bound the whole test (SIGALRM ends
     * it; the workers die with it). */
    alarm((unsigned)harness_timeout(60));
    struct pool *p = pool_create(4);
    assert_non_null(p);
    struct pool_task *handles[TASKS];
    for (int i = 0; i < TASKS; i++) {
        /* Task 0 sleeps 1 s, the others not at all: out of order. */
        int job[2] = {i, i == 0 ? 1000 : 0};
        handles[i] = pool_apply_async(p, sizes_task, job, sizeof job);
        assert_non_null(handles[i]);
    }
    unsigned long arrived[TASKS];
    bool seen_order[TASKS + 1] = {false};
    int largest = 0;
    for (int i = 0; i < TASKS; i++) {
        struct pool_result r;
        assert_int_equal(pool_get(p, handles[i], &r), 0);
        if (r.status != POOL_OK || r.len != result_size(i))
            fail_msg("task %d: status %d, %zu bytes (expected %zu)", i, (int)r.status, r.len,
                     result_size(i));
        for (size_t k = 0; k < r.len; k++)
            if (r.data[k] != result_byte(i, k))
                fail_msg("task %d: byte %zu is %u, expected %u", i, k, r.data[k],
                         result_byte(i, k));
        arrived[i] = r.order;
        assert_true(r.order >= 1 && r.order <= TASKS);
        assert_false(seen_order[r.order]); /* each arrival rank once */
        seen_order[r.order] = true;
        largest += r.len == MAX_RESULT;
        free(r.data);
    }
    assert_true(largest >= 1); /* the limit itself went through */
    int inversions = 0;
    for (int i = 1; i < TASKS; i++)
        inversions += arrived[i] < arrived[0];
    assert_true(inversions > 0); /* later tasks finished before task 0 */

    /* An argument over the limit is refused; so is any task after close. */
    static unsigned char big[POOL_MAX_ARG + 1];
    assert_null(pool_apply_async(p, sizes_task, big, sizeof big));
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(pool_join(p), -1); /* join before close */
    assert_int_equal(errno, EINVAL);
    pool_close(p);
    int job[2] = {0, 0};
    assert_null(pool_apply_async(p, sizes_task, job, sizeof job));
    assert_int_equal(errno, EINVAL);
    assert_int_equal(pool_join(p), 0);
    assert_int_equal(count_children(getpid(), NULL), 0); /* all reaped */
    pool_free(p);
    alarm(0);
}

/* --- a task that crashes its worker ------------------------------------------ */

static void check_crash(int workers, int tasks, int crash)
{
    char w[8], n[8], c[8];
    snprintf(w, sizeof w, "%d", workers);
    snprintf(n, sizeof n, "%d", tasks);
    snprintf(c, sizeof c, "%d", crash);
    const char *argv[] = {
        program_path("day7/pool/pool_demo"), "-w", w, "-n", n, "-s", "0", "-c", c, NULL};
    struct lesson r;
    run_ok(&r, argv, 30);

    pid_t first[MAX_PIDS], alive[MAX_PIDS];
    assert_int_equal(pool_pids(r.out, workers, first), workers);
    char prefix[48];
    snprintf(prefix, sizeof prefix, "get(task %d): CRASHED: worker ", crash);
    const char *line = find_line(r.out, prefix);
    assert_non_null(line);
    pid_t dead = (pid_t)atoi(line + strlen(prefix));
    assert_non_null(strstr(line, "killed by SIGABRT mid-task"));
    assert_true(contains(first, workers, dead));
    for (int i = 0; i < tasks; i++) {
        if (i == crash)
            continue;
        char ok[48];
        snprintf(ok, sizeof ok, "get(task %d): ok, from worker ", i);
        const char *got = find_line(r.out, ok);
        assert_non_null(got);
        char reply[32];
        snprintf(reply, sizeof reply, "\"Tedu %d done by worker ", i);
        assert_non_null(strstr(got, reply));
    }
    char summary[96];
    snprintf(summary, sizeof summary, "%d tasks ran on ", tasks);
    assert_non_null(strstr(find_line(r.out, summary), "; 1 crashed, 1 workers replaced"));

    /* The worker count is back, with a new pid in place of the dead one. */
    snprintf(summary, sizeof summary,
             "workers alive now (from /proc): %d children, 0 zombies: ", workers);
    line = find_line(r.out, summary);
    assert_non_null(line);
    int count = 0, used, pid;
    for (line += strlen(summary); count < MAX_PIDS && sscanf(line, "%d%n", &pid, &used) == 1;
         line += used)
        alive[count++] = pid;
    assert_int_equal(count, workers);
    assert_false(contains(alive, count, dead));
    int fresh = 0;
    for (int i = 0; i < count; i++)
        fresh += !contains(first, workers, alive[i]);
    assert_int_equal(fresh, 1);

    assert_true(has_line(r.out, "after join (from /proc): 0 children, 0 zombies"));
    lesson_free(&r);
}

static void test_crashing_task_fails_and_worker_is_replaced(void **state)
{
    (void)state;
    check_crash(2, 20, 5);
    check_crash(3, 12, 0); /* the very first task */
    check_crash(2, 9, 8);  /* the last one */
    check_crash(1, 6, 2);  /* a pool of one: its only worker dies */
}

/* Seen from outside, while the pool still works: the replacement is there,
 * and the dead worker is reaped (no zombie). */
static bool children_are(void *arg)
{
    const pid_t *want = arg; /* {pid, count} */
    int zombies = -1;
    return count_children(want[0], &zombies) == want[1] && zombies == 0;
}

static void test_worker_count_restored_seen_from_proc(void **state)
{
    (void)state;
    const char *argv[] = {
        program_path("day7/pool/pool_demo"), "-w", "3", "-n", "9", "-s", "1000", "-c", "0", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "get(task 0): CRASHED", 1, 10));
    pid_t want[2] = {l.proc.pid, 3};
    assert_true(wait_until(children_are, want, 2));
    lesson_finish(&l, 20);
    assert_lesson_exit(&l, 0); /* and, after join, no worker nor zombie left */
    assert_true(has_line(l.out, "after join (from /proc): 0 children, 0 zombies"));
    lesson_free(&l);
}

/* --- the benchmark program (its speed is not tested here) -------------------- */

static void test_bench_reports_both_rates(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/pool/pool_bench"), "300", NULL};
    struct lesson r;
    run_ok(&r, argv, 60);
    const char *fork_line = find_line(r.out, "  fork per task     : ");
    const char *pool_line = find_line(r.out, "  pool of 2 workers : ");
    assert_non_null(fork_line);
    assert_non_null(pool_line);
    assert_true(atof(fork_line + 22) > 0);
    assert_true(atof(pool_line + 22) > 0);
    assert_non_null(find_line(r.out, "  ratio             : "));
    assert_non_null(find_line(r.out, "  goals: >= 100000 tasks/s "));
    lesson_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_help_and_bad_arguments, harness_teardown),
        cmocka_unit_test_teardown(test_fork_failure_is_reported, harness_teardown),
        cmocka_unit_test_teardown(test_course_demo_waves_on_reused_workers, harness_teardown),
        cmocka_unit_test_teardown(test_many_tasks_reuse_few_workers, harness_teardown),
        cmocka_unit_test_teardown(test_every_result_reaches_its_own_handle, harness_teardown),
        cmocka_unit_test_teardown(test_crashing_task_fails_and_worker_is_replaced,
                                  harness_teardown),
        cmocka_unit_test_teardown(test_worker_count_restored_seen_from_proc, harness_teardown),
        cmocka_unit_test_teardown(test_bench_reports_both_rates, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
