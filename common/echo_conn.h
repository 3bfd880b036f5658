/* common/echo_conn.h — one client of day10's echo servers (select_server,
 * poll_server, epoll_server) and what they do with it the same way:
 * accept it, echo as much as can be done without blocking, close it.
 * What differs between those servers, and what they teach, is how they
 * wait for a ready socket (select, poll, epoll_wait): that stays in each.
 */
#ifndef CONCLAB_ECHO_CONN_H
#define CONCLAB_ECHO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/net.h"

enum {
    ECHO_BUFSIZE = 16384,  /* the most read at once, and so the most unsent
                              bytes kept for one client */
    ECHO_TURN_ROUNDS = 8,  /* most reads and writes per client per turn */
};

/* One client. What is read from it is written straight back from a buffer
 * on echo_serve's stack; only the bytes the client would not take yet are
 * kept, in a buffer allocated for them and freed once they are sent. So an
 * idle client holds no buffer at all, just this struct. */
struct echo_conn {
    int fd;
    char *backlog;     /* the unsent bytes (malloc'd), or NULL: none */
    size_t start, end; /* backlog[start, end) is not yet sent back */
    long long echoed;
    bool drain;        /* read until EAGAIN, a short read is not enough */
    uint32_t watching; /* epoll_server: the events registered */
    bool unfinished;   /* echo_serve ended its turn before EAGAIN */
    char peer[NET_ADDRSTRLEN];
};

/* Read from c only while all it was sent has been taken: a client that
 * does not read its echo is not read from either. */
bool echo_wants_read(const struct echo_conn *c);

/* Write to c only while there is something to send back (a backlog). */
bool echo_wants_write(const struct echo_conn *c);

/* Accept one client from the non-blocking listen_fd. 1: *out is a new
 * client ("connect from ..." printed); 0: a client was refused (out of
 * fds, with fd_spare_refuse and *spare; or an fd >= max_fds, which the
 * server cannot watch), accept again; -1: none is waiting now. */
int echo_accept(int listen_fd, int *spare, int max_fds,
                struct echo_conn **out);

/* Echo as much as can be done now without blocking: send the backlog,
 * then read and write straight back until the socket is empty (EAGAIN, or
 * a short read unless c->drain) or the client stops taking its echo (what
 * it did not take becomes the backlog). At most ECHO_TURN_ROUNDS reads
 * (then c->unfinished is set). With verbose, print every message. False
 * when c is done (closed, reset, out of memory). */
bool echo_serve(struct echo_conn *c, bool verbose);

/* Print "closed PEER (N bytes echoed)", close c's socket and free c (and
 * its backlog). */
void echo_close(struct echo_conn *c);

#endif
