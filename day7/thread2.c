/* day7/thread2.c — threading模块创建线程: 传参 / Passing arguments to
 * threads
 *
 * The course's thread2.py starts 5 threads with Thread(target=fun,
 * args=(2,), kwargs={'name': 'Tedu%d' % i}). A pthread start function
 * takes exactly one void *, so in C the arguments travel in a struct, one
 * per thread. A C initializer can even be written like the Python call,
 * positional first, then by name:
 *
 *     fun(2, name='Tedu1')   ~   (struct fun_args){2000, .name = "Tedu1"}
 *
 * Each thread also hands a result back: it returns a pointer, and main
 * receives that pointer from pthread_join.
 *
 * Run: ./build/day7/thread2 [-t THREADS] [-s MS] (-h: the options)
 * Watch: all threads start before any finishes (they run at the same
 * time, so the run takes about one MS, not THREADS x MS); each prints its
 * own arguments; main gets each thread's own result back from join.
 * See also: day7/thread1, day8/my_thread (the "Thread class").
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum {
    MAX_THREADS = 32,
    NAME_SIZE = 16,
    N_STEP = 1000, /* thread i adds up 1..(i+1)*N_STEP */
};

/* One thread's arguments, and the place for its result. Each thread gets
 * its OWN struct: handing every thread &i of the loop in main would give
 * them all the same, changing, variable. */
struct fun_args {
    long work_ms;     /* "positional": fun(2, ...) */
    const char *name; /* "keyword": name='Tedu1' */
    long n;           /* "keyword" with a default (0 means 100) */
    long result;      /* written by the thread, read by main after join */
};

/* The thread function: print the arguments, work, return the result. */
static void *fun(void *arg)
{
    struct fun_args *a = arg;
    long n = a->n != 0 ? a->n : 100;
    printf("%s: 线程函数参数 arguments: "
           "work_ms=%ld name=%s n=%ld\n",
           a->name, a->work_ms, a->name, n);
    clock_sleep_ms(a->work_ms); /* the course's sleep(2): pretend to work */
    long sum = 0;
    for (long k = 1; k <= n; k++)
        sum += k;
    a->result = sum;
    printf("%s: 执行完毕 finished: 1+2+...+%ld = %ld\n", a->name, n, sum);
    return a; /* what pthread_join hands to main */
}

/* The course's main: start the threads, each with its own arguments,
 * then join each and take its result. */
static void run_course(long nthreads, long work_ms)
{
    pthread_t threads[MAX_THREADS];
    struct fun_args args[MAX_THREADS];
    char names[MAX_THREADS][NAME_SIZE];
    double start = clock_now();

    for (int i = 0; i < nthreads; i++) {
        snprintf(names[i], sizeof names[i], "Tedu%d", i);
        /* Thread(target=fun, args=(work_ms,), kwargs={'name': .., 'n': ..}) */
        args[i] = (struct fun_args){work_ms, .name = names[i],
                                    .n = (i + 1) * (long)N_STEP};
        int err = pthread_create(&threads[i], NULL, fun, &args[i]);
        if (err != 0)
            die_pthread(err, "pthread_create");
    }
    printf("main: started %ld threads; joining them in order\n", nthreads);

    for (int i = 0; i < nthreads; i++) {
        void *ret;
        int err = pthread_join(threads[i], &ret);
        if (err != 0)
            die_pthread(err, "pthread_join");
        const struct fun_args *done = ret;
        printf("main: joined %s: result %ld\n", done->name, done->result);
    }
    printf("main: all %ld threads joined after %.2f s (each worked %.2f s)\n",
           nthreads, clock_now() - start, (double)work_ms / 1000);
}

static const char usage[] =
    "usage: thread2 [-t THREADS] [-s MS] [-h]\n"
    "  -t THREADS  how many threads, 1..32 (default 5)\n"
    "  -s MS       how long each one works, 0..2000 ms (default 200)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long nthreads = 5, work_ms = 200; /* the course: 5 threads, 2 s */
    int opt;
    while ((opt = getopt(argc, argv, "t:s:h")) != -1) {
        switch (opt) {
        case 't':
            if (parse_long(optarg, 1, MAX_THREADS, &nthreads) < 0)
                die_usage(usage, "bad THREADS '%s'", optarg);
            break;
        case 's':
            if (parse_long(optarg, 0, 2000, &work_ms) < 0)
                die_usage(usage, "bad MS '%s'", optarg);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    run_course(nthreads, work_ms);
    return 0;
}
