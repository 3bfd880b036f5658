/* tools/lanes/events.c — the lane table and the event log.
 *
 * Every task the tracer sees gets a lane (named P1, P2... for processes,
 * P1.1, P1.2... for the threads of P1); every thing that happens is an
 * event on a lane, with a time and a sentence. The log is bounded
 * (MAX_EVENTS): past it events are counted, not kept.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tools/lanes/lanes.h"

#define MAX_EVENTS 200000L
#define MAX_LANES  100000

static const char *const kind_names[EV_NKINDS] = {
    [EV_BIRTH] = "birth",
    [EV_EXEC] = "exec",
    [EV_EXIT] = "exit",
    [EV_REAP] = "reaped",
    [EV_REPARENT] = "reparent",
    [EV_SIG_SENT] = "signal-sent",
    [EV_SIG_DELIV] = "signal-delivered",
    [EV_BLOCK] = "block",
    [EV_FD_OPEN] = "fd-open",
    [EV_FD_CLOSE] = "fd-close",
    [EV_STOP] = "stop",
};

enum ev_group ev_group_of(enum ev_kind kind)
{
    switch (kind) {
    case EV_SIG_SENT:
    case EV_SIG_DELIV:
    case EV_STOP: return G_SIGNAL;
    case EV_BLOCK: return G_BLOCK;
    case EV_FD_OPEN:
    case EV_FD_CLOSE: return G_FD;
    default: return G_PROC;
    }
}

unsigned ev_parse_groups(const char *text)
{
    static const struct {
        const char *name;
        unsigned bits;
    } names[] = {
        {"proc", G_PROC}, {"signal", G_SIGNAL}, {"block", G_BLOCK}, {"fd", G_FD}, {"all", G_ALL}};
    unsigned bits = 0;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == len && strncmp(p, names[i].name, len) == 0)
                break;
        if (i == sizeof names / sizeof names[0])
            return 0;
        bits |= names[i].bits;
        p += len;
        if (*p == ',')
            p++;
    }
    return bits;
}

int lane_add(struct trace *tr, pid_t tid, pid_t pid, int parent, double t)
{
    if (tr->nlanes == tr->cap_lanes) {
        int cap = tr->cap_lanes ? tr->cap_lanes * 2 : 16;
        if (cap > MAX_LANES)
            return -1;
        struct lane *n = realloc(tr->lanes, (size_t)cap * sizeof *n);
        if (n == NULL)
            return -1;
        tr->lanes = n;
        tr->cap_lanes = cap;
    }
    int i = tr->nlanes++;
    struct lane *l = &tr->lanes[i];
    memset(l, 0, sizeof *l);
    l->tid = tid;
    l->pid = pid;
    l->parent = parent;
    l->parent_proc = parent >= 0 ? tr->lanes[parent].proc_lane : -1;
    l->born = t;
    l->died = l->reaped = -1;
    l->reaper = -1;
    l->thread = tid != pid;
    if (l->thread) {
        int p = lane_find(tr, pid);
        l->proc_lane = p >= 0 ? p : i;
        struct lane *pl = &tr->lanes[l->proc_lane];
        pl->nthreads++;
        snprintf(l->name, sizeof l->name, "%.8s.%ld", pl->name, pl->nthreads);
        memcpy(l->prog, pl->prog, sizeof l->prog);
        l->parent_proc = pl->parent_proc;
    } else {
        int nproc = 0;
        for (int k = 0; k < i; k++)
            nproc += !tr->lanes[k].thread;
        l->proc_lane = i;
        snprintf(l->name, sizeof l->name, "P%d", nproc + 1);
        if (parent >= 0)
            memcpy(l->prog, tr->lanes[parent].prog, sizeof l->prog);
    }
    tr->alive++;
    if (tr->alive > tr->max_alive)
        tr->max_alive = tr->alive;
    return i;
}

int lane_find(const struct trace *tr, pid_t tid)
{
    for (int i = tr->nlanes - 1; i >= 0; i--)
        if (tr->lanes[i].tid == tid && tr->lanes[i].died < 0)
            return i;
    return -1;
}

int lane_find_zombie(const struct trace *tr, pid_t pid)
{
    for (int i = tr->nlanes - 1; i >= 0; i--) {
        const struct lane *l = &tr->lanes[i];
        if (l->tid == pid && !l->thread && l->died >= 0 && l->reaped < 0)
            return i;
    }
    return -1;
}

struct event *ev_add(struct trace *tr, enum ev_kind kind, int lane, int other, double t,
                     const char *fmt, ...)
{
    static struct event scratch; /* filtered out or past the bound */
    if (lane >= 0)
        tr->lanes[lane].events++;
    if (!(ev_group_of(kind) & tr->opt->groups)) {
        memset(&scratch, 0, sizeof scratch);
        return &scratch;
    }
    if (tr->nev == tr->cap_ev) {
        long cap = tr->cap_ev ? tr->cap_ev * 2 : 1024;
        struct event *n = tr->nev < MAX_EVENTS ? realloc(tr->ev, (size_t)cap * sizeof *n) : NULL;
        if (n == NULL) {
            tr->ev_dropped++;
            memset(&scratch, 0, sizeof scratch);
            return &scratch;
        }
        tr->ev = n;
        tr->cap_ev = cap;
    }
    struct event *e = &tr->ev[tr->nev++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->lane = lane;
    e->other = other;
    e->t = e->t_end = t;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    return e;
}

static int by_time(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x < y ? -1 : x > y; /* stable: the order they were recorded in */
}

void ev_sort(struct trace *tr)
{
    if (tr->nev > 1)
        qsort(tr->ev, (size_t)tr->nev, sizeof *tr->ev, by_time);
}

const char *sig_name(int sig)
{
    static const char *const names[] = {
        "0",         "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
    static char buf[24];
    if (sig >= 0 && sig < (int)(sizeof names / sizeof names[0]))
        return names[sig];
    snprintf(buf, sizeof buf, "SIGRT%d", sig - 32);
    return buf;
}

void status_text(int status, char *out, size_t size)
{
    if (WIFEXITED(status))
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "killed by %s%s", sig_name(WTERMSIG(status)),
                 (status & 0x80) ? " (core dumped)" : "");
    else
        snprintf(out, size, "ended (status 0x%x)", (unsigned)status);
}

static const char *const words[B_NKINDS][2] = {
    [B_WAIT] = {"wait", "waiting for a child to end (wait)"},
    [B_READ] = {"read", "waiting for data to read"},
    [B_WRITE] = {"write", "waiting for room to write"},
    [B_ACCEPT] = {"accept", "waiting for a client (accept)"},
    [B_CONNECT] = {"connect", "connecting to a server"},
    [B_SELECT] = {"select", "waiting for a ready fd"},
    [B_POLL] = {"poll", "waiting for a ready fd"},
    [B_EPOLL] = {"epoll", "waiting for ready fds"},
    [B_SLEEP] = {"sleep", "sleeping"},
    [B_LOCK] = {"lock", "waiting for a lock or condition"},
    [B_SIGNAL] = {"signal", "waiting for a signal"},
    [B_MQ] = {"queue", "waiting on a message queue"},
    [B_SEM] = {"sem", "waiting on a semaphore"},
    [B_VFORK] = {"vfork", "waiting for the vfork child to exec or exit"},
};

const char *block_words(int block)
{
    return block >= 0 && block < B_NKINDS ? words[block][1] : "blocked";
}

const char *block_label(int block)
{
    return block >= 0 && block < B_NKINDS ? words[block][0] : "block";
}

int log_write(const struct trace *tr, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "# lanes event log: TIME LANE PID/TID KIND [key=value...] | text\n");
    for (int i = 0; i < tr->nlanes; i++) {
        const struct lane *l = &tr->lanes[i];
        fprintf(f, "# lane %s pid=%ld tid=%ld prog=%s parent=%s%s\n", l->name, (long)l->pid,
                (long)l->tid, l->prog, l->parent >= 0 ? tr->lanes[l->parent].name : "-",
                l->thread ? " thread" : "");
    }
    for (long i = 0; i < tr->nev; i++) {
        const struct event *e = &tr->ev[i];
        const struct lane *l = &tr->lanes[e->lane];
        fprintf(f, "%.6f %s %ld/%ld %s", e->t, l->name, (long)l->pid, (long)l->tid,
                kind_names[e->kind]);
        if (e->other >= 0)
            fprintf(f, " other=%s", tr->lanes[e->other].name);
        else if (e->other == -2)
            fprintf(f, " other=kernel");
        else if (e->kind == EV_REAP || e->kind == EV_REPARENT)
            fprintf(f, " other=lanes");
        switch (e->kind) {
        case EV_BLOCK:
            fprintf(f, " what=%s dur=%.6f ret=%ld", block_label(e->block), e->t_end - e->t, e->ret);
            break;
        case EV_EXIT:
        case EV_REAP: fprintf(f, " status=%ld", e->num); break;
        case EV_SIG_SENT:
        case EV_SIG_DELIV:
        case EV_STOP: fprintf(f, " sig=%s", sig_name((int)e->num)); break;
        case EV_FD_OPEN:
        case EV_FD_CLOSE: fprintf(f, " fd=%ld", e->num); break;
        default: break;
        }
        fprintf(f, " | %s\n", e->text);
    }
    if (tr->ev_dropped)
        fprintf(f, "# %ld more events not kept (memory bound)\n", tr->ev_dropped);
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        if (err)
            errno = EIO;
        return -1;
    }
    return 0;
}

void trace_free(struct trace *tr)
{
    free(tr->lanes);
    free(tr->ev);
    tr->lanes = NULL;
    tr->ev = NULL;
}
