/* day9/ftp/ftp_reply.c — see ftp_reply.h. */
#include "day9/ftp/ftp_reply.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ftp_reply_code(const char *line, bool *more)
{
    *more = false;
    if (line[0] < '1' || line[0] > '5' || !is_digit(line[1]) ||
        !is_digit(line[2]))
        return -1;
    if (line[3] != ' ' && line[3] != '-' && line[3] != '\0')
        return -1;
    *more = line[3] == '-';
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* Append "\n" + line to text (truncating, never overflowing). */
static void append(char *text, const char *line)
{
    size_t used = strlen(text);
    snprintf(text + used, FTP_REPLY_MAX - used, "\n%s", line);
}

/* Map a failed line_read onto the errno ftp_reply_read promises. */
static int read_failed(int rc)
{
    if (rc == LINE_EOF)
        errno = ECONNRESET;
    else if (rc == LINE_TOO_LONG)
        errno = EPROTO;
    else if (errno == EAGAIN || errno == EWOULDBLOCK)
        errno = ETIMEDOUT;
    return -1;
}

int ftp_reply_read(struct line_reader *r, struct ftp_reply *reply)
{
    char *line;
    size_t len;
    int rc = line_read(r, &line, &len);
    if (rc != LINE_OK)
        return read_failed(rc);
    bool more;
    reply->code = ftp_reply_code(line, &more);
    if (reply->code < 0) {
        errno = EPROTO;
        return -1;
    }
    snprintf(reply->text, sizeof reply->text, "%s",
             line[3] != '\0' ? line + 4 : "");
    while (more) { /* lines up to "CODE " with the same code (RFC 959, 4.2) */
        rc = line_read(r, &line, &len);
        if (rc == LINE_TOO_LONG)
            continue; /* an over-long middle line is dropped, not fatal */
        if (rc != LINE_OK)
            return read_failed(rc);
        bool again = false;
        if (ftp_reply_code(line, &again) == reply->code && !again) {
            append(reply->text, line[3] != '\0' ? line + 4 : "");
            more = false;
        } else {
            append(reply->text, line);
        }
    }
    return 0;
}

/* Parse decimal digits at *p into a value at most max; advance *p. */
static int parse_number(const char **p, long max, long *value)
{
    if (!is_digit(**p))
        return -1;
    long v = 0;
    while (is_digit(**p)) {
        v = v * 10 + (**p - '0');
        if (v > max)
            return -1;
        (*p)++;
    }
    *value = v;
    return 0;
}

int ftp_parse_epsv(const char *text, int *port)
{
    const char *p = strchr(text, '(');
    if (p == NULL)
        return -1;
    char d = p[1]; /* the delimiter: RFC 2428 says '|'; any printable */
    if (d < 33 || d > 126 || p[2] != d || p[3] != d)
        return -1;
    p += 4;
    long v;
    if (parse_number(&p, 65535, &v) < 0 || v == 0 || p[0] != d || p[1] != ')')
        return -1;
    *port = (int)v;
    return 0;
}

int ftp_parse_pasv(const char *text, int *port)
{
    const char *p = strchr(text, '(');
    if (p != NULL)
        p++;
    else /* RFC 959 does not demand the parentheses: take the first digit */
        for (p = text; *p != '\0' && !is_digit(*p); p++)
            ;
    long n[6];
    for (int i = 0; i < 6; i++) {
        if (parse_number(&p, 255, &n[i]) < 0)
            return -1;
        if (i < 5 && *p++ != ',')
            return -1;
    }
    long v = n[4] * 256 + n[5];
    if (v == 0)
        return -1;
    *port = (int)v;
    return 0;
}
