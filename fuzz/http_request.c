/* fuzz/http_request.c — libFuzzer target for HTTPServer v2.0's request
 * parser (day10/http/http_parse.c), and what the server does next with
 * what it returns: the Range and date parsers, and the path jail's
 * normalization.
 *
 * Build and run (clang):  make fuzz
 *   ./build/fuzz/fuzz/http_request -max_total_time=60 build/fuzz/corpus-http
 *
 * Besides crashes and sanitizer reports, it aborts when an invariant
 * breaks: an unknown status, a request longer than the input, a path that
 * is not absolute or holds a control character, a range outside the
 * file, a split request parsed differently from the whole.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/path.h"
#include "day10/http/http_file.h"
#include "day10/http/http_parse.h"
#include "day10/http/http_response.h"

static struct http_request req, again;

static int date_was_sent(time_t t, const char *buf, size_t len);

static void check(int ok)
{
    if (!ok)
        abort();
}

static int known_status(int status)
{
    static const int known[] = {HTTP_INCOMPLETE, 200, 400, 405, 413, 414, 431, 501, 505};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (status == known[i])
            return 1;
    return 0;
}

/* What the server does with a parsed request, short of the disk. */
static void use(const struct http_request *r, const char *buf, size_t len)
{
    check(r->length > 0 && r->length <= len);
    check(r->path[0] == '/');
    for (const char *p = r->path; *p != '\0'; p++)
        check((unsigned char)*p >= 0x20 && *p != 0x7f);
    char vpath[4096];
    if (path_normalize("/", r->path, vpath, sizeof vpath) == 0) {
        check(vpath[0] == '/');
        check(strstr(vpath, "/../") == NULL && strstr(vpath, "/./") == NULL);
        size_t n = strlen(vpath);
        check(!(n >= 3 && strcmp(vpath + n - 3, "/..") == 0));
    }
    const long long sizes[] = {0, 1, 10, 1000000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        long long first = -1, last = -1;
        if (http_range_clamp(&r->range, sizes[i], &first, &last) == HTTP_RANGE_OK)
            check(0 <= first && first <= last && last < sizes[i]);
    }
    if (r->if_modified_since >= 0) { /* a date, decoded: it reads back */
        char text[HTTP_DATE_LEN];
        time_t t;
        http_format_date(r->if_modified_since, text);
        check(http_parse_date(text, HTTP_DATE_LEN - 1, &t) == 0);
        check(t == r->if_modified_since);
        check(date_was_sent(r->if_modified_since, buf, len));
    }
}

/* The calendar fields of t, written as one of the three forms of RFC
 * 9110 5.6.7, are in the request as sent: a date is never "corrected"
 * (31 Nov is not 1 Dec). A leap second, 23:59:60, reads as 23:59:59. */
static int date_was_sent(time_t t, const char *buf, size_t len)
{
    static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return 0;
    for (int leap = 0; leap < 2; leap++) {
        if (leap && !(tm.tm_hour == 23 && tm.tm_min == 59 && tm.tm_sec == 59))
            break;
        int s = tm.tm_sec + leap;
        char form[4][40];
        snprintf(form[0], sizeof form[0], ", %02d %s %04d %02d:%02d:%02d GMT", tm.tm_mday,
                 mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, s);
        snprintf(form[1], sizeof form[1], ", %02d-%s-%02d %02d:%02d:%02d GMT", tm.tm_mday,
                 mon[tm.tm_mon], (tm.tm_year + 1900) % 100, tm.tm_hour, tm.tm_min, s);
        snprintf(form[2], sizeof form[2], " %s %2d %02d:%02d:%02d %04d", mon[tm.tm_mon],
                 tm.tm_mday, tm.tm_hour, tm.tm_min, s, tm.tm_year + 1900);
        snprintf(form[3], sizeof form[3], " %s %02d %02d:%02d:%02d %04d", mon[tm.tm_mon],
                 tm.tm_mday, tm.tm_hour, tm.tm_min, s, tm.tm_year + 1900);
        for (int i = 0; i < 4; i++)
            if (memmem(buf, len, form[i], strlen(form[i])) != NULL)
                return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;

    /* Every request in the buffer, one after another (pipelining). */
    size_t at = 0;
    for (int n = 0; n < 64 && at < size; n++) {
        size_t scanned = 0;
        int status = http_parse_request(buf + at, size - at, &scanned, &req);
        check(known_status(status));
        check(scanned <= size - at);
        if (status == HTTP_INCOMPLETE)
            break;
        if (status == 200)
            use(&req, buf + at, size - at);
        if (!req.keep_alive)
            break;
        check(req.length > 0 && req.length <= size - at);
        at += req.length;
    }

    /* The same bytes arriving in two pieces: the same answer. */
    if (size > 1) {
        size_t cut = data[0] % size, scanned = 0;
        int whole, first;
        size_t fresh = 0;
        whole = http_parse_request(buf, size, &fresh, &again);
        first = http_parse_request(buf, cut, &scanned, &req);
        if (first == HTTP_INCOMPLETE) {
            check(http_parse_request(buf, size, &scanned, &req) == whole);
            check(whole != 200 || req.length == again.length);
        } else if (first == 200) {
            check(whole == 200 && req.length == again.length);
        } else {
            check(whole != 200 && whole != HTTP_INCOMPLETE); /* refused early: refused */
        }
    }
    return 0;
}
