/* bench/shootout.c — 并发模型对比 / the concurrency-models shoot-out
 *
 * What make bench runs (through bench/run.sh): the suite's own servers
 * under the suite's own load generator (bench/lg/engine.c, in this
 * process), one after the other, each freshly started and stopped:
 *   echo     loop, fork, thread, select, poll, epoll (level and edge) and
 *            the reference loop bench/ref_echo at 1, 50 and 1000 connections
 *   connmsg  a new connection per message, 50 at once
 *   open     open loop at half the reference's rate: latency percentiles
 *   c10k     50 busy connections beside 0, 1000, 10000 idle ones
 *   spawn    bench/spawn: pool against fork/thread per task, creation cost
 *   http     day10/http/http_server (and nginx, lighttpd where installed)
 * Every figure comes with the server's own CPU time per message (its whole
 * process tree, from /proc) and its memory, because on a small machine the
 * load generator saturates first (DESIGN.md, Benchmarks).
 *
 * Run it:   make bench [QUICK=1]     or  ./build/bench/shootout -b build [-q]
 *   -b BUILD  the build folder (default build)    -o DIR  output (BUILD + /bench)
 *   -q        quick (about a minute)    -z  smallest (the smoke test)
 *   -d SECS   seconds per measurement   -w LIST  sections, e.g. echo,c10k
 * Output: tables on stdout; in DIR: a CSV and SVG charts per section,
 * and index.html.
 */
#define _GNU_SOURCE /* sched_setaffinity, prctl */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/lg/engine.h"
#include "bench/lg/proctree.h"
#include "bench/lg/svg.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/net.h"

static const char usage[] =
    "usage: shootout [-b BUILD] [-o DIR] [-q | -z] [-d SECONDS] [-w SECTIONS]\n"
    "  -q  quick run (about a minute)   -z  smallest run (smoke test)\n"
    "  -w  comma-separated sections: echo,connmsg,open,c10k,spawn,http (default all)\n";

enum { MAX_ROWS = 256, NPCT = 11, MAX_SERVERS = 16 };
static const double pcts[NPCT] = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

struct srv {
    const char *name, *bin, *flag; /* flag: one extra argument, or NULL */
};
static const struct srv echo_servers[] = {
    {"ref", "bench/ref_echo", NULL},       {"loop", "day9/loop_server", NULL},
    {"fork", "day9/fork_server", NULL},    {"thread", "day9/thread_server", NULL},
    {"select", "day10/select_server", NULL}, {"poll", "day10/poll_server", NULL},
    {"epoll", "day10/epoll_server", NULL}, {"epoll-et", "day10/epoll_server", "-e"},
};
enum { N_ECHO = sizeof echo_servers / sizeof echo_servers[0] };

struct row {
    char section[16], workload[24], server[24];
    int conns, idle;
    double rate; /* open loop: msgs/s asked */
    bool ran;
    double msgs_s, mib_s, us_msg, srv_pct, lg_pct, elapsed;
    double p[NPCT]; /* µs */
    unsigned long long msgs, errors, unanswered, timeouts, late, idle_open, idle_lost;
    int answered;
    long rss_kb, pss_kb;
    int procs, threads;
    double load0, load1;
    char note[240];
};

static struct row rows[MAX_ROWS];
static int nrows;
static volatile sig_atomic_t stop_flag;
static pid_t live_pid = -1; /* the server running now (its process group) */
static const char *build = "build";
static char out[PATH_MAX], logdir[PATH_MAX + 16];
static double duration = 4;
static bool tiny, quick, pinned, tty;
static int server_cpu, client_cpu, ncpu;
static int progress_done, progress_total;
static long nofile;
static int servers_started, servers_stopped;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
    if (!tty)
        return;
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\r\033[K[%d/%d] %s", progress_done + 1, progress_total, text);
}

static void progress_clear(void)
{
    if (tty)
        fputs("\r\033[K", stderr);
}

/* --- servers ------------------------------------------------------------ */

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu < 0)
        for (int i = 0; i < ncpu && i < CPU_SETSIZE; i++)
            CPU_SET(i, &set);
    else
        CPU_SET(cpu, &set);
    (void)sched_setaffinity(0, sizeof set, &set);
}

/* Start argv in a process group of its own, pinned to the server's CPU,
 * its output in LOGDIR/name.log. port_out: read the port from its
 * "listening on ADDR:PORT" line; else wait until fixed_port answers. */
static pid_t server_start(const char *const argv[], const char *name, int fixed_port,
                          int *port_out)
{
    char log[PATH_MAX + 64];
    snprintf(log, sizeof log, "%s/%s.log", logdir, name);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        die_errno("open %s", log);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* if we die, so does it */
        if (pinned)
            pin_to(server_cpu);
        dup2(fd, 1);
        dup2(fd, 2);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    close(fd);
    live_pid = pid;
    servers_started++;
    double t0 = clock_now();
    while (clock_now() - t0 < 5 && !stop_flag) {
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            live_pid = -1;
            servers_stopped++;
            return -1;
        }
        if (fixed_port > 0) {
            int c = net_tcp_connect("127.0.0.1", fixed_port);
            if (c >= 0) {
                close(c);
                *port_out = fixed_port;
                return pid;
            }
        } else {
            FILE *f = fopen(log, "r");
            char line[256];
            if (f && fgets(line, sizeof line, f) && strncmp(line, "listening on ", 13) == 0) {
                char *colon = strrchr(line, ':');
                fclose(f);
                if (colon && (*port_out = atoi(colon + 1)) > 0)
                    return pid;
            } else if (f) {
                fclose(f);
            }
        }
        clock_sleep_ms(10);
    }
    return pid; /* did not answer in time: the caller stops it */
}

/* SIGTERM to its group; SIGKILL after 5 s; then nothing of it is left. */
static void server_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(-pid, SIGTERM);
    double t0 = clock_now();
    bool reaped = false;
    while (!reaped && clock_now() - t0 < 5) {
        pid_t w = waitpid(pid, NULL, WNOHANG);
        if (w == pid || (w < 0 && errno == ECHILD))
            reaped = true;
        else
            clock_sleep_ms(5);
    }
    if (!reaped) {
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    /* children of a fork server left in the group, orphans reparented to
     * us (we are a subreaper): end and reap them */
    for (int i = 0; i < 200 && kill(-pid, 0) == 0; i++) {
        if (i == 100)
            kill(-pid, SIGKILL);
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        clock_sleep_ms(10);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    live_pid = -1;
    servers_stopped++;
}

static void cleanup_and_exit(int status)
{
    progress_clear();
    if (live_pid > 0)
        server_stop(live_pid);
    if (status == 130)
        printf("shootout: interrupted; every server stopped (%d started, %d stopped)\n",
               servers_started, servers_stopped);
    exit(status);
}

/* --- one measurement ------------------------------------------------------- */

struct hook {
    pid_t pid;
    struct proc_sample s0, s1;
};

static void hook_start(void *arg)
{
    struct hook *h = arg;
    proctree_sample(h->pid, 0, &h->s0);
}

static void hook_end(void *arg)
{
    struct hook *h = arg;
    proctree_sample(h->pid, 1, &h->s1);
}

static struct row *new_row(const char *section, const char *workload, const char *server)
{
    if (nrows == MAX_ROWS)
        die("too many measurements");
    struct row *r = &rows[nrows++];
    memset(r, 0, sizeof *r);
    snprintf(r->section, sizeof r->section, "%s", section);
    snprintf(r->workload, sizeof r->workload, "%s", workload);
    snprintf(r->server, sizeof r->server, "%s", server);
    return r;
}

static void note(struct row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct row *r, const char *fmt, ...)
{
    size_t len = strlen(r->note);
    if (len + 3 >= sizeof r->note)
        return;
    if (len)
        len += (size_t)snprintf(r->note + len, sizeof r->note - len, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note + len, sizeof r->note - len, fmt, ap);
    va_end(ap);
}

/* Start argv, run the load cfg against it, stop it, fill r. */
static void measure(struct row *r, const char *const argv[], int fixed_port,
                    struct lg_config *cfg)
{
    progress("%s %s: %d conns%s", r->workload, r->server, cfg->conns,
             cfg->idle ? " + idle" : "");
    r->conns = cfg->conns;
    r->idle = cfg->idle;
    r->rate = cfg->rate;
    r->load0 = load1();
    if (access(argv[0], X_OK) != 0) {
        note(r, "%s is not built", argv[0]);
        progress_done++;
        return;
    }
    int port = 0;
    pid_t pid = server_start(argv, r->server, fixed_port, &port);
    if (pid < 0 || port <= 0) {
        note(r, "the server did not start (see %s/%s.log)", logdir, r->server);
        server_stop(pid);
        progress_done++;
        return;
    }
    struct hook h = {.pid = pid};
    cfg->port = port;
    cfg->stop = &stop_flag;
    cfg->on_start = hook_start;
    cfg->on_end = hook_end;
    cfg->hook_arg = &h;
    static struct lg_result res;
    int rc = lg_run(cfg, &res);
    server_stop(pid);
    if (stop_flag)
        cleanup_and_exit(130);
    r->load1 = load1();
    progress_done++;
    if (rc < 0) {
        note(r, "%s", res.first_error);
        return;
    }
    r->ran = true;
    double el = res.elapsed > 0 ? res.elapsed : 1;
    r->elapsed = res.elapsed;
    r->msgs = res.msgs;
    r->msgs_s = (double)res.msgs / el;
    r->mib_s = (double)res.bytes / el / 1048576.0;
    double cpu = h.s1.cpu - h.s0.cpu;
    r->us_msg = res.msgs ? cpu / (double)res.msgs * 1e6 : 0;
    /* a run that ended at once (every connection refused): no percentage */
    r->srv_pct = res.elapsed >= 0.1 ? 100 * cpu / el : 0;
    r->lg_pct = res.elapsed >= 0.1 ? 100 * res.cpu / el : 0;
    for (int i = 0; i < NPCT; i++)
        r->p[i] = (double)hist_percentile(&res.hist, pcts[i]) / 1e3;
    r->p[0] = (double)res.hist.min / 1e3;
    r->errors = res.errors;
    r->unanswered = res.unanswered;
    r->timeouts = res.connect_timeouts;
    r->late = res.late;
    r->idle_open = res.idle_open;
    r->idle_lost = res.idle_lost;
    r->answered = res.conns_answered;
    r->rss_kb = h.s1.rss_kb;
    r->pss_kb = h.s1.pss_kb;
    r->procs = h.s1.procs;
    r->threads = h.s1.threads;
    if (res.errors)
        note(r, "%llu errors, first: %s", (unsigned long long)res.errors, res.first_error);
    if (res.connect_timeouts)
        note(r, "%llu connections not accepted in %.0f s", (unsigned long long)res.connect_timeouts,
             cfg->connect_timeout);
    if (r->answered < cfg->conns)
        note(r, "only %d of %d connections answered", r->answered, cfg->conns);
    if (res.idle_lost)
        note(r, "%llu of %d idle connections closed or refused by the server", (unsigned long long)res.idle_lost,
             cfg->idle);
    if (res.late)
        note(r, "%llu messages due but never sent (no free connection)",
             (unsigned long long)res.late);
}

/* --- tables -------------------------------------------------------------- */

static const struct row *find(const char *workload, const char *server)
{
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].workload, workload) == 0 && strcmp(rows[i].server, server) == 0)
            return &rows[i];
    return NULL;
}

static double ratio_rate(const struct row *r, const char *ref)
{
    const struct row *b = find(r->workload, ref);
    return b && b->ran && b->msgs_s > 0 && r->ran ? r->msgs_s / b->msgs_s : 0;
}

static double ratio_cpu(const struct row *r, const char *ref)
{
    const struct row *b = find(r->workload, ref);
    return b && b->ran && b->us_msg > 0 && r->ran && r->us_msg > 0 ? b->us_msg / r->us_msg : 0;
}

static void print_table(const char *section, const char *title, const char *ref)
{
    progress_clear();
    printf("\n%s\n", title);
    printf("%-10s %-11s %8s %8s %5s %7s %5s %7s %7s %7s %7s %4s %4s %6s %6s %s\n", "workload",
           "server", "conns", "msg/s", "xref", "us/msg", "xref", "p50us", "p99us", "p99.9us",
           "max us", "srv%", "lg%", "RSS MB", "PSS MB", "note");
    double l0 = -1, l1 = -1;
    for (int i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        if (strcmp(r->section, section) != 0)
            continue;
        if (l0 < 0)
            l0 = r->load0;
        l1 = r->load1;
        char rr[16] = "-", rc[16] = "-";
        if (ref && ratio_rate(r, ref) > 0)
            snprintf(rr, sizeof rr, "%.2f", ratio_rate(r, ref));
        if (ref && ratio_cpu(r, ref) > 0)
            snprintf(rc, sizeof rc, "%.2f", ratio_cpu(r, ref));
        char conns[24];
        snprintf(conns, sizeof conns, r->idle ? "%d+%d" : "%d", r->conns, r->idle);
        if (!r->ran) {
            printf("%-10s %-11s %8s %8s  %s\n", r->workload, r->server, conns, "-", r->note);
            continue;
        }
        printf("%-10s %-11s %8s %8.0f %5s %7.2f %5s %7.0f %7.0f %7.0f %7.0f %4.0f %4.0f %6.1f %6.1f "
               "%s\n",
               r->workload, r->server, conns, r->msgs_s, rr, r->us_msg, rc, r->p[1], r->p[5],
               r->p[7], r->p[10], r->srv_pct, r->lg_pct, (double)r->rss_kb / 1024,
               (double)r->pss_kb / 1024, r->note);
    }
    printf("(load average %.2f before, %.2f after; us/msg: the server's CPU time per message;"
           " xref: to %s, >1 is better)\n",
           l0, l1, ref ? ref : "-");
    fflush(stdout);
}

/* --- sections -------------------------------------------------------------- */

static void echo_args(const struct srv *s, const char *argv[8], char *bin, size_t size)
{
    snprintf(bin, size, "%s/%s", build, s->bin);
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "-p";
    argv[n++] = "0";
    if (s->flag)
        argv[n++] = s->flag;
    argv[n] = NULL;
}

static void run_echo(const char *section, const char *workload, const struct srv *s,
                     struct lg_config *cfg)
{
    const char *argv[8];
    char bin[PATH_MAX];
    echo_args(s, argv, bin, sizeof bin);
    struct row *r = new_row(section, workload, s->name);
    measure(r, argv, 0, cfg);
}

static void base_cfg(struct lg_config *c, enum lg_mode mode, int conns)
{
    lg_config_init(c);
    c->mode = mode;
    c->conns = conns;
    c->size = 64;
    c->duration = duration;
    c->connect_timeout = tiny ? 2 : 5;
}

static int echo_conns[3], n_echo_conns;
static int idle_counts[3], n_idle;
static const int c10k_servers[] = {0, 4, 5, 6, 7}; /* ref select poll epoll epoll-et */

static void section_echo(void)
{
    for (int k = 0; k < n_echo_conns; k++) {
        char wl[24];
        snprintf(wl, sizeof wl, "echo-%d", echo_conns[k]);
        for (int i = 0; i < N_ECHO; i++) {
            struct lg_config c;
            base_cfg(&c, LG_ECHO, echo_conns[k]);
            run_echo("echo", wl, &echo_servers[i], &c);
        }
    }
    print_table("echo", "ECHO: each connection keeps one 64-byte message in flight (closed loop)",
                "ref");
}

static void section_connmsg(void)
{
    for (int i = 0; i < N_ECHO; i++) {
        struct lg_config c;
        base_cfg(&c, LG_ECHO_CONNMSG, tiny ? 5 : 50);
        run_echo("connmsg", "connmsg", &echo_servers[i], &c);
    }
    print_table("connmsg", "CONNECTION PER MESSAGE: connect, send 64 bytes, read them back, close",
                "ref");
}

static double open_rate;

static void section_open(void)
{
    const struct row *ref = find("echo-50", "ref");
    if (ref == NULL)
        ref = find(tiny ? "echo-5" : "echo-50", "ref");
    open_rate = ref && ref->ran && ref->msgs_s > 0 ? floor(ref->msgs_s / 2 / 100) * 100 : 10000;
    if (open_rate < 100)
        open_rate = 100;
    char wl[24];
    snprintf(wl, sizeof wl, "open-%.0f", open_rate);
    for (int i = 0; i < N_ECHO; i++) {
        struct lg_config c;
        base_cfg(&c, LG_ECHO, tiny ? 5 : 50);
        c.rate = open_rate;
        run_echo("open", wl, &echo_servers[i], &c);
    }
    char title[200];
    snprintf(title, sizeof title,
             "OPEN LOOP: %.0f messages/s in all (half the reference's closed-loop rate), "
             "latency from each message's due time",
             open_rate);
    print_table("open", title, "ref");
}

static void section_c10k(void)
{
    for (int k = 0; k < n_idle; k++) {
        int idle = idle_counts[k];
        char wl[24];
        snprintf(wl, sizeof wl, "idle-%d", idle);
        for (size_t j = 0; j < sizeof c10k_servers / sizeof c10k_servers[0]; j++) {
            struct lg_config c;
            base_cfg(&c, LG_ECHO, tiny ? 5 : 50);
            c.idle = idle;
            c.connect_timeout = 10;
            run_echo("c10k", wl, &echo_servers[c10k_servers[j]], &c);
        }
    }
    print_table("c10k", "C10K: 50 busy connections beside idle ones (select stops at FD_SETSIZE)",
                "ref");
}

static void section_spawn(void)
{
    progress("spawn: pool, fork and thread per task, creation cost");
    struct row *first = NULL;
    double l0 = load1();
    int p[2];
    char bin[PATH_MAX], budget[32];
    snprintf(bin, sizeof bin, "%s/bench/spawn", build);
    snprintf(budget, sizeof budget, "%.2f", tiny ? 0.05 : quick ? 0.3 : 1.0);
    if (pipe(p) < 0)
        die_errno("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        pin_to(-1); /* every CPU: the pool has a worker per CPU */
        dup2(p[1], 1);
        close(p[0]);
        execl(bin, bin, "-k", "-b", budget, (char *)NULL);
        fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(p[1]);
    FILE *f = fdopen(p[0], "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char name[32], unit[32];
        long count;
        double secs, value;
        if (sscanf(line, "name=%31s unit=%31s count=%ld seconds=%lf value=%lf", name, unit, &count,
                   &secs, &value) != 5)
            continue;
        struct row *r = new_row("spawn", name, unit);
        r->ran = true;
        r->msgs_s = value;
        r->msgs = (unsigned long long)count;
        r->elapsed = secs;
        r->load0 = l0;
        if (!first)
            first = r;
    }
    if (f)
        fclose(f);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (stop_flag)
        cleanup_and_exit(130);
    progress_done++;
    progress_clear();
    printf("\nSPAWN: what starting work costs (bench/spawn, budget %s s each)\n", budget);
    if (first == NULL) {
        printf("  spawn failed (status %d)\n", status);
        return;
    }
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].section, "spawn") == 0) {
            rows[i].load1 = load1();
            printf("  %-16s %12.1f %-9s (%llu in %.2f s)\n", rows[i].workload, rows[i].msgs_s,
                   rows[i].server, rows[i].msgs, rows[i].elapsed);
        }
    printf("(load average %.2f before, %.2f after)\n", l0, load1());
}

/* A program in PATH (or /usr/sbin, /sbin), or NULL. */
static const char *which(const char *name, char *buf, size_t size)
{
    const char *path = getenv("PATH");
    char all[4096];
    snprintf(all, sizeof all, "%s:/usr/sbin:/sbin:/usr/local/sbin", path ? path : "/usr/bin:/bin");
    for (char *save, *dir = strtok_r(all, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(buf, size, "%s/%s", dir, name);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

static int free_port(void)
{
    int fd = net_tcp_listen("127.0.0.1", 0, 1);
    int port = fd >= 0 ? net_local_port(fd) : -1;
    if (fd >= 0)
        close(fd);
    return port;
}

static int write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    size_t n = fwrite(text, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static void section_http(void)
{
    char www[PATH_MAX + 16], path[PATH_MAX + 64], tmp[PATH_MAX + 16];
    snprintf(www, sizeof www, "%s/www", out);
    snprintf(tmp, sizeof tmp, "%s/tmp", out);
    mkdir(www, 0755);
    mkdir(tmp, 0755);
    /* the docroot: the shipped index.html and a 1 MiB file */
    char *page = malloc(1 << 20);
    if (page == NULL)
        die("out of memory");
    FILE *f = fopen("day10/http/site/index.html", "r");
    size_t n = f ? fread(page, 1, 65536, f) : 0;
    if (f)
        fclose(f);
    if (n == 0)
        n = (size_t)snprintf(page, 65536, "<html><body>conclab</body></html>\n");
    snprintf(path, sizeof path, "%s/index.html", www);
    if (write_file(path, page, n) < 0)
        die_errno("write %s", path);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < (1u << 20); i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        page[i] = (char)x;
    }
    snprintf(path, sizeof path, "%s/big.bin", www);
    if (write_file(path, page, 1u << 20) < 0)
        die_errno("write %s", path);
    free(page);

    struct { const char *name; int port; const char *argv[8]; char bin[PATH_MAX]; } s[3];
    int ns = 0;
    snprintf(s[0].bin, sizeof s[0].bin, "%s/day10/http/http_server", build);
    const char *a0[] = {s[0].bin, "-p", "0", "-d", www, "-k", "300", NULL};
    memcpy(s[0].argv, a0, sizeof a0);
    s[0].name = "http_server";
    s[0].port = 0;
    ns = 1;
    char conf[PATH_MAX + 64], text[2048];
    if (which("nginx", s[ns].bin, sizeof s[ns].bin)) {
        s[ns].port = free_port();
        snprintf(path, sizeof path, "%s/ngx", tmp);
        mkdir(path, 0755);
        snprintf(conf, sizeof conf, "%s/ngx/logs", tmp);
        mkdir(conf, 0755);
        snprintf(conf, sizeof conf, "%s/nginx.conf", tmp);
        int len = snprintf(text, sizeof text,
                           "worker_processes 1;\nmaster_process off;\ndaemon off;\n"
                           "error_log %s/ngx/logs/error.log;\npid %s/ngx/nginx.pid;\n"
                           "events { worker_connections 4096; }\n"
                           "http {\n access_log off;\n sendfile on;\n keepalive_timeout 300s;\n"
                           " keepalive_requests 1000000;\n"
                           " types { text/html html; application/octet-stream bin; }\n"
                           " server { listen 127.0.0.1:%d; root %s; }\n}\n",
                           tmp, tmp, s[ns].port, www);
        write_file(conf, text, (size_t)len);
        static char c1[PATH_MAX + 64], c2[PATH_MAX + 64];
        snprintf(c1, sizeof c1, "%s", conf);
        snprintf(c2, sizeof c2, "%s", path);
        const char *a[] = {s[ns].bin, "-c", c1, "-p", c2, NULL};
        memcpy(s[ns].argv, a, sizeof a);
        s[ns++].name = "nginx";
    } else {
        printf("\nhttp: nginx is not installed, not compared (Debian: apt-get install nginx-light)\n");
    }
    if (which("lighttpd", s[ns].bin, sizeof s[ns].bin)) {
        s[ns].port = free_port();
        static char c3[PATH_MAX + 32];
        snprintf(c3, sizeof c3, "%s/lighttpd.conf", tmp);
        int len = snprintf(text, sizeof text,
                           "server.document-root = \"%s\"\nserver.bind = \"127.0.0.1\"\n"
                           "server.port = %d\nserver.max-keep-alive-requests = 1000000\n"
                           "server.max-keep-alive-idle = 300\nserver.errorlog = \"%s/lighttpd.err\"\n"
                           "mimetype.assign = (\".html\" => \"text/html\", "
                           "\".bin\" => \"application/octet-stream\")\n",
                           www, s[ns].port, tmp);
        write_file(c3, text, (size_t)len);
        const char *a[] = {s[ns].bin, "-D", "-f", c3, NULL};
        memcpy(s[ns].argv, a, sizeof a);
        s[ns++].name = "lighttpd";
    } else {
        printf("%shttp: lighttpd is not installed, not compared (Debian: apt-get install lighttpd)\n",
               ns == 1 ? "" : "\n");
    }
    struct { const char *wl; enum lg_mode mode; int conns; const char *path; } loads[] = {
        {"http-ka", LG_HTTP, 50, "/index.html"},
        {"http-close", LG_HTTP_CLOSE, 50, "/index.html"},
        {"http-1mib", LG_HTTP, 10, "/big.bin"},
    };
    for (size_t k = 0; k < sizeof loads / sizeof loads[0]; k++)
        for (int i = 0; i < ns; i++) {
            struct lg_config c;
            base_cfg(&c, loads[k].mode, tiny ? 2 : loads[k].conns);
            c.path = loads[k].path;
            struct row *r = new_row("http", loads[k].wl, s[i].name);
            measure(r, s[i].argv, s[i].port, &c);
            if (r->ran && k == 2)
                note(r, "%.0f MiB/s, %.0f us per MiB", r->mib_s, r->us_msg);
        }
    print_table("http", "HTTP: a small file keep-alive, a new connection per request, a 1 MiB file",
                ns > 1 ? s[ns - 1].name : NULL);
}

/* --- files ---------------------------------------------------------------- */

static void csv_text(FILE *f, const char *t)
{
    fputc('"', f);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', f);
        fputc(*t, f);
    }
    fputc('"', f);
}

static void write_csv(const char *section, const char *ref)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.csv", out, section);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        die_errno("%s", path);
    fputs("section,workload,server,conns,idle,rate,msgs_per_s,x_ref_rate,server_us_per_msg,"
          "x_ref_cpu,mib_per_s,p_min_us,p50_us,p75_us,p90_us,p95_us,p99_us,p99_5_us,p99_9_us,"
          "p99_95_us,p99_99_us,max_us,msgs,errors,unanswered,connect_timeouts,late,"
          "conns_answered,idle_open,idle_lost,server_cpu_pct,loadgen_cpu_pct,rss_kb,pss_kb,"
          "procs,threads,load_before,load_after,note\n",
          f);
    for (int i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        if (strcmp(r->section, section) != 0)
            continue;
        fprintf(f, "%s,%s,%s,%d,%d,%.0f,%.1f,%.3f,%.3f,%.3f,%.2f", r->section, r->workload,
                r->server, r->conns, r->idle, r->rate, r->msgs_s, ref ? ratio_rate(r, ref) : 0,
                r->us_msg, ref ? ratio_cpu(r, ref) : 0, r->mib_s);
        for (int k = 0; k < NPCT; k++)
            fprintf(f, ",%.1f", r->p[k]);
        fprintf(f, ",%llu,%llu,%llu,%llu,%llu,%d,%llu,%llu,%.1f,%.1f,%ld,%ld,%d,%d,%.2f,%.2f,",
                r->msgs, r->errors, r->unanswered, r->timeouts, r->late, r->answered,
                r->idle_open, r->idle_lost, r->srv_pct, r->lg_pct, r->rss_kb, r->pss_kb, r->procs,
                r->threads, r->load0, r->load1);
        csv_text(f, r->note);
        fputc('\n', f);
    }
    if (fclose(f) != 0)
        die_errno("%s", path);
}

static void svg_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s.svg", out, name);
}

/* Bars of msgs/s (or value) for one workload; cpu: bars of us/msg. */
static void bars_for(const char *workload, const char *name, const char *title, bool cpu)
{
    struct svg_bar bars[MAX_SERVERS * 3];
    static char notes[MAX_SERVERS * 3][300];
    int n = 0;
    for (int i = 0; i < nrows && n < MAX_SERVERS * 3; i++) {
        const struct row *r = &rows[i];
        if (strcmp(r->workload, workload) != 0)
            continue;
        bars[n].label = r->server;
        if (!r->ran) {
            bars[n].value = -1;
            snprintf(notes[n], sizeof notes[n], "did not run: %.120s", r->note);
        } else if (cpu) {
            bars[n].value = r->us_msg;
            snprintf(notes[n], sizeof notes[n], "us/msg, %.0f msg/s%s%.100s", r->msgs_s,
                     r->note[0] ? " - " : "", r->note);
        } else {
            bars[n].value = r->msgs_s;
            snprintf(notes[n], sizeof notes[n], "msg/s, %.2f us/msg server CPU%s%.100s", r->us_msg,
                     r->note[0] ? " - " : "", r->note);
        }
        bars[n].note = notes[n];
        n++;
    }
    if (n == 0)
        return;
    char path[PATH_MAX + 64];
    svg_path(path, sizeof path, name);
    if (svg_bars(path, title, cpu ? "shorter is cheaper" : "longer is better",
                 cpu ? "server CPU microseconds per message" : "messages per second", bars,
                 n) < 0)
        die_errno("%s", path);
}

static void write_latency_svg(const char *workload)
{
    struct svg_series s[MAX_SERVERS];
    int n = 0;
    for (int i = 0; i < nrows && n < MAX_SERVERS; i++) {
        const struct row *r = &rows[i];
        if (strcmp(r->workload, workload) != 0 || !r->ran || r->msgs == 0)
            continue;
        s[n].name = r->server;
        s[n].n = 0;
        for (int k = 1; k < NPCT; k++) { /* x: 1 / (1 - p), "nines"; max at 10^5 */
            s[n].x[s[n].n] = pcts[k] >= 100 ? 1e5 : 1 / (1 - pcts[k] / 100);
            s[n].y[s[n].n++] = r->p[k] > 0 ? r->p[k] : 0.1;
        }
        n++;
    }
    struct svg_axes ax = {.xlabel = "percentile", .ylabel = "latency, microseconds (log)",
                          .xlog = true, .ylog = true, .nxticks = 6,
                          .xticks = {2, 10, 100, 1000, 1e4, 1e5},
                          .xticklabels = {"50%", "90%", "99%", "99.9%", "99.99%", "max"}};
    char path[PATH_MAX + 64], title[128];
    svg_path(path, sizeof path, "latency");
    snprintf(title, sizeof title, "Open loop at %.0f msg/s: latency by percentile", open_rate);
    if (n && svg_lines(path, title, "lower is better; each line one server; from the due time",
                       &ax, s, n) < 0)
        die_errno("%s", path);
}

/* The idle-connections curves: y of each c10k server against idle count. */
static void write_c10k_svg(const char *name, const char *title, const char *ylabel, int what)
{
    struct svg_series s[MAX_SERVERS];
    int n = 0;
    struct svg_axes ax = {.xlabel = "idle connections held open", .ylabel = ylabel};
    static char ticks[3][16];
    for (int k = 0; k < n_idle; k++) {
        snprintf(ticks[k], sizeof ticks[k], "%d", idle_counts[k]);
        ax.xticks[k] = k;
        ax.xticklabels[k] = ticks[k];
    }
    ax.nxticks = n_idle;
    for (size_t j = 0; j < sizeof c10k_servers / sizeof c10k_servers[0]; j++) {
        const char *srv = echo_servers[c10k_servers[j]].name;
        s[n].name = srv;
        s[n].n = 0;
        for (int k = 0; k < n_idle; k++) {
            char wl[24];
            snprintf(wl, sizeof wl, "idle-%d", idle_counts[k]);
            const struct row *r = find(wl, srv);
            double y = 0;
            if (r && r->ran)
                y = what == 0 ? r->msgs_s : what == 1 ? r->us_msg : (double)r->rss_kb / 1024;
            s[n].x[s[n].n] = k;
            s[n].y[s[n].n++] = y;
        }
        n++;
    }
    char path[PATH_MAX + 64];
    svg_path(path, sizeof path, name);
    if (svg_lines(path, title, "50 busy connections each; x: idle ones beside them", &ax, s, n) < 0)
        die_errno("%s", path);
}

static void write_spawn_svg(void)
{
    struct svg_bar create[2], tasks[3];
    static char notes[5][64];
    int nc = 0, nt = 0;
    for (int i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        if (strcmp(r->section, "spawn") != 0)
            continue;
        bool is_create = strcmp(r->server, "us/create") == 0;
        struct svg_bar *b = is_create ? &create[nc++] : &tasks[nt++];
        snprintf(notes[nc + nt - 1], sizeof notes[0], "%s", r->server);
        b->label = r->workload;
        b->value = r->msgs_s;
        b->note = notes[nc + nt - 1];
        if (nc == 2 && nt == 3)
            break;
    }
    char path[PATH_MAX + 64];
    svg_path(path, sizeof path, "spawn-create");
    if (nc && svg_bars(path, "Creating and ending one thread, one process", "shorter is cheaper",
                       "microseconds each", create, nc) < 0)
        die_errno("%s", path);
    svg_path(path, sizeof path, "spawn-tasks");
    if (nt && svg_bars(path, "Trivial tasks a second: a pool against a new process or thread each",
                       "longer is better", "tasks per second", tasks, nt) < 0)
        die_errno("%s", path);
}

static void html_escape(FILE *f, const char *t)
{
    svg_escape(f, t);
}

static void html_table(FILE *f, const char *section, const char *ref)
{
    fputs("<table><tr><th>workload</th><th>server</th><th>conns</th><th>msg/s</th><th>x ref</th>"
          "<th>server us/msg</th><th>x ref (CPU)</th><th>p50 us</th><th>p99 us</th>"
          "<th>p99.9 us</th><th>max us</th><th>server CPU %</th><th>loadgen CPU %</th>"
          "<th>RSS MB</th><th>PSS MB</th><th>load</th><th>note</th></tr>\n",
          f);
    for (int i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        if (strcmp(r->section, section) != 0)
            continue;
        fprintf(f, "<tr><td>%s</td><td>%s</td><td>%d%s", r->workload, r->server, r->conns,
                r->idle ? "+" : "");
        if (r->idle)
            fprintf(f, "%d", r->idle);
        if (r->ran)
            fprintf(f,
                    "</td><td>%.0f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.0f</td>"
                    "<td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.1f</td>"
                    "<td>%.1f</td><td>%.2f / %.2f</td><td>",
                    r->msgs_s, ref ? ratio_rate(r, ref) : 0, r->us_msg,
                    ref ? ratio_cpu(r, ref) : 0, r->p[1], r->p[5], r->p[7], r->p[10], r->srv_pct,
                    r->lg_pct, (double)r->rss_kb / 1024, (double)r->pss_kb / 1024, r->load0,
                    r->load1);
        else
            fputs("</td><td colspan=\"13\">did not run</td><td>", f);
        html_escape(f, r->note);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void machine(char *buf, size_t size)
{
    char model[128] = "unknown CPU", line[256];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                snprintf(model, sizeof model, "%s", c + 2);
                model[strcspn(model, "\n")] = '\0';
            }
            break;
        }
    if (f)
        fclose(f);
    struct utsname u;
    uname(&u);
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    snprintf(buf, size, "%s, %d CPUs, Linux %s, %s; %s; descriptor limit %ld", model, ncpu,
             u.release, date,
             pinned ? "servers pinned to CPU 0, load generator to the last CPU"
                    : "one CPU: server and load generator share it",
             nofile);
}

struct section_doc {
    const char *id, *title, *text;
    const char *charts[4];
};

static const struct section_doc docs[] = {
    {"echo", "Echo: 1, 50 and 1000 connections",
     "Each connection keeps one 64-byte message in flight; every reply is checked byte for "
     "byte. Bars: messages a second (longer is better); the note gives the server's own CPU time "
     "per message, the figure to compare servers on when the load generator is the busier side "
     "(its CPU % is in the table). The loop server serves one connection at a time: with more, "
     "only one is ever answered. Fork and thread pay a process or a thread per connection.",
     {"echo-1", "echo-50", "echo-1000", "echo-50-cpu"}},
    {"connmsg", "A new connection per message",
     "connect, send, read the echo, close: 50 at a time. Now the cost of accepting is in every "
     "message: fork pays a fork per message, thread a thread.",
     {"connmsg", NULL, NULL, NULL}},
    {"open", "Open loop: latency percentiles",
     "Messages are sent at a fixed rate (half of what the reference loop managed closed-loop), "
     "whether or not the server keeps up, and each latency is counted from when the message was "
     "due. A server that falls behind shows it as a line climbing to the right (x: percentile, "
     "log of the nines; y: microseconds, log). The loop server answers one connection only: the "
     "rest of the schedule is never served.",
     {"latency", NULL, NULL, NULL}},
    {"c10k", "C10K: busy connections beside idle ones",
     "50 busy connections while 0, 1000 and 10000 others sit idle. select() cannot watch a "
     "descriptor at or above FD_SETSIZE (1024): past it the server refuses clients. poll() "
     "passes every descriptor to the kernel on every call, so its cost per message grows with "
     "the idle ones; epoll keeps the interest list in the kernel and stays flat. Memory: what "
     "each server holds per connection.",
     {"c10k-rate", "c10k-cpu", "c10k-rss", NULL}},
    {"spawn", "Starting work: processes, threads, a pool",
     "Creating and ending a process (fork, exit, wait) against a thread (create, join); then "
     "trivial tasks through a pool of pre-forked workers, a new process per task and a new "
     "thread per task. The pool pays for its processes once.",
     {"spawn-create", "spawn-tasks", NULL, NULL}},
    {"http", "HTTP: http_server (and nginx, lighttpd where installed)",
     "GET of the small index.html over keep-alive (50 connections), with a new connection per "
     "request (50), and of a 1 MiB file (10 connections, keep-alive). Status and Content-Length "
     "are checked on every answer.",
     {"http-ka", "http-close", "http-1mib", NULL}},
};

static void write_html(const char *sections)
{
    char path[PATH_MAX + 64], mach[512];
    snprintf(path, sizeof path, "%s/index.html", out);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        die_errno("%s", path);
    machine(mach, sizeof mach);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
          "<title>conclab: the concurrency-models shoot-out</title>\n<style>"
          "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em}"
          "table{border-collapse:collapse;font-size:12px;margin:1em 0}"
          "td,th{border:1px solid #ccc;padding:2px 5px;text-align:right}"
          "td:last-child{text-align:left}img{display:block;margin:1em 0;max-width:100%}"
          "</style></head><body>\n<h1>The concurrency-models shoot-out</h1>\n<p>Machine: ",
          f);
    html_escape(f, mach);
    fprintf(f, ".</p>\n<p>%s run, %.1f s per measurement. Each row records the 1-minute load "
               "average before and after it: a busy machine moves msg/s a lot and the CPU "
               "time per message much less. Every server was started for its row and stopped "
               "after it.</p>\n",
            tiny ? "Smallest (smoke-test)" : quick ? "Quick" : "Full", duration);
    fputs("<p>How to read it: <b>msg/s</b> is what the load generator got; when its own CPU "
          "(loadgen CPU %) is near 100 it, not the server, was the limit. <b>server us/msg</b> "
          "is the server's CPU time (user + system, its whole process tree) per message: "
          "compare servers on that. <b>x ref</b> divides by the reference epoll loop "
          "(bench/ref_echo.c) in the same workload: for msg/s above 1 is faster, for CPU above "
          "1 is cheaper.</p>\n",
          f);
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        bool any = false;
        for (int i = 0; i < nrows; i++)
            any = any || strcmp(rows[i].section, docs[d].id) == 0;
        if (!any || !strstr(sections, docs[d].id))
            continue;
        fprintf(f, "<h2 id=\"%s\">%s</h2>\n<p>%s</p>\n", docs[d].id, docs[d].title, docs[d].text);
        for (int c = 0; c < 4 && docs[d].charts[c]; c++) {
            char svg[PATH_MAX + 64];
            svg_path(svg, sizeof svg, docs[d].charts[c]);
            if (access(svg, R_OK) == 0)
                fprintf(f, "<img src=\"%s.svg\" alt=\"%s\"/>\n", docs[d].charts[c],
                        docs[d].charts[c]);
        }
        if (strcmp(docs[d].id, "spawn") != 0)
            html_table(f, docs[d].id,
                       strcmp(docs[d].id, "http") == 0 ? (find("http-ka", "lighttpd") ? "lighttpd"
                                                                                      : NULL)
                                                       : "ref");
        fprintf(f, "<p>CSV: <a href=\"%s.csv\">%s.csv</a></p>\n", docs[d].id, docs[d].id);
    }
    snprintf(path, sizeof path, "%s/ftp.csv", out);
    if (access(path, R_OK) == 0)
        fputs("<h2 id=\"ftp\">FTP</h2><p>bench/ftp_vs_vsftpd.sh (curl against ftp_server and "
              "vsftpd where installed, taking turns): <a href=\"ftp.csv\">ftp.csv</a> "
              "(medians), <a href=\"ftp-rounds.csv\">ftp-rounds.csv</a> (every round)."
              "</p>\n",
              f);
    fputs("</body></html>\n", f);
    if (fclose(f) != 0)
        die_errno("%s", path);
}

static void write_spawn_csv(void)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/spawn.csv", out);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        die_errno("%s", path);
    fputs("measure,unit,value,count,seconds,load_before,load_after\n", f);
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].section, "spawn") == 0)
            fprintf(f, "%s,%s,%.2f,%llu,%.3f,%.2f,%.2f\n", rows[i].workload, rows[i].server,
                    rows[i].msgs_s, rows[i].msgs, rows[i].elapsed, rows[i].load0, rows[i].load1);
    if (fclose(f) != 0)
        die_errno("%s", path);
}

static void write_outputs(const char *sections)
{
    if (strstr(sections, "echo")) {
        write_csv("echo", "ref");
        for (int k = 0; k < n_echo_conns; k++) {
            char wl[24], title[96];
            snprintf(wl, sizeof wl, "echo-%d", echo_conns[k]);
            snprintf(title, sizeof title, "Echo, %d connection%s: messages a second",
                     echo_conns[k], echo_conns[k] > 1 ? "s" : "");
            bars_for(wl, wl, title, false);
        }
        const char *mid = tiny ? "echo-5" : "echo-50";
        char title[96];
        snprintf(title, sizeof title, "Echo, %s connections: the server's CPU per message",
                 mid + 5);
        bars_for(mid, "echo-50-cpu", title, true);
    }
    if (strstr(sections, "connmsg")) {
        write_csv("connmsg", "ref");
        bars_for("connmsg", "connmsg", "A new connection per message: messages a second", false);
    }
    if (strstr(sections, "open")) {
        write_csv("open", "ref");
        char wl[24];
        snprintf(wl, sizeof wl, "open-%.0f", open_rate);
        write_latency_svg(wl);
    }
    if (strstr(sections, "c10k")) {
        write_csv("c10k", "ref");
        write_c10k_svg("c10k-rate", "Busy connections beside idle ones: messages a second",
                       "messages per second", 0);
        write_c10k_svg("c10k-cpu", "Busy beside idle: the server's CPU per message",
                       "server CPU microseconds per message", 1);
        write_c10k_svg("c10k-rss", "Busy beside idle: the server's memory (RSS)", "RSS, MB", 2);
    }
    if (strstr(sections, "spawn")) {
        write_spawn_csv();
        write_spawn_svg();
    }
    if (strstr(sections, "http")) {
        bool lt = find("http-ka", "lighttpd") != NULL;
        write_csv("http", lt ? "lighttpd" : NULL);
        bars_for("http-ka", "http-ka", "HTTP keep-alive, small file: requests a second", false);
        bars_for("http-close", "http-close", "HTTP, a new connection per request: requests a second",
                 false);
        bars_for("http-1mib", "http-1mib", "HTTP, a 1 MiB file: requests a second", false);
    }
    write_html(sections);
}

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    const char *sections = "echo,connmsg,open,c10k,spawn,http";
    const char *outdir = NULL;
    double dur = 0;
    int opt;
    while ((opt = getopt(argc, argv, "b:o:qzd:w:h")) != -1) {
        char *end;
        switch (opt) {
        case 'b': build = optarg; break;
        case 'o': outdir = optarg; break;
        case 'q': quick = true; break;
        case 'z': tiny = true; break;
        case 'd':
            dur = strtod(optarg, &end);
            if (*end != '\0' || !(dur > 0) || dur > 600)
                die_usage(usage, "bad duration '%s'", optarg);
            break;
        case 'w': sections = optarg; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind < argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    duration = dur > 0 ? dur : tiny ? 0.2 : quick ? 0.5 : 4;
    snprintf(out, sizeof out, "%s", outdir ? outdir : "");
    if (!outdir)
        snprintf(out, sizeof out, "%s/bench", build);
    mkdir(out, 0755);
    char abs[PATH_MAX];
    if (realpath(out, abs) == NULL) /* absolute: nginx and lighttpd need it */
        die_errno("%s", out);
    snprintf(out, sizeof out, "%s", abs);
    snprintf(logdir, sizeof logdir, "%s/logs", out);
    mkdir(logdir, 0755);
    struct stat st;
    if (stat(logdir, &st) < 0 || !S_ISDIR(st.st_mode))
        die_errno("%s", logdir);
    tty = isatty(2);
    ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    pinned = ncpu >= 2;
    server_cpu = 0;
    client_cpu = ncpu - 1;
    if (pinned)
        pin_to(client_cpu);

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* a fork server's orphans come back to us */

    /* descriptors: as many as allowed, for the idle connections */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
        nofile = rl.rlim_cur == RLIM_INFINITY ? 1 << 20 : (long)rl.rlim_cur;
    }
    if (tiny) {
        echo_conns[0] = 1, echo_conns[1] = 5, n_echo_conns = 2;
        idle_counts[0] = 0, idle_counts[1] = 20, n_idle = 2;
    } else {
        echo_conns[0] = 1, echo_conns[1] = 50, echo_conns[2] = 1000, n_echo_conns = 3;
        idle_counts[0] = 0, idle_counts[1] = 1000, idle_counts[2] = 10000, n_idle = 3;
    }
    long room = nofile - 200; /* the busy connections, the listener, stdio */
    for (int k = 0; k < n_idle; k++)
        if (idle_counts[k] > room) {
            printf("c10k: %d idle connections capped at %ld: the descriptor limit (ulimit -n) "
                   "is %ld; raise it to measure more\n",
                   idle_counts[k], room, nofile);
            idle_counts[k] = (int)room;
        }
    progress_total = 0;
    if (strstr(sections, "echo"))
        progress_total += N_ECHO * n_echo_conns;
    if (strstr(sections, "connmsg"))
        progress_total += N_ECHO;
    if (strstr(sections, "open"))
        progress_total += N_ECHO;
    if (strstr(sections, "c10k"))
        progress_total += 5 * n_idle;
    if (strstr(sections, "spawn"))
        progress_total += 1;
    if (strstr(sections, "http"))
        progress_total += 3;
    char mach[512];
    machine(mach, sizeof mach);
    printf("conclab shoot-out: %s\n%s run, %.1f s per measurement; load average now %.2f\n", mach,
           tiny ? "smallest" : quick ? "quick" : "full", duration, load1());
    fflush(stdout);
    double t0 = clock_now();
    if (strstr(sections, "echo"))
        section_echo();
    if (strstr(sections, "connmsg"))
        section_connmsg();
    if (strstr(sections, "open"))
        section_open();
    if (strstr(sections, "c10k"))
        section_c10k();
    if (strstr(sections, "spawn"))
        section_spawn();
    if (strstr(sections, "http"))
        section_http();
    progress_clear();
    write_outputs(sections);
    printf("\n%d servers started, %d stopped; %.0f s in all; results: %s/index.html "
           "(and *.csv, *.svg)\n",
           servers_started, servers_stopped, clock_now() - t0, out);
    return 0;
}
