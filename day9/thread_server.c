/* day9/thread_server.c — 基于threading的多线程网络并发 /
 * a thread per client
 *
 * An echo server with a thread for every client, in the course's steps:
 * 1. create the listening socket; 2. accept clients in a loop; 3. start a
 * thread for each, which owns the connection (it alone reads, writes and
 * closes it); 4. main goes straight back to accept; 5. when the client
 * leaves, its thread ends. Threads are detached; a table under a mutex
 * bounds them (-m) and tells main, at the end, when all are gone.
 *
 * Run it:   ./build/day9/thread_server [-p PORT] [-m MAX] [-v]  (port 9002)
 *           ./build/day9/echo_client -p 9002       (in several terminals)
 * Watch:    `ps -L -p PID`: a thread per client; past MAX (1024) a client
 *           gets a one-line refusal (the course had no limit). A stop
 *           reaches main (workers hold SIGINT/SIGTERM) and wakes accept();
 *           main shuts down every client's socket and sends each worker
 *           SIGUSR1, which ends a write to a log nobody reads (`-v | less`,
 *           paused), waits for them, exits 0. Logging is log_line, never
 *           printf: a thread blocked in printf holds stdout's lock.
 * See also: fork_server.c (a process per client), day8 (threads, locks).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/io.h"
#include "common/logline.h"
#include "common/net.h"
#include "common/options.h"
#include "common/pthread_check.h"
#include "common/show.h"
#include "common/signals.h"

enum { DEFAULT_PORT = 9002, BUFSIZE = 65536, MAX_LIMIT = 16384 };
#define BUSY_FULL   "thread_server: busy: too many clients, try again later\n"
#define BUSY_NO_FDS "thread_server: busy: out of file descriptors, try later\n"

/* What one worker owns (fd -1: a free slot); shared under lock. */
struct client {
    int fd;
    pthread_t tid;
    char peer[NET_ADDRSTRLEN];
};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_ended = PTHREAD_COND_INITIALIZER;
static struct client *clients; /* max_threads slots */
static int max_threads = 1024, running;
static bool verbose;

static void start_thread(int fd, const char *peer);
static void stop_threads(void);
static long long serve_client(int fd, const char *peer);
static void refuse(int fd, const char *peer, const char *msg, const char *why);

/* Steps 2 and 4: accept until a stop; each client gets a thread (3). */
static void serve(int listen_fd, int spare_fd)
{
    while (!sig_stop_requested) {
        char peer[NET_ADDRSTRLEN];
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* refuse, no spin */
                if (fd_spare_refuse(&spare_fd, listen_fd, BUSY_NO_FDS) == 1)
                    log_line("refused a client: out of file descriptors\n");
            } else if (errno != EINTR && errno != ECONNABORTED &&
                       !sig_stop_requested) {
                warn_errno("accept");
            }
            continue;
        }
        if (net_peer_addr(fd, peer, sizeof peer) < 0)
            snprintf(peer, sizeof peer, "(unknown)");
        start_thread(fd, peer);
    }
    close(spare_fd);
}

/* A worker thread: serve its client, then give the slot back. */
static void *client_thread(void *arg)
{
    struct client *c = arg;
    long long echoed = serve_client(c->fd, c->peer);
    log_line("closed %s (%lld bytes echoed)\n", c->peer, echoed);
    mutex_lock(&lock);
    close(c->fd); /* under the lock: main may be shutting it down */
    c->fd = -1;
    running--;
    pthread_cond_signal(&thread_ended);
    mutex_unlock(&lock);
    return NULL; /* from here on this thread touches nothing shared */
}

/* Step 3: start a thread for the client on fd, or refuse it. */
static void start_thread(int fd, const char *peer)
{
    mutex_lock(&lock);
    struct client *c = NULL;
    for (int i = 0; i < max_threads && c == NULL; i++)
        if (clients[i].fd < 0)
            c = &clients[i];
    if (c != NULL) {
        c->fd = fd;
        snprintf(c->peer, sizeof c->peer, "%s", peer);
        running++;
    }
    mutex_unlock(&lock);
    if (c == NULL) {
        refuse(fd, peer, BUSY_FULL, "too many clients (-m)");
        return;
    }
    log_line("connect from %s: served by a new thread\n", peer);
    /* it starts with our signal mask: stop signals held, for main only */
    sigset_t old;
    sig_hold_stop(&old);
    int err = pthread_create(&c->tid, NULL, client_thread, c);
    sig_release(&old);
    if (err == 0) {
        pthread_detach(c->tid); /* nobody joins it; it frees itself */
        return;
    }
    warn_msg("pthread_create (for %s): %s", peer, strerror(err));
    mutex_lock(&lock); /* no thread: give the slot back, tell the client */
    c->fd = -1;
    running--;
    mutex_unlock(&lock);
    refuse(fd, peer, BUSY_FULL, "cannot start a thread");
}

/* Stopping: wake every worker where it waits (shutdown: its socket;
 * SIGUSR1: a blocked log write); wait for them, at most 5 s. */
static void stop_threads(void)
{
    struct timespec deadline = clock_deadline(CLOCK_REALTIME, 5000);
    mutex_lock(&lock);
    int count = running;
    for (int i = 0; i < max_threads; i++)
        if (clients[i].fd >= 0) { /* its thread is alive: it has the slot */
            shutdown(clients[i].fd, SHUT_RDWR);
            pthread_kill(clients[i].tid, SIGUSR1);
        }
    int err = 0;
    while (running > 0 && err != ETIMEDOUT)
        err = pthread_cond_timedwait(&thread_ended, &lock, &deadline);
    int left = running;
    mutex_unlock(&lock);
    log_line("stopped %d threads%s\n", count - left,
             left > 0 ? "; some did not end, left detached" : "");
}

/* Echo what the client sends until it closes; the bytes echoed. */
static long long serve_client(int fd, const char *peer)
{
    char buf[BUFSIZE], text[SHOW_BUFSIZE];
    long long echoed = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            warn_errno("read from %s", peer);
        if (n <= 0)
            return echoed; /* 0: the client closed, or the server stops */
        if (verbose)
            log_line("%s: %zd bytes %s\n", peer, n,
                     show_bytes(text, sizeof text, buf, (size_t)n));
        if (io_write_all(fd, buf, (size_t)n) < 0) {
            warn_errno("write to %s", peer);
            return echoed;
        }
        echoed += n;
    }
}

/* Tell a client we cannot serve it, and close it. */
static void refuse(int fd, const char *peer, const char *msg, const char *why)
{
    log_line("refused %s: %s\n", peer, why);
    (void)send(fd, msg, strlen(msg), MSG_NOSIGNAL);
    close(fd);
}

/* SIGUSR1: arriving is the point (a blocked call ends: no SA_RESTART). */
static void on_wake(int signo)
{
    (void)signo;
}

static const char usage[] =
    "usage: thread_server [-b ADDR] [-p PORT] [-m MAX] [-v] [-h]\n"
    "  -b ADDR  bind address (default 127.0.0.1)\n"
    "  -p PORT  port (default 9002; 0: any free port)\n"
    "  -m MAX   at most MAX threads at once (default 1024, 1..16384)\n"
    "  -v       print every message received\n"
    "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    long max = max_threads;
    int opt;
    prog_init(argv[0]);
    server_opts_init(&so, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "m:v")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'v': verbose = true; break;
        case 'm':
            if (parse_long(optarg, 1, MAX_LIMIT, &max) < 0)
                die_usage(usage, "bad -m '%s': 1 to %d", optarg, MAX_LIMIT);
            break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    max_threads = (int)max;
    struct sigaction wake = {.sa_handler = on_wake}; /* no SA_RESTART */
    sigemptyset(&wake.sa_mask);
    if (sig_catch_stop() < 0 || sigaction(SIGUSR1, &wake, NULL) < 0 ||
        net_ignore_sigpipe() < 0)
        die_errno("sigaction");
    clients = malloc((size_t)max_threads * sizeof *clients);
    if (clients == NULL)
        die("out of memory");
    for (int i = 0; i < max_threads; i++)
        clients[i].fd = -1;

    int listen_fd = net_tcp_listen(so.bind_addr, so.port, SOMAXCONN);
    if (listen_fd < 0) /* step 1 */
        die("%s", net_error());
    sig_stop_shutdown(listen_fd);   /* a stop wakes accept(): signals.h */
    int spare_fd = fd_spare_open(); /* for EMFILE: see common/fds.h */
    if (spare_fd < 0 || net_print_listening(listen_fd) < 0)
        die_errno("starting");
    serve(listen_fd, spare_fd);
    log_line("stopping on signal %d\n", (int)sig_stop_requested);
    close(listen_fd);
    stop_threads();
    return 0; /* clients stays: a thread left detached may still use it */
}
