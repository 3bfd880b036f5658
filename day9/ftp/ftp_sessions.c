/* day9/ftp/ftp_sessions.c — see ftp_sessions.h.
 *
 * Fork mode: the table is touched by main and by the SIGCHLD handler, so
 * its cells are volatile sig_atomic_t, and main holds SIGCHLD whenever it
 * changes or walks it. Thread mode: main and the session threads share
 * it under a mutex; a thread leaves it and closes its connection under
 * that mutex, so main never shuts down a descriptor that was reused.
 */
#include "day9/ftp/ftp_sessions.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/pthread_check.h"
#include "common/signals.h"

#define GOODBYE "421 Server shutting down; closing the connection.\r\n"

static bool use_threads;
static long slots;
static volatile sig_atomic_t *pids;  /* fork mode: the child, 0 if free */
static volatile sig_atomic_t *ctrls; /* the control connection, -1 if free */
static volatile sig_atomic_t running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ended = PTHREAD_COND_INITIALIZER;

/* SIGCHLD: reap every child that ended and close the parent's copy of
 * its connection (waitpid and close are async-signal-safe). */
static void on_sigchld(int signo)
{
    (void)signo;
    int saved = errno;
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        for (long i = 0; i < slots; i++)
            if (pids[i] == pid) {
                close(ctrls[i]);
                ctrls[i] = -1;
                pids[i] = 0;
                running = running - 1;
            }
    errno = saved;
}

int sessions_init(long max, bool threads)
{
    use_threads = threads;
    slots = max;
    pids = calloc((size_t)max, sizeof *pids);
    ctrls = malloc((size_t)max * sizeof *ctrls);
    if (pids == NULL || ctrls == NULL)
        return -1;
    for (long i = 0; i < max; i++)
        ctrls[i] = -1;
    if (threads)
        return 0;
    struct sigaction sa = {0};
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NOCLDSTOP; /* no SA_RESTART: accept() returns EINTR */
    return sigaction(SIGCHLD, &sa, NULL);
}

long sessions_running(void)
{
    if (!use_threads)
        return running;
    mutex_lock(&lock);
    long n = running;
    mutex_unlock(&lock);
    return n;
}

int sessions_hold(sigset_t *old)
{
    if (sig_hold_stop(old) < 0)
        return -1;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    return use_threads ? 0 : sigprocmask(SIG_BLOCK, &chld, NULL);
}

void sessions_add(pid_t pid, int ctrl)
{
    if (use_threads)
        mutex_lock(&lock);
    for (long i = 0; i < slots; i++)
        if (ctrls[i] < 0) {
            pids[i] = pid;
            ctrls[i] = ctrl;
            running = running + 1;
            break;
        }
    if (use_threads)
        mutex_unlock(&lock);
}

void sessions_close_copies(void)
{
    for (long i = 0; i < slots; i++)
        if (ctrls[i] >= 0)
            close(ctrls[i]);
}

void sessions_end(int ctrl)
{
    mutex_lock(&lock);
    for (long i = 0; i < slots; i++)
        if (ctrls[i] == ctrl)
            ctrls[i] = -1;
    close(ctrl);
    running = running - 1;
    pthread_cond_signal(&ended);
    mutex_unlock(&lock);
}

/* Say goodbye on fd and shut it down: every wait of its session ends. */
static void hang_up(int fd)
{
    (void)send(fd, GOODBYE, strlen(GOODBYE), MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_RDWR);
}

void sessions_stop(void)
{
    sigset_t old;
    if (use_threads) { /* at most 5 s: one may be stuck on a full log */
        struct timespec deadline = clock_deadline(CLOCK_REALTIME, 5000);
        int err = 0;
        mutex_lock(&lock);
        for (long i = 0; i < slots; i++)
            if (ctrls[i] >= 0)
                hang_up(ctrls[i]);
        while (running > 0 && err != ETIMEDOUT)
            err = pthread_cond_timedwait(&ended, &lock, &deadline);
        mutex_unlock(&lock);
        return;
    }
    sessions_hold(&old); /* the handler must not close one under us */
    for (long i = 0; i < slots; i++)
        if (pids[i] != 0) {
            hang_up(ctrls[i]);
            kill((pid_t)pids[i], SIGTERM); /* even one stuck on its log */
        }
    sig_release(&old);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ; /* until ECHILD (the handler reaps some too) */
}
