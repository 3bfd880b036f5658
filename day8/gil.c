/* day8/gil.c — python线程GIL / The GIL: what it costs, measured against C's free threads
 *
 * CPython's interpreter has one lock, the GIL (global interpreter lock):
 * a thread must hold it to run Python code, so only one thread runs at a
 * time, whatever the number of cores. A thread gives the GIL up when it
 * blocks (sleep, read, recv...) and every few milliseconds (the switch
 * interval), so the others take turns. The course's conclusions:
 *   - CPU-bound work: Python threads are no faster than one thread (even a
 *     bit slower); processes, each with its own interpreter and GIL, are;
 *   - IO-bound work (blocking, high latency): threads do help, because a
 *     blocked thread has released the GIL.
 *
 * C has no GIL: pthreads really run in parallel. So this program shows both
 * worlds side by side. It runs a CPU-bound job (number crunching) and an
 * IO-bound job (blocking sleeps, as a thread waiting for the network would)
 * four ways: sequentially in one thread; with T threads; with T processes;
 * and with T threads that must hold one global lock to run, a simulated
 * GIL, released around each blocking call and handed over after each unit
 * of work, as CPython does. It prints the wall time of each and the speedup
 * over the sequential run (sequential time / this time). Each is measured
 * several times (runs), the four ways in turn, and the best (shortest)
 * time is kept: on a shared machine other programs steal the CPU at random
 * moments, and the best run is the one they disturbed least.
 *
 * Usage: gil [-t T] [-c UNITS] [-i WAITS] [-d MS] [-r REPEAT] [-h]
 *   -t T       workers (threads or processes), 1..32 (default 4)
 *   -c UNITS   CPU job: units of work in all, split over the workers,
 *              1..100000 (default 1200; a unit is ~0.1 ms on a 2020s core)
 *   -i WAITS   IO job: blocking waits in all, split over the workers,
 *              1..1000 (default 8)
 *   -d MS      IO job: length of one wait, 1..1000 ms (default 15)
 *   -r REPEAT  runs of each, the best is kept, 1..10 (default: up to 3,
 *              fewer if a job has taken 0.8 s already, so that a busy
 *              machine does not make the run long)
 *
 * Watch for: cpu threads+GIL ~1.00x or below, while cpu threads and
 * processes get ~min(T, cores)x; io threads+GIL ~Tx like the others.
 * Timings are noisy on a busy machine: for steadier figures give the CPU
 * job more work and measure more often (gil -c 4000 -r 5).
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

enum {
    DEFAULT_WORKERS = 4,
    MAX_WORKERS = 32,
    DEFAULT_UNITS = 1200,
    MAX_UNITS = 100000,
    DEFAULT_WAITS = 8,
    MAX_WAITS = 1000,
    DEFAULT_WAIT_MS = 15,
    MAX_WAIT_MS = 1000,
    DEFAULT_REPEAT = 3,
    MAX_REPEAT = 10,
    UNIT_ITERATIONS = 50000, /* one unit of CPU work: about 0.1 ms */
};
static const double JOB_BUDGET_S = 0.8; /* no new run of a job after this, without -r */

enum job { CPU_JOB, IO_JOB };
enum how { SEQUENTIAL, THREADS, PROCESSES, GIL_THREADS, NHOW };
static const char *const how_name[NHOW] = {"sequential", "threads", "processes", "threads+GIL"};
static const char *const job_name[] = {"cpu", "io"};

/* One worker's share of a job. */
struct share {
    enum job job;
    int index;  /* which result slot is ours */
    long units; /* CPU job: units of work */
    long waits; /* IO job: blocking waits */
    bool gil;   /* hold the simulated GIL to run */
};

static long wait_ms = DEFAULT_WAIT_MS;
/* One slot per worker, so no two threads write the same place; volatile
 * so the compiler cannot skip the work whose result nobody reads. */
static volatile uint64_t results[MAX_WORKERS];

/* --- the simulated GIL ---------------------------------------------------------
 * A fair (first come, first served) lock, made of a mutex, a condition
 * variable and two ticket counters. Fair on purpose: CPython hands the GIL
 * to a waiting thread at the end of a switch interval; a plain mutex would
 * let the thread that just released it take it straight back. */

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

/* --- the work ---------------------------------------------------------------------- */

/* One unit of pure computation (xorshift): no memory, no system call. */
static uint64_t cpu_unit(uint64_t x)
{
    for (int i = 0; i < UNIT_ITERATIONS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

/* Do one share of a job: in main, in a thread or in a child process. */
static void do_share(const struct share *s)
{
    uint64_t x = 88172645463325252ULL + (uint64_t)s->index;
    if (s->gil)
        gil_acquire();
    if (s->job == CPU_JOB) {
        for (long u = 0; u < s->units; u++) {
            x = cpu_unit(x);
            if (s->gil) { /* end of a switch interval: hand the GIL over */
                gil_release();
                gil_acquire();
            }
        }
    } else {
        for (long w = 0; w < s->waits; w++) {
            x = cpu_unit(x); /* a little work to prepare the request */
            /* then the blocking call (a recv, a read, a sleep), made
             * without the GIL, as CPython does */
            if (s->gil)
                gil_release();
            clock_sleep_ms(wait_ms);
            if (s->gil)
                gil_acquire();
        }
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

/* Split the job's work over n workers (the first ones get the remainder). */
static void split(struct share *shares, int n, enum job job, long units, long waits, bool gil)
{
    for (int i = 0; i < n; i++) {
        shares[i] = (struct share){
            .job = job,
            .index = i,
            .units = units / n + (i < units % n),
            .waits = waits / n + (i < waits % n),
            .gil = gil,
        };
    }
}

/* Run the job one way; return its wall time in seconds. */
static double run(enum job job, enum how how, int workers, long units, long waits)
{
    struct share shares[MAX_WORKERS];
    pthread_t threads[MAX_WORKERS];
    pid_t pids[MAX_WORKERS];
    int n = how == SEQUENTIAL ? 1 : workers;
    split(shares, n, job, units, waits, how == GIL_THREADS);
    fflush(stdout); /* nothing buffered may be copied into the children */

    double start = clock_now();
    for (int i = 0; i < n; i++) {
        if (how == SEQUENTIAL) {
            do_share(&shares[i]);
        } else if (how == PROCESSES) {
            pids[i] = fork();
            if (pids[i] < 0)
                die_errno("fork");
            if (pids[i] == 0) { /* the child: its own copy of everything */
                do_share(&shares[i]);
                _exit(0);
            }
        } else {
            int err = pthread_create(&threads[i], NULL, thread_main, &shares[i]);
            if (err != 0)
                die_pthread(err, "pthread_create");
        }
    }
    for (int i = 0; i < n && how != SEQUENTIAL; i++) {
        if (how == PROCESSES) {
            int status;
            if (waitpid(pids[i], &status, 0) < 0)
                die_errno("waitpid");
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                die("worker process %d failed (wait status %d)", (int)pids[i], status);
        } else {
            int err = pthread_join(threads[i], NULL);
            if (err != 0)
                die_pthread(err, "pthread_join");
        }
    }
    return clock_now() - start;
}

static const char usage[] =
    "usage: gil [-t T] [-c UNITS] [-i WAITS] [-d MS] [-r REPEAT] [-h]\n"
    "  -t T       workers (threads or processes), 1..32 (default 4)\n"
    "  -c UNITS   CPU job: units of work (~0.1 ms each) in all, 1..100000 (default 1200)\n"
    "  -i WAITS   IO job: blocking waits in all, 1..1000 (default 8)\n"
    "  -d MS      IO job: length of one wait, 1..1000 ms (default 15)\n"
    "  -r REPEAT  runs of each way, the best is kept, 1..10 (default: up to 3 in 0.8 s)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long workers = DEFAULT_WORKERS, units = DEFAULT_UNITS, waits = DEFAULT_WAITS;
    long repeat = DEFAULT_REPEAT;
    bool exact_repeat = false; /* -r given: exactly that many runs */
    int opt;
    while ((opt = getopt(argc, argv, "t:c:i:d:r:h")) != -1) {
        switch (opt) {
        case 't':
            if (parse_long(optarg, 1, MAX_WORKERS, &workers) < 0)
                die_usage(usage, "bad -t T '%s': expected 1..%d", optarg, MAX_WORKERS);
            break;
        case 'c':
            if (parse_long(optarg, 1, MAX_UNITS, &units) < 0)
                die_usage(usage, "bad -c UNITS '%s': expected 1..%d", optarg, MAX_UNITS);
            break;
        case 'i':
            if (parse_long(optarg, 1, MAX_WAITS, &waits) < 0)
                die_usage(usage, "bad -i WAITS '%s': expected 1..%d", optarg, MAX_WAITS);
            break;
        case 'd':
            if (parse_long(optarg, 1, MAX_WAIT_MS, &wait_ms) < 0)
                die_usage(usage, "bad -d MS '%s': expected 1..%d", optarg, MAX_WAIT_MS);
            break;
        case 'r':
            if (parse_long(optarg, 1, MAX_REPEAT, &repeat) < 0)
                die_usage(usage, "bad -r REPEAT '%s': expected 1..%d", optarg, MAX_REPEAT);
            exact_repeat = true;
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("gil: %ld workers, %ld cores; cpu job: %ld units of work; io job: %ld waits of %ld "
           "ms\n",
           workers, cores, units, waits, wait_ms);
    printf("%-4s %-12s %7s %4s %9s %8s\n", "job", "how", "workers", "runs", "wall_ms", "speedup");

    double speedup[2][NHOW];
    for (enum job job = CPU_JOB; job <= IO_JOB; job++) {
        double best[NHOW] = {0}, job_start = clock_now();
        long runs = 0;
        do { /* the four ways in turn, so that a busy moment hits them all */
            for (enum how how = SEQUENTIAL; how < NHOW; how++) {
                double wall = run(job, how, (int)workers, units, waits);
                if (runs == 0 || wall < best[how])
                    best[how] = wall;
            }
            runs++;
            /* without -r, a busy machine gets fewer runs, not a long wait */
        } while (runs < repeat && (exact_repeat || clock_now() - job_start <= JOB_BUDGET_S));
        for (enum how how = SEQUENTIAL; how < NHOW; how++) {
            speedup[job][how] = best[SEQUENTIAL] / best[how];
            printf("%-4s %-12s %7ld %4ld %9.1f %7.2fx\n", job_name[job], how_name[how],
                   how == SEQUENTIAL ? 1 : workers, runs, best[how] * 1000, speedup[job][how]);
        }
    }

    printf("gil: cpu-bound: threads+GIL %.2fx (one thread at a time, whatever the cores); "
           "processes %.2fx, free C threads %.2fx\n",
           speedup[CPU_JOB][GIL_THREADS], speedup[CPU_JOB][PROCESSES], speedup[CPU_JOB][THREADS]);
    printf("gil: io-bound: threads+GIL %.2fx, like threads %.2fx: a blocked thread does not "
           "hold the GIL\n",
           speedup[IO_JOB][GIL_THREADS], speedup[IO_JOB][THREADS]);
    return 0;
}
