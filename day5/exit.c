/* day5/exit.c — 进程相关函数: os._exit 与 sys.exit /
 * exit() vs _exit(), and the exit status
 *
 * exit(status) is the C library's way out: it runs the atexit handlers,
 * flushes the stdio buffers, then calls _exit. _exit(status) is the system
 * call: the process ends at once; text still in a stdio buffer is lost and
 * no handler runs. Either way the low 8 bits of status reach the parent
 * (wait) or the shell ($?).
 *
 * Three children show it, one after the other, each printing text with no
 * newline (so it waits in the stdio buffer) before leaving:
 *   A  exit(3):   the text appears, the atexit handler runs, status 3
 *   B  _exit(4):  the text is lost, no handler, status 4
 *   C  Python's sys.exit("message"): the message on stderr, status 1
 * The parent registered the atexit handler before fork, so the children
 * inherit it, and it runs once more when the parent itself exits.
 *
 * Run:    ./build/day5/exit              the three children
 *         ./build/day5/exit -s 7; echo $?        the program exits 7
 *         ./build/day5/exit -m "退出进程"; echo $?
 *                                         sys.exit("退出进程"): 1
 * Watch:  A's text and handler line; nothing at all from B; C's message on
 *         stderr; the status the parent decodes for each.
 * See also: fork1 -p (the stdio buffer across fork), day6/wait.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"
#include "common/status.h"

/* Inherited through fork: runs in every process that leaves with exit(). */
static void say_goodbye(void)
{
    printf("[atexit handler ran in pid %ld]\n", (long)getpid());
}

/* Fork a child that prints unterminated text and then calls leave(code);
 * the parent waits for it and reports what came back. */
static void show_child(const char *name, const char *how,
                       void (*leave)(int), int code)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        printf("child %s (pid %ld): text with no newline, still in the "
               "stdio buffer... ",
               name, (long)getpid());
        leave(code);
        _exit(EXIT_FAILURE); /* not reached: every leave() ends it */
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        die_errno("waitpid");
    char text[64];
    if (WIFEXITED(status))
        printf("parent: child %s called %s -> exit status %d\n", name, how,
               WEXITSTATUS(status));
    else /* e.g. its stdout was a closed pipe: killed by SIGPIPE */
        printf("parent: child %s %s\n", name,
               status_describe(status, text, sizeof text));
}

/* Python's sys.exit("message"): the message on stderr, then exit(1).
 * (common/errors.h's die() does the same, with the program's name.) */
static void sys_exit_message(int unused)
{
    (void)unused;
    fprintf(stderr, "%s: child C: sys.exit(\"message\"): this goes to stderr\n",
            prog_name());
    exit(EXIT_FAILURE);
}

static const char usage[] =
    "usage: exit [-s STATUS | -m MESSAGE] [-h]\n"
    "  -s STATUS   end the program with exit(STATUS), 0..255 (default 0)\n"
    "  -m MESSAGE  end it like Python's sys.exit(MESSAGE): MESSAGE on\n"
    "              stderr, status 1\n";

int main(int argc, char *argv[])
{
    long final_status = 0;
    bool status_given = false;
    const char *message = NULL;
    prog_init(argv[0]);
    int opt;
    while ((opt = getopt(argc, argv, "s:m:h")) != -1) {
        switch (opt) {
        case 's':
            if (parse_long(optarg, 0, 255, &final_status) < 0)
                die_usage(usage, "bad exit status '%s' (0..255)", optarg);
            status_given = true;
            break;
        case 'm': message = optarg; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    if (message != NULL && status_given)
        die_usage(usage, "-s and -m are two ways to end: give one of them");
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines at once; partial ones wait */

    if (atexit(say_goodbye) != 0)
        die("atexit failed");
    printf("parent pid %ld; each child prints text without a newline, "
           "then leaves:\n",
           (long)getpid());

    show_child("A", "exit(3)", exit, 3);
    printf("        A's text came out: exit() flushed stdio and ran the "
           "atexit handler\n");
    show_child("B", "_exit(4)", _exit, 4);
    printf("        nothing from B: _exit() ends the process at once, the "
           "buffer is lost\n");
    show_child("C", "sys.exit(\"message\")", sys_exit_message, 1);
    printf("        C's text came out too (exit flushed it); its message "
           "went to stderr\n");

    if (message != NULL) {
        /* sys.exit(message) for the whole program: nothing after it runs */
        fprintf(stderr, "%s\n", message);
        exit(EXIT_FAILURE);
    }
    printf("parent: now exit(%ld): the handler runs once more, here; then "
           "try echo $?\n",
           final_status);
    exit((int)final_status);
}
