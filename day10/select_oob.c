/* day10/select_oob.c — select 的第三个列表 xlist / select's third list:
 * exceptional conditions (TCP out-of-band data)
 *
 * The course's select(rlist, wlist, xlist) has a third list, "xlist: fds
 * with an exceptional condition", which its servers leave empty. On a TCP
 * socket the exceptional condition is urgent data: a byte the sender
 * marks with send(..., MSG_OOB) (TCP's URG flag). select() reports the
 * socket in its exceptfds (xlist) when such a byte arrives, and the
 * receiver reads it apart from the normal stream with recv(..., MSG_OOB).
 * (telnet used it for Ctrl-C: "interrupt", ahead of what is queued.)
 *
 * Here one process holds both ends of a loopback TCP connection, and
 * looks with select() after each step: normal bytes (readable only), an
 * urgent byte (readable and exceptional), reading the urgent byte (the
 * exception is gone), reading the rest.
 *
 * Run it:   ./build/day10/select_oob
 * Watch:    "exceptional" is yes only while an urgent byte waits; the
 *           urgent byte "!" is not in the normal stream ("hello" only).
 * See also: select_server.c (rlist and wlist), docs/day10.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/net.h"
#include "common/options.h"

static void look(int fd, bool wait_for_exception);
static void connect_pair(int *sender, int *receiver);

/* The lesson: normal bytes, then an urgent one, and what select() says
 * after each step. */
static void show_urgent_data(int sender, int receiver)
{
    printf("step 1: send \"hello\" (normal data)\n");
    if (send(sender, "hello", 5, 0) != 5)
        die_errno("send");
    look(receiver, false);

    printf("step 2: send \"!\" with MSG_OOB (urgent data)\n");
    if (send(sender, "!", 1, MSG_OOB) != 1)
        die_errno("send MSG_OOB");
    look(receiver, true);

    printf("step 3: recv(..., MSG_OOB) reads the urgent byte apart\n");
    char oob;
    if (recv(receiver, &oob, 1, MSG_OOB) != 1)
        die_errno("recv MSG_OOB");
    printf("  urgent byte: '%c'\n", oob);
    look(receiver, false);

    printf("step 4: recv() reads the normal stream\n");
    char buf[64];
    ssize_t n = recv(receiver, buf, sizeof buf, 0);
    if (n < 0)
        die_errno("recv");
    printf("  normal bytes: \"%.*s\" (the urgent byte is not among them)\n",
           (int)n, buf);
}

/* select() on fd's readfds and exceptfds (the course's rlist and xlist)
 * and say what it reports. The bytes were sent on loopback, so they are
 * there already; still, they are waited for (at most 2 s), not assumed. */
static void look(int fd, bool wait_for_exception)
{
    for (int tries = 0; tries < 200; tries++) {
        fd_set readable, exceptional;
        FD_ZERO(&readable);
        FD_ZERO(&exceptional);
        FD_SET(fd, &readable);
        FD_SET(fd, &exceptional);
        struct timeval timeout = {0, 10000}; /* 10 ms */
        if (select(fd + 1, &readable, NULL, &exceptional, &timeout) < 0) {
            if (errno == EINTR)
                continue;
            die_errno("select");
        }
        bool r = FD_ISSET(fd, &readable), x = FD_ISSET(fd, &exceptional);
        if (!r || (wait_for_exception && !x))
            continue; /* not arrived yet (it is sent already) */
        printf("  select: readable %s, exceptional %s\n", r ? "yes" : "no",
               x ? "yes (xlist: urgent data waits)" : "no");
        return;
    }
    die("select: the bytes sent were not reported in 2 s");
}

/* A TCP connection over loopback, both ends in this process. */
static void connect_pair(int *sender, int *receiver)
{
    int listen_fd = net_tcp_listen("127.0.0.1", 0, 1);
    if (listen_fd < 0)
        die("%s", net_error());
    int port = net_local_port(listen_fd);
    *sender = port < 0 ? -1 : net_tcp_connect("127.0.0.1", port);
    if (*sender < 0)
        die("%s", net_error());
    *receiver = accept(listen_fd, NULL, NULL);
    if (*receiver < 0)
        die_errno("accept");
    close(listen_fd);
}

static const char usage[] = "usage: select_oob [-h]\n"
                            "  select()'s xlist (exceptfds): TCP urgent data, "
                            "step by step\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    parse_no_options(argc, argv, usage);
    int sender, receiver;
    connect_pair(&sender, &receiver);
    show_urgent_data(sender, receiver);
    close(sender);
    close(receiver);
    return 0;
}
