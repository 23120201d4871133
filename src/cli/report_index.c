/* report_index.c - index.html of a batch: the page to open first. It links
 * each gel's own report, says which gels failed and why, and shows every
 * DC50 of the batch on one axis. Every name from input is escaped. */
#include <math.h>
#include <stdlib.h>

#include "dc50_plot.h"
#include "html.h"
#include "report_index.h"

/* ---- the summary plot ---------------------------------------------------- */

/* nM per unit of the gel's sheet, NaN when its unit is unknown. */
static double nm_per_unit(const analyze_outcome_t *o)
{
    int u = bq_unit_parse(o->unit);
    return u >= 0 ? bq_unit_nm((bq_unit)u) : NAN;
}

/* Every fitted series of every gel as a plot row (in nM); returns how many. */
static int collect_dc50s(const index_input_t *in, dc50_row_t *rows)
{
    int k = 0;
    for (size_t i = 0; i < in->n; i++) {
        const index_gel_t *g = &in->gels[i];
        if (!g->ok || !g->outcome->fitted)
            continue;
        const analyze_outcome_t *o = g->outcome;
        double f = nm_per_unit(o);
        for (int s = 0; s < o->n_groups; s++) {
            const bq_fit_result_t *r = &o->group_fit[s];
            if (r->status != BQ_FIT_OK || !isfinite(f) || !(r->dc50 > 0))
                continue;
            rows[k++] = (dc50_row_t){g->name, o->groups[s], r->dc50 * f, r->dc50_low * f,
                                     r->dc50_high * f};
        }
    }
    return k;
}

static void put_summary_plot(FILE *fp, const index_input_t *in)
{
    fputs("<h2>DC50 by compound</h2>\n", fp);
    dc50_row_t *rows = calloc(in->n * ANALYZE_MAX_GROUPS + 1, sizeof *rows);
    int n = rows ? collect_dc50s(in, rows) : 0;
    if (n > 0) {
        fputs("<figure>\n", fp);
        dc50_plot_svg(fp, rows, n);
        fputs("<figcaption>Each fitted series of each gel, grouped and coloured by the sample "
              "sheet's group; the dot is the DC50, the bar its confidence interval (dashed "
              "where it is open).</figcaption>\n</figure>\n",
              fp);
    } else {
        fputs("<p>No gel gave a DC50.</p>\n", fp);
    }
    free(rows);
}

/* ---- the gels ------------------------------------------------------------ */

static const char *status_of(const index_gel_t *g)
{
    if (!g->ok)
        return "failed";
    if (g->resumed)
        return "done earlier (--resume)";
    return g->outcome->fitted ? "analysed" : "quantified only (no sample sheet)";
}

/* A CI bound: the number, or "open" where the data do not bound it. */
static void put_bound(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.4g", v);
    else
        fputs("open", fp);
}

static void put_series_dc50(FILE *fp, const analyze_outcome_t *o, int s)
{
    const bq_fit_result_t *r = &o->group_fit[s];
    if (o->groups[s][0]) {
        bq_xml_put_text(fp, o->groups[s]);
        fputs(": ", fp);
    }
    if (r->status != BQ_FIT_OK) {
        fprintf(fp, "no fit (%s)", bq_fit_status_name(r->status));
        return;
    }
    fprintf(fp, "DC50 %.4g ", r->dc50);
    bq_xml_put_text(fp, o->unit);
    fputs(" [", fp);
    put_bound(fp, r->dc50_low);
    fputs(" to ", fp);
    put_bound(fp, r->dc50_high);
    fprintf(fp, "], Dmax %.0f %%", 100 * r->dmax);
}

static void put_flags(FILE *fp, const analyze_outcome_t *o)
{
    const char *sep = "";
    for (int s = 0; o->fitted && s < o->n_groups; s++)
        if (o->group_fit[s].hook) {
            fputs("hook", fp);
            sep = "; ";
            break;
        }
    if (o->n_flagged_lanes > 0) {
        fprintf(fp, "%s%d flagged lane%s", sep, o->n_flagged_lanes,
                o->n_flagged_lanes == 1 ? "" : "s");
        sep = "; ";
    }
    if (o->lanes_uncertain) {
        fprintf(fp, "%slanes uncertain", sep);
        sep = "; ";
    }
    if (o->lossy_image[0])
        fprintf(fp, "%slossy (JPEG)", sep);
}

static void gel_row(FILE *fp, const index_gel_t *g)
{
    fprintf(fp, "<tr%s><td>", g->ok ? "" : " class=\"failed\"");
    if (g->ok) {
        fputs("<a href=\"", fp);
        html_url_path(fp, g->dir);
        fputs("/report.html\">", fp);
        bq_xml_put_text(fp, g->name);
        fputs("</a>", fp);
    } else {
        bq_xml_put_text(fp, g->name);
    }
    fprintf(fp, "</td><td>%s</td><td>", status_of(g));
    const analyze_outcome_t *o = g->outcome;
    if (g->ok) {
        for (int s = 0; o->fitted && s < o->n_groups; s++) {
            fputs(s ? "<br>" : "", fp);
            put_series_dc50(fp, o, s);
        }
        fputs("</td><td>", fp);
        put_flags(fp, o);
    } else {
        fputs("</td><td>", fp);
        bq_xml_put_text(fp, o->failed_stage);
        fputs(": ", fp);
        bq_xml_put_text(fp, o->message);
    }
    fputs("</td></tr>\n", fp);
}

static void put_gels(FILE *fp, const index_input_t *in)
{
    fputs("<h2>Gels</h2>\n<table class=\"gels\">\n<tr><th>gel (its report)</th><th>status</th>"
          "<th>DC50 [CI], Dmax</th><th>flags</th></tr>\n",
          fp);
    for (size_t i = 0; i < in->n; i++)
        gel_row(fp, &in->gels[i]);
    fputs("</table>\n", fp);
}

static void put_errors(FILE *fp, const index_input_t *in, size_t failed)
{
    fputs("<h2>Errors</h2>\n", fp);
    if (failed == 0) {
        fputs("<p class=\"ok\">None: every gel was analysed.</p>\n", fp);
        return;
    }
    fputs("<table class=\"errors\">\n<tr><th>file</th><th>stage</th><th>reason</th></tr>\n", fp);
    for (size_t i = 0; i < in->n; i++) {
        const index_gel_t *g = &in->gels[i];
        if (g->ok)
            continue;
        fputs("<tr class=\"failed\"><td>", fp);
        bq_xml_put_text(fp, g->name);
        fputs("</td><td>", fp);
        bq_xml_put_text(fp, g->outcome->failed_stage);
        fputs("</td><td>", fp);
        bq_xml_put_text(fp, g->outcome->message);
        fputs("</td></tr>\n", fp);
    }
    fputs("</table>\n", fp);
}

/* ---- the page ------------------------------------------------------------ */

static void put_heading(FILE *fp, const index_input_t *in, size_t failed)
{
    size_t resumed = 0;
    for (size_t i = 0; i < in->n; i++)
        resumed += in->gels[i].resumed;
    fputs("<h1>blotquant batch: ", fp);
    bq_xml_put_text(fp, in->folder);
    fprintf(fp, "</h1>\n<p>%zu gel%s: %zu analysed, %zu <span class=\"%s\">failed</span>, "
                "%zu done earlier. Each gel's link opens its report (overlay, tables, plot, "
                "fit); the combined tables are <code>bands.csv</code>, "
                "<code>normalized.csv</code>, <code>fits.csv</code> and "
                "<code>errors.csv</code> beside this page.</p>\n",
            in->n, in->n == 1 ? "" : "s", in->n - failed - resumed, failed,
            failed ? "warn" : "ok", resumed);
}

int report_index_write(FILE *fp, void *ctx)
{
    const index_input_t *in = ctx;
    size_t failed = 0;
    for (size_t i = 0; i < in->n; i++)
        failed += !in->gels[i].ok;
    html_begin(fp, "blotquant batch");
    put_heading(fp, in, failed);
    put_summary_plot(fp, in);
    put_gels(fp, in);
    put_errors(fp, in, failed);
    fputs("<h2>Run</h2>\n<p>Command: <code>", fp);
    bq_xml_put_text(fp, in->command_line);
    fputs("</code></p>\n<p>blotquant ", fp);
    bq_xml_put_text(fp, BQ_VERSION);
    fputs("; every parameter is in <code>run.json</code>.</p>\n", fp);
    html_end(fp);
    return ferror(fp) ? BQ_ERR_IO : 0;
}
