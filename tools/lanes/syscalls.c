/* tools/lanes/syscalls.c — the system calls lanes watches, per machine.
 *
 * System call numbers differ between architectures: read is 0 on x86_64
 * and 63 on aarch64 (which has no pipe, select, poll or epoll_wait at all,
 * only pipe2, pselect6, ppoll and epoll_pwait). The table holds both
 * columns (checked against asm/unistd_64.h and asm-generic/unistd.h); the
 * one for this machine is picked at run time. Other machines are refused
 * by syscalls_arch() returning 0: lanes says so and exits 1.
 */
#include <string.h>
#include <sys/utsname.h>

#include "tools/lanes/lanes.h"

#define AUDIT_ARCH_X86_64_  0xC000003Eu
#define AUDIT_ARCH_AARCH64_ 0xC00000B7u
#define MAX_NR              512

struct row {
    const char *name;
    int x86_64, aarch64; /* -1: no such call there */
    enum call_class cls;
    int block;
};

static const struct row table[] = {
    {"read", 0, 63, C_BLOCK, B_READ},
    {"readv", 19, 65, C_BLOCK, B_READ},
    {"pread64", 17, 67, C_BLOCK, B_READ},
    {"preadv", 295, 69, C_BLOCK, B_READ},
    {"recvfrom", 45, 207, C_BLOCK, B_READ},
    {"recvmsg", 47, 212, C_BLOCK, B_READ},
    {"recvmmsg", 299, 243, C_BLOCK, B_READ},
    {"write", 1, 64, C_BLOCK, B_WRITE},
    {"writev", 20, 66, C_BLOCK, B_WRITE},
    {"pwrite64", 18, 68, C_BLOCK, B_WRITE},
    {"pwritev", 296, 70, C_BLOCK, B_WRITE},
    {"sendto", 44, 206, C_BLOCK, B_WRITE},
    {"sendmsg", 46, 211, C_BLOCK, B_WRITE},
    {"sendmmsg", 307, 269, C_BLOCK, B_WRITE},
    {"accept", 43, 202, C_ACCEPT, B_ACCEPT},
    {"accept4", 288, 242, C_ACCEPT, B_ACCEPT},
    {"connect", 42, 203, C_BLOCK, B_CONNECT},
    {"select", 23, -1, C_BLOCK, B_SELECT},
    {"pselect6", 270, 72, C_BLOCK, B_SELECT},
    {"poll", 7, -1, C_BLOCK, B_POLL},
    {"ppoll", 271, 73, C_BLOCK, B_POLL},
    {"epoll_wait", 232, -1, C_BLOCK, B_EPOLL},
    {"epoll_pwait", 281, 22, C_BLOCK, B_EPOLL},
    {"epoll_pwait2", 441, 441, C_BLOCK, B_EPOLL},
    {"wait4", 61, 260, C_BLOCK, B_WAIT},
    {"waitid", 247, 95, C_BLOCK, B_WAIT},
    {"nanosleep", 35, 101, C_BLOCK, B_SLEEP},
    {"clock_nanosleep", 230, 115, C_BLOCK, B_SLEEP},
    {"futex", 202, 98, C_BLOCK, B_LOCK},
    {"futex_waitv", 449, 449, C_BLOCK, B_LOCK},
    {"pause", 34, -1, C_BLOCK, B_SIGNAL},
    {"rt_sigsuspend", 130, 133, C_BLOCK, B_SIGNAL},
    {"rt_sigtimedwait", 128, 137, C_BLOCK, B_SIGNAL},
    {"mq_timedsend", 242, 182, C_BLOCK, B_MQ},
    {"mq_timedreceive", 243, 183, C_BLOCK, B_MQ},
    {"msgsnd", 69, 189, C_BLOCK, B_MQ},
    {"msgrcv", 70, 188, C_BLOCK, B_MQ},
    {"semop", 65, 193, C_BLOCK, B_SEM},
    {"semtimedop", 220, 192, C_BLOCK, B_SEM},
    {"vfork", 58, -1, C_BLOCK, B_VFORK},
    {"pipe", 22, -1, C_PIPE, 0},
    {"pipe2", 293, 59, C_PIPE, 0},
    {"socket", 41, 198, C_SOCKET, 0},
    {"socketpair", 53, 199, C_SOCKPAIR, 0},
    {"close", 3, 57, C_CLOSE, 0},
    {"kill", 62, 129, C_KILL, 0},
    {"tkill", 200, 130, C_TKILL, 0},
    {"tgkill", 234, 131, C_TGKILL, 0},
    {"rt_sigqueueinfo", 129, 138, C_SIGQUEUE, 0},
    {"rt_tgsigqueueinfo", 297, 240, C_TGSIGQUEUE, 0},
    {"clone", 56, 220, C_CLONE, 0},
    {"clone3", 435, 435, C_CLONE3, 0},
};

static struct call_info by_nr[MAX_NR];
static bool built;

unsigned syscalls_arch(void)
{
#if defined(__x86_64__)
    return AUDIT_ARCH_X86_64_;
#elif defined(__aarch64__)
    return AUDIT_ARCH_AARCH64_;
#else
    return 0; /* lanes knows the system calls of x86_64 and aarch64 only */
#endif
}

const char *syscalls_machine(void)
{
    static struct utsname u;
    if (uname(&u) < 0)
        return "this machine";
    return u.machine;
}

static void build(void)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
#if defined(__x86_64__)
        int nr = table[i].x86_64;
#elif defined(__aarch64__)
        int nr = table[i].aarch64;
#else
        int nr = -1;
#endif
        if (nr >= 0 && nr < MAX_NR)
            by_nr[nr] = (struct call_info){table[i].name, table[i].cls, table[i].block};
    }
    built = true;
}

const struct call_info *syscall_info(long nr)
{
    if (!built)
        build();
    if (nr < 0 || nr >= MAX_NR || by_nr[nr].name == NULL)
        return NULL;
    return &by_nr[nr];
}

bool futex_is_wait(unsigned long long op)
{
    switch (op & 127) { /* without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME */
    case 0:             /* FUTEX_WAIT */
    case 6:             /* FUTEX_LOCK_PI */
    case 9:             /* FUTEX_WAIT_BITSET */
    case 11:            /* FUTEX_WAIT_REQUEUE_PI */
    case 13: /* FUTEX_LOCK_PI2 */ return true;
    default: return false;
    }
}

int clone_ctid_arg(void)
{
#if defined(__aarch64__)
    return 4; /* clone(flags, stack, ptid, tls, ctid) */
#else
    return 3; /* clone(flags, stack, ptid, ctid, tls) */
#endif
}
