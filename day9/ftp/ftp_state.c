/* day9/ftp/ftp_state.c — see ftp_state.h: replies, the log, the jail. */
#include "day9/ftp/ftp_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/logline.h"
#include "common/path.h"
#include "day9/ftp/ftp_data.h"

void reply(struct session *s, int code, const char *fmt, ...)
{
    char text[PATH_MAX + 256];
    int n = snprintf(text, sizeof text, "%d ", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n - 2, fmt, ap); /* room: CRLF */
    va_end(ap);
    size_t len = strlen(text);
    memcpy(text + len, "\r\n", 3);
    if (ftp_send_all(s->ctrl, text, len + 2, -1, s->cfg->idle_timeout_ms) < 0)
        s->quit = true;
}

void session_log(const struct session *s, const char *fmt, ...)
{
    char text[PATH_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    log_line("[%s] %s %s\n", s->tag, s->peer, text); /* no stdio lock */
}

void printable(char *out, size_t size, const char *text)
{
    size_t i = 0;
    for (; text[i] != '\0' && i + 1 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[i] = '\0';
}

/* Every path a client names goes through here: path_normalize joins it
 * to the virtual cwd and resolves "." and ".." as text (it cannot climb
 * above "/"), path_in_root maps it onto the disk and checks with realpath
 * that no symlink leads out. Replies name only the virtual path, never
 * where the library really is on the disk. */
bool resolve(struct session *s, const char *arg, bool must_exist, char *vpath,
             char *real)
{
    if (path_normalize(s->cwd, arg, vpath, PATH_MAX) < 0) {
        if (errno == ENAMETOOLONG)
            reply(s, 550, "Path too long.");
        else
            reply(s, 501, "Bad file name (no control characters).");
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

const char *base_name(const char *vpath)
{
    const char *slash = strrchr(vpath, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : vpath;
}

bool refuse_if_read_only(struct session *s)
{
    if (s->cfg->read_only)
        reply(s, 550, "Permission denied: this server is read-only.");
    return s->cfg->read_only;
}

/* O_NONBLOCK: opening a FIFO someone left in the library must not hang
 * the session. */
int open_plain_file(struct session *s, const char *arg, char *vpath,
                    struct stat *st)
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

void drop_pasv(struct session *s)
{
    if (s->pasv >= 0)
        close(s->pasv);
    s->pasv = -1;
}
