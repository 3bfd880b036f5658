/* day7/pool/pool_parts.h — the pool's insides, shared by pool.c and the
 * modules that hold its machinery:
 *   pool_buf.c    a growing byte buffer, and a blocking "read until full"
 *   pool_tasks.c  task handles and the lists they move through
 *   pool_send.c   the dispatch window (least busy worker first) and the
 *                 non-blocking writes of framed tasks
 *   pool_pump.c   one turn of the engine: poll, send, receive results
 *   pool_workers.c a worker that died: fail its task, requeue, replace
 *                 it; and the pool's end
 */
#ifndef CONCLAB_POOL_PARTS_H
#define CONCLAB_POOL_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "day7/pool/pool.h"

enum {
    POOL_WINDOW = 64,            /* tasks sent ahead to one worker */
    POOL_READ_CHUNK = 64 * 1024, /* bytes asked of read() at a time */
};

/* --- messages on the pipes: a fixed header, then its bytes ------------ */

/* parent -> worker: a task; arg_len bytes of argument follow. */
struct task_frame {
    uint64_t id;
    pool_fn *fn; /* valid in the worker: a fork of this very program */
    uint32_t arg_len;
    uint32_t unused; /* explicit padding: every byte sent is defined */
};

/* worker -> parent: a result; len bytes of result follow. */
struct result_frame {
    uint64_t id;
    uint32_t status; /* POOL_OK or POOL_FAILED */
    uint32_t len;
};

/* --- pool_buf.c ----------------------------------------------------------- */

/* A growing byte buffer: bytes [start, end) of data are in use. */
struct pool_buf {
    unsigned char *data;
    size_t start, end, cap;
};

size_t pool_buf_used(const struct pool_buf *b);
/* Make room for room more bytes after end: 0, or -1 if out of memory. */
int pool_buf_reserve(struct pool_buf *b, size_t room);
/* Read from fd (blocking) until b holds want bytes: 1, or 0 at end of
 * file. Exits the process (a worker) on a read error. */
int pool_buf_fill(struct pool_buf *b, int fd, size_t want);

/* --- pool_tasks.c --------------------------------------------------------- */

struct pool_task {
    uint64_t id;
    pool_fn *fn;
    unsigned char *arg; /* kept until done: sent again if its worker dies */
    size_t arg_len;
    bool done;
    struct pool_result result;
    struct pool_task *next;          /* in the queue or a worker's list */
    struct pool_task *older, *newer; /* in the list of tasks not yet got */
};

/* A first-in first-out list of tasks. */
struct task_list {
    struct pool_task *head, *tail;
};

struct pool_worker {
    pid_t pid;             /* 0: no worker in this slot */
    int task_fd;           /* write end of its task pipe (non-blocking) */
    int result_fd;         /* read end of its result pipe (non-blocking) */
    struct pool_buf out;   /* framed tasks not yet written to task_fd */
    struct pool_buf in;    /* result bytes read, not yet a whole frame */
    struct task_list sent; /* sent to it, oldest first: its running order */
    int in_flight;         /* how many tasks are in sent */
};

struct pool {
    int size;
    struct pool_worker workers[POOL_MAX_WORKERS];
    volatile uint64_t *running; /* shared memory: the task worker i runs */
    struct task_list queue;     /* tasks waiting for room at a worker */
    struct pool_task *newest;   /* all tasks not yet got, newest first */
    uint64_t last_id;
    unsigned long results; /* results arrived so far */
    int replaced;          /* workers forked again after one died */
    bool closed;
};

void pool_list_push(struct task_list *l, struct pool_task *t);
struct pool_task *pool_list_pop(struct task_list *l);
/* Put the tasks of l (in their order) in front of the queue q. */
void pool_list_requeue(struct task_list *q, struct task_list *l);
/* A new handle for fn(arg), with a copy of arg: NULL if out of memory. */
struct pool_task *pool_task_new(struct pool *p, pool_fn *fn, const void *arg,
                                size_t len);
/* Record a task's outcome in its handle, for get(). */
void pool_task_finish(struct pool *p, struct pool_task *t,
                      enum pool_status status, const void *data, size_t len);
/* Forget a handle that get() handed over, or every handle not yet got. */
void pool_task_forget(struct pool *p, struct pool_task *t);
void pool_task_forget_all(struct pool *p);

/* --- pool.c --------------------------------------------------------------- */

/* Fork worker i with fresh pipes: 0, or -1 with errno. */
int pool_start_worker(struct pool *p, int i);

/* --- pool_send.c ---------------------------------------------------------- */

/* Hand queued tasks to the least busy workers while one has room in its
 * window: 0, or -1 if out of memory. */
int pool_dispatch(struct pool *p);
/* Write what w's task pipe takes now; the rest waits for the next turn. */
void pool_send(struct pool_worker *w);

/* --- pool_pump.c ---------------------------------------------------------- */

/* One turn of the engine: start missing workers, hand out tasks, wait up
 * to timeout_ms (-1: until something happens) for the pipes, write what
 * they take, read what the workers wrote, replace workers that died.
 * 0, or -1 with errno. */
int pool_pump(struct pool *p, int timeout_ms);
/* True while a task is queued or at a worker. */
bool pool_busy(const struct pool *p);

/* --- pool_workers.c ------------------------------------------------------- */

/* Worker i is gone: reap it, fail the task it was running, queue its other
 * tasks again and fork a replacement. 0, or -1 with errno. */
int pool_replace_worker(struct pool *p, int i);
/* Close worker w's pipes and forget it (it is reaped already). */
void pool_drop_worker(struct pool_worker *w);

#endif
