/* common/status.c — see status.h. */
#define _GNU_SOURCE /* sigabbrev_np (glibc 2.32) */
#include "common/status.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

/* "SIGPIPE" for SIGPIPE; "signal 40" for a number without a name. */
static void signal_name(int signo, char *out, size_t size)
{
    const char *abbrev = NULL;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
    abbrev = sigabbrev_np(signo);
#else
    static const struct {
        int signo;
        const char *name;
    } names[] = {
        {SIGHUP, "HUP"},   {SIGINT, "INT"},   {SIGQUIT, "QUIT"},
        {SIGILL, "ILL"},   {SIGABRT, "ABRT"}, {SIGFPE, "FPE"},
        {SIGKILL, "KILL"}, {SIGSEGV, "SEGV"}, {SIGPIPE, "PIPE"},
        {SIGALRM, "ALRM"}, {SIGTERM, "TERM"}, {SIGUSR1, "USR1"},
        {SIGUSR2, "USR2"}, {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"},
        {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"}, {SIGBUS, "BUS"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].signo == signo)
            abbrev = names[i].name;
#endif
    if (abbrev != NULL)
        snprintf(out, size, "SIG%s", abbrev);
    else
        snprintf(out, size, "signal %d", signo);
}

char *status_describe(int status, char *out, size_t size)
{
    char name[32];
    if (size == 0)
        return out;
    if (WIFEXITED(status)) {
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        signal_name(WTERMSIG(status), name, sizeof name);
        snprintf(out, size, "killed by %s", name);
    } else if (WIFSTOPPED(status)) {
        signal_name(WSTOPSIG(status), name, sizeof name);
        snprintf(out, size, "stopped by %s", name);
    } else {
        snprintf(out, size, "status 0x%x", (unsigned)status);
    }
    return out;
}
