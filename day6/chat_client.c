/* day6/chat_client.c — 群聊聊天室 客户端 / the group chat room: the client
 *
 * Logs in to day6/chat_server over UDP, then forks into two processes that
 * share one socket, as in the course:
 *   the CHILD  (sender)   reads your lines and sends "C NAME LINE";
 *                         quit or Ctrl-D sends "Q NAME" and ends it;
 *   the PARENT (receiver) prints what the server sends, until EXIT.
 * Neither can block the other: the sender waits on the keyboard, the
 * receiver on the network. The receiver also owns the ending: it notices
 * the sender's exit (and reaps it), leaves for you on Ctrl-C, and ends the
 * sender when the server says EXIT. So no half is left behind: no orphan
 * still printing, no zombie.
 *
 * UDP has no connection, so nothing tells the client that no server is
 * there: the login waits at most 3 seconds for an answer, then gives up.
 *
 * usage: chat_client [-H HOST] [-p PORT] [-n NAME] [-h]
 *   ./build/day6/chat_server &               (or in another terminal)
 *   ./build/day6/chat_client -n alice
 *   printf 'hi all\n' | ./build/day6/chat_client -n bob     (scripted)
 *
 * Watch for: ps -o pid,ppid,stat,cmd shows the two client processes while
 * you chat, and none after you leave; Ctrl-C still says goodbye (the
 * others see "NAME left").
 *
 * See also: day6/chat_server.c (the protocol), docs/day6.md (Part 2).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "common/signals.h"

#define DEFAULT_PORT     8888
#define MAX_NAME_LINE    256  /* the server allows 32 bytes; it says so */
#define MAX_TEXT         1024 /* bytes of text in one message */
#define MAX_MESSAGE      2048 /* more than the server ever sends */
#define LOGIN_TIMEOUT_MS 3000 /* no answer by then: no server there */
#define TICK_MS          200  /* the receiver looks at its flags this often */
#define EXIT_WAIT_MS     1000 /* after Q, how long to wait for EXIT */
#define PROMPT           "> "

/* Set the socket's receive timeout (SO_RCVTIMEO) to ms milliseconds. */
static void set_receive_timeout(int sock, long ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        die_errno("setsockopt SO_RCVTIMEO");
}

/* Send "CMD NAME" or "CMD NAME TEXT" as one datagram. */
static int send_request(int sock, const char *cmd, const char *name, const char *text)
{
    char datagram[MAX_NAME_LINE + MAX_TEXT + 8];
    int n = text != NULL ? snprintf(datagram, sizeof datagram, "%s %s %s", cmd, name, text)
                         : snprintf(datagram, sizeof datagram, "%s %s", cmd, name);
    if (n < 0 || (size_t)n >= sizeof datagram) {
        errno = EMSGSIZE;
        return -1;
    }
    return send(sock, datagram, (size_t)n, 0) < 0 ? -1 : 0;
}

/* Make a message from the network safe to print: drop its trailing \n
 * and turn control characters into '?' — C0, DEL, and the C1 ones
 * (U+0080..U+009F, in UTF-8 0xC2 0x80..0x9F: U+009B alone starts an escape
 * sequence) — so even a hostile server cannot drive the terminal with
 * escape sequences. Returns the new length. */
static size_t make_printable(char *msg, size_t len)
{
    if (len > 0 && msg[len - 1] == '\n')
        len--;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c < 0x20 || c == 0x7F) {
            msg[i] = '?';
        } else if (c == 0xC2 && i + 1 < len && (unsigned char)msg[i + 1] <= 0x9F &&
                   (unsigned char)msg[i + 1] >= 0x80) {
            msg[i] = msg[i + 1] = '?';
            i++;
        }
    }
    return len;
}

/* Print one message from the server as one line. On a terminal,
 * "\r\033[K" first wipes the prompt line, and the prompt comes back after:
 * a line you were typing is still there (the kernel keeps it until
 * Enter), it is just no longer shown. */
static void print_message(char *msg, size_t len, bool tty)
{
    len = make_printable(msg, len);
    io_printf(STDOUT_FILENO, "%s%.*s\n%s", tty ? "\r\033[K" : "", (int)len, msg, tty ? PROMPT : "");
}

/* ------------------------------------------------------------------------
 * Logging in: L NAME, then OK or FAIL REASON (or nothing: no server).
 * ------------------------------------------------------------------------ */

/* Ask the server to let us in as name. 0: in; 1: refused (reason printed).
 * No answer, or no server, ends the program: there is nothing to retry. */
static int log_in(int sock, const char *name, const struct client_opts *o)
{
    if (send_request(sock, "L", name, NULL) < 0)
        die_errno("send to %s port %d", o->host, o->port);
    set_receive_timeout(sock, LOGIN_TIMEOUT_MS);
    char reply[MAX_MESSAGE + 1];
    ssize_t n = recv(sock, reply, sizeof reply - 1, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        die("no answer from %s port %d within %d s: is chat_server running?", o->host, o->port,
            LOGIN_TIMEOUT_MS / 1000);
    if (n < 0) /* ECONNREFUSED: an ICMP "port unreachable" came back */
        die_errno("no chat server at %s port %d", o->host, o->port);
    reply[make_printable(reply, (size_t)n)] = '\0';
    if (strcmp(reply, "OK") == 0)
        return 0;
    if (strncmp(reply, "FAIL ", 5) != 0)
        die("unexpected answer to the login (not OK or FAIL)");
    warn_msg("the server refused '%s': %s", name, reply + 5);
    return 1;
}

/* ------------------------------------------------------------------------
 * After fork: the sender (child) and the receiver (parent).
 * ------------------------------------------------------------------------ */

/* The child: read lines, send each; quit or EOF sends Q. Never returns. */
static void run_sender(int sock, struct line_reader *in, const char *name, pid_t parent, bool tty)
{
    /* If the receiver dies (kill -9), die too: never an orphan reading
     * the terminal (Linux). The check after it covers a parent that died
     * before the prctl. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
        _exit(1);
    for (;;) {
        if (tty)
            io_printf(STDOUT_FILENO, PROMPT);
        char *line;
        size_t len;
        int rc = line_read(in, &line, &len);
        if (rc == LINE_ERROR)
            warn_errno("read stdin");
        if (rc == LINE_EOF || rc == LINE_ERROR)
            break;
        if (rc == LINE_TOO_LONG || len > MAX_TEXT) {
            warn_msg("line too long (max %d bytes), not sent", MAX_TEXT);
            continue;
        }
        if (strcmp(line, "quit") == 0)
            break;
        if (len > 0 && send_request(sock, "C", name, line) < 0) {
            warn_errno("send"); /* ECONNREFUSED: the server is gone */
            _exit(1);
        }
    }
    /* Leaving: the server answers EXIT, which ends the receiver. */
    if (send_request(sock, "Q", name, NULL) < 0)
        die_errno_child("send");
    _exit(0);
}

/* Is this datagram the server's EXIT? */
static bool is_exit(const char *msg, size_t len)
{
    return (len == 4 || (len == 5 && msg[4] == '\n')) && memcmp(msg, "EXIT", 4) == 0;
}

/* The parent: print what arrives until the session is over (EXIT, or no
 * server) and the sender is reaped. Returns the program's exit status. */
static int run_receiver(int sock, pid_t sender, const char *name, bool tty)
{
    bool sender_done = false, session_over = false, server_gone = false;
    double leave_by = 0; /* 0 while chatting; then: stop waiting for EXIT at this time */
    int sender_status = 0;
    set_receive_timeout(sock, TICK_MS);
    while (!(sender_done && session_over)) {
        if (sig_stop_requested && leave_by == 0) {
            /* Ctrl-C (or kill): leave on the user's behalf. Ctrl-C has
             * already ended the sender; a kill of this process alone has
             * not, so end it too. */
            if (send_request(sock, "Q", name, NULL) < 0)
                warn_errno("send");
            kill(sender, SIGTERM);
            leave_by = clock_now() + EXIT_WAIT_MS / 1000.0;
        }
        if (!sender_done && waitpid(sender, &sender_status, WNOHANG) == sender) {
            sender_done = true; /* reaped: it sent Q (quit, Ctrl-D), or failed */
            if (leave_by == 0 && WIFSIGNALED(sender_status) && !session_over &&
                send_request(sock, "Q", name, NULL) < 0) /* killed before its Q */
                warn_errno("send");
            if (leave_by == 0)
                leave_by = clock_now() + EXIT_WAIT_MS / 1000.0;
        }
        if (leave_by != 0 && clock_now() > leave_by) {
            if (!session_over)
                warn_msg("no EXIT from the server: it may be gone");
            break;
        }

        char msg[MAX_MESSAGE + 1];
        ssize_t n = recv(sock, msg, sizeof msg - 1, 0); /* wakes every TICK_MS */
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (n < 0) { /* ECONNREFUSED: an ICMP "port unreachable" came back */
            warn_errno("the server is gone");
            server_gone = true;
        } else if (!is_exit(msg, (size_t)n)) {
            print_message(msg, (size_t)n, tty);
            continue;
        }
        /* EXIT (the answer to our Q, or the room is closing) or no server:
         * the session is over. End the sender if it is still reading (it
         * is not reaped yet, so its pid cannot belong to anyone else). */
        session_over = true;
        if (leave_by == 0)
            leave_by = clock_now() + EXIT_WAIT_MS / 1000.0;
        if (!sender_done)
            kill(sender, SIGTERM);
    }
    if (!sender_done) { /* it did not end in time: make sure, then reap */
        kill(sender, SIGKILL);
        while (waitpid(sender, &sender_status, 0) < 0 && errno == EINTR)
            continue;
    }
    io_printf(STDOUT_FILENO, "%syou left the room\n", tty ? "\r\033[K" : "");
    bool sender_ok = WIFSIGNALED(sender_status) || WEXITSTATUS(sender_status) == 0;
    return server_gone || !sender_ok ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------ */

static const char usage[] =
    "usage: chat_client [-H HOST] [-p PORT] [-n NAME] [-h]\n"
    "  Join the group chat room (群聊聊天室) of day6/chat_server.\n"
    "  Type a line to say it to everyone; quit, Ctrl-D or Ctrl-C to leave.\n"
    "  -H HOST  server address (default 127.0.0.1)\n"
    "  -p PORT  server UDP port (default 8888)\n"
    "  -n NAME  your name (default: asked; with -n a refused name ends the program)\n"
    "  -h       this help\n";

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
        if (c == 'n')
            name_opt = optarg;
        else
            die_usage(usage, NULL);
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

    /* stdin is read through one buffered reader, before and after fork:
     * the child gets a copy of the reader with whatever it read ahead. */
    char in_buf[MAX_TEXT + 2];
    struct line_reader in;
    line_reader_init(&in, STDIN_FILENO, in_buf, sizeof in_buf);
    char name[MAX_NAME_LINE];
    if (name_opt != NULL) {
        snprintf(name, sizeof name, "%s", name_opt);
        if (log_in(sock, name, &opts) != 0)
            return EXIT_FAILURE;
    } else {
        for (;;) { /* ask until the server says OK */
            if (tty)
                io_printf(STDOUT_FILENO, "your name: ");
            char *line;
            size_t len;
            int rc = line_read(&in, &line, &len);
            if (rc == LINE_EOF || rc == LINE_ERROR)
                die("no name given: not logged in");
            if (rc == LINE_TOO_LONG || len >= sizeof name) {
                warn_msg("that name is too long");
                continue;
            }
            snprintf(name, sizeof name, "%s", line);
            if (log_in(sock, name, &opts) == 0)
                break;
        }
    }
    /* Ctrl-C from now on means "leave": the receiver sends Q. Blocked
     * across fork, so the child can put back the default action (die)
     * before any stop signal reaches it. */
    if (sig_catch_stop() < 0)
        die_errno("sigaction");
    io_printf(STDOUT_FILENO, "you are in the room as %s (type to speak; quit or Ctrl-D to leave)\n",
              name);
    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
    pid_t parent = getpid();
    pid_t sender = fork();
    if (sender < 0)
        die_errno("fork");
    if (sender == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        run_sender(sock, &in, name, parent, tty); /* never returns */
    }
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    int status = run_receiver(sock, sender, name, tty);
    close(sock);
    return status;
}
