/* day6/chat/chat_client.c — 群聊聊天室 客户端 / the chat room: client
 *
 * Logs in to chat_server over UDP, then forks into two processes that
 * share one socket, as in the course:
 *   the CHILD  (sender)   reads your lines and sends "C NAME LINE";
 *                         quit or Ctrl-D sends "Q NAME" and ends it;
 *   the PARENT (receiver) prints what the server sends, until EXIT.
 * Neither can block the other: the sender waits on the keyboard, the
 * receiver on the network. The receiver also owns the ending: it notices
 * the sender's exit (and reaps it), leaves for you on Ctrl-C, and ends
 * the sender when the server says EXIT. So no half is left behind: no
 * orphan still printing, no zombie.
 *
 * UDP has no connection, so nothing tells the client that no server is
 * there: the login waits at most 3 seconds for an answer, then gives up.
 *
 * Run:    ./build/day6/chat/chat_server &     (or in another terminal)
 *         ./build/day6/chat/chat_client -n alice
 *         printf 'hi all\n' | ./build/day6/chat/chat_client -n bob
 * Watch:  ps -o pid,ppid,stat,cmd shows the two client processes while
 *         you chat, none after you leave; Ctrl-C still says goodbye (the
 *         others see "NAME left").
 * See also: chat_server.c (the protocol: chat_proto.h), docs/day6.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"
#include "day6/chat/chat_proto.h"
#include "day6/chat/chat_talk.h"

#define DEFAULT_PORT     8888
#define MAX_NAME_LINE    256  /* the server allows 32 bytes; it says so */
#define LOGIN_TIMEOUT_MS 3000 /* no answer by then: no server there */
#define TICK_MS          200  /* the receiver looks at the sender this often */
#define EXIT_WAIT_MS     1000 /* after Q, how long to wait for EXIT */

/* The state of the receiver: how the session is ending. */
struct ending {
    bool sender_done, session_over, server_gone;
    double leave_by; /* 0 while chatting; then: stop waiting for EXIT */
    int sender_status;
};

static void watch_sender(int sock, pid_t sender, const char *name,
                         struct ending *e);

/* The child: read lines, send each; quit or EOF sends Q. Never returns. */
static void run_sender(int sock, struct line_reader *in, const char *name,
                       pid_t parent, bool tty)
{
    /* If the receiver dies (kill -9), die too: never an orphan reading
     * the terminal (Linux). The check after it covers a parent that died
     * before the prctl. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
        _exit(1);
    for (;;) {
        if (tty)
            io_printf(STDOUT_FILENO, CHAT_PROMPT);
        char *line;
        size_t len;
        int rc = line_read(in, &line, &len);
        if (rc == LINE_ERROR)
            warn_errno("read stdin");
        if (rc == LINE_EOF || rc == LINE_ERROR)
            break;
        if (rc == LINE_TOO_LONG || len > CHAT_MAX_TEXT) {
            warn_msg("line too long (max %d bytes), not sent", CHAT_MAX_TEXT);
            continue;
        }
        if (strcmp(line, "quit") == 0)
            break;
        if (len > 0 && chat_request(sock, "C", name, line) < 0) {
            warn_errno("send"); /* ECONNREFUSED: the server is gone */
            _exit(1);
        }
    }
    /* Leaving: the server answers EXIT, which ends the receiver. */
    if (chat_request(sock, "Q", name, NULL) < 0)
        die_errno_child("send");
    _exit(0);
}

/* The parent: print what arrives until the session is over (EXIT, or no
 * server) and the sender is reaped. Returns the exit status. */
static int run_receiver(int sock, pid_t sender, const char *name, bool tty)
{
    struct ending e = {0};
    chat_receive_timeout(sock, TICK_MS);
    while (!(e.sender_done && e.session_over)) {
        watch_sender(sock, sender, name, &e);
        if (e.leave_by != 0 && clock_now() > e.leave_by) {
            if (!e.session_over)
                warn_msg("no EXIT from the server: it may be gone");
            break;
        }
        char msg[CHAT_MAX_REPLY + 1];
        ssize_t n = recv(sock, msg, sizeof msg, 0); /* or every TICK_MS */
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
                      errno == EINTR))
            continue;
        if (n < 0) { /* ECONNREFUSED: an ICMP "port unreachable" came */
            warn_errno("the server is gone");
            e.server_gone = true;
        } else if (!chat_is_exit(msg, (size_t)n)) {
            chat_print(msg, (size_t)n, tty);
            continue;
        }
        /* EXIT (the answer to our Q, or the room is closing) or no
         * server: the session is over. End the sender if it still reads
         * (not reaped yet, so its pid cannot be anyone else's). */
        e.session_over = true;
        if (e.leave_by == 0)
            e.leave_by = clock_now() + EXIT_WAIT_MS / 1000.0;
        if (!e.sender_done)
            kill(sender, SIGTERM);
    }
    if (!e.sender_done) { /* it did not end in time: make sure, reap */
        kill(sender, SIGKILL);
        while (waitpid(sender, &e.sender_status, 0) < 0 && errno == EINTR)
            continue;
    }
    io_printf(STDOUT_FILENO, "%syou left the room\n", tty ? "\r\033[K" : "");
    bool sender_ok = WIFSIGNALED(e.sender_status) ||
                     WEXITSTATUS(e.sender_status) == 0;
    return e.server_gone || !sender_ok ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Ctrl-C or kill: leave for the user (Q), end the sender (Ctrl-C has,
 * a kill of this process alone has not). The sender gone: reap it, and
 * send its Q if a signal killed it first. */
static void watch_sender(int sock, pid_t sender, const char *name,
                         struct ending *e)
{
    if (sig_stop_requested && e->leave_by == 0) {
        if (chat_request(sock, "Q", name, NULL) < 0)
            warn_errno("send");
        kill(sender, SIGTERM);
        e->leave_by = clock_now() + EXIT_WAIT_MS / 1000.0;
    }
    if (!e->sender_done &&
        waitpid(sender, &e->sender_status, WNOHANG) == sender) {
        e->sender_done = true; /* it sent Q (quit, Ctrl-D), or failed */
        if (e->leave_by == 0 && WIFSIGNALED(e->sender_status) &&
            !e->session_over && chat_request(sock, "Q", name, NULL) < 0)
            warn_errno("send");
        if (e->leave_by == 0)
            e->leave_by = clock_now() + EXIT_WAIT_MS / 1000.0;
    }
}

static const char usage[] =
    "usage: chat_client [-H HOST] [-p PORT] [-n NAME] [-h]\n"
    "  -H HOST  server address (default 127.0.0.1)\n"
    "  -p PORT  server UDP port (default 8888)\n"
    "  -n NAME  your name (default: asked; with -n a refused name ends\n"
    "           the program)\n"
    "  Type a line to say it; quit, Ctrl-D or Ctrl-C to leave.\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    struct client_opts opts;
    client_opts_init(&opts, DEFAULT_PORT);
    const char *name_opt = NULL;
    int c;
    while ((c = getopt(argc, argv, CLIENT_OPTSTRING "n:")) != -1) {
        if (client_opts_handle(&opts, c, optarg, usage))
            continue;
        if (c != 'n')
            die_usage(usage, NULL);
        name_opt = optarg;
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (opts.port == 0)
        die_usage(usage, "port 0 is not a server's port");

    /* connect() on UDP sends nothing: it fixes the peer, so send() needs
     * no address and only the server's datagrams are received. */
    int sock = net_udp_connect(opts.host, opts.port);
    if (sock < 0)
        die("%s", net_error());
    bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    char server[NET_ADDRSTRLEN + 16], name[MAX_NAME_LINE];
    snprintf(server, sizeof server, "%s port %d", opts.host, opts.port);
    /* stdin is read through one buffered reader, before and after fork:
     * the child gets a copy of the reader with whatever it read ahead. */
    char in_buf[CHAT_MAX_TEXT + 2];
    struct line_reader in;
    line_reader_init(&in, STDIN_FILENO, in_buf, sizeof in_buf);
    if (name_opt == NULL)
        chat_ask_name(sock, &in, tty, server, LOGIN_TIMEOUT_MS, name,
                      sizeof name);
    else if (snprintf(name, sizeof name, "%s", name_opt) >= 0 &&
             chat_log_in(sock, name, server, LOGIN_TIMEOUT_MS) != 0)
        return EXIT_FAILURE;

    /* Ctrl-C from now on means "leave": the receiver sends Q. Held
     * across fork, so the child gets the default action (die) back first. */
    sigset_t old;
    if (sig_catch_stop() < 0 || sig_hold_stop(&old) < 0)
        die_errno("sigaction");
    io_printf(STDOUT_FILENO,
              "you are in the room as %s (type to speak; quit or Ctrl-D "
              "to leave)\n",
              name);
    pid_t parent = getpid();
    pid_t sender = fork();
    if (sender < 0)
        die_errno("fork");
    if (sender == 0) {
        sig_child_defaults(&old);
        run_sender(sock, &in, name, parent, tty); /* never returns */
    }
    sig_release(&old);
    int status = run_receiver(sock, sender, name, tty);
    close(sock);
    return status;
}
