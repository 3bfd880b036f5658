/* day9/ftp/ftp_reply.h — read the server's replies, the client's side of
 * the control connection: "CODE text", or several lines "CODE-..." up to
 * "CODE text"; and the data port in a PASV (227) or EPSV (229) reply.
 */
#ifndef CONCLAB_FTP_REPLY_H
#define CONCLAB_FTP_REPLY_H

#include <stdbool.h>

#include "common/io.h"

/* Room for one reply's text (the lines of a multi-line reply joined). */
#define FTP_REPLY_MAX 4096

struct ftp_reply {
    int code;                 /* 100..599 */
    char text[FTP_REPLY_MAX]; /* the text after the code; more lines after \n */
};

/* The code at the start of a reply line ("226 Done", "211-Features"),
 * with *more set if the line opens a multi-line reply; -1 if line does
 * not start with a reply code. */
int ftp_reply_code(const char *line, bool *more);

/* Read one whole reply from r. Returns 0, or -1 with errno: ECONNRESET
 * (the server closed), ETIMEDOUT (the socket's receive timeout passed),
 * EPROTO (not an FTP reply), or the read's own error. */
int ftp_reply_read(struct line_reader *r, struct ftp_reply *reply);

/* The port in an EPSV reply text "Entering Extended Passive Mode (|||6446|)";
 * 0, or -1 if it is not one. */
int ftp_parse_epsv(const char *text, int *port);

/* The port in a PASV reply text "Entering Passive Mode (127,0,0,1,25,46)"
 * (25*256 + 46); the address is ignored, as curl does by default: the data
 * connection goes to the control connection's peer. 0, or -1. */
int ftp_parse_pasv(const char *text, int *port);

#endif
