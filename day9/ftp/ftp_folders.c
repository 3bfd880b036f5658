/* day9/ftp/ftp_folders.c — an FTP session's folder commands (PWD, CWD,
 * CDUP, MKD, RMD, DELE) and file facts (SIZE, MDTM). The session keeps
 * its own virtual cwd: no chdir(), which would move every thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "day9/ftp/ftp_state.h"

void cmd_pwd(struct session *s, const char *arg)
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

void cmd_cwd(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    if (!resolve(s, arg, true, vpath, real))
        return;
    struct stat st;
    if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
        reply(s, 550, "%s: not a directory.", vpath);
        return;
    }
    snprintf(s->cwd, sizeof s->cwd, "%s", vpath);
    reply(s, 250, "Directory changed to %s.", vpath);
}

void cmd_cdup(struct session *s, const char *arg)
{
    (void)arg;
    cmd_cwd(s, "..");
}

void cmd_mkd(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    if (refuse_if_read_only(s) || !resolve(s, arg, false, vpath, real))
        return;
    if (mkdir(real, 0755) < 0) {
        reply(s, 550, "%s: %s.", vpath,
              errno == EEXIST ? "already exists" : "cannot create");
        return;
    }
    session_log(s, "MKD %s", vpath);
    reply(s, 257, "\"%s\" created.", vpath);
}

void cmd_rmd(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    if (refuse_if_read_only(s) || !resolve(s, arg, true, vpath, real))
        return;
    if (strcmp(vpath, "/") == 0 || rmdir(real) < 0) {
        bool full = errno == ENOTEMPTY || errno == EEXIST;
        reply(s, 550, "%s: %s.", vpath,
              full ? "directory not empty" : "cannot remove");
        return;
    }
    session_log(s, "RMD %s", vpath);
    reply(s, 250, "Directory removed.");
}

void cmd_dele(struct session *s, const char *arg)
{
    char vpath[PATH_MAX], real[PATH_MAX];
    struct stat st;
    if (refuse_if_read_only(s) || !resolve(s, arg, true, vpath, real))
        return;
    if (lstat(real, &st) < 0 || S_ISDIR(st.st_mode)) {
        reply(s, 550, "%s: not a file (use RMD for a directory).", vpath);
        return;
    }
    if (unlink(real) < 0) { /* a symlink is removed itself, not its target */
        reply(s, 550, "%s: cannot delete.", vpath);
        return;
    }
    session_log(s, "DELE %s", vpath);
    reply(s, 250, "Deleted %s.", vpath);
}

void cmd_size(struct session *s, const char *arg)
{
    char vpath[PATH_MAX];
    struct stat st;
    int fd = open_plain_file(s, arg, vpath, &st);
    if (fd < 0)
        return;
    close(fd);
    reply(s, 213, "%lld", (long long)st.st_size);
}

void cmd_mdtm(struct session *s, const char *arg)
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
