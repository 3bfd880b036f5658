/* common/clock.h — elapsed time, short sleeps and deadlines. */
#ifndef CONCLAB_CLOCK_H
#define CONCLAB_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock (never jumps with the wall clock). */
double clock_now(void);

/* Sleep ms milliseconds, resuming after a signal interrupts the sleep. */
void clock_sleep_ms(long ms);

/* The absolute time ms milliseconds from now on clock, as the timed waits
 * want it: CLOCK_REALTIME for mq_timedreceive, sem_timedwait and
 * pthread_mutex_timedlock; the condition variable's own clock for
 * pthread_cond_timedwait (CLOCK_MONOTONIC where it was set so). */
struct timespec clock_deadline(clockid_t clock, long ms);

#endif
