/* day10/http/http_conn.h — one client of http_server: what it is doing,
 * the bytes of its requests not yet answered, the part of its answers
 * the socket did not take yet, and the file part being sent.
 *
 * The buffers exist only while something is in flight, so an idle
 * keep-alive connection costs this struct and nothing more. While it is
 * being read, a connection reads into a buffer the server lends it (the
 * borrowed read buffer, see http_server.c); only the start of a request
 * not complete yet is copied into a buffer of its own.
 */
#ifndef CONCLAB_HTTP_CONN_H
#define CONCLAB_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "day10/http/http_api.h"
#include "day10/http/http_response.h"

enum conn_state {
    IDLE,     /* waiting for a request, none of it read yet */
    READING,  /* part of a request read */
    SENDING,  /* an answer is going out; reading waits for it */
    LINGERING /* closing after an error: dropping what still comes */
};

struct conn {
    int fd;
    enum conn_state state;
    bool close_after;  /* close once the answer is out */
    bool linger_after; /* ... lingering: the client may still be sending */
    uint32_t watching; /* the events registered with epoll_ctl (0: none) */
    char *in;          /* requests read, not yet answered: in_len bytes */
    size_t in_len, in_cap, scanned;
    char *out; /* answer bytes not yet sent: out[out_sent, out_len) */
    size_t out_len, out_sent;
    int file_fd; /* a file being sent with sendfile, or -1 */
    long long file_off, file_end;
    double deadline; /* closed then, unless it got on (clock_now()) */
};

/* Where to read c's next bytes: after what it holds, in the buffer
 * lent to it (borrowed, size bytes) if it has none; its own buffer grows
 * up to size. Sets *room; NULL if c holds size bytes already. */
char *conn_read_room(struct conn *c, char *borrowed, size_t size, size_t *room);

/* Keep rest[0..len), the start of a request not complete yet, at the
 * front of c's own buffer (copied out of the borrowed one); with len 0,
 * give the buffer up. False if out of memory. */
bool conn_keep_input(struct conn *c, const char *borrowed, const char *rest,
                     size_t len);

/* Keep data[0..len) to send on EPOLLOUT. False if out of memory. */
bool conn_keep_output(struct conn *c, const char *data, size_t len);

/* Send up to most bytes of c's file part with sendfile, adding them to
 * *sent. 1 when it is all out (the file closed), 0 if the socket is full
 * or most were sent, -1 if the client is gone. */
int conn_send_file(struct conn *c, long long most, unsigned long long *sent);

/* Close c's socket and file and free it (but not the borrowed buffer). */
void conn_free(struct conn *c, const char *borrowed);

/* The server (the struct behind http_api.h): what http_server.c's loop
 * and http_class.c's setup share. */
#define HTTP_READ_SIZE                                                         \
    ((size_t)64 * 1024) /* one read; the most unanswered bytes kept */
#define HTTP_REPLY_SIZE                                                        \
    ((size_t)256 * 1024) /* the answers made from one read */

struct http_server {
    int listen_fd;
    int spare_fd;        /* kept open for EMFILE: see common/fds.h */
    struct conn **conns; /* the course's fdmap: conns[fd], NULL if none */
    int max_fds;         /* size of conns */
    int fd_end;          /* one past the highest fd ever used */
    int epoll_fd;        /* the kernel's interest list and ready list */
    bool accepting;      /* the listening socket is watched */
    int warned;          /* said "out of file descriptors" this second */
    struct http_options opt;
    double now, next_sweep; /* clock_now() now, and at the next sweep */
    time_t date_second;
    char date[HTTP_DATE_LEN]; /* the Date header, made once a second */
    struct http_docroot docroot;
    struct http_stats stats;
    struct http_request req;
    struct http_reply reply;
    char read_buf[HTTP_READ_SIZE]; /* lent to the connection being read */
    char reply_buf[HTTP_REPLY_SIZE];
};

_Static_assert(HTTP_REPLY_SIZE >= HTTP_REPLY_MAX, "room for any one answer");
_Static_assert(HTTP_READ_SIZE > HTTP_MAX_REQUEST, "room for one request");

#endif
