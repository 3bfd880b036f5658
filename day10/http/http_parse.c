/* day10/http/http_parse.c — see http_parse.h.
 *
 * The order of the work: find the end of the head (or answer 414/431 as
 * soon as a limit is crossed, without waiting for the rest), then check
 * the request line (400, 505), the header lines (400, 431), Host (400),
 * the method (501, 405), the body (413), and last the path (400).
 */
#include "day10/http/http_parse.h"

#include <string.h>

/* tchar in RFC 9110: the characters of a method or a header name. */
static bool is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Control characters other than tab (NUL included): never in a head. */
static bool is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

bool http_text_is(struct http_text text, const char *word)
{
    size_t n = strlen(word);
    if (text.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)text.p[i]) != lower((unsigned char)word[i]))
            return false;
    return true;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int http_percent_decode(const char *in, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (len - i < 3)
                return -1; /* "%" or "%4" at the end */
            int h = hex_value((unsigned char)in[i + 1]),
                l = hex_value((unsigned char)in[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (is_control((unsigned char)c) || c == '\t')
            return -1; /* "%00", "%0a"...: no file name holds these */
        if (o + 1 >= size)
            return -1;
        out[o++] = (char)c;
    }
    if (o >= size)
        return -1;
    out[o] = '\0';
    return 0;
}

#define BARE_LF ((size_t)-1)

/* Find the end of the head: one past the empty line that ends it, 0 if
 * it is not in buf yet, or BARE_LF for a line ending in LF without CR.
 * Resumes the search at *scanned. */
static size_t find_head_end(const char *buf, size_t len, size_t from,
                            size_t *scanned)
{
    size_t i = *scanned > from ? *scanned : from;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (nl == NULL)
            break;
        size_t at = (size_t)(nl - buf);
        if (at == from || buf[at - 1] != '\r')
            return BARE_LF; /* "Missing CR": refused, never guessed at */
        if (at + 2 < len && buf[at + 1] == '\r' && buf[at + 2] == '\n')
            return at + 3;
        if (at + 2 >= len && (at + 1 == len || buf[at + 1] == '\r')) {
            *scanned = at; /* too few bytes after this LF to tell */
            return 0;
        }
        i = at + 1;
    }
    *scanned = len;
    return 0;
}

/* The line starting at buf[at] (ending before end): its length without
 * CRLF or LF, and where the next line starts. -1 for a CR not before LF. */
static int next_line(const char *buf, size_t at, size_t end, size_t *line_len,
                     size_t *next)
{
    const char *nl = memchr(buf + at, '\n', end - at);
    size_t stop = nl != NULL ? (size_t)(nl - buf) : end;
    *next = nl != NULL ? stop + 1 : end;
    if (stop > at && buf[stop - 1] == '\r')
        stop--;
    if (memchr(buf + at, '\r', stop - at) != NULL)
        return -1; /* a bare CR inside a line */
    *line_len = stop - at;
    return 0;
}

/* True if text is exactly word (case matters: methods are case-sensitive). */
static bool text_equals(struct http_text text, const char *word)
{
    return text.len == strlen(word) && memcmp(text.p, word, text.len) == 0;
}

/* Methods we know but do not allow (answered 405 with Allow: GET, HEAD). */
static bool is_known_method(struct http_text m)
{
    static const char *const known[] = {"POST",    "PUT",   "DELETE", "CONNECT",
                                        "OPTIONS", "TRACE", "PATCH"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (text_equals(m, known[i]))
            return true;
    return false;
}

/* The request line: METHOD SP TARGET SP HTTP/D.D; 0, 400 or 505. */
static int parse_request_line(const char *line, size_t len,
                              struct http_request *req,
                              struct http_text *method,
                              struct http_text *target)
{
    const char *sp1 = memchr(line, ' ', len);
    if (sp1 == NULL)
        return 400;
    method->p = line;
    method->len = (size_t)(sp1 - line);
    const char *rest = sp1 + 1;
    const char *sp2 = memchr(rest, ' ', len - (size_t)(rest - line));
    if (sp2 == NULL)
        return 400; /* also HTTP/0.9's "GET /" */
    target->p = rest;
    target->len = (size_t)(sp2 - rest);
    const char *version = sp2 + 1;
    size_t vlen = len - (size_t)(version - line);

    if (method->len == 0 || target->len == 0)
        return 400; /* two spaces in a row */
    for (size_t i = 0; i < method->len; i++)
        if (!is_token_char((unsigned char)method->p[i]))
            return 400;
    for (size_t i = 0; i < target->len; i++) {
        unsigned char c = (unsigned char)target->p[i];
        if (c <= 0x20 || c >= 0x7f)
            return 400; /* controls, NUL, spaces and raw 8-bit bytes */
    }
    if (vlen != 8 || memcmp(version, "HTTP/", 5) != 0 || version[5] < '0' ||
        version[5] > '9' || version[6] != '.' || version[7] < '0' ||
        version[7] > '9')
        return 400;
    if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
        return 505;
    req->minor_version = version[7] - '0';
    return 0;
}

struct head_flags {
    int hosts;                  /* Host headers seen */
    bool transfer_encoding;     /* any Transfer-Encoding */
    bool conn_close, conn_keep; /* Connection: close / keep-alive */
};

/* One header line "Name: value"; 0 or 400. */
static int parse_header(const char *line, size_t len, struct http_request *req,
                        struct head_flags *f)
{
    if (line[0] == ' ' || line[0] == '\t')
        return 400; /* obsolete line folding */
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line)
        return 400;
    struct http_text name = {line, (size_t)(colon - line)};
    for (size_t i = 0; i < name.len; i++)
        if (!is_token_char((unsigned char)name.p[i]))
            return 400; /* also "Host :" with a space before the colon */
    const char *v = colon + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    struct http_text value = {v, (size_t)(end - v)};
    for (size_t i = 0; i < value.len; i++)
        if (is_control((unsigned char)value.p[i]))
            return 400; /* NUL and the other controls */

    if (http_text_is(name, "host")) {
        f->hosts++;
    } else if (http_text_is(name, "content-length")) {
        long long n = http_parse_content_length(value);
        if (n < 0 || (req->content_length >= 0 && n != req->content_length))
            return 400; /* "-1", "1e3", "5, 6", two different lengths */
        req->content_length = n;
    } else if (http_text_is(name, "transfer-encoding")) {
        f->transfer_encoding = true;
    } else if (http_text_is(name, "connection")) {
        http_parse_connection(value, &f->conn_close, &f->conn_keep);
    } else if (http_text_is(name, "if-modified-since")) {
        if (http_parse_date(value.p, value.len, &req->if_modified_since) < 0)
            req->if_modified_since = -1; /* not a date: as if absent */
    } else if (http_text_is(name, "range")) {
        http_parse_range_value(value, &req->range);
    } else if (http_text_is(name, "if-range")) {
        req->if_range = value;
    }
    return 0;
}

/* Split the target into the path and the query, for origin-form
 * ("/a?b") and absolute-form ("http://host/a?b"). 0 or 400. */
static int split_target(struct http_text target, struct http_request *req)
{
    const char *p = target.p, *end = target.p + target.len;
    if (p[0] != '/') {
        size_t skip = 0;
        if (target.len >= 7 &&
            http_text_is((struct http_text){p, 7}, "http://"))
            skip = 7;
        else if (target.len >= 8 &&
                 http_text_is((struct http_text){p, 8}, "https://"))
            skip = 8;
        if (skip == 0)
            return 400; /* "*", "index.html", "host:80" */
        p += skip;
        while (p < end && *p != '/' && *p != '?' && *p != '#')
            p++; /* the authority: we serve one site whatever it names */
    }
    const char *q = p;
    while (q < end && *q != '?' && *q != '#')
        q++;
    req->raw_path.p = p;
    req->raw_path.len = (size_t)(q - p);
    if (q < end && *q == '?') {
        const char *h = memchr(q, '#', (size_t)(end - q));
        req->query.p = q + 1;
        req->query.len = (size_t)((h != NULL ? h : end) - (q + 1));
    }
    return 0;
}

int http_parse_request(const char *buf, size_t len, size_t *scanned,
                       struct http_request *req)
{
    memset(req, 0, offsetof(struct http_request, path));
    req->path[0] = '\0';
    req->content_length = -1;
    req->if_modified_since = -1;

    /* Empty lines (CRLF) before a request are ignored (RFC 9112, 2.2). */
    size_t start = 0;
    while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n')
        start += 2;
    if (start > HTTP_MAX_REQUEST_LINE)
        return 400;

    size_t head_end = find_head_end(buf, len, start, scanned);
    if (head_end == BARE_LF)
        return 400; /* keep_alive is false: the connection is closed */
    size_t line_len, next;
    const char *nl = memchr(buf + start, '\n', len - start);
    if (head_end == 0) {
        /* Not complete: but refuse as soon as a limit is crossed. */
        if (nl == NULL)
            return len - start > HTTP_MAX_REQUEST_LINE + 1 ? 414
                                                           : HTTP_INCOMPLETE;
        if ((size_t)(nl - (buf + start)) > HTTP_MAX_REQUEST_LINE + 1)
            return 414;
        return len - (size_t)(nl + 1 - buf) > HTTP_MAX_HEADER_BYTES
                   ? 431
                   : HTTP_INCOMPLETE;
    }
    req->length = head_end;

    /* The request line. */
    if (next_line(buf, start, head_end, &line_len, &next) < 0)
        return 400;
    if (line_len > HTTP_MAX_REQUEST_LINE)
        return 414;
    req->line.p = buf + start;
    req->line.len = line_len;
    struct http_text method, target;
    int status =
        parse_request_line(buf + start, line_len, req, &method, &target);
    if (status != 0)
        return status;
    if (head_end - next > HTTP_MAX_HEADER_BYTES + 2)
        return 431;

    /* The header lines, up to the empty one. */
    struct head_flags flags = {0, false, false, false};
    int lines = 0;
    for (size_t at = next;;) {
        if (next_line(buf, at, head_end, &line_len, &next) < 0)
            return 400;
        if (line_len == 0)
            break;
        if (++lines > HTTP_MAX_HEADER_LINES)
            return 431;
        status = parse_header(buf + at, line_len, req, &flags);
        if (status != 0)
            return status;
        at = next;
    }
    if (flags.hosts > 1 || (req->minor_version == 1 && flags.hosts == 0))
        return 400;

    /* From here on the request is framed, unless a body gets in the way. */
    bool has_body = flags.transfer_encoding || req->content_length > 0;
    req->keep_alive = !has_body && !flags.conn_close &&
                      (req->minor_version == 1 || flags.conn_keep);
    if (text_equals(method, "GET"))
        req->method = HTTP_GET;
    else if (text_equals(method, "HEAD"))
        req->method = HTTP_HEAD;
    else {
        req->method = HTTP_OTHER_METHOD;
        return is_known_method(method) ? 405 : 501;
    }
    if (flags.transfer_encoding) {
        /* We do not decode chunked bodies; with a Content-Length too it
         * would be request smuggling. Either way the body is unframed. */
        return req->content_length >= 0 ? 400 : 501;
    }
    if (req->content_length > HTTP_MAX_BODY)
        return 413;
    if (req->content_length > 0) { /* a small body: wait for it, then drop it */
        if (len - head_end < (size_t)req->content_length)
            return HTTP_INCOMPLETE;
        req->length = head_end + (size_t)req->content_length;
        req->keep_alive =
            !flags.conn_close && (req->minor_version == 1 || flags.conn_keep);
    }

    /* The path: query and fragment cut off, then %XX decoded once. */
    if (split_target(target, req) != 0 ||
        http_percent_decode(req->raw_path.p, req->raw_path.len, req->path,
                            sizeof req->path) != 0) {
        req->keep_alive = false;
        return 400;
    }
    if (req->path[0] == '\0') { /* "http://host" or "http://host?x" */
        req->path[0] = '/';
        req->path[1] = '\0';
    }
    return 200;
}
