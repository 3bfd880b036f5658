/* common/signals.h — the stop flag every server checks: SIGINT and
 * SIGTERM set it, and the server's loop ends cleanly when it is set.
 */
#ifndef CONCLAB_SIGNALS_H
#define CONCLAB_SIGNALS_H

#include <signal.h>

/* Set to the signal number (SIGINT or SIGTERM) once one arrived. */
extern volatile sig_atomic_t sig_stop_requested;

/* Install a handler for SIGINT and SIGTERM that only sets
 * sig_stop_requested. No SA_RESTART: a blocking call (accept, read,
 * select...) returns -1 with EINTR, so the loop notices at once. */
int sig_catch_stop(void);

/* A signal that lands after the loop checked sig_stop_requested but before
 * it blocked is only noticed at the next wake-up. A server that must stop
 * at once wakes up now and then (a timeout), or blocks the signals and
 * waits with pselect/ppoll/epoll_pwait, which unblock them atomically. */

#endif
