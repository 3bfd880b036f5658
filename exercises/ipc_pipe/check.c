/* exercises/ipc_pipe/check.c — the checker for the ipc_pipe exercise.
 *
 * Runs `ipc_pipe -b 64000000` (far more than a pipe holds) and stops the
 * child after its first read, so the parent waits in write() on a full
 * pipe. Meanwhile
 * it reads which pipe ends each process holds (/proc/PID/fd and fdinfo):
 * each must hold only the ends it uses. Then the child goes on: it must
 * see end of file, and the program must end with the data intact.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/procfs.h"
#include "exercises/checklib.h"

enum { MAX_ENDS = 16 };

struct ends {
    struct check_pipe_end e[MAX_ENDS];
    int n;
};

/* Does the process hold the read (writes == false) or write end of the
 * pipe with this inode? */
static bool holds(const struct ends *p, unsigned long inode, bool writes)
{
    for (int i = 0; i < p->n; i++)
        if (p->e[i].inode == inode && p->e[i].writes == writes)
            return true;
    return false;
}

/* The program's two pipes, in the order it made them: down, then up. The
 * checker's own pipe (the program's stdout) is not one of them. */
static int find_pipes(const struct ends *parent, unsigned long skip,
                      unsigned long pipes[2])
{
    int found = 0;
    for (int i = 0; i < parent->n && found < 2; i++) {
        unsigned long ino = parent->e[i].inode;
        if (ino != skip && (found == 0 || pipes[0] != ino))
            pipes[found++] = ino;
    }
    return found;
}

static void check_holds(const struct ends *p, const char *who,
                        unsigned long inode, bool writes, const char *pipe,
                        int todo)
{
    char what[160], seen[160];
    snprintf(what, sizeof what, "the %s has closed the %s end of the %s pipe",
             who, writes ? "write" : "read", pipe);
    snprintf(seen, sizeof seen, "the %s still holds it", who);
    check_that(!holds(p, inode, writes), todo, what,
               "only the ends each process uses stay open", seen,
               writes ? "end of file comes only when EVERY write end is "
                        "closed, the reader's own copy included: fork "
                        "copied both ends into both processes"
                      : "an unused end is a leak; on the read side it also "
                        "keeps a writer from getting EPIPE when the real "
                        "reader is gone");
}

struct run {
    struct ends p, c;      /* what parent and child held, child stopped */
    unsigned long pipes[2]; /* down, up */
    bool ended;
    int status;
    char text[65536];
};

/* One run; false if it ended before the snapshot could be taken. */
static bool run_once(struct run *r)
{
    const char *args[] = {"-b", "64000000", NULL};
    int out;
    pid_t parent = check_spawn(args, &out);
    struct stat st;
    fstat(out, &st);
    /* The child's first line comes after its closes: stop it then. */
    pid_t child = 0;
    r->text[0] = '\0';
    check_read_until(out, r->text, sizeof r->text, "read() #",
                     check_timeout(5));
    if (procfs_children(parent, &child, 1) < 1 || child <= 0)
        child = 0; /* no child (it died, or never started): nothing to stop */
    if (child > 0) /* never kill(0, ...): that is our own process group */
        kill(child, SIGSTOP);
    clock_sleep_ms(200); /* the parent fills the pipe and waits in write() */
    r->p.n = check_pipe_ends(parent, r->p.e, MAX_ENDS);
    r->c.n = check_pipe_ends(child, r->c.e, MAX_ENDS);
    if (child > 0)
        kill(child, SIGCONT);
    size_t len = strlen(r->text);
    check_read_all(out, r->text + len, sizeof r->text - len,
                   check_timeout(10));
    close(out);
    r->ended = check_wait(parent, &r->status, check_timeout(2));
    if (!r->ended) {
        kill(parent, SIGKILL);
        if (child > 0)
            kill(child, SIGKILL);
        waitpid(parent, &r->status, 0);
    }
    check_collect_leftovers(&(struct check_run){0});
    return find_pipes(&r->p, (unsigned long)st.st_ino, r->pipes) == 2 &&
           r->c.n > 0;
}

int main(int argc, char *argv[])
{
    check_start("ipc_pipe", argc, argv);
    static struct run r;
    bool seen = false;
    for (int tries = 0; tries < 3 && !seen; tries++)
        seen = run_once(&r); /* too quick to be caught: again */
    check_that(seen, 0, "the program has its two pipes (down and up)",
               "two pipes, held by parent and child",
               "it ended before they could be seen (3 tries)", NULL);
    if (!r.ended) {
        check_that(!holds(&r.c, r.pipes[0], true), 1,
                   "the child sees end of file",
                   "the child's read() returns 0 once the parent is done",
                   "the program hung: the child waited for more data forever",
                   "the child still held a write end of the pipe it reads, "
                   "so there was always a writer that might write more");
        check_that(false, 3, "the child sees end of file",
                   "the child's read() returns 0 once the parent is done",
                   "the program hung: the child waited for more data forever",
                   "end of file comes when the last write end is closed: "
                   "the parent must close its own when it has sent all");
    }
    check_holds(&r.c, "child", r.pipes[0], true, "down", 1);
    check_holds(&r.c, "child", r.pipes[1], false, "up", 1);
    check_holds(&r.p, "parent", r.pipes[0], false, "down", 2);
    check_holds(&r.p, "parent", r.pipes[1], true, "up", 2);
    check_that(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 &&
                   strstr(r.text, "intact") != NULL,
               0, "the data arrives intact and the program ends well",
               "\"intact\" and exit status 0", check_status_text(
                   &(struct check_run){.status = r.status}), NULL);
    check_passed();
}
