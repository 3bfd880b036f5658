/* day8/thread_event.c — 线程Event / An Event from a mutex and a condvar
 *
 * Python's threading.Event is a flag threads can wait for: e.set(),
 * e.clear(), e.wait([timeout]), e.is_set(). C has none, so this builds one
 * from a mutex that protects the flag and a condition variable to sleep on
 * until it changes. Two rules make it correct:
 *   - wait in a loop on the predicate (while (!flag)): pthread_cond_wait
 *     may wake up although nobody signalled (a "spurious wake-up"), and
 *     the flag may have been cleared again before the waiter runs;
 *   - measure the timeout on CLOCK_MONOTONIC (pthread_condattr_setclock):
 *     the default, the wall clock, jumps when someone sets the date.
 * The course's story (智取威虎山): the visitor 杨子荣 says the password
 * 天王盖地虎 at the gate; main, the guard, waits on the Event until he has
 * spoken: 宝塔镇河妖 if it is right, 打死他 if wrong or too late.
 *
 * Run:   ./build/day8/thread_event [-p PASSWORD] [-d MS] [-t MS] [--set-first]
 *        (-h: options)
 * Watch: "e.wait() -> true after 0.30 s": main slept until set(); with
 *        -t 100 -d 1000, "-> false after 0.10 s"; after e.clear(), a short
 *        wait times out; --set-first: the Event remembers.
 * See also: day8/thread_lock (mutual exclusion), day8/dead_lock.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

#define THE_PASSWORD "天王盖地虎"
#define THE_ANSWER   "宝塔镇河妖"

enum { WAIT_FOREVER = -1, PASSWORD_SIZE = 64 };
enum { CLEARED_WAIT_MS = 50 }; /* the last demo: a wait nobody will end */

/* --- the Event ----------------------------------------------------------- */

struct event {
    pthread_mutex_t lock;   /* protects flag */
    pthread_cond_t changed; /* broadcast when flag becomes true */
    bool flag;
};

static void event_init(struct event *e)
{
    pthread_condattr_t attr;
    int err = pthread_condattr_init(&attr);
    if (err != 0)
        die_pthread(err, "pthread_condattr_init");
    /* timeouts measured on the clock that never jumps */
    if ((err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)) != 0)
        die_pthread(err, "pthread_condattr_setclock");
    if ((err = pthread_cond_init(&e->changed, &attr)) != 0)
        die_pthread(err, "pthread_cond_init");
    pthread_condattr_destroy(&attr);
    if ((err = pthread_mutex_init(&e->lock, NULL)) != 0)
        die_pthread(err, "pthread_mutex_init");
    e->flag = false;
}

static void event_destroy(struct event *e)
{
    pthread_cond_destroy(&e->changed);
    pthread_mutex_destroy(&e->lock);
}

/* e.set(): set the flag and wake EVERY waiter (broadcast, not signal). */
static void event_set(struct event *e)
{
    mutex_lock(&e->lock);
    e->flag = true;
    pthread_cond_broadcast(&e->changed);
    mutex_unlock(&e->lock);
}

/* e.clear(): back to "not set"; later waits block again. */
static void event_clear(struct event *e)
{
    mutex_lock(&e->lock);
    e->flag = false;
    mutex_unlock(&e->lock);
}

/* e.is_set() */
static bool event_is_set(struct event *e)
{
    mutex_lock(&e->lock);
    bool flag = e->flag;
    mutex_unlock(&e->lock);
    return flag;
}

/* e.wait(timeout): block until the flag is set, or timeout_ms passed
 * (WAIT_FOREVER: no limit). Returns the flag, like Python: false means
 * it timed out. */
static bool event_wait(struct event *e, long timeout_ms)
{
    /* on the condvar's own clock (event_init set it) */
    struct timespec deadline = clock_deadline(CLOCK_MONOTONIC, timeout_ms);
    mutex_lock(&e->lock);
    while (!e->flag) { /* the predicate loop: wake-ups can be spurious */
        int err =
            timeout_ms == WAIT_FOREVER
                ? pthread_cond_wait(&e->changed, &e->lock)
                : pthread_cond_timedwait(&e->changed, &e->lock, &deadline);
        if (err == ETIMEDOUT)
            break;
        if (err != 0)
            die_pthread(err, "pthread_cond_wait");
    }
    bool flag =
        e->flag; /* read under the lock: it may have been set just now */
    mutex_unlock(&e->lock);
    return flag;
}

/* --- the story ------------------------------------------------------------ */

static struct event spoken;          /* set once the visitor has spoken */
static char password[PASSWORD_SIZE]; /* written before set, read after wait */
static const char *visitor_says = THE_PASSWORD;
static long visitor_delay_ms = 300;

/* The visitor thread: arrive, say the password, set the Event. */
static void *yang_zirong(void *arg)
{
    (void)arg;
    clock_sleep_ms(visitor_delay_ms);
    printf("杨子荣: 前来拜山头 comes to the mountain gate "
           "and says: %s\n",
           visitor_says);
    snprintf(password, sizeof password, "%s", visitor_says);
    /* set after writing password: the guard reads it after wait */
    event_set(&spoken);
    return NULL;
}

/* main, the guard: wait until the visitor has spoken, then check. */
static void guard(long timeout_ms)
{
    char call[32] = "e.wait()";
    if (timeout_ms != WAIT_FOREVER)
        snprintf(call, sizeof call, "e.wait(%ld ms)", timeout_ms);
    printf("main: 说对口令就是自己人 "
           "say the password and you are one of us; %s\n",
           call);
    double start = clock_now();
    bool set = event_wait(&spoken, timeout_ms);
    printf("main: %s -> %s after %.3f s\n", call, set ? "true" : "false",
           clock_now() - start);

    if (!set) {
        printf("main: nobody spoke in time: 打死他 shoot him!\n");
    } else if (strcmp(password, THE_PASSWORD) == 0) {
        printf("main: %s — 确认过眼神，你是对的人 "
               "the right person\n",
               THE_ANSWER);
    } else {
        printf("main: \"%s\" is the wrong password: 打死他 shoot him!\n",
               password);
    }
}

/* The story: the visitor thread speaks while main, the guard, waits. */
static void story(bool set_first, long timeout_ms)
{
    pthread_t visitor;
    int err = pthread_create(&visitor, NULL, yang_zirong, NULL);
    if (err != 0)
        die_pthread(err, "pthread_create");
    if (set_first) {
        /* The visitor speaks and leaves before anyone waits. A bare
         * pthread_cond_signal sent then would be lost; the flag is not. */
        if ((err = pthread_join(visitor, NULL)) != 0)
            die_pthread(err, "pthread_join");
        printf("main: the visitor has already left; e.is_set() -> %s\n",
               event_is_set(&spoken) ? "true" : "false");
    }
    guard(timeout_ms);
    if (!set_first && (err = pthread_join(visitor, NULL)) != 0)
        die_pthread(err, "pthread_join");
}

/* The rest of the interface, after the visitor is gone. */
static void clear_and_wait(void)
{
    event_clear(&spoken);
    printf("main: e.clear(); e.is_set() -> %s\n",
           event_is_set(&spoken) ? "true" : "false");
    double start = clock_now();
    bool set = event_wait(&spoken, CLEARED_WAIT_MS);
    printf("main: e.wait(%d ms) on the cleared event -> %s after %.3f s\n",
           CLEARED_WAIT_MS, set ? "true" : "false", clock_now() - start);
}

static const char usage[] =
    "usage: thread_event [-p PASSWORD] [-d MS] [-t MS] [--set-first] [-h]\n"
    "  -p PASSWORD  what the visitor says (default " THE_PASSWORD ")\n"
    "  -d MS        the visitor arrives after MS ms, 0..5000 (default 300)\n"
    "  -t MS        the guard waits at most MS ms, 0..10000 (default: ever)\n"
    "  --set-first  the guard waits only after the visitor has left\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static const struct option longopts[] = {
        {"set-first", no_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};
    long timeout_ms = WAIT_FOREVER;
    bool set_first = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "p:d:t:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            if (optarg[0] == '\0' || strlen(optarg) >= PASSWORD_SIZE)
                die_usage(usage, "bad PASSWORD: expected 1..%d bytes",
                          PASSWORD_SIZE - 1);
            visitor_says = optarg;
            break;
        case 'd':
            if (parse_long(optarg, 0, 5000, &visitor_delay_ms) < 0)
                die_usage(usage, "bad -d MS '%s': expected 0..5000", optarg);
            break;
        case 't':
            if (parse_long(optarg, 0, 10000, &timeout_ms) < 0)
                die_usage(usage, "bad -t MS '%s': expected 0..10000", optarg);
            break;
        case 'S': set_first = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    event_init(&spoken);
    story(set_first, timeout_ms);
    clear_and_wait();
    event_destroy(&spoken);
    return 0;
}
