/* day8/dead_lock.c — 死锁及其处理 / Deadlock: the bank transfer, caused, detected, fixed
 *
 * The course's dead_lock.py: each account has its own lock; a transfer
 * locks the account it takes money from, then the one it pays into. Tom
 * pays Abby 2000 while Abby pays Tom 3000, both at once: Tom->Abby holds
 * Tom's lock and waits for Abby's, Abby->Tom holds Abby's and waits for
 * Tom's. Neither can go on, and without help neither ever will: a deadlock.
 *
 * A deadlock needs all four of these conditions (marked CONDITION 1..4 in
 * the code below; break any one and it cannot happen):
 *   1. mutual exclusion  a lock has one holder at a time
 *   2. hold and wait     a thread holds one lock while it waits for another
 *   3. no preemption     nobody can take a lock away from its holder
 *   4. circular wait     a cycle: each thread waits for the next one's lock
 *
 * Default: the fix. Every transfer takes the two locks in the same order,
 * lowest account id first, so no cycle can form (condition 4 is broken),
 * and the balances come out exact: Tom 6000, Abby 7000.
 *
 * --deadlock: the course's order (from, then to). Both threads meet at a
 * barrier while each holds its first lock, so the deadlock happens every
 * time, not by luck. The second lock is taken with pthread_mutex_timedlock:
 * a lock not obtained in time means "suspect a deadlock". The thread then
 * reads the lock table (who holds what, who waits for what), finds the
 * cycle, and one transfer, the victim, backs off: it releases the lock it
 * holds (breaking condition 3 by giving it up itself) and is abandoned.
 * The other transfer completes. The program always ends.
 *
 * Usage: dead_lock [--deadlock] [-t MS] [-h]
 *   --deadlock  take the locks in the course's order and watch it deadlock
 *   -t MS       how long a timed lock waits before suspecting a deadlock,
 *               10..5000 (default 200)
 *
 * Watch for: the default run ends with "Tom 6000, Abby 7000"; --deadlock
 * prints the lock table with the cycle, "backs off", and the total money
 * unchanged (13000) whatever happened.
 * See also: day8/thread_lock, grep -n CONDITION day8/dead_lock.c
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum {
    NACCOUNTS = 2,
    NTRANSFERS = 2,
    HOLD_MS = 100, /* the course sleeps 0.1-0.5 s between the two locks */
    DEFAULT_TIMEOUT_MS = 200,
    MIN_TIMEOUT_MS = 10,
    MAX_TIMEOUT_MS = 5000,
};
static const double GIVE_UP_S = 5.0; /* waiting this long, a transfer backs off anyway */

struct account {
    int id; /* 1, 2, ...: the order the fix takes the locks in */
    const char *name;
    long balance;         /* protected by lock */
    pthread_mutex_t lock; /* CONDITION 1, mutual exclusion: one holder at a time */
};

struct transfer {
    const char *label; /* "Tom->Abby" */
    struct account *from, *to;
    long amount;
    bool done;                         /* read by main after join */
    const struct account *waiting_for; /* in the lock table, under table_lock */
};

static struct account accounts[NACCOUNTS] = {
    {1, "Tom", 5000, PTHREAD_MUTEX_INITIALIZER},
    {2, "Abby", 8000, PTHREAD_MUTEX_INITIALIZER},
};

static long timeout_ms = DEFAULT_TIMEOUT_MS;
static struct transfer transfers[NTRANSFERS];
static pthread_barrier_t both_hold_one; /* --deadlock: make the cycle certain */

/* The lock table (--deadlock): who holds what, who waits for what. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct transfer *holder[NACCOUNTS]; /* by account id - 1 */
static bool reported;                            /* the table was printed */

/* Helpers, after the lesson: */
static void lock_account(pthread_mutex_t *m);
static void unlock_account(pthread_mutex_t *m);
static void move_money(struct transfer *t);
static struct timespec deadline_in(long ms);
static void table_holds(const struct transfer *t, const struct account *acc, bool holds);
static void table_waits(struct transfer *t, const struct account *acc);
static bool find_cycle(const struct transfer *t, const struct transfer **victim);
static void report(const struct transfer *t, const struct transfer *victim);

/* --- the lesson: two ways to make a transfer ---------------------------------- */

/* The fix: always lock the lower account id first. Every thread climbs the
 * ids in the same direction, so none can hold a higher lock while waiting
 * for a lower one: no cycle (CONDITION 4 broken). */
static void transfer_ordered(struct transfer *t)
{
    struct account *first = t->from->id < t->to->id ? t->from : t->to;
    struct account *second = first == t->from ? t->to : t->from;
    printf("%s: locks %s's account (id %d), then %s's (id %d)\n", t->label, first->name, first->id,
           second->name, second->id);
    lock_account(&first->lock);
    clock_sleep_ms(HOLD_MS);     /* the same window the course leaves open */
    lock_account(&second->lock); /* still hold-and-wait, but never in a circle */
    move_money(t);
    unlock_account(&second->lock);
    unlock_account(&first->lock);
}

/* The course's order: from, then to. Deadlocks; detected by a timed lock. */
static void transfer_naive(struct transfer *t)
{
    lock_account(&t->from->lock); /* CONDITION 1: now nobody else can have it */
    table_holds(t, t->from, true);
    printf("%s: locked %s's account; now wants %s's\n", t->label, t->from->name, t->to->name);

    int err = pthread_barrier_wait(&both_hold_one); /* each holds one lock now */
    if (err != 0 && err != PTHREAD_BARRIER_SERIAL_THREAD)
        die_pthread(err, "pthread_barrier_wait");

    table_waits(t, t->to);
    double waiting_since = clock_now();
    for (;;) {
        struct timespec deadline = deadline_in(timeout_ms);
        /* CONDITION 2, hold and wait: we still hold from while we wait for to.
         * CONDITION 4, circular wait: the other transfer holds to and waits
         * for our from. A plain pthread_mutex_lock here would never return. */
        err = pthread_mutex_timedlock(&t->to->lock, &deadline);
        if (err == 0)
            break;
        if (err != ETIMEDOUT)
            die_pthread(err, "pthread_mutex_timedlock");

        /* Not in time: suspect a deadlock, and look for a cycle in the lock
         * table. One transfer in the cycle, the victim, backs off; a fixed
         * rule picks it (the one holding the highest account id), so every
         * run ends the same way. The others wait again. */
        mutex_lock(&table_lock);
        const struct transfer *victim;
        bool cycle = find_cycle(t, &victim);
        if (cycle)
            report(t, victim);
        mutex_unlock(&table_lock);
        if ((cycle && victim == t) || clock_now() - waiting_since > GIVE_UP_S) {
            /* CONDITION 3, no preemption: nobody can take our lock away,
             * so we give it up ourselves. That breaks the deadlock. */
            table_waits(t, NULL);
            table_holds(t, t->from, false);
            unlock_account(&t->from->lock);
            printf("%s: backs off: released %s's account, transfer abandoned (nothing moved)\n",
                   t->label, t->from->name);
            return;
        }
    }
    table_waits(t, NULL);
    table_holds(t, t->to, true);
    move_money(t);
    table_holds(t, t->to, false);
    unlock_account(&t->to->lock);
    table_holds(t, t->from, false);
    unlock_account(&t->from->lock);
}

static bool deadlock_mode;

static void *run_transfer(void *arg)
{
    if (deadlock_mode)
        transfer_naive(arg);
    else
        transfer_ordered(arg);
    return NULL;
}

/* --- helpers: the account locks, the money, the deadline --------------------- */

/* Both locks are held: move the money. */
static void move_money(struct transfer *t)
{
    t->from->balance -= t->amount;
    t->to->balance += t->amount;
    t->done = true;
    printf("%s: moved %ld\n", t->label, t->amount);
}

static void lock_account(pthread_mutex_t *m)
{
    int err = pthread_mutex_lock(m);
    if (err != 0)
        die_pthread(err, "pthread_mutex_lock");
}

static void unlock_account(pthread_mutex_t *m)
{
    int err = pthread_mutex_unlock(m);
    if (err != 0)
        die_pthread(err, "pthread_mutex_unlock");
}

/* An absolute CLOCK_REALTIME time, ms from now: pthread_mutex_timedlock
 * measures on that clock (glibc's pthread_mutex_clocklock can use another). */
static struct timespec deadline_in(long ms)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
        die_errno("clock_gettime");
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* --- the lock table: who holds what, who waits for what --------------------
 * Kept only to REPORT a deadlock, as a database's lock manager does. It has
 * its own mutex; nobody ever waits for another lock while holding it. */

static void table_holds(const struct transfer *t, const struct account *acc, bool holds)
{
    mutex_lock(&table_lock);
    holder[acc->id - 1] = holds ? t : NULL;
    mutex_unlock(&table_lock);
}

static void table_waits(struct transfer *t, const struct account *acc)
{
    mutex_lock(&table_lock);
    t->waiting_for = acc;
    mutex_unlock(&table_lock);
}

/* Follow "waits for an account -> held by a transfer" from t. If the chain
 * comes back to t, that is a cycle: return true, with the victim (the
 * transfer in the cycle that holds the highest account id). table_lock held. */
static bool find_cycle(const struct transfer *t, const struct transfer **victim)
{
    const struct transfer *cur = t;
    *victim = t;
    for (int step = 0; step < NTRANSFERS; step++) {
        if (cur->waiting_for == NULL)
            return false;
        const struct transfer *next = holder[cur->waiting_for->id - 1];
        if (next == NULL)
            return false; /* nobody holds it: no deadlock, just slow */
        if (next->from->id > (*victim)->from->id)
            *victim = next;
        if (next == t)
            return true;
        cur = next;
    }
    return false;
}

/* Print the lock table once: which transfer holds what and waits for what. */
static void report(const struct transfer *t, const struct transfer *victim)
{
    if (reported)
        return;
    reported = true;
    printf("deadlock: %s did not get %s's account in %ld ms; the lock table says:\n", t->label,
           t->to->name, timeout_ms);
    for (int i = 0; i < NTRANSFERS; i++) {
        const struct transfer *u = &transfers[i];
        printf("deadlock:   %s holds %s's account, waits for %s's account (held by %s)\n", u->label,
               u->from->name, u->waiting_for ? u->waiting_for->name : "nothing",
               u->waiting_for && holder[u->waiting_for->id - 1]
                   ? holder[u->waiting_for->id - 1]->label
                   : "nobody");
    }
    printf("deadlock: a cycle, so nobody can go on: deadlock detected; victim: %s\n",
           victim->label);
}

static long total(void)
{
    return accounts[0].balance + accounts[1].balance;
}

static const char usage[] = "usage: dead_lock [--deadlock] [-t MS] [-h]\n"
                            "  --deadlock  lock in the course's order (from, then to): deadlock,\n"
                            "              detected with timed locks, one transfer backs off\n"
                            "  -t MS       timed-lock wait before suspecting a deadlock,\n"
                            "              10..5000 (default 200)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static const struct option longopts[] = {
        {"deadlock", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D': deadlock_mode = true; break;
        case 't':
            if (parse_long(optarg, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, &timeout_ms) < 0)
                die_usage(usage, "bad -t MS '%s': expected %d..%d", optarg, MIN_TIMEOUT_MS,
                          MAX_TIMEOUT_MS);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct account *tom = &accounts[0], *abby = &accounts[1];
    transfers[0] = (struct transfer){"Tom->Abby", tom, abby, 2000, false, NULL};
    transfers[1] = (struct transfer){"Abby->Tom", abby, tom, 3000, false, NULL};
    long total_before = total();
    printf("bank: Tom %ld, Abby %ld, total %ld; Tom->Abby 2000 and Abby->Tom 3000 at once, %s\n",
           tom->balance, abby->balance, total_before,
           deadlock_mode ? "each locking from, then to (--deadlock)"
                         : "each locking the lower account id first");

    int err;
    if (deadlock_mode && (err = pthread_barrier_init(&both_hold_one, NULL, NTRANSFERS)) != 0)
        die_pthread(err, "pthread_barrier_init");
    pthread_t threads[NTRANSFERS];
    for (int i = 0; i < NTRANSFERS; i++)
        if ((err = pthread_create(&threads[i], NULL, run_transfer, &transfers[i])) != 0)
            die_pthread(err, "pthread_create");
    for (int i = 0; i < NTRANSFERS; i++)
        if ((err = pthread_join(threads[i], NULL)) != 0)
            die_pthread(err, "pthread_join");
    if (deadlock_mode)
        pthread_barrier_destroy(&both_hold_one);

    for (int i = 0; i < NTRANSFERS; i++)
        printf("bank: %s %ld: %s\n", transfers[i].label, transfers[i].amount,
               transfers[i].done ? "done" : "abandoned");
    printf("bank: Tom %ld, Abby %ld, total %ld (%s)\n", tom->balance, abby->balance, total(),
           total() == total_before ? "no money created or lost" : "MONEY CREATED OR LOST");
    return 0;
}
