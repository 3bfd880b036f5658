/* common/fnv1a.c — see fnv1a.h. */
#include "common/fnv1a.h"

uint32_t fnv1a_update(uint32_t h, const void *data, size_t len)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ bytes[i]) * UINT32_C(16777619);
    return h;
}

uint32_t fnv1a(const void *data, size_t len)
{
    return fnv1a_update(FNV1A_INIT, data, len);
}
