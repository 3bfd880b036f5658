/* common/clock.c — see clock.h. */
#include "common/clock.h"

#include <errno.h>
#include <time.h>

double clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_sleep_ms(long ms)
{
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) < 0 && errno == EINTR)
        ; /* nanosleep wrote the time still to sleep into left */
}

struct timespec clock_deadline(clockid_t clock, long ms)
{
    struct timespec ts;
    clock_gettime(clock, &ts); /* cannot fail for a clock that exists */
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}
