/* day6/chat_server.c — 群聊聊天室 服务端 / the group chat room: the server
 *
 * The course's chat room on UDP and fork. One UDP socket is the whole
 * room: the PARENT loops on recvfrom and answers each datagram, keeping the
 * list of users (name -> address) it broadcasts to. A forked CHILD reads
 * announcement lines (管理员消息) from the server's stdin and hands each
 * one to the parent the way the course does it: it sends "C admin TEXT"
 * over the same socket to the server's own address, so the parent meets
 * announcements in the same queue as everything else and never has to
 * wait on two things at once (that needs select/poll, day 10).
 *
 * The protocol (one datagram = one message, UTF-8 text):
 *   client -> server   L NAME          log in
 *                      C NAME TEXT     say TEXT to everyone else
 *                      Q NAME          leave
 *   server -> client   OK, or FAIL REASON     the answer to L (and errors)
 *                      NAME joined / NAME: TEXT / NAME left / admin: TEXT
 *                      EXIT            to a user who left (and to everyone
 *                                      when the server stops)
 *
 * The naive course version trusts every datagram. This one checks them:
 * C and Q are accepted only from the address that logged in under that
 * name; only the server's own address may speak as "admin"; names are
 * 1..32 bytes without spaces, ':' or control characters; text is valid
 * UTF-8 without control characters, at most 1024 bytes; an empty, unknown
 * or over-long datagram gets a FAIL reply; the room holds at most -m users.
 *
 * usage: chat_server [-b ADDR] [-p PORT] [-m MAX_USERS] [-q] [-h]
 *   ./build/day6/chat_server                 (listening on 127.0.0.1:8888)
 *   ./build/day6/chat_client -n alice        (in a second terminal)
 *   nc -u 127.0.0.1 8888                     (chat by hand: type L bob)
 *   Type a line in the server's terminal: every user sees "admin: LINE".
 *
 * Watch for: the event log on stderr (join, leave, refused, announcement);
 * ps -o pid,ppid,stat,cmd shows the two server processes; a datagram sent
 * "as" someone else from another address is refused and logged.
 *
 * See also: day6/chat_client.c, docs/day6.md (Part 2).
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"

#define DEFAULT_PORT      8888
#define DEFAULT_MAX_USERS 100
#define MAX_USERS_LIMIT   1000
#define MAX_NAME          32   /* bytes in a name */
#define MAX_TEXT          1024 /* bytes of text in one C (or announcement) */
#define ADMIN_NAME        "admin"
#define STOP_CHECK_MS     500 /* recvfrom wakes up this often to see a stop signal */

/* The longest valid datagram: "C " NAME " " TEXT, plus "\r\n" from nc. */
#define MAX_DATAGRAM (2 + MAX_NAME + 1 + MAX_TEXT + 2)
/* The longest datagram we send: NAME ": " TEXT "\n" (or admin's). */
#define MAX_REPLY (MAX_NAME + 2 + MAX_TEXT + 1)

/* One person in the room: a name and the address it logged in from. */
struct user {
    char name[MAX_NAME + 1];
    struct sockaddr_storage addr;
    socklen_t addr_len;
    bool newline; /* it ends its datagrams with \n (nc): end ours with \n too */
};

/* The whole state of the room, owned by the parent process. */
struct room {
    int sock;
    struct sockaddr_storage self; /* where the announcer child sends to */
    socklen_t self_len;
    struct user *users;
    int count, max;
    pid_t announcer; /* the child reading stdin; 0 once reaped */
    bool quit_on_eof;
};

/* A datagram split into its parts, once checked. */
struct request {
    char command;            /* 'L', 'C' or 'Q' */
    char name[MAX_NAME + 1]; /* NUL-terminated */
    const char *text;        /* for C: the text (not NUL-terminated) */
    size_t text_len;
    bool newline; /* the datagram ended with \n */
};

/* Helpers, at the end of the file: checking what arrives, and sending. */
static const char *parse_request(char *data, size_t len, struct request *req);
static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b);
static const char *format_addr(const struct sockaddr_storage *addr, socklen_t len, char *out);
static void send_to(struct room *room, const struct sockaddr_storage *addr, socklen_t len,
                    bool newline, const char *text);
static void broadcast(struct room *room, const struct user *skip, const char *text);
static struct user *find_by_name(struct room *room, const char *name);
static struct user *find_by_address(struct room *room, const struct sockaddr_storage *addr);

/* ------------------------------------------------------------------------
 * The five features: L, C, Q and the announcement (and refusing the rest).
 * ------------------------------------------------------------------------ */

/* L NAME: a new user enters; everyone else hears "NAME joined". */
static const char *do_login(struct room *room, const struct request *req,
                            const struct sockaddr_storage *from, socklen_t from_len)
{
    if (strcasecmp(req->name, ADMIN_NAME) == 0)
        return "FAIL admin is a reserved name";
    struct user *same = find_by_address(room, from);
    if (same != NULL && strcmp(same->name, req->name) == 0)
        return "OK"; /* our OK was lost and the client asked again */
    if (same != NULL)
        return "FAIL this address is already logged in as another name";
    if (find_by_name(room, req->name) != NULL)
        return "FAIL name taken";
    if (room->count == room->max)
        return "FAIL room full";

    struct user *u = &room->users[room->count++];
    snprintf(u->name, sizeof u->name, "%s", req->name);
    u->addr = *from;
    u->addr_len = from_len;
    u->newline = req->newline;
    send_to(room, from, from_len, req->newline, "OK");

    char notice[MAX_REPLY];
    snprintf(notice, sizeof notice, "%s joined", u->name);
    broadcast(room, u, notice);
    char where[NET_ADDRSTRLEN];
    warn_msg("join %s from %s (%d in the room)", u->name, format_addr(from, from_len, where),
             room->count);
    return NULL; /* answered already */
}

/* The user who sent a C or Q: it must exist and be at this very address,
 * or anyone could speak or log out as someone else. */
static const char *check_sender(struct room *room, const struct request *req,
                                const struct sockaddr_storage *from, struct user **user)
{
    if (strcasecmp(req->name, ADMIN_NAME) == 0)
        return "FAIL admin is a reserved name";
    *user = find_by_name(room, req->name);
    if (*user == NULL)
        return "FAIL unknown name (log in first: L NAME)";
    if (!same_address(&(*user)->addr, from))
        return "FAIL that name is logged in from another address";
    return NULL;
}

/* C NAME TEXT: everyone but the speaker receives "NAME: TEXT". */
static const char *do_chat(struct room *room, const struct request *req,
                           const struct sockaddr_storage *from)
{
    struct user *speaker;
    const char *bad = check_sender(room, req, from, &speaker);
    if (bad != NULL)
        return bad;
    char message[MAX_REPLY];
    snprintf(message, sizeof message, "%s: %.*s", speaker->name, (int)req->text_len, req->text);
    broadcast(room, speaker, message);
    return NULL;
}

/* Q NAME: the leaver gets EXIT (its receiver process stops on it), the
 * others hear "NAME left". */
static const char *do_quit(struct room *room, const struct request *req,
                           const struct sockaddr_storage *from)
{
    struct user *leaver;
    const char *bad = check_sender(room, req, from, &leaver);
    if (bad != NULL)
        return bad;
    send_to(room, &leaver->addr, leaver->addr_len, leaver->newline, "EXIT");
    char notice[MAX_REPLY];
    snprintf(notice, sizeof notice, "%s left", leaver->name);
    broadcast(room, leaver, notice);
    warn_msg("leave %s (%d in the room)", leaver->name, room->count - 1);
    *leaver = room->users[--room->count]; /* the last user takes its slot */
    return NULL;
}

/* A datagram from the server's own address: only the announcer child can
 * send from there, because only this process and its child hold the
 * socket bound to it. It says "C admin TEXT", or "Q admin" at its end. */
static void from_announcer(struct room *room, const struct request *req, const char *bad)
{
    if (bad == NULL && req->command == 'C' && strcmp(req->name, ADMIN_NAME) == 0) {
        char message[MAX_REPLY];
        snprintf(message, sizeof message, "admin: %.*s", (int)req->text_len, req->text);
        broadcast(room, NULL, message);
        warn_msg("announcement to %d user%s: %.*s", room->count, room->count == 1 ? "" : "s",
                 (int)req->text_len, req->text);
    } else if (bad == NULL && req->command == 'Q' && strcmp(req->name, ADMIN_NAME) == 0) {
        while (room->announcer > 0 && waitpid(room->announcer, NULL, 0) < 0 && errno == EINTR)
            continue;        /* it exits right after sending this */
        room->announcer = 0; /* reaped: no zombie */
        warn_msg("stdin closed: no more announcements%s",
                 room->quit_on_eof ? "; stopping (-q)" : "");
        if (room->quit_on_eof)
            sig_stop_requested = SIGTERM;
    } else {
        /* never answer ourselves: that would loop forever */
        warn_msg("refused an announcement: %s", bad != NULL ? bad + 5 : "not C or Q admin");
    }
}

/* Answer one datagram. */
static void handle_datagram(struct room *room, char *data, size_t len,
                            const struct sockaddr_storage *from, socklen_t from_len)
{
    struct request req;
    const char *reply = parse_request(data, len, &req);
    if (same_address(from, &room->self)) {
        from_announcer(room, &req, reply);
        return;
    }
    if (reply == NULL) {
        switch (req.command) {
        case 'L': reply = do_login(room, &req, from, from_len); break;
        case 'C': reply = do_chat(room, &req, from); break;
        case 'Q': reply = do_quit(room, &req, from); break;
        }
    }
    if (reply == NULL)
        return; /* done: the handler sent what was due */
    if (strncmp(reply, "FAIL", 4) == 0) {
        char where[NET_ADDRSTRLEN];
        warn_msg("refused from %s: %s", format_addr(from, from_len, where), reply + 5);
        /* Never answer an error with an error: two servers (or a forged
         * source address) could otherwise bounce FAILs forever. */
        if (len >= 4 && memcmp(data, "FAIL", 4) == 0)
            return;
    }
    send_to(room, from, from_len, req.newline, reply);
}

/* ------------------------------------------------------------------------
 * The announcer child (管理员消息): stdin lines -> "C admin LINE" datagrams
 * to the server's own address. It exits when stdin ends.
 * ------------------------------------------------------------------------ */

static void run_announcer(struct room *room, pid_t parent)
{
    /* If the server is killed (kill -9), end too, instead of living on as
     * an orphan that holds the port and reads the terminal (Linux). The
     * check after it covers a parent that died before the prctl. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
        _exit(1);
    if (isatty(STDIN_FILENO))
        warn_msg("type a line and press Enter to announce it to everyone");

    const struct sockaddr *self = (const struct sockaddr *)&room->self;
    char buf[MAX_TEXT + 2], *line;
    size_t len;
    struct line_reader in;
    line_reader_init(&in, STDIN_FILENO, buf, sizeof buf);
    for (;;) {
        int rc = line_read(&in, &line, &len);
        if (rc == LINE_EOF || rc == LINE_ERROR)
            break;
        if (rc == LINE_TOO_LONG || len > MAX_TEXT) {
            warn_msg("announcement too long (max %d bytes), not sent", MAX_TEXT);
            continue;
        }
        if (len == 0)
            continue;
        char datagram[MAX_DATAGRAM];
        int n = snprintf(datagram, sizeof datagram, "C " ADMIN_NAME " %s", line);
        if (sendto(room->sock, datagram, (size_t)n, 0, self, room->self_len) < 0)
            warn_errno("announcer: sendto");
    }
    /* Tell the parent we are done, through the same channel, so it can
     * reap us now instead of leaving a zombie until it stops. */
    static const char bye[] = "Q " ADMIN_NAME;
    if (sendto(room->sock, bye, sizeof bye - 1, 0, self, room->self_len) < 0)
        die_errno_child("announcer: sendto");
    _exit(0);
}

/* Fork the announcer. Stop signals are blocked across fork, so none can
 * land in the child before it has put back the default action (die):
 * Ctrl-C, which reaches both processes, or the parent's SIGTERM at
 * shutdown simply end it, and the parent reaps it. */
static void start_announcer(struct room *room)
{
    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, &old_mask) < 0)
        die_errno("sigprocmask");
    pid_t parent = getpid();
    room->announcer = fork();
    if (room->announcer < 0)
        die_errno("fork");
    if (room->announcer == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        run_announcer(room, parent); /* never returns */
    }
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
}

/* The address the announcer sends to: the socket's own address, with a
 * wildcard bind (0.0.0.0 or ::) replaced by loopback. */
static void find_self_address(struct room *room)
{
    room->self_len = sizeof room->self;
    if (getsockname(room->sock, (struct sockaddr *)&room->self, &room->self_len) < 0)
        die_errno("getsockname");
    if (room->self.ss_family == AF_INET) {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&room->self;
        if (in4->sin_addr.s_addr == htonl(INADDR_ANY))
            in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (room->self.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&room->self;
        if (memcmp(&in6->sin6_addr, &in6addr_any, sizeof in6addr_any) == 0)
            in6->sin6_addr = in6addr_loopback;
    }
}

/* ------------------------------------------------------------------------
 * Checking what arrives: nothing from the network is trusted.
 * ------------------------------------------------------------------------ */

/* Is s[0..len) valid UTF-8 without control characters (C0, DEL, C1)?
 * NULL if so, else the FAIL reply that says why. NUL bytes count as
 * control characters, so text never hides a "\0" or an escape sequence
 * that would rewrite the other users' terminals. */
static const char *check_utf8_text(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i], cp, n;
        if (c < 0x80) {
            n = 1;
            cp = c;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07;
        } else {
            return "FAIL not valid UTF-8";
        }
        if (len - i < n)
            return "FAIL not valid UTF-8";
        for (unsigned k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return "FAIL not valid UTF-8";
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        /* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return "FAIL not valid UTF-8";
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            return "FAIL control characters are not allowed";
        i += n;
    }
    return NULL;
}

/* Copy a name of len bytes into out if it is a good one; else the reason. */
static const char *take_name(const char *name, size_t len, char out[MAX_NAME + 1])
{
    if (len == 0)
        return "FAIL empty name";
    if (len > MAX_NAME)
        return "FAIL name too long (max 32 bytes)";
    if (memchr(name, ' ', len) != NULL || memchr(name, ':', len) != NULL)
        return "FAIL name must not contain a space or ':'";
    memcpy(out, name, len);
    out[len] = '\0';
    return NULL;
}

/* Split and check one datagram. NULL if it is a well-formed request, else
 * the FAIL reply to send back. data[len] must be writable. */
static const char *parse_request(char *data, size_t len, struct request *req)
{
    memset(req, 0, sizeof *req);
    if (len == 0)
        return "FAIL empty datagram";
    if (len > MAX_DATAGRAM)
        return "FAIL too long (max 1024 bytes of text)";
    if (data[len - 1] == '\n') { /* nc sends the line with its newline */
        req->newline = true;
        len--;
        if (len > 0 && data[len - 1] == '\r')
            len--;
    }
    const char *bad = check_utf8_text((const unsigned char *)data, len);
    if (bad != NULL)
        return bad;
    if (len < 2 || data[1] != ' ' || strchr("LCQ", data[0]) == NULL)
        return "FAIL unknown command (send L NAME, C NAME TEXT or Q NAME)";
    req->command = data[0];

    const char *name = data + 2;
    size_t rest = len - 2, name_len = rest;
    if (req->command == 'C') { /* C NAME TEXT: the name ends at the first space */
        const char *space = memchr(name, ' ', rest);
        name_len = space != NULL ? (size_t)(space - name) : rest;
        req->text = space != NULL ? space + 1 : name + rest;
        req->text_len = rest - name_len - (space != NULL ? 1 : 0);
    }
    bad = take_name(name, name_len, req->name);
    if (bad != NULL)
        return bad;
    if (req->command == 'C' && req->text_len == 0)
        return "FAIL empty message";
    if (req->text_len > MAX_TEXT)
        return "FAIL too long (max 1024 bytes of text)";
    return NULL;
}

/* Same family, address and port? (sockaddrs have padding: no memcmp.) */
static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return false;
}

/* ------------------------------------------------------------------------
 * Sending: one datagram per message; a failed send is logged, never fatal
 * (a user who vanished without Q must not stop the others' messages).
 * ------------------------------------------------------------------------ */

static const char *format_addr(const struct sockaddr_storage *addr, socklen_t len, char *out)
{
    if (net_format_addr((const struct sockaddr *)addr, len, out, NET_ADDRSTRLEN) < 0)
        snprintf(out, NET_ADDRSTRLEN, "(unknown address)");
    return out;
}

/* Send text to addr as one datagram, with a \n if that peer uses them. */
static void send_to(struct room *room, const struct sockaddr_storage *addr, socklen_t len,
                    bool newline, const char *text)
{
    char buf[MAX_REPLY + 1];
    int n = snprintf(buf, sizeof buf, "%s%s", text, newline ? "\n" : "");
    if (n < 0 || (size_t)n >= sizeof buf)
        return; /* cannot happen: every text we send is checked first */
    if (sendto(room->sock, buf, (size_t)n, 0, (const struct sockaddr *)addr, len) < 0) {
        char where[NET_ADDRSTRLEN];
        warn_errno("sendto %s", format_addr(addr, len, where));
    }
}

/* Send text to every user except skip (NULL: to everyone). */
static void broadcast(struct room *room, const struct user *skip, const char *text)
{
    for (int i = 0; i < room->count; i++)
        if (&room->users[i] != skip)
            send_to(room, &room->users[i].addr, room->users[i].addr_len, room->users[i].newline,
                    text);
}

static struct user *find_by_name(struct room *room, const char *name)
{
    for (int i = 0; i < room->count; i++)
        if (strcmp(room->users[i].name, name) == 0)
            return &room->users[i];
    return NULL;
}

static struct user *find_by_address(struct room *room, const struct sockaddr_storage *addr)
{
    for (int i = 0; i < room->count; i++)
        if (same_address(&room->users[i].addr, addr))
            return &room->users[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */

static const char usage[] =
    "usage: chat_server [-b ADDR] [-p PORT] [-m MAX_USERS] [-q] [-h]\n"
    "  The group chat room (群聊聊天室) on UDP: users log in with L NAME, speak\n"
    "  with C NAME TEXT, leave with Q NAME. Lines typed on stdin are sent to\n"
    "  every user as \"admin: LINE\".\n"
    "  -b ADDR       bind address (default 127.0.0.1)\n"
    "  -p PORT       UDP port (default 8888; 0: the kernel picks one)\n"
    "  -m MAX_USERS  room size, 1..1000 (default 100)\n"
    "  -q            stop the server when stdin ends (default: only the\n"
    "                announcements stop)\n"
    "  -h            this help\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    struct server_opts opts;
    server_opts_init(&opts, DEFAULT_PORT);
    struct room room = {.max = DEFAULT_MAX_USERS};
    long value;
    int c;
    while ((c = getopt(argc, argv, SERVER_OPTSTRING "m:q")) != -1) {
        if (server_opts_handle(&opts, c, optarg, usage))
            continue;
        switch (c) {
        case 'm':
            if (parse_long(optarg, 1, MAX_USERS_LIMIT, &value) < 0)
                die_usage(usage, "bad room size '%s' (1..%d)", optarg, MAX_USERS_LIMIT);
            room.max = (int)value;
            break;
        case 'q': room.quit_on_eof = true; break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);

    room.users = calloc((size_t)room.max, sizeof *room.users);
    if (room.users == NULL)
        die_errno("calloc");
    if (sig_catch_stop() < 0)
        die_errno("sigaction");
    if (net_ignore_sigpipe() < 0) /* the log may go to a pipe whose reader leaves */
        die("%s", net_error());

    room.sock = net_udp_bind(opts.bind_addr, opts.port);
    if (room.sock < 0)
        die("%s", net_error());
    /* net_udp_bind leaves SO_REUSEADDR off: a second server on this port
     * fails with "Address already in use" instead of sharing it, so no
     * other process can steal our datagrams or pose as our announcer. */
    /* Wake up now and then, so a stop signal that lands just before
     * recvfrom blocks is still noticed. */
    struct timeval tick = {0, STOP_CHECK_MS * 1000L};
    if (setsockopt(room.sock, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick) < 0)
        die_errno("setsockopt SO_RCVTIMEO");
    find_self_address(&room);
    if (net_print_listening(room.sock) < 0)
        die("%s", net_error());

    start_announcer(&room);

    /* The parent: one datagram at a time, in the order they arrive. */
    char data[MAX_DATAGRAM + 2]; /* room for one byte too many: "too long" */
    while (!sig_stop_requested) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t n =
            recvfrom(room.sock, data, sizeof data - 1, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            warn_errno("recvfrom"); /* e.g. a queued ICMP error: go on */
            continue;
        }
        handle_datagram(&room, data, (size_t)n, &from, from_len);
    }

    /* Stopping: every user hears why, then gets EXIT, so no client is left
     * waiting for a room that is gone; then the announcer is ended and
     * reaped. */
    warn_msg("stopping: telling %d user%s EXIT", room.count, room.count == 1 ? "" : "s");
    broadcast(&room, NULL, "admin: the room is closing");
    for (int i = 0; i < room.count; i++)
        send_to(&room, &room.users[i].addr, room.users[i].addr_len, room.users[i].newline, "EXIT");
    if (room.announcer > 0) {
        kill(room.announcer, SIGTERM); /* still unreaped, so the pid is still ours */
        while (waitpid(room.announcer, NULL, 0) < 0 && errno == EINTR)
            continue; /* a second Ctrl-C must not leave it a zombie */
    }
    close(room.sock);
    free(room.users);
    return 0;
}
