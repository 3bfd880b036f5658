/* day9/fork_server.c — 基于fork的多进程网络并发模型 / a process per client
 *
 * An echo server that forks a child for every client, following the
 * course's five steps:
 *   1. create the listening socket;
 *   2. wait for a client (accept);
 *   3. fork a child to serve it: the child closes the listening socket (it
 *      never accepts), the parent closes the connection (the child has it);
 *   4. the parent goes straight back to accept the next client;
 *   5. when the client leaves, its child exits, and the parent reaps it in
 *      its SIGCHLD handler, so no zombie is left.
 *
 * Run it:   ./build/day9/fork_server [-b ADDR] [-p PORT] [-m MAX] [-v]  (port 9001)
 *           ./build/day9/echo_client -p 9001       (in several terminals)
 *           ps -o pid,ppid,stat,cmd --ppid $(pgrep -n fork_server)
 * Watch:    one child per connected client; it is gone (no Z in ps) once
 *           its client quits. If fork fails (too many processes), the
 *           client is told and closed, and the server goes on. At most MAX
 *           children at once (default 1024); the next client is refused.
 *           Stopping (Ctrl-C, SIGTERM): the parent stops accepting, sends
 *           SIGTERM to every child still serving a client — children keep
 *           SIGTERM's default action, so each ends at once and the kernel
 *           closes its connection — reaps them all, and exits 0.
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

enum {
    DEFAULT_PORT = 9001,
    BUFSIZE = 65536,
    DEFAULT_MAX_CHILDREN = 1024,
    MAX_CHILDREN_LIMIT = 4096, /* the largest -m */
};

#define BUSY_NO_FDS "fork_server: busy: out of file descriptors, try again later\n"
#define BUSY_FULL   "fork_server: busy: too many clients, try again later\n"
#define BUSY_FORK   "fork_server: busy: cannot start a process for you, try again later\n"

/* The children serving clients: pid, or 0 for a free slot. The SIGCHLD
 * handler clears the slot of each child it reaps, so these are what a
 * signal handler may touch: volatile sig_atomic_t. */
static volatile sig_atomic_t children[MAX_CHILDREN_LIMIT];
static int max_children = DEFAULT_MAX_CHILDREN;

/* SIGCHLD: reap every child that has exited (one signal may stand for
 * several), and free its slot. Only async-signal-safe work. */
static void on_child_exit(int signo)
{
    (void)signo;
    int saved = errno; /* waitpid may change errno under the interrupted code */
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        for (int i = 0; i < max_children; i++)
            if (children[i] == pid)
                children[i] = 0;
    errno = saved;
}

/* A free slot in children[], or -1. */
static int free_slot(void)
{
    for (int i = 0; i < max_children; i++)
        if (children[i] == 0)
            return i;
    return -1;
}

/* Echo what the client sends until it closes; the bytes echoed. */
static long long serve_client(int fd, const char *peer, bool verbose)
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
            break; /* the client closed the connection */
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

/* The child: serve one client, then exit. It never returns. */
static void run_child(int listen_fd, int spare_fd, int fd, const char *peer, bool verbose,
                      const sigset_t *old_mask)
{
    /* The parent's handlers are not for us: SIGTERM and SIGINT end this
     * child at once, and it has no children to reap. Then let the signals
     * the parent blocked around fork() in. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);

    close(listen_fd); /* step 3: the child never accepts */
    close(spare_fd);
    long long echoed = serve_client(fd, peer, verbose);
    close(fd);
    printf("closed %s (%lld bytes echoed; child %ld exits)\n", peer, echoed, (long)getpid());
    _exit(0); /* _exit: the parent's stdio buffers and atexit handlers are not ours */
}

/* Step 3: fork a child for the client on fd, and give up the connection. */
static void start_child(int listen_fd, int spare_fd, int fd, const char *peer, bool verbose)
{
    int slot = free_slot();
    if (slot < 0) {
        printf("refused %s: %d clients already connected (-m)\n", peer, max_children);
        (void)send(fd, BUSY_FULL, strlen(BUSY_FULL), MSG_NOSIGNAL);
        close(fd);
        return;
    }

    /* Block SIGCHLD until the child is in the table (else the handler
     * could reap a quick child before we recorded it), and SIGINT/SIGTERM
     * until the child has its own dispositions (else a stop signal could
     * reach the child while it still runs the parent's handler). */
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old_mask);

    pid_t pid = fork();
    if (pid == 0)
        run_child(listen_fd, spare_fd, fd, peer, verbose, &old_mask);
    if (pid > 0)
        children[slot] = pid;
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);

    if (pid < 0) { /* no child: tell the client, close, and go on */
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
    /* With SIGCHLD blocked, no child is reaped behind our back, so a pid in
     * the table cannot have been reused by another process yet. */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, NULL);
    int ended = 0;
    for (int i = 0; i < max_children; i++)
        if (children[i] > 0) {
            kill((pid_t)children[i], SIGTERM);
            ended++;
        }
    for (;;) {
        pid_t pid = waitpid(-1, NULL, 0);
        if (pid > 0 || (pid < 0 && errno == EINTR))
            continue;
        break; /* ECHILD: none left */
    }
    printf("stopped %d children\n", ended);
}

static const char usage[] = "usage: fork_server [-b ADDR] [-p PORT] [-m MAX] [-v] [-h]\n"
                            "  an echo server with a child process per client\n"
                            "  -b ADDR  bind address (default 127.0.0.1)\n"
                            "  -p PORT  port (default 9001; 0: any free port)\n"
                            "  -m MAX   at most MAX children at once (default 1024, 1..4096)\n"
                            "  -v       print every message received\n"
                            "  -h       show this help\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    bool verbose = false;
    long max = DEFAULT_MAX_CHILDREN;
    int opt;

    prog_init(argv[0]);
    server_opts_init(&so, DEFAULT_PORT);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "m:v")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'm':
            if (parse_long(optarg, 1, MAX_CHILDREN_LIMIT, &max) < 0)
                die_usage(usage, "bad -m '%s': expected 1 to %d", optarg, MAX_CHILDREN_LIMIT);
            break;
        case 'v': verbose = true; break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    max_children = (int)max;

    struct sigaction sa = {0};
    sa.sa_handler = on_child_exit;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a child's exit makes accept() return EINTR, and the
     * loop calls it again (this also lets ThreadSanitizer, which runs our
     * handler only when an intercepted call returns, reap at once). */
    sa.sa_flags = SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) < 0 || sig_catch_stop() < 0)
        die_errno("sigaction");
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line per event, seen at once */

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
        start_child(listen_fd, spare_fd, fd, peer, verbose); /* step 3 */
    }

    printf("stopping on signal %d\n", (int)sig_stop_requested);
    close(listen_fd);
    close(spare_fd);
    stop_children();
    return 0;
}
