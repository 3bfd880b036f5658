/* day6/chat/chat_room.h — the chat server's table of users and how it
 * sends to them: one datagram per message; a failed send is logged, never
 * fatal (a user who vanished without Q must not stop the others').
 */
#ifndef CONCLAB_CHAT_ROOM_H
#define CONCLAB_CHAT_ROOM_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "day6/chat/chat_proto.h"

/* One person in the room: a name and the address it logged in from. */
struct chat_user {
    char name[CHAT_MAX_NAME + 1];
    struct sockaddr_storage addr;
    socklen_t addr_len;
    bool newline; /* it ends its datagrams with \n (nc): so do we */
};

/* The whole state of the room, owned by the server's parent process. */
struct chat_room {
    int sock;
    struct sockaddr_storage self; /* where the announcer child sends to */
    socklen_t self_len;
    struct chat_user *users;
    int count, max;
    pid_t announcer; /* the child reading stdin; 0 once reaped */
    bool quit_on_eof;
};

/* The answers to L NAME, C NAME TEXT and Q NAME (req from chat_parse)
 * from the address from: NULL when the answer was sent, else the reply
 * ("OK" or "FAIL REASON") for the caller to send. Joins, leaves and
 * messages are broadcast; joins and leaves logged on stderr. */
const char *chat_room_login(struct chat_room *room,
                            const struct chat_request *req,
                            const struct sockaddr_storage *from,
                            socklen_t from_len);
const char *chat_room_say(struct chat_room *room,
                          const struct chat_request *req,
                          const struct sockaddr_storage *from);
const char *chat_room_leave(struct chat_room *room,
                            const struct chat_request *req,
                            const struct sockaddr_storage *from);

/* Room for max users; exits the program if there is no memory. */
void chat_room_init(struct chat_room *room, int max);

/* Tell every user "admin: the room is closing" and EXIT; close the
 * socket, free the table. */
void chat_room_close(struct chat_room *room);

/* The address the announcer sends to: the socket's own, with a wildcard
 * bind (0.0.0.0 or ::) replaced by loopback. Exits on failure. */
void chat_room_find_self(struct chat_room *room);

/* Did this datagram come from the server's own socket? */
bool chat_room_is_self(const struct chat_room *room,
                       const struct sockaddr_storage *from);

/* The user who sent a C or Q: it must exist and be at this very address,
 * or anyone could speak or log out as someone else. NULL, or why not. */
const char *chat_room_sender(struct chat_room *room, const char *name,
                             const struct sockaddr_storage *from,
                             struct chat_user **user);

/* Who logged in under name, or from addr; NULL if nobody. */
struct chat_user *chat_room_by_name(struct chat_room *room, const char *name);
struct chat_user *chat_room_by_addr(struct chat_room *room,
                                    const struct sockaddr_storage *addr);

/* Add a user (the caller checked there is room); remove one. */
struct chat_user *chat_room_add(struct chat_room *room, const char *name,
                                const struct sockaddr_storage *addr,
                                socklen_t len, bool newline);
void chat_room_remove(struct chat_room *room, struct chat_user *u);

/* Send text as one datagram (with a \n if newline); to every user except
 * skip (NULL: to everyone); to one user. */
void chat_send(struct chat_room *room, const struct sockaddr_storage *addr,
               socklen_t len, bool newline, const char *text);
void chat_broadcast(struct chat_room *room, const struct chat_user *skip,
                    const char *text);
void chat_tell(struct chat_room *room, const struct chat_user *u,
               const char *text);

/* addr as "1.2.3.4:80" in out (NET_ADDRSTRLEN bytes); returns out. */
const char *chat_addr(const struct sockaddr_storage *addr, socklen_t len,
                      char *out);

#endif
