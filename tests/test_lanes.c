/* tests/test_lanes.c — tools/lanes, the tracer, run for real on the lessons.
 *
 * Each test runs ./build/tools/lanes on a real lesson with -l LOG (the event
 * log, one event a line: "TIME LANE PID/TID KIND key=value... | text") and
 * checks what it recorded against what the lesson does: the zombie's
 * period ends when its parent reaps it with status 7, the orphan is
 * re-parented, the double fork's grandchild is never a zombie, every
 * SIGCHLD child is reaped, two threads wait on each other's lock, the echo
 * servers wait in accept/select/poll/epoll_wait on their main lane. Also:
 * the program's output and status pass through unchanged, trace.json and
 * chart.svg parse, Ctrl-C and a killed tracer leave nothing behind.
 * Where ptrace is not permitted, every test is skipped with the reason.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/procfs.h"
#include "common/clock.h"
#include "tests/harness.h"

/* --- running lanes ---------------------------------------------------------- */

/* program_path's answer lives in one static buffer: keep copies, as an
 * argv holds several paths at once. */
static const char *bin(const char *name)
{
    static char pool[16][512];
    static int next;
    char *p = pool[next++ % 16];
    snprintf(p, sizeof pool[0], "%s", program_path(name));
    return p;
}

static char tmpdir[64];
static char log_path[128], json_path[128], svg_path[128];

static int group_setup(void **state)
{
    harness_group_setup(state);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_lanes.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(log_path, sizeof log_path, "%s/events.log", tmpdir);
    snprintf(json_path, sizeof json_path, "%s/trace.json", tmpdir);
    snprintf(svg_path, sizeof svg_path, "%s/chart.svg", tmpdir);
    return 0;
}

static int group_teardown(void **state)
{
    unlink(log_path);
    unlink(json_path);
    unlink(svg_path);
    rmdir(tmpdir);
    return harness_teardown(state);
}

/* ptrace may be forbidden (Yama, a container): then skip, with the reason.
 * Under TSan too: lanes runs one thread, so TSan has nothing to find in
 * it, and the programs it traces run under TSan in their own suites; the
 * plain and ASan runs test lanes (this saved CI 100 s of 15 minutes). */
static void need_ptrace(void)
{
    if (strcmp(harness_sanitizer(), "thread") == 0) {
        print_message("skipped under TSan: lanes has one thread; the plain "
                      "and ASan runs test it\n");
        skip();
    }
    static int allowed = -1;
    static char why[200];
    if (allowed < 0) {
        const char *argv[] = {bin("tools/lanes"), "-q", "--", "/bin/true", NULL};
        struct run_result r;
        run_program_text(&r, argv, NULL, 20);
        allowed = !(r.exit_code == 1 && strstr(r.err, "PTRACE_SEIZE"));
        if (!allowed)
            snprintf(why, sizeof why, "%.199s", r.err);
        run_result_free(&r);
    }
    if (!allowed) {
        print_message("skipped: ptrace is not permitted here: %s", why);
        skip();
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* Run lanes [opts] -l LOG -o JSON -s SVG -- prog args; returns the log. */
static char *trace(struct run_result *r, const char *const prog_argv[], double timeout)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = bin("tools/lanes");
    argv[n++] = "-b";
    argv[n++] = "0"; /* every blocked period, however short */
    argv[n++] = "-l";
    argv[n++] = log_path;
    argv[n++] = "-o";
    argv[n++] = json_path;
    argv[n++] = "-s";
    argv[n++] = svg_path;
    argv[n++] = "--";
    for (int i = 0; prog_argv[i] && n < 31; i++)
        argv[n++] = prog_argv[i];
    argv[n] = NULL;
    unlink(log_path);
    run_program_text(r, argv, NULL, timeout);
    assert_false(r->timed_out);
    return slurp(log_path);
}

/* --- reading the event log -------------------------------------------------------- */

/* The next event line of log (from *pos) whose lane is lane (or any, NULL),
 * kind is kind and which contains needle (or NULL); its time in *t. */
static const char *find_event(const char *log, const char **pos, const char *lane, const char *kind,
                              const char *needle, double *t)
{
    const char *p = pos && *pos ? *pos : log;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        const char *next = end ? end + 1 : p + len;
        char l_lane[32], l_ids[48], l_kind[32];
        double tt;
        if (line[0] != '#' && sscanf(line, "%lf %31s %47s %31s", &tt, l_lane, l_ids, l_kind) == 4 &&
            (lane == NULL || strcmp(lane, l_lane) == 0) && strcmp(kind, l_kind) == 0 &&
            (needle == NULL || strstr(line, needle))) {
            if (pos)
                *pos = next;
            if (t)
                *t = tt;
            return p;
        }
        p = next;
    }
    return NULL;
}

static int count_events(const char *log, const char *lane, const char *kind, const char *needle)
{
    int n = 0;
    const char *pos = log;
    while (find_event(log, &pos, lane, kind, needle, NULL))
        n++;
    return n;
}

/* Events matching both needles. */
static int count_events2(const char *log, const char *lane, const char *kind, const char *n1,
                         const char *n2)
{
    int n = 0;
    const char *pos = log, *line;
    while ((line = find_event(log, &pos, lane, kind, n1, NULL)) != NULL) {
        const char *end = strchr(line, '\n');
        const char *hit = strstr(line, n2);
        n += hit != NULL && (end == NULL || hit < end);
    }
    return n;
}

/* How many lanes other than except have an event of kind with both
 * needles (n2 may be NULL) and, if min_dur > 0, lasting that long. */
static int lanes_with(const char *log, const char *except, const char *kind, const char *n1,
                      const char *n2, double min_dur);

/* The number after "key=" in the event line at line. */
static double field(const char *line, const char *key)
{
    char k[32];
    snprintf(k, sizeof k, " %s=", key);
    const char *end = strchr(line, '\n');
    const char *p = strstr(line, k);
    assert_non_null(p);
    assert_true(end == NULL || p < end);
    return strtod(p + strlen(k), NULL);
}

static int lanes_with(const char *log, const char *except, const char *kind, const char *n1,
                      const char *n2, double min_dur)
{
    char seen[64][32];
    int n = 0;
    const char *pos = log, *line;
    while ((line = find_event(log, &pos, NULL, kind, n1, NULL)) != NULL) {
        const char *end = strchr(line, '\n');
        const char *hit = n2 ? strstr(line, n2) : line;
        if (hit == NULL || (end && hit > end))
            continue;
        if (min_dur > 0 && field(line, "dur") < min_dur)
            continue;
        char lane[32];
        double t;
        if (sscanf(line, "%lf %31s", &t, lane) != 2 || (except && strcmp(lane, except) == 0))
            continue;
        bool known = false;
        for (int i = 0; i < n; i++)
            known |= strcmp(seen[i], lane) == 0;
        if (!known && n < 64)
            snprintf(seen[n++], sizeof seen[0], "%s", lane);
    }
    return n;
}

/* Lanes in the log ("# lane NAME ..."), threads or processes. */
static int count_lanes(const char *log, bool threads)
{
    int n = 0;
    for (const char *p = log; (p = strstr(p, "# lane ")) != NULL; p++) {
        const char *end = strchr(p, '\n');
        const char *th = strstr(p, " thread\n");
        bool is_thread = th != NULL && (end == NULL || th < end);
        n += is_thread == threads;
    }
    return n;
}

/* --- processes -------------------------------------------------------------- */

static void test_zombie_period_ends_when_the_parent_reaps(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day5/zombie"), NULL};
    struct run_result r;
    char *log = trace(&r, prog, 30);
    assert_exit_code(&r, 0);
    double died, reaped;
    const char *exit_line = find_event(log, NULL, "P2", "exit", "status=7", &died);
    assert_non_null(exit_line);
    assert_non_null(strstr(exit_line, "a zombie until P1 reaps it"));
    const char *reap = find_event(log, NULL, "P2", "reaped", "other=P1", &reaped);
    assert_non_null(reap);
    assert_int_equal((int)field(reap, "status"), 7);
    /* the program saw state Z before it reaped: the zombie period is real */
    assert_true(reaped > died);
    /* the terminal lanes say it too */
    assert_non_null(strstr(r.err, "P1 reaps P2 (exited with status 7): a zombie for"));
    assert_non_null(strstr(r.err, "zombies: 1;"));
    free(log);
    run_result_free(&r);
}

static void test_orphan_is_re_parented_to_lanes(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day5/orphan"), NULL};
    struct run_result r;
    char *log = trace(&r, prog, 30);
    assert_exit_code(&r, 0);
    double parent_died, adopted, child_died;
    assert_non_null(find_event(log, NULL, "P1", "exit", NULL, &parent_died));
    const char *re = find_event(log, NULL, "P2", "reparent", "other=lanes", &adopted);
    assert_non_null(re);
    assert_non_null(
        find_event(log, NULL, "P2", "exit", "lanes (the subreaper) reaps it", &child_died));
    assert_true(parent_died <= adopted && adopted <= child_died);
    /* the orphan itself names lanes as its new parent */
    assert_non_null(strstr(r.out, "(lanes), not init"));
    free(log);
    run_result_free(&r);
}

static void test_double_fork_grandchild_is_never_a_zombie(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day6/child"), NULL};
    struct run_result r;
    char *log = trace(&r, prog, 30);
    assert_exit_code(&r, 0);
    assert_int_equal(count_lanes(log, false), 3);
    assert_non_null(find_event(log, NULL, "P2", "birth", "other=P1", NULL));
    assert_non_null(find_event(log, NULL, "P3", "birth", "other=P2", NULL));
    /* the child is reaped by the parent's wait; the grandchild is adopted
     * and reaped by lanes the moment it ends: no zombie period */
    assert_non_null(find_event(log, NULL, "P2", "reaped", "other=P1", NULL));
    assert_non_null(find_event(log, NULL, "P3", "reparent", NULL, NULL));
    const char *end = find_event(log, NULL, "P3", "exit", NULL, NULL);
    assert_non_null(end);
    assert_non_null(strstr(end, "lanes (the subreaper) reaps it"));
    assert_int_equal(count_events(log, "P3", "reaped", NULL), 0);
    free(log);
    run_result_free(&r);
}

static void test_sigchld_every_child_reaped(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day6/sigchld"), "-m", "handler", "-n", "5", NULL};
    struct run_result r;
    char *log = trace(&r, prog, 60);
    assert_exit_code(&r, 0);
    int children = count_lanes(log, false) - 1;
    assert_int_equal(children, 5);
    /* once per child, or fewer: the kernel coalesces SIGCHLDs */
    int sigs = count_events(log, "P1", "signal-delivered", "sig=SIGCHLD");
    assert_true(sigs >= 1 && sigs <= 5);
    assert_int_equal(count_events(log, NULL, "reaped", "other=P1"), 5);
    assert_null(strstr(r.err, "still a zombie"));
    free(log);
    run_result_free(&r);

    /* SIG_IGN: the kernel reaps each child at once */
    const char *ign[] = {bin("day6/sigchld"), "-m", "ignore", "-n", "3", NULL};
    log = trace(&r, ign, 60);
    assert_exit_code(&r, 0);
    assert_int_equal(count_events(log, NULL, "reaped", "other=kernel"), 3);
    free(log);
    run_result_free(&r);
}

/* --- threads ------------------------------------------------------------------ */

static void test_deadlock_two_threads_wait_for_a_lock(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day8/dead_lock"), "--deadlock", NULL};
    struct run_result r;
    char *log = trace(&r, prog, 60);
    assert_exit_code(&r, 0);
    assert_true(count_lanes(log, true) >= 2);
    /* each transfer thread holds one lock and waits (a timed lock, 200 ms)
     * for the other's: a long lock wait on two thread lanes. (Under TSan
     * a third thread, its own, has a lane too: the lanes are not named.) */
    assert_true(lanes_with(log, "P1", "block", "what=lock", NULL, 0.1) >= 2);
    assert_non_null(strstr(log, "waiting for a lock or condition"));
    free(log);
    run_result_free(&r);
}

static void test_thread_lock_threads_created_and_joined(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day8/thread_lock"), "-t", "4", "-n", "20000", NULL};
    struct run_result r;
    char *log = trace(&r, prog, 120);
    assert_exit_code(&r, 0);
    int born = count_events(log, NULL, "birth", "creates thread");
    int ended = count_events(log, NULL, "exit", "ends");
    assert_true(born >= 4);
    assert_int_equal(born, ended);
    assert_int_equal(count_lanes(log, false), 1); /* one process */
    /* every thread ended before the process did: they were joined */
    double proc_end;
    assert_non_null(find_event(log, NULL, "P1", "exit", NULL, &proc_end));
    const char *pos = log;
    double t;
    while (find_event(log, &pos, NULL, "exit", "ends", &t))
        assert_true(t <= proc_end);
    free(log);
    run_result_free(&r);
}

/* --- servers -------------------------------------------------------------------- */

/* Trace server under two clients; the log. */
static char *trace_server(const char *server)
{
    const char *argv[] = {bin("tools/lanes"), "-q", "-b", "0", "-l", log_path, "--",
                          bin(server),        "-p", "0",  NULL};
    unlink(log_path);
    struct server s;
    server_start(&s, argv);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *client[] = {
        bin("day9/echo_client"), "-p", port, "-c", "2", "-n", "3", "-s", "100", NULL};
    struct run_result r;
    run_program_text(&r, client, NULL, 30);
    assert_exit_code(&r, 0);
    run_result_free(&r);
    assert_server_stops_cleanly(&s); /* SIGTERM to lanes reaches the server */
    return slurp(log_path);
}

static void test_servers_wait_on_the_right_lane(void **state)
{
    (void)state;
    need_ptrace();
    static const struct {
        const char *server, *what;
    } cases[] = {{"day9/fork_server", "what=accept"},
                 {"day9/thread_server", "what=accept"},
                 {"day10/select_server", "what=select"},
                 {"day10/poll_server", "what=poll"},
                 {"day10/epoll_server", "what=epoll"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(harness_sanitizer(), "thread") == 0 &&
            strcmp(cases[i].server, "day10/select_server") == 0) {
            /* seen 2026-12: the TSan build of select_server ignores SIGTERM
             * after serving clients, also without lanes (3 runs of 3) */
            print_message("skipped under TSan: select_server does not stop on SIGTERM\n");
            continue;
        }
        char *log = trace_server(cases[i].server);
        /* the main lane waits for clients, and accepts two */
        assert_true(count_events(log, "P1", "block", cases[i].what) >= 1);
        assert_int_equal(count_events(log, "P1", "fd-open", "accepts a client"), 2);
        if (strcmp(cases[i].what, "what=accept") != 0) { /* one thread did it all */
            assert_int_equal(count_lanes(log, false), 1);
            assert_true(count_events2(log, "P1", "block", "what=read", "(socket)") >= 1);
            assert_int_equal(lanes_with(log, "P1", "block", "what=read", "(socket)", 0), 0);
        }
        /* a readiness wait says how many were ready, at least one */
        const char *pos = log, *line;
        int ready = 0;
        while ((line = find_event(log, &pos, "P1", "block", cases[i].what, NULL)) != NULL)
            ready += field(line, "ret") >= 1;
        assert_true(ready >= 1);
        if (strcmp(cases[i].server, "day9/fork_server") == 0) {
            /* a child per client, reading from its client on its own lane */
            assert_int_equal(count_lanes(log, false), 3);
            assert_int_equal(lanes_with(log, "P1", "block", "what=read", "(socket)", 0), 2);
            assert_int_equal(count_events2(log, "P1", "block", "what=read", "(socket)"), 0);
        }
        if (strcmp(cases[i].server, "day9/thread_server") == 0) {
            /* a thread per client (TSan adds one of its own) */
            assert_true(count_lanes(log, true) >= 2);
            assert_int_equal(lanes_with(log, "P1", "block", "what=read", "(socket)", 0), 2);
            assert_int_equal(count_events2(log, "P1", "block", "what=read", "(socket)"), 0);
        }
        free(log);
    }
}

/* --- passing through ---------------------------------------------------------------- */

static void expect_same(const char *const prog[], const char *input)
{
    struct run_result plain, traced;
    run_program_text(&plain, prog, input, 60);
    const char *argv[16] = {bin("tools/lanes"), "-q", "--"};
    int n = 3;
    for (int i = 0; prog[i] && n < 15; i++)
        argv[n++] = prog[i];
    argv[n] = NULL;
    run_program_text(&traced, argv, input, 60);
    assert_false(plain.timed_out);
    assert_false(traced.timed_out);
    assert_int_equal(plain.status, traced.status);
    assert_int_equal(plain.out_len, traced.out_len);
    assert_memory_equal(plain.out, traced.out, plain.out_len);
    assert_string_equal(plain.err, traced.err); /* -q: lanes adds nothing */
    run_result_free(&plain);
    run_result_free(&traced);
}

static void test_output_and_status_pass_through(void **state)
{
    (void)state;
    need_ptrace();
    const char *bitops[] = {bin("day10/bitops"), NULL};
    expect_same(bitops, NULL);
    const char *threads[] = {bin("day8/thread_lock"), "-n", "1000", NULL};
    expect_same(threads, NULL);
    const char *sh[] = {"/bin/sh", "-c", "cat; echo to stderr >&2; exit 5", NULL};
    expect_same(sh, "stdin goes through\n");
    const char *usage[] = {bin("day5/zombie"), "-x", NULL};
    expect_same(usage, NULL);
}

static void test_killed_by_signal_exits_128_plus_n(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {"/bin/sh", "-c", "kill -USR1 $$", NULL};
    struct run_result r;
    char *log = trace(&r, prog, 30);
    assert_false(r.timed_out);
    assert_int_equal(r.exit_code, 128 + SIGUSR1);
    assert_non_null(find_event(log, NULL, "P1", "exit", "killed by SIGUSR1", NULL));
    assert_non_null(find_event(log, NULL, "P1", "signal-delivered", "sig=SIGUSR1", NULL));
    assert_non_null(strstr(r.err, "killed by SIGUSR1: lanes exits with 138"));
    free(log);
    run_result_free(&r);

    /* -e proc: the same run without the signal events */
    const char *only[] = {
        bin("tools/lanes"), "-q", "-e", "proc", "-l", log_path, "--", "/bin/sh", "-c",
        "kill -USR1 $$",    NULL};
    run_program_text(&r, only, NULL, 30);
    assert_int_equal(r.exit_code, 128 + SIGUSR1);
    log = slurp(log_path);
    assert_non_null(find_event(log, NULL, "P1", "exit", "killed by SIGUSR1", NULL));
    assert_int_equal(count_events(log, NULL, "signal-delivered", NULL), 0);
    assert_int_equal(count_events(log, NULL, "signal-sent", NULL), 0);
    free(log);
    run_result_free(&r);
}

/* --- the files ------------------------------------------------------------------------ */

/* A small JSON checker: true if text is one valid JSON value. It also
 * collects, for trace events (objects inside the traceEvents array), the
 * distinct (pid, tid) pairs of "thread_name" metadata and of all events. */
struct jscan {
    const char *p;
    int depth;
    long names[256][2], tracks[256][2];
    int nnames, ntracks;
    bool bad_track; /* an event on a track with no thread_name */
};

static void ws(struct jscan *j)
{
    while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
        j->p++;
}

static bool jstring(struct jscan *j, char *out, size_t size)
{
    size_t n = 0;
    if (*j->p != '"')
        return false;
    for (j->p++; *j->p != '"'; j->p++) {
        if ((unsigned char)*j->p < 0x20 || *j->p == '\0')
            return false;
        if (*j->p == '\\') {
            j->p++;
            if (*j->p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
                        return false;
                j->p += 4;
            } else if (!*j->p || !strchr("\"\\/bfnrt", *j->p)) {
                return false;
            }
        }
        if (out && n + 1 < size)
            out[n++] = *j->p;
    }
    if (out)
        out[n] = '\0';
    j->p++;
    return true;
}

static bool jvalue(struct jscan *j, double *num, char *str, size_t size);

static void add_pair(long (*set)[2], int *n, long pid, long tid)
{
    for (int i = 0; i < *n; i++)
        if (set[i][0] == pid && set[i][1] == tid)
            return;
    if (*n < 256) {
        set[*n][0] = pid;
        set[*n][1] = tid;
        (*n)++;
    }
}

static bool jobject(struct jscan *j)
{
    j->p++;
    j->depth++;
    ws(j);
    char ph[8] = "", name[64] = "";
    double pid = -1, tid = -1;
    if (*j->p != '}')
        for (;;) {
            char key[32];
            ws(j);
            if (!jstring(j, key, sizeof key))
                return false;
            ws(j);
            if (*j->p++ != ':')
                return false;
            ws(j);
            double num = 0;
            char str[64] = "";
            if (!jvalue(j, &num, str, sizeof str))
                return false;
            if (strcmp(key, "ph") == 0)
                snprintf(ph, sizeof ph, "%s", str);
            else if (strcmp(key, "name") == 0)
                snprintf(name, sizeof name, "%s", str);
            else if (strcmp(key, "pid") == 0)
                pid = num;
            else if (strcmp(key, "tid") == 0)
                tid = num;
            ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            if (*j->p == '}')
                break;
            return false;
        }
    j->p++;
    j->depth--;
    if (j->depth == 1 && ph[0]) { /* a trace event */
        if (strcmp(ph, "M") == 0 && strcmp(name, "thread_name") == 0)
            add_pair(j->names, &j->nnames, (long)pid, (long)tid);
        else if (strcmp(ph, "M") != 0)
            add_pair(j->tracks, &j->ntracks, (long)pid, (long)tid);
    }
    return true;
}

static bool jvalue(struct jscan *j, double *num, char *str, size_t size)
{
    ws(j);
    if (*j->p == '{')
        return jobject(j);
    if (*j->p == '[') {
        j->p++;
        ws(j);
        if (*j->p == ']') {
            j->p++;
            return true;
        }
        for (;;) {
            if (!jvalue(j, NULL, NULL, 0))
                return false;
            ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            if (*j->p++ == ']')
                return true;
            return false;
        }
    }
    if (*j->p == '"')
        return jstring(j, str, size);
    if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "null", 4) == 0) {
        j->p += 4;
        return true;
    }
    if (strncmp(j->p, "false", 5) == 0) {
        j->p += 5;
        return true;
    }
    char *end;
    double v = strtod(j->p, &end);
    if (end == j->p)
        return false;
    if (num)
        *num = v;
    j->p = end;
    return true;
}

static void test_trace_json_parses_one_track_per_lane(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day6/child"), NULL};
    struct run_result r;
    char *log = trace(&r, prog, 30);
    assert_exit_code(&r, 0);
    char *json = slurp(json_path);
    struct jscan *j = calloc(1, sizeof *j);
    assert_non_null(j);
    j->p = json;
    assert_true(jvalue(j, NULL, NULL, 0));
    ws(j);
    assert_int_equal(*j->p, '\0'); /* nothing after the value */
    assert_non_null(strstr(json, "\"traceEvents\""));
    int lanes = count_lanes(log, false) + count_lanes(log, true);
    assert_int_equal(count_lanes(log, false), 3); /* (TSan adds threads) */
    assert_int_equal(j->nnames, lanes);           /* a named track per lane */
    assert_int_equal(j->ntracks, lanes);          /* and every event on one of them */
    for (int i = 0; i < j->ntracks; i++) {
        bool named = false;
        for (int k = 0; k < j->nnames; k++)
            named |= j->names[k][0] == j->tracks[i][0] && j->names[k][1] == j->tracks[i][1];
        assert_true(named);
    }
    /* and the broken file is caught: the checker can fail */
    j->p = "{\"traceEvents\": [}";
    assert_false(jvalue(j, NULL, NULL, 0));
    free(j);
    free(json);
    free(log);
    run_result_free(&r);
}

/* A small XML well-formedness check: tags nest and close, attributes are
 * quoted, & starts a known entity. */
static bool xml_ok(const char *p)
{
    char stack[64][32];
    int depth = 0, roots = 0;
    while (*p) {
        if (*p == '&') {
            const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
            bool ok = false;
            for (int i = 0; i < 5; i++)
                ok |= strncmp(p, ents[i], strlen(ents[i])) == 0;
            if (!ok)
                return false;
            p++;
            continue;
        }
        if (*p != '<') {
            if (*p == '>')
                return false;
            p++;
            continue;
        }
        if (strncmp(p, "<?", 2) == 0) {
            p = strstr(p, "?>");
            if (!p)
                return false;
            p += 2;
            continue;
        }
        bool closing = p[1] == '/';
        p += closing ? 2 : 1;
        char name[32];
        size_t n = 0;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '-' || *p == ':')
            if (n < sizeof name - 1)
                name[n++] = *p++;
            else
                return false;
        name[n] = '\0';
        if (n == 0)
            return false;
        if (closing) {
            if (*p != '>' || depth == 0 || strcmp(stack[depth - 1], name) != 0)
                return false;
            depth--;
            p++;
            continue;
        }
        for (;;) { /* attributes */
            while (*p == ' ' || *p == '\n')
                p++;
            if (*p == '>' || strncmp(p, "/>", 2) == 0)
                break;
            while (*p && *p != '=' && *p != '>' && *p != ' ')
                p++;
            if (*p++ != '=' || *p != '"')
                return false;
            const char *q = strchr(p + 1, '"');
            if (!q || memchr(p + 1, '<', (size_t)(q - p - 1)))
                return false;
            p = q + 1;
        }
        if (depth == 0)
            roots++;
        if (*p == '/') {
            p += 2;
            continue;
        }
        if (depth == 64)
            return false;
        snprintf(stack[depth++], sizeof stack[0], "%s", name);
        p++;
    }
    return depth == 0 && roots == 1;
}

static void test_chart_svg_is_well_formed_xml(void **state)
{
    (void)state;
    need_ptrace();
    const char *prog[] = {bin("day5/zombie"), NULL};
    struct run_result r;
    char *log = trace(&r, prog, 30);
    assert_exit_code(&r, 0);
    char *svg = slurp(svg_path);
    assert_true(xml_ok(svg));
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(svg, "class=\"zombie\"")); /* the zombie period is drawn */
    assert_false(xml_ok("<svg><g></svg></g>"));       /* the checker can fail */
    assert_false(xml_ok("<svg a=1></svg>"));
    free(svg);
    free(log);
    run_result_free(&r);
}

/* --- stopping ----------------------------------------------------------------------- */

static bool group_gone(void *arg)
{
    pid_t pgid = *(pid_t *)arg;
    harness_reap_orphans();
    return kill(-pgid, 0) < 0 && errno == ESRCH;
}

static void test_ctrl_c_leaves_no_process_behind(void **state)
{
    (void)state;
    need_ptrace();
    /* Ctrl-C: the terminal sends SIGINT to the whole foreground group */
    const char *argv[] = {bin("tools/lanes"), "-q", "--", bin("day5/zombie"), "-k", NULL};
    struct server s;
    program_start(&s, argv);
    assert_true(server_wait_output(&s, false, "press Enter", 1, 20));
    pid_t pgid = s.pid;
    assert_int_equal(kill(-pgid, SIGINT), 0);
    int st = program_wait(&s, 20);
    assert_false(s.killed);
    assert_true(WIFEXITED(st));
    assert_int_equal(s.leftovers, 0);
    assert_true(wait_until(group_gone, &pgid, 10));

    /* the tracer killed outright: the kernel kills the traced tree */
    program_start(&s, argv);
    assert_true(server_wait_output(&s, false, "press Enter", 1, 20));
    pgid = s.pid;
    assert_int_equal(kill(s.pid, SIGKILL), 0);
    program_wait(&s, 20);
    assert_true(wait_until(group_gone, &pgid, 10));
}

struct stopped {
    pid_t lanes, child;
};

/* Has lanes's child stopped (state T, or t: stopped under a tracer)? */
static bool child_stopped(void *arg)
{
    struct stopped *st = arg;
    if (procfs_children(st->lanes, &st->child, 1) < 1)
        return false;
    char c = procfs_state(st->child);
    return c == 'T' || c == 't';
}

static void test_stop_and_continue_pass_through(void **state)
{
    (void)state;
    need_ptrace();
    const char *argv[] = {bin("tools/lanes"),
                          "-q",
                          "-l",
                          log_path,
                          "--",
                          "/bin/sh",
                          "-c",
                          "kill -STOP $$; echo resumed",
                          NULL};
    unlink(log_path);
    struct server s;
    program_start(&s, argv);
    struct stopped st = {s.pid, 0};
    /* the stop holds: the program stays stopped until SIGCONT, as without lanes */
    assert_true(wait_until(child_stopped, &st, 20));
    /* 't' is also the moment lanes holds the SIGSTOP before passing it on;
     * a SIGCONT sent inside that window comes before the stop it should
     * end (a person is never that fast; a test is): let it settle. */
    clock_sleep_ms(500);
    assert_true(child_stopped(&st));
    assert_int_equal(kill(st.child, SIGCONT), 0);
    int status = program_wait(&s, 20);
    assert_false(s.killed);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *out = server_output(&s, false);
    assert_non_null(strstr(out, "resumed"));
    free(out);
    char *log = slurp(log_path);
    assert_non_null(find_event(log, NULL, "P1", "stop", "sig=SIGSTOP", NULL));
    assert_non_null(find_event(log, NULL, "P1", "signal-delivered", "sig=SIGCONT", NULL));
    free(log);
}

static void test_bad_program_and_usage(void **state)
{
    (void)state;
    need_ptrace();
    const char *missing[] = {bin("tools/lanes"), "--", "/nonexistent/program", NULL};
    struct run_result r;
    run_program_text(&r, missing, NULL, 20);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "lanes: execvp /nonexistent/program: No such file"));
    assert_null(strstr(r.err, "summary")); /* no lanes for a program that never ran */
    run_result_free(&r);

    const char *help[] = {bin("tools/lanes"), "-h", NULL};
    run_program_text(&r, help, NULL, 20);
    assert_exit_code(&r, 0);
    assert_non_null(strstr(r.out, "usage: lanes"));
    run_result_free(&r);
    const char *bad[][4] = {{bin("tools/lanes"), NULL},
                            {bin("tools/lanes"), "-x", "true", NULL},
                            {bin("tools/lanes"), "-e", "nope", "true"}};
    for (int i = 0; i < 3; i++) {
        const char *argv[5] = {bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL};
        run_program_text(&r, argv, NULL, 20);
        assert_int_equal(r.exit_code, 2);
        assert_non_null(strstr(r.err, "usage: lanes"));
        run_result_free(&r);
    }
}

#define T(fn) cmocka_unit_test_teardown(fn, harness_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_zombie_period_ends_when_the_parent_reaps),
        T(test_orphan_is_re_parented_to_lanes),
        T(test_double_fork_grandchild_is_never_a_zombie),
        T(test_sigchld_every_child_reaped),
        T(test_deadlock_two_threads_wait_for_a_lock),
        T(test_thread_lock_threads_created_and_joined),
        T(test_servers_wait_on_the_right_lane),
        T(test_output_and_status_pass_through),
        T(test_killed_by_signal_exits_128_plus_n),
        T(test_trace_json_parses_one_track_per_lane),
        T(test_chart_svg_is_well_formed_xml),
        T(test_ctrl_c_leaves_no_process_behind),
        T(test_stop_and_continue_pass_through),
        T(test_bad_program_and_usage),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
