/* day9/ftp/ftp_sessions.h — the sessions ftp_server runs now, and how
 * they are all ended when it stops.
 *
 * The table holds each session's control connection (and, with -m fork,
 * its child's pid: the parent keeps its own copy of the connection). To
 * stop, main calls sessions_stop: it sends "421 Server shutting down" on
 * every control connection and shuts it down (SHUT_RDWR). Every wait of a
 * session also watches its control connection for that hang-up (see
 * ftp_wait_fd), so each session ends at once, in a child or in a thread,
 * whatever it was waiting for. One mechanism for both models; no pipe.
 */
#ifndef CONCLAB_FTP_SESSIONS_H
#define CONCLAB_FTP_SESSIONS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* A table for max sessions, run as threads or as child processes (then
 * with a SIGCHLD handler that reaps a child and closes its copy of the
 * control connection). 0, or -1 with errno. */
int sessions_init(long max, bool threads);

/* How many sessions run now. */
long sessions_running(void);

/* Around fork or pthread_create: hold SIGINT and SIGTERM (sig_hold_stop)
 * and, with -m fork, SIGCHLD too: a child cannot be reaped before it is
 * in the table. Put back with sig_release(old); in the child,
 * sig_child_defaults(old). */
int sessions_hold(sigset_t *old);

/* Record a session on ctrl (pid 0 for a thread). Call while holding. */
void sessions_add(pid_t pid, int ctrl);

/* In a new child: close the parent's copies of the other sessions'
 * control connections (the child serves only its own). */
void sessions_close_copies(void);

/* A session thread, at its end: leave the table and close ctrl. */
void sessions_end(int ctrl);

/* Stopping: 421 and a shutdown on every control connection (and SIGTERM
 * to every child, which ends even one blocked writing its log), then wait
 * until every session has ended: children reaped, threads gone (at most
 * 5 s for threads: one blocked on a full log pipe is left behind). */
void sessions_stop(void);

#endif
