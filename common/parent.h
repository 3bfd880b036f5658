/* common/parent.h — a child that ends with its parent (Linux).
 *
 * A child forked by a lesson must not outlive it: killed with SIGKILL,
 * the parent cannot stop its children, and a child blocked on a queue or
 * a pipe would live on under PID 1. The child asks the kernel for SIGKILL
 * when its parent dies (prctl PR_SET_PDEATHSIG); day7/process_attr shows
 * the idea and its race step by step.
 *
 *     pid_t parent = getpid();   // before fork
 *     pid_t pid = fork();
 *     if (pid == 0) {
 *         die_with_parent(parent);
 *         ...
 *
 * or, where fork itself is not the lesson, fork_child() does all that.
 */
#ifndef CONCLAB_PARENT_H
#define CONCLAB_PARENT_H

#include <sys/types.h>

/* In a child just after fork: SIGKILL comes when the parent ends. If the
 * parent (its pid taken before fork) ended before that was asked, no
 * signal would ever come: the child sees it has been re-parented and
 * exits now (status 1), as it does if prctl fails. */
void die_with_parent(pid_t parent);

/* For a program (it exits on failure): flush stdout (or the child would
 * print the parent's buffered lines again), fork, and in the child call
 * die_with_parent. Returns what fork returned: 0 in the child, the
 * child's pid in the parent. A failed fork ends the program with
 * "fork: <strerror>", status 1. */
pid_t fork_child(void);

#endif
