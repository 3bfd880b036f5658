/* day10/http/http_server.c — HTTPServer v2.0 / HTTP 服务器 v2.0:
 * an epoll HTTP/1.1 static-file server, hardened against hostile input.
 *
 * The course's HTTPServer v2.0 (主要功能: 接收浏览器请求, 解析请求, 组织
 * 数据内容, 以 HTTP 响应格式返回; 升级点: 采用 IO 并发, 类接口封装, 处理
 * 非网页请求) grown into a real small web server. One thread, one epoll
 * loop, exactly like day10's epoll server: the listening socket and every
 * client are in one epoll set, and the loop answers whichever is ready.
 * The request parser (http_parse.c), the answers (http_response.c) and
 * the docroot (http_file.c) are separate units; this file is the loop.
 *
 * Run it:   ./build/day10/http/http_server          (the shipped site)
 *           then open http://127.0.0.1:8000/ in a browser, or
 *           curl -v http://127.0.0.1:8000/  and  curl http://127.0.0.1:8000/status
 *           ./build/day10/http/http_server -v -l -d /some/folder
 *
 * Watch for: many clients at once with one thread (each socket is
 * non-blocking, nobody waits for anybody); keep-alive (one connection,
 * many requests); a large file sent with sendfile in turns on EPOLLOUT;
 * hostile input answered with a precise status (400, 414, 431...) and
 * never a crash; GET /status counting what the server did.
 *
 * See also: day10's epoll_server (the same loop, echoing), docs/day10.md.
 */
#define _GNU_SOURCE /* accept4, sendfile and epoll_pwait are Linux calls */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/net.h"
#include "common/options.h"
#include "common/path.h"
#include "common/signals.h"
#include "day10/http/http_file.h"
#include "day10/http/http_parse.h"
#include "day10/http/http_response.h"

#define DEFAULT_PORT      8000
#define DEFAULT_MAX_CONNS 16384
#define HEAD_TIMEOUT      10 /* seconds to send a whole request head (-t) */
#define IDLE_TIMEOUT      15 /* seconds a keep-alive connection may sit idle (-k) */
#define SEND_TIMEOUT      30 /* seconds a client may take no byte of its answer */
#define LINGER_TIMEOUT    2  /* seconds to read on after an error, before closing */
#define LISTEN_BACKLOG    4096
#define MAX_EVENTS        512
#define READ_SIZE         ((size_t)64 * 1024) /* one read; the most a connection keeps unanswered */
#define REPLY_SIZE        ((size_t)256 * 1024) /* the answers made from one read */
#define SENDFILE_TURN     (1024LL * 1024) /* bytes of a file sent before the others get a turn */
#define SITE_DIR          "day10/http/site"

_Static_assert(REPLY_SIZE >= HTTP_REPLY_MAX, "an empty reply buffer must hold any one answer");
_Static_assert(READ_SIZE > HTTP_MAX_REQUEST, "a connection must be able to hold one request");

enum conn_state {
    CONN_FREE,      /* no connection on this fd */
    CONN_IDLE,      /* waiting for a request, nothing of it read yet */
    CONN_READING,   /* part of a request read */
    CONN_SENDING,   /* an answer is going out; reading waits for it */
    CONN_LINGERING, /* closing after an error: dropping what the client still sends */
};

/* One client. Its buffers exist only while a request or an answer is in
 * flight, so an idle keep-alive connection costs just this struct. */
struct conn {
    unsigned char state;
    bool close_after;  /* close once the answer is out */
    bool linger_after; /* ... lingering (the client may still be sending) */
    bool in_epoll;     /* in the epoll set yet (not before it has to wait) */
    bool want_write;   /* watched for EPOLLOUT rather than EPOLLIN */
    /* unanswered request bytes in `in`; answer bytes in `out` not yet sent */
    unsigned in_len, in_cap, scanned;
    unsigned out_len, out_sent;
    char *in, *out;
    int file_fd; /* a file being sent with sendfile, or -1 */
    long long file_off, file_end;
    double deadline; /* closed then, unless it got on (clock_now() seconds) */
};

struct server {
    int epfd, listen_fd;
    int reserve_fd; /* a spare descriptor, given up to turn a client away at EMFILE */
    bool accepting; /* the listening socket is watched for new clients */
    bool warned_emfile;
    long max_conns;
    int head_timeout, idle_timeout;
    bool verbose;
    struct conn *conns; /* indexed by fd: the course's fdmap {fd: socket} */
    int conns_size, max_fd;
    sigset_t wait_mask; /* the signal mask while waiting: SIGINT/SIGTERM let in */
    double now, next_sweep;
    time_t date_second;
    char date[HTTP_DATE_LEN];
    struct http_docroot docroot;
    struct http_stats stats;
    struct http_request req;
    struct http_reply reply;
    char read_buf[READ_SIZE];
    char reply_buf[REPLY_SIZE];
};

static const struct http_request no_request; /* for answers to no request (408, 503) */

static void close_conn(struct server *s, int fd);
static void answer(struct server *s, int fd, const char *data, size_t len);
static void on_readable(struct server *s, int fd);

/* --- the epoll set ------------------------------------------------------- */

/* Watch fd for reading (EPOLLIN) or for writing (EPOLLOUT), not both:
 * while an answer goes out, its next request waits in the socket. A new
 * connection is added to the epoll set only when it first has to wait. */
static bool watch(struct server *s, int fd, bool write)
{
    struct conn *c = &s->conns[fd];
    if (c->in_epoll && c->want_write == write)
        return true;
    struct epoll_event ev = {.events = write ? EPOLLOUT : EPOLLIN, .data.fd = fd};
    if (epoll_ctl(s->epfd, c->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0) {
        warn_errno("epoll_ctl");
        close_conn(s, fd);
        return false;
    }
    c->in_epoll = true;
    c->want_write = write;
    return true;
}

/* Stop or start watching the listening socket (at -m connections, or
 * out of descriptors): waiting clients then stay in the kernel's queue. */
static void set_accepting(struct server *s, bool on)
{
    if (s->accepting == on)
        return;
    struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.fd = s->listen_fd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev) < 0)
        die_errno("epoll_ctl MOD listening socket");
    s->accepting = on;
}

/* --- new clients ----------------------------------------------------------- */

/* Send a canned error answer (408, 503) in one try, ignoring the result:
 * the connection is closed right after anyway. */
static void say_error(struct server *s, int fd, int status)
{
    struct http_context ctx = {&s->docroot, &s->stats, s->now, s->date};
    http_reply_reset(&s->reply);
    if (http_respond(&ctx, &no_request, status, &s->reply) == 0)
        (void)!send(fd, s->reply.buf, s->reply.len, MSG_DONTWAIT);
}

/* Out of descriptors (EMFILE): the waiting client would make the
 * level-triggered listening socket ready again at once, a busy loop.
 * So give up the spare descriptor, accept the client with it, tell it
 * 503 and close it, and take the spare back. */
static void turn_away(struct server *s)
{
    if (s->reserve_fd < 0)
        s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (s->reserve_fd < 0) { /* no spare either: wait for a connection to close */
        set_accepting(s, false);
        return;
    }
    close(s->reserve_fd);
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        say_error(s, fd, 503);
        close(fd);
    }
    s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (!s->warned_emfile)
        warn_msg("out of file descriptors: turning new clients away (503)");
    s->warned_emfile = true;
}

/* Accept the clients waiting on the listening socket. */
static void accept_clients(struct server *s)
{
    for (int i = 0; i < MAX_EVENTS; i++) {
        if (s->stats.connections >= s->max_conns) {
            set_accepting(s, false); /* resumed when one closes */
            return;
        }
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return; /* no one else waiting */
            if (errno == EMFILE || errno == ENFILE) {
                turn_away(s);
                if (!s->accepting)
                    return;
                continue;
            }
            /* That client is gone: on to the next one. */
            if (errno == ECONNABORTED || errno == EINTR || errno == EPROTO || errno == EPERM)
                continue;
            /* ENOBUFS, ENOMEM...: pause until the next sweep. */
            warn_errno("accept");
            set_accepting(s, false);
            return;
        }
        if (fd >= s->conns_size) { /* cannot happen below RLIMIT_NOFILE; be sure */
            close(fd);
            continue;
        }
        struct conn *c = &s->conns[fd];
        memset(c, 0, sizeof *c);
        c->state = CONN_IDLE;
        c->file_fd = -1;
        c->deadline = s->now + s->head_timeout;
        s->stats.connections++;
        if (fd > s->max_fd)
            s->max_fd = fd;
        /* The request has usually come with the connection: read it now.
         * Only if it has not does the connection join the epoll set (a
         * client that asks once and closes never costs an epoll_ctl). */
        on_readable(s, fd);
    }
}

/* --- closing ---------------------------------------------------------------- */

static void free_buffers(struct conn *c)
{
    free(c->in);
    free(c->out);
    c->in = c->out = NULL;
    c->in_len = c->in_cap = c->scanned = c->out_len = c->out_sent = 0;
    if (c->file_fd >= 0)
        close(c->file_fd);
    c->file_fd = -1;
}

static void close_conn(struct server *s, int fd)
{
    struct conn *c = &s->conns[fd];
    close(fd); /* also takes it out of the epoll set */
    free_buffers(c);
    c->state = CONN_FREE;
    s->stats.connections--;
    if (s->stats.connections < s->max_conns)
        set_accepting(s, true);
}

/* The answer said "Connection: close". After an error the client may
 * still be sending: closing with unread bytes makes the kernel send a
 * reset, which can destroy the answer before the client reads it. So
 * half-close, and read and drop what comes until EOF or a short bound. */
static void end_connection(struct server *s, int fd)
{
    struct conn *c = &s->conns[fd];
    if (!c->linger_after && c->in_len == 0) {
        close_conn(s, fd);
        return;
    }
    shutdown(fd, SHUT_WR);
    free_buffers(c);
    c->state = CONN_LINGERING;
    c->deadline = s->now + LINGER_TIMEOUT;
    watch(s, fd, false);
}

/* Close the connections whose time is up: slowloris clients that never
 * finish a request (told 408), idle keep-alive ones, stalled readers. */
static void close_expired(struct server *s)
{
    for (int fd = 0; fd <= s->max_fd; fd++) {
        struct conn *c = &s->conns[fd];
        if (c->state == CONN_FREE || c->deadline > s->now)
            continue;
        if (c->state == CONN_READING)
            say_error(s, fd, 408);
        close_conn(s, fd);
    }
    s->next_sweep = s->now + 1.0;
    s->warned_emfile = false;
    if (s->stats.connections < s->max_conns)
        set_accepting(s, true); /* after a pause for want of descriptors */
}

/* --- sending ------------------------------------------------------------------ */

/* The socket is full: go on when epoll says it is writable. */
static bool wait_writable(struct server *s, int fd)
{
    struct conn *c = &s->conns[fd];
    c->state = CONN_SENDING;
    c->deadline = s->now + SEND_TIMEOUT;
    watch(s, fd, true);
    return false;
}

/* Send the connection's file part with sendfile (the kernel copies from
 * the page cache to the socket, no read/write through user memory), at
 * most SENDFILE_TURN bytes per turn. True once it is all out. */
static bool send_file(struct server *s, int fd)
{
    struct conn *c = &s->conns[fd];
    long long turn = 0;
    while (c->file_fd >= 0 && c->file_off < c->file_end) {
        if (turn >= SENDFILE_TURN)
            return wait_writable(s, fd); /* let the others have a turn */
        long long want = c->file_end - c->file_off;
        if (want > SENDFILE_TURN - turn)
            want = SENDFILE_TURN - turn;
        off_t off = (off_t)c->file_off;
        ssize_t n = sendfile(fd, c->file_fd, &off, (size_t)want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return wait_writable(s, fd);
        if (n <= 0) { /* the client is gone, or the file shrank under us */
            close_conn(s, fd);
            return false;
        }
        c->file_off += n;
        turn += n;
        s->stats.bytes_sent += (unsigned long long)n;
        c->deadline = s->now + SEND_TIMEOUT;
    }
    if (c->file_fd >= 0)
        close(c->file_fd);
    c->file_fd = -1;
    return true;
}

/* Send the answers just made (s->reply): as much as the socket takes now,
 * the rest kept in the connection for EPOLLOUT. True if it all went. */
static bool send_reply(struct server *s, int fd)
{
    struct conn *c = &s->conns[fd];
    struct http_reply *r = &s->reply;
    c->close_after = r->close;
    c->linger_after = r->linger;
    c->file_fd = r->file_fd; /* the connection owns it now */
    c->file_off = r->file_off;
    c->file_end = r->file_off + r->file_len;
    r->file_fd = -1;

    size_t sent = 0;
    if (r->len > 0) {
        /* MSG_MORE when file bytes follow: the head waits to share its
         * packets with the file's first bytes instead of going out alone
         * (measured on loopback: a 1 MiB answer at 10 connections went
         * from about 1,200 to 1,800 a second, with no more CPU). */
        int more = c->file_off < c->file_end ? MSG_MORE : 0;
        ssize_t n = send(fd, r->buf, r->len, more);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            close_conn(s, fd); /* EPIPE, ECONNRESET: the client is gone */
            return false;
        }
        sent = n > 0 ? (size_t)n : 0;
        s->stats.bytes_sent += sent;
    }
    if (sent < r->len) {
        c->out_len = (unsigned)(r->len - sent);
        c->out_sent = 0;
        c->out = malloc(c->out_len);
        if (c->out == NULL) {
            close_conn(s, fd);
            return false;
        }
        memcpy(c->out, r->buf + sent, c->out_len);
        return wait_writable(s, fd);
    }
    return send_file(s, fd);
}

/* EPOLLOUT: go on with the answer that did not fit into the socket. */
static void on_writable(struct server *s, int fd)
{
    struct conn *c = &s->conns[fd];
    if (c->out != NULL) {
        ssize_t n = send(fd, c->out + c->out_sent, c->out_len - c->out_sent, 0);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                close_conn(s, fd);
            return;
        }
        c->out_sent += (unsigned)n;
        s->stats.bytes_sent += (unsigned long long)n;
        c->deadline = s->now + SEND_TIMEOUT;
        if (c->out_sent < c->out_len)
            return;
        free(c->out);
        c->out = NULL;
        c->out_len = c->out_sent = 0;
    }
    if (!send_file(s, fd))
        return;
    if (c->close_after) {
        end_connection(s, fd);
        return;
    }
    answer(s, fd, c->in, c->in_len); /* requests that came in meanwhile */
}

/* --- reading and answering ------------------------------------------------------ */

/* One access-log line (Common Log Format) on stderr, with -v. */
static void log_request(struct server *s, int fd)
{
    char peer[NET_ADDRSTRLEN] = "-", when[40], line[1024];
    if (net_peer_addr(fd, peer, sizeof peer) == 0) {
        char *colon = strrchr(peer, ':'); /* "1.2.3.4:5678" or "[::1]:5678": the host */
        if (colon != NULL)
            *colon = '\0';
        if (peer[0] == '[') {
            memmove(peer, peer + 1, strlen(peer));
            peer[strlen(peer) - 1] = '\0';
        }
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    size_t o = 0; /* the request line, with anything unprintable escaped */
    for (size_t i = 0; i < s->req.line.len && o + 5 < sizeof line; i++) {
        unsigned char ch = (unsigned char)s->req.line.p[i];
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(line + o, sizeof line - o, "\\x%02x", ch);
        else
            line[o++] = (char)ch;
    }
    line[o] = '\0';
    if (o == 0) /* refused before the request line was known (414) */
        snprintf(line, sizeof line, "-");
    fprintf(stderr, "%s - - [%s] \"%s\" %d %lld\n", peer, when, line, s->reply.status,
            s->reply.body_len);
}

/* Answer the complete requests at the start of data[0..len), in order
 * (pipelining), into s->reply; stop at an incomplete one, a full reply,
 * a file to send, or an answer that closes. Returns the bytes used. */
static size_t make_replies(struct server *s, int fd, const char *data, size_t len)
{
    struct conn *c = &s->conns[fd];
    struct http_context ctx = {&s->docroot, &s->stats, s->now, s->date};
    http_reply_reset(&s->reply);
    size_t used = 0;
    while (used < len && s->reply.file_fd < 0 && !s->reply.close) {
        size_t scanned = c->scanned;
        int status = http_parse_request(data + used, len - used, &scanned, &s->req);
        c->scanned = (unsigned)scanned;
        if (status == HTTP_INCOMPLETE)
            break;
        if (http_respond(&ctx, &s->req, status, &s->reply) < 0)
            break; /* no room left: send these answers first */
        c->scanned = 0;
        s->stats.requests++;
        if (s->verbose)
            log_request(s, fd);
        /* After an answer that closes, nothing more is read. */
        used = s->reply.close ? len : used + s->req.length;
    }
    return used;
}

/* Keep rest[0..len) (unanswered bytes) in the connection's own buffer. */
static bool keep_input(struct conn *c, const char *rest, size_t len)
{
    if (len == 0) {
        c->in_len = 0;
        return true;
    }
    if (c->in != NULL && rest >= c->in && rest < c->in + c->in_cap) {
        memmove(c->in, rest, len); /* already ours: move it to the front */
        c->in_len = (unsigned)len;
        return true;
    }
    size_t cap = 4096;
    while (cap < len)
        cap *= 2;
    if (cap > c->in_cap || c->in == NULL) {
        char *in = realloc(c->in, cap);
        if (in == NULL)
            return false;
        c->in = in;
        c->in_cap = (unsigned)cap;
    }
    memcpy(c->in, rest, len);
    c->in_len = (unsigned)len;
    return true;
}

/* Answer what data holds, as long as the answers go out at once; keep
 * the rest; then wait for more of the client's bytes. */
static void answer(struct server *s, int fd, const char *data, size_t len)
{
    struct conn *c = &s->conns[fd];
    bool answered = false;
    for (;;) {
        size_t used = make_replies(s, fd, data, len);
        if (!keep_input(c, data + used, len - used)) {
            close_conn(s, fd);
            return;
        }
        if (s->reply.len == 0 && s->reply.file_fd < 0)
            break; /* only part of a request: wait for the rest */
        answered = true;
        if (!send_reply(s, fd))
            return; /* the rest goes out on EPOLLOUT, or the client is gone */
        if (c->close_after) {
            end_connection(s, fd);
            return;
        }
        data = c->in;
        len = c->in_len;
        if (len == 0)
            break;
    }
    if (c->in_len == 0) { /* idle: no buffers while nothing is in flight */
        free_buffers(c);
        c->state = CONN_IDLE;
        c->deadline = s->now + s->idle_timeout;
    } else if (c->state != CONN_READING || answered) {
        c->state = CONN_READING; /* a new request begins: its head has a deadline */
        c->deadline = s->now + s->head_timeout;
    }
    watch(s, fd, false);
}

/* EPOLLIN: read what the client sent and answer it. */
static void on_readable(struct server *s, int fd)
{
    struct conn *c = &s->conns[fd];
    if (c->state == CONN_LINGERING) {
        ssize_t n = read(fd, s->read_buf, READ_SIZE);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            close_conn(s, fd);
        return;
    }
    /* Most requests arrive whole: read them into the shared buffer and
     * answer from there. Only the part of a request that is left over
     * gets a buffer of its own (c->in), read into from then on. */
    char *into = s->read_buf;
    size_t room = READ_SIZE;
    if (c->in != NULL) {
        if (c->in_len == c->in_cap) {
            size_t cap = 2 * (size_t)c->in_cap < READ_SIZE ? 2 * (size_t)c->in_cap : READ_SIZE;
            char *in = cap > c->in_cap ? realloc(c->in, cap) : NULL;
            if (in == NULL) { /* READ_SIZE unanswered bytes: the parser refused long ago */
                close_conn(s, fd);
                return;
            }
            c->in = in;
            c->in_cap = (unsigned)cap;
        }
        into = c->in + c->in_len;
        room = c->in_cap - c->in_len;
    }
    ssize_t n = read(fd, into, room);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            close_conn(s, fd); /* ECONNRESET... */
        else if (!c->in_epoll)
            watch(s, fd, false); /* a new client that has not asked yet */
        return;
    }
    if (n == 0) { /* the client closed: a half request dies with it */
        close_conn(s, fd);
        return;
    }
    if (c->in != NULL) {
        c->in_len += (unsigned)n;
        answer(s, fd, c->in, c->in_len);
    } else {
        answer(s, fd, s->read_buf, (size_t)n);
    }
}

/* --- the loop --------------------------------------------------------------------- */

/* The Date header changes once a second; format it then. */
static void tick(struct server *s)
{
    s->now = clock_now();
    time_t t = time(NULL);
    if (t != s->date_second) {
        s->date_second = t;
        http_format_date(t, s->date);
    }
}

/* The course's epoll loop: wait for ready sockets, handle each, again. */
static void serve(struct server *s)
{
    struct epoll_event events[MAX_EVENTS];
    while (!sig_stop_requested) {
        /* epoll_pwait lets SIGINT/SIGTERM in only while it waits, so a
         * signal between the flag check and the wait is not missed. */
        int n = epoll_pwait(s->epfd, events, MAX_EVENTS, 1000, &s->wait_mask);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("epoll_wait");
        tick(s);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            unsigned ev = events[i].events;
            if (fd == s->listen_fd)
                accept_clients(s);
            else if (s->conns[fd].state == CONN_FREE)
                continue; /* closed earlier in this round */
            else if (ev & (EPOLLERR | EPOLLHUP))
                close_conn(s, fd); /* reset, or gone both ways */
            else if (ev & EPOLLIN)
                on_readable(s, fd);
            else if (ev & EPOLLOUT)
                on_writable(s, fd);
        }
        if (s->now >= s->next_sweep)
            close_expired(s);
    }
}

/* --- setup ------------------------------------------------------------------------ */

static const char usage[] =
    "usage: http_server [-b ADDR] [-p PORT] [-d DOCROOT] [-l] [-v] [-m MAXCONN]\n"
    "                   [-t SECONDS] [-k SECONDS]\n"
    "  -b ADDR     bind address (default 127.0.0.1)\n"
    "  -p PORT     port (default 8000; 0: the kernel picks one)\n"
    "  -d DOCROOT  the folder to serve (default: the shipped site, " SITE_DIR ")\n"
    "  -l          list folders that have no index.html\n"
    "  -v          log every request on stderr (Common Log Format)\n"
    "  -m MAXCONN  most connections open at once (default 16384)\n"
    "  -t SECONDS  time a client has to send a whole request head (default 10)\n"
    "  -k SECONDS  time an idle keep-alive connection is kept open (default 15)\n"
    "  -h          this help\n";

static long number_option(const char *arg, long min, long max, const char *what)
{
    long v;
    if (parse_long(arg, min, max, &v) < 0)
        die_usage(usage, "bad %s '%s': expected %ld to %ld", what, arg, min, max);
    return v;
}

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    static struct server server; /* large (buffers, cache): not on the stack */
    struct server *s = &server;
    struct server_opts so;
    server_opts_init(&so, DEFAULT_PORT);
    const char *docroot = NULL;
    bool listing = false;
    s->max_conns = DEFAULT_MAX_CONNS;
    s->head_timeout = HEAD_TIMEOUT;
    s->idle_timeout = IDLE_TIMEOUT;
    int opt;
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING "d:lvm:t:k:")) != -1) {
        if (server_opts_handle(&so, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'd': docroot = optarg; break;
        case 'l': listing = true; break;
        case 'v': s->verbose = true; break;
        case 'm': s->max_conns = number_option(optarg, 1, 1 << 20, "connection limit"); break;
        case 't': s->head_timeout = (int)number_option(optarg, 1, 3600, "head timeout"); break;
        case 'k': s->idle_timeout = (int)number_option(optarg, 1, 3600, "idle timeout"); break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);

    char site[PATH_MAX];
    if (docroot == NULL && path_find_shipped(SITE_DIR, site, sizeof site) < 0)
        die("cannot find the shipped site (%s); name a folder with -d DOCROOT", SITE_DIR);
    if (http_docroot_open(&s->docroot, docroot != NULL ? docroot : site, listing) < 0)
        die_errno("docroot %s", docroot != NULL ? docroot : site);

    /* One struct conn per possible descriptor, like an fd-indexed table. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die_errno("getrlimit");
    s->conns_size =
        rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1 << 20) ? 1 << 20 : (int)rl.rlim_cur;
    s->conns = calloc((size_t)s->conns_size, sizeof s->conns[0]);
    if (s->conns == NULL)
        die_errno("calloc");

    if (net_ignore_sigpipe() < 0 || sig_catch_stop() < 0)
        die("%s", net_error());
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, &s->wait_mask) < 0)
        die_errno("sigprocmask");

    s->listen_fd = net_tcp_listen(so.bind_addr, so.port, LISTEN_BACKLOG);
    if (s->listen_fd < 0)
        die("%s", net_error());
    /* TCP_NODELAY on the listening socket is inherited by every accepted
     * one (Linux): an answer's last small packet is not held back (Nagle)
     * waiting for the client's ACK, at no cost per connection. */
    int one = 1;
    if (setsockopt(s->listen_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        die_errno("setsockopt TCP_NODELAY");
    if (net_set_nonblocking(s->listen_fd, true) < 0)
        die("%s", net_error());
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0)
        die_errno("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->listen_fd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0)
        die_errno("epoll_ctl ADD listening socket");
    s->accepting = true;
    s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (s->reserve_fd < 0)
        die_errno("open /dev/null");
    s->reply.buf = s->reply_buf;
    s->reply.cap = REPLY_SIZE;
    http_reply_reset(&s->reply);
    tick(s);
    s->stats.started = s->now;
    s->next_sweep = s->now + 1.0;
    if (net_print_listening(s->listen_fd) < 0)
        die("%s", net_error());

    serve(s);

    for (int fd = 0; fd <= s->max_fd; fd++)
        if (s->conns[fd].state != CONN_FREE)
            close_conn(s, fd);
    close(s->listen_fd);
    close(s->epfd);
    close(s->reserve_fd);
    http_docroot_close(&s->docroot);
    free(s->conns);
    return 0;
}
