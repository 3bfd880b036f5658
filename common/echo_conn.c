/* common/echo_conn.c — see echo_conn.h. */
#include "common/echo_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/fds.h"
#include "common/show.h"
#include "common/signals.h"

bool echo_wants_read(const struct echo_conn *c)
{
    return c->backlog == NULL;
}

bool echo_wants_write(const struct echo_conn *c)
{
    return c->backlog != NULL;
}

/* Tell a refused client why, and close it. */
static void refuse(int fd, const char *why)
{
    char line[160];
    snprintf(line, sizeof line, "%s: busy: %s\n", prog_name(), why);
    (void)send(fd, line, strlen(line), MSG_NOSIGNAL);
    close(fd);
}

int echo_accept(int listen_fd, int *spare, int max_fds,
                struct echo_conn **out)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd = accept(listen_fd, (struct sockaddr *)&addr, &len);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) { /* refuse, don't spin */
            char why[160];
            snprintf(why, sizeof why, "%s: busy: out of file descriptors, "
                     "try again later\n", prog_name());
            if (fd_spare_refuse(spare, listen_fd, why) == 1) {
                printf("refused a client: out of file descriptors\n");
                return 0;
            }
            return -1;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            return 0;
        if (errno != EAGAIN && errno != EWOULDBLOCK && !sig_stop_requested)
            warn_errno("accept");
        return -1;
    }
    char peer[NET_ADDRSTRLEN];
    if (net_format_addr((struct sockaddr *)&addr, len, peer, sizeof peer) < 0)
        snprintf(peer, sizeof peer, "(unknown)");
    if (fd >= max_fds) {
        printf("refused %s: fd %d is beyond the %d this server can watch\n",
               peer, fd, max_fds);
        refuse(fd, "too many clients");
        return 0;
    }
    struct echo_conn *c = calloc(1, sizeof *c);
    if (c == NULL || net_set_nonblocking(fd, true) < 0) {
        warn_msg("cannot take %s: %s", peer,
                 c == NULL ? "out of memory" : net_error());
        free(c);
        close(fd);
        return 0;
    }
    c->fd = fd;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    printf("connect from %s\n", c->peer);
    *out = c;
    return 1;
}

/* One write of len bytes at data: how many the kernel took (0: none,
 * EAGAIN), or -1 if the client is gone (e.g. EPIPE, ECONNRESET). */
static ssize_t write_some(struct echo_conn *c, const char *data, size_t len)
{
    ssize_t n;
    do
        n = write(c->fd, data, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    c->echoed += n;
    return n;
}

/* Send what the client did not take before. True: all sent, the backlog
 * is freed; false: some is still waiting (*gone if the client is gone). */
static bool send_backlog(struct echo_conn *c, bool *gone)
{
    ssize_t n = write_some(c, c->backlog + c->start, c->end - c->start);
    *gone = n < 0;
    if (n > 0)
        c->start += (size_t)n;
    if (n < 0 || c->start < c->end)
        return false;
    free(c->backlog);
    c->backlog = NULL;
    c->start = c->end = 0;
    return true;
}

/* Keep data[0, len): what the client would not take now. */
static bool keep_backlog(struct echo_conn *c, const char *data, size_t len)
{
    c->backlog = malloc(len);
    if (c->backlog == NULL) {
        warn_msg("%s: out of memory for %zu unsent bytes", c->peer, len);
        return false;
    }
    memcpy(c->backlog, data, len);
    c->start = 0;
    c->end = len;
    return true;
}

/* A read that returns less than asked emptied the socket; whatever comes
 * later is a new event (epoll(7): "if read(2) returns a lower number of
 * bytes, you can be sure of having exhausted the read I/O space"). So
 * echo_serve stops there, without the read that would only say EAGAIN.
 * Except when c->drain: edge-triggered, a client's EOF that came with the
 * data is no new edge, and only one more read can find it; epoll_server
 * -e sets drain when the event says the client has closed (EPOLLRDHUP). */
bool echo_serve(struct echo_conn *c, bool verbose)
{
    char buf[ECHO_BUFSIZE]; /* this read's bytes: written straight back */
    for (int round = 0; round < ECHO_TURN_ROUNDS; round++) {
        bool gone;
        if (c->backlog != NULL && !send_backlog(c, &gone))
            return !gone; /* the client takes no more now: wait */
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n == 0)
            return false; /* EOF, and all is sent back: done */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* EAGAIN: all done for now; else e.g. ECONNRESET: gone */
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        if (verbose) {
            char text[SHOW_BUFSIZE];
            printf("%s: %zd bytes %s\n", c->peer, n,
                   show_bytes(text, sizeof text, buf, (size_t)n));
        }
        ssize_t put = write_some(c, buf, (size_t)n);
        if (put < 0)
            return false;
        if (put < n) /* the client is not reading: keep the rest */
            return keep_backlog(c, buf + put, (size_t)(n - put));
        if ((size_t)n < sizeof buf && !c->drain)
            return true; /* a short read: nothing more waiting */
    }
    c->unfinished = true; /* our turn is over, maybe not the work */
    return true;
}

void echo_close(struct echo_conn *c)
{
    printf("closed %s (%lld bytes echoed)\n", c->peer, c->echoed);
    close(c->fd);
    free(c->backlog);
    free(c);
}
