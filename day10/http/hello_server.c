/* day10/http/hello_server.c — HTTPServer v2.0 / 类接口封装: the class
 * interface in use
 *
 * The course ends its web server with `HTTPServer(...).serve_forever()`:
 * a class a program creates and starts. This whole program is that, in C,
 * with day10/http/http_api.h: new, serve_forever, free.
 *
 * Run it:   ./build/day10/http/hello_server [-p PORT] [DIR]   (port 8000)
 *           curl http://127.0.0.1:8000/
 * Watch:    everything http_server does, from 3 calls; Ctrl-C stops it.
 * See also: http_api.h, http_server.c (the same server, with every option).
 */
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"
#include "day10/http/http_api.h"

static const char usage[] = "usage: hello_server [-b ADDR] [-p PORT] [DIR]\n"
                            "  serve DIR (default: the shipped site)\n";

int main(int argc, char *argv[])
{
    struct server_opts so;
    int opt;
    prog_init(argv[0]);
    server_opts_init(&so, 8000);
    while ((opt = getopt(argc, argv, SERVER_OPTSTRING)) != -1)
        if (!server_opts_handle(&so, opt, optarg, usage))
            die_usage(usage, NULL);
    if (argc - optind > 1)
        die_usage(usage, "unexpected argument '%s'", argv[optind + 1]);

    struct http_server *s =
        http_server_new(so.bind_addr, so.port, argv[optind]); /* NULL: none */
    if (s == NULL)
        return 1;
    int status = http_server_serve_forever(s);
    http_server_free(s);
    return status == 0 ? 0 : 1;
}
