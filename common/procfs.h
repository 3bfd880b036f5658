/* common/procfs.h — read a process's state and family from /proc (Linux),
 * so a lesson can prove what happened to its children instead of trusting
 * its own bookkeeping.
 */
#ifndef CONCLAB_PROCFS_H
#define CONCLAB_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* The state letter of pid from /proc/PID/stat (R, S, D, T, t, Z, ...),
 * or 0 if there is no such process. */
char procfs_state(pid_t pid);

/* Read pid's state until it is want, pid is gone, limit_ms have passed
 * or a stop signal came (sig_stop_requested); it is read every
 * millisecond. Returns the last letter seen, 0 if none (no such pid). */
char procfs_wait_state(pid_t pid, char want, long limit_ms);

/* The parent pid of pid, or -1 if there is no such process. */
pid_t procfs_ppid(pid_t pid);

/* The name (comm) of pid, as ps -o comm shows it; 0 or -1. */
int procfs_comm(pid_t pid, char *out, size_t size);

/* Store up to max pids whose parent is parent in out; returns how many
 * there are in all (which may exceed max), or -1. */
int procfs_children(pid_t parent, pid_t *out, int max);

/* How many of parent's children are zombies (state Z); -1 on error. */
int procfs_count_zombies(pid_t parent);

#endif
