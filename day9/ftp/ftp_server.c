/* day9/ftp/ftp_server.c — ftp 文件服务器 / the FTP file server
 *
 * The course's FTP exercise: a file library several clients use at once,
 * to list, download and upload. The course invents a protocol (L, G name,
 * P name, Q) on ONE connection, and has to guess where a file ends: it
 * sleeps 0.1 s and sends "##", which breaks when a file holds "##". This
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
 * Stopping (SIGINT, SIGTERM): sig_stop_shutdown wakes accept(); then
 * sessions_stop sends "421" on every session's control connection and
 * shuts it down. Every wait of a session watches its control connection,
 * so each one ends at once, child or thread (ftp_sessions.h).
 *
 * Run it:   ./build/day9/ftp/ftp_server     (serves day9/ftp/library,
 *                                           read-only: -d DIR to upload)
 *           ./build/day9/ftp/ftp_client     (in a second terminal)
 *           curl ftp://127.0.0.1:2121/      (or lftp, or Python's ftplib)
 * Watch:    the log: one line per session, login and transfer; with
 *           -m fork, `ps --forest` shows a child per client.
 * Files:    ftp_session.c (the session: control loop and transfers),
 *           ftp_sessions.c (the table, stopping), ftp_data.c (the data
 *           connection), ftp_commands.c and ftp_folders.c (the other
 *           commands), ftp_list.c (LIST), common/path.h (the jail).
 * See also: day9/fork_server.c and day9/thread_server.c (the two models).
 */
#define _XOPEN_SOURCE 700 /* realpath (the jail's root) is an XSI function */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/fds.h"
#include "common/io.h"
#include "common/logline.h"
#include "common/net.h"
#include "common/options.h"
#include "common/path.h"
#include "common/signals.h"
#include "day9/ftp/ftp_session.h"
#include "day9/ftp/ftp_sessions.h"

#define DEFAULT_PORT    2121
#define DEFAULT_LIBRARY "day9/ftp/library"
#define BACKLOG         128
#define BUSY            "421 Cannot start a session now; try again later.\r\n"
#define NO_FDS          "421 Out of file descriptors; try again later.\r\n"

struct server {
    struct server_opts so; /* -b, -p */
    int listener, spare;   /* spare: for EMFILE, see common/fds.h */
    bool threads;          /* -m thread */
    long max_sessions;     /* -c */
    unsigned long accepted;
    struct ftp_config cfg;
};

static void serve(struct server *sv);
static void start_process(struct server *sv, int conn);
static void start_thread(struct server *sv, int conn);
static void parse_options(int argc, char **argv, struct server *sv);
static const char *jail_root(const char *dir, char *root);

/* Accept clients until a stop signal; each gets a session of its own. */
static void serve(struct server *sv)
{
    while (!sig_stop_requested) {
        int conn = accept(sv->listener, NULL, NULL);
        if (conn < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* refuse, no spin */
                if (fd_spare_refuse(&sv->spare, sv->listener, NO_FDS) == 1)
                    log_line("refused a session: out of file descriptors\n");
            } else if (errno != EINTR && errno != ECONNABORTED &&
                       !sig_stop_requested) { /* EINTR: SIGCHLD, a stop */
                warn_errno("accept");
            }
            continue;
        }
        long running = sessions_running();
        if (running >= sv->max_sessions) {
            io_printf(conn, "421 Too many sessions (%ld); try later.\r\n",
                      running);
            close(conn);
            log_line("refused a session: %ld running (-c %ld)\n", running,
                     sv->max_sessions);
            continue;
        }
        sv->accepted++;
        log_line("session %lu accepted (%ld running)\n", sv->accepted,
                 running + 1);
        if (sv->threads)
            start_thread(sv, conn);
        else
            start_process(sv, conn);
    }
}

/* -m fork: a child serves the client; the parent keeps a copy of the
 * connection in the table, to say 421 on it when the server stops. */
static void start_process(struct server *sv, int conn)
{
    sigset_t old;
    sessions_hold(&old); /* stop signals and SIGCHLD, until it is listed */
    pid_t pid = fork();
    if (pid == 0) { /* the child: serve this one client, then leave */
        sig_child_defaults(&old);
        close(sv->listener);
        close(sv->spare);
        sessions_close_copies();
        char tag[32];
        snprintf(tag, sizeof tag, "pid %ld", (long)getpid());
        ftp_session_run(conn, &sv->cfg, tag);
        close(conn);
        _exit(0); /* not exit(): the parent's atexit handlers are not ours */
    }
    if (pid > 0)
        sessions_add(pid, conn);
    else
        warn_errno("fork");
    sig_release(&old);
    if (pid < 0) {
        io_printf(conn, BUSY);
        close(conn);
    }
}

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
    sessions_end(job->conn);
    free(job);
    return NULL;
}

/* -m thread: a detached thread serves the client; nobody joins it, but
 * sessions_stop waits until the table is empty. */
static void start_thread(struct server *sv, int conn)
{
    struct thread_job *job = malloc(sizeof *job);
    pthread_attr_t attr;
    pthread_t tid;
    sigset_t old;
    int rc = job == NULL ? ENOMEM : pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        *job = (struct thread_job){conn, sv->accepted, &sv->cfg};
        sessions_hold(&old); /* the thread starts with stop signals held */
        sessions_add(0, conn);
        rc = pthread_create(&tid, &attr, session_thread, job);
        sig_release(&old);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        warn_msg("pthread_create: %s", strerror(rc));
        free(job);
        io_printf(conn, BUSY);
        sessions_end(conn);
    }
}

static const char usage[] =
    "usage: ftp_server [-b ADDR] [-p PORT] [-d DIR] [-m fork|thread]\n"
    "                  [-c MAX] [-t SECONDS] [-r]\n"
    "A small FTP server (RFC 959 + EPSV) for the course. A LAB server: any\n"
    "user name and password log in, so it listens on 127.0.0.1.\n"
    "  -b ADDR     bind address (default 127.0.0.1)\n"
    "  -p PORT     control port (default 2121; 0: the kernel picks one)\n"
    "  -d DIR      the library to serve (default: the shipped\n"
    "              " DEFAULT_LIBRARY ", read-only)\n"
    "  -m MODE     fork: a process per session (default); thread\n"
    "  -c MAX      at most MAX sessions; one more gets 421 (default 100)\n"
    "  -t SECONDS  idle timeout, also for a stalled transfer (default 300)\n"
    "  -r          read-only: STOR, DELE, MKD and RMD answer 550\n"
    "  -h          show this help\n";

int main(int argc, char **argv)
{
    prog_init(argv[0]);
    struct server sv = {.max_sessions = 100, .cfg.idle_timeout_ms = 300000};
    parse_options(argc, argv, &sv);
    char root[PATH_MAX];
    const char *dir = jail_root(sv.cfg.root, root);
    sv.cfg.read_only |= sv.cfg.root == NULL; /* the checkout stays as it is */
    sv.cfg.root = root;

    sv.listener = net_tcp_listen(sv.so.bind_addr, sv.so.port, BACKLOG);
    if (sv.listener < 0)
        die("%s", net_error());
    sv.spare = fd_spare_open();
    if (sv.spare < 0)
        die_errno("open /dev/null");
    if (sig_catch_stop() < 0 || net_ignore_sigpipe() < 0 ||
        sessions_init(sv.max_sessions, sv.threads) < 0)
        die_errno("setting up");
    sig_stop_shutdown(sv.listener); /* a stop wakes accept(): signals.h */
    if (net_print_listening(sv.listener) < 0)
        die("%s", net_error());
    log_line("serving %s, %s per session, at most %ld sessions%s\n", dir,
             sv.threads ? "a thread" : "a process", sv.max_sessions,
             sv.cfg.read_only ? ", read-only" : "");

    serve(&sv);

    fprintf(stderr, "%s: stopping on signal %d, %ld session(s) to end\n",
            prog_name(), (int)sig_stop_requested, sessions_running());
    close(sv.listener);
    sessions_stop();
    log_line("stopped after %lu sessions\n", sv.accepted);
    return 0;
}

static void parse_options(int argc, char **argv, struct server *sv)
{
    server_opts_init(&sv->so, DEFAULT_PORT);
    long idle = 300;
    int c;
    while ((c = getopt(argc, argv, SERVER_OPTSTRING "d:m:c:t:r")) != -1) {
        if (server_opts_handle(&sv->so, c, optarg, usage))
            continue;
        switch (c) {
        case 'd': sv->cfg.root = optarg; break;
        case 'r': sv->cfg.read_only = true; break;
        case 'm':
            sv->threads = strcmp(optarg, "thread") == 0;
            if (!sv->threads && strcmp(optarg, "fork") != 0)
                die_usage(usage, "bad mode '%s': fork or thread", optarg);
            break;
        case 'c':
            if (parse_long(optarg, 1, 10000, &sv->max_sessions) < 0)
                die_usage(usage, "bad -c '%s': 1 to 10000", optarg);
            break;
        case 't':
            if (parse_long(optarg, 1, 86400, &idle) < 0)
                die_usage(usage, "bad -t '%s': 1 to 86400 s", optarg);
            break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    sv->cfg.idle_timeout_ms = (int)idle * 1000;
}

/* The jail's root, resolved once into root: every client path must stay
 * below it. dir NULL: the shipped library. Returns the name to show. */
static const char *jail_root(const char *dir, char *root)
{
    static char shipped[PATH_MAX];
    struct stat st;
    if (dir == NULL &&
        path_find_shipped(DEFAULT_LIBRARY, shipped, sizeof shipped) < 0)
        die("cannot find the shipped library (%s); name one with -d DIR",
            DEFAULT_LIBRARY);
    if (dir == NULL)
        dir = shipped;
    if (realpath(dir, root) == NULL)
        die_errno("file library %s", dir);
    if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
        die("file library %s is not a directory", dir);
    return dir;
}
