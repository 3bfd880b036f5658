/* exercises/thread_server/check.c — the checker for the thread_server
 * exercise (a thread per client).
 *
 * From outside, with real clients on loopback and /proc:
 *  1. a second client is echoed while the first stays connected (else it
 *     is a loop server), and each connected client has its own thread;
 *  2. 50 clients come and go: afterwards the server is back to one thread
 *     and one socket (the listening one) — no thread or connection leaks;
 *  3. SIGTERM stops it with exit status 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "exercises/checklib.h"

enum { CLIENTS = 50 };

/* Threads of pid that the program made, from /proc/PID/status. Under
 * ThreadSanitizer (make tsan) the runtime adds a thread of its own at the
 * first pthread_create: it is not the student's, so it is not counted. */
static int threads_of(pid_t pid)
{
    const char *san = getenv("CONCLAB_SANITIZER");
    int runtime = san != NULL && strcmp(san, "thread") == 0 ? 1 : 0;
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    int n = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return n > runtime ? n - runtime : n;
}

/* Wait until pid has this many threads and sockets. */
static bool settles(pid_t pid, int threads, int sockets, double timeout)
{
    double end = clock_now() + timeout;
    while (clock_now() < end) {
        if (threads_of(pid) == threads && check_socket_count(pid) == sockets)
            return true;
        clock_sleep_ms(10);
    }
    return false;
}

int main(int argc, char *argv[])
{
    check_start("thread_server", argc, argv);
    const char *args[] = {"-p", "0", NULL};
    pid_t server;
    int out;
    int port = check_server_up(args, &server, &out);
    char seen[160];

    int a = check_connect(port), b = check_connect(port);
    bool served =
        a >= 0 && b >= 0 &&
        check_echo(b, "hello from the second client\n", check_timeout(3));
    check_that(served, 2,
               "a second client is served while the first is connected",
               "the second client's line echoed within 3 s",
               "no echo: the server is busy with the first client (or "
               "refused it)",
               "each client needs its own thread, started with "
               "pthread_create; main goes straight back to accept(). Calling "
               "the client's function in main makes a loop server.");
    check_echo(a, "and the first\n", check_timeout(3));
    snprintf(seen, sizeof seen, "%d thread(s) with 2 clients connected",
             threads_of(server));
    check_that(threads_of(server) >= 3, 2, "a thread per client",
               "main + one thread per connected client", seen, NULL);
    close(a);
    close(b);

    for (int i = 0; i < CLIENTS; i++) {
        int fd = check_connect(port);
        if (fd >= 0 && !check_echo(fd, "x\n", check_timeout(3)))
            i = CLIENTS; /* not served: the checks below say so */
        if (fd >= 0)
            close(fd);
    }
    bool clean = settles(server, 1, 1, check_timeout(3));
    snprintf(seen, sizeof seen,
             "%d thread(s), %d socket(s) 3 s after the "
             "last client left",
             threads_of(server), check_socket_count(server));
    check_that(clean, 1, "52 clients came and went: nothing is left over",
               "1 thread (main) and 1 socket (the listening one)", seen,
               "the worker owns its connection: when its client leaves it "
               "must close it (else a descriptor leaks per client, until "
               "accept fails with EMFILE) and give its slot back.");

    check_server_stops(server, 1,
                       "main waits until every worker has given its slot back "
                       "(running == 0, signalled on thread_ended).");
    check_passed();
}
