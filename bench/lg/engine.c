/* bench/lg/engine.c — see engine.h.
 *
 * Every socket is non-blocking and registered once, edge-triggered, for
 * both directions: a readable socket is read until EAGAIN, a message is
 * written until EAGAIN and finished on the next EPOLLOUT. Connections
 * ready for a message wait on a free list: in closed loop they all start
 * after each batch of events, in open loop one per message that fell due
 * (a timerfd wakes the loop at the next due time).
 */
#define _GNU_SOURCE /* accept4-style flags on socket(), timerfd */
#include "bench/lg/engine.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "bench/lg/httpresp.h"
#include "bench/lg/msg.h"
#include "bench/lg/sched.h"

enum { MAX_CONNECTING = 256, MAX_EVENTS = 256, RBUF = 65536 };

enum state { ST_CLOSED, ST_CONNECTING, ST_READY, ST_SENDING, ST_WAITING, ST_DEAD, ST_IDLE };

struct conn {
    int fd;
    uint32_t id;
    enum state state;
    bool idle;     /* one of the idle connections */
    bool answered; /* at least one reply while measuring */
    uint64_t seq, due, sent_at;
    size_t off, got;
    char *msg;           /* echo: the message sent, to check the reply */
    struct httpresp *hr; /* http: the response being read */
};

struct engine {
    const struct lg_config *cfg;
    struct lg_result *res;
    int ep, tfd;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    struct conn *conns; /* cfg->conns active, then cfg->idle idle */
    int total;
    int *free_list, nfree;
    int *batch; /* closed loop: the free connections being started */
    int connecting, alive;
    bool per_message, http, open_loop, measuring;
    struct sched sched;
    char *req;
    size_t req_len;
    char rbuf[RBUF];
};

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static double thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

const char *lg_mode_name(enum lg_mode m)
{
    switch (m) {
    case LG_ECHO: return "echo";
    case LG_ECHO_CONNMSG: return "echo-connmsg";
    case LG_HTTP: return "http";
    case LG_HTTP_CLOSE: return "http-close";
    }
    return "?";
}

void lg_config_init(struct lg_config *c)
{
    memset(c, 0, sizeof *c);
    c->host = "127.0.0.1";
    c->port = 9005;
    c->mode = LG_ECHO;
    c->conns = 50;
    c->size = 64;
    c->path = "/";
    c->duration = 5;
    c->connect_timeout = 5;
}

static void note_error(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_error(struct engine *e, const char *fmt, ...)
{
    e->res->errors++;
    if (e->res->first_error[0] != '\0')
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->res->first_error, sizeof e->res->first_error, fmt, ap);
    va_end(ap);
}

static void close_conn(struct engine *e, struct conn *c)
{
    if (c->fd < 0)
        return;
    if (c->state == ST_CONNECTING)
        e->connecting--;
    close(c->fd); /* also takes it out of the epoll set */
    c->fd = -1;
}

/* A connection went wrong: count it, close it. In the per-message modes
 * the slot goes on with a new connection; otherwise it is lost. */
static void fail(struct engine *e, struct conn *c, const char *what, int err)
{
    if (c->idle) {
        e->res->idle_lost++;
        close_conn(e, c);
        c->state = ST_DEAD;
        return;
    }
    if (err)
        note_error(e, "%s: %s", what, strerror(err));
    else
        note_error(e, "%s", what);
    bool was_alive = c->state == ST_READY || c->state == ST_SENDING || c->state == ST_WAITING;
    close_conn(e, c);
    if (e->per_message && e->measuring) {
        c->state = ST_CLOSED;
        e->free_list[e->nfree++] = (int)(c - e->conns);
    } else {
        c->state = ST_DEAD;
        if (was_alive)
            e->alive--;
    }
}

/* Start a non-blocking connect for c. 0, or -1 (error noted). */
static int open_conn(struct engine *e, struct conn *c)
{
    c->fd = socket(e->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        note_error(e, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(e->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        note_error(e, "epoll_ctl: %s", strerror(errno));
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->state = ST_CONNECTING;
    e->connecting++;
    if (connect(c->fd, (struct sockaddr *)&e->addr, e->addr_len) < 0 && errno != EINPROGRESS) {
        int err = errno;
        fail(e, c, "connect", err);
        return -1;
    }
    return 0; /* done or in progress: EPOLLOUT tells */
}

static void try_send(struct engine *e, struct conn *c)
{
    const char *buf = e->http ? e->req : c->msg;
    size_t len = e->http ? e->req_len : e->cfg->size;
    while (c->off < len) {
        ssize_t n = send(c->fd, buf + c->off, len - c->off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fail(e, c, "send", errno);
            return; /* EAGAIN: EPOLLOUT comes when there is room */
        }
        c->off += (size_t)n;
    }
    if (c->state == ST_SENDING)
        c->state = ST_WAITING;
}

/* Begin message number c->seq + 1 on c, due at due (0: closed loop). */
static void start_msg(struct engine *e, struct conn *c, uint64_t due)
{
    c->seq++;
    c->due = due;
    c->sent_at = now_ns();
    c->off = c->got = 0;
    if (e->http)
        httpresp_init(c->hr);
    else
        msg_fill(c->msg, e->cfg->size, c->id, c->seq);
    if (e->per_message) {
        if (open_conn(e, c) < 0)
            return;
        /* sent once connected (EPOLLOUT) */
        return;
    }
    c->state = ST_SENDING;
    try_send(e, c);
}

/* A reply is complete and correct. */
static void complete(struct engine *e, struct conn *c, size_t bytes)
{
    uint64_t done = now_ns();
    if (e->measuring) {
        hist_record(&e->res->hist, sched_latency(c->due, c->sent_at, done));
        c->answered = true;
        e->res->msgs++;
        e->res->bytes += bytes;
    }
    if (e->per_message) {
        close_conn(e, c);
        c->state = ST_CLOSED;
    } else {
        c->state = ST_READY;
    }
    if (e->measuring)
        e->free_list[e->nfree++] = (int)(c - e->conns);
}

/* How many of the first bytes of buf are printable (at most 60): a server's
 * refusal ("busy: ...") is then quoted in the error. */
static int printable(const char *buf, size_t n)
{
    int k = 0;
    while ((size_t)k < n && k < 60 && buf[k] >= ' ' && buf[k] < 127)
        k++;
    return k;
}

/* Bytes arrived on c: check them against what is expected. false if the
 * connection failed (or was closed after a complete reply). */
static bool take_bytes(struct engine *e, struct conn *c, const char *buf, size_t n)
{
    if (c->idle) {
        fail(e, c, "idle", 0);
        return false;
    }
    if (c->state != ST_WAITING && c->state != ST_SENDING) {
        char what[120];
        snprintf(what, sizeof what, "the server sent unasked: \"%.*s\"", printable(buf, n), buf);
        fail(e, c, what, 0);
        return false;
    }
    if (e->http) {
        size_t used;
        enum httpresp_state st = httpresp_feed(c->hr, buf, n, &used);
        if (st == HTTPRESP_ERROR) {
            fail(e, c, c->hr->error, 0);
            return false;
        }
        if (st == HTTPRESP_MORE)
            return true;
        if (used < n) {
            fail(e, c, "bytes after the end of the response", 0);
            return false;
        }
        if (c->hr->status != 200) {
            char what[64];
            snprintf(what, sizeof what, "HTTP status %d", c->hr->status);
            fail(e, c, what, 0);
            return false;
        }
        if (c->hr->close && !e->per_message) {
            fail(e, c, "the server closes the keep-alive connection", 0);
            return false;
        }
        complete(e, c, c->hr->head_len + (size_t)c->hr->content_length);
        return !e->per_message;
    }
    size_t size = e->cfg->size;
    if (c->got + n > c->off) { /* more than was sent so far */
        char what[120];
        snprintf(what, sizeof what, "%s: \"%.*s\"",
                 c->got + n > size ? "echo longer than the message" : "echo of bytes not sent yet",
                 printable(buf, n), buf);
        fail(e, c, what, 0);
        return false;
    }
    long d = msg_diff(c->msg + c->got, buf, n);
    if (d >= 0) {
        char what[160];
        snprintf(what, sizeof what, "echo differs at byte %zu of message %llu: \"%.*s\"",
                 c->got + (size_t)d, (unsigned long long)c->seq, printable(buf, n), buf);
        fail(e, c, what, 0);
        return false;
    }
    c->got += n;
    if (c->got == size) {
        complete(e, c, size);
        return !e->per_message;
    }
    return true;
}

static void on_readable(struct engine *e, struct conn *c)
{
    int fd = c->fd;
    while (c->fd == fd && fd >= 0) {
        ssize_t n = recv(fd, e->rbuf, sizeof e->rbuf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fail(e, c, "recv", errno);
            return;
        }
        if (n == 0) {
            if (c->idle)
                fail(e, c, "idle", 0);
            else
                fail(e, c, "the server closed the connection", 0);
            return;
        }
        if (!take_bytes(e, c, e->rbuf, (size_t)n))
            return;
    }
}

static void on_writable(struct engine *e, struct conn *c)
{
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err == EINPROGRESS)
            return;
        if (err != 0) {
            fail(e, c, "connect", err);
            return;
        }
        e->connecting--;
        if (c->idle) {
            c->state = ST_IDLE;
            e->res->idle_open++;
        } else if (e->per_message) {
            c->state = ST_SENDING;
            try_send(e, c);
        } else {
            c->state = ST_READY;
            e->alive++;
        }
        return;
    }
    if (c->state == ST_SENDING || (c->state == ST_WAITING && c->off < (e->http ? e->req_len : e->cfg->size)))
        try_send(e, c);
}

static void handle(struct engine *e, struct epoll_event *ev)
{
    struct conn *c = ev->data.ptr;
    if (c == NULL) { /* the open-loop timer */
        uint64_t ticks;
        while (read(e->tfd, &ticks, sizeof ticks) < 0 && errno == EINTR) {
        }
        return;
    }
    if (c->fd < 0)
        return;
    if (ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
        on_writable(e, c);
    if (c->fd >= 0 && c->state != ST_CONNECTING && (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
        on_readable(e, c);
}

/* Start the messages that can start: all free connections in closed
 * loop, those that fell due in open loop; then set the timer. */
static void release(struct engine *e)
{
    int n = e->nfree; /* a connection failing at once goes back on the list: not again now */
    if (!e->open_loop) {
        memcpy(e->batch, e->free_list, (size_t)n * sizeof *e->batch);
        e->nfree = 0;
        for (int i = 0; i < n; i++)
            start_msg(e, &e->conns[e->batch[i]], 0);
        return;
    }
    uint64_t now = now_ns();
    while (n-- > 0 && e->nfree > 0 && sched_peek(&e->sched) <= now) {
        struct conn *c = &e->conns[e->free_list[--e->nfree]];
        start_msg(e, c, sched_pop(&e->sched));
    }
    struct itimerspec when = {{0, 0}, {0, 0}};
    if (e->nfree > 0) {
        uint64_t due = sched_peek(&e->sched);
        when.it_value.tv_sec = (time_t)(due / 1000000000u);
        when.it_value.tv_nsec = (long)(due % 1000000000u);
        if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0)
            when.it_value.tv_nsec = 1;
    }
    timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &when, NULL);
}

static int wait_events(struct engine *e, int timeout_ms)
{
    struct epoll_event evs[MAX_EVENTS];
    int n = epoll_wait(e->ep, evs, MAX_EVENTS, timeout_ms);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        note_error(e, "epoll_wait: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++)
        handle(e, &evs[i]);
    return n;
}

static int resolve(struct engine *e)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    char port[16];
    snprintf(port, sizeof port, "%d", e->cfg->port);
    int rc = getaddrinfo(e->cfg->host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(e->res->first_error, sizeof e->res->first_error, "%s: %s", e->cfg->host,
                 gai_strerror(rc));
        return -1;
    }
    memcpy(&e->addr, ai->ai_addr, ai->ai_addrlen);
    e->addr_len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

/* One connection first, waited for: a clear message if nobody listens. */
static int probe(struct engine *e)
{
    int fd = socket(e->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int err = 0;
    if (fd < 0) {
        err = errno;
    } else if (connect(fd, (struct sockaddr *)&e->addr, e->addr_len) < 0) {
        err = errno;
        if (err == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int timeout = (int)(e->cfg->connect_timeout * 1000);
            int r;
            while ((r = poll(&p, 1, timeout)) < 0 && errno == EINTR) {
            }
            socklen_t len = sizeof err;
            if (r == 0)
                err = ETIMEDOUT;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
        }
    }
    if (fd >= 0)
        close(fd);
    if (err != 0) {
        snprintf(e->res->first_error, sizeof e->res->first_error,
                 "cannot connect to %s port %d: %s (is the server running?)", e->cfg->host,
                 e->cfg->port, strerror(err));
        return -1;
    }
    return 0;
}

static int setup(struct engine *e)
{
    const struct lg_config *cfg = e->cfg;
    e->ep = epoll_create1(EPOLL_CLOEXEC);
    e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (e->ep < 0 || e->tfd < 0) {
        snprintf(e->res->first_error, sizeof e->res->first_error, "epoll/timerfd: %s",
                 strerror(errno));
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(e->ep, EPOLL_CTL_ADD, e->tfd, &ev) < 0)
        return -1;
    e->total = cfg->conns + cfg->idle;
    e->conns = calloc((size_t)e->total, sizeof *e->conns);
    e->free_list = calloc((size_t)cfg->conns + 1, sizeof *e->free_list);
    e->batch = calloc((size_t)cfg->conns + 1, sizeof *e->batch);
    if (e->conns == NULL || e->free_list == NULL || e->batch == NULL)
        return -1;
    for (int i = 0; i < e->total; i++) {
        struct conn *c = &e->conns[i];
        c->fd = -1;
        c->id = cfg->id_base + (uint32_t)i;
        c->idle = i >= cfg->conns;
        if (c->idle)
            continue;
        if (e->http)
            c->hr = malloc(sizeof *c->hr);
        else
            c->msg = malloc(cfg->size);
        if ((e->http && c->hr == NULL) || (!e->http && c->msg == NULL))
            return -1;
    }
    if (e->http) {
        size_t cap = strlen(cfg->path) + strlen(cfg->host) + 128;
        e->req = malloc(cap);
        if (e->req == NULL)
            return -1;
        int n = snprintf(e->req, cap, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", cfg->path, cfg->host,
                         e->per_message ? "Connection: close\r\n" : "");
        e->req_len = (size_t)n;
    }
    return 0;
}

/* Open the idle connections, then (keep-alive modes) the active ones, at
 * most MAX_CONNECTING at once, within the connect timeout. */
static void connect_phase(struct engine *e)
{
    int upto = e->per_message ? e->cfg->conns : 0;
    int order_n = e->total - upto;
    uint64_t deadline = now_ns() + (uint64_t)(e->cfg->connect_timeout * 1e9);
    int next = 0;
    bool out_of_fds = false;
    /* idle first (they take the low descriptors in the server), then active */
    while (!*e->cfg->stop && now_ns() < deadline) {
        while (!out_of_fds && next < order_n && e->connecting < MAX_CONNECTING) {
            int i = (e->cfg->conns + next) % e->total;
            if (e->per_message)
                i = e->cfg->conns + next;
            next++;
            if (open_conn(e, &e->conns[i]) < 0 && (errno == EMFILE || errno == ENFILE))
                out_of_fds = true;
        }
        if (e->connecting == 0 && (next >= order_n || out_of_fds))
            break;
        if (wait_events(e, 10) < 0)
            break;
    }
    for (int i = 0; i < e->total; i++) {
        struct conn *c = &e->conns[i];
        if (c->state == ST_CONNECTING) {
            e->res->connect_timeouts++;
            close_conn(e, c);
            c->state = ST_DEAD;
        } else if (c->state == ST_CLOSED && (c->idle || !e->per_message)) {
            c->state = ST_DEAD; /* never opened (out of descriptors) */
            if (c->idle)
                e->res->idle_lost++;
        }
    }
}

static void measure(struct engine *e)
{
    const struct lg_config *cfg = e->cfg;
    struct lg_result *r = e->res;
    for (int i = 0; i < cfg->conns; i++)
        if (e->conns[i].state == ST_READY || (e->per_message && e->conns[i].state == ST_CLOSED))
            e->free_list[e->nfree++] = i;
    if (cfg->on_start)
        cfg->on_start(cfg->hook_arg);
    double cpu0 = thread_cpu();
    uint64_t t0 = now_ns(), end = t0 + (uint64_t)(cfg->duration * 1e9);
    e->measuring = true;
    sched_init(&e->sched, t0, cfg->rate);
    release(e);
    uint64_t now;
    while (!*cfg->stop && (now = now_ns()) < end) {
        if (!e->per_message && e->alive <= 0 && e->nfree == 0)
            break; /* every connection is lost: nothing more to measure */
        int timeout = (int)((end - now + 999999) / 1000000);
        if (timeout > 100)
            timeout = 100;
        if (wait_events(e, timeout) < 0)
            break;
        release(e);
    }
    now = now_ns();
    e->measuring = false;
    r->elapsed = (double)(now - t0) / 1e9;
    r->cpu = thread_cpu() - cpu0;
    if (e->open_loop)
        r->late = sched_backlog(&e->sched, now);
    for (int i = 0; i < cfg->conns; i++) {
        struct conn *c = &e->conns[i];
        if (c->state == ST_SENDING || c->state == ST_WAITING ||
            (e->per_message && c->state == ST_CONNECTING))
            r->unanswered++;
        if (c->fd >= 0 && c->state != ST_CONNECTING)
            r->conns_open++;
        if (c->answered)
            r->conns_answered++;
    }
    if (cfg->on_end)
        cfg->on_end(cfg->hook_arg);
}

int lg_run(const struct lg_config *cfg, struct lg_result *r)
{
    memset(r, 0, sizeof *r);
    hist_init(&r->hist);
    static volatile sig_atomic_t never;
    struct lg_config c = *cfg;
    if (c.stop == NULL)
        c.stop = &never;
    struct engine *e = calloc(1, sizeof *e);
    if (e == NULL) {
        snprintf(r->first_error, sizeof r->first_error, "out of memory");
        return -1;
    }
    e->cfg = &c;
    e->res = r;
    e->ep = e->tfd = -1;
    e->per_message = c.mode == LG_ECHO_CONNMSG || c.mode == LG_HTTP_CLOSE;
    e->http = c.mode == LG_HTTP || c.mode == LG_HTTP_CLOSE;
    e->open_loop = c.rate > 0;
    int rc = -1;
    if (resolve(e) == 0 && probe(e) == 0) {
        if (setup(e) < 0) {
            if (r->first_error[0] == '\0')
                snprintf(r->first_error, sizeof r->first_error, "setup: %s", strerror(errno));
        } else {
            connect_phase(e);
            measure(e);
            rc = 0;
        }
    }
    for (int i = 0; i < e->total; i++) {
        close_conn(e, &e->conns[i]);
        free(e->conns[i].msg);
        free(e->conns[i].hr);
    }
    if (e->ep >= 0)
        close(e->ep);
    if (e->tfd >= 0)
        close(e->tfd);
    free(e->conns);
    free(e->free_list);
    free(e->batch);
    free(e->req);
    free(e);
    return rc;
}

struct worker {
    struct lg_config cfg;
    struct lg_result *res;
    int cpu, rc;
    pthread_t tid;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    if (w->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        (void)sched_setaffinity(0, sizeof set, &set); /* best effort */
    }
    w->rc = lg_run(&w->cfg, w->res);
    return NULL;
}

static void add_result(struct lg_result *to, const struct lg_result *r)
{
    to->msgs += r->msgs;
    to->bytes += r->bytes;
    to->errors += r->errors;
    to->connect_timeouts += r->connect_timeouts;
    to->unanswered += r->unanswered;
    to->late += r->late;
    to->idle_open += r->idle_open;
    to->idle_lost += r->idle_lost;
    to->conns_open += r->conns_open;
    to->conns_answered += r->conns_answered;
    if (r->elapsed > to->elapsed)
        to->elapsed = r->elapsed;
    to->cpu += r->cpu;
    hist_merge(&to->hist, &r->hist);
    if (to->first_error[0] == '\0')
        memcpy(to->first_error, r->first_error, sizeof to->first_error);
}

int lg_run_threads(const struct lg_config *cfg, int n, const int *cpus, struct lg_result *r)
{
    if (n <= 1 && cpus == NULL)
        return lg_run(cfg, r);
    if (n < 1)
        n = 1;
    memset(r, 0, sizeof *r);
    hist_init(&r->hist);
    struct worker *w = calloc((size_t)n, sizeof *w);
    struct lg_result *res = calloc((size_t)n, sizeof *res);
    if (w == NULL || res == NULL) {
        free(w);
        free(res);
        snprintf(r->first_error, sizeof r->first_error, "out of memory");
        return -1;
    }
    uint32_t id = cfg->id_base;
    int started = 0, rc = 0;
    for (int i = 0; i < n; i++) {
        w[i].cfg = *cfg;
        w[i].cfg.conns = cfg->conns / n + (i < cfg->conns % n);
        w[i].cfg.idle = cfg->idle / n + (i < cfg->idle % n);
        w[i].cfg.rate = cfg->conns > 0 ? cfg->rate * w[i].cfg.conns / cfg->conns : 0;
        w[i].cfg.id_base = id;
        w[i].cfg.on_start = w[i].cfg.on_end = NULL;
        id += (uint32_t)(w[i].cfg.conns + w[i].cfg.idle);
        w[i].res = &res[i];
        w[i].cpu = cpus ? cpus[i] : -1;
        if (w[i].cfg.conns == 0)
            continue;
        if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
            snprintf(r->first_error, sizeof r->first_error, "pthread_create failed");
            rc = -1;
            break;
        }
        started = i + 1;
    }
    for (int i = 0; i < started; i++) {
        if (w[i].cfg.conns == 0)
            continue;
        pthread_join(w[i].tid, NULL);
        if (w[i].rc < 0)
            rc = -1;
        add_result(r, &res[i]);
    }
    free(w);
    free(res);
    return rc;
}
