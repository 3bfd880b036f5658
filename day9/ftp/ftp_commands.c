/* day9/ftp/ftp_commands.c — the command table of an FTP session, the
 * rules every command line passes (log in first, the right arguments),
 * and the small commands: login (USER, PASS, QUIT) and the settings a
 * client asks about (SYST, FEAT, OPTS, NOOP, HELP, TYPE, MODE, STRU, ALLO,
 * ABOR). The transfers are in ftp_session.c, folders in ftp_folders.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "day9/ftp/ftp_command.h"
#include "day9/ftp/ftp_data.h"
#include "day9/ftp/ftp_state.h"

static ftp_cmd cmd_user, cmd_pass, cmd_quit, cmd_syst, cmd_feat, cmd_opts,
    cmd_noop, cmd_help, cmd_type, cmd_mode, cmd_stru, cmd_allo, cmd_abor;

enum arg_rule { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

struct command {
    const char *verb;
    enum arg_rule arg;
    bool before_login; /* allowed before USER/PASS */
    ftp_cmd *run;
};

static const struct command commands[] = {
    {"USER", ARG_REQUIRED, true, cmd_user},
    {"PASS", ARG_OPTIONAL, true, cmd_pass},
    {"QUIT", ARG_NONE, true, cmd_quit},
    {"SYST", ARG_NONE, true, cmd_syst},
    {"FEAT", ARG_NONE, true, cmd_feat},
    {"OPTS", ARG_REQUIRED, false, cmd_opts},
    {"NOOP", ARG_NONE, false, cmd_noop},
    {"HELP", ARG_OPTIONAL, false, cmd_help},
    {"TYPE", ARG_REQUIRED, false, cmd_type},
    {"MODE", ARG_REQUIRED, false, cmd_mode},
    {"STRU", ARG_REQUIRED, false, cmd_stru},
    {"ALLO", ARG_REQUIRED, false, cmd_allo},
    {"ABOR", ARG_NONE, false, cmd_abor},
    /* the transfers (ftp_session.c) */
    {"PASV", ARG_NONE, false, cmd_pasv},
    {"EPSV", ARG_OPTIONAL, false, cmd_epsv},
    {"LIST", ARG_OPTIONAL, false, cmd_list},
    {"NLST", ARG_OPTIONAL, false, cmd_nlst},
    {"RETR", ARG_REQUIRED, false, cmd_retr},
    {"STOR", ARG_REQUIRED, false, cmd_stor},
    /* folders and file facts (ftp_folders.c) */
    {"PWD", ARG_NONE, false, cmd_pwd},
    {"XPWD", ARG_NONE, false, cmd_pwd},
    {"CWD", ARG_REQUIRED, false, cmd_cwd},
    {"XCWD", ARG_REQUIRED, false, cmd_cwd},
    {"CDUP", ARG_NONE, false, cmd_cdup},
    {"XCUP", ARG_NONE, false, cmd_cdup},
    {"SIZE", ARG_REQUIRED, false, cmd_size},
    {"MDTM", ARG_REQUIRED, false, cmd_mdtm},
    {"DELE", ARG_REQUIRED, false, cmd_dele},
    {"MKD", ARG_REQUIRED, false, cmd_mkd},
    {"XMKD", ARG_REQUIRED, false, cmd_mkd},
    {"RMD", ARG_REQUIRED, false, cmd_rmd},
    {"XRMD", ARG_REQUIRED, false, cmd_rmd},
};

/* Commands a client may know that this server deliberately leaves out. */
static const char *const not_implemented[] = {
    "PORT", "EPRT", "REST", "APPE", "RNFR", "RNTO", "STOU", "ACCT", "SITE",
    "SMNT", "REIN", "STAT", "AUTH", "PBSZ", "PROT", "MLSD", "MLST"};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* Parse one command line and run it, with the RFC 959 reply codes for
 * whatever is wrong with it. */
void ftp_dispatch(struct session *s, const char *line, size_t len)
{
    struct ftp_command cmd;
    s->commands++;
    if (ftp_command_parse(line, len, &cmd) < 0) {
        reply(s, 500, "Syntax error: expected e.g. \"RETR name\".");
        return;
    }
    for (size_t i = 0; i < COUNT(not_implemented); i++)
        if (strcmp(cmd.verb, not_implemented[i]) == 0) {
            if (strcmp(cmd.verb, "PORT") == 0 || strcmp(cmd.verb, "EPRT") == 0)
                reply(s, 502, "Active mode is not supported; use PASV, EPSV.");
            else
                reply(s, 502, "%s is not implemented.", cmd.verb);
            return;
        }
    const struct command *c = NULL;
    for (size_t i = 0; i < COUNT(commands) && c == NULL; i++)
        if (strcmp(cmd.verb, commands[i].verb) == 0)
            c = &commands[i];
    if (c == NULL)
        reply(s, 500, "Unknown command %s.", cmd.verb); /* letters only */
    else if (!c->before_login && !s->logged_in)
        reply(s, 530, "Please log in with USER and PASS first.");
    else if (c->arg == ARG_REQUIRED && cmd.arg[0] == '\0')
        reply(s, 501, "%s needs an argument.", c->verb);
    else if (c->arg == ARG_NONE && cmd.arg[0] != '\0')
        reply(s, 501, "%s takes no argument.", c->verb);
    else
        c->run(s, cmd.arg);
}

/* --- login ----------------------------------------------------------- */

static void cmd_user(struct session *s, const char *arg)
{
    char name[64];
    printable(name, sizeof name, arg);
    session_log(s, "USER %s", name);
    s->user_given = true;
    s->logged_in = false;
    reply(s, 331, "User name okay; any password will do (a lab server).");
}

static void cmd_pass(struct session *s, const char *arg)
{
    (void)arg; /* a lab server: every password is right (see the usage) */
    if (!s->user_given) {
        reply(s, 503, "Log in with USER first.");
        return;
    }
    if (!s->logged_in)
        session_log(s, "logged in");
    s->logged_in = true;
    reply(s, 230, "Login successful.");
}

static void cmd_quit(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 221, "Goodbye.");
    s->quit = true;
}

/* --- what the client asks about -------------------------------------- */

static void cmd_syst(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 215, "UNIX Type: L8");
}

static void cmd_feat(struct session *s, const char *arg)
{
    (void)arg;
    static const char features[] = "211-Features:\r\n EPSV\r\n PASV\r\n"
                                   " SIZE\r\n MDTM\r\n UTF8\r\n TVFS\r\n"
                                   "211 End\r\n";
    if (ftp_send_all(s->ctrl, features, sizeof features - 1, -1,
                     s->cfg->idle_timeout_ms) < 0)
        s->quit = true;
}

static void cmd_opts(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "UTF8 ON") == 0)
        reply(s, 200, "UTF8 mode is always on.");
    else
        reply(s, 501, "Option not understood.");
}

static void cmd_noop(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 200, "NOOP ok.");
}

static void cmd_help(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 214,
          "Commands: USER PASS QUIT SYST FEAT OPTS NOOP HELP TYPE "
          "MODE STRU ALLO ABOR PASV EPSV LIST NLST RETR STOR PWD CWD "
          "CDUP SIZE MDTM DELE MKD RMD.");
}

static void cmd_type(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "I") == 0 || strcasecmp(arg, "L 8") == 0)
        s->binary = true;
    else if (strcasecmp(arg, "A") == 0 || strcasecmp(arg, "A N") == 0)
        s->binary = false; /* accepted, but the bytes go as they are */
    else {
        reply(s, 504, "Only TYPE A and TYPE I are supported.");
        return;
    }
    reply(s, 200, "Type set to %s.", s->binary ? "I" : "A");
}

static void cmd_mode(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "S") == 0)
        reply(s, 200, "Mode set to S.");
    else
        reply(s, 504, "Only MODE S (stream) is supported.");
}

static void cmd_stru(struct session *s, const char *arg)
{
    if (strcasecmp(arg, "F") == 0)
        reply(s, 200, "Structure set to F.");
    else
        reply(s, 504, "Only STRU F (file) is supported.");
}

static void cmd_allo(struct session *s, const char *arg)
{
    (void)arg;
    reply(s, 202, "ALLO is not needed.");
}

static void cmd_abor(struct session *s, const char *arg)
{
    (void)arg;
    drop_pasv(s);
    reply(s, 226, "No transfer to abort.");
}
