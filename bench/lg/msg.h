/* bench/lg/msg.h — echo messages that cannot be mistaken for each other:
 * every byte depends on the connection, the message's number on it and
 * its offset, so a reply that is short, long, stale, someone else's or
 * has one flipped bit fails the check.
 */
#ifndef CONCLAB_BENCH_MSG_H
#define CONCLAB_BENCH_MSG_H
#include <stddef.h>
#include <stdint.h>

/* Fill buf with message seq of connection conn. */
void msg_fill(char *buf, size_t len, uint32_t conn, uint64_t seq);
/* Compare n received bytes got with the expected bytes want: the offset
 * of the first difference, or -1 if they are the same. */
long msg_diff(const char *want, const char *got, size_t n);
#endif
