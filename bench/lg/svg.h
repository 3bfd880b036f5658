/* bench/lg/svg.h — the benchmark's charts, written as plain SVG text (no
 * library): horizontal bars for throughput and cost, and line charts for
 * latency percentiles and the idle-connections curve. Each series is a
 * <g class="series" data-name="..."> so a test (and a reader of the file)
 * can find it.
 */
#ifndef CONCLAB_BENCH_SVG_H
#define CONCLAB_BENCH_SVG_H
#include <stdbool.h>
#include <stdio.h>

enum { SVG_MAX_POINTS = 16 };

struct svg_bar {
    const char *label; /* the series name, left of the bar */
    double value;      /* < 0: no value (a gap, with the note only) */
    const char *note;  /* written right of the bar (value, cost...) */
};

struct svg_series {
    const char *name;
    int n;
    double x[SVG_MAX_POINTS], y[SVG_MAX_POINTS]; /* y <= 0: no point (log scale) */
};

/* Horizontal bars, longest = the largest value. 0, or -1 (errno). */
int svg_bars(const char *path, const char *title, const char *subtitle, const char *unit,
             const struct svg_bar *bars, int n);

struct svg_axes {
    const char *xlabel, *ylabel;
    bool xlog, ylog;
    int nxticks;
    double xticks[SVG_MAX_POINTS];
    const char *xticklabels[SVG_MAX_POINTS];
};

/* One line per series, with a legend. 0, or -1 (errno). */
int svg_lines(const char *path, const char *title, const char *subtitle,
              const struct svg_axes *axes, const struct svg_series *s, int n);

/* Write text with &, <, >, " escaped. */
void svg_escape(FILE *f, const char *text);
#endif
