/* day9/ftp/ftp_data.h — FTP's second connection, and waiting with a bound.
 *
 * FTP sends commands and replies on the control connection, and every
 * file or listing on a fresh data connection of its own, whose close
 * marks the end of the transfer: no length prefix, no end marker, no
 * sleep. In passive mode (PASV, EPSV) the server opens a listening socket
 * on a port the kernel picks, tells the client the port, and accepts.
 *
 * Every wait here is bounded (a timeout) and can be cut short by the
 * server stopping: a session passes its control connection as ctrl, and
 * the server shuts that connection down when it stops (ftp_sessions.h):
 * the wait sees the hang-up and gives up.
 */
#ifndef CONCLAB_FTP_DATA_H
#define CONCLAB_FTP_DATA_H

#include <stddef.h>
#include <sys/types.h>

/* What ftp_wait_fd returns. */
enum {
    FTP_WAIT_READY = 1,    /* fd is ready (or has an error to show) */
    FTP_WAIT_TIMEOUT = 0,  /* timeout_ms passed */
    FTP_WAIT_STOPPED = -1, /* ctrl hung up: the server is stopping */
    FTP_WAIT_ERROR = -2,   /* poll failed; errno tells why */
};

/* Wait until fd has events (POLLIN, POLLOUT), at most timeout_ms
 * milliseconds, unless ctrl (-1: none) hangs up first. */
int ftp_wait_fd(int fd, short events, int ctrl, int timeout_ms);

/* Write all of buf to a non-blocking fd, waiting for room as needed
 * (ctrl as for ftp_wait_fd). Returns 0, or -1 with errno (ETIMEDOUT,
 * ECANCELED when stopping, EPIPE, ECONNRESET...). */
int ftp_send_all(int fd, const void *buf, size_t len, int ctrl, int timeout_ms);

/* Server: a listening socket for one data connection, on the local
 * address of the control connection ctrl, port chosen by the kernel.
 * Returns the socket (non-blocking), or -1 with errno. */
int ftp_pasv_listen(int ctrl);

/* Server: accept the data connection on listener, but only from the
 * control connection's peer address: a connection from anywhere else is
 * closed at once (so nobody else can steal or inject a file). Returns the
 * connected socket (non-blocking), or -1 with errno ETIMEDOUT, ECANCELED
 * (ctrl hung up: stopping) or accept's own error. */
int ftp_pasv_accept(int listener, int ctrl, int timeout_ms);

/* Client: connect to host:port (an address or a name), giving up after
 * timeout_ms: a host that never answers must not hang the client for the
 * kernel's two minutes. Returns a blocking socket, or -1 with *error
 * telling why (getaddrinfo's text, or strerror). */
int ftp_connect(const char *host, int port, int timeout_ms, const char **error);

/* Client: connect a data connection to port on the address the control
 * connection ctrl is connected to, within timeout_ms. Returns the socket
 * (blocking), or -1 with errno. */
int ftp_data_connect(int ctrl, int port, int timeout_ms);

#endif
