/* common/clock.h — elapsed time and short sleeps for demos and benchmarks. */
#ifndef CONCLAB_CLOCK_H
#define CONCLAB_CLOCK_H

/* Seconds on the monotonic clock (never jumps with the wall clock). */
double clock_now(void);

/* Sleep ms milliseconds, resuming after a signal interrupts the sleep. */
void clock_sleep_ms(long ms);

#endif
