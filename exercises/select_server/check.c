/* exercises/select_server/check.c — the checker for the select_server
 * exercise (rebuilding the watch lists every turn).
 *
 * With real clients on loopback:
 *  1. one client is echoed; then a second one while the first stays
 *     connected and idle, then the first again (one thread serves all);
 *  2. a client sends 8 MiB in rounds, each time without reading until
 *     the server stops taking bytes, then reading: every byte must come
 *     back, in order (the server keeps what it could not send yet and
 *     must watch that client for writing);
 *  3. SIGTERM stops it with exit status 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "exercises/checklib.h"

int main(int argc, char *argv[])
{
    check_start("select_server", argc, argv);
    const char *args[] = {"-p", "0", NULL};
    pid_t server;
    int out;
    int port = check_server_up(args, &server, &out);
    int a = check_connect(port);
    check_that(a >= 0 && check_echo(a, "hello from A\n", check_timeout(3)), 1,
               "a client is echoed", "its line back within 3 s", "no echo",
               "select() reports only the fds in the sets it is given, and "
               "overwrites them with the ready ones: the sets must be built "
               "again every turn — the listener, and every client.");
    int b = check_connect(port);
    check_that(b >= 0 && check_echo(b, "hello from B\n", check_timeout(3)) &&
                   check_echo(a, "A again\n", check_timeout(3)),
               1, "a second client is echoed, and the first still is",
               "both lines back within 3 s", "no echo for one of them",
               "every turn, every client that wants to read goes into the "
               "read set — not only the ones that were ready last turn.");
    size_t back = 0;
    int c = check_connect_small(port);
    bool whole = c >= 0 && check_echo_backlog(c, check_timeout(20), &back);
    char seen[128];
    snprintf(seen, sizeof seen, "%zu of %d bytes came back", back,
             CHECK_BACKLOG_BYTES);
    check_that(whole, 1,
               "8 MiB, sent in rounds without reading, come back whole",
               "all 8388608 bytes", seen,
               "what the server could not send yet it keeps; it must then "
               "put that client in the WRITE set, or the bytes never go.");
    close(a);
    close(b);
    close(c);

    check_server_stops(
        server, 1,
        "the stop signal shuts the listening socket down: if it is "
        "in the read set, select() returns and the loop ends.");
    check_passed();
}
