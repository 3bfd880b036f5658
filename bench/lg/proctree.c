/* bench/lg/proctree.c — see proctree.h. */
#include "bench/lg/proctree.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pinfo {
    pid_t pid, ppid;
    double cpu; /* utime + stime + cutime + cstime, seconds */
    int threads;
};

static int read_stat(pid_t pid, struct pinfo *p)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *s = strrchr(buf, ')'); /* the name may hold spaces and ')' */
    if (s == NULL)
        return -1;
    /* after ")": state ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime priority nice num_threads */
    char state;
    long ppid, skip, threads;
    unsigned long long ut, st;
    long long cut, cst;
    if (sscanf(s + 1, " %c %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %llu %llu %lld %lld %ld %ld %ld",
               &state, &ppid, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &ut,
               &st, &cut, &cst, &skip, &skip, &threads) != 18)
        return -1;
    static long hz;
    if (hz == 0)
        hz = sysconf(_SC_CLK_TCK);
    p->pid = pid;
    p->ppid = (pid_t)ppid;
    p->cpu = (double)(ut + st + (unsigned long long)(cut + cst)) / (double)hz;
    /* utime and stime are whole clock ticks (10 ms): a fork server's child
     * that served a few hundred messages shows 0. For a one-thread process
     * schedstat has its time on the CPU in ns. */
    if (threads == 1 && state != 'Z') {
        snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)pid);
        f = fopen(path, "r");
        unsigned long long ns;
        if (f != NULL) {
            if (fscanf(f, "%llu", &ns) == 1 && ns > 0)
                p->cpu = (double)ns / 1e9 + (double)(cut + cst) / (double)hz;
            fclose(f);
        }
    }
    p->threads = state == 'Z' ? 0 : (int)threads;
    return 0;
}

static void read_memory(pid_t pid, struct proc_sample *s)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        long kb;
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "VmRSS: %ld", &kb) == 1)
                s->rss_kb += kb;
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)pid);
    f = fopen(path, "r");
    if (f == NULL) {
        s->pss_kb = -1;
        return;
    }
    long kb;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Pss: %ld", &kb) == 1 && s->pss_kb >= 0)
            s->pss_kb += kb;
    fclose(f);
}

int proctree_sample(pid_t root, int with_memory, struct proc_sample *s)
{
    memset(s, 0, sizeof *s);
    struct pinfo self;
    if (read_stat(root, &self) < 0)
        return -1;
    /* Every process on the machine, then the tree below root. */
    size_t cap = 1024, n = 0;
    struct pinfo *all = malloc(cap * sizeof *all);
    DIR *d = opendir("/proc");
    if (all == NULL || d == NULL) {
        free(all);
        if (d)
            closedir(d);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        if (n == cap) {
            struct pinfo *bigger = realloc(all, 2 * cap * sizeof *all);
            if (bigger == NULL)
                break;
            all = bigger;
            cap *= 2;
        }
        if (read_stat((pid_t)pid, &all[n]) == 0)
            n++;
    }
    closedir(d);
    /* Breadth first: tree[] holds root, then its children, then theirs. */
    pid_t *tree = malloc((n + 1) * sizeof *tree);
    size_t nt = 0;
    if (tree == NULL) {
        free(all);
        return -1;
    }
    tree[nt++] = root;
    s->cpu = self.cpu;
    s->threads = self.threads;
    for (size_t head = 0; head < nt; head++)
        for (size_t i = 0; i < n; i++)
            if (all[i].ppid == tree[head] && all[i].pid != root && nt <= n) {
                tree[nt++] = all[i].pid;
                s->cpu += all[i].cpu;
                s->threads += all[i].threads;
            }
    s->procs = (int)nt;
    if (with_memory)
        for (size_t i = 0; i < nt; i++)
            read_memory(tree[i], s);
    free(tree);
    free(all);
    return 0;
}
