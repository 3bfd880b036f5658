/* exercises/queue_0/check.c — the checker for the queue_0 exercise (a
 * producer and a consumer on a message queue, without the course's race).
 *
 * Runs part v1 with a queue of ONE message, and stops each child in
 * turn for 100 ms: while the producer is stopped the consumer finds the
 * queue empty, only because the producer has not put the next request
 * yet. The course's consumer
 * ("while not q.empty()") quits at the first such moment, and the
 * producer then blocks on the full queue forever. Three runs; each must
 * handle all 1000 requests and end. Then the default run (10 requests).
 */
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"

#include "exercises/checklib.h"

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Stop each child of pid in turn for 100 ms, twice: while the producer
 * is stopped the consumer empties the queue and finds it empty, however
 * fast or idle the machine is (stopping the consumer changes nothing). */
static void pause_children(pid_t pid)
{
    pid_t kids[2];
    double end = clock_now() + check_timeout(5);
    while (procfs_children(pid, NULL, 0) < 2 && clock_now() < end)
        clock_sleep_ms(1);
    int n = procfs_children(pid, kids, 2);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < n && i < 2; i++)
            if (kids[i] > 0) {
                kill(kids[i], SIGSTOP);
                clock_sleep_ms(100);
                kill(kids[i], SIGCONT);
            }
}

static void check_v1(const char *n, int want)
{
    static struct check_run r;
    const char *args[] = {"-p", "v1", "-m", "1", "-n", n, "-s", "1", NULL};
    int fd;
    double end = clock_now() + check_timeout(30);
    pid_t pid = check_spawn(args, &fd);
    pause_children(pid);
    check_read_all(fd, r.out, sizeof r.out, check_timeout(8));
    close(fd);
    r.timed_out = !check_wait(pid, &r.status, end - clock_now() > 0
                                                  ? end - clock_now() : 0);
    if (r.timed_out) {
        kill(pid, SIGKILL);
        waitpid(pid, &r.status, 0);
    }
    check_collect_leftovers(&r);
    int handled = count(r.out, "consumer: ") - count(r.out, "consumer: done");
    char expect[96], seen[256];
    snprintf(expect, sizeof expect,
             "\"consumer: done, %d requests handled\", and the program ends",
             want);
    const char *done = strstr(r.out, "consumer: done");
    if (r.timed_out && strstr(r.out, "producer: put END") == NULL &&
        handled == want)
        check_that(false, 1, "the consumer learns that the producer is done",
                   expect,
                   "every request was handled, then both waited forever",
                   "the consumer blocks in get() for the next message: "
                   "the producer must put a last message that says 'no "
                   "more' (END), or the consumer never stops.");
    snprintf(seen, sizeof seen, "%d of %d requests handled; %s", handled,
             want,
             r.timed_out ? "then it hung (the producer blocked on the full "
                           "queue, or the consumer never stopped)"
                         : (done ? "the consumer said it was done"
                                 : "no \"done\" line"));
    check_that(!r.timed_out && handled == want && done != NULL, 2,
               "the consumer takes every request, then stops at END",
               expect, seen,
               "an empty queue does not mean the work is over: the producer "
               "may simply not have put the next request yet (the course's "
               "\"while not q.empty()\" race). Block in get() until a message "
               "comes, and stop only at the producer's END.");
    check_that(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 &&
                   r.leftovers == 0,
               0, "it ends well, no process left", "exit status 0",
               check_status_text(&r), NULL);
}

int main(int argc, char *argv[])
{
    check_start("queue_0", argc, argv);
    for (int run = 0; run < 3; run++)
        check_v1("1000", 1000);
    check_v1("10", 10);
    check_passed();
}
