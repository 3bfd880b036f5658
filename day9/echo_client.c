/* day9/echo_client.c — 客户端 / the client for every echo server of day9 and day10
 *
 * Two modes:
 *  - interactive (the default): what you type (or pipe in) goes to the
 *    server and what comes back is printed, like the course's clients
 *    (input -> send -> recv -> print). At the end of input (Ctrl-D) it
 *    tells the server it is done sending (shutdown), prints the rest of the
 *    echo, and exits when the server closes.
 *  - scripted (-n COUNT -s SIZE -c CONNECTIONS): opens CONNECTIONS
 *    connections, all at once, then on each sends COUNT messages of SIZE
 *    bytes, one at a time (send a message, wait for all of its echo, send
 *    the next), checks every byte that comes back, and closes each
 *    connection when its messages are done. Every message holds
 *    every byte value (0..255) when SIZE >= 256. It prints one line: what
 *    was sent, how long it took, messages per second; a mismatch, a server
 *    that closed early or went silent is reported and the exit status is 1.
 *    The tests, the tour and the benchmarks use this mode.
 *
 * With -u it speaks UDP instead (for udp_server): each line of input is
 * one datagram, and the datagram that comes back is printed.
 *
 * Run it:   ./build/day9/echo_client [-H HOST] [-p PORT]        (port 9000)
 *           ./build/day9/echo_client -p 9003 -n 100 -s 1000 -c 50
 * Watch:    against loop_server, a second interactive client gets its echo
 *           only after the first one quits; against the others, at once.
 * See also: day9/loop_server.c, udp_server.c, fork_server.c, thread_server.c,
 *           day10/select_server.c, poll_server.c, epoll_server.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/show.h"

enum {
    DEFAULT_PORT = 9000,
    CHUNK = 16384, /* bytes moved per read or write */
    MAX_SIZE = 64 << 20,
    MAX_CONNECTIONS = 60000,
    DEFAULT_TIMEOUT = 10, /* seconds without progress before giving up */
    MAX_REPORTED = 10,    /* failures shown one by one */
};

/* ------------------------------------------------------------------------
 * Interactive mode: stdin -> server -> stdout.
 */

/* Copy stdin to the server and the server's replies to stdout, reading
 * whichever is ready (poll), so a long line cannot dead-lock us against a
 * server that is writing back while we write. Returns the exit status: 0
 * if the server closed after echoing as many bytes as we sent. */
static int interactive(int fd, int timeout_ms)
{
    char buf[CHUNK];
    bool input_open = true;
    long long sent = 0, received = 0; /* an echo server sends back as much as it got */
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
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
            if (n < 0 && errno == ECONNRESET) { /* it closed with our data unread */
                warn_msg("the server reset the connection");
                return 1;
            }
            if (n < 0)
                die_errno("recv");
            if (n == 0) {
                if (input_open || received != sent) {
                    warn_msg("the server closed the connection (%lld bytes sent, %lld came back)",
                             sent, received);
                    return 1;
                }
                return 0; /* all echoed, and the server closed: done */
            }
            received += n;
            if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n || fflush(stdout) != 0)
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
        if (n < 0) { /* no answer in time, or ECONNREFUSED: nobody at that port */
            warn_msg("no reply to a %zd-byte datagram%s%s", len, ready > 0 ? ": " : "",
                     ready > 0 ? strerror(errno) : "");
            status = 1;
        } else if (fwrite(reply, 1, (size_t)n, stdout) != (size_t)n || fflush(stdout) != 0) {
            die_errno("write to stdout");
        }
    }
    free(line);
    return status;
}

/* ------------------------------------------------------------------------
 * Scripted mode: COUNT messages of SIZE bytes on CONNECTIONS connections.
 */

struct script {
    long count, size, connections;
    int timeout_ms;
    unsigned char *pattern; /* pattern[i] == i % 256, SIZE + 256 bytes */
};

/* One connection and where it is in its current message. */
struct link {
    int fd;
    long index;        /* 0 .. connections-1 */
    long messages;     /* messages fully echoed so far */
    size_t sent, got;  /* bytes of the current message sent, and echoed */
    bool done, failed; /* finished all messages, or gave up on an error */
};

/* Message m on connection i is the pattern from offset (i + m) % 256: it
 * differs between messages and connections, so a reply sent to the wrong
 * client or repeated would not match. */
static const unsigned char *expected(const struct script *sc, const struct link *l)
{
    return sc->pattern + (size_t)((l->index + l->messages) % 256);
}

static void fail_link(struct link *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_link(struct link *l, const char *fmt, ...)
{
    static long reported; /* a few errors tell the story; thousands would drown it */
    l->failed = true;
    if (++reported > MAX_REPORTED) {
        if (reported == MAX_REPORTED + 1)
            warn_msg("(more failures not shown)");
        return;
    }
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    warn_msg("connection %ld, message %ld: %s", l->index + 1, l->messages + 1, text);
}

/* Send what the socket takes of the current message. */
static void send_some(const struct script *sc, struct link *l)
{
    size_t left = (size_t)sc->size - l->sent;
    ssize_t n = write(l->fd, expected(sc, l) + l->sent, left < CHUNK ? left : CHUNK);
    if (n > 0)
        l->sent += (size_t)n;
    else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        fail_link(l, "send: %s", strerror(errno));
}

/* Read what has come back of the current message and check it. */
static void receive_some(const struct script *sc, struct link *l)
{
    unsigned char buf[CHUNK];
    size_t left = (size_t)sc->size - l->got;
    ssize_t n = read(l->fd, buf, left < CHUNK ? left : CHUNK);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            fail_link(l, "recv: %s", strerror(errno));
        return;
    }
    if (n == 0) {
        fail_link(l, "the server closed the connection after %zu of %ld bytes", l->got, sc->size);
        return;
    }
    const unsigned char *want = expected(sc, l) + l->got;
    if (memcmp(buf, want, (size_t)n) != 0) {
        size_t at = 0;
        while (at < (size_t)n && buf[at] == want[at])
            at++;
        char text[SHOW_BUFSIZE];
        fail_link(l, "byte %zu is 0x%02x, sent 0x%02x; received %s", l->got + at, buf[at], want[at],
                  show_bytes(text, sizeof text, buf, (size_t)n));
        return;
    }
    l->got += (size_t)n;
    if (l->got == (size_t)sc->size) { /* the whole message is back: next one */
        l->messages++;
        l->sent = l->got = 0;
        if (l->messages == sc->count) { /* done: close, so a one-at-a-time server moves on */
            l->done = true;
            close(l->fd);
            l->fd = -1;
        }
    }
}

/* Run the script on already connected, non-blocking links; returns how
 * many links failed. */
static long run_script(const struct script *sc, struct link *links, struct pollfd *p)
{
    long failed = 0;
    for (;;) {
        int count = 0;
        for (long i = 0; i < sc->connections; i++) {
            struct link *l = &links[i];
            if (l->done || l->failed)
                continue;
            short events = POLLIN | (l->sent < (size_t)sc->size ? POLLOUT : 0);
            p[count++] = (struct pollfd){.fd = l->fd, .events = events};
        }
        if (count == 0)
            return failed;
        int ready = poll(p, (nfds_t)count, sc->timeout_ms);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            die_errno("poll");
        }
        if (ready == 0) { /* nothing moved for timeout_ms: the server is stuck */
            for (long i = 0; i < sc->connections; i++)
                if (!links[i].done && !links[i].failed) {
                    fail_link(&links[i], "no reply for %d s (%zu of %ld bytes echoed)",
                              sc->timeout_ms / 1000, links[i].got, sc->size);
                    failed++;
                }
            return failed;
        }
        /* p[] holds the active links in order: walk both together */
        int k = 0;
        for (long i = 0; i < sc->connections && k < count; i++) {
            struct link *l = &links[i];
            if (l->done || l->failed)
                continue;
            short revents = p[k++].revents;
            if (revents & POLLOUT)
                send_some(sc, l);
            if (!l->failed && (revents & (POLLIN | POLLERR | POLLHUP)))
                receive_some(sc, l);
            if (l->failed)
                failed++;
        }
    }
}

static int scripted(const struct client_opts *co, struct script *sc)
{
    long need = sc->connections + 16; /* + stdio and a few spare */
    long limit = fd_limit_raise();
    if (limit >= 0 && limit < need)
        die("%ld connections need %ld fds, but RLIMIT_NOFILE allows %ld", sc->connections, need,
            limit);
    sc->pattern = calloc((size_t)sc->size + 256, 1);
    struct link *links = calloc((size_t)sc->connections, sizeof *links);
    struct pollfd *p = calloc((size_t)sc->connections, sizeof *p);
    if (sc->pattern == NULL || links == NULL || p == NULL)
        die("out of memory");
    for (long i = 0; i < sc->size + 256; i++)
        sc->pattern[i] = (unsigned char)(i % 256);

    /* Connect them all first, so they are all open at once. */
    double start = clock_now();
    long opened = 0;
    for (; opened < sc->connections; opened++) {
        links[opened].index = opened;
        links[opened].fd = net_tcp_connect(co->host, co->port);
        if (links[opened].fd < 0 || net_set_nonblocking(links[opened].fd, true) < 0) {
            warn_msg("connection %ld: %s", opened + 1, net_error());
            break;
        }
    }
    if (opened < sc->connections) { /* give up: close what is open, free, fail */
        for (long i = 0; i <= opened && i < sc->connections; i++)
            if (links[i].fd >= 0)
                close(links[i].fd);
        free(sc->pattern);
        free(links);
        free(p);
        return 1;
    }
    double connected = clock_now();

    long failed = run_script(sc, links, p);
    double elapsed = clock_now() - connected;

    long messages = 0;
    for (long i = 0; i < sc->connections; i++) {
        messages += links[i].messages;
        if (links[i].fd >= 0)
            close(links[i].fd);
    }
    double mib = (double)messages * (double)sc->size / (1024.0 * 1024.0);
    printf("echo_client: %ld connections x %ld messages x %ld bytes to %s:%d: ", sc->connections,
           sc->count, sc->size, co->host, co->port);
    if (failed == 0)
        printf("all echoed correctly");
    else
        printf("%ld of %ld connections FAILED, %ld of %ld messages echoed correctly", failed,
               sc->connections, messages, sc->count * sc->connections);
    printf(" in %.3f s (%.0f messages/s, %.1f MiB/s each way; connecting took %.3f s)\n", elapsed,
           elapsed > 0 ? (double)messages / elapsed : 0.0, elapsed > 0 ? mib / elapsed : 0.0,
           connected - start);
    free(sc->pattern);
    free(links);
    free(p);
    return failed == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------------ */

static const char usage[] =
    "usage: echo_client [-H HOST] [-p PORT] [-t SECONDS] [-u]\n"
    "       echo_client [-H HOST] [-p PORT] [-t SECONDS] -n COUNT -s SIZE -c CONNECTIONS\n"
    "  the client for the echo servers (loop 9000, fork 9001, thread 9002,\n"
    "  select 9003, poll 9004, epoll 9005)\n"
    "  -H HOST  server address (default 127.0.0.1)\n"
    "  -p PORT  server port (default 9000)\n"
    "  -t SECS  give up when the server is silent this long (default 10)\n"
    "  without -n/-s/-c: send stdin, print what comes back\n"
    "  -u       UDP (for udp_server): each line of stdin is one datagram\n"
    "  -n COUNT messages per connection (default 1)\n"
    "  -s SIZE  bytes per message (default 64, at most 67108864)\n"
    "  -c CONNECTIONS  connections open at once (default 1)\n"
    "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct client_opts co;
    struct script sc = {.count = 1, .size = 64, .connections = 1};
    bool script = false, udp = false;
    long timeout = DEFAULT_TIMEOUT;
    int opt;

    prog_init(argv[0]);
    client_opts_init(&co, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, CLIENT_OPTSTRING "n:s:c:t:u")) != -1) {
        if (client_opts_handle(&co, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 1, 1000000000L, &sc.count) < 0)
                die_usage(usage, "bad -n '%s': expected 1 or more messages", optarg);
            script = true;
            break;
        case 's':
            if (parse_long(optarg, 1, MAX_SIZE, &sc.size) < 0)
                die_usage(usage, "bad -s '%s': expected 1 to %d bytes", optarg, MAX_SIZE);
            script = true;
            break;
        case 'c':
            if (parse_long(optarg, 1, MAX_CONNECTIONS, &sc.connections) < 0)
                die_usage(usage, "bad -c '%s': expected 1 to %d connections", optarg,
                          MAX_CONNECTIONS);
            script = true;
            break;
        case 'u': udp = true; break;
        case 't':
            if (parse_long(optarg, 1, 3600, &timeout) < 0)
                die_usage(usage, "bad -t '%s': expected 1 to 3600 seconds", optarg);
            break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    sc.timeout_ms = (int)timeout * 1000;

    if (script && udp)
        die_usage(usage, "-u works only without -n/-s/-c");
    if (script)
        return scripted(&co, &sc);

    int fd = udp ? net_udp_connect(co.host, co.port) : net_tcp_connect(co.host, co.port);
    if (fd < 0)
        die("%s", net_error());
    int status = udp ? interactive_udp(fd, sc.timeout_ms) : interactive(fd, sc.timeout_ms);
    close(fd);
    return status;
}
