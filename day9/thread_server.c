/* day9/thread_server.c — 基于threading的多线程网络并发 / a thread per client
 *
 * An echo server that starts a thread for every client, following the
 * course's steps:
 *   1. create the listening socket;
 *   2. accept clients in a loop;
 *   3. for each new client, start a thread that serves it (the thread owns
 *      the connection: it alone reads, writes and closes it);
 *   4. the main thread goes straight back to accept;
 *   5. when the client leaves, its thread ends.
 * Threads are detached (nobody joins them); a counter under a mutex says
 * how many are running, so the server can bound them and, at the end,
 * wait until all are gone.
 *
 * Run it:   ./build/day9/thread_server [-b ADDR] [-p PORT] [-m MAX] [-v]  (port 9002)
 *           ./build/day9/echo_client -p 9002       (in several terminals)
 *           ps -L -o pid,lwp,cmd -p $(pgrep -n thread_server)
 * Watch:    one process, one thread per connected client. At most MAX
 *           threads at once (default 1024): the next client gets a one-line
 *           refusal and is closed, instead of the process running out of
 *           memory or threads (the course's version had no limit).
 *           Signals: worker threads block SIGINT and SIGTERM, so a stop
 *           signal always reaches the main thread, interrupting accept().
 *           It then shuts down every client's connection (each thread's
 *           read or write returns at once), waits for the threads to end,
 *           and exits 0: no thread is left using the server's state.
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

#include "common/errors.h"
#include "common/fds.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/show.h"
#include "common/signals.h"

enum {
    DEFAULT_PORT = 9002,
    BUFSIZE = 65536,
    DEFAULT_MAX_THREADS = 1024,
    MAX_THREADS_LIMIT = 16384, /* the largest -m */
};

#define BUSY_NO_FDS "thread_server: busy: out of file descriptors, try again later\n"
#define BUSY_FULL   "thread_server: busy: too many clients, try again later\n"
#define BUSY_THREAD "thread_server: busy: cannot start a thread for you, try again later\n"

/* One client's slot: what its thread owns. */
struct client {
    int fd; /* -1: the slot is free */
    char peer[NET_ADDRSTRLEN];
};

/* Shared by the main thread and the workers, under lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_ended = PTHREAD_COND_INITIALIZER;
static struct client *clients; /* max_threads slots */
static int max_threads = DEFAULT_MAX_THREADS;
static int running; /* worker threads alive */
static bool verbose;

/* Echo what the client sends until it closes; the bytes echoed. */
static long long serve_client(int fd, const char *peer)
{
    char buf[BUFSIZE];
    long long echoed = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            warn_errno("read from %s", peer);
            break;
        }
        if (n == 0)
            break; /* the client closed (or the server is stopping) */
        if (verbose) {
            char text[SHOW_BUFSIZE];
            printf("%s: %zd bytes %s\n", peer, n, show_bytes(text, sizeof text, buf, (size_t)n));
        }
        if (io_write_all(fd, buf, (size_t)n) < 0) {
            warn_errno("write to %s", peer);
            break;
        }
        echoed += n;
    }
    return echoed;
}

/* A worker thread: serve its client, then give the slot back. */
static void *client_thread(void *arg)
{
    struct client *c = arg;
    long long echoed = serve_client(c->fd, c->peer);
    printf("closed %s (%lld bytes echoed)\n", c->peer, echoed);

    pthread_mutex_lock(&lock);
    close(c->fd); /* under the lock: the main thread may be shutting it down */
    c->fd = -1;
    running--;
    pthread_cond_signal(&thread_ended);
    pthread_mutex_unlock(&lock);
    return NULL; /* from here on this thread touches nothing shared */
}

/* Tell a client we cannot serve it, and close it. */
static void refuse(int fd, const char *peer, const char *message, const char *why)
{
    printf("refused %s: %s\n", peer, why);
    (void)send(fd, message, strlen(message), MSG_NOSIGNAL);
    close(fd);
}

/* Step 3: start a thread for the client on fd, or refuse it. */
static void start_thread(int fd, const char *peer, const pthread_attr_t *detached)
{
    pthread_mutex_lock(&lock);
    struct client *c = NULL;
    for (int i = 0; i < max_threads && c == NULL; i++)
        if (clients[i].fd < 0)
            c = &clients[i];
    if (c != NULL) {
        c->fd = fd;
        snprintf(c->peer, sizeof c->peer, "%s", peer);
        running++;
    }
    pthread_mutex_unlock(&lock);
    if (c == NULL) {
        refuse(fd, peer, BUSY_FULL, "too many clients (-m)");
        return;
    }
    printf("connect from %s: served by a new thread\n", peer); /* before it can say "closed" */

    /* A new thread starts with its creator's signal mask: block the stop
     * signals around pthread_create, so only the main thread takes them. */
    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    pthread_t tid;
    int err = pthread_create(&tid, detached, client_thread, c);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);

    if (err != 0) { /* no thread: give the slot back and tell the client */
        warn_msg("pthread_create (for %s): %s", peer, strerror(err));
        pthread_mutex_lock(&lock);
        c->fd = -1;
        running--;
        pthread_mutex_unlock(&lock);
        refuse(fd, peer, BUSY_THREAD, "cannot start a thread");
    }
}

/* Stopping: wake every worker (shutdown makes its blocked read or write
 * return), then wait until the last one has ended. */
static void stop_threads(void)
{
    pthread_mutex_lock(&lock);
    int count = running;
    for (int i = 0; i < max_threads; i++)
        if (clients[i].fd >= 0)
            shutdown(clients[i].fd, SHUT_RDWR);
    while (running > 0)
        pthread_cond_wait(&thread_ended, &lock);
    pthread_mutex_unlock(&lock);
    printf("stopped %d threads\n", count);
}

static const char usage[] = "usage: thread_server [-b ADDR] [-p PORT] [-m MAX] [-v] [-h]\n"
                            "  an echo server with a thread per client\n"
                            "  -b ADDR  bind address (default 127.0.0.1)\n"
                            "  -p PORT  port (default 9002; 0: any free port)\n"
                            "  -m MAX   at most MAX threads at once (default 1024, 1..16384)\n"
                            "  -v       print every message received\n"
                            "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    long max = DEFAULT_MAX_THREADS;
    int opt;

    prog_init(argv[0]);
    server_opts_init(&so, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "m:v")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'm':
            if (parse_long(optarg, 1, MAX_THREADS_LIMIT, &max) < 0)
                die_usage(usage, "bad -m '%s': expected 1 to %d", optarg, MAX_THREADS_LIMIT);
            break;
        case 'v': verbose = true; break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    max_threads = (int)max;
    if (sig_catch_stop() < 0)
        die_errno("sigaction");
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line per event, seen at once */

    clients = malloc((size_t)max_threads * sizeof *clients);
    if (clients == NULL)
        die("out of memory");
    for (int i = 0; i < max_threads; i++)
        clients[i].fd = -1;
    pthread_attr_t detached;
    int err = pthread_attr_init(&detached);
    if (err == 0)
        err = pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    if (err != 0)
        die("pthread_attr: %s", strerror(err));

    int listen_fd = net_tcp_listen(so.bind_addr, so.port, SOMAXCONN); /* step 1 */
    if (listen_fd < 0)
        die("%s", net_error());
    sig_stop_shutdown(listen_fd);   /* a stop signal also wakes accept(): see signals.h */
    int spare_fd = fd_spare_open(); /* for EMFILE: see common/fds.h */
    if (spare_fd < 0)
        die_errno("open /dev/null");
    if (net_print_listening(listen_fd) < 0)
        die("%s", net_error());

    while (!sig_stop_requested) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int fd = accept(listen_fd, (struct sockaddr *)&addr, &len); /* step 2 */
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* no fd left: refuse, don't spin */
                if (fd_spare_refuse(&spare_fd, listen_fd, BUSY_NO_FDS) == 1)
                    printf("refused a client: out of file descriptors\n");
            } else if (errno != EINTR && errno != ECONNABORTED && !sig_stop_requested) {
                warn_errno("accept");
            }
            continue; /* step 4: back to accept */
        }
        char peer[NET_ADDRSTRLEN];
        if (net_format_addr((struct sockaddr *)&addr, len, peer, sizeof peer) < 0)
            snprintf(peer, sizeof peer, "(unknown)");
        start_thread(fd, peer, &detached); /* step 3 */
    }

    printf("stopping on signal %d\n", (int)sig_stop_requested);
    close(listen_fd);
    close(spare_fd);
    stop_threads();
    pthread_attr_destroy(&detached);
    free(clients);
    return 0;
}
