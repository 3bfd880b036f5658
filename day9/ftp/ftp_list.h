/* day9/ftp/ftp_list.h — what LIST and NLST send: "ls -l"-style lines that
 * curl, lftp, ftplib and file managers all parse, or bare names.
 */
#ifndef CONCLAB_FTP_LIST_H
#define CONCLAB_FTP_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

/* One "ls -l" line for name with st, ending in CRLF:
 *   -rw-r--r--   1 ftp      ftp          1234 Mar  5 14:07 name
 * (a date older than six months, or in the future, shows the year
 * instead of the time, as ls does). Owner and group are always "ftp":
 * the server's user names are none of the client's business. Returns the
 * length, or -1 if it does not fit in size. */
int ftp_list_line(char *out, size_t size, const char *name,
                  const struct stat *st, time_t now);

/* The listing of vpath (a normalized virtual path) inside root (a
 * realpath'd folder): a folder's visible entries in name order, or the
 * one line of a file. Hidden (dot) names are left out, and so are
 * symlinks that lead out of the root. names_only: bare names (NLST).
 * On success *text is malloc'd (the caller frees it), *len its length.
 * Returns 0, or -1 with errno. */
int ftp_list_build(const char *root, const char *vpath, bool names_only,
                   char **text, size_t *len);

#endif
