/* day6/chat/chat_room.c — the chat server's users and sending (see
 * chat_room.h).
 */
#include "day6/chat/chat_room.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/net.h"

/* ------------------------------------------------------------------------
 * The answers to L, C and Q.
 * ------------------------------------------------------------------------ */

/* L NAME: a new user enters; everyone else hears "NAME joined". */
const char *chat_room_login(struct chat_room *room,
                            const struct chat_request *req,
                            const struct sockaddr_storage *from,
                            socklen_t from_len)
{
    if (strcasecmp(req->name, CHAT_ADMIN) == 0)
        return "FAIL admin is a reserved name";
    struct chat_user *same = chat_room_by_addr(room, from);
    if (same != NULL && strcmp(same->name, req->name) == 0)
        return "OK"; /* our OK was lost and the client asked again */
    if (same != NULL)
        return "FAIL this address is already logged in as another name";
    if (chat_room_by_name(room, req->name) != NULL)
        return "FAIL name taken";
    if (room->count == room->max)
        return "FAIL room full";

    struct chat_user *u =
        chat_room_add(room, req->name, from, from_len, req->newline);
    chat_tell(room, u, "OK");
    char notice[CHAT_MAX_REPLY], where[NET_ADDRSTRLEN];
    snprintf(notice, sizeof notice, "%s joined", u->name);
    chat_broadcast(room, u, notice);
    warn_msg("join %s from %s (%d in the room)", u->name,
             chat_addr(from, from_len, where), room->count);
    return NULL; /* answered already */
}

/* C NAME TEXT: everyone but the speaker receives "NAME: TEXT". */
const char *chat_room_say(struct chat_room *room,
                           const struct chat_request *req,
                           const struct sockaddr_storage *from)
{
    struct chat_user *speaker;
    const char *bad = chat_room_sender(room, req->name, from, &speaker);
    if (bad != NULL)
        return bad;
    char message[CHAT_MAX_REPLY];
    snprintf(message, sizeof message, "%s: %.*s", speaker->name,
             (int)req->text_len, req->text);
    chat_broadcast(room, speaker, message);
    return NULL;
}

/* Q NAME: the leaver gets EXIT (its receiver process stops on it), the
 * others hear "NAME left". */
const char *chat_room_leave(struct chat_room *room,
                           const struct chat_request *req,
                           const struct sockaddr_storage *from)
{
    struct chat_user *leaver;
    const char *bad = chat_room_sender(room, req->name, from, &leaver);
    if (bad != NULL)
        return bad;
    chat_tell(room, leaver, "EXIT");
    char notice[CHAT_MAX_REPLY];
    snprintf(notice, sizeof notice, "%s left", leaver->name);
    chat_broadcast(room, leaver, notice);
    warn_msg("leave %s (%d in the room)", leaver->name, room->count - 1);
    chat_room_remove(room, leaver);
    return NULL;
}

/* ------------------------------------------------------------------------
 * The table, and sending.
 * ------------------------------------------------------------------------ */

void chat_room_init(struct chat_room *room, int max)
{
    memset(room, 0, sizeof *room);
    room->max = max;
    room->users = calloc((size_t)max, sizeof *room->users);
    if (room->users == NULL)
        die_errno("calloc");
}

void chat_room_close(struct chat_room *room)
{
    warn_msg("stopping: telling %d user%s EXIT", room->count,
             room->count == 1 ? "" : "s");
    chat_broadcast(room, NULL, "admin: the room is closing");
    chat_broadcast(room, NULL, "EXIT");
    close(room->sock);
    free(room->users);
}

void chat_room_find_self(struct chat_room *room)
{
    struct sockaddr_storage *self = &room->self;
    room->self_len = sizeof *self;
    if (getsockname(room->sock, (struct sockaddr *)self, &room->self_len) < 0)
        die_errno("getsockname");
    if (self->ss_family == AF_INET) {
        struct sockaddr_in *in4 = (struct sockaddr_in *)self;
        if (in4->sin_addr.s_addr == htonl(INADDR_ANY))
            in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (self->ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)self;
        if (memcmp(&in6->sin6_addr, &in6addr_any, sizeof in6addr_any) == 0)
            in6->sin6_addr = in6addr_loopback;
    }
}

static bool same(const struct sockaddr_storage *a,
                 const struct sockaddr_storage *b)
{
    return net_same_endpoint((const struct sockaddr *)a,
                             (const struct sockaddr *)b);
}

bool chat_room_is_self(const struct chat_room *room,
                       const struct sockaddr_storage *from)
{
    return same(from, &room->self);
}

const char *chat_room_sender(struct chat_room *room, const char *name,
                             const struct sockaddr_storage *from,
                             struct chat_user **user)
{
    if (strcasecmp(name, CHAT_ADMIN) == 0)
        return "FAIL admin is a reserved name";
    *user = chat_room_by_name(room, name);
    if (*user == NULL)
        return "FAIL unknown name (log in first: L NAME)";
    if (!same(&(*user)->addr, from))
        return "FAIL that name is logged in from another address";
    return NULL;
}

struct chat_user *chat_room_by_name(struct chat_room *room, const char *name)
{
    for (int i = 0; i < room->count; i++)
        if (strcmp(room->users[i].name, name) == 0)
            return &room->users[i];
    return NULL;
}

struct chat_user *chat_room_by_addr(struct chat_room *room,
                                    const struct sockaddr_storage *addr)
{
    for (int i = 0; i < room->count; i++)
        if (same(&room->users[i].addr, addr))
            return &room->users[i];
    return NULL;
}

struct chat_user *chat_room_add(struct chat_room *room, const char *name,
                                const struct sockaddr_storage *addr,
                                socklen_t len, bool newline)
{
    struct chat_user *u = &room->users[room->count++];
    snprintf(u->name, sizeof u->name, "%s", name);
    u->addr = *addr;
    u->addr_len = len;
    u->newline = newline;
    return u;
}

void chat_room_remove(struct chat_room *room, struct chat_user *u)
{
    *u = room->users[--room->count]; /* the last user takes its slot */
}

const char *chat_addr(const struct sockaddr_storage *addr, socklen_t len,
                      char *out)
{
    const struct sockaddr *sa = (const struct sockaddr *)addr;
    if (net_format_addr(sa, len, out, NET_ADDRSTRLEN) < 0)
        snprintf(out, NET_ADDRSTRLEN, "(unknown address)");
    return out;
}

void chat_send(struct chat_room *room, const struct sockaddr_storage *addr,
               socklen_t len, bool newline, const char *text)
{
    char buf[CHAT_MAX_REPLY + 1];
    int n = snprintf(buf, sizeof buf, "%s%s", text, newline ? "\n" : "");
    if (n < 0 || (size_t)n >= sizeof buf)
        return; /* cannot happen: every text we send is checked first */
    const struct sockaddr *to = (const struct sockaddr *)addr;
    if (sendto(room->sock, buf, (size_t)n, 0, to, len) < 0) {
        char where[NET_ADDRSTRLEN];
        warn_errno("sendto %s", chat_addr(addr, len, where));
    }
}

void chat_tell(struct chat_room *room, const struct chat_user *u,
               const char *text)
{
    chat_send(room, &u->addr, u->addr_len, u->newline, text);
}

void chat_broadcast(struct chat_room *room, const struct chat_user *skip,
                    const char *text)
{
    for (int i = 0; i < room->count; i++)
        if (&room->users[i] != skip)
            chat_tell(room, &room->users[i], text);
}
