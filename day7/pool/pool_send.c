/* day7/pool/pool_send.c — which worker gets a task, and sending it.
 *
 * The parent sends each worker at most POOL_WINDOW tasks ahead, to the
 * least busy worker first; the rest wait in the parent's queue, so a slow
 * task holds up only the few queued behind it. Tasks are framed into the
 * worker's out buffer and written without blocking: what the pipe does not
 * take now is written when poll() says there is room (pool_pump.c).
 */
#include <string.h>
#include <unistd.h>

#include "day7/pool/pool_parts.h"

/* Append task t, framed (header, then its argument bytes), to out: 0, or
 * -1 if out of memory. */
static int frame_task(struct pool_buf *out, const struct pool_task *t)
{
    struct task_frame f;
    memset(&f, 0, sizeof f);
    f.id = t->id;
    f.fn = t->fn;
    f.arg_len = (uint32_t)t->arg_len;
    if (pool_buf_reserve(out, sizeof f + t->arg_len) < 0)
        return -1;
    memcpy(out->data + out->end, &f, sizeof f);
    if (t->arg_len > 0)
        memcpy(out->data + out->end + sizeof f, t->arg, t->arg_len);
    out->end += sizeof f + t->arg_len;
    return 0;
}

int pool_dispatch(struct pool *p)
{
    while (p->queue.head != NULL) {
        struct pool_worker *best = NULL;
        for (int i = 0; i < p->size; i++) {
            struct pool_worker *w = &p->workers[i];
            if (w->pid != 0 && (best == NULL || w->in_flight < best->in_flight))
                best = w;
        }
        if (best == NULL || best->in_flight >= POOL_WINDOW)
            return 0; /* every worker has enough to do */
        struct pool_task *t = p->queue.head;
        if (frame_task(&best->out, t) < 0)
            return -1;
        pool_list_push(&best->sent, pool_list_pop(&p->queue));
        best->in_flight++;
        t->result.worker = best->pid;
    }
    return 0;
}

void pool_send(struct pool_worker *w)
{
    while (pool_buf_used(&w->out) > 0) {
        ssize_t n = write(w->task_fd, w->out.data + w->out.start,
                          pool_buf_used(&w->out));
        if (n < 0)
            return; /* EAGAIN: the pipe is full; EPIPE: the worker died,
                       and its result pipe will say so */
        w->out.start += (size_t)n;
    }
}
