/* common/hold.h — hold a demo still while a student looks at it with ps:
 * the lessons' -k option.
 */
#ifndef CONCLAB_HOLD_H
#define CONCLAB_HOLD_H

/* Print the message (printf format) on stdout and flush it; then wait
 * until a line is entered on stdin (Enter), stdin ends, reading it fails,
 * or a stop signal has arrived (sig_stop_requested, common/signals.h). */
void hold_for_enter(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
