/* tools/lanes/trace_json.c — the run as a Chrome trace (-o trace.json).
 *
 * The Trace Event format that chrome://tracing and ui.perfetto.dev open: a
 * JSON object whose "traceEvents" array holds
 *   "M" metadata events naming each process and thread (one track a lane),
 *   "X" complete events with a start and a duration: each lane's life, its
 *       zombie time, each blocked period (named as in the terminal),
 *   "i" instant events: births, execs, exits, reaping, signals, fds.
 * Times are microseconds since the program started.
 */
#include <errno.h>
#include <stdio.h>

#include "tools/lanes/lanes.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void begin(FILE *f, bool *first)
{
    fputs(*first ? "\n  " : ",\n  ", f);
    *first = false;
}

int json_write(const struct trace *tr, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    bool first = true;
    fputs("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [", f);
    for (int i = 0; i < tr->nlanes; i++) {
        const struct lane *l = &tr->lanes[i];
        char name[96];
        if (!l->thread) {
            snprintf(name, sizeof name, "%s %s (pid %ld)", l->name, l->prog, (long)l->pid);
            begin(f, &first);
            fprintf(f,
                    "{\"ph\": \"M\", \"name\": \"process_name\", \"pid\": %ld, \"args\": "
                    "{\"name\": ",
                    (long)l->pid);
            json_str(f, name);
            fputs("}}", f);
            begin(f, &first);
            fprintf(f,
                    "{\"ph\": \"M\", \"name\": \"process_sort_index\", \"pid\": %ld, "
                    "\"args\": {\"sort_index\": %d}}",
                    (long)l->pid, i);
        }
        snprintf(name, sizeof name, "%s (%s %ld)", l->name, l->thread ? "tid" : "pid",
                 (long)l->tid);
        begin(f, &first);
        fprintf(f,
                "{\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": %ld, \"tid\": %ld, "
                "\"args\": {\"name\": ",
                (long)l->pid, (long)l->tid);
        json_str(f, name);
        fputs("}}", f);
        double end = l->died >= 0 ? l->died : tr->end;
        begin(f, &first);
        fputs("{\"ph\": \"X\", \"name\": ", f);
        json_str(f, l->thread ? "thread" : l->prog);
        fprintf(f,
                ", \"cat\": \"life\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": %ld, "
                "\"tid\": %ld}",
                l->born * 1e6, (end - l->born) * 1e6, (long)l->pid, (long)l->tid);
        if (!l->thread && l->died >= 0 && l->reaped > l->died) {
            begin(f, &first);
            fprintf(f,
                    "{\"ph\": \"X\", \"name\": \"zombie\", \"cat\": \"zombie\", "
                    "\"ts\": %.3f, \"dur\": %.3f, \"pid\": %ld, \"tid\": %ld}",
                    l->died * 1e6, (l->reaped - l->died) * 1e6, (long)l->pid, (long)l->tid);
        }
    }
    for (long i = 0; i < tr->nev; i++) {
        const struct event *e = &tr->ev[i];
        const struct lane *l = &tr->lanes[e->lane];
        begin(f, &first);
        if (e->kind == EV_BLOCK) {
            fputs("{\"ph\": \"X\", \"name\": ", f);
            json_str(f, block_words(e->block));
            fprintf(f,
                    ", \"cat\": \"block\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": %ld, "
                    "\"tid\": %ld, \"args\": {\"call\": ",
                    e->t * 1e6, (e->t_end - e->t) * 1e6, (long)l->pid, (long)l->tid);
            json_str(f, e->text);
            fprintf(f, ", \"returned\": %ld}}", e->ret);
        } else {
            fputs("{\"ph\": \"i\", \"s\": \"t\", \"name\": ", f);
            json_str(f, e->text);
            fprintf(f, ", \"cat\": \"%s\", \"ts\": %.3f, \"pid\": %ld, \"tid\": %ld}",
                    ev_group_of(e->kind) == G_SIGNAL ? "signal"
                    : ev_group_of(e->kind) == G_FD   ? "fd"
                                                     : "proc",
                    e->t * 1e6, (long)l->pid, (long)l->tid);
        }
    }
    fputs("\n]}\n", f);
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        if (err)
            errno = EIO;
        return -1;
    }
    return 0;
}
