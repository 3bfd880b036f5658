/* day10/poll_server.c — IO多路复用: poll方法 /
 * many clients, one thread, poll()
 *
 * The same echo server as select_server.c, with poll() in place of
 * select(): diff the two files to see the only part that changes. The
 * course's steps:
 *   【1】 create the listening socket;
 *   【2】 register it (here: put it in the pollfd array, events POLLIN);
 *   【3】 keep the fd -> client map (the course's fdmap: conns[fd]);
 *   【4】 wait in poll() until some fds are ready;
 *   【5】 handle each ready fd: accept, read, write — never blocking.
 *
 * Run it:   ./build/day10/poll_server [-b ADDR] [-p PORT] [-v]     (port 9004)
 *           ./build/day9/echo_client -p 9004 -c 1000 -n 10 -s 100
 * Watch:    poll() has no FD_SETSIZE: it takes an array of (fd, events)
 *           pairs of any length, so the limit is the number of fds the
 *           process may open (RLIMIT_NOFILE; this server raises its soft
 *           limit to the hard one). Like select, every call passes the whole
 *           array in and the kernel scans all of it: cost grows with the
 *           number of clients, ready or not.
 * See also: select_server.c, epoll_server.c (the same server), bitops.c
 *           (building and testing the POLLIN | POLLOUT masks).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/echo_conn.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"

enum {
    DEFAULT_PORT = 9004,
};

struct server {
    int listen_fd;
    int spare_fd;             /* kept open for EMFILE: see common/fds.h */
    struct echo_conn **conns; /* the fdmap: conns[fd], NULL if none */
    int max_fds; /* size of conns: a client with a higher fd is refused */
    int fd_end;  /* one past the highest fd ever used */
    struct pollfd *pfds; /* what poll() watches: rebuilt every turn */
    bool verbose;        /* -v: print every message */
};

static void close_conn(struct server *s, struct echo_conn *c);

/* ------------------------------------------------------------------------
 * The event loop: the part that changes between select, poll and epoll.
 * poll() takes an array of struct pollfd {fd, events, revents}: we say
 * which events we want (POLLIN, POLLOUT; POLLERR and POLLHUP always come),
 * the kernel answers in revents. The wanted events stay as we wrote them,
 * but the array still goes into the kernel, and is scanned, every call.
 */
static void accept_clients(struct server *s);

static void run(struct server *s)
{
    while (!sig_stop_requested) {
        int count = 0;
        s->pfds[count++] =
            (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        for (int fd = 0; fd < s->fd_end; fd++) {
            struct echo_conn *c = s->conns[fd];
            if (c == NULL)
                continue;
            short events = (short)((echo_wants_read(c) ? POLLIN : 0) |
                                   (echo_wants_write(c) ? POLLOUT : 0));
            s->pfds[count++] = (struct pollfd){.fd = fd, .events = events};
        }

        if (poll(s->pfds, (nfds_t)count, -1) < 0) {
            if (errno == EINTR)
                continue; /* a signal: the loop test decides */
            die_errno("poll");
        }

        if (s->pfds[0].revents &
            POLLIN) /* clients accepted now were not watched */
            accept_clients(s);
        for (int i = 1; i < count; i++) {
            struct echo_conn *c = s->conns[s->pfds[i].fd];
            if (c == NULL || s->pfds[i].revents == 0)
                continue;
            if (!echo_serve(c, s->verbose))
                close_conn(s, c);
        }
    }
}

/* A new client: remember it. poll() needs no registration either: the
 * next turn of the loop puts it in the array. */
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
    "usage: poll_server [-b ADDR] [-p PORT] [-v] [-h]\n"
    "  an echo server: one thread, poll() over all clients\n"
    "  -b ADDR  bind address (default 127.0.0.1)\n"
    "  -p PORT  port (default 9004; 0: any free port)\n"
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

    /* poll() watches any fd: the limit is how many fds we may open. */
    long limit = fd_limit_raise();
    if (limit < 0)
        die_errno("setrlimit RLIMIT_NOFILE");
    s.max_fds = (int)limit;
    s.conns = calloc((size_t)s.max_fds, sizeof(struct echo_conn *));
    s.pfds = calloc((size_t)s.max_fds + 1, sizeof *s.pfds);
    if (s.conns == NULL || s.pfds == NULL)
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
    free(s.pfds);
    close(s.spare_fd);
    close(s.listen_fd);
    return 0;
}
