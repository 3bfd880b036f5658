/* day7/process_attr/watch.c — see watch.h.
 *
 * A process cannot watch its own death, so process_attr runs the course's
 * "main process" as a child of a watcher. When that main process exits,
 * its daemon child is re-parented — to the watcher, a child subreaper, so
 * the watcher can waitpid() for it and see how it ended.
 */
#define _GNU_SOURCE /* prctl and its PR_* options are Linux-only */

#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/procfs.h"
#include "day7/process_attr/watch.h"

static int reap(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid %d", (int)pid);
    return status;
}

int watch_orphan(void (*main_fn)(int report_fd), pid_t *orphan)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        die_errno("prctl(PR_SET_CHILD_SUBREAPER)");
    printf("watcher %d: a subreaper, starts the course's main\n",
           (int)getpid());
    int report[2];
    if (pipe(report) < 0)
        die_errno("pipe");
    fflush(stdout); /* or the child would print our buffered lines again */
    pid_t main_pid = fork();
    if (main_pid < 0)
        die_errno("fork");
    if (main_pid == 0) {
        close(report[0]);
        main_fn(report[1]);
        _exit(0);
    }
    close(report[1]);
    if (io_read_exact(report[0], orphan, sizeof *orphan) != sizeof *orphan)
        die("main process %d died before it started its child", (int)main_pid);
    close(report[0]);
    reap(main_pid);
    printf("watcher %d: main %d has exited; its child %d is now mine "
           "(parent per /proc: %d)\n",
           (int)getpid(), (int)main_pid, (int)*orphan,
           (int)procfs_ppid(*orphan));
    return reap(*orphan);
}

void wait_ready(int ready_fd)
{
    char byte;
    if (io_read_exact(ready_fd, &byte, 1) != 1)
        die("the child ended before it was set up");
    close(ready_fd);
}
