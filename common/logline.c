/* common/logline.c — see logline.h. */
#include "common/logline.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

ssize_t log_line(const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    return write(STDOUT_FILENO, line, len);
}
