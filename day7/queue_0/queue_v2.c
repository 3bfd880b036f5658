/* day7/queue_0/queue_v2.c — part "v2" of queue_0, the course's second
 * version: a request and its reply over two queues. One child asks on
 * q1 and waits for the answer on q2; the other takes the request from q1
 * and puts the reply on q2.
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/errors.h"
#include "day7/queue_0/queue.h"

enum {
    REPLY_QUEUE_MAX = 3,      /* the course's Queue(3) */
    REPLY_TIMEOUT_MS = 10000, /* either side gives up after this */
};

/* The course's request(): ask on q[0], wait for the answer on q[1]. */
static void request(struct queue *q)
{
    const char ask[] = "请求用户名密码";
    printf("request: 使用wx登录？ (log in with WeChat?)\n");
    if (queue_put(&q[0], ask, strlen(ask), true, -1) < 0)
        die_errno_child("put");
    char buf[MSG_SIZE];
    ssize_t n = queue_get(&q[1], buf, true, REPLY_TIMEOUT_MS);
    if (n < 0)
        die_errno_child("request: no reply");
    printf("request: 收到回复 got the reply: %.*s\n", (int)n, buf);
}

/* The course's handle(): answer one request after a pause. */
static void handle(struct queue *q)
{
    char buf[MSG_SIZE];
    ssize_t n = queue_get(&q[0], buf, true, REPLY_TIMEOUT_MS);
    if (n < 0)
        die_errno_child("handle: no request");
    printf("handle: 收到请求 got the request: %.*s\n", (int)n, buf);
    clock_sleep_ms(queue_pause_ms);
    const char reply[] = "{'name': 'zhang', 'passwd': '123'}";
    if (queue_put(&q[1], reply, strlen(reply), true, -1) < 0)
        die_errno_child("put");
}

bool queue_run_v2(void)
{
    printf("== v2: request and reply, q1 = Queue(%d), q2 = Queue(%d)\n",
           REPLY_QUEUE_MAX, REPLY_QUEUE_MAX);
    struct queue q[2];
    queue_open(&q[0], REPLY_QUEUE_MAX);
    queue_open(&q[1], REPLY_QUEUE_MAX);
    queue_child_start(request, q);
    queue_child_start(handle, q);
    bool ok = queue_children_join();
    queue_close(&q[0]);
    queue_close(&q[1]);
    return ok;
}
