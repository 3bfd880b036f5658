/* common/fds.h — living with the file-descriptor limit (RLIMIT_NOFILE).
 *
 *  - fd_limit_raise: raise this process's soft limit to its hard limit,
 *    so a server or load generator can hold thousands of sockets.
 *  - the spare fd: a server keeps one fd open on /dev/null. When accept
 *    fails with EMFILE (no fd left), the pending client stays in the
 *    kernel's queue, so the listening socket stays readable and a poll
 *    loop would spin, and a blocking accept() fails again at once. With
 *    fd_spare_refuse the server frees the spare, accepts that client, tells
 *    it why and closes it, then takes the spare back: no busy loop, and the
 *    client gets an answer instead of a hang.
 */
#ifndef CONCLAB_FDS_H
#define CONCLAB_FDS_H

/* The most fds fd_limit_raise asks for, even if the hard limit is higher
 * (or unlimited): tables indexed by fd stay a sane size. */
#define FD_LIMIT_MAX 65536

/* Raise the soft RLIMIT_NOFILE to the hard limit (at most FD_LIMIT_MAX).
 * Returns the soft limit now in force, or -1 (errno set). */
long fd_limit_raise(void);

/* The soft RLIMIT_NOFILE now in force (at most FD_LIMIT_MAX), or -1. */
long fd_limit_current(void);

/* Open the spare fd (/dev/null, close-on-exec); the fd, or -1. */
int fd_spare_open(void);

/* Out of fds (accept said EMFILE or ENFILE): close *spare, accept one
 * client on listen_fd, send it message (if not NULL) and close it, then
 * reopen *spare. On a blocking listen_fd this first waits for the next
 * client (Linux says EMFILE even when none is waiting), and refuses it
 * only if there is still no fd free. Returns 1 if a client was refused, 0
 * if none was waiting (EAGAIN), a signal interrupted the wait (EINTR), or
 * an fd was freed meanwhile (accept again: the client will be served), -1
 * on another error (errno set). */
int fd_spare_refuse(int *spare, int listen_fd, const char *message);

#endif
