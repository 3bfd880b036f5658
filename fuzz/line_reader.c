/* fuzz/line_reader.c — libFuzzer target for common's bounded line reader
 * (common/io.h: line_reader_init, line_read), which every line-based
 * server reads its clients through.
 * Build and run:  make fuzz SECS=60   (or build/fuzz/fuzz/line_reader DIR)
 * Replayed by make test (build/tests/fuzz_line_reader) from
 * fuzz/corpus/line_reader/.
 *
 * Input: the first byte picks the buffer size (2..65 bytes), the rest is
 * what arrives on the fd (through a pipe). Besides crashes and sanitizer
 * reports it aborts when line_read disagrees with a plain model of its
 * contract: the input splits at each \n; a line of at most size - 1 bytes
 * comes back whole (without its \n, and without one \r before it), a
 * longer one is LINE_TOO_LONG and skipped; then LINE_EOF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/io.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 60000) /* all of it must fit in a pipe */
        return 0;
    size_t bufsize = 2 + data[0] % 64;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;

    int p[2];
    if (pipe(p) < 0)
        return 0;
    check(n == 0 || io_write_all(p[1], in, n) == (ssize_t)n);
    close(p[1]);

    char *buf = malloc(bufsize); /* exactly bufsize: ASan sees any overrun */
    check(buf != NULL);
    struct line_reader r;
    line_reader_init(&r, p[0], buf, bufsize);

    size_t at = 0; /* where the model's next line starts */
    for (;;) {
        char *line;
        size_t len;
        int rc = line_read(&r, &line, &len);
        if (at == n) { /* the model has nothing left */
            check(rc == LINE_EOF);
            break;
        }
        const char *nl = memchr(in + at, '\n', n - at);
        size_t whole = nl != NULL ? (size_t)(nl - (in + at)) : n - at;
        size_t want = whole > 0 && in[at + whole - 1] == '\r' ? whole - 1 : whole;
        if (whole <= bufsize - 1) {
            check(rc == LINE_OK);
            check(len == want && memcmp(line, in + at, len) == 0 && line[len] == '\0');
            check(line >= buf && line + len < buf + bufsize);
        } else {
            check(rc == LINE_TOO_LONG);
        }
        at += whole + (nl != NULL ? 1 : 0);
    }
    check(line_reader_pending(&r) == 0);
    free(buf);
    close(p[0]);
    return 0;
}
