/* common/signals.c — see signals.h. */
#include "common/signals.h"

#include <stddef.h>

volatile sig_atomic_t sig_stop_requested = 0;

/* Async-signal-safe: it only stores to a volatile sig_atomic_t. */
static void on_stop_signal(int signo)
{
    sig_stop_requested = signo;
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
