/* fuzz/chat_datagram.c — libFuzzer target for the chat room's datagram
 * parser (day6/chat/chat_proto.c), and for what the server and the
 * client do next with what it returns.
 *
 * Build and run (clang):  make fuzz
 *   ./build/fuzz/fuzz/chat_datagram -max_total_time=60 \
 *       build/fuzz/corpus-chat fuzz/corpus/chat_datagram
 *
 * Besides crashes and sanitizer reports, it aborts when an invariant
 * breaks: a verdict that is neither NULL nor a "FAIL " reply, a request
 * with a bad command, a name that breaks the name rules, text outside the
 * datagram or with a control character, a datagram over the limit that
 * is accepted, a line ending that changes the verdict, a printable copy
 * that still holds a control character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "day6/chat/chat_proto.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

/* What the server relies on in an accepted request. */
static void accepted(const char *data, size_t size,
                     const struct chat_request *r)
{
    check(r->command == 'L' || r->command == 'C' || r->command == 'Q');
    size_t n = strlen(r->name);
    check(n >= 1 && n <= CHAT_MAX_NAME);
    check(strchr(r->name, ' ') == NULL && strchr(r->name, ':') == NULL);
    check(chat_check_text((const unsigned char *)r->name, n) == NULL);
    check(size <= CHAT_MAX_DATAGRAM);
    if (r->command == 'C') {
        check(r->text >= data && r->text + r->text_len <= data + size);
        check(r->text_len >= 1 && r->text_len <= CHAT_MAX_TEXT);
        const unsigned char *t = (const unsigned char *)r->text;
        check(chat_check_text(t, r->text_len) == NULL);
    } else {
        check(r->text_len == 0);
    }
    check(r->newline == (data[size - 1] == '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct chat_request r;
    const char *bad = chat_parse(buf, size, &r);
    if (bad == NULL)
        accepted(buf, size, &r);
    else
        check(strncmp(bad, "FAIL ", 5) == 0 && chat_is_fail(bad, 5));

    /* The same datagram as nc sends it, with "\n": the same verdict. */
    if (size > 0 && size < CHAT_MAX_DATAGRAM && buf[size - 1] != '\n' &&
        buf[size - 1] != '\r') {
        char *line = malloc(size + 1);
        check(line != NULL);
        memcpy(line, data, size);
        line[size] = '\n';
        struct chat_request again;
        const char *verdict = chat_parse(line, size + 1, &again);
        check((verdict == NULL) == (bad == NULL));
        if (bad != NULL)
            check(strcmp(verdict, bad) == 0);
        else
            check(again.command == r.command && again.newline &&
                  strcmp(again.name, r.name) == 0 &&
                  again.text_len == r.text_len);
        free(line);
    }

    /* What the client prints: no control character survives. */
    char *copy = malloc(size + 1);
    check(copy != NULL);
    memcpy(copy, data, size);
    size_t len = chat_printable(copy, size);
    check(len <= size);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)copy[i];
        check(c >= 0x20 && c != 0x7F);
        if (c == 0xC2 && i + 1 < len)
            check(!((unsigned char)copy[i + 1] >= 0x80 &&
                    (unsigned char)copy[i + 1] <= 0x9F));
    }
    free(copy);
    return 0;
}
