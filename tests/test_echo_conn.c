/* tests/test_echo_conn.c — common/echo_conn: what day10's select, poll
 * and epoll servers share: a turn of echoing is bounded, a client that
 * does not read its echo is not read from (and what it did not take is
 * kept, at most ECHO_BUFSIZE bytes, until it does), a half-close still
 * gets its echo, and an idle client holds no buffer.
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
    if (echo_serve(c, false))               /* "bye" echoed (short read) */
        assert_false(echo_serve(c, false)); /* then EOF: done */
    assert_int_equal(read(client, buf, sizeof buf), 3);
    echo_close(c);
    close(client);
}

/* The client sends and never reads: our echo stalls, the bytes it would
 * not take are kept (at most ECHO_BUFSIZE), and we stop reading from it
 * (its bytes stay in the kernel). Once it reads, all of them come back, in
 * order, and the backlog is freed. */
static void test_a_stalled_echo_stops_reading(void **state)
{
    (void)state;
    int client;
    struct echo_conn *c = pair(&client);
    assert_int_equal(fcntl(client, F_SETFL, O_NONBLOCK), 0);
    static unsigned char sent[4 << 20], back[4 << 20];
    for (size_t i = 0; i < sizeof sent; i++)
        sent[i] = (unsigned char)(i * 7 + i / 251);
    size_t out = 0, in = 0;
    int rounds = 0;
    while (echo_wants_read(c) && rounds++ < 10000) {
        ssize_t n;
        while (out < sizeof sent &&
               (n = write(client, sent + out, sizeof sent - out)) > 0)
            out += (size_t)n;
        assert_true(echo_serve(c, false));
    }
    assert_false(echo_wants_read(c));
    assert_true(echo_wants_write(c));
    assert_non_null(c->backlog);
    assert_true(c->end - c->start > 0);
    assert_true(c->end - c->start <= ECHO_BUFSIZE);
    /* the client reads; the server goes on until all is back */
    rounds = 0;
    while (in < out && rounds++ < 100000) {
        ssize_t n = read(client, back + in, sizeof back - in);
        if (n > 0)
            in += (size_t)n;
        else
            assert_true(n < 0 && errno == EAGAIN);
        assert_true(echo_serve(c, false));
    }
    assert_int_equal(in, out);
    assert_memory_equal(back, sent, out);
    assert_null(c->backlog); /* all sent: freed */
    assert_true(echo_wants_read(c));
    echo_close(c);
    close(client);
}

/* An idle client costs its struct, not a buffer: a struct echo_conn is
 * small (it was 16 KiB with its buffer inside), and once its echo is all
 * sent it holds nothing more. */
static void test_an_idle_client_holds_no_buffer(void **state)
{
    (void)state;
    print_message("    sizeof(struct echo_conn) = %zu bytes\n",
                  sizeof(struct echo_conn));
    assert_true(sizeof(struct echo_conn) <= 256);
    int client;
    struct echo_conn *c = pair(&client);
    assert_null(c->backlog);
    static char msg[ECHO_BUFSIZE * 3];
    memset(msg, 'x', sizeof msg);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(write(client, msg, 100), 100);
        assert_true(echo_serve(c, false));
        char back[100];
        assert_int_equal(read(client, back, sizeof back), 100);
        assert_null(c->backlog);
    }
    echo_close(c);
    close(client);
}

/* A turn reads until a read comes back short or EAGAIN; with c->drain
 * (epoll_server -e, when the client has closed) until EAGAIN. Either way
 * a client's EOF that came with its last bytes is found: on the next turn
 * (level-triggered, the socket stays readable), or with drain in this one. */
static void test_eof_with_the_data(void **state)
{
    (void)state;
    for (int edge = 0; edge < 2; edge++) {
        int client;
        struct echo_conn *c = pair(&client);
        c->drain = edge;
        assert_int_equal(write(client, "last", 4), 4);
        assert_int_equal(shutdown(client, SHUT_WR), 0);
        bool more = echo_serve(c, false);
        if (edge)
            assert_false(more); /* EOF found in the same turn */
        else if (more)
            assert_false(echo_serve(c, false)); /* the next turn finds it */
        char back[8];
        assert_int_equal(read(client, back, sizeof back), 4);
        assert_memory_equal(back, "last", 4);
        echo_close(c);
        close(client);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_and_half_close),
        cmocka_unit_test(test_a_stalled_echo_stops_reading),
        cmocka_unit_test(test_an_idle_client_holds_no_buffer),
        cmocka_unit_test(test_eof_with_the_data),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
