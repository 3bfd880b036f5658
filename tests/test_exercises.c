/* tests/test_exercises.c — the exercises prove themselves: for each one in
 * exercises/course.txt, `exercises/ex.sh BUILD prove NAME` checks that
 *  (a) the exercise as shipped (its lesson with the TODO regions cut out)
 *      fails its checker;
 *  (b) the lesson it was carved from passes it;
 *  (c) every typical wrong solution in tests/exercises/NAME.wrong* fails
 *      it, saying what that wrong solution's "expect" line says.
 * Proved in the plain make test only (see test_prove for why not under
 * the sanitizers).
 * The exercises are made from the lessons (exercises/carve.awk), so an
 * exercise cannot drift from its lesson: if a lesson changes where a TODO
 * region was, carving fails here and names the region.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/clock.h"
#include "tests/harness.h"

/* The build folder: program_path("x") is BUILD/x. */
static char *build_folder(void)
{
    const char *p = program_path("x");
    char *b = strdup(p);
    assert_non_null(b);
    b[strlen(b) - 2] = '\0';
    return b;
}

/* The proofs mostly wait (for a wrong solution to show itself, or for a
 * bound to pass), so up to JOBS run at once: each test starts the next
 * ones before it waits for its own. A proof passed when ex.sh printed
 * "prove NAME: ok" (it prints that only when every part held). */
enum { JOBS = 3, MAX_EXERCISES = 64 };
static char names[MAX_EXERCISES][32];
static size_t count, started;
static pid_t proofs[MAX_EXERCISES];
static char outdir[512];

static void start_proof(size_t i)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s.out", outdir, names[i]);
    char *build = build_folder();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setpgid(0, 0); /* so a proof that overruns is stopped whole */
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        execl("/bin/sh", "sh", "exercises/ex.sh", build, "prove", names[i],
              (char *)NULL);
        _exit(127);
    }
    proofs[i] = pid;
    free(build);
}

/* Wait at most seconds for proof i; false if it overran (then killed). */
static bool wait_proof(size_t i, double seconds)
{
    for (double waited = 0; waited < seconds; waited += 0.05) {
        pid_t got = waitpid(proofs[i], NULL, WNOHANG);
        if (got == proofs[i] || (got < 0 && errno == ECHILD))
            return true; /* ECHILD: another test's clean-up reaped it */
        clock_sleep_ms(50);
    }
    kill(-proofs[i], SIGKILL);
    waitpid(proofs[i], NULL, 0);
    return false;
}

static void test_prove(void **state)
{
    size_t i = (size_t)((char *)*state - names[0]) / sizeof names[0];
    const char *name = names[i];
    if (strcmp(harness_sanitizer(), "none") != 0) {
        /* What is proved here is the checkers' judgement, which the plain
         * make test proves; the lessons the exercises come from run under
         * the sanitizers in their own suites. Built with a sanitizer, each
         * proof would compile and run every wrong solution again, 3 to 5
         * times slower: minutes of CI for nothing new. */
        print_message("%s: proved by the plain make test, not again under "
                      "the %s sanitizer\n", name, harness_sanitizer());
        skip();
    }
    while (started < count && started < i + JOBS)
        start_proof(started++);
    bool ended = wait_proof(i, harness_timeout(180));

    char path[600], line[1024], ok_line[64];
    snprintf(path, sizeof path, "%s/%s.out", outdir, name);
    snprintf(ok_line, sizeof ok_line, "prove %s: ok\n", name);
    bool ok = false;
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        ok = ok || strcmp(line, ok_line) == 0;
        if (!ok)
            fputs(line, stderr); /* what went wrong, in the checker's words */
    }
    fclose(f);
    unlink(path);
    if (!ended)
        fail_msg("%s: the proof did not end in time", name);
    assert_true(ok);
}

int main(void)
{
    if (access("exercises/ex.sh", R_OK) != 0) {
        printf("test_exercises: run from the top of the checkout (make test)\n");
        return 1;
    }
    static struct CMUnitTest tests[MAX_EXERCISES];
    size_t n = 0;
    FILE *f = fopen("exercises/course.txt", "r");
    assert_non_null(f);
    char line[256];
    while (n < MAX_EXERCISES && fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || sscanf(line, "%31s", names[n]) != 1)
            continue;
        tests[n] = (struct CMUnitTest){names[n], test_prove, NULL, NULL,
                                        names[n]};
        n++;
    }
    fclose(f);
    count = n;
    const char *tmp = getenv("TMPDIR");
    snprintf(outdir, sizeof outdir, "%s/conclab-proofs.XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(outdir) == NULL) {
        perror("test_exercises: mkdtemp");
        return 1;
    }
    int failed = _cmocka_run_group_tests("exercises", tests, n,
                                         harness_group_setup, NULL);
    rmdir(outdir);
    return failed;
}
