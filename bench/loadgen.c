/* bench/loadgen.c — 压力测试客户端 / the suite's own load generator
 *
 * Opens N connections to a server and keeps each busy with one message
 * (or HTTP request) in flight, every reply checked; or opens a new
 * connection per message. Measures messages a second and the latency of
 * each, into a histogram (p50, p90, p99, p99.9, max).
 *
 * Run it:   ./build/day10/epoll_server &          (port 9005)
 *           ./build/bench/loadgen -p 9005 -c 50 -d 5
 *           ./build/bench/loadgen -p 9005 -c 50 -R 20000   (open loop)
 *           ./build/bench/loadgen -m http -p 8000 -u /index.html
 * Watch:    closed loop (the default) sends the next message when the
 *           reply is in: a slow server gets fewer messages, and its slow
 *           moments hide. Open loop (-R) sends at a fixed rate whatever
 *           happens and charges each latency from when the message was
 *           DUE, so a stall shows as latency (bench/lg/sched.h).
 *           -k prints one key=value line for scripts (bench/run.sh).
 * The engine is bench/lg/engine.c; make bench drives it (bench/shootout.c).
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lg/engine.h"
#include "common/errors.h"
#include "common/options.h"

static const char usage[] =
    "usage: loadgen [-H HOST] [-p PORT] [-m MODE] [-c CONNS] [-s SIZE] [-u PATH]\n"
    "               [-d SECONDS] [-R RATE] [-I IDLE] [-t THREADS] [-a CPU] [-T SECONDS] [-k]\n"
    "  -m MODE     echo (default), connmsg (a new connection per message),\n"
    "              http (GET over keep-alive), http-close (a connection per request)\n"
    "  -c CONNS    connections with a message in flight (default 50)\n"
    "  -s SIZE     echo message bytes (default 64)       -u PATH  HTTP path (default /)\n"
    "  -d SECONDS  how long to measure (default 5)\n"
    "  -R RATE     open loop: RATE messages a second in all, latency from the due time\n"
    "  -I IDLE     idle connections held open beside the busy ones\n"
    "  -t THREADS  engines (threads), at most one per CPU (default 1)\n"
    "  -a CPU      pin the engines to CPU, CPU+1, ... (default: not pinned)\n"
    "  -T SECONDS  time allowed to open the connections (default 5)\n"
    "  -k          print one key=value line (for scripts) instead of the report\n"
    "Exit status: 0, or 1 if the server was not there or a reply was wrong.\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static double seconds_arg(const char *arg, const char *what)
{
    char *end;
    double v = strtod(arg, &end);
    if (*arg == '\0' || *end != '\0' || !(v > 0) || v > 86400)
        die_usage(usage, "bad %s '%s'", what, arg);
    return v;
}

static long long_arg(const char *arg, long min, long max, const char *what)
{
    long v;
    if (parse_long(arg, min, max, &v) < 0)
        die_usage(usage, "bad %s '%s': expected %ld to %ld", what, arg, min, max);
    return v;
}

static void report(const struct lg_config *c, const struct lg_result *r, int threads)
{
    const struct hist *h = &r->hist;
    double el = r->elapsed > 0 ? r->elapsed : 1;
    printf("loadgen: %s %s:%d, %d connections", lg_mode_name(c->mode), c->host, c->port, c->conns);
    if (c->idle)
        printf(" (+%d idle)", c->idle);
    if (c->mode == LG_ECHO || c->mode == LG_ECHO_CONNMSG)
        printf(", %zu-byte messages", c->size);
    else
        printf(", GET %s", c->path);
    if (c->rate > 0)
        printf(", open loop at %.0f/s", c->rate);
    else
        printf(", closed loop");
    printf(", %.1f s, %d thread%s\n", r->elapsed, threads, threads > 1 ? "s" : "");
    printf("  messages  %llu (%.0f/s), %.2f MiB/s received, errors %llu\n",
           (unsigned long long)r->msgs, (double)r->msgs / el,
           (double)r->bytes / el / 1048576.0, (unsigned long long)r->errors);
    printf("  latency   p50 %.1f us  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (mean %.1f)\n",
           (double)hist_percentile(h, 50) / 1e3, (double)hist_percentile(h, 90) / 1e3,
           (double)hist_percentile(h, 99) / 1e3, (double)hist_percentile(h, 99.9) / 1e3,
           (double)h->max / 1e3, hist_mean(h) / 1e3);
    printf("  conns     %d answered, %d open at the end, %llu connect timeouts, %llu unanswered",
           r->conns_answered, r->conns_open, (unsigned long long)r->connect_timeouts,
           (unsigned long long)r->unanswered);
    if (c->rate > 0)
        printf(", %llu due but never sent", (unsigned long long)r->late);
    if (c->idle)
        printf(", idle %llu open %llu lost", (unsigned long long)r->idle_open,
               (unsigned long long)r->idle_lost);
    printf("\n  cpu       loadgen %.0f%% of one core\n", 100.0 * r->cpu / el);
    if (r->first_error[0])
        printf("  first error: %s\n", r->first_error);
}

static void report_kv(const struct lg_config *c, const struct lg_result *r)
{
    const struct hist *h = &r->hist;
    double el = r->elapsed > 0 ? r->elapsed : 1;
    printf("mode=%s conns=%d idle=%d size=%zu rate=%.0f elapsed=%.3f msgs=%llu msgs_per_s=%.1f "
           "bytes=%llu errors=%llu connect_timeouts=%llu unanswered=%llu late=%llu "
           "idle_open=%llu idle_lost=%llu conns_open=%d conns_answered=%d lg_cpu=%.3f "
           "p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f mean_us=%.1f\n",
           lg_mode_name(c->mode), c->conns, c->idle, c->size, c->rate, r->elapsed,
           (unsigned long long)r->msgs, (double)r->msgs / el, (unsigned long long)r->bytes,
           (unsigned long long)r->errors, (unsigned long long)r->connect_timeouts,
           (unsigned long long)r->unanswered, (unsigned long long)r->late,
           (unsigned long long)r->idle_open, (unsigned long long)r->idle_lost, r->conns_open,
           r->conns_answered, r->cpu, (double)hist_percentile(h, 50) / 1e3, (double)hist_percentile(h, 90) / 1e3,
           (double)hist_percentile(h, 99) / 1e3, (double)hist_percentile(h, 99.9) / 1e3,
           (double)h->max / 1e3, hist_mean(h) / 1e3);
}

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    struct lg_config c;
    lg_config_init(&c);
    struct client_opts co;
    client_opts_init(&co, 9005);
    long threads = 1, cpu = -1;
    int kv = 0, opt;
    while ((opt = getopt(argc, argv, CLIENT_OPTSTRING "m:c:s:u:d:R:I:t:a:T:k")) != -1) {
        if (client_opts_handle(&co, opt, optarg, usage))
            continue;
        switch (opt) {
        case 'm':
            if (strcmp(optarg, "echo") == 0)
                c.mode = LG_ECHO;
            else if (strcmp(optarg, "connmsg") == 0)
                c.mode = LG_ECHO_CONNMSG;
            else if (strcmp(optarg, "http") == 0)
                c.mode = LG_HTTP;
            else if (strcmp(optarg, "http-close") == 0)
                c.mode = LG_HTTP_CLOSE;
            else
                die_usage(usage, "bad mode '%s'", optarg);
            break;
        case 'c': c.conns = (int)long_arg(optarg, 1, 1000000, "connection count"); break;
        case 's': c.size = (size_t)long_arg(optarg, 1, 64L << 20, "size"); break;
        case 'u':
            if (optarg[0] != '/' || strpbrk(optarg, " \r\n") != NULL)
                die_usage(usage, "bad path '%s': it starts with / and has no spaces", optarg);
            c.path = optarg;
            break;
        case 'd': c.duration = seconds_arg(optarg, "duration"); break;
        case 'R': c.rate = seconds_arg(optarg, "rate"); break;
        case 'I': c.idle = (int)long_arg(optarg, 0, 1000000, "idle count"); break;
        case 't': threads = long_arg(optarg, 1, 1024, "thread count"); break;
        case 'a': cpu = long_arg(optarg, 0, 4095, "cpu"); break;
        case 'T': c.connect_timeout = seconds_arg(optarg, "connect timeout"); break;
        case 'k': kv = 1; break;
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu > 0 && threads > ncpu) {
        warn_msg("%ld threads asked, %ld CPUs here: using %ld (one per core at most)", threads,
                 ncpu, ncpu);
        threads = ncpu;
    }
    if (threads > c.conns)
        threads = c.conns;
    c.host = co.host;
    c.port = co.port;
    c.stop = &stop_flag;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int cpus[1024];
    for (long i = 0; i < threads; i++)
        cpus[i] = (int)((cpu + i) % (ncpu > 0 ? ncpu : 1));
    struct lg_result *r = malloc(sizeof *r);
    if (r == NULL)
        die("out of memory");
    if (lg_run_threads(&c, (int)threads, cpu >= 0 ? cpus : NULL, r) < 0)
        die("%s", r->first_error);
    if (kv)
        report_kv(&c, r);
    else
        report(&c, r, (int)threads);
    int status = 0;
    if (r->errors > 0) {
        warn_msg("%llu errors; the first: %s", (unsigned long long)r->errors, r->first_error);
        status = 1;
    }
    free(r);
    return status;
}
