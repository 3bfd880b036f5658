/* common/signals.c — see signals.h. */
#include "common/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/errors.h"

volatile sig_atomic_t sig_stop_requested = 0;
static volatile sig_atomic_t fds_to_shut[SIG_STOP_FDS] = {-1, -1, -1, -1};

/* A log write that would block must not keep the process from stopping:
 * make it fail with EAGAIN instead. Only for pipes and sockets: a file
 * never blocks, and a terminal's mode is shared with the shell. */
static void unblock_output(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
        int flags = fcntl(fd, F_GETFL);
        if (flags >= 0)
            (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
}

/* Async-signal-safe: a store to a volatile sig_atomic_t, and shutdown(),
 * fstat() and fcntl(), which POSIX lists as safe in a handler. */
static void on_stop_signal(int signo)
{
    int saved = errno;
    sig_stop_requested = signo;
    for (int i = 0; i < SIG_STOP_FDS; i++)
        if (fds_to_shut[i] >= 0)
            shutdown(fds_to_shut[i], SHUT_RD);
    unblock_output(STDOUT_FILENO);
    unblock_output(STDERR_FILENO);
    errno = saved;
}

void sig_stop_shutdown(int fd)
{
    for (int i = 0; i < SIG_STOP_FDS; i++)
        if (fds_to_shut[i] < 0 || fds_to_shut[i] == fd) {
            fds_to_shut[i] = fd;
            return;
        }
}

int sig_catch_stop(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* deliberately not SA_RESTART */
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    return 0;
}

int sig_hold_stop(sigset_t *old)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    int err = pthread_sigmask(SIG_BLOCK, &stop, old);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

int sig_release(const sigset_t *old)
{
    int err = pthread_sigmask(SIG_SETMASK, old, NULL);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

void sig_child_defaults(const sigset_t *old)
{
    if (signal(SIGINT, SIG_DFL) == SIG_ERR || signal(SIGTERM, SIG_DFL) == SIG_ERR ||
        sig_release(old) < 0)
        die_errno_child("child: restoring the stop signals");
}
