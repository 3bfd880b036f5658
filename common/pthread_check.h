/* common/pthread_check.h — report a failed pthread_* call.
 *
 * pthread functions do not set errno: they return the error number (0 on
 * success). Check the call where it is made, so the lesson still shows it:
 *
 *     int err = pthread_create(&t, NULL, run, arg);
 *     if (err != 0)
 *         die_pthread(err, "pthread_create");
 */
#ifndef CONCLAB_PTHREAD_CHECK_H
#define CONCLAB_PTHREAD_CHECK_H

/* Print "name: call: strerror(err)" on stderr and exit with status 1. */
void die_pthread(int err, const char *call) __attribute__((noreturn));

#endif
