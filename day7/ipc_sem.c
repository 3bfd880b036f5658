/* day7/ipc_sem.c — 进程间通信: 信号量 / IPC with a semaphore: guarding shared memory
 *
 * A semaphore is a counter in the kernel's care: sem_wait takes 1 from it
 * (waiting while it is 0), sem_post gives 1 back. Started at 1, it lets one
 * process at a time through the code between wait and post: a lock that
 * works across processes.
 *
 * Several processes add 1 to one counter in shared memory (day7/ipc_shm),
 * each ITER times. "counter = counter + 1" is three steps — load, add,
 * store — so two processes can load the same value and one update is lost.
 * With the semaphore around it (sem_init with pshared = 1, the semaphore
 * itself in the shared memory) the total is exact. With --no-sem it usually
 * is not: the lost updates are counted.
 *
 * Usage: ipc_sem [-n PROCS] [-i ITER] [--no-sem] [-h]
 *   -n PROCS   processes adding at once, 2..16 (default 2)
 *   -i ITER    additions per process, 1..10000000 (default 1000000)
 *   --no-sem   no semaphore: show the lost updates (the bug, on purpose)
 *
 * Watch for: "exact" with the semaphore; with --no-sem a total below
 * PROCS * ITER (on a machine with more than one CPU).
 * See also: day7/ipc_shm, day8/thread_lock (the same with threads and a mutex).
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS: shared memory without a name */

#include <errno.h>
#include <getopt.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/options.h"

enum { DEFAULT_PROCS = 2, MAX_PROCS = 16, DEFAULT_ITER = 1000000, MAX_ITER = 10000000 };

/* What lives in the shared memory: the counter and its guard. */
struct shared {
    sem_t lock;            /* process-shared: lives here, where all can reach it */
    volatile long counter; /* volatile: each load and store really happens */
};

/* What each child does: add 1, iter times, with or without the lock. */
static void add(struct shared *s, long iter, bool use_sem)
{
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

static const char usage[] = "usage: ipc_sem [-n PROCS] [-i ITER] [--no-sem] [-h]\n"
                            "  -n PROCS   processes adding at once, 2..16 (default 2)\n"
                            "  -i ITER    additions per process, 1..10000000 (default 1000000)\n"
                            "  --no-sem   no semaphore: show the lost updates\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long procs = DEFAULT_PROCS, iter = DEFAULT_ITER;
    bool use_sem = true;
    static const struct option longopts[] = {
        {"no-sem", no_argument, NULL, 'N'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "n:i:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 2, MAX_PROCS, &procs) < 0)
                die_usage(usage, "bad PROCS '%s': expected 2..%d", optarg, MAX_PROCS);
            break;
        case 'i':
            if (parse_long(optarg, 1, MAX_ITER, &iter) < 0)
                die_usage(usage, "bad ITER '%s': expected 1..%d", optarg, MAX_ITER);
            break;
        case 'N': use_sem = false; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    struct shared *s =
        mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        die_errno("mmap");
    if (sem_init(&s->lock, 1 /* shared between processes */, 1 /* one may enter */) < 0)
        die_errno("sem_init");
    s->counter = 0;
    printf("%ld processes each add 1 to a shared counter %ld times, %s\n", procs, iter,
           use_sem ? "each time between sem_wait and sem_post" : "WITHOUT the semaphore");

    /* A starting gate: each child waits for end of file on this pipe, which
     * comes when the parent closes it after the last fork. Without it the
     * first child might be done before the last one starts. */
    int gate[2];
    if (pipe(gate) < 0)
        die_errno("pipe");
    pid_t pids[MAX_PROCS];
    fflush(stdout);
    for (int p = 0; p < procs; p++) {
        pids[p] = fork();
        if (pids[p] < 0)
            die_errno("fork");
        if (pids[p] == 0) {
            char byte;
            close(gate[1]);
            while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
                ;
            add(s, iter, use_sem);
            _exit(0);
        }
    }
    double start = clock_now();
    close(gate[1]); /* go! */
    close(gate[0]);
    bool children_ok = true;
    for (int p = 0; p < procs; p++) {
        int status;
        while (waitpid(pids[p], &status, 0) < 0)
            if (errno != EINTR)
                die_errno("waitpid");
        children_ok = children_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    double elapsed = clock_now() - start;

    long expected = procs * iter, got = s->counter;
    if (got == expected)
        printf("counter = %ld, expected %ld: exact (%.2f s)\n", got, expected, elapsed);
    else
        printf("counter = %ld, expected %ld: %ld updates LOST (%.2f s)\n", got, expected,
               expected - got, elapsed);
    if (!use_sem && got == expected)
        printf("no update was lost this time: run it again, or with a larger -i\n");
    sem_destroy(&s->lock);
    munmap(s, sizeof *s);
    if (!children_ok)
        die("a child failed");
    return use_sem && got != expected ? 1 : 0;
}
