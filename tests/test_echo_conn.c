/* tests/test_echo_conn.c — common/echo_conn: what day10's select, poll
 * and epoll servers share: a turn of echoing is bounded, a full buffer
 * stops the reading, a half-close still gets its echo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/echo_conn.h"
#include "common/net.h"
#include "tests/harness.h"

/* A connection whose client end is *client. */
static struct echo_conn *pair(int *client)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(net_set_nonblocking(sv[0], true), 0);
    struct echo_conn *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->fd = sv[0];
    snprintf(c->peer, sizeof c->peer, "test");
    *client = sv[1];
    return c;
}

static void test_echo_and_half_close(void **state)
{
    (void)state;
    int client;
    struct echo_conn *c = pair(&client);
    assert_true(echo_wants_read(c));
    assert_false(echo_wants_write(c));
    assert_true(echo_serve(c, false)); /* nothing yet: EAGAIN */
    assert_int_equal(write(client, "hello", 5), 5);
    assert_true(echo_serve(c, false));
    char buf[16];
    assert_int_equal(read(client, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(c->echoed, 5);
    assert_int_equal(write(client, "bye", 3), 3);
    assert_int_equal(shutdown(client, SHUT_WR), 0);
    assert_false(echo_serve(c, false)); /* echoed, then done */
    assert_int_equal(read(client, buf, sizeof buf), 3);
    echo_close(c);
    close(client);
}

static void test_a_full_buffer_stops_reading(void **state)
{
    (void)state;
    int client;
    struct echo_conn *c = pair(&client);
    /* the client sends and never reads: our echo stalls, then we stop
     * reading from it (its bytes stay in the kernel). */
    assert_int_equal(fcntl(client, F_SETFL, O_NONBLOCK), 0);
    static char junk[4096];
    int rounds = 0;
    while (echo_wants_read(c) && rounds++ < 10000) {
        while (write(client, junk, sizeof junk) > 0)
            ;
        assert_true(echo_serve(c, false));
    }
    assert_false(echo_wants_read(c));
    assert_true(echo_wants_write(c));
    assert_int_equal(c->end, ECHO_BUFSIZE);
    echo_close(c);
    close(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_and_half_close),
        cmocka_unit_test(test_a_full_buffer_stops_reading),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
