/* day8/thread_lock.c — 线程锁 Lock / A mutex against lost updates
 *
 * counter++ looks like one step but is three: load the value, add one,
 * store it. Two threads that interleave those steps both load 41 and both
 * store 42: one increment is lost. A mutex (Python's Lock, pthread_mutex_t
 * in C) makes the three steps a critical section only one thread runs at a
 * time: 互斥, mutual exclusion.
 *
 * Part 1: THREADS threads each add 1 to one shared counter N times. With
 * the mutex the total is exact, every time. With --no-lock, updates get
 * lost and the total comes out short (on one core it may be right by luck).
 *
 * Part 2, the course's pair: a writer changes a and b together (a++, b++),
 * a checker tests a == b. With the lock around both, the checker never
 * sees the moment between a++ and b++; with --no-lock it does. The course's
 * version loops forever; this one stops after N rounds each.
 *
 * --no-lock is a data race ON PURPOSE: undefined behaviour in C, and what
 * ThreadSanitizer (make tsan) reports. The default run is the fixed version.
 *
 * Usage: thread_lock [-t THREADS] [-n N] [--no-lock] [-h]
 *   -t THREADS  threads adding to the counter, 1..64 (default 4)
 *   -n N        increments per thread, and rounds of the pair, 1..10000000
 *               (default 200000)
 *   --no-lock   leave the mutex out, to see the lost updates
 *
 * Watch for: "expected 800000, got 800000: exact" and "0 times a != b";
 * with --no-lock, "updates lost" and a non-zero count of a != b.
 * See also: day8/thread_event (synchronisation), day8/dead_lock.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum {
    DEFAULT_THREADS = 4,
    MAX_THREADS = 64,
    DEFAULT_N = 200000,
    MAX_N = 10000000,
};

/* volatile only for --no-lock: it makes the compiler load and store the
 * variable on every ++ (as Python does), instead of adding N once at the
 * end. It is NOT a way to synchronise threads; the mutex is. */
static volatile long counter;
static volatile long a, b;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* Lock() */

static bool use_lock = true;
static long rounds = DEFAULT_N;

static void acquire(void)
{
    int err = pthread_mutex_lock(&lock); /* lock.acquire(): blocks while another holds it */
    if (err != 0)
        die_pthread(err, "pthread_mutex_lock");
}

static void release(void)
{
    int err = pthread_mutex_unlock(&lock); /* lock.release() */
    if (err != 0)
        die_pthread(err, "pthread_mutex_unlock");
}

/* --- part 1: the counter ---------------------------------------------------- */

static void *add_many(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        if (use_lock) {
            acquire();
            counter++; /* the critical section: one thread at a time */
            release();
        } else {
            counter++; /* load, add, store: another thread can slip in between */
        }
    }
    return NULL;
}

/* --- part 2: the pair a, b ---------------------------------------------------- */

static void *writer(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        if (use_lock)
            acquire();
        a++;
        b++; /* between these two lines a != b: the lock hides that moment */
        if (use_lock)
            release();
    }
    return NULL;
}

static void *checker(void *arg)
{
    long *mismatches = arg;
    for (long i = 0; i < rounds; i++) {
        if (use_lock)
            acquire();
        if (a != b)
            (*mismatches)++;
        if (use_lock)
            release();
    }
    return NULL;
}

/* --- main ----------------------------------------------------------------- */

static void start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    int err = pthread_create(t, NULL, fn, arg);
    if (err != 0)
        die_pthread(err, "pthread_create");
}

static void join(pthread_t t)
{
    int err = pthread_join(t, NULL);
    if (err != 0)
        die_pthread(err, "pthread_join");
}

static const char usage[] =
    "usage: thread_lock [-t THREADS] [-n N] [--no-lock] [-h]\n"
    "  -t THREADS  threads adding to the counter, 1..64 (default 4)\n"
    "  -n N        increments per thread and rounds of the pair, 1..10000000 (default 200000)\n"
    "  --no-lock   leave the mutex out (a data race on purpose)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static const struct option longopts[] = {
        {"no-lock", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long nthreads = DEFAULT_THREADS;
    int opt;
    while ((opt = getopt_long(argc, argv, "t:n:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 't':
            if (parse_long(optarg, 1, MAX_THREADS, &nthreads) < 0)
                die_usage(usage, "bad THREADS '%s': expected 1..%d", optarg, MAX_THREADS);
            break;
        case 'n':
            if (parse_long(optarg, 1, MAX_N, &rounds) < 0)
                die_usage(usage, "bad N '%s': expected 1..%d", optarg, MAX_N);
            break;
        case 'L': use_lock = false; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *how = use_lock ? "each under the mutex" : "WITHOUT a lock (--no-lock)";

    /* Part 1 */
    printf("counter: %ld threads x %ld increments of one shared counter, %s\n", nthreads, rounds,
           how);
    pthread_t threads[MAX_THREADS];
    for (int i = 0; i < nthreads; i++)
        start(&threads[i], add_many, NULL);
    for (int i = 0; i < nthreads; i++)
        join(threads[i]);
    long expected = nthreads * rounds;
    if (counter == expected)
        printf("counter: expected %ld, got %ld: exact\n", expected, counter);
    else
        printf("counter: expected %ld, got %ld: %ld updates lost\n", expected, counter,
               expected - counter);

    /* Part 2 */
    printf("pair: a writer does a++, b++ %ld times; a checker tests a == b %ld times; %s\n", rounds,
           rounds, how);
    long mismatches = 0;
    pthread_t w, c;
    start(&w, writer, NULL);
    start(&c, checker, &mismatches);
    join(w);
    join(c);
    printf("pair: the checker saw a != b %ld times (a = %ld, b = %ld at the end)\n", mismatches, a,
           b);
    return 0;
}
