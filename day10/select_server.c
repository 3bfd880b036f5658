/* day10/select_server.c — IO多路复用: select 方法 /
 * many clients, one thread, select()
 *
 * An echo server (every byte a client sends comes back to it) that serves
 * many clients at once without a process or a thread per client: one loop
 * asks select() which sockets are ready, then reads or writes only those,
 * so no call ever blocks. The course's steps:
 *   【1】 put the fds to watch in the watch lists (here: fd_sets);
 *   【2】 wait in select() until one of them is ready;
 *   【3】 go through what select returned;
 *   【4】 handle each ready fd: accept, read, write — never blocking.
 *
 * Run it:   ./build/day10/select_server [-b ADDR] [-p PORT] [-v]   (port 9003)
 *           ./build/day9/echo_client -p 9003       (several terminals at once)
 *           ./build/day9/echo_client -p 9003 -c 100 -n 100 -s 1000
 * Watch:    one process, one thread, and every client is served at once.
 *           A client that sends without reading our replies cannot stall
 *           the others: we keep at most ECHO_BUFSIZE unsent bytes for it and
 *           stop reading from it until it reads (the course's version did a
 *           blocking send(), so one such client froze the whole server).
 *           select() cannot watch an fd >= FD_SETSIZE (1024): such a client
 *           is told so and closed, never written past the end of an fd_set.
 * See also: poll_server.c and epoll_server.c are this file with the
 *           multiplexing call changed: diff them. day9/loop_server.c is
 *           the one-client-at-a-time server this replaces.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/echo_conn.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"

enum {
    DEFAULT_PORT = 9003,
};

struct server {
    int listen_fd;
    int spare_fd;             /* kept open for EMFILE: see common/fds.h */
    struct echo_conn **conns; /* the fdmap: conns[fd], NULL if none */
    int max_fds;  /* size of conns: a client with a higher fd is refused */
    int fd_end;   /* one past the highest fd ever used (select's nfds) */
    bool verbose; /* -v: print every message */
};

static void close_conn(struct server *s, struct echo_conn *c);

/* ------------------------------------------------------------------------
 * The event loop: the part that changes between select, poll and epoll.
 * select() takes three fd_sets (bit arrays of FD_SETSIZE bits: the
 * course's rlist, wlist, xlist), blocks until one of their fds is ready,
 * and overwrites them with only the ready ones. So every turn of the loop
 * builds the sets again, and the kernel scans all of them every call.
 */
static void accept_clients(struct server *s);

static void run(struct server *s)
{
    while (!sig_stop_requested) {
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(s->listen_fd, &readable);
        for (int fd = 0; fd < s->fd_end; fd++) {
            struct echo_conn *c = s->conns[fd];
            if (c != NULL && echo_wants_read(c))
                FD_SET(fd, &readable);
            if (c != NULL && echo_wants_write(c))
                FD_SET(fd, &writable);
        }

        if (select(s->fd_end, &readable, &writable, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue; /* a signal: the loop test decides */
            die_errno("select");
        }

        int fd_end = s->fd_end; /* clients accepted now were not watched */
        if (FD_ISSET(s->listen_fd, &readable))
            accept_clients(s);
        for (int fd = 0; fd < fd_end; fd++) {
            struct echo_conn *c = s->conns[fd];
            if (c == NULL ||
                (!FD_ISSET(fd, &readable) && !FD_ISSET(fd, &writable)))
                continue;
            if (!echo_serve(c, s->verbose))
                close_conn(s, c);
        }
    }
}

/* A new client: remember it. select() needs no registration: the next
 * turn of the loop puts it in the sets. */
static void add_conn(struct server *s, struct echo_conn *c)
{
    s->conns[c->fd] = c;
}

/* ------------------------------------------------------------------------
 * Serving clients: the same in the three servers, so it is in
 * common/echo_conn.c: echo_accept, echo_serve (echo until the socket
 * is empty, or ECHO_TURN_ROUNDS reads: then it is the others' turn),
 * echo_close.
 */

/* Accept every client waiting on the (non-blocking) listening socket,
 * until accept says EAGAIN: none left. */
static void accept_clients(struct server *s)
{
    for (;;) {
        struct echo_conn *c;
        int got = echo_accept(s->listen_fd, &s->spare_fd, s->max_fds, &c);
        if (got < 0)
            return; /* none waiting now */
        if (got == 0)
            continue; /* one refused: see common/echo_conn.h */
        if (c->fd >= s->fd_end)
            s->fd_end = c->fd + 1;
        add_conn(s, c);
    }
}

static void close_conn(struct server *s, struct echo_conn *c)
{
    s->conns[c->fd] = NULL;
    echo_close(c);
}

/* ------------------------------------------------------------------------ */

static const char usage[] =
    "usage: select_server [-b ADDR] [-p PORT] [-v] [-h]\n"
    "  an echo server: one thread, select() over all clients\n"
    "  -b ADDR  bind address (default 127.0.0.1)\n"
    "  -p PORT  port (default 9003; 0: any free port)\n"
    "  -v       print every message received\n"
    "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    struct server s = {0};
    int opt;

    prog_init(argv[0]);
    server_opts_init(&so, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "v")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'v': s.verbose = true; break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (sig_catch_stop() < 0)
        die_errno("sigaction");
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line per event, seen at once */

    /* select() can only watch fds below FD_SETSIZE, whatever the rlimit. */
    s.max_fds = FD_SETSIZE;
    s.conns = calloc((size_t)s.max_fds, sizeof(struct echo_conn *));
    if (s.conns == NULL)
        die("out of memory");
    s.listen_fd = net_tcp_listen(so.bind_addr, so.port, SOMAXCONN);
    if (s.listen_fd < 0)
        die("%s", net_error());
    sig_stop_shutdown(
        s.listen_fd); /* a stop signal also wakes the wait: see signals.h */
    if (s.listen_fd >= s.max_fds)
        die("listening socket: fd %d is beyond the %d fds this server can "
            "watch",
            s.listen_fd, s.max_fds);
    if (net_set_nonblocking(s.listen_fd, true) < 0)
        die("%s", net_error());
    s.fd_end = s.listen_fd + 1;
    s.spare_fd = fd_spare_open();
    if (s.spare_fd < 0)
        die_errno("open /dev/null");
    if (net_print_listening(s.listen_fd) < 0)
        die("%s", net_error());

    run(&s);

    printf("stopping on signal %d\n", (int)sig_stop_requested);
    for (int fd = 0; fd < s.fd_end; fd++)
        if (s.conns[fd] != NULL)
            close_conn(&s, s.conns[fd]);
    free(s.conns);
    close(s.spare_fd);
    close(s.listen_fd);
    return 0;
}
