/* exercises/sigchld/check.c — the checker for the sigchld exercise.
 *
 * (a) -m ignore: with SIGCHLD ignored the kernel reaps; the program must
 *     end well and leave no zombie behind.
 * (b) -m handler: the checker stops the parent (SIGSTOP) while its 20
 *     children exit, so their 20 SIGCHLDs arrive as ONE pending signal
 *     (signals of one kind do not queue). Only a handler that loops
 *     over waitpid reaps them all.
 * Zombies the program never reaped come back to the checker (a child
 * subreaper) when it ends: that is how they are counted.
 */
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

int main(int argc, char *argv[])
{
    check_start("sigchld", argc, argv);
    check_ignore();
    check_handler();
    check_passed();
}
