/* day5/orphan.c — 孤儿和僵尸: 孤儿进程 / an orphan is adopted
 *
 * The parent exits first; its child lives on as an orphan. The kernel
 * gives every orphan a new parent at once, so that someone will collect
 * its exit status (reap it) when it ends. The new parent is:
 *  - the nearest living ancestor that declared itself a "child subreaper"
 *    with prctl(PR_SET_CHILD_SUBREAPER) — systemd --user, a container's
 *    init, a service manager, or a test harness like the one in tests/;
 *  - otherwise init, pid 1 (of this pid namespace: in a container, the
 *    container's first process).
 * The child prints getppid() before and after, and names who adopted it.
 *
 * Run:    ./build/day5/orphan
 * Watch:  "before" names the parent; "after" names someone else. In a
 *         terminal the shell prompt may come back before the child's last
 *         lines: the shell waited only for the parent.
 * See also: zombie, get_pid, day6/child (the double fork uses an orphan).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/procfs.h"

#define ADOPTION_LIMIT_S 5.0 /* how long the child watches for a new parent */
#define POLL_EVERY_MS    1

static void describe_adopter(pid_t pid);

/* The child: report the parent, tell it to go, watch getppid() change. */
static int orphan_child(int ready_fd, pid_t parent)
{
    printf("child:  pid %ld, before: getppid() = %ld (my parent is alive)\n",
           (long)getpid(), (long)getppid());
    fflush(stdout);
    close(ready_fd); /* the parent's read returns 0: it may exit now */

    pid_t now = getppid();
    double end = clock_now() + ADOPTION_LIMIT_S;
    while (now == parent && clock_now() < end) {
        clock_sleep_ms(POLL_EVERY_MS);
        now = getppid();
    }
    if (now == parent) {
        printf("child:  my parent %ld has not exited after %.0f s\n",
               (long)parent, ADOPTION_LIMIT_S);
        return EXIT_FAILURE;
    }
    printf("child:  after:  getppid() = %ld (my parent %ld is gone: I am an "
           "orphan)\n",
           (long)now, (long)parent);
    describe_adopter(now);
    printf("child:  exiting now\n");
    return EXIT_SUCCESS;
}

/* Say who pid is: init, or a subreaper, with its name from /proc. */
static void describe_adopter(pid_t pid)
{
    char name[64] = "?";
    procfs_comm(pid, name, sizeof name);
    if (pid == 1)
        printf("child:  adopted by pid 1 (%s): the init process (of this pid "
               "namespace),\n"
               "        which adopts every orphan with no subreaper above it, "
               "and reaps it\n",
               name);
    else
        printf("child:  adopted by pid %ld (%s), not init: an ancestor that "
               "made itself a child\n"
               "        subreaper with prctl(PR_SET_CHILD_SUBREAPER); it will "
               "reap me\n",
               (long)pid, name);
}

static const char usage[] =
    "usage: orphan [-h]\n"
    "The parent exits first; its child is adopted and says by whom.\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    parse_no_options(argc, argv, usage);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */

    /* A pipe only to keep "before" truly before: the parent exits once the
     * child has looked at getppid() and closed its end. */
    int ready[2];
    if (pipe(ready) < 0)
        die_errno("pipe");

    pid_t parent = getpid();
    printf("parent: pid %ld, forking a child, then exiting without waiting "
           "for it\n",
           (long)parent);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        close(ready[0]);
        exit(orphan_child(ready[1], parent));
    }

    close(ready[1]);
    char byte;
    while (read(ready[0], &byte, 1) < 0 && errno == EINTR)
        ; /* until EOF: the child closed its end */
    printf("parent: exiting now; child %ld lives on\n", (long)pid);
    return EXIT_SUCCESS;
}
