/* bench/spawn.c — 进程池 vs 每任务一进程/线程 / what starting work costs
 *
 * Two questions from days 7 and 8, answered with numbers on this machine:
 *   1. create: how long does it take to create and end one thread
 *      (pthread_create + pthread_join) and one process (fork + _exit +
 *      waitpid), one at a time?
 *   2. tasks: N trivial tasks (each returns its 8-byte argument doubled),
 *      run by a pool of pre-forked worker processes fed through pipes,
 *      by a new process per task, and by a new thread per task.
 * Each measurement runs for a time budget and reports how many it did.
 *
 * Run it:   ./build/bench/spawn [-b SECONDS] [-w WORKERS] [-k]
 *   -b  time budget of each measurement (default 1 s)
 *   -w  pool workers (default: the number of CPUs)
 *   -k  one key=value line per measurement, for bench/shootout
 * Watch:    a process costs several times a thread to create (fork copies
 *           the page tables, wait collects it); the pool pays that once
 *           and then runs each task for the price of two pipe messages.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/options.h"

static const char usage[] = "usage: spawn [-b SECONDS] [-w WORKERS] [-k]\n";

enum { BATCH = 256, MAX_WORKERS = 64 };

struct result { const char *name, *unit; long count; double seconds; };

static uint64_t task(uint64_t arg) { return arg * 2; }

static void *thread_task(void *arg)
{
    uint64_t *v = arg;
    *v = task(*v);
    return NULL;
}

static void *nothing(void *arg) { return arg; }

/* One thread at a time, created and joined, for the budget. */
static struct result create_threads(double budget)
{
    struct result r = {"create-thread", "us/create", 0, 0};
    double t0 = clock_now();
    while ((r.seconds = clock_now() - t0) < budget) {
        pthread_t t;
        int e = pthread_create(&t, NULL, nothing, NULL);
        if (e != 0)
            die("pthread_create: %s", strerror(e));
        pthread_join(t, NULL);
        r.count++;
    }
    return r;
}

/* One process at a time: fork, the child exits at once, waitpid. */
static struct result create_processes(double budget)
{
    struct result r = {"create-process", "us/create", 0, 0};
    double t0 = clock_now();
    while ((r.seconds = clock_now() - t0) < budget) {
        pid_t pid = fork();
        if (pid < 0)
            die_errno("fork");
        if (pid == 0)
            _exit(0);
        while (waitpid(pid, NULL, 0) < 0)
            if (errno != EINTR)
                die_errno("waitpid");
        r.count++;
    }
    return r;
}

/* A task per process: the child computes and sends the result back. */
static struct result fork_per_task(double budget)
{
    struct result r = {"fork-per-task", "tasks/s", 0, 0};
    double t0 = clock_now();
    while ((r.seconds = clock_now() - t0) < budget) {
        int p[2];
        uint64_t arg = (uint64_t)r.count, got;
        if (pipe(p) < 0)
            die_errno("pipe");
        pid_t pid = fork();
        if (pid < 0)
            die_errno("fork");
        if (pid == 0) {
            uint64_t v = task(arg);
            _exit(io_write_all(p[1], &v, sizeof v) == sizeof v ? 0 : 1);
        }
        close(p[1]);
        if (io_read_exact(p[0], &got, sizeof got) != sizeof got || got != task(arg))
            die("fork-per-task: wrong result");
        close(p[0]);
        while (waitpid(pid, NULL, 0) < 0)
            if (errno != EINTR)
                die_errno("waitpid");
        r.count++;
    }
    return r;
}

/* A task per thread, created and joined. */
static struct result thread_per_task(double budget)
{
    struct result r = {"thread-per-task", "tasks/s", 0, 0};
    double t0 = clock_now();
    while ((r.seconds = clock_now() - t0) < budget) {
        pthread_t t;
        uint64_t v = (uint64_t)r.count;
        int e = pthread_create(&t, NULL, thread_task, &v);
        if (e != 0)
            die("pthread_create: %s", strerror(e));
        pthread_join(t, NULL);
        if (v != task((uint64_t)r.count))
            die("thread-per-task: wrong result");
        r.count++;
    }
    return r;
}

/* A pool of workers, each reading tasks from its pipe and writing results
 * to another; the parent keeps BATCH tasks in flight per worker. */
static struct result pool(double budget, int workers)
{
    struct result r = {"process-pool", "tasks/s", 0, 0};
    int to[MAX_WORKERS], from[MAX_WORKERS];
    pid_t pids[MAX_WORKERS];
    for (int w = 0; w < workers; w++) {
        int a[2], b[2];
        if (pipe(a) < 0 || pipe(b) < 0)
            die_errno("pipe");
        if ((pids[w] = fork()) < 0)
            die_errno("fork");
        if (pids[w] == 0) {
            close(a[1]);
            close(b[0]);
            for (int o = 0; o < w; o++) { /* the other workers' pipes: their EOF is not ours to hold */
                close(to[o]);
                close(from[o]);
            }
            uint64_t v;
            while (io_read_exact(a[0], &v, sizeof v) == sizeof v) {
                v = task(v);
                if (io_write_all(b[1], &v, sizeof v) != sizeof v)
                    _exit(1);
            }
            _exit(0);
        }
        close(a[0]);
        close(b[1]);
        to[w] = a[1];
        from[w] = b[0];
    }
    uint64_t in[BATCH], out[BATCH];
    double t0 = clock_now(); /* the workers exist: their start is not counted */
    while ((r.seconds = clock_now() - t0) < budget) {
        for (int w = 0; w < workers; w++) {
            for (int i = 0; i < BATCH; i++)
                in[i] = (uint64_t)(r.count + w * BATCH + i);
            if (io_write_all(to[w], in, sizeof in) != sizeof in)
                die_errno("pool: write");
        }
        for (int w = 0; w < workers; w++) {
            if (io_read_exact(from[w], out, sizeof out) != sizeof out)
                die("pool: a worker died");
            for (int i = 0; i < BATCH; i++)
                if (out[i] != task((uint64_t)(r.count + w * BATCH + i)))
                    die("pool: wrong result");
        }
        r.count += (long)workers * BATCH;
    }
    for (int w = 0; w < workers; w++) {
        close(to[w]);
        close(from[w]);
        while (waitpid(pids[w], NULL, 0) < 0)
            if (errno != EINTR)
                die_errno("waitpid");
    }
    return r;
}

static double figure(const struct result *r)
{
    if (r->count == 0)
        return 0;
    return strcmp(r->unit, "tasks/s") == 0 ? (double)r->count / r->seconds
                                            : r->seconds / (double)r->count * 1e6;
}

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double budget = 1.0;
    long workers = ncpu > 0 ? ncpu : 2;
    int kv = 0, opt;
    while ((opt = getopt(argc, argv, "b:w:kh")) != -1) {
        char *end;
        switch (opt) {
        case 'b':
            budget = strtod(optarg, &end);
            if (*end != '\0' || !(budget > 0) || budget > 600)
                die_usage(usage, "bad budget '%s'", optarg);
            break;
        case 'w':
            if (parse_long(optarg, 1, MAX_WORKERS, &workers) < 0)
                die_usage(usage, "bad worker count '%s'", optarg);
            break;
        case 'k': kv = 1; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (!kv)
        printf("spawn: %.1f s per measurement, %ld CPUs, pool of %ld workers\n", budget, ncpu,
               workers);
    fflush(stdout);
    struct result rs[5];
    rs[0] = create_threads(budget);
    rs[1] = create_processes(budget);
    rs[2] = pool(budget, (int)workers);
    rs[3] = fork_per_task(budget);
    rs[4] = thread_per_task(budget);
    for (int i = 0; i < 5; i++) {
        if (kv)
            printf("name=%s unit=%s count=%ld seconds=%.3f value=%.2f workers=%ld\n", rs[i].name,
                   rs[i].unit, rs[i].count, rs[i].seconds, figure(&rs[i]), workers);
        else
            printf("  %-16s %12.1f %-9s (%ld in %.2f s)\n", rs[i].name, figure(&rs[i]),
                   rs[i].unit, rs[i].count, rs[i].seconds);
    }
    return 0;
}
