/* day9/fork_server.c — 基于fork的多进程网络并发模型 /
 * a process per client
 *
 * An echo server that forks a child for every client, in the course's
 * five steps: 1. create the listening socket; 2. wait for a client
 * (accept); 3. fork a child to serve it: the child closes the listening
 * socket (it never accepts), the parent closes the connection (the child
 * has it); 4. the parent goes straight back to accept; 5. when the client
 * leaves, its child exits, and the parent reaps it in its SIGCHLD
 * handler, so no zombie is left.
 *
 * Run it:   ./build/day9/fork_server [-p PORT] [-m MAX] [-v]  (port 9001)
 *           ./build/day9/echo_client -p 9001       (in several terminals)
 *           ps -o pid,ppid,stat,cmd --ppid $(pgrep -n fork_server)
 * Watch:    one child per connected client; it is gone (no Z in ps) once
 *           its client quits. If fork fails (too many processes), the
 *           client is told and closed, and the server goes on. At most MAX
 *           children at once (default 1024); the next client is refused.
 *           Stopping (Ctrl-C, SIGTERM): the parent stops accepting, sends
 *           SIGTERM to every child still serving a client (a child has
 *           SIGTERM's default action: it ends at once, and the kernel
 *           closes its connection), reaps them all, and exits 0.
 * See also: loop_server.c (one client at a time), thread_server.c (a
 *           thread per client), day6's SIGCHLD lesson.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/fds.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/show.h"
#include "common/signals.h"

enum { DEFAULT_PORT = 9001, BUFSIZE = 65536, MAX_LIMIT = 4096 };
#define BUSY_NO_FDS "fork_server: busy: out of file descriptors, try later\n"
#define BUSY_FULL   "fork_server: busy: too many clients, try again later\n"
#define BUSY_FORK   "fork_server: busy: cannot start a process for you\n"

/* The children serving clients: pid, or 0 for a free slot. The SIGCHLD
 * handler clears the slot of each child it reaps, so these are what a
 * signal handler may touch: volatile sig_atomic_t. */
static volatile sig_atomic_t children[MAX_LIMIT];
static int max_children = 1024;
static bool verbose;

static void start_child(int listen_fd, int spare_fd, int fd, const char *peer);
static void stop_children(void);
static long long serve_client(int fd, const char *peer);

/* Steps 2 and 4: accept until a stop; each client gets a child (3). */
static void serve(int listen_fd, int spare_fd)
{
    while (!sig_stop_requested) {
        char peer[NET_ADDRSTRLEN];
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* refuse, no spin */
                if (fd_spare_refuse(&spare_fd, listen_fd, BUSY_NO_FDS) == 1)
                    printf("refused a client: out of file descriptors\n");
            } else if (errno != EINTR && errno != ECONNABORTED &&
                       !sig_stop_requested) { /* EINTR: SIGCHLD, a stop */
                warn_errno("accept");
            }
            continue;
        }
        if (net_peer_addr(fd, peer, sizeof peer) < 0)
            snprintf(peer, sizeof peer, "(unknown)");
        start_child(listen_fd, spare_fd, fd, peer);
    }
    close(spare_fd);
}

/* SIGCHLD (step 5): reap every child that has exited (one signal may
 * stand for several), and free its slot. Only async-signal-safe work. */
static void on_child_exit(int signo)
{
    (void)signo;
    int saved = errno; /* waitpid may change errno under the code we cut */
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        for (int i = 0; i < max_children; i++)
            if (children[i] == pid)
                children[i] = 0;
    errno = saved;
}

/* Step 3: fork a child for the client on fd, and give up the connection. */
static void start_child(int listen_fd, int spare_fd, int fd, const char *peer)
{
    int slot = 0;
    while (slot < max_children && children[slot] != 0)
        slot++;
    if (slot == max_children) {
        printf("refused %s: %d clients already connected (-m)\n", peer,
               max_children);
        (void)send(fd, BUSY_FULL, strlen(BUSY_FULL), MSG_NOSIGNAL);
        close(fd);
        return;
    }
    /* Block SIGCHLD until the child is in the table (else the handler
     * could reap a quick child before we recorded it), and SIGINT/SIGTERM
     * until the child has put back their default action (else a stop
     * could reach the child while it still runs the parent's handler). */
    sigset_t old, chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sig_hold_stop(&old);                 /* SIGINT, SIGTERM (common/) */
    sigprocmask(SIG_BLOCK, &chld, NULL); /* and SIGCHLD */
    pid_t pid = fork();
    if (pid == 0) { /* the child: serve this one client, then exit */
        signal(SIGCHLD, SIG_DFL); /* no children of its own to reap */
        sig_child_defaults(&old); /* SIGINT, SIGTERM end it; mask back */
        close(listen_fd);         /* step 3: the child never accepts */
        close(spare_fd);
        long long echoed = serve_client(fd, peer);
        printf("closed %s (%lld bytes echoed; child %ld exits)\n", peer, echoed,
               (long)getpid());
        _exit(0); /* not exit(): the parent's stdio and atexit are not ours */
    }
    if (pid > 0)
        children[slot] = pid;
    int fork_errno = errno;
    sig_release(&old); /* SIGCHLD too: old had it unblocked */
    if (pid < 0) {     /* no child: tell the client, close, and go on */
        errno = fork_errno;
        warn_errno("fork (for %s)", peer);
        (void)send(fd, BUSY_FORK, strlen(BUSY_FORK), MSG_NOSIGNAL);
    } else {
        printf("connect from %s: served by child %ld\n", peer, (long)pid);
    }
    close(fd); /* step 3: the parent closes the connection; the child has it */
}

/* Stopping: end every child still serving a client, and reap them all. */
static void stop_children(void)
{
    /* With SIGCHLD blocked, no child is reaped behind our back, so a pid
     * in the table cannot have been reused by another process yet. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int ended = 0;
    for (int i = 0; i < max_children; i++)
        if (children[i] > 0 && kill((pid_t)children[i], SIGTERM) == 0)
            ended++;
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ; /* until ECHILD: none left */
    printf("stopped %d children\n", ended);
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
            return echoed; /* 0: the client closed the connection */
        if (verbose)
            printf("%s: %zd bytes %s\n", peer, n,
                   show_bytes(text, sizeof text, buf, (size_t)n));
        if (io_write_all(fd, buf, (size_t)n) < 0) {
            warn_errno("write to %s", peer);
            return echoed;
        }
        echoed += n;
    }
}

static const char usage[] =
    "usage: fork_server [-b ADDR] [-p PORT] [-m MAX] [-v] [-h]\n"
    "  -b ADDR  bind address (default 127.0.0.1)\n"
    "  -p PORT  port (default 9001; 0: any free port)\n"
    "  -m MAX   at most MAX children at once (default 1024, 1..4096)\n"
    "  -v       print every message received\n"
    "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    long max = max_children;
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
    max_children = (int)max;
    /* No SA_RESTART: a child's exit makes accept() return EINTR, and the
     * loop calls it again (this also lets ThreadSanitizer, which runs our
     * handler only when an intercepted call returns, reap at once). */
    struct sigaction sa = {.sa_handler = on_child_exit,
                           .sa_flags = SA_NOCLDSTOP};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, NULL) < 0 || sig_catch_stop() < 0 ||
        net_ignore_sigpipe() < 0)
        die_errno("sigaction");
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line per event, seen at once */

    int listen_fd = net_tcp_listen(so.bind_addr, so.port, SOMAXCONN);
    if (listen_fd < 0) /* step 1 */
        die("%s", net_error());
    sig_stop_shutdown(listen_fd);   /* a stop wakes accept(): signals.h */
    int spare_fd = fd_spare_open(); /* for EMFILE: see common/fds.h */
    if (spare_fd < 0 || net_print_listening(listen_fd) < 0)
        die_errno("starting");
    serve(listen_fd, spare_fd);
    printf("stopping on signal %d\n", (int)sig_stop_requested);
    close(listen_fd);
    stop_children();
    return 0;
}
