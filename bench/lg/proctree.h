/* bench/lg/proctree.h — what a server costs, read from /proc: the CPU time
 * and memory of a process and all its descendants (a fork server's
 * children, a thread server's threads are in its own figures).
 *
 * CPU: utime + stime of the root and of every live descendant, plus the
 * cutime + cstime each has collected from children it already reaped, so
 * a child that served one client and exited is still counted. Take two
 * samples around a run and subtract.
 */
#ifndef CONCLAB_BENCH_PROCTREE_H
#define CONCLAB_BENCH_PROCTREE_H
#include <sys/types.h>

struct proc_sample {
    double cpu;   /* seconds, user + system, the whole tree */
    long rss_kb;  /* VmRSS summed over the tree (shared pages counted in each) */
    long pss_kb;  /* Pss summed (shared pages divided among sharers), or -1 */
    int procs;    /* processes in the tree */
    int threads;  /* threads in the tree */
};

/* Sample root's tree; with_memory: also RSS/PSS (slower). 0, or -1 if
 * root is gone. */
int proctree_sample(pid_t root, int with_memory, struct proc_sample *s);
#endif
