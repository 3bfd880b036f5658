/* day8/my_thread.c — 自定义线程类 / A custom thread "class"
 *
 * In Python you subclass Thread: __init__ adds your own attributes (after
 * super().__init__()), you override run(), and start() runs run() in a new
 * thread; join() waits for it. C has no classes, but the shape is easy to
 * build, and seeing it built shows what Thread really is:
 *
 *   the "base class"   struct thread_obj: a name, the thread's id, and a
 *                      function pointer run (the method to override)
 *   start() / join()   thread_start / thread_join: pthread_create with a
 *                      small trampoline that calls self->run(self), and
 *                      pthread_join
 *   a "subclass"       a struct whose FIRST member is a struct thread_obj:
 *                      a pointer to the subclass is also a valid pointer to
 *                      its base (C11 6.7.2.1), and back again
 *
 * Two subclasses: the course's myThread.py (run() does step 1, then step 2)
 * and its exercise, MyThread(target, args, kwargs), whose run() calls
 * target with the arguments it was given: here player(sec, song='凉凉').
 *
 * Run:   ./build/day8/my_thread [-s SONG] [-n TIMES]     (-h: options)
 * Watch: both objects run at once (their lines interleave); each thread's
 *        own lines keep their order (step 1 before step 2); main's
 *        "joined" lines come last.
 * See also: day7/thread2 (arguments in a struct), day6's myProcess.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum {
    DEFAULT_TIMES = 3,
    MAX_TIMES = 10,
    MAX_SONG = 64,  /* bytes */
    PAUSE_MS = 100, /* the course: sleep(1) or sleep(2) */
};

static double start_time; /* written before any thread starts, then only read */

/* --- the "base class" ------------------------------------------------------
 */

struct thread_obj {
    const char *name;
    void (*run)(struct thread_obj *self); /* the method a subclass overrides */
    pthread_t id;
};

/* What the new thread executes: call the object's run() method. */
static void *trampoline(void *arg)
{
    struct thread_obj *self = arg;
    self->run(self);
    return NULL;
}

/* t.start(): a new thread runs self->run(self). */
static void thread_start(struct thread_obj *self)
{
    int err = pthread_create(&self->id, NULL, trampoline, self);
    if (err != 0)
        die_pthread(err, "pthread_create");
}

/* t.join(): wait for run() to return. */
static void thread_join(struct thread_obj *self)
{
    int err = pthread_join(self->id, NULL);
    if (err != 0)
        die_pthread(err, "pthread_join");
    printf("main: joined %s\n", self->name);
}

/* --- subclass 1: the course's myThread.py -----------------------------------
 */

struct steps_thread {
    struct thread_obj base; /* first: "class StepsThread(Thread)" */
    int pause_ms;           /* an attribute of its own (set in "__init__") */
};

static void steps_run(struct thread_obj *self)
{
    struct steps_thread *me =
        (struct steps_thread *)self; /* back from the base */
    printf("%s: 步骤1 step 1 at +%.2f s\n", self->name,
           clock_now() - start_time);
    clock_sleep_ms(me->pause_ms);
    printf("%s: 步骤2 step 2 at +%.2f s\n", self->name,
           clock_now() - start_time);
}

/* --- subclass 2: the exercise, MyThread(target, args, kwargs) ---------------
 */

struct target_thread {
    struct thread_obj base;
    void (*target)(const char *who, const void *args); /* target=... */
    const void *args; /* args=..., kwargs=... */
};

static void target_run(struct thread_obj *self)
{
    struct target_thread *me = (struct target_thread *)self;
    me->target(self->name,
               me->args); /* run(): self._target(*self._args, **self._kwargs) */
}

/* The exercise's target: player(sec, song='凉凉'). */
struct player_args {
    long pause_ms;    /* positional: sec */
    const char *song; /* keyword: song= */
    int times;        /* keyword: how many times */
};

static void player(const char *who, const void *arg)
{
    const struct player_args *a = arg;
    for (int i = 1; i <= a->times; i++) {
        printf("%s: Playing %s : %d/%d at +%.2f s\n", who, a->song, i, a->times,
               clock_now() - start_time);
        clock_sleep_ms(a->pause_ms);
    }
}

static const char usage[] =
    "usage: my_thread [-s SONG] [-n TIMES] [-h]\n"
    "  -s SONG   the song to play (default 凉凉)\n"
    "  -n TIMES  how many times it plays, 1..10 (default 3)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    const char *song = "凉凉";
    long times = DEFAULT_TIMES;
    int opt;
    while ((opt = getopt(argc, argv, "s:n:h")) != -1) {
        switch (opt) {
        case 's':
            if (optarg[0] == '\0' || strlen(optarg) > MAX_SONG)
                die_usage(usage, "bad SONG: expected 1..%d bytes", MAX_SONG);
            song = optarg;
            break;
        case 'n':
            if (parse_long(optarg, 1, MAX_TIMES, &times) < 0)
                die_usage(usage, "bad TIMES '%s': expected 1..%d", optarg,
                          MAX_TIMES);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    start_time = clock_now();

    /* t = StepsThread(); the "constructor" fills in base and own fields */
    struct steps_thread steps = {
        .base = {.name = "StepsThread", .run = steps_run},
        .pause_ms = PAUSE_MS,
    };
    /* t = MyThread(target=player, args=(0.1,), kwargs={'song': song}) */
    struct player_args pargs = {PAUSE_MS, .song = song, .times = (int)times};
    struct target_thread play = {
        .base = {.name = "MyThread", .run = target_run},
        .target = player,
        .args = &pargs,
    };

    thread_start(&steps.base);
    thread_start(&play.base);
    printf("main: started %s and %s\n", steps.base.name, play.base.name);
    thread_join(&steps.base);
    thread_join(&play.base);
    return 0;
}
