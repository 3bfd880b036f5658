/* day6/chat/chat_talk.h — the client's side of the chat protocol: sending
 * a request, logging in, printing what the server says.
 */
#ifndef CONCLAB_CHAT_TALK_H
#define CONCLAB_CHAT_TALK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/io.h"

#define CHAT_PROMPT "> "

/* Send "CMD NAME" (text NULL) or "CMD NAME TEXT" as one datagram on the
 * connected socket. 0, or -1 with errno set. */
int chat_request(int sock, const char *cmd, const char *name,
                 const char *text);

/* Set the socket's receive timeout (SO_RCVTIMEO) to ms milliseconds;
 * exits the program on failure. */
void chat_receive_timeout(int sock, long ms);

/* Log in as name (L NAME, then OK or FAIL) at server (for messages).
 * 0: in; 1: refused (the reason printed). No answer within timeout_ms,
 * or no server, ends the program: there is nothing to retry. */
int chat_log_in(int sock, const char *name, const char *server,
                long timeout_ms);

/* Ask for a name on in (prompting on a terminal) until the server lets
 * us in; the name goes to out. Ends the program at the end of input. */
void chat_ask_name(int sock, struct line_reader *in, bool tty,
                   const char *server, long timeout_ms, char *out,
                   size_t size);

/* Print one message from the server as one line, made safe to print. On
 * a terminal, "\r\033[K" first wipes the prompt line, and the prompt
 * comes back after: a line being typed is still there (the kernel keeps
 * it until Enter), it is just no longer shown. */
void chat_print(char *msg, size_t len, bool tty);

#endif
