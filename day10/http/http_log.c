/* day10/http/http_log.c — see http_log.h. */
#include "day10/http/http_log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/net.h"

/* The client's address without its port: "1.2.3.4" or "::1". */
static void peer_host(int fd, char *out, size_t size)
{
    if (net_peer_addr(fd, out, size) < 0) {
        snprintf(out, size, "-");
        return;
    }
    char *colon = strrchr(out, ':'); /* "1.2.3.4:5678", "[::1]:5678" */
    if (colon != NULL)
        *colon = '\0';
    if (out[0] == '[') {
        memmove(out, out + 1, strlen(out));
        out[strlen(out) - 1] = '\0';
    }
}

void http_log_request(int fd, const struct http_request *req,
                      const struct http_reply *r)
{
    char peer[NET_ADDRSTRLEN], when[40], line[1024];
    peer_host(fd, peer, sizeof peer);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    size_t o = 0; /* the request line, anything unprintable escaped */
    for (size_t i = 0; i < req->line.len && o + 5 < sizeof line; i++) {
        unsigned char ch = (unsigned char)req->line.p[i];
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(line + o, sizeof line - o, "\\x%02x", ch);
        else
            line[o++] = (char)ch;
    }
    line[o] = '\0';
    if (o == 0) /* refused before the request line was known (414) */
        snprintf(line, sizeof line, "-");
    fprintf(stderr, "%s - - [%s] \"%s\" %d %lld\n", peer, when, line, r->status,
            r->body_len);
}
