/* day9/ftp/ftp_client_talk.c — the client's side of the control
 * connection: send a command line, read the numbered reply, show a
 * reply, log in. See ftp_client.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/errors.h"
#include "day9/ftp/ftp_client.h"

void print_clean(FILE *to, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\r')
            continue;
        bool bad = (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f;
        fputc(bad ? '?' : ch, to);
    }
}

void show_reply(struct client *c, const char *what)
{
    fprintf(stderr, "%s: %s: server says %d ", prog_name(), what,
            c->reply.code);
    print_clean(stderr, c->reply.text, strlen(c->reply.text));
    fputc('\n', stderr);
}

int read_reply(struct client *c)
{
    if (c->dead)
        return -1;
    if (ftp_reply_read(&c->reader, &c->reply) < 0) {
        warn_msg("connection to the server lost: %s",
                 errno == ECONNRESET ? "it closed the connection"
                                     : strerror(errno));
        c->dead = true;
        return -1;
    }
    return c->reply.code;
}

int send_command(struct client *c, const char *fmt, ...)
{
    char text[FTPC_INPUT_MAX + 16];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text - 2, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text - 2) {
        warn_msg("command too long");
        return -1;
    }
    memcpy(text + n, "\r\n", 3);
    if (c->dead)
        return -1;
    if (io_write_all(c->ctrl, text, (size_t)n + 2) < 0) {
        warn_errno("send to the server");
        c->dead = true;
        return -1;
    }
    return read_reply(c);
}

void set_timeouts(int fd)
{
    struct timeval tv = {FTPC_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int login(struct client *c, const char *user, const char *password)
{
    int code = read_reply(c);
    if (code != 220) {
        if (code > 0)
            show_reply(c, "not ready");
        return -1;
    }
    if (c->tty) {
        printf("%d ", code);
        print_clean(stdout, c->reply.text, strlen(c->reply.text));
        printf("\n");
    }
    code = send_command(c, "USER %s", user);
    if (code == 331)
        code = send_command(c, "PASS %s", password);
    if (code != 230) {
        if (code > 0)
            show_reply(c, "login failed");
        return -1;
    }
    return 0;
}

/* The reply to RETR, STOR or LIST (just read): 150 or 125 say the bytes
 * come now. Otherwise close data and say why; -1. */
int start_transfer(struct client *c, int data, const char *what)
{
    if (c->reply.code == 150 || c->reply.code == 125)
        return 0;
    close(data);
    if (!c->dead)
        show_reply(c, what);
    return -1;
}

/* Binary type, and the remote size if the server tells it (-1 if not);
 * *code: SIZE's reply code, or -1 if the connection failed. */
long long remote_size(struct client *c, const char *name, int *code)
{
    *code = send_command(c, "TYPE I");
    if (*code != 200) {
        if (!c->dead)
            show_reply(c, "TYPE I");
        *code = -1;
        return -1;
    }
    *code = send_command(c, "SIZE %s", name);
    char *end;
    long long size = strtoll(c->reply.text, &end, 10);
    return *code == 213 && end != c->reply.text ? size : -1;
}
