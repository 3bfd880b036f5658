/* day7/ipc_socket.c — 进程间通信: 套接字 / IPC with a socket: both
 * ways on one descriptor
 *
 * socketpair(AF_UNIX, SOCK_STREAM) makes two connected Unix domain
 * sockets at once: what is written into one is read from the other, and
 * the other way round. Unlike a pipe, one socket goes both ways, so after
 * fork the parent keeps sv[0], the child keeps sv[1], and they talk —
 * request, reply — over that one descriptor each. It is the same socket
 * API as the network (day9, day10), only between processes of one
 * machine; a named Unix socket (bind to a path) lets unrelated processes
 * connect the same way.
 *
 * The parent sends N request lines; the child answers each in capitals.
 * Then the parent shuts down its sending direction only (shutdown
 * SHUT_WR): the child reads end of file, sends a last line, and exits; the
 * parent still reads that line, because its receiving direction is open.
 *
 * Run: ./build/day7/ipc_socket [-n N] (-h: the options)
 * Watch: each reply comes back on the same descriptor the request went
 * out on; "bye" arrives after the parent's shutdown(SHUT_WR).
 * See also: day7/ipc_pipe (one way only), day9/fork_server (over TCP).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/options.h"
#include "common/parent.h"
#include "common/status.h"

enum { LINE_SIZE = 256, MAX_LINES = 100000, SHOWN = 5 }; /* replies shown */

static void child(int fd);
static int talk(int fd, long n);

/* One socket pair, one fork: the parent asks, the child answers. True if
 * every reply was right and the child ended well. */
static bool converse(long n)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die_errno("socketpair");
    pid_t pid = fork_child(); /* fork(), and the child dies with us */
    if (pid == 0) {
        close(sv[0]); /* each keeps one end */
        child(sv[1]);
    }
    close(sv[1]);
    printf("parent %d: socketpair: I keep fd %d, child %d keeps the other "
           "end\n",
           (int)getpid(), sv[0], (int)pid);
    int correct = talk(sv[0], n);
    close(sv[0]);

    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    char how[64];
    printf("parent: %d of %ld replies correct; child %s\n", correct, n,
           status_describe(status, how, sizeof how));
    return correct == n && status == 0;
}

/* The child: answer each line in capitals; at end of file, say bye. */
static void child(int fd)
{
    char buf[LINE_SIZE];
    struct line_reader r;
    line_reader_init(&r, fd, buf, sizeof buf);
    char *line;
    size_t len;
    int lines = 0, rc;
    while ((rc = line_read(&r, &line, &len)) != LINE_EOF) {
        if (rc == LINE_ERROR)
            die_errno_child("read");
        if (rc == LINE_TOO_LONG)
            continue; /* not ours: our lines are short */
        for (size_t k = 0; k < len; k++)
            line[k] = (char)toupper((unsigned char)line[k]);
        line[len] = '\n'; /* the reader's buffer has room where the \n was */
        if (io_write_all(fd, line, len + 1) < 0)
            die_errno_child("write");
        lines++;
    }
    if (io_printf(fd, "bye from child %d after %d lines\n", (int)getpid(),
                  lines) < 0)
        die_errno_child("write");
    close(fd);
    _exit(0);
}

/* The parent: request, wait for the reply, check it; n times. */
static int talk(int fd, long n)
{
    char buf[LINE_SIZE];
    struct line_reader r;
    line_reader_init(&r, fd, buf, sizeof buf);
    char *line;
    size_t len;
    int correct = 0;
    for (long i = 1; i <= n; i++) {
        char request[LINE_SIZE], expected[LINE_SIZE];
        int rlen =
            snprintf(request, sizeof request,
                     "request %ld: hello from parent %d", i, (int)getpid());
        for (int k = 0; k <= rlen; k++)
            expected[k] = (char)toupper((unsigned char)request[k]);
        if (io_printf(fd, "%s\n", request) < 0)
            die_errno("write");
        if (line_read(&r, &line, &len) != LINE_OK)
            die("the child did not answer request %ld", i);
        bool ok = strcmp(line, expected) == 0;
        correct += ok;
        if (i <= SHOWN || !ok)
            printf("parent: sent \"%s\", got back \"%s\"%s\n", request, line,
                   ok ? "" : " — WRONG");
    }
    /* Close our sending direction only: the child reads end of file, and we
     * can still read its answer. */
    if (shutdown(fd, SHUT_WR) < 0)
        die_errno("shutdown");
    printf("parent: shutdown(SHUT_WR) after %ld requests\n", n);
    while (line_read(&r, &line, &len) == LINE_OK)
        printf("parent: got \"%s\" after the shutdown\n", line);
    return correct;
}

static const char usage[] =
    "usage: ipc_socket [-n N] [-h]\n"
    "  -n N  request lines to send, 1..100000 (default 3)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long n = 3;
    int opt;
    while ((opt = getopt(argc, argv, "n:h")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 1, MAX_LINES, &n) < 0)
                die_usage(usage, "bad N '%s'", optarg);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    return converse(n) ? 0 : 1;
}
