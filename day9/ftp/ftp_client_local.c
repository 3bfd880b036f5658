/* day9/ftp/ftp_client_local.c — the local side of the client's
 * transfers: where a download goes (never replacing what is not a plain
 * file, never a half file under the real name), and the progress bar.
 * See ftp_client.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "day9/ftp/ftp_client.h"

#define BAR_WIDTH 24

const char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

int get_target_choose(struct get_target *t, const char *remote,
                      const char *local, bool force)
{
    struct stat st;
    const char *base = last_part(remote);
    t->force = force;
    t->part[0] = '\0';
    int n = snprintf(t->name, sizeof t->name, "%s", local);
    if (n >= 0 && stat(t->name, &st) == 0 && S_ISDIR(st.st_mode)) /* a folder */
        n = snprintf(t->name, sizeof t->name, "%s/%s", local, base);
    if (n < 0 || (size_t)n >= sizeof t->name || t->name[0] == '\0' ||
        base[0] == '\0') {
        warn_msg("get: bad local name '%s'", local);
        return -1;
    }
    if (stat(t->name, &st) < 0) {
        if (errno != ENOENT) {
            warn_errno("get: %s", t->name);
            return -1;
        }
    } else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        return 0; /* written into, as curl -o /dev/null does */
    } else if (!S_ISREG(st.st_mode)) {
        warn_msg("get: %s is not a plain file", t->name);
        return -1;
    } else if (!force) {
        warn_msg("get: %s exists; 'get -f %s %s' replaces it", t->name, remote,
                 local);
        return -1;
    }
    n = snprintf(t->part, sizeof t->part, "%s.part", t->name);
    if (n < 0 || (size_t)n >= sizeof t->part) {
        warn_msg("get: bad local name '%s'", local);
        return -1;
    }
    return 0;
}

int get_target_open(const struct get_target *t)
{
    if (t->part[0] == '\0') { /* a device or a FIFO: no O_CREAT, no O_TRUNC */
        int fd = open(t->name, O_WRONLY | O_NOCTTY);
        if (fd < 0)
            warn_errno("get: %s", t->name);
        return fd;
    }
    /* O_NOFOLLOW, and a regular file only: a NAME.part someone left as a
     * link or a device is not written through */
    struct stat st;
    int fd = open(t->part, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        errno = EEXIST;
        fd = -1;
    }
    if (fd < 0)
        warn_errno("get: %s", t->part);
    return fd;
}

int get_target_finish(const struct get_target *t, bool ok)
{
    if (t->part[0] == '\0')
        return ok ? 0 : -1;
    struct stat st;
    if (ok && stat(t->name, &st) == 0 && (!t->force || !S_ISREG(st.st_mode))) {
        warn_msg("get: %s appeared meanwhile; not replaced", t->name);
        ok = false;
    } else if (ok && rename(t->part, t->name) < 0) {
        warn_errno("get: rename %s", t->part);
        ok = false;
    }
    if (!ok)
        unlink(t->part);
    return ok ? 0 : -1;
}

/* Copy from one fd to the other until end of file, showing progress;
 * the bytes, or -1 (said why, naming what). */
long long copy_bytes(int from, int to, struct progress *p, const char *what)
{
    static char buf[256 * 1024]; /* one transfer at a time */
    ssize_t n;
    while ((n = read(from, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || io_write_all(to, buf, (size_t)n) < 0) {
            warn_errno("%s: %s %s", p->verb, n < 0 ? "reading" : "writing",
                       what);
            return -1;
        }
        p->done += n;
        progress_show(p, false);
    }
    return p->done;
}

/* "1.5 MiB" */
static void human(double bytes, char *out, size_t size)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

void progress_show(struct progress *p, bool final)
{
    double now = clock_now();
    if (!final && (!p->tty || now - p->last_draw < 0.1))
        return;
    p->last_draw = now;
    double secs = now - p->start;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    char done[16], speed[16];
    human((double)p->done, done, sizeof done);
    human(rate, speed, sizeof speed);
    if (!p->tty) {
        printf("%s %s: %lld bytes in %.2f s (%s/s)\n", p->verb, p->name,
               p->done, secs, speed);
        return;
    }
    if (p->total > 0) {
        long long left = p->total - p->done;
        int eta = rate > 0 ? (int)((double)(left > 0 ? left : 0) / rate) : 0;
        long long shown = p->done < p->total ? p->done : p->total;
        int filled = (int)(shown * BAR_WIDTH / p->total);
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        printf("\r%s %-16.16s [%s] %3d%% %10s %10s/s  ETA %d:%02d ", p->verb,
               p->name, bar, (int)(shown * 100 / p->total), done, speed,
               eta / 60, eta % 60);
    } else {
        printf("\r%s %-16.16s %10s %10s/s ", p->verb, p->name, done, speed);
    }
    if (final)
        printf("\n");
    fflush(stdout);
}
