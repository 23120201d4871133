/* plot_svg.c - the dose-response plot as a self-contained SVG file.
 *
 * Plain text output, no dependencies. The dose axis is logarithmic, so
 * vehicle (dose 0) cannot sit on it: vehicle points get their own column at
 * the left, separated from the log axis by a break mark. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "blotquant/fit.h"
#include "blotquant/table.h"
#include "internal.h"

enum { W = 680, H = 460, LEFT = 80, RIGHT = 520, TOP = 50, BOTTOM = 390 };
#define VEH_X (LEFT + 25.0)
#define LOG_X0 (LEFT + 70.0)

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
enum { N_COLOURS = sizeof colours / sizeof colours[0], N_SHAPES = 5 };

typedef struct axes {
    double lx0, lx1; /* log10 dose range of the log axis */
    double y0, y1;   /* response range */
} axes_t;

static double px_x(const axes_t *a, double dose)
{
    if (dose <= 0)
        return VEH_X;
    return LOG_X0 + (log10(dose) - a->lx0) / (a->lx1 - a->lx0) * (RIGHT - LOG_X0);
}

static double px_y(const axes_t *a, double v)
{
    return BOTTOM - (v - a->y0) / (a->y1 - a->y0) * (BOTTOM - TOP);
}

/* One marker: shape by replicate, hollow when excluded. */
static void marker(FILE *fp, double x, double y, int shape, const char *colour, int hollow)
{
    const char *fill = hollow ? "white" : colour;
    double r = 4.5;
    switch (shape % N_SHAPES) {
    case 0:
        fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"", x, y, r);
        break;
    case 1:
        fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", x - r, y - r,
                2 * r, 2 * r);
        break;
    case 2:
        fprintf(fp, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x, y - r - 1, x - r - 1,
                y + r, x + r + 1, y + r);
        break;
    case 3:
        fprintf(fp, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x, y - r - 1,
                x + r + 1, y, x, y + r + 1, x - r - 1, y);
        break;
    default:
        fprintf(fp, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x, y + r + 1, x - r - 1,
                y - r, x + r + 1, y - r);
        break;
    }
    fprintf(fp, " fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", fill, colour);
}

/* A tick step of 1, 2 or 5 times a power of ten giving about 5 ticks. */
static double nice_step(double span)
{
    double raw = span / 5.0;
    double p = pow(10.0, floor(log10(raw)));
    double f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* Does series s have a curve to draw? */
static int has_fit(const bq_plot_series_t *s)
{
    return s->res && s->res->status == BQ_FIT_OK && isfinite(s->res->dc50);
}

/* The DC50's confidence interval in pixels; an open side runs to the axis'
 * end. */
static void ci_span(const axes_t *a, const bq_fit_result_t *res, double *xl, double *xh)
{
    *xl = isfinite(res->dc50_low) && res->dc50_low > 0 ? px_x(a, res->dc50_low) : LOG_X0;
    *xh = isfinite(res->dc50_high) ? px_x(a, res->dc50_high) : RIGHT;
    *xl = bq_clamp(*xl, LOG_X0, RIGHT);
    *xh = bq_clamp(*xh, LOG_X0, RIGHT);
}

/* The DC50's confidence interval as a shaded band over the plot's height,
 * under the curve and points. */
static void ci_band(FILE *fp, const axes_t *a, const bq_fit_result_t *res, const char *colour)
{
    if (!(log10(res->dc50) >= a->lx0 && log10(res->dc50) <= a->lx1))
        return;
    double xl, xh;
    ci_span(a, res, &xl, &xh);
    fprintf(fp,
            "<rect class=\"ci-band\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
            "fill=\"%s\" fill-opacity=\"0.15\"/>\n",
            xl, TOP, fmax(xh - xl, 1.0), BOTTOM - TOP, colour);
}

/* The fitted curve of series s, its vehicle level, DC50 and CI; `label_dy`
 * moves the DC50 label so that several series' labels do not overlap. */
static void draw_fit(FILE *fp, const axes_t *a, const bq_plot_series_t *s, int have_vehicle,
                     const char *curve_colour, const char *ci_colour, const char *text_colour,
                     double label_dy, const char *unit)
{
    const bq_fit_result_t *res = s->res;
    ci_band(fp, a, res, ci_colour);
    fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
            curve_colour);
    for (int k = 0; k <= 200; k++) {
        double ld = a->lx0 + (a->lx1 - a->lx0) * k / 200.0;
        double v = bq_fit_4pl_eval(res, pow(10.0, ld));
        if (isfinite(v))
            fprintf(fp, "%.1f,%.1f ", px_x(a, pow(10.0, ld)), px_y(a, bq_clamp(v, a->y0, a->y1)));
    }
    fputs("\"/>\n", fp);
    double vtop = bq_fit_4pl_eval(res, 0.0);
    if (have_vehicle && isfinite(vtop))
        fprintf(fp,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"2\"/>\n",
                VEH_X - 12, px_y(a, vtop), VEH_X + 12, px_y(a, vtop), curve_colour);
    double ld50 = log10(res->dc50);
    if (!(ld50 >= a->lx0 && ld50 <= a->lx1))
        return;
    double x50 = px_x(a, res->dc50);
    double y50 = px_y(a, bq_fit_4pl_eval(res, res->dc50));
    fprintf(fp,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" "
            "stroke-dasharray=\"4,3\"/>\n",
            x50, y50, x50, BOTTOM);
    double xl, xh;
    ci_span(a, res, &xl, &xh);
    fprintf(fp,
            "<g stroke=\"%s\" stroke-width=\"2\"><line x1=\"%.1f\" y1=\"%.1f\" "
            "x2=\"%.1f\" y2=\"%.1f\"/>",
            ci_colour, xl, y50, xh, y50);
    if (isfinite(res->dc50_low))
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", xl, y50 - 6, xl,
                y50 + 6);
    if (isfinite(res->dc50_high))
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", xh, y50 - 6, xh,
                y50 + 6);
    fputs("</g>\n", fp);
    fprintf(fp,
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">DC50 %.3g",
            x50, y50, ci_colour, x50 + 6, y50 - 9 + label_dy, text_colour, res->dc50);
    if (unit[0]) {
        fputc(' ', fp);
        bq_xml_put_text(fp, unit);
    }
    fputs("</text>\n", fp);
}

int bq_plot_dose_response_svg(FILE *fp, const bq_fit_point_t *pts, size_t n,
                              const bq_fit_result_t *res, const bq_plot_labels_t *labels)
{
    bq_plot_series_t one = {pts, n, res, NULL};
    return bq_plot_dose_response_svg_multi(fp, &one, 1, labels);
}

/* The axes' ranges: every point's dose and response, and every fitted
 * curve's asymptotes, with a little room. Returns the y tick step. */
static double plot_ranges(const bq_plot_series_t *series, int n_series, axes_t *a,
                          int *have_vehicle)
{
    double dmin = INFINITY, dmax = 0, ymin = INFINITY, ymax = -INFINITY;
    *have_vehicle = 0;
    for (int si = 0; si < n_series; si++) {
        const bq_plot_series_t *s = &series[si];
        for (size_t i = 0; i < s->n; i++) {
            const bq_fit_point_t *pt = &s->pts[i];
            if (!isfinite(pt->dose) || !isfinite(pt->response) || pt->dose < 0)
                continue;
            if (pt->dose > 0) {
                dmin = fmin(dmin, pt->dose);
                dmax = fmax(dmax, pt->dose);
            } else {
                *have_vehicle = 1;
            }
            ymin = fmin(ymin, pt->response);
            ymax = fmax(ymax, pt->response);
        }
    }
    if (!isfinite(dmin)) {
        dmin = 1;
        dmax = 10;
    }
    if (!isfinite(ymin)) {
        ymin = 0;
        ymax = 1;
    }
    for (int si = 0; si < n_series; si++)
        if (has_fit(&series[si])) {
            const bq_fit_result_t *res = series[si].res;
            ymin = fmin(ymin, fmin(res->bottom, res->top));
            ymax = fmax(ymax, fmax(res->bottom, res->top));
        }
    /* a little room around the doses, and at least one decade tick inside */
    a->lx0 = log10(dmin) - 0.3;
    a->lx1 = log10(dmax) + 0.3;
    if (floor(a->lx1) < ceil(a->lx0)) {
        a->lx0 = floor(a->lx0);
        a->lx1 = a->lx0 + 1;
    }
    double span = ymax - ymin;
    if (!(span > 0))
        span = fabs(ymax) > 0 ? fabs(ymax) : 1;
    double ystep = nice_step(span * 1.1);
    a->y0 = ymin >= 0 ? 0.0 : floor((ymin - 0.05 * span) / ystep) * ystep;
    a->y1 = ceil((ymax + 0.05 * span) / ystep) * ystep;
    if (!(a->y1 > a->y0))
        a->y1 = a->y0 + 1;
    return ystep;
}

static void svg_header(FILE *fp, const bq_plot_labels_t *labels)
{
    fprintf(fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" "
            "font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            W, H, W, H);
    if (labels && labels->title) {
        fprintf(fp, "<text x=\"%d\" y=\"28\" text-anchor=\"middle\" font-size=\"15\">",
                (LEFT + RIGHT) / 2);
        bq_xml_put_text(fp, labels->title);
        fputs("</text>\n", fp);
    }
}

/* The axis lines, with the break between vehicle and the log axis. */
static void axis_lines(FILE *fp)
{
    fprintf(fp, "<g stroke=\"black\" stroke-width=\"1\" fill=\"none\">\n");
    fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", LEFT, BOTTOM, LEFT, TOP);
    fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", LEFT, BOTTOM,
            VEH_X + 20, BOTTOM);
    fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", LOG_X0 - 15, BOTTOM,
            RIGHT, BOTTOM);
    fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", VEH_X + 17, BOTTOM + 5,
            VEH_X + 23, BOTTOM - 5);
    fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", LOG_X0 - 18, BOTTOM + 5,
            LOG_X0 - 12, BOTTOM - 5);
    fputs("</g>\n", fp);
}

/* The response axis: ticks, grid lines and numbers. */
static void y_ticks(FILE *fp, const axes_t *a, double ystep)
{
    for (double v = a->y0; v <= a->y1 + 1e-9 * ystep; v += ystep) {
        double y = px_y(a, v);
        fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>\n", LEFT - 5,
                y, LEFT, y);
        fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>\n", LEFT + 1,
                y, RIGHT, y);
        fprintf(fp, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", LEFT - 8, y + 4,
                fabs(v) < 1e-12 * ystep ? 0.0 : v);
    }
}

/* The dose axis: decade ticks with numbers, minor ticks between. */
static void x_ticks(FILE *fp, const axes_t *a)
{
    for (int k = (int)floor(a->lx0); k <= (int)ceil(a->lx1); k++) {
        double x = px_x(a, pow(10.0, k));
        if (k >= a->lx0 - 1e-9 && k <= a->lx1 + 1e-9) {
            fprintf(fp,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", x,
                    BOTTOM, x, BOTTOM + 5);
            fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", x,
                    BOTTOM + 18, pow(10.0, k));
        }
        for (int j = 2; j < 10; j++) {
            double ld = log10(j * pow(10.0, k));
            if (ld < a->lx0 || ld > a->lx1)
                continue;
            double xm = px_x(a, j * pow(10.0, k));
            fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n",
                    xm, BOTTOM, xm, BOTTOM + 3);
        }
    }
}

static void axis_titles(FILE *fp, const char *unit, const char *ylabel)
{
    fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">dose", (LOG_X0 + RIGHT) / 2,
            BOTTOM + 40);
    if (unit[0]) {
        fputs(" (", fp);
        bq_xml_put_text(fp, unit);
        fputc(')', fp);
    }
    fputs(", log scale</text>\n", fp);
    fprintf(fp,
            "<text x=\"22\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 22 %d)\">",
            (TOP + BOTTOM) / 2, (TOP + BOTTOM) / 2);
    bq_xml_put_text(fp, ylabel);
    fputs("</text>\n", fp);
}

static void draw_axes(FILE *fp, const axes_t *a, double ystep, int have_vehicle,
                      const char *unit, const char *ylabel)
{
    axis_lines(fp);
    y_ticks(fp, a, ystep);
    if (have_vehicle)
        fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">vehicle</text>\n", VEH_X,
                BOTTOM + 18);
    x_ticks(fp, a);
    axis_titles(fp, unit, ylabel);
}

/* What the points drawn tell the legend. */
typedef struct point_marks {
    int reps[N_COLOURS * N_SHAPES]; /* replicates, in order of first appearance */
    int n_reps;
    int any_excluded, any_hook;
} point_marks_t;

/* Points: shape by replicate (order of first appearance); colour by
 * replicate for one series, by series for several. */
static void draw_points(FILE *fp, const axes_t *a, const bq_plot_series_t *series, int n_series,
                        point_marks_t *pm)
{
    int multi = n_series > 1;
    int cap = (int)(sizeof pm->reps / sizeof pm->reps[0]);
    for (int si = 0; si < n_series; si++) {
        const bq_plot_series_t *s = &series[si];
        pm->any_hook |= s->res && s->res->hook;
        for (size_t i = 0; i < s->n; i++) {
            const bq_fit_point_t *pt = &s->pts[i];
            if (!isfinite(pt->dose) || !isfinite(pt->response) || pt->dose < 0)
                continue;
            int k;
            for (k = 0; k < pm->n_reps; k++)
                if (pm->reps[k] == pt->replicate)
                    break;
            if (k == pm->n_reps && pm->n_reps < cap)
                pm->reps[pm->n_reps++] = pt->replicate;
            if (k >= pm->n_reps)
                k = pm->n_reps - 1;
            int hollow = bq_fit_point_excluded(s->res, pt);
            pm->any_excluded |= hollow;
            double y = bq_clamp(pt->response, a->y0, a->y1);
            marker(fp, px_x(a, pt->dose), px_y(a, y), k,
                   colours[(multi ? si : k) % N_COLOURS], hollow);
        }
    }
}

/* Several series: a line per series with its DC50, then the replicates'
 * shapes. Returns the next legend row's y. */
static double legend_series(FILE *fp, const bq_plot_series_t *series, int n_series,
                            const point_marks_t *pm, const char *unit, double ly)
{
    for (int si = 0; si < n_series && si < 10; si++, ly += 18) {
        const bq_plot_series_t *s = &series[si];
        fprintf(fp,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"2\"/><text x=\"%d\" y=\"%.1f\" font-size=\"11\">",
                RIGHT + 15, ly, RIGHT + 35, ly, colours[si % N_COLOURS], RIGHT + 38, ly + 4);
        if (s->name && s->name[0])
            bq_xml_put_text(fp, s->name);
        else
            fprintf(fp, "series %d", si + 1);
        if (has_fit(s)) {
            fprintf(fp, ": DC50 %.3g%s", s->res->dc50, unit[0] ? " " : "");
            bq_xml_put_text(fp, unit);
        }
        else if (s->res)
            fprintf(fp, ": no fit (%s)", bq_fit_status_name(s->res->status));
        fputs("</text>\n", fp);
    }
    if (pm->n_reps > 1)
        for (int k = 0; k < pm->n_reps && k < 6; k++, ly += 18) {
            marker(fp, RIGHT + 25, ly, k, "#555", 0);
            fprintf(fp, "<text x=\"%d\" y=\"%.1f\">replicate %d</text>\n", RIGHT + 38,
                    ly + 4, pm->reps[k]);
        }
    return ly;
}

/* One series: the replicates' markers. Returns the next legend row's y. */
static double legend_replicates(FILE *fp, const point_marks_t *pm, double ly)
{
    for (int k = 0; k < pm->n_reps && k < 10; k++, ly += 18) {
        marker(fp, RIGHT + 25, ly, k, colours[k % N_COLOURS], 0);
        if (pm->n_reps == 1)
            fprintf(fp, "<text x=\"%d\" y=\"%.1f\">data</text>\n", RIGHT + 38, ly + 4);
        else
            fprintf(fp, "<text x=\"%d\" y=\"%.1f\">replicate %d</text>\n", RIGHT + 38,
                    ly + 4, pm->reps[k]);
    }
    return ly;
}

/* One series: the fit's line, the DC50 mark and its numbers, or why there
 * is no fit. */
static void legend_fit(FILE *fp, const bq_plot_series_t *s, double ly)
{
    const bq_fit_result_t *res = s->res;
    if (has_fit(s)) {
        fprintf(fp,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\" "
                "stroke-width=\"2\"/><text x=\"%d\" y=\"%.1f\">%s fit</text>\n",
                RIGHT + 15, ly, RIGHT + 35, ly, RIGHT + 38, ly + 4,
                res->model == BQ_FIT_MODEL_BELL ? "bell (hook)" : "4PL");
        ly += 18;
        fprintf(fp,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ff7f0e\" "
                "stroke-width=\"2\"/><text x=\"%d\" y=\"%.1f\">DC50, %g %% CI</text>\n",
                RIGHT + 15, ly, RIGHT + 35, ly, RIGHT + 38, ly + 4, 100 * res->level);
        ly += 24;
        fprintf(fp, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\">Dmax %.0f %%, hill %.2g</text>\n",
                RIGHT + 15, ly, 100 * res->dmax, res->hill);
        ly += 16;
        fprintf(fp, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\">R\xC2\xB2 %.3f, n %d</text>\n",
                RIGHT + 15, ly, res->r2, res->n);
    } else if (res && res->status != BQ_FIT_OK) {
        fprintf(fp, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\">no fit: %s</text>\n", RIGHT + 15,
                ly + 4, bq_fit_status_name(res->status));
    }
}

static void draw_legend(FILE *fp, const bq_plot_series_t *series, int n_series,
                        const point_marks_t *pm, const char *unit)
{
    int multi = n_series > 1;
    double ly = TOP + 8;
    ly = multi ? legend_series(fp, series, n_series, pm, unit, ly)
               : legend_replicates(fp, pm, ly);
    if (pm->any_excluded) {
        marker(fp, RIGHT + 25, ly, 0, "#555", 1);
        fprintf(fp, "<text x=\"%d\" y=\"%.1f\">excluded%s</text>\n", RIGHT + 38, ly + 4,
                pm->any_hook ? " (hook)" : "");
        ly += 18;
    }
    if (!multi)
        legend_fit(fp, &series[0], ly);
}

int bq_plot_dose_response_svg_multi(FILE *fp, const bq_plot_series_t *series, int n_series,
                                    const bq_plot_labels_t *labels)
{
    locale_t previous = bq_numbers_begin();
    const char *unit = labels && labels->unit ? labels->unit : "";
    const char *ylabel = labels && labels->response ? labels->response
                                                    : "relative level (vehicle = 1)";
    int multi = n_series > 1;
    axes_t a;
    int have_vehicle;
    double ystep = plot_ranges(series, n_series, &a, &have_vehicle);
    svg_header(fp, labels);
    draw_axes(fp, &a, ystep, have_vehicle, unit, ylabel);

    /* fitted curves, DC50s and their CIs: black and orange for one series,
     * the series' colour for several */
    for (int si = 0; si < n_series; si++)
        if (has_fit(&series[si]))
            draw_fit(fp, &a, &series[si], have_vehicle, multi ? colours[si % N_COLOURS] : "black",
                     multi ? colours[si % N_COLOURS] : "#ff7f0e",
                     multi ? colours[si % N_COLOURS] : "#b35900", multi ? 14.0 * si : 0.0,
                     unit);

    point_marks_t pm = {.n_reps = 0};
    draw_points(fp, &a, series, n_series, &pm);
    draw_legend(fp, series, n_series, &pm, unit);
    fputs("</svg>\n", fp);
    bq_numbers_end(previous);
    return ferror(fp) ? BQ_ERR_IO : 0;
}
