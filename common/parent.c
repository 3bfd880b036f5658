/* common/parent.c — see parent.h. */
#include "common/parent.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h> /* Linux-only, like /proc */
#include <unistd.h>

#include "common/errors.h"

void die_with_parent(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
        _exit(1);
}

pid_t fork_child(void)
{
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0)
        die_with_parent(parent);
    return pid;
}
