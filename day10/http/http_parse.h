/* day10/http/http_parse.h — the HTTP/1.x request parser of HTTPServer v2.0.
 *
 * A pure function: bytes in, a parsed request or the precise error status
 * out. No IO, no allocation, no global state, so it can be tested with
 * crafted bytes and fuzzed (fuzz/http_request.c). The strings it returns
 * point into the caller's buffer and are valid as long as the buffer is.
 *
 * The request it accepts (RFC 9112; [..] optional, CRLF may be a bare LF):
 *
 *     GET /path/to/file?query HTTP/1.1 CRLF     request line, at most 8 KiB
 *     Host: example.org CRLF                     header lines: name ":" value
 *     Connection: keep-alive CRLF                at most 16 KiB and 100 lines
 *     CRLF                                       an empty line ends the head
 *     [body of Content-Length bytes]             GET/HEAD: at most 8 KiB, ignored
 */
#ifndef CONCLAB_HTTP_PARSE_H
#define CONCLAB_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* The limits; each one exceeded has its own status. */
#define HTTP_MAX_REQUEST_LINE 8192  /* the request line, without its CRLF: else 414 */
#define HTTP_MAX_HEADER_BYTES 16384 /* the header lines after it, with their CRLFs: else 431 */
#define HTTP_MAX_HEADER_LINES 100   /* header lines: else 431 */
#define HTTP_MAX_BODY         8192  /* a GET or HEAD body up to this is dropped: else 413 */
/* The most bytes one request can take (leading empty lines aside). */
#define HTTP_MAX_REQUEST (HTTP_MAX_REQUEST_LINE + 2 + HTTP_MAX_HEADER_BYTES + 2 + HTTP_MAX_BODY)

/* http_parse_request's answer when the request is not complete yet. */
#define HTTP_INCOMPLETE 0

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER_METHOD };

/* A piece of the input buffer (not NUL-terminated). */
struct http_text {
    const char *p;
    size_t len;
};

struct http_request {
    enum http_method method;
    int minor_version;         /* 0: HTTP/1.0, 1: HTTP/1.1 */
    struct http_text line;     /* the request line as sent (for the access log) */
    struct http_text raw_path; /* the path as sent, still percent-encoded */
    struct http_text query;    /* what followed "?", without it (may be empty) */
    /* the values of the headers the answer depends on (len 0: absent) */
    struct http_text if_modified_since, range, if_range;
    long long content_length; /* -1 when there was none */
    bool keep_alive;          /* may the connection carry another request? */
    size_t length;            /* bytes this request took (head and body) */
    /* raw_path percent-decoded, NUL-terminated */
    char path[HTTP_MAX_REQUEST_LINE + 1];
};

/* Parse the request at the start of buf[0..len).
 *
 * Returns HTTP_INCOMPLETE when more bytes are needed, 200 when *req is a
 * complete GET or HEAD, or the error status to answer: 400 (bad syntax,
 * NUL bytes, missing Host on 1.1, bad Content-Length, bad %-escape), 405
 * (a known method other than GET and HEAD), 413 (body too large), 414
 * (request line too long), 431 (headers too large), 501 (unknown method,
 * or a Transfer-Encoding), 505 (an HTTP version other than 1.0 and 1.1).
 *
 * With 200 and with errors, req->length is how many bytes to drop before
 * the next request, and req->keep_alive is false whenever the request
 * could not be framed (then the connection must be closed after the
 * answer). Fields the parser did not reach are empty.
 *
 * scanned carries, between calls on the same growing buffer, how far the
 * search for the end of the head has got (start it at 0, and at 0 again
 * for the next request): a head that arrives a byte at a time is then
 * scanned once, not once per byte. */
int http_parse_request(const char *buf, size_t len, size_t *scanned, struct http_request *req);

/* Decode %XX escapes of in[0..len) into out (size bytes, NUL-terminated);
 * 0, or -1 for a bad escape, a decoded NUL or control character, or no room. */
int http_percent_decode(const char *in, size_t len, char *out, size_t size);

/* True if text equals the NUL-terminated word, ignoring ASCII case. */
bool http_text_is(struct http_text text, const char *word);

#endif
