/* day10/http/http_file.c — see http_file.h. */
#define _XOPEN_SOURCE 700 /* realpath is an XSI function */
#include "day10/http/http_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/path.h"

#define LISTING_MAX_NAMES 1000 /* a folder listing shows at most this many */

/* --- MIME types ---------------------------------------------------------- */

static const struct {
    const char *ext, *type;
} mime_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"ico", "image/x-icon"},
    {"webp", "image/webp"},
    {"txt", "text/plain; charset=utf-8"},
    {"pdf", "application/pdf"},
    {"wasm", "application/wasm"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
};

const char *http_mime_type(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash != NULL ? slash : name, '.');
    if (dot != NULL)
        for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
            if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
                return mime_types[i].type;
    return "application/octet-stream";
}

/* --- dates --------------------------------------------------------------- */

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void http_format_date(time_t t, char out[HTTP_DATE_LEN])
{
    struct tm tm;
    char text[64];
    /* Day and month names by hand: strftime's %a and %b follow the locale. */
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
        tm.tm_year + 1900 < 0 ||
        snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                 tm.tm_sec) != HTTP_DATE_LEN - 1)
        snprintf(text, sizeof text, "Thu, 01 Jan 1970 00:00:00 GMT");
    memcpy(out, text, HTTP_DATE_LEN);
}

/* --- escaping ------------------------------------------------------------ */

long http_html_escape(const char *in, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (in[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        }
        size_t n = rep != NULL ? strlen(rep) : 1;
        if (o + n >= size)
            return -1;
        memcpy(out + o, rep != NULL ? rep : in + i, n);
        o += n;
    }
    if (o >= size)
        return -1;
    out[o] = '\0';
    return (long)o;
}

/* Percent-encode a name for use in a link; -1 if size is too small. */
static long url_escape(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL;
        if (o + 4 >= size)
            return -1;
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    return (long)o;
}

/* --- the docroot and its cache ------------------------------------------- */

int http_docroot_open(struct http_docroot *d, const char *dir, bool listing)
{
    memset(d, 0, sizeof *d);
    for (int i = 0; i < HTTP_CACHE_SLOTS; i++)
        d->cache[i].fd = -1;
    d->listing = listing;
    if (realpath(dir, d->root) == NULL)
        return -1;
    struct stat st;
    if (stat(d->root, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static void drop(struct http_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->body);
    f->fd = -1;
    f->body = NULL;
    f->vpath[0] = '\0';
}

void http_docroot_close(struct http_docroot *d)
{
    for (int i = 0; i < HTTP_CACHE_SLOTS; i++)
        drop(&d->cache[i]);
}

/* Read the whole small file fd into a new buffer; NULL on failure. */
static char *read_small(int fd, long long *size)
{
    char *body = malloc((size_t)*size + 1);
    if (body == NULL)
        return NULL;
    long long got = 0;
    while (got < *size) {
        ssize_t n = pread(fd, body + got, (size_t)(*size - got), (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(body);
            return NULL;
        }
        if (n == 0)
            break; /* it shrank since fstat: serve what is there */
        got += n;
    }
    *size = got;
    return body;
}

/* Look vpath up on disk, through the jail, into f; an HTTP status. */
static int load(struct http_docroot *d, struct http_file *f, const char *vpath,
                double now)
{
    char full[PATH_MAX];
    if (path_in_root(d->root, vpath, true, full, sizeof full) < 0)
        return errno == EACCES ? 403 : errno == ENAMETOOLONG ? 414 : 404;
    /* O_NONBLOCK: opening a FIFO someone put in the docroot must not hang
     * the server (it is refused below: not a regular file). */
    int fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == EACCES ? 403 : 404;
    struct stat st;
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
        close(fd);
        return 403;
    }
    f->is_dir = S_ISDIR(st.st_mode);
    f->size = f->is_dir ? 0 : (long long)st.st_size;
    f->body = NULL;
    if (f->is_dir) {
        close(fd);
        fd = -1;
    } else if (f->size <= HTTP_SMALL_FILE) {
        f->body = read_small(fd, &f->size);
        if (f->body == NULL) {
            close(fd);
            return errno == ENOMEM ? 503 : 403;
        }
    }
    f->fd = fd;
    f->mtime = st.st_mtime;
    f->mime = http_mime_type(vpath);
    http_format_date(f->mtime, f->last_modified);
    snprintf(f->vpath, sizeof f->vpath, "%s", vpath);
    f->loaded_at = now;
    return 200;
}

/* The cache slot of vpath (FNV-1a hash). */
static struct http_file *slot_of(struct http_docroot *d, const char *vpath)
{
    unsigned h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)vpath; *p != '\0'; p++)
        h = (h ^ *p) * 16777619u;
    return &d->cache[h % HTTP_CACHE_SLOTS];
}

/* vpath from the cache if fresh, else from disk; an HTTP status. */
static int lookup(struct http_docroot *d, const char *vpath, double now,
                  struct http_file **out)
{
    struct http_file *f = slot_of(d, vpath);
    if (f->vpath[0] != '\0' && now - f->loaded_at < HTTP_CACHE_VALID &&
        strcmp(f->vpath, vpath) == 0) {
        *out = f;
        return 200;
    }
    drop(f);
    *out = f;
    return load(d, f, vpath, now);
}

int http_docroot_find(struct http_docroot *d, const char *path, double now,
                      struct http_file **file)
{
    char vpath[PATH_MAX];
    if (path_normalize("/", path, vpath, sizeof vpath) < 0)
        return errno == ENAMETOOLONG ? 414 : 400;
    /* A folder is named with a final "/", or a final "." or ".." segment
     * (RFC 3986 5.2.4: "/a/." is "/a/"): "/index.html/." is no folder. */
    const char *last =
        strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    bool final_slash = (path[0] != '\0' && path[strlen(path) - 1] == '/') ||
                       strcmp(last, ".") == 0 || strcmp(last, "..") == 0;
    struct http_file *f;
    int status = lookup(d, vpath, now, &f);
    if (status != 200)
        return status;
    if (!f->is_dir) {
        *file = f;
        return final_slash ? 404 : 200; /* "/a.html/" is no folder */
    }
    if (!final_slash)
        return 301; /* "/dir" -> "/dir/", so relative links in its page work */

    char index[PATH_MAX];
    int n = snprintf(index, sizeof index, "%s/index.html",
                     strcmp(vpath, "/") == 0 ? "" : vpath);
    if (n < 0 || (size_t)n >= sizeof index)
        return 414;
    status = lookup(d, index, now, &f);
    if (status == 200 && !f->is_dir) {
        *file = f;
        return 200;
    }
    if (status != 200 && status != 404)
        return status;
    if (!d->listing)
        return 404;
    status = lookup(d, vpath, now,
                    &f); /* the index lookup may have taken its slot */
    *file = f;
    return status == 200 ? HTTP_LISTING : status;
}

/* --- folder listings ----------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append text to out at *used; false if it does not fit. */
static bool put(char *out, size_t size, size_t *used, const char *text)
{
    size_t n = strlen(text);
    if (*used + n >= size)
        return false;
    memcpy(out + *used, text, n + 1);
    *used += n;
    return true;
}

long http_docroot_listing(const struct http_docroot *d,
                          const struct http_file *dir, char *out, size_t size)
{
    char full[PATH_MAX], title[3 * PATH_MAX];
    bool root = strcmp(dir->vpath, "/") == 0;
    int len =
        snprintf(full, sizeof full, "%s%s", d->root, root ? "" : dir->vpath);
    if (len < 0 || (size_t)len >= sizeof full ||
        http_html_escape(dir->vpath, strlen(dir->vpath), title, sizeof title) <
            0)
        return -1;
    DIR *dp = opendir(full);
    if (dp == NULL)
        return -1;
    char *names[LISTING_MAX_NAMES] = {NULL};
    int count = 0, more = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (count == LISTING_MAX_NAMES ||
            (names[count] = strdup(e->d_name)) == NULL)
            more++;
        else
            count++;
    }
    qsort(names, (size_t)count, sizeof names[0], compare_names);

    const size_t tail_room = 128; /* for the "more" line and the closing tags */
    size_t used = 0;
    bool ok = size > tail_room;
    size -= ok ? tail_room : 0;
    ok = ok &&
         put(out, size, &used,
             "<!DOCTYPE html>\n<html><head><meta "
             "charset=\"utf-8\"><title>Index of ") &&
         put(out, size, &used, title) &&
         put(out, size, &used, root ? "" : "/") &&
         put(out, size, &used, "</title></head>\n<body><h1>Index of ") &&
         put(out, size, &used, title) &&
         put(out, size, &used, root ? "" : "/") &&
         put(out, size, &used, "</h1>\n<ul>\n") &&
         (root || put(out, size, &used, "<li><a href=\"../\">../</a></li>\n"));
    for (int i = 0; i < count; i++) {
        struct stat st;
        bool is_dir =
            fstatat(dirfd(dp), names[i], &st, 0) == 0 && S_ISDIR(st.st_mode);
        char href[3 * NAME_MAX + 8], text[6 * NAME_MAX + 8];
        size_t before = used;
        if (ok && url_escape(names[i], href, sizeof href) >= 0 &&
            http_html_escape(names[i], strlen(names[i]), text, sizeof text) >=
                0 &&
            put(out, size, &used, "<li><a href=\"") &&
            put(out, size, &used, href) &&
            put(out, size, &used, is_dir ? "/\">" : "\">") &&
            put(out, size, &used, text) &&
            put(out, size, &used, is_dir ? "/</a></li>\n" : "</a></li>\n")) {
            free(names[i]);
            continue;
        }
        used = before; /* it did not fit: count it as not shown */
        more++;
        free(names[i]);
    }
    closedir(dp);
    if (!ok)
        return -1;
    size += tail_room;
    if (more > 0) {
        char line[64];
        snprintf(line, sizeof line, "<li>(%d more not shown)</li>\n", more);
        put(out, size, &used, line);
    }
    put(out, size, &used, "</ul>\n</body></html>\n");
    return (long)used;
}
