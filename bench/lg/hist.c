/* bench/lg/hist.c — see hist.h.
 *
 * Index layout: values 0..255 are their own index. Above, a value whose
 * highest set bit is m is shifted right by s = m - 7, leaving 128..255,
 * and lands at s * 128 + (value >> s): the buckets of each power of two
 * follow those of the one below it without a gap.
 */
#include "bench/lg/hist.h"

#include <string.h>

void hist_init(struct hist *h)
{
    memset(h, 0, sizeof *h);
}

int hist_index(uint64_t v)
{
    if (v >= (uint64_t)1 << HIST_MAX_BITS)
        v = ((uint64_t)1 << HIST_MAX_BITS) - 1;
    if (v < 2 * HIST_HALF)
        return (int)v;
    int m = 63 - __builtin_clzll(v);
    int s = m - (HIST_SUB_BITS - 1);
    return s * HIST_HALF + (int)(v >> s);
}

uint64_t hist_bucket_low(int index)
{
    if (index < 2 * HIST_HALF)
        return (uint64_t)index;
    int s = index / HIST_HALF - 1;
    uint64_t sub = (uint64_t)(index - s * HIST_HALF);
    return sub << s;
}

static uint64_t bucket_high(int index)
{
    if (index < 2 * HIST_HALF)
        return (uint64_t)index;
    int s = index / HIST_HALF - 1;
    return hist_bucket_low(index) + ((uint64_t)1 << s) - 1;
}

void hist_record(struct hist *h, uint64_t v)
{
    h->count[hist_index(v)]++;
    if (h->total == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->total++;
    h->sum += (double)v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
    if (src->total == 0)
        return;
    for (int i = 0; i < HIST_BUCKETS; i++)
        dst->count[i] += src->count[i];
    if (dst->total == 0 || src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    dst->total += src->total;
    dst->sum += src->sum;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
    if (h->total == 0)
        return 0;
    if (p >= 100.0)
        return h->max;
    /* The rank of the value wanted: at least one, at most total. */
    double r = p / 100.0 * (double)h->total;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r || rank == 0)
        rank++;
    if (rank > h->total)
        rank = h->total;
    uint64_t seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += h->count[i];
        if (seen >= rank) {
            uint64_t v = bucket_high(i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

double hist_mean(const struct hist *h)
{
    return h->total ? h->sum / (double)h->total : 0.0;
}
