/* common/parent.c — see parent.h. */
#include "common/parent.h"

#include <signal.h>
#include <sys/prctl.h> /* Linux-only, like /proc */
#include <unistd.h>

void die_with_parent(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
        _exit(1);
}
