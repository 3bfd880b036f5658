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
    return !c->eof && c->end < ECHO_BUFSIZE;
}

bool echo_wants_write(const struct echo_conn *c)
{
    return c->start < c->end;
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

/* One read, if there is room: false if the client is gone. */
static bool read_some(struct echo_conn *c, bool verbose, bool *progress)
{
    ssize_t n = read(c->fd, c->buf + c->end, ECHO_BUFSIZE - c->end);
    if (n > 0) {
        if (verbose) {
            char text[SHOW_BUFSIZE];
            printf("%s: %zd bytes %s\n", c->peer, n,
                   show_bytes(text, sizeof text, c->buf + c->end, (size_t)n));
        }
        c->end += (size_t)n;
        *progress = true;
    } else if (n == 0) {
        c->eof = true; /* send back what is left, then close */
        *progress = true;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return false; /* e.g. ECONNRESET: the client is gone */
    }
    return true;
}

/* One write of what is waiting: false if the client is gone. */
static bool write_some(struct echo_conn *c, bool *progress)
{
    ssize_t n = write(c->fd, c->buf + c->start, c->end - c->start);
    if (n > 0) {
        c->start += (size_t)n;
        c->echoed += n;
        *progress = true;
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
               errno != EINTR) {
        return false; /* e.g. EPIPE: the client is gone */
    }
    return true;
}

bool echo_serve(struct echo_conn *c, bool verbose)
{
    for (int round = 0; round < ECHO_TURN_ROUNDS; round++) {
        bool progress = false;
        if (echo_wants_read(c) && !read_some(c, verbose, &progress))
            return false;
        if (echo_wants_write(c) && !write_some(c, &progress))
            return false;
        if (c->start == c->end)
            c->start = c->end = 0; /* all sent: the whole buffer is free */
        if (c->eof && !echo_wants_write(c))
            return false;
        if (!progress)
            return true; /* EAGAIN both ways: wait for the next event */
    }
    c->unfinished = true; /* our turn is over, maybe not the work */
    return true;
}

void echo_close(struct echo_conn *c)
{
    printf("closed %s (%lld bytes echoed)\n", c->peer, c->echoed);
    close(c->fd);
    free(c);
}
