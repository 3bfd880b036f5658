/* day5/fork1.c — fork使用: 父子进程的内存空间 /
 * what the child gets from fork
 *
 * The child starts as a copy of the parent: every variable set before
 * fork has the same value in both. After fork each process changes only
 * its own copy: the child sets a = 10000, the parent still sees a = 1,
 * even though both print the same address for a (each process has its
 * own virtual memory; the address is the same, the memory is not).
 *
 * The stdio buffer is memory too. With -p the program shows the classic
 * pitfall: the PARENT prints a marker without a newline; it sits in the
 * buffer, fork copies the buffer, and both processes print it when they
 * flush — the marker comes out twice, though only the parent printed it.
 * Every piece of output names the process that printed it. The fix:
 * fflush(stdout) before fork (shown right after).
 *
 * Run:    ./build/day5/fork1          the variable a, parent and child
 *         ./build/day5/fork1 -p       the stdio pitfall, then its fix
 * Watch:  "a = 1" in the child before it changes a, "a = 1" in the
 *         parent after the child has finished; with -p, the parent's
 *         marker twice, once in front of each process's own words.
 * See also: fork, exit (exit vs _exit flushing), day6/process1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"

static void wait_for(pid_t child);

/* The lesson: the child gets a copy of a; changing it changes the copy. */
static void show_copied_variable(void)
{
    int a = 1;
    printf("before fork: a = %d\n", a);
    fflush(stdout);

    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        printf("child:  a = %d at %p (a copy of the parent's a)\n", a,
               (void *)&a);
        a = 10000;
        printf("child:  set a = 10000, now a = %d\n", a);
        printf("child:  All a = %d\n", a);
        exit(EXIT_SUCCESS);
    }
    wait_for(pid); /* the child has changed its a for sure by now */
    printf("parent: the child has finished; my a = %d at %p (unchanged)\n",
           a, (void *)&a);
    printf("parent: All a = %d\n", a);
}

/* One round: the parent prints a marker with no newline, forks, then
 * each process ends the line with its own words. flush_first: the fix. */
static void one_round(bool flush_first)
{
    printf("[parent %ld %s] ", (long)getpid(),
           flush_first ? "flushed this before fork"
                       : "wrote this once, before fork");
    if (flush_first)
        fflush(stdout); /* the fix: empty the buffer before it is copied */

    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        printf("<- child %ld wrote only this arrow part\n", (long)getpid());
        exit(EXIT_SUCCESS); /* exit flushes the child's copy of the buffer */
    }
    wait_for(pid);
    printf("<- parent %ld wrote this arrow part\n", (long)getpid());
    fflush(stdout);
}

/* -p: the pitfall, then the fix. */
static void show_stdio_pitfall(void)
{
    printf("1. without fflush before fork:\n");
    fflush(stdout); /* start with an empty buffer */
    one_round(false);
    printf("   the parent's marker came out twice: fork copied the "
           "unflushed stdio\n"
           "   buffer, and the child and the parent each flushed their "
           "copy.\n");
    printf("2. with fflush(stdout) before fork:\n");
    fflush(stdout);
    one_round(true);
    printf("   once only: the buffer was empty when fork copied it.\n");
}

/* Wait for the child, so the parent speaks only after the child is done. */
static void wait_for(pid_t child)
{
    if (waitpid(child, NULL, 0) < 0)
        die_errno("waitpid");
}

static const char usage[] =
    "usage: fork1 [-p] [-h]\n"
    "  -p  show the stdio pitfall: text printed before fork comes out "
    "twice\n";

int main(int argc, char *argv[])
{
    bool pitfall = false;
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "ph")) != -1) {
        switch (opt) {
        case 'p': pitfall = true; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    /* stdout keeps its usual buffering (line-buffered on a terminal, fully
     * buffered into a pipe or file): buffering is part of the lesson. */
    if (pitfall)
        show_stdio_pitfall();
    else
        show_copied_variable();
    return EXIT_SUCCESS;
}
