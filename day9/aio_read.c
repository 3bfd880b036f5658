/* day9/aio_read.c — 异步IO / Asynchronous IO, beside the other three models
 *
 * The course lists four IO models. Here each one reads the same message
 * from a pipe that a child writes into after -d ms (the data "arrives
 * later", as from a slow disk or peer), and main counts how much other
 * work it got done while it waited:
 *   1. 阻塞IO        read() blocks: no other work until the data is there.
 *   2. 非阻塞IO      O_NONBLOCK: read() says EAGAIN at once; work, retry.
 *   3. IO多路复用    poll() waits (here on one fd; on thousands in day10)
 *                   until the fd is READY; then main reads it itself.
 *   4. 异步IO        aio_read() only STARTS the read and returns; main
 *                   works on; when the data is already in our buffer, a
 *                   completion notification comes (here a signal,
 *                   SIGEV_SIGNAL); aio_return says how many bytes.
 *                   Readiness (3) versus completion (4).
 * glibc implements POSIX aio in user space with threads: a helper thread
 * does a blocking read() for us (the thread count shows it). Linux
 * servers use io_uring today instead (see docs/day9.md).
 *
 * Run:   ./build/day9/aio_read [-d MS]                   (-h: options)
 * Watch: "other work meanwhile": 0 for blocking, several for the others;
 *        the asynchronous read is done before main asks for it, and
 *        the process has a thread more (glibc's) while it is pending.
 * See also: day9/block_io, day10/select_server.c, day10/epoll_server.c.
 */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"

#define MESSAGE "the data has arrived\n"
enum { WORK_MS = 20, BUF_SIZE = 64 }; /* one unit of "other work" */

static long delay_ms = 300;
static volatile sig_atomic_t completed; /* set by the completion signal */

static pid_t start_writer(int fds[2]);
static void finish(const char *how, pid_t writer, int fd, const char *buf,
                   ssize_t n, int work, double start);
static void other_work(int *units);
static int count_threads(void);

/* 1. 阻塞IO: read() sleeps in the kernel until the data is there. */
static void blocking(void)
{
    int fds[2];
    pid_t writer = start_writer(fds);
    double start = clock_now();
    char buf[BUF_SIZE];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) < 0 && errno == EINTR)
        ;
    finish("blocking      read()", writer, fds[0], buf, n, 0, start);
}

/* 2. 非阻塞IO: read() never waits; EAGAIN means "nothing yet". */
static void non_blocking(void)
{
    int fds[2], work = 0;
    pid_t writer = start_writer(fds);
    if (fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) < 0)
        die_errno("fcntl O_NONBLOCK");
    double start = clock_now();
    char buf[BUF_SIZE];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) < 0 &&
           (errno == EAGAIN || errno == EINTR))
        other_work(&work); /* then try again */
    finish("non-blocking  read()", writer, fds[0], buf, n, work, start);
}

/* 3. IO多路复用: poll() says when the fd is ready; we read it ourselves. */
static void multiplexed(void)
{
    int fds[2], work = 0;
    pid_t writer = start_writer(fds);
    double start = clock_now();
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    int ready;
    while ((ready = poll(&p, 1, WORK_MS)) <= 0) { /* at most WORK_MS */
        if (ready < 0 && errno != EINTR)
            die_errno("poll");
        other_work(&work); /* nothing ready yet */
    }
    char buf[BUF_SIZE];
    ssize_t n = read(fds[0], buf, sizeof buf); /* ready: will not block */
    finish("multiplexed   poll()", writer, fds[0], buf, n, work, start);
}

/* The completion notification: a signal, sent when the read is done. */
static void on_complete(int signo)
{
    (void)signo;
    completed = 1;
}

/* 4. 异步IO: aio_read() starts the read; we hear when it is DONE. */
static void asynchronous(void)
{
    int fds[2], work = 0, threads = 0;
    pid_t writer = start_writer(fds);
    static char buf[BUF_SIZE]; /* ours again only after completion */
    struct aiocb cb = {.aio_fildes = fds[0],
                       .aio_buf = buf,
                       .aio_nbytes = sizeof buf,
                       .aio_offset = 0};
    /* notify by SIGUSR1 (SIGEV_THREAD would call a function in a new
     * thread instead; ThreadSanitizer cannot follow glibc's) */
    cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
    cb.aio_sigevent.sigev_signo = SIGUSR1;
    struct sigaction sa = {.sa_handler = on_complete, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) < 0)
        die_errno("sigaction");
    double start = clock_now();
    if (aio_read(&cb) < 0) /* returns at once: the read is queued */
        die_errno("aio_read");
    while (!completed) { /* no read() of ours anywhere in this loop */
        if (threads == 0)
            threads = count_threads(); /* main + glibc's helper */
        other_work(&work);
    }
    int err = aio_error(&cb); /* 0 once done, EINPROGRESS before */
    if (err != 0)
        die("aio_read: %s", strerror(err));
    ssize_t n = aio_return(&cb); /* like read()'s result, asked once */
    printf("asynchronous: while the read was pending, the process had "
           "%d threads: glibc's aio runs read() in a thread\n",
           threads);
    finish("asynchronous  aio_read()", writer, fds[0], buf, n, work, start);
}

/* --- helpers ---------------------------------------------------------- */

/* A pipe, and a child that writes MESSAGE into it after delay_ms. */
static pid_t start_writer(int fds[2])
{
    if (pipe(fds) < 0)
        die_errno("pipe");
    fflush(stdout); /* nothing buffered may be copied into the child */
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        close(fds[0]);
        clock_sleep_ms(delay_ms);
        ssize_t n = write(fds[1], MESSAGE, strlen(MESSAGE));
        _exit(n == (ssize_t)strlen(MESSAGE) ? 0 : 1);
    }
    close(fds[1]);
    return pid;
}

/* Print what one way got, close the pipe, collect the writer. */
static void finish(const char *how, pid_t writer, int fd, const char *buf,
                   ssize_t n, int work, double start)
{
    if (n < 0)
        die_errno("%s", how);
    printf("%-24s %3d  %5.2f s  %zd bytes: %.*s", how, work,
           clock_now() - start, n, (int)n, buf);
    if (n == 0 || buf[n - 1] != '\n')
        printf("\n");
    close(fd);
    int status;
    if (waitpid(writer, &status, 0) < 0)
        die_errno("waitpid");
}

/* One unit of the work main does while the data is on its way. */
static void other_work(int *units)
{
    clock_sleep_ms(WORK_MS);
    (*units)++;
}

/* Threads of this process: "Threads:" in /proc/self/status (Linux). */
static int count_threads(void)
{
    int n = 0;
    char line[128];
    FILE *f = fopen("/proc/self/status", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return n;
}

static const char usage[] =
    "usage: aio_read [-d MS] [-h]\n"
    "  -d MS  the data arrives after MS ms, 100..5000 (default 300)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "d:h")) != -1) {
        if (opt == 'd' && parse_long(optarg, 100, 5000, &delay_ms) < 0)
            die_usage(usage, "bad -d MS '%s': expected 100..5000", optarg);
        else if (opt == 'h')
            print_usage_and_exit(usage);
        else if (opt != 'd')
            die_usage(usage, NULL);
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    printf("aio_read: a child writes into a pipe after %ld ms; each way "
           "reads it\n%-24s %s\n",
           delay_ms, "model   call", "work  waited  what came");
    blocking();
    non_blocking();
    multiplexed();
    asynchronous();
    return 0;
}
