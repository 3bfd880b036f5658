/* bench/lg/httpresp.h — where one HTTP/1.1 response ends, fed in pieces
 * as they arrive: the status line and headers (up to HTTPRESP_HEAD_MAX
 * bytes), then exactly Content-Length bytes of body (counted, not kept).
 * The load generator checks the status (200) and that the body is as long
 * as announced; a response without Content-Length, or chunked, is
 * refused (our servers and the ones we compare with send it).
 */
#ifndef CONCLAB_BENCH_HTTPRESP_H
#define CONCLAB_BENCH_HTTPRESP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HTTPRESP_HEAD_MAX = 2048 };

enum httpresp_state {
    HTTPRESP_MORE,  /* not complete yet: feed more */
    HTTPRESP_DONE,  /* one full response */
    HTTPRESP_ERROR, /* malformed or refused: see error */
};

struct httpresp {
    char head[HTTPRESP_HEAD_MAX];
    size_t head_len;
    bool in_body;
    int status;
    long long content_length; /* -1 until seen */
    long long body_left;
    bool close; /* "Connection: close" */
    const char *error;
};

void httpresp_init(struct httpresp *r);
/* Feed len bytes; *used is set to how many were consumed (on DONE, bytes
 * after the response are left unconsumed). */
enum httpresp_state httpresp_feed(struct httpresp *r, const char *data, size_t len,
                                  size_t *used);
#endif
