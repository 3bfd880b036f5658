/* day6/chat/chat_proto.h — the chat room's datagrams, checked: bytes in,
 * a verdict out, no IO (so the fuzzer and the tests can call it alone).
 *
 *   client -> server   L NAME          log in
 *                      C NAME TEXT     say TEXT to everyone else
 *                      Q NAME          leave
 *   server -> client   OK, or FAIL REASON     the answer to L (and errors)
 *                      NAME joined / NAME: TEXT / NAME left / admin: TEXT
 *                      EXIT            to a user who left (and to everyone
 *                                      when the server stops)
 *
 * Names are 1..32 bytes without spaces or ':'; text is valid UTF-8
 * without control characters (C0, DEL, C1), at most 1024 bytes. A
 * datagram may end with "\n" or "\r\n" (nc sends lines).
 */
#ifndef CONCLAB_CHAT_PROTO_H
#define CONCLAB_CHAT_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CHAT_MAX_NAME 32   /* bytes in a name */
#define CHAT_MAX_TEXT 1024 /* bytes of text in one C (or announcement) */
#define CHAT_ADMIN    "admin"
/* The longest valid datagram: "C " NAME " " TEXT, plus "\r\n" from nc. */
#define CHAT_MAX_DATAGRAM (2 + CHAT_MAX_NAME + 1 + CHAT_MAX_TEXT + 2)
/* The longest datagram the server sends: NAME ": " TEXT "\n". */
#define CHAT_MAX_REPLY (CHAT_MAX_NAME + 2 + CHAT_MAX_TEXT + 1)

/* A datagram split into its parts, once checked. */
struct chat_request {
    char command;                 /* 'L', 'C' or 'Q' */
    char name[CHAT_MAX_NAME + 1]; /* NUL-terminated */
    const char *text;             /* for C: into the datagram, no NUL */
    size_t text_len;
    bool newline; /* the datagram ended with \n: answer with \n too */
};

/* Split and check one datagram. NULL if it is a well-formed request, else
 * the "FAIL REASON" reply to send back. */
const char *chat_parse(const char *data, size_t len, struct chat_request *r);

/* Is s[0..len) valid UTF-8 without control characters? NULL if so, else
 * the FAIL reply that says why. NUL counts as a control character. */
const char *chat_check_text(const unsigned char *s, size_t len);

/* Is this datagram a FAIL? Never answer one (the bounce guard): two
 * servers, or a forged source address, would bounce FAILs forever. */
bool chat_is_fail(const char *data, size_t len);

/* Is this datagram the server's EXIT (with or without its \n)? */
bool chat_is_exit(const char *data, size_t len);

/* Make a message from the network safe to print: drop a trailing \n and
 * turn control characters (C0, DEL, and C1 as 0xC2 0x80..0x9F) into '?'.
 * Returns the new length. */
size_t chat_printable(char *msg, size_t len);

#endif
