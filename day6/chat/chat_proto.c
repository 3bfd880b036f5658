/* day6/chat/chat_proto.c — checking the chat room's datagrams (see
 * chat_proto.h). Nothing from the network is trusted.
 */
#include "day6/chat/chat_proto.h"

#include <string.h>

#define BAD_UTF8 "FAIL not valid UTF-8"

/* The code point of the sequence at s[0..len), its length in *n, or -1
 * when it is not well-formed UTF-8 (overlong, surrogate, > U+10FFFF). */
static long decode_one(const unsigned char *s, size_t len, unsigned *n)
{
    unsigned c = s[0];
    long cp;
    if (c < 0x80) {
        *n = 1;
        return c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        *n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        *n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        *n = 4;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (len < *n)
        return -1;
    for (unsigned k = 1; k < *n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (s[k] & 0x3F);
    }
    if ((*n == 3 && cp < 0x800) || (*n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    return cp;
}

/* No "\0" and no escape sequence that would rewrite the others'
 * terminals: C0, DEL and C1 (U+0080..U+009F, U+009B alone is CSI). */
const char *chat_check_text(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned n;
        long cp = decode_one(s + i, len - i, &n);
        if (cp < 0)
            return BAD_UTF8;
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            return "FAIL control characters are not allowed";
        i += n;
    }
    return NULL;
}

/* Copy a name of len bytes into out if it is a good one; else why not. */
static const char *take_name(const char *name, size_t len,
                             char out[CHAT_MAX_NAME + 1])
{
    if (len == 0)
        return "FAIL empty name";
    if (len > CHAT_MAX_NAME)
        return "FAIL name too long (max 32 bytes)";
    if (memchr(name, ' ', len) != NULL || memchr(name, ':', len) != NULL)
        return "FAIL name must not contain a space or ':'";
    memcpy(out, name, len);
    out[len] = '\0';
    return NULL;
}

const char *chat_parse(const char *data, size_t len, struct chat_request *r)
{
    memset(r, 0, sizeof *r);
    if (len == 0)
        return "FAIL empty datagram";
    if (len > CHAT_MAX_DATAGRAM)
        return "FAIL too long (max 1024 bytes of text)";
    if (data[len - 1] == '\n') { /* nc sends the line with its newline */
        r->newline = true;
        len--;
        if (len > 0 && data[len - 1] == '\r')
            len--;
    }
    const char *bad = chat_check_text((const unsigned char *)data, len);
    if (bad != NULL)
        return bad;
    if (len < 2 || data[1] != ' ' || strchr("LCQ", data[0]) == NULL)
        return "FAIL unknown command (send L NAME, C NAME TEXT or Q NAME)";
    r->command = data[0];

    const char *name = data + 2;
    size_t rest = len - 2, name_len = rest;
    if (r->command == 'C') { /* C NAME TEXT: the name ends at a space */
        const char *space = memchr(name, ' ', rest);
        name_len = space != NULL ? (size_t)(space - name) : rest;
        r->text = space != NULL ? space + 1 : name + rest;
        r->text_len = rest - name_len - (space != NULL ? 1 : 0);
    }
    bad = take_name(name, name_len, r->name);
    if (bad != NULL)
        return bad;
    if (r->command == 'C' && r->text_len == 0)
        return "FAIL empty message";
    if (r->text_len > CHAT_MAX_TEXT)
        return "FAIL too long (max 1024 bytes of text)";
    return NULL;
}

bool chat_is_fail(const char *data, size_t len)
{
    return len >= 4 && memcmp(data, "FAIL", 4) == 0;
}

bool chat_is_exit(const char *data, size_t len)
{
    return (len == 4 || (len == 5 && data[4] == '\n')) &&
           memcmp(data, "EXIT", 4) == 0;
}

size_t chat_printable(char *msg, size_t len)
{
    if (len > 0 && msg[len - 1] == '\n')
        len--;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        unsigned char next = i + 1 < len ? (unsigned char)msg[i + 1] : 0;
        if (c < 0x20 || c == 0x7F) {
            msg[i] = '?';
        } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
            msg[i] = msg[i + 1] = '?';
            i++;
        }
    }
    return len;
}
