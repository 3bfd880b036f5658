/* tests/test_logline.c — common/logline: a whole line in one write, and
 * never a block on a full non-blocking pipe (the state the stop handler
 * leaves a blocked log in).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/logline.h"
#include "tests/harness.h"

/* Point stdout at fd for a while; the old stdout, to put back. */
static int swap_stdout(int fd)
{
    int old = dup(STDOUT_FILENO);
    assert_true(old >= 0);
    assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
    return old;
}

static void test_one_line_one_write(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    int old = swap_stdout(p[1]);
    ssize_t n = log_line("closed %s (%d bytes)\n", "127.0.0.1:5", 42);
    char big[2 * LOG_LINE_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ssize_t cut = log_line("%s\n", big);
    dup2(old, STDOUT_FILENO);
    close(old);
    close(p[1]);
    char buf[4 * LOG_LINE_MAX];
    ssize_t got = read(p[0], buf, sizeof buf);
    close(p[0]);
    assert_int_equal(n, 30);
    assert_int_equal(cut, LOG_LINE_MAX - 1); /* cut, never past the buffer */
    assert_int_equal(got, n + cut);
    assert_memory_equal(buf, "closed 127.0.0.1:5 (42 bytes)\n", 30);
}

static void test_full_pipe_drops_the_line(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    char fill[4096];
    memset(fill, 'f', sizeof fill);
    while (write(p[1], fill, sizeof fill) > 0)
        ; /* until the pipe is full */
    int old = swap_stdout(p[1]);
    errno = 0;
    ssize_t n = log_line("a line nobody can take\n");
    int err = errno;
    dup2(old, STDOUT_FILENO);
    close(old);
    close(p[0]);
    close(p[1]);
    assert_int_equal(n, -1);
    assert_int_equal(err, EAGAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_line_one_write),
        cmocka_unit_test(test_full_pipe_drops_the_line),
    };
    return cmocka_run_group_tests(tests, harness_group_setup,
                                  harness_teardown);
}
