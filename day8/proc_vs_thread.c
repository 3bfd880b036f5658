/* day8/proc_vs_thread.c — 进程线程的区别联系 / Processes vs threads
 *
 * Two differences from the course's list, shown with numbers:
 *   - 进程的创建删除消耗的计算机资源比线程多:
 *     creating and ending a process costs more than a thread. fork
 *     copies the process (page tables, file table, ...) and wait collects
 *     it; pthread_create only makes a stack and a task sharing the rest.
 *   - 进程空间独立，线程使用全局变量通信:
 *     a thread changes the one copy of a global variable; a child process
 *     changes its own copy, and its parent never sees it (it needs IPC:
 *     a pipe, a queue, shared memory).
 *
 * Run:   ./build/day8/proc_vs_thread [-n COUNT]   (-h: options)
 * Watch: a process costs several times a thread to create (the figure
 *        depends on the machine and its load; `make bench` measures it
 *        properly); main sees the thread's change of value, not the
 *        child's.
 * See also: day7/thread1 and day5/fork1 (the same contrast, one at a
 * time), day8/gil.
 */
#define _GNU_SOURCE /* gettid */

#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum { DEFAULT_COUNT = 100, MAX_COUNT = 10000 };
static const double BUDGET_S =
    1.0; /* each measurement stops after this, done or not */

static int value = 1; /* one global variable: who sees whose change? */

static void *nothing(void *arg)
{
    return arg; /* the cheapest thread there is: start, end */
}

/* Create and join threads, one after the other, until count are done or
 * the time budget is spent; return how many, and the seconds taken. */
static long time_threads(long count, double *seconds)
{
    double start = clock_now();
    long i;
    for (i = 0; i < count && clock_now() - start < BUDGET_S; i++) {
        pthread_t t;
        int err = pthread_create(&t, NULL, nothing, NULL);
        if (err != 0)
            die_pthread(err, "pthread_create");
        if ((err = pthread_join(t, NULL)) != 0)
            die_pthread(err, "pthread_join");
    }
    *seconds = clock_now() - start;
    return i;
}

/* The same with processes: fork, and wait for the child. */
static long time_processes(long count, double *seconds)
{
    fflush(stdout); /* nothing buffered may be copied into the children */
    double start = clock_now();
    long i;
    for (i = 0; i < count && clock_now() - start < BUDGET_S; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die_errno("fork");
        if (pid == 0)
            _exit(0); /* the cheapest child there is: start, end */
        int status;
        if (waitpid(pid, &status, 0) < 0)
            die_errno("waitpid");
    }
    *seconds = clock_now() - start;
    return i;
}

/* Time both, and print the table. */
static void compare_creation(long count)
{
    double threads, processes;
    long nthreads = time_threads(count, &threads);
    long nprocesses = time_processes(count, &processes);
    printf("%-26s %6s %9s %11s\n", "what", "count", "total_ms", "each_us");
    printf("%-26s %6ld %9.2f %11.1f\n", "threads (create+join)", nthreads,
           threads * 1e3, threads * 1e6 / (double)nthreads);
    printf("%-26s %6ld %9.2f %11.1f\n", "processes (fork+wait)", nprocesses,
           processes * 1e3, processes * 1e6 / (double)nprocesses);
    if (nthreads < count || nprocesses < count)
        printf("(stopped at the %.1f s time limit before %ld: a slow or busy "
               "machine)\n",
               BUDGET_S, count);
    double ratio =
        (processes / (double)nprocesses) / (threads / (double)nthreads);
    printf("a process cost %.1fx the time of a thread to create and end\n",
           ratio);
}

static void *set_value_2(void *arg)
{
    (void)arg;
    value = 2; /* main reads it after pthread_join: no race */
    printf("memory: thread (pid %d, tid %d) sets value = 2\n", (int)getpid(),
           (int)gettid());
    return NULL;
}

static void show_memory(void)
{
    printf("memory: main (pid %d) has value = %d\n", (int)getpid(), value);

    pthread_t t;
    int err = pthread_create(&t, NULL, set_value_2, NULL);
    if (err != 0)
        die_pthread(err, "pthread_create");
    if ((err = pthread_join(t, NULL)) != 0)
        die_pthread(err, "pthread_join");
    printf("memory: after the thread, main sees value = %d: "
           "one memory, shared\n",
           value);

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        value = 3; /* the child's own copy */
        printf("memory: child process (pid %d) sets value = 3\n",
               (int)getpid());
        fflush(stdout);
        _exit(0);
    }
    if (waitpid(pid, NULL, 0) < 0)
        die_errno("waitpid");
    printf("memory: after the child, main still sees value = %d: the child "
           "changed its own copy\n",
           value);
}

static const char usage[] =
    "usage: proc_vs_thread [-n COUNT] [-h]\n"
    "  -n COUNT  threads, then processes, to create and end,\n"
    "            1..10000 (default 100)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long count = DEFAULT_COUNT;
    int opt;
    while ((opt = getopt(argc, argv, "n:h")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 1, MAX_COUNT, &count) < 0)
                die_usage(usage, "bad COUNT '%s': expected 1..%d", optarg,
                          MAX_COUNT);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    compare_creation(count);
    show_memory();
    return 0;
}
