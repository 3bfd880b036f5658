/* day9/ftp/ftp_state.h — what one FTP session knows, and the helpers
 * every command uses: replies, the log, the jail. Shared by the session's
 * files: ftp_session.c (the loop and the transfers), ftp_commands.c (the
 * command table, login, settings) and ftp_folders.c (folders, file facts).
 */
#ifndef CONCLAB_FTP_STATE_H
#define CONCLAB_FTP_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/io.h"
#include "common/net.h"
#include "day9/ftp/ftp_command.h"
#include "day9/ftp/ftp_session.h"

#define XFER_BUF (256 * 1024) /* STOR reads the data connection in chunks */

/* Everything one session knows. Nothing of it is process-wide, so a
 * thread per session is as safe as a process per session. */
struct session {
    const struct ftp_config *cfg;
    const char *tag;            /* "pid 4242" or "thread 7", for the log */
    char peer[NET_ADDRSTRLEN];  /* the client's address, for the log */
    int ctrl;                   /* the control connection (non-blocking) */
    struct line_reader reader;  /* reads the command lines from ctrl */
    char line[FTP_LINE_MAX];    /* the reader's buffer: lines are bounded */
    char cwd[PATH_MAX];         /* the virtual current folder; "/": root */
    bool user_given, logged_in; /* USER, then PASS */
    bool binary;                /* TYPE I (TYPE A sends the same bytes) */
    bool quit;                  /* QUIT, a dead connection, or stopping */
    int pasv;                   /* the data listener (PASV/EPSV), or -1 */
    unsigned long commands;     /* how many command lines it handled */
    char buf[XFER_BUF];         /* STOR's transfer buffer */
};

/* Send "CODE text\r\n" on the control connection; a client that cannot
 * take even a reply is gone (s->quit). */
void reply(struct session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One line on the server's stdout: "[pid 4242] 127.0.0.1:50000 text". */
void session_log(const struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copy text for the log, control characters shown as '?'. */
void printable(char *out, size_t size, const char *text);

/* The jail: resolve arg into vpath (virtual) and real (on disk), both
 * PATH_MAX; false if it failed (the client was answered). must_exist
 * false: for a name about to be created, only its folder must exist. */
bool resolve(struct session *s, const char *arg, bool must_exist, char *vpath,
             char *real);

/* The last component of a virtual path, for messages. */
const char *base_name(const char *vpath);

/* -r: answer 550 and return true. */
bool refuse_if_read_only(struct session *s);

/* Open the regular file at arg for reading, with its stat; -1 (answered)
 * if it is missing, outside the root, or not a plain file. */
int open_plain_file(struct session *s, const char *arg, char *vpath,
                    struct stat *st);

/* Close the passive data listener, if there is one. */
void drop_pasv(struct session *s);

/* STOR's machinery (ftp_upload.c): a new hidden temporary file beside
 * real (its name in tmp, PATH_MAX), mode 0644, or -1 (answered) if real
 * is a folder or it cannot be made; the copy of the data connection into
 * it until the client closes (the bytes, or -1 and *disk true if the
 * local write failed); whether the client hung up the control connection
 * too (then it can never learn whether its upload arrived). */
int make_upload_file(struct session *s, const char *real, const char *vpath,
                     char *tmp);
long long receive_file(struct session *s, int data, int file, bool *disk);
bool client_hung_up(struct session *s);

/* Parse one command line and run it (ftp_commands.c). */
void ftp_dispatch(struct session *s, const char *line, size_t len);

/* The commands, each run with its argument ("" if none). */
typedef void ftp_cmd(struct session *s, const char *arg);
ftp_cmd cmd_pasv, cmd_epsv, cmd_list, cmd_nlst, cmd_retr, cmd_stor;
ftp_cmd cmd_pwd, cmd_cwd, cmd_cdup, cmd_mkd, cmd_rmd, cmd_dele, cmd_size,
    cmd_mdtm;

#endif
