/* day8/dead_lock.c — 死锁及其处理 / Deadlock: caused, detected, fixed
 *
 * The course's bank: each account has a lock; a transfer locks the account
 * it takes from, then the one it pays into. Tom pays Abby 2000 while Abby
 * pays Tom 3000: each holds its first lock and waits for the other's,
 * forever. A deadlock needs all four conditions, marked CONDITION 1..4
 * below: mutual exclusion, hold and wait, no preemption, circular wait.
 * Break one and it cannot happen.
 *
 * Default, the fix: lock the lower account id first (no cycle).
 * --deadlock: the course's order; a barrier makes the deadlock certain.
 * A pthread_mutex_timedlock that times out suspects it, the lock table
 * shows the cycle, and one transfer, the victim, gives its lock up.
 *
 * Run:   ./build/day8/dead_lock [--deadlock] [-t MS]      (-h: options)
 * Watch: "Tom 6000, Abby 7000"; with --deadlock the lock table with its
 *        cycle, "backs off", and the total unchanged (13000).
 * See also: day8/thread_lock, day8/with_lock, grep -n CONDITION this file.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum { NACCOUNTS = 2, NTRANSFERS = 2, HOLD_MS = 100, GIVE_UP_MS = 5000 };

struct account {
    int id; /* 1, 2: the order the fix takes the locks in */
    const char *name;
    long balance;         /* protected by lock */
    pthread_mutex_t lock; /* CONDITION 1, mutual exclusion */
};

struct transfer {
    const char *label; /* "Tom->Abby" */
    struct account *from, *to;
    long amount;
    bool done; /* read by main after join */
    /* the lock table, under table_lock: */
    const struct account *holding, *waiting_for;
};

static struct account accounts[NACCOUNTS] = {
    {1, "Tom", 5000, PTHREAD_MUTEX_INITIALIZER},
    {2, "Abby", 8000, PTHREAD_MUTEX_INITIALIZER},
};
static struct transfer transfers[NTRANSFERS] = {
    {"Tom->Abby", &accounts[0], &accounts[1], 2000, false, NULL, NULL},
    {"Abby->Tom", &accounts[1], &accounts[0], 3000, false, NULL, NULL},
};
static long timeout_ms = 200;
static pthread_barrier_t both_hold_one; /* --deadlock: the cycle, certain */

static void move_money(struct transfer *t);
static void table_note(struct transfer *t, const struct account *holding,
                       const struct account *waiting_for);
static bool suspect_deadlock(const struct transfer *t);

/* The fix: lock the lower account id first. Every thread climbs the ids
 * the same way, so none holds a higher lock while it waits for a lower
 * one: no cycle (CONDITION 4 broken). */
static void *transfer_ordered(void *arg)
{
    struct transfer *t = arg;
    struct account *first = t->from->id < t->to->id ? t->from : t->to;
    struct account *second = first == t->from ? t->to : t->from;
    printf("%s: locks %s's account (id %d), then %s's (id %d)\n", t->label,
           first->name, first->id, second->name, second->id);
    mutex_lock(&first->lock);
    clock_sleep_ms(HOLD_MS);   /* the window the course leaves open */
    mutex_lock(&second->lock); /* hold and wait, but never in a circle */
    move_money(t);
    mutex_unlock(&second->lock);
    mutex_unlock(&first->lock);
    return NULL;
}

/* The course's order: from, then to. Deadlocks; a timed lock detects it. */
static void *transfer_naive(void *arg)
{
    struct transfer *t = arg;
    mutex_lock(&t->from->lock); /* CONDITION 1: nobody else can have it */
    table_note(t, t->from, NULL);
    printf("%s: locked %s's account; now wants %s's\n", t->label, t->from->name,
           t->to->name);
    int err = pthread_barrier_wait(&both_hold_one); /* each holds one now */
    if (err != 0 && err != PTHREAD_BARRIER_SERIAL_THREAD)
        die_pthread(err, "pthread_barrier_wait");

    table_note(t, t->from, t->to);
    double since = clock_now();
    for (;;) {
        /* CONDITION 2, hold and wait: we hold from while we wait for to.
         * CONDITION 4, circular wait: the other holds to and waits for
         * our from. A plain pthread_mutex_lock would never return. */
        struct timespec deadline = clock_deadline(CLOCK_REALTIME, timeout_ms);
        err = pthread_mutex_timedlock(&t->to->lock, &deadline);
        if (err == 0)
            break;
        if (err != ETIMEDOUT)
            die_pthread(err, "pthread_mutex_timedlock");
        if (suspect_deadlock(t) || clock_now() - since > GIVE_UP_MS / 1e3) {
            /* CONDITION 3, no preemption: nobody can take our lock
             * away, so we give it up ourselves: the deadlock is broken. */
            table_note(t, NULL, NULL);
            mutex_unlock(&t->from->lock);
            printf("%s: backs off: released %s's account, transfer "
                   "abandoned (nothing moved)\n",
                   t->label, t->from->name);
            return NULL;
        }
    }
    table_note(t, NULL, NULL);
    move_money(t);
    mutex_unlock(&t->to->lock);
    mutex_unlock(&t->from->lock);
    return NULL;
}

/* --- helpers: the money and the lock table ------------------------------ */

/* Both locks are held: move the money. */
static void move_money(struct transfer *t)
{
    t->from->balance -= t->amount;
    t->to->balance += t->amount;
    t->done = true;
    printf("%s: moved %ld\n", t->label, t->amount);
}

/* The lock table (--deadlock), kept only to REPORT a deadlock, as a
 * database's lock manager does. Nobody waits for a lock holding it. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static void table_note(struct transfer *t, const struct account *holding,
                       const struct account *waiting_for)
{
    mutex_lock(&table_lock);
    t->holding = holding;
    t->waiting_for = waiting_for;
    mutex_unlock(&table_lock);
}

/* The transfer holding account a, or NULL. table_lock held. */
static const struct transfer *holder(const struct account *a)
{
    for (int i = 0; a != NULL && i < NTRANSFERS; i++)
        if (transfers[i].holding == a)
            return &transfers[i];
    return NULL;
}

/* Follow "waits for an account -> held by a transfer" from t. Back at t:
 * a cycle. Print the table once; true if t is the victim (the transfer in
 * the cycle holding the highest id, so every run ends the same way). */
static bool suspect_deadlock(const struct transfer *t)
{
    static bool reported;
    mutex_lock(&table_lock);
    const struct transfer *cur = t, *victim = t;
    bool cycle = false;
    for (int step = 0; step < NTRANSFERS && !cycle && cur; step++) {
        cur = holder(cur->waiting_for); /* NULL: not a deadlock, just slow */
        if (cur != NULL && cur->holding->id > victim->holding->id)
            victim = cur;
        cycle = cur == t;
    }
    if (cycle && !reported) {
        reported = true;
        printf("deadlock: %s did not get %s's account in %ld ms; the lock "
               "table says:\n",
               t->label, t->to->name, timeout_ms);
        for (int i = 0; i < NTRANSFERS; i++) {
            const struct transfer *u = &transfers[i],
                                  *h = holder(u->waiting_for);
            printf("deadlock:   %s holds %s's account, waits for %s's "
                   "account (held by %s)\n",
                   u->label, u->holding->name,
                   u->waiting_for ? u->waiting_for->name : "nothing",
                   h ? h->label : "nobody");
        }
        printf("deadlock: a cycle, so nobody can go on: deadlock detected; "
               "victim: %s\n",
               victim->label);
    }
    mutex_unlock(&table_lock);
    return cycle && victim == t;
}

static const char usage[] =
    "usage: dead_lock [--deadlock] [-t MS] [-h]\n"
    "  --deadlock  the course's lock order: deadlock, detected, one backs off\n"
    "  -t MS       wait of a timed lock before suspecting a deadlock,\n"
    "              10..5000 (default 200)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static const struct option longopts[] = {
        {"deadlock", no_argument, NULL, 'D'}, {NULL, 0, NULL, 0}};
    void *(*transfer)(void *) = transfer_ordered;
    int opt;
    while ((opt = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
        if (opt == 'D')
            transfer = transfer_naive;
        else if (opt == 't' && parse_long(optarg, 10, 5000, &timeout_ms) < 0)
            die_usage(usage, "bad -t MS '%s': expected 10..5000", optarg);
        else if (opt == 'h')
            print_usage_and_exit(usage);
        else if (opt != 't')
            die_usage(usage, NULL);
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    long before = accounts[0].balance + accounts[1].balance;
    printf("bank: Tom %ld, Abby %ld, total %ld; Tom->Abby 2000 and Abby->Tom "
           "3000 at once, each locking %s\n",
           accounts[0].balance, accounts[1].balance, before,
           transfer == transfer_naive ? "from, then to (--deadlock)"
                                      : "the lower account id first");
    int err = pthread_barrier_init(&both_hold_one, NULL, NTRANSFERS);
    if (err != 0)
        die_pthread(err, "pthread_barrier_init");
    pthread_t threads[NTRANSFERS];
    for (int i = 0; i < NTRANSFERS; i++)
        if ((err = pthread_create(&threads[i], NULL, transfer,
                                  &transfers[i])) != 0)
            die_pthread(err, "pthread_create");
    for (int i = 0; i < NTRANSFERS; i++)
        if ((err = pthread_join(threads[i], NULL)) != 0)
            die_pthread(err, "pthread_join");
    pthread_barrier_destroy(&both_hold_one);

    for (int i = 0; i < NTRANSFERS; i++)
        printf("bank: %s %ld: %s\n", transfers[i].label, transfers[i].amount,
               transfers[i].done ? "done" : "abandoned");
    long after = accounts[0].balance + accounts[1].balance;
    printf("bank: Tom %ld, Abby %ld, total %ld (%s)\n", accounts[0].balance,
           accounts[1].balance, after,
           after == before ? "no money created or lost" : "MONEY LOST");
    return 0;
}
