/* day7/queue_0.c — 消息队列 / A message queue: multiprocessing.Queue on POSIX mq
 *
 * The course's queue_0.py in C. A message queue is a list of messages kept
 * by the kernel: one process puts a message in, another takes it out, whole
 * (a queue keeps message boundaries, a pipe does not). Python's
 * Queue(maxsize) maps onto a POSIX message queue:
 *   Queue(maxsize)     mq_open(O_CREAT | O_EXCL) with mq_maxmsg = maxsize
 *   put / get          mq_send / mq_receive: block while full / empty
 *   block=False        a descriptor opened with O_NONBLOCK: EAGAIN at once
 *   timeout=T          mq_timedsend / mq_timedreceive: ETIMEDOUT after T
 *   full/empty/qsize   mq_getattr: mq_curmsgs against mq_maxmsg
 *   close              mq_close; and mq_unlink removes the queue's name
 * The queue's name is removed right after it is opened (mq_unlink): like
 * an unlinked file, the queue lives on while a process has it open, and the
 * children get it through fork. So no way of ending — Ctrl-C, a crash,
 * kill -9 — can leave a queue behind in /dev/mqueue.
 *
 * Three parts:
 *   modes  one process: put/get blocking, non-blocking and with a timeout;
 *          full(), empty(), qsize()
 *   v1     the course's first version: a producer puts 10 (x, y) requests
 *          into Queue(5); a consumer prints "x + y = ...". The course's
 *          consumer loops "while not q.empty()", so it can quit before the
 *          producer has put anything, and the producer then blocks forever
 *          on the full queue. Here the producer ends with an END message
 *          and the consumer blocks in get() until it sees it.
 *   v2     the course's second version: request and reply over two queues.
 *
 * Usage: queue_0 [-p modes|v1|v2] [-m MAX] [-n N] [-s MS] [--racy] [-h]
 *   -p PART  run one part (default: all three)
 *   -m MAX   v1's queue size, 1..the system limit (default 5)
 *   -n N     v1's requests, 1..1000 (default 10)
 *   -s MS    the consumer's pause per request, v2's reply delay (default 50)
 *   --racy   v1 with the course's "while not empty" consumer, and the
 *            unlucky order forced, to see the race (the put times out)
 *
 * The system limit for MAX is /proc/sys/fs/mqueue/msg_max (10 by default);
 * a larger MAX is refused with a message naming it. SIGINT or SIGTERM stop
 * the program cleanly (children stopped and reaped), exit 128 + signal.
 *
 * Watch for: "EAGAIN" at once and "ETIMEDOUT" after the timeout in part
 * modes; every x + y line in v1 and no early quit; the reply in v2.
 * See also: day7/ipc_pipe (no message boundaries), day7/pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <mqueue.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"

enum {
    MSG_SIZE = 256,      /* bytes per message (mq_msgsize) */
    DEFAULT_MAX = 5,     /* the course's Queue(5) */
    REPLY_QUEUE_MAX = 3, /* the course's Queue(3), v2 */
    DEFAULT_REQUESTS = 10,
    DEFAULT_PAUSE_MS = 50, /* the course: time.sleep(2) */
    RACY_PUT_TIMEOUT_MS = 500,
    REPLY_TIMEOUT_MS = 10000, /* v2's request gives up after this */
};

static const char msg_max_path[] = "/proc/sys/fs/mqueue/msg_max";

/* --- Queue: the course's multiprocessing.Queue ------------------------------- */

static void stop_if_requested(void);

/* Hold SIGINT and SIGTERM until sigprocmask(SIG_SETMASK, old) lets them in. */
static void hold_stop_signals(sigset_t *old)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, old);
}

struct queue {
    mqd_t mq;      /* blocking descriptor: put/get wait while full/empty */
    mqd_t mq_nb;   /* the same queue opened with O_NONBLOCK: block=False */
    char name[64]; /* only while it is being created */
    long maxsize;
};

/* Queue(maxsize): create a new queue, open it twice, remove its name. */
static void queue_open(struct queue *q, long maxsize)
{
    static int count;
    snprintf(q->name, sizeof q->name, "/conclab-queue_0.%d.%d", (int)getpid(), ++count);
    q->maxsize = maxsize;
    struct mq_attr attr = {0};
    attr.mq_maxmsg = maxsize;
    attr.mq_msgsize = MSG_SIZE;

    /* Between mq_open and mq_unlink the name exists: hold Ctrl-C until it
     * is gone, so not even that instant can leave it behind. */
    sigset_t old;
    hold_stop_signals(&old);
    q->mq = mq_open(q->name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q->mq == (mqd_t)-1)
        die_errno("mq_open %s (max %ld messages of %d bytes)", q->name, maxsize, MSG_SIZE);
    q->mq_nb = mq_open(q->name, O_RDWR | O_NONBLOCK);
    if (q->mq_nb == (mqd_t)-1) {
        int saved = errno;
        mq_unlink(q->name);
        errno = saved;
        die_errno("mq_open %s O_NONBLOCK", q->name);
    }
    if (mq_unlink(q->name) < 0) /* the queue lives on while it is open */
        die_errno("mq_unlink %s", q->name);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* close(): this process is done with the queue (the kernel frees it when
 * the last process closes it: its name is already gone). */
static void queue_close(struct queue *q)
{
    mq_close(q->mq);
    mq_close(q->mq_nb);
}

/* An absolute CLOCK_REALTIME deadline timeout_ms from now, as mq_timed*
 * want it. */
static struct timespec deadline_in(long timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* put(data, block, timeout): timeout_ms < 0 is "no timeout". 0, or -1 with
 * errno EAGAIN (full, block=False) or ETIMEDOUT (still full at timeout). */
static int queue_put(struct queue *q, const void *data, size_t len, bool block, long timeout_ms)
{
    int r;
    if (!block) {
        r = mq_send(q->mq_nb, data, len, 0);
    } else if (timeout_ms < 0) {
        while ((r = mq_send(q->mq, data, len, 0)) < 0 && errno == EINTR)
            stop_if_requested();
    } else {
        struct timespec deadline = deadline_in(timeout_ms);
        while ((r = mq_timedsend(q->mq, data, len, 0, &deadline)) < 0 && errno == EINTR)
            stop_if_requested();
    }
    return r;
}

/* get(block, timeout) into buf (at least MSG_SIZE bytes): the message's
 * length, or -1 with errno EAGAIN (empty, block=False) or ETIMEDOUT. */
static ssize_t queue_get(struct queue *q, void *buf, bool block, long timeout_ms)
{
    ssize_t n;
    if (!block) {
        n = mq_receive(q->mq_nb, buf, MSG_SIZE, NULL);
    } else if (timeout_ms < 0) {
        while ((n = mq_receive(q->mq, buf, MSG_SIZE, NULL)) < 0 && errno == EINTR)
            stop_if_requested();
    } else {
        struct timespec deadline = deadline_in(timeout_ms);
        while ((n = mq_timedreceive(q->mq, buf, MSG_SIZE, NULL, &deadline)) < 0 && errno == EINTR)
            stop_if_requested();
    }
    return n;
}

/* qsize(): messages in the queue now (a snapshot: another process may
 * change it the next moment). */
static long queue_qsize(struct queue *q)
{
    struct mq_attr attr;
    if (mq_getattr(q->mq, &attr) < 0)
        die_errno("mq_getattr");
    return attr.mq_curmsgs;
}

static bool queue_empty(struct queue *q)
{
    return queue_qsize(q) == 0;
}

static bool queue_full(struct queue *q)
{
    return queue_qsize(q) >= q->maxsize;
}

/* --- processes ---------------------------------------------------------------- */

/* The children running now, 0 once reaped. Changed only while the stop
 * signals are held, so the handler never sees a half-made entry. */
static pid_t children[2];
static volatile sig_atomic_t nchildren;
static volatile sig_atomic_t stop_signal; /* SIGINT or SIGTERM, once one came */

/* SIGINT, SIGTERM: remember which, and stop the children at once (kill is
 * one of the few calls safe in a handler). The main flow wakes up in
 * waitpid as they die, or sees the flag before its next blocking call. */
static void on_stop(int signo)
{
    stop_signal = signo;
    for (int i = 0; i < nchildren; i++)
        if (children[i] > 0)
            kill(children[i], SIGTERM);
}

/* Catch SIGINT and SIGTERM with on_stop; no SA_RESTART, so a blocking call
 * returns EINTR and the program notices. */
static void catch_stop_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        die_errno("sigaction");
}

/* Fork a child that runs fn(q, arg) and exits. Ctrl-C is held across fork
 * so the child can put back the default action (die) before it can come. */
static void start_child(void (*fn)(struct queue *, const void *), struct queue *q, const void *arg)
{
    sigset_t old;
    hold_stop_signals(&old);
    fflush(stdout); /* or the child would print our buffered lines again */
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        fn(q, arg);
        fflush(stdout);
        _exit(0);
    }
    children[nchildren] = pid;
    nchildren = nchildren + 1;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A stop signal came: make sure the children are stopped, reap them, and
 * exit 128 + the signal. The queues need nothing more: their names are
 * gone already, and exit closes them. */
static void stop_now(void)
{
    int stopped = 0;
    for (int i = 0; i < nchildren; i++) {
        if (children[i] <= 0)
            continue;
        kill(children[i], SIGTERM);
        while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
            ;
        stopped++;
    }
    printf("stopped by signal %d: %d children stopped and reaped, queues closed\n",
           (int)stop_signal, stopped);
    exit(128 + stop_signal);
}

/* Called when a blocking call was interrupted: stop if it was SIGINT/SIGTERM. */
static void stop_if_requested(void)
{
    if (stop_signal)
        stop_now();
}

/* join() every child; false if one of them failed. */
static bool join_children(void)
{
    bool ok = true;
    for (int i = 0; i < nchildren; i++) {
        int status;
        pid_t r;
        do {
            stop_if_requested();
            r = waitpid(children[i], &status, 0);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            die_errno("waitpid");
        sigset_t old;
        hold_stop_signals(&old);
        children[i] = 0; /* reaped: its pid may soon be someone else's */
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = false;
    }
    nchildren = 0;
    return ok;
}

/* --- part 1: the queue's modes, in one process --------------------------------- */

static const char *errno_name(int e)
{
    return e == EAGAIN ? "EAGAIN" : e == ETIMEDOUT ? "ETIMEDOUT" : "?";
}

static void print_state(struct queue *q)
{
    printf("  qsize() = %ld, full() = %s, empty() = %s\n", queue_qsize(q),
           queue_full(q) ? "True" : "False", queue_empty(q) ? "True" : "False");
}

static void show_modes(void)
{
    enum { SIZE = 3, TIMEOUT_MS = 200 };
    printf("== modes: q = Queue(%d)\n", SIZE);
    struct queue q = {0};
    queue_open(&q, SIZE);
    print_state(&q);
    for (int i = 1; i <= SIZE; i++) {
        if (queue_put(&q, &i, sizeof i, true, -1) < 0)
            die_errno("put");
        printf("  put(%d)\n", i);
    }
    print_state(&q);

    int extra = SIZE + 1;
    double t0 = clock_now();
    if (queue_put(&q, &extra, sizeof extra, false, -1) < 0)
        printf("  put(%d, block=False): queue.Full, errno %s (%s) after %.2f s\n", extra,
               errno_name(errno), strerror(errno), clock_now() - t0);
    else
        die("put on a full queue did not fail");
    t0 = clock_now();
    if (queue_put(&q, &extra, sizeof extra, true, TIMEOUT_MS) < 0)
        printf("  put(%d, timeout=%.1f): queue.Full, errno %s (%s) after %.2f s\n", extra,
               TIMEOUT_MS / 1000.0, errno_name(errno), strerror(errno), clock_now() - t0);
    else
        die("put with a timeout on a full queue did not fail");

    char buf[MSG_SIZE];
    for (int i = 1; i <= SIZE; i++) {
        int value;
        if (queue_get(&q, buf, true, -1) != (ssize_t)sizeof value)
            die_errno("get");
        memcpy(&value, buf, sizeof value);
        printf("  get() -> %d\n", value);
    }
    print_state(&q);

    t0 = clock_now();
    if (queue_get(&q, buf, false, -1) < 0)
        printf("  get(block=False): queue.Empty, errno %s (%s) after %.2f s\n", errno_name(errno),
               strerror(errno), clock_now() - t0);
    else
        die("get on an empty queue did not fail");
    t0 = clock_now();
    if (queue_get(&q, buf, true, TIMEOUT_MS) < 0)
        printf("  get(timeout=%.1f): queue.Empty, errno %s (%s) after %.2f s\n",
               TIMEOUT_MS / 1000.0, errno_name(errno), strerror(errno), clock_now() - t0);
    else
        die("get with a timeout on an empty queue did not fail");
    queue_close(&q);
    printf("  q.close()\n");
}

/* --- part 2 (v1): producer and consumer ---------------------------------------- */

struct request {
    int end; /* 1: no more requests (the message the course's version lacks) */
    int x, y;
};

struct v1_options {
    long requests;
    long pause_ms;
    bool racy;
};

/* The course's request(): put the (x, y) pairs, then END. */
static void producer(struct queue *q, const void *arg)
{
    const struct v1_options *o = arg;
    unsigned seed = 12345;
    for (int i = 0; i < o->requests; i++) {
        struct request r = {0, 0, 0};
        seed = seed * 1103515245u + 12345u; /* a small fixed pseudo-random sequence */
        r.x = (int)(seed >> 16) % 100 + 1;
        seed = seed * 1103515245u + 12345u;
        r.y = (int)(seed >> 16) % 100 + 1;
        long timeout = o->racy ? RACY_PUT_TIMEOUT_MS : -1;
        if (queue_put(q, &r, sizeof r, true, timeout) < 0) {
            if (errno == ETIMEDOUT)
                printf("producer: put(%d, %d) timed out after %.1f s: the queue is full and "
                       "nobody reads it any more — the course's version blocks here forever\n",
                       r.x, r.y, RACY_PUT_TIMEOUT_MS / 1000.0);
            else
                printf("producer: put failed: %s\n", strerror(errno));
            return;
        }
        printf("producer: put (%d, %d)\n", r.x, r.y);
    }
    struct request end = {1, 0, 0};
    if (queue_put(q, &end, sizeof end, true, -1) < 0)
        die_errno_child("put END");
    printf("producer: put END\n");
}

/* The course's handle(): take requests and print the sums. */
static void consumer(struct queue *q, const void *arg)
{
    const struct v1_options *o = arg;
    char buf[MSG_SIZE];
    struct request r;
    int handled = 0;
    for (;;) {
        if (o->racy && queue_empty(q)) { /* the course's "while not q.empty()" */
            printf("consumer: the queue is empty right now, so I quit (the race!)\n");
            break;
        }
        /* The fix: block in get() until a message comes; END ends the loop. */
        ssize_t n = queue_get(q, buf, true, -1);
        if (n < 0)
            die_errno_child("get");
        if (n != (ssize_t)sizeof r) {
            warn_msg("consumer: a message of %zd bytes is no request", n);
            _exit(1);
        }
        memcpy(&r, buf, sizeof r);
        if (r.end)
            break;
        printf("consumer: %d + %d = %d\n", r.x, r.y, r.x + r.y);
        handled++;
        clock_sleep_ms(o->pause_ms);
    }
    printf("consumer: done, %d requests handled\n", handled);
}

static bool run_v1(long maxsize, const struct v1_options *o)
{
    printf("== v1: producer and consumer, q = Queue(%ld)\n", maxsize);
    struct queue q = {0};
    queue_open(&q, maxsize);
    if (o->racy) {
        /* Force the unlucky order: the consumer looks before the producer
         * has put anything. In the course it merely can happen. */
        start_child(consumer, &q, o);
        join_children();
        start_child(producer, &q, o);
    } else {
        start_child(producer, &q, o);
        start_child(consumer, &q, o);
    }
    bool ok = join_children();
    queue_close(&q);
    return ok;
}

/* --- part 3 (v2): request and reply over two queues --------------------------- */

static long reply_delay_ms = DEFAULT_PAUSE_MS;

/* The course's request(): ask on q[0], wait for the answer on q[1]. */
static void request(struct queue *q, const void *arg)
{
    (void)arg;
    const char ask[] = "请求用户名密码";
    printf("request: 使用wx登录？ (log in with WeChat?)\n");
    if (queue_put(&q[0], ask, strlen(ask), true, -1) < 0)
        die_errno_child("put");
    char buf[MSG_SIZE];
    ssize_t n = queue_get(&q[1], buf, true, REPLY_TIMEOUT_MS);
    if (n < 0)
        die_errno_child("request: no reply");
    printf("request: 收到回复 got the reply: %.*s\n", (int)n, buf);
}

/* The course's handle(): answer one request after a pause. */
static void handle(struct queue *q, const void *arg)
{
    (void)arg;
    char buf[MSG_SIZE];
    ssize_t n = queue_get(&q[0], buf, true, REPLY_TIMEOUT_MS);
    if (n < 0)
        die_errno_child("handle: no request");
    printf("handle: 收到请求 got the request: %.*s\n", (int)n, buf);
    clock_sleep_ms(reply_delay_ms);
    const char reply[] = "{'name': 'zhang', 'passwd': '123'}";
    if (queue_put(&q[1], reply, strlen(reply), true, -1) < 0)
        die_errno_child("put");
}

static bool run_v2(void)
{
    printf("== v2: request and reply, q1 = Queue(%d), q2 = Queue(%d)\n", REPLY_QUEUE_MAX,
           REPLY_QUEUE_MAX);
    struct queue q[2] = {{0}};
    queue_open(&q[0], REPLY_QUEUE_MAX);
    queue_open(&q[1], REPLY_QUEUE_MAX);
    start_child(request, q, NULL);
    start_child(handle, q, NULL);
    bool ok = join_children();
    queue_close(&q[0]);
    queue_close(&q[1]);
    return ok;
}

/* --- main -------------------------------------------------------------------------- */

/* The system's limit on mq_maxmsg, or -1 if it cannot be read. */
static long read_msg_max(void)
{
    FILE *f = fopen(msg_max_path, "r");
    long value = -1;
    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld", &value) != 1)
        value = -1;
    fclose(f);
    return value;
}

static const char usage[] =
    "usage: queue_0 [-p modes|v1|v2] [-m MAX] [-n N] [-s MS] [--racy] [-h]\n"
    "  -p PART  run one part: modes, v1 or v2 (default: all three)\n"
    "  -m MAX   v1's queue size, 1..the system limit (default 5)\n"
    "  -n N     v1's requests, 1..1000 (default 10)\n"
    "  -s MS    pause per request in v1, reply delay in v2, 0..10000 (default 50)\n"
    "  --racy   v1 with the course's 'while not q.empty()' consumer (the race)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    const char *part = "all";
    long maxsize = DEFAULT_MAX;
    struct v1_options v1 = {DEFAULT_REQUESTS, DEFAULT_PAUSE_MS, false};
    static const struct option longopts[] = {
        {"racy", no_argument, NULL, 'R'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "p:m:n:s:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            part = optarg;
            if (strcmp(part, "modes") != 0 && strcmp(part, "v1") != 0 && strcmp(part, "v2") != 0)
                die_usage(usage, "bad PART '%s': expected modes, v1 or v2", optarg);
            break;
        case 'm':
            if (parse_long(optarg, 1, 1000000, &maxsize) < 0)
                die_usage(usage, "bad MAX '%s': expected a positive number", optarg);
            break;
        case 'n':
            if (parse_long(optarg, 1, 1000, &v1.requests) < 0)
                die_usage(usage, "bad N '%s': expected 1..1000", optarg);
            break;
        case 's':
            if (parse_long(optarg, 0, 10000, &v1.pause_ms) < 0)
                die_usage(usage, "bad MS '%s': expected 0..10000", optarg);
            reply_delay_ms = v1.pause_ms;
            break;
        case 'R': v1.racy = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    /* mq_open would say only EINVAL (and root may pass the limit): check
     * first and name the limit. */
    long msg_max = read_msg_max();
    if (msg_max > 0 && maxsize > msg_max)
        die_usage(usage,
                  "max size %ld is above the system limit of %ld messages per queue (%s); "
                  "as root: sysctl fs.mqueue.msg_max=%ld",
                  maxsize, msg_max, msg_max_path, maxsize);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    catch_stop_signals();

    bool all = strcmp(part, "all") == 0, ok = true;
    if (all || strcmp(part, "modes") == 0)
        show_modes();
    if (all || strcmp(part, "v1") == 0)
        ok = run_v1(maxsize, &v1) && ok;
    if (all || strcmp(part, "v2") == 0)
        ok = run_v2() && ok;
    if (!ok)
        die("a child process failed");
    return 0;
}
