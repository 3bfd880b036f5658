/* common/echo_load.h — load an echo server and check every byte: the
 * scripted mode of day9/echo_client (-n COUNT -s SIZE -c CONNECTIONS),
 * used by the tests, the tour and the benchmarks.
 */
#ifndef CONCLAB_ECHO_LOAD_H
#define CONCLAB_ECHO_LOAD_H

struct echo_load {
    long count;       /* messages per connection, one at a time */
    long size;        /* bytes per message */
    long connections; /* all open at once */
    int timeout_ms;   /* give up when nothing moves this long */
};

/* Connect load->connections times to host:port, then on each send
 * load->count messages of load->size bytes, each echo checked byte by
 * byte (message m on connection i holds the byte values from (i + m) %
 * 256 on, so a reply sent to the wrong client does not match). Prints one
 * line, "PROG: C connections x N messages x S bytes to HOST:PORT: all
 * echoed correctly in T s (...)", or what failed (a few failures on
 * stderr). Returns the exit status: 0 if everything came back right. */
int echo_load_run(const char *host, int port, const struct echo_load *load);

#endif
