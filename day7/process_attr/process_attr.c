/* day7/process_attr/process_attr.c — 进程对象属性 / Process attributes:
 * name, pid, is_alive, daemon
 *
 * The course's process_attr.py in C: what the attributes of Python's
 * Process object are in the kernel:
 *   name      prctl(PR_SET_NAME) in the child: the name ps and /proc show;
 *   pid       what fork() returned;
 *   is_alive  waitpid(pid, WNOHANG): 0 while the child runs. kill(pid, 0)
 *             is NOT enough: it succeeds for a zombie, a child that has
 *             ended but is not reaped yet (part 2);
 *   daemon    the child ends with its parent: prctl(PR_SET_PDEATHSIG,
 *             SIGKILL) in the child, then a getppid() check for a parent
 *             that died before the prctl (the race; part 3, watch.c).
 *
 * Run: ./build/day7/process_attr/process_attr [-w] [-u] (-h: options)
 * Watch: part 1 reads "Tedu" back from /proc/PID/comm; part 2 shows
 * kill(pid, 0) = 0 for a zombie; part 3 ends with the daemon child killed
 * by SIGKILL when its parent exited. Try -w, then -w -u.
 * See also: day6/process1, day7/my_process, day8/thread_attr.
 */
#define _GNU_SOURCE /* prctl and its PR_* options are Linux-only */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/options.h"
#include "common/procfs.h"
#include "common/status.h"
#include "common/walltime.h"
#include "day7/process_attr/watch.h"

/* Python's Process object, as far as this lesson needs it. */
struct process {
    const char *name;
    bool daemon; /* set before start, as in Python */
    pid_t pid;
    bool ended; /* reaped: status is valid */
    int status;
};

enum { TICKS = 3, DAEMON_TICKS = 10 }; /* a daemon outlives its parent */
static long interval_ms = 200;         /* -i; the course: time.sleep(2) */
static bool wide_race, unsafe;         /* -w, -u */

/* The course's tm(): print the time, ticks times. Runs in the child. */
static void tm_target(int ticks)
{
    for (int i = 1; i <= ticks; i++) {
        char now[32];
        walltime_text(now, sizeof now);
        printf("  Tedu %d: %s (tick %d/%d)\n", (int)getpid(), now, i, ticks);
        clock_sleep_ms(interval_ms);
    }
}

/* --- the attributes ------------------------------------------------------ */

/* start(): fork; the child names itself, becomes a daemon if asked, tells
 * the parent through ready_fd (if >= 0) that it is set up, runs tm(). */
static void process_start(struct process *p, int ready_fd)
{
    pid_t parent = getpid(); /* before fork: the child compares against it */
    fflush(stdout); /* or the child would print our buffered lines again */
    if ((p->pid = fork()) < 0)
        die_errno("fork");
    if (p->pid > 0)
        return;
    /* The name ps, top and /proc/PID/comm show (at most 15 bytes). */
    if (prctl(PR_SET_NAME, p->name, 0, 0, 0) < 0)
        die_errno_child("prctl(PR_SET_NAME)");
    if (p->daemon) {
        while (wide_race && getppid() == parent) /* -w: come late */
            clock_sleep_ms(1);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) /* when it dies */
            die_errno_child("prctl(PR_SET_PDEATHSIG)");
        /* The race: had the parent died before the prctl, the signal would
         * never come. We would be re-parented already, so getppid() no
         * longer names the parent we had: then end now, by ourselves. */
        if (!unsafe && getppid() != parent) {
            printf("  %s %d: my parent %d died before PR_SET_PDEATHSIG: "
                   "exiting myself\n",
                   p->name, (int)getpid(), (int)parent);
            _exit(0);
        }
    }
    if (ready_fd >= 0 && io_write_all(ready_fd, "r", 1) < 0)
        die_errno_child("write");
    tm_target(p->daemon ? DAEMON_TICKS : TICKS);
    _exit(0);
}

/* is_alive(): waitpid with WNOHANG returns 0 while the child runs, and its
 * pid once it has ended (and then the zombie is reaped). */
static bool process_is_alive(struct process *p)
{
    if (p->ended)
        return false;
    pid_t r = waitpid(p->pid, &p->status, WNOHANG);
    if (r < 0)
        die_errno("waitpid");
    p->ended = r > 0;
    return r == 0;
}

/* join(): wait for the child to end and reap it. */
static void process_join(struct process *p)
{
    while (!p->ended)
        if (waitpid(p->pid, &p->status, 0) == p->pid)
            p->ended = true;
        else if (errno != EINTR)
            die_errno("waitpid");
}

/* --- part 1: name, pid, is_alive ----------------------------------------- */

static void show_attributes(void)
{
    printf("== 1. name, pid, is_alive\n");
    struct process p = {.name = "Tedu"}; /* Process(name="Tedu") */
    int ready[2];
    if (pipe(ready) < 0)
        die_errno("pipe");
    process_start(&p, ready[1]);
    close(ready[1]);
    wait_ready(ready[0]);

    char comm[64];
    if (procfs_comm(p.pid, comm, sizeof comm) < 0)
        die_errno("read /proc/%d/comm", (int)p.pid);
    printf("p.name: %s (read back from /proc/%d/comm)\n", comm, (int)p.pid);
    printf("p.pid: %d\n", (int)p.pid);
    printf("p.is_alive(): %s\n", process_is_alive(&p) ? "True" : "False");
    process_join(&p);
    bool alive = process_is_alive(&p);
    printf("after p.join(): exit status %d, p.is_alive(): %s\n",
           WEXITSTATUS(p.status), alive ? "True" : "False");
}

/* --- part 2: why kill(pid, 0) lies about a zombie ------------------------ */

static void show_zombie_check(void)
{
    printf("== 2. is_alive of an ended child: kill(pid, 0) is not enough\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0)
        _exit(7);
    siginfo_t info; /* wait until it has ended, but leave it: WNOWAIT */
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR)
            die_errno("waitid");
    printf("child %d has exited; /proc says its state is %c (zombie)\n",
           (int)pid, procfs_state(pid));
    printf("kill(%d, 0) = %d: the pid still exists: \"alive\" — wrong\n",
           (int)pid, kill(pid, 0));
    struct process p = {.name = "zombie", .pid = pid};
    bool alive = process_is_alive(&p);
    printf("is_alive() with waitpid(WNOHANG): %s (exit status %d, now reaped)"
           "\n",
           alive ? "True" : "False", WEXITSTATUS(p.status));
    int r = kill(pid, 0);
    printf("kill(%d, 0) after reaping = %d (%s)\n", (int)pid, r,
           r < 0 ? strerror(errno) : "ok");
}

/* --- part 3: daemon=True ------------------------------------------------- */

/* The course's main process: start a daemon child, print its attributes,
 * and exit without join. Sends the child's pid to the watcher first. */
static void course_main(int report_fd)
{
    struct process p = {.name = "Tedu", .daemon = true};
    int ready[2];
    if (pipe(ready) < 0)
        die_errno_child("pipe");
    process_start(&p, wide_race ? -1 : ready[1]);
    close(ready[1]);
    if (io_write_all(report_fd, &p.pid, sizeof p.pid) < 0)
        die_errno_child("write");
    if (wide_race) {
        printf("main %d: started daemon child %d and exits at once (-w)\n",
               (int)getpid(), (int)p.pid);
        _exit(0);
    }
    wait_ready(ready[0]);
    printf("main %d: Name: %s, PID: %d, is alive: %s\n", (int)getpid(), p.name,
           (int)p.pid, process_is_alive(&p) ? "True" : "False");
    clock_sleep_ms(interval_ms * 3 / 2); /* let it tick once or twice */
    printf("main %d: exits without join; its daemon child must end too\n",
           (int)getpid());
    _exit(0); /* stdout is line-buffered: nothing is left unwritten */
}

/* The watcher: how did the daemon child end? (watch.c) */
static void show_daemon(void)
{
    printf("== 3. daemon=True: the child ends when its parent ends\n");
    pid_t child;
    int status = watch_orphan(course_main, &child);
    char how[64];
    const char *why = WIFSIGNALED(status) ? "when its parent exited: gone"
                      : unsafe ? "it SURVIVED its parent: the race (-u)"
                               : "it found its parent gone and exited by "
                                 "itself";
    printf("watcher %d: daemon child %d %s: %s\n", (int)getpid(), (int)child,
           status_describe(status, how, sizeof how), why);
}

static const char usage[] =
    "usage: process_attr [-i MS] [-w] [-u] [-h]\n"
    "  -i MS  the child's tick interval, 10..5000 ms (default 200)\n"
    "  -w     open the PR_SET_PDEATHSIG race (the child is late)\n"
    "  -u     unsafe: skip the getppid() check that closes it\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "i:wuh")) != -1) {
        switch (opt) {
        case 'i':
            if (parse_long(optarg, 10, 5000, &interval_ms) < 0)
                die_usage(usage, "bad MS '%s': expected 10..5000", optarg);
            break;
        case 'w': wide_race = true; break;
        case 'u': unsafe = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    show_attributes();
    show_zombie_check();
    show_daemon();
    return 0;
}
