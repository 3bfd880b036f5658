/* common/net.c — see net.h. */
#include "common/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Thread_local char last_error[256];

const char *net_error(void)
{
    return last_error[0] != '\0' ? last_error : "no error";
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record why a call failed; keep errno for the caller. */
static int fail(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    errno = saved;
    return -1;
}

/* getaddrinfo for host:port with numeric ports; NULL on failure. */
static struct addrinfo *resolve(const char *host, int port, int socktype, int flags)
{
    if (port < 0 || port > 65535) {
        errno = EINVAL;
        fail("port %d out of range 0..65535", port);
        return NULL;
    }
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {0}, *list = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV | flags;
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        errno = rc == EAI_SYSTEM ? errno : EINVAL;
        fail("%s: %s", host != NULL ? host : "(any)",
             rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return NULL;
    }
    return list;
}

/* Try each address until setup (bind, or connect) succeeds. */
static int first_working(struct addrinfo *list, int socktype, bool listen_side, int backlog)
{
    char where[NET_ADDRSTRLEN] = "?";
    int fd = -1;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, socktype, ai->ai_protocol);
        if (fd < 0) {
            fail("socket: %s", strerror(errno));
            continue;
        }
        net_format_addr(ai->ai_addr, ai->ai_addrlen, where, sizeof where);
        if (listen_side) {
            /* SO_REUSEADDR lets a restarted TCP server bind while old
             * connections linger in TIME_WAIT. Not for UDP: there it would
             * let a second socket share the port and steal datagrams. */
            int one = 1;
            if (socktype == SOCK_STREAM &&
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
                fail("setsockopt SO_REUSEADDR: %s", strerror(errno));
            else if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
                fail("cannot listen on %s: %s", where, strerror(errno));
            else if (socktype == SOCK_STREAM && listen(fd, backlog) < 0)
                fail("cannot listen on %s: listen: %s", where, strerror(errno));
            else
                return fd;
        } else {
            int rc;
            do
                rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
            while (rc < 0 && errno == EINTR);
            if (rc == 0)
                return fd;
            fail("cannot connect to %s: %s", where, strerror(errno));
        }
        int saved = errno;
        close(fd);
        errno = saved;
        fd = -1;
    }
    return fd;
}

static int open_socket(const char *host, int port, int socktype, bool listen_side, int backlog)
{
    struct addrinfo *list = resolve(host, port, socktype, listen_side ? AI_PASSIVE : 0);
    if (list == NULL)
        return -1;
    int fd = first_working(list, socktype, listen_side, backlog);
    int saved = errno;
    freeaddrinfo(list);
    errno = saved;
    return fd;
}

int net_tcp_listen(const char *host, int port, int backlog)
{
    return open_socket(host, port, SOCK_STREAM, true, backlog);
}

int net_tcp_connect(const char *host, int port)
{
    return open_socket(host, port, SOCK_STREAM, false, 0);
}

int net_udp_bind(const char *host, int port)
{
    return open_socket(host, port, SOCK_DGRAM, true, 0);
}

int net_udp_connect(const char *host, int port)
{
    return open_socket(host, port, SOCK_DGRAM, false, 0);
}

int net_format_addr(const struct sockaddr *addr, socklen_t len, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    int n;
    if (addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
        n = snprintf(out, size, "%s:%u", host, (unsigned)ntohs(in4->sin_port));
    } else if (addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        n = snprintf(out, size, "[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
    } else {
        errno = EAFNOSUPPORT;
        return fail("unknown address family %d", addr->sa_family);
    }
    if (n < 0 || (size_t)n >= size) {
        errno = ENOSPC;
        return fail("address does not fit in %zu bytes", size);
    }
    return 0;
}

int net_local_addr(int fd, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return fail("getsockname: %s", strerror(errno));
    return net_format_addr((struct sockaddr *)&ss, len, out, size);
}

int net_peer_addr(int fd, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return fail("getpeername: %s", strerror(errno));
    return net_format_addr((struct sockaddr *)&ss, len, out, size);
}

int net_local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return fail("getsockname: %s", strerror(errno));
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    errno = EAFNOSUPPORT;
    return fail("unknown address family %d", ss.ss_family);
}

int net_print_listening(int fd)
{
    char addr[NET_ADDRSTRLEN];
    if (net_local_addr(fd, addr, sizeof addr) < 0)
        return -1;
    if (printf("listening on %s\n", addr) < 0 || fflush(stdout) != 0)
        return fail("write to stdout: %s", strerror(errno));
    return 0;
}

int net_set_nonblocking(int fd, bool on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return fail("fcntl F_GETFL: %s", strerror(errno));
    flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    if (fcntl(fd, F_SETFL, flags) < 0)
        return fail("fcntl F_SETFL: %s", strerror(errno));
    return 0;
}

int net_ignore_sigpipe(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPIPE, &sa, NULL) < 0)
        return fail("sigaction SIGPIPE: %s", strerror(errno));
    return 0;
}

/* The address bytes of an IPv4 or IPv6 socket address (an IPv4-mapped
 * IPv6 address gives its IPv4 part) and its port; 0 bytes for others. */
static size_t address_bytes(const struct sockaddr *sa, const unsigned char **bytes,
                            in_port_t *port)
{
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
        *bytes = (const unsigned char *)&in4->sin_addr;
        *port = in4->sin_port;
        return 4;
    }
    if (sa->sa_family != AF_INET6)
        return 0;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    *bytes = in6->sin6_addr.s6_addr;
    *port = in6->sin6_port;
    if (memcmp(*bytes, v4mapped, sizeof v4mapped) == 0) {
        *bytes += sizeof v4mapped;
        return 4;
    }
    return 16;
}

bool net_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
    const unsigned char *x = NULL, *y = NULL;
    in_port_t px, py;
    size_t nx = address_bytes(a, &x, &px), ny = address_bytes(b, &y, &py);
    return nx != 0 && nx == ny && memcmp(x, y, nx) == 0;
}

bool net_same_endpoint(const struct sockaddr *a, const struct sockaddr *b)
{
    const unsigned char *x = NULL, *y = NULL;
    in_port_t px = 0, py = 0;
    size_t nx = address_bytes(a, &x, &px), ny = address_bytes(b, &y, &py);
    return nx != 0 && nx == ny && px == py && memcmp(x, y, nx) == 0;
}
