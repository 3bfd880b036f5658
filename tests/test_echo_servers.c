/* tests/test_echo_servers.c — one suite, run against all six echo servers
 * of day9 and day10 (and epoll_server in both modes): byte-exact echo of
 * 1 B, 64 KiB and 1 MiB; many clients at once (loop_server: one after the
 * other, its defining trait); a client that vanishes mid-stream; a client
 * that sends 8 MiB without reading; two clients flooding at full speed
 * starve no one; fds (and, for fork_server, zombies)
 * back where they were after 300 connections; out of fds (EMFILE) without
 * a busy loop; SIGTERM; bad flags. Then what only some of them promise:
 * poll and epoll serve 1,000 connections at once (and hold no buffer for
 * them once they are idle), select_server refuses
 * fds beyond FD_SETSIZE and goes on.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

#include "common/clock.h"
#include "common/io.h"
#include "tests/echo_support.h"
#include "tests/harness.h"

static const struct echo_kind kinds[] = {
    {"loop_server", "day9/loop_server", NULL, false, false},
    {"fork_server", "day9/fork_server", NULL, true, false},
    {"thread_server", "day9/thread_server", NULL, true, false},
    {"select_server", "day10/select_server", NULL, true, true},
    {"poll_server", "day10/poll_server", NULL, true, true},
    {"epoll_server", "day10/epoll_server", NULL, true, true},
    {"epoll_server -e", "day10/epoll_server", "-e", true, true},
};
#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

static bool is(const struct echo_kind *k, const char *label)
{
    return strcmp(k->label, label) == 0;
}

/* --- every server ------------------------------------------------------- */

static void test_echo_is_byte_exact(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    const size_t sizes[] = {1, 64 * 1024, 1024 * 1024};
    for (unsigned i = 0; i < 3; i++) {
        int fd = connect_to(s.port);
        assert_true(echo_check(fd, sizes[i], i + 1, 10));
        close(fd);
    }
    /* a connect line and a closed line per client, with the byte count */
    assert_true(server_wait_output(&s, false, "closed ", 3, 5));
    char *out = server_output(&s, false);
    assert_int_equal(count_lines_containing(out, "connect from 127.0.0.1:"), 3);
    assert_int_equal(count_lines_containing(out, "(1048576 bytes echoed"), 1);
    assert_int_equal(count_lines_containing(out, "(65536 bytes echoed"), 1);
    assert_int_equal(count_lines_containing(out, "bytes \""), 0); /* no -v: no messages */
    free(out);
    assert_server_stops_cleanly(&s);
}

static void test_verbose_prints_messages(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, "-v", NULL);
    int fd = connect_to(s.port);
    assert_true(echo_roundtrip(fd, "hi\tthere\n", 9, 5));
    close(fd);
    assert_true(server_wait_output(&s, false, "closed ", 1, 5));
    char *out = server_output(&s, false);
    assert_int_equal(count_lines_containing(out, ": 9 bytes \"hi\\tthere\\n\""), 1);
    free(out);
    assert_server_stops_cleanly(&s);
}

/* Concurrent servers: 20 clients connected at once, each sends before any
 * reads, for 3 rounds; then echo_client's scripted mode with 50 clients. */
static void test_many_clients_at_once(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    enum { CLIENTS = 20, SIZE = 3000 };
    int fds[CLIENTS];
    unsigned char msg[CLIENTS][SIZE], back[SIZE];
    for (int i = 0; i < CLIENTS; i++)
        fds[i] = connect_to(s.port);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < CLIENTS; i++) {
            echo_pattern(msg[i], SIZE, (unsigned)(round * CLIENTS + i));
            assert_int_equal(io_write_all(fds[i], msg[i], SIZE), SIZE);
        }
        for (int i = 0; i < CLIENTS; i++) { /* every client is served while all are connected */
            assert_int_equal(io_read_exact(fds[i], back, SIZE), SIZE);
            assert_memory_equal(back, msg[i], SIZE);
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        close(fds[i]);

    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *argv[] = {
        program_path("day9/echo_client"), "-p", port, "-c", "50", "-n", "20", "-s", "1000", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 30);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "50 connections x 20 messages x 1000 bytes"));
    assert_non_null(strstr(r.out, "all echoed correctly"));
    run_result_free(&r);
    assert_true(server_wait_output(&s, false, "closed ", CLIENTS + 50, 10));
    assert_server_stops_cleanly(&s);
}

/* loop_server: the second client is served only after the first leaves. */
static void test_loop_serves_one_client_at_a_time(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    int first = connect_to(s.port);
    assert_true(echo_check(first, 100, 1, 5));
    int second = connect_to(s.port); /* the kernel completes the handshake... */
    assert_int_equal(io_write_all(second, "next", 4), 4);
    assert_true(echo_check(first, 100, 2, 5)); /* ...the server is busy with the first */
    assert_true(echo_nothing_to_read(second));
    char *out = server_output(&s, false);
    assert_int_equal(count_lines_containing(out, "connect from"), 1);
    free(out);

    close(first); /* now the second one's turn */
    assert_true(echo_wait_readable(second, 5));
    char back[4];
    assert_int_equal(io_read_exact(second, back, 4), 4);
    assert_memory_equal(back, "next", 4);
    assert_true(server_wait_output(&s, false, "connect from", 2, 5));
    close(second);
    assert_server_stops_cleanly(&s);
}

/* A client that vanishes in the middle of a large message, with unread
 * echo on the way, disturbs no one. */
static void test_client_vanishing_mid_stream(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    int other = -1;
    if (k->concurrent) {
        other = connect_to(s.port);
        assert_true(echo_check(other, 1000, 1, 5));
    }
    for (int i = 0; i < 3; i++) {
        int fd = connect_to(s.port);
        size_t pushed = echo_push_without_reading(fd, 256 * 1024, 100, 2);
        assert_true(pushed > 0);
        if (i == 0)
            close(fd); /* an orderly close, with echo unread */
        else
            echo_abort(fd); /* a reset */
    }
    if (k->concurrent)
        assert_true(echo_check(other, 64 * 1024, 2, 5));
    int late = connect_to(s.port);
    if (!k->concurrent)
        assert_true(echo_check(late, 64 * 1024, 3, 5));
    close(late);
    if (other >= 0)
        close(other);
    assert_server_stops_cleanly(&s);
}

/* A client that sends 8 MiB and reads nothing holds up no one else (except
 * in loop_server, where it holds up everyone until it leaves), and the
 * server does not keep what it cannot send. */
static void test_client_that_never_reads(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    int warmup = connect_to(s.port);
    assert_true(echo_check(warmup, 64 * 1024, 9, 5));
    close(warmup);
    long rss_before = echo_rss_kib(s.pid);

    int hog = connect_to(s.port);
    size_t pushed = echo_push_without_reading(hog, 8 << 20, 300, 10);
    assert_true(pushed > 0);
    long rss_after = echo_rss_kib(s.pid);
    print_message("    %s: the non-reader pushed %zu bytes; server RSS %ld -> %ld KiB\n", k->label,
                  pushed, rss_before, rss_after);
    assert_true(rss_after - rss_before < 2048); /* it did not buffer megabytes */

    int other = connect_to(s.port);
    if (k->concurrent) {
        assert_true(echo_check(other, 64 * 1024, 1, 5));
        close(hog);
    } else {
        assert_int_equal(io_write_all(other, "wait", 4), 4);
        assert_true(echo_nothing_to_read(other));
        close(hog); /* the hog leaves: the loop server moves on */
        assert_true(echo_wait_readable(other, 5));
        char back[4];
        assert_int_equal(io_read_exact(other, back, 4), 4);
        assert_memory_equal(back, "wait", 4);
    }
    close(other);
    assert_server_stops_cleanly(&s);
}

/* A client that sends and reads as fast as it can: a writer thread and a
 * reader thread on one connection, until stop. */
struct flood {
    int fd;
    pthread_t writer, reader;
    atomic_bool stop;
};

static void *flood_write(void *arg)
{
    struct flood *f = arg;
    static const char chunk[64 * 1024]; /* only read: shared by the floods */
    while (!atomic_load(&f->stop))
        if (send(f->fd, chunk, sizeof chunk, MSG_NOSIGNAL) < 0 && errno != EINTR && errno != EAGAIN)
            break;
    return NULL;
}

static void *flood_read(void *arg)
{
    struct flood *f = arg;
    char buf[64 * 1024];
    while (!atomic_load(&f->stop)) {
        ssize_t n = recv(f->fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            break;
    }
    return NULL;
}

static void flood_start(struct flood *f, int port)
{
    f->fd = connect_to(port);
    atomic_init(&f->stop, false);
    assert_int_equal(pthread_create(&f->writer, NULL, flood_write, f), 0);
    assert_int_equal(pthread_create(&f->reader, NULL, flood_read, f), 0);
}

static void flood_stop(struct flood *f)
{
    atomic_store(&f->stop, true);
    shutdown(f->fd, SHUT_RDWR); /* wakes both threads up */
    pthread_join(f->writer, NULL);
    pthread_join(f->reader, NULL);
    close(f->fd);
}

/* Two clients that flood the server and read their echo as fast as it
 * comes: a new client is still accepted and served at once. (A multiplexed
 * server that echoes one client until EAGAIN never gets back to the
 * others, because a flooding client never runs dry.) */
static void test_flooding_clients_starve_no_one(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    struct flood floods[2];
    for (int i = 0; i < 2; i++)
        flood_start(&floods[i], s.port);
    assert_true(server_wait_output(&s, false, "connect from", 2, 5));
    clock_sleep_ms(200); /* let the floods get going: the server is busy now */
    bool served = true;
    for (int i = 0; i < 3 && served; i++) {
        int fd = connect_to(s.port);
        served = echo_check(fd, 100, (unsigned)i, 3);
        close(fd);
    }
    for (int i = 0; i < 2; i++)
        flood_stop(&floods[i]);
    assert_true(served);
    assert_server_stops_cleanly(&s);
}

struct fd_watch {
    pid_t pid;
    int want;
};

static bool fds_back(void *arg)
{
    struct fd_watch *w = arg;
    return count_open_fds(w->pid) == w->want;
}

static bool no_children_left(void *arg)
{
    int zombies = 0;
    return count_children(*(pid_t *)arg, &zombies) == 0 && zombies == 0;
}

/* 300 connections, one after another: nothing leaks. */
static void test_300_connections_leave_nothing_behind(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    struct fd_watch w = {s.pid, count_open_fds(s.pid)};
    assert_true(w.want > 0);
    for (int i = 0; i < 300; i++) {
        int fd = connect_to(s.port);
        char c = (char)i, back;
        assert_int_equal(io_write_all(fd, &c, 1), 1);
        assert_int_equal(io_read_exact(fd, &back, 1), 1);
        assert_int_equal(back, c);
        close(fd);
    }
    assert_true(server_wait_output(&s, false, "closed ", 300, 20));
    assert_true(wait_until(fds_back, &w, 5));
    assert_true(wait_until(no_children_left, &s.pid, 5)); /* fork_server: reaped, no zombie */
    assert_server_stops_cleanly(&s);
}

/* SIGTERM with clients connected (one idle, one stuck not reading): exit 0
 * within 2 s, nothing left behind, and the clients see their end. */
static void test_sigterm_with_clients_connected(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    int idle = connect_to(s.port);
    assert_true(echo_check(idle, 10, 1, 5));
    int hog = -1;
    if (k->concurrent) {
        hog = connect_to(s.port);
        assert_true(echo_push_without_reading(hog, 8 << 20, 200, 10) > 0);
    }
    assert_server_stops_cleanly(&s);
    char buf[16];
    ssize_t n = recv(idle, buf, sizeof buf, 0); /* EOF or reset: not a hang */
    assert_true(n == 0 || (n < 0 && errno == ECONNRESET));
    close(idle);
    if (hog >= 0)
        close(hog);
    char *out = server_output(&s, false);
    assert_non_null(strstr(out, "stopping on signal 15"));
    free(out);
}

static void expect_usage_error(const struct echo_kind *k, const char *a1, const char *a2)
{
    const char *argv[] = {program_path(k->program), a1, a2, NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_exit_code(&r, 2);
    assert_non_null(strstr(r.err, "usage:"));
    assert_string_equal(r.out, "");
    run_result_free(&r);
}

static void test_bad_flags_exit_2(void **state)
{
    const struct echo_kind *k = *state;
    expect_usage_error(k, "-x", NULL);
    expect_usage_error(k, "-p", "abc");
    expect_usage_error(k, "-p", "70000");
    expect_usage_error(k, "-p", "-1");
    expect_usage_error(k, "extra", NULL);
    expect_usage_error(k, "-b", "");
    if (strstr(k->program, "fork") != NULL || strstr(k->program, "thread") != NULL) {
        expect_usage_error(k, "-m", "0");
        expect_usage_error(k, "-m", "lots");
    }
    const char *argv[] = {program_path(k->program), "-h", NULL};
    struct run_result r;
    run_program_text(&r, argv, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage:"));
    run_result_free(&r);
}

/* Out of fds: the server runs with RLIMIT_NOFILE at the fd number it
 * would give its next client, so every accept() fails with EMFILE. Each client is told and
 * closed, the server does not spin, and it still stops cleanly. */
static void test_out_of_fds_is_survived(void **state)
{
    const struct echo_kind *k = *state;
    struct server s;
    echo_start(&s, k, NULL, NULL);
    int idle_fds = echo_lowest_free_fd(s.pid); /* the next fd it would get */
    assert_true(idle_fds > 3);
    assert_server_stops_cleanly(&s);

    char script[256];
    snprintf(script, sizeof script, "ulimit -n %d && exec \"$0\" -p 0 %s", idle_fds,
             k->flag != NULL ? k->flag : "");
    const char *argv[] = {"/bin/sh", "-c", script, program_path(k->program), NULL};
    server_start(&s, argv);
    for (int i = 0; i < 3; i++) {
        int fd = connect_to(s.port);
        char buf[256];
        ssize_t n = echo_read_to_eof(fd, buf, sizeof buf, 5);
        if (n <= 0)
            print_error("client %d: read %zd: %s\n", i, n, n < 0 ? strerror(errno) : "EOF");
        assert_true(n > 0);
        assert_non_null(strstr(buf, "busy: out of file descriptors"));
        close(fd);
    }
    assert_true(server_wait_output(&s, false, "refused a client: out of file descriptors", 3, 5));
    double cpu = cpu_seconds(s.pid);
    clock_sleep_ms(500); /* a spinning server would burn most of this */
    double used = cpu_seconds(s.pid) - cpu;
    print_message("    %s: %.2f s of CPU in 0.5 s while out of fds\n", k->label, used);
    assert_true(used < 0.2);
    assert_server_stops_cleanly(&s);
}

/* Out of fds for a moment: the server runs with room for a few clients;
 * the next one is refused; then they all leave. The next client must be
 * served: the shortage is over. (Linux's accept() says EMFILE before it
 * waits for a client, so a blocking server that refused too eagerly would
 * sit in accept with its spare fd closed, and refuse the next one anyway.) */
static void test_served_again_once_fds_are_free(void **state)
{
    const struct echo_kind *k = *state;
    enum { MAX_TRIES = 8 };
    struct server s;
    echo_start(&s, k, NULL, NULL);
    int idle_fds = echo_lowest_free_fd(s.pid);
    assert_server_stops_cleanly(&s);

    char script[256];
    snprintf(script, sizeof script, "ulimit -n %d && exec \"$0\" -p 0 %s", idle_fds + 3,
             k->flag != NULL ? k->flag : "");
    const char *argv[] = {"/bin/sh", "-c", script, program_path(k->program), NULL};
    server_start(&s, argv);
    int fds[MAX_TRIES], served = 0;
    bool refused = false;
    while (!refused && served < MAX_TRIES) {
        int fd = connect_to(s.port);
        char c = 'a', buf[256];
        assert_int_equal(io_write_all(fd, &c, 1), 1);
        assert_true(echo_wait_readable(fd, 5));
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        assert_true(n > 0);
        buf[n] = '\0';
        if (n == 1 && buf[0] == 'a') {
            fds[served++] = fd;
        } else {
            assert_non_null(strstr(buf, "busy: out of file descriptors"));
            refused = true;
            close(fd);
        }
    }
    assert_true(refused && served > 0);
    for (int i = 0; i < served; i++)
        close(fds[i]);
    assert_true(server_wait_output(&s, false, "closed ", served, 5));
    int again = connect_to(s.port);
    assert_true(echo_check(again, 100, 3, 5));
    close(again);
    assert_server_stops_cleanly(&s);
}

/* --- only some servers -------------------------------------------------- */

/* poll and epoll: 1,000 clients connected at once, all served; once
 * served and idle, they hold no buffer: the server grows by less than
 * 4 KiB per client (about 0.13 KiB here, 1.8 under TSan; it grew by 16 KiB
 * each when every client had its buffer from the start). */
static void test_1000_concurrent_connections(void **state)
{
    const struct echo_kind *k = *state;
    enum { CLIENTS = 1000, SIZE = 100, MAX_KIB_PER_CLIENT = 4 };
    assert_true(echo_raise_fd_limit(CLIENTS + 100) >= CLIENTS + 100);
    struct server s;
    echo_start(&s, k, NULL, NULL);
    int warmup = connect_to(s.port);
    assert_true(echo_check(warmup, 64 * 1024, 9, 5));
    close(warmup);
    long rss_before = echo_rss_kib(s.pid);
    static int fds[CLIENTS];
    unsigned char msg[SIZE], back[SIZE];
    for (int i = 0; i < CLIENTS; i++)
        fds[i] = connect_to(s.port);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < CLIENTS; i++) { /* all send first... */
            echo_pattern(msg, SIZE, (unsigned)(i + round));
            assert_int_equal(io_write_all(fds[i], msg, SIZE), SIZE);
        }
        for (int i = 0; i < CLIENTS; i++) { /* ...then all read their own echo */
            echo_pattern(msg, SIZE, (unsigned)(i + round));
            assert_int_equal(io_read_exact(fds[i], back, SIZE), SIZE);
            assert_memory_equal(back, msg, SIZE);
        }
    }
    assert_true(count_open_fds(s.pid) >= CLIENTS);
    long rss_idle = echo_rss_kib(s.pid);
    print_message("    %s: RSS %ld KiB, %ld KiB with %d idle clients\n",
                  k->label, rss_before, rss_idle, CLIENTS);
    assert_true(rss_before > 0 && rss_idle > 0);
    assert_true(rss_idle - rss_before < CLIENTS * MAX_KIB_PER_CLIENT);
    for (int i = 0; i < CLIENTS; i++)
        close(fds[i]);
    assert_true(server_wait_output(&s, false, "closed ", CLIENTS, 10));
    assert_server_stops_cleanly(&s);
}

/* select_server: clients whose fd would be >= FD_SETSIZE are refused with
 * a line, and the others go on being served. */
static void test_select_refuses_beyond_fd_setsize(void **state)
{
    const struct echo_kind *k = *state;
    enum { CLIENTS = 1040 };
    assert_true(echo_raise_fd_limit(CLIENTS + 100) >= CLIENTS + 100);
    struct server s;
    echo_start(&s, k, NULL, NULL); /* it inherits the raised limit */
    static int fds[CLIENTS];
    int refused = 0, served = 0;
    for (int i = 0; i < CLIENTS; i++) {
        fds[i] = connect_to(s.port);
        /* a served client gets its byte back; a refused one, a line and EOF */
        char c = 'a', buf[256];
        assert_int_equal(io_write_all(fds[i], &c, 1), 1);
        assert_true(echo_wait_readable(fds[i], 5));
        ssize_t n = recv(fds[i], buf, sizeof buf - 1, 0);
        assert_true(n > 0);
        buf[n] = '\0';
        if (n == 1 && buf[0] == 'a') {
            served++;
        } else {
            assert_non_null(strstr(buf, "busy"));
            refused++;
            close(fds[i]);
            fds[i] = -1;
        }
    }
    print_message("    select_server: %d served, %d refused\n", served, refused);
    assert_true(served > 1000 && served < 1024);
    assert_int_equal(served + refused, CLIENTS);
    char *out = server_output(&s, false);
    assert_int_equal(count_lines_containing(out, "is beyond the 1024 this server can watch"),
                     refused);
    free(out);
    assert_true(echo_check(fds[0], 64 * 1024, 1, 5)); /* the others are still served */
    assert_true(echo_check(fds[999], 1000, 2, 5));
    for (int i = 0; i < CLIENTS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    assert_true(server_wait_output(&s, false, "closed ", served, 10));
    int again = connect_to(s.port); /* fds freed: served again */
    assert_true(echo_check(again, 100, 3, 5));
    close(again);
    assert_server_stops_cleanly(&s);
}

/* --- the table of tests --------------------------------------------------- */

typedef void (*test_fn)(void **state);

struct test_spec {
    const char *name;
    test_fn fn;
    bool (*applies)(const struct echo_kind *k);
};

static bool all(const struct echo_kind *k)
{
    (void)k;
    return true;
}
static bool concurrent(const struct echo_kind *k)
{
    return k->concurrent;
}
static bool loop_only(const struct echo_kind *k)
{
    return !k->concurrent;
}
static bool keeps_client_fds(const struct echo_kind *k)
{
    return k->concurrent && !is(k, "fork_server"); /* fork_server's children hold them */
}
static bool poll_or_epoll(const struct echo_kind *k)
{
    return k->multiplexed && !is(k, "select_server");
}
static bool select_only(const struct echo_kind *k)
{
    return is(k, "select_server");
}

static const struct test_spec specs[] = {
    {"echo of 1 B, 64 KiB and 1 MiB is byte-exact", test_echo_is_byte_exact, all},
    {"-v prints each message", test_verbose_prints_messages, all},
    {"many clients at once", test_many_clients_at_once, concurrent},
    {"one client at a time: the second waits for the first", test_loop_serves_one_client_at_a_time,
     loop_only},
    {"a client vanishing mid-stream disturbs no one", test_client_vanishing_mid_stream, all},
    {"a client sending 8 MiB without reading", test_client_that_never_reads, all},
    {"clients flooding and reading at full speed starve no one",
     test_flooding_clients_starve_no_one, concurrent},
    {"300 connections: fds back, no zombie", test_300_connections_leave_nothing_behind, all},
    {"SIGTERM with clients connected: exit 0 within 2 s", test_sigterm_with_clients_connected, all},
    {"bad flags exit 2, -h exits 0", test_bad_flags_exit_2, all},
    {"out of fds (EMFILE): clients refused, no busy loop", test_out_of_fds_is_survived, all},
    {"out of fds, then fds freed: the next client is served", test_served_again_once_fds_are_free,
     keeps_client_fds},
    {"1,000 concurrent connections", test_1000_concurrent_connections, poll_or_epoll},
    {"fds beyond FD_SETSIZE refused, others served", test_select_refuses_beyond_fd_setsize,
     select_only},
};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])

int main(void)
{
    static struct CMUnitTest tests[KIND_COUNT * SPEC_COUNT];
    static char names[KIND_COUNT * SPEC_COUNT][160];
    size_t n = 0;
    for (size_t k = 0; k < KIND_COUNT; k++)
        for (size_t t = 0; t < SPEC_COUNT; t++) {
            if (!specs[t].applies(&kinds[k]))
                continue;
            snprintf(names[n], sizeof names[n], "%s: %s", kinds[k].label, specs[t].name);
            tests[n] = (struct CMUnitTest){.name = names[n],
                                           .test_func = specs[t].fn,
                                           .teardown_func = harness_teardown,
                                           .initial_state = (void *)&kinds[k]};
            n++;
        }
    const char *filter = getenv("ECHO_TEST_FILTER"); /* e.g. "epoll_server -e: *" */
    if (filter != NULL)
        cmocka_set_test_filter(filter);
    return _cmocka_run_group_tests("echo_servers", tests, n, harness_group_setup, harness_teardown);
}
