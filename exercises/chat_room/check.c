/* exercises/chat_room/check.c — the checker for the chat_room exercise
 * (the chat room's broadcast).
 *
 * Starts the chat server and logs three users in over real UDP sockets:
 * alice, bob, carol. A join is announced to everyone already there
 * (chat_broadcast skipping the newcomer); then alice says "hello all":
 * bob and carol must receive "alice: hello all", alice must not.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "exercises/checklib.h"

enum { USERS = 3 };
static const char *names[USERS] = {"alice", "bob", "carol"};
static char heard[USERS][4096]; /* every datagram each user received */

/* A UDP socket connected to the server. */
static int user_socket(int port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0)
        return -1;
    return fd;
}

/* Collect what arrives for every user during the next ms milliseconds
 * (or until user `until` has heard `needle`). */
static void listen_all(const int fds[USERS], int ms, int until,
                       const char *needle)
{
    double end = clock_now() + ms / 1000.0;
    while (clock_now() < end) {
        if (until >= 0 && strstr(heard[until], needle) != NULL)
            return;
        struct pollfd p[USERS];
        for (int i = 0; i < USERS; i++)
            p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        if (poll(p, USERS, 20) <= 0)
            continue;
        for (int i = 0; i < USERS; i++)
            if (p[i].revents & POLLIN) {
                char d[1100];
                ssize_t n = recv(fds[i], d, sizeof d - 1, 0);
                if (n <= 0)
                    continue;
                d[n] = '\0';
                size_t len = strlen(heard[i]);
                snprintf(heard[i] + len, sizeof heard[i] - len, "[%s]", d);
            }
    }
}

static void say(int fd, const char *text)
{
    (void)send(fd, text, strlen(text), 0);
}

/* Start the server and read its port from its FIRST line only. Its log
 * (stderr, the same pipe) follows at once ("chat_server: stdin closed:
 * no more announcements"): on a busy machine one read takes both lines,
 * and check_server_up's last colon is then the log's, so port 0, and
 * every program, the lesson too, failed "the server starts". */
static int server_up(pid_t *server, int *out)
{
    const char *args[] = {"-p", "0", NULL};
    char text[4096] = "";
    *server = check_spawn(args, out);
    bool got = check_read_until(*out, text, sizeof text, "\n",
                                check_timeout(5));
    char *end = strchr(text, '\n');
    if (end != NULL)
        *end = '\0';
    const char *p = strstr(text, "listening on ");
    const char *colon = p != NULL ? strrchr(p, ':') : NULL;
    int port = got && colon != NULL ? atoi(colon + 1) : -1;
    if (port <= 0) {
        kill(*server, SIGKILL);
        waitpid(*server, NULL, 0);
    }
    check_that(port > 0, 0, "the server starts",
               "\"listening on 127.0.0.1:PORT\" first",
               text[0] != '\0' ? text : "no line in 5 s", NULL);
    return port;
}

int main(int argc, char *argv[])
{
    check_start("chat_room", argc, argv);
    pid_t server;
    int out, fds[USERS];
    int port = server_up(&server, &out);
    char line[64], seen[9000];
    int wait_ms = (int)(check_timeout(5) * 1000); /* a busy machine: slow */
    for (int i = 0; i < USERS; i++) {
        fds[i] = user_socket(port);
        snprintf(line, sizeof line, "L %s", names[i]);
        say(fds[i], line);
        listen_all(fds, wait_ms, i, "[OK]");
    }
    /* what a right broadcast sends, waited for (bounded); then a little
     * longer for what it must not send */
    listen_all(fds, wait_ms, 0, "carol joined");
    listen_all(fds, wait_ms, 1, "carol joined");
    listen_all(fds, 300, -1, NULL);
    snprintf(seen, sizeof seen, "alice heard %s; bob heard %s", heard[0],
             heard[1]);
    check_that(strstr(heard[0], "bob joined") != NULL &&
                   strstr(heard[0], "carol joined") != NULL &&
                   strstr(heard[1], "carol joined") != NULL &&
                   strstr(heard[1], "bob joined") == NULL,
               2, "a join is announced to everyone already in the room",
               "alice hears \"bob joined\" and \"carol joined\", bob "
               "hears \"carol joined\" (not of himself)",
               seen,
               "chat_broadcast must go through room->users[0 .. count-1] "
               "and chat_tell each one, except the user to skip.");

    for (int i = 0; i < USERS; i++)
        heard[i][0] = '\0';
    say(fds[0], "C alice hello all");
    listen_all(fds, wait_ms, 1, "alice: hello all");
    listen_all(fds, wait_ms, 2, "alice: hello all");
    listen_all(fds, 300, -1, NULL); /* and anything alice might get */
    snprintf(seen, sizeof seen, "bob heard %s; carol heard %s",
             heard[1][0] ? heard[1] : "nothing",
             heard[2][0] ? heard[2] : "nothing");
    check_that(strstr(heard[1], "[alice: hello all]") != NULL &&
                   strstr(heard[2], "[alice: hello all]") != NULL,
               1, "everyone else hears what alice says",
               "bob and carol each receive \"alice: hello all\"", seen,
               "C NAME TEXT is answered by a broadcast of \"NAME: TEXT\" to "
               "every user but the speaker.");
    snprintf(seen, sizeof seen, "alice heard %s", heard[0]);
    check_that(strstr(heard[0], "hello all") == NULL, 1,
               "the speaker does not hear her own message",
               "alice receives nothing back", seen,
               "the speaker already has her line on her screen: broadcast "
               "to everyone EXCEPT the user who sent it.");

    check_server_stops(server, 0, NULL);
    check_passed();
}
