/* day7/ipc_shm.c — 进程间通信: 共享内存 / IPC with shared memory
 *
 * After fork, parent and child have separate copies of every variable
 * (day5/fork1). Shared memory is the exception: pages mapped MAP_SHARED are
 * the same physical memory in both, so what one writes, the other reads —
 * no copying through the kernel, the fastest IPC there is.
 *
 * The parent makes a shared memory object with shm_open (a name under
 * /dev/shm, so unrelated processes could open it too), sizes it with
 * ftruncate, maps it with mmap(MAP_SHARED), and removes the name at once
 * (the memory stays while it is mapped). The child writes a message into
 * it and adds 1 to a counter COUNT times; after waitpid the parent reads
 * both. Only one process writes at a time here — waitpid is the
 * synchronisation. Two writers at once need a lock: day7/ipc_sem.
 *
 * Usage: ipc_shm [-n COUNT] [-p] [-h]
 *   -n COUNT  how many times the child adds 1, 0..100000000 (default 1000000)
 *   -p        map it MAP_PRIVATE instead: the child writes into its own copy
 *             (copy-on-write), and the parent sees nothing
 *
 * Watch for: the parent reads the child's message and counter = COUNT;
 * with -p, an empty message and 0.
 * See also: day7/ipc_sem, day5/fork1 (memory is copied, not shared).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"

enum { DEFAULT_COUNT = 1000000, MAX_COUNT = 100000000 };

/* What lives in the shared memory. */
struct shared {
    volatile long counter; /* volatile: really stored each time */
    char message[64];
};

/* shm_open + ftruncate + mmap; the name is removed once it is mapped. */
static struct shared *map_shared(int flags)
{
    char name[64];
    snprintf(name, sizeof name, "/conclab-ipc_shm.%d", (int)getpid());
    /* Hold Ctrl-C while the name exists, so no ending can leave it in /dev/shm. */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, &old);
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        die_errno("shm_open %s", name);
    if (ftruncate(fd, sizeof(struct shared)) < 0) { /* a new object has size 0 */
        int saved = errno;
        shm_unlink(name);
        errno = saved;
        die_errno("ftruncate");
    }
    void *mem = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, flags, fd, 0);
    int saved = errno;
    shm_unlink(name); /* the mapping keeps the memory; nobody needs the name now */
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    if (mem == MAP_FAILED)
        die_errno("mmap");
    printf("parent %d: shm_open(\"%s\") + ftruncate(%zu) + mmap(%s); name removed\n", (int)getpid(),
           name, sizeof(struct shared), flags == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE");
    return mem; /* a new object is all zero bytes */
}

static const char usage[] =
    "usage: ipc_shm [-n COUNT] [-p] [-h]\n"
    "  -n COUNT  how many times the child adds 1, 0..100000000 (default 1000000)\n"
    "  -p        MAP_PRIVATE: the child writes into its own copy\n";

int main(int argc, char *argv[])
{
    prog_init(argv[0]);
    long count = DEFAULT_COUNT;
    int flags = MAP_SHARED;
    int opt;
    while ((opt = getopt(argc, argv, "n:ph")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 0, MAX_COUNT, &count) < 0)
                die_usage(usage, "bad COUNT '%s': expected 0..%d", optarg, MAX_COUNT);
            break;
        case 'p': flags = MAP_PRIVATE; break;
        case 'h': print_usage_and_exit(usage);
        default: die_usage(usage, NULL);
        }
    }
    if (optind != argc)
        die_usage(usage, "unexpected argument '%s'", argv[optind]);
    setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, also into a pipe */

    struct shared *shm = map_shared(flags);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        snprintf(shm->message, sizeof shm->message, "hello from child %d", (int)getpid());
        for (long i = 0; i < count; i++)
            shm->counter = shm->counter + 1;
        printf("child %d: wrote the message and added 1 %ld times: my counter = %ld\n",
               (int)getpid(), count, shm->counter);
        fflush(stdout);
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) /* after this, the child's writes are all done */
        if (errno != EINTR)
            die_errno("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the child failed");
    long expected = flags == MAP_SHARED ? count : 0; /* private: the child's writes stay its own */
    printf("parent %d: message = \"%s\", counter = %ld (%s, expected %ld)\n", (int)getpid(),
           shm->message, shm->counter, flags == MAP_SHARED ? "shared" : "private", expected);
    bool as_expected = shm->counter == expected;
    munmap(shm, sizeof *shm);
    return as_expected ? 0 : 1;
}
