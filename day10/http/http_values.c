/* day10/http/http_values.c — the header values a request's answer
 * depends on, decoded: Content-Length, Connection, Range and dates. Part
 * of the parser (declared in http_parse.h): http_parse_request calls
 * these, so a request's data is decoded once, in one step.
 */
#include <limits.h>
#include <string.h>

#include "day10/http/http_parse.h"

/* Content-Length: digits only, no sign, no overflow; -1 if bad. */
long long http_parse_content_length(struct http_text v)
{
    if (v.len == 0 || v.len > 18)
        return -1;
    long long n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return -1;
        n = n * 10 + (v.p[i] - '0');
    }
    return n;
}

/* Walk a comma-separated Connection value for "close" and "keep-alive". */
void http_parse_connection(struct http_text v, bool *close, bool *keep_alive)
{
    size_t i = 0;
    while (i < v.len) {
        while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
            i++;
        size_t start = i;
        while (i < v.len && v.p[i] != ',' && v.p[i] != ' ' && v.p[i] != '\t')
            i++;
        struct http_text word = {v.p + start, i - start};
        if (http_text_is(word, "close"))
            *close = true;
        else if (http_text_is(word, "keep-alive"))
            *keep_alive = true;
    }
}

/* Digits at *p, advancing *p; saturates at LLONG_MAX; -1 if none. */
static long long range_number(const char **p, const char *end)
{
    long long v = 0;
    const char *start = *p;
    for (; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
        int d = **p - '0';
        v = v > (LLONG_MAX - d) / 10 ? LLONG_MAX : v * 10 + d;
    }
    return *p == start ? -1 : v;
}

/* "bytes=a-b", "bytes=a-" or "bytes=-n" into *r; anything else (another
 * unit, several ranges, bad syntax) is HTTP_RANGE_NONE: send it all. */
void http_parse_range_value(struct http_text value, struct http_range *r)
{
    const char *p = value.p, *end = value.p + value.len;
    r->kind = HTTP_RANGE_NONE;
    if (value.len < 7 || !http_text_is((struct http_text){p, 6}, "bytes="))
        return;
    p += 6;
    long long a = -1, b = LLONG_MAX;
    bool suffix = *p == '-';
    if (!suffix && (a = range_number(&p, end)) < 0)
        return;
    if (p == end || *p++ != '-' || (suffix && p == end))
        return; /* also "bytes=-" */
    if (p != end && ((b = range_number(&p, end)) < 0 || p != end))
        return; /* also "1-2,4-5": several ranges */
    if (!suffix && b < a)
        return; /* "bytes=5-3" */
    *r = (struct http_range){HTTP_RANGE_OK, a, b};
}

int http_range_clamp(const struct http_range *r, long long size,
                     long long *first, long long *last)
{
    if (r->kind != HTTP_RANGE_OK)
        return HTTP_RANGE_NONE;
    if (r->first < 0) { /* the last r->last bytes */
        if (r->last == 0 || size == 0)
            return HTTP_RANGE_UNSATISFIABLE;
        *first = r->last >= size ? 0 : size - r->last;
        *last = size - 1;
        return HTTP_RANGE_OK;
    }
    if (r->first >= size)
        return HTTP_RANGE_UNSATISFIABLE;
    *first = r->first;
    *last = r->last < size - 1 ? r->last : size - 1; /* "to the end" */
    return HTTP_RANGE_OK;
}

int http_parse_range(struct http_text value, long long size, long long *first,
                     long long *last)
{
    struct http_range r;
    http_parse_range_value(value, &r);
    return http_range_clamp(&r, size, first, last);
}

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* n decimal digits at p, or -1. */
static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

int http_parse_date(const char *text, size_t len, time_t *t)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT": every field at a fixed place. */
    if (len != sizeof "Sun, 06 Nov 1994 08:49:37 GMT" - 1 || text[3] != ',' ||
        text[4] != ' ' || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':' ||
        memcmp(text + 25, " GMT", 4) != 0)
        return -1;
    int month = -1;
    for (int i = 0; i < 12; i++)
        if (memcmp(text + 8, months[i], 3) == 0)
            month = i + 1;
    int day = digits(text + 5, 2), year = digits(text + 12, 4);
    int hour = digits(text + 17, 2), min = digits(text + 20, 2),
        sec = digits(text + 23, 2);
    if (month < 0 || day < 1 || day > 31 || year < 1970 || hour < 0 ||
        hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
        return -1;
    *t = (time_t)(days_from_civil(year, month, day) * 86400 + hour * 3600LL +
                  min * 60LL + sec);
    return 0;
}
