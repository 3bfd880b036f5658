/* tests/process_support.c — see process_support.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
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
#include "common/io.h"
#include "common/procfs.h"
#include "tests/harness.h"
#include "tests/process_support.h"

/* Has pid exited? Asked without reaping it (WNOWAIT), so that its
 * zombie children stay where they are until we have counted them. */
static bool exited_unreaped(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
        return false;
    return info.si_pid == pid;
}

void lesson_finish(struct lesson *l, double timeout)
{
    double deadline = clock_now() + harness_timeout(timeout);
    while (!exited_unreaped(l->proc.pid) && clock_now() < deadline)
        clock_sleep_ms(2);
    int zombies = 0;
    /* Our children now: the program itself (a zombie, if it has exited),
     * and whatever it left behind, re-parented to us. */
    int children = count_children(getpid(), &zombies);
    bool exited = exited_unreaped(l->proc.pid);
    l->strays = children - 1;
    l->stray_zombies = zombies - (exited ? 1 : 0);
    l->status = program_wait(&l->proc, exited ? 1.0 : 0.0);
    l->out = server_output(&l->proc, false);
    l->err = server_output(&l->proc, true);
    if (!exited)
        fail_msg("%s did not end within %.1f s\n--- stdout:\n%s\n--- stderr:\n%s", "program",
                 harness_timeout(timeout), l->out, l->err);
}

void lesson_start(struct lesson *l, const char *const argv[])
{
    memset(l, 0, sizeof *l);
    program_start(&l->proc, argv);
}

void lesson_run(struct lesson *l, const char *const argv[], const char *input, double timeout)
{
    lesson_start(l, argv);
    if (input != NULL && io_write_all(l->proc.stdin_fd, input, strlen(input)) < 0)
        fail_msg("writing the program's stdin: %s", strerror(errno));
    close(l->proc.stdin_fd); /* end of input */
    l->proc.stdin_fd = -1;
    lesson_finish(l, timeout);
}

void lesson_free(struct lesson *l)
{
    free(l->out);
    free(l->err);
    l->out = l->err = NULL;
}

void lesson_assert_exit(const struct lesson *l, int code, const char *file, int line)
{
    const char *why = NULL;
    if (l->proc.killed)
        why = "killed at the timeout";
    else if (!WIFEXITED(l->status))
        why = "did not exit normally";
    else if (WEXITSTATUS(l->status) != code)
        why = "wrong exit code";
    else if (strstr(l->err, "Sanitizer") != NULL || strstr(l->err, "runtime error:") != NULL)
        why = "sanitizer report on stderr";
    else if (l->strays != 0)
        why = "children left behind (alive or zombie)";
    if (why == NULL)
        return;
    print_error("%s: expected exit %d; raw status 0x%x, %d stray(s), %d of them zombies\n"
                "--- stdout:\n%s\n--- stderr:\n%s\n---\n",
                why, code, (unsigned)l->status, l->strays, l->stray_zombies, l->out, l->err);
    _fail(file, line);
}

void expect_exit_code(const char *const argv[], int code)
{
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, code);
    lesson_free(&l);
}

void expect_line(const char *text, const char *line)
{
    if (!has_line(text, line))
        fail_msg("missing line '%s' in:\n%s", line, text);
}

long number_after(const char *text, const char *prefix)
{
    const char *at = strstr(text, prefix);
    if (at == NULL)
        fail_msg("no '%s' in:\n%s", prefix, text);
    char *end;
    errno = 0;
    long value = strtol(at + strlen(prefix), &end, 10);
    if (end == at + strlen(prefix) || errno != 0)
        fail_msg("no number after '%s' in:\n%s", prefix, text);
    return value;
}

long number_after_in_line(const char *text, const char *needle, const char *prefix)
{
    const char *at = strstr(text, needle);
    if (at == NULL)
        fail_msg("no line with '%s' in:\n%s", needle, text);
    while (at > text && at[-1] != '\n')
        at--;
    size_t len = strcspn(at, "\n");
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)len, at);
    return number_after(line, prefix);
}

static void run_and_check(const char *const argv[], int code, bool usage_on_stdout)
{
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    assert_lesson_exit(&l, code);
    const char *usage_text = usage_on_stdout ? l.out : l.err;
    if (strncmp(usage_text, "usage: ", 7) != 0 && strstr(usage_text, "\nusage: ") == NULL)
        fail_msg("%s %s: no usage on %s:\n%s", argv[0], argv[1],
                 usage_on_stdout ? "stdout" : "stderr", usage_text);
    if (!usage_on_stdout && l.out[0] != '\0')
        fail_msg("%s %s: a usage error should print nothing on stdout:\n%s", argv[0], argv[1],
                 l.out);
    lesson_free(&l);
}

void expect_usage_contract(const char *program)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", program_path(program));
    const char *help[] = {path, "-h", NULL};
    run_and_check(help, 0, true);
    const char *bad_option[] = {path, "-Z", NULL};
    run_and_check(bad_option, 2, false);
    const char *extra[] = {path, "surplus", NULL};
    run_and_check(extra, 2, false);
}

void expect_fork_failure_reported(const char *program, const char *arg)
{
    char helper[4096], path[4096], want[256];
    snprintf(helper, sizeof helper, "%s", program_path("tests/helpers/no_fork"));
    snprintf(path, sizeof path, "%s", program_path(program));
    const char *argv[] = {helper, path, arg, NULL};
    struct lesson l;
    lesson_run(&l, argv, NULL, 10);
    snprintf(want, sizeof want, "fork: %s\n", strerror(EAGAIN));
    if (strstr(l.err, want) == NULL)
        fail_msg("%s: expected '%s' on stderr; status 0x%x\n--- stdout:\n%s\n--- stderr:\n%s",
                 program, want, (unsigned)l.status, l.out, l.err);
    assert_lesson_exit(&l, 1);
    lesson_free(&l);
}

bool wait_for_state(pid_t pid, char want, double timeout)
{
    double deadline = clock_now() + harness_timeout(timeout);
    while (procfs_state(pid) != want) {
        if (clock_now() > deadline)
            return false;
        clock_sleep_ms(1);
    }
    return true;
}

/* Read fd until EOF or the deadline (poll); append to *buf. */
static void read_until_eof(int fd, char **buf, size_t *len, double deadline)
{
    for (;;) {
        double left = deadline - clock_now();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
            return;
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        char *more = realloc(*buf, *len + (size_t)n + 1);
        assert_non_null(more);
        *buf = more;
        memcpy(*buf + *len, chunk, (size_t)n);
        *len += (size_t)n;
        (*buf)[*len] = '\0';
    }
}

char *run_into_head(const char *const argv[], int *status)
{
    int out[2], err[2];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL); /* as a shell starts a pipeline */
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(STDIN_FILENO);
        close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    double deadline = clock_now() + harness_timeout(10.0);
    /* head -1: the first line, then gone */
    char c = 0;
    while (c != '\n' && clock_now() < deadline) {
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        if (poll(&p, 1, 100) > 0 && read(out[0], &c, 1) <= 0)
            break;
    }
    close(out[0]);
    char *text = calloc(1, 1);
    size_t len = 0;
    assert_non_null(text);
    read_until_eof(err[0], &text, &len, deadline);
    close(err[0]);
    while (waitpid(pid, status, WNOHANG) == 0 && clock_now() < deadline)
        clock_sleep_ms(2);
    if (clock_now() >= deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, status, 0);
        fail_msg("%s | head -1: still running after its deadline", argv[0]);
    }
    harness_reap_orphans(); /* a grandchild it left behind */
    return text;
}

void expect_into_head_ok(const char *program, const char *arg, int runs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", program_path(program));
    const char *argv[] = {path, arg, NULL};
    for (int i = 0; i < runs; i++) {
        int status;
        char *err = run_into_head(argv, &status);
        bool pipe_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE;
        bool said_so = WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
                       strstr(err, "killed by SIGPIPE") != NULL;
        bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (strstr(err, "status 0x") != NULL ||
            strstr(err, "raw status") != NULL ||
            !(pipe_killed || said_so || clean))
            fail_msg("%s %s | head -1: status 0x%x, stderr:\n%s", program,
                     arg != NULL ? arg : "", (unsigned)status, err);
        free(err);
    }
}
