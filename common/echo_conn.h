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
    ECHO_BUFSIZE = 16384,  /* the most unsent bytes kept for one client */
    ECHO_TURN_ROUNDS = 8,  /* most reads and writes per client per turn */
};

/* One client, and the bytes read from it that are not yet sent back. */
struct echo_conn {
    int fd;
    bool eof;          /* the client closed its sending side */
    size_t start, end; /* buf[start, end) is read but not yet sent back */
    long long echoed;
    uint32_t watching; /* epoll_server: the events registered */
    bool unfinished;   /* echo_serve ended its turn before EAGAIN */
    char peer[NET_ADDRSTRLEN];
    char buf[ECHO_BUFSIZE];
};

/* Read from c only while there is room to keep its echo. */
bool echo_wants_read(const struct echo_conn *c);

/* Write to c only while there is something to send back. */
bool echo_wants_write(const struct echo_conn *c);

/* Accept one client from the non-blocking listen_fd. 1: *out is a new
 * client ("connect from ..." printed); 0: a client was refused (out of
 * fds, with fd_spare_refuse and *spare; or an fd >= max_fds, which the
 * server cannot watch), accept again; -1: none is waiting now. */
int echo_accept(int listen_fd, int *spare, int max_fds,
                struct echo_conn **out);

/* Echo as much as can be done now without blocking, at most
 * ECHO_TURN_ROUNDS reads and writes (then c->unfinished is set); with
 * verbose, print every message. False when c is done (closed, reset). */
bool echo_serve(struct echo_conn *c, bool verbose);

/* Print "closed PEER (N bytes echoed)", close c's socket and free c. */
void echo_close(struct echo_conn *c);

#endif
