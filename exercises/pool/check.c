/* exercises/pool/check.c — the checker for the pool exercise (dispatch
 * tasks to pre-forked workers, collect every result).
 *
 * Runs pool_demo -w 2 -n 6 -s 100 (the course's pool.py: 6 tasks of
 * 100 ms on a pool of 2) and reads what it says:
 *  - every get(task K) is ok and holds task K's own result;
 *  - the results come from exactly the 2 workers forked at the start
 *    (reused, not re-forked; both used);
 *  - join() returns, with no worker left (no child, no zombie).
 * Then pool_demo -w 2 -n 2 -s 300 -c 1: task 1 crashes its worker at
 * once, so the pool hears of task 1 long before task 0 is done; get(task
 * 0) must still wait for task 0 (a get() that returns after any news,
 * not after its own task's, is caught here on every run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "exercises/checklib.h"

enum { TASKS = 6 };

/* The line starting with prefix, quoted into out; NULL if none. */
static const char *line_starting(const char *text, const char *prefix,
                                 char *out, size_t size)
{
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        if (strncmp(p, prefix, strlen(prefix)) == 0) {
            snprintf(out, size, "\"%.*s\"",
                     (int)(end ? end - p : (long)strlen(p)), p);
            return out;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return NULL;
}

int main(int argc, char *argv[])
{
    check_start("pool", argc, argv);
    struct check_run r;
    const char *args[] = {"-w", "2", "-n", "6", "-s", "100", NULL};
    check_run_busy(&r, args, check_timeout(20), 3.0);
    char line[512], expect[128], seen[600];

    int workers[2] = {0, 0};
    const char *pool = strstr(r.out, "Pool(2): workers ");
    bool started = pool != NULL &&
                   sscanf(pool, "Pool(2): workers %d %d", &workers[0],
                          &workers[1]) == 2;
    check_that(started, 0, "the pool starts its 2 workers",
               "\"Pool(2): workers PID PID\"", "no such line", NULL);

    bool used[2] = {false, false};
    for (int k = 0; k < TASKS; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "get(task %d):", k);
        snprintf(expect, sizeof expect,
                 "\"get(task %d): ok, from worker W: \\\"Tedu %d done by "
                 "worker W\\\"\"", k, k);
        const char *got = line_starting(r.out, prefix, line, sizeof line);
        snprintf(seen, sizeof seen, "%s", got ? got : "(no such line)");
        int w = 0;
        char result[32];
        snprintf(result, sizeof result, "\\\"Tedu %d done by worker", k);
        bool ok = got != NULL && strstr(got, ": ok, from worker") != NULL &&
                  strstr(got, result + 1) != NULL &&
                  sscanf(strstr(got, "from worker"), "from worker %d", &w) == 1;
        check_that(ok, 1, "get() returns each task's own result", expect,
                   seen,
                   "get(handle) must wait — moving tasks down and results "
                   "up (pool_pump) — until THAT task's result is back; a "
                   "worker must answer every task with a framed result "
                   "carrying the task's id.");
        for (int i = 0; i < 2; i++)
            used[i] = used[i] || w == workers[i];
        snprintf(seen, sizeof seen, "task %d ran on process %d", k, w);
        check_that(w == workers[0] || w == workers[1], 3,
                   "tasks run on the pool's own workers",
                   "one of the 2 pids forked at the start", seen,
                   "a pool forks its workers once and reuses them: no "
                   "process per task.");
    }
    snprintf(seen, sizeof seen, "only worker %d was used",
             used[0] ? workers[0] : workers[1]);
    check_that(used[0] && used[1], 0, "both workers get tasks",
               "results from both workers", seen,
               "with 6 tasks queued, the pool must hand tasks to every "
               "worker with room, not wait for one to finish.");

    snprintf(seen, sizeof seen, "the program %s; %d process(es) left",
             check_status_text(&r), r.leftovers);
    check_that(!r.timed_out && r.leftovers == 0, 2,
               "join() ends the workers and reaps them",
               "the program ends, no worker left behind", seen,
               "a worker reads tasks until its task pipe reaches end of "
               "file: join() must close the write end of every worker's "
               "task pipe, then wait for each worker.");
    check_that(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, 0,
               "it ends well", "exit status 0", check_status_text(&r), NULL);

    const char *crash[] = {"-w", "2", "-n", "2", "-s", "300", "-c", "1",
                           NULL};
    check_run_busy(&r, crash, check_timeout(20), 3.0);
    const char *got = line_starting(r.out, "get(task 0):", line, sizeof line);
    snprintf(seen, sizeof seen, "%s", got ? got : "(no such line)");
    check_that(got != NULL && strstr(got, ": ok, from worker") != NULL &&
                   strstr(got, "Tedu 0 done") != NULL,
               1, "get() waits for its own task, whatever comes first",
               "\"get(task 0): ok, from worker W: \\\"Tedu 0 done by "
               "worker W\\\"\" (run with -n 2 -s 300 -c 1: task 1 crashes "
               "its worker at once)",
               seen,
               "news of another task (here: task 1's worker crashed) came "
               "first. get(handle) must wait until THAT task is done: "
               "pool_pump() in a loop, not once.");
    check_passed();
}
