/* day7/pool.c — 进程池 / A process pool: pre-forked workers, reused
 *
 * The course's pool.py in C, with the pool itself written out. Pool(4)
 * forks 4 workers once; apply_async() queues a task (a function and its
 * argument bytes) and returns a handle at once; get(handle) waits for that
 * task's result; close() takes no more tasks; join() lets the workers finish
 * the queued work, then reaps them. A worker runs one task after another,
 * so 10 two-second tasks on 4 workers run in waves of 4, 4 and 2, and the
 * same 4 pids run all 10.
 *
 * How it works — the part to read:
 *   - Each worker has two pipes: tasks go down one, results come up the
 *     other. A pipe is a byte stream with no message boundaries, so every
 *     message is framed: a fixed header saying how many bytes follow.
 *   - The parent sends each worker at most POOL_WINDOW tasks ahead, to the
 *     least busy worker first; the rest wait in the parent's queue.
 *   - A worker runs its tasks in the order they came and writes each result
 *     as soon as it has it. Results of one worker come back in order; those
 *     of different workers interleave (out of order); each result carries
 *     its task id, and the parent stores it in that task's handle.
 *   - A worker that dies (the task called abort, a segfault, kill -9) shows
 *     up as end-of-file on its result pipe. The parent reaps it, fails the
 *     task it was running (the worker writes the id into a slot of shared
 *     memory before each task), queues its unstarted tasks again, and forks
 *     a replacement.
 *
 * Usage: pool [-w WORKERS] [-n TASKS] [-s MS] [-c K] [-z] [-h]
 *        pool --bench N
 *   -w WORKERS  processes in the pool, 1..64 (default 4)
 *   -n TASKS    tasks to run, 1..10000 (default 10)
 *   -s MS       each task sleeps MS ms, the course's sleep(2) (default 200)
 *   -c K        task K crashes its worker (abort); the pool survives
 *   -z          sizes: task i returns result_size(i) bytes, up to the 1 MiB
 *               limit; only task 0 sleeps, so results arrive out of order
 *   --bench N   N trivial tasks through a 2-worker pool, and fork per task
 *
 * Watch for: the "-- Tedu i" lines come in waves of 4, 4, 2 with the same
 * worker pids; get() returns each task's own result; with -c the crashed
 * task says CRASHED and a new worker pid appears; after join, /proc shows
 * no child left.
 * See also: day6/process3 (one process per task), day7/queue_0.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS (shared memory without a file), getloadavg */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/fnv1a.h"
#include "common/io.h"
#include "common/options.h"
#include "common/procfs.h"
#include "common/walltime.h"

/* --- the pool's interface ------------------------------------------------ */

enum {
    POOL_MAX_WORKERS = 64,
    POOL_WINDOW = 64,          /* tasks sent ahead to one worker */
    POOL_MAX_ARG = 1 << 20,    /* argument bytes of one task: 1 MiB */
    POOL_MAX_RESULT = 1 << 20, /* result bytes of one task: 1 MiB */
    READ_CHUNK = 64 * 1024,    /* bytes asked of read() at a time */
};

/* A task function. It runs in a worker: arg is a copy of the bytes given to
 * apply_async (arg_len of them, not aligned: memcpy them out). It writes
 * its result, at most POOL_MAX_RESULT bytes, into out and returns the
 * length, or -1 to say the task failed. */
typedef long pool_fn(const void *arg, size_t arg_len, void *out);

enum pool_status {
    POOL_OK,      /* the function returned a result */
    POOL_FAILED,  /* the function returned -1 */
    POOL_CRASHED, /* the worker died while running it (see wait_status) */
};

struct pool_result {
    enum pool_status status;
    int wait_status;     /* POOL_CRASHED: how the worker ended, as waitpid says */
    pid_t worker;        /* the worker process that ran the task */
    unsigned long order; /* 1 for the first result to arrive, 2 for the next... */
    size_t len;
    unsigned char *data; /* len bytes (NULL if 0), malloc'd: the caller frees it */
};

struct pool;      /* the pool, below */
struct pool_task; /* a handle: one task given to apply_async */

struct pool *pool_create(int workers);
struct pool_task *pool_apply_async(struct pool *p, pool_fn *fn, const void *arg, size_t len);
int pool_get(struct pool *p, struct pool_task *t, struct pool_result *out);
void pool_close(struct pool *p);
int pool_join(struct pool *p);
void pool_free(struct pool *p);

/* --- messages on the pipes -------------------------------------------------- */

/* parent -> worker: a task; arg_len bytes of argument follow. */
struct task_frame {
    uint64_t id;
    pool_fn *fn; /* valid in the worker: it is a fork of this very program */
    uint32_t arg_len;
    uint32_t unused; /* explicit padding: every byte sent is defined */
};

/* worker -> parent: a result; len bytes of result follow. */
struct result_frame {
    uint64_t id;
    uint32_t status; /* POOL_OK or POOL_FAILED */
    uint32_t len;
};

/* A growing byte buffer: bytes [start, end) of data are in use. */
struct buffer {
    unsigned char *data;
    size_t start, end, cap;
};

static size_t buffer_used(const struct buffer *b)
{
    return b->end - b->start;
}

/* Make room for room more bytes after end; 0, or -1 if out of memory. */
static int buffer_reserve(struct buffer *b, size_t room)
{
    if (b->cap - b->end >= room)
        return 0;
    size_t used = buffer_used(b);
    if (used > 0)
        memmove(b->data, b->data + b->start, used);
    b->start = 0;
    b->end = used;
    if (b->cap - used >= room)
        return 0;
    size_t cap = b->cap * 2 > used + room ? b->cap * 2 : used + room;
    unsigned char *data = realloc(b->data, cap);
    if (data == NULL)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

/* --- the worker: the code a pool process runs until the pool closes ------ */

/* Read from fd (blocking) until b holds want bytes: 1, 0 at end of file. */
static int fill(struct buffer *b, int fd, size_t want)
{
    while (buffer_used(b) < want) {
        size_t room = want - buffer_used(b);
        if (buffer_reserve(b, room > READ_CHUNK ? room : READ_CHUNK) < 0)
            die_errno_child("worker: out of memory");
        ssize_t n = read(fd, b->data + b->end, b->cap - b->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno_child("worker: read");
        if (n == 0)
            return 0;
        b->end += (size_t)n;
    }
    return 1;
}

/* Run tasks from task_fd, one after another, writing each result to
 * result_fd. End of file on task_fd means the pool is closed: exit. */
static void worker_main(int task_fd, int result_fd, volatile uint64_t *running)
{
    struct buffer in = {0};
    unsigned char *out = malloc(sizeof(struct result_frame) + POOL_MAX_RESULT);
    if (out == NULL)
        die_errno_child("worker: malloc");
    struct task_frame t;
    while (fill(&in, task_fd, sizeof t) == 1) {
        memcpy(&t, in.data + in.start, sizeof t);
        if (t.arg_len > POOL_MAX_ARG || fill(&in, task_fd, sizeof t + t.arg_len) != 1) {
            warn_msg("worker: a bad or cut-short task frame"); /* only a bug could do this */
            _exit(1);
        }

        *running = t.id; /* so the parent knows which task, if this one kills us */
        long n = t.fn(in.data + in.start + sizeof t, t.arg_len, out + sizeof(struct result_frame));
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
        *running = 0;
    }
    free(in.data);
    free(out);
    fflush(stdout);
    _exit(0);
}

/* --- the parent's side -------------------------------------------------------- */

struct pool_task {
    uint64_t id;
    pool_fn *fn;
    unsigned char *arg; /* kept until done: sent again if its worker dies first */
    size_t arg_len;
    bool done;
    struct pool_result result;
    struct pool_task *next;          /* in the queue, or in a worker's sent list */
    struct pool_task *older, *newer; /* in the list of all tasks not yet got */
};

/* A first-in first-out list of tasks. */
struct task_list {
    struct pool_task *head, *tail;
};

struct worker {
    pid_t pid;             /* 0: no worker in this slot */
    int task_fd;           /* write end of its task pipe (non-blocking) */
    int result_fd;         /* read end of its result pipe (non-blocking) */
    struct buffer out;     /* framed tasks not yet written to task_fd */
    struct buffer in;      /* result bytes read, not yet a whole frame */
    struct task_list sent; /* sent to it, oldest first: the order it runs them */
    int in_flight;         /* how many tasks are in sent */
};

struct pool {
    int size;
    struct worker workers[POOL_MAX_WORKERS];
    volatile uint64_t *running; /* shared memory: the id worker i runs, or 0 */
    struct task_list queue;     /* tasks waiting for room at a worker */
    struct pool_task *newest;   /* all tasks not yet got, newest first */
    uint64_t last_id;
    unsigned long results; /* results arrived so far */
    int replaced;          /* workers forked again after one died */
    bool closed;
};

static void list_push(struct task_list *l, struct pool_task *t)
{
    t->next = NULL;
    if (l->tail != NULL)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
}

static struct pool_task *list_pop(struct task_list *l)
{
    struct pool_task *t = l->head;
    if (t != NULL) {
        l->head = t->next;
        if (l->head == NULL)
            l->tail = NULL;
    }
    return t;
}

/* Fork worker i with fresh pipes. */
static int start_worker(struct pool *p, int i)
{
    struct worker *w = &p->workers[i];
    int task_pipe[2], result_pipe[2];
    if (pipe(task_pipe) < 0) {
        warn_errno("pipe"); /* name the call that failed; the caller decides */
        return -1;
    }
    if (pipe(result_pipe) < 0) {
        warn_errno("pipe");
        close(task_pipe[0]);
        close(task_pipe[1]);
        return -1;
    }
    p->running[i] = 0;
    fflush(stdout); /* or the child would print our buffered lines again */
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        warn_errno("fork");
        close(task_pipe[0]);
        close(task_pipe[1]);
        close(result_pipe[0]);
        close(result_pipe[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        /* The child has copies of all the parent's pipe ends. It must close
         * the ones that are not its own, or a sibling would never see end
         * of file when the parent closes its task pipe. */
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
    *w = (struct worker){.pid = pid, .task_fd = task_pipe[1], .result_fd = result_pipe[0]};
    return 0;
}

/* Record a task's outcome in its handle, for get(). */
static void finish_task(struct pool *p, struct pool_task *t, enum pool_status status,
                        int wait_status, const unsigned char *data, size_t len)
{
    t->done = true;
    t->result.status = status;
    t->result.wait_status = wait_status;
    t->result.order = ++p->results;
    t->result.len = 0;
    t->result.data = NULL;
    if (len > 0) {
        t->result.data = malloc(len);
        if (t->result.data == NULL) {
            t->result.status = POOL_FAILED; /* the parent is out of memory */
        } else {
            memcpy(t->result.data, data, len);
            t->result.len = len;
        }
    }
    free(t->arg); /* never sent again */
    t->arg = NULL;
}

/* Hand queued tasks to the least busy workers, as long as one has room. */
static int dispatch(struct pool *p)
{
    while (p->queue.head != NULL) {
        struct worker *best = NULL;
        for (int i = 0; i < p->size; i++) {
            struct worker *w = &p->workers[i];
            if (w->pid != 0 && (best == NULL || w->in_flight < best->in_flight))
                best = w;
        }
        if (best == NULL || best->in_flight >= POOL_WINDOW)
            return 0; /* every worker has enough to do */
        struct pool_task *t = p->queue.head;
        struct task_frame f;
        memset(&f, 0, sizeof f);
        f.id = t->id;
        f.fn = t->fn;
        f.arg_len = (uint32_t)t->arg_len;
        if (buffer_reserve(&best->out, sizeof f + t->arg_len) < 0)
            return -1;
        memcpy(best->out.data + best->out.end, &f, sizeof f);
        if (t->arg_len > 0)
            memcpy(best->out.data + best->out.end + sizeof f, t->arg, t->arg_len);
        best->out.end += sizeof f + t->arg_len;
        list_push(&best->sent, list_pop(&p->queue));
        best->in_flight++;
        t->result.worker = best->pid;
    }
    return 0;
}

/* Write what the task pipe takes now; the rest waits for the next round. */
static void send_tasks(struct worker *w)
{
    while (buffer_used(&w->out) > 0) {
        ssize_t n = write(w->task_fd, w->out.data + w->out.start, buffer_used(&w->out));
        if (n < 0)
            return; /* EAGAIN: the pipe is full; EPIPE: dead, its result pipe will say so */
        w->out.start += (size_t)n;
    }
}

/* Read the results worker w wrote so far and give each to its task.
 * Returns 1, or 0 if the worker is gone (end of file, or it broke the
 * protocol), or -1 if the parent is out of memory. */
static int receive_results(struct pool *p, struct worker *w)
{
    for (;;) {
        if (buffer_reserve(&w->in, READ_CHUNK) < 0)
            return -1;
        size_t room = w->in.cap - w->in.end;
        ssize_t n = read(w->result_fd, w->in.data + w->in.end, room);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 1 : 0;
        if (n == 0)
            return 0;
        w->in.end += (size_t)n;

        struct result_frame r;
        while (buffer_used(&w->in) >= sizeof r) {
            memcpy(&r, w->in.data + w->in.start, sizeof r);
            struct pool_task *t = w->sent.head;
            if (t == NULL || r.id != t->id || r.len > POOL_MAX_RESULT || r.status > POOL_FAILED)
                return 0; /* not the protocol: treat the worker as broken */
            size_t frame = sizeof r + r.len;
            if (buffer_used(&w->in) < frame) { /* not all here yet: make room for the rest */
                if (buffer_reserve(&w->in, frame - buffer_used(&w->in)) < 0)
                    return -1;
                break;
            }
            list_pop(&w->sent);
            w->in_flight--;
            finish_task(p, t, (enum pool_status)r.status, 0, w->in.data + w->in.start + sizeof r,
                        r.len);
            w->in.start += frame;
        }
        if ((size_t)n < room)
            return 1; /* the pipe is empty now: poll() will say when more comes */
    }
}

/* Close worker w's pipes and forget it (the process is already reaped). */
static void drop_worker(struct worker *w)
{
    close(w->task_fd);
    close(w->result_fd);
    free(w->out.data);
    free(w->in.data);
    *w = (struct worker){0};
}

/* Worker i is gone: reap it, fail the task it was running, queue its other
 * tasks again (first, in their order), and fork a replacement. */
static int replace_worker(struct pool *p, int i)
{
    struct worker *w = &p->workers[i];
    int status = 0;
    kill(w->pid, SIGKILL); /* if it only closed its pipe, it is broken anyway */
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid_t dead = w->pid;
    uint64_t crashed = p->running[i];

    struct task_list again = {NULL, NULL};
    struct pool_task *t;
    while ((t = list_pop(&w->sent)) != NULL) {
        if (t->id == crashed) {
            finish_task(p, t, POOL_CRASHED, status, NULL, 0);
            t->result.worker = dead;
        } else {
            list_push(&again, t);
        }
    }
    if (again.tail != NULL) {
        again.tail->next = p->queue.head;
        if (p->queue.head == NULL)
            p->queue.tail = again.tail;
        p->queue.head = again.head;
    }
    drop_worker(w);
    p->replaced++;
    return start_worker(p, i);
}

/* One turn of the pool's engine: hand out queued tasks, write what the task
 * pipes take, read what the workers wrote, replace workers that died. Waits
 * up to timeout_ms (-1: until something happens). 0, or -1 with errno. */
static int pump(struct pool *p, int timeout_ms)
{
    for (int i = 0; i < p->size; i++)
        if (p->workers[i].pid == 0 && start_worker(p, i) < 0)
            return -1; /* a replacement could not be forked: try again next turn */
    if (dispatch(p) < 0)
        return -1;
    /* fds[i]: worker i's results; fds[n + i]: room in its task pipe, asked
     * only while there is something left to write (fd -1: not asked). */
    struct pollfd fds[2 * POOL_MAX_WORKERS];
    int n = p->size;
    for (int i = 0; i < n; i++) {
        struct worker *w = &p->workers[i];
        send_tasks(w);
        fds[i] = (struct pollfd){w->result_fd, POLLIN, 0};
        fds[n + i] = (struct pollfd){buffer_used(&w->out) > 0 ? w->task_fd : -1, POLLOUT, 0};
    }
    if (poll(fds, (nfds_t)n + (nfds_t)n, timeout_ms) < 0)
        return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        struct worker *w = &p->workers[i];
        if (fds[n + i].revents != 0)
            send_tasks(w);
        if (fds[i].revents == 0)
            continue;
        int alive = receive_results(p, w);
        if (alive < 0 || (alive == 0 && replace_worker(p, i) < 0))
            return -1;
    }
    return 0;
}

static bool pool_busy(const struct pool *p)
{
    if (p->queue.head != NULL)
        return true;
    for (int i = 0; i < p->size; i++)
        if (p->workers[i].in_flight > 0)
            return true;
    return false;
}

/* --- the pool's interface, implemented --------------------------------------- */

/* Pool(workers): fork the workers now, once. NULL with errno on failure. */
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
    void *slots = mmap(NULL, (size_t)workers * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) {
        free(p);
        return NULL;
    }
    p->running = slots;
    for (int i = 0; i < workers; i++)
        if (start_worker(p, i) < 0) {
            int saved = errno;
            pool_free(p);
            errno = saved;
            return NULL;
        }
    return p;
}

/* apply_async(fn, arg): queue the task, start it if a worker has room, and
 * return its handle at once. NULL with errno EINVAL once the pool is
 * closed, EMSGSIZE if arg is over POOL_MAX_ARG. */
struct pool_task *pool_apply_async(struct pool *p, pool_fn *fn, const void *arg, size_t len)
{
    if (p->closed) {
        errno = EINVAL;
        return NULL;
    }
    if (len > POOL_MAX_ARG) {
        errno = EMSGSIZE;
        return NULL;
    }
    struct pool_task *t = calloc(1, sizeof *t);
    if (t == NULL || (len > 0 && (t->arg = malloc(len)) == NULL)) {
        free(t);
        return NULL;
    }
    if (len > 0)
        memcpy(t->arg, arg, len);
    t->arg_len = len;
    t->fn = fn;
    t->id = ++p->last_id;
    t->older = p->newest;
    if (p->newest != NULL)
        p->newest->newer = t;
    p->newest = t;
    list_push(&p->queue, t);
    /* Send it now if a worker has room; no waiting here. If none has, it
     * waits in the queue until the next get() or join() moves things on. */
    if (dispatch(p) < 0)
        return NULL;
    for (int i = 0; i < p->size; i++)
        send_tasks(&p->workers[i]);
    return t;
}

/* get(): wait for the task's result and hand it over; the handle is then
 * used up. 0, or -1 with errno if the pool broke down. */
int pool_get(struct pool *p, struct pool_task *t, struct pool_result *out)
{
    while (!t->done)
        if (pump(p, -1) < 0)
            return -1;
    *out = t->result;
    if (t->newer != NULL)
        t->newer->older = t->older;
    else
        p->newest = t->older;
    if (t->older != NULL)
        t->older->newer = t->newer;
    free(t);
    return 0;
}

/* close(): no more tasks; the queued ones still run. */
void pool_close(struct pool *p)
{
    p->closed = true;
}

/* join(): after close, run everything queued, then end the workers (end
 * of file on their task pipes) and reap them. -1 with EINVAL before close. */
int pool_join(struct pool *p)
{
    if (!p->closed) {
        errno = EINVAL;
        return -1;
    }
    while (pool_busy(p))
        if (pump(p, -1) < 0)
            return -1;
    for (int i = 0; i < p->size; i++)
        if (p->workers[i].pid != 0) {
            close(p->workers[i].task_fd); /* "no more tasks": the worker exits */
            p->workers[i].task_fd = -1;
        }
    for (int i = 0; i < p->size; i++) {
        struct worker *w = &p->workers[i];
        if (w->pid == 0)
            continue;
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        drop_worker(w);
    }
    return 0;
}

/* Free the pool and every handle not yet got; a worker still running (no
 * join) is killed and reaped. */
void pool_free(struct pool *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->size; i++) {
        struct worker *w = &p->workers[i];
        if (w->pid == 0)
            continue;
        kill(w->pid, SIGKILL);
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        drop_worker(w);
    }
    while (p->newest != NULL) {
        struct pool_task *t = p->newest;
        p->newest = t->older;
        free(t->arg);
        free(t->result.data);
        free(t);
    }
    munmap((void *)p->running, (size_t)p->size * sizeof(uint64_t));
    free(p);
}

/* --- the demo: the course's pool.py ------------------------------------------ */

enum {
    DEFAULT_WORKERS = 4,
    DEFAULT_TASKS = 10,
    MAX_TASKS = 10000,
    DEFAULT_SLEEP_MS = 200, /* the course: time.sleep(2) */
    MAX_SLEEP_MS = 10000,
    BENCH_WORKERS = 2,
    BENCH_RING = 4096,  /* tasks in flight during the benchmark */
    FORK_SAMPLE = 1000, /* fork-per-task runs at most this many, timed per task */
};

/* The argument bytes of one demo task. */
struct job {
    int number;   /* the course's "Tedu i" */
    int sleep_ms; /* the course's sleep(2) */
    int crash;    /* 1: abort() instead of working */
    int size;     /* -z: bytes of result to make; -1: a short text reply */
};

/* The bytes task i returns with -z: sizes from 0 to the 1 MiB limit. */
static size_t result_size(int i)
{
    static const size_t sizes[] = {0,     1,     100,   4095,   4096,           4097,
                                   65535, 65536, 65537, 300000, POOL_MAX_RESULT};
    size_t n = sizeof sizes / sizeof sizes[0];
    return (size_t)i < n ? sizes[i] : ((size_t)i * 7919) % (POOL_MAX_RESULT + 1);
}

/* Byte k of task i's -z result. */
static unsigned char result_byte(int i, size_t k)
{
    return (unsigned char)((size_t)i * 31 + k % 251);
}

/* The course's worker(msg): print the time and the message, sleep, return
 * a reply. Runs in a pool process. */
static long job_run(const void *arg, size_t len, void *out)
{
    struct job j;
    if (len != sizeof j)
        return -1;
    memcpy(&j, arg, sizeof j);
    char now[32];
    walltime_text(now, sizeof now);
    printf("%s -- Tedu %d (worker %d)\n", now, j.number, (int)getpid());
    if (j.crash)
        abort(); /* the worker dies here; the pool must notice */
    clock_sleep_ms(j.sleep_ms);
    if (j.size < 0)
        return snprintf(out, POOL_MAX_RESULT, "Tedu %d done by worker %d", j.number, (int)getpid());
    unsigned char *bytes = out;
    for (size_t k = 0; k < (size_t)j.size; k++)
        bytes[k] = result_byte(j.number, k);
    return j.size;
}

/* Print what get() returned for task i. */
static void print_result(int i, const struct pool_result *r, bool sizes)
{
    if (r->status == POOL_CRASHED) {
        int ws = r->wait_status;
        if (WIFSIGNALED(ws))
            printf("get(task %d): CRASHED: worker %d killed by signal %d (%s)\n", i, (int)r->worker,
                   WTERMSIG(ws), strsignal(WTERMSIG(ws)));
        else
            printf("get(task %d): CRASHED: worker %d exited with status %d mid-task\n", i,
                   (int)r->worker, WEXITSTATUS(ws));
    } else if (r->status == POOL_FAILED) {
        printf("get(task %d): FAILED (worker %d)\n", i, (int)r->worker);
    } else if (sizes) {
        printf("get(task %d): ok, %zu bytes from worker %d, fnv1a %08x, arrived #%lu\n", i, r->len,
               (int)r->worker, (unsigned)fnv1a(r->data, r->len), r->order);
    } else {
        printf("get(task %d): ok, from worker %d: \"%.*s\"\n", i, (int)r->worker, (int)r->len,
               r->data != NULL ? (const char *)r->data : "");
    }
}

/* How many children this process has in /proc, and how many are zombies. */
static void print_children(const char *when)
{
    pid_t kids[POOL_MAX_WORKERS + 8];
    int n = procfs_children(getpid(), kids, POOL_MAX_WORKERS + 8);
    int zombies = procfs_count_zombies(getpid());
    printf("%s (from /proc): %d children, %d zombies", when, n, zombies);
    for (int i = 0; i < n && i < POOL_MAX_WORKERS + 8; i++)
        printf("%s%d", i == 0 ? ": " : " ", (int)kids[i]);
    printf("\n");
}

static int run_demo(int workers, int tasks, int sleep_ms, int crash_task, bool sizes)
{
    struct pool *p = pool_create(workers);
    if (p == NULL)
        die_errno("pool_create");
    printf("Pool(%d): workers", workers);
    for (int i = 0; i < workers; i++)
        printf(" %d", (int)p->workers[i].pid);
    printf(" (forked once, reused for every task)\n");

    struct pool_task **handles = calloc((size_t)tasks, sizeof(struct pool_task *));
    if (handles == NULL)
        die_errno("calloc");
    for (int i = 0; i < tasks; i++) {
        struct job j = {i, sleep_ms, i == crash_task, -1};
        if (sizes) {
            j.size = (int)result_size(i);
            j.sleep_ms = i == 0 ? sleep_ms : 0; /* task 0 finishes last */
        }
        handles[i] = pool_apply_async(p, job_run, &j, sizeof j);
        if (handles[i] == NULL)
            die_errno("apply_async");
    }
    printf("apply_async: %d tasks queued; each call returned at once\n", tasks);

    pid_t seen[MAX_TASKS];
    int distinct = 0, crashed = 0;
    for (int i = 0; i < tasks; i++) {
        struct pool_result r;
        if (pool_get(p, handles[i], &r) < 0)
            die_errno("get");
        print_result(i, &r, sizes);
        crashed += r.status == POOL_CRASHED;
        bool known = false;
        for (int k = 0; k < distinct; k++)
            known = known || seen[k] == r.worker;
        if (!known)
            seen[distinct++] = r.worker;
        free(r.data);
    }
    printf("%d tasks ran on %d worker processes; %d crashed, %d workers replaced\n", tasks,
           distinct, crashed, p->replaced);
    print_children("workers alive now");

    pool_close(p);
    struct job late = {tasks, 0, 0, -1};
    if (pool_apply_async(p, job_run, &late, sizeof late) == NULL)
        printf("apply_async after close: refused, errno %s (%s)\n",
               errno == EINVAL ? "EINVAL" : "?", strerror(errno));
    else
        die("apply_async after close was accepted");
    if (pool_join(p) < 0)
        die_errno("join");
    print_children("after join");
    pool_free(p);
    free(handles);
    return 0;
}

/* --- the benchmark: the pool against one fork per task ---------------------- */

/* The trivial task: return the 8 argument bytes. */
static long echo(const void *arg, size_t len, void *out)
{
    memcpy(out, arg, len);
    return (long)len;
}

/* Tasks per second through a pool of BENCH_WORKERS, BENCH_RING in flight. */
static double bench_pool(long n)
{
    struct pool *p = pool_create(BENCH_WORKERS);
    if (p == NULL)
        die_errno("pool_create");
    static struct pool_task *ring[BENCH_RING];
    long sum = 0, expected = 0;
    double start = clock_now();
    for (long i = 0; i < n + BENCH_RING; i++) {
        struct pool_task **slot = &ring[i % BENCH_RING];
        if (i >= BENCH_RING) { /* collect the task from BENCH_RING ago */
            struct pool_result r;
            if (pool_get(p, *slot, &r) < 0)
                die_errno("get");
            long value = 0;
            if (r.status != POOL_OK || r.len != sizeof value)
                die("bench: task %ld failed", i - BENCH_RING);
            memcpy(&value, r.data, sizeof value);
            sum += value;
            free(r.data);
        }
        if (i < n) {
            *slot = pool_apply_async(p, echo, &i, sizeof i);
            if (*slot == NULL)
                die_errno("apply_async");
            expected += i;
        }
    }
    double elapsed = clock_now() - start;
    if (sum != expected)
        die("bench: results do not add up (%ld, expected %ld)", sum, expected);
    pool_close(p);
    if (pool_join(p) < 0)
        die_errno("join");
    pool_free(p);
    return (double)n / elapsed;
}

/* Tasks per second with one fork per task: fork, run, send the result
 * back through a pipe, exit, reap. */
static double bench_fork(long n)
{
    long sum = 0, expected = 0;
    double start = clock_now();
    for (long i = 0; i < n; i++) {
        int fds[2];
        if (pipe(fds) < 0)
            die_errno("pipe");
        pid_t pid = fork();
        if (pid < 0)
            die_errno("fork");
        if (pid == 0) {
            long value;
            close(fds[0]);
            echo(&i, sizeof i, &value);
            _exit(io_write_all(fds[1], &value, sizeof value) < 0);
        }
        close(fds[1]);
        long value = 0;
        if (io_read_exact(fds[0], &value, sizeof value) != sizeof value)
            die("bench: a forked task sent no result");
        close(fds[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        sum += value;
        expected += i;
    }
    double elapsed = clock_now() - start;
    if (sum != expected)
        die("bench: fork results do not add up");
    return (double)n / elapsed;
}

static int run_bench(long n)
{
    long forks = n < FORK_SAMPLE ? n : FORK_SAMPLE;
    double load[1] = {-1};
    getloadavg(load, 1); /* the machine's business: other work slows both sides */
    printf("bench: %ld trivial tasks (return 8 bytes) on %ld CPUs, load average %.2f\n", n,
           sysconf(_SC_NPROCESSORS_ONLN), load[0]);
    double fork_rate = bench_fork(forks);
    double pool_rate = bench_pool(n);
    printf("  fork per task     : %10.0f tasks/s (timed on %ld tasks)\n", fork_rate, forks);
    printf("  pool of %d workers : %10.0f tasks/s (%ld tasks)\n", BENCH_WORKERS, pool_rate, n);
    printf("  ratio             : %10.1fx\n", pool_rate / fork_rate);
    printf("  goals: >= 100000 tasks/s %s; >= 10x fork per task %s\n",
           pool_rate >= 100000 ? "reached" : "NOT reached",
           pool_rate >= 10 * fork_rate ? "reached" : "NOT reached");
    return 0;
}

static const char usage[] =
    "usage: pool [-w WORKERS] [-n TASKS] [-s MS] [-c K] [-z] [-h]\n"
    "       pool --bench N\n"
    "  -w WORKERS  processes in the pool, 1..64 (default 4)\n"
    "  -n TASKS    tasks to run, 1..10000 (default 10)\n"
    "  -s MS       each task sleeps MS ms, 0..10000 (default 200)\n"
    "  -c K        task K crashes its worker with abort()\n"
    "  -z          results of many sizes up to 1 MiB, arriving out of order\n"
    "  --bench N   time N trivial tasks: a 2-worker pool against fork per task\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long workers = DEFAULT_WORKERS, tasks = DEFAULT_TASKS, sleep_ms = DEFAULT_SLEEP_MS;
    long crash_task = -1, bench = 0;
    bool sizes = false;
    static const struct option longopts[] = {{"bench", required_argument, NULL, 'B'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "w:n:s:c:zh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'w':
            if (parse_long(optarg, 1, POOL_MAX_WORKERS, &workers) < 0)
                die_usage(usage, "bad WORKERS '%s': expected 1..%d", optarg, POOL_MAX_WORKERS);
            break;
        case 'n':
            if (parse_long(optarg, 1, MAX_TASKS, &tasks) < 0)
                die_usage(usage, "bad TASKS '%s': expected 1..%d", optarg, MAX_TASKS);
            break;
        case 's':
            if (parse_long(optarg, 0, MAX_SLEEP_MS, &sleep_ms) < 0)
                die_usage(usage, "bad MS '%s': expected 0..%d", optarg, MAX_SLEEP_MS);
            break;
        case 'c':
            if (parse_long(optarg, 0, MAX_TASKS - 1, &crash_task) < 0)
                die_usage(usage, "bad K '%s': expected a task number", optarg);
            break;
        case 'z': sizes = true; break;
        case 'B':
            if (parse_long(optarg, 1, 100000000, &bench) < 0)
                die_usage(usage, "bad N '%s': expected 1..100000000", optarg);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (crash_task >= tasks)
        die_usage(usage, "task %ld does not exist: tasks are 0..%ld", crash_task, tasks - 1);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    if (bench > 0)
        return run_bench(bench);
    return run_demo((int)workers, (int)tasks, (int)sleep_ms, (int)crash_task, sizes);
}
