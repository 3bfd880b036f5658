/* day9/ftp/ftp_client.c — ftp 文件服务器: 客户端 / the FTP client with a menu
 *
 * The course's client: it connects, prints a menu that guides the user
 * (查看文件库, 下载, 上传, 退出) and talks to the server. This one speaks
 * real FTP, so it works with ftp_server and with any standard FTP server
 * (vsftpd...). The course's L / G / P / Q become:
 *
 *   ls [DIR]               LIST    (over a data connection)
 *   get NAME [LOCAL]       RETR    (SIZE first, for the progress bar)
 *   put [-f] LOCAL [NAME]  STOR    (refused if NAME exists: 文件已存在, unless -f)
 *   quit                   QUIT
 *   cd DIR, pwd            CWD, PWD
 *
 * Each transfer: EPSV (or PASV, if the server does not know EPSV) to get
 * a data port, connect to it, send RETR/STOR/LIST, move the bytes until
 * the data connection closes, then read the final reply (226).
 *
 * Run it:   ./build/day9/ftp/ftp_client [-H HOST] [-p PORT] [-u USER]
 *           ./build/day9/ftp/ftp_client -c "ls; get hello.txt; put notes.txt"
 * Watch:    the replies the server sends (shown on errors), the progress
 *           bar on a terminal (one summary line otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/io.h"
#include "common/net.h"
#include "common/options.h"
#include "day9/ftp/ftp_data.h"
#include "day9/ftp/ftp_reply.h"

#define DEFAULT_PORT     2121
#define DEFAULT_USER     "anonymous"
#define DEFAULT_PASSWORD "conclab@"
#define TIMEOUT_S        30 /* a server silent this long is dead: give up */
#define INPUT_MAX        1024
#define XFER_BUF         (256 * 1024)
#define BAR_WIDTH        24
#define MAX_WORDS        4

struct client {
    int ctrl;                  /* the control connection */
    struct line_reader reader; /* its replies, line by line */
    char line[FTP_REPLY_MAX];
    struct ftp_reply reply; /* the last reply read */
    bool dead;              /* the control connection is gone */
    bool no_epsv;           /* the server refused EPSV: use PASV from now on */
    bool tty;               /* stdout is a terminal: draw progress bars */
};

static char xfer_buf[XFER_BUF];

/* --- talking to the server ------------------------------------------------ */

/* Print text from the server with control characters (a hostile server's
 * terminal escapes) shown as '?'; \r dropped, \n and \t kept. */
static void print_clean(FILE *to, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\r')
            continue;
        fputc(ch < 0x20 && ch != '\n' && ch != '\t' ? '?' : ch == 0x7f ? '?' : ch, to);
    }
}

/* Show the last reply as the reason something failed. */
static void print_reply(struct client *c, const char *what)
{
    fprintf(stderr, "%s: %s: server says %d ", prog_name(), what, c->reply.code);
    print_clean(stderr, c->reply.text, strlen(c->reply.text));
    fputc('\n', stderr);
}

/* Read the next reply; its code, or -1 when the connection is lost. */
static int read_reply(struct client *c)
{
    if (c->dead)
        return -1;
    if (ftp_reply_read(&c->reader, &c->reply) < 0) {
        warn_msg("connection to the server lost: %s",
                 errno == ECONNRESET ? "it closed the connection" : strerror(errno));
        c->dead = true;
        return -1;
    }
    return c->reply.code;
}

/* Send one command line and read its reply; the code, or -1. */
static int command(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int command(struct client *c, const char *fmt, ...)
{
    char text[INPUT_MAX + 16];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text - 2, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text - 2) {
        warn_msg("command too long");
        return -1;
    }
    memcpy(text + n, "\r\n", 3);
    if (c->dead)
        return -1;
    if (io_write_all(c->ctrl, text, (size_t)n + 2) < 0) {
        warn_errno("send to the server");
        c->dead = true;
        return -1;
    }
    return read_reply(c);
}

static void set_timeouts(int fd)
{
    struct timeval tv = {TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Ask for a data port (EPSV, else PASV) and connect to it; -1 on failure. */
static int open_data(struct client *c)
{
    int port = -1;
    if (!c->no_epsv) {
        int code = command(c, "EPSV");
        if (code < 0)
            return -1;
        if (code != 229 || ftp_parse_epsv(c->reply.text, &port) < 0)
            c->no_epsv = true; /* an old server: fall back to PASV */
    }
    if (port < 0) {
        int code = command(c, "PASV");
        if (code != 227 || ftp_parse_pasv(c->reply.text, &port) < 0) {
            if (code > 0)
                print_reply(c, "no data connection");
            return -1;
        }
    }
    int fd = ftp_data_connect(c->ctrl, port, TIMEOUT_S * 1000);
    if (fd < 0) {
        warn_errno("connect to the data port %d", port);
        return -1;
    }
    set_timeouts(fd);
    return fd;
}

/* --- the progress bar ---------------------------------------------------- */

struct progress {
    const char *verb, *name;
    long long total; /* -1 if unknown */
    long long done;
    double start, last_draw;
    bool tty;
};

/* "1.5 MiB" */
static void human(double bytes, char *out, size_t size)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

/* Redraw the bar (at most ten times a second) on a terminal; elsewhere,
 * only the summary line at the end. */
static void progress_show(struct progress *p, bool final)
{
    double now = clock_now();
    if (!final && (!p->tty || now - p->last_draw < 0.1))
        return;
    p->last_draw = now;
    double secs = now - p->start;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    char done[16], speed[16];
    human((double)p->done, done, sizeof done);
    human(rate, speed, sizeof speed);
    if (!p->tty) {
        printf("%s %s: %lld bytes in %.2f s (%s/s)\n", p->verb, p->name, p->done, secs, speed);
        return;
    }
    if (p->total > 0) {
        long long left = p->total - p->done;
        int eta = rate > 0 ? (int)((double)(left > 0 ? left : 0) / rate) : 0;
        long long shown = p->done < p->total ? p->done : p->total; /* it may have grown */
        int filled = (int)(shown * BAR_WIDTH / p->total);
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        printf("\r%s %-16.16s [%s] %3d%% %10s %10s/s  ETA %d:%02d ", p->verb, p->name, bar,
               (int)(shown * 100 / p->total), done, speed, eta / 60, eta % 60);
    } else {
        printf("\r%s %-16.16s %10s %10s/s ", p->verb, p->name, done, speed);
    }
    if (final)
        printf("\n");
    fflush(stdout);
}

/* --- the menu's commands --------------------------------------------------- */

/* The last part of a path: "a/b/c.txt" -> "c.txt" (what get/put name a
 * file when no second name is given). */
static const char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* ls [DIR]: the listing comes on a data connection, until it closes. */
static int do_ls(struct client *c, int argc, char **argv)
{
    int data = open_data(c);
    if (data < 0)
        return -1;
    int code = argc > 1 ? command(c, "LIST %s", argv[1]) : command(c, "LIST");
    if (code != 150 && code != 125) {
        close(data);
        if (code > 0)
            print_reply(c, "ls");
        return -1;
    }
    ssize_t n;
    while ((n = read(data, xfer_buf, sizeof xfer_buf)) > 0)
        print_clean(stdout, xfer_buf, (size_t)n);
    close(data);
    if (n < 0)
        warn_errno("ls: reading the listing");
    if (read_reply(c) != 226 || n < 0) {
        if (!c->dead)
            print_reply(c, "ls");
        return -1;
    }
    return 0;
}

static int do_cd(struct client *c, int argc, char **argv)
{
    (void)argc;
    if (command(c, "CWD %s", argv[1]) != 250) {
        if (!c->dead)
            print_reply(c, "cd");
        return -1;
    }
    return 0;
}

static int do_pwd(struct client *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (command(c, "PWD") != 257) {
        if (!c->dead)
            print_reply(c, "pwd");
        return -1;
    }
    /* 257 "/the/dir" is the current directory: print what is in quotes. */
    const char *open = strchr(c->reply.text, '"');
    const char *close_quote = open != NULL ? strrchr(open + 1, '"') : NULL;
    if (open == NULL || close_quote == NULL)
        print_clean(stdout, c->reply.text, strlen(c->reply.text));
    else
        print_clean(stdout, open + 1, (size_t)(close_quote - open - 1));
    printf("\n");
    return 0;
}

/* Binary type, and the remote size if the server tells it (-1 if not). */
static long long binary_and_size(struct client *c, const char *name, int *size_code)
{
    if (command(c, "TYPE I") != 200) {
        if (!c->dead)
            print_reply(c, "TYPE I");
        *size_code = -1;
        return -1;
    }
    *size_code = command(c, "SIZE %s", name);
    char *end;
    long long size = strtoll(c->reply.text, &end, 10);
    return *size_code == 213 && end != c->reply.text ? size : -1;
}

/* get NAME [LOCAL]: into LOCAL.part first, renamed when complete, so a
 * failed download never leaves half a file under the real name. */
static int do_get(struct client *c, int argc, char **argv)
{
    const char *remote = argv[1];
    const char *local = argc > 2 ? argv[2] : last_part(remote);
    char part[PATH_MAX];
    if (local[0] == '\0' || snprintf(part, sizeof part, "%s.part", local) >= (int)sizeof part) {
        warn_msg("get: bad local name '%s'", local);
        return -1;
    }
    int size_code;
    long long total = binary_and_size(c, remote, &size_code);
    if (size_code < 0)
        return -1;
    int data = open_data(c);
    if (data < 0)
        return -1;
    int code = command(c, "RETR %s", remote);
    if (code != 150 && code != 125) {
        close(data);
        if (code > 0)
            print_reply(c, "get");
        return -1;
    }
    int file = open(part, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (file < 0) {
        warn_errno("get: %s", part);
        close(data); /* the server sees the close and aborts */
        read_reply(c);
        return -1;
    }
    struct progress p = {"get", remote, total, 0, clock_now(), 0, c->tty};
    ssize_t n;
    bool ok = true;
    while ((n = read(data, xfer_buf, sizeof xfer_buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || io_write_all(file, xfer_buf, (size_t)n) < 0) {
            warn_errno(n < 0 ? "get: reading the data connection" : "get: writing %s", part);
            ok = false;
            break;
        }
        p.done += n;
        progress_show(&p, false);
    }
    close(data); /* the server closed first: the whole file is here */
    if (close(file) < 0)
        ok = false;
    if (read_reply(c) != 226 && !c->dead) {
        print_reply(c, "get");
        ok = false;
    }
    if (!ok || c->dead || rename(part, local) < 0) {
        if (ok && !c->dead)
            warn_errno("get: rename %s", part);
        unlink(part);
        return -1;
    }
    progress_show(&p, true);
    return 0;
}

/* put [-f] LOCAL [NAME]: the course's rule, 文件已存在: an existing remote
 * file is not replaced unless -f says so. */
static int do_put(struct client *c, int argc, char **argv)
{
    bool force = argc > 1 && strcmp(argv[1], "-f") == 0;
    if (force) {
        argc--;
        argv++;
    }
    if (argc < 2 || argc > 3) {
        warn_msg("usage: put [-f] LOCAL [NAME]");
        return -1;
    }
    const char *local = argv[1];
    const char *remote = argc > 2 ? argv[2] : last_part(local);
    int file = open(local, O_RDONLY);
    struct stat st;
    if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (file < 0)
            warn_errno("put: %s", local);
        else
            warn_msg("put: %s is not a plain file", local);
        if (file >= 0)
            close(file);
        return -1;
    }
    int size_code;
    binary_and_size(c, remote, &size_code);
    if (size_code < 0 || (size_code == 213 && !force)) {
        if (size_code == 213)
            warn_msg("put: %s already exists on the server (文件已存在); "
                     "'put -f %s' replaces it",
                     remote, local);
        close(file);
        return -1;
    }
    int data = open_data(c);
    if (data < 0) {
        close(file);
        return -1;
    }
    int code = command(c, "STOR %s", remote);
    if (code != 150 && code != 125) {
        close(data);
        close(file);
        if (code > 0)
            print_reply(c, "put");
        return -1;
    }
    struct progress p = {"put", remote, (long long)st.st_size, 0, clock_now(), 0, c->tty};
    ssize_t n;
    bool ok = true;
    while ((n = read(file, xfer_buf, sizeof xfer_buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || io_write_all(data, xfer_buf, (size_t)n) < 0) {
            warn_errno(n < 0 ? "put: reading %s" : "put: sending %s", local);
            ok = false;
            break;
        }
        p.done += n;
        progress_show(&p, false);
    }
    close(file);
    if (!ok) /* a reset, not a clean close: the server must not keep a half file */
        setsockopt(data, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0}, sizeof(struct linger));
    close(data); /* THE end of the file: the server sees the connection close */
    if (read_reply(c) != 226) {
        if (!c->dead && ok)
            print_reply(c, "put");
        return -1;
    }
    if (!ok)
        return -1;
    progress_show(&p, true);
    return 0;
}

static void print_menu(void)
{
    printf("Commands:\n"
           "  ls [DIR]               list the files in the library (or in DIR)\n"
           "  cd DIR                 change the remote directory\n"
           "  pwd                    show the remote directory\n"
           "  get NAME [LOCAL]       download NAME (saved as LOCAL)\n"
           "  put [-f] LOCAL [NAME]  upload LOCAL (as NAME); -f replaces an existing file\n"
           "  help                   show this menu\n"
           "  quit                   leave\n");
}

static int do_help(struct client *c, int argc, char **argv)
{
    (void)c;
    (void)argc;
    (void)argv;
    print_menu();
    return 0;
}

static int do_quit(struct client *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (command(c, "QUIT") != 221 && !c->dead)
        print_reply(c, "quit");
    printf("Goodbye (谢谢使用).\n");
    c->dead = true; /* nothing more to say on this connection */
    return 0;
}

struct menu_entry {
    const char *name;
    int min_args, max_args; /* words after the name */
    int (*run)(struct client *c, int argc, char **argv);
};

static const struct menu_entry menu[] = {
    {"ls", 0, 1, do_ls},     {"dir", 0, 1, do_ls},   {"cd", 1, 1, do_cd},
    {"pwd", 0, 0, do_pwd},   {"get", 1, 2, do_get},  {"put", 1, 3, do_put},
    {"help", 0, 0, do_help}, {"?", 0, 0, do_help},   {"quit", 0, 0, do_quit},
    {"exit", 0, 0, do_quit}, {"bye", 0, 0, do_quit},
};

/* Run one menu line. 0: done, -1: it failed (and said why). */
static int run_line(struct client *c, char *line)
{
    char *words[MAX_WORDS + 1], *save = NULL;
    int argc = 0;
    for (char *w = strtok_r(line, " \t\r\n", &save); w != NULL;
         w = strtok_r(NULL, " \t\r\n", &save)) {
        if (argc == MAX_WORDS) {
            warn_msg("too many words (names with spaces are not supported here)");
            return -1;
        }
        words[argc++] = w;
    }
    if (argc == 0)
        return 0;
    words[argc] = NULL;
    for (int i = 1; i < argc; i++)
        for (const char *p = words[i]; *p != '\0'; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f) {
                warn_msg("%s: control characters are not allowed in names", words[0]);
                return -1;
            }
    for (size_t i = 0; i < sizeof menu / sizeof menu[0]; i++) {
        if (strcmp(words[0], menu[i].name) != 0)
            continue;
        if (argc - 1 < menu[i].min_args || argc - 1 > menu[i].max_args) {
            warn_msg("%s: wrong number of arguments (try 'help')", words[0]);
            return -1;
        }
        if (c->dead && menu[i].run != do_help) {
            warn_msg("%s: not connected", words[0]);
            return -1;
        }
        return menu[i].run(c, argc, words);
    }
    warn_msg("unknown command '%s' (try 'help')", words[0]);
    return -1;
}

/* -c "ls; get x": each command in turn; stop at the first that fails. */
static int run_script(struct client *c, char *script)
{
    char *save = NULL;
    for (char *cmd = strtok_r(script, ";", &save); cmd != NULL; cmd = strtok_r(NULL, ";", &save)) {
        cmd += strspn(cmd, " \t");
        if (cmd[0] == '\0')
            continue;
        printf("ftp> %s\n", cmd);
        fflush(stdout);
        if (run_line(c, cmd) < 0)
            return -1;
    }
    if (!c->dead)
        command(c, "QUIT");
    return 0;
}

/* The interactive menu: a prompt, a line, until quit or end of input. */
static void run_menu(struct client *c)
{
    char line[INPUT_MAX];
    print_menu();
    while (!c->dead) {
        printf("ftp> ");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL) {
            printf("\n");
            do_quit(c, 0, NULL);
            break;
        }
        if (strchr(line, '\n') == NULL && !feof(stdin)) {
            int ch; /* over-long: drop the rest of the line */
            while ((ch = getchar()) != EOF && ch != '\n')
                ;
            warn_msg("line too long (at most %d characters)", INPUT_MAX - 2);
            continue;
        }
        run_line(c, line);
    }
}

/* Read the greeting and log in; -1 (said why) on failure. */
static int login(struct client *c, const char *user, const char *password)
{
    int code = read_reply(c);
    if (code != 220) {
        if (code > 0)
            print_reply(c, "not ready");
        return -1;
    }
    if (c->tty) {
        printf("%d ", code);
        print_clean(stdout, c->reply.text, strlen(c->reply.text));
        printf("\n");
    }
    code = command(c, "USER %s", user);
    if (code == 331)
        code = command(c, "PASS %s", password);
    if (code != 230) {
        if (code > 0)
            print_reply(c, "login failed");
        return -1;
    }
    return 0;
}

static const char usage[] =
    "usage: ftp_client [-H HOST] [-p PORT] [-u USER] [-P PASSWORD] [-c \"CMD; CMD...\"]\n"
    "An FTP client with a menu: ls, cd, pwd, get, put, help, quit.\n"
    "  -H HOST      server address (default 127.0.0.1)\n"
    "  -p PORT      control port (default 2121)\n"
    "  -u USER      user name (default " DEFAULT_USER ")\n"
    "  -P PASSWORD  password (default " DEFAULT_PASSWORD ")\n"
    "  -c CMDS      run these commands (separated by ';') and exit: status 1 if one fails\n"
    "  -h           show this help\n";

int main(int argc, char **argv)
{
    prog_init(argv[0]);
    struct client_opts co;
    client_opts_init(&co, DEFAULT_PORT);
    const char *user = DEFAULT_USER, *password = DEFAULT_PASSWORD;
    char *script = NULL;
    int opt;
    while ((opt = getopt(argc, argv, CLIENT_OPTSTRING "u:P:c:")) != -1) {
        if (client_opts_handle(&co, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'u': user = optarg; break;
        case 'P': password = optarg; break;
        case 'c': script = optarg; break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (strpbrk(user, "\r\n") != NULL || strpbrk(password, "\r\n") != NULL)
        die_usage(usage, "a user name or password cannot hold a line break");
    net_ignore_sigpipe();

    struct client c = {0};
    c.tty = isatty(STDOUT_FILENO);
    const char *why = "";
    c.ctrl = ftp_connect(co.host, co.port, TIMEOUT_S * 1000, &why);
    if (c.ctrl < 0)
        die("cannot connect to %s port %d: %s", co.host, co.port, why);
    set_timeouts(c.ctrl); /* a dead server makes a read fail, never hang */
    int one = 1;          /* commands are small writes: send each at once (no Nagle delay) */
    setsockopt(c.ctrl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    line_reader_init(&c.reader, c.ctrl, c.line, sizeof c.line);
    if (login(&c, user, password) < 0)
        return 1;
    if (script == NULL)
        printf("Connected to %s port %d, logged in as %s.\n", co.host, co.port, user);

    int rc = 0;
    if (script != NULL)
        rc = run_script(&c, script);
    else
        run_menu(&c);
    close(c.ctrl);
    return rc < 0 ? 1 : 0;
}
