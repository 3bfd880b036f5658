/* tests/test_http.c — integration tests for day10/http/http_server: the
 * built server, started with -p 0 on a docroot made here (and on the
 * shipped site), talked to over loopback with raw HTTP bytes.
 *
 * What is checked: GET and HEAD byte-exact (small and multi-MiB files),
 * MIME types, every error status, 301 for folders, 304, 206 and 416,
 * keep-alive, pipelining, /status, slowloris clients not delaying anyone,
 * 500 keep-alive clients at once, 1,000 connections leaving no fd behind,
 * running out of descriptors, -m, clients vanishing mid-request and
 * mid-download, timeouts, the access log, and a clean stop on SIGTERM.
 */
#define _GNU_SOURCE /* memmem, strcasestr, strndup */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/io.h"
#include "common/net.h"
#include "tests/harness.h"

#define SERVER   "day10/http/http_server"
#define BIG_SIZE (3 * 1024 * 1024 + 123) /* bytes of big.bin: sent with sendfile */
#define SITE_DIR "day10/http/site"
#define MID_SIZE 30000 /* bytes of mid.bin: answered from memory */

static char base[PATH_MAX], www[PATH_MAX + 8];
static char *big;    /* the content of www/big.bin */
static time_t mtime; /* of www/a.txt */

/* --- a tiny HTTP client ------------------------------------------------------ */

struct client {
    int fd;
    char *buf; /* received, not yet taken as a response */
    size_t len, cap;
};

struct response {
    int status;
    char *head; /* NUL-terminated, with its CRLFs */
    char *body; /* body_len bytes (and a NUL) */
    size_t body_len;
};

/* Every socket a test opens, closed by the teardown even if it failed. */
static int open_sockets[2048];

static int open_socket(int port)
{
    int fd = connect_to(port);
    for (size_t i = 0; i < sizeof open_sockets / sizeof open_sockets[0]; i++)
        if (open_sockets[i] == 0) {
            open_sockets[i] = fd;
            break;
        }
    return fd;
}

static void close_socket(int fd)
{
    for (size_t i = 0; i < sizeof open_sockets / sizeof open_sockets[0]; i++)
        if (open_sockets[i] == fd)
            open_sockets[i] = 0;
    close(fd);
}

static int teardown(void **state)
{
    for (size_t i = 0; i < sizeof open_sockets / sizeof open_sockets[0]; i++)
        if (open_sockets[i] != 0) {
            close(open_sockets[i]);
            open_sockets[i] = 0;
        }
    return harness_teardown(state);
}

static void client_open(struct client *c, int port)
{
    c->fd = open_socket(port);
    c->buf = NULL;
    c->len = c->cap = 0;
}

static void client_close(struct client *c)
{
    if (c->fd >= 0)
        close_socket(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
}

static void send_bytes(struct client *c, const char *bytes, size_t len)
{
    if (io_write_all(c->fd, bytes, len) != (ssize_t)len)
        fail_msg("send: %s", strerror(errno));
}

static void send_text(struct client *c, const char *text)
{
    send_bytes(c, text, strlen(text));
}

/* Read more into c->buf; false at EOF (or a reset). A silent server
 * fails the test when the socket's timeout runs out. */
static bool fill(struct client *c)
{
    if (c->len == c->cap) {
        c->cap = c->cap == 0 ? 65536 : c->cap * 2;
        c->buf = realloc(c->buf, c->cap);
        assert_non_null(c->buf);
    }
    for (;;) {
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            fail_msg("the server said nothing in time (%zu bytes so far)", c->len);
        if (n <= 0)
            return false;
        c->len += (size_t)n;
        return true;
    }
}

/* The value of header name in r (static; NULL if absent). */
static const char *header(const struct response *r, const char *name)
{
    static char value[1024];
    char needle[128];
    snprintf(needle, sizeof needle, "\r\n%s:", name);
    const char *at = strcasestr(r->head, needle);
    if (at == NULL)
        return NULL;
    at += strlen(needle);
    while (*at == ' ')
        at++;
    size_t n = strcspn(at, "\r");
    snprintf(value, sizeof value, "%.*s", (int)n, at);
    return value;
}

/* Read one response (no body after a HEAD or a 304). False if the
 * server closed the connection before sending a byte of it. */
static bool read_response(struct client *c, bool head_only, struct response *r)
{
    memset(r, 0, sizeof *r);
    char *end;
    while (c->len == 0 || (end = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL)
        if (!fill(c)) {
            if (c->len == 0)
                return false;
            fail_msg("closed in the middle of a head: %.*s", (int)c->len, c->buf);
        }
    size_t head_len = (size_t)(end + 4 - c->buf);
    r->head = strndup(c->buf, head_len);
    if (sscanf(r->head, "HTTP/1.1 %d ", &r->status) != 1)
        fail_msg("not an HTTP/1.1 status line: %s", r->head);
    const char *cl = header(r, "Content-Length");
    size_t length = cl != NULL ? (size_t)atoll(cl) : 0;
    if (head_only || r->status == 304)
        length = 0;
    while (c->len < head_len + length)
        if (!fill(c))
            fail_msg("closed in the middle of a body (%zu of %zu)", c->len - head_len, length);
    r->body = malloc(length + 1);
    memcpy(r->body, c->buf + head_len, length);
    r->body[length] = '\0';
    r->body_len = length;
    c->len -= head_len + length;
    memmove(c->buf, c->buf + head_len + length, c->len);
    return true;
}

static void response_free(struct response *r)
{
    free(r->head);
    free(r->body);
    r->head = r->body = NULL;
}

/* True if the server closes the connection without sending more. */
static bool server_closes(struct client *c)
{
    return !fill(c) && c->len == 0;
}

/* One request on a new connection; the status, and the response in *r. */
static int exchange(int port, const char *request, struct response *r)
{
    struct client c;
    client_open(&c, port);
    send_text(&c, request);
    bool head_only = strncmp(request, "HEAD ", 5) == 0;
    if (!read_response(&c, head_only, r))
        fail_msg("no answer to: %s", request);
    client_close(&c);
    return r->status;
}

static int get_status(int port, const char *request)
{
    struct response r;
    int status = exchange(port, request, &r);
    response_free(&r);
    return status;
}

/* --- the server -------------------------------------------------------------- */

static void start(struct server *s, const char *extra1, const char *extra2)
{
    const char *argv[] = {program_path(SERVER), "-p", "0", "-d", www, extra1, extra2, NULL};
    server_start(s, argv);
}

/* The number in "name": N of GET /status. */
static long long status_number(int port, const char *name)
{
    struct response r;
    assert_int_equal(exchange(port, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    char key[64];
    snprintf(key, sizeof key, "\"%s\": ", name);
    const char *at = strstr(r.body, key);
    if (at == NULL)
        fail_msg("no %s in %s", name, r.body);
    long long v = atoll(at + strlen(key));
    response_free(&r);
    return v;
}

/* Wait (bounded) until /status counts want open connections, its own
 * included: a client that just closed may not be closed in the server yet. */
static void expect_connections(int port, long long want)
{
    double deadline = clock_now() + harness_timeout(5);
    long long seen;
    while ((seen = status_number(port, "connections")) != want) {
        if (clock_now() > deadline)
            fail_msg("/status counts %lld connections, want %lld", seen, want);
        clock_sleep_ms(10);
    }
}

/* The server's open descriptors: sockets, and the rest (files, epoll). */
static void count_fds(pid_t pid, int *sockets, int *others)
{
    char dir[64], path[320], target[256];
    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
    *sockets = *others = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n < 0)
            continue; /* closed meanwhile */
        target[n] = '\0';
        if (strncmp(target, "socket:", 7) == 0)
            (*sockets)++;
        else
            (*others)++;
    }
    closedir(d);
}

/* Waiting for the server to be back to its listening socket alone, and
 * to no more other descriptors (cached files, epoll...) than before. */
struct fd_wait {
    pid_t pid;
    int others;
};

static bool only_listening(void *arg)
{
    struct fd_wait *w = arg;
    int sockets, others;
    count_fds(w->pid, &sockets, &others);
    return sockets == 1 && others <= w->others;
}

/* The fd_wait for s now: at most the descriptors it has now, besides sockets. */
static struct fd_wait fds_now(const struct server *s)
{
    int sockets;
    struct fd_wait w = {s->pid, 0};
    count_fds(s->pid, &sockets, &w.others);
    return w;
}

static void expect_no_leak(const struct server *s, struct fd_wait *w)
{
    if (!wait_until(only_listening, w, 10)) {
        int sockets, others;
        count_fds(s->pid, &sockets, &others);
        fail_msg("server holds %d sockets (1 listening) and %d other fds (%d before)", sockets,
                 others, w->others);
    }
}

/* --- the docroot --------------------------------------------------------------- */

static void write_file(const char *rel, const char *data, size_t len)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int group_setup(void **state)
{
    harness_group_setup(state);
    /* 1,000 connections need more descriptors than the usual 1024 */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    snprintf(base, sizeof base, "%s/conclab-httpd.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(base) == NULL)
        return -1;
    snprintf(www, sizeof www, "%s/www", base);
    char p[2 * PATH_MAX];
    const char *dirs[] = {"www", "www/dir", "www/empty", "www/list"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", base, dirs[i]);
        if (mkdir(p, 0755) < 0)
            return -1;
    }
    write_file("secret.txt", "TOP-SECRET\n", 11);
    write_file("www/a.txt", "a", 1);
    write_file("www/index.html", "<p>home</p>\n", 12);
    write_file("www/dir/index.html", "<p>dir</p>\n", 11);
    write_file("www/list/<i>&.txt", "x", 1);
    const char *exts[] = {"html", "css",  "js",  "json", "svg",  "png", "jpg", "gif",
                          "ico",  "webp", "txt", "pdf",  "wasm", "mp4", "bin"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        snprintf(p, sizeof p, "www/file.%s", exts[i]);
        write_file(p, "0123456789", 10);
    }
    big = malloc(BIG_SIZE);
    unsigned x = 12345;
    for (size_t i = 0; i < BIG_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (char)(x >> 16);
    }
    write_file("www/big.bin", big, BIG_SIZE);
    write_file("www/mid.bin", big, MID_SIZE); /* small enough to be kept in memory */
    snprintf(p, sizeof p, "%s/www/link_out", base);
    if (symlink("../secret.txt", p) < 0)
        return -1;
    struct stat st;
    snprintf(p, sizeof p, "%s/www/a.txt", base);
    if (stat(p, &st) < 0)
        return -1;
    mtime = st.st_mtime;
    return 0;
}

static int group_teardown(void **state)
{
    harness_teardown(state);
    free(big);
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

/* --- the contract: usage, bad arguments, stop -------------------------------------- */

static void test_usage_and_bad_arguments(void **state)
{
    (void)state;
    struct run_result r;
    const char *help[] = {program_path(SERVER), "-h", NULL};
    run_program_text(&r, help, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: http_server"));
    run_result_free(&r);
    const char *bad[][4] = {{"-x", NULL},  {"-p", "99999"}, {"-m", "0"},
                            {"-t", "abc"}, {"-k", "-5"},    {"extra", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {program_path(SERVER), bad[i][0], bad[i][1], NULL};
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage: http_server"));
        run_result_free(&r);
    }
    const char *missing[] = {program_path(SERVER), "-p", "0", "-d", "/nonexistent/www", NULL};
    run_program_text(&r, missing, NULL, 5);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "/nonexistent/www"));
    run_result_free(&r);
}

static void test_shipped_site(void **state)
{
    (void)state;
    struct server s;
    const char *argv[] = {program_path(SERVER), "-p", "0", NULL};
    server_start(&s, argv);
    struct response r;
    assert_int_equal(exchange(s.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    FILE *f = fopen(SITE_DIR "/index.html", "r");
    assert_non_null(f);
    char want[8192];
    size_t n = fread(want, 1, sizeof want, f);
    fclose(f);
    assert_int_equal(r.body_len, n);
    assert_memory_equal(r.body, want, n);
    response_free(&r);
    assert_int_equal(exchange(s.port, "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_string_equal(header(&r, "Content-Type"), "text/css; charset=utf-8");
    response_free(&r);
    assert_int_equal(exchange(s.port, "GET /logo.png HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_memory_equal(r.body, "\x89PNG", 4);
    response_free(&r);
    assert_int_equal(
        exchange(s.port, "GET /clip.mp4 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-\r\n\r\n", &r),
        206); /* what a browser's <video> asks first */
    assert_string_equal(header(&r, "Content-Type"), "video/mp4");
    response_free(&r);
    assert_int_equal(exchange(s.port, "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", &r), 404);
    assert_non_null(strstr(r.body, "the start")); /* the site's own 404 page */
    response_free(&r);
    assert_int_equal(get_status(s.port, "GET /about HTTP/1.1\r\nHost: x\r\n\r\n"), 301);
    assert_int_equal(get_status(s.port, "GET /about/ HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_server_stops_cleanly(&s);
}

/* --- HTTP behaviour ----------------------------------------------------------------- */

static void test_get_and_head_byte_exact(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct response r, h;
    assert_int_equal(exchange(s.port, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_int_equal(r.body_len, BIG_SIZE);
    assert_memory_equal(r.body, big, BIG_SIZE);
    assert_int_equal(exchange(s.port, "HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", &h), 200);
    assert_int_equal(atoll(header(&h, "Content-Length")), BIG_SIZE);
    char last_modified[64];
    snprintf(last_modified, sizeof last_modified, "%s", header(&r, "Last-Modified"));
    assert_string_equal(header(&h, "Last-Modified"), last_modified);
    assert_string_equal(header(&h, "Content-Type"), "application/octet-stream");
    assert_string_equal(header(&h, "Server"), "conclab-http");
    assert_non_null(header(&h, "Date"));
    assert_string_equal(header(&h, "Accept-Ranges"), "bytes");
    response_free(&r);
    response_free(&h);

    assert_int_equal(exchange(s.port, "GET /a.txt HTTP/1.0\r\n\r\n", &r), 200);
    assert_int_equal(r.body_len, 1);
    assert_string_equal(r.body, "a");
    char want[64];
    struct tm tm;
    gmtime_r(&mtime, &tm);
    strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    assert_string_equal(header(&r, "Last-Modified"), want);
    response_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_mime_types(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    const char *table[][2] = {
        {"html", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"gif", "image/gif"},
        {"ico", "image/x-icon"},
        {"webp", "image/webp"},
        {"txt", "text/plain; charset=utf-8"},
        {"pdf", "application/pdf"},
        {"wasm", "application/wasm"},
        {"mp4", "video/mp4"},
        {"bin", "application/octet-stream"},
    };
    struct client c;
    client_open(&c, s.port);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char request[128];
        snprintf(request, sizeof request, "GET /file.%s HTTP/1.1\r\nHost: x\r\n\r\n", table[i][0]);
        send_text(&c, request);
        struct response r;
        assert_true(read_response(&c, false, &r));
        assert_int_equal(r.status, 200);
        assert_string_equal(header(&r, "Content-Type"), table[i][1]);
        assert_string_equal(r.body, "0123456789");
        response_free(&r);
    }
    client_close(&c);
    assert_server_stops_cleanly(&s);
}

/* Send request on a new connection: expect status and an HTML error body,
 * then (if closes) the server closing the connection, else a next answer. */
static void expect_error(int port, const char *request, size_t len, int status, bool closes)
{
    struct client c;
    client_open(&c, port);
    send_bytes(&c, request, len);
    struct response r;
    assert_true(read_response(&c, false, &r));
    if (r.status != status)
        fail_msg("%d, want %d, for %.60s", r.status, status, request);
    assert_string_equal(header(&r, "Content-Type"), "text/html; charset=utf-8");
    char code[8];
    snprintf(code, sizeof code, "%d", status);
    assert_non_null(strstr(r.body, code));
    assert_string_equal(header(&r, "Connection"), closes ? "close" : "keep-alive");
    response_free(&r);
    if (closes) {
        assert_true(server_closes(&c));
    } else {
        send_text(&c, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_true(read_response(&c, false, &r));
        assert_int_equal(r.status, 200);
        response_free(&r);
    }
    client_close(&c);
}

#define EXPECT_ERROR(port, text, status, closes)                                                   \
    expect_error((port), (text), sizeof(text) - 1, (status), (closes))

static void test_error_statuses(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    int p = s.port;
    EXPECT_ERROR(p, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, false);
    EXPECT_ERROR(p, "POST / HTTP/1.1\r\nHost: x\r\n\r\n", 405, false);
    EXPECT_ERROR(p, "DELETE /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 405, true);
    EXPECT_ERROR(p, "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501, false);
    EXPECT_ERROR(p, "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501, true);
    EXPECT_ERROR(p, "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, true);
    EXPECT_ERROR(p, "GET / HTTP/1.1\r\n\r\n", 400, true);
    EXPECT_ERROR(p, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, true);
    EXPECT_ERROR(p, "GET /a\0 HTTP/1.1\r\nHost: x\r\n\r\n", 400, true);
    EXPECT_ERROR(p, "GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, true);
    EXPECT_ERROR(p, "GARBAGE\r\n\r\n", 400, true);
    EXPECT_ERROR(p, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 413, true);
    EXPECT_ERROR(p, "GET /link_out HTTP/1.1\r\nHost: x\r\n\r\n", 403, false);

    char *line = malloc(10000);
    int n = snprintf(line, 10000, "GET /%09000d HTTP/1.1\r\nHost: x\r\n\r\n", 0);
    expect_error(p, line, (size_t)n, 414, true);
    size_t at = (size_t)snprintf(line, 10000, "GET / HTTP/1.1\r\nHost: x\r\n");
    while (at < 9000)
        at += (size_t)snprintf(line + at, 10000 - at, "X-Pad: %060d\r\n", 0);
    char *big_head = malloc(20000);
    memcpy(big_head, line, at);
    while (at < 17000)
        at += (size_t)snprintf(big_head + at, 20000 - at, "X-Pad: %060d\r\n", 0);
    at += (size_t)snprintf(big_head + at, 20000 - at, "\r\n");
    expect_error(p, big_head, at, 431, true);
    free(line);
    free(big_head);

    /* HEAD of an error: the head only */
    struct response r;
    assert_int_equal(exchange(p, "HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n", &r), 404);
    assert_int_equal(r.body_len, 0);
    assert_true(atoi(header(&r, "Content-Length")) > 0);
    response_free(&r);
    /* no byte of the file outside, whatever the spelling */
    const char *ways_out[] = {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                              "/link_out", "http://x/../secret.txt"};
    for (size_t i = 0; i < sizeof ways_out / sizeof ways_out[0]; i++) {
        char request[256];
        snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", ways_out[i]);
        int status = exchange(p, request, &r);
        assert_true(status == 403 || status == 404);
        assert_null(strstr(r.body, "TOP-SECRET"));
        response_free(&r);
    }
    assert_server_stops_cleanly(&s);
}

static void test_folders(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct response r;
    assert_int_equal(exchange(s.port, "GET /dir HTTP/1.1\r\nHost: x\r\n\r\n", &r), 301);
    assert_string_equal(header(&r, "Location"), "/dir/");
    response_free(&r);
    assert_int_equal(exchange(s.port, "GET /dir?a=1 HTTP/1.1\r\nHost: x\r\n\r\n", &r), 301);
    assert_string_equal(header(&r, "Location"), "/dir/?a=1");
    response_free(&r);
    assert_int_equal(exchange(s.port, "GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_string_equal(r.body, "<p>dir</p>\n");
    response_free(&r);
    assert_int_equal(get_status(s.port, "GET /empty/ HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    assert_int_equal(get_status(s.port, "GET /list/ HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    assert_server_stops_cleanly(&s);

    start(&s, "-l", NULL); /* with listings */
    assert_int_equal(exchange(s.port, "GET /list/ HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_non_null(strstr(r.body, "<a href=\"%3Ci%3E%26.txt\">&lt;i&gt;&amp;.txt</a>"));
    assert_null(strstr(r.body, "<i>"));
    response_free(&r);
    assert_int_equal(exchange(s.port, "GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_string_equal(r.body, "<p>dir</p>\n"); /* an index still wins */
    response_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_not_modified_and_ranges(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    int p = s.port;
    struct response r;
    assert_int_equal(exchange(p, "GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    char last_modified[64], request[512];
    snprintf(last_modified, sizeof last_modified, "%s", header(&r, "Last-Modified"));
    response_free(&r);

    snprintf(request, sizeof request,
             "GET /file.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: %s\r\n\r\n", last_modified);
    assert_int_equal(exchange(p, request, &r), 304);
    assert_int_equal(r.body_len, 0);
    response_free(&r);
    assert_int_equal(exchange(p,
                              "GET /file.txt HTTP/1.1\r\nHost: x\r\n"
                              "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
                              &r),
                     200);
    response_free(&r);

    struct {
        const char *range;
        const char *body, *content_range;
    } cases[] = {
        {"bytes=2-4", "234", "bytes 2-4/10"},
        {"bytes=7-", "789", "bytes 7-9/10"},
        {"bytes=-2", "89", "bytes 8-9/10"},
        {"bytes=5-99", "56789", "bytes 5-9/10"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(request, sizeof request, "GET /file.txt HTTP/1.1\r\nHost: x\r\nRange: %s\r\n\r\n",
                 cases[i].range);
        assert_int_equal(exchange(p, request, &r), 206);
        assert_string_equal(r.body, cases[i].body);
        assert_string_equal(header(&r, "Content-Range"), cases[i].content_range);
        response_free(&r);
    }
    assert_int_equal(
        exchange(p, "GET /file.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=10-\r\n\r\n", &r), 416);
    assert_string_equal(header(&r, "Content-Range"), "bytes */10");
    response_free(&r);
    /* If-Range with another date: the whole file */
    assert_int_equal(exchange(p,
                              "GET /file.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-0\r\n"
                              "If-Range: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
                              &r),
                     200);
    assert_int_equal(r.body_len, 10);
    response_free(&r);
    /* a range in the middle of a large file (sendfile from an offset) */
    assert_int_equal(exchange(p,
                              "GET /big.bin HTTP/1.1\r\nHost: x\r\n"
                              "Range: bytes=1000000-2999999\r\n\r\n",
                              &r),
                     206);
    assert_int_equal(r.body_len, 2000000);
    assert_memory_equal(r.body, big + 1000000, 2000000);
    response_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_keep_alive(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct client c;
    client_open(&c, s.port);
    for (int i = 0; i < 100; i++) { /* 100 requests, one connection */
        send_text(&c, i % 2 ? "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                            : "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
        struct response r;
        assert_true(read_response(&c, i % 2 == 0, &r));
        assert_int_equal(r.status, 200);
        assert_string_equal(header(&r, "Connection"), "keep-alive");
        response_free(&r);
    }
    expect_connections(s.port, 2); /* c, and this one */
    client_close(&c);

    struct response r;
    /* HTTP/1.0: closed after the answer, unless asked to keep it */
    client_open(&c, s.port);
    send_text(&c, "GET /a.txt HTTP/1.0\r\n\r\n");
    assert_true(read_response(&c, false, &r));
    assert_string_equal(header(&r, "Connection"), "close");
    response_free(&r);
    assert_true(server_closes(&c));
    client_close(&c);
    client_open(&c, s.port);
    for (int i = 0; i < 3; i++) {
        send_text(&c, "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assert_true(read_response(&c, false, &r));
        assert_string_equal(header(&r, "Connection"), "keep-alive");
        response_free(&r);
    }
    client_close(&c);
    /* HTTP/1.1 with Connection: close */
    client_open(&c, s.port);
    send_text(&c, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_true(read_response(&c, false, &r));
    assert_string_equal(header(&r, "Connection"), "close");
    response_free(&r);
    assert_true(server_closes(&c));
    client_close(&c);
    assert_server_stops_cleanly(&s);
}

static void test_pipelining_in_order(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct client c;
    client_open(&c, s.port);
    /* one write, many requests: a large file in the middle, so the ones
     * after it wait for it to go out, and errors that keep the connection */
    char all[4096] = "";
    const char *paths[] = {"/a.txt", "/nope",       "/big.bin", "/file.json",
                           "/dir",   "/index.html", "/a.txt",   "/status"};
    const int want[] = {200, 404, 200, 200, 301, 200, 200, 200};
    for (size_t i = 0; i < 8; i++) {
        char one[128];
        snprintf(one, sizeof one, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", paths[i]);
        strcat(all, one);
    }
    strcat(all, "HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\nPOST /x HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                "GET /never-answered HTTP/1.1\r\nHost: x\r\n\r\n");
    send_text(&c, all);
    for (size_t i = 0; i < 8; i++) {
        struct response r;
        assert_true(read_response(&c, false, &r));
        if (r.status != want[i])
            fail_msg("answer %zu: %d, want %d", i, r.status, want[i]);
        if (strcmp(paths[i], "/big.bin") == 0) {
            assert_int_equal(r.body_len, BIG_SIZE);
            assert_memory_equal(r.body, big, BIG_SIZE);
        }
        if (strcmp(paths[i], "/file.json") == 0)
            assert_string_equal(header(&r, "Content-Type"), "application/json");
        response_free(&r);
    }
    struct response r;
    assert_true(read_response(&c, true, &r));
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_true(read_response(&c, false, &r));
    assert_int_equal(r.status, 405);
    response_free(&r);
    assert_true(read_response(&c, false, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Connection"), "close");
    response_free(&r);
    assert_true(server_closes(&c)); /* the request after "close" is not answered */
    client_close(&c);

    /* a request body on GET is read and dropped; the next request follows it */
    client_open(&c, s.port);
    send_text(&c, "GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                  "GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_true(read_response(&c, false, &r));
    assert_string_equal(r.body, "a");
    response_free(&r);
    assert_true(read_response(&c, false, &r));
    assert_string_equal(r.body, "0123456789");
    response_free(&r);
    client_close(&c);
    assert_server_stops_cleanly(&s);
}

static void test_trickled_and_floods_of_pipelined_requests(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct client c;
    client_open(&c, s.port);
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* one byte per packet: the server keeps the part it has and waits */
    const char *r = "GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Long: 0123456789\r\n\r\n";
    for (size_t i = 0; r[i] != '\0'; i++) {
        send_bytes(&c, r + i, 1);
        if (i % 8 == 0)
            clock_sleep_ms(1); /* let some arrive alone */
    }
    struct response resp;
    assert_true(read_response(&c, false, &resp));
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "a");
    response_free(&resp);

    /* 100 requests in one go, answers (3 MB) far more than one reply
     * buffer: they go out in order as the client reads them */
    static char many[100 * 64];
    size_t at = 0;
    for (int i = 0; i < 100; i++)
        at += (size_t)snprintf(many + at, sizeof many - at,
                               i % 10 == 9 ? "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                                           : "GET /mid.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    send_bytes(&c, many, at);
    for (int i = 0; i < 100; i++) {
        assert_true(read_response(&c, false, &resp));
        assert_int_equal(resp.status, 200);
        if (i % 10 == 9) {
            assert_string_equal(resp.body, "a");
        } else {
            assert_int_equal(resp.body_len, MID_SIZE);
            assert_memory_equal(resp.body, big, MID_SIZE);
        }
        response_free(&resp);
    }
    client_close(&c);
    assert_server_stops_cleanly(&s);
}

static void test_status_json(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct response r;
    assert_int_equal(exchange(s.port, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_string_equal(header(&r, "Content-Type"), "application/json");
    assert_non_null(strstr(r.body, "\"uptime_seconds\": "));
    assert_non_null(strstr(r.body, "\"connections\": 1,"));
    assert_non_null(strstr(r.body, "\"requests\": 0,")); /* none answered before this one */
    assert_non_null(strstr(r.body, "\"bytes_sent\": 0}"));
    response_free(&r);
    assert_int_equal(get_status(s.port, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_int_equal(status_number(s.port, "requests"), 2);
    long long sent = status_number(s.port, "bytes_sent");
    assert_true(sent > 200);
    assert_true(status_number(s.port, "bytes_sent") > sent);
    assert_int_equal(exchange(s.port, "HEAD /status HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_int_equal(r.body_len, 0);
    response_free(&r);
    assert_server_stops_cleanly(&s);
}

static void test_access_log(void **state)
{
    (void)state;
    struct server s;
    start(&s, "-v", NULL);
    assert_int_equal(get_status(s.port, "GET /a.txt?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_int_equal(get_status(s.port, "GET /nope HTTP/1.0\r\n\r\n"), 404);
    assert_int_equal(get_status(s.port, "GET /\x01\"x HTTP/1.1\r\n\r\n"), 400);
    assert_true(server_wait_output(&s, true, "\n", 3, 5));
    char *err = server_output(&s, true);
    assert_int_equal(count_lines_containing(err, "127.0.0.1 - - ["), 3);
    assert_int_equal(count_lines_containing(err, " +0000] \"GET /a.txt?q=1 HTTP/1.1\" 200 1"), 1);
    assert_int_equal(count_lines_containing(err, "\"GET /nope HTTP/1.0\" 404 "), 1);
    assert_int_equal(count_lines_containing(err, "\"GET /\\x01\\x22x HTTP/1.1\" 400 "), 1);
    free(err);
    assert_server_stops_cleanly(&s);
    start(&s, NULL, NULL); /* without -v: nothing */
    assert_int_equal(get_status(s.port, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_server_stops_cleanly(&s);
    err = server_output(&s, true);
    assert_string_equal(err, "");
    free(err);
}

/* --- concurrency and robustness -------------------------------------------------- */

#define SLOWLORIS 200

static void test_slowloris_does_not_delay_a_request(void **state)
{
    (void)state;
    struct server s;
    start(&s, "-t", "2"); /* a whole head within 2 s */
    static int slow[SLOWLORIS];
    for (int i = 0; i < SLOWLORIS; i++) { /* each sends part of a head, then stalls */
        slow[i] = open_socket(s.port);
        const char *part = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        assert_int_equal(write(slow[i], part, strlen(part)), (ssize_t)strlen(part));
    }
    double started = clock_now();
    struct response r;
    assert_int_equal(exchange(s.port, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    double took = clock_now() - started;
    response_free(&r);
    if (took > harness_timeout(1.0))
        fail_msg("a normal request took %.2fs beside %d stalled clients", took, SLOWLORIS);
    expect_connections(s.port, SLOWLORIS + 1);

    /* the server gives up on them: 408 and closed, after about 2 s */
    for (int i = 0; i < SLOWLORIS; i++) {
        set_socket_timeout(slow[i], 6.0);
        char buf[1024];
        ssize_t n, total = 0;
        while ((n = read(slow[i], buf + total, sizeof buf - 1 - (size_t)total)) > 0)
            total += n;
        if (n < 0 && errno != ECONNRESET)
            fail_msg("stalled client %d was not closed: %s", i, strerror(errno));
        buf[total] = '\0';
        if (total > 0 && strncmp(buf, "HTTP/1.1 408 ", 13) != 0)
            fail_msg("stalled client %d got: %s", i, buf);
        close_socket(slow[i]);
    }
    assert_true(clock_now() - started >= 1.0); /* not before their time was up */
    expect_connections(s.port, 1);
    assert_server_stops_cleanly(&s);
}

#define KEEP_ALIVE_CLIENTS 500

static void test_500_keep_alive_clients(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    static struct client c[KEEP_ALIVE_CLIENTS];
    for (int i = 0; i < KEEP_ALIVE_CLIENTS; i++)
        client_open(&c[i], s.port);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < KEEP_ALIVE_CLIENTS; i++) /* all ask before anyone reads */
            send_text(&c[i], i % 3 == 0 ? "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                                        : "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        for (int i = 0; i < KEEP_ALIVE_CLIENTS; i++) {
            struct response r;
            assert_true(read_response(&c[i], false, &r));
            assert_int_equal(r.status, 200);
            assert_string_equal(r.body, i % 3 == 0 ? "<p>home</p>\n" : "a");
            response_free(&r);
        }
    }
    expect_connections(s.port, KEEP_ALIVE_CLIENTS + 1);
    for (int i = 0; i < KEEP_ALIVE_CLIENTS; i++)
        client_close(&c[i]);
    assert_server_stops_cleanly(&s);
}

/* Close fd with a reset (RST) instead of an orderly FIN. */
static void close_with_reset(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close_socket(fd);
}

#define MANY 1000

struct fds_over {
    pid_t pid;
    int count;
};

static bool fds_above(void *arg)
{
    const struct fds_over *o = arg;
    return count_open_fds(o->pid) > o->count;
}

static void test_1000_connections_leave_no_fd(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    /* warm up: the files below are opened (and cached) once */
    assert_int_equal(get_status(s.port, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_int_equal(get_status(s.port, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    struct fd_wait w = fds_now(&s);
    int before = count_open_fds(s.pid);

    static int fds[MANY];
    for (int i = 0; i < MANY; i++) {
        fds[i] = open_socket(s.port);
        switch (i % 5) {
        case 0: /* a whole request, never read */
            (void)!write(fds[i], "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 33);
            break;
        case 1: /* half a request */ (void)!write(fds[i], "GET /a.txt HTTP/1.1\r\nHo", 23); break;
        case 2: /* a download it will not finish */
            (void)!write(fds[i], "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", 35);
            break;
        case 3: /* garbage */
            (void)!write(fds[i], "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15);
            break;
        default: /* nothing at all */ break;
        }
    }
    /* they are there now, once the server has accepted them (slowly under TSan) */
    struct fds_over over = {s.pid, before + MANY / 2};
    assert_true(wait_until(fds_above, &over, 10));
    for (int i = 0; i < MANY; i++) {
        if (i % 2)
            close_with_reset(fds[i]);
        else
            close_socket(fds[i]);
    }
    expect_no_leak(&s, &w);
    assert_int_equal(get_status(s.port, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_server_stops_cleanly(&s);
}

static void test_clients_vanishing_mid_download(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    assert_int_equal(get_status(s.port, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    struct fd_wait w = fds_now(&s);
    for (int i = 0; i < 30; i++) {
        int fd = open_socket(s.port);
        assert_int_equal(write(fd, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", 35), 35);
        char buf[4096];
        assert_true(read(fd, buf, sizeof buf) > 0); /* the download has begun */
        if (i % 2)
            close_with_reset(fd);
        else
            close_socket(fd);
    }
    expect_no_leak(&s, &w);
    /* a slow reader (a big answer it does not read) blocks nobody */
    int stuck = open_socket(s.port);
    const char *many =
        "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(write(stuck, many, strlen(many)), (ssize_t)strlen(many));
    double started = clock_now();
    assert_int_equal(get_status(s.port, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_true(clock_now() - started < harness_timeout(1.0));
    close_socket(stuck);
    assert_server_stops_cleanly(&s);
}

static void test_timeouts_close_idle_connections(void **state)
{
    (void)state;
    struct server s;
    start(&s, "-k", "1");
    struct client c;
    client_open(&c, s.port);
    send_text(&c, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    struct response r;
    assert_true(read_response(&c, false, &r));
    response_free(&r);
    double started = clock_now();
    assert_true(server_closes(&c)); /* idle for -k 1 s: closed, silently */
    assert_true(clock_now() - started >= 0.5);
    client_close(&c);
    assert_server_stops_cleanly(&s);
}

static void test_max_connections(void **state)
{
    (void)state;
    struct server s;
    start(&s, "-m", "3");
    struct client c[4];
    struct response r;
    for (int i = 0; i < 3; i++) {
        client_open(&c[i], s.port);
        send_text(&c[i], "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_true(read_response(&c[i], false, &r));
        response_free(&r);
    }
    client_open(&c[3], s.port); /* the kernel takes it; the server does not yet */
    send_text(&c[3], "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    struct pollfd p = {c[3].fd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 300), 0); /* no answer while 3 are open */
    client_close(&c[0]);
    assert_true(read_response(&c[3], false, &r)); /* one left: its turn */
    assert_int_equal(r.status, 200);
    response_free(&r);
    for (int i = 1; i < 4; i++)
        client_close(&c[i]);
    assert_server_stops_cleanly(&s);
}

static void test_out_of_descriptors(void **state)
{
    (void)state;
    /* The server runs with a limit of 40 descriptors, soft and hard
     * (ulimit -n sets both: it cannot raise it with fd_limit_raise). */
    const char *argv[] = {"/bin/sh", "-c", "ulimit -n 40 && exec \"$0\" \"$@\"",
                          program_path(SERVER), "-p", "0", "-d", www, NULL};
    struct server s;
    server_start(&s, argv);

    static struct client c[60];
    int answered = 0, refused = 0;
    for (int i = 0; i < 60; i++) {
        client_open(&c[i], s.port);
        send_text(&c[i], "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        struct response r;
        if (read_response(&c[i], false, &r)) {
            if (r.status == 200)
                answered++;
            else if (r.status == 503)
                refused++;
            response_free(&r);
        } else {
            refused++; /* closed at once */
        }
    }
    assert_true(answered >= 25);
    assert_true(refused >= 10);
    assert_int_equal(answered + refused, 60);
    assert_true(server_wait_output(&s, true, "out of file descriptors", 1, 5));

    /* No busy loop meanwhile: over half a second with 60 clients waiting
     * (this is a measurement window, not a wait for an event) */
    double before = cpu_seconds(s.pid);
    double until = clock_now() + 0.5;
    while (clock_now() < until)
        clock_sleep_ms(50);
    double used = cpu_seconds(s.pid) - before;
    if (before < 0 || used > 0.1) /* a busy loop would use about 0.5 s */
        fail_msg("the server used %.2f s of CPU in 0.5 s while out of descriptors", used);

    for (int i = 0; i < 60; i++)
        client_close(&c[i]);
    struct client again;
    client_open(&again, s.port); /* recovered */
    send_text(&again, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    struct response r;
    assert_true(read_response(&again, false, &r));
    assert_int_equal(r.status, 200);
    response_free(&r);
    client_close(&again);
    assert_server_stops_cleanly(&s);
}

static void test_sigterm_with_work_in_flight(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    int idle = open_socket(s.port);
    int partial = open_socket(s.port);
    int stuck = open_socket(s.port);
    assert_int_equal(write(partial, "GET / HTTP/1.1\r\n", 16), 16);
    const char *two =
        "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(write(stuck, two, strlen(two)), (ssize_t)strlen(two));
    expect_connections(s.port, 4);
    assert_server_stops_cleanly(&s); /* exit 0, quickly, with all of that going on */
    assert_true(s.stop_seconds < harness_timeout(1.0));
    close_socket(idle);
    close_socket(partial);
    close_socket(stuck);
}

/* --- the client, http_get -------------------------------------------------------- */

static void test_http_get_client(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    struct run_result r;
    const char *get[] = {
        program_path("day10/http/http_get"), "-p", port, "/a.txt", "/file.txt", "/big.bin", NULL};
    run_program_text(&r, get, NULL, 10);
    assert_exit_code(&r, 0);
    assert_int_equal(count_lines_containing(r.out, "HTTP/1.1 200 OK"), 3);
    assert_int_equal(count_lines_containing(r.out, "Connection: keep-alive"), 2);
    assert_int_equal(count_lines_containing(r.out, "Connection: close"), 1); /* the last */
    assert_non_null(strstr(r.out, "\r\n\r\na"));
    assert_non_null(strstr(r.out, "\r\n\r\n0123456789"));
    char want[64];
    snprintf(want, sizeof want, "[%d bytes of application/octet-stream]", BIG_SIZE);
    assert_true(has_line(r.out, want));
    run_result_free(&r);

    const char *raw[] = {program_path("day10/http/http_get"), "-r", "-p", port, NULL};
    run_program_text(&r, raw, "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 10);
    assert_exit_code(&r, 0);
    assert_int_equal(strncmp(r.out, "HTTP/1.1 501 Not Implemented\r\n", 30), 0);
    run_result_free(&r);
    assert_server_stops_cleanly(&s);

    const char *refused[] = {program_path("day10/http/http_get"), "-p", port, "/", NULL};
    run_program_text(&r, refused, NULL, 10); /* the server is gone */
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "connect"));
    run_result_free(&r);
    const char *bad[][3] = {{NULL}, {"-r", "/a"}, {"a b"}, {"-x"}, {"nopath"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {
            program_path("day10/http/http_get"), "-p", port, bad[i][0], bad[i][1], NULL};
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage: http_get"));
        run_result_free(&r);
    }
    const char *help[] = {program_path("day10/http/http_get"), "-h", NULL};
    run_program_text(&r, help, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: http_get"));
    run_result_free(&r);
}

/* --- issue 16 ------------------------------------------------------------------ */

static void test_issue16_range_past_64_bits_and_file_as_folder(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct response r;
    /* a last byte past the end, even past 64 bits: "to the end" (206) */
    assert_int_equal(exchange(s.port,
                              "GET /file.txt HTTP/1.1\r\nHost: x\r\n"
                              "Range: bytes=0-18446744073709551615\r\n\r\n",
                              &r),
                     206);
    assert_string_equal(header(&r, "Content-Range"), "bytes 0-9/10");
    assert_string_equal(r.body, "0123456789");
    response_free(&r);
    assert_int_equal(exchange(s.port,
                              "GET /big.bin HTTP/1.1\r\nHost: x\r\n"
                              "Range: bytes=3-99999999999999999999999\r\n\r\n",
                              &r),
                     206);
    assert_int_equal(r.body_len, BIG_SIZE - 3);
    response_free(&r);
    /* a file is not a folder, however it is named */
    const char *not_folders[] = {"/index.html/.", "/index.html/", "/a.txt/.",
                                 "/dir/index.html/."};
    for (size_t i = 0; i < sizeof not_folders / sizeof not_folders[0]; i++) {
        char request[256];
        snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", not_folders[i]);
        if (get_status(s.port, request) != 404)
            fail_msg("%s was not answered 404", not_folders[i]);
    }
    assert_int_equal(get_status(s.port, "GET /dir/. HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_server_stops_cleanly(&s);
}

/* The request of issue 16, verbatim: a bare LF hides a Content-Length
 * from a front end that splits lines on CRLF only. One 400, then the
 * connection is closed: the hidden GET /admin is never answered. */
static void test_issue16_bare_lf_smuggling(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL);
    struct client c;
    client_open(&c, s.port);
    send_text(&c, "GET / HTTP/1.1\r\nHost: localhost\r\nDummy: x\nContent-Length: 23\r\n\r\n"
                  "GET / HTTP/1.1\r\nDummy: GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n");
    struct response r;
    assert_true(read_response(&c, false, &r));
    assert_int_equal(r.status, 400);
    response_free(&r);
    assert_true(server_closes(&c));
    client_close(&c);
    assert_server_stops_cleanly(&s);
}

/* Start argv with stdout and stderr on a pipe that is read only up to
 * the "listening on" line; *rd is its read end. Returns the port. */
static int start_unread(const char *const argv[], pid_t *pid, int *rd)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    *rd = p[0];
    char line[256];
    size_t len = 0;
    double deadline = clock_now() + harness_timeout(10);
    while (memchr(line, '\n', len) == NULL && len < sizeof line - 1) {
        struct pollfd w = {*rd, POLLIN, 0};
        int left = (int)((deadline - clock_now()) * 1000);
        assert_true(left > 0 && poll(&w, 1, left) == 1);
        ssize_t n = read(*rd, line + len, 1); /* not one byte more */
        assert_true(n == 1);
        len++;
    }
    line[len] = '\0';
    const char *colon = strrchr(line, ':');
    assert_non_null(strstr(line, "listening on "));
    assert_non_null(colon);
    return atoi(colon + 1);
}

/* Issue 16: "-v" with its log on a pipe nobody reads (a paused
 * `server -v | less`), after 3,000 connections: a stop signal still
 * stops it, within a bound. */
/* Issue 16: an If-Modified-Since that names no instant is ignored (RFC
 * 9110 13.1.3), so the file is sent; it is not read as the next day.
 * nov.txt was last changed on 30 Nov 1994 at noon: "31 Nov" read as
 * 1 Dec would answer 304. The same later instant, written right in each
 * of the three forms a server must accept, does answer 304. */
static void test_issue16_impossible_if_modified_since(void **state)
{
    (void)state;
    write_file("www/nov.txt", "november\n", 9);
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/www/nov.txt", base);
    struct timespec times[2] = {{786196800, 0}, {786196800, 0}}; /* 1994-11-30 12:00 */
    assert_int_equal(utimensat(AT_FDCWD, p, times, 0), 0);
    struct server s;
    start(&s, NULL, NULL);
    const char *ignored[] = {"Sun, 31 Nov 1994 08:49:37 GMT", "Thursday, 31-Nov-94 08:49:37 GMT",
                             "Thu Nov 31 08:49:37 1994",      "Wed, 30 Nov 1994 24:00:00 GMT",
                             "Wed, 30 Nov 1994 12:60:00 GMT", "Wed, 30 Nov 1994 12:00:61 GMT"};
    const char *later[] = {"Thu, 01 Dec 1994 08:49:37 GMT", "Thursday, 01-Dec-94 08:49:37 GMT",
                           "Thu Dec  1 08:49:37 1994", "Wed, 30 Nov 1994 23:59:60 GMT"};
    char request[256];
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
        snprintf(request, sizeof request,
                 "GET /nov.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: %s\r\n\r\n",
                 ignored[i]);
        struct response r;
        int status = exchange(s.port, request, &r);
        if (status != 200 || r.body_len != 9)
            fail_msg("If-Modified-Since: %s: answered %d with %zu bytes, not 200 with the file",
                     ignored[i], status, r.body_len);
        response_free(&r);
    }
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        snprintf(request, sizeof request,
                 "GET /nov.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: %s\r\n\r\n",
                 later[i]);
        if (get_status(s.port, request) != 304)
            fail_msg("If-Modified-Since: %s: not answered 304", later[i]);
    }
    assert_server_stops_cleanly(&s);
    assert_int_equal(unlink(p), 0);
}

static void test_stop_wins_over_a_blocked_log(void **state)
{
    (void)state;
    const char *programs[] = {SERVER, "day10/epoll_server"};
    const int signals[] = {SIGTERM, SIGINT};
    for (size_t i = 0; i < 2; i++) {
        const char *argv[] = {program_path(programs[i]), "-v", "-p", "0", "-d", www, NULL};
        if (i == 1)
            argv[4] = NULL; /* the echo server has no -d */
        pid_t pid;
        int rd;
        int port = start_unread(argv, &pid, &rd);
        for (int k = 0; k < 3000; k++) {
            int fd = connect_to(port);
            if (fd < 0)
                break; /* the queue is full: the server is stuck */
            (void)!write(fd, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 32);
            close(fd);
        }
        /* Its log is stuck: the pipe holds 64 KiB nobody reads. */
        int queued = 0;
        double until = clock_now() + harness_timeout(10);
        while (clock_now() < until && ioctl(rd, FIONREAD, &queued) == 0 && queued < 60000)
            clock_sleep_ms(20);
        if (queued < 60000)
            fail_msg("%s: only %d bytes of log queued", programs[i], queued);
        assert_int_equal(kill(pid, signals[i]), 0);
        int status = 0;
        pid_t got = 0;
        until = clock_now() + harness_timeout(5);
        while ((got = waitpid(pid, &status, WNOHANG)) == 0 && clock_now() < until)
            clock_sleep_ms(20);
        if (got == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            close(rd);
            fail_msg("%s -v: still running 5 s after signal %d", programs[i], signals[i]);
        }
        close(rd);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

/* --- the class interface ----------------------------------------------------- */

static void test_hello_server_uses_the_class(void **state)
{
    (void)state;
    struct server s;
    const char *argv[] = {program_path("day10/http/hello_server"), "-p", "0", www, NULL};
    server_start(&s, argv);
    struct response r;
    assert_int_equal(exchange(s.port, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
    assert_string_equal(r.body, "a");
    response_free(&r);
    assert_int_equal(get_status(s.port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    assert_server_stops_cleanly(&s);

    struct run_result rr;
    const char *help[] = {program_path("day10/http/hello_server"), "-h", NULL};
    run_program_text(&rr, help, NULL, 5);
    assert_exit_code(&rr, 0);
    assert_non_null(strstr(rr.out, "usage: hello_server"));
    run_result_free(&rr);
    const char *bad[] = {program_path("day10/http/hello_server"), "a", "b", NULL};
    run_program_text(&rr, bad, NULL, 5);
    assert_exit_code(&rr, 2);
    run_result_free(&rr);
    const char *missing[] = {program_path("day10/http/hello_server"), "-p", "0",
                             "/nonexistent/folder", NULL};
    run_program_text(&rr, missing, NULL, 5);
    assert_exit_code(&rr, 1);
    assert_non_null(strstr(rr.err, "/nonexistent/folder"));
    run_result_free(&rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_usage_and_bad_arguments, teardown),
        cmocka_unit_test_teardown(test_shipped_site, teardown),
        cmocka_unit_test_teardown(test_get_and_head_byte_exact, teardown),
        cmocka_unit_test_teardown(test_mime_types, teardown),
        cmocka_unit_test_teardown(test_error_statuses, teardown),
        cmocka_unit_test_teardown(test_folders, teardown),
        cmocka_unit_test_teardown(test_not_modified_and_ranges, teardown),
        cmocka_unit_test_teardown(test_keep_alive, teardown),
        cmocka_unit_test_teardown(test_pipelining_in_order, teardown),
        cmocka_unit_test_teardown(test_trickled_and_floods_of_pipelined_requests, teardown),
        cmocka_unit_test_teardown(test_status_json, teardown),
        cmocka_unit_test_teardown(test_access_log, teardown),
        cmocka_unit_test_teardown(test_slowloris_does_not_delay_a_request, teardown),
        cmocka_unit_test_teardown(test_500_keep_alive_clients, teardown),
        cmocka_unit_test_teardown(test_1000_connections_leave_no_fd, teardown),
        cmocka_unit_test_teardown(test_clients_vanishing_mid_download, teardown),
        cmocka_unit_test_teardown(test_timeouts_close_idle_connections, teardown),
        cmocka_unit_test_teardown(test_max_connections, teardown),
        cmocka_unit_test_teardown(test_out_of_descriptors, teardown),
        cmocka_unit_test_teardown(test_sigterm_with_work_in_flight, teardown),
        cmocka_unit_test_teardown(test_http_get_client, teardown),
        cmocka_unit_test_teardown(test_issue16_range_past_64_bits_and_file_as_folder, teardown),
        cmocka_unit_test_teardown(test_issue16_bare_lf_smuggling, teardown),
        cmocka_unit_test_teardown(test_issue16_impossible_if_modified_since, teardown),
        cmocka_unit_test_teardown(test_stop_wins_over_a_blocked_log, teardown),
        cmocka_unit_test_teardown(test_hello_server_uses_the_class, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
