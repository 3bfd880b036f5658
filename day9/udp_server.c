/* day9/udp_server.c — 循环服务器模型 (UDP) / the loop model, as it suits UDP
 *
 * The course: "udp比tcp更适合循环" — UDP suits the loop model better than
 * TCP. There are no connections: each datagram is a whole request with its
 * sender's address, so one loop of recvfrom -> sendto serves every client
 * in turn, and no client can hold the server by staying connected.
 *
 * Run it:   ./build/day9/udp_server [-b ADDR] [-p PORT] [-v]        (port 9000, UDP)
 *           nc -u 127.0.0.1 9000            (type lines; each comes back)
 * Watch:    many clients at once are served, one datagram at a time; with
 *           -v each datagram is printed with its sender. (UDP port 9000 is
 *           not TCP port 9000: it can run next to loop_server.)
 * See also: loop_server.c (the same loop over TCP), day6's chat room (UDP).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/net.h"
#include "common/options.h"
#include "common/show.h"
#include "common/signals.h"

enum {
    DEFAULT_PORT = 9000,
    MAX_DATAGRAM = 65536, /* more than the largest UDP payload (65507) */
};

static const char usage[] = "usage: udp_server [-b ADDR] [-p PORT] [-v] [-h]\n"
                            "  a UDP echo server: every datagram goes back to its sender\n"
                            "  -b ADDR  bind address (default 127.0.0.1)\n"
                            "  -p PORT  UDP port (default 9000; 0: any free port)\n"
                            "  -v       print every datagram received\n"
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
    if (net_ignore_sigpipe() < 0) /* stdout may be a pipe whose reader leaves */
        die("%s", net_error());
    setvbuf(stdout, NULL, _IOLBF, 0);

    int fd = net_udp_bind(so.bind_addr, so.port);
    if (fd < 0)
        die("%s", net_error());
    if (net_print_listening(fd) < 0)
        die("%s", net_error());

    static char buf[MAX_DATAGRAM];
    long long datagrams = 0;
    while (!sig_stop_requested) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) {
            if (errno != EINTR)
                warn_errno("recvfrom");
            continue;
        }
        if (verbose) {
            char peer[NET_ADDRSTRLEN], text[SHOW_BUFSIZE];
            if (net_format_addr((struct sockaddr *)&from, len, peer, sizeof peer) < 0)
                snprintf(peer, sizeof peer, "(unknown)");
            printf("%s: %zd bytes %s\n", peer, n, show_bytes(text, sizeof text, buf, (size_t)n));
        }
        /* One datagram in, one out: a datagram is sent whole or not at all. */
        if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) < 0)
            warn_errno("sendto");
        else
            datagrams++;
    }

    printf("stopping on signal %d (%lld datagrams echoed)\n", (int)sig_stop_requested, datagrams);
    close(fd);
    return 0;
}
