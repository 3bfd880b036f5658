/* day10/http/http_log.h — http_server -v's access log: one line per
 * request on stderr, in the Common Log Format of Apache and nginx:
 *
 *     127.0.0.1 - - [05/Dec/2026:13:08:11 +0000] "GET / HTTP/1.1" 200 640
 */
#ifndef CONCLAB_HTTP_LOG_H
#define CONCLAB_HTTP_LOG_H

#include "day10/http/http_response.h"

/* Log the answer r to req, for the client on socket fd. */
void http_log_request(int fd, const struct http_request *req,
                      const struct http_reply *r);

#endif
