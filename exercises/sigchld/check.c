/* exercises/sigchld/check.c — the checker for the sigchld exercise.
 *
 * (a) -m ignore: with SIGCHLD ignored the kernel reaps; the program must
 *     end well and leave no zombie behind.
 * (b) -m handler: the checker stops the parent (SIGSTOP) while its 20
 *     children exit, so their 20 SIGCHLDs arrive as ONE pending signal
 *     (signals of one kind do not queue). Only a handler that loops
 *     over waitpid reaps them all.
 * (c) -m handler again, with one child stopped (SIGSTOP) before it can
 *     exit while the others exit: the parent's own work (its "my own
 *     work" lines) must go on. A handler that blocks in waitpid (no
 *     WNOHANG) waits for the stopped child, and the parent stands still.
 * Zombies the program never reaped come back to the checker (a child
 * subreaper) when it ends: that is how they are counted.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"
#include "exercises/checklib.h"

enum { CHILDREN = 20 };

static void describe_leftovers(const struct check_run *r, char *out,
                               size_t size)
{
    int n = snprintf(out, size, "%d zombie(s) left behind (pids",
                     r->leftover_zombies);
    for (int i = 0; i < r->leftovers && i < 4; i++)
        n += snprintf(out + n, size - (size_t)n, " %ld",
                      (long)r->leftover_pids[i]);
    n += snprintf(out + n, size - (size_t)n, "%s); the program %s",
                  r->leftovers > 4 ? " ..." : "", check_status_text(r));
    /* what it says it reaped: "(b) the handler reaped 11 of 20 children" */
    const char *said = strstr(r->out, "the handler reaped");
    if (said != NULL && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, ", and said: \"%.*s\"",
                 (int)strcspn(said, "("), said);
}

static void check_ignore(void)
{
    struct check_run r;
    const char *args[] = {"-m", "ignore", "-n", "5", NULL};
    check_run(&r, args, check_timeout(10));
    char seen[256];
    describe_leftovers(&r, seen, sizeof seen);
    check_that(r.leftover_zombies == 0 && !r.timed_out &&
                   WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
               2, "(a) with SIGCHLD ignored, no child becomes a zombie",
               "exit status 0 and no zombie left", seen,
               "a child whose parent neither waits nor ignores SIGCHLD "
               "stays a zombie; SIG_IGN (set before fork) tells the kernel "
               "to reap it at once");
}

/* One run of (b) with the parent stopped while its children exit.
 * Returns false if the stop came too late to force the coalescing. */
static bool handler_run(struct check_run *r)
{
    const char *args[] = {"-m", "handler", "-n", "20", NULL};
    int fd;
    pid_t pid = check_spawn(args, &fd);
    double end = clock_now() + check_timeout(5);
    while (procfs_children(pid, NULL, 0) < CHILDREN && clock_now() < end)
        ;
    kill(pid, SIGSTOP);
    pid_t kids[CHILDREN];
    int n = procfs_children(pid, kids, CHILDREN);
    while (procfs_count_zombies(pid) < n && clock_now() < end)
        clock_sleep_ms(5);
    bool forced = n >= 2; /* at least two signals merged into one */
    kill(pid, SIGCONT);
    check_read_all(fd, r->out, sizeof r->out, check_timeout(10));
    close(fd);
    r->timed_out = !check_wait(pid, &r->status, check_timeout(10));
    if (r->timed_out) {
        kill(pid, SIGKILL);
        waitpid(pid, &r->status, 0);
    }
    check_collect_leftovers(r);
    return forced;
}

static void check_handler(void)
{
    struct check_run r;
    for (int tries = 0; tries < 3 && !handler_run(&r); tries++)
        ; /* the machine was too slow to stop it in time: again */
    char seen[512];
    describe_leftovers(&r, seen, sizeof seen);
    check_that(r.leftover_zombies == 0 && !r.timed_out &&
                   WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
               1, "(b) the SIGCHLD handler reaps all 20 children",
               "exit status 0 and no zombie left, even when 20 children "
               "exit while the parent is stopped", seen,
               "20 exits while the parent was stopped arrive as ONE "
               "SIGCHLD: pending signals of one kind do not queue. Is your "
               "waitpid(-1, ..., WNOHANG) inside a loop that runs until it "
               "returns 0? Does it count every child it reaps?");
}

/* Read what fd has now, without waiting, into buf (kept NUL-ended). */
static void read_now(int fd, char *buf, size_t size, size_t *len)
{
    ssize_t n;
    while (*len < size - 1 &&
           (n = read(fd, buf + *len, size - 1 - *len)) > 0)
        *len += (size_t)n;
    buf[*len] = '\0';
}

/* One run of (c): returns false if the child could not be stopped before
 * it exited (a slow machine: try again). *working: the parent printed a
 * line of its own work while the stopped child was still alive. */
static bool blocking_run(bool *working, char *seen, size_t size)
{
    const char *args[] = {"-m", "handler", "-n", "3", NULL};
    int fd;
    pid_t pid = check_spawn(args, &fd);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    double end = clock_now() + check_timeout(5);
    pid_t kids[3];
    int n;
    while ((n = procfs_children(pid, kids, 3)) < 1 && clock_now() < end)
        ; /* children exit after 100 ms: stop one at once */
    bool stopped = n >= 1 && kill(kids[0], SIGSTOP) == 0 &&
                   procfs_wait_state(kids[0], 'T', 1000) == 'T';
    /* the others exit and are reaped: only the stopped one is left */
    while (stopped && procfs_children(pid, NULL, 0) > 1 && clock_now() < end)
        clock_sleep_ms(5);
    static char out[65536];
    size_t len = 0;
    read_now(fd, out, sizeof out, &len); /* what it printed until now */
    size_t before = len;
    double until = clock_now() + 2.0; /* within its 5 s of work */
    *working = false;
    while (stopped && !*working && clock_now() < until) {
        clock_sleep_ms(10);
        read_now(fd, out, sizeof out, &len);
        *working = strstr(out + before, "my own work") != NULL;
    }
    int left = procfs_children(pid, NULL, 0);
    if (stopped)
        snprintf(seen, size, "no \"my own work\" line for 2 s, with %d "
                 "child(ren) still there (1 of them stopped)", left);
    else
        snprintf(seen, size, "(the checker could not stop a child before "
                 "it exited: the machine is too busy; try again)");
    if (n >= 1)
        kill(kids[0], SIGCONT);
    struct check_run r;
    check_read_all(fd, r.out, sizeof r.out, check_timeout(10));
    close(fd);
    r.timed_out = !check_wait(pid, &r.status, check_timeout(10));
    if (r.timed_out) {
        kill(pid, SIGKILL);
        waitpid(pid, &r.status, 0);
    }
    check_collect_leftovers(&r);
    return stopped;
}

static void check_blocking(void)
{
    bool working = false;
    char seen[160];
    for (int tries = 0; tries < 5 && !blocking_run(&working, seen,
                                                   sizeof seen);
         tries++)
        ; /* the machine was too slow to stop a child in time: again */
    check_that(working, 1,
               "(c) the parent goes on working while a child still runs",
               "its \"my own work\" lines go on while one child is "
               "stopped and the others have been reaped",
               seen,
               "the handler ran and never came back: waitpid(-1, &status, "
               "0) WAITS for a child that is still running, and the parent "
               "waits with it. With WNOHANG it returns 0 at once when no "
               "ended child is left: that ends the loop.");
}

int main(int argc, char *argv[])
{
    check_start("sigchld", argc, argv);
    check_ignore();
    check_handler();
    check_blocking();
    check_passed();
}
