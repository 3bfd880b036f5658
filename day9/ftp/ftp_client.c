/* day9/ftp/ftp_client.c — ftp 文件服务器: 客户端 / the FTP client
 *
 * The course's client: it connects, prints a menu that guides the
 * user (查看文件库, 下载, 上传, 退出) and talks to the server. This
 * one speaks real FTP, so it works with ftp_server and with any
 * standard FTP server (vsftpd...). The course's L / G / P / Q become:
 *
 *   ls [DIR]               LIST    (over a data connection)
 *   get [-f] NAME [LOCAL]  RETR    (SIZE first, for the progress bar)
 *   put [-f] LOCAL [NAME]  STOR    (refused if NAME exists: 文件已存在)
 *   quit                   QUIT
 *   cd DIR, pwd            CWD, PWD
 *
 * The lesson: ONE control connection for commands and replies, and a
 * fresh DATA connection for each transfer: EPSV (or PASV, if the server
 * does not know EPSV) gives a port, the client connects to it, sends
 * RETR/STOR/LIST, moves the bytes until the data connection closes, then
 * reads the final reply (226) on the control connection.
 *
 * Run it:   ./build/day9/ftp/ftp_client [-H HOST] [-p PORT] [-u USER]
 *           ./build/day9/ftp/ftp_client -c "ls; get poem.txt /tmp"
 * Watch:    the replies the server sends (shown on errors), the progress
 *           bar on a terminal (one summary line otherwise).
 * Files:    ftp_client_talk.c (commands, replies, login),
 *           ftp_client_menu.c (the menu), ftp_client_local.c (where a
 *           download goes, the progress bar), ftp_data.c (connecting).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/net.h"
#include "common/options.h"
#include "day9/ftp/ftp_client.h"
#include "day9/ftp/ftp_data.h"

#define DEFAULT_PORT 2121

static menu_fn do_ls, do_get, do_put;
static int open_data(struct client *c);

static const struct menu_entry menu[] = {
    {"ls", 0, 1, do_ls},     {"dir", 0, 1, do_ls},   {"get", 1, 3, do_get},
    {"put", 1, 3, do_put},   {"cd", 1, 1, do_cd},    {"pwd", 0, 0, do_pwd},
    {"help", 0, 0, do_help}, {"?", 0, 0, do_help},   {"quit", 0, 0, do_quit},
    {"exit", 0, 0, do_quit}, {"bye", 0, 0, do_quit},
};
#define MENU_SIZE (sizeof menu / sizeof menu[0])

/* ls [DIR]: the listing comes on a data connection, until it closes. */
static int do_ls(struct client *c, int argc, char **argv)
{
    int data = open_data(c);
    if (data < 0)
        return -1;
    if (argc > 1)
        send_command(c, "LIST %s", argv[1]);
    else
        send_command(c, "LIST");
    if (start_transfer(c, data, "ls") < 0)
        return -1;
    char buf[4096];
    ssize_t n;
    while ((n = read(data, buf, sizeof buf)) > 0)
        print_clean(stdout, buf, (size_t)n);
    if (n < 0)
        warn_errno("ls: reading the listing");
    close(data); /* the server closed first: that was the whole listing */
    if (read_reply(c) != 226 || n < 0) {
        if (!c->dead)
            show_reply(c, "ls");
        return -1;
    }
    return 0;
}

/* get [-f] NAME [LOCAL]: where the file goes is decided first
 * (ftp_client_local.c); then RETR, and the bytes until the data
 * connection closes: that close is the end of the file. */
static int do_get(struct client *c, int argc, char **argv)
{
    bool force = strcmp(argv[1], "-f") == 0;
    argc -= force, argv += force;
    if (argc < 2 || argc > 3) {
        warn_msg("usage: get [-f] NAME [LOCAL]");
        return -1;
    }
    const char *remote = argv[1];
    struct get_target t;
    int code, data, file;
    if (get_target_choose(&t, remote, argc > 2 ? argv[2] : last_part(remote),
                          force) < 0)
        return -1;
    long long total = remote_size(c, remote, &code);
    if (code < 0 || (data = open_data(c)) < 0)
        return -1;
    send_command(c, "RETR %s", remote);
    if (start_transfer(c, data, "get") < 0)
        return -1;
    if ((file = get_target_open(&t)) < 0) {
        close(data); /* the server sees the close and aborts */
        read_reply(c);
        return -1;
    }
    struct progress p = {"get", remote, total, 0, clock_now(), 0, c->tty};
    bool ok = copy_bytes(data, file, &p, t.name) >= 0;
    close(data);
    if (close(file) < 0) /* e.g. a full disk, reported only now */
        ok = false;
    if (read_reply(c) != 226 && !c->dead) {
        show_reply(c, "get");
        ok = false;
    }
    if (get_target_finish(&t, ok && !c->dead) < 0)
        return -1;
    progress_show(&p, true);
    return 0;
}

/* put [-f] LOCAL [NAME]: the course's rule, 文件已存在: an existing
 * remote file is not replaced unless -f says so. */
static int do_put(struct client *c, int argc, char **argv)
{
    bool force = strcmp(argv[1], "-f") == 0;
    argc -= force, argv += force;
    if (argc < 2 || argc > 3) {
        warn_msg("usage: put [-f] LOCAL [NAME]");
        return -1;
    }
    const char *local = argv[1];
    const char *remote = argc > 2 ? argv[2] : last_part(local);
    struct stat st;
    int code, data = -1, file = open(local, O_RDONLY);
    if (file < 0 || fstat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
        warn_msg("put: %s: %s", local,
                 file < 0 ? strerror(errno) : "not a plain file");
        if (file >= 0)
            close(file);
        return -1;
    }
    remote_size(c, remote, &code);
    if (code == 213 && !force) {
        warn_msg("put: %s already exists on the server (文件已存在); "
                 "'put -f %s' replaces it",
                 remote, local);
    } else if (code > 0 && (data = open_data(c)) >= 0) {
        send_command(c, "STOR %s", remote);
        if (start_transfer(c, data, "put") < 0)
            data = -1;
    }
    if (data < 0) {
        close(file);
        return -1;
    }
    struct progress p = {"put", remote, st.st_size, 0, clock_now(), 0, c->tty};
    bool ok = copy_bytes(file, data, &p, local) >= 0;
    close(file);
    if (!ok) /* a reset, not a clean close: the server drops the half file */
        setsockopt(data, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0},
                   sizeof(struct linger));
    close(data); /* THE end of the file: the server sees the close */
    if (read_reply(c) != 226) {
        if (!c->dead && ok)
            show_reply(c, "put");
        return -1;
    }
    if (!ok)
        return -1;
    progress_show(&p, true);
    return 0;
}

/* Ask for a data port (EPSV, else PASV) and connect to it; -1 on failure. */
static int open_data(struct client *c)
{
    int port = -1;
    if (!c->no_epsv) {
        int code = send_command(c, "EPSV");
        if (code < 0)
            return -1;
        if (code != 229 || ftp_parse_epsv(c->reply.text, &port) < 0)
            c->no_epsv = true; /* an old server: fall back to PASV */
    }
    if (port < 0) {
        int code = send_command(c, "PASV");
        if (code != 227 || ftp_parse_pasv(c->reply.text, &port) < 0) {
            if (code > 0)
                show_reply(c, "no data connection");
            return -1;
        }
    }
    int fd = ftp_data_connect(c->ctrl, port, FTPC_TIMEOUT_S * 1000);
    if (fd < 0) {
        warn_errno("connect to the data port %d", port);
        return -1;
    }
    set_timeouts(fd);
    return fd;
}

static const char usage[] =
    "usage: ftp_client [-H HOST] [-p PORT] [-u USER] [-P PASSWORD]\n"
    "                  [-c \"CMD; CMD...\"]\n"
    "An FTP client with a menu: ls, cd, pwd, get, put, help, quit.\n"
    "  -H HOST      server address (default 127.0.0.1)\n"
    "  -p PORT      control port (default 2121)\n"
    "  -u USER      user name (default anonymous)\n"
    "  -P PASSWORD  password (default conclab@)\n"
    "  -c CMDS      run these commands (';' between them) and exit:\n"
    "               status 1 if one fails\n"
    "  -h           show this help\n"
    "A name with spaces or ';' goes in double quotes: get \"my notes.txt\"\n";

int main(int argc, char **argv)
{
    prog_init(argv[0]);
    struct client_opts co;
    client_opts_init(&co, DEFAULT_PORT);
    const char *user = "anonymous", *password = "conclab@", *why = "";
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

    struct client c = {.tty = isatty(STDOUT_FILENO)};
    c.ctrl = ftp_connect(co.host, co.port, FTPC_TIMEOUT_S * 1000, &why);
    if (c.ctrl < 0)
        die("cannot connect to %s port %d: %s", co.host, co.port, why);
    set_timeouts(c.ctrl); /* a dead server makes a read fail, never hang */
    /* commands are small writes: send each at once (no Nagle delay) */
    setsockopt(c.ctrl, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
    line_reader_init(&c.reader, c.ctrl, c.line, sizeof c.line);
    if (login(&c, user, password) < 0)
        return 1;
    int rc = 0;
    if (script != NULL) {
        rc = run_script(&c, script, menu, MENU_SIZE);
    } else {
        printf("Connected to %s port %d as %s.\n", co.host, co.port, user);
        run_menu(&c, menu, MENU_SIZE);
    }
    close(c.ctrl);
    return rc < 0 ? 1 : 0;
}
