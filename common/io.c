/* common/io.c — see io.h. */
#include "common/io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

ssize_t io_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    return (ssize_t)len;
}

ssize_t io_printf(int fd, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof text) {
        errno = EMSGSIZE;
        return -1;
    }
    return io_write_all(fd, text, (size_t)n);
}

ssize_t io_read_exact(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break; /* EOF: the caller sees got < len */
        got += (size_t)n;
    }
    return (ssize_t)got;
}

void line_reader_init(struct line_reader *r, int fd, char *buf, size_t size)
{
    r->fd = fd;
    r->buf = buf;
    r->size = size;
    r->start = r->end = 0;
    r->skipping = 0;
}

size_t line_reader_pending(const struct line_reader *r)
{
    return r->end - r->start;
}

/* Hand out buf[start, start+n) as a line, dropping a trailing \r. */
static int take_line(struct line_reader *r, size_t n, size_t consumed, char **line, size_t *len)
{
    char *s = r->buf + r->start;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    s[n] = '\0';
    r->start += consumed;
    *line = s;
    *len = n;
    return LINE_OK;
}

int line_read(struct line_reader *r, char **line, size_t *len)
{
    for (;;) {
        char *begin = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = memchr(begin, '\n', avail);

        if (r->skipping) { /* throw away the rest of an over-long line */
            if (nl != NULL) {
                r->start += (size_t)(nl - begin) + 1;
                r->skipping = 0;
                continue;
            }
            r->start = r->end = 0;
        } else if (nl != NULL) {
            return take_line(r, (size_t)(nl - begin), (size_t)(nl - begin) + 1, line, len);
        } else if (avail >= r->size) { /* full, and still no newline */
            r->start = r->end = 0;
            r->skipping = 1;
            return LINE_TOO_LONG;
        }

        if (r->start > 0) { /* make room: move the partial line to the front */
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        ssize_t n = read(r->fd, r->buf + r->end, r->size - r->end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return LINE_ERROR;
        }
        if (n == 0) {
            if (r->skipping || r->end == r->start) {
                r->skipping = 0;
                return LINE_EOF;
            }
            return take_line(r, r->end - r->start, r->end - r->start, line, len);
        }
        r->end += (size_t)n;
    }
}
