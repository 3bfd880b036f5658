/* day5/get_pid.c — 进程相关函数: getpid / getppid /
 * who is who after fork
 *
 * Every process has a pid (getpid) and a parent (getppid). After fork:
 *  - the child's getppid() is the parent's getpid();
 *  - fork's return value in the parent is the child's getpid().
 * The program checks both and says so: the child compares getppid() with
 * the parent's pid it remembers from before fork; the parent asks the
 * kernel (/proc/PID/stat, what ps reads) who the parent of process
 * "fork's return value" is, and finds itself.
 *
 * Run:    ./build/day5/get_pid
 * Watch:  the parent's own pid, the child's getppid() and the kernel's
 *         answer are one number; fork's return value and the child's
 *         getpid() are another. The parent's getppid() is your shell.
 *         Parent and child lines may come in either order.
 * See also: fork, orphan (getppid changes when the parent dies).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"
#include "common/procfs.h"
#include "common/status.h"

/* The child: who am I, who is my parent, is that the one that forked me? */
static int child_reports(pid_t parent_before_fork)
{
    pid_t me = getpid(), parent = getppid();
    printf("child:  getpid() = %ld, getppid() = %ld\n", (long)me,
           (long)parent);
    if (parent != parent_before_fork) {
        printf("child:  MISMATCH: my parent should be %ld\n",
               (long)parent_before_fork);
        return EXIT_FAILURE;
    }
    printf("child:  check: my getppid() %ld is the pid of the process that "
           "forked me\n",
           (long)parent);
    return EXIT_SUCCESS;
}

/* The parent: is fork's return value really the pid of my child? The
 * child is not reaped yet, so /proc/PID exists even if it has exited. */
static int parent_reports(pid_t child)
{
    printf("parent: fork returned %ld (the child's pid)\n", (long)child);
    pid_t childs_parent = procfs_ppid(child);
    if (childs_parent != getpid()) {
        printf("parent: MISMATCH: /proc/%ld/stat says its parent is %ld, "
               "not me\n",
               (long)child, (long)childs_parent);
        return EXIT_FAILURE;
    }
    printf("parent: check: /proc/%ld/stat names me (%ld) as its parent\n",
           (long)child, (long)childs_parent);
    return EXIT_SUCCESS;
}

static const char usage[] =
    "usage: get_pid [-h]\n"
    "Print getpid/getppid in a parent and its child, and check they "
    "agree.\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    parse_no_options(argc, argv, usage);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */

    pid_t me = getpid();
    printf("parent: getpid() = %ld, getppid() = %ld (the shell that started "
           "me)\n",
           (long)me, (long)getppid());
    printf("(parent and child lines below may come in either order)\n");
    fflush(stdout);

    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0)
        exit(child_reports(me)); /* me: the parent's pid, copied by fork */

    int verdict = parent_reports(pid);
    int status;
    if (waitpid(pid, &status, 0) < 0)
        die_errno("waitpid");
    char how[64];
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        verdict = EXIT_FAILURE; /* the child's check failed, or it died */
        warn_msg("child %ld %s", (long)pid,
                 status_describe(status, how, sizeof how));
    }
    return verdict;
}
