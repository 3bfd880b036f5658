/* day10/http/http_response.h — the answers of HTTPServer v2.0: a status
 * line, the headers, and a body from memory or (for a large file) the
 * bytes to send with sendfile. No IO on sockets here: the event loop in
 * http_server.c sends what these functions put in a struct http_reply.
 *
 * An answer looks like this (every line ends in CRLF):
 *
 *     HTTP/1.1 200 OK
 *     Server: conclab-http
 *     Date: Sun, 06 Nov 1994 08:49:37 GMT
 *     Content-Type: text/html; charset=utf-8
 *     Content-Length: 612
 *     Last-Modified: Sat, 05 Nov 1994 10:00:00 GMT
 *     Accept-Ranges: bytes
 *     Connection: keep-alive
 *                                         (an empty line, then the body)
 */
#ifndef CONCLAB_HTTP_RESPONSE_H
#define CONCLAB_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "day10/http/http_file.h"
#include "day10/http/http_parse.h"

#define HTTP_SERVER_NAME "conclab-http"
/* The most one answer can put in a reply buffer (a folder listing is cut
 * to fit), so an empty buffer of this size always has room for it. */
#define HTTP_REPLY_MAX ((size_t)160 * 1024)

/* The counters GET /status shows. */
struct http_stats {
    double started;                /* clock_now() at start */
    long connections;              /* open now */
    unsigned long long requests;   /* answered */
    unsigned long long bytes_sent; /* heads and bodies */
};

/* Answers to send on one connection, in order: buf, then (for a large
 * file, always last) file_len bytes of file_fd from file_off. */
struct http_reply {
    char *buf; /* heads and in-memory bodies, cap bytes */
    size_t len, cap;
    int file_fd; /* a dup of the cached file's fd, owned by the reply; or -1 */
    long long file_off, file_len;
    bool close;  /* close the connection after sending */
    bool linger; /* ... and read what the client still sends, before closing */
    int status;  /* of the last answer, for the access log */
    long long body_len;
};

/* Everything an answer depends on besides the request. */
struct http_context {
    struct http_docroot *docroot;
    const struct http_stats *stats;
    double now;       /* clock_now() */
    const char *date; /* the current time as an HTTP date */
};

/* Empty r (buf and cap stay), no file part. */
void http_reply_reset(struct http_reply *r);

/* Append the answer to req, which http_parse_request returned status for,
 * to r. Returns 0, or -1 if it does not fit in r's free space (r is then
 * unchanged: send what is there and call again). */
int http_respond(const struct http_context *ctx, const struct http_request *req,
                 int status, struct http_reply *r);

/* The reason phrase of a status ("Not Found"). */
const char *http_reason(int status);

#endif
