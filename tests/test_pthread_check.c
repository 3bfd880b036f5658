/* tests/test_pthread_check.c — common/pthread_check: a failed pthread_*
 * call is reported with its name and the error it returned, and exits 1;
 * mutex_lock / mutex_unlock lock and unlock, and die when the call fails. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/pthread_check.h"
#include "tests/harness.h"

/* Run fn in a child with its stderr captured into err; return the wait status. */
static int stderr_of_child(void (*fn)(void), char *err, size_t size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    ssize_t n = io_read_exact(fds[0], err, size - 1);
    err[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void call_die_pthread(void)
{
    prog_init("/x/lesson");
    errno = 0; /* die_pthread reports its argument, not errno */
    die_pthread(EAGAIN, "pthread_create");
}

static void test_die_pthread_reports_the_returned_error(void **state)
{
    (void)state;
    char err[256];
    int status = stderr_of_child(call_die_pthread, err, sizeof err);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    char want[128];
    snprintf(want, sizeof want, "lesson: pthread_create: %s\n", strerror(EAGAIN));
    assert_string_equal(err, want);
}

static void test_mutex_lock_and_unlock(void **state)
{
    (void)state;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    mutex_lock(&m);
    assert_int_equal(pthread_mutex_trylock(&m), EBUSY); /* really locked */
    mutex_unlock(&m);
    assert_int_equal(pthread_mutex_trylock(&m), 0); /* really unlocked */
    pthread_mutex_unlock(&m);
    pthread_mutex_destroy(&m);
}

/* Unlocking an error-checking mutex we do not hold fails with EPERM. */
static void call_bad_unlock(void)
{
    prog_init("lesson");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t m;
    pthread_mutex_init(&m, &attr);
    mutex_unlock(&m);
}

static void test_mutex_unlock_failure_exits_1(void **state)
{
    (void)state;
    /* ThreadSanitizer stops such a program itself ("unlock of an unlocked
     * mutex"), before mutex_unlock can report: a bug it is there to catch. */
    if (strcmp(harness_sanitizer(), "thread") == 0)
        skip();
    char err[256];
    int status = stderr_of_child(call_bad_unlock, err, sizeof err);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    char want[128];
    snprintf(want, sizeof want, "lesson: pthread_mutex_unlock: %s\n", strerror(EPERM));
    assert_string_equal(err, want);
}

/* Locking an error-checking mutex twice fails with EDEADLK. */
static void call_relock(void)
{
    prog_init("lesson");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t m;
    pthread_mutex_init(&m, &attr);
    mutex_lock(&m);
    mutex_lock(&m);
}

static void test_mutex_relock_failure_exits_1(void **state)
{
    (void)state;
    char err[256];
    int status = stderr_of_child(call_relock, err, sizeof err);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    char want[128];
    snprintf(want, sizeof want, "lesson: pthread_mutex_lock: %s\n", strerror(EDEADLK));
    assert_string_equal(err, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_die_pthread_reports_the_returned_error, harness_teardown),
        cmocka_unit_test_teardown(test_mutex_lock_and_unlock, harness_teardown),
        cmocka_unit_test_teardown(test_mutex_unlock_failure_exits_1, harness_teardown),
        cmocka_unit_test_teardown(test_mutex_relock_failure_exits_1, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
