/* common/show.h — show received bytes in a log line, safely: printable
 * ASCII as is, everything else escaped (\n, \t, \xNN), cut to a bound, so
 * a client's bytes can neither garble the log nor make it huge.
 */
#ifndef CONCLAB_SHOW_H
#define CONCLAB_SHOW_H

#include <stddef.h>

/* How many input bytes show_bytes shows at most before "...". */
#define SHOW_MAX_BYTES 64

/* Room that show_bytes needs for any input: 4 output chars per shown
 * byte, the quotes, "..." and the NUL. */
#define SHOW_BUFSIZE (4 * SHOW_MAX_BYTES + 8)

/* Write data[0..len) into out as a quoted, escaped C-like string, e.g.
 * "hello\n", followed by ... if len > SHOW_MAX_BYTES. out must hold
 * SHOW_BUFSIZE bytes (a smaller one is cut, always NUL-terminated).
 * Returns out. */
char *show_bytes(char *out, size_t size, const void *data, size_t len);

#endif
