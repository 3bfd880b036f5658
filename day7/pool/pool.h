/* day7/pool/pool.h — the process pool's interface, the course's
 * multiprocessing.Pool in C: Pool(n), apply_async, get, close, join.
 * Implemented in pool.c (read that first) and the modules beside it.
 */
#ifndef CONCLAB_POOL_H
#define CONCLAB_POOL_H

#include <stddef.h>
#include <sys/types.h>

enum {
    POOL_MAX_WORKERS = 64,
    POOL_MAX_ARG = 1 << 20,    /* argument bytes of one task: 1 MiB */
    POOL_MAX_RESULT = 1 << 20, /* result bytes of one task: 1 MiB */
};

/* A task function. It runs in a worker: arg is a copy of the bytes given
 * to apply_async (arg_len of them, not aligned: memcpy them out). It
 * writes its result, at most POOL_MAX_RESULT bytes, into out and returns
 * the length, or -1 to say the task failed. */
typedef long pool_fn(const void *arg, size_t arg_len, void *out);

enum pool_status {
    POOL_OK,      /* the function returned a result */
    POOL_FAILED,  /* the function returned -1 */
    POOL_CRASHED, /* the worker died while running it (see wait_status) */
};

struct pool_result {
    enum pool_status status;
    int wait_status;     /* POOL_CRASHED: how the worker ended (waitpid) */
    pid_t worker;        /* the worker process that ran the task */
    unsigned long order; /* 1 for the first result to arrive, 2 next... */
    size_t len;
    unsigned char *data; /* len bytes (NULL if 0), malloc'd: free it */
};

struct pool;      /* the pool */
struct pool_task; /* a handle: one task given to apply_async */

/* Pool(workers): fork the workers now, once. NULL with errno. */
struct pool *pool_create(int workers);

/* apply_async(fn, arg): queue the task and return its handle at once.
 * NULL with errno EINVAL once the pool is closed, EMSGSIZE if len is over
 * POOL_MAX_ARG. */
struct pool_task *pool_apply_async(struct pool *p, pool_fn *fn, const void *arg,
                                   size_t len);

/* get(): wait for the task's result and hand it over; the handle is used
 * up. 0, or -1 with errno if the pool broke down. */
int pool_get(struct pool *p, struct pool_task *t, struct pool_result *out);

/* close(): no more tasks; the queued ones still run. */
void pool_close(struct pool *p);

/* join(): after close, run what is queued, end the workers and reap
 * them. -1 with errno EINVAL before close. */
int pool_join(struct pool *p);

/* Free the pool and every handle not yet got; workers still running (no
 * join) are killed and reaped. */
void pool_free(struct pool *p);

/* The pid of worker i (0 <= i < workers), and how many workers were
 * forked again after one died. */
pid_t pool_worker_pid(const struct pool *p, int i);
int pool_replaced(const struct pool *p);

#endif
