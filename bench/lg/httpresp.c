/* bench/lg/httpresp.c — see httpresp.h. */
#include "bench/lg/httpresp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void httpresp_init(struct httpresp *r)
{
    r->head_len = 0;
    r->in_body = false;
    r->status = 0;
    r->content_length = -1;
    r->body_left = 0;
    r->close = false;
    r->error = NULL;
}

/* Case-insensitive "does line start with name:"; returns the value. */
static const char *header_value(const char *line, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)line[i]) != name[i])
            return NULL;
    if (line[n] != ':')
        return NULL;
    line += n + 1;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

/* The head is complete (ends with \r\n\r\n, NUL-terminated in place):
 * read the status and the headers we need. */
static enum httpresp_state parse_head(struct httpresp *r)
{
    char *p = r->head;
    if (strncmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
        !isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
        !isdigit((unsigned char)p[11])) {
        r->error = "not an HTTP/1.x status line";
        return HTTPRESP_ERROR;
    }
    r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    char *line = strstr(p, "\r\n") + 2;
    while (*line != '\r' && *line != '\0') {
        char *end = strstr(line, "\r\n");
        *end = '\0';
        const char *v;
        if ((v = header_value(line, "content-length")) != NULL) {
            char *stop;
            if (!isdigit((unsigned char)*v)) {
                r->error = "bad Content-Length";
                return HTTPRESP_ERROR;
            }
            long long n = strtoll(v, &stop, 10);
            while (*stop == ' ' || *stop == '\t')
                stop++;
            if (*stop != '\0' || n < 0 || (r->content_length >= 0 && n != r->content_length)) {
                r->error = "bad Content-Length";
                return HTTPRESP_ERROR;
            }
            r->content_length = n;
        } else if ((v = header_value(line, "transfer-encoding")) != NULL) {
            r->error = "Transfer-Encoding is not supported";
            return HTTPRESP_ERROR;
        } else if ((v = header_value(line, "connection")) != NULL) {
            r->close = strncasecmp(v, "close", 5) == 0;
        }
        line = end + 2;
    }
    if (r->content_length < 0) {
        r->error = "no Content-Length";
        return HTTPRESP_ERROR;
    }
    r->in_body = true;
    r->body_left = r->content_length;
    return HTTPRESP_MORE;
}

enum httpresp_state httpresp_feed(struct httpresp *r, const char *data, size_t len,
                                  size_t *used)
{
    size_t i = 0;
    while (!r->in_body && i < len) {
        if (r->head_len >= HTTPRESP_HEAD_MAX - 1) {
            r->error = "response head too long";
            *used = i;
            return HTTPRESP_ERROR;
        }
        r->head[r->head_len++] = data[i++];
        if (r->head_len >= 4 && memcmp(r->head + r->head_len - 4, "\r\n\r\n", 4) == 0) {
            r->head[r->head_len] = '\0';
            if (parse_head(r) == HTTPRESP_ERROR) {
                *used = i;
                return HTTPRESP_ERROR;
            }
        }
    }
    if (r->in_body) {
        size_t take = len - i;
        if ((long long)take > r->body_left)
            take = (size_t)r->body_left;
        r->body_left -= (long long)take;
        i += take;
        *used = i;
        return r->body_left == 0 ? HTTPRESP_DONE : HTTPRESP_MORE;
    }
    *used = i;
    return HTTPRESP_MORE;
}
