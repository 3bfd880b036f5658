/* common/errors.h — report errors the same way in every program.
 *
 * Every message starts with the program's name (set once by prog_init).
 * The die_* helpers exit and are for programs only; code that runs once per
 * client returns an error instead, so one bad client never ends a server.
 */
#ifndef CONCLAB_ERRORS_H
#define CONCLAB_ERRORS_H

/* Exit statuses every program uses. */
enum { EXIT_USAGE = 2 };

/* Remember the program's name (basename of argv[0]) for messages. Call it
 * first thing in main: it also opens /dev/null on stdin, stdout or stderr
 * if one of them is closed, so no socket or file is taken for one. */
void prog_init(const char *argv0);

/* The program's name as given to prog_init ("conclab" before that). */
const char *prog_name(void);

/* Print "name: message" on stderr and exit with status 1. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Like die, with ": strerror(errno)" appended. */
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Like die_errno, but leaves with _exit: for a child after fork, so the
 * parent's stdio buffers and atexit handlers are not run twice. */
void die_errno_child(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Print "name: message" on stderr and go on. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like warn_msg, with ": strerror(errno)" appended; errno is preserved. */
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the message (if fmt is not NULL) and then usage on stderr; exit 2. */
void die_usage(const char *usage, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

/* Print usage on stdout and exit 0 (the answer to -h). */
void print_usage_and_exit(const char *usage) __attribute__((noreturn));

#endif
