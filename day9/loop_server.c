/* day9/loop_server.c — 循环服务器模型 / the iterative (loop) server model
 *
 * The simplest server: accept one client, echo everything it sends until
 * it closes, close it, then accept the next. One client at a time, by
 * design. While a client is being served, the next one waits in the
 * kernel's listen queue: its connect() has succeeded (the kernel did the
 * handshake), but nobody reads what it sends.
 *
 * Run it:   ./build/day9/loop_server [-b ADDR] [-p PORT] [-v]      (port 9000)
 *           ./build/day9/echo_client -p 9000         (in two terminals)
 * Watch:    the second client's lines come back only once the first one
 *           quits (Ctrl-D). Simple and cheap, but one slow client holds up
 *           everyone: good for short requests (and for UDP, where there is
 *           no connection to hold: see udp_server.c).
 * See also: fork_server.c and thread_server.c (a process or a thread per
 *           client), day10/select_server.c (one thread, many clients).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/options.h"
#include "common/show.h"
#include "common/signals.h"

enum { DEFAULT_PORT = 9000, BUFSIZE = 65536 };

#define BUSY_NO_FDS "loop_server: busy: out of file descriptors, try again later\n"

/* write() all len bytes, unless a stop signal comes first: a client that
 * does not read would otherwise keep us blocked here forever (io_write_all
 * would retry after the signal). 0, or -1 with errno set. */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        if (sig_stop_requested) {
            errno = EINTR;
            return -1;
        }
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Echo what the client sends until it closes (or we are asked to stop);
 * returns how many bytes were echoed. */
static long long serve_client(int fd, const char *peer, bool verbose)
{
    char buf[BUFSIZE];
    long long echoed = 0;
    while (!sig_stop_requested) {
        ssize_t n = read(fd, buf, sizeof buf); /* blocks until the client sends */
        if (n < 0 && errno == EINTR)
            continue; /* a signal: the loop test decides */
        if (n < 0) {
            warn_errno("read from %s", peer);
            break;
        }
        if (n == 0)
            break; /* the client closed the connection */
        if (verbose) {
            char text[SHOW_BUFSIZE];
            printf("%s: %zd bytes %s\n", peer, n, show_bytes(text, sizeof text, buf, (size_t)n));
        }
        if (send_all(fd, buf, (size_t)n) < 0) {
            if (errno != EINTR)
                warn_errno("write to %s", peer);
            break;
        }
        echoed += n;
    }
    return echoed;
}

static const char usage[] = "usage: loop_server [-b ADDR] [-p PORT] [-v] [-h]\n"
                            "  an echo server that serves one client at a time\n"
                            "  -b ADDR  bind address (default 127.0.0.1)\n"
                            "  -p PORT  port (default 9000; 0: any free port)\n"
                            "  -v       print every message received\n"
                            "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    bool verbose = false;
    int opt;

    prog_init(argv[0]);
    server_opts_init(&so, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "v")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'v': verbose = true; break;
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

    int listen_fd = net_tcp_listen(so.bind_addr, so.port, SOMAXCONN);
    if (listen_fd < 0)
        die("%s", net_error());
    sig_stop_shutdown(listen_fd);   /* a stop signal also wakes accept(): see signals.h */
    int spare_fd = fd_spare_open(); /* for EMFILE: see common/fds.h */
    if (spare_fd < 0)
        die_errno("open /dev/null");
    if (net_print_listening(listen_fd) < 0)
        die("%s", net_error());

    while (!sig_stop_requested) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int fd = accept(listen_fd, (struct sockaddr *)&addr, &len); /* wait for a client */
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* no fd left: refuse, don't spin */
                if (fd_spare_refuse(&spare_fd, listen_fd, BUSY_NO_FDS) == 1)
                    printf("refused a client: out of file descriptors\n");
            } else if (errno != EINTR && errno != ECONNABORTED && !sig_stop_requested) {
                warn_errno("accept");
            }
            continue;
        }
        char peer[NET_ADDRSTRLEN];
        if (net_format_addr((struct sockaddr *)&addr, len, peer, sizeof peer) < 0)
            snprintf(peer, sizeof peer, "(unknown)");
        printf("connect from %s\n", peer);

        long long echoed = serve_client(fd, peer, verbose); /* this client, and only it */
        close(fd);
        printf("closed %s (%lld bytes echoed)\n", peer, echoed);
    }

    printf("stopping on signal %d\n", (int)sig_stop_requested);
    close(spare_fd);
    close(listen_fd);
    return 0;
}
