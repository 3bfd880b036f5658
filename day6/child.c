/* day6/child.c — 如何避免僵尸进程:
 * 创建二级子进程处理僵尸 / the double fork
 *
 * The parent wants a job done in another process without waiting for it
 * and without leaving a zombie. The trick (the course's three steps):
 *  1. the parent forks a child and waits for it — which takes no time,
 *  2. because the child forks a grandchild and exits at once;
 *  3. the grandchild, now an orphan, is adopted (by init or a subreaper,
 *     see day5/orphan) and does the job ("foo") while the parent does its
 *     own ("bar"). When the grandchild ends, its new parent reaps it.
 * The parent never has a zombie: the child was reaped at once, and the
 * grandchild is not its child. It proves it by reading /proc.
 *
 * Run:    ./build/day6/child
 * Watch:  foo and bar lines interleaved (their order is not fixed: two
 *         processes run at once); the grandchild's parent is not us;
 *         "my children: 0, zombies: 0".
 * See also: day5/orphan, wait, sigchld.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/procfs.h"
#include "common/status.h"

enum { FOO_STEPS = 3, BAR_STEPS = 5 };
#define STEP_MS 100 /* one step of either job: foo takes 0.3 s, bar 0.5 s */

/* The grandchild's job (the course's foo). */
static void foo(void)
{
    for (int i = 1; i <= FOO_STEPS; i++) {
        clock_sleep_ms(STEP_MS);
        printf("grandchild %ld: 模拟事件foo, step %d/%d "
               "(my parent is now %ld)\n",
               (long)getpid(), i, FOO_STEPS, (long)getppid());
    }
}

/* The parent's own job (the course's bar). */
static void bar(void)
{
    for (int i = 1; i <= BAR_STEPS; i++) {
        clock_sleep_ms(STEP_MS);
        printf("parent %ld:     模拟事件bar, step %d/%d\n", (long)getpid(),
               i, BAR_STEPS);
    }
}

/* Steps 1 and 2, in the child: fork the grandchild, then exit at once. */
static void child_forks_and_exits(void)
{
    pid_t child = getpid();
    pid_t grandchild = fork();
    if (grandchild < 0)
        die_errno_child("fork (grandchild)");
    if (grandchild == 0) {
        printf("grandchild %ld: started by child %ld\n", (long)getpid(),
               (long)child);
        foo();
        printf("grandchild %ld: done; my new parent %ld reaps me\n",
               (long)getpid(), (long)getppid());
        exit(EXIT_SUCCESS);
    }
    printf("child %ld: forked grandchild %ld, exiting at once\n",
           (long)getpid(), (long)grandchild);
    _exit(EXIT_SUCCESS); /* at once, like the course's os._exit(0) */
}

static const char usage[] =
    "usage: child [-h]\n"
    "The double fork: a job in a grandchild, no zombie, no blocking.\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    parse_no_options(argc, argv, usage);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */

    printf("parent %ld: forking a child (foo and bar lines below interleave "
           "in any order)\n",
           (long)getpid());
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0)
        child_forks_and_exits();

    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    char how[64]; /* e.g. "killed by SIGPIPE": its stdout was closed */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("child %ld %s", (long)pid,
            status_describe(status, how, sizeof how));
    printf("parent %ld: reaped child %ld at once; now my own work, no "
           "waiting\n",
           (long)getpid(), (long)pid);

    bar();

    /* The proof, from the kernel's process table, not our bookkeeping. */
    int zombies = procfs_count_zombies(getpid());
    int children = procfs_children(getpid(), NULL, 0);
    printf("parent %ld: /proc says my children: %d, zombies: %d\n",
           (long)getpid(), children, zombies);
    return children == 0 && zombies == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
