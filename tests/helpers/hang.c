/* tests/helpers/hang.c — prints a line, then ignores SIGTERM and sleeps
 * forever: the harness must kill it at its timeout. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    signal(SIGTERM, SIG_IGN);
    printf("hanging\n");
    fflush(stdout);
    for (;;)
        pause();
}
