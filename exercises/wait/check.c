/* exercises/wait/check.c — the checker for the wait exercise.
 *
 * Runs the program once and reads what it says of its three children:
 * exit(3) must decode as WEXITSTATUS 3, SIGKILL as WTERMSIG 9, and the
 * third child must be polled with waitpid(WNOHANG) while it works (at
 * least one "still running" step), then decode as WEXITSTATUS 0.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "exercises/checklib.h"

/* The n-th (from 1) line of text that contains needle, or "(none)". */
static const char *nth_line_with(const char *text, const char *needle, int n,
                                 char *out, size_t size)
{
    const char *p = text;
    snprintf(out, size, "(no line with \"%s\")", needle);
    while ((p = strstr(p, needle)) != NULL) {
        const char *start = p;
        while (start > text && start[-1] != '\n')
            start--;
        const char *end = strchr(p, '\n');
        size_t len = end != NULL ? (size_t)(end - start) : strlen(start);
        if (--n == 0) {
            snprintf(out, size, "\"%.*s\"", (int)len, start);
            return out;
        }
        p = end != NULL ? end : p + strlen(p);
    }
    return out;
}

int main(int argc, char *argv[])
{
    check_start("wait", argc, argv);
    struct check_run r;
    const char *none[] = {NULL};
    check_run(&r, none, check_timeout(10));
    char seen[512];

    nth_line_with(r.out, "reaped", 1, seen, sizeof seen);
    check_that(strstr(seen, "WIFEXITED, WEXITSTATUS = 3\"") != NULL, 1,
               "the child that called exit(3) is decoded",
               "\"... WIFEXITED, WEXITSTATUS = 3\"", seen,
               "the status word is not the exit code: exit(3) gives 768 "
               "(3 << 8). WIFEXITED says it exited, WEXITSTATUS takes the "
               "code out of the word.");

    nth_line_with(r.out, "reaped", 2, seen, sizeof seen);
    check_that(strstr(seen, "WIFSIGNALED, WTERMSIG = 9 (") != NULL, 1,
               "the child killed by SIGKILL is decoded",
               "\"... WIFSIGNALED, WTERMSIG = 9 (Killed)\"", seen,
               "a child killed by a signal never exited: WIFSIGNALED is "
               "true, WIFEXITED false, and WTERMSIG names the signal.");

    int steps = 0;
    for (const char *p = r.out; (p = strstr(p, "returned 0")) != NULL; p++)
        steps++;
    snprintf(seen, sizeof seen, "%d \"waitpid returned 0\" step(s)", steps);
    check_that(steps >= 1, 2,
               "the parent works while the third child runs",
               "at least one \"waitpid returned 0\" step (the child works "
               "400 ms, a step takes 100 ms)",
               seen,
               "waitpid without WNOHANG blocks until the child ends; with "
               "WNOHANG it returns 0 at once while the child still runs.");

    nth_line_with(r.out, "reaped", 3, seen, sizeof seen);
    long reaped = -1, worker = -2;
    const char *at = strstr(seen, "reaped ");
    if (at != NULL)
        sscanf(at, "reaped %ld", &reaped);
    at = strstr(r.out, "working for");
    while (at != NULL && at > r.out && at[-1] != '\n')
        at--;
    if (at != NULL)
        sscanf(at, "child %ld", &worker);
    check_that(strstr(seen, "WIFEXITED, WEXITSTATUS = 0\"") != NULL &&
                   reaped == worker,
               2, "the third child is reaped once it is done",
               "\"parent: reaped PID, ... WIFEXITED, WEXITSTATUS = 0\", "
               "PID the working child's",
               seen,
               "when waitpid(WNOHANG) returns the child's pid, status holds "
               "its exit; the loop must stop then, not before. While it "
               "returns 0 the child still runs: 0 is no pid, and status "
               "was not filled in.");

    snprintf(seen, sizeof seen, "%s, %d zombie(s) left; it said: %.200s",
             check_status_text(&r), r.leftover_zombies,
             r.err[0] != '\0' ? r.err : "(nothing on stderr)\n");
    seen[strcspn(seen, "\n")] = '\0';
    check_that(!r.timed_out && WIFEXITED(r.status) &&
                   WEXITSTATUS(r.status) == 0 && r.leftovers == 0,
               0, "it ends well, with every child reaped",
               "exit status 0, no zombie left", seen,
               "every child must be waited for once: not reaped, it stays a "
               "zombie.");
    check_passed();
}
