/* day7/thread1.c — threading模块创建线程 / Creating a thread: one
 * memory, two flows
 *
 * The course's thread1.py in C. main starts a thread with pthread_create;
 * both run at the same time; main waits for it with pthread_join. The
 * thread changes the global variable a from 1 to 10000, and after the
 * join main sees 10000: threads share their process's memory. That is the
 * opposite of day5/fork1, where the child changes its own copy and the
 * parent still sees 1.
 *
 * Both flows print the same pid (one process) and a different thread id
 * (TID): the kernel schedules threads, and lists them in /proc/PID/task.
 *
 * Run: ./build/day7/thread1
 * Watch: "main:" and "thread:" lines interleave in an order that is not
 * fixed; every line has the same pid; the two TIDs differ; the last line
 * says a = 10000.
 * See also: day7/thread2 (arguments and results), day8/proc_vs_thread.
 */
#define _GNU_SOURCE /* gettid(): the kernel's id of the calling thread */

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/pthread_check.h"

enum {
    ROUNDS = 3,            /* the thread's lines; main prints one more */
    THREAD_PAUSE_MS = 200, /* the course: 2 s; short here, same rhythm */
    MAIN_PAUSE_MS = 100,   /* the course: 1 s */
};

/* Shared by every thread of the process: there is only one a. */
static int a = 1;

/* The thread function: what Thread(target=music) runs. */
static void *music(void *arg)
{
    (void)arg;
    printf("thread: pid %d tid %d: sees a = %d, sets a = 10000\n",
           (int)getpid(), (int)gettid(), a);
    a = 10000; /* main reads it only after pthread_join: no race */
    for (int i = 1; i <= ROUNDS; i++) {
        printf("thread: pid %d tid %d: 播放音乐 playing music %d/%d\n",
               (int)getpid(), (int)gettid(), i, ROUNDS);
        clock_sleep_ms(THREAD_PAUSE_MS);
    }
    return NULL;
}

/* The course's main: start the thread, watch a video meanwhile, join. */
static void run_course(void)
{
    printf("main: pid %d tid %d: a = %d, starting a thread\n", (int)getpid(),
           (int)gettid(), a);
    /* Thread(target=music) + start(): the new thread runs music() now. */
    pthread_t t;
    int err = pthread_create(&t, NULL, music, NULL);
    if (err != 0)
        die_pthread(err, "pthread_create");

    for (int i = 1; i <= ROUNDS + 1; i++) {
        printf("main: pid %d tid %d: 看视频 watching a video %d/%d\n",
               (int)getpid(), (int)gettid(), i, ROUNDS + 1);
        clock_sleep_ms(MAIN_PAUSE_MS);
    }

    /* join(): wait for the thread to end. After it, every write the thread
     * made is visible here. */
    err = pthread_join(t, NULL);
    if (err != 0)
        die_pthread(err, "pthread_join");
    printf("main: joined the thread: a = %d (the thread's change is "
           "visible: one shared memory)\n",
           a);
}

static const char usage[] = "usage: thread1 [-h]\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    parse_no_options(argc, argv, usage);
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line at a time, also in a pipe */
    run_course();
    return 0;
}
