/* day9/ftp/ftp_command.c — see ftp_command.h. */
#include "day9/ftp/ftp_command.h"

#include <string.h>

static int is_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int ftp_command_parse(const char *line, size_t len, struct ftp_command *cmd)
{
    if (memchr(line, '\0', len) != NULL)
        return -1; /* "RETR a\0b" must not quietly become "RETR a" */
    const unsigned char *p = (const unsigned char *)line;
    /* Some clients send Telnet "interrupt" and "synch" (IAC IP, IAC DM)
     * before ABOR: skip any IAC pair at the start. */
    while (p[0] == 0xFF && p[1] != '\0')
        p += 2;
    size_t n = 0;
    while (n < 5 && is_letter(p[n]))
        n++;
    if (n < 3 || n > 4 || (p[n] != '\0' && p[n] != ' '))
        return -1;
    for (size_t i = 0; i < n; i++)
        cmd->verb[i] = (char)(p[i] >= 'a' ? p[i] - 'a' + 'A' : p[i]);
    cmd->verb[n] = '\0';
    /* the argument: after the space, or the empty end */
    cmd->arg = (const char *)p + n + (p[n] == ' ');
    return 0;
}
