/* day8/with_lock.c — with lock: / A lock that is always released
 *
 * Python writes
 *         with lock:
 *             if balance < amount: return False
 *             balance -= amount
 * and the lock is released however the block is left: at its end, by a
 * return, by an exception. C has no `with`: no destructors that run when a
 * scope ends, no exceptions that unwind it. pthread_mutex_unlock runs only
 * where it is written, so EVERY way out of a locked region must pass one.
 * Forget it on an early return, and the lock stays held: the next thread
 * to lock it waits forever. Two C idioms do what `with` does:
 *   1. a single exit: lock at the top, unlock once at the bottom; early
 *      outs set a result and jump there (goto out) instead of returning;
 *   2. a scoped helper: with_lock(&lock, body, arg) locks, calls body, and
 *      unlocks; body may return from anywhere, the helper still unlocks.
 * GCC and clang also have __attribute__((cleanup(fn))), which calls fn
 * when a variable goes out of scope, like a destructor. It is not C11
 * (-Wpedantic warns), so it stays in a comment here (see cleanup_demo).
 *
 * Run:   ./build/day8/with_lock [--leak]                 (-h: options)
 * Watch: both idioms: "balance 0, 30000 paid, 10000 refused", every time;
 *        --leak: the early return kept the lock ("still locked: EBUSY").
 * See also: day8/thread_lock, day8/dead_lock (the lock table's helpers).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"
#include "common/pthread_check.h"

enum { THREADS = 4, TRIES = 10000, START = 30000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long balance; /* protected by lock */

static void check(int err, const char *call);
static void run_threads(void *(*fn)(void *));

/* The bug: an early return that skips the unlock. */
static bool withdraw_leaky(long amount)
{
    check(pthread_mutex_lock(&lock), "pthread_mutex_lock");
    if (balance < amount)
        return false; /* BUG: returns with the lock held */
    balance -= amount;
    check(pthread_mutex_unlock(&lock), "pthread_mutex_unlock");
    return true;
}

/* Idiom 1, a single exit: every path leaves through "out". */
static bool withdraw_single_exit(long amount)
{
    bool ok = false;
    check(pthread_mutex_lock(&lock), "pthread_mutex_lock");
    if (balance < amount)
        goto out; /* not "return": the unlock below must run */
    balance -= amount;
    ok = true;
out:
    check(pthread_mutex_unlock(&lock), "pthread_mutex_unlock");
    return ok;
}

/* Idiom 2, a scoped helper: `with m: body(arg)`. It returns body's value;
 * body runs with m held and may return from anywhere. */
static bool with_lock(pthread_mutex_t *m, bool (*body)(void *), void *arg)
{
    check(pthread_mutex_lock(m), "pthread_mutex_lock");
    bool result = body(arg);
    check(pthread_mutex_unlock(m), "pthread_mutex_unlock");
    return result;
}

/* The body: plain code with early returns, as under Python's with. */
static bool take(void *arg)
{
    long amount = *(const long *)arg;
    if (balance < amount)
        return false; /* fine: with_lock unlocks */
    balance -= amount;
    return true;
}

/* Each thread tries TRIES withdrawals of 1, counting what was refused. */
static long refused[THREADS];

static void *by_single_exit(void *arg)
{
    long *mine = arg;
    for (int i = 0; i < TRIES; i++)
        *mine += !withdraw_single_exit(1);
    return NULL;
}

static void *by_with_lock(void *arg)
{
    long *mine = arg, one = 1;
    for (int i = 0; i < TRIES; i++)
        *mine += !with_lock(&lock, take, &one);
    return NULL;
}

/* GCC/clang only, not C11, hence only in a comment:
 *
 *     static void unlocker(pthread_mutex_t **m) { pthread_mutex_unlock(*m); }
 *     static bool cleanup_demo(long amount)
 *     {
 *         pthread_mutex_lock(&lock);
 *         pthread_mutex_t *held __attribute__((cleanup(unlocker))) = &lock;
 *         if (balance < amount)
 *             return false; // unlocker(&held) runs here...
 *         balance -= amount;
 *         return true;      // ...and here
 *     }
 */

/* --- helpers ------------------------------------------------------------ */

static void check(int err, const char *call)
{
    if (err != 0)
        die_pthread(err, call);
}

/* Start THREADS threads running fn (each with its refused[] slot), and
 * print the outcome: the same whatever the interleaving. */
static void run_threads(void *(*fn)(void *))
{
    pthread_t t[THREADS];
    long total = 0;
    balance = START;
    for (int i = 0; i < THREADS; i++) {
        refused[i] = 0;
        check(pthread_create(&t[i], NULL, fn, &refused[i]), "pthread_create");
    }
    for (int i = 0; i < THREADS; i++) {
        check(pthread_join(t[i], NULL), "pthread_join");
        total += refused[i];
    }
    printf("  balance %ld, %ld paid, %ld refused\n", balance,
           (long)THREADS * TRIES - total, total);
}

/* --leak: one thread is enough to see it. */
static void show_leak(void)
{
    balance = 1;
    printf("leak: balance 1; withdraw_leaky(1), then withdraw_leaky(1)\n");
    printf("leak: first: %s\n", withdraw_leaky(1) ? "paid" : "refused");
    printf("leak: second: %s (it returned early)\n",
           withdraw_leaky(1) ? "paid" : "refused");
    int err = pthread_mutex_trylock(&lock); /* would the next one wait? */
    if (err == 0) {
        printf("leak: the lock is free (no leak)\n");
        mutex_unlock(&lock);
    } else if (err == EBUSY) {
        printf("leak: the lock is still locked: EBUSY (%s); the next "
               "withdraw would wait forever\n",
               strerror(err));
    } else {
        die_pthread(err, "pthread_mutex_trylock");
    }
}

static const char usage[] =
    "usage: with_lock [--leak] [-h]\n"
    "  --leak  an early return that forgets to unlock, and what it leaves\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static const struct option longopts[] = {{"leak", no_argument, NULL, 'L'},
                                             {NULL, 0, NULL, 0}};
    bool leak = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'L')
            leak = true;
        else if (opt == 'h')
            print_usage_and_exit(usage);
        else
            die_usage(usage, NULL);
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (leak) {
        show_leak();
        return 0;
    }
    printf("%d threads x %d withdrawals of 1 from %d; each refusal is an "
           "early return\n",
           THREADS, TRIES, START);
    printf("idiom 1, single exit (goto out):\n");
    run_threads(by_single_exit);
    printf("idiom 2, scoped helper with_lock(&lock, body, arg):\n");
    run_threads(by_with_lock);
    return 0;
}
