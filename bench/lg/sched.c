/* bench/lg/sched.c — see sched.h. */
#include "bench/lg/sched.h"

void sched_init(struct sched *s, uint64_t start_ns, double rate)
{
    s->start_ns = start_ns;
    s->interval_ns = rate > 0 ? 1e9 / rate : 0;
    s->next = 0;
}

uint64_t sched_peek(const struct sched *s)
{
    return s->start_ns + (uint64_t)((double)s->next * s->interval_ns);
}

uint64_t sched_pop(struct sched *s)
{
    uint64_t due = sched_peek(s);
    s->next++;
    return due;
}

uint64_t sched_backlog(const struct sched *s, uint64_t now)
{
    if (now < s->start_ns || s->interval_ns <= 0)
        return 0;
    uint64_t due_by_now = (uint64_t)((double)(now - s->start_ns) / s->interval_ns) + 1;
    return due_by_now > s->next ? due_by_now - s->next : 0;
}

uint64_t sched_latency(uint64_t due_ns, uint64_t sent_ns, uint64_t done_ns)
{
    uint64_t from = due_ns != 0 ? due_ns : sent_ns;
    return done_ns > from ? done_ns - from : 0;
}
