/* tools/lanes/lanes.h — what the tracer records, shared by its modules.
 *
 * A lane is one task the kernel schedules: a process (its main thread) or
 * one more thread of a process. The tracer (tracer.c) fills the lane table
 * and the event log; the renderers (term.c, trace_json.c, svg.c) draw them.
 * Times are seconds since the traced program started (monotonic clock).
 */
#ifndef CONCLAB_LANES_H
#define CONCLAB_LANES_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* --- kinds of events, also the -e filter ------------------------------- */

enum ev_kind {
    EV_BIRTH,     /* a process or thread starts (fork, vfork, clone) */
    EV_EXEC,      /* a process runs a new program */
    EV_EXIT,      /* a task ends; a process becomes a zombie */
    EV_REAP,      /* a zombie is reaped (by its parent, a subreaper, the kernel) */
    EV_REPARENT,  /* an orphan gets a new parent */
    EV_SIG_SENT,  /* kill, tkill, tgkill, rt_sigqueueinfo */
    EV_SIG_DELIV, /* a signal is delivered to a task */
    EV_BLOCK,     /* a blocking call, from t to t_end */
    EV_FD_OPEN,   /* pipe, socket, socketpair, accept */
    EV_FD_CLOSE,  /* close of a pipe or socket */
    EV_STOP,      /* a process stopped (SIGSTOP, Ctrl-Z) or continued */
    EV_NKINDS
};

/* Groups of kinds for -e: proc, signal, block, fd. */
enum ev_group { G_PROC = 1, G_SIGNAL = 2, G_BLOCK = 4, G_FD = 8, G_ALL = 15 };

/* What a blocking call waits for, in the words of the course. */
enum block_kind {
    B_WAIT,  /* wait4, waitid */
    B_READ,  /* read, recv... */
    B_WRITE, /* write, send... */
    B_ACCEPT,
    B_CONNECT,
    B_SELECT, /* select, pselect6 */
    B_POLL,   /* poll, ppoll */
    B_EPOLL,  /* epoll_wait, epoll_pwait */
    B_SLEEP,
    B_LOCK,   /* futex waits: a mutex, a condition, a join */
    B_SIGNAL, /* pause, sigsuspend, sigtimedwait */
    B_MQ,     /* mq_timedsend, mq_timedreceive */
    B_SEM,    /* semop, semtimedop */
    B_VFORK,  /* the parent of vfork until the child execs or exits */
    B_NKINDS
};

struct event {
    double t, t_end; /* t_end: the end of a block, else t */
    int lane;        /* where it happens */
    int other;       /* the other lane (child, target, reaper), or -1 */
    enum ev_kind kind;
    int block;      /* enum block_kind, for EV_BLOCK */
    long num;       /* signal, fd, exit status... (see the kind) */
    long ret;       /* a block's return value */
    char text[112]; /* what happened, in words */
};

struct lane {
    pid_t tid, pid;            /* pid: its process (thread group id) */
    int proc_lane;             /* the lane of its process's main thread */
    bool thread;               /* a thread other than the main one */
    int parent;                /* the lane that created it, or -1 */
    int parent_proc;           /* its process's parent process lane now (-1: lanes) */
    char name[32];             /* "P1", "P1.2" */
    char prog[40];             /* the program it runs */
    double born, died, reaped; /* died, reaped: < 0 while not yet */
    int status;                /* wait status, once dead */
    int reaper;                /* the lane that reaped it, -1 (lanes) or -2 (the kernel) */
    bool orphan;               /* re-parented while alive */
    long nthreads;             /* threads created in this process */
    long events;               /* how busy it is, to choose lanes to draw */
    double blocked[B_NKINDS];  /* seconds inside each kind of blocking call */
    /* the system call it is in, while it is in one */
    bool in_call;
    long nr;
    unsigned long long args[6];
    double call_t;
    char fdwhat[48];              /* what args[0] names, for read/write/close */
    unsigned long long join_addr; /* its tid word, which pthread_join waits on */
};

struct options {
    const char *json_path; /* -o */
    const char *svg_path;  /* -s */
    const char *log_path;  /* -l */
    unsigned groups;       /* -e */
    bool follow;           /* -f */
    bool quiet;            /* -q */
    double min_block;      /* -b, seconds */
    char **argv;           /* the program and its arguments */
};

struct trace {
    struct lane *lanes;
    int nlanes, cap_lanes;
    struct event *ev;
    long nev, cap_ev;
    double end;    /* when the last task ended */
    int max_alive; /* most tasks alive at once */
    int alive;
    long sig_sent, sig_delivered;
    long ev_dropped; /* events beyond the memory bound */
    const struct options *opt;
    FILE *live; /* -f: rows go here as they happen (stderr) */
};

/* --- events.c ---------------------------------------------------------- */

/* The group (-e) an event kind belongs to. */
enum ev_group ev_group_of(enum ev_kind kind);
/* Parse "proc,signal,block,fd" or "all"; 0 if bad. */
unsigned ev_parse_groups(const char *text);
/* Add a lane for tid (of process pid); returns its index. */
int lane_add(struct trace *tr, pid_t tid, pid_t pid, int parent, double t);
/* The live lane of tid, or -1. */
int lane_find(const struct trace *tr, pid_t tid);
/* The lane of the dead, unreaped process pid, or -1. */
int lane_find_zombie(const struct trace *tr, pid_t pid);
/* Record an event (dropped, and counted, past the memory bound). */
struct event *ev_add(struct trace *tr, enum ev_kind kind, int lane, int other, double t,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Sort the log by time (renderers want it sorted). */
void ev_sort(struct trace *tr);
/* "SIGINT" for 2. */
const char *sig_name(int sig);
/* "exited with status 7" / "killed by SIGKILL" for a wait status. */
void status_text(int status, char *out, size_t size);
/* A block kind in words: "waiting for a child (wait)". */
const char *block_words(int block);
/* A short label: "wait", "lock"... */
const char *block_label(int block);
/* Write the log (-l): one event a line. */
int log_write(const struct trace *tr, const char *path);
void trace_free(struct trace *tr);

/* --- tracer.c ------------------------------------------------------------ */

/* Run opt->argv under ptrace to its end (and its children's). Returns the
 * program's wait status, or -1 after printing why it could not be traced
 * (*fatal_exit: the status lanes should exit with). */
int trace_run(struct trace *tr, const struct options *opt, int *fatal_exit);

/* --- syscalls.c ---------------------------------------------------------- */

enum call_class {
    C_NONE,
    C_BLOCK,    /* a blocking call, block kind in .block */
    C_PIPE,     /* pipe, pipe2 */
    C_SOCKET,   /* socket */
    C_SOCKPAIR, /* socketpair */
    C_ACCEPT,   /* accept, accept4: also a block */
    C_CLOSE,
    C_KILL,       /* kill(pid, sig) */
    C_TKILL,      /* tkill(tid, sig) */
    C_TGKILL,     /* tgkill(tgid, tid, sig) */
    C_SIGQUEUE,   /* rt_sigqueueinfo(pid, sig, info) */
    C_TGSIGQUEUE, /* rt_tgsigqueueinfo(tgid, tid, sig, info) */
    C_CLONE,      /* clone: the child's tid word */
    C_CLONE3,     /* clone3 */
};

struct call_info {
    const char *name;
    enum call_class cls;
    int block;
};

/* The audit arch this machine's tracees use, or 0 if not supported. */
unsigned syscalls_arch(void);
/* "x86_64" or "aarch64", or the unsupported machine's name. */
const char *syscalls_machine(void);
/* What system call nr is, or NULL if lanes does not care. */
const struct call_info *syscall_info(long nr);
/* Is futex op a wait? */
bool futex_is_wait(unsigned long long op);
/* Offset of the child tid pointer among clone's arguments. */
int clone_ctid_arg(void);

/* --- renderers ----------------------------------------------------------- */

/* term.c: the lanes after the run, and the summary, on out. */
void term_render(const struct trace *tr, FILE *out);
void term_summary(const struct trace *tr, FILE *out, int status);
/* term.c: one row as it happens (-f). */
void term_live(const struct trace *tr, const struct event *e);
/* The lanes chosen for drawing (the busiest, at most max); returns how
 * many; shown[i] is the lane index. */
int lanes_choose(const struct trace *tr, int *shown, int max);
/* trace_json.c, svg.c: 0 on success, -1 with errno. */
int json_write(const struct trace *tr, const char *path);
int svg_write(const struct trace *tr, const char *path);

#endif
