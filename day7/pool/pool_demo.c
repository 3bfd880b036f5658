/* day7/pool/pool_demo.c — 进程池 / The course's pool.py, on the pool of
 * pool.c
 *
 * Pool(4), then apply_async() of 10 tasks "Tedu 0".."Tedu 9" that each
 * print the time and their worker's pid and sleep (the course: 2 s; here
 * 200 ms), get() of each result, close(), join(). A task given -c crashes
 * its worker with abort(): get() says so, and the pool forks a new worker.
 *
 * Run: ./build/day7/pool/pool_demo [-w WORKERS] [-n TASKS] [-s MS] [-c K]
 *      e.g. ./build/day7/pool/pool_demo -w 2 -n 6 -s 50 -c 2
 * Watch: the "-- Tedu i" lines come in waves of 4, 4, 2 with the same
 * worker pids; get() returns each task's own result; with -c the crashed
 * task says "killed by SIGABRT" and a new worker pid appears; after join,
 * /proc shows no child left.
 * See also: pool.c (how the pool works), pool_bench.c (its speed).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/procfs.h"
#include "common/status.h"
#include "common/walltime.h"
#include "day7/pool/pool.h"

enum {
    MAX_TASKS = 10000,
    MAX_SLEEP_MS = 10000,
};

/* The argument bytes of one task. */
struct job {
    int number;   /* the course's "Tedu i" */
    int sleep_ms; /* the course's sleep(2) */
    int crash;    /* 1: abort() instead of working */
};

static void print_result(int i, const struct pool_result *r);
static void print_children(const char *when);

/* The course's worker(msg): print the time and the message, sleep, return
 * a reply. Runs in a pool process. */
static long job_run(const void *arg, size_t len, void *out)
{
    struct job j;
    if (len != sizeof j)
        return -1;
    memcpy(&j, arg, sizeof j);
    char now[32];
    walltime_text(now, sizeof now);
    printf("%s -- Tedu %d (worker %d)\n", now, j.number, (int)getpid());
    if (j.crash)
        abort(); /* the worker dies here; the pool must notice */
    clock_sleep_ms(j.sleep_ms);
    return snprintf(out, POOL_MAX_RESULT, "Tedu %d done by worker %d", j.number,
                    (int)getpid());
}

static void run_demo(int workers, int tasks, int sleep_ms, int crash_task)
{
    struct pool *p = pool_create(workers); /* Pool(workers) */
    if (p == NULL)
        die_errno("pool_create");
    printf("Pool(%d): workers", workers);
    for (int i = 0; i < workers; i++)
        printf(" %d", (int)pool_worker_pid(p, i));
    printf(" (forked once, reused for every task)\n");

    struct pool_task **handles =
        calloc((size_t)tasks, sizeof(struct pool_task *));
    if (handles == NULL)
        die_errno("calloc");
    for (int i = 0; i < tasks; i++) {
        struct job j = {i, sleep_ms, i == crash_task};
        handles[i] = pool_apply_async(p, job_run, &j, sizeof j);
        if (handles[i] == NULL)
            die_errno("apply_async");
    }
    printf("apply_async: %d tasks queued; each call returned at once\n", tasks);

    pid_t *seen = calloc((size_t)tasks, sizeof *seen);
    if (seen == NULL)
        die_errno("calloc");
    int distinct = 0, crashed = 0;
    for (int i = 0; i < tasks; i++) {
        struct pool_result r;
        if (pool_get(p, handles[i], &r) < 0)
            die_errno("get");
        print_result(i, &r);
        crashed += r.status == POOL_CRASHED;
        bool known = false;
        for (int k = 0; k < distinct; k++)
            known = known || seen[k] == r.worker;
        if (!known)
            seen[distinct++] = r.worker;
        free(r.data);
    }
    printf("%d tasks ran on %d worker processes; %d crashed, "
           "%d workers replaced\n",
           tasks, distinct, crashed, pool_replaced(p));
    print_children("workers alive now");

    pool_close(p);
    struct job late = {tasks, 0, 0};
    if (pool_apply_async(p, job_run, &late, sizeof late) != NULL)
        die("apply_async after close was accepted");
    printf("apply_async after close: refused, errno %s (%s)\n",
           errno == EINVAL ? "EINVAL" : "?", strerror(errno));
    if (pool_join(p) < 0)
        die_errno("join");
    print_children("after join");
    pool_free(p);
    free(handles);
    free(seen);
}

/* Print what get() returned for task i. */
static void print_result(int i, const struct pool_result *r)
{
    char how[64];
    if (r->status == POOL_CRASHED)
        printf("get(task %d): CRASHED: worker %d %s mid-task\n", i,
               (int)r->worker,
               status_describe(r->wait_status, how, sizeof how));
    else if (r->status == POOL_FAILED)
        printf("get(task %d): FAILED (worker %d)\n", i, (int)r->worker);
    else
        printf("get(task %d): ok, from worker %d: \"%.*s\"\n", i,
               (int)r->worker, (int)r->len,
               r->data != NULL ? (const char *)r->data : "");
}

/* How many children this process has in /proc, and how many are zombies. */
static void print_children(const char *when)
{
    enum { MAX = POOL_MAX_WORKERS + 8 };
    pid_t kids[MAX];
    int n = procfs_children(getpid(), kids, MAX);
    int zombies = procfs_count_zombies(getpid());
    printf("%s (from /proc): %d children, %d zombies", when, n, zombies);
    for (int i = 0; i < n && i < MAX; i++)
        printf("%s%d", i == 0 ? ": " : " ", (int)kids[i]);
    printf("\n");
}

static const char usage[] =
    "usage: pool_demo [-w WORKERS] [-n TASKS] [-s MS] [-c K] [-h]\n"
    "  -w WORKERS  processes in the pool, 1..64 (default 4)\n"
    "  -n TASKS    tasks to run, 1..10000 (default 10)\n"
    "  -s MS       each task sleeps MS ms, 0..10000 (default 200)\n"
    "  -c K        task K crashes its worker with abort()\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long workers = 4, tasks = 10, sleep_ms = 200, crash = -1;
    int opt;
    while ((opt = getopt(argc, argv, "w:n:s:c:h")) != -1) {
        switch (opt) {
        case 'w':
            if (parse_long(optarg, 1, POOL_MAX_WORKERS, &workers) < 0)
                die_usage(usage, "bad WORKERS '%s'", optarg);
            break;
        case 'n':
            if (parse_long(optarg, 1, MAX_TASKS, &tasks) < 0)
                die_usage(usage, "bad TASKS '%s'", optarg);
            break;
        case 's':
            if (parse_long(optarg, 0, MAX_SLEEP_MS, &sleep_ms) < 0)
                die_usage(usage, "bad MS '%s'", optarg);
            break;
        case 'c':
            if (parse_long(optarg, 0, MAX_TASKS - 1, &crash) < 0)
                die_usage(usage, "bad K '%s': expected a task number", optarg);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (crash >= tasks)
        die_usage(usage, "task %ld does not exist: tasks are 0..%ld", crash,
                  tasks - 1);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    run_demo((int)workers, (int)tasks, (int)sleep_ms, (int)crash);
    return 0;
}
