/* tools/lanes/lanes.c — see a program's processes and threads, one lane each
 *
 * lanes runs a program under ptrace and records, with timestamps, what its
 * processes and threads do: who forks or creates whom, exec, exit, zombie
 * time (from a child's death until its parent reaps it), orphans and who
 * adopts them, signals sent and delivered, time spent blocked in wait, read,
 * write, accept, connect, select/poll/epoll_wait, sleep, lock waits (futex),
 * message queues and semaphores, and pipes and sockets opened and closed.
 * After the run it draws the lanes on the terminal (stderr), one column per
 * task, time going down, and a summary; -o writes a Chrome trace for
 * ui.perfetto.dev, -s an SVG chart. The program's stdin, stdout, stderr and
 * exit status pass through unchanged. Linux on x86_64 and aarch64 only.
 *
 * Run:    ./build/tools/lanes -- ./build/day5/zombie
 *         ./build/tools/lanes -s zombie.svg -o zombie.json -- ./build/day5/zombie
 * Watch:  the child's lane turns into Z when it exits and stays so until the
 *         parent's waitpid returns; see docs/lanes.md for every mark.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"
#include "tools/lanes/lanes.h"

static const char usage[] =
    "usage: lanes [-o TRACE.json] [-s CHART.svg] [-l LOG] [-e EVENTS] [-b MS] [-f] [-q] [-h]\n"
    "             -- PROGRAM [ARGS...]\n"
    "  run PROGRAM under ptrace and draw its processes and threads as lanes\n"
    "  -o FILE    write a Chrome trace (open it in ui.perfetto.dev)\n"
    "  -s FILE    write an SVG chart\n"
    "  -l FILE    write the event log, one event a line\n"
    "  -e EVENTS  which events: proc,signal,block,fd or all (default all)\n"
    "  -b MS      draw blocked periods of at least MS ms, 0..60000 (default 1)\n"
    "  -f         draw each event as it happens, not only after the run\n"
    "  -q         no lanes on the terminal (only the files)\n"
    "  -h         show this help\n"
    "  lanes's own output goes to stderr and the files; it exits with the\n"
    "  program's status (128+N if a signal N killed it)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    struct options opt = {.groups = G_ALL, .min_block = 0.001};
    int c;
    long ms;
    while ((c = getopt(argc, argv, "+o:s:l:e:b:fqh")) != -1) {
        switch (c) {
        case 'o': opt.json_path = optarg; break;
        case 's': opt.svg_path = optarg; break;
        case 'l': opt.log_path = optarg; break;
        case 'e':
            opt.groups = ev_parse_groups(optarg);
            if (opt.groups == 0)
                die_usage(usage, "bad event list '%s'", optarg);
            break;
        case 'b':
            if (parse_long(optarg, 0, 60000, &ms) < 0)
                die_usage(usage, "bad -b '%s'", optarg);
            opt.min_block = (double)ms / 1000;
            break;
        case 'f': opt.follow = true; break;
        case 'q': opt.quiet = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind >= argc)
        die_usage(usage, "no program to run");
    opt.argv = argv + optind;

    struct trace tr = {.opt = &opt, .live = opt.follow && !opt.quiet ? stderr : NULL};
    int fatal;
    int status = trace_run(&tr, &opt, &fatal);
    if (status < 0) {
        trace_free(&tr);
        return fatal;
    }
    ev_sort(&tr);
    int rc = 0;
    if (!opt.quiet) {
        if (!opt.follow)
            term_render(&tr, stderr);
        term_summary(&tr, stderr, status);
    }
    if (opt.json_path && json_write(&tr, opt.json_path) < 0) {
        warn_errno("cannot write %s", opt.json_path);
        rc = 1;
    }
    if (opt.svg_path && svg_write(&tr, opt.svg_path) < 0) {
        warn_errno("cannot write %s", opt.svg_path);
        rc = 1;
    }
    if (opt.log_path && log_write(&tr, opt.log_path) < 0) {
        warn_errno("cannot write %s", opt.log_path);
        rc = 1;
    }
    trace_free(&tr);
    if (rc)
        return rc;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
