/* common/fds.c — see fds.h. */
#include "common/fds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

long fd_limit_current(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > FD_LIMIT_MAX)
        return FD_LIMIT_MAX;
    return (long)rl.rlim_cur;
}

long fd_limit_raise(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    rlim_t want = rl.rlim_max;
    if (want == RLIM_INFINITY || want > FD_LIMIT_MAX)
        want = FD_LIMIT_MAX;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur < want) {
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            return -1;
    }
    return fd_limit_current();
}

int fd_spare_open(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int fd_spare_refuse(int *spare, int listen_fd, const char *message)
{
    /* Linux's accept() says EMFILE before it waits for a client. On a
     * blocking socket, wait for one with the spare still open, then look
     * again: if fds were freed meanwhile, that client is not refused (the
     * caller's next accept takes it). */
    int flags = fcntl(listen_fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK) == 0) {
        struct pollfd p = {.fd = listen_fd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0)
            return errno == EINTR ? 0 : -1;
        int probe = fcntl(listen_fd, F_DUPFD_CLOEXEC, 0);
        if (probe >= 0) {
            close(probe);
            return 0;
        }
    }
    if (*spare >= 0)
        close(*spare);
    *spare = -1;
    int result = 1;
    int fd = accept(listen_fd, NULL, NULL);
    if (fd >= 0) {
        if (message != NULL) /* best effort: a fresh socket takes a short line */
            (void)send(fd, message, strlen(message), MSG_NOSIGNAL);
        close(fd);
    } else {
        result = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    }
    int saved = errno;
    *spare = fd_spare_open();
    errno = saved;
    return result;
}
