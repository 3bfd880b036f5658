/* day10/http/http_server.c — HTTPServer v2.0 / HTTP 服务器 v2.0
 *
 * The course's web server (接收请求, 解析请求, 返回 HTTP 响应;
 * 升级点: IO 并发, 类接口封装) as day10/epoll_server.c with HTTP in
 * place of the echo: the same run(), watch(s, c, op), accept_clients(),
 * serve(), add_conn() and close_conn(), so `diff day10/epoll_server.c
 * day10/http/http_server.c` shows what a web server adds. A request flows
 * one way: read here, http_parse.c, http_response.c, http_file.c (with
 * common/path.c's jail), sent here. The "class" is http_api.h.
 *
 * Run it:   ./build/day10/http/http_server [-v] [-l] [-d DIR] [-p PORT]
 *           curl -v http://127.0.0.1:8000/   curl 127.0.0.1:8000/status
 * Watch:    keep-alive (one connection, many requests), pipelining, a big
 *           file sent with sendfile in turns on EPOLLOUT, hostile input
 *           answered with a precise status (400, 414, 431...), GET /status.
 * See also: day10/epoll_server.c, hello_server.c, docs/day10.md.
 */
#define _GNU_SOURCE /* accept4, MSG_MORE */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"
#include "day10/http/http_api.h"
#include "day10/http/http_conn.h"
#include "day10/http/http_log.h"
#include "day10/http/http_response.h"

enum {
    FILE_TURN = 256 * 1024,  /* file bytes sent before the others' turn */
    MAX_EVENTS = 512,        /* ready fds taken per epoll_wait */
    SEND_TIMEOUT = 30,       /* seconds a client may take no byte */
    LINGER_TIMEOUT = 2,      /* seconds to read on after an error */
};

static const char busy[] = /* to a client refused for want of an fd */
    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";

static void close_conn(struct http_server *s, struct conn *c);
static void close_expired(struct http_server *s);
static void set_accepting(struct http_server *s, bool on);
static bool add_conn(struct http_server *s, struct conn *c);
static bool read_requests(struct http_server *s, struct conn *c);
static int send_reply(struct http_server *s, struct conn *c);
static bool end_connection(struct http_server *s, struct conn *c);

/* ------------------------------------------------------------------------
 * The event loop: epoll_server.c's, with a one-second timeout to close
 * the connections whose time is up.
 */
static void accept_clients(struct http_server *s);
static bool serve(struct http_server *s, struct conn *c);

/* Reading or writing, not both: while an answer goes out, the next
 * request waits in the socket. */
static uint32_t events_for(const struct conn *c)
{
    return c->state == SENDING ? EPOLLOUT : EPOLLIN;
}

/* Register c (op EPOLL_CTL_ADD) or change what we want (EPOLL_CTL_MOD). */
static bool watch(struct http_server *s, struct conn *c, int op)
{
    struct epoll_event ev = {.events = events_for(c), .data.fd = c->fd};
    if (op == EPOLL_CTL_MOD && ev.events == c->watching)
        return true; /* no change: no system call */
    if (epoll_ctl(s->epoll_fd, op, c->fd, &ev) < 0) {
        warn_errno("epoll_ctl");
        return false;
    }
    c->watching = ev.events;
    return true;
}

static int run(struct http_server *s)
{
    struct epoll_event ready[MAX_EVENTS];
    while (!sig_stop_requested) {
        int count = epoll_wait(s->epoll_fd, ready, MAX_EVENTS, 1000);
        if (count < 0) {
            if (errno == EINTR)
                continue; /* a signal: the loop test decides */
            warn_errno("epoll_wait");
            return -1;
        }
        s->now = clock_now(); /* and the Date header, once a second */
        if (time(NULL) != s->date_second)
            http_format_date(s->date_second = time(NULL), s->date);
        for (int i = 0; i < count; i++) {
            int fd = ready[i].data.fd;
            if (fd == s->listen_fd) {
                accept_clients(s);
                continue;
            }
            struct conn *c = s->conns[fd];
            if (c == NULL)
                continue; /* closed earlier in this round */
            if ((ready[i].events & EPOLLERR) || !serve(s, c) ||
                !watch(s, c, EPOLL_CTL_MOD))
                close_conn(s, c); /* close() also unregisters it */
        }
        close_expired(s);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Serving clients: read, parse, answer, send.
 */
static bool answer(struct http_server *s, struct conn *c);

/* Accept every client waiting on the (non-blocking) listening socket,
 * until accept says EAGAIN, or -m clients are open. */
static void accept_clients(struct http_server *s)
{
    while (s->stats.connections < s->opt.max_conns) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* refuse, don't spin */
                int r = fd_spare_refuse(&s->spare_fd, s->listen_fd, busy);
                if (r == 1 && !s->warned++)
                    warn_msg("out of file descriptors: refusing clients");
                if (r < 0)
                    set_accepting(s, false); /* for a second */
                if (r == 1)
                    continue;
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && !sig_stop_requested)
                set_accepting(s, false); /* ENOBUFS...: for a second */
            return;
        }
        struct conn *c = fd < s->max_fds ? calloc(1, sizeof *c) : NULL;
        if (c == NULL) {
            close(fd);
            continue;
        }
        *c = (struct conn){.fd = fd, .file_fd = -1};
        c->deadline = s->now + s->opt.head_timeout;
        if (fd >= s->fd_end)
            s->fd_end = fd + 1;
        s->conns[fd] = c;
        s->stats.connections++;
        if (!add_conn(s, c))
            close_conn(s, c);
    }
    set_accepting(s, false); /* -m clients open: until one closes */
}

/* EPOLLIN or EPOLLOUT on c: read and answer, go on sending, or drop
 * what a closing client still sends. False when c is done. */
static bool serve(struct http_server *s, struct conn *c)
{
    if (c->state == LINGERING) { /* see end_connection */
        ssize_t n = read(c->fd, s->read_buf, HTTP_READ_SIZE);
        return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
    }
    if (c->state == SENDING) {
        int sent = send_reply(s, c); /* the rest of the answer */
        if (sent <= 0)
            return sent == 0; /* more to send, or the client is gone */
        if (c->close_after)
            return end_connection(s, c);
        c->state = IDLE; /* then answer what came meanwhile */
    } else if (!read_requests(s, c)) {
        return false;
    }
    return answer(s, c);
}

/* Answer the complete requests in data[0..len) into s->reply, in order
 * (pipelining), up to a file to send or an answer that closes. */
static size_t make_replies(struct http_server *s, struct conn *c,
                           const char *data, size_t len)
{
    struct http_context ctx = {&s->docroot, &s->stats, s->now, s->date};
    size_t used = 0;
    http_reply_reset(&s->reply);
    while (used < len && s->reply.file_fd < 0 && !s->reply.close) {
        int status =
            http_parse_request(data + used, len - used, &c->scanned, &s->req);
        if (status == HTTP_INCOMPLETE ||
            http_respond(&ctx, &s->req, status, &s->reply) < 0)
            break; /* wait for more, or send these answers first */
        c->scanned = 0;
        s->stats.requests++;
        if (s->opt.verbose)
            http_log_request(c->fd, &s->req, &s->reply);
        used = s->reply.close ? len : used + s->req.length;
    }
    return used;
}

/* Answer the requests read, as long as the answers go out at once; keep
 * the start of a request not complete yet. False when c is done. */
static bool answer(struct http_server *s, struct conn *c)
{
    const char *data = c->in;
    size_t len = c->in_len;
    while (len > 0) {
        size_t used = make_replies(s, c, data, len);
        data += used;
        len -= used;
        if (s->reply.len == 0)
            break; /* only part of a request: wait for the rest */
        c->close_after = s->reply.close;
        c->linger_after = s->reply.linger;
        c->file_fd = s->reply.file_fd; /* c owns it now */
        c->file_off = s->reply.file_off;
        c->file_end = s->reply.file_off + s->reply.file_len;
        s->reply.file_fd = -1;
        int sent = send_reply(s, c);
        if (sent < 0)
            return false;
        if (sent == 0)
            break; /* the rest goes out on EPOLLOUT */
        if (c->close_after)
            return end_connection(s, c);
    }
    bool answered = data != c->in;
    if (!conn_keep_input(c, s->read_buf, data, len))
        return false;
    if (c->state == SENDING)
        return true;
    if (len == 0) { /* idle until the next request */
        c->state = IDLE;
        c->deadline = s->now + s->opt.idle_timeout;
    } else if (c->state == IDLE || answered) { /* a new request begins */
        c->state = READING;
        c->deadline = s->now + s->opt.head_timeout;
    }
    return true;
}

static void close_conn(struct http_server *s, struct conn *c)
{
    s->conns[c->fd] = NULL;
    conn_free(c, s->read_buf); /* close() also unregisters it */
    s->stats.connections--;
    if (s->stats.connections < s->opt.max_conns)
        set_accepting(s, true);
}

/* ------------------------------------------------------------------------
 * The speed tricks: each saves system calls or copies per request, as
 * measured with bench/http_vs_nginx.sh (docs/day10.md, Benchmarks).
 */

/* Lazy add: a request has usually come with the connection, so read and
 * answer it at once, and register c with epoll only when it has to wait.
 * A client that asks once and closes never costs an epoll_ctl (one of
 * the five system calls such a client would cost). */
static bool add_conn(struct http_server *s, struct conn *c)
{
    return serve(s, c) && watch(s, c, EPOLL_CTL_ADD);
}

/* A borrowed read buffer: c reads into s->read_buf, lent to it for this
 * turn, and is answered from there. Only the start of a request not
 * complete yet is copied into a buffer of c's own (conn_keep_input): most
 * requests are never copied, and idle clients hold no buffer at all
 * (10,000 idle keep-alive connections: 2 MB of RSS). */
static bool read_requests(struct http_server *s, struct conn *c)
{
    size_t room;
    char *into = conn_read_room(c, s->read_buf, HTTP_READ_SIZE, &room);
    if (into == NULL)
        return false; /* HTTP_READ_SIZE unanswered: the parser refused long ago
                       */
    ssize_t n = read(c->fd, into, room);
    if (n > 0)
        c->in_len += (size_t)n;
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        return false; /* closed (a half request dies with it), or reset */
    return true;
}

/* Send the answers in s->reply (on EPOLLOUT: the rest kept in c->out),
 * then the file part. MSG_MORE when file bytes follow: the head waits
 * to share its packets with the file's first bytes instead of going out
 * alone (a 1 MiB answer at 10 connections: from about 1,200 to 1,800 a
 * second, with no more CPU). 1 all sent, 0 the rest waits, -1 gone. */
static int send_reply(struct http_server *s, struct conn *c)
{
    bool rest = c->state == SENDING;
    const char *data = rest ? c->out + c->out_sent : s->reply.buf;
    size_t len = rest ? c->out_len - c->out_sent : s->reply.len;
    if (len > 0) {
        int more = c->file_off < c->file_end ? MSG_MORE : 0;
        ssize_t n = send(c->fd, data, len, more);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1; /* EPIPE, ECONNRESET: the client is gone */
        size_t sent = n > 0 ? (size_t)n : 0;
        s->stats.bytes_sent += sent;
        c->deadline = s->now + SEND_TIMEOUT;
        c->out_sent += rest ? sent : 0;
        if (sent < len) {
            c->state = SENDING;
            return rest || conn_keep_output(c, data + sent, len - sent) ? 0
                                                                        : -1;
        }
    }
    /* Then the file part, with sendfile (no copy to user space): 256 KiB
     * turns cost less CPU than 64 KiB or 1 MiB at once (a 1 MiB file:
     * 137-154 us per request, against 166-171 and 183; docs/bench.md). */
    unsigned long long before = s->stats.bytes_sent;
    int done = conn_send_file(c, FILE_TURN, &s->stats.bytes_sent);
    if (s->stats.bytes_sent != before)
        c->deadline = s->now + SEND_TIMEOUT;
    if (done == 0)
        c->state = SENDING;
    return done;
}

/* A lingering close after an error: closing with unread bytes would send
 * a reset that can destroy the answer before the client reads it. So
 * half-close, and drop what comes (serve) until EOF or LINGER_TIMEOUT. */
static bool end_connection(struct http_server *s, struct conn *c)
{
    if (!c->linger_after)
        return false;
    shutdown(c->fd, SHUT_WR);
    conn_keep_input(c, s->read_buf, NULL, 0);
    c->state = LINGERING;
    c->deadline = s->now + LINGER_TIMEOUT;
    return true;
}

/* ------------------------------------------------------------------------
 * Time: the connections whose time is up.
 */

/* Once a second, close the connections whose time is up: slowloris
 * clients that never finish a request (told 408), idle keep-alive ones,
 * stalled readers, lingering ones. */
static void close_expired(struct http_server *s)
{
    if (s->now < s->next_sweep)
        return;
    s->next_sweep = s->now + 1.0;
    for (int fd = 0; fd < s->fd_end; fd++) {
        struct conn *c = s->conns[fd];
        if (c == NULL || c->deadline > s->now)
            continue;
        static const struct http_request none; /* 408 answers no request */
        struct http_context ctx = {&s->docroot, &s->stats, s->now, s->date};
        http_reply_reset(&s->reply);
        if (c->state == READING &&
            http_respond(&ctx, &none, 408, &s->reply) == 0)
            (void)!send(fd, s->reply.buf, s->reply.len, MSG_DONTWAIT);
        close_conn(s, c);
    }
    s->warned = false;
    if (s->stats.connections < s->opt.max_conns)
        set_accepting(s, true); /* after a pause */
}

/* Watch the listening socket or not (at -m clients, or for a second
 * when accept fails): the waiting clients stay in the kernel's queue. */
static void set_accepting(struct http_server *s, bool on)
{
    struct epoll_event ev = {.events = on ? EPOLLIN : 0,
                             .data.fd = s->listen_fd};
    if (s->accepting != on &&
        epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, s->listen_fd, &ev) == 0)
        s->accepting = on;
}

/* The class interface (http_api.h): serve_forever. new, open, free: in
 * http_class.c. */
int http_server_serve_forever(struct http_server *s)
{
    int status = run(s);
    for (int fd = 0; fd < s->fd_end; fd++)
        if (s->conns[fd] != NULL)
            close_conn(s, s->conns[fd]);
    return status;
}

/* ------------------------------------------------------------------------ */

static const char usage[] =
    "usage: http_server [-b ADDR] [-p PORT] [-d DIR] [-l] [-v] [-m MAXCONN]\n"
    "                   [-t SECONDS] [-k SECONDS] [-h]\n"
    "  an HTTP/1.1 server for the files of a folder: one thread, epoll\n"
    "  -b ADDR     bind address (default 127.0.0.1)\n"
    "  -p PORT     port (default 8000; 0: any free port)\n"
    "  -d DIR      the folder to serve (default: day10/http/site)\n"
    "  -l          list folders that have no index.html\n"
    "  -v          log every request on stderr (Common Log Format)\n"
    "  -m MAXCONN  most connections open at once (default 16384)\n"
    "  -t SECONDS  time to send a whole request head (default 10)\n"
    "  -k SECONDS  time an idle keep-alive connection stays (default 15)\n"
    "  -h          show this help\n";

static long number(const char *arg, long max)
{
    long v;
    if (parse_long(arg, 1, max, &v) < 0)
        die_usage(usage, "bad number '%s': expected 1 to %ld", arg, max);
    return v;
}

int main(int argc, char *argv[])
{
    struct server_opts so;
    struct http_options o = HTTP_OPTIONS_DEFAULT;
    int opt;

    prog_init(argv[0]);
    server_opts_init(&so, o.port);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "d:lvm:t:k:")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'd': o.dir = optarg; break;
        case 'l': o.listing = true; break;
        case 'v': o.verbose = true; break;
        case 'm': o.max_conns = number(optarg, 1 << 20); break;
        case 't': o.head_timeout = (int)number(optarg, 3600); break;
        case 'k': o.idle_timeout = (int)number(optarg, 3600); break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    o.host = so.bind_addr;
    o.port = so.port;

    struct http_server *s = http_server_open(&o);
    if (s == NULL)
        return 1;
    int status = http_server_serve_forever(s);
    http_server_free(s);
    return status == 0 ? 0 : 1;
}
