/* day10/http/http_parse.h — the HTTP/1.x request parser of HTTPServer v2.0.
 *
 * A pure function: bytes in, a parsed request or the precise error status
 * out. No IO, no allocation, no global state, so it can be tested with
 * crafted bytes and fuzzed (fuzz/http_request.c). The strings it returns
 * point into the caller's buffer and are valid as long as the buffer is.
 *
 * The request it accepts (RFC 9112; [..] optional; every line ends in
 * CRLF: a bare LF anywhere in the head is refused, 400, so that a front
 * end that splits lines only on CRLF cannot read it differently):
 *
 *     GET /path/to/file?query HTTP/1.1 CRLF     request line, at most 8 KiB
 *     Host: example.org CRLF                     header lines: name ":" value
 *     Connection: keep-alive CRLF                at most 16 KiB and 100 lines
 *     CRLF                                       an empty line ends the head
 *     [body of Content-Length bytes]             GET/HEAD: at most 8 KiB,
 * ignored
 */
#ifndef CONCLAB_HTTP_PARSE_H
#define CONCLAB_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The limits; each one exceeded has its own status. */
#define HTTP_MAX_REQUEST_LINE                                                  \
    8192 /* the request line, without its CRLF: else 414 */
#define HTTP_MAX_HEADER_BYTES                                                  \
    16384 /* the header lines after it, with their CRLFs: else 431 */
#define HTTP_MAX_HEADER_LINES 100 /* header lines: else 431 */
#define HTTP_MAX_BODY                                                          \
    8192 /* a GET or HEAD body up to this is dropped: else 413 */
/* The most bytes one request can take (leading empty lines aside). */
#define HTTP_MAX_REQUEST                                                       \
    (HTTP_MAX_REQUEST_LINE + 2 + HTTP_MAX_HEADER_BYTES + 2 + HTTP_MAX_BODY)

/* http_parse_request's answer when the request is not complete yet. */
#define HTTP_INCOMPLETE 0

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER_METHOD };

/* A piece of the input buffer (not NUL-terminated). */
struct http_text {
    const char *p;
    size_t len;
};

/* A Range header (RFC 9110 14.1.2), decoded: "bytes=first-last",
 * "bytes=first-" (last: LLONG_MAX, "to the end"), "bytes=-n" (the last n
 * bytes: first -1, last n). Numbers too large for 64 bits are LLONG_MAX:
 * a last byte at or past the end of the file means "to the end" too. */
enum { HTTP_RANGE_NONE, HTTP_RANGE_OK, HTTP_RANGE_UNSATISFIABLE };
struct http_range {
    int kind; /* HTTP_RANGE_OK if one range of bytes; else NONE: send it all */
    long long first, last;
};

struct http_request {
    enum http_method method;
    int minor_version;     /* 0: HTTP/1.0, 1: HTTP/1.1 */
    struct http_text line; /* the request line as sent (for the access log) */
    struct http_text raw_path; /* the path as sent, still percent-encoded */
    struct http_text query; /* what followed "?", without it (may be empty) */
    /* the values of the headers the answer depends on, decoded */
    time_t if_modified_since;  /* -1: absent, or not a date */
    struct http_range range;   /* kind HTTP_RANGE_NONE: absent */
    struct http_text if_range; /* compared with Last-Modified (len 0: absent) */
    long long content_length;  /* -1 when there was none */
    bool keep_alive;           /* may the connection carry another request? */
    size_t length;             /* bytes this request took (head and body) */
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
int http_parse_request(const char *buf, size_t len, size_t *scanned,
                       struct http_request *req);

/* Decode %XX escapes of in[0..len) into out (size bytes, NUL-terminated);
 * 0, or -1 for a bad escape, a decoded NUL or control character, or no room. */
int http_percent_decode(const char *in, size_t len, char *out, size_t size);

/* --- header values (http_values.c) --- */

/* Content-Length: digits only, no sign, no overflow; -1 if bad. */
long long http_parse_content_length(struct http_text v);

/* A comma-separated Connection value: sets *close and *keep_alive if it
 * holds "close" or "keep-alive". */
void http_parse_connection(struct http_text v, bool *close, bool *keep_alive);

/* A Range value into *r (kind HTTP_RANGE_NONE if it is not one range of
 * bytes: another unit, several ranges, bad syntax). */
void http_parse_range_value(struct http_text value, struct http_range *r);

/* The bytes of a file of size bytes that r asks for: HTTP_RANGE_OK with
 * the first and last (inclusive), HTTP_RANGE_UNSATISFIABLE if it starts
 * past the end, HTTP_RANGE_NONE (send the whole file) if r is none. */
int http_range_clamp(const struct http_range *r, long long size,
                     long long *first, long long *last);

/* A Range header value decoded and clamped to size: the two above. */
int http_parse_range(struct http_text value, long long size, long long *first,
                     long long *last);

/* Parse an HTTP-date in any of its three forms (RFC 9110 5.6.7: "Sun, 06
 * Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6
 * 08:49:37 1994"); 0, or -1 if it names no instant (31 Nov, 24:00). */
int http_parse_date(const char *text, size_t len, time_t *t);

/* True if text equals the NUL-terminated word, ignoring ASCII case. */
bool http_text_is(struct http_text text, const char *word);

#endif
