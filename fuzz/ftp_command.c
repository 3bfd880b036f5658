/* fuzz/ftp_command.c — libFuzzer target for what the FTP code reads from
 * the network: the server's command-line parser and the jail applied to
 * its argument, and the client's reply-code, EPSV and PASV parsers.
 * Build and run:  make fuzz && build/fuzz/fuzz/ftp_command -max_total_time=60
 * It checks invariants, not only crashes: a parsed verb is 3-4 capital
 * letters, a normalized path starts with "/" and holds no "." or ".."
 * segment and no "//", a port is 1..65535. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/path.h"
#include "day9/ftp/ftp_command.h"
#include "day9/ftp/ftp_reply.h"

static void check_path(const char *vpath)
{
    if (vpath[0] != '/' || strstr(vpath, "//") != NULL || strstr(vpath, "/./") != NULL ||
        strstr(vpath, "/../") != NULL)
        abort();
    size_t n = strlen(vpath);
    if ((n >= 2 && strcmp(vpath + n - 2, "/.") == 0) ||
        (n >= 3 && strcmp(vpath + n - 3, "/..") == 0) || (n > 1 && vpath[n - 1] == '/'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[FTP_LINE_MAX];
    size_t len = size < sizeof line - 1 ? size : sizeof line - 1;
    memcpy(line, data, len);
    line[len] = '\0';

    struct ftp_command cmd;
    if (ftp_command_parse(line, len, &cmd) == 0) {
        size_t v = strlen(cmd.verb);
        if (v < 3 || v > 4)
            abort();
        for (size_t i = 0; i < v; i++)
            if (cmd.verb[i] < 'A' || cmd.verb[i] > 'Z')
                abort();
        if (cmd.arg < line || cmd.arg > line + len)
            abort();
        char vpath[512];
        if (path_normalize("/some/dir", cmd.arg, vpath, sizeof vpath) == 0)
            check_path(vpath);
    }

    bool more;
    int code = ftp_reply_code(line, &more);
    if (code != -1 && (code < 100 || code > 599))
        abort();
    int port = 0;
    if (ftp_parse_epsv(line, &port) == 0 && (port < 1 || port > 65535))
        abort();
    if (ftp_parse_pasv(line, &port) == 0 && (port < 1 || port > 65535))
        abort();
    return 0;
}
