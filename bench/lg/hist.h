/* bench/lg/hist.h — a latency histogram in the style of HdrHistogram:
 * logarithmic buckets, each split into 128 linear sub-buckets, so every
 * recorded value is kept to within 1/128 (0.8%) of itself, from 1 ns to
 * about 18 minutes, in a fixed 36 KiB array. Recording is one shift and
 * one increment; percentiles walk the array once.
 */
#ifndef CONCLAB_BENCH_HIST_H
#define CONCLAB_BENCH_HIST_H
#include <stdint.h>

enum {
    HIST_SUB_BITS = 8,                   /* values below 2^8 are exact */
    HIST_HALF = 1 << (HIST_SUB_BITS - 1), /* 128 sub-buckets per power of two */
    HIST_MAX_BITS = 40,                  /* 2^40 ns: about 18 minutes */
    HIST_BUCKETS = (HIST_MAX_BITS - HIST_SUB_BITS + 2) * HIST_HALF,
};

struct hist {
    uint64_t count[HIST_BUCKETS];
    uint64_t total; /* values recorded */
    uint64_t min, max;
    double sum; /* for the mean */
};

void hist_init(struct hist *h);
/* Record one value (ns); larger than 2^40 is recorded as 2^40. */
void hist_record(struct hist *h, uint64_t value);
/* Add every value of src into dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/* The value below which p percent (0..100) of the recorded values lie:
 * the highest value that shares a bucket with the one at that rank,
 * never above the largest recorded. 0 when nothing was recorded. */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);
/* The bucket index of a value, and the lowest value of a bucket (exposed
 * for the tests). */
int hist_index(uint64_t value);
uint64_t hist_bucket_low(int index);
#endif
