/* day10/http/http_response.c — see http_response.h. */
#include "day10/http/http_response.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LISTING_HEAD_ROOM                                                      \
    512 /* bytes kept free before a listing for its head */

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

/* What an error page says, besides its status. */
static const char *explanation(int status)
{
    switch (status) {
    case 400: return "The request could not be understood.";
    case 403: return "You may not see this file.";
    case 404: return "There is no such file here.";
    case 405: return "This server answers GET and HEAD only.";
    case 408: return "The request took too long to arrive.";
    case 413: return "A request body this large is refused.";
    case 414: return "The request line is too long.";
    case 416: return "The range asked for is not in the file.";
    case 431: return "The request headers are too large.";
    case 501: return "This server does not implement that.";
    case 503: return "The server is out of resources; try again soon.";
    case 505: return "Only HTTP/1.0 and HTTP/1.1 are spoken here.";
    default: return "Something went wrong.";
    }
}

void http_reply_reset(struct http_reply *r)
{
    r->len = 0;
    r->file_fd = -1;
    r->file_off = r->file_len = 0;
    r->close = r->linger = false;
    r->status = 0;
    r->body_len = 0;
}

/* --- writing into the free space of a reply ------------------------------ */

/* A cursor over the free space of a reply; ok turns false on overflow. */
struct out {
    char *p;
    size_t len, cap;
    bool ok;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (!o->ok || n > o->cap - o->len) {
        o->ok = false;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_num(struct out *o, long long v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", v);
    put(o, digits, (size_t)n);
}

/* The status line and the headers, up to and with the empty line.
 * type NULL: no Content-Type; length < 0: no Content-Length;
 * last_modified NULL: not a file (no Last-Modified, no Accept-Ranges). */
static void put_head(struct out *o, const struct http_context *ctx, int status,
                     const char *type, long long length,
                     const char *last_modified, const char *extra, bool closing)
{
    char line[32];
    snprintf(line, sizeof line, "HTTP/1.1 %d ", status);
    put_str(o, line);
    put_str(o, http_reason(status));
    put_str(o, "\r\nServer: " HTTP_SERVER_NAME "\r\nDate: ");
    put_str(o, ctx->date);
    if (type != NULL) {
        put_str(o, "\r\nContent-Type: ");
        put_str(o, type);
    }
    if (length >= 0) {
        put_str(o, "\r\nContent-Length: ");
        put_num(o, length);
    }
    if (last_modified != NULL) {
        put_str(o, "\r\nLast-Modified: ");
        put_str(o, last_modified);
        put_str(o, "\r\nAccept-Ranges: bytes");
    }
    put_str(o, "\r\n");
    if (extra != NULL)
        put_str(o, extra);
    put_str(o, closing ? "Connection: close\r\n\r\n"
                       : "Connection: keep-alive\r\n\r\n");
}

/* --- the kinds of answers ------------------------------------------------ */

/* An error page: the docroot's own 404.html for 404, else a small one. */
static long long error_answer(struct out *o, const struct http_context *ctx,
                              int status, bool head_only, const char *extra,
                              bool closing)
{
    struct http_file *page;
    if (status == 404 &&
        http_docroot_find(ctx->docroot, "/404.html", ctx->now, &page) == 200 &&
        page->body != NULL) {
        put_head(o, ctx, status, page->mime, page->size, NULL, extra, closing);
        if (!head_only)
            put(o, page->body, (size_t)page->size);
        return page->size;
    }
    char body[512];
    int n =
        snprintf(body, sizeof body,
                 "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n"
                 "<body><h1>%d %s</h1>\n<p>%s</p>\n</body></html>\n",
                 status, http_reason(status), status, http_reason(status),
                 explanation(status));
    put_head(o, ctx, status, "text/html; charset=utf-8", n, NULL, extra,
             closing);
    if (!head_only)
        put(o, body, (size_t)n);
    return n;
}

/* GET /status: the server's own counters as JSON (the course's
 * "non-page request", answered by the server itself). */
static long long status_answer(struct out *o, const struct http_context *ctx,
                               bool head_only, bool closing)
{
    char body[256];
    const struct http_stats *s = ctx->stats;
    int n = snprintf(
        body, sizeof body,
        "{\"uptime_seconds\": %.3f, \"connections\": %ld, \"requests\": %llu, "
        "\"bytes_sent\": %llu}\n",
        ctx->now - s->started, s->connections, s->requests, s->bytes_sent);
    put_head(o, ctx, 200, "application/json", n, NULL,
             "Cache-Control: no-store\r\n", closing);
    if (!head_only)
        put(o, body, (size_t)n);
    return n;
}

/* 301 from "/dir" to "/dir/" (the query kept), so the relative links in
 * the folder's index page resolve inside the folder. */
static long long redirect_answer(struct out *o, const struct http_context *ctx,
                                 const struct http_request *req, bool head_only,
                                 bool closing)
{
    /* raw_path and query hold only visible ASCII (the parser checked),
     * so they cannot smuggle a CRLF into the header. */
    char extra[HTTP_MAX_REQUEST_LINE + 32];
    snprintf(extra, sizeof extra, "Location: %.*s/%s%.*s\r\n",
             (int)req->raw_path.len, req->raw_path.p,
             req->query.len > 0 ? "?" : "", (int)req->query.len, req->query.p);
    static const char body[] = "<!DOCTYPE html>\n<html><head><title>301 Moved "
                               "Permanently</title></head>\n"
                               "<body><p>This is a folder: its address ends "
                               "with a slash.</p></body></html>\n";
    put_head(o, ctx, 301, "text/html; charset=utf-8", sizeof body - 1, NULL,
             extra, closing);
    if (!head_only)
        put(o, body, sizeof body - 1);
    return sizeof body - 1;
}

/* A folder's listing (-l): the body is made first, after room left for
 * the head, then the head is written and the body moved up to it. */
static long long listing_answer(struct out *o, const struct http_context *ctx,
                                const struct http_file *dir, bool head_only,
                                bool closing, int *status)
{
    *status = 200;
    size_t free_space = o->cap - o->len;
    if (!o->ok || free_space < LISTING_HEAD_ROOM + 1024) {
        o->ok = false;
        return 0;
    }
    size_t room = free_space - LISTING_HEAD_ROOM;
    if (room > HTTP_REPLY_MAX - LISTING_HEAD_ROOM)
        room = HTTP_REPLY_MAX - LISTING_HEAD_ROOM;
    char *body = o->p + o->len + LISTING_HEAD_ROOM;
    long n = http_docroot_listing(ctx->docroot, dir, body, room);
    if (n < 0) { /* the folder could not be read */
        *status = 403;
        return error_answer(o, ctx, 403, head_only, NULL, closing);
    }
    size_t head_at = o->len;
    put_head(o, ctx, 200, "text/html; charset=utf-8", n, NULL, NULL, closing);
    if (!o->ok || o->len - head_at > LISTING_HEAD_ROOM) {
        o->ok = false;
        return 0;
    }
    if (!head_only) {
        memmove(o->p + o->len, body, (size_t)n);
        o->len += (size_t)n;
    }
    return n;
}

/* A file: 200, 304 (not modified since), 206 (a range) or 416. */
static long long file_answer(struct out *o, const struct http_context *ctx,
                             const struct http_request *req,
                             const struct http_file *f, bool head_only,
                             bool closing, struct http_reply *r, int *status)
{
    if (req->if_modified_since >= 0 && f->mtime <= req->if_modified_since) {
        *status = 304;
        put_head(o, ctx, 304, NULL, -1, f->last_modified, NULL, closing);
        return 0;
    }
    long long first = 0, last = f->size - 1;
    char extra[96] = "";
    *status = 200;
    /* If-Range: the range holds only if the file is still the one the
     * client has part of (the same Last-Modified); else send it all. */
    if (req->range.kind != HTTP_RANGE_NONE &&
        (req->if_range.len == 0 ||
         (req->if_range.len == strlen(f->last_modified) &&
          memcmp(req->if_range.p, f->last_modified, req->if_range.len) == 0))) {
        int kind = http_range_clamp(&req->range, f->size, &first, &last);
        if (kind == HTTP_RANGE_UNSATISFIABLE) {
            *status = 416;
            snprintf(extra, sizeof extra, "Content-Range: bytes */%lld\r\n",
                     f->size);
            return error_answer(o, ctx, 416, head_only, extra, closing);
        }
        if (kind == HTTP_RANGE_OK) {
            *status = 206;
            snprintf(extra, sizeof extra,
                     "Content-Range: bytes %lld-%lld/%lld\r\n", first, last,
                     f->size);
        }
    }
    long long length = f->size == 0 ? 0 : last - first + 1;
    if (!head_only && length > 0 && f->body == NULL) {
        /* A large file goes out with sendfile, maybe over many turns of
         * the loop: the reply gets its own fd, so the cache may close
         * and reopen the file meanwhile. */
        r->file_fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
        if (r->file_fd < 0) {
            *status = 503;
            return error_answer(o, ctx, 503, head_only, NULL, true);
        }
        r->file_off = first;
        r->file_len = length;
    }
    put_head(o, ctx, *status, f->mime, length, f->last_modified,
             extra[0] != '\0' ? extra : NULL, closing);
    if (!head_only && f->body != NULL)
        put(o, f->body + first, (size_t)length);
    return head_only ? 0 : length;
}

int http_respond(const struct http_context *ctx, const struct http_request *req,
                 int status, struct http_reply *r)
{
    struct out o = {r->buf + r->len, 0, r->cap - r->len, true};
    bool head_only = req->method == HTTP_HEAD;
    bool closing = !req->keep_alive;
    long long body = 0;
    int answered = status;

    if (status != 200) {
        body = error_answer(&o, ctx, status, head_only,
                            status == 405 ? "Allow: GET, HEAD\r\n" : NULL,
                            closing);
    } else if (strcmp(req->path, "/status") == 0) {
        body = status_answer(&o, ctx, head_only, closing);
    } else {
        struct http_file *f;
        answered = http_docroot_find(ctx->docroot, req->path, ctx->now, &f);
        if (answered == 200) {
            body =
                file_answer(&o, ctx, req, f, head_only, closing, r, &answered);
        } else if (answered == 301) {
            body = redirect_answer(&o, ctx, req, head_only, closing);
        } else if (answered == HTTP_LISTING) {
            body = listing_answer(&o, ctx, f, head_only, closing, &answered);
        } else {
            body = error_answer(&o, ctx, answered, head_only, NULL, closing);
        }
    }
    if (!o.ok) { /* no room: leave r as it was */
        if (r->file_fd >= 0)
            close(r->file_fd);
        r->file_fd = -1;
        return -1;
    }
    if (answered == 503)
        closing = true;
    r->len += o.len;
    r->close = closing;
    r->linger =
        closing && answered >= 400; /* the client may still be sending */
    r->status = answered;
    r->body_len = head_only ? 0 : body;
    return 0;
}
