/* common/echo_load.c — the scripted mode of day9/echo_client: many
 * connections at once, each sending COUNT messages of SIZE bytes one at a
 * time, every byte of the echo checked, the whole run timed. Non-blocking
 * sockets and one poll() loop over all of them (day10 teaches that loop).
 */
#include "common/echo_load.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/show.h"

enum {
    CHUNK = 16384,     /* bytes moved per read or write */
    MAX_REPORTED = 10, /* failures shown one by one */
};

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

int echo_load_run(const char *host, int port, const struct echo_load *load)
{
    struct script script = {load->count, load->size, load->connections, load->timeout_ms, NULL};
    struct script *sc = &script;
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
        links[opened].fd = net_tcp_connect(host, port);
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
    printf("%s: %ld connections x %ld messages x %ld bytes to %s:%d: ", prog_name(),
           sc->connections, sc->count, sc->size, host, port);
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
