/* common/status.h — a wait status in words, as the lessons print it:
 * "exited with status N" or "killed by SIGPIPE". */
#ifndef CONCLAB_STATUS_H
#define CONCLAB_STATUS_H

#include <stddef.h>

/* Describe the wait status from waitpid in out (NUL-terminated, cut to
 * size): "exited with status N", "killed by SIGNAME" ("killed by signal
 * N" for a signal without a name), "stopped by SIGNAME", or "status 0xN"
 * for anything else. Returns out. */
char *status_describe(int status, char *out, size_t size);

#endif
