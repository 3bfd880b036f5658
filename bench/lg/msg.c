/* bench/lg/msg.c — see msg.h. */
#include "bench/lg/msg.h"

void msg_fill(char *buf, size_t len, uint32_t conn, uint64_t seq)
{
    uint64_t x = ((uint64_t)conn * 0x9E3779B97F4A7C15u) ^ (seq * 0xC2B2AE3D27D4EB4Fu) ^ 0x5bd1e995u;
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0) { /* xorshift: a fresh 8 bytes every 8 bytes */
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        buf[i] = (char)(x >> (8 * (i % 8)));
    }
}

long msg_diff(const char *want, const char *got, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (want[i] != got[i])
            return (long)i;
    return -1;
}
