/* day9/block_io.c — 阻塞IO / 非阻塞IO / 超时检测: three ways to wait
 *
 * One listening socket, waiting for a client in one of three ways:
 *  -m block     (阻塞IO) accept() blocks until a client comes; nothing
 *               else happens meanwhile. Only a signal gets us out: here
 *               alarm() sends SIGALRM after -w seconds.
 *  -m nonblock  (非阻塞IO, setblocking(False)) O_NONBLOCK: accept()
 *               returns at once, EAGAIN when nobody waits; between tries
 *               the program does other work (it appends a line to a log).
 *  -m timeout   (超时检测, settimeout(sec)) SO_RCVTIMEO: accept() blocks
 *               at most 1 s, then fails with EAGAIN; other work; again.
 * A client's first message is printed (poll() bounds that wait).
 *
 * Run:   ./build/day9/block_io [-m MODE] [-w SECONDS] [-l LOGFILE]  (9006)
 *        echo hello | nc -N 127.0.0.1 9006      (in a second terminal)
 * Watch: block: silence until the client or the alarm. nonblock: a line
 *        per try (EAGAIN). timeout: a line a second. The log is a
 *        temporary file, removed at once, unless -l names one to keep.
 * See also: day9/aio_read (asynchronous IO), day10/select_server.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/show.h"
#include "common/signals.h"

enum { RETRY_MS = 500, TIMEOUT_S = 1 }; /* nonblock's pause; timeout's */
enum { CLIENT_WAIT_MS = 2000 };         /* how long a client may take to send */

static volatile sig_atomic_t alarm_rang;
static int log_fd = -1;      /* the log of the other work */
static const char *log_name; /* its name, for messages */
static void serve_client(int fd, double waited);
static void log_open(const char *path);
static void log_other_work(const char *mode);

static void on_alarm(int signo)
{
    (void)signo;
    alarm_rang = 1;
}

/* 阻塞IO: accept() sleeps in the kernel until a client comes. */
static void wait_blocking(int listen_fd, long seconds)
{
    printf("block: accept() blocks until a client connects (alarm in %ld s)\n",
           seconds);
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask); /* no SA_RESTART: accept() returns EINTR */
    if (sigaction(SIGALRM, &sa, NULL) < 0)
        die_errno("sigaction SIGALRM");
    double start = clock_now();
    alarm((unsigned)seconds);
    int fd = accept(listen_fd, NULL, NULL);
    int saved = errno;
    alarm(0);
    if (fd >= 0)
        serve_client(fd, clock_now() - start);
    else if (saved == EINTR || sig_stop_requested)
        printf("accept: interrupted by %s after %.1f s: nobody came\n",
               alarm_rang ? "SIGALRM" : "a stop signal", clock_now() - start);
    else
        die("accept: %s", strerror(saved));
}

/* 非阻塞IO: accept() never waits; EAGAIN means "no client now". */
static void wait_nonblocking(int listen_fd, long seconds)
{
    printf("nonblock: O_NONBLOCK is set, so accept() returns at once\n");
    if (net_set_nonblocking(listen_fd, true) < 0)
        die("%s", net_error());
    double start = clock_now();
    for (int tries = 1; !sig_stop_requested; tries++) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd >= 0) {
            serve_client(fd, clock_now() - start);
            return;
        }
        if (sig_stop_requested) /* the stop signal shut the socket down */
            break;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            die_errno("accept");
        printf("try %d: accept: %s (no client yet)\n", tries, strerror(errno));
        if (clock_now() - start >= (double)seconds) {
            printf("no client in %ld s: done\n", seconds);
            return;
        }
        log_other_work("nonblock"); /* the work we are free to do */
        clock_sleep_ms(RETRY_MS);
    }
}

/* 超时检测: accept() blocks, but SO_RCVTIMEO bounds each wait. */
static void wait_with_timeout(int listen_fd, long seconds)
{
    printf("timeout: SO_RCVTIMEO = %d s bounds each accept()\n", TIMEOUT_S);
    struct timeval tv = {.tv_sec = TIMEOUT_S, .tv_usec = 0};
    if (setsockopt(listen_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        die_errno("setsockopt SO_RCVTIMEO");
    double start = clock_now();
    while (!sig_stop_requested) {
        double before = clock_now();
        int fd = accept(listen_fd, NULL, NULL);
        if (fd >= 0) {
            serve_client(fd, clock_now() - start);
            return;
        }
        if (errno == EINTR || sig_stop_requested)
            continue; /* the loop's test ends it on a stop signal */
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            die_errno("accept");
        printf("accept: timed out after %.1f s (%s)\n", clock_now() - before,
               strerror(errno));
        if (clock_now() - start >= (double)seconds - 0.05) {
            printf("no client in %ld s: done\n", seconds);
            return;
        }
        log_other_work("timeout");
    }
}

/* --- helpers ------------------------------------------------------------ */

/* A client came: wait (bounded) for one message, print it, close. */
static void serve_client(int fd, double waited)
{
    char peer[NET_ADDRSTRLEN];
    if (net_peer_addr(fd, peer, sizeof peer) < 0)
        snprintf(peer, sizeof peer, "(unknown)");
    printf("client %s connected after %.1f s\n", peer, waited);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&p, 1, CLIENT_WAIT_MS); /* a bounded wait on one fd */
    while (ready < 0 && errno == EINTR && !sig_stop_requested);
    char buf[1024], text[SHOW_BUFSIZE];
    ssize_t n = ready > 0 ? recv(fd, buf, sizeof buf, 0) : 0;
    if (ready <= 0)
        printf("client %s sent nothing within %d ms: closing it\n", peer,
               CLIENT_WAIT_MS);
    else if (n < 0)
        warn_errno("recv from %s", peer);
    else
        printf("received %zd bytes from %s: %s\n", n, peer,
               show_bytes(text, sizeof text, buf, (size_t)n));
    close(fd);
}

/* The log of the other work: the file -l names; without -l, a temporary
 * file in $TMPDIR, unlinked as soon as it is open (the fd keeps it alive
 * until the end), so nothing is left behind, even after a kill. */
static void log_open(const char *path)
{
    char tmp[4096];
    const char *dir = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/block_io.XXXXXX", dir && *dir ? dir : "/tmp");
    log_fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
                  : mkstemp(tmp);
    if (log_fd < 0)
        die_errno("open %s", path ? path : tmp);
    if (path == NULL && unlink(tmp) < 0)
        die_errno("unlink %s", tmp);
    log_name = path ? path : "the log (a temporary file, already removed)";
}

/* The "other work" done while no client comes: append a timestamped line
 * to the log, as the course's example does. */
static void log_other_work(const char *mode)
{
    long long now = (long long)time(NULL); /* seconds since 1970 */
    if (io_printf(log_fd, "%lld : no client yet (%s)\n", now, mode) < 0)
        warn_errno("write %s", log_name);
    printf("  ... doing other work meanwhile: appended a line to %s\n",
           log_name);
}

static const char usage[] =
    "usage: block_io [-m block|nonblock|timeout] [-w SECONDS] [-l LOGFILE]\n"
    "                [-b ADDR] [-p PORT] [-h]\n"
    "  -m MODE   block (default): accept() blocks; nonblock: O_NONBLOCK,\n"
    "            retry on EAGAIN; timeout: SO_RCVTIMEO bounds each accept()\n"
    "  -w SECS   give up after this long without a client (default 3)\n"
    "  -l FILE   keep the log of the other work (default: a temporary file)\n"
    "  -b ADDR   bind address (default 127.0.0.1)\n"
    "  -p PORT   port (default 9006; 0: any free port)\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    const char *mode = "block", *log_path = NULL;
    long seconds = 3;
    int opt;
    prog_init(argv[0]);
    server_opts_init(&so, 9006);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "m:w:l:")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        if (opt == 'm')
            mode = optarg;
        else if (opt == 'w' && parse_long(optarg, 1, 3600, &seconds) < 0)
            die_usage(usage, "bad -w '%s': expected 1 to 3600 s", optarg);
        else if (opt == 'l' && *(log_path = optarg) == '\0')
            die_usage(usage, "empty log file name");
        else if (opt != 'm' && opt != 'w' && opt != 'l')
            die_usage(usage, NULL);
    }
    bool block = strcmp(mode, "block") == 0;
    bool nonblock = strcmp(mode, "nonblock") == 0;
    if (!block && !nonblock && strcmp(mode, "timeout") != 0)
        die_usage(usage, "bad -m '%s': expected a MODE", mode);
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (sig_catch_stop() < 0)
        die_errno("sigaction");
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (!block)
        log_open(log_path);
    int listen_fd = net_tcp_listen(so.bind_addr, so.port, 16);
    if (listen_fd < 0)
        die("%s", net_error());
    sig_stop_shutdown(listen_fd); /* a stop signal also wakes accept() */
    if (net_print_listening(listen_fd) < 0)
        die("%s", net_error());

    (block      ? wait_blocking
     : nonblock ? wait_nonblocking
                : wait_with_timeout)(listen_fd, seconds);
    if (sig_stop_requested)
        printf("stopping on signal %d\n", (int)sig_stop_requested);
    close(listen_fd);
    return 0; /* exit closes the log: a temporary one is gone then */
}
