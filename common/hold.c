/* common/hold.c — see hold.h. */
#include "common/hold.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "common/signals.h"

void hold_for_enter(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    char c = 0;
    while (!sig_stop_requested && c != '\n' &&
           read(STDIN_FILENO, &c, 1) == 1)
        ;
}
