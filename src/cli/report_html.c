/* report_html.c - report.html: what one analysis read, found and fitted, on
 * one page. Read top to bottom: the DC50s, the warnings, the plot and fit
 * table, the normalised table, each blot's overlay and band table, then
 * the inputs with their checksums and the command that made it all.
 *
 * The page fetches nothing: overlays are PNG data: URIs, the plot is our
 * own SVG inline, the style sheet is inline, and a Content-Security-Policy
 * forbids any other source. Every string from input is escaped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "html.h"
#include "report_html.h"
#include "sha256.h"

/* "4.2 nM" or "–" */
static void put_dose(FILE *fp, double v, const char *unit)
{
    if (!isfinite(v)) {
        fputs("\xE2\x80\x93", fp);
        return;
    }
    fprintf(fp, "%.4g", v);
    if (unit && unit[0]) {
        fputc(' ', fp);
        bq_xml_put_text(fp, unit);
    }
}

/* A series' label: its group, or the target over the control. */
static void put_series(FILE *fp, const analyze_outcome_t *o, int g)
{
    if (o->groups[g][0]) {
        bq_xml_put_text(fp, o->groups[g]);
        return;
    }
    bq_xml_put_text(fp, o->target);
    fputs(" / ", fp);
    bq_xml_put_text(fp, o->control);
}

/* ---- summary ------------------------------------------------------------- */

static void put_dc50_line(FILE *fp, const analyze_outcome_t *o, int g)
{
    const bq_fit_result_t *f = &o->group_fit[g];
    fputs("<p class=\"dc50\">", fp);
    if (o->n_groups > 1 || o->groups[g][0]) {
        put_series(fp, o, g);
        fputs(": ", fp);
    }
    if (f->status != BQ_FIT_OK) {
        fprintf(fp, "no DC50 (%s)</p>\n", bq_fit_status_name(f->status));
        return;
    }
    fputs("DC50 ", fp);
    put_dose(fp, f->dc50, o->unit);
    fprintf(fp, " <span class=\"ci\">(%g %% CI ", 100 * f->level);
    put_dose(fp, f->dc50_low, NULL);
    fputs(" to ", fp);
    put_dose(fp, f->dc50_high, NULL);
    fprintf(fp, "), Dmax %.0f %%</span></p>\n", 100 * f->dmax);
}

static void put_summary(FILE *fp, const report_input_t *in)
{
    const analyze_outcome_t *o = in->out;
    fputs("<h1>blotquant report: ", fp);
    bq_xml_put_text(fp, in->cfg->target);
    fputs(" / ", fp);
    bq_xml_put_text(fp, in->cfg->control);
    fputs("</h1>\n", fp);
    if (!o->fitted) {
        fputs("<p>Quantified only: no sample sheet, so nothing was normalised or "
              "fitted.</p>\n",
              fp);
        return;
    }
    for (int g = 0; g < o->n_groups; g++)
        put_dc50_line(fp, o, g);
}

/* ---- warnings ------------------------------------------------------------ */

static void warn_begin(FILE *fp, int *n)
{
    if ((*n)++ == 0)
        fputs("<ul class=\"warnings\">\n", fp);
    fputs("<li class=\"warn\">", fp);
}

/* Per image: uncertain lanes, saturated bands, sizes not used. */
static void warn_image(FILE *fp, const report_image_t *im, int *n)
{
    const bq_quant_result_t *res = im->res;
    if (res->lanes && res->lanes->uncertain) {
        warn_begin(fp, n);
        fputs("The lanes of ", fp);
        bq_xml_put_text(fp, im->name);
        fprintf(fp, " are uncertain (confidence %.2f): check its overlay below; if they are "
                    "wrong, give the lane count (--lanes N) or the lane centres "
                    "(--lane-centres).</li>\n",
                res->lanes->confidence);
    }
    int sat = 0;
    for (int i = 0; res->table && i < res->table->n_bands; i++)
        sat += (res->table->bands[i].flags & BQ_BAND_SATURATED) &&
               !(res->table->bands[i].flags & BQ_BAND_LADDER);
    if (sat > 0) {
        warn_begin(fp, n);
        bq_xml_put_text(fp, im->name);
        fprintf(fp, ": %d band%s saturated (pixels at the scanner's ceiling): %s volume%s "
                    "underestimated.</li>\n",
                sat, sat == 1 ? " is" : "s are", sat == 1 ? "its" : "their",
                sat == 1 ? " is" : "s are");
    }
    if (res->mw_note[0]) {
        warn_begin(fp, n);
        bq_xml_put_text(fp, im->name);
        fputs(": ", fp);
        bq_xml_put_text(fp, res->mw_note);
        fputs("</li>\n", fp);
    }
}

/* Per series: no fit, a hook, a held bottom, the fitter's notes. */
static void warn_series(FILE *fp, const analyze_outcome_t *o, int g, int *n)
{
    const bq_fit_result_t *f = &o->group_fit[g];
    if (f->status == BQ_FIT_OK && !f->hook && !f->bottom_held && !f->message[0])
        return;
    warn_begin(fp, n);
    put_series(fp, o, g);
    if (f->status != BQ_FIT_OK)
        fprintf(fp, ": no fit (%s). ", bq_fit_status_name(f->status));
    else
        fputs(": ", fp);
    if (f->hook)
        fprintf(fp, "A hook was detected (the highest doses degrade less again); it was "
                    "fitted with the %s model, so the DC50 describes the degradation "
                    "alone. ",
                f->model == BQ_FIT_MODEL_BELL ? "bell-shaped" : "4PL, post-hook doses left out,");
    if (f->bottom_held)
        fputs("The bottom of the curve was held at 0 (the free fit went below zero). ", fp);
    bq_xml_put_text(fp, f->message);
    fputs("</li>\n", fp);
}

static void warn_flagged(FILE *fp, const report_input_t *in, int *n)
{
    const analyze_outcome_t *o = in->out;
    if (o->n_flagged_lanes == 0)
        return;
    warn_begin(fp, n);
    fprintf(fp, "%d lane%s flagged (saturated or faint loading control, or saturated "
                "target) %s: ",
            o->n_flagged_lanes, o->n_flagged_lanes == 1 ? "" : "s",
            in->cfg->keep_flagged ? "and still fitted (--keep-flagged)"
                                  : "and left out of the fit");
    bq_xml_put_text(fp, o->flagged);
    fputs(".</li>\n", fp);
}

static void put_warnings(FILE *fp, const report_input_t *in)
{
    const analyze_outcome_t *o = in->out;
    int n = 0;
    fputs("<h2>Warnings</h2>\n", fp);
    if (o->lossy_image[0]) {
        warn_begin(fp, &n);
        bq_xml_put_text(fp, o->lossy_image);
        fputs(" is a lossy export (JPEG): its pixels are compressed and usually gamma-encoded, "
              "so band volumes are approximate. Export a TIFF from the imager for "
              "quantification.</li>\n",
              fp);
    }
    for (int i = 0; i < in->n_images; i++)
        warn_image(fp, &in->images[i], &n);
    warn_flagged(fp, in, &n);
    for (int g = 0; o->fitted && g < o->n_groups; g++)
        warn_series(fp, o, g, &n);
    fputs(n ? "</ul>\n" : "<p class=\"ok\">None.</p>\n", fp);
}

/* ---- dose response ----------------------------------------------------- */

/* The plot's SVG inline: written to memory, from its <svg> element on
 * (the XML declaration has no place inside HTML). */
static int put_plot(FILE *fp, const report_input_t *in)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    if (!mem)
        return BQ_ERR_NOMEM;
    int rc = in->plot(mem, in->plot_ctx);
    if (fclose(mem) != 0 && rc == 0)
        rc = BQ_ERR_NOMEM;
    const char *svg = rc == 0 && buf ? strstr(buf, "<svg") : NULL;
    if (svg)
        fprintf(fp, "<figure>\n%s<figcaption>Relative level (target / loading control, "
                    "vehicle = 1) against dose; filled points were fitted, hollow ones left "
                    "out (flagged lanes, post-hook doses); the shaded band and the bar at the "
                    "DC50 are its confidence interval.</figcaption>\n</figure>\n",
                svg);
    free(buf);
    return rc;
}

static void put_excluded(FILE *fp, const bq_fit_result_t *f)
{
    for (int i = 0; i < f->n_excluded && i < BQ_FIT_MAX_LISTED; i++)
        fprintf(fp, "%s%g", i ? "; " : "", f->excluded[i]);
}

static void fit_row(FILE *fp, const analyze_outcome_t *o, int g)
{
    const bq_fit_result_t *f = &o->group_fit[g];
    fputs(f->status == BQ_FIT_OK ? "<tr><td>" : "<tr class=\"failed\"><td>", fp);
    put_series(fp, o, g);
    fprintf(fp, "</td><td>%s</td><td class=\"num\">%d</td>", bq_fit_status_name(f->status),
            f->n);
    html_num_cell(fp, "%.4g", f->dc50);
    html_num_cell(fp, "%.4g", f->dc50_low);
    html_num_cell(fp, "%.4g", f->dc50_high);
    html_num_cell(fp, "%.4g", f->dc50_abs);
    html_num_cell(fp, "%.3f", f->dmax);
    html_num_cell(fp, "%.3g", f->hill);
    html_num_cell(fp, "%.3f", f->r2);
    fprintf(fp, "<td>%s</td><td>%s</td><td>", f->hook ? "yes" : "no",
            bq_fit_model_name(f->model));
    put_excluded(fp, f);
    fputs("</td><td>", fp);
    bq_xml_put_text(fp, f->message);
    fputs("</td></tr>\n", fp);
}

static void put_fit_table(FILE *fp, const analyze_outcome_t *o)
{
    fputs("<h3>Fit</h3>\n<table class=\"fit\">\n<tr><th>series</th><th>status</th><th>n</th>"
          "<th>DC50",
          fp);
    if (o->unit[0]) {
        fputs(" (", fp);
        bq_xml_put_text(fp, o->unit);
        fputc(')', fp);
    }
    fprintf(fp, "</th><th>CI low</th><th>CI high</th><th>DC50 abs</th><th>Dmax</th>"
                "<th>Hill</th><th>R\xC2\xB2</th><th>hook</th><th>model</th>"
                "<th>excluded doses</th><th>notes</th></tr>\n");
    for (int g = 0; g < o->n_groups; g++)
        fit_row(fp, o, g);
    fputs("</table>\n", fp);
}

static int put_dose_response(FILE *fp, const report_input_t *in)
{
    if (!in->out->fitted)
        return 0;
    fputs("<h2>Dose response</h2>\n", fp);
    int rc = in->plot ? put_plot(fp, in) : 0;
    put_fit_table(fp, in->out);
    return rc;
}

/* ---- normalised table -------------------------------------------------- */

static void norm_row(FILE *fp, const bq_norm_table_t *t, const bq_norm_row_t *r)
{
    char flags[160];
    bq_norm_flags_str(r->flags, flags, sizeof flags);
    const char *cls = (r->flags & BQ_NORM_EXCLUDE_MASK) ? " class=\"excluded\""
                      : (r->flags & BQ_NORM_TARGET_WEAK) ? " class=\"weak\""
                                                         : "";
    fprintf(fp, "<tr%s><td>", cls);
    bq_xml_put_text(fp, t->image);
    fprintf(fp, "</td><td class=\"num\">%d</td>", r->lane);
    html_num_cell(fp, "%g", r->dose);
    fputs("<td>", fp);
    bq_xml_put_text(fp, r->group);
    fprintf(fp, "</td><td class=\"num\">%d</td>", r->replicate);
    html_num_cell(fp, "%.6g", r->target);
    html_num_cell(fp, "%.6g", r->control);
    html_num_cell(fp, "%.4g", r->ratio);
    html_num_cell(fp, "%.3f", r->relative);
    fprintf(fp, "<td>%s</td></tr>\n", flags);
}

static void put_normalized(FILE *fp, const report_input_t *in)
{
    if (in->n_norms == 0)
        return;
    fputs("<h2>Normalised table</h2>\n<p>Target / loading control per lane, relative to the "
          "vehicle lanes of the same blot. Red rows are left out of the fit",
          fp);
    fputs(in->cfg->keep_flagged ? " by default (kept here: --keep-flagged)" : "", fp);
    fputs("; yellow rows: the target was not detected and was measured at its row "
          "position.</p>\n<table class=\"normalized\">\n<tr><th>image</th><th>lane</th>"
          "<th>dose",
          fp);
    if (in->out->unit[0]) {
        fputs(" (", fp);
        bq_xml_put_text(fp, in->out->unit);
        fputc(')', fp);
    }
    fputs("</th><th>group</th><th>replicate</th><th>target</th><th>control</th><th>ratio</th>"
          "<th>relative</th><th>flags</th></tr>\n",
          fp);
    for (int i = 0; i < in->n_norms; i++)
        for (int r = 0; r < in->norms[i]->n; r++)
            norm_row(fp, in->norms[i], &in->norms[i]->rows[r]);
    fputs("</table>\n", fp);
}

/* ---- blots ----------------------------------------------------------------- */

static void put_overlay(FILE *fp, const report_image_t *im)
{
    const bq_quant_result_t *res = im->res;
    fputs("<figure>\n<img alt=\"QC overlay of ", fp);
    bq_xml_put_text(fp, im->name);
    fprintf(fp, "\" width=\"%d\" height=\"%d\" src=\"data:image/png;base64,", im->overlay->width,
            im->overlay->height);
    html_base64(fp, im->overlay->data, im->overlay->size);
    fputs("\">\n<figcaption>", fp);
    if (res->lanes)
        fprintf(fp, "%d lane%s in %d strip%s, lane confidence %.2f%s; ", res->lanes->n_lanes,
                res->lanes->n_lanes == 1 ? "" : "s", res->lanes->n_strips,
                res->lanes->n_strips == 1 ? "" : "s", res->lanes->confidence,
                res->lanes->uncertain ? " (uncertain)" : "");
    fprintf(fp, "polarity %s (%s). Band boxes: green ok, yellow weak, red saturated, blue "
                "ladder. Full size: <code>",
            res->inverted ? "inverted" : "kept", res->polarity_auto ? "automatic" : "as asked");
    bq_xml_put_text(fp, im->overlay_file);
    fputs("</code>.</figcaption>\n</figure>\n", fp);
}

static void band_row(FILE *fp, const bq_band_t *b)
{
    char flags[160];
    bq_band_flags_str(b->flags, flags, sizeof flags);
    const char *cls = (b->flags & BQ_BAND_SATURATED) ? " class=\"saturated\""
                      : (b->flags & BQ_BAND_WEAK)    ? " class=\"weak\""
                                                     : "";
    fprintf(fp, "<tr%s><td class=\"num\">%d</td><td class=\"num\">%d</td><td>", cls, b->lane,
            b->row);
    bq_xml_put_text(fp, b->protein);
    fprintf(fp, "</td><td class=\"num\">%d\xE2\x80\x93%d, %d\xE2\x80\x93%d</td>", b->x_left,
            b->x_right, b->y_top, b->y_bottom);
    html_num_cell(fp, "%.6g", b->net_volume);
    html_num_cell(fp, "%.6g", b->background);
    fprintf(fp, "<td class=\"num\">%ld</td>", b->saturated_pixels);
    html_num_cell(fp, "%.3g", b->mw_kda > 0 ? b->mw_kda : NAN);
    fprintf(fp, "<td>%s</td></tr>\n", flags);
}

static void put_band_table(FILE *fp, const bq_band_table_t *t)
{
    fprintf(fp, "<table class=\"bands%s\">\n<tr><th>lane</th><th>band</th><th>protein</th>"
                "<th>box x, y</th><th>net volume</th><th>background</th>"
                "<th>saturated px</th><th>kDa</th><th>flags</th></tr>\n",
            t->lanes_uncertain ? " uncertain" : "");
    for (int i = 0; i < t->n_bands; i++)
        band_row(fp, &t->bands[i]);
    fputs("</table>\n", fp);
}

static void put_blots(FILE *fp, const report_input_t *in)
{
    fputs("<h2>Blots</h2>\n", fp);
    for (int i = 0; i < in->n_images; i++) {
        const report_image_t *im = &in->images[i];
        fprintf(fp, "<h3>%s: ", im->role);
        bq_xml_put_text(fp, im->name);
        fputs("</h3>\n", fp);
        if (im->overlay && im->overlay->data)
            put_overlay(fp, im);
        if (im->res->table)
            put_band_table(fp, im->res->table);
    }
}

/* ---- inputs and run ------------------------------------------------------ */

static void input_row(FILE *fp, const char *role, const char *path)
{
    char hex[SHA256_HEX_SIZE];
    long long size = 0;
    fprintf(fp, "<tr><td>%s</td><td class=\"mono\">", role);
    bq_xml_put_text(fp, path);
    if (sha256_file(path, hex, &size) == 0)
        fprintf(fp, "</td><td class=\"num\">%lld</td><td class=\"mono\">%s</td></tr>\n", size,
                hex);
    else
        fputs("</td><td></td><td>could not be read again</td></tr>\n", fp);
}

static void put_run(FILE *fp, const report_input_t *in)
{
    char when[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fputs("<h2>Inputs and run</h2>\n<table class=\"inputs\">\n<tr><th>input</th><th>file</th>"
          "<th>bytes</th><th>SHA-256</th></tr>\n",
          fp);
    for (int i = 0; i < in->n_images; i++)
        input_row(fp, in->images[i].role, in->images[i].path);
    if (in->cfg->sheet_path)
        input_row(fp, "sample sheet", in->cfg->sheet_path);
    fputs("</table>\n<p>Command: <code>", fp);
    bq_xml_put_text(fp, in->cfg->command_line);
    fputs("</code></p>\n<p>blotquant ", fp);
    bq_xml_put_text(fp, BQ_VERSION);
    fprintf(fp, ", written %s. Every parameter is in <code>run.json</code>; the tables are "
                "<code>bands.csv</code>, <code>normalized.csv</code> and "
                "<code>fit.csv</code> beside this report.</p>\n",
            when);
}

int report_html_write(FILE *fp, void *ctx)
{
    const report_input_t *in = ctx;
    char title[2 * BQ_NAME_MAX + 32];
    snprintf(title, sizeof title, "blotquant report: %s / %s", in->cfg->target,
             in->cfg->control);
    html_begin(fp, title);
    put_summary(fp, in);
    put_warnings(fp, in);
    int rc = put_dose_response(fp, in);
    put_normalized(fp, in);
    put_blots(fp, in);
    put_run(fp, in);
    html_end(fp);
    return rc != 0 ? rc : ferror(fp) ? BQ_ERR_IO : 0;
}
