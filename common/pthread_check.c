/* common/pthread_check.c — see pthread_check.h. */
#include "common/pthread_check.h"

#include <errno.h>

#include "common/errors.h"

void die_pthread(int err, const char *call)
{
    errno = err;
    die_errno("%s", call);
}

void mutex_lock(pthread_mutex_t *m)
{
    int err = pthread_mutex_lock(m);
    if (err != 0)
        die_pthread(err, "pthread_mutex_lock");
}

void mutex_unlock(pthread_mutex_t *m)
{
    int err = pthread_mutex_unlock(m);
    if (err != 0)
        die_pthread(err, "pthread_mutex_unlock");
}
