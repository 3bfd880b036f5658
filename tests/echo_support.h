/* tests/echo_support.h — helpers for the tests of the echo servers (day9,
 * day10) and their client: talking to an echo server over real sockets
 * with every wait bounded, and reading a server's memory, CPU time and fd
 * limit from /proc.
 */
#ifndef CONCLAB_ECHO_SUPPORT_H
#define CONCLAB_ECHO_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tests/harness.h"

/* One of the six echo servers, as the shared suite runs it. */
struct echo_kind {
    const char *label;   /* "epoll_server -e" */
    const char *program; /* "day10/epoll_server" */
    const char *flag;    /* an extra flag ("-e"), or NULL */
    bool concurrent;     /* serves many clients at once (all but loop_server) */
    bool multiplexed;    /* select, poll or epoll */
};

/* Start kind on port 0 with up to two more arguments (NULL-terminated). */
void echo_start(struct server *s, const struct echo_kind *kind, const char *more1,
                const char *more2);

/* Fill buf with a pattern that holds every byte value (for len >= 256),
 * different for each seed. */
void echo_pattern(unsigned char *buf, size_t len, unsigned seed);

/* Send len bytes of data on fd and read back exactly len bytes, writing
 * and reading at once (so a large message cannot dead-lock against the
 * server's own writes). True if all came back equal within timeout
 * (scaled) seconds; on failure it prints why. */
bool echo_roundtrip(int fd, const void *data, size_t len, double timeout);

/* echo_roundtrip of a fresh pattern of len bytes. */
bool echo_check(int fd, size_t len, unsigned seed, double timeout);

/* Write up to len bytes on fd without ever reading, until the socket
 * accepts nothing more for stall_ms, or len is sent, or max_seconds
 * (scaled) pass. Returns the bytes written. fd is left non-blocking. */
size_t echo_push_without_reading(int fd, size_t len, int stall_ms, double max_seconds);

/* Wait (bounded, scaled) until fd has something to read or is closed. */
bool echo_wait_readable(int fd, double timeout);

/* True if nothing can be read from fd right now (no data, not closed). */
bool echo_nothing_to_read(int fd);

/* Read until EOF (bounded); what came, NUL-terminated, in buf. Returns
 * the length, or -1 on error/timeout. */
ssize_t echo_read_to_eof(int fd, char *buf, size_t size, double timeout);

/* Close fd with a reset (SO_LINGER 0): a client that vanishes. */
void echo_abort(int fd);

/* The lowest fd number pid does not have open (the next one it gets). */
int echo_lowest_free_fd(pid_t pid);

/* Resident memory of pid in KiB (VmRSS), or -1. */
long echo_rss_kib(pid_t pid);

/* Raise this process's soft RLIMIT_NOFILE to at least want (up to the
 * hard limit); returns the soft limit in force. Programs started after
 * inherit it. */
long echo_raise_fd_limit(long want);

#endif
