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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

static void test_prove(void **state)
{
    const char *name = *state;
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
    char *build = build_folder();
    const char *argv[] = {"/bin/sh", "exercises/ex.sh", build, "prove", name, NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 120);
    if (r.exit_code != 0)
        fprintf(stderr, "%s%s", r.out, r.err);
    assert_false(r.timed_out);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "ok"));
    run_result_free(&r);
    free(build);
}

int main(void)
{
    if (access("exercises/ex.sh", R_OK) != 0) {
        printf("test_exercises: run from the top of the checkout (make test)\n");
        return 1;
    }
    static char names[64][32];
    static struct CMUnitTest tests[64];
    size_t n = 0;
    FILE *f = fopen("exercises/course.txt", "r");
    assert_non_null(f);
    char line[256];
    while (n < 64 && fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || sscanf(line, "%31s", names[n]) != 1)
            continue;
        tests[n] = (struct CMUnitTest){names[n], test_prove, NULL, harness_teardown, names[n]};
        n++;
    }
    fclose(f);
    return _cmocka_run_group_tests("exercises", tests, n, harness_group_setup, NULL);
}
