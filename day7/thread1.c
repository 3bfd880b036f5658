/* day7/thread1.c — threading模块创建线程 / Creating a thread: one memory, two flows
 *
 * The course's thread1.py in C. main starts a thread with pthread_create;
 * both run at the same time; main waits for it with pthread_join. The
 * thread changes the global variable a from 1 to 10000, and after the join
 * main sees 10000: threads share their process's memory. That is the
 * opposite of day5/fork1, where the child changes its own copy and the
 * parent still sees 1.
 *
 * Both flows print the same pid (one process) and a different thread id
 * (TID): the kernel schedules threads, and lists them in /proc/PID/task.
 *
 * Usage: thread1 [-n ROUNDS] [-h]
 *   -n ROUNDS  lines the thread prints, 1..20 (main prints one more); default 3
 *
 * Watch for: "main:" and "thread:" lines interleave in an order that is not
 * fixed; every line has the same pid; the two TIDs differ; the last line
 * says a = 10000.
 * See also: day7/thread2 (arguments and results), day8/proc_vs_thread.
 */
#define _GNU_SOURCE /* gettid(): the kernel's id of the calling thread */

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum {
    DEFAULT_ROUNDS = 3,
    MAX_ROUNDS = 20,
    THREAD_PAUSE_MS = 200, /* the course: 2 s; short here, same rhythm */
    MAIN_PAUSE_MS = 100,   /* the course: 1 s */
};

/* Shared by every thread of the process: there is only one a. */
static int a = 1;

/* The thread function: what Thread(target=music) runs. */
static void *music(void *arg)
{
    int rounds = *(const int *)arg;
    printf("thread: pid %d tid %d: sees a = %d, sets a = 10000\n", (int)getpid(), (int)gettid(), a);
    a = 10000; /* main reads it only after pthread_join: no race */
    for (int i = 1; i <= rounds; i++) {
        printf("thread: pid %d tid %d: 播放音乐 playing music %d/%d\n", (int)getpid(),
               (int)gettid(), i, rounds);
        clock_sleep_ms(THREAD_PAUSE_MS);
    }
    return NULL;
}

static const char usage[] = "usage: thread1 [-n ROUNDS] [-h]\n"
                            "  -n ROUNDS  lines the thread prints, 1..20 (default 3)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long rounds = DEFAULT_ROUNDS;
    int opt;
    while ((opt = getopt(argc, argv, "n:h")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 1, MAX_ROUNDS, &rounds) < 0)
                die_usage(usage, "bad ROUNDS '%s': expected 1..%d", optarg, MAX_ROUNDS);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line at a time, also into a pipe */

    int thread_rounds = (int)rounds;
    printf("main: pid %d tid %d: a = %d, starting a thread\n", (int)getpid(), (int)gettid(), a);

    /* Thread(target=music) + start(): the new thread runs music() now. */
    pthread_t t;
    int err = pthread_create(&t, NULL, music, &thread_rounds);
    if (err != 0)
        die_pthread(err, "pthread_create");

    for (int i = 1; i <= thread_rounds + 1; i++) {
        printf("main: pid %d tid %d: 看视频 watching a video %d/%d\n", (int)getpid(), (int)gettid(),
               i, thread_rounds + 1);
        clock_sleep_ms(MAIN_PAUSE_MS);
    }

    /* join(): wait for the thread to end. After it, every write the thread
     * made is visible here. */
    err = pthread_join(t, NULL);
    if (err != 0)
        die_pthread(err, "pthread_join");
    printf("main: joined the thread: a = %d (the thread's change is visible: one shared memory)\n",
           a);
    return 0;
}
