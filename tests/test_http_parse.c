/* tests/test_http_parse.c — unit tests for HTTPServer v2.0's pure parts:
 * the request parser (every status from crafted bytes, requests split at
 * every byte boundary, pipelined requests in one buffer), and the pieces
 * of the answer that need no socket (ranges, dates, MIME types, escaping). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "day10/http/http_file.h"
#include "day10/http/http_parse.h"
#include "day10/http/http_response.h"

static struct http_request req; /* 8 KiB: not on cmocka's stack */

/* Parse len bytes at once from a fresh start. */
static int parse_n(const char *bytes, size_t len)
{
    size_t scanned = 0;
    return http_parse_request(bytes, len, &scanned, &req);
}

static int parse(const char *text)
{
    return parse_n(text, strlen(text));
}

/* Fail unless text parses to want, printing the request. */
static void expect_status(const char *text, size_t len, int want)
{
    int got = parse_n(text, len);
    if (got != want)
        fail_msg("status %d, want %d, for: %.*s", got, want, (int)len, text);
}

#define EXPECT(text, want) expect_status((text), sizeof(text) - 1, (want))

/* --- what a good request gives --------------------------------------------- */

static void test_simple_get(void **state)
{
    (void)state;
    const char *r = "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n";
    assert_int_equal(parse(r), 200);
    assert_int_equal(req.method, HTTP_GET);
    assert_int_equal(req.minor_version, 1);
    assert_string_equal(req.path, "/index.html");
    assert_true(req.keep_alive);
    assert_int_equal(req.length, strlen(r));
    assert_int_equal(req.content_length, -1);
    assert_int_equal(req.line.len, strlen("GET /index.html HTTP/1.1"));
    assert_memory_equal(req.line.p, "GET /index.html HTTP/1.1", req.line.len);
}

static void test_head_and_http10(void **state)
{
    (void)state;
    assert_int_equal(parse("HEAD / HTTP/1.0\r\n\r\n"), 200); /* no Host needed in 1.0 */
    assert_int_equal(req.method, HTTP_HEAD);
    assert_int_equal(req.minor_version, 0);
    assert_false(req.keep_alive); /* 1.0: close unless asked */
}

static void test_keep_alive_rules(void **state)
{
    (void)state;
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 200);
    assert_true(req.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), 200);
    assert_true(req.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 200);
    assert_false(req.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n"), 200);
    assert_false(req.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"), 200);
    assert_true(req.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"), 200);
    assert_false(req.keep_alive); /* close wins */
}

/* A bare LF (no CR before it) anywhere in the head: 400, and the
 * connection is closed (issue 16: behind a front end that splits lines
 * only on CRLF, "Dummy: x\nContent-Length: 23" smuggles a request). */
static void test_bare_lf_and_leading_empty_lines(void **state)
{
    (void)state;
    assert_int_equal(parse("GET /a HTTP/1.1\nHost: x\n\n"), 400);
    assert_false(req.keep_alive);
    assert_int_equal(parse("GET /a HTTP/1.1\r\nHost: x\n\r\n"), 400);
    assert_int_equal(parse("GET /a HTTP/1.1\r\nHost: x\r\n\n"), 400);
    assert_int_equal(parse("\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: localhost\r\nDummy: x\n"
                           "Content-Length: 23\r\n\r\nGET / HTTP/1.1\r\n"
                           "Dummy: GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                     400);
    assert_false(req.keep_alive);
    const char *r = "\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(parse(r), 200);
    assert_string_equal(req.path, "/b");
    assert_int_equal(req.length, strlen(r));
    assert_int_equal(parse("\r\n"), HTTP_INCOMPLETE);
}

static void test_headers_we_use(void **state)
{
    (void)state;
    assert_int_equal(parse("GET / HTTP/1.1\r\nhOsT: x\r\nRange:  bytes=0-9 \r\n"
                           "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                           "If-Range: abc\r\nX-Other: \x80\xff ok\r\n\r\n"),
                     200);
    assert_int_equal(req.range.kind, HTTP_RANGE_OK); /* decoded here */
    assert_true(req.range.first == 0 && req.range.last == 9);
    assert_int_equal(req.if_modified_since, 784111777);
    assert_memory_equal(req.if_range.p, "abc", 3);
}

static void test_query_and_percent_decoding(void **state)
{
    (void)state;
    assert_int_equal(parse("GET /a%20b.html?x=1&y=%00 HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/a b.html"); /* the query is not decoded, nor looked at */
    assert_memory_equal(req.query.p, "x=1&y=%00", req.query.len);
    assert_memory_equal(req.raw_path.p, "/a%20b.html", req.raw_path.len);
    assert_int_equal(parse("GET /%2e%2e/%2E%2E/etc HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/../../etc"); /* decoded once; the jail resolves it */
    assert_int_equal(parse("GET /..%2fetc%2Fpasswd HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/../etc/passwd");
    assert_int_equal(parse("GET /%252e%252e HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/%2e%2e"); /* once, not twice */
    assert_int_equal(parse("GET /%c3%a9t%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/\xc3\xa9t\xc3\xa9"); /* UTF-8 names */
}

static void test_absolute_form(void **state)
{
    (void)state;
    assert_int_equal(parse("GET http://example.org/a/b?q HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/a/b");
    assert_memory_equal(req.query.p, "q", 1);
    assert_int_equal(parse("GET HTTPS://example.org HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/");
    assert_int_equal(parse("GET http://h/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_string_equal(req.path, "/../../etc/passwd");
}

static void test_small_body_is_read_and_dropped(void **state)
{
    (void)state;
    const char *head = "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
    char buf[256];
    snprintf(buf, sizeof buf, "%shel", head);
    assert_int_equal(parse(buf), HTTP_INCOMPLETE); /* the body is not all here */
    snprintf(buf, sizeof buf, "%shelloGET", head);
    assert_int_equal(parse(buf), 200);
    assert_int_equal(req.content_length, 5);
    assert_int_equal(req.length, strlen(head) + 5); /* the next request starts at "GET" */
    assert_true(req.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 200);
}

/* --- every error status --------------------------------------------------------- */

static void test_400_bad_request_line(void **state)
{
    (void)state;
    EXPECT("GET /\r\n\r\n", 400);                      /* HTTP/0.9: no version */
    EXPECT("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400); /* two spaces */
    EXPECT("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400);
    EXPECT(" GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET / http/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET / HTTP/1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET / HTTP/a.b\r\nHost: x\r\n\r\n", 400);
    EXPECT("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400); /* not a token */
    EXPECT("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET /\x80 HTTP/1.1\r\nHost: x\r\n\r\n", 400); /* raw 8-bit: must be %-encoded */
    EXPECT("GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\rHost: x\r\n\r\n", 400); /* a bare CR */
    EXPECT("\r\n\r\n\r\n", HTTP_INCOMPLETE);
    EXPECT("hello\r\n\r\n", 400);
    EXPECT("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET index.html HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET ftp://h/a HTTP/1.1\r\nHost: x\r\n\r\n", 400);
}

static void test_400_nul_bytes(void **state)
{
    (void)state;
    EXPECT("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHo\0st: x\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX: \0\r\n\r\n", 400);
    EXPECT("GE\0 / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.\0\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400); /* a NUL, encoded */
    EXPECT("\0GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
}

static void test_400_bad_headers(void **state)
{
    (void)state;
    EXPECT("GET / HTTP/1.1\r\n\r\n", 400); /* 1.1 needs Host */
    EXPECT("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400); /* space before the colon */
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01z\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rz\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n", 400);
    /* the other smuggling forms of issue 16, each refused */
    EXPECT("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", 400); /* tab before colon */
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX\x01A: 1\r\n\r\n", 400); /* name */
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7fz\r\n\r\n", 400); /* DEL */
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tfolded\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
           "Content-Length: 3\r\n\r\n",
           400); /* TE before CL */
}

static void test_400_bad_content_length(void **state)
{
    (void)state;
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400);
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400);
    /* both framings at once: the classic request-smuggling trick */
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
           "Transfer-Encoding: chunked\r\n\r\n",
           400);
    /* the same length twice is harmless */
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", 200);
}

static void test_400_closes_the_connection(void **state)
{
    (void)state;
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400);
    assert_false(req.keep_alive);
    EXPECT("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    assert_false(req.keep_alive);
    EXPECT("GET /%4 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    EXPECT("GET /% HTTP/1.1\r\nHost: x\r\n\r\n", 400);
}

static void test_405_known_methods(void **state)
{
    (void)state;
    const char *methods[] = {"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        char r[128];
        snprintf(r, sizeof r, "%s / HTTP/1.1\r\nHost: x\r\n\r\n", methods[i]);
        if (parse(r) != 405)
            fail_msg("%s: not 405", methods[i]);
        assert_true(req.keep_alive); /* framed: no body */
        assert_int_equal(req.length, strlen(r));
    }
    EXPECT("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 405);
    /* a body we did not read: the connection cannot go on */
    EXPECT("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 405);
    assert_false(req.keep_alive);
}

static void test_501_unknown_method_and_transfer_encoding(void **state)
{
    (void)state;
    EXPECT("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501);
    assert_true(req.keep_alive);
    EXPECT("get / HTTP/1.1\r\nHost: x\r\n\r\n", 501); /* methods are case-sensitive */
    EXPECT("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501);
    assert_false(req.keep_alive);
}

static void test_505_versions(void **state)
{
    (void)state;
    EXPECT("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    EXPECT("GET / HTTP/0.9\r\n\r\n", 505);
    EXPECT("GET / HTTP/3.0\r\n\r\n", 505);
    EXPECT("GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505);
    assert_false(req.keep_alive);
}

static void test_413_body_too_large(void **state)
{
    (void)state;
    char r[128];
    snprintf(r, sizeof r, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n",
             HTTP_MAX_BODY + 1);
    assert_int_equal(parse(r), 413);
    assert_false(req.keep_alive);
    snprintf(r, sizeof r, "HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n");
    assert_int_equal(parse(r), 413);
}

/* "GET /aaaa...a HTTP/1.1" with a target of n bytes, then rest. */
static char *long_line(size_t n, const char *rest)
{
    char *r = malloc(n + strlen(rest) + 32);
    assert_non_null(r);
    strcpy(r, "GET /");
    memset(r + 5, 'a', n - 1);
    sprintf(r + 4 + n, " HTTP/1.1\r\n%s", rest);
    return r;
}

static void test_414_request_line_too_long(void **state)
{
    (void)state;
    /* exactly at the limit: fine */
    char *r = long_line(HTTP_MAX_REQUEST_LINE - strlen("GET  HTTP/1.1"), "Host: x\r\n\r\n");
    assert_int_equal(parse(r), 200);
    free(r);
    r = long_line(HTTP_MAX_REQUEST_LINE - strlen("GET  HTTP/1.1") + 1, "Host: x\r\n\r\n");
    assert_int_equal(parse(r), 414);
    assert_false(req.keep_alive);
    free(r);
    /* refused before the line ends: no need to wait for the rest */
    size_t n = HTTP_MAX_REQUEST_LINE + 100;
    char *partial = malloc(n);
    memcpy(partial, "GET /", 5);
    memset(partial + 5, 'a', n - 5);
    assert_int_equal(parse_n(partial, HTTP_MAX_REQUEST_LINE), HTTP_INCOMPLETE);
    assert_int_equal(parse_n(partial, n), 414);
    free(partial);
}

/* A request whose header section holds count lines "X-Hn: vvv...". */
static char *many_headers(int count, size_t value_len)
{
    size_t size = 64 + (size_t)count * (value_len + 16);
    char *r = malloc(size);
    assert_non_null(r);
    size_t o = (size_t)sprintf(r, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < count; i++) {
        o += (size_t)sprintf(r + o, "X-H%d: ", i);
        memset(r + o, 'v', value_len);
        o += value_len;
        o += (size_t)sprintf(r + o, "\r\n");
    }
    sprintf(r + o, "\r\n");
    return r;
}

static void test_431_headers_too_large(void **state)
{
    (void)state;
    char *r = many_headers(HTTP_MAX_HEADER_LINES - 1, 4); /* with Host: exactly 100 lines */
    assert_int_equal(parse(r), 200);
    free(r);
    r = many_headers(HTTP_MAX_HEADER_LINES, 4); /* 101 */
    assert_int_equal(parse(r), 431);
    assert_false(req.keep_alive);
    free(r);
    r = many_headers(40, 500); /* 20 KB of headers in 41 lines */
    assert_int_equal(parse(r), 431);
    /* refused before the head ends */
    size_t len = strlen(r) - 2;
    assert_int_equal(parse_n(r, len), 431);
    assert_int_equal(parse_n(r, 4000), HTTP_INCOMPLETE);
    free(r);
}

/* --- requests split at every byte, and pipelined ----------------------------------- */

/* Feed text one more byte at a time, as a slow network would, carrying
 * `scanned` along: every prefix must be INCOMPLETE (or, for a request that
 * is refused, the same error), and the whole must give want — also when
 * each prefix is parsed from a fresh start. */
static void expect_split(const char *text, size_t len, int want)
{
    size_t scanned = 0;
    for (size_t k = 0; k < len; k++) {
        size_t fresh = 0;
        int carried = http_parse_request(text, k, &scanned, &req);
        int alone = http_parse_request(text, k, &fresh, &req);
        if (carried != alone)
            fail_msg("prefix %zu of %.*s: %d carried, %d alone", k, (int)len, text, carried, alone);
        if (carried != HTTP_INCOMPLETE && carried != want)
            fail_msg("prefix %zu of %.*s: %d, want %d or incomplete", k, (int)len, text, carried,
                     want);
    }
    if (http_parse_request(text, len, &scanned, &req) != want)
        fail_msg("whole %.*s: want %d", (int)len, text, want);
}

#define EXPECT_SPLIT(text, want) expect_split((text), sizeof(text) - 1, (want))

static void test_split_at_every_byte(void **state)
{
    (void)state;
    EXPECT_SPLIT("GET /index.html HTTP/1.1\r\nHost: localhost\r\nRange: bytes=1-2\r\n\r\n", 200);
    EXPECT_SPLIT("GET /a HTTP/1.1\nHost: x\n\n", 400);
    EXPECT_SPLIT("GET /a HTTP/1.1\r\nHost: x\n\r\n", 400);
    EXPECT_SPLIT("GET /a HTTP/1.1\r\nHost: x\r\n\n", 400);
    EXPECT_SPLIT("\r\n\r\nHEAD / HTTP/1.0\r\n\r\n", 200);
    EXPECT_SPLIT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody", 200);
    EXPECT_SPLIT("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    EXPECT_SPLIT("POST / HTTP/1.1\r\nHost: x\r\n\r\n", 405);
    EXPECT_SPLIT("BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501);
    EXPECT_SPLIT("GET / HTTP/1.1\r\n\r\n", 400);
    EXPECT_SPLIT("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 9999\r\n\r\n", 413);
    /* the end of the head split between \r and \n, and between lines */
    const char *r = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t len = strlen(r);
    size_t scanned = 0;
    assert_int_equal(http_parse_request(r, len - 1, &scanned, &req), HTTP_INCOMPLETE);
    assert_int_equal(http_parse_request(r, len, &scanned, &req), 200);
    assert_int_equal(req.length, len);
}

static void test_pipelined_in_one_buffer(void **state)
{
    (void)state;
    const char *buf = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                      "HEAD /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                      "GET /three?q HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /four HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /fiv";
    const char *want[] = {"/one", "/two", "/three", "/four"};
    size_t at = 0, len = strlen(buf);
    for (size_t i = 0; i < 4; i++) {
        size_t scanned = 0;
        assert_int_equal(http_parse_request(buf + at, len - at, &scanned, &req), 200);
        assert_string_equal(req.path, want[i]);
        assert_true(req.keep_alive);
        at += req.length;
    }
    size_t scanned = 0;
    assert_int_equal(http_parse_request(buf + at, len - at, &scanned, &req), HTTP_INCOMPLETE);
    assert_memory_equal(buf + at, "GET /fiv", 8);
}

/* --- the parts of the answer that need no socket ------------------------------------ */

static int range(const char *value, long long size, long long *first, long long *last)
{
    struct http_text v = {value, strlen(value)};
    return http_parse_range(v, size, first, last);
}

static void test_ranges(void **state)
{
    (void)state;
    long long a, b;
    assert_int_equal(range("bytes=0-9", 100, &a, &b), HTTP_RANGE_OK);
    assert_true(a == 0 && b == 9);
    assert_int_equal(range("bytes=90-", 100, &a, &b), HTTP_RANGE_OK);
    assert_true(a == 90 && b == 99);
    assert_int_equal(range("bytes=-10", 100, &a, &b), HTTP_RANGE_OK);
    assert_true(a == 90 && b == 99);
    assert_int_equal(range("bytes=-1000", 100, &a, &b), HTTP_RANGE_OK); /* all of it */
    assert_true(a == 0 && b == 99);
    assert_int_equal(range("bytes=50-1000", 100, &a, &b), HTTP_RANGE_OK); /* cut at the end */
    assert_true(a == 50 && b == 99);
    assert_int_equal(range("BYTES=1-1", 100, &a, &b), HTTP_RANGE_OK);
    assert_true(a == 1 && b == 1);
    assert_int_equal(range("bytes=100-", 100, &a, &b), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(range("bytes=100-200", 100, &a, &b), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(range("bytes=-0", 100, &a, &b), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(range("bytes=0-", 0, &a, &b), HTTP_RANGE_UNSATISFIABLE);
    /* a first byte too large for 64 bits is past the end too */
    assert_int_equal(range("bytes=99999999999999999999-", 100, &a, &b),
                     HTTP_RANGE_UNSATISFIABLE);
    /* a last byte at or past the end, even one too large for 64 bits,
     * means "to the end" (RFC 9110 14.1.2; issue 16) */
    assert_int_equal(range("bytes=0-18446744073709551615", 100, &a, &b), HTTP_RANGE_OK);
    assert_true(a == 0 && b == 99);
    assert_int_equal(range("bytes=5-99999999999999999999999999", 100, &a, &b),
                     HTTP_RANGE_OK);
    assert_true(a == 5 && b == 99);
    assert_int_equal(range("bytes=-18446744073709551615", 100, &a, &b), HTTP_RANGE_OK);
    assert_true(a == 0 && b == 99);
    /* anything else: the whole file */
    const char *ignored[] = {"bytes=5-1",
                             "bytes=0-1,3-4",
                             "items=0-1",
                             "bytes=",
                             "bytes=a-b",
                             "bytes= 1-2",
                             "bytes=1-2x",
                             "bytes=-",
                             "bytes=--1",
                             "bytes=1",
                             "bytes",
                             ""};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        if (range(ignored[i], 100, &a, &b) != HTTP_RANGE_NONE)
            fail_msg("'%s' was not ignored", ignored[i]);
}

static void test_dates(void **state)
{
    (void)state;
    char text[HTTP_DATE_LEN];
    http_format_date(784111777, text);
    assert_string_equal(text, "Sun, 06 Nov 1994 08:49:37 GMT");
    http_format_date(0, text);
    assert_string_equal(text, "Thu, 01 Jan 1970 00:00:00 GMT");
    time_t t;
    assert_int_equal(http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t), 0);
    assert_int_equal((long long)t, 784111777);
    assert_int_equal(http_parse_date("Thu, 29 Feb 2024 23:59:59 GMT", 29, &t), 0);
    assert_int_equal((long long)t, 1709251199);
    for (time_t x = 0; x < 4000000000LL; x += 86400 * 97 + 3671) { /* both ways agree */
        http_format_date(x, text);
        assert_int_equal(http_parse_date(text, strlen(text), &t), 0);
        assert_int_equal((long long)t, (long long)x);
    }
    const char *bad[] = {"Sun, 06 Nov 1994 08:49:37 UTC",  "Sun, 06 Xyz 1994 08:49:37 GMT",
                         "Sun, 32 Nov 1994 08:49:37 GMT",  "Sun, 06 Nov 1994 25:49:37 GMT",
                         "Sun, 0a Nov 1994 08:49:37 GMT",  ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (http_parse_date(bad[i], strlen(bad[i]), &t) == 0)
            fail_msg("'%s' parsed as a date", bad[i]);
}

/* Issue 16: a date that names no instant (31 Nov, 30 Feb, 29 Feb of a
 * common year, 24:00, minute 60) is not a date, not the next day; and
 * the three forms RFC 9110 5.6.7 makes a recipient accept all parse. */
static void test_issue16_impossible_dates_and_three_forms(void **state)
{
    (void)state;
    const char *impossible[] = {
        "Sun, 31 Nov 1994 08:49:37 GMT", "Sat, 30 Feb 2002 00:00:00 GMT",
        "Fri, 29 Feb 2002 00:00:00 GMT", "Mon, 29 Feb 2100 00:00:00 GMT",
        "Sun, 31 Apr 1994 00:00:00 GMT", "Sun, 31 Jun 1994 00:00:00 GMT",
        "Sun, 31 Sep 1994 00:00:00 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Nov 1994 08:49:60 GMT",
        "Sun, 06 Nov 1994 99:99:99 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Thursday, 31-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-94 24:49:37 GMT",
        "Sun, 06-Nov-94 08:49:37 GMT",   "Sunnday, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06 Nov 1994 08:49:37 GMT", "Sun Nov 31 08:49:37 1994",
        "Sun Feb 29 08:49:37 1994",      "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 1994 ",     "Sun Nov  6 08:60:37 1994",
        "Sun Nov 6  08:49:37 1994",      "Sunday Nov  6 08:49:37 1994",
    };
    time_t t;
    for (size_t i = 0; i < sizeof impossible / sizeof impossible[0]; i++)
        if (http_parse_date(impossible[i], strlen(impossible[i]), &t) == 0)
            fail_msg("'%s' parsed as %lld", impossible[i], (long long)t);

    struct {
        const char *text;
        long long t;
    } good[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},  /* IMF-fixdate */
        {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777}, /* obsolete RFC 850 */
        {"Sun Nov  6 08:49:37 1994", 784111777},       /* ANSI C's asctime() */
        {"Sun Nov 06 08:49:37 1994", 784111777},
        {"Tue, 29 Feb 2000 00:00:00 GMT", 951782400},  /* 2000 is a leap year */
        {"Thu, 29 Feb 2024 23:59:59 GMT", 1709251199},
        {"Thu Feb 29 23:59:59 2024", 1709251199},
        {"Wed, 30 Nov 1994 23:59:59 GMT", 786239999},
        /* a leap second, as POSIX time has none: the second before */
        {"Sat, 31 Dec 2016 23:59:60 GMT", 1483228799},
        {"Saturday, 31-Dec-16 23:59:60 GMT", 1483228799},
        {"Sat Dec 31 23:59:60 2016", 1483228799},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (http_parse_date(good[i].text, strlen(good[i].text), &t) != 0)
            fail_msg("'%s' was refused", good[i].text);
        if ((long long)t != good[i].t)
            fail_msg("'%s' parsed as %lld, not %lld", good[i].text, (long long)t, good[i].t);
    }

    /* RFC 850's two-digit year: one more than 50 years ahead is the
     * last century's (RFC 9110 5.6.7). */
    time_t now = time(NULL);
    struct tm tm;
    assert_non_null(gmtime_r(&now, &tm));
    int year = tm.tm_year + 1900;
    for (int ahead = -49; ahead <= 51; ahead++) {
        int y = year + ahead, want = ahead > 50 ? y - 100 : y;
        char text[64];
        snprintf(text, sizeof text, "Monday, 01-Jan-%02d 00:00:00 GMT", y % 100);
        if (http_parse_date(text, strlen(text), &t) != 0)
            fail_msg("'%s' was refused", text);
        assert_non_null(gmtime_r(&t, &tm));
        if (tm.tm_year + 1900 != want)
            fail_msg("'%s' read as the year %d, not %d", text, tm.tm_year + 1900, want);
    }
}

static void test_mime_types(void **state)
{
    (void)state;
    const char *table[][2] = {
        {"/a.html", "text/html; charset=utf-8"},
        {"/a.HTM", "text/html; charset=utf-8"},
        {"/s.css", "text/css; charset=utf-8"},
        {"/app.js", "text/javascript; charset=utf-8"},
        {"/d.json", "application/json"},
        {"/i.svg", "image/svg+xml"},
        {"/i.png", "image/png"},
        {"/i.jpg", "image/jpeg"},
        {"/i.jpeg", "image/jpeg"},
        {"/i.gif", "image/gif"},
        {"/favicon.ico", "image/x-icon"},
        {"/i.webp", "image/webp"},
        {"/r.txt", "text/plain; charset=utf-8"},
        {"/d.pdf", "application/pdf"},
        {"/m.wasm", "application/wasm"},
        {"/v.mp4", "video/mp4"},
        {"/noext", "application/octet-stream"},
        {"/x.tar.gz", "application/octet-stream"},
        {"/dir.html/file", "application/octet-stream"}, /* the dot is in a folder name */
        {"/.html", "text/html; charset=utf-8"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        assert_string_equal(http_mime_type(table[i][0]), table[i][1]);
}

static void test_html_escape_and_reasons(void **state)
{
    (void)state;
    char out[64];
    const char *in = "<a href=\"x\">&'</a>";
    assert_true(http_html_escape(in, strlen(in), out, sizeof out) > 0);
    assert_string_equal(out, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    assert_int_equal(http_html_escape(in, strlen(in), out, 10), -1);
    const int statuses[] = {200, 206, 301, 304, 400, 403, 404, 405,
                            408, 413, 414, 416, 431, 501, 503, 505};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        assert_string_not_equal(http_reason(statuses[i]), "Internal Server Error");
    assert_string_equal(http_reason(431), "Request Header Fields Too Large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_head_and_http10),
        cmocka_unit_test(test_keep_alive_rules),
        cmocka_unit_test(test_bare_lf_and_leading_empty_lines),
        cmocka_unit_test(test_headers_we_use),
        cmocka_unit_test(test_query_and_percent_decoding),
        cmocka_unit_test(test_absolute_form),
        cmocka_unit_test(test_small_body_is_read_and_dropped),
        cmocka_unit_test(test_400_bad_request_line),
        cmocka_unit_test(test_400_nul_bytes),
        cmocka_unit_test(test_400_bad_headers),
        cmocka_unit_test(test_400_bad_content_length),
        cmocka_unit_test(test_400_closes_the_connection),
        cmocka_unit_test(test_405_known_methods),
        cmocka_unit_test(test_501_unknown_method_and_transfer_encoding),
        cmocka_unit_test(test_505_versions),
        cmocka_unit_test(test_413_body_too_large),
        cmocka_unit_test(test_414_request_line_too_long),
        cmocka_unit_test(test_431_headers_too_large),
        cmocka_unit_test(test_split_at_every_byte),
        cmocka_unit_test(test_pipelined_in_one_buffer),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_issue16_impossible_dates_and_three_forms),
        cmocka_unit_test(test_mime_types),
        cmocka_unit_test(test_html_escape_and_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
