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
static const char *const weekdays[7] = {"Monday",   "Tuesday", "Wednesday",
                                        "Thursday", "Friday",  "Saturday",
                                        "Sunday"};

/* The three forms of an HTTP-date a recipient must accept (RFC 9110
 * 5.6.7), in strftime's words: %a "Sun", %A "Sunday", %b "Nov", %d two
 * digits, %e two digits or a space and one, %Y four digits, %y two. */
static const char *const date_forms[] = {
    "%a, %d %b %Y %H:%M:%S GMT", /* fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    "%A, %d-%b-%y %H:%M:%S GMT", /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
    "%a %b %e %H:%M:%S %Y",      /* asctime: Sun Nov  6 08:49:37 1994 */
};

struct civil {
    int year, month, day, hour, min, sec;
    bool two_digit_year;
};

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

/* The field %k at p (n bytes left) into c: its length, 0 if none. */
static size_t date_field(char k, const char *p, size_t n, struct civil *c)
{
    if (k == 'a' || k == 'A') { /* a day's name: checked, not compared */
        for (int i = 0; i < 7; i++) {
            size_t len = k == 'a' ? 3 : strlen(weekdays[i]);
            if (n >= len && memcmp(p, weekdays[i], len) == 0)
                return len;
        }
        return 0;
    }
    if (k == 'b') {
        for (int i = 0; i < 12; i++)
            if (n >= 3 && memcmp(p, months[i], 3) == 0)
                return c->month = i + 1, 3;
        return 0;
    }
    int width = k == 'Y' ? 4 : 2;
    if ((size_t)width > n)
        return 0;
    int v = k == 'e' && p[0] == ' ' ? digits(p + 1, 1) : digits(p, width);
    if (v < 0)
        return 0;
    switch (k) {
    case 'd': /* fall through */
    case 'e': c->day = v; break;
    case 'Y': c->year = v; break;
    case 'y': c->year = v, c->two_digit_year = true; break;
    case 'H': c->hour = v; break;
    case 'M': c->min = v; break;
    case 'S': c->sec = v; break;
    default: return 0;
    }
    return (size_t)width;
}

/* Does the whole text follow form? Its fields into c. */
static bool date_matches(const char *form, const char *text, size_t len,
                         struct civil *c)
{
    size_t at = 0;
    for (; *form != '\0'; form++) {
        size_t n = 0;
        if (*form == '%')
            n = date_field(*++form, text + at, len - at, c);
        else if (at < len && text[at] == *form)
            n = 1;
        if (n == 0)
            return false;
        at += n;
    }
    return at == len;
}

static bool leap_year(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int http_parse_date(const char *text, size_t len, time_t *t)
{
    struct civil c = {0};
    size_t form = 0, forms = sizeof date_forms / sizeof date_forms[0];
    while (form < forms && !date_matches(date_forms[form], text, len, &c))
        form++, c = (struct civil){0};
    if (form == forms)
        return -1;
    if (c.two_digit_year) { /* RFC 9110: no more than 50 years ahead */
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm) == NULL)
            return -1;
        int this_year = tm.tm_year + 1900;
        c.year += this_year - this_year % 100;
        if (c.year > this_year + 50)
            c.year -= 100;
        else if (c.year <= this_year - 50)
            c.year += 100;
    }
    static const int month_days[12] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    int last_day =
        month_days[c.month - 1] + (c.month == 2 && leap_year(c.year));
    /* 31 Nov or 24:00 name no instant: not a date, not the next day. */
    if (c.year < 1970 || c.day < 1 || c.day > last_day || c.hour > 23 ||
        c.min > 59 || c.sec > 60 ||
        (c.sec == 60 && (c.hour != 23 || c.min != 59)))
        return -1;
    if (c.sec == 60) /* a leap second: POSIX time has none, take 23:59:59 */
        c.sec = 59;
    *t = (time_t)(days_from_civil(c.year, c.month, c.day) * 86400 +
                  c.hour * 3600LL + c.min * 60LL + c.sec);
    return 0;
}
