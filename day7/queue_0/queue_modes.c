/* day7/queue_0/queue_modes.c — part "modes" of queue_0: Queue(3) in one
 * process, filled and emptied, each way of putting and getting tried:
 * blocking, block=False (EAGAIN at once) and timeout=0.2 (ETIMEDOUT after
 * 0.2 s), with full(), empty() and qsize() along the way. And the
 * system's limit on a queue's size, checked before mq_open.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/errors.h"
#include "day7/queue_0/queue.h"

/* empty() and full(), from qsize() */
bool queue_empty(struct queue *q)
{
    return queue_qsize(q) == 0;
}

bool queue_full(struct queue *q)
{
    return queue_qsize(q) >= q->maxsize;
}

static const char *errno_name(int e)
{
    return e == EAGAIN ? "EAGAIN" : e == ETIMEDOUT ? "ETIMEDOUT" : "?";
}

static void print_state(struct queue *q)
{
    printf("  qsize() = %ld, full() = %s, empty() = %s\n", queue_qsize(q),
           queue_full(q) ? "True" : "False", queue_empty(q) ? "True" : "False");
}

void queue_show_modes(void)
{
    enum { SIZE = 3, TIMEOUT_MS = 200 };
    const double timeout = TIMEOUT_MS / 1000.0;
    printf("== modes: q = Queue(%d)\n", SIZE);
    struct queue q;
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
    if (queue_put(&q, &extra, sizeof extra, false, -1) == 0)
        die("put on a full queue did not fail");
    printf("  put(%d, block=False): queue.Full, errno %s (%s) after %.2f s\n",
           extra, errno_name(errno), strerror(errno), clock_now() - t0);
    t0 = clock_now();
    if (queue_put(&q, &extra, sizeof extra, true, TIMEOUT_MS) == 0)
        die("put with a timeout on a full queue did not fail");
    printf("  put(%d, timeout=%.1f): queue.Full, errno %s (%s) after %.2f s\n",
           extra, timeout, errno_name(errno), strerror(errno),
           clock_now() - t0);

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
    if (queue_get(&q, buf, false, -1) >= 0)
        die("get on an empty queue did not fail");
    printf("  get(block=False): queue.Empty, errno %s (%s) after %.2f s\n",
           errno_name(errno), strerror(errno), clock_now() - t0);
    t0 = clock_now();
    if (queue_get(&q, buf, true, TIMEOUT_MS) >= 0)
        die("get with a timeout on an empty queue did not fail");
    printf("  get(timeout=%.1f): queue.Empty, errno %s (%s) after %.2f s\n",
           timeout, errno_name(errno), strerror(errno), clock_now() - t0);
    queue_close(&q);
    printf("  q.close()\n");
}

void queue_check_size(long maxsize, const char *usage)
{
    const char path[] = "/proc/sys/fs/mqueue/msg_max";
    FILE *f = fopen(path, "r");
    long limit = -1;
    if (f == NULL)
        return; /* no limit to read: mq_open will tell */
    if (fscanf(f, "%ld", &limit) != 1)
        limit = -1;
    fclose(f);
    if (limit > 0 && maxsize > limit)
        die_usage(usage,
                  "max size %ld is above the system limit of %ld messages "
                  "per queue (%s); as root: sysctl fs.mqueue.msg_max=%ld",
                  maxsize, limit, path, maxsize);
}
