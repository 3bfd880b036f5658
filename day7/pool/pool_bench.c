/* day7/pool/pool_bench.c — 进程池的速度 / What a pool buys: the pool of
 * pool.c against one fork per task
 *
 * N trivial tasks (each returns its 8 argument bytes) through a pool of 2
 * workers, with 4096 tasks in flight; then the same work with one fork per
 * task (fork, run, send the result back through a pipe, exit, reap), timed
 * on at most 1000 tasks. The pool pays for fork once per worker; the other
 * way pays for it on every task.
 *
 * Run: ./build/day7/pool/pool_bench [N]   (default 200000 tasks)
 * Watch: the pool's tasks/s (the goal: at least 100,000 with 2 workers)
 * and its ratio to fork per task (the goal: at least 10x). Other work on
 * the machine slows both sides: the load average is printed first.
 * See also: pool.c, pool_demo.c; `make bench` runs it.
 */
#define _GNU_SOURCE /* getloadavg */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/options.h"
#include "day7/pool/pool.h"

enum {
    DEFAULT_TASKS = 200000,
    MAX_TASKS = 100000000,
    WORKERS = 2,
    RING = 4096,        /* tasks in flight through the pool */
    FORK_SAMPLE = 1000, /* fork per task runs at most this many */
};

/* The trivial task: return the 8 argument bytes. */
static long echo(const void *arg, size_t len, void *out)
{
    memcpy(out, arg, len);
    return (long)len;
}

/* Tasks per second through a pool of WORKERS, RING tasks in flight. */
static double bench_pool(long n)
{
    struct pool *p = pool_create(WORKERS);
    if (p == NULL)
        die_errno("pool_create");
    static struct pool_task *ring[RING];
    long sum = 0, expected = 0;
    double start = clock_now();
    for (long i = 0; i < n + RING; i++) {
        struct pool_task **slot = &ring[i % RING];
        if (i >= RING) { /* collect the task from RING ago */
            struct pool_result r;
            if (pool_get(p, *slot, &r) < 0)
                die_errno("get");
            long value = 0;
            if (r.status != POOL_OK || r.len != sizeof value)
                die("task %ld failed", i - RING);
            memcpy(&value, r.data, sizeof value);
            sum += value;
            free(r.data);
        }
        if (i < n) {
            *slot = pool_apply_async(p, echo, &i, sizeof i);
            if (*slot == NULL)
                die_errno("apply_async");
            expected += i;
        }
    }
    double elapsed = clock_now() - start;
    if (sum != expected)
        die("results do not add up (%ld, expected %ld)", sum, expected);
    pool_close(p);
    if (pool_join(p) < 0)
        die_errno("join");
    pool_free(p);
    return (double)n / elapsed;
}

/* Tasks per second with one fork per task. */
static double bench_fork(long n)
{
    long sum = 0, expected = 0;
    double start = clock_now();
    for (long i = 0; i < n; i++) {
        int fds[2];
        if (pipe(fds) < 0)
            die_errno("pipe");
        pid_t pid = fork();
        if (pid < 0)
            die_errno("fork");
        if (pid == 0) {
            long value;
            close(fds[0]);
            echo(&i, sizeof i, &value);
            _exit(io_write_all(fds[1], &value, sizeof value) < 0);
        }
        close(fds[1]);
        long value = 0;
        if (io_read_exact(fds[0], &value, sizeof value) != sizeof value)
            die("a forked task sent no result");
        close(fds[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        sum += value;
        expected += i;
    }
    double elapsed = clock_now() - start;
    if (sum != expected)
        die("fork results do not add up");
    return (double)n / elapsed;
}

static const char usage[] = "usage: pool_bench [N] [-h]\n"
                            "  N  trivial tasks to run, 1..100000000 "
                            "(default 200000)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "h")) != -1) {
        if (opt == 'h')
            print_usage_and_exit(usage);
        die_usage(usage, NULL);
    }
    long n = DEFAULT_TASKS;
    if (argc - optind > 1)
        die_usage(usage, "unexpected argument '%s'", argv[optind + 1]);
    if (optind < argc && parse_long(argv[optind], 1, MAX_TASKS, &n) < 0)
        die_usage(usage, "bad N '%s': expected 1..%d", argv[optind], MAX_TASKS);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    long forks = n < FORK_SAMPLE ? n : FORK_SAMPLE;
    double load[1] = {-1};
    getloadavg(load, 1);
    printf("bench: %ld trivial tasks (return 8 bytes) on %ld CPUs, "
           "load average %.2f\n",
           n, sysconf(_SC_NPROCESSORS_ONLN), load[0]);
    double fork_rate = bench_fork(forks);
    double pool_rate = bench_pool(n);
    printf("  fork per task     : %10.0f tasks/s (timed on %ld tasks)\n",
           fork_rate, forks);
    printf("  pool of %d workers : %10.0f tasks/s (%ld tasks)\n", WORKERS,
           pool_rate, n);
    printf("  ratio             : %10.1fx\n", pool_rate / fork_rate);
    printf("  goals: >= 100000 tasks/s %s; >= 10x fork per task %s\n",
           pool_rate >= 100000 ? "reached" : "NOT reached",
           pool_rate >= 10 * fork_rate ? "reached" : "NOT reached");
    return 0;
}
