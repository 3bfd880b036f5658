/* day10/http/http_class.c — HTTPServer v2.0's __init__ and its end:
 * http_server_new, http_server_open and http_server_free of http_api.h.
 * (http_server_serve_forever, the loop, is in http_server.c.)
 */
#define _GNU_SOURCE /* TCP_NODELAY's header wants it with glibc's netinet */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/path.h"
#include "common/signals.h"
#include "day10/http/http_api.h"
#include "day10/http/http_conn.h"

#define SITE_DIR "day10/http/site"

static bool setup(struct http_server *s);

struct http_server *http_server_new(const char *host, int port, const char *dir)
{
    struct http_options o = HTTP_OPTIONS_DEFAULT;
    o.host = host;
    o.port = port;
    o.dir = dir;
    return http_server_open(&o);
}

struct http_server *http_server_open(const struct http_options *o)
{
    struct http_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->opt = *o;
    s->listen_fd = s->epoll_fd = s->spare_fd = -1;
    s->reply.buf = s->reply_buf;
    s->reply.cap = HTTP_REPLY_SIZE;
    s->now = s->stats.started = clock_now();
    if (!setup(s)) {
        http_server_free(s);
        return NULL;
    }
    return s;
}

void http_server_free(struct http_server *s)
{
    if (s == NULL)
        return;
    free(s->conns);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    close(s->epoll_fd); /* -1 if never opened: EBADF, harmless */
    close(s->spare_fd);
    http_docroot_close(&s->docroot);
    free(s);
}

/* Open the folder, the epoll set and the listening socket; false (the
 * reason printed) if one fails. */
static bool setup(struct http_server *s)
{
    char site[PATH_MAX];
    const char *dir = s->opt.dir != NULL ? s->opt.dir : site;
    if (s->opt.dir == NULL && path_find_shipped(SITE_DIR, site, sizeof site)) {
        warn_msg("cannot find %s: name a folder with -d DIR", SITE_DIR);
        return false;
    }
    if (http_docroot_open(&s->docroot, dir, s->opt.listing) < 0) {
        warn_errno("docroot %s", dir);
        return false;
    }
    long limit = fd_limit_raise(); /* one conns[] slot per possible fd */
    s->max_fds = (int)limit;
    s->conns = limit > 0 ? calloc((size_t)limit, sizeof(struct conn *)) : 0;
    s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    s->spare_fd = fd_spare_open();
    if (s->conns == NULL || s->epoll_fd < 0 || s->spare_fd < 0 ||
        sig_catch_stop() < 0 || net_ignore_sigpipe() < 0) {
        warn_errno("setup");
        return false;
    }
    s->listen_fd = net_tcp_listen(s->opt.host, s->opt.port, SOMAXCONN);
    if (s->listen_fd < 0) {
        warn_msg("%s", net_error());
        return false;
    }
    sig_stop_shutdown(s->listen_fd); /* a stop signal also wakes the wait */
    /* TCP_NODELAY here is inherited by every accepted socket (Linux): an
     * answer's last small packet is not held back waiting for an ACK. */
    int one = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->listen_fd};
    if (setsockopt(s->listen_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) <
            0 ||
        net_set_nonblocking(s->listen_fd, true) < 0 ||
        epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0) {
        warn_errno("listening socket");
        return false;
    }
    s->accepting = true;
    s->fd_end = s->listen_fd + 1;
    return net_print_listening(s->listen_fd) == 0;
}
