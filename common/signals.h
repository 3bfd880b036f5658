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

/* Also shut down listen_fd when a stop signal arrives. Checking the flag
 * and then blocking leaves a gap: a signal landing between the two would
 * only be noticed when the next client came. With the listening socket
 * shut down, accept() on it fails at once (EINVAL), whether it was
 * already waiting or starts after the signal, and select/poll/epoll report
 * it ready (POLLHUP): the loop comes round and sees sig_stop_requested.
 * Call it before printing "listening on". (Other ways to close the gap:
 * wake up now and then with a timeout, or block the signals and wait in
 * pselect/ppoll/epoll_pwait, which unblock them atomically.) */
void sig_stop_shutdown(int listen_fd);

#endif
