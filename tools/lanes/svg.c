/* tools/lanes/svg.c — the run as a self-contained SVG chart (-s chart.svg).
 *
 * Time goes right, one row per lane (the busiest SVG_LANES). A thin bar is
 * a live task; on it, coloured blocks are blocked periods (hover: what the
 * call was), a grey block marked Z is zombie time. Vertical lines join two
 * lanes: a birth (parent to child, dot on the child), a reaping (dashed,
 * reaper to zombie), a signal (red, sender to receiver). No scripts, no
 * external files, so it can be projected or embedded in a page as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/lanes/lanes.h"

#define SVG_LANES 24
#define W         960
#define LEFT      220
#define RIGHT     20
#define TOP       78
#define LH        34

static const char *const colour[B_NKINDS] = {
    [B_WAIT] = "#8e6bbf",    [B_READ] = "#4c9a5b",   [B_WRITE] = "#7bbf6a",  [B_ACCEPT] = "#d08a2e",
    [B_CONNECT] = "#e0b04a", [B_SELECT] = "#2f8fb7", [B_POLL] = "#2f8fb7",   [B_EPOLL] = "#2f8fb7",
    [B_SLEEP] = "#9aa5b1",   [B_LOCK] = "#c8453b",   [B_SIGNAL] = "#b05fa0", [B_MQ] = "#6d7fd1",
    [B_SEM] = "#6d7fd1",     [B_VFORK] = "#8e6bbf",
};

static void xml_str(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                fputc(*s, f);
        }
}

struct geom {
    double span;
    int shown[SVG_LANES], k;
};

static double dmax(double a, double b)
{
    return a > b ? a : b;
}

static double xof(const struct geom *g, double t)
{
    return LEFT + (t / g->span) * (W - LEFT - RIGHT);
}

static int row_of(const struct geom *g, int lane)
{
    for (int i = 0; i < g->k; i++)
        if (g->shown[i] == lane)
            return i;
    return -1;
}

static double yof(int row)
{
    return TOP + row * LH + LH / 2.0;
}

static void axis(FILE *f, const struct geom *g, int bottom)
{
    double step = 1e-6; /* 1, 2 or 5 times a power of ten: 4 to 10 ticks */
    while (g->span / step > 10)
        step *= 10;
    if (g->span / step <= 2)
        step /= 5;
    else if (g->span / step <= 5)
        step /= 2;
    for (double t = 0; t <= g->span * 1.0001; t += step) {
        double x = xof(g, t);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>\n", x,
                TOP - 8, x, bottom);
        if (step >= 1)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\">%.0f s</text>\n", x, TOP - 12, t);
        else
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\">%.*f ms</text>\n", x, TOP - 12,
                    step * 1000 >= 1 ? 0 : 1, t * 1000);
    }
}

static void join_lanes(FILE *f, const struct geom *g, double t, int a, int b, const char *cls)
{
    int ra = row_of(g, a), rb = row_of(g, b);
    if (ra < 0 || rb < 0 || ra == rb)
        return;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>\n", xof(g, t),
            yof(ra), xof(g, t), yof(rb), cls);
}

static void lane_row(FILE *f, const struct trace *tr, const struct geom *g, int r)
{
    const struct lane *l = &tr->lanes[g->shown[r]];
    double y = yof(r);
    fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"name\">%s</text>", y + 4, l->name);
    fprintf(f, "<text x=\"52\" y=\"%.1f\" class=\"label\">", y + 4);
    char prog[17];
    snprintf(prog, sizeof prog, "%.16s", l->prog); /* the label column's width */
    xml_str(f, prog);
    fprintf(f, " %s %ld</text>\n", l->thread ? "tid" : "pid", (long)l->tid);
    double end = l->died >= 0 ? l->died : tr->end;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\" class=\"alive\"/>\n",
            xof(g, l->born), y - 3, dmax(xof(g, end) - xof(g, l->born), 1));
    if (!l->thread && l->died >= 0 && l->reaped > l->died) {
        double x0 = xof(g, l->died), w = dmax(xof(g, l->reaped) - x0, 2);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" class=\"zombie\">"
                "<title>%s: a zombie for %.1f ms</title></rect>\n",
                x0, y - 8, w, l->name, (l->reaped - l->died) * 1000);
        if (w > 14)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"z\">Z%s</text>\n", x0 + 3, y + 4,
                    w > 60 ? " zombie" : "");
    }
}

static void event_mark(FILE *f, const struct trace *tr, const struct geom *g, const struct event *e)
{
    int r = row_of(g, e->lane);
    if (r < 0)
        return;
    double x = xof(g, e->t), y = yof(r);
    switch (e->kind) {
    case EV_BLOCK: {
        double w = dmax(xof(g, e->t_end) - x, 1.5);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"%s\">"
                "<title>",
                x, y - 7, w, colour[e->block]);
        xml_str(f, e->text);
        fprintf(f, " (%.1f ms)</title></rect>\n", (e->t_end - e->t) * 1000);
        if (w > 48)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"b\">%s</text>\n", x + 3, y + 4,
                    block_label(e->block));
        return;
    }
    case EV_BIRTH:
        if (e->other >= 0)
            join_lanes(f, g, e->t, e->other, e->lane, "birth");
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" class=\"born\">", x, y);
        break;
    case EV_EXEC:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" class=\"exec\">", x - 3.5,
                y - 3.5);
        break;
    case EV_EXIT:
        fprintf(f, "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" class=\"exit\">", x - 4, y - 4);
        break;
    case EV_REAP:
        if (e->other >= 0)
            join_lanes(f, g, e->t, e->other, e->lane, "reap");
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" class=\"reaped\">", x, y);
        break;
    case EV_REPARENT:
        fprintf(f, "<path d=\"M%.1f %.1fl5 -8l5 8z\" class=\"adopt\">", x - 5, y - 6);
        break;
    case EV_SIG_SENT:
        fprintf(f, "<path d=\"M%.1f %.1fl8 4l-8 4z\" class=\"sig\">", x - 2, y - 14);
        break;
    case EV_SIG_DELIV:
        if (e->other >= 0)
            join_lanes(f, g, e->t, e->other, e->lane, "sigline");
        fprintf(f, "<path d=\"M%.1f %.1fl4 4l-4 4l-4 -4z\" class=\"sig\">", x, y - 13);
        break;
    case EV_FD_OPEN:
    case EV_FD_CLOSE:
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\">", x, y + 5,
                x, y + 12, e->kind == EV_FD_OPEN ? "fdo" : "fdc");
        break;
    default: fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\">", x, y);
    }
    fputs("<title>", f);
    xml_str(f, e->text);
    fprintf(f, " (%.3f s)</title></%s>\n", e->t,
            e->kind == EV_BIRTH || e->kind == EV_REAP         ? "circle"
            : e->kind == EV_EXEC                              ? "rect"
            : e->kind == EV_FD_OPEN || e->kind == EV_FD_CLOSE ? "line"
            : e->kind == EV_EXIT || e->kind == EV_REPARENT || e->kind == EV_SIG_SENT ||
                    e->kind == EV_SIG_DELIV
                ? "path"
                : "circle");
    (void)tr;
}

static void legend(FILE *f, int y)
{
    static const struct {
        const char *cls, *fill, *text;
    } items[] = {
        {"alive", NULL, "running"},        {"zombie", NULL, "zombie"},
        {NULL, "#8e6bbf", "wait (child)"}, {NULL, "#4c9a5b", "read"},
        {NULL, "#d08a2e", "accept"},       {NULL, "#2f8fb7", "select/poll/epoll"},
        {NULL, "#c8453b", "lock (futex)"}, {NULL, "#9aa5b1", "sleep"},
        {NULL, "#6d7fd1", "queue/sem"},
    };
    double x = 8;
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (items[i].cls)
            fprintf(f, "<rect x=\"%.0f\" y=\"%d\" width=\"14\" height=\"10\" class=\"%s\"/>", x, y,
                    items[i].cls);
        else
            fprintf(f, "<rect x=\"%.0f\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>", x, y,
                    items[i].fill);
        fprintf(f, "<text x=\"%.0f\" y=\"%d\" class=\"label\">%s</text>\n", x + 18, y + 9,
                items[i].text);
        x += 30 + 6.2 * (double)strlen(items[i].text);
    }
    fprintf(f,
            "<text x=\"8\" y=\"%d\" class=\"label\">o born  x exit  ■ exec  ▲ adopted  "
            "◆ signal delivered  | fd opened (green) / closed (orange); lines: "
            "fork (blue), reap (dashed), signal (red)</text>\n",
            y + 26);
}

int svg_write(const struct trace *tr, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    struct geom g;
    g.span = tr->end > 1e-6 ? tr->end : 1e-6;
    g.k = lanes_choose(tr, g.shown, SVG_LANES);
    int bottom = TOP + g.k * LH;
    int height = bottom + 70;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans Mono, monospace\" "
            "font-size=\"11\">\n",
            W, height, W, height);
    fputs("<style>\n"
          ".grid{stroke:#e3e3e3}.tick{fill:#777;font-size:10px}\n"
          ".name{font-weight:bold}.label{fill:#333}\n"
          ".alive{fill:#4a7ab5}.zombie{fill:#bdbdbd;stroke:#777}\n"
          ".z{fill:#333;font-weight:bold}.b{fill:#fff;font-size:10px}\n"
          ".born{fill:#fff;stroke:#1f4e8c;stroke-width:2}.reaped{fill:#333}\n"
          ".exec{fill:#1f4e8c}.exit{stroke:#000;stroke-width:2}\n"
          ".adopt{fill:#e0a000}.sig{fill:#d62728}\n"
          ".birth{stroke:#1f4e8c;stroke-width:1.5}.reap{stroke:#333;stroke-dasharray:4 3}\n"
          ".sigline{stroke:#d62728;stroke-width:1}.fdo{stroke:#2ca02c;stroke-width:2}\n"
          ".fdc{stroke:#ff7f0e;stroke-width:2}\n"
          "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
          f);
    fputs("<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"bold\">lanes: ", f);
    for (char **a = tr->opt->argv; *a; a++) {
        xml_str(f, *a);
        fputc(a[1] ? ' ' : '<', f);
    }
    fputs("/text>\n", f);
    fprintf(f,
            "<text x=\"8\" y=\"38\" class=\"label\">%d lane%s%s, %.3f s; time goes "
            "right</text>\n",
            tr->nlanes, tr->nlanes == 1 ? "" : "s", tr->nlanes > g.k ? " (the busiest drawn)" : "",
            tr->end);
    axis(f, &g, bottom);
    for (int r = 0; r < g.k; r++)
        lane_row(f, tr, &g, r);
    for (long i = 0; i < tr->nev; i++)
        event_mark(f, tr, &g, &tr->ev[i]);
    legend(f, bottom + 18);
    fputs("</svg>\n", f);
    int err = ferror(f);
    if (fclose(f) != 0 || err) {
        if (err)
            errno = EIO;
        return -1;
    }
    return 0;
}
