/* exercises/thread_lock/check.c — the checker for the thread_lock
 * exercise (a counter protected by a mutex).
 *
 * Runs the program with its mutex on (the default): 4 threads add 200,000
 * each, and the lesson yields the CPU in the middle of every 1,000th
 * load-add-store, so without mutual exclusion updates ARE lost, on any
 * machine. The total must be exact and the pair never seen half-changed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "exercises/checklib.h"

/* The line of text that holds needle, quoted, or a note that none does. */
static const char *line_with(const char *text, const char *needle, char *out,
                             size_t size)
{
    const char *p = strstr(text, needle);
    if (p == NULL) {
        snprintf(out, size, "(no line with \"%s\")", needle);
        return out;
    }
    while (p > text && p[-1] != '\n')
        p--;
    const char *end = strchr(p, '\n');
    snprintf(out, size, "\"%.*s\"", (int)(end ? end - p : (long)strlen(p)), p);
    return out;
}

int main(int argc, char *argv[])
{
    check_start("thread_lock", argc, argv);
    struct check_run r;
    const char *args[] = {"-t", "4", "-n", "200000", NULL};
    check_run_busy(&r, args, check_timeout(60), 3.0);
    char seen[256];

    snprintf(seen, sizeof seen, "the program %s", check_status_text(&r));
    check_that(!r.timed_out, 2, "every thread finishes",
               "the program ends (it stopped using the CPU for 3 s: all "
               "its threads were waiting)", seen,
               "a thread waits for the mutex forever: someone took it and "
               "never gave it back (is release() unlocking it?)");

    line_with(r.out, "counter: expected", seen, sizeof seen);
    check_that(strstr(seen, ": exact") != NULL, 1,
               "the shared counter is exact",
               "\"counter: expected 800000, got 800000: exact\"", seen,
               "counter++ is load, add, store: a thread that gets in between "
               "another's load and store makes one increment vanish. Only "
               "one thread at a time may be between acquire() and release(): "
               "does acquire() really take the mutex?");

    line_with(r.out, "saw a != b", seen, sizeof seen);
    check_that(strstr(seen, "saw a != b 0 times") != NULL, 1,
               "the checker never sees the pair half-changed",
               "\"... saw a != b 0 times ...\"", seen,
               "with the mutex, the moment between a++ and b++ is hidden: "
               "the checker can only look before or after both.");

    snprintf(seen, sizeof seen, "the program %s", check_status_text(&r));
    check_that(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, 0,
               "it ends well", "exit status 0", seen, NULL);
    check_passed();
}
