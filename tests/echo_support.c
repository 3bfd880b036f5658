/* tests/echo_support.c — see echo_support.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/net.h"
#include "tests/echo_support.h"

void echo_start(struct server *s, const struct echo_kind *kind, const char *more1,
                const char *more2)
{
    /* ThreadSanitizer runs a program's signal handler only when an
     * intercepted call returns, and select() is not intercepted (gcc 12,
     * clang 14): an idle select loop never sees SIGTERM. select_server has
     * one thread, so TSan has nothing to check there anyway. */
    if (strstr(kind->program, "select_server") != NULL &&
        strcmp(harness_sanitizer(), "thread") == 0) {
        print_message("    skipped under TSan: select() is not intercepted\n");
        skip();
    }
    const char *argv[8];
    int n = 0;
    argv[n++] = program_path(kind->program);
    argv[n++] = "-p";
    argv[n++] = "0";
    if (kind->flag != NULL)
        argv[n++] = kind->flag;
    if (more1 != NULL)
        argv[n++] = more1;
    if (more2 != NULL)
        argv[n++] = more2;
    argv[n] = NULL;
    server_start(s, argv);
}

void echo_pattern(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(i + seed * 7 + (i >> 8) * 3);
}

/* Milliseconds left until deadline, at least 0. */
static int ms_left(double deadline)
{
    double left = deadline - clock_now();
    return left > 0 ? (int)(left * 1000) + 1 : 0;
}

bool echo_roundtrip(int fd, const void *data, size_t len, double timeout)
{
    const unsigned char *out = data;
    unsigned char *in = malloc(len > 0 ? len : 1);
    assert_non_null(in);
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    size_t sent = 0, got = 0;
    double deadline = clock_now() + harness_timeout(timeout);
    const char *why = NULL;
    while (got < len && why == NULL) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (sent < len ? POLLOUT : 0)};
        int ready = poll(&p, 1, ms_left(deadline));
        if (ready == 0) {
            why = "timed out";
            break;
        }
        if (ready < 0 && errno != EINTR) {
            why = strerror(errno);
            break;
        }
        if (sent < len && (p.revents & POLLOUT)) {
            ssize_t n = send(fd, out + sent, len - sent, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                why = strerror(errno);
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, in + got, len - got, 0);
            if (n > 0)
                got += (size_t)n;
            else if (n == 0)
                why = "the server closed the connection";
            else if (errno != EAGAIN && errno != EINTR)
                why = strerror(errno);
        }
    }
    fcntl(fd, F_SETFL, flags);
    bool equal = why == NULL && memcmp(in, out, len) == 0;
    if (why == NULL && !equal)
        why = "the echo differs from what was sent";
    if (why != NULL)
        print_error("echo_roundtrip: %s (%zu of %zu bytes sent, %zu back)\n", why, sent, len, got);
    free(in);
    return equal;
}

bool echo_check(int fd, size_t len, unsigned seed, double timeout)
{
    unsigned char *data = malloc(len > 0 ? len : 1);
    assert_non_null(data);
    echo_pattern(data, len, seed);
    bool ok = echo_roundtrip(fd, data, len, timeout);
    free(data);
    return ok;
}

size_t echo_push_without_reading(int fd, size_t len, int stall_ms, double max_seconds)
{
    static const char chunk[65536];
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    size_t sent = 0;
    double deadline = clock_now() + harness_timeout(max_seconds);
    while (sent < len && clock_now() < deadline) {
        size_t want = len - sent < sizeof chunk ? len - sent : sizeof chunk;
        ssize_t n = send(fd, chunk, want, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, stall_ms) == 0)
            break; /* the socket took nothing for stall_ms: stalled */
    }
    return sent;
}

bool echo_wait_readable(int fd, double timeout)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    double deadline = clock_now() + harness_timeout(timeout);
    for (;;) {
        int ready = poll(&p, 1, ms_left(deadline));
        if (ready > 0)
            return true;
        if (ready == 0 || errno != EINTR)
            return false;
    }
}

bool echo_nothing_to_read(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

ssize_t echo_read_to_eof(int fd, char *buf, size_t size, double timeout)
{
    size_t got = 0;
    double deadline = clock_now() + harness_timeout(timeout);
    for (;;) {
        if (!echo_wait_readable(fd, deadline - clock_now() > 0 ? deadline - clock_now() : 0))
            return -1;
        char scratch[4096];
        ssize_t n = recv(fd, scratch, sizeof scratch, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != ECONNRESET)
            return -1;
        if (n <= 0) { /* EOF, or a reset after the server closed */
            buf[got] = '\0';
            return (ssize_t)got;
        }
        size_t keep = (size_t)n < size - 1 - got ? (size_t)n : size - 1 - got;
        memcpy(buf + got, scratch, keep);
        got += keep;
    }
}

void echo_abort(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

int echo_lowest_free_fd(pid_t pid)
{
    char path[64];
    for (int fd = 0;; fd++) {
        snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, fd);
        if (access(path, F_OK) < 0)
            return fd;
    }
}

long echo_rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

long echo_raise_fd_limit(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)want) {
        rl.rlim_cur =
            rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)want ? (rlim_t)want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY ? want : (long)rl.rlim_cur;
}
