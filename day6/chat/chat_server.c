/* day6/chat/chat_server.c — 群聊聊天室 服务端 / the chat room: server
 *
 * The course's chat room on UDP and fork. One UDP socket is the whole
 * room: the PARENT loops on recvfrom and answers each datagram, keeping
 * the list of users (name -> address) it broadcasts to. A forked CHILD
 * reads announcement lines (管理员消息) from stdin and hands each one to
 * the parent the course's way: it sends "C admin TEXT" over the same
 * socket to the server's own address, so the parent meets announcements
 * in the same queue as everything else and never waits on two things at
 * once (that needs select/poll, day 10).
 *
 * The protocol (L NAME, C NAME TEXT, Q NAME; OK, FAIL, EXIT) and its
 * checks are in chat_proto.h, the users in chat_room.h. Nothing is
 * trusted: C and Q only from the address that logged in as that name,
 * "admin" only from our own address, a FAIL never answered.
 *
 * Run:    ./build/day6/chat/chat_server         (127.0.0.1:8888)
 *         ./build/day6/chat/chat_client -n alice  (in a second terminal)
 *         nc -u 127.0.0.1 8888                    (by hand: type L bob)
 *         a line typed at the server: every user sees "admin: LINE".
 * Watch:  the event log on stderr (join, leave, refused, announcement);
 *         ps -o pid,ppid,stat,cmd shows the two server processes.
 * See also: chat_client.c, docs/day6.md (Part 2).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"
#include "day6/chat/chat_proto.h"
#include "day6/chat/chat_room.h"

#define DEFAULT_PORT      8888
#define DEFAULT_MAX_USERS 100
#define MAX_USERS_LIMIT   1000

static void handle_datagram(struct chat_room *room, const char *data,
                            size_t len, const struct sockaddr_storage *from,
                            socklen_t from_len);
static void from_announcer(struct chat_room *room,
                           const struct chat_request *req, const char *bad);
static void run_announcer(struct chat_room *room, pid_t parent);

/* The parent: one datagram at a time, in the order they arrive. */
static void serve(struct chat_room *room)
{
    char data[CHAT_MAX_DATAGRAM + 2]; /* a byte too many: "too long" */
    while (!sig_stop_requested) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(room->sock, data, sizeof data - 1, 0,
                             (struct sockaddr *)&from, &len);
        if (n < 0 && errno != EINTR)
            warn_errno("recvfrom"); /* e.g. a queued ICMP error: go on */
        if (n < 0 || sig_stop_requested) /* stopped: recvfrom gave 0 */
            continue;
        handle_datagram(room, data, (size_t)n, &from, len);
    }
}

/* Fork the announcer. Stop signals are held across fork, so none lands
 * in the child before it has its default action (die) back: Ctrl-C, which
 * reaches both processes, or our SIGTERM at shutdown simply end it. */
static void start_announcer(struct chat_room *room)
{
    sigset_t old;
    if (sig_hold_stop(&old) < 0)
        die_errno("sigprocmask");
    pid_t parent = getpid();
    room->announcer = fork();
    if (room->announcer < 0)
        die_errno("fork");
    if (room->announcer == 0) {
        sig_child_defaults(&old);
        run_announcer(room, parent); /* never returns */
    }
    sig_release(&old);
}

/* The child (管理员消息): stdin lines -> "C admin LINE" datagrams to the
 * server's own address; "Q admin" when stdin ends, then exit. */
static void run_announcer(struct chat_room *room, pid_t parent)
{
    /* The server killed (kill -9): end too, never an orphan holding the
     * port (Linux); the check covers a parent gone before the prctl. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
        _exit(1);
    if (isatty(STDIN_FILENO))
        warn_msg("type a line and press Enter to announce it to everyone");

    const struct sockaddr *self = (const struct sockaddr *)&room->self;
    char buf[CHAT_MAX_TEXT + 2], *line, datagram[CHAT_MAX_DATAGRAM];
    size_t len;
    struct line_reader in;
    line_reader_init(&in, STDIN_FILENO, buf, sizeof buf);
    int rc;
    while ((rc = line_read(&in, &line, &len)) != LINE_EOF &&
           rc != LINE_ERROR) {
        if (rc == LINE_TOO_LONG || len > CHAT_MAX_TEXT) {
            warn_msg("announcement too long (max %d bytes), not sent",
                     CHAT_MAX_TEXT);
            continue;
        }
        int n = snprintf(datagram, sizeof datagram, "C %s %s", CHAT_ADMIN,
                         line);
        if (len > 0 && sendto(room->sock, datagram, (size_t)n, 0, self,
                              room->self_len) < 0)
            warn_errno("announcer: sendto");
    }
    /* Tell the parent, through the same channel, so it reaps us now
     * instead of leaving a zombie until it stops. */
    static const char bye[] = "Q " CHAT_ADMIN;
    if (sendto(room->sock, bye, sizeof bye - 1, 0, self, room->self_len) < 0)
        die_errno_child("announcer: sendto");
    _exit(0);
}

/* ------------------------------------------------------------------------
 * Answering: L, C and Q (chat_room.c), the announcement, the rest.
 * ------------------------------------------------------------------------ */

/* Answer one datagram. */
static void handle_datagram(struct chat_room *room, const char *data,
                            size_t len, const struct sockaddr_storage *from,
                            socklen_t from_len)
{
    struct chat_request req;
    const char *reply = chat_parse(data, len, &req);
    if (chat_room_is_self(room, from)) {
        from_announcer(room, &req, reply);
        return;
    }
    if (reply == NULL && req.command == 'L')
        reply = chat_room_login(room, &req, from, from_len);
    else if (reply == NULL && req.command == 'C')
        reply = chat_room_say(room, &req, from);
    else if (reply == NULL && req.command == 'Q')
        reply = chat_room_leave(room, &req, from);
    if (reply == NULL)
        return; /* done: the handler sent what was due */
    if (strncmp(reply, "FAIL", 4) == 0) {
        char where[NET_ADDRSTRLEN];
        warn_msg("refused from %s: %s", chat_addr(from, from_len, where),
                 reply + 5);
        if (chat_is_fail(data, len))
            return; /* never answer an error with an error */
    }
    chat_send(room, from, from_len, req.newline, reply);
}

/* A datagram from our own address: only the announcer child can send from
 * there, as only it and we hold the socket bound to it. It says
 * "C admin TEXT", or "Q admin" at its end. */
static void from_announcer(struct chat_room *room,
                           const struct chat_request *req, const char *bad)
{
    bool admin = bad == NULL && strcmp(req->name, CHAT_ADMIN) == 0;
    if (admin && req->command == 'C') {
        char message[CHAT_MAX_REPLY];
        snprintf(message, sizeof message, "admin: %.*s", (int)req->text_len,
                 req->text);
        chat_broadcast(room, NULL, message);
        warn_msg("announcement to %d user%s: %.*s", room->count,
                 room->count == 1 ? "" : "s", (int)req->text_len, req->text);
    } else if (admin && req->command == 'Q') {
        while (room->announcer > 0 && waitpid(room->announcer, NULL, 0) < 0 &&
               errno == EINTR)
            continue;        /* it exits right after sending this */
        room->announcer = 0; /* reaped: no zombie */
        warn_msg("stdin closed: no more announcements%s",
                 room->quit_on_eof ? "; stopping (-q)" : "");
        if (room->quit_on_eof)
            sig_stop_requested = SIGTERM;
    } else { /* never answer ourselves: that would loop forever */
        warn_msg("refused an announcement: %s",
                 bad != NULL ? bad + 5 : "not C or Q admin");
    }
}

static const char usage[] =
    "usage: chat_server [-b ADDR] [-p PORT] [-m MAX_USERS] [-q] [-h]\n"
    "  -b ADDR       bind address (default 127.0.0.1)\n"
    "  -p PORT       UDP port (default 8888; 0: the kernel picks one)\n"
    "  -m MAX_USERS  room size, 1..1000 (default 100)\n"
    "  -q            stop when stdin ends (default: only announcements stop)\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    struct server_opts opts;
    server_opts_init(&opts, DEFAULT_PORT);
    long max = DEFAULT_MAX_USERS;
    bool quit_on_eof = false;
    int c;
    while ((c = getopt(argc, argv, SERVER_OPTSTRING "m:q")) != -1) {
        if (server_opts_handle(&opts, c, optarg, usage))
            continue;
        switch (c) {
        case 'm':
            if (parse_long(optarg, 1, MAX_USERS_LIMIT, &max) < 0)
                die_usage(usage, "bad room size '%s' (1..%d)", optarg,
                          MAX_USERS_LIMIT);
            break;
        case 'q': quit_on_eof = true; break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);

    struct chat_room room;
    chat_room_init(&room, (int)max);
    room.quit_on_eof = quit_on_eof;
    /* No SO_REUSEADDR: a second server on this port fails, so no other
     * process can steal our datagrams or pose as our announcer. */
    room.sock = net_udp_bind(opts.bind_addr, opts.port);
    if (room.sock < 0)
        die("%s", net_error());
    if (sig_catch_stop() < 0)
        die_errno("sigaction");
    if (net_ignore_sigpipe() < 0) /* the log may go to a closed pipe */
        die("%s", net_error());
    sig_stop_shutdown(room.sock); /* a stop: recvfrom returns 0 */
    chat_room_find_self(&room);
    if (net_print_listening(room.sock) < 0)
        die("%s", net_error());
    start_announcer(&room);
    serve(&room);

    /* Stopping: every user hears EXIT, so no client waits for a room that
     * is gone; the announcer is ended (unreaped: its pid is ours), reaped. */
    if (room.announcer > 0 && kill(room.announcer, SIGTERM) == 0)
        while (waitpid(room.announcer, NULL, 0) < 0 && errno == EINTR)
            continue; /* a second Ctrl-C must not leave a zombie */
    chat_room_close(&room);
    return 0;
}
