/* bench/ref_echo.c — 参照回声服务器 / the reference echo loop: the ceiling
 *
 * The least an epoll echo server can do: one thread, level-triggered,
 * read what came and write it straight back. Bytes the client will not
 * take yet go into a buffer allocated for that connection only then, and
 * freed once sent. make bench measures every echo server against this.
 *
 * Run it:   ./build/bench/ref_echo [-b ADDR] [-p PORT]      (port 9099)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/net.h"
#include "common/options.h"

static const char usage[] = "usage: ref_echo [-b ADDR] [-p PORT]\n";

struct pending { char *buf; size_t len; }; /* unsent bytes of one fd */

int main(int argc, char *argv[])
{
    struct server_opts so;
    int opt, ep, lfd;
    static char buf[65536];
    prog_init(argv[0]);
    server_opts_init(&so, 9099);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING)) != -1)
        if (!server_opts_handle(&so, opt, optarg, usage))
            die_usage(usage, NULL);
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    net_ignore_sigpipe();
    if ((lfd = net_tcp_listen(so.bind_addr, so.port, 4096)) < 0)
        die("%s", net_error());
    if ((ep = epoll_create1(0)) < 0 || net_set_nonblocking(lfd, true) < 0)
        die_errno("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[256];
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
        die_errno("epoll_ctl");
    struct pending *pend = calloc(65536, sizeof *pend);
    if (pend == NULL)
        die("out of memory");
    net_print_listening(lfd);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        if (n < 0 && errno != EINTR)
            die_errno("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c = accept(lfd, NULL, NULL);
                if (c < 0 || c >= 65536) {
                    if (c >= 0)
                        close(c);
                    continue;
                }
                net_set_nonblocking(c, true);
                ev.events = EPOLLIN;
                ev.data.fd = c;
                if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) < 0)
                    close(c);
                continue;
            }
            struct pending *p = &pend[fd];
            ssize_t got = 0, put = 0;
            bool was_behind = p->len != 0;
            if (p->len == 0) { /* nothing waiting: read, then write back */
                got = read(fd, buf, sizeof buf);
                if (got > 0 && (put = write(fd, buf, (size_t)got)) < 0 && errno == EAGAIN)
                    put = 0;
            } else if ((put = write(fd, p->buf, p->len)) < 0 && errno == EAGAIN) {
                put = 0;
            }
            if ((got <= 0 && p->len == 0 && !(got < 0 && errno == EAGAIN)) || put < 0) {
                free(p->buf); /* EOF or error: close it */
                p->buf = NULL, p->len = 0;
                close(fd);
                continue;
            }
            const char *rest = p->len ? p->buf + put : buf + put;
            size_t left = p->len ? p->len - (size_t)put : (size_t)(got - put);
            char *keep = left ? malloc(left) : NULL;
            if (left && keep)
                memcpy(keep, rest, left);
            free(p->buf);
            p->buf = keep, p->len = keep ? left : 0;
            if (was_behind != (p->len != 0)) { /* stop reading while behind */
                ev.events = p->len ? EPOLLOUT : EPOLLIN;
                ev.data.fd = fd;
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
            }
        }
    }
}
