/* exercises/thread_event/check.c — the checker for the thread_event
 * exercise (an Event from a mutex and a condition variable).
 *
 * Four runs of the program:
 *  - the visitor sets the Event after 300 ms: main's wait() must block
 *    until then (not return at once, not hang);
 *  - --set-first: the Event is set BEFORE main waits: wait() must return
 *    true at once. A condition variable does not remember a signal sent
 *    when nobody waited: only a check of the flag before sleeping does;
 *  - -t 100 -d 1000: the wait times out after about 100 ms, -> false;
 *  - the cleared Event: a 50 ms wait -> false.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "exercises/checklib.h"

/* The first line holding call and " -> RESULT after S s": its seconds,
 * RESULT in result ("true"/"false") and the line, quoted, in line. -1 if
 * there is none. */
static double wait_line(const char *out, const char *call, char *result,
                        char *line, size_t size)
{
    snprintf(line, size, "(no \"%s ... -> ...\" line)", call);
    result[0] = '\0';
    for (const char *p = out; *p != '\0';) {
        const char *end = strchr(p, '\n');
        int len = (int)(end != NULL ? end - p : (long)strlen(p));
        char one[200];
        snprintf(one, sizeof one, "%.*s", len, p);
        const char *arrow = strstr(one, " -> ");
        double s;
        if (strstr(one, call) != NULL && arrow != NULL &&
            sscanf(arrow, " -> %5s after %lf s", result, &s) == 2) {
            snprintf(line, size, "\"%s\"", one);
            return s;
        }
        p += len + (end != NULL);
    }
    return -1;
}

static void run(struct check_run *r, const char *a1, const char *a2,
                const char *a3, const char *a4)
{
    const char *args[] = {a1, a2, a3, a4, NULL};
    check_run_busy(r, args, check_timeout(20), 3.0);
}

int main(int argc, char *argv[])
{
    check_start("thread_event", argc, argv);
    static struct check_run r;
    char result[8], line[256];

    run(&r, NULL, NULL, NULL, NULL);
    double s = wait_line(r.out, "main: e.wait()", result, line, sizeof line);
    check_that(!r.timed_out, 2, "main's wait() ends when the visitor speaks",
               "the program ends", "it hung: main slept on the condition "
               "variable and nothing woke it",
               "set() must broadcast on the same condition variable the "
               "waiter sleeps on, after setting the flag under the mutex");
    check_that(strcmp(result, "true") == 0 && s >= 0.2, 2,
               "main's wait() blocks until set(), 300 ms later",
               "\"main: e.wait() -> true after 0.30 s\" (0.2 s or more)",
               line,
               "wait() must sleep while the flag is false; returning at once "
               "(or false) means it did not wait for set()");

    run(&r, "--set-first", NULL, NULL, NULL);
    s = wait_line(r.out, "main: e.wait()", result, line, sizeof line);
    check_that(!r.timed_out && strcmp(result, "true") == 0 && s < 1.0, 2,
               "an Event set before anyone waits is remembered",
               "\"main: e.wait() -> true after 0.000 s\"",
               r.timed_out ? "it hung: main waited for a wake-up that had "
                             "already happened"
                           : line,
               "a condition variable keeps no memory: a broadcast sent when "
               "nobody waits is lost. The flag remembers — so check it "
               "BEFORE sleeping, in a loop: while (!flag) wait.");

    run(&r, "-t", "100", "-d", "1000");
    s = wait_line(r.out, "main: e.wait(100 ms)", result, line, sizeof line);
    check_that(!r.timed_out && strcmp(result, "false") == 0 && s >= 0.09 &&
                   s < 0.9,
               2, "a wait with a timeout gives up in time",
               "\"main: e.wait(100 ms) -> false after 0.10 s\"",
               r.timed_out ? "it hung" : line,
               "pthread_cond_timedwait returns ETIMEDOUT at the deadline: "
               "then the loop must stop and wait() return the flag (false)");

    s = wait_line(r.out, "main: e.wait(50 ms)", result, line, sizeof line);
    check_that(strcmp(result, "false") == 0, 2,
               "after e.clear(), a short wait -> false", "\"-> false\"",
               line, NULL);
    check_that(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, 0,
               "it ends well", "exit status 0", check_status_text(&r), NULL);
    check_passed();
}
