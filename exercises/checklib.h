/* exercises/checklib.h — what every exercise checker shares: run the
 * student's program with a bound, see what it left behind (output,
 * children, zombies), and say what went wrong in the course's terms:
 *
 *   ✗ the parent reaps every child
 *     expected: 0 zombies when it ended
 *     seen:     19 zombies (children 4312, 4313, ...)
 *     meaning:  one SIGCHLD can stand for many children ...
 *     look at:  TODO(1) in exercises/sigchld.c
 *
 * A checker checks from outside, as the lesson tests do, so any correct
 * solution passes, not only the lesson's own.
 */
#ifndef CONCLAB_CHECKLIB_H
#define CONCLAB_CHECKLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Call first: remembers the exercise's name and the program to check
 * (argv[1]), and makes the checker a child subreaper, so the program's
 * orphans (and zombies it never reaped) come back to the checker. */
void check_start(const char *name, int argc, char *argv[]);

/* The program being checked (the student's build, or the lesson's). */
const char *check_program(void);

/* seconds, scaled by CONCLAB_TIMEOUT_SCALE for slow sanitizer builds. */
double check_timeout(double seconds);

/* A program run to its end. */
struct check_run {
    bool timed_out; /* killed at the bound */
    int status;     /* its wait status */
    char out[65536], err[16384];
    int leftovers;                /* processes that came back to us after it */
    int leftover_zombies;         /* ...of them, zombies it never reaped */
    pid_t leftover_pids[16];      /* the first of them */
};

/* Run the program with args (NULL-terminated, without argv[0]) and no
 * input; at most timeout seconds. Then collect what it left behind. */
void check_run(struct check_run *r, const char *const args[], double timeout);

/* As check_run, but a program that uses no CPU for idle seconds on end
 * while it has not ended is taken as stuck (a deadlock: every thread
 * waits): it is killed and reported as timed out at once. */
void check_run_busy(struct check_run *r, const char *const args[],
                    double timeout, double idle);

/* Start the program in the background with args; its stdout (and stderr)
 * come through *out_fd. */
pid_t check_spawn(const char *const args[], int *out_fd);

/* As check_spawn, but the pipe holds ONE write at a time (a packet pipe
 * of one page): each write of the program waits until the checker has
 * read the one before. So the checker decides when the program goes on
 * past a print. Read it with buffers of 4096 bytes or more. */
pid_t check_spawn_gated(const char *const args[], int *out_fd);

/* Wait at most timeout seconds for pid to end; its status in *status. */
bool check_wait(pid_t pid, int *status, double timeout);

/* Read lines from fd until one contains needle (at most timeout s);
 * everything read so far is kept in buf. */
bool check_read_until(int fd, char *buf, size_t size, const char *needle,
                      double timeout);

/* Read fd to its end (at most timeout seconds) into buf. */
void check_read_all(int fd, char *buf, size_t size, double timeout);

/* The program has ended: count what it left behind that came back to the
 * checker (zombies apart) into r, then kill and reap it. */
void check_collect_leftovers(struct check_run *r);

/* One end of a pipe a process holds. */
struct check_pipe_end {
    int fd;
    unsigned long inode; /* the pipe: both ends share it */
    bool writes;         /* the write end (else the read end) */
};

/* The pipe ends pid holds (from /proc/PID/fd and fdinfo), up to max,
 * lowest fd first; how many, or -1. */
int check_pipe_ends(pid_t pid, struct check_pipe_end *out, int max);

/* --- servers ----------------------------------------------------------- */

/* Start the program as a server with args (which should include -p 0),
 * and wait (bounded) for its "listening on ADDR:PORT" line. Returns the
 * port, or -1 (then it is killed). Its output comes through *out_fd. */
int check_server_start(const char *const args[], pid_t *pid, int *out_fd);

/* check_server_start as a check: a server that does not start fails it. */
int check_server_up(const char *const args[], pid_t *pid, int *out_fd);

/* SIGTERM must stop the server with exit status 0 within 8 s (a check
 * of its own, at todo with meaning); what it left is collected. */
void check_server_stops(pid_t server, int todo, const char *meaning);

/* A TCP connection to 127.0.0.1:port with 3 s send/receive timeouts; -1
 * if it cannot be made. */
int check_connect(int port);

/* The same with small socket buffers (set before connecting), so that a
 * server writing to it meets a full buffer (EAGAIN) soon. */
int check_connect_small(int port);

/* Send text on fd and read it back whole within timeout seconds. */
bool check_echo(int fd, const char *text, double timeout);

/* Echo CHECK_BACKLOG_BYTES through fd in rounds: send without reading
 * until the server stops taking bytes (its buffer for us is full: it
 * must wait for us to read), then only read until all that was sent is
 * back. True if every byte came back, in order, within timeout seconds;
 * *back says how many did. Use a check_connect_small connection. */
#define CHECK_BACKLOG_BYTES (8 << 20) /* more than kernel buffers hold */
bool check_echo_backlog(int fd, double timeout, size_t *back);

/* CPU seconds (user + system) pid's main thread has used so far
 * (/proc/PID/task/PID/stat: a sanitizer's own threads are not counted);
 * -1 if there is no such process. */
double check_cpu_seconds(pid_t pid);

/* How many sockets pid holds open (/proc/PID/fd). */
int check_socket_count(pid_t pid);

/* Does pid hold the listening TCP socket of port (from /proc/net/tcp)? */
bool check_holds_listener(pid_t pid, int port);

/* "exited with status 3", "killed by SIGKILL", "ran past its time limit". */
const char *check_status_text(const struct check_run *r);

/* A check: if !ok, say what was expected, what was seen, what it means,
 * and which TODO is probably at fault (0: none in particular); exit 1.
 * If ok, print one ✓ line with what. */
void check_that(bool ok, int todo, const char *what, const char *expected,
                const char *seen, const char *meaning);

/* Every check passed: say so and exit 0. */
void check_passed(void) __attribute__((noreturn));

#endif
