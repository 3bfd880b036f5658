/* tests/helpers/fake_server.c — a stand-in server for the harness's own
 * tests: it listens, echoes, and misbehaves on request.
 *
 * usage: fake_server [-b ADDR] [-p PORT] [-c N] [-z N] [-l] [-i] [-w]
 *   -c N  start N children that sleep      -z N  leave N zombie children
 *   -l    leave the -c children behind at exit (a leftover)
 *   -i    ignore SIGTERM (the harness must escalate to SIGKILL)
 *   -w    print a wrong first line instead of "listening on"
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"

static const char usage[] = "usage: fake_server [-b ADDR] [-p PORT] [-c N] [-z N] [-l] [-i] [-w]\n";

static pid_t start_children(long n, bool sleeper)
{
    pid_t last = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die_errno("fork");
        if (pid == 0) {
            signal(SIGTERM, SIG_DFL);
            if (sleeper)
                for (;;)
                    pause();
            _exit(0);
        }
        last = pid;
    }
    return last;
}

static void echo_one_client(int fd)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (io_write_all(fd, buf, (size_t)n) < 0)
            break;
    close(fd);
}

int main(int argc, char *argv[])
{
    struct server_opts so;
    long sleepers = 0, zombies = 0;
    bool leave = false, ignore_term = false, wrong_line = false;
    int c;

    prog_init(argv[0]);
    server_opts_init(&so, 0);
    while ((c = getopt(argc, argv, SERVER_OPTSTRING "c:z:liw")) != -1) {
        if (server_opts_handle(&so, c, optarg, usage))
            continue;
        switch (c) {
        case 'c':
            if (parse_long(optarg, 0, 100, &sleepers) < 0)
                die_usage(usage, "bad -c '%s'", optarg);
            break;
        case 'z':
            if (parse_long(optarg, 0, 100, &zombies) < 0)
                die_usage(usage, "bad -z '%s'", optarg);
            break;
        case 'l': leave = true; break;
        case 'i': ignore_term = true; break;
        case 'w': wrong_line = true; break;
        default: die_usage(usage, NULL);
        }
    }
    if (sig_catch_stop() < 0 || net_ignore_sigpipe() < 0)
        die_errno("sigaction");
    if (ignore_term)
        signal(SIGTERM, SIG_IGN);
    start_children(sleepers, true);
    start_children(zombies, false);

    int lfd = net_tcp_listen(so.bind_addr, so.port, 16);
    if (lfd < 0)
        die("listen on %s:%d: %s", so.bind_addr, so.port, net_error());
    if (wrong_line) {
        printf("hello, I am not listening\n");
        fflush(stdout);
    } else if (net_print_listening(lfd) < 0) {
        die("%s", net_error());
    }

    while (!sig_stop_requested) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno != EINTR)
                warn_errno("accept");
            continue;
        }
        echo_one_client(fd);
    }
    fprintf(stderr, "fake_server: stopping on signal %d\n", (int)sig_stop_requested);
    if (!leave && sleepers > 0) {
        signal(SIGTERM, SIG_IGN);
        kill(0, SIGTERM); /* our group: the sleeping children */
    }
    while (!leave && waitpid(-1, NULL, 0) > 0)
        ;
    close(lfd);
    return 0;
}
