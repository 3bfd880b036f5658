/* common/procfs.c — see procfs.h. */
#include "common/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/signals.h"

/* Read /proc/PID/stat and find the state letter and ppid. The name field
 * "(comm)" may itself hold spaces and ')', so parse after the last ')'. */
static int read_stat(pid_t pid, char *state, pid_t *ppid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close_paren = strrchr(buf, ')');
    long parent;
    if (close_paren == NULL || sscanf(close_paren + 1, " %c %ld", state, &parent) != 2)
        return -1;
    *ppid = (pid_t)parent;
    return 0;
}

char procfs_state(pid_t pid)
{
    char state;
    pid_t ppid;
    return read_stat(pid, &state, &ppid) == 0 ? state : 0;
}

pid_t procfs_ppid(pid_t pid)
{
    char state;
    pid_t ppid;
    return read_stat(pid, &state, &ppid) == 0 ? ppid : -1;
}

int procfs_comm(pid_t pid, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char *ok = fgets(out, (int)size, f);
    fclose(f);
    if (ok == NULL)
        return -1;
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

/* Walk /proc, calling visit for each child of parent with its state. */
static int for_each_child(pid_t parent, void (*visit)(pid_t, char, void *), void *ctx)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        char state;
        pid_t ppid;
        if (*end != '\0' || pid <= 0)
            continue; /* not a process directory */
        if (read_stat((pid_t)pid, &state, &ppid) == 0 && ppid == parent)
            visit((pid_t)pid, state, ctx);
    }
    closedir(d);
    return 0;
}

struct child_list {
    pid_t *out;
    int max, count, zombies;
};

static void collect(pid_t pid, char state, void *ctx)
{
    struct child_list *l = ctx;
    if (l->count < l->max)
        l->out[l->count] = pid;
    l->count++;
    if (state == 'Z')
        l->zombies++;
}

int procfs_children(pid_t parent, pid_t *out, int max)
{
    struct child_list l = {out, max, 0, 0};
    return for_each_child(parent, collect, &l) < 0 ? -1 : l.count;
}

int procfs_count_zombies(pid_t parent)
{
    struct child_list l = {NULL, 0, 0, 0};
    return for_each_child(parent, collect, &l) < 0 ? -1 : l.zombies;
}

char procfs_wait_state(pid_t pid, char want, long limit_ms)
{
    char seen = procfs_state(pid);
    double end = clock_now() + limit_ms / 1000.0;
    while (seen != want && seen != 0 && !sig_stop_requested &&
           clock_now() < end) {
        clock_sleep_ms(1);
        char now = procfs_state(pid);
        if (now == 0)
            break; /* gone: the last letter stays */
        seen = now;
    }
    return seen;
}
