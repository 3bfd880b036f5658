/* day6/wait.c — 如何避免僵尸进程:
 * 使用wait函数处理子进程退出 / reaping with wait
 *
 * wait() blocks until a child ends, reaps it (no zombie is left) and
 * hands back a status word that says HOW it ended. Decode it with the
 * macros:
 *   WIFEXITED(s)   it called exit/_exit (or returned from main):
 *                  WEXITSTATUS(s) is the code, 0..255
 *   WIFSIGNALED(s) a signal killed it: WTERMSIG(s) is the signal
 * (Python's os.wait returns the same raw word: exit code 3 shows as 768,
 * which is 3 << 8; os.WEXITSTATUS decodes it the same way.)
 *
 * 1. a child exits with 3;        wait() returns its pid, WEXITSTATUS 3
 * 2. a child is killed (SIGKILL); wait() says WIFSIGNALED, WTERMSIG 9
 * 3. a child works for a while;   the parent polls waitpid(pid, WNOHANG)
 *    between steps of its own work, never blocking, until it is done
 * Finally wait() returns -1 with ECHILD: no child is left to wait for.
 *
 * Run:    ./build/day6/wait
 * Watch:  the decoded statuses; in part 3 how many times the parent found
 *         the child still running (that number depends on the scheduler).
 * See also: day5/zombie (what happens without wait), child, sigchld.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"

enum { EXIT_CODE = 3 };
#define CHILD_WORK_MS  400 /* how long the part-3 child works */
#define PARENT_STEP_MS 100 /* one step of the parent's own work in part 3 */

static pid_t start_child(int (*work)(void));
static pid_t wait_one(int *status);
static int exit_with_code(void);
static int wait_to_be_killed(void);
static int work_a_while(void);

/* Print what a wait status word says. */
static void describe(pid_t pid, int status)
{
    printf("parent: reaped %ld, raw status %d (0x%04x): ", (long)pid, status,
           (unsigned)status);
    if (WIFEXITED(status))
        printf("WIFEXITED, WEXITSTATUS = %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("WIFSIGNALED, WTERMSIG = %d (%s)\n", WTERMSIG(status),
               strsignal(WTERMSIG(status)));
    else
        printf("neither exited nor killed?\n");
}

/* Parts 1 and 2: wait() blocks, reaps, and says how the child ended. */
static void show_wait(void)
{
    printf("1. a child that exits with %d; wait() blocks until it has\n",
           EXIT_CODE);
    pid_t pid = start_child(exit_with_code);
    int status;
    pid_t reaped = wait_one(&status);
    printf("parent: wait() returned %ld, the pid fork returned (%ld)\n",
           (long)reaped, (long)pid);
    describe(reaped, status);

    printf("2. a child killed by SIGKILL\n");
    pid = start_child(wait_to_be_killed);
    if (kill(pid, SIGKILL) < 0)
        die_errno("kill");
    printf("parent: sent SIGKILL to %ld\n", (long)pid);
    reaped = wait_one(&status);
    describe(reaped, status);
}

/* Part 3: waitpid(WNOHANG) asks without blocking; the parent works on. */
static void show_waitpid_nohang(void)
{
    printf("3. waitpid(pid, &status, WNOHANG): check without blocking, "
           "keep working\n");
    pid_t pid = start_child(work_a_while), reaped;
    int status, still_running = 0;
    while ((reaped = waitpid(pid, &status, WNOHANG)) == 0) {
        still_running++;
        printf("parent: waitpid returned 0: child still running; my own "
               "work, step %d\n",
               still_running);
        clock_sleep_ms(PARENT_STEP_MS);
    }
    if (reaped < 0)
        die_errno("waitpid");
    describe(reaped, status);
    printf("parent: found the child still running %d time(s) before it was "
           "done (the count depends on the scheduler)\n",
           still_running);
}

/* fork, or die; the child runs work() and exits with what it returns. */
static pid_t start_child(int (*work)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0)
        exit(work());
    return pid;
}

/* wait() for one child, retrying if a signal interrupts it. */
static pid_t wait_one(int *status)
{
    pid_t pid;
    while ((pid = wait(status)) < 0 && errno == EINTR)
        ;
    if (pid < 0)
        die_errno("wait");
    return pid;
}

static int exit_with_code(void)
{
    printf("child %ld: exit(%d)\n", (long)getpid(), EXIT_CODE);
    return EXIT_CODE;
}

/* Wait to be killed: pause() returns only after a signal that is caught,
 * and SIGKILL cannot be caught. */
static int wait_to_be_killed(void)
{
    pause();
    return EXIT_FAILURE; /* not reached */
}

static int work_a_while(void)
{
    printf("child %ld: working for %d ms\n", (long)getpid(), CHILD_WORK_MS);
    clock_sleep_ms(CHILD_WORK_MS);
    printf("child %ld: done, exit(0)\n", (long)getpid());
    return 0;
}

static const char usage[] =
    "usage: wait [-h]\n"
    "Reap children with wait() and waitpid(WNOHANG); decode their status.\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    parse_no_options(argc, argv, usage);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, even in a pipe */
    show_wait();
    show_waitpid_nohang();
    int status;
    if (wait(&status) >= 0 || errno != ECHILD)
        die("wait() found a child that should not exist");
    printf("parent: wait() now returns -1, ECHILD: no children left, no "
           "zombies\n");
    return EXIT_SUCCESS;
}
