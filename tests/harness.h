/* tests/harness.h — run the built programs for real, from cmocka tests.
 *
 *  - run_program: run a program to the end with stdin, a timeout, and its
 *    stdout, stderr and exit status captured;
 *  - server_start / server_stop: start a server with "-p 0", wait (bounded)
 *    for its "listening on ADDR:PORT" line, stop it with SIGTERM, escalating
 *    to SIGKILL after a bound;
 *  - children, zombies and open fds of a process, read from /proc.
 *
 * Nothing is left behind: every program runs in its own process group, the
 * test process is a child subreaper (orphans of the programs come back to
 * it), and harness_teardown kills and reaps whatever is still there, also
 * when an assertion failed mid-test. Use it as each test's teardown:
 *
 *     cmocka_unit_test_teardown(test_echo, harness_teardown)
 *
 * and harness_group_setup as the group setup. Every wait is bounded.
 * Include <stdarg.h> <stddef.h> <stdint.h> <setjmp.h> <cmocka.h> first.
 */
#ifndef CONCLAB_HARNESS_H
#define CONCLAB_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* --- setup --------------------------------------------------------------- */

/* Group setup: become a child subreaper, ignore SIGPIPE. */
int harness_group_setup(void **state);

/* Per-test teardown: kill and reap every program this test started. */
int harness_teardown(void **state);

/* seconds, scaled for slow sanitizer builds (CONCLAB_TIMEOUT_SCALE). */
double harness_timeout(double seconds);

/* Which sanitizer this build uses: "none", "address" or "thread". */
const char *harness_sanitizer(void);

/* The path of a built program, e.g. program_path("day5/fork"): the build
 * folder is the one this test binary was built in (build/, build/asan...). */
const char *program_path(const char *name);

/* --- running a program to its end --------------------------------------- */

struct run_result {
    bool timed_out;  /* killed (with its whole group) at the timeout */
    int status;      /* raw wait status, when !timed_out */
    int exit_code;   /* WEXITSTATUS, or -1 if it did not exit normally */
    int term_signal; /* WTERMSIG, or 0 */
    int leftovers;   /* processes of its group still alive when it ended */
    double elapsed;  /* seconds from start to the end of its output */
    char *out;       /* stdout, NUL-terminated (may also hold NULs) */
    size_t out_len;
    char *err; /* stderr, NUL-terminated */
    size_t err_len;
};

/* Run argv (argv[0] a path; see program_path) with input on stdin (NULL:
 * /dev/null), until it exited and closed its output, or timeout seconds
 * (scaled) passed. Leftover processes of its group are killed after. */
void run_program(struct run_result *r, const char *const argv[], const char *input,
                 size_t input_len, double timeout);

/* The same with input as a C string (or NULL). */
void run_program_text(struct run_result *r, const char *const argv[], const char *input,
                      double timeout);

/* Free what run_program captured. */
void run_result_free(struct run_result *r);

/* Fail the test, printing what the program wrote, unless it exited with
 * code, in time, without a sanitizer report. */
#define assert_exit_code(r, code) harness_assert_exit((r), (code), __FILE__, __LINE__)
void harness_assert_exit(const struct run_result *r, int code, const char *file, int line);

/* --- servers (and other programs running in the background) ---------------- */

struct server {
    pid_t pid;
    int port;           /* from its "listening on" line */
    char addr[64];      /* the ADDR:PORT part of that line */
    int stdin_fd;       /* write end of the server's stdin, or -1 */
    int out_fd, err_fd; /* files holding its stdout and stderr */
    bool running;
    int status;          /* raw wait status once stopped */
    bool killed;         /* SIGTERM was not enough: SIGKILL was sent */
    double stop_seconds; /* how long it took to stop after SIGTERM */
    int leftovers;       /* its processes still alive after it stopped */
};

/* Start argv (which must ask for port 0) and wait for its first stdout line
 * to be "listening on ADDR:PORT"; fails the test if it is not, in time. */
void server_start(struct server *s, const char *const argv[]);

/* Start argv in the background like server_start, without waiting for a
 * "listening on" line (a client, a program fed through s->stdin_fd). */
void program_start(struct server *s, const char *const argv[]);

/* Wait up to timeout (scaled) seconds for a program_start'ed (or server)
 * program to exit by itself; SIGKILL (s->killed) after that. Returns the
 * raw wait status; leftovers are counted and killed as in server_stop. */
int program_wait(struct server *s, double timeout);

/* SIGTERM; wait up to timeout (scaled) seconds; SIGKILL after that.
 * Returns the raw wait status. Leftover processes are counted and killed. */
int server_stop(struct server *s, double timeout);

/* Stop it and assert a clean stop: exit 0 within the bound, no leftover
 * process, no sanitizer report on its stderr. */
#define assert_server_stops_cleanly(s) harness_assert_clean_stop((s), __FILE__, __LINE__)
void harness_assert_clean_stop(struct server *s, const char *file, int line);

/* Everything the server wrote so far on stdout (or stderr); free() it. */
char *server_output(const struct server *s, bool from_stderr);

/* Wait until its stdout (or stderr) holds needle count times or more;
 * true if it did within timeout (scaled) seconds. */
bool server_wait_output(const struct server *s, bool from_stderr, const char *needle, int count,
                        double timeout);

/* Send SIG to a running server (SIGINT, SIGUSR1...). */
void server_signal(struct server *s, int sig);

/* --- processes, fds and sockets -------------------------------------------- */

/* Children of pid (zombies included), and how many are zombies. */
int count_children(pid_t pid, int *zombies);

/* Open file descriptors of pid, from /proc/PID/fd, or -1. */
int count_open_fds(pid_t pid);

/* Threads of pid, from /proc/PID/task, or -1. */
int count_threads(pid_t pid);

/* CPU time pid has used (user + system), in seconds, from /proc, or -1. */
double cpu_seconds(pid_t pid);

/* Spin until this process has used seconds more of CPU time, however
 * busy the machine (fails after a bounded wait). For tests of CPU
 * accounting: a wall-clock spin gets little CPU on a loaded machine. */
void burn_cpu(double seconds);

/* Kill and reap processes re-parented to this test process (orphans of
 * the programs it ran); returns how many there were. */
int harness_reap_orphans(void);

/* A TCP connection to 127.0.0.1:port with 5 s (scaled) send and receive
 * timeouts, so a silent server fails the test instead of hanging it. */
int connect_to(int port);

/* Set SO_RCVTIMEO and SO_SNDTIMEO on fd (seconds, scaled). */
void set_socket_timeout(int fd, double seconds);

/* Wait until fn(arg) is true, polling every few ms; false at timeout. */
bool wait_until(bool (*fn)(void *), void *arg, double timeout);

/* --- text ------------------------------------------------------------------ */

/* Lines of text that contain needle. */
int count_lines_containing(const char *text, const char *needle);

/* True if one line of text is exactly line. */
bool has_line(const char *text, const char *line);

/* Occurrences of needle in text. */
int count_occurrences(const char *text, const char *needle);

#endif
