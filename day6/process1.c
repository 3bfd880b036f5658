/* day6/process1.c — multiprocessing 模块创建进程:
 * 进程创建方法 / a Process "object" in C
 *
 * Python's multiprocessing.Process wraps fork in an object: you give it a
 * target function, start() runs the target in a new process, join() waits
 * for it and collects its exit code. C has no classes, so here the object
 * is a struct and three functions — the same steps the course lists:
 *   【1】 put the child's work in a function        fun()
 *   【2】 make a process object bound to it
 *                                struct process p = {.target = fun}
 *   【3】 (set its attributes: name, daemon...   see day7/process_attr)
 *   【4】 start it: now the child really exists  process_start(&p)
 *   【5】 join it: wait for it and reap it       process_join(&p)
 * The child is a fork of the parent: it sees a = 1, sets a = 10000 in its
 * own copy, and the parent's a is still 1 after join.
 *
 * One honest difference: the course notes that a multiprocessing child
 * cannot use standard input (Python points its stdin at /dev/null). A
 * forked C child shares the parent's stdin and can read it: try -i.
 *
 * Run:    ./build/day6/process1
 *         echo hello | ./build/day6/process1 -i     the child reads stdin
 * Watch:  the child's "a = 1" then "a = 10000"; the parent's "a = 1" after
 *         join. The parent's "doing something" line and the child's lines
 *         may come in either order.
 * See also: process2 (arguments), process3 (several), day5/fork1.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"

#define CHILD_MS  200 /* the child's work before it looks at a */
#define PARENT_MS 300 /* the parent's own work before it joins */

/* --- the process "object" ------------------------------------------------- */

/* Process(target=fun, args=...) is an initializer:
 * {.target = fun, .args = ...}; the fields left out start at zero. */
struct process {
    int (*target)(void *args); /* runs in the child; returns the exit code */
    void *args;   /* handed to target (the child works on its own copy) */
    pid_t pid;    /* 0 until started */
    int exitcode; /* after join: the exit code, or -N if signal N killed it */
};

/* p.start(): fork; the child runs the target and exits with its result. */
static void process_start(struct process *p)
{
    fflush(stdout); /* nothing pending may be copied into the child */
    p->pid = fork();
    if (p->pid < 0)
        die_errno("fork");
    if (p->pid == 0)
        exit(p->target(p->args));
}

/* p.join(): wait for the child, collect its exit code; no zombie stays. */
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

static int a = 1;               /* set before start: the child gets a copy */
static bool read_stdin = false; /* -i */

/* The target: runs in the child only. */
static int fun(void *args)
{
    (void)args;
    printf("child %ld: started, parent %ld\n", (long)getpid(),
           (long)getppid());
    clock_sleep_ms(CHILD_MS);
    printf("child %ld: a = %d\n", (long)getpid(), a);
    a = 10000;
    printf("child %ld: set a = %d\n", (long)getpid(), a);
    if (read_stdin) {
        char line[256];
        if (fgets(line, sizeof line, stdin) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            printf("child %ld: read from standard input: \"%s\"\n",
                   (long)getpid(), line);
        } else {
            printf("child %ld: standard input is at its end (nothing to "
                   "read)\n",
                   (long)getpid());
        }
    }
    return 0;
}

/* Process(target=fun): start, the parent's own work, join. */
static int run_process(void)
{
    struct process p = {.target = fun}; /* nothing runs yet */
    process_start(&p);
    printf("parent %ld: started child %ld; 父进程干点事 — "
           "doing something of my own\n",
           (long)getpid(), (long)p.pid);
    clock_sleep_ms(PARENT_MS);

    process_join(&p);
    printf("parent %ld: joined child %ld, exit code %d\n", (long)getpid(),
           (long)p.pid, p.exitcode);
    printf("parent %ld: a = %d (the child changed only its own copy)\n",
           (long)getpid(), a);
    return p.exitcode == 0 && a == 1 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static const char usage[] =
    "usage: process1 [-i] [-h]\n"
    "  -i  the child also reads a line from standard input\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "ih")) != -1) {
        switch (opt) {
        case 'i': read_stdin = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */
    return run_process();
}
