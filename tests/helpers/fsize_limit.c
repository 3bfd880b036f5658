/* tests/helpers/fsize_limit.c — run a program that cannot write a file
 * past BYTES, to test what it does when a write fails midway (as on a
 * full disk), without root, a mount or a disk to fill.
 *
 * usage: fsize_limit BYTES PROGRAM [ARGS...]
 *
 * How: RLIMIT_FSIZE = BYTES, and SIGXFSZ ignored; both are inherited
 * across execv and fork. A write or splice that would take a regular file
 * past the limit then fails with EFBIG instead of killing the program
 * with SIGXFSZ. Pipes and sockets have no such limit.
 *
 * Exits 125 if it cannot set this up, 126 if exec fails.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    if (argc < 3) {
        fprintf(stderr, "usage: fsize_limit BYTES PROGRAM [ARGS...]\n");
        return 125;
    }
    char *end;
    errno = 0;
    long long bytes = strtoll(argv[1], &end, 10);
    if (errno != 0 || end == argv[1] || *end != '\0' || bytes < 0) {
        fprintf(stderr, "fsize_limit: bad BYTES '%s'\n", argv[1]);
        return 125;
    }
    struct rlimit limit = {(rlim_t)bytes, (rlim_t)bytes};
    if (setrlimit(RLIMIT_FSIZE, &limit) < 0 || signal(SIGXFSZ, SIG_IGN) == SIG_ERR) {
        fprintf(stderr, "fsize_limit: %s\n", strerror(errno));
        return 125;
    }
    execv(argv[2], &argv[2]);
    fprintf(stderr, "fsize_limit: exec %s: %s\n", argv[2], strerror(errno));
    return 126;
}
