/* day7/queue_0/queue_0.c — 消息队列 / A message queue: the course's
 * multiprocessing.Queue on a POSIX message queue
 *
 * A message queue is a list of messages kept by the kernel: one process
 * puts a message in, another takes it out, whole (a queue keeps message
 * boundaries, a pipe does not). Python's Queue(maxsize) in POSIX calls:
 *   Queue(maxsize)     mq_open(O_CREAT | O_EXCL) with mq_maxmsg = maxsize
 *   put / get          mq_send / mq_receive: block while full / empty
 *   block=False        a descriptor opened with O_NONBLOCK: EAGAIN at once
 *   timeout=T          mq_timedsend / mq_timedreceive: ETIMEDOUT after T
 *   full/empty/qsize   mq_getattr: mq_curmsgs against mq_maxmsg
 *   close              mq_close; and mq_unlink removes the queue's name
 * The name is removed at once (mq_unlink): like an unlinked file, the
 * queue lives on while a process has it open, and children get it through
 * fork. No way of ending can leave a queue behind.
 *
 * Parts: "modes", each way to put and get (queue_modes.c); "v1", here,
 * the course's producer and consumer: its consumer loops "while not
 * q.empty()", may quit before anything was put, and the producer then
 * blocks forever on the full queue (--racy forces it). The fix: an END
 * message, and get() blocks. "v2": request and reply (queue_v2.c).
 *
 * Run: ./build/day7/queue_0/queue_0 [-p v1] [--racy] (-h: the options)
 * Watch: EAGAIN at once, ETIMEDOUT after the timeout; every x + y line in
 * v1 and no early quit; the reply in v2. Ctrl-C stops the children too.
 * See also: day7/ipc_pipe (no message boundaries), day7/pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/signals.h"
#include "day7/queue_0/queue.h"

/* --- Queue: each method one mq call --------------------------------------- */

void queue_open(struct queue *q, long maxsize)
{
    static int count;
    char name[64];
    snprintf(name, sizeof name, "/conclab-queue_0.%d.%d", (int)getpid(),
             ++count);
    q->maxsize = maxsize;
    struct mq_attr attr = {.mq_maxmsg = maxsize, .mq_msgsize = MSG_SIZE};
    /* Ctrl-C waits while the name exists: not even then is it left. */
    sigset_t old;
    sig_hold_stop(&old);
    q->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (q->mq == (mqd_t)-1)
        die_errno("mq_open %s (Queue(%ld))", name, maxsize);
    q->mq_nb = mq_open(name, O_RDWR | O_NONBLOCK);
    int saved = errno;
    if (mq_unlink(name) < 0) /* the queue lives on while it is open */
        die_errno("mq_unlink %s", name);
    if (q->mq_nb == (mqd_t)-1) {
        errno = saved;
        die_errno("mq_open %s O_NONBLOCK", name);
    }
    sig_release(&old);
}

int queue_put(struct queue *q, const void *data, size_t len, bool block,
              long timeout_ms)
{
    if (!block)
        return mq_send(q->mq_nb, data, len, 0);
    struct timespec end = clock_deadline(CLOCK_REALTIME, timeout_ms);
    int r;
    do {
        queue_stop_if_requested(); /* a stop signal interrupts the wait */
        r = timeout_ms < 0 ? mq_send(q->mq, data, len, 0)
                           : mq_timedsend(q->mq, data, len, 0, &end);
    } while (r < 0 && errno == EINTR);
    return r;
}

ssize_t queue_get(struct queue *q, void *buf, bool block, long timeout_ms)
{
    if (!block)
        return mq_receive(q->mq_nb, buf, MSG_SIZE, NULL);
    struct timespec end = clock_deadline(CLOCK_REALTIME, timeout_ms);
    ssize_t n;
    do {
        queue_stop_if_requested();
        n = timeout_ms < 0 ? mq_receive(q->mq, buf, MSG_SIZE, NULL)
                           : mq_timedreceive(q->mq, buf, MSG_SIZE, NULL, &end);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* qsize(): a snapshot — another process may change it the next moment. */
long queue_qsize(struct queue *q)
{
    struct mq_attr attr;
    if (mq_getattr(q->mq, &attr) < 0)
        die_errno("mq_getattr");
    return attr.mq_curmsgs;
}

/* close(): the kernel frees the queue when the last process closes it. */
void queue_close(struct queue *q)
{
    mq_close(q->mq);
    mq_close(q->mq_nb);
}

/* --- v1: producer and consumer ------------------------------------------ */

struct request {
    int end; /* 1: no more requests (the course's version has no END) */
    int x, y;
};

static long requests = 10;          /* -n */
static bool racy;                   /* --racy */
long queue_pause_ms = 50;           /* -s */
enum { RACY_PUT_TIMEOUT_MS = 500 }; /* then the producer gives up */

/* The course's request(): put the (x, y) pairs, then END. */
static void producer(struct queue *q)
{
    for (int i = 0; i < requests; i++) {
        struct request r = {0, i * 37 % 100 + 1, i * 53 % 100 + 1};
        if (queue_put(q, &r, sizeof r, true, racy ? RACY_PUT_TIMEOUT_MS : -1)) {
            if (errno != ETIMEDOUT)
                die_errno_child("put");
            printf("producer: put(%d, %d) timed out after %.1f s: the queue "
                   "is full and nobody reads it any more — the course's "
                   "version blocks here forever\n",
                   r.x, r.y, RACY_PUT_TIMEOUT_MS / 1000.0);
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
static void consumer(struct queue *q)
{
    char buf[MSG_SIZE];
    struct request r;
    int handled = 0;
    for (;;) {
        if (racy && queue_empty(q)) { /* the course's "while not q.empty()" */
            printf("consumer: the queue is empty right now, so I quit "
                   "(the race!)\n");
            break;
        }
        /* The fix: block in get() until a message comes; END ends it. */
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
        clock_sleep_ms(queue_pause_ms);
    }
    printf("consumer: done, %d requests handled\n", handled);
}

static bool run_v1(long maxsize)
{
    printf("== v1: producer and consumer, q = Queue(%ld)\n", maxsize);
    struct queue q;
    queue_open(&q, maxsize);
    if (racy) { /* the unlucky order, forced: the consumer looks first */
        queue_child_start(consumer, &q);
        queue_children_join();
        queue_child_start(producer, &q);
    } else {
        queue_child_start(producer, &q);
        queue_child_start(consumer, &q);
    }
    bool ok = queue_children_join();
    queue_close(&q);
    return ok;
}

/* --- main --------------------------------------------------------------- */

static const char usage[] =
    "usage: queue_0 [-p modes|v1|v2] [-m MAX] [-n N] [-s MS] [--racy] [-h]\n"
    "  -p PART  run one part: modes, v1 or v2 (default: all three)\n"
    "  -m MAX   v1's queue size, 1..the system limit (default 5)\n"
    "  -n N     v1's requests, 1..1000 (default 10)\n"
    "  -s MS    v1's pause per request, v2's reply delay (default 50)\n"
    "  --racy   v1 with the course's 'while not q.empty()' consumer\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    const char *part = "all";
    long maxsize = 5; /* the course's Queue(5) */
    static const struct option longopts[] = {{"racy", no_argument, NULL, 'R'},
                                             {NULL, 0, NULL, 0}};
    int opt, bad = 0;
    while ((opt = getopt_long(argc, argv, "p:m:n:s:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p': part = optarg; break; /* checked below */
        case 'm': bad = parse_long(optarg, 1, 1000000, &maxsize); break;
        case 'n': bad = parse_long(optarg, 1, 1000, &requests); break;
        case 's': bad = parse_long(optarg, 0, 10000, &queue_pause_ms); break;
        case 'R': racy = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
        if (bad < 0)
            die_usage(usage, "bad value '%s' for -%c", optarg, opt);
    }
    bool all = strcmp(part, "all") == 0, ok = true;
    bool modes = all || strcmp(part, "modes") == 0;
    bool v1 = all || strcmp(part, "v1") == 0, v2 = all || !strcmp(part, "v2");
    if (!modes && !v1 && !v2) /* -p was none of the three */
        die_usage(usage, "bad PART '%s': expected modes, v1 or v2", part);
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    queue_check_size(maxsize, usage); /* mq_open would say only EINVAL */
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    if (sig_catch_stop() < 0)
        die_errno("sigaction");

    if (modes)
        queue_show_modes();
    if (v1)
        ok = run_v1(maxsize) && ok;
    if (v2)
        ok = queue_run_v2() && ok;
    if (!ok)
        die("a child process failed");
    return 0;
}
