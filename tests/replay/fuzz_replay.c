/* tests/replay/fuzz_replay.c — replay a fuzz target's corpus without
 * libFuzzer, as a cmocka suite of make test.
 *
 * The Makefile links this main with each fuzz/NAME.c (built with the
 * normal compiler and flags, and with ASan/UBSan/TSan in make sanitize and
 * make tsan) into BUILD/tests/fuzz_NAME. It finds fuzz/corpus/NAME (from
 * the current folder, where make runs, or above the program) and feeds
 * every file in it to the target's LLVMFuzzerTestOneInput, each in a child
 * process, so one input that crashes or aborts (a broken invariant) is
 * named and the others still run. The corpus holds the seed inputs and
 * every input that ever crashed (make fuzz SECS=N writes new crashers
 * there). A new fuzz/NAME.c needs no edit here, only its corpus folder: a
 * target without one fails, so none goes unreplayed.
 */
#define _GNU_SOURCE /* basename from string.h */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static char target[256];       /* NAME, from this program's name fuzz_NAME */
static char corpus[PATH_MAX];  /* fuzz/corpus/NAME */

/* Read a whole file into a fresh buffer (never NULL on success). */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("fuzz_%s: open %s: %s", target, path, strerror(errno));
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (buf == NULL || bad)
        fail_msg("fuzz_%s: read %s", target, path);
    *size = len;
    return buf;
}

/* Run the target on one file in a child; 0 if it returned normally. */
static int replay_one(const char *path)
{
    size_t size;
    uint8_t *data = slurp(path, &size);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fuzz_%s: fork: %s", target, strerror(errno));
    if (pid == 0) {
        /* libFuzzer hands the target a buffer of exactly size bytes:
         * copy it so ASan sees a read past the end. */
        uint8_t *exact = malloc(size > 0 ? size : 1);
        if (exact == NULL)
            _exit(125);
        memcpy(exact, data, size);
        LLVMFuzzerTestOneInput(exact, size);
        free(exact);
        _exit(0);
    }
    free(data);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail_msg("fuzz_%s: waitpid: %s", target, strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        print_error("fuzz_%s: %s: killed by signal %d\n", target, path, WTERMSIG(status));
    else
        print_error("fuzz_%s: %s: exit status %d\n", target, path, WEXITSTATUS(status));
    return -1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_input(const struct dirent *e)
{
    return e->d_name[0] != '.'; /* skip ., .. and hidden files (.gitkeep) */
}

/* Every file of the corpus goes through the target; none may crash. */
static void test_replay_corpus(void **state)
{
    (void)state;
    char rel[sizeof corpus];
    snprintf(rel, sizeof rel, "%s", corpus);
    if (path_find_shipped(rel, corpus, sizeof corpus) < 0)
        fail_msg("fuzz_%s: no corpus folder fuzz/corpus/%s: commit seed inputs there", target,
                 target);
    struct dirent **names;
    int n = scandir(corpus, &names, is_input, by_name);
    if (n < 0)
        fail_msg("fuzz_%s: scandir %s: %s", target, corpus, strerror(errno));
    int failed = 0, inputs = 0;
    for (int i = 0; i < n; i++) {
        char path[2 * PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", corpus, names[i]->d_name);
        free(names[i]);
        struct stat st;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        inputs++;
        if (replay_one(path) < 0)
            failed++;
    }
    free(names);
    print_message("    fuzz_%s: %d inputs from %s, %d failed\n", target, inputs, corpus, failed);
    if (inputs == 0)
        fail_msg("fuzz_%s: %s is empty: commit seed inputs there", target, corpus);
    assert_int_equal(failed, 0);
}

int main(int argc, char *argv[])
{
    const char *name = basename(argv[0]);
    snprintf(target, sizeof target, "%s", strncmp(name, "fuzz_", 5) == 0 ? name + 5 : name);
    snprintf(corpus, sizeof corpus, "fuzz/corpus/%s", target);
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    char title[300];
    snprintf(title, sizeof title, "fuzz_%s", target);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_corpus),
    };
    return _cmocka_run_group_tests(title, tests, 1, NULL, NULL);
}
