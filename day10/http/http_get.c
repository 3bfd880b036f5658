/* day10/http/http_get.c — HTTPServer v2.0 / HTTP 服务器 v2.0: a tiny
 * HTTP client, to see the raw bytes a web server sends back.
 *
 * What it shows: an HTTP exchange is text over a TCP socket. It sends
 * "GET PATH HTTP/1.1" for each PATH on ONE connection (keep-alive; the
 * last one says "Connection: close") and prints each answer's status line
 * and headers as they came, then the body (text), or its size (anything
 * else). With -r it sends its standard input byte for byte instead — any
 * request, well-formed or hostile — and prints everything that comes back.
 *
 * Run it (with http_server running on port 8000):
 *   ./build/day10/http/http_get / /style.css /status
 *   printf 'GET /about HTTP/1.0\r\n\r\n' | ./build/day10/http/http_get -r
 *   printf 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n' |
 * ./build/day10/http/http_get -r
 *
 * Watch for: Content-Length telling where one answer ends and the next
 * begins on the same connection; the server's answer to bad requests.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"

#define DEFAULT_PORT 8000
#define TIMEOUT_SEC  10 /* a silent server does not hang us */

static const char usage[] =
    "usage: http_get [-H HOST] [-p PORT] PATH...\n"
    "       http_get [-H HOST] [-p PORT] -r < request\n"
    "  PATH  a path to GET, like / or /style.css (several: one connection)\n"
    "  -r    send standard input as the request, byte for byte\n";

/* Bytes read from the server and not yet printed. */
struct inbox {
    int fd;
    char buf[64 * 1024];
    size_t len;
};

/* Read more; false at EOF. Exits on an error or a timeout. */
static bool receive(struct inbox *in)
{
    if (in->len == sizeof in->buf)
        die("an answer head longer than %zu bytes", sizeof in->buf);
    ssize_t n;
    do
        n = read(in->fd, in->buf + in->len, sizeof in->buf - in->len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        die_errno("read from the server");
    in->len += (size_t)n;
    return n > 0;
}

/* The value of a header in head (NUL-terminated), or NULL. */
static const char *find_header(const char *head, const char *name, char *value,
                               size_t size)
{
    size_t len = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line != NULL;
         line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, name, len) == 0 && line[2 + len] == ':') {
            const char *v = line + 3 + len;
            v += strspn(v, " ");
            snprintf(value, size, "%.*s", (int)strcspn(v, "\r"), v);
            return value;
        }
    return NULL;
}

/* Print one answer: its head as sent, then the body or its size. */
static void print_answer(struct inbox *in, bool head_request)
{
    char *end;
    while ((end = memmem(in->buf, in->len, "\r\n\r\n", 4)) == NULL)
        if (!receive(in))
            die("the server closed the connection %s",
                in->len > 0 ? "in the middle of an answer"
                            : "without answering");
    size_t head_len = (size_t)(end + 4 - in->buf);
    char head[sizeof in->buf + 1], value[256];
    memcpy(head, in->buf, head_len);
    head[head_len] = '\0';
    fwrite(head, 1, head_len, stdout);

    long long length = 0;
    if (find_header(head, "Content-Length", value, sizeof value) != NULL)
        length = atoll(value);
    if (head_request || strncmp(head + 9, "304", 3) == 0)
        length = 0;
    const char *type = find_header(head, "Content-Type", value, sizeof value);
    bool text = type != NULL && (strncmp(type, "text/", 5) == 0 ||
                                 strstr(type, "json") != NULL);
    memmove(in->buf, in->buf + head_len, in->len - head_len);
    in->len -= head_len;
    for (long long left = length; left > 0;) {
        if (in->len == 0 && !receive(in))
            die("the server closed the connection in the middle of a body");
        size_t n = in->len < (unsigned long long)left ? in->len : (size_t)left;
        if (text)
            fwrite(in->buf, 1, n, stdout);
        memmove(in->buf, in->buf + n, in->len - n);
        in->len -= n;
        left -= (long long)n;
    }
    if (!text && length > 0)
        printf("[%lld bytes of %s]\n", length, type != NULL ? type : "data");
    fflush(stdout);
}

/* -r: send stdin, half-close, print everything until the server closes. */
static void raw_exchange(int fd)
{
    char buf[16 * 1024];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
        if (io_write_all(fd, buf, (size_t)n) < 0)
            die_errno("write to the server");
    if (n < 0)
        die_errno("read stdin");
    shutdown(fd, SHUT_WR); /* "that was all": the server answers, then closes */
    while ((n = read(fd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    if (n < 0 && errno != ECONNRESET)
        die_errno("read from the server");
}

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    struct client_opts co;
    client_opts_init(&co, DEFAULT_PORT);
    bool raw = false;
    int opt;
    while ((opt = getopt(argc, argv, CLIENT_OPTSTRING "r")) != -1) {
        if (client_opts_handle(&co, opt, optarg, usage))
            continue;
        if (opt == 'r')
            raw = true;
        else
            die_usage(usage, NULL);
    }
    if (raw == (optind < argc))
        die_usage(usage, raw ? "-r takes no PATH" : "no PATH to get");
    for (int i = optind; i < argc; i++)
        if (argv[i][0] != '/' || strpbrk(argv[i], " \r\n") != NULL)
            die_usage(usage,
                      "bad path '%s': it starts with / and has no spaces",
                      argv[i]);

    int fd = net_tcp_connect(co.host, co.port);
    if (fd < 0)
        die("%s", net_error());
    struct timeval tv = {TIMEOUT_SEC, 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        die_errno("setsockopt SO_RCVTIMEO");
    if (raw) {
        raw_exchange(fd);
        close(fd);
        return 0;
    }
    /* All requests first (pipelined), then the answers, in the same order. */
    for (int i = optind; i < argc; i++)
        if (io_printf(
                fd, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: %s\r\n\r\n",
                argv[i], co.host, i == argc - 1 ? "close" : "keep-alive") < 0)
            die_errno("write to the server");
    static struct inbox in;
    in.fd = fd;
    for (int i = optind; i < argc; i++)
        print_answer(&in, false);
    close(fd);
    return 0;
}
