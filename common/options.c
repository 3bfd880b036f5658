/* common/options.c — see options.h. */
#include "common/options.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/errors.h"

int parse_long(const char *text, long min, long max, long *value)
{
    if (text == NULL)
        return -1;
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (!isdigit((unsigned char)digits[0]))
        return -1; /* empty, "+5", " 5", "abc" */
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1; /* overflow, "80x", out of range */
    *value = v;
    return 0;
}

int parse_port(const char *text, int *port)
{
    long v;
    if (text == NULL || text[0] == '-' || parse_long(text, 0, 65535, &v) < 0)
        return -1;
    *port = (int)v;
    return 0;
}

void server_opts_init(struct server_opts *o, int default_port)
{
    o->bind_addr = DEFAULT_BIND_ADDR;
    o->port = default_port;
}

/* -p and -h are common to both kinds of program. */
static bool handle_port_or_help(int *port, int opt, const char *arg, const char *usage)
{
    if (opt == 'h')
        print_usage_and_exit(usage);
    if (opt != 'p')
        return false;
    if (parse_port(arg, port) < 0)
        die_usage(usage, "bad port '%s': expected a number from 0 to 65535", arg);
    return true;
}

bool server_opts_handle(struct server_opts *o, int opt, const char *arg, const char *usage)
{
    if (opt == 'b') {
        /* A literal only: a name would mean a silent DNS lookup, and a
         * typo such as 999.1.1.1 is a usage error, not a failed call. */
        unsigned char addr[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, arg, addr) != 1 &&
            inet_pton(AF_INET6, arg, addr) != 1)
            die_usage(usage,
                      "bad bind address '%s': expected an IPv4 or IPv6 "
                      "address such as 127.0.0.1, 0.0.0.0 or ::1",
                      arg);
        o->bind_addr = arg;
        return true;
    }
    return handle_port_or_help(&o->port, opt, arg, usage);
}

void client_opts_init(struct client_opts *o, int default_port)
{
    o->host = DEFAULT_BIND_ADDR;
    o->port = default_port;
}

bool client_opts_handle(struct client_opts *o, int opt, const char *arg, const char *usage)
{
    if (opt == 'H') {
        if (arg[0] == '\0')
            die_usage(usage, "empty host");
        o->host = arg;
        return true;
    }
    return handle_port_or_help(&o->port, opt, arg, usage);
}

void parse_no_options(int argc, char *argv[], const char *usage)
{
    int opt;
    while ((opt = getopt(argc, argv, "h")) != -1) {
        if (opt == 'h')
            print_usage_and_exit(usage);
        die_usage(usage, NULL);
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
}
