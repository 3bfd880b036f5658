/* day10/bitops.c — @@扩展: 位运算 / bit operations
 * (and the event masks built with them)
 *
 * Part 1, the course's worked example: 14 and 19 in binary, under
 * & (and: 1 only where both are 1), | (or: 1 where either is 1),
 * ^ (xor: 1 where they differ), << (shift left: append zeros) and
 * >> (shift right: drop the low bits): 2, 31, 29, 56, 3.
 * Part 2, why the lesson is here: poll and epoll describe events as bit
 * masks. We build one with | (POLLIN | POLLERR), ask poll() about a real
 * pipe, and test its answer with & (revents & POLLIN).
 *
 * Run it:   ./build/day10/bitops [A B [SHIFT]]      (default 14 19 2)
 * Watch:    each result in binary, lined up under its operands; then the
 *           bits poll() set in revents, before and after the pipe's writer
 *           closes (POLLHUP joins POLLIN).
 * See also: poll_server.c and epoll_server.c (the masks at work),
 *           epoll_et.c (EPOLLIN | EPOLLET).
 */
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/options.h"

enum { MAX_OPERAND = 1 << 24, MAX_SHIFT = 7 };

/* value in binary, at least width digits wide, into out. */
static const char *binary(unsigned long value, int width, char *out)
{
    char digits[65];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (value & 1)); /* the lowest bit... */
        value >>= 1;                             /* ...then shift it out */
    } while (value != 0);
    while (n < width)
        digits[n++] = '0';
    for (int i = 0; i < n; i++) /* the digits came lowest first */
        out[i] = digits[n - 1 - i];
    out[n] = '\0';
    return out;
}

/* How many binary digits value needs. */
static int bits_in(unsigned long value)
{
    int n = 1;
    while (value >>= 1)
        n++;
    return n;
}

static void show(const char *what, unsigned long value, int width,
                 const char *why)
{
    char text[65];
    if (why[0] != '\0')
        printf("  %-12s = %*s = %-9lu %s\n", what, width,
               binary(value, width, text), value, why);
    else
        printf("  %-12s = %*s = %lu\n", what, width, binary(value, width, text),
               value);
}

/* Part 1: the five operators on a and b. */
static void operators(unsigned long a, unsigned long b, unsigned shift)
{
    int width = bits_in((a | b) << shift); /* wide enough for every line */
    char name[64];
    printf("%lu and %lu in binary, and the bit operators:\n", a, b);
    snprintf(name, sizeof name, "%lu", a);
    show(name, a, width, "");
    snprintf(name, sizeof name, "%lu", b);
    show(name, b, width, "");
    snprintf(name, sizeof name, "%lu & %lu", a, b);
    show(name, a & b, width, "and: 1 only where both are 1");
    snprintf(name, sizeof name, "%lu | %lu", a, b);
    show(name, a | b, width, "or:  1 where either is 1");
    snprintf(name, sizeof name, "%lu ^ %lu", a, b);
    show(name, a ^ b, width, "xor: 1 where they differ");
    snprintf(name, sizeof name, "%lu << %u", a, shift);
    show(name, a << shift, width, "shift left: zeros come in on the right");
    snprintf(name, sizeof name, "%lu >> %u", a, shift);
    show(name, a >> shift, width, "shift right: the low bits fall off");
}

/* Print which of the poll bits are set in mask, testing each with &. */
static void poll_bits(const char *what, short mask)
{
    char text[65];
    printf("  %-22s = %s =", what, binary((unsigned short)mask, 6, text));
    if (mask & POLLIN)
        printf(" POLLIN");
    if (mask & POLLOUT)
        printf(" POLLOUT");
    if (mask & POLLERR)
        printf(" POLLERR");
    if (mask & POLLHUP)
        printf(" POLLHUP");
    if (mask == 0)
        printf(" (nothing)");
    printf("\n");
}

/* Part 2: event masks are built with | and tested with &. */
static void event_masks(void)
{
    char text[65];
    printf("\nevent masks: one bit per kind of event\n");
    poll_bits("POLLIN", POLLIN);
    poll_bits("POLLOUT", POLLOUT);
    poll_bits("POLLERR", POLLERR);
    poll_bits("POLLHUP", POLLHUP);
    poll_bits("POLLIN | POLLERR", POLLIN | POLLERR);
    printf("  %-22s = %s (EPOLLET is the top bit of 32)\n", "EPOLLIN | EPOLLET",
           binary((unsigned long)(EPOLLIN | EPOLLET), 32, text));

    int fds[2];
    if (pipe(fds) < 0)
        die_errno("pipe");
    if (write(fds[1], "x", 1) != 1)
        die_errno("write");
    struct pollfd p = {.fd = fds[0], .events = POLLIN | POLLERR};
    if (poll(&p, 1, 0) < 0)
        die_errno("poll");
    printf("\npoll() on a pipe holding 1 byte, events = POLLIN | POLLERR:\n");
    poll_bits("revents", p.revents);
    printf("  revents & POLLIN  = %d -> %s\n", p.revents & POLLIN,
           (p.revents & POLLIN) ? "readable" : "not readable");
    printf("  revents & POLLHUP = %d -> %s\n", p.revents & POLLHUP,
           (p.revents & POLLHUP) ? "writer gone" : "writer still there");
    close(fds[1]);
    if (poll(&p, 1, 0) < 0)
        die_errno("poll");
    printf("after the writer closes its end:\n");
    poll_bits("revents", p.revents);
    printf("  revents & POLLHUP = %d -> %s\n", p.revents & POLLHUP,
           (p.revents & POLLHUP) ? "writer gone" : "writer still there");
    close(fds[0]);
}

static const char usage[] =
    "usage: bitops [A B [SHIFT]]\n"
    "  the bit operators on A and B (default 14 19, the course's example;\n"
    "  0..16777216), shifts by SHIFT (default 2, 0..7), then poll's masks\n"
    "  -h  show this help\n";

int main(int argc, char *argv[])
{
    long a = 14, b = 19, shift = 2;
    int opt;
    prog_init(argv[0]);
    while ((opt = getopt(argc, argv, "h")) != -1) {
        if (opt == 'h')
            print_usage_and_exit(usage);
        die_usage(usage, NULL);
    }
    int rest = argc - optind;
    if (rest != 0 && rest != 2 && rest != 3)
        die_usage(usage, "expected no arguments, A B, or A B SHIFT");
    if (rest >= 2 && (parse_long(argv[optind], 0, MAX_OPERAND, &a) < 0 ||
                      parse_long(argv[optind + 1], 0, MAX_OPERAND, &b) < 0))
        die_usage(usage, "A and B must be numbers from 0 to %d", MAX_OPERAND);
    if (rest == 3 && parse_long(argv[optind + 2], 0, MAX_SHIFT, &shift) < 0)
        die_usage(usage, "SHIFT must be a number from 0 to %d", MAX_SHIFT);

    operators((unsigned long)a, (unsigned long)b, (unsigned)shift);
    event_masks();
    return 0;
}
