/* exercises/child/check.c — the checker for the double-fork exercise.
 *
 * The checker is a child subreaper: when the middle child exits, the
 * grandchild is adopted by the checker (where init would adopt it
 * otherwise). So, while the program runs, it watches from /proc:
 *  - a grandchild must be adopted (else there was no double fork, or the
 *    child waited for it);
 *  - the program must not keep a zombie child around (it reaps the child
 *    at once);
 * and at the end: foo's 3 steps and bar's 5, exit status 0.
 * The program's output goes through a pipe that holds one write at a
 * time, and the checker reads nothing until the parent has blocked (in
 * waitpid, or in its next print): so the child, whose first print waits
 * behind the parent's, cannot exit before the parent's waitpid. A parent
 * that asks once with WNOHANG asks too early on every run, not by luck.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"
#include "exercises/checklib.h"

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Hold the program's output until its parent has a child and has been
 * blocked (state S) for 100 ms: waiting for the child, or printing
 * behind its first line. Bounded: a parent that never blocks goes on. */
static void hold(pid_t pid)
{
    double end = clock_now() + check_timeout(3), blocked = 0;
    while (clock_now() < end && procfs_children(pid, NULL, 0) < 1)
        clock_sleep_ms(1);
    while (clock_now() < end) {
        if (procfs_state(pid) != 'S')
            blocked = 0;
        else if (blocked == 0)
            blocked = clock_now();
        else if (clock_now() - blocked > 0.1)
            return;
        clock_sleep_ms(1);
    }
}

int main(int argc, char *argv[])
{
    check_start("child", argc, argv);
    const char *none[] = {NULL};
    int out;
    pid_t pid = check_spawn_gated(none, &out);
    fcntl(out, F_SETFL, O_NONBLOCK);
    hold(pid);

    pid_t adopted = 0;
    int status = 0;
    double zombie_since = 0, longest = 0;
    double end = clock_now() + check_timeout(8);
    static char text[65536];
    size_t len = 0;
    bool eof = false;
    /* Read its output as it comes, and watch /proc, until the program
     * has ended (its zombie, our child, says so) and the pipe is shut. */
    while ((!eof || (procfs_state(pid) != 'Z' && procfs_state(pid) != 0)) &&
           clock_now() < end) {
        struct pollfd p = {.fd = out, .events = POLLIN};
        if (!eof && poll(&p, 1, 10) > 0) {
            ssize_t n = read(out, text + len, sizeof text - 1 - len);
            if (n > 0)
                len += (size_t)n;
            else if (n == 0 || len == sizeof text - 1)
                eof = true;
            text[len] = '\0';
        } else if (eof) {
            clock_sleep_ms(10);
        }
        pid_t kids[8];
        int n = procfs_children(getpid(), kids, 8);
        for (int i = 0; i < n && i < 8; i++)
            if (kids[i] != pid)
                adopted = kids[i];
        double now = clock_now();
        if (procfs_count_zombies(pid) <= 0)
            zombie_since = 0;
        else if (zombie_since == 0)
            zombie_since = now;
        else if (now - zombie_since > longest)
            longest = now - zombie_since;
    }
    close(out);
    bool ended = check_wait(pid, &status, check_timeout(2));
    struct check_run r = {.timed_out = !ended, .status = status};
    check_collect_leftovers(&r);

    char seen[160];
    snprintf(seen, sizeof seen, "the program's child stayed a zombie for "
             "%.0f ms", longest * 1000);
    check_that(longest < 0.25, 2, "the parent reaps its child at once",
               "no zombie child while the parent works", seen,
               "the middle child exits at once; until the parent waits for "
               "it, it is a zombie. Reap it right after fork: waitpid "
               "returns as soon as the child has exited. A single waitpid "
               "with WNOHANG asks before that (here, always) and nobody "
               "asks again.");
    check_that(adopted != 0, 1, "the grandchild is adopted",
               "a grandchild whose parent became the subreaper (here, the "
               "checker; init otherwise) while it ran",
               "no process was adopted",
               "in the double fork the middle child forks the worker and "
               "exits at once, so the worker is an orphan and its new "
               "parent reaps it. A single fork, or a child that waits for "
               "the grandchild, leaves the parent's child doing the work.");
    snprintf(seen, sizeof seen, "%d foo and %d bar steps; the program %s",
             count(text, "foo, step"), count(text, "bar, step"),
             check_status_text(&r));
    check_that(count(text, "foo, step") == 3 &&
                   count(text, "bar, step") == 5 && ended &&
                   WIFEXITED(status) && WEXITSTATUS(status) == 0,
               1, "both jobs run and the program ends well",
               "3 foo steps (grandchild), 5 bar steps (parent), exit 0",
               seen, NULL);
    check_passed();
}
