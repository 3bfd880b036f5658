/* tests/test_day7_ipc.c — day7's process programs, run for real:
 * process_attr (the name in /proc, is_alive against a zombie, the daemon
 * child gone with its parent), my_process (run() overridden), queue_0 (the
 * modes, the order, the limits, no queue left behind, Ctrl-C), and the IPC
 * methods: ipc_pipe, ipc_shm, ipc_sem, ipc_signal, ipc_socket — the data
 * arrives intact, the counter is exact, nothing is left behind. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/fnv1a.h"
#include "common/procfs.h"
#include "tests/harness.h"
#include "tests/process_support.h"

/* --- helpers --------------------------------------------------------------- */

/* The line that starts with prefix (or contains it, if anywhere), or NULL. */
static const char *find_line(const char *text, const char *prefix, bool anywhere)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (strncmp(p, prefix, n) == 0)
            return p;
        if (anywhere) {
            const char *hit = strstr(p, prefix);
            if (hit != NULL && hit < p + len)
                return p;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return NULL;
}

/* Run argv to its end: exit 0, no sanitizer report, and no child left
 * behind, alive or zombie (counted before the program is reaped). */
static void run_ok(struct lesson *l, const char *const argv[], double timeout)
{
    lesson_run(l, argv, NULL, timeout);
    assert_lesson_exit(l, 0);
}

/* Beyond the usage contract: each argv (bad values) must be refused with
 * usage on stderr, nothing on stdout, exit 2. */
static void expect_usage_errors(const char *name, const char *const argv[][5], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct lesson l;
        lesson_run(&l, argv[i], NULL, 5);
        assert_lesson_exit(&l, 2);
        char usage[64];
        snprintf(usage, sizeof usage, "usage: %s", name);
        if (strstr(l.err, usage) == NULL)
            fail_msg("%s %s: no usage on stderr: %s", name, argv[i][1], l.err);
        assert_string_equal(l.out, "");
        lesson_free(&l);
    }
}

/* Start argv, wait until its output shows `ready`, kill it with SIGKILL
 * (it can stop nobody then), and check that every child it had ends at
 * once, by the kernel's hand (PR_SET_PDEATHSIG): within a bound, killed
 * by SIGKILL. Its children come to us (the test is a subreaper). */
static void expect_children_die_with_parent(const char *const argv[], const char *ready,
                                            int children)
{
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, ready, 1, 10));
    pid_t kids[8];
    assert_int_equal(procfs_children(l.proc.pid, kids, 8), children);
    server_signal(&l.proc, SIGKILL);
    double deadline = clock_now() + harness_timeout(2);
    int left = children;
    while (left > 0 && clock_now() < deadline) {
        for (int i = 0; i < children; i++) {
            int status;
            if (kids[i] <= 0 || waitpid(kids[i], &status, WNOHANG) != kids[i])
                continue;
            if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
                fail_msg("%s: child %d ended with status 0x%x, not SIGKILL", argv[0], (int)kids[i],
                         (unsigned)status);
            kids[i] = 0;
            left--;
        }
        clock_sleep_ms(2);
    }
    for (int i = 0; i < children; i++)
        if (kids[i] > 0) { /* leave nothing behind, then fail */
            kill(kids[i], SIGKILL);
            waitpid(kids[i], NULL, 0);
        }
    lesson_finish(&l, 5);
    if (left > 0)
        fail_msg("%s: %d of %d children outlived their parent by %.1f s\n%s", argv[0], left,
                 children, harness_timeout(2), l.out);
    assert_true(WIFSIGNALED(l.status) && WTERMSIG(l.status) == SIGKILL);
    lesson_free(&l);
}

/* --- process_attr ------------------------------------------------------------- */

static void test_process_attr_default_run(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/process_attr/process_attr"), NULL};
    struct lesson r;
    run_ok(&r, argv, 20);
    const char *line = find_line(r.out, "p.name: Tedu (read back from /proc/", false);
    assert_non_null(line);
    assert_non_null(find_line(r.out, "p.is_alive(): True", false));
    assert_true(has_line(r.out, "after p.join(): exit status 0, p.is_alive(): False"));
    /* part 2: a zombie passes kill(pid, 0); waitpid(WNOHANG) tells the truth */
    assert_non_null(find_line(r.out, "/proc says its state is Z (zombie)", true));
    assert_non_null(find_line(r.out, ", 0) = 0: the pid still exists", true));
    assert_true(has_line(r.out, "is_alive() with waitpid(WNOHANG): False (exit status 7, now "
                                "reaped)"));
    assert_non_null(find_line(r.out, " after reaping = -1 (No such process)", true));
    /* part 3: the daemon child died with its parent, by SIGKILL */
    line = find_line(r.out, "main ", false);
    assert_non_null(line = strstr(line, "Name: Tedu, PID: "));
    pid_t daemon = (pid_t)atoi(line + strlen("Name: Tedu, PID: "));
    assert_true(daemon > 0);
    char want[128];
    snprintf(want, sizeof want, "daemon child %d killed by SIGKILL: ", (int)daemon);
    assert_non_null(find_line(r.out, want, true));
    assert_non_null(strstr(find_line(r.out, want, true), "when its parent exited: gone"));
    /* and it is gone for good: no such process any more */
    assert_int_equal(kill(daemon, 0), -1);
    assert_int_equal(errno, ESRCH);
    /* cut short: its parent lived 1.5 ticks, it would tick 10 times */
    snprintf(want, sizeof want, "  Tedu %d: ", (int)daemon);
    assert_true(count_lines_containing(r.out, want) < 10);
    lesson_free(&r);
}

/* The name, read by this test from /proc while the child is alive. */
static void test_process_attr_name_in_proc_comm(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/process_attr/process_attr"), "-i", "1000", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "p.pid: ", 1, 10));
    char *out = server_output(&l.proc, false);
    const char *line = find_line(out, "p.pid: ", false);
    assert_non_null(line);
    pid_t child = (pid_t)atoi(line + strlen("p.pid: "));
    free(out);
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", (int)child);
    FILE *f = fopen(path, "r"); /* the child ticks for 3 s: it is there */
    assert_non_null(f);
    assert_non_null(fgets(comm, sizeof comm, f));
    fclose(f);
    assert_string_equal(comm, "Tedu\n");
    lesson_finish(&l, 30);
    assert_lesson_exit(&l, 0);
    lesson_free(&l);
}

static void test_process_attr_race_window(void **state)
{
    (void)state;
    /* -w: the child reaches prctl only after its parent died; the getppid()
     * check sees that and the child ends itself. */
    const char *closed[] = {program_path("day7/process_attr/process_attr"), "-w", NULL};
    struct lesson r;
    run_ok(&r, closed, 20);
    assert_non_null(find_line(r.out, "died before PR_SET_PDEATHSIG: exiting myself", true));
    assert_non_null(find_line(r.out, "found its parent gone and exited by itself", true));
    lesson_free(&r);

    /* -w -u: without the check the child outlives its parent: the race. */
    const char *open[] = {program_path("day7/process_attr/process_attr"), "-w", "-u", NULL};
    run_ok(&r, open, 20);
    assert_non_null(find_line(r.out, "SURVIVED its parent", true));
    assert_non_null(find_line(r.out, "(tick 10/10)", true));
    lesson_free(&r);
}

static void test_process_attr_usage(void **state)
{
    (void)state;
    const char *path = program_path("day7/process_attr/process_attr");
    expect_usage_contract("day7/process_attr/process_attr");
    const char *const bad[][5] = {{path, "-i", "5", NULL},
                                  {path, "-i", "x", NULL},
                                  {path, "-z", NULL},
                                  {path, "extra", NULL}};
    expect_usage_errors("process_attr", bad, sizeof bad / sizeof bad[0]);
}

/* --- my_process ----------------------------------------------------------------- */

static void test_my_process_runs_the_override_in_the_child(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/my_process"), "-i", "100", NULL};
    struct lesson r;
    run_ok(&r, argv, 10);
    int main_pid = atoi(r.out + strlen("main "));
    const char *step1 = find_line(r.out, "第一步 step 1: ", true);
    const char *step2 = find_line(r.out, "第二步 step 2: ", true);
    assert_non_null(step1);
    assert_non_null(step2);
    assert_true(step1 < step2);
    int child1 = atoi(step1 + strlen("MyProcess ")), child2 = atoi(step2 + strlen("MyProcess "));
    assert_int_equal(child1, child2); /* both steps in one child */
    assert_int_not_equal(child1, main_pid);
    assert_non_null(strstr(step1, "(value=2)")); /* the subclass's own field */
    char joined[96];
    snprintf(joined, sizeof joined, "main %d: p2.join(): MyProcess %d exited with status 0",
             main_pid, child1);
    assert_true(has_line(r.out, joined));
    assert_non_null(
        find_line(r.out, "hello from the base class's run(), which called its target", true));
    lesson_free(&r);
    const char *path = program_path("day7/my_process");
    expect_usage_contract("day7/my_process");
    const char *const bad[][5] = {{path, "-i", "-1", NULL}, {path, "-x", NULL}};
    expect_usage_errors("my_process", bad, sizeof bad / sizeof bad[0]);
}

/* --- queue_0 ------------------------------------------------------------------------ */

/* Seconds in "... after T s" on the line starting with prefix. */
static double seconds_after(const char *out, const char *prefix)
{
    const char *line = find_line(out, prefix, false);
    if (line == NULL)
        fail_msg("no line '%s' in:\n%s", prefix, out);
    const char *after = strstr(line, " after ");
    assert_non_null(after);
    return atof(after + strlen(" after "));
}

static void test_queue_modes(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/queue_0/queue_0"), "-p", "modes", NULL};
    struct lesson r;
    run_ok(&r, argv, 10);
    const char *empty = "  qsize() = 0, full() = False, empty() = True";
    const char *full = "  qsize() = 3, full() = True, empty() = False";
    const char *p = strstr(r.out, empty);
    assert_non_null(p);
    assert_non_null(p = strstr(p, "  put(1)\n  put(2)\n  put(3)\n"));
    assert_non_null(p = strstr(p, full));
    assert_non_null(p = strstr(p, "  get() -> 1\n  get() -> 2\n  get() -> 3\n")); /* FIFO */
    assert_non_null(strstr(p, empty));

    assert_non_null(find_line(r.out, "  put(4, block=False): queue.Full, errno EAGAIN", false));
    assert_non_null(find_line(r.out, "  get(block=False): queue.Empty, errno EAGAIN", false));
    assert_non_null(find_line(r.out, "  put(4, timeout=0.2): queue.Full, errno ETIMEDOUT", false));
    assert_non_null(find_line(r.out, "  get(timeout=0.2): queue.Empty, errno ETIMEDOUT", false));
    /* non-blocking does not wait for anything; a timeout waits its 0.2 s
     * (with room for a clock step), and not much more */
    assert_true(seconds_after(r.out, "  put(4, block=False)") < 0.15);
    assert_true(seconds_after(r.out, "  get(block=False)") < 0.15);
    double t = seconds_after(r.out, "  put(4, timeout=0.2)");
    assert_true(t >= 0.15 && t < harness_timeout(1.0));
    t = seconds_after(r.out, "  get(timeout=0.2)");
    assert_true(t >= 0.15 && t < harness_timeout(1.0));
    lesson_free(&r);
}

/* Every "x + y = z" line: the sum is right, and the pairs are the
 * producer's, in the order it put them. */
static void check_sums(const char *out, int n)
{
    const char *put = out, *sum = out;
    for (int i = 0; i < n; i++) {
        int x, y, a, b, z;
        assert_non_null(put = strstr(put, "producer: put ("));
        assert_int_equal(sscanf(put, "producer: put (%d, %d)", &x, &y), 2);
        put++;
        assert_non_null(sum = strstr(sum, "consumer: "));
        if (sscanf(sum, "consumer: %d + %d = %d", &a, &b, &z) != 3)
            fail_msg("not a sum line: %.60s", sum);
        assert_int_equal(a, x);
        assert_int_equal(b, y);
        assert_int_equal(z, x + y);
        sum++;
    }
}

static void test_queue_v1_producer_consumer(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/queue_0/queue_0"), "-p", "v1", "-s", "0", NULL};
    struct lesson r;
    run_ok(&r, argv, 10);
    assert_true(has_line(r.out, "== v1: producer and consumer, q = Queue(5)"));
    check_sums(r.out, 10);
    assert_int_equal(count_lines_containing(r.out, "consumer: "), 11);
    assert_true(has_line(r.out, "producer: put END"));
    assert_true(has_line(r.out, "consumer: done, 10 requests handled"));
    lesson_free(&r);

    /* A queue of 1 and many requests: the producer waits on a full queue
     * each time, nothing is lost, the consumer does not quit early. */
    const char *small[] = {
        program_path("day7/queue_0/queue_0"), "-p", "v1", "-m", "1", "-n", "200", "-s", "0", NULL};
    run_ok(&r, small, 20);
    check_sums(r.out, 200);
    assert_true(has_line(r.out, "consumer: done, 200 requests handled"));
    lesson_free(&r);
}

static void test_queue_v1_racy_shows_the_race(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/queue_0/queue_0"), "-p", "v1", "--racy", NULL};
    struct lesson r;
    run_ok(&r, argv, 10);
    assert_true(has_line(r.out, "consumer: the queue is empty right now, so I quit (the race!)"));
    assert_true(has_line(r.out, "consumer: done, 0 requests handled"));
    assert_int_equal(count_lines_containing(r.out, "producer: put ("), 5); /* Queue(5) filled */
    assert_non_null(find_line(r.out, "timed out after 0.5 s: the queue is full", true));
    lesson_free(&r);
}

static void test_queue_v2_request_reply(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/queue_0/queue_0"), "-p", "v2", NULL};
    struct lesson r;
    run_ok(&r, argv, 10);
    const char *ask = find_line(r.out, "request: 使用wx登录？", false);
    const char *got = find_line(r.out, "handle: 收到请求 got the request: 请求用户名密码", false);
    const char *reply = find_line(
        r.out, "request: 收到回复 got the reply: {'name': 'zhang', 'passwd': '123'}", false);
    assert_non_null(ask);
    assert_non_null(got);
    assert_non_null(reply);
    assert_true(ask < reply && got < reply);
    lesson_free(&r);
}

static void test_queue_max_size_above_the_system_limit(void **state)
{
    (void)state;
    FILE *f = fopen("/proc/sys/fs/mqueue/msg_max", "r");
    if (f == NULL)
        skip();
    long limit = 0;
    assert_int_equal(fscanf(f, "%ld", &limit), 1);
    fclose(f);
    char too_big[32], want[96];
    snprintf(too_big, sizeof too_big, "%ld", limit + 1);
    const char *argv[] = {program_path("day7/queue_0/queue_0"), "-m", too_big, NULL};
    struct lesson r;
    lesson_run(&r, argv, NULL, 10);
    assert_lesson_exit(&r, 2);
    snprintf(want, sizeof want, "max size %ld is above the system limit of %ld messages", limit + 1,
             limit);
    assert_non_null(strstr(r.err, want));
    assert_non_null(strstr(r.err, "/proc/sys/fs/mqueue/msg_max"));
    assert_string_equal(r.out, "");
    lesson_free(&r);

    /* the limit itself is fine */
    snprintf(too_big, sizeof too_big, "%ld", limit);
    const char *ok[] = {
        program_path("day7/queue_0/queue_0"), "-p", "v1", "-m", too_big, "-s", "0", NULL};
    run_ok(&r, ok, 10);
    lesson_free(&r);
}

static void test_queue_usage(void **state)
{
    (void)state;
    const char *path = program_path("day7/queue_0/queue_0");
    expect_usage_contract("day7/queue_0/queue_0");
    const char *const bad[][5] = {{path, "-p", "v3", NULL}, {path, "-m", "0", NULL},
                                  {path, "-m", "x", NULL},  {path, "-n", "0", NULL},
                                  {path, "-s", "-5", NULL}, {path, "--nope", NULL},
                                  {path, "extra", NULL}};
    expect_usage_errors("queue_0", bad, sizeof bad / sizeof bad[0]);
}

/* True if the queue named after pid and number n exists: mq_open(O_EXCL)
 * fails with EEXIST. (Creating it then removes it again.) */
static bool queue_exists(pid_t pid, int n)
{
    char name[64];
    snprintf(name, sizeof name, "/conclab-queue_0.%d.%d", (int)pid, n);
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    if (q == (mqd_t)-1) {
        assert_int_equal(errno, EEXIST);
        return true;
    }
    mq_close(q);
    mq_unlink(name);
    return false;
}

/* No entry for pid in /dev/mqueue, where that file system is mounted. */
static void assert_no_mqueue_file(pid_t pid)
{
    char path[96];
    struct stat st;
    for (int n = 1; n <= 4; n++) {
        snprintf(path, sizeof path, "/dev/mqueue/conclab-queue_0.%d.%d", (int)pid, n);
        assert_int_not_equal(stat(path, &st), 0);
    }
}

static void test_queue_nothing_left_after_a_normal_end(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/queue_0/queue_0"), "-s", "0",
                          NULL}; /* all three parts */
    struct lesson l;
    run_ok(&l, argv, 20);
    for (int n = 1; n <= 4; n++) /* modes, v1, and v2's two queues */
        assert_false(queue_exists(l.proc.pid, n));
    assert_no_mqueue_file(l.proc.pid);
    lesson_free(&l);
}

static void check_stop_signal(int sig)
{
    /* A slow consumer: 10 requests at 2 s each would take 20 s. */
    const char *argv[] = {program_path("day7/queue_0/queue_0"), "-p", "v1", "-s", "2000", NULL};
    struct lesson l;
    lesson_start(&l, argv);
    assert_true(server_wait_output(&l.proc, false, "consumer: ", 1, 10));
    /* the queue is in use, yet its name is already gone */
    assert_false(queue_exists(l.proc.pid, 1));
    double start = clock_now();
    server_signal(&l.proc, sig);
    lesson_finish(&l, 5);
    assert_true(clock_now() - start < harness_timeout(2));
    /* exit 128 + sig, and producer and consumer stopped and reaped */
    assert_lesson_exit(&l, 128 + sig);
    char want[96];
    snprintf(want, sizeof want,
             "stopped by signal %d: 2 children stopped and reaped, queues closed", sig);
    assert_true(has_line(l.out, want));
    assert_false(queue_exists(l.proc.pid, 1));
    assert_no_mqueue_file(l.proc.pid);
    lesson_free(&l);
}

static void test_queue_stopped_by_sigint_leaves_nothing(void **state)
{
    (void)state;
    check_stop_signal(SIGINT);
    check_stop_signal(SIGTERM);
}

/* Issue 16: killed with SIGKILL, queue_0 cannot stop its children; they
 * must not live on under PID 1, blocked on the queue. */
static void test_queue_children_die_with_their_parent(void **state)
{
    (void)state;
    /* A slow consumer: 10 requests at 2 s each would take 20 s. */
    const char *v1[] = {program_path("day7/queue_0/queue_0"), "-p", "v1", "-s", "2000", NULL};
    expect_children_die_with_parent(v1, "consumer: ", 2);
    const char *v2[] = {program_path("day7/queue_0/queue_0"), "-p", "v2", "-s", "5000", NULL};
    expect_children_die_with_parent(v2, "handle: ", 2);
}

/* my_process's child too, in its 5 s pause between the two steps. */
static void test_my_process_child_dies_with_its_parent(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/my_process"), "-i", "5000", NULL};
    expect_children_die_with_parent(argv, "第一步", 1);
}

/* The pool's workers too, one of them mid-task. */
static void test_pool_workers_die_with_their_parent(void **state)
{
    (void)state;
    const char *argv[] = {
        program_path("day7/pool/pool_demo"), "-w", "2", "-n", "2", "-s", "5000", NULL};
    expect_children_die_with_parent(argv, "-- Tedu 1 ", 2);
}

/* --- the IPC methods ---------------------------------------------------------------- */

static void test_ipc_pipe_data_arrives_intact(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/ipc_pipe"), NULL};
    struct lesson r;
    run_ok(&r, argv, 10);
    const char lines[] = "hello, child\n你好，子进程\nbye\n";
    char want[128];
    snprintf(want, sizeof want, "child got %zu bytes, fnv1a %08x: intact", strlen(lines),
             (unsigned)fnv1a(lines, strlen(lines)));
    assert_non_null(find_line(r.out, want, true));
    assert_non_null(find_line(r.out, "end of file after 36 bytes in ", true));
    lesson_free(&r);

    /* 5 MB: far more than the pipe holds; the fingerprints match */
    const char *big[] = {program_path("day7/ipc_pipe"), "-b", "5000000", NULL};
    run_ok(&r, big, 30);
    const char *sent = find_line(r.out, "sent 5000036 bytes in ", true);
    const char *got = find_line(r.out, "child got 5000036 bytes, fnv1a ", true);
    assert_non_null(sent);
    assert_non_null(got);
    unsigned sent_fnv = 0, got_fnv = 0;
    assert_int_equal(sscanf(strstr(sent, "fnv1a "), "fnv1a %x", &sent_fnv), 1);
    assert_int_equal(sscanf(strstr(got, "fnv1a "), "fnv1a %x", &got_fnv), 1);
    assert_int_equal(sent_fnv, got_fnv);
    assert_non_null(strstr(got, ": intact"));
    lesson_free(&r);

    const char *path = program_path("day7/ipc_pipe");
    expect_usage_contract("day7/ipc_pipe");
    const char *const bad[][5] = {{path, "-b", "-1", NULL}, {path, "-b", "67108865", NULL}};
    expect_usage_errors("ipc_pipe", bad, sizeof bad / sizeof bad[0]);
}

static void test_ipc_shm_shared_and_private(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/ipc_shm"), NULL};
    struct lesson s;
    run_ok(&s, argv, 20);
    const char *out = s.out;
    const char *child = find_line(out, "child ", false);
    assert_non_null(child);
    char want[128];
    snprintf(want, sizeof want,
             "message = \"hello from child %d\", counter = 1000000 (shared, "
             "expected 1000000)",
             atoi(child + strlen("child ")));
    assert_non_null(find_line(out, want, true));
    char path[64]; /* the name was removed: nothing left in /dev/shm */
    snprintf(path, sizeof path, "/dev/shm/conclab-ipc_shm.%d", (int)s.proc.pid);
    assert_int_equal(access(path, F_OK), -1);
    lesson_free(&s);

    const char *priv[] = {program_path("day7/ipc_shm"), "-p", "-n", "1000", NULL};
    struct lesson r;
    run_ok(&r, priv, 10);
    assert_non_null(find_line(r.out, "my counter = 1000", true)); /* in its own copy */
    assert_non_null(find_line(r.out, "message = \"\", counter = 0 (private, expected 0)", true));
    lesson_free(&r);
}

static void test_ipc_sem_counter_is_exact(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/ipc_sem"), NULL};
    struct lesson r;
    run_ok(&r, argv, 30);
    assert_non_null(find_line(r.out, "counter = 2000000, expected 2000000: exact", false));
    lesson_free(&r);

    const char *four[] = {program_path("day7/ipc_sem"), "-n", "4", "-i", "100000", NULL};
    run_ok(&r, four, 30);
    assert_non_null(find_line(r.out, "counter = 400000, expected 400000: exact", false));
    lesson_free(&r);

    /* The bug on purpose, only behind its flag — and it shows on every run
     * (issue 16), even with little work, where left to chance the
     * children would run one after the other and lose nothing. */
    const char *iters[] = {"1", "1000", "100000"};
    for (int run = 0; run < 6; run++) {
        const char *racy[] = {program_path("day7/ipc_sem"), "--no-sem", "-i", iters[run % 3], NULL};
        run_ok(&r, racy, 30);
        assert_non_null(find_line(r.out, "WITHOUT the semaphore", true));
        if (find_line(r.out, "updates LOST", true) == NULL)
            fail_msg("ipc_sem --no-sem -i %s lost nothing:\n%s", iters[run % 3], r.out);
        lesson_free(&r);
    }

    const char *path = program_path("day7/ipc_sem");
    expect_usage_contract("day7/ipc_sem");
    const char *const bad[][5] = {{path, "-n", "1", NULL},
                                  {path, "-n", "17", NULL},
                                  {path, "-i", "0", NULL},
                                  {path, "--sem", NULL}};
    expect_usage_errors("ipc_sem", bad, sizeof bad / sizeof bad[0]);
}

static void check_signal_message(const char *text)
{
    const char *argv[] = {program_path("day7/ipc_signal"), "-m", text, NULL};
    struct lesson r;
    run_ok(&r, argv, 20);
    char want[160];
    snprintf(want, sizeof want, "received \"%s\" in %zu signals, each acknowledged", text,
             8 * (strlen(text) + 1));
    if (find_line(r.out, want, true) == NULL)
        fail_msg("no '%s' in:\n%s", want, r.out);
    assert_non_null(find_line(r.out, "exited with status 0", true));
    lesson_free(&r);
}

static void test_ipc_signal_carries_a_message(void **state)
{
    (void)state;
    check_signal_message("hi");
    check_signal_message("Hello, 世界! ~");
    check_signal_message("0123456789012345678901234567890123456789012345678901234567890123");
    const char *path = program_path("day7/ipc_signal");
    expect_usage_contract("day7/ipc_signal");
    const char *const bad[][5] = {
        {path, "-m", "", NULL},
        {path, "-m", "01234567890123456789012345678901234567890123456789012345678901234", NULL},
        {path, "-x", NULL}};
    expect_usage_errors("ipc_signal", bad, sizeof bad / sizeof bad[0]);
}

static void test_ipc_socket_both_ways(void **state)
{
    (void)state;
    const char *argv[] = {program_path("day7/ipc_socket"), NULL};
    struct lesson r;
    run_ok(&r, argv, 10);
    const char *line = find_line(r.out, "parent: sent \"request 1: hello from parent ", false);
    assert_non_null(line);
    assert_non_null(strstr(line, "got back \"REQUEST 1: HELLO FROM PARENT "));
    assert_non_null(find_line(r.out, "after 3 lines\" after the shutdown", true));
    assert_non_null(
        find_line(r.out, "parent: 3 of 3 replies correct; child exited with status 0", false));
    lesson_free(&r);

    const char *many[] = {program_path("day7/ipc_socket"), "-n", "2000", NULL};
    run_ok(&r, many, 60);
    assert_non_null(find_line(r.out, "parent: 2000 of 2000 replies correct", false));
    assert_non_null(find_line(r.out, "after 2000 lines\" after the shutdown", true));
    assert_int_equal(count_lines_containing(r.out, "WRONG"), 0);
    lesson_free(&r);

    const char *path = program_path("day7/ipc_socket");
    expect_usage_contract("day7/ipc_socket");
    const char *const bad[][5] = {{path, "-n", "0", NULL}, {path, "-n", "100001", NULL}};
    expect_usage_errors("ipc_socket", bad, sizeof bad / sizeof bad[0]);
}

/* No process to fork: each program names the failing call, exits 1 and
 * leaves nothing behind. */
static void test_fork_failure_is_reported(void **state)
{
    (void)state;
    const char *programs[] = {"day7/process_attr/process_attr",
                              "day7/my_process",
                              "day7/queue_0/queue_0",
                              "day7/ipc_pipe",
                              "day7/ipc_shm",
                              "day7/ipc_sem",
                              "day7/ipc_signal",
                              "day7/ipc_socket"};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        expect_fork_failure_reported(programs[i], NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_process_attr_default_run, harness_teardown),
        cmocka_unit_test_teardown(test_process_attr_name_in_proc_comm, harness_teardown),
        cmocka_unit_test_teardown(test_process_attr_race_window, harness_teardown),
        cmocka_unit_test_teardown(test_process_attr_usage, harness_teardown),
        cmocka_unit_test_teardown(test_my_process_runs_the_override_in_the_child, harness_teardown),
        cmocka_unit_test_teardown(test_queue_modes, harness_teardown),
        cmocka_unit_test_teardown(test_queue_v1_producer_consumer, harness_teardown),
        cmocka_unit_test_teardown(test_queue_v1_racy_shows_the_race, harness_teardown),
        cmocka_unit_test_teardown(test_queue_v2_request_reply, harness_teardown),
        cmocka_unit_test_teardown(test_queue_max_size_above_the_system_limit, harness_teardown),
        cmocka_unit_test_teardown(test_queue_usage, harness_teardown),
        cmocka_unit_test_teardown(test_queue_nothing_left_after_a_normal_end, harness_teardown),
        cmocka_unit_test_teardown(test_queue_stopped_by_sigint_leaves_nothing, harness_teardown),
        cmocka_unit_test_teardown(test_queue_children_die_with_their_parent, harness_teardown),
        cmocka_unit_test_teardown(test_pool_workers_die_with_their_parent, harness_teardown),
        cmocka_unit_test_teardown(test_my_process_child_dies_with_its_parent, harness_teardown),
        cmocka_unit_test_teardown(test_ipc_pipe_data_arrives_intact, harness_teardown),
        cmocka_unit_test_teardown(test_ipc_shm_shared_and_private, harness_teardown),
        cmocka_unit_test_teardown(test_ipc_sem_counter_is_exact, harness_teardown),
        cmocka_unit_test_teardown(test_ipc_signal_carries_a_message, harness_teardown),
        cmocka_unit_test_teardown(test_ipc_socket_both_ways, harness_teardown),
        cmocka_unit_test_teardown(test_fork_failure_is_reported, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
