/* tests/helpers/no_fork.c — run a program in which every fork() fails
 * (EAGAIN), to test that the program reports it instead of ignoring it.
 *
 * usage: no_fork PROGRAM [ARGS...]
 *
 * It sets RLIMIT_NPROC to 0: a process may not create another while its
 * user already has that many. The kernel does not apply this limit to
 * root, so when run as root it first becomes the user nobody (65534).
 * Exits 125 if it cannot set that up, 126 if exec fails.
 */
#define _GNU_SOURCE /* setgroups is not in POSIX */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

enum { NOBODY = 65534 };

int main(int argc, char *argv[])
{
    if (argc < 2) {
        fprintf(stderr, "usage: no_fork PROGRAM [ARGS...]\n");
        return 2;
    }
    /* Become nobody before lowering the limit: a set*uid while over the
     * limit would make the exec below fail too. */
    if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)) {
        fprintf(stderr, "no_fork: cannot become nobody: %s\n", strerror(errno));
        return 125;
    }
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_NPROC, &none) < 0) {
        fprintf(stderr, "no_fork: setrlimit RLIMIT_NPROC: %s\n", strerror(errno));
        return 125;
    }
    /* LeakSanitizer's check at exit needs a new task, which the limit
     * forbids; leaks are checked by every other test. */
    setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
    execv(argv[1], argv + 1);
    fprintf(stderr, "no_fork: exec %s: %s\n", argv[1], strerror(errno));
    return 126;
}
