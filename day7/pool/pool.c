/* day7/pool/pool.c — 进程池 / A process pool: pre-forked workers, reused
 *
 * The pool behind the course's pool.py, written out. Pool(4) forks 4
 * workers once; apply_async() queues a task (a function and its argument
 * bytes) and returns a handle at once; get(handle) waits for that task's
 * result; close() takes no more tasks; join() lets the workers finish the
 * queued work, then reaps them. A worker runs one task after another, so
 * 10 two-second tasks on 4 workers run in waves of 4, 4 and 2, and the
 * same 4 pids run all 10.
 *
 * How it works:
 *   - Each worker has two pipes: tasks go down one, results come up the
 *     other. A pipe is a byte stream with no message boundaries, so every
 *     message is framed: a fixed header saying how many bytes follow.
 *   - A worker runs its tasks in the order they came and writes each
 *     result as soon as it has it; each result carries its task's id, and
 *     the parent stores it in that task's handle.
 *   - A worker that dies shows up as end of file on its result pipe: the
 *     parent fails the task it was running (the worker writes the id into
 *     shared memory before each task) and forks a replacement.
 * The machinery beside this file (pool_parts.h lists it): the buffers, the
 * task lists, which worker gets a task (pool_send.c), the poll loop that
 * moves the bytes (pool_pump.c) and crash recovery (pool_workers.c).
 *
 * Run: ./build/day7/pool/pool_demo (the course's pool.py; -h for options)
 *      ./build/day7/pool/pool_bench 200000 (the pool against fork per task)
 * Watch: the same worker pids run every task; see pool_demo.c.
 * See also: day6/process3 (one process per task), day7/queue_0.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS: shared memory without a file */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/parent.h"
#include "day7/pool/pool_parts.h"

static void worker_main(int task_fd, int result_fd, volatile uint64_t *slot);
static void close_pair(const int fds[2]);

/* --- the interface: Pool, apply_async, get, close, join ---------------- */

struct pool *pool_create(int workers)
{
    if (workers < 1 || workers > POOL_MAX_WORKERS) {
        errno = EINVAL;
        return NULL;
    }
    /* A write to a dead worker's pipe must fail with EPIPE, not kill us. */
    struct sigaction ignore = {0};
    ignore.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &ignore, NULL) < 0)
        return NULL;
    struct pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->size = workers;
    /* One slot per worker, shared across fork: "I am running task id". */
    void *slots =
        mmap(NULL, (size_t)workers * sizeof(uint64_t), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) {
        free(p);
        return NULL;
    }
    p->running = slots;
    for (int i = 0; i < workers; i++) /* forked once, reused for every task */
        if (pool_start_worker(p, i) < 0) {
            int saved = errno;
            pool_free(p);
            errno = saved;
            return NULL;
        }
    return p;
}

struct pool_task *pool_apply_async(struct pool *p, pool_fn *fn, const void *arg,
                                   size_t len)
{
    if (p->closed || len > POOL_MAX_ARG) {
        errno = p->closed ? EINVAL : EMSGSIZE;
        return NULL;
    }
    struct pool_task *t = pool_task_new(p, fn, arg, len);
    if (t == NULL)
        return NULL;
    pool_list_push(&p->queue, t);
    /* Send it now if a worker has room; no waiting here. If none has, it
     * waits in the queue until the next get() or join() moves things on. */
    if (pool_dispatch(p) < 0)
        return NULL;
    for (int i = 0; i < p->size; i++)
        pool_send(&p->workers[i]);
    return t;
}

int pool_get(struct pool *p, struct pool_task *t, struct pool_result *out)
{
    while (!t->done) /* move tasks and results until this one is back */
        if (pool_pump(p, -1) < 0)
            return -1;
    *out = t->result;
    pool_task_forget(p, t);
    return 0;
}

void pool_close(struct pool *p)
{
    p->closed = true;
}

int pool_join(struct pool *p)
{
    if (!p->closed) {
        errno = EINVAL;
        return -1;
    }
    while (pool_busy(p))
        if (pool_pump(p, -1) < 0)
            return -1;
    for (int i = 0; i < p->size; i++) /* end of file: "no more tasks" */
        if (p->workers[i].pid != 0) {
            close(p->workers[i].task_fd);
            p->workers[i].task_fd = -1;
        }
    for (int i = 0; i < p->size; i++) {
        struct pool_worker *w = &p->workers[i];
        if (w->pid == 0)
            continue;
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        pool_drop_worker(w);
    }
    return 0;
}

/* --- the workers --------------------------------------------------------- */

int pool_start_worker(struct pool *p, int i)
{
    int task_pipe[2], result_pipe[2];
    if (pipe(task_pipe) < 0) {
        warn_errno("pipe"); /* name the call that failed; the caller decides */
        return -1;
    }
    if (pipe(result_pipe) < 0) {
        warn_errno("pipe");
        close_pair(task_pipe);
        return -1;
    }
    p->running[i] = 0;
    pid_t parent = getpid();
    fflush(stdout); /* or the child would print our buffered lines again */
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        warn_errno("fork");
        close_pair(task_pipe);
        close_pair(result_pipe);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        die_with_parent(parent); /* kill -9 of the parent ends us too */
        /* The child has copies of its siblings' pipe ends. It must close
         * them, or a sibling would never see end of file on its tasks. */
        for (int j = 0; j < p->size; j++)
            if (p->workers[j].pid != 0) {
                close(p->workers[j].task_fd);
                close(p->workers[j].result_fd);
            }
        close(task_pipe[1]);
        close(result_pipe[0]);
        worker_main(task_pipe[0], result_pipe[1], &p->running[i]);
    }
    close(task_pipe[0]);
    close(result_pipe[1]);
    /* Non-blocking on the parent's side: it serves every worker from one
     * loop, so it must never sit in a write to one of them. */
    fcntl(task_pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(result_pipe[0], F_SETFL, O_NONBLOCK);
    p->workers[i] = (struct pool_worker){
        .pid = pid, .task_fd = task_pipe[1], .result_fd = result_pipe[0]};
    return 0;
}

/* A worker: read a framed task, run it, write a framed result; again until
 * end of file on task_fd (the pool is closed), then exit. */
static void worker_main(int task_fd, int result_fd, volatile uint64_t *slot)
{
    struct pool_buf in = {0};
    unsigned char *out = malloc(sizeof(struct result_frame) + POOL_MAX_RESULT);
    if (out == NULL)
        die_errno_child("worker: malloc");
    struct task_frame t;
    while (pool_buf_fill(&in, task_fd, sizeof t) == 1) { /* the header */
        memcpy(&t, in.data + in.start, sizeof t);
        if (t.arg_len > POOL_MAX_ARG ||
            pool_buf_fill(&in, task_fd, sizeof t + t.arg_len) != 1) {
            warn_msg("worker: a bad or cut-short task frame"); /* a bug */
            _exit(1);
        }
        *slot = t.id; /* so the parent knows which task, if this one kills us */
        long n = t.fn(in.data + in.start + sizeof t, t.arg_len,
                      out + sizeof(struct result_frame));
        in.start += sizeof t + t.arg_len;

        struct result_frame r = {t.id, POOL_OK, 0};
        if (n < 0 || n > POOL_MAX_RESULT)
            r.status = POOL_FAILED;
        else
            r.len = (uint32_t)n;
        memcpy(out, &r, sizeof r);
        /* One write per result, at once: a later crash cannot lose it. */
        if (io_write_all(result_fd, out, sizeof r + r.len) < 0)
            die_errno_child("worker: write"); /* the parent is gone */
        *slot = 0;
    }
    free(in.data);
    free(out);
    fflush(stdout);
    _exit(0);
}

static void close_pair(const int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}
