/* day7/ipc_pipe.c — 进程间通信: 管道 / IPC with a pipe: parent and
 * child
 *
 * pipe() gives two file descriptors: bytes written into fds[1] come out of
 * fds[0], in order, once. fork() copies both ends into the child, so
 * parent and child can talk; a pipe goes one way, so talking both ways
 * takes two. Here the parent sends a few lines (and, with -b, a long run
 * of bytes) down one pipe; the child reads until end of file, then sends
 * back up the other pipe how many bytes it got and their fingerprint.
 *
 * Two things to see:
 *   - End of file comes only when EVERY write end is closed. The child
 *     closes its copy of the write end first thing: without that close it
 *     would wait for itself forever.
 *   - A pipe is a byte stream: it keeps no message boundaries. Three
 *     write() calls can come out of one read(), and a long write() out of
 *     many reads. Whoever needs messages must frame them (day7/pool).
 *
 * Run: ./build/day7/ipc_pipe [-b BYTES] (-h: the options); -b 5000000
 * sends far more than a pipe holds (64 KiB): the writer waits for the
 * reader.
 * Watch: the child's number of read() calls is not the parent's number of
 * write() calls; the byte count and fingerprint the child reports match
 * what the parent sent.
 * See also: day7/ipc_socket (both ways on one descriptor), day7/queue_0.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/fnv1a.h"
#include "common/io.h"
#include "common/options.h"
#include "common/parent.h"
#include "common/status.h"

enum { MAX_BYTES = 64 * 1024 * 1024, CHUNK = 64 * 1024 };

static const char *const lines[] = {"hello, child\n", "你好，子进程\n",
                                    "bye\n"};
enum { LINES = sizeof lines / sizeof lines[0] };

/* What the child sends back when it has read everything. */
struct summary {
    uint64_t bytes;
    uint64_t reads;
    uint32_t fnv1a;
    uint32_t unused; /* explicit padding: every byte sent is defined */
};

static void child(int in, int out);
static struct summary send_all(int out, size_t extra);

/* Byte k of the -b data. */
static unsigned char data_byte(size_t k)
{
    return (unsigned char)(k * 7 + k / 256);
}

/* Parent and child, joined by two pipes. True if the child got exactly
 * what the parent sent. */
static bool talk(size_t extra)
{
    int down[2], up[2]; /* down: parent -> child; up: child -> parent */
    if (pipe(down) < 0 || pipe(up) < 0)
        die_errno("pipe");
    pid_t pid = fork_child(); /* fork(), and the child dies with us */
    if (pid == 0) {
        close(down[1]); /* or read() never sees end of file: we hold a writer */
        close(up[0]);
        child(down[0], up[1]);
    }
    close(down[0]);
    close(up[1]);

    struct summary sent = send_all(down[1], extra);
    close(down[1]); /* the last write end: the child's read() now returns 0 */
    printf("parent %d: sent %llu bytes in %llu write() calls, fnv1a %08x; "
           "closed the pipe\n",
           (int)getpid(), (unsigned long long)sent.bytes,
           (unsigned long long)sent.reads, (unsigned)sent.fnv1a);

    struct summary got;
    if (io_read_exact(up[0], &got, sizeof got) != sizeof got)
        die("the child sent no summary");
    close(up[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    bool intact = got.bytes == sent.bytes && got.fnv1a == sent.fnv1a;
    printf("parent %d: child got %llu bytes, fnv1a %08x: %s\n", (int)getpid(),
           (unsigned long long)got.bytes, (unsigned)got.fnv1a,
           intact ? "intact" : "DIFFERENT from what was sent");
    char how[64];
    if (status != 0)
        die("child %d %s", (int)pid, status_describe(status, how, sizeof how));
    return intact;
}

/* The child: read everything from in until end of file, print the text
 * part, and report the totals on out. */
static void child(int in, int out)
{
    struct summary s = {0, 0, FNV1A_INIT, 0};
    char *buf = malloc(CHUNK);
    if (buf == NULL)
        die_errno_child("malloc");
    size_t text_bytes = 0; /* how much of the start (the lines) to print */
    for (int i = 0; i < LINES; i++)
        text_bytes += strlen(lines[i]);
    for (;;) {
        ssize_t n = read(in, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno_child("read");
        if (n == 0)
            break; /* end of file: every write end is closed */
        s.reads++;
        if (s.bytes < text_bytes) { /* where this read's bytes begin, end */
            size_t left = text_bytes - (size_t)s.bytes;
            size_t show = left < (size_t)n ? left : (size_t)n;
            printf("child %d: read() #%llu returned %zd bytes: \"",
                   (int)getpid(), (unsigned long long)s.reads, n);
            for (size_t k = 0; k < show; k++)
                if (buf[k] == '\n')
                    fputs("\\n", stdout);
                else
                    putchar(buf[k]);
            printf("%s\"\n", show < (size_t)n ? "..." : "");
        }
        s.fnv1a = fnv1a_update(s.fnv1a, buf, (size_t)n);
        s.bytes += (uint64_t)n;
    }
    free(buf);
    printf("child %d: end of file after %llu bytes in %llu read() calls\n",
           (int)getpid(), (unsigned long long)s.bytes,
           (unsigned long long)s.reads);
    if (io_write_all(out, &s, sizeof s) < 0)
        die_errno_child("write");
    fflush(stdout);
    _exit(0);
}

/* The parent: write the lines and the data, then close: that is the EOF. */
static struct summary send_all(int out, size_t extra)
{
    struct summary s = {0, 0, FNV1A_INIT, 0};
    for (int i = 0; i < LINES; i++) {
        size_t len = strlen(lines[i]);
        if (io_write_all(out, lines[i], len) < 0)
            die_errno("write");
        s.fnv1a = fnv1a_update(s.fnv1a, lines[i], len);
        s.bytes += len;
        s.reads++; /* here: write() calls */
    }
    unsigned char *buf = malloc(CHUNK);
    if (buf == NULL)
        die_errno("malloc");
    for (size_t done = 0; done < extra;) {
        size_t n = extra - done < CHUNK ? extra - done : CHUNK;
        for (size_t k = 0; k < n; k++)
            buf[k] = data_byte(done + k);
        if (io_write_all(out, buf, n) < 0) /* blocks while the pipe is full */
            die_errno("write");
        s.fnv1a = fnv1a_update(s.fnv1a, buf, n);
        s.bytes += n;
        s.reads++;
        done += n;
    }
    free(buf);
    return s;
}

static const char usage[] =
    "usage: ipc_pipe [-b BYTES] [-h]\n"
    "  -b BYTES  also send BYTES bytes, 0..67108864 (default 0)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long extra = 0;
    int opt;
    while ((opt = getopt(argc, argv, "b:h")) != -1) {
        switch (opt) {
        case 'b':
            if (parse_long(optarg, 0, MAX_BYTES, &extra) < 0)
                die_usage(usage, "bad BYTES '%s'", optarg);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    return talk((size_t)extra) ? 0 : 1;
}
