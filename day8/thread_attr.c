/* day8/thread_attr.c — 线程对象属性 / Thread attributes
 *
 * The course's thread_attr.py sets a thread's name, asks is_alive(), and
 * sets daemon=True so the thread dies with the main thread. In C:
 *   t.name / setName / getName  pthread_setname_np / pthread_getname_np;
 *                               the kernel keeps the name (15 bytes) in
 *                               /proc/PID/task/TID/comm (ps -L, top -H)
 *   t.is_alive()                pthread_tryjoin_np: EBUSY while it runs
 *   daemon=True                 return from main: exit() ends EVERY thread
 *   daemon=False (the default)  pthread_exit in main: only main ends; the
 *                               process lives until its last thread ends
 *   (not joined)                a detached thread frees itself at its end
 *
 * Run:   ./build/day8/thread_attr [-d|--daemon]     (-d: daemon=True)
 * Watch: the name read back from /proc; "alive: yes" then "alive: no";
 *        the helper's last line (线程属性测试) printed without -d only.
 * See also: day7/thread1, day6's process_attr (the same for processes).
 */
#define _GNU_SOURCE /* pthread_{set,get}name_np, pthread_tryjoin_np, gettid */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/pthread_check.h"

/* Built with ThreadSanitizer (make tsan)? GCC and clang say so differently. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

enum {
    NAME_SIZE = 16,   /* the kernel's limit for a thread name, with its NUL */
    HELPER_MS = 1000, /* the course: 3 s */
};

static void *worker(void *arg);
static void *helper(void *arg);
static void list_threads(void);
static bool is_alive(pthread_t t);

/* Name a thread, read the name back (also from /proc), ask is_alive. */
static void name_and_alive(void)
{
    int stop[2];
    if (pipe(stop) < 0)
        die_errno("pipe");

    /* Thread(target=worker, name='tarena') + start() */
    pthread_t t;
    int err = pthread_create(&t, NULL, worker, &stop[0]);
    if (err != 0)
        die_pthread(err, "pthread_create");
    if ((err = pthread_setname_np(t, "tarena")) != 0)
        die_pthread(err, "pthread_setname_np");
    /* t.setName('Tedu') after start, as the course does */
    if ((err = pthread_setname_np(t, "Tedu")) != 0)
        die_pthread(err, "pthread_setname_np");

    char name[NAME_SIZE];
    if ((err = pthread_getname_np(t, name, sizeof name)) != 0)
        die_pthread(err, "pthread_getname_np");
    printf("main: named the worker \"tarena\", then \"Tedu\"; getName: %s\n",
           name);
    list_threads();

    bool alive = is_alive(t); /* yes: it is blocked in read() until we close */
    printf("main: worker alive: %s\n", alive ? "yes" : "no");
    close(stop[1]); /* the worker's read returns 0: it ends */
    /* a thread that is not alive was joined by pthread_tryjoin_np */
    if (alive && (err = pthread_join(t, NULL)) != 0)
        die_pthread(err, "pthread_join");
    printf("main: joined the worker; alive: no\n");
    close(stop[0]);
}

/* daemon: a daemon thread is usually not joined, so create it detached:
 * it frees its own resources when it ends, and nobody may join it. */
static void start_detached_helper(void)
{
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (err != 0)
        die_pthread(err, "pthread_attr_init");
    err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (err != 0)
        die_pthread(err, "pthread_attr_setdetachstate");
    pthread_t h;
    if ((err = pthread_create(&h, &attr, helper, NULL)) != 0)
        die_pthread(err, "pthread_create");
    pthread_attr_destroy(&attr);
    printf("main: started a detached helper that prints in %d ms\n", HELPER_MS);
}

/* --- helpers ----------------------------------------------------------------
 */

/* The worker runs until main closes the pipe it reads: main decides when
 * it ends, so "alive: yes" is never a matter of luck. */
static void *worker(void *arg)
{
    int fd = *(const int *)arg;
    printf("worker: tid %d started\n", (int)gettid());
    char c;
    while (read(fd, &c, 1) < 0 && errno == EINTR)
        ; /* EOF (0): main closed its end; time to finish */
    printf("worker: tid %d finishing\n", (int)gettid());
    return NULL;
}

/* The daemon question: does this thread get to print its last line? */
static void *helper(void *arg)
{
    (void)arg;
    clock_sleep_ms(HELPER_MS);
    printf("helper: 线程属性测试 "
           "thread attribute test: I ran to my end\n");
#ifdef UNDER_TSAN
    /* Only in make tsan builds: ThreadSanitizer runs a thread of its own
     * that never ends, so "the last thread has ended" would never come.
     * Do what POSIX says happens then: exit(0). */
    exit(0);
#endif
    return NULL;
}

/* List the threads of this process as the kernel sees them. */
static void list_threads(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL)
        die_errno("opendir /proc/self/task");
    printf("main: threads of pid %d, from /proc/self/task/TID/comm:\n",
           (int)getpid());
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[sizeof "/proc/self/task//comm" + sizeof entry->d_name],
            comm[NAME_SIZE + 2] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", entry->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* that thread ended meanwhile */
        if (fgets(comm, sizeof comm, f) != NULL)
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
        printf("  tid %s: %s\n", entry->d_name, comm);
    }
    closedir(dir);
}

/* t.is_alive(): pthread_tryjoin_np joins the thread if it has ended, and
 * fails with EBUSY if it is still running. */
static bool is_alive(pthread_t t)
{
    int err = pthread_tryjoin_np(t, NULL);
    if (err == EBUSY)
        return true;
    if (err != 0)
        die_pthread(err, "pthread_tryjoin_np");
    return false;
}

#ifdef UNDER_TSAN
/* ThreadSanitizer waits 1 s in exit() by default, to let the other threads
 * show their races; that would give the helper time to print although main
 * has returned. This hook sets its defaults; only in make tsan builds. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "atexit_sleep_ms=0";
}
#endif

static const char usage[] =
    "usage: thread_attr [-d|--daemon] [-h]\n"
    "  -d, --daemon  return from main (daemon=True): every thread ends\n"
    "                with it; default: pthread_exit (daemon=False)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static const struct option longopts[] = {{"daemon", no_argument, NULL, 'd'},
                                             {NULL, 0, NULL, 0}};
    bool daemon = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "dh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'd': daemon = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    name_and_alive();
    start_detached_helper();
    if (daemon) {
        printf("main: daemon=True: returning from main calls exit(): the "
               "helper dies now\n");
        return 0;
    }
    printf("main: daemon=False: pthread_exit ends main only; the process "
           "waits for the helper\n");
    pthread_exit(NULL);
}
