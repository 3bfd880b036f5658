/* common/signals.c — see signals.h. */
#include "common/signals.h"

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>

volatile sig_atomic_t sig_stop_requested = 0;
static volatile sig_atomic_t fd_to_shut = -1;

/* Async-signal-safe: a store to a volatile sig_atomic_t, and shutdown(),
 * which POSIX lists as safe in a handler. */
static void on_stop_signal(int signo)
{
    int saved = errno;
    sig_stop_requested = signo;
    if (fd_to_shut >= 0)
        shutdown(fd_to_shut, SHUT_RD);
    errno = saved;
}

void sig_stop_shutdown(int listen_fd)
{
    fd_to_shut = listen_fd;
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
