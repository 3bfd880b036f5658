/* day10/http/http_api.h — HTTPServer v2.0's class interface (类接口封装)
 *
 * The course wraps its server in a class and starts it in two lines:
 *
 *     http_server = HTTPServer("", 8000, "./html")
 *     http_server.serve_forever()
 *
 * C has no classes; the usual C way is a struct that only its own file
 * can see inside (here: http_server.c), and functions that take it as
 * their first argument, as `self` is in Python:
 *
 *     struct http_server *s = http_server_new("127.0.0.1", 8000, "html");
 *     http_server_serve_forever(s);      // until SIGINT or SIGTERM
 *     http_server_free(s);
 *
 * http_server_new is __init__ (open the folder, listen, create the epoll
 * set), http_server_free is what Python's garbage collector would do for
 * us. day10/http/hello_server.c is a whole program built on this.
 */
#ifndef CONCLAB_HTTP_API_H
#define CONCLAB_HTTP_API_H

#include <stdbool.h>

struct http_server; /* its fields are private to http_server.c */

/* Everything http_server's options can change (http_server -h). */
struct http_options {
    const char *host; /* bind address: an IP literal */
    int port;         /* 0: the kernel picks one */
    const char *dir;  /* the folder to serve; NULL: the shipped site */
    bool listing;     /* list folders that have no index.html */
    bool verbose;     /* an access-log line per request on stderr */
    long max_conns;   /* most connections open at once */
    int head_timeout; /* seconds a client has to send a request head */
    int idle_timeout; /* seconds an idle keep-alive connection stays open */
};

#define HTTP_OPTIONS_DEFAULT                                                   \
    {                                                                          \
        "127.0.0.1", 8000, NULL, false, false, 16384, 10, 15                   \
    }

/* A server on host:port serving dir, listening when this returns (it has
 * printed "listening on ADDR:PORT"); NULL (the reason printed on stderr)
 * if it cannot be set up. SIGINT and SIGTERM will stop it. */
struct http_server *http_server_new(const char *host, int port,
                                    const char *dir);

/* The same with every option (http_server.c's main uses it). */
struct http_server *http_server_open(const struct http_options *o);

/* Answer clients until SIGINT or SIGTERM; 0 then, -1 on a failed wait. */
int http_server_serve_forever(struct http_server *s);

/* Close every connection and the listening socket; free s. */
void http_server_free(struct http_server *s);

#endif
