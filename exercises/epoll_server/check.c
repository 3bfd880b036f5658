/* exercises/epoll_server/check.c — the checker for the epoll_server
 * exercise (register, unregister, the write backlog).
 *
 * With real clients on loopback, /proc/PID/fd and the server's CPU time:
 *  1. a client is echoed (it was registered); a second one while the
 *     first stays connected, then the first again (one thread serves all);
 *  2. while two clients are connected and idle, the server uses no CPU
 *     (it asks for EPOLLOUT only when bytes wait); after one hangs up,
 *     still none (the hung-up client was closed: close() takes it off the
 *     interest list, else EOF would be reported on every epoll_wait);
 *  3. 20 clients come and go: then the server holds 1 socket, its
 *     listening one;
 *  4. a client sends without reading until the server stops taking its
 *     bytes: meanwhile another client is echoed, the server stays idle,
 *     and then every byte comes back; then 8 MiB in rounds, whole;
 *  5. SIGTERM stops it with exit status 0.
 * CPU time is generous: a busy loop gets its share of a CPU even on a
 * busy machine (far above the bound); an idle server uses none.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "exercises/checklib.h"

enum { CROWD = 20, STALL_MAX = 4 << 20 };
#define WINDOW 1.5    /* seconds the server's CPU is watched */
#define IDLE_CPU 0.10 /* CPU seconds an idle server may use in WINDOW */

static pid_t server;

/* CPU seconds the server's main thread uses in the next WINDOW s. */
static double cpu_used(void)
{
    double before = check_cpu_seconds(server);
    clock_sleep_ms((long)(WINDOW * 1000));
    return check_cpu_seconds(server) - before;
}

/* Wait (bounded) until the server holds `want` sockets; how many it has. */
static int sockets_settle(int want, double timeout)
{
    double end = clock_now() + timeout;
    int n = check_socket_count(server);
    while (n != want && clock_now() < end) {
        clock_sleep_ms(20);
        n = check_socket_count(server);
    }
    return n;
}

static void check_idle(int todo, const char *what, const char *meaning)
{
    double used = cpu_used();
    char seen[128];
    snprintf(seen, sizeof seen, "%.2f s of CPU in %.1f s", used, WINDOW);
    check_that(used >= 0 && used < IDLE_CPU, todo, what,
               "almost none (under 0.1 s): nothing to do, it sleeps in "
               "epoll_wait",
               seen, meaning);
}

static void check_clients(int port, int *a, int *b)
{
    *a = check_connect(port);
    check_that(*a >= 0 && check_echo(*a, "hello from A\n", check_timeout(3)),
               4, "a client is echoed", "its line back within 3 s",
               "no echo",
               "epoll_wait reports only the fds the kernel was told about: "
               "each accepted client must be registered once, "
               "epoll_ctl(EPOLL_CTL_ADD) — in add_conn, through watch(), "
               "whose TODO(2) makes the call.");
    *b = check_connect(port);
    check_that(*b >= 0 && check_echo(*b, "hello from B\n", check_timeout(3)) &&
                   check_echo(*a, "A again\n", check_timeout(3)),
               3, "a second client is echoed, and the first still is",
               "both lines back within 3 s", "no echo for one of them",
               "one thread serves every client: serve a ready client only "
               "as far as it goes without blocking (echo_serve), then back "
               "to epoll_wait. Serving one client until it leaves is a "
               "loop server again.");
}

/* Send on fd without reading until the server stops taking bytes (0.3 s
 * without progress): its buffer for us and the socket buffers are full.
 * How many bytes were sent. */
static size_t stall(int fd, const unsigned char *data)
{
    size_t sent = 0;
    double quiet = clock_now() + 0.3;
    while (sent < STALL_MAX && clock_now() < quiet) {
        ssize_t n = send(fd, data + sent, STALL_MAX - sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            quiet = clock_now() + 0.3;
        } else {
            clock_sleep_ms(10);
        }
    }
    return sent;
}

/* Read size bytes back from fd, until none has come for quiet seconds;
 * how many came. */
static size_t read_back(int fd, unsigned char *in, size_t size,
                        double quiet)
{
    size_t got = 0;
    double end = clock_now() + quiet;
    while (got < size && clock_now() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, in + got, size - got, MSG_DONTWAIT);
        if (n <= 0)
            break;
        got += (size_t)n;
        end = clock_now() + quiet;
    }
    return got;
}

static const char backlog_meaning[] =
    "what the server could not send yet it keeps, and it must ask for "
    "EPOLLOUT on that client (watch, EPOLL_CTL_MOD) to be told when the "
    "client can take more: else the bytes wait forever.";

static void check_backlog(int port)
{
    static unsigned char out[STALL_MAX], in[STALL_MAX];
    for (size_t i = 0; i < STALL_MAX; i++)
        out[i] = (unsigned char)(i * 7 + i / 251);
    int c = check_connect_small(port);
    size_t sent = c >= 0 ? stall(c, out) : 0;

    int d = check_connect(port);
    check_that(d >= 0 && check_echo(d, "and me?\n", check_timeout(3)), 3,
               "another client is echoed while one does not read",
               "its line back within 3 s", "no echo",
               "a client that sends without reading fills the server's "
               "buffer for it; the server must then go on with the others, "
               "never wait for that one.");
    close(d);
    check_idle(1, "the server is idle while a client does not read",
               "while its buffer for a client is full and the client does "
               "not read, there is nothing to do. Asking for EPOLLIN then "
               "(no room to read into) or EPOLLOUT (the client's socket is "
               "full) makes epoll_wait return at once, every time.");

    size_t got = read_back(c, in, sent, check_timeout(2));
    char seen[128];
    snprintf(seen, sizeof seen,
             "%zu of the %zu bytes sent came back (none for 2 s)", got, sent);
    check_that(c >= 0 && sent > 0 && got == sent &&
                   memcmp(in, out, sent) == 0,
               1, "when the client reads again, all it sent comes back",
               "every byte, in order", seen, backlog_meaning);
    close(c);

    size_t back = 0;
    int e = check_connect_small(port);
    bool whole = e >= 0 && check_echo_backlog(e, check_timeout(20), &back);
    snprintf(seen, sizeof seen, "%zu of %d bytes came back", back,
             CHECK_BACKLOG_BYTES);
    check_that(whole, 1,
               "8 MiB, sent in rounds without reading, come back whole",
               "all 8388608 bytes", seen, backlog_meaning);
    close(e);
}

int main(int argc, char *argv[])
{
    check_start("epoll_server", argc, argv);
    const char *args[] = {"-p", "0", NULL};
    int out, a, b;
    int port = check_server_up(args, &server, &out);
    check_clients(port, &a, &b);

    check_idle(1, "the server is idle while its clients are",
               "EPOLLOUT is ready whenever the socket can take bytes — "
               "nearly always. Ask for it only while bytes wait to be sent "
               "(echo_wants_write), or epoll_wait returns at once, every "
               "time: a busy loop.");
    close(b);
    sockets_settle(2, check_timeout(2));
    check_idle(3, "the server is idle after a client hung up",
               "a client that hung up is readable for ever (read returns 0, "
               "end of file): until it is closed — close() also takes it "
               "off the interest list — epoll_wait reports it at once, "
               "every time. Close it when echo_serve says it is done.");
    close(a);

    for (int i = 0; i < CROWD; i++) {
        int fd = check_connect(port);
        if (fd >= 0)
            check_echo(fd, "in and out\n", check_timeout(3));
        if (fd >= 0)
            close(fd);
    }
    int left = sockets_settle(1, check_timeout(5));
    char seen[128];
    snprintf(seen, sizeof seen, "%d sockets, %d clients after all left",
             left, left - 1);
    check_that(left == 1, 3, "22 clients came and went: nothing left over",
               "1 socket in the server: the listening one", seen,
               "a client that hung up must be closed (close_conn), which "
               "also takes it off epoll's interest list. Each one kept "
               "is a descriptor lost, until accept() fails with EMFILE.");

    check_backlog(port);

    check_server_stops(
        server, 0,
        "the stop signal shuts the listening socket down: epoll_wait "
        "reports it, and the loop ends.");
    check_passed();
}
