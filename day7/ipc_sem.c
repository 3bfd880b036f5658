/* day7/ipc_sem.c — 进程间通信: 信号量 / IPC with a semaphore:
 * guarding shared memory
 *
 * A semaphore is a counter in the kernel's care: sem_wait takes 1 from it
 * (waiting while it is 0), sem_post gives 1 back. Started at 1, it lets
 * one process at a time through the code between wait and post: a lock
 * that works across processes.
 *
 * Several processes add 1 to one counter in shared memory (day7/ipc_shm),
 * each ITER times. "counter = counter + 1" is three steps — load, add,
 * store — so two processes can load the same value and one update is
 * lost. With the semaphore around it (sem_init with pshared = 1, the
 * semaphore itself in the shared memory) the total is exact. With
 * --no-sem it is not, on every run: left to chance, a busy or one-CPU
 * machine may run the children one after the other and lose nothing, so
 * the unlucky interleaving is made to happen once, for sure
 * (lose_an_update); the rest of the run races freely.
 *
 * Run: ./build/day7/ipc_sem [-n PROCS] [-i ITER] [--no-sem] (-h: options)
 * Watch: "exact" with the semaphore; with --no-sem, the updates LOST.
 * See also: day7/ipc_shm, day8/thread_lock (threads and a mutex).
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS: shared memory without a name */

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"
#include "common/parent.h"
#include "common/status.h"

enum { MAX_PROCS = 16, MAX_ITER = 10000000 };

/* What lives in the shared memory: the counter and its guard. */
struct shared {
    sem_t lock;            /* process-shared: here, where all can reach it */
    volatile long counter; /* volatile: each load and store really happens */
    volatile int go;       /* --no-sem: the first child lets the others go */
};

static void lose_an_update(struct shared *s, bool first);

/* What each child does: add 1, iter times, with or without the lock. */
static void add(struct shared *s, long iter, bool use_sem, bool first)
{
    if (!use_sem) {
        lose_an_update(s, first);
        iter--;
    }
    for (long i = 0; i < iter; i++) {
        if (use_sem)
            while (sem_wait(&s->lock) < 0)
                if (errno != EINTR)
                    die_errno_child("sem_wait");
        s->counter = s->counter + 1; /* load, add, store: not one step */
        if (use_sem && sem_post(&s->lock) < 0)
            die_errno_child("sem_post");
    }
}

/* --no-sem: the race's unlucky order, made certain once. The first child
 * loads the counter and lets the others add 1 each; it waits until one of
 * them has stored, then stores its stale value + 1: their updates are
 * gone. Then all go on freely. Each child's step here is one addition. */
static void lose_an_update(struct shared *s, bool first)
{
    if (!first) {
        while (s->go == 0)
            sched_yield();
        s->counter = s->counter + 1;
        while (s->go == 1) /* until the first child has stored */
            sched_yield();
        return;
    }
    long seen = s->counter; /* load */
    s->go = 1;
    while (s->counter == seen) /* until another child has stored */
        sched_yield();
    s->counter = seen + 1; /* store: what they added meanwhile is lost */
    s->go = 2;
}

/* Fork procs children that each run add(); wait for them at a starting
 * gate, so that the first is not done before the last has started.
 * Returns the seconds they took, or -1 if one of them failed. */
static double run_children(struct shared *s, long procs, long iter,
                           bool use_sem)
{
    int gate[2]; /* end of file on it, when the parent closes it: "go!" */
    if (pipe(gate) < 0)
        die_errno("pipe");
    pid_t pids[MAX_PROCS];
    for (int p = 0; p < procs; p++) {
        pids[p] = fork_child(); /* fork(), and the child dies with us */
        if (pids[p] == 0) {
            char byte;
            close(gate[1]);
            while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
                ;
            add(s, iter, use_sem, p == 0);
            _exit(0);
        }
    }
    double start = clock_now();
    close(gate[1]); /* go! */
    close(gate[0]);
    bool ok = true;
    for (int p = 0; p < procs; p++) {
        int status;
        char how[64];
        while (waitpid(pids[p], &status, 0) < 0)
            if (errno != EINTR)
                die_errno("waitpid");
        if (status != 0)
            printf("child %d %s\n", (int)pids[p],
                   status_describe(status, how, sizeof how));
        ok = ok && status == 0;
    }
    return ok ? clock_now() - start : -1;
}

static const char usage[] =
    "usage: ipc_sem [-n PROCS] [-i ITER] [--no-sem] [-h]\n"
    "  -n PROCS   processes adding at once, 2..16 (default 2)\n"
    "  -i ITER    additions per process, 1..10000000 (default 1000000)\n"
    "  --no-sem   no semaphore: show the lost updates\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long procs = 2, iter = 1000000;
    bool use_sem = true;
    static const struct option longopts[] = {{"no-sem", no_argument, NULL, 'N'},
                                             {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "n:i:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 2, MAX_PROCS, &procs) < 0)
                die_usage(usage, "bad PROCS '%s'", optarg);
            break;
        case 'i':
            if (parse_long(optarg, 1, MAX_ITER, &iter) < 0)
                die_usage(usage, "bad ITER '%s'", optarg);
            break;
        case 'N': use_sem = false; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        die_errno("mmap");
    if (sem_init(&s->lock, 1 /* between processes */, 1 /* one at once */) < 0)
        die_errno("sem_init");
    printf("%ld processes each add 1 to a shared counter %ld times, %s\n",
           procs, iter,
           use_sem ? "each time between sem_wait and sem_post"
                   : "WITHOUT the semaphore");
    double elapsed = run_children(s, procs, iter, use_sem);
    if (elapsed < 0)
        die("a child failed");

    long expected = procs * iter, got = s->counter;
    if (got == expected)
        printf("counter = %ld, expected %ld: exact (%.2f s)\n", got, expected,
               elapsed);
    else
        printf("counter = %ld, expected %ld: %ld updates LOST (%.2f s)\n", got,
               expected, expected - got, elapsed);
    sem_destroy(&s->lock);
    munmap(s, sizeof *s);
    return use_sem && got != expected ? 1 : 0;
}
