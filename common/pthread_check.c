/* common/pthread_check.c — see pthread_check.h. */
#include "common/pthread_check.h"

#include <errno.h>

#include "common/errors.h"

void die_pthread(int err, const char *call)
{
    errno = err;
    die_errno("%s", call);
}
