/* day9/ftp/ftp_command.h — read one FTP command line: "VERB" or "VERB arg".
 *
 * RFC 959 commands are three or four letters, case-insensitive, then one
 * space and the argument (a path may itself hold spaces), ended by CRLF.
 * The line reader (common/io.h) bounds the line and drops the CRLF; this
 * parser only splits what is left, and refuses anything else.
 */
#ifndef CONCLAB_FTP_COMMAND_H
#define CONCLAB_FTP_COMMAND_H

#include <stddef.h>

/* The longest command line the server accepts (CRLF included): enough for
 * any sane path; a longer line answers 500 and is thrown away. */
#define FTP_LINE_MAX 1024

struct ftp_command {
    char verb[5];    /* upper-cased, 3 or 4 letters */
    const char *arg; /* after the first space (maybe ""), inside the line */
};

/* Split line (len bytes, NUL-terminated, CRLF already removed) into cmd;
 * cmd->arg points into line. Returns 0, or -1 for a syntax error: no verb
 * of 3-4 letters, something other than one space after it, or a NUL byte
 * inside the line. */
int ftp_command_parse(const char *line, size_t len, struct ftp_command *cmd);

#endif
