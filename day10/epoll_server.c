/* day10/epoll_server.c — IO多路复用: epoll方法 /
 * many clients, one thread, epoll
 *
 * The same echo server as select_server.c and poll_server.c, with epoll in
 * place of select/poll: diff the files to see the only part that changes.
 * As the course says, it is used "basically like poll": create the epoll
 * object (epoll_create1), register fds with the events wanted
 * (epoll_ctl ADD, change them with MOD), wait (epoll_wait). The difference
 * is where the interest lives: in the kernel. We register an fd once; the
 * kernel keeps the list and puts an fd on its ready list when it becomes
 * ready, so epoll_wait costs what is READY, not what is watched.
 *
 * Run it:   ./build/day10/epoll_server [-b ADDR] [-p PORT] [-e] [-v]
 *           (port 9005)
 *           ./build/day9/echo_client -p 9005 -c 1000 -n 10 -s 100
 * Watch:    -e: edge-triggered (EPOLLET). Level-triggered (the default, as
 *           select and poll) reports an fd on every call while it is ready;
 *           edge-triggered reports it once per change, so each event must be
 *           handled until EAGAIN (accept until EAGAIN, read and write until
 *           EAGAIN), or data is left waiting with no event to come for it
 *           (echo_serve() stops early to be fair, and watch() then re-arms).
 *           day10/epoll_et.c shows the difference on its own.
 * See also: select_server.c, poll_server.c (the same server), epoll_et.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/echo_conn.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"

enum {
    DEFAULT_PORT = 9005,
    MAX_EVENTS = 256, /* ready fds taken per epoll_wait */
};

struct server {
    int listen_fd;
    int spare_fd;             /* kept open for EMFILE: see common/fds.h */
    struct echo_conn **conns; /* the fdmap: conns[fd], NULL if none */
    int max_fds;  /* size of conns: a client with a higher fd is refused */
    int fd_end;   /* one past the highest fd ever used */
    int epoll_fd; /* the kernel's interest list and ready list */
    bool edge;    /* -e: edge-triggered (EPOLLET) */
    bool verbose; /* -v: print every message */
};

static void close_conn(struct server *s, struct echo_conn *c);

/* ------------------------------------------------------------------------
 * The event loop: the part that changes between select, poll and epoll.
 * epoll keeps the watched fds in the kernel: epoll_ctl adds an fd once,
 * and epoll_wait returns only the ready ones — nothing is rebuilt or
 * passed in per call. We tell the kernel only when what we want changes.
 */
static void accept_clients(struct server *s);

/* The events to register for c. Level-triggered: only what we want now
 * (asking for EPOLLOUT while there is nothing to send would wake us up at
 * once, every time). Edge-triggered: both, once; an event comes only when
 * the socket's state changes, and echo_serve() works until EAGAIN each time. */
static uint32_t events_for(const struct server *s, const struct echo_conn *c)
{
    if (s->edge)
        return EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    return (echo_wants_read(c) ? EPOLLIN : 0) |
           (echo_wants_write(c) ? EPOLLOUT : 0);
}

/* Register c (op EPOLL_CTL_ADD) or change what we want (EPOLL_CTL_MOD). */
static bool watch(struct server *s, struct echo_conn *c, int op)
{
    struct epoll_event ev = {.events = events_for(s, c), .data.fd = c->fd};
    /* EPOLL_CTL_MOD also checks the fd again and, if it is ready, puts it
     * back on the ready list: how an edge-triggered fd that echo_serve() left
     * unfinished is reported again without a new edge. */
    bool rearm = s->edge && c->unfinished;
    c->unfinished = false;
    if (op == EPOLL_CTL_MOD && ev.events == c->watching && !rearm)
        return true; /* no change: no system call */
    if (epoll_ctl(s->epoll_fd, op, c->fd, &ev) < 0) {
        warn_errno("epoll_ctl %s", c->peer);
        return false;
    }
    c->watching = ev.events;
    return true;
}

static void run(struct server *s)
{
    struct epoll_event ready[MAX_EVENTS];
    while (!sig_stop_requested) {
        int count = epoll_wait(s->epoll_fd, ready, MAX_EVENTS, -1);
        if (count < 0) {
            if (errno == EINTR)
                continue; /* a signal: the loop test decides */
            die_errno("epoll_wait");
        }

        for (int i = 0; i < count; i++) {
            int fd = ready[i].data.fd;
            if (fd == s->listen_fd) {
                accept_clients(s);
                continue;
            }
            struct echo_conn *c = s->conns[fd];
            if (c == NULL)
                continue;
            /* edge-triggered, an EOF that came with the data is no new
             * edge: when the client has closed, read until EAGAIN */
            c->drain = s->edge && (ready[i].events & (EPOLLRDHUP | EPOLLHUP));
            if (!echo_serve(c, s->verbose) || !watch(s, c, EPOLL_CTL_MOD))
                close_conn(s,
                           c); /* close() also takes it off the interest list */
        }
    }
}

/* A new client: remember it, and register it with the kernel once. */
static void add_conn(struct server *s, struct echo_conn *c)
{
    s->conns[c->fd] = c;
    if (!watch(s, c, EPOLL_CTL_ADD))
        close_conn(s, c);
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
    "usage: epoll_server [-b ADDR] [-p PORT] [-e] [-v] [-h]\n"
    "  an echo server: one thread, epoll over all clients\n"
    "  -b ADDR  bind address (default 127.0.0.1)\n"
    "  -p PORT  port (default 9005; 0: any free port)\n"
    "  -e       edge-triggered (EPOLLET); default: level-triggered\n"
    "  -v       print every message received\n"
    "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    struct server s = {0};
    int opt;

    prog_init(argv[0]);
    server_opts_init(&so, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "ev")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'e': s.edge = true; break;
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

    /* epoll watches any fd: the limit is how many fds we may open. */
    long limit = fd_limit_raise();
    if (limit < 0)
        die_errno("setrlimit RLIMIT_NOFILE");
    s.max_fds = (int)limit;
    s.conns = calloc((size_t)s.max_fds, sizeof(struct echo_conn *));
    if (s.conns == NULL)
        die("out of memory");
    s.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (s.epoll_fd < 0)
        die_errno("epoll_create1");
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
    struct epoll_event ev = {.events = EPOLLIN | (s.edge ? EPOLLET : 0),
                             .data.fd = s.listen_fd};
    if (epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.listen_fd, &ev) < 0)
        die_errno("epoll_ctl listening socket");
    if (net_print_listening(s.listen_fd) < 0)
        die("%s", net_error());

    run(&s);

    printf("stopping on signal %d\n", (int)sig_stop_requested);
    for (int fd = 0; fd < s.fd_end; fd++)
        if (s.conns[fd] != NULL)
            close_conn(&s, s.conns[fd]);
    free(s.conns);
    close(s.epoll_fd);
    close(s.spare_fd);
    close(s.listen_fd);
    return 0;
}
