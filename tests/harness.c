/* tests/harness.c — see harness.h. */
#define _GNU_SOURCE /* pipe2, mkostemp, O_CLOEXEC helpers; prctl is Linux-only */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/io.h"
#include "common/net.h"
#include "common/procfs.h"
#include "tests/harness.h"

#define MAX_TRACKED     64
#define STARTUP_TIMEOUT 10.0 /* seconds for a server to say it is listening */

/* Process groups started by this test, killed in harness_teardown, and
 * the servers' output files, closed there. */
static pid_t tracked[MAX_TRACKED];
static int tracked_fds[2 * MAX_TRACKED];

static void track(pid_t pgid)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked[i] == 0) {
            tracked[i] = pgid;
            return;
        }
    fail_msg("harness: more than %d programs in one test", MAX_TRACKED);
}

static void untrack(pid_t pgid)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked[i] == pgid)
            tracked[i] = 0;
}

/* --- setup ----------------------------------------------------------------- */

int harness_group_setup(void **state)
{
    (void)state;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        fprintf(stderr, "harness: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
    net_ignore_sigpipe();
    return 0;
}

/* The group id of a live (non-zombie) process pid, or -1. */
static pid_t process_group_of(pid_t pid)
{
    struct procfs_info info;
    if (procfs_read(pid, &info) < 0 || info.state == 'Z')
        return -1; /* a zombie is no longer "alive" */
    return info.pgrp;
}

/* Live (non-zombie) processes in group pgid. */
static int count_group(pid_t pgid)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end == '\0' && pid > 0 && process_group_of((pid_t)pid) == pgid)
            count++;
    }
    closedir(d);
    return count;
}

/* Live processes left by the program whose group is pgid: those still in
 * its group, and orphans re-parented to us that moved to another group. */
static int count_leftovers(pid_t pgid)
{
    int count = count_group(pgid);
    pid_t kids[256];
    int n = procfs_children(getpid(), kids, 256);
    for (int i = 0; i < n && i < 256; i++) {
        pid_t group = process_group_of(kids[i]);
        bool other_program = false; /* another program still running, or its own */
        for (int t = 0; t < MAX_TRACKED; t++)
            other_program = other_program || (tracked[t] != 0 && tracked[t] != pgid &&
                                              (tracked[t] == kids[i] || tracked[t] == group));
        if (kids[i] != pgid && group != -1 && group != pgid && !other_program)
            count++;
    }
    return count;
}

int harness_reap_orphans(void)
{
    pid_t kids[256];
    int n = procfs_children(getpid(), kids, 256);
    int found = 0;
    for (int i = 0; i < n && i < 256; i++) {
        bool ours = false; /* a running program, or one of its group, is no orphan */
        pid_t group = process_group_of(kids[i]);
        for (int t = 0; t < MAX_TRACKED; t++)
            ours = ours || (tracked[t] != 0 && (tracked[t] == kids[i] || tracked[t] == group));
        if (ours)
            continue;
        found++;
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, 0);
    }
    return found;
}

int harness_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < MAX_TRACKED; i++) {
        if (tracked[i] == 0)
            continue;
        kill(-tracked[i], SIGKILL);
        waitpid(tracked[i], NULL, 0);
        tracked[i] = 0;
    }
    harness_reap_orphans();
    for (int i = 0; i < 2 * MAX_TRACKED; i++)
        if (tracked_fds[i] > 0) {
            close(tracked_fds[i]);
            tracked_fds[i] = 0;
        }
    return 0;
}

double harness_timeout(double seconds)
{
    const char *scale = getenv("CONCLAB_TIMEOUT_SCALE");
    double factor = scale != NULL ? atof(scale) : 1.0;
    return seconds * (factor >= 1.0 ? factor : 1.0);
}

const char *harness_sanitizer(void)
{
    const char *s = getenv("CONCLAB_SANITIZER");
    return s != NULL && s[0] != '\0' ? s : "none";
}

const char *program_path(const char *name)
{
    static char path[2 * PATH_MAX];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        fail_msg("harness: readlink /proc/self/exe: %s", strerror(errno));
    self[n] = '\0';
    /* self is BUILD/tests/test_x: strip two components to get BUILD. */
    for (int i = 0; i < 2; i++) {
        char *slash = strrchr(self, '/');
        if (slash != NULL)
            *slash = '\0';
    }
    snprintf(path, sizeof path, "%s/%s", self, name);
    return path;
}

/* --- running a program ------------------------------------------------------ */

/* fork, put the child in its own process group, connect its stdio, exec. */
static pid_t spawn(const char *const argv[], int in_fd, int out_fd, int err_fd)
{
    pid_t test_pid = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* If the test process dies (a crash, a sanitizer abort) before its
         * teardown, take the program down with it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != test_pid)
            _exit(127); /* it died before prctl: already too late */
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL); /* give the program the default it expects */
        if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid < 0)
        fail_msg("harness: fork: %s", strerror(errno));
    setpgid(pid, pid); /* also here, so it is done before we signal the group */
    track(pid);
    return pid;
}

struct sink {
    int fd;
    char *data;
    size_t len, cap;
};

/* Read what is available from s->fd; close it at EOF. */
static void drain(struct sink *s)
{
    char buf[65536];
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close(s->fd);
        s->fd = -1;
        return;
    }
    if (s->len + (size_t)n + 1 > s->cap) {
        s->cap = (s->len + (size_t)n + 1) * 2;
        s->data = realloc(s->data, s->cap);
        if (s->data == NULL)
            fail_msg("harness: out of memory");
    }
    memcpy(s->data + s->len, buf, (size_t)n);
    s->len += (size_t)n;
}

static char *finish(struct sink *s, size_t *len)
{
    if (s->data == NULL)
        s->data = calloc(1, 1);
    else
        s->data[s->len] = '\0';
    *len = s->len;
    return s->data;
}

static void pipe_or_fail(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        fail_msg("harness: pipe: %s", strerror(errno));
}

void run_program(struct run_result *r, const char *const argv[], const char *input,
                 size_t input_len, double timeout)
{
    memset(r, 0, sizeof *r);
    r->exit_code = -1;
    int in[2], out[2], err[2];
    pipe_or_fail(in);
    pipe_or_fail(out);
    pipe_or_fail(err);
    double start = clock_now(), deadline = start + harness_timeout(timeout);
    pid_t pid = spawn(argv, in[0], out[1], err[1]);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    fcntl(in[1], F_SETFL, O_NONBLOCK);

    struct sink so = {out[0], NULL, 0, 0}, se = {err[0], NULL, 0, 0};
    size_t sent = 0;
    int to_child = in[1];
    if (input == NULL || input_len == 0) {
        close(to_child);
        to_child = -1;
    }
    bool exited = false;
    while (!exited || so.fd >= 0 || se.fd >= 0) {
        if (clock_now() >= deadline) {
            r->timed_out = true;
            break;
        }
        struct pollfd p[3] = {{so.fd, POLLIN, 0}, {se.fd, POLLIN, 0}, {to_child, POLLOUT, 0}};
        poll(p, 3, 10);
        if (p[0].revents != 0)
            drain(&so);
        if (p[1].revents != 0)
            drain(&se);
        if (to_child >= 0 && p[2].revents != 0) {
            ssize_t n = write(to_child, input + sent, input_len - sent);
            if (n > 0)
                sent += (size_t)n;
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || sent == input_len) {
                close(to_child); /* all sent, or the program stopped reading */
                to_child = -1;
            }
        }
        if (!exited && waitpid(pid, &r->status, WNOHANG) == pid)
            exited = true;
    }
    r->elapsed = clock_now() - start;
    r->leftovers = count_leftovers(pid);
    kill(-pid, SIGKILL); /* the timed-out program, or what it left behind */
    if (!exited)
        waitpid(pid, &r->status, 0);
    untrack(pid);
    if (to_child >= 0)
        close(to_child);
    if (so.fd >= 0)
        close(so.fd);
    if (se.fd >= 0)
        close(se.fd);
    harness_reap_orphans();
    r->out = finish(&so, &r->out_len);
    r->err = finish(&se, &r->err_len);
    if (!r->timed_out && WIFEXITED(r->status))
        r->exit_code = WEXITSTATUS(r->status);
    if (!r->timed_out && WIFSIGNALED(r->status))
        r->term_signal = WTERMSIG(r->status);
}

void run_program_text(struct run_result *r, const char *const argv[], const char *input,
                      double timeout)
{
    run_program(r, argv, input, input != NULL ? strlen(input) : 0, timeout);
}

void run_result_free(struct run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

static bool has_sanitizer_report(const char *err)
{
    return strstr(err, "Sanitizer") != NULL || strstr(err, "runtime error:") != NULL;
}

void harness_assert_exit(const struct run_result *r, int code, const char *file, int line)
{
    const char *why = NULL;
    if (r->timed_out)
        why = "timed out (killed)";
    else if (r->term_signal != 0)
        why = "killed by a signal";
    else if (r->exit_code != code)
        why = "wrong exit code";
    else if (has_sanitizer_report(r->err))
        why = "sanitizer report on stderr";
    if (why == NULL)
        return;
    print_error("%s: expected exit %d, got exit %d signal %d after %.2fs\n"
                "--- stdout:\n%s\n--- stderr:\n%s\n---\n",
                why, code, r->exit_code, r->term_signal, r->elapsed, r->out, r->err);
    _fail(file, line);
}

/* --- servers -------------------------------------------------------------- */

static int temp_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/conclab-server.XXXXXX", dir != NULL ? dir : "/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        fail_msg("harness: mkstemp: %s", strerror(errno));
    unlink(path); /* gone when the last fd closes */
    for (int i = 0; i < 2 * MAX_TRACKED; i++)
        if (tracked_fds[i] == 0) {
            tracked_fds[i] = fd;
            return fd;
        }
    fail_msg("harness: too many server output files in one test");
    return -1;
}

/* The whole content of fd (which the server appends to), NUL-terminated. */
static char *read_file_fd(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        fail_msg("harness: fstat: %s", strerror(errno));
    size_t size = (size_t)st.st_size;
    char *text = malloc(size + 1);
    if (text == NULL)
        fail_msg("harness: out of memory");
    ssize_t n = pread(fd, text, size, 0);
    text[n > 0 ? (size_t)n : 0] = '\0';
    return text;
}

void program_start(struct server *s, const char *const argv[])
{
    memset(s, 0, sizeof *s);
    s->out_fd = temp_file();
    s->err_fd = temp_file();
    int in[2];
    pipe_or_fail(in);
    s->pid = spawn(argv, in[0], s->out_fd, s->err_fd);
    close(in[0]);
    s->stdin_fd = in[1];
    s->running = true;
}

void server_start(struct server *s, const char *const argv[])
{
    program_start(s, argv);

    double deadline = clock_now() + harness_timeout(STARTUP_TIMEOUT);
    for (;;) {
        char *out = server_output(s, false);
        char *nl = strchr(out, '\n');
        if (nl != NULL) {
            *nl = '\0';
            const char *prefix = "listening on ";
            char *colon = strrchr(out, ':');
            bool ok = strncmp(out, prefix, strlen(prefix)) == 0 && colon != NULL;
            if (ok) {
                snprintf(s->addr, sizeof s->addr, "%s", out + strlen(prefix));
                s->port = atoi(colon + 1);
            }
            if (!ok || s->port <= 0) {
                print_error("harness: %s: first line is not 'listening on ADDR:PORT': '%s'\n",
                            argv[0], out);
                free(out);
                fail();
            }
            free(out);
            return;
        }
        free(out);
        if (waitpid(s->pid, &s->status, WNOHANG) == s->pid) {
            s->running = false;
            untrack(s->pid);
            char *err = server_output(s, true);
            print_error("harness: %s exited (status 0x%x) before listening; stderr:\n%s\n", argv[0],
                        s->status, err);
            free(err);
            fail();
        }
        if (clock_now() > deadline)
            fail_msg("harness: %s did not print 'listening on' in time", argv[0]);
        clock_sleep_ms(5);
    }
}

/* waitpid with a deadline; true if pid was reaped. */
static bool wait_bounded(pid_t pid, int *status, double seconds)
{
    double deadline = clock_now() + seconds;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            return r == pid;
        if (clock_now() > deadline)
            return false;
        clock_sleep_ms(2);
    }
}

/* Wait for s to end (after sig, if not 0), SIGKILL at the bound, then
 * count and kill what it left behind. */
static int finish_program(struct server *s, int sig, double timeout)
{
    if (!s->running)
        return s->status;
    double start = clock_now();
    if (sig != 0)
        kill(s->pid, sig);
    bool ended = wait_bounded(s->pid, &s->status, harness_timeout(timeout));
    if (!ended && sig != 0 && strcmp(harness_sanitizer(), "thread") == 0) {
        /* TSan holds a signal that arrives between two libc calls until
         * the next libc call returns; a server that then blocks in
         * recvfrom/accept/epoll_wait never runs its handler (a probe with
         * GCC 12's libtsan: no blocking call takes a pending signal on
         * entry). A second signal ends that call and the held one runs.
         * The plain and ASan runs keep the one-signal check. */
        kill(s->pid, sig);
        ended = wait_bounded(s->pid, &s->status, harness_timeout(timeout));
        if (ended)
            fprintf(stderr, "harness: under TSan, pid %d stopped only on a "
                    "second signal %d (TSan held the first)\n", (int)s->pid,
                    sig);
    }
    if (!ended) {
        s->killed = true;
        kill(-s->pid, SIGKILL);
        waitpid(s->pid, &s->status, 0);
    }
    s->stop_seconds = clock_now() - start;
    s->running = false;
    s->leftovers = count_leftovers(s->pid);
    kill(-s->pid, SIGKILL);
    untrack(s->pid);
    harness_reap_orphans();
    if (s->stdin_fd >= 0)
        close(s->stdin_fd);
    s->stdin_fd = -1;
    return s->status;
}

int server_stop(struct server *s, double timeout)
{
    return finish_program(s, SIGTERM, timeout);
}

int program_wait(struct server *s, double timeout)
{
    return finish_program(s, 0, timeout);
}

void harness_assert_clean_stop(struct server *s, const char *file, int line)
{
    int status = server_stop(s, 2.0);
    char *err = server_output(s, true);
    const char *why = NULL;
    if (s->killed)
        why = "did not stop on SIGTERM (needed SIGKILL)";
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        why = "did not exit with status 0";
    else if (s->leftovers != 0)
        why = "left processes behind";
    else if (has_sanitizer_report(err))
        why = "sanitizer report on stderr";
    if (why != NULL) {
        print_error("server %s: status 0x%x, %d leftover(s), stopped in %.2fs\n--- stderr:\n%s\n",
                    why, status, s->leftovers, s->stop_seconds, err);
        free(err);
        _fail(file, line);
    }
    free(err);
}

char *server_output(const struct server *s, bool from_stderr)
{
    return read_file_fd(from_stderr ? s->err_fd : s->out_fd);
}

bool server_wait_output(const struct server *s, bool from_stderr, const char *needle, int count,
                        double timeout)
{
    double deadline = clock_now() + harness_timeout(timeout);
    for (;;) {
        char *text = server_output(s, from_stderr);
        int seen = count_occurrences(text, needle);
        free(text);
        if (seen >= count)
            return true;
        if (clock_now() > deadline)
            return false;
        clock_sleep_ms(5);
    }
}

void server_signal(struct server *s, int sig)
{
    if (s->running && kill(s->pid, sig) < 0)
        fail_msg("harness: kill %ld: %s", (long)s->pid, strerror(errno));
}

/* --- processes, fds and sockets ------------------------------------------ */

int count_children(pid_t pid, int *zombies)
{
    if (zombies != NULL)
        *zombies = procfs_count_zombies(pid);
    pid_t ignored[1];
    return procfs_children(pid, ignored, 0);
}

int count_open_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            count++;
    closedir(d);
    return count;
}

int count_threads(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            count++;
    closedir(d);
    return count;
}

double cpu_seconds(pid_t pid)
{
    return procfs_cpu_seconds(pid);
}

static double process_cpu_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
        fail_msg("harness: clock_gettime: %s", strerror(errno));
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void burn_cpu(double seconds)
{
    double until = process_cpu_now() + seconds;
    double deadline = clock_now() + harness_timeout(30);
    volatile unsigned long spin = 0;
    while (process_cpu_now() < until) {
        for (int i = 0; i < 10000; i++)
            spin++;
        if (clock_now() > deadline)
            fail_msg("harness: burn_cpu: %.2f s of CPU not had in time", seconds);
    }
}

void set_socket_timeout(int fd, double seconds)
{
    double t = harness_timeout(seconds);
    struct timeval tv = {(time_t)t, (suseconds_t)((t - (double)(time_t)t) * 1e6)};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
        fail_msg("harness: setsockopt timeout: %s", strerror(errno));
}

int connect_to(int port)
{
    int fd = net_tcp_connect("127.0.0.1", port);
    if (fd < 0)
        fail_msg("harness: connect to port %d: %s", port, net_error());
    set_socket_timeout(fd, 5.0);
    return fd;
}

bool wait_until(bool (*fn)(void *), void *arg, double timeout)
{
    double deadline = clock_now() + harness_timeout(timeout);
    while (!fn(arg)) {
        if (clock_now() > deadline)
            return false;
        clock_sleep_ms(5);
    }
    return true;
}

/* --- text ---------------------------------------------------------------- */

int count_lines_containing(const char *text, const char *needle)
{
    int count = 0;
    size_t nlen = strlen(needle);
    while (*text != '\0') {
        size_t len = strcspn(text, "\n");
        for (size_t i = 0; i + nlen <= len; i++)
            if (memcmp(text + i, needle, nlen) == 0) {
                count++;
                break;
            }
        text += len;
        if (*text == '\n')
            text++;
    }
    return count;
}

bool has_line(const char *text, const char *line)
{
    size_t want = strlen(line);
    while (*text != '\0') {
        size_t len = strcspn(text, "\n");
        if (len == want && memcmp(text, line, len) == 0)
            return true;
        text += len;
        if (*text == '\n')
            text++;
    }
    return false;
}

int count_occurrences(const char *text, const char *needle)
{
    int count = 0;
    size_t nlen = strlen(needle);
    if (nlen == 0)
        return 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + nlen, needle))
        count++;
    return count;
}
