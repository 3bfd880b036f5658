/* day9/ftp/ftp_session.h — one client's FTP session, from the 220
 * greeting to QUIT. The same code runs in a child process (ftp_server
 * -m fork) or in a thread (-m thread): everything a session changes lives
 * in its own struct, never in the process (no chdir, no globals).
 */
#ifndef CONCLAB_FTP_SESSION_H
#define CONCLAB_FTP_SESSION_H

#include <stdbool.h>

/* What every session of one server shares (read-only). */
struct ftp_config {
    const char *root;    /* the file library, realpath'd: "/" for clients */
    bool read_only;      /* -r: STOR, DELE, MKD, RMD answer 550 */
    int idle_timeout_ms; /* -t: no command, or a stalled data connection */
};

/* Serve the client on the control connection ctrl until it quits, goes
 * away, idles too long or the server shuts ctrl down (stopping); then
 * shut ctrl down. The caller closes it. tag names the session in the
 * server's log ("pid 4242", "thread 7"). */
void ftp_session_run(int ctrl, const struct ftp_config *cfg, const char *tag);

#endif
