/* day7/pool/pool_tasks.c — task handles, and the lists they move through:
 * the pool's queue, each worker's list of tasks sent to it, and the list
 * of every handle not yet got (so pool_free can free them). See
 * pool_parts.h. */
#include <stdlib.h>
#include <string.h>

#include "day7/pool/pool_parts.h"

void pool_list_push(struct task_list *l, struct pool_task *t)
{
    t->next = NULL;
    if (l->tail != NULL)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
}

struct pool_task *pool_list_pop(struct task_list *l)
{
    struct pool_task *t = l->head;
    if (t != NULL) {
        l->head = t->next;
        if (l->head == NULL)
            l->tail = NULL;
    }
    return t;
}

void pool_list_requeue(struct task_list *q, struct task_list *l)
{
    if (l->tail == NULL)
        return;
    l->tail->next = q->head;
    if (q->head == NULL)
        q->tail = l->tail;
    q->head = l->head;
    l->head = l->tail = NULL;
}

struct pool_task *pool_task_new(struct pool *p, pool_fn *fn, const void *arg,
                                size_t len)
{
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
    return t;
}

void pool_task_finish(struct pool *p, struct pool_task *t,
                      enum pool_status status, const void *data, size_t len)
{
    t->done = true;
    t->result.status = status;
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

void pool_task_forget(struct pool *p, struct pool_task *t)
{
    if (t->newer != NULL)
        t->newer->older = t->older;
    else
        p->newest = t->older;
    if (t->older != NULL)
        t->older->newer = t->newer;
    free(t);
}

void pool_task_forget_all(struct pool *p)
{
    while (p->newest != NULL) {
        struct pool_task *t = p->newest;
        p->newest = t->older;
        free(t->arg);
        free(t->result.data);
        free(t);
    }
}
