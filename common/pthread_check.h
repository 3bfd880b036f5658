/* common/pthread_check.h — report a failed pthread_* call.
 *
 * pthread functions do not set errno: they return the error number (0 on
 * success). Check the call where it is made, so the lesson still shows it:
 *
 *     int err = pthread_create(&t, NULL, run, arg);
 *     if (err != 0)
 *         die_pthread(err, "pthread_create");
 *
 * mutex_lock / mutex_unlock are pthread_mutex_lock / unlock checked that
 * way, for code where the mutex is plumbing; a lesson ABOUT locking calls
 * pthread_mutex_lock itself, so the student sees it.
 */
#ifndef CONCLAB_PTHREAD_CHECK_H
#define CONCLAB_PTHREAD_CHECK_H

#include <pthread.h>

/* Print "name: call: strerror(err)" on stderr and exit with status 1. */
void die_pthread(int err, const char *call) __attribute__((noreturn));

/* pthread_mutex_lock(m); on failure die_pthread. */
void mutex_lock(pthread_mutex_t *m);

/* pthread_mutex_unlock(m); on failure die_pthread. */
void mutex_unlock(pthread_mutex_t *m);

#endif
