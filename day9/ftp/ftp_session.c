/* day9/ftp/ftp_session.c — one FTP session: the command loop on the
 * control connection, and the data connections it opens for LIST, NLST,
 * RETR and STOR. See ftp_server.c for the whole picture.
 *
 * RETR hands the copy to the kernel with sendfile(2), declared in the
 * Linux header <sys/sendfile.h> (no feature macro needed for it).
 *
 * Reading order: ftp_session_run (the loop) at the bottom, the command
 * table above it, then each command; the transfers (RETR, STOR, LIST) are
 * the heart of the lesson: one data connection per transfer, and its
 * close is the end of the file.
 */
#include "day9/ftp/ftp_session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/io.h"
#include "common/net.h"
#include "common/path.h"
#include "day9/ftp/ftp_command.h"
#include "day9/ftp/ftp_data.h"
#include "day9/ftp/ftp_list.h"

#define XFER_BUF   (256 * 1024)   /* STOR reads the data connection in chunks this big */
#define SEND_CHUNK (1L << 30)     /* sendfile moves at most this much per call */
#define UPLOAD_TMP ".ftp-upload-" /* a hidden name: LIST never shows a half upload */

/* Everything one session knows. Nothing of it is process-wide, so a
 * thread per session is as safe as a process per session. */
struct session {
    const struct ftp_config *cfg;
    const char *tag;            /* "pid 4242" or "thread 7", for the log */
    char peer[NET_ADDRSTRLEN];  /* the client's address, for the log */
    int ctrl;                   /* the control connection (non-blocking) */
    struct line_reader reader;  /* reads the command lines from ctrl */
    char line[FTP_LINE_MAX];    /* the reader's buffer: lines are bounded */
    char cwd[PATH_MAX];         /* the virtual current folder; "/" is the root */
    bool user_given, logged_in; /* USER, then PASS */
    bool binary;                /* TYPE I (TYPE A sends the same bytes) */
    bool quit;                  /* QUIT, a dead connection, or the server stopping */
    int pasv;                   /* the listening data socket after PASV/EPSV, or -1 */
    unsigned long commands;     /* how many command lines it handled */
    char buf[XFER_BUF];         /* STOR's transfer buffer */
};

/* --- replies and the log ------------------------------------------------- */

/* Send "CODE text\r\n" on the control connection. A client that cannot
 * take even a reply is gone: the session ends. */
static void reply(struct session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reply(struct session *s, int code, const char *fmt, ...)
{
    char text[PATH_MAX + 256];
    int n = snprintf(text, sizeof text, "%d ", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n - 2, fmt, ap); /* keeps room for CRLF */
    va_end(ap);
    size_t len = strlen(text);
    memcpy(text + len, "\r\n", 3);
    if (ftp_send_all(s->ctrl, text, len + 2, s->cfg->stop_fd, s->cfg->idle_timeout_ms) < 0)
        s->quit = true;
}

/* One line on the server's stdout: "[pid 4242] 127.0.0.1:50000 text". */
static void session_log(const struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void session_log(const struct session *s, const char *fmt, ...)
{
    char text[PATH_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    printf("[%s] %s %s\n", s->tag, s->peer, text); /* one call: lines never mix */
    fflush(stdout);
}

/* Copy text for the log, with control characters (a hostile client's
 * "\r" or terminal escapes) shown as '?'. */
static void printable(char *out, size_t size, const char *text)
{
    size_t i = 0;
    for (; text[i] != '\0' && i + 1 < size; i++)
        out[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
    out[i] = '\0';
}

/* --- the jail ---------------------------------------------------------------
 * Every path a client names goes through here: path_normalize joins it to
 * the virtual cwd and resolves "." and ".." as text (it cannot climb above
 * "/"), path_in_root maps it onto the disk and checks with realpath that
 * no symlink leads out. Replies name only the virtual path, never where
 * the library really is on the disk. */

/* Resolve arg into vpath (virtual) and real (on disk); on failure it has
 * already answered the client. must_exist false: for a name about to be
 * created, only its folder must exist. */
static bool resolve(struct session *s, const char *arg, bool must_exist, char *vpath, char *real)
{
    if (path_normalize(s->cwd, arg, vpath, PATH_MAX) < 0) {
        if (errno == ENAMETOOLONG)
            reply(s, 550, "Path too long.");
        else
            reply(s, 501, "Bad file name (control characters are not allowed).");
        return false;
    }
    if (path_in_root(s->cfg->root, vpath, must_exist, real, PATH_MAX) < 0) {
        if (errno == EACCES)
            reply(s, 550, "%s: permission denied.", vpath);
        else
            reply(s, 550, "%s: no such file or directory.", vpath);
        return false;
    }
    return true;
}

/* The last component of a virtual path, for messages. */
static const char *base_name(const char *vpath)
{
    const char *slash = strrchr(vpath, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : vpath;
}

/* --- the data connection ------------------------------------------------- */

/* Close the passive listener, if there is one. */
static void drop_pasv(struct session *s)
{
    if (s->pasv >= 0)
        close(s->pasv);
    s->pasv = -1;
}

/* Accept the client's data connection on the PASV/EPSV listener, only
 * from the client's own address, within the timeout. One transfer per
 * PASV: the listener is closed either way. -1 (answered 425) on failure. */
static int open_data(struct session *s)
{
    if (s->pasv < 0) {
        reply(s, 425, "Use PASV or EPSV first (active mode is not supported).");
        return -1;
    }
    int fd = ftp_pasv_accept(s->pasv, s->ctrl, s->cfg->stop_fd, s->cfg->idle_timeout_ms);
    drop_pasv(s);
    if (fd < 0) {
        if (errno == ECANCELED)
            s->quit = true;
        reply(s, 425, "No data connection from you (timed out).");
    }
    return fd;
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

/* --- commands: login and session state ----------------------------------- */

static void cmd_user(struct session *s, const char *arg)
{
    char name[64];
    printable(name, sizeof name, arg);
    session_log(s, "USER %s", name);
    s->user_given = true;
    s->logged_in = false;
    reply(s, 331, "User name okay; any password will do (a lab server).");
}

static void cmd_pass(struct session *s, const char *arg)
{
    (void)arg; /* a lab server: every password is right (see the usage) */
    if (!s->user_given) {
        reply(s, 503, "Log in with USER first.");
        return;
    }
    if (!s->logged_in)
        session_log(s, "logged in");
    s->logged_in = true;
    reply(s, 230, "Login successful.");
}

static void cmd_quit(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 221, "Goodbye.");
    s->quit = true;
}

static void cmd_syst(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 215, "UNIX Type: L8");
}

static void cmd_feat(struct session *s, const char *arg)
{
    (void)arg;
    static const char features[] = "211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n MDTM\r\n"
                                   " UTF8\r\n TVFS\r\n211 End\r\n";
    if (ftp_send_all(s->ctrl, features, sizeof features - 1, s->cfg->stop_fd,
                     s->cfg->idle_timeout_ms) < 0)
        s->quit = true;
}

static void cmd_opts(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "UTF8 ON") == 0)
        reply(s, 200, "UTF8 mode is always on.");
    else
        reply(s, 501, "Option not understood.");
}

static void cmd_noop(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 200, "NOOP ok.");
}

static void cmd_help(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 214,
          "Commands: USER PASS QUIT SYST FEAT OPTS NOOP PWD CWD CDUP TYPE MODE STRU "
          "PASV EPSV LIST NLST RETR STOR SIZE MDTM DELE MKD RMD ABOR ALLO HELP.");
}

static void cmd_type(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "I") == 0 || strcasecmp(arg, "L 8") == 0)
        s->binary = true;
    else if (strcasecmp(arg, "A") == 0 || strcasecmp(arg, "A N") == 0)
        s->binary = false; /* ASCII is accepted, but the bytes are sent as they are */
    else {
        reply(s, 504, "Only TYPE A and TYPE I are supported.");
        return;
    }
    reply(s, 200, "Type set to %s.", s->binary ? "I" : "A");
}

static void cmd_mode(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "S") == 0)
        reply(s, 200, "Mode set to S.");
    else
        reply(s, 504, "Only MODE S (stream) is supported.");
}

static void cmd_stru(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "F") == 0)
        reply(s, 200, "Structure set to F.");
    else
        reply(s, 504, "Only STRU F (file) is supported.");
}

static void cmd_allo(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 202, "ALLO is not needed.");
}

static void cmd_abor(struct session *s, const char *arg)
{
    (void)arg;
    drop_pasv(s);
    reply(s, 226, "No transfer to abort.");
}

/* --- commands: folders --------------------------------------------------- */

static void cmd_pwd(struct session *s, const char *arg)
{
    (void)arg;
    char quoted[2 * PATH_MAX]; /* RFC 959: a '"' inside the name is doubled */
    size_t n = 0;
    for (const char *p = s->cwd; *p != '\0' && n + 2 < sizeof quoted; p++) {
        if (*p == '"')
            quoted[n++] = '"';
        quoted[n++] = *p;
    }
    quoted[n] = '\0';
    reply(s, 257, "\"%s\" is the current directory.", quoted);
}

static void cmd_cwd(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    if (!resolve(s, arg, true, vpath, real))
        return;
    struct stat st;
    if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
        reply(s, 550, "%s: not a directory.", vpath);
        return;
    }
    snprintf(s->cwd, sizeof s->cwd, "%s", vpath); /* the session's own cwd: no chdir() */
    reply(s, 250, "Directory changed to %s.", vpath);
}

static void cmd_cdup(struct session *s, const char *arg)
{
    (void)arg;
    cmd_cwd(s, "..");
}

static bool refuse_if_read_only(struct session *s)
{
    if (s->cfg->read_only)
        reply(s, 550, "Permission denied: this server is read-only.");
    return s->cfg->read_only;
}

static void cmd_mkd(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    if (refuse_if_read_only(s) || !resolve(s, arg, false, vpath, real))
        return;
    if (mkdir(real, 0755) < 0) {
        reply(s, 550, "%s: %s.", vpath, errno == EEXIST ? "already exists" : "cannot create");
        return;
    }
    session_log(s, "MKD %s", vpath);
    reply(s, 257, "\"%s\" created.", vpath);
}

static void cmd_rmd(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    if (refuse_if_read_only(s) || !resolve(s, arg, true, vpath, real))
        return;
    if (strcmp(vpath, "/") == 0 || rmdir(real) < 0) {
        reply(s, 550, "%s: %s.", vpath,
              errno == ENOTEMPTY || errno == EEXIST ? "directory not empty" : "cannot remove");
        return;
    }
    session_log(s, "RMD %s", vpath);
    reply(s, 250, "Directory removed.");
}

static void cmd_dele(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    struct stat st;
    if (refuse_if_read_only(s) || !resolve(s, arg, true, vpath, real))
        return;
    if (lstat(real, &st) < 0 || S_ISDIR(st.st_mode)) {
        reply(s, 550, "%s: not a file (use RMD for a directory).", vpath);
        return;
    }
    if (unlink(real) < 0) { /* a symlink is removed itself, never its target */
        reply(s, 550, "%s: cannot delete.", vpath);
        return;
    }
    session_log(s, "DELE %s", vpath);
    reply(s, 250, "Deleted %s.", vpath);
}

/* Open the regular file at arg for reading, with its stat; -1 (answered)
 * if it is missing, outside the root, or not a plain file. O_NONBLOCK:
 * opening a FIFO someone left in the library must not hang the session. */
static int open_plain_file(struct session *s, const char *arg, char *vpath, struct stat *st)
{
    char real[PATH_MAX];
    if (!resolve(s, arg, true, vpath, real))
        return -1;
    int fd = open(real, O_RDONLY | O_NONBLOCK);
    if (fd >= 0 && fstat(fd, st) == 0 && S_ISREG(st->st_mode))
        return fd;
    if (fd >= 0)
        close(fd);
    reply(s, 550, "%s: not a plain file.", vpath);
    return -1;
}

static void cmd_size(struct session *s, const char *arg)
{
    char vpath[PATH_MAX];
    struct stat st;
    int fd = open_plain_file(s, arg, vpath, &st);
    if (fd < 0)
        return;
    close(fd);
    reply(s, 213, "%lld", (long long)st.st_size);
}

static void cmd_mdtm(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], stamp[32];
    struct stat st;
    struct tm tm;
    int fd = open_plain_file(s, arg, vpath, &st);
    if (fd < 0)
        return;
    close(fd);
    if (gmtime_r(&st.st_mtime, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm) == 0) {
        reply(s, 550, "%s: no modification time.", vpath);
        return;
    }
    reply(s, 213, "%s", stamp); /* RFC 3659: always UTC */
}

/* --- commands: the transfers --------------------------------------------- */

/* PASV: "Entering Passive Mode (h1,h2,h3,h4,p1,p2)", port = p1*256 + p2,
 * on the IPv4 address the client reached us on. */
static void cmd_pasv(struct session *s, const char *arg)
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
        reply(s, 227, "Entering Passive Mode (%u,%u,%u,%u,%d,%d).", a, b, c, d, port / 256,
              port % 256);
}

/* EPSV (RFC 2428): only the port, "(|||port|)"; works for IPv4 and IPv6. */
static void cmd_epsv(struct session *s, const char *arg)
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

/* LIST and NLST: build the listing first (so a missing folder answers 550
 * before any data connection), then send it and close: the close tells
 * the client the listing is complete. */
static void send_listing(struct session *s, const char *arg, bool names_only)
{
    while (arg[0] == '-') { /* "LIST -la": ls options some clients send; skip them */
        arg += strcspn(arg, " ");
        arg += strspn(arg, " ");
    }
    char vpath[PATH_MAX], real[PATH_MAX];
    if (!resolve(s, arg[0] != '\0' ? arg : ".", true, vpath, real))
        return;
    char *text;
    size_t len;
    if (ftp_list_build(s->cfg->root, vpath, names_only, &text, &len) < 0) {
        reply(s, 550, "%s: cannot list.", vpath);
        return;
    }
    int data = open_data(s);
    if (data >= 0) {
        reply(s, 150, "Here comes the listing of %s.", vpath);
        int rc = ftp_send_all(data, text, len, s->cfg->stop_fd, s->cfg->idle_timeout_ms);
        close(data); /* end of the listing */
        if (rc == 0)
            reply(s, 226, "Listing sent.");
        else
            reply(s, 426, "Data connection failed; listing aborted.");
    }
    free(text);
}

static void cmd_list(struct session *s, const char *arg)
{
    send_listing(s, arg, false);
}

static void cmd_nlst(struct session *s, const char *arg)
{
    send_listing(s, arg, true);
}

/* RETR: the file goes out on the data connection with sendfile (the
 * kernel copies from the page cache to the socket, no trip through this
 * process), and the close of the data connection marks its end. The
 * bytes are sent as they are on disk, in TYPE A as in TYPE I. */
static void cmd_retr(struct session *s, const char *arg)
{
    char vpath[PATH_MAX];
    struct stat st;
    int file = open_plain_file(s, arg, vpath, &st);
    if (file < 0)
        return;
    int data = open_data(s);
    if (data < 0) {
        close(file);
        return;
    }
    reply(s, 150, "Opening %s mode data connection for %s (%lld bytes).",
          s->binary ? "BINARY" : "ASCII", base_name(vpath), (long long)st.st_size);
    double start = clock_now();
    off_t offset = 0;
    int failure = 0; /* 0, or why it stopped: an errno */
    while (offset < st.st_size) {
        off_t left = st.st_size - offset;
        ssize_t n = sendfile(data, file, &offset, (size_t)(left < SEND_CHUNK ? left : SEND_CHUNK));
        if (n > 0)
            continue; /* sendfile moved offset on by n */
        if (n == 0) {
            failure = EIO; /* the file shrank under us */
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            failure = errno; /* EPIPE, ECONNRESET: the client closed */
            break;
        }
        int w = ftp_wait_fd(data, POLLOUT, s->cfg->stop_fd, s->cfg->idle_timeout_ms);
        if (w != FTP_WAIT_READY) {
            failure = w == FTP_WAIT_STOPPED ? ECANCELED : ETIMEDOUT;
            break;
        }
    }
    close(data); /* THE end-of-file marker: the client sees the connection close */
    close(file);
    if (failure == ECANCELED)
        s->quit = true;
    if (failure != 0) {
        session_log(s, "RETR %s aborted after %lld bytes", vpath, (long long)offset);
        reply(s, 426, "Transfer aborted (%s).",
              failure == ETIMEDOUT ? "stalled"
              : failure == EIO     ? "file changed"
                                   : "closed");
        return;
    }
    session_log(s, "RETR %s: %lld bytes in %.3f s", vpath, (long long)offset, clock_now() - start);
    reply(s, 226, "Transfer complete.");
}

/* After the data connection closed, is the client still there? One that
 * hung up the control connection too (killed, crashed) can never learn
 * whether its upload arrived, so its upload counts as aborted. */
static bool client_hung_up(struct session *s)
{
    char c;
    if (line_reader_pending(&s->reader) > 0)
        return false; /* it already sent its next command */
    ssize_t n = recv(s->ctrl, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Copy the data connection into file until the client closes it.
 * Returns the bytes written, or -1 with errno (and *disk true if the
 * local write failed rather than the connection). */
static long long receive_file(struct session *s, int data, int file, bool *disk)
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
            return total; /* the client closed: that is the end of the file */
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int w = ftp_wait_fd(data, POLLIN, s->cfg->stop_fd, s->cfg->idle_timeout_ms);
            if (w != FTP_WAIT_READY) {
                errno = w == FTP_WAIT_STOPPED ? ECANCELED : ETIMEDOUT;
                return -1;
            }
        } else if (errno != EINTR) {
            return -1; /* ECONNRESET: the client aborted */
        }
    }
}

/* STOR: the upload goes into a hidden temporary file in the target
 * folder, renamed over the final name only once all of it arrived. An
 * aborted upload deletes the temporary file: nobody ever sees half a file
 * under the real name, and a failed upload never destroys the old file. */
static void cmd_stor(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX], tmp[PATH_MAX];
    if (refuse_if_read_only(s) || !resolve(s, arg, false, vpath, real))
        return;
    struct stat st;
    if (strcmp(vpath, "/") == 0 || (stat(real, &st) == 0 && S_ISDIR(st.st_mode))) {
        reply(s, 550, "%s: is a directory.", vpath);
        return;
    }
    const char *slash = strrchr(real, '/');
    int n = snprintf(tmp, sizeof tmp, "%.*s/%sXXXXXX", (int)(slash - real), real, UPLOAD_TMP);
    int file = n > 0 && (size_t)n < sizeof tmp ? mkstemp(tmp) : -1;
    if (file < 0 || fchmod(file, 0644) < 0) {
        if (file >= 0) {
            close(file);
            unlink(tmp);
        }
        reply(s, 553, "%s: cannot create the file.", vpath);
        return;
    }
    int data = open_data(s);
    if (data < 0) {
        close(file);
        unlink(tmp);
        return;
    }
    reply(s, 150, "Ok to send data for %s.", base_name(vpath));
    double start = clock_now();
    bool disk_error;
    long long got = receive_file(s, data, file, &disk_error);
    int saved = errno;
    close(data);
    if (got >= 0 && client_hung_up(s)) {
        got = -1;
        saved = ECONNRESET;
    }
    if (close(file) < 0 && got >= 0) { /* some file systems report write errors only here */
        got = -1;
        disk_error = true;
    }
    if (got < 0 || rename(tmp, real) < 0) {
        unlink(tmp); /* no half file, ever */
        if (got >= 0)
            disk_error = true; /* the rename failed */
        if (saved == ECANCELED)
            s->quit = true;
        session_log(s, "STOR %s aborted; temporary file removed", vpath);
        if (disk_error)
            reply(s, 451, "%s: local write error; upload discarded.", vpath);
        else
            reply(s, 426, "Connection closed; upload of %s discarded.", vpath);
        return;
    }
    session_log(s, "STOR %s: %lld bytes in %.3f s", vpath, got, clock_now() - start);
    reply(s, 226, "Transfer complete (%lld bytes).", got);
}

/* --- the command table --------------------------------------------------- */

enum arg_rule { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

struct command {
    const char *verb;
    enum arg_rule arg;
    bool before_login; /* allowed before USER/PASS */
    void (*run)(struct session *s, const char *arg);
};

static const struct command commands[] = {
    {"USER", ARG_REQUIRED, true, cmd_user},  {"PASS", ARG_OPTIONAL, true, cmd_pass},
    {"QUIT", ARG_NONE, true, cmd_quit},      {"SYST", ARG_NONE, true, cmd_syst},
    {"FEAT", ARG_NONE, true, cmd_feat},      {"OPTS", ARG_REQUIRED, false, cmd_opts},
    {"NOOP", ARG_NONE, false, cmd_noop},     {"HELP", ARG_OPTIONAL, false, cmd_help},
    {"PWD", ARG_NONE, false, cmd_pwd},       {"XPWD", ARG_NONE, false, cmd_pwd},
    {"CWD", ARG_REQUIRED, false, cmd_cwd},   {"XCWD", ARG_REQUIRED, false, cmd_cwd},
    {"CDUP", ARG_NONE, false, cmd_cdup},     {"XCUP", ARG_NONE, false, cmd_cdup},
    {"TYPE", ARG_REQUIRED, false, cmd_type}, {"MODE", ARG_REQUIRED, false, cmd_mode},
    {"STRU", ARG_REQUIRED, false, cmd_stru}, {"ALLO", ARG_REQUIRED, false, cmd_allo},
    {"ABOR", ARG_NONE, false, cmd_abor},     {"PASV", ARG_NONE, false, cmd_pasv},
    {"EPSV", ARG_OPTIONAL, false, cmd_epsv}, {"LIST", ARG_OPTIONAL, false, cmd_list},
    {"NLST", ARG_OPTIONAL, false, cmd_nlst}, {"RETR", ARG_REQUIRED, false, cmd_retr},
    {"STOR", ARG_REQUIRED, false, cmd_stor}, {"SIZE", ARG_REQUIRED, false, cmd_size},
    {"MDTM", ARG_REQUIRED, false, cmd_mdtm}, {"DELE", ARG_REQUIRED, false, cmd_dele},
    {"MKD", ARG_REQUIRED, false, cmd_mkd},   {"XMKD", ARG_REQUIRED, false, cmd_mkd},
    {"RMD", ARG_REQUIRED, false, cmd_rmd},   {"XRMD", ARG_REQUIRED, false, cmd_rmd},
};

/* Commands a client may know that this server deliberately leaves out. */
static const char *const not_implemented[] = {"PORT", "EPRT", "REST", "APPE", "RNFR", "RNTO",
                                              "STOU", "ACCT", "SITE", "SMNT", "REIN", "STAT",
                                              "AUTH", "PBSZ", "PROT", "MLSD", "MLST"};

/* Parse one command line and run it, with the RFC 959 reply codes for
 * whatever is wrong with it. */
static void handle(struct session *s, const char *line, size_t len)
{
    struct ftp_command cmd;
    s->commands++;
    if (ftp_command_parse(line, len, &cmd) < 0) {
        reply(s, 500, "Syntax error: expected a command such as \"RETR name\".");
        return;
    }
    for (size_t i = 0; i < sizeof not_implemented / sizeof not_implemented[0]; i++)
        if (strcmp(cmd.verb, not_implemented[i]) == 0) {
            if (strcmp(cmd.verb, "PORT") == 0 || strcmp(cmd.verb, "EPRT") == 0)
                reply(s, 502, "Active mode is not supported; use PASV or EPSV.");
            else
                reply(s, 502, "%s is not implemented.", cmd.verb);
            return;
        }
    const struct command *c = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0] && c == NULL; i++)
        if (strcmp(cmd.verb, commands[i].verb) == 0)
            c = &commands[i];
    if (c == NULL)
        reply(s, 500, "Unknown command %s.", cmd.verb); /* the verb is letters only */
    else if (!c->before_login && !s->logged_in)
        reply(s, 530, "Please log in with USER and PASS first.");
    else if (c->arg == ARG_REQUIRED && cmd.arg[0] == '\0')
        reply(s, 501, "%s needs an argument.", c->verb);
    else if (c->arg == ARG_NONE && cmd.arg[0] != '\0')
        reply(s, 501, "%s takes no argument.", c->verb);
    else
        c->run(s, cmd.arg);
}

/* --- the session ----------------------------------------------------------- */

void ftp_session_run(int ctrl, const struct ftp_config *cfg, const char *tag)
{
    struct session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        io_printf(ctrl, "421 Out of memory; try again later.\r\n");
        close(ctrl);
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
    /* Non-blocking: every wait below goes through poll, with the idle
     * timeout and the server's stop pipe, so nothing blocks forever. */
    if (net_set_nonblocking(ctrl, true) < 0)
        s->quit = true;
    /* Replies are small writes with pauses between them (150, then 226
     * after the transfer): without TCP_NODELAY, Nagle's algorithm holds a
     * reply back until the client's delayed ACK arrives, 40 ms later. */
    int one = 1;
    setsockopt(ctrl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    session_log(s, "connected");
    reply(s, 220, "conclab FTP server ready (a lab server: any user name and password log in).");

    double deadline = clock_now() + cfg->idle_timeout_ms / 1000.0;
    while (!s->quit) {
        char *line;
        size_t len;
        int rc = line_read(&s->reader, &line, &len);
        if (rc == LINE_OK) {
            handle(s, line, len);
            deadline = clock_now() + cfg->idle_timeout_ms / 1000.0; /* idle = between commands */
        } else if (rc == LINE_TOO_LONG) {
            reply(s, 500, "Command line too long (at most %d bytes); ignored.", FTP_LINE_MAX - 2);
        } else if (rc == LINE_ERROR && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            double left = (deadline - clock_now()) * 1000.0;
            int w = ftp_wait_fd(ctrl, POLLIN, cfg->stop_fd, left > 0 ? (int)left : 0);
            if (w == FTP_WAIT_TIMEOUT) {
                reply(s, 421, "Timeout: no command for %d seconds; closing the connection.",
                      cfg->idle_timeout_ms / 1000);
                break;
            }
            if (w != FTP_WAIT_READY) {
                reply(s, 421, "Server shutting down; closing the connection.");
                break;
            }
        } else {
            break; /* LINE_EOF, or ECONNRESET: the client is gone */
        }
    }
    drop_pasv(s);
    session_log(s, "ended after %lu commands", s->commands);
    close(ctrl);
    free(s);
}
