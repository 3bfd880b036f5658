/* day7/ipc_shm.c — 进程间通信: 共享内存 / IPC with shared memory
 *
 * After fork, parent and child have separate copies of every variable
 * (day5/fork1). Shared memory is the exception: pages mapped MAP_SHARED
 * are the same physical memory in both, so what one writes, the other
 * reads — no copying through the kernel, the fastest IPC there is.
 *
 * The parent makes a shared memory object with shm_open (a name under
 * /dev/shm, so unrelated processes could open it too), sizes it with
 * ftruncate, maps it with mmap(MAP_SHARED), and removes the name at once
 * (the memory stays while it is mapped). The child writes a message into
 * it and adds 1 to a counter COUNT times; after waitpid the parent reads
 * both. Only one process writes at a time here — waitpid is the
 * synchronisation. Two writers at once need a lock: day7/ipc_sem.
 *
 * Run: ./build/day7/ipc_shm [-n COUNT] [-p] (-h: the options)
 * Watch: the parent reads the child's message and counter = COUNT; with
 * -p (MAP_PRIVATE: copy-on-write), an empty message and 0.
 * See also: day7/ipc_sem, day5/fork1 (memory is copied, not shared).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"
#include "common/parent.h"
#include "common/signals.h"
#include "common/status.h"

/* What lives in the shared memory. */
struct shared {
    volatile long counter; /* volatile: really stored each time */
    char message[64];
};

static struct shared *map_shared(int flags);

/* The child writes into the memory; once it has ended, the parent reads.
 * True if the parent sees what it should: everything, or with
 * MAP_PRIVATE nothing at all. */
static bool share_with_child(int flags, long count)
{
    struct shared *shm = map_shared(flags);
    pid_t pid = fork_child(); /* fork(), and the child dies with us */
    if (pid == 0) {
        snprintf(shm->message, sizeof shm->message, "hello from child %d",
                 (int)getpid());
        for (long i = 0; i < count; i++)
            shm->counter = shm->counter + 1;
        printf("child %d: wrote the message and added 1 %ld times: "
               "my counter = %ld\n",
               (int)getpid(), count, shm->counter);
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) /* then its writes are all done */
        if (errno != EINTR)
            die_errno("waitpid");
    char how[64];
    if (status != 0)
        die("child %d %s", (int)pid, status_describe(status, how, sizeof how));
    long expected = flags == MAP_SHARED ? count : 0; /* private: its own */
    printf("parent %d: message = \"%s\", counter = %ld (%s, expected %ld)\n",
           (int)getpid(), shm->message, shm->counter,
           flags == MAP_SHARED ? "shared" : "private", expected);
    bool as_expected = shm->counter == expected;
    munmap(shm, sizeof *shm);
    return as_expected;
}

/* shm_open + ftruncate + mmap; the name is removed once it is mapped. */
static struct shared *map_shared(int flags)
{
    char name[64];
    snprintf(name, sizeof name, "/conclab-ipc_shm.%d", (int)getpid());
    /* Hold Ctrl-C while the name exists: no ending leaves it in /dev/shm. */
    sigset_t old;
    if (sig_hold_stop(&old) < 0)
        die_errno("sigprocmask");
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        die_errno("shm_open %s", name);
    void *mem = MAP_FAILED;
    const char *call = "ftruncate"; /* a new object has size 0 */
    if (ftruncate(fd, sizeof(struct shared)) == 0) {
        call = "mmap"; /* and it is all zero bytes */
        mem = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, flags,
                   fd, 0);
    }
    int saved = errno;
    shm_unlink(name); /* the mapping keeps the memory; the name can go */
    close(fd);
    sig_release(&old);
    errno = saved;
    if (mem == MAP_FAILED)
        die_errno("%s", call);
    printf("parent %d: shm_open(\"%s\") + ftruncate(%zu) + mmap(%s); "
           "name removed\n",
           (int)getpid(), name, sizeof(struct shared),
           flags == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE");
    return mem;
}

static const char usage[] =
    "usage: ipc_shm [-n COUNT] [-p] [-h]\n"
    "  -n COUNT  the child adds 1 COUNT times, 0..100000000 (default 1000000)\n"
    "  -p        MAP_PRIVATE: the child writes into its own copy\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long count = 1000000;
    int flags = MAP_SHARED;
    int opt;
    while ((opt = getopt(argc, argv, "n:ph")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 0, 100000000, &count) < 0)
                die_usage(usage, "bad COUNT '%s'", optarg);
            break;
        case 'p': flags = MAP_PRIVATE; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */
    return share_with_child(flags, count) ? 0 : 1;
}
