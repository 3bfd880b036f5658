/* tests/test_path.c — unit tests for common/path: every way a client might
 * try to leave the served folder, by name or through a symlink. */
#define _XOPEN_SOURCE 700 /* realpath is an XSI function */
#include <errno.h>
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

#include "common/path.h"
#include "tests/harness.h"

static void expect_norm(const char *cwd, const char *request, const char *want)
{
    char out[256];
    if (path_normalize(cwd, request, out, sizeof out) != 0)
        fail_msg("path_normalize(%s, %s) failed: %s", cwd, request, strerror(errno));
    if (strcmp(out, want) != 0)
        fail_msg("path_normalize(%s, %s) = %s, want %s", cwd, request, out, want);
}

static void test_normalize_plain(void **state)
{
    (void)state;
    expect_norm("/", "a", "/a");
    expect_norm("/", "/a/b", "/a/b");
    expect_norm("/docs", "a.txt", "/docs/a.txt");
    expect_norm("/docs", "/a.txt", "/a.txt");
    expect_norm("/", "/", "/");
    expect_norm("/", ".", "/");
    expect_norm("/x", ".", "/x");
}

static void test_normalize_never_climbs_out(void **state)
{
    (void)state;
    expect_norm("/", "..", "/");
    expect_norm("/", "../..", "/");
    expect_norm("/", "/../etc/passwd", "/etc/passwd"); /* stays under the root */
    expect_norm("/", "../../../../etc/passwd", "/etc/passwd");
    expect_norm("/a", "../../..", "/");
    expect_norm("/a/b", "../c", "/a/c");
    expect_norm("/", "a/../../b", "/b");
    expect_norm("/", "a/./b/..", "/a");
    expect_norm("/", "//a//b//", "/a/b");
    expect_norm("/", "./././", "/");
    expect_norm("/", "...", "/..."); /* a name, not a parent */
    expect_norm("/", "..a/b..", "/..a/b..");
    expect_norm("/a//b/", "../../..", "/");
}

static void test_normalize_rejects(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(path_normalize("/", "", out, sizeof out), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(path_normalize("rel", "a", out, sizeof out), -1);
    assert_int_equal(path_normalize("/", "a\nb", out, sizeof out), -1);
    assert_int_equal(path_normalize("/", "a\rb", out, sizeof out), -1);
    assert_int_equal(path_normalize("/", "a\x7f", out, sizeof out), -1);
    assert_int_equal(path_normalize("/", "abcdefghijklmnopqrstuvwxyz", out, sizeof out), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    char longreq[5000];
    memset(longreq, 'x', sizeof longreq - 1);
    longreq[sizeof longreq - 1] = '\0';
    char big[PATH_MAX];
    assert_int_equal(path_normalize("/", longreq, big, sizeof big), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    /* ".." segments are resolved before the length counts */
    assert_int_equal(path_normalize("/", "aaaaaaaaaaaa/../b", out, sizeof out), 0);
    assert_string_equal(out, "/b");
}

/* A temporary root: root/{file, dir/inner, link_in -> file, link_out -> /etc,
 * dir_out -> /etc (a folder link)}. */
static char root[PATH_MAX], root_real[PATH_MAX];

static int make_root(void **state)
{
    if (harness_group_setup(state) < 0)
        return -1;
    snprintf(root, sizeof root, "%s/conclab-path.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(root) == NULL)
        return -1;
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/file", root);
    FILE *f = fopen(p, "w");
    if (f == NULL)
        return -1;
    fputs("inside\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/dir", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/dir/inner", root);
    fclose(fopen(p, "w"));
    snprintf(p, sizeof p, "%s/link_in", root);
    if (symlink("file", p) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/link_out", root);
    if (symlink("/etc/passwd", p) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/dir_out", root);
    if (symlink("/etc", p) < 0)
        return -1;
    return realpath(root, root_real) != NULL ? 0 : -1;
}

static int remove_root(void **state)
{
    (void)state;
    const char *names[] = {"dir/inner", "dir",      "file",           "link_in",
                           "link_out",  "dir_out",  "bin/http_server", "bin/ftp_server",
                           "bin"};
    char p[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, names[i]);
        remove(p);
    }
    return rmdir(root);
}

static int in_root(const char *vpath, bool must_exist, char *out)
{
    return path_in_root(root_real, vpath, must_exist, out, PATH_MAX);
}

static void test_in_root_allows_what_is_inside(void **state)
{
    (void)state;
    char out[PATH_MAX], want[PATH_MAX + 32];
    assert_int_equal(in_root("/file", true, out), 0);
    snprintf(want, sizeof want, "%s/file", root_real);
    assert_string_equal(out, want);
    assert_int_equal(in_root("/", true, out), 0);
    assert_string_equal(out, root_real);
    assert_int_equal(in_root("/dir/inner", true, out), 0);
    assert_int_equal(in_root("/link_in", true, out), 0); /* a link that stays inside */
    assert_int_equal(in_root("/dir/new.txt", false, out), 0);
    snprintf(want, sizeof want, "%s/dir/new.txt", root_real);
    assert_string_equal(out, want);
}

static void test_in_root_refuses_symlinks_out(void **state)
{
    (void)state;
    char out[PATH_MAX];
    assert_int_equal(in_root("/link_out", true, out), -1);
    assert_int_equal(errno, EACCES);
    assert_int_equal(in_root("/dir_out", true, out), -1);
    assert_int_equal(errno, EACCES);
    assert_int_equal(in_root("/dir_out/passwd", true, out), -1);
    assert_int_equal(errno, EACCES);
    assert_int_equal(in_root("/dir_out/new", false, out), -1); /* creating through it */
    assert_int_equal(errno, EACCES);
}

static void test_in_root_missing(void **state)
{
    (void)state;
    char out[PATH_MAX];
    assert_int_equal(in_root("/nope", true, out), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(in_root("/nope/new", false, out), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(in_root("/file/x", true, out), -1);
    assert_int_equal(errno, ENOTDIR);
}

static void test_normalize_then_jail(void **state)
{
    (void)state;
    /* what a server does with a hostile request, end to end */
    const char *hostile[] = {"../../../../etc/passwd", "/../etc/passwd", "..//..//etc//passwd",
                             "dir/../../etc/passwd",   "link_out",       "dir_out/shadow"};
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char vpath[PATH_MAX], out[PATH_MAX];
        assert_int_equal(path_normalize("/", hostile[i], vpath, sizeof vpath), 0);
        if (in_root(vpath, true, out) == 0)
            fail_msg("'%s' resolved to %s", hostile[i], out);
        assert_non_null(strstr(out, root_real)); /* if anything, it names a path inside */
    }
}

static void test_find_shipped(void **state)
{
    (void)state;
    char out[PATH_MAX], cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(path_find_shipped("tour", out, sizeof out), 0);
    assert_string_equal(out, "tour"); /* from the repository: as given */
    assert_int_equal(path_find_shipped("no/such/folder", out, sizeof out), -1);
    assert_int_equal(errno, ENOENT);

    /* From elsewhere it is found above the program, if the program was
     * built inside the repository (not with make BUILD=/elsewhere). */
    char self[PATH_MAX], real_cwd[PATH_MAX];
    assert_non_null(realpath("/proc/self/exe", self));
    assert_non_null(realpath(cwd, real_cwd));
    size_t n = strlen(real_cwd);
    if (strncmp(self, real_cwd, n) != 0 || self[n] != '/') {
        print_message("    skipped the rest: built outside the repository (%s)\n", self);
        skip();
    }
    assert_int_equal(chdir("/"), 0);
    int rc = path_find_shipped("tour", out, sizeof out);
    int saved = errno;
    assert_int_equal(chdir(cwd), 0);
    errno = saved;
    assert_int_equal(rc, 0);
    assert_true(out[0] == '/');
    char want[PATH_MAX + 16];
    snprintf(want, sizeof want, "%s/tour", cwd);
    char real_out[PATH_MAX], real_want[PATH_MAX];
    assert_non_null(realpath(out, real_out));
    assert_non_null(realpath(want, real_want));
    assert_string_equal(real_out, real_want);
}

/* Issue 16: programs built outside the checkout (make BUILD=/tmp/x) and
 * run from elsewhere still find their shipped folders: the HTTP site and
 * the FTP library. Copies of the servers, outside the checkout, run
 * from "/" without -d, must start and serve the shipped files. */
static void test_shipped_found_from_a_build_outside(void **state)
{
    (void)state;
    const char *servers[] = {"day10/http/http_server", "day9/ftp/ftp_server"};
    char bin[PATH_MAX + 16];
    snprintf(bin, sizeof bin, "%s/bin", root);
    assert_int_equal(mkdir(bin, 0755), 0);
    for (size_t i = 0; i < sizeof servers / sizeof servers[0]; i++) {
        char copy[PATH_MAX + 64];
        snprintf(copy, sizeof copy, "%s/%s", bin, strrchr(servers[i], '/') + 1);
        struct run_result r;
        const char *cp[] = {"/bin/cp", program_path(servers[i]), copy, NULL};
        run_program_text(&r, cp, NULL, 30);
        assert_exit_code(&r, 0);
        run_result_free(&r);
        struct server s;
        const char *argv[] = {"/bin/sh", "-c", "cd / && exec \"$0\" -p 0", copy, NULL};
        program_start(&s, argv);
        bool up = server_wait_output(&s, false, "listening on", 1, 30);
        char *err = server_output(&s, true);
        if (!up)
            fail_msg("%s, copied to %s and run from /: did not start: %s", servers[i], bin,
                     err);
        free(err);
        assert_server_stops_cleanly(&s);
        assert_int_equal(unlink(copy), 0);
    }
    assert_int_equal(rmdir(bin), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_plain),
        cmocka_unit_test(test_normalize_never_climbs_out),
        cmocka_unit_test(test_normalize_rejects),
        cmocka_unit_test(test_in_root_allows_what_is_inside),
        cmocka_unit_test(test_in_root_refuses_symlinks_out),
        cmocka_unit_test(test_in_root_missing),
        cmocka_unit_test(test_normalize_then_jail),
        cmocka_unit_test(test_find_shipped),
        cmocka_unit_test_teardown(test_shipped_found_from_a_build_outside, harness_teardown),
    };
    return cmocka_run_group_tests(tests, make_root, remove_root);
}
