/* tests/test_ftp_parse.c — unit tests for the FTP modules that read what
 * comes from the network: the command-line parser (server side), the
 * reply reader and the PASV/EPSV port parsers (client side), the LIST
 * lines, and the jail as the server uses it on hostile command lines. */
#define _XOPEN_SOURCE 700 /* realpath, for the test folder */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/io.h"
#include "common/path.h"
#include "day9/ftp/ftp_command.h"
#include "day9/ftp/ftp_list.h"
#include "day9/ftp/ftp_reply.h"

/* --- the command parser -------------------------------------------------- */

static void expect_command(const char *line, const char *verb, const char *arg)
{
    struct ftp_command cmd;
    if (ftp_command_parse(line, strlen(line), &cmd) != 0)
        fail_msg("'%s' was refused", line);
    assert_string_equal(cmd.verb, verb);
    assert_string_equal(cmd.arg, arg);
}

static void expect_syntax_error(const char *line, size_t len)
{
    struct ftp_command cmd;
    if (ftp_command_parse(line, len, &cmd) != -1)
        fail_msg("'%.*s' was accepted as %s", (int)len, line, cmd.verb);
}

static void test_parse_commands(void **state)
{
    (void)state;
    expect_command("USER bob", "USER", "bob");
    expect_command("user bob", "USER", "bob"); /* case-insensitive verbs */
    expect_command("PwD", "PWD", "");
    expect_command("QUIT", "QUIT", "");
    expect_command("NOOP ", "NOOP", ""); /* a trailing space: an empty argument */
    expect_command("RETR my file.txt", "RETR", "my file.txt");
    expect_command("STOR  lead", "STOR", " lead"); /* one separator; the rest is the name */
    expect_command("LIST -la /docs", "LIST", "-la /docs");
    expect_command("CWD ../..", "CWD", "../..");
    expect_command("OPTS UTF8 ON", "OPTS", "UTF8 ON");
    expect_command("\xff\xf4\xff\xf2"
                   "ABOR",
                   "ABOR", ""); /* Telnet IP + synch first */
}

static void test_parse_refuses_malformed_lines(void **state)
{
    (void)state;
    const char *bad[] = {
        "",         "AB",     "ABCDE",        "RETRIEVE x", " USER bob",     "USER\tbob",
        "US3R bob", "RE-T x", "\x01\x02\x03", "\xff",       "\xc3\x9cSER x", "123",
        "RETR\r",   ":",      "\xff\xf4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_syntax_error(bad[i], strlen(bad[i]));
    expect_syntax_error("RETR a\0b", 8); /* a NUL inside the line */
    expect_syntax_error("\0RETR", 5);
}

/* The line reader bounds every command line: an over-long one is reported
 * and dropped, and the next line is read normally. */
static void test_overlong_line_is_dropped(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    char big[3000];
    memset(big, 'A', sizeof big);
    assert_int_equal(io_write_all(p[1], "RETR ", 5), 5);
    assert_int_equal(io_write_all(p[1], big, sizeof big), (ssize_t)sizeof big);
    assert_int_equal(io_write_all(p[1], "\r\nNOOP\r\n", 8), 8);
    close(p[1]);
    char buf[FTP_LINE_MAX], *line;
    size_t len;
    struct line_reader r;
    line_reader_init(&r, p[0], buf, sizeof buf);
    assert_int_equal(line_read(&r, &line, &len), LINE_TOO_LONG);
    assert_int_equal(line_read(&r, &line, &len), LINE_OK);
    assert_string_equal(line, "NOOP");
    assert_int_equal(line_read(&r, &line, &len), LINE_EOF);
    close(p[0]);
}

/* --- replies --------------------------------------------------------------- */

static void test_reply_codes(void **state)
{
    (void)state;
    bool more;
    assert_int_equal(ftp_reply_code("220 ready", &more), 220);
    assert_false(more);
    assert_int_equal(ftp_reply_code("211-Features:", &more), 211);
    assert_true(more);
    assert_int_equal(ftp_reply_code("226", &more), 226);
    const char *bad[] = {"", "22", "2200 x", "abc", "600 x", "099 x", "22a x", "220x", " 220 x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ftp_reply_code(bad[i], &more) != -1)
            fail_msg("'%s' taken for a reply code", bad[i]);
}

/* A reader over a pipe holding text (then end of file). */
static void reader_over(struct line_reader *r, char *buf, size_t size, const char *text)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(io_write_all(p[1], text, strlen(text)), (ssize_t)strlen(text));
    close(p[1]);
    line_reader_init(r, p[0], buf, size);
}

static void test_reply_read_single_and_multiline(void **state)
{
    (void)state;
    char buf[FTP_REPLY_MAX];
    struct line_reader r;
    struct ftp_reply reply;
    reader_over(&r, buf, sizeof buf,
                "220 conclab ready\r\n"
                "211-Features:\r\n EPSV\r\n211-not the end (a hyphen)\r\n SIZE\r\n211 End\r\n"
                "257 \"/a b\" is the current directory\r\n");
    assert_int_equal(ftp_reply_read(&r, &reply), 0);
    assert_int_equal(reply.code, 220);
    assert_string_equal(reply.text, "conclab ready");
    assert_int_equal(ftp_reply_read(&r, &reply), 0);
    assert_int_equal(reply.code, 211);
    assert_string_equal(reply.text, "Features:\n EPSV\n211-not the end (a hyphen)\n SIZE\nEnd");
    assert_int_equal(ftp_reply_read(&r, &reply), 0);
    assert_int_equal(reply.code, 257);
    assert_int_equal(ftp_reply_read(&r, &reply), -1); /* the server closed */
    assert_int_equal(errno, ECONNRESET);
    close(r.fd);
}

static void test_reply_read_refuses_garbage(void **state)
{
    (void)state;
    char buf[64];
    struct line_reader r;
    struct ftp_reply reply;
    reader_over(&r, buf, sizeof buf, "HTTP/1.1 400 Bad Request\r\n");
    assert_int_equal(ftp_reply_read(&r, &reply), -1);
    assert_int_equal(errno, EPROTO);
    close(r.fd);
    char line[200];
    memset(line, '2', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    reader_over(&r, buf, sizeof buf, line); /* longer than the reader's buffer */
    assert_int_equal(ftp_reply_read(&r, &reply), -1);
    assert_int_equal(errno, EPROTO);
    close(r.fd);
    reader_over(&r, buf, sizeof buf, "211-Features:\r\n EPSV\r\n"); /* never finished */
    assert_int_equal(ftp_reply_read(&r, &reply), -1);
    assert_int_equal(errno, ECONNRESET);
    close(r.fd);
}

static void test_epsv_and_pasv_ports(void **state)
{
    (void)state;
    int port = -1;
    assert_int_equal(ftp_parse_epsv("Entering Extended Passive Mode (|||6446|)", &port), 0);
    assert_int_equal(port, 6446);
    assert_int_equal(ftp_parse_epsv("ok (!!!65535!)", &port), 0);
    assert_int_equal(port, 65535);
    const char *bad_epsv[] = {"no parentheses", "(||6446|)", "(|||0|)",
                              "(|||65536|)",    "(|||abc|)", "(|||6446)",
                              "(|||6446|",      "(",         "(|||99999999999999999999|)",
                              "( ||1|)",        "(|||-5|)"};
    for (size_t i = 0; i < sizeof bad_epsv / sizeof bad_epsv[0]; i++)
        if (ftp_parse_epsv(bad_epsv[i], &port) != -1)
            fail_msg("EPSV '%s' gave port %d", bad_epsv[i], port);

    assert_int_equal(ftp_parse_pasv("Entering Passive Mode (127,0,0,1,25,46).", &port), 0);
    assert_int_equal(port, 25 * 256 + 46);
    assert_int_equal(ftp_parse_pasv("Entering Passive Mode 10,0,0,1,0,21", &port), 0);
    assert_int_equal(port, 21);
    const char *bad_pasv[] = {
        "(127,0,0,1,256,1)", "(1,2,3,4,5)", "(1,2,3,4,0,0)", "(1,2,3,4,5,x)", "",
        "(1,,3,4,5,6)",      "no numbers",  "(-1,2,3,4,5,6)"};
    for (size_t i = 0; i < sizeof bad_pasv / sizeof bad_pasv[0]; i++)
        if (ftp_parse_pasv(bad_pasv[i], &port) != -1)
            fail_msg("PASV '%s' gave port %d", bad_pasv[i], port);
}

/* --- LIST lines -------------------------------------------------------------- */

static void test_list_line_format(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    time_t now = 1700000000; /* 2023-11-14 22:13:20 UTC */
    struct stat st = {0};
    st.st_mode = S_IFREG | 0644;
    st.st_nlink = 1;
    st.st_size = 1234;
    st.st_mtime = now - 3600;
    char out[256];
    int n = ftp_list_line(out, sizeof out, "hello.txt", &st, now);
    assert_string_equal(out,
                        "-rw-r--r--   1 ftp      ftp              1234 Nov 14 21:13 hello.txt\r\n");
    assert_int_equal(n, (int)strlen(out));

    st.st_mode = S_IFDIR | 0755;
    st.st_nlink = 2;
    st.st_size = 4096;
    st.st_mtime = 1000000000; /* 2001: older than six months, so the year */
    ftp_list_line(out, sizeof out, "docs", &st, now);
    assert_string_equal(out, "drwxr-xr-x   2 ftp      ftp              4096 Sep  9  2001 docs\r\n");

    assert_int_equal(ftp_list_line(out, 20, "hello.txt", &st, now), -1); /* does not fit */
}

/* A small library: a, .hidden, dir/, dir/inner, link_in -> a,
 * link_out -> /etc/passwd, dir_out -> /etc. */
static char root[PATH_MAX];

static void make_file(const char *name, const char *text)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", root, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int make_library(void **state)
{
    (void)state;
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof tmpl, "%s/conclab-ftp-parse.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpl) == NULL || realpath(tmpl, root) == NULL)
        return -1;
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/dir", root);
    mkdir(p, 0755);
    make_file("a", "alpha\n");
    make_file(".hidden", "secret\n");
    make_file("dir/inner", "inner\n");
    snprintf(p, sizeof p, "%s/link_in", root);
    if (symlink("a", p) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/link_out", root);
    if (symlink("/etc/passwd", p) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/dir_out", root);
    return symlink("/etc", p);
}

static int remove_library(void **state)
{
    (void)state;
    const char *names[] = {"dir/inner", "dir", "a", ".hidden", "link_in", "link_out", "dir_out"};
    char p[PATH_MAX + 64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, names[i]);
        remove(p);
    }
    return rmdir(root);
}

static void test_list_hides_dot_files_and_links_out(void **state)
{
    (void)state;
    char *text;
    size_t len;
    assert_int_equal(ftp_list_build(root, "/", true, &text, &len), 0);
    assert_string_equal(text, "a\r\ndir\r\nlink_in\r\n"); /* sorted; no .hidden, no way out */
    assert_int_equal(len, strlen(text));
    free(text);

    assert_int_equal(ftp_list_build(root, "/", false, &text, &len), 0);
    assert_non_null(strstr(text, " a\r\n"));
    assert_non_null(strstr(text, "\r\ndrwx"));
    assert_null(strstr(text, "hidden"));
    assert_null(strstr(text, "_out"));
    assert_null(strstr(text, root)); /* the real path never shows */
    free(text);

    assert_int_equal(ftp_list_build(root, "/dir/inner", false, &text, &len), 0);
    assert_int_equal(strncmp(text, "-rw", 3), 0); /* a file lists as its own line */
    assert_non_null(strstr(text, " inner\r\n"));
    free(text);

    assert_int_equal(ftp_list_build(root, "/missing", false, &text, &len), -1);
    assert_int_equal(ftp_list_build(root, "/dir_out", false, &text, &len), -1);
    assert_int_equal(errno, EACCES);
}

/* --- the jail, as the server applies it to command lines -------------------- */

static void test_hostile_commands_stay_in_the_jail(void **state)
{
    (void)state;
    const char *hostile[] = {"RETR ../../../../etc/passwd",
                             "RETR /../etc/passwd",
                             "RETR ..//..//etc//passwd",
                             "RETR dir/../../etc/passwd",
                             "RETR link_out",
                             "RETR dir_out/passwd",
                             "CWD dir_out",
                             "RETR ./../../../etc/shadow",
                             "STOR dir_out/evil",
                             "STOR ../evil"};
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        struct ftp_command cmd;
        assert_int_equal(ftp_command_parse(hostile[i], strlen(hostile[i]), &cmd), 0);
        char vpath[PATH_MAX], real[PATH_MAX];
        assert_int_equal(path_normalize("/dir", cmd.arg, vpath, sizeof vpath), 0);
        bool creating = strcmp(cmd.verb, "STOR") == 0;
        if (path_in_root(root, vpath, !creating, real, sizeof real) == 0 &&
            strncmp(real, root, strlen(root)) != 0)
            fail_msg("'%s' resolved outside: %s", hostile[i], real);
        if (strcmp(hostile[i], "STOR ../evil") != 0 &&
            path_in_root(root, vpath, !creating, real, sizeof real) == 0)
            fail_msg("'%s' was allowed (%s)", hostile[i], real);
    }
    /* "STOR ../evil" from /dir is "/evil": inside the root, which is fine */
    char vpath[PATH_MAX];
    assert_int_equal(path_normalize("/dir", "../evil", vpath, sizeof vpath), 0);
    assert_string_equal(vpath, "/evil");
}

static void test_empty_and_overlong_arguments(void **state)
{
    (void)state;
    char vpath[PATH_MAX];
    assert_int_equal(path_normalize("/", "", vpath, sizeof vpath), -1);
    assert_int_equal(errno, EINVAL);
    char arg[FTP_LINE_MAX + 8];
    memset(arg, 'x', sizeof arg - 1);
    arg[sizeof arg - 1] = '\0';
    char small[256];
    assert_int_equal(path_normalize("/", arg, small, sizeof small), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    assert_int_equal(path_normalize("/", "a\rb", vpath, sizeof vpath), -1); /* CR injection */
    assert_int_equal(errno, EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_commands),
        cmocka_unit_test(test_parse_refuses_malformed_lines),
        cmocka_unit_test(test_overlong_line_is_dropped),
        cmocka_unit_test(test_reply_codes),
        cmocka_unit_test(test_reply_read_single_and_multiline),
        cmocka_unit_test(test_reply_read_refuses_garbage),
        cmocka_unit_test(test_epsv_and_pasv_ports),
        cmocka_unit_test(test_list_line_format),
        cmocka_unit_test(test_list_hides_dot_files_and_links_out),
        cmocka_unit_test(test_hostile_commands_stay_in_the_jail),
        cmocka_unit_test(test_empty_and_overlong_arguments),
    };
    return cmocka_run_group_tests(tests, make_library, remove_library);
}
