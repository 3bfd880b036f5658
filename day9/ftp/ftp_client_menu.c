/* day9/ftp/ftp_client_menu.c — the client's menu: read a line (typed, or
 * from -c "ls; get x"), split it into words ("double quotes" around a
 * name with spaces), run the entry it names; and the small commands cd,
 * pwd, help, quit. The transfers (ls, get, put) are in ftp_client.c. See
 * ftp_client.h.
 */
#include <stdbool.h>
#include <string.h>

#include "common/errors.h"
#include "day9/ftp/ftp_client.h"

#define MAX_WORDS 5 /* "put -f LOCAL NAME" and one too many */
#define BLANKS " \t\r\n"

int do_cd(struct client *c, int argc, char **argv)
{
    (void)argc;
    if (send_command(c, "CWD %s", argv[1]) != 250) {
        if (!c->dead)
            show_reply(c, "cd");
        return -1;
    }
    return 0;
}

int do_pwd(struct client *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (send_command(c, "PWD") != 257) {
        if (!c->dead)
            show_reply(c, "pwd");
        return -1;
    }
    /* 257 "/the/dir" is the current directory: print what is in quotes */
    const char *open = strchr(c->reply.text, '"');
    const char *end = open != NULL ? strrchr(open + 1, '"') : NULL;
    if (open == NULL || end == NULL)
        print_clean(stdout, c->reply.text, strlen(c->reply.text));
    else
        print_clean(stdout, open + 1, (size_t)(end - open - 1));
    printf("\n");
    return 0;
}

int do_help(struct client *c, int argc, char **argv)
{
    (void)c;
    (void)argc;
    (void)argv;
    printf("Commands:\n"
           "  ls [DIR]               list the library (or DIR)\n"
           "  cd DIR                 change the remote directory\n"
           "  pwd                    show the remote directory\n"
           "  get [-f] NAME [LOCAL]  download NAME (as LOCAL: a file, a\n"
           "                         folder, /dev/null); -f replaces a file\n"
           "  put [-f] LOCAL [NAME]  upload LOCAL (as NAME); -f replaces\n"
           "  help                   show this menu\n"
           "  quit                   leave\n"
           "A name with spaces goes in double quotes: get \"my notes.txt\"\n");
    return 0;
}

int do_quit(struct client *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (send_command(c, "QUIT") != 221 && !c->dead)
        show_reply(c, "quit");
    printf("Goodbye (谢谢使用).\n");
    c->dead = true; /* nothing more to say on this connection */
    return 0;
}

/* Split line into words at blanks, as the standard ftp client does: a
 * "double-quoted" part keeps its blanks (and ';'), a backslash outside
 * quotes takes the next character as it is. The words are written over
 * line. Their count, or -1 (said why). */
static int split_words(char *line, char **words)
{
    char *in = line, *out = line;
    int n = 0;
    for (;;) {
        in += strspn(in, BLANKS);
        if (*in == '\0')
            break;
        if (n == MAX_WORDS - 1) {
            warn_msg("too many words (a name with spaces: \"my name\")");
            return -1;
        }
        words[n++] = out;
        bool quoted = false;
        for (; *in != '\0' && (quoted || strchr(BLANKS, *in) == NULL); in++) {
            if (*in == '"')
                quoted = !quoted;
            else if (*in == '\\' && !quoted && in[1] != '\0')
                *out++ = *++in;
            else
                *out++ = *in;
        }
        if (quoted) {
            warn_msg("a quote (\") is not closed");
            return -1;
        }
        if (*in != '\0')
            in++; /* past the blank: out may write over it */
        *out++ = '\0';
        for (const char *p = words[n - 1]; *p != '\0'; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f) {
                warn_msg("control characters are not allowed in names");
                return -1;
            }
    }
    words[n] = NULL;
    return n;
}

/* The next command of a -c script, cut at a ';' outside quotes; NULL at
 * the end. *rest moves past it. */
static char *next_command(char **rest)
{
    char *cmd = *rest, *p = cmd;
    if (cmd == NULL)
        return NULL;
    bool quoted = false;
    for (; *p != '\0' && (quoted || *p != ';'); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == '\\' && !quoted && p[1] != '\0')
            p++;
    }
    *rest = *p == ';' ? p + 1 : NULL;
    *p = '\0';
    return cmd;
}

int run_line(struct client *c, char *line, const struct menu_entry *menu,
             size_t n)
{
    char *words[MAX_WORDS];
    int argc = split_words(line, words);
    if (argc <= 0)
        return argc;
    for (size_t i = 0; i < n; i++) {
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

int run_script(struct client *c, char *script, const struct menu_entry *menu,
               size_t n)
{
    char *rest = script;
    for (char *cmd; (cmd = next_command(&rest)) != NULL;) {
        cmd += strspn(cmd, BLANKS);
        if (cmd[0] == '\0')
            continue;
        printf("ftp> %s\n", cmd);
        fflush(stdout);
        if (run_line(c, cmd, menu, n) < 0)
            return -1;
    }
    if (!c->dead)
        send_command(c, "QUIT");
    return 0;
}

void run_menu(struct client *c, const struct menu_entry *menu, size_t n)
{
    char line[FTPC_INPUT_MAX];
    do_help(c, 0, NULL);
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
            warn_msg("line too long (at most %d characters)",
                     FTPC_INPUT_MAX - 2);
            continue;
        }
        run_line(c, line, menu, n);
    }
}
