/* day10/http/http_file.h — the files HTTPServer v2.0 serves: a decoded
 * request path mapped into the docroot through the jail of common/path.h
 * (so neither ".." nor a symlink leads out), MIME types, folder listings,
 * and a small cache of open files.
 *
 * Why a cache: the jail costs a realpath() (one lstat per path component)
 * and serving a file an open, an fstat and a close: eight or more system
 * calls before the first byte is sent. A cached entry is trusted for
 * HTTP_CACHE_VALID seconds and then looked up afresh, so a changed file
 * is seen within a second (as lighttpd's stat cache and nginx's
 * open_file_cache do). Small files are kept in memory, so their answer
 * is one write.
 */
#ifndef CONCLAB_HTTP_FILE_H
#define CONCLAB_HTTP_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HTTP_SMALL_FILE                                                        \
    (32LL * 1024)            /* files up to this size are kept in memory */
#define HTTP_CACHE_SLOTS 64  /* cached paths (a path's hash picks its slot) */
#define HTTP_CACHE_VALID 1.0 /* seconds an entry is trusted */
#define HTTP_DATE_LEN    30  /* "Sun, 06 Nov 1994 08:49:37 GMT" and a NUL */

/* What http_docroot_find answers besides an HTTP status. */
#define HTTP_LISTING 1 /* a folder without index.html, and listings are on */

/* One file or folder of the docroot, as found at loaded_at. */
struct http_file {
    char vpath[PATH_MAX]; /* the normalized request path, "/a/b" ("" if unused)
                           */
    double loaded_at;     /* monotonic seconds (common/clock.h) */
    bool is_dir;
    int fd;         /* the open file, or -1 (a folder) */
    long long size; /* bytes */
    time_t mtime;
    const char *mime; /* Content-Type */
    char *body; /* the whole content if size <= HTTP_SMALL_FILE, else NULL */
    char last_modified[HTTP_DATE_LEN];
};

struct http_docroot {
    char root[PATH_MAX]; /* realpath of the served folder */
    bool listing;        /* list folders that have no index.html (-l) */
    struct http_file cache[HTTP_CACHE_SLOTS];
};

/* Serve folder dir (realpath'd here); 0, or -1 with errno. */
int http_docroot_open(struct http_docroot *d, const char *dir, bool listing);

/* Close every cached file. */
void http_docroot_close(struct http_docroot *d);

/* Find the file for a decoded request path ("/a/b.html", "/dir/", "/").
 * Returns 200 with *file set (a folder's index.html for "/dir/"), 301
 * (a folder named without its final "/"), HTTP_LISTING (*file is the
 * folder), 400 (a control character), 403 (outside the docroot, not a
 * regular file, or not readable), 404 or 414 (too long). *file stays
 * valid until the next call. now: clock_now(). */
int http_docroot_find(struct http_docroot *d, const char *path, double now,
                      struct http_file **file);

/* An HTML page listing folder dir (as found by http_docroot_find), every
 * name escaped, into out; returns its length (at most size), or -1. */
long http_docroot_listing(const struct http_docroot *d,
                          const struct http_file *dir, char *out, size_t size);

/* The Content-Type for a file name, by its extension. */
const char *http_mime_type(const char *name);

/* Copy in[0..len) into out with & < > " ' escaped for HTML; returns the
 * length written, or -1 if size is too small. NUL-terminates. */
long http_html_escape(const char *in, size_t len, char *out, size_t size);

/* Format t as an HTTP date (IMF-fixdate, always GMT) into out. */
void http_format_date(time_t t, char out[HTTP_DATE_LEN]);

#endif
