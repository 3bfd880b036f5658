/* bench/http_idle.c — hold N idle keep-alive HTTP connections open, for
 * bench/http_vs_nginx.sh (built by that script, not by make: it is a
 * measuring tool, not a lesson).
 *
 * usage: http_idle -p PORT -n N [-H HOST] [-u PATH]
 *
 * Opens N connections, sends one "GET PATH HTTP/1.1" on each and reads
 * the answer's first bytes (so each is a keep-alive connection that has
 * served a request), prints "holding N", then sleeps with them open until
 * stdin reaches EOF or a signal ends it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"

static const char usage[] = "usage: http_idle -p PORT -n N [-H HOST] [-u PATH]\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    struct client_opts co;
    client_opts_init(&co, 8000);
    long n = 0;
    const char *path = "/index.html";
    int opt;
    while ((opt = getopt(argc, argv, CLIENT_OPTSTRING "n:u:")) != -1) {
        if (client_opts_handle(&co, opt, optarg, usage))
            continue;
        if (opt == 'n' && parse_long(optarg, 1, 1000000, &n) == 0)
            continue;
        if (opt == 'u') {
            path = optarg;
            continue;
        }
        die_usage(usage, NULL);
    }
    if (n == 0)
        die_usage(usage, "-n N is needed");
    int *fds = calloc((size_t)n, sizeof *fds);
    if (fds == NULL)
        die_errno("calloc");
    char request[512], buf[4096];
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, co.host);
    for (long i = 0; i < n; i++) {
        fds[i] = net_tcp_connect(co.host, co.port);
        if (fds[i] < 0)
            die("connection %ld: %s", i, net_error());
        if (io_write_all(fds[i], request, strlen(request)) < 0)
            die_errno("write");
    }
    for (long i = 0; i < n; i++) { /* each got an answer: it is a used keep-alive connection */
        struct pollfd p = {fds[i], POLLIN, 0};
        if (poll(&p, 1, 10000) != 1 || read(fds[i], buf, sizeof buf) <= 0)
            die("connection %ld: no answer", i);
    }
    printf("holding %ld\n", n);
    fflush(stdout);
    while (read(0, buf, sizeof buf) > 0)
        ;
    return 0;
}
