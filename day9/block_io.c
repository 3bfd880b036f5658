/* day9/block_io.c — 阻塞IO / 非阻塞IO / 超时检测: blocking IO, non-blocking IO, timeouts
 *
 * One listening socket, waiting for a client in one of three ways:
 *  -m block     (the default, 阻塞IO) accept() blocks until a client comes.
 *               Nothing else happens meanwhile. Only a signal gets us out:
 *               here alarm() sends SIGALRM after -w seconds.
 *  -m nonblock  (非阻塞IO, setblocking(False)) O_NONBLOCK on the socket:
 *               accept() returns at once, with EAGAIN when no client is
 *               waiting. Between tries the program does other work (like the
 *               course: it appends a timestamped line to a log file), then
 *               tries again.
 *  -m timeout   (超时检测, settimeout(sec)) SO_RCVTIMEO on the socket:
 *               accept() blocks, but at most 1 s, then fails with EAGAIN;
 *               the program does its other work and waits again.
 * When a client comes, it waits (at most CLIENT_WAIT s, with poll(): a
 * fourth way to bound a wait) for one message, prints it and closes. Each
 * mode ends by itself after -w seconds (default 3) when nobody comes.
 *
 * Run it:   ./build/day9/block_io [-m block|nonblock|timeout] [-w SECONDS] [-l LOGFILE]
 *                                 [-b ADDR] [-p PORT]                  (port 9006)
 *           echo hello | nc -N 127.0.0.1 9006      (in a second terminal)
 * Watch:    block: silence until the client or the alarm. nonblock: a line
 *           per try ("EAGAIN"), and the log file grows. timeout: a line each
 *           second. Then: cat the log file (default /tmp/block_io.log).
 * See also: day10/select_server.c (waiting on many sockets at once).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

enum {
    DEFAULT_PORT = 9006,
    DEFAULT_WAIT = 3,      /* seconds each mode waits for a client */
    RETRY_MS = 500,        /* nonblock: pause between tries */
    TIMEOUT_S = 1,         /* timeout: SO_RCVTIMEO on the listening socket */
    CLIENT_WAIT_MS = 2000, /* how long a client may take to send its message */
};

static volatile sig_atomic_t alarm_rang;

static void on_alarm(int signo)
{
    (void)signo;
    alarm_rang = 1;
}

/* The "other work" done while no client comes: append a timestamped line
 * to the log file, as the course's example does. */
static void do_other_work(int log_fd, const char *log_path, const char *mode)
{
    time_t now = time(NULL);
    char when[64];
    struct tm tm;
    if (localtime_r(&now, &tm) == NULL || strftime(when, sizeof when, "%c", &tm) == 0)
        snprintf(when, sizeof when, "%lld", (long long)now);
    if (io_printf(log_fd, "%s : no client yet (%s)\n", when, mode) < 0)
        warn_errno("write %s", log_path);
    printf("  ... doing other work meanwhile: appended a line to %s\n", log_path);
}

/* A client came: wait (bounded) for one message, print it, close. */
static void serve_client(int fd, const struct sockaddr_storage *addr, socklen_t len, double waited)
{
    char peer[NET_ADDRSTRLEN];
    if (net_format_addr((const struct sockaddr *)addr, len, peer, sizeof peer) < 0)
        snprintf(peer, sizeof peer, "(unknown)");
    printf("client %s connected after %.1f s\n", peer, waited);

    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ready;
    do
        ready = poll(&p, 1, CLIENT_WAIT_MS); /* a bounded wait on one fd */
    while (ready < 0 && errno == EINTR && !sig_stop_requested);
    if (ready <= 0) {
        printf("client %s sent nothing within %d ms: closing it\n", peer, CLIENT_WAIT_MS);
    } else {
        char buf[1024], text[SHOW_BUFSIZE];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0)
            warn_errno("recv from %s", peer);
        else
            printf("received %zd bytes from %s: %s\n", n, peer,
                   show_bytes(text, sizeof text, buf, (size_t)n));
    }
    close(fd);
}

/* 阻塞IO: accept() sleeps in the kernel until a client comes. */
static void wait_blocking(int listen_fd, long seconds)
{
    printf("block: accept() blocks until a client connects (an alarm ends it after %ld s)\n",
           seconds);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask); /* no SA_RESTART: the signal makes accept() return EINTR */
    if (sigaction(SIGALRM, &sa, NULL) < 0)
        die_errno("sigaction SIGALRM");
    double start = clock_now();
    alarm((unsigned)seconds);
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fd = accept(listen_fd, (struct sockaddr *)&addr, &len);
    int saved = errno;
    alarm(0);
    if (fd >= 0) {
        serve_client(fd, &addr, len, clock_now() - start);
    } else if (saved == EINTR || sig_stop_requested) {
        printf("accept: interrupted by %s after %.1f s: nobody came\n",
               alarm_rang ? "SIGALRM" : "a stop signal", clock_now() - start);
    } else {
        errno = saved;
        die_errno("accept");
    }
}

/* 非阻塞IO: accept() never waits; EAGAIN means "no client now". */
static void wait_nonblocking(int listen_fd, long seconds, int log_fd, const char *log_path)
{
    printf("nonblock: O_NONBLOCK is set, so accept() returns at once\n");
    if (net_set_nonblocking(listen_fd, true) < 0)
        die("%s", net_error());
    double start = clock_now();
    for (int tries = 1; !sig_stop_requested; tries++) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int fd = accept(listen_fd, (struct sockaddr *)&addr, &len);
        if (fd >= 0) {
            serve_client(fd, &addr, len, clock_now() - start);
            return;
        }
        if (sig_stop_requested)
            break; /* the stop signal shut the socket down */
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            die_errno("accept");
        printf("try %d: accept: %s (no client yet)\n", tries, strerror(errno));
        if (clock_now() - start >= (double)seconds) {
            printf("no client in %ld s: done\n", seconds);
            return;
        }
        do_other_work(log_fd, log_path, "nonblock");
        clock_sleep_ms(RETRY_MS);
    }
}

/* 超时检测: accept() blocks, but SO_RCVTIMEO bounds each wait. */
static void wait_with_timeout(int listen_fd, long seconds, int log_fd, const char *log_path)
{
    printf("timeout: SO_RCVTIMEO = %d s, so accept() waits at most %d s each time\n", TIMEOUT_S,
           TIMEOUT_S);
    struct timeval tv = {.tv_sec = TIMEOUT_S, .tv_usec = 0};
    if (setsockopt(listen_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        die_errno("setsockopt SO_RCVTIMEO");
    double start = clock_now();
    while (!sig_stop_requested) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        double before = clock_now();
        int fd = accept(listen_fd, (struct sockaddr *)&addr, &len);
        if (fd >= 0) {
            serve_client(fd, &addr, len, clock_now() - start);
            return;
        }
        if (errno == EINTR || sig_stop_requested)
            continue; /* the loop's test ends it on a stop signal */
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            die_errno("accept");
        printf("accept: timed out after %.1f s (%s)\n", clock_now() - before, strerror(errno));
        if (clock_now() - start >= (double)seconds - 0.05) {
            printf("no client in %ld s: done\n", seconds);
            return;
        }
        do_other_work(log_fd, log_path, "timeout");
    }
}

static const char usage[] =
    "usage: block_io [-m block|nonblock|timeout] [-w SECONDS] [-l LOGFILE] [-b ADDR] [-p PORT]\n"
    "  wait for one client in one of three ways, then print its first message\n"
    "  -m MODE   block (default): accept() blocks; nonblock: O_NONBLOCK, retry\n"
    "            on EAGAIN; timeout: SO_RCVTIMEO bounds each accept() to 1 s\n"
    "  -w SECS   give up after this long without a client (default 3, 1..3600)\n"
    "  -l FILE   log file for the other work (default $TMPDIR/block_io.log)\n"
    "  -b ADDR   bind address (default 127.0.0.1)\n"
    "  -p PORT   port (default 9006; 0: any free port)\n"
    "  -h        show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    const char *mode = "block";
    const char *log_path = NULL;
    long seconds = DEFAULT_WAIT;
    int opt;

    prog_init(argv[0]);
    server_opts_init(&so, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "m:w:l:")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'm':
            if (strcmp(optarg, "block") != 0 && strcmp(optarg, "nonblock") != 0 &&
                strcmp(optarg, "timeout") != 0)
                die_usage(usage, "bad -m '%s': expected block, nonblock or timeout", optarg);
            mode = optarg;
            break;
        case 'w':
            if (parse_long(optarg, 1, 3600, &seconds) < 0)
                die_usage(usage, "bad -w '%s': expected 1 to 3600 seconds", optarg);
            break;
        case 'l':
            if (optarg[0] == '\0')
                die_usage(usage, "empty log file name");
            log_path = optarg;
            break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (sig_catch_stop() < 0)
        die_errno("sigaction");
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    setvbuf(stdout, NULL, _IOLBF, 0);

    char default_log[4096];
    if (log_path == NULL) {
        const char *tmp = getenv("TMPDIR");
        snprintf(default_log, sizeof default_log, "%s/block_io.log",
                 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
        log_path = default_log;
    }
    int log_fd = -1;
    if (strcmp(mode, "block") != 0) {
        log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0)
            die_errno("open %s", log_path);
    }

    int listen_fd = net_tcp_listen(so.bind_addr, so.port, 16);
    if (listen_fd < 0)
        die("%s", net_error());
    sig_stop_shutdown(listen_fd); /* a stop signal also wakes accept(): see signals.h */
    if (net_print_listening(listen_fd) < 0)
        die("%s", net_error());

    if (strcmp(mode, "block") == 0)
        wait_blocking(listen_fd, seconds);
    else if (strcmp(mode, "nonblock") == 0)
        wait_nonblocking(listen_fd, seconds, log_fd, log_path);
    else
        wait_with_timeout(listen_fd, seconds, log_fd, log_path);

    if (sig_stop_requested)
        printf("stopping on signal %d\n", (int)sig_stop_requested);
    close(listen_fd);
    if (log_fd >= 0)
        close(log_fd);
    return 0;
}
