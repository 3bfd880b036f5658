/* common/errors.c — see errors.h. */
#include "common/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *program_name = "conclab";

/* What getopt's own message would have said, with the program's short name
 * (getopt itself prints argv[0], often a path such as ./build/day10/bitops).
 * getopt left the offending option in optopt: 0 for an unknown long option.
 * An option the usage text mentions was given without its argument. */
static void report_getopt_error(const char *usage)
{
    char flag[3] = {'-', (char)optopt, '\0'};
    if (optopt == 0)
        fprintf(stderr, "%s: unrecognized option\n", program_name);
    else if (strstr(usage, flag) != NULL)
        fprintf(stderr, "%s: option -%c needs a value\n", program_name, optopt);
    else
        fprintf(stderr, "%s: invalid option -%c\n", program_name, optopt);
}

void prog_init(const char *argv0)
{
    /* A program started with stdin, stdout or stderr closed would get
     * that number for the next fd it opens: a socket would become its
     * "stdin", or printf would write into a client's connection. Open
     * /dev/null on any of the three that is closed (open takes the lowest
     * free number). */
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) < 0)
            _exit(EXIT_FAILURE); /* no way left to even say why */
    opterr = 0; /* die_usage reports getopt's errors, with the short name */
    if (argv0 == NULL || argv0[0] == '\0')
        return;
    const char *slash = strrchr(argv0, '/');
    program_name = slash != NULL ? slash + 1 : argv0;
}

const char *prog_name(void)
{
    return program_name;
}

/* Write one whole message with a single fprintf so that lines from
 * several processes or threads do not interleave mid-line. */
static void report(int errnum, const char *fmt, va_list ap)
{
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    if (errnum != 0)
        fprintf(stderr, "%s: %s: %s\n", program_name, text, strerror(errnum));
    else
        fprintf(stderr, "%s: %s\n", program_name, text);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(0, fmt, ap);
    va_end(ap);
    exit(EXIT_FAILURE);
}

void die_errno(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(saved, fmt, ap);
    va_end(ap);
    exit(EXIT_FAILURE);
}

void die_errno_child(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(saved, fmt, ap);
    va_end(ap);
    fflush(stderr); /* stderr is unbuffered, but say what we mean */
    _exit(EXIT_FAILURE);
}

void warn_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(0, fmt, ap);
    va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(saved, fmt, ap);
    va_end(ap);
    errno = saved;
}

void die_usage(const char *usage, const char *fmt, ...)
{
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        report(0, fmt, ap);
        va_end(ap);
    } else if (optopt != '?') { /* getopt returned '?' for a bad option */
        report_getopt_error(usage);
    }
    fputs(usage, stderr);
    exit(EXIT_USAGE);
}

void print_usage_and_exit(const char *usage)
{
    fputs(usage, stdout);
    exit(fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
