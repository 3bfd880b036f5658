/* day6/chat/chat_talk.c — the chat client's side of the protocol (see
 * chat_talk.h).
 */
#include "day6/chat/chat_talk.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/errors.h"
#include "day6/chat/chat_proto.h"

#define MAX_MESSAGE 2048 /* more than the server ever sends */

int chat_request(int sock, const char *cmd, const char *name,
                 const char *text)
{
    char datagram[CHAT_MAX_DATAGRAM + 256]; /* names up to 255: refused */
    int n = text != NULL ? snprintf(datagram, sizeof datagram, "%s %s %s",
                                    cmd, name, text)
                         : snprintf(datagram, sizeof datagram, "%s %s", cmd,
                                    name);
    if (n < 0 || (size_t)n >= sizeof datagram) {
        errno = EMSGSIZE;
        return -1;
    }
    return send(sock, datagram, (size_t)n, 0) < 0 ? -1 : 0;
}

void chat_receive_timeout(int sock, long ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        die_errno("setsockopt SO_RCVTIMEO");
}

int chat_log_in(int sock, const char *name, const char *server,
                long timeout_ms)
{
    if (chat_request(sock, "L", name, NULL) < 0)
        die_errno("send to %s", server);
    chat_receive_timeout(sock, timeout_ms);
    char reply[MAX_MESSAGE + 1];
    ssize_t n = recv(sock, reply, sizeof reply - 1, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        die("no answer from %s within %ld s: is chat_server running?",
            server, timeout_ms / 1000);
    if (n < 0) /* ECONNREFUSED: an ICMP "port unreachable" came back */
        die_errno("no chat server at %s", server);
    reply[chat_printable(reply, (size_t)n)] = '\0';
    if (strcmp(reply, "OK") == 0)
        return 0;
    if (strncmp(reply, "FAIL ", 5) != 0)
        die("unexpected answer to the login (not OK or FAIL)");
    warn_msg("the server refused '%s': %s", name, reply + 5);
    return 1;
}

void chat_ask_name(int sock, struct line_reader *in, bool tty,
                   const char *server, long timeout_ms, char *out,
                   size_t size)
{
    for (;;) {
        if (tty)
            io_printf(STDOUT_FILENO, "your name: ");
        char *line;
        size_t len;
        int rc = line_read(in, &line, &len);
        if (rc == LINE_EOF || rc == LINE_ERROR)
            die("no name given: not logged in");
        if (rc == LINE_TOO_LONG || len >= size) {
            warn_msg("that name is too long");
            continue;
        }
        snprintf(out, size, "%s", line);
        if (chat_log_in(sock, out, server, timeout_ms) == 0)
            return;
    }
}

void chat_print(char *msg, size_t len, bool tty)
{
    len = chat_printable(msg, len);
    io_printf(STDOUT_FILENO, "%s%.*s\n%s", tty ? "\r\033[K" : "", (int)len,
              msg, tty ? CHAT_PROMPT : "");
}
