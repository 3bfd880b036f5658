/* common/logline.h — a log line from a thread, without stdio's lock.
 *
 * printf takes stdout's lock and keeps it while write() blocks: with the
 * log on a pipe nobody reads (`server -v | less`, paused), one thread
 * blocked in printf holds the lock, and every other thread that prints,
 * the main thread too, waits for it forever, a stop signal or not.
 * log_line formats the line itself and hands it to write(2) whole: no
 * lock, and lines of different threads never mix (a pipe takes a write of
 * up to PIPE_BUF bytes in one piece). A write that fails (interrupted by
 * a signal, or EAGAIN once the stop handler made stdout non-blocking) is
 * dropped: the log must never keep a server from stopping.
 */
#ifndef CONCLAB_LOGLINE_H
#define CONCLAB_LOGLINE_H

#include <sys/types.h>

/* The longest line log_line writes; a longer one is cut. */
#define LOG_LINE_MAX 512

/* Format a line (fmt should end in "\n") and write it to stdout in one
 * write(2). The bytes written, or -1 (errno set) if it was dropped. */
ssize_t log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
