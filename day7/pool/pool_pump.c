/* day7/pool/pool_pump.c — one turn of the pool's engine, in the parent.
 *
 * The parent serves every worker from one loop: poll() waits until a
 * result pipe has bytes or a task pipe has room, then the parent writes
 * what fits and reads what came. Results of one worker come back in the
 * order it ran them; those of different workers interleave, and each goes
 * to its own handle by its task id. End of file on a result pipe means
 * the worker died (pool_workers.c replaces it).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "day7/pool/pool_parts.h"

/* Take every whole result frame out of w->in and give it to its task:
 * 1, or 0 if the worker broke the protocol, -1 if out of memory. */
static int take_results(struct pool *p, struct pool_worker *w)
{
    struct result_frame r;
    while (pool_buf_used(&w->in) >= sizeof r) {
        memcpy(&r, w->in.data + w->in.start, sizeof r);
        struct pool_task *t = w->sent.head; /* a worker keeps its order */
        if (t == NULL || r.id != t->id || r.len > POOL_MAX_RESULT ||
            r.status > POOL_FAILED)
            return 0; /* not the protocol: treat the worker as broken */
        size_t frame = sizeof r + r.len, used = pool_buf_used(&w->in);
        if (used < frame) /* not all here yet: make room for the rest */
            return pool_buf_reserve(&w->in, frame - used) < 0 ? -1 : 1;
        pool_list_pop(&w->sent);
        w->in_flight--;
        pool_task_finish(p, t, (enum pool_status)r.status,
                         w->in.data + w->in.start + sizeof r, r.len);
        w->in.start += frame;
    }
    return 1;
}

/* Read the results worker w wrote so far. 1, or 0 if the worker is gone
 * (end of file, or it broke the protocol), -1 if out of memory. */
static int receive_results(struct pool *p, struct pool_worker *w)
{
    for (;;) {
        if (pool_buf_reserve(&w->in, POOL_READ_CHUNK) < 0)
            return -1;
        size_t room = w->in.cap - w->in.end;
        ssize_t n = read(w->result_fd, w->in.data + w->in.end, room);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 1 : 0;
        if (n == 0)
            return 0;
        w->in.end += (size_t)n;
        int taken = take_results(p, w);
        if (taken <= 0)
            return taken;
        if ((size_t)n < room)
            return 1; /* the pipe is empty now: poll() says when more comes */
    }
}

int pool_pump(struct pool *p, int timeout_ms)
{
    for (int i = 0; i < p->size; i++)
        if (p->workers[i].pid == 0 && pool_start_worker(p, i) < 0)
            return -1; /* a replacement could not be forked */
    if (pool_dispatch(p) < 0)
        return -1;
    /* fds[i]: worker i's results; fds[n + i]: room in its task pipe, asked
     * only while there is something left to write (fd -1: not asked). */
    struct pollfd fds[2 * POOL_MAX_WORKERS];
    int n = p->size;
    for (int i = 0; i < n; i++) {
        struct pool_worker *w = &p->workers[i];
        pool_send(w);
        fds[i] = (struct pollfd){w->result_fd, POLLIN, 0};
        int fd = pool_buf_used(&w->out) > 0 ? w->task_fd : -1;
        fds[n + i] = (struct pollfd){fd, POLLOUT, 0};
    }
    if (poll(fds, (nfds_t)n + (nfds_t)n, timeout_ms) < 0)
        return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        struct pool_worker *w = &p->workers[i];
        if (fds[n + i].revents != 0)
            pool_send(w);
        if (fds[i].revents == 0)
            continue;
        int alive = receive_results(p, w);
        if (alive < 0 || (alive == 0 && pool_replace_worker(p, i) < 0))
            return -1;
    }
    return 0;
}

bool pool_busy(const struct pool *p)
{
    if (p->queue.head != NULL)
        return true;
    for (int i = 0; i < p->size; i++)
        if (p->workers[i].in_flight > 0)
            return true;
    return false;
}
