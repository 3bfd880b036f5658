/* day8/thread_lock.c — 线程锁 Lock / A mutex against lost updates
 *
 * counter++ looks like one step but is three: load the value, add one,
 * store it. Two threads that interleave those steps both load 41 and both
 * store 42: one increment is lost. A mutex (Python's Lock, pthread_mutex_t
 * in C) makes the three steps a critical section that one thread at a time
 * runs: 互斥, mutual exclusion.
 *
 * Part 1: THREADS threads each add 1 to one shared counter N times.
 * Part 2, the course's pair: a writer does a++, b++; a checker tests
 * a == b until the writer is done. With the lock around both, the checker
 * never sees the moment between a++ and b++.
 *
 * The window between the steps is a few nanoseconds: on a busy machine a
 * thread often runs all its steps before another one gets a core, and the
 * race hides. So every YIELD_EVERY rounds a thread calls sched_yield()
 * INSIDE the window, a forced interleaving: --no-lock then shows its lost
 * updates on every run, even on one core. Under the mutex the same yield
 * is harmless: nobody else can enter while the holder is away.
 *
 * --no-lock is a data race ON PURPOSE: undefined behaviour in C, and what
 * ThreadSanitizer (make tsan) reports. The default run is the fixed one.
 *
 * Run:   ./build/day8/thread_lock [-t THREADS] [-n N] [--no-lock]  (-h)
 * Watch: "expected 800000, got 800000: exact" and "a != b 0 times"; with
 *        --no-lock, "updates lost" and a != b seen many times.
 * See also: day8/with_lock (a lock always released), day8/dead_lock.
 */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum { MAX_THREADS = 64, MAX_N = 10000000, YIELD_EVERY = 1000 };

/* volatile only for --no-lock: every step is a real load or store (as in
 * Python), not one addition of N at the end. It does NOT synchronise. */
static volatile long counter, a, b;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* Lock() */
static bool use_lock = true;
static long rounds = 200000;
static atomic_bool writer_done; /* part 2: the checker stops after it */
static pthread_barrier_t go;    /* every thread starts at the same time */

static void acquire(void);
static void release(void);
static void start_at_barrier(void);
static void run_threads(int n, void *(*fns[])(void *), void *args[]);

/* --- part 1: the counter ------------------------------------------------- */

static void *add_many(void *arg)
{
    (void)arg;
    start_at_barrier();
    for (long i = 1; i <= rounds; i++) {
        acquire();        /* lock.acquire(): blocks while another holds it */
        long v = counter; /* counter++, step 1: load */
        v = v + 1;        /*            step 2: add */
        if (i % YIELD_EVERY == 0)
            sched_yield(); /* let another thread in, here of all places */
        counter = v;       /*            step 3: store */
        release();         /* lock.release() */
    }
    return NULL;
}

/* --- part 2: the pair a, b ----------------------------------------------- */

static void *writer(void *arg)
{
    (void)arg;
    start_at_barrier();
    for (long i = 1; i <= rounds; i++) {
        acquire();
        a++;
        if (i % YIELD_EVERY == 0)
            sched_yield(); /* between a++ and b++: a != b right now */
        b++;
        release();
    }
    atomic_store(&writer_done, true);
    return NULL;
}

static void *checker(void *arg)
{
    long *mismatches = arg;
    start_at_barrier();
    while (!atomic_load(&writer_done)) {
        acquire();
        if (a != b)
            (*mismatches)++;
        release();
    }
    return NULL;
}

/* --- helpers ---------------------------------------------------------------
 */

static void acquire(void)
{
    if (use_lock)
        mutex_lock(&lock);
}

static void release(void)
{
    if (use_lock)
        mutex_unlock(&lock);
}

static void start_at_barrier(void)
{
    int err = pthread_barrier_wait(&go);
    if (err != 0 && err != PTHREAD_BARRIER_SERIAL_THREAD)
        die_pthread(err, "pthread_barrier_wait");
}

/* Start n threads (fns[i] with args[i]) that meet at the barrier, and
 * join them all. */
static void run_threads(int n, void *(*fns[])(void *), void *args[])
{
    pthread_t t[MAX_THREADS];
    int err = pthread_barrier_init(&go, NULL, (unsigned)n);
    if (err != 0)
        die_pthread(err, "pthread_barrier_init");
    for (int i = 0; i < n; i++)
        if ((err = pthread_create(&t[i], NULL, fns[i], args[i])) != 0)
            die_pthread(err, "pthread_create");
    for (int i = 0; i < n; i++)
        if ((err = pthread_join(t[i], NULL)) != 0)
            die_pthread(err, "pthread_join");
    pthread_barrier_destroy(&go);
}

static const char usage[] =
    "usage: thread_lock [-t THREADS] [-n N] [--no-lock] [-h]\n"
    "  -t THREADS  threads adding to the counter, 1..64 (default 4)\n"
    "  -n N        increments per thread and rounds of the pair,\n"
    "              1..10000000 (default 200000)\n"
    "  --no-lock   leave the mutex out (a data race on purpose)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static const struct option longopts[] = {
        {"no-lock", no_argument, NULL, 'L'}, {NULL, 0, NULL, 0}};
    long n = 4;
    int opt;
    while ((opt = getopt_long(argc, argv, "t:n:h", longopts, NULL)) != -1) {
        if (opt == 't' && parse_long(optarg, 1, MAX_THREADS, &n) < 0)
            die_usage(usage, "bad THREADS '%s': expected 1..64", optarg);
        else if (opt == 'n' && parse_long(optarg, 1, MAX_N, &rounds) < 0)
            die_usage(usage, "bad N '%s': expected 1..10000000", optarg);
        else if (opt == 'L')
            use_lock = false;
        else if (opt == 'h')
            print_usage_and_exit(usage);
        else if (opt != 't' && opt != 'n')
            die_usage(usage, NULL);
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *how =
        use_lock ? "each under the mutex" : "WITHOUT a lock (--no-lock)";

    printf("counter: %ld threads x %ld increments of one shared counter, %s\n",
           n, rounds, how);
    void *(*adders[MAX_THREADS])(void *), *none[MAX_THREADS] = {0};
    for (int i = 0; i < n; i++)
        adders[i] = add_many;
    run_threads((int)n, adders, none);
    long expected = n * rounds;
    printf("counter: expected %ld, got %ld: ", expected, counter);
    if (counter == expected)
        printf("exact\n");
    else
        printf("%ld updates lost\n", expected - counter);

    printf("pair: a writer does a++, b++ %ld times; a checker tests a == b "
           "until it is done; %s\n",
           rounds, how);
    long mismatches = 0;
    run_threads(2, (void *(*[])(void *)){writer, checker},
                (void *[]){NULL, &mismatches});
    printf("pair: the checker saw a != b %ld times (a = %ld, b = %ld at the "
           "end)\n",
           mismatches, a, b);
    return 0;
}
