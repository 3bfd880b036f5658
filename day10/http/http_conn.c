/* day10/http/http_conn.c — see http_conn.h. */
#define _GNU_SOURCE /* sendfile */
#include "day10/http/http_conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

char *conn_read_room(struct conn *c, char *borrowed, size_t size, size_t *room)
{
    if (c->in == NULL) {
        c->in = borrowed;
        c->in_cap = size;
    } else if (c->in_len == c->in_cap) {
        size_t cap = 2 * c->in_cap;
        char *in = cap <= size ? realloc(c->in, cap) : NULL;
        if (in == NULL)
            return NULL;
        c->in = in;
        c->in_cap = cap;
    }
    *room = c->in_cap - c->in_len;
    return c->in + c->in_len;
}

bool conn_keep_input(struct conn *c, const char *borrowed, const char *rest,
                     size_t len)
{
    if (len == 0) {
        if (c->in != borrowed)
            free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    } else if (c->in == borrowed) { /* make it c's own */
        size_t cap = 4096;
        while (cap < len)
            cap *= 2;
        char *in = malloc(cap);
        if (in == NULL)
            return false;
        memcpy(in, rest, len);
        c->in = in;
        c->in_cap = cap;
    } else if (rest != c->in) {
        memmove(c->in, rest, len);
    }
    c->in_len = len;
    return true;
}

bool conn_keep_output(struct conn *c, const char *data, size_t len)
{
    free(c->out);
    c->out = malloc(len);
    c->out_len = c->out_sent = 0;
    if (c->out == NULL)
        return false;
    memcpy(c->out, data, len);
    c->out_len = len;
    return true;
}

int conn_send_file(struct conn *c, long long most, unsigned long long *sent)
{
    while (c->file_fd >= 0 && c->file_off < c->file_end) {
        if (most <= 0)
            return 0; /* its turn is over */
        long long want = c->file_end - c->file_off;
        off_t off = (off_t)c->file_off;
        ssize_t n = sendfile(c->fd, c->file_fd, &off,
                             (size_t)(want < most ? want : most));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            return -1; /* the client is gone, or the file shrank */
        c->file_off += n;
        most -= n;
        *sent += (unsigned long long)n;
    }
    if (c->file_fd >= 0)
        close(c->file_fd);
    c->file_fd = -1;
    return 1;
}

void conn_free(struct conn *c, const char *borrowed)
{
    close(c->fd); /* also takes it off epoll's interest list */
    if (c->file_fd >= 0)
        close(c->file_fd);
    if (c->in != borrowed)
        free(c->in);
    free(c->out);
    free(c);
}
