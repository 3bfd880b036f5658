/* day7/process_attr.c — 进程对象属性 / Process attributes: name, pid, is_alive, daemon
 *
 * The course's process_attr.py in C. Python's Process object has a name,
 * a pid, is_alive() and a daemon flag; here is what each one is in the
 * kernel:
 *   name      prctl(PR_SET_NAME) in the child: the name ps and /proc show;
 *   pid       what fork() returned;
 *   is_alive  waitpid(pid, WNOHANG): 0 while the child runs. kill(pid, 0)
 *             is NOT enough: it succeeds for a zombie, a child that has
 *             ended but is not reaped yet (part 2 shows it);
 *   daemon    the child ends when its parent ends: prctl(PR_SET_PDEATHSIG,
 *             SIGKILL) in the child. It has a race: if the parent dies
 *             between fork() and that prctl, no signal ever comes. Closed by
 *             checking getppid() right after the prctl (part 3).
 * Part 3 lets the course's "main process" exit and proves the daemon child
 * died with it. A process cannot watch its own death, so the program runs
 * that main process under a watcher: a child subreaper (PR_SET_CHILD_SUBREAPER),
 * to which the orphaned child is re-parented, so it can waitpid() for it.
 *
 * Usage: process_attr [-i MS] [-w] [-u] [-h]
 *   -i MS  the child's tick interval, 10..5000 ms (default 200; the course: 2 s)
 *   -w     open the race: the daemon child reaches prctl only after its
 *          parent is gone
 *   -u     unsafe: skip the getppid() check (with -w: the child survives)
 *
 * Watch for: part 1 reads "Tedu" back from /proc/PID/comm; part 2 shows
 * kill(pid, 0) = 0 for a zombie; part 3 ends with the daemon child killed
 * by SIGKILL when its parent exited. Try -w, then -w -u.
 * See also: day6/process1 (Process and join), day7/my_process, day8/thread_attr.
 */
#define _GNU_SOURCE /* prctl and its PR_* options are Linux-only */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/options.h"
#include "common/procfs.h"
#include "common/walltime.h"

enum {
    DEFAULT_INTERVAL_MS = 200, /* the course: time.sleep(2) */
    TICKS = 3,                 /* the course's tm() prints 3 times */
    DAEMON_TICKS = 10,         /* part 3: far longer than its parent lives */
};

static const char child_name[] = "Tedu"; /* Process(name="Tedu") */

/* Python's Process object, as far as this lesson needs it. */
struct process {
    const char *name;
    bool daemon; /* set before start, as in Python */
    pid_t pid;
    bool ended; /* reaped: status is valid */
    int status;
};

static long interval_ms = DEFAULT_INTERVAL_MS;

/* The course's tm(): print the time, ticks times. Runs in the child. */
static void tm_target(int ticks)
{
    for (int i = 1; i <= ticks; i++) {
        char now[32];
        walltime_text(now, sizeof now);
        printf("  %s %d: %s (tick %d/%d)\n", child_name, (int)getpid(), now, i, ticks);
        clock_sleep_ms(interval_ms);
    }
}

/* --- the attributes ------------------------------------------------------- */

/* start(): fork; the child names itself, becomes a daemon if asked, tells
 * the parent through ready_fd that it is set up, and runs tm_target. */
static void process_start(struct process *p, int ready_fd, bool wide_race, bool unsafe)
{
    pid_t parent = getpid(); /* before fork: the child compares against it */
    fflush(stdout);          /* or the child would print our buffered lines again */
    p->pid = fork();
    if (p->pid < 0)
        die_errno("fork");
    if (p->pid > 0)
        return;

    /* The name ps, top and /proc/PID/comm show (at most 15 bytes). */
    if (prctl(PR_SET_NAME, p->name, 0, 0, 0) < 0)
        die_errno_child("prctl(PR_SET_NAME)");
    if (p->daemon) {
        if (wide_race) /* show the race: get here only once the parent is gone */
            while (getppid() == parent)
                clock_sleep_ms(1);
        /* Ask the kernel for SIGKILL when our parent dies. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
            die_errno_child("prctl(PR_SET_PDEATHSIG)");
        /* The race: had the parent died before the prctl above, the signal
         * would never come. We would be re-parented already, so getppid()
         * no longer names the parent we had: then end now, by ourselves. */
        if (!unsafe && getppid() != parent) {
            printf("  %s %d: my parent %d died before PR_SET_PDEATHSIG: exiting myself\n",
                   child_name, (int)getpid(), (int)parent);
            _exit(0);
        }
    }
    if (ready_fd >= 0) {
        if (io_write_all(ready_fd, "r", 1) < 0)
            die_errno_child("write");
        close(ready_fd);
    }
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
    if (r == 0)
        return true;
    p->ended = true;
    return false;
}

/* join(): wait for the child to end and reap it. */
static void process_join(struct process *p)
{
    while (!p->ended) {
        if (waitpid(p->pid, &p->status, 0) == p->pid)
            p->ended = true;
        else if (errno != EINTR)
            die_errno("waitpid");
    }
}

/* Wait until the child's set-up is done: it writes one byte. */
static void wait_ready(int ready_fd)
{
    char byte;
    if (io_read_exact(ready_fd, &byte, 1) != 1)
        die("the child ended before it was set up");
    close(ready_fd);
}

static void make_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        die_errno("pipe");
}

/* --- part 1: name, pid, is_alive -------------------------------------------- */

static void show_attributes(void)
{
    printf("== 1. name, pid, is_alive\n");
    struct process p = {.name = child_name};
    int ready[2];
    make_pipe(ready);
    process_start(&p, ready[1], false, false);
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
    printf("after p.join(): exit status %d, p.is_alive(): %s\n", WEXITSTATUS(p.status),
           alive ? "True" : "False");
}

/* --- part 2: why kill(pid, 0) lies about a zombie ---------------------------- */

static void show_zombie_check(void)
{
    printf("== 2. is_alive for a child that has ended: kill(pid, 0) is not enough\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0)
        _exit(7);
    /* Wait until it has ended, but leave it unreaped: WNOWAIT. */
    siginfo_t info;
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR)
            die_errno("waitid");
    printf("child %d has exited; /proc says its state is %c (zombie)\n", (int)pid,
           procfs_state(pid));
    printf("kill(%d, 0) = %d: the pid still exists, so this check says \"alive\" — wrong\n",
           (int)pid, kill(pid, 0));
    struct process p = {.name = "zombie", .pid = pid};
    bool alive = process_is_alive(&p);
    printf("is_alive() with waitpid(WNOHANG): %s (exit status %d, now reaped)\n",
           alive ? "True" : "False", WEXITSTATUS(p.status));
    int r = kill(pid, 0);
    printf("kill(%d, 0) after reaping = %d (%s)\n", (int)pid, r, r < 0 ? strerror(errno) : "ok");
}

/* --- part 3: daemon=True ----------------------------------------------------- */

/* The course's main process: start a daemon child, print its attributes,
 * and exit without join. Sends the child's pid to the watcher first. */
static void course_main(int report_fd, bool wide_race, bool unsafe)
{
    struct process p = {.name = child_name, .daemon = true};
    int ready[2];
    make_pipe(ready);
    process_start(&p, wide_race ? -1 : ready[1], wide_race, unsafe);
    close(ready[1]);
    if (io_write_all(report_fd, &p.pid, sizeof p.pid) < 0)
        die_errno_child("write");
    if (wide_race) {
        printf("main %d: started daemon child %d and exits at once (-w)\n", (int)getpid(),
               (int)p.pid);
        _exit(0);
    }
    wait_ready(ready[0]);
    printf("main %d: Name: %s, PID: %d, is alive: %s\n", (int)getpid(), p.name, (int)p.pid,
           process_is_alive(&p) ? "True" : "False");
    clock_sleep_ms(interval_ms + interval_ms / 2); /* let it tick once or twice */
    printf("main %d: exiting without join; the daemon child should end with me\n", (int)getpid());
    fflush(stdout);
    _exit(0);
}

/* The watcher: run course_main in a child, then collect its orphaned
 * daemon child and say how it ended. Returns 0 if that is as expected. */
static int show_daemon(bool wide_race, bool unsafe)
{
    printf("== 3. daemon=True: the child ends when its parent ends\n");
    /* Orphans of our descendants come to us, not to init: we can reap the
     * daemon child after its parent is gone, and see how it died. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        die_errno("prctl(PR_SET_CHILD_SUBREAPER)");
    printf("watcher %d: a child subreaper; starting the course's main process\n", (int)getpid());
    int report[2];
    make_pipe(report);
    fflush(stdout);
    pid_t main_pid = fork();
    if (main_pid < 0)
        die_errno("fork");
    if (main_pid == 0) {
        close(report[0]);
        course_main(report[1], wide_race, unsafe);
    }
    close(report[1]);
    pid_t child = 0;
    if (io_read_exact(report[0], &child, sizeof child) != sizeof child)
        die("main process %d died before it started its child", (int)main_pid);
    close(report[0]);

    int status;
    while (waitpid(main_pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    printf("watcher %d: main %d has exited; its child %d is now mine (parent per /proc: %d)\n",
           (int)getpid(), (int)main_pid, (int)child, (int)procfs_ppid(child));
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid %d", (int)child);

    if (WIFSIGNALED(status)) {
        printf("watcher %d: daemon child %d was killed by signal %d (%s) when its parent "
               "exited: gone\n",
               (int)getpid(), (int)child, WTERMSIG(status), strsignal(WTERMSIG(status)));
        return WTERMSIG(status) == SIGKILL ? 0 : 1;
    }
    if (!unsafe) {
        printf("watcher %d: daemon child %d found its parent gone and exited by itself "
               "(status %d): gone, the race closed\n",
               (int)getpid(), (int)child, WEXITSTATUS(status));
        return 0;
    }
    printf("watcher %d: daemon child %d SURVIVED its parent and ran to the end (status %d): "
           "the race, with the check skipped (-u)\n",
           (int)getpid(), (int)child, WEXITSTATUS(status));
    return 0;
}

static const char usage[] = "usage: process_attr [-i MS] [-w] [-u] [-h]\n"
                            "  -i MS  the child's tick interval, 10..5000 ms (default 200)\n"
                            "  -w     open the PR_SET_PDEATHSIG race (the child is late)\n"
                            "  -u     unsafe: skip the getppid() check that closes it\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    bool wide_race = false, unsafe = false;
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
    return show_daemon(wide_race, unsafe);
}
