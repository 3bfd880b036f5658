/* common/net.h — socket plumbing: listen, connect, bind, addresses.
 *
 * These helpers never exit: on failure they return -1 and net_error()
 * tells what went wrong (getaddrinfo's own text, or the failing call and
 * strerror). The caller decides whether that ends the program.
 */
#ifndef CONCLAB_NET_H
#define CONCLAB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Room for "[IPv6 address]:port" plus the terminating NUL. */
#define NET_ADDRSTRLEN 64

/* Why the last net_* call of this thread failed. */
const char *net_error(void);

/* A TCP socket bound to host:port (IPv4 or IPv6 literal or name; port 0
 * lets the kernel choose) and listening with backlog; SO_REUSEADDR set. */
int net_tcp_listen(const char *host, int port, int backlog);

/* A TCP socket connected to host:port (blocking connect). */
int net_tcp_connect(const char *host, int port);

/* A UDP socket bound to host:port (port 0: the kernel chooses); no
 * SO_REUSEADDR, so a second server on the same port fails with EADDRINUSE. */
int net_udp_bind(const char *host, int port);

/* A UDP socket whose default peer is host:port, so send/recv work. */
int net_udp_connect(const char *host, int port);

/* Format addr as "1.2.3.4:80" or "[::1]:80" into out (NET_ADDRSTRLEN). */
int net_format_addr(const struct sockaddr *addr, socklen_t len, char *out, size_t size);

/* Do a and b name the same host (IPv4 or IPv6 address; an IPv4-mapped
 * IPv6 address counts as the IPv4 one)? The ports are not compared.
 * sockaddrs have padding, so never memcmp two of them whole. */
bool net_same_host(const struct sockaddr *a, const struct sockaddr *b);

/* The same host and the same port? */
bool net_same_endpoint(const struct sockaddr *a, const struct sockaddr *b);

/* The local address of fd, formatted as by net_format_addr. */
int net_local_addr(int fd, char *out, size_t size);

/* The peer address of fd, formatted as by net_format_addr. */
int net_peer_addr(int fd, char *out, size_t size);

/* The local port of fd, or -1. */
int net_local_port(int fd);

/* Print "listening on ADDR:PORT" for fd on stdout and flush it. */
int net_print_listening(int fd);

/* Turn O_NONBLOCK on or off for fd. */
int net_set_nonblocking(int fd, bool on);

/* Ignore SIGPIPE, so a write to a closed peer fails with EPIPE instead of
 * killing the process. */
int net_ignore_sigpipe(void);

#endif
