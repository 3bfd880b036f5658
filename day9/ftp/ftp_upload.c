/* day9/ftp/ftp_upload.c — the machinery of STOR (ftp_session.c): a
 * hidden temporary file beside the target, the copy from the data
 * connection into it, and the check that the client is still there.
 */
#include <errno.h>
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

/* Copy the data connection into file until the client closes it.
 * Returns the bytes written, or -1 (and *disk true if the local write
 * failed rather than the connection). */
long long receive_file(struct session *s, int data, int file, bool *disk)
{
    long long total = 0;
    *disk = false;
    for (;;) {
        ssize_t n = read(data, s->buf, sizeof s->buf);
        if (n > 0) {
            if (io_write_all(file, s->buf, (size_t)n) < 0) {
                *disk = true; /* ENOSPC, EDQUOT, EIO */
                return -1;
            }
            total += n;
        } else if (n == 0) {
            return total; /* the client closed: the end of the file */
        } else if (errno == EAGAIN) {
            if (ftp_wait_fd(data, POLLIN, s->ctrl, s->cfg->idle_timeout_ms) !=
                FTP_WAIT_READY)
                return -1; /* stalled, or the server stops */
        } else if (errno != EINTR) {
            return -1; /* ECONNRESET: the client aborted */
        }
    }
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
