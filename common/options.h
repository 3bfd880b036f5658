/* common/options.h — the command-line options every server and client
 * shares (-b ADDR -p PORT -h for servers, -H HOST -p PORT -h for clients),
 * and strict number parsers that reject "abc", "-1", "70000" and "80x".
 *
 * Use inside a getopt loop, so each program adds its own flags:
 *
 *     struct server_opts so;
 *     server_opts_init(&so, 9000);
 *     while ((c = getopt(argc, argv, SERVER_OPTSTRING "v")) != -1) {
 *         if (server_opts_handle(&so, c, optarg, usage))
 *             continue;
 *         switch (c) { case 'v': verbose = true; break;
 *                      default: die_usage(usage, NULL); }
 *     }
 */
#ifndef CONCLAB_OPTIONS_H
#define CONCLAB_OPTIONS_H

#include <stdbool.h>

#define SERVER_OPTSTRING  "b:p:h"
#define CLIENT_OPTSTRING  "H:p:h"
#define DEFAULT_BIND_ADDR "127.0.0.1"

struct server_opts {
    const char *bind_addr; /* -b, default 127.0.0.1 */
    int port;              /* -p, 0..65535; 0 lets the kernel choose */
};

struct client_opts {
    const char *host; /* -H, default 127.0.0.1 */
    int port;         /* -p */
};

/* Parse a port number 0..65535 (digits only); 0 on success, -1 if bad. */
int parse_port(const char *text, int *port);

/* Parse a decimal integer in [min, max] (digits, optional leading -);
 * 0 on success, -1 if bad. */
int parse_long(const char *text, long min, long max, long *value);

/* Set the defaults: bind to 127.0.0.1 on default_port. */
void server_opts_init(struct server_opts *o, int default_port);

/* Handle -b, -p or -h; true if opt was one of them. A bad port exits 2
 * with usage; -h prints usage on stdout and exits 0. */
bool server_opts_handle(struct server_opts *o, int opt, const char *arg, const char *usage);

/* Set the defaults: connect to 127.0.0.1 on default_port. */
void client_opts_init(struct client_opts *o, int default_port);

/* Handle -H, -p or -h, as server_opts_handle does. */
bool client_opts_handle(struct client_opts *o, int opt, const char *arg, const char *usage);

/* For a program with no options but -h: -h prints usage and exits 0; any
 * other option or any argument prints usage on stderr and exits 2. */
void parse_no_options(int argc, char *argv[], const char *usage);

#endif
