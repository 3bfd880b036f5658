/* day5/fork.c — 基于fork的多进程编程: fork使用 /
 * fork(): one process becomes two
 *
 * One call to fork() returns twice: in the original process (the parent)
 * it returns the new process's pid, in the new process (the child) it
 * returns 0, and on failure it returns -1 and no child exists. Both
 * processes go on from the line after fork, each with its own copy of the
 * program's memory; the if on fork's return value is what sends them
 * different ways.
 *
 * Run:    ./build/day5/fork
 * Watch:  one "parent" line and one "child" line, then the line after the
 *         if printed twice, once by each process. Which process prints
 *         first is up to the scheduler: run it a few times.
 * See also: fork1 (what the child gets), get_pid (who is who), day6/wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"

static const char usage[] =
    "usage: fork [-h]\n"
    "Fork once; parent and child each say who they are.\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    parse_no_options(argc, argv, usage);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */

    printf("before fork: one process, pid %ld\n", (long)getpid());
    printf("(after fork the parent and the child run at the same time: "
           "the order of their lines is not fixed)\n");
    fflush(stdout); /* no text left in the buffer at fork: see fork1 -p */

    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork"); /* no child was created: say so and stop */

    const char *who;
    if (pid == 0) {
        who = "child ";
        printf("child:  fork returned 0, so I am the new process "
               "(pid %ld)\n",
               (long)getpid());
    } else {
        who = "parent";
        printf("parent: fork returned %ld, the new process's pid; "
               "I am the old process (pid %ld)\n",
               (long)pid, (long)getpid());
    }

    /* Both processes run this line: each went on after fork. */
    printf("%s: after the if, pid %ld — fork test over\n", who,
           (long)getpid());

    if (pid == 0)
        exit(EXIT_SUCCESS); /* the child's work is done */

    /* The parent waits, so the child's lines come before the shell prompt
     * and no zombie is left behind (day6/wait explains wait). */
    if (waitpid(pid, NULL, 0) < 0)
        die_errno("waitpid");
    return EXIT_SUCCESS;
}
