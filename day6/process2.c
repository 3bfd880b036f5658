/* day6/process2.c — multiprocessing 模块创建进程:
 * 给target传参 / passing arguments
 *
 * Python passes a target its arguments in two ways:
 *     Process(target=worker, args=(2,), kwargs={'name': 'Tedu'})
 * args by position, kwargs by name, and a parameter left out takes its
 * default. C's version: one struct for all the arguments, built with an
 * initializer. Fields come in order by position, or by name with a
 * designator (.name = ...) — C99 allows both in one initializer — and a
 * field left out is zero, which the target reads as "use the default":
 *     args=(ms,)                       { .ms = WORK_MS }
 *     args=(ms,), kwargs={'name': n}   { WORK_MS, .name = n }
 * The target gets a pointer to the struct. That is safe across fork: the
 * child has its own copy of the parent's memory, struct included. (A
 * thread would share it; Python's "spawn" start method pickles it.)
 *
 * Run:    ./build/day6/process2
 *         ./build/day6/process2 -n Alice
 * Watch:  "I'm worker" from the process given no name (the default), and
 *         "I'm Tedu" from the one given .name; the two processes' lines
 *         interleave in any order.
 * See also: process1 (the object), process3 (several processes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"

#define WORK_MS      100 /* one round of work: the course's 2 s, shortened */
#define DEFAULT_NAME "worker"
enum { ROUNDS = 3 };

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

/* def worker(ms, name=DEFAULT_NAME): its arguments, as one struct. */
struct worker_args {
    long ms;          /* positional: how long one round of work takes */
    const char *name; /* keyword, optional: NULL (left out): DEFAULT_NAME */
};

/* The target: unpack the arguments, fill in the default, work. */
static int worker(void *args)
{
    const struct worker_args *a = args;
    const char *name = a->name != NULL ? a->name : DEFAULT_NAME;
    for (int i = 1; i <= ROUNDS; i++) {
        printf("[pid %ld] I'm %s\n", (long)getpid(), name);
        printf("[pid %ld] I'm working (%ld ms, round %d/%d)\n",
               (long)getpid(), a->ms, i, ROUNDS);
        clock_sleep_ms(a->ms);
    }
    return 0;
}

/* Two processes, one target: p1 with the default name, p2 with name. */
static int run_two(const char *name)
{
    /* args=(ms,): name is left out, so it is zero (NULL): the default. */
    struct worker_args defaults = {.ms = WORK_MS};
    /* args=(ms,), kwargs={'name': name}: ms by position, name by name. */
    struct worker_args keyword = {WORK_MS, .name = name};

    struct process p1 = {.target = worker, .args = &defaults};
    struct process p2 = {.target = worker, .args = &keyword};
    printf("parent %ld: p1 gets {.ms = %d} (no name: \"%s\"), p2 gets "
           "{%d, .name = \"%s\"}\n",
           (long)getpid(), WORK_MS, DEFAULT_NAME, WORK_MS, name);
    printf("(their lines interleave in any order: two processes run at "
           "once)\n");
    process_start(&p1);
    process_start(&p2);
    process_join(&p1);
    process_join(&p2);
    printf("parent %ld: joined p1 (pid %ld, exit code %d) and p2 (pid %ld, "
           "exit code %d)\n",
           (long)getpid(), (long)p1.pid, p1.exitcode, (long)p2.pid,
           p2.exitcode);
    return p1.exitcode == 0 && p2.exitcode == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static const char usage[] =
    "usage: process2 [-n NAME] [-h]\n"
    "  -n NAME  the keyword argument name given to p2 (default Tedu)\n";

int main(int argc, char *argv[])
{
    const char *name = "Tedu";
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "n:h")) != -1) {
        switch (opt) {
        case 'n': name = optarg; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */
    return run_two(name);
}
