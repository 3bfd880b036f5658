/* day10/epoll_et.c — epoll 边缘触发 vs 水平触发 /
 * edge- vs level-triggered epoll
 *
 * The course's epoll_server registered its clients with EPOLLIN | EPOLLET
 * and never read them, so "你有新的IO需要处理哦" (new IO to handle)
 * was printed once, not forever. Here the same experiment is made exact,
 * with no network and no timing: two epoll instances watch one end of a
 * socketpair, one level-triggered (EPOLLIN, the default; select and poll
 * work this way too), one edge-triggered (EPOLLIN | EPOLLET). Data arrives,
 * and we call epoll_wait (timeout 0: just look) several times on each:
 *  - level-triggered reports the fd on every call while unread data is
 *    there: "it is readable";
 *  - edge-triggered reports it once per arrival: "it BECAME readable".
 *    Reading part of the data is no new arrival, so nothing more is
 *    reported until more data comes. That is why an edge-triggered server
 *    must read until EAGAIN each time: what it leaves has no event to come.
 *
 * Run it:   ./build/day10/epoll_et [-n CALLS]   (CALLS per step, default 3)
 * Watch:    the "level" column says EPOLLIN on every call while data waits;
 *           the "edge" column only on the first call after each arrival.
 * See also: epoll_server.c -e (an edge-triggered server), bitops.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/net.h"
#include "common/options.h"
#include "common/show.h"

enum { DEFAULT_CALLS = 3, MAX_CALLS = 100 };

/* Reports seen, per mode, for the summary. */
static int level_reports, edge_reports;

/* One epoll_wait with timeout 0: the events reported for the fd, or 0. */
static uint32_t look(int epoll_fd)
{
    struct epoll_event ev;
    int n = epoll_wait(epoll_fd, &ev, 1, 0);
    if (n < 0)
        die_errno("epoll_wait");
    return n == 1 ? ev.events : 0;
}

/* Call epoll_wait calls times on each instance and print what came. */
static void watch(int level_fd, int edge_fd, int calls)
{
    for (int i = 1; i <= calls; i++) {
        uint32_t level = look(level_fd), edge = look(edge_fd);
        level_reports += level != 0;
        edge_reports += edge != 0;
        printf("  epoll_wait #%d:  level: %-8s edge: %s\n", i,
               (level & EPOLLIN) ? "EPOLLIN" : "-",
               (edge & EPOLLIN) ? "EPOLLIN" : "-");
    }
}

/* Read up to len bytes (len 0: until EAGAIN) from the non-blocking fd. */
static void consume(int fd, size_t len)
{
    char buf[256], text[SHOW_BUFSIZE];
    size_t want = len == 0 ? sizeof buf : len, got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0)
            die_errno("read");
        got += (size_t)n;
        if (len != 0 || got == want)
            break;
    }
    printf("we read %zu bytes %s%s\n", got,
           show_bytes(text, sizeof text, buf, got),
           len == 0 ? " (until read said EAGAIN)" : "");
}

static void send_text(int fd, const char *text)
{
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        die_errno("write");
    printf("the peer writes %zu bytes \"%s\"\n", strlen(text), text);
}

static const char usage[] =
    "usage: epoll_et [-n CALLS]\n"
    "  level- vs edge-triggered epoll on a socketpair, step by step\n"
    "  -n CALLS  epoll_wait calls per step (default 3, 1..100)\n"
    "  -h        show this help\n";

int main(int argc, char *argv[])
{
    long calls = DEFAULT_CALLS;
    int opt;
    prog_init(argv[0]);
    while ((opt = getopt(argc, argv, "n:h")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 1, MAX_CALLS, &calls) < 0)
                die_usage(usage, "bad -n '%s': expected 1 to %d", optarg,
                          MAX_CALLS);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);

    int sv[2]; /* sv[0]: the end we watch; sv[1]: the peer that writes */
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die_errno("socketpair");
    if (net_set_nonblocking(sv[0], true) < 0)
        die("%s", net_error());
    int level_fd = epoll_create1(EPOLL_CLOEXEC),
        edge_fd = epoll_create1(EPOLL_CLOEXEC);
    if (level_fd < 0 || edge_fd < 0)
        die_errno("epoll_create1");
    struct epoll_event level_ev = {.events = EPOLLIN, .data.fd = sv[0]};
    struct epoll_event edge_ev = {.events = EPOLLIN | EPOLLET,
                                  .data.fd = sv[0]};
    if (epoll_ctl(level_fd, EPOLL_CTL_ADD, sv[0], &level_ev) < 0 ||
        epoll_ctl(edge_fd, EPOLL_CTL_ADD, sv[0], &edge_ev) < 0)
        die_errno("epoll_ctl");
    printf("two epoll instances watch the same socket:\n"
           "  level: EPOLLIN (level-triggered, the default)\n"
           "  edge:  EPOLLIN | EPOLLET (edge-triggered)\n");

    printf("\nstep 1: ");
    send_text(sv[1], "hello");
    printf("nobody reads; %ld calls each:\n", calls);
    watch(level_fd, edge_fd, (int)calls);

    printf("\nstep 2: ");
    consume(sv[0], 2);
    printf("3 bytes are still waiting, but nothing new arrived:\n");
    watch(level_fd, edge_fd, (int)calls);

    printf("\nstep 3: ");
    send_text(sv[1], "!!!");
    printf("new data is a new edge:\n");
    watch(level_fd, edge_fd, (int)calls);

    printf("\nstep 4: ");
    consume(sv[0], 0);
    printf("nothing is waiting now:\n");
    watch(level_fd, edge_fd, (int)calls);

    printf("\nlevel-triggered reported the socket %d times, "
           "edge-triggered %d times\n",
           level_reports, edge_reports);
    close(level_fd);
    close(edge_fd);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
