/* day7/queue_0/queue.h — the course's multiprocessing.Queue on a POSIX
 * message queue (queue_0.c), and the helpers beside it: the one-process
 * tour of its modes (queue_modes.c), the course's second version
 * (queue_v2.c) and the children that use it (queue_children.c).
 */
#ifndef CONCLAB_QUEUE_0_H
#define CONCLAB_QUEUE_0_H

#include <mqueue.h>
#include <stdbool.h>
#include <sys/types.h>

enum { MSG_SIZE = 256 }; /* bytes per message (mq_msgsize) */

struct queue {
    mqd_t mq;    /* blocking descriptor: put/get wait while full/empty */
    mqd_t mq_nb; /* the same queue opened with O_NONBLOCK: block=False */
    long maxsize;
};

/* --- queue_0.c: Queue(maxsize), put, get, qsize, empty, full, close ----- */

void queue_open(struct queue *q, long maxsize);
/* timeout_ms < 0: no timeout. 0, or -1 with errno EAGAIN (block=False)
 * or ETIMEDOUT. */
int queue_put(struct queue *q, const void *data, size_t len, bool block,
              long timeout_ms);
/* Into buf (MSG_SIZE bytes): the message's length, or -1 as put. */
ssize_t queue_get(struct queue *q, void *buf, bool block, long timeout_ms);
long queue_qsize(struct queue *q);
void queue_close(struct queue *q);

/* --- queue_modes.c ------------------------------------------------------ */

bool queue_empty(struct queue *q); /* empty(): qsize() == 0 */
bool queue_full(struct queue *q);  /* full(): qsize() == maxsize */

/* Part "modes": put and get, blocking, non-blocking and with a timeout,
 * and full(), empty(), qsize(), all in this one process. */
void queue_show_modes(void);
/* A usage error (exit 2) naming the limit if maxsize is above the
 * system's limit on a queue's size (/proc/sys/fs/mqueue/msg_max). */
void queue_check_size(long maxsize, const char *usage);

/* --- queue_v2.c ---------------------------------------------------------- */

/* Part "v2": request and reply over two queues; false if a child failed. */
bool queue_run_v2(void);
/* v1's pause per request, v2's reply delay (queue_0 -s). */
extern long queue_pause_ms;

/* --- queue_children.c ----------------------------------------------------- */

/* Fork a child that runs fn(q) and exits 0; it dies with us. */
void queue_child_start(void (*fn)(struct queue *), struct queue *q);
/* join() every child started: false if one of them failed. */
bool queue_children_join(void);
/* After EINTR: if SIGINT/SIGTERM came, stop and reap the children and
 * exit 128 + the signal (the queues' names are gone already). */
void queue_stop_if_requested(void);

#endif
