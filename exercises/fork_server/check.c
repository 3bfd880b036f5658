/* exercises/fork_server/check.c — the checker for the fork_server
 * exercise (a process per client: reap the children, close the right
 * descriptors in parent and child).
 *
 * From outside, with real clients on loopback and /proc:
 *  1. a second client is echoed while the first stays connected (else
 *     it is a loop server: the parent waited, or served the client);
 *  2. no child holds the listening socket; the parent holds no client's
 *     connection (only its listening socket);
 *  3. ten clients leave while the server is stopped (SIGSTOP), so their
 *     ten SIGCHLDs arrive as one: every child must still be reaped;
 *  4. SIGTERM stops it with exit status 0.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"
#include "exercises/checklib.h"

enum { CLIENTS = 10 };

static bool wait_for(pid_t server, int children, int zombies, double timeout)
{
    double end = clock_now() + timeout;
    while (clock_now() < end) {
        if (procfs_children(server, NULL, 0) == children &&
            procfs_count_zombies(server) == zombies)
            return true;
        clock_sleep_ms(10);
    }
    return false;
}

static void check_concurrent(int port, int fds[CLIENTS])
{
    fds[0] = check_connect(port);
    fds[1] = check_connect(port);
    bool served = fds[0] >= 0 && fds[1] >= 0 &&
                  check_echo(fds[1], "hello from the second client\n",
                             check_timeout(3));
    check_that(served, 0,
               "a second client is served while the first is connected",
               "the second client's line echoed within 3 s",
               "no echo: the server is busy with the first client",
               "a fork server hands each client to a new process and goes "
               "straight back to accept(). A parent that waits for its child "
               "(or serves the client itself) is a loop server again.");
    check_that(check_echo(fds[0], "and the first\n", check_timeout(3)), 0,
               "the first client is served too", "its line echoed",
               "no echo", NULL);
}

static void check_descriptors(pid_t server, int port)
{
    wait_for(server, 2, 0, check_timeout(3));
    pid_t kids[4];
    int n = procfs_children(server, kids, 4);
    char seen[160];
    for (int i = 0; i < n && i < 4; i++) {
        snprintf(seen, sizeof seen, "child %ld still holds it", (long)kids[i]);
        check_that(!check_holds_listener(kids[i], port), 2,
                   "each child has closed the listening socket",
                   "a child holds its client's connection, not the listener",
                   seen,
                   "fork copied every descriptor into the child. A child "
                   "never accepts: holding the listening socket, it keeps the "
                   "port in use after the server has gone, and wastes a "
                   "descriptor per client.");
    }
    int sockets = check_socket_count(server);
    snprintf(seen, sizeof seen, "%d sockets (2 clients are connected)",
             sockets);
    check_that(sockets == 1, 3,
               "the parent has closed its copy of each connection",
               "1 socket in the server process: the listening one", seen,
               "after fork both processes hold the connection; it is really "
               "closed only when both copies are. A parent that keeps them "
               "leaks a descriptor per client until accept() fails with "
               "EMFILE.");
}

static void check_reaping(pid_t server, int port, int fds[CLIENTS])
{
    for (int i = 2; i < CLIENTS; i++)
        fds[i] = check_connect(port);
    wait_for(server, CLIENTS, 0, check_timeout(5));
    kill(server, SIGSTOP);
    for (int i = 0; i < CLIENTS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    wait_for(server, CLIENTS, CLIENTS, check_timeout(5));
    kill(server, SIGCONT);
    bool reaped = wait_for(server, 0, 0, check_timeout(3));
    char seen[160];
    snprintf(seen, sizeof seen, "%d zombie child(ren) after 3 s",
             procfs_count_zombies(server));
    check_that(reaped, 1, "every child is reaped",
               "no zombie once the clients have left", seen,
               "10 children exited while the server was stopped: their "
               "SIGCHLDs arrive as ONE signal (pending signals do not "
               "queue). Is your waitpid(-1, ..., WNOHANG) inside a loop "
               "that runs until it returns 0?");
}

int main(int argc, char *argv[])
{
    check_start("fork_server", argc, argv);
    const char *args[] = {"-p", "0", NULL};
    pid_t server;
    int out, fds[CLIENTS];
    int port = check_server_up(args, &server, &out);
    check_concurrent(port, fds);
    check_descriptors(server, port);
    check_reaping(server, port, fds);

    check_server_stops(server, 0, NULL);
    check_passed();
}
