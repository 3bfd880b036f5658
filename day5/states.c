/* day5/states.c — 进程理论基础: 进程状态 /
 * process states made observable
 *
 * Starts four children and puts each in a different state, then reads
 * each one's state letter from /proc/PID/stat (the STAT column of ps) and
 * prints a small ps-like table:
 *   R  a busy loop: running, or ready to run (Linux shows both as R)
 *   S  sleeping in nanosleep: waiting, it gives up the CPU
 *   T  stopped by SIGSTOP (job control: what Ctrl-Z does)
 *   Z  exited but not reaped yet: a zombie
 * The parent first waits (on a pipe) until every child has begun its
 * work — a child that has not run yet shows R too — and then samples
 * each state until it is seen (bounded): a child needs a moment to get
 * where it is going. Then every child is killed and reaped, and /proc is
 * checked again: no child is left. Ctrl-C (SIGINT) or SIGTERM at any
 * point also cleans up every child before exiting.
 *
 * Run:    ./build/day5/states
 *         ./build/day5/states -k     keep the children until Enter, to
 *                                    look: ps -o pid,ppid,stat,cmd --ppid PID
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
#include "common/hold.h"
#include "common/procfs.h"
#include "common/signals.h"

enum { NCHILDREN = 4 };
#define CHILD_LIFETIME_S 10.0 /* no child outlives this, even if forgotten */
#define SAMPLE_LIMIT_MS  3000 /* how long to look for a state */

/* What each child does, and the state letter that should show for it. */
struct child {
    const char *doing;
    char expected; /* R, S, T or Z */
    char seen;     /* what /proc showed */
    pid_t pid;
};

static pid_t start_child(char state, const int started[2]);
static void print_table(const struct child *c, int n);
static void clean_up(struct child *c, int n);

/* The lesson: four children, four states, seen from /proc. */
static int show_states(bool keep)
{
    struct child kids[NCHILDREN] = {
        {"busy loop: running (or ready to run)", 'R', '?', 0},
        {"nanosleep: sleeping, waiting for time to pass", 'S', '?', 0},
        {"stopped by SIGSTOP", 'T', '?', 0},
        {"exited, not reaped yet: a zombie", 'Z', '?', 0},
    };
    /* A new child shows R before it has run at all. So that R means "in
     * its busy loop", wait until every child has begun its work: each
     * closes its copy of this pipe's write end, and when all are closed
     * the parent's read returns 0 (end of file). */
    int started[2];
    if (pipe(started) < 0)
        die_errno("pipe");
    for (int i = 0; i < NCHILDREN; i++) {
        kids[i].pid = start_child(kids[i].expected, started);
        if (kids[i].pid < 0) {
            warn_errno("fork");
            kids[i].pid = 0;
            clean_up(kids, NCHILDREN);
            return EXIT_FAILURE;
        }
    }
    close(started[1]);
    char byte;
    while (read(started[0], &byte, 1) < 0 && errno == EINTR &&
           !sig_stop_requested)
        ;
    close(started[0]);
    if (kill(kids[2].pid, SIGSTOP) < 0)
        warn_errno("kill SIGSTOP");

    int right = 0;
    for (int i = 0; i < NCHILDREN && !sig_stop_requested; i++) {
        char seen = procfs_wait_state(kids[i].pid, kids[i].expected,
                                      SAMPLE_LIMIT_MS);
        kids[i].seen = seen != 0 ? seen : '?';
        right += kids[i].seen == kids[i].expected;
    }
    if (!sig_stop_requested) {
        print_table(kids, NCHILDREN);
        if (right != NCHILDREN)
            printf("(a state was not seen in %d s: is the machine very "
                   "busy?)\n",
                   SAMPLE_LIMIT_MS / 1000);
    }
    if (keep && !sig_stop_requested)
        hold_for_enter("holding the children: look with  ps -o "
                       "pid,ppid,stat,cmd --ppid %ld\n"
                       "press Enter (or Ctrl-C) to clean up\n",
                       (long)getpid());

    clean_up(kids, NCHILDREN);
    int left = procfs_children(getpid(), NULL, 0);
    if (sig_stop_requested)
        printf("interrupted by signal %d: ", (int)sig_stop_requested);
    printf("killed and reaped every child; children left after cleanup: %d\n",
           left);
    if (left != 0)
        return EXIT_FAILURE;
    return right == NCHILDREN || sig_stop_requested ? EXIT_SUCCESS
                                                    : EXIT_FAILURE;
}

/* What a child does until the parent kills it (or its lifetime ends):
 * R computes; S sleeps in the kernel; T sleeps too, until the parent
 * stops it; Z exits at once, and the parent does not wait for it. */
static void work(char state)
{
    volatile unsigned long spins = 0;
    double end = clock_now() + CHILD_LIFETIME_S;
    struct timespec t = {(time_t)CHILD_LIFETIME_S, 0};
    if (state == 'R')
        while (clock_now() < end)
            spins++;
    if (state == 'S' || state == 'T')
        while (nanosleep(&t, &t) < 0 && errno == EINTR)
            ;
}

/* Fork one child that does its work and exits; -1 if fork failed. The
 * child closes its copies of the pipe "started" as it begins its work.
 * Ctrl-C ends a child at once (default action); the parent cleans up. */
static pid_t start_child(char state, const int started[2])
{
    pid_t parent = getpid();
    sigset_t old;
    fflush(stdout);
    if (sig_hold_stop(&old) < 0)
        die_errno("sigprocmask");
    pid_t pid = fork();
    if (pid == 0) {
        sig_child_defaults(&old);
        /* If the parent dies without cleaning up (kill -9), go along. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(EXIT_FAILURE);
        close(started[0]);
        close(started[1]); /* "I am at work" */
        work(state);
        _exit(EXIT_SUCCESS);
    }
    sig_release(&old);
    return pid;
}

/* The ps-like table: a row per child and one for the parent itself; then
 * what the letters mean in the course's two models. */
static void print_table(const struct child *c, int n)
{
    const char *row = "%7ld %7ld  %-4c  %s\n";
    printf("%7s %7s  %-4s  %s\n", "PID", "PPID", "STAT", "what it is doing");
    for (int i = 0; i < n; i++)
        printf(row, (long)c[i].pid, (long)procfs_ppid(c[i].pid), c[i].seen,
               c[i].doing);
    printf(row, (long)getpid(), (long)getppid(), procfs_state(getpid()),
           "the parent, reading /proc right now");
    printf("three-state model: ready and running are both R here (the\n"
           "  kernel shows a runnable process as R whether or not it holds\n"
           "  a CPU right now); waiting is S (or D, an uninterruptible wait,\n"
           "  e.g. for a disk).\n"
           "five-state model adds new (between fork and the first run: also\n"
           "  R) and terminated (Z, until the parent collects the exit\n"
           "  status with wait).\n"
           "T (stopped) is in neither model: job control froze it; SIGCONT\n"
           "  resumes it.\n");
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

static const char usage[] =
    "usage: states [-k] [-h]\n"
    "  -k  keep the children until Enter (or Ctrl-C): look at them with ps\n";

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
    if (sig_catch_stop() < 0) /* Ctrl-C or SIGTERM: clean up, then exit */
        die_errno("sigaction");
    return show_states(keep);
}
