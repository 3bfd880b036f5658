/* day5/zombie.c — 孤儿和僵尸: 僵尸进程 /
 * a zombie, and how it goes away
 *
 * When a process exits, the kernel frees its memory and files but keeps a
 * small record — its pid, exit status and resource usage (part of the PCB)
 * — until the parent collects it with wait. Until then the dead child is a
 * zombie: state Z in /proc/PID/stat, "<defunct>" in ps. Zombies cost no
 * CPU, but each holds a pid and a process-table slot; a parent that never
 * waits fills the table.
 *
 * Here the child exits at once and the parent does not wait: the parent
 * reads the child's state from /proc until it is Z, then reaps it with
 * waitpid and shows that /proc/PID is gone.
 *
 * Run:    ./build/day5/zombie
 *         ./build/day5/zombie -k    hold the zombie until you press Enter:
 *                                   ps -o pid,ppid,stat,cmd --ppid PID
 * Watch:  state Z while not reaped; exit status 7 collected by waitpid;
 *         "gone" after.
 * See also: states, orphan, day6/wait, day6/child, day6/sigchld (the ways
 *           to avoid zombies).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/hold.h"
#include "common/procfs.h"
#include "common/signals.h"
#include "common/status.h"

enum { CHILD_STATUS = 7 };
#define SAMPLE_LIMIT_MS 3000 /* how long to look for the Z state */


/* The lesson: a child that exits is a zombie until its parent reaps it. */
static int show_zombie(bool keep)
{
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0)
        _exit(CHILD_STATUS); /* the child ends at once */

    printf("parent: child %ld exits at once with status %d; I do not wait "
           "for it yet\n",
           (long)pid, CHILD_STATUS);
    char state = procfs_wait_state(pid, 'Z', SAMPLE_LIMIT_MS);
    char name[64] = "?";
    procfs_comm(pid, name, sizeof name);
    printf("parent: /proc/%ld/stat: state %c, parent %ld, name %s\n",
           (long)pid, state, (long)procfs_ppid(pid), name);
    if (state == 'Z')
        printf("parent: child %ld is a zombie: dead, but its exit status "
               "waits for me\n",
               (long)pid);
    else
        printf("parent: child %ld did not show as Z in %d s\n", (long)pid,
               SAMPLE_LIMIT_MS / 1000);
    if (keep)
        hold_for_enter("holding the zombie: look with  ps -o "
                       "pid,ppid,stat,cmd -p %ld\n"
                       "press Enter (or Ctrl-C) to reap it\n",
                       (long)pid);

    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    char how[64];
    if (WIFEXITED(status))
        snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
    else
        status_describe(status, how, sizeof how);
    printf("parent: waitpid(%ld) collected %s: the zombie is reaped\n",
           (long)pid, how);
    char after = procfs_state(pid);
    if (after == 0)
        printf("parent: /proc/%ld is gone: no trace of child %ld is left\n",
               (long)pid, (long)pid);
    else
        printf("parent: /proc/%ld still there, state %c\n", (long)pid, after);
    return state == 'Z' && after == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}


static const char usage[] =
    "usage: zombie [-k] [-h]\n"
    "  -k  keep the zombie until Enter (or Ctrl-C), to look at it with ps\n";

int main(int argc, char *argv[])
{
    bool keep = false;
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "kh")) != -1) {
        switch (opt) {
        case 'k': keep = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */
    if (sig_catch_stop() < 0) /* Ctrl-C while holding: reap, then exit */
        die_errno("sigaction");
    return show_zombie(keep);
}
