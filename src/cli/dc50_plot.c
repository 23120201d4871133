/* dc50_plot.c - DC50s of a batch as a forest plot: a row per gel and
 * series, the DC50 a dot, its confidence interval a bar (an open side runs
 * to the axis' end, dashed). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blotquant/table.h"
#include "dc50_plot.h"

enum { PLOT_W = 760, LABEL_W = 300, AXIS_L = 310, AXIS_R = 730, ROW_H = 18, TOP_M = 30,
       BOTTOM_M = 46 };

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

/* The decades the DC50s and their finite CI bounds span, a little room
 * around them. */
static void dose_range(const dc50_row_t *rows, int n, double *l0, double *l1)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        const double v[3] = {rows[i].dc50, rows[i].low, rows[i].high};
        for (int k = 0; k < 3; k++)
            if (isfinite(v[k]) && v[k] > 0) {
                lo = fmin(lo, log10(v[k]));
                hi = fmax(hi, log10(v[k]));
            }
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    *l0 = floor(lo - 0.2);
    *l1 = ceil(hi + 0.2);
}

static double px(double l0, double l1, double v)
{
    double x = AXIS_L + (log10(v) - l0) / (l1 - l0) * (AXIS_R - AXIS_L);
    return fmin(fmax(x, AXIS_L), AXIS_R);
}

/* The rows' order: by group in order of first appearance, stable within. */
static void group_order(const dc50_row_t *rows, int n, int *order, int *colour)
{
    int k = 0, n_groups = 0;
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = strcmp(rows[j].group, rows[i].group) != 0;
        if (!first)
            continue;
        for (int j = i; j < n; j++)
            if (strcmp(rows[j].group, rows[i].group) == 0) {
                colour[k] = n_groups;
                order[k++] = j;
            }
        n_groups++;
    }
}

static void x_axis(FILE *fp, double l0, double l1, int y)
{
    fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", AXIS_L, y,
            AXIS_R, y);
    for (int d = (int)l0; d <= (int)l1; d++) {
        double x = px(l0, l1, pow(10.0, d));
        fprintf(fp,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                x, TOP_M - 10, x, y, x, y + 16, pow(10.0, d));
    }
    fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">DC50 (nM), log scale; bars: "
                "confidence interval</text>\n",
            (AXIS_L + AXIS_R) / 2, y + 36);
}

static void row(FILE *fp, const dc50_row_t *r, double l0, double l1, int y, const char *colour)
{
    fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W, y + 4);
    if (r->group[0]) {
        bq_xml_put_text(fp, r->group);
        fputs(" \xE2\x80\x94 ", fp);
    }
    bq_xml_put_text(fp, r->label);
    fputs("</text>\n", fp);
    double xl = isfinite(r->low) ? px(l0, l1, r->low) : AXIS_L;
    double xh = isfinite(r->high) ? px(l0, l1, r->high) : AXIS_R;
    double x = px(l0, l1, r->dc50);
    fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                "stroke-width=\"2\"%s/>\n",
            xl, y, xh, y, colour,
            isfinite(r->low) && isfinite(r->high) ? "" : " stroke-dasharray=\"4,3\"");
    fprintf(fp, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4.5\" fill=\"%s\"/>\n", x, y, colour);
}

void dc50_plot_svg(FILE *fp, const dc50_row_t *rows, int n)
{
    int shown = n < DC50_PLOT_MAX_ROWS ? n : DC50_PLOT_MAX_ROWS;
    int *order = malloc(sizeof *order * (size_t)(n > 0 ? n : 1));
    int *colour = malloc(sizeof *colour * (size_t)(n > 0 ? n : 1));
    if (!order || !colour) {
        free(order);
        free(colour);
        return;
    }
    double l0, l1;
    dose_range(rows, n, &l0, &l1);
    group_order(rows, n, order, colour);
    int axis_y = TOP_M + ROW_H * shown;
    fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" "
                "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            PLOT_W, axis_y + BOTTOM_M, PLOT_W, axis_y + BOTTOM_M);
    x_axis(fp, l0, l1, axis_y);
    for (int i = 0; i < shown; i++)
        row(fp, &rows[order[i]], l0, l1, TOP_M + ROW_H * i + ROW_H / 2,
            colours[colour[i] % (int)(sizeof colours / sizeof colours[0])]);
    if (shown < n)
        fprintf(fp, "<text x=\"%d\" y=\"16\">the first %d of %d shown</text>\n", AXIS_L, shown,
                n);
    fputs("</svg>\n", fp);
    free(order);
    free(colour);
}
