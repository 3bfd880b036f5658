/* tests/process_support.h — running the process lessons (day5, day6) and
 * checking what they leave behind, from outside the program.
 *
 * lesson_run starts the program, feeds its stdin, and when it has exited
 * — before anyone reaps it — counts the test process's own children.
 * The test process is a child subreaper, so every child the program left
 * behind, alive or zombie, has been re-parented to it: lesson.strays
 * counts them, lesson.stray_zombies counts the zombies among them. Then
 * the program is reaped (program_wait), and everything else is cleaned up.
 * So run one program at a time with these.
 *
 * Include <stdarg.h> <stddef.h> <stdint.h> <setjmp.h> <cmocka.h> and
 * tests/harness.h first.
 */
#ifndef CONCLAB_PROCESS_SUPPORT_H
#define CONCLAB_PROCESS_SUPPORT_H

#include <stdbool.h>
#include <sys/types.h>

#include "tests/harness.h"

struct lesson {
    struct server proc; /* the running program (pid, output files) */
    int status;         /* raw wait status */
    int strays;         /* its children left when it exited (live or zombie) */
    int stray_zombies;  /* ...of which zombies */
    char *out, *err;    /* everything it wrote */
};

/* Start argv in the background (program_start), for a test that looks at
 * it while it runs; end with lesson_finish. */
void lesson_start(struct lesson *l, const char *const argv[]);

/* Run argv to its end (bounded by timeout seconds, scaled), with input on
 * stdin (NULL: none, stdin is closed at once). */
void lesson_run(struct lesson *l, const char *const argv[], const char *input, double timeout);

/* For a program started with program_start(&l->proc, ...): wait (bounded)
 * for it to exit, count the strays, reap it, collect its output. */
void lesson_finish(struct lesson *l, double timeout);

/* Free the output. */
void lesson_free(struct lesson *l);

/* Fail unless the program exited with code, with no sanitizer report and
 * no stray child (live or zombie). */
#define assert_lesson_exit(l, code) lesson_assert_exit((l), (code), __FILE__, __LINE__)
void lesson_assert_exit(const struct lesson *l, int code, const char *file, int line);

/* Run argv to its end and fail unless it exited with code (as above). */
void expect_exit_code(const char *const argv[], int code);

/* Fail unless one line of text is exactly line. */
void expect_line(const char *text, const char *line);

/* The number right after the first occurrence of prefix in text; fails the
 * test if there is none. */
long number_after(const char *text, const char *prefix);

/* Like number_after, searching from the start of the line that contains
 * needle (the first such line). */
long number_after_in_line(const char *text, const char *needle, const char *prefix);

/* The standard argument checks: -h prints usage on stdout and exits 0; a
 * bad option, and an extra argument, print usage on stderr and exit 2. */
void expect_usage_contract(const char *program);

/* Run program (with one argument arg, or none if NULL) where every fork()
 * fails (tests/helpers/no_fork): it must say "fork: <strerror(EAGAIN)>" on
 * stderr and exit 1, leaving no child behind. */
void expect_fork_failure_reported(const char *program, const char *arg);

/* Run argv as in `argv | head -1`: stdout into a pipe from which only
 * the first line is read before its read end is closed, so the next
 * write to it raises SIGPIPE. Bounded; what the program left behind is
 * reaped. Returns its stderr (free it); *status gets its wait status. */
char *run_into_head(const char *const argv[], int *status);

/* Run program (with arg, or none if NULL) runs times as in
 * `program | head -1`. Each run must end cleanly (exit 0), be killed by
 * SIGPIPE at its own next line, or exit 1 saying which child was "killed
 * by SIGPIPE"; never a raw status on stderr. */
void expect_into_head_ok(const char *program, const char *arg, int runs);

/* Poll until pid's state letter is want (bounded, scaled); true if seen. */
bool wait_for_state(pid_t pid, char want, double timeout);

#endif
