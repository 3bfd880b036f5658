/* day9/ftp/ftp_data.c — see ftp_data.h. */
#include "day9/ftp/ftp_data.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/net.h"

int ftp_wait_fd(int fd, short events, int ctrl, int timeout_ms)
{
    double deadline = clock_now() + timeout_ms / 1000.0;
    for (;;) {
        /* events 0 on ctrl: poll reports only its hang-up (POLLHUP, once
         * both directions are shut down) or an error, never a command */
        struct pollfd p[2] = {{fd, events, 0}, {ctrl, 0, 0}};
        double left = (deadline - clock_now()) * 1000.0;
        int n = poll(p, ctrl >= 0 ? 2 : 1, left > 0 ? (int)left + 1 : 0);
        if (n < 0) {
            if (errno != EINTR)
                return FTP_WAIT_ERROR;
            continue;
        }
        if (n == 0)
            return FTP_WAIT_TIMEOUT;
        if (ctrl >= 0 && p[1].revents != 0)
            return FTP_WAIT_STOPPED;
        if (p[0].revents != 0)
            return FTP_WAIT_READY;
    }
}

/* errno for a wait that did not end with READY. */
static int wait_failed(int w)
{
    if (w == FTP_WAIT_TIMEOUT)
        errno = ETIMEDOUT;
    else if (w == FTP_WAIT_STOPPED)
        errno = ECANCELED;
    return -1;
}

int ftp_send_all(int fd, const void *buf, size_t len, int ctrl, int timeout_ms)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, 0);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = ftp_wait_fd(fd, POLLOUT, ctrl, timeout_ms);
            if (w != FTP_WAIT_READY)
                return wait_failed(w);
        } else {
            return -1;
        }
    }
    return 0;
}

int ftp_pasv_listen(int ctrl)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (getsockname(ctrl, (struct sockaddr *)&addr, &len) < 0)
        return -1;
    if (addr.ss_family == AF_INET)
        ((struct sockaddr_in *)&addr)->sin_port =
            0; /* port 0: the kernel picks one */
    else
        ((struct sockaddr_in6 *)&addr)->sin6_port = 0;
    int fd = socket(addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, 1) < 0 ||
        net_set_nonblocking(fd, true) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int ftp_pasv_accept(int listener, int ctrl, int timeout_ms)
{
    struct sockaddr_storage peer, from;
    socklen_t len = sizeof peer;
    if (getpeername(ctrl, (struct sockaddr *)&peer, &len) < 0)
        return -1;
    double deadline = clock_now() + timeout_ms / 1000.0;
    for (;;) {
        double left = (deadline - clock_now()) * 1000.0;
        int w = ftp_wait_fd(listener, POLLIN, ctrl, left > 0 ? (int)left : 0);
        if (w != FTP_WAIT_READY)
            return wait_failed(w);
        len = sizeof from;
        int fd = accept(listener, (struct sockaddr *)&from, &len);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
                errno == ECONNABORTED)
                continue; /* it went away again: keep waiting */
            return -1;
        }
        if (net_same_host((struct sockaddr *)&peer, (struct sockaddr *)&from) &&
            net_set_nonblocking(fd, true) == 0)
            return fd;
        close(fd); /* not our client ("FTP bounce"/port stealing): refuse it */
    }
}

/* Connect fd to addr, waiting at most timeout_ms (a non-blocking connect,
 * then poll); leaves fd blocking. 0, or -1 with errno. */
static int connect_within(int fd, const struct sockaddr *addr, socklen_t len,
                          int timeout_ms)
{
    if (net_set_nonblocking(fd, true) < 0)
        return -1;
    if (connect(fd, addr, len) < 0) {
        if (errno != EINPROGRESS)
            return -1;
        int w = ftp_wait_fd(fd, POLLOUT, -1, timeout_ms);
        if (w != FTP_WAIT_READY)
            return wait_failed(w);
        int err = 0;
        socklen_t elen = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
            return -1;
        if (err != 0) { /* ECONNREFUSED, EHOSTUNREACH... */
            errno = err;
            return -1;
        }
    }
    return net_set_nonblocking(fd, false);
}

int ftp_connect(const char *host, int port, int timeout_ms, const char **error)
{
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {0}, *list;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        *error = rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 &&
            connect_within(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) < 0) {
            *error = strerror(errno);
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    return fd;
}

int ftp_data_connect(int ctrl, int port, int timeout_ms)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (getpeername(ctrl, (struct sockaddr *)&addr, &len) < 0)
        return -1;
    if (addr.ss_family == AF_INET)
        ((struct sockaddr_in *)&addr)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)&addr)->sin6_port = htons((uint16_t)port);
    int fd = socket(addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect_within(fd, (struct sockaddr *)&addr, len, timeout_ms) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
