/* day9/ftp/ftp_session.c — one FTP session: the command loop on the
 * control connection, and the transfers it makes on data connections.
 * See ftp_server.c for the whole picture.
 *
 * Read it top-down: ftp_session_run (the loop: a line, a reply), then
 * the heart of the lesson, one data connection per transfer, whose close
 * is the end of the file: PASV/EPSV open it, LIST, RETR and STOR use it.
 * The other commands are next door: ftp_commands.c (the command table,
 * login, settings), ftp_folders.c (CWD, MKD, SIZE...), ftp_upload.c
 * (STOR's temporary file, and its copy with splice), ftp_state.c
 * (replies, the log, the jail).
 *
 * Every wait goes through ftp_wait_fd with the idle timeout and the
 * control connection: when the server stops it shuts that connection
 * down, and whatever the session waits for, it ends (ftp_sessions.h).
 * RETR hands the copy to the kernel with sendfile(2), declared in the
 * Linux header <sys/sendfile.h> (no feature macro needed for it); STOR,
 * the other way, with splice(2) (ftp_upload.c).
 */
#include "day9/ftp/ftp_session.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "day9/ftp/ftp_data.h"
#include "day9/ftp/ftp_list.h"
#include "day9/ftp/ftp_state.h"

/* sendfile moves at most this per call. 128 KiB calls, not one for the
 * whole file: the kernel sends fewer, fuller packets (a 1 GiB download:
 * 36,600-39,400 TCP segments instead of 41,100-44,100, nstat): 1.09 to
 * 1.25x vsftpd's speed, which makes one call (docs/bench.md). */
#define SEND_CHUNK (128L * 1024)

static int start_pasv(struct session *s);
static int open_data(struct session *s);
static void send_listing(struct session *s, const char *arg, bool names);

/* --- the control loop ------------------------------------------------ */

void ftp_session_run(int ctrl, const struct ftp_config *cfg, const char *tag)
{
    struct session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        io_printf(ctrl, "421 Out of memory; try again later.\r\n");
        shutdown(ctrl, SHUT_RDWR);
        return;
    }
    s->cfg = cfg;
    s->tag = tag;
    s->ctrl = ctrl;
    s->pasv = -1;
    strcpy(s->cwd, "/");
    line_reader_init(&s->reader, ctrl, s->line, sizeof s->line);
    if (net_peer_addr(ctrl, s->peer, sizeof s->peer) < 0)
        strcpy(s->peer, "?");
    /* Non-blocking: every wait goes through poll, with a timeout. */
    s->quit = net_set_nonblocking(ctrl, true) < 0;
    /* Replies are small writes with pauses between them (150, then 226):
     * without TCP_NODELAY, Nagle's algorithm holds a reply back until
     * the client's delayed ACK arrives, 40 ms later. */
    setsockopt(ctrl, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
    session_log(s, "connected");
    reply(s, 220,
          "conclab FTP server ready (a lab server: any user "
          "name and password log in).");

    int idle_ms = cfg->idle_timeout_ms;
    double deadline = clock_now() + idle_ms / 1000.0;
    while (!s->quit) {
        char *line;
        size_t len;
        int rc = line_read(&s->reader, &line, &len);
        if (rc == LINE_OK) {
            ftp_dispatch(s, line, len); /* ftp_commands.c */
            deadline = clock_now() + idle_ms / 1000.0;
        } else if (rc == LINE_TOO_LONG) {
            reply(s, 500, "Command line too long (at most %d bytes).",
                  FTP_LINE_MAX - 2);
        } else if (rc == LINE_ERROR && errno == EAGAIN) {
            double left = (deadline - clock_now()) * 1000.0;
            int w = ftp_wait_fd(ctrl, POLLIN, -1, left > 0 ? (int)left : 0);
            if (w == FTP_WAIT_TIMEOUT)
                reply(s, 421, "Timeout: no command for %d seconds.",
                      idle_ms / 1000);
            if (w != FTP_WAIT_READY)
                break;
        } else {
            break; /* end of file: the client left, or the server stops */
        }
    }
    drop_pasv(s);
    session_log(s, "ended after %lu commands", s->commands);
    shutdown(ctrl, SHUT_RDWR); /* the client sees the end, whoever else
                                  holds a copy of the socket */
    free(s);
}

/* --- the data connection --------------------------------------------- */

/* PASV: "Entering Passive Mode (h1,h2,h3,h4,p1,p2)", port = p1*256 + p2,
 * on the IPv4 address the client reached us on. */
void cmd_pasv(struct session *s, const char *arg)
{
    (void)arg;
    char local[NET_ADDRSTRLEN];
    unsigned a, b, c, d;
    if (net_local_addr(s->ctrl, local, sizeof local) < 0 ||
        (sscanf(local, "%u.%u.%u.%u:", &a, &b, &c, &d) != 4 &&
         sscanf(local, "[::ffff:%u.%u.%u.%u]:", &a, &b, &c, &d) != 4)) {
        reply(s, 522, "PASV is for IPv4; use EPSV.");
        return;
    }
    int port = start_pasv(s);
    if (port >= 0)
        reply(s, 227, "Entering Passive Mode (%u,%u,%u,%u,%d,%d).", a, b, c, d,
              port / 256, port % 256);
}

/* EPSV (RFC 2428): only the port, "(|||port|)"; for IPv4 and IPv6. */
void cmd_epsv(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "ALL") == 0) {
        reply(s, 200, "EPSV ALL ok.");
        return;
    }
    if (arg[0] != '\0' && strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0) {
        reply(s, 522, "Network protocol not supported, use (1,2).");
        return;
    }
    int port = start_pasv(s);
    if (port >= 0)
        reply(s, 229, "Entering Extended Passive Mode (|||%d|).", port);
}

/* Open the passive listener and return its port, or -1 (answered). */
static int start_pasv(struct session *s)
{
    drop_pasv(s);
    s->pasv = ftp_pasv_listen(s->ctrl);
    if (s->pasv < 0) {
        reply(s, 425, "Cannot open a data port.");
        return -1;
    }
    return net_local_port(s->pasv);
}

/* Accept the client's data connection on the PASV/EPSV listener, only
 * from the client's own address, within the timeout. One transfer per
 * PASV: the listener is closed either way. -1 (answered 425) on failure. */
static int open_data(struct session *s)
{
    if (s->pasv < 0) {
        reply(s, 425, "Use PASV or EPSV first (no active mode).");
        return -1;
    }
    int fd = ftp_pasv_accept(s->pasv, s->ctrl, s->cfg->idle_timeout_ms);
    drop_pasv(s);
    if (fd < 0) {
        s->quit = errno == ECANCELED; /* the server stops */
        reply(s, 425, "No data connection from you (timed out).");
    }
    return fd;
}

/* --- the transfers --------------------------------------------------- */

void cmd_list(struct session *s, const char *arg)
{
    send_listing(s, arg, false);
}

void cmd_nlst(struct session *s, const char *arg)
{
    send_listing(s, arg, true);
}

/* LIST and NLST: build the listing first (a missing folder answers 550
 * before any data connection), then send it and close: the close tells
 * the client the listing is complete. */
static void send_listing(struct session *s, const char *arg, bool names)
{
    while (arg[0] == '-') { /* "LIST -la": ls options; skip them */
        arg += strcspn(arg, " ");
        arg += strspn(arg, " ");
    }
    char vpath[PATH_MAX], real[PATH_MAX], *text;
    size_t len;
    if (!resolve(s, arg[0] != '\0' ? arg : ".", true, vpath, real))
        return;
    if (ftp_list_build(s->cfg->root, vpath, names, &text, &len) < 0) {
        reply(s, 550, "%s: cannot list.", vpath);
        return;
    }
    int data = open_data(s);
    if (data >= 0) {
        reply(s, 150, "Here comes the listing of %s.", vpath);
        int rc =
            ftp_send_all(data, text, len, s->ctrl, s->cfg->idle_timeout_ms);
        close(data); /* the end of the listing */
        if (rc == 0)
            reply(s, 226, "Listing sent.");
        else
            reply(s, 426, "Data connection failed; listing aborted.");
    }
    free(text);
}

/* RETR: the file goes out on the data connection with sendfile (the
 * kernel copies from the page cache to the socket, no trip through this
 * process), and the close of the data connection marks its end. The
 * bytes are sent as they are on disk, in TYPE A as in TYPE I. */
void cmd_retr(struct session *s, const char *arg)
{
    char vpath[PATH_MAX];
    struct stat st;
    int data, file = open_plain_file(s, arg, vpath, &st);
    if (file < 0 || (data = open_data(s)) < 0) {
        if (file >= 0)
            close(file);
        return;
    }
    reply(s, 150, "Opening %s mode data connection for %s (%lld bytes).",
          s->binary ? "BINARY" : "ASCII", base_name(vpath),
          (long long)st.st_size);
    double start = clock_now();
    off_t offset = 0;
    int failure = 0; /* 0, or why it stopped: an errno */
    while (offset < st.st_size && failure == 0) {
        off_t left = st.st_size - offset;
        size_t chunk = (size_t)(left < SEND_CHUNK ? left : SEND_CHUNK);
        ssize_t n = sendfile(data, file, &offset, chunk);
        if (n > 0 || (n < 0 && errno == EINTR))
            continue; /* sendfile moved offset on by n */
        if (n == 0)
            failure = EIO; /* the file shrank under us */
        else if (errno != EAGAIN)
            failure = errno; /* EPIPE, ECONNRESET: the client closed */
        else if (ftp_wait_fd(data, POLLOUT, s->ctrl, s->cfg->idle_timeout_ms) !=
                 FTP_WAIT_READY)
            failure = ETIMEDOUT; /* stalled, or the server stops */
    }
    close(data); /* THE end-of-file marker: the client sees it close */
    close(file);
    if (failure != 0) {
        session_log(s, "RETR %s aborted after %lld bytes", vpath,
                    (long long)offset);
        reply(s, 426, "Transfer aborted (%s).",
              failure == ETIMEDOUT ? "stalled"
              : failure == EIO     ? "file changed"
                                   : "closed");
        return;
    }
    session_log(s, "RETR %s: %lld bytes in %.3f s", vpath, (long long)offset,
                clock_now() - start);
    reply(s, 226, "Transfer complete.");
}

/* STOR: the upload goes into a hidden temporary file in the target
 * folder, renamed over the final name only once all of it arrived. An
 * aborted upload deletes the temporary file: nobody ever sees half a file
 * under the real name, and a failed upload never destroys the old file. */
void cmd_stor(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX], tmp[PATH_MAX];
    if (refuse_if_read_only(s) || !resolve(s, arg, false, vpath, real))
        return;
    int data, file = make_upload_file(s, real, vpath, tmp);
    if (file < 0 || (data = open_data(s)) < 0) {
        if (file >= 0 && close(file) == 0)
            unlink(tmp);
        return;
    }
    reply(s, 150, "Ok to send data for %s.", base_name(vpath));
    double start = clock_now();
    bool disk_error;
    long long got = receive_file(s, data, file, &disk_error);
    close(data);
    if (got >= 0 && client_hung_up(s))
        got = -1; /* it can never learn whether the upload arrived */
    if (close(file) < 0 && got >= 0) /* some file systems report here */
        got = -1, disk_error = true;
    if (got >= 0 && rename(tmp, real) < 0)
        got = -1, disk_error = true;
    if (got < 0) {
        unlink(tmp); /* no half file, ever */
        session_log(s, "STOR %s aborted; temporary file removed", vpath);
        if (disk_error)
            reply(s, 451, "%s: local write error; upload discarded.", vpath);
        else
            reply(s, 426, "Connection closed; upload of %s discarded.", vpath);
        return;
    }
    session_log(s, "STOR %s: %lld bytes in %.3f s", vpath, got,
                clock_now() - start);
    reply(s, 226, "Transfer complete (%lld bytes).", got);
}
