/* day9/ftp/ftp_list.c — see ftp_list.h. */
#include "day9/ftp/ftp_list.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/path.h"

/* seconds: older dates show the year, as ls does */
#define SIX_MONTHS (182L * 24 * 60 * 60)
#define ONE_HOUR   (60L * 60)

int ftp_list_line(char *out, size_t size, const char *name,
                  const struct stat *st, time_t now)
{
    char mode[11] = "----------";
    if (S_ISDIR(st->st_mode))
        mode[0] = 'd';
    else if (S_ISLNK(st->st_mode))
        mode[0] = 'l';
    else if (!S_ISREG(st->st_mode))
        mode[0] = '?';
    static const char rwx[] = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        if (st->st_mode & (1 << (8 - i)))
            mode[1 + i] = rwx[i];

    struct tm tm;
    char date[32];
    bool recent =
        st->st_mtime > now - SIX_MONTHS && st->st_mtime <= now + ONE_HOUR;
    if (localtime_r(&st->st_mtime, &tm) == NULL ||
        strftime(date, sizeof date, recent ? "%b %e %H:%M" : "%b %e  %Y",
                 &tm) == 0)
        snprintf(date, sizeof date, "Jan  1  1970");

    int n = snprintf(out, size, "%s %3lu ftp      ftp      %12lld %s %s\r\n",
                     mode, (unsigned long)st->st_nlink, (long long)st->st_size,
                     date, name);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

/* scandir's filter: no hidden names (nor "." and ".."), and no names a
 * client could not ask for anyway (control characters break the lines). */
static int visible(const struct dirent *e)
{
    if (e->d_name[0] == '.')
        return 0;
    for (const char *p = e->d_name; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* Write the line for one entry of folder vpath; skip what must not show. */
static void list_entry(FILE *f, const char *root, const char *vpath,
                       const char *name, bool names_only, time_t now)
{
    char entry_vpath[PATH_MAX], entry_real[PATH_MAX];
    int n = snprintf(entry_vpath, sizeof entry_vpath, "%s/%s",
                     strcmp(vpath, "/") == 0 ? "" : vpath, name);
    if (n < 0 || (size_t)n >= sizeof entry_vpath)
        return;
    /* must_exist resolves symlinks: a link out of the root (or a dangling
     * one) fails here and is not listed, so LIST never shows outside files. */
    if (path_in_root(root, entry_vpath, true, entry_real,
                     sizeof entry_real) < 0)
        return;
    struct stat st;
    if (stat(entry_real, &st) < 0)
        return;
    if (names_only) {
        fprintf(f, "%s\r\n", name);
        return;
    }
    char line[PATH_MAX + 128];
    if (ftp_list_line(line, sizeof line, name, &st, now) > 0)
        fputs(line, f);
}

int ftp_list_build(const char *root, const char *vpath, bool names_only,
                   char **text, size_t *len)
{
    char real[PATH_MAX];
    struct stat st;
    if (path_in_root(root, vpath, true, real, sizeof real) < 0 ||
        stat(real, &st) < 0)
        return -1;
    *text = NULL;
    *len = 0;
    /* a FILE that writes into a growing buffer */
    FILE *f = open_memstream(text, len);
    if (f == NULL)
        return -1;
    time_t now = time(NULL);
    if (!S_ISDIR(st.st_mode)) { /* LIST of one file: its own line */
        char folder[PATH_MAX];
        const char *slash = strrchr(vpath, '/'); /* vpath is "/...": found */
        snprintf(folder, sizeof folder, "%.*s",
                 slash == vpath ? 1 : (int)(slash - vpath), vpath);
        list_entry(f, root, folder, slash + 1, names_only, now);
    } else {
        struct dirent **names;
        int n = scandir(real, &names, visible, alphasort);
        if (n < 0) {
            int saved = errno;
            fclose(f);
            free(*text);
            errno = saved;
            return -1;
        }
        for (int i = 0; i < n; i++) {
            list_entry(f, root, vpath, names[i]->d_name, names_only, now);
            free(names[i]);
        }
        free(names);
    }
    if (fclose(f) != 0) {
        free(*text);
        return -1;
    }
    return 0;
}
