/* common/walltime.c — see walltime.h. */
#include "common/walltime.h"

#include <stdio.h>
#include <time.h>

void walltime_text(char *out, size_t size)
{
    if (size == 0)
        return;
    struct timespec ts;
    struct tm tm;
    char text[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    if (localtime_r(&ts.tv_sec, &tm) == NULL || strftime(text, sizeof text, "%H:%M:%S", &tm) == 0) {
        snprintf(out, size, "??:??:??.???");
        return;
    }
    snprintf(out, size, "%s.%03ld", text, ts.tv_nsec / 1000000);
}
