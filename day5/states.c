/* day5/states.c — 进程理论基础: 进程状态 / process states made observable
 *
 * Starts four children and puts each in a different state, then reads
 * each one's state letter from /proc/PID/stat (the STAT column of ps) and
 * prints a small ps-like table:
 *   R  a child in a busy loop: running, or ready to run (Linux shows both as R)
 *   S  a child sleeping in nanosleep: waiting, it gives up the CPU
 *   T  a child stopped by SIGSTOP (job control: what Ctrl-Z does)
 *   Z  a child that has exited but was not reaped yet: a zombie
 * The parent first waits (on a pipe) until every child has begun its
 * work — a child that has not run yet shows R too — and then samples each
 * state until it is seen (bounded), because a child needs a moment to get
 * where it is going. Then every child is killed and
 * reaped, and /proc is checked again: no child is left. Ctrl-C (SIGINT)
 * or SIGTERM at any point also cleans up every child before exiting.
 *
 * Run:    ./build/day5/states
 *         ./build/day5/states -k     keep the children until you press Enter,
 *                                    so you can look: ps -o pid,ppid,stat,cmd --ppid PID
 * Watch:  the STAT column; the PPID column (all children of one parent);
 *         "children left after cleanup: 0".
 * See also: zombie, orphan, day6/wait.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h> /* PR_SET_PDEATHSIG: Linux-only, like /proc */
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/procfs.h"
#include "common/signals.h"

enum { NCHILDREN = 4 };
#define CHILD_LIFETIME_S 10.0 /* no child outlives this, even if forgotten */
#define SAMPLE_LIMIT_S   3.0  /* how long to look for a state before giving up */
#define SAMPLE_EVERY_MS  1

static const char usage[] =
    "usage: states [-k] [-h]\n"
    "  -k  keep the children until Enter (or Ctrl-C), to look at them with ps\n";

/* What each child does, and the state letter that should show for it. */
struct child {
    const char *doing;
    pid_t pid;
    char expected; /* R, S, T or Z */
    char seen;     /* what /proc showed */
};

/* --- what the children do -------------------------------------------------- */

/* R: compute until the parent kills us (or the lifetime ends). */
static void busy_loop(void)
{
    volatile unsigned long spins = 0;
    double end = clock_now() + CHILD_LIFETIME_S;
    while (clock_now() < end)
        spins++;
}

/* S: sleep in the kernel until the parent kills us (or the lifetime ends). */
static void sleep_quietly(void)
{
    struct timespec t = {(time_t)CHILD_LIFETIME_S, 0};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

/* Z: exit at once; the parent will not wait for us until cleanup. */
static void exit_now(void)
{
}

/* --- the parent -------------------------------------------------------------- */

/* Fork one child that runs work() and exits; -1 if fork failed. The child
 * closes its copies of the pipe "started" as it begins its work. */
static pid_t start_child(void (*work)(void), const int started[2])
{
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        signal(SIGINT, SIG_DFL); /* Ctrl-C ends a child at once; the parent cleans up */
        signal(SIGTERM, SIG_DFL);
        /* If the parent dies without cleaning up (kill -9), take us along. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(EXIT_FAILURE);
        close(started[0]);
        close(started[1]); /* "I am at work" */
        work();
        _exit(EXIT_SUCCESS);
    }
    return pid;
}

/* Read pid's state from /proc until it is want, or the bound or a stop
 * signal comes first; returns the last letter seen ('?' if none). */
static char sample_until(pid_t pid, char want)
{
    char seen = '?';
    double end = clock_now() + SAMPLE_LIMIT_S;
    while (!sig_stop_requested) {
        char state = procfs_state(pid);
        if (state != 0)
            seen = state;
        if (seen == want || clock_now() > end)
            break;
        clock_sleep_ms(SAMPLE_EVERY_MS);
    }
    return seen;
}

/* The ps-like table: one row per child and one for the parent itself. */
static void print_table(const struct child *c, int n)
{
    printf("%7s %7s  %-4s  %s\n", "PID", "PPID", "STAT", "what it is doing");
    for (int i = 0; i < n; i++)
        printf("%7ld %7ld  %-4c  %s\n", (long)c[i].pid, (long)procfs_ppid(c[i].pid), c[i].seen,
               c[i].doing);
    printf("%7ld %7ld  %-4c  %s\n", (long)getpid(), (long)getppid(), procfs_state(getpid()),
           "the parent, reading /proc right now");
}

/* Kill and reap every child that was started; a stopped child dies of
 * SIGKILL too, and waitpid also reaps the zombie. */
static void clean_up(struct child *c, int n)
{
    for (int i = 0; i < n; i++) {
        if (c[i].pid <= 0)
            continue;
        if (kill(c[i].pid, SIGKILL) < 0 && errno != ESRCH)
            warn_errno("kill %ld", (long)c[i].pid);
        while (waitpid(c[i].pid, NULL, 0) < 0 && errno == EINTR)
            ;
        c[i].pid = 0;
    }
}

/* Wait for Enter, end of input or a stop signal, so you can look with ps. */
static void hold(void)
{
    printf("holding the children: look with  ps -o pid,ppid,stat,cmd --ppid %ld\n"
           "press Enter (or Ctrl-C) to clean up\n",
           (long)getpid());
    fflush(stdout);
    char c;
    while (!sig_stop_requested && read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
        ;
}

static void explain_models(void)
{
    printf("three-state model: ready and running are both R here (the kernel shows a\n"
           "  runnable process as R whether or not it holds a CPU right now); waiting is S\n"
           "  (or D, an uninterruptible wait, e.g. for a disk).\n"
           "five-state model adds new (between fork and the first run: also R) and\n"
           "  terminated (Z, until the parent collects the exit status with wait).\n"
           "T (stopped) is in neither model: job control froze it; SIGCONT resumes it.\n");
}

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
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even into a pipe */
    if (sig_catch_stop() < 0)         /* Ctrl-C or SIGTERM: clean up, then exit */
        die_errno("sigaction");

    struct child kids[NCHILDREN] = {
        {"busy loop: running (or ready to run)", 0, 'R', '?'},
        {"nanosleep: sleeping, waiting for time to pass", 0, 'S', '?'},
        {"stopped by SIGSTOP", 0, 'T', '?'},
        {"exited, not reaped yet: a zombie", 0, 'Z', '?'},
    };
    /* The T child sleeps like the S child until the parent stops it. */
    void (*work[NCHILDREN])(void) = {busy_loop, sleep_quietly, sleep_quietly, exit_now};

    /* A new child shows R before it has run at all. So that R means "in
     * its busy loop", wait until every child has begun its work: each one
     * closes its copy of this pipe's write end, and when all are closed
     * the parent's read returns 0 (end of file). */
    int started[2];
    if (pipe(started) < 0)
        die_errno("pipe");
    for (int i = 0; i < NCHILDREN; i++) {
        kids[i].pid = start_child(work[i], started);
        if (kids[i].pid < 0) {
            warn_errno("fork");
            kids[i].pid = 0;
            clean_up(kids, NCHILDREN);
            return EXIT_FAILURE;
        }
    }
    close(started[1]);
    char byte;
    while (read(started[0], &byte, 1) < 0 && errno == EINTR && !sig_stop_requested)
        ;
    close(started[0]);
    if (kill(kids[2].pid, SIGSTOP) < 0)
        warn_errno("kill SIGSTOP");

    int right = 0;
    for (int i = 0; i < NCHILDREN && !sig_stop_requested; i++) {
        kids[i].seen = sample_until(kids[i].pid, kids[i].expected);
        right += kids[i].seen == kids[i].expected;
    }
    if (!sig_stop_requested) {
        print_table(kids, NCHILDREN);
        explain_models();
        if (right != NCHILDREN)
            printf("(a state was not seen in %.0f s: is the machine very busy?)\n", SAMPLE_LIMIT_S);
    }
    if (keep && !sig_stop_requested)
        hold();

    clean_up(kids, NCHILDREN);
    int left = procfs_children(getpid(), NULL, 0);
    if (sig_stop_requested)
        printf("interrupted by signal %d: ", (int)sig_stop_requested);
    printf("killed and reaped every child; children left after cleanup: %d\n", left);
    if (left != 0)
        return EXIT_FAILURE;
    return right == NCHILDREN || sig_stop_requested ? EXIT_SUCCESS : EXIT_FAILURE;
}
