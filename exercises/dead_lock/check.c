/* exercises/dead_lock/check.c — the checker for the dead_lock exercise
 * (removing the deadlock by lock ordering).
 *
 * Runs the program in its fixed mode: Tom pays Abby 2000 while Abby pays
 * Tom 3000, each holding its first lock 100 ms before taking the second.
 * With the locks taken in one global order both transfers finish; in the
 * course's order (from, then to) each waits for the other forever, which
 * the checker sees as a program that uses no CPU and never ends.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "exercises/checklib.h"

int main(int argc, char *argv[])
{
    check_start("dead_lock", argc, argv);
    struct check_run r;
    const char *none[] = {NULL};
    check_run_busy(&r, none, check_timeout(30), 3.0);
    check_that(!r.timed_out, 1, "both transfers finish",
               "the program ends", "it hung: both threads waited, forever",
               "each transfer held one account's lock and waited for the "
               "other's: a cycle (circular wait). Take the locks in one "
               "global order — say the lower account id first — whatever "
               "the direction of the transfer, and no cycle can form.");
    check_that(strstr(r.out, "Tom->Abby 2000: done") != NULL &&
                   strstr(r.out, "Abby->Tom 3000: done") != NULL &&
                   strstr(r.out, "Tom 6000, Abby 7000, total 13000") != NULL,
               1, "both transfers move their money",
               "\"Tom->Abby 2000: done\", \"Abby->Tom 3000: done\", "
               "\"Tom 6000, Abby 7000, total 13000\"",
               strstr(r.out, "bank: Tom") ? strstr(r.out, "bank: Tom")
                                          : "(no bank line)",
               "each transfer must hold both accounts' locks while it moves "
               "the money.");
    check_that(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, 0,
               "it ends well", "exit status 0", check_status_text(&r), NULL);
    check_passed();
}
