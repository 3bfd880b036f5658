/* day7/pool/pool_workers.c — the end of a worker: one that died is
 * replaced, the pool's end kills and reaps them all.
 *
 * A worker that dies (the task called abort, a segfault, kill -9) shows
 * up as end of file on its result pipe. The parent reaps it and reads the
 * worker's slot in shared memory: the id of the task it was running. That
 * task fails with POOL_CRASHED and the worker's wait status; the other
 * tasks sent to it go back to the front of the queue, in their order; a
 * fresh worker is forked in its place.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "day7/pool/pool_parts.h"

/* Kill worker w (if it only closed its pipe, it is broken anyway) and
 * reap it: its wait status. */
static int kill_and_reap(struct pool_worker *w)
{
    int status = 0;
    kill(w->pid, SIGKILL);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

int pool_replace_worker(struct pool *p, int i)
{
    struct pool_worker *w = &p->workers[i];
    int status = kill_and_reap(w);
    uint64_t crashed = p->running[i];

    struct task_list again = {NULL, NULL};
    struct pool_task *t;
    while ((t = pool_list_pop(&w->sent)) != NULL) {
        if (t->id == crashed) {
            pool_task_finish(p, t, POOL_CRASHED, NULL, 0);
            t->result.wait_status = status;
            t->result.worker = w->pid;
        } else {
            pool_list_push(&again, t);
        }
    }
    pool_list_requeue(&p->queue, &again);
    pool_drop_worker(w);
    p->replaced++;
    return pool_start_worker(p, i);
}

void pool_drop_worker(struct pool_worker *w)
{
    if (w->task_fd >= 0)
        close(w->task_fd);
    close(w->result_fd);
    free(w->out.data);
    free(w->in.data);
    *w = (struct pool_worker){0};
}

void pool_free(struct pool *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->size; i++) {
        struct pool_worker *w = &p->workers[i];
        if (w->pid == 0)
            continue;
        kill_and_reap(w);
        pool_drop_worker(w);
    }
    pool_task_forget_all(p);
    munmap((void *)p->running, (size_t)p->size * sizeof(uint64_t));
    free(p);
}

pid_t pool_worker_pid(const struct pool *p, int i)
{
    return p->workers[i].pid;
}

int pool_replaced(const struct pool *p)
{
    return p->replaced;
}
