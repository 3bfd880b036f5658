/* bench/lg/sched.h — the open-loop schedule: at R messages a second,
 * message k is due at start + k / R, whether or not the server kept up.
 *
 * A message's latency is charged from the time it was DUE, not from the
 * time the load generator got round to sending it. A server that stalls
 * for a second then shows a second of latency on every message that fell
 * due during the stall, as a real user would have seen; a closed loop
 * that waits for each reply before sending the next would send nothing
 * during the stall and record one slow message ("coordinated omission",
 * the fix wrk2 made well known).
 */
#ifndef CONCLAB_BENCH_SCHED_H
#define CONCLAB_BENCH_SCHED_H
#include <stdint.h>

struct sched {
    uint64_t start_ns;
    double interval_ns; /* 1e9 / rate */
    uint64_t next;      /* index of the next message not yet handed out */
};

void sched_init(struct sched *s, uint64_t start_ns, double rate_per_s);
/* When the next message not yet handed out is (or was) due. */
uint64_t sched_peek(const struct sched *s);
/* Hand the next message out: returns its due time. */
uint64_t sched_pop(struct sched *s);
/* How many messages are due by now and not handed out yet. */
uint64_t sched_backlog(const struct sched *s, uint64_t now_ns);
/* The latency to record for a reply at done_ns: from the due time in open
 * loop (due_ns != 0), else from the time it was sent. */
uint64_t sched_latency(uint64_t due_ns, uint64_t sent_ns, uint64_t done_ns);
#endif
