/* common/path.c — see path.h. */
#define _XOPEN_SOURCE 700 /* realpath is an XSI function */
#include "common/path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Append "/" + the segment of len bytes to out (which holds used bytes). */
static int push_segment(char *out, size_t size, size_t *used, const char *seg, size_t len)
{
    if (*used + 1 + len + 1 > size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    out[(*used)++] = '/';
    memcpy(out + *used, seg, len);
    *used += len;
    out[*used] = '\0';
    return 0;
}

/* Drop the last segment of out ("/a/b" -> "/a"; "/" stays "/"). */
static void pop_segment(char *out, size_t *used)
{
    while (*used > 0 && out[*used - 1] != '/')
        (*used)--;
    if (*used > 0)
        (*used)--; /* the slash itself */
    out[*used] = '\0';
}

/* Resolve the segments of path onto out, one by one. */
static int walk(const char *path, char *out, size_t size, size_t *used)
{
    const char *p = path;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if (len == 0)
            break;
        if (len == 1 && p[0] == '.')
            ; /* "." changes nothing */
        else if (len == 2 && p[0] == '.' && p[1] == '.')
            pop_segment(out, used);
        else if (push_segment(out, size, used, p, len) < 0)
            return -1;
        p += len;
    }
    return 0;
}

int path_normalize(const char *cwd, const char *request, char *out, size_t size)
{
    if (cwd == NULL || request == NULL || cwd[0] != '/' || request[0] == '\0' || size < 2) {
        errno = EINVAL;
        return -1;
    }
    for (const char *p = request; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            errno = EINVAL; /* no control characters in names we serve */
            return -1;
        }
    size_t used = 0;
    out[0] = '\0';
    if (request[0] != '/' && walk(cwd, out, size, &used) < 0)
        return -1;
    if (walk(request, out, size, &used) < 0)
        return -1;
    if (used == 0) {
        out[0] = '/';
        out[1] = '\0';
    }
    return 0;
}

/* True if real is root itself or below it. */
static bool inside(const char *root, const char *real)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return true;
    return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

int path_in_root(const char *root_real, const char *vpath, bool must_exist, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s", root_real, strcmp(vpath, "/") == 0 ? "" : vpath);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char probe[PATH_MAX], real[PATH_MAX];
    snprintf(probe, sizeof probe, "%s", out);
    if (!must_exist) { /* check the folder it will be created in */
        char *slash = strrchr(probe, '/');
        if (slash == NULL || slash == probe) {
            errno = EACCES;
            return -1;
        }
        *slash = '\0';
    }
    if (realpath(probe, real) == NULL)
        return -1; /* ENOENT, ENOTDIR, EACCES... */
    if (!inside(root_real, real)) {
        errno = EACCES;
        return -1;
    }
    return 0;
}

static bool is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int path_find_shipped(const char *rel, char *out, size_t size)
{
    int n = snprintf(out, size, "%s", rel);
    if (n >= 0 && (size_t)n < size && is_folder(out))
        return 0;
    char dir[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (len <= 0) {
        errno = ENOENT;
        return -1;
    }
    dir[len] = '\0';
    for (char *slash = strrchr(dir, '/'); slash != NULL; slash = strrchr(dir, '/')) {
        *slash = '\0'; /* one folder up */
        n = snprintf(out, size, "%s/%s", dir, rel);
        if (n >= 0 && (size_t)n < size && is_folder(out))
            return 0;
    }
#ifdef CONCLAB_SOURCE_DIR /* the checkout it was built from (the Makefile) */
    n = snprintf(out, size, "%s/%s", CONCLAB_SOURCE_DIR, rel);
    if (n >= 0 && (size_t)n < size && is_folder(out))
        return 0;
#endif
    errno = ENOENT;
    return -1;
}
