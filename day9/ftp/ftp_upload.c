/* day9/ftp/ftp_upload.c — the machinery of STOR (ftp_session.c): a
 * hidden temporary file beside the target, the copy from the data
 * connection into it, and the check that the client is still there.
 * The copy uses splice(2), Linux's: the upload's mirror of RETR's
 * sendfile (the bytes go socket -> pipe -> file inside the kernel).
 */
#define _GNU_SOURCE /* splice, pipe2, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "day9/ftp/ftp_data.h"
#include "day9/ftp/ftp_state.h"

#define UPLOAD_TMP ".ftp-upload-" /* hidden: LIST never shows a half upload */

/* A new hidden temporary file beside real (its name in tmp, PATH_MAX),
 * mode 0644; -1 (answered) if real is a folder or it cannot be made. */
int make_upload_file(struct session *s, const char *real, const char *vpath,
                     char *tmp)
{
    struct stat st;
    if (strcmp(vpath, "/") == 0 ||
        (stat(real, &st) == 0 && S_ISDIR(st.st_mode))) {
        reply(s, 550, "%s: is a directory.", vpath);
        return -1;
    }
    const char *slash = strrchr(real, '/');
    int n = snprintf(tmp, PATH_MAX, "%.*s/%sXXXXXX", (int)(slash - real), real,
                     UPLOAD_TMP);
    int file = n > 0 && n < PATH_MAX ? mkstemp(tmp) : -1;
    if (file >= 0 && fchmod(file, 0644) < 0) {
        close(file);
        unlink(tmp);
        file = -1;
    }
    if (file < 0)
        reply(s, 553, "%s: cannot create the file.", vpath);
    return file;
}

enum { PLAIN = -2 }; /* the file takes no spliced bytes: read and write */

/* Move the n bytes waiting in the pipe into file. 0: done; -1: the
 * write failed (ENOSPC, EDQUOT, EIO); PLAIN: the file cannot take
 * spliced bytes (EINVAL), so these were read and written instead. */
static int pipe_to_file(struct session *s, int pipe_out, int file, size_t n)
{
    bool plain = false;
    while (n > 0) {
        size_t most = n < sizeof s->buf ? n : sizeof s->buf;
        ssize_t m = plain ? read(pipe_out, s->buf, most)
                          : splice(pipe_out, NULL, file, NULL, n, 0);
        if (m < 0 && errno == EINTR)
            continue;
        if (m < 0 && errno == EINVAL && !plain) {
            plain = true;
            continue;
        }
        if (m <= 0 || (plain && io_write_all(file, s->buf, (size_t)m) < 0))
            return -1;
        n -= (size_t)m;
    }
    return plain ? PLAIN : 0;
}

static void close_pipe(const int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

/* Copy the data connection into file until the client closes it.
 * With a pipe between them, splice moves the bytes from the socket into
 * the file without a trip through this process (read and write would
 * copy each byte into s->buf and out again). Without a pipe (no fd
 * left) or where splice is refused (EINVAL), read and write do it.
 * Returns the bytes written, or -1 (and *disk true if the local write
 * failed rather than the connection). */
long long receive_file(struct session *s, int data, int file, bool *disk)
{
    long long total = 0;
    int pipe_fds[2];
    bool spliced = pipe2(pipe_fds, O_CLOEXEC) == 0;
    if (spliced) /* room for a whole chunk (may be refused: then 64 KiB) */
        (void)fcntl(pipe_fds[1], F_SETPIPE_SZ, (int)sizeof s->buf);
    *disk = false;
    for (;;) {
        ssize_t n = spliced ? splice(data, NULL, pipe_fds[1], NULL,
                                     sizeof s->buf, SPLICE_F_MOVE)
                            : read(data, s->buf, sizeof s->buf);
        if (n > 0) {
            int rc = spliced ? pipe_to_file(s, pipe_fds[0], file, (size_t)n)
                             : io_write_all(file, s->buf, (size_t)n);
            if (rc < 0 && rc != PLAIN) {
                *disk = true;
                total = -1;
                break;
            }
            if (rc == PLAIN) { /* go on without the pipe */
                close_pipe(pipe_fds);
                spliced = false;
            }
            total += n;
        } else if (n == 0) {
            break; /* the client closed: the end of the file */
        } else if (errno == EAGAIN) {
            if (ftp_wait_fd(data, POLLIN, s->ctrl, s->cfg->idle_timeout_ms) !=
                FTP_WAIT_READY) {
                total = -1; /* stalled, or the server stops */
                break;
            }
        } else if (spliced && errno == EINVAL) { /* no splice from here */
            close_pipe(pipe_fds);
            spliced = false;
        } else if (errno != EINTR) {
            total = -1; /* ECONNRESET: the client aborted */
            break;
        }
    }
    if (spliced)
        close_pipe(pipe_fds);
    return total;
}

/* After the data connection closed, is the client still there? One that
 * hung up the control connection too (killed, crashed) can never learn
 * whether its upload arrived, so its upload counts as aborted. */
bool client_hung_up(struct session *s)
{
    char c;
    if (line_reader_pending(&s->reader) > 0)
        return false; /* it already sent its next command */
    ssize_t n = recv(s->ctrl, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}
