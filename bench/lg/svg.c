/* bench/lg/svg.c — see svg.h. */
#include "bench/lg/svg.h"

#include <math.h>
#include <string.h>

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
enum { NCOLORS = sizeof palette / sizeof palette[0] };

void svg_escape(FILE *f, const char *t)
{
    for (; t && *t; t++) {
        switch (*t) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*t, f);
        }
    }
}

static void text(FILE *f, double x, double y, const char *anchor, const char *style,
                 const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor, style);
    svg_escape(f, s);
    fputs("</text>\n", f);
}

static void head(FILE *f, int w, int h, const char *title, const char *subtitle)
{
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<title>",
            w, h, w, h);
    svg_escape(f, title);
    fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h);
    text(f, 10, 20, "start", "font-size=\"15\" font-weight=\"bold\"", title);
    if (subtitle)
        text(f, 10, 38, "start", "fill=\"#555\"", subtitle);
}

static int finish(FILE *f)
{
    fputs("</svg>\n", f);
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* A number written short: 1234567 -> "1.23M", 0.0123 -> "0.0123". */
static void short_num(char *out, size_t size, double v)
{
    double a = fabs(v);
    if (a >= 1e6)
        snprintf(out, size, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(out, size, "%.3gk", v / 1e3);
    else
        snprintf(out, size, "%.3g", v);
}

int svg_bars(const char *path, const char *title, const char *subtitle, const char *unit,
             const struct svg_bar *bars, int n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    const int left = 110, width = 460, row = 24, top = 56;
    int h = top + n * row + 40;
    head(f, 820, h, title, subtitle);
    double max = 0;
    for (int i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    if (max <= 0)
        max = 1;
    for (int i = 0; i < n; i++) {
        double y = top + i * row;
        fputs("<g class=\"series\" data-name=\"", f);
        svg_escape(f, bars[i].label);
        fputs("\">\n", f);
        text(f, left - 8, y + 15, "end", "", bars[i].label);
        if (bars[i].value >= 0) {
            double w = bars[i].value / max * width;
            if (bars[i].value > 0 && w < 1)
                w = 1;
            fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                    left, y + 3, w, row - 6, palette[i % NCOLORS]);
            char num[32], label[200];
            short_num(num, sizeof num, bars[i].value);
            snprintf(label, sizeof label, "%s%s%s", num, bars[i].note ? "  " : "",
                     bars[i].note ? bars[i].note : "");
            text(f, left + w + 6, y + 15, "start", "", label);
        } else {
            text(f, left + 6, y + 15, "start", "fill=\"#a00\"", bars[i].note ? bars[i].note : "-");
        }
        fputs("</g>\n", f);
    }
    char axis[64];
    snprintf(axis, sizeof axis, "%s (longest bar = the largest)", unit);
    text(f, left, h - 12, "start", "fill=\"#555\"", axis);
    return finish(f);
}

static double scale(double v, bool log_scale)
{
    return log_scale ? log10(v > 0 ? v : 1e-12) : v;
}

int svg_lines(const char *path, const char *title, const char *subtitle,
              const struct svg_axes *ax, const struct svg_series *s, int n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    const double L = 80, T = 56, W = 520, H = 300;
    head(f, 820, (int)(T + H + 60), title, subtitle);
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < s[i].n; j++) {
            if (ax->ylog && s[i].y[j] <= 0)
                continue;
            double x = scale(s[i].x[j], ax->xlog), y = scale(s[i].y[j], ax->ylog);
            x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
        }
    if (!(x0 < x1))
        x0 = (isfinite(x0) ? x0 : 0) - 1, x1 = x0 + 2;
    if (ax->ylog) {
        y0 = isfinite(y0) ? floor(y0) : 0;
        y1 = isfinite(y1) ? ceil(y1) : 1;
        if (y1 <= y0)
            y1 = y0 + 1;
    } else {
        y0 = 0;
        y1 = isfinite(y1) && y1 > 0 ? y1 * 1.1 : 1;
    }
#define PX(v) (L + (scale((v), ax->xlog) - x0) / (x1 - x0) * W)
#define PY(v) (T + H - (scale((v), ax->ylog) - y0) / (y1 - y0) * H)
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
               "stroke=\"#999\"/>\n", L, T, W, H);
    /* y grid: powers of ten on a log scale, five steps otherwise */
    char num[32];
    int steps = ax->ylog ? (int)(y1 - y0) : 5; /* a line per decade on a log scale */
    for (int k = 0; k <= steps; k++) {
        double e = y0 + (y1 - y0) * k / steps;
        double v = ax->ylog ? pow(10, e) : e;
        double y = PY(v);
        fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", L,
                L + W, y, y);
        short_num(num, sizeof num, v);
        text(f, L - 6, y + 4, "end", "", num);
    }
    for (int k = 0; k < ax->nxticks; k++) {
        double x = PX(ax->xticks[k]);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#eee\"/>\n", x,
                x, T, T + H);
        text(f, x, T + H + 16, "middle", "", ax->xticklabels[k]);
    }
    text(f, L + W / 2, T + H + 36, "middle", "fill=\"#555\"", ax->xlabel);
    fprintf(f, "<text x=\"16\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#555\" "
               "transform=\"rotate(-90 16 %.0f)\">", T + H / 2, T + H / 2);
    svg_escape(f, ax->ylabel);
    fputs("</text>\n", f);
    for (int i = 0; i < n; i++) {
        const char *color = palette[i % NCOLORS];
        fputs("<g class=\"series\" data-name=\"", f);
        svg_escape(f, s[i].name);
        fprintf(f, "\" stroke=\"%s\" fill=\"%s\">\n<polyline fill=\"none\" stroke-width=\"2\" points=\"",
                color, color);
        for (int j = 0; j < s[i].n; j++)
            if (!ax->ylog || s[i].y[j] > 0)
                fprintf(f, "%.1f,%.1f ", PX(s[i].x[j]), PY(s[i].y[j]));
        fputs("\"/>\n", f);
        for (int j = 0; j < s[i].n; j++)
            if (!ax->ylog || s[i].y[j] > 0)
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n", PX(s[i].x[j]),
                        PY(s[i].y[j]));
        /* legend */
        double ly = T + 10 + i * 18;
        fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"4\" stroke=\"none\"/>\n",
                L + W + 20, ly);
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" stroke=\"none\" fill=\"#000\">", L + W + 40, ly + 6);
        svg_escape(f, s[i].name);
        fputs("</text>\n</g>\n", f);
    }
#undef PX
#undef PY
    return finish(f);
}
