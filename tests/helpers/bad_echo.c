/* tests/helpers/bad_echo.c — an echo server that gets it wrong on purpose,
 * so the tests can prove that echo_client notices. One client at a time.
 *
 * usage: bad_echo [-b ADDR] [-p PORT] [-f OFFSET] [-c BYTES] [-s]
 *   -f OFFSET  flip the bits of the byte at OFFSET of each connection's stream
 *   -c BYTES   close the connection after echoing BYTES bytes
 *   -s         silent: read, never answer
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"

static const char usage[] = "usage: bad_echo [-b ADDR] [-p PORT] [-f OFFSET] [-c BYTES] [-s]\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    long flip = -1, close_after = -1;
    bool silent = false;
    int opt;
    prog_init(argv[0]);
    server_opts_init(&so, 0);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "f:c:s")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'f':
            if (parse_long(optarg, 0, 1L << 30, &flip) < 0)
                die_usage(usage, "bad -f");
            break;
        case 'c':
            if (parse_long(optarg, 0, 1L << 30, &close_after) < 0)
                die_usage(usage, "bad -c");
            break;
        case 's': silent = true; break;
        default: die_usage(usage, NULL);
        }
    }
    if (sig_catch_stop() < 0 || net_ignore_sigpipe() < 0)
        die_errno("sigaction");
    int lfd = net_tcp_listen(so.bind_addr, so.port, 16);
    if (lfd < 0)
        die("listen: %s", net_error());
    if (net_print_listening(lfd) < 0)
        die("%s", net_error());
    while (!sig_stop_requested) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        char buf[4096];
        long total = 0;
        ssize_t n;
        while (!sig_stop_requested && (n = read(fd, buf, sizeof buf)) > 0) {
            if (silent)
                continue;
            if (close_after >= 0 && total + n > close_after)
                n = close_after - total;
            if (flip >= total && flip < total + n)
                buf[flip - total] ^= (char)0xff;
            if (io_write_all(fd, buf, (size_t)n) < 0)
                break;
            total += n;
            if (close_after >= 0 && total >= close_after)
                break;
        }
        close(fd);
    }
    close(lfd);
    return 0;
}
