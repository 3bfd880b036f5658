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
 */
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

int main(int argc, char *argv[])
{
    check_start("child", argc, argv);
    const char *none[] = {NULL};
    int out;
    pid_t pid = check_spawn(none, &out);
    pid_t adopted = 0;
    int zombie_samples = 0, longest = 0, status = 0;
    double end = clock_now() + check_timeout(8);
    /* Watch until the program ends (its zombie, our child, says so). */
    while (procfs_state(pid) != 'Z' && procfs_state(pid) != 0 &&
           clock_now() < end) {
        pid_t kids[8];
        int n = procfs_children(getpid(), kids, 8);
        for (int i = 0; i < n && i < 8; i++)
            if (kids[i] != pid)
                adopted = kids[i];
        zombie_samples = procfs_count_zombies(pid) > 0 ? zombie_samples + 1 : 0;
        if (zombie_samples > longest)
            longest = zombie_samples;
        clock_sleep_ms(20);
    }
    static char text[65536];
    check_read_all(out, text, sizeof text, check_timeout(2));
    bool ended = check_wait(pid, &status, check_timeout(2));
    struct check_run r = {.timed_out = !ended, .status = status};
    check_collect_leftovers(&r);

    char seen[160];
    snprintf(seen, sizeof seen, "the program's child stayed a zombie for "
             "about %d ms", longest * 20);
    check_that(longest < 5, 2, "the parent reaps its child at once",
               "no zombie child while the parent works", seen,
               "the middle child exits at once; until the parent waits for "
               "it, it is a zombie. Reap it right after fork: waitpid "
               "returns at once.");
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
