/* day6/process3.c — multiprocessing 模块创建进程:
 * 多个子进程 / several processes, joined
 *
 * The course's three children — 吃饭 (eat), 睡觉 (sleep), 打豆豆 (beat
 * beans) — each a process object with its own target arguments and its
 * own duration, all started at once and then joined one by one, in the
 * order they were started. Each child prints "ppid -- pid" and what it is
 * doing; the parent prints every child's exit code as it joins it.
 *
 * Join order is not finish order: 睡觉 is the shortest, so it is already
 * over (a zombie, waiting) when the parent gets to it, and that join
 * returns at once. The times show it.
 *
 * Python's exitcode is 0 for a normal end, 1 if the target raised an
 * exception, -N if signal N killed it; process_join below fills in the
 * same numbers. With -f the 打豆豆 target fails and returns 1.
 *
 * Run:    ./build/day6/process3
 *         ./build/day6/process3 -f        one child fails: exit code 1
 * Watch:  the children's lines in finish order; the joins in start order;
 *         "all 3 children joined"; the exit codes.
 * See also: process1, process2, wait, day7/pool (reusing processes).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/procfs.h"

enum { NTASKS = 3 };

/* --- the process "object" (as in process1) -------------------------------- */

struct process {
    int (*target)(void *args); /* runs in the child; returns the exit code */
    void *args;   /* handed to target (the child works on its own copy) */
    pid_t pid;    /* 0 until started */
    int exitcode; /* after join: the exit code, or -N if signal N killed it */
};

static void process_start(struct process *p)
{
    fflush(stdout);
    p->pid = fork();
    if (p->pid < 0)
        die_errno("fork");
    if (p->pid == 0)
        exit(p->target(p->args));
}

static void process_join(struct process *p)
{
    int status;
    while (waitpid(p->pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    p->exitcode =
        WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/* --- the lesson ----------------------------------------------------------- */

struct task {
    const char *name; /* what the child does */
    long ms;          /* how long it takes: the course's 3/2/4 s, as tenths */
    bool fail;        /* end with exit code 1, like a Python exception */
};

/* The one target all three children run, each with its own task. */
static int do_task(void *args)
{
    const struct task *t = args;
    long parent = (long)getppid(), me = (long)getpid();
    printf("%ld -- %ld  %s: starting (%ld ms)\n", parent, me, t->name, t->ms);
    clock_sleep_ms(t->ms);
    if (t->fail) {
        printf("%ld -- %ld  %s: failed\n", parent, me, t->name);
        return 1;
    }
    printf("%ld -- %ld  %s: done\n", parent, me, t->name);
    return 0;
}

/* Three children, three tasks, joined in order with their exit codes. */
static void run_three(bool fail)
{
    struct task tasks[NTASKS] = {
        {"吃饭 eat", 300, false},
        {"睡觉 sleep", 200, false},
        {"打豆豆 beat beans", 400, fail},
    };
    struct process procs[NTASKS];

    printf("parent %ld: starting %d children (their lines come in the order "
           "they finish)\n",
           (long)getpid(), NTASKS);
    double start = clock_now();
    for (int i = 0; i < NTASKS; i++) {
        procs[i] = (struct process){.target = do_task, .args = &tasks[i]};
        process_start(&procs[i]);
    }

    int failed = 0;
    for (int i = 0; i < NTASKS; i++) {
        process_join(&procs[i]);
        printf("parent: joined %s (pid %ld) at %.2f s: exit code %d\n",
               tasks[i].name, (long)procs[i].pid, clock_now() - start,
               procs[i].exitcode);
        failed += procs[i].exitcode != 0;
    }
    printf("parent: all %d children joined, %d failed; /proc: %d children "
           "left\n",
           NTASKS, failed, procfs_children(getpid(), NULL, 0));
}

static const char usage[] =
    "usage: process3 [-f] [-h]\n"
    "  -f  the third child (打豆豆) fails: its exit code is 1\n";

int main(int argc, char *argv[])
{
    bool fail = false;
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "fh")) != -1) {
        switch (opt) {
        case 'f': fail = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */
    run_three(fail);
    return EXIT_SUCCESS;
}
