/* day9/ftp/ftp_client.h — what ftp_client.c (the lesson: a control
 * connection, and a data connection per transfer) shares with its
 * machinery: ftp_client_talk.c (commands and replies, login),
 * ftp_client_menu.c (the menu, the small commands) and ftp_client_local.c
 * (where a download goes, copying with a progress bar).
 */
#ifndef CONCLAB_FTP_CLIENT_H
#define CONCLAB_FTP_CLIENT_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/io.h"
#include "day9/ftp/ftp_reply.h"

#define FTPC_TIMEOUT_S 30   /* a server silent this long is dead: give up */
#define FTPC_INPUT_MAX 1024 /* the longest menu line */

struct client {
    int ctrl;                  /* the control connection */
    struct line_reader reader; /* its replies, line by line */
    char line[FTP_REPLY_MAX];
    struct ftp_reply reply; /* the last reply read */
    bool dead;              /* the control connection is gone */
    bool no_epsv;           /* the server refused EPSV: PASV from now on */
    bool tty;               /* stdout is a terminal: draw progress bars */
};

/* --- talking to the server (ftp_client_talk.c) ----------------------- */

/* Send one command line and read its reply: the code, or -1 when the
 * connection is lost (c->dead, said why). */
int send_command(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Read the next reply: its code, or -1 as for send_command. */
int read_reply(struct client *c);

/* Show the last reply on stderr as the reason what failed. */
void show_reply(struct client *c, const char *what);

/* Print a server's text with control characters (a hostile server's
 * terminal escapes) shown as '?'; \r dropped, \n and \t kept. */
void print_clean(FILE *to, const char *text, size_t len);

/* Receive and send timeouts on fd: a dead server never hangs us. */
void set_timeouts(int fd);

/* Read the greeting and log in; -1 (said why) on failure. */
int login(struct client *c, const char *user, const char *password);

/* The reply to RETR, STOR or LIST (just read): 150 or 125 say the bytes
 * come now: 0. Otherwise close data and say why: -1. */
int start_transfer(struct client *c, int data, const char *what);

/* TYPE I, then SIZE name: the remote size, or -1 if the server does not
 * tell; *code is SIZE's reply code, or -1 if the connection failed. */
long long remote_size(struct client *c, const char *name, int *code);

/* --- the menu (ftp_client_menu.c) ------------------------------------ */

typedef int menu_fn(struct client *c, int argc, char **argv);

struct menu_entry {
    const char *name;
    int min_args, max_args; /* words after the name */
    menu_fn *run;
};

/* The small commands: cd, pwd, help, quit. */
menu_fn do_cd, do_pwd, do_help, do_quit;

/* Run one menu line through menu (n entries): 0 done, -1 it failed. */
int run_line(struct client *c, char *line, const struct menu_entry *menu,
             size_t n);

/* -c "ls; get x": each command in turn; stop at the first that fails. */
int run_script(struct client *c, char *script, const struct menu_entry *menu,
               size_t n);

/* The interactive menu: a prompt, a line, until quit or end of input. */
void run_menu(struct client *c, const struct menu_entry *menu, size_t n);

/* --- the local side (ftp_client_local.c) ----------------------------- */

/* The last part of a path: "a/b/c.txt" -> "c.txt". */
const char *last_part(const char *path);

/* Where `get [-f] remote [local]` writes, decided before asking the
 * server. A folder receives the file under its remote name. A file that
 * exists is replaced only with force, and never in place: the download
 * goes to NAME.part, renamed over NAME once complete. Something that
 * exists and is not a regular file (a character device like /dev/null, a
 * FIFO) is written into, never replaced; anything else is refused. */
struct get_target {
    char name[PATH_MAX]; /* the final name */
    char part[PATH_MAX]; /* where the bytes go first; "" if straight in */
    bool force;
};

/* Fill t; 0, or -1 (said why). */
int get_target_choose(struct get_target *t, const char *remote,
                      const char *local, bool force);

/* Open where the bytes go; the fd, or -1 (said why). */
int get_target_open(const struct get_target *t);

/* The download is complete (ok) or not: put it in place, or remove the
 * partial file. 0, or -1 (said why). */
int get_target_finish(const struct get_target *t, bool ok);

/* The progress of one transfer: a bar on a terminal, one summary line
 * otherwise. */
struct progress {
    const char *verb, *name;
    long long total; /* -1 if unknown */
    long long done;
    double start, last_draw;
    bool tty;
};

/* Redraw the bar (at most ten times a second); final: the last time. */
void progress_show(struct progress *p, bool final);

/* Copy from one fd to the other until end of file, showing progress in
 * p; the bytes, or -1 (said why, naming what). */
long long copy_bytes(int from, int to, struct progress *p, const char *what);

#endif
