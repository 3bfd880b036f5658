/* common/walltime.h — the time of day as the course prints it (its
 * ctime() lines), to the millisecond, so a reader can see which lines of
 * different processes happened together.
 */
#ifndef CONCLAB_WALLTIME_H
#define CONCLAB_WALLTIME_H

#include <stddef.h>

/* Local time of day as "HH:MM:SS.mmm" in out (size >= 13 for all of it;
 * a shorter out gets a cut, NUL-terminated text). */
void walltime_text(char *out, size_t size);

#endif
