/* day7/pool/pool_buf.c — a growing byte buffer for the pool's pipes: the
 * parent queues framed tasks in one and collects result bytes in another;
 * a worker reads its tasks through one. See pool_parts.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"
#include "day7/pool/pool_parts.h"

size_t pool_buf_used(const struct pool_buf *b)
{
    return b->end - b->start;
}

int pool_buf_reserve(struct pool_buf *b, size_t room)
{
    if (b->cap - b->end >= room)
        return 0;
    size_t used = pool_buf_used(b); /* first, move what is used to the front */
    if (used > 0)
        memmove(b->data, b->data + b->start, used);
    b->start = 0;
    b->end = used;
    if (b->cap - used >= room)
        return 0;
    size_t cap = b->cap * 2 > used + room ? b->cap * 2 : used + room;
    unsigned char *data = realloc(b->data, cap);
    if (data == NULL)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

int pool_buf_fill(struct pool_buf *b, int fd, size_t want)
{
    while (pool_buf_used(b) < want) {
        size_t room = want - pool_buf_used(b);
        if (room < POOL_READ_CHUNK)
            room = POOL_READ_CHUNK;
        if (pool_buf_reserve(b, room) < 0)
            die_errno_child("worker: out of memory");
        ssize_t n = read(fd, b->data + b->end, b->cap - b->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno_child("worker: read");
        if (n == 0)
            return 0;
        b->end += (size_t)n;
    }
    return 1;
}
