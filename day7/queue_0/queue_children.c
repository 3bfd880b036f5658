/* day7/queue_0/queue_children.c — queue_0's children: started, joined,
 * and stopped on SIGINT or SIGTERM.
 *
 * Each child dies with its parent (die_with_parent): even after kill -9 of
 * queue_0, no child lives on under PID 1, blocked on a queue. To wait for
 * its children, the parent reads a socket whose other end only they hold:
 * end of file once the last of them has exited — or at once when a stop
 * signal comes, since sig_stop_shutdown shuts that socket down. Then it
 * reaps them. (Blocking in waitpid instead would leave a gap: a signal
 * landing just before the call would wait for the children to end.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/parent.h"
#include "common/signals.h"
#include "common/status.h"
#include "day7/queue_0/queue.h"

enum { MAX_CHILDREN = 2 };

static pid_t children[MAX_CHILDREN];
static int nchildren;
static int done_fd = -1;   /* end of file here: every child has exited */
static int child_end = -1; /* its other end, given to the children */

/* A fresh socket pair for the next children, read at the same number. */
static void new_done_socket(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die_errno("socketpair");
    if (done_fd < 0) {
        done_fd = sv[0];
        sig_stop_shutdown(done_fd);
    } else {
        if (dup2(sv[0], done_fd) < 0)
            die_errno("dup2");
        close(sv[0]);
    }
    child_end = sv[1];
}

void queue_child_start(void (*fn)(struct queue *), struct queue *q)
{
    if (nchildren == MAX_CHILDREN)
        die("more than %d children at once", MAX_CHILDREN);
    if (child_end < 0)
        new_done_socket();
    sigset_t old;
    if (sig_hold_stop(&old) < 0) /* the child restores the defaults first */
        die_errno("sigprocmask");
    pid_t pid = fork_child(); /* fork(), and the child dies with us */
    if (pid == 0) {
        sig_child_defaults(&old);
        close(done_fd); /* it keeps child_end open until it exits */
        fn(q);
        fflush(stdout);
        _exit(0);
    }
    children[nchildren++] = pid;
    if (sig_release(&old) < 0)
        die_errno("sigprocmask");
}

bool queue_children_join(void)
{
    close(child_end); /* now only the children hold it */
    child_end = -1;
    char c;
    ssize_t n;
    do {
        queue_stop_if_requested();
        n = read(done_fd, &c, 1);
    } while (n != 0 && (n > 0 || errno == EINTR));
    if (n < 0)
        die_errno("read");
    queue_stop_if_requested();

    bool ok = true;
    for (int i = 0; i < nchildren; i++) {
        int status;
        char how[64];
        while (waitpid(children[i], &status, 0) < 0)
            if (errno != EINTR)
                die_errno("waitpid");
        if (status != 0)
            warn_msg("child %d %s", (int)children[i],
                     status_describe(status, how, sizeof how));
        ok = ok && status == 0;
    }
    nchildren = 0;
    return ok;
}

void queue_stop_if_requested(void)
{
    int sig = sig_stop_requested;
    if (sig == 0)
        return;
    for (int i = 0; i < nchildren; i++) {
        kill(children[i], SIGTERM);
        while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
            ;
    }
    printf("stopped by signal %d: %d children stopped and reaped, "
           "queues closed\n",
           sig, nchildren);
    exit(128 + sig);
}
