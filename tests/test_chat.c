/* tests/test_chat.c — day6/chat/chat_server and chat_client, for real.
 *
 * The test process plays the users: each user is a UDP socket of its own
 * (its own address), connected to the server, with a receive timeout so a
 * silent server fails a test instead of hanging it, and a large receive
 * buffer so no datagram is dropped on loopback. A user expects the exact
 * datagrams the protocol promises, in order.
 *
 * "Nothing more arrived" is proven without sleeping: barrier() sends a
 * request from a fresh socket and waits for its answer. The server handles
 * datagrams one at a time, in the order they arrive, so once that answer
 * is in, everything the server was going to send before it has been sent
 * (and on loopback, delivered), and an empty socket stays empty.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/io.h"
#include "common/net.h"
#include "common/procfs.h"
#include "day6/chat/chat_proto.h"
#include "tests/harness.h"

#define RECV_TIMEOUT 5.0 /* seconds (scaled) a user waits for one datagram */
#define MAX_USERS    64  /* sockets one test may open */

/* ---------------------------------------------------------------------------
 * Users: UDP sockets, closed in the teardown even when a test failed.
 * ------------------------------------------------------------------------- */

static int user_fds[MAX_USERS];
static int user_count;

static int chat_teardown(void **state)
{
    for (int i = 0; i < user_count; i++)
        if (user_fds[i] >= 0)
            close(user_fds[i]);
    user_count = 0;
    return harness_teardown(state);
}

/* A new user: a UDP socket connected to host:port. */
static int user_socket_at(const char *host, int port)
{
    if (user_count == MAX_USERS)
        fail_msg("test: more than %d users", MAX_USERS);
    int fd = net_udp_connect(host, port);
    if (fd < 0)
        fail_msg("test: udp connect %s port %d: %s", host, port, net_error());
    int size = 1 << 20; /* room for every notice a user gets in these tests */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0)
        fail_msg("test: SO_RCVBUF: %s", strerror(errno));
    set_socket_timeout(fd, RECV_TIMEOUT);
    user_fds[user_count++] = fd;
    return fd;
}

static int user_socket(int port)
{
    return user_socket_at("127.0.0.1", port);
}

/* Close a user's socket (it vanishes, as a crashed client would). */
static void user_close(int fd)
{
    for (int i = 0; i < user_count; i++)
        if (user_fds[i] == fd)
            user_fds[i] = -1;
    close(fd);
}

static void send_bytes(int fd, const void *data, size_t len)
{
    ssize_t n = send(fd, data, len, 0);
    if (n < 0 || (size_t)n != len)
        fail_msg("test: send %zu bytes: %s", len, n < 0 ? strerror(errno) : "short");
}

static void send_text(int fd, const char *text)
{
    send_bytes(fd, text, strlen(text));
}

/* The next datagram for fd, NUL-terminated in buf; fails at the timeout. */
static size_t recv_datagram(int fd, char *buf, size_t size)
{
    ssize_t n = recv(fd, buf, size - 1, 0);
    if (n < 0)
        fail_msg("test: no datagram within %.1fs: %s", harness_timeout(RECV_TIMEOUT),
                 strerror(errno));
    buf[n] = '\0';
    return (size_t)n;
}

/* The next datagram for fd must be exactly want. */
static void expect(int fd, const char *want)
{
    char buf[4096];
    size_t n = recv_datagram(fd, buf, sizeof buf);
    if (n != strlen(want) || memcmp(buf, want, n) != 0)
        fail_msg("test: expected '%s', got '%s' (%zu bytes)", want, buf, n);
}

/* The next datagram for fd must be a FAIL reply that contains why. */
static void expect_fail(int fd, const char *why)
{
    char buf[4096];
    recv_datagram(fd, buf, sizeof buf);
    if (strncmp(buf, "FAIL ", 5) != 0 || strstr(buf, why) == NULL)
        fail_msg("test: expected 'FAIL ...%s...', got '%s'", why, buf);
}

/* Skip "NAME joined" notices; the first other datagram must be want. */
static void expect_after_notices(int fd, const char *want)
{
    char buf[4096];
    for (int i = 0; i <= MAX_USERS; i++) {
        size_t n = recv_datagram(fd, buf, sizeof buf);
        if (n > 7 && strcmp(buf + n - 7, " joined") == 0)
            continue;
        if (strcmp(buf, want) != 0)
            fail_msg("test: expected '%s', got '%s'", want, buf);
        return;
    }
    fail_msg("test: too many notices before '%s'", want);
}

/* Nothing is waiting for fd (call after barrier()). */
static void expect_nothing(int fd)
{
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n >= 0) {
        buf[n] = '\0';
        fail_msg("test: unexpected datagram '%s'", buf);
    }
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Wait until the server has handled everything sent before (see top). */
static void barrier(int port)
{
    int fd = user_socket(port);
    send_text(fd, "Q nobody-is-called-this");
    expect_fail(fd, "unknown name");
    user_close(fd);
}

/* A new user logged in as name. */
static int log_in(int port, const char *name)
{
    int fd = user_socket(port);
    char request[128];
    snprintf(request, sizeof request, "L %s", name);
    send_text(fd, request);
    expect(fd, "OK");
    return fd;
}

/* alice and bob (and carol, if asked for) log in and hear of each other's
 * joins, so every socket starts the test empty. */
static void fill_room(int port, int *alice, int *bob, int *carol)
{
    *alice = log_in(port, "alice");
    *bob = log_in(port, "bob");
    expect(*alice, "bob joined");
    if (carol != NULL) {
        *carol = log_in(port, "carol");
        expect(*alice, "carol joined");
        expect(*bob, "carol joined");
    }
}

/* ---------------------------------------------------------------------------
 * Programs.
 * ------------------------------------------------------------------------- */

static char server_path[PATH_MAX], client_path[PATH_MAX];

static int group_setup(void **state)
{
    snprintf(server_path, sizeof server_path, "%s", program_path("day6/chat/chat_server"));
    snprintf(client_path, sizeof client_path, "%s", program_path("day6/chat/chat_client"));
    return harness_group_setup(state);
}

/* Start chat_server -p 0 with up to three more arguments (NULL ends). */
static void start_chat(struct server *s, const char *a, const char *b, const char *c)
{
    const char *argv[] = {server_path, "-p", "0", a, b, c, NULL};
    server_start(s, argv);
}

/* Type a line on a program's stdin (the server's announcements, or a
 * client's messages). */
static void type_line(struct server *s, const char *line)
{
    if (io_printf(s->stdin_fd, "%s\n", line) < 0)
        fail_msg("test: write to stdin: %s", strerror(errno));
}

static void close_stdin(struct server *s)
{
    close(s->stdin_fd);
    s->stdin_fd = -1;
}

static bool is_zombie(void *arg)
{
    return procfs_state(*(pid_t *)arg) == 'Z';
}

static bool has_no_children(void *arg)
{
    return count_children(*(pid_t *)arg, NULL) == 0;
}

/* Wait for a program_start'ed client to exit by itself, then check it
 * left nothing behind: an orphaned or unreaped child of it would have come
 * back to this process (a child subreaper). other_children: this test's
 * other programs still running (the server). Returns the exit status. */
static int client_exit_alone(struct server *client, int other_children)
{
    if (!wait_until(is_zombie, &client->pid, 10.0)) {
        char *out = server_output(client, false), *err = server_output(client, true);
        print_error("client did not exit; stdout:\n%s\nstderr:\n%s\n", out, err);
        free(out);
        free(err);
        fail();
    }
    int zombies, children = count_children(getpid(), &zombies);
    assert_int_equal(zombies, 1); /* the client itself, not reaped yet */
    assert_int_equal(children, 1 + other_children);
    int status = program_wait(client, 1.0);
    assert_int_equal(client->leftovers, 0);
    assert_true(WIFEXITED(status));
    char *err = server_output(client, true);
    assert_null(strstr(err, "Sanitizer"));
    free(err);
    return WEXITSTATUS(status);
}

/* Start chat_client -p port with up to two more arguments. */
static void start_client(struct server *c, int port, const char *a, const char *b)
{
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    const char *argv[] = {client_path, "-p", port_text, a, b, NULL};
    program_start(c, argv);
}

static void run_client(struct run_result *r, int port, const char *a, const char *b,
                       const char *input)
{
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    const char *argv[] = {client_path, "-p", port_text, a, b, NULL};
    run_program_text(r, argv, input, 15.0);
}

static bool has_one_child(void *arg)
{
    return count_children(*(pid_t *)arg, NULL) == 1;
}

/* The one child of pid (the client's sender), once it is there. */
static pid_t only_child(pid_t pid)
{
    if (!wait_until(has_one_child, &pid, 5.0))
        fail_msg("test: %ld did not fork its one child", (long)pid);
    pid_t child;
    assert_int_equal(procfs_children(pid, &child, 1), 1);
    return child;
}

/* Start a client that logs in as alice, and wait until it is in the room
 * and forked (its welcome line comes once Ctrl-C means "leave"). */
static void start_alice(struct server *alice, const struct server *s, int bob)
{
    start_client(alice, s->port, "-n", "alice");
    expect(bob, "alice joined");
    assert_true(server_wait_output(alice, false, "you are in the room as alice", 1, 5.0));
    only_child(alice->pid);
}

/* ---------------------------------------------------------------------------
 * The server: logging in.
 * ------------------------------------------------------------------------- */

static void test_login_ok_and_logged(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    log_in(s.port, "alice");
    assert_true(server_wait_output(&s, true, "join alice from 127.0.0.1:", 1, 5.0));
    assert_server_stops_cleanly(&s);
}

static void test_duplicate_name_refused(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice = log_in(s.port, "alice");
    int other = user_socket(s.port);
    send_text(other, "L alice");
    expect(other, "FAIL name taken");
    assert_true(server_wait_output(&s, true, "refused from 127.0.0.1:", 1, 5.0));
    barrier(s.port);
    expect_nothing(alice); /* no "alice joined" for a refused login */
    assert_server_stops_cleanly(&s);
}

static void test_bad_names_refused(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int fd = user_socket(s.port);
    static const struct {
        const char *datagram, *reply;
    } cases[] = {
        {"L ", "FAIL empty name"},
        {"L bob smith", "FAIL name must not contain a space or ':'"},
        {"L bob:", "FAIL name must not contain a space or ':'"},
        {"L 0123456789abcdef0123456789abcdefX", "FAIL name too long (max 32 bytes)"},
        {"L admin", "FAIL admin is a reserved name"},
        {"L ADMIN", "FAIL admin is a reserved name"},
        {"L al\tice", "FAIL control characters are not allowed"},
        {"L bob\x1b", "FAIL control characters are not allowed"},
        {"L b\xc3\x28", "FAIL not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        send_text(fd, cases[i].datagram);
        expect(fd, cases[i].reply);
    }
    /* 32 bytes is fine, and so is a UTF-8 name; the refusals did no harm */
    log_in(s.port, "0123456789abcdef0123456789abcdef");
    log_in(s.port, "小明");
    assert_server_stops_cleanly(&s);
}

static void test_room_full(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, "-m", "2", NULL);
    int alice = log_in(s.port, "alice");
    log_in(s.port, "bob");
    expect(alice, "bob joined");
    int carol = user_socket(s.port);
    send_text(carol, "L carol");
    expect(carol, "FAIL room full");
    send_text(alice, "Q alice"); /* a place frees up */
    expect(alice, "EXIT");
    send_text(carol, "L carol");
    expect(carol, "OK");
    assert_server_stops_cleanly(&s);
}

static void test_login_again_from_same_address(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL);
    send_text(alice, "L alice"); /* as if our OK had been lost: OK again */
    expect(alice, "OK");
    send_text(alice, "L alice2");
    expect(alice, "FAIL this address is already logged in as another name");
    barrier(s.port);
    expect_nothing(bob); /* no second "alice joined" */
    assert_server_stops_cleanly(&s);
}

/* ---------------------------------------------------------------------------
 * The server: join, speak, leave.
 * ------------------------------------------------------------------------- */

static void test_join_and_leave_notices_reach_the_others(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice = log_in(s.port, "alice");
    int bob = log_in(s.port, "bob");
    expect(alice, "bob joined");
    int carol = log_in(s.port, "carol");
    expect(alice, "carol joined");
    expect(bob, "carol joined");
    send_text(bob, "Q bob");
    expect(bob, "EXIT");
    expect(alice, "bob left");
    expect(carol, "bob left");
    assert_true(server_wait_output(&s, true, "leave bob (2 in the room)", 1, 5.0));
    send_text(carol, "C carol after bob");
    expect(alice, "carol: after bob");
    barrier(s.port);
    expect_nothing(bob);   /* gone: hears nothing more */
    expect_nothing(carol); /* not told of its own join, nor its own words */
    expect_nothing(alice); /* nothing twice */
    assert_server_stops_cleanly(&s);
}

static void test_chat_reaches_everyone_else_exactly_once(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob, carol;
    fill_room(s.port, &alice, &bob, &carol);
    send_text(alice, "C alice 大家好, hello: 1 + 1 = 2");
    expect(bob, "alice: 大家好, hello: 1 + 1 = 2");
    expect(carol, "alice: 大家好, hello: 1 + 1 = 2");
    barrier(s.port);
    expect_nothing(alice);
    expect_nothing(bob);
    expect_nothing(carol);
    assert_server_stops_cleanly(&s);
}

static void test_longest_message_is_delivered_whole(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL);
    char datagram[2048], want[2048];
    snprintf(datagram, sizeof datagram, "C alice %01024d", 7); /* 1024 bytes of text */
    snprintf(want, sizeof want, "alice: %01024d", 7);
    send_text(alice, datagram);
    expect(bob, want);
    assert_server_stops_cleanly(&s);
}

static void test_nc_style_newlines(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice = user_socket(s.port); /* like nc -u: every line ends with \n */
    send_text(alice, "L alice\n");
    expect(alice, "OK\n");
    int bob = log_in(s.port, "bob"); /* like chat_client: no newlines */
    expect(alice, "bob joined\n");
    send_text(alice, "C alice hi bob\r\n");
    expect(bob, "alice: hi bob");
    send_text(bob, "C bob hi alice");
    expect(alice, "bob: hi alice\n");
    send_text(alice, "Q alice\n");
    expect(alice, "EXIT\n");
    expect(bob, "alice left");
    assert_server_stops_cleanly(&s);
}

/* ---------------------------------------------------------------------------
 * The server: the course version's weaknesses, fixed.
 * ------------------------------------------------------------------------- */

static void test_spoofed_chat_and_quit_refused(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL);
    int mallory = user_socket(s.port); /* another address */
    send_text(mallory, "C alice I owe everyone money");
    expect(mallory, "FAIL that name is logged in from another address");
    send_text(mallory, "Q alice");
    expect(mallory, "FAIL that name is logged in from another address");
    send_text(bob, "C alice bob speaking as alice"); /* a user in the room, too */
    expect(bob, "FAIL that name is logged in from another address");
    assert_true(server_wait_output(&s, true, "logged in from another address", 3, 5.0));
    barrier(s.port);
    expect_nothing(alice);
    expect_nothing(bob);
    send_text(alice, "C alice still here"); /* alice was not logged out */
    expect(bob, "alice: still here");
    assert_server_stops_cleanly(&s);
}

static void test_unknown_name_answered_and_server_alive(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int fd = user_socket(s.port);
    send_text(fd, "Q ghost");
    expect(fd, "FAIL unknown name (log in first: L NAME)");
    send_text(fd, "C ghost boo");
    expect(fd, "FAIL unknown name (log in first: L NAME)");
    int alice = log_in(s.port, "alice"); /* alive and well */
    send_text(alice, "Q alice");
    expect(alice, "EXIT");
    send_text(alice, "Q alice"); /* twice: now unknown */
    expect(alice, "FAIL unknown name (log in first: L NAME)");
    assert_server_stops_cleanly(&s);
}

static void test_hostile_datagrams_refused(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL);
    char too_long[1200];
    snprintf(too_long, sizeof too_long, "C bob %01025d", 1); /* 1025 bytes of text */
    static const struct {
        const char *datagram;
        size_t len;
        const char *reply;
    } cases[] = {
        {"", 0, "FAIL empty datagram"},
        {"hello", 5, "FAIL unknown command (send L NAME, C NAME TEXT or Q NAME)"},
        {"X bob", 5, "FAIL unknown command (send L NAME, C NAME TEXT or Q NAME)"},
        {"L", 1, "FAIL unknown command (send L NAME, C NAME TEXT or Q NAME)"},
        {"Lbob", 4, "FAIL unknown command (send L NAME, C NAME TEXT or Q NAME)"},
        {"C bob", 5, "FAIL empty message"},
        {"C bob ", 6, "FAIL empty message"},
        {"C bob a\0b", 9, "FAIL control characters are not allowed"},
        {"\0\0\0\0", 4, "FAIL control characters are not allowed"},
        {"C bob \x1b[2J\x1b[H", 13, "FAIL control characters are not allowed"},
        {"C bob two\nlines", 15, "FAIL control characters are not allowed"},
        {"C bob \xc2\x9b"
         "31m",
         11, "FAIL control characters are not allowed"}, /* C1 CSI */
        {"C bob \xff\xfe", 8, "FAIL not valid UTF-8"},
        {"C bob \xc0\xaf", 8, "FAIL not valid UTF-8"},          /* overlong '/' */
        {"C bob \xed\xa0\x80", 9, "FAIL not valid UTF-8"},      /* a surrogate */
        {"C bob \xe4\xbd", 8, "FAIL not valid UTF-8"},          /* cut short */
        {"C bob \xf4\x90\x80\x80", 10, "FAIL not valid UTF-8"}, /* > U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        send_bytes(bob, cases[i].datagram, cases[i].len);
        expect(bob, cases[i].reply);
    }
    send_text(bob, too_long);
    expect(bob, "FAIL too long (max 1024 bytes of text)");
    static char huge[65000]; /* near the largest UDP datagram: never truncated */
    memset(huge, 'x', sizeof huge);
    memcpy(huge, "C bob ", 6);
    send_bytes(bob, huge, sizeof huge);
    expect(bob, "FAIL too long (max 1024 bytes of text)");

    barrier(s.port);
    expect_nothing(alice); /* none of it reached anyone */
    send_text(bob, "C bob all good");
    expect(alice, "bob: all good");
    assert_server_stops_cleanly(&s);
}

static void test_fail_datagrams_are_not_answered(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int fd = user_socket(s.port);
    send_text(fd, "FAIL unknown command"); /* what another server would answer */
    barrier(s.port);
    expect_nothing(fd); /* no FAIL for a FAIL: no ping-pong between two servers */
    assert_server_stops_cleanly(&s);
}

static void test_nobody_speaks_as_admin(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL);
    send_text(bob, "C admin the exam is cancelled");
    expect(bob, "FAIL admin is a reserved name");
    send_text(bob, "Q admin");
    expect(bob, "FAIL admin is a reserved name");
    barrier(s.port);
    expect_nothing(alice);
    only_child(s.pid); /* the announcer is still there */
    assert_server_stops_cleanly(&s);
}

static void test_vanished_client_does_not_break_broadcast(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob, carol;
    fill_room(s.port, &alice, &bob, &carol);
    user_close(alice); /* gone without Q: its address now answers nothing */
    for (int i = 0; i < 3; i++) {
        send_text(bob, "C bob anyone there?");
        expect(carol, "bob: anyone there?");
    }
    type_line(&s, "still running");
    expect(bob, "admin: still running");
    expect(carol, "admin: still running");
    assert_server_stops_cleanly(&s);
}

/* ---------------------------------------------------------------------------
 * The server: announcements (管理员消息) from its stdin.
 * ------------------------------------------------------------------------- */

static void test_announcement_reaches_all_users(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob, carol;
    fill_room(s.port, &alice, &bob, &carol);
    type_line(&s, "下课了 class is over");
    expect(alice, "admin: 下课了 class is over");
    expect(bob, "admin: 下课了 class is over");
    expect(carol, "admin: 下课了 class is over");
    assert_true(
        server_wait_output(&s, true, "announcement to 3 users: 下课了 class is over", 1, 5.0));
    barrier(s.port);
    expect_nothing(alice); /* exactly once */
    assert_server_stops_cleanly(&s);
}

static void test_bad_announcements_are_not_sent(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice = log_in(s.port, "alice");
    type_line(&s, "bell\a and escape\x1b[2J");
    char too_long[1100];
    memset(too_long, 'y', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    type_line(&s, too_long);
    type_line(&s, ""); /* an empty line is not announced either */
    type_line(&s, "fine");
    expect(alice, "admin: fine"); /* the first thing alice hears */
    assert_true(
        server_wait_output(&s, true, "refused an announcement: control characters", 1, 5.0));
    assert_true(server_wait_output(&s, true, "announcement too long", 1, 5.0));
    assert_server_stops_cleanly(&s);
}

static void test_stdin_eof_only_stops_announcements(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    only_child(s.pid); /* the announcer */
    close_stdin(&s);
    assert_true(server_wait_output(&s, true, "stdin closed: no more announcements", 1, 5.0));
    assert_true(wait_until(has_no_children, &s.pid, 5.0)); /* reaped: not even a zombie */
    int alice = log_in(s.port, "alice");                   /* the room goes on */
    log_in(s.port, "bob");
    expect(alice, "bob joined");
    assert_server_stops_cleanly(&s);
}

static void test_stdin_eof_with_q_stops_the_server(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, "-q", NULL, NULL);
    int alice = log_in(s.port, "alice");
    close_stdin(&s);
    expect(alice, "admin: the room is closing");
    expect(alice, "EXIT");
    int status = program_wait(&s, 5.0);
    assert_false(s.killed);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(s.leftovers, 0);
}

/* Started with stdin closed, the server must not take fd 0 for its socket:
 * the announcer reads fd 0 and would turn the users' datagrams into
 * admin announcements. Closed stdin is an empty stdin. */
static void test_stdin_closed_is_not_the_socket(void **state)
{
    (void)state;
    struct server s;
    const char *argv[] = {"/bin/sh", "-c", "exec \"$0\" -p 0 <&-", server_path, NULL};
    server_start(&s, argv);
    char fd0[64], link[64] = "";
    snprintf(fd0, sizeof fd0, "/proc/%ld/fd/0", (long)s.pid);
    assert_true(readlink(fd0, link, sizeof link - 1) > 0);
    assert_null(strstr(link, "socket:")); /* the announcer's stdin */
    assert_true(server_wait_output(&s, true, "stdin closed: no more announcements", 1, 5.0));
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL);
    send_text(bob, "C bob hello");
    expect(alice, "bob: hello");
    barrier(s.port);
    expect_nothing(alice);
    expect_nothing(bob);
    assert_server_stops_cleanly(&s);
}

/* chat_server 2>&1 | head -n 1: once head has gone, every event the server
 * logs fails (EPIPE). The room must go on, not die silently of SIGPIPE. */
static void test_survives_its_log_reader_leaving(void **state)
{
    (void)state;
    struct server s;
    const char *argv[] = {"/bin/sh", "-c", "\"$0\" -p 0 2>&1 | head -n 1; exec sleep 60",
                          server_path, NULL};
    server_start(&s, argv);
    assert_true(wait_until(has_one_child, &s.pid, 5.0)); /* head is gone */
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL); /* each login is logged */
    send_text(bob, "C bob still here?");
    expect(alice, "bob: still here?");
    server_stop(&s, 2.0);
}

/* ---------------------------------------------------------------------------
 * The server: many users, addresses, stopping.
 * ------------------------------------------------------------------------- */

static void test_fifty_users_receive_a_broadcast(void **state)
{
    (void)state;
    enum { USERS = 50 };
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int fd[USERS];
    for (int i = 0; i < USERS; i++) {
        char name[16];
        snprintf(name, sizeof name, "user%02d", i);
        fd[i] = log_in(s.port, name);
    }
    send_text(fd[0], "C user00 hello everyone");
    for (int i = 1; i < USERS; i++)
        expect_after_notices(fd[i], "user00: hello everyone");
    type_line(&s, "welcome, all fifty of you");
    expect_after_notices(fd[0], "admin: welcome, all fifty of you"); /* not its own words */
    for (int i = 1; i < USERS; i++)
        expect(fd[i], "admin: welcome, all fifty of you");
    barrier(s.port);
    for (int i = 0; i < USERS; i++)
        expect_nothing(fd[i]);
    assert_true(server_wait_output(&s, true, "(50 in the room)", 1, 5.0));
    assert_server_stops_cleanly(&s);
}

static void test_wildcard_bind_still_announces(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, "-b", "0.0.0.0", NULL);
    assert_int_equal(strncmp(s.addr, "0.0.0.0:", 8), 0);
    int alice = log_in(s.port, "alice");
    type_line(&s, "via the loopback address");
    expect(alice, "admin: via the loopback address");
    assert_server_stops_cleanly(&s);
}

static void test_ipv6(void **state)
{
    (void)state;
    int probe = net_udp_bind("::1", 0);
    if (probe < 0)
        skip(); /* no IPv6 loopback on this machine */
    close(probe);
    struct server s;
    start_chat(&s, "-b", "::1", NULL);
    assert_int_equal(strncmp(s.addr, "[::1]:", 6), 0);
    int alice = user_socket_at("::1", s.port);
    send_text(alice, "L alice");
    expect(alice, "OK");
    int bob = user_socket_at("::1", s.port);
    send_text(bob, "L bob");
    expect(bob, "OK");
    expect(alice, "bob joined");
    type_line(&s, "v6");
    expect(alice, "admin: v6");
    expect(bob, "admin: v6");
    assert_server_stops_cleanly(&s);
}

static void test_second_server_on_same_port_fails(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *argv[] = {server_path, "-p", port, NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5.0);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "Address already in use"));
    assert_string_equal(r.out, "");
    run_result_free(&r);
    log_in(s.port, "alice"); /* the first one still has its port */
    assert_server_stops_cleanly(&s);
}

static void test_sigterm_tells_users_and_stops_cleanly(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int alice, bob;
    fill_room(s.port, &alice, &bob, NULL);
    assert_server_stops_cleanly(&s); /* exit 0, announcer reaped, nothing left */
    expect(alice, "admin: the room is closing");
    expect(alice, "EXIT");
    expect(bob, "admin: the room is closing");
    expect(bob, "EXIT");
}

static void test_sigint_stops_cleanly(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    log_in(s.port, "alice");
    kill(-s.pid, SIGINT); /* Ctrl-C: the whole process group, announcer too */
    int status = program_wait(&s, 5.0);
    assert_false(s.killed);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(s.leftovers, 0);
    char *err = server_output(&s, true);
    assert_non_null(strstr(err, "stopping: telling 1 user EXIT"));
    free(err);
}

static void test_server_usage(void **state)
{
    (void)state;
    struct run_result r;
    const char *help[] = {server_path, "-h", NULL};
    run_program_text(&r, help, NULL, 5.0);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: chat_server"));
    run_result_free(&r);
    const char *bad[][4] = {
        {server_path, "-x", NULL, NULL},    {server_path, "-m", "0", NULL},
        {server_path, "-m", "1001", NULL},  {server_path, "-p", "http", NULL},
        {server_path, "extra", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run_program_text(&r, bad[i], NULL, 5.0);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage: chat_server"));
        assert_string_equal(r.out, "");
        run_result_free(&r);
    }
}

/* ---------------------------------------------------------------------------
 * The client program.
 * ------------------------------------------------------------------------- */

static void test_client_sends_stdin_and_leaves_on_eof(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct run_result r;
    run_client(&r, s.port, "-n", "alice", "hello from alice\n\n你好\n");
    assert_exit_code(&r, 0);
    assert_int_equal(r.leftovers, 0);
    assert_true(has_line(r.out, "you left the room"));
    expect(bob, "alice joined");
    expect(bob, "alice: hello from alice"); /* the empty line is not sent */
    expect(bob, "alice: 你好");
    expect(bob, "alice left");
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_client_receives_and_ends_alone_on_eof(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct server alice;
    start_alice(&alice, &s, bob);
    type_line(&alice, "hi bob");
    expect(bob, "alice: hi bob");
    send_text(bob, "C bob hi alice");
    assert_true(server_wait_output(&alice, false, "bob: hi alice\n", 1, 5.0));
    type_line(&s, "five minutes left");
    expect(bob, "admin: five minutes left");
    assert_true(server_wait_output(&alice, false, "admin: five minutes left\n", 1, 5.0));
    close_stdin(&alice); /* Ctrl-D */
    expect(bob, "alice left");
    assert_int_equal(client_exit_alone(&alice, 1), 0);
    char *out = server_output(&alice, false);
    assert_true(
        has_line(out, "you are in the room as alice (type to speak; quit or Ctrl-D to leave)"));
    assert_true(has_line(out, "you left the room"));
    free(out);
    assert_server_stops_cleanly(&s);
}

static void test_client_quit_command(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct run_result r;
    run_client(&r, s.port, "-n", "alice", "one\nquit\ntwo\n");
    assert_exit_code(&r, 0);
    assert_int_equal(r.leftovers, 0);
    expect(bob, "alice joined");
    expect(bob, "alice: one");
    expect(bob, "alice left");
    barrier(s.port);
    expect_nothing(bob); /* "two" was never sent */
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_client_long_line_not_sent(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    static char input[4000];
    memset(input, 'z', 3000);
    snprintf(input + 3000, sizeof input - 3000, "\nshort one\n");
    struct run_result r;
    run_client(&r, s.port, "-n", "alice", input);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.err, "line too long (max 1024 bytes), not sent"));
    expect(bob, "alice joined");
    expect(bob, "alice: short one");
    expect(bob, "alice left");
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_client_name_refused_with_n_exits_1(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    log_in(s.port, "bob");
    struct run_result r;
    run_client(&r, s.port, "-n", "bob", "hello\n");
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "the server refused 'bob': name taken"));
    assert_int_equal(r.leftovers, 0);
    run_result_free(&r);
    run_client(&r, s.port, "-n", "bob smith", NULL);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "must not contain a space"));
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_client_asks_again_after_fail(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct run_result r;
    run_client(&r, s.port, NULL, NULL, "bob\nadmin\ncarol\nhello\n");
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.err, "name taken"));
    assert_non_null(strstr(r.err, "admin is a reserved name"));
    assert_true(
        has_line(r.out, "you are in the room as carol (type to speak; quit or Ctrl-D to leave)"));
    expect(bob, "carol joined");
    expect(bob, "carol: hello"); /* read ahead before fork, sent by the child */
    expect(bob, "carol left");
    run_result_free(&r);
    run_client(&r, s.port, NULL, NULL, NULL); /* no name at all */
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "no name given"));
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

/* With stdin closed, the client must not take fd 0 for its socket (it
 * would wait for a name from the network, forever): no name, exit 1. */
static void test_client_with_stdin_closed(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", s.port);
    const char *argv[] = {"/bin/sh",   "-c",      "exec \"$0\" -p \"$1\" <&-",
                          client_path, port_text, NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 10.0);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "no name given"));
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_client_times_out_when_nobody_answers(void **state)
{
    (void)state;
    int silent = net_udp_bind("127.0.0.1", 0); /* a port that never answers */
    assert_true(silent >= 0);
    set_socket_timeout(silent, 5.0);
    struct run_result r;
    run_client(&r, net_local_port(silent), "-n", "alice", NULL);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "no answer from 127.0.0.1 port"));
    assert_true(r.elapsed >= 2.5); /* it waited its 3 seconds, and then stopped */
    assert_int_equal(r.leftovers, 0);
    char got[64];
    ssize_t n = recv(silent, got, sizeof got - 1, 0);
    assert_int_equal(n, 7);
    assert_memory_equal(got, "L alice", 7);
    close(silent);
    run_result_free(&r);
}

static void test_client_without_server_fails_fast(void **state)
{
    (void)state;
    int probe = net_udp_bind("127.0.0.1", 0);
    int port = net_local_port(probe);
    close(probe); /* nothing listens there now: ICMP port unreachable */
    struct run_result r;
    run_client(&r, port, "-n", "alice", NULL);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "no chat server at 127.0.0.1 port"));
    assert_non_null(strstr(r.err, "Connection refused"));
    assert_true(r.elapsed < harness_timeout(2.5));
    run_result_free(&r);
}

static void test_client_ctrl_c_leaves_the_room(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct server alice;
    start_alice(&alice, &s, bob);
    kill(-alice.pid, SIGINT); /* Ctrl-C reaches both processes */
    expect(bob, "alice left");
    assert_int_equal(client_exit_alone(&alice, 1), 0);
    assert_server_stops_cleanly(&s);
}

static void test_client_sigterm_to_receiver_only(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct server alice;
    start_alice(&alice, &s, bob);
    server_signal(&alice, SIGTERM); /* the parent only: it ends its sender */
    expect(bob, "alice left");
    assert_int_equal(client_exit_alone(&alice, 1), 0);
    barrier(s.port);
    expect_nothing(bob);
    char *err = server_output(&s, true);
    assert_int_equal(count_occurrences(err, "unknown name"), 1); /* the barrier's: one Q */
    free(err);
    assert_server_stops_cleanly(&s);
}

static void test_client_sender_killed(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct server alice;
    start_alice(&alice, &s, bob);
    pid_t sender = only_child(alice.pid);
    kill(sender, SIGKILL); /* it cannot send its Q: the receiver does */
    expect(bob, "alice left");
    assert_int_equal(client_exit_alone(&alice, 1), 0);
    assert_server_stops_cleanly(&s);
}

static void test_client_receiver_killed_takes_the_sender_along(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct server alice;
    start_alice(&alice, &s, bob);
    pid_t sender = only_child(alice.pid);
    kill(alice.pid, SIGKILL);
    /* the orphan comes back to this process (the subreaper) and must end
     * by itself, through PR_SET_PDEATHSIG */
    assert_true(wait_until(is_zombie, &sender, 5.0));
    program_wait(&alice, 1.0);
    assert_int_equal(alice.leftovers, 0);
    assert_server_stops_cleanly(&s);
}

static void test_client_ends_when_the_server_stops(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct server alice;
    start_alice(&alice, &s, bob); /* its stdin stays open: nothing to read */
    assert_server_stops_cleanly(&s);
    assert_int_equal(client_exit_alone(&alice, 0), 0); /* EXIT ended both halves */
    char *out = server_output(&alice, false);
    assert_true(has_line(out, "admin: the room is closing"));
    assert_true(has_line(out, "you left the room"));
    free(out);
}

static void test_client_notices_a_dead_server(void **state)
{
    (void)state;
    struct server s;
    start_chat(&s, NULL, NULL, NULL);
    int bob = log_in(s.port, "bob");
    struct server alice;
    start_alice(&alice, &s, bob);
    pid_t announcer = only_child(s.pid);
    server_signal(&s, SIGKILL); /* no EXIT for anyone */
    /* its announcer ends too (PR_SET_PDEATHSIG), which closes the port */
    assert_true(wait_until(is_zombie, &announcer, 5.0));
    program_wait(&s, 1.0); /* reap both */
    assert_int_equal(s.leftovers, 0);
    type_line(&alice, "hello?"); /* answered by ICMP "port unreachable" */
    assert_int_equal(client_exit_alone(&alice, 0), 1);
    char *err = server_output(&alice, true);
    assert_non_null(strstr(err, "Connection refused"));
    free(err);
}

static void test_client_from_a_fake_server(void **state)
{
    (void)state;
    /* The test is the server: it checks what the client sends, and sends
     * it an escape sequence that must not reach the terminal. */
    int fake = net_udp_bind("127.0.0.1", 0);
    assert_true(fake >= 0);
    set_socket_timeout(fake, RECV_TIMEOUT);
    struct server alice;
    start_client(&alice, net_local_port(fake), "-n", "alice");
    char got[256];
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(fake, got, sizeof got - 1, 0, (struct sockaddr *)&from, &from_len);
    assert_int_equal(n, 7);
    assert_memory_equal(got, "L alice", 7);
    const struct sockaddr *to = (const struct sockaddr *)&from;
    assert_int_equal(sendto(fake, "OK", 2, 0, to, from_len), 2);
    assert_true(server_wait_output(&alice, false, "you are in the room as alice", 1, 5.0));
    /* ESC, BEL, DEL, and U+009B in UTF-8: the C1 "CSI", an escape on its own */
    static const char evil[] = "eve: \x1b[2J\a\x7f \xc2\x9b"
                               "2J done";
    assert_int_equal(sendto(fake, evil, sizeof evil - 1, 0, to, from_len), sizeof evil - 1);
    assert_true(server_wait_output(&alice, false, "eve: ?[2J?? ??2J done\n", 1, 5.0));
    type_line(&alice, "hi");
    n = recv(fake, got, sizeof got - 1, 0);
    assert_int_equal(n, 10);
    assert_memory_equal(got, "C alice hi", 10);
    assert_int_equal(sendto(fake, "EXIT", 4, 0, to, from_len), 4); /* ends both halves */
    assert_int_equal(client_exit_alone(&alice, 0), 0);
    char *out = server_output(&alice, false);
    assert_null(strchr(out, '\x1b'));
    free(out);
    close(fake);
}

static void test_client_usage(void **state)
{
    (void)state;
    struct run_result r;
    const char *help[] = {client_path, "-h", NULL};
    run_program_text(&r, help, NULL, 5.0);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: chat_client"));
    run_result_free(&r);
    const char *bad[][4] = {
        {client_path, "-x", NULL, NULL},    {client_path, "-p", "0", NULL},
        {client_path, "-p", "99999", NULL}, {client_path, "-n", NULL, NULL},
        {client_path, "extra", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run_program_text(&r, bad[i], NULL, 5.0);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage: chat_client"));
        run_result_free(&r);
    }
}

/* ---------------------------------------------------------------------------
 * The datagram parser alone (day6/chat/chat_proto.c): bytes in, verdict out.
 * ------------------------------------------------------------------------- */

static void test_parser_verdicts(void **state)
{
    (void)state;
    static const struct {
        const char *data;
        size_t len;
        const char *verdict; /* NULL: accepted */
    } cases[] = {
        {"L alice", 7, NULL},
        {"Q alice\n", 8, NULL},
        {"C bob hi\r\n", 10, NULL},
        {"C alice \xe4\xbd\xa0\xe5\xa5\xbd", 14, NULL},
        {"", 0, "FAIL empty datagram"},
        {"X", 1, "FAIL unknown command (send L NAME, C NAME TEXT or Q NAME)"},
        {"L a:b", 5, "FAIL name must not contain a space or ':'"},
        {"L ", 2, "FAIL empty name"},
        {"C alice ", 8, "FAIL empty message"},
        {"C alice", 7, "FAIL empty message"},
        {"L \xc0\xaf", 4, "FAIL not valid UTF-8"},
        {"L \xed\xa0\x80", 5, "FAIL not valid UTF-8"}, /* a surrogate */
        {"C eve \xc2\x9b""31m", 9, "FAIL control characters are not allowed"},
        {"C eve a\0b", 9, "FAIL control characters are not allowed"},
        {"L 123456789012345678901234567890123", 35,
         "FAIL name too long (max 32 bytes)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct chat_request r;
        const char *v = chat_parse(cases[i].data, cases[i].len, &r);
        if (cases[i].verdict == NULL && v != NULL)
            fail_msg("case %zu: refused: %s", i, v);
        if (cases[i].verdict != NULL)
            assert_string_equal(v != NULL ? v : "(accepted)",
                                cases[i].verdict);
    }
    struct chat_request r;
    assert_null(chat_parse("C bob hi there\n", 15, &r));
    assert_int_equal(r.command, 'C');
    assert_string_equal(r.name, "bob");
    assert_int_equal(r.text_len, 8);
    assert_memory_equal(r.text, "hi there", 8);
    assert_true(r.newline);

    char big[CHAT_MAX_DATAGRAM + 1];
    memset(big, 'x', sizeof big);
    memcpy(big, "C alice ", 8);
    assert_string_equal(chat_parse(big, sizeof big, &r),
                        "FAIL too long (max 1024 bytes of text)");
    assert_null(chat_parse(big, 8 + CHAT_MAX_TEXT, &r)); /* the longest */

    assert_true(chat_is_fail("FAIL x", 6));
    assert_false(chat_is_fail("FAI", 3));
    assert_true(chat_is_exit("EXIT\n", 5));
    assert_false(chat_is_exit("EXITS", 5));
    char msg[] = "a\033[2Jb\xc2\x9b!\n";
    size_t n = chat_printable(msg, sizeof msg - 1);
    assert_int_equal(n, 9);
    assert_memory_equal(msg, "a?[2Jb?" "?!", 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parser_verdicts),
        cmocka_unit_test_teardown(test_login_ok_and_logged, chat_teardown),
        cmocka_unit_test_teardown(test_duplicate_name_refused, chat_teardown),
        cmocka_unit_test_teardown(test_bad_names_refused, chat_teardown),
        cmocka_unit_test_teardown(test_room_full, chat_teardown),
        cmocka_unit_test_teardown(test_login_again_from_same_address, chat_teardown),
        cmocka_unit_test_teardown(test_join_and_leave_notices_reach_the_others, chat_teardown),
        cmocka_unit_test_teardown(test_chat_reaches_everyone_else_exactly_once, chat_teardown),
        cmocka_unit_test_teardown(test_longest_message_is_delivered_whole, chat_teardown),
        cmocka_unit_test_teardown(test_nc_style_newlines, chat_teardown),
        cmocka_unit_test_teardown(test_spoofed_chat_and_quit_refused, chat_teardown),
        cmocka_unit_test_teardown(test_unknown_name_answered_and_server_alive, chat_teardown),
        cmocka_unit_test_teardown(test_hostile_datagrams_refused, chat_teardown),
        cmocka_unit_test_teardown(test_fail_datagrams_are_not_answered, chat_teardown),
        cmocka_unit_test_teardown(test_nobody_speaks_as_admin, chat_teardown),
        cmocka_unit_test_teardown(test_vanished_client_does_not_break_broadcast, chat_teardown),
        cmocka_unit_test_teardown(test_announcement_reaches_all_users, chat_teardown),
        cmocka_unit_test_teardown(test_bad_announcements_are_not_sent, chat_teardown),
        cmocka_unit_test_teardown(test_stdin_eof_only_stops_announcements, chat_teardown),
        cmocka_unit_test_teardown(test_stdin_eof_with_q_stops_the_server, chat_teardown),
        cmocka_unit_test_teardown(test_stdin_closed_is_not_the_socket, chat_teardown),
        cmocka_unit_test_teardown(test_survives_its_log_reader_leaving, chat_teardown),
        cmocka_unit_test_teardown(test_fifty_users_receive_a_broadcast, chat_teardown),
        cmocka_unit_test_teardown(test_wildcard_bind_still_announces, chat_teardown),
        cmocka_unit_test_teardown(test_ipv6, chat_teardown),
        cmocka_unit_test_teardown(test_second_server_on_same_port_fails, chat_teardown),
        cmocka_unit_test_teardown(test_sigterm_tells_users_and_stops_cleanly, chat_teardown),
        cmocka_unit_test_teardown(test_sigint_stops_cleanly, chat_teardown),
        cmocka_unit_test_teardown(test_server_usage, chat_teardown),
        cmocka_unit_test_teardown(test_client_sends_stdin_and_leaves_on_eof, chat_teardown),
        cmocka_unit_test_teardown(test_client_receives_and_ends_alone_on_eof, chat_teardown),
        cmocka_unit_test_teardown(test_client_quit_command, chat_teardown),
        cmocka_unit_test_teardown(test_client_long_line_not_sent, chat_teardown),
        cmocka_unit_test_teardown(test_client_name_refused_with_n_exits_1, chat_teardown),
        cmocka_unit_test_teardown(test_client_asks_again_after_fail, chat_teardown),
        cmocka_unit_test_teardown(test_client_with_stdin_closed, chat_teardown),
        cmocka_unit_test_teardown(test_client_times_out_when_nobody_answers, chat_teardown),
        cmocka_unit_test_teardown(test_client_without_server_fails_fast, chat_teardown),
        cmocka_unit_test_teardown(test_client_ctrl_c_leaves_the_room, chat_teardown),
        cmocka_unit_test_teardown(test_client_sigterm_to_receiver_only, chat_teardown),
        cmocka_unit_test_teardown(test_client_sender_killed, chat_teardown),
        cmocka_unit_test_teardown(test_client_receiver_killed_takes_the_sender_along,
                                  chat_teardown),
        cmocka_unit_test_teardown(test_client_ends_when_the_server_stops, chat_teardown),
        cmocka_unit_test_teardown(test_client_notices_a_dead_server, chat_teardown),
        cmocka_unit_test_teardown(test_client_from_a_fake_server, chat_teardown),
        cmocka_unit_test_teardown(test_client_usage, chat_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, harness_teardown);
}
