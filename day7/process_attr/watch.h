/* day7/process_attr/watch.h — the machinery behind process_attr's part 3:
 * a watcher that sees how an orphan ended, and a one-byte "ready" wait.
 */
#ifndef CONCLAB_PROCESS_ATTR_WATCH_H
#define CONCLAB_PROCESS_ATTR_WATCH_H

#include <sys/types.h>

/* Become a child subreaper (PR_SET_CHILD_SUBREAPER: orphans of our
 * descendants come to us, not to init), run main_fn(report_fd) in a
 * child — it writes the pid of a child of its own to report_fd, and
 * exits — wait for that main process, then for its orphaned child.
 * Returns the orphan's wait status, its pid in *orphan. Exits on error. */
int watch_orphan(void (*main_fn)(int report_fd), pid_t *orphan);

/* Wait until a child's set-up is done: it writes one byte to the pipe
 * whose read end is ready_fd. Closes ready_fd. */
void wait_ready(int ready_fd);

#endif
