/* tests/test_http_path.c — unit tests for HTTPServer v2.0's docroot: every
 * way a request path might lead out of the served folder (.., %2e%2e,
 * ..%2f, absolute forms, NUL, a symlink out), folders (301, index.html,
 * listings), and the cache of open files. Each hostile path goes through
 * the parser and the answer too, and no byte of the file outside may show.
 */
#define _GNU_SOURCE /* memmem; mkdtemp and symlink */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "day10/http/http_file.h"
#include "day10/http/http_parse.h"
#include "day10/http/http_response.h"

#define SECRET "TOP-SECRET-OUTSIDE"

/* base/secret.txt (outside), base/www/ the docroot:
 *   a.txt  index.html  dir/index.html  empty/  list/{<b>&"q'.txt, sub/}
 *   link_in -> a.txt   link_out -> ../secret.txt   dir_out -> ..   fifo */
static char base[PATH_MAX], www[PATH_MAX + 8];
static struct http_docroot docroot;
static struct http_request req;
static char reply_buf[HTTP_REPLY_MAX];

static void write_file(const char *rel, const char *text)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_at(int (*fn)(const char *, mode_t), const char *rel, mode_t mode)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    assert_int_equal(fn(p, mode), 0);
}

static void link_at(const char *target, const char *rel)
{
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "%s/conclab-http.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(base) == NULL)
        return -1;
    snprintf(www, sizeof www, "%s/www", base);
    write_file("secret.txt", SECRET "\n");
    make_at(mkdir, "www", 0755);
    make_at(mkdir, "www/dir", 0755);
    make_at(mkdir, "www/empty", 0755);
    make_at(mkdir, "www/list", 0755);
    make_at(mkdir, "www/list/sub", 0755);
    write_file("www/a.txt", "a");
    write_file("www/index.html", "<p>home</p>");
    write_file("www/dir/index.html", "<p>dir</p>");
    write_file("www/list/<b>&\"q'.txt", "x");
    link_at("a.txt", "www/link_in");
    link_at("../secret.txt", "www/link_out");
    link_at("..", "www/dir_out");
    make_at(mkfifo, "www/fifo", 0644);
    return http_docroot_open(&docroot, www, false);
}

static int teardown(void **state)
{
    (void)state;
    http_docroot_close(&docroot);
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

static double now = 1000.0; /* the cache's clock, moved by hand */

/* Find a decoded path; the status. */
static int find(const char *path, struct http_file **f)
{
    return http_docroot_find(&docroot, path, now, f);
}

/* Send a raw request path through the parser and the answer; returns the
 * answer's status and checks that no byte of the secret is in it. */
static int answer_for(const char *target)
{
    char text[1024];
    snprintf(text, sizeof text, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", target);
    size_t scanned = 0;
    int status = http_parse_request(text, strlen(text), &scanned, &req);
    struct http_stats stats = {0, 1, 0, 0};
    struct http_context ctx = {&docroot, &stats, now, "Thu, 01 Jan 1970 00:00:00 GMT"};
    struct http_reply r = {reply_buf, 0, sizeof reply_buf, -1, 0, 0, false, false, 0, 0};
    http_reply_reset(&r);
    assert_int_equal(http_respond(&ctx, &req, status, &r), 0);
    if (memmem(r.buf, r.len, "TOP-SECRET", 10) != NULL)
        fail_msg("%s showed the secret:\n%.*s", target, (int)r.len, r.buf);
    if (r.file_fd >= 0)
        close(r.file_fd);
    return r.status;
}

static void expect_answer(const char *target, int want)
{
    int got = answer_for(target);
    if (got != want)
        fail_msg("%s: answered %d, want %d", target, got, want);
}

/* --- inside the docroot -------------------------------------------------------- */

static void test_plain_files(void **state)
{
    (void)state;
    struct http_file *f;
    assert_int_equal(find("/a.txt", &f), 200);
    assert_int_equal(f->size, 1);
    assert_memory_equal(f->body, "a", 1);
    assert_string_equal(f->mime, "text/plain; charset=utf-8");
    assert_int_equal(find("/", &f), 200);
    assert_memory_equal(f->body, "<p>home</p>", 11);
    assert_int_equal(find("/link_in", &f), 200); /* a link that stays inside */
    assert_memory_equal(f->body, "a", 1);
    assert_int_equal(find("/nope.txt", &f), 404);
    assert_int_equal(find("/a.txt/", &f), 404); /* a file is no folder */
    assert_int_equal(find("/a.txt/x", &f), 404);
    expect_answer("/a.txt", 200);
    expect_answer("/a.txt?x=../../secret.txt", 200); /* the query plays no part */
}

static void test_folders(void **state)
{
    (void)state;
    struct http_file *f;
    assert_int_equal(find("/dir", &f), 301);
    assert_int_equal(find("/dir/", &f), 200);
    assert_memory_equal(f->body, "<p>dir</p>", 10);
    assert_int_equal(find("/dir//", &f), 200);
    assert_int_equal(find("/empty/", &f), 404); /* no index, no listing */
    assert_int_equal(find("/empty", &f), 301);
    expect_answer("/dir", 301);
    expect_answer("/empty/", 404);
}

/* --- every way out ----------------------------------------------------------------- */

static void test_dot_dot_in_every_spelling(void **state)
{
    (void)state;
    const char *tries[] = {
        "/../secret.txt",
        "/../../../../secret.txt",
        "/dir/../../secret.txt",
        "/./../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/%2e./secret.txt",
        "/.%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/dir/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",       /* a backslash is a name character here */
        "/..\\secret.txt",        /* (raw, it is a visible character) */
        "/%252e%252e/secret.txt", /* decoded once: a folder named "%2e%2e" */
        "//secret.txt",
        "/.../secret.txt",
        "http://host/../secret.txt",
        "http://host/%2e%2e/secret.txt",
        "http://..//secret.txt",
    };
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++)
        expect_answer(tries[i], 404); /* resolved inside the docroot, where it is not */
}

static void test_absolute_paths_stay_inside(void **state)
{
    (void)state;
    struct http_file *f;
    char outside[2 * PATH_MAX];
    snprintf(outside, sizeof outside, "%s/secret.txt", base); /* the real absolute path */
    assert_int_equal(find(outside, &f), 404);
    expect_answer("/etc/passwd", 404);
    expect_answer("//etc/passwd", 404);
    expect_answer("/%2fetc%2fpasswd", 404);
    expect_answer("http://localhost/etc/passwd", 404);
}

static void test_nul_and_control_characters(void **state)
{
    (void)state;
    expect_answer("/a.txt%00.html", 400);
    expect_answer("/%00", 400);
    expect_answer("/a%0a.txt", 400);
    expect_answer("/a%0d%0aSet-Cookie:x", 400);
    struct http_file *f;
    assert_int_equal(find("/a\x01.txt", &f), 400);
}

static void test_symlinks_out(void **state)
{
    (void)state;
    struct http_file *f;
    assert_int_equal(find("/link_out", &f), 403);
    assert_int_equal(find("/dir_out/secret.txt", &f), 403);
    assert_int_equal(find("/dir_out/", &f), 403);
    assert_int_equal(find("/dir_out", &f), 403);
    expect_answer("/link_out", 403);
    expect_answer("/dir_out/secret.txt", 403);
    /* out and back in: the real path is a file of the docroot, so it is served */
    expect_answer("/dir_out/www/a.txt", 200);
}

static void test_no_fifo_no_hang(void **state)
{
    (void)state;
    struct http_file *f;
    assert_int_equal(find("/fifo", &f), 403); /* opening it must not block */
}

static void test_too_long(void **state)
{
    (void)state;
    static char path[PATH_MAX + 100];
    path[0] = '/';
    memset(path + 1, 'a', sizeof path - 2);
    path[sizeof path - 1] = '\0';
    struct http_file *f;
    assert_int_equal(find(path, &f), 414);
}

/* --- listings and the cache ------------------------------------------------------ */

static void test_listing_escapes_every_name(void **state)
{
    (void)state;
    struct http_docroot listing;
    assert_int_equal(http_docroot_open(&listing, www, true), 0);
    struct http_file *f;
    assert_int_equal(http_docroot_find(&listing, "/list/", now, &f), HTTP_LISTING);
    char page[8192];
    long n = http_docroot_listing(&listing, f, page, sizeof page);
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(page));
    assert_non_null(
        strstr(page, "<a href=\"%3Cb%3E%26%22q%27.txt\">&lt;b&gt;&amp;&quot;q&#39;.txt"));
    assert_non_null(strstr(page, "<a href=\"sub/\">sub/</a>"));
    assert_non_null(strstr(page, "<a href=\"../\">"));
    assert_null(strstr(page, "<b>"));                                     /* no name got in raw */
    assert_int_equal(http_docroot_find(&listing, "/dir/", now, &f), 200); /* an index wins */
    /* a page too small for the listing: -1, never an overflow */
    assert_int_equal(http_docroot_find(&listing, "/list/", now, &f), HTTP_LISTING);
    assert_int_equal(http_docroot_listing(&listing, f, page, 100), -1);
    http_docroot_close(&listing);
}

static void test_cache_sees_changes_within_a_second(void **state)
{
    (void)state;
    struct http_file *f;
    write_file("www/c.txt", "old");
    assert_int_equal(find("/c.txt", &f), 200);
    assert_memory_equal(f->body, "old", 3);
    write_file("www/c.txt", "new!");
    now += HTTP_CACHE_VALID / 2;
    assert_int_equal(find("/c.txt", &f), 200);
    assert_memory_equal(f->body, "old", 3); /* still trusted */
    now += HTTP_CACHE_VALID;
    assert_int_equal(find("/c.txt", &f), 200);
    assert_int_equal(f->size, 4);
    assert_memory_equal(f->body, "new!", 4);

    /* replaced by a link out: refused once the entry is looked at again */
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/www/c.txt", base);
    assert_int_equal(unlink(p), 0);
    link_at("../secret.txt", "www/c.txt");
    now += HTTP_CACHE_VALID;
    assert_int_equal(find("/c.txt", &f), 403);
    assert_int_equal(unlink(p), 0);
    now += HTTP_CACHE_VALID;
    assert_int_equal(find("/c.txt", &f), 404);
}

static void test_large_file_is_not_kept_in_memory(void **state)
{
    (void)state;
    char p[2 * PATH_MAX];
    snprintf(p, sizeof p, "%s/www/big.bin", base);
    FILE *out = fopen(p, "w");
    assert_non_null(out);
    for (int i = 0; i < HTTP_SMALL_FILE + 1; i++)
        fputc(i & 0xff, out);
    fclose(out);
    struct http_file *f;
    assert_int_equal(find("/big.bin", &f), 200);
    assert_null(f->body);
    assert_true(f->fd >= 0);
    assert_int_equal(f->size, HTTP_SMALL_FILE + 1);
    assert_string_equal(f->mime, "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_files),
        cmocka_unit_test(test_folders),
        cmocka_unit_test(test_dot_dot_in_every_spelling),
        cmocka_unit_test(test_absolute_paths_stay_inside),
        cmocka_unit_test(test_nul_and_control_characters),
        cmocka_unit_test(test_symlinks_out),
        cmocka_unit_test(test_no_fifo_no_hang),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_listing_escapes_every_name),
        cmocka_unit_test(test_cache_sees_changes_within_a_second),
        cmocka_unit_test(test_large_file_is_not_kept_in_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
