/* tests/test_fds.c — common/fds: raising RLIMIT_NOFILE, and the spare fd
 * that lets a server refuse a client when it is out of fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/fds.h"
#include "common/net.h"
#include "tests/echo_support.h"
#include "tests/harness.h"

static void test_limit_raise_goes_to_the_hard_limit(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    struct rlimit lower = rl;
    lower.rlim_cur = 100;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &lower), 0);
    assert_int_equal(fd_limit_current(), 100);
    long raised = fd_limit_raise();
    long want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_LIMIT_MAX ? FD_LIMIT_MAX
                                                                           : (long)rl.rlim_max;
    assert_int_equal(raised, want);
    assert_int_equal(fd_limit_current(), want);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0); /* as it was */
}

static void test_spare_refuses_a_waiting_client(void **state)
{
    (void)state;
    int lfd = net_tcp_listen("127.0.0.1", 0, 4);
    assert_true(lfd >= 0);
    int spare = fd_spare_open();
    assert_true(spare >= 0);
    assert_true(fcntl(spare, F_GETFD) & FD_CLOEXEC);
    int client = connect_to(net_local_port(lfd));
    /* a blocking socket with fds to spare: the client is not refused, the
     * caller's next accept will take it */
    assert_int_equal(fd_spare_refuse(&spare, lfd, "busy\n"), 0);
    assert_true(spare >= 0 && fcntl(spare, F_GETFD) >= 0);
    assert_true(echo_nothing_to_read(client));
    /* non-blocking (the multiplexed servers): refused at once */
    assert_int_equal(net_set_nonblocking(lfd, true), 0);
    assert_int_equal(fd_spare_refuse(&spare, lfd, "busy\n"), 1);
    assert_true(spare >= 0 && fcntl(spare, F_GETFD) >= 0); /* the spare is back */
    char buf[64];
    assert_int_equal(echo_read_to_eof(client, buf, sizeof buf, 5), 5);
    assert_string_equal(buf, "busy\n");
    close(client);

    /* nobody waiting, non-blocking: 0, and the spare is still back */
    assert_int_equal(fd_spare_refuse(&spare, lfd, NULL), 0);
    assert_true(spare >= 0 && fcntl(spare, F_GETFD) >= 0);
    close(spare);
    close(lfd);
}

static void test_spare_makes_room_when_out_of_fds(void **state)
{
    (void)state;
    int lfd = net_tcp_listen("127.0.0.1", 0, 4);
    int spare = fd_spare_open();
    int client = connect_to(net_local_port(lfd));
    struct rlimit rl, tight;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    tight = rl;
    tight.rlim_cur = (rlim_t)echo_lowest_free_fd(getpid()); /* no fd left */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
    errno = 0;
    assert_int_equal(accept(lfd, NULL, NULL), -1);
    int accept_errno = errno;
    int refused = fd_spare_refuse(&spare, lfd, "full\n");
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    assert_int_equal(accept_errno, EMFILE);
    assert_int_equal(refused, 1);
    assert_true(spare >= 0);
    char buf[64];
    assert_int_equal(echo_read_to_eof(client, buf, sizeof buf, 5), 5);
    assert_string_equal(buf, "full\n");
    close(client);
    close(spare);
    close(lfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_limit_raise_goes_to_the_hard_limit, harness_teardown),
        cmocka_unit_test_teardown(test_spare_refuses_a_waiting_client, harness_teardown),
        cmocka_unit_test_teardown(test_spare_makes_room_when_out_of_fds, harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
