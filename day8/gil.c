/* day8/gil.c — python线程GIL / The GIL, measured against C's free threads
 *
 * CPython's global interpreter lock, the GIL, lets one thread at a time
 * run Python code, whatever the cores; a thread gives it up when it blocks
 * and every few ms. So threads do not speed up CPU-bound work (processes
 * do), but they do speed up IO-bound work: a blocked thread holds no GIL.
 *
 * C has no GIL, so both worlds side by side: a CPU job and an IO job
 * (blocking sleeps), each run sequentially, with T threads, with T
 * processes, and with T threads under a simulated GIL (given up around
 * each blocking call, handed over after each unit of work). The best of a
 * few runs is kept; speedup = sequential time / that time.
 *
 * Run:   ./build/day8/gil [-t T] [-c UNITS] [-i WAITS] [-d MS] [-r REPEAT]
 * Watch: cpu threads+GIL ~1.00x or below, cpu threads and processes up to
 *        min(T, cores)x; io: all ~Tx. If the free threads could not use
 *        the cores (a busy machine), the last line says so.
 * See also: day8/proc_vs_thread, day8/thread_lock.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum { MAX_WORKERS = 32, UNIT_ITERATIONS = 50000 }; /* a unit: ~0.1 ms */

enum job { CPU_JOB, IO_JOB };
enum how { SEQUENTIAL, THREADS, PROCESSES, GIL_THREADS, NHOW };
static const char *const how_name[NHOW] = {"sequential", "threads", "processes",
                                           "threads+GIL"};

struct share { /* one worker's share of a job */
    enum job job;
    int index;         /* its result slot */
    long units, waits; /* CPU job: units of work; IO job: blocking waits */
    bool gil;          /* hold the simulated GIL to run */
};

static long wait_ms = 15;
static volatile uint64_t results[MAX_WORKERS]; /* so the work is done */

static void gil_acquire(void);
static void gil_release(void);
static uint64_t cpu_unit(uint64_t x);
static void busy_check(double threads_speedup, long workers);

/* --- the lesson: a share of work, with or without the GIL ---------------- */

static void do_share(const struct share *s)
{
    uint64_t x = 88172645463325252ULL + (uint64_t)s->index;
    if (s->gil)
        gil_acquire();
    for (long u = 0; s->job == CPU_JOB && u < s->units; u++) {
        x = cpu_unit(x);
        if (s->gil) { /* end of a switch interval: hand the GIL over */
            gil_release();
            gil_acquire();
        }
    }
    for (long w = 0; s->job == IO_JOB && w < s->waits; w++) {
        x = cpu_unit(x); /* a little work to prepare the request */
        if (s->gil)
            gil_release(); /* CPython blocks WITHOUT the GIL */
        clock_sleep_ms(wait_ms);
        if (s->gil)
            gil_acquire();
    }
    if (s->gil)
        gil_release();
    results[s->index] = x;
}

static void *thread_main(void *arg)
{
    do_share(arg);
    return NULL;
}

/* Run the job one way, its work split over the workers; the wall time. */
static double run(enum job job, enum how how, int n, long units, long waits)
{
    struct share sh[MAX_WORKERS];
    pthread_t threads[MAX_WORKERS];
    pid_t pids[MAX_WORKERS];
    n = how == SEQUENTIAL ? 1 : n;
    for (int i = 0; i < n; i++)
        sh[i] = (struct share){job, i, units / n + (i < units % n),
                               waits / n + (i < waits % n), how == GIL_THREADS};
    fflush(stdout); /* nothing buffered may be copied into the children */
    double start = clock_now();
    for (int i = 0; i < n; i++) {
        if (how == SEQUENTIAL) {
            do_share(&sh[i]);
        } else if (how == PROCESSES) {
            if ((pids[i] = fork()) < 0)
                die_errno("fork");
            if (pids[i] == 0) { /* the child: its own copy of everything */
                do_share(&sh[i]);
                _exit(0);
            }
        } else {
            int err = pthread_create(&threads[i], NULL, thread_main, &sh[i]);
            if (err != 0)
                die_pthread(err, "pthread_create");
        }
    }
    for (int i = 0; i < n && how != SEQUENTIAL; i++) {
        int status, err;
        if (how != PROCESSES && (err = pthread_join(threads[i], NULL)) != 0)
            die_pthread(err, "pthread_join");
        if (how == PROCESSES && waitpid(pids[i], &status, 0) < 0)
            die_errno("waitpid");
        if (how == PROCESSES && status != 0)
            die("worker process %d failed (wait status %d)", pids[i], status);
    }
    return clock_now() - start;
}

/* --- helpers ----------------------------------------------------------------
 * The simulated GIL: a FAIR lock (first come, first served) from a mutex,
 * a condition variable and two ticket counters, as CPython hands the GIL
 * to a waiting thread; a plain mutex would let the releasing thread take
 * it straight back. */
static pthread_mutex_t gil_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gil_turn = PTHREAD_COND_INITIALIZER;
static unsigned long gil_next_ticket, gil_now_serving; /* under gil_mutex */

static void gil_acquire(void)
{
    mutex_lock(&gil_mutex);
    unsigned long ticket = gil_next_ticket++;
    while (ticket != gil_now_serving) {
        int err = pthread_cond_wait(&gil_turn, &gil_mutex);
        if (err != 0)
            die_pthread(err, "pthread_cond_wait");
    }
    mutex_unlock(&gil_mutex);
}

static void gil_release(void)
{
    mutex_lock(&gil_mutex);
    gil_now_serving++;
    pthread_cond_broadcast(&gil_turn); /* the next ticket's owner may run */
    mutex_unlock(&gil_mutex);
}

/* One unit of pure computation (xorshift): no memory, no system call. */
static uint64_t cpu_unit(uint64_t x)
{
    for (int i = 0; i < UNIT_ITERATIONS; i++)
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
}

/* The point needs free cores: if the free threads did not get half the
 * speedup the cores allow (to the 0.01 printed), say it was too busy. */
static void busy_check(double threads_speedup, long workers)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double ideal = (double)(workers < cores ? workers : cores);
    if (ideal < 2 || threads_speedup + 0.005 >= 1 + (ideal - 1) / 2)
        return;
    double load = -1; /* the run queue's length, averaged over a minute */
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL && fscanf(f, "%lf", &load) != 1)
        load = -1;
    if (f != NULL)
        fclose(f);
    printf(
        "gil: TOO BUSY to show the point: free C threads reached %.2fx "
        "where %.0f free cores would allow %.0fx (load average %.2f on %ld "
        "cores): "
        "other programs (or a CPU quota) had the cores; run it again later\n",
        threads_speedup, ideal, ideal, load, cores);
}

static const char usage[] =
    "usage: gil [-t T] [-c UNITS] [-i WAITS] [-d MS] [-r REPEAT] [-h]\n"
    "  -t T       workers (threads or processes), 1..32 (default 4)\n"
    "  -c UNITS   CPU job: units of work (~0.1 ms each), 1..100000 (1200)\n"
    "  -i WAITS   IO job: blocking waits in all, 1..1000 (default 8)\n"
    "  -d MS      IO job: length of one wait, 1..1000 ms (default 15)\n"
    "  -r REPEAT  runs of each way, best kept, 1..10 (default: 3 in 0.8 s)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long t = 4, units = 1200, waits = 8, repeat = 3, *value = NULL, max = 0;
    bool exact_repeat = false; /* -r given: exactly that many runs */
    int opt;
    while ((opt = getopt(argc, argv, "t:c:i:d:r:h")) != -1) {
        switch (opt) {
        case 't': value = &t, max = MAX_WORKERS; break;
        case 'c': value = &units, max = 100000; break;
        case 'i': value = &waits, max = 1000; break;
        case 'd': value = &wait_ms, max = 1000; break;
        case 'r': value = &repeat, max = 10, exact_repeat = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
        if (parse_long(optarg, 1, max, value) < 0)
            die_usage(usage, "bad -%c '%s': expected 1..%ld", opt, optarg, max);
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    printf("gil: %ld workers, %ld cores; cpu job: %ld units of work; io job: "
           "%ld waits of %ld ms\n",
           t, sysconf(_SC_NPROCESSORS_ONLN), units, waits, wait_ms);
    printf("job  how          workers runs   wall_ms  speedup\n");
    double speedup[2][NHOW];
    for (enum job job = CPU_JOB; job <= IO_JOB; job++) {
        double best[NHOW] = {0}, job_start = clock_now();
        long runs = 0;
        do { /* the four ways in turn, so that a busy moment hits them all */
            for (enum how how = SEQUENTIAL; how < NHOW; how++) {
                double wall = run(job, how, (int)t, units, waits);
                best[how] = runs == 0 || wall < best[how] ? wall : best[how];
            }
            runs++;
        } while (runs < repeat &&
                 (exact_repeat || clock_now() - job_start <= 0.8)); /* s */
        for (enum how how = SEQUENTIAL; how < NHOW; how++) {
            speedup[job][how] = best[SEQUENTIAL] / best[how];
            printf("%-4s %-12s %7ld %4ld %9.1f %7.2fx\n",
                   job == CPU_JOB ? "cpu" : "io", how_name[how],
                   how == SEQUENTIAL ? 1 : t, runs, best[how] * 1000,
                   speedup[job][how]);
        }
    }
    printf("gil: cpu-bound: threads+GIL %.2fx (one thread at a time, whatever "
           "the cores); processes %.2fx, free C threads %.2fx\n",
           speedup[CPU_JOB][GIL_THREADS], speedup[CPU_JOB][PROCESSES],
           speedup[CPU_JOB][THREADS]);
    printf("gil: io-bound: threads+GIL %.2fx, like threads %.2fx: a blocked "
           "thread does not hold the GIL\n",
           speedup[IO_JOB][GIL_THREADS], speedup[IO_JOB][THREADS]);
    busy_check(speedup[CPU_JOB][THREADS], t);
    return 0;
}
