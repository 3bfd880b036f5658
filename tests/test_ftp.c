/* tests/test_ftp.c — the FTP server and client, run for real over
 * loopback: every test runs against ftp_server -m fork and -m thread.
 * The tests speak raw FTP (so they can misbehave on purpose); the
 * client's own tests run build/day9/ftp/ftp_client -c "...". */
#define _GNU_SOURCE /* prlimit (Linux), to run the server out of fds; realpath */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/io.h"
#include "common/net.h"
#include "day9/ftp/ftp_command.h"
#include "day9/ftp/ftp_data.h"
#include "day9/ftp/ftp_reply.h"
#include "day9/ftp/ftp_session.h"
#include "day9/ftp/ftp_state.h"
#include "tests/harness.h"

#define BIG_SIZE (3 * 1024 * 1024 + 17) /* multi-MiB, and not a round number */

static const char *mode = "fork"; /* the -m of the server under test */
static char root[PATH_MAX];       /* the library the server serves (a temp folder) */
static char root_real[PATH_MAX];
static unsigned char *big; /* the content of big.bin */

/* --- the library ------------------------------------------------------------ */

static void write_file(const char *name, const void *data, size_t len)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", root, name);
    FILE *f = fopen(p, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        fail_msg("cannot write %s", p);
}

/* The content of a file in the library (malloc'd), or NULL if missing. */
static unsigned char *read_file(const char *name, size_t *len)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", root, name);
    FILE *f = fopen(p, "rb");
    if (f == NULL)
        return NULL;
    unsigned char *data = malloc(BIG_SIZE + 1);
    *len = fread(data, 1, BIG_SIZE + 1, f);
    fclose(f);
    return data;
}

static bool exists(const char *name)
{
    char p[PATH_MAX + 64];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", root, name);
    return lstat(p, &st) == 0;
}

/* Names starting with ".ftp-upload-" (an upload's temporary file) in dir. */
static int temp_files(const char *dir)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", root, dir);
    DIR *d = opendir(p);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, ".ftp-upload-", 12) == 0;
    closedir(d);
    return n;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(path);
}

/* A fresh library for each test: hello.txt, empty.txt, one.txt, big.bin,
 * dir/inner.txt, .hidden, and two symlinks out of it. */
static int make_library(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "%s/conclab-ftp.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(root) == NULL || realpath(root, root_real) == NULL)
        return -1;
    write_file("hello.txt", "hello, ftp\n", 11);
    write_file("empty.txt", "", 0);
    write_file("one.txt", "1", 1);
    write_file("big.bin", big, BIG_SIZE);
    write_file(".hidden", "secret\n", 7);
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/dir", root);
    mkdir(p, 0755);
    write_file("dir/inner.txt", "inner\n", 6);
    snprintf(p, sizeof p, "%s/link_out", root);
    if (symlink("/etc/passwd", p) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/dir_out", root);
    return symlink("/etc", p);
}

static int teardown(void **state)
{
    harness_teardown(state);
    remove_tree(root);
    return 0;
}

/* --- the server --------------------------------------------------------------- */

/* Start ftp_server -p 0 -d ROOT -m MODE, plus up to four more arguments. */
static void start(struct server *s, const char *a1, const char *a2, const char *a3, const char *a4)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_server"));
    const char *argv[] = {path, "-p", "0", "-d", root, "-m", mode, a1, a2, a3, a4, NULL};
    server_start(s, argv);
}

/* --- speaking FTP ----------------------------------------------------------- */

struct ftp {
    int fd;
    struct line_reader r;
    char buf[FTP_REPLY_MAX];
    struct ftp_reply reply;
};

/* Read a reply; its code, or -1 if the connection ended or timed out. A
 * reply that shows where the library really is fails the test. */
static int get_reply(struct ftp *f)
{
    if (ftp_reply_read(&f->r, &f->reply) < 0)
        return -1;
    if (strstr(f->reply.text, root) != NULL || strstr(f->reply.text, root_real) != NULL)
        fail_msg("reply leaks the real path: %d %s", f->reply.code, f->reply.text);
    return f->reply.code;
}

static int send_line(struct ftp *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int send_line(struct ftp *f, const char *fmt, ...)
{
    char line[FTP_LINE_MAX * 8];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 2, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line - 2)
        return -1; /* the tests never send that much */
    memcpy(line + n, "\r\n", 3);
    return io_write_all(f->fd, line, (size_t)n + 2) < 0 ? -1 : 0;
}

/* Send a command and return the code of its reply. */
#define cmd(f, ...) (send_line((f), __VA_ARGS__) == 0 ? get_reply(f) : -1)

/* Assert the reply code of a command, showing the reply if it differs. */
#define expect(f, code, ...)                                                                       \
    do {                                                                                           \
        int got_ = cmd((f), __VA_ARGS__);                                                          \
        if (got_ != (code))                                                                        \
            fail_msg("%s: got %d '%s', want %d", #__VA_ARGS__, got_, (f)->reply.text, (code));     \
    } while (0)

/* Connect; the greeting must be 220. */
static void ftp_open(struct ftp *f, int port)
{
    f->fd = connect_to(port);
    set_socket_timeout(f->fd, 10);
    line_reader_init(&f->r, f->fd, f->buf, sizeof f->buf);
    int code = get_reply(f);
    if (code != 220)
        fail_msg("greeting: got %d '%s'", code, f->reply.text);
}

static void ftp_login(struct ftp *f, int port)
{
    ftp_open(f, port);
    expect(f, 331, "USER student");
    expect(f, 230, "PASS secret");
}

static void ftp_close(struct ftp *f)
{
    close(f->fd);
}

/* EPSV and connect to the data port. */
static int data_open(struct ftp *f)
{
    expect(f, 229, "EPSV");
    int port;
    assert_int_equal(ftp_parse_epsv(f->reply.text, &port), 0);
    int fd = ftp_data_connect(f->fd, port, 10000);
    assert_true(fd >= 0);
    set_socket_timeout(fd, 10);
    return fd;
}

/* Read the data connection to its end (malloc'd, NUL-terminated). */
static char *read_all(int fd, size_t *len)
{
    size_t cap = BIG_SIZE + 4096, used = 0;
    char *data = malloc(cap + 1);
    ssize_t n;
    while ((n = read(fd, data + used, cap - used)) > 0)
        used += (size_t)n;
    assert_true(n == 0); /* the end of the file is the close, not a timeout */
    data[used] = '\0';
    *len = used;
    return data;
}

/* RETR name: the bytes, and 150 + 226 around them. */
static char *retr(struct ftp *f, const char *name, size_t *len)
{
    int data = data_open(f);
    expect(f, 150, "RETR %s", name);
    char *got = read_all(data, len);
    close(data);
    assert_int_equal(get_reply(f), 226);
    return got;
}

/* STOR name with len bytes of data: 150, the bytes, close, 226. */
static void stor(struct ftp *f, const char *name, const void *data, size_t len)
{
    int fd = data_open(f);
    expect(f, 150, "STOR %s", name);
    assert_int_equal(io_write_all(fd, data, len), (ssize_t)len);
    close(fd); /* the end of the file */
    int code = get_reply(f);
    if (code != 226)
        fail_msg("STOR %s: got %d '%s'", name, code, f->reply.text);
}

/* Both modes: each test body runs once against -m fork, once -m thread. */
#define BOTH(name)                                                                                 \
    static void name##_fork(void **state)                                                          \
    {                                                                                              \
        (void)state;                                                                               \
        mode = "fork";                                                                             \
        name();                                                                                    \
    }                                                                                              \
    static void name##_thread(void **state)                                                        \
    {                                                                                              \
        (void)state;                                                                               \
        mode = "thread";                                                                           \
        name();                                                                                    \
    }

/* --- login and the command rules --------------------------------------------- */

static void login_and_command_rules(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    ftp_open(&f, s.port);
    /* before login: only USER, PASS, QUIT, FEAT, SYST */
    expect(&f, 211, "FEAT");
    assert_non_null(strstr(f.reply.text, "EPSV"));
    expect(&f, 215, "SYST");
    expect(&f, 530, "PWD");
    expect(&f, 530, "LIST");
    expect(&f, 530, "RETR hello.txt");
    expect(&f, 530, "STOR x");
    expect(&f, 530, "CWD dir");
    expect(&f, 503, "PASS before-user");
    expect(&f, 331, "USER anyone");
    expect(&f, 230, "PASS anything");
    /* after login */
    expect(&f, 200, "NOOP");
    expect(&f, 200, "TYPE I");
    expect(&f, 200, "type a");
    expect(&f, 504, "TYPE E");
    expect(&f, 200, "MODE S");
    expect(&f, 504, "MODE B");
    expect(&f, 200, "STRU F");
    expect(&f, 200, "OPTS UTF8 ON");
    expect(&f, 500, "XYZZ");
    expect(&f, 500, "ABCDEFGH");
    expect(&f, 502, "PORT 127,0,0,1,4,1");
    expect(&f, 502, "EPRT |1|127.0.0.1|1025|");
    expect(&f, 501, "RETR");
    expect(&f, 501, "PWD extra");
    expect(&f, 501, "CWD bad\rname"); /* a CR inside an argument */
    expect(&f, 500, "\x01\x02\x03 garbage");
    expect(&f, 425, "RETR hello.txt"); /* no PASV/EPSV first */
    /* an over-long line answers 500, is thrown away, and the session goes on */
    char huge[5000];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    expect(&f, 500, "RETR %s", huge);
    expect(&f, 200, "NOOP");
    expect(&f, 221, "QUIT");
    char c;
    assert_int_equal(read(f.fd, &c, 1), 0); /* and it closed */
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(login_and_command_rules)

static void folders(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    expect(&f, 257, "PWD");
    assert_non_null(strstr(f.reply.text, "\"/\""));
    expect(&f, 250, "CWD dir");
    expect(&f, 257, "PWD");
    assert_non_null(strstr(f.reply.text, "\"/dir\""));
    size_t len;
    char *got = retr(&f, "inner.txt", &len); /* relative to the session's cwd */
    assert_string_equal(got, "inner\n");
    free(got);
    expect(&f, 250, "CDUP");
    expect(&f, 257, "PWD");
    assert_non_null(strstr(f.reply.text, "\"/\""));
    expect(&f, 250, "CDUP"); /* above the root is the root */
    expect(&f, 257, "PWD");
    assert_non_null(strstr(f.reply.text, "\"/\""));
    expect(&f, 550, "CWD nowhere");
    expect(&f, 550, "CWD hello.txt");
    expect(&f, 250, "CWD /dir/../dir/./");
    expect(&f, 257, "PWD");
    assert_non_null(strstr(f.reply.text, "\"/dir\""));

    /* MKD, RMD, DELE */
    expect(&f, 257, "MKD /made");
    expect(&f, 550, "MKD /made");
    stor(&f, "/made/f.txt", "x", 1);
    expect(&f, 550, "RMD /made");  /* not empty */
    expect(&f, 550, "DELE /made"); /* a folder */
    expect(&f, 250, "DELE /made/f.txt");
    expect(&f, 550, "DELE /made/f.txt");
    expect(&f, 250, "RMD /made");
    assert_false(exists("made"));
    expect(&f, 550, "RMD /");
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(folders)

/* The lines of a listing, as a set: compared with the expected names. */
static void listings(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    int data = data_open(&f);
    expect(&f, 150, "NLST");
    size_t len;
    char *names = read_all(data, &len);
    close(data);
    assert_int_equal(get_reply(&f), 226);
    /* sorted; no .hidden; no link_out or dir_out, which lead out of the root */
    assert_string_equal(names, "big.bin\r\ndir\r\nempty.txt\r\nhello.txt\r\none.txt\r\n");
    free(names);

    data = data_open(&f);
    expect(&f, 150, "LIST -la");
    char *list = read_all(data, &len);
    close(data);
    assert_int_equal(get_reply(&f), 226);
    assert_int_equal(count_occurrences(list, "\r\n"), 5);
    assert_int_equal(count_lines_containing(list, " ftp      ftp "), 5);
    assert_non_null(strstr(list, "\r\nd"));     /* dir is a folder */
    assert_non_null(strstr(list, " 3145745 ")); /* big.bin's size */
    assert_non_null(strstr(list, " hello.txt\r\n"));
    assert_null(strstr(list, "hidden"));
    assert_null(strstr(list, "_out"));
    free(list);

    data = data_open(&f);
    expect(&f, 150, "LIST dir");
    list = read_all(data, &len);
    close(data);
    assert_int_equal(get_reply(&f), 226);
    assert_non_null(strstr(list, " inner.txt\r\n"));
    free(list);

    expect(&f, 229, "EPSV");
    expect(&f, 550, "LIST nowhere");
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(listings)

/* --- transfers ------------------------------------------------------------------ */

static void retr_is_byte_exact(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    expect(&f, 200, "TYPE I");
    size_t len;
    char *got = retr(&f, "empty.txt", &len);
    assert_int_equal(len, 0);
    free(got);
    got = retr(&f, "one.txt", &len);
    assert_int_equal(len, 1);
    assert_int_equal(got[0], '1');
    free(got);
    got = retr(&f, "big.bin", &len);
    assert_int_equal(len, BIG_SIZE);
    assert_memory_equal(got, big, BIG_SIZE);
    free(got);
    expect(&f, 200, "TYPE A"); /* ASCII: still the same bytes */
    got = retr(&f, "/big.bin", &len);
    assert_int_equal(len, BIG_SIZE);
    assert_memory_equal(got, big, BIG_SIZE);
    free(got);
    expect(&f, 213, "SIZE big.bin");
    assert_string_equal(f.reply.text, "3145745");
    expect(&f, 213, "MDTM hello.txt");
    assert_int_equal(strlen(f.reply.text), 14);
    expect(&f, 229, "EPSV");
    expect(&f, 550, "RETR dir"); /* a folder is no file */
    expect(&f, 550, "SIZE dir");
    expect(&f, 550, "RETR missing.txt");
    /* PASV works too */
    expect(&f, 227, "PASV");
    int port;
    assert_int_equal(ftp_parse_pasv(f.reply.text, &port), 0);
    int data = ftp_data_connect(f.fd, port, 10000);
    assert_true(data >= 0);
    expect(&f, 150, "RETR hello.txt");
    got = read_all(data, &len);
    close(data);
    assert_string_equal(got, "hello, ftp\n");
    free(got);
    assert_int_equal(get_reply(&f), 226);
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(retr_is_byte_exact)

static void stor_is_byte_exact(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    expect(&f, 200, "TYPE I");
    stor(&f, "up-empty", "", 0);
    stor(&f, "up-one", "Z", 1);
    stor(&f, "dir/up-big", big, BIG_SIZE);
    size_t len;
    unsigned char *got = read_file("up-empty", &len);
    assert_non_null(got);
    assert_int_equal(len, 0);
    free(got);
    got = read_file("up-one", &len);
    assert_int_equal(len, 1);
    assert_int_equal(got[0], 'Z');
    free(got);
    got = read_file("dir/up-big", &len);
    assert_int_equal(len, BIG_SIZE);
    assert_memory_equal(got, big, BIG_SIZE);
    free(got);
    stor(&f, "hello.txt", "replaced\n", 9); /* STOR replaces, as FTP says */
    got = read_file("hello.txt", &len);
    assert_int_equal(len, 9);
    free(got);
    expect(&f, 229, "EPSV");
    expect(&f, 550, "STOR dir");       /* a folder */
    expect(&f, 550, "STOR nowhere/x"); /* no such folder */
    assert_int_equal(temp_files("."), 0);
    assert_int_equal(temp_files("dir"), 0);
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(stor_is_byte_exact)

/* The client vanishes (or resets the data connection) mid-upload: no file
 * under the final name, no temporary file left, an old file untouched. */
static void aborted_stor_leaves_nothing(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    /* 1. the data connection is reset (SO_LINGER 0) after 1 MiB */
    ftp_login(&f, s.port);
    int data = data_open(&f);
    expect(&f, 150, "STOR half.bin");
    assert_int_equal(io_write_all(data, big, 1 << 20), 1 << 20);
    struct linger reset = {1, 0};
    setsockopt(data, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(data);
    int code = get_reply(&f);
    if (code != 426)
        fail_msg("reset upload: got %d '%s'", code, f.reply.text);
    assert_false(exists("half.bin"));
    assert_int_equal(temp_files("."), 0);

    /* 2. the client hangs up both connections mid-upload, over an old file */
    data = data_open(&f);
    expect(&f, 150, "STOR hello.txt");
    assert_int_equal(io_write_all(data, big, 100000), 100000);
    ftp_close(&f);
    close(data);
    assert_true(server_wait_output(&s, false, "STOR /hello.txt aborted", 1, 10));
    size_t len;
    unsigned char *old = read_file("hello.txt", &len);
    assert_int_equal(len, 11); /* still "hello, ftp\n" */
    assert_memory_equal(old, "hello, ftp\n", 11);
    free(old);
    assert_int_equal(temp_files("."), 0);

    /* 3. a client that vanishes mid-download ends only its own session */
    ftp_login(&f, s.port);
    data = data_open(&f);
    expect(&f, 150, "RETR big.bin");
    char buf[1000];
    assert_true(read(data, buf, sizeof buf) > 0);
    close(data);
    ftp_close(&f);
    /* (all of big.bin may already sit in the socket buffers, so the
     * server may or may not see the abort; either way the session ends) */
    assert_true(server_wait_output(&s, false, "ended after", 2, 10));
    ftp_login(&f, s.port);
    expect(&f, 200, "NOOP");
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(aborted_stor_leaves_nothing)

/* A write that fails mid-upload, as on a full disk: the server runs
 * under tests/helpers/fsize_limit, so no file can grow past 1 MiB (EFBIG,
 * where a full disk says ENOSPC). 451 "local write error", no file under
 * the name, no temporary file, and the session goes on. STOR's copy runs
 * through splice; the failing write must still be caught. */
static void failed_write_stor_says_451(void)
{
    char helper[PATH_MAX], server[PATH_MAX];
    snprintf(helper, sizeof helper, "%s", program_path("tests/helpers/fsize_limit"));
    snprintf(server, sizeof server, "%s", program_path("day9/ftp/ftp_server"));
    const char *argv[] = {helper, "1048576", server, "-p", "0", "-d", root, "-m", mode, NULL};
    struct server s;
    server_start(&s, argv);
    struct ftp f;
    ftp_login(&f, s.port);
    expect(&f, 200, "TYPE I");
    int data = data_open(&f);
    expect(&f, 150, "STOR big-upload.bin");
    /* 4 MiB where 1 MiB fits: the server stops reading, our write may fail */
    for (int i = 0; i < 4; i++)
        if (io_write_all(data, big, 1 << 20) < 0)
            break;
    close(data);
    int code = get_reply(&f);
    if (code != 451)
        fail_msg("a failing write: got %d '%s', want 451 (local write error)", code,
                 f.reply.text);
    assert_false(exists("big-upload.bin"));
    assert_int_equal(temp_files("."), 0);
    stor(&f, "fits.txt", "fits\n", 5); /* the session goes on */
    size_t len;
    unsigned char *fits = read_file("fits.txt", &len);
    assert_int_equal(len, 5);
    free(fits);
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(failed_write_stor_says_451)

/* receive_file (ftp_upload.c), called directly: the bytes on a socket
 * reach the file whole whether splice takes them (a plain file) or
 * refuses them (a file opened O_APPEND: EINVAL, then read and write),
 * and a write that fails there (/dev/full) is a local write error.
 * *copied: whether the bytes went through the session's buffer (they
 * must not when splice takes them: no trip through the process). */
static long long receive_into(int file, const unsigned char *data, size_t len,
                              bool *disk, bool *copied)
{
    int sock[2], ctrl[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sock), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, ctrl), 0);
    int size = (int)len + 4096; /* room for all of it: no writer needed */
    setsockopt(sock[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt(sock[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    assert_int_equal(io_write_all(sock[0], data, len), (ssize_t)len);
    shutdown(sock[0], SHUT_WR); /* the end of the upload */
    struct ftp_config cfg = {.root = "/", .idle_timeout_ms = 5000};
    struct session *sess = calloc(1, sizeof *sess);
    assert_non_null(sess);
    sess->cfg = &cfg;
    sess->ctrl = ctrl[1];
    sess->tag = "test";
    long long got = receive_file(sess, sock[1], file, disk);
    *copied = false;
    for (size_t i = 0; i < sizeof sess->buf && !*copied; i++)
        *copied = sess->buf[i] != 0; /* calloc'd: all zero until used */
    free(sess);
    close(sock[0]), close(sock[1]), close(ctrl[0]), close(ctrl[1]);
    return got;
}

static void test_receive_file_with_and_without_splice(void **state)
{
    (void)state;
    const size_t len = 100000;
    for (int append = 0; append <= 1; append++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/received-%d", root, append);
        int file = open(path, O_WRONLY | O_CREAT | O_TRUNC |
                                  (append ? O_APPEND : 0), 0644);
        assert_true(file >= 0);
        bool disk = true, copied;
        long long got = receive_into(file, big, len, &disk, &copied);
        close(file);
        if (got != (long long)len || disk)
            fail_msg("%s: received %lld of %zu bytes (disk error: %d)",
                     append ? "O_APPEND (no splice)" : "a plain file", got,
                     len, disk);
        if (copied != append)
            fail_msg("%s: the bytes %s through the session's buffer",
                     append ? "O_APPEND (no splice)" : "a plain file (splice)",
                     copied ? "went" : "did not go");
        size_t n;
        unsigned char *back = read_file(append ? "received-1" : "received-0",
                                        &n);
        assert_int_equal(n, len);
        assert_memory_equal(back, big, len);
        free(back);
    }
    int full = open("/dev/full", O_WRONLY);
    if (full < 0) {
        print_message("    /dev/full not here: its part skipped\n");
        return;
    }
    bool disk = false, copied;
    long long got = receive_into(full, big, len, &disk, &copied);
    close(full);
    if (got != -1 || !disk)
        fail_msg("/dev/full: got %lld, disk error %d; want -1 and true",
                 got, disk);
}

/* --- the jail ------------------------------------------------------------------- */

static void traversal_is_refused(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    const char *escapes[] = {"../../../../etc/passwd", "/etc/passwd",
                             "..//..//etc//passwd",    "dir/../../etc/passwd",
                             "/../../etc/./passwd",    "link_out",
                             "dir_out/passwd",         "./dir/../../../etc/passwd"};
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        expect(&f, 550, "SIZE %s", escapes[i]);
        expect(&f, 229, "EPSV");
        expect(&f, 550, "RETR %s", escapes[i]);
        assert_null(strstr(f.reply.text, "root:")); /* nothing of /etc/passwd */
    }
    expect(&f, 550, "CWD dir_out");
    expect(&f, 550, "CWD /etc");
    expect(&f, 250, "CWD ../../.."); /* climbing above the root stays at the root */
    expect(&f, 257, "PWD");
    assert_non_null(strstr(f.reply.text, "\"/\""));
    expect(&f, 550, "STOR dir_out/evil"); /* creating through a link out */
    expect(&f, 550, "MKD dir_out/evil");
    expect(&f, 550, "DELE link_out/x");
    assert_true(access("/etc/evil", F_OK) != 0);
    expect(&f, 229, "EPSV");
    expect(&f, 550, "LIST dir_out");
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(traversal_is_refused)

/* Without -d the server serves the library shipped in the checkout, and
 * following the docs (curl -T notes.txt ...) must not change the
 * checkout: the shipped library is served read-only. */
static void shipped_library_is_read_only(void)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_server"));
    const char *argv[] = {path, "-p", "0", "-m", mode, NULL};
    struct server s;
    server_start(&s, argv);
    assert_true(server_wait_output(&s, false, "read-only", 1, 5));
    struct ftp f;
    ftp_login(&f, s.port);
    expect(&f, 213, "SIZE poem.txt"); /* it is the shipped library */
    expect(&f, 229, "EPSV");
    expect(&f, 550, "STOR notes-from-a-test.txt");
    expect(&f, 550, "MKD made-by-a-test");
    expect(&f, 550, "SIZE notes-from-a-test.txt");
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(shipped_library_is_read_only)

static void read_only_refuses_writes(void)
{
    struct server s;
    start(&s, "-r", NULL, NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    expect(&f, 229, "EPSV");
    expect(&f, 550, "STOR new.txt");
    expect(&f, 550, "DELE hello.txt");
    expect(&f, 550, "MKD newdir");
    expect(&f, 550, "RMD dir");
    assert_false(exists("new.txt"));
    assert_false(exists("newdir"));
    assert_true(exists("hello.txt"));
    assert_true(exists("dir"));
    size_t len;
    char *got = retr(&f, "hello.txt", &len); /* reading still works */
    assert_string_equal(got, "hello, ftp\n");
    free(got);
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(read_only_refuses_writes)

/* --- timeouts and the data connection's peer ------------------------------------ */

static void timeouts_and_foreign_data_connections(void)
{
    struct server s;
    start(&s, "-t", "1", NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    /* EPSV, but no data connection comes: 425 after the timeout */
    expect(&f, 229, "EPSV");
    expect(&f, 425, "RETR hello.txt");
    /* a data connection from another address (127.0.0.2) is refused */
    expect(&f, 229, "EPSV");
    int port;
    assert_int_equal(ftp_parse_epsv(f.reply.text, &port), 0);
    int rogue = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.2", &a.sin_addr);
    assert_int_equal(bind(rogue, (struct sockaddr *)&a, sizeof a), 0);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    a.sin_port = htons((uint16_t)port);
    assert_int_equal(connect(rogue, (struct sockaddr *)&a, sizeof a), 0);
    set_socket_timeout(rogue, 10);
    expect(&f, 425, "RETR hello.txt");
    char c;
    assert_true(read(rogue, &c, 1) <= 0); /* closed on it, nothing sent */
    close(rogue);
    /* and an idle control connection ends with 421 */
    assert_int_equal(get_reply(&f), 421);
    assert_int_equal(read(f.fd, &c, 1), 0);
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(timeouts_and_foreign_data_connections)

/* --- many clients ------------------------------------------------------------------ */

struct download {
    int port;
    bool ok;
};

/* Receive and send timeouts without cmocka (for threads). */
static void thread_timeouts(int fd)
{
    struct timeval tv = {(time_t)harness_timeout(30), 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* A thread: log in, download big.bin, compare. No cmocka calls here:
 * cmocka's assertions are not for threads. */
static void *download_big(void *arg)
{
    struct download *d = arg;
    struct ftp f;
    f.fd = net_tcp_connect("127.0.0.1", d->port);
    if (f.fd < 0)
        return NULL;
    thread_timeouts(f.fd);
    line_reader_init(&f.r, f.fd, f.buf, sizeof f.buf);
    int port;
    d->ok = ftp_reply_read(&f.r, &f.reply) == 0 && f.reply.code == 220 &&
            send_line(&f, "USER u") == 0 && ftp_reply_read(&f.r, &f.reply) == 0 &&
            send_line(&f, "PASS p") == 0 && ftp_reply_read(&f.r, &f.reply) == 0 &&
            f.reply.code == 230 && send_line(&f, "EPSV") == 0 &&
            ftp_reply_read(&f.r, &f.reply) == 0 && ftp_parse_epsv(f.reply.text, &port) == 0;
    int data = d->ok ? ftp_data_connect(f.fd, port, 10000) : -1;
    d->ok = data >= 0 && send_line(&f, "RETR big.bin") == 0 &&
            ftp_reply_read(&f.r, &f.reply) == 0 && f.reply.code == 150;
    if (d->ok) {
        thread_timeouts(data);
        unsigned char *got = malloc(BIG_SIZE + 1);
        size_t used = 0;
        ssize_t n;
        while ((n = read(data, got + used, BIG_SIZE + 1 - used)) > 0)
            used += (size_t)n;
        d->ok = n == 0 && used == BIG_SIZE && memcmp(got, big, BIG_SIZE) == 0 &&
                ftp_reply_read(&f.r, &f.reply) == 0 && f.reply.code == 226;
        free(got);
    }
    if (data >= 0)
        close(data);
    close(f.fd);
    return NULL;
}

static void twenty_concurrent_downloads(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    enum { N = 20 };
    pthread_t t[N];
    struct download d[N];
    for (int i = 0; i < N; i++) {
        d[i] = (struct download){s.port, false};
        assert_int_equal(pthread_create(&t[i], NULL, download_big, &d[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        ok += d[i].ok;
    }
    assert_int_equal(ok, N);
    assert_server_stops_cleanly(&s);
}
BOTH(twenty_concurrent_downloads)

struct leak_check {
    pid_t pid;
    int fds, threads;
};

/* True once the server is back to where it started: no child (zombie or
 * not), no session thread, the same open fds. */
static bool back_to_idle(void *arg)
{
    struct leak_check *c = arg;
    return count_children(c->pid, NULL) == 0 && count_threads(c->pid) <= c->threads &&
           count_open_fds(c->pid) == c->fds;
}

static void many_sessions_leave_nothing(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    /* ThreadSanitizer starts a thread of its own with the first session thread */
    int tsan_thread = strcmp(harness_sanitizer(), "thread") == 0 ? 1 : 0;
    struct leak_check idle = {s.pid, count_open_fds(s.pid), count_threads(s.pid) + tsan_thread};
    assert_true(idle.fds > 0);
    enum { SESSIONS = 200, AT_ONCE = 10 };
    for (int i = 0; i < SESSIONS; i += AT_ONCE) {
        struct ftp f[AT_ONCE];
        for (int j = 0; j < AT_ONCE; j++)
            ftp_login(&f[j], s.port);
        for (int j = 0; j < AT_ONCE; j++) {
            if (j % 2 == 0)
                expect(&f[j], 221, "QUIT"); /* half say goodbye, half just hang up */
            ftp_close(&f[j]);
        }
    }
    if (!wait_until(back_to_idle, &idle, 10)) {
        int zombies = 0;
        int children = count_children(s.pid, &zombies);
        fail_msg("after %d sessions: %d children (%d zombies), %d threads, %d fds (was %d)",
                 SESSIONS, children, zombies, count_threads(s.pid), count_open_fds(s.pid),
                 idle.fds);
    }
    char *log = server_output(&s, false);
    assert_int_equal(count_occurrences(log, "accepted"), SESSIONS);
    free(log);
    assert_server_stops_cleanly(&s);
}
BOTH(many_sessions_leave_nothing)

struct limit_probe {
    int port;
};

/* True once a new connection is welcomed with 220 again. */
static bool welcomed(void *arg)
{
    struct limit_probe *p = arg;
    int fd = connect_to(p->port);
    char buf[4];
    bool ok = io_read_exact(fd, buf, 4) == 4 && memcmp(buf, "220 ", 4) == 0;
    close(fd);
    return ok;
}

static void session_limit_answers_421(void)
{
    struct server s;
    start(&s, "-c", "2", NULL, NULL);
    struct ftp a, b, c;
    ftp_login(&a, s.port);
    ftp_login(&b, s.port);
    c.fd = connect_to(s.port);
    line_reader_init(&c.r, c.fd, c.buf, sizeof c.buf);
    assert_int_equal(get_reply(&c), 421);
    char ch;
    assert_int_equal(read(c.fd, &ch, 1), 0);
    ftp_close(&c);
    expect(&a, 200, "NOOP"); /* the two inside are untouched */
    expect(&b, 200, "NOOP");
    expect(&a, 221, "QUIT");
    ftp_close(&a);
    struct limit_probe probe = {s.port}; /* a place is free again (once a is reaped) */
    assert_true(wait_until(welcomed, &probe, 5));
    ftp_close(&b);
    assert_server_stops_cleanly(&s);
}
BOTH(session_limit_answers_421)

/* SIGTERM with a session open: the session is told (421), the server
 * exits 0 with nothing left behind. */
static void sigterm_ends_open_sessions(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct ftp f;
    ftp_login(&f, s.port);
    expect(&f, 200, "NOOP");
    server_signal(&s, SIGTERM);
    assert_int_equal(get_reply(&f), 421);
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(sigterm_ends_open_sessions)

/* The lowest fd number pid does not use: the next one it would open. */
static int lowest_free_fd(pid_t pid)
{
    char path[64];
    for (int fd = 0;; fd++) {
        snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, fd);
        if (access(path, F_OK) != 0)
            return fd;
    }
}

/* Out of file descriptors: accept fails with EMFILE. The server runs
 * under a soft limit at the fd it would give its next client: each
 * client is told (421) and closed, the server neither spins nor dies,
 * and once the limit is raised again the next client is served. */
static void out_of_fds_is_survived(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    int idle_fds = lowest_free_fd(s.pid); /* the next fd it would get */
    assert_server_stops_cleanly(&s);

    char script[128], path[PATH_MAX * 2];
    snprintf(script, sizeof script, "ulimit -Sn %d && exec \"$0\" \"$@\"",
             idle_fds);
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_server"));
    const char *argv[] = {"/bin/sh", "-c", script, path, "-p", "0", "-d",
                          root, "-m", mode, NULL};
    server_start(&s, argv);
    for (int i = 0; i < 3; i++) {
        struct ftp f;
        f.fd = connect_to(s.port);
        line_reader_init(&f.r, f.fd, f.buf, sizeof f.buf);
        assert_int_equal(get_reply(&f), 421);
        assert_non_null(strstr(f.reply.text, "Out of file descriptors"));
        ftp_close(&f);
    }
    assert_true(server_wait_output(&s, false,
                                   "refused a session: out of file descriptors",
                                   3, 5));
    double cpu = cpu_seconds(s.pid);
    clock_sleep_ms(500); /* a spinning server would burn most of this */
    assert_true(cpu_seconds(s.pid) - cpu < 0.2);
    assert_int_equal(kill(s.pid, 0), 0); /* still alive */

    struct rlimit lim;
    assert_int_equal(prlimit(s.pid, RLIMIT_NOFILE, NULL, &lim), 0);
    lim.rlim_cur = lim.rlim_max; /* fds to spare again */
    assert_int_equal(prlimit(s.pid, RLIMIT_NOFILE, &lim, NULL), 0);
    struct ftp f;
    ftp_login(&f, s.port); /* served: 220, 331, 230 */
    ftp_close(&f);
    assert_server_stops_cleanly(&s);
}
BOTH(out_of_fds_is_survived)

/* --- the client -------------------------------------------------------------------- */

static void run_client(struct run_result *r, int port, const char *script)
{
    char path[PATH_MAX * 2], port_text[16];
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_client"));
    snprintf(port_text, sizeof port_text, "%d", port);
    const char *argv[] = {path, "-p", port_text, "-c", script, NULL};
    /* In the test's folder, while a test has one: the script names local
     * files relative to it (shorter than its path, which would need
     * quotes if it held spaces), and what the client writes lands there,
     * not in the checkout. (A test against a fake server has none.) */
    char cwd[PATH_MAX];
    bool moved = root[0] != '\0' && access(root, F_OK) == 0;
    if (moved && (getcwd(cwd, sizeof cwd) == NULL || chdir(root) < 0))
        fail_msg("chdir %s: %s", root, strerror(errno));
    run_program_text(r, argv, NULL, 30);
    if (moved && chdir(cwd) < 0)
        fail_msg("chdir %s: %s", cwd, strerror(errno));
}

static void client_round_trip(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    char local[PATH_MAX + 32], back[PATH_MAX + 32], script[4 * PATH_MAX];
    snprintf(local, sizeof local, "dir/local.bin"); /* a file of the test's own */
    snprintf(back, sizeof back, "dir/back.bin");
    struct run_result r;

    snprintf(script, sizeof script, "put %s up.bin; ls; get up.bin %s; cd dir; pwd", local, back);
    write_file("dir/local.bin", big, BIG_SIZE);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "put up.bin: 3145745 bytes"));
    assert_non_null(strstr(r.out, "get up.bin: 3145745 bytes"));
    assert_non_null(strstr(r.out, " up.bin\n")); /* ls shows it */
    assert_true(has_line(r.out, "/dir"));        /* pwd */
    size_t len;
    unsigned char *got = read_file("dir/back.bin", &len);
    assert_int_equal(len, BIG_SIZE);
    assert_memory_equal(got, big, BIG_SIZE);
    free(got);
    assert_false(exists("dir/back.bin.part"));
    run_result_free(&r);

    /* put refuses to replace a file (文件已存在) unless -f */
    snprintf(script, sizeof script, "put %s up.bin; ls", local);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "already exists"));
    assert_null(strstr(r.out, "ftp> ls")); /* it stopped at the failure */
    run_result_free(&r);
    snprintf(script, sizeof script, "put -f %s up.bin", local);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 0);
    run_result_free(&r);

    /* a failing command says why, with the server's reply */
    run_client(&r, s.port, "get no-such-file.txt");
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "550"));
    assert_false(exists("no-such-file.txt.part"));
    run_result_free(&r);
    run_client(&r, s.port, "frobnicate");
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "unknown command"));
    run_result_free(&r);
    assert_server_stops_cleanly(&s);

    /* no server at all: a clear error, exit 1, at once */
    run_client(&r, s.port, "ls");
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "cannot connect"));
    run_result_free(&r);
}
BOTH(client_round_trip)

/* Run the client from a shell line: $0 is the client, $1 and $2 the
 * arguments given, $P the server's port. */
static void run_client_sh(struct run_result *r, int port, const char *line,
                          const char *a1, const char *a2)
{
    char path[PATH_MAX * 2], script[512];
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_client"));
    snprintf(script, sizeof script, "P=%d; %s", port, line);
    const char *argv[] = {"/bin/sh", "-c", script, path, a1, a2, NULL};
    run_program_text(r, argv, NULL, 30);
}

static void assert_file_is(const char *name, const char *content)
{
    size_t len;
    unsigned char *got = read_file(name, &len);
    if (got == NULL)
        fail_msg("%s is missing", name);
    if (len != strlen(content) || memcmp(got, content, len) != 0)
        fail_msg("%s: got %zu bytes, want '%s'", name, len, content);
    free(got);
}

/* Where `get` puts a file: a folder receives it under its remote name
 * ("." included); an existing file is replaced only with -f; a FIFO is
 * written into, never replaced by a file. */
static void test_client_get_targets(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    char dir[PATH_MAX + 8], script[4 * PATH_MAX], p[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/dir", root);
    struct run_result r;

    snprintf(script, sizeof script, "get hello.txt \"%s\"; get empty.txt \"%s/.\"",
             dir, dir);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 0);
    assert_file_is("dir/hello.txt", "hello, ftp\n");
    assert_file_is("dir/empty.txt", "");
    run_result_free(&r);
    run_client_sh(&r, s.port,
                  "cd \"$1\" && exec \"$0\" -p $P -c 'get one.txt .'", dir,
                  NULL);
    assert_exit_code(&r, 0);
    assert_file_is("dir/one.txt", "1");
    run_result_free(&r);

    /* an existing file: refused without -f, replaced with it */
    snprintf(script, sizeof script, "get hello.txt \"%s/inner.txt\"", dir);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "get -f"));
    assert_file_is("dir/inner.txt", "inner\n");
    assert_false(exists("dir/inner.txt.part"));
    run_result_free(&r);
    snprintf(script, sizeof script, "get -f hello.txt \"%s/inner.txt\"", dir);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 0);
    assert_file_is("dir/inner.txt", "hello, ftp\n");
    run_result_free(&r);

    /* a FIFO, with a reader (bounded by timeout): written into */
    snprintf(p, sizeof p, "%s/pipe", dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    run_client_sh(&r, s.port,
                  "timeout 10 cat \"$1\" >\"$2\" & \"$0\" -p $P -c "
                  "\"get hello.txt \\\"$1\\\"\"; rc=$?; wait; exit $rc",
                  p, "/dev/stdout");
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "hello, ftp\n"));
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

/* Names with spaces (issue 16): a word in "double quotes" keeps its
 * spaces and semicolons, a backslash takes the next character as it is,
 * as in the standard ftp client; a quote left open is refused. Local
 * paths and remote names both. */
static void test_client_names_with_spaces(void **state)
{
    (void)state;
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    write_file("dir/my notes.txt", "notes\n", 6);
    struct run_result r;
    run_client(&r, s.port,
               "get hello.txt \"dir/got it.txt\"; put \"dir/my notes.txt\" up.txt; "
               "put \"dir/my notes.txt\" \"remote name.txt\"; ls; "
               "get \"remote name.txt\" \"dir/back again.txt\"; "
               "get one.txt \"dir/a;b.txt\"; get one.txt dir/back\\ slash.txt; "
               "get empty.txt \"dir\"/\"two  spaces.txt\"");
    if (r.exit_code != 0)
        fail_msg("ftp_client exited %d: %s", r.exit_code, r.err);
    assert_file_is("dir/got it.txt", "hello, ftp\n");
    assert_file_is("up.txt", "notes\n");
    assert_file_is("remote name.txt", "notes\n");
    assert_non_null(strstr(r.out, " remote name.txt\n")); /* ls shows it */
    assert_file_is("dir/back again.txt", "notes\n");
    assert_file_is("dir/a;b.txt", "1");
    assert_file_is("dir/back slash.txt", "1");
    assert_file_is("dir/two  spaces.txt", "");
    run_result_free(&r);

    /* a quote left open: said, nothing fetched */
    run_client(&r, s.port, "get hello.txt \"dir/open quote.txt");
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "quote"));
    assert_false(exists("dir/open quote.txt"));
    assert_false(exists("dir/open"));
    run_result_free(&r);

    /* the menu reads a typed line the same way */
    char path[PATH_MAX * 2], port_text[16];
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_client"));
    snprintf(port_text, sizeof port_text, "%d", s.port);
    const char *argv[] = {path, "-p", port_text, NULL};
    char input[2 * PATH_MAX + 64];
    snprintf(input, sizeof input, "get hello.txt \"%s/dir/typed name.txt\"\nquit\n", root);
    run_program_text(&r, argv, input, 30);
    assert_exit_code(&r, 0);
    assert_file_is("dir/typed name.txt", "hello, ftp\n");
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}

/* A character device as LOCAL (`get x /dev/null`) is written into, and
 * never replaced: root once turned /dev/full into a plain file this way.
 * The devices here are private copies (mknod) inside the test's folder:
 * no system file is ever at risk. */
static void test_client_get_into_a_device(void **state)
{
    (void)state;
    char full[PATH_MAX + 16], null[PATH_MAX + 16], script[4 * PATH_MAX];
    snprintf(full, sizeof full, "%s/dir/full", root);
    snprintf(null, sizeof null, "%s/dir/null", root);
    if (mknod(full, S_IFCHR | 0666, makedev(1, 7)) < 0 ||
        mknod(null, S_IFCHR | 0666, makedev(1, 3)) < 0) {
        print_message("    skipped: mknod: %s (needs root)\n", strerror(errno));
        skip();
    }
    int probe = open(null, O_WRONLY);
    if (probe < 0) {
        print_message("    skipped: %s: %s (a nodev mount?)\n", null,
                      strerror(errno));
        skip();
    }
    close(probe);
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    struct run_result r;
    snprintf(script, sizeof script, "get hello.txt \"%s\"", full);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 1); /* /dev/full: ENOSPC, and said so */
    assert_non_null(strstr(r.err, "No space left"));
    run_result_free(&r);
    snprintf(script, sizeof script, "get big.bin \"%s\"", null);
    run_client(&r, s.port, script);
    assert_exit_code(&r, 0);
    run_result_free(&r);
    struct stat st;
    assert_int_equal(lstat(full, &st), 0);
    assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 7));
    assert_int_equal(lstat(null, &st), 0);
    assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
    assert_false(exists("dir/full.part"));
    assert_false(exists("dir/null.part"));
    assert_server_stops_cleanly(&s);
}

/* The client's menu, fed on stdin like a user would type it. */
static void client_menu(void)
{
    struct server s;
    start(&s, NULL, NULL, NULL, NULL);
    char path[PATH_MAX * 2], port_text[16];
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_client"));
    snprintf(port_text, sizeof port_text, "%d", s.port);
    const char *argv[] = {path, "-p", port_text, NULL};
    struct run_result r;
    run_program_text(&r, argv, "help\nls\ncd dir\npwd\nbogus\nquit\n", 30);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "get [-f] NAME [LOCAL]")); /* the menu guides */
    assert_non_null(strstr(r.out, "ftp> "));
    assert_non_null(strstr(r.out, " hello.txt\n"));
    assert_non_null(strstr(r.out, "/dir\n"));
    assert_non_null(strstr(r.err, "unknown command 'bogus'"));
    assert_non_null(strstr(r.out, "Goodbye"));
    run_result_free(&r);
    assert_server_stops_cleanly(&s);
}
BOTH(client_menu)

/* A server that does not know EPSV and names a wrong address in its PASV
 * reply: the client must fall back to PASV, and connect to the control
 * connection's own address (127.0.0.1), not to the one in the reply. */
struct fake_server {
    int listener, data_listener;
    bool listed; /* the client connected to the data port and got the listing */
};

static void fake_say(int fd, const char *text)
{
    io_write_all(fd, text, strlen(text));
}

/* Accept on fd within 10 s (scaled); -1 if nobody came. */
static int fake_accept(int fd)
{
    return ftp_wait_fd(fd, POLLIN, -1, (int)(harness_timeout(10) * 1000)) == FTP_WAIT_READY
               ? accept(fd, NULL, NULL)
               : -1;
}

static void *fake_ftp(void *arg) /* a thread: no cmocka calls */
{
    struct fake_server *f = arg;
    int ctrl = fake_accept(f->listener);
    if (ctrl < 0)
        return NULL;
    thread_timeouts(ctrl);
    char buf[512], *line, reply[128];
    size_t len;
    struct line_reader r;
    line_reader_init(&r, ctrl, buf, sizeof buf);
    fake_say(ctrl, "220 an old server\r\n");
    while (line_read(&r, &line, &len) == LINE_OK) {
        if (strncmp(line, "USER", 4) == 0) {
            fake_say(ctrl, "331 go on\r\n");
        } else if (strncmp(line, "PASS", 4) == 0) {
            fake_say(ctrl, "230 in\r\n");
        } else if (strcmp(line, "EPSV") == 0) {
            fake_say(ctrl, "500 EPSV? never heard of it\r\n");
        } else if (strcmp(line, "PASV") == 0) {
            int port = net_local_port(f->data_listener);
            snprintf(reply, sizeof reply, "227 Entering Passive Mode (10,9,9,9,%d,%d)\r\n",
                     port / 256, port % 256);
            fake_say(ctrl, reply);
        } else if (strcmp(line, "LIST") == 0) {
            int data = fake_accept(f->data_listener);
            if (data < 0) {
                fake_say(ctrl, "425 you never came\r\n");
                continue;
            }
            fake_say(ctrl, "150 here it comes\r\n");
            fake_say(data, "-rw-r--r-- 1 a b 1 Jan  1  2020 fallback.txt\r\n");
            close(data);
            f->listed = true;
            fake_say(ctrl, "226 done\r\n");
        } else if (strcmp(line, "QUIT") == 0) {
            fake_say(ctrl, "221 bye\r\n");
            break;
        } else {
            fake_say(ctrl, "502 not here\r\n");
        }
    }
    close(ctrl);
    return NULL;
}

static void test_client_falls_back_to_pasv(void **state)
{
    (void)state;
    struct fake_server f = {net_tcp_listen("127.0.0.1", 0, 4), net_tcp_listen("127.0.0.1", 0, 4),
                            false};
    assert_true(f.listener >= 0 && f.data_listener >= 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fake_ftp, &f), 0);
    struct run_result r;
    run_client(&r, net_local_port(f.listener), "ls");
    pthread_join(t, NULL);
    close(f.listener);
    close(f.data_listener);
    assert_exit_code(&r, 0);
    assert_true(f.listed);
    assert_non_null(strstr(r.out, " fallback.txt\n"));
    run_result_free(&r);
}

/* --- the command line ------------------------------------------------------------- */

static void test_usage_and_bad_options(void **state)
{
    (void)state;
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_server"));
    struct run_result r;
    const char *help[] = {path, "-h", NULL};
    run_program_text(&r, help, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: ftp_server"));
    run_result_free(&r);
    const char *bad[][4] = {{"-m", "process"}, {"-c", "0"}, {"-t", "x"}, {"-p", "99999"}, {"-z"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {path, bad[i][0], bad[i][1], NULL};
        run_program_text(&r, argv, NULL, 5);
        assert_exit_code(&r, 2);
        assert_non_null(strstr(r.err, "usage:"));
        run_result_free(&r);
    }
    const char *missing[] = {path, "-p", "0", "-d", "/no/such/library", NULL};
    run_program_text(&r, missing, NULL, 5);
    assert_exit_code(&r, 1);
    assert_non_null(strstr(r.err, "/no/such/library"));
    run_result_free(&r);

    snprintf(path, sizeof path, "%s", program_path("day9/ftp/ftp_client"));
    const char *chelp[] = {path, "-h", NULL};
    run_program_text(&r, chelp, NULL, 5);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: ftp_client"));
    run_result_free(&r);
    const char *cbad[] = {path, "-p", "nope", NULL};
    run_program_text(&r, cbad, NULL, 5);
    assert_exit_code(&r, 2);
    run_result_free(&r);
}

static int group_setup(void **state)
{
    big = malloc(BIG_SIZE);
    uint32_t x = 2463534242u; /* xorshift: bytes of every value, "##" included */
    for (size_t i = 0; i < BIG_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big[i] = (unsigned char)x;
    }
    return harness_group_setup(state);
}

static int group_teardown(void **state)
{
    free(big);
    return harness_teardown(state);
}

#define BOTH_TESTS(name)                                                                           \
    cmocka_unit_test_setup_teardown(name##_fork, make_library, teardown),                          \
        cmocka_unit_test_setup_teardown(name##_thread, make_library, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_TESTS(login_and_command_rules),
        BOTH_TESTS(folders),
        BOTH_TESTS(listings),
        BOTH_TESTS(retr_is_byte_exact),
        BOTH_TESTS(stor_is_byte_exact),
        BOTH_TESTS(aborted_stor_leaves_nothing),
        BOTH_TESTS(failed_write_stor_says_451),
        BOTH_TESTS(traversal_is_refused),
        BOTH_TESTS(read_only_refuses_writes),
        BOTH_TESTS(shipped_library_is_read_only),
        BOTH_TESTS(timeouts_and_foreign_data_connections),
        BOTH_TESTS(twenty_concurrent_downloads),
        BOTH_TESTS(many_sessions_leave_nothing),
        BOTH_TESTS(session_limit_answers_421),
        BOTH_TESTS(sigterm_ends_open_sessions),
        BOTH_TESTS(out_of_fds_is_survived),
        BOTH_TESTS(client_round_trip),
        BOTH_TESTS(client_menu),
        cmocka_unit_test_setup_teardown(test_receive_file_with_and_without_splice,
                                        make_library, teardown),
        cmocka_unit_test_setup_teardown(test_client_get_targets, make_library,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_client_names_with_spaces, make_library,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_client_get_into_a_device,
                                        make_library, teardown),
        cmocka_unit_test_teardown(test_client_falls_back_to_pasv, harness_teardown),
        cmocka_unit_test_teardown(test_usage_and_bad_options, harness_teardown),
    };
    if (getenv("FTP_TEST_FILTER") != NULL) /* e.g. FTP_TEST_FILTER='*_thread' */
        cmocka_set_test_filter(getenv("FTP_TEST_FILTER"));
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
