/* day7/ipc_signal.c — 进程间通信: 信号 / IPC with signals: a message,
 * one bit at a time
 *
 * A signal carries almost nothing: which signal it was. Still, with two
 * of them (SIGUSR1 = bit 0, SIGUSR2 = bit 1) a child can send its parent
 * a short text, bit by bit, with kill(). What it takes to do that right is
 * the lesson:
 *   - sigaction installs a handler that only sets a flag (volatile
 *     sig_atomic_t): almost nothing is safe inside a handler, printf is
 *     not;
 *   - the signals are blocked except inside sigsuspend, which unblocks
 *     and sleeps in one step: no signal can slip in between "check the
 *     flag" and "sleep", where it would be missed;
 *   - standard signals do not queue: two SIGUSR1s sent before the first
 *     is handled arrive as one. So after each bit the sender waits for an
 *     acknowledgement (SIGUSR1 back) before it sends the next.
 *
 * Run: ./build/day7/ipc_signal [-m TEXT] (-h: the options)
 * Watch: each byte assembled from 8 signals; "received" shows the text
 * the child sent; 8 * (length + 1) signals in all (the last byte is 0).
 * See also: day6/sigchld (SIGCHLD against zombies), day7/ipc_pipe.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/parent.h"
#include "common/status.h"

enum { MAX_TEXT = 64, ACK_TIMEOUT_S = 10 };

/* Set by the handlers, read by the main flow while signals are blocked. */
static volatile sig_atomic_t bit_signal;   /* SIGUSR1 or SIGUSR2; 0: none */
static volatile sig_atomic_t child_exited; /* SIGCHLD came */

static void install(int signo, void (*handler)(int));
static int wait_for_signal(const sigset_t *unblocked);
static void send_text(pid_t parent, const char *text,
                      const sigset_t *unblocked);
static int receive_text(pid_t child, char *out, size_t size,
                        const sigset_t *unblocked);

/* The handlers: they only note which signal came. */
static void on_bit(int signo)
{
    bit_signal = signo; /* that is all: a handler must stay this small */
}

static void on_child(int signo)
{
    (void)signo;
    child_exited = 1;
}

/* The child sends text to the parent with signals; true if the parent
 * received it whole and the child ended well. */
static bool exchange(const char *text)
{
    /* Block first, fork after: a signal that comes early waits, pending,
     * until the receiver is ready for it — it is never lost. */
    sigset_t blocked, unblocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGUSR2);
    sigaddset(&blocked, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &blocked, &unblocked) < 0)
        die_errno("sigprocmask");
    install(SIGUSR1, on_bit);
    install(SIGUSR2, on_bit);
    install(SIGCHLD, on_child);

    pid_t parent = getpid();
    pid_t pid = fork_child(); /* fork(), and the child dies with us */
    if (pid == 0)
        send_text(parent, text, &unblocked);

    printf("parent %d: handlers set; signals blocked except in sigsuspend; "
           "child is %d\n",
           (int)parent, (int)pid);
    char got[MAX_TEXT + 1];
    int signals = receive_text(pid, got, sizeof got, &unblocked);
    printf("parent %d: received \"%s\" in %d signals, each acknowledged\n",
           (int)parent, got, signals);

    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid");
    char how[64];
    printf("parent %d: child %d %s\n", (int)parent, (int)pid,
           status_describe(status, how, sizeof how));
    return strcmp(got, text) == 0 && status == 0;
}

/* The child: send text and its final NUL to parent, bit by bit, MSB first,
 * waiting for the SIGUSR1 acknowledgement after each signal. */
static void send_text(pid_t parent, const char *text, const sigset_t *unblocked)
{
    size_t len = strlen(text) + 1; /* with the NUL: the end mark */
    printf("child %d: sending \"%s\" + NUL: %zu signals, SIGUSR1 = 0, "
           "SIGUSR2 = 1\n",
           (int)getpid(), text, 8 * len);
    fflush(stdout);
    for (size_t i = 0; i < len; i++)
        for (int bit = 7; bit >= 0; bit--) {
            int one = ((unsigned char)text[i] >> bit) & 1;
            alarm(ACK_TIMEOUT_S); /* no ack in time: SIGALRM ends us */
            if (kill(parent, one ? SIGUSR2 : SIGUSR1) < 0)
                die_errno_child("kill");
            if (wait_for_signal(unblocked) != SIGUSR1) { /* the ack */
                warn_msg("child: no acknowledgement from %d", (int)parent);
                _exit(1);
            }
        }
    _exit(0);
}

/* The parent: assemble bytes from the signals until the NUL. */
static int receive_text(pid_t child, char *out, size_t size,
                        const sigset_t *unblocked)
{
    size_t len = 0;
    int signals = 0;
    for (;;) {
        unsigned byte = 0;
        char bits[9];
        for (int bit = 0; bit < 8; bit++) {
            int signo = wait_for_signal(unblocked);
            if (signo == 0)
                die("child %d ended in the middle of the message", (int)child);
            signals++;
            byte = byte << 1 | (signo == SIGUSR2);
            bits[bit] = signo == SIGUSR2 ? '1' : '0';
            if (kill(child, SIGUSR1) < 0) /* ack: "got it, send the next" */
                die_errno("kill");
        }
        bits[8] = '\0';
        if (byte == 0) {
            printf("parent %d: byte %s = 0: the end\n", (int)getpid(), bits);
            break;
        }
        printf("parent %d: byte %s = 0x%02x '%c'\n", (int)getpid(), bits, byte,
               byte >= 0x20 && byte < 0x7f ? (int)byte : '?');
        if (len + 1 < size)
            out[len++] = (char)byte;
    }
    out[len] = '\0';
    return signals;
}

/* --- the handlers' helpers ---------------------------------------------- */

static void install(int signo, void (*handler)(int))
{
    struct sigaction sa = {0};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(signo, &sa, NULL) < 0)
        die_errno("sigaction");
}

/* Sleep until a handler has set bit_signal (or the child is gone); the
 * signals are unblocked only inside sigsuspend. The signal, or 0. */
static int wait_for_signal(const sigset_t *unblocked)
{
    while (bit_signal == 0 && !child_exited)
        sigsuspend(unblocked); /* returns after a handler ran */
    int signo = bit_signal;
    bit_signal = 0;
    return signo;
}

static const char usage[] =
    "usage: ipc_signal [-m TEXT] [-h]\n"
    "  -m TEXT  what the child sends, 1..64 bytes (default \"hi\")\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    const char *text = "hi";
    int opt;
    while ((opt = getopt(argc, argv, "m:h")) != -1) {
        switch (opt) {
        case 'm':
            text = optarg;
            if (strlen(text) < 1 || strlen(text) > MAX_TEXT)
                die_usage(usage, "bad TEXT: expected 1..%d bytes", MAX_TEXT);
            break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    return exchange(text) ? 0 : 1;
}
