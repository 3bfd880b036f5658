/* common/show.c — see show.h. */
#include "common/show.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Append piece at out[*o] if it fits whole, keeping room for the NUL;
 * false if it did not fit (the caller stops there: the result stays a
 * prefix of the full text). */
static bool put(char *out, size_t size, size_t *o, const char *piece)
{
    size_t k = strlen(piece);
    if (*o + k >= size)
        return false;
    memcpy(out + *o, piece, k + 1); /* with its NUL: out stays a string */
    *o += k;
    return true;
}

char *show_bytes(char *out, size_t size, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t shown = len < SHOW_MAX_BYTES ? len : SHOW_MAX_BYTES;
    size_t o = 0;
    if (size == 0)
        return out;
    bool room = put(out, size, &o, "\"");
    for (size_t i = 0; room && i < shown; i++) {
        char piece[8];
        unsigned char c = p[i];
        if (c == '\n' || c == '\r' || c == '\t')
            snprintf(piece, sizeof piece, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        else if (c == '"' || c == '\\')
            snprintf(piece, sizeof piece, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            snprintf(piece, sizeof piece, "%c", c);
        else
            snprintf(piece, sizeof piece, "\\x%02x", c);
        room = put(out, size, &o, piece);
    }
    if (room && put(out, size, &o, "\"") && len > shown)
        put(out, size, &o, "...");
    out[o] = '\0';
    return out;
}
