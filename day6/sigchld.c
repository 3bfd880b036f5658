/* day6/sigchld.c — 如何避免僵尸进程:
 * 通过信号处理子进程退出 / SIGCHLD
 *
 * When a child ends, the kernel sends its parent SIGCHLD. Two ways to use
 * that so the parent never blocks in wait and no zombie stays behind:
 *
 * (a) ignore it — the course's signal.signal(SIGCHLD, SIG_IGN). Set to
 *     SIG_IGN before forking, SIGCHLD tells the kernel "I will never
 *     wait": children are reaped by the kernel the moment they exit and
 *     never become zombies. The price: their exit statuses are lost.
 * (b) catch it — the portable way, which keeps the statuses: a handler
 *     (sigaction, SA_RESTART so interrupted system calls resume) that
 *     calls waitpid(-1, &status, WNOHANG) in a loop until no ended child
 *     is left. The loop matters: signals of one kind do not queue, so one
 *     SIGCHLD may stand for several children. The handler uses only
 *     async-signal-safe calls, saves errno, and stores what it reaped in
 *     variables that main reads with SIGCHLD blocked.
 * In both, N children exit at about the same time while the parent goes
 * on with its own work; then the parent checks /proc: no child, no zombie.
 *
 * Run:    ./build/day6/sigchld                 both ways, 5 children each
 *         ./build/day6/sigchld -m handler -n 50   50 exits, fewer signals
 *         ./build/day6/sigchld -k              pause after each part, to
 *                                              look with ps --ppid PID
 * Watch:  the parent never calls wait yet ends with no children and no
 *         zombies; in (b) the handler ran fewer times than children exited.
 * See also: wait, child, day5/zombie, day9/fork_server (SIGCHLD, server).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/hold.h"
#include "common/options.h"
#include "common/procfs.h"

enum { MAX_CHILDREN = 100, DEFAULT_CHILDREN = 5 };
#define CHILD_WORK_MS  100 /* every child works this long, then exits */
#define PARENT_STEP_MS 25  /* one step of the parent's own work */
#define PARENT_LIMIT_S 5.0 /* give up if the children are not gone by then */

/* Written only by the handler; main reads them with SIGCHLD blocked. */
static volatile sig_atomic_t handler_calls, reaped_count;
static pid_t reaped_pid[MAX_CHILDREN];
static int reaped_status[MAX_CHILDREN];

static void start_children(long n);
static int work_until(long reaped_wanted);
static bool check_none_left(void);

/* The handler of part (b): reap every child that has ended; one signal
 * may stand for several. */
static void on_sigchld(int signo)
{
    (void)signo;
    int saved_errno = errno; /* waitpid may change errno under main's feet */
    handler_calls++;
    pid_t pid;
    int status;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (reaped_count < MAX_CHILDREN) {
            reaped_pid[reaped_count] = pid;
            reaped_status[reaped_count] = status;
        }
        reaped_count++;
    }
    errno = saved_errno;
}

/* (a) SIGCHLD ignored: the kernel reaps; nobody calls wait. */
static bool part_ignore(long n, bool keep)
{
    printf("(a) SIGCHLD set to SIG_IGN before fork: the kernel reaps the "
           "children\n");
    struct sigaction ignore = {0}, old;
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGCHLD, &ignore, &old) < 0)
        die_errno("sigaction");
    start_children(n);
    int most_zombies = work_until(0);
    printf("(a) all %ld children ended; zombies seen at any step: %d; I "
           "never called wait\n",
           n, most_zombies);
    bool ok = check_none_left();
    if (keep)
        hold_for_enter("holding: look with  ps -o pid,ppid,stat,cmd "
                       "--ppid %ld  (press Enter)\n", (long)getpid());
    if (sigaction(SIGCHLD, &old, NULL) < 0) /* the default again, for (b) */
        die_errno("sigaction");
    return ok;
}

/* (b) a SIGCHLD handler reaps, and keeps every exit status. */
static bool part_handler(long n, bool keep)
{
    printf("(b) a SIGCHLD handler reaps with waitpid(-1, WNOHANG) in a "
           "loop\n");
    struct sigaction sa = {0};
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    /* resume slow calls; no signal for a stopped child */
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) < 0)
        die_errno("sigaction");
    start_children(n);
    work_until(n);

    /* Block SIGCHLD while reading what the handler wrote. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &block, &old) < 0)
        die_errno("sigprocmask");
    long reaped = reaped_count;
    long shown = reaped < MAX_CHILDREN ? reaped : MAX_CHILDREN;
    unsigned long code_sum = 0;
    for (long i = 0; i < shown; i++) {
        int s = reaped_status[i], code = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
        code_sum += (unsigned long)code;
        if (shown <= 10)
            printf("handler reaped child %ld: exit status %d\n",
                   (long)reaped_pid[i], code);
    }
    printf("(b) the handler reaped %ld of %ld children in %d call(s) (one "
           "SIGCHLD can stand\n"
           "    for several children: pending signals of one kind do not "
           "queue)\n",
           reaped, n, (int)handler_calls);
    if (sigprocmask(SIG_SETMASK, &old, NULL) < 0)
        die_errno("sigprocmask");
    /* every child exited with its number 0..n-1, so the codes add up to: */
    bool ok = check_none_left() && reaped == n &&
              code_sum == (unsigned long)(n * (n - 1) / 2);
    if (keep)
        hold_for_enter("holding: look with  ps -o pid,ppid,stat,cmd "
                       "--ppid %ld  (press Enter)\n", (long)getpid());
    return ok;
}

/* Fork n children that each work a moment and exit with their number. */
static void start_children(long n)
{
    fflush(stdout);
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die_errno("fork"); /* the children started end by themselves */
        if (pid == 0) {
            clock_sleep_ms(CHILD_WORK_MS);
            _exit((int)i);
        }
    }
    printf("parent: started %ld children; each exits after %d ms\n", n,
           CHILD_WORK_MS);
}

/* The parent's own work, in steps, until the handler has reaped
 * reaped_wanted children (0: until /proc shows none left), or the limit.
 * Each step it counts its children and zombies in /proc. Returns the most
 * zombies seen. */
static int work_until(long reaped_wanted)
{
    int most_zombies = 0, step = 0;
    double end = clock_now() + PARENT_LIMIT_S;
    while (clock_now() < end &&
           (reaped_wanted > 0 ? reaped_count < reaped_wanted
                              : procfs_children(getpid(), NULL, 0) > 0)) {
        clock_sleep_ms(PARENT_STEP_MS); /* resumes if SIGCHLD interrupts */
        int zombies = procfs_count_zombies(getpid());
        if (zombies > most_zombies)
            most_zombies = zombies;
        printf("parent: my own work, step %d; /proc: %d children, %d "
               "zombies\n",
               ++step, procfs_children(getpid(), NULL, 0), zombies);
    }
    return most_zombies;
}

/* The proof, from /proc: no child and no zombie is left. */
static bool check_none_left(void)
{
    int children = procfs_children(getpid(), NULL, 0);
    int zombies = procfs_count_zombies(getpid());
    printf("parent: /proc says my children: %d, zombies: %d\n", children,
           zombies);
    return children == 0 && zombies == 0;
}

static const char usage[] =
    "usage: sigchld [-m ignore|handler|both] [-n N] [-k] [-h]\n"
    "  -m WAY  ignore SIGCHLD (a), reap in a handler (b), or both (default)\n"
    "  -n N    children per part, 1..100 (default 5)\n"
    "  -k      after each part, wait for Enter so you can look with ps\n";

int main(int argc, char *argv[])
{
    const char *way = "both";
    long n = DEFAULT_CHILDREN;
    bool keep = false;
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "m:n:kh")) != -1) {
        switch (opt) {
        case 'm': way = optarg; break;
        case 'n':
            if (parse_long(optarg, 1, MAX_CHILDREN, &n) < 0)
                die_usage(usage, "bad number of children '%s' (1..%d)",
                          optarg, MAX_CHILDREN);
            break;
        case 'k': keep = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    bool both = strcmp(way, "both") == 0;
    bool ignore = both || strcmp(way, "ignore") == 0;
    bool handler = both || strcmp(way, "handler") == 0;
    if (!ignore && !handler)
        die_usage(usage, "bad -m '%s' (ignore, handler or both)", way);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */
    bool ok = !ignore || part_ignore(n, keep);
    return (!handler || part_handler(n, keep)) && ok ? EXIT_SUCCESS
                                                     : EXIT_FAILURE;
}
