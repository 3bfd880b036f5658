/* common/io.h — robust reads and writes on blocking fds (sockets, pipes,
 * files): retry on EINTR, finish partial writes, read whole lines safely.
 */
#ifndef CONCLAB_IO_H
#define CONCLAB_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all len bytes of buf; returns len, or -1 with errno set. */
ssize_t io_write_all(int fd, const void *buf, size_t len);

/* Write a formatted string with io_write_all (at most 4 KiB). */
ssize_t io_printf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read exactly len bytes; returns len, fewer if EOF came first, or -1. */
ssize_t io_read_exact(int fd, void *buf, size_t len);

/* A buffered line reader over one fd, using a buffer the caller owns.
 * A line may be at most size - 1 bytes long, not counting its \n. */
struct line_reader {
    int fd;
    char *buf;
    size_t size;  /* capacity of buf */
    size_t start; /* first unread byte */
    size_t end;   /* one past the last byte read from fd */
    int skipping; /* discarding the rest of an over-long line */
};

/* What line_read returns. */
enum {
    LINE_OK = 1,        /* *line is a NUL-terminated line without its \n or \r\n */
    LINE_EOF = 0,       /* no more input (a last line without \n came as LINE_OK) */
    LINE_ERROR = -1,    /* read failed; errno tells why */
    LINE_TOO_LONG = -2, /* the line did not fit; it is discarded, reading can go on */
};

/* Set up reader r on fd with buffer buf of size bytes (size >= 2). */
void line_reader_init(struct line_reader *r, int fd, char *buf, size_t size);

/* Read the next line; on LINE_OK, *line points into the reader's buffer
 * (valid until the next call) and *len is its length. Like all of io_*,
 * it retries on EINTR: a caught signal does not end the wait (to stop a
 * blocked reader, shutdown() its socket, or use a timeout). */
int line_read(struct line_reader *r, char **line, size_t *len);

/* How many bytes are buffered but not yet returned as lines. */
size_t line_reader_pending(const struct line_reader *r);

#endif
