/* bench/lg/engine.h — the load generator's engine: one thread, one epoll
 * loop, many non-blocking connections to one server.
 *
 * Modes: echo (each connection has one message of SIZE bytes in flight,
 * the reply checked byte for byte), echo with a new connection per
 * message, and HTTP GET over keep-alive or a new connection per request
 * (status 200 and Content-Length checked). Closed loop (the next message
 * as soon as the reply is in) or open loop (RATE messages a second in
 * all, latency charged from when each was due: sched.h).
 */
#ifndef CONCLAB_BENCH_ENGINE_H
#define CONCLAB_BENCH_ENGINE_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/lg/hist.h"

enum lg_mode { LG_ECHO, LG_ECHO_CONNMSG, LG_HTTP, LG_HTTP_CLOSE };

struct lg_config {
    const char *host;
    int port;
    enum lg_mode mode;
    int conns;               /* active connections (slots in the per-message modes) */
    int idle;                /* idle connections held open beside them */
    size_t size;             /* echo message size */
    const char *path;        /* HTTP path */
    double duration;         /* seconds of measurement */
    double rate;             /* messages a second in all; 0: closed loop */
    double connect_timeout;  /* seconds allowed to open the connections */
    uint32_t id_base;        /* connection numbers start here (one per thread) */
    volatile sig_atomic_t *stop; /* set (by a signal handler): end now */
    /* Called once the connections are open and measuring starts, and
     * once it ends while they are still open (server CPU, RSS). */
    void (*on_start)(void *arg);
    void (*on_end)(void *arg);
    void *hook_arg;
};

struct lg_result {
    uint64_t msgs;             /* replies received and checked */
    uint64_t bytes;            /* bytes received in those */
    uint64_t errors;           /* bad replies, resets, failed connects... */
    uint64_t connect_timeouts; /* connections not open in time */
    uint64_t unanswered;       /* messages still in flight at the end */
    uint64_t late;             /* open loop: due, never sent (no free connection) */
    uint64_t idle_open;        /* idle connections open at the end */
    uint64_t idle_lost;        /* idle connections the server closed or wrote to */
    int conns_open;            /* active connections open at the end */
    int conns_answered;        /* active connections (slots) that got a reply */
    double elapsed;            /* seconds measured */
    double cpu;                /* the engine's own CPU seconds while measuring */
    struct hist hist;          /* latency, ns */
    char first_error[200];
};

void lg_config_init(struct lg_config *c);
/* Run one engine; 0, or -1 with message in r->first_error when it could
 * not start (no such host, server not there, out of descriptors). */
int lg_run(const struct lg_config *c, struct lg_result *r);
/* Run nthreads engines (each with its share of conns, idle and rate; the
 * hooks are not called), pinned to cpus[i] when cpus is not NULL, and add
 * up their results. */
int lg_run_threads(const struct lg_config *c, int nthreads, const int *cpus,
                   struct lg_result *r);
const char *lg_mode_name(enum lg_mode m);
#endif
