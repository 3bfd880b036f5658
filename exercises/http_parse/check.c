/* exercises/http_parse/check.c — the checker for the http_parse exercise
 * (the HTTP request line).
 *
 * Starts HTTPServer v2.0 built with your parser and sends it request
 * lines, each on a new connection, reading the status of the answer:
 * well-formed GETs in HTTP/1.0 and 1.1 are served (200); a missing or
 * doubled space, a bad version or an HTTP/0.9 line are 400; versions we
 * do not speak are 505. Then SIGTERM must stop the server.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exercises/checklib.h"

struct probe {
    const char *request;
    int status;
    int todo;
    const char *meaning;
};

static const struct probe probes[] = {
    {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, 1,
     "METHOD SP TARGET SP VERSION: the three parts are split at the two "
     "spaces"},
    {"GET /index.html HTTP/1.0\r\n\r\n", 200, 2,
     "HTTP/1.0 is spoken too: minor version 0"},
    {"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", 200, 1, "a HEAD is a GET without "
     "the body"},
    {"GET /\r\n\r\n", 400, 1,
     "no second space: the line has no version (HTTP/0.9's form), a 400"},
    {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, 1,
     "two spaces in a row leave an empty target: a 400"},
    {"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400, 2,
     "the version is exactly 8 characters, HTTP/D.D: here a space follows"},
    {"GET / HTTQ/1.1\r\nHost: x\r\n\r\n", 400, 2,
     "the version starts with HTTP/"},
    {"GET / HTTP/1.x\r\nHost: x\r\n\r\n", 400, 2,
     "HTTP/D.D: both are digits"},
    {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, 2,
     "a well-formed version we do not speak: 505, not 400"},
    {"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, 2,
     "HTTP/1.0 and HTTP/1.1 only: 505"},
};

/* The status of the answer to request, or -1 (no answer in 3 s). */
static int status_of(int port, const char *request, char *line, size_t size)
{
    int fd = check_connect(port);
    snprintf(line, size, "(no answer)");
    if (fd < 0)
        return -1;
    char buf[512] = "";
    int status = -1;
    if (send(fd, request, strlen(request), MSG_NOSIGNAL) > 0 &&
        check_read_until(fd, buf, sizeof buf, "\r\n", check_timeout(3))) {
        *strstr(buf, "\r\n") = '\0';
        snprintf(line, size, "\"%s\"", buf);
        if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
            status = -1;
    }
    close(fd);
    return status;
}

/* The request's first line, printable: "GET / HTTP/1.1". */
static void first_line(const char *request, char *out, size_t size)
{
    size_t n = strcspn(request, "\r\n");
    snprintf(out, size, "\"%.*s\"", (int)n, request);
}

int main(int argc, char *argv[])
{
    check_start("http_parse", argc, argv);
    const char *args[] = {"-p", "0", "-d", "day10/http/site", NULL};
    pid_t server;
    int out;
    int port = check_server_up(args, &server, &out);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        const struct probe *p = &probes[i];
        char what[160], expect[32], answer[256], req[96];
        first_line(p->request, req, sizeof req);
        snprintf(what, sizeof what, "%s is answered %d", req, p->status);
        snprintf(expect, sizeof expect, "HTTP/1.1 %d ...", p->status);
        int got = status_of(port, p->request, answer, sizeof answer);
        check_that(got == p->status, p->todo, what, expect, answer,
                   p->meaning);
    }
    check_server_stops(server, 0, NULL);
    check_passed();
}
