/* tests/helpers/no_fork.c — run a program in which every fork() fails
 * (EAGAIN), to test that the program reports it instead of ignoring it.
 *
 * usage: no_fork PROGRAM [ARGS...]
 *
 * How: a seccomp filter, installed with prctl(PR_SET_SECCOMP) and then
 * inherited across execv, answers every system call that would create a
 * new process with EAGAIN: fork, vfork, and clone without CLONE_THREAD.
 * clone3 answers ENOSYS (its flags are behind a pointer the filter cannot
 * read), which makes glibc fall back to clone. Threads (clone with
 * CLONE_THREAD) still work, so a sanitizer's own threads do too.
 *
 * Why not RLIMIT_NPROC: the kernel does not apply it to root, and becoming
 * another user (nobody) fails wherever that user cannot reach the program,
 * e.g. a checkout under /root or under mktemp -d (mode 0700). The filter
 * needs no other user, no capability (PR_SET_NO_NEW_PRIVS first) and only
 * the kernel's headers. Where seccomp is missing (a kernel without
 * CONFIG_SECCOMP_FILTER, an unknown CPU), a non-root user falls back to
 * RLIMIT_NPROC = 0; root cannot, and exits 125 so the test skips.
 *
 * Exits 125 if it cannot set this up, 126 if exec fails.
 */
#define _GNU_SOURCE /* CLONE_THREAD */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define FILTER_ARCH AUDIT_ARCH_I386
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* "if A == nr return v": two instructions, the return skipped otherwise. */
#define ANSWER(nr, v) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET(v)
#define ALLOW SECCOMP_RET_ALLOW
#define FAIL(e) (SECCOMP_RET_ERRNO | (e))

/* 0 when the filter is in place; -1 (errno set) when it cannot be. */
static int forbid_fork(void)
{
#ifdef FILTER_ARCH
    struct sock_filter code[] = {
        LOAD(offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCH, 1, 0),
        RET(ALLOW),
        LOAD(offsetof(struct seccomp_data, nr)),
#ifdef __NR_fork
        ANSWER(__NR_fork, FAIL(EAGAIN)),
#endif
#ifdef __NR_vfork
        ANSWER(__NR_vfork, FAIL(EAGAIN)),
#endif
#ifdef __NR_clone3
        ANSWER(__NR_clone3, FAIL(ENOSYS)),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
        RET(ALLOW),
        LOAD(ARG0_LOW), /* clone's flags */
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1),
        RET(ALLOW),
        RET(FAIL(EAGAIN)),
    };
    struct sock_fprog prog = {(unsigned short)(sizeof code / sizeof code[0]), code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int main(int argc, char *argv[])
{
    if (argc < 2) {
        fprintf(stderr, "usage: no_fork PROGRAM [ARGS...]\n");
        return 2;
    }
    if (forbid_fork() < 0) {
        int why = errno;
        struct rlimit none = {0, 0};
        if (geteuid() == 0 || setrlimit(RLIMIT_NPROC, &none) < 0) {
            fprintf(stderr, "no_fork: seccomp: %s\n", strerror(why));
            return 125;
        }
    }
    /* LeakSanitizer's check at exit starts a task without CLONE_THREAD,
     * which the filter forbids; leaks are checked by every other test. */
    setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
    execv(argv[1], argv + 1);
    fprintf(stderr, "no_fork: exec %s: %s\n", argv[1], strerror(errno));
    return 126;
}
