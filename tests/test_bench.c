/* tests/test_bench.c — the load generator's parts (bench/lg/) and a smoke
 * run of the shoot-out at its smallest size. No timing is asserted: the
 * unit tests feed known data and a fake clock; the smoke run checks that
 * every file is written and well formed and that no server is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench/lg/hist.h"
#include "bench/lg/httpresp.h"
#include "bench/lg/msg.h"
#include "bench/lg/sched.h"
#include "tests/harness.h"

/* --- histogram ------------------------------------------------------------ */

static void assert_within(uint64_t got, double want, double rel)
{
    double d = (double)got - want;
    if (d < 0)
        d = -d;
    if (d > want * rel)
        fail_msg("%llu is not within %.2f%% of %.0f", (unsigned long long)got, rel * 100, want);
}

static void test_hist_percentiles_of_known_data(void **state)
{
    (void)state;
    static struct hist h;
    hist_init(&h);
    /* 1..100000 µs in ns, shuffled order does not matter: record in order */
    for (uint64_t v = 1; v <= 100000; v++)
        hist_record(&h, v * 1000);
    assert_int_equal(h.total, 100000);
    assert_int_equal(h.min, 1000);
    assert_int_equal(h.max, 100000000);
    assert_within(hist_percentile(&h, 50), 50000000, 0.01);
    assert_within(hist_percentile(&h, 90), 90000000, 0.01);
    assert_within(hist_percentile(&h, 99), 99000000, 0.01);
    assert_within(hist_percentile(&h, 99.9), 99900000, 0.01);
    assert_int_equal(hist_percentile(&h, 100), 100000000);
    assert_within((uint64_t)hist_mean(&h), 50000500, 0.0001);
    /* a percentile never lies below the true value by more than a bucket */
    assert_true(hist_percentile(&h, 50) >= 50000000 - 50000000 / 128);
}

static void test_hist_small_values_exact_and_skewed_data(void **state)
{
    (void)state;
    static struct hist h;
    hist_init(&h);
    assert_int_equal(hist_percentile(&h, 50), 0); /* empty */
    /* 990 fast answers of 100 ns, 10 slow ones of 1 s: p99 is fast, p99.9 slow */
    for (int i = 0; i < 990; i++)
        hist_record(&h, 100);
    for (int i = 0; i < 10; i++)
        hist_record(&h, 1000000000);
    assert_int_equal(hist_percentile(&h, 50), 100);
    assert_int_equal(hist_percentile(&h, 99), 100);
    assert_within(hist_percentile(&h, 99.9), 1e9, 0.01);
    /* every value lands in a bucket that holds it, at most 1/128 wide */
    for (uint64_t v = 1; v < ((uint64_t)1 << 39); v = v * 3 + 1) {
        uint64_t low = hist_bucket_low(hist_index(v));
        assert_true(low <= v);
        assert_true(v - low <= v / 128);
    }
    /* merging adds up */
    static struct hist g;
    hist_init(&g);
    hist_record(&g, 5);
    hist_merge(&g, &h);
    assert_int_equal(g.total, 1001);
    assert_int_equal(g.min, 5);
}

/* --- open loop: latency from the due time ------------------------------------ */

static void test_open_loop_charges_from_due_time(void **state)
{
    (void)state;
    struct sched s;
    const uint64_t start = 1000000000; /* fake clock, ns */
    sched_init(&s, start, 1000);       /* 1000 a second: one due every ms */
    assert_int_equal(sched_pop(&s), start);
    /* The server stalls: that reply comes 500 ms later. Meanwhile 500
     * more messages fell due and could not be sent (one connection). */
    uint64_t now = start + 500000000;
    assert_int_equal(sched_backlog(&s, now), 500);
    /* The next message, sent now, was due 1 ms after the start: its
     * latency is charged from then, not from when it went out. */
    uint64_t due = sched_pop(&s);
    assert_int_equal(due, start + 1000000);
    uint64_t done = now + 100000; /* answered 100 µs after sending */
    assert_int_equal(sched_latency(due, now, done), done - due);
    assert_true(sched_latency(due, now, done) > 499000000);
    /* closed loop (no due time): from the send */
    assert_int_equal(sched_latency(0, now, done), 100000);
    assert_int_equal(sched_backlog(&s, now), 499);
}

/* --- echo content ------------------------------------------------------------- */

static void test_msg_check_catches_corruption(void **state)
{
    (void)state;
    char a[256], b[256], c[256];
    msg_fill(a, sizeof a, 7, 1);
    msg_fill(b, sizeof b, 7, 2); /* the next message on the same connection */
    msg_fill(c, sizeof c, 8, 1); /* another connection's */
    assert_int_equal(msg_diff(a, a, sizeof a), -1);
    assert_true(msg_diff(a, b, sizeof a) >= 0);
    assert_true(msg_diff(a, c, sizeof a) >= 0);
    memcpy(b, a, sizeof a);
    b[200] ^= 0x01; /* one flipped bit */
    assert_int_equal(msg_diff(a, b, sizeof a), 200);
}

static void test_loadgen_reports_a_corrupted_echo(void **state)
{
    (void)state;
    const char *const sargv[] = {program_path("tests/helpers/bad_echo"), "-p", "0", "-f", "100",
                                 NULL};
    struct server s;
    server_start(&s, sargv);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *const argv[] = {program_path("bench/loadgen"), "-p", port, "-c", "1", "-s", "64",
                                "-d", "2", NULL};
    struct run_result r;
    run_program(&r, argv, NULL, 0, 20);
    assert_exit_code(&r, 1);
    /* the stream's byte 100 is byte 36 of the second 64-byte message */
    assert_non_null(strstr(r.err, "echo differs at byte 36 of message 2"));
    run_result_free(&r);
    server_stop(&s, 5);
}

static void test_loadgen_reports_a_short_echo(void **state)
{
    (void)state;
    const char *const sargv[] = {program_path("tests/helpers/bad_echo"), "-p", "0", "-c", "100",
                                 NULL};
    struct server s;
    server_start(&s, sargv);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *const argv[] = {program_path("bench/loadgen"), "-p", port, "-c", "1", "-d", "2",
                                "-k", NULL};
    struct run_result r;
    run_program(&r, argv, NULL, 0, 20);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "the server closed the connection"));
    assert_non_null(strstr(r.out, "msgs=1 ")); /* the first message was whole */
    run_result_free(&r);
    server_stop(&s, 5);
}

static void test_loadgen_says_when_no_server(void **state)
{
    (void)state;
    const char *const sargv[] = {program_path("tests/helpers/bad_echo"), "-p", "0", NULL};
    struct server s;
    server_start(&s, sargv);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    server_stop(&s, 5); /* the port it had is now closed */
    const char *const argv[] = {program_path("bench/loadgen"), "-p", port, "-d", "1", NULL};
    struct run_result r;
    run_program(&r, argv, NULL, 0, 20);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "is the server running?"));
    run_result_free(&r);
}

/* --- HTTP framing ---------------------------------------------------------- */

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                              "content-length: 5\r\nConnection: keep-alive\r\n\r\nhello";

static void test_http_framing_in_every_split(void **state)
{
    (void)state;
    size_t len = strlen(ok_resp);
    for (size_t cut = 0; cut <= len; cut++) {
        struct httpresp r;
        size_t used;
        httpresp_init(&r);
        enum httpresp_state st = httpresp_feed(&r, ok_resp, cut, &used);
        assert_int_equal(used, cut);
        if (cut < len) {
            assert_int_equal(st, HTTPRESP_MORE);
            st = httpresp_feed(&r, ok_resp + cut, len - cut, &used);
            assert_int_equal(used, len - cut);
        }
        assert_int_equal(st, HTTPRESP_DONE);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.content_length, 5);
        assert_false(r.close);
    }
    /* byte by byte */
    struct httpresp r;
    httpresp_init(&r);
    size_t used;
    for (size_t i = 0; i < len; i++)
        assert_int_equal(httpresp_feed(&r, ok_resp + i, 1, &used),
                         i + 1 < len ? HTTPRESP_MORE : HTTPRESP_DONE);
}

static enum httpresp_state feed_all(struct httpresp *r, const char *text, size_t *used)
{
    httpresp_init(r);
    return httpresp_feed(r, text, strlen(text), used);
}

static void test_http_framing_refuses_what_it_cannot_check(void **state)
{
    (void)state;
    struct httpresp r;
    size_t used;
    /* two responses back to back: the first ends where it should */
    char two[512];
    snprintf(two, sizeof two, "%s%s", ok_resp, ok_resp);
    assert_int_equal(feed_all(&r, two, &used), HTTPRESP_DONE);
    assert_int_equal(used, strlen(ok_resp));
    assert_int_equal(feed_all(&r, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                  "Connection: close\r\n\r\n", &used),
                     HTTPRESP_DONE);
    assert_int_equal(r.status, 404);
    assert_true(r.close);
    assert_int_equal(feed_all(&r, "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nhello", &used),
                     HTTPRESP_ERROR);
    assert_string_equal(r.error, "no Content-Length");
    assert_int_equal(feed_all(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &used),
                     HTTPRESP_ERROR);
    assert_int_equal(feed_all(&r, "HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n", &used),
                     HTTPRESP_ERROR);
    assert_int_equal(feed_all(&r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                                  "Content-Length: 6\r\n\r\n", &used),
                     HTTPRESP_ERROR);
    assert_int_equal(feed_all(&r, "SSH-2.0-OpenSSH\r\n\r\n", &used), HTTPRESP_ERROR);
    static char huge[HTTPRESP_HEAD_MAX + 100];
    memset(huge, 'a', sizeof huge - 1);
    memcpy(huge, "HTTP/1.1 200 OK\r\nX: ", 20);
    assert_int_equal(feed_all(&r, huge, &used), HTTPRESP_ERROR);
    /* a big body is counted, not kept */
    assert_int_equal(feed_all(&r, "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n", &used),
                     HTTPRESP_MORE);
    assert_int_equal(r.body_left, 1048576);
}

static void test_loadgen_http_against_http_server(void **state)
{
    (void)state;
    const char *const sargv[] = {program_path("day10/http/http_server"), "-p", "0", "-d",
                                 "day10/http/site", NULL};
    struct server s;
    server_start(&s, sargv);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *const ok[] = {program_path("bench/loadgen"), "-m", "http", "-p", port, "-c", "2",
                              "-u", "/index.html", "-d", "0.3", "-k", NULL};
    struct run_result r;
    run_program(&r, ok, NULL, 0, 20);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "errors=0 "));
    assert_null(strstr(r.out, "msgs=0 "));
    run_result_free(&r);
    const char *const missing[] = {program_path("bench/loadgen"), "-m", "http-close", "-p", port,
                                   "-c", "1", "-u", "/no-such-file", "-d", "0.3", NULL};
    run_program(&r, missing, NULL, 0, 20);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "HTTP status 404"));
    run_result_free(&r);
    server_stop(&s, 5);
}

/* --- the smoke run ---------------------------------------------------------- */

/* Well-formed XML, roughly: tags nest and close, attributes are quoted, no
 * bare & or < in text. Returns NULL or what is wrong. */
static const char *xml_check(const char *t)
{
    static char stack[64][32];
    int depth = 0;
    bool root_seen = false;
    while (*t) {
        if (*t == '&') {
            const char *semi = strchr(t, ';');
            if (semi == NULL || semi - t > 8)
                return "bare &";
            t = semi + 1;
            continue;
        }
        if (*t != '<') {
            t++;
            continue;
        }
        if (strncmp(t, "<?", 2) == 0 || strncmp(t, "<!", 2) == 0) {
            t = strchr(t, '>');
            if (t == NULL)
                return "unclosed declaration";
            t++;
            continue;
        }
        bool closing = t[1] == '/';
        const char *name = t + 1 + closing;
        size_t n = strcspn(name, " \t\n/>");
        if (n == 0 || n >= sizeof stack[0])
            return "bad tag name";
        const char *p = name + n;
        char quote = 0;
        while (*p && (quote || *p != '>')) {
            if (quote && *p == quote)
                quote = 0;
            else if (!quote && (*p == '"' || *p == '\''))
                quote = *p;
            else if (!quote && *p == '<')
                return "< inside a tag";
            p++;
        }
        if (*p != '>')
            return "unclosed tag";
        bool empty = p[-1] == '/';
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], name, n) != 0 || stack[depth - 1][n])
                return "mismatched closing tag";
            depth--;
        } else if (!empty) {
            if (depth == 0 && root_seen)
                return "two root elements";
            if (depth == 64)
                return "too deep";
            memcpy(stack[depth], name, n);
            stack[depth++][n] = '\0';
            root_seen = true;
        }
        t = p + 1;
    }
    return depth == 0 && root_seen ? NULL : "unclosed element";
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("%s was not written", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *copy = strdup(buf);
    assert_non_null(copy);
    return copy;
}

/* CSV: a header and `rows` lines (at least, if at_least), each with as
 * many fields as the header. */
static void check_csv(const char *dir, const char *name, int rows, bool at_least)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    char *text = slurp(path);
    int lines = 0, header_fields = -1;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        if (end == NULL)
            fail_msg("%s: last line not ended", path);
        int fields = 1;
        bool quoted = false;
        for (char *c = line; c < end; c++) {
            if (*c == '"')
                quoted = !quoted;
            else if (*c == ',' && !quoted)
                fields++;
        }
        if (header_fields < 0)
            header_fields = fields;
        else if (fields != header_fields)
            fail_msg("%s line %d: %d fields, header has %d", path, lines + 1, fields,
                     header_fields);
        lines++;
        line = end + 1;
    }
    if (at_least ? lines - 1 < rows : lines - 1 != rows)
        fail_msg("%s: %d rows, expected %s%d", path, lines - 1, at_least ? "at least " : "", rows);
    free(text);
}

static void check_svg(const char *dir, const char *name, int series, bool at_least)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    char *text = slurp(path);
    const char *bad = xml_check(text);
    if (bad)
        fail_msg("%s is not well-formed XML: %s", path, bad);
    assert_non_null(strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    int n = count_occurrences(text, "<g class=\"series\"");
    if (at_least ? n < series : n != series)
        fail_msg("%s: %d series, expected %s%d", path, n, at_least ? "at least " : "", series);
    free(text);
}

static void test_smoke_run_writes_everything_and_stops_every_server(void **state)
{
    (void)state;
    char build[4096], dir[] = "/tmp/conclab-bench-XXXXXX";
    snprintf(build, sizeof build, "%s", program_path("bench/shootout"));
    *strstr(build, "/bench/shootout") = '\0';
    assert_non_null(mkdtemp(dir));
    const char *const argv[] = {program_path("bench/shootout"), "-z", "-b", build, "-o", dir, NULL};
    struct run_result r;
    run_program(&r, argv, NULL, 0, 60);
    assert_exit_code(&r, 0);
    assert_int_equal(r.leftovers, 0);
    assert_int_equal(harness_reap_orphans(), 0); /* no server outlived the run */
    int started = -1, stopped = -2;
    const char *end = strstr(r.out, "servers started");
    assert_non_null(end);
    while (end > r.out && end[-1] != '\n')
        end--;
    assert_int_equal(sscanf(end, "%d servers started, %d stopped", &started, &stopped), 2);
    assert_true(started > 0);
    assert_int_equal(started, stopped);
    assert_non_null(strstr(r.out, "ECHO:"));
    assert_non_null(strstr(r.out, "C10K:"));

    check_csv(dir, "echo", 8 * 2, false);
    check_csv(dir, "connmsg", 8, false);
    check_csv(dir, "open", 8, false);
    check_csv(dir, "c10k", 5 * 2, false);
    check_csv(dir, "spawn", 5, false);
    check_csv(dir, "http", 3, true);
    const char *eight[] = {"echo-1", "echo-5", "echo-50-cpu", "connmsg"};
    for (int i = 0; i < 4; i++)
        check_svg(dir, eight[i], 8, false);
    check_svg(dir, "latency", 7, true); /* every server that answered at all */
    check_svg(dir, "c10k-rate", 5, false);
    check_svg(dir, "c10k-cpu", 5, false);
    check_svg(dir, "c10k-rss", 5, false);
    check_svg(dir, "spawn-create", 2, false);
    check_svg(dir, "spawn-tasks", 3, false);
    check_svg(dir, "http-ka", 1, true);
    check_svg(dir, "http-close", 1, true);
    check_svg(dir, "http-1mib", 1, true);

    char path[4200];
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *html = slurp(path);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    const char *bad = xml_check(html);
    if (bad)
        fail_msg("index.html is not well formed: %s", bad);
    const char *charts[] = {"echo-1", "echo-50-cpu", "connmsg", "latency", "c10k-rate",
                            "c10k-rss", "spawn-tasks", "http-1mib"};
    for (int i = 0; i < 8; i++) {
        char img[64];
        snprintf(img, sizeof img, "<img src=\"%s.svg\"", charts[i]);
        if (!strstr(html, img))
            fail_msg("index.html does not show %s.svg", charts[i]);
    }
    assert_non_null(strstr(html, "Machine: "));
    free(html);
    run_result_free(&r);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_percentiles_of_known_data),
        cmocka_unit_test(test_hist_small_values_exact_and_skewed_data),
        cmocka_unit_test(test_open_loop_charges_from_due_time),
        cmocka_unit_test(test_msg_check_catches_corruption),
        cmocka_unit_test(test_http_framing_in_every_split),
        cmocka_unit_test(test_http_framing_refuses_what_it_cannot_check),
        cmocka_unit_test_teardown(test_loadgen_reports_a_corrupted_echo, harness_teardown),
        cmocka_unit_test_teardown(test_loadgen_reports_a_short_echo, harness_teardown),
        cmocka_unit_test_teardown(test_loadgen_says_when_no_server, harness_teardown),
        cmocka_unit_test_teardown(test_loadgen_http_against_http_server, harness_teardown),
        cmocka_unit_test_teardown(test_smoke_run_writes_everything_and_stops_every_server,
                                  harness_teardown),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_teardown);
}
