/* tools/lanes/tracer.c — run a program under ptrace and record what its
 * processes and threads do.
 *
 * How it works:
 *   - lanes becomes a child subreaper (prctl), so every orphan of the
 *     traced tree is re-parented to lanes and stays in view;
 *   - the child waits on a pipe until lanes has seized it (PTRACE_SEIZE with
 *     EXITKILL: if lanes dies, the kernel kills the whole traced tree), then
 *     execs the program; forks, vforks, clones and execs are followed by the
 *     kernel (PTRACE_O_TRACE*), new tasks are traced from their first
 *     instruction;
 *   - every task is resumed with PTRACE_SYSCALL, so it stops at the entry
 *     and the exit of each system call; PTRACE_GET_SYSCALL_INFO says which
 *     (Linux 5.3 or later), with the number, arguments and return value;
 *   - a signal-delivery-stop is recorded and the signal passed on (injected
 *     at the restart); a group-stop (SIGSTOP, Ctrl-Z) is left stopped with
 *     PTRACE_LISTEN: with PTRACE_SEIZE it comes as PTRACE_EVENT_STOP with
 *     the stop signal, where the other event-stops have SIGTRAP;
 *   - zombies: a process is a zombie from its death (the tracer hears of it
 *     first) until its parent's wait4/waitid returns with it gone from /proc,
 *     or the kernel reaps it at once (its parent ignores SIGCHLD), or lanes
 *     reaps it (an orphan whose parent died, or the program itself).
 * lanes ignores SIGINT and SIGQUIT: the terminal sends Ctrl-C to the whole
 * foreground group, the program included, which reacts as it would alone.
 * SIGTERM and SIGHUP sent to lanes are passed on to the program.
 */
#define _GNU_SOURCE /* ptrace options, process_vm_readv, prctl's subreaper */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/lanes/lanes.h"

#define CLONE_CHILD_CLEARTID_ 0x00200000ULL

static struct timespec start;
static volatile pid_t top_pid; /* the program lanes started; 0 once dead */
static pid_t self;

/* Copy a then b into out, cut to size (no format: nothing to truncate-warn). */
static void put2(char *out, size_t size, const char *a, const char *b)
{
    size_t n = 0;
    for (const char *p = a; *p && n + 1 < size; p++)
        out[n++] = *p;
    for (const char *p = b; *p && n + 1 < size; p++)
        out[n++] = *p;
    if (size)
        out[n] = '\0';
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)(ts.tv_sec - start.tv_sec) + (double)(ts.tv_nsec - start.tv_nsec) / 1e9;
}

/* SIGTERM or SIGHUP to lanes: the program gets it (kill is async-signal-safe). */
static void pass_on(int sig)
{
    int saved = errno;
    pid_t p = top_pid;
    if (p > 0)
        kill(p, sig);
    errno = saved;
}

/* --- reading the tracee ------------------------------------------------- */

static int read_mem(pid_t tid, unsigned long long addr, void *buf, size_t len)
{
    struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
    if (process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len)
        return 0;
    /* fall back to one word at a time */
    for (size_t off = 0; off < len; off += sizeof(long)) {
        errno = 0;
        long w = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)(addr + off), NULL);
        if (w == -1 && errno)
            return -1;
        size_t n = len - off < sizeof w ? len - off : sizeof w;
        memcpy((char *)buf + off, &w, n);
    }
    return 0;
}

/* A line "Key:\tvalue" of /proc/PID/status, as a number (base 10 or 16). */
static unsigned long long status_field(pid_t pid, const char *key, int base, bool *ok)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    *ok = false;
    if (f == NULL)
        return 0;
    size_t klen = strlen(key);
    unsigned long long v = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            v = strtoull(line + klen + 1, NULL, base);
            *ok = true;
            break;
        }
    }
    fclose(f);
    return v;
}

static bool proc_exists(pid_t pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%ld", (long)pid);
    return stat(path, &st) == 0;
}

/* What fd of tid is, in a few words: "pipe", "socket", "terminal"... */
static void fd_describe(pid_t tid, long fd, char *out, size_t size, bool with_end)
{
    char path[64], link[128];
    snprintf(path, sizeof path, "/proc/%ld/fd/%ld", (long)tid, fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n < 0) {
        snprintf(out, size, "?");
        return;
    }
    link[n] = '\0';
    if (strncmp(link, "pipe:", 5) == 0) {
        const char *end = "";
        if (with_end) {
            char info[64];
            snprintf(info, sizeof info, "/proc/%ld/fdinfo/%ld", (long)tid, fd);
            FILE *f = fopen(info, "r");
            char line[128];
            while (f && fgets(line, sizeof line, f))
                if (strncmp(line, "flags:", 6) == 0) {
                    end = (strtoul(line + 6, NULL, 8) & O_ACCMODE) == O_WRONLY ? "write end of "
                                                                               : "read end of ";
                    break;
                }
            if (f)
                fclose(f);
        }
        put2(out, size, end, with_end ? link : "pipe");
    } else if (strncmp(link, "socket:", 7) == 0) {
        put2(out, size, with_end ? link : "socket", "");
    } else if (strncmp(link, "/dev/pts/", 9) == 0 || strncmp(link, "/dev/tty", 8) == 0) {
        snprintf(out, size, "terminal");
    } else if (strncmp(link, "anon_inode:", 11) == 0) {
        put2(out, size, link + 11, "");
    } else {
        snprintf(out, size, "file");
    }
}

static void program_name(pid_t pid, char *out, size_t size)
{
    char path[64], link[256];
    snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n <= 0) {
        snprintf(out, size, "?");
        return;
    }
    link[n] = '\0';
    const char *base = strrchr(link, '/');
    put2(out, size, base ? base + 1 : link, "");
}

static const char *errno_name(long e)
{
    switch (e) {
    case EINTR: return "EINTR";
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ECHILD: return "ECHILD";
    case EPIPE: return "EPIPE";
    case ECONNRESET: return "ECONNRESET";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case 512: /* ERESTARTSYS and friends: the kernel restarts the call */
    case 513:
    case 514:
    case 516: return "interrupted by a signal";
    default: return "an error";
    }
}

static void live(struct trace *tr, struct event *e)
{
    if (tr->live && e->text[0])
        term_live(tr, e);
}

/* --- births, execs, deaths, reaping ---------------------------------------- */

/* The lane of process pid (alive or a zombie), or -1. */
static int proc_lane_of(const struct trace *tr, pid_t pid)
{
    int l = lane_find(tr, pid);
    if (l < 0)
        l = lane_find_zombie(tr, pid);
    for (int i = tr->nlanes - 1; l < 0 && i >= 0; i--) /* reaped already */
        if (tr->lanes[i].tid == pid && !tr->lanes[i].thread)
            l = i;
    return l >= 0 ? tr->lanes[l].proc_lane : -1;
}

static int new_lane(struct trace *tr, pid_t tid, int parent, double t)
{
    bool ok;
    pid_t pid = (pid_t)status_field(tid, "Tgid", 10, &ok);
    if (!ok)
        pid = tid;
    int l = lane_add(tr, tid, pid, parent, t);
    if (l < 0) {
        fprintf(stderr, "lanes: too many processes and threads to keep\n");
        exit(1);
    }
    return l;
}

static void on_birth(struct trace *tr, int parent, pid_t tid, int event, double t)
{
    int l = lane_find(tr, tid);
    if (l < 0) {
        l = new_lane(tr, tid, parent, t);
    } else { /* its first stop came before its parent's fork event */
        struct lane *c = &tr->lanes[l];
        c->parent = parent;
        if (!c->thread) {
            c->parent_proc = tr->lanes[parent].proc_lane;
            memcpy(c->prog, tr->lanes[parent].prog, sizeof c->prog);
        }
    }
    struct lane *c = &tr->lanes[l];
    struct lane *p = &tr->lanes[parent];
    if (c->thread && p->in_call) { /* the word pthread_join waits on */
        const struct call_info *ci = syscall_info(p->nr);
        if (ci && ci->cls == C_CLONE && (p->args[0] & CLONE_CHILD_CLEARTID_)) {
            c->join_addr = p->args[clone_ctid_arg()];
        } else if (ci && ci->cls == C_CLONE3) {
            unsigned long long ca[3];
            if (read_mem(p->tid, p->args[0], ca, sizeof ca) == 0 && (ca[0] & CLONE_CHILD_CLEARTID_))
                c->join_addr = ca[2];
        }
    }
    struct event *e;
    if (c->thread)
        e = ev_add(tr, EV_BIRTH, l, parent, t, "%s creates thread %s (tid %ld)", p->name, c->name,
                   (long)tid);
    else
        e = ev_add(tr, EV_BIRTH, l, parent, t, "%s %s %s (pid %ld)", p->name,
                   event == PTRACE_EVENT_VFORK  ? "vforks"
                   : event == PTRACE_EVENT_FORK ? "forks"
                                                : "clones",
                   c->name, (long)tid);
    live(tr, e);
}

static void on_exec(struct trace *tr, int l, pid_t tid, double t, bool first)
{
    unsigned long former = 0;
    ptrace(PTRACE_GETEVENTMSG, tid, NULL, &former);
    struct lane *c = &tr->lanes[l];
    program_name(c->pid, c->prog, sizeof c->prog);
    for (int i = 0; i < tr->nlanes; i++) /* a thread's exec: the others are gone */
        if (tr->lanes[i].pid == c->pid && i != l && tr->lanes[i].died < 0 &&
            tr->lanes[i].tid == (pid_t)former) {
            tr->lanes[i].died = t;
            tr->alive--;
        }
    struct event *e;
    if (first) {
        c->born = t;
        e = ev_add(tr, EV_BIRTH, l, -1, t, "%s starts: %s (pid %ld)", c->name, c->prog,
                   (long)c->pid);
    } else {
        e = ev_add(tr, EV_EXEC, l, -1, t, "%s runs a new program: %s (exec)", c->name, c->prog);
    }
    live(tr, e);
}

/* The end of the system call l was in, if it blocked: account and record. */
static void end_call(struct trace *tr, int l, double t, long rval, bool is_error);

/* Zombie children of process lane p that are gone from /proc: p reaped them. */
static void find_reaped(struct trace *tr, int p, double t)
{
    for (int i = 0; i < tr->nlanes; i++) {
        struct lane *z = &tr->lanes[i];
        if (z->thread || z->died < 0 || z->reaped >= 0 || z->parent_proc != p)
            continue;
        if (proc_exists(z->tid))
            continue;
        z->reaped = t;
        z->reaper = p;
        char how[64];
        status_text(z->status, how, sizeof how);
        struct event *e = ev_add(tr, EV_REAP, i, p, t, "%s reaps %s (%s): a zombie for %.0f ms",
                                 tr->lanes[p].name, z->name, how, (t - z->died) * 1000);
        e->num = WIFEXITED(z->status) ? WEXITSTATUS(z->status) : -WTERMSIG(z->status);
        live(tr, e);
    }
}

/* Process lane p is gone: its children are re-parented. */
static void adopt_children(struct trace *tr, int p, double t)
{
    for (int i = 0; i < tr->nlanes; i++) {
        struct lane *c = &tr->lanes[i];
        if (c->thread || c->parent_proc != p || i == p)
            continue;
        if (c->died >= 0) {
            if (c->reaped < 0)
                c->parent_proc = -1; /* a zombie: lanes, the subreaper, reaps it */
            continue;
        }
        bool ok;
        pid_t np = (pid_t)status_field(c->tid, "PPid", 10, &ok);
        int nl = ok && np != self ? proc_lane_of(tr, np) : -1;
        c->parent_proc = nl;
        c->orphan = true;
        struct event *e;
        if (nl >= 0)
            e = ev_add(tr, EV_REPARENT, i, nl, t, "%s is an orphan: adopted by %s (pid %ld)",
                       c->name, tr->lanes[nl].name, (long)np);
        else
            e = ev_add(tr, EV_REPARENT, i, -1, t,
                       "%s is an orphan: adopted by lanes (pid %ld), the subreaper", c->name,
                       (long)(ok ? np : self));
        e->num = ok ? np : self;
        live(tr, e);
    }
}

static void on_death(struct trace *tr, pid_t tid, int status, double t)
{
    char how[64];
    status_text(status, how, sizeof how);
    int l = lane_find(tr, tid);
    if (l < 0) { /* a zombie re-parented to lanes, reaped by lanes now */
        int z = lane_find_zombie(tr, tid);
        if (z >= 0) {
            struct lane *c = &tr->lanes[z];
            c->reaped = t;
            c->reaper = -1;
            struct event *e =
                ev_add(tr, EV_REAP, z, -1, t,
                       "lanes reaps %s (%s): its parent had died; a zombie for %.0f ms", c->name,
                       how, (t - c->died) * 1000);
            e->num = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
            live(tr, e);
        }
        return;
    }
    struct lane *c = &tr->lanes[l];
    if (c->in_call)
        end_call(tr, l, t, -EINTR, true);
    c->died = t;
    c->status = status;
    tr->alive--;
    tr->end = t;
    if (tid == top_pid)
        top_pid = 0;
    long num = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    struct event *e;
    if (c->thread) {
        e = ev_add(tr, EV_EXIT, l, -1, t, "thread %s ends", c->name);
        e->num = num;
        live(tr, e);
        return;
    }
    bool ignores = false;
    if (c->parent_proc >= 0) { /* does the parent ignore SIGCHLD? */
        bool ok;
        unsigned long long ign = status_field(tr->lanes[c->parent_proc].pid, "SigIgn", 16, &ok);
        ignores = ok && (ign & (1ULL << (SIGCHLD - 1)));
    }
    if (c->parent_proc < 0) { /* lanes is the parent: its wait just reaped it */
        c->reaped = t;
        c->reaper = -1;
        e = ev_add(tr, EV_EXIT, l, -1, t, "%s %s%s", c->name, how,
                   c->orphan ? "; lanes (the subreaper) reaps it" : "");
    } else if (ignores) {
        c->reaped = t;
        c->reaper = -2;
        e = ev_add(tr, EV_EXIT, l, -1, t, "%s %s; the kernel reaps it (%s ignores SIGCHLD)",
                   c->name, how, tr->lanes[c->parent_proc].name);
    } else {
        e = ev_add(tr, EV_EXIT, l, -1, t, "%s %s: a zombie until %s reaps it", c->name, how,
                   tr->lanes[c->parent_proc].name);
    }
    e->num = num;
    live(tr, e);
    if (c->reaper == -2) {
        e = ev_add(tr, EV_REAP, l, -2, t, "the kernel reaps %s at once: no zombie", c->name);
        e->num = num;
        live(tr, e);
    }
    adopt_children(tr, l, t);
}

/* --- system calls ---------------------------------------------------------- */

static void on_entry(struct trace *tr, int l, const struct __ptrace_syscall_info *si, double t)
{
    struct lane *c = &tr->lanes[l];
    c->in_call = true;
    c->nr = (long)si->entry.nr;
    memcpy(c->args, si->entry.args, sizeof c->args);
    c->call_t = t;
    c->fdwhat[0] = '\0';
    const struct call_info *ci = syscall_info(c->nr);
    if (ci == NULL)
        return;
    if (ci->cls == C_CLOSE)
        fd_describe(c->tid, (long)c->args[0], c->fdwhat, sizeof c->fdwhat, true);
    else if (ci->cls == C_BLOCK && (ci->block == B_READ || ci->block == B_WRITE))
        fd_describe(c->tid, (long)c->args[0], c->fdwhat, sizeof c->fdwhat, false);
}

/* Which thread of l's process has join word addr, or -1. */
static int joined_thread(const struct trace *tr, int l, unsigned long long addr)
{
    for (int i = 0; i < tr->nlanes; i++)
        if (tr->lanes[i].pid == tr->lanes[l].pid && tr->lanes[i].thread &&
            tr->lanes[i].join_addr == addr && addr != 0)
            return i;
    return -1;
}

static void block_text(const struct trace *tr, int l, const struct call_info *ci, long rval,
                       bool is_error, char *out, size_t size)
{
    const struct lane *c = &tr->lanes[l];
    char result[64];
    if (is_error)
        snprintf(result, sizeof result, "-> %s", errno_name(-rval));
    else
        switch (ci->block) {
        case B_WAIT:
            if (rval > 0)
                snprintf(result, sizeof result, "-> pid %ld", rval);
            else
                snprintf(result, sizeof result, "-> %ld", rval);
            break;
        case B_READ:
        case B_WRITE: snprintf(result, sizeof result, "-> %ld bytes", rval); break;
        case B_ACCEPT: snprintf(result, sizeof result, "-> fd %ld", rval); break;
        case B_SELECT:
        case B_POLL:
        case B_EPOLL: snprintf(result, sizeof result, "-> %ld ready", rval); break;
        default: result[0] = '\0';
        }
    if (ci->block == B_READ || ci->block == B_WRITE) {
        snprintf(out, size, "%s fd %ld (%s): %s %s", ci->name, (long)c->args[0], c->fdwhat,
                 ci->block == B_READ ? "waiting for data" : "waiting for room", result);
        return;
    }
    if (ci->block == B_LOCK) {
        int j = ci->cls == C_BLOCK && strcmp(ci->name, "futex") == 0
                    ? joined_thread(tr, l, c->args[0])
                    : -1;
        if (j >= 0) {
            snprintf(out, size, "futex: pthread_join, waiting for %s to end%s%s", tr->lanes[j].name,
                     result[0] ? " " : "", result);
            return;
        }
    }
    snprintf(out, size, "%s: %s%s%s", ci->name, block_words(ci->block), result[0] ? " " : "",
             result);
}

static void end_call(struct trace *tr, int l, double t, long rval, bool is_error)
{
    struct lane *c = &tr->lanes[l];
    c->in_call = false;
    const struct call_info *ci = syscall_info(c->nr);
    if (ci == NULL || (ci->cls != C_BLOCK && ci->cls != C_ACCEPT))
        return;
    if (ci->block == B_LOCK && strcmp(ci->name, "futex") == 0 && !futex_is_wait(c->args[1]))
        return;
    double dur = t - c->call_t;
    c->blocked[ci->block] += dur;
    if (dur < tr->opt->min_block)
        return;
    char text[sizeof tr->ev[0].text];
    block_text(tr, l, ci, rval, is_error, text, sizeof text);
    struct event *e = ev_add(tr, EV_BLOCK, l, -1, c->call_t, "%s", text);
    e->t_end = t;
    e->block = ci->block;
    e->ret = rval;
    live(tr, e);
}

static void fd_event(struct trace *tr, int l, enum ev_kind kind, long fd, double t,
                     const char *text)
{
    struct event *e = ev_add(tr, kind, l, -1, t, "%s %s", tr->lanes[l].name, text);
    e->num = fd;
    live(tr, e);
}

static void signal_sent(struct trace *tr, int l, const struct call_info *ci, double t)
{
    const struct lane *c = &tr->lanes[l];
    long target, sig;
    switch (ci->cls) {
    case C_KILL:
    case C_SIGQUEUE:
        target = (long)(int)c->args[0];
        sig = (long)c->args[1];
        break;
    case C_TKILL:
        target = (long)(int)c->args[0];
        sig = (long)c->args[1];
        break;
    default: /* tgkill, rt_tgsigqueueinfo */ target = (long)(int)c->args[1]; sig = (long)c->args[2];
    }
    if (sig == 0)
        return; /* kill(pid, 0) only asks whether pid exists */
    int tl = target > 0 ? lane_find(tr, (pid_t)target) : -1;
    if (tl < 0 && target > 0)
        tl = lane_find_zombie(tr, (pid_t)target);
    char whom[48];
    if (tl >= 0)
        snprintf(whom, sizeof whom, "%s", tr->lanes[tl].name);
    else if (target == 0)
        snprintf(whom, sizeof whom, "its own process group");
    else if (target == -1)
        snprintf(whom, sizeof whom, "every process it may");
    else if (target < 0)
        snprintf(whom, sizeof whom, "process group %ld", -target);
    else
        snprintf(whom, sizeof whom, "pid %ld", target);
    tr->sig_sent++;
    struct event *e = ev_add(tr, EV_SIG_SENT, l, tl, t, "%s sends %s to %s (%s)", c->name,
                             sig_name((int)sig), whom, ci->name);
    e->num = sig;
    live(tr, e);
}

static void on_exit_call(struct trace *tr, int l, const struct __ptrace_syscall_info *si, double t)
{
    struct lane *c = &tr->lanes[l];
    if (!c->in_call)
        return; /* the exit of execve, or of the call a new task was born in */
    long rval = (long)si->exit.rval;
    bool err = si->exit.is_error;
    const struct call_info *ci = syscall_info(c->nr);
    end_call(tr, l, t, rval, err);
    if (ci == NULL)
        return;
    char text[96];
    switch (ci->cls) {
    case C_BLOCK:
        if (ci->block == B_WAIT)
            find_reaped(tr, c->proc_lane, t);
        break;
    case C_ACCEPT:
        if (!err) {
            snprintf(text, sizeof text, "accepts a client: fd %ld (a connected socket)", rval);
            fd_event(tr, l, EV_FD_OPEN, rval, t, text);
        }
        break;
    case C_SOCKET:
        if (!err) {
            snprintf(text, sizeof text, "creates a socket: fd %ld", rval);
            fd_event(tr, l, EV_FD_OPEN, rval, t, text);
        }
        break;
    case C_PIPE:
    case C_SOCKPAIR:
        if (!err) {
            int fds[2];
            unsigned long long addr = ci->cls == C_PIPE ? c->args[0] : c->args[3];
            if (read_mem(c->tid, addr, fds, sizeof fds) < 0)
                break;
            if (ci->cls == C_PIPE)
                snprintf(text, sizeof text, "makes a pipe: fd %d reads, fd %d writes", fds[0],
                         fds[1]);
            else
                snprintf(text, sizeof text, "makes a socket pair: fds %d and %d", fds[0], fds[1]);
            fd_event(tr, l, EV_FD_OPEN, fds[0], t, text);
        }
        break;
    case C_CLOSE:
        if (!err && (strstr(c->fdwhat, "pipe:") || strstr(c->fdwhat, "socket:"))) {
            snprintf(text, sizeof text, "closes fd %ld (%s)", (long)c->args[0], c->fdwhat);
            fd_event(tr, l, EV_FD_CLOSE, (long)c->args[0], t, text);
        }
        break;
    case C_KILL:
    case C_TKILL:
    case C_TGKILL:
    case C_SIGQUEUE:
    case C_TGSIGQUEUE:
        if (!err)
            signal_sent(tr, l, ci, c->call_t);
        break;
    default: break;
    }
}

static void on_syscall(struct trace *tr, int l, double t)
{
    struct __ptrace_syscall_info si;
    memset(&si, 0, sizeof si);
    if (ptrace(PTRACE_GET_SYSCALL_INFO, tr->lanes[l].tid, (void *)sizeof si, &si) <= 0)
        return;
    if (si.arch != syscalls_arch())
        return; /* a 32-bit call: lanes does not know its numbers */
    if (si.op == PTRACE_SYSCALL_INFO_ENTRY)
        on_entry(tr, l, &si, t);
    else if (si.op == PTRACE_SYSCALL_INFO_EXIT)
        on_exit_call(tr, l, &si, t);
}

/* --- signals ---------------------------------------------------------------- */

static void on_signal(struct trace *tr, int l, int sig, double t)
{
    struct lane *c = &tr->lanes[l];
    siginfo_t info;
    memset(&info, 0, sizeof info);
    ptrace(PTRACE_GETSIGINFO, c->tid, NULL, &info);
    bool ok1, ok2;
    unsigned long long ign = status_field(c->tid, "SigIgn", 16, &ok1);
    unsigned long long cgt = status_field(c->tid, "SigCgt", 16, &ok2);
    unsigned long long bit = 1ULL << (sig - 1);
    const char *action;
    if (ok2 && (cgt & bit))
        action = "caught by its handler";
    else if (ok1 && (ign & bit))
        action = "ignored";
    else if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH)
        action = "default: ignored";
    else if (sig == SIGCONT)
        action = "default: continue";
    else if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
        action = "default: stop";
    else
        action = "default: the process ends";
    int from = -1;
    char who[48] = "";
    if (info.si_code <= 0 || sig == SIGCHLD) { /* sent by a process: si_pid says who */
        if (info.si_pid == self)
            snprintf(who, sizeof who, " from lanes");
        else if ((from = proc_lane_of(tr, info.si_pid)) >= 0)
            snprintf(who, sizeof who, " from %s", tr->lanes[from].name);
        else if (info.si_pid > 0)
            snprintf(who, sizeof who, " from pid %ld", (long)info.si_pid);
    } else if (info.si_code == SI_KERNEL) {
        snprintf(who, sizeof who, " from the kernel (terminal)");
    }
    tr->sig_delivered++;
    struct event *e = ev_add(tr, EV_SIG_DELIV, l, from, t, "%s gets %s%s: %s", c->name,
                             sig_name(sig), who, action);
    e->num = sig;
    live(tr, e);
}

/* --- starting the program ------------------------------------------------- */

static void explain_eperm(void)
{
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
    int scope = -1;
    if (f) {
        if (fscanf(f, "%d", &scope) != 1)
            scope = -1;
        fclose(f);
    }
    fprintf(stderr, "lanes: ptrace(PTRACE_SEIZE): %s: this system does not let lanes trace\n",
            strerror(EPERM));
    if (scope >= 1)
        fprintf(stderr,
                "lanes: Yama's ptrace_scope is %d%s; allow it with\n"
                "lanes:   sudo sysctl kernel.yama.ptrace_scope=1\n",
                scope, scope == 3 ? " (3 forbids ptrace until reboot)" : "");
    else
        fprintf(stderr, "lanes: in a container, start it with CAP_SYS_PTRACE, e.g.\n"
                        "lanes:   docker run --cap-add=SYS_PTRACE ...\n");
}

/* LeakSanitizer cannot work under ptrace (it ends an ASan program with a
 * fatal error at exit): the traced program runs with it turned off. */
static void no_leak_check(void)
{
    static char env[1024];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(env, sizeof env, "%s%sdetect_leaks=0", old ? old : "", old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", env, 1);
}

/* fork a child that waits on go, then execs argv; errors come back on err. */
static pid_t spawn(char **argv, int *go_w, int *err_r, const struct sigaction *old_int,
                   const struct sigaction *old_quit)
{
    int go[2], err[2];
    if (pipe(go) < 0 || pipe(err) < 0) {
        perror("lanes: pipe");
        return -1;
    }
    if (fcntl(err[1], F_SETFD, FD_CLOEXEC) < 0 || fcntl(go[1], F_SETFD, FD_CLOEXEC) < 0 ||
        fcntl(err[0], F_SETFD, FD_CLOEXEC) < 0) {
        perror("lanes: fcntl");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("lanes: fork");
        return -1;
    }
    if (pid == 0) {
        sigaction(SIGINT, old_int, NULL); /* the program's own dispositions */
        sigaction(SIGQUIT, old_quit, NULL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        prctl(PR_SET_CHILD_SUBREAPER, 0);
        close(go[1]);
        close(err[0]);
        no_leak_check();
        char c;
        while (read(go[0], &c, 1) < 0 && errno == EINTR)
            ;
        close(go[0]);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(err[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(go[0]);
    close(err[1]);
    *go_w = go[1];
    *err_r = err[0];
    return pid;
}

int trace_run(struct trace *tr, const struct options *opt, int *fatal_exit)
{
    *fatal_exit = 1;
    if (syscalls_arch() == 0) {
        fprintf(stderr,
                "lanes: %s is not supported: lanes knows the system calls of x86_64 and "
                "aarch64 Linux only\n",
                syscalls_machine());
        return -1;
    }
    self = getpid();
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        perror("lanes: prctl(PR_SET_CHILD_SUBREAPER)");
        return -1;
    }
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);

    int go, err;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = spawn(opt->argv, &go, &err, &old_int, &old_quit);
    if (pid < 0)
        return -1;
    long options = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                   PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESYSGOOD |
                   PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)options) < 0) {
        int e = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        if (e == EPERM)
            explain_eperm();
        else
            fprintf(stderr, "lanes: ptrace(PTRACE_SEIZE): %s\n", strerror(e));
        return -1;
    }
    top_pid = pid;
    struct sigaction pass = {.sa_handler = pass_on};
    sigemptyset(&pass.sa_mask);
    sigaction(SIGTERM, &pass, NULL);
    sigaction(SIGHUP, &pass, NULL);

    int top = new_lane(tr, pid, -1, now());
    snprintf(tr->lanes[top].prog, sizeof tr->lanes[top].prog, "%s", opt->argv[0]);
    close(go); /* the child goes on to exec */

    int top_status = 0;
    bool started = false;
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, __WALL);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ECHILD)
                break;
            perror("lanes: waitpid");
            return -1;
        }
        double t = now();
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            if (p == pid)
                top_status = st;
            on_death(tr, p, st, t);
            continue;
        }
        if (!WIFSTOPPED(st))
            continue;
        int l = lane_find(tr, p);
        if (l < 0) /* a new task whose parent's fork event is still to come */
            l = new_lane(tr, p, -1, t);
        int sig = WSTOPSIG(st), event = (unsigned)st >> 16, inject = 0;
        if (sig == (SIGTRAP | 0x80)) {
            on_syscall(tr, l, t);
        } else if (event == PTRACE_EVENT_STOP) {
            if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
                /* a group-stop (the others: SIGTRAP): stay stopped until SIGCONT */
                if (!tr->lanes[l].thread) {
                    struct event *e = ev_add(tr, EV_STOP, l, -1, t, "%s is stopped (%s)",
                                             tr->lanes[l].name, sig_name(sig));
                    e->num = sig;
                    live(tr, e);
                }
                ptrace(PTRACE_LISTEN, p, NULL, NULL);
                continue;
            }
        } else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
                   event == PTRACE_EVENT_CLONE) {
            unsigned long child = 0;
            if (ptrace(PTRACE_GETEVENTMSG, p, NULL, &child) == 0 && child > 0)
                on_birth(tr, l, (pid_t)child, event, t);
        } else if (event == PTRACE_EVENT_EXEC) {
            on_exec(tr, l, p, t, p == pid && !started);
            if (p == pid)
                started = true;
            tr->lanes[l].in_call = false;
        } else if (event == PTRACE_EVENT_EXIT) {
            /* about to exit: its death is recorded when waitpid reports it */
        } else if (event == 0) {
            on_signal(tr, l, sig, t);
            inject = sig;
        }
        if (ptrace(PTRACE_SYSCALL, p, NULL, (void *)(long)inject) < 0 && errno != ESRCH)
            perror("lanes: ptrace(PTRACE_SYSCALL)");
    }
    tr->end = now();
    int e = 0;
    ssize_t n = read(err, &e, sizeof e);
    close(err);
    if (n == (ssize_t)sizeof e) {
        fprintf(stderr, "lanes: execvp %s: %s\n", opt->argv[0], strerror(e));
        return -1;
    }
    return top_status;
}
