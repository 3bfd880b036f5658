/* day9/ftp/ftp_server.c — ftp 文件服务器 / the FTP file server
 *
 * The course's FTP exercise: a file library several clients use at once,
 * to list, download and upload. The course invents a protocol (L, G name,
 * P name, Q) on ONE connection, and has to guess where a file ends: it
 * sleeps 0.1 s and sends "##" — which breaks when a file holds "##". This
 * is the real thing, a subset of FTP (RFC 959, plus EPSV from RFC 2428),
 * so curl, Python's ftplib, lftp and file managers work with it:
 *
 *   - the CONTROL connection (port 2121 here) carries command lines
 *     ("RETR hello.txt") and numbered replies ("226 Transfer complete.");
 *   - each listing or file travels on a DATA connection of its own, opened
 *     for it (PASV/EPSV: the server listens on a new port, the client
 *     connects), and its close marks the end of the file. No length, no
 *     marker, no sleep: the framing problem is gone.
 *
 * Sessions run in a child process each (-m fork, the default, as vsftpd
 * does: a crash in one session cannot touch another) or in a thread each
 * (-m thread), with the same session code (ftp_session.c), so the two
 * models of the course can be compared.
 *
 * Run it:   ./build/day9/ftp/ftp_server                (serves day9/ftp/library)
 *           ./build/day9/ftp/ftp_client                (in a second terminal)
 *           curl ftp://127.0.0.1:2121/                 (or lftp, or ftplib)
 * Watch:    the log: one line per session, login and transfer; with
 *           -m fork, `ps --forest` shows a child per client.
 * Files:    ftp_session.c (commands, transfers), ftp_data.c (the data
 *           connection), ftp_list.c (LIST), ftp_command.c (the parser),
 *           common/path.h (the jail).
 * See also: day9/fork_server.c and day9/thread_server.c (the two models).
 */
#define _XOPEN_SOURCE 700 /* realpath (the library's root for the jail) is an XSI function */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/path.h"
#include "common/signals.h"
#include "day9/ftp/ftp_session.h"

#define DEFAULT_PORT     2121
#define DEFAULT_LIBRARY  "day9/ftp/library"
#define DEFAULT_SESSIONS 100
#define DEFAULT_IDLE     300 /* seconds */
#define BACKLOG          128
#define EMFILE_PAUSE_MS  100 /* out of fds: wait a little instead of spinning */

/* Sessions running now. Fork mode: children started by main, minus those
 * the SIGCHLD handler reaped (each counter has one writer, so no race).
 * Thread mode: a counter under a mutex; the last thread out signals. */
static long children_started;
static volatile sig_atomic_t children_reaped;
static long threads_running;
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t threads_done = PTHREAD_COND_INITIALIZER;

/* The write end of the stop pipe, for the SIGINT/SIGTERM handler (-1 in
 * a session process, which must not write to it). */
static volatile sig_atomic_t stop_write_fd = -1;

/* SIGINT, SIGTERM: set the stop flag, and write a byte into the stop pipe
 * (the "self-pipe trick"). Main polls the pipe next to the listening
 * socket, so the stop is seen even if the signal lands just before poll
 * is called — a flag alone can be missed there, and the server would
 * sleep on. Every session polls the pipe too, process or thread. */
static void on_stop(int signo)
{
    int saved = errno;
    sig_stop_requested = signo;
    if (stop_write_fd >= 0) {
        ssize_t n = write(stop_write_fd, "!", 1); /* async-signal-safe; never blocks */
        (void)n;                                  /* full pipe: it is readable anyway */
    }
    errno = saved;
}

/* SIGCHLD: reap every child that ended, so no zombie stays behind. */
static void on_sigchld(int signo)
{
    (void)signo;
    int saved = errno; /* waitpid may change errno under main's feet */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        children_reaped = children_reaped + 1;
    errno = saved;
}

static long sessions_running(bool threads)
{
    if (!threads)
        return children_started - children_reaped;
    pthread_mutex_lock(&threads_lock);
    long n = threads_running;
    pthread_mutex_unlock(&threads_lock);
    return n;
}

/* --- one process per session ----------------------------------------------- */

static void start_process(int conn, int listener, int stop_write, const struct ftp_config *cfg)
{
    pid_t pid = fork();
    if (pid < 0) {
        warn_errno("fork");
        io_printf(conn, "421 Cannot start a session now; try again later.\r\n");
        close(conn);
        return;
    }
    if (pid == 0) { /* the child: serve this one client, then leave */
        close(listener);
        stop_write_fd = -1; /* only the parent writes to (and closes) the stop pipe */
        close(stop_write);
        char tag[32];
        snprintf(tag, sizeof tag, "pid %ld", (long)getpid());
        ftp_session_run(conn, cfg, tag);
        _exit(0); /* not exit(): the parent's atexit handlers and buffers are not ours */
    }
    children_started++;
    close(conn); /* the child has its own copy */
}

/* --- one thread per session ------------------------------------------------ */

struct thread_job {
    int conn;
    unsigned long id;
    const struct ftp_config *cfg;
};

static void *session_thread(void *arg)
{
    struct thread_job *job = arg;
    char tag[32];
    snprintf(tag, sizeof tag, "thread %lu", job->id);
    ftp_session_run(job->conn, job->cfg, tag);
    free(job);
    pthread_mutex_lock(&threads_lock);
    if (--threads_running == 0)
        pthread_cond_signal(&threads_done);
    pthread_mutex_unlock(&threads_lock);
    return NULL;
}

static void start_thread(int conn, unsigned long id, const struct ftp_config *cfg)
{
    struct thread_job *job = malloc(sizeof *job);
    pthread_t tid;
    pthread_attr_t attr;
    pthread_mutex_lock(&threads_lock);
    threads_running++;
    pthread_mutex_unlock(&threads_lock);
    int rc = job == NULL ? ENOMEM : pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED); /* nobody joins it */
        *job = (struct thread_job){conn, id, cfg};
        rc = pthread_create(&tid, &attr, session_thread, job);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        warn_msg("pthread_create: %s", strerror(rc));
        free(job);
        pthread_mutex_lock(&threads_lock);
        threads_running--;
        pthread_mutex_unlock(&threads_lock);
        io_printf(conn, "421 Cannot start a session now; try again later.\r\n");
        close(conn);
    }
}

/* --- main -------------------------------------------------------------------- */

static const char usage[] =
    "usage: ftp_server [-b ADDR] [-p PORT] [-d DIR] [-m fork|thread] [-c MAX] [-t SECONDS] [-r]\n"
    "A small FTP server (RFC 959 + EPSV) for the course. It is a LAB server: any\n"
    "user name and password log in, so it listens on 127.0.0.1 unless -b says otherwise.\n"
    "  -b ADDR     bind address (default 127.0.0.1; IPv4 or IPv6 literal)\n"
    "  -p PORT     control port (default 2121; 0: the kernel picks one)\n"
    "  -d DIR      the file library to serve (default " DEFAULT_LIBRARY ")\n"
    "  -m MODE     fork: a process per session (default); thread: a thread per session\n"
    "  -c MAX      at most MAX sessions at once; one more gets 421 (default 100)\n"
    "  -t SECONDS  idle timeout: no command, or a stalled data connection (default 300)\n"
    "  -r          read-only: STOR, DELE, MKD and RMD answer 550\n"
    "  -h          show this help\n"
    "Clients: ./build/day9/ftp/ftp_client, curl ftp://127.0.0.1:2121/, lftp, Python ftplib.\n";

int main(int argc, char **argv)
{
    prog_init(argv[0]);
    struct server_opts so;
    server_opts_init(&so, DEFAULT_PORT);
    const char *dir = NULL;
    bool threads = false, read_only = false;
    long max_sessions = DEFAULT_SESSIONS, idle = DEFAULT_IDLE;
    int c;
    while ((c = getopt(argc, argv, SERVER_OPTSTRING "d:m:c:t:r")) != -1) {
        if (server_opts_handle(&so, c, optarg, usage))
            continue;
        switch (c) {
        case 'd': dir = optarg; break;
        case 'r': read_only = true; break;
        case 'm':
            if (strcmp(optarg, "fork") != 0 && strcmp(optarg, "thread") != 0)
                die_usage(usage, "bad mode '%s': expected fork or thread", optarg);
            threads = strcmp(optarg, "thread") == 0;
            break;
        case 'c':
            if (parse_long(optarg, 1, 10000, &max_sessions) < 0)
                die_usage(usage, "bad session limit '%s': expected 1 to 10000", optarg);
            break;
        case 't':
            if (parse_long(optarg, 1, 86400, &idle) < 0)
                die_usage(usage, "bad timeout '%s': expected 1 to 86400 seconds", optarg);
            break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);

    /* The jail's root, resolved once: every client path must stay below it. */
    char shipped[PATH_MAX], root[PATH_MAX];
    struct stat st;
    if (dir == NULL && path_find_shipped(DEFAULT_LIBRARY, shipped, sizeof shipped) < 0)
        die("cannot find the shipped library (%s); name a folder with -d DIR", DEFAULT_LIBRARY);
    if (dir == NULL)
        dir = shipped;
    if (realpath(dir, root) == NULL)
        die_errno("file library %s", dir);
    if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
        die("file library %s is not a directory", dir);

    int listener = net_tcp_listen(so.bind_addr, so.port, BACKLOG);
    if (listener < 0)
        die("%s", net_error());
    if (net_set_nonblocking(listener, true) < 0) /* a client gone before accept: no hang */
        die("%s", net_error());
    /* The stop pipe: every session polls its read end, and main too. A
     * signal writes a byte into it, and at the end main closes the write
     * end: either way it becomes readable, in every process and thread. */
    int stop_pipe[2];
    if (pipe(stop_pipe) < 0)
        die_errno("pipe");
    if (net_set_nonblocking(stop_pipe[1], true) < 0)
        die("%s", net_error());
    stop_write_fd = stop_pipe[1];
    struct ftp_config cfg = {root, read_only, (int)idle * 1000, stop_pipe[0]};

    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop; /* no SA_RESTART: a blocking call returns EINTR */
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        die_errno("sigaction");
    if (!threads) {
        sa.sa_handler = on_sigchld;
        sa.sa_flags = SA_NOCLDSTOP;
        if (sigaction(SIGCHLD, &sa, NULL) < 0)
            die_errno("sigaction SIGCHLD");
    }
    if (net_ignore_sigpipe() < 0)
        die("%s", net_error());
    if (net_print_listening(listener) < 0)
        die("%s", net_error());
    printf("serving %s, %s per session, at most %ld sessions%s\n", dir,
           threads ? "a thread" : "a process", max_sessions, read_only ? ", read-only" : "");
    fflush(stdout);

    unsigned long accepted = 0;
    while (!sig_stop_requested) {
        /* Wait for a new client, or for the stop pipe. */
        struct pollfd wait[2] = {{listener, POLLIN, 0}, {stop_pipe[0], POLLIN, 0}};
        if (poll(wait, 2, -1) < 0) {
            if (errno != EINTR)
                die_errno("poll");
            continue; /* a signal came: SIGCHLD (reaped), or a stop (the loop ends) */
        }
        if (wait[1].revents != 0)
            break;
        int conn = accept(listener, NULL, NULL);
        if (conn < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                warn_errno("accept"); /* survive running out: wait, then try again */
                clock_sleep_ms(EMFILE_PAUSE_MS);
                continue;
            }
            die_errno("accept");
        }
        long running = sessions_running(threads);
        if (running >= max_sessions) {
            io_printf(conn, "421 Too many sessions (%ld); try again later.\r\n", running);
            close(conn);
            printf("refused a session: %ld running (-c %ld)\n", running, max_sessions);
            fflush(stdout);
            continue;
        }
        accepted++;
        printf("session %lu accepted (%ld running)\n", accepted, running + 1);
        fflush(stdout); /* before fork: the child must not inherit unwritten output */
        if (threads)
            start_thread(conn, accepted, &cfg);
        else
            start_process(conn, listener, stop_pipe[1], &cfg);
    }

    /* Stop: no new clients; tell every session, then wait for them all. */
    fprintf(stderr, "%s: stopping on signal %d, %ld session(s) to end\n", prog_name(),
            (int)sig_stop_requested, sessions_running(threads));
    close(listener);
    stop_write_fd = -1;
    close(stop_pipe[1]); /* the stop pipe reads end-of-file now, for every session */
    if (threads) {
        pthread_mutex_lock(&threads_lock);
        while (threads_running > 0)
            pthread_cond_wait(&threads_done, &threads_lock);
        pthread_mutex_unlock(&threads_lock);
    } else {
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
            ; /* until ECHILD: no child left (the handler may reap some too) */
    }
    close(stop_pipe[0]);
    printf("stopped after %lu sessions\n", accepted);
    return 0;
}
