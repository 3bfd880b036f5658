/* common/fnv1a.h — FNV-1a, a tiny 32-bit fingerprint of a byte string.
 * Lessons print it for data too long to print, so a reader (or a test) can
 * see that what arrived is what was sent. Not a cryptographic hash.
 */
#ifndef CONCLAB_FNV1A_H
#define CONCLAB_FNV1A_H

#include <stddef.h>
#include <stdint.h>

/* The value to start from (the fingerprint of no bytes). */
#define FNV1A_INIT UINT32_C(2166136261)

/* Fold len bytes of data into fingerprint h; feeding a string in pieces
 * gives the same result as feeding it whole. */
uint32_t fnv1a_update(uint32_t h, const void *data, size_t len);

/* The fingerprint of len bytes of data. */
uint32_t fnv1a(const void *data, size_t len);

#endif
