/* day9/echo_client.c — 客户端 / the client for every echo server of
 * day9 and day10
 *
 * Interactive (the default): what you type (or pipe in) goes to the
 * server and what comes back is printed, like the course's clients
 * (input -> send -> recv -> print). At the end of input (Ctrl-D) it tells
 * the server it is done sending (shutdown), prints the rest of the echo,
 * and exits when the server closes. With -u it speaks UDP (udp_server):
 * each line is one datagram, and the datagram that comes back is printed.
 *
 * Scripted (-n COUNT -s SIZE -c CONNECTIONS): CONNECTIONS connections at
 * once, each sending COUNT messages of SIZE bytes one at a time, every
 * byte of the echo checked, timed; one line of results, exit 1 if
 * anything failed. The tests, the tour and the benchmarks use it; the
 * machinery is common/echo_load.c.
 *
 * Run:   ./build/day9/echo_client [-H HOST] [-p PORT] [-u]      (9000)
 *        ./build/day9/echo_client -p 9003 -n 100 -s 1000 -c 50
 * Watch: against loop_server, a second interactive client gets its echo
 *        only after the first one quits; against the others, at once.
 * See also: day9/loop_server.c, udp_server.c, fork_server.c,
 *           thread_server.c, day10/select_server.c, poll_server.c,
 *           epoll_server.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/echo_load.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"

enum {
    CHUNK = 16384, /* bytes moved per read or write */
    MAX_SIZE = 64 << 20,
    MAX_CONNECTIONS = 60000,
};

/* Copy stdin to the server and the server's replies to stdout, reading
 * whichever is ready (poll), so a long line cannot dead-lock us against a
 * server that is writing back while we write. Returns the exit status: 0
 * if the server closed after echoing as many bytes as we sent. */
static int interactive(int fd, int timeout_ms)
{
    char buf[CHUNK];
    bool input_open = true;
    long long sent = 0,
              received = 0; /* an echo server sends back as much as it got */
    for (;;) {
        struct pollfd p[2] = {
            {.fd = fd, .events = POLLIN},
            {.fd = input_open ? STDIN_FILENO : -1, .events = POLLIN}};
        int ready = poll(p, 2, input_open ? -1 : timeout_ms);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            die_errno("poll");
        }
        if (ready == 0)
            die("no reply from the server for %d s", timeout_ms / 1000);
        if (p[0].revents != 0) { /* the server sent something (or closed) */
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 &&
                errno == ECONNRESET) { /* it closed with our data unread */
                warn_msg("the server reset the connection");
                return 1;
            }
            if (n < 0)
                die_errno("recv");
            if (n == 0) {
                if (input_open || received != sent) {
                    warn_msg("the server closed the connection (%lld bytes "
                             "sent, %lld came back)",
                             sent, received);
                    return 1;
                }
                return 0; /* all echoed, and the server closed: done */
            }
            received += n;
            if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n ||
                fflush(stdout) != 0)
                die_errno("write to stdout");
        }
        if (input_open && p[1].revents != 0) { /* a line (or a chunk) to send */
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno != EINTR)
                die_errno("read stdin");
            if (n == 0) {
                input_open = false;
                if (shutdown(fd, SHUT_WR) < 0) /* "I am done sending" */
                    die_errno("shutdown");
            } else if (n > 0) {
                if (io_write_all(fd, buf, (size_t)n) < 0)
                    die_errno("send");
                sent += n;
            }
        }
    }
}

/* UDP (-u): each line read from stdin is one datagram; print the
 * datagram that comes back. There is no connection, so no "closed": a
 * reply that does not come within the timeout is an error. */
static int interactive_udp(int fd, int timeout_ms)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    static char reply[65536];
    int status = 0;
    while (status == 0 && (len = getline(&line, &cap, stdin)) > 0) {
        if (send(fd, line, (size_t)len, 0) < 0)
            die_errno("send");
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, timeout_ms);
        ssize_t n = ready > 0 ? recv(fd, reply, sizeof reply, 0) : -1;
        if (n <
            0) { /* no answer in time, or ECONNREFUSED: nobody at that port */
            warn_msg("no reply to a %zd-byte datagram%s%s", len,
                     ready > 0 ? ": " : "", ready > 0 ? strerror(errno) : "");
            status = 1;
        } else if (fwrite(reply, 1, (size_t)n, stdout) != (size_t)n ||
                   fflush(stdout) != 0) {
            die_errno("write to stdout");
        }
    }
    free(line);
    return status;
}

static const char usage[] =
    "usage: echo_client [-H HOST] [-p PORT] [-t SECONDS] [-u]\n"
    "       echo_client [-H HOST] [-p PORT] [-t SECONDS]\n"
    "                   -n COUNT -s SIZE -c CONNECTIONS\n"
    "  the client for the echo servers (loop 9000, fork 9001, thread 9002,\n"
    "  select 9003, poll 9004, epoll 9005)\n"
    "  -H HOST  server address (default 127.0.0.1)\n"
    "  -p PORT  server port (default 9000)\n"
    "  -t SECS  give up when the server is silent this long (default 10)\n"
    "  without -n/-s/-c: send stdin, print what comes back\n"
    "  -u       UDP (for udp_server): each line of stdin is one datagram\n"
    "  -n COUNT messages per connection (default 1)\n"
    "  -s SIZE  bytes per message (default 64, at most 67108864)\n"
    "  -c CONNECTIONS  connections open at once (default 1)\n";

int main(int argc, char *argv[])
{
    struct client_opts co;
    struct echo_load load = {.count = 1, .size = 64, .connections = 1};
    bool script = false, udp = false;
    long timeout = 10; /* seconds without progress before giving up */
    int opt;
    prog_init(argv[0]);
    client_opts_init(&co, 9000);
    while ((opt = getopt(argc, argv, CLIENT_OPTSTRING "n:s:c:t:u")) != -1) {
        if (client_opts_handle(&co, opt, optarg, usage))
            continue;
        script = script || opt == 'n' || opt == 's' || opt == 'c';
        if (opt == 'n' && parse_long(optarg, 1, 1000000000L, &load.count) < 0)
            die_usage(usage, "bad -n '%s': expected 1 or more", optarg);
        else if (opt == 's' && parse_long(optarg, 1, MAX_SIZE, &load.size) < 0)
            die_usage(usage, "bad -s '%s': expected 1 to %d bytes", optarg,
                      MAX_SIZE);
        else if (opt == 'c' &&
                 parse_long(optarg, 1, MAX_CONNECTIONS, &load.connections) < 0)
            die_usage(usage, "bad -c '%s': expected 1 to %d", optarg,
                      MAX_CONNECTIONS);
        else if (opt == 't' && parse_long(optarg, 1, 3600, &timeout) < 0)
            die_usage(usage, "bad -t '%s': expected 1 to 3600 s", optarg);
        else if (opt == 'u')
            udp = true;
        else if (strchr("nsct", opt) == NULL)
            die_usage(usage, NULL);
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (script && udp)
        die_usage(usage, "-u works only without -n/-s/-c");
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    load.timeout_ms = (int)timeout * 1000;
    if (script)
        return echo_load_run(co.host, co.port, &load);

    int fd = udp ? net_udp_connect(co.host, co.port)
                 : net_tcp_connect(co.host, co.port);
    if (fd < 0)
        die("%s", net_error());
    int status = udp ? interactive_udp(fd, load.timeout_ms)
                     : interactive(fd, load.timeout_ms);
    close(fd);
    return status;
}
