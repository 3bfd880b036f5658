/* day10/http/http_server.c — HTTPServer v2.0 / HTTP 服务器 v2.0: the epoll
 * echo server grown into a small web server.
 *
 * The course's HTTPServer v2.0 (接收浏览器请求, 解析请求, 组织数据内容,
 * 以 HTTP 响应格式返回; 升级点: IO 并发, 类接口封装, 非网页请求). This
 * file is day10/epoll_server.c with HTTP in place of the echo: the same
 * run(), watch(s, c, op), accept_clients(), serve() and close_conn(), so
 * `diff day10/epoll_server.c day10/http/http_server.c` shows what a web
 * server adds. A request flows one way: read here, then http_parse.c,
 * http_response.c, http_file.c (and common/path.c's jail), then sent here.
 * The server is also a "class" (http_api.h): main() below and
 * hello_server.c use it.
 *
 * Run it:   ./build/day10/http/http_server [-v] [-l] [-d DIR] [-p PORT]
 *           curl -v http://127.0.0.1:8000/   curl 127.0.0.1:8000/status
 * Watch:    keep-alive (one connection, many requests), pipelining, a big
 *           file sent with sendfile in turns on EPOLLOUT, hostile input
 *           answered with a precise status (400, 414, 431...), GET /status.
 * See also: day10/epoll_server.c, hello_server.c, docs/day10.md.
 */
#define _GNU_SOURCE /* sendfile, MSG_MORE */

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/fds.h"
#include "common/net.h"
#include "common/options.h"
#include "common/path.h"
#include "common/signals.h"
#include "day10/http/http_api.h"
#include "day10/http/http_log.h"
#include "day10/http/http_response.h"

enum {
    READ_SIZE = 64 * 1024,    /* one read; the most unanswered bytes kept */
    REPLY_SIZE = 256 * 1024,  /* the answers made from one read */
    FILE_TURN = 1024 * 1024,  /* file bytes sent before the others' turn */
    MAX_EVENTS = 512,         /* ready fds taken per epoll_wait */
    SEND_TIMEOUT = 30,        /* seconds a client may take no byte */
    LINGER_TIMEOUT = 2,       /* seconds to read on after an error */
};

#define SITE_DIR    "day10/http/site"
#define BUSY_NO_FDS "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n" \
                    "Connection: close\r\n\r\n"

_Static_assert(REPLY_SIZE >= HTTP_REPLY_MAX, "room for any one answer");
_Static_assert(READ_SIZE > HTTP_MAX_REQUEST, "room for one request");

enum conn_state { IDLE, READING, SENDING, LINGERING };

/* One client: the bytes of its requests not yet answered, and the part
 * of its answers not yet sent. Both buffers exist only while something
 * is in flight, so an idle keep-alive connection costs this struct. */
struct conn {
    int fd;
    enum conn_state state;
    bool close_after;  /* close once the answer is out */
    bool linger_after; /* ... lingering: the client may still be sending */
    uint32_t watching; /* the events registered with epoll_ctl (0: none) */
    char *in;          /* requests read, not yet answered (in_len bytes) */
    size_t in_len, in_cap, scanned;
    char *out; /* the part of the answers the socket did not take */
    size_t out_len, out_sent;
    int file_fd; /* a file being sent with sendfile, or -1 */
    long long file_off, file_end;
    double deadline; /* closed then, unless it got on (clock_now()) */
};

struct http_server {
    int listen_fd;
    int spare_fd;        /* kept open for EMFILE: see common/fds.h */
    struct conn **conns; /* the course's fdmap: conns[fd], NULL if none */
    int max_fds;         /* size of conns */
    int fd_end;          /* one past the highest fd ever used */
    int epoll_fd;        /* the kernel's interest list and ready list */
    bool accepting;      /* the listening socket is watched */
    bool warned;         /* said "out of file descriptors" this second */
    struct http_options opt;
    double now, next_sweep; /* clock_now() now, and at the next sweep */
    time_t date_second;
    char date[HTTP_DATE_LEN]; /* the Date header, made once a second */
    struct http_docroot docroot;
    struct http_stats stats;
    struct http_request req;
    struct http_reply reply;
    char read_buf[READ_SIZE]; /* lent to the connection being read */
    char reply_buf[REPLY_SIZE];
};

static bool serve(struct http_server *s, struct conn *c);
static void close_conn(struct http_server *s, struct conn *c);
static void close_expired(struct http_server *s);
static void set_accepting(struct http_server *s, bool on);
static void tick(struct http_server *s);

/* ------------------------------------------------------------------------
 * The event loop: epoll_server.c's, with a one-second timeout to close
 * the connections whose time is up.
 */
static void accept_clients(struct http_server *s);
static bool add_conn(struct http_server *s, struct conn *c);

/* Watch for reading or for writing, not both: while an answer goes
 * out, the client's next request waits in the socket. */
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
        tick(s);
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
 * Serving clients: read, answer, send.
 */
static bool read_requests(struct http_server *s, struct conn *c);
static bool answer(struct http_server *s, struct conn *c);
static int send_reply(struct http_server *s, struct conn *c);
static bool end_connection(struct http_server *s, struct conn *c);
static bool drain(struct http_server *s, struct conn *c);
static bool keep_input(struct http_server *s, struct conn *c,
                       const char *rest, size_t len);

/* Accept every client waiting on the (non-blocking) listening socket,
 * until accept says EAGAIN, or -m clients are open. */
static void accept_clients(struct http_server *s)
{
    while (s->stats.connections < s->opt.max_conns) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) { /* refuse, don't spin */
                int r = fd_spare_refuse(&s->spare_fd, s->listen_fd,
                                        BUSY_NO_FDS);
                if (r == 1 && !s->warned)
                    warn_msg("out of file descriptors: refusing clients");
                s->warned = s->warned || r == 1;
                if (r == 1)
                    continue;
                if (r < 0)
                    set_accepting(s, false); /* for a second */
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
        c->fd = fd;
        c->file_fd = -1;
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
    if (c->state == LINGERING)
        return drain(s, c);
    if (c->state == SENDING) {
        int sent = send_reply(s, c); /* the rest of the answer */
        if (sent <= 0)
            return sent == 0; /* still more to send, or the client is gone */
        if (c->close_after)
            return end_connection(s, c);
        c->state = IDLE; /* then answer what came meanwhile */
    } else if (!read_requests(s, c)) {
        return false;
    }
    return answer(s, c);
}

/* Make the answers to the complete requests at data[0..len) into
 * s->reply, in order (pipelining); stop at an incomplete one, a full
 * reply, a file to send, or an answer that closes. The bytes used. */
static size_t make_replies(struct http_server *s, struct conn *c,
                           const char *data, size_t len)
{
    struct http_context ctx = {&s->docroot, &s->stats, s->now, s->date};
    size_t used = 0;
    http_reply_reset(&s->reply);
    while (used < len && s->reply.file_fd < 0 && !s->reply.close) {
        int status = http_parse_request(data + used, len - used, &c->scanned,
                                        &s->req);
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

/* Answer the requests read, as long as the answers go out at once;
 * keep the rest of the bytes for later. False when c is done. */
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
    return keep_input(s, c, data, len);
}

/* The socket is full: go on when epoll says it is writable. */
static int wait_writable(struct http_server *s, struct conn *c)
{
    c->state = SENDING;
    c->deadline = s->now + SEND_TIMEOUT;
    return 0;
}

/* Send the file part of the answer with sendfile (the kernel copies
 * from the page cache to the socket), at most FILE_TURN bytes a turn.
 * 1 when all is sent, 0 if the rest waits, -1 if the client is gone. */
static int send_file(struct http_server *s, struct conn *c)
{
    long long turn = 0;
    while (c->file_fd >= 0 && c->file_off < c->file_end) {
        if (turn >= FILE_TURN)
            return wait_writable(s, c); /* let the others have a turn */
        long long want = c->file_end - c->file_off;
        off_t off = (off_t)c->file_off;
        ssize_t n = sendfile(c->fd, c->file_fd, &off,
                             (size_t)(want < FILE_TURN ? want : FILE_TURN));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return wait_writable(s, c);
        if (n <= 0)
            return -1; /* the client is gone, or the file shrank */
        c->file_off += n;
        turn += n;
        s->stats.bytes_sent += (unsigned long long)n;
        c->deadline = s->now + SEND_TIMEOUT;
    }
    if (c->file_fd >= 0)
        close(c->file_fd);
    c->file_fd = -1;
    return 1;
}

/* Keep rest[0..len), the start of a request not yet complete, in c's
 * own buffer; none is kept while nothing is in flight. */
static bool keep_input(struct http_server *s, struct conn *c,
                       const char *rest, size_t len)
{
    bool answered = rest != c->in;
    if (len == 0) {
        if (c->in != s->read_buf)
            free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    } else if (c->in == s->read_buf) { /* borrowed: make it c's own */
        size_t cap = 4096;
        while (cap < len)
            cap *= 2;
        c->in = malloc(cap);
        if (c->in == NULL)
            return false;
        memcpy(c->in, rest, len);
        c->in_cap = cap;
    } else if (answered) {
        memmove(c->in, rest, len);
    }
    c->in_len = len;
    if (c->state == SENDING || c->state == LINGERING)
        return true;
    if (len == 0) { /* idle, until the next request */
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
    close(c->fd); /* also takes it off the interest list */
    if (c->in != s->read_buf)
        free(c->in);
    free(c->out);
    if (c->file_fd >= 0)
        close(c->file_fd);
    free(c);
    s->stats.connections--;
    if (s->stats.connections < s->opt.max_conns)
        set_accepting(s, true);
}

/* ------------------------------------------------------------------------
 * The speed tricks. Each one saves system calls or copies per request;
 * measured with bench/http_vs_nginx.sh (docs/day10.md, Benchmarks).
 */

/* Lazy add: a request has usually come with the connection, so read
 * and answer it at once, and register c with epoll only when it has to
 * wait. A client that asks once and closes costs no epoll_ctl at all
 * (of the 4 system calls per request of such a client, 1 is saved). */
static bool add_conn(struct http_server *s, struct conn *c)
{
    return serve(s, c) && watch(s, c, EPOLL_CTL_ADD);
}

/* A borrowed read buffer: a request is read into s->read_buf, lent to
 * the connection for the turn, and answered from there. Only the start
 * of a request that is not complete yet is copied into a buffer of c's
 * own (keep_input), so 10,000 idle keep-alive clients cost no buffers,
 * and most requests are never copied. */
static bool read_requests(struct http_server *s, struct conn *c)
{
    if (c->in == NULL) {
        c->in = s->read_buf;
        c->in_cap = READ_SIZE;
    } else if (c->in_len == c->in_cap) {
        size_t cap = 2 * c->in_cap; /* READ_SIZE: the parser said 431 */
        char *in = cap <= READ_SIZE ? realloc(c->in, cap) : NULL;
        if (in == NULL)
            return false;
        c->in = in;
        c->in_cap = cap;
    }
    ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (n > 0)
        c->in_len += (size_t)n;
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        return false; /* closed (a half request dies with it), or reset */
    return true;
}

/* Send the answers in s->reply (or, on EPOLLOUT, the rest in c->out),
 * then c's file part. MSG_MORE when file bytes follow: the head waits
 * to share its packets with the file's first bytes instead of going out
 * alone (a 1 MiB answer at 10 connections: from about 1,200 to 1,800 a
 * second, with no more CPU). 1 all sent, 0 the rest waits, -1 gone. */
static int send_reply(struct http_server *s, struct conn *c)
{
    const char *data = s->reply.buf;
    size_t len = s->reply.len;
    if (c->state == SENDING) {
        data = c->out + c->out_sent;
        len = c->out_len - c->out_sent;
    }
    if (len > 0) {
        int more = c->file_off < c->file_end ? MSG_MORE : 0;
        ssize_t n = send(c->fd, data, len, more);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1; /* EPIPE, ECONNRESET: the client is gone */
        size_t sent = n > 0 ? (size_t)n : 0;
        s->stats.bytes_sent += sent;
        c->deadline = s->now + SEND_TIMEOUT;
        if (c->state == SENDING)
            c->out_sent += sent;
        else if (sent < len) { /* keep the rest for EPOLLOUT */
            c->out = malloc(len - sent);
            if (c->out == NULL)
                return -1;
            memcpy(c->out, data + sent, len - sent);
            c->out_len = len - sent;
            c->out_sent = 0;
        }
        if (sent < len)
            return wait_writable(s, c);
    }
    free(c->out);
    c->out = NULL;
    c->out_len = c->out_sent = 0;
    return send_file(s, c);
}

/* A lingering close. After an error the client may still be sending;
 * closing with unread bytes makes the kernel send a reset, which can
 * destroy the answer before the client reads it. So half-close, then
 * read and drop what comes (drain) until EOF or LINGER_TIMEOUT. Without
 * an error, close at once. False: close c now. */
static bool end_connection(struct http_server *s, struct conn *c)
{
    if (!c->linger_after)
        return false;
    shutdown(c->fd, SHUT_WR);
    keep_input(s, c, NULL, 0);
    c->state = LINGERING;
    c->deadline = s->now + LINGER_TIMEOUT;
    return true;
}

static bool drain(struct http_server *s, struct conn *c)
{
    ssize_t n = read(c->fd, s->read_buf, READ_SIZE);
    return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

/* ------------------------------------------------------------------------
 * Time: connections whose time is up, and the Date header.
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
        if (c->state == READING) {
            static const struct http_request none; /* no request: 408 */
            struct http_context ctx = {&s->docroot, &s->stats, s->now,
                                       s->date};
            http_reply_reset(&s->reply);
            if (http_respond(&ctx, &none, 408, &s->reply) == 0)
                (void)!send(fd, s->reply.buf, s->reply.len, MSG_DONTWAIT);
        }
        close_conn(s, c);
    }
    s->warned = false;
    if (s->stats.connections < s->opt.max_conns)
        set_accepting(s, true); /* after a pause */
}

static void tick(struct http_server *s)
{
    s->now = clock_now();
    time_t t = time(NULL);
    if (t != s->date_second) {
        s->date_second = t;
        http_format_date(t, s->date);
    }
}

/* Watch the listening socket or not (at -m clients, or for a second
 * when accept fails): waiting clients stay in the kernel's queue. */
static void set_accepting(struct http_server *s, bool on)
{
    if (s->accepting == on)
        return;
    struct epoll_event ev = {.events = on ? EPOLLIN : 0,
                             .data.fd = s->listen_fd};
    if (epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, s->listen_fd, &ev) == 0)
        s->accepting = on;
}

/* ------------------------------------------------------------------------
 * The class interface (http_api.h): __init__, serve_forever, and free.
 */

struct http_server *http_server_new(const char *host, int port,
                                    const char *dir)
{
    struct http_options o = HTTP_OPTIONS_DEFAULT;
    o.host = host;
    o.port = port;
    o.dir = dir;
    return http_server_open(&o);
}

static bool setup(struct http_server *s)
{
    char site[PATH_MAX];
    const char *dir = s->opt.dir;
    if (dir == NULL && path_find_shipped(SITE_DIR, site, sizeof site) < 0) {
        warn_msg("cannot find the shipped site (%s): name a folder with -d",
                 SITE_DIR);
        return false;
    }
    if (dir == NULL)
        dir = site;
    if (http_docroot_open(&s->docroot, dir, s->opt.listing) < 0) {
        warn_errno("docroot %s", dir);
        return false;
    }
    long limit = fd_limit_raise(); /* one conns[] slot per possible fd */
    if (limit < 0 || sig_catch_stop() < 0 || net_ignore_sigpipe() < 0) {
        warn_errno("setup");
        return false;
    }
    s->max_fds = (int)limit;
    s->conns = calloc((size_t)s->max_fds, sizeof(struct conn *));
    s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    s->spare_fd = fd_spare_open();
    if (s->conns == NULL || s->epoll_fd < 0 || s->spare_fd < 0) {
        warn_errno("setup");
        return false;
    }
    s->listen_fd = net_tcp_listen(s->opt.host, s->opt.port, SOMAXCONN);
    if (s->listen_fd < 0) {
        warn_msg("%s", net_error());
        return false;
    }
    sig_stop_shutdown(s->listen_fd); /* a stop also wakes the wait */
    /* TCP_NODELAY here is inherited by every accepted socket (Linux): an
     * answer's last small packet is not held back waiting for an ACK. */
    int one = 1;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->listen_fd};
    if (setsockopt(s->listen_fd, IPPROTO_TCP, TCP_NODELAY, &one,
                   sizeof one) < 0 ||
        net_set_nonblocking(s->listen_fd, true) < 0 ||
        epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0) {
        warn_errno("listening socket");
        return false;
    }
    s->accepting = true;
    s->fd_end = s->listen_fd + 1;
    return net_print_listening(s->listen_fd) == 0;
}

struct http_server *http_server_open(const struct http_options *o)
{
    struct http_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->opt = *o;
    s->listen_fd = s->epoll_fd = s->spare_fd = -1;
    s->reply.buf = s->reply_buf;
    s->reply.cap = REPLY_SIZE;
    tick(s);
    s->stats.started = s->now;
    s->next_sweep = s->now + 1.0;
    if (!setup(s)) {
        http_server_free(s);
        return NULL;
    }
    return s;
}

int http_server_serve_forever(struct http_server *s)
{
    return run(s);
}

void http_server_free(struct http_server *s)
{
    if (s == NULL)
        return;
    for (int fd = 0; s->conns != NULL && fd < s->fd_end; fd++)
        if (s->conns[fd] != NULL)
            close_conn(s, s->conns[fd]);
    free(s->conns);
    if (s->epoll_fd >= 0)
        close(s->epoll_fd);
    if (s->spare_fd >= 0)
        close(s->spare_fd);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    http_docroot_close(&s->docroot);
    free(s);
}

/* ------------------------------------------------------------------------ */

static const char usage[] =
    "usage: http_server [-b ADDR] [-p PORT] [-d DIR] [-l] [-v] [-m MAXCONN]\n"
    "                   [-t SECONDS] [-k SECONDS] [-h]\n"
    "  -b ADDR     bind address (default 127.0.0.1)\n"
    "  -p PORT     port (default 8000; 0: any free port)\n"
    "  -d DIR      the folder to serve (default: " SITE_DIR ")\n"
    "  -l          list folders that have no index.html\n"
    "  -v          log every request on stderr (Common Log Format)\n"
    "  -m MAXCONN  most connections open at once (default 16384)\n"
    "  -t SECONDS  time to send a whole request head (default 10)\n"
    "  -k SECONDS  time an idle keep-alive connection stays (default 15)\n"
    "  -h          show this help\n";

static long number(const char *arg, long max, const char *what)
{
    long v;
    if (parse_long(arg, 1, max, &v) < 0)
        die_usage(usage, "bad %s '%s': expected 1 to %ld", what, arg, max);
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
        case 'm': o.max_conns = number(optarg, 1 << 20, "MAXCONN"); break;
        case 't': o.head_timeout = (int)number(optarg, 3600, "time"); break;
        case 'k': o.idle_timeout = (int)number(optarg, 3600, "time"); break;
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
