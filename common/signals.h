/* common/signals.h — stopping cleanly on SIGINT/SIGTERM, the one way every
 * program does it, and holding those signals across fork or
 * pthread_create.
 *
 * A server calls sig_catch_stop() and sig_stop_shutdown(fd) on the socket
 * it waits on; its loop ends when sig_stop_requested is set. A program
 * that starts a child or a thread which must not run the parent's handler
 * holds the stop signals around the start:
 *
 *     sigset_t old;
 *     sig_hold_stop(&old);
 *     pid_t pid = fork();
 *     if (pid == 0) {
 *         sig_child_defaults(&old);   // the child dies of SIGINT/SIGTERM
 *         ...
 *     }
 *     sig_release(&old);
 */
#ifndef CONCLAB_SIGNALS_H
#define CONCLAB_SIGNALS_H

#include <signal.h>

/* Set to the signal number (SIGINT or SIGTERM) once one arrived. */
extern volatile sig_atomic_t sig_stop_requested;

/* Install a handler for SIGINT and SIGTERM that sets sig_stop_requested.
 * No SA_RESTART: a blocking call (accept, read, select...) returns -1 with
 * EINTR, so the loop notices at once.
 * The handler also puts stdout and stderr in non-blocking mode when they
 * are a pipe or a socket: a server whose log reader stopped reading (a
 * paused `server -v | less`) would otherwise block in its next printf
 * forever and never see the stop. After a stop, log lines that do not fit
 * are dropped instead. */
int sig_catch_stop(void);

/* Also shut down fd (for reading) when a stop signal arrives; call it for
 * each socket the program blocks on (up to SIG_STOP_FDS). Checking the
 * flag and then blocking leaves a gap: a signal landing between the two
 * would only be noticed when the next client came. With the socket shut
 * down, accept() on it fails at once (EINVAL), recvfrom() on a UDP socket
 * returns 0, and select/poll/epoll report it ready: the loop comes round
 * and sees sig_stop_requested. Call it before printing "listening on".
 * (Other ways to close the gap: wake up now and then with a timeout, or
 * block the signals and wait in pselect/ppoll/epoll_pwait.) */
#define SIG_STOP_FDS 4
void sig_stop_shutdown(int fd);

/* Block SIGINT and SIGTERM in this thread, saving the old mask in *old.
 * Around fork: no stop signal can land in the child before it has put
 * back the default action. Around pthread_create: the new thread starts
 * with them blocked (it inherits the mask), so they go to the main thread.
 * 0, or -1 with errno set. */
int sig_hold_stop(sigset_t *old);

/* Put back the mask saved by sig_hold_stop. 0, or -1 with errno set. */
int sig_release(const sigset_t *old);

/* In a child just after fork: SIGINT and SIGTERM get their default action
 * (end the process) again, then the mask saved by sig_hold_stop is put
 * back. Exits the child (status 1) if that fails. */
void sig_child_defaults(const sigset_t *old);

#endif
