/* tools/lanes/term.c — the lanes on the terminal, and the summary.
 *
 * One column per lane (at most TERM_LANES, the busiest), time going down,
 * one row per event, 80 columns:
 *
 *     time  P1   P2
 *    0.000  o              P1 starts: zombie (pid 4100)
 *    0.001  *----o         P1 forks P2 (pid 4101)
 *    0.001  |    x         P2 exited with status 7: a zombie until P1 reaps it
 *    0.352  *----R         P1 reaps P2 (exited with status 7): a zombie for 351 ms
 *
 * Between its marks a lane shows what the task is doing: | running,
 * : blocked in a call, Z a zombie, blank not yet born or gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tools/lanes/lanes.h"

#define TERM_WIDTH 80
#define TERM_LANES 6
#define LANE_W     5
#define TIME_W     8
#define HEAD_ROWS  250 /* rows drawn from the start, and from the end: */
#define TAIL_ROWS  50

static int by_busy(const void *a, const void *b, const struct trace *tr)
{
    const struct lane *x = &tr->lanes[*(const int *)a], *y = &tr->lanes[*(const int *)b];
    if (x->events != y->events)
        return x->events > y->events ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static int by_index(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

int lanes_choose(const struct trace *tr, int *shown, int max)
{
    int n = tr->nlanes;
    int *all = malloc((size_t)(n ? n : 1) * sizeof *all);
    if (all == NULL)
        return 0;
    for (int i = 0; i < n; i++)
        all[i] = i;
    /* insertion sort by events, busiest first (qsort has no context argument) */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && by_busy(&all[j], &all[j - 1], tr) < 0; j--) {
            int t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    int k = n < max ? n : max;
    memcpy(shown, all, (size_t)k * sizeof *shown);
    free(all);
    qsort(shown, (size_t)k, sizeof *shown, by_index); /* in order of birth */
    return k;
}

/* The mark an event puts on its own lane. */
static char mark_of(const struct event *e)
{
    switch (e->kind) {
    case EV_BIRTH: return 'o';
    case EV_EXEC: return '>';
    case EV_EXIT: return 'x';
    case EV_REAP: return 'R';
    case EV_REPARENT: return '^';
    case EV_SIG_SENT: return 'S';
    case EV_SIG_DELIV: return '!';
    case EV_BLOCK: return '[';
    case EV_FD_OPEN: return '+';
    case EV_FD_CLOSE: return '-';
    case EV_STOP: return 's';
    default: return '*';
    }
}

/* A lane's state at time t, from what is known of it. */
static char state_at(const struct lane *l, double t, double blocked_until)
{
    if (t < l->born)
        return ' ';
    if (l->died >= 0 && t >= l->died) {
        if (l->thread || (l->reaped >= 0 && t >= l->reaped))
            return ' ';
        return 'Z';
    }
    return t < blocked_until ? ':' : '|';
}

/* Print a row: time, the lane cells, the text cut to the width. */
static void row(FILE *out, double t, const char *cells, int ncells, const char *text)
{
    char line[TERM_WIDTH + 1];
    int n = snprintf(line, sizeof line, "%*.3f  %.*s ", TIME_W - 2, t, ncells * LANE_W, cells);
    if (n < 0 || n >= TERM_WIDTH) {
        fprintf(out, "%s\n", line);
        return;
    }
    int room = TERM_WIDTH - n;
    int len = (int)strlen(text);
    if (len > room) { /* cut, not inside a UTF-8 character */
        len = room - 1;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
        fprintf(out, "%s%.*s~\n", line, len, text);
    } else {
        fprintf(out, "%s%s\n", line, text);
    }
}

static int column_of(const int *shown, int k, int lane)
{
    for (int i = 0; i < k; i++)
        if (shown[i] == lane)
            return i;
    return -1;
}

/* The cells of a row for event e, given each shown lane's state letter. */
static void cells_for(const struct event *e, const int *shown, int k, const char *state,
                      char *cells)
{
    memset(cells, ' ', (size_t)k * LANE_W);
    for (int i = 0; i < k; i++)
        cells[i * LANE_W] = state[i];
    int a = column_of(shown, k, e->lane);
    int b = e->other >= 0 ? column_of(shown, k, e->other) : -1;
    if (a >= 0 && b >= 0 && a != b) {
        int lo = a < b ? a : b, hi = a < b ? b : a;
        for (int c = lo * LANE_W + 1; c < hi * LANE_W; c++)
            cells[c] = '-';
        if (cells[b * LANE_W] != 'Z')
            cells[b * LANE_W] = '*';
    }
    if (a >= 0)
        cells[a * LANE_W] = mark_of(e);
}

static void header(const struct trace *tr, const int *shown, int k, FILE *out)
{
    for (int i = 0; i < k; i++) {
        const struct lane *l = &tr->lanes[shown[i]];
        char parent[64] = "";
        if (l->parent >= 0)
            snprintf(parent, sizeof parent, ", %s of %s", l->thread ? "thread" : "child",
                     tr->lanes[l->parent].name);
        fprintf(out, "  %-5s %s %ld %.32s%s\n", l->name, l->thread ? "tid" : "pid", (long)l->tid,
                l->prog, parent);
    }
    char cells[TERM_LANES * LANE_W + 1];
    memset(cells, ' ', sizeof cells);
    for (int i = 0; i < k; i++)
        memcpy(cells + i * LANE_W, tr->lanes[shown[i]].name,
               strlen(tr->lanes[shown[i]].name) < LANE_W ? strlen(tr->lanes[shown[i]].name)
                                                         : LANE_W - 1);
    fprintf(out, "%*s  %.*s\n", TIME_W - 2, "time", k * LANE_W, cells);
}

void term_render(const struct trace *tr, FILE *out)
{
    int shown[TERM_LANES];
    int k = lanes_choose(tr, shown, TERM_LANES);
    int nproc = 0;
    for (int i = 0; i < tr->nlanes; i++)
        nproc += !tr->lanes[i].thread;
    fprintf(out, "\nlanes: %s — %d process%s, %d thread%s, %.3f s\n",
            tr->nlanes ? tr->lanes[0].prog : "?", nproc, nproc == 1 ? "" : "es", tr->nlanes - nproc,
            tr->nlanes - nproc == 1 ? "" : "s", tr->end);
    header(tr, shown, k, out);

    /* which events get a row: those on a drawn lane */
    long nrows = 0;
    for (long i = 0; i < tr->nev; i++)
        nrows += column_of(shown, k, tr->ev[i].lane) >= 0;
    double until[TERM_LANES] = {0};
    long r = 0;
    for (long i = 0; i < tr->nev; i++) {
        const struct event *e = &tr->ev[i];
        int col = column_of(shown, k, e->lane);
        if (col < 0)
            continue;
        if (e->kind == EV_BLOCK && e->t_end > until[col])
            until[col] = e->t_end;
        r++;
        if (nrows > HEAD_ROWS + TAIL_ROWS && r > HEAD_ROWS && r <= nrows - TAIL_ROWS) {
            if (r == HEAD_ROWS + 1)
                fprintf(out, "%*s  ... %ld rows left out (lanes -l LOG or -o has them all)\n",
                        TIME_W - 2, "", nrows - HEAD_ROWS - TAIL_ROWS);
            continue;
        }
        char state[TERM_LANES], cells[TERM_LANES * LANE_W];
        for (int c = 0; c < k; c++)
            state[c] = state_at(&tr->lanes[shown[c]], e->t, c == col ? 0 : until[c]);
        if (e->kind == EV_BLOCK) {
            char text[sizeof e->text + 32];
            double d = e->t_end - e->t;
            if (d >= 1)
                snprintf(text, sizeof text, "%.2f s %s", d, e->text);
            else
                snprintf(text, sizeof text, "%.0f ms %s", d * 1000, e->text);
            cells_for(e, shown, k, state, cells);
            row(out, e->t, cells, k, text);
        } else {
            cells_for(e, shown, k, state, cells);
            row(out, e->t, cells, k, e->text);
        }
    }
    if (tr->nlanes > k)
        fprintf(out, "  (%d more lanes not drawn: the %d busiest are; the summary counts all)\n",
                tr->nlanes - k, k);
    fprintf(out, "  marks: o born  > exec  x exit  Z zombie  R reaped  ^ adopted  S sends"
                 " a signal\n         ! gets a signal  [ blocked (: until it returns)"
                 "  + fd opened  - fd closed\n");
}

void term_live(const struct trace *tr, const struct event *e)
{
    static bool headed;
    int shown[TERM_LANES] = {0}, k = 0;
    for (int i = 0; i < tr->nlanes && k < TERM_LANES; i++)
        shown[k++] = i;
    if (!headed) {
        fprintf(tr->live, "lanes -f: the first %d lanes drawn, events as they happen\n",
                TERM_LANES);
        headed = true;
    }
    char state[TERM_LANES] = {0}, cells[TERM_LANES * LANE_W];
    for (int c = 0; c < k; c++) {
        const struct lane *l = &tr->lanes[shown[c]];
        const struct call_info *ci = l->in_call ? syscall_info(l->nr) : NULL;
        bool blocking = ci && (ci->cls == C_BLOCK || ci->cls == C_ACCEPT);
        state[c] = state_at(l, e->t, blocking ? e->t + 1 : 0);
    }
    cells_for(e, shown, k, state, cells);
    int col = column_of(shown, k, e->lane);
    char text[sizeof e->text + 48];
    if (e->kind == EV_BLOCK) {
        cells[col >= 0 ? col * LANE_W : 0] = col >= 0 ? ']' : cells[0];
        snprintf(text, sizeof text, "waited %.0f ms: %s", (e->t_end - e->t) * 1000, e->text);
    } else {
        snprintf(text, sizeof text, "%s", e->text);
    }
    row(tr->live, e->kind == EV_BLOCK ? e->t_end : e->t, cells, k, text);
    fflush(tr->live);
}

void term_summary(const struct trace *tr, FILE *out, int status)
{
    int nproc = 0, nzomb = 0, norph = 0, longest = -1;
    for (int i = 0; i < tr->nlanes; i++) {
        const struct lane *l = &tr->lanes[i];
        if (l->thread)
            continue;
        nproc++;
        norph += l->orphan;
        if (l->died >= 0 && l->reaped > l->died + 1e-9 && l->reaper != -1 && l->reaper != -2) {
            nzomb++;
            if (longest < 0 ||
                l->reaped - l->died > tr->lanes[longest].reaped - tr->lanes[longest].died)
                longest = i;
        }
    }
    fprintf(out, "\nsummary: %d process%s and %d thread%s created, at most %d alive at once\n",
            nproc, nproc == 1 ? "" : "es", tr->nlanes - nproc, tr->nlanes - nproc == 1 ? "" : "s",
            tr->max_alive);
    if (longest >= 0) {
        const struct lane *z = &tr->lanes[longest];
        fprintf(out, "  zombies: %d; the longest unreaped: %s, %.0f ms, reaped by %s\n", nzomb,
                z->name, (z->reaped - z->died) * 1000, tr->lanes[z->reaper].name);
    } else {
        fprintf(out, "  zombies: none waited to be reaped\n");
    }
    fprintf(out, "  orphans: %d re-parented\n", norph);
    for (int i = 0; i < tr->nlanes; i++) {
        const struct lane *l = &tr->lanes[i];
        if (!l->thread && l->died >= 0 && l->reaped < 0)
            fprintf(out, "  %s is still a zombie: nobody reaped it while lanes watched\n", l->name);
    }
    fprintf(out, "  signals: %ld sent, %ld delivered\n", tr->sig_sent, tr->sig_delivered);
    int shown[TERM_LANES];
    int k = lanes_choose(tr, shown, TERM_LANES);
    fprintf(out, "  blocked (time inside blocking calls, per lane):\n");
    for (int i = 0; i < k; i++) {
        const struct lane *l = &tr->lanes[shown[i]];
        char buf[TERM_WIDTH * 2] = "";
        size_t used = 0;
        bool done[B_NKINDS] = {false};
        for (int n = 0; n < 3; n++) { /* the three longest kinds */
            int best = -1;
            for (int b = 0; b < B_NKINDS; b++)
                if (!done[b] && l->blocked[b] >= 0.0005 &&
                    (best < 0 || l->blocked[b] > l->blocked[best]))
                    best = b;
            if (best < 0)
                break;
            done[best] = true;
            int w = snprintf(buf + used, sizeof buf - used, "%s%.0f ms %s", n ? ", " : "",
                             l->blocked[best] * 1000, block_label(best));
            if (w < 0 || (size_t)w >= sizeof buf - used)
                break;
            used += (size_t)w;
        }
        fprintf(out, "    %-6s %.66s\n", l->name, used ? buf : "-");
    }
    if (tr->nlanes > k)
        fprintf(out, "    (%d more lanes)\n", tr->nlanes - k);
    if (tr->ev_dropped)
        fprintf(out, "  %ld events not kept (memory bound)\n", tr->ev_dropped);
    char how[64];
    status_text(status, how, sizeof how);
    int rc = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    fprintf(out, "  %s %s %s: lanes exits with %d\n", tr->nlanes ? tr->lanes[0].name : "?",
            tr->nlanes ? tr->lanes[0].prog : "?", how, rc);
}
