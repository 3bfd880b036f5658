#!/bin/sh
# tour/http.sh — HTTPServer v2.0 (day10/http): start the epoll web server on
# the shipped site, ask it for two pages and its /status on one keep-alive
# connection with our own client (http_get), send it a request that tries
# to leave the docroot, and stop it (it exits 0 on SIGTERM); then the same
# server started by hello_server through the class interface (http_api.h).
. tour/lib.sh
start_server day10/http/http_server -v || exit 1
echo "--- http_get /about/ /status  (two requests, one connection)"
"$BUILD/day10/http/http_get" -p "$PORT" /about/ /status || exit 1
echo "--- a raw request for /../../etc/passwd"
printf 'GET /../../etc/passwd HTTP/1.0\r\n\r\n' | "$BUILD/day10/http/http_get" -r -p "$PORT" || exit 1
stop_server
echo "--- hello_server: the same server through its class interface (http_api.h)"
start_server day10/http/hello_server || exit 1
"$BUILD/day10/http/http_get" -p "$PORT" /status || exit 1
stop_server
